//! SpookyHash V2, 128-bit (Bob Jenkins, 2012), the hash behind CSPP Plus chunk ids
//! (spec/cspp-plus.md §5.2): `hash128` for a whole slice and `SpookyHasher` for a stream fed in
//! pieces, so a chunk is hashed while it passes through and never has to be held in memory.
//!
//! Inputs below 192 bytes take the "short" path (4 × u64 state, 32-byte rounds); longer inputs
//! the long path (12 × u64 state, 96-byte blocks, the last partial block padded with zeros and
//! its length in the final byte). Words are read little-endian, which is what the reference does
//! on the x86/ARM machines Office runs on and what the validator's port does.
//!
//! The chunk id encoding (`h1 ‖ h2` little-endian, Base64) is [`crate::chunked::ChunkId`]; this
//! module only computes the two 64-bit halves. Not here: any other SpookyHash width (Hash64 and
//! Hash32 are the low bits of `h1`, unused by WOPI).

/// `sc_const` of the reference: an odd number with irregular bits.
const SC_CONST: u64 = 0xdead_beef_dead_beef;
/// Bytes per long-path block (`sc_blockSize`).
const BLOCK: usize = 96;
/// Inputs shorter than this take the short path (`sc_bufSize`).
const BUF: usize = 2 * BLOCK;

/// SpookyHash V2 `Hash128` of `data` with the two seeds; returns `(h1, h2)`.
///
/// CSPP Plus chunk ids use seeds `0`, `0` (spec/cspp-plus.md §5.2).
pub fn hash128(data: &[u8], seed1: u64, seed2: u64) -> (u64, u64) {
    if data.len() < BUF {
        return short(data, seed1, seed2);
    }
    let mut h = initial_state(seed1, seed2);
    let mut blocks = data.chunks_exact(BLOCK);
    for block in &mut blocks {
        mix(&words::<12>(block), &mut h);
    }
    end(blocks.remainder(), &mut h);
    (h[0], h[1])
}

/// An incremental SpookyHash V2 `Hash128`: `update` with the pieces of a message in order, then
/// `finish`. The result equals [`hash128`] of the concatenation, however the pieces are cut.
#[derive(Clone)]
pub struct SpookyHasher {
    seeds: (u64, u64),
    /// The long-path state, once at least 192 bytes were seen.
    state: Option<[u64; 12]>,
    /// Bytes not yet mixed: up to 191 before the long path starts, then fewer than 96.
    buf: [u8; BUF],
    buf_len: usize,
    total: u64,
}

impl std::fmt::Debug for SpookyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpookyHasher")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Default for SpookyHasher {
    /// A hasher with seeds `0`, `0` (chunk ids).
    fn default() -> Self {
        Self::new(0, 0)
    }
}

impl SpookyHasher {
    /// A hasher with the given seeds.
    pub fn new(seed1: u64, seed2: u64) -> Self {
        Self {
            seeds: (seed1, seed2),
            state: None,
            buf: [0; BUF],
            buf_len: 0,
            total: 0,
        }
    }

    /// How many bytes were fed so far.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was fed yet.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Feeds the next piece of the message.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total = self.total.wrapping_add(data.len() as u64);
        let h = match &mut self.state {
            Some(h) => h,
            None if self.buf_len + data.len() < BUF => {
                self.buf[self.buf_len..self.buf_len + data.len()].copy_from_slice(data);
                self.buf_len += data.len();
                return;
            }
            None => self.state.insert(initial_state(self.seeds.0, self.seeds.1)),
        };
        if self.buf_len > 0 {
            // Left over from the short phase: possibly one whole block already.
            if self.buf_len >= BLOCK {
                mix(&words::<12>(&self.buf[..BLOCK]), h);
                self.buf.copy_within(BLOCK..self.buf_len, 0);
                self.buf_len -= BLOCK;
            }
            let take = (BLOCK - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < BLOCK {
                return;
            }
            mix(&words::<12>(&self.buf[..BLOCK]), h);
            self.buf_len = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK);
        for block in &mut blocks {
            mix(&words::<12>(block), h);
        }
        let rest = blocks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// The hash of everything fed so far, `(h1, h2)`. The hasher may be fed further afterwards.
    pub fn finish(&self) -> (u64, u64) {
        match self.state {
            None => short(&self.buf[..self.buf_len], self.seeds.0, self.seeds.1),
            Some(mut h) => {
                end(&self.buf[..self.buf_len], &mut h);
                (h[0], h[1])
            }
        }
    }
}

fn initial_state(seed1: u64, seed2: u64) -> [u64; 12] {
    let mut h = [0; 12];
    for (i, v) in h.iter_mut().enumerate() {
        *v = match i % 3 {
            0 => seed1,
            1 => seed2,
            _ => SC_CONST,
        };
    }
    h
}

/// The first `N` little-endian words of `bytes` (which holds at least `8 * N` bytes).
fn words<const N: usize>(bytes: &[u8]) -> [u64; N] {
    let mut out = [0; N];
    for (w, c) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    }
    out
}

/// A little-endian integer of up to 8 bytes.
fn le_partial(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

const MIX_ROT: [u32; 12] = [11, 32, 43, 31, 17, 28, 39, 57, 55, 54, 22, 46];
const END_ROT: [u32; 12] = [44, 15, 34, 21, 38, 33, 10, 13, 38, 53, 42, 54];

/// `Mix`: one 96-byte block into the long-path state.
fn mix(d: &[u64; 12], s: &mut [u64; 12]) {
    for i in 0..12 {
        s[i] = s[i].wrapping_add(d[i]);
        s[(i + 2) % 12] ^= s[(i + 10) % 12];
        s[(i + 11) % 12] ^= s[i];
        s[i] = s[i].rotate_left(MIX_ROT[i]);
        s[(i + 11) % 12] = s[(i + 11) % 12].wrapping_add(s[(i + 1) % 12]);
    }
}

fn end_partial(h: &mut [u64; 12]) {
    for (i, rot) in END_ROT.iter().enumerate() {
        h[(i + 11) % 12] = h[(i + 11) % 12].wrapping_add(h[(i + 1) % 12]);
        h[(i + 2) % 12] ^= h[(i + 11) % 12];
        h[(i + 1) % 12] = h[(i + 1) % 12].rotate_left(*rot);
    }
}

/// `End` (V2): the last partial block (< 96 bytes), zero-padded, its length in the last byte.
fn end(rest: &[u8], h: &mut [u64; 12]) {
    let mut block = [0u8; BLOCK];
    block[..rest.len()].copy_from_slice(rest);
    block[BLOCK - 1] = rest.len() as u8;
    for (s, d) in h.iter_mut().zip(words::<12>(&block)) {
        *s = s.wrapping_add(d);
    }
    end_partial(h);
    end_partial(h);
    end_partial(h);
}

fn short_mix(h: &mut [u64; 4]) {
    for r in [[50, 52, 30, 41], [54, 48, 38, 37], [62, 34, 5, 36]] {
        h[2] = h[2].rotate_left(r[0]).wrapping_add(h[3]);
        h[0] ^= h[2];
        h[3] = h[3].rotate_left(r[1]).wrapping_add(h[0]);
        h[1] ^= h[3];
        h[0] = h[0].rotate_left(r[2]).wrapping_add(h[1]);
        h[2] ^= h[0];
        h[1] = h[1].rotate_left(r[3]).wrapping_add(h[2]);
        h[3] ^= h[1];
    }
}

fn short_end(h: &mut [u64; 4]) {
    const ROT: [u32; 11] = [15, 52, 26, 51, 28, 9, 47, 54, 32, 25, 63];
    // The reference's eleven lines: (h3 ^= h2; h2 = rot(h2); h3 += h2), then h0, h1, h2, … in turn.
    for (i, rot) in ROT.iter().enumerate() {
        let (x, y) = ((i + 3) % 4, (i + 2) % 4);
        h[x] ^= h[y];
        h[y] = h[y].rotate_left(*rot);
        h[x] = h[x].wrapping_add(h[y]);
    }
}

/// `Short`: inputs below 192 bytes.
fn short(data: &[u8], seed1: u64, seed2: u64) -> (u64, u64) {
    let mut h = [seed1, seed2, SC_CONST, SC_CONST];
    let mut rest = data;
    if data.len() > 15 {
        let mut rounds = data.chunks_exact(32);
        for round in &mut rounds {
            let d = words::<4>(round);
            h[2] = h[2].wrapping_add(d[0]);
            h[3] = h[3].wrapping_add(d[1]);
            short_mix(&mut h);
            h[0] = h[0].wrapping_add(d[2]);
            h[1] = h[1].wrapping_add(d[3]);
        }
        rest = rounds.remainder();
        if rest.len() >= 16 {
            let d = words::<2>(rest);
            h[2] = h[2].wrapping_add(d[0]);
            h[3] = h[3].wrapping_add(d[1]);
            short_mix(&mut h);
            rest = &rest[16..];
        }
    }
    h[3] = h[3].wrapping_add((data.len() as u64) << 56);
    if rest.is_empty() {
        h[2] = h[2].wrapping_add(SC_CONST);
        h[3] = h[3].wrapping_add(SC_CONST);
    } else {
        let (lo, hi) = rest.split_at(rest.len().min(8));
        h[2] = h[2].wrapping_add(le_partial(lo));
        h[3] = h[3].wrapping_add(le_partial(hi));
    }
    short_end(&mut h);
    (h[0], h[1])
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::*;

    /// Byte `i` of the inputs of `testdata/spooky_v2_vectors.txt`.
    fn input(n: usize) -> Vec<u8> {
        (0..n).map(|i| ((i * 31 + 7) % 251) as u8).collect()
    }

    struct Vector {
        len: usize,
        seed1: u64,
        seed2: u64,
        h1: u64,
        h2: u64,
    }

    /// The table generated with PyPI `spookyhash` 2.1.1 (an independent C implementation of V2).
    fn vectors() -> Vec<Vector> {
        include_str!("testdata/spooky_v2_vectors.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
                Vector {
                    len: f[0].parse().unwrap(),
                    seed1: hex(f[1]),
                    seed2: hex(f[2]),
                    h1: hex(f[3]),
                    h2: hex(f[4]),
                }
            })
            .collect()
    }

    #[test]
    fn spec_vectors_both_paths() {
        // spec/cspp-plus.md §12: (input, h1, h2) where the spec gives the halves.
        let rows: &[(&[u8], u64, u64)] = &[
            (b"", 0x232706fc6bf50919, 0x8b72ee65b4e851c7),
            (b"hello", 0x3768826ad382e6ca, 0x5c941ed1c71ae043),
            (
                b"SampleTextVersion-1",
                0x14d8759b8696943a,
                0x3ed0b6cff865b864,
            ),
            (
                b"Alt_SampleTextVersion-1",
                0x4715021a6c1142b1,
                0xc5a0e9030344c0b9,
            ),
        ];
        for (data, h1, h2) in rows {
            assert_eq!(hash128(data, 0, 0), (*h1, *h2), "{data:?}");
        }
    }

    #[test]
    fn reference_table_one_shot() {
        let table = vectors();
        assert!(table.len() > 600);
        for v in &table {
            assert_eq!(
                hash128(&input(v.len), v.seed1, v.seed2),
                (v.h1, v.h2),
                "length {} seeds {:x}/{:x}",
                v.len,
                v.seed1,
                v.seed2
            );
        }
    }

    #[test]
    fn reference_table_streamed_in_odd_pieces() {
        for v in vectors() {
            let data = input(v.len);
            // Piece sizes that straddle the 16/32/96/192 boundaries differently.
            for piece in [1usize, 7, 95, 96, 97, 191, 192, 500] {
                let mut h = SpookyHasher::new(v.seed1, v.seed2);
                for p in data.chunks(piece) {
                    h.update(p);
                }
                assert_eq!(h.finish(), (v.h1, v.h2), "length {} piece {piece}", v.len);
                assert_eq!(h.len(), v.len as u64);
            }
        }
    }

    #[test]
    fn streaming_with_empty_updates_and_finish_midway() {
        let data = input(1000);
        let mut h = SpookyHasher::default();
        assert!(h.is_empty());
        h.update(&[]);
        h.update(&data[..150]);
        assert_eq!(h.finish(), hash128(&data[..150], 0, 0));
        h.update(&[]);
        h.update(&data[150..]);
        assert_eq!(h.finish(), hash128(&data, 0, 0));
    }
}
