//! The zip (OPC package) side: reading parts and their relationships, and writing a package back
//! with some parts replaced and every other entry copied raw (its compressed bytes unchanged).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::EditError;
use super::xml;

/// Largest part the editor decompresses (a defence against zip bombs).
pub(crate) const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// A package opened for reading.
pub(crate) struct Package<'b> {
    zip: ZipArchive<Cursor<&'b [u8]>>,
}

/// One relationship of a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rel {
    pub(crate) id: String,
    /// The relationship type URI.
    pub(crate) kind: String,
    /// The target part name, resolved against the source part (no leading slash).
    pub(crate) target: String,
}

impl<'b> Package<'b> {
    pub(crate) fn open(bytes: &'b [u8]) -> Result<Self, EditError> {
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| EditError::NotAPackage(e.to_string()))?;
        Ok(Self { zip })
    }

    /// The zip entry name of a part (part names compare case-insensitively).
    fn entry_name(&self, part: &str) -> Option<String> {
        self.zip
            .file_names()
            .find(|n| n.eq_ignore_ascii_case(part))
            .map(str::to_owned)
    }

    /// A part's text, or `None` when the package has no such part.
    pub(crate) fn part(&mut self, part: &str) -> Result<Option<String>, EditError> {
        let Some(name) = self.entry_name(part) else {
            return Ok(None);
        };
        let file = self
            .zip
            .by_name(&name)
            .map_err(|e| EditError::NotAPackage(e.to_string()))?;
        let mut bytes = Vec::new();
        file.take(MAX_PART_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| EditError::NotAPackage(format!("{part}: {e}")))?;
        if bytes.len() as u64 > MAX_PART_BYTES {
            return Err(EditError::TooLarge(part.to_owned()));
        }
        let text = String::from_utf8(bytes).map_err(|_| EditError::Xml {
            part: part.to_owned(),
            message: "not UTF-8".into(),
        })?;
        // A byte order mark is allowed before the XML declaration.
        Ok(Some(
            text.strip_prefix('\u{feff}')
                .map(str::to_owned)
                .unwrap_or(text),
        ))
    }

    /// A part that must exist.
    pub(crate) fn required(&mut self, part: &str) -> Result<String, EditError> {
        self.part(part)?
            .ok_or_else(|| EditError::MissingPart(part.to_owned()))
    }

    /// The relationships of `source` (`""` for the package's own, `_rels/.rels`).
    pub(crate) fn rels(&mut self, source: &str) -> Result<Vec<Rel>, EditError> {
        let rels_name = rels_part_name(source);
        let Some(text) = self.part(&rels_name)? else {
            return Ok(Vec::new());
        };
        let doc = xml::parse(&rels_name, &text)?;
        Ok(doc
            .root_element()
            .children()
            .filter(|n| n.is_element() && n.tag_name().name() == "Relationship")
            .filter(|n| xml::attr(*n, "TargetMode") != Some("External"))
            .filter_map(|n| {
                Some(Rel {
                    id: xml::attr(n, "Id")?.to_owned(),
                    kind: xml::attr(n, "Type")?.to_owned(),
                    target: resolve(source, xml::attr(n, "Target")?),
                })
            })
            .collect())
    }

    /// The target of the first relationship of `source` whose type ends with `/{suffix}`.
    pub(crate) fn rel_target(
        &mut self,
        source: &str,
        suffix: &str,
    ) -> Result<Option<String>, EditError> {
        let wanted = format!("/{suffix}");
        Ok(self
            .rels(source)?
            .into_iter()
            .find(|r| r.kind.ends_with(&wanted))
            .map(|r| r.target))
    }

    /// The package's main part (the `officeDocument` relationship of `_rels/.rels`).
    pub(crate) fn main_part(&mut self) -> Result<String, EditError> {
        self.rel_target("", "officeDocument")?
            .ok_or_else(|| EditError::MissingPart("_rels/.rels officeDocument relationship".into()))
    }
}

/// `word/document.xml` → `word/_rels/document.xml.rels`; `""` → `_rels/.rels`.
fn rels_part_name(source: &str) -> String {
    match source.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{source}.rels"),
    }
}

/// Resolves a relationship target against its source part: absolute targets start at the
/// package root; relative ones at the source's folder, with `.` and `..` segments applied.
fn resolve(source: &str, target: &str) -> String {
    let target = target.split(['#', '?']).next().unwrap_or_default();
    let mut segments: Vec<&str> = Vec::new();
    if let Some(absolute) = target.strip_prefix('/') {
        return normalise(Vec::new(), absolute);
    }
    if let Some((dir, _)) = source.rsplit_once('/') {
        segments.extend(dir.split('/').filter(|s| !s.is_empty()));
    }
    normalise(segments, target)
}

fn normalise<'a>(mut segments: Vec<&'a str>, path: &'a str) -> String {
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// The package `bytes` with the parts in `changes` replaced (deflated, keeping each entry's
/// timestamp) and every other entry copied raw, in the original order.
pub(crate) fn rewrite(
    bytes: &[u8],
    changes: &BTreeMap<String, String>,
) -> Result<Vec<u8>, EditError> {
    let zip_err = |e: zip::result::ZipError| EditError::NotAPackage(e.to_string());
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
    let mut out = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 1024)));
    for index in 0..zip.len() {
        let file = zip.by_index_raw(index).map_err(zip_err)?;
        let change = changes
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(file.name()));
        match change {
            Some((_, text)) => {
                let mut options =
                    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
                if let Some(time) = file.last_modified() {
                    options = options.last_modified_time(time);
                }
                let name = file.name().to_owned();
                drop(file);
                out.start_file(name, options).map_err(zip_err)?;
                out.write_all(text.as_bytes())
                    .map_err(|e| EditError::Internal(e.to_string()))?;
            }
            None => out.raw_copy_file(file).map_err(zip_err)?,
        }
    }
    Ok(out.finish().map_err(zip_err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_targets() {
        for (source, target, want) in [
            ("", "word/document.xml", "word/document.xml"),
            ("", "/word/document.xml", "word/document.xml"),
            ("word/document.xml", "styles.xml", "word/styles.xml"),
            (
                "ppt/slides/slide1.xml",
                "../slideLayouts/slideLayout1.xml",
                "ppt/slideLayouts/slideLayout1.xml",
            ),
            (
                "xl/workbook.xml",
                "/xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet1.xml",
            ),
            (
                "xl/workbook.xml",
                "./worksheets/sheet2.xml",
                "xl/worksheets/sheet2.xml",
            ),
            ("a/b.xml", "../../../c.xml", "c.xml"),
        ] {
            assert_eq!(resolve(source, target), want, "{source} + {target}");
        }
        assert_eq!(rels_part_name(""), "_rels/.rels");
        assert_eq!(
            rels_part_name("word/document.xml"),
            "word/_rels/document.xml.rels"
        );
        assert_eq!(
            rels_part_name("ppt/slides/slide1.xml"),
            "ppt/slides/_rels/slide1.xml.rels"
        );
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            Package::open(b"hello"),
            Err(EditError::NotAPackage(_))
        ));
    }
}
