//! CSPP Plus GetChunkedFile and PutChunkedFile (spec/cspp-plus.md §7–§9): the framed bodies are
//! streamed (a chunk's bytes go to a spool file as they arrive and out of the blob as it is
//! read), never held whole; the decisions are in `folio_wopi::chunked` and `folio_wopi::coauth`.
//!
//! MainContent is the file's ordinary current version (GetFile, the web UI, versions and the
//! other editors see it unchanged); its chunk signature is stored with the version — as uploaded
//! by PutChunkedFile, or computed once from the bytes for content that arrived otherwise.
//! Alternate streams are blobs of their own. Every PutChunkedFile writes its new blobs first and
//! commits them in one store transaction that re-checks the locks and the sequence number; a
//! refused or failed commit deletes them (the sweep collects them after a crash).

use std::collections::{HashMap, HashSet};
use std::io::SeekFrom;
use std::path::PathBuf;

use bytes::Bytes;
use folio_wopi::chunked::chunker::{ChunkerEvent, StreamChunker};
use folio_wopi::chunked::frames::{
    self, FrameDecoder, FrameError, FrameEvent, FrameLimits, FrameType, Trailing,
};
use folio_wopi::chunked::transfer::{self, HostStream, StreamUpdate};
use folio_wopi::chunked::zip::{ScanStep, ZipScan};
use folio_wopi::chunked::{ChunkId, ChunkSignature, MAIN_CONTENT};
use folio_wopi::coauth;
use folio_wopi::wire::cspp::{self, ChunkingScheme, GetChunkedFileRequest, PutChunkedFileRequest};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::*;

/// A chunk's bytes in a stream: offset, length, id.
type Span = (u64, u64, ChunkId);

/// The most alternate streams and content properties a file keeps (§9.3).
const MAX_STREAMS: usize = 256;
/// Largest GetChunkedFile request body (a MessageJSON listing known chunks).
const MAX_REQUEST: usize = 16 * 1024 * 1024;

/// GetChunkedFile's answer: the file as read (for `X-WOPI-SequenceNumber` and
/// `X-WOPI-ItemVersion`) and the framed body.
pub struct ChunkedDownload {
    /// The file.
    pub file: FileRecord,
    /// MessageJSON, the Chunk frames, the EndFrame.
    pub body: ByteStream,
}

/// PutChunkedFile's headers.
#[derive(Debug, Clone)]
pub struct ChunkedUpload {
    /// `X-WOPI-Lock` (empty: none).
    pub wopi_lock: Option<LockId>,
    /// `X-WOPI-CoauthLockId` (empty: none).
    pub coauth_id: Option<String>,
    /// `X-WOPI-SequenceNumber`.
    pub sequence: i64,
}

fn bad(e: FrameError) -> AppError {
    tracing::debug!(error = %e, "malformed frames");
    match e {
        FrameError::ChunkTooLarge { .. } | FrameError::BodyTooLarge { .. } => {
            WopiError::FileTooLarge.into()
        }
        _ => WopiError::BadRequest("malformed frames").into(),
    }
}

fn io(e: std::io::Error) -> AppError {
    StoreError::Backend(format!("spool file: {e}").into()).into()
}

fn scheme_name(s: ChunkingScheme) -> &'static str {
    match s {
        ChunkingScheme::FullFile => "FullFile",
        ChunkingScheme::Zip => "Zip",
    }
}

/// A stored signature as the protocol types.
fn to_host(sig: &StreamSignature) -> Result<HostStream, AppError> {
    let scheme = match sig.scheme.as_str() {
        "Zip" => ChunkingScheme::Zip,
        _ => ChunkingScheme::FullFile,
    };
    let mut chunks = Vec::with_capacity(sig.chunks.len());
    for (id, length) in &sig.chunks {
        let id = ChunkId::parse(id)
            .map_err(|_| StoreError::Backend("a stored chunk id is malformed".into()))?;
        chunks.push(ChunkSignature {
            id,
            length: *length,
        });
    }
    Ok(HostStream { scheme, chunks })
}

fn to_stored(scheme: ChunkingScheme, chunks: &[ChunkSignature]) -> StreamSignature {
    StreamSignature {
        scheme: scheme_name(scheme).to_owned(),
        chunks: chunks
            .iter()
            .map(|c| (c.id.to_base64(), c.length))
            .collect(),
    }
}

/// A temporary file of chunk bytes, indexed by chunk id; removed when dropped.
struct Spool {
    path: PathBuf,
    file: tokio::fs::File,
    len: u64,
    index: HashMap<ChunkId, (u64, u64)>,
}

impl Spool {
    async fn new(dir: &std::path::Path) -> Result<Self, AppError> {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let path = dir.join(format!("spool-{}", folio_store::random_id(16)));
        let file = tokio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(io)?;
        Ok(Self {
            path,
            file,
            len: 0,
            index: HashMap::new(),
        })
    }

    async fn write(&mut self, data: &[u8]) -> Result<(), AppError> {
        self.file
            .seek(SeekFrom::Start(self.len))
            .await
            .map_err(io)?;
        self.file.write_all(data).await.map_err(io)?;
        self.len += data.len() as u64;
        Ok(())
    }

    /// Reads `len` bytes at `offset`.
    async fn read(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, AppError> {
        self.file.flush().await.map_err(io)?;
        self.file.seek(SeekFrom::Start(offset)).await.map_err(io)?;
        let mut buf = vec![0; len];
        self.file.read_exact(&mut buf).await.map_err(io)?;
        Ok(buf)
    }

    /// Makes every write visible to other handles.
    async fn sync(&mut self) -> Result<(), AppError> {
        self.file.flush().await.map_err(io)
    }

    /// The bytes of `plan`, in order: spooled chunks read from the spool (a fresh handle, so the
    /// spool stays usable) and stored ones taken from `source` (the current MainContent,
    /// read once, forward only: the plan's source offsets never go back).
    async fn assemble(
        &self,
        plan: &[Segment],
        source: Option<ByteStream>,
    ) -> Result<ByteStream, AppError> {
        let mut parts = Vec::with_capacity(plan.len());
        for s in plan {
            parts.push(match s {
                Segment::Spool(id) => {
                    let (offset, len) = self
                        .index
                        .get(id)
                        .copied()
                        .ok_or(WopiError::BadRequest("a chunk of the signature is missing"))?;
                    Part::Spool { offset, len }
                }
                Segment::Source { offset, length } => Part::Source {
                    offset: *offset,
                    len: *length,
                },
            });
        }
        let file = tokio::fs::File::open(&self.path).await.map_err(io)?;
        let state = Assembly {
            file,
            source,
            parts,
            i: 0,
            done: 0,
            buf: Bytes::new(),
            buf_at: 0,
        };
        let stream = futures::stream::unfold(state, |mut st| async move {
            match st.next_piece().await {
                Ok(Some(piece)) => Some((Ok(piece), st)),
                Ok(None) => None,
                Err(e) => {
                    // After an error the stream ends.
                    st.i = st.parts.len();
                    Some((Err(e), st))
                }
            }
        });
        Ok(Box::pin(stream))
    }
}

/// Where a chunk of a new stream comes from.
#[derive(Debug, Clone, Copy)]
enum Segment {
    /// The spool (uploaded, or copied there).
    Spool(ChunkId),
    /// The current MainContent blob, at this offset.
    Source {
        /// Offset in the blob.
        offset: u64,
        /// Length.
        length: u64,
    },
}

#[derive(Debug, Clone, Copy)]
enum Part {
    Spool { offset: u64, len: u64 },
    Source { offset: u64, len: u64 },
}

/// The state of one stream being assembled.
struct Assembly {
    file: tokio::fs::File,
    source: Option<ByteStream>,
    parts: Vec<Part>,
    i: usize,
    /// Bytes of part `i` already produced.
    done: u64,
    /// Unconsumed bytes of the source, starting at source offset `buf_at`.
    buf: Bytes,
    buf_at: u64,
}

impl Assembly {
    async fn next_piece(&mut self) -> Result<Option<Bytes>, std::io::Error> {
        const PIECE: u64 = 256 * 1024;
        loop {
            let Some(part) = self.parts.get(self.i).copied() else {
                return Ok(None);
            };
            let (offset, len) = match part {
                Part::Spool { offset, len } | Part::Source { offset, len } => (offset, len),
            };
            if self.done >= len {
                self.i += 1;
                self.done = 0;
                continue;
            }
            match part {
                Part::Spool { .. } => {
                    let n = (len - self.done).min(PIECE) as usize;
                    let mut buf = vec![0; n];
                    self.file.seek(SeekFrom::Start(offset + self.done)).await?;
                    self.file.read_exact(&mut buf).await?;
                    self.done += n as u64;
                    return Ok(Some(Bytes::from(buf)));
                }
                Part::Source { .. } => {
                    let want = offset + self.done;
                    // Drop source bytes before `want`, fetching more as needed.
                    while self.buf_at + self.buf.len() as u64 <= want {
                        self.buf_at += self.buf.len() as u64;
                        let source = self
                            .source
                            .as_mut()
                            .ok_or_else(|| std::io::Error::other("no source stream"))?;
                        self.buf = match source.next().await {
                            Some(piece) => piece?,
                            None => {
                                return Err(std::io::Error::other(
                                    "the stored stream is shorter than its signature",
                                ));
                            }
                        };
                    }
                    if want < self.buf_at {
                        return Err(std::io::Error::other("the source cannot go back"));
                    }
                    let skip = usize::try_from(want - self.buf_at).unwrap_or(usize::MAX);
                    self.buf = self.buf.slice(skip..);
                    self.buf_at = want;
                    let take = usize::try_from(len - self.done)
                        .unwrap_or(usize::MAX)
                        .min(self.buf.len());
                    let piece = self.buf.split_to(take);
                    self.buf_at += take as u64;
                    self.done += take as u64;
                    return Ok(Some(piece));
                }
            }
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl App {
    async fn blob_bytes(&self, key: &str) -> Result<ByteStream, AppError> {
        self.open_content(key).await
    }

    /// The signature of the file's current MainContent: stored with the version, or computed
    /// from the bytes (zip archives by the Zip scheme, anything else FullFile) and stored.
    async fn main_signature(
        &self,
        file: &FileRecord,
        state: &ChunkedState,
    ) -> Result<HostStream, AppError> {
        if let Some(sig) = &state.main_signature {
            return to_host(sig);
        }
        let mut spool = Spool::new(&self.config.spool_dir).await?;
        let mut body = self.blob_bytes(&file.content.blob_key).await?;
        while let Some(piece) = body.next().await {
            spool.write(&piece.map_err(io)?).await?;
        }
        let len = spool.len;
        let mut scan = ZipScan::new(len);
        let mut step = scan.start();
        let dir = loop {
            match step {
                ScanStep::Read { offset, len } => {
                    let bytes = spool.read(offset, len).await?;
                    step = scan.resume(&bytes);
                }
                ScanStep::Done(outcome) => break outcome.ok(),
            }
        };
        let mut chunker = match &dir {
            Some(d) => StreamChunker::zip(d),
            None => StreamChunker::full_file(),
        };
        let scheme = chunker.scheme();
        let mut chunks = Vec::new();
        let mut offset = 0;
        while offset < len {
            let n = (len - offset).min(256 * 1024) as usize;
            let piece = spool.read(offset, n).await?;
            offset += n as u64;
            let mut input = piece.as_slice();
            while let Some(event) = chunker
                .next_event(&mut input)
                .map_err(|e| StoreError::Backend(e.to_string().into()))?
            {
                if let ChunkerEvent::Chunk(c) = event {
                    chunks.push(c);
                }
            }
        }
        chunks.extend(
            chunker
                .finish()
                .map_err(|e| StoreError::Backend(e.to_string().into()))?,
        );
        let stream = HostStream { scheme, chunks };
        self.meta
            .set_signature(&file.id, file.version, &to_stored(scheme, &stream.chunks))
            .await?;
        Ok(stream)
    }

    /// CSPP Plus GetChunkedFile: the signatures of the requested streams, the requested content
    /// properties, and the chunks the client does not know.
    pub async fn get_chunked_file(
        &self,
        p: &Principal,
        body: ByteStream,
    ) -> Result<ChunkedDownload, AppError> {
        let mut bytes = Vec::new();
        let mut body = body;
        while let Some(piece) = body.next().await {
            let piece = piece.map_err(|_| WopiError::BadRequest("unreadable body"))?;
            if bytes.len() + piece.len() > MAX_REQUEST {
                return Err(WopiError::BadRequest("GetChunkedFile request too large").into());
            }
            bytes.extend_from_slice(&piece);
        }
        let limits = FrameLimits {
            trailing: Trailing::Ignore,
            ..FrameLimits::default()
        };
        let decoded = frames::decode_body(&bytes, limits).map_err(bad)?;
        let request = GetChunkedFileRequest::parse(&decoded.message)?;
        let file = p.file.clone();
        let state = self
            .meta
            .chunked_state(&file.id, file.version, self.now())
            .await?;
        let main = self.main_signature(&file, &state).await?;
        let mut hosts: Vec<(HostStream, Option<String>)> = Vec::new();
        for f in &request.content_filters {
            if f.stream_id == MAIN_CONTENT {
                hosts.push((main.clone(), Some(file.content.blob_key.clone())));
            } else if let Some(s) = state.streams.iter().find(|s| s.stream_id == f.stream_id) {
                hosts.push((to_host(&s.signature)?, Some(s.blob_key.clone())));
            } else {
                hosts.push((HostStream::unknown(), None));
            }
        }
        let send: HashSet<ChunkId> = transfer::chunks_to_send(
            request
                .content_filters
                .iter()
                .zip(hosts.iter().map(|(h, _)| h)),
        )
        .into_iter()
        .collect();
        let wanted: HashSet<&str> = request
            .content_properties_to_return
            .iter()
            .map(String::as_str)
            .collect();
        let mut properties = Vec::new();
        for prop in &state.properties {
            if wanted.contains(prop.name.as_str()) {
                properties.push(cspp::ContentProperty {
                    name: prop.name.clone(),
                    retention: if prop.retention == "KeepOnContentChange" {
                        cspp::Retention::KeepOnContentChange
                    } else {
                        cspp::Retention::DeleteOnContentChange
                    },
                    value: prop.value.clone(),
                });
            }
        }
        let response = cspp::GetChunkedFileResponse {
            content_properties: properties,
            signatures: request
                .content_filters
                .iter()
                .zip(&hosts)
                .map(|(f, (h, _))| cspp::StreamSignature {
                    chunk_signatures: h.chunks.iter().copied().map(Into::into).collect(),
                    chunking_scheme: h.scheme,
                    stream_id: f.stream_id.clone(),
                })
                .collect(),
        };
        let json = serde_json::to_vec(&response)
            .map_err(|e| StoreError::Backend(format!("GetChunkedFile message: {e}").into()))?;
        // Which bytes of which blob go out: each id once, from the first stream that has it.
        let mut plan: Vec<(Layout, Vec<Span>)> = Vec::new();
        let mut planned = HashSet::new();
        for (h, key) in &hosts {
            let Some(key) = key else { continue };
            let mut spans = Vec::new();
            let mut offset = 0;
            for c in &h.chunks {
                if send.contains(&c.id) && planned.insert(c.id) {
                    spans.push((offset, c.length, c.id));
                }
                offset += c.length;
            }
            if !spans.is_empty() {
                plan.push((self.layout(key).await?, spans));
            }
        }
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
        let blobs = self.blobs.clone();
        tokio::spawn(async move {
            let mut head =
                frames::frame_header(FrameType::MessageJson, 0, json.len() as u64).to_vec();
            head.extend_from_slice(&json);
            if tx.send(Ok(Bytes::from(head))).await.is_err() {
                return;
            }
            for (layout, spans) in plan {
                let stream = read_layout(blobs.clone(), layout);
                if let Err(e) = send_chunks(stream, &spans, &tx).await {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
            let _ = tx.send(Ok(Bytes::from_static(&frames::END_FRAME))).await;
        });
        let body = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Ok(ChunkedDownload {
            file,
            body: Box::pin(body),
        })
    }

    /// CSPP Plus PutChunkedFile: frames parsed as they stream in (new chunks spooled), then the
    /// lock rule and the sequence number, then every referenced chunk must exist; the new
    /// streams are written as blobs and committed in one transaction (which re-checks the
    /// locks and the sequence number).
    pub async fn put_chunked_file(
        &self,
        p: Principal,
        upload: ChunkedUpload,
        body: ByteStream,
    ) -> Result<FileRecord, AppError> {
        let now = self.now();
        // 3. Frames: the message, and new chunks into the spool (verified as they arrive).
        let limits = FrameLimits {
            max_chunk: self.config.max_file_size,
            max_body: self
                .config
                .max_file_size
                .saturating_mul(2)
                .saturating_add(1 << 20),
            trailing: Trailing::Ignore,
            ..FrameLimits::default()
        };
        let mut decoder = FrameDecoder::new(limits);
        let mut spool = Spool::new(&self.config.spool_dir).await?;
        let mut message = None;
        let mut chunk_start = 0;
        let mut body = body;
        while let Some(piece) = body.next().await {
            let piece = piece.map_err(|_| WopiError::BadRequest("unreadable body"))?;
            let mut input: &[u8] = &piece;
            while let Some(event) = decoder.next_event(&mut input).map_err(bad)? {
                match event {
                    FrameEvent::Message(m) => message = Some(m),
                    FrameEvent::ChunkStart { .. } => chunk_start = spool.len,
                    FrameEvent::Data(d) => spool.write(d).await?,
                    FrameEvent::ChunkEnd { id, length } => {
                        match spool.index.entry(id) {
                            // A repeated frame: keep the first copy (same bytes, same id).
                            std::collections::hash_map::Entry::Occupied(_) => {
                                spool.len = chunk_start;
                            }
                            std::collections::hash_map::Entry::Vacant(v) => {
                                v.insert((chunk_start, length));
                            }
                        }
                    }
                    // Ranges are for resumable transfer, which Folio does not offer: ignored,
                    // so a chunk sent only as ranges counts as missing.
                    FrameEvent::RangeStart { .. } | FrameEvent::RangeEnd | FrameEvent::End => {}
                }
            }
        }
        decoder.finish().map_err(bad)?;
        let message = message.ok_or(WopiError::BadRequest("no MessageJSON frame"))?;
        let request = PutChunkedFileRequest::parse(&message)?;

        // 4, 5. Locks, then the sequence number (again inside the commit).
        let table = self.meta.coauth_table(&p.file.id, now).await?;
        let view = p.file.lock_view(&table.rows);
        let presented = coauth::Presented {
            wopi_lock: upload.wopi_lock.as_ref().map(LockId::as_str),
            coauth_id: upload.coauth_id.as_deref(),
        };
        coauth::check_put_chunked(&view, presented, now)?;
        if upload.sequence != p.file.sequence {
            return Err(WopiError::SequenceMismatch {
                current: p.file.sequence,
            }
            .into());
        }

        // 6. Every referenced chunk is in the body or in a current stream, with its length.
        let state = self
            .meta
            .chunked_state(&p.file.id, p.file.version, now)
            .await?;
        let new: Vec<(String, Vec<ChunkSignature>)> = request
            .signatures
            .iter()
            .map(|s| {
                (
                    s.stream_id.clone(),
                    s.chunk_signatures.iter().copied().map(Into::into).collect(),
                )
            })
            .collect();
        let uploaded: HashMap<ChunkId, u64> = spool
            .index
            .iter()
            .map(|(id, (_, len))| (*id, *len))
            .collect();
        let missing: HashSet<ChunkId> = new
            .iter()
            .flat_map(|(_, c)| c.iter().map(|c| c.id))
            .filter(|id| !uploaded.contains_key(id))
            .collect();
        let mut sources: Vec<(String, HostStream)> = Vec::new();
        if !missing.is_empty() {
            sources.push((
                p.file.content.blob_key.clone(),
                self.main_signature(&p.file, &state).await?,
            ));
            for s in &state.streams {
                sources.push((s.blob_key.clone(), to_host(&s.signature)?));
            }
        }
        let stored: HashMap<ChunkId, u64> = sources
            .iter()
            .flat_map(|(_, h)| h.chunks.iter().map(|c| (c.id, c.length)))
            .collect();
        transfer::check_references(new.iter().map(|(_, c)| c.as_slice()), &uploaded, |id| {
            stored.get(id).copied()
        })?;
        let alternates = new.iter().filter(|(s, _)| s != MAIN_CONTENT).count();
        if state.streams.len() + alternates > MAX_STREAMS
            || state.properties.len() + request.content_properties.len() > MAX_STREAMS
        {
            return Err(WopiError::BadRequest("too many streams or content properties").into());
        }

        // Plan each new stream: uploaded chunks from the spool, stored ones straight from the
        // current MainContent blob while they come in its order (the usual delta: a few
        // changed chunks among unchanged ones in place); any other stored chunk is copied into
        // the spool first. So an unchanged 100 MB document is read once and written once.
        let mut main_offsets: HashMap<ChunkId, Vec<u64>> = HashMap::new();
        if let Some((_, main)) = sources.first() {
            let mut offset = 0;
            for c in &main.chunks {
                main_offsets.entry(c.id).or_default().push(offset);
                offset += c.length;
            }
        }
        let mut to_copy: HashSet<ChunkId> = HashSet::new();
        let mut plans: Vec<Vec<Segment>> = Vec::with_capacity(new.len());
        for (_, chunks) in &new {
            let mut plan = Vec::with_capacity(chunks.len());
            let mut cursor = 0u64;
            for c in chunks {
                if uploaded.contains_key(&c.id) {
                    plan.push(Segment::Spool(c.id));
                    continue;
                }
                let at = main_offsets
                    .get(&c.id)
                    .and_then(|offs| offs.iter().copied().find(|o| *o >= cursor));
                match at {
                    Some(offset) => {
                        plan.push(Segment::Source {
                            offset,
                            length: c.length,
                        });
                        cursor = offset + c.length;
                    }
                    None => {
                        to_copy.insert(c.id);
                        plan.push(Segment::Spool(c.id));
                    }
                }
            }
            plans.push(plan);
        }

        // Copy the stored chunks the plans need from the spool, one pass over each source.
        for (key, host) in &sources {
            let mut wanted = Vec::new();
            let mut offset = 0;
            for c in &host.chunks {
                if to_copy.contains(&c.id)
                    && !spool.index.contains_key(&c.id)
                    && !wanted.iter().any(|(_, _, id)| *id == c.id)
                {
                    wanted.push((offset, c.length, c.id));
                }
                offset += c.length;
            }
            if wanted.is_empty() {
                continue;
            }
            copy_chunks(&mut spool, self.blob_bytes(key).await?, &wanted).await?;
        }

        // Write every new stream, then commit them together.
        spool.sync().await?;
        let mut written: Vec<BlobKey> = Vec::new();
        let result = async {
            let source = format!("{} (chunked)", p.token.client.as_deref().unwrap_or("wopi"));
            let mut commit = ChunkedCommit {
                author_id: p.user.id.clone(),
                source: source.clone(),
                ..ChunkedCommit::default()
            };
            for ((sig, (stream_id, chunks)), plan) in
                request.signatures.iter().zip(&new).zip(&plans)
            {
                match transfer::stream_update(stream_id, chunks) {
                    StreamUpdate::Delete => commit.streams.push((stream_id.clone(), None)),
                    StreamUpdate::Replace(chunks) => {
                        if stream_id == MAIN_CONTENT
                            && let Some((key, put, segments)) = self
                                .segmented_main(
                                    plan,
                                    &spool,
                                    &p.file,
                                    (&uploaded, &main_offsets),
                                    &mut written,
                                )
                                .await?
                        {
                            let content = ContentRecord {
                                blob_key: key,
                                size: put.size,
                                sha256: put.sha256,
                                created_at: now,
                                author_id: p.user.id.clone(),
                                source: source.clone(),
                                kind: VersionKind::Autosave,
                            };
                            let signature = to_stored(sig.chunking_scheme, &chunks);
                            commit.main = Some((content, signature));
                            commit.segments = segments;
                            continue;
                        }
                        let source_blob = match sources.first() {
                            Some((key, _))
                                if plan.iter().any(|s| !matches!(s, Segment::Spool(_))) =>
                            {
                                Some(self.blob_bytes(key).await?)
                            }
                            _ => None,
                        };
                        let body = spool.assemble(plan, source_blob).await?;
                        let (key, put) = self.store_blob(body).await?;
                        written.push(key.clone());
                        let signature = to_stored(sig.chunking_scheme, &chunks);
                        if stream_id == MAIN_CONTENT {
                            let content = self.content(
                                &key,
                                &put,
                                &p.user.id,
                                &source,
                                VersionKind::Autosave,
                            );
                            commit.main = Some((content, signature));
                        } else {
                            commit.streams.push((
                                stream_id.clone(),
                                Some(StreamRecord {
                                    stream_id: stream_id.clone(),
                                    blob_key: key.as_str().to_owned(),
                                    size: put.size,
                                    signature,
                                    updated_at: now,
                                }),
                            ));
                        }
                    }
                }
            }
            for prop in &request.content_properties {
                commit.properties.push(ContentProperty {
                    name: prop.name.clone(),
                    retention: match prop.retention {
                        cspp::Retention::KeepOnContentChange => "KeepOnContentChange",
                        cspp::Retention::DeleteOnContentChange => "DeleteOnContentChange",
                    }
                    .to_owned(),
                    value: prop.value.clone(),
                    updated_at: now,
                });
            }
            let check = ChunkedCheck {
                wopi_lock: upload.wopi_lock.as_ref().map(|l| l.as_str().to_owned()),
                coauth_id: upload.coauth_id.clone(),
                sequence: upload.sequence,
            };
            let urls = self.webhook_urls();
            let build = |f: &FileRecord| {
                self.make_event("file.saved", self.file_event_data(f, Some(&p.user)))
            };
            let audit = |f: &FileRecord| {
                self.audit_wopi(
                    crate::audit::action::FILE_SAVE,
                    &p,
                    f,
                    Some(format!("version {} (chunked)", f.version)),
                )
            };
            let emit = folio_store::Emit {
                urls: &urls,
                build: &build,
                audit: Some(&audit),
            };
            let emit = Some(&emit);
            Ok::<_, AppError>(
                self.meta
                    .commit_chunked(&p.file.id, &check, commit, now, emit)
                    .await??,
            )
        }
        .await;
        if result.is_err() {
            for key in &written {
                let _ = self.blobs.delete(key).await;
            }
        }
        result
    }
}

/// A new MainContent is stored as segments only when it reuses at least this many bytes of the
/// current one, and at least half of its size; smaller or mostly changed documents are written
/// whole.
const SEGMENT_MIN_REUSE: u64 = 1 << 20;
/// At most this many segments, and distinct blobs under them, per content: past that the next
/// save writes the document whole again (compaction), so reads stay a handful of ranges.
const MAX_SEGMENTS: usize = 1024;
const MAX_SEGMENT_BLOBS: usize = 32;

/// Appends `len` bytes of `key` from `start` to `ranges`, extending the last range when it ends
/// where this one starts in the same blob.
fn push_range(ranges: &mut Vec<(BlobKey, u64, u64)>, key: &BlobKey, start: u64, len: u64) {
    if len == 0 {
        return;
    }
    if let Some((k, s, l)) = ranges.last_mut()
        && k == key
        && *s + *l == start
    {
        *l += len;
        return;
    }
    ranges.push((key.clone(), start, len));
}

/// The ranges of plain blobs that hold `len` bytes of a content from logical `offset`, where
/// the content is `old` (ranges in order) and `starts` their logical offsets.
fn map_range(
    ranges: &mut Vec<(BlobKey, u64, u64)>,
    old: &[(BlobKey, u64, u64)],
    starts: &[u64],
    mut offset: u64,
    mut len: u64,
) -> Result<(), AppError> {
    while len > 0 {
        let i = starts.partition_point(|s| *s <= offset);
        let (key, start, length) = i
            .checked_sub(1)
            .and_then(|i| old.get(i).map(|r| (r, starts[i])))
            .map(|((k, s, l), at)| (k, *s + (offset - at), l.saturating_sub(offset - at)))
            .ok_or_else(|| StoreError::Backend("a chunk lies outside its stored stream".into()))?;
        let take = length.min(len);
        if take == 0 {
            return Err(
                StoreError::Backend("a chunk lies outside its stored stream".into()).into(),
            );
        }
        push_range(ranges, key, start, take);
        offset += take;
        len -= take;
    }
    Ok(())
}

impl App {
    /// Stores a new MainContent built by `plan` as segments: the chunks that are not in the
    /// current content (uploaded, or copied to the spool) go into one new blob, the rest stay
    /// where they are. Returns the segmented key, its size and hash, and the segments; `None`
    /// when writing the document whole is better (little reuse, too fragmented). A blob written
    /// here is pushed to `written` (deleted by the caller if the commit does not happen).
    async fn segmented_main(
        &self,
        plan: &[Segment],
        spool: &Spool,
        main: &FileRecord,
        (uploaded, main_offsets): (&HashMap<ChunkId, u64>, &HashMap<ChunkId, Vec<u64>>),
        written: &mut Vec<BlobKey>,
    ) -> Result<Option<(String, PutBlob, Vec<BlobSegment>)>, AppError> {
        enum Piece {
            New(u64, u64),
            Old(u64, u64),
        }
        let mut placed: HashMap<ChunkId, u64> = HashMap::new();
        let mut order = Vec::new();
        let mut new_len = 0u64;
        let mut pieces = Vec::with_capacity(plan.len());
        let (mut reused, mut total) = (0u64, 0u64);
        for s in plan {
            match s {
                Segment::Spool(id) => {
                    let (_, len) = spool
                        .index
                        .get(id)
                        .copied()
                        .ok_or(WopiError::BadRequest("a chunk of the signature is missing"))?;
                    // A stored chunk out of order (copied to the spool for a whole-blob write)
                    // is read where it already is.
                    if !uploaded.contains_key(id)
                        && let Some(offset) = main_offsets.get(id).and_then(|o| o.first())
                    {
                        pieces.push(Piece::Old(*offset, len));
                        reused += len;
                        total += len;
                        continue;
                    }
                    let at = *placed.entry(*id).or_insert_with(|| {
                        order.push(Segment::Spool(*id));
                        new_len += len;
                        new_len - len
                    });
                    pieces.push(Piece::New(at, len));
                    total += len;
                }
                Segment::Source { offset, length } => {
                    pieces.push(Piece::Old(*offset, *length));
                    reused += length;
                    total += length;
                }
            }
        }
        if reused < SEGMENT_MIN_REUSE || reused < total / 2 {
            return Ok(None);
        }
        let old = self
            .layout(&main.content.blob_key)
            .await?
            .ranges(main.content.size);
        let mut starts = Vec::with_capacity(old.len());
        let mut at = 0;
        for (_, _, len) in &old {
            starts.push(at);
            at += len;
        }
        let new_key = BlobKey::generate();
        let mut ranges = Vec::new();
        for piece in pieces {
            match piece {
                Piece::New(start, len) => push_range(&mut ranges, &new_key, start, len),
                Piece::Old(offset, len) => map_range(&mut ranges, &old, &starts, offset, len)?,
            }
        }
        let blobs: HashSet<&BlobKey> = ranges.iter().map(|(k, _, _)| k).collect();
        if ranges.len() > MAX_SEGMENTS || blobs.len() > MAX_SEGMENT_BLOBS {
            return Ok(None);
        }
        if new_len > 0 {
            let body = spool.assemble(&order, None).await?;
            self.blobs
                .put(&new_key, body, self.config.max_file_size)
                .await?;
            written.push(new_key.clone());
        }
        // The whole content's size and SHA-256, read back through its segments (which also
        // proves every range readable before the version is committed).
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        let mut size = 0u64;
        let mut bytes = read_layout(self.blobs.clone(), Layout::Segments(ranges.clone()));
        while let Some(piece) = bytes.next().await {
            let piece = piece.map_err(io)?;
            sha2::Digest::update(&mut hasher, &piece);
            size += piece.len() as u64;
        }
        if size != total {
            return Err(
                StoreError::Backend("a segmented content has the wrong size".into()).into(),
            );
        }
        let segments = ranges
            .into_iter()
            .map(|(key, start, length)| BlobSegment {
                blob_key: key.as_str().to_owned(),
                start,
                length,
            })
            .collect();
        let put = PutBlob {
            size,
            sha256: sha2::Digest::finalize(hasher).to_vec(),
        };
        Ok(Some((ContentKey::generate_segmented(), put, segments)))
    }
}

/// What a [`SpanReader`] yields.
enum SpanEvent {
    /// A span begins; its bytes follow.
    Start(Span),
    /// The next bytes of the current span.
    Data(Bytes),
    /// The current span is complete.
    End(Span),
}

/// Reads the bytes of `spans` (offset, length, id: ascending, non-overlapping) out of a stream
/// in one forward pass, dropping what lies between them.
struct SpanReader<'a> {
    stream: ByteStream,
    spans: &'a [Span],
    next: usize,
    /// Bytes of the current span produced so far (`None`: not started).
    done: Option<u64>,
    pos: u64,
    buf: Bytes,
}

impl<'a> SpanReader<'a> {
    fn new(stream: ByteStream, spans: &'a [Span]) -> Self {
        Self {
            stream,
            spans,
            next: 0,
            done: None,
            pos: 0,
            buf: Bytes::new(),
        }
    }

    async fn fill(&mut self) -> Result<(), std::io::Error> {
        while self.buf.is_empty() {
            self.buf = match self.stream.next().await {
                Some(piece) => piece?,
                None => {
                    return Err(std::io::Error::other(
                        "a stored stream is shorter than its signature",
                    ));
                }
            };
        }
        Ok(())
    }

    async fn next(&mut self) -> Result<Option<SpanEvent>, std::io::Error> {
        let Some(&span) = self.spans.get(self.next) else {
            return Ok(None);
        };
        let (start, len, _) = span;
        let Some(done) = self.done else {
            while self.pos < start {
                self.fill().await?;
                let skip = usize::try_from(start - self.pos)
                    .unwrap_or(usize::MAX)
                    .min(self.buf.len());
                self.buf = self.buf.slice(skip..);
                self.pos += skip as u64;
            }
            self.done = Some(0);
            return Ok(Some(SpanEvent::Start(span)));
        };
        if done == len {
            self.done = None;
            self.next += 1;
            return Ok(Some(SpanEvent::End(span)));
        }
        self.fill().await?;
        let take = usize::try_from(len - done)
            .unwrap_or(usize::MAX)
            .min(self.buf.len());
        let piece = self.buf.split_to(take);
        self.pos += take as u64;
        self.done = Some(done + take as u64);
        Ok(Some(SpanEvent::Data(piece)))
    }
}

/// Sends the Chunk frames of `spans` (offset, length, id: ascending, non-overlapping) read from
/// a stored stream's bytes in one pass.
async fn send_chunks(
    stream: ByteStream,
    spans: &[Span],
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), std::io::Error> {
    let closed = || std::io::Error::other("the client went away");
    let mut reader = SpanReader::new(stream, spans);
    while let Some(event) = reader.next().await? {
        let out = match event {
            SpanEvent::Start((_, len, id)) => {
                let mut h = frames::frame_header(FrameType::Chunk, 16, len).to_vec();
                h.extend_from_slice(id.as_bytes());
                Bytes::from(h)
            }
            SpanEvent::Data(piece) => piece,
            SpanEvent::End(_) => continue,
        };
        tx.send(Ok(out)).await.map_err(|_| closed())?;
    }
    Ok(())
}

/// Copies the chunks `wanted` (offset, length, id: ascending) of a stored stream into the spool.
async fn copy_chunks(
    spool: &mut Spool,
    stream: ByteStream,
    wanted: &[Span],
) -> Result<(), AppError> {
    let mut reader = SpanReader::new(stream, wanted);
    let mut start = spool.len;
    while let Some(event) = reader.next().await.map_err(io)? {
        match event {
            SpanEvent::Start(_) => start = spool.len,
            SpanEvent::Data(piece) => spool.write(&piece).await?,
            SpanEvent::End((_, len, id)) => {
                spool.index.insert(id, (start, len));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> BlobKey {
        BlobKey::parse(&c.to_string().repeat(32)).unwrap_or_else(BlobKey::generate)
    }

    #[test]
    fn ranges_merge_when_contiguous_in_one_blob() {
        let (a, b) = (key('a'), key('b'));
        let mut r = Vec::new();
        push_range(&mut r, &a, 0, 10);
        push_range(&mut r, &a, 10, 5); // contiguous: merged
        push_range(&mut r, &a, 20, 5); // a gap: new range
        push_range(&mut r, &b, 25, 5); // another blob
        push_range(&mut r, &b, 30, 0); // empty: dropped
        assert_eq!(r, vec![(a.clone(), 0, 15), (a, 20, 5), (b, 25, 5)]);
    }

    #[test]
    fn logical_ranges_map_through_segments() -> Result<(), AppError> {
        let (a, b) = (key('a'), key('b'));
        // Content = a[100..110] ++ b[0..5] ++ a[0..20]  (35 bytes).
        let old = vec![(a.clone(), 100, 10), (b.clone(), 0, 5), (a.clone(), 0, 20)];
        let starts = vec![0, 10, 15];
        type Ranges = Vec<(BlobKey, u64, u64)>;
        let table: Vec<(u64, u64, Ranges)> = vec![
            (0, 10, vec![(a.clone(), 100, 10)]),
            (2, 3, vec![(a.clone(), 102, 3)]),
            (8, 4, vec![(a.clone(), 108, 2), (b.clone(), 0, 2)]),
            (0, 35, old.clone()),
            (14, 3, vec![(b.clone(), 4, 1), (a.clone(), 0, 2)]),
            (34, 1, vec![(a.clone(), 19, 1)]),
        ];
        for (offset, len, want) in table {
            let mut got = Vec::new();
            map_range(&mut got, &old, &starts, offset, len)?;
            assert_eq!(got, want, "{offset}+{len}");
        }
        // Past the end: an error, not a short content.
        for (offset, len) in [(35, 1), (30, 6), (60, 1)] {
            let mut got = Vec::new();
            assert!(map_range(&mut got, &old, &starts, offset, len).is_err());
        }
        Ok(())
    }
}
