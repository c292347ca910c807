//! The WOPI surface (`/wopi/*`, `/blob/*`): `AppError` → status, `X-WOPI-*` headers and a short
//! plain-text body. Checked against the WOPI spec row by row; the `http_error_responses` table
//! test at the bottom is the source of truth.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_app::folio_store::StoreError;
use folio_wopi::error::ReportedLock;
use folio_wopi::{WopiError, utf7};

use crate::headers::{
    X_WOPI_CONFLICTING_LOCK_USERNAME, X_WOPI_CONFLICTING_MECHANISM,
    X_WOPI_INVALID_CONTAINER_NAME_ERROR, X_WOPI_INVALID_FILE_NAME_ERROR, X_WOPI_LOCK,
    X_WOPI_LOCK_FAILURE_REASON, X_WOPI_SEQUENCE_NUMBER, X_WOPI_SERVER_ERROR,
    X_WOPI_VALID_RELATIVE_TARGET,
};

/// An error on its way to a WOPI client.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl<E: Into<AppError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

fn header(map: &mut HeaderMap, name: HeaderName, value: &str) {
    // Values we put here are ASCII by construction (lock ids, UTF-7); anything else is dropped
    // rather than panicking.
    if let Ok(v) = HeaderValue::from_str(value) {
        map.insert(name, v);
    }
}

/// `X-WOPI-LockFailureReason` for a lock an administrator released by force.
pub fn released_reason(released_at: i64) -> String {
    format!(
        "lock released by an administrator at {}",
        folio_wopi::wire::format_wopi_time(released_at)
    )
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
                    X_WOPI_LOCK,
                    current.as_ref().map_or("", |l| l.as_str()),
                );
                header(&mut h, X_WOPI_LOCK_FAILURE_REASON, reason);
                StatusCode::CONFLICT
            }
            WopiError::LockReleased {
                current,
                released_at,
            } => {
                header(
                    &mut h,
                    X_WOPI_LOCK,
                    current.as_ref().map_or("", |l| l.as_str()),
                );
                header(
                    &mut h,
                    X_WOPI_LOCK_FAILURE_REASON,
                    &released_reason(*released_at),
                );
                StatusCode::CONFLICT
            }
            WopiError::LargerThanExpected => StatusCode::PRECONDITION_FAILED,
            WopiError::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WopiError::InvalidName { reason, suggestion } => {
                header(&mut h, X_WOPI_INVALID_FILE_NAME_ERROR, reason);
                if let Some(s) = suggestion {
                    header(&mut h, X_WOPI_VALID_RELATIVE_TARGET, &utf7::encode(s));
                }
                StatusCode::BAD_REQUEST
            }
            WopiError::InvalidContainerName { reason } => {
                header(&mut h, X_WOPI_INVALID_CONTAINER_NAME_ERROR, reason);
                StatusCode::BAD_REQUEST
            }
            // DeleteContainer: 409 while children remain.
            WopiError::ContainerNotEmpty => StatusCode::CONFLICT,
            WopiError::NameExists { suggestion } => {
                if let Some(s) = suggestion {
                    header(&mut h, X_WOPI_VALID_RELATIVE_TARGET, &utf7::encode(s));
                }
                StatusCode::CONFLICT
            }
            WopiError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            WopiError::ContentChanged => StatusCode::CONFLICT,
            WopiError::ProofInvalid => {
                header(&mut h, X_WOPI_SERVER_ERROR, "proof key verification failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            WopiError::LockConflict(c) => {
                // CSPP Plus: X-WOPI-Lock is left out while coauth locks hold the file.
                if let ReportedLock::Current(current) = &c.lock {
                    header(
                        &mut h,
                        X_WOPI_LOCK,
                        current.as_ref().map_or("", |l| l.as_str()),
                    );
                }
                if let Some(m) = c.mechanism {
                    header(&mut h, X_WOPI_CONFLICTING_MECHANISM, m.as_str());
                }
                if let Some(user) = &c.lock_user {
                    header(&mut h, X_WOPI_CONFLICTING_LOCK_USERNAME, user);
                }
                header(&mut h, X_WOPI_LOCK_FAILURE_REASON, c.reason);
                StatusCode::CONFLICT
            }
            WopiError::SequenceMismatch { current } => {
                header(&mut h, X_WOPI_SEQUENCE_NUMBER, &current.to_string());
                StatusCode::PRECONDITION_FAILED
            }
        },
        AppError::Store(s) => match s {
            StoreError::NotFound => StatusCode::NOT_FOUND,
            StoreError::AlreadyExists => StatusCode::CONFLICT,
            StoreError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            StoreError::Aborted(_) => StatusCode::BAD_REQUEST,
            StoreError::Unavailable(_) => {
                header(&mut h, X_WOPI_SERVER_ERROR, "storage unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            StoreError::Backend(_) => {
                header(&mut h, X_WOPI_SERVER_ERROR, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        },
        AppError::ProofRejected { .. } => {
            header(&mut h, X_WOPI_SERVER_ERROR, "proof key verification failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        // The refusals of the pages and the API never arise on a WOPI request; they still map to
        // the WOPI rules (a file the user may not touch is 404, never 403).
        AppError::NotFound
        | AppError::Forbidden(_)
        | AppError::LaunchCodeExpired
        | AppError::LinkClosed => StatusCode::NOT_FOUND,
        AppError::InvalidName(_)
        | AppError::UnknownUser { .. }
        | AppError::ShareWithSelf
        | AppError::InvalidLogin
        | AppError::WeakPassword
        | AppError::PasswordsDiffer
        | AppError::LinkExpiryPast
        | AppError::WrongPassword
        | AppError::NotATemplate => StatusCode::BAD_REQUEST,
        AppError::SetupClosed => StatusCode::GONE,
        AppError::NameTaken { .. }
        | AppError::Locked
        | AppError::NotEmpty
        | AppError::MoveIntoItself => StatusCode::CONFLICT,
        AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::BadCredentials | AppError::LaunchRefused(_) => StatusCode::UNAUTHORIZED,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        // OAuth refusals belong to /oauth2/* (error/oauth.rs); never on a WOPI request.
        AppError::OAuthAuthorize(_) | AppError::OAuthToken(_) => StatusCode::BAD_REQUEST,
    };
    let body = match status {
        // PutChunkedFile's stale sequence number: an empty body, the number in the header.
        _ if matches!(err, AppError::Wopi(WopiError::SequenceMismatch { .. })) => "",
        StatusCode::UNAUTHORIZED => "invalid or expired access token\n",
        StatusCode::NOT_FOUND => "file not found\n",
        StatusCode::BAD_REQUEST => "bad request\n",
        StatusCode::CONFLICT => "conflict\n",
        StatusCode::PRECONDITION_FAILED => "file is larger than X-WOPI-MaxExpectedSize\n",
        StatusCode::PAYLOAD_TOO_LARGE => "file is too large\n",
        StatusCode::NOT_IMPLEMENTED => "operation not supported\n",
        StatusCode::SERVICE_UNAVAILABLE => "storage unavailable, try again\n",
        StatusCode::TOO_MANY_REQUESTS => "too many requests\n",
        _ => "internal error\n",
    };
    (status, h, body)
}

/// Collabora's save-conflict answer: 409 with `COOLStatusCode` 1010 (and the older LOOL key).
const CONTENT_CHANGED_BODY: &str = r#"{"COOLStatusCode":1010,"LOOLStatusCode":1010}"#;

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Wopi(WopiError::ContentChanged)) {
            super::log_once("wopi", StatusCode::CONFLICT, &self.0, &self.0);
            return (
                StatusCode::CONFLICT,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                CONTENT_CHANGED_BODY,
            )
                .into_response();
        }
        let (status, headers, body) = parts(&self.0);
        // Logged once here, at the boundary; the client sees a generic body.
        super::log_once("wopi", status, &self.0, &self.0);
        let mut response = (status, headers, body).into_response();
        // Counted by the request layer, which knows the operation.
        let reason = match &self.0 {
            AppError::Wopi(WopiError::LockMismatch { reason, .. }) => Some(*reason),
            AppError::Wopi(WopiError::LockConflict(c)) => Some(c.reason),
            _ => None,
        };
        if let Some(reason) = reason {
            response
                .extensions_mut()
                .insert(crate::middleware::LockConflictReason(reason));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_wopi::LockId;
    use folio_wopi::error::ConflictingMechanism;

    #[test]
    fn content_changed_is_collabora_json() {
        let r = HttpError(WopiError::ContentChanged.into()).into_response();
        assert_eq!(r.status(), 409);
        assert_eq!(r.headers()["content-type"], "application/json");
    }

    fn lock(s: &str) -> Option<LockId> {
        Some(LockId::from_trusted(s.into()))
    }

    fn conflict(
        lock: ReportedLock,
        mechanism: Option<ConflictingMechanism>,
        lock_user: Option<&str>,
    ) -> AppError {
        WopiError::LockConflict(Box::new(folio_wopi::error::LockConflict {
            lock,
            mechanism,
            lock_user: lock_user.map(str::to_owned),
            reason: "r",
        }))
        .into()
    }

    #[test]
    fn http_error_responses() {
        // (error, status, exact extra headers); the body is a short generic line per status.
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
            (
                WopiError::LockReleased {
                    current: None,
                    released_at: 1_245_073_530_123,
                }
                .into(),
                409,
                vec![
                    ("x-wopi-lock", ""),
                    (
                        "x-wopi-lockfailurereason",
                        "lock released by an administrator at 2009-06-15T13:45:30.1230000Z",
                    ),
                ],
            ),
            (
                conflict(ReportedLock::Omit, None, None),
                409,
                vec![("x-wopi-lockfailurereason", "r")],
            ),
            (
                conflict(
                    ReportedLock::Current(lock("L")),
                    Some(ConflictingMechanism::WopiLock),
                    None,
                ),
                409,
                vec![
                    ("x-wopi-lock", "L"),
                    ("x-wopi-conflictingmechanism", "WOPI-Lock"),
                ],
            ),
            (
                conflict(
                    ReportedLock::Omit,
                    Some(ConflictingMechanism::CoauthExclusiveLock),
                    None,
                ),
                409,
                vec![("x-wopi-conflictingmechanism", "WOPI-CoauthExclusiveLock")],
            ),
            (
                conflict(ReportedLock::Current(None), None, Some("Bob")),
                409,
                vec![
                    ("x-wopi-lock", ""),
                    ("x-wopi-conflictinglockusername", "Bob"),
                ],
            ),
            (
                WopiError::SequenceMismatch { current: 7 }.into(),
                412,
                vec![("x-wopi-sequencenumber", "7")],
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
            (
                WopiError::InvalidContainerName {
                    reason: "bad".into(),
                }
                .into(),
                400,
                vec![("x-wopi-invalidcontainernameerror", "bad")],
            ),
            (WopiError::ContainerNotEmpty.into(), 409, vec![]),
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
            (
                AppError::ProofRejected {
                    reason: "secret reason".into(),
                },
                500,
                vec![("x-wopi-servererror", "proof key verification failed")],
            ),
            (AppError::NotFound, 404, vec![]),
            (
                AppError::Forbidden(folio_app::Forbidden::ViewOnlyFile),
                404,
                vec![],
            ),
            (AppError::Locked, 409, vec![]),
            (AppError::TooLarge { limit: 1 }, 413, vec![]),
            (AppError::RateLimited, 429, vec![]),
            (AppError::LinkClosed, 404, vec![]),
            (AppError::LinkExpiryPast, 400, vec![]),
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
            if matches!(err, AppError::Wopi(WopiError::SequenceMismatch { .. })) {
                assert!(body.is_empty(), "a stale sequence number has an empty body");
            } else {
                assert!(
                    body.ends_with('\n') && !body.is_empty(),
                    "{err:?} body {body:?}"
                );
            }
        }
    }
}
