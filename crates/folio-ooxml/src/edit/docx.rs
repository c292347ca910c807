//! WordprocessingML: the body's paragraphs.

use std::collections::BTreeMap;

use roxmltree::Node;

use super::package::Package;
use super::para::{self, Flavour, Para};
use super::xml::{self, Splice, W_NS};
use super::{Content, EditError};
use crate::Kind;

/// The main part and its text.
fn main_part(package: &mut Package<'_>) -> Result<(String, String), EditError> {
    let name = package.main_part()?;
    let text = package.required(&name)?;
    Ok((name, text))
}

/// The body's paragraphs: its `w:p` children, also inside block-level content controls and
/// custom XML (not inside tables or text boxes).
fn body_paragraphs<'a, 'i>(
    root: Node<'a, 'i>,
) -> Result<(Node<'a, 'i>, Vec<Node<'a, 'i>>), EditError> {
    if !xml::is(root, &W_NS, "document") {
        return Err(EditError::WrongKind(Kind::Word));
    }
    let body = xml::child(root, &W_NS, "body")
        .ok_or_else(|| EditError::MissingPart("w:body in the main document".into()))?;
    let mut out = Vec::new();
    fn walk<'a, 'i>(node: Node<'a, 'i>, out: &mut Vec<Node<'a, 'i>>) {
        for child in node.children().filter(Node::is_element) {
            if xml::is(child, &W_NS, "p") {
                out.push(child);
            } else if xml::is(child, &W_NS, "sdt") {
                if let Some(content) = xml::child(child, &W_NS, "sdtContent") {
                    walk(content, out);
                }
            } else if xml::is(child, &W_NS, "customXml") {
                walk(child, out);
            }
        }
    }
    walk(body, &mut out);
    Ok((body, out))
}

pub(crate) fn read(package: &mut Package<'_>) -> Result<Content, EditError> {
    let (name, text) = main_part(package)?;
    let doc = xml::parse(&name, &text)?;
    let (_, paragraphs) = body_paragraphs(doc.root_element())?;
    Ok(Content::Word {
        paragraphs: paragraphs
            .into_iter()
            .map(|p| Para::read(&text, p, Flavour::Word).text().to_owned())
            .collect(),
    })
}

pub(crate) fn apply(
    package: &mut Package<'_>,
    new: &[String],
) -> Result<BTreeMap<String, String>, EditError> {
    for text in new {
        xml::check_chars(text, &[para::LINE_BREAK])?;
    }
    let (name, src) = main_part(package)?;
    let doc = xml::parse(&name, &src)?;
    let (body, nodes) = body_paragraphs(doc.root_element())?;
    let paras: Vec<Para> = nodes
        .iter()
        .map(|p| Para::read(&src, *p, Flavour::Word))
        .collect();
    let mut splice = Splice::default();
    // Without any paragraph, new ones go before the final section properties.
    let anchor = xml::child(body, &W_NS, "sectPr")
        .map(|s| s.range().start)
        .or_else(|| xml::end_tag_start(&src, body));
    para::edit_list(
        &src,
        Flavour::Word,
        &paras,
        new,
        (xml::prefix_of(&src, body), anchor),
        &mut splice,
    )?;
    let mut changes = BTreeMap::new();
    if !splice.is_empty() {
        changes.insert(name, splice.apply(&src)?);
    }
    Ok(changes)
}
