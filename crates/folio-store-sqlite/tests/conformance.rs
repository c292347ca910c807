//! The shared conformance suite against a fresh SQLite database.

use std::sync::Arc;

use folio_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(&dir.path().join("meta.db")).await?;
    folio_store::conformance::metadata_suite(Arc::new(store)).await;
    Ok(())
}
