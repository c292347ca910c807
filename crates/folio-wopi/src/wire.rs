//! The JSON bodies Folio sends to WOPI clients. The only serde in this crate. Optional
//! properties are omitted, never `null` (spec/operations.md §1.7). CSPP Plus messages (coauth
//! table, GetChunkedFile / PutChunkedFile MessageJSON) are in [`cspp`].

use serde::Serialize;

pub mod cspp;

/// The CheckFileInfo response (spec/checkfileinfo.md). Field names are the WOPI property names.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct CheckFileInfo {
    // Required.
    /// File name with extension, no path.
    pub base_file_name: String,
    /// Stable id of the owner.
    pub owner_id: String,
    /// Size in bytes.
    pub size: u64,
    /// Stable id of the token's user.
    pub user_id: String,
    /// Changes on every content change, never repeats for the file.
    pub version: String,

    // File metadata.
    /// The extension with its dot.
    pub file_extension: String,
    /// Longest name (without extension) RenameFile accepts.
    pub file_name_max_length: u32,
    /// UTC ISO 8601 round-trip time of the last content change.
    pub last_modified_time: String,
    /// Base64 SHA-256 of the current content.
    #[serde(rename = "SHA256")]
    pub sha256: String,

    // User metadata.
    /// Display name of the token's user.
    pub user_friendly_name: String,
    /// Opaque string stored by PutUserInfo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_info: Option<String>,
    /// The user is not signed in to the host.
    pub is_anonymous_user: bool,
    /// Microsoft 365 education user.
    pub is_edu_user: bool,
    /// Business-user license check for editing.
    pub license_check_for_edit_is_enabled: bool,

    // Capabilities.
    /// Lock, Unlock, RefreshLock, UnlockAndRelock.
    pub supports_locks: bool,
    /// GetLock.
    pub supports_get_lock: bool,
    /// Lock ids up to 1024 characters.
    pub supports_extended_lock_length: bool,
    /// PutFile and PutRelativeFile.
    pub supports_update: bool,
    /// RenameFile.
    pub supports_rename: bool,
    /// DeleteFile.
    pub supports_delete_file: bool,
    /// PutUserInfo.
    pub supports_user_info: bool,
    /// Containers endpoints.
    pub supports_containers: bool,
    /// CheckEcosystem, GetEcosystem, GetRootContainer.
    pub supports_ecosystem: bool,
    /// GetFileWopiSrc (ecosystem).
    pub supports_get_file_wopi_src: bool,
    /// AddActivities.
    pub supports_add_activities: bool,
    /// Share URL types GetShareUrl accepts.
    pub supported_share_url_types: Vec<String>,

    // Permissions.
    /// The user may change the file.
    pub user_can_write: bool,
    /// The user may rename the file.
    pub user_can_rename: bool,
    /// The user may not create files with PutRelativeFile.
    pub user_can_not_write_relative: bool,
    /// The file is read-only for everyone.
    pub read_only: bool,
    /// The user may not edit in the browser.
    pub web_editing_disabled: bool,

    // Host URLs (absolute; omitted when the page does not exist).
    /// Host page for the view action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_view_url: Option<String>,
    /// Host page for the edit action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_edit_url: Option<String>,
    /// Where the editor goes on close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_url: Option<String>,
    /// Download link for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// Version history page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_version_url: Option<String>,
    /// Sharing page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_sharing_url: Option<String>,
    /// Direct, self-authorised URL to the current bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,

    // Breadcrumbs.
    /// Product name.
    pub breadcrumb_brand_name: String,
    /// Product URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breadcrumb_brand_url: Option<String>,
    /// File name shown in the breadcrumb.
    pub breadcrumb_doc_name: String,
    /// Containing folder's name.
    pub breadcrumb_folder_name: String,
    /// Containing folder's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breadcrumb_folder_url: Option<String>,

    // PostMessage (set by the host page when it handles them).
    /// Origin of the host page that embeds the editor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_message_origin: Option<String>,
    /// The host page handles UI_Close.
    pub close_post_message: bool,
    /// The host page handles UI_Edit.
    pub edit_mode_post_message: bool,
    /// The host page handles UI_Sharing.
    pub file_sharing_post_message: bool,
    /// The host page handles UI_FileVersions.
    pub file_version_post_message: bool,
    /// The host page wants Edit_Notification (it renews the token at a quiet moment).
    pub edit_notification_post_message: bool,

    // Client-specific properties (Collabora and ONLYOFFICE extensions, CSPP Plus), omitted
    // unless the token's editor gets them. Plain fields, not a `#[serde(flatten)]` map (serde
    // then builds a map of `Value`s per request); kept in byte order of their names, after
    // the fields above, as the map put them.
    /// CSPP Plus: the token's expiry (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_expiry: Option<i64>,
    /// Collabora: no copying out of the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_copy: Option<bool>,
    /// Collabora: no export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_export: Option<bool>,
    /// Collabora, ONLYOFFICE: inserting images from the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_insert_remote_image: Option<bool>,
    /// Collabora: the owner may end the editing session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_owner_termination: Option<bool>,
    /// CSPP Plus: the geography code assigned at onboarding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_geo_location_code: Option<String>,
    /// Collabora: hide the export option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_export_option: Option<bool>,
    /// Collabora: hide the print option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_print_option: Option<bool>,
    /// Collabora: hide the save option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_save_option: Option<bool>,
    /// CSPP Plus: the collaboration service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office_collaboration_service_endpoint_url: Option<String>,
    /// CSPP Plus: the real-time channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_time_channel_endpoint_url: Option<String>,
    /// CSPP Plus: the file's sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<i64>,
    /// CSPP Plus: the host's clock (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_time: Option<i64>,
    /// CSPP Plus: `Shared` or `Private`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_status: Option<&'static str>,
    /// CSPP Plus: co-authoring supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_coauth: Option<bool>,
    /// ONLYOFFICE: review mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supports_reviewing: Option<bool>,
    /// Collabora: the template a new document is made from (a self-authorised URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_source: Option<String>,
    /// ONLYOFFICE: the user may review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_can_review: Option<bool>,
    /// Collabora: extra user information.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_extra_info: Option<UserExtraInfo>,
}

/// Collabora's `UserExtraInfo` of CheckFileInfo.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct UserExtraInfo {
    /// The user's e-mail address.
    pub mail: String,
}

/// PutRelativeFile response.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PutRelativeFileResponse {
    /// Name of the new file, with extension.
    pub name: String,
    /// WOPISrc of the new file with `?access_token=`.
    pub url: String,
    /// Host page for viewing the new file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_view_url: Option<String>,
    /// Host page for editing the new file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_edit_url: Option<String>,
}

/// RenameFile response: the new name without extension.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RenameFileResponse {
    /// New name, without extension.
    pub name: String,
}

/// GetShareUrl response.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ShareUrlResponse {
    /// Absolute URL of a page giving access to the file.
    pub share_url: String,
}

/// The name and URL (with its own `access_token`) of a container or file a response points at.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePointer {
    /// Display name.
    pub name: String,
    /// Absolute URL with `?access_token=`.
    pub url: String,
}

/// The CheckContainerInfo response (spec/containers-ecosystem.md §5.1).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct CheckContainerInfo {
    /// Container name (never empty; a root is named for the user).
    pub name: String,
    /// Web page of the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_url: Option<String>,
    /// Sharing page of the container (its owner only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_url: Option<String>,
    /// Share URL types GetShareUrl (containers) accepts.
    pub supported_share_url_types: Vec<String>,
    /// CreateChildContainer is allowed.
    pub user_can_create_child_container: bool,
    /// CreateChildFile is allowed.
    pub user_can_create_child_file: bool,
    /// DeleteContainer is allowed.
    pub user_can_delete: bool,
    /// RenameContainer is allowed.
    pub user_can_rename: bool,
    /// The user is not signed in to the host.
    pub is_anonymous_user: bool,
    /// Microsoft 365 education user (equal to CheckFileInfo's).
    pub is_edu_user: bool,
    /// Business-user license check for editing (equal to CheckFileInfo's).
    pub license_check_for_edit_is_enabled: bool,
}

/// EnumerateAncestors (files and containers): root first, direct parent last.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AncestorsResponse {
    /// The ancestors the user may see.
    pub ancestors_with_root_first: Vec<ResourcePointer>,
}

/// One file of EnumerateChildren.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ChildFile {
    /// `BaseFileName`.
    pub name: String,
    /// WOPISrc with a token for the file.
    pub url: String,
    /// CheckFileInfo `Version`.
    pub version: String,
    /// Size in bytes.
    pub size: u64,
    /// CheckFileInfo `LastModifiedTime`.
    pub last_modified_time: String,
}

/// EnumerateChildren: both arrays are always present.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ChildrenResponse {
    /// Subcontainers (never filtered).
    pub child_containers: Vec<ResourcePointer>,
    /// Files (filtered by `X-WOPI-FileExtensionFilterList`).
    pub child_files: Vec<ChildFile>,
}

/// CreateChildContainer and GetRootContainer.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerPointerResponse {
    /// The container.
    pub container_pointer: ResourcePointer,
    /// Its CheckContainerInfo.
    pub container_info: CheckContainerInfo,
}

/// GetEcosystem (`Url` of the ecosystem) and GetFileWopiSrc (`Url` of the file).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct UrlResponse {
    /// Absolute URL with `?access_token=`.
    pub url: String,
}

/// CheckEcosystem.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct CheckEcosystem {
    /// Equal to CheckFileInfo's `SupportsContainers`.
    pub supports_containers: bool,
}

/// RenameContainer response.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct RenameContainerResponse {
    /// The new name.
    pub name: String,
}

/// One activity of an AddActivities request, as far as Folio reads it. Everything else in the
/// body is ignored (spec/containers-ecosystem.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Activity {
    /// `Id`, echoed byte for byte (`""` when absent; a non-string is its JSON text).
    pub id: String,
    /// `Type` (`comment`, …).
    pub kind: String,
    /// `Data.ContentAction` (`created`, `updated`, `deleted`).
    pub content_action: Option<String>,
    /// `Data.CommentText`.
    pub comment_text: Option<String>,
    /// `Data.IsReply`.
    pub is_reply: bool,
    /// `People` with `Mentioned: true`: (`Name`, `Id`).
    pub mentioned: Vec<(String, String)>,
}

/// AddActivities status: accepted.
pub const ACTIVITY_ACCEPTED: i32 = 0;
/// AddActivities status: this activity type is not supported.
pub const ACTIVITY_NOT_SUPPORTED: i32 = 3;

/// Parses an AddActivities body leniently: unknown properties at any level, odd timestamps and a
/// missing `Data` are fine; only a body that is not a JSON object with an `Activities` array is
/// refused.
pub fn parse_activities(body: &[u8]) -> Result<Vec<Activity>, crate::WopiError> {
    use serde_json::Value;
    let bad = crate::WopiError::BadRequest("AddActivities body is not an Activities object");
    let v: Value = serde_json::from_slice(body).map_err(|_| bad.clone())?;
    let list = v.get("Activities").and_then(Value::as_array).ok_or(bad)?;
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok(list
        .iter()
        .map(|a| {
            let data = a.get("Data");
            let mentioned = a
                .get("People")
                .and_then(Value::as_array)
                .map(|people| {
                    people
                        .iter()
                        .filter(|p| p.get("Mentioned").and_then(Value::as_bool) == Some(true))
                        .map(|p| {
                            (
                                text(p.get("Name")).unwrap_or_default(),
                                text(p.get("Id")).unwrap_or_default(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            Activity {
                id: text(a.get("Id")).unwrap_or_default(),
                kind: text(a.get("Type")).unwrap_or_default(),
                content_action: text(data.and_then(|d| d.get("ContentAction"))),
                comment_text: text(data.and_then(|d| d.get("CommentText"))),
                is_reply: data.and_then(|d| d.get("IsReply")).and_then(Value::as_bool)
                    == Some(true),
                mentioned,
            }
        })
        .collect())
}

/// One entry of the AddActivities response.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ActivityResponse {
    /// The activity's `Id`, as sent.
    pub id: String,
    /// 0 accepted, 3 not supported.
    pub status: i32,
}

/// AddActivities response: one entry per activity.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AddActivitiesResponse {
    /// In request order.
    pub activity_responses: Vec<ActivityResponse>,
}

/// Formats Unix milliseconds as the ISO 8601 round-trip form WOPI uses
/// (`2009-06-15T13:45:30.0000000Z`); empty outside the years 0–9999. Digits written into one
/// buffer (this is on every CheckFileInfo and PutFile), no `format!`.
pub fn format_wopi_time(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    let Ok(year) = u32::try_from(t.year()) else {
        return String::new();
    };
    if year > 9999 {
        return String::new();
    }
    let mut b = *b"0000-00-00T00:00:00.0000000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, u32::from(u8::from(t.month())));
    put(8, 2, u32::from(t.day()));
    put(11, 2, u32::from(t.hour()));
    put(14, 2, u32::from(t.minute()));
    put(17, 2, u32::from(t.second()));
    put(20, 3, ms as u32);
    b.iter().map(|&c| char::from(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wopi_time_format() {
        assert_eq!(format_wopi_time(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(
            format_wopi_time(1_245_073_530_123),
            "2009-06-15T13:45:30.1230000Z"
        );
        // Every field padded; before 1970; the last instant of year 9999; beyond: empty.
        for (ms, want) in [
            (1_000_000_000_007, "2001-09-09T01:46:40.0070000Z"),
            (-1, "1969-12-31T23:59:59.9990000Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.0000000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.9990000Z"),
            (253_402_300_800_000, ""),
            (i64::MIN, ""),
            (i64::MAX, ""),
        ] {
            assert_eq!(format_wopi_time(ms), want, "{ms}");
        }
    }

    #[test]
    fn activities_are_parsed_leniently() {
        let body = br#"
          {"Activities":[
            {"Type":"comment","Id":"00000002-ABCD-ABCD-ABCD-ABCDEFABCDEF",
             "Timestamp":"2017-03-15T13:47:13000000Z","BonusTopLevelProperty":1,
             "Data":{"ContentId":"c","ContentAction":"created","CommentText":"hi @Bob",
                     "IsReply":false,"BonusProperty":{}},
             "People":[{"Name":"Bob","Id":"111","Provider":"wopi-contoso","Mentioned":true},
                       {"Name":"Al","Id":"{0}","Mentioned":false,"BonusProperty":2}]},
            {"Type":"unsupported","Id":"x"},
            {"Id":7}
          ]}"#;
        let got = parse_activities(body).unwrap_or_default();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].id, "00000002-ABCD-ABCD-ABCD-ABCDEFABCDEF");
        assert_eq!(got[0].kind, "comment");
        assert_eq!(got[0].comment_text.as_deref(), Some("hi @Bob"));
        assert_eq!(got[0].mentioned, vec![("Bob".to_owned(), "111".to_owned())]);
        assert_eq!(got[1].kind, "unsupported");
        assert_eq!(got[1].comment_text, None);
        assert_eq!(got[2].id, "7");
        for bad in [&b"not json"[..], b"[]", b"{}", br#"{"Activities":{}}"#] {
            assert!(parse_activities(bad).is_err());
        }
    }

    #[test]
    fn check_file_info_omits_absent_urls_and_never_sends_null() {
        let cfi = CheckFileInfo {
            base_file_name: "a.docx".into(),
            ..Default::default()
        };
        let json = serde_json::to_string(&cfi).unwrap_or_default();
        assert!(json.contains(r#""BaseFileName":"a.docx""#), "{json}");
        assert!(json.contains(r#""SHA256":"#), "{json}");
        assert!(!json.contains("null"), "{json}");
        assert!(!json.contains("HostEditUrl"), "{json}");
    }
}
