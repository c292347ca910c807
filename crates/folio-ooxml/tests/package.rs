//! Structural validation of the generated packages: the zip is read back with the `zip`
//! crate and every part is parsed with `roxmltree`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Cursor, Read};

use folio_ooxml::{Kind, blank};

const CT_NS: &str = "http://schemas.openxmlformats.org/package/2006/content-types";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const S_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const P_NS: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
const A_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const CP_NS: &str = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties";
const EP_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties";

const RELS_CT: &str = "application/vnd.openxmlformats-package.relationships+xml";
const CORE_CT: &str = "application/vnd.openxmlformats-package.core-properties+xml";
const APP_CT: &str = "application/vnd.openxmlformats-officedocument.extended-properties+xml";
const OD: &str = "application/vnd.openxmlformats-officedocument.";

/// One expected part: name, content type, root element (namespace, local name).
struct Expected {
    name: &'static str,
    content_type: String,
    root: (&'static str, &'static str),
}

fn expected_parts(kind: Kind) -> Vec<Expected> {
    fn e(name: &'static str, ct: &str, ns: &'static str, root: &'static str) -> Expected {
        Expected {
            name,
            content_type: ct.to_owned(),
            root: (ns, root),
        }
    }
    let od = |suffix: &str| format!("{OD}{suffix}");
    let mut parts = vec![
        e("_rels/.rels", RELS_CT, PKG_REL_NS, "Relationships"),
        e("docProps/core.xml", CORE_CT, CP_NS, "coreProperties"),
        e("docProps/app.xml", APP_CT, EP_NS, "Properties"),
    ];
    match kind {
        Kind::Word => parts.extend([
            e(
                "word/document.xml",
                &od("wordprocessingml.document.main+xml"),
                W_NS,
                "document",
            ),
            e(
                "word/_rels/document.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e(
                "word/styles.xml",
                &od("wordprocessingml.styles+xml"),
                W_NS,
                "styles",
            ),
            e(
                "word/settings.xml",
                &od("wordprocessingml.settings+xml"),
                W_NS,
                "settings",
            ),
            e(
                "word/fontTable.xml",
                &od("wordprocessingml.fontTable+xml"),
                W_NS,
                "fonts",
            ),
            e("word/theme/theme1.xml", &od("theme+xml"), A_NS, "theme"),
        ]),
        Kind::Excel => parts.extend([
            e(
                "xl/workbook.xml",
                &od("spreadsheetml.sheet.main+xml"),
                S_NS,
                "workbook",
            ),
            e(
                "xl/_rels/workbook.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e(
                "xl/worksheets/sheet1.xml",
                &od("spreadsheetml.worksheet+xml"),
                S_NS,
                "worksheet",
            ),
            e(
                "xl/styles.xml",
                &od("spreadsheetml.styles+xml"),
                S_NS,
                "styleSheet",
            ),
            e("xl/theme/theme1.xml", &od("theme+xml"), A_NS, "theme"),
        ]),
        Kind::PowerPoint => parts.extend([
            e(
                "ppt/presentation.xml",
                &od("presentationml.presentation.main+xml"),
                P_NS,
                "presentation",
            ),
            e(
                "ppt/_rels/presentation.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e(
                "ppt/slides/slide1.xml",
                &od("presentationml.slide+xml"),
                P_NS,
                "sld",
            ),
            e(
                "ppt/slides/_rels/slide1.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e(
                "ppt/slideLayouts/slideLayout1.xml",
                &od("presentationml.slideLayout+xml"),
                P_NS,
                "sldLayout",
            ),
            e(
                "ppt/slideLayouts/_rels/slideLayout1.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e(
                "ppt/slideMasters/slideMaster1.xml",
                &od("presentationml.slideMaster+xml"),
                P_NS,
                "sldMaster",
            ),
            e(
                "ppt/slideMasters/_rels/slideMaster1.xml.rels",
                RELS_CT,
                PKG_REL_NS,
                "Relationships",
            ),
            e("ppt/theme/theme1.xml", &od("theme+xml"), A_NS, "theme"),
            e(
                "ppt/presProps.xml",
                &od("presentationml.presProps+xml"),
                P_NS,
                "presentationPr",
            ),
            e(
                "ppt/viewProps.xml",
                &od("presentationml.viewProps+xml"),
                P_NS,
                "viewPr",
            ),
            e(
                "ppt/tableStyles.xml",
                &od("presentationml.tableStyles+xml"),
                A_NS,
                "tblStyleLst",
            ),
        ]),
    }
    parts
}

/// Relationship type (last path segment) → the content type its target must have.
fn rel_target_content_type(rel_type: &str) -> Option<String> {
    let (ns, name) = rel_type.rsplit_once('/')?;
    let ct = match (ns, name) {
        (
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata",
            "core-properties",
        ) => CORE_CT.to_owned(),
        (REL_NS, "extended-properties") => APP_CT.to_owned(),
        (REL_NS, "officeDocument") => return Some(String::new()), // checked per kind
        (REL_NS, "styles") => return Some(String::from("styles")),
        (REL_NS, "fontTable") => format!("{OD}wordprocessingml.fontTable+xml"),
        (REL_NS, "settings") => format!("{OD}wordprocessingml.settings+xml"),
        (REL_NS, "worksheet") => format!("{OD}spreadsheetml.worksheet+xml"),
        (REL_NS, "slideMaster") => format!("{OD}presentationml.slideMaster+xml"),
        (REL_NS, "slideLayout") => format!("{OD}presentationml.slideLayout+xml"),
        (REL_NS, "slide") => format!("{OD}presentationml.slide+xml"),
        (REL_NS, "theme") => format!("{OD}theme+xml"),
        (REL_NS, "presProps") => format!("{OD}presentationml.presProps+xml"),
        (REL_NS, "viewProps") => format!("{OD}presentationml.viewProps+xml"),
        (REL_NS, "tableStyles") => format!("{OD}presentationml.tableStyles+xml"),
        _ => return None,
    };
    Some(ct)
}

fn main_content_type(kind: Kind) -> String {
    match kind {
        Kind::Word => format!("{OD}wordprocessingml.document.main+xml"),
        Kind::Excel => format!("{OD}spreadsheetml.sheet.main+xml"),
        Kind::PowerPoint => format!("{OD}presentationml.presentation.main+xml"),
    }
}

/// The package, unzipped: part name → text, in zip order.
struct Package {
    order: Vec<String>,
    parts: BTreeMap<String, String>,
}

fn unzip(bytes: &[u8]) -> Package {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("not a readable zip: {e}"));
    let mut order = Vec::new();
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .unwrap_or_else(|e| panic!("entry {i}: {e}"));
        let name = entry.name().to_owned();
        assert!(!entry.is_dir(), "{name}: directory entries are not parts");
        assert_eq!(
            entry.last_modified(),
            Some(zip::DateTime::default()),
            "{name}: timestamp must be the fixed DOS epoch"
        );
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name}: not UTF-8 or unreadable: {e}"));
        assert!(
            parts.insert(name.clone(), text).is_none(),
            "{name}: duplicate entry"
        );
        order.push(name);
    }
    Package { order, parts }
}

fn parse<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"))
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> lacks @{name}", node.tag_name().name()))
}

/// `[Content_Types].xml` → (Default by lowercase extension, Override by lowercase part name).
fn content_types(pkg: &Package) -> (HashMap<String, String>, HashMap<String, String>) {
    let text = pkg
        .parts
        .get("[Content_Types].xml")
        .unwrap_or_else(|| panic!("no [Content_Types].xml"));
    let doc = parse("[Content_Types].xml", text);
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(CT_NS));
    assert_eq!(root.tag_name().name(), "Types");
    let mut defaults = HashMap::new();
    let mut overrides = HashMap::new();
    for child in root.children().filter(|n| n.is_element()) {
        assert_eq!(child.tag_name().namespace(), Some(CT_NS));
        let ct = attr(child, "ContentType").to_owned();
        match child.tag_name().name() {
            "Default" => {
                let ext = attr(child, "Extension").to_ascii_lowercase();
                assert!(defaults.insert(ext, ct).is_none(), "duplicate Default");
            }
            "Override" => {
                let part = attr(child, "PartName");
                assert!(part.starts_with('/'), "PartName {part} must be absolute");
                assert!(
                    overrides.insert(part.to_ascii_lowercase(), ct).is_none(),
                    "duplicate Override {part}"
                );
            }
            other => panic!("unexpected <{other}> in [Content_Types].xml"),
        }
    }
    (defaults, overrides)
}

fn content_type_of(
    part: &str,
    defaults: &HashMap<String, String>,
    overrides: &HashMap<String, String>,
) -> Option<String> {
    if let Some(ct) = overrides.get(&format!("/{part}").to_ascii_lowercase()) {
        return Some(ct.clone());
    }
    let ext = part.rsplit_once('.')?.1.to_ascii_lowercase();
    defaults.get(&ext).cloned()
}

/// The part a relationships part describes: `a/_rels/b.xml.rels` → `a/b.xml`;
/// `_rels/.rels` → `""` (the package itself).
fn source_of(rels_part: &str) -> String {
    let (dir, file) = rels_part.rsplit_once('/').unwrap_or(("", rels_part));
    let dir = dir
        .strip_suffix("_rels")
        .unwrap_or_else(|| panic!("{rels_part}: .rels outside a _rels folder"));
    let file = file
        .strip_suffix(".rels")
        .unwrap_or_else(|| panic!("{rels_part}: not a .rels part"));
    format!("{dir}{file}")
}

/// Resolve a relative relationship target against its source part (OPC part-name rules).
fn resolve(source: &str, target: &str) -> String {
    let mut segments: Vec<&str> = if let Some(abs) = target.strip_prefix('/') {
        return normalise(abs.split('/').collect());
    } else {
        source.split('/').collect()
    };
    segments.pop(); // the source's own file name (or "" for the package root)
    segments.extend(target.split('/'));
    normalise(segments)
}

fn normalise(segments: Vec<&str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in segments {
        match seg {
            "" | "." => {}
            ".." => {
                assert!(out.pop().is_some(), "target climbs above the package root");
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// Relationships of one source part: Id → (Type, resolved target).
type Rels = BTreeMap<String, (String, String)>;

fn check_package(kind: Kind) -> Package {
    let bytes = blank(kind);
    assert!(bytes.starts_with(b"PK\x03\x04"), "{kind}: not a zip");
    let pkg = unzip(&bytes);

    // [Content_Types].xml is the first entry.
    assert_eq!(
        pkg.order.first().map(String::as_str),
        Some("[Content_Types].xml")
    );

    // Exactly the expected parts, each well-formed with the right root element.
    let expected = expected_parts(kind);
    let mut want: BTreeSet<&str> = expected.iter().map(|e| e.name).collect();
    want.insert("[Content_Types].xml");
    let have: BTreeSet<&str> = pkg.parts.keys().map(String::as_str).collect();
    assert_eq!(have, want, "{kind}: part list");
    for (name, text) in &pkg.parts {
        assert!(
            text.starts_with(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#),
            "{name}: XML declaration"
        );
        let doc = parse(name, text);
        if let Some(e) = expected.iter().find(|e| e.name == name) {
            let root = doc.root_element().tag_name();
            assert_eq!(
                (root.namespace().unwrap_or(""), root.name()),
                e.root,
                "{name}: root element"
            );
        }
    }

    // Every part has a content type; XML parts other than relationships need their
    // specific type (an Override), never the generic application/xml Default.
    let (defaults, overrides) = content_types(&pkg);
    assert_eq!(defaults.get("rels").map(String::as_str), Some(RELS_CT));
    for e in &expected {
        let ct = content_type_of(e.name, &defaults, &overrides)
            .unwrap_or_else(|| panic!("{}: no content type", e.name));
        assert_eq!(ct, e.content_type, "{}: content type", e.name);
    }
    for part in overrides.keys() {
        assert!(
            pkg.parts
                .keys()
                .any(|p| format!("/{p}").eq_ignore_ascii_case(part)),
            "Override for missing part {part}"
        );
    }

    // Relationships: ids unique, every target exists and has the type the relationship
    // type demands, every r:* reference in a part names one of its relationships, and
    // every part is reachable from the package root.
    let mut rels_of: BTreeMap<String, Rels> = BTreeMap::new();
    for (name, text) in pkg.parts.iter().filter(|(n, _)| n.ends_with(".rels")) {
        let source = source_of(name);
        assert!(
            source.is_empty() || pkg.parts.contains_key(&source),
            "{name}: describes missing part {source}"
        );
        let doc = parse(name, text);
        let mut rels = Rels::new();
        for rel in doc.root_element().children().filter(|n| n.is_element()) {
            assert_eq!(rel.tag_name().namespace(), Some(PKG_REL_NS));
            assert_eq!(rel.tag_name().name(), "Relationship");
            assert_eq!(
                rel.attribute("TargetMode"),
                None,
                "{name}: no external targets"
            );
            let id = attr(rel, "Id").to_owned();
            let rel_type = attr(rel, "Type").to_owned();
            let target = resolve(&source, attr(rel, "Target"));
            assert!(
                pkg.parts.contains_key(&target),
                "{name}: {id} points to missing part {target}"
            );
            let target_ct = content_type_of(&target, &defaults, &overrides)
                .unwrap_or_else(|| panic!("{target}: no content type"));
            match rel_target_content_type(&rel_type).as_deref() {
                None => panic!("{name}: unknown relationship type {rel_type}"),
                Some("") => assert_eq!(target_ct, main_content_type(kind), "{name}: {id}"),
                Some("styles") => assert!(
                    target_ct.ends_with(".styles+xml"),
                    "{name}: {id} → {target_ct}"
                ),
                Some(ct) => assert_eq!(target_ct, ct, "{name}: {id} → {target}"),
            }
            assert!(
                rels.insert(id.clone(), (rel_type, target)).is_none(),
                "{name}: duplicate Id {id}"
            );
        }
        rels_of.insert(source, rels);
    }
    for (name, text) in pkg.parts.iter().filter(|(n, _)| !n.ends_with(".rels")) {
        let doc = parse(name, text);
        for node in doc.descendants().filter(|n| n.is_element()) {
            for a in node.attributes().filter(|a| a.namespace() == Some(REL_NS)) {
                let known = rels_of
                    .get(name.as_str())
                    .is_some_and(|rels| rels.contains_key(a.value()));
                assert!(
                    known,
                    "{name}: r:{} = {} is not a relationship",
                    a.name(),
                    a.value()
                );
            }
        }
    }
    let mut reachable = BTreeSet::new();
    let mut queue = vec![String::new()];
    while let Some(source) = queue.pop() {
        for (_, target) in rels_of.get(&source).into_iter().flat_map(|r| r.values()) {
            if reachable.insert(target.clone()) {
                queue.push(target.clone());
            }
        }
    }
    for e in expected.iter().filter(|e| !e.name.ends_with(".rels")) {
        assert!(
            reachable.contains(e.name),
            "{}: not reachable from the root",
            e.name
        );
    }
    pkg
}

fn doc<'a>(pkg: &'a Package, name: &str) -> roxmltree::Document<'a> {
    let text = pkg
        .parts
        .get(name)
        .unwrap_or_else(|| panic!("missing {name}"));
    parse(name, text)
}

fn find<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    ns: &str,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    node.descendants()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(ns))
        .filter(|n| n.tag_name().name() == name)
        .collect()
}

fn children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children().filter(|n| n.is_element()).collect()
}

fn num(node: roxmltree::Node<'_, '_>, name: &str) -> u64 {
    attr(node, name)
        .parse()
        .unwrap_or_else(|e| panic!("@{name}: {e}"))
}

#[test]
fn word_package_is_valid() {
    let pkg = check_package(Kind::Word);
    let document = doc(&pkg, "word/document.xml");
    let body = find(document.root_element(), W_NS, "body");
    assert_eq!(body.len(), 1);
    let body_children = children(body[0]);
    let names: Vec<&str> = body_children.iter().map(|n| n.tag_name().name()).collect();
    assert_eq!(names, ["p", "sectPr"], "one empty paragraph, then sectPr");
    assert!(
        children(body_children[0]).is_empty(),
        "the paragraph is empty"
    );
    let sect = body_children[1];
    let pg_sz = find(sect, W_NS, "pgSz");
    assert_eq!(pg_sz.len(), 1);
    let w = pg_sz[0]
        .attribute((W_NS, "w"))
        .unwrap_or_else(|| panic!("pgSz lacks w:w"));
    let h = pg_sz[0]
        .attribute((W_NS, "h"))
        .unwrap_or_else(|| panic!("pgSz lacks w:h"));
    assert!(
        (w, h) == ("11906", "16838") || (w, h) == ("12240", "15840"),
        "A4 or Letter, got {w}x{h}"
    );
    let pg_mar = find(sect, W_NS, "pgMar");
    assert_eq!(pg_mar.len(), 1);
    for side in [
        "top", "right", "bottom", "left", "header", "footer", "gutter",
    ] {
        assert!(
            pg_mar[0].attribute((W_NS, side)).is_some(),
            "pgMar lacks w:{side}"
        );
    }

    let styles = doc(&pkg, "word/styles.xml");
    assert_eq!(find(styles.root_element(), W_NS, "docDefaults").len(), 1);
    let normal = find(styles.root_element(), W_NS, "style")
        .into_iter()
        .find(|s| s.attribute((W_NS, "styleId")) == Some("Normal"))
        .unwrap_or_else(|| panic!("no Normal style"));
    assert_eq!(normal.attribute((W_NS, "type")), Some("paragraph"));
    assert_eq!(normal.attribute((W_NS, "default")), Some("1"));
    check_theme(&pkg, "word/theme/theme1.xml");
}

#[test]
fn excel_package_is_valid() {
    let pkg = check_package(Kind::Excel);
    let workbook = doc(&pkg, "xl/workbook.xml");
    let sheets = find(workbook.root_element(), S_NS, "sheet");
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].attribute("name"), Some("Sheet1"));
    assert_eq!(sheets[0].attribute("sheetId"), Some("1"));

    let sheet = doc(&pkg, "xl/worksheets/sheet1.xml");
    let data = find(sheet.root_element(), S_NS, "sheetData");
    assert_eq!(data.len(), 1);
    assert!(children(data[0]).is_empty(), "sheetData is empty");

    // Every collection's count matches its children; fills are none + gray125.
    let styles = doc(&pkg, "xl/styles.xml");
    let root = styles.root_element();
    for (list, item, n) in [
        ("fonts", "font", 1),
        ("fills", "fill", 2),
        ("borders", "border", 1),
        ("cellStyleXfs", "xf", 1),
        ("cellXfs", "xf", 1),
        ("cellStyles", "cellStyle", 1),
    ] {
        let lists = find(root, S_NS, list);
        assert_eq!(lists.len(), 1, "{list}");
        let items = children(lists[0]);
        assert_eq!(items.len(), n, "{list}");
        assert!(items.iter().all(|i| i.tag_name().name() == item), "{list}");
        assert_eq!(num(lists[0], "count"), n as u64, "{list}/@count");
    }
    let patterns: Vec<&str> = find(root, S_NS, "patternFill")
        .into_iter()
        .map(|p| attr(p, "patternType"))
        .collect();
    assert_eq!(patterns, ["none", "gray125"]);
    check_theme(&pkg, "xl/theme/theme1.xml");
}

#[test]
fn powerpoint_package_is_valid() {
    let pkg = check_package(Kind::PowerPoint);
    let presentation = doc(&pkg, "ppt/presentation.xml");
    let root = presentation.root_element();
    let sld_sz = find(root, P_NS, "sldSz");
    assert_eq!(sld_sz.len(), 1);
    assert_eq!(
        (num(sld_sz[0], "cx"), num(sld_sz[0], "cy")),
        (12_192_000, 6_858_000)
    );
    assert_eq!(find(root, P_NS, "notesSz").len(), 1);
    let masters = find(root, P_NS, "sldMasterId");
    assert_eq!(masters.len(), 1);
    let master_id = num(masters[0], "id");
    assert!(master_id >= 2_147_483_648, "sldMasterId must be >= 2^31");
    let slides = find(root, P_NS, "sldId");
    assert_eq!(slides.len(), 1, "one slide");
    let slide_id = num(slides[0], "id");
    assert!((256..2_147_483_648).contains(&slide_id), "sldId range");

    let master = doc(&pkg, "ppt/slideMasters/slideMaster1.xml");
    let m = master.root_element();
    assert_eq!(find(m, P_NS, "clrMap").len(), 1);
    let tx = find(m, P_NS, "txStyles");
    assert_eq!(tx.len(), 1);
    let styles: Vec<&str> = children(tx[0])
        .iter()
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(styles, ["titleStyle", "bodyStyle", "otherStyle"]);
    let layout_ids = find(m, P_NS, "sldLayoutId");
    assert_eq!(layout_ids.len(), 1);
    assert!(
        num(layout_ids[0], "id") > master_id,
        "layout ids follow the master id"
    );

    let layout = doc(&pkg, "ppt/slideLayouts/slideLayout1.xml");
    assert_eq!(layout.root_element().attribute("type"), Some("blank"));
    let c_sld = find(layout.root_element(), P_NS, "cSld");
    assert_eq!(
        c_sld.first().and_then(|n| n.attribute("name")),
        Some("Blank")
    );

    let slide = doc(&pkg, "ppt/slides/slide1.xml");
    let sp_tree = find(slide.root_element(), P_NS, "spTree");
    assert_eq!(sp_tree.len(), 1);
    let shapes = children(sp_tree[0]);
    let shape_names: Vec<&str> = shapes.iter().map(|n| n.tag_name().name()).collect();
    assert_eq!(
        shape_names,
        ["nvGrpSpPr", "grpSpPr"],
        "a blank slide has no shapes"
    );

    check_theme(&pkg, "ppt/theme/theme1.xml");
}

/// A complete theme: 12 colours, major/minor fonts, 3 entries in each style list.
fn check_theme(pkg: &Package, name: &str) {
    let theme = doc(pkg, name);
    let t = theme.root_element();
    let clr = find(t, A_NS, "clrScheme");
    assert_eq!(clr.len(), 1);
    let colours: Vec<&str> = children(clr[0])
        .iter()
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(
        colours,
        [
            "dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5",
            "accent6", "hlink", "folHlink"
        ]
    );
    for font in ["majorFont", "minorFont"] {
        let f = find(t, A_NS, font);
        assert_eq!(f.len(), 1, "{font}");
        let parts: Vec<&str> = children(f[0]).iter().map(|n| n.tag_name().name()).collect();
        assert_eq!(parts, ["latin", "ea", "cs"], "{font}");
        assert!(
            !attr(children(f[0])[0], "typeface").is_empty(),
            "{font} latin"
        );
    }
    for list in [
        "fillStyleLst",
        "lnStyleLst",
        "effectStyleLst",
        "bgFillStyleLst",
    ] {
        let l = find(t, A_NS, list);
        assert_eq!(l.len(), 1, "{list}");
        assert_eq!(children(l[0]).len(), 3, "{list} needs 3 entries");
    }
}

#[test]
fn output_is_deterministic() {
    for kind in Kind::ALL {
        assert_eq!(blank(kind), blank(kind), "{kind}");
    }
}

#[test]
fn kinds_are_distinct_packages() {
    let all: BTreeSet<Vec<u8>> = Kind::ALL.into_iter().map(blank).collect();
    assert_eq!(all.len(), 3);
}
