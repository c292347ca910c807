//! The WOPI calls the editor's server side makes to Folio, each signed with proof headers.

use crate::DevEditor;
use crate::util::percent_encode;
use axum::http::StatusCode;
use reqwest::Method;
use reqwest::header::HeaderMap;

/// Largest file the editor asks for (`X-WOPI-MaxExpectedSize`).
pub(crate) const MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// A failed API call: the HTTP status for the page and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl ApiError {
    /// A 400: the page sent something unusable.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// A 502: the WOPI host failed or refused.
    pub(crate) fn bad_gateway(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_GATEWAY,
            message: message.into(),
        }
    }
}

/// One WOPI operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    CheckFileInfo,
    GetFile,
    Lock,
    RefreshLock,
    Unlock,
    PutFile,
}

impl Op {
    /// The operation's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::CheckFileInfo => "CheckFileInfo",
            Op::GetFile => "GetFile",
            Op::Lock => "Lock",
            Op::RefreshLock => "RefreshLock",
            Op::Unlock => "Unlock",
            Op::PutFile => "PutFile",
        }
    }

    /// Method, whether it targets `/contents`, and the `X-WOPI-Override` value.
    fn shape(self) -> (Method, bool, Option<&'static str>) {
        match self {
            Op::CheckFileInfo => (Method::GET, false, None),
            Op::GetFile => (Method::GET, true, None),
            Op::Lock => (Method::POST, false, Some("LOCK")),
            Op::RefreshLock => (Method::POST, false, Some("REFRESH_LOCK")),
            Op::Unlock => (Method::POST, false, Some("UNLOCK")),
            Op::PutFile => (Method::POST, true, Some("PUT")),
        }
    }
}

/// A successful (2xx) WOPI response.
#[derive(Debug)]
pub(crate) struct WopiResponse {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl WopiResponse {
    /// A response header as text (`None` if absent or not visible ASCII).
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        header_text(&self.headers, name)
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

/// Checks that `wopisrc` is a file of the Folio this editor belongs to
/// (`{public_url}/wopi/files/{id}`), so the server never calls other hosts.
pub(crate) fn check_wopisrc(public_url: &str, wopisrc: &str) -> Result<(), ApiError> {
    let id = wopisrc
        .strip_prefix(public_url)
        .and_then(|rest| rest.strip_prefix("/wopi/files/"));
    match id {
        Some(id)
            if !id.is_empty()
                && !id.contains(['/', '?', '#', '\\'])
                && !id.contains(|c: char| c.is_whitespace() || c.is_control()) =>
        {
            Ok(())
        }
        _ => Err(ApiError::bad_request(format!(
            "wopisrc must be a file URL of this Folio ({public_url}/wopi/files/…)"
        ))),
    }
}

/// Explains a non-2xx WOPI response: `"{Op} failed: {status}"`, then who holds the lock (409)
/// and the host's reasons.
pub(crate) fn failure_message(op: Op, status: u16, headers: &HeaderMap) -> String {
    let mut message = format!("{} failed: {status}", op.name());
    if status == 409 {
        match header_text(headers, "X-WOPI-Lock").as_deref() {
            Some("") => message.push_str(", not locked"),
            Some(lock) => {
                message.push_str(", locked by ");
                message.push_str(lock);
            }
            None => {}
        }
        if let Some(reason) =
            header_text(headers, "X-WOPI-LockFailureReason").filter(|r| !r.is_empty())
        {
            message.push_str(" (");
            message.push_str(&reason);
            message.push(')');
        }
    }
    if let Some(error) = header_text(headers, "X-WOPI-ServerError").filter(|e| !e.is_empty()) {
        message.push_str(": ");
        message.push_str(&error);
    }
    message
}

impl DevEditor {
    /// Makes the WOPI call `op` on the file `wopisrc` with `token`, signed with the proof keys;
    /// `lock` goes into `X-WOPI-Lock`, `body` is the PutFile content. Non-2xx statuses become a
    /// 502 [`ApiError`] (see [`failure_message`]).
    pub(crate) async fn wopi_call(
        &self,
        op: Op,
        wopisrc: &str,
        token: &str,
        lock: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<WopiResponse, ApiError> {
        let (method, contents, override_value) = op.shape();
        let path = if contents {
            format!("{wopisrc}/contents")
        } else {
            wopisrc.to_owned()
        };
        let url = reqwest::Url::parse(&format!("{path}?access_token={}", percent_encode(token)))
            .map_err(|_| ApiError::bad_request("wopisrc is not a valid URL"))?;
        // Sign exactly the URL reqwest will send (after its normalisation).
        let mut request = self
            .inner
            .http
            .request(method, url.as_str())
            .bearer_auth(token);
        for (name, value) in self.proof_headers(token, url.as_str()) {
            request = request.header(name, value);
        }
        if let Some(value) = override_value {
            request = request.header("X-WOPI-Override", value);
        }
        if let Some(lock) = lock {
            request = request.header("X-WOPI-Lock", lock);
        }
        if op == Op::GetFile {
            request = request.header("X-WOPI-MaxExpectedSize", MAX_FILE_SIZE.to_string());
        }
        if op == Op::PutFile {
            // Every save of this editor is its Save button: an explicit save, said the way
            // Collabora says it (version retention keeps it).
            request = request.header("X-COOL-WOPI-IsAutosave", "false");
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(body);
        }
        // Logs name the operation and the file, never the token or the full URL.
        let response = request.send().await.map_err(|err| {
            let err = err.without_url();
            tracing::warn!(op = op.name(), wopisrc, error = %err, "WOPI call failed");
            ApiError::bad_gateway(format!(
                "{} failed: could not reach the WOPI host ({err})",
                op.name()
            ))
        })?;
        let status = response.status();
        tracing::debug!(
            op = op.name(),
            wopisrc,
            status = status.as_u16(),
            "WOPI call"
        );
        let headers = response.headers().clone();
        if !status.is_success() {
            let message = failure_message(op, status.as_u16(), &headers);
            tracing::info!(
                op = op.name(),
                wopisrc,
                status = status.as_u16(),
                "WOPI call refused"
            );
            return Err(ApiError::bad_gateway(message));
        }
        let body = response.bytes().await.map_err(|err| {
            ApiError::bad_gateway(format!(
                "{} failed: reading the response ({})",
                op.name(),
                err.without_url()
            ))
        })?;
        Ok(WopiResponse {
            headers,
            body: body.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn wopisrc_must_be_ours() {
        let base = "http://127.0.0.1:8080";
        assert_eq!(
            check_wopisrc(base, "http://127.0.0.1:8080/wopi/files/abc123"),
            Ok(())
        );
        for bad in [
            "http://127.0.0.1:8080/wopi/files/",
            "http://127.0.0.1:8080/wopi/files/a/b",
            "http://127.0.0.1:8080/wopi/files/a?x=1",
            "http://127.0.0.1:8080/wopi/files/a#x",
            "http://127.0.0.1:8080/wopi/containers/a",
            "http://127.0.0.1:80800/wopi/files/a",
            "http://127.0.0.1:8080.evil.example/wopi/files/a",
            "http://evil.example/wopi/files/a",
            "",
        ] {
            let err = check_wopisrc(base, bad).err();
            assert_eq!(
                err.map(|e| e.status),
                Some(StatusCode::BAD_REQUEST),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn failure_messages() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            failure_message(Op::GetFile, 404, &headers),
            "GetFile failed: 404"
        );
        headers.insert("X-WOPI-Lock", HeaderValue::from_static("dev-123"));
        assert_eq!(
            failure_message(Op::Lock, 409, &headers),
            "Lock failed: 409, locked by dev-123"
        );
        headers.insert(
            "X-WOPI-LockFailureReason",
            HeaderValue::from_static("held by Ann"),
        );
        headers.insert("X-WOPI-ServerError", HeaderValue::from_static("conflict"));
        assert_eq!(
            failure_message(Op::Lock, 409, &headers),
            "Lock failed: 409, locked by dev-123 (held by Ann): conflict"
        );
        let mut unlocked = HeaderMap::new();
        unlocked.insert("X-WOPI-Lock", HeaderValue::from_static(""));
        assert_eq!(
            failure_message(Op::Unlock, 409, &unlocked),
            "Unlock failed: 409, not locked"
        );
        assert_eq!(Op::PutFile.shape().2, Some("PUT"));
        assert_eq!(Op::RefreshLock.shape().2, Some("REFRESH_LOCK"));
    }
}
