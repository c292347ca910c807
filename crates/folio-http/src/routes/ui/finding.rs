//! Finding things: `/search?q=` (names across everything the user can see, pages of 50 with a
//! "More results" cursor), `/recent`, `/favourites` (and `POST /favourites` to star or unstar),
//! and a file's details (`/files/{id}/details`: size, type, versions, who has access, recent
//! activity, the lock's holder; `static/folio.js` shows it in a side panel of the folder page).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use folio_app::folio_store::{FoundItem, ItemRef, Role, SearchHit};
use folio_wopi::naming;
use serde::Deserialize;

use super::file_actions::parse_file;
use super::files::{human_size, human_time, icon_for};
use super::render;
use crate::AppState;
use crate::error::page::PageError;
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;

/// Search hits per page.
pub const SEARCH_PAGE: usize = 50;
/// Entries of Recent.
pub const RECENT_LIMIT: usize = 50;

/// Where an item is, in words and as a link: "My files / a / b", "Shared with me / …".
fn location(hit: &SearchHit) -> (String, Option<String>) {
    let folder_link = |id: &str| Some(format!("/folders/{id}"));
    let parent = match &hit.item {
        FoundItem::File(f) => Some(f.folder_id.clone()),
        FoundItem::Folder(d) => d.parent_id.clone(),
    };
    match &hit.path {
        None => (
            crate::i18n::t("ui.finding.shared_with_me").to_owned(),
            Some("/shared".to_owned()),
        ),
        Some(names) => {
            let top = if hit.own {
                crate::i18n::t("ui.finding.my_files")
            } else {
                crate::i18n::t("ui.finding.shared_with_me")
            };
            let mut words = top.to_owned();
            for n in names {
                words.push_str(" / ");
                words.push_str(n);
            }
            let link = match parent {
                // The top of a share the user reaches only through "Shared with me".
                _ if !hit.own && names.is_empty() => Some("/shared".to_owned()),
                Some(p) => folder_link(&p),
                None => None,
            };
            (words, link)
        }
    }
}

/// The link that opens a file from a list: the editor when one handles it, else a download.
async fn open_href(s: &AppState, id: &str, name: &str) -> String {
    let (_, ext) = naming::split_ext(name);
    if s.app
        .editors()
        .actions_for(ext.trim_start_matches('.'))
        .await
        .is_empty()
    {
        format!("/files/{id}/download")
    } else {
        format!("/open/{id}?action=view")
    }
}

struct HitRow {
    id: String,
    name: String,
    icon: &'static str,
    href: String,
    location: String,
    where_href: Option<String>,
    size: String,
    modified: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    q: String,
    hits: Vec<HitRow>,
    next: Option<String>,
    error: Option<String>,
}

/// `?q=&after=`
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

/// The cursor of a hit: `id~name_key` (ids never hold `~`).
fn cursor(hit: &SearchHit) -> String {
    format!("{}~{}", hit.item.id(), hit.name_key)
}

fn parse_cursor(s: &str) -> Option<(String, String)> {
    let (id, key) = s.split_once('~')?;
    Some((key.to_owned(), id.to_owned()))
}

/// GET /search?q=TEXT[&after=CURSOR]
pub async fn search(
    State(s): State<AppState>,
    user: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Response {
    let after = q.after.as_deref().and_then(parse_cursor);
    let (hits, error) = match s
        .app
        .search(&user.0.user, &q.q, after, SEARCH_PAGE + 1)
        .await
    {
        Ok(h) => (h, None),
        Err(folio_app::AppError::InvalidName(why)) => {
            let why = crate::error::page::name_error(&why);
            let text = crate::i18n::targs(
                "ui.finding.that_search_cannot_be_used",
                &[("why", &why as &dyn std::fmt::Display)],
            );
            (Vec::new(), Some(text))
        }
        Err(e) => return PageError::App(e).into_response(),
    };
    let more = hits.len() > SEARCH_PAGE;
    let shown = &hits[..hits.len().min(SEARCH_PAGE)];
    let next = if more {
        shown.last().map(|h| {
            format!(
                "/search?q={}&after={}",
                super::auth::encode(q.q.trim()),
                super::auth::encode(&cursor(h))
            )
        })
    } else {
        None
    };
    let mut rows = Vec::with_capacity(shown.len());
    for h in shown {
        let (location, where_href) = location(h);
        rows.push(match &h.item {
            FoundItem::Folder(d) => HitRow {
                id: d.id.clone(),
                name: d.name.clone(),
                icon: "folder",
                href: format!("/folders/{}", d.id),
                location,
                where_href,
                size: "—".to_owned(),
                modified: String::new(),
            },
            FoundItem::File(f) => HitRow {
                id: f.id.to_string(),
                name: f.name.clone(),
                icon: icon_for(&f.name),
                href: open_href(&s, f.id.as_str(), &f.name).await,
                location,
                where_href,
                size: human_size(f.content.size),
                modified: human_time(f.content.created_at),
            },
        });
    }
    render(
        StatusCode::OK,
        &SearchPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            q: q.q.trim().to_owned(),
            hits: rows,
            next,
            error,
        },
    )
}

struct RecentRow {
    id: String,
    name: String,
    icon: &'static str,
    href: String,
    location: String,
    where_href: String,
    when: String,
}

#[derive(Template)]
#[template(path = "recent.html")]
struct RecentPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    files: Vec<RecentRow>,
}

/// GET /recent
pub async fn recent(State(s): State<AppState>, user: SignedIn) -> Response {
    let files = match s.app.recent(&user.0.user, RECENT_LIMIT).await {
        Ok(f) => f,
        Err(e) => return PageError::App(e).into_response(),
    };
    let mut rows = Vec::with_capacity(files.len());
    for (f, at) in files {
        let where_href = s
            .app
            .back_to_folder(&user.0.user, &f.folder_id)
            .await
            .unwrap_or_else(|_| "/shared".to_owned());
        let location = if where_href == "/shared" {
            crate::i18n::t("ui.finding.shared_with_me").to_owned()
        } else {
            f.folder_name
                .clone()
                .unwrap_or_else(|| crate::i18n::t("ui.finding.my_files").to_owned())
        };
        rows.push(RecentRow {
            id: f.id.to_string(),
            icon: icon_for(&f.name),
            href: open_href(&s, f.id.as_str(), &f.name).await,
            location,
            where_href,
            when: human_time(at),
            name: f.name,
        });
    }
    render(
        StatusCode::OK,
        &RecentPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            files: rows,
        },
    )
}

struct FavRow {
    id: String,
    kind: &'static str,
    name: String,
    icon: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "favourites.html")]
struct FavouritesPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    items: Vec<FavRow>,
    error: Option<String>,
}

/// `?error=`
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    error: Option<String>,
}

/// GET /favourites
pub async fn favourites(
    State(s): State<AppState>,
    user: SignedIn,
    Query(q): Query<Flash>,
) -> Response {
    let (folders, files) = match s.app.favourites(&user.0.user).await {
        Ok(v) => v,
        Err(e) => return PageError::App(e).into_response(),
    };
    let mut items: Vec<FavRow> = folders
        .into_iter()
        .map(|d| FavRow {
            href: format!("/folders/{}", d.id),
            id: d.id,
            kind: "folder",
            icon: "folder",
            name: if d.parent_id.is_none() {
                crate::i18n::t("ui.finding.my_files").to_owned()
            } else {
                d.name
            },
        })
        .collect();
    for f in files {
        items.push(FavRow {
            id: f.id.to_string(),
            kind: "file",
            icon: icon_for(&f.name),
            href: open_href(&s, f.id.as_str(), &f.name).await,
            name: f.name,
        });
    }
    render(
        StatusCode::OK,
        &FavouritesPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            items,
            error: super::message::error(q.error.as_deref()),
        },
    )
}

/// The star form: `on` (`1` star, else unstar), `back` (a page of this site to return to).
#[derive(Debug, Deserialize)]
pub struct StarForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    back: String,
}

csrf_field!(StarForm);

async fn set_star(s: &AppState, user: &SignedIn, item: ItemRef, f: &StarForm) -> Response {
    // Only a page of this site (`auth::safe_next`: no open redirect).
    let back = super::auth::safe_next(&f.back);
    match s.app.set_favourite(&user.0.user, &item, f.on == "1").await {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => crate::error::page::back_with(&back, e),
    }
}

/// POST /files/{id}/favourite → `App::set_favourite`, then back.
pub async fn star_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<StarForm>>,
) -> Response {
    match parse_file(&id) {
        Ok(id) => set_star(&s, &user, ItemRef::File(id), &f).await,
        Err(r) => *r,
    }
}

/// POST /folders/{id}/favourite → `App::set_favourite`, then back.
pub async fn star_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<StarForm>>,
) -> Response {
    set_star(&s, &user, ItemRef::Folder(id), &f).await
}

#[derive(Template)]
#[template(path = "details.html")]
struct DetailsPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    id: String,
    name: String,
    kind: String,
    size: String,
    modified: String,
    owner: String,
    role: String,
    versions: usize,
    /// Who holds the lock, and since when (when known).
    lock: Option<(String, Option<String>)>,
    show_access: bool,
    access: Vec<(String, String, Option<String>)>,
    activity: Vec<(String, String, String)>,
    starred: bool,
    back: String,
    back_is_shared: bool,
}

/// An audit action in words for the details panel (unknown ones as their code).
fn action_words(action: &str) -> String {
    use folio_app::audit::action as a;

    match action {
        a::FILE_OPEN => crate::i18n::t("ui.finding.opened_it"),
        a::FILE_DOWNLOAD => crate::i18n::t("ui.finding.downloaded_it"),
        a::FILE_SAVE => crate::i18n::t("ui.finding.saved_a_version"),
        a::FILE_CREATE => crate::i18n::t("ui.finding.created_it"),
        a::FILE_RENAME => crate::i18n::t("ui.finding.renamed_it"),
        a::FILE_MOVE => crate::i18n::t("ui.finding.moved_it"),
        a::FILE_DELETE => crate::i18n::t("ui.finding.deleted_it"),
        a::FILE_RESTORE => crate::i18n::t("ui.finding.restored_a_version"),
        a::FILE_SHARE => crate::i18n::t("ui.finding.shared_it"),
        a::FILE_UNSHARE => crate::i18n::t("ui.finding.removed_a_share"),
        a::PUBLIC_LINK_USE => crate::i18n::t("ui.finding.opened_it_through_a_public"),
        a::ADMIN_LOCK_RELEASE => crate::i18n::t("ui.finding.released_its_lock_administrator"),
        other => other.to_owned(),
    }
}

fn role_word(r: Role) -> String {
    match r {
        Role::Owner => crate::i18n::t("ui.finding.owner"),
        Role::Editor => crate::i18n::t("ui.finding.can_edit"),
        Role::Viewer => crate::i18n::t("ui.finding.can_view"),
    }
}

/// The type of a file in words, from its extension.
fn kind_word(name: &str) -> String {
    let (_, ext) = naming::split_ext(name);
    let ext = ext.trim_start_matches('.').to_ascii_lowercase();
    let what = match icon_for(name) {
        "word" => crate::i18n::t("ui.finding.word_document"),
        "excel" => crate::i18n::t("ui.finding.spreadsheet"),
        "powerpoint" => crate::i18n::t("ui.finding.presentation"),
        "pdf" => crate::i18n::t("ui.finding.pdf_document"),
        "text" => crate::i18n::t("ui.finding.text"),
        "image" => crate::i18n::t("ui.finding.image"),
        _ => crate::i18n::t("ui.finding.file"),
    };
    if ext.is_empty() {
        what
    } else {
        crate::i18n::t2("ui.finding.kind_with_extension", "kind", what, "ext", ext)
    }
}

/// GET /files/{id}/details
pub async fn details(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let d = match s.app.file_details(&user.0.user, &id).await {
        Ok(d) => d,
        Err(e) => return PageError::App(e).into_response(),
    };
    let back = s
        .app
        .back_to_folder(&user.0.user, &d.file.folder_id)
        .await
        .unwrap_or_else(|_| "/".to_owned());
    let lock = d.lock.map(|(who, since)| {
        (
            who.unwrap_or_else(|| "someone".to_owned()),
            since.map(human_time),
        )
    });
    render(
        StatusCode::OK,
        &DetailsPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            id: id.to_string(),
            kind: kind_word(&d.file.name),
            size: human_size(d.file.content.size),
            modified: human_time(d.file.content.created_at),
            owner: d.owner_name,
            role: role_word(d.role),
            versions: d.versions,
            lock,
            show_access: d.role >= Role::Editor,
            access: d
                .access
                .into_iter()
                .map(|a| (a.user_name, role_word(a.role), a.through_folder))
                .collect(),
            activity: d
                .activity
                .into_iter()
                .map(|a| {
                    (
                        human_time(a.at),
                        a.actor_name.unwrap_or_else(|| "someone".to_owned()),
                        action_words(&a.action),
                    )
                })
                .collect(),
            starred: d.starred,
            back_is_shared: back == "/shared",
            back,
            name: d.file.name,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_cursors_round_trip() {
        assert_eq!(
            parse_cursor("id1~a~b.txt"),
            Some(("a~b.txt".to_owned(), "id1".to_owned()))
        );
        assert_eq!(parse_cursor("nothing"), None);
    }
}
