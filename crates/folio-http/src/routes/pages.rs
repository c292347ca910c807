//! Pages for people. Until editors are configured (discovery), `/open/{id}` — the HostViewUrl
//! and HostEditUrl Folio advertises — says plainly that no editor is available.

use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse};

/// The front page.
pub async fn home() -> impl IntoResponse {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Folio</title></head><body><h1>Folio</h1>\
         <p>This is a Folio WOPI host. WOPI clients call it under <code>/wopi/</code>.</p>\
         </body></html>",
    )
}

/// `GET /open/{id}`: the host page address.
pub async fn open(Path(id): Path<String>) -> impl IntoResponse {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (
        [(header::REFERRER_POLICY, "no-referrer")],
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Open document — Folio</title></head><body><h1>No editor is configured</h1>\
             <p>File <code>{id}</code> cannot be opened in the browser because this Folio server \
             has no WOPI editor (Microsoft 365, Collabora Online, ONLYOFFICE) configured. \
             Ask your administrator to configure one.</p></body></html>"
        )),
    )
}
