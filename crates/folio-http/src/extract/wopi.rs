//! The one WOPI request path: [`Wopi`] turns a request to `/wopi/files/{id}[/contents]` into
//! (operation with its parsed headers, principal after the token *and* proof check).
//!
//! Order, for every operation: the `X-WOPI-Override` header is read and the operation parsed;
//! `App::authorize_wopi` checks the token (401/404), then the proof (500) — and only then is a
//! parse failure answered (501), so 401/404 win over 501; then the operation's own headers are
//! parsed (400 for malformed ones). The body is left for the handler.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::{IntoResponse, Response};
use folio_app::Principal;
use folio_app::{PutOptions, RelativeTarget, WopiAuthRequest};
use folio_wopi::lock::LockRequest;
use folio_wopi::operation::{Endpoint, Method, WopiOperation};
use folio_wopi::proof::ProofHeaders;
use folio_wopi::{FileId, LockId, WopiError, utf7};
use serde::Deserialize;

use crate::AppState;
use crate::error::HttpError;
use crate::headers::*;

/// A WOPI operation with the headers it needs, parsed.
#[derive(Debug)]
pub enum WopiCall {
    /// CheckFileInfo.
    CheckFileInfo,
    /// GetFile with `X-WOPI-MaxExpectedSize`.
    GetFile {
        /// `X-WOPI-MaxExpectedSize`.
        max_expected_size: Option<u64>,
    },
    /// PutFile (the declared size is already checked against the limit).
    PutFile {
        /// `X-WOPI-Lock` (absent or empty: none).
        lock: Option<LockId>,
        /// Collabora's save flags and timestamp.
        options: PutOptions,
    },
    /// Lock, Unlock, RefreshLock, UnlockAndRelock.
    Lock(LockRequest),
    /// GetLock.
    GetLock,
    /// PutRelativeFile (the declared size is already checked against the limit).
    PutRelativeFile {
        /// Suggested or exact target.
        target: RelativeTarget,
    },
    /// RenameFile.
    RenameFile {
        /// `X-WOPI-RequestedName`, decoded.
        requested: String,
        /// `X-WOPI-Lock`.
        lock: Option<LockId>,
    },
    /// DeleteFile.
    DeleteFile,
    /// PutUserInfo (the body is the user info).
    PutUserInfo,
    /// GetShareUrl.
    GetShareUrl {
        /// `X-WOPI-UrlType`.
        url_type: Option<String>,
    },
}

/// An authorized WOPI request.
#[derive(Debug)]
pub struct Wopi {
    /// What to do.
    pub call: WopiCall,
    /// Who asks, about which file (token and proof checked).
    pub principal: Principal,
}

/// The query string of a WOPI request. Other parameters (`access_token_ttl`, …) are ignored.
#[derive(Debug, Deserialize)]
struct WopiQuery {
    access_token: Option<String>,
}

impl FromRequestParts<AppState> for Wopi {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let Query(q) = Query::<WopiQuery>::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let h = &parts.headers;
        let result = async {
            let method = match parts.method {
                axum::http::Method::GET | axum::http::Method::HEAD => Method::Get,
                axum::http::Method::POST => Method::Post,
                _ => Method::Other,
            };
            let endpoint = if parts.uri.path().ends_with("/contents") {
                Endpoint::Contents
            } else {
                Endpoint::File
            };
            // Only a POST is selected by its override (a GET ignores the header).
            // Two X-WOPI-Override headers are ambiguous: refused, never resolved to one.
            if h.get_all(&X_WOPI_OVERRIDE).iter().count() > 1 {
                return Err(WopiError::BadRequest("X-WOPI-Override is repeated").into());
            }
            let override_header = match method {
                Method::Post => text(h, &X_WOPI_OVERRIDE)?,
                _ => None,
            };
            let op = WopiOperation::parse(
                method,
                endpoint,
                override_header,
                h.contains_key(X_WOPI_OLD_LOCK),
            );
            let token = token(&q, h);
            let file_id = FileId::parse(&id)?;
            let request = WopiAuthRequest {
                token,
                file_id: &file_id,
                path_and_query: parts.uri.path_and_query().map_or("", |p| p.as_str()),
                proof: ProofHeaders {
                    proof: h.get(X_WOPI_PROOF).and_then(|v| v.to_str().ok()),
                    proof_old: h.get(X_WOPI_PROOF_OLD).and_then(|v| v.to_str().ok()),
                    timestamp: h.get(X_WOPI_TIMESTAMP).and_then(|v| v.to_str().ok()),
                },
            };
            let (op, principal) = s.app.authorize_wopi(op, &request).await?;
            let call = call(op, h, s.app.config().max_file_size)?;
            Ok::<_, HttpError>(Wopi { call, principal })
        };
        result.await.map_err(IntoResponse::into_response)
    }
}

/// The operation's headers, parsed (after authorization).
fn call(op: WopiOperation, h: &HeaderMap, max_file_size: u64) -> Result<WopiCall, WopiError> {
    use WopiOperation as Op;
    Ok(match op {
        Op::CheckFileInfo => WopiCall::CheckFileInfo,
        Op::GetFile => WopiCall::GetFile {
            max_expected_size: match text(h, &X_WOPI_MAX_EXPECTED_SIZE)? {
                None => None,
                Some(v) => Some(
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| WopiError::BadRequest("malformed X-WOPI-MaxExpectedSize"))?,
                ),
            },
        },
        Op::PutFile => {
            check_declared_size(h, max_file_size)?;
            WopiCall::PutFile {
                lock: optional_lock(h)?,
                options: put_options(h)?,
            }
        }
        Op::Lock | Op::Unlock | Op::RefreshLock | Op::UnlockAndRelock => {
            let lock = required_lock(h, &X_WOPI_LOCK)?;
            WopiCall::Lock(match op {
                Op::Lock => LockRequest::Lock(lock),
                Op::Unlock => LockRequest::Unlock(lock),
                Op::RefreshLock => LockRequest::RefreshLock(lock),
                _ => LockRequest::UnlockAndRelock {
                    new: lock,
                    old: required_lock(h, &X_WOPI_OLD_LOCK)?,
                },
            })
        }
        Op::GetLock => WopiCall::GetLock,
        Op::PutRelativeFile => {
            let target = relative_target(h)?;
            check_declared_size(h, max_file_size)?;
            WopiCall::PutRelativeFile { target }
        }
        Op::RenameFile => WopiCall::RenameFile {
            requested: name_header(h, &X_WOPI_REQUESTED_NAME)?
                .ok_or(WopiError::BadRequest("X-WOPI-RequestedName is required"))?,
            lock: optional_lock(h)?,
        },
        Op::DeleteFile => WopiCall::DeleteFile,
        Op::PutUserInfo => WopiCall::PutUserInfo,
        Op::GetShareUrl => WopiCall::GetShareUrl {
            url_type: text(h, &X_WOPI_URL_TYPE)?.map(str::to_owned),
        },
    })
}

/// The token: the `access_token` query parameter, else `Authorization: Bearer`.
fn token<'a>(q: &'a WopiQuery, h: &'a HeaderMap) -> Option<&'a str> {
    q.access_token.as_deref().or_else(|| super::bearer(h))
}

/// A header as text; present but not visible ASCII → 400.
fn text<'a>(h: &'a HeaderMap, name: &HeaderName) -> Result<Option<&'a str>, WopiError> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| WopiError::BadRequest("malformed header")),
    }
}

/// A name header: UTF-7 (or, leniently, raw UTF-8).
fn name_header(h: &HeaderMap, name: &HeaderName) -> Result<Option<String>, WopiError> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => {
            let raw = std::str::from_utf8(v.as_bytes())
                .map_err(|_| WopiError::BadRequest("name header is not UTF-7 or UTF-8"))?;
            utf7::decode(raw)
                .map(Some)
                .map_err(|_| WopiError::BadRequest("name header is not valid UTF-7"))
        }
    }
}

fn required_lock(h: &HeaderMap, name: &HeaderName) -> Result<LockId, WopiError> {
    match text(h, name)? {
        Some(v) => LockId::parse(v),
        None => Err(WopiError::BadRequest("the lock header is missing")),
    }
}

fn optional_lock(h: &HeaderMap) -> Result<Option<LockId>, WopiError> {
    match text(h, &X_WOPI_LOCK)? {
        None | Some("") => Ok(None),
        Some(v) => LockId::parse(v).map(Some),
    }
}

/// Refuses a body whose declared size is over the limit before reading any of it.
fn check_declared_size(h: &HeaderMap, max: u64) -> Result<(), WopiError> {
    for name in [&header::CONTENT_LENGTH, &X_WOPI_SIZE] {
        if let Some(v) = text(h, name)? {
            let n: u64 = v
                .trim()
                .parse()
                .map_err(|_| WopiError::BadRequest("malformed size header"))?;
            if n > max {
                return Err(WopiError::FileTooLarge);
            }
        }
    }
    Ok(())
}

/// A Collabora (`X-COOL-WOPI-*`) or older (`X-LOOL-WOPI-*`) header.
fn cool_header(
    h: &HeaderMap,
    (cool, lool): (HeaderName, HeaderName),
) -> Result<Option<&str>, WopiError> {
    match text(h, &cool)? {
        Some(v) => Ok(Some(v)),
        None => text(h, &lool),
    }
}

fn put_options(h: &HeaderMap) -> Result<PutOptions, WopiError> {
    let flag = |names| -> Result<Option<bool>, WopiError> {
        Ok(cool_header(h, names)?.map(|v| v.eq_ignore_ascii_case("true")))
    };
    let mut flags = Vec::new();
    if flag((X_COOL_WOPI_IS_AUTOSAVE, X_LOOL_WOPI_IS_AUTOSAVE))? == Some(true) {
        flags.push("autosave");
    }
    if flag((X_COOL_WOPI_IS_EXIT_SAVE, X_LOOL_WOPI_IS_EXIT_SAVE))? == Some(true) {
        flags.push("exit save");
    }
    if flag((
        X_COOL_WOPI_IS_MODIFIED_BY_USER,
        X_LOOL_WOPI_IS_MODIFIED_BY_USER,
    ))? == Some(false)
    {
        flags.push("not modified by user");
    }
    Ok(PutOptions {
        expected_modified_time: cool_header(h, (X_COOL_WOPI_TIMESTAMP, X_LOOL_WOPI_TIMESTAMP))?
            .map(str::to_owned),
        flags,
    })
}

/// PutRelativeFile's target: `X-WOPI-SuggestedTarget` xor `X-WOPI-RelativeTarget` (+ overwrite).
fn relative_target(h: &HeaderMap) -> Result<RelativeTarget, WopiError> {
    let suggested = name_header(h, &X_WOPI_SUGGESTED_TARGET)?;
    let relative = name_header(h, &X_WOPI_RELATIVE_TARGET)?;
    match (suggested, relative) {
        (Some(_), Some(_)) => Err(WopiError::Unsupported(
            "both X-WOPI-SuggestedTarget and X-WOPI-RelativeTarget",
        )),
        (Some(sug), None) => Ok(RelativeTarget::Suggested(sug)),
        (None, Some(name)) => {
            let overwrite = match text(h, &X_WOPI_OVERWRITE_RELATIVE_TARGET)? {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) if v.eq_ignore_ascii_case("false") => false,
                Some(_) => {
                    return Err(WopiError::BadRequest(
                        "X-WOPI-OverwriteRelativeTarget is not a Boolean",
                    ));
                }
            };
            Ok(RelativeTarget::Relative { name, overwrite })
        }
        (None, None) => Err(WopiError::BadRequest(
            "X-WOPI-SuggestedTarget or X-WOPI-RelativeTarget is required",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(rows: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in rows {
            h.insert(
                HeaderName::from_static(k),
                axum::http::HeaderValue::from_static(v),
            );
        }
        h
    }

    #[test]
    fn operation_headers_are_parsed_after_authorization() {
        // (operation, headers, expected: Ok(debug prefix) or Err(error))
        let rows: Vec<(WopiOperation, HeaderMap, Result<&str, WopiError>)> = vec![
            (
                WopiOperation::Lock,
                headers(&[("x-wopi-lock", "A")]),
                Ok("Lock(Lock("),
            ),
            (
                WopiOperation::Lock,
                headers(&[]),
                Err(WopiError::BadRequest("the lock header is missing")),
            ),
            (
                WopiOperation::UnlockAndRelock,
                headers(&[("x-wopi-lock", "B"), ("x-wopi-oldlock", "A")]),
                Ok("Lock(UnlockAndRelock"),
            ),
            (
                WopiOperation::PutFile,
                headers(&[("content-length", "11")]),
                Err(WopiError::FileTooLarge),
            ),
            (
                WopiOperation::PutFile,
                headers(&[("x-wopi-lock", ""), ("x-cool-wopi-isautosave", "true")]),
                Ok(
                    "PutFile { lock: None, options: PutOptions { expected_modified_time: None, flags: [\"autosave\"] } }",
                ),
            ),
            (
                WopiOperation::PutRelativeFile,
                headers(&[
                    ("x-wopi-suggestedtarget", ".docx"),
                    ("x-wopi-relativetarget", "a.docx"),
                ]),
                Err(WopiError::Unsupported(
                    "both X-WOPI-SuggestedTarget and X-WOPI-RelativeTarget",
                )),
            ),
            (
                WopiOperation::PutRelativeFile,
                headers(&[
                    ("x-wopi-relativetarget", "a.docx"),
                    ("x-wopi-overwriterelativetarget", "maybe"),
                ]),
                Err(WopiError::BadRequest(
                    "X-WOPI-OverwriteRelativeTarget is not a Boolean",
                )),
            ),
            (
                WopiOperation::RenameFile,
                headers(&[]),
                Err(WopiError::BadRequest("X-WOPI-RequestedName is required")),
            ),
            (
                WopiOperation::GetFile,
                headers(&[("x-wopi-maxexpectedsize", "x")]),
                Err(WopiError::BadRequest("malformed X-WOPI-MaxExpectedSize")),
            ),
        ];
        for (op, h, want) in rows {
            let got = call(op, &h, 10);
            match (got, want) {
                (Ok(c), Ok(prefix)) => {
                    assert!(format!("{c:?}").starts_with(prefix), "{op:?}: {c:?}")
                }
                (Err(e), Err(w)) => assert_eq!(format!("{e:?}"), format!("{w:?}"), "{op:?}"),
                (got, want) => panic!("{op:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
