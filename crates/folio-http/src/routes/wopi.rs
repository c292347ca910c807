//! `/wopi/files/{id}` and `/wopi/files/{id}/contents`: parse the request, call the app, map the
//! result. Every operation starts with `authorize` (token → user → file → permission).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use folio_app::folio_store::ByteStream;
use folio_app::{AppError, FileContent, Principal, PutOptions, RelativeTarget};
use folio_wopi::lock::LockRequest;
use folio_wopi::operation::{Endpoint, Method, Permission, WopiOperation};
use folio_wopi::proof::ProofHeaders;
use folio_wopi::wire::{self, PutRelativeFileResponse, RenameFileResponse, ShareUrlResponse};
use folio_wopi::{FileId, LockId, WopiError, headers, utf7};
use futures::TryStreamExt;
use serde::Deserialize;

use crate::AppState;
use crate::error::HttpError;

type Result<T> = std::result::Result<T, HttpError>;

/// The query string of a WOPI request. Other parameters (`access_token_ttl`, …) are ignored.
#[derive(Debug, Deserialize)]
pub struct WopiQuery {
    access_token: Option<String>,
}

/// The token: the `access_token` query parameter, else `Authorization: Bearer`.
fn token<'a>(q: &'a WopiQuery, h: &'a HeaderMap) -> Option<&'a str> {
    q.access_token.as_deref().or_else(|| {
        h.get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
    })
}

/// A header as text; present but not visible ASCII → 400.
fn text<'a>(h: &'a HeaderMap, name: &str) -> std::result::Result<Option<&'a str>, WopiError> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| WopiError::BadRequest("malformed header")),
    }
}

/// A name header: UTF-7 (or, leniently, raw UTF-8).
fn name_header(h: &HeaderMap, name: &str) -> std::result::Result<Option<String>, WopiError> {
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

fn required_lock(h: &HeaderMap, name: &str) -> std::result::Result<LockId, WopiError> {
    match text(h, name)? {
        Some(v) => LockId::parse(v),
        None => Err(WopiError::BadRequest("the lock header is missing")),
    }
}

fn optional_lock(h: &HeaderMap) -> std::result::Result<Option<LockId>, WopiError> {
    match text(h, headers::LOCK)? {
        None | Some("") => Ok(None),
        Some(v) => LockId::parse(v).map(Some),
    }
}

fn parse_id(id: &str) -> std::result::Result<FileId, WopiError> {
    FileId::parse(id)
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn item_version(version: i64) -> (HeaderName, HeaderValue) {
    (
        HeaderName::from_static("x-wopi-itemversion"),
        hv(&version.to_string()),
    )
}

fn body_stream(body: Body) -> ByteStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}

/// Refuses a body whose declared size is over the limit before reading any of it.
fn check_declared_size(h: &HeaderMap, max: u64) -> std::result::Result<(), WopiError> {
    for name in [header::CONTENT_LENGTH.as_str(), headers::SIZE] {
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

fn file_response(s: &AppState, c: FileContent) -> Response {
    let len = c.file.content.size;
    let mut resp = Response::new(Body::from_stream(c.body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let (n, v) = item_version(c.file.version);
    h.insert(n, v);
    let _ = s;
    resp
}

/// Verifies the token (401/404 first), then the proof-key headers against the editor the token
/// was minted for (or every enforcing editor for tokens minted without one). The signed URL is the public URL plus the path and query exactly as received, so it
/// matches what the client requested through a TLS-terminating proxy.
async fn authorize(
    s: &AppState,
    q: &WopiQuery,
    h: &HeaderMap,
    uri: &Uri,
    id: &str,
    needed: Permission,
) -> std::result::Result<Principal, AppError> {
    let id = parse_id(id)?;
    let principal = s.app.authorize(token(q, h), &id, needed).await?;
    let proof_headers = ProofHeaders {
        proof: h.get(headers::PROOF).and_then(|v| v.to_str().ok()),
        proof_old: h.get(headers::PROOF_OLD).and_then(|v| v.to_str().ok()),
        timestamp: h.get(headers::TIMESTAMP).and_then(|v| v.to_str().ok()),
    };
    let url = format!(
        "{}{}",
        s.app.config().public_url,
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let presented = token(q, h).unwrap_or("");
    if let Err(e) = s
        .app
        .editors()
        .verify_proof(
            principal.token.client.as_deref(),
            presented,
            &url,
            &proof_headers,
            s.app.now(),
        )
        .await
    {
        tracing::warn!(reason = %e.0, http.path = %uri.path(), "proof-key verification failed");
        return Err(WopiError::ProofInvalid.into());
    }
    Ok(principal)
}

/// GET /wopi/files/{id}: CheckFileInfo.
pub async fn check_file_info(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WopiQuery>,
    uri: Uri,
    h: HeaderMap,
) -> Result<Response> {
    let p = authorize(&s, &q, &h, &uri, &id, Permission::Read).await?;
    let info = s.app.check_file_info(&p).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(info)).into_response())
}

/// GET /wopi/files/{id}/contents: GetFile.
pub async fn get_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WopiQuery>,
    uri: Uri,
    h: HeaderMap,
) -> Result<Response> {
    let p = authorize(&s, &q, &h, &uri, &id, Permission::Read).await?;
    let max = match text(&h, headers::MAX_EXPECTED_SIZE)? {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|_| WopiError::BadRequest("malformed X-WOPI-MaxExpectedSize"))?,
        ),
    };
    let content = s.app.get_file(p, max).await?;
    Ok(file_response(&s, content))
}

/// GET /blob/{id}?e=…&s=…: the `FileUrl` of CheckFileInfo (self-authorised, no token).
#[derive(Debug, Deserialize)]
pub struct FileUrlQuery {
    e: i64,
    s: String,
}

/// Serves a FileUrl.
pub async fn get_file_url(
    State(s): State<AppState>,
    Path(id): Path<String>,
    q: std::result::Result<Query<FileUrlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Ok(Query(q)) = q else {
        return Err(WopiError::InvalidToken.into());
    };
    let id = parse_id(&id)?;
    let content = s.app.get_file_by_url(&id, q.e, &q.s).await?;
    Ok(file_response(&s, content))
}

/// A Collabora (`X-COOL-WOPI-*`) or older (`X-LOOL-WOPI-*`) header.
fn cool_header<'a>(
    h: &'a HeaderMap,
    name: &str,
) -> std::result::Result<Option<&'a str>, WopiError> {
    match text(h, &format!("X-COOL-WOPI-{name}"))? {
        Some(v) => Ok(Some(v)),
        None => text(h, &format!("X-LOOL-WOPI-{name}")),
    }
}

fn put_options(h: &HeaderMap) -> std::result::Result<PutOptions, WopiError> {
    let flag = |name: &str| -> std::result::Result<Option<bool>, WopiError> {
        Ok(cool_header(h, name)?.map(|v| v.eq_ignore_ascii_case("true")))
    };
    let mut flags = Vec::new();
    if flag("IsAutosave")? == Some(true) {
        flags.push("autosave");
    }
    if flag("IsExitSave")? == Some(true) {
        flags.push("exit save");
    }
    if flag("IsModifiedByUser")? == Some(false) {
        flags.push("not modified by user");
    }
    Ok(PutOptions {
        expected_modified_time: cool_header(h, "Timestamp")?.map(str::to_owned),
        flags,
    })
}

/// POST /wopi/files/{id}/contents: PutFile.
pub async fn put_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WopiQuery>,
    uri: Uri,
    h: HeaderMap,
    body: Body,
) -> Result<Response> {
    let op = WopiOperation::parse(
        Method::Post,
        Endpoint::Contents,
        text(&h, headers::OVERRIDE)?,
        false,
    );
    let op = match op {
        Ok(op) => op,
        Err(e) => {
            authorize(&s, &q, &h, &uri, &id, Permission::Read).await?;
            return Err(e.into());
        }
    };
    let p = authorize(&s, &q, &h, &uri, &id, op.required_permission()).await?;
    check_declared_size(&h, s.app.config().max_file_size)?;
    let lock = optional_lock(&h)?;
    let opts = put_options(&h)?;
    let file = s.app.put_file(p, lock, body_stream(body), opts).await?;
    let body = serde_json::json!({
        "LastModifiedTime": wire::format_wopi_time(file.content.created_at)
    });
    Ok(([item_version(file.version)], Json(body)).into_response())
}

/// POST /wopi/files/{id}: every override-selected operation.
pub async fn files_post(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WopiQuery>,
    uri: Uri,
    h: HeaderMap,
    body: Body,
) -> Result<Response> {
    let has_old_lock = h.contains_key(headers::OLD_LOCK);
    let op = match WopiOperation::parse(
        Method::Post,
        Endpoint::File,
        text(&h, headers::OVERRIDE)?,
        has_old_lock,
    ) {
        Ok(op) => op,
        Err(e) => {
            // 401/404 win over 501.
            authorize(&s, &q, &h, &uri, &id, Permission::Read).await?;
            return Err(e.into());
        }
    };
    let p = authorize(&s, &q, &h, &uri, &id, op.required_permission()).await?;
    use WopiOperation::*;
    match op {
        Lock | UnlockAndRelock | Unlock | RefreshLock => {
            let lock = required_lock(&h, headers::LOCK)?;
            let request = match op {
                Lock => LockRequest::Lock(lock),
                Unlock => LockRequest::Unlock(lock),
                RefreshLock => LockRequest::RefreshLock(lock),
                _ => LockRequest::UnlockAndRelock {
                    new: lock,
                    old: required_lock(&h, headers::OLD_LOCK)?,
                },
            };
            let (_, file) = s.app.lock(&p, request).await?;
            Ok(([item_version(file.version)], "").into_response())
        }
        GetLock => {
            let current = s.app.get_lock(&p);
            let value = current.as_ref().map_or("", |l| l.as_str());
            Ok(([(HeaderName::from_static("x-wopi-lock"), hv(value))], "").into_response())
        }
        PutRelativeFile => {
            let suggested = name_header(&h, headers::SUGGESTED_TARGET)?;
            let relative = name_header(&h, headers::RELATIVE_TARGET)?;
            let target = match (suggested, relative) {
                (Some(_), Some(_)) => {
                    return Err(WopiError::Unsupported(
                        "both X-WOPI-SuggestedTarget and X-WOPI-RelativeTarget",
                    )
                    .into());
                }
                (Some(sug), None) => RelativeTarget::Suggested(sug),
                (None, Some(name)) => {
                    let overwrite = match text(&h, headers::OVERWRITE_RELATIVE_TARGET)? {
                        None => false,
                        Some(v) if v.eq_ignore_ascii_case("true") => true,
                        Some(v) if v.eq_ignore_ascii_case("false") => false,
                        Some(_) => {
                            return Err(WopiError::BadRequest(
                                "X-WOPI-OverwriteRelativeTarget is not a Boolean",
                            )
                            .into());
                        }
                    };
                    RelativeTarget::Relative { name, overwrite }
                }
                (None, None) => {
                    return Err(WopiError::BadRequest(
                        "X-WOPI-SuggestedTarget or X-WOPI-RelativeTarget is required",
                    )
                    .into());
                }
            };
            check_declared_size(&h, s.app.config().max_file_size)?;
            let created = s
                .app
                .put_relative_file(p, target, body_stream(body))
                .await?;
            let url = format!(
                "{}?access_token={}",
                created.token.wopi_src, created.token.access_token
            );
            Ok(Json(PutRelativeFileResponse {
                name: created.file.name.clone(),
                url,
                host_view_url: Some(s.app.host_page_url(&created.file.id, "view")),
                host_edit_url: Some(s.app.host_page_url(&created.file.id, "edit")),
            })
            .into_response())
        }
        RenameFile => {
            let requested = name_header(&h, headers::REQUESTED_NAME)?
                .ok_or(WopiError::BadRequest("X-WOPI-RequestedName is required"))?;
            let lock = optional_lock(&h)?;
            let file = s.app.rename_file(&p, &requested, lock).await?;
            let (stem, _) = folio_wopi::naming::split_ext(&file.name);
            Ok(Json(RenameFileResponse {
                name: stem.to_owned(),
            })
            .into_response())
        }
        DeleteFile => {
            s.app.delete_file(&p).await?;
            Ok(StatusCode::OK.into_response())
        }
        PutUserInfo => {
            let bytes = axum::body::to_bytes(body, 4096)
                .await
                .map_err(|_| WopiError::BadRequest("UserInfo body is too large or unreadable"))?;
            let info = std::str::from_utf8(&bytes)
                .map_err(|_| WopiError::BadRequest("UserInfo is not UTF-8"))?;
            s.app.put_user_info(&p, info).await?;
            Ok(StatusCode::OK.into_response())
        }
        GetShareUrl => {
            let url = s.app.share_url(&p, text(&h, headers::URL_TYPE)?)?;
            Ok(Json(ShareUrlResponse { share_url: url }).into_response())
        }
        CheckFileInfo | GetFile | PutFile => {
            Err(WopiError::Unsupported("not a POST /wopi/files/{id} operation").into())
        }
    }
}

/// Any other `/wopi/...` endpoint (containers, ecosystem, …): not implemented.
pub async fn not_implemented() -> Result<Response> {
    Err(WopiError::Unsupported("endpoint not implemented").into())
}
