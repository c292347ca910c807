//! A streaming zip *writer*, sans I/O: it returns the bytes of each header as the caller needs
//! them, so a download of many files is written as their contents stream past — memory stays
//! flat whatever the selection's size (folio-ooxml's `zip` crate wants a seekable writer or
//! buffers; CSPP Plus's `folio_wopi::chunked::zip` only reads).
//!
//! Entries are *stored* (method 0: Office documents, images and PDFs are compressed already),
//! with a data descriptor after each file (flag bit 3: the CRC-32 is known only once the bytes
//! have passed) and UTF-8 names (bit 11). Zip64 records are written where a size or an offset
//! does not fit in 32 bits, or when there are more than 65,535 entries.
//!
//! Use: for each entry `local_header`, then the bytes (the caller computes the CRC-32 with
//! `crc32fast`), then `data_descriptor`; a directory is `directory` alone; `finish` writes the
//! central directory.

/// Where 32-bit fields overflow (a test may lower it to exercise the zip64 records).
const ZIP32_LIMIT: u64 = 0xFFFF_FFFF;

/// One entry as the central directory records it.
struct Entry {
    name: Vec<u8>,
    dir: bool,
    crc: u32,
    size: u64,
    offset: u64,
    time: u16,
    date: u16,
    zip64: bool,
}

/// The writer's state: what has been written (the offset) and the entries so far.
pub struct ZipWriter {
    entries: Vec<Entry>,
    offset: u64,
    limit: u64,
    open: Option<Entry>,
}

impl Default for ZipWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// DOS date and time of Unix ms (UTC; before 1980 is 1980-01-01).
fn dos_time(ms: i64) -> (u16, u16) {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return (0, (1 << 5) | 1);
    };
    if t.year() < 1980 {
        return (0, (1 << 5) | 1);
    }
    let year = u16::try_from((t.year() - 1980).min(127)).unwrap_or(127);
    let date = (year << 9) | (u16::from(u8::from(t.month())) << 5) | u16::from(t.day());
    let time =
        (u16::from(t.hour()) << 11) | (u16::from(t.minute()) << 5) | u16::from(t.second() / 2);
    (time, date)
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u64le(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
/// A 32-bit field, or the zip64 sentinel when the value needs the zip64 record.
fn field32(v: u64, limit: u64) -> u32 {
    if v >= limit {
        u32::MAX
    } else {
        u32::try_from(v).unwrap_or(u32::MAX)
    }
}

const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_UTF8: u16 = 1 << 11;

impl ZipWriter {
    /// A writer at offset 0.
    #[must_use]
    pub fn new() -> Self {
        Self::with_limit(ZIP32_LIMIT)
    }

    /// A writer that switches to zip64 fields at `limit` (tests: a small limit).
    #[must_use]
    pub fn with_limit(limit: u64) -> Self {
        Self {
            entries: Vec::new(),
            offset: 0,
            limit,
            open: None,
        }
    }

    fn emit(&mut self, bytes: Vec<u8>) -> Vec<u8> {
        self.offset += bytes.len() as u64;
        bytes
    }

    fn header(&self, e: &Entry, flags: u16) -> Vec<u8> {
        let mut out = Vec::with_capacity(30 + e.name.len() + 20);
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, if e.zip64 { 45 } else { 20 });
        u16le(&mut out, flags);
        u16le(&mut out, 0); // stored
        u16le(&mut out, e.time);
        u16le(&mut out, e.date);
        u32le(&mut out, 0); // CRC-32: in the data descriptor
        let sentinel = if e.zip64 { u32::MAX } else { 0 };
        u32le(&mut out, sentinel);
        u32le(&mut out, sentinel);
        u16le(&mut out, u16::try_from(e.name.len()).unwrap_or(u16::MAX));
        u16le(&mut out, if e.zip64 { 20 } else { 0 });
        out.extend_from_slice(&e.name);
        if e.zip64 {
            u16le(&mut out, 0x0001);
            u16le(&mut out, 16);
            u64le(&mut out, 0);
            u64le(&mut out, 0);
        }
        out
    }

    /// The local header of a file entry `name` (a `/`-separated path) of `size` bytes (as
    /// recorded; the data descriptor states what actually passed), modified at `modified_ms`.
    /// Names longer than 65,535 bytes are cut (Folio's names are at most 250 characters a
    /// level).
    pub fn local_header(&mut self, name: &str, size: u64, modified_ms: i64) -> Vec<u8> {
        let (time, date) = dos_time(modified_ms);
        let mut name = name.as_bytes().to_vec();
        name.truncate(usize::from(u16::MAX));
        let entry = Entry {
            name,
            dir: false,
            crc: 0,
            size,
            offset: self.offset,
            time,
            date,
            zip64: size >= self.limit || self.offset >= self.limit,
        };
        let bytes = self.header(&entry, FLAG_DESCRIPTOR | FLAG_UTF8);
        self.open = Some(entry);
        self.emit(bytes)
    }

    /// The data descriptor after the open entry's `size` bytes with CRC-32 `crc`.
    pub fn data_descriptor(&mut self, crc: u32, size: u64) -> Vec<u8> {
        self.offset += size;
        let Some(mut entry) = self.open.take() else {
            return Vec::new();
        };
        entry.crc = crc;
        entry.size = size;
        let mut out = Vec::with_capacity(24);
        u32le(&mut out, 0x0807_4b50);
        u32le(&mut out, crc);
        if entry.zip64 {
            u64le(&mut out, size);
            u64le(&mut out, size);
        } else {
            let s = u32::try_from(size).unwrap_or(u32::MAX);
            u32le(&mut out, s);
            u32le(&mut out, s);
        }
        // A size that outgrew its header's promise still reads through the central directory.
        entry.zip64 = entry.zip64 || size >= self.limit;
        self.entries.push(entry);
        self.emit(out)
    }

    /// A directory entry (`name` ends with `/`, added if missing).
    pub fn directory(&mut self, name: &str, modified_ms: i64) -> Vec<u8> {
        let (time, date) = dos_time(modified_ms);
        let mut name = name.as_bytes().to_vec();
        if name.last() != Some(&b'/') {
            name.push(b'/');
        }
        name.truncate(usize::from(u16::MAX));
        let entry = Entry {
            name,
            dir: true,
            crc: 0,
            size: 0,
            offset: self.offset,
            time,
            date,
            zip64: self.offset >= self.limit,
        };
        let bytes = self.header(&entry, FLAG_UTF8);
        self.entries.push(entry);
        self.emit(bytes)
    }

    /// The central directory and its end records: the last bytes of the archive.
    pub fn finish(mut self) -> Vec<u8> {
        let limit = self.limit;
        let start = self.offset;
        let mut out = Vec::new();
        for e in &self.entries {
            let big_size = e.size >= limit;
            let big_offset = e.offset >= limit;
            let mut extra = Vec::new();
            if big_size || big_offset {
                let mut fields = Vec::new();
                if big_size {
                    u64le(&mut fields, e.size);
                    u64le(&mut fields, e.size);
                }
                if big_offset {
                    u64le(&mut fields, e.offset);
                }
                u16le(&mut extra, 0x0001);
                u16le(&mut extra, u16::try_from(fields.len()).unwrap_or(0));
                extra.extend_from_slice(&fields);
            }
            let needed = if e.zip64 || !extra.is_empty() { 45 } else { 20 };
            u32le(&mut out, 0x0201_4b50);
            u16le(&mut out, (3 << 8) | 45); // made by: Unix, 4.5
            u16le(&mut out, needed);
            u16le(
                &mut out,
                if e.dir {
                    FLAG_UTF8
                } else {
                    FLAG_UTF8 | FLAG_DESCRIPTOR
                },
            );
            u16le(&mut out, 0);
            u16le(&mut out, e.time);
            u16le(&mut out, e.date);
            u32le(&mut out, e.crc);
            u32le(&mut out, field32(e.size, limit));
            u32le(&mut out, field32(e.size, limit));
            u16le(&mut out, u16::try_from(e.name.len()).unwrap_or(u16::MAX));
            u16le(&mut out, u16::try_from(extra.len()).unwrap_or(0));
            u16le(&mut out, 0); // comment
            u16le(&mut out, 0); // disk
            u16le(&mut out, 0); // internal attributes
            let mode: u32 = if e.dir { 0o040_755 } else { 0o100_644 };
            u32le(&mut out, (mode << 16) | if e.dir { 0x10 } else { 0 });
            u32le(&mut out, field32(e.offset, limit));
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&extra);
        }
        let size = out.len() as u64;
        let count = self.entries.len() as u64;
        let zip64 = count >= 0xFFFF || size >= limit || start >= limit;
        if zip64 {
            let record = start + size;
            u32le(&mut out, 0x0606_4b50);
            u64le(&mut out, 44);
            u16le(&mut out, (3 << 8) | 45);
            u16le(&mut out, 45);
            u32le(&mut out, 0);
            u32le(&mut out, 0);
            u64le(&mut out, count);
            u64le(&mut out, count);
            u64le(&mut out, size);
            u64le(&mut out, start);
            u32le(&mut out, 0x0706_4b50);
            u32le(&mut out, 0);
            u64le(&mut out, record);
            u32le(&mut out, 1);
        }
        u32le(&mut out, 0x0605_4b50);
        u16le(&mut out, 0);
        u16le(&mut out, 0);
        let n16 = if zip64 {
            u16::MAX
        } else {
            u16::try_from(count).unwrap_or(u16::MAX)
        };
        u16le(&mut out, n16);
        u16le(&mut out, n16);
        u32le(
            &mut out,
            if zip64 {
                u32::MAX
            } else {
                field32(size, limit)
            },
        );
        u32le(
            &mut out,
            if zip64 {
                u32::MAX
            } else {
                field32(start, limit)
            },
        );
        u16le(&mut out, 0);
        self.offset += out.len() as u64;
        out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// Writes `files` (name, bytes; a name ending in `/` is a directory) with `w`.
    fn archive(mut w: ZipWriter, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, bytes) in files {
            if name.ends_with('/') {
                out.extend(w.directory(name, 1_700_000_000_000));
                continue;
            }
            out.extend(w.local_header(name, bytes.len() as u64, 1_700_000_000_000));
            out.extend_from_slice(bytes);
            out.extend(w.data_descriptor(crc32fast::hash(bytes), bytes.len() as u64));
        }
        out.extend(w.finish());
        out
    }

    fn read_back(bytes: Vec<u8>) -> Vec<(String, Vec<u8>, bool)> {
        let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => panic!("not a zip: {e}"),
        };
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap_or_else(|e| panic!("entry {i}: {e}"));
                let mut data = Vec::new();
                f.read_to_end(&mut data)
                    .unwrap_or_else(|e| panic!("entry {i}: {e}"));
                (f.name().to_owned(), data, f.is_dir())
            })
            .collect()
    }

    #[test]
    fn stored_entries_read_back_with_names_bytes_and_directories() {
        let files: [(&str, &[u8]); 4] = [
            ("Reports/", b""),
            ("Reports/été.txt", b"bonjour"),
            ("Reports/empty.bin", b""),
            ("a.docx", &[0u8, 1, 2, 255]),
        ];
        for w in [ZipWriter::new(), ZipWriter::with_limit(3)] {
            let got = read_back(archive(w, &files));
            let want: Vec<(String, Vec<u8>, bool)> = files
                .iter()
                .map(|(n, b)| ((*n).to_owned(), b.to_vec(), n.ends_with('/')))
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn dos_times() {
        // 2023-11-14 22:13:20 UTC.
        let (t, d) = dos_time(1_700_000_000_000);
        assert_eq!((d >> 9, (d >> 5) & 15, d & 31), (43, 11, 14));
        assert_eq!((t >> 11, (t >> 5) & 63, (t & 31) * 2), (22, 13, 20));
        assert_eq!(dos_time(0), (0, (1 << 5) | 1), "before 1980");
    }
}
