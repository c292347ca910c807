//! Reading and editing the text of existing documents, in place: the paragraphs of a `.docx`
//! body, the cell values of an `.xlsx`, the text of a `.pptx`'s slides.
//!
//! [`read`] returns a document's [`Content`]; [`apply`] writes an [`Edit`] into the package and
//! returns the new bytes. Only the XML that changes is rewritten: unchanged paragraphs, cells
//! and runs stay byte-identical inside an edited part, and every part that is not edited is
//! copied raw from the old zip (the same compressed bytes). Styles, numbering, images,
//! comments, tables, headers and everything else the editor does not show are kept as they
//! are. Not here: formatting changes, formulas (formula cells are read-only), Word tables and
//! text boxes, new slides.

mod docx;
mod package;
mod para;
mod pptx;
mod xlsx;
mod xml;

use std::fmt;

use crate::Kind;

pub use para::LINE_BREAK;

/// What the editor shows of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The text of the body's paragraphs (top level and inside block content controls), in
    /// order. Tabs are `\t`, manual line breaks [`LINE_BREAK`].
    Word {
        /// One string per paragraph.
        paragraphs: Vec<String>,
    },
    /// The workbook's worksheets, in tab order.
    Excel {
        /// The worksheets.
        sheets: Vec<Sheet>,
    },
    /// The presentation's slides, in order.
    PowerPoint {
        /// The slides.
        slides: Vec<Slide>,
    },
}

/// One worksheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The tab name.
    pub name: String,
    /// The cells that hold a value or a formula, row by row.
    pub cells: Vec<Cell>,
}

/// One cell with content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// `A1`-style reference.
    pub reference: String,
    /// 1-based row.
    pub row: u32,
    /// 1-based column.
    pub col: u32,
    /// The value as text: the string, the number as written in the file, `TRUE`/`FALSE`, an
    /// error code, or a formula's cached result.
    pub value: String,
    /// The formula (without `=`) of a formula cell; such cells are read-only here.
    pub formula: Option<String>,
}

/// One slide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slide {
    /// Its shapes that carry text (`p:sp` with a text body), in document order.
    pub shapes: Vec<TextShape>,
}

/// A shape with text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextShape {
    /// The shape's name (`Title 1`, `TextBox 3`).
    pub name: String,
    /// One string per paragraph.
    pub paragraphs: Vec<String>,
}

/// A change to a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// The new paragraph texts of the body (see [`Content::Word`]). Paragraphs are matched to
    /// the old ones by a line diff: equal ones are kept, changed ones edited in place, new ones
    /// formatted like the paragraph before them.
    Word {
        /// The whole new list.
        paragraphs: Vec<String>,
    },
    /// New cell values.
    Excel {
        /// The cells to set.
        cells: Vec<CellEdit>,
    },
    /// New text of shapes.
    PowerPoint {
        /// The shapes to change or add.
        shapes: Vec<ShapeEdit>,
    },
}

/// One cell to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellEdit {
    /// 0-based index into [`Content::Excel`]'s sheets.
    pub sheet: usize,
    /// `A1`-style reference.
    pub cell: String,
    /// The new value: a number when it looks like one (`42`, `-1.5`, `2e3`; not `007`), else a
    /// string; empty clears the cell.
    pub value: String,
}

/// New text for one shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeEdit {
    /// 0-based slide index.
    pub slide: usize,
    /// 0-based index into the slide's [`Slide::shapes`], or `None` to add a text box.
    pub shape: Option<usize>,
    /// The shape's new paragraphs (matched to the old ones as for Word).
    pub paragraphs: Vec<String>,
}

/// Why a document could not be read or edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// Not a zip package.
    NotAPackage(String),
    /// A part the document needs is missing.
    MissingPart(String),
    /// A part is not well-formed XML (or not UTF-8).
    Xml {
        /// The part name.
        part: String,
        /// The parser's message.
        message: String,
    },
    /// A part is larger than the editor decompresses.
    TooLarge(String),
    /// The package is not a document of the expected kind.
    WrongKind(Kind),
    /// The edit does not fit the document (an index out of range, a formula cell, …).
    InvalidEdit(String),
    /// A bug in the editor (overlapping changes).
    Internal(String),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NotAPackage(e) => write!(f, "not an Office Open XML package: {e}"),
            EditError::MissingPart(p) => write!(f, "the package has no {p}"),
            EditError::Xml { part, message } => write!(f, "{part} is not valid XML: {message}"),
            EditError::TooLarge(p) => write!(f, "{p} is too large to edit here"),
            EditError::WrongKind(k) => write!(f, "the package is not a {k}"),
            EditError::InvalidEdit(e) => write!(f, "{e}"),
            EditError::Internal(e) => write!(f, "internal error: {e}"),
        }
    }
}

impl std::error::Error for EditError {}

/// The content of the `kind` document `bytes`.
pub fn read(kind: Kind, bytes: &[u8]) -> Result<Content, EditError> {
    let mut package = package::Package::open(bytes)?;
    match kind {
        Kind::Word => docx::read(&mut package),
        Kind::Excel => xlsx::read(&mut package),
        Kind::PowerPoint => pptx::read(&mut package),
    }
}

/// The `kind` document `bytes` with `edit` applied. An edit that changes nothing returns the
/// same bytes.
pub fn apply(kind: Kind, bytes: &[u8], edit: &Edit) -> Result<Vec<u8>, EditError> {
    let mut package = package::Package::open(bytes)?;
    let changes = match (kind, edit) {
        (Kind::Word, Edit::Word { paragraphs }) => docx::apply(&mut package, paragraphs)?,
        (Kind::Excel, Edit::Excel { cells }) => xlsx::apply(&mut package, cells)?,
        (Kind::PowerPoint, Edit::PowerPoint { shapes }) => pptx::apply(&mut package, shapes)?,
        (kind, _) => {
            return Err(EditError::InvalidEdit(format!(
                "this edit is not for a {kind}"
            )));
        }
    };
    if changes.is_empty() {
        return Ok(bytes.to_vec());
    }
    package::rewrite(bytes, &changes)
}

/// The template content types (`.dotx`, `.xltx`, `.potx` main parts) and the document content
/// types they become.
const TEMPLATE_TYPES: [(&str, &str); 3] = [
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
];

/// A new document's bytes from an organisation template: a `.dotx`/`.xltx`/`.potx` package
/// with its main part's content type turned into the document's (what Office does on "New
/// from template"; every other entry copied raw); a document package (`.docx`, …) unchanged.
pub fn document_from_template(bytes: &[u8]) -> Result<Vec<u8>, EditError> {
    retype(bytes, false)
}

/// The inverse of [`document_from_template`]: a document package declared as a template
/// (`.docx` → `.dotx`, …), every other entry copied raw. For tests and exports.
pub fn template_from_document(bytes: &[u8]) -> Result<Vec<u8>, EditError> {
    retype(bytes, true)
}

fn retype(bytes: &[u8], to_template: bool) -> Result<Vec<u8>, EditError> {
    let mut package = package::Package::open(bytes)?;
    let types = package.required("[Content_Types].xml")?;
    let mut changed = types.clone();
    for (template, document) in TEMPLATE_TYPES {
        changed = if to_template {
            changed.replace(document, template)
        } else {
            changed.replace(template, document)
        };
    }
    if changed == types {
        return Ok(bytes.to_vec());
    }
    let mut changes = std::collections::BTreeMap::new();
    changes.insert("[Content_Types].xml".to_owned(), changed);
    package::rewrite(bytes, &changes)
}

#[cfg(test)]
mod template_tests {
    use super::*;

    #[test]
    fn templates_become_documents() {
        for kind in Kind::ALL {
            let blank = crate::blank(kind);
            // A document stays byte for byte.
            assert_eq!(document_from_template(&blank).ok(), Some(blank.clone()));
            // The same package declared as a template becomes a document again.
            let mut package =
                package::Package::open(&blank).unwrap_or_else(|e| panic!("blank opens: {e}"));
            let types = package
                .required("[Content_Types].xml")
                .unwrap_or_else(|e| panic!("types: {e}"));
            let (template, document) = TEMPLATE_TYPES
                .iter()
                .find(|(_, d)| types.contains(d))
                .unwrap_or_else(|| panic!("{kind}: a main part"));
            let as_template =
                template_from_document(&blank).unwrap_or_else(|e| panic!("retyped: {e}"));
            assert_ne!(as_template, blank);
            let mut retyped =
                package::Package::open(&as_template).unwrap_or_else(|e| panic!("opens: {e}"));
            let t = retyped
                .required("[Content_Types].xml")
                .unwrap_or_else(|e| panic!("types: {e}"));
            assert!(t.contains(template) && !t.contains(document), "{kind}");
            let back =
                document_from_template(&as_template).unwrap_or_else(|e| panic!("converts: {e}"));
            let mut package =
                package::Package::open(&back).unwrap_or_else(|e| panic!("opens: {e}"));
            let types = package
                .required("[Content_Types].xml")
                .unwrap_or_else(|e| panic!("types: {e}"));
            assert!(
                types.contains(document) && !types.contains(template),
                "{kind}"
            );
            assert!(read(kind, &back).is_ok(), "{kind}");
        }
        assert!(document_from_template(b"not a zip").is_err());
    }
}
