//! The catalog is complete, and no word escapes it: every key the templates, the Rust code and
//! the scripts use exists, every catalog key is used, every call gives exactly the placeholders
//! its text has, and neither a template nor a script holds human text of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;
use crate::routes::ui::message::Message;

#[test]
fn catalogs_parse() {
    for (tag, source) in SHIPPED {
        if let Err(e) = catalog::parse(source) {
            panic!("locales/{tag}.properties: {e}");
        }
    }
}

fn files(dir: &str, ext: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        ext,
        &mut out,
    );
    assert!(!out.is_empty(), "no {ext} files under {dir}");
    out
}

/// A string literal starting at `s[0]` (`"` or `'`): its content and the length consumed.
fn literal(s: &str) -> Option<(&str, usize)> {
    let quote = s.chars().next()?;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            c if c == quote && !escaped => return Some((&s[1..i], i + 1)),
            _ => escaped = false,
        }
    }
    None
}

/// The text of a call's arguments after `(`, up to its `)`, split at top-level commas.
fn call_args(s: &str) -> Vec<String> {
    let (mut depth, mut args, mut cur) = (0i32, Vec::new(), String::new());
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        if (c == '"' || c == '\'' && s[i..].starts_with("'") && depth >= 0)
            && let Some((_, len)) = literal(&s[i..])
        {
            cur.push_str(&s[i..i + len]);
            i += len;
            continue;
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                if !cur.trim().is_empty() {
                    args.push(cur.trim().to_owned()); // not after a trailing comma
                }
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(cur.trim().to_owned());
                cur.clear();
                i += 1;
                continue;
            }
            _ => {}
        }
        cur.push(c);
        i += c.len_utf8();
    }
    args
}

fn unquote(s: &str) -> Option<&str> {
    literal(s)
        .filter(|(_, len)| *len == s.len())
        .map(|(t, _)| t)
}

/// Every `i18n::t*(…)` call in Rust and template source: (key, placeholder names given, where).
fn rust_calls(source: &str, file: &str, out: &mut Vec<(String, BTreeSet<String>, String)>) {
    for (at, _) in source.match_indices("i18n::") {
        let rest = &source[at + "i18n::".len()..];
        let Some(open) = rest.find('(') else { continue };
        let name = &rest[..open];
        if !matches!(name, "t" | "t1" | "t2" | "t3" | "tn" | "targs" | "t_script") {
            continue;
        }
        let line = source[..at].lines().count();
        let args = call_args(&rest[open + 1..]);
        let Some(key) = args.first().and_then(|a| unquote(a)) else {
            if name == "t" && args.first().is_some_and(|a| a == "&self.key()") {
                continue; // Message::text: checked through Message::ALL
            }
            panic!("{file}:{line}: i18n::{name} needs a literal key, got {args:?}");
        };
        let mut given = BTreeSet::new();
        match name {
            "t1" | "t2" | "t3" => {
                for pair in args[1..].chunks(2) {
                    let n = unquote(&pair[0])
                        .unwrap_or_else(|| panic!("{file}:{line}: placeholder name"));
                    given.insert(n.to_owned());
                }
            }
            "tn" => {
                given.insert("n".to_owned());
            }
            "t_script" => {
                // The script fills the placeholders: it must be given every one.
                given.insert("*".to_owned());
            }
            "targs" => {
                let list = args.get(1).map(String::as_str).unwrap_or("");
                for (i, _) in list.match_indices("(\"") {
                    if let Some((n, _)) = literal(&list[i + 1..]) {
                        given.insert(n.to_owned());
                    }
                }
            }
            _ => {}
        }
        out.push((key.to_owned(), given, format!("{file}:{line}")));
    }
}

/// Every `t('js.…')` call in a script: (key, the names of its argument object, where).
fn js_calls(source: &str, file: &str, out: &mut Vec<(String, BTreeSet<String>, String)>) {
    for (at, _) in source.match_indices("t('js.") {
        if source[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let line = source[..at].lines().count();
        let args = call_args(&source[at + 2..]);
        let key = args
            .first()
            .and_then(|a| unquote(a))
            .unwrap_or_else(|| panic!("{file}:{line}"));
        let mut given = BTreeSet::new();
        if let Some(obj) = args.get(1) {
            let obj = obj.trim_start_matches('{');
            for part in obj.split(',') {
                if let Some((name, _)) = part.split_once(':') {
                    given.insert(name.trim().to_owned());
                }
            }
        }
        out.push((key.to_owned(), given, format!("{file}:{line}")));
    }
}

fn en() -> Catalog {
    catalog::parse(EN_SOURCE).unwrap_or_else(|e| panic!("{e}"))
}

fn all_calls() -> Vec<(String, BTreeSet<String>, String)> {
    let mut calls = Vec::new();
    for (path, text) in files("templates", "html")
        .into_iter()
        .chain(files("src", "rs"))
    {
        if path.ends_with("i18n/mod.rs") || path.ends_with("i18n/tests.rs") {
            continue;
        }
        rust_calls(&text, &path.display().to_string(), &mut calls);
    }
    for (path, text) in files("static", "js") {
        js_calls(&text, &path.display().to_string(), &mut calls);
    }
    for m in Message::ALL {
        calls.push((m.key(), BTreeSet::new(), format!("{m:?}")));
    }
    calls
}

#[test]
fn every_key_used_exists_every_key_is_used_and_placeholders_match() {
    let en = en();
    let calls = all_calls();
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for (key, given, at) in &calls {
        used.insert(key.clone());
        let Some(entry) = en.entries.get(key) else {
            problems.push(format!("{at}: `{key}` is not in locales/en.properties"));
            continue;
        };
        for text in entry.texts() {
            let wanted: BTreeSet<String> = catalog::placeholders(text)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let wanted_here: BTreeSet<String> = match entry {
                Entry::Plural { .. } => wanted.iter().filter(|n| *n != "n").cloned().collect(),
                Entry::Text(_) => wanted.clone(),
            };
            let given_here: BTreeSet<String> = match entry {
                Entry::Plural { .. } => given.iter().filter(|n| *n != "n").cloned().collect(),
                Entry::Text(_) => given.clone(),
            };
            if wanted_here != given_here && !given_here.contains("*") {
                problems.push(format!(
                    "{at}: `{key}` has {wanted_here:?}, the call gives {given_here:?}"
                ));
            }
        }
        if !key.starts_with("js.") && at.ends_with(".js") {
            problems.push(format!("{at}: a script's key must start with js."));
        }
    }
    for key in en.entries.keys() {
        if !used.contains(key) {
            problems.push(format!("`{key}` is in the catalog but nothing uses it"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Words that are not translated: the product's name, protocol names.
const NOT_WORDS: &[&str] = &["Folio", "HTTP", "WOPI", "OAuth"];

fn human(text: &str) -> bool {
    let mut rest = text.to_owned();
    for w in NOT_WORDS {
        rest = rest.replace(w, "");
    }
    // Entities (&hellip;) are not words.
    let mut clean = String::new();
    let mut in_entity = false;
    for c in rest.chars() {
        match c {
            '&' => in_entity = true,
            ';' if in_entity => in_entity = false,
            c if !in_entity => clean.push(c),
            _ => {}
        }
    }
    clean
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 2)
}

/// The literal human text of a template: text nodes and the attributes people read, with
/// askama expressions and blocks taken out (`<code>` is a command, not words).
fn template_literals(source: &str) -> Vec<(usize, String)> {
    // Askama out first: `{{ … }}`, `{% … %}`, `{# … #}` become a space (lines kept).
    let mut plain = String::new();
    let mut i = 0;
    while i < source.len() {
        let rest = &source[i..];
        let close = ["{{", "{%", "{#"]
            .iter()
            .position(|o| rest.starts_with(o))
            .map(|k| ["}}", "%}", "#}"][k]);
        if let Some(close) = close {
            let end = rest[2..].find(close).map_or(rest.len(), |e| e + 4);
            plain.extend(rest[..end].chars().filter(|c| *c == '\n'));
            plain.push(' ');
            i += end;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            plain.push(c);
            i += c.len_utf8();
        }
    }
    let mut found = Vec::new();
    let mut code_depth = 0;
    let mut rest = plain.as_str();
    let mut line = 1;
    while !rest.is_empty() {
        let (text, after) = match rest.find('<') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, ""),
        };
        if code_depth == 0 && human(text) {
            found.push((line, text.trim().to_owned()));
        }
        line += text.matches('\n').count();
        if after.is_empty() {
            break;
        }
        let end = if after.starts_with("<!--") {
            after.find("-->").map_or(after.len(), |e| e + 3)
        } else {
            after.find('>').map_or(after.len(), |e| e + 1)
        };
        let tag = &after[..end];
        if tag.starts_with("<code") {
            code_depth += 1;
        } else if tag.starts_with("</code") {
            code_depth -= 1;
        }
        let button_input = tag.starts_with("<input")
            && (tag.contains("type=\"submit\"") || tag.contains("type=\"button\""));
        for (j, _) in tag.match_indices("=\"") {
            let name_start = tag[..j]
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |s| s + 1);
            let name = &tag[name_start..j];
            let value = tag[j + 2..].split('"').next().unwrap_or("");
            let read = matches!(
                name,
                "title" | "aria-label" | "placeholder" | "alt" | "label"
            ) || (name == "value" && button_input)
                || (name.starts_with("data-")
                    && !value.starts_with('/')
                    && (value.contains(' ') || value.starts_with(|c: char| c.is_uppercase())));
            if read && human(value) {
                found.push((line, format!("{name}=\"{value}\"")));
            }
        }
        line += tag.matches('\n').count();
        rest = &after[end..];
    }
    found
}

#[test]
fn templates_hold_no_text_outside_the_catalog() {
    let mut problems = Vec::new();
    for (path, source) in files("templates", "html") {
        for (line, text) in template_literals(&source) {
            problems.push(format!("{}:{line}: {text}", path.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "text outside t(…):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_template_scanner_finds_text() {
    let cases: &[(&str, &[&str])] = &[
        ("<p>Hello</p>", &["Hello"]),
        ("<p>{{ crate::i18n::t(\"a.b\") }}</p>", &[]),
        ("<p>{{ name }} — Folio</p> ★ / 3", &[]),
        (
            "<a title=\"Open it\" href=\"/x\">{{ x }}</a>",
            &["title=\"Open it\""],
        ),
        ("<a title=\"{{ crate::i18n::t(\"k\") }}\">", &[]),
        (
            "<b data-confirm=\"Sure?\" data-kind=\"word\" data-action=\"/f/{{ id }}/x y\">",
            &["data-confirm=\"Sure?\""],
        ),
        (
            "<input type=\"submit\" value=\"Go on\"><input type=\"hidden\" name=\"op\" value=\"move\">",
            &["value=\"Go on\""],
        ),
        ("<code>folio serve --discovery URL</code>", &[]),
        ("{% if x %}Yes{% endif %}", &["Yes"]),
        ("{# a comment #}<!-- html comment -->&hellip;", &[]),
    ];
    for (source, want) in cases {
        let got: Vec<String> = template_literals(source)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(got, *want, "{source:?}");
    }
}

/// The string literals of a script that read as words to a person.
fn js_literals(source: &str) -> Vec<(usize, String)> {
    const IDENTIFIERS: &[&str] = &[
        "use strict",
        "Escape",
        "Enter",
        "ArrowDown",
        "ArrowUp",
        "Accept",
        "Tab",
        "Home",
        "End",
    ];
    let mut found = Vec::new();
    let mut i = 0;
    let bytes = source.as_bytes();
    while i < source.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
            continue;
        }
        if matches!(bytes[i], b'\'' | b'"' | b'`')
            && let Some((text, len)) = literal(rest)
        {
            let line = source[..i].lines().count().max(1);
            // A sentence: a capitalised word and more, or words ending like a sentence.
            let first = text.split(' ').next().unwrap_or("");
            let sentence = text.contains(' ')
                && (first.len() > 1
                    && first.starts_with(|c: char| c.is_uppercase())
                    && first.chars().skip(1).all(|c| c.is_lowercase())
                    || text.starts_with(|c: char| c.is_alphabetic())
                        && text.ends_with(['.', '?', '!', '…']));
            let word = text.len() > 1
                && text.starts_with(|c: char| c.is_uppercase())
                && text
                    .chars()
                    .skip(1)
                    .all(|c| c.is_lowercase() || matches!(c, '.' | '…'))
                && !IDENTIFIERS.contains(&text);
            if (sentence || word) && human(text) && !IDENTIFIERS.contains(&text) {
                found.push((line, text.to_owned()));
            }
            i += len;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

#[test]
fn scripts_hold_no_text_outside_the_catalog() {
    let mut problems = Vec::new();
    for (path, source) in files("static", "js") {
        for (line, text) in js_literals(&source) {
            problems.push(format!("{}:{line}: {text:?}", path.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "text outside t(…):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_script_scanner_finds_text() {
    let cases: &[(&str, &[&str])] = &[
        ("a.textContent = 'Reload';", &["Reload"]),
        (
            "banner('Copy any unsaved changes.');",
            &["Copy any unsaved changes."],
        ),
        ("x = t('js.host.reload'); // 'Not this'", &[]),
        (
            "if (e.key === 'Escape') { q('.more button'); q('a:not([hidden]), button'); }",
            &[],
        ),
        (
            "'use strict'; x = 'waiting for the server…';",
            &["waiting for the server…"],
        ),
        (
            "f.setAttribute('sandbox', 'allow-scripts allow-forms');",
            &[],
        ),
        (
            "h = { 'Accept': 'application/json' }; s = 'HTTP ' + r.status;",
            &[],
        ),
        (
            "/* 'Not this either' */ y = \"The file is gone\";",
            &["The file is gone"],
        ),
    ];
    for (source, want) in cases {
        let got: Vec<String> = js_literals(source).into_iter().map(|(_, t)| t).collect();
        assert_eq!(got, *want, "{source:?}");
    }
}

#[test]
fn lookups_fill_placeholders_choose_plurals_and_follow_the_locale() {
    let en = en();
    let (key, _) = en
        .entries
        .iter()
        .find(|(_, e)| matches!(e, Entry::Text(t) if !t.contains('{')))
        .unwrap_or_else(|| panic!("no plain text in the catalog"));
    assert_eq!(t(key), en.entries[key].texts()[0]);
    assert_eq!(t("no.such.key"), "no.such.key");
    assert_eq!(t1("folder.select_name", "name", "<b>"), "Select <b>");
    with_locale(PSEUDO, || {
        assert_eq!(lang(), PSEUDO);
        assert_eq!(t1("folder.select_name", "name", "x"), "⟦Séléçt x⟧");
    });
    assert_eq!(lang(), "en");
    let js: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(js_strings()).unwrap_or_else(|e| panic!("{e}"));
    assert!(js.keys().all(|k| k.starts_with("js.")) && !js.is_empty());
    assert!(!js_strings().contains('<'));
}

#[test]
fn every_message_and_js_key_has_english() {
    let en = en();
    for m in Message::ALL {
        assert!(en.entries.contains_key(&m.key()), "{m:?}");
    }
}
