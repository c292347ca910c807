//! State-changing pages: uploads, new folders and documents, rename/move/delete, version
//! restore, sharing, "Shared with me", and the admin page. Every POST checks the session's CSRF
//! token; every result redirects back with a notice or a clear error.

use askama::Template;
use axum::Form;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use folio_app::web::{ShareTarget, WebError};
use folio_store::Role;
use folio_wopi::FileId;
use futures::TryStreamExt;
use serde::Deserialize;

use super::auth::{SignedIn, encode};
use super::files::{human_time, icon_for};
use super::{error_page, page_error, render};
use crate::AppState;

fn go(path: &str, key: &str, message: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}{key}={}", encode(message))).into_response()
}

fn explain(e: &WebError) -> String {
    match e {
        WebError::NotFound => "That file or folder does not exist, or you have no access to it.".into(),
        WebError::Forbidden(why) => format!("Not allowed: {why}."),
        WebError::BadName(why) => format!("That name cannot be used: {why}."),
        WebError::NameTaken(n) => format!("{n} already exists here; choose another name."),
        WebError::Locked => "The file is open in an editor (locked). Try again when it is closed, or ask an administrator to release the lock.".into(),
        WebError::TooLarge(limit) => format!("The file is too large: the limit is {} MB.", limit / (1024 * 1024)),
        WebError::NotEmpty => "The folder is not empty; move or delete its contents first.".into(),
    }
}

fn status_of(e: &WebError) -> StatusCode {
    match e {
        WebError::NotFound => StatusCode::NOT_FOUND,
        WebError::Forbidden(_) => StatusCode::FORBIDDEN,
        WebError::BadName(_) => StatusCode::BAD_REQUEST,
        WebError::NameTaken(_) | WebError::Locked | WebError::NotEmpty => StatusCode::CONFLICT,
        WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
    }
}

fn parse_file(id: &str) -> Result<FileId, Box<Response>> {
    FileId::parse(id).map_err(|_| Box::new(page_error(&folio_wopi::WopiError::FileNotFound.into())))
}

/// `?name=` of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: String,
}

/// POST /folders/{id}/upload?name=… — the body is the file, streamed to storage. JSON answer.
pub async fn upload(
    State(s): State<AppState>,
    user: SignedIn,
    Path(folder): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let presented = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if user.check_csrf(presented).is_err() {
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": "The page expired; reload it and try again."})),
        )
            .into_response();
    }
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > s.app.config().max_file_size) {
        let e = WebError::TooLarge(s.app.config().max_file_size);
        return (
            status_of(&e),
            Json(serde_json::json!({"error": explain(&e)})),
        )
            .into_response();
    }
    let stream: folio_store::ByteStream =
        Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    match s.app.upload(&user.0.user, &folder, &q.name, stream).await {
        Ok(Ok(f)) => Json(
            serde_json::json!({"id": f.id.to_string(), "name": f.name, "size": f.content.size}),
        )
        .into_response(),
        Ok(Err(e)) => (
            status_of(&e),
            Json(serde_json::json!({"error": explain(&e)})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "upload failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({"error": "The upload failed on the server; try again."})),
            )
                .into_response()
        }
    }
}

/// A form with a CSRF token and a name.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// POST /folders/{id}/new-folder
pub async fn new_folder(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let back = format!("/folders/{id}");
    match s.app.new_folder(&user.0.user, &id, f.name.trim()).await {
        Ok(Ok(folder)) => go(&back, "notice", &format!("Folder {} created.", folder.name)),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// The new-document form.
#[derive(Debug, Deserialize)]
pub struct KindForm {
    #[serde(default)]
    csrf: String,
    kind: String,
}

/// POST /folders/{id}/new-document — creates a blank docx/xlsx/pptx and opens it.
pub async fn new_document(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<KindForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let kind = match f.kind.as_str() {
        "word" => folio_ooxml::Kind::Word,
        "excel" => folio_ooxml::Kind::Excel,
        "powerpoint" => folio_ooxml::Kind::PowerPoint,
        _ => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Unknown document type",
                "Choose Word, Excel or PowerPoint.",
            );
        }
    };
    let back = format!("/folders/{id}");
    match s.app.new_document(&user.0.user, &id, kind).await {
        Ok(Ok(file)) => {
            if s.app.editors().is_empty() {
                go(
                    &back,
                    "notice",
                    &format!("{} created. No editor is configured to open it.", file.name),
                )
            } else {
                Redirect::to(&format!("/open/{}?action=editnew", file.id)).into_response()
            }
        }
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// A form with only a CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// POST /folders/{id}/delete
pub async fn delete_folder(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    match s.app.delete_folder(&user.0.user, &id).await {
        Ok(Ok(parent)) => go(&format!("/folders/{parent}"), "notice", "Folder deleted."),
        Ok(Err(e)) => {
            let back = s
                .app
                .meta_folder_parent(&id)
                .await
                .map_or_else(|| "/".to_owned(), |p| format!("/folders/{p}"));
            go(&back, "error", &explain(&e))
        }
        Err(e) => page_error(&e),
    }
}

async fn folder_of(s: &AppState, user: &SignedIn, id: &FileId) -> String {
    match s.app.file_for_user(&user.0.user, id).await {
        Ok((f, _)) => format!("/folders/{}", f.folder_id),
        Err(_) => "/".to_owned(),
    }
}

/// POST /files/{id}/rename
pub async fn rename(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = folder_of(&s, &user, &id).await;
    match s
        .app
        .rename_from_web(&user.0.user, &id, f.name.trim())
        .await
    {
        Ok(Ok(file)) => go(&back, "notice", &format!("Renamed to {}.", file.name)),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    folder: String,
}

/// POST /files/{id}/move
pub async fn move_file(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = folder_of(&s, &user, &id).await;
    match s.app.move_from_web(&user.0.user, &id, &f.folder).await {
        Ok(Ok(file)) => go(&back, "notice", &format!("{} moved.", file.name)),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// POST /files/{id}/delete
pub async fn delete_file(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = folder_of(&s, &user, &id).await;
    match s.app.delete_from_web(&user.0.user, &id).await {
        Ok(Ok(folder)) => go(&format!("/folders/{folder}"), "notice", "File deleted."),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// POST /files/{id}/versions/{n}/restore
pub async fn restore(
    State(s): State<AppState>,
    user: SignedIn,
    Path((id, version)): Path<(String, i64)>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("/files/{id}/versions");
    match s.app.restore_version(&user.0.user, &id, version).await {
        Ok(Ok(file)) => go(
            &back,
            "notice",
            &format!("Version {version} restored as version {}.", file.version),
        ),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    name: String,
    back: String,
    notice: Option<String>,
    error: Option<String>,
}

/// `?notice=&error=`
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    notice: Option<String>,
    error: Option<String>,
}

/// GET /files/{id}/share
pub async fn share_file_page(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Flash>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match s.app.file_for_user(&user.0.user, &id).await {
        Ok((f, Role::Owner)) => share_page(&user, f.name, format!("/folders/{}", f.folder_id), q),
        Ok(_) => error_page(
            StatusCode::FORBIDDEN,
            "Only the owner can share",
            "Ask the owner of this file to share it.",
        ),
        Err(e) => page_error(&e),
    }
}

/// GET /folders/{id}/share
pub async fn share_folder_page(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Flash>,
) -> Response {
    match s.app.folder_view_shared(&user.0.user, &id).await {
        Ok((v, Role::Owner)) => share_page(
            &user,
            format!("folder {}", v.folder.name),
            format!("/folders/{}", v.folder.parent_id.unwrap_or(v.folder.id)),
            q,
        ),
        Ok(_) => error_page(
            StatusCode::FORBIDDEN,
            "Only the owner can share",
            "Ask the owner of this folder to share it.",
        ),
        Err(e) => page_error(&e),
    }
}

fn share_page(user: &SignedIn, name: String, back: String, q: Flash) -> Response {
    render(
        StatusCode::OK,
        &SharePage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            name,
            back,
            notice: q.notice,
            error: q.error,
        },
    )
}

/// The share form.
#[derive(Debug, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    csrf: String,
    login: String,
    role: String,
}

fn role_of(r: &str) -> Role {
    if r == "editor" {
        Role::Editor
    } else {
        Role::Viewer
    }
}

/// POST /files/{id}/share
pub async fn share_file(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let fid = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("/files/{id}/share");
    match s
        .app
        .share(
            &user.0.user,
            ShareTarget::File(&fid),
            &f.login,
            role_of(&f.role),
        )
        .await
    {
        Ok(Ok(())) => go(&back, "notice", &format!("Shared with {}.", f.login.trim())),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// POST /folders/{id}/share
pub async fn share_folder(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<ShareForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let back = format!("/folders/{id}/share");
    match s
        .app
        .share(
            &user.0.user,
            ShareTarget::Folder(&id),
            &f.login,
            role_of(&f.role),
        )
        .await
    {
        Ok(Ok(())) => go(&back, "notice", &format!("Shared with {}.", f.login.trim())),
        Ok(Err(e)) => go(&back, "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

struct SharedFile {
    id: String,
    name: String,
    icon: &'static str,
    role: &'static str,
    can_edit: bool,
}

#[derive(Template)]
#[template(path = "shared.html")]
struct SharedPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    folders: Vec<(String, String, &'static str)>,
    files: Vec<SharedFile>,
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Viewer => "Can view",
        Role::Editor => "Can edit",
        Role::Owner => "Owner",
    }
}

/// GET /shared
pub async fn shared(State(s): State<AppState>, user: SignedIn) -> Response {
    let (folders, files) = match s.app.shared_with_me(&user.0.user).await {
        Ok(x) => x,
        Err(e) => return page_error(&e),
    };
    render(
        StatusCode::OK,
        &SharedPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            folders: folders
                .into_iter()
                .map(|(f, r)| (f.id, f.name, role_name(r)))
                .collect(),
            files: files
                .into_iter()
                .map(|(f, r)| SharedFile {
                    id: f.id.to_string(),
                    icon: icon_for(&f.name),
                    name: f.name,
                    role: role_name(r),
                    can_edit: r >= Role::Editor,
                })
                .collect(),
        },
    )
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    notice: Option<String>,
    error: Option<String>,
    users: Vec<folio_store::UserRecord>,
    locks: Vec<(String, String, String, String)>,
    sessions: Vec<(String, String, String, &'static str, String)>,
    editors: Vec<(String, &'static str, String, String, &'static str)>,
    deliveries: Vec<(String, String, String, String, i64, String)>,
}

fn require_admin(user: &SignedIn) -> Result<(), Box<Response>> {
    if user.0.user.is_admin {
        Ok(())
    } else {
        Err(Box::new(error_page(
            StatusCode::FORBIDDEN,
            "Administrators only",
            "This page is for Folio administrators.",
        )))
    }
}

/// GET /admin
pub async fn admin(State(s): State<AppState>, user: SignedIn, Query(q): Query<Flash>) -> Response {
    if let Err(r) = require_admin(&user) {
        return *r;
    }
    let users = match s.app.admin_users().await {
        Ok(u) => u,
        Err(e) => return page_error(&e),
    };
    let (locks, sessions) = match s.app.admin_activity().await {
        Ok(x) => x,
        Err(e) => return page_error(&e),
    };
    let deliveries = match s.app.delivery_log(50).await {
        Ok(d) => d
            .into_iter()
            .map(|d| {
                let last = match (d.last_status, d.last_error) {
                    (Some(st), _) if d.state == "delivered" => format!("HTTP {st}"),
                    (_, Some(e)) => e,
                    (Some(st), None) => format!("HTTP {st}"),
                    (None, None) => "not tried yet".to_owned(),
                };
                (
                    d.event.id,
                    d.event.event_type,
                    d.url,
                    d.state,
                    d.attempts,
                    last,
                )
            })
            .collect(),
        Err(e) => return page_error(&e),
    };
    let editors = s
        .app
        .editors()
        .status()
        .await
        .into_iter()
        .map(|e| {
            let state = match (&e.last_error, e.loaded, e.from_persisted_copy) {
                (Some(err), true, _) => {
                    format!("serving the last good copy; refresh failed: {err}")
                }
                (Some(err), false, _) => format!("not loaded: {err}"),
                (None, true, true) => "loaded from the persisted copy".to_owned(),
                (None, true, false) => "loaded".to_owned(),
                (None, false, _) => "not loaded yet".to_owned(),
            };
            (
                e.name,
                e.kind.as_str(),
                e.discovery,
                state,
                if e.proof_keys_enforced {
                    "enforced"
                } else {
                    "off"
                },
            )
        })
        .collect();
    render(
        StatusCode::OK,
        &AdminPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: true,
            notice: q.notice,
            error: q.error,
            users,
            locks: locks
                .into_iter()
                .map(|f| {
                    let (id, exp) = f
                        .lock
                        .as_ref()
                        .map_or((String::new(), 0), |l| (l.id.to_string(), l.expires_at));
                    (f.name, f.id.to_string(), id, human_time(exp))
                })
                .collect(),
            sessions: sessions
                .into_iter()
                .map(|e| {
                    (
                        e.user_name,
                        e.file_name,
                        e.token.client.unwrap_or_default(),
                        if e.token.can_write { "edit" } else { "view" },
                        human_time(e.token.expires_at),
                    )
                })
                .collect(),
            editors,
            deliveries,
        },
    )
}

/// The create-user form.
#[derive(Debug, Deserialize)]
pub struct CreateUserForm {
    #[serde(default)]
    csrf: String,
    login: String,
    #[serde(default)]
    name: String,
    password: String,
    #[serde(default)]
    admin: Option<String>,
}

/// POST /admin/users
pub async fn admin_create_user(
    State(s): State<AppState>,
    user: SignedIn,
    Form(f): Form<CreateUserForm>,
) -> Response {
    if let Err(r) = require_admin(&user) {
        return *r;
    }
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    match s
        .app
        .admin_create_user(&f.login, &f.name, &f.password, f.admin.is_some())
        .await
    {
        Ok(Ok(u)) => go("/admin", "notice", &format!("User {} created.", u.login)),
        Ok(Err(e)) => go("/admin", "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// POST /admin/users/{id}/disable and /enable
pub async fn admin_set_disabled(
    State(s): State<AppState>,
    user: SignedIn,
    Path((id, what)): Path<(String, String)>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = require_admin(&user) {
        return *r;
    }
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let disable = match what.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return error_page(StatusCode::NOT_FOUND, "Not found", "Unknown action."),
    };
    if disable && id == user.0.user.id {
        return go("/admin", "error", "You cannot disable yourself.");
    }
    match s.app.admin_set_disabled(&id, disable).await {
        Ok(()) => go(
            "/admin",
            "notice",
            if disable {
                "User disabled."
            } else {
                "User enabled."
            },
        ),
        Err(e) => page_error(&e),
    }
}

/// The reset-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    password: String,
}

/// POST /admin/users/{id}/password
pub async fn admin_reset_password(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(r) = require_admin(&user) {
        return *r;
    }
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    match s.app.admin_reset_password(&id, &f.password).await {
        Ok(Ok(())) => go(
            "/admin",
            "notice",
            "Password changed; the user's sessions were ended.",
        ),
        Ok(Err(e)) => go("/admin", "error", &explain(&e)),
        Err(e) => page_error(&e),
    }
}

/// POST /admin/locks/{file}/release
pub async fn admin_release_lock(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = require_admin(&user) {
        return *r;
    }
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match s.app.admin_release_lock(&id).await {
        Ok(true) => go("/admin", "notice", "Lock released."),
        Ok(false) => go("/admin", "notice", "The file was not locked any more."),
        Err(e) => page_error(&e),
    }
}
