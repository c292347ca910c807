//! The trash page (`/trash`: what the user deleted, where it was, restore, delete for good,
//! empty), the "Undo" of a delete, and the file browser's bulk actions (`/folders/{id}/bulk`:
//! move, delete, download as a streamed zip) and the move dialog's folder picker
//! (`/folders/{id}/picker`, JSON). Every POST is CSRF-checked by `Csrf`.

use askama::Template;
use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use folio_app::web::Item;
use folio_app::{AppError, folio_store};
use serde::Deserialize;

use super::files::{FolderQuery, human_size, human_time, icon_for};
use super::folder_actions::CsrfOnly;
use super::render;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, CsrfField};
use crate::extract::session::SignedIn;
use crate::routes::ui::message::Message;

/// At most this many items in one bulk action or Undo (a form, not an API).
pub const MAX_ITEMS: usize = 1000;

/// At most this many items an Undo link carries in its URL (`?undo=`); a larger delete is
/// undone from the trash page.
pub const MAX_UNDO_ITEMS: usize = 100;

struct TrashRow {
    id: String,
    name: String,
    icon: &'static str,
    is_folder: bool,
    files: String,
    from_id: String,
    from_name: String,
    from_live: bool,
    size: String,
    deleted: String,
    /// Who deleted it, when someone other than the owner did.
    deleted_by: Option<String>,
}

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    notice: Option<String>,
    error: Option<String>,
    retention: String,
    entries: Vec<TrashRow>,
}

/// GET /trash — the user's trash, newest first.
pub async fn trash(
    State(s): State<AppState>,
    user: SignedIn,
    Query(q): Query<FolderQuery>,
) -> Response {
    let entries = match s.app.trash_view(&user.0.user).await {
        Ok(e) => e,
        Err(e) => return PageError::App(e).into_response(),
    };
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let from_live = s.app.folder_is_live(&e.from_folder_id).await;
        let from_name = e
            .from_folder_name
            .clone()
            .unwrap_or_else(|| crate::i18n::t("ui.trash.my_files").to_owned());
        let (icon, is_folder, files, size) = match &e.item {
            folio_store::TrashItem::File(f) => {
                (icon_for(&f.name), false, String::new(), f.content.size)
            }
            folio_store::TrashItem::Folder { files, size, .. } => (
                "folder",
                true,
                crate::i18n::tn("ui.trash.file_count", files),
                *size,
            ),
        };
        rows.push(TrashRow {
            id: e.id().to_owned(),
            name: e.name().to_owned(),
            icon,
            is_folder,
            files,
            from_id: e.from_folder_id.clone(),
            from_name,
            from_live,
            size: human_size(size),
            deleted: human_time(e.deleted_at),
            deleted_by: e
                .deleted_by
                .as_deref()
                .filter(|by| *by != user.0.user.id)
                .map(|by| e.deleted_by_name.clone().unwrap_or_else(|| by.to_owned())),
        });
    }
    let days = s.app.config().trash_retention_days;
    let retention = if days == 0 {
        crate::i18n::t("ui.trash.items_stay_in_the_trash").to_owned()
    } else {
        crate::i18n::targs(
            "ui.trash.items_in_the_trash_are",
            &[("days", &days as &dyn std::fmt::Display)],
        )
    };
    render(
        StatusCode::OK,
        &TrashPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            notice: super::message::notice(q.notice()),
            error: super::message::error(q.error()),
            retention,
            entries: rows,
        },
    )
}

/// A trash entry id from the URL (letters and digits); anything else is "not found".
fn entry_id(id: &str) -> Result<&str, Box<Response>> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Box::new(PageError::App(AppError::NotFound).into_response()))
    }
}

/// POST /trash/{id}/restore → `App::restore_from_trash`.
pub async fn restore(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let id = match entry_id(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match s.app.restore_from_trash(&user.0.user, id).await {
        Ok(r) if r.in_place => Message::TrashRestored.redirect("/trash"),
        Ok(_) => Message::TrashRestoredHome.redirect("/trash"),
        Err(e) => back_with("/trash", e),
    }
}

/// POST /trash/{id}/delete → `App::purge_from_trash` (one entry).
pub async fn purge(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let id = match entry_id(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match s.app.purge_from_trash(&user.0.user, Some(id)).await {
        Ok(_) => Message::TrashPurged.redirect("/trash"),
        Err(e) => back_with("/trash", e),
    }
}

/// POST /trash/empty → `App::purge_from_trash` (everything).
pub async fn empty(
    State(s): State<AppState>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.purge_from_trash(&user.0.user, None).await {
        Ok(_) => Message::TrashEmptied.redirect("/trash"),
        Err(e) => back_with("/trash", e),
    }
}

/// A form of repeated fields (`item=…&item=…`), read as its pairs.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct PairsForm {
    pairs: Vec<(String, String)>,
}

impl PairsForm {
    fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// The valid `item` values, at most [`MAX_ITEMS`], without repeats.
    fn items(&self) -> Vec<Item> {
        let mut out: Vec<Item> = Vec::new();
        for (_, v) in self.pairs.iter().filter(|(k, _)| k == "item") {
            if let Some(item) = Item::parse(v)
                && !out.contains(&item)
                && out.len() < MAX_ITEMS
            {
                out.push(item);
            }
        }
        out
    }
}

impl CsrfField for PairsForm {
    fn csrf(&self) -> &str {
        self.get("csrf").unwrap_or("")
    }
}

/// A folder id from a form or the URL (letters and digits).
fn folder_id(id: &str) -> Option<&str> {
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

/// The `?undo=` value of the notice after a delete: the items, `f:…` / `d:…`, comma-separated
/// (none when there are too many for a URL).
fn undo_param(items: &[Item]) -> String {
    if items.is_empty() || items.len() > MAX_UNDO_ITEMS {
        return String::new();
    }
    let list: Vec<String> = items.iter().map(Item::code).collect();
    format!("&undo={}", list.join(","))
}

/// The items of a `?undo=` value (invalid ones dropped).
pub fn parse_undo(v: Option<&str>) -> Vec<String> {
    v.map(|v| {
        v.split(',')
            .filter_map(Item::parse)
            .take(MAX_UNDO_ITEMS)
            .map(|i| i.code())
            .collect()
    })
    .unwrap_or_default()
}

/// `/folders/{id}?notice=…&undo=…` after a delete, so its notice offers "Undo".
pub fn trashed_redirect(folder: &str, message: Message, items: &[Item]) -> Response {
    axum::response::Redirect::to(&format!(
        "/folders/{folder}?notice={}{}",
        message.code(),
        undo_param(items)
    ))
    .into_response()
}

/// POST /trash/undo (`back`, `item`…) → `App::undo_trash`: "Undo" right after a delete.
pub async fn undo(
    State(s): State<AppState>,
    Csrf(user, Form(f)): Csrf<Form<PairsForm>>,
) -> Response {
    let back = f
        .get("back")
        .and_then(folder_id)
        .map_or_else(|| "/trash".to_owned(), |b| format!("/folders/{b}"));
    let items = f.items();
    if items.is_empty() {
        return Message::NothingSelected.redirect(&back);
    }
    let out = s.app.undo_trash(&user.0.user, &items).await;
    match out.first_error {
        None => Message::Undone.redirect(&back),
        Some(e) if out.done == 0 => back_with(&back, e),
        Some(_) => Message::SomeNotDone.redirect(&back),
    }
}

/// POST /folders/{id}/bulk (`op` = move | delete | download, `item`…, `folder` for a move):
/// the file browser's selection; `all=1` instead of items: everything in the folder ("Select
/// all N items in this folder", at most `MAX_ALL_ITEMS`).
pub async fn bulk(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<PairsForm>>,
) -> Response {
    let Some(here) = folder_id(&id) else {
        return PageError::App(AppError::NotFound).into_response();
    };
    let back = format!("/folders/{here}");
    let items = if f.get("all") == Some("1") {
        match s.app.folder_items(&user.0.user, here).await {
            Ok(Some(items)) => items,
            Ok(None) => return Message::TooManyItems.redirect(&back),
            Err(e) => return back_with(&back, e),
        }
    } else {
        f.items()
    };
    if items.is_empty() {
        return Message::NothingSelected.redirect(&back);
    }
    match f.get("op") {
        Some("move") => {
            let Some(target) = f.get("folder").and_then(folder_id) else {
                return Message::NotFound.redirect(&back);
            };
            let out = s.app.move_items(&user.0.user, &items, target).await;
            match out.first_error {
                None => Message::ItemsMoved.redirect(&back),
                Some(e) if out.done == 0 => back_with(&back, e),
                Some(_) => Message::SomeNotDone.redirect(&back),
            }
        }
        Some("delete") => {
            let out = s.app.trash_items(&user.0.user, &items).await;
            match out.first_error {
                None => trashed_redirect(here, Message::ItemsTrashed, &out.items),
                Some(e) if out.done == 0 => back_with(&back, e),
                Some(_) => Message::SomeNotDone.redirect(&back),
            }
        }
        Some("download") => {
            let name = s
                .app
                .folder_name_for(&user.0.user, here)
                .await
                .unwrap_or_else(|| crate::i18n::t("ui.trash.folio_files").to_owned());
            match s.app.zip_items(&user.0.user, &items).await {
                Ok(body) => zip_response(&name, body),
                Err(e) => back_with(&back, e),
            }
        }
        _ => PageError::App(AppError::NotFound).into_response(),
    }
}

/// A streamed zip download named `name.zip` (no length: it is written as it is sent).
fn zip_response(name: &str, body: folio_store::ByteStream) -> Response {
    let mut r = Response::new(Body::from_stream(body));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let file = format!("{name}.zip");
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::auth::encode(&file).replace('/', "%2F")
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// GET /folders/{id}/picker — the move dialog's view of a folder: its name, the way up (what
/// the user can see) and its subfolders, as JSON.
pub async fn picker(State(s): State<AppState>, user: SignedIn, Path(id): Path<String>) -> Response {
    match s.app.folder_picker(&user.0.user, &id).await {
        Ok((view, role)) => {
            let name = if view.folder.parent_id.is_none() {
                crate::i18n::t("ui.trash.my_files").to_owned()
            } else {
                view.folder.name.clone()
            };
            let up: Vec<serde_json::Value> = view
                .ancestors
                .iter()
                .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
                .collect();
            let folders: Vec<serde_json::Value> = view
                .folders
                .iter()
                .map(|f| serde_json::json!({"id": f.id, "name": f.name}))
                .collect();
            let mut r = Json(serde_json::json!({
                "id": view.folder.id,
                "name": name,
                "writable": role >= folio_store::Role::Editor,
                "up": up,
                "folders": folders,
            }))
            .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(_) => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": {"code": "not_found"}})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_lists_are_validated_and_bounded() {
        let id = "a".repeat(22);
        let items = [
            Item::Folder("abc123".into()),
            Item::parse(&format!("f:{id}")).unwrap_or_else(|| panic!("file item")),
        ];
        assert_eq!(undo_param(&items), format!("&undo=d:abc123,f:{id}"));
        assert_eq!(undo_param(&[]), "");
        let many: Vec<Item> = (0..=MAX_UNDO_ITEMS)
            .map(|i| Item::Folder(format!("d{i}")))
            .collect();
        assert_eq!(undo_param(&many), "", "too many for a URL");
        // Only well-formed items survive a crafted URL.
        assert_eq!(
            parse_undo(Some("d:abc123,x:1,d:<script>,d:,f:a!b")),
            ["d:abc123"]
        );
        assert!(parse_undo(None).is_empty());
    }
}
