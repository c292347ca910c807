//! CSPP Plus incremental file transfer, pure (spec/cspp-plus.md §5–§9): chunk ids, the framed
//! binary body of GetChunkedFile / PutChunkedFile, the FullFile and Zip chunking schemes, and the
//! decisions about which chunks a response carries and whether an upload references only chunks
//! that exist.
//!
//! Everything here works on byte slices pushed in by the caller and never holds a whole document:
//! [`frames::FrameDecoder`] yields chunk data as it arrives and checks each chunk's SpookyHash on
//! the fly, [`chunker::StreamChunker`] cuts a stream into chunks while it passes through, and
//! [`zip::ZipScan`] asks for the few byte ranges it needs (end of central directory, central
//! directory) instead of reading the file. Not here: storage of chunks or streams, HTTP, the JSON
//! messages (those are in [`crate::wire::cspp`], the crate's only serde).

pub mod chunker;
pub mod frames;
pub mod transfer;
pub mod zip;

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::spooky::{self, SpookyHasher};

/// A chunk id (§5.2): SpookyHash V2-128 of the chunk's bytes with seeds `0`, `0`, stored as
/// `h1` little-endian ‖ `h2` little-endian. These 16 bytes are a Chunk frame's extended header;
/// the text form is standard Base64 with padding (24 characters, may contain `+` and `/`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkId([u8; 16]);

/// Why a text chunk id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a chunk id is 24 characters of standard Base64 for 16 bytes")]
pub struct InvalidChunkId;

impl ChunkId {
    /// The id of the empty chunk, `GQn1a/wGJyPHUei0Ze5yiw==`.
    pub const EMPTY: ChunkId = ChunkId::from_halves(0x232706fc6bf50919, 0x8b72ee65b4e851c7);

    /// The id of `data`.
    pub fn of(data: &[u8]) -> Self {
        let (h1, h2) = spooky::hash128(data, 0, 0);
        Self::from_halves(h1, h2)
    }

    /// The id of everything a hasher (seeded `0`, `0`) was fed.
    pub fn from_hasher(hasher: &SpookyHasher) -> Self {
        let (h1, h2) = hasher.finish();
        Self::from_halves(h1, h2)
    }

    /// The id for the two hash halves.
    pub const fn from_halves(h1: u64, h2: u64) -> Self {
        let a = h1.to_le_bytes();
        let b = h2.to_le_bytes();
        let mut out = [0u8; 16];
        let mut i = 0;
        while i < 8 {
            out[i] = a[i];
            out[i + 8] = b[i];
            i += 1;
        }
        Self(out)
    }

    /// The raw 16 bytes (a Chunk frame's extended header).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the Base64 text form, exactly: 24 characters, standard alphabet, padded,
    /// canonical.
    pub fn parse(s: &str) -> Result<Self, InvalidChunkId> {
        if s.len() != 24 {
            return Err(InvalidChunkId);
        }
        let bytes = STANDARD.decode(s).map_err(|_| InvalidChunkId)?;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| InvalidChunkId)
    }

    /// The Base64 text form.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChunkId({})", self.to_base64())
    }
}

/// One entry of a stream's signature: a chunk and its length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkSignature {
    /// The chunk's id.
    pub id: ChunkId,
    /// The chunk's length in bytes.
    pub length: u64,
}

/// The stream every file has: the document bytes that GetFile returns (§9.1).
pub const MAIN_CONTENT: &str = "MainContent";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_chunk_ids() {
        // spec/cspp-plus.md §12 (both hash paths: 200 and 1024 bytes are long).
        let a200 = vec![b'a'; 200];
        let ramp: Vec<u8> = (0..4).flat_map(|_| 0..=255u8).collect();
        let rows: &[(&[u8], &str)] = &[
            (b"", "GQn1a/wGJyPHUei0Ze5yiw=="),
            (b"hello", "yuaC02qCaDdD4BrH0R6UXA=="),
            (b"SampleTextVersion-1", "OpSWhpt12BRkuGX4z7bQPg=="),
            (b"Alt_SampleTextVersion-1", "sUIRbBoCFUe5wEQDA+mgxQ=="),
            (&a200, "MqQ5k4a/Tbv4pJ+uvBIQlw=="),
            (&ramp, "IRPnXr9eoH0L8KfpxFScWg=="),
        ];
        for (data, want) in rows {
            let id = ChunkId::of(data);
            assert_eq!(id.to_base64(), *want, "{} bytes", data.len());
            assert_eq!(ChunkId::parse(want), Ok(id));
            let mut h = SpookyHasher::default();
            for piece in data.chunks(13) {
                h.update(piece);
            }
            assert_eq!(ChunkId::from_hasher(&h), id);
        }
        assert_eq!(ChunkId::of(b""), ChunkId::EMPTY);
        assert_eq!(ChunkId::EMPTY.to_string(), "GQn1a/wGJyPHUei0Ze5yiw==");
    }

    #[test]
    fn raw_bytes_are_the_frame_extended_header() {
        // §12: the Chunk frame of "SampleTextVersion-1" carries these 16 bytes.
        let id = ChunkId::of(b"SampleTextVersion-1");
        let want = [
            0x3a, 0x94, 0x96, 0x86, 0x9b, 0x75, 0xd8, 0x14, 0x64, 0xb8, 0x65, 0xf8, 0xcf, 0xb6,
            0xd0, 0x3e,
        ];
        assert_eq!(id.as_bytes(), &want);
        assert_eq!(ChunkId::from_bytes(want), id);
    }

    #[test]
    fn text_form_is_strict() {
        for bad in [
            "",
            "GQn1a/wGJyPHUei0Ze5yiw=",
            "GQn1a/wGJyPHUei0Ze5yiw===",
            "GQn1a_wGJyPHUei0Ze5yiw==",
            "GQn1a/wGJyPHUei0Ze5yiwAA",
            "GQn1a/wGJyPHUei0Ze5yix==",
            " Qn1a/wGJyPHUei0Ze5yiw==",
        ] {
            assert_eq!(ChunkId::parse(bad), Err(InvalidChunkId), "{bad:?}");
        }
    }
}
