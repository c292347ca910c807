//! The admin page (`/admin`, administrators only via the `Admin` extractor): users, live locks
//! and editing sessions, editors' discovery state, webhook deliveries; and its actions (create a
//! user, disable/enable, reset a password, release a lock, revoke an OAuth grant), CSRF-checked
//! by `Csrf`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;

use super::file_actions::parse_file;
use super::files::{human_size, human_time};
use super::folder_actions::CsrfOnly;
use super::render;
use super::sharing::Flash;
use crate::AppState;
use crate::error::page::UploadError;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, Upload, csrf_field};
use crate::extract::session::Admin;
use crate::routes::ui::message::Message;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    notice: Option<String>,
    error: Option<String>,
    users: Vec<folio_store::UserRecord>,
    /// Locks: (file name, file id, lock id, holder, age, expires).
    locks: Vec<(String, String, String, String, String, String)>,
    /// Live editing sessions: (file, user, editor, access, since, last activity).
    sessions: Vec<(String, String, String, &'static str, String, String)>,
    editors: Vec<(String, &'static str, String, String, &'static str)>,
    deliveries: Vec<(String, String, String, String, i64, String)>,
    /// OAuth grants: (id, user login, app, connected, last used).
    grants: Vec<(String, String, String, String, String)>,
    /// Organisation templates: (id, name, kind, size, uploaded).
    templates: Vec<(String, String, &'static str, String, String)>,
    /// Version retention: the policy in words, versions dropped and storage freed in total,
    /// and the last sweep (when, dropped, freed).
    retention_policy: String,
    retention_total: (u64, String),
    retention_last: Option<(String, u64, String)>,
}

/// GET /admin
pub async fn admin(
    State(s): State<AppState>,
    Admin(user): Admin,
    Query(q): Query<Flash>,
) -> Response {
    let users = match s.app.admin_users().await {
        Ok(u) => u,
        Err(e) => return PageError::App(e).into_response(),
    };
    let (locks, sessions) = match s.app.admin_activity().await {
        Ok(x) => x,
        Err(e) => return PageError::App(e).into_response(),
    };
    let now = s.app.now();
    let name_of = |id: &str| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_owned(), |u| format!("{} ({})", u.name, u.login))
    };
    let deliveries = match s.app.delivery_log(50).await {
        Ok(d) => d
            .into_iter()
            .map(|d| {
                let last = match (d.last_status, d.last_error) {
                    (Some(st), _) if d.state == "delivered" => format!("HTTP {st}"),
                    (_, Some(e)) => e,
                    (Some(st), None) => format!("HTTP {st}"),
                    (None, None) => crate::i18n::t("ui.admin.not_tried_yet").to_owned(),
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
        Err(e) => return PageError::App(e).into_response(),
    };
    let grants = match s.app.admin_oauth_grants().await {
        Ok(g) => g
            .into_iter()
            .map(|g| {
                (
                    g.grant.id,
                    g.user_login,
                    g.client_name,
                    human_time(g.grant.created_at),
                    human_time(g.grant.last_used_at),
                )
            })
            .collect(),
        Err(e) => return PageError::App(e).into_response(),
    };
    let editors = s
        .app
        .editors()
        .status()
        .await
        .into_iter()
        .map(|e| {
            let state = match (&e.last_error, e.loaded, e.from_persisted_copy) {
                (Some(err), true, _) => crate::i18n::targs(
                    "ui.admin.serving_the_last_good_copy",
                    &[("err", &err as &dyn std::fmt::Display)],
                ),
                (Some(err), false, _) => crate::i18n::targs(
                    "ui.admin.not_loaded",
                    &[("err", &err as &dyn std::fmt::Display)],
                ),
                (None, true, true) => {
                    crate::i18n::t("ui.admin.loaded_from_the_persisted_copy").to_owned()
                }
                (None, true, false) => "loaded".to_owned(),
                (None, false, _) => crate::i18n::t("ui.admin.not_loaded_yet").to_owned(),
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
    let templates = match s.app.templates().await {
        Ok(t) => t
            .into_iter()
            .map(|t| {
                (
                    t.template.id,
                    t.template.name,
                    t.kind.label(),
                    human_size(t.template.size),
                    human_time(t.template.created_at),
                )
            })
            .collect(),
        Err(e) => return PageError::App(e).into_response(),
    };
    let totals = match s.app.retention_totals().await {
        Ok(t) => t,
        Err(e) => return PageError::App(e).into_response(),
    };
    let users_view = users.clone();
    render(
        StatusCode::OK,
        &AdminPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: true,
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
            users: users_view,
            locks: locks
                .into_iter()
                .map(|f| {
                    let (id, exp) = f
                        .lock
                        .as_ref()
                        .map_or((String::new(), 0), |l| (l.id.to_string(), l.expires_at));
                    let holder = f
                        .lock_holder
                        .as_deref()
                        .map_or_else(|| "unknown".to_owned(), name_of);
                    let age = f
                        .lock_since
                        .map_or_else(|| "unknown".to_owned(), |t| human_age(now - t));
                    (f.name, f.id.to_string(), id, holder, age, human_time(exp))
                })
                .collect(),
            sessions: sessions
                .into_iter()
                .map(|e| {
                    (
                        e.file_name,
                        e.user_name,
                        e.token.client.clone().unwrap_or_default(),
                        if e.token.can_write { "edit" } else { "view" },
                        human_time(e.created_at),
                        e.last_used_at.map_or_else(
                            || "never".to_owned(),
                            |t| format!("{} ago", human_age(now - t)),
                        ),
                    )
                })
                .collect(),
            editors,
            deliveries,
            grants,
            templates,
            retention_policy: super::files::retention_words(&s.app.config().retention),
            retention_total: (totals.dropped_versions, human_size(totals.freed_bytes)),
            retention_last: totals.last_sweep_at.map(|at| {
                (
                    human_time(at),
                    totals.last_dropped,
                    human_size(totals.last_freed),
                )
            }),
        },
    )
}

/// `?name=` of a template upload.
#[derive(Debug, Deserialize)]
pub struct TemplateQuery {
    name: String,
}

/// POST /admin/templates?name=… (raw body, `X-CSRF-Token`, from `static/folio.js`) →
/// `App::admin_add_template`. Answers JSON like an upload.
pub async fn admin_add_template(
    State(s): State<AppState>,
    Admin(_): Admin,
    Query(q): Query<TemplateQuery>,
    Csrf(user, Upload(body)): Csrf<Upload>,
) -> Result<Response, UploadError> {
    use futures::TryStreamExt;
    let stream: folio_store::ByteStream =
        Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    let t = s
        .app
        .admin_add_template(&user.0.user, &q.name, stream)
        .await
        .map_err(UploadError::App)?;
    Ok(Json(serde_json::json!({"id": t.id, "name": t.name, "size": t.size})).into_response())
}

/// POST /admin/templates/{id}/delete → `App::admin_delete_template`.
pub async fn admin_delete_template(
    State(s): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.admin_delete_template(&user.0.user, &id).await {
        Ok(()) => Message::TemplateDeleted.redirect("/admin"),
        Err(e) => back_with("/admin", e),
    }
}

/// A duration as the admin page shows it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn human_age(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
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

csrf_field!(CreateUserForm, PasswordForm);

/// POST /admin/users
pub async fn admin_create_user(
    State(s): State<AppState>,
    Admin(_): Admin,
    Csrf(_, Form(f)): Csrf<Form<CreateUserForm>>,
) -> Response {
    match s
        .app
        .admin_create_user(&f.login, &f.name, &f.password, f.admin.is_some())
        .await
    {
        Ok(_) => Message::UserCreated.redirect("/admin"),
        Err(e) => back_with("/admin", e),
    }
}

/// POST /admin/users/{id}/disable, /enable and /unlock (forget failed sign-ins)
pub async fn admin_set_disabled(
    State(s): State<AppState>,
    Admin(_): Admin,
    Path((id, what)): Path<(String, String)>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let disable = match what.as_str() {
        "disable" => true,
        "enable" => false,
        "unlock" => {
            return match s.app.admin_unlock_sign_in(&id).await {
                Ok(()) => Message::SignInUnlocked.redirect("/admin"),
                Err(e) => PageError::App(e).into_response(),
            };
        }
        _ => return PageError::UnknownAction.into_response(),
    };
    if disable && id == user.0.user.id {
        return Message::CannotDisableSelf.redirect("/admin");
    }
    match s.app.admin_set_disabled(&id, disable).await {
        Ok(()) => if disable {
            Message::UserDisabled
        } else {
            Message::UserEnabled
        }
        .redirect("/admin"),
        Err(e) => PageError::App(e).into_response(),
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
    Admin(_): Admin,
    Path(id): Path<String>,
    Csrf(_, Form(f)): Csrf<Form<PasswordForm>>,
) -> Response {
    match s.app.admin_reset_password(&id, &f.password).await {
        Ok(()) => Message::PasswordChanged.redirect("/admin"),
        Err(e) => back_with("/admin", e),
    }
}

/// POST /admin/locks/{file}/release
pub async fn admin_release_lock(
    State(s): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<String>,
    Csrf(_, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let id = match parse_file(&id) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match s.app.admin_release_lock(&id).await {
        Ok(true) => Message::LockReleased.redirect("/admin"),
        Ok(false) => Message::NotLocked.redirect("/admin"),
        Err(e) => PageError::App(e).into_response(),
    }
}

/// POST /admin/oauth-grants/{grant}/revoke
pub async fn admin_revoke_oauth_grant(
    State(s): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<String>,
    Csrf(_, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.admin_revoke_oauth_grant(&id).await {
        Ok(()) => Message::GrantRevoked.redirect("/admin"),
        Err(e) => back_with("/admin", e),
    }
}

/// One row of the audit page.
struct AuditRow {
    when: String,
    action: String,
    actor: String,
    file: String,
    detail: String,
    ip: String,
    user_agent: String,
    via: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPageView {
    user_name: String,
    csrf: String,
    is_admin: bool,
    error: Option<String>,
    user: String,
    file: String,
    action: String,
    since: String,
    until: String,
    events: Vec<AuditRow>,
    next: Option<String>,
}

/// The audit page's filters (`GET /admin/audit?user=&file=&action=&since=&until=&cursor=`);
/// times are the page's `datetime-local` values, read as UTC.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQueryForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    cursor: String,
}

/// GET /admin/audit
pub async fn admin_audit(
    State(s): State<AppState>,
    Admin(user): Admin,
    q: Result<Query<AuditQueryForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    use folio_app::audit::{AuditFilter, parse_time};
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut error = None;
    let mut time = |v: &str, what: &str| match v.trim() {
        "" => None,
        t => parse_time(t).or_else(|| {
            error = Some(crate::i18n::targs(
                "ui.admin.the_time_is_not_a",
                &[("what", &what as &dyn std::fmt::Display)],
            ));
            None
        }),
    };
    let filter = AuditFilter {
        user: Some(q.user.clone()),
        file: Some(q.file.clone()),
        action: Some(q.action.clone()),
        since: time(&q.since, "From"),
        until: time(&q.until, "Until"),
        cursor: Some(q.cursor.clone()),
        limit: Some(50),
    };
    let page = match s.app.audit_log(&filter).await {
        Ok(p) => p,
        Err(e) => return PageError::App(e).into_response(),
    };
    let next = page.next.map(|c| {
        let enc = super::auth::encode;
        format!(
            "/admin/audit?user={}&file={}&action={}&since={}&until={}&cursor={}",
            enc(&q.user),
            enc(&q.file),
            enc(&q.action),
            enc(&q.since),
            enc(&q.until),
            enc(&c)
        )
    });
    let events = page
        .events
        .into_iter()
        .map(|e| AuditRow {
            when: human_time_seconds(e.at),
            action: e.action,
            actor: e.actor_name.unwrap_or_default(),
            file: match (e.file_name, e.file_id) {
                (Some(n), Some(id)) => format!("{n} ({id})"),
                (None, Some(id)) => id,
                _ => String::new(),
            },
            detail: e.detail.unwrap_or_default(),
            ip: e.ip.unwrap_or_default(),
            user_agent: e.user_agent.unwrap_or_default(),
            via: match e.via_id {
                Some(id) => format!("{} {id}", e.via),
                None => e.via,
            },
        })
        .collect();
    render(
        StatusCode::OK,
        &AuditPageView {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: true,
            error,
            user: q.user,
            file: q.file,
            action: q.action,
            since: q.since,
            until: q.until,
            events,
            next,
        },
    )
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
fn human_time_seconds(ms: i64) -> String {
    let t = folio_wopi::wire::format_wopi_time(ms);
    match (t.get(..10), t.get(11..19)) {
        (Some(d), Some(hms)) => format!("{d} {hms} UTC"),
        _ => t,
    }
}
