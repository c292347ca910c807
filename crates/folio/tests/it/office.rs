//! The five-minute tour with Office documents: new Word, Excel and PowerPoint documents made in
//! the web UI are edited in the development editor in real Chromium, saved through WOPI
//! (PutFile with the editor's lock), downloaded, and checked with independent readers —
//! python-docx / openpyxl / python-pptx, and LibreOffice headless converting each file. Documents
//! that LibreOffice, python-pptx and openpyxl made are edited the same way and keep their
//! formatting, tables and formulas.
//!
//! Needs LibreOffice (`soffice`, or `FOLIO_TEST_SOFFICE`) and a Python venv with the three
//! readers (`FOLIO_TEST_PYVENV`); `scripts/test` installs both. Without them these tests fail
//! and say how to install them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fantoccini::Locator;

use crate::browser::Browser;
use crate::support::*;

const INSTALL_PY: &str = "python3 -m venv \"$CARGO_TARGET_DIR/pyvenv\" && \"$CARGO_TARGET_DIR/pyvenv/bin/pip\" install python-docx openpyxl python-pptx, then set FOLIO_TEST_PYVENV to that venv (scripts/test does both)";
const INSTALL_LO: &str = "apt-get install libreoffice-core libreoffice-writer libreoffice-calc libreoffice-impress (scripts/test does this), or set FOLIO_TEST_SOFFICE";

/// Runs `cmd` to completion, but fails the test (killing it) if it has not finished within three
/// times `wait_limit()`: a hung LibreOffice must not hang the suite.
fn run_bounded(mut cmd: Command, what: &str) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let limit = wait_limit() * 3;
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => panic!("{what} failed: {e}"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{what} did not finish within {limit:?}");
        }
    }
}

/// The checking tools: a Python with python-docx, openpyxl and python-pptx, and LibreOffice.
struct Tools {
    python: PathBuf,
    soffice: PathBuf,
    /// A LibreOffice profile of this test's own, so conversions can run side by side.
    profile: tempfile::TempDir,
}

impl Tools {
    fn find() -> Tools {
        let venv = std::env::var_os("FOLIO_TEST_PYVENV").unwrap_or_else(|| {
            panic!("FOLIO_TEST_PYVENV is not set: the Office tests check saved documents with python-docx, openpyxl and python-pptx. Install them: {INSTALL_PY}")
        });
        let python = Path::new(&venv).join("bin/python");
        let probe = Command::new(&python)
            .args(["-c", "import docx, openpyxl, pptx"])
            .output();
        match probe {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "{} cannot import python-docx, openpyxl and python-pptx ({}). Install them: {INSTALL_PY}",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => panic!(
                "cannot run {} ({e}). Install it: {INSTALL_PY}",
                python.display()
            ),
        }
        let soffice = std::env::var_os("FOLIO_TEST_SOFFICE")
            .map_or_else(|| PathBuf::from("/usr/bin/soffice"), PathBuf::from);
        assert!(
            soffice.exists(),
            "LibreOffice ({}) is missing: the Office tests open every saved document with it. Install it: {INSTALL_LO}",
            soffice.display()
        );
        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        Tools {
            python,
            soffice,
            profile,
        }
    }

    /// Runs a Python script with `args`; its stdout. Fails the test on a non-zero exit.
    fn python(&self, script: &str, args: &[&Path]) -> String {
        let mut cmd = Command::new(&self.python);
        cmd.arg("-c").arg(script).args(args);
        let out = run_bounded(cmd, "python");
        assert!(
            out.status.success(),
            "python failed on {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Converts `file` with LibreOffice headless (`--convert-to {to}`, e.g. `txt:Text`, `csv`,
    /// `pdf`, `docx`) into `file`'s folder; the converted file, which must exist and not be
    /// empty.
    fn convert(&self, file: &Path, to: &str) -> PathBuf {
        let dir = file.parent().unwrap_or_else(|| Path::new("."));
        let mut cmd = Command::new(&self.soffice);
        cmd.arg(format!(
            "-env:UserInstallation=file://{}",
            self.profile.path().display()
        ))
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file);
        let out = run_bounded(cmd, "LibreOffice (soffice --convert-to)");
        let ext = to.split(':').next().unwrap_or(to);
        let converted = file.with_extension(ext);
        let size = std::fs::metadata(&converted).map(|m| m.len()).unwrap_or(0);
        assert!(
            out.status.success() && size > 0,
            "LibreOffice could not convert {} to {to} (status {}, {size} bytes): {}{}",
            file.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        converted
    }
}

const READ_DOCX: &str = "import sys, docx
d = docx.Document(sys.argv[1])
for p in d.paragraphs:
    print('P|' + p.text + '|' + ','.join(r.text for r in p.runs if r.bold))
for t in d.tables:
    for row in t.rows:
        for c in row.cells:
            print('T|' + c.text)";

const READ_XLSX: &str = "import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                print(ws.title + '!' + c.coordinate + '=' + repr(c.value))";

const READ_PPTX: &str = "import sys, pptx
p = pptx.Presentation(sys.argv[1])
for i, s in enumerate(p.slides):
    for sh in s.shapes:
        if sh.has_text_frame:
            print(str(i) + '|' + sh.name + '|' + sh.text_frame.text.replace(chr(10), '/'))";

/// The file id in a host page URL (`…/open/{id}?action=…`).
fn file_id(url: &str) -> String {
    url.split("/open/")
        .nth(1)
        .and_then(|rest| rest.split(['?', '#']).next())
        .unwrap_or_else(|| panic!("no file id in {url}"))
        .to_owned()
}

/// The current content of a file, downloaded as its owner does.
async fn download(s: &TestServer, login: &str, password: &str, id: &str, to: &Path) -> Vec<u8> {
    let c = web_client(s, login, password).await;
    let r = c
        .get(format!("{}/files/{id}/download", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("download: {e}"));
    assert_eq!(r.status(), 200, "download {id}");
    let bytes = r
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("download: {e}"))
        .to_vec();
    std::fs::write(to, &bytes).unwrap_or_else(|e| panic!("write {}: {e}", to.display()));
    bytes
}

/// Signs in and returns the URL of the person's home folder.
async fn sign_in_home(b: &Browser, s: &TestServer, login: &str, password: &str) -> String {
    b.client
        .goto(&format!("{}/", s.url))
        .await
        .unwrap_or_else(|e| panic!("goto: {e}"));
    b.wait_url(|u| u.contains("/login")).await;
    b.sign_in(login, password).await;
    b.wait_url(|u| u.contains("/folders/")).await
}

/// Clicks a "New …" button of the folder page; waits for the dev editor to load the new
/// document, editable; the new file's id.
async fn new_document(b: &Browser, home: &str, button: &str, name: &str) -> String {
    let _ = b.client.enter_parent_frame().await;
    b.client
        .goto(home)
        .await
        .unwrap_or_else(|e| panic!("goto: {e}"));
    b.click(Locator::Css(button)).await;
    // The name prompt suggests the default name; Create keeps it.
    b.click(Locator::Css("#new-doc-create")).await;
    let url = b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(b.wait_text("#doc-name", |t| !t.is_empty()).await, name);
    assert_eq!(b.wait_text("#doc-mode", |t| !t.is_empty()).await, "Editing");
    let binary_hidden = b
        .client
        .execute(
            "return document.getElementById('doc-binary').hidden",
            vec![],
        )
        .await
        .unwrap_or_default();
    assert_eq!(
        binary_hidden,
        serde_json::json!(true),
        "no 'binary document' notice"
    );
    file_id(&url)
}

async fn save(b: &Browser, version: u32) {
    b.click(Locator::Css("#save-btn")).await;
    b.wait_text("#status", |t| {
        t.contains(&format!("Saved version {version}"))
    })
    .await;
}

#[tokio::test]
async fn new_office_documents_are_edited_in_the_dev_editor_and_stay_valid() -> TestResult {
    let tools = Tools::find();
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("tess", "correct horse battery");
    let dir = tempfile::tempdir()?;
    let b = Browser::start().await;
    let home = sign_in_home(&b, &s, "tess", "correct horse battery").await;

    // Word: one line per paragraph.
    let id = new_document(&b, &home, "#new-word", "New document.docx").await;
    assert_eq!(b.wait_value("#doc-text", |_| true).await, "");
    b.fill("#doc-text", "Hello from Folio\nA second paragraph & more")
        .await;
    save(&b, 2).await;
    b.screenshot("dev-editor-word").await;
    let docx = dir.path().join("word.docx");
    download(&s, "tess", "correct horse battery", &id, &docx).await;
    let read = tools.python(READ_DOCX, &[&docx]);
    assert!(
        read.contains("P|Hello from Folio|") && read.contains("P|A second paragraph & more|"),
        "python-docx reads: {read}"
    );
    let txt = std::fs::read_to_string(tools.convert(&docx, "txt:Text"))?;
    assert!(
        txt.contains("Hello from Folio") && txt.contains("A second paragraph & more"),
        "LibreOffice reads: {txt}"
    );
    tools.convert(&docx, "pdf");

    // Excel: a grid of cells.
    let id = new_document(&b, &home, "#new-excel", "New workbook.xlsx").await;
    b.fill("#doc-grid input[data-cell='A1']", "Item").await;
    b.fill("#doc-grid input[data-cell='B1']", "42").await;
    b.fill("#doc-grid input[data-cell='A2']", "Coffee, black")
        .await;
    b.fill("#doc-grid input[data-cell='C3']", "007").await;
    save(&b, 2).await;
    // The saved values come back into the grid (re-read from the saved file).
    assert_eq!(
        b.wait_value("#doc-grid input[data-cell='B1']", |v| !v.is_empty())
            .await,
        "42"
    );
    b.screenshot("dev-editor-excel").await;
    let xlsx = dir.path().join("book.xlsx");
    download(&s, "tess", "correct horse battery", &id, &xlsx).await;
    let read = tools.python(READ_XLSX, &[&xlsx]);
    for want in [
        "Sheet1!A1='Item'",
        "Sheet1!B1=42",
        "Sheet1!A2='Coffee, black'",
        "Sheet1!C3='007'",
    ] {
        assert!(read.contains(want), "openpyxl reads {want:?} in: {read}");
    }
    let csv = std::fs::read_to_string(tools.convert(&xlsx, "csv"))?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.get(..3),
        Some(&["Item,42,", "\"Coffee, black\",,", ",,007"][..]),
        "LibreOffice reads: {csv}"
    );

    // PowerPoint: text on the slide, in a new text box.
    let id = new_document(&b, &home, "#new-powerpoint", "New presentation.pptx").await;
    b.fill("#shape-0-new", "Quarterly review\nMade without Microsoft")
        .await;
    save(&b, 2).await;
    assert_eq!(
        b.wait_value("#shape-0-0", |v| !v.is_empty()).await,
        "Quarterly review\nMade without Microsoft"
    );
    // Edit the box just made: the second save edits its paragraphs in place.
    b.fill(
        "#shape-0-0",
        "Quarterly review 2026\nMade without Microsoft",
    )
    .await;
    save(&b, 3).await;
    b.screenshot("dev-editor-powerpoint").await;
    let pptx = dir.path().join("deck.pptx");
    download(&s, "tess", "correct horse battery", &id, &pptx).await;
    let read = tools.python(READ_PPTX, &[&pptx]);
    assert_eq!(
        read.trim(),
        "0|TextBox 2|Quarterly review 2026/Made without Microsoft",
        "python-pptx reads"
    );
    let pdf = std::fs::read(tools.convert(&pptx, "pdf"))?;
    assert!(pdf.starts_with(b"%PDF"), "LibreOffice made a PDF");
    let odp = tools.convert(&pptx, "odp");
    let content = tools.python(
        "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('content.xml').decode())",
        &[&odp],
    );
    assert!(
        content.contains("Quarterly review 2026") && content.contains("Made without Microsoft"),
        "LibreOffice Impress reads the text"
    );
    b.close().await;
    Ok(())
}

/// A document LibreOffice Writer wrote (a flat ODT → .docx), a python-pptx deck with title
/// placeholders and an openpyxl workbook with a formula are edited in the browser; their
/// formatting, tables and formulas survive, and LibreOffice still opens them.
#[tokio::test]
async fn documents_made_by_libreoffice_and_python_are_edited_in_place() -> TestResult {
    let tools = Tools::find();
    let dir = tempfile::tempdir()?;
    let fodt = dir.path().join("notes.fodt");
    std::fs::write(&fodt, NOTES_FODT)?;
    let made_docx = std::fs::read(tools.convert(&fodt, "docx:MS Word 2007 XML"))?;
    let made_pptx = dir.path().join("made.pptx");
    tools.python(
        "import sys, pptx
p = pptx.Presentation()
s = p.slides.add_slide(p.slide_layouts[0])
s.shapes.title.text = 'Old title'
s.placeholders[1].text = 'A subtitle'
p.save(sys.argv[1])",
        &[&made_pptx],
    );
    let made_xlsx = dir.path().join("made.xlsx");
    tools.python(
        "import sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = 'Scores'
ws['A1'] = 'Name'; ws['B1'] = 'Score'; ws['A2'] = 'Ann'; ws['B2'] = 7; ws['C2'] = '=B2*2'
ws['A1'].font = openpyxl.styles.Font(bold=True)
wb.save(sys.argv[1])",
        &[&made_xlsx],
    );

    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("lou", "correct horse battery");
    let docx_id = s.put_file("lou", "notes.docx", &made_docx);
    let pptx_id = s.put_file("lou", "deck.pptx", &std::fs::read(&made_pptx)?);
    let xlsx_id = s.put_file("lou", "scores.xlsx", &std::fs::read(&made_xlsx)?);
    let b = Browser::start().await;
    sign_in_home(&b, &s, "lou", "correct horse battery").await;
    let open = |id: &str| format!("{}/open/{id}?action=edit", s.url);

    // Writer's document: change a word, add a paragraph at the end.
    b.client.goto(&open(&docx_id)).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    let text = b.wait_value("#doc-text", |v| v.contains("Monday")).await;
    assert!(
        text.starts_with("Meeting notes\nAttendees: Ann and Bob"),
        "{text:?}"
    );
    assert!(
        !text.contains("Owner"),
        "table cells are not shown: {text:?}"
    );
    let edited = format!(
        "{}\nAction: ship the dev editor",
        text.replace("Monday", "Tuesday")
    );
    b.fill("#doc-text", &edited).await;
    save(&b, 2).await;
    let docx = dir.path().join("notes.docx");
    download(&s, "lou", "correct horse battery", &docx_id, &docx).await;
    let read = tools.python(READ_DOCX, &[&docx]);
    for want in [
        "P|Meeting notes|",
        "P|Attendees: Ann and Bob|Ann",
        "P|Next meeting on Tuesday|",
        "P|Action: ship the dev editor|",
        "T|Item",
        "T|Owner",
    ] {
        assert!(read.contains(want), "python-docx reads {want:?} in: {read}");
    }
    let txt = std::fs::read_to_string(tools.convert(&docx, "txt:Text"))?;
    assert!(
        txt.contains("Next meeting on Tuesday") && txt.contains("Owner"),
        "{txt}"
    );

    // python-pptx's title slide: change the title placeholder.
    let _ = b.client.enter_parent_frame().await;
    b.client.goto(&open(&pptx_id)).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(
        b.wait_value("#shape-0-0", |v| !v.is_empty()).await,
        "Old title"
    );
    b.fill("#shape-0-0", "New title").await;
    save(&b, 2).await;
    let pptx = dir.path().join("deck.pptx");
    download(&s, "lou", "correct horse battery", &pptx_id, &pptx).await;
    let read = tools.python(READ_PPTX, &[&pptx]);
    assert!(
        read.contains("|New title") && read.contains("|A subtitle"),
        "{read}"
    );
    assert!(tools.python(
        "import sys, pptx; s = pptx.Presentation(sys.argv[1]).slides[0]; print(s.shapes.title.is_placeholder, s.slide_layout.name)",
        &[&pptx]
    ).contains("True Title Slide"), "still the title placeholder of the Title Slide layout");
    tools.convert(&pptx, "pdf");

    // openpyxl's workbook: the formula cell is read-only and kept, a value changes, a row is added.
    let _ = b.client.enter_parent_frame().await;
    b.client.goto(&open(&xlsx_id)).await?;
    b.enter_editor().await;
    b.wait_text("#status", |t| t.contains("Loaded")).await;
    assert_eq!(
        b.wait_text("#sheet-tab-0", |t| !t.is_empty()).await,
        "Scores"
    );
    let formula = b
        .find(Locator::Css("#doc-grid input[data-cell='C2']"))
        .await;
    assert_eq!(formula.prop("readOnly").await?.as_deref(), Some("true"));
    b.fill("#doc-grid input[data-cell='B2']", "9").await;
    b.fill("#doc-grid input[data-cell='A3']", "Bob").await;
    b.fill("#doc-grid input[data-cell='B3']", "8").await;
    save(&b, 2).await;
    let xlsx = dir.path().join("scores.xlsx");
    download(&s, "lou", "correct horse battery", &xlsx_id, &xlsx).await;
    let read = tools.python(
        &format!("{READ_XLSX}\nprint('bold', wb.worksheets[0]['A1'].font.b)"),
        &[&xlsx],
    );
    for want in [
        "Scores!B2=9",
        "Scores!C2='=B2*2'",
        "Scores!A3='Bob'",
        "Scores!B3=8",
        "bold True",
    ] {
        assert!(read.contains(want), "openpyxl reads {want:?} in: {read}");
    }
    let csv = std::fs::read_to_string(tools.convert(&xlsx, "csv"))?;
    assert!(
        csv.contains("Ann,9,18") && csv.contains("Bob,8"),
        "LibreOffice computes the formula: {csv}"
    );
    b.close().await;
    Ok(())
}

/// A short Writer document: a heading, a paragraph with a bold word, a table, a paragraph.
const NOTES_FODT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles>
  <style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 </office:automatic-styles>
 <office:body>
  <office:text>
   <text:h text:outline-level="1">Meeting notes</text:h>
   <text:p>Attendees: <text:span text:style-name="B">Ann</text:span> and Bob</text:p>
   <table:table table:name="Tasks">
    <table:table-column table:number-columns-repeated="2"/>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>Item</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Owner</text:p></table:table-cell>
    </table:table-row>
   </table:table>
   <text:p>Next meeting on Monday</text:p>
  </office:text>
 </office:body>
</office:document>
"#;
