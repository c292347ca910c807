//! Pages for people: sign-in, the file browser, versions, downloads, and the host page that
//! embeds an editor. Server-rendered askama templates; forms POST with a CSRF token and redirect.

pub mod actions;
pub mod auth;
pub mod files;
pub mod host_page;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Renders a template; a render failure is a 500 with a plain message.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template render failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the page could not be rendered\n",
            )
                .into_response()
        }
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

/// An error page response.
pub fn error_page(status: StatusCode, heading: &str, message: &str) -> Response {
    render(
        status,
        &ErrorPage {
            heading: heading.to_owned(),
            message: message.to_owned(),
            back: "/".to_owned(),
            back_label: "Back to your files".to_owned(),
        },
    )
}

/// Maps an app error on a page to a friendly error page.
pub fn page_error(e: &folio_app::AppError) -> Response {
    use folio_app::AppError;
    use folio_wopi::WopiError;
    match e {
        AppError::Wopi(WopiError::FileNotFound) | AppError::Wopi(WopiError::NotPermitted) => {
            error_page(
                StatusCode::NOT_FOUND,
                "Not found",
                "This file or folder does not exist, or you do not have access to it. Ask its owner to share it with you.",
            )
        }
        AppError::Wopi(WopiError::Unsupported(m)) => error_page(
            StatusCode::NOT_IMPLEMENTED,
            "Cannot open this file in the browser",
            &format!("{m}. You can still download it."),
        ),
        AppError::Store(folio_store::StoreError::Unavailable(_)) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Storage unavailable",
            "Folio cannot reach its storage right now. Try again in a minute.",
        ),
        other => {
            tracing::error!(error = %other, "page failed");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Folio could not complete this request. Try again; if it keeps failing, tell your administrator.",
            )
        }
    }
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
