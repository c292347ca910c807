//! `GET /open/{file_id}?action=view|edit|editnew&editor=NAME`: the host page that embeds the
//! chosen editor (spec hostpage.md): the token is POSTed into the iframe by a form, never put in
//! a URL; the page listens for the editor's PostMessages, checking their origin.

use askama::Template;
use axum::Json;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_wopi::FileId;
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::error::page::{PageError, RenewError};
use crate::extract::csrf::{Csrf, CsrfPayload};
use crate::extract::session::SignedIn;
use crate::headers::X_CSRF_TOKEN;
use crate::security_headers::EditorSources;
use folio_app::AppError;
use folio_app::editors::EditorKind;

#[derive(Template)]
#[template(path = "host_page.html")]
struct HostPageTemplate {
    file_name: String,
    favicon: Option<String>,
    action_url: String,
    access_token: String,
    access_token_ttl: i64,
    user_id: String,
    owner_id: String,
    editor_origin: String,
    close_url: String,
    versions_url: String,
    edit_url: String,
    sharing_url: String,
    microsoft_notice: bool,
    editor_kind: &'static str,
    renew_url: String,
    csrf: String,
    view: bool,
}

/// `?action=…&editor=…`
#[derive(Debug, Deserialize)]
pub struct OpenQuery {
    action: Option<String>,
    editor: Option<String>,
}

pub(crate) fn language(h: &HeaderMap) -> String {
    h.get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default()
}

/// GET /open/{id}
pub async fn open(
    State(s): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<OpenQuery>,
    headers: HeaderMap,
) -> Response {
    let id = match FileId::parse(&id) {
        Ok(id) => id,
        Err(e) => return PageError::from(e).into_response(),
    };
    let page = match s
        .app
        .host_page(
            &user.0.user,
            &id,
            q.action.as_deref(),
            q.editor.as_deref(),
            &language(&headers),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return PageError::App(e).into_response(),
    };
    let renewal = Renewal {
        url: format!("/open/{id}/token"),
        csrf: user.0.csrf.clone(),
    };
    render_host_page_with(&s, &id, page, Some(renewal))
}

/// Where and how a signed-in host page renews its token (launch-link pages have no session,
/// so no renewal).
pub struct Renewal {
    /// `POST` here.
    pub url: String,
    /// The session's CSRF token (`X-CSRF-Token`).
    pub csrf: String,
}

/// The body of `POST /open/{id}/token`: the page's current token, which names the editor
/// (client) and mode to renew. Sent in the body, never in a URL, so never in a log.
#[derive(Deserialize)]
pub struct RenewRequest {
    access_token: String,
    /// The page shows a view action (lowers the mode when write access was lost).
    #[serde(default)]
    view: bool,
}

impl std::fmt::Debug for RenewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RenewRequest { .. }")
    }
}

impl CsrfPayload for RenewRequest {
    async fn read(req: Request, s: &AppState) -> Result<(Self, String), Response> {
        let token = req
            .headers()
            .get(X_CSRF_TOKEN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let Json(body) = Json::<RenewRequest>::from_request(req, s)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok((body, token))
    }
    fn expired() -> Response {
        RenewError::FormExpired.into_response()
    }
}

/// POST /open/{id}/token — a fresh access token for the host page's user, file, editor and
/// mode: `{"access_token", "access_token_ttl"}` (absolute ms), `Cache-Control: no-store`.
/// Signed out or disabled: 401; no or stale CSRF token: 403; lost write access: 403; lost
/// access: 404.
pub async fn renew(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: Result<Csrf<RenewRequest>, Response>,
) -> Response {
    let Csrf(user, body) = match req {
        Ok(r) => r,
        // Without a session SignedIn answers 401 (this is a script's request): the host page's
        // own sentence.
        Err(r) if r.status() == StatusCode::UNAUTHORIZED || r.status().is_redirection() => {
            return RenewError::SignedOut.into_response();
        }
        Err(r) => return r,
    };
    let Ok(id) = FileId::parse(&id) else {
        return RenewError::App(AppError::NotFound).into_response();
    };
    match s
        .app
        .renew_host_token(&user.0.user, &id, &body.access_token, body.view)
        .await
    {
        Ok(minted) => {
            let mut r = Json(serde_json::json!({
                "access_token": minted.access_token,
                "access_token_ttl": minted.access_token_ttl,
            }))
            .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => RenewError::App(e).into_response(),
    }
}

/// Renders a host page model (also used by launch links, which cannot renew their token).
pub fn render_host_page(s: &AppState, id: &FileId, page: folio_app::web::HostPage) -> Response {
    render_host_page_with(s, id, page, None)
}

/// Renders a host page model, with token renewal when `renewal` is given.
pub fn render_host_page_with(
    s: &AppState,
    id: &FileId,
    page: folio_app::web::HostPage,
    renewal: Option<Renewal>,
) -> Response {
    // The page POSTs into and frames the action URL, checks PostMessages from the editor's
    // origin and shows its favicon: those origins join the page's Content-Security-Policy.
    let origin_of = |url: &str| folio_wopi::discovery::url_origin(url);
    let sources = EditorSources {
        frame: [
            origin_of(&page.action_url),
            Some(page.editor.origin.clone()),
        ]
        .into_iter()
        .flatten()
        .filter(|o| !o.is_empty())
        .collect(),
        img: page
            .editor
            .favicon
            .as_deref()
            .and_then(origin_of)
            .into_iter()
            .collect(),
    };
    let t = HostPageTemplate {
        file_name: page.file_name,
        favicon: page.editor.favicon.clone(),
        action_url: page.action_url,
        access_token: page.access_token,
        access_token_ttl: page.access_token_ttl,
        user_id: page.user_id,
        owner_id: page.owner_id,
        editor_origin: page.editor.origin.clone(),
        close_url: page.close_url,
        versions_url: if page.guest {
            String::new()
        } else {
            s.app.versions_url(id)
        },
        edit_url: page.edit_url.unwrap_or_default(),
        sharing_url: if page.is_owner {
            s.app.share_url_page(id)
        } else {
            String::new()
        },
        microsoft_notice: page.microsoft_notice,
        editor_kind: match page.editor.kind {
            EditorKind::Microsoft => "microsoft",
            EditorKind::Collabora => "collabora",
            EditorKind::OnlyOffice => "onlyoffice",
            EditorKind::Dev => "dev",
            EditorKind::Other => "other",
        },
        renew_url: renewal.as_ref().map(|r| r.url.clone()).unwrap_or_default(),
        csrf: renewal.map(|r| r.csrf).unwrap_or_default(),
        view: matches!(page.editor.action.as_str(), "view" | "embedview"),
    };
    let mut r = render(StatusCode::OK, &t);
    let h = r.headers_mut();
    // hostpage.md §5: never cache (a cached page replays an expired token).
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    h.insert(header::EXPIRES, HeaderValue::from_static("-1"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r.extensions_mut().insert(sources);
    r
}

/// `?t=` of a signed launch link.
#[derive(Debug, Deserialize)]
pub struct LaunchQuery {
    t: Option<String>,
}

/// GET /launch?t=JWT — a signed launch link (HS256 or EdDSA) from an integrating application.
pub async fn launch_jwt(
    State(s): State<AppState>,
    Query(q): Query<LaunchQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(t) = q.t else {
        return PageError::MissingLaunchToken.into_response();
    };
    match s.app.launch_by_jwt(&t, &language(&headers)).await {
        Ok(page) => {
            let id = page.file_id.clone();
            render_host_page(&s, &id, page)
        }
        Err(e) => PageError::App(e).into_response(),
    }
}

/// GET /launch/{code} — the one-time host page link of an API session.
pub async fn launch_code(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    match s.app.launch_by_code(&code, &language(&headers)).await {
        Ok(page) => {
            let id = page.file_id.clone();
            render_host_page(&s, &id, page)
        }
        Err(e) => PageError::App(e).into_response(),
    }
}
