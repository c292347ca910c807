//! Public links for guests (no account): `GET /s/{secret}` opens the file's editor (the host
//! page, with a token scoped to the link and file), after the password when the link has one:
//! `POST /s/{secret}` checks it (throttled like sign-in, a double-submit CSRF cookie as on the
//! sign-in form) and leaves a pass cookie scoped to the link's path. `GET /s/closed` is where
//! the editor's Close goes. The secret is only ever in the path (never logged: the request log
//! names the route template) and `Referrer-Policy: no-referrer` keeps it out of Referers.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use folio_store::ShareLinkRecord;
use serde::Deserialize;

use super::auth::cookie;
use super::render;
use crate::AppState;
use crate::error::page::{self, PageError};
use crate::extract::csrf::constant_eq;

/// The pass cookie of a password link (its path is the link's own).
const LINK_PASS_COOKIE: &str = "folio_link_pass";
/// The password form's CSRF cookie.
const LINK_CSRF_COOKIE: &str = "folio_link_csrf";

#[derive(Template)]
#[template(path = "link_password.html")]
struct PasswordPage {
    file_name: String,
    csrf: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "link_closed.html")]
struct ClosedPage {}

/// A cookie on `path` only: HttpOnly, SameSite=Lax, Secure on https.
fn path_cookie(
    s: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
) -> HeaderValue {
    let secure = if s.app.config().public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let v = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

async fn password_page(
    s: &AppState,
    secret: &str,
    link: &ShareLinkRecord,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let file_name = match s.app.file_name_for_link(link).await {
        Ok(n) => n,
        Err(e) => return PageError::App(e).into_response(),
    };
    let csrf = folio_app::tokens::generate();
    let mut r = render(
        status,
        &PasswordPage {
            file_name,
            csrf: csrf.clone(),
            error: error.map(str::to_owned),
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        path_cookie(s, LINK_CSRF_COOKIE, &csrf, &format!("/s/{secret}"), 3600),
    );
    no_store(&mut r);
    r
}

/// GET /s/{secret}
pub async fn open_link(
    State(s): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
) -> Response {
    let link = match s.app.open_link(&secret).await {
        Ok(l) => l,
        Err(e) => return PageError::App(e).into_response(),
    };
    if !s
        .app
        .link_unlocked(&link, cookie(&headers, LINK_PASS_COOKIE))
    {
        return password_page(&s, &secret, &link, StatusCode::OK, None).await;
    }
    match s
        .app
        .link_host_page(&link, &super::host_page::language(&headers))
        .await
    {
        Ok(page) => {
            let id = page.file_id.clone();
            super::host_page::render_host_page(&s, &id, page)
        }
        Err(e) => PageError::App(e).into_response(),
    }
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm { .. }")
    }
}

/// POST /s/{secret}
pub async fn unlock_link(
    State(s): State<AppState>,
    Path(secret): Path<String>,
    peer: Option<axum::Extension<crate::server::PeerAddr>>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let link = match s.app.open_link(&secret).await {
        Ok(l) => l,
        Err(e) => return PageError::App(e).into_response(),
    };
    let expected = cookie(&headers, LINK_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        let (status, message) = page::link_form_expired();
        return password_page(&s, &secret, &link, status, Some(message.as_str())).await;
    }
    let source = peer.map(|p| p.0.0.ip().to_string()).unwrap_or_default();
    match s.app.unlock_link(&link, &f.password, &source).await {
        Ok(pass) => {
            let path = format!("/s/{secret}");
            // The pass lasts as long as a sign-in, and never beyond the link.
            let mut max_age = folio_app::web::SESSION_TTL_MS / 1000;
            if let Some(exp) = link.expires_at {
                max_age = max_age.min(((exp - s.app.now()) / 1000).max(0));
            }
            let mut r = Redirect::to(&path).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                path_cookie(&s, LINK_PASS_COOKIE, &pass, &path, max_age),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                path_cookie(&s, LINK_CSRF_COOKIE, "", &path, 0),
            );
            r
        }
        Err(e) => match page::link_password_refusal(&e) {
            Some((status, message)) => {
                password_page(&s, &secret, &link, status, Some(message.as_str())).await
            }
            None => PageError::App(e).into_response(),
        },
    }
}

/// GET /s/closed — where a guest's editor goes on Close.
pub async fn closed() -> Response {
    render(StatusCode::OK, &ClosedPage {})
}
