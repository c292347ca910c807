//! Byte-level helpers for editing XML text in place: element boundaries in the source, escaping,
//! and [`Splice`], a set of non-overlapping replacements applied in one pass.
//!
//! Everything works on the original text of a part and the byte ranges `roxmltree` reports, so
//! whatever is not replaced is copied unchanged, byte for byte.

use std::ops::Range;

use roxmltree::Node;

use super::EditError;

/// WordprocessingML main namespaces (transitional, strict).
pub(crate) const W_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
/// DrawingML main namespaces.
pub(crate) const A_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/main",
];
/// PresentationML main namespaces.
pub(crate) const P_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/presentationml/2006/main",
    "http://purl.oclc.org/ooxml/presentationml/main",
];
/// SpreadsheetML main namespaces.
pub(crate) const S_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
];
/// Office document relationship namespaces (`r:id` attributes).
pub(crate) const R_NS: [&str; 2] = [
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
];
/// Markup compatibility (`mc:AlternateContent`).
pub(crate) const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Whether `node` is an element named `local` in one of the namespaces `ns`.
pub(crate) fn is(node: Node<'_, '_>, ns: &[&str], local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && node.tag_name().namespace().is_some_and(|n| ns.contains(&n))
}

/// The first child element of `node` named `local` in `ns`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, ns: &[&str], local: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, ns, local))
}

/// An attribute by local name, with no namespace.
pub(crate) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name && a.namespace().is_none())
        .map(|a| a.value())
}

/// An attribute by local name in one of the namespaces `ns`.
pub(crate) fn attr_ns<'a>(node: Node<'a, '_>, ns: &[&str], name: &str) -> Option<&'a str> {
    node.attributes()
        .find(|a| a.name() == name && a.namespace().is_some_and(|n| ns.contains(&n)))
        .map(|a| a.value())
}

/// The element's qualified name as written (`w:p`, `c`).
pub(crate) fn qname<'s>(src: &'s str, node: Node<'_, '_>) -> &'s str {
    let start = node.range().start.saturating_add(1);
    let rest = src.get(start..).unwrap_or_default();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

/// The prefix with its colon (`w:`), or `""` for an unprefixed element.
pub(crate) fn prefix_of(src: &str, node: Node<'_, '_>) -> String {
    match qname(src, node).split_once(':') {
        Some((prefix, _)) => format!("{prefix}:"),
        None => String::new(),
    }
}

/// The range of the element's start tag (`<w:p w14:paraId="…">`, or the whole `<w:p/>`).
pub(crate) fn start_tag(src: &str, node: Node<'_, '_>) -> Range<usize> {
    let range = node.range();
    let bytes = src.as_bytes();
    let mut quote = None;
    let mut i = range.start;
    while i < range.end {
        let b = bytes.get(i).copied().unwrap_or(b'>');
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return range.start..i + 1,
            None => {}
        }
        i += 1;
    }
    range
}

/// Whether the element is written as one empty-element tag (`<w:p/>`).
pub(crate) fn is_self_closing(src: &str, node: Node<'_, '_>) -> bool {
    let tag = start_tag(src, node);
    tag.end == node.range().end && src.get(tag).is_some_and(|t| t.ends_with("/>"))
}

/// Where the element's end tag starts (for inserting last children). For a self-closing element
/// this is `None`: its start tag must be rewritten instead (see [`open_tag`]).
pub(crate) fn end_tag_start(src: &str, node: Node<'_, '_>) -> Option<usize> {
    if is_self_closing(src, node) {
        return None;
    }
    let range = node.range();
    src.get(range.clone())?
        .rfind("</")
        .map(|at| range.start + at)
}

/// The start tag of a self-closing element turned into an opening tag (`<w:p a="1"/>` →
/// `<w:p a="1">`).
pub(crate) fn open_tag(src: &str, node: Node<'_, '_>) -> String {
    let tag = src.get(start_tag(src, node)).unwrap_or_default();
    match tag.strip_suffix("/>") {
        Some(open) => format!("{}>", open.trim_end()),
        None => tag.to_owned(),
    }
}

/// The source text of `range`.
pub(crate) fn text_of(src: &str, range: Range<usize>) -> &str {
    src.get(range).unwrap_or_default()
}

/// Escapes text for element content.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted attribute value.
pub(crate) fn escape_attr(text: &str) -> String {
    escape_text(text).replace('"', "&quot;")
}

/// ` xml:space="preserve"` when the text would otherwise lose whitespace.
pub(crate) fn space_attr(text: &str) -> &'static str {
    let edge = |c: Option<char>| c.is_some_and(char::is_whitespace);
    if edge(text.chars().next()) || edge(text.chars().last()) || text.contains(['\n', '\t']) {
        " xml:space=\"preserve\""
    } else {
        ""
    }
}

/// Refuses characters XML 1.0 cannot carry (C0 controls other than tab, line feed, carriage
/// return; `allowed` adds more, e.g. the vertical tab that stands for a line break).
pub(crate) fn check_chars(text: &str, allowed: &[char]) -> Result<(), EditError> {
    match text.chars().find(|c| {
        let code = u32::from(*c);
        ((code < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || code == 0xFFFE || code == 0xFFFF)
            && !allowed.contains(c)
    }) {
        Some(c) => Err(EditError::InvalidEdit(format!(
            "the text contains the control character U+{:04X}",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// Non-overlapping replacements of byte ranges in one text; an empty range inserts. Insertions
/// at one position keep the order in which they were added and come before a replacement that
/// starts there.
#[derive(Debug, Default)]
pub(crate) struct Splice {
    edits: Vec<(Range<usize>, String)>,
}

impl Splice {
    pub(crate) fn replace(&mut self, range: Range<usize>, with: impl Into<String>) {
        self.edits.push((range, with.into()));
    }

    pub(crate) fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.edits.push((at..at, text.into()));
    }

    pub(crate) fn remove(&mut self, range: Range<usize>) {
        self.edits.push((range, String::new()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    /// The edited text. Overlapping edits are a bug in the caller and give an error.
    pub(crate) fn apply(mut self, src: &str) -> Result<String, EditError> {
        self.edits
            .sort_by_key(|(range, _)| (range.start, range.end != range.start));
        let mut out = String::with_capacity(src.len() + 256);
        let mut at = 0;
        for (range, text) in self.edits {
            if range.start < at || range.end < range.start || range.end > src.len() {
                return Err(EditError::Internal(format!(
                    "overlapping edits at byte {}",
                    range.start
                )));
            }
            out.push_str(src.get(at..range.start).unwrap_or_default());
            out.push_str(&text);
            at = range.end;
        }
        out.push_str(src.get(at..).unwrap_or_default());
        Ok(out)
    }
}

/// Parses a part.
pub(crate) fn parse<'i>(part: &str, src: &'i str) -> Result<roxmltree::Document<'i>, EditError> {
    roxmltree::Document::parse(src).map_err(|e| EditError::Xml {
        part: part.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_splices() {
        let src = r#"<w:p xmlns:w="urn:w" a='x>y'><w:r/><w:t>a&amp;b</w:t></w:p>"#;
        let doc = roxmltree::Document::parse(src).unwrap_or_else(|e| panic!("{e}"));
        let p = doc.root_element();
        assert_eq!(qname(src, p), "w:p");
        assert_eq!(prefix_of(src, p), "w:");
        assert_eq!(
            text_of(src, start_tag(src, p)),
            r#"<w:p xmlns:w="urn:w" a='x>y'>"#
        );
        let mut kids = p.children();
        let r = kids.next().unwrap_or_else(|| panic!("r"));
        assert!(is_self_closing(src, r));
        assert_eq!(open_tag(src, r), "<w:r>");
        assert!(!is_self_closing(src, p));
        assert_eq!(end_tag_start(src, p).map(|at| &src[at..]), Some("</w:p>"));
        let mut s = Splice::default();
        s.insert(r.range().start, "1");
        s.replace(r.range(), "<w:r>2</w:r>");
        s.insert(r.range().start, "3");
        assert_eq!(
            s.apply(src).ok().as_deref(),
            Some(r#"<w:p xmlns:w="urn:w" a='x>y'>13<w:r>2</w:r><w:t>a&amp;b</w:t></w:p>"#)
        );
        let mut bad = Splice::default();
        bad.replace(0..5, "");
        bad.replace(3..6, "");
        assert!(bad.apply(src).is_err());
        assert_eq!(escape_attr("a<\"&"), "a&lt;&quot;&amp;");
        assert_eq!(space_attr("a b"), "");
        assert_eq!(space_attr(" a"), " xml:space=\"preserve\"");
        assert!(check_chars("a\tb\nc", &[]).is_ok());
        assert!(check_chars("a\u{0}b", &[]).is_err());
        assert!(check_chars("a\u{b}b", &[]).is_err());
        assert!(check_chars("a\u{b}b", &['\u{b}']).is_ok());
    }
}
