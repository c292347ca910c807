//! Puts and reads back a blob through `S3BlobStore::from_url`, configured from the environment.
//!
//! ```sh
//! scripts/s3-server &   # prints "s3 ready on http://127.0.0.1:9000"
//! AWS_ENDPOINT_URL=http://127.0.0.1:9000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=folio \
//!   AWS_SECRET_ACCESS_KEY=folio-secret AWS_ALLOW_HTTP=true \
//!   cargo run -p folio-store-s3 --example smoke -- s3://folio/smoke
//! ```

use bytes::Bytes;
use folio_store::{BlobKey, BlobStore, ByteStream};
use folio_store_s3::S3BlobStore;
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "s3://folio".to_owned());
    let store = S3BlobStore::from_url(&url)?;
    store.ping().await?;
    println!("ping ok ({url})");

    // 20 MiB in 1 MiB chunks: a multipart upload of 3 parts.
    let len = 20usize << 20;
    let chunks = (0..20u8).map(|i| Ok(Bytes::from(vec![i; 1 << 20])));
    let body: ByteStream = Box::pin(futures::stream::iter(chunks));
    let key = BlobKey::generate();
    let put = store.put(&key, body, 1 << 30).await?;
    println!(
        "put {} ({} bytes, sha256 {})",
        key.as_str(),
        put.size,
        hex::encode(&put.sha256)
    );

    let mut got = store.get(&key).await?;
    let mut n = 0usize;
    let mut ok = true;
    while let Some(chunk) = got.next().await {
        let chunk = chunk?;
        ok &= chunk
            .iter()
            .enumerate()
            .all(|(i, b)| usize::from(*b) == (n + i) >> 20);
        n += chunk.len();
    }
    println!(
        "get {n} bytes, content {}",
        if ok { "matches" } else { "DIFFERS" }
    );
    let listed = store.list().await?.iter().any(|(k, _)| *k == key);
    println!("listed: {listed}");
    store.delete(&key).await?;
    println!("deleted");
    if n != len || !ok || !listed {
        return Err("smoke test failed".into());
    }
    Ok(())
}
