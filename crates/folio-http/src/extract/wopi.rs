//! The one WOPI request path: [`Wopi`] turns a request to any WOPI endpoint — files
//! (`/wopi/files/{id}[/contents|/ancestry|/ecosystem_pointer]`), containers
//! (`/wopi/containers/{id}[/children|/ancestry|/ecosystem_pointer]`) and the ecosystem
//! (`/wopi/ecosystem[/root_container_pointer]`) — into (operation with its parsed headers,
//! principal of the URL's kind of resource after the token *and* proof check).
//!
//! Order, for every operation: the `X-WOPI-Override` header is read and the operation parsed;
//! `App::authorize_wopi` checks the token (401/404), then the proof (500) — and only then is a
//! parse failure answered (501), so 401/404 win over 501; then the operation's own headers are
//! parsed (400 for malformed ones). The body is left for the handler.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::{IntoResponse, Response};
use folio_app::{
    Authorized, ChunkedUpload, ContainerPrincipal, ContainerTarget, EcosystemPrincipal, Principal,
    PutOptions, RelativeTarget, WopiAuthRequest, WopiResource,
};
use folio_wopi::coauth::{self, CoauthLockType};
use folio_wopi::lock::LockRequest;
use folio_wopi::operation::{Endpoint, Method, ResourceKind, WopiOperation};
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
    Lock {
        /// What to do.
        request: LockRequest,
        /// `X-WOPI-LockExpirationTimeout`, in ms.
        ttl_ms: Option<i64>,
        /// `X-WOPI-LockUserVisible: true`.
        user_visible: bool,
    },
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
        /// `X-WOPI-CoauthLockId` (empty: none).
        coauth_id: Option<String>,
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
    /// AddActivities (the body is the activities).
    AddActivities,
    /// EnumerateAncestors (files).
    EnumerateAncestors,
    /// GetEcosystem (files).
    GetEcosystem,
    /// CSPP Plus GetCoauthLock (the body may carry the metadata).
    GetCoauthLock {
        /// `X-WOPI-CoauthLockId`.
        id: String,
        /// `X-WOPI-CoauthLockType`.
        kind: CoauthLockType,
        /// `X-WOPI-CoauthLockExpirationTimeout`, in ms.
        timeout_ms: i64,
        /// `X-WOPI-CoauthLockMetadata`.
        metadata: Option<String>,
    },
    /// CSPP Plus RefreshCoauthLock (the body may carry the metadata).
    RefreshCoauthLock {
        /// `X-WOPI-CoauthLockId`.
        id: String,
        /// `X-WOPI-CoauthLockExpirationTimeout`, in ms.
        timeout_ms: i64,
        /// `X-WOPI-CoauthLockMetadata`.
        metadata: Option<String>,
    },
    /// CSPP Plus UnlockCoauthLock.
    UnlockCoauthLock {
        /// `X-WOPI-CoauthLockId`.
        id: String,
    },
    /// CSPP Plus GetCoauthTable.
    GetCoauthTable {
        /// `X-WOPI-CoauthTableVersion` the client has (empty: none).
        version: Option<String>,
    },
    /// CSPP Plus GetSequenceNumber.
    GetSequenceNumber,
    /// CSPP Plus GetChunkedFile (the body is the request frames).
    GetChunkedFile,
    /// CSPP Plus PutChunkedFile (the body is the frames).
    PutChunkedFile(ChunkedUpload),
}

/// A container operation with the headers it needs, parsed.
#[derive(Debug)]
pub enum ContainerCall {
    /// CheckContainerInfo.
    CheckContainerInfo,
    /// EnumerateChildren.
    EnumerateChildren {
        /// `X-WOPI-FileExtensionFilterList`, split (`None` or empty: every file).
        filter: Option<Vec<String>>,
    },
    /// EnumerateAncestors (containers).
    EnumerateAncestors,
    /// GetEcosystem (containers).
    GetEcosystem,
    /// CreateChildContainer.
    CreateChildContainer {
        /// Suggested or exact name.
        target: ContainerTarget,
    },
    /// CreateChildFile.
    CreateChildFile {
        /// Suggested or exact name (+ overwrite).
        target: RelativeTarget,
    },
    /// DeleteContainer.
    DeleteContainer,
    /// RenameContainer.
    RenameContainer {
        /// `X-WOPI-RequestedName`, decoded.
        requested: String,
    },
    /// GetShareUrl (containers).
    GetShareUrl {
        /// `X-WOPI-UrlType`.
        url_type: Option<String>,
    },
}

/// An ecosystem operation with the headers it needs, parsed.
#[derive(Debug)]
pub enum EcosystemCall {
    /// CheckEcosystem.
    CheckEcosystem,
    /// GetRootContainer.
    GetRootContainer,
    /// GetFileWopiSrc.
    GetFileWopiSrc {
        /// `X-WOPI-HostNativeFileName`.
        host_native_file_name: Option<String>,
    },
}

/// An authorized WOPI request: the call and the principal of its kind of resource.
#[derive(Debug)]
pub enum Wopi {
    /// A file URL.
    File {
        /// What to do.
        call: WopiCall,
        /// Who asks, about which file (token and proof checked); boxed, it is the large one.
        principal: Box<Principal>,
    },
    /// A container URL.
    Container {
        /// What to do.
        call: ContainerCall,
        /// Who asks, about which folder (token and proof checked).
        principal: ContainerPrincipal,
    },
    /// An ecosystem URL.
    Ecosystem {
        /// What to do.
        call: EcosystemCall,
        /// Who asks (token and proof checked).
        principal: EcosystemPrincipal,
    },
}

/// The query string of a WOPI request. Other parameters (`access_token_ttl`, …) are ignored.
#[derive(Debug, Deserialize)]
struct WopiQuery {
    access_token: Option<String>,
}

impl FromRequestParts<AppState> for Wopi {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
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
            let (endpoint, id) = Endpoint::from_path(parts.uri.path())
                .ok_or(WopiError::Unsupported("endpoint not implemented"))?;
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
            let file_id;
            let resource = match (endpoint.resource(), id) {
                (ResourceKind::File, Some(id)) => {
                    file_id = FileId::parse(id)?;
                    WopiResource::File(&file_id)
                }
                (ResourceKind::Container, Some(id)) => WopiResource::Container(id),
                _ => WopiResource::Ecosystem,
            };
            let request = WopiAuthRequest {
                token,
                resource,
                path_and_query: parts.uri.path_and_query().map_or("", |p| p.as_str()),
                proof: ProofHeaders {
                    proof: h.get(X_WOPI_PROOF).and_then(|v| v.to_str().ok()),
                    proof_old: h.get(X_WOPI_PROOF_OLD).and_then(|v| v.to_str().ok()),
                    timestamp: h.get(X_WOPI_TIMESTAMP).and_then(|v| v.to_str().ok()),
                },
            };
            let (op, principal) = s.app.authorize_wopi(op, &request).await?;
            crate::middleware::record_user(
                match &principal {
                    Authorized::File(p) => &p.user.id,
                    Authorized::Container(p) => &p.user.id,
                    Authorized::Ecosystem(p) => &p.user.id,
                },
                None,
            );
            Ok::<_, HttpError>(match principal {
                Authorized::File(principal) => Wopi::File {
                    call: call(op, h, s.app.config().max_file_size)?,
                    principal,
                },
                Authorized::Container(principal) => Wopi::Container {
                    call: container_call(op, h)?,
                    principal,
                },
                Authorized::Ecosystem(principal) => Wopi::Ecosystem {
                    call: ecosystem_call(op, h)?,
                    principal,
                },
            })
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
            let request = match op {
                Op::Lock => LockRequest::Lock(lock),
                Op::Unlock => LockRequest::Unlock(lock),
                Op::RefreshLock => LockRequest::RefreshLock(lock),
                _ => LockRequest::UnlockAndRelock {
                    new: lock,
                    old: required_lock(h, &X_WOPI_OLD_LOCK)?,
                },
            };
            WopiCall::Lock {
                request,
                ttl_ms: match text(h, &X_WOPI_LOCK_EXPIRATION_TIMEOUT)? {
                    None => None,
                    Some(v) => Some(coauth::parse_timeout(v)?),
                },
                user_visible: text(h, &X_WOPI_LOCK_USER_VISIBLE)?
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            }
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
            coauth_id: optional_coauth_id(h)?,
        },
        Op::DeleteFile => WopiCall::DeleteFile,
        Op::PutUserInfo => WopiCall::PutUserInfo,
        Op::GetShareUrl => WopiCall::GetShareUrl {
            url_type: text(h, &X_WOPI_URL_TYPE)?.map(str::to_owned),
        },
        Op::AddActivities => WopiCall::AddActivities,
        Op::EnumerateAncestors => WopiCall::EnumerateAncestors,
        Op::GetEcosystem => WopiCall::GetEcosystem,
        Op::GetCoauthLock => WopiCall::GetCoauthLock {
            id: required_coauth_id(h)?,
            kind: text(h, &X_WOPI_COAUTH_LOCK_TYPE)?
                .and_then(CoauthLockType::parse)
                .ok_or(WopiError::BadRequest(
                    "X-WOPI-CoauthLockType must be Coauth or CoauthExclusive",
                ))?,
            timeout_ms: coauth_timeout(h)?,
            metadata: coauth_metadata(h)?,
        },
        Op::RefreshCoauthLock => WopiCall::RefreshCoauthLock {
            id: required_coauth_id(h)?,
            timeout_ms: coauth_timeout(h)?,
            metadata: coauth_metadata(h)?,
        },
        Op::UnlockCoauthLock => WopiCall::UnlockCoauthLock {
            id: required_coauth_id(h)?,
        },
        Op::GetCoauthTable => WopiCall::GetCoauthTable {
            version: text(h, &X_WOPI_COAUTH_TABLE_VERSION)?
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
        },
        Op::GetSequenceNumber => WopiCall::GetSequenceNumber,
        Op::GetChunkedFile => WopiCall::GetChunkedFile,
        Op::PutChunkedFile => {
            let wopi_lock = optional_lock(h)?;
            let coauth_id = optional_coauth_id(h)?;
            if wopi_lock.is_some() && coauth_id.is_some() {
                return Err(WopiError::BadRequest(
                    "X-WOPI-Lock and X-WOPI-CoauthLockId are both set",
                ));
            }
            let sequence = text(h, &X_WOPI_SEQUENCE_NUMBER)?
                .and_then(|v| v.trim().parse::<i64>().ok())
                // 0 is never a file's number (they start at 1): a stale one, so 412, not 400.
                .filter(|n| *n >= 0)
                .ok_or(WopiError::BadRequest(
                    "X-WOPI-SequenceNumber must be a non-negative integer",
                ))?;
            WopiCall::PutChunkedFile(ChunkedUpload {
                wopi_lock,
                coauth_id,
                sequence,
            })
        }
        _ => return Err(WopiError::Unsupported("not a file operation")),
    })
}

/// A container operation's headers, parsed (after authorization).
fn container_call(op: WopiOperation, h: &HeaderMap) -> Result<ContainerCall, WopiError> {
    use WopiOperation as Op;
    Ok(match op {
        Op::CheckContainerInfo => ContainerCall::CheckContainerInfo,
        Op::EnumerateChildren => ContainerCall::EnumerateChildren {
            filter: text(h, &X_WOPI_FILE_EXTENSION_FILTER_LIST)?.map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
        },
        Op::EnumerateContainerAncestors => ContainerCall::EnumerateAncestors,
        Op::GetContainerEcosystem => ContainerCall::GetEcosystem,
        Op::CreateChildContainer => ContainerCall::CreateChildContainer {
            target: match relative_target(h)? {
                RelativeTarget::Suggested(name) => ContainerTarget::Suggested(name),
                RelativeTarget::Relative { name, .. } => ContainerTarget::Exact(name),
            },
        },
        Op::CreateChildFile => ContainerCall::CreateChildFile {
            target: relative_target(h)?,
        },
        Op::DeleteContainer => ContainerCall::DeleteContainer,
        Op::RenameContainer => ContainerCall::RenameContainer {
            requested: name_header(h, &X_WOPI_REQUESTED_NAME)?
                .ok_or(WopiError::BadRequest("X-WOPI-RequestedName is required"))?,
        },
        Op::GetContainerShareUrl => ContainerCall::GetShareUrl {
            url_type: text(h, &X_WOPI_URL_TYPE)?.map(str::to_owned),
        },
        _ => return Err(WopiError::Unsupported("not a container operation")),
    })
}

/// An ecosystem operation's headers, parsed (after authorization).
fn ecosystem_call(op: WopiOperation, h: &HeaderMap) -> Result<EcosystemCall, WopiError> {
    use WopiOperation as Op;
    Ok(match op {
        Op::CheckEcosystem => EcosystemCall::CheckEcosystem,
        Op::GetRootContainer => EcosystemCall::GetRootContainer,
        Op::GetFileWopiSrc => EcosystemCall::GetFileWopiSrc {
            host_native_file_name: name_header(h, &X_WOPI_HOST_NATIVE_FILE_NAME)?,
        },
        _ => return Err(WopiError::Unsupported("not an ecosystem operation")),
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

fn required_coauth_id(h: &HeaderMap) -> Result<String, WopiError> {
    match text(h, &X_WOPI_COAUTH_LOCK_ID)? {
        Some(v) => coauth::parse_lock_id(v),
        None => Err(WopiError::BadRequest("X-WOPI-CoauthLockId is required")),
    }
}

/// `X-WOPI-CoauthLockId` where it is optional (PutChunkedFile, RenameFile): empty = absent.
fn optional_coauth_id(h: &HeaderMap) -> Result<Option<String>, WopiError> {
    match text(h, &X_WOPI_COAUTH_LOCK_ID)? {
        None | Some("") => Ok(None),
        Some(v) => coauth::parse_lock_id(v).map(Some),
    }
}

fn coauth_timeout(h: &HeaderMap) -> Result<i64, WopiError> {
    match text(h, &X_WOPI_COAUTH_LOCK_EXPIRATION_TIMEOUT)? {
        Some(v) => coauth::parse_timeout(v),
        None => Err(WopiError::BadRequest(
            "X-WOPI-CoauthLockExpirationTimeout is required",
        )),
    }
}

/// `X-WOPI-CoauthLockMetadata` (may be empty; UTF-8 allowed).
fn coauth_metadata(h: &HeaderMap) -> Result<Option<String>, WopiError> {
    match h.get(&X_WOPI_COAUTH_LOCK_METADATA) {
        None => Ok(None),
        Some(v) => {
            let m = std::str::from_utf8(v.as_bytes())
                .map_err(|_| WopiError::BadRequest("X-WOPI-CoauthLockMetadata is not UTF-8"))?;
            coauth::check_metadata(m)?;
            Ok(Some(m.to_owned()))
        }
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
    let is_autosave = flag((X_COOL_WOPI_IS_AUTOSAVE, X_LOOL_WOPI_IS_AUTOSAVE))?;
    if is_autosave == Some(true) {
        flags.push("autosave");
    }
    let is_exit_save = flag((X_COOL_WOPI_IS_EXIT_SAVE, X_LOOL_WOPI_IS_EXIT_SAVE))?;
    if is_exit_save == Some(true) {
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
        is_autosave,
        is_exit_save,
    })
}

/// PutRelativeFile's (and CreateChildFile's, CreateChildContainer's) target:
/// `X-WOPI-SuggestedTarget` xor `X-WOPI-RelativeTarget` (+ overwrite); both are 501.
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

    #[test]
    fn container_headers_are_parsed_after_authorization() {
        let got = container_call(
            WopiOperation::EnumerateChildren,
            &headers(&[("x-wopi-fileextensionfilterlist", ".wopitest,.DOCX")]),
        );
        assert_eq!(
            format!("{got:?}"),
            r#"Ok(EnumerateChildren { filter: Some([".wopitest", ".DOCX"]) })"#
        );
        let got = container_call(
            WopiOperation::CreateChildContainer,
            &headers(&[("x-wopi-relativetarget", "a+AF8-b")]),
        );
        assert_eq!(
            format!("{got:?}"),
            r#"Ok(CreateChildContainer { target: Exact("a_b") })"#
        );
        let got = container_call(
            WopiOperation::CreateChildFile,
            &headers(&[
                ("x-wopi-suggestedtarget", ".docx"),
                ("x-wopi-relativetarget", "a.docx"),
            ]),
        );
        assert!(matches!(got, Err(WopiError::Unsupported(_))), "{got:?}");
        let got = container_call(WopiOperation::RenameContainer, &headers(&[]));
        assert!(matches!(got, Err(WopiError::BadRequest(_))), "{got:?}");
        let got = container_call(WopiOperation::Lock, &headers(&[]));
        assert!(matches!(got, Err(WopiError::Unsupported(_))), "{got:?}");
        let got = ecosystem_call(WopiOperation::CheckFileInfo, &headers(&[]));
        assert!(matches!(got, Err(WopiError::Unsupported(_))), "{got:?}");
    }

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
                Ok("Lock { request: Lock(LockId(\"A\")), ttl_ms: None, user_visible: false"),
            ),
            (
                WopiOperation::Lock,
                headers(&[
                    ("x-wopi-lock", "A"),
                    ("x-wopi-lockexpirationtimeout", "120"),
                    ("x-wopi-lockuservisible", "True"),
                ]),
                Ok("Lock { request: Lock(LockId(\"A\")), ttl_ms: Some(120000), user_visible: true"),
            ),
            (
                WopiOperation::Lock,
                headers(&[("x-wopi-lock", "A"), ("x-wopi-lockexpirationtimeout", "59")]),
                Err(WopiError::BadRequest(
                    "lock timeout must be 60-3600 seconds",
                )),
            ),
            (
                WopiOperation::GetCoauthLock,
                headers(&[
                    ("x-wopi-coauthlockid", "C1"),
                    ("x-wopi-coauthlocktype", "CoauthExclusive"),
                    ("x-wopi-coauthlockexpirationtimeout", "60"),
                    ("x-wopi-coauthlockmetadata", "m"),
                ]),
                Ok(
                    "GetCoauthLock { id: \"C1\", kind: CoauthExclusive, timeout_ms: 60000, metadata: Some(\"m\")",
                ),
            ),
            (
                WopiOperation::GetCoauthLock,
                headers(&[
                    ("x-wopi-coauthlockid", "C1"),
                    ("x-wopi-coauthlocktype", "None"),
                    ("x-wopi-coauthlockexpirationtimeout", "60"),
                ]),
                Err(WopiError::BadRequest(
                    "X-WOPI-CoauthLockType must be Coauth or CoauthExclusive",
                )),
            ),
            (
                WopiOperation::RefreshCoauthLock,
                headers(&[("x-wopi-coauthlockid", "C1")]),
                Err(WopiError::BadRequest(
                    "X-WOPI-CoauthLockExpirationTimeout is required",
                )),
            ),
            (
                WopiOperation::UnlockCoauthLock,
                headers(&[]),
                Err(WopiError::BadRequest("X-WOPI-CoauthLockId is required")),
            ),
            (
                WopiOperation::GetCoauthTable,
                headers(&[("x-wopi-coauthtableversion", "")]),
                Ok("GetCoauthTable { version: None }"),
            ),
            (
                WopiOperation::PutChunkedFile,
                headers(&[
                    ("x-wopi-sequencenumber", "3"),
                    ("x-wopi-lock", ""),
                    ("x-wopi-coauthlockid", "C1"),
                ]),
                Ok(
                    "PutChunkedFile(ChunkedUpload { wopi_lock: None, coauth_id: Some(\"C1\"), sequence: 3",
                ),
            ),
            (
                WopiOperation::PutChunkedFile,
                headers(&[
                    ("x-wopi-sequencenumber", "3"),
                    ("x-wopi-lock", "L"),
                    ("x-wopi-coauthlockid", "C1"),
                ]),
                Err(WopiError::BadRequest(
                    "X-WOPI-Lock and X-WOPI-CoauthLockId are both set",
                )),
            ),
            (
                WopiOperation::PutChunkedFile,
                headers(&[("x-wopi-sequencenumber", "-1")]),
                Err(WopiError::BadRequest(
                    "X-WOPI-SequenceNumber must be a non-negative integer",
                )),
            ),
            (
                WopiOperation::Lock,
                headers(&[]),
                Err(WopiError::BadRequest("the lock header is missing")),
            ),
            (
                WopiOperation::UnlockAndRelock,
                headers(&[("x-wopi-lock", "B"), ("x-wopi-oldlock", "A")]),
                Ok("Lock { request: UnlockAndRelock"),
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
                    "PutFile { lock: None, options: PutOptions { expected_modified_time: None, flags: [\"autosave\"], is_autosave: Some(true), is_exit_save: None } }",
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
            (
                WopiOperation::CheckContainerInfo,
                headers(&[]),
                Err(WopiError::Unsupported("not a file operation")),
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
