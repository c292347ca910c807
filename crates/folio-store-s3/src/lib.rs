#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use folio_store::{BlobKey, BlobStore, ByteStream, PutBlob, StoreError};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::{HttpError, HttpErrorKind};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientConfigKey, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig, WriteMultipart,
};
use sha2::{Digest, Sha256};

/// Size of one multipart part (S3 needs at least 5 MiB for every part but the last). Bodies
/// shorter than one part are sent with a single `PUT`.
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// How many parts may be uploading at once. The body is read only while fewer parts are in
/// flight, so one `put` holds at most `MAX_PARTS_IN_FLIGHT * PART_SIZE` (16 MiB: the parts in
/// flight, or one in flight plus the part being filled) plus one incoming chunk.
pub const MAX_PARTS_IN_FLIGHT: usize = 2;

/// Connect timeout: an unreachable endpoint fails fast.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long Folio waits on the object store before it answers 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct S3Timeouts {
    /// Per-request deadline until the response headers arrive (this includes sending the
    /// request body, e.g. one 8 MiB part), then the longest pause allowed between two body
    /// reads. A stalled store surfaces after about this long: no retry starts after
    /// `RETRY_TIMEOUT`. Default 20 s (an 8 MiB part needs at least 0.4 MB/s).
    pub read: Duration,
}

impl Default for S3Timeouts {
    fn default() -> Self {
        Self {
            read: Duration::from_secs(20),
        }
    }
}
/// Retries of one request (connection errors, timeouts, 5xx); kept small so an outage surfaces
/// as `Unavailable` within seconds instead of minutes.
const MAX_RETRIES: usize = 2;
/// No retry is started after this long.
const RETRY_TIMEOUT: Duration = Duration::from_secs(10);

/// Blobs in an S3-compatible bucket, under `{prefix}/blobs/{first 2 chars}/{key}`.
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    bucket: String,
}

impl S3BlobStore {
    /// Opens the store at `url`: `"s3://bucket"` or `"s3://bucket/some/prefix"`. Endpoint,
    /// region and credentials come from the standard `AWS_*` environment variables
    /// (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_ALLOW_HTTP`, ...) via [`AmazonS3Builder::from_env`]. When an endpoint is set, requests
    /// are path-style (`http://endpoint/bucket/key`), which every S3-compatible server accepts.
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        Self::from_url_with(url, S3Timeouts::default())
    }

    /// [`S3BlobStore::from_url`] with explicit timeouts.
    pub fn from_url_with(url: &str, timeouts: S3Timeouts) -> Result<Self, StoreError> {
        let (bucket, prefix) = parse_url(url)?;
        let env = AmazonS3Builder::from_env();
        let mut options = client_options(timeouts);
        // Keep the transport settings the environment chose (plain HTTP, proxy, test CAs).
        for key in [
            ClientConfigKey::AllowHttp,
            ClientConfigKey::AllowInvalidCertificates,
            ClientConfigKey::ProxyUrl,
            ClientConfigKey::ProxyCaCertificate,
            ClientConfigKey::ProxyExcludes,
        ] {
            if let Some(v) = env.get_config_value(&AmazonS3ConfigKey::Client(key)) {
                options = options.with_config(key, v);
            }
        }
        let has_endpoint = env
            .get_config_value(&AmazonS3ConfigKey::Endpoint)
            .is_some_and(|e| !e.is_empty());
        let mut builder = env
            .with_bucket_name(&bucket)
            .with_client_options(options)
            .with_retry(retry_config());
        if has_endpoint {
            builder = builder.with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(StoreError::backend)?;
        Ok(Self::new(Arc::new(store), bucket, prefix))
    }

    /// Opens the store at `url` (as [`S3BlobStore::from_url`]) with explicit settings and no
    /// environment lookup: `endpoint` (e.g. `http://127.0.0.1:9000`; path-style requests),
    /// `region`, access key id, secret key, and whether plain HTTP is allowed.
    pub fn with_config(
        url: &str,
        endpoint: &str,
        region: &str,
        key_id: &str,
        secret: &str,
        allow_http: bool,
    ) -> Result<Self, StoreError> {
        let (bucket, prefix) = parse_url(url)?;
        let store = AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_endpoint(endpoint)
            .with_region(region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret)
            .with_virtual_hosted_style_request(false)
            .with_client_options(client_options(S3Timeouts::default()).with_allow_http(allow_http))
            .with_retry(retry_config())
            .build()
            .map_err(StoreError::backend)?;
        Ok(Self::new(Arc::new(store), bucket, prefix))
    }

    /// Wraps an already configured object store (any `object_store` backend), with blobs under
    /// `prefix`. `bucket` only names the store in error messages.
    pub fn new(store: Arc<dyn ObjectStore>, bucket: impl Into<String>, prefix: Path) -> Self {
        Self {
            store,
            prefix,
            bucket: bucket.into(),
        }
    }

    fn blobs_dir(&self) -> Path {
        self.prefix.clone().join("blobs")
    }

    fn path(&self, key: &BlobKey) -> Path {
        let k = key.as_str();
        let shard = k.get(..2).unwrap_or(k);
        self.blobs_dir().join(shard).join(k)
    }

    /// Streams the rest of `body` into a multipart upload that already holds `first` (at least
    /// one part's worth of bytes). On any error the upload is aborted.
    async fn put_multipart(
        &self,
        path: &Path,
        first: Vec<Bytes>,
        mut body: ByteStream,
        mut progress: Progress,
    ) -> Result<PutBlob, StoreError> {
        let upload = self.store.put_multipart(path).await.map_err(map_err)?;
        let mut guard = AbortOnDrop(Some(WriteMultipart::new_with_chunk_size(upload, PART_SIZE)));
        let streamed = async {
            let writer = guard.get()?;
            for chunk in first {
                writer.put(chunk);
            }
            loop {
                // Back pressure: read more of the body only while fewer than
                // MAX_PARTS_IN_FLIGHT parts are uploading.
                writer
                    .wait_for_capacity(MAX_PARTS_IN_FLIGHT)
                    .await
                    .map_err(map_err)?;
                match body.next().await {
                    None => return Ok(()),
                    Some(Err(e)) => return Err(StoreError::Aborted(e.to_string())),
                    Some(Ok(chunk)) => {
                        progress.add(&chunk)?;
                        writer.put(chunk);
                    }
                }
            }
        }
        .await;
        let writer = guard.take()?;
        match streamed {
            // `finish` aborts the upload itself when a part or the completion fails.
            Ok(()) => {
                writer.finish().await.map_err(map_err)?;
                Ok(progress.done())
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(%path, error = %abort, "aborting a multipart upload failed");
                }
                Err(e)
            }
        }
    }
}

/// Size and hash of the bytes seen so far, with the size limit.
struct Progress {
    hasher: Sha256,
    size: u64,
    max_size: u64,
}

impl Progress {
    fn add(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.size += chunk.len() as u64;
        if self.size > self.max_size {
            return Err(StoreError::TooLarge {
                limit: self.max_size,
            });
        }
        self.hasher.update(chunk);
        Ok(())
    }

    fn done(self) -> PutBlob {
        PutBlob {
            size: self.size,
            sha256: self.hasher.finalize().to_vec(),
        }
    }
}

/// Aborts the multipart upload if `put` is cancelled (its future dropped) midway, so that an
/// upload cut off by a client disconnect does not linger until the bucket's lifecycle rule.
struct AbortOnDrop(Option<WriteMultipart>);

impl AbortOnDrop {
    fn get(&mut self) -> Result<&mut WriteMultipart, StoreError> {
        self.0.as_mut().ok_or_else(gone)
    }

    fn take(&mut self) -> Result<WriteMultipart, StoreError> {
        self.0.take().ok_or_else(gone)
    }
}

fn gone() -> StoreError {
    StoreError::Backend("multipart upload already finished".into())
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            handle.spawn(async move {
                if let Err(e) = writer.abort().await {
                    tracing::warn!(error = %e, "aborting a cancelled multipart upload failed");
                }
            });
        }
    }
}

/// Splits `s3://bucket/some/prefix` into the bucket and the key prefix.
fn parse_url(url: &str) -> Result<(String, Path), StoreError> {
    let invalid = |why: &str| StoreError::Backend(format!("invalid S3 URL {url:?}: {why}").into());
    let rest = url
        .strip_prefix("s3://")
        .or_else(|| url.strip_prefix("s3a://"))
        .ok_or_else(|| invalid("expected s3://bucket[/prefix]"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(invalid("no bucket"));
    }
    let prefix = Path::parse(prefix.trim_matches('/')).map_err(|e| invalid(&e.to_string()))?;
    Ok((bucket.to_owned(), prefix))
}

fn client_options(timeouts: S3Timeouts) -> ClientOptions {
    ClientOptions::new()
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_read_timeout(timeouts.read)
        // No whole-request deadline: downloads stream at the WOPI client's pace and may take
        // longer than any fixed limit; stalls are caught by the read timeout.
        .with_timeout_disabled()
}

fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
        },
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
    }
}

/// Maps an `object_store` error: missing object → `NotFound`; connection failures, timeouts and
/// server errors (5xx, after the retries) → `Unavailable`; anything else → `Backend`.
fn map_err(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        e if is_unavailable(&e) => StoreError::Unavailable(e.to_string()),
        e => StoreError::backend(e),
    }
}

fn is_unavailable(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(http) = err.downcast_ref::<HttpError>() {
            return matches!(
                http.kind(),
                HttpErrorKind::Connect
                    | HttpErrorKind::Request
                    | HttpErrorKind::Timeout
                    | HttpErrorKind::Interrupted
            );
        }
        // `object_store` keeps the HTTP status of a failed request in a private type; its
        // message is the stable "Server returned non-2xx status code: 503 Service Unavailable".
        let msg = err.to_string();
        if msg.contains("status code: 5")
            || msg.contains("<Code>InternalError</Code>")
            || msg.contains("<Code>SlowDown</Code>")
            || msg.contains("<Code>ServiceUnavailable</Code>")
        {
            return true;
        }
        current = err.source();
    }
    false
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        mut body: ByteStream,
        max_size: u64,
    ) -> Result<PutBlob, StoreError> {
        let path = self.path(key);
        let mut progress = Progress {
            hasher: Sha256::new(),
            size: 0,
            max_size,
        };
        // Buffer up to one part: a smaller body goes out in a single PUT; a larger one switches
        // to a multipart upload. Nothing is sent before the first part is full or the body ends,
        // so a body failing or exceeding the limit early leaves no trace on the server.
        let mut first = Vec::new();
        let mut buffered = 0;
        while buffered < PART_SIZE {
            match body.next().await {
                None => {
                    let payload: PutPayload = first.into_iter().collect();
                    self.store.put(&path, payload).await.map_err(map_err)?;
                    return Ok(progress.done());
                }
                Some(Err(e)) => return Err(StoreError::Aborted(e.to_string())),
                Some(Ok(chunk)) => {
                    progress.add(&chunk)?;
                    buffered += chunk.len();
                    first.push(chunk);
                }
            }
        }
        self.put_multipart(&path, first, body, progress).await
    }

    async fn get(&self, key: &BlobKey) -> Result<ByteStream, StoreError> {
        let result = self.store.get(&self.path(key)).await.map_err(map_err)?;
        Ok(Box::pin(
            result.into_stream().map_err(std::io::Error::other),
        ))
    }

    async fn get_range(
        &self,
        key: &BlobKey,
        offset: u64,
        len: u64,
    ) -> Result<ByteStream, StoreError> {
        if len == 0 {
            // An empty range is not a valid HTTP range; the blob must still exist.
            self.store.head(&self.path(key)).await.map_err(map_err)?;
            return Ok(Box::pin(futures::stream::empty()));
        }
        let opts = object_store::GetOptions {
            range: Some(object_store::GetRange::Bounded(offset..offset + len)),
            ..Default::default()
        };
        let result = self
            .store
            .get_opts(&self.path(key), opts)
            .await
            .map_err(map_err)?;
        let stream: ByteStream = Box::pin(result.into_stream().map_err(std::io::Error::other));
        Ok(folio_store::blob::exact_len(stream, len))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StoreError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn list(&self) -> Result<Vec<(BlobKey, i64)>, StoreError> {
        let dir = self.blobs_dir();
        let mut objects = self.store.list(Some(&dir));
        let mut out = Vec::new();
        while let Some(meta) = objects.next().await {
            let meta = meta.map_err(map_err)?;
            if let Some(key) = meta.location.filename().and_then(BlobKey::parse) {
                out.push((key, meta.last_modified.timestamp_millis()));
            }
        }
        Ok(out)
    }

    /// S3 keeps no temporary objects: a failed or cancelled `put` aborts its multipart upload.
    /// Uploads cut off by a crash of Folio itself are invisible (never listed, never readable)
    /// but hold storage until the bucket's lifecycle rule `AbortIncompleteMultipartUpload`
    /// removes them — configure one (e.g. after 1 day). Always returns 0.
    async fn clean_incomplete(&self, _before: i64) -> Result<u64, StoreError> {
        Ok(0)
    }

    /// Lists the top level of the prefix (one cheap request, which also checks the bucket and
    /// the credentials). `Unavailable` when the server cannot be reached or answers 5xx;
    /// `Backend` when it refuses (missing bucket, wrong credentials).
    async fn ping(&self) -> Result<(), StoreError> {
        let prefix = (self.prefix.parts_count() > 0).then_some(&self.prefix);
        match self.store.list_with_delimiter(prefix).await {
            Ok(_) => Ok(()),
            Err(e) => match map_err(e) {
                StoreError::NotFound => Err(StoreError::Backend(
                    format!("bucket {:?} not found", self.bucket).into(),
                )),
                e => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_bucket_and_prefix() -> Result<(), StoreError> {
        let (b, p) = parse_url("s3://folio")?;
        assert_eq!((b.as_str(), p.as_ref()), ("folio", ""));
        let (b, p) = parse_url("s3://folio/")?;
        assert_eq!((b.as_str(), p.as_ref()), ("folio", ""));
        let (b, p) = parse_url("s3://folio/some/prefix/")?;
        assert_eq!((b.as_str(), p.as_ref()), ("folio", "some/prefix"));
        assert!(parse_url("http://folio").is_err());
        assert!(parse_url("s3:///x").is_err());
        assert!(parse_url("s3://b/a//c").is_err());
        Ok(())
    }

    #[test]
    fn blob_paths_are_sharded_under_the_prefix() -> Result<(), StoreError> {
        let store = S3BlobStore::with_config(
            "s3://bucket/pre/fix",
            "http://127.0.0.1:1",
            "us-east-1",
            "k",
            "s",
            true,
        )?;
        let key = BlobKey::parse("abcdefghijklmnopqrstuvwxyz012345").ok_or(StoreError::NotFound)?;
        assert_eq!(
            store.path(&key).as_ref(),
            "pre/fix/blobs/ab/abcdefghijklmnopqrstuvwxyz012345"
        );
        let root = S3BlobStore::with_config("s3://bucket", "http://h", "r", "k", "s", true)?;
        assert_eq!(
            root.path(&key).as_ref(),
            "blobs/ab/abcdefghijklmnopqrstuvwxyz012345"
        );
        Ok(())
    }
}
