//! WOPI GetFile and PutFile: streaming blobs in and out, committing a version (with its webhook
//! event) after the blob is complete.

use super::*;

/// GetFile: the file and a stream of its bytes.
pub struct FileContent {
    /// The file as read.
    pub file: FileRecord,
    /// Its bytes.
    pub body: ByteStream,
}

/// Client extras on PutFile.
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    /// Collabora `X-COOL-WOPI-Timestamp`: the LastModifiedTime the client's edit is based on.
    pub expected_modified_time: Option<String>,
    /// Save flags to record with the version (e.g. "autosave", "exit save", "no user change").
    pub flags: Vec<&'static str>,
    /// `X-COOL-WOPI-IsAutosave` (or `X-LOOL-`), when sent.
    pub is_autosave: Option<bool>,
    /// `X-COOL-WOPI-IsExitSave` (or `X-LOOL-`), when sent.
    pub is_exit_save: Option<bool>,
}

/// Where a content's bytes are: one whole blob, or ranges of plain blobs in order (a segmented
/// content, see `ContentKey`).
#[derive(Debug, Clone)]
pub(crate) enum Layout {
    /// The whole blob.
    Blob(BlobKey),
    /// (blob, start, length), in order.
    Segments(Vec<(BlobKey, u64, u64)>),
}

impl Layout {
    /// The layout as ranges of plain blobs, given the content's size (for a whole blob).
    pub(crate) fn ranges(&self, size: u64) -> Vec<(BlobKey, u64, u64)> {
        match self {
            Layout::Blob(k) => vec![(k.clone(), 0, size)],
            Layout::Segments(s) => s.clone(),
        }
    }
}

fn io_error(e: StoreError) -> std::io::Error {
    match e {
        StoreError::NotFound => std::io::Error::new(std::io::ErrorKind::NotFound, "blob missing"),
        e => std::io::Error::other(e.to_string()),
    }
}

/// The bytes of `layout`, opened lazily (nothing is read before the stream is polled).
pub(crate) fn read_layout(blobs: Arc<dyn BlobStore>, layout: Layout) -> ByteStream {
    use futures::{StreamExt, TryStreamExt};
    let ranges = match layout {
        Layout::Blob(key) => {
            let open = async move { blobs.get(&key).await.map_err(io_error) };
            return Box::pin(futures::stream::once(open).try_flatten());
        }
        Layout::Segments(ranges) => ranges,
    };
    let stream = futures::stream::iter(ranges)
        .then(move |(key, start, len)| {
            let blobs = blobs.clone();
            async move { blobs.get_range(&key, start, len).await.map_err(io_error) }
        })
        .try_flatten();
    Box::pin(stream)
}

impl App {
    /// Where the bytes of the content key `key` are.
    pub(crate) async fn layout(&self, key: &str) -> Result<Layout, AppError> {
        let malformed = || StoreError::Backend("stored blob key is malformed".into());
        match ContentKey::parse(key).ok_or_else(malformed)? {
            ContentKey::Blob(k) => Ok(Layout::Blob(k)),
            ContentKey::Segmented(k) => {
                let segments = self.meta.content_segments(&k).await?;
                if segments.is_empty() {
                    return Err(StoreError::NotFound.into());
                }
                let mut out = Vec::with_capacity(segments.len());
                for s in segments {
                    out.push((
                        BlobKey::parse(&s.blob_key).ok_or_else(malformed)?,
                        s.start,
                        s.length,
                    ));
                }
                Ok(Layout::Segments(out))
            }
        }
    }

    /// Streams the bytes of the content key `key` (a whole blob is opened before returning, so a
    /// missing one is `NotFound` here rather than in the middle of a response).
    pub(crate) async fn open_content(&self, key: &str) -> Result<ByteStream, AppError> {
        match self.layout(key).await? {
            Layout::Blob(k) => Ok(self.blobs.get(&k).await?),
            layout => Ok(read_layout(self.blobs.clone(), layout)),
        }
    }

    pub(crate) async fn stream(&self, file: FileRecord) -> Result<FileContent, AppError> {
        let body = self.open_content(&file.content.blob_key).await?;
        Ok(FileContent { file, body })
    }

    /// WOPI GetFile. `max_expected`: `X-WOPI-MaxExpectedSize` (larger file → 412).
    pub async fn get_file(
        &self,
        p: Principal,
        max_expected: Option<u64>,
    ) -> Result<FileContent, AppError> {
        if let Some(max) = max_expected
            && p.file.content.size > max
        {
            return Err(WopiError::LargerThanExpected.into());
        }
        let event = self.audit_wopi(crate::audit::action::FILE_DOWNLOAD, &p, &p.file, None);
        let content = self.stream(p.file).await?;
        self.audit(event).await;
        Ok(content)
    }

    /// Streams `body` into a new blob (bounded by the configured maximum).
    pub(crate) async fn store_blob(
        &self,
        body: ByteStream,
    ) -> Result<(BlobKey, PutBlob), AppError> {
        let key = BlobKey::generate();
        let put = self
            .blobs
            .put(&key, body, self.config.max_file_size)
            .await?;
        Ok((key, put))
    }

    /// Creates the file `name` (exactly that name, no alternatives) in `folder_id` over the blob
    /// `key` just stored; if the file cannot be created (name taken, storage failure) the blob
    /// is deleted so nothing is left behind. The caller words the `AlreadyExists` refusal.
    /// `actor` is who created it (the audit row's, written in the creation's transaction).
    pub(crate) async fn create_file_named(
        &self,
        actor: &UserRecord,
        folder_id: String,
        owner_id: String,
        name: &str,
        key: &BlobKey,
        content: ContentRecord,
    ) -> Result<FileRecord, folio_store::StoreError> {
        let exact = name.to_owned();
        let names = move |n: u32| (n == 0).then(|| exact.clone());
        self.create_file_from(actor, folder_id, owner_id, &names, key, content)
            .await
    }

    /// [`App::create_file_named`] under the first free name of `name`, `name (1)`, `name (2)`, …
    /// (`folio_wopi::naming::nth_alternative`), chosen in the creation's transaction.
    pub(crate) async fn create_file_numbered(
        &self,
        actor: &UserRecord,
        folder_id: String,
        owner_id: String,
        name: &str,
        key: &BlobKey,
        content: ContentRecord,
    ) -> Result<FileRecord, folio_store::StoreError> {
        let base = name.to_owned();
        let names = move |n: u32| (n < 1000).then(|| folio_wopi::naming::nth_alternative(&base, n));
        self.create_file_from(actor, folder_id, owner_id, &names, key, content)
            .await
    }

    /// The creation both share: the first free name of `names`, the `file.create` audit row in
    /// the creation's transaction, and the blob deleted when the file cannot be created.
    async fn create_file_from(
        &self,
        actor: &UserRecord,
        folder_id: String,
        owner_id: String,
        names: folio_store::metadata::NameCandidates<'_>,
        key: &BlobKey,
        content: ContentRecord,
    ) -> Result<FileRecord, folio_store::StoreError> {
        let audit = |f: &FileRecord| {
            self.audit_event(
                crate::audit::action::FILE_CREATE,
                Some(actor),
                Some(f),
                None,
            )
        };
        let created = self
            .meta
            .create_file_audited(
                folio_store::NewFile {
                    folder_id,
                    owner_id,
                    content,
                },
                names,
                self.now(),
                &audit,
            )
            .await;
        if created.is_err() {
            let _ = self.blobs.delete(key).await;
        }
        created
    }

    pub(crate) fn content(
        &self,
        key: &BlobKey,
        put: &PutBlob,
        author: &str,
        source: &str,
        kind: VersionKind,
    ) -> ContentRecord {
        ContentRecord {
            blob_key: key.as_str().to_owned(),
            size: put.size,
            sha256: put.sha256.clone(),
            created_at: self.now(),
            author_id: author.to_owned(),
            source: source.to_owned(),
            kind,
        }
    }

    /// Commits a new version after the blob is written, appending `emit`'s webhook event and
    /// audit row in the same transaction; if the commit does not happen, the blob is deleted
    /// (and the sweep would collect it after a crash).
    pub(crate) async fn commit_emitting(
        &self,
        id: &FileId,
        check: WriteCheck,
        key: &BlobKey,
        content: ContentRecord,
        emit: Option<&folio_store::Emit<'_>>,
    ) -> Result<FileRecord, AppError> {
        let result = self
            .meta
            .commit_version_emitting(id, check, content, self.now(), emit)
            .await;
        match result {
            Ok(Ok(file)) => Ok(file),
            Ok(Err(e)) => {
                let _ = self.blobs.delete(key).await;
                Err(e.into())
            }
            Err(e) => {
                let _ = self.blobs.delete(key).await;
                Err(e.into())
            }
        }
    }

    /// WOPI PutFile: the lock rule is checked before the body is read (a mismatch costs no
    /// upload) and again atomically with the commit. `opts` carries client extras (Collabora's
    /// timestamp check and save flags).
    pub async fn put_file(
        &self,
        p: Principal,
        lock_header: Option<LockId>,
        body: ByteStream,
        opts: PutOptions,
    ) -> Result<FileRecord, AppError> {
        let started = std::time::Instant::now();
        let expected_version = match &opts.expected_modified_time {
            Some(t) if *t != wire::format_wopi_time(p.file.content.created_at) => {
                return Err(WopiError::ContentChanged.into());
            }
            Some(_) => Some(p.file.version),
            None => None,
        };
        // Coauth locks first: their 409 carries no X-WOPI-Lock (spec/cspp-plus.md §3.6).
        let coauth_rows = self.meta.coauth_table(&p.file.id, self.now()).await?.rows;
        folio_wopi::coauth::check_classic(&coauth_rows, self.now())?;
        lock::explain_release(
            lock::check_put_file(
                p.file.lock.as_ref(),
                lock_header.as_ref(),
                p.file.content.size,
                self.now(),
            ),
            lock_header.as_ref(),
            p.file.released_lock.as_ref(),
        )
        .map_err(|e| folio_wopi::coauth::with_lock_user(e, p.file.lock_user.as_deref()))?;
        let (key, put) = self.store_blob(body).await?;
        let source = match (&p.token.client, opts.flags.is_empty()) {
            (Some(c), true) => c.clone(),
            (Some(c), false) => format!("{c} ({})", opts.flags.join(", ")),
            (None, true) => "wopi".to_owned(),
            (None, false) => format!("wopi ({})", opts.flags.join(", ")),
        };
        let kind = VersionKind::of_put(opts.is_autosave, opts.is_exit_save);
        let content = self.content(&key, &put, &p.user.id, &source, kind);
        let check = WriteCheck::PutFile {
            lock: lock_header,
            expected_version,
        };
        let urls = self.webhook_urls();
        let build =
            |f: &FileRecord| self.make_event("file.saved", self.file_event_data(f, Some(&p.user)));
        let audit = |f: &FileRecord| {
            self.audit_wopi(
                crate::audit::action::FILE_SAVE,
                &p,
                f,
                Some(format!("version {}", f.version)),
            )
        };
        let emit = folio_store::Emit {
            urls: &urls,
            build: &build,
            audit: Some(&audit),
        };
        let saved = self
            .commit_emitting(&p.file.id, check, &key, content, Some(&emit))
            .await?;
        self.metrics()
            .put_file(saved.content.size, started.elapsed());
        Ok(saved)
    }
}
