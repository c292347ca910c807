//! THE mapping from `AppError` to HTTP: status, `X-WOPI-*` headers, body. Nothing else in Folio
//! chooses an error status. The table test at the bottom is the source of truth.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_app::folio_store::StoreError;
use folio_wopi::{WopiError, headers, utf7};

/// An error on its way to the client.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl<E: Into<AppError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

fn header(map: &mut HeaderMap, name: &'static str, value: &str) {
    // Values we put here are ASCII by construction (lock ids, UTF-7); anything else is dropped
    // rather than panicking.
    if let Ok(v) = HeaderValue::from_str(value) {
        map.insert(HeaderName::from_static(lower(name)), v);
    }
}

fn lower(name: &'static str) -> &'static str {
    match name {
        headers::LOCK => "x-wopi-lock",
        headers::LOCK_FAILURE_REASON => "x-wopi-lockfailurereason",
        headers::VALID_RELATIVE_TARGET => "x-wopi-validrelativetarget",
        headers::INVALID_FILE_NAME_ERROR => "x-wopi-invalidfilenameerror",
        headers::SERVER_ERROR => "x-wopi-servererror",
        _ => "x-wopi-unknown",
    }
}

/// Status, headers and a short plain-text body for an error. Internal details never leave.
pub fn parts(err: &AppError) -> (StatusCode, HeaderMap, &'static str) {
    let mut h = HeaderMap::new();
    let status = match err {
        AppError::Wopi(w) => match w {
            WopiError::InvalidToken => StatusCode::UNAUTHORIZED,
            WopiError::FileNotFound | WopiError::NotPermitted => StatusCode::NOT_FOUND,
            WopiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WopiError::LockMismatch { current, reason } => {
                // WOPI: every 409 lock conflict carries the current lock, "" when none.
                header(
                    &mut h,
                    headers::LOCK,
                    current.as_ref().map_or("", |l| l.as_str()),
                );
                header(&mut h, headers::LOCK_FAILURE_REASON, reason);
                StatusCode::CONFLICT
            }
            WopiError::LargerThanExpected => StatusCode::PRECONDITION_FAILED,
            WopiError::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WopiError::InvalidName { reason, suggestion } => {
                header(&mut h, headers::INVALID_FILE_NAME_ERROR, reason);
                if let Some(s) = suggestion {
                    header(&mut h, headers::VALID_RELATIVE_TARGET, &utf7::encode(s));
                }
                StatusCode::BAD_REQUEST
            }
            WopiError::NameExists { suggestion } => {
                if let Some(s) = suggestion {
                    header(&mut h, headers::VALID_RELATIVE_TARGET, &utf7::encode(s));
                }
                StatusCode::CONFLICT
            }
            WopiError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            WopiError::ContentChanged => StatusCode::CONFLICT,
            WopiError::ProofInvalid => {
                header(
                    &mut h,
                    headers::SERVER_ERROR,
                    "proof key verification failed",
                );
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
        AppError::Store(s) => match s {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::AlreadyExists => StatusCode::CONFLICT,
            StoreError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            StoreError::Aborted(_) => StatusCode::BAD_REQUEST,
            StoreError::Unavailable(_) => {
                header(&mut h, headers::SERVER_ERROR, "storage unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            StoreError::Backend(_) => {
                header(&mut h, headers::SERVER_ERROR, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
    };
    let body = match status {
        StatusCode::UNAUTHORIZED => "invalid or expired access token\n",
        StatusCode::NOT_FOUND => "file not found\n",
        StatusCode::BAD_REQUEST => "bad request\n",
        StatusCode::CONFLICT => "conflict\n",
        StatusCode::PRECONDITION_FAILED => "file is larger than X-WOPI-MaxExpectedSize\n",
        StatusCode::PAYLOAD_TOO_LARGE => "file is too large\n",
        StatusCode::NOT_IMPLEMENTED => "operation not supported\n",
        StatusCode::SERVICE_UNAVAILABLE => "storage unavailable, try again\n",
        _ => "internal error\n",
    };
    (status, h, body)
}

/// Collabora's save-conflict answer: 409 with `COOLStatusCode` 1010 (and the older LOOL key).
const CONTENT_CHANGED_BODY: &str = r#"{"COOLStatusCode":1010,"LOOLStatusCode":1010}"#;

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Wopi(WopiError::ContentChanged)) {
            tracing::info!(
                status = 409,
                "PutFile refused: the file changed underneath the client"
            );
            return (
                StatusCode::CONFLICT,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                CONTENT_CHANGED_BODY,
            )
                .into_response();
        }
        let (status, headers, body) = parts(&self.0);
        if status.is_server_error() {
            // Logged once here, at the boundary; the client sees a generic body.
            tracing::error!(error = %self.0, error.debug = ?self.0, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), error = %self.0, "request refused");
        }
        (status, headers, body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_wopi::LockId;

    fn lock(s: &str) -> Option<LockId> {
        Some(LockId::from_trusted(s.into()))
    }

    #[test]
    fn http_error_responses() {
        type Row = (AppError, u16, Vec<(&'static str, &'static str)>);
        let rows: Vec<Row> = vec![
            (WopiError::InvalidToken.into(), 401, vec![]),
            (WopiError::FileNotFound.into(), 404, vec![]),
            (WopiError::NotPermitted.into(), 404, vec![]),
            (WopiError::BadRequest("x").into(), 400, vec![]),
            (
                WopiError::LockMismatch {
                    current: lock("abc"),
                    reason: "r",
                }
                .into(),
                409,
                vec![("x-wopi-lock", "abc"), ("x-wopi-lockfailurereason", "r")],
            ),
            (
                WopiError::LockMismatch {
                    current: None,
                    reason: "r",
                }
                .into(),
                409,
                vec![("x-wopi-lock", "")],
            ),
            (WopiError::LargerThanExpected.into(), 412, vec![]),
            (WopiError::FileTooLarge.into(), 413, vec![]),
            (
                WopiError::InvalidName {
                    reason: "bad".into(),
                    suggestion: Some("a_b.docx".into()),
                }
                .into(),
                400,
                vec![
                    ("x-wopi-invalidfilenameerror", "bad"),
                    ("x-wopi-validrelativetarget", "a+AF8-b.docx"),
                ],
            ),
            (
                WopiError::NameExists {
                    suggestion: Some("a (1).docx".into()),
                }
                .into(),
                409,
                vec![("x-wopi-validrelativetarget", "a (1).docx")],
            ),
            (WopiError::Unsupported("x").into(), 501, vec![]),
            (WopiError::ContentChanged.into(), 409, vec![]),
            (
                WopiError::ProofInvalid.into(),
                500,
                vec![("x-wopi-servererror", "proof key verification failed")],
            ),
            (StoreError::NotFound.into(), 404, vec![]),
            (StoreError::TooLarge { limit: 1 }.into(), 413, vec![]),
            (StoreError::Aborted("x".into()).into(), 400, vec![]),
            (
                StoreError::Unavailable("db down".into()).into(),
                503,
                vec![("x-wopi-servererror", "storage unavailable")],
            ),
            (
                StoreError::Backend("secret detail".into()).into(),
                500,
                vec![("x-wopi-servererror", "internal error")],
            ),
        ];
        for (err, status, want_headers) in rows {
            let (s, h, body) = parts(&err);
            assert_eq!(s.as_u16(), status, "{err:?}");
            for (name, value) in &want_headers {
                assert_eq!(
                    h.get(*name).and_then(|v| v.to_str().ok()),
                    Some(*value),
                    "{err:?} header {name}"
                );
            }
            if want_headers.is_empty() {
                assert!(h.is_empty(), "{err:?} sends no extra headers: {h:?}");
            }
            assert!(
                !body.contains("secret"),
                "internal text never reaches the client"
            );
        }
    }
}
