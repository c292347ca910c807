//! The protocol pieces of Office mobile's sign-in, pure: the bootstrapper's `WWW-Authenticate`
//! challenge and `Authorization: Bearer` parsing, its `X-WOPI-EcosystemOperation` dispatch and
//! `X-WOPI-WopiSrc` check (Learn `rest/bootstrapper/*`), and the parts of an OAuth 2.0
//! authorization server that are plain functions of their input: form/query decoding, HTTP Basic
//! client credentials (RFC 6749 §2.3.1), exact redirect-URI matching (§3.1.2), building the
//! redirect (§4.1.2), scopes (§3.3) and PKCE (RFC 7636). Every function has a table test below.
//!
//! Not here: storage, secrets, token formats (folio-app), HTTP types (folio-http).

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::FileId;

/// The bootstrapper's `401` challenge (Learn `rest/bootstrapper/bootstrap`): `Bearer ` then
/// `authorization_uri`, `tokenIssuance_uri` and, when configured, `providerId`, every value
/// quoted, separated by plain commas, nothing after the last. `None` if a value contains a
/// character that cannot be quoted (`"`, `\`, a control character).
pub fn bootstrap_challenge(
    authorization_uri: &str,
    token_uri: &str,
    provider_id: Option<&str>,
) -> Option<String> {
    let quotable = |v: &str| !v.chars().any(|c| c == '"' || c == '\\' || c.is_control());
    let mut params = vec![
        ("authorization_uri", authorization_uri),
        ("tokenIssuance_uri", token_uri),
    ];
    if let Some(p) = provider_id.filter(|p| !p.is_empty()) {
        params.push(("providerId", p));
    }
    if !params.iter().all(|(_, v)| quotable(v)) {
        return None;
    }
    let list: Vec<String> = params.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    Some(format!("Bearer {}", list.join(",")))
}

/// The token of an `Authorization` header in either form Learn shows: `Bearer <t>` or
/// `Bearer: <t>` (scheme case-insensitive, one optional colon, spaces trimmed). The token is
/// opaque (never base64-decoded). `None`: another scheme, or no token.
pub fn bearer_token(header: &str) -> Option<&str> {
    let h = header.trim();
    let scheme = h.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let rest = &h[6..];
    let rest = match rest.strip_prefix(':') {
        Some(r) => r,
        None if rest.starts_with([' ', '\t']) => rest,
        None => return None, // "Bearerx…"
    };
    let token = rest.trim();
    (!token.is_empty() && !token.contains([' ', '\t'])).then_some(token)
}

/// A POST to `/wopibootstrapper`, by its `X-WOPI-EcosystemOperation` (Learn
/// `rest/bootstrapper/shortcuts`); a GET is always [`BootstrapOperation::Bootstrap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootstrapOperation {
    /// Bootstrap: the user's profile and `EcosystemUrl`.
    Bootstrap,
    /// `GET_ROOT_CONTAINER`.
    GetRootContainer,
    /// `GET_NEW_ACCESS_TOKEN`.
    GetNewAccessToken,
    /// `GET_WOPI_SRC_WITH_ACCESS_TOKEN` (answered as Bootstrap: "should not be called by WOPI
    /// clients at this time").
    GetWopiSrcWithAccessToken,
}

impl BootstrapOperation {
    /// The operation of a request (`post`: a POST; `header`: `X-WOPI-EcosystemOperation`).
    /// An absent or unknown shortcut is answered like Bootstrap, as Learn says a host that does
    /// not implement it should.
    pub fn parse(post: bool, header: Option<&str>) -> Self {
        match (post, header.map(str::trim)) {
            (true, Some(h)) if h.eq_ignore_ascii_case("GET_ROOT_CONTAINER") => {
                Self::GetRootContainer
            }
            (true, Some(h)) if h.eq_ignore_ascii_case("GET_NEW_ACCESS_TOKEN") => {
                Self::GetNewAccessToken
            }
            (true, Some(h)) if h.eq_ignore_ascii_case("GET_WOPI_SRC_WITH_ACCESS_TOKEN") => {
                Self::GetWopiSrcWithAccessToken
            }
            _ => Self::Bootstrap,
        }
    }
}

/// What an `X-WOPI-WopiSrc` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WopiSrcTarget {
    /// `…/wopi/files/{id}`.
    File(FileId),
    /// `…/wopi/containers/{id}`.
    Container(String),
}

/// The resource of a GetNewAccessToken `X-WOPI-WopiSrc`, if it is this host's: it must start
/// with `public_url` (scheme, host, port and path prefix, compared case-insensitively for the
/// scheme and host only) followed by `/wopi/files/{id}` or `/wopi/containers/{id}`; a query or
/// fragment is ignored. Anything else — absent, relative, another host, `http` for an `https`
/// host, another path — is `None` (404: never a token for someone else's URL).
pub fn parse_wopi_src(public_url: &str, wopi_src: &str) -> Option<WopiSrcTarget> {
    let src = wopi_src.trim();
    let src = src.split(['?', '#']).next().unwrap_or("");
    let origin_len = origin_len(public_url)?;
    if src.len() < public_url.len()
        || !src.is_char_boundary(public_url.len())
        || !src[..origin_len].eq_ignore_ascii_case(&public_url[..origin_len])
        || src[origin_len..public_url.len()] != public_url[origin_len..]
    {
        return None;
    }
    let path = &src[public_url.len()..];
    let id_ok = |id: &str| {
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    if let Some(id) = path.strip_prefix("/wopi/files/") {
        return FileId::parse(id).ok().map(WopiSrcTarget::File);
    }
    if let Some(id) = path.strip_prefix("/wopi/containers/") {
        return id_ok(id).then(|| WopiSrcTarget::Container(id.to_owned()));
    }
    None
}

/// Length of `scheme://host[:port]` of an absolute http(s) URL.
fn origin_len(url: &str) -> Option<usize> {
    let after = url.find("://")? + 3;
    let scheme = &url[..after - 3];
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    Some(url[after..].find('/').map_or(url.len(), |i| after + i))
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a form body): pairs
/// split at `&`, empty pairs skipped (Learn's `?&rs=…`), `+` as space, `%XX` decoded; invalid
/// UTF-8 is replaced. A name without `=` has an empty value.
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

/// Decodes one form component (`+` is a space, `%XX` a byte; a bad escape stays as it is).
pub fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-encodes a query value: everything but RFC 3986 unreserved characters.
pub fn query_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The client credentials of an `Authorization: Basic` header (RFC 6749 §2.3.1): base64 of
/// `form-urlencode(id) ":" form-urlencode(secret)`, split at the first colon, each half
/// form-decoded. `None`: another scheme, bad base64, no colon, or an empty id.
pub fn basic_credentials(header: &str) -> Option<(String, String)> {
    let h = header.trim();
    let scheme = h.get(..5)?;
    if !scheme.eq_ignore_ascii_case("basic") || !h[5..].starts_with([' ', '\t']) {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(h[5..].trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let id = form_decode(id);
    (!id.is_empty()).then(|| (id, form_decode(secret)))
}

/// The redirect URI a request may use (RFC 6749 §3.1.2.3): the one sent if it equals a
/// registered URI **byte for byte**; with none sent, the only registered one. `None`: no match
/// (an error page, never a redirect).
pub fn match_redirect_uri<'a>(
    registered: &'a [String],
    requested: Option<&str>,
) -> Option<&'a str> {
    match requested {
        Some(r) => registered
            .iter()
            .find(|u| u.as_str() == r)
            .map(String::as_str),
        None => match registered {
            [only] => Some(only.as_str()),
            _ => None,
        },
    }
}

/// The redirect to `uri` with `params` appended to its query (`?`, or `&` when it already has
/// one; a fragment is not allowed in a registered URI, §3.1.2). Values are percent-encoded.
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(k);
        out.push('=');
        out.push_str(&query_encode(v));
        sep = '&';
    }
    out
}

/// The scopes of a `scope` parameter: split on spaces and commas (RFC 6749 §3.3 uses spaces,
/// Microsoft's onboarding form commas), empty entries dropped, order kept, duplicates removed.
pub fn scopes(scope: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in scope.split([' ', ',']).filter(|s| !s.is_empty()) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A PKCE `code_challenge_method` (RFC 7636 §4.3; absent means `plain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeMethod {
    /// `S256`: `BASE64URL(SHA256(verifier)) == challenge`.
    S256,
    /// `plain`: `verifier == challenge`.
    Plain,
}

impl ChallengeMethod {
    /// Parses the parameter (case-sensitive, as the RFC defines the values); absent → `plain`.
    pub fn parse(method: Option<&str>) -> Option<Self> {
        match method {
            None | Some("plain") => Some(Self::Plain),
            Some("S256") => Some(Self::S256),
            Some(_) => None,
        }
    }

    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

/// Whether a PKCE code challenge or verifier is well formed: 43–128 characters of
/// `[A-Z a-z 0-9 - . _ ~]` (RFC 7636 §4.1, §4.2).
pub fn pkce_value_ok(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.6: does `verifier` answer `challenge` under `method`? Compared in constant time.
pub fn pkce_verifies(method: ChallengeMethod, challenge: &str, verifier: &str) -> bool {
    if !pkce_value_ok(verifier) {
        return false;
    }
    let derived = match method {
        ChallengeMethod::Plain => verifier.to_owned(),
        ChallengeMethod::S256 => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes())),
    };
    constant_eq(derived.as_bytes(), challenge.as_bytes())
}

/// Constant-time equality (length leaks, content does not).
pub fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The RFC 6749 error codes (§4.1.2.1 and §5.2), as sent in `error=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthErrorCode {
    /// Missing, duplicated or malformed parameter.
    InvalidRequest,
    /// Unknown client, bad or missing client authentication.
    InvalidClient,
    /// Code or refresh token invalid, expired, used, revoked, another client's, or a
    /// redirect-URI mismatch.
    InvalidGrant,
    /// The client may not use this grant.
    UnauthorizedClient,
    /// Neither `authorization_code` nor `refresh_token`.
    UnsupportedGrantType,
    /// `response_type` is not `code`.
    UnsupportedResponseType,
    /// Unknown or too wide scope.
    InvalidScope,
    /// The user said no.
    AccessDenied,
    /// An unexpected failure.
    ServerError,
    /// Storage or overload.
    TemporarilyUnavailable,
}

impl OAuthErrorCode {
    /// The `error` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strict grammar of spec/mobile-oauth.md §3.1, checked by hand (no regex crate here):
    /// `^Bearer (?:[A-Za-z_]+="[^"]*")(?:,[A-Za-z_]+="[^"]*")*$`, returning the names.
    fn strict_names(h: &str) -> Option<Vec<String>> {
        let mut rest = h.strip_prefix("Bearer ")?;
        let mut names = Vec::new();
        loop {
            let eq = rest.find("=\"")?;
            let name = &rest[..eq];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
                return None;
            }
            let after = &rest[eq + 2..];
            let close = after.find('"')?;
            names.push(name.to_owned());
            rest = &after[close + 1..];
            if rest.is_empty() {
                return Some(names);
            }
            rest = rest.strip_prefix(',')?;
        }
    }

    #[test]
    fn the_challenge_follows_the_strict_grammar() {
        let rows: [(Option<&str>, Option<&[&str]>); 4] = [
            (None, Some(&["authorization_uri", "tokenIssuance_uri"])),
            (Some(""), Some(&["authorization_uri", "tokenIssuance_uri"])),
            (
                Some("TP_FOLIO"),
                Some(&["authorization_uri", "tokenIssuance_uri", "providerId"]),
            ),
            (Some("bad\"id"), None),
        ];
        for (provider, names) in rows {
            let h = bootstrap_challenge(
                "https://f.example/oauth2/authorize",
                "https://f.example/oauth2/token",
                provider,
            );
            let got = h.as_deref().and_then(strict_names);
            assert_eq!(
                got.as_deref()
                    .map(|v| v.iter().map(String::as_str).collect::<Vec<_>>()),
                names.map(<[&str]>::to_vec),
                "{provider:?}: {h:?}"
            );
        }
        assert_eq!(
            bootstrap_challenge("https://a/authorize", "https://a/token", Some("TP_FOLIO"))
                .as_deref(),
            Some(
                "Bearer authorization_uri=\"https://a/authorize\",tokenIssuance_uri=\"https://a/token\",providerId=\"TP_FOLIO\""
            )
        );
        assert_eq!(strict_names("Bearer a=\"1\","), None, "no trailing comma");
        assert_eq!(strict_names("Bearer a=\"1\", b=\"2\""), None, "no spaces");
    }

    #[test]
    fn bearer_tokens_in_both_forms() {
        for (header, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER   abc  ", Some("abc")),
            ("Bearer: abc", Some("abc")),
            ("Bearer:abc", Some("abc")),
            ("Bearer:  abc", Some("abc")),
            ("Bearer", None),
            ("Bearer ", None),
            ("Bearer: ", None),
            ("Bearerabc", None),
            ("Bearer a b", None),
            ("Basic abc", None),
            ("", None),
            ("Bear", None),
            ("Bearer\u{e9}x", None),
        ] {
            assert_eq!(bearer_token(header), want, "{header:?}");
        }
    }

    #[test]
    fn ecosystem_operations() {
        use BootstrapOperation::*;
        for (post, header, want) in [
            (false, None, Bootstrap),
            (false, Some("GET_ROOT_CONTAINER"), Bootstrap),
            (true, None, Bootstrap),
            (true, Some("GET_ROOT_CONTAINER"), GetRootContainer),
            (true, Some("get_root_container"), GetRootContainer),
            (true, Some("GET_NEW_ACCESS_TOKEN"), GetNewAccessToken),
            (true, Some(" GET_NEW_ACCESS_TOKEN "), GetNewAccessToken),
            (
                true,
                Some("GET_WOPI_SRC_WITH_ACCESS_TOKEN"),
                GetWopiSrcWithAccessToken,
            ),
            (true, Some("SOMETHING_NEW"), Bootstrap),
            (true, Some(""), Bootstrap),
        ] {
            assert_eq!(
                BootstrapOperation::parse(post, header),
                want,
                "{post} {header:?}"
            );
        }
    }

    #[test]
    fn wopi_src_must_be_this_hosts() {
        const F: &str = "AbCdEfGhIjKlMnOpQrStUv";
        let file = || Some(WopiSrcTarget::File(FileId::from_trusted(F.into())));
        let base = "https://files.example.com";
        let rows: Vec<(&str, String, Option<WopiSrcTarget>)> = vec![
            (base, format!("{base}/wopi/files/{F}"), file()),
            (
                base,
                format!("HTTPS://Files.Example.com/wopi/files/{F}"),
                file(),
            ),
            (
                base,
                format!("{base}/wopi/files/{F}?access_token=x"),
                file(),
            ),
            (base, format!("{base}/wopi/files/{F}#x"), file()),
            (
                base,
                format!("{base}/wopi/containers/abc123"),
                Some(WopiSrcTarget::Container("abc123".into())),
            ),
            (base, String::new(), None),
            (base, format!("/wopi/files/{F}"), None),
            (
                base,
                format!("http://files.example.com/wopi/files/{F}"),
                None,
            ),
            (
                base,
                format!("https://files.example.com:8443/wopi/files/{F}"),
                None,
            ),
            (base, format!("https://evil.example/wopi/files/{F}"), None),
            (
                base,
                format!("https://files.example.com.evil.example/wopi/files/{F}"),
                None,
            ),
            (base, format!("{base}/wopi/files/{F}/contents"), None),
            (base, format!("{base}/wopi/files/"), None),
            (base, format!("{base}/wopi/files/bad-id!"), None),
            (base, format!("{base}/wopi/containers/../x"), None),
            (base, format!("{base}/wopi/ecosystem"), None),
            (base, format!("{base}/other/files/{F}"), None),
            (
                "https://h.example/folio",
                format!("https://h.example/folio/wopi/files/{F}"),
                file(),
            ),
            (
                "https://h.example/folio",
                format!("https://h.example/wopi/files/{F}"),
                None,
            ),
            (
                "https://h.example/folio",
                format!("https://h.example/FOLIO/wopi/files/{F}"),
                None,
            ),
            (
                "http://127.0.0.1:4000",
                format!("http://127.0.0.1:4000/wopi/files/{F}"),
                file(),
            ),
        ];
        for (public, src, want) in rows {
            assert_eq!(parse_wopi_src(public, &src), want, "{public} {src}");
        }
    }

    #[test]
    fn forms_decode_like_browsers_send_them() {
        let got =
            parse_form("&rs=en-US&redirect_uri=https%3A%2F%2Flocalhost&state=&a+b=c+d&x&bad=%zz%4");
        let want: Vec<(String, String)> = [
            ("rs", "en-US"),
            ("redirect_uri", "https://localhost"),
            ("state", ""),
            ("a b", "c d"),
            ("x", ""),
            ("bad", "%zz%4"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
        assert_eq!(form_decode("%E2%82%AC"), "€");
        assert_eq!(form_decode("%"), "%");
        assert_eq!(form_decode("a%2"), "a%2");
        assert_eq!(query_encode("a b&c=/€"), "a%20b%26c%3D%2F%E2%82%AC");
    }

    #[test]
    fn basic_credentials_are_form_encoded_halves() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for (header, want) in [
            (
                format!("Basic {}", b64("office:s3cret")),
                Some(("office", "s3cret")),
            ),
            (
                format!("basic {}", b64("office:s3cret")),
                Some(("office", "s3cret")),
            ),
            (
                format!("Basic {}", b64("of%3Afice:a%2Bb+c:d")),
                Some(("of:fice", "a+b c:d")),
            ),
            (format!("Basic {}", b64("office:")), Some(("office", ""))),
            (format!("Basic {}", b64(":secret")), None),
            (format!("Basic {}", b64("nocolon")), None),
            ("Basic !!!".to_owned(), None),
            (format!("Bearer {}", b64("a:b")), None),
            (format!("Basicx{}", b64("a:b")), None),
            ("Basic".to_owned(), None),
        ] {
            let got = basic_credentials(&header);
            assert_eq!(
                got.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                want,
                "{header}"
            );
        }
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let one = vec!["https://localhost".to_owned()];
        let two = vec![
            "https://localhost".to_owned(),
            "https://localhost/?x=1".to_owned(),
        ];
        for (reg, req, want) in [
            (&one, Some("https://localhost"), Some("https://localhost")),
            (&one, None, Some("https://localhost")),
            (&one, Some("https://localhost/"), None),
            (&one, Some("https://LOCALHOST"), None),
            (&one, Some("https://localhost.evil.example"), None),
            (&one, Some("https://localhost?x=1"), None),
            (&one, Some(""), None),
            (
                &two,
                Some("https://localhost/?x=1"),
                Some("https://localhost/?x=1"),
            ),
            (&two, None, None),
        ] {
            assert_eq!(match_redirect_uri(reg, req), want, "{reg:?} {req:?}");
        }
        assert_eq!(
            redirect_with("https://localhost", &[("code", "abc"), ("state", "a b&c")]),
            "https://localhost?code=abc&state=a%20b%26c"
        );
        assert_eq!(
            redirect_with("https://localhost/?x=1", &[("code", "abc"), ("state", "")]),
            "https://localhost/?x=1&code=abc&state="
        );
    }

    #[test]
    fn scopes_split_on_spaces_and_commas() {
        for (s, want) in [
            ("", vec![]),
            ("wopi", vec!["wopi"]),
            ("a b,c  ,a", vec!["a", "b", "c"]),
            (" , ", vec![]),
        ] {
            assert_eq!(scopes(s), want, "{s:?}");
        }
    }

    #[test]
    fn pkce_s256_and_plain() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        for (method, ch, v, want) in [
            (ChallengeMethod::S256, challenge, verifier, true),
            (ChallengeMethod::S256, challenge, &verifier[1..], false),
            (ChallengeMethod::S256, verifier, verifier, false),
            (ChallengeMethod::Plain, verifier, verifier, true),
            (ChallengeMethod::Plain, challenge, verifier, false),
            (ChallengeMethod::Plain, "short", "short", false),
        ] {
            assert_eq!(pkce_verifies(method, ch, v), want, "{method:?} {ch} {v}");
        }
        for (m, want) in [
            (None, Some(ChallengeMethod::Plain)),
            (Some("plain"), Some(ChallengeMethod::Plain)),
            (Some("S256"), Some(ChallengeMethod::S256)),
            (Some("s256"), None),
            (Some("RS256"), None),
        ] {
            assert_eq!(ChallengeMethod::parse(m), want, "{m:?}");
        }
        assert!(pkce_value_ok(verifier));
        assert!(!pkce_value_ok(&"a".repeat(42)));
        assert!(!pkce_value_ok(&"a".repeat(129)));
        assert!(!pkce_value_ok(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn error_codes_are_rfc_spellings() {
        use OAuthErrorCode::*;
        for (c, s) in [
            (InvalidRequest, "invalid_request"),
            (InvalidClient, "invalid_client"),
            (InvalidGrant, "invalid_grant"),
            (UnauthorizedClient, "unauthorized_client"),
            (UnsupportedGrantType, "unsupported_grant_type"),
            (UnsupportedResponseType, "unsupported_response_type"),
            (InvalidScope, "invalid_scope"),
            (AccessDenied, "access_denied"),
            (ServerError, "server_error"),
            (TemporarilyUnavailable, "temporarily_unavailable"),
        ] {
            assert_eq!(c.as_str(), s);
        }
    }
}
