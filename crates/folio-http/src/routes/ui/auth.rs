//! Sign-in, sign-out and the `SignedIn` extractor. Session cookies are HttpOnly, SameSite=Lax,
//! Secure when the public URL is https. The sign-in form uses a double-submit CSRF cookie; every
//! other form carries the session's CSRF token.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::error::page::{self, PageError};
use crate::extract::csrf::{Csrf, constant_eq, csrf_field};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "folio_session";
pub(crate) const LOGIN_CSRF_COOKIE: &str = "folio_login_csrf";

/// Reads a cookie.
pub fn cookie<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn set_cookie(s: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if s.app.config().public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let v =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Percent-encodes a string for a query parameter.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only same-origin relative paths are followed after sign-in (no open redirects): one leading
/// `/` not followed by `/` or `\`, and nothing a browser would strip or reinterpret — no
/// whitespace, control characters or backslashes anywhere (browsers drop TAB/CR/LF inside URLs,
/// so `/\t/evil.example` would become `//evil.example`). Anything else is the home page.
pub(crate) fn safe_next(next: &str) -> String {
    let plain = next
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    let mut chars = next.chars();
    let relative = chars.next() == Some('/') && !matches!(chars.next(), Some('/'));
    if plain && relative && next.len() <= 2048 {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The page a form posting to `path` is on, as far as the path tells (the sign-in page's return
/// when a form arrives without a session and no script says better): a folder's actions return
/// to the folder, a share form to its share page, a restore to the versions, the admin and
/// connected-apps actions to their page; anything else to the home page.
pub(crate) fn form_page(path: &str) -> String {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let page = match parts.as_slice() {
        ["folders", id, "new-folder" | "new-document" | "upload"] => format!("/folders/{id}"),
        [kind @ ("folders" | "files"), id, "share"] => format!("/{kind}/{id}/share"),
        ["files", id, "versions", _, "restore"] => format!("/files/{id}/versions"),
        ["admin", ..] => "/admin".to_owned(),
        ["connected-apps", ..] => "/connected-apps".to_owned(),
        _ => "/".to_owned(),
    };
    safe_next(&page)
}

#[cfg(test)]
mod next_tests {
    use super::{form_page, safe_next};

    #[test]
    fn a_form_returns_to_its_page() {
        for (path, want) in [
            ("/folders/F1/new-folder", "/folders/F1"),
            ("/folders/F1/new-document", "/folders/F1"),
            ("/folders/F1/upload", "/folders/F1"),
            ("/folders/F1/share", "/folders/F1/share"),
            ("/files/A1/share", "/files/A1/share"),
            ("/files/A1/versions/3/restore", "/files/A1/versions"),
            ("/files/A1/rename", "/"),
            ("/folders/F1/delete", "/"),
            ("/admin/users/U1/disable", "/admin"),
            ("/connected-apps/G1/revoke", "/connected-apps"),
            ("/oauth2/authorize", "/"),
            ("//evil.example/x", "/"),
            ("/folders/\\evil/new-folder", "/"),
        ] {
            assert_eq!(form_page(path), want, "{path:?}");
        }
    }

    #[test]
    fn only_same_origin_paths_are_followed() {
        for (next, want) in [
            ("/", "/"),
            ("/folders/abc?x=1#y", "/folders/abc?x=1#y"),
            ("/open/F1?action=edit", "/open/F1?action=edit"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/\t/evil.example", "/"),
            ("/\n/evil.example", "/"),
            ("/\r\nSet-Cookie: x=1", "/"),
            (" /folders", "/"),
            ("https://evil.example/", "/"),
            ("javascript:alert(1)", "/"),
            ("evil.example", "/"),
            ("", "/"),
            ("/a b", "/"),
            ("/\u{2028}x", "/"),
        ] {
            assert_eq!(safe_next(next), want, "{next:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), "/");
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
    has_users: bool,
    signed_out: bool,
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    s: &AppState,
    status: StatusCode,
    next: String,
    error: Option<String>,
) -> Response {
    login_page_with(s, status, next, error, false).await
}

/// The answer to a form sent without a live session: the sign-in page, status 401, saying
/// nothing was done; `static/folio.js` points its `next` back to the page the form was on and
/// restores the form's input there.
pub async fn signed_out_page(s: &AppState, next: String) -> Response {
    let (status, message) = page::signed_out_form();
    login_page_with(s, status, next, Some(message), true).await
}

async fn login_page_with(
    s: &AppState,
    status: StatusCode,
    next: String,
    error: Option<String>,
    signed_out: bool,
) -> Response {
    let csrf = folio_app::tokens::generate();
    let has_users = s.app.has_users().await.unwrap_or(true);
    let mut r = render(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            next,
            error,
            has_users,
            signed_out,
        },
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(s, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    r
}

/// GET /login
pub async fn login_form(State(s): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    login_page(
        &s,
        StatusCode::OK,
        safe_next(q.next.as_deref().unwrap_or("/")),
        None,
    )
    .await
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    csrf: String,
    #[serde(default)]
    pub(crate) next: String,
}

/// POST /login
pub async fn login(
    State(s): State<AppState>,
    peer: Option<axum::Extension<crate::server::PeerAddr>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    // The peer address as is (a proxy's own address behind a proxy): throttling is per
    // (source, login).
    let source = peer.map(|p| p.0.0.ip().to_string()).unwrap_or_default();
    let next = safe_next(&f.next);
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        let (status, message) = page::sign_in_form_expired();
        return login_page(&s, status, next, Some(message)).await;
    }
    match s
        .app
        .sign_in_from(f.login.trim(), &f.password, &source)
        .await
    {
        Ok(session) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = (session.expires_at - s.app.now()) / 1000;
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&s, SESSION_COOKIE, &session.cookie, max_age),
            );
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(&s, LOGIN_CSRF_COOKIE, "", 0));
            r
        }
        Err(e) => match page::sign_in_refusal(&e) {
            Some((status, message)) => login_page(&s, status, next, Some(message)).await,
            None => PageError::App(e).into_response(),
        },
    }
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

csrf_field!(CsrfForm);

/// POST /logout
pub async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    req: Result<Csrf<Form<CsrfForm>>, Response>,
) -> Response {
    match req {
        Ok(_) => {}
        // Already signed out (the session expired): the sign-in page, as after signing out.
        Err(r) if r.status() == StatusCode::UNAUTHORIZED => {
            let mut r = Redirect::to("/login").into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, "", 0));
            return r;
        }
        Err(r) => return r,
    }
    if let Some(v) = cookie(&headers, SESSION_COOKIE) {
        let _ = s.app.sign_out(v).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, "", 0));
    r
}

/// GET /session/csrf — the session's CSRF token as JSON `{"csrf": …}`, for a page whose token
/// went stale because its person signed in again in another tab (uploads retry with it). Not
/// signed in: `401` JSON. Same-origin only in effect: no CORS, so no other site can read it.
pub async fn session_csrf(user: crate::extract::session::SignedIn) -> Response {
    let mut r = axum::Json(serde_json::json!({ "csrf": user.0.csrf })).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
