//! Editor-specific behaviour: the Microsoft 365 notice on the host page, CheckFileInfo shaped for
//! Collabora and ONLYOFFICE, "no editor" answers. Discovery documents are local fixture files
//! without proof keys (so the test can call WOPI directly).

use crate::support::*;

fn discovery(urlsrc: &str, app: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery><net-zone name="external-https">
<app name="{app}" favIconUrl="https://editor.example/favicon.ico">
<action name="view" ext="docx" default="true" urlsrc="{urlsrc}" />
<action name="edit" ext="docx" requires="locks,update" urlsrc="{urlsrc}" />
</app></net-zone></wopi-discovery>"#
    )
}

fn token_from(page: &str) -> String {
    form_value(page, "access_token")
}

async fn open_page(s: &TestServer, web: &reqwest::Client, id: &str) -> String {
    let r = web
        .get(format!("{}/open/{id}?action=edit", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), 200);
    r.text().await.unwrap_or_default()
}

#[tokio::test]
async fn microsoft_collabora_and_onlyoffice_are_each_treated_as_documented() -> TestResult {
    let dir = tempfile::tempdir()?;
    let ms = dir.path().join("microsoft.xml");
    std::fs::write(
        &ms,
        discovery(
            "https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;",
            "Word",
        ),
    )?;
    let cool = dir.path().join("collabora.xml");
    std::fs::write(
        &cool,
        discovery(
            "https://collabora.example/browser/abc/cool.html?",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    )?;
    let oo = dir.path().join("onlyoffice.xml");
    std::fs::write(
        &oo,
        discovery(
            "https://office.example/hosting/wopi/word/edit?&lt;ui=UI_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;",
            "Word",
        ),
    )?;
    let cfg = format!(
        "[[editors]]\nname = \"m365\"\ndiscovery = \"{}\"\n[[editors]]\nname = \"cool\"\ndiscovery = \"{}\"\n[[editors]]\nname = \"oo\"\ndiscovery = \"{}\"\n",
        ms.display(),
        cool.display(),
        oo.display()
    );
    let s = TestServer::start_with(Some(&cfg), &[]);
    s.add_user_with_password("kit", "kit password 1");
    let id = s.put_file("kit", "memo.docx", b"docx bytes");
    let web = web_client(&s, "kit", "kit password 1").await;
    let status = s.editors_status().await;
    let kinds: Vec<String> = status["editors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["kind"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kinds, vec!["microsoft", "collabora", "onlyoffice"]);

    // Microsoft 365 (the first editor): the page names Microsoft's terms and privacy statement.
    let page = open_page(&s, &web, &id).await;
    assert!(
        page.contains("Microsoft Terms of Use") && page.contains("privacy.microsoft.com"),
        "notice shown"
    );
    assert!(
        page.contains("https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?ui=en-US"),
        "action URL built"
    );
    assert!(
        !page.contains("access_token="),
        "the token is never in a URL"
    );
    let t = token_from(&page);
    let cfi: serde_json::Value = client()
        .get(format!("{}/wopi/files/{id}?access_token={t}", s.url))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(cfi["PostMessageOrigin"], s.url.as_str());
    assert_eq!(cfi["ClosePostMessage"], true);
    assert!(
        cfi.get("EnableOwnerTermination").is_none(),
        "no Collabora extensions for Microsoft"
    );

    // Collabora: its extensions in CheckFileInfo; WOPISrc appended to its bare urlsrc.
    let page = web
        .get(format!("{}/open/{id}?action=edit&editor=cool", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(!page.contains("Microsoft Terms of Use"));
    assert!(
        page.contains("cool.html?WOPISrc=http"),
        "WOPISrc appended for Collabora"
    );
    let t = token_from(&page);
    let cfi: serde_json::Value = client()
        .get(format!("{}/wopi/files/{id}?access_token={t}", s.url))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(cfi["EnableOwnerTermination"], false);
    assert_eq!(cfi["HideSaveOption"], false);
    assert!(cfi["FileUrl"].is_string(), "Collabora tries FileUrl first");

    // ONLYOFFICE: its subset (no FileUrl; review flags present).
    let page = web
        .get(format!("{}/open/{id}?action=edit&editor=oo", s.url))
        .send()
        .await?
        .text()
        .await?;
    let t = token_from(&page);
    let cfi: serde_json::Value = client()
        .get(format!("{}/wopi/files/{id}?access_token={t}", s.url))
        .send()
        .await?
        .json()
        .await?;
    assert!(cfi.get("FileUrl").is_none());
    assert_eq!(cfi["SupportsReviewing"], false);

    // An extension no editor handles: a clear page, and the browser offers Download only.
    let other = s.put_file("kit", "archive.zip", b"zip");
    let r = web
        .get(format!("{}/open/{other}?action=view", s.url))
        .send()
        .await?;
    assert_eq!(r.status(), 501);
    assert!(r.text().await?.contains("No editor handles this file type"));
    Ok(())
}
