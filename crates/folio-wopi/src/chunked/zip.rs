//! The Zip chunking scheme (spec/cspp-plus.md §6, §6.1): finding the central directory of a zip
//! stream without reading the whole stream, and the chunk boundaries the scheme defines.
//!
//! The rule, reconstructed from the validator's resources (it reproduces all 12 bundled offset
//! lists, which the tests pin): boundaries are `0`; for each central-directory entry its local
//! header offset `h` and `h + 30 + name_len + extra_len` (lengths from the *local* header); and
//! the central directory's offset. The chunks are the slices between consecutive boundaries, the
//! last one running from the central directory through the EOCD (and any archive comment) to the
//! end.
//!
//! Content counts as a zip (APPNOTE) when it starts with a local-header signature `PK\3\4` and
//! has a parsable end-of-central-directory record; anything else is chunked `FullFile`
//! ([`NotZip`] says why, for logs). Decisions for the cases the resources do not cover, taken
//! here: a data descriptor (flag bit 3) stays in its entry's data chunk (the data chunk runs to
//! the next boundary); Zip64 (EOCD64 record and locator, `0xFFFFFFFF` fields resolved from the
//! Zip64 extra field) is supported and the EOCD64 record and locator land in the last chunk; an
//! archive comment is in the last chunk; bytes before the first local header (a self-extracting
//! prefix) make the content `FullFile`; multi-disk archives are `FullFile`. Chunk boundaries
//! affect only transfer efficiency, never correctness: any partition reassembles.
//!
//! [`ZipScan`] is sans-IO: it asks for byte ranges ([`ScanStep::Read`]) — the first 4 bytes, the
//! last ≤ 64 KiB, the EOCD64 record if any, the central directory — and ends with a
//! [`ZipDirectory`] (local header offsets + central directory offset). The local headers
//! themselves are read on the fly by [`super::chunker::StreamChunker`] while the stream passes
//! through. [`ZipDirectory::from_bytes`] and [`zip_boundaries`] do both for a stream in memory.

use std::collections::BTreeSet;

/// Local file header signature.
const LOCAL_SIG: [u8; 4] = *b"PK\x03\x04";
/// Central directory file header signature.
const CENTRAL_SIG: [u8; 4] = *b"PK\x01\x02";
/// End of central directory record signature.
const EOCD_SIG: [u8; 4] = *b"PK\x05\x06";
/// Zip64 end of central directory record signature.
const EOCD64_SIG: [u8; 4] = *b"PK\x06\x06";
/// Zip64 end of central directory locator signature.
const LOCATOR_SIG: [u8; 4] = *b"PK\x06\x07";
/// Fixed part of a local file header.
pub const LOCAL_HEADER_LEN: u64 = 30;
const CENTRAL_HEADER_LEN: usize = 46;
const EOCD_LEN: usize = 22;
const EOCD64_LEN: usize = 56;
const LOCATOR_LEN: usize = 20;
/// The longest archive comment (u16 length).
const MAX_COMMENT: usize = 0xffff;

/// Why content is not treated as a zip archive (it is then chunked `FullFile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotZip {
    /// Shorter than a local header signature plus an EOCD record.
    #[error("too short for a zip archive")]
    TooShort,
    /// The first four bytes are not `PK\3\4` (also: a self-extracting prefix).
    #[error("no local file header at offset 0")]
    NoLocalHeaderAtStart,
    /// No end-of-central-directory record whose comment length reaches exactly to the end.
    #[error("no end of central directory record")]
    NoEndOfCentralDirectory,
    /// A split/spanned archive.
    #[error("multi-disk archive")]
    MultiDisk,
    /// A Zip64 locator that does not lead to a Zip64 EOCD record.
    #[error("malformed Zip64 end of central directory")]
    BadZip64,
    /// The central directory does not lie between the entries and the EOCD.
    #[error("central directory out of range")]
    CentralDirectoryOutOfRange,
    /// The central directory is larger than [`ZipScan::MAX_CENTRAL_DIRECTORY`].
    #[error("central directory too large")]
    CentralDirectoryTooLarge,
    /// A central directory entry is cut, has a bad signature, or points past the directory.
    #[error("malformed central directory entry {index}")]
    BadEntry {
        /// Index of the entry.
        index: u64,
    },
    /// The caller provided fewer bytes than [`ScanStep::Read`] asked for.
    #[error("short read")]
    ShortRead,
}

/// What a zip stream's central directory says about its chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipDirectory {
    /// Length of the stream that was scanned.
    pub len: u64,
    /// Offsets of the local file headers, ascending, distinct (the first is 0).
    pub local_headers: Vec<u64>,
    /// Offset of the central directory: the last chunk runs from here to the end.
    pub central_directory: u64,
}

/// The next thing a [`ZipScan`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanStep {
    /// Read `len` bytes at `offset` (within the stream) and pass them to [`ZipScan::resume`].
    Read {
        /// Where to read.
        offset: u64,
        /// How many bytes.
        len: usize,
    },
    /// The scan is over.
    Done(Result<ZipDirectory, NotZip>),
}

#[derive(Debug, Clone, Copy)]
enum ScanState {
    Signature,
    Tail { start: u64 },
    Eocd64 { locator_at: u64 },
    CentralDirectory { offset: u64, entries: u64 },
    Done,
}

/// A sans-IO scan of a zip stream's directory.
///
/// ```
/// use folio_wopi::chunked::zip::{ScanStep, ZipScan};
/// # let stream: Vec<u8> = vec![];
/// let mut scan = ZipScan::new(stream.len() as u64);
/// let mut step = scan.start();
/// let outcome = loop {
///     match step {
///         ScanStep::Read { offset, len } => {
///             let at = offset as usize;
///             step = scan.resume(&stream[at..at + len]);
///         }
///         ScanStep::Done(outcome) => break outcome,
///     }
/// };
/// assert!(outcome.is_err()); // empty: not a zip, chunked FullFile
/// ```
#[derive(Debug)]
pub struct ZipScan {
    len: u64,
    state: ScanState,
    asked: usize,
}

impl ZipScan {
    /// The largest central directory the scan reads (64 MiB, about a million entries); larger
    /// archives are chunked `FullFile`.
    pub const MAX_CENTRAL_DIRECTORY: u64 = 64 * 1024 * 1024;

    /// A scan of a stream of `len` bytes.
    pub fn new(len: u64) -> Self {
        Self {
            len,
            state: ScanState::Signature,
            asked: 0,
        }
    }

    fn read(&mut self, offset: u64, len: usize) -> ScanStep {
        self.asked = len;
        ScanStep::Read { offset, len }
    }

    fn done(&mut self, outcome: Result<ZipDirectory, NotZip>) -> ScanStep {
        self.state = ScanState::Done;
        ScanStep::Done(outcome)
    }

    /// The first step.
    pub fn start(&mut self) -> ScanStep {
        if self.len < (LOCAL_SIG.len() + EOCD_LEN) as u64 {
            return self.done(Err(NotZip::TooShort));
        }
        self.state = ScanState::Signature;
        self.read(0, LOCAL_SIG.len())
    }

    /// Continues with the bytes of the last [`ScanStep::Read`].
    pub fn resume(&mut self, bytes: &[u8]) -> ScanStep {
        if bytes.len() < self.asked {
            return self.done(Err(NotZip::ShortRead));
        }
        let bytes = &bytes[..self.asked];
        match self.state {
            ScanState::Signature => {
                if bytes != LOCAL_SIG {
                    return self.done(Err(NotZip::NoLocalHeaderAtStart));
                }
                let tail = (EOCD_LEN + MAX_COMMENT + LOCATOR_LEN) as u64;
                let start = self.len.saturating_sub(tail);
                self.state = ScanState::Tail { start };
                self.read(start, (self.len - start) as usize)
            }
            ScanState::Tail { start } => match self.tail(start, bytes) {
                Ok(step) => step,
                Err(e) => self.done(Err(e)),
            },
            ScanState::Eocd64 { locator_at } => match self.eocd64(locator_at, bytes) {
                Ok(step) => step,
                Err(e) => self.done(Err(e)),
            },
            ScanState::CentralDirectory { offset, entries } => {
                let outcome = self.central_directory(offset, entries, bytes);
                self.done(outcome)
            }
            ScanState::Done => self.done(Err(NotZip::ShortRead)),
        }
    }

    /// The last ≤ 64 KiB: find the EOCD (the last signature whose comment reaches the end).
    fn tail(&mut self, start: u64, tail: &[u8]) -> Result<ScanStep, NotZip> {
        let at = (0..=tail.len().saturating_sub(EOCD_LEN))
            .rev()
            .find(|&p| {
                tail[p..p + 4] == EOCD_SIG
                    && u16_at(tail, p + 20) as usize == tail.len() - p - EOCD_LEN
            })
            .ok_or(NotZip::NoEndOfCentralDirectory)?;
        let eocd = &tail[at..at + EOCD_LEN];
        let eocd_offset = start + at as u64;
        if u16_at(eocd, 4) != 0 || u16_at(eocd, 6) != 0 {
            return Err(NotZip::MultiDisk);
        }
        if at >= LOCATOR_LEN && tail[at - LOCATOR_LEN..at - LOCATOR_LEN + 4] == LOCATOR_SIG {
            let locator = &tail[at - LOCATOR_LEN..at];
            if u32_at(locator, 4) != 0 || u32_at(locator, 16) > 1 {
                return Err(NotZip::MultiDisk);
            }
            let record = u64_at(locator, 8);
            let locator_at = eocd_offset - LOCATOR_LEN as u64;
            if record
                .checked_add(EOCD64_LEN as u64)
                .is_none_or(|e| e > locator_at)
            {
                return Err(NotZip::BadZip64);
            }
            self.state = ScanState::Eocd64 { locator_at };
            return Ok(self.read(record, EOCD64_LEN));
        }
        let entries = u64::from(u16_at(eocd, 10));
        let size = u64::from(u32_at(eocd, 12));
        let offset = u64::from(u32_at(eocd, 16));
        self.central_directory_read(offset, size, entries, eocd_offset)
    }

    fn eocd64(&mut self, locator_at: u64, record: &[u8]) -> Result<ScanStep, NotZip> {
        if record[..4] != EOCD64_SIG {
            return Err(NotZip::BadZip64);
        }
        if u32_at(record, 16) != 0 || u32_at(record, 20) != 0 {
            return Err(NotZip::MultiDisk);
        }
        let entries = u64_at(record, 32);
        let size = u64_at(record, 40);
        let offset = u64_at(record, 48);
        // The directory ends where the EOCD64 record starts (or, leniently, before the locator).
        self.central_directory_read(offset, size, entries, locator_at)
    }

    fn central_directory_read(
        &mut self,
        offset: u64,
        size: u64,
        entries: u64,
        limit: u64,
    ) -> Result<ScanStep, NotZip> {
        let end = offset
            .checked_add(size)
            .ok_or(NotZip::CentralDirectoryOutOfRange)?;
        if offset < LOCAL_HEADER_LEN || end > limit {
            return Err(NotZip::CentralDirectoryOutOfRange);
        }
        if size > Self::MAX_CENTRAL_DIRECTORY {
            return Err(NotZip::CentralDirectoryTooLarge);
        }
        if entries.saturating_mul(CENTRAL_HEADER_LEN as u64) > size {
            return Err(NotZip::BadEntry { index: 0 });
        }
        self.state = ScanState::CentralDirectory { offset, entries };
        Ok(self.read(offset, size as usize))
    }

    fn central_directory(
        &self,
        offset: u64,
        entries: u64,
        cd: &[u8],
    ) -> Result<ZipDirectory, NotZip> {
        let mut headers = BTreeSet::new();
        headers.insert(0);
        let mut pos = 0usize;
        for index in 0..entries {
            let bad = NotZip::BadEntry { index };
            let fixed = cd.get(pos..pos + CENTRAL_HEADER_LEN).ok_or(bad)?;
            if fixed[..4] != CENTRAL_SIG {
                return Err(bad);
            }
            let name = u16_at(fixed, 28) as usize;
            let extra = u16_at(fixed, 30) as usize;
            let comment = u16_at(fixed, 32) as usize;
            let next = pos + CENTRAL_HEADER_LEN + name + extra + comment;
            let extra_bytes = cd
                .get(pos + CENTRAL_HEADER_LEN + name..pos + CENTRAL_HEADER_LEN + name + extra)
                .ok_or(bad)?;
            if next > cd.len() {
                return Err(bad);
            }
            let mut header = u64::from(u32_at(fixed, 42));
            if header == u64::from(u32::MAX) {
                header = zip64_local_header_offset(fixed, extra_bytes).ok_or(bad)?;
            }
            if header.saturating_add(LOCAL_HEADER_LEN) > offset {
                return Err(bad);
            }
            headers.insert(header);
            pos = next;
        }
        Ok(ZipDirectory {
            len: self.len,
            local_headers: headers.into_iter().collect(),
            central_directory: offset,
        })
    }
}

/// The local header offset from a central entry's Zip64 extra field (id 1): its 8-byte values
/// appear in the order uncompressed size, compressed size, header offset, each only if the
/// 32-bit field is `0xFFFFFFFF`.
fn zip64_local_header_offset(fixed: &[u8], mut extra: &[u8]) -> Option<u64> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0);
        let size = u16_at(extra, 2) as usize;
        let data = extra.get(4..4 + size)?;
        if id == 1 {
            let mut at = 0;
            if u32_at(fixed, 24) == u32::MAX {
                at += 8;
            }
            if u32_at(fixed, 20) == u32::MAX {
                at += 8;
            }
            return data.get(at..at + 8).map(|b| u64_at(b, 0));
        }
        extra = &extra[4 + size..];
    }
    None
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The data start of the entry whose local header is at `header`, from the header's fixed
/// 30 bytes: `None` if they are not a local header.
pub fn local_data_start(header: u64, fixed: &[u8; LOCAL_HEADER_LEN as usize]) -> Option<u64> {
    if fixed[..4] != LOCAL_SIG {
        return None;
    }
    let name = u64::from(u16_at(fixed, 26));
    let extra = u64::from(u16_at(fixed, 28));
    Some(header + LOCAL_HEADER_LEN + name + extra)
}

impl ZipDirectory {
    /// Scans a stream held in memory.
    pub fn from_bytes(stream: &[u8]) -> Result<Self, NotZip> {
        let mut scan = ZipScan::new(stream.len() as u64);
        let mut step = scan.start();
        loop {
            match step {
                ScanStep::Done(outcome) => return outcome,
                ScanStep::Read { offset, len } => {
                    let bytes = usize::try_from(offset)
                        .ok()
                        .and_then(|at| stream.get(at..at.checked_add(len)?))
                        .unwrap_or(&[]);
                    step = scan.resume(bytes);
                }
            }
        }
    }

    /// The chunk start offsets (ascending, starting with 0) of the Zip scheme, given a way to
    /// read a local header's fixed 30 bytes. A data start is kept only when it lies after its
    /// header and no later than the next header (or the central directory), so the chunks are
    /// always a partition of the stream whatever the local headers claim.
    pub fn boundaries(&self, mut local_header: impl FnMut(u64) -> Option<[u8; 30]>) -> Vec<u64> {
        let mut cuts: BTreeSet<u64> = self.local_headers.iter().copied().collect();
        cuts.insert(0);
        cuts.insert(self.central_directory);
        for (i, &h) in self.local_headers.iter().enumerate() {
            let next = self
                .local_headers
                .get(i + 1)
                .copied()
                .unwrap_or(self.central_directory);
            if h + LOCAL_HEADER_LEN > next {
                continue;
            }
            if let Some(d) = local_header(h).and_then(|fixed| local_data_start(h, &fixed))
                && d <= next
            {
                cuts.insert(d);
            }
        }
        cuts.into_iter().collect()
    }
}

/// The Zip scheme's chunk start offsets for a stream in memory (§6.1), or why it is not a zip.
pub fn zip_boundaries(stream: &[u8]) -> Result<Vec<u64>, NotZip> {
    let dir = ZipDirectory::from_bytes(stream)?;
    Ok(dir.boundaries(|h| {
        let at = usize::try_from(h).ok()?;
        stream.get(at..at + 30)?.try_into().ok()
    }))
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
pub(crate) mod tests {
    use super::*;

    /// One entry of a hand-built archive.
    pub(crate) struct Entry<'a> {
        pub name: &'a str,
        pub data: &'a [u8],
        /// Extra field bytes in the local header (Office pads with 264/520-byte extras).
        pub local_extra: usize,
        /// Flag bit 3: sizes zero in the local header, a data descriptor after the data.
        pub descriptor: bool,
    }

    /// Options of a hand-built archive.
    #[derive(Default)]
    pub(crate) struct Build<'a> {
        pub prefix: &'a [u8],
        pub zip64: bool,
        pub comment: &'a [u8],
    }

    /// Builds a stored (method 0) archive; returns it and the boundaries the rule gives.
    pub(crate) fn build(entries: &[Entry<'_>], opts: &Build<'_>) -> (Vec<u8>, Vec<u64>) {
        let mut out = opts.prefix.to_vec();
        let mut central = Vec::new();
        let mut cuts = vec![0];
        for e in entries {
            let h = out.len() as u64;
            cuts.push(h);
            let size = if e.descriptor { 0 } else { e.data.len() as u32 };
            out.extend(LOCAL_SIG);
            out.extend(20u16.to_le_bytes());
            out.extend((if e.descriptor { 8u16 } else { 0 }).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // stored
            out.extend([0u8; 4]); // time, date
            out.extend(0u32.to_le_bytes()); // crc (not checked by anyone here)
            out.extend(size.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend((e.name.len() as u16).to_le_bytes());
            out.extend((e.local_extra as u16).to_le_bytes());
            out.extend(e.name.as_bytes());
            // An unknown extra block (id 0xCAFE) padded with zeros, like Office's padding.
            if e.local_extra >= 4 {
                out.extend(0xCAFEu16.to_le_bytes());
                out.extend(((e.local_extra - 4) as u16).to_le_bytes());
                out.extend(vec![0u8; e.local_extra - 4]);
            } else {
                out.extend(vec![0u8; e.local_extra]);
            }
            cuts.push(out.len() as u64);
            out.extend(e.data);
            if e.descriptor {
                out.extend(*b"PK\x07\x08");
                out.extend(0u32.to_le_bytes());
                out.extend((e.data.len() as u32).to_le_bytes());
                out.extend((e.data.len() as u32).to_le_bytes());
            }
            central.extend(CENTRAL_SIG);
            central.extend(20u16.to_le_bytes());
            central.extend(20u16.to_le_bytes());
            central.extend((if e.descriptor { 8u16 } else { 0 }).to_le_bytes());
            central.extend(0u16.to_le_bytes());
            central.extend([0u8; 4]);
            central.extend(0u32.to_le_bytes());
            let (size32, offset32) = if opts.zip64 {
                (u32::MAX, u32::MAX)
            } else {
                (e.data.len() as u32, h as u32)
            };
            central.extend(size32.to_le_bytes());
            central.extend(size32.to_le_bytes());
            central.extend((e.name.len() as u16).to_le_bytes());
            central.extend((if opts.zip64 { 28u16 } else { 0 }).to_le_bytes());
            central.extend(0u16.to_le_bytes()); // comment
            central.extend(0u16.to_le_bytes()); // disk
            central.extend(0u16.to_le_bytes()); // internal attrs
            central.extend(0u32.to_le_bytes()); // external attrs
            central.extend(offset32.to_le_bytes());
            central.extend(e.name.as_bytes());
            if opts.zip64 {
                central.extend(1u16.to_le_bytes());
                central.extend(24u16.to_le_bytes());
                central.extend((e.data.len() as u64).to_le_bytes());
                central.extend((e.data.len() as u64).to_le_bytes());
                central.extend(h.to_le_bytes());
            }
        }
        let cd_offset = out.len() as u64;
        cuts.push(cd_offset);
        out.extend(&central);
        let n = entries.len() as u64;
        if opts.zip64 {
            let record = out.len() as u64;
            out.extend(EOCD64_SIG);
            out.extend(44u64.to_le_bytes());
            out.extend(45u16.to_le_bytes());
            out.extend(45u16.to_le_bytes());
            out.extend(0u32.to_le_bytes());
            out.extend(0u32.to_le_bytes());
            out.extend(n.to_le_bytes());
            out.extend(n.to_le_bytes());
            out.extend((central.len() as u64).to_le_bytes());
            out.extend(cd_offset.to_le_bytes());
            out.extend(LOCATOR_SIG);
            out.extend(0u32.to_le_bytes());
            out.extend(record.to_le_bytes());
            out.extend(1u32.to_le_bytes());
        }
        out.extend(EOCD_SIG);
        out.extend(0u16.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        let (n16, size32, off32) = if opts.zip64 {
            (u16::MAX, u32::MAX, u32::MAX)
        } else {
            (n as u16, central.len() as u32, cd_offset as u32)
        };
        out.extend(n16.to_le_bytes());
        out.extend(n16.to_le_bytes());
        out.extend(size32.to_le_bytes());
        out.extend(off32.to_le_bytes());
        out.extend((opts.comment.len() as u16).to_le_bytes());
        out.extend(opts.comment);
        cuts.dedup();
        (out, cuts)
    }

    fn entry<'a>(name: &'a str, data: &'a [u8]) -> Entry<'a> {
        Entry {
            name,
            data,
            local_extra: 0,
            descriptor: false,
        }
    }

    #[test]
    fn boundaries_of_hand_built_archives() {
        let padded = Entry {
            local_extra: 264,
            ..entry("[Content_Types].xml", b"<Types/>")
        };
        let described = Entry {
            descriptor: true,
            ..entry("word/document.xml", b"<w:document/>")
        };
        let dir_entry = entry("docProps/", b"");
        type Row<'a> = (&'a str, Vec<Entry<'a>>, Build<'a>);
        let rows: Vec<Row> = vec![
            (
                "plain",
                vec![entry("a.txt", b"hello"), entry("b.txt", b"world")],
                Build::default(),
            ),
            (
                "padded extra",
                vec![padded, entry("b", b"x")],
                Build::default(),
            ),
            (
                "data descriptor joins the data chunk",
                vec![described, entry("c", b"y")],
                Build::default(),
            ),
            (
                "empty entry has no data chunk",
                vec![dir_entry, entry("d", b"z")],
                Build::default(),
            ),
            (
                "zip64",
                vec![entry("a.txt", b"hello"), entry("b.txt", b"world")],
                Build {
                    zip64: true,
                    ..Build::default()
                },
            ),
            (
                "archive comment is in the last chunk",
                vec![entry("a.txt", b"hello")],
                Build {
                    comment: b"made by hand PK\x05\x06",
                    ..Build::default()
                },
            ),
        ];
        for (what, entries, opts) in rows {
            let (zip, want) = build(&entries, &opts);
            assert_eq!(zip_boundaries(&zip), Ok(want.clone()), "{what}");
            let dir = ZipDirectory::from_bytes(&zip).unwrap();
            assert_eq!(dir.len, zip.len() as u64);
            assert_eq!(dir.central_directory, *want.last().unwrap(), "{what}");
        }
    }

    #[test]
    fn what_is_not_a_zip() {
        let (zip, _) = build(&[entry("a", b"1")], &Build::default());
        let (sfx, _) = build(
            &[entry("a", b"1")],
            &Build {
                prefix: b"#!/bin/sh\nexit 0\n",
                ..Build::default()
            },
        );
        let mut no_eocd = zip.clone();
        no_eocd.truncate(zip.len() - 2);
        let mut lying_comment = zip.clone();
        let n = lying_comment.len();
        lying_comment[n - 2] = 5;
        let mut cd_past_eocd = zip.clone();
        cd_past_eocd[n - 10] = 0xff; // central directory size
        let mut bad_entry_sig = zip.clone();
        let cd = ZipDirectory::from_bytes(&zip).unwrap().central_directory as usize;
        bad_entry_sig[cd] = b'X';
        let mut spanned = zip.clone();
        spanned[n - 18] = 1; // number of this disk
        let rows: Vec<(&str, Vec<u8>, NotZip)> = vec![
            ("empty", vec![], NotZip::TooShort),
            (
                "text",
                b"SampleTextVersion-1 and some more text".to_vec(),
                NotZip::NoLocalHeaderAtStart,
            ),
            ("self-extracting prefix", sfx, NotZip::NoLocalHeaderAtStart),
            ("cut EOCD", no_eocd, NotZip::NoEndOfCentralDirectory),
            (
                "comment length past the end",
                lying_comment,
                NotZip::NoEndOfCentralDirectory,
            ),
            (
                "directory overlaps the EOCD",
                cd_past_eocd,
                NotZip::CentralDirectoryOutOfRange,
            ),
            (
                "bad central signature",
                bad_entry_sig,
                NotZip::BadEntry { index: 0 },
            ),
            ("multi-disk", spanned, NotZip::MultiDisk),
        ];
        for (what, bytes, want) in rows {
            assert_eq!(zip_boundaries(&bytes), Err(want), "{what}");
        }
    }

    #[test]
    fn scan_reads_only_small_ranges() {
        let big = vec![7u8; 300_000];
        let (zip, _) = build(
            &[entry("big.bin", &big), entry("small", b"s")],
            &Build::default(),
        );
        let mut scan = ZipScan::new(zip.len() as u64);
        let mut step = scan.start();
        let mut read = 0;
        let dir = loop {
            match step {
                ScanStep::Read { offset, len } => {
                    read += len;
                    let at = offset as usize;
                    step = scan.resume(&zip[at..at + len]);
                }
                ScanStep::Done(outcome) => break outcome.unwrap(),
            }
        };
        assert_eq!(dir.local_headers.len(), 2);
        assert!(read < 70_000, "read {read} bytes of {}", zip.len());
    }

    #[test]
    fn lying_local_header_never_breaks_the_partition() {
        let (mut zip, _) = build(&[entry("a", b"12345"), entry("b", b"6")], &Build::default());
        // Name length of the first local header claims 200 bytes: its data start would be
        // past the next header, so it is dropped.
        zip[26] = 200;
        let dir = ZipDirectory::from_bytes(&zip).unwrap();
        let cuts = zip_boundaries(&zip).unwrap();
        assert_eq!(cuts[0], 0);
        assert!(cuts.windows(2).all(|w| w[0] < w[1]));
        assert!(cuts.contains(&dir.local_headers[1]));
        assert_eq!(cuts.len(), 4, "{cuts:?}");
    }
}
