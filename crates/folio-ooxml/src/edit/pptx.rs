//! PresentationML: the text of the slides' shapes, and new text boxes.

use std::collections::BTreeMap;

use roxmltree::Node;

use super::package::Package;
use super::para::{self, Flavour, Para};
use super::xml::{self, A_NS, MC_NS, P_NS, R_NS, Splice};
use super::{Content, EditError, ShapeEdit, Slide, TextShape};
use crate::Kind;

/// The slide parts in order, and the slide size (EMU).
fn presentation(package: &mut Package<'_>) -> Result<(Vec<String>, (u64, u64)), EditError> {
    let main = package.main_part()?;
    let text = package.required(&main)?;
    let doc = xml::parse(&main, &text)?;
    let root = doc.root_element();
    if !xml::is(root, &P_NS, "presentation") {
        return Err(EditError::WrongKind(Kind::PowerPoint));
    }
    let rels = package.rels(&main)?;
    let slides = xml::child(root, &P_NS, "sldIdLst")
        .map(|list| {
            list.children()
                .filter(|n| xml::is(*n, &P_NS, "sldId"))
                .filter_map(|n| {
                    let id = xml::attr_ns(n, &R_NS, "id")?;
                    rels.iter()
                        .find(|r| r.id == id && r.kind.ends_with("/slide"))
                        .map(|r| r.target.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    let size = xml::child(root, &P_NS, "sldSz")
        .and_then(|s| {
            Some((
                xml::attr(s, "cx")?.parse().ok()?,
                xml::attr(s, "cy")?.parse().ok()?,
            ))
        })
        .unwrap_or((12_192_000, 6_858_000));
    Ok((slides, size))
}

/// The slide's shape tree.
fn shape_tree<'a, 'i>(
    part: &str,
    doc: &'a roxmltree::Document<'i>,
) -> Result<Node<'a, 'i>, EditError> {
    let root = doc.root_element();
    if !xml::is(root, &P_NS, "sld") {
        return Err(EditError::WrongKind(Kind::PowerPoint));
    }
    xml::child(root, &P_NS, "cSld")
        .and_then(|c| xml::child(c, &P_NS, "spTree"))
        .ok_or_else(|| EditError::MissingPart(format!("p:spTree in {part}")))
}

/// Shapes with a text body, in document order (inside groups too; not `mc:Fallback` copies).
fn text_shapes<'a, 'i>(tree: Node<'a, 'i>) -> Vec<(Node<'a, 'i>, Node<'a, 'i>)> {
    let mut out = Vec::new();
    fn walk<'a, 'i>(node: Node<'a, 'i>, out: &mut Vec<(Node<'a, 'i>, Node<'a, 'i>)>) {
        for child in node.children().filter(Node::is_element) {
            if child.tag_name().namespace() == Some(MC_NS) && child.tag_name().name() == "Fallback"
            {
                continue;
            }
            if xml::is(child, &P_NS, "sp") {
                if let Some(body) = xml::child(child, &P_NS, "txBody") {
                    out.push((child, body));
                }
            } else {
                walk(child, out);
            }
        }
    }
    walk(tree, &mut out);
    out
}

fn shape_name(shape: Node<'_, '_>) -> String {
    xml::child(shape, &P_NS, "nvSpPr")
        .and_then(|n| xml::child(n, &P_NS, "cNvPr"))
        .and_then(|n| xml::attr(n, "name"))
        .unwrap_or_default()
        .to_owned()
}

fn paragraphs<'a, 'i>(body: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    body.children().filter(|n| xml::is(*n, &A_NS, "p"))
}

pub(crate) fn read(package: &mut Package<'_>) -> Result<Content, EditError> {
    let (parts, _) = presentation(package)?;
    let mut slides = Vec::new();
    for part in parts {
        let src = package.required(&part)?;
        let doc = xml::parse(&part, &src)?;
        let tree = shape_tree(&part, &doc)?;
        let shapes = text_shapes(tree)
            .into_iter()
            .map(|(shape, body)| TextShape {
                name: shape_name(shape),
                paragraphs: paragraphs(body)
                    .map(|p| Para::read(&src, p, Flavour::Drawing).text().to_owned())
                    .collect(),
            })
            .collect();
        slides.push(Slide { shapes });
    }
    Ok(Content::PowerPoint { slides })
}

/// A new text box `id` with the paragraphs `texts`, placed in the slide's body area.
fn text_box(
    p: &str,
    a: &str,
    declare_a: bool,
    id: u64,
    size: (u64, u64),
    nth: u64,
    texts: &[String],
) -> String {
    let (cx, cy) = size;
    let x = cx / 12;
    let y = cy / 6 + nth * (cy / 12);
    let width = cx - 2 * x;
    let height = cy / 8;
    let declaration = if declare_a {
        format!(" xmlns:a=\"{}\"", A_NS[0])
    } else {
        String::new()
    };
    let paragraphs: String = texts
        .iter()
        .map(|t| para::plain_paragraph(Flavour::Drawing, a, t))
        .collect();
    format!(
        "<{p}sp{declaration}><{p}nvSpPr><{p}cNvPr id=\"{id}\" name=\"TextBox {id}\"/><{p}cNvSpPr txBox=\"1\"/><{p}nvPr/></{p}nvSpPr>\
         <{p}spPr><{a}xfrm><{a}off x=\"{x}\" y=\"{y}\"/><{a}ext cx=\"{width}\" cy=\"{height}\"/></{a}xfrm>\
         <{a}prstGeom prst=\"rect\"><{a}avLst/></{a}prstGeom><{a}noFill/></{p}spPr>\
         <{p}txBody><{a}bodyPr wrap=\"square\" rtlCol=\"0\"><{a}spAutoFit/></{a}bodyPr><{a}lstStyle/>{paragraphs}</{p}txBody></{p}sp>"
    )
}

fn edit_slide(
    part: &str,
    src: &str,
    size: (u64, u64),
    edits: &[&ShapeEdit],
) -> Result<Option<String>, EditError> {
    let doc = xml::parse(part, src)?;
    let tree = shape_tree(part, &doc)?;
    let shapes = text_shapes(tree);
    let mut splice = Splice::default();
    let mut next_id = doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "cNvPr")
        .filter_map(|n| xml::attr(n, "id")?.parse::<u64>().ok())
        .max()
        .unwrap_or(1)
        + 1;
    let mut added = 0;
    for edit in edits {
        match edit.shape {
            Some(index) => {
                let Some((_, body)) = shapes.get(index) else {
                    return Err(EditError::InvalidEdit(format!(
                        "slide {} has no text shape {}",
                        edit.slide + 1,
                        index + 1
                    )));
                };
                let paras: Vec<Para> = paragraphs(*body)
                    .map(|p| Para::read(src, p, Flavour::Drawing))
                    .collect();
                let anchor = xml::end_tag_start(src, *body);
                para::edit_list(
                    src,
                    Flavour::Drawing,
                    &paras,
                    &edit.paragraphs,
                    (xml::prefix_of(src, *body).replace("p:", "a:"), anchor),
                    &mut splice,
                )?;
            }
            None => {
                if edit.paragraphs.iter().all(String::is_empty) {
                    continue;
                }
                let root = doc.root_element();
                let p = xml::prefix_of(src, root);
                let (a, declare) = match A_NS.iter().find_map(|ns| root.lookup_prefix(ns)) {
                    Some("") => (String::new(), false),
                    Some(prefix) => (format!("{prefix}:"), false),
                    None => ("a:".to_owned(), true),
                };
                let at = xml::end_tag_start(src, tree).ok_or_else(|| {
                    EditError::InvalidEdit(format!(
                        "the shape tree of slide {} is empty",
                        edit.slide + 1
                    ))
                })?;
                splice.insert(
                    at,
                    text_box(&p, &a, declare, next_id, size, added, &edit.paragraphs),
                );
                next_id += 1;
                added += 1;
            }
        }
    }
    if splice.is_empty() {
        return Ok(None);
    }
    splice.apply(src).map(Some)
}

pub(crate) fn apply(
    package: &mut Package<'_>,
    edits: &[ShapeEdit],
) -> Result<BTreeMap<String, String>, EditError> {
    let (slides, size) = presentation(package)?;
    let mut per_slide: BTreeMap<usize, Vec<&ShapeEdit>> = BTreeMap::new();
    for edit in edits {
        if edit.slide >= slides.len() {
            return Err(EditError::InvalidEdit(format!(
                "there is no slide {}",
                edit.slide + 1
            )));
        }
        for text in &edit.paragraphs {
            xml::check_chars(text, &[para::LINE_BREAK])?;
        }
        per_slide.entry(edit.slide).or_default().push(edit);
    }
    let mut changes = BTreeMap::new();
    for (index, edits) in per_slide {
        let Some(part) = slides.get(index) else {
            continue;
        };
        let src = package.required(part)?;
        if let Some(text) = edit_slide(part, &src, size, &edits)? {
            changes.insert(part.clone(), text);
        }
    }
    Ok(changes)
}
