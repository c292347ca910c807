//! Reading and editing documents in place: blank packages from this crate and packages with
//! the formatting, tables and parts that Office and LibreOffice write.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use folio_ooxml::edit::{self, CellEdit, Content, Edit, ShapeEdit};
use folio_ooxml::{Kind, blank};
use zip::write::SimpleFileOptions;

/// Every entry: name → (raw compressed bytes, decompressed text).
fn entries(bytes: &[u8]) -> BTreeMap<String, (Vec<u8>, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("zip: {e}"));
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut raw = Vec::new();
        let name = {
            let mut f = zip.by_index_raw(i).unwrap_or_else(|e| panic!("{e}"));
            f.read_to_end(&mut raw).unwrap_or_else(|e| panic!("{e}"));
            f.name().to_owned()
        };
        let mut text = String::new();
        zip.by_index(i)
            .unwrap_or_else(|e| panic!("{e}"))
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{e}"));
        out.insert(name, (raw, text));
    }
    out
}

/// Asserts that only `changed` parts differ, that the others are byte-identical (compressed
/// bytes too), and that every XML part still parses. Returns the changed parts' text.
fn only_changed(before: &[u8], after: &[u8], changed: &[&str]) -> BTreeMap<String, String> {
    let (old, new) = (entries(before), entries(after));
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>(),
        "same parts, same order"
    );
    let mut out = BTreeMap::new();
    for (name, (raw, text)) in &new {
        let (old_raw, old_text) = &old[name];
        if changed.contains(&name.as_str()) {
            assert_ne!(text, old_text, "{name} should change");
            out.insert(name.clone(), text.clone());
        } else {
            assert_eq!(raw, old_raw, "{name} is copied raw");
        }
        if name.ends_with(".xml") || name.ends_with(".rels") {
            roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        }
    }
    out
}

/// A package from (name, text) parts.
fn package(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(*name, SimpleFileOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn blank_documents_read_as_empty() {
    assert_eq!(
        edit::read(Kind::Word, &blank(Kind::Word)),
        Ok(Content::Word {
            paragraphs: strings(&[""])
        })
    );
    let Ok(Content::Excel { sheets }) = edit::read(Kind::Excel, &blank(Kind::Excel)) else {
        panic!("excel");
    };
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name, "Sheet1");
    assert!(sheets[0].cells.is_empty());
    let Ok(Content::PowerPoint { slides }) = edit::read(Kind::PowerPoint, &blank(Kind::PowerPoint))
    else {
        panic!("pptx");
    };
    assert_eq!(slides.len(), 1);
    assert!(slides[0].shapes.is_empty());
    // The wrong kind, or not a package at all.
    assert_eq!(
        edit::read(Kind::Excel, &blank(Kind::Word)),
        Err(edit::EditError::WrongKind(Kind::Excel))
    );
    assert!(matches!(
        edit::read(Kind::Word, b"plain text"),
        Err(edit::EditError::NotAPackage(_))
    ));
}

#[test]
fn typing_into_a_blank_word_document() {
    let before = blank(Kind::Word);
    let edit = Edit::Word {
        paragraphs: strings(&["Hello from Folio", "Second & <last>"]),
    };
    let after = edit::apply(Kind::Word, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let parts = only_changed(&before, &after, &["word/document.xml"]);
    assert!(parts["word/document.xml"].contains(
        "<w:p><w:r><w:t>Hello from Folio</w:t></w:r></w:p><w:p><w:r><w:t>Second &amp; &lt;last&gt;</w:t></w:r></w:p>"
    ), "{}", parts["word/document.xml"]);
    assert_eq!(
        edit::read(Kind::Word, &after),
        Ok(Content::Word {
            paragraphs: strings(&["Hello from Folio", "Second & <last>"])
        })
    );
    // Saving the same text again changes nothing.
    assert_eq!(
        edit::apply(Kind::Word, &after, &edit).as_deref(),
        Ok(after.as_slice())
    );
    // A line feed inside a paragraph's text is a manual line break.
    let broken = edit::apply(
        Kind::Word,
        &after,
        &Edit::Word {
            paragraphs: strings(&["a\r\nb\nc"]),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        edit::read(Kind::Word, &broken),
        Ok(Content::Word {
            paragraphs: strings(&["a\u{b}b\u{b}c"])
        })
    );
    // Control characters are refused.
    assert!(
        edit::apply(
            Kind::Word,
            &after,
            &Edit::Word {
                paragraphs: strings(&["a\u{1}"])
            }
        )
        .is_err()
    );
    assert!(edit::apply(Kind::Excel, &after, &edit).is_err());
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn word_package(body: &str) -> Vec<u8> {
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\" xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/wordml\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"12240\" w:h=\"15840\"/></w:sectPr></w:body></w:document>"
    );
    package(&[
        (
            "[Content_Types].xml",
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        ),
        (
            "_rels/.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/word/document.xml\"/></Relationships>",
        ),
        ("word/document.xml", &document),
        (
            "word/styles.xml",
            "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:style w:styleId=\"Heading1\"/></w:styles>",
        ),
        ("word/media/image1.png", "\u{89}PNG not really"),
    ])
}

#[test]
fn word_edits_keep_formatting_tables_and_other_parts() {
    let heading = "<w:p w14:paraId=\"1A2B3C4D\"><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Report</w:t></w:r></w:p>";
    let bold = "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r><w:r><w:t xml:space=\"preserve\"> and plain</w:t></w:r></w:p>";
    let table = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";
    let last = "<w:p><w:r><w:t>End</w:t></w:r></w:p>";
    let before = word_package(&format!("{heading}{bold}{table}{last}"));
    assert_eq!(
        edit::read(Kind::Word, &before),
        Ok(Content::Word {
            paragraphs: strings(&["Report", "Bold and plain", "End"])
        }),
        "table cells are not body paragraphs"
    );
    // Change the middle paragraph, add one after it, keep the rest.
    let edit = Edit::Word {
        paragraphs: strings(&["Report", "Bold and plain text", "New line", "End"]),
    };
    let after = edit::apply(Kind::Word, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let parts = only_changed(&before, &after, &["word/document.xml"]);
    let doc = &parts["word/document.xml"];
    let want = format!(
        "{heading}<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r><w:r><w:t xml:space=\"preserve\"> and plain text</w:t></w:r></w:p><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>New line</w:t></w:r></w:p>{table}{last}"
    );
    assert!(doc.contains(&want), "{doc}");
    assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"));
    // Remove the heading: the table and section properties stay.
    let edit = Edit::Word {
        paragraphs: strings(&["Bold and plain", "End"]),
    };
    let after = edit::apply(Kind::Word, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let doc = &only_changed(&before, &after, &["word/document.xml"])["word/document.xml"];
    assert!(
        doc.contains(&format!("<w:body>{bold}{table}{last}<w:sectPr>")),
        "{doc}"
    );
    // A heading's new neighbour takes its style.
    let edit = Edit::Word {
        paragraphs: strings(&["Report", "Subtitle", "Bold and plain", "End"]),
    };
    let after = edit::apply(Kind::Word, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let doc = &only_changed(&before, &after, &["word/document.xml"])["word/document.xml"];
    assert!(doc.contains(&format!("{heading}<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Subtitle</w:t></w:r></w:p>{bold}")), "{doc}");
}

#[test]
fn excel_cells_are_set_in_place() {
    let before = blank(Kind::Excel);
    let cell = |sheet, cell: &str, value: &str| CellEdit {
        sheet,
        cell: cell.into(),
        value: value.into(),
    };
    let edit = Edit::Excel {
        cells: vec![
            cell(0, "A1", "Name"),
            cell(0, "B1", "42"),
            cell(0, "B3", "007"),
            cell(0, "A3", "x & y"),
        ],
    };
    let after = edit::apply(Kind::Excel, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let parts = only_changed(&before, &after, &["xl/worksheets/sheet1.xml"]);
    let sheet = &parts["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("<dimension ref=\"A1:B3\"/>"), "{sheet}");
    assert!(sheet.contains(
        "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\"><v>42</v></c></row><row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x &amp; y</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>007</t></is></c></row></sheetData>"
    ), "{sheet}");
    let Ok(Content::Excel { sheets }) = edit::read(Kind::Excel, &after) else {
        panic!("read")
    };
    let values: Vec<(&str, &str)> = sheets[0]
        .cells
        .iter()
        .map(|c| (c.reference.as_str(), c.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [("A1", "Name"), ("B1", "42"), ("A3", "x & y"), ("B3", "007")]
    );

    // Second round: change one, clear one, add in the middle of a row and a new row between.
    let edit = Edit::Excel {
        cells: vec![
            cell(0, "B1", "43"),
            cell(0, "A3", ""),
            cell(0, "C2", "mid"),
            cell(0, "C1", "c"),
        ],
    };
    let again = edit::apply(Kind::Excel, &after, &edit).unwrap_or_else(|e| panic!("{e}"));
    let sheet =
        &only_changed(&after, &again, &["xl/worksheets/sheet1.xml"])["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\"><v>43</v></c><c r=\"C1\" t=\"inlineStr\"><is><t>c</t></is></c></row><row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>mid</t></is></c></row><row r=\"3\"><c r=\"B3\""
    ), "{sheet}");
    assert!(sheet.contains("<dimension ref=\"A1:C3\"/>"), "{sheet}");
    // Bad references and sheets are refused.
    for bad in [
        cell(0, "A0", "x"),
        cell(1, "A1", "x"),
        cell(0, "A1", "\u{7}"),
    ] {
        assert!(
            edit::apply(
                Kind::Excel,
                &after,
                &Edit::Excel {
                    cells: vec![bad.clone()]
                }
            )
            .is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn excel_shared_strings_styles_and_formulas() {
    let s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let sheet = format!(
        "<worksheet xmlns=\"{s}\"><dimension ref=\"A1:B2\"/><sheetData><row r=\"1\" spans=\"1:2\"><c r=\"A1\" s=\"1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row><row r=\"2\" spans=\"1:2\"><c r=\"A2\"><v>2</v></c><c r=\"B2\"><f>A2*2</f><v>4</v></c></row></sheetData></worksheet>"
    );
    let before = package(&[
        (
            "[Content_Types].xml",
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        ),
        (
            "_rels/.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        ),
        (
            "xl/workbook.xml",
            &format!(
                "<workbook xmlns=\"{s}\" xmlns:r=\"{r}\"><sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>",
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
        (
            "xl/sharedStrings.xml",
            &format!(
                "<sst xmlns=\"{s}\"><si><t>Head</t></si><si><r><t>Ri</t></r><r><t>ch</t></r><rPh><t>ignored</t></rPh></si></sst>"
            ),
        ),
    ]);
    let Ok(Content::Excel { sheets }) = edit::read(Kind::Excel, &before) else {
        panic!("read")
    };
    assert_eq!(sheets[0].name, "Data");
    let cells: Vec<(&str, &str, Option<&str>)> = sheets[0]
        .cells
        .iter()
        .map(|c| (c.reference.as_str(), c.value.as_str(), c.formula.as_deref()))
        .collect();
    assert_eq!(
        cells,
        [
            ("A1", "Head", None),
            ("B1", "Rich", None),
            ("A2", "2", None),
            ("B2", "4", Some("A2*2"))
        ]
    );
    let set = |cell: &str, value: &str| Edit::Excel {
        cells: vec![CellEdit {
            sheet: 0,
            cell: cell.into(),
            value: value.into(),
        }],
    };
    // A formula cell is read-only.
    assert!(edit::apply(Kind::Excel, &before, &set("B2", "5")).is_err());
    // Unchanged values change nothing.
    assert_eq!(
        edit::apply(Kind::Excel, &before, &set("A1", "Head")).as_deref(),
        Ok(before.as_slice())
    );
    // A shared-string cell keeps its style; the shared strings stay as they are.
    let after =
        edit::apply(Kind::Excel, &before, &set("A1", "Title")).unwrap_or_else(|e| panic!("{e}"));
    let sheet =
        &only_changed(&before, &after, &["xl/worksheets/sheet1.xml"])["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("<row r=\"1\" spans=\"1:2\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>Title</t></is></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"), "{sheet}");
    // A cell added past the spans drops the hint.
    let after =
        edit::apply(Kind::Excel, &before, &set("D1", "far")).unwrap_or_else(|e| panic!("{e}"));
    let sheet =
        &only_changed(&before, &after, &["xl/worksheets/sheet1.xml"])["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("<row r=\"1\"><c r=\"A1\""), "{sheet}");
    assert!(
        sheet.contains("<c r=\"D1\" t=\"inlineStr\"><is><t>far</t></is></c></row>"),
        "{sheet}"
    );
    assert!(sheet.contains("<dimension ref=\"A1:D2\"/>"), "{sheet}");
}

#[test]
fn powerpoint_text_boxes_and_shapes() {
    let before = blank(Kind::PowerPoint);
    let edit = Edit::PowerPoint {
        shapes: vec![ShapeEdit {
            slide: 0,
            shape: None,
            paragraphs: strings(&["Quarterly review", "Second line"]),
        }],
    };
    let after = edit::apply(Kind::PowerPoint, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let parts = only_changed(&before, &after, &["ppt/slides/slide1.xml"]);
    let slide = &parts["ppt/slides/slide1.xml"];
    assert!(
        slide.contains("<p:cNvPr id=\"2\" name=\"TextBox 2\"/><p:cNvSpPr txBox=\"1\"/>"),
        "{slide}"
    );
    let Ok(Content::PowerPoint { slides }) = edit::read(Kind::PowerPoint, &after) else {
        panic!("read")
    };
    assert_eq!(slides[0].shapes.len(), 1);
    assert_eq!(slides[0].shapes[0].name, "TextBox 2");
    assert_eq!(
        slides[0].shapes[0].paragraphs,
        strings(&["Quarterly review", "Second line"])
    );

    // Edit that shape: change the first paragraph, drop the second; nothing else changes.
    let edit = Edit::PowerPoint {
        shapes: vec![ShapeEdit {
            slide: 0,
            shape: Some(0),
            paragraphs: strings(&["Quarterly review 2026"]),
        }],
    };
    let again = edit::apply(Kind::PowerPoint, &after, &edit).unwrap_or_else(|e| panic!("{e}"));
    let slide2 = &only_changed(&after, &again, &["ppt/slides/slide1.xml"])["ppt/slides/slide1.xml"];
    let want = slide
        .replacen("Quarterly review</a:t>", "Quarterly review 2026</a:t>", 1)
        .replacen(
            "<a:p><a:r><a:rPr lang=\"en-US\"/><a:t>Second line</a:t></a:r></a:p>",
            "",
            1,
        );
    assert_eq!(slide2, &want);
    // Out-of-range slides and shapes are refused.
    for (slide, shape) in [(1, None), (0, Some(5))] {
        let bad = Edit::PowerPoint {
            shapes: vec![ShapeEdit {
                slide,
                shape,
                paragraphs: strings(&["x"]),
            }],
        };
        assert!(edit::apply(Kind::PowerPoint, &again, &bad).is_err());
    }
}

#[test]
fn prefixed_spreadsheets_and_grouped_shapes() {
    // SpreadsheetML with an `x:` prefix (as the Open XML SDK writes it) and an empty sheetData.
    let s = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let before = package(&[
        (
            "_rels/.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"R1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        ),
        (
            "xl/workbook.xml",
            &format!(
                "<x:workbook xmlns:x=\"{s}\" xmlns:r=\"{r}\"><x:sheets><x:sheet name=\"S\" sheetId=\"1\" r:id=\"R1\"/></x:sheets></x:workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"R1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/sheet.xml\"/></Relationships>",
        ),
        (
            "xl/worksheets/sheet.xml",
            &format!("<x:worksheet xmlns:x=\"{s}\"><x:sheetData/></x:worksheet>"),
        ),
    ]);
    let edit = Edit::Excel {
        cells: vec![CellEdit {
            sheet: 0,
            cell: "b2".into(),
            value: "-2.5e3".into(),
        }],
    };
    let after = edit::apply(Kind::Excel, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let sheet =
        &only_changed(&before, &after, &["xl/worksheets/sheet.xml"])["xl/worksheets/sheet.xml"];
    assert_eq!(
        sheet,
        &format!(
            "<x:worksheet xmlns:x=\"{s}\"><x:sheetData><x:row r=\"2\"><x:c r=\"B2\"><x:v>-2.5e3</x:v></x:c></x:row></x:sheetData></x:worksheet>"
        )
    );

    // A shape inside a group is a text shape too; a slide without the DrawingML prefix bound
    // at its root gets a text box that declares it.
    let p = "http://schemas.openxmlformats.org/presentationml/2006/main";
    let a = "http://schemas.openxmlformats.org/drawingml/2006/main";
    let slide = format!(
        "<p:sld xmlns:p=\"{p}\" xmlns:r=\"{r}\"><p:cSld><p:spTree><p:grpSp><p:sp><p:nvSpPr><p:cNvPr id=\"7\" name=\"Inner\"/></p:nvSpPr><p:txBody xmlns:d=\"{a}\"><d:bodyPr/><d:p><d:r><d:t>in a group</d:t></d:r></d:p></p:txBody></p:sp></p:grpSp></p:spTree></p:cSld></p:sld>"
    );
    let before = package(&[
        (
            "_rels/.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"R1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>",
        ),
        (
            "ppt/presentation.xml",
            &format!(
                "<p:presentation xmlns:p=\"{p}\" xmlns:r=\"{r}\"><p:sldIdLst><p:sldId id=\"256\" r:id=\"R9\"/></p:sldIdLst><p:sldSz cx=\"9144000\" cy=\"6858000\"/></p:presentation>"
            ),
        ),
        (
            "ppt/_rels/presentation.xml.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"R9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide\" Target=\"slides/s.xml\"/></Relationships>",
        ),
        ("ppt/slides/s.xml", &slide),
    ]);
    let Ok(Content::PowerPoint { slides }) = edit::read(Kind::PowerPoint, &before) else {
        panic!("read")
    };
    assert_eq!(slides[0].shapes[0].name, "Inner");
    assert_eq!(slides[0].shapes[0].paragraphs, strings(&["in a group"]));
    let edit = Edit::PowerPoint {
        shapes: vec![
            ShapeEdit {
                slide: 0,
                shape: Some(0),
                paragraphs: strings(&["in a group", "and more"]),
            },
            ShapeEdit {
                slide: 0,
                shape: None,
                paragraphs: strings(&["box"]),
            },
        ],
    };
    let after = edit::apply(Kind::PowerPoint, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let text = &only_changed(&before, &after, &["ppt/slides/s.xml"])["ppt/slides/s.xml"];
    assert!(
        text.contains(
            "<d:p><d:r><d:t>in a group</d:t></d:r></d:p><d:p><d:r><d:t>and more</d:t></d:r></d:p>"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "<p:sp xmlns:a=\"{a}\"><p:nvSpPr><p:cNvPr id=\"8\" name=\"TextBox 8\"/>"
        )),
        "{text}"
    );
    let Ok(Content::PowerPoint { slides }) = edit::read(Kind::PowerPoint, &after) else {
        panic!("read")
    };
    assert_eq!(slides[0].shapes[1].paragraphs, strings(&["box"]));
}

#[test]
fn word_content_controls_and_text_boxes() {
    // A block content control's paragraphs are body paragraphs; a text box inside a run is not
    // part of its paragraph's text and is kept when that paragraph changes.
    let sdt = "<w:sdt><w:sdtPr><w:alias w:val=\"Title\"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Cover</w:t></w:r></w:p></w:sdtContent></w:sdt>";
    let boxed = "<w:p><w:r><w:t>Before </w:t></w:r><w:r><w:drawing><wps:txbx xmlns:wps=\"urn:wps\"><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></w:r><w:r><w:t>after</w:t></w:r></w:p>";
    let before = word_package(&format!("{sdt}{boxed}"));
    assert_eq!(
        edit::read(Kind::Word, &before),
        Ok(Content::Word {
            paragraphs: strings(&["Cover", "Before after"])
        })
    );
    let edit = Edit::Word {
        paragraphs: strings(&["Cover page", "Before and after"]),
    };
    let after = edit::apply(Kind::Word, &before, &edit).unwrap_or_else(|e| panic!("{e}"));
    let doc = &only_changed(&before, &after, &["word/document.xml"])["word/document.xml"];
    assert!(
        doc.contains("<w:sdtContent><w:p><w:r><w:t>Cover page</w:t></w:r></w:p></w:sdtContent>"),
        "{doc}"
    );
    // The common prefix is "Before a", so the typing lands in the run after the text box.
    assert!(doc.contains("<w:r><w:t>Before </w:t></w:r><w:r><w:drawing><wps:txbx xmlns:wps=\"urn:wps\"><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></w:r><w:r><w:t>and after</w:t></w:r></w:p>"), "{doc}");
}
