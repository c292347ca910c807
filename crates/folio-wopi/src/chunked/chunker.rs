//! Cutting a stream into chunks while it passes through (spec/cspp-plus.md §6): the FullFile
//! scheme (the whole stream is one chunk) and the Zip scheme (§6.1, with the central directory
//! found beforehand by [`super::zip::ZipScan`]; the local headers are read on the way).
//!
//! [`StreamChunker`] is fed like the frame decoder: [`StreamChunker::next_event`] hands back the
//! input as pieces that each belong to one chunk ([`ChunkerEvent::Data`]) and reports each chunk
//! when it is complete ([`ChunkerEvent::Chunk`], id and length); [`StreamChunker::finish`] closes
//! the last one. A caller can therefore write every chunk to its own blob without buffering it.
//!
//! An empty stream has **no** chunks under either scheme: the validator's FullFile processor does
//! the same (`frames.py:full_file_stream_to_blobs`) and accepts it, while Learn describes one
//! empty chunk; both pass (§7.3, §13). Not here: choosing the scheme for a request (the host
//! answers by content: [`chunk_stream`]).

use std::collections::BTreeSet;

use super::zip::{LOCAL_HEADER_LEN, ZipDirectory, local_data_start};
use super::{ChunkId, ChunkSignature};
use crate::spooky::SpookyHasher;
use crate::wire::cspp::ChunkingScheme;

/// One step of [`StreamChunker::next_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkerEvent<'a> {
    /// The next bytes of the current chunk (a piece of the input).
    Data(&'a [u8]),
    /// The current chunk is complete; the next `Data` starts a new one.
    Chunk(ChunkSignature),
}

/// The stream was not the one the zip directory was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stream has {actual} bytes, its zip directory was read from {expected}")]
pub struct LengthMismatch {
    /// Length the directory was scanned with.
    pub expected: u64,
    /// Bytes that arrived (so far, when too long).
    pub actual: u64,
}

/// A local header being read as it passes: its offset and the fixed bytes seen so far.
#[derive(Debug)]
struct Capture {
    at: u64,
    buf: [u8; LOCAL_HEADER_LEN as usize],
    have: usize,
}

/// Cuts one stream into chunks as it streams through.
#[derive(Debug)]
pub struct StreamChunker {
    scheme: ChunkingScheme,
    /// Chunk starts still ahead: local headers, data starts found so far, central directory.
    cuts: BTreeSet<u64>,
    /// Local headers still ahead, whose fixed part must be read to find the data start.
    headers: BTreeSet<u64>,
    capture: Option<Capture>,
    expected_len: Option<u64>,
    pos: u64,
    chunk_start: u64,
    hasher: SpookyHasher,
}

impl StreamChunker {
    /// The FullFile scheme: the whole stream is one chunk (none if empty).
    pub fn full_file() -> Self {
        Self {
            scheme: ChunkingScheme::FullFile,
            cuts: BTreeSet::new(),
            headers: BTreeSet::new(),
            capture: None,
            expected_len: None,
            pos: 0,
            chunk_start: 0,
            hasher: SpookyHasher::default(),
        }
    }

    /// The Zip scheme for the stream `dir` was scanned from.
    pub fn zip(dir: &ZipDirectory) -> Self {
        let mut cuts: BTreeSet<u64> = dir.local_headers.iter().copied().collect();
        cuts.insert(dir.central_directory);
        cuts.remove(&0);
        Self {
            scheme: ChunkingScheme::Zip,
            cuts,
            headers: dir.local_headers.iter().copied().collect(),
            capture: None,
            expected_len: Some(dir.len),
            pos: 0,
            chunk_start: 0,
            hasher: SpookyHasher::default(),
        }
    }

    /// The scheme this chunker applies.
    pub fn scheme(&self) -> ChunkingScheme {
        self.scheme
    }

    fn close_chunk(&mut self) -> ChunkSignature {
        let sig = ChunkSignature {
            id: ChunkId::from_hasher(&self.hasher),
            length: self.pos - self.chunk_start,
        };
        self.hasher = SpookyHasher::default();
        self.chunk_start = self.pos;
        sig
    }

    /// The next event from `input` (advanced past what it returns). `Ok(None)`: `input` is
    /// used up.
    pub fn next_event<'a>(
        &mut self,
        input: &mut &'a [u8],
    ) -> Result<Option<ChunkerEvent<'a>>, LengthMismatch> {
        loop {
            if let Some(&cut) = self.cuts.first()
                && cut <= self.pos
            {
                self.cuts.pop_first();
                if self.pos > self.chunk_start {
                    return Ok(Some(ChunkerEvent::Chunk(self.close_chunk())));
                }
                continue;
            }
            if self.capture.is_none() && self.headers.first() == Some(&self.pos) {
                let at = self.pos;
                self.headers.pop_first();
                // Read the fixed part only if no other chunk starts inside it.
                if self
                    .cuts
                    .first()
                    .is_none_or(|&c| c >= at + LOCAL_HEADER_LEN)
                {
                    self.capture = Some(Capture {
                        at,
                        buf: [0; LOCAL_HEADER_LEN as usize],
                        have: 0,
                    });
                }
            }
            if input.is_empty() {
                return Ok(None);
            }
            if let Some(expected) = self.expected_len
                && self.pos >= expected
            {
                return Err(LengthMismatch {
                    expected,
                    actual: self.pos + input.len() as u64,
                });
            }
            let mut stop = self.cuts.first().copied().unwrap_or(u64::MAX);
            if let Some(c) = &self.capture {
                stop = stop.min(c.at + LOCAL_HEADER_LEN);
            }
            if let Some(expected) = self.expected_len {
                stop = stop.min(expected);
            }
            let n = usize::try_from(stop - self.pos)
                .unwrap_or(usize::MAX)
                .min(input.len());
            let (piece, rest) = input.split_at(n);
            *input = rest;
            self.hasher.update(piece);
            self.pos += n as u64;
            if let Some(c) = &mut self.capture {
                c.buf[c.have..c.have + piece.len()].copy_from_slice(piece);
                c.have += piece.len();
                if c.have == LOCAL_HEADER_LEN as usize {
                    let at = c.at;
                    let start = local_data_start(at, &c.buf);
                    self.capture = None;
                    let next = self.cuts.first().copied().unwrap_or(u64::MAX);
                    if let Some(d) = start.filter(|&d| d <= next) {
                        self.cuts.insert(d);
                    }
                }
            }
            return Ok(Some(ChunkerEvent::Data(piece)));
        }
    }

    /// The end of the stream: the last chunk (`None` if the stream was empty).
    pub fn finish(mut self) -> Result<Option<ChunkSignature>, LengthMismatch> {
        if let Some(expected) = self.expected_len
            && self.pos != expected
        {
            return Err(LengthMismatch {
                expected,
                actual: self.pos,
            });
        }
        Ok((self.pos > self.chunk_start).then(|| self.close_chunk()))
    }

    /// All chunk signatures of a stream fed in pieces (no chunk bytes are kept).
    pub fn signatures<'a>(
        mut self,
        pieces: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Vec<ChunkSignature>, LengthMismatch> {
        let mut out = Vec::new();
        for piece in pieces {
            let mut input = piece;
            while let Some(event) = self.next_event(&mut input)? {
                if let ChunkerEvent::Chunk(sig) = event {
                    out.push(sig);
                }
            }
        }
        out.extend(self.finish()?);
        Ok(out)
    }
}

/// The scheme and signature of a stream in memory, chosen by content (§6): `Zip` when it is a
/// zip archive, else `FullFile`.
pub fn chunk_stream(stream: &[u8]) -> (ChunkingScheme, Vec<ChunkSignature>) {
    let chunker = match ZipDirectory::from_bytes(stream) {
        Ok(dir) => StreamChunker::zip(&dir),
        Err(_) => StreamChunker::full_file(),
    };
    let scheme = chunker.scheme();
    // The stream is the one scanned, so the lengths agree.
    let sigs = chunker.signatures([stream]).unwrap_or_default();
    (scheme, sigs)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::super::zip::tests::{Build, Entry, build};
    use super::super::zip::zip_boundaries;
    use super::*;

    fn sigs_from_cuts(stream: &[u8], cuts: &[u64]) -> Vec<ChunkSignature> {
        let mut ends: Vec<u64> = cuts[1..].to_vec();
        ends.push(stream.len() as u64);
        cuts.iter()
            .zip(ends)
            .map(|(&a, b)| {
                let chunk = &stream[a as usize..b as usize];
                ChunkSignature {
                    id: ChunkId::of(chunk),
                    length: chunk.len() as u64,
                }
            })
            .collect()
    }

    #[test]
    fn full_file_is_one_chunk_and_empty_is_none() {
        let data = b"SampleTextVersion-1";
        for piece in [1, 5, 19] {
            assert_eq!(
                StreamChunker::full_file()
                    .signatures(data.chunks(piece))
                    .unwrap(),
                vec![ChunkSignature {
                    id: ChunkId::parse("OpSWhpt12BRkuGX4z7bQPg==").unwrap(),
                    length: 19
                }]
            );
        }
        assert_eq!(StreamChunker::full_file().signatures([]).unwrap(), vec![]);
        assert_eq!(chunk_stream(b""), (ChunkingScheme::FullFile, Vec::new()));
        assert_eq!(chunk_stream(data).0, ChunkingScheme::FullFile);
    }

    #[test]
    fn zip_streamed_in_any_cut_matches_the_in_memory_rule() {
        let big: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        let entries = [
            Entry {
                name: "[Content_Types].xml",
                data: b"<Types/>",
                local_extra: 520,
                descriptor: false,
            },
            Entry {
                name: "dir/",
                data: b"",
                local_extra: 0,
                descriptor: false,
            },
            Entry {
                name: "word/document.xml",
                data: &big,
                local_extra: 0,
                descriptor: true,
            },
        ];
        for opts in [
            Build::default(),
            Build {
                zip64: true,
                comment: b"c",
                ..Build::default()
            },
        ] {
            let (zip, cuts) = build(&entries, &opts);
            assert_eq!(zip_boundaries(&zip).unwrap(), cuts);
            let want = sigs_from_cuts(&zip, &cuts);
            let dir = ZipDirectory::from_bytes(&zip).unwrap();
            for piece in [1, 3, 29, 30, 31, 64, 1000, zip.len()] {
                let got = StreamChunker::zip(&dir)
                    .signatures(zip.chunks(piece))
                    .unwrap();
                assert_eq!(got, want, "pieces of {piece}");
            }
            assert_eq!(chunk_stream(&zip), (ChunkingScheme::Zip, want));
        }
    }

    #[test]
    fn data_pieces_never_straddle_a_chunk() {
        let (zip, cuts) = build(
            &[
                Entry {
                    name: "a",
                    data: b"0123456789",
                    local_extra: 8,
                    descriptor: false,
                },
                Entry {
                    name: "b",
                    data: b"abc",
                    local_extra: 0,
                    descriptor: false,
                },
            ],
            &Build::default(),
        );
        let dir = ZipDirectory::from_bytes(&zip).unwrap();
        let mut c = StreamChunker::zip(&dir);
        let mut chunks: Vec<Vec<u8>> = vec![Vec::new()];
        let mut input: &[u8] = &zip;
        while let Some(e) = c.next_event(&mut input).unwrap() {
            match e {
                ChunkerEvent::Data(d) => chunks.last_mut().unwrap().extend_from_slice(d),
                ChunkerEvent::Chunk(sig) => {
                    assert_eq!(ChunkId::of(chunks.last().unwrap()), sig.id);
                    chunks.push(Vec::new());
                }
            }
        }
        let last = c.finish().unwrap().unwrap();
        assert_eq!(ChunkId::of(chunks.last().unwrap()), last.id);
        assert_eq!(chunks.len(), cuts.len());
        assert_eq!(chunks.concat(), zip);
    }

    #[test]
    fn a_different_stream_is_reported() {
        let (zip, _) = build(
            &[Entry {
                name: "a",
                data: b"1",
                local_extra: 0,
                descriptor: false,
            }],
            &Build::default(),
        );
        let dir = ZipDirectory::from_bytes(&zip).unwrap();
        let short = StreamChunker::zip(&dir).signatures([&zip[..zip.len() - 1]]);
        assert_eq!(
            short,
            Err(LengthMismatch {
                expected: zip.len() as u64,
                actual: zip.len() as u64 - 1
            })
        );
        let mut longer = zip.clone();
        longer.push(0);
        assert!(StreamChunker::zip(&dir).signatures([&longer[..]]).is_err());
    }
}
