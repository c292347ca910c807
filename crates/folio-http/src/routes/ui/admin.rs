//! The admin page (`/admin`, administrators only via the `Admin` extractor): users, live locks
//! and editing sessions, editors' discovery state, webhook deliveries; and its actions (create a
//! user, disable/enable, reset a password, release a lock, revoke an OAuth grant), CSRF-checked
//! by `Csrf`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::file_actions::parse_file;
use super::files::human_time;
use super::folder_actions::CsrfOnly;
use super::render;
use super::sharing::Flash;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
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
    locks: Vec<(String, String, String, String)>,
    sessions: Vec<(String, String, String, &'static str, String)>,
    editors: Vec<(String, &'static str, String, String, &'static str)>,
    deliveries: Vec<(String, String, String, String, i64, String)>,
    /// OAuth grants: (id, user login, app, connected, last used).
    grants: Vec<(String, String, String, String, String)>,
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
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
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
            grants,
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
