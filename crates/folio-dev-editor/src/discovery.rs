//! The WOPI discovery document the development editor publishes.

use crate::keys::KeyPair;
use crate::util::escape_markup;
use std::fmt::Write as _;

/// The `app@name` of the editor.
pub const APP_NAME: &str = "FolioDevEditor";

/// Extensions that can be viewed, edited and created (plain text).
pub const TEXT_EXTENSIONS: [&str; 3] = ["txt", "md", "csv"];

/// Office documents that can be viewed and edited (paragraph text, cell values, slide text)
/// and created (Folio creates the blank document).
pub const OFFICE_EXTENSIONS: [&str; 3] = ["docx", "xlsx", "pptx"];

/// Extensions that can only be viewed (name, size and version are shown).
pub const VIEW_ONLY_EXTENSIONS: [&str; 1] = ["wopitest"];

/// Query placeholders common to every action URL.
const PLACEHOLDERS: &str = "<ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>";

/// The discovery XML for an editor living at `base` (`{public_url}/dev-editor`) and signing with
/// `keys`.
pub(crate) fn discovery_xml(base: &str, keys: &KeyPair) -> String {
    let zone = if base.starts_with("https://") {
        "external-https"
    } else {
        "external-http"
    };
    let view = format!("{base}/view?{PLACEHOLDERS}");
    let edit = format!("{base}/edit?{PLACEHOLDERS}");
    let edit_new = format!("{base}/edit?new=1&{PLACEHOLDERS}");
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<wopi-discovery>\n");
    let _ = writeln!(xml, "  <net-zone name=\"{zone}\">");
    let _ = writeln!(
        xml,
        "    <app name=\"{APP_NAME}\" favIconUrl=\"{}\" checkLicense=\"false\">",
        escape_markup(&format!("{base}/favicon.svg"))
    );
    let action = |xml: &mut String, name: &str, ext: &str, extra: &str, urlsrc: &str| {
        let _ = writeln!(
            xml,
            "      <action name=\"{name}\" ext=\"{ext}\"{extra} urlsrc=\"{}\"/>",
            escape_markup(urlsrc)
        );
    };
    for ext in TEXT_EXTENSIONS.into_iter().chain(OFFICE_EXTENSIONS) {
        action(&mut xml, "view", ext, " default=\"true\"", &view);
        action(&mut xml, "edit", ext, " requires=\"locks,update\"", &edit);
        action(
            &mut xml,
            "editnew",
            ext,
            " requires=\"locks,update\"",
            &edit_new,
        );
    }
    for ext in VIEW_ONLY_EXTENSIONS {
        action(&mut xml, "view", ext, " default=\"true\"", &view);
    }
    xml.push_str("    </app>\n  </net-zone>\n");
    let current = &keys.current;
    let old = keys.old.as_ref();
    let old_part =
        |f: fn(&folio_wopi::proof::ProofSigner) -> String| old.map(f).unwrap_or_default();
    let _ = writeln!(
        xml,
        "  <proof-key value=\"{}\" modulus=\"{}\" exponent=\"{}\" oldvalue=\"{}\" oldmodulus=\"{}\" oldexponent=\"{}\"/>",
        escape_markup(&current.csp_blob_b64()),
        escape_markup(&current.modulus_b64()),
        escape_markup(&current.exponent_b64()),
        escape_markup(&old_part(|k| k.csp_blob_b64())),
        escape_markup(&old_part(|k| k.modulus_b64())),
        escape_markup(&old_part(|k| k.exponent_b64())),
    );
    xml.push_str("</wopi-discovery>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::test_keys;
    use folio_wopi::discovery::parse;
    use folio_wopi::proof::ProofKey;

    #[test]
    fn discovery_parses_back() {
        let (current, old) = test_keys();
        let keys = KeyPair {
            current: current.clone(),
            old: Some(old.clone()),
        };
        let base = "http://127.0.0.1:8080/dev-editor";
        let xml = discovery_xml(base, &keys);
        assert!(xml.contains("<net-zone name=\"external-http\">"));
        let d = parse(&xml).unwrap_or_else(|e| panic!("parse: {e}"));
        assert_eq!(d.apps.len(), 1);
        let app = &d.apps[0];
        assert_eq!(app.name, APP_NAME);
        assert_eq!(
            app.fav_icon_url.as_deref(),
            Some("http://127.0.0.1:8080/dev-editor/favicon.svg")
        );
        assert!(!app.check_license);

        let view_url = format!("{base}/view?<ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>");
        let edit_url = format!("{base}/edit?<ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>");
        let new_url = format!("{base}/edit?new=1&<ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>");
        for ext in TEXT_EXTENSIONS.into_iter().chain(OFFICE_EXTENSIONS) {
            assert_eq!(d.actions_for(ext), ["view", "edit", "editnew"], "{ext}");
            let Some((_, view)) = d.find(ext, "view") else {
                panic!("no view for {ext}");
            };
            assert_eq!(view.urlsrc, view_url);
            assert!(view.default);
            assert!(view.requires.is_empty());
            let Some((_, edit)) = d.find(ext, "edit") else {
                panic!("no edit for {ext}");
            };
            assert_eq!(edit.urlsrc, edit_url);
            assert!(!edit.default);
            assert_eq!(edit.requires, ["locks", "update"]);
            let Some((_, new)) = d.find(ext, "editnew") else {
                panic!("no editnew for {ext}");
            };
            assert_eq!(new.urlsrc, new_url);
            assert_eq!(new.requires, ["locks", "update"]);
            assert_eq!(
                d.default_action(ext).map(|(_, a)| a.name.as_str()),
                Some("view")
            );
        }
        for ext in VIEW_ONLY_EXTENSIONS {
            assert_eq!(d.actions_for(ext), ["view"], "{ext}");
            assert_eq!(
                d.default_action(ext).map(|(_, a)| a.urlsrc.as_str()),
                Some(view_url.as_str())
            );
        }
        assert!(d.actions_for("pdf").is_empty());
        assert_eq!(app.actions.len(), 6 * 3 + 1);

        let Some(raw) = d.proof_key else {
            panic!("no proof-key");
        };
        assert_eq!(raw.modulus, current.modulus_b64());
        assert_eq!(raw.exponent, current.exponent_b64());
        assert_eq!(raw.value, current.csp_blob_b64());
        assert_eq!(raw.old_modulus, old.modulus_b64());
        assert_eq!(raw.old_exponent, old.exponent_b64());
        assert_eq!(raw.old_value, old.csp_blob_b64());
        assert_eq!(
            ProofKey::from_discovery(&raw.value, &raw.modulus, &raw.exponent),
            Ok(Some(current.public()))
        );
        assert_eq!(
            ProofKey::from_csp_blob(&raw.old_value).ok(),
            Some(old.public())
        );
    }

    #[test]
    fn discovery_without_old_key_and_https() {
        let (current, _) = test_keys();
        let keys = KeyPair {
            current: current.clone(),
            old: None,
        };
        let xml = discovery_xml("https://folio.example/sub&dir/dev-editor", &keys);
        assert!(xml.contains("<net-zone name=\"external-https\">"));
        assert!(
            xml.contains(
                "https://folio.example/sub&amp;dir/dev-editor/view?&lt;ui=UI_LLCC&amp;&gt;"
            )
        );
        let d = parse(&xml).unwrap_or_else(|e| panic!("parse: {e}"));
        assert_eq!(
            d.find("txt", "view").map(|(_, a)| a.urlsrc.as_str()),
            Some(
                "https://folio.example/sub&dir/dev-editor/view?<ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>"
            )
        );
        let Some(raw) = d.proof_key else {
            panic!("no proof-key");
        };
        assert_eq!(raw.modulus, current.modulus_b64());
        assert_eq!(
            (
                raw.old_value.as_str(),
                raw.old_modulus.as_str(),
                raw.old_exponent.as_str()
            ),
            ("", "", "")
        );
        assert!(xml.contains("oldvalue=\"\" oldmodulus=\"\" oldexponent=\"\""));
    }
}
