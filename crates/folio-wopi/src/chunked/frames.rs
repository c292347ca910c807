//! The framed binary body of GetChunkedFile and PutChunkedFile (spec/cspp-plus.md §5.1), as an
//! incremental decoder and an encoder that never hold more than one MessageJSON payload.
//!
//! A body is a sequence of frames, every number big-endian:
//!
//! ```text
//! FrameType u32 | ExtendedHeaderSize u32 | PayloadSize u64 | ExtendedHeader | Payload
//! ```
//!
//! Types: 1 EndFrame (no header, no payload, last), 2 MessageJSON (first, exactly once), 3 Chunk
//! (16-byte ChunkId header; the payload must hash to it), 4 ChunkRange (36-byte header: ChunkId,
//! offset u64, length u64, flags u32; resumable transfer only). Type 0 and anything above 4 are
//! refused.
//!
//! [`FrameDecoder`] is sans-IO: push byte slices with [`FrameDecoder::next_event`] and it yields
//! [`FrameEvent`]s — the MessageJSON payload, the start of each chunk, the chunk's bytes as
//! borrowed pieces of the input, the end of each chunk once its SpookyHash matched its id, the
//! EndFrame. [`FrameDecoder::finish`] at the end of the body reports truncation. Decisions the
//! validator leaves open, taken here: bytes after the EndFrame are refused by default
//! ([`Trailing`]), an EndFrame must have no extended header and no payload, and MessageJSON must
//! have no extended header (the validator's `FramesValidator` insists on that too).
//!
//! [`FrameEncoder`] produces the same format, checking order (MessageJSON first, EndFrame last)
//! and that each streamed chunk has the declared length and id. Not here: the JSON inside the
//! MessageJSON frame ([`crate::wire::cspp`]), and which chunks a body should carry
//! ([`super::transfer`]).

use super::ChunkId;
use crate::spooky::SpookyHasher;

/// Length of the fixed part of every frame.
pub const FRAME_HEADER_LEN: usize = 16;
/// Extended header of a Chunk frame: the raw ChunkId.
pub const CHUNK_HEADER_LEN: usize = 16;
/// Extended header of a ChunkRange frame: ChunkId ‖ offset ‖ length ‖ flags.
pub const CHUNK_RANGE_HEADER_LEN: usize = 36;
/// The EndFrame, complete.
pub const END_FRAME: [u8; FRAME_HEADER_LEN] = frame_header(FrameType::End, 0, 0);

/// A frame type (§5.1). `Undefined` (0) is never valid and has no variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// 1: the last frame of a body.
    End,
    /// 2: the JSON message, first frame of a body.
    MessageJson,
    /// 3: one whole chunk.
    Chunk,
    /// 4: part of a chunk (resumable transfer).
    ChunkRange,
}

impl FrameType {
    /// The wire code.
    pub const fn code(self) -> u32 {
        match self {
            FrameType::End => 1,
            FrameType::MessageJson => 2,
            FrameType::Chunk => 3,
            FrameType::ChunkRange => 4,
        }
    }

    fn from_code(code: u32) -> Option<Self> {
        match code {
            1 => Some(FrameType::End),
            2 => Some(FrameType::MessageJson),
            3 => Some(FrameType::Chunk),
            4 => Some(FrameType::ChunkRange),
            _ => None,
        }
    }

    /// The extended header size this type must carry.
    const fn extended_header_len(self) -> usize {
        match self {
            FrameType::End | FrameType::MessageJson => 0,
            FrameType::Chunk => CHUNK_HEADER_LEN,
            FrameType::ChunkRange => CHUNK_RANGE_HEADER_LEN,
        }
    }
}

/// The 16-byte fixed header of a frame.
pub const fn frame_header(kind: FrameType, extended: u32, payload: u64) -> [u8; FRAME_HEADER_LEN] {
    let t = kind.code().to_be_bytes();
    let e = extended.to_be_bytes();
    let p = payload.to_be_bytes();
    let mut out = [0u8; FRAME_HEADER_LEN];
    let mut i = 0;
    while i < 4 {
        out[i] = t[i];
        out[4 + i] = e[i];
        i += 1;
    }
    let mut j = 0;
    while j < 8 {
        out[8 + j] = p[j];
        j += 1;
    }
    out
}

/// What to do with bytes after the EndFrame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trailing {
    /// Refuse them ([`FrameError::TrailingBytes`]).
    #[default]
    Reject,
    /// Skip them, as the validator's own parser does.
    Ignore,
}

/// Limits the decoder enforces as bytes arrive, so a lying size is refused before anything is
/// buffered or stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// Largest MessageJSON payload (it is buffered whole). Default 16 MiB.
    pub max_message: u64,
    /// Largest Chunk or ChunkRange payload. Default unlimited.
    pub max_chunk: u64,
    /// Largest body, all frames included. Default unlimited.
    pub max_body: u64,
    /// Bytes after the EndFrame.
    pub trailing: Trailing,
}

impl Default for FrameLimits {
    fn default() -> Self {
        Self {
            max_message: 16 * 1024 * 1024,
            max_chunk: u64::MAX,
            max_body: u64::MAX,
            trailing: Trailing::Reject,
        }
    }
}

/// Why a body is not a valid frame sequence. All of them are a malformed request (400), except
/// the size limits, which the caller may answer with 413.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The body ends inside a frame header or extended header.
    #[error("the body ends inside a frame header (at byte {offset})")]
    TruncatedHeader {
        /// Bytes of the body received.
        offset: u64,
    },
    /// A frame declares more payload than the body holds.
    #[error(
        "a {frame:?} frame declares {declared} payload bytes but the body ends after {received}"
    )]
    TruncatedPayload {
        /// The frame whose payload was cut.
        frame: FrameType,
        /// Its declared payload size.
        declared: u64,
        /// The payload bytes that arrived.
        received: u64,
    },
    /// The body ends at a frame boundary without an EndFrame.
    #[error("the body ends without an EndFrame")]
    MissingEndFrame,
    /// Frame type 0.
    #[error("frame type 0 (Undefined) at byte {offset}")]
    UndefinedFrameType {
        /// Where the frame starts.
        offset: u64,
    },
    /// A frame type above 4.
    #[error("unknown frame type {code} at byte {offset}")]
    UnknownFrameType {
        /// The type on the wire.
        code: u32,
        /// Where the frame starts.
        offset: u64,
    },
    /// An extended header of the wrong size for the frame type.
    #[error("a {frame:?} frame with a {size}-byte extended header")]
    BadExtendedHeader {
        /// The frame type.
        frame: FrameType,
        /// The declared extended header size.
        size: u32,
    },
    /// An EndFrame that declares a payload.
    #[error("an EndFrame declaring {size} payload bytes")]
    EndFrameWithPayload {
        /// The declared payload size.
        size: u64,
    },
    /// The first frame is not MessageJSON.
    #[error("the first frame is {frame:?}, not MessageJSON")]
    MessageNotFirst {
        /// The first frame's type.
        frame: FrameType,
    },
    /// A second MessageJSON frame.
    #[error("a second MessageJSON frame")]
    DuplicateMessage,
    /// The MessageJSON payload is over [`FrameLimits::max_message`].
    #[error("a MessageJSON payload of {size} bytes (limit {limit})")]
    MessageTooLarge {
        /// Declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A chunk payload is over [`FrameLimits::max_chunk`].
    #[error("a chunk of {size} bytes (limit {limit})")]
    ChunkTooLarge {
        /// Declared size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The body is over [`FrameLimits::max_body`].
    #[error("the body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit.
        limit: u64,
    },
    /// Bytes after the EndFrame ([`Trailing::Reject`]).
    #[error("bytes after the EndFrame (at byte {offset})")]
    TrailingBytes {
        /// Where they start.
        offset: u64,
    },
    /// A Chunk frame whose payload does not hash to the id in its extended header.
    #[error("chunk {declared} has content whose id is {actual}")]
    ChunkIdMismatch {
        /// The id in the extended header.
        declared: ChunkId,
        /// SpookyHash of the payload.
        actual: ChunkId,
    },
}

/// One step of a decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent<'a> {
    /// The MessageJSON payload (UTF-8 JSON, not yet parsed).
    Message(Vec<u8>),
    /// A Chunk frame begins; its bytes follow as [`FrameEvent::Data`].
    ChunkStart {
        /// The id in the extended header (not yet verified).
        id: ChunkId,
        /// The payload size.
        length: u64,
    },
    /// The next bytes of the current Chunk or ChunkRange payload, borrowed from the input.
    Data(&'a [u8]),
    /// The current Chunk frame ended and its payload hashed to `id`: it may now be kept.
    ChunkEnd {
        /// The verified id.
        id: ChunkId,
        /// The payload size.
        length: u64,
    },
    /// A ChunkRange frame begins; its bytes follow as [`FrameEvent::Data`] (not verifiable).
    RangeStart {
        /// The chunk the range is part of.
        id: ChunkId,
        /// Offset of the range in the chunk.
        offset: u64,
        /// Length of the range.
        length: u64,
        /// Flags: 0 the range lies inside the chunk, 1 it includes the chunk's end.
        flags: u32,
        /// The payload size.
        payload: u64,
    },
    /// The current ChunkRange frame ended.
    RangeEnd,
    /// The EndFrame: the body is complete.
    End,
}

#[derive(Debug)]
enum State {
    Header {
        buf: [u8; FRAME_HEADER_LEN],
        have: usize,
    },
    Extended {
        kind: FrameType,
        payload: u64,
        buf: [u8; CHUNK_RANGE_HEADER_LEN],
        have: usize,
    },
    Message {
        want: usize,
        buf: Vec<u8>,
    },
    Chunk {
        id: ChunkId,
        length: u64,
        remaining: u64,
        /// Boxed: it is ten times larger than the other states.
        hasher: Box<SpookyHasher>,
    },
    Range {
        remaining: u64,
        payload: u64,
    },
    Ended,
    Failed(FrameError),
}

/// The incremental frame decoder.
///
/// ```
/// use folio_wopi::chunked::frames::{FrameDecoder, FrameEvent, FrameLimits};
/// # fn body() -> Vec<u8> { folio_wopi::chunked::frames::encode_body(b"{}", &[b"x"]) }
/// let mut decoder = FrameDecoder::new(FrameLimits::default());
/// for piece in body().chunks(7) {
///     let mut input = piece;
///     while let Some(event) = decoder.next_event(&mut input)? {
///         if let FrameEvent::Data(bytes) = event { /* write bytes to a staging blob */ }
///     }
/// }
/// decoder.finish()?;
/// # Ok::<(), folio_wopi::chunked::frames::FrameError>(())
/// ```
#[derive(Debug)]
pub struct FrameDecoder {
    limits: FrameLimits,
    state: State,
    seen_message: bool,
    offset: u64,
}

impl FrameDecoder {
    /// A decoder for one body.
    pub fn new(limits: FrameLimits) -> Self {
        Self {
            limits,
            state: State::Header {
                buf: [0; FRAME_HEADER_LEN],
                have: 0,
            },
            seen_message: false,
            offset: 0,
        }
    }

    /// Bytes of the body consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the EndFrame was seen.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Ended)
    }

    fn fail(&mut self, e: FrameError) -> FrameError {
        self.state = State::Failed(e.clone());
        e
    }

    /// Consumes up to `n` bytes of `input`, counting them against the body limit.
    fn take<'a>(&mut self, input: &mut &'a [u8], n: usize) -> Result<&'a [u8], FrameError> {
        let n = n.min(input.len());
        let (piece, rest) = input.split_at(n);
        *input = rest;
        self.offset = self.offset.saturating_add(n as u64);
        if self.offset > self.limits.max_body {
            let limit = self.limits.max_body;
            return Err(self.fail(FrameError::BodyTooLarge { limit }));
        }
        Ok(piece)
    }

    /// The next event from `input`, consuming what it uses (`input` is advanced). `Ok(None)`:
    /// `input` is used up and more bytes are needed (or, after the EndFrame, nothing more comes).
    /// After an error every call returns the same error.
    pub fn next_event<'a>(
        &mut self,
        input: &mut &'a [u8],
    ) -> Result<Option<FrameEvent<'a>>, FrameError> {
        loop {
            match &mut self.state {
                State::Failed(e) => return Err(e.clone()),
                State::Ended => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    match self.limits.trailing {
                        Trailing::Reject => {
                            let offset = self.offset;
                            return Err(self.fail(FrameError::TrailingBytes { offset }));
                        }
                        Trailing::Ignore => {
                            self.take(input, input.len())?;
                            return Ok(None);
                        }
                    }
                }
                State::Header { have, .. } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let want = FRAME_HEADER_LEN - *have;
                    let piece = self.take(input, want)?;
                    let State::Header { buf, have } = &mut self.state else {
                        continue;
                    };
                    buf[*have..*have + piece.len()].copy_from_slice(piece);
                    *have += piece.len();
                    if *have < FRAME_HEADER_LEN {
                        return Ok(None);
                    }
                    let header = *buf;
                    if let Some(event) = self.start_frame(&header)? {
                        return Ok(Some(event));
                    }
                }
                State::Extended { kind, have, .. } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let need = kind.extended_header_len();
                    let want = need - *have;
                    let piece = self.take(input, want)?;
                    let State::Extended {
                        kind,
                        payload,
                        buf,
                        have,
                    } = &mut self.state
                    else {
                        continue;
                    };
                    buf[*have..*have + piece.len()].copy_from_slice(piece);
                    *have += piece.len();
                    if *have < need {
                        return Ok(None);
                    }
                    let (kind, payload, buf) = (*kind, *payload, *buf);
                    let mut id = [0u8; 16];
                    id.copy_from_slice(&buf[..16]);
                    let id = ChunkId::from_bytes(id);
                    if kind == FrameType::Chunk {
                        self.state = State::Chunk {
                            id,
                            length: payload,
                            remaining: payload,
                            hasher: Box::default(),
                        };
                        return Ok(Some(FrameEvent::ChunkStart {
                            id,
                            length: payload,
                        }));
                    }
                    let be64 = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or([0; 8]));
                    self.state = State::Range {
                        remaining: payload,
                        payload,
                    };
                    return Ok(Some(FrameEvent::RangeStart {
                        id,
                        offset: be64(&buf[16..24]),
                        length: be64(&buf[24..32]),
                        flags: u32::from_be_bytes(buf[32..36].try_into().unwrap_or([0; 4])),
                        payload,
                    }));
                }
                State::Message { want, buf } => {
                    let missing = *want - buf.len();
                    if missing > 0 {
                        if input.is_empty() {
                            return Ok(None);
                        }
                        let piece = self.take(input, missing)?;
                        let State::Message { buf, .. } = &mut self.state else {
                            continue;
                        };
                        buf.extend_from_slice(piece);
                        continue;
                    }
                    let message = std::mem::take(buf);
                    self.state = State::header();
                    return Ok(Some(FrameEvent::Message(message)));
                }
                State::Chunk {
                    id,
                    length,
                    remaining: 0,
                    hasher,
                } => {
                    let (declared, length) = (*id, *length);
                    let actual = ChunkId::from_hasher(hasher);
                    if actual != declared {
                        return Err(self.fail(FrameError::ChunkIdMismatch { declared, actual }));
                    }
                    self.state = State::header();
                    return Ok(Some(FrameEvent::ChunkEnd {
                        id: declared,
                        length,
                    }));
                }
                State::Chunk { remaining, .. } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let n = usize::try_from(*remaining).unwrap_or(usize::MAX);
                    let piece = self.take(input, n)?;
                    if let State::Chunk {
                        remaining, hasher, ..
                    } = &mut self.state
                    {
                        hasher.update(piece);
                        *remaining -= piece.len() as u64;
                    }
                    return Ok(Some(FrameEvent::Data(piece)));
                }
                State::Range { remaining: 0, .. } => {
                    self.state = State::header();
                    return Ok(Some(FrameEvent::RangeEnd));
                }
                State::Range { remaining, .. } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let n = usize::try_from(*remaining).unwrap_or(usize::MAX);
                    let piece = self.take(input, n)?;
                    if let State::Range { remaining, .. } = &mut self.state {
                        *remaining -= piece.len() as u64;
                    }
                    return Ok(Some(FrameEvent::Data(piece)));
                }
            }
        }
    }

    /// A complete fixed header arrived: check it and move to the frame's next part.
    fn start_frame(
        &mut self,
        header: &[u8; FRAME_HEADER_LEN],
    ) -> Result<Option<FrameEvent<'static>>, FrameError> {
        let code = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let extended = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        let mut p = [0u8; 8];
        p.copy_from_slice(&header[8..16]);
        let payload = u64::from_be_bytes(p);
        let start = self.offset - FRAME_HEADER_LEN as u64;
        let kind = match (code, FrameType::from_code(code)) {
            (0, _) => return Err(self.fail(FrameError::UndefinedFrameType { offset: start })),
            (_, Some(kind)) => kind,
            (code, None) => {
                return Err(self.fail(FrameError::UnknownFrameType {
                    code,
                    offset: start,
                }));
            }
        };
        match (self.seen_message, kind) {
            (false, FrameType::MessageJson) => self.seen_message = true,
            (false, frame) => return Err(self.fail(FrameError::MessageNotFirst { frame })),
            (true, FrameType::MessageJson) => return Err(self.fail(FrameError::DuplicateMessage)),
            (true, _) => {}
        }
        if extended as usize != kind.extended_header_len() {
            return Err(self.fail(FrameError::BadExtendedHeader {
                frame: kind,
                size: extended,
            }));
        }
        match kind {
            FrameType::End => {
                if payload != 0 {
                    return Err(self.fail(FrameError::EndFrameWithPayload { size: payload }));
                }
                self.state = State::Ended;
                Ok(Some(FrameEvent::End))
            }
            FrameType::MessageJson => {
                let limit = self.limits.max_message;
                let want = match usize::try_from(payload) {
                    Ok(want) if payload <= limit => want,
                    _ => {
                        return Err(self.fail(FrameError::MessageTooLarge {
                            size: payload,
                            limit,
                        }));
                    }
                };
                self.state = State::Message {
                    want,
                    buf: Vec::with_capacity(want.min(64 * 1024)),
                };
                Ok(None)
            }
            FrameType::Chunk | FrameType::ChunkRange => {
                let limit = self.limits.max_chunk;
                if payload > limit {
                    return Err(self.fail(FrameError::ChunkTooLarge {
                        size: payload,
                        limit,
                    }));
                }
                self.state = State::Extended {
                    kind,
                    payload,
                    buf: [0; CHUNK_RANGE_HEADER_LEN],
                    have: 0,
                };
                Ok(None)
            }
        }
    }

    /// The body ended: `Ok` only if the EndFrame was seen. Call it after `next_event` returned
    /// `Ok(None)` for the last bytes.
    pub fn finish(&self) -> Result<(), FrameError> {
        match &self.state {
            State::Ended => Ok(()),
            State::Failed(e) => Err(e.clone()),
            State::Header { have: 0, .. } => Err(FrameError::MissingEndFrame),
            State::Header { .. } | State::Extended { .. } => Err(FrameError::TruncatedHeader {
                offset: self.offset,
            }),
            State::Message { want, buf } => Err(FrameError::TruncatedPayload {
                frame: FrameType::MessageJson,
                declared: *want as u64,
                received: buf.len() as u64,
            }),
            State::Chunk {
                length, remaining, ..
            } if *remaining > 0 => Err(FrameError::TruncatedPayload {
                frame: FrameType::Chunk,
                declared: *length,
                received: length - remaining,
            }),
            State::Range { payload, remaining } if *remaining > 0 => {
                Err(FrameError::TruncatedPayload {
                    frame: FrameType::ChunkRange,
                    declared: *payload,
                    received: payload - remaining,
                })
            }
            // A frame whose end event was not collected yet.
            State::Chunk { .. } | State::Range { .. } => Err(FrameError::MissingEndFrame),
        }
    }
}

impl State {
    fn header() -> Self {
        State::Header {
            buf: [0; FRAME_HEADER_LEN],
            have: 0,
        }
    }
}

/// A whole body decoded in memory (small bodies and tests): the message and the verified
/// chunks in body order. ChunkRange frames are refused here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBody {
    /// The MessageJSON payload.
    pub message: Vec<u8>,
    /// Each Chunk frame's id and payload, in body order.
    pub chunks: Vec<(ChunkId, Vec<u8>)>,
}

/// Decodes a whole body held in memory. A ChunkRange frame is
/// [`FrameError::UnknownFrameType`] here (this helper is for bodies without resumable parts).
pub fn decode_body(body: &[u8], limits: FrameLimits) -> Result<DecodedBody, FrameError> {
    let mut decoder = FrameDecoder::new(limits);
    let mut input = body;
    let mut message = Vec::new();
    let mut chunks: Vec<(ChunkId, Vec<u8>)> = Vec::new();
    while let Some(event) = decoder.next_event(&mut input)? {
        match event {
            FrameEvent::Message(m) => message = m,
            FrameEvent::ChunkStart { id, .. } => chunks.push((id, Vec::new())),
            FrameEvent::Data(bytes) => {
                if let Some((_, data)) = chunks.last_mut() {
                    data.extend_from_slice(bytes);
                }
            }
            FrameEvent::RangeStart { .. } => {
                return Err(FrameError::UnknownFrameType {
                    code: FrameType::ChunkRange.code(),
                    offset: decoder.offset(),
                });
            }
            FrameEvent::ChunkEnd { .. } | FrameEvent::RangeEnd | FrameEvent::End => {}
        }
    }
    decoder.finish()?;
    Ok(DecodedBody { message, chunks })
}

/// Why the encoder refused a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// MessageJSON not first, a second one, a chunk before it, anything after the EndFrame, or
    /// a new frame while a chunk is still streaming.
    #[error("frame out of order")]
    OutOfOrder,
    /// More chunk bytes than declared.
    #[error("chunk data longer than the declared {declared} bytes")]
    ChunkOverrun {
        /// The declared length.
        declared: u64,
    },
    /// The chunk ended before its declared length.
    #[error("chunk data of {received} bytes, {declared} declared")]
    ChunkShort {
        /// The declared length.
        declared: u64,
        /// What was streamed.
        received: u64,
    },
    /// The streamed bytes do not hash to the declared id (a corrupt stored chunk).
    #[error("chunk {declared} streamed content whose id is {actual}")]
    ChunkIdMismatch {
        /// The declared id.
        declared: ChunkId,
        /// SpookyHash of what was streamed.
        actual: ChunkId,
    },
}

#[derive(Debug)]
enum EncState {
    Start,
    Frames,
    Chunk {
        id: ChunkId,
        length: u64,
        sent: u64,
        /// Boxed: it is ten times larger than the other states.
        hasher: Box<SpookyHasher>,
    },
    Ended,
}

/// Builds a body frame by frame, for streaming: the caller writes each returned header, then
/// passes every chunk byte through [`FrameEncoder::chunk_data`] (which counts and hashes it)
/// and closes the chunk with [`FrameEncoder::end_chunk`].
#[derive(Debug)]
pub struct FrameEncoder {
    state: EncState,
}

impl Default for FrameEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameEncoder {
    /// An encoder at the start of a body.
    pub fn new() -> Self {
        Self {
            state: EncState::Start,
        }
    }

    /// The MessageJSON frame, header and payload: must come first, once.
    pub fn message(&mut self, json: &[u8]) -> Result<Vec<u8>, EncodeError> {
        if !matches!(self.state, EncState::Start) {
            return Err(EncodeError::OutOfOrder);
        }
        self.state = EncState::Frames;
        let mut out = Vec::with_capacity(FRAME_HEADER_LEN + json.len());
        out.extend_from_slice(&frame_header(FrameType::MessageJson, 0, json.len() as u64));
        out.extend_from_slice(json);
        Ok(out)
    }

    /// The header of a Chunk frame (fixed header ‖ id) whose `length` bytes follow.
    pub fn begin_chunk(
        &mut self,
        id: ChunkId,
        length: u64,
    ) -> Result<[u8; FRAME_HEADER_LEN + CHUNK_HEADER_LEN], EncodeError> {
        if !matches!(self.state, EncState::Frames) {
            return Err(EncodeError::OutOfOrder);
        }
        self.state = EncState::Chunk {
            id,
            length,
            sent: 0,
            hasher: Box::default(),
        };
        let mut out = [0u8; FRAME_HEADER_LEN + CHUNK_HEADER_LEN];
        out[..FRAME_HEADER_LEN].copy_from_slice(&frame_header(
            FrameType::Chunk,
            CHUNK_HEADER_LEN as u32,
            length,
        ));
        out[FRAME_HEADER_LEN..].copy_from_slice(id.as_bytes());
        Ok(out)
    }

    /// Passes the next bytes of the current chunk through (returned unchanged, to be written).
    pub fn chunk_data<'a>(&mut self, data: &'a [u8]) -> Result<&'a [u8], EncodeError> {
        let EncState::Chunk {
            length,
            sent,
            hasher,
            ..
        } = &mut self.state
        else {
            return Err(EncodeError::OutOfOrder);
        };
        let after = sent.saturating_add(data.len() as u64);
        if after > *length {
            return Err(EncodeError::ChunkOverrun { declared: *length });
        }
        hasher.update(data);
        *sent = after;
        Ok(data)
    }

    /// Closes the current chunk: all declared bytes passed and they hash to the id.
    pub fn end_chunk(&mut self) -> Result<(), EncodeError> {
        let EncState::Chunk {
            id,
            length,
            sent,
            hasher,
        } = &self.state
        else {
            return Err(EncodeError::OutOfOrder);
        };
        if sent < length {
            return Err(EncodeError::ChunkShort {
                declared: *length,
                received: *sent,
            });
        }
        let actual = ChunkId::from_hasher(hasher);
        if actual != *id {
            return Err(EncodeError::ChunkIdMismatch {
                declared: *id,
                actual,
            });
        }
        self.state = EncState::Frames;
        Ok(())
    }

    /// A whole Chunk frame for `payload` held in memory; its id is computed.
    pub fn chunk(&mut self, payload: &[u8]) -> Result<Vec<u8>, EncodeError> {
        let header = self.begin_chunk(ChunkId::of(payload), payload.len() as u64)?;
        self.chunk_data(payload)?;
        self.end_chunk()?;
        let mut out = Vec::with_capacity(header.len() + payload.len());
        out.extend_from_slice(&header);
        out.extend_from_slice(payload);
        Ok(out)
    }

    /// The EndFrame: after the message and any chunks, once.
    pub fn end(&mut self) -> Result<[u8; FRAME_HEADER_LEN], EncodeError> {
        if !matches!(self.state, EncState::Frames) {
            return Err(EncodeError::OutOfOrder);
        }
        self.state = EncState::Ended;
        Ok(END_FRAME)
    }
}

/// A whole body in memory: MessageJSON `json`, one Chunk frame per payload (in order, not
/// deduplicated), EndFrame.
pub fn encode_body(json: &[u8], chunks: &[impl AsRef<[u8]>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&frame_header(FrameType::MessageJson, 0, json.len() as u64));
    out.extend_from_slice(json);
    for payload in chunks {
        let payload = payload.as_ref();
        out.extend_from_slice(&frame_header(
            FrameType::Chunk,
            CHUNK_HEADER_LEN as u32,
            payload.len() as u64,
        ));
        out.extend_from_slice(ChunkId::of(payload).as_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&END_FRAME);
    out
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// spec/cspp-plus.md §12: the validator's PutChunkedFile body for "SampleTextVersion-1".
    fn validator_put_body() -> Vec<u8> {
        hex("00000002 00000000 00000000000000c7
            7b22436f6e74656e7450726f70657274696573223a5b5d2c225369676e617475726573223a5b7b224368756e6b5369676e
            617475726573223a5b7b224368756e6b4964223a224f705357687074313242526b754758347a37625150673d3d222c224c
            656e677468223a31397d5d2c224368756e6b696e67536368656d65223a2246756c6c46696c65222c2253747265616d4964
            223a224d61696e436f6e74656e74227d5d2c2255706c6f616453657373696f6e546f6b656e546f436f6d6d6974223a6e75
            6c6c7d
            00000003 00000010 0000000000000013
            3a9496869b75d81464b865f8cfb6d03e
            53616d706c655465787456657273696f6e2d31
            00000001 00000000 0000000000000000")
    }

    const VALIDATOR_JSON: &str = r#"{"ContentProperties":[],"Signatures":[{"ChunkSignatures":[{"ChunkId":"OpSWhpt12BRkuGX4z7bQPg==","Length":19}],"ChunkingScheme":"FullFile","StreamId":"MainContent"}],"UploadSessionTokenToCommit":null}"#;

    /// Decodes `body` fed in pieces of `piece` bytes; events are collected owned.
    fn events(body: &[u8], piece: usize, limits: FrameLimits) -> Result<Vec<Owned>, FrameError> {
        let mut d = FrameDecoder::new(limits);
        let mut out = Vec::new();
        for p in body.chunks(piece.max(1)) {
            let mut input = p;
            while let Some(e) = d.next_event(&mut input)? {
                out.push(Owned::from(e));
            }
            assert!(input.is_empty());
        }
        if body.is_empty() {
            let mut input: &[u8] = &[];
            while let Some(e) = d.next_event(&mut input)? {
                out.push(Owned::from(e));
            }
        }
        d.finish()?;
        Ok(merge_data(out))
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Owned {
        Message(Vec<u8>),
        Start(ChunkId, u64),
        Data(Vec<u8>),
        ChunkEnd(ChunkId, u64),
        RangeStart(ChunkId, u64, u64, u32),
        RangeEnd,
        End,
    }

    impl From<FrameEvent<'_>> for Owned {
        fn from(e: FrameEvent<'_>) -> Self {
            match e {
                FrameEvent::Message(m) => Owned::Message(m),
                FrameEvent::ChunkStart { id, length } => Owned::Start(id, length),
                FrameEvent::Data(d) => Owned::Data(d.to_vec()),
                FrameEvent::ChunkEnd { id, length } => Owned::ChunkEnd(id, length),
                FrameEvent::RangeStart {
                    id,
                    offset,
                    length,
                    flags,
                    ..
                } => Owned::RangeStart(id, offset, length, flags),
                FrameEvent::RangeEnd => Owned::RangeEnd,
                FrameEvent::End => Owned::End,
            }
        }
    }

    /// Joins consecutive data pieces so that results do not depend on how input was cut.
    fn merge_data(events: Vec<Owned>) -> Vec<Owned> {
        let mut out: Vec<Owned> = Vec::new();
        for e in events {
            match (out.last_mut(), e) {
                (Some(Owned::Data(acc)), Owned::Data(d)) => acc.extend_from_slice(&d),
                (_, e) => out.push(e),
            }
        }
        out
    }

    #[test]
    fn validator_put_body_decodes_in_any_cut() {
        let body = validator_put_body();
        assert_eq!(body.len(), 282);
        let id = ChunkId::parse("OpSWhpt12BRkuGX4z7bQPg==").unwrap();
        let want = vec![
            Owned::Message(VALIDATOR_JSON.as_bytes().to_vec()),
            Owned::Start(id, 19),
            Owned::Data(b"SampleTextVersion-1".to_vec()),
            Owned::ChunkEnd(id, 19),
            Owned::End,
        ];
        for piece in [1, 2, 15, 16, 17, 31, 32, 100, 282] {
            assert_eq!(
                events(&body, piece, FrameLimits::default()).unwrap(),
                want,
                "{piece}"
            );
        }
    }

    #[test]
    fn encoder_reproduces_the_validator_body() {
        let mut e = FrameEncoder::new();
        let mut body = e.message(VALIDATOR_JSON.as_bytes()).unwrap();
        body.extend(e.chunk(b"SampleTextVersion-1").unwrap());
        body.extend(e.end().unwrap());
        assert_eq!(body, validator_put_body());
        assert_eq!(
            encode_body(VALIDATOR_JSON.as_bytes(), &[b"SampleTextVersion-1"]),
            body
        );
    }

    #[test]
    fn streaming_encoder_checks_length_and_id() {
        let data = b"SampleTextVersion-1";
        let id = ChunkId::of(data);
        let mut e = FrameEncoder::new();
        assert_eq!(e.begin_chunk(id, 19), Err(EncodeError::OutOfOrder));
        assert_eq!(e.end(), Err(EncodeError::OutOfOrder));
        e.message(b"{}").unwrap();
        assert_eq!(e.message(b"{}"), Err(EncodeError::OutOfOrder));
        let header = e.begin_chunk(id, 19).unwrap();
        assert_eq!(&header[16..], id.as_bytes());
        assert_eq!(e.end(), Err(EncodeError::OutOfOrder));
        e.chunk_data(&data[..5]).unwrap();
        assert_eq!(
            e.end_chunk(),
            Err(EncodeError::ChunkShort {
                declared: 19,
                received: 5
            })
        );
        e.chunk_data(&data[5..]).unwrap();
        assert_eq!(
            e.chunk_data(b"x"),
            Err(EncodeError::ChunkOverrun { declared: 19 })
        );
        e.end_chunk().unwrap();
        // A stored chunk that went bad on the way out.
        e.begin_chunk(id, 19).unwrap();
        e.chunk_data(b"SampleTextVersion-2").unwrap();
        assert_eq!(
            e.end_chunk(),
            Err(EncodeError::ChunkIdMismatch {
                declared: id,
                actual: ChunkId::of(b"SampleTextVersion-2")
            })
        );
    }

    #[test]
    fn spec_get_chunked_file_request_is_185_bytes() {
        let json = br#"{"ContentFilters":[{"AlreadyKnownChunks":[],"ChunkingScheme":"FullFile","ChunksToReturn":"All","StreamId":"MainContent"}],"ContentPropertiesToReturn":[]}"#;
        assert_eq!(json.len(), 0x99);
        let body = encode_body(json, &[] as &[&[u8]]);
        assert_eq!(body.len(), 185);
        let d = decode_body(&body, FrameLimits::default()).unwrap();
        assert_eq!(d.message, json.to_vec());
        assert!(d.chunks.is_empty());
    }

    #[test]
    fn empty_chunk_ends_without_more_input() {
        let body = encode_body(b"{}", &[b""]);
        let got = events(&body, body.len(), FrameLimits::default()).unwrap();
        assert_eq!(
            got,
            vec![
                Owned::Message(b"{}".to_vec()),
                Owned::Start(ChunkId::EMPTY, 0),
                Owned::ChunkEnd(ChunkId::EMPTY, 0),
                Owned::End
            ]
        );
    }

    #[test]
    fn chunk_range_frames_are_parsed() {
        let id = ChunkId::of(b"whole chunk");
        let mut body = encode_body(b"{}", &[] as &[&[u8]]);
        body.truncate(body.len() - 16);
        body.extend(frame_header(FrameType::ChunkRange, 36, 3));
        body.extend(id.as_bytes());
        body.extend(6u64.to_be_bytes());
        body.extend(3u64.to_be_bytes());
        body.extend(1u32.to_be_bytes());
        body.extend(b"hun");
        body.extend(END_FRAME);
        let got = events(&body, 5, FrameLimits::default()).unwrap();
        assert_eq!(
            got[1..],
            [
                Owned::RangeStart(id, 6, 3, 1),
                Owned::Data(b"hun".to_vec()),
                Owned::RangeEnd,
                Owned::End
            ]
        );
        assert!(matches!(
            decode_body(&body, FrameLimits::default()),
            Err(FrameError::UnknownFrameType { code: 4, .. })
        ));
    }

    /// Malformed bodies: (description, body, limits, expected error).
    #[test]
    fn malformed_bodies() {
        let good = validator_put_body();
        let msg_end = 16 + 199;
        let chunk_payload_at = msg_end + 32;
        let with = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = good.clone();
            f(&mut b);
            b
        };
        let json = VALIDATOR_JSON.as_bytes();
        let d = FrameLimits::default();
        let rows: Vec<(&str, Vec<u8>, FrameLimits, FrameError)> = vec![
            ("empty body", vec![], d, FrameError::MissingEndFrame),
            (
                "cut in the first header",
                good[..10].to_vec(),
                d,
                FrameError::TruncatedHeader { offset: 10 },
            ),
            (
                "cut in a chunk's extended header",
                good[..msg_end + 20].to_vec(),
                d,
                FrameError::TruncatedHeader {
                    offset: msg_end as u64 + 20,
                },
            ),
            (
                "message shorter than declared",
                good[..100].to_vec(),
                d,
                FrameError::TruncatedPayload {
                    frame: FrameType::MessageJson,
                    declared: 199,
                    received: 84,
                },
            ),
            (
                "chunk shorter than declared",
                good[..chunk_payload_at + 4].to_vec(),
                d,
                FrameError::TruncatedPayload {
                    frame: FrameType::Chunk,
                    declared: 19,
                    received: 4,
                },
            ),
            (
                "chunk size lies upwards",
                with(&|b| b[msg_end + 15] = 0x30),
                d,
                FrameError::TruncatedPayload {
                    frame: FrameType::Chunk,
                    declared: 0x30,
                    received: 19 + 16,
                },
            ),
            (
                "no EndFrame",
                good[..good.len() - 16].to_vec(),
                d,
                FrameError::MissingEndFrame,
            ),
            (
                "undefined frame type",
                with(&|b| b[msg_end + 3] = 0),
                d,
                FrameError::UndefinedFrameType {
                    offset: msg_end as u64,
                },
            ),
            (
                "unknown frame type",
                with(&|b| b[msg_end + 3] = 9),
                d,
                FrameError::UnknownFrameType {
                    code: 9,
                    offset: msg_end as u64,
                },
            ),
            (
                "chunk first",
                good[msg_end..].to_vec(),
                d,
                FrameError::MessageNotFirst {
                    frame: FrameType::Chunk,
                },
            ),
            (
                "EndFrame first",
                END_FRAME.to_vec(),
                d,
                FrameError::MessageNotFirst {
                    frame: FrameType::End,
                },
            ),
            (
                "two messages",
                {
                    let mut b = good[..msg_end].to_vec();
                    b.extend_from_slice(&good);
                    b
                },
                d,
                FrameError::DuplicateMessage,
            ),
            (
                "message with an extended header",
                with(&|b| b[7] = 4),
                d,
                FrameError::BadExtendedHeader {
                    frame: FrameType::MessageJson,
                    size: 4,
                },
            ),
            (
                "chunk with a 15-byte id",
                with(&|b| b[msg_end + 7] = 15),
                d,
                FrameError::BadExtendedHeader {
                    frame: FrameType::Chunk,
                    size: 15,
                },
            ),
            (
                "EndFrame with a payload",
                with(&|b| *b.last_mut().unwrap() = 1),
                d,
                FrameError::EndFrameWithPayload { size: 1 },
            ),
            (
                "EndFrame with an extended header",
                with(&|b| {
                    let n = b.len();
                    b[n - 9] = 1
                }),
                d,
                FrameError::BadExtendedHeader {
                    frame: FrameType::End,
                    size: 1,
                },
            ),
            (
                "trailing garbage",
                with(&|b| b.extend_from_slice(b"junk")),
                d,
                FrameError::TrailingBytes { offset: 282 },
            ),
            (
                "payload does not hash to its id",
                with(&|b| b[chunk_payload_at] ^= 1),
                d,
                FrameError::ChunkIdMismatch {
                    declared: ChunkId::of(b"SampleTextVersion-1"),
                    actual: ChunkId::of(b"RampleTextVersion-1"),
                },
            ),
            (
                "message over the limit",
                good.clone(),
                FrameLimits {
                    max_message: 198,
                    ..d
                },
                FrameError::MessageTooLarge {
                    size: 199,
                    limit: 198,
                },
            ),
            (
                "message size beyond any limit",
                with(&|b| b[8] = 0xff),
                d,
                FrameError::MessageTooLarge {
                    size: 0xff00_0000_0000_00c7,
                    limit: d.max_message,
                },
            ),
            (
                "chunk over the limit",
                good.clone(),
                FrameLimits { max_chunk: 18, ..d },
                FrameError::ChunkTooLarge {
                    size: 19,
                    limit: 18,
                },
            ),
            (
                "body over the limit",
                good.clone(),
                FrameLimits { max_body: 281, ..d },
                FrameError::BodyTooLarge { limit: 281 },
            ),
        ];
        for (what, body, limits, want) in rows {
            for piece in [1, 7, 64, body.len().max(1)] {
                assert_eq!(
                    events(&body, piece, limits),
                    Err(want.clone()),
                    "{what}, pieces of {piece}"
                );
            }
        }
        assert_eq!(json.len(), 199);
    }

    #[test]
    fn trailing_bytes_may_be_ignored() {
        let mut body = validator_put_body();
        body.extend_from_slice(b"padding");
        let limits = FrameLimits {
            trailing: Trailing::Ignore,
            ..FrameLimits::default()
        };
        let got = events(&body, 9, limits).unwrap();
        assert_eq!(got.last(), Some(&Owned::End));
    }

    #[test]
    fn a_failed_decoder_stays_failed() {
        let mut d = FrameDecoder::new(FrameLimits::default());
        let mut input: &[u8] = &END_FRAME;
        let err = d.next_event(&mut input).unwrap_err();
        let mut more: &[u8] = &validator_put_body();
        assert_eq!(d.next_event(&mut more), Err(err.clone()));
        assert_eq!(d.finish(), Err(err));
    }
}
