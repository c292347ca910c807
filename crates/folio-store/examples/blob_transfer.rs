//! Moves one big blob through `LocalBlobStore` so that `strace -f -c` can count the system
//! calls of the transfer alone (bench/syscalls.sh measures the same through the server).
//!
//!   blob_transfer put DIR MIB      -> stores MIB MiB (arriving in 400 KiB chunks, as hyper
//!                                     hands them over), prints the key and the seconds
//!   blob_transfer get DIR KEY      -> reads the blob to the end, prints bytes and seconds
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use bytes::Bytes;
use folio_store::local::LocalBlobStore;
use folio_store::{BlobKey, BlobStore};
use futures::StreamExt;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let store = LocalBlobStore::open(&args[2]).await.unwrap();
    match args[1].as_str() {
        "put" => {
            let mib: usize = args[3].parse().unwrap();
            let data = Bytes::from(vec![7u8; mib << 20]);
            let chunk = 400 * 1024;
            let chunks: Vec<std::io::Result<Bytes>> = (0..data.len())
                .step_by(chunk)
                .map(|o| Ok(data.slice(o..(o + chunk).min(data.len()))))
                .collect();
            let key = BlobKey::generate();
            let t = Instant::now();
            let put = store
                .put(&key, Box::pin(futures::stream::iter(chunks)), u64::MAX)
                .await
                .unwrap();
            println!(
                "{} {} {:.3}",
                key.as_str(),
                put.size,
                t.elapsed().as_secs_f64()
            );
        }
        "get" => {
            let key = BlobKey::parse(&args[3]).unwrap();
            let t = Instant::now();
            let mut body = store.get(&key).await.unwrap();
            let mut n = 0;
            while let Some(b) = body.next().await {
                n += b.unwrap().len();
            }
            println!("{n} {:.3}", t.elapsed().as_secs_f64());
        }
        _ => panic!("put DIR MIB | get DIR KEY"),
    }
}
