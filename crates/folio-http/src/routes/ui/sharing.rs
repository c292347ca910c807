//! Sharing: the share dialog of a file or folder (owner only) — who has access and with which
//! role (change, remove), adding people found by the picker (`GET /people?q=`, JSON), and the
//! file's public links (make, revoke) — and "Shared with me". Every form works without script
//! (`static/share.js` adds the picker's suggestions and copies a new link). POSTs are
//! CSRF-checked by `Csrf`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use folio_app::web::{CreatedLink, NewLink, Recipient, ShareDialog, ShareTarget};
use folio_store::Role;
use serde::Deserialize;

use super::file_actions::parse_file;
use super::files::{human_time, icon_for};
use super::render;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;
use crate::routes::ui::message::Message;

/// A person with access, as the dialog lists them.
struct PersonRow {
    id: String,
    name: String,
    login: String,
    editor: bool,
}

/// A public link, as the dialog lists it.
struct LinkRow {
    id: String,
    name: String,
    access: String,
    expires: String,
    expired: bool,
    password: bool,
}

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    name: String,
    is_folder: bool,
    /// `/files/{id}` or `/folders/{id}`: the forms post below it.
    base: String,
    back: String,
    people: Vec<PersonRow>,
    links: Vec<LinkRow>,
    /// The URL of a link just made (shown once: only its hash is stored).
    created: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

/// `?notice=&error=`
#[derive(Debug, Default, Deserialize)]
pub struct Flash {
    pub(crate) notice: Option<String>,
    pub(crate) error: Option<String>,
}

fn target_of<'a>(kind: Kind, id: &'a str, fid: &'a Option<folio_wopi::FileId>) -> ShareTarget<'a> {
    match (kind, fid) {
        (Kind::File, Some(f)) => ShareTarget::File(f),
        _ => ShareTarget::Folder(id),
    }
}

/// Files or folders (the two URL families of the dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Folder,
}

impl Kind {
    fn base(self, id: &str) -> String {
        match self {
            Kind::File => format!("/files/{id}"),
            Kind::Folder => format!("/folders/{id}"),
        }
    }
}

/// The file id of a file URL (`Err`: the 404 answer), `None` for folders.
#[expect(clippy::result_large_err, reason = "the error is the response itself")]
fn file_id(kind: Kind, id: &str) -> Result<Option<folio_wopi::FileId>, Response> {
    match kind {
        Kind::File => parse_file(id).map(Some).map_err(|r| *r),
        Kind::Folder => Ok(None),
    }
}

async fn dialog(
    s: &AppState,
    user: &SignedIn,
    kind: Kind,
    id: &str,
    q: Flash,
    created: Option<CreatedLink>,
) -> Response {
    let fid = match file_id(kind, id) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let d: ShareDialog = match s
        .app
        .share_dialog(&user.0.user, target_of(kind, id, &fid))
        .await
    {
        Ok(d) => d,
        Err(folio_app::AppError::Forbidden(_)) => {
            return PageError::OwnerOnlyShare {
                folder: kind == Kind::Folder,
            }
            .into_response();
        }
        Err(e) => return PageError::App(e).into_response(),
    };
    let now = s.app.now();
    render(
        StatusCode::OK,
        &SharePage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            name: d.name,
            is_folder: d.is_folder,
            base: kind.base(id),
            back: format!("/folders/{}", d.back_folder),
            people: d
                .people
                .into_iter()
                .map(|p| PersonRow {
                    id: p.user.id,
                    name: p.user.name,
                    login: p.user.login,
                    editor: p.role >= Role::Editor,
                })
                .collect(),
            links: d
                .links
                .into_iter()
                .map(|l| LinkRow {
                    expired: !l.is_live(now),
                    expires: l.expires_at.map(human_time).unwrap_or_default(),
                    password: l.password_hash.is_some(),
                    access: if l.role >= Role::Editor {
                        crate::i18n::t("ui.sharing.can_edit")
                    } else {
                        crate::i18n::t("ui.sharing.can_view")
                    },
                    id: l.id,
                    name: l.name,
                })
                .collect(),
            created: created.map(|c| format!("{}/s/{}", s.app.config().public_url, c.secret)),
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
        },
    )
}

/// GET /files/{id}/share
pub async fn share_file_page(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Flash>,
) -> Response {
    let mut r = dialog(&s, &user, Kind::File, &id, q, None).await;
    no_store(&mut r);
    r
}

/// GET /folders/{id}/share
pub async fn share_folder_page(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<Flash>,
) -> Response {
    dialog(&s, &user, Kind::Folder, &id, q, None).await
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The share form: a person (the picker's `user` id, or a typed login or name in `login`)
/// and a role. The role list of the people with access posts here too (`change=1`).
#[derive(Debug, Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    user: String,
    role: String,
    #[serde(default)]
    change: String,
}

csrf_field!(ShareForm);

fn role_of(r: &str) -> Role {
    if r == "editor" {
        Role::Editor
    } else {
        Role::Viewer
    }
}

async fn share(s: &AppState, user: &SignedIn, kind: Kind, id: &str, f: ShareForm) -> Response {
    let fid = match file_id(kind, id) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let back = format!("{}/share", kind.base(id));
    let who = if f.user.trim().is_empty() {
        Recipient::Typed(&f.login)
    } else {
        Recipient::Id(&f.user)
    };
    match s
        .app
        .share(
            &user.0.user,
            target_of(kind, id, &fid),
            who,
            role_of(&f.role),
        )
        .await
    {
        Ok(()) if f.change == "1" => Message::RoleChanged.redirect(&back),
        Ok(()) => Message::Shared.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/share
pub async fn share_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<ShareForm>>,
) -> Response {
    share(&s, &user, Kind::File, &id, f).await
}

/// POST /folders/{id}/share
pub async fn share_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<ShareForm>>,
) -> Response {
    share(&s, &user, Kind::Folder, &id, f).await
}

/// "Remove access": the person's user id.
#[derive(Debug, Deserialize)]
pub struct UnshareForm {
    #[serde(default)]
    csrf: String,
    user: String,
}

csrf_field!(UnshareForm);

async fn unshare(s: &AppState, user: &SignedIn, kind: Kind, id: &str, f: UnshareForm) -> Response {
    let fid = match file_id(kind, id) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let back = format!("{}/share", kind.base(id));
    match s
        .app
        .unshare(&user.0.user, target_of(kind, id, &fid), &f.user)
        .await
    {
        Ok(()) => Message::Unshared.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/unshare
pub async fn unshare_file(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<UnshareForm>>,
) -> Response {
    unshare(&s, &user, Kind::File, &id, f).await
}

/// POST /folders/{id}/unshare
pub async fn unshare_folder(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<UnshareForm>>,
) -> Response {
    unshare(&s, &user, Kind::Folder, &id, f).await
}

/// "Create link": a label, view or edit, an optional expiry (`datetime-local` or a date, in the
/// browser's time zone: `tz` is its `getTimezoneOffset()` in minutes, 0 without script) and
/// an optional password.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    access: String,
    #[serde(default)]
    expires: String,
    #[serde(default)]
    tz: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for LinkForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkForm { .. }")
    }
}

csrf_field!(LinkForm);

/// POST /files/{id}/links — makes the link and answers the dialog with its URL (200, not a
/// redirect: the secret is shown once and never put in a URL).
pub async fn create_link(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(f)): Csrf<Form<LinkForm>>,
) -> Response {
    let fid = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("/files/{id}/share");
    let tz =
        f.tz.trim()
            .parse::<i64>()
            .unwrap_or(0)
            .clamp(-24 * 60, 24 * 60);
    let expires_at = match f.expires.trim() {
        "" => None,
        t => match local_time_ms(t, tz) {
            Some(ms) => Some(ms),
            None => return back_with(&back, folio_app::AppError::LinkExpiryPast),
        },
    };
    let new = NewLink {
        name: f.name,
        edit: f.access == "edit",
        password: Some(f.password).filter(|p| !p.is_empty()),
        expires_at,
    };
    match s.app.create_link(&user.0.user, &fid, new).await {
        Ok(created) => {
            let mut r = dialog(&s, &user, Kind::File, &id, Flash::default(), Some(created)).await;
            no_store(&mut r);
            r
        }
        Err(e) => back_with(&back, e),
    }
}

/// POST /files/{id}/links/{link}/revoke
pub async fn revoke_link(
    State(s): State<AppState>,
    Path((id, link)): Path<(String, String)>,
    Csrf(user, Form(_)): Csrf<Form<super::auth::CsrfForm>>,
) -> Response {
    let fid = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let back = format!("/files/{id}/share");
    match s.app.revoke_link(&user.0.user, &fid, &link).await {
        Ok(()) => Message::LinkRevoked.redirect(&back),
        Err(e) => back_with(&back, e),
    }
}

/// `YYYY-MM-DD` (the end of that day) or `YYYY-MM-DDTHH:MM[:SS]`, in a zone `tz` minutes
/// behind UTC (JavaScript's `getTimezoneOffset`), as Unix ms. `None` if malformed.
pub fn local_time_ms(t: &str, tz_minutes: i64) -> Option<i64> {
    let (date, time) = match t.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (t, None),
    };
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let secs_of_day = match time {
        None => 24 * 3600 - 1,
        Some(t) => {
            let mut p = t.splitn(3, ':').map(|p| p.parse::<i64>().ok());
            let (h, mi) = (p.next()??, p.next()??);
            let s = p.next().map_or(Some(0), |s| s).unwrap_or(0);
            if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&s) {
                return None;
            }
            h * 3600 + mi * 60 + s
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let (yy, mm) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + secs_of_day) + tz_minutes * 60) * 1000)
}

/// `?q=`
#[derive(Debug, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    q: String,
}

/// GET /people?q= — the picker's suggestions for a signed-in user: at most eight enabled
/// people whose name or login contains `q`, as `[{"id","name","login"}]` (no e-mail), never
/// cached.
pub async fn people(
    State(s): State<AppState>,
    user: SignedIn,
    Query(q): Query<PeopleQuery>,
) -> Response {
    match s.app.find_people(&user.0.user, &q.q).await {
        Ok(found) => {
            let body: Vec<serde_json::Value> = found
                .into_iter()
                .map(|u| serde_json::json!({ "id": u.id, "name": u.name, "login": u.login }))
                .collect();
            let mut r = Json(body).into_response();
            no_store(&mut r);
            r
        }
        Err(e) => crate::error::page::UploadError::App(e).into_response(),
    }
}

struct SharedFile {
    id: String,
    name: String,
    icon: &'static str,
    role: String,
    can_edit: bool,
    owner: String,
}

struct SharedFolder {
    id: String,
    name: String,
    role: String,
    owner: String,
}

#[derive(Template)]
#[template(path = "shared.html")]
struct SharedPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    folders: Vec<SharedFolder>,
    files: Vec<SharedFile>,
}

fn role_name(r: Role) -> String {
    match r {
        Role::Viewer => crate::i18n::t("ui.sharing.can_view"),
        Role::Editor => crate::i18n::t("ui.sharing.can_edit"),
        Role::Owner => crate::i18n::t("ui.sharing.owner"),
    }
}

/// GET /shared
pub async fn shared(State(s): State<AppState>, user: SignedIn) -> Response {
    let (folders, files) = match s.app.shared_with_me(&user.0.user).await {
        Ok(x) => x,
        Err(e) => return PageError::App(e).into_response(),
    };
    let owners: Vec<String> = folders
        .iter()
        .map(|(f, _)| f.owner_id.clone())
        .chain(files.iter().map(|(f, _)| f.owner_id.clone()))
        .collect();
    let names = match s.app.owner_names(&owners).await {
        Ok(n) => n,
        Err(e) => return PageError::App(e).into_response(),
    };
    let owner = |id: &str| names.get(id).cloned().unwrap_or_default();
    render(
        StatusCode::OK,
        &SharedPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            folders: folders
                .into_iter()
                .map(|(f, r)| SharedFolder {
                    owner: owner(&f.owner_id),
                    id: f.id,
                    name: f.name,
                    role: role_name(r),
                })
                .collect(),
            files: files
                .into_iter()
                .map(|(f, r)| SharedFile {
                    id: f.id.to_string(),
                    icon: icon_for(&f.name),
                    name: f.name,
                    role: role_name(r),
                    can_edit: r >= Role::Editor,
                    owner: owner(&f.owner_id),
                })
                .collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::local_time_ms;

    #[test]
    fn expiry_times_are_read_in_the_browsers_zone() {
        // 2026-12-03T10:00 UTC = 1796292000 s.
        assert_eq!(
            local_time_ms("2026-12-03T10:00", 0),
            Some(1_796_292_000_000)
        );
        assert_eq!(
            local_time_ms("2026-12-03T10:00:30", 0),
            Some(1_796_292_030_000)
        );
        // Central Europe in winter: getTimezoneOffset() = -60, so 11:00 there is 10:00 UTC.
        assert_eq!(
            local_time_ms("2026-12-03T11:00", -60),
            Some(1_796_292_000_000)
        );
        // A date alone is the end of that day.
        assert_eq!(local_time_ms("2026-12-03", 0), Some(1_796_342_399_000));
        assert_eq!(local_time_ms("1970-01-01T00:00", 0), Some(0));
        assert_eq!(
            local_time_ms("2024-02-29T00:00", 0),
            Some(1_709_164_800_000)
        );
        for bad in [
            "",
            "2026-13-01",
            "2026-12-03T25:00",
            "x",
            "2026-12",
            "2026-12-03T10",
        ] {
            assert_eq!(local_time_ms(bad, 0), None, "{bad}");
        }
    }
}
