#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod edit;

use std::fmt;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The kind of Office document to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A WordprocessingML document (`.docx`).
    Word,
    /// A SpreadsheetML workbook (`.xlsx`).
    Excel,
    /// A PresentationML presentation (`.pptx`).
    PowerPoint,
}

impl Kind {
    /// Every kind, in a stable order.
    pub const ALL: [Kind; 3] = [Kind::Word, Kind::Excel, Kind::PowerPoint];

    /// The file extension, without the leading dot: `docx`, `xlsx` or `pptx`.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Word => "docx",
            Kind::Excel => "xlsx",
            Kind::PowerPoint => "pptx",
        }
    }

    /// A default file name for a new document of this kind, e.g. `New document.docx`.
    pub fn default_name(self) -> &'static str {
        match self {
            Kind::Word => "New document.docx",
            Kind::Excel => "New workbook.xlsx",
            Kind::PowerPoint => "New presentation.pptx",
        }
    }

    /// The official OOXML MIME type of the whole package.
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Word => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Excel => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::PowerPoint => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        }
    }

    /// The kind for a file extension (`docx`, `xlsx`, `pptx`), ignoring ASCII case and
    /// an optional leading dot. Other extensions (including the macro-enabled and legacy
    /// formats) give `None`.
    pub fn from_extension(ext: &str) -> Option<Kind> {
        let ext = ext.strip_prefix('.').unwrap_or(ext);
        Kind::ALL
            .into_iter()
            .find(|kind| kind.extension().eq_ignore_ascii_case(ext))
    }

    /// The application's short name: "Word", "Excel", "PowerPoint".
    pub fn label(self) -> &'static str {
        match self {
            Kind::Word => "Word",
            Kind::Excel => "Excel",
            Kind::PowerPoint => "PowerPoint",
        }
    }

    /// The kind of an organisation template's file: a document (`docx`, `xlsx`, `pptx`) or a
    /// template (`dotx`, `xltx`, `potx`), case-insensitively, with or without the dot.
    pub fn from_template_extension(ext: &str) -> Option<Kind> {
        let ext = ext.strip_prefix('.').unwrap_or(ext).to_ascii_lowercase();
        match ext.as_str() {
            "dotx" => Some(Kind::Word),
            "xltx" => Some(Kind::Excel),
            "potx" => Some(Kind::PowerPoint),
            other => Kind::from_extension(other),
        }
    }

    /// The parts of the blank package, `(part name, content)`, in zip order.
    /// `[Content_Types].xml` comes first.
    fn parts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Word => DOCX,
            Kind::Excel => XLSX,
            Kind::PowerPoint => PPTX,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Word => "Word document",
            Kind::Excel => "Excel workbook",
            Kind::PowerPoint => "PowerPoint presentation",
        })
    }
}

macro_rules! part {
    ($name:literal, $file:literal) => {
        ($name, include_str!(concat!("parts/", $file)))
    };
}

const DOCX: &[(&str, &str)] = &[
    part!("[Content_Types].xml", "docx/content_types.xml"),
    part!("_rels/.rels", "docx/rels.xml"),
    part!("word/document.xml", "docx/document.xml"),
    part!("word/_rels/document.xml.rels", "docx/document_rels.xml"),
    part!("word/styles.xml", "docx/styles.xml"),
    part!("word/settings.xml", "docx/settings.xml"),
    part!("word/fontTable.xml", "docx/fontTable.xml"),
    part!("word/theme/theme1.xml", "common/theme.xml"),
    part!("docProps/core.xml", "common/core.xml"),
    part!("docProps/app.xml", "docx/app.xml"),
];

const XLSX: &[(&str, &str)] = &[
    part!("[Content_Types].xml", "xlsx/content_types.xml"),
    part!("_rels/.rels", "xlsx/rels.xml"),
    part!("xl/workbook.xml", "xlsx/workbook.xml"),
    part!("xl/_rels/workbook.xml.rels", "xlsx/workbook_rels.xml"),
    part!("xl/worksheets/sheet1.xml", "xlsx/sheet1.xml"),
    part!("xl/styles.xml", "xlsx/styles.xml"),
    part!("xl/theme/theme1.xml", "common/theme.xml"),
    part!("docProps/core.xml", "common/core.xml"),
    part!("docProps/app.xml", "xlsx/app.xml"),
];

const PPTX: &[(&str, &str)] = &[
    part!("[Content_Types].xml", "pptx/content_types.xml"),
    part!("_rels/.rels", "pptx/rels.xml"),
    part!("ppt/presentation.xml", "pptx/presentation.xml"),
    part!(
        "ppt/_rels/presentation.xml.rels",
        "pptx/presentation_rels.xml"
    ),
    part!("ppt/slides/slide1.xml", "pptx/slide1.xml"),
    part!("ppt/slides/_rels/slide1.xml.rels", "pptx/slide1_rels.xml"),
    part!("ppt/slideLayouts/slideLayout1.xml", "pptx/slideLayout1.xml"),
    part!(
        "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
        "pptx/slideLayout1_rels.xml"
    ),
    part!("ppt/slideMasters/slideMaster1.xml", "pptx/slideMaster1.xml"),
    part!(
        "ppt/slideMasters/_rels/slideMaster1.xml.rels",
        "pptx/slideMaster1_rels.xml"
    ),
    part!("ppt/theme/theme1.xml", "common/theme.xml"),
    part!("ppt/presProps.xml", "pptx/presProps.xml"),
    part!("ppt/viewProps.xml", "pptx/viewProps.xml"),
    part!("ppt/tableStyles.xml", "pptx/tableStyles.xml"),
    part!("docProps/core.xml", "common/core.xml"),
    part!("docProps/app.xml", "pptx/app.xml"),
];

/// Building a package failed. Only the zip writer can fail, and it writes to memory,
/// so this is not expected in practice.
#[derive(Debug)]
pub struct Error(zip::result::ZipError);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not build the OOXML package: {}", self.0)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Self {
        Error(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(zip::result::ZipError::Io(e))
    }
}

/// The bytes of a blank document of `kind`: a zip (OPC package) that opens in
/// Microsoft 365, Collabora Online / LibreOffice and ONLYOFFICE.
///
/// The output is deterministic: the same bytes on every call (all entries carry the
/// DOS epoch, 1980-01-01 00:00:00, as their timestamp). Never panics; if the in-memory
/// zip writer were ever to fail, the result is empty (see [`try_blank`] to see the error).
pub fn blank(kind: Kind) -> Vec<u8> {
    try_blank(kind).unwrap_or_default()
}

/// Like [`blank`], but reports a failure of the zip writer instead of returning nothing.
pub fn try_blank(kind: Kind) -> Result<Vec<u8>, Error> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in kind.parts() {
        zip.start_file(*name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_extension(kind.extension()), Some(kind));
            assert!(
                kind.default_name()
                    .ends_with(&format!(".{}", kind.extension()))
            );
        }
        assert_eq!(Kind::from_extension(".DOCX"), Some(Kind::Word));
        assert_eq!(Kind::from_template_extension("DOTX"), Some(Kind::Word));
        assert_eq!(Kind::from_template_extension(".xltx"), Some(Kind::Excel));
        assert_eq!(
            Kind::from_template_extension("potx"),
            Some(Kind::PowerPoint)
        );
        assert_eq!(
            Kind::from_template_extension("pptx"),
            Some(Kind::PowerPoint)
        );
        assert_eq!(Kind::from_template_extension("dotm"), None);
        assert_eq!(Kind::from_extension("Xlsx"), Some(Kind::Excel));
        assert_eq!(Kind::from_extension("pptx"), Some(Kind::PowerPoint));
        for other in ["doc", "xls", "ppt", "docm", "odt", "", ".", "xlsx.zip"] {
            assert_eq!(Kind::from_extension(other), None, "{other}");
        }
    }

    #[test]
    fn names_and_mimes() {
        assert_eq!(Kind::Word.default_name(), "New document.docx");
        assert_eq!(Kind::Excel.default_name(), "New workbook.xlsx");
        assert_eq!(Kind::PowerPoint.default_name(), "New presentation.pptx");
        assert_eq!(
            Kind::Word.mime(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(
            Kind::Excel.mime(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(
            Kind::PowerPoint.mime(),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
    }

    #[test]
    fn content_types_is_first() {
        for kind in Kind::ALL {
            assert_eq!(kind.parts()[0].0, "[Content_Types].xml");
        }
    }
}
