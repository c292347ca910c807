//! WOPI containers, the ecosystem and AddActivities over real HTTP: token scopes (a token is
//! accepted only on the URLs of what it was minted for), minted tokens that never outlive the
//! token they came from, ancestry that stops where the user's access stops, and comments that
//! reach the file's details page.

use crate::support::*;

/// Imports `content` as `folder/name` for `owner`; returns the file id.
fn put_in(s: &TestServer, owner: &str, folder: &str, name: &str, content: &[u8]) -> String {
    let local = s.dir.path().join(format!("upload-{}", rand_suffix()));
    std::fs::write(&local, content).unwrap_or_else(|e| panic!("write: {e}"));
    let path = local.to_string_lossy().to_string();
    let id = s.cli_ok(&[
        "files", "put", &path, "--owner", owner, "--folder", folder, "--name", name,
    ]);
    let _ = std::fs::remove_file(&local);
    id
}

async fn get_json(url: &str) -> (u16, serde_json::Value, Option<String>) {
    let r = client()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = r.status().as_u16();
    let incomplete = header(&r, "x-wopi-enumerationincomplete").map(str::to_owned);
    let v = r.json().await.unwrap_or(serde_json::Value::Null);
    (status, v, incomplete)
}

async fn status(url: &str) -> u16 {
    client()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .status()
        .as_u16()
}

/// `base?access_token=T` → (`base`, `T`).
fn split_url(url: &str) -> (String, String) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let token = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token="))
        .unwrap_or_default();
    (base.to_owned(), token.to_owned())
}

/// `url` with `suffix` appended to its path (as WOPI clients do).
fn with_path(url: &str, suffix: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    format!("{base}{suffix}?{query}")
}

fn str_of(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn tokens_are_accepted_only_on_the_urls_of_their_own_resource() -> TestResult {
    let s = TestServer::start();
    s.add_user("ada");
    let id = put_in(&s, "ada", "Docs", "a.docx", b"A");
    let file = s.token("ada", &id, &[]);
    // File → ancestry: root first, then Docs, each with its own container token.
    let (st, anc, incomplete) = get_json(&with_path(&file.file_url(), "/ancestry")).await;
    assert_eq!(st, 200, "{anc}");
    assert_eq!(incomplete, None, "the owner sees the whole chain");
    let list = anc["AncestorsWithRootFirst"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        list.iter().map(|a| str_of(&a["Name"])).collect::<Vec<_>>(),
        vec!["My files", "Docs"]
    );
    let root_url = str_of(&list[0]["Url"]);
    let docs_url = str_of(&list[1]["Url"]);
    let (root_base, root_token) = split_url(&root_url);
    let (docs_base, docs_token) = split_url(&docs_url);
    assert!(docs_base.starts_with(&format!("{}/wopi/containers/", s.url)));
    assert_ne!(docs_token, file.token, "every URL carries its own token");
    assert_eq!(status(&docs_url).await, 200, "CheckContainerInfo");
    let (_, info, _) = get_json(&docs_url).await;
    assert_eq!(info["Name"], "Docs");
    assert_eq!(info["UserCanCreateChildFile"], true);

    // A container token on the file's URL (and its sub-resources) → 401.
    for suffix in ["", "/contents", "/ancestry", "/ecosystem_pointer"] {
        let url = format!("{}{suffix}?access_token={docs_token}", file.wopi_src);
        assert_eq!(status(&url).await, 401, "container token on file {suffix}");
    }
    // The file token on a container URL → 401.
    for suffix in ["", "/children", "/ancestry", "/ecosystem_pointer"] {
        let url = format!("{docs_base}{suffix}?access_token={}", file.token);
        assert_eq!(status(&url).await, 401, "file token on container {suffix}");
    }
    // A container token for another container → 401 (the root's token on Docs and back).
    let url = format!("{docs_base}?access_token={root_token}");
    assert_eq!(status(&url).await, 401);
    let url = format!("{root_base}/children?access_token={docs_token}");
    assert_eq!(status(&url).await, 401);
    // The ecosystem token works on the ecosystem only.
    let (st, eco, _) = get_json(&with_path(&file.file_url(), "/ecosystem_pointer")).await;
    assert_eq!(st, 200);
    let eco_url = str_of(&eco["Url"]);
    let (eco_base, eco_token) = split_url(&eco_url);
    assert_eq!(eco_base, format!("{}/wopi/ecosystem", s.url));
    let (st, check, _) = get_json(&eco_url).await;
    assert_eq!(
        (st, check["SupportsContainers"].clone()),
        (200, true.into())
    );
    let (st, rootp, _) = get_json(&with_path(&eco_url, "/root_container_pointer")).await;
    assert_eq!(st, 200);
    assert_eq!(rootp["ContainerPointer"]["Name"], "My files");
    assert_eq!(
        split_url(&str_of(&rootp["ContainerPointer"]["Url"])).0,
        root_base
    );
    for url in [
        format!("{}?access_token={eco_token}", file.wopi_src),
        format!("{docs_base}?access_token={eco_token}"),
    ] {
        assert_eq!(status(&url).await, 401, "ecosystem token on {url}");
    }
    // File and container tokens on the ecosystem → 401.
    for t in [&file.token, &docs_token] {
        let url = format!("{}/wopi/ecosystem?access_token={t}", s.url);
        assert_eq!(status(&url).await, 401);
        let url = format!(
            "{}/wopi/ecosystem/root_container_pointer?access_token={t}",
            s.url
        );
        assert_eq!(status(&url).await, 401);
    }
    Ok(())
}

#[tokio::test]
async fn a_container_token_never_opens_another_users_folder() -> TestResult {
    let s = TestServer::start();
    s.add_user("ada");
    s.add_user("bob");
    let ada_file = s.token("ada", &put_in(&s, "ada", "Mine", "a.docx", b"A"), &[]);
    let bob_file = s.token("bob", &put_in(&s, "bob", "Private", "b.docx", b"B"), &[]);
    let (_, ada_anc, _) = get_json(&with_path(&ada_file.file_url(), "/ancestry")).await;
    let (_, bob_anc, _) = get_json(&with_path(&bob_file.file_url(), "/ancestry")).await;
    let (_, ada_token) = split_url(&str_of(&ada_anc["AncestorsWithRootFirst"][1]["Url"]));
    for i in [0, 1] {
        let (bob_base, _) = split_url(&str_of(&bob_anc["AncestorsWithRootFirst"][i]["Url"]));
        for suffix in ["", "/children", "/ancestry"] {
            let url = format!("{bob_base}{suffix}?access_token={ada_token}");
            assert_eq!(
                status(&url).await,
                401,
                "ada's container token on bob's {url}"
            );
        }
        let r = client()
            .post(format!("{bob_base}?access_token={ada_token}"))
            .header("X-WOPI-Override", "CREATE_CHILD_FILE")
            .header("X-WOPI-SuggestedTarget", ".docx")
            .send()
            .await?;
        assert_eq!(r.status(), 401);
    }
    // Nothing was created in bob's folder.
    let (_, bob_children, _) = get_json(&with_path(
        &str_of(&bob_anc["AncestorsWithRootFirst"][1]["Url"]),
        "/children",
    ))
    .await;
    assert_eq!(bob_children["ChildFiles"].as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test]
async fn minted_tokens_never_outlive_the_token_they_were_minted_from() -> TestResult {
    let s = TestServer::start();
    s.add_user("ada");
    let id = put_in(&s, "ada", "Docs", "a.docx", b"A");
    put_in(&s, "ada", "Docs/Sub", "b.docx", b"B");
    let file = s.token("ada", &id, &["--ttl", "20"]);
    // Mint one token of every kind from it, directly and at second hand.
    let (_, anc, _) = get_json(&with_path(&file.file_url(), "/ancestry")).await;
    let docs = str_of(&anc["AncestorsWithRootFirst"][1]["Url"]);
    let (_, children, _) = get_json(&with_path(&docs, "/children")).await;
    let sub = str_of(&children["ChildContainers"][0]["Url"]);
    let child_file = str_of(&children["ChildFiles"][0]["Url"]);
    let (_, sub_children, _) = get_json(&with_path(&sub, "/children")).await;
    let grandchild = str_of(&sub_children["ChildFiles"][0]["Url"]);
    let (_, eco, _) = get_json(&with_path(&file.file_url(), "/ecosystem_pointer")).await;
    let eco = str_of(&eco["Url"]);
    let (_, rootp, _) = get_json(&with_path(&eco, "/root_container_pointer")).await;
    let root = str_of(&rootp["ContainerPointer"]["Url"]);
    let created = client()
        .post(&docs)
        .header("X-WOPI-Override", "CREATE_CHILD_CONTAINER")
        .header("X-WOPI-SuggestedTarget", "New")
        .send()
        .await?;
    assert_eq!(created.status(), 200);
    let created: serde_json::Value = created.json().await?;
    let new_container = str_of(&created["ContainerPointer"]["Url"]);
    let minted = [docs, sub, child_file, grandchild, eco, root, new_container];
    for url in &minted {
        // (Only checked while the parent is certainly alive: a loaded machine may be slow.)
        let alive = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
            < file.ttl - 2000;
        if alive {
            assert_eq!(status(url).await, 200, "{url} works while the parent does");
        }
    }
    // Once the original token has expired, every token minted from it has too.
    assert!(
        TestServer::eventually(|| async { status(&file.file_url()).await == 401 }).await,
        "the 20-second token expires"
    );
    for url in &minted {
        assert_eq!(status(url).await, 401, "{url} expired with its parent");
    }
    Ok(())
}

#[tokio::test]
async fn ancestry_of_a_shared_file_stops_where_access_stops() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("ada", "ada-password-1");
    s.add_user("bob");
    let id = put_in(&s, "ada", "Secret/Plans", "plan.docx", b"P");
    let web = web_client(&s, "ada", "ada-password-1").await;
    let share = |path: String| {
        let web = web.clone();
        let base = s.url.clone();
        async move {
            let page = web
                .get(format!("{base}{path}"))
                .send()
                .await?
                .text()
                .await?;
            let csrf = form_value(&page, "csrf");
            let r = web
                .post(format!("{base}{path}"))
                .form(&[
                    ("login", "bob"),
                    ("role", "editor"),
                    ("csrf", csrf.as_str()),
                ])
                .send()
                .await?;
            assert_eq!(r.status(), 303, "share {path}");
            Ok::<_, reqwest::Error>(())
        }
    };
    // Shared file by file: bob sees no folder of ada's at all.
    share(format!("/files/{id}/share")).await?;
    let bob = s.token("bob", &id, &[]);
    let r = client()
        .get(with_path(&bob.file_url(), "/ancestry"))
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-enumerationincomplete"), Some("true"));
    let text = r.text().await?;
    assert_eq!(text, r#"{"AncestorsWithRootFirst":[]}"#);
    // Shared through its folder: the chain ends at that folder, never above it.
    let (_, ada_anc, _) = {
        let ada = s.token("ada", &id, &[]);
        get_json(&with_path(&ada.file_url(), "/ancestry")).await
    };
    let plans_id = split_url(&str_of(&ada_anc["AncestorsWithRootFirst"][2]["Url"]))
        .0
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    share(format!("/folders/{plans_id}/share")).await?;
    let r = client()
        .get(with_path(&bob.file_url(), "/ancestry"))
        .send()
        .await?;
    assert_eq!(header(&r, "x-wopi-enumerationincomplete"), Some("true"));
    let anc: serde_json::Value = r.json().await?;
    let list = anc["AncestorsWithRootFirst"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        list.iter().map(|a| str_of(&a["Name"])).collect::<Vec<_>>(),
        vec!["Plans"]
    );
    let plans = str_of(&list[0]["Url"]);
    let r = client().get(with_path(&plans, "/ancestry")).send().await?;
    assert_eq!(header(&r, "x-wopi-enumerationincomplete"), Some("true"));
    assert_eq!(r.text().await?, r#"{"AncestorsWithRootFirst":[]}"#);
    let body = serde_json::to_string(&anc)?;
    assert!(
        !body.contains("Secret"),
        "the owner's folders never appear: {body}"
    );
    Ok(())
}

#[tokio::test]
async fn add_activities_echoes_ids_and_comments_reach_the_details_page() -> TestResult {
    let s = TestServer::start();
    s.add_user_with_password("ada", "ada-password-1");
    let id = put_in(&s, "ada", "Docs", "talk.docx", b"T");
    let m = s.token("ada", &id, &[]);
    let body = r#"
      {"Activities":[
        {"Type":"comment","Id":"00000002-ABCD-ABCD-ABCD-ABCDEFABCDEF","Timestamp":"2017-03-15T13:47:13000000Z",
         "Data":{"ContentId":"c1","ContentAction":"created","CommentText":"Look at this @Bob","IsReply":false},
         "People":[{"Name":"Bob","Id":"111","Provider":"wopi-contoso","Mentioned":true}]},
        {"Type":"unsupported","Id":"x-2"}
      ]}"#;
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "ADD_ACTIVITIES")
        .body(body)
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await?;
    assert_eq!(
        v,
        serde_json::json!({"ActivityResponses":[
            {"Id":"00000002-ABCD-ABCD-ABCD-ABCDEFABCDEF","Status":0},
            {"Id":"x-2","Status":3}
        ]})
    );
    let web = web_client(&s, "ada", "ada-password-1").await;
    let page = web
        .get(format!("{}/files/{id}/versions", s.url))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Look at this @Bob"), "{page}");
    assert!(page.contains("mentions Bob"), "{page}");
    Ok(())
}
