//! The catalog file format and its parser: pure, no I/O.
//!
//! A catalog is a UTF-8 `.properties`-style file, the subset every translation tool (Weblate,
//! Crowdin, Transifex, Poedit's properties mode) reads:
//!
//! ```text
//! ## A section heading (two hashes: not attached to a key)
//! # A note for translators, attached to the key below it.
//! nav.my_files = My files
//! folder.contents = Contents of {name}
//! trash.count[one] = 1 item
//! trash.count[other] = {n} items
//! ```
//!
//! Keys are dotted ASCII (`a-z0-9_.-`). Values run to the end of the line, surrounding spaces
//! trimmed; `{name}` is a named placeholder filled at run time (its value is text, escaped by the
//! template like any other value — a catalog never holds markup). A key shown with a count has
//! plural forms `key[one]` and `key[other]` (CLDR categories; English needs those two), and
//! `{n}` is the count. No line continuations, no `\u` escapes: the file is UTF-8.

use std::collections::BTreeMap;
use std::fmt::{self, Display, Write as _};

/// One message: plain text, or plural forms chosen by a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// `key = text`.
    Text(String),
    /// `key[one] = …` and `key[other] = …`.
    Plural {
        /// The form for a count of one.
        one: String,
        /// Every other count.
        other: String,
    },
}

impl Entry {
    /// Every text of the entry (one, or each plural form).
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Entry::Text(t) => vec![t],
            Entry::Plural { one, other } => vec![one, other],
        }
    }
}

/// A parsed catalog: key → entry, plus the translator notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Every message by key.
    pub entries: BTreeMap<String, Entry>,
    /// The `#` notes written above a key.
    pub notes: BTreeMap<String, String>,
}

/// Why a catalog does not parse: the 1-based line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: &'static str,
}

impl Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && !key.starts_with('.')
        && !key.ends_with('.')
        && key.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// Parses a catalog. Every line is a blank, a `#` comment, or `key = value`; a key appears once;
/// plural forms come as a complete `[one]`/`[other]` pair; placeholders are balanced.
pub fn parse(source: &str) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let mut plural: BTreeMap<String, (Option<String>, Option<String>, usize)> = BTreeMap::new();
    let mut note = String::new();
    for (i, raw) in source.lines().enumerate() {
        let line = i + 1;
        let text = raw.trim();
        if text.is_empty() {
            note.clear();
            continue;
        }
        if let Some(rest) = text.strip_prefix('#') {
            if rest.starts_with('#') {
                note.clear();
            } else {
                if !note.is_empty() {
                    note.push(' ');
                }
                note.push_str(rest.trim());
            }
            continue;
        }
        let Some((key, value)) = text.split_once('=') else {
            return Err(ParseError {
                line,
                reason: "expected `key = value`",
            });
        };
        let (key, value) = (key.trim(), value.trim().to_owned());
        if value.is_empty() {
            return Err(ParseError {
                line,
                reason: "empty value",
            });
        }
        if !balanced(&value) {
            return Err(ParseError {
                line,
                reason: "unbalanced `{` `}` in the value",
            });
        }
        let (base, form) = match key.split_once('[') {
            Some((base, form)) => match form {
                "one]" => (base, Some(true)),
                "other]" => (base, Some(false)),
                _ => {
                    return Err(ParseError {
                        line,
                        reason: "plural form must be [one] or [other]",
                    });
                }
            },
            None => (key, None),
        };
        if !valid_key(base) {
            return Err(ParseError {
                line,
                reason: "a key is dotted lowercase ASCII (a-z 0-9 _ - .)",
            });
        }
        if !note.is_empty() {
            catalog
                .notes
                .insert(base.to_owned(), std::mem::take(&mut note));
        }
        match form {
            None => {
                if plural.contains_key(base)
                    || catalog
                        .entries
                        .insert(base.to_owned(), Entry::Text(value))
                        .is_some()
                {
                    return Err(ParseError {
                        line,
                        reason: "duplicate key",
                    });
                }
            }
            Some(one) => {
                if catalog.entries.contains_key(base) {
                    return Err(ParseError {
                        line,
                        reason: "duplicate key",
                    });
                }
                let slot = plural.entry(base.to_owned()).or_insert((None, None, line));
                let place = if one { &mut slot.0 } else { &mut slot.1 };
                if place.replace(value).is_some() {
                    return Err(ParseError {
                        line,
                        reason: "duplicate key",
                    });
                }
            }
        }
    }
    for (key, forms) in plural {
        match forms {
            (Some(one), Some(other), _) => {
                catalog.entries.insert(key, Entry::Plural { one, other });
            }
            (_, _, line) => {
                return Err(ParseError {
                    line,
                    reason: "plural key needs both [one] and [other]",
                });
            }
        }
    }
    Ok(catalog)
}

fn balanced(text: &str) -> bool {
    let mut open = false;
    for c in text.chars() {
        match (c, open) {
            ('{', false) => open = true,
            ('}', true) => open = false,
            ('{', true) | ('}', false) => return false,
            _ => {}
        }
    }
    !open
}

/// The placeholder names a text uses, in order of appearance.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    names
}

/// `text` with each `{name}` replaced by its value from `args`; an unknown name stays as written.
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..start + len];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let _ = write!(out, "{value}");
            }
            None => out.push_str(&rest[start..start + len + 1]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The pseudo-locale's version of an English text: every letter accented and the whole wrapped
/// in `⟦…⟧`, placeholders untouched — what a page shows in `qps-ploc`, so any text still English
/// and unwrapped is a string that escaped the catalog.
pub fn pseudo(text: &str) -> String {
    const FROM: &str = "aceinouyAEIOUCNY";
    const TO: [char; 16] = [
        'á', 'ç', 'é', 'î', 'ñ', 'ö', 'ü', 'ý', 'Á', 'É', 'Î', 'Ö', 'Ü', 'Ç', 'Ñ', 'Ý',
    ];
    let mut out = String::from("⟦");
    let mut in_placeholder = false;
    for c in text.chars() {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            _ => {}
        }
        match FROM.find(c) {
            Some(i) if !in_placeholder => out.push(TO[i]),
            _ => out.push(c),
        }
    }
    out.push('⟧');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_texts_plurals_and_notes() {
        let c = parse(
            "## Section\n# For the button.\n#  Second line.\na.b = Save {name} \n\nn.items[one] = 1 item\nn.items[other] = {n} items\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.entries["a.b"], Entry::Text("Save {name}".into()));
        assert_eq!(c.notes["a.b"], "For the button. Second line.");
        assert_eq!(
            c.entries["n.items"],
            Entry::Plural {
                one: "1 item".into(),
                other: "{n} items".into()
            }
        );
        assert!(!c.notes.contains_key("n.items"), "a blank line ends a note");
        assert_eq!(c.entries.len(), 2);
    }

    #[test]
    fn a_value_keeps_equals_signs_and_hashes() {
        let c = parse("k = a = b # c").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.entries["k"], Entry::Text("a = b # c".into()));
    }

    #[test]
    fn rejects_malformed_catalogs() {
        let cases: &[(&str, usize, &str)] = &[
            ("no equals sign", 1, "expected `key = value`"),
            ("a = 1\na = 2", 2, "duplicate key"),
            ("a[one] = 1\na = 2", 2, "duplicate key"),
            ("a = 2\na[one] = 1", 2, "duplicate key"),
            ("a[one] = 1\na[one] = 1", 2, "duplicate key"),
            ("a[one] = 1", 1, "plural key needs both [one] and [other]"),
            ("a[few] = 1", 1, "plural form must be [one] or [other]"),
            (
                "A.b = x",
                1,
                "a key is dotted lowercase ASCII (a-z 0-9 _ - .)",
            ),
            (
                "a..b. = x",
                1,
                "a key is dotted lowercase ASCII (a-z 0-9 _ - .)",
            ),
            ("= x", 1, "a key is dotted lowercase ASCII (a-z 0-9 _ - .)"),
            ("a =   ", 1, "empty value"),
            ("a = {name", 1, "unbalanced `{` `}` in the value"),
            ("a = name}", 1, "unbalanced `{` `}` in the value"),
            ("a = {{name}}", 1, "unbalanced `{` `}` in the value"),
        ];
        for (source, line, reason) in cases {
            assert_eq!(
                parse(source),
                Err(ParseError {
                    line: *line,
                    reason
                }),
                "{source:?}"
            );
        }
    }

    #[test]
    fn placeholders_and_fill() {
        let cases: &[(&str, &[&str])] = &[
            ("plain", &[]),
            ("{a} and {b}", &["a", "b"]),
            ("{n} of {n}", &["n", "n"]),
        ];
        for (text, names) in cases {
            assert_eq!(placeholders(text), *names, "{text:?}");
        }
        assert_eq!(
            fill("Hi {name}, {n} new", &[("name", &"<b>"), ("n", &3)]),
            "Hi <b>, 3 new"
        );
        assert_eq!(fill("Keep {unknown}", &[]), "Keep {unknown}");
        assert_eq!(fill("", &[]), "");
    }

    #[test]
    fn pseudo_wraps_and_accents_but_keeps_placeholders() {
        assert_eq!(pseudo("Open {name}"), "⟦Öpéñ {name}⟧");
        assert_eq!(pseudo("1 file"), "⟦1 fîlé⟧");
    }
}
