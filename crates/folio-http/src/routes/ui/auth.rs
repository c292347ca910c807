//! Sign-in, sign-out and the `SignedIn` extractor. Session cookies are HttpOnly, SameSite=Lax,
//! Secure when the public URL is https. The sign-in form uses a double-submit CSRF cookie; every
//! other form carries the session's CSRF token.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use folio_app::web::SignInError;
use folio_store::SessionRecord;
use serde::Deserialize;

use super::{error_page, render};
use crate::AppState;

const SESSION_COOKIE: &str = "folio_session";
const LOGIN_CSRF_COOKIE: &str = "folio_login_csrf";

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

fn set_cookie(s: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if s.app.config().public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let v =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A signed-in user. Pages that need one redirect to `/login?next=…` otherwise.
pub struct SignedIn(pub SessionRecord);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let login = || Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
        let Some(value) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login());
        };
        match s.app.session(value).await {
            Ok(Some(session)) => Ok(SignedIn(session)),
            Ok(None) => Err(login()),
            Err(e) => Err(super::page_error(&e)),
        }
    }
}

impl SignedIn {
    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, presented: &str) -> Result<(), Box<Response>> {
        if !presented.is_empty() && constant_eq(presented.as_bytes(), self.0.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(Box::new(error_page(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not accepted because its security token is missing or out of date. Go back, reload the page and try again.",
            )))
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

/// Only same-site relative paths are followed after sign-in (no open redirects).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
    has_users: bool,
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
    let csrf = folio_app::tokens::generate();
    let has_users = s.app.has_users().await.unwrap_or(true);
    let mut r = render(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            next,
            error,
            has_users,
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
    next: String,
}

/// POST /login
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(&f.next);
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        return login_page(
            &s,
            StatusCode::FORBIDDEN,
            next,
            Some("The sign-in form expired. Please try again.".into()),
        )
        .await;
    }
    match s.app.sign_in(f.login.trim(), &f.password).await {
        Ok(Ok(session)) => {
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
        Ok(Err(SignInError::BadCredentials)) => {
            login_page(
                &s,
                StatusCode::UNAUTHORIZED,
                next,
                Some("Wrong login or password.".into()),
            )
            .await
        }
        Ok(Err(SignInError::RateLimited)) => {
            login_page(
                &s,
                StatusCode::TOO_MANY_REQUESTS,
                next,
                Some(
                    "Too many failed sign-ins for this login. Wait 15 minutes and try again."
                        .into(),
                ),
            )
            .await
        }
        Err(e) => super::page_error(&e),
    }
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// POST /logout
pub async fn logout(
    State(s): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(r) = user.check_csrf(&f.csrf) {
        return *r;
    }
    if let Some(v) = cookie(&headers, SESSION_COOKIE) {
        let _ = s.app.sign_out(v).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, "", 0));
    r
}
