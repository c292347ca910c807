//! The JSON of CSPP Plus (spec/cspp-plus.md §3.3, §3.4, §5.3, §7.1, §7.2, §8.1): the coauth
//! table, the coauth-metadata request body, and the MessageJSON payloads of GetChunkedFile and
//! PutChunkedFile, checked against the validator's `JsonSchemas/*.json`.
//!
//! Parsing follows what the validator sends (`frames.py:dcjs_serialize`): keys in ordinal order,
//! `/` escaped as `\/` (plain JSON), `"UploadSessionTokenToCommit":null` (accepted, as is its
//! absence); unknown properties in requests are ignored. Fields are declared in ordinal order so
//! that what Folio serializes is byte-for-byte what the validator's serializer would write (the
//! §12 vectors pin this). Chunk ids are typed ([`ChunkId`], Base64 on the wire): a malformed id
//! makes the whole message malformed (400).
//!
//! Not here: what the messages mean ([`crate::chunked::transfer`], [`crate::coauth`]).

use std::collections::HashSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::chunked::{ChunkId, ChunkSignature};
use crate::error::WopiError;

impl Serialize for ChunkId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for ChunkId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        ChunkId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A chunking scheme (§6): how a stream is cut into chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChunkingScheme {
    /// The whole stream is one chunk (content that is not a zip archive).
    FullFile,
    /// Local header, data per entry; central directory to the end last (zip archives).
    Zip,
}

/// Which chunks of a stream a GetChunkedFile response carries (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChunksToReturn {
    /// Every chunk of the signature the client does not know.
    All,
    /// No chunk frames.
    None,
    /// Only the last chunk of a zip stream (none for FullFile).
    LastZipChunk,
}

/// A content property's lifetime across content changes (§9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Retention {
    /// Survives PutFile and other non-chunked updates.
    KeepOnContentChange,
    /// Cleared by PutFile and other non-chunked updates.
    DeleteOnContentChange,
}

/// A content property (§9.1). The field is `Retention`, not Learn's `ContentPropertyRetention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContentProperty {
    /// Property name (≤ 256 characters).
    pub name: String,
    /// Lifetime across content changes.
    pub retention: Retention,
    /// Property value (≤ 1 KB).
    pub value: String,
}

/// One chunk of a signature on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WireChunkSignature {
    /// The chunk id.
    pub chunk_id: ChunkId,
    /// Its length in bytes.
    pub length: u64,
}

impl From<ChunkSignature> for WireChunkSignature {
    fn from(c: ChunkSignature) -> Self {
        Self {
            chunk_id: c.id,
            length: c.length,
        }
    }
}

impl From<WireChunkSignature> for ChunkSignature {
    fn from(c: WireChunkSignature) -> Self {
        Self {
            id: c.chunk_id,
            length: c.length,
        }
    }
}

/// One stream's signature: its scheme and chunk list, in stream order (ids may repeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSignature {
    /// The chunks, in order.
    pub chunk_signatures: Vec<WireChunkSignature>,
    /// How the stream was cut.
    pub chunking_scheme: ChunkingScheme,
    /// `MainContent` or an alternate stream's name.
    pub stream_id: String,
}

/// One entry of `ContentFilters` (§7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContentFilter {
    /// Chunks the client already has (of this stream).
    pub already_known_chunks: Vec<ChunkId>,
    /// The client's view of the scheme; the host answers by content.
    pub chunking_scheme: ChunkingScheme,
    /// Which chunk frames to send.
    pub chunks_to_return: ChunksToReturn,
    /// The stream.
    pub stream_id: String,
}

/// The GetChunkedFile request message (`GetChunkedFileRequestSchema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetChunkedFileRequest {
    /// One filter per requested stream (at least one, stream ids distinct).
    pub content_filters: Vec<ContentFilter>,
    /// Names of the content properties to return (may be empty).
    pub content_properties_to_return: Vec<String>,
}

/// The GetChunkedFile response message (`GetChunkedFileResponseSchema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetChunkedFileResponse {
    /// The requested properties that exist (always present, may be empty).
    pub content_properties: Vec<ContentProperty>,
    /// One signature per requested stream, always the full signature.
    pub signatures: Vec<StreamSignature>,
}

/// The PutChunkedFile request message (`PutChunkedFileRequestSchema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutChunkedFileRequest {
    /// Properties to set.
    pub content_properties: Vec<ContentProperty>,
    /// The new signatures of the streams that change (at least one).
    pub signatures: Vec<StreamSignature>,
    /// Resumable transfer's session to commit: `null` or absent when unused.
    #[serde(default)]
    pub upload_session_token_to_commit: Option<String>,
}

/// The longest content property name (§9.3).
pub const MAX_PROPERTY_NAME_LEN: usize = 256;
/// The longest content property value, in bytes (§9.3).
pub const MAX_PROPERTY_VALUE_LEN: usize = 1024;

/// A JSON object (serde would also accept a struct written as an array).
fn object<T: serde::de::DeserializeOwned>(json: &[u8]) -> Option<T> {
    let first = json.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    serde_json::from_slice(json).ok()
}

fn distinct_streams<'a>(ids: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = HashSet::new();
    ids.into_iter().all(|id| seen.insert(id))
}

impl GetChunkedFileRequest {
    /// Parses and checks a MessageJSON payload: at least one filter, one per stream id, stream
    /// ids non-empty.
    pub fn parse(json: &[u8]) -> Result<Self, WopiError> {
        let req: Self =
            object(json).ok_or(WopiError::BadRequest("malformed GetChunkedFile message"))?;
        if req.content_filters.is_empty() {
            return Err(WopiError::BadRequest(
                "GetChunkedFile without ContentFilters",
            ));
        }
        if req.content_filters.iter().any(|f| f.stream_id.is_empty()) {
            return Err(WopiError::BadRequest("empty StreamId"));
        }
        if !distinct_streams(req.content_filters.iter().map(|f| f.stream_id.as_str())) {
            return Err(WopiError::BadRequest("two ContentFilters for one StreamId"));
        }
        Ok(req)
    }
}

impl PutChunkedFileRequest {
    /// Parses and checks a MessageJSON payload: at least one signature, one per stream id,
    /// stream ids non-empty, property names and values within §9.3's limits.
    pub fn parse(json: &[u8]) -> Result<Self, WopiError> {
        let req: Self =
            object(json).ok_or(WopiError::BadRequest("malformed PutChunkedFile message"))?;
        if req.signatures.is_empty() {
            return Err(WopiError::BadRequest("PutChunkedFile without Signatures"));
        }
        if req.signatures.iter().any(|s| s.stream_id.is_empty()) {
            return Err(WopiError::BadRequest("empty StreamId"));
        }
        if !distinct_streams(req.signatures.iter().map(|s| s.stream_id.as_str())) {
            return Err(WopiError::BadRequest("two Signatures for one StreamId"));
        }
        if req.content_properties.iter().any(|p| {
            p.name.is_empty()
                || p.name.chars().count() > MAX_PROPERTY_NAME_LEN
                || p.value.len() > MAX_PROPERTY_VALUE_LEN
        }) {
            return Err(WopiError::BadRequest(
                "content property name or value too long",
            ));
        }
        Ok(req)
    }
}

/// One row of the coauth table (`CoauthTableSchema.json`): exactly these five properties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CoauthTableRow {
    /// The coauth lock id, as the client sent it.
    pub coauth_lock_id: String,
    /// Client metadata (may be empty).
    pub coauth_lock_metadata: String,
    /// `Coauth` or `CoauthExclusive`.
    pub coauth_lock_type: &'static str,
    /// Display name of the user who acquired the lock (non-empty).
    pub user_friendly_name: String,
    /// Unix ms of the first acquisition.
    pub coauth_lock_time: i64,
}

/// The body of GetCoauthLock, RefreshCoauthLock and GetCoauthTable: `{"CoauthTable":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CoauthTable {
    /// The live rows.
    pub coauth_table: Vec<CoauthTableRow>,
}

#[derive(Deserialize)]
struct CoauthLockMetadataBody {
    #[serde(rename = "CoauthLockMetadata", default)]
    coauth_lock_metadata: Option<String>,
}

/// The optional JSON body of GetCoauthLock / RefreshCoauthLock, `{"CoauthLockMetadata":…}`
/// (§3.4). `None`: no body (empty, or only whitespace); `Some(None)`: a body whose value is
/// `null` or missing; `Some(Some(v))`: a string.
pub fn parse_coauth_lock_metadata(body: &[u8]) -> Result<Option<Option<String>>, WopiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let bad = || WopiError::BadRequest("malformed CoauthLockMetadata body");
    let parsed: CoauthLockMetadataBody = object(body).ok_or_else(bad)?;
    Ok(Some(parsed.coauth_lock_metadata))
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::*;

    fn id(s: &str) -> ChunkId {
        ChunkId::parse(s).unwrap()
    }

    #[test]
    fn validator_put_message_round_trips_byte_for_byte() {
        // spec/cspp-plus.md §12 (the 199-byte MessageJSON of the 282-byte body).
        let json = r#"{"ContentProperties":[],"Signatures":[{"ChunkSignatures":[{"ChunkId":"OpSWhpt12BRkuGX4z7bQPg==","Length":19}],"ChunkingScheme":"FullFile","StreamId":"MainContent"}],"UploadSessionTokenToCommit":null}"#;
        let req = PutChunkedFileRequest::parse(json.as_bytes()).unwrap();
        assert_eq!(
            req.signatures[0].chunk_signatures[0],
            WireChunkSignature {
                chunk_id: ChunkId::of(b"SampleTextVersion-1"),
                length: 19
            }
        );
        assert_eq!(req.upload_session_token_to_commit, None);
        assert_eq!(serde_json::to_string(&req).unwrap(), json);
    }

    #[test]
    fn validator_get_request_round_trips_byte_for_byte() {
        let json = r#"{"ContentFilters":[{"AlreadyKnownChunks":[],"ChunkingScheme":"FullFile","ChunksToReturn":"All","StreamId":"MainContent"}],"ContentPropertiesToReturn":[]}"#;
        let req = GetChunkedFileRequest::parse(json.as_bytes()).unwrap();
        assert_eq!(req.content_filters[0].chunks_to_return, ChunksToReturn::All);
        assert_eq!(serde_json::to_string(&req).unwrap(), json);
    }

    #[test]
    fn validator_accepted_response_parses_and_keeps_its_size() {
        // §12: 301 bytes; keys in another order than ours, so compare values and length.
        let json = r#"{"ContentProperties":[{"Retention":"KeepOnContentChange","Name":"name1","Value":"value1"}],"Signatures":[{"StreamId":"MainContent","ChunkingScheme":"FullFile","ChunkSignatures":[{"ChunkId":"OpSWhpt12BRkuGX4z7bQPg==","Length":19}]},{"StreamId":"Alternate","ChunkingScheme":"Zip","ChunkSignatures":[]}]}"#;
        assert_eq!(json.len(), 301);
        let resp: GetChunkedFileResponse = serde_json::from_str(json).unwrap();
        assert_eq!(resp.signatures[1].chunking_scheme, ChunkingScheme::Zip);
        assert_eq!(
            resp.content_properties[0].retention,
            Retention::KeepOnContentChange
        );
        assert_eq!(serde_json::to_string(&resp).unwrap().len(), 301);
    }

    #[test]
    fn escaped_slashes_and_absent_token_are_fine() {
        let json = r#"{"ContentProperties":[{"Name":"a\/b","Retention":"DeleteOnContentChange","Value":""}],"Signatures":[{"ChunkSignatures":[{"ChunkId":"GQn1a\/wGJyPHUei0Ze5yiw==","Length":0}],"ChunkingScheme":"Zip","StreamId":"Alternate"}],"Extra":1}"#;
        let req = PutChunkedFileRequest::parse(json.as_bytes()).unwrap();
        assert_eq!(req.content_properties[0].name, "a/b");
        assert_eq!(
            req.signatures[0].chunk_signatures[0].chunk_id,
            ChunkId::EMPTY
        );
        assert_eq!(req.upload_session_token_to_commit, None);
    }

    #[test]
    fn malformed_messages_are_bad_requests() {
        let sig = r#"{"ChunkSignatures":[],"ChunkingScheme":"FullFile","StreamId":"MainContent"}"#;
        let put = |s: &str| PutChunkedFileRequest::parse(s.as_bytes()).is_ok();
        let get = |s: &str| GetChunkedFileRequest::parse(s.as_bytes()).is_ok();
        let filter = |stream: &str| {
            format!(
                r#"{{"AlreadyKnownChunks":[],"ChunkingScheme":"Zip","ChunksToReturn":"None","StreamId":"{stream}"}}"#
            )
        };
        let rows: Vec<(String, bool, bool)> = vec![
            // (message, is it a PutChunkedFile message?, accepted?)
            (format!(r#"{{"ContentProperties":[],"Signatures":[{sig}]}}"#), true, true),
            (r#"{"ContentProperties":[],"Signatures":[]}"#.into(), true, false),
            (format!(r#"{{"Signatures":[{sig}]}}"#), true, false),
            (format!(r#"{{"ContentProperties":[],"Signatures":[{sig},{sig}]}}"#), true, false),
            (
                r#"{"ContentProperties":[],"Signatures":[{"ChunkSignatures":[{"ChunkId":"nope","Length":1}],"ChunkingScheme":"FullFile","StreamId":"MainContent"}]}"#.into(),
                true,
                false,
            ),
            (
                r#"{"ContentProperties":[],"Signatures":[{"ChunkSignatures":[{"ChunkId":"GQn1a/wGJyPHUei0Ze5yiw==","Length":-1}],"ChunkingScheme":"FullFile","StreamId":"MainContent"}]}"#.into(),
                true,
                false,
            ),
            (
                r#"{"ContentProperties":[],"Signatures":[{"ChunkSignatures":[],"ChunkingScheme":"Cobalt","StreamId":"MainContent"}]}"#.into(),
                true,
                false,
            ),
            (
                format!(
                    r#"{{"ContentProperties":[{{"Name":"{}","Retention":"KeepOnContentChange","Value":""}}],"Signatures":[{sig}]}}"#,
                    "n".repeat(257)
                ),
                true,
                false,
            ),
            (
                format!(
                    r#"{{"ContentProperties":[{{"Name":"n","Retention":"Forever","Value":""}}],"Signatures":[{sig}]}}"#
                ),
                true,
                false,
            ),
            ("".into(), true, false),
            ("[]".into(), true, false),
            (format!(r#"[[],[{sig}]]"#), true, false),
            (
                format!(r#"{{"ContentFilters":[{}],"ContentPropertiesToReturn":[]}}"#, filter("MainContent")),
                false,
                true,
            ),
            (
                format!(
                    r#"{{"ContentFilters":[{},{}],"ContentPropertiesToReturn":["a"]}}"#,
                    filter("MainContent"),
                    filter("Alternate")
                ),
                false,
                true,
            ),
            (
                format!(
                    r#"{{"ContentFilters":[{},{}],"ContentPropertiesToReturn":[]}}"#,
                    filter("MainContent"),
                    filter("MainContent")
                ),
                false,
                false,
            ),
            (r#"{"ContentFilters":[],"ContentPropertiesToReturn":[]}"#.into(), false, false),
            (
                format!(r#"{{"ContentFilters":[{}]}}"#, filter("MainContent")),
                false,
                false,
            ),
            (
                format!(r#"{{"ContentFilters":[{}],"ContentPropertiesToReturn":[]}}"#, filter("")),
                false,
                false,
            ),
            (
                r#"{"ContentFilters":[{"AlreadyKnownChunks":[],"ChunkingScheme":"Zip","ChunksToReturn":"Some","StreamId":"M"}],"ContentPropertiesToReturn":[]}"#.into(),
                false,
                false,
            ),
        ];
        for (msg, is_put, ok) in rows {
            let got = if is_put { put(&msg) } else { get(&msg) };
            assert_eq!(got, ok, "{msg}");
        }
    }

    #[test]
    fn coauth_table_has_exactly_the_schema_properties() {
        let table = CoauthTable {
            coauth_table: vec![CoauthTableRow {
                coauth_lock_id: "Client1".into(),
                coauth_lock_metadata: String::new(),
                coauth_lock_type: "Coauth",
                user_friendly_name: "Alice".into(),
                coauth_lock_time: 1_764_590_000_000,
            }],
        };
        assert_eq!(
            serde_json::to_string(&table).unwrap(),
            r#"{"CoauthTable":[{"CoauthLockId":"Client1","CoauthLockMetadata":"","CoauthLockType":"Coauth","UserFriendlyName":"Alice","CoauthLockTime":1764590000000}]}"#
        );
        assert_eq!(
            serde_json::to_string(&CoauthTable {
                coauth_table: vec![]
            })
            .unwrap(),
            r#"{"CoauthTable":[]}"#
        );
    }

    #[test]
    fn coauth_metadata_body() {
        let rows: &[(&str, Option<Option<&str>>)] = &[
            ("", None),
            ("  \r\n", None),
            (r#"{"CoauthLockMetadata":"b"}"#, Some(Some("b"))),
            (r#"{"CoauthLockMetadata":""}"#, Some(Some(""))),
            (r#"{"CoauthLockMetadata":null}"#, Some(None)),
            ("{}", Some(None)),
            (
                r#"{"CoauthLockMetadata":"a\/b \u00e9"}"#,
                Some(Some("a/b é")),
            ),
        ];
        for (body, want) in rows {
            let got = parse_coauth_lock_metadata(body.as_bytes()).unwrap();
            assert_eq!(got.as_ref().map(|o| o.as_deref()), *want, "{body}");
        }
        for bad in ["BIG FILE HERE", r#"{"CoauthLockMetadata":1}"#, "[]"] {
            assert!(parse_coauth_lock_metadata(bad.as_bytes()).is_err(), "{bad}");
        }
        let _ = id("GQn1a/wGJyPHUei0Ze5yiw==");
    }
}
