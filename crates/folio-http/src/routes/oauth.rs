//! Folio's OAuth 2.0 authorization server for Office mobile: the authorization endpoint
//! (`GET /oauth2/authorize`: checks, then Folio's own sign-in page if needed, then the consent
//! page; `POST /oauth2/authorize`: the consent form, CSRF-checked, answered with a `302` to the
//! registered redirect URI) and the token endpoint (`POST /oauth2/token`: `authorization_code`
//! and `refresh_token`, client authentication by HTTP Basic or form body). Every decision is
//! `folio-app`'s (`app/oauth.rs`); refusals are answered by `error/oauth.rs`.
//!
//! The pages are the ordinary Folio pages (mobile-width, no script, no inline style), so they
//! work in the OS web view Office opens and under a strict CSP.

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use folio_app::{AppError, AuthorizeParams, AuthorizeRequest, ClientCredentials, OAuthRefusal};
use folio_wopi::oauth as proto;
use serde::Deserialize;
use serde::Serialize;

use super::ui::render;
use crate::AppState;
use crate::error::oauth::{OAuthError, authorize_refusal, found, no_store};
use crate::extract::csrf::{Csrf, csrf_field};
use crate::extract::session::SignedIn;

#[derive(Template)]
#[template(path = "oauth_consent.html")]
struct ConsentPage {
    client_name: String,
    login: String,
    user_name: String,
    csrf: String,
    params: Vec<(&'static str, String)>,
}

/// The parameters the consent form carries back (as they were sent).
fn carried(req: &AuthorizeRequest, p: &AuthorizeParams) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("client_id", req.client.id.clone()),
        ("response_type", "code".to_owned()),
    ];
    let optional = [
        ("redirect_uri", &p.redirect_uri),
        ("scope", &p.scope),
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            out.push((k, v.clone()));
        }
    }
    out
}

/// GET /oauth2/authorize — client and redirect URI first (an error page, never a redirect),
/// then the other checks (a redirect back), then sign-in (Folio's own page, which comes back
/// here), then the consent page.
pub async fn authorize(
    State(s): State<AppState>,
    uri: Uri,
    session: Result<SignedIn, Response>,
) -> Response {
    let params = AuthorizeParams::from_pairs(&proto::parse_form(uri.query().unwrap_or("")));
    let req = match s.app.check_authorize(&params).await {
        Ok(r) => r,
        Err(e) => return authorize_refusal(e),
    };
    let user = match session {
        Ok(u) => u,
        Err(to_sign_in) => return to_sign_in,
    };
    let mut r = render(
        StatusCode::OK,
        &ConsentPage {
            client_name: req.client.name.clone(),
            login: user.0.user.login.clone(),
            user_name: user.0.user.name.clone(),
            csrf: user.0.csrf.clone(),
            params: carried(&req, &params),
        },
    );
    // CSP `form-action` also governs the redirect that answers the form, so this page allows
    // exactly its client's redirect URI besides itself (a security-headers layer must keep a
    // policy a handler already set).
    let policy = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self' {}",
        csp_source(&req.redirect_uri)
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

/// A CSP source expression for a redirect URI: its origin for http(s), else its scheme
/// (`ms-word-tp:`).
fn csp_source(uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) if scheme == "https" || scheme == "http" => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        Some((scheme, _)) => format!("{scheme}:"),
        None => "'none'".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csp_sources_of_redirect_uris() {
        for (uri, want) in [
            ("https://localhost", "https://localhost"),
            ("https://localhost/?x=1", "https://localhost"),
            ("http://127.0.0.1:9/cb", "http://127.0.0.1:9"),
            ("ms-word-tp://auth", "ms-word-tp:"),
            ("nonsense", "'none'"),
        ] {
            assert_eq!(super::csp_source(uri), want, "{uri}");
        }
    }
}

/// The consent form.
#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    decision: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

csrf_field!(ConsentForm);

/// POST /oauth2/authorize — the consent decision (signed in, CSRF-checked): the request is
/// checked again, then "Allow" answers a code and "Deny" `access_denied`, both by `302`.
pub async fn consent(
    State(s): State<AppState>,
    Csrf(user, Form(f)): Csrf<Form<ConsentForm>>,
) -> Response {
    let params = AuthorizeParams {
        client_id: f.client_id,
        redirect_uri: f.redirect_uri,
        response_type: f.response_type,
        scope: f.scope,
        state: f.state,
        code_challenge: f.code_challenge,
        code_challenge_method: f.code_challenge_method,
        ..Default::default()
    };
    let req = match s.app.check_authorize(&params).await {
        Ok(r) => r,
        Err(e) => return authorize_refusal(e),
    };
    if f.decision.as_deref() != Some("allow") {
        return found(&s.app.deny_authorization(&req));
    }
    match s.app.issue_authorization_code(&req, &user.0.user).await {
        Ok(location) => found(&location),
        Err(e) => authorize_refusal(e),
    }
}

/// RFC 6749 §5.1.
#[derive(Debug, Serialize)]
struct TokenBody {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    scope: String,
}

/// POST /oauth2/token — `application/x-www-form-urlencoded`; credentials never in the URL.
pub async fn token(
    State(s): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let basic_used = authorization.is_some();
    let fail = |err: AppError| {
        OAuthError {
            err,
            basic: basic_used,
        }
        .into_response()
    };
    let refuse = |r| fail(AppError::OAuthToken(r));
    let query = proto::parse_form(uri.query().unwrap_or(""));
    if query
        .iter()
        .any(|(k, _)| k == "client_secret" || k == "code" || k == "refresh_token")
    {
        return refuse(OAuthRefusal::InvalidRequest(
            "credentials are not accepted in the URL",
        ));
    }
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if form_type != Some(true) {
        return refuse(OAuthRefusal::InvalidRequest(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let form = proto::parse_form(&String::from_utf8_lossy(&body));
    let basic = match authorization {
        Some(h) => match proto::basic_credentials(h) {
            Some(c) => Some(c),
            None => return refuse(OAuthRefusal::InvalidClient),
        },
        None => None,
    };
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let creds = ClientCredentials {
        basic,
        body_id: field("client_id"),
        body_secret: field("client_secret"),
    };
    match s.app.oauth_token(&form, &creds).await {
        Ok(t) => {
            let mut r = axum::Json(TokenBody {
                access_token: t.access_token,
                token_type: "bearer",
                expires_in: t.expires_in,
                refresh_token: t.refresh_token,
                scope: t.scope,
            })
            .into_response();
            no_store(&mut r);
            r
        }
        Err(e) => fail(e),
    }
}
