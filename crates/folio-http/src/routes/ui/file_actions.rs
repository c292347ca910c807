//! File actions: rename, move, delete, restore a version. Each POST is CSRF-checked by `Csrf`
//! and redirects back with a notice or the refusal in words.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use folio_app::AppError;
use folio_wopi::FileId;
use serde::Deserialize;

use super::folder_actions::{CsrfOnly, NameForm};
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;
use crate::routes::ui::message::Message;

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    folder: String,
}

impl MoveForm {
    /// The target folder's id.
    pub fn folder(&self) -> &str {
        &self.folder
    }
}

csrf_field!(MoveForm);

/// A file id from the URL; a malformed one is "not found".
pub(crate) fn parse_file(id: &str) -> Result<FileId, Box<Response>> {
    FileId::parse(id).map_err(|e| Box::new(PageError::App(AppError::Wopi(e)).into_response()))
}

async fn folder_of(s: &AppState, user: &SignedIn, id: &FileId) -> String {
    match s.app.file_for_user(&user.0.user, id).await {
        Ok((f, _)) => format!("/folders/{}", f.folder_id),
        Err(_) => "/".to_owned(),
    }
}

/// POST /files/{id}/rename → `App::rename_from_web`.
pub async fn rename(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<NameForm>>,
) -> Response {
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
        Ok(_) => Message::FileRenamed.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/move → `App::move_from_web`.
pub async fn move_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<MoveForm>>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = folder_of(&s, &user, &id).await;
    match s.app.move_from_web(&user.0.user, &id, &f.folder).await {
        Ok(_) => Message::FileMoved.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/delete → `App::delete_from_web`.
pub async fn delete_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = folder_of(&s, &user, &id).await;
    match s.app.delete_from_web(&user.0.user, &id).await {
        Ok(folder) => super::trash::trashed_redirect(
            &folder,
            Message::FileDeleted,
            &[folio_app::web::Item::File(id.clone())],
        ),
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/versions/{n}/restore → `App::restore_version`.
pub async fn restore(
    State(s): State<AppState>,
    Path((id, version)): Path<(String, i64)>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("/files/{id}/versions");
    match s.app.restore_version(&user.0.user, &id, version).await {
        Ok(_) => Message::VersionRestored.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}
