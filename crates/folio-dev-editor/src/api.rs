//! The JSON API used by the editor page: `api/open`, `api/save`, `api/close`, and
//! `rotate-keys`.

use crate::office::{self, OfficeEdit};
use crate::util::random_hex;
use crate::wopi::{ApiError, Op, check_wopisrc};
use crate::{DEV_REQUEST_HEADER, DevEditor};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

/// Which action the page was opened for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Mode {
    #[default]
    View,
    Edit,
}

/// `POST api/open` body.
#[derive(Debug, Deserialize)]
pub(crate) struct OpenRequest {
    wopisrc: String,
    access_token: String,
    #[serde(default)]
    mode: Mode,
}

/// `POST api/open` answer.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct OpenResponse {
    name: String,
    version: String,
    size: u64,
    /// The content when it is UTF-8 text (no NUL bytes); `None` for binary content.
    text: Option<String>,
    editable: bool,
    lock: Option<String>,
    post_message_origin: String,
    user_can_write: bool,
    /// A Word, Excel or PowerPoint document's content (see `office::content_json`).
    office: Option<Value>,
    /// Why an Office document could not be read (it is then view only).
    office_error: Option<String>,
}

/// `POST api/save` body.
#[derive(Debug, Deserialize)]
pub(crate) struct SaveRequest {
    wopisrc: String,
    access_token: String,
    #[serde(default)]
    lock: Option<String>,
    /// The new content of a text file.
    #[serde(default)]
    text: Option<String>,
    /// The changes to a Word, Excel or PowerPoint document.
    #[serde(default)]
    office: Option<OfficeEdit>,
    /// The version the page edited (Office documents): the save is refused if the file is at
    /// another one.
    #[serde(default)]
    version: Option<String>,
}

/// `POST api/close` body.
#[derive(Debug, Deserialize)]
pub(crate) struct CloseRequest {
    wopisrc: String,
    access_token: String,
    #[serde(default)]
    lock: Option<String>,
}

/// Unwraps a JSON body, turning a rejection into a JSON 400.
fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload
        .map(|Json(value)| value)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
}

impl DevEditor {
    /// Checks the file URL and token sent by the page.
    fn check_target(&self, wopisrc: &str, token: &str) -> Result<(), ApiError> {
        if token.is_empty() || token.contains(|c: char| c.is_control()) {
            return Err(ApiError::bad_request("missing or invalid access_token"));
        }
        check_wopisrc(&self.inner.public_url, wopisrc)
    }
}

/// The lock id sent by the page, if it is a usable one.
fn lock_of(lock: Option<&str>) -> Result<Option<&str>, ApiError> {
    match lock {
        None | Some("") => Ok(None),
        Some(lock) if lock.len() <= 1024 && lock.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(lock))
        }
        Some(_) => Err(ApiError::bad_request("invalid lock id")),
    }
}

/// A CheckFileInfo string or number property as text.
fn text_property(info: &Value, name: &str) -> Option<String> {
    match info.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `POST api/open`: CheckFileInfo, GetFile and, to edit, Lock.
pub(crate) async fn open(
    State(dev): State<DevEditor>,
    payload: Result<Json<OpenRequest>, JsonRejection>,
) -> Result<Json<OpenResponse>, ApiError> {
    let request = body(payload)?;
    let (wopisrc, token) = (request.wopisrc.as_str(), request.access_token.as_str());
    dev.check_target(wopisrc, token)?;

    let info = dev.check_file_info(wopisrc, token).await?;
    let name = text_property(&info, "BaseFileName")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_gateway("CheckFileInfo failed: no BaseFileName"))?;
    let user_can_write = info.get("UserCanWrite").and_then(Value::as_bool) == Some(true);
    let post_message_origin = text_property(&info, "PostMessageOrigin").unwrap_or_default();

    let file = dev
        .wopi_call(Op::GetFile, wopisrc, token, None, None)
        .await?;
    let version = file
        .header("X-WOPI-ItemVersion")
        .filter(|v| !v.is_empty())
        .or_else(|| text_property(&info, "Version"))
        .unwrap_or_default();
    let size = info
        .get("Size")
        .and_then(Value::as_u64)
        .unwrap_or(u64::try_from(file.body.len()).unwrap_or(u64::MAX));
    let (mut text, mut office, mut office_error) = (None, None, None);
    match office::kind_of(&name) {
        Some(kind) => {
            let bytes = office::bytes_or_blank(kind, file.body);
            match folio_ooxml::edit::read(kind, &bytes) {
                Ok(content) => office = Some(office::content_json(kind, &content)),
                Err(err) => office_error = Some(err.to_string()),
            }
        }
        None => {
            text = String::from_utf8(file.body)
                .ok()
                .filter(|text| !text.contains('\0'));
        }
    }
    let lock =
        if request.mode == Mode::Edit && user_can_write && (text.is_some() || office.is_some()) {
            let lock = format!("dev-{}", random_hex(16));
            dev.wopi_call(Op::Lock, wopisrc, token, Some(&lock), None)
                .await?;
            Some(lock)
        } else {
            None
        };
    Ok(Json(OpenResponse {
        name,
        version,
        size,
        text,
        editable: lock.is_some(),
        lock,
        post_message_origin,
        user_can_write,
        office,
        office_error,
    }))
}

/// `POST api/save`: PutFile, then RefreshLock. Answers `{version}` (and `warning` if the
/// content was saved but the lock could not be refreshed).
pub(crate) async fn save(
    State(dev): State<DevEditor>,
    payload: Result<Json<SaveRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let request = body(payload)?;
    let (wopisrc, token) = (request.wopisrc.as_str(), request.access_token.as_str());
    dev.check_target(wopisrc, token)?;
    let lock = lock_of(request.lock.as_deref())?;
    let (body, content) = match (request.text, request.office) {
        (Some(text), None) => (text.into_bytes(), None),
        (None, Some(edit)) => {
            let (bytes, content) = dev
                .edited_document(wopisrc, token, request.version.as_deref(), edit)
                .await?;
            (bytes, Some(content))
        }
        _ => return Err(ApiError::bad_request("send either text or office")),
    };
    let size = body.len();
    let put = dev
        .wopi_call(Op::PutFile, wopisrc, token, lock, Some(body))
        .await?;
    let version = put.header("X-WOPI-ItemVersion").filter(|v| !v.is_empty());
    let mut answer = json!({ "version": version, "size": size });
    if let Some(content) = content {
        answer["office"] = content;
    }
    if let Some(lock) = lock
        && let Err(err) = dev
            .wopi_call(Op::RefreshLock, wopisrc, token, Some(lock), None)
            .await
    {
        answer["warning"] = Value::String(err.message);
    }
    Ok(Json(answer))
}

impl DevEditor {
    /// CheckFileInfo as JSON (a non-JSON answer is a 502).
    async fn check_file_info(&self, wopisrc: &str, token: &str) -> Result<Value, ApiError> {
        let info = self
            .wopi_call(Op::CheckFileInfo, wopisrc, token, None, None)
            .await?;
        serde_json::from_slice(&info.body).map_err(|err| {
            ApiError::bad_gateway(format!(
                "CheckFileInfo failed: response is not JSON ({err})"
            ))
        })
    }

    /// The current document with the page's edit applied: CheckFileInfo for its name, GetFile
    /// for its bytes (refused with 409 when it is no longer at the version the page edited).
    async fn edited_document(
        &self,
        wopisrc: &str,
        token: &str,
        edited_version: Option<&str>,
        edit: OfficeEdit,
    ) -> Result<(Vec<u8>, Value), ApiError> {
        let info = self.check_file_info(wopisrc, token).await?;
        let name = text_property(&info, "BaseFileName").unwrap_or_default();
        let kind = office::kind_of(&name).ok_or_else(|| {
            ApiError::bad_request(format!("{name} is not a Word, Excel or PowerPoint file"))
        })?;
        let edit = edit.into_edit(kind)?;
        let file = self
            .wopi_call(Op::GetFile, wopisrc, token, None, None)
            .await?;
        let current = file.header("X-WOPI-ItemVersion").unwrap_or_default();
        if let Some(edited) = edited_version.filter(|v| !v.is_empty())
            && !current.is_empty()
            && current != edited
        {
            return Err(ApiError {
                status: StatusCode::CONFLICT,
                message: format!(
                    "the document changed since it was opened (version {edited}, now {current}); close and reopen it"
                ),
            });
        }
        let bytes = office::bytes_or_blank(kind, file.body);
        office::apply(kind, &bytes, &edit)
    }
}

/// `POST api/close`: Unlock when the page holds a lock.
pub(crate) async fn close(
    State(dev): State<DevEditor>,
    payload: Result<Json<CloseRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let request = body(payload)?;
    let (wopisrc, token) = (request.wopisrc.as_str(), request.access_token.as_str());
    dev.check_target(wopisrc, token)?;
    if let Some(lock) = lock_of(request.lock.as_deref())? {
        dev.wopi_call(Op::Unlock, wopisrc, token, Some(lock), None)
            .await?;
    }
    Ok(Json(json!({})))
}

/// Why a `rotate-keys` request is refused, if it is: it must carry [`DEV_REQUEST_HEADER`]`: 1`
/// (a header a cross-site form or a "simple" cross-origin request cannot send) and, when the
/// browser names an `Origin`, it must be Folio's own.
fn cross_site_refusal(dev: &DevEditor, headers: &HeaderMap) -> Option<&'static str> {
    let marked = headers
        .get(DEV_REQUEST_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "1");
    if !marked {
        return Some("rotate-keys needs the header X-Folio-Dev: 1");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = folio_wopi::discovery::url_origin(&dev.inner.public_url);
        let same = origin
            .to_str()
            .ok()
            .zip(own.as_deref())
            .is_some_and(|(origin, own)| origin.eq_ignore_ascii_case(own));
        if !same {
            return Some("rotate-keys accepts same-origin requests only");
        }
    }
    None
}

/// `POST rotate-keys`: a development aid that simulates an editor rotating its proof keys.
/// Refused (403) unless it is a deliberate same-origin call ([`cross_site_refusal`]).
pub(crate) async fn rotate_keys(State(dev): State<DevEditor>, headers: HeaderMap) -> Response {
    if let Some(why) = cross_site_refusal(&dev, &headers) {
        tracing::warn!(reason = why, "development editor key rotation refused");
        return (StatusCode::FORBIDDEN, Json(json!({ "error": why }))).into_response();
    }
    match dev.rotate_keys().await {
        Ok(()) => Json(json!({})).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rotating the development editor keys failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": format!("key rotation failed: {err}") })),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids() {
        assert_eq!(lock_of(None), Ok(None));
        assert_eq!(lock_of(Some("")), Ok(None));
        assert_eq!(lock_of(Some("dev-1")), Ok(Some("dev-1")));
        assert!(lock_of(Some("a b")).is_err());
        assert!(lock_of(Some("a\nb")).is_err());
        assert!(lock_of(Some(&"x".repeat(1025))).is_err());
    }

    #[test]
    fn properties() {
        let info = json!({"Version": 7, "Name": "x", "Flag": true});
        assert_eq!(text_property(&info, "Version").as_deref(), Some("7"));
        assert_eq!(text_property(&info, "Name").as_deref(), Some("x"));
        assert_eq!(text_property(&info, "Flag"), None);
        assert_eq!(text_property(&info, "Missing"), None);
    }
}
