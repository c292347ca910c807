//! CSPP Plus against the real binary: the CSPP Plus CheckFileInfo only for an enrolled editor,
//! PutChunkedFile / GetChunkedFile round trips, malformed frames refused with nothing stored,
//! what a classic PutFile clears, and coauth locks holding classic writes off.

use folio_wopi::chunked::ChunkId;
use folio_wopi::chunked::frames::{self, FrameType};

use crate::support::*;

const PLUS_PROPS: [&str; 8] = [
    "SupportsCoauth",
    "SequenceNumber",
    "OfficeCollaborationServiceEndpointUrl",
    "RealTimeChannelEndpointUrl",
    "AccessTokenExpiry",
    "ServerTime",
    "SharingStatus",
    "FileGeoLocationCode",
];

/// A server with two editors from one local discovery file: `plus` enrolled in CSPP Plus and
/// `classic` not (no proof keys in the discovery, so none are enforced).
fn server() -> (TestServer, std::path::PathBuf) {
    let discovery = std::env::temp_dir().join(format!("folio-cspp-{}.xml", rand_suffix()));
    let xml = r#"<wopi-discovery><net-zone name="external-https"><app name="Word">
<action name="edit" ext="docx" urlsrc="https://office.example/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;" />
</app></net-zone></wopi-discovery>"#;
    std::fs::write(&discovery, xml).unwrap_or_else(|e| panic!("write discovery: {e}"));
    let d = discovery.to_string_lossy();
    let config = format!(
        r#"
[[editors]]
name = "plus"
discovery = "{d}"
kind = "microsoft"
cspp_plus = true
collaboration_url = "https://collab.example/"
realtime_channel_url = "https://rtc.example/"
file_geo_location_code = "EU"

[[editors]]
name = "classic"
discovery = "{d}"
kind = "microsoft"
"#
    );
    (TestServer::start_with_config(Some(&config)), discovery)
}

fn body(message: &serde_json::Value, chunks: &[&[u8]]) -> Vec<u8> {
    frames::encode_body(message.to_string().as_bytes(), chunks)
}

fn put_message(streams: &[(&str, &[&[u8]])]) -> serde_json::Value {
    let signatures: Vec<serde_json::Value> = streams
        .iter()
        .map(|(id, chunks)| {
            serde_json::json!({
                "ChunkSignatures": chunks.iter().map(|c| serde_json::json!({
                    "ChunkId": ChunkId::of(c).to_base64(), "Length": c.len()
                })).collect::<Vec<_>>(),
                "ChunkingScheme": "FullFile",
                "StreamId": id,
            })
        })
        .collect();
    serde_json::json!({
        "ContentProperties": [
            {"Name": "keep", "Retention": "KeepOnContentChange", "Value": "k"},
            {"Name": "drop", "Retention": "DeleteOnContentChange", "Value": "d"}
        ],
        "Signatures": signatures,
        "UploadSessionTokenToCommit": null
    })
}

async fn put_chunked(
    m: &Minted,
    sequence: &str,
    coauth_id: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response, reqwest::Error> {
    client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT_CHUNKED_FILE")
        .header("X-WOPI-SequenceNumber", sequence)
        .header("X-WOPI-Lock", "")
        .header("X-WOPI-CoauthLockId", coauth_id)
        .body(body)
        .send()
        .await
}

async fn get_chunked(
    m: &Minted,
    streams: &[&str],
    props: &[&str],
) -> Result<(u16, serde_json::Value, usize), Box<dyn std::error::Error + Send + Sync>> {
    let filters: Vec<serde_json::Value> = streams
        .iter()
        .map(|s| serde_json::json!({"AlreadyKnownChunks": [], "ChunkingScheme": "FullFile", "ChunksToReturn": "All", "StreamId": s}))
        .collect();
    let msg = serde_json::json!({"ContentFilters": filters, "ContentPropertiesToReturn": props});
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "GET_CHUNKED_FILE")
        .body(body(&msg, &[]))
        .send()
        .await?;
    let status = r.status().as_u16();
    let bytes = r.bytes().await?;
    if status != 200 {
        return Ok((status, serde_json::Value::Null, 0));
    }
    let decoded = frames::decode_body(&bytes, frames::FrameLimits::default())?;
    Ok((
        status,
        serde_json::from_slice(&decoded.message)?,
        decoded.chunks.len(),
    ))
}

#[tokio::test]
async fn the_cspp_plus_check_file_info_is_only_for_an_enrolled_editor() -> TestResult {
    let (s, discovery) = server();
    s.add_user("cora");
    let id = s.put_file("cora", "plan.docx", b"");
    let plus = s.token("cora", &id, &["--client", "plus"]);
    let classic = s.token("cora", &id, &["--client", "classic"]);
    let plain = s.token("cora", &id, &[]);
    let v: serde_json::Value = client().get(plus.file_url()).send().await?.json().await?;
    for p in PLUS_PROPS {
        assert!(
            v.get(p).is_some(),
            "{p} in the CSPP Plus CheckFileInfo: {v}"
        );
    }
    assert_eq!(v["SupportsCoauth"], true);
    assert_eq!(v["SequenceNumber"], 1);
    assert_eq!(v["SharingStatus"], "Private");
    assert_eq!(v["FileGeoLocationCode"], "EU");
    assert_eq!(v["AccessTokenExpiry"], plus.ttl);
    for m in [&classic, &plain] {
        let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
        for p in PLUS_PROPS {
            assert!(v.get(p).is_none(), "{p} not sent to a classic editor: {v}");
        }
    }
    // An unknown editor name is refused by the CLI.
    let out = s.cli(&["token", "--user", "cora", "--file", &id, "--client", "nope"]);
    assert!(!out.status.success());
    let _ = std::fs::remove_file(discovery);
    Ok(())
}

#[tokio::test]
async fn chunked_uploads_round_trip_and_malformed_frames_store_nothing() -> TestResult {
    let (s, discovery) = server();
    s.add_user("chad");
    let id = s.put_file("chad", "deck.docx", b"");
    let m = s.token("chad", &id, &["--client", "plus"]);
    let blobs = || count_files(&s.data.join("blobs"));
    let before = blobs();

    // Malformed bodies: 400, and neither a version nor a blob appears.
    let main: &[u8] = b"SampleTextVersion-1";
    let good = body(&put_message(&[("MainContent", &[main])]), &[main]);
    let mut lying_id = good.clone();
    let at = good.len() - 16 - main.len() - 16; // the Chunk frame's extended header (its id)
    lying_id[at] ^= 0xff;
    let mut unknown_type = good.clone();
    unknown_type[3] = 9;
    let bad_bodies: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() - 5].to_vec()),
        ("no end frame", good[..good.len() - 16].to_vec()),
        ("chunk id does not match its bytes", lying_id),
        ("unknown frame type", unknown_type),
        ("not frames at all", b"hello".to_vec()),
        (
            "a signature naming a chunk nobody sent",
            body(&put_message(&[("MainContent", &[main])]), &[]),
        ),
    ];
    for (what, b) in bad_bodies {
        let r = put_chunked(&m, "1", "", b).await?;
        assert_eq!(r.status(), 400, "{what}");
    }
    let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
    assert_eq!(v["SequenceNumber"], 1, "nothing was committed");
    assert_eq!(v["Size"], 0);
    if s.local_blobs() {
        assert_eq!(blobs(), before, "no blob left behind by a refused upload");
    }
    // A stale sequence number: 412 with the current one, empty body.
    let r = put_chunked(&m, "0", "", good.clone()).await?;
    assert_eq!(r.status(), 412);
    assert_eq!(header(&r, "x-wopi-sequencenumber"), Some("1"));

    // An empty unlocked file accepts the first upload: MainContent and an alternate stream.
    let alt: &[u8] = b"Alt_SampleTextVersion-1";
    let b = body(
        &put_message(&[("MainContent", &[main]), ("Alternate", &[alt])]),
        &[main, alt],
    );
    let r = put_chunked(&m, "1", "", b).await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-sequencenumber"), Some("2"));
    let got = client().get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(&got[..], main, "GetFile returns the chunked upload");
    let (status, msg, frames_n) =
        get_chunked(&m, &["MainContent", "Alternate"], &["keep", "drop"]).await?;
    assert_eq!(status, 200);
    assert_eq!(frames_n, 2);
    assert_eq!(
        msg["Signatures"][1]["ChunkSignatures"][0]["Length"],
        alt.len()
    );
    assert_eq!(msg["ContentProperties"].as_array().map(Vec::len), Some(2));

    // Coauth locks hold classic writes off (409 without X-WOPI-Lock); the holder may upload.
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "GET_COAUTH_LOCK")
        .header("X-WOPI-CoauthLockId", "client-1")
        .header("X-WOPI-CoauthLockType", "Coauth")
        .header("X-WOPI-CoauthLockExpirationTimeout", "600")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "x-wopi-coauthtableversion").is_some());
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .body("classic")
        .send()
        .await?;
    assert_eq!(r.status(), 409);
    assert_eq!(
        header(&r, "x-wopi-lock"),
        None,
        "coauth locks: no X-WOPI-Lock"
    );
    let main2: &[u8] = b"SampleTextVersion-2";
    let b = body(&put_message(&[("MainContent", &[main2])]), &[main2]);
    let r = put_chunked(&m, "2", "client-1", b).await?;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-wopi-sequencenumber"), Some("3"));
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "UNLOCK_COAUTH_LOCK")
        .header("X-WOPI-CoauthLockId", "client-1")
        .send()
        .await?;
    assert_eq!(r.status(), 200);

    // A classic PutFile (under a WOPI lock) clears the alternate stream and the
    // DeleteOnContentChange property, and moves the sequence number on.
    let lock = |op: &'static str| {
        client()
            .post(m.file_url())
            .header("X-WOPI-Override", op)
            .header("X-WOPI-Lock", "L1")
            .send()
    };
    assert_eq!(lock("LOCK").await?.status(), 200);
    let r = client()
        .post(m.contents_url())
        .header("X-WOPI-Override", "PUT")
        .header("X-WOPI-Lock", "L1")
        .body("classic save")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(lock("UNLOCK").await?.status(), 200);
    let (_, msg, _) = get_chunked(&m, &["MainContent", "Alternate"], &["keep", "drop"]).await?;
    assert_eq!(
        msg["Signatures"][1]["ChunkSignatures"],
        serde_json::json!([]),
        "{msg}"
    );
    assert_eq!(
        msg["Signatures"][1]["ChunkingScheme"], "Zip",
        "an unknown stream"
    );
    let names: Vec<&str> = msg["ContentProperties"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["Name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["keep"]);
    assert_eq!(
        msg["Signatures"][0]["ChunkSignatures"][0]["Length"], 12,
        "{msg}"
    );
    let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
    assert_eq!(v["SequenceNumber"], 4);
    // A chunk frame header is 16 bytes + a 16-byte id; the encoder agrees with the decoder.
    assert_eq!(
        frames::frame_header(FrameType::End, 0, 0),
        frames::END_FRAME
    );
    let _ = std::fs::remove_file(discovery);
    Ok(())
}

#[tokio::test]
async fn the_endpoints_come_from_the_discovery_when_not_configured() -> TestResult {
    let with = std::env::temp_dir().join(format!("folio-cspp-with-{}.xml", rand_suffix()));
    let without = std::env::temp_dir().join(format!("folio-cspp-without-{}.xml", rand_suffix()));
    let edit = r#"<app name="Word"><action name="edit" ext="docx" urlsrc="https://office.example/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;" /></app>"#;
    std::fs::write(
        &with,
        format!(
            r#"<wopi-discovery><net-zone name="external-https">{edit}<app name="Collaboration">
<action name="collab" urlsrc="https://collab.office.example/svc?&lt;ui=UI_LLCC&amp;&gt;" />
<action name="rtc" urlsrc="https://rtc.office.example/hub" /></app></net-zone></wopi-discovery>"#
        ),
    )?;
    std::fs::write(
        &without,
        format!(
            r#"<wopi-discovery><net-zone name="external-https">{edit}</net-zone></wopi-discovery>"#
        ),
    )?;
    let config = format!(
        r#"
[[editors]]
name = "with"
discovery = "{}"
cspp_plus = true
file_geo_location_code = "US"

[[editors]]
name = "without"
discovery = "{}"
cspp_plus = true
file_geo_location_code = "US"
"#,
        with.to_string_lossy(),
        without.to_string_lossy()
    );
    let s = TestServer::start_with_config(Some(&config));
    s.add_user("dora");
    let id = s.put_file("dora", "a.docx", b"");
    let m = s.token("dora", &id, &["--client", "with"]);
    let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
    assert_eq!(
        v["OfficeCollaborationServiceEndpointUrl"],
        "https://collab.office.example/svc"
    );
    assert_eq!(
        v["RealTimeChannelEndpointUrl"],
        "https://rtc.office.example/hub"
    );
    // Enrolled, but neither configured nor in the discovery: all eight or none, so none.
    let m = s.token("dora", &id, &["--client", "without"]);
    let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
    for p in PLUS_PROPS {
        assert!(v.get(p).is_none(), "{p}: {v}");
    }
    let _ = std::fs::remove_file(with);
    let _ = std::fs::remove_file(without);
    Ok(())
}

#[tokio::test]
async fn stored_chunks_are_reused_in_any_order() -> TestResult {
    let (s, discovery) = server();
    s.add_user("ora");
    let id = s.put_file("ora", "o.docx", b"");
    let m = s.token("ora", &id, &["--client", "plus"]);
    let (a, b, c): (&[u8], &[u8], &[u8]) = (b"first chunk,", b"second chunk,", b"third");
    let r = put_chunked(
        &m,
        "1",
        "",
        body(&put_message(&[("MainContent", &[a, b, c])]), &[a, b, c]),
    )
    .await?;
    assert_eq!(r.status(), 200);
    // No chunk sent: the new content reuses the stored ones, reordered and repeated.
    let r = put_chunked(
        &m,
        "2",
        "",
        body(&put_message(&[("MainContent", &[c, a, c, b])]), &[]),
    )
    .await;
    // The file is no longer empty and unlocked: take a coauth lock first.
    assert_eq!(r?.status(), 409);
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "GET_COAUTH_LOCK")
        .header("X-WOPI-CoauthLockId", "o")
        .header("X-WOPI-CoauthLockType", "Coauth")
        .header("X-WOPI-CoauthLockExpirationTimeout", "600")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    let r = put_chunked(
        &m,
        "2",
        "o",
        body(&put_message(&[("MainContent", &[c, a, c, b])]), &[]),
    )
    .await?;
    assert_eq!(r.status(), 200);
    let got = client().get(m.contents_url()).send().await?.bytes().await?;
    assert_eq!(&got[..], [c, a, c, b].concat().as_slice());
    let _ = std::fs::remove_file(discovery);
    Ok(())
}

/// `len` pseudo-random bytes (a different sequence per `seed`).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Bytes under the data directory's blobs (local storage only).
fn stored_bytes(s: &TestServer) -> u64 {
    fn walk(p: &std::path::Path) -> u64 {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .map(|e| match e.file_type() {
                        Ok(t) if t.is_dir() => walk(&e.path()),
                        _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&s.data.join("blobs"))
}

#[tokio::test]
async fn a_few_changed_chunks_of_a_large_document_are_all_that_is_stored() -> TestResult {
    use sha2::Digest;
    let (s, discovery) = server();
    s.add_user_with_password("seg", "pw-seg-123456");
    let id = s.put_file("seg", "deck.pptx", b"");
    let m = s.token("seg", &id, &["--client", "plus"]);
    let (a, b, c) = (noise(1, 1_500_000), noise(2, 1_000), noise(3, 1_500_000));
    let r = put_chunked(
        &m,
        "1",
        "",
        body(
            &put_message(&[("MainContent", &[&a, &b, &c])]),
            &[&a, &b, &c],
        ),
    )
    .await?;
    assert_eq!(r.status(), 200);
    let r = client()
        .post(m.file_url())
        .header("X-WOPI-Override", "GET_COAUTH_LOCK")
        .header("X-WOPI-CoauthLockId", "s")
        .header("X-WOPI-CoauthLockType", "Coauth")
        .header("X-WOPI-CoauthLockExpirationTimeout", "600")
        .send()
        .await?;
    assert_eq!(r.status(), 200);

    // Each save sends one changed chunk; the unchanged ones stay where they are.
    let b2 = noise(4, 1_200);
    let a2 = noise(5, 1_400_000);
    let saves: [(Vec<&[u8]>, &[u8]); 3] = [
        (vec![&a, &b2, &c], &b2),
        (vec![&a2, &b2, &c], &a2),
        // The same chunks again in another order, plus one repeated: nothing new is sent.
        (vec![&c, &b2, &a2, &b2], b""),
    ];
    let mut versions = vec![[&a[..], &b, &c].concat()];
    for (i, (chunks, sent)) in saves.iter().enumerate() {
        let before = stored_bytes(&s);
        let sequence = (i + 2).to_string();
        let frames: Vec<&[u8]> = if sent.is_empty() { vec![] } else { vec![sent] };
        let r = put_chunked(
            &m,
            &sequence,
            "s",
            body(&put_message(&[("MainContent", chunks)]), &frames),
        )
        .await?;
        assert_eq!(r.status(), 200, "save {i}");
        let want = chunks.concat();
        let got = client().get(m.contents_url()).send().await?.bytes().await?;
        assert!(
            got[..] == want[..],
            "save {i}: GetFile returns the new bytes"
        );
        let v: serde_json::Value = client().get(m.file_url()).send().await?.json().await?;
        let sha = base64_std(&sha2::Sha256::digest(&want));
        assert_eq!(v["SHA256"], sha, "save {i}: the hash of the whole content");
        assert_eq!(v["Size"], want.len(), "save {i}");
        if s.local_blobs() {
            let grew = stored_bytes(&s) - before;
            // Stored chunks reused out of order (save 2) are read where they are.
            let limit = sent.len() as u64;
            assert!(
                grew <= limit,
                "save {i}: {grew} bytes stored for a {} byte document ({} sent)",
                want.len(),
                sent.len()
            );
        }
        versions.push(want);
    }
    // GetChunkedFile serves the chunks of a segmented content.
    let (status, msg, chunks) = get_chunked(&m, &["MainContent"], &[]).await?;
    assert_eq!(status, 200);
    assert_eq!(chunks, 3, "three distinct chunks: {msg}");

    // The sweep keeps every blob the segments read; every version still reads back whole.
    s.cli_ok(&["sweep", "--grace", "0"]);
    let got = client().get(m.contents_url()).send().await?.bytes().await?;
    assert!(got[..] == versions[3][..], "after the sweep");
    let web = web_client(&s, "seg", "pw-seg-123456").await;
    for (i, want) in versions.iter().enumerate() {
        let url = format!("{}/files/{id}/download?version={}", s.url, i + 2);
        let got = web.get(url).send().await?.bytes().await?;
        assert!(got[..] == want[..], "version {} reads back whole", i + 2);
    }
    let _ = std::fs::remove_file(discovery);
    Ok(())
}

fn base64_std(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
