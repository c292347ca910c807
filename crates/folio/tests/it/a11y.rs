//! Accessibility: axe-core run in real Chromium on every page people see — signed out, as a
//! user, as an administrator, as a recipient of a share, with menus and dialogs open — at desktop
//! and phone size, in light and in dark mode. A serious or critical violation fails the test; every
//! page's result (violations by impact, rules that passed) is printed and written to
//! `artifacts/axe-<variant>.json` for the closing note.
//!
//! axe-core comes from npm: `scripts/test` installs it under the target directory and names
//! `axe.min.js` in `FOLIO_TEST_AXE`.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::support::*;

fn axe_source() -> String {
    let path = std::env::var("FOLIO_TEST_AXE").unwrap_or_else(|_| {
        panic!(
            "FOLIO_TEST_AXE must name axe-core's axe.min.js: run scripts/test (it installs \
             axe-core with npm), or `npm install --prefix /tmp/axe axe-core` and set \
             FOLIO_TEST_AXE=/tmp/axe/node_modules/axe-core/axe.min.js"
        )
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The result of one axe run on one page state.
struct Audit {
    page: String,
    /// `[{id, impact, nodes, help, targets}]`
    violations: Vec<Value>,
    passes: u64,
    /// How far the page is wider than the window, in CSS pixels (0: no sideways scrolling).
    overflow: f64,
}

impl Audit {
    fn serious(&self) -> Vec<&Value> {
        self.violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect()
    }
}

/// Injects axe into the current page (once per document) and runs it on the whole document
/// (frames excluded: the editor inside the host page is the editor's, not Folio's).
async fn audit(b: &Browser, axe: &str, variant: &str, page: &str) -> Audit {
    audit_without(b, axe, variant, page, &[]).await
}

/// `audit` with some rules off (each use says why).
/// Also takes a screenshot of the page state (`artifacts/page-<variant>-<page>.png`; the docs'
/// screenshots are copied from these).
async fn audit_without(b: &Browser, axe: &str, variant: &str, page: &str, off: &[&str]) -> Audit {
    let slug: String = page
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    b.screenshot(&format!("page-{variant}-{slug}")).await;
    let loaded = b
        .client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .map(|v| v.as_bool() == Some(true))
        .unwrap_or(false);
    if !loaded {
        b.client
            .execute(axe, vec![])
            .await
            .unwrap_or_else(|e| panic!("inject axe-core on {page}: {e}"));
    }
    let r = b
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var rules = {};
             arguments[0].forEach(function (id) { rules[id] = { enabled: false }; });
             axe.run(document, { iframes: false, resultTypes: ['violations'], rules: rules }).then(function (r) {
               done({ passes: r.passes.length, violations: r.violations.map(function (v) {
                 return { id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                          targets: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); }) };
               }) });
             }, function (e) { done({ error: String(e) }); });",
            vec![json!(off)],
        )
        .await
        .unwrap_or_else(|e| panic!("axe.run on {page}: {e}"));
    assert!(r.get("error").is_none(), "axe.run on {page}: {r}");
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    Audit {
        overflow,
        page: page.to_owned(),
        violations: r["violations"].as_array().cloned().unwrap_or_default(),
        passes: r["passes"].as_u64().unwrap_or(0),
    }
}

async fn sign_in_as(b: &Browser, s: &TestServer, login: &str, password: &str) {
    b.client
        .goto(&format!("{}/login", s.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    b.client
        .delete_all_cookies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    b.client
        .goto(&format!("{}/login", s.url))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    b.sign_in(login, password).await;
    b.wait_url(|u| u.contains("/folders/")).await;
}

async fn goto(b: &Browser, url: &str, ready_css: &str) {
    b.client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    b.find(Locator::Css(ready_css)).await;
}

/// One pass over every page; returns each page state's audit.
async fn audit_every_page(b: &Browser, s: &TestServer, axe: &str, variant: &str) -> Vec<Audit> {
    let phone = variant.starts_with("phone");
    let mut out = Vec::new();
    let Fixtures {
        doc,
        sub,
        shared_doc,
        link,
    } = fixtures(s).await;

    // Signed out.
    b.client
        .delete_all_cookies()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    goto(b, &format!("{}/login", s.url), "#login").await;
    out.push(audit(b, axe, variant, "sign-in").await);
    b.fill("#login", "ada").await;
    b.fill("#password", "wrong password here").await;
    b.click(Locator::Css("button[type=submit]")).await;
    b.find(Locator::Css(".error")).await;
    out.push(audit(b, axe, variant, "sign-in, refused").await);
    goto(b, &format!("{}{link}", s.url), "input[type=password]").await;
    out.push(audit(b, axe, variant, "public link password").await);
    b.fill("input[type=password]", "not the password").await;
    b.click(Locator::Css("form button[type=submit]")).await;
    b.find(Locator::Css(".error")).await;
    out.push(audit(b, axe, variant, "public link, wrong password").await);
    goto(b, &format!("{}/s/closed", s.url), "h1").await;
    out.push(audit(b, axe, variant, "public link closed").await);

    // The owner's pages.
    sign_in_as(b, s, "ada", "correct horse battery").await;
    let home = b
        .client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    b.find(Locator::Css("#listing")).await;
    out.push(audit(b, axe, variant, "folder").await);
    b.menu_item(&format!("tr.file-row[data-id='{doc}']"), "Rename…")
        .await;
    b.find(Locator::Css("dialog[open]")).await;
    out.push(audit(b, axe, variant, "folder, rename dialog open").await);
    goto(b, &home, "#listing").await;
    b.click_in(
        &format!("tr.file-row[data-id='{doc}']"),
        Locator::Css("button.more"),
    )
    .await;
    b.find(Locator::Css(".menu:not([hidden])")).await;
    out.push(audit(b, axe, variant, "folder, row menu open").await);
    goto(b, &home, "#listing").await;
    // On a phone the toolbar is behind "+ New".
    let behind_new = b
        .client
        .execute(
            "var t = document.getElementById('new-toggle');
             return !!t && getComputedStyle(t).display !== 'none';",
            vec![],
        )
        .await
        .map(|v| v.as_bool() == Some(true))
        .unwrap_or(false);
    if behind_new {
        b.click(Locator::Css("#new-toggle")).await;
    }
    b.click(Locator::Css("#new-word")).await;
    b.find(Locator::Css("#new-doc-dialog[open]")).await;
    out.push(audit(b, axe, variant, "folder, new document dialog").await);
    goto(b, &home, "#listing").await;
    b.menu_item(&format!("tr.file-row[data-id='{doc}']"), "Move…")
        .await;
    b.find(Locator::Css("#move-dialog[open] #picker li")).await;
    out.push(audit(b, axe, variant, "folder, move dialog").await);
    goto(b, &home, "#listing").await;
    // Select all (the column heading; on a phone, where headings are hidden, one row).
    b.click(Locator::Css(if phone {
        "input.pick"
    } else {
        "#select-all"
    }))
    .await;
    b.find(Locator::Css("#bulk-form:not([hidden])")).await;
    out.push(audit(b, axe, variant, "folder, all selected").await);
    goto(b, &home, "#listing").await;
    b.menu_item(&format!("tr.file-row[data-id='{doc}']"), "Details")
        .await;
    b.find(Locator::Css(".side-panel:not([hidden]) .details"))
        .await;
    out.push(audit(b, axe, variant, "folder, details panel").await);
    goto(b, &format!("{}/files/{doc}/details", s.url), "h1").await;
    out.push(audit(b, axe, variant, "details page").await);
    goto(b, &format!("{}/folders/{sub}", s.url), "#listing").await;
    out.push(audit(b, axe, variant, "subfolder").await);
    goto(b, &format!("{}/trash", s.url), "h1").await;
    out.push(audit(b, axe, variant, "trash").await);
    goto(b, &format!("{}/search?q=re", s.url), "h1").await;
    out.push(audit(b, axe, variant, "search").await);
    goto(b, &format!("{}/recent", s.url), "h1").await;
    out.push(audit(b, axe, variant, "recent").await);
    goto(b, &format!("{}/favourites", s.url), "h1").await;
    out.push(audit(b, axe, variant, "favourites").await);
    goto(b, &format!("{}/account", s.url), "h1").await;
    out.push(audit(b, axe, variant, "account").await);
    goto(b, &format!("{}/files/{shared_doc}/share", s.url), "h1").await;
    out.push(audit(b, axe, variant, "share file with people and a link").await);
    goto(b, &format!("{}/files/{doc}/versions", s.url), "h1").await;
    // Moments are shown in the browser's time zone and locale, not as the server's UTC text.
    b.wait_js(
        "the versions page's times in local form",
        "var t = document.querySelectorAll('time[datetime]');
         return t.length > 0 && Array.prototype.every.call(t, function (e) {
           return e.hasAttribute('data-local') && e.textContent.indexOf('UTC') < 0 &&
                  new Date(e.getAttribute('datetime')).getTime() > 0; });",
        |v| v.as_bool() == Some(true),
    )
    .await;
    out.push(audit(b, axe, variant, "versions").await);
    goto(b, &format!("{}/files/{doc}/share", s.url), "h1").await;
    out.push(audit(b, axe, variant, "share file").await);
    goto(b, &format!("{}/folders/{sub}/share", s.url), "h1").await;
    out.push(audit(b, axe, variant, "share folder").await);
    goto(b, &format!("{}/connected-apps", s.url), "h1").await;
    out.push(audit(b, axe, variant, "connected apps").await);
    goto(b, &format!("{}/admin", s.url), "h1").await;
    out.push(audit(b, axe, variant, "admin").await);
    goto(b, &format!("{}/admin/audit", s.url), "h1").await;
    out.push(audit(b, axe, variant, "admin audit").await);
    goto(b, &format!("{}/folders/no-such-folder", s.url), "h1").await;
    out.push(audit(b, axe, variant, "not found").await);
    goto(
        b,
        &format!("{}/open/{doc}?action=edit", s.url),
        "#office_frame",
    )
    .await;
    // The host page keeps the viewport Microsoft's host page documents (spec/hostpage.md: the
    // editor in the frame does its own zooming and touch handling, so the page must not scale);
    // axe's meta-viewport rule is off for this page only, and the page must carry exactly that
    // documented tag — no other exception anywhere.
    let viewport = b
        .client
        .execute(
            "var m = document.querySelector('meta[name=viewport]'); return m ? m.content : null;",
            vec![],
        )
        .await
        .unwrap_or_default();
    assert_eq!(
        viewport.as_str(),
        Some(
            "width=device-width, initial-scale=1, maximum-scale=1, minimum-scale=1, user-scalable=no"
        ),
        "the host page's viewport"
    );
    out.push(audit_without(b, axe, variant, "host page", &["meta-viewport"]).await);

    // A recipient.
    sign_in_as(b, s, "ben", "battery staple horse").await;
    goto(b, &format!("{}/shared", s.url), "h1").await;
    b.find(Locator::Css(&format!("a[href*='{shared_doc}']")))
        .await;
    out.push(audit(b, axe, variant, "shared with me").await);

    for a in &out {
        let counts = a.violations.iter().fold(
            std::collections::BTreeMap::<String, usize>::new(),
            |mut m, v| {
                *m.entry(v["impact"].as_str().unwrap_or("unknown").to_owned())
                    .or_default() += 1;
                m
            },
        );
        println!(
            "axe [{variant}] {:<28} passed rules {:>3}; violations {:?} {}",
            a.page,
            a.passes,
            counts,
            a.violations
                .iter()
                .map(|v| format!(
                    "{}({})",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?")
                ))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let report: Vec<Value> = out
        .iter()
        .map(|a| json!({ "page": a.page, "passes": a.passes, "violations": a.violations }))
        .collect();
    let _ = std::fs::write(
        artifacts_dir().join(format!("axe-{variant}.json")),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    out
}

/// What the pages are audited with.
struct Fixtures {
    doc: String,
    sub: String,
    shared_doc: String,
    /// A public view link with a password (its `/s/…` path).
    link: String,
}

/// ada (an administrator) owns documents, a folder, a file shared with ben, a favourite, a file
/// in the trash and a password-protected public link.
async fn fixtures(s: &TestServer) -> Fixtures {
    let doc = s.put_file("ada", "Quarterly report.docx", b"");
    let _ = s.put_file("ada", "Notes.txt", b"hello");
    let _ = s.put_file("ada", "Budget 2027.xlsx", b"");
    let _ = s.put_file("ada", "Roadmap.pptx", b"");
    let _ = s.put_file(
        "ada",
        "Minutes of the steering committee, 3 December 2026.txt",
        b"minutes",
    );
    let shared_doc = s.put_file("ada", "Shared plan.txt", b"plan");
    let c = web_client(s, "ada", "correct horse battery").await;
    let home = c
        .get(format!("{}/", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let folder = header(&home, "location")
        .unwrap_or_default()
        .trim_start_matches("/folders/")
        .to_owned();
    let html = c
        .get(format!("{}/folders/{folder}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let csrf = form_value(&html, "csrf");
    let r = c
        .post(format!("{}/folders/{folder}/new-folder", s.url))
        .form(&[("csrf", csrf.as_str()), ("name", "Projects")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_redirection(), "new folder: {}", r.status());
    let html = c
        .get(format!("{}/folders/{folder}", s.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let sub = html
        .split("class=\"folder-row\" data-id=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no folder row in {html}"))
        .to_owned();
    let r = c
        .post(format!("{}/files/{shared_doc}/share", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "ben"),
            ("role", "editor"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_redirection(), "share: {}", r.status());
    let r = c
        .post(format!("{}/files/{doc}/favourite", s.url))
        .form(&[("csrf", csrf.as_str()), ("on", "1"), ("back", "/")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_redirection(), "favourite: {}", r.status());
    let gone = s.put_file("ada", "Old draft.txt", b"old");
    let r = c
        .post(format!("{}/files/{gone}/delete", s.url))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.status().is_redirection(), "delete: {}", r.status());
    let html = c
        .post(format!("{}/files/{shared_doc}/links", s.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("tz", "0"),
            ("name", "Agency"),
            ("access", "view"),
            ("expires", ""),
            ("password", "link password 1"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let link = html
        .split(&format!("{}/s/", s.url))
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_alphanumeric()).next())
        .map(|secret| format!("/s/{secret}"))
        .unwrap_or_else(|| panic!("no link URL in the answer: {html}"));
    Fixtures {
        doc,
        sub,
        shared_doc,
        link,
    }
}

fn users(s: &TestServer) {
    let out = s.cli_stdin(
        &[
            "users",
            "add",
            "ada",
            "--name",
            "Ada Lovelace",
            "--admin",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.add_user_with_password("ben", "battery staple horse");
}

async fn run(variant: &str, extra_args: &[&str], phone: bool) -> TestResult {
    let axe = axe_source();
    let s = TestServer::start_with(None, &["--dev-editor"]);
    users(&s);
    let b = Browser::start_with_args(extra_args).await;
    if phone {
        b.client.set_window_size(390, 844).await?;
    }
    if variant.contains("dark") {
        b.client.goto(&format!("{}/login", s.url)).await?;
        b.wait_js(
            "the browser to prefer a dark colour scheme",
            "return window.matchMedia('(prefers-color-scheme: dark)').matches",
            |v| v.as_bool() == Some(true),
        )
        .await;
    }
    let audits = audit_every_page(&b, &s, &axe, variant).await;
    let bad: Vec<String> = audits
        .iter()
        .flat_map(|a| {
            a.serious()
                .into_iter()
                .map(|v| {
                    format!(
                        "{}: {} ({}) at {}",
                        a.page, v["id"], v["impact"], v["targets"]
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    b.close().await;
    assert!(
        bad.is_empty(),
        "serious or critical axe-core violations [{variant}]:\n{}",
        bad.join("\n")
    );
    assert!(
        audits.iter().all(|a| a.passes >= 8),
        "axe ran its rules on every page"
    );
    // No page scrolls sideways, on a phone either: every page fits the window's width.
    let wide: Vec<String> = audits
        .iter()
        .filter(|a| a.overflow > 0.5)
        .map(|a| format!("{} (+{} px)", a.page, a.overflow))
        .collect();
    assert!(
        wide.is_empty(),
        "pages wider than the window [{variant}]: {wide:?}"
    );
    Ok(())
}

#[tokio::test]
async fn every_page_has_no_serious_accessibility_violations_on_a_desktop() -> TestResult {
    run("desktop-light", &[], false).await
}

#[tokio::test]
async fn every_page_has_no_serious_accessibility_violations_on_a_phone_in_dark_mode() -> TestResult
{
    run(
        "phone-dark",
        &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ],
        true,
    )
    .await
}

/// The words a person sees on the page (visible text nodes, `title`, `aria-label`,
/// `placeholder`), less data (names, dates, sizes), that are not wrapped in the pseudo-locale's
/// `⟦…⟧`: text that did not come from the catalog (a `<time>` is data: the browser formats it).
const UNWRAPPED_JS: &str = r#"
const data = ['User ben', 'ben', 'Report.docx', 'Report', 'Folio', 'UTC', 'KB', 'folio serve --discovery URL'];
const bad = [];
const check = (t, where) => {
  if (!t || t.includes('⟦')) return;
  let rest = t;
  for (const d of data) rest = rest.split(d).join(' ');
  if (/\p{L}{2,}/u.test(rest)) bad.push(where + ': ' + t.trim());
};
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest('script,style,time,[hidden]') || !el.getClientRects().length) continue;
  check(n.textContent, el.tagName);
}
for (const el of document.querySelectorAll('[title],[aria-label],[placeholder]')) {
  for (const a of ['title', 'aria-label', 'placeholder']) check(el.getAttribute(a), el.tagName + '@' + a);
}
return { lang: document.documentElement.lang, bad: bad };
"#;

#[tokio::test]
async fn in_the_pseudo_locale_every_visible_word_comes_from_the_catalog() -> TestResult {
    let s = TestServer::start_with(None, &["--dev-editor"]);
    s.add_user_with_password("ben", "battery staple horse");
    s.put_file("ben", "Report.docx", b"x");
    let b = Browser::start_with_args(&["--accept-lang=qps-ploc", "--lang=qps-ploc"]).await;
    b.client.goto(&format!("{}/login", s.url)).await?;
    let mut problems = Vec::new();
    let login = b.client.execute(UNWRAPPED_JS, vec![]).await?;
    assert_eq!(
        login["lang"], "qps-ploc",
        "the browser asks for the pseudo-locale"
    );
    problems.extend(login["bad"].as_array().cloned().unwrap_or_default());
    b.sign_in("ben", "battery staple horse").await;
    let folder = b.wait_url(|u| u.contains("/folders/")).await;
    let pages = [
        (folder.clone(), "#listing"),
        (format!("{}/trash", s.url), "main"),
        (format!("{}/shared", s.url), "main"),
        (format!("{}/recent", s.url), "main"),
        (format!("{}/favourites", s.url), "main"),
        (format!("{}/search?q=Rep", s.url), "main"),
        (format!("{}/account", s.url), "main"),
    ];
    for (url, ready) in &pages {
        goto(&b, url, ready).await;
        let r = b.client.execute(UNWRAPPED_JS, vec![]).await?;
        for p in r["bad"].as_array().cloned().unwrap_or_default() {
            problems.push(json!(format!("{url}: {}", p.as_str().unwrap_or(""))));
        }
    }
    // The row menu a script fills, and the selection bar's words.
    goto(&b, &folder, "#listing").await;
    b.click(Locator::Css("tr.file-row button.more")).await;
    b.find(Locator::Css("#file-menu:not([hidden])")).await;
    b.click(Locator::Css("tr.file-row input.pick")).await;
    b.wait_text("#bulk-count", |t| t.contains('⟦')).await;
    let r = b.client.execute(UNWRAPPED_JS, vec![]).await?;
    problems.extend(r["bad"].as_array().cloned().unwrap_or_default());
    b.close().await;
    assert!(
        problems.is_empty(),
        "text not from the catalog: {problems:#?}"
    );
    Ok(())
}
