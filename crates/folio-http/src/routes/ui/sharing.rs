//! Sharing: the share pages of a file or folder (owner only), sharing with a user as viewer or
//! editor, and "Shared with me". POSTs are CSRF-checked by `Csrf`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use folio_app::web::ShareTarget;
use folio_store::Role;
use serde::Deserialize;

use super::file_actions::parse_file;
use super::files::icon_for;
use super::render;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;
use crate::routes::ui::message::Message;

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
    pub(crate) notice: Option<String>,
    pub(crate) error: Option<String>,
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
        Ok(_) => PageError::OwnerOnlyShare { folder: false }.into_response(),
        Err(e) => PageError::App(e).into_response(),
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
        Ok(_) => PageError::OwnerOnlyShare { folder: true }.into_response(),
        Err(e) => PageError::App(e).into_response(),
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
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
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

csrf_field!(ShareForm);

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
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<ShareForm>>,
) -> Response {
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
        Ok(()) => Message::Shared.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /folders/{id}/share
pub async fn share_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<ShareForm>>,
) -> Response {
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
        Ok(()) => Message::Shared.redirect(&back),
        Err(e) => back_with(&back, e),
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
        Err(e) => return PageError::App(e).into_response(),
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
