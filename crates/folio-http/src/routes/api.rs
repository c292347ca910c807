//! `/api/v1`: the integration API (JSON; `Authorization: Bearer <API key>`). Errors always have
//! the shape `{"error": {"code": "...", "message": "..."}}`; unknown JSON fields are refused.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_app::web::WebError;
use folio_store::{ApiKeyRecord, ExternalUser, FileRecord, StoreError};
use folio_wopi::{FileId, WopiError, wire};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::AppState;

/// An API error: status, stable code, human message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such file, folder or session (or no access to it)",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Wopi(WopiError::FileNotFound) | AppError::Wopi(WopiError::NotPermitted) => {
                Self::not_found()
            }
            AppError::Wopi(WopiError::BadRequest(m)) => {
                Self::new(StatusCode::BAD_REQUEST, "bad_request", m)
            }
            AppError::Wopi(WopiError::InvalidName { reason, .. }) => {
                Self::new(StatusCode::BAD_REQUEST, "invalid_name", reason)
            }
            AppError::Wopi(WopiError::NameExists { .. }) => Self::new(
                StatusCode::CONFLICT,
                "name_taken",
                "a file with that name already exists there",
            ),
            AppError::Wopi(WopiError::LockMismatch { .. }) => Self::new(
                StatusCode::CONFLICT,
                "locked",
                "the file is locked by an editing session",
            ),
            AppError::Wopi(WopiError::Unsupported(m)) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "unsupported", m)
            }
            AppError::Wopi(WopiError::FileTooLarge)
            | AppError::Store(StoreError::TooLarge { .. }) => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the file is larger than this server accepts",
            ),
            AppError::Store(StoreError::NotFound) => Self::not_found(),
            AppError::Store(StoreError::Aborted(_)) => Self::new(
                StatusCode::BAD_REQUEST,
                "upload_aborted",
                "the upload ended early",
            ),
            AppError::Store(StoreError::Unavailable(_)) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "storage is unavailable; retry later",
            ),
            other => {
                tracing::error!(error = %other, "api request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error",
                )
            }
        }
    }
}

fn web_error(e: WebError) -> ApiError {
    match e {
        WebError::NotFound => ApiError::not_found(),
        WebError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
        WebError::BadName(m) => ApiError::new(StatusCode::BAD_REQUEST, "invalid_name", m),
        WebError::NameTaken(n) => ApiError::new(
            StatusCode::CONFLICT,
            "name_taken",
            format!("{n} already exists there"),
        ),
        WebError::Locked => ApiError::new(
            StatusCode::CONFLICT,
            "locked",
            "the file is locked by an editing session",
        ),
        WebError::TooLarge(l) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the limit is {l} bytes"),
        ),
        WebError::NotEmpty => {
            ApiError::new(StatusCode::CONFLICT, "not_empty", "the folder is not empty")
        }
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A JSON body that refuses malformed JSON and unknown fields with our error shape.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError::new(
                if matches!(e, JsonRejection::MissingJsonContentType(_)) {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                } else {
                    StatusCode::BAD_REQUEST
                },
                "invalid_json",
                e.body_text(),
            )),
        }
    }
}

/// The caller: a live API key.
pub struct Key(pub ApiKeyRecord);

impl FromRequestParts<AppState> for Key {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "send the API key as Authorization: Bearer KEY",
                )
            })?;
        match s.app.api_key(secret.trim()).await {
            Ok(Some(k)) => Ok(Key(k)),
            Ok(None) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "unknown or revoked API key",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

impl Key {
    fn need(&self, scope: &str) -> ApiResult<()> {
        if self.0.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this API key lacks the {scope:?} scope"),
            ))
        }
    }
}

fn parse_id(id: &str) -> ApiResult<FileId> {
    FileId::parse(id).map_err(|_| ApiError::not_found())
}

fn file_json(f: &FileRecord) -> serde_json::Value {
    serde_json::json!({
        "id": f.id.to_string(),
        "name": f.name,
        "folder_id": f.folder_id,
        "size": f.content.size,
        "version": f.version,
        "sha256": hex::encode(&f.content.sha256),
        "modified_at": wire::format_wopi_time(f.content.created_at),
        "locked": f.lock.is_some(),
    })
}

/// `?name=&folder=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    name: String,
    #[serde(default)]
    folder: String,
}

/// POST /api/v1/files?name=…&folder=a/b — the body is the file (streamed).
pub async fn upload(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    key.need("files")?;
    let Query(q) =
        q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > s.app.config().max_file_size)
    {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the limit is {} bytes", s.app.config().max_file_size),
        ));
    }
    let folder = s.app.api_folder(&key.0, &q.folder).await?;
    let user = s.app.app_user(&key.0).await?;
    let stream: folio_store::ByteStream =
        Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    let file = s
        .app
        .upload(&user, &folder.id, &q.name, stream)
        .await?
        .map_err(web_error)?;
    Ok((StatusCode::CREATED, Json(file_json(&file))).into_response())
}

/// GET /api/v1/files/{id}
pub async fn metadata(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let f = s.app.api_file(&key.0, &parse_id(&id)?).await?;
    Ok(Json(file_json(&f)))
}

fn range_of(headers: &HeaderMap, size: u64) -> ApiResult<Option<(u64, u64)>> {
    let Some(v) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "bad_range",
            "only one byte range (bytes=a-b) inside the file is supported",
        )
    };
    let spec = v.strip_prefix("bytes=").ok_or_else(bad)?;
    if spec.contains(',') {
        return Err(bad());
    }
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| bad())?;
            (size.saturating_sub(n), size.checked_sub(1).ok_or_else(bad)?)
        }
        (a, "") => (
            a.parse().map_err(|_| bad())?,
            size.checked_sub(1).ok_or_else(bad)?,
        ),
        (a, b) => (
            a.parse().map_err(|_| bad())?,
            b.parse::<u64>()
                .map_err(|_| bad())?
                .min(size.saturating_sub(1)),
        ),
    };
    if start > end || start >= size {
        return Err(bad());
    }
    Ok(Some((start, end)))
}

async fn send_content(
    s: &AppState,
    key: &Key,
    id: &str,
    version: Option<i64>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    key.need("files")?;
    let id = parse_id(id)?;
    let user = s.app.app_user(&key.0).await?;
    let (name, size, body) = s.app.download(&user, &id, version).await?;
    let range = range_of(headers, size)?;
    let (status, body, len, content_range) = match range {
        None => (StatusCode::OK, body, size, None),
        Some((start, end)) => {
            let len = end - start + 1;
            // Skip `start` bytes, then take `len`.
            let mut skip = start;
            let mut left = len;
            let sliced = body.filter_map(move |chunk| {
                let out = match chunk {
                    Err(e) => Some(Err(e)),
                    Ok(mut c) => {
                        if skip >= c.len() as u64 {
                            skip -= c.len() as u64;
                            None
                        } else {
                            let c2 = c.split_off(skip as usize);
                            skip = 0;
                            if left == 0 {
                                None
                            } else {
                                let take = (c2.len() as u64).min(left);
                                left -= take;
                                Some(Ok(c2.slice(..take as usize)))
                            }
                        }
                    }
                };
                async move { out }
            });
            let boxed: folio_store::ByteStream = Box::pin(sliced);
            (
                StatusCode::PARTIAL_CONTENT,
                boxed,
                len,
                Some(format!("bytes {start}-{end}/{size}")),
            )
        }
    };
    let mut r = Response::new(Body::from_stream(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(cr) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// GET /api/v1/files/{id}/content (Range supported)
pub async fn content(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    send_content(&s, &key, &id, None, &headers).await
}

/// GET /api/v1/files/{id}/versions/{n}/content
pub async fn version_content(
    State(s): State<AppState>,
    key: Key,
    Path((id, n)): Path<(String, i64)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    send_content(&s, &key, &id, Some(n), &headers).await
}

/// GET /api/v1/files/{id}/versions
pub async fn versions(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let user = s.app.app_user(&key.0).await?;
    let (_, vs) = s.app.versions_view(&user, &parse_id(&id)?).await?;
    let list: Vec<serde_json::Value> = vs
        .into_iter()
        .map(|v| {
            serde_json::json!({
                "version": v.record.version,
                "size": v.record.content.size,
                "sha256": hex::encode(&v.record.content.sha256),
                "saved_at": wire::format_wopi_time(v.record.content.created_at),
                "saved_by": v.author,
                "source": v.record.content.source,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({"versions": list})))
}

/// `?path=a/b`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderQuery {
    #[serde(default)]
    path: String,
}

/// GET /api/v1/folders?path=a/b
pub async fn list_folder(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<FolderQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let Query(q) =
        q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let folder = s.app.api_folder(&key.0, &q.path).await?;
    let user = s.app.app_user(&key.0).await?;
    let (view, _) = s.app.folder_view_shared(&user, &folder.id).await?;
    Ok(Json(serde_json::json!({
        "id": folder.id,
        "path": q.path,
        "folders": view.folders.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name})).collect::<Vec<_>>(),
        "files": view.files.iter().map(file_json).collect::<Vec<_>>(),
    })))
}

/// PATCH body: rename and/or move.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchFile {
    name: Option<String>,
    folder: Option<String>,
}

/// PATCH /api/v1/files/{id} {"name": "...", "folder": "a/b"}
pub async fn patch_file(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<PatchFile>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let id = parse_id(&id)?;
    let user = s.app.app_user(&key.0).await?;
    if p.name.is_none() && p.folder.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "give name and/or folder",
        ));
    }
    if let Some(folder) = &p.folder {
        let target = s.app.api_folder(&key.0, folder).await?;
        s.app
            .move_from_web(&user, &id, &target.id)
            .await?
            .map_err(web_error)?;
    }
    if let Some(name) = &p.name {
        s.app
            .rename_from_web(&user, &id, name)
            .await?
            .map_err(web_error)?;
    }
    let f = s.app.api_file(&key.0, &id).await?;
    Ok(Json(file_json(&f)))
}

/// DELETE /api/v1/files/{id}
pub async fn delete_file(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("files")?;
    let user = s.app.app_user(&key.0).await?;
    s.app
        .delete_from_web(&user, &parse_id(&id)?)
        .await?
        .map_err(web_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An external user as the application names it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiUser {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

impl ApiUser {
    fn external(&self) -> ExternalUser {
        ExternalUser {
            external_id: self.id.trim().to_owned(),
            name: self
                .display_name
                .clone()
                .unwrap_or_else(|| self.id.trim().to_owned()),
            email: self.email.clone().unwrap_or_default(),
            language: self.language.clone().unwrap_or_default(),
        }
    }
}

/// PUT /api/v1/users/{external_id} body without `id`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutUser {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    language: Option<String>,
}

/// PUT /api/v1/users/{external_id}
pub async fn put_user(
    State(s): State<AppState>,
    key: Key,
    Path(ext): Path<String>,
    ApiJson(u): ApiJson<PutUser>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("sessions")?;
    let api = ApiUser {
        id: ext,
        display_name: u.display_name,
        email: u.email,
        language: u.language,
    };
    let user = s.app.external_user(&api.external()).await?;
    Ok(Json(
        serde_json::json!({"id": api.id, "folio_user_id": user.id, "display_name": user.name, "email": user.email}),
    ))
}

/// POST /api/v1/sessions body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    file_id: String,
    user: ApiUser,
    permission: String,
    #[serde(default)]
    editor: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    close_url: Option<String>,
}

fn session_json(s: &folio_store::WopiSessionRecord) -> serde_json::Value {
    serde_json::json!({
        "id": s.id,
        "file_id": s.file_id.to_string(),
        "permission": if s.can_write { "edit" } else { "view" },
        "editor": s.client,
        "action": s.action,
        "expires_at": s.expires_at,
        "revoked": s.revoked_at.is_some(),
        "close_url": s.close_url,
    })
}

/// POST /api/v1/sessions
pub async fn create_session(
    State(s): State<AppState>,
    key: Key,
    ApiJson(n): ApiJson<NewSession>,
) -> ApiResult<Response> {
    key.need("sessions")?;
    let can_write = match n.permission.as_str() {
        "edit" => true,
        "view" => false,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "permission must be \"view\" or \"edit\"",
            ));
        }
    };
    let file = parse_id(&n.file_id)?;
    let c = s
        .app
        .create_session(
            Some(&key.0),
            &file,
            &n.user.external(),
            can_write,
            n.editor.as_deref(),
            n.action.as_deref(),
            n.close_url.as_deref(),
        )
        .await?;
    let mut body = session_json(&c.session);
    body["host_page_url"] = c.host_page_url.into();
    body["action_url"] = c.action_url.into();
    body["wopi_src"] = c.wopi_src.into();
    body["access_token"] = c.access_token.into();
    body["access_token_ttl"] = c.access_token_ttl.into();
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `?file_id=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsQuery {
    file_id: Option<String>,
}

/// GET /api/v1/sessions[?file_id=]
pub async fn list_sessions(
    State(s): State<AppState>,
    key: Key,
    q: Result<Query<SessionsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("sessions")?;
    let Query(q) =
        q.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let file = q.file_id.as_deref().map(parse_id).transpose()?;
    let list = s.app.list_sessions(&key.0, file.as_ref()).await?;
    Ok(Json(
        serde_json::json!({"sessions": list.iter().map(session_json).collect::<Vec<_>>()}),
    ))
}

/// DELETE /api/v1/sessions/{id}
pub async fn revoke_session(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("sessions")?;
    s.app.revoke_session(&key.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/files/{id}/lock
pub async fn get_lock(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    key.need("files")?;
    let f = s.app.api_file(&key.0, &parse_id(&id)?).await?;
    let now = s.app.now();
    let lock = f.lock.filter(|l| l.is_live(now));
    Ok(Json(serde_json::json!({
        "locked": lock.is_some(),
        "lock_id": lock.as_ref().map(|l| l.id.to_string()),
        "expires_at": lock.as_ref().map(|l| l.expires_at),
    })))
}

/// DELETE /api/v1/files/{id}/lock (scope admin)
pub async fn release_lock(
    State(s): State<AppState>,
    key: Key,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    key.need("admin")?;
    let id = parse_id(&id)?;
    s.app.api_file(&key.0, &id).await?;
    s.app.admin_release_lock(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/webhooks/deliveries (scope admin)
pub async fn deliveries(State(s): State<AppState>, key: Key) -> ApiResult<Json<serde_json::Value>> {
    key.need("admin")?;
    let log = s.app.delivery_log(200).await?;
    Ok(Json(
        serde_json::json!({"deliveries": log.iter().map(|d| serde_json::json!({
        "id": d.id,
        "event_id": d.event.id,
        "event_type": d.event.event_type,
        "url": d.url,
        "state": d.state,
        "attempts": d.attempts,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    })).collect::<Vec<_>>()}),
    ))
}

/// Unknown `/api/v1/...` paths.
pub async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such API endpoint (see /api/v1/openapi.json)",
    )
}
