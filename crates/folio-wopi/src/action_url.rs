//! Action URLs (discovery.md §5): fill the `<name=PLACEHOLDER[&]>` segments of a discovery
//! `urlsrc` template with the values the host knows, and language tags in the form Office wants.
//!
//! Grammar: a segment is `<` name `=` PLACEHOLDER [`&`] `>`, where name has no `=`, `<`, `>` and
//! PLACEHOLDER has no `&`, `<`, `>`. Everything outside segments (`edit=1&`,
//! `PowerPointView=EditView&`, …) is fixed text and kept byte for byte. Text that does not fit the
//! grammar (an unclosed `<`, `<>`, `<x>`) is kept verbatim. The functions never panic.

/// Values Folio knows. Empty/None → the segment is removed.
#[derive(Debug, Clone, Default)]
pub struct ActionUrlParams {
    /// The WOPISrc (`https://host/wopi/files/<id>`), unencoded. Fills `WOPI_SOURCE`, or is
    /// appended as `WOPISrc=` when the template has no such placeholder (Collabora, legacy).
    pub wopi_src: String,
    /// `UI_LLCC`: UI language, RFC 1766 (`en-US`; see [`llcc`]).
    pub ui_llcc: Option<String>,
    /// `DC_LLCC`: data/regional language, RFC 1766. Not defaulted to `ui_llcc` here.
    pub dc_llcc: Option<String>,
    /// `BUSINESS_USER` → `1` when true.
    pub business_user: bool,
    /// `DISABLE_CHAT` → `1` when true.
    pub disable_chat: bool,
    /// `HOST_SESSION_ID`: the host's session id for support correlation.
    pub host_session_id: Option<String>,
    /// `SESSION_CONTEXT`: echoed back in `X-WOPI-SessionContext`.
    pub session_context: Option<String>,
    /// `VALIDATOR_TEST_CATEGORY` (WopiTest app): `All`, `OfficeOnline`, `OfficeNativeClient`.
    pub validator_test_category: Option<String>,
    /// `THEME_ID`: `1` light, `2` dark.
    pub theme_id: Option<String>,
}

impl ActionUrlParams {
    /// The value for `placeholder` (upper-case token), `None` if unknown, unset or empty.
    fn value(&self, placeholder: &str) -> Option<&str> {
        let flag = |on: bool| on.then_some("1");
        let value = match placeholder {
            "WOPI_SOURCE" => Some(self.wopi_src.as_str()),
            "UI_LLCC" => self.ui_llcc.as_deref(),
            "DC_LLCC" => self.dc_llcc.as_deref(),
            "BUSINESS_USER" => flag(self.business_user),
            "DISABLE_CHAT" => flag(self.disable_chat),
            "HOST_SESSION_ID" => self.host_session_id.as_deref(),
            "SESSION_CONTEXT" => self.session_context.as_deref(),
            "VALIDATOR_TEST_CATEGORY" => self.validator_test_category.as_deref(),
            "THEME_ID" => self.theme_id.as_deref(),
            _ => None,
        };
        value.filter(|v| !v.is_empty())
    }
}

/// A `<name=PLACEHOLDER[&]>` segment, borrowed from the template.
struct Segment<'a> {
    name: &'a str,
    placeholder: &'a str,
    amp: bool,
}

/// Parses the text between `<` and `>`; `None` if it does not fit the grammar.
fn parse_segment(inner: &str) -> Option<Segment<'_>> {
    let (name, rest) = inner.split_once('=')?;
    let (placeholder, amp) = match rest.strip_suffix('&') {
        Some(p) => (p, true),
        None => (rest, false),
    };
    let placeholder = placeholder.trim();
    if name.trim().is_empty() || placeholder.is_empty() || placeholder.contains('&') {
        return None;
    }
    Some(Segment {
        name,
        placeholder,
        amp,
    })
}

/// The URL being built, and what its tail came from.
struct Output {
    text: String,
    /// Byte offset where the most recent fixed-text chunk starts, if the text ends with one.
    fixed_tail: Option<usize>,
    /// Whether a segment was removed after that fixed-text chunk.
    removed_after_fixed: bool,
}

impl Output {
    fn fixed(&mut self, text: &str) {
        if !text.is_empty() {
            self.fixed_tail = Some(self.text.len());
            self.removed_after_fixed = false;
            self.text.push_str(text);
        }
    }

    fn filled(&mut self, segment: &Segment<'_>, value: &str) {
        self.text.push_str(segment.name);
        self.text.push('=');
        self.text.push_str(&encode_component(value));
        if segment.amp {
            self.text.push('&');
        }
        self.fixed_tail = None;
        self.removed_after_fixed = false;
    }

    /// The text, minus `&`/`?` that fixed text left dangling before removed segments.
    fn finish(mut self) -> String {
        if let (Some(start), true) = (self.fixed_tail, self.removed_after_fixed) {
            while self.text.len() > start && (self.text.ends_with('&') || self.text.ends_with('?'))
            {
                self.text.pop();
            }
        }
        self.text
    }
}

/// Fills/removes every `<name=PLACEHOLDER[&]>` segment; unknown placeholders removed; values
/// URL-encoded once (encode everything except unreserved A-Z a-z 0-9 - . _ ~); if the template had
/// no WOPI_SOURCE placeholder, append `WOPISrc=<encoded>` (with `?` or `&` as needed, as for
/// Collabora `…/cool.html?`); finally strip a trailing `&` or `?` only if left dangling after
/// removal — keep fixed params like `edit=1&` intact.
///
/// Precisely: a filled segment becomes `name=` + encoded value + (`&` if the segment had one), so
/// a URL ending in a filled `…&` keeps it (the discovery.md worked example). Trailing `&`/`?`
/// characters are stripped only from fixed text that is followed in the template by segments that
/// were all removed (`…usescript=1&<ui=UI_LLCC>` without a UI language → `…usescript=1`); a
/// template that itself ends in `&` or `?` keeps it. Placeholder tokens compare ASCII
/// case-insensitively. Never adds the access token. For the `preload*` actions (no WOPISrc
/// needed) leave `wopi_src` empty so nothing is appended.
pub fn build_action_url(urlsrc: &str, params: &ActionUrlParams) -> String {
    let mut out = Output {
        text: String::with_capacity(urlsrc.len() + params.wopi_src.len() * 3 + 64),
        fixed_tail: None,
        removed_after_fixed: false,
    };
    let mut has_wopi_source = false;
    let mut rest = urlsrc;
    while let Some(open) = rest.find('<') {
        let current = rest;
        out.fixed(&current[..open]);
        let after = &current[open + 1..];
        // The segment ends at the first '>' unless another '<' comes first (then this '<' is
        // unclosed and literal).
        let close = after
            .find(['<', '>'])
            .filter(|&i| after.as_bytes().get(i) == Some(&b'>'));
        let Some(close) = close else {
            out.fixed("<");
            rest = after;
            continue;
        };
        rest = &after[close + 1..];
        let Some(segment) = parse_segment(&after[..close]) else {
            // `<>`, `<x>`, `<=X>`: not a placeholder segment; keep it verbatim.
            out.fixed(&current[open..open + close + 2]);
            continue;
        };
        let placeholder = segment.placeholder.to_ascii_uppercase();
        if placeholder == "WOPI_SOURCE" {
            has_wopi_source = true;
        }
        match params.value(&placeholder) {
            Some(value) => out.filled(&segment, value),
            None => out.removed_after_fixed = true,
        }
    }
    out.fixed(rest);
    let mut out = out.finish();
    if !has_wopi_source && !params.wopi_src.is_empty() {
        out = append_param(&out, "WOPISrc", &params.wopi_src);
    }
    out
}

/// Appends `name=value` (both percent-encoded with [`encode_component`]) to the query of `url`,
/// before any `#fragment`: directly after a trailing `?` or `&`, else after `&` if the URL has a
/// query, else after `?`. For `sftc=1`, Collabora's `lang=`, or the `wd*` parameters of the host
/// page.
pub fn append_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let mut out = String::with_capacity(url.len() + name.len() + value.len() * 3 + 2);
    out.push_str(base);
    if !(base.ends_with('?') || base.ends_with('&')) {
        out.push(if base.contains('?') { '&' } else { '?' });
    }
    out.push_str(&encode_component(name));
    out.push('=');
    out.push_str(&encode_component(value));
    out.push_str(fragment);
    out
}

/// Percent-encodes every byte of `value`'s UTF-8 except the unreserved characters
/// `A-Z a-z 0-9 - . _ ~` (upper-case hex, space as `%20`).
pub fn encode_component(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// Region used for a bare language subtag (`de` → `de-DE`).
const DEFAULT_REGIONS: &[(&str, &str)] = &[
    ("ar", "SA"),
    ("bg", "BG"),
    ("ca", "ES"),
    ("cs", "CZ"),
    ("cy", "GB"),
    ("da", "DK"),
    ("de", "DE"),
    ("el", "GR"),
    ("en", "US"),
    ("es", "ES"),
    ("et", "EE"),
    ("eu", "ES"),
    ("fa", "IR"),
    ("fi", "FI"),
    ("fr", "FR"),
    ("ga", "IE"),
    ("gl", "ES"),
    ("he", "IL"),
    ("hi", "IN"),
    ("hr", "HR"),
    ("hu", "HU"),
    ("id", "ID"),
    ("is", "IS"),
    ("it", "IT"),
    ("ja", "JP"),
    ("kk", "KZ"),
    ("ko", "KR"),
    ("lt", "LT"),
    ("lv", "LV"),
    ("ms", "MY"),
    ("nb", "NO"),
    ("nl", "NL"),
    ("nn", "NO"),
    ("no", "NO"),
    ("pl", "PL"),
    ("pt", "BR"),
    ("ro", "RO"),
    ("ru", "RU"),
    ("sk", "SK"),
    ("sl", "SI"),
    ("sq", "AL"),
    ("sv", "SE"),
    ("th", "TH"),
    ("tr", "TR"),
    ("uk", "UA"),
    ("vi", "VN"),
    ("zh", "CN"),
];

/// Converts a language tag like "de" or "de-de" or "de_DE" to the RFC 1766 form Office wants
/// ("de-DE"); unknown/empty → "en-US".
///
/// Accepts `_` or `-` separators, any case, POSIX suffixes (`de_DE.UTF-8`, `de_DE@euro`) and the
/// first entry of an `Accept-Language` list (`de-CH,de;q=0.9`). A language with a region keeps it
/// (`de-at` → `de-AT`, `es-419` → `es-419`); a script subtag is kept in title case
/// (`sr-latn-rs` → `sr-Latn-RS`), and `zh-Hans`/`zh-Hant` without region become `zh-CN`/`zh-TW`.
/// A bare language uses its usual region (`de` → `de-DE`, `pt` → `pt-BR`); a language outside
/// that list, or anything malformed, gives `en-US`.
pub fn llcc(tag: &str) -> String {
    const FALLBACK: &str = "en-US";
    let first = tag.split([',', ';']).next().unwrap_or("");
    let first = first.split(['.', '@']).next().unwrap_or("").trim();
    let subtags: Vec<&str> = first.split(['-', '_']).collect();
    let Some((&language, rest)) = subtags.split_first() else {
        return FALLBACK.to_owned();
    };
    let is_alpha = |s: &str, lens: &[usize]| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
    };
    if !is_alpha(language, &[2, 3]) {
        return FALLBACK.to_owned();
    }
    let language = language.to_ascii_lowercase();
    let mut script: Option<String> = None;
    let mut region: Option<String> = None;
    for (i, sub) in rest.iter().enumerate() {
        if i == 0 && is_alpha(sub, &[4]) {
            let mut s = sub.to_ascii_lowercase();
            s[..1].make_ascii_uppercase();
            script = Some(s);
        } else if region.is_none() && is_alpha(sub, &[2]) {
            region = Some(sub.to_ascii_uppercase());
        } else if region.is_none() && sub.len() == 3 && sub.bytes().all(|b| b.is_ascii_digit()) {
            region = Some((*sub).to_owned());
        } else if region.is_none() {
            // Empty or malformed subtag before any region.
            return FALLBACK.to_owned();
        }
        // Variants/extensions after the region are dropped.
        if region.is_some() {
            break;
        }
    }
    let region = match region {
        Some(region) => region,
        None => {
            let by_script = match (language.as_str(), script.as_deref()) {
                ("zh", Some("Hant")) => Some("TW"),
                ("zh", Some("Hans")) => Some("CN"),
                _ => None,
            };
            if by_script.is_some() {
                script = None;
            }
            let Some(region) = by_script.or_else(|| {
                DEFAULT_REGIONS
                    .iter()
                    .find(|(l, _)| *l == language)
                    .map(|(_, r)| *r)
            }) else {
                return FALLBACK.to_owned();
            };
            region.to_owned()
        }
    };
    match script {
        Some(script) => format!("{language}-{script}-{region}"),
        None => format!("{language}-{region}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORD_VIEW: &str = "https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><showpagestats=PERFSTATS&><IsLicensedUser=BUSINESS_USER&><actnavid=ACTIVITY_NAVIGATION_ID&>";
    const WORD_EDIT: &str = "https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><showpagestats=PERFSTATS&><IsLicensedUser=BUSINESS_USER&><actnavid=ACTIVITY_NAVIGATION_ID&>";
    const WORD_PRELOAD_EDIT: &str = "https://word-edit.officeapps.live.com/we/StaticLoad.aspx?wx=w&wv=e&usescript=1&<ui=UI_LLCC>";
    const EXCEL_EDIT: &str = "https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?edit=1&<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><IsLicensedUser=BUSINESS_USER&><actnavid=ACTIVITY_NAVIGATION_ID&>";
    const POWERPOINT_EDIT: &str = "https://powerpoint.officeapps.live.com/p/PowerPointFrame.aspx?PowerPointView=EditView&<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><IsLicensedUser=BUSINESS_USER&>";
    const WOPITEST_VIEW: &str = "https://onenote.officeapps.live.com/hosting/WopiTestFrame.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><IsLicensedUser=BUSINESS_USER&><testcategory=VALIDATOR_TEST_CATEGORY>";
    const COLLABORA: &str = "https://collabora.example.com/browser/0e4f2c7/cool.html?";
    const ONLYOFFICE_VIEW: &str = "https://docs.example.com/hosting/wopi/word/view?&<rs=DC_LLCC&><dchat=DISABLE_CHAT&><embed=EMBEDDED&><fs=FULLSCREEN&><hid=HOST_SESSION_ID&><rec=RECORDING&><sc=SESSION_CONTEXT&><thm=THEME_ID&><ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>&";

    const WOPI_SRC: &str = "https://wopi.contoso.com/wopi/files/abc123";
    const WOPI_SRC_ENC: &str = "https%3A%2F%2Fwopi.contoso.com%2Fwopi%2Ffiles%2Fabc123";

    fn src_only() -> ActionUrlParams {
        ActionUrlParams {
            wopi_src: WOPI_SRC.into(),
            ..ActionUrlParams::default()
        }
    }

    #[test]
    fn worked_example_from_discovery_md() {
        let params = ActionUrlParams {
            wopi_src: WOPI_SRC.into(),
            ui_llcc: Some("en-US".into()),
            dc_llcc: Some("en-US".into()),
            business_user: true,
            host_session_id: Some("s-42".into()),
            ..ActionUrlParams::default()
        };
        assert_eq!(
            build_action_url(WORD_EDIT, &params),
            "https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?ui=en-US&rs=en-US&hid=s-42&wopisrc=https%3A%2F%2Fwopi.contoso.com%2Fwopi%2Ffiles%2Fabc123&IsLicensedUser=1&"
        );
    }

    #[test]
    fn real_templates() {
        let all = ActionUrlParams {
            wopi_src: WOPI_SRC.into(),
            ui_llcc: Some("de-DE".into()),
            dc_llcc: Some("de-AT".into()),
            business_user: true,
            disable_chat: true,
            host_session_id: Some("hs1".into()),
            session_context: Some("ctx".into()),
            validator_test_category: Some("OfficeOnline".into()),
            theme_id: Some("2".into()),
        };
        let ui_only = ActionUrlParams {
            ui_llcc: Some("fr-FR".into()),
            ..src_only()
        };
        let src = src_only();
        let none = ActionUrlParams::default();
        // Preload actions take no WOPISrc: the caller leaves it empty.
        let ui_no_src = ActionUrlParams {
            ui_llcc: Some("fr-FR".into()),
            ..ActionUrlParams::default()
        };
        let w = WOPI_SRC_ENC;
        let table: Vec<(&str, &ActionUrlParams, String)> = vec![
            (
                WORD_VIEW,
                &all,
                format!(
                    "https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?ui=de-DE&rs=de-AT&dchat=1&hid=hs1&sc=ctx&wopisrc={w}&IsLicensedUser=1&"
                ),
            ),
            (
                WORD_VIEW,
                &ui_only,
                format!(
                    "https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?ui=fr-FR&wopisrc={w}&"
                ),
            ),
            (
                EXCEL_EDIT,
                &src,
                format!(
                    "https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?edit=1&wopisrc={w}&"
                ),
            ),
            (
                POWERPOINT_EDIT,
                &ui_only,
                format!(
                    "https://powerpoint.officeapps.live.com/p/PowerPointFrame.aspx?PowerPointView=EditView&ui=fr-FR&wopisrc={w}&"
                ),
            ),
            (
                WOPITEST_VIEW,
                &all,
                format!(
                    "https://onenote.officeapps.live.com/hosting/WopiTestFrame.aspx?ui=de-DE&rs=de-AT&dchat=1&hid=hs1&sc=ctx&wopisrc={w}&IsLicensedUser=1&testcategory=OfficeOnline"
                ),
            ),
            (
                WOPITEST_VIEW,
                &src,
                format!(
                    "https://onenote.officeapps.live.com/hosting/WopiTestFrame.aspx?wopisrc={w}&"
                ),
            ),
            (
                WORD_PRELOAD_EDIT,
                &ui_no_src,
                "https://word-edit.officeapps.live.com/we/StaticLoad.aspx?wx=w&wv=e&usescript=1&ui=fr-FR"
                    .to_owned(),
            ),
            (
                // The fixed `&` is left dangling by the removed segment: stripped.
                WORD_PRELOAD_EDIT,
                &none,
                "https://word-edit.officeapps.live.com/we/StaticLoad.aspx?wx=w&wv=e&usescript=1"
                    .to_owned(),
            ),
            (
                COLLABORA,
                &all,
                format!("https://collabora.example.com/browser/0e4f2c7/cool.html?WOPISrc={w}"),
            ),
            (
                ONLYOFFICE_VIEW,
                &all,
                format!(
                    "https://docs.example.com/hosting/wopi/word/view?&rs=de-AT&dchat=1&hid=hs1&sc=ctx&thm=2&ui=de-DE&wopisrc={w}&&"
                ),
            ),
            (
                ONLYOFFICE_VIEW,
                &src,
                format!("https://docs.example.com/hosting/wopi/word/view?&wopisrc={w}&&"),
            ),
        ];
        for (template, params, want) in &table {
            assert_eq!(&build_action_url(template, params), want, "{template}");
        }
    }

    #[test]
    fn appends_wopisrc_without_placeholder() {
        let table: &[(&str, &str)] = &[
            (
                "https://c.example/cool.html?",
                "https://c.example/cool.html?WOPISrc=",
            ),
            (
                "https://c.example/cool.html",
                "https://c.example/cool.html?WOPISrc=",
            ),
            (
                "https://c.example/loleaflet/ab/loleaflet.html?lang=de&",
                "https://c.example/loleaflet/ab/loleaflet.html?lang=de&WOPISrc=",
            ),
            (
                "https://c.example/x?a=1",
                "https://c.example/x?a=1&WOPISrc=",
            ),
            // Segments removed, then the dangling `?` stripped before appending.
            (
                "https://c.example/x?<ui=UI_LLCC&>",
                "https://c.example/x?WOPISrc=",
            ),
            (
                "https://c.example/x?a=1&<ui=UI_LLCC&>",
                "https://c.example/x?a=1&WOPISrc=",
            ),
        ];
        for (template, prefix) in table {
            assert_eq!(
                build_action_url(template, &src_only()),
                format!("{prefix}{WOPI_SRC_ENC}"),
                "{template}"
            );
        }
        // A template with the placeholder never gets a second WOPISrc, even when it is empty.
        assert_eq!(
            build_action_url(
                "https://h/x?<wopisrc=WOPI_SOURCE&>",
                &ActionUrlParams::default()
            ),
            "https://h/x"
        );
        // No WOPISrc known: nothing appended.
        assert_eq!(
            build_action_url(COLLABORA, &ActionUrlParams::default()),
            COLLABORA
        );
    }

    #[test]
    fn unknown_and_unset_placeholders_removed() {
        let params = ActionUrlParams {
            session_context: Some(String::new()),
            theme_id: Some("1".into()),
            ..src_only()
        };
        let template = "https://h/x?a=1&<new=SOME_FUTURE_THING&><sc=SESSION_CONTEXT&><e=EMBEDDED><thm=THEME_ID&><na=DISABLE_ASYNC&><wopisrc=wopi_source><vp=DISABLE_BROADCAST&>";
        assert_eq!(
            build_action_url(template, &params),
            format!("https://h/x?a=1&thm=1&wopisrc={WOPI_SRC_ENC}")
        );
        assert_eq!(
            build_action_url("https://h/x?<a=A&><b=B>", &ActionUrlParams::default()),
            "https://h/x"
        );
        // A template ending in fixed `&` / `?` keeps it.
        assert_eq!(
            build_action_url("https://h/x?edit=1&", &ActionUrlParams::default()),
            "https://h/x?edit=1&"
        );
    }

    #[test]
    fn values_are_encoded_once() {
        let params = ActionUrlParams {
            wopi_src: "https://host:8443/wopi/files/a b%2Fc?x=1".into(),
            session_context: Some("a b&c=d/é~._-".into()),
            host_session_id: Some("<>\"#+".into()),
            ..ActionUrlParams::default()
        };
        assert_eq!(
            build_action_url(
                "https://h/x?<sc=SESSION_CONTEXT&><hid=HOST_SESSION_ID&><wopisrc=WOPI_SOURCE>",
                &params
            ),
            "https://h/x?sc=a%20b%26c%3Dd%2F%C3%A9~._-&hid=%3C%3E%22%23%2B&wopisrc=https%3A%2F%2Fhost%3A8443%2Fwopi%2Ffiles%2Fa%20b%252Fc%3Fx%3D1"
        );
        assert_eq!(encode_component(""), "");
        assert_eq!(encode_component("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_component("\u{0}\u{7f}"), "%00%7F");
    }

    #[test]
    fn malformed_templates_never_panic() {
        let p = src_only();
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("<", "<"),
            (">", ">"),
            ("<>", "<>"),
            ("<x>", "<x>"),
            ("<=UI_LLCC&>", "<=UI_LLCC&>"),
            ("<ui=>", "<ui=>"),
            ("<ui=&>", "<ui=&>"),
            ("<ui=A&B>", "<ui=A&B>"),
            ("https://h/x?<ui=UI_LLCC&", "https://h/x?<ui=UI_LLCC&"),
            (
                "https://h/x?<<wopisrc=WOPI_SOURCE&>",
                "https://h/x?<wopisrc=",
            ),
            (
                "https://h/x?<ui=UI_LLCC<wopisrc=WOPI_SOURCE>",
                "https://h/x?<ui=UI_LLCCwopisrc=",
            ),
            (
                "https://h/é?<ui=UI_LLCC&>ü<wopisrc=WOPI_SOURCE>",
                "https://h/é?üwopisrc=",
            ),
        ];
        for (template, prefix) in table {
            let got = build_action_url(template, &p);
            assert!(
                got.starts_with(prefix),
                "{template:?} → {got:?}, want prefix {prefix:?}"
            );
        }
        // Every prefix and suffix of the real templates: no panic.
        for template in [WORD_EDIT, WOPITEST_VIEW, ONLYOFFICE_VIEW, "<é<>ü>&?<a=B&>"] {
            for (i, _) in template.char_indices() {
                let head = build_action_url(&template[..i], &p);
                let tail = build_action_url(&template[i..], &p);
                assert!(head.len() + tail.len() < 4 * template.len() + 400);
            }
        }
    }

    #[test]
    fn append_param_cases() {
        let table: &[(&str, &str, &str, &str)] = &[
            ("https://h/x", "sftc", "1", "https://h/x?sftc=1"),
            ("https://h/x?", "sftc", "1", "https://h/x?sftc=1"),
            ("https://h/x?a=1", "sftc", "1", "https://h/x?a=1&sftc=1"),
            (
                "https://h/x?a=1&",
                "lang",
                "de-DE",
                "https://h/x?a=1&lang=de-DE",
            ),
            (
                "https://h/x#f",
                "wdOrigin",
                "a b",
                "https://h/x?wdOrigin=a%20b#f",
            ),
            ("https://h/x?a#f?g", "k", "v", "https://h/x?a&k=v#f?g"),
        ];
        for (url, name, value, want) in table {
            assert_eq!(append_param(url, name, value), *want, "{url}");
        }
    }

    #[test]
    fn llcc_cases() {
        let table: &[(&str, &str)] = &[
            ("de", "de-DE"),
            ("de-de", "de-DE"),
            ("de_DE", "de-DE"),
            ("DE-de", "de-DE"),
            ("de-AT", "de-AT"),
            ("de_CH.UTF-8", "de-CH"),
            ("de_DE@euro", "de-DE"),
            ("de-CH,de;q=0.9,en;q=0.8", "de-CH"),
            ("fr;q=0.8", "fr-FR"),
            ("en", "en-US"),
            ("en-gb", "en-GB"),
            ("pt", "pt-BR"),
            ("pt-PT", "pt-PT"),
            ("ja", "ja-JP"),
            ("zh", "zh-CN"),
            ("zh-Hant", "zh-TW"),
            ("zh-hans", "zh-CN"),
            ("zh-Hant-HK", "zh-Hant-HK"),
            ("sr-latn-rs", "sr-Latn-RS"),
            ("es-419", "es-419"),
            ("en-US-x-private", "en-US"),
            (" nb ", "nb-NO"),
            ("xx", "en-US"),
            ("", "en-US"),
            ("   ", "en-US"),
            ("C", "en-US"),
            ("POSIX", "en-US"),
            ("*", "en-US"),
            ("d3", "en-US"),
            ("de-", "en-US"),
            ("de--DE", "en-US"),
            ("de-D3", "en-US"),
            ("ü", "en-US"),
            ("english", "en-US"),
        ];
        for (tag, want) in table {
            assert_eq!(llcc(tag), *want, "{tag:?}");
        }
    }
}
