//! WOPI CheckFileInfo, and the self-authorised `FileUrl` it advertises.

use super::*;

/// `IsEduUser` and `LicenseCheckForEditIsEnabled` of a user (see `App::licensing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licensing {
    /// Microsoft 365 education user.
    pub is_edu_user: bool,
    /// Business user: Office checks the license before editing.
    pub license_check_for_edit_is_enabled: bool,
}

impl App {
    /// A self-authorised URL to the current bytes of a file (`FileUrl`), valid for a few
    /// minutes and never beyond the token's own expiry.
    pub fn file_url(&self, id: &FileId, token_expires_at: i64) -> String {
        let exp = (self.now() + self.config.file_url_ttl_ms).min(token_expires_at);
        let exp_text = exp.to_string();
        let sig = self.signed_url_mac_of("fileurl", id, &exp_text);
        [
            self.config.public_url.as_str(),
            "/blob/",
            id.as_str(),
            "?e=",
            &exp_text,
            "&s=",
            &sig,
        ]
        .concat()
    }

    pub(crate) fn file_url_signature(&self, id: &FileId, exp: i64) -> String {
        self.signed_url_mac("fileurl", id, exp)
    }

    /// The signature of a self-authorised URL for `purpose` (`fileurl`, `template`) of file
    /// `id` until `exp`: HMAC-SHA256 with the host secret, hex.
    pub(crate) fn signed_url_mac(&self, purpose: &str, id: &FileId, exp: i64) -> String {
        self.signed_url_mac_of(purpose, id, &exp.to_string())
    }

    /// `signed_url_mac` with `exp` already in decimal: the MAC of `purpose\nid\nexp`, fed in
    /// pieces (no message string is built).
    fn signed_url_mac_of(&self, purpose: &str, id: &FileId, exp: &str) -> String {
        match self.file_url_mac.clone() {
            Some(mut mac) => {
                for part in [purpose, "\n", id.as_str(), "\n", exp] {
                    mac.update(part.as_bytes());
                }
                hex::encode(mac.finalize().into_bytes())
            }
            None => String::new(),
        }
    }

    /// Whether `sig` signs (`purpose`, `id`, `exp`) and `exp` is still ahead (constant-time
    /// comparison).
    pub(crate) fn signed_url_valid(&self, purpose: &str, id: &FileId, exp: i64, sig: &str) -> bool {
        let expected = self.signed_url_mac(purpose, id, exp);
        !expected.is_empty()
            && expected.len() == sig.len()
            && expected
                .bytes()
                .zip(sig.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
            && exp > self.now()
    }

    /// Serves a `FileUrl`: checks its signature and expiry, then streams the current bytes.
    pub async fn get_file_by_url(
        &self,
        id: &FileId,
        exp: i64,
        sig: &str,
    ) -> Result<FileContent, AppError> {
        let expected = self.file_url_signature(id, exp);
        let valid = !expected.is_empty()
            && expected.len() == sig.len()
            && expected
                .bytes()
                .zip(sig.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !valid || exp <= self.now() {
            return Err(WopiError::InvalidToken.into());
        }
        let file = self.meta.file(id).await?.ok_or(WopiError::FileNotFound)?;
        self.stream(file).await
    }

    /// The user's Microsoft 365 licensing flags (`IsEduUser`, `LicenseCheckForEditIsEnabled`):
    /// derived from the user alone, so a file and every container report the same values
    /// (Office mobile requires a file's values to equal its parent's).
    pub fn licensing(&self, _user: &UserRecord) -> Licensing {
        Licensing {
            is_edu_user: false,
            license_check_for_edit_is_enabled: false,
        }
    }

    /// WOPI CheckFileInfo, shaped for the client the token was minted for (docs/CLIENTS.md).
    pub async fn check_file_info(&self, p: &Principal) -> Result<CheckFileInfo, AppError> {
        let f = &p.file;
        let (_, ext) = naming::split_ext(&f.name);
        let kind = match &p.token.client {
            Some(c) => self.editors.kind_of(c).await,
            None => None,
        };
        let can_write = p.can_write();
        let licensing = self.licensing(&p.user);
        // People who came through the integration API return to the application on Close;
        // others to the folder, or to "Shared with me" when the folder is not theirs to see.
        // A guest (public link) has no folders, versions page or downloads to go to: the
        // closing page of the link is all there is.
        let guest = p.link.is_some();
        // Where Close goes: the session's own close URL, else the folder (no read when the
        // folder is the user's own: `Principal::folder_is_users`).
        let session_close = match &p.token.session_id {
            Some(sid) => self.meta.wopi_session(sid).await?.and_then(|s| s.close_url),
            None => None,
        };
        let close_url = match session_close {
            Some(u) => u,
            None if guest => [self.config.public_url.as_str(), "/s/closed"].concat(),
            None if p.folder_is_users => self.folder_url(&f.folder_id),
            None => [
                self.config.public_url.as_str(),
                &self.back_to_folder(&p.user, &f.folder_id).await?,
            ]
            .concat(),
        };
        let mut info = CheckFileInfo::default();
        match kind {
            Some(EditorKind::Collabora) => {
                // Collabora extensions (CollaboraOnline/online wsd/wopi/WopiStorage.cpp).
                info.enable_owner_termination = Some(false);
                info.enable_insert_remote_image = Some(false);
                info.disable_export = Some(false);
                info.disable_copy = Some(false);
                info.hide_print_option = Some(false);
                info.hide_save_option = Some(false);
                info.hide_export_option = Some(false);
                info.user_extra_info = Some(wire::UserExtraInfo {
                    mail: p.user.email.clone(),
                });
                // A new document made from an organisation template: Collabora fetches the
                // template and saves the document with PutFile (only while the file is empty).
                info.template_source = self.template_source(f, p.token.expires_at).await?;
            }
            Some(EditorKind::OnlyOffice) => {
                info.supports_reviewing = Some(false);
                info.user_can_review = Some(false);
                info.enable_insert_remote_image = Some(false);
            }
            _ => {}
        }
        // CSPP Plus: all eight properties or none (spec/cspp-plus.md §1), only for an editor
        // enrolled in it.
        let plus = match p.token.client.as_deref() {
            Some(c) => self.editors.cspp_plus_of(c).await,
            None => None,
        };
        if let Some(plus) = plus {
            let shared = p.role != Role::Owner || self.meta.file_is_shared(&f.id).await?;
            info.supports_coauth = Some(true);
            info.sequence_number = Some(f.sequence);
            info.office_collaboration_service_endpoint_url = Some(plus.collaboration_url);
            info.real_time_channel_endpoint_url = Some(plus.realtime_url);
            info.access_token_expiry = Some(p.token.expires_at);
            info.server_time = Some(self.now());
            info.sharing_status = Some(if shared { "Shared" } else { "Private" });
            info.file_geo_location_code = Some(plus.geo_location_code);
        }
        Ok(CheckFileInfo {
            base_file_name: f.name.clone(),
            owner_id: f.owner_id.clone(),
            size: f.content.size,
            user_id: p.user.id.clone(),
            version: f.version.to_string(),
            file_extension: ext.to_owned(),
            file_name_max_length: naming::MAX_NAME_LEN as u32,
            last_modified_time: wire::format_wopi_time(f.content.created_at),
            sha256: b64(&f.content.sha256),
            user_friendly_name: p.user.name.clone(),
            user_info: p.user.user_info.clone(),
            is_anonymous_user: guest,
            is_edu_user: licensing.is_edu_user,
            license_check_for_edit_is_enabled: licensing.license_check_for_edit_is_enabled,
            supports_locks: true,
            supports_get_lock: true,
            supports_extended_lock_length: true,
            supports_update: true,
            supports_rename: !guest,
            supports_delete_file: !guest,
            supports_user_info: !guest,
            supports_containers: !guest,
            supports_ecosystem: !guest,
            supports_get_file_wopi_src: !guest,
            supports_add_activities: !guest,
            supported_share_url_types: if guest {
                Vec::new()
            } else {
                vec!["ReadOnly".into(), "ReadWrite".into()]
            },
            user_can_write: can_write,
            user_can_rename: can_write && !guest,
            user_can_not_write_relative: !can_write || guest,
            read_only: !can_write,
            web_editing_disabled: false,
            host_view_url: (!guest).then(|| self.host_page_url(&f.id, "view")),
            host_edit_url: (can_write && !guest).then(|| self.host_page_url(&f.id, "edit")),
            close_url: Some(close_url),
            download_url: (!guest).then(|| self.download_url(&f.id)),
            file_version_url: (!guest).then(|| self.versions_url(&f.id)),
            file_sharing_url: (p.role == Role::Owner).then(|| self.share_url_page(&f.id)),
            file_url: (kind != Some(EditorKind::OnlyOffice))
                .then(|| self.file_url(&f.id, p.token.expires_at)),
            breadcrumb_brand_name: "Folio".into(),
            breadcrumb_brand_url: Some([self.config.public_url.as_str(), "/"].concat()),
            breadcrumb_doc_name: f.name.clone(),
            // A guest never learns the names of the owner's folders.
            breadcrumb_folder_name: match (guest, &f.folder_name) {
                (true, _) => "Shared link".to_owned(),
                (false, Some(name)) => name.clone(),
                (false, None) => "My files".to_owned(),
            },
            breadcrumb_folder_url: (!guest).then(|| self.folder_url(&f.folder_id)),
            // The host page (routes/ui/host_page) handles exactly these messages.
            post_message_origin: Some(self.public_origin()),
            close_post_message: true,
            edit_mode_post_message: can_write,
            file_sharing_post_message: p.role == Role::Owner,
            file_version_post_message: !guest,
            edit_notification_post_message: true,
            ..info
        })
    }
}

impl App {
    /// HMAC-SHA256 (hex) of `message` under the host secret that also signs `FileUrl`s (each
    /// use prefixes its own context word, so no signature passes for another kind). `None`
    /// without a key.
    pub(crate) fn host_mac(&self, message: &str) -> Option<String> {
        let mut mac = self.file_url_mac.clone()?;
        mac.update(message.as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }
}
