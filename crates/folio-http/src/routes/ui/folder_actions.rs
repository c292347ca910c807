//! Folder actions: new folder, new blank document, rename, move, delete (to the trash). Each
//! POST is CSRF-checked by `Csrf` and redirects back with a notice or the refusal in words.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::routes::ui::message::Message;

/// A form with a CSRF token and a name.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) name: String,
}

/// A form with only a CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// The new-document form: a kind (`word`, `excel`, `powerpoint`; may be empty with a
/// template), the name typed (empty: a numbered default) and a template id (empty: blank).
#[derive(Debug, Deserialize)]
pub struct KindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
}

csrf_field!(NameForm, CsrfOnly, KindForm);

/// POST /folders/{id}/new-folder → `App::new_folder`.
pub async fn new_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<NameForm>>,
) -> Response {
    let back = format!("/folders/{id}");
    match s.app.new_folder(&user.0.user, &id, f.name.trim()).await {
        Ok(_) => Message::FolderCreated.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /folders/{id}/new-document → `App::new_document`: a blank docx/xlsx/pptx or one from an
/// organisation template, under the name typed, then opens it.
pub async fn new_document(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<KindForm>>,
) -> Response {
    let kind = match (f.kind.as_str(), f.template.is_empty()) {
        ("", false) => None,
        (code, _) => match super::files::parse_kind_code(code) {
            Some(k) => Some(k),
            None => return PageError::UnknownDocumentType.into_response(),
        },
    };
    let back = format!("/folders/{id}");
    let template = Some(f.template.as_str()).filter(|t| !t.is_empty());
    match s
        .app
        .new_document(&user.0.user, &id, kind, &f.name, template)
        .await
    {
        Ok(file) => {
            if s.app.editors().is_empty() {
                Message::DocumentCreatedNoEditor.redirect(&back)
            } else {
                Redirect::to(&format!("/open/{}?action=editnew", file.id)).into_response()
            }
        }
        Err(e) => back_with(&back, e),
    }
}

/// Where a folder's actions return: its parent's page (where its row was), else home.
async fn parent_page(s: &AppState, id: &str) -> String {
    s.app
        .meta_folder_parent(id)
        .await
        .map_or_else(|| "/".to_owned(), |p| format!("/folders/{p}"))
}

/// POST /folders/{id}/rename → `App::rename_folder_from_web`.
pub async fn rename_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<NameForm>>,
) -> Response {
    let back = parent_page(&s, &id).await;
    match s
        .app
        .rename_folder_from_web(&user.0.user, &id, f.name.trim())
        .await
    {
        Ok(_) => Message::FolderRenamed.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /folders/{id}/move (`folder` = the target) → `App::move_folder_from_web`.
pub async fn move_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<super::file_actions::MoveForm>>,
) -> Response {
    let back = parent_page(&s, &id).await;
    match s
        .app
        .move_folder_from_web(&user.0.user, &id, f.folder())
        .await
    {
        Ok(_) => Message::FolderMoved.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /folders/{id}/delete → `App::delete_folder`: the folder and everything in it go to
/// the trash; the notice offers "Undo".
pub async fn delete_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.delete_folder(&user.0.user, &id).await {
        Ok(parent) => super::trash::trashed_redirect(
            &parent,
            Message::FolderDeleted,
            &[folio_app::web::Item::Folder(id.clone())],
        ),
        Err(e) => {
            let back = s
                .app
                .meta_folder_parent(&id)
                .await
                .map_or_else(|| "/".to_owned(), |p| format!("/folders/{p}"));
            back_with(&back, e)
        }
    }
}
