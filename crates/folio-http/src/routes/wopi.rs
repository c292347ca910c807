//! Every WOPI endpoint (files, containers, ecosystem): every request goes through the [`Wopi`]
//! extractor (operation + parsed headers + principal after token and proof check), then
//! [`dispatch`] calls one handler per operation, and each handler is one `App` call and the
//! response. Errors are mapped by `crate::error::wopi`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_app::folio_store::{ByteStream, CoauthTable};
use folio_app::{
    CoauthLockWish, ContainerPrincipal, ContainerTarget, EcosystemPrincipal, FileContent,
    Principal, PutOptions, RelativeTarget,
};
use folio_wopi::coauth;
use folio_wopi::lock::LockRequest;
use folio_wopi::wire::{
    self, AddActivitiesResponse, PutRelativeFileResponse, RenameContainerResponse,
    RenameFileResponse, ShareUrlResponse, UrlResponse,
};
use folio_wopi::{FileId, LockId, WopiError};
use futures::TryStreamExt;
use serde::Deserialize;

use crate::AppState;
use crate::error::HttpError;
use crate::extract::wopi::{ContainerCall, EcosystemCall, Wopi, WopiCall};
use crate::headers::{
    X_WOPI_COAUTH_TABLE_VERSION, X_WOPI_ENUMERATION_INCOMPLETE, X_WOPI_ITEM_VERSION, X_WOPI_LOCK,
    X_WOPI_SEQUENCE_NUMBER,
};

type Result<T> = std::result::Result<T, HttpError>;

/// Any method on a WOPI endpoint.
pub async fn dispatch(State(s): State<AppState>, wopi: Wopi, body: Body) -> Result<Response> {
    match wopi {
        Wopi::File { call, principal } => file(&s, call, *principal, body).await,
        Wopi::Container { call, principal } => container(&s, call, &principal).await,
        Wopi::Ecosystem { call, principal } => ecosystem(&s, call, &principal).await,
    }
}

/// The operations on `/wopi/files/{id}[/…]`.
async fn file(s: &AppState, call: WopiCall, p: Principal, body: Body) -> Result<Response> {
    let s = s.clone();
    match call {
        WopiCall::CheckFileInfo => check_file_info(&s, &p).await,
        WopiCall::GetFile { max_expected_size } => get_file(&s, p, max_expected_size).await,
        WopiCall::PutFile { lock, options } => put_file(&s, p, lock, options, body).await,
        WopiCall::Lock {
            request,
            ttl_ms,
            user_visible,
        } => lock(&s, &p, request, ttl_ms, user_visible).await,
        WopiCall::GetLock => Ok(get_lock(&s, &p)),
        WopiCall::PutRelativeFile { target } => put_relative_file(&s, p, target, body).await,
        WopiCall::RenameFile {
            requested,
            lock,
            coauth_id,
        } => rename_file(&s, &p, &requested, lock, coauth_id.as_deref()).await,
        WopiCall::DeleteFile => delete_file(&s, &p).await,
        WopiCall::PutUserInfo => put_user_info(&s, &p, body).await,
        WopiCall::GetShareUrl { url_type } => get_share_url(&s, &p, url_type.as_deref()),
        WopiCall::AddActivities => add_activities(&s, &p, body).await,
        WopiCall::EnumerateAncestors => Ok(ancestors(s.app.enumerate_file_ancestors(&p).await?)),
        WopiCall::GetEcosystem => Ok(json(UrlResponse {
            url: s.app.get_ecosystem(&p.token).await?,
        })),
        WopiCall::GetCoauthLock {
            id,
            kind,
            timeout_ms,
            metadata,
        } => {
            let metadata =
                coauth::metadata_of(false, metadata.as_deref(), &small_body(body).await?)?;
            let wish = CoauthLockWish {
                id,
                kind,
                metadata,
                timeout_ms,
            };
            Ok(coauth_table(&s.app.get_coauth_lock(&p, wish).await?, true))
        }
        WopiCall::RefreshCoauthLock {
            id,
            timeout_ms,
            metadata,
        } => {
            let metadata =
                coauth::metadata_of(true, metadata.as_deref(), &small_body(body).await?)?;
            let table = s
                .app
                .refresh_coauth_lock(&p, id, metadata, timeout_ms)
                .await?;
            Ok(coauth_table(&table, true))
        }
        WopiCall::UnlockCoauthLock { id } => Ok(coauth_table(
            &s.app.unlock_coauth_lock(&p, id).await?,
            false,
        )),
        WopiCall::GetCoauthTable { version } => {
            let table = s.app.get_coauth_table(&p).await?;
            let current = version.as_deref() == Some(table.version().as_str());
            Ok(coauth_table(&table, !current))
        }
        WopiCall::GetChunkedFile => {
            let download = s.app.get_chunked_file(&p, body_stream(body)).await?;
            Ok((
                chunked_headers(&download.file),
                Body::from_stream(download.body),
            )
                .into_response())
        }
        WopiCall::PutChunkedFile(upload) => {
            let file = s.app.put_chunked_file(p, upload, body_stream(body)).await?;
            Ok((chunked_headers(&file), "").into_response())
        }
        WopiCall::GetSequenceNumber => Ok((
            [(X_WOPI_SEQUENCE_NUMBER, hv(&p.file.sequence.to_string()))],
            "",
        )
            .into_response()),
    }
}

/// `X-WOPI-SequenceNumber` and `X-WOPI-ItemVersion` of a chunked transfer's 200.
fn chunked_headers(
    f: &folio_app::folio_store::FileRecord,
) -> [(axum::http::HeaderName, HeaderValue); 2] {
    [
        (X_WOPI_SEQUENCE_NUMBER, hv(&f.sequence.to_string())),
        (X_WOPI_ITEM_VERSION, hv(&f.version.to_string())),
    ]
}

/// A small request body (coauth lock metadata, at most 16 KiB).
async fn small_body(body: Body) -> Result<axum::body::Bytes> {
    Ok(axum::body::to_bytes(body, 16 * 1024)
        .await
        .map_err(|_| WopiError::BadRequest("request body is too large or unreadable"))?)
}

/// A coauth lock response: `X-WOPI-CoauthTableVersion` always, the table when `with_body`.
fn coauth_table(table: &CoauthTable, with_body: bool) -> Response {
    let version = [(X_WOPI_COAUTH_TABLE_VERSION, hv(&table.version()))];
    if with_body {
        (version, Json(coauth::CoauthTableResponse::new(&table.rows))).into_response()
    } else {
        (version, "").into_response()
    }
}

/// The operations on `/wopi/containers/{id}[/…]`.
async fn container(s: &AppState, call: ContainerCall, p: &ContainerPrincipal) -> Result<Response> {
    let app = &s.app;
    match call {
        ContainerCall::CheckContainerInfo => Ok(json(app.check_container_info(p))),
        ContainerCall::EnumerateChildren { filter } => {
            Ok(json(app.enumerate_children(p, filter.as_deref()).await?))
        }
        ContainerCall::EnumerateAncestors => {
            Ok(ancestors(app.enumerate_container_ancestors(p).await?))
        }
        ContainerCall::GetEcosystem => Ok(json(UrlResponse {
            url: app.get_ecosystem(&p.token).await?,
        })),
        ContainerCall::CreateChildContainer { target } => {
            create_child_container(s, p, target).await
        }
        ContainerCall::CreateChildFile { target } => {
            let created = app.create_child_file(p, target).await?;
            Ok(json(PutRelativeFileResponse {
                name: created.file.name.clone(),
                url: created.token.url(),
                host_view_url: Some(app.host_page_url(&created.file.id, "view")),
                host_edit_url: Some(app.host_page_url(&created.file.id, "edit")),
            }))
        }
        ContainerCall::DeleteContainer => {
            app.delete_container(p).await?;
            Ok(StatusCode::OK.into_response())
        }
        ContainerCall::RenameContainer { requested } => {
            let folder = app.rename_container(p, &requested).await?;
            Ok(json(RenameContainerResponse { name: folder.name }))
        }
        ContainerCall::GetShareUrl { url_type } => Ok(json(ShareUrlResponse {
            share_url: app.container_share_url(p, url_type.as_deref())?,
        })),
    }
}

/// The operations on `/wopi/ecosystem[/…]`.
async fn ecosystem(s: &AppState, call: EcosystemCall, p: &EcosystemPrincipal) -> Result<Response> {
    let app = &s.app;
    match call {
        EcosystemCall::CheckEcosystem => Ok(json(app.check_ecosystem(p))),
        EcosystemCall::GetRootContainer => Ok(json(app.get_root_container(p).await?)),
        EcosystemCall::GetFileWopiSrc {
            host_native_file_name,
        } => Ok(json(UrlResponse {
            url: app
                .get_file_wopi_src(p, host_native_file_name.as_deref())
                .await?,
        })),
    }
}

/// A JSON body that must not be cached (it carries access tokens or per-user rights).
fn json(body: impl serde::Serialize) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// EnumerateAncestors: the body, and `X-WOPI-EnumerationIncomplete: true` when the list stops
/// where the user's access stops.
fn ancestors(a: folio_app::Ancestors) -> Response {
    let mut resp = json(a.body);
    if a.incomplete {
        resp.headers_mut().insert(
            X_WOPI_ENUMERATION_INCOMPLETE,
            HeaderValue::from_static("true"),
        );
    }
    resp
}

/// CreateChildContainer → `App::create_child_container`.
async fn create_child_container(
    s: &AppState,
    p: &ContainerPrincipal,
    target: ContainerTarget,
) -> Result<Response> {
    Ok(json(s.app.create_child_container(p, target).await?))
}

/// AddActivities → `App::add_activities` (the body, at most 1 MiB, is the activities; no
/// `Content-Type` is required).
async fn add_activities(s: &AppState, p: &Principal, body: Body) -> Result<Response> {
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| WopiError::BadRequest("AddActivities body is too large or unreadable"))?;
    let activities = wire::parse_activities(&bytes)?;
    let responses = s.app.add_activities(p, &activities).await?;
    Ok(json(AddActivitiesResponse {
        activity_responses: responses,
    }))
}

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn item_version(version: i64) -> [(axum::http::HeaderName, HeaderValue); 1] {
    [(X_WOPI_ITEM_VERSION, HeaderValue::from(version))]
}

fn body_stream(body: Body) -> ByteStream {
    Box::pin(body.into_data_stream().map_err(std::io::Error::other))
}

fn file_response(c: FileContent) -> Response {
    let len = c.file.content.size;
    let mut resp = Response::new(Body::from_stream(c.body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_WOPI_ITEM_VERSION, HeaderValue::from(c.file.version));
    resp
}

/// CheckFileInfo → `App::check_file_info`.
async fn check_file_info(s: &AppState, p: &Principal) -> Result<Response> {
    let info = s.app.check_file_info(p).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(info)).into_response())
}

/// GetFile → `App::get_file`.
async fn get_file(s: &AppState, p: Principal, max: Option<u64>) -> Result<Response> {
    Ok(file_response(s.app.get_file(p, max).await?))
}

/// PutFile → `App::put_file`.
async fn put_file(
    s: &AppState,
    p: Principal,
    lock: Option<LockId>,
    opts: PutOptions,
    body: Body,
) -> Result<Response> {
    let file = s.app.put_file(p, lock, body_stream(body), opts).await?;
    let body = serde_json::json!({
        "LastModifiedTime": wire::format_wopi_time(file.content.created_at)
    });
    Ok((item_version(file.version), Json(body)).into_response())
}

/// Lock, Unlock, RefreshLock, UnlockAndRelock → `App::lock`.
async fn lock(
    s: &AppState,
    p: &Principal,
    request: LockRequest,
    ttl_ms: Option<i64>,
    user_visible: bool,
) -> Result<Response> {
    let (_, file) = s.app.lock(p, request, ttl_ms, user_visible).await?;
    Ok((item_version(file.version), "").into_response())
}

/// GetLock → `App::get_lock`.
fn get_lock(s: &AppState, p: &Principal) -> Response {
    let current = s.app.get_lock(p);
    let value = current.as_ref().map_or("", |l| l.as_str());
    ([(X_WOPI_LOCK, hv(value))], "").into_response()
}

/// PutRelativeFile → `App::put_relative_file`.
async fn put_relative_file(
    s: &AppState,
    p: Principal,
    target: RelativeTarget,
    body: Body,
) -> Result<Response> {
    let created = s
        .app
        .put_relative_file(p, target, body_stream(body))
        .await?;
    let url = created.token.url();
    Ok(Json(PutRelativeFileResponse {
        name: created.file.name.clone(),
        url,
        host_view_url: Some(s.app.host_page_url(&created.file.id, "view")),
        host_edit_url: Some(s.app.host_page_url(&created.file.id, "edit")),
    })
    .into_response())
}

/// RenameFile → `App::rename_file`.
async fn rename_file(
    s: &AppState,
    p: &Principal,
    requested: &str,
    lock: Option<LockId>,
    coauth_id: Option<&str>,
) -> Result<Response> {
    let file = s.app.rename_file(p, requested, lock, coauth_id).await?;
    let (stem, _) = folio_wopi::naming::split_ext(&file.name);
    Ok(Json(RenameFileResponse {
        name: stem.to_owned(),
    })
    .into_response())
}

/// DeleteFile → `App::delete_file`.
async fn delete_file(s: &AppState, p: &Principal) -> Result<Response> {
    s.app.delete_file(p).await?;
    Ok(StatusCode::OK.into_response())
}

/// PutUserInfo → `App::put_user_info` (the body, at most 4 KiB, is the user info).
async fn put_user_info(s: &AppState, p: &Principal, body: Body) -> Result<Response> {
    let bytes = axum::body::to_bytes(body, 4096)
        .await
        .map_err(|_| WopiError::BadRequest("UserInfo body is too large or unreadable"))?;
    let info =
        std::str::from_utf8(&bytes).map_err(|_| WopiError::BadRequest("UserInfo is not UTF-8"))?;
    s.app.put_user_info(p, info).await?;
    Ok(StatusCode::OK.into_response())
}

/// GetShareUrl → `App::share_url`.
fn get_share_url(s: &AppState, p: &Principal, url_type: Option<&str>) -> Result<Response> {
    let url = s.app.share_url(p, url_type)?;
    Ok(Json(ShareUrlResponse { share_url: url }).into_response())
}

/// GET /blob/{id}?e=…&s=…: the `FileUrl` of CheckFileInfo (self-authorised, no token).
#[derive(Debug, Deserialize)]
pub struct FileUrlQuery {
    e: i64,
    s: String,
}

/// Serves a FileUrl → `App::get_file_by_url`.
pub async fn get_file_url(
    State(s): State<AppState>,
    Path(id): Path<String>,
    q: std::result::Result<Query<FileUrlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Ok(Query(q)) = q else {
        return Err(WopiError::InvalidToken.into());
    };
    let id = FileId::parse(&id)?;
    let content = s.app.get_file_by_url(&id, q.e, &q.s).await?;
    Ok(file_response(content))
}

/// GET /template/{id}?e=…&s=…: the `TemplateSource` of a Collabora CheckFileInfo for an empty
/// new document (self-authorised like `FileUrl`) → `App::get_template_by_url`.
pub async fn get_template_source(
    State(s): State<AppState>,
    Path(id): Path<String>,
    q: std::result::Result<Query<FileUrlQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    let Ok(Query(q)) = q else {
        return Err(WopiError::InvalidToken.into());
    };
    let id = FileId::parse(&id)?;
    let (template, body) = s.app.get_template_by_url(&id, q.e, &q.s).await?;
    let mut resp = Response::new(Body::from_stream(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(template.size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Any other `/wopi/...` endpoint (e.g. the deprecated `/wopi/folders`): not implemented.
pub async fn not_implemented() -> Result<Response> {
    Err(WopiError::Unsupported("endpoint not implemented").into())
}
