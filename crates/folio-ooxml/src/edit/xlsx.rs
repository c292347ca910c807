//! SpreadsheetML: cell values of the worksheets.
//!
//! New and changed values are written into the cell (`<v>` for numbers, an inline string
//! otherwise), so the shared string table and every other part stay as they are. A cell keeps
//! its style (`s`); formula cells are read-only.

use std::collections::{BTreeMap, HashMap};

use roxmltree::Node;

use super::package::Package;
use super::xml::{self, R_NS, S_NS, Splice};
use super::{Cell, CellEdit, Content, EditError, Sheet};
use crate::Kind;

/// The largest row and column numbers of a worksheet.
const MAX_ROW: u32 = 1_048_576;
const MAX_COL: u32 = 16_384;

/// `B12` → (row 12, column 2).
pub(crate) fn parse_ref(reference: &str) -> Option<(u32, u32)> {
    let reference = reference.trim().replace('$', "");
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |acc, b| {
        Some(acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1))
    })?;
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    ((1..=MAX_ROW).contains(&row) && (1..=MAX_COL).contains(&col)).then_some((row, col))
}

/// Column 28 → `AB`.
pub(crate) fn col_name(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        col = (col - 1) / 26;
    }
    out.iter().rev().collect()
}

pub(crate) fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{row}", col_name(col))
}

/// Whether a typed value is stored as a number: a plain decimal (optionally signed, with a
/// fraction and an exponent) without leading zeros, so `007` and `1 000` stay text.
pub(crate) fn is_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = digits(int) && (int == "0" || !int.starts_with('0'));
    let frac_ok = frac.is_none_or(digits);
    let exp_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    int_ok && frac_ok && exp_ok && text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The worksheets, `(name, part name)` in tab order, and the shared strings.
type Workbook = (Vec<(String, String)>, Vec<String>);

/// The workbook's worksheets and shared strings.
fn workbook(package: &mut Package<'_>) -> Result<Workbook, EditError> {
    let main = package.main_part()?;
    let text = package.required(&main)?;
    let doc = xml::parse(&main, &text)?;
    let root = doc.root_element();
    if !xml::is(root, &S_NS, "workbook") {
        return Err(EditError::WrongKind(Kind::Excel));
    }
    let rels = package.rels(&main)?;
    let sheets = xml::child(root, &S_NS, "sheets")
        .map(|s| {
            s.children()
                .filter(|n| xml::is(*n, &S_NS, "sheet"))
                .filter_map(|n| {
                    let id = xml::attr_ns(n, &R_NS, "id")?;
                    let rel = rels
                        .iter()
                        .find(|r| r.id == id && r.kind.ends_with("/worksheet"))?;
                    Some((
                        xml::attr(n, "name").unwrap_or_default().to_owned(),
                        rel.target.clone(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut strings = Vec::new();
    if let Some(part) = rels.iter().find(|r| r.kind.ends_with("/sharedStrings"))
        && let Some(text) = package.part(&part.target)?
    {
        let doc = xml::parse(&part.target, &text)?;
        strings = doc
            .root_element()
            .children()
            .filter(|n| xml::is(*n, &S_NS, "si"))
            .map(rich_text)
            .collect();
    }
    Ok((sheets, strings))
}

/// The text of a string item (`si`, or an inline `is`): its `t`, or its runs' `t`s; phonetic
/// runs (`rPh`) are not part of the text.
fn rich_text(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for child in node.children().filter(Node::is_element) {
        if xml::is(child, &S_NS, "t") {
            out.push_str(child.text().unwrap_or_default());
        } else if xml::is(child, &S_NS, "r")
            && let Some(t) = xml::child(child, &S_NS, "t")
        {
            out.push_str(t.text().unwrap_or_default());
        }
    }
    out
}

/// A cell as found in a worksheet.
struct FoundCell<'a, 'i> {
    node: Node<'a, 'i>,
    row: u32,
    col: u32,
    value: String,
    formula: Option<String>,
}

/// A row as found in a worksheet.
struct FoundRow<'a, 'i> {
    node: Node<'a, 'i>,
    row: u32,
    cells: Vec<FoundCell<'a, 'i>>,
}

fn cell_value(cell: Node<'_, '_>, strings: &[String]) -> String {
    let v = xml::child(cell, &S_NS, "v")
        .and_then(|v| v.text())
        .unwrap_or_default();
    match xml::attr(cell, "t") {
        Some("s") => v
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|i| strings.get(i))
            .cloned()
            .unwrap_or_default(),
        Some("inlineStr") => xml::child(cell, &S_NS, "is")
            .map(rich_text)
            .unwrap_or_default(),
        Some("b") => if v.trim() == "1" { "TRUE" } else { "FALSE" }.to_owned(),
        _ => v.to_owned(),
    }
}

fn rows<'a, 'i>(sheet_data: Node<'a, 'i>, strings: &[String]) -> Vec<FoundRow<'a, 'i>> {
    let mut out = Vec::new();
    let mut last_row = 0;
    for row in sheet_data.children().filter(|n| xml::is(*n, &S_NS, "row")) {
        let r = xml::attr(row, "r")
            .and_then(|r| r.trim().parse().ok())
            .unwrap_or(last_row + 1);
        last_row = r;
        let mut cells = Vec::new();
        let mut last_col = 0;
        for cell in row.children().filter(|n| xml::is(*n, &S_NS, "c")) {
            let col = xml::attr(cell, "r")
                .and_then(parse_ref)
                .map_or(last_col + 1, |(_, c)| c);
            last_col = col;
            cells.push(FoundCell {
                node: cell,
                row: r,
                col,
                value: cell_value(cell, strings),
                formula: xml::child(cell, &S_NS, "f")
                    .map(|f| f.text().unwrap_or_default().to_owned()),
            });
        }
        out.push(FoundRow {
            node: row,
            row: r,
            cells,
        });
    }
    out
}

fn sheet_data<'a, 'i>(
    part: &str,
    doc: &'a roxmltree::Document<'i>,
) -> Result<Node<'a, 'i>, EditError> {
    let root = doc.root_element();
    if !xml::is(root, &S_NS, "worksheet") {
        return Err(EditError::WrongKind(Kind::Excel));
    }
    xml::child(root, &S_NS, "sheetData")
        .ok_or_else(|| EditError::MissingPart(format!("sheetData in {part}")))
}

pub(crate) fn read(package: &mut Package<'_>) -> Result<Content, EditError> {
    let (sheets, strings) = workbook(package)?;
    let mut out = Vec::new();
    for (name, part) in sheets {
        let text = package.required(&part)?;
        let doc = xml::parse(&part, &text)?;
        let data = sheet_data(&part, &doc)?;
        let cells = rows(data, &strings)
            .into_iter()
            .flat_map(|r| r.cells)
            .filter(|c| !c.value.is_empty() || c.formula.is_some())
            .map(|c| Cell {
                reference: cell_ref(c.row, c.col),
                row: c.row,
                col: c.col,
                value: c.value,
                formula: c.formula,
            })
            .collect();
        out.push(Sheet { name, cells });
    }
    Ok(Content::Excel { sheets: out })
}

/// The XML of a cell holding `value`, keeping the style of the old cell.
fn cell_xml(prefix: &str, reference: &str, style: Option<&str>, value: &str) -> String {
    let p = prefix;
    let style = style
        .map(|s| format!(" s=\"{}\"", xml::escape_attr(s)))
        .unwrap_or_default();
    if value.is_empty() {
        format!("<{p}c r=\"{reference}\"{style}/>")
    } else if is_number(value) {
        format!("<{p}c r=\"{reference}\"{style}><{p}v>{value}</{p}v></{p}c>")
    } else {
        format!(
            "<{p}c r=\"{reference}\"{style} t=\"inlineStr\"><{p}is><{p}t{}>{}</{p}t></{p}is></{p}c>",
            xml::space_attr(value),
            xml::escape_text(value)
        )
    }
}

/// The `A1:C3` range covering `a` and the cells `extra`.
fn dimension(old: Option<&str>, extra: &[(u32, u32)]) -> Option<String> {
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut add = |(r, c): (u32, u32)| {
        bounds = Some(match bounds {
            None => (r, c, r, c),
            Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
        });
    };
    if let Some(old) = old {
        for part in old.split(':') {
            if let Some(rc) = parse_ref(part) {
                add(rc);
            }
        }
    }
    for rc in extra {
        add(*rc);
    }
    let (r0, c0, r1, c1) = bounds?;
    Some(if (r0, c0) == (r1, c1) {
        cell_ref(r0, c0)
    } else {
        format!("{}:{}", cell_ref(r0, c0), cell_ref(r1, c1))
    })
}

/// The edits of one worksheet: the cells to set, `(row, col) → value`.
fn edit_sheet(
    part: &str,
    src: &str,
    strings: &[String],
    edits: &BTreeMap<(u32, u32), String>,
) -> Result<Option<String>, EditError> {
    let doc = xml::parse(part, src)?;
    let data = sheet_data(part, &doc)?;
    let prefix = xml::prefix_of(src, data);
    let found = rows(data, strings);
    let mut splice = Splice::default();
    let mut filled = Vec::new();
    // New rows to add before an existing row (by its index in `found`) or at the end.
    let mut new_rows: BTreeMap<Option<usize>, Vec<String>> = BTreeMap::new();
    let mut by_row: BTreeMap<u32, Vec<(u32, &String)>> = BTreeMap::new();
    for ((row, col), value) in edits {
        by_row.entry(*row).or_default().push((*col, value));
    }
    let row_index: HashMap<u32, usize> =
        found.iter().enumerate().map(|(i, r)| (r.row, i)).collect();
    for (row, cols) in &by_row {
        match row_index.get(row).and_then(|i| found.get(*i)) {
            Some(existing) => {
                let mut inserts: BTreeMap<Option<usize>, String> = BTreeMap::new();
                for (col, value) in cols {
                    let reference = cell_ref(*row, *col);
                    match existing.cells.iter().position(|c| c.col == *col) {
                        Some(i) => {
                            let Some(cell) = existing.cells.get(i) else {
                                continue;
                            };
                            if cell.formula.is_some() {
                                return Err(EditError::InvalidEdit(format!(
                                    "{reference} holds a formula; formulas cannot be edited here"
                                )));
                            }
                            if cell.value == **value {
                                continue;
                            }
                            let style = xml::attr(cell.node, "s");
                            let replacement = if value.is_empty() && style.is_none() {
                                String::new()
                            } else {
                                cell_xml(&prefix, &reference, style, value)
                            };
                            splice.replace(cell.node.range(), replacement);
                        }
                        None if value.is_empty() => {}
                        None => {
                            let before = existing.cells.iter().position(|c| c.col > *col);
                            inserts
                                .entry(before)
                                .or_default()
                                .push_str(&cell_xml(&prefix, &reference, None, value));
                        }
                    }
                    if !value.is_empty() {
                        filled.push((*row, *col));
                    }
                }
                if inserts.is_empty() {
                    continue;
                }
                // `spans` is only a hint for the cells the row holds; drop it rather than
                // leave it wrong.
                let node = existing.node;
                let spans = node
                    .attributes()
                    .find(|a| a.name() == "spans" && a.namespace().is_none());
                if xml::is_self_closing(src, node) {
                    let mut open = xml::open_tag(src, node);
                    if let Some(spans) = spans {
                        let text = xml::text_of(src, spans.range());
                        open = open.replacen(&format!(" {text}"), "", 1);
                    }
                    let cells: String = inserts.into_values().collect();
                    let p = &prefix;
                    splice.replace(node.range(), format!("{open}{cells}</{p}row>"));
                    continue;
                }
                if let Some(spans) = spans {
                    let range = spans.range();
                    let start = src
                        .get(..range.start)
                        .map_or(range.start, |s| s.trim_end().len());
                    splice.remove(start..range.end);
                }
                for (before, cells) in inserts {
                    let at = match before.and_then(|i| existing.cells.get(i)) {
                        Some(cell) => Some(cell.node.range().start),
                        None => xml::end_tag_start(src, node),
                    };
                    if let Some(at) = at {
                        splice.insert(at, cells);
                    }
                }
            }
            None => {
                let cells: String = cols
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(col, value)| {
                        filled.push((*row, *col));
                        cell_xml(&prefix, &cell_ref(*row, *col), None, value)
                    })
                    .collect();
                if cells.is_empty() {
                    continue;
                }
                let p = &prefix;
                let before = found.iter().position(|r| r.row > *row);
                new_rows
                    .entry(before)
                    .or_default()
                    .push(format!("<{p}row r=\"{row}\">{cells}</{p}row>"));
            }
        }
    }
    if !new_rows.is_empty() {
        if xml::is_self_closing(src, data) {
            let rows: String = new_rows.into_values().flatten().collect();
            let p = &prefix;
            splice.replace(
                data.range(),
                format!("{}{rows}</{p}sheetData>", xml::open_tag(src, data)),
            );
        } else {
            for (before, rows) in new_rows {
                let at = match before.and_then(|i| found.get(i)) {
                    Some(row) => Some(row.node.range().start),
                    None => xml::end_tag_start(src, data),
                };
                if let Some(at) = at {
                    splice.insert(at, rows.concat());
                }
            }
        }
    }
    if splice.is_empty() {
        return Ok(None);
    }
    if let Some(dim) = xml::child(doc.root_element(), &S_NS, "dimension") {
        let old = xml::attr(dim, "ref");
        if let (Some(new), Some(attr)) = (
            dimension(old, &filled),
            dim.attributes()
                .find(|a| a.name() == "ref" && a.namespace().is_none()),
        ) && Some(new.as_str()) != old
        {
            splice.replace(attr.range_value(), new);
        }
    }
    splice.apply(src).map(Some)
}

pub(crate) fn apply(
    package: &mut Package<'_>,
    edits: &[CellEdit],
) -> Result<BTreeMap<String, String>, EditError> {
    let (sheets, strings) = workbook(package)?;
    let mut per_sheet: BTreeMap<usize, BTreeMap<(u32, u32), String>> = BTreeMap::new();
    for edit in edits {
        if edit.sheet >= sheets.len() {
            return Err(EditError::InvalidEdit(format!(
                "there is no sheet {}",
                edit.sheet + 1
            )));
        }
        let cell = parse_ref(&edit.cell).ok_or_else(|| {
            EditError::InvalidEdit(format!("{:?} is not a cell reference", edit.cell))
        })?;
        xml::check_chars(&edit.value, &[])?;
        per_sheet
            .entry(edit.sheet)
            .or_default()
            .insert(cell, edit.value.replace("\r\n", "\n"));
    }
    let mut changes = BTreeMap::new();
    for (index, cells) in per_sheet {
        let Some((_, part)) = sheets.get(index) else {
            continue;
        };
        let src = package.required(part)?;
        if let Some(text) = edit_sheet(part, &src, &strings, &cells)? {
            changes.insert(part.clone(), text);
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        for (text, want) in [
            ("A1", Some((1, 1))),
            ("b12", Some((12, 2))),
            ("$C$3", Some((3, 3))),
            ("Z9", Some((9, 26))),
            ("AA1", Some((1, 27))),
            ("XFD1048576", Some((1_048_576, 16_384))),
            ("XFE1", None),
            ("A0", None),
            ("A01", None),
            ("A1048577", None),
            ("1A", None),
            ("", None),
            ("ABCD1", None),
        ] {
            assert_eq!(parse_ref(text), want, "{text}");
        }
        for (col, name) in [
            (1, "A"),
            (26, "Z"),
            (27, "AA"),
            (52, "AZ"),
            (703, "AAA"),
            (16_384, "XFD"),
        ] {
            assert_eq!(col_name(col), name);
            assert_eq!(parse_ref(&format!("{name}1")), Some((1, col)));
        }
    }

    #[test]
    fn numbers() {
        for yes in ["0", "42", "-1.5", "+3", "0.25", "2e3", "1.5E-7", "10"] {
            assert!(is_number(yes), "{yes}");
        }
        for no in [
            "", "1.", "007", "1 000", "1,5", "abc", "1e", "e5", ".", "-", "1e400", "NaN", "inf",
            "0x10", " 1",
        ] {
            assert!(!is_number(no), "{no}");
        }
    }

    #[test]
    fn dimensions() {
        assert_eq!(dimension(Some("A1"), &[]), Some("A1".into()));
        assert_eq!(dimension(Some("A1"), &[(3, 2)]), Some("A1:B3".into()));
        assert_eq!(dimension(Some("B2:C3"), &[(1, 4)]), Some("B1:D3".into()));
        assert_eq!(dimension(None, &[(2, 2)]), Some("B2".into()));
        assert_eq!(dimension(None, &[]), None);
    }

    #[test]
    fn cells() {
        assert_eq!(cell_xml("", "A1", None, "42"), "<c r=\"A1\"><v>42</v></c>");
        assert_eq!(
            cell_xml("x:", "B2", Some("3"), "a<b"),
            "<x:c r=\"B2\" s=\"3\" t=\"inlineStr\"><x:is><x:t>a&lt;b</x:t></x:is></x:c>"
        );
        assert_eq!(cell_xml("", "C3", Some("1"), ""), "<c r=\"C3\" s=\"1\"/>");
    }
}
