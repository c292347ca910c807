//! New documents and organisation templates (issue 13): the name prompt of "New Word document"
//! and its siblings, an administrator's template uploads (refused when not an Office file), a
//! document made from a template in the development editor with the template's content, and a
//! Collabora session that gets the template as `TemplateSource` (an empty file, a short-lived
//! self-authorised URL that stops working once the document is saved).

use fantoccini::Locator;
use folio_ooxml::Kind;
use folio_ooxml::edit::{self, Content, Edit};

use crate::browser::Browser;
use crate::support::*;

const LETTER: [&str; 2] = ["Company letterhead", "Dear customer,"];

/// A Word template (.dotx) with two paragraphs.
fn letterhead_dotx() -> Vec<u8> {
    let blank = folio_ooxml::blank(Kind::Word);
    let doc = edit::apply(
        Kind::Word,
        &blank,
        &Edit::Word {
            paragraphs: LETTER.iter().map(|p| p.to_string()).collect(),
        },
    )
    .unwrap_or_else(|e| panic!("edit: {e}"));
    edit::template_from_document(&doc).unwrap_or_else(|e| panic!("retype: {e}"))
}

fn paragraphs(bytes: &[u8]) -> Vec<String> {
    match edit::read(Kind::Word, bytes) {
        Ok(Content::Word { paragraphs }) => paragraphs,
        other => panic!("not a Word document: {other:?}"),
    }
}

fn add_admin(s: &TestServer, login: &str, password: &str) {
    let out = s.cli_stdin(
        &["users", "add", login, "--admin", "--password-stdin"],
        &format!("{password}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The id of the template row named `name` on the admin page.
fn template_id(admin_html: &str, name: &str) -> String {
    let table = admin_html
        .split_once("id=\"templates\"")
        .map(|(_, t)| t)
        .unwrap_or_default();
    table
        .split("<tr data-id=\"")
        .skip(1)
        .find(|row| row.contains(&format!(">{name}<")))
        .and_then(|row| row.split_once('"'))
        .map(|(id, _)| id.to_owned())
        .unwrap_or_else(|| panic!("no template {name} on the admin page"))
}

async fn page(c: &reqwest::Client, url: String) -> String {
    c.get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default()
}

/// The home folder id of a signed-in web client.
async fn home(s: &TestServer, c: &reqwest::Client) -> String {
    let r = c
        .get(format!("{}/", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    header(&r, "location")
        .unwrap_or_default()
        .trim_start_matches("/folders/")
        .to_owned()
}

/// Uploads a template as the admin page's script does; returns the status.
async fn upload_template(
    s: &TestServer,
    admin: &reqwest::Client,
    name: &str,
    body: Vec<u8>,
) -> u16 {
    let csrf = form_value(&page(admin, format!("{}/admin", s.url)).await, "csrf");
    admin
        .post(format!("{}/admin/templates?name={name}", s.url))
        .header("X-CSRF-Token", csrf)
        .header("Accept", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .status()
        .as_u16()
}

#[tokio::test]
async fn new_documents_get_a_name_prompt_and_can_start_from_an_organisation_template() -> TestResult
{
    let s = TestServer::start_with(None, &["--dev-editor"]);
    add_admin(&s, "ada", "ada password 1");
    s.add_user_with_password("ned", "ned password 1");
    let dir = tempfile::tempdir()?;
    let dotx = dir.path().join("Letterhead.dotx");
    std::fs::write(&dotx, letterhead_dotx())?;
    let junk = dir.path().join("Broken.docx");
    std::fs::write(&junk, b"this is not a zip package")?;

    // The administrator uploads templates on the admin page; a file that is no Office package
    // is refused with the reason.
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", s.url)).await?;
    b.sign_in("ada", "ada password 1").await;
    b.wait_url(|u| u.contains("/folders/")).await;
    c.goto(&format!("{}/admin", s.url)).await?;
    b.find(Locator::Css("#template-file"))
        .await
        .send_keys(&junk.display().to_string())
        .await?;
    b.click(Locator::Css("#template-upload-btn")).await;
    let refused = b.wait_text("#template-status", |t| !t.is_empty()).await;
    assert!(
        refused.contains("not a Word, Excel or PowerPoint"),
        "{refused}"
    );
    c.refresh().await?;
    b.find(Locator::Css("#template-file"))
        .await
        .send_keys(&dotx.display().to_string())
        .await?;
    b.click(Locator::Css("#template-upload-btn")).await;
    b.wait_text("#notice", |t| t.contains("Template added."))
        .await;
    let listed = b
        .wait_text("#templates", |t| t.contains("Letterhead.dotx"))
        .await;
    assert!(
        listed.contains("Word") && !listed.contains("Broken"),
        "{listed}"
    );
    b.screenshot("admin-templates").await;

    // Ned: "New Word document" asks for a name.
    c.delete_all_cookies().await?;
    c.goto(&format!("{}/login", s.url)).await?;
    b.sign_in("ned", "ned password 1").await;
    let folder_url = b.wait_url(|u| u.contains("/folders/")).await;
    b.click(Locator::Css("#new-word")).await;
    assert_eq!(
        b.wait_value("#new-doc-name", |v| !v.is_empty()).await,
        "New document"
    );
    assert_eq!(
        b.wait_text("#new-doc-title", |t| !t.is_empty()).await,
        "New Word document"
    );
    b.screenshot("new-document-prompt").await;
    b.fill("#new-doc-name", "Minutes").await;
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    assert_eq!(
        b.wait_text("#doc-name", |t| t.ends_with(".docx")).await,
        "Minutes.docx"
    );
    let _ = c.enter_parent_frame().await;

    // The suggestion kept as it is: the default name, numbered when taken.
    c.goto(&folder_url).await?;
    b.click(Locator::Css("#new-excel")).await;
    assert_eq!(
        b.wait_value("#new-doc-name", |v| !v.is_empty()).await,
        "New workbook"
    );
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    assert_eq!(
        b.wait_text("#doc-name", |t| t.ends_with(".xlsx")).await,
        "New workbook.xlsx"
    );
    let _ = c.enter_parent_frame().await;

    // A name that exists is refused, nothing is overwritten.
    c.goto(&folder_url).await?;
    b.click(Locator::Css("#new-word")).await;
    b.fill("#new-doc-name", "Minutes").await;
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_text("#error", |t| t.contains("already exists"))
        .await;

    // "New from template": the template's name is suggested, the person types their own.
    b.click(Locator::Css("#new-from-template")).await;
    assert_eq!(
        b.wait_value("#new-doc-name", |v| !v.is_empty()).await,
        "Letterhead"
    );
    b.fill("#new-doc-name", "Offer letter").await;
    b.click(Locator::Css("#new-doc-create")).await;
    let url = b.wait_url(|u| u.contains("/open/")).await;
    b.enter_editor().await;
    assert_eq!(
        b.wait_text("#doc-name", |t| t.ends_with(".docx")).await,
        "Offer letter.docx"
    );
    assert_eq!(
        b.wait_value("#doc-text", |v| !v.is_empty()).await,
        LETTER.join("\n"),
        "the editor shows the template's content"
    );
    let _ = c.enter_parent_frame().await;
    b.close().await;

    // The file holds the template's content as a document (.dotx's content type turned into
    // .docx's), which Folio's reader opens.
    let id = url
        .split("/open/")
        .nth(1)
        .and_then(|r| r.split(['?', '#']).next())
        .unwrap_or_default()
        .to_owned();
    let ned = web_client(&s, "ned", "ned password 1").await;
    let bytes = ned
        .get(format!("{}/files/{id}/download", s.url))
        .send()
        .await?
        .bytes()
        .await?
        .to_vec();
    assert_eq!(paragraphs(&bytes), LETTER);
    assert_eq!(
        edit::document_from_template(&bytes).ok(),
        Some(bytes.clone()),
        "a document, not a template"
    );

    // The administrator deletes the template: it is gone from the admin page and the menu;
    // the document made from it stays.
    let ada = web_client(&s, "ada", "ada password 1").await;
    let admin = page(&ada, format!("{}/admin", s.url)).await;
    let tid = template_id(&admin, "Letterhead.dotx");
    let r = ada
        .post(format!("{}/admin/templates/{tid}/delete", s.url))
        .form(&[("csrf", form_value(&admin, "csrf").as_str())])
        .send()
        .await?;
    assert_eq!(r.status(), 303);
    assert!(
        !page(&ada, format!("{}/admin", s.url))
            .await
            .contains("Letterhead.dotx")
    );
    let folder = home(&s, &ned).await;
    let listing = page(&ned, format!("{}/folders/{folder}", s.url)).await;
    assert!(!listing.contains("new-from-template") && listing.contains("Offer letter.docx"));
    // Only administrators upload templates.
    assert_ne!(
        upload_template(&s, &ned, "Mine.dotx", letterhead_dotx()).await,
        200
    );
    Ok(())
}

fn collabora_discovery() -> String {
    r#"<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery><net-zone name="external-https">
<app name="application/vnd.openxmlformats-officedocument.wordprocessingml.document" favIconUrl="https://collabora.example/favicon.ico">
<action name="view" ext="docx" default="true" urlsrc="https://collabora.example/browser/abc/cool.html?" />
<action name="edit" ext="docx" requires="locks,update" urlsrc="https://collabora.example/browser/abc/cool.html?" />
</app></net-zone></wopi-discovery>"#
        .to_owned()
}

fn onlyoffice_discovery() -> String {
    r#"<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery><net-zone name="external-https">
<app name="Word" favIconUrl="https://office.example/favicon.ico">
<action name="view" ext="docx" default="true" urlsrc="https://office.example/hosting/wopi/word/view?&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
<action name="edit" ext="docx" requires="locks,update" urlsrc="https://office.example/hosting/wopi/word/edit?&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
</app></net-zone></wopi-discovery>"#
        .to_owned()
}

/// Creates a document from template `tid` as `web`'s user in their home folder; its id.
async fn from_template(s: &TestServer, web: &reqwest::Client, name: &str, tid: &str) -> String {
    let folder = home(s, web).await;
    let listing = page(web, format!("{}/folders/{folder}", s.url)).await;
    let r = web
        .post(format!("{}/folders/{folder}/new-document", s.url))
        .form(&[
            ("csrf", form_value(&listing, "csrf").as_str()),
            ("kind", ""),
            ("name", name),
            ("template", tid),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 303, "{}", s.server_log());
    let location = header(&r, "location").unwrap_or_default().to_owned();
    location
        .strip_prefix("/open/")
        .and_then(|r| r.split('?').next())
        .unwrap_or_else(|| panic!("opens the new document: {location}"))
        .to_owned()
}

async fn check_file_info(s: &TestServer, id: &str, token: &str) -> serde_json::Value {
    client()
        .get(format!("{}/wopi/files/{id}?access_token={token}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json::<serde_json::Value>()
        .await
        .unwrap_or_default()
}

#[tokio::test]
async fn collabora_sessions_get_the_template_as_template_source() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cool = dir.path().join("collabora.xml");
    std::fs::write(&cool, collabora_discovery())?;
    let oo = dir.path().join("onlyoffice.xml");
    std::fs::write(&oo, onlyoffice_discovery())?;
    let cfg = format!(
        "[[editors]]\nname = \"cool\"\ndiscovery = \"{}\"\nproof_keys = \"off\"\n\
         [[editors]]\nname = \"oo\"\nkind = \"onlyoffice\"\ndiscovery = \"{}\"\nproof_keys = \"off\"\n",
        cool.display(),
        oo.display()
    );
    let s = TestServer::start_with(Some(&cfg), &[]);
    add_admin(&s, "ada", "ada password 1");
    s.add_user_with_password("col", "col password 1");
    let ada = web_client(&s, "ada", "ada password 1").await;
    let template = letterhead_dotx();
    assert_eq!(
        upload_template(&s, &ada, "Letterhead.dotx", template.clone()).await,
        200
    );
    let tid = template_id(
        &page(&ada, format!("{}/admin", s.url)).await,
        "Letterhead.dotx",
    );

    // Col creates a document from the template: the editor for .docx is Collabora, so the file
    // is empty and waits for the template.
    let col = web_client(&s, "col", "col password 1").await;
    let id = from_template(&s, &col, "From letterhead", &tid).await;
    let open = page(&col, format!("{}/open/{id}?action=edit&editor=cool", s.url)).await;
    let token = form_value(&open, "access_token");
    let cfi = |token: String| {
        let url = format!("{}/wopi/files/{id}?access_token={token}", s.url);
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_default()
        }
    };
    let info = cfi(token.clone()).await;
    assert_eq!(info["BaseFileName"], "From letterhead.docx");
    assert_eq!(info["Size"], 0, "an empty file: {info}");
    let source = info["TemplateSource"]
        .as_str()
        .unwrap_or_else(|| panic!("TemplateSource in a Collabora CheckFileInfo: {info}"))
        .to_owned();
    assert!(
        source.starts_with(&format!("{}/template/{id}?e=", s.url)),
        "{source}"
    );
    assert!(!source.contains(&token), "the token is not in the URL");
    // Collabora fetches it without a token: the URL authorises itself, briefly.
    let r = client().get(&source).send().await?;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await?.to_vec(), template, "the template's bytes");
    let forged = format!("{}0", &source[..source.len() - 1]);
    let forged = if forged == source {
        format!("{}1", &source[..source.len() - 1])
    } else {
        forged
    };
    assert_eq!(client().get(&forged).send().await?.status(), 401);

    // Collabora saves the document it made: PutFile; the file is no longer waiting.
    let document = edit::document_from_template(&template)?;
    let r = client()
        .post(format!(
            "{}/wopi/files/{id}/contents?access_token={token}",
            s.url
        ))
        .header("X-WOPI-Override", "PUT")
        .header("X-COOL-WOPI-IsAutosave", "false")
        .body(document.clone())
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let info = cfi(token.clone()).await;
    assert!(info.get("TemplateSource").is_none(), "{info}");
    assert_eq!(info["Size"], document.len());
    assert_eq!(client().get(&source).send().await?.status(), 404);

    // The same kind of empty document opened in ONLYOFFICE, which does not read TemplateSource:
    // the host page puts the template's content in first.
    let other = from_template(&s, &col, "Second letter", &tid).await;
    let open = page(
        &col,
        format!("{}/open/{other}?action=edit&editor=oo", s.url),
    )
    .await;
    let token = form_value(&open, "access_token");
    let info = check_file_info(&s, &other, &token).await;
    assert_eq!(info["Size"], document.len(), "{info}");
    assert!(info.get("TemplateSource").is_none(), "{info}");
    let bytes = client()
        .get(format!(
            "{}/wopi/files/{other}/contents?access_token={token}",
            s.url
        ))
        .send()
        .await?
        .bytes()
        .await?
        .to_vec();
    assert_eq!(paragraphs(&bytes), LETTER);
    Ok(())
}

/// The name prompt is a form like any other: sent after the session expired, it comes back
/// open, with the kind and the name typed, once the person signed in again.
#[tokio::test]
async fn the_name_prompt_comes_back_with_its_input_after_signing_in_again() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("una", "una password 1");
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", s.url)).await?;
    b.sign_in("una", "una password 1").await;
    let folder_url = b.wait_url(|u| u.contains("/folders/")).await;
    b.click(Locator::Css("#new-excel")).await;
    b.fill("#new-doc-name", "Budget").await;
    crate::file_browser::end_session_behind_the_browsers_back(&b, &s).await;
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_text("#signin", |t| t.contains("signed out")).await;
    b.sign_in("una", "una password 1").await;
    b.wait_url(|u| u == folder_url).await;
    assert_eq!(
        b.wait_value("#new-doc-name", |v| v == "Budget").await,
        "Budget",
        "the name typed is back"
    );
    assert_eq!(
        b.wait_text("#new-doc-title", |t| !t.is_empty()).await,
        "New Excel workbook",
        "the kind is back"
    );
    b.click(Locator::Css("#new-doc-create")).await;
    b.wait_text("#notice", |t| t.contains("Document created"))
        .await;
    b.find(Locator::Css("tr.file-row[data-name='Budget.xlsx']"))
        .await;
    b.close().await;
    Ok(())
}
