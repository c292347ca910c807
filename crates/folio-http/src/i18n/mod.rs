//! Every word the web application shows, in one catalog per language
//! (`crates/folio-http/locales/<tag>.properties`, compiled in), and the functions that look them
//! up: [`t`] and friends from Rust and from every askama template (`{{ crate::i18n::t("key") }}`),
//! and [`js_strings`], the `js.*` messages handed to the scripts as one JSON element in the page.
//!
//! The locale is chosen once per request by [`layer`] from `Accept-Language`
//! ([`negotiate::negotiate`]) and held in a task-local for the request's handler, its error
//! page included; outside a request (unit tests) it is English. English is the only language
//! shipped; `qps-ploc`, the pseudo-locale (every text accented and wrapped in `⟦…⟧`, built from
//! English), is chosen only when a request names it exactly — the browser and router tests use
//! it to find text that escaped the catalog.
//!
//! WOPI, API and OAuth error bodies are for developers and stay English; they do not use this.

pub mod catalog;
pub mod negotiate;

use std::fmt::Display;
use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE, VARY};
use axum::middleware::Next;
use axum::response::Response;

use catalog::{Catalog, Entry};

/// The English catalog's source.
pub const EN_SOURCE: &str = include_str!("../../locales/en.properties");

/// The languages shipped (the first is the default), by tag and catalog source.
const SHIPPED: &[(&str, &str)] = &[("en", EN_SOURCE)];

/// The pseudo-locale's tag: the standard one Windows and Chromium use for pseudo-localization.
pub const PSEUDO: &str = "qps-ploc";

struct Locale {
    tag: &'static str,
    catalog: Catalog,
    js: String,
}

/// The tags of [`SHIPPED`], built once (the layer runs on every request, WOPI included).
static SHIPPED_TAGS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| SHIPPED.iter().map(|(tag, _)| *tag).collect());

static LOCALES: LazyLock<Vec<Locale>> = LazyLock::new(|| {
    let mut locales: Vec<Locale> = SHIPPED
        .iter()
        .map(|(tag, source)| {
            // The catalogs are compiled in and `tests::catalogs_parse` proves they parse; were
            // one broken anyway, its keys would show instead of its words.
            let catalog = catalog::parse(source).unwrap_or_default();
            Locale {
                tag,
                js: js_json(&catalog),
                catalog,
            }
        })
        .collect();
    let mut pseudo = locales
        .first()
        .map(|l| l.catalog.clone())
        .unwrap_or_default();
    for entry in pseudo.entries.values_mut() {
        *entry = match entry {
            Entry::Text(t) => Entry::Text(catalog::pseudo(t)),
            Entry::Plural { one, other } => Entry::Plural {
                one: catalog::pseudo(one),
                other: catalog::pseudo(other),
            },
        };
    }
    locales.push(Locale {
        tag: PSEUDO,
        js: js_json(&pseudo),
        catalog: pseudo,
    });
    locales
});

tokio::task_local! {
    static CURRENT: usize;
}

fn current() -> Option<&'static Locale> {
    let i = CURRENT.try_with(|i| *i).unwrap_or(0);
    LOCALES.get(i).or_else(|| LOCALES.first())
}

/// The catalog in use for this request.
pub fn current_catalog() -> Option<&'static Catalog> {
    current().map(|l| &l.catalog)
}

/// The chosen locale's tag, for `<html lang>`.
pub fn lang() -> &'static str {
    current().map_or("en", |l| l.tag)
}

fn text(key: &str, n: Option<&dyn Display>) -> Option<&'static str> {
    let entry = current()?.catalog.entries.get(key)?;
    Some(match entry {
        Entry::Text(t) => t,
        Entry::Plural { one, other } => {
            let one_ = n.is_some_and(|n| n.to_string().parse::<i128>() == Ok(1));
            if one_ { one } else { other }
        }
    })
}

/// The message `key` with its placeholders filled from `args`; a key missing from the catalog
/// shows as itself (the completeness tests keep that from happening).
pub fn targs(key: &str, args: &[(&str, &dyn Display)]) -> String {
    match text(key, None) {
        Some(t) => catalog::fill(t, args),
        None => key.to_owned(),
    }
}

/// The message `key`.
pub fn t(key: &str) -> String {
    targs(key, &[])
}

/// The message `key` with one placeholder.
pub fn t1(key: &str, name: &str, value: impl Display) -> String {
    targs(key, &[(name, &value)])
}

/// The message `key` with two placeholders.
pub fn t2(key: &str, n1: &str, v1: impl Display, n2: &str, v2: impl Display) -> String {
    targs(key, &[(n1, &v1), (n2, &v2)])
}

/// The message `key` with three placeholders.
pub fn t3(
    key: &str,
    n1: &str,
    v1: impl Display,
    n2: &str,
    v2: impl Display,
    n3: &str,
    v3: impl Display,
) -> String {
    targs(key, &[(n1, &v1), (n2, &v2), (n3, &v3)])
}

/// The message `key` with its `{placeholders}` as written, for a script that fills them (a
/// `data-*` attribute next to the element the script writes into).
pub fn t_script(key: &str) -> String {
    text(key, None).map_or_else(|| key.to_owned(), str::to_owned)
}

/// The plural message `key` for the count `n` (its `{n}` placeholder).
pub fn tn(key: &str, n: impl Display) -> String {
    match text(key, Some(&n)) {
        Some(t) => catalog::fill(t, &[("n", &n)]),
        None => key.to_owned(),
    }
}

/// The `js.*` messages of the chosen locale as a JSON object for
/// `<script type="application/json" id="folio-strings">` (`<`, `>` and `&` escaped, so the
/// element cannot be closed from inside). Render it with `|safe`.
pub fn js_strings() -> &'static str {
    current().map_or("{}", |l| l.js.as_str())
}

fn js_json(catalog: &Catalog) -> String {
    let mut map = serde_json::Map::new();
    for (key, entry) in catalog.entries.range("js.".to_owned()..) {
        if !key.starts_with("js.") {
            break;
        }
        let value = match entry {
            Entry::Text(t) => serde_json::Value::String(t.clone()),
            Entry::Plural { one, other } => serde_json::json!({ "one": one, "other": other }),
        };
        map.insert(key.clone(), value);
    }
    serde_json::Value::Object(map)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Middleware: negotiates the request's locale and runs the rest of the request in it; HTML
/// answers say `Content-Language` and `Vary: Accept-Language`.
pub async fn layer(req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let tag = negotiate::negotiate(header, &SHIPPED_TAGS, &[PSEUDO]);
    let index = LOCALES.iter().position(|l| l.tag == tag).unwrap_or(0);
    let mut response = CURRENT.scope(index, next.run(req)).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let headers = response.headers_mut();
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(tag));
        headers.append(VARY, HeaderValue::from_static("Accept-Language"));
    }
    response
}

/// Runs `f` in locale `tag` (tests).
#[cfg(test)]
pub fn with_locale<R>(tag: &str, f: impl FnOnce() -> R) -> R {
    let index = LOCALES.iter().position(|l| l.tag == tag).unwrap_or(0);
    CURRENT.sync_scope(index, f)
}

#[cfg(test)]
mod tests;
