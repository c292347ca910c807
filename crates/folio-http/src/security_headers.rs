//! Security headers on every response, as one layer ([`security_headers`]) applied by
//! [`crate::router_with`] to everything it serves — pages, `/api/v1`, `/wopi`, static files and
//! whatever is nested beside them (the development editor under `/dev-editor`).
//!
//! - `Content-Security-Policy`: same-origin scripts, styles, images (plus `data:`), frames and
//!   form targets; no plugins, no `<base>`. A response that frames an editor (the host page)
//!   carries an [`EditorSources`] extension naming the editor's origin: it is added to
//!   `form-action` (the page POSTs the access token into the frame) and `frame-src`, and the
//!   editor's favicon origin to `img-src`. Per response rather than every configured editor:
//!   action URLs come from discovery, which changes at run time, and a page needs only its own.
//!   A response that already has a policy (the development editor's pages set a stricter one)
//!   keeps it.
//! - `frame-ancestors 'none'` and `X-Frame-Options: DENY`, except under [`FRAMED_PREFIXES`]
//!   (the development editor's pages are framed by Folio's own host page): `'self'` and
//!   `SAMEORIGIN` there.
//! - `Referrer-Policy: no-referrer` (access tokens can be in URLs: `?access_token=` on WOPI,
//!   `/launch?t=`), `X-Content-Type-Options: nosniff`.
//! - `Strict-Transport-Security: max-age=31536000` only when the public URL is `https://`.
//!
//! Not here: caching headers (each handler knows whether its answer may be cached) and CORS
//! (Folio answers no cross-origin requests).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Path prefixes whose responses may be framed by Folio's own pages.
pub const FRAMED_PREFIXES: &[&str] = &["/dev-editor"];

/// What one response adds to the policy: set as a response extension by a page that frames an
/// editor (the host page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorSources {
    /// Origins the page POSTs a form to and frames (`https://editor.example`).
    pub frame: Vec<String>,
    /// Origins the page loads images from (the editor's favicon).
    pub img: Vec<String>,
}

/// The layer's configuration, fixed at start-up.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    hsts: bool,
}

impl SecurityHeaders {
    /// The policy for a Folio served at `public_url`: HSTS only when it is `https://`.
    pub fn for_public_url(public_url: &str) -> Self {
        let scheme = public_url.trim().get(..8).unwrap_or_default();
        Self {
            hsts: scheme.eq_ignore_ascii_case("https://"),
        }
    }
}

/// Whether responses under `path` may be framed by Folio's own pages.
fn framed(path: &str) -> bool {
    FRAMED_PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Whether `origin` can go into a policy as a source expression (`scheme://host[:port]`); anything
/// with spaces, quotes, `;` or `,` would change the policy's meaning.
fn usable_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// ` origin1 origin2` (each usable origin with a leading space).
fn sources(origins: &[String]) -> String {
    origins
        .iter()
        .filter(|o| usable_origin(o))
        .fold(String::new(), |acc, o| acc + " " + o)
}

/// The `Content-Security-Policy` value.
pub fn content_security_policy(framed: bool, extra: Option<&EditorSources>) -> String {
    let (frame, img) =
        extra.map_or_else(Default::default, |e| (sources(&e.frame), sources(&e.img)));
    let ancestors = if framed { "'self'" } else { "'none'" };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{img}; \
         object-src 'none'; base-uri 'none'; form-action 'self'{frame}; frame-src 'self'{frame}; \
         frame-ancestors {ancestors}"
    )
}

/// Sets the headers on `headers` of a response to a request for `path`.
fn apply(policy: &SecurityHeaders, path: &str, extra: Option<&EditorSources>, h: &mut HeaderMap) {
    let framed = framed(path);
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(csp) = HeaderValue::from_str(&content_security_policy(framed, extra))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static(if framed { "SAMEORIGIN" } else { "DENY" }),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if policy.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

/// The middleware: `axum::middleware::from_fn_with_state(SecurityHeaders, security_headers)`.
pub async fn security_headers(
    State(policy): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    let extra = response.extensions_mut().remove::<EditorSources>();
    apply(&policy, &path, extra.as_ref(), response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framed_paths() {
        for (path, expect) in [
            ("/dev-editor", true),
            ("/dev-editor/view", true),
            ("/dev-editorx", false),
            ("/", false),
            ("/open/x", false),
            ("/api/v1/dev-editor", false),
        ] {
            assert_eq!(framed(path), expect, "{path}");
        }
    }

    #[test]
    fn editor_origins_are_added_only_when_usable() {
        let extra = EditorSources {
            frame: vec![
                "https://editor.example:8443".into(),
                "https://evil; script-src *".into(),
                "javascript:x".into(),
            ],
            img: vec!["https://cdn.example".into()],
        };
        let csp = content_security_policy(false, Some(&extra));
        assert!(csp.contains("form-action 'self' https://editor.example:8443;"));
        assert!(csp.contains("frame-src 'self' https://editor.example:8443;"));
        assert!(csp.contains("img-src 'self' data: https://cdn.example;"));
        assert!(!csp.contains("evil") && !csp.contains("javascript"));
        assert!(csp.ends_with("frame-ancestors 'none'"));
        assert!(content_security_policy(true, None).ends_with("frame-ancestors 'self'"));
    }

    #[test]
    fn hsts_only_for_https() {
        assert!(SecurityHeaders::for_public_url("https://folio.example").hsts);
        assert!(SecurityHeaders::for_public_url("HTTPS://folio.example").hsts);
        assert!(!SecurityHeaders::for_public_url("http://folio.example").hsts);
        assert!(!SecurityHeaders::for_public_url("").hsts);
    }
}
