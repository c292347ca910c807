//! The account page (`/account`): change your password (the current one required; every other
//! session and connected app is signed out and this browser gets a new session), your sign-in
//! sessions with "Sign out other sessions", and your connected apps with Disconnect (the same
//! grants as `/connected-apps`, which stays for links from Office's sign-in). Every POST is
//! CSRF-checked by `Csrf`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{SESSION_COOKIE, cookie, set_cookie};
use super::files::human_time;
use super::folder_actions::CsrfOnly;
use super::message::Message;
use super::render;
use super::sharing::Flash;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    user_name: String,
    login: String,
    csrf: String,
    is_admin: bool,
    notice: Option<String>,
    error: Option<String>,
    /// (signed in, ends, this browser)
    sessions: Vec<(String, String, bool)>,
    others: usize,
    /// (grant id, app name, connected, last used)
    grants: Vec<(String, String, String, String)>,
}

/// GET /account
pub async fn account(
    State(s): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Query(q): Query<Flash>,
) -> Response {
    let current = cookie(&headers, SESSION_COOKIE).unwrap_or("");
    let sessions = match s.app.account_sessions(&user.0.user, current).await {
        Ok(v) => v,
        Err(e) => return PageError::App(e).into_response(),
    };
    let grants = match s.app.connected_apps(&user.0.user.id).await {
        Ok(g) => g,
        Err(e) => return PageError::App(e).into_response(),
    };
    render(
        StatusCode::OK,
        &AccountPage {
            user_name: user.0.user.name.clone(),
            login: user.0.user.login.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
            others: sessions.iter().filter(|x| !x.current).count(),
            sessions: sessions
                .into_iter()
                .map(|x| {
                    (
                        human_time(x.created_at),
                        human_time(x.expires_at),
                        x.current,
                    )
                })
                .collect(),
            grants: grants
                .into_iter()
                .map(|g| {
                    (
                        g.grant.id,
                        g.client_name,
                        human_time(g.grant.created_at),
                        human_time(g.grant.last_used_at),
                    )
                })
                .collect(),
        },
    )
}

/// The change-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

csrf_field!(PasswordForm);

/// POST /account/password → `App::change_own_password`; this browser's new session cookie.
pub async fn change_password(
    State(s): State<AppState>,
    Csrf(user, Form(f)): Csrf<Form<PasswordForm>>,
) -> Response {
    match s
        .app
        .change_own_password(&user.0.user, &f.current, &f.password, &f.again)
        .await
    {
        Ok(session) => {
            let mut r = Message::OwnPasswordChanged.redirect("/account");
            let max_age = (session.expires_at - s.app.now()) / 1000;
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&s, SESSION_COOKIE, &session.cookie, max_age),
            );
            r
        }
        Err(e) => back_with("/account", e),
    }
}

/// POST /account/sessions/sign-out-others → `App::sign_out_other_sessions`.
pub async fn sign_out_others(
    State(s): State<AppState>,
    headers: HeaderMap,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    let current = cookie(&headers, SESSION_COOKIE).unwrap_or("");
    match s.app.sign_out_other_sessions(&user.0.user, current).await {
        Ok(_) => Message::OthersSignedOut.redirect("/account"),
        Err(e) => back_with("/account", e),
    }
}

/// POST /account/apps/{grant}/revoke → `App::revoke_connected_app`, back to the account page.
pub async fn revoke_app(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.revoke_connected_app(&user.0.user.id, &id).await {
        Ok(()) => Message::AppDisconnected.redirect("/account"),
        Err(e) => back_with("/account", e),
    }
}
