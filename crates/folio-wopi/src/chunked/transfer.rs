//! The pure decisions of GetChunkedFile (spec/cspp-plus.md §7) and PutChunkedFile (§8.2 check 6,
//! §8.3): which Chunk frames a response carries, what signature an unknown stream has, whether
//! an upload references only chunks that exist with the right length, and how a stream is
//! assembled from its signature. Not here: the lock and sequence-number checks
//! ([`crate::coauth`]), storage, and the frames themselves ([`super::frames`]).

use std::collections::{HashMap, HashSet};

use super::{ChunkId, ChunkSignature};
use crate::error::WopiError;
use crate::wire::cspp::{ChunkingScheme, ChunksToReturn, ContentFilter};

/// A stream as the host has it: scheme and chunk list in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostStream {
    /// How the stream is cut.
    pub scheme: ChunkingScheme,
    /// Its chunks, in order (ids may repeat).
    pub chunks: Vec<ChunkSignature>,
}

impl HostStream {
    /// The signature reported for a stream the file does not have (§7.2, L6480, L7421):
    /// `Zip` with no chunks, whatever scheme was asked for.
    pub fn unknown() -> Self {
        Self {
            scheme: ChunkingScheme::Zip,
            chunks: Vec::new(),
        }
    }

    /// Total length in bytes.
    pub fn len(&self) -> u64 {
        self.chunks.iter().map(|c| c.length).sum()
    }

    /// Whether the stream has no bytes.
    pub fn is_empty(&self) -> bool {
        self.chunks.iter().all(|c| c.length == 0)
    }
}

/// The chunk ids whose Chunk frames a GetChunkedFile response carries, in order of first
/// appearance, each once across all streams (§5.1, §7.2). Per stream: `All` — every chunk of
/// the signature not in that filter's `AlreadyKnownChunks`; `None` — nothing; `LastZipChunk` —
/// the last chunk of a `Zip` stream (even if the client lists it as known: untested, and sending
/// it is harmless), nothing for `FullFile`.
pub fn chunks_to_send<'a>(
    requests: impl IntoIterator<Item = (&'a ContentFilter, &'a HostStream)>,
) -> Vec<ChunkId> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (filter, stream) in requests {
        let known: HashSet<&ChunkId> = filter.already_known_chunks.iter().collect();
        let wanted: Vec<ChunkId> = match filter.chunks_to_return {
            ChunksToReturn::None => Vec::new(),
            ChunksToReturn::All => stream
                .chunks
                .iter()
                .map(|c| c.id)
                .filter(|id| !known.contains(id))
                .collect(),
            ChunksToReturn::LastZipChunk => match stream.scheme {
                ChunkingScheme::Zip => stream.chunks.last().map(|c| c.id).into_iter().collect(),
                ChunkingScheme::FullFile => Vec::new(),
            },
        };
        for id in wanted {
            if seen.insert(id) {
                out.push(id);
            }
        }
    }
    out
}

/// PutChunkedFile check 6 (§8.2): every chunk a new signature references is either in the body
/// (`uploaded`: id → length of its Chunk frame) or already on the host (`stored`: its length, if
/// the host has it), and the signature's `Length` equals the chunk's size. A wrong length or an
/// unknown id is a 400.
pub fn check_references<'a>(
    signatures: impl IntoIterator<Item = &'a [ChunkSignature]>,
    uploaded: &HashMap<ChunkId, u64>,
    mut stored: impl FnMut(&ChunkId) -> Option<u64>,
) -> Result<(), WopiError> {
    for sig in signatures {
        for c in sig {
            let have = uploaded.get(&c.id).copied().or_else(|| stored(&c.id));
            match have {
                None => {
                    return Err(WopiError::BadRequest(
                        "the signature references a chunk the host does not have",
                    ));
                }
                Some(len) if len != c.length => {
                    return Err(WopiError::BadRequest(
                        "a chunk's Length differs from its size",
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// What PutChunkedFile does to one stream (§8.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamUpdate {
    /// Replace the stream with the concatenation of these chunks, in order.
    Replace(Vec<ChunkSignature>),
    /// Delete the alternate stream (a signature with no chunks for a stream other than
    /// `MainContent`).
    Delete,
}

/// The update a stream's new signature asks for: an empty signature deletes an alternate stream
/// and empties `MainContent` (which always exists).
pub fn stream_update(stream_id: &str, chunks: &[ChunkSignature]) -> StreamUpdate {
    if chunks.is_empty() && stream_id != super::MAIN_CONTENT {
        StreamUpdate::Delete
    } else {
        StreamUpdate::Replace(chunks.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(data: &[u8]) -> ChunkSignature {
        ChunkSignature {
            id: ChunkId::of(data),
            length: data.len() as u64,
        }
    }

    fn filter(to_return: ChunksToReturn, known: &[&[u8]]) -> ContentFilter {
        ContentFilter {
            already_known_chunks: known.iter().map(|k| ChunkId::of(k)).collect(),
            chunking_scheme: ChunkingScheme::FullFile,
            chunks_to_return: to_return,
            stream_id: "MainContent".into(),
        }
    }

    #[test]
    fn chunk_selection_table() {
        let zip = HostStream {
            scheme: ChunkingScheme::Zip,
            chunks: vec![c(b"h1"), c(b"d1"), c(b"h2"), c(b"d1"), c(b"cd")],
        };
        let alt = HostStream {
            scheme: ChunkingScheme::Zip,
            chunks: vec![c(b"h1"), c(b"x"), c(b"cd2")],
        };
        let full = HostStream {
            scheme: ChunkingScheme::FullFile,
            chunks: vec![c(b"SampleTextVersion-1")],
        };
        let unknown = HostStream::unknown();
        use ChunksToReturn::*;
        type Row<'a> = (&'a str, Vec<(ContentFilter, &'a HostStream)>, Vec<&'a [u8]>);
        let rows: Vec<Row> = vec![
            (
                "all, nothing known, repeated id once",
                vec![(filter(All, &[]), &zip)],
                vec![b"h1", b"d1", b"h2", b"cd"],
            ),
            (
                "all minus known",
                vec![(filter(All, &[b"d1", b"cd"]), &zip)],
                vec![b"h1", b"h2"],
            ),
            (
                "none",
                vec![(filter(None, &[]), &zip), (filter(None, &[]), &alt)],
                vec![],
            ),
            (
                "last zip chunk per stream",
                vec![
                    (filter(LastZipChunk, &[]), &zip),
                    (filter(LastZipChunk, &[]), &alt),
                ],
                vec![b"cd", b"cd2"],
            ),
            (
                "last zip chunk even if known",
                vec![(filter(LastZipChunk, &[b"cd"]), &zip)],
                vec![b"cd"],
            ),
            (
                "last zip chunk on FullFile is nothing",
                vec![(filter(LastZipChunk, &[]), &full)],
                vec![],
            ),
            (
                "shared chunks across streams once",
                vec![(filter(All, &[]), &zip), (filter(All, &[]), &alt)],
                vec![b"h1", b"d1", b"h2", b"cd", b"x", b"cd2"],
            ),
            (
                "known applies per stream",
                vec![(filter(All, &[b"h1"]), &zip), (filter(All, &[]), &alt)],
                vec![b"d1", b"h2", b"cd", b"h1", b"x", b"cd2"],
            ),
            ("unknown stream", vec![(filter(All, &[]), &unknown)], vec![]),
        ];
        for (what, requests, want) in rows {
            let got = chunks_to_send(requests.iter().map(|(f, s)| (f, *s)));
            let want: Vec<ChunkId> = want.iter().map(|d| ChunkId::of(d)).collect();
            assert_eq!(got, want, "{what}");
        }
    }

    #[test]
    fn reference_checks() {
        let uploaded: HashMap<ChunkId, u64> = [(ChunkId::of(b"new"), 3)].into();
        let stored = |id: &ChunkId| (*id == ChunkId::of(b"old!")).then_some(4);
        let rows: &[(&[ChunkSignature], bool)] = &[
            (&[], true),
            (&[c(b"new")], true),
            (&[c(b"old!"), c(b"new"), c(b"old!")], true),
            (&[c(b"missing")], false),
            (
                &[ChunkSignature {
                    id: ChunkId::of(b"new"),
                    length: 4,
                }],
                false,
            ),
            (
                &[ChunkSignature {
                    id: ChunkId::of(b"old!"),
                    length: 3,
                }],
                false,
            ),
        ];
        for (sig, ok) in rows {
            assert_eq!(
                check_references([*sig], &uploaded, stored).is_ok(),
                *ok,
                "{sig:?}"
            );
        }
    }

    #[test]
    fn empty_signatures_delete_alternates_only() {
        assert_eq!(stream_update("Alternate", &[]), StreamUpdate::Delete);
        assert_eq!(
            stream_update("MainContent", &[]),
            StreamUpdate::Replace(vec![])
        );
        assert_eq!(
            stream_update("Alternate", &[c(b"x")]),
            StreamUpdate::Replace(vec![c(b"x")])
        );
        assert_eq!(HostStream::unknown().len(), 0);
        assert!(HostStream::unknown().is_empty());
    }
}
