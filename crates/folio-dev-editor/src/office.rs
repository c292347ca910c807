//! Word, Excel and PowerPoint documents in the editor: their content as the page's JSON, and
//! the page's JSON edits as [`folio_ooxml::edit::Edit`]s. The document logic itself (reading
//! and editing the packages in place) is `folio_ooxml::edit`.

use folio_ooxml::Kind;
use folio_ooxml::edit::{self, CellEdit, Content, Edit, EditError, ShapeEdit};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::wopi::ApiError;

/// The Office kind of a file name (`.docx`, `.xlsx`, `.pptx`), if it is one the editor edits.
pub(crate) fn kind_of(name: &str) -> Option<Kind> {
    let (_, ext) = name.rsplit_once('.')?;
    Kind::from_extension(ext)
}

/// The bytes to read: an empty file is a new, blank document (as Office treats it).
pub(crate) fn bytes_or_blank(kind: Kind, bytes: Vec<u8>) -> Vec<u8> {
    if bytes.is_empty() {
        folio_ooxml::blank(kind)
    } else {
        bytes
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Word => "word",
        Kind::Excel => "excel",
        Kind::PowerPoint => "powerpoint",
    }
}

/// The page's view of a document: `{kind, paragraphs}`, `{kind, sheets: [{name, cells:
/// [{ref, row, col, value, formula}]}]}` or `{kind, slides: [{shapes: [{name, paragraphs}]}]}`.
pub(crate) fn content_json(kind: Kind, content: &Content) -> Value {
    let body = match content {
        Content::Word { paragraphs } => json!({ "paragraphs": paragraphs }),
        Content::Excel { sheets } => json!({
            "sheets": sheets.iter().map(|s| json!({
                "name": s.name,
                "cells": s.cells.iter().map(|c| json!({
                    "ref": c.reference, "row": c.row, "col": c.col,
                    "value": c.value, "formula": c.formula,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
        Content::PowerPoint { slides } => json!({
            "slides": slides.iter().map(|s| json!({
                "shapes": s.shapes.iter().map(|sh| json!({
                    "name": sh.name, "paragraphs": sh.paragraphs,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }),
    };
    let mut body = body;
    body["kind"] = Value::String(kind_name(kind).to_owned());
    body
}

/// An edit sent by the page.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum OfficeEdit {
    Word { paragraphs: Vec<String> },
    Excel { cells: Vec<CellJson> },
    Powerpoint { shapes: Vec<ShapeJson> },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CellJson {
    sheet: usize,
    cell: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShapeJson {
    slide: usize,
    /// `null` adds a text box.
    shape: Option<usize>,
    paragraphs: Vec<String>,
}

impl OfficeEdit {
    /// The edit for a document of `kind` (400 if it is for another kind).
    pub(crate) fn into_edit(self, kind: Kind) -> Result<Edit, ApiError> {
        let edit = match self {
            OfficeEdit::Word { paragraphs } => Edit::Word { paragraphs },
            OfficeEdit::Excel { cells } => Edit::Excel {
                cells: cells
                    .into_iter()
                    .map(|c| CellEdit {
                        sheet: c.sheet,
                        cell: c.cell,
                        value: c.value,
                    })
                    .collect(),
            },
            OfficeEdit::Powerpoint { shapes } => Edit::PowerPoint {
                shapes: shapes
                    .into_iter()
                    .map(|s| ShapeEdit {
                        slide: s.slide,
                        shape: s.shape,
                        paragraphs: s.paragraphs,
                    })
                    .collect(),
            },
        };
        let matches = matches!(
            (&edit, kind),
            (Edit::Word { .. }, Kind::Word)
                | (Edit::Excel { .. }, Kind::Excel)
                | (Edit::PowerPoint { .. }, Kind::PowerPoint)
        );
        if matches {
            Ok(edit)
        } else {
            Err(ApiError::bad_request(format!("this file is a {kind}")))
        }
    }
}

/// How an editing failure is answered: a bad edit is the page's fault (400); a document that
/// cannot be edited is 422.
pub(crate) fn edit_error(err: EditError) -> ApiError {
    match err {
        EditError::InvalidEdit(message) => ApiError::bad_request(message),
        other => ApiError {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            message: format!("cannot edit this document: {other}"),
        },
    }
}

/// Reads and applies an edit: the new bytes and their content.
pub(crate) fn apply(kind: Kind, bytes: &[u8], edit: &Edit) -> Result<(Vec<u8>, Value), ApiError> {
    let saved = edit::apply(kind, bytes, edit).map_err(edit_error)?;
    let content = edit::read(kind, &saved).map_err(edit_error)?;
    Ok((saved, content_json(kind, &content)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        for (name, kind) in [
            ("a.docx", Some(Kind::Word)),
            ("B.XLSX", Some(Kind::Excel)),
            ("deck.v2.pptx", Some(Kind::PowerPoint)),
            ("a.docm", None),
            ("docx", None),
            ("a.txt", None),
        ] {
            assert_eq!(kind_of(name), kind, "{name}");
        }
        assert_eq!(
            bytes_or_blank(Kind::Word, Vec::new()),
            folio_ooxml::blank(Kind::Word)
        );
        assert_eq!(bytes_or_blank(Kind::Word, b"x".to_vec()), b"x");
    }

    #[test]
    fn page_edits() {
        let parse = |v: Value| serde_json::from_value::<OfficeEdit>(v).map_err(|e| e.to_string());
        let word = parse(json!({"kind": "word", "paragraphs": ["a", "b"]}));
        assert_eq!(
            word.map(|e| e.into_edit(Kind::Word))
                .ok()
                .and_then(Result::ok),
            Some(Edit::Word {
                paragraphs: vec!["a".into(), "b".into()]
            })
        );
        let cells =
            parse(json!({"kind": "excel", "cells": [{"sheet": 0, "cell": "B2", "value": "7"}]}));
        assert_eq!(
            cells
                .map(|e| e.into_edit(Kind::Excel))
                .ok()
                .and_then(Result::ok),
            Some(Edit::Excel {
                cells: vec![CellEdit {
                    sheet: 0,
                    cell: "B2".into(),
                    value: "7".into()
                }]
            })
        );
        let shapes = parse(
            json!({"kind": "powerpoint", "shapes": [{"slide": 0, "shape": null, "paragraphs": ["t"]}]}),
        );
        assert_eq!(
            shapes
                .map(|e| e.into_edit(Kind::PowerPoint))
                .ok()
                .and_then(Result::ok),
            Some(Edit::PowerPoint {
                shapes: vec![ShapeEdit {
                    slide: 0,
                    shape: None,
                    paragraphs: vec!["t".into()]
                }]
            })
        );
        // The wrong kind for the file, unknown kinds and fields are refused.
        let wrong = parse(json!({"kind": "word", "paragraphs": []}))
            .map(|e| e.into_edit(Kind::Excel).map_err(|e| e.status.as_u16()));
        assert_eq!(wrong, Ok(Err(400)));
        assert!(parse(json!({"kind": "visio"})).is_err());
        assert!(parse(json!({"kind": "word", "paragraphs": [], "x": 1})).is_err());
    }

    #[test]
    fn content_as_json() {
        let blank = edit::read(Kind::Excel, &folio_ooxml::blank(Kind::Excel))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            content_json(Kind::Excel, &blank),
            json!({"kind": "excel", "sheets": [{"name": "Sheet1", "cells": []}]})
        );
        let word = Content::Word {
            paragraphs: vec!["x".into()],
        };
        assert_eq!(
            content_json(Kind::Word, &word),
            json!({"kind": "word", "paragraphs": ["x"]})
        );
        assert_eq!(
            edit_error(EditError::InvalidEdit("no".into()))
                .status
                .as_u16(),
            400
        );
        assert_eq!(
            edit_error(EditError::NotAPackage("zip".into()))
                .status
                .as_u16(),
            422
        );
    }
}
