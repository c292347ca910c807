//! The editor page, loaded in Folio's host-page iframe by a form POST to the action URL.

use crate::DevEditor;
use crate::util::{escape_markup, json_for_script};
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// Query of the action URL (filled from the discovery `urlsrc`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActionQuery {
    wopisrc: Option<String>,
    ui: Option<String>,
    new: Option<String>,
}

/// Form fields POSTed by the host page (hostpage.md §2). Unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActionForm {
    access_token: Option<String>,
    access_token_ttl: Option<String>,
    user_id: Option<String>,
    owner_id: Option<String>,
}

/// `POST /view`.
pub(crate) async fn view_page(
    State(dev): State<DevEditor>,
    query: Result<Query<ActionQuery>, QueryRejection>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    render(&dev, false, query, form)
}

/// `POST /edit`.
pub(crate) async fn edit_page(
    State(dev): State<DevEditor>,
    query: Result<Query<ActionQuery>, QueryRejection>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    render(&dev, true, query, form)
}

/// The `lang` of the page: the `ui` parameter if it looks like a language tag, else `en`.
fn language(ui: Option<&str>) -> String {
    let ui = ui.unwrap_or_default().trim();
    let mut parts = ui.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        ui.to_owned()
    } else {
        "en".to_owned()
    }
}

/// Headers of every page: never cached, never leaking the URL, framable by Folio only.
fn page_headers(dev: &DevEditor) -> Vec<(HeaderName, HeaderValue)> {
    let origin = folio_wopi::discovery::url_origin(&dev.inner.public_url).unwrap_or_default();
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self' {origin}"
    );
    let mut headers = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache, no-store"),
        ),
        (header::EXPIRES, HeaderValue::from_static("-1")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.push((header::CONTENT_SECURITY_POLICY, csp));
    }
    headers
}

fn respond(dev: &DevEditor, status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    for (name, value) in page_headers(dev) {
        response.headers_mut().insert(name, value);
    }
    response
}

/// A small error page.
fn error_page(dev: &DevEditor, message: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Folio Dev Editor</title>\n<link rel=\"stylesheet\" href=\"editor.css\">\n</head>\n\
         <body>\n<main class=\"error-page\">\n<h1>Folio Dev Editor</h1>\n\
         <p id=\"status\" role=\"status\" class=\"error\">{}</p>\n</main>\n</body>\n</html>\n",
        escape_markup(message)
    );
    respond(dev, StatusCode::BAD_REQUEST, html)
}

/// Renders the page for the action, or an error page for an unusable request.
fn render(
    dev: &DevEditor,
    edit: bool,
    query: Result<Query<ActionQuery>, QueryRejection>,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error_page(dev, "The action URL has an invalid query string.");
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(_) => {
            return error_page(
                dev,
                "Open this page through Folio: it expects a form POST with an access token.",
            );
        }
    };
    let Some(wopisrc) = query.wopisrc.filter(|w| !w.trim().is_empty()) else {
        return error_page(dev, "The action URL has no wopisrc parameter.");
    };
    let Some(token) = form.access_token.filter(|t| !t.is_empty()) else {
        return error_page(dev, "No access_token was posted.");
    };
    let ttl = form
        .access_token_ttl
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let lang = language(query.ui.as_deref());
    let is_new = query.new.as_deref() == Some("1");
    let mode = if edit { "edit" } else { "view" };
    let config = json!({
        "wopisrc": wopisrc,
        "access_token": token,
        "access_token_ttl": ttl,
        "mode": mode,
        "is_new": is_new,
        "ui": lang,
        "user_id": form.user_id.unwrap_or_default(),
        "owner_id": form.owner_id.unwrap_or_default(),
    });
    let html = page_html(mode, &lang, &json_for_script(&config));
    respond(dev, StatusCode::OK, html)
}

/// The editor page markup; `config` is the JSON read by `editor.js` (already safe for a script
/// element). The element ids are a contract with the browser tests.
fn page_html(mode: &str, lang: &str, config: &str) -> String {
    let edit = mode == "edit";
    let save_button = if edit {
        "\n      <button id=\"save-btn\" type=\"button\" disabled>Save</button>"
    } else {
        ""
    };
    let edit_button = if edit {
        ""
    } else {
        "\n      <button id=\"edit-btn\" type=\"button\" hidden>Edit</button>"
    };
    let mode_label = if edit { "Editing" } else { "Viewing" };
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Folio Dev Editor</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="editor.css">
  <script type="application/json" id="dev-editor-config">{config}</script>
  <script src="editor.js" defer></script>
</head>
<body data-mode="{mode}">
  <header class="bar">
    <h1 id="doc-name">Loading…</h1>
    <p class="meta">
      <span id="doc-mode">{mode_label}</span> ·
      version <span id="doc-version">–</span> ·
      <span id="doc-size">–</span>
    </p>
  </header>
  <main>
    <p id="doc-binary" class="notice" hidden>This file is a binary document — view only.</p>
    <p id="doc-office-note" class="notice" hidden></p>
    <textarea id="doc-text" aria-label="Document text" readonly spellcheck="false" autocomplete="off"></textarea>
    <section id="doc-sheets" aria-label="Worksheets" hidden>
      <div id="doc-sheet-tabs" class="tabs" role="toolbar" aria-label="Sheets"></div>
      <div class="grid-wrap"><table id="doc-grid"></table></div>
    </section>
    <section id="doc-slides" aria-label="Slides" hidden></section>
  </main>
  <footer class="bar">
    <div class="actions" role="toolbar" aria-label="Document actions">{save_button}{edit_button}
      <button id="versions-btn" type="button">Versions</button>
      <button id="close-btn" type="button">Close</button>
    </div>
    <p id="status" role="status" aria-live="polite">Loading…</p>
  </footer>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(language(Some("en-US")), "en-US");
        assert_eq!(language(Some("de")), "de");
        assert_eq!(language(Some("zh-Hant-TW")), "zh-Hant-TW");
        assert_eq!(language(None), "en");
        assert_eq!(language(Some("")), "en");
        assert_eq!(language(Some("\"><script>")), "en");
        assert_eq!(language(Some("e")), "en");
        assert_eq!(language(Some("en-")), "en");
    }

    #[test]
    fn page_contract() {
        let edit = page_html("edit", "en", "{}");
        for id in [
            "id=\"doc-name\"",
            "id=\"doc-version\"",
            "id=\"doc-text\" aria-label=\"Document text\" readonly",
            "id=\"save-btn\"",
            "id=\"close-btn\"",
            "id=\"versions-btn\"",
            "id=\"status\" role=\"status\"",
        ] {
            assert!(edit.contains(id), "{id}");
        }
        assert!(!edit.contains("edit-btn"));
        let view = page_html("view", "en", "{}");
        assert!(view.contains("<button id=\"edit-btn\" type=\"button\" hidden>Edit</button>"));
        assert!(!view.contains("save-btn"));
        assert!(view.contains("binary document — view only"));
        for id in [
            "id=\"doc-office-note\"",
            "id=\"doc-grid\"",
            "id=\"doc-slides\"",
            "id=\"doc-sheet-tabs\"",
        ] {
            assert!(edit.contains(id), "{id}");
        }
    }
}
