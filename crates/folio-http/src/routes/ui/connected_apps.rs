//! "Connected apps" (`/connected-apps`): the OAuth grants a user gave (Office on a phone), each
//! with a Disconnect button (CSRF-checked) that revokes the grant and its OAuth tokens at once.
//! The administrators' view of every grant is on the admin page (`admin.rs`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::files::human_time;
use super::folder_actions::CsrfOnly;
use super::message::Message;
use super::render;
use super::sharing::Flash;
use crate::AppState;
use crate::error::page::{PageError, back_with};
use crate::extract::csrf::Csrf;
use crate::extract::session::SignedIn;

#[derive(Template)]
#[template(path = "connected_apps.html")]
struct ConnectedAppsPage {
    user_name: String,
    csrf: String,
    is_admin: bool,
    notice: Option<String>,
    error: Option<String>,
    /// (grant id, app name, connected, last used)
    grants: Vec<(String, String, String, String)>,
}

/// GET /connected-apps
pub async fn connected_apps(
    State(s): State<AppState>,
    user: SignedIn,
    Query(q): Query<Flash>,
) -> Response {
    let grants = match s.app.connected_apps(&user.0.user.id).await {
        Ok(g) => g,
        Err(e) => return PageError::App(e).into_response(),
    };
    render(
        StatusCode::OK,
        &ConnectedAppsPage {
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            is_admin: user.0.user.is_admin,
            notice: super::message::notice(q.notice.as_deref()),
            error: super::message::error(q.error.as_deref()),
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

/// POST /connected-apps/{grant}/revoke
pub async fn revoke_connected_app(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Csrf(user, Form(_)): Csrf<Form<CsrfOnly>>,
) -> Response {
    match s.app.revoke_connected_app(&user.0.user.id, &id).await {
        Ok(()) => Message::AppDisconnected.redirect("/connected-apps"),
        Err(e) => back_with("/connected-apps", e),
    }
}
