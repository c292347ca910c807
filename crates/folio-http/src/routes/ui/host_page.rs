//! `GET /open/{file_id}?action=view|edit|editnew&editor=NAME`: the host page that embeds the
//! chosen editor (spec hostpage.md): the token is POSTed into the iframe by a form, never put in
//! a URL; the page listens for the editor's PostMessages, checking their origin.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use folio_wopi::FileId;
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::error::page::PageError;
use crate::extract::session::SignedIn;
use crate::security_headers::EditorSources;

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
}

/// `?action=…&editor=…`
#[derive(Debug, Deserialize)]
pub struct OpenQuery {
    action: Option<String>,
    editor: Option<String>,
}

fn language(h: &HeaderMap) -> String {
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
    render_host_page(&s, &id, page)
}

/// Renders a host page model (also used by launch links).
pub fn render_host_page(s: &AppState, id: &FileId, page: folio_app::web::HostPage) -> Response {
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
        versions_url: s.app.versions_url(id),
        edit_url: page.edit_url.unwrap_or_default(),
        sharing_url: if page.is_owner {
            s.app.share_url_page(id)
        } else {
            String::new()
        },
        microsoft_notice: page.microsoft_notice,
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
