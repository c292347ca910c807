//! The file browser: home (redirects to the user's root), folders, versions, downloads.

use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use folio_wopi::{FileId, naming};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::error::page::PageError;
use crate::extract::session::SignedIn;

/// A file row.
pub struct FileRow {
    id: String,
    name: String,
    icon: &'static str,
    size: String,
    modified: Stamp,
    can_open: bool,
    can_edit: bool,
    locked: bool,
    /// Shared with someone or through a live public link (the owner's "Shared" mark).
    shared: bool,
    /// In the user's favourites.
    starred: bool,
}

/// A folder row.
pub struct FolderRow {
    id: String,
    name: String,
    /// Shared with someone (the owner's "Shared" mark).
    shared: bool,
    /// In the user's favourites.
    starred: bool,
}

/// A link of the sortable column headings and the pager.
pub struct Link {
    href: String,
}

#[derive(Template)]
#[template(path = "folder.html")]
struct FolderPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    folder_id: String,
    folder_name: String,
    crumbs: Vec<(String, String)>,
    folders: Vec<FolderRow>,
    files: Vec<FileRow>,
    notice: Option<String>,
    error: Option<String>,
    no_editor: bool,
    can_write: bool,
    is_owner: bool,
    max_size: u64,
    /// What the delete that led here moved to the trash (`f:…`/`d:…`): the notice's "Undo".
    undo: Vec<String>,
    sort_name: Link,
    sort_size: Link,
    sort_modified: Link,
    /// `sort` and `dir` of the current view, for aria-sort.
    sort: &'static str,
    desc: bool,
    prev: Option<Link>,
    next: Option<Link>,
    /// "first–last of total" of this page (1-based; 0 when empty).
    first: usize,
    last: usize,
    total: usize,
    /// Organisation templates for "New → from template": (id, name, kind code).
    templates: Vec<(String, String, &'static str)>,
}

/// `?sort=&dir=&after=&before=&notice=&error=` of the folder page.
#[derive(Debug, Default, Deserialize)]
pub struct FolderQuery {
    sort: Option<String>,
    dir: Option<String>,
    after: Option<String>,
    before: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    /// The items a delete just moved to the trash (`super::trash::parse_undo`).
    undo: Option<String>,
}

impl FolderQuery {
    /// `?notice=`.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }
    /// `?error=`.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// Human-readable size.
/// The form value naming a document kind (`word`, `excel`, `powerpoint`).
pub fn kind_code(k: folio_ooxml::Kind) -> &'static str {
    match k {
        folio_ooxml::Kind::Word => "word",
        folio_ooxml::Kind::Excel => "excel",
        folio_ooxml::Kind::PowerPoint => "powerpoint",
    }
}

/// The kind a form value names.
pub fn parse_kind_code(code: &str) -> Option<folio_ooxml::Kind> {
    folio_ooxml::Kind::ALL
        .into_iter()
        .find(|k| kind_code(*k) == code)
}

pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `YYYY-MM-DD HH:MM UTC`.
pub fn human_time(ms: i64) -> String {
    let t = folio_wopi::wire::format_wopi_time(ms);
    match (t.get(..10), t.get(11..16)) {
        (Some(d), Some(hm)) => format!("{d} {hm} UTC"),
        _ => t,
    }
}

/// A moment shown to people: `<time datetime="…Z">YYYY-MM-DD HH:MM UTC</time>`. folio.js
/// rewrites the text into the person's own time zone and locale (the UTC text stays for a
/// browser without script, and the `title` keeps the exact UTC moment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub i64);

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Both parts are digits, '-', ':', 'T', '.', 'Z', ' ' and "UTC": nothing to escape.
        let wopi = folio_wopi::wire::format_wopi_time(self.0);
        // `YYYY-MM-DDTHH:MM:SSZ` (the WOPI form has seven fraction digits, which not every
        // `Date` parser takes).
        let iso = wopi.get(..19).map_or(wopi.clone(), |s| format!("{s}Z"));
        write!(
            f,
            "<time datetime=\"{iso}\" title=\"{iso}\">{}</time>",
            human_time(self.0)
        )
    }
}

impl askama::filters::HtmlSafe for Stamp {}

/// An icon class per file type (drawn by CSS, no icon font needed).
pub fn icon_for(name: &str) -> &'static str {
    let (_, ext) = naming::split_ext(name);
    match ext.to_ascii_lowercase().as_str() {
        ".docx" | ".doc" | ".odt" | ".rtf" => "word",
        ".xlsx" | ".xls" | ".ods" | ".csv" => "excel",
        ".pptx" | ".ppt" | ".odp" => "powerpoint",
        ".pdf" => "pdf",
        ".txt" | ".md" => "text",
        ".png" | ".jpg" | ".jpeg" | ".gif" | ".svg" => "image",
        _ => "file",
    }
}

/// GET /
pub async fn home(user: SignedIn) -> Response {
    Redirect::to(&format!("/folders/{}", user.0.user.root_folder_id)).into_response()
}

/// GET /folders/{id}[?sort=name|size|modified&dir=asc|desc&after=|before=CURSOR] — one page
/// (`listing::PAGE_SIZE` entries) of the folder, folders first, read from the store as one
/// keyset page (`App::folder_page`); the cursors are `super::listing::Key`s.
pub async fn folder(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<FolderQuery>,
) -> Response {
    use super::listing::{self, Key, Sort};
    let sort = Sort::parse(q.sort.as_deref());
    let desc = q.dir.as_deref() == Some("desc");
    let query = folio_store::ListingQuery {
        sort: sort.to_store(),
        desc,
        position: listing::store_position(q.after.as_deref(), q.before.as_deref()),
        limit: listing::PAGE_SIZE,
    };
    let (view, role) = match s.app.folder_page(&user.0.user, &id, &query).await {
        Ok(v) => v,
        Err(e) => return PageError::App(e).into_response(),
    };
    let page = view.page;
    let keys: Vec<folio_store::ListingKey> = page
        .folders
        .iter()
        .map(folio_store::ListingKey::of_folder)
        .chain(
            page.files
                .iter()
                .map(|f| folio_store::ListingKey::of_file(f, sort.to_store())),
        )
        .collect();
    let total = usize::try_from(page.total).unwrap_or(usize::MAX);
    let first = usize::try_from(page.before).unwrap_or(0);
    let last = first + keys.len();
    let keys_empty = keys.is_empty();
    let prev = (first > 0)
        .then(|| keys.first().map(|k| Key::from_store(k).cursor()))
        .flatten();
    let next = (last < total)
        .then(|| keys.last().map(|k| Key::from_store(k).cursor()))
        .flatten();
    let now = s.app.now();
    // Only the owner sees which rows are shared (a recipient does not learn who else is).
    let (shared_folders, shared_files) = if role == folio_store::Role::Owner {
        match s.app.shared_marks(&view.folder.id).await {
            Ok(m) => m,
            Err(e) => return PageError::App(e).into_response(),
        }
    } else {
        Default::default()
    };
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for f in page.folders {
        folders.push(FolderRow {
            starred: view.starred.contains(&f.id),
            shared: shared_folders.contains(&f.id),
            id: f.id,
            name: f.name,
        });
    }
    for f in page.files {
        let (_, ext) = naming::split_ext(&f.name);
        let actions = s
            .app
            .editors()
            .actions_for(ext.trim_start_matches('.'))
            .await;
        files.push(FileRow {
            id: f.id.to_string(),
            icon: icon_for(&f.name),
            size: human_size(f.content.size),
            modified: Stamp(f.content.created_at),
            can_open: !actions.is_empty(),
            can_edit: actions.iter().any(|a| a == "edit"),
            locked: f.lock.as_ref().is_some_and(|l| l.is_live(now)),
            starred: view.starred.contains(f.id.as_str()),
            shared: shared_files.contains(&f.id),
            name: f.name,
        });
    }
    let dir = if desc { "desc" } else { "asc" };
    let link = |extra: String| Link {
        href: format!("?sort={}&dir={dir}{extra}", sort.as_str()),
    };
    let heading = |col: Sort| {
        let flip = if col == sort && !desc { "desc" } else { "asc" };
        Link {
            href: format!("?sort={}&dir={flip}", col.as_str()),
        }
    };
    let templates = if role >= folio_store::Role::Editor {
        match s.app.templates().await {
            Ok(t) => t
                .into_iter()
                .map(|t| (t.template.id, t.template.name, kind_code(t.kind)))
                .collect(),
            Err(e) => return PageError::App(e).into_response(),
        }
    } else {
        Vec::new()
    };
    let folder_name = if view.folder.parent_id.is_none() {
        crate::i18n::t("ui.files.my_files").to_owned()
    } else {
        view.folder.name.clone()
    };
    render(
        StatusCode::OK,
        &FolderPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            folder_id: view.folder.id.clone(),
            folder_name,
            crumbs: view.ancestors,
            folders,
            files,
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
            no_editor: s.app.editors().is_empty(),
            can_write: role >= folio_store::Role::Editor,
            is_owner: role == folio_store::Role::Owner,
            max_size: s.app.config().max_file_size,
            // An editor's deletes go to the owner's trash; the editor may still undo them
            // right after (`App::restore_from_trash`, `may_undo`).
            undo: if role >= folio_store::Role::Editor {
                super::trash::parse_undo(q.undo.as_deref())
            } else {
                Vec::new()
            },
            sort_name: heading(Sort::Name),
            sort_size: heading(Sort::Size),
            sort_modified: heading(Sort::Modified),
            sort: sort.as_str(),
            desc,
            prev: prev.map(|c| link(format!("&before={}", super::auth::encode(&c)))),
            next: next.map(|c| link(format!("&after={}", super::auth::encode(&c)))),
            first: if keys_empty { 0 } else { first + 1 },
            last,
            total,
            templates,
        },
    )
}

struct VersionRow {
    version: i64,
    current: bool,
    saved: Stamp,
    size: String,
    author: String,
    source: String,
    /// How it was saved, in words, and the kind's code (`data-kind`).
    kind: String,
    kind_code: &'static str,
}

/// Which client saved a version, in words: Folio's own codes through the catalog, an editor's
/// name as it is.
fn source_words(source: &str) -> String {
    match source {
        "import" => crate::i18n::t("ui.files.source_import"),
        "upload" => crate::i18n::t("ui.files.source_upload"),
        "wopi" => crate::i18n::t("ui.files.source_wopi"),
        other => other.to_owned(),
    }
}

/// The version retention policy in words (the versions and admin pages).
pub fn retention_words(p: &folio_app::retention::RetentionPolicy) -> String {
    if !p.enabled {
        return crate::i18n::t("ui.files.retention_off");
    }
    crate::i18n::t2(
        "ui.files.retention",
        "keep",
        span_words(p.keep_all_ms),
        "hourly",
        span_words(p.hourly_ms),
    )
}

fn span_words(ms: i64) -> String {
    const HOUR_MS: i64 = 3_600_000;
    let hours = ms / HOUR_MS;
    if hours % 24 == 0 && hours > 0 {
        crate::i18n::tn("ui.files.span_days", hours / 24)
    } else {
        crate::i18n::tn("ui.files.span_hours", hours)
    }
}

/// A version's kind as the versions page says it.
pub fn version_kind_words(k: folio_store::VersionKind) -> String {
    match k {
        folio_store::VersionKind::Autosave => crate::i18n::t("ui.files.autosave"),
        folio_store::VersionKind::Save => crate::i18n::t("ui.files.saved"),
        folio_store::VersionKind::ExitSave => crate::i18n::t("ui.files.saved_on_close"),
        folio_store::VersionKind::Upload => crate::i18n::t("ui.files.uploaded"),
        folio_store::VersionKind::Restored => crate::i18n::t("ui.files.restored"),
    }
}

/// One recent AddActivities activity, as the details page shows it.
struct ActivityRow {
    when: Stamp,
    who: String,
    what: String,
    text: String,
    mentioned: String,
}

#[derive(Template)]
#[template(path = "versions.html")]
struct VersionsPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    can_write: bool,
    notice: Option<String>,
    error: Option<String>,
    file_id: String,
    file_name: String,
    /// "Back": the folder, or "Shared with me" for a file shared on its own.
    back: String,
    back_is_shared: bool,
    versions: Vec<VersionRow>,
    activities: Vec<ActivityRow>,
    /// The retention policy in words.
    retention: String,
}

/// GET /files/{id}/versions
pub async fn versions(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<FolderQuery>,
) -> Response {
    let Ok(id) = FileId::parse(&id) else {
        return PageError::from(folio_wopi::WopiError::FileNotFound).into_response();
    };
    let (file, versions) = match s.app.versions_view(&user.0.user, &id).await {
        Ok(v) => v,
        Err(e) => return PageError::App(e).into_response(),
    };
    let can_write = matches!(
        s.app.file_for_user(&user.0.user, &id).await,
        Ok((_, r)) if r >= folio_store::Role::Editor
    );
    let back = s
        .app
        .back_to_folder(&user.0.user, &file.folder_id)
        .await
        .unwrap_or_else(|_| "/".to_owned());
    let rows = versions
        .into_iter()
        .map(|v| VersionRow {
            version: v.record.version,
            current: v.record.version == file.version,
            saved: Stamp(v.record.content.created_at),
            size: human_size(v.record.content.size),
            author: v.author,
            source: source_words(&v.record.content.source),
            kind: version_kind_words(v.record.content.kind),
            kind_code: v.record.content.kind.as_str(),
        })
        .collect();
    let activities = s
        .app
        .recent_activities(&user.0.user, &id, 20)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| ActivityRow {
            when: Stamp(a.created_at),
            who: a.user_name,
            what: match a.action.as_deref() {
                Some(action) => format!("{} {action}", a.kind),
                None => a.kind,
            },
            text: a.comment_text.unwrap_or_default(),
            mentioned: a.mentioned.join(", "),
        })
        .collect();
    render(
        StatusCode::OK,
        &VersionsPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            can_write,
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
            file_id: id.to_string(),
            file_name: file.name,
            back_is_shared: back == "/shared",
            back,
            versions: rows,
            activities,
            retention: retention_words(&s.app.config().retention),
        },
    )
}

/// `?version=N`
#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    version: Option<i64>,
}

/// GET /files/{id}/download[?version=N] — streamed, as an attachment.
pub async fn download(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let Ok(id) = FileId::parse(&id) else {
        return PageError::from(folio_wopi::WopiError::FileNotFound).into_response();
    };
    match s.app.download(&user.0.user, &id, q.version).await {
        Ok((name, size, body)) => {
            let mut r = Response::new(Body::from_stream(body));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
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
            let disposition = format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                super::auth::encode(&name).replace('/', "%2F")
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => PageError::App(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_a_time_element_with_its_utc_moment() {
        let cases = [
            (0, "1970-01-01T00:00:00Z", "1970-01-01 00:00 UTC"),
            (
                1_796_301_296_789,
                "2026-12-03T12:34:56Z",
                "2026-12-03 12:34 UTC",
            ),
        ];
        for (ms, iso, text) in cases {
            assert_eq!(
                Stamp(ms).to_string(),
                format!("<time datetime=\"{iso}\" title=\"{iso}\">{text}</time>"),
                "{ms}"
            );
        }
    }
}
