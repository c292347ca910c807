//! Property tests: every parser and decoder that sees client bytes, fed arbitrary input. They
//! run on stable in the normal suite; the coverage-guided fuzz targets under `fuzz/` explore the
//! same functions further. Each property states something that can fail, not just "no panic".

use folio_wopi::chunked::ChunkId;
use folio_wopi::chunked::chunker::chunk_stream;
use folio_wopi::chunked::frames::{
    self, FrameDecoder, FrameEncoder, FrameError, FrameEvent, FrameLimits,
};
use folio_wopi::operation::{Endpoint, Method, WopiOperation};
use folio_wopi::proof::{self, ProofHeaders, ProofKeys, ProofSigner};
use folio_wopi::spooky::{self, SpookyHasher};
use folio_wopi::{FileId, LockId, action_url, discovery, naming, utf7};
use proptest::prelude::*;
use std::sync::OnceLock;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// UTF-7: encoding any string and decoding it gives the string back; encoded text is ASCII.
    #[test]
    fn utf7_round_trips(s in any::<String>()) {
        let encoded = utf7::encode(&s);
        prop_assert!(encoded.is_ascii());
        prop_assert_eq!(utf7::decode(&encoded).ok(), Some(s));
    }

    /// UTF-7: arbitrary ASCII header text either decodes or is refused; never panics, and a
    /// string without `+` is its own decoding.
    #[test]
    fn utf7_decode_total(s in "[ -~]{0,200}") {
        let decoded = utf7::decode(&s);
        if !s.contains('+') {
            prop_assert_eq!(decoded.ok(), Some(s));
        }
    }

    /// Lock ids: accepted exactly when non-empty, at most 1024 bytes, printable ASCII; the
    /// accepted id is byte-for-byte the input.
    #[test]
    fn lock_id_accepts_exactly_printable_ascii(s in any::<String>()) {
        let ok = !s.is_empty() && s.len() <= 1024 && s.bytes().all(|b| (0x20..0x7f).contains(&b));
        match LockId::parse(&s) {
            Ok(id) => { prop_assert!(ok); prop_assert_eq!(id.as_str(), s.as_str()); }
            Err(_) => prop_assert!(!ok),
        }
    }

    /// File ids from URLs: whatever is accepted round-trips and contains only URL-safe bytes.
    #[test]
    fn file_id_accepts_only_safe_ids(s in any::<String>()) {
        if let Ok(id) = FileId::parse(&s) {
            prop_assert_eq!(id.as_str(), s.as_str());
            prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
    }

    /// Override dispatch: GET never needs an override; a POST to the file endpoint with an
    /// override that is not a known WOPI verb is refused, never mapped to an operation.
    #[test]
    fn override_dispatch(ov in proptest::option::of("[ -~]{0,40}"), old in any::<bool>()) {
        prop_assert_eq!(
            WopiOperation::parse(Method::Get, Endpoint::File, ov.as_deref(), old).ok(),
            Some(WopiOperation::CheckFileInfo)
        );
        const KNOWN: &[&str] = &["PUT", "LOCK", "UNLOCK", "REFRESH_LOCK", "GET_LOCK", "PUT_RELATIVE",
            "RENAME_FILE", "DELETE", "PUT_USER_INFO", "GET_SHARE_URL"];
        let known = ov.as_deref().is_some_and(|o| KNOWN.contains(&o.trim()));
        if WopiOperation::parse(Method::Post, Endpoint::File, ov.as_deref(), old).is_ok() {
            prop_assert!(known, "{ov:?} was dispatched");
        }
        prop_assert!(WopiOperation::parse(Method::Other, Endpoint::File, ov.as_deref(), old).is_err());
    }

    /// Names: sanitize always yields a name that validate accepts; the n-th alternative of a
    /// legal name is legal and keeps its extension.
    #[test]
    fn sanitize_yields_legal_names(s in any::<String>(), n in 0u32..10_000) {
        let name = naming::sanitize(&s);
        prop_assert!(naming::validate_file_name(&name).is_ok(), "{name:?}");
        let alt = naming::nth_alternative(&name, n);
        prop_assert!(naming::validate_file_name(&alt).is_ok(), "{alt:?}");
        let (_, ext) = naming::split_ext(&name);
        let (_, alt_ext) = naming::split_ext(&alt);
        prop_assert_eq!(ext, alt_ext);
    }

    /// RenameFile names: a result is always legal and ends with the current extension.
    #[test]
    fn rename_target_is_legal(current in "[a-z]{1,8}\\.[a-z]{1,5}", requested in any::<String>()) {
        if let Ok(name) = naming::rename_target(&current, &requested) {
            prop_assert!(naming::validate_file_name(&name).is_ok());
            let (_, ext) = naming::split_ext(&current);
            prop_assert!(name.to_lowercase().ends_with(&ext.to_lowercase()));
        }
    }

    /// PutRelativeFile suggestions: always legal.
    #[test]
    fn suggested_target_is_legal(source in any::<String>(), suggested in any::<String>()) {
        let name = naming::suggested_target(&source, &suggested);
        prop_assert!(naming::validate_file_name(&name).is_ok(), "{name:?}");
    }

    /// Discovery XML: arbitrary text is parsed or refused with an error, never a panic; a
    /// parsed document has at least one app.
    #[test]
    fn discovery_parse_total(s in any::<String>()) {
        if let Ok(d) = discovery::parse(&s) {
            prop_assert!(!d.apps.is_empty());
        }
    }

    /// Discovery XML built from random pieces of the real grammar.
    #[test]
    fn discovery_parse_structured(zone in "[a-z-]{0,20}", ext in "[a-z]{0,6}", name in "[a-z]{0,6}",
                                  urlsrc in "[ -~]{0,80}", keyval in "[A-Za-z0-9+/=]{0,40}") {
        let xml = format!(
            r#"<wopi-discovery><net-zone name="{zone}"><app name="Word"><action name="{name}" ext="{ext}" urlsrc="{}"/></app></net-zone><proof-key value="{keyval}" modulus="{keyval}" exponent="AQAB"/></wopi-discovery>"#,
            urlsrc.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
        );
        let _ = discovery::parse(&xml);
    }

    /// Action URL templates: arbitrary templates never panic; a template without placeholders
    /// gets the WOPISrc appended, percent-encoded, exactly once.
    #[test]
    fn action_url_total(template in "[ -~]{0,120}", src in "[ -~]{1,60}") {
        let params = action_url::ActionUrlParams { wopi_src: src.clone(), ..Default::default() };
        let url = action_url::build_action_url(&template, &params);
        if !template.contains('<') && !template.contains('#') && !template.contains("WOPISrc") {
            let want = format!("WOPISrc={}", action_url::encode_component(&src));
            prop_assert_eq!(url.matches(&want).count(), 1, "{}", url);
        }
    }

    /// Proof headers: arbitrary header values never verify and never panic.
    #[test]
    fn proof_headers_never_verify_garbage(p in proptest::option::of("[ -~]{0,400}"),
                                          old in proptest::option::of("[ -~]{0,400}"),
                                          ts in proptest::option::of("[ -~]{0,30}")) {
        let keys = keys();
        let headers = ProofHeaders { proof: p.as_deref(), proof_old: old.as_deref(), timestamp: ts.as_deref() };
        let now = 1_700_000_000_000;
        prop_assert!(proof::verify_request(keys, "token", "https://h/wopi/files/x", &headers, now).is_err());
    }

    /// CSP blobs from discovery: arbitrary base64 is refused or yields a key; never panics.
    #[test]
    fn csp_blob_total(s in "[A-Za-z0-9+/=]{0,600}") {
        let _ = proof::ProofKey::from_csp_blob(&s);
    }

    /// .NET ticks: the conversions are inverse on milliseconds and never overflow.
    #[test]
    fn ticks_round_trip(ms in -62_135_596_800_000i64..253_402_300_799_000) {
        prop_assert_eq!(proof::ticks_to_unix_ms(proof::unix_ms_to_ticks(ms)), ms);
    }
}

fn keys() -> &'static ProofKeys {
    static KEYS: OnceLock<ProofKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let current = ProofSigner::generate(1024)
            .map(|s| s.public())
            .unwrap_or_else(|e| panic!("key generation: {e:?}"));
        ProofKeys { current, old: None }
    })
}

/// A correct signature still verifies (so the garbage property above is not vacuous).
#[test]
fn a_real_signature_verifies() {
    let signer = ProofSigner::generate(1024).unwrap_or_else(|e| panic!("{e:?}"));
    let keys = ProofKeys {
        current: signer.public(),
        old: None,
    };
    let now = 1_700_000_000_000;
    let ts = proof::unix_ms_to_ticks(now);
    let url = "https://h/wopi/files/x?access_token=token";
    let sig = signer
        .try_sign(&proof::expected_proof("token", url, ts))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let ts_text = ts.to_string();
    let headers = ProofHeaders {
        proof: Some(&sig),
        proof_old: None,
        timestamp: Some(&ts_text),
    };
    assert!(proof::verify_request(&keys, "token", url, &headers, now).is_ok());
}

proptest! {
    #![proptest_config(config())]

    /// Range headers: an accepted range lies inside the representation, first <= last.
    #[test]
    fn byte_range_within_size(v in "(bytes=)?[0-9 -]{0,24}(,[0-9-]{0,5})?", size in 0u64..1_000_000) {
        if let Ok((a, b)) = folio_wopi::range::parse_byte_range(&v, size) {
            prop_assert!(a <= b && b < size, "{v} of {size}: {a}-{b}");
        }
    }
}

/// A decoded body: the message and each chunk's (id, payload).
type Decoded = (Vec<u8>, Vec<(ChunkId, Vec<u8>)>);

/// Decodes `body` cut at `cuts` (positions, any order).
fn decode_in_pieces(body: &[u8], cuts: &[usize]) -> Result<Decoded, FrameError> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    points.push(0);
    points.push(body.len());
    points.sort_unstable();
    let mut decoder = FrameDecoder::new(FrameLimits::default());
    let mut message = Vec::new();
    let mut chunks: Vec<(ChunkId, Vec<u8>)> = Vec::new();
    for w in points.windows(2) {
        let mut input = &body[w[0]..w[1]];
        while let Some(event) = decoder.next_event(&mut input)? {
            match event {
                FrameEvent::Message(m) => message = m,
                FrameEvent::ChunkStart { id, .. } => chunks.push((id, Vec::new())),
                FrameEvent::Data(d) => {
                    if let Some((_, c)) = chunks.last_mut() {
                        c.extend_from_slice(d);
                    }
                }
                _ => {}
            }
        }
    }
    decoder.finish()?;
    Ok((message, chunks))
}

proptest! {
    #![proptest_config(config())]

    /// Frames: a body built by the encoder decodes to the same message and chunks however the
    /// bytes are cut, and every chunk's id is the SpookyHash of its payload.
    #[test]
    fn frames_round_trip(
        message in proptest::collection::vec(any::<u8>(), 0..300),
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..700), 0..6),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut enc = FrameEncoder::new();
        let mut body = enc.message(&message).unwrap_or_default();
        for c in &chunks {
            body.extend(enc.chunk(c).unwrap_or_default());
        }
        body.extend(enc.end().unwrap_or_default());
        prop_assert_eq!(&body, &frames::encode_body(&message, &chunks));
        let (m, got) = decode_in_pieces(&body, &cuts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(m, message);
        prop_assert_eq!(got.len(), chunks.len());
        for ((id, payload), want) in got.iter().zip(&chunks) {
            prop_assert_eq!(payload, want);
            prop_assert_eq!(*id, ChunkId::of(want));
        }
    }

    /// Frames: arbitrary bytes (or a valid body with one byte changed or cut short) are either
    /// a valid body or a typed error; the decoder never panics and never accepts a chunk whose
    /// payload does not hash to its id.
    #[test]
    fn frames_decode_total(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 0..4),
        flip in any::<(usize, u8)>(),
        cut in any::<usize>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        noise in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let good = frames::encode_body(b"{}", &chunks);
        let mut flipped = good.clone();
        let at = flip.0 % flipped.len();
        flipped[at] ^= flip.1.max(1);
        let short = &good[..cut % good.len()];
        for body in [&flipped[..], short, &noise[..]] {
            if let Ok((_, got)) = decode_in_pieces(body, &cuts) {
                for (id, payload) in got {
                    prop_assert_eq!(id, ChunkId::of(&payload));
                }
            }
        }
        prop_assert!(decode_in_pieces(short, &cuts).is_err());
    }

    /// SpookyHash: the streaming hasher equals the one-shot hash for any cut of any input.
    #[test]
    fn spooky_streaming_equals_one_shot(
        data in proptest::collection::vec(any::<u8>(), 0..1200),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        seeds in any::<(u64, u64)>(),
    ) {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
        points.push(0);
        points.push(data.len());
        points.sort_unstable();
        let mut h = SpookyHasher::new(seeds.0, seeds.1);
        for w in points.windows(2) {
            h.update(&data[w[0]..w[1]]);
        }
        prop_assert_eq!(h.finish(), spooky::hash128(&data, seeds.0, seeds.1));
    }

    /// Chunking: whatever the bytes (zip-looking or not), the chunks chosen by content
    /// partition the stream: lengths add up, none is empty, ids hash their slices.
    #[test]
    fn chunking_partitions_any_stream(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        zip_like in any::<bool>(),
    ) {
        let mut data = data;
        if zip_like && data.len() >= 4 {
            data[..4].copy_from_slice(b"PK\x03\x04");
        }
        let (_, sigs) = chunk_stream(&data);
        let mut at = 0usize;
        for s in &sigs {
            prop_assert!(s.length > 0);
            let end = at + s.length as usize;
            prop_assert!(end <= data.len());
            prop_assert_eq!(s.id, ChunkId::of(&data[at..end]));
            at = end;
        }
        prop_assert_eq!(at, data.len());
    }
}
