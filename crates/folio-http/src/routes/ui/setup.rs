//! First-run setup (`/setup?code=…`): while Folio has no users, the one-time code `folio serve`
//! printed opens a form that creates the first administrator and signs them in. The code rides
//! in the query string (never logged) and then in the form; the form has the sign-in page's
//! double-submit CSRF cookie. A wrong code is 404, setup after a user exists is 410.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use folio_app::web::FirstAdmin;
use serde::Deserialize;

use super::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use super::render;
use crate::AppState;
use crate::error::page::{self, PageError};
use crate::extract::csrf::constant_eq;

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    csrf: String,
    code: String,
    login: String,
    name: String,
    error: Option<String>,
}

/// `?code=` of the setup page.
#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

fn setup_page(
    s: &AppState,
    status: StatusCode,
    code: String,
    login: String,
    name: String,
    error: Option<String>,
) -> Response {
    let csrf = folio_app::tokens::generate();
    let mut r = render(
        status,
        &SetupPage {
            csrf: csrf.clone(),
            code,
            login,
            name,
            error,
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(s, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    r
}

/// GET /setup?code=…
pub async fn setup_form(State(s): State<AppState>, Query(q): Query<CodeQuery>) -> Response {
    if let Err(e) = s.app.check_setup_code(&q.code).await {
        return PageError::App(e).into_response();
    }
    setup_page(
        &s,
        StatusCode::OK,
        q.code,
        String::new(),
        String::new(),
        None,
    )
}

/// The setup form.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

/// POST /setup
pub async fn setup(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SetupForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        // Only a holder of the live code sees the form again.
        if let Err(e) = s.app.check_setup_code(&f.code).await {
            return PageError::App(e).into_response();
        }
        let (status, message) = page::sign_in_form_expired();
        return setup_page(&s, status, f.code, f.login, f.name, Some(message));
    }
    let form = FirstAdmin {
        login: &f.login,
        name: &f.name,
        password: &f.password,
        password_again: &f.password_again,
    };
    match s.app.complete_setup(&f.code, &form).await {
        Ok((user, session)) => {
            let mut r = Redirect::to(&format!("/folders/{}", user.root_folder_id)).into_response();
            let max_age = (session.expires_at - s.app.now()) / 1000;
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&s, SESSION_COOKIE, &session.cookie, max_age),
            );
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(&s, LOGIN_CSRF_COOKIE, "", 0));
            r
        }
        Err(e) => match page::setup_refusal(&e) {
            Some((status, message)) => {
                setup_page(&s, status, f.code, f.login, f.name, Some(message))
            }
            None => PageError::App(e).into_response(),
        },
    }
}
