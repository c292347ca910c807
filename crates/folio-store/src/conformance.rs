//! The one conformance suite every backend passes (feature `conformance`). A backend's test
//! calls `metadata_suite` with a fresh, empty store, and `blob_suite` with a fresh blob store.
//! Failures panic with the behaviour that broke.
#![expect(clippy::panic, reason = "test suite: a failed expectation panics")]

use std::sync::Arc;

use bytes::Bytes;
use folio_wopi::lock::{LOCK_TTL_MS, LockRequest};
use folio_wopi::{FileId, LockId, WopiError};
use futures::StreamExt;

use crate::*;

macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => panic!("{} failed: {e:?}", stringify!($e)),
        }
    };
}

const NOW: i64 = 1_800_000_000_000;

fn content(key: &str, size: u64, author: &str) -> ContentRecord {
    ContentRecord {
        blob_key: key.to_owned(),
        size,
        sha256: vec![size as u8; 32],
        created_at: NOW,
        author_id: author.to_owned(),
        source: "test".to_owned(),
    }
}

fn lock(s: &str) -> LockId {
    LockId::from_trusted(s.to_owned())
}

fn exact(name: &str) -> impl Fn(u32) -> Option<String> + Send + Sync + '_ {
    move |n| (n == 0).then(|| name.to_owned())
}

fn numbered(name: &str) -> impl Fn(u32) -> Option<String> + Send + Sync + '_ {
    move |n| {
        (n < 100).then(|| {
            if n == 0 {
                name.to_owned()
            } else {
                format!("{name}.{n}")
            }
        })
    }
}

async fn new_user(store: &dyn MetadataStore, login: &str) -> UserRecord {
    ok!(store
        .create_user(
            NewUser {
                login: login.to_owned(),
                name: format!("{login} name"),
                email: format!("{login}@example.com"),
                is_admin: false,
                password_hash: None,
            },
            NOW,
        )
        .await)
}

/// Runs every metadata behaviour against `store` (which must be empty).
pub async fn metadata_suite(store: Arc<dyn MetadataStore>) {
    ok!(store.ping().await);
    users_and_folders(&*store).await;
    files_versions_and_names(&*store).await;
    locks(&*store).await;
    put_rules(&*store).await;
    tokens_and_secrets(&*store).await;
    concurrent_locks_have_one_winner(store.clone()).await;
}

async fn users_and_folders(store: &dyn MetadataStore) {
    let u = new_user(store, "alice").await;
    assert_eq!(u.login, "alice");
    assert!(u.user_info.is_none());
    let again = store
        .create_user(
            NewUser {
                login: "alice".into(),
                name: String::new(),
                email: String::new(),
                is_admin: false,
                password_hash: None,
            },
            NOW,
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists)),
        "duplicate login: {again:?}"
    );
    let by_login = ok!(store.user_by_login("alice").await);
    assert_eq!(by_login.as_ref(), Some(&u));
    assert_eq!(ok!(store.user_by_id(&u.id).await).as_ref(), Some(&u));
    assert_eq!(ok!(store.user_by_login("nobody").await), None);
    ok!(store.set_user_info(&u.id, "info-1").await);
    let u2 = ok!(store.user_by_id(&u.id).await);
    assert_eq!(u2.and_then(|u| u.user_info).as_deref(), Some("info-1"));

    let root = ok!(store.folder(&u.root_folder_id).await);
    let root = root.unwrap_or_else(|| panic!("root folder missing"));
    assert_eq!(root.parent_id, None);
    let docs = ok!(store
        .ensure_folder_path(&u.id, &["Docs".into(), "2026".into()], NOW)
        .await);
    assert_eq!(docs.name, "2026");
    let again = ok!(store
        .ensure_folder_path(&u.id, &["Docs".into(), "2026".into()], NOW)
        .await);
    assert_eq!(docs.id, again.id, "ensure_folder_path is idempotent");
    let top = ok!(store.ensure_folder_path(&u.id, &[], NOW).await);
    assert_eq!(top.id, u.root_folder_id);
}

async fn files_versions_and_names(store: &dyn MetadataStore) {
    let u = new_user(store, "bob").await;
    let other = new_user(store, "carol").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("k1", 3, &u.id),
            },
            &exact("Report.docx"),
            NOW,
        )
        .await);
    assert_eq!(f.name, "Report.docx");
    assert_eq!(f.version, 1);
    assert_eq!(f.lock, None);
    assert!(
        FileId::parse(f.id.as_str()).is_ok(),
        "file ids are URL-safe"
    );
    assert_eq!(ok!(store.file(&f.id).await).as_ref(), Some(&f));

    // Names are unique per folder, case-insensitively; candidates are tried in order.
    let dup = store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("k2", 0, &u.id),
            },
            &exact("report.DOCX"),
            NOW,
        )
        .await;
    assert!(matches!(dup, Err(StoreError::AlreadyExists)), "{dup:?}");
    let alt = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("k2", 0, &u.id),
            },
            &numbered("Report.docx"),
            NOW,
        )
        .await);
    assert_eq!(alt.name, "Report.docx.1");
    assert_ne!(alt.id, f.id);
    let found = ok!(store.file_by_name(&u.root_folder_id, "REPORT.docx").await);
    assert_eq!(found.map(|f| f.id), Some(f.id.clone()));

    // Roles.
    assert_eq!(ok!(store.role(&f.id, &u.id).await), Some(Role::Owner));
    assert_eq!(ok!(store.role(&f.id, &other.id).await), None);
    ok!(store.share_file(&f.id, &other.id, Role::Viewer).await);
    assert_eq!(ok!(store.role(&f.id, &other.id).await), Some(Role::Viewer));
    ok!(store.share_file(&f.id, &other.id, Role::Editor).await);
    assert_eq!(ok!(store.role(&f.id, &other.id).await), Some(Role::Editor));

    // Versions: every commit is a new version, even with identical content.
    let v2 = ok!(store
        .commit_version(
            &f.id,
            WriteCheck::Unlocked,
            content("k3", 3, &other.id),
            NOW + 1
        )
        .await);
    let v2 = ok!(v2);
    assert_eq!(v2.version, 2);
    assert_eq!(v2.content.blob_key, "k3");
    let v3 = ok!(ok!(store
        .commit_version(
            &f.id,
            WriteCheck::Unlocked,
            content("k4", 3, &u.id),
            NOW + 2
        )
        .await));
    assert_eq!(v3.version, 3);
    let versions = ok!(store.versions(&f.id).await);
    let nums: Vec<i64> = versions.iter().map(|v| v.version).collect();
    assert_eq!(nums, vec![3, 2, 1]);
    assert_eq!(versions[1].content.author_id, other.id);
    let keys = ok!(store.referenced_blob_keys().await);
    for k in ["k1", "k2", "k3", "k4"] {
        assert!(keys.contains(k), "{k} referenced");
    }

    // Rename keeps the id; a taken name falls through to the next candidate.
    let renamed = ok!(ok!(store
        .rename_file(&f.id, None, &exact("Renamed.docx"), NOW)
        .await));
    assert_eq!(renamed.id, f.id);
    assert_eq!(renamed.name, "Renamed.docx");
    let clash = ok!(store
        .rename_file(&alt.id, None, &exact("renamed.docx"), NOW)
        .await);
    assert!(
        matches!(clash, Err(WopiError::NameExists { .. })),
        "{clash:?}"
    );
    let self_rename = ok!(store
        .rename_file(&f.id, None, &exact("renamed.DOCX"), NOW)
        .await);
    assert_eq!(
        ok!(self_rename).name,
        "renamed.DOCX",
        "a file may change the case of its own name"
    );

    // Delete: gone for every lookup, id never reused, name free again.
    assert_eq!(ok!(store.delete_file(&alt.id, NOW).await), Ok(()));
    assert_eq!(ok!(store.file(&alt.id).await), None);
    assert_eq!(ok!(store.role(&alt.id, &u.id).await), None);
    let missing = store
        .commit_version(&alt.id, WriteCheck::Unlocked, content("k9", 1, &u.id), NOW)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let missing = store.delete_file(&alt.id, NOW).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

async fn locked_file(store: &dyn MetadataStore, login: &str, size: u64) -> FileRecord {
    let u = new_user(store, login).await;
    ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("lk", size, &u.id),
            },
            &exact("l.docx"),
            NOW,
        )
        .await)
}

async fn locks(store: &dyn MetadataStore) {
    let f = locked_file(store, "dave", 5).await;
    let (state, file) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("A")), NOW)
        .await));
    let state = state.unwrap_or_else(|| panic!("Lock must lock"));
    assert_eq!(state.id, lock("A"));
    assert_eq!(state.expires_at, NOW + LOCK_TTL_MS);
    assert_eq!(file.version, 1, "locking does not change the version");
    assert_eq!(
        ok!(store.file(&f.id).await).and_then(|f| f.lock),
        Some(state.clone())
    );

    let other = ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("B")), NOW + 1)
        .await);
    assert!(
        matches!(&other, Err(WopiError::LockMismatch { current: Some(c), .. }) if *c == lock("A")),
        "{other:?}"
    );
    let relock = LockRequest::UnlockAndRelock {
        new: lock("B"),
        old: lock("A"),
    };
    let (state, _) = ok!(ok!(store.apply_lock(&f.id, &relock, NOW + 2).await));
    assert_eq!(state.map(|s| s.id), Some(lock("B")));
    // Delete and rename honour the lock.
    let del = ok!(store.delete_file(&f.id, NOW + 3).await);
    assert!(
        matches!(del, Err(WopiError::LockMismatch { .. })),
        "{del:?}"
    );
    let ren = ok!(store
        .rename_file(&f.id, Some(&lock("A")), &exact("x.docx"), NOW + 3)
        .await);
    assert!(
        matches!(ren, Err(WopiError::LockMismatch { .. })),
        "{ren:?}"
    );
    let ren = ok!(store
        .rename_file(&f.id, Some(&lock("B")), &exact("x.docx"), NOW + 3)
        .await);
    assert!(ren.is_ok(), "{ren:?}");
    // Expiry is enforced by the store's clock input.
    let later = NOW + 2 + LOCK_TTL_MS;
    let (state, _) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("C")), later)
        .await));
    assert_eq!(
        state.map(|s| s.id),
        Some(lock("C")),
        "an expired lock no longer blocks"
    );
    let (state, _) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Unlock(lock("C")), later)
        .await));
    assert_eq!(state, None);
    assert_eq!(ok!(store.file(&f.id).await).and_then(|f| f.lock), None);
    let un = ok!(store
        .apply_lock(&f.id, &LockRequest::Unlock(lock("C")), later)
        .await);
    assert!(
        matches!(un, Err(WopiError::LockMismatch { current: None, .. })),
        "{un:?}"
    );
    // 1024-character ids round-trip byte for byte.
    let long = lock(&"x".repeat(1024));
    let (state, _) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(long.clone()), later)
        .await));
    assert_eq!(state.map(|s| s.id), Some(long));
}

async fn put_rules(store: &dyn MetadataStore) {
    let empty = locked_file(store, "erin", 0).await;
    let put = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile(None),
            content("p1", 4, "x"),
            NOW
        )
        .await);
    assert_eq!(
        ok!(put).version,
        2,
        "an unlocked empty file accepts PutFile"
    );
    let again = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile(None),
            content("p2", 4, "x"),
            NOW
        )
        .await);
    assert!(
        matches!(&again, Err(WopiError::LockMismatch { current: None, .. })),
        "an unlocked non-empty file refuses PutFile: {again:?}"
    );
    ok!(ok!(store
        .apply_lock(&empty.id, &LockRequest::Lock(lock("L")), NOW)
        .await));
    let wrong = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile(Some(lock("W"))),
            content("p3", 4, "x"),
            NOW
        )
        .await);
    assert!(
        matches!(&wrong, Err(WopiError::LockMismatch { current: Some(c), .. }) if *c == lock("L"))
    );
    let over = ok!(store
        .commit_version(&empty.id, WriteCheck::Unlocked, content("p4", 4, "x"), NOW)
        .await);
    assert!(
        matches!(&over, Err(WopiError::LockMismatch { .. })),
        "overwrite of a locked file"
    );
    let right = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile(Some(lock("L"))),
            content("p5", 4, "x"),
            NOW
        )
        .await);
    let right = ok!(right);
    assert_eq!(right.version, 3);
    assert_eq!(right.content.blob_key, "p5");
    assert!(right.lock.is_some(), "PutFile keeps the lock");
}

async fn tokens_and_secrets(store: &dyn MetadataStore) {
    let u = new_user(store, "frank").await;
    let t = TokenRecord {
        user_id: u.id.clone(),
        file_id: FileId::from_trusted("fileX".into()),
        can_write: true,
        expires_at: NOW + 1000,
    };
    ok!(store.insert_token(b"hash-1", &t, NOW).await);
    let got = ok!(store.token(b"hash-1").await);
    assert_eq!(got.as_ref().map(|(t, _)| t), Some(&t));
    assert_eq!(got.map(|(_, u)| u.login).as_deref(), Some("frank"));
    assert_eq!(ok!(store.token(b"hash-2").await), None);
    assert!(ok!(store.revoke_token(b"hash-1").await));
    assert_eq!(
        ok!(store.token(b"hash-1").await),
        None,
        "revoked tokens are gone"
    );
    let t2 = TokenRecord {
        expires_at: NOW - 1,
        ..t
    };
    ok!(store.insert_token(b"hash-3", &t2, NOW).await);
    assert!(ok!(store.purge_expired_tokens(NOW).await) >= 1);
    assert_eq!(ok!(store.token(b"hash-3").await), None);

    let s1 = ok!(store.secret("test-secret", b"first").await);
    let s2 = ok!(store.secret("test-secret", b"second").await);
    assert_eq!(s1, b"first".to_vec());
    assert_eq!(s2, s1, "the first stored secret wins");
}

async fn concurrent_locks_have_one_winner(store: Arc<dyn MetadataStore>) {
    let f = locked_file(&*store, "racer", 1).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        let id = f.id.clone();
        tasks.push(tokio::spawn(async move {
            store
                .apply_lock(&id, &LockRequest::Lock(lock(&format!("lock-{i}"))), NOW)
                .await
        }));
    }
    let mut winners = 0;
    let mut losers = 0;
    for t in tasks {
        match ok!(t.await) {
            Ok(Ok(_)) => winners += 1,
            Ok(Err(WopiError::LockMismatch {
                current: Some(_), ..
            })) => losers += 1,
            other => panic!("unexpected lock outcome {other:?}"),
        }
    }
    assert_eq!(
        (winners, losers),
        (1, 31),
        "exactly one of 32 racing Locks wins"
    );
}

fn body(chunks: Vec<&'static [u8]>) -> ByteStream {
    Box::pin(futures::stream::iter(
        chunks.into_iter().map(|c| Ok(Bytes::from_static(c))),
    ))
}

async fn read_all(mut s: ByteStream) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&ok!(c));
    }
    out
}

/// Runs every blob behaviour against `blobs` (which must be empty).
pub async fn blob_suite(blobs: &dyn BlobStore) {
    ok!(blobs.ping().await);
    let k = BlobKey::generate();
    let put = ok!(blobs.put(&k, body(vec![b"hello ", b"world"]), 100).await);
    assert_eq!(put.size, 11);
    assert_eq!(
        hex::encode(&put.sha256),
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    );
    assert_eq!(read_all(ok!(blobs.get(&k).await)).await, b"hello world");
    let empty = BlobKey::generate();
    assert_eq!(ok!(blobs.put(&empty, body(vec![]), 100).await).size, 0);
    assert_eq!(read_all(ok!(blobs.get(&empty).await)).await, b"");

    // Over the limit: refused, nothing visible.
    let big = BlobKey::generate();
    let r = blobs
        .put(&big, body(vec![b"0123456789", b"0123456789"]), 15)
        .await;
    assert!(
        matches!(r, Err(StoreError::TooLarge { limit: 15 })),
        "{r:?}"
    );
    assert!(matches!(blobs.get(&big).await, Err(StoreError::NotFound)));

    // A body that fails midway (client disconnect): nothing visible.
    let broken = BlobKey::generate();
    let s: ByteStream = Box::pin(futures::stream::iter(vec![
        Ok(Bytes::from_static(b"partial")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ]));
    let r = blobs.put(&broken, s, 100).await;
    assert!(matches!(r, Err(StoreError::Aborted(_))), "{r:?}");
    assert!(matches!(
        blobs.get(&broken).await,
        Err(StoreError::NotFound)
    ));

    let listed = ok!(blobs.list().await);
    let keys: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    assert!(keys.contains(&k.as_str()) && keys.contains(&empty.as_str()));
    assert!(!keys.contains(&big.as_str()) && !keys.contains(&broken.as_str()));
    assert_eq!(
        ok!(blobs.clean_incomplete(i64::MAX).await),
        0,
        "no temp files are left behind"
    );

    ok!(blobs.delete(&k).await);
    ok!(blobs.delete(&k).await);
    assert!(matches!(blobs.get(&k).await, Err(StoreError::NotFound)));
}
