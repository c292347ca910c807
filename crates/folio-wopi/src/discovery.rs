//! WOPI discovery (discovery.md §2–§9): parse the XML a WOPI client publishes at
//! `/hosting/discovery` and look up the action for a file extension.
//!
//! Pure: the caller fetches, caches and refreshes the document; [`parse`] turns its text into a
//! [`Discovery`]. Only one `net-zone` is kept (see [`ZONE_PREFERENCE`]). Microsoft-style documents
//! (apps `Word`, `Excel`, …, one action per extension), Collabora Online (apps named by MIME type,
//! each action carrying `ext`) and ONLYOFFICE (both styles, the MIME-type apps with `ext=""`) are
//! all understood by the lookups on [`Discovery`].
//!
//! The proof keys are returned as the raw attribute strings ([`RawProofKey`]); decoding them is the
//! proof-key module's job.

/// Zone names in order of preference. The first zone (in this order) that has at least one `app`
/// is used; if none of them has, the first zone with an `app` in document order is used.
pub const ZONE_PREFERENCE: [&str; 4] = [
    "external-https",
    "external-http",
    "internal-https",
    "internal-http",
];

/// A parsed discovery document: the apps of the chosen zone and the proof keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// The apps of the chosen `net-zone`, in document order.
    pub apps: Vec<App>,
    /// The `proof-key` element, if the document has one.
    pub proof_key: Option<RawProofKey>,
}

/// One `app` element (`Word`, `Excel`, `WopiTest`, a MIME type for Collabora/ONLYOFFICE, …).
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// `app@name`, verbatim (empty if the attribute is missing).
    pub name: String,
    /// `app@favIconUrl`, if present and non-empty.
    pub fav_icon_url: Option<String>,
    /// `app@checkLicense == "true"`.
    pub check_license: bool,
    /// The app's actions that have both a `name` and a `urlsrc`, in document order.
    pub actions: Vec<Action>,
}

/// One `action` element.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// `action@name` (`view`, `edit`, `editnew`, `embedview`, `convert`, `getinfo`, …), verbatim.
    pub name: String,
    /// `action@ext`: lower-case, without a leading dot; `None` if missing or empty.
    pub ext: Option<String>,
    /// `action@progid` (e.g. `OneNote.Notebook`), verbatim; `None` if missing or empty.
    pub progid: Option<String>,
    /// `action@urlsrc`: the URL template, XML-unescaped (fill it with
    /// [`crate::action_url::build_action_url`]).
    pub urlsrc: String,
    /// `action@requires` split at commas: lower-case, trimmed, empty entries dropped
    /// (`update`, `locks`, `cobalt`, `containers`).
    pub requires: Vec<String>,
    /// `action@default == "true"`: the default action for the extension.
    pub default: bool,
    /// `action@newext` (for `editnew`): lower-case, no dot; `None` if missing or empty.
    pub new_ext: Option<String>,
    /// `action@targetext` (for `convert`): lower-case, no dot; `None` if missing or empty.
    pub target_ext: Option<String>,
}

/// The `proof-key` attributes, verbatim (base64 text). A missing attribute is `""`; the `old_*`
/// values are commonly empty (no previous key).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawProofKey {
    /// `value`: current key as a .NET CSP `PUBLICKEYBLOB` (base64).
    pub value: String,
    /// `modulus`: current key RSA modulus (base64, big-endian).
    pub modulus: String,
    /// `exponent`: current key RSA public exponent (base64, big-endian).
    pub exponent: String,
    /// `oldvalue`: previous key blob.
    pub old_value: String,
    /// `oldmodulus`: previous key modulus.
    pub old_modulus: String,
    /// `oldexponent`: previous key exponent.
    pub old_exponent: String,
}

/// Why a discovery document could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    /// The text is not well-formed XML (or uses a DTD, which is refused).
    #[error("discovery XML is malformed: {0}")]
    Xml(String),
    /// The root element is not `wopi-discovery`; carries the name found.
    #[error("not a WOPI discovery document (root element <{0}>)")]
    UnexpectedRoot(String),
    /// No `net-zone` of the document contains an `app`.
    #[error("discovery document lists no apps")]
    NoApps,
}

/// Parses a discovery document.
///
/// Picks one `net-zone` (see [`ZONE_PREFERENCE`]; a document whose apps sit directly under the
/// root is accepted too) and keeps only its apps. Actions lacking `name` or `urlsrc` are skipped;
/// unknown elements and attributes are ignored.
pub fn parse(xml: &str) -> Result<Discovery, DiscoveryError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| DiscoveryError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "wopi-discovery" {
        return Err(DiscoveryError::UnexpectedRoot(
            root.tag_name().name().to_owned(),
        ));
    }
    let zones: Vec<roxmltree::Node<'_, '_>> = root
        .children()
        .filter(|n| is_element(n, "net-zone"))
        .collect();
    let has_apps = |z: &roxmltree::Node<'_, '_>| z.children().any(|n| is_element(&n, "app"));
    let preferred = ZONE_PREFERENCE.iter().find_map(|want| {
        zones.iter().find(|z| {
            z.attribute("name")
                .is_some_and(|name| name.trim().eq_ignore_ascii_case(want))
                && has_apps(z)
        })
    });
    let zone = match preferred.or_else(|| zones.iter().find(|z| has_apps(z))) {
        Some(zone) => *zone,
        // No usable net-zone: accept apps placed directly under the root.
        None if has_apps(&root) => root,
        None => return Err(DiscoveryError::NoApps),
    };
    let apps = zone
        .children()
        .filter(|n| is_element(n, "app"))
        .map(parse_app)
        .collect();
    let proof_key = root
        .descendants()
        .find(|n| is_element(n, "proof-key"))
        .map(|n| {
            let attr = |name: &str| n.attribute(name).unwrap_or("").to_owned();
            RawProofKey {
                value: attr("value"),
                modulus: attr("modulus"),
                exponent: attr("exponent"),
                old_value: attr("oldvalue"),
                old_modulus: attr("oldmodulus"),
                old_exponent: attr("oldexponent"),
            }
        });
    Ok(Discovery { apps, proof_key })
}

fn is_element(node: &roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

fn parse_app(node: roxmltree::Node<'_, '_>) -> App {
    App {
        name: node.attribute("name").unwrap_or("").trim().to_owned(),
        fav_icon_url: non_empty(node.attribute("favIconUrl")),
        check_license: parse_bool(node.attribute("checkLicense")),
        actions: node
            .children()
            .filter(|n| is_element(n, "action"))
            .filter_map(parse_action)
            .collect(),
    }
}

fn parse_action(node: roxmltree::Node<'_, '_>) -> Option<Action> {
    let name = node.attribute("name")?.trim();
    let urlsrc = node.attribute("urlsrc")?.trim();
    if name.is_empty() || urlsrc.is_empty() {
        return None;
    }
    Some(Action {
        name: name.to_owned(),
        ext: normalize_ext_attr(node.attribute("ext")),
        progid: non_empty(node.attribute("progid")),
        urlsrc: urlsrc.to_owned(),
        requires: node
            .attribute("requires")
            .unwrap_or("")
            .split(',')
            .map(|r| r.trim().to_ascii_lowercase())
            .filter(|r| !r.is_empty())
            .collect(),
        default: parse_bool(node.attribute("default")),
        new_ext: normalize_ext_attr(node.attribute("newext")),
        target_ext: normalize_ext_attr(node.attribute("targetext")),
    })
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn parse_bool(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
}

/// Lower-case, trimmed, without leading dots; `None` if nothing is left.
fn normalize_ext(ext: &str) -> Option<String> {
    let ext = ext.trim().trim_start_matches('.').trim();
    (!ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn normalize_ext_attr(value: Option<&str>) -> Option<String> {
    value.and_then(normalize_ext)
}

/// MIME types under which Collabora-style apps (ONLYOFFICE's compatibility section, older
/// Collabora releases) list an extension when the action itself has `ext=""`.
const MIME_TYPES: &[(&str, &[&str])] = &[
    (
        "docx",
        &["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
    ),
    (
        "docm",
        &["application/vnd.ms-word.document.macroenabled.12"],
    ),
    (
        "dotx",
        &["application/vnd.openxmlformats-officedocument.wordprocessingml.template"],
    ),
    (
        "dotm",
        &["application/vnd.ms-word.template.macroenabled.12"],
    ),
    ("doc", &["application/msword"]),
    ("dot", &["application/msword"]),
    ("odt", &["application/vnd.oasis.opendocument.text"]),
    ("ott", &["application/vnd.oasis.opendocument.text-template"]),
    (
        "fodt",
        &["application/vnd.oasis.opendocument.text-flat-xml"],
    ),
    ("rtf", &["application/rtf", "text/rtf"]),
    ("txt", &["text/plain"]),
    (
        "xlsx",
        &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    ),
    ("xlsm", &["application/vnd.ms-excel.sheet.macroenabled.12"]),
    (
        "xlsb",
        &["application/vnd.ms-excel.sheet.binary.macroenabled.12"],
    ),
    (
        "xltx",
        &["application/vnd.openxmlformats-officedocument.spreadsheetml.template"],
    ),
    ("xls", &["application/vnd.ms-excel"]),
    ("xlt", &["application/vnd.ms-excel"]),
    ("ods", &["application/vnd.oasis.opendocument.spreadsheet"]),
    (
        "ots",
        &["application/vnd.oasis.opendocument.spreadsheet-template"],
    ),
    (
        "fods",
        &["application/vnd.oasis.opendocument.spreadsheet-flat-xml"],
    ),
    ("csv", &["text/csv"]),
    (
        "pptx",
        &["application/vnd.openxmlformats-officedocument.presentationml.presentation"],
    ),
    (
        "pptm",
        &["application/vnd.ms-powerpoint.presentation.macroenabled.12"],
    ),
    (
        "ppsx",
        &["application/vnd.openxmlformats-officedocument.presentationml.slideshow"],
    ),
    (
        "potx",
        &["application/vnd.openxmlformats-officedocument.presentationml.template"],
    ),
    ("ppt", &["application/vnd.ms-powerpoint"]),
    ("pps", &["application/vnd.ms-powerpoint"]),
    ("pot", &["application/vnd.ms-powerpoint"]),
    ("odp", &["application/vnd.oasis.opendocument.presentation"]),
    (
        "otp",
        &["application/vnd.oasis.opendocument.presentation-template"],
    ),
    (
        "fodp",
        &["application/vnd.oasis.opendocument.presentation-flat-xml"],
    ),
    ("odg", &["application/vnd.oasis.opendocument.graphics"]),
    ("pdf", &["application/pdf"]),
    ("djvu", &["image/vnd.djvu"]),
    ("epub", &["application/epub+zip"]),
    ("xps", &["application/vnd.ms-xpsdocument"]),
];

fn mime_types_for(ext: &str) -> &'static [&'static str] {
    MIME_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map_or(&[], |(_, mimes)| *mimes)
}

impl Discovery {
    /// Every `(app, action)` pair that applies to `key`, best first.
    ///
    /// `key` is an extension (any case, with or without leading dot): first the actions whose
    /// `ext` matches, then the `ext`-less actions of apps named by one of the extension's MIME
    /// types. A `key` containing `/` is a MIME type: all actions of apps with that name.
    fn candidates(&self, key: &str) -> Vec<(&App, &Action)> {
        let key = key.trim();
        if key.contains('/') {
            return self
                .apps
                .iter()
                .filter(|app| app.name.eq_ignore_ascii_case(key))
                .flat_map(|app| app.actions.iter().map(move |action| (app, action)))
                .collect();
        }
        let Some(ext) = normalize_ext(key) else {
            return Vec::new();
        };
        let pairs = || {
            self.apps
                .iter()
                .flat_map(|app| app.actions.iter().map(move |action| (app, action)))
        };
        let mut found: Vec<(&App, &Action)> = pairs()
            .filter(|(_, action)| action.ext.as_deref() == Some(ext.as_str()))
            .collect();
        let mimes = mime_types_for(&ext);
        if !mimes.is_empty() {
            found.extend(pairs().filter(|(app, action)| {
                action.ext.is_none()
                    && action.progid.is_none()
                    && mimes.iter().any(|m| app.name.eq_ignore_ascii_case(m))
            }));
        }
        found
    }

    /// The action `name` for extension `ext` (case-insensitive, with or without leading dot), with
    /// the app it belongs to.
    ///
    /// Actions whose `ext` matches win; otherwise Collabora/ONLYOFFICE apps named by the
    /// extension's MIME type with `ext=""` actions are used. `ext` may also be a MIME type
    /// (contains `/`), matched against app names. Action names compare ASCII case-insensitively.
    pub fn find(&self, ext: &str, action: &str) -> Option<(&App, &Action)> {
        let action = action.trim();
        self.candidates(ext)
            .into_iter()
            .find(|(_, a)| a.name.eq_ignore_ascii_case(action))
    }

    /// The default action (`default="true"`) for `ext`, else `view`, else `edit`.
    pub fn default_action(&self, ext: &str) -> Option<(&App, &Action)> {
        self.candidates(ext)
            .into_iter()
            .find(|(_, a)| a.default)
            .or_else(|| self.find(ext, "view"))
            .or_else(|| self.find(ext, "edit"))
    }

    /// Every action name available for `ext`, without duplicates, in document order (actions
    /// matched by `ext` before those matched by MIME type).
    pub fn actions_for(&self, ext: &str) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (_, action) in self.candidates(ext) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&action.name)) {
                names.push(&action.name);
            }
        }
        names
    }

    /// The app called `name` (ASCII case-insensitive), e.g. `WopiTest` or Collabora's
    /// `Capabilities`.
    /// The `urlsrc` of the first action named `name` in any app (e.g. CSPP Plus's `collab` and
    /// `rtc`), with its placeholders removed.
    pub fn service_url(&self, name: &str) -> Option<String> {
        let action = self
            .apps
            .iter()
            .flat_map(|app| &app.actions)
            .find(|a| a.name.eq_ignore_ascii_case(name))?;
        let url = crate::action_url::build_action_url(
            &action.urlsrc,
            &crate::action_url::ActionUrlParams::default(),
        );
        url_origin(&url).is_some().then_some(url)
    }

    /// The app named `name` (case-insensitive).
    pub fn app(&self, name: &str) -> Option<&App> {
        let name = name.trim();
        self.apps
            .iter()
            .find(|app| app.name.eq_ignore_ascii_case(name))
    }

    /// The origin (`scheme://host[:port]`) of the first action `urlsrc` that has one: the editor's
    /// origin for PostMessage checks. See [`url_origin`] for the normalisation.
    ///
    /// Microsoft 365 serves each app from its own origin; check messages against the origin of the
    /// action URL actually loaded (`url_origin`) or against [`Discovery::origins`].
    pub fn origin(&self) -> Option<String> {
        self.apps
            .iter()
            .flat_map(|app| &app.actions)
            .find_map(|action| url_origin(&action.urlsrc))
    }

    /// Every distinct origin of the actions' `urlsrc`, in document order (for PostMessage or CSP
    /// allow lists).
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = Vec::new();
        for action in self.apps.iter().flat_map(|app| &app.actions) {
            if let Some(origin) = url_origin(&action.urlsrc)
                && !origins.contains(&origin)
            {
                origins.push(origin);
            }
        }
        origins
    }
}

impl Action {
    /// Whether every capability this action `requires` is in `implemented` (e.g.
    /// `&["update", "locks"]`); compares ASCII case-insensitively.
    pub fn is_supported_by(&self, implemented: &[&str]) -> bool {
        self.requires
            .iter()
            .all(|r| implemented.iter().any(|i| i.trim().eq_ignore_ascii_case(r)))
    }
}

/// The origin of an absolute URL as a browser serialises it (`event.origin`): scheme and host in
/// lower case, user info dropped, the port kept unless it is the scheme's default (`http` 80,
/// `https` 443). `None` if `url` is not an absolute `scheme://host…` URL.
pub fn url_origin(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let mut scheme_chars = scheme.chars();
    let first_is_alpha = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_is_alpha
        || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['/', '?', '#', '\\', '<']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if host_port.starts_with('[') {
        // IPv6 literal: "[::1]" or "[::1]:8443".
        let close = host_port.find(']')?;
        let after = &host_port[close + 1..];
        let port = match after {
            "" => "",
            _ => after.strip_prefix(':')?,
        };
        (&host_port[..=close], port)
    } else {
        host_port.split_once(':').unwrap_or((host_port, ""))
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    if !port.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let default_port = match scheme.as_str() {
        "http" | "ws" => Some("80"),
        "https" | "wss" => Some("443"),
        _ => None,
    };
    let host = host.to_ascii_lowercase();
    if port.is_empty() || Some(port) == default_port {
        Some(format!("{scheme}://{host}"))
    } else {
        Some(format!("{scheme}://{host}:{port}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed copy of `shared/wopi-validator/discovery.xml` (single `external-http` zone, the
    /// validator's proof key).
    const VALIDATOR_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<!-- trimmed test copy -->
<wopi-discovery>
  <net-zone name="external-http">
    <app name="Word" favIconUrl="http://127.0.0.1:9980/wv/resources/1033/FavIcon_Word.ico" checkLicense="true">
      <action name="view" ext="doc" default="true" urlsrc="http://127.0.0.1:9980/wv/wordviewerframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;rs=DC_LLCC&amp;&gt;&lt;dchat=DISABLE_CHAT&amp;&gt;&lt;hid=HOST_SESSION_ID&amp;&gt;&lt;sc=SESSION_CONTEXT&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
      <action name="view" ext="docx" default="true" urlsrc="http://127.0.0.1:9980/wv/wordviewerframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;rs=DC_LLCC&amp;&gt;&lt;dchat=DISABLE_CHAT&amp;&gt;&lt;hid=HOST_SESSION_ID&amp;&gt;&lt;sc=SESSION_CONTEXT&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
      <action name="edit" ext="docx" requires="locks,update" urlsrc="http://127.0.0.1:9980/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;rs=DC_LLCC&amp;&gt;&lt;dchat=DISABLE_CHAT&amp;&gt;&lt;hid=HOST_SESSION_ID&amp;&gt;&lt;sc=SESSION_CONTEXT&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
      <action name="editnew" ext="docx" requires="locks,update" urlsrc="http://127.0.0.1:9980/we/wordeditorframe.aspx?new=1&amp;&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
    </app>
    <app name="Excel" favIconUrl="http://127.0.0.1:9980/x/_layouts/resources/FavIcon_Excel.ico" checkLicense="true">
      <action name="view" ext="xlsx" default="true" urlsrc="http://127.0.0.1:9980/x/_layouts/xlviewerinternal.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
      <action name="edit" ext="xlsx" requires="update" urlsrc="http://127.0.0.1:9980/x/_layouts/xlviewerinternal.aspx?edit=1&amp;&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
    </app>
    <app name="WopiTest" favIconUrl="http://127.0.0.1:9980/wv/resources/1033/FavIcon_Word.ico" checkLicense="false">
      <action name="getinfo" ext="wopitest" requires="locks,update" urlsrc="http://127.0.0.1:9980/hosting/WopiTestFrame.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
    </app>
  </net-zone>
  <proof-key oldvalue="BgIAAACkAABSU0ExAAgAAAEAAQAJX/BW" oldmodulus="sQXKBTRSN8jI3TbS" oldexponent="AQAB" value="BgIAAACkAABSU0ExAAgAAAEAAQDto1tt" modulus="sotUtAdDcQ+wObny" exponent="AQAB" />
</wopi-discovery>
"#;

    /// Microsoft-like: two zones with different hosts, progid and convert/editnew attributes.
    const MICROSOFT_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
  <net-zone name="internal-http">
    <app name="Word" favIconUrl="http://oos.intranet/wv/FavIcon_Word.ico" checkLicense="false">
      <action name="view" ext="docx" default="true" urlsrc="http://oos.intranet/wv/wordviewerframe.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
    </app>
  </net-zone>
  <net-zone name="external-https">
    <app name="Word" favIconUrl="https://c1-word-view-15.cdn.office.net/wv/resources/1033/FavIcon_Word.ico" checkLicense="true" bootstrapperUrl="https://example.invalid/boot.js">
      <action name="view" ext="docx" default="true" urlsrc="https://word-view.officeapps.live.com:443/wv/wordviewerframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="edit" ext="DOCX" requires="locks, update" urlsrc="https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="editnew" ext="dotx" newext="docx" requires="locks,update" urlsrc="https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?new=1&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="convert" ext="doc" targetext=".DOCX" urlsrc="https://word-view.officeapps.live.com/wv/WordConvertAndEdit.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="view" ext="doc" urlsrc="https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="broken-no-urlsrc" ext="docx"/>
    </app>
    <app name="OneNote" favIconUrl="https://onenote.officeapps.live.com/o/FavIcon_OneNote.ico" checkLicense="true">
      <action name="view" progid="OneNote.Notebook" requires="cobalt,containers" urlsrc="https://onenote.officeapps.live.com/o/onenoteframe.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
    </app>
    <app name="Excel" checkLicense="true">
      <action name="view" ext="xlsx" default="true" urlsrc="https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="edit" ext="xlsx" requires="update" urlsrc="https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?edit=1&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
      <action name="embedview" ext="csv" urlsrc="https://excel.officeapps.live.com/x/_layouts/xlembed.aspx?&lt;wopisrc=WOPI_SOURCE&amp;&gt;"/>
    </app>
  </net-zone>
  <proof-key oldvalue="" oldmodulus="" oldexponent="" value="AAAA" modulus="BBBB" exponent="AQAB"/>
</wopi-discovery>"#;

    /// Collabora Online: apps named by MIME type (plus `writer`), no placeholders in `urlsrc`.
    const COLLABORA_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
    <net-zone name="external-https">
        <app name="writer" favIconUrl="https://collabora.example.com/browser/0e4f2c7/images/x-office-document.svg">
            <action default="true" ext="odt" name="edit" urlsrc="https://collabora.example.com/browser/0e4f2c7/cool.html?"/>
        </app>
        <app name="application/vnd.openxmlformats-officedocument.wordprocessingml.document">
            <action default="true" ext="docx" name="edit" urlsrc="https://collabora.example.com/browser/0e4f2c7/cool.html?"/>
        </app>
        <app name="application/msword">
            <action default="true" ext="doc" name="edit" urlsrc="https://collabora.example.com/browser/0e4f2c7/cool.html?"/>
        </app>
        <app name="application/pdf">
            <action default="true" ext="pdf" name="view" urlsrc="https://collabora.example.com/browser/0e4f2c7/cool.html?"/>
        </app>
        <app name="Capabilities">
            <action ext="" name="getinfo" urlsrc="https://collabora.example.com/hosting/capabilities"/>
        </app>
    </net-zone>
    <proof-key exponent="AQAB" modulus="Y29sbGFib3Jh" oldexponent="AQAB" oldmodulus="b2xk" oldvalue="b2xkdmFs" value="dmFs"/>
</wopi-discovery>"#;

    /// ONLYOFFICE Docs: zone `external-http`, Microsoft-style apps then MIME-type apps with
    /// `ext=""`, the `Capabilities` app.
    const ONLYOFFICE_DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?><wopi-discovery><net-zone name="external-http"><app name="Word" favIconUrl="http://docs.example.com:8080/web-apps/apps/documenteditor/main/resources/img/favicon.ico"><action name="view" ext="pdf" default="true" urlsrc="http://docs.example.com:8080/hosting/wopi/word/view?&amp;&lt;rs=DC_LLCC&amp;&gt;&lt;dchat=DISABLE_CHAT&amp;&gt;&lt;embed=EMBEDDED&amp;&gt;&lt;fs=FULLSCREEN&amp;&gt;&lt;hid=HOST_SESSION_ID&amp;&gt;&lt;rec=RECORDING&amp;&gt;&lt;sc=SESSION_CONTEXT&amp;&gt;&lt;thm=THEME_ID&amp;&gt;&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/><action name="view" ext="docx" urlsrc="http://docs.example.com:8080/hosting/wopi/word/view?&amp;&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/><action name="edit" ext="docx" default="true" requires="locks,update" urlsrc="http://docs.example.com:8080/hosting/wopi/word/edit?&amp;&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/><action name="mobileEdit" ext="docx" requires="locks,update" urlsrc="http://docs.example.com:8080/hosting/wopi/word/edit?mobile=1&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/><action name="convert" ext="doc" targetext="docx" requires="update" urlsrc="http://docs.example.com:8080/hosting/wopi/convert-and-edit/doc/docx?&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/></app><app name="application/vnd.oasis.opendocument.text"><action name="view" ext="" urlsrc="http://docs.example.com:8080/hosting/wopi/word/view?&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/><action name="edit" ext="" default="true" requires="locks,update" urlsrc="http://docs.example.com:8080/hosting/wopi/word/edit?&amp;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&amp;"/></app><app name="Capabilities"><action ext="" name="getinfo" requires="locks,update" urlsrc="http://docs.example.com:8080/hosting/capabilities"/></app></net-zone><proof-key oldvalue="T0xE" oldmodulus="b2xkbW9k" oldexponent="AQAB" value="TkVX" modulus="bmV3bW9k" exponent="AQAB"/></wopi-discovery>"#;

    fn parsed(xml: &str) -> Discovery {
        parse(xml).unwrap_or_else(|e| panic!("fixture must parse: {e}"))
    }

    /// `(app name, action urlsrc)` of a lookup, for compact assertions.
    fn hit(found: Option<(&App, &Action)>) -> Option<(String, String)> {
        found.map(|(app, action)| (app.name.clone(), action.urlsrc.clone()))
    }

    #[test]
    fn parses_validator_document() {
        let d = parsed(VALIDATOR_DOC);
        let names: Vec<&str> = d.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Word", "Excel", "WopiTest"]);
        let word = &d.apps[0];
        assert_eq!(
            word.fav_icon_url.as_deref(),
            Some("http://127.0.0.1:9980/wv/resources/1033/FavIcon_Word.ico")
        );
        assert!(word.check_license);
        assert!(!d.apps[2].check_license);
        assert_eq!(word.actions.len(), 4);
        assert_eq!(
            word.actions[2],
            Action {
                name: "edit".into(),
                ext: Some("docx".into()),
                progid: None,
                urlsrc: "http://127.0.0.1:9980/we/wordeditorframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&>".into(),
                requires: vec!["locks".into(), "update".into()],
                default: false,
                new_ext: None,
                target_ext: None,
            }
        );
        assert_eq!(
            d.proof_key,
            Some(RawProofKey {
                value: "BgIAAACkAABSU0ExAAgAAAEAAQDto1tt".into(),
                modulus: "sotUtAdDcQ+wObny".into(),
                exponent: "AQAB".into(),
                old_value: "BgIAAACkAABSU0ExAAgAAAEAAQAJX/BW".into(),
                old_modulus: "sQXKBTRSN8jI3TbS".into(),
                old_exponent: "AQAB".into(),
            })
        );
        assert_eq!(d.origin().as_deref(), Some("http://127.0.0.1:9980"));
        assert_eq!(d.origins(), ["http://127.0.0.1:9980"]);
    }

    #[test]
    fn validator_lookups() {
        let d = parsed(VALIDATOR_DOC);
        /// `(ext, action, expected (app name, part of urlsrc))`.
        type Row = (
            &'static str,
            &'static str,
            Option<(&'static str, &'static str)>,
        );
        let table: &[Row] = &[
            (
                "docx",
                "edit",
                Some(("Word", "/we/wordeditorframe.aspx?<ui")),
            ),
            (
                ".DOCX",
                "EDIT",
                Some(("Word", "/we/wordeditorframe.aspx?<ui")),
            ),
            (
                " .docx ",
                "view",
                Some(("Word", "/wv/wordviewerframe.aspx?")),
            ),
            ("docx", "editnew", Some(("Word", "?new=1&"))),
            ("xlsx", "edit", Some(("Excel", "?edit=1&"))),
            (
                "wopitest",
                "getinfo",
                Some(("WopiTest", "WopiTestFrame.aspx")),
            ),
            ("doc", "edit", None),
            ("pptx", "view", None),
            ("", "view", None),
            (".", "view", None),
        ];
        for (ext, action, want) in table {
            let got = d.find(ext, action);
            match (got, want) {
                (None, None) => {}
                (Some((app, a)), Some((app_name, url_part))) => {
                    assert_eq!(app.name, *app_name, "{ext}/{action}");
                    assert!(a.urlsrc.contains(url_part), "{ext}/{action}: {}", a.urlsrc);
                }
                (got, want) => panic!("{ext}/{action}: got {:?}, want {want:?}", hit(got)),
            }
        }
        assert_eq!(d.actions_for("DOCX"), ["view", "edit", "editnew"]);
        assert_eq!(d.actions_for("xlsx"), ["view", "edit"]);
        assert!(d.actions_for("exe").is_empty());
        let (_, default_docx) = d
            .default_action("docx")
            .unwrap_or_else(|| panic!("docx has a default"));
        assert_eq!(default_docx.name, "view");
        // No default, no view, no edit: nothing.
        assert!(d.default_action("wopitest").is_none());
        assert!(d.app("wopitest").is_some());
    }

    #[test]
    fn microsoft_document_prefers_external_https() {
        let d = parsed(MICROSOFT_DOC);
        let names: Vec<&str> = d.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Word", "OneNote", "Excel"]);
        // The action without urlsrc is dropped.
        assert_eq!(d.apps[0].actions.len(), 5);
        assert!(d.apps[0].check_license);
        assert_eq!(d.apps[2].fav_icon_url, None);

        let (_, edit) = d
            .find("docx", "edit")
            .unwrap_or_else(|| panic!("docx edit"));
        assert_eq!(edit.ext.as_deref(), Some("docx"), "ext is lower-cased");
        assert_eq!(edit.requires, ["locks", "update"], "requires is trimmed");
        assert!(edit.is_supported_by(&["update", "LOCKS"]));
        assert!(!edit.is_supported_by(&["update"]));
        let (_, editnew) = d
            .find("dotx", "editnew")
            .unwrap_or_else(|| panic!("dotx editnew"));
        assert_eq!(editnew.new_ext.as_deref(), Some("docx"));
        let (_, convert) = d
            .find("doc", "convert")
            .unwrap_or_else(|| panic!("doc convert"));
        assert_eq!(convert.target_ext.as_deref(), Some("docx"));
        assert!(convert.requires.is_empty());
        assert!(convert.is_supported_by(&[]));

        let onenote = &d.apps[1].actions[0];
        assert_eq!(onenote.progid.as_deref(), Some("OneNote.Notebook"));
        assert_eq!(onenote.ext, None);
        assert_eq!(onenote.requires, ["cobalt", "containers"]);

        // "doc" has no default action: fall back to view.
        let (_, doc_default) = d
            .default_action("doc")
            .unwrap_or_else(|| panic!("doc default"));
        assert_eq!(doc_default.name, "view");
        // "csv" has only embedview: no default.
        assert!(d.default_action("csv").is_none());
        assert_eq!(d.actions_for("csv"), ["embedview"]);

        assert_eq!(
            d.origin().as_deref(),
            Some("https://word-view.officeapps.live.com"),
            "default port dropped"
        );
        assert_eq!(
            d.origins(),
            [
                "https://word-view.officeapps.live.com",
                "https://word-edit.officeapps.live.com",
                "https://onenote.officeapps.live.com",
                "https://excel.officeapps.live.com",
            ]
        );
        let key = d.proof_key.unwrap_or_else(|| panic!("proof key"));
        assert_eq!(key.value, "AAAA");
        assert_eq!(key.old_value, "");
        assert_eq!(key.old_modulus, "");
    }

    #[test]
    fn zone_preference() {
        let zone = |name: &str, host: &str| {
            format!(
                r#"<net-zone name="{name}"><app name="Word"><action name="view" ext="docx" urlsrc="https://{host}/v?"/></app></net-zone>"#
            )
        };
        let doc = |zones: &[String]| format!("<wopi-discovery>{}</wopi-discovery>", zones.concat());
        let table: &[(Vec<String>, &str)] = &[
            (
                vec![
                    zone("internal-http", "ih"),
                    zone("external-http", "eh"),
                    zone("external-https", "ehs"),
                    zone("internal-https", "ihs"),
                ],
                "https://ehs",
            ),
            (
                vec![zone("internal-https", "ihs"), zone("external-http", "eh")],
                "https://eh",
            ),
            (
                vec![zone("internal-http", "ih"), zone("internal-https", "ihs")],
                "https://ihs",
            ),
            (vec![zone("internal-http", "ih")], "https://ih"),
            (
                vec![zone("custom-zone", "custom"), zone("other", "other")],
                "https://custom",
            ),
            (
                vec![
                    "<net-zone name=\"external-https\"/>".to_owned(),
                    zone("internal-http", "ih"),
                ],
                "https://ih",
            ),
            (vec![zone("EXTERNAL-HTTPS", "upper")], "https://upper"),
        ];
        for (zones, want) in table {
            let d = parsed(&doc(zones));
            assert_eq!(d.origin().as_deref(), Some(*want), "{zones:?}");
            assert_eq!(d.apps.len(), 1);
            assert_eq!(d.proof_key, None);
        }
    }

    #[test]
    fn collabora_document() {
        let d = parsed(COLLABORA_DOC);
        assert_eq!(d.apps.len(), 5);
        let (app, action) = d
            .default_action(".docx")
            .unwrap_or_else(|| panic!("docx default"));
        assert_eq!(
            app.name,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(action.name, "edit");
        assert!(action.default);
        assert_eq!(
            action.urlsrc,
            "https://collabora.example.com/browser/0e4f2c7/cool.html?"
        );
        assert_eq!(
            hit(d.find("odt", "edit")).map(|(app, _)| app),
            Some("writer".to_owned())
        );
        assert_eq!(
            hit(d.default_action("PDF")).map(|(app, _)| app),
            Some("application/pdf".to_owned())
        );
        assert!(d.find("pdf", "edit").is_none());
        assert_eq!(d.actions_for("doc"), ["edit"]);
        // Lookup by MIME type.
        assert_eq!(
            hit(d.find("application/MSWORD", "edit")).map(|(app, _)| app),
            Some("application/msword".to_owned())
        );
        // The Capabilities app has ext="" and is not a MIME type: only reachable by name.
        assert!(d.actions_for("").is_empty());
        let caps = d.app("Capabilities").unwrap_or_else(|| panic!("caps"));
        assert_eq!(caps.actions[0].ext, None);
        assert_eq!(caps.actions[0].name, "getinfo");
        assert_eq!(d.origin().as_deref(), Some("https://collabora.example.com"));
        let key = d.proof_key.unwrap_or_else(|| panic!("proof key"));
        assert_eq!(
            (
                key.value.as_str(),
                key.modulus.as_str(),
                key.exponent.as_str()
            ),
            ("dmFs", "Y29sbGFib3Jh", "AQAB")
        );
        assert_eq!(
            (key.old_value.as_str(), key.old_modulus.as_str()),
            ("b2xkdmFs", "b2xk")
        );
    }

    #[test]
    fn onlyoffice_document() {
        let d = parsed(ONLYOFFICE_DOC);
        let names: Vec<&str> = d.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Word",
                "application/vnd.oasis.opendocument.text",
                "Capabilities"
            ]
        );
        // Microsoft-style entries by ext.
        let (app, edit) = d
            .default_action("docx")
            .unwrap_or_else(|| panic!("docx default"));
        assert_eq!((app.name.as_str(), edit.name.as_str()), ("Word", "edit"));
        assert!(edit.urlsrc.ends_with("<wopisrc=WOPI_SOURCE&>&"));
        assert_eq!(d.actions_for("docx"), ["view", "edit", "mobileEdit"]);
        assert!(d.find("docx", "MOBILEEDIT").is_some());
        let (_, convert) = d
            .find("doc", "convert")
            .unwrap_or_else(|| panic!("doc convert"));
        assert_eq!(convert.target_ext.as_deref(), Some("docx"));
        // Collabora-style entries (ext="") reached through the MIME type of the extension.
        let (app, odt) = d
            .default_action("odt")
            .unwrap_or_else(|| panic!("odt default"));
        assert_eq!(app.name, "application/vnd.oasis.opendocument.text");
        assert_eq!(odt.name, "edit");
        assert_eq!(odt.ext, None);
        assert_eq!(d.actions_for(".ODT"), ["view", "edit"]);
        assert!(d.find("ods", "view").is_none());
        // Port kept (not the default one).
        assert_eq!(d.origin().as_deref(), Some("http://docs.example.com:8080"));
        let key = d.proof_key.unwrap_or_else(|| panic!("proof key"));
        assert_eq!(key.value, "TkVX");
        assert_eq!(key.old_exponent, "AQAB");
    }

    #[test]
    fn ext_matches_before_mime_fallback() {
        let doc = r#"<wopi-discovery><net-zone name="external-http">
            <app name="application/vnd.openxmlformats-officedocument.wordprocessingml.document"><action name="edit" ext="" urlsrc="https://mime/e?"/></app>
            <app name="Word"><action name="edit" ext="docx" urlsrc="https://word/e?"/></app>
        </net-zone></wopi-discovery>"#;
        let d = parsed(doc);
        assert_eq!(
            hit(d.find("docx", "edit")).map(|(_, u)| u),
            Some("https://word/e?".to_owned())
        );
        assert_eq!(d.actions_for("docx"), ["edit"]);
    }

    #[test]
    fn rejects_bad_documents() {
        type Check = fn(&DiscoveryError) -> bool;
        let table: &[(&str, Check)] = &[
            ("", |e| matches!(e, DiscoveryError::Xml(_))),
            ("not xml at all", |e| matches!(e, DiscoveryError::Xml(_))),
            ("<wopi-discovery><net-zone name=\"x\">", |e| {
                matches!(e, DiscoveryError::Xml(_))
            }),
            ("<wopi-discovery><app name=\"a\"></wopi-discovery>", |e| {
                matches!(e, DiscoveryError::Xml(_))
            }),
            (
                "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><wopi-discovery>&a;</wopi-discovery>",
                |e| matches!(e, DiscoveryError::Xml(_)),
            ),
            ("<html><body/></html>", |e| {
                *e == DiscoveryError::UnexpectedRoot("html".into())
            }),
            ("<wopi-discovery/>", |e| *e == DiscoveryError::NoApps),
            (
                "<wopi-discovery><net-zone name=\"external-https\"/><proof-key value=\"x\"/></wopi-discovery>",
                |e| *e == DiscoveryError::NoApps,
            ),
        ];
        for (xml, check) in table {
            match parse(xml) {
                Ok(d) => panic!("{xml:?} parsed: {d:?}"),
                Err(e) => {
                    assert!(check(&e), "{xml:?}: {e:?}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn lenient_shapes() {
        // Apps directly under the root, missing proof-key attributes, odd booleans.
        let d = parsed(
            r#"<wopi-discovery><app name=" Word " checkLicense="TRUE"><action name="view" ext=".DocX" default="1" urlsrc=" https://h/v? "/><action ext="docx" urlsrc="https://h/x"/><action name="edit" ext="docx" urlsrc=""/></app><proof-key value="v"/></wopi-discovery>"#,
        );
        assert_eq!(d.apps[0].name, "Word");
        assert!(d.apps[0].check_license);
        assert_eq!(d.apps[0].actions.len(), 1);
        let view = &d.apps[0].actions[0];
        assert_eq!(view.ext.as_deref(), Some("docx"));
        assert_eq!(view.urlsrc, "https://h/v?");
        assert!(view.default);
        assert_eq!(
            d.proof_key,
            Some(RawProofKey {
                value: "v".into(),
                ..RawProofKey::default()
            })
        );
    }

    #[test]
    fn origins_of_urls() {
        let table: &[(&str, Option<&str>)] = &[
            (
                "https://Word-Edit.OfficeApps.live.com/we/x.aspx?a",
                Some("https://word-edit.officeapps.live.com"),
            ),
            ("HTTPS://h.example:443/x", Some("https://h.example")),
            ("http://h.example:80", Some("http://h.example")),
            ("http://h.example:443/", Some("http://h.example:443")),
            (
                "https://h.example:9980/browser/x/cool.html?",
                Some("https://h.example:9980"),
            ),
            ("https://h.example?<ui=UI_LLCC&>", Some("https://h.example")),
            ("https://h.example#frag", Some("https://h.example")),
            (
                "https://user:pw@h.example:8443/",
                Some("https://h.example:8443"),
            ),
            ("http://[::1]:9980/x", Some("http://[::1]:9980")),
            ("http://[::1]/x", Some("http://[::1]")),
            ("https://h.example:/x", Some("https://h.example")),
            ("https://h.example:abc/x", None),
            ("http://[::1/x", None),
            ("https:///x", None),
            ("/relative/path", None),
            ("1http://h/", None),
            ("://h/", None),
            ("", None),
        ];
        for (url, want) in table {
            assert_eq!(url_origin(url).as_deref(), *want, "{url}");
        }
    }

    #[test]
    fn cspp_plus_service_urls_come_from_their_actions() {
        let xml = r#"<wopi-discovery><net-zone name="external-https">
<app name="Word"><action name="edit" ext="docx" urlsrc="https://word.example/edit?&lt;ui=UI_LLCC&amp;&gt;"/></app>
<app name="Collab"><action name="collab" urlsrc="https://collab.example/svc?&lt;ui=UI_LLCC&amp;&gt;"/>
<action name="rtc" urlsrc="https://rtc.example/hub"/></app>
</net-zone></wopi-discovery>"#;
        let d = parse(xml).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            d.service_url("collab").as_deref(),
            Some("https://collab.example/svc")
        );
        assert_eq!(
            d.service_url("rtc").as_deref(),
            Some("https://rtc.example/hub")
        );
        assert_eq!(d.service_url("nope"), None);
    }
}
