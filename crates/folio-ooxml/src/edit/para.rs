//! Paragraph text, read from and written into WordprocessingML (`w:p`) and DrawingML (`a:p`)
//! paragraphs in place.
//!
//! A paragraph's text is the concatenation of its *atoms*: the text of each `t` element, a tab
//! (`\t`) for `w:tab`, and a vertical tab (`\u{b}`, as Word's own object model writes manual line
//! breaks) for `w:br`/`w:cr`/`a:br`. A changed paragraph keeps every atom outside the changed
//! span as it is: the new text goes into the run where the change starts (keeping that run's
//! formatting), atoms wholly inside the removed span are removed. A list of paragraphs is
//! matched to its new version with a line diff ([`align`]), so unchanged paragraphs — and all
//! non-paragraph content between them — stay byte-identical.

use std::ops::Range;

use roxmltree::Node;

use super::EditError;
use super::xml::{self, A_NS, MC_NS, Splice, W_NS};

/// The manual line break inside a paragraph.
pub const LINE_BREAK: char = '\u{b}';

/// Which vocabulary a paragraph is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavour {
    /// WordprocessingML: `w:p/w:r/w:t`, tabs and breaks inside runs.
    Word,
    /// DrawingML: `a:p/a:r/a:t`, `a:br` between runs, tabs are characters.
    Drawing,
}

impl Flavour {
    fn ns(self) -> &'static [&'static str] {
        match self {
            Flavour::Word => &W_NS,
            Flavour::Drawing => &A_NS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtomKind {
    Text,
    Tab,
    Break,
}

/// One piece of a paragraph's text.
#[derive(Debug, Clone)]
struct Atom {
    kind: AtomKind,
    /// The element (`w:t`, `w:tab`, `w:br`, `a:br`; for DrawingML text, the `a:t`).
    element: Range<usize>,
    /// DrawingML text: the whole run (`a:r` or `a:fld`).
    run: Option<Range<usize>>,
    /// The run properties element of the enclosing run, if any.
    run_props: Option<Range<usize>>,
    /// Whether new text may be put into this atom (not a DrawingML field).
    host: bool,
    text: String,
}

/// A paragraph found in a part.
#[derive(Debug, Clone)]
pub(crate) struct Para {
    flavour: Flavour,
    pub(crate) range: Range<usize>,
    /// `w:` / `a:` / `""`.
    prefix: String,
    self_closing: bool,
    /// The opening tag, as written (self-closing ones turned into an opening tag).
    open: String,
    /// Where the paragraph's content ends (before `</w:p>`, or before `a:endParaRPr`).
    content_end: Option<usize>,
    /// `w:pPr` / `a:pPr`.
    props: Option<Range<usize>>,
    /// A section break inside the Word paragraph properties (not copied into new paragraphs).
    props_section: Option<Range<usize>>,
    /// DrawingML `a:endParaRPr`.
    end_props: Option<Range<usize>>,
    atoms: Vec<Atom>,
    text: String,
}

impl Para {
    /// Reads the paragraph element `p` (a `w:p` or an `a:p`) of the part `src`.
    pub(crate) fn read(src: &str, p: Node<'_, '_>, flavour: Flavour) -> Para {
        let ns = flavour.ns();
        let mut atoms = Vec::new();
        match flavour {
            Flavour::Word => collect_word(p, &mut atoms),
            Flavour::Drawing => collect_drawing(p, &mut atoms),
        }
        let props = xml::child(p, ns, "pPr");
        let props_section = props
            .and_then(|pp| xml::child(pp, ns, "sectPr"))
            .map(|n| n.range());
        let end_props = match flavour {
            Flavour::Drawing => xml::child(p, ns, "endParaRPr").map(|n| n.range()),
            Flavour::Word => None,
        };
        let content_end = match end_props.clone() {
            Some(end) => Some(end.start),
            None => xml::end_tag_start(src, p),
        };
        let text = atoms.iter().map(|a| a.text.as_str()).collect();
        Para {
            flavour,
            range: p.range(),
            prefix: xml::prefix_of(src, p),
            self_closing: xml::is_self_closing(src, p),
            open: xml::open_tag(src, p),
            content_end,
            props: props.map(|n| n.range()),
            props_section,
            end_props,
            atoms,
            text,
        }
    }

    /// The paragraph's text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Records the edits that turn this paragraph's text into `new`, in place.
    pub(crate) fn edit(&self, src: &str, new: &str, out: &mut Splice) {
        if new == self.text {
            return;
        }
        let old: Vec<char> = self.text.chars().collect();
        let new_chars: Vec<char> = new.chars().collect();
        let prefix = old
            .iter()
            .zip(&new_chars)
            .take_while(|(a, b)| a == b)
            .count();
        let room = old.len().min(new_chars.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(new_chars.iter().rev())
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        let removed = prefix..old.len() - suffix;
        let inserted: String = new_chars
            .get(prefix..new_chars.len() - suffix)
            .unwrap_or_default()
            .iter()
            .collect();

        // Character offsets of the atoms.
        let mut spans = Vec::with_capacity(self.atoms.len());
        let mut at = 0;
        for atom in &self.atoms {
            let len = atom.text.chars().count();
            spans.push(at..at + len);
            at += len;
        }
        let host = if inserted.is_empty() {
            None
        } else {
            // The run where typing continues: the text atom ending at (or holding) the change,
            // else the first one starting inside it.
            let eligible = |i: &usize| {
                self.atoms
                    .get(*i)
                    .is_some_and(|a| a.kind == AtomKind::Text && a.host)
            };
            let ends_here = (0..self.atoms.len()).filter(eligible).find(|i| {
                spans
                    .get(*i)
                    .is_some_and(|s| s.start < prefix && prefix <= s.end)
            });
            ends_here.or_else(|| {
                (0..self.atoms.len()).filter(eligible).find(|i| {
                    spans
                        .get(*i)
                        .is_some_and(|s| s.start >= prefix && s.start <= removed.end)
                })
            })
        };

        for (i, (atom, span)) in self.atoms.iter().zip(&spans).enumerate() {
            let chars: Vec<char> = atom.text.chars().collect();
            let local = |from: usize, to: usize| -> String {
                let from = from.clamp(span.start, span.end) - span.start;
                let to = to.clamp(span.start, span.end) - span.start;
                chars
                    .get(from..to.max(from))
                    .unwrap_or_default()
                    .iter()
                    .collect()
            };
            if host == Some(i) {
                let text = format!(
                    "{}{inserted}{}",
                    local(span.start, prefix),
                    local(removed.end.max(span.start), span.end)
                );
                self.replace_text(src, atom, &text, out);
                continue;
            }
            let overlaps = span.start < removed.end && removed.start < span.end;
            if !overlaps {
                continue;
            }
            match atom.kind {
                AtomKind::Text => {
                    let text = format!(
                        "{}{}",
                        local(span.start, removed.start),
                        local(removed.end, span.end)
                    );
                    self.replace_text(src, atom, &text, out);
                }
                AtomKind::Tab | AtomKind::Break => out.remove(atom.element.clone()),
            }
        }
        if host.is_none() && !inserted.is_empty() {
            self.insert_new_run(src, &spans, prefix, removed.end, &inserted, out);
        }
    }

    /// Replaces one text atom's text (removing it when empty).
    fn replace_text(&self, src: &str, atom: &Atom, text: &str, out: &mut Splice) {
        match self.flavour {
            Flavour::Word => out.replace(atom.element.clone(), word_segments(&self.prefix, text)),
            Flavour::Drawing => {
                if text.is_empty() {
                    if let Some(run) = atom.run.clone() {
                        out.remove(run);
                    }
                    return;
                }
                let props = atom
                    .run_props
                    .clone()
                    .map(|r| xml::text_of(src, r).to_owned())
                    .unwrap_or_default();
                let run_name = atom
                    .run
                    .clone()
                    .map(|r| {
                        let tag = xml::text_of(src, r);
                        tag.get(1..)
                            .and_then(|t| {
                                t.split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                                    .next()
                            })
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .unwrap_or_else(|| format!("{}r", self.prefix));
                let p = &self.prefix;
                let mut segments = text.split(LINE_BREAK);
                let mut xml_out = drawing_t(p, segments.next().unwrap_or_default());
                for segment in segments {
                    xml_out.push_str(&format!(
                        "</{run_name}>{}<{run_name}>{props}{}",
                        drawing_break(p, &props),
                        drawing_t(p, segment)
                    ));
                }
                out.replace(atom.element.clone(), xml_out);
            }
        }
    }

    /// Text inserted where no text run is near: next to a neighbouring atom, or as the
    /// paragraph's first run.
    fn insert_new_run(
        &self,
        src: &str,
        spans: &[Range<usize>],
        start: usize,
        end: usize,
        text: &str,
        out: &mut Splice,
    ) {
        let before = (0..self.atoms.len()).rev().find(|i| {
            spans
                .get(*i)
                .is_some_and(|s| s.end <= start && s.end > s.start)
        });
        let after = (0..self.atoms.len()).find(|i| spans.get(*i).is_some_and(|s| s.start >= end));
        let p = &self.prefix;
        match self.flavour {
            Flavour::Word => {
                // Inside the neighbour's run, so the text takes its formatting.
                if let Some(atom) = before.and_then(|i| self.atoms.get(i)) {
                    out.insert(atom.element.end, word_segments(p, text));
                } else if let Some(atom) = after.and_then(|i| self.atoms.get(i)) {
                    out.insert(atom.element.start, word_segments(p, text));
                } else {
                    let run = format!("<{p}r>{}</{p}r>", word_segments(p, text));
                    self.append_content(src, run, out);
                }
            }
            Flavour::Drawing => {
                let neighbour = before.or(after).and_then(|i| self.atoms.get(i));
                let props = neighbour
                    .and_then(|a| a.run_props.clone())
                    .map(|r| xml::text_of(src, r).to_owned())
                    .unwrap_or_else(|| self.end_props_as_run_props(src));
                let runs = drawing_runs(p, &props, text);
                match (
                    before.and_then(|i| self.atoms.get(i)),
                    after.and_then(|i| self.atoms.get(i)),
                ) {
                    (Some(atom), _) => {
                        let at = atom.run.clone().unwrap_or(atom.element.clone()).end;
                        out.insert(at, runs);
                    }
                    (None, Some(atom)) => {
                        let at = atom.run.clone().unwrap_or(atom.element.clone()).start;
                        out.insert(at, runs);
                    }
                    (None, None) => self.append_content(src, runs, out),
                }
            }
        }
    }

    /// Adds content at the end of the paragraph (before `a:endParaRPr`).
    fn append_content(&self, src: &str, content: String, out: &mut Splice) {
        match self.content_end {
            Some(at) if !self.self_closing => out.insert(at, content),
            _ => {
                let p = &self.prefix;
                let _ = src;
                out.replace(self.range.clone(), format!("{}{content}</{p}p>", self.open));
            }
        }
    }

    /// `a:endParaRPr` renamed to `a:rPr` (the same type), for runs typed into an empty paragraph.
    fn end_props_as_run_props(&self, src: &str) -> String {
        let Some(range) = self.end_props.clone() else {
            return String::new();
        };
        let p = &self.prefix;
        xml::text_of(src, range)
            .replacen(&format!("<{p}endParaRPr"), &format!("<{p}rPr"), 1)
            .replace(&format!("</{p}endParaRPr>"), &format!("</{p}rPr>"))
    }

    /// A new paragraph with this one's paragraph properties and its first run's formatting.
    pub(crate) fn clone_with_text(&self, src: &str, text: &str) -> String {
        let p = &self.prefix;
        let props = match (self.props.clone(), self.props_section.clone()) {
            (Some(props), Some(section)) => format!(
                "{}{}",
                xml::text_of(src, props.start..section.start),
                xml::text_of(src, section.end..props.end)
            ),
            (Some(props), None) => xml::text_of(src, props).to_owned(),
            (None, _) => String::new(),
        };
        let run_props = self
            .atoms
            .iter()
            .find(|a| a.kind == AtomKind::Text && a.host)
            .and_then(|a| a.run_props.clone())
            .map(|r| xml::text_of(src, r).to_owned());
        match self.flavour {
            Flavour::Word => {
                let run = if text.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<{p}r>{}{}</{p}r>",
                        run_props.unwrap_or_default(),
                        word_segments(p, text)
                    )
                };
                format!("<{p}p>{props}{run}</{p}p>")
            }
            Flavour::Drawing => {
                let run_props = run_props.unwrap_or_else(|| self.end_props_as_run_props(src));
                let runs = if text.is_empty() {
                    String::new()
                } else {
                    drawing_runs(p, &run_props, text)
                };
                let end = self
                    .end_props
                    .clone()
                    .map(|r| xml::text_of(src, r).to_owned())
                    .unwrap_or_default();
                format!("<{p}p>{props}{runs}{end}</{p}p>")
            }
        }
    }
}

/// A paragraph with no model to copy from.
pub(crate) fn plain_paragraph(flavour: Flavour, prefix: &str, text: &str) -> String {
    let p = prefix;
    match flavour {
        Flavour::Word if text.is_empty() => format!("<{p}p/>"),
        Flavour::Word => format!("<{p}p><{p}r>{}</{p}r></{p}p>", word_segments(p, text)),
        Flavour::Drawing if text.is_empty() => {
            format!("<{p}p><{p}endParaRPr lang=\"en-US\"/></{p}p>")
        }
        Flavour::Drawing => format!(
            "<{p}p>{}</{p}p>",
            drawing_runs(p, &format!("<{p}rPr lang=\"en-US\"/>"), text)
        ),
    }
}

/// `w:t` elements for `text`, with `w:tab`/`w:br` for tabs and line breaks (inside one run).
fn word_segments(p: &str, text: &str) -> String {
    let mut out = String::new();
    let mut segment = String::new();
    let flush = |segment: &mut String, out: &mut String| {
        if !segment.is_empty() {
            out.push_str(&format!(
                "<{p}t{}>{}</{p}t>",
                xml::space_attr(segment),
                xml::escape_text(segment)
            ));
            segment.clear();
        }
    };
    for c in text.chars() {
        match c {
            '\t' => {
                flush(&mut segment, &mut out);
                out.push_str(&format!("<{p}tab/>"));
            }
            LINE_BREAK | '\n' | '\r' => {
                flush(&mut segment, &mut out);
                out.push_str(&format!("<{p}br/>"));
            }
            c => segment.push(c),
        }
    }
    flush(&mut segment, &mut out);
    out
}

fn drawing_t(p: &str, text: &str) -> String {
    format!("<{p}t>{}</{p}t>", xml::escape_text(text))
}

/// `a:br`, carrying the run properties as DrawingML allows.
fn drawing_break(p: &str, run_props: &str) -> String {
    if run_props.is_empty() {
        format!("<{p}br/>")
    } else {
        format!("<{p}br>{run_props}</{p}br>")
    }
}

/// `a:r` runs for `text`, separated by `a:br` at line breaks.
fn drawing_runs(p: &str, run_props: &str, text: &str) -> String {
    let mut out = String::new();
    for (i, segment) in text.split([LINE_BREAK, '\n', '\r']).enumerate() {
        if i > 0 {
            out.push_str(&drawing_break(p, run_props));
        }
        if !segment.is_empty() {
            out.push_str(&format!(
                "<{p}r>{run_props}{}</{p}r>",
                drawing_t(p, segment)
            ));
        }
    }
    out
}

/// Word atoms, in document order, skipping content that is not the paragraph's own text:
/// nested paragraphs (text boxes), `mc:Fallback` copies, ruby text, properties.
fn collect_word(node: Node<'_, '_>, atoms: &mut Vec<Atom>) {
    for child in node.children().filter(Node::is_element) {
        let in_w = xml::is(child, &W_NS, child.tag_name().name());
        let name = child.tag_name().name();
        if child.tag_name().namespace() == Some(MC_NS) && name == "Fallback" {
            continue;
        }
        if in_w {
            match name {
                "p" | "txbxContent" | "pPr" | "rPr" | "rt" | "sdtPr" | "del" | "moveFrom" => {
                    continue;
                }
                "t" | "tab" | "br" | "cr" => {
                    let run = child.parent().filter(|r| xml::is(*r, &W_NS, "r"));
                    if run.is_none() {
                        continue;
                    }
                    let (kind, text) = match name {
                        "t" => (AtomKind::Text, child.text().unwrap_or_default().to_owned()),
                        "tab" => (AtomKind::Tab, "\t".to_owned()),
                        _ => (AtomKind::Break, LINE_BREAK.to_string()),
                    };
                    atoms.push(Atom {
                        kind,
                        element: child.range(),
                        run: run.map(|r| r.range()),
                        run_props: run
                            .and_then(|r| xml::child(r, &W_NS, "rPr"))
                            .map(|n| n.range()),
                        host: true,
                        text,
                    });
                    continue;
                }
                _ => {}
            }
        }
        collect_word(child, atoms);
    }
}

/// DrawingML atoms: the paragraph's runs, fields and breaks.
fn collect_drawing(p: Node<'_, '_>, atoms: &mut Vec<Atom>) {
    for child in p.children().filter(|c| c.is_element()) {
        let name = child.tag_name().name();
        if !xml::is(child, &A_NS, name) {
            continue;
        }
        let props = xml::child(child, &A_NS, "rPr").map(|n| n.range());
        match name {
            "r" | "fld" => {
                if let Some(t) = xml::child(child, &A_NS, "t") {
                    atoms.push(Atom {
                        kind: AtomKind::Text,
                        element: t.range(),
                        run: Some(child.range()),
                        run_props: props,
                        host: name == "r",
                        text: t.text().unwrap_or_default().to_owned(),
                    });
                }
            }
            "br" => atoms.push(Atom {
                kind: AtomKind::Break,
                element: child.range(),
                run: Some(child.range()),
                run_props: props,
                host: false,
                text: LINE_BREAK.to_string(),
            }),
            _ => {}
        }
    }
}

/// How one old paragraph fares in the new list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Becomes new paragraph `j` (edited in place when the text differs).
    Becomes(usize),
    Removed,
}

/// The plan that turns the old paragraph texts into the new ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// For each old paragraph.
    pub(crate) fates: Vec<Fate>,
    /// New paragraphs to create: `(after, new index, model)`: inserted after old paragraph
    /// `after` (`None`: before the first), formatted like old paragraph `model`.
    pub(crate) created: Vec<(Option<usize>, usize, Option<usize>)>,
}

/// Matches old paragraphs to new ones: equal texts by a longest common subsequence, then, in
/// each changed stretch, old and new paragraphs pairwise (edited in place); extra old ones are
/// removed, extra new ones created after the last placed paragraph.
pub(crate) fn align(old: &[String], new: &[String]) -> Plan {
    let pairs = common_subsequence(old, new);
    let mut fates = vec![Fate::Removed; old.len()];
    let mut created = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut last_placed: Option<usize> = None;
    let anchors = pairs.iter().copied().chain([(old.len(), new.len())]);
    for (ai, aj) in anchors {
        // The changed stretch old[i..ai] / new[j..aj].
        let olds = ai - i;
        let news = aj - j;
        for k in 0..olds.min(news) {
            if let Some(fate) = fates.get_mut(i + k) {
                *fate = Fate::Becomes(j + k);
            }
            last_placed = Some(i + k);
        }
        for k in olds.min(news)..news {
            let model = last_placed.or(if ai < old.len() { Some(ai) } else { None });
            created.push((last_placed, j + k, model));
        }
        if ai < old.len() {
            if let Some(fate) = fates.get_mut(ai) {
                *fate = Fate::Becomes(aj);
            }
            last_placed = Some(ai);
        }
        i = ai + 1;
        j = aj + 1;
    }
    Plan { fates, created }
}

/// Records the edits that turn the paragraphs `paras` into the texts `new` (an empty list
/// keeps one empty paragraph). `anchor`: the prefix and position for new paragraphs when there
/// is none yet (`None`: nowhere, an error).
pub(crate) fn edit_list(
    src: &str,
    flavour: Flavour,
    paras: &[Para],
    new: &[String],
    anchor: (String, Option<usize>),
    splice: &mut Splice,
) -> Result<(), EditError> {
    // A line feed inside one paragraph's text can only be a line break.
    let mut new: Vec<String> = new
        .iter()
        .map(|t| {
            t.replace("\r\n", "\n")
                .replace(['\r', '\n'], &LINE_BREAK.to_string())
        })
        .collect();
    if new.is_empty() {
        new.push(String::new());
    }
    let new = &new[..];
    let old: Vec<String> = paras.iter().map(|p| p.text().to_owned()).collect();
    let plan = align(&old, new);
    for (para, fate) in paras.iter().zip(&plan.fates) {
        match fate {
            Fate::Becomes(j) => {
                if let Some(text) = new.get(*j) {
                    para.edit(src, text, splice);
                }
            }
            Fate::Removed => splice.remove(para.range.clone()),
        }
    }
    for (after, j, model) in &plan.created {
        let text = new.get(*j).map(String::as_str).unwrap_or_default();
        let xml_text = match model.and_then(|m| paras.get(m)) {
            Some(model) => model.clone_with_text(src, text),
            None => plain_paragraph(flavour, &anchor.0, text),
        };
        let at = match after {
            Some(i) => paras.get(*i).map(|p| p.range.end),
            None => paras.first().map(|p| p.range.start).or(anchor.1),
        };
        match at {
            Some(at) => splice.insert(at, xml_text),
            None => return Err(EditError::Internal("no place for a new paragraph".into())),
        }
    }
    Ok(())
}

/// Index pairs of a longest common subsequence of equal strings. Common ends are matched
/// directly; a middle too large for the quadratic table is matched by position only.
fn common_subsequence(old: &[String], new: &[String]) -> Vec<(usize, usize)> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut pairs: Vec<(usize, usize)> = (0..head).map(|k| (k, k)).collect();
    let (o, n) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    if o.len().saturating_mul(n.len()) <= 4_000_000 {
        let mut table = vec![vec![0u32; n.len() + 1]; o.len() + 1];
        for a in (0..o.len()).rev() {
            for b in (0..n.len()).rev() {
                let value = if o[a] == n[b] {
                    table[a + 1][b + 1] + 1
                } else {
                    table[a + 1][b].max(table[a][b + 1])
                };
                table[a][b] = value;
            }
        }
        let (mut a, mut b) = (0, 0);
        while a < o.len() && b < n.len() {
            if o[a] == n[b] {
                pairs.push((head + a, head + b));
                a += 1;
                b += 1;
            } else if table[a + 1][b] >= table[a][b + 1] {
                a += 1;
            } else {
                b += 1;
            }
        }
    }
    pairs.extend((0..tail).map(|k| (old.len() - tail + k, new.len() - tail + k)));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn alignment() {
        use Fate::*;
        // (old, new, fates, created)
        type Created = Vec<(Option<usize>, usize, Option<usize>)>;
        type Case<'a> = (&'a [&'a str], &'a [&'a str], Vec<Fate>, Created);
        let cases: Vec<Case<'_>> = vec![
            (
                &["a", "b"],
                &["a", "b"],
                vec![Becomes(0), Becomes(1)],
                vec![],
            ),
            (
                &["a", "b", "c"],
                &["a", "B", "c"],
                vec![Becomes(0), Becomes(1), Becomes(2)],
                vec![],
            ),
            (
                &["a", "b", "c"],
                &["a", "b1", "b2", "c"],
                vec![Becomes(0), Becomes(1), Becomes(3)],
                vec![(Some(1), 2, Some(1))],
            ),
            (
                &["a", "b", "c"],
                &["a", "c"],
                vec![Becomes(0), Removed, Becomes(1)],
                vec![],
            ),
            (
                &["a"],
                &["x", "a"],
                vec![Becomes(1)],
                vec![(None, 0, Some(0))],
            ),
            (
                &["a"],
                &["a", "x", "y"],
                vec![Becomes(0)],
                vec![(Some(0), 1, Some(0)), (Some(0), 2, Some(0))],
            ),
            (
                &[""],
                &["Hello", "World"],
                vec![Becomes(0)],
                vec![(Some(0), 1, Some(0))],
            ),
            (&[], &["x"], vec![], vec![(None, 0, None)]),
            (&["a", "b"], &[], vec![Removed, Removed], vec![]),
            (
                &["a", "b", "c", "d"],
                &["d", "a"],
                vec![Removed, Removed, Removed, Becomes(0)],
                vec![(Some(3), 1, Some(3))],
            ),
        ];
        for (old, new, fates, created) in cases {
            let plan = align(&strings(old), &strings(new));
            assert_eq!(plan.fates, fates, "{old:?} → {new:?}");
            assert_eq!(plan.created, created, "{old:?} → {new:?}");
        }
    }

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    const A: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"";

    fn edit_one(src: &str, flavour: Flavour, new: &str) -> (String, String) {
        let doc = roxmltree::Document::parse(src).unwrap_or_else(|e| panic!("{e}: {src}"));
        let p = doc
            .descendants()
            .find(|n| n.tag_name().name() == "p")
            .unwrap_or_else(|| panic!("no p"));
        let para = Para::read(src, p, flavour);
        let mut s = Splice::default();
        para.edit(src, new, &mut s);
        let out = s.apply(src).unwrap_or_else(|e| panic!("{e}"));
        let back = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        let p2 = back
            .descendants()
            .find(|n| n.tag_name().name() == "p")
            .unwrap_or_else(|| panic!("no p"));
        let text = Para::read(&out, p2, flavour).text().to_owned();
        (out, text)
    }

    #[test]
    fn word_paragraphs_edit_in_place() {
        let w = |body: &str| format!("<w:p {W}>{body}</w:p>");
        // (paragraph body, new text, expected body)
        let cases = [
            // Typing into an empty paragraph adds a run.
            ("", "Hi", "<w:r><w:t>Hi</w:t></w:r>"),
            (
                "<w:pPr><w:jc w:val=\"center\"/></w:pPr>",
                "Hi",
                "<w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:t>Hi</w:t></w:r>",
            ),
            // Appending continues the last run; the bold run before is untouched.
            (
                "<w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r><w:r><w:t xml:space=\"preserve\"> plain</w:t></w:r>",
                "Bold plain text",
                "<w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r><w:r><w:t xml:space=\"preserve\"> plain text</w:t></w:r>",
            ),
            // Changing a word inside the bold run keeps the bold formatting.
            (
                "<w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r><w:r><w:t xml:space=\"preserve\"> plain</w:t></w:r>",
                "Bald plain",
                "<w:r><w:rPr><w:b/></w:rPr><w:t>Bald</w:t></w:r><w:r><w:t xml:space=\"preserve\"> plain</w:t></w:r>",
            ),
            // Deleting across runs empties the middle one and trims the outer ones.
            (
                "<w:r><w:t>ab</w:t></w:r><w:r><w:t>cd</w:t></w:r><w:r><w:t>ef</w:t></w:r>",
                "af",
                "<w:r><w:t>a</w:t></w:r><w:r></w:r><w:r><w:t>f</w:t></w:r>",
            ),
            // Tabs and breaks are atoms; typed ones become elements.
            (
                "<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r>",
                "a\tb\u{b}c",
                "<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r>",
            ),
            (
                "<w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r>",
                "ab",
                "<w:r><w:t>a</w:t><w:t>b</w:t></w:r>",
            ),
            // Text inside a hyperlink is the paragraph's text, and escapes are written.
            (
                "<w:hyperlink><w:r><w:t>x</w:t></w:r></w:hyperlink>",
                "x & <y>",
                "<w:hyperlink><w:r><w:t>x &amp; &lt;y&gt;</w:t></w:r></w:hyperlink>",
            ),
            // Deleted text and field codes are not text.
            (
                "<w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>1</w:t></w:r>",
                "2",
                "<w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>2</w:t></w:r>",
            ),
        ];
        for (body, new, want) in cases {
            let (out, text) = edit_one(&w(body), Flavour::Word, new);
            assert_eq!(out, w(want), "{body} → {new:?}");
            assert_eq!(text, new, "{out}");
        }
        // A self-closing paragraph is opened.
        let src = format!("<w:p {W} w:rsidR=\"00AB\"/>");
        let (out, text) = edit_one(&src, Flavour::Word, "New");
        assert_eq!(
            out,
            format!("<w:p {W} w:rsidR=\"00AB\"><w:r><w:t>New</w:t></w:r></w:p>")
        );
        assert_eq!(text, "New");
        // Unchanged text: no edit at all.
        let src = w("<w:r><w:t>same</w:t></w:r>");
        assert_eq!(edit_one(&src, Flavour::Word, "same").0, src);
    }

    #[test]
    fn drawing_paragraphs_edit_in_place() {
        let a = |body: &str| format!("<a:p {A}>{body}</a:p>");
        let cases = [
            (
                "<a:endParaRPr lang=\"en-US\" dirty=\"0\"/>",
                "Title",
                "<a:r><a:rPr lang=\"en-US\" dirty=\"0\"/><a:t>Title</a:t></a:r><a:endParaRPr lang=\"en-US\" dirty=\"0\"/>",
            ),
            (
                "<a:r><a:rPr b=\"1\"/><a:t>One</a:t></a:r><a:r><a:t>Two</a:t></a:r>",
                "OneTwo!",
                "<a:r><a:rPr b=\"1\"/><a:t>One</a:t></a:r><a:r><a:t>Two!</a:t></a:r>",
            ),
            // A run whose text is all removed goes away.
            (
                "<a:r><a:t>One</a:t></a:r><a:r><a:t>Two</a:t></a:r>",
                "Two",
                "<a:r><a:t>Two</a:t></a:r>",
            ),
            // A typed line break splits the run around an a:br.
            (
                "<a:r><a:rPr sz=\"2000\"/><a:t>ab</a:t></a:r>",
                "a\u{b}b",
                "<a:r><a:rPr sz=\"2000\"/><a:t>a</a:t></a:r><a:br><a:rPr sz=\"2000\"/></a:br><a:r><a:rPr sz=\"2000\"/><a:t>b</a:t></a:r>",
            ),
            (
                "<a:r><a:t>a</a:t></a:r><a:br/><a:r><a:t>b</a:t></a:r>",
                "ab",
                "<a:r><a:t>a</a:t></a:r><a:r><a:t>b</a:t></a:r>",
            ),
            // Fields keep their text; new text goes into a run beside them.
            (
                "<a:fld id=\"{1}\" type=\"slidenum\"><a:t>3</a:t></a:fld>",
                "3 of 9",
                "<a:fld id=\"{1}\" type=\"slidenum\"><a:t>3</a:t></a:fld><a:r><a:t> of 9</a:t></a:r>",
            ),
            ("", "x", "<a:r><a:t>x</a:t></a:r>"),
        ];
        for (body, new, want) in cases {
            let (out, text) = edit_one(&a(body), Flavour::Drawing, new);
            assert_eq!(out, a(want), "{body} → {new:?}");
            assert_eq!(text, new, "{out}");
        }
    }

    #[test]
    fn clones_keep_paragraph_and_run_formatting() {
        let src = format!(
            "<w:p {W}><w:pPr><w:pStyle w:val=\"Heading1\"/><w:sectPr/></w:pPr><w:r><w:rPr><w:i/></w:rPr><w:t>x</w:t></w:r></w:p>"
        );
        let doc = roxmltree::Document::parse(&src).unwrap_or_else(|e| panic!("{e}"));
        let para = Para::read(&src, doc.root_element(), Flavour::Word);
        assert_eq!(
            para.clone_with_text(&src, "y"),
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:rPr><w:i/></w:rPr><w:t>y</w:t></w:r></w:p>"
        );
        assert_eq!(
            para.clone_with_text(&src, ""),
            "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr></w:p>"
        );
        assert_eq!(
            plain_paragraph(Flavour::Word, "w:", "a\tb"),
            "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r></w:p>"
        );
        assert_eq!(
            plain_paragraph(Flavour::Drawing, "a:", "t"),
            "<a:p><a:r><a:rPr lang=\"en-US\"/><a:t>t</a:t></a:r></a:p>"
        );
    }
}
