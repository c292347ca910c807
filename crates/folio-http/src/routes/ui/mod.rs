//! Pages for people, one module per area: sign-in (`auth`), browsing folders, versions and
//! downloads (`files`), uploads (`upload`), folder and file actions (`folder_actions`,
//! `file_actions`), sharing and "Shared with me" (`sharing`), the admin page (`admin`), "Connected
//! apps" (`connected_apps`: the user's OAuth grants), the trash and the bulk actions of the file
//! browser (`trash`), search, Recent, Favourites and a file's details (`finding`), and the
//! host page that embeds an editor (`host_page`). Server-rendered askama templates; forms POST
//! with a CSRF token (checked by `crate::extract::csrf::Csrf`) and redirect; errors are answered
//! by `crate::error::page`.

pub mod account;
pub mod admin;
pub mod auth;
pub mod connected_apps;
pub mod file_actions;
pub mod files;
pub mod finding;
pub mod folder_actions;
pub mod host_page;
pub mod links;
pub mod listing;
pub mod message;
pub mod setup;
pub mod sharing;
pub mod trash;
pub mod upload;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Renders a template; a render failure is a 500 with a plain message.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            let h = r.headers_mut();
            // Referrer, framing and content-type policies: `crate::security_headers`.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => crate::error::page::render_failed(&e),
    }
}

/// The error page: what happened and what to do.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Heading.
    pub heading: String,
    /// What happened and what to do.
    pub message: String,
    /// Where to go.
    pub back: String,
    /// Link text.
    pub back_label: String,
}

/// `/static/folio.css`
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/folio.css"),
    )
}

/// `/static/upload.js`
pub async fn upload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/upload.js"),
    )
}

/// `/static/share.js`
pub async fn share_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/share.js"),
    )
}

/// `/static/host_page.js`
pub async fn host_page_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/host_page.js"),
    )
}

/// `/static/host_page.css`
pub async fn host_page_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/host_page.css"),
    )
}

/// `/static/folio.js`
pub async fn folio_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../../static/folio.js"),
    )
}
