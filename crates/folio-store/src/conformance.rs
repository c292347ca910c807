//! The one conformance suite every backend passes (feature `conformance`). A backend's test
//! calls `metadata_suite` with a fresh, empty store, and `blob_suite` with a fresh blob store.
//! Failures panic with the behaviour that broke.
#![expect(clippy::panic, reason = "test suite: a failed expectation panics")]

use std::sync::Arc;

use bytes::Bytes;
use folio_wopi::coauth::{CoauthLockType, CoauthRequest};
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
        kind: VersionKind::Save,
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
    assert!(!ok!(store.any_user().await), "a fresh store has no users");
    first_user_once(store.clone()).await;
    users_and_folders(&*store).await;
    files_versions_and_names(&*store).await;
    locks(&*store).await;
    coauth_locks(&*store).await;
    chunked_streams(&*store).await;
    put_rules(&*store).await;
    tokens_and_secrets(&*store).await;
    token_with_file(&*store).await;
    folders_sharing_and_admin(&*store).await;
    integration_api(&*store).await;
    outbox_in_the_same_transaction(&*store).await;
    concurrent_locks_have_one_winner(store.clone()).await;
    disabling_is_final(&*store).await;
    login_failures_per_source(&*store).await;
    oauth_clients_codes_and_grants(&*store).await;
    oauth_grants_end_with_the_user(&*store).await;
    renaming_folders(&*store).await;
    trash_and_restore(&*store).await;
    trash_purge_and_retention(&*store).await;
    moving_folders(&*store).await;
    activities(&*store).await;
    ops_figures(&*store).await;
    audit_trail(&*store).await;
    audited_creation(&*store).await;
    forced_release_is_remembered(&*store).await;
    managing_shares(&*store).await;
    share_links(&*store).await;
    version_retention(&*store).await;
    retention_totals(&*store).await;
    organisation_templates(&*store).await;
    account_sessions(&*store).await;
    folder_pages(&*store).await;
    search_sees_what_the_user_sees(&*store).await;
    favourites_and_recent(&*store).await;
}

/// Version retention's store half: versions keep their kind; the candidate query finds files
/// with two old non-current autosaves in one hour (one day when older); `drop_versions` drops
/// only autosaves and never the current version, and returns exactly the blobs nothing else
/// references (a restore shares its blob; a template's blob is referenced too).
async fn version_retention(store: &dyn MetadataStore) {
    const H: i64 = 3_600_000;
    let u = new_user(store, "retainer").await;
    let base = NOW - 100 * H;
    let at = |key: &str, t: i64, kind: VersionKind| ContentRecord {
        created_at: t,
        kind,
        ..content(key, 10, &u.id)
    };
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: at("rt-1", base, VersionKind::Upload),
            },
            &exact("thin.docx"),
            base,
        )
        .await);
    let min = 60_000;
    let kinds = [
        ("rt-2", base + H + 10 * min, VersionKind::Autosave),
        ("rt-3", base + H + 20 * min, VersionKind::Autosave),
        ("rt-4", base + H + 30 * min, VersionKind::Autosave),
        ("rt-5", base + H + 40 * min, VersionKind::Save),
        ("rt-2", base + H + 50 * min, VersionKind::Restored),
        ("rt-6", base + 2 * H, VersionKind::ExitSave),
        ("rt-7", NOW, VersionKind::Autosave),
    ];
    for (key, t, kind) in kinds {
        ok!(ok!(store
            .commit_version(&f.id, WriteCheck::Unlocked, at(key, t, kind), t)
            .await));
    }
    let listed = ok!(store.versions(&f.id).await);
    assert_eq!(listed.len(), 8);
    assert_eq!(listed[0].content.kind, VersionKind::Autosave, "v8 as saved");
    assert_eq!(listed[1].content.kind, VersionKind::ExitSave);
    assert_eq!(listed[2].content.kind, VersionKind::Restored);
    assert_eq!(listed[7].content.kind, VersionKind::Upload);
    assert_eq!(
        ok!(store.file(&f.id).await).map(|f| f.content.kind),
        Some(VersionKind::Autosave),
        "the current content carries its kind"
    );

    // A file with one old autosave and a current one is no candidate.
    let g = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: at("rt-g1", base, VersionKind::Autosave),
            },
            &exact("alone.docx"),
            base,
        )
        .await);
    ok!(ok!(store
        .commit_version(
            &g.id,
            WriteCheck::Unlocked,
            at("rt-g2", base + 10 * min, VersionKind::Autosave),
            base
        )
        .await));
    let keep_all_before = NOW - 24 * H;
    let hourly_before = NOW - 30 * 24 * H;
    let found = ok!(store
        .autosave_candidates(keep_all_before, hourly_before, 10_000)
        .await);
    assert!(found.contains(&f.id), "three autosaves in one hour");
    assert!(!found.contains(&g.id), "one non-current autosave");
    // Newer than the keep-all window: not a candidate yet.
    let found = ok!(store
        .autosave_candidates(base, base - 30 * 24 * H, 10_000)
        .await);
    assert!(!found.contains(&f.id));
    // Older than the hourly window, the same three fall into one day.
    let found = ok!(store.autosave_candidates(NOW, NOW, 10_000).await);
    assert!(found.contains(&f.id), "one day");
    assert!(!found.contains(&g.id), "still one non-current autosave");

    // A template's blob counts as referenced.
    let tpl = TemplateRecord {
        id: "rt-template".into(),
        name: "Retention letter.dotx".into(),
        blob_key: "rt-tpl".into(),
        size: 4,
        sha256: vec![4; 32],
        created_at: NOW,
        created_by: u.id.clone(),
    };
    ok!(store.add_template(&tpl).await);
    assert!(ok!(store.referenced_blob_keys().await).contains("rt-tpl"));
    assert!(
        ok!(store.blob_references().await)
            .iter()
            .any(|r| r.blob_key == "rt-tpl" && r.sha256.as_deref() == Some(&[4u8; 32][..])),
        "backups copy templates"
    );

    // Asked to drop everything, the store drops only the non-current autosaves.
    let (dropped, freed) = ok!(store.drop_versions(&f.id, &[1, 2, 3, 4, 5, 6, 7, 8]).await);
    assert_eq!(dropped, 3);
    let mut freed: Vec<(String, u64)> = freed.into_iter().map(|b| (b.blob_key, b.size)).collect();
    freed.sort();
    assert_eq!(
        freed,
        vec![("rt-3".to_owned(), 10), ("rt-4".to_owned(), 10)],
        "rt-2 is still the restored version's"
    );
    let left: Vec<i64> = ok!(store.versions(&f.id).await)
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(left, vec![8, 7, 6, 5, 1]);
    assert_eq!(ok!(store.file(&f.id).await).map(|f| f.version), Some(8));
    // Again: nothing left to drop.
    assert_eq!(ok!(store.drop_versions(&f.id, &[2, 3, 8]).await).0, 0);
    // A deleted file is not thinned.
    ok!(ok!(store.delete_file(&g.id, NOW).await));
    assert!(matches!(
        store.drop_versions(&g.id, &[1]).await,
        Err(StoreError::NotFound)
    ));
    ok!(store.delete_template("rt-template").await);
}

/// The running total of what retention freed, and its audit row in the same transaction.
async fn retention_totals(store: &dyn MetadataStore) {
    let before = ok!(store.retention_totals().await);
    let ev = AuditEvent {
        id: "rt-audit".into(),
        at: NOW + 5,
        action: "system.version_retention".into(),
        actor_id: None,
        actor_name: None,
        file_id: None,
        file_name: None,
        detail: Some("dropped 3".into()),
        ip: None,
        user_agent: None,
        via: "system".into(),
        via_id: None,
    };
    ok!(store.record_retention(3, 20, NOW + 5, Some(&ev)).await);
    let after = ok!(store.retention_totals().await);
    assert_eq!(after.dropped_versions, before.dropped_versions + 3);
    assert_eq!(after.freed_bytes, before.freed_bytes + 20);
    assert_eq!(after.last_sweep_at, Some(NOW + 5));
    assert_eq!((after.last_dropped, after.last_freed), (3, 20));
    ok!(store.record_retention(0, 0, NOW + 6, None).await);
    let again = ok!(store.retention_totals().await);
    assert_eq!(
        (again.dropped_versions, again.freed_bytes),
        (after.dropped_versions, after.freed_bytes)
    );
    assert_eq!(again.last_sweep_at, Some(NOW + 6));
    assert_eq!((again.last_dropped, again.last_freed), (0, 0));
    let rows = ok!(store
        .audit_events(&AuditQuery {
            action: Some("system.version_retention".into()),
            limit: 10,
            ..Default::default()
        })
        .await);
    assert!(rows.iter().any(|r| r.id == "rt-audit"));
}

/// Organisation templates: unique names (case-insensitively), listed by name, a file's wait for
/// one, which ends with the template.
async fn organisation_templates(store: &dyn MetadataStore) {
    let u = new_user(store, "templater").await;
    let t = |id: &str, name: &str| TemplateRecord {
        id: id.into(),
        name: name.into(),
        blob_key: format!("blob-{id}"),
        size: 7,
        sha256: vec![7; 32],
        created_at: NOW,
        created_by: u.id.clone(),
    };
    ok!(store.add_template(&t("t-b", "Budget.xltx")).await);
    ok!(store.add_template(&t("t-a", "a letter.dotx")).await);
    assert!(matches!(
        store.add_template(&t("t-c", "BUDGET.xltx")).await,
        Err(StoreError::AlreadyExists)
    ));
    let names: Vec<String> = ok!(store.templates().await)
        .into_iter()
        .filter(|x| x.id.starts_with("t-"))
        .map(|x| x.name)
        .collect();
    assert_eq!(names, vec!["a letter.dotx", "Budget.xltx"]);
    assert_eq!(
        ok!(store.template("t-b").await),
        Some(t("t-b", "Budget.xltx"))
    );
    assert_eq!(ok!(store.template("nope").await), None);

    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("t-empty", 0, &u.id),
            },
            &exact("From template.xlsx"),
            NOW,
        )
        .await);
    assert_eq!(ok!(store.file_template(&f.id).await), None);
    ok!(store.set_file_template(&f.id, "t-b").await);
    assert_eq!(
        ok!(store.file_template(&f.id).await).map(|x| x.id),
        Some("t-b".to_owned())
    );
    ok!(store.set_file_template(&f.id, "t-a").await);
    assert_eq!(
        ok!(store.file_template(&f.id).await).map(|x| x.id),
        Some("t-a".to_owned()),
        "the last wait wins"
    );
    assert_eq!(
        ok!(store.delete_template("t-a").await).map(|x| x.name),
        Some("a letter.dotx".to_owned())
    );
    assert_eq!(ok!(store.file_template(&f.id).await), None);
    assert_eq!(ok!(store.delete_template("t-a").await), None);
    assert!(!ok!(store.referenced_blob_keys().await).contains("blob-t-a"));
    assert!(ok!(store.referenced_blob_keys().await).contains("blob-t-b"));
    ok!(store.delete_template("t-b").await);
}

/// The account page: a user's live sessions, newest first; signing out the others keeps this
/// one and every other user's.
async fn account_sessions(store: &dyn MetadataStore) {
    let u = new_user(store, "sessionista").await;
    let other = new_user(store, "bystander").await;
    ok!(store
        .create_session(b"acct-old", &u.id, "c1", NOW + 1000, NOW)
        .await);
    ok!(store
        .create_session(b"acct-new", &u.id, "c2", NOW + 2000, NOW + 10)
        .await);
    ok!(store
        .create_session(b"acct-gone", &u.id, "c3", NOW + 5, NOW)
        .await);
    ok!(store
        .create_session(b"acct-other", &other.id, "c4", NOW + 1000, NOW)
        .await);
    let live: Vec<Vec<u8>> = ok!(store.user_sessions(&u.id, NOW + 100).await)
        .into_iter()
        .map(|s| s.hash)
        .collect();
    assert_eq!(live, vec![b"acct-new".to_vec(), b"acct-old".to_vec()]);
    assert_eq!(ok!(store.end_other_sessions(&u.id, b"acct-new").await), 2);
    let live: Vec<Vec<u8>> = ok!(store.user_sessions(&u.id, NOW + 100).await)
        .into_iter()
        .map(|s| s.hash)
        .collect();
    assert_eq!(live, vec![b"acct-new".to_vec()]);
    assert!(ok!(store.session(b"acct-other", NOW + 100).await).is_some());
    assert!(ok!(store.session(b"acct-new", NOW + 100).await).is_some());
}

/// `/metrics`' counts: each moves by exactly what was done (the suite's earlier rows stay).
async fn ops_figures(store: &dyn MetadataStore) {
    let now = NOW + 10;
    let before = ok!(store.ops_figures(now).await);

    let f = locked_file(store, "opsie", 3).await;
    ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("ops")), now)
        .await));
    let g = locked_file(store, "coauthor", 3).await;
    ok!(ok!(store
        .apply_coauth(
            &g.id,
            &coauth_get("ops", CoauthLockType::Coauth, 60_000),
            now
        )
        .await));
    let editor_token = TokenRecord {
        user_id: f.owner_id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: true,
        expires_at: now + 1000,
        client: Some("dev".into()),
        session_id: None,
        link_id: None,
    };
    ok!(store.insert_token(b"ops-editor", &editor_token, now).await);
    // A token minted for no editor is not an editing session.
    let plain = TokenRecord {
        client: None,
        ..editor_token.clone()
    };
    ok!(store.insert_token(b"ops-plain", &plain, now).await);
    let ev = OutboxEvent {
        id: "ops-ev".into(),
        event_type: "file.saved".into(),
        payload: "{}".into(),
        created_at: now,
    };
    ok!(store
        .enqueue_event(&ev, &["http://ops-a".into(), "http://ops-b".into()])
        .await);
    let mine: Vec<_> = ok!(store.deliveries(1000).await)
        .into_iter()
        .filter(|d| d.event.id == "ops-ev")
        .collect();
    assert_eq!(mine.len(), 2);
    ok!(store
        .finish_delivery(&mine[0].id, false, Some(500), Some("boom"), None, now)
        .await);

    let after = ok!(store.ops_figures(now).await);
    assert_eq!(
        after,
        OpsFigures {
            editing_sessions: before.editing_sessions + 1,
            wopi_locks: before.wopi_locks + 1,
            coauth_locks: before.coauth_locks + 1,
            deliveries_pending: before.deliveries_pending + 1,
            deliveries_failed: before.deliveries_failed + 1,
        }
    );
    // Expiry: the lock (30 min), the coauth lock (60 s) and the token (1 s) no longer count.
    let later = ok!(store.ops_figures(now + 31 * 60 * 1000).await);
    assert!(later.wopi_locks < after.wopi_locks);
    assert!(later.coauth_locks < after.coauth_locks);
    assert!(later.editing_sessions < after.editing_sessions);

    let pools = store.pool_figures();
    assert!(!pools.is_empty(), "a SQL store has at least one pool");
    for p in pools {
        assert!(p.max >= 1 && p.in_use + p.idle <= p.max, "{p:?}");
        assert_eq!(p.waiting, 0, "nothing waits while the suite is idle: {p:?}");
    }
}

fn audit_row(id: &str, at: i64, action: &str, actor: &str, file: Option<&str>) -> AuditEvent {
    AuditEvent {
        id: id.to_owned(),
        at,
        action: action.to_owned(),
        actor_id: Some(actor.to_owned()),
        actor_name: Some(format!("login-{actor}")),
        file_id: file.map(str::to_owned),
        file_name: file.map(|f| format!("{f}.docx")),
        detail: Some("d".to_owned()),
        ip: Some("192.0.2.7".to_owned()),
        user_agent: Some("agent/1".to_owned()),
        via: "web".to_owned(),
        via_id: None,
    }
}

/// `create_file_audited` writes the row built from the new file in the creation's transaction;
/// a refused creation (name taken) writes none.
async fn audited_creation(store: &dyn MetadataStore) {
    let u = new_user(store, "creator").await;
    let mut built = 0;
    let built_for = std::sync::Mutex::new(Vec::new());
    let audit = |f: &FileRecord| {
        if let Ok(mut b) = built_for.lock() {
            b.push(f.id.to_string());
        }
        audit_row(
            &format!("create-{}", f.id),
            NOW,
            "file.create",
            &u.id,
            Some(f.id.as_str()),
        )
    };
    let new = |key: &str| NewFile {
        folder_id: u.root_folder_id.clone(),
        owner_id: u.id.clone(),
        content: content(key, 1, &u.id),
    };
    let f = ok!(store
        .create_file_audited(new("cr1"), &exact("made.docx"), NOW, &audit)
        .await);
    built += 1;
    let taken = store
        .create_file_audited(new("cr2"), &exact("made.docx"), NOW, &audit)
        .await;
    assert!(matches!(taken, Err(StoreError::AlreadyExists)), "{taken:?}");
    let mine = AuditQuery {
        actor_id: Some(u.id.clone()),
        limit: 100,
        ..Default::default()
    };
    let rows = ok!(store.audit_events(&mine).await);
    assert_eq!(
        rows.iter()
            .map(|r| (r.action.as_str(), r.file_id.as_deref()))
            .collect::<Vec<_>>(),
        vec![("file.create", Some(f.id.as_str()))],
        "one row, for the file created"
    );
    assert_eq!(
        built_for.lock().map(|b| b.len()).unwrap_or(0),
        built,
        "built from the created file only"
    );
}

/// The audit trail: rows written inside a change's transaction (and not when it is refused),
/// on their own, filtered by actor, file, action prefix and time, paged by cursor, purged by age.
async fn audit_trail(store: &dyn MetadataStore) {
    let u = new_user(store, "auditee").await;
    let other = new_user(store, "auditee2").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("au1", 3, &u.id)
            },
            &exact("audited.docx"),
            NOW,
        )
        .await);
    let fid = f.id.to_string();
    let all_of = |actor: &str| AuditQuery {
        actor_id: Some(actor.to_owned()),
        limit: 100,
        ..Default::default()
    };
    // A change's row comes from the file as the change left it; a refused change writes none.
    let urls: Vec<String> = Vec::new();
    let build = |_: &FileRecord| OutboxEvent {
        id: "unused".into(),
        event_type: "t".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    let audit = |file: &FileRecord| {
        let mut ev = audit_row(
            &format!("save-{}", file.version),
            NOW + 10,
            "file.save",
            &u.id,
            Some(file.id.as_str()),
        );
        ev.detail = Some(format!("version {}", file.version));
        ev
    };
    let emit = Emit {
        urls: &urls,
        build: &build,
        audit: Some(&audit),
    };
    let refused = ok!(store
        .commit_version_emitting(
            &f.id,
            WriteCheck::PutFile {
                lock: Some(lock("nope")),
                expected_version: None
            },
            content("au2", 3, &u.id),
            NOW + 10,
            Some(&emit),
        )
        .await);
    assert!(refused.is_err());
    assert!(ok!(store.audit_events(&all_of(&u.id)).await).is_empty());
    ok!(ok!(store
        .commit_version_emitting(
            &f.id,
            WriteCheck::Unlocked,
            content("au3", 4, &u.id),
            NOW + 10,
            Some(&emit),
        )
        .await));
    let rows = ok!(store.audit_events(&all_of(&u.id)).await);
    assert_eq!(
        rows.iter()
            .map(|r| (r.action.as_str(), r.detail.as_deref()))
            .collect::<Vec<_>>(),
        vec![("file.save", Some("version 2"))]
    );
    assert_eq!(rows[0], {
        let mut want = audit_row("save-2", NOW + 10, "file.save", &u.id, Some(&fid));
        want.detail = Some("version 2".into());
        want
    });
    // Moves and shares write theirs in their transaction too; a refused move writes none.
    let sub = ok!(store.create_folder(&u.root_folder_id, "Sub", NOW).await);
    let mv = audit_row("move-1", NOW + 20, "file.move", &u.id, Some(&fid));
    ok!(ok!(store
        .move_file(&f.id, &sub.id, NOW + 20, Some(&mv))
        .await));
    let clash = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("au4", 1, &u.id)
            },
            &exact("audited.docx"),
            NOW,
        )
        .await);
    let mv2 = audit_row(
        "move-2",
        NOW + 21,
        "file.move",
        &u.id,
        Some(clash.id.as_str()),
    );
    assert!(
        ok!(store
            .move_file(&clash.id, &sub.id, NOW + 21, Some(&mv2))
            .await)
        .is_err()
    );
    let sh = audit_row("share-1", NOW + 30, "file.share", &u.id, Some(&fid));
    ok!(store
        .share_file(&f.id, &other.id, Role::Viewer, Some(&sh))
        .await);
    let shf = audit_row("share-2", NOW + 31, "folder.share", &u.id, None);
    ok!(store
        .share_folder(&sub.id, &other.id, Role::Viewer, Some(&shf))
        .await);
    // Rows on their own; several at the same time are ordered by id.
    ok!(store
        .record_audit(&audit_row(
            "b-open",
            NOW + 40,
            "file.open",
            &other.id,
            Some(&fid)
        ))
        .await);
    ok!(store
        .record_audit(&audit_row(
            "a-open",
            NOW + 40,
            "file.open",
            &other.id,
            Some(&fid)
        ))
        .await);
    ok!(store
        .record_audit(&audit_row(
            "sign",
            NOW + 50,
            "auth.sign_in",
            &other.id,
            None
        ))
        .await);
    let ids = |q: AuditQuery| async move {
        ok!(store.audit_events(&q).await)
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(all_of(&u.id)).await,
        vec!["share-2", "share-1", "move-1", "save-2"]
    );
    assert_eq!(
        ids(AuditQuery {
            file_id: Some(fid.clone()),
            limit: 100,
            ..Default::default()
        })
        .await,
        vec!["b-open", "a-open", "share-1", "move-1", "save-2"]
    );
    assert_eq!(
        ids(AuditQuery {
            actor_id: Some(other.id.clone()),
            file_id: Some(fid.clone()),
            limit: 100,
            ..Default::default()
        })
        .await,
        vec!["b-open", "a-open"]
    );
    // Action prefix, with LIKE's wildcards taken literally.
    assert_eq!(
        ids(AuditQuery {
            action: Some("auth.".into()),
            limit: 100,
            ..Default::default()
        })
        .await,
        vec!["sign"]
    );
    assert!(
        ids(AuditQuery {
            action: Some("file%".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .is_empty()
    );
    // Time range: since inclusive, until exclusive.
    assert_eq!(
        ids(AuditQuery {
            since: Some(NOW + 20),
            until: Some(NOW + 40),
            limit: 100,
            ..Default::default()
        })
        .await,
        vec!["share-2", "share-1", "move-1"]
    );
    // Pages: the cursor is the (at, id) of the last row, ties broken by id.
    let page1 = ok!(store
        .audit_events(&AuditQuery {
            file_id: Some(fid.clone()),
            limit: 1,
            ..Default::default()
        })
        .await);
    assert_eq!(page1.len(), 1);
    let mut seen = vec![page1[0].id.clone()];
    let mut cursor = (page1[0].at, page1[0].id.clone());
    loop {
        let page = ok!(store
            .audit_events(&AuditQuery {
                file_id: Some(fid.clone()),
                before: Some(cursor.clone()),
                limit: 2,
                ..Default::default()
            })
            .await);
        let Some(last) = page.last() else { break };
        cursor = (last.at, last.id.clone());
        seen.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(
        seen,
        vec!["b-open", "a-open", "share-1", "move-1", "save-2"]
    );
    // Retention: rows older than the cut go, the others stay.
    let before = ok!(store
        .audit_events(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await);
    let older = before.iter().filter(|r| r.at < NOW + 40).count() as u64;
    assert_eq!(ok!(store.purge_audit(NOW + 40).await), older);
    assert_eq!(
        ids(AuditQuery {
            file_id: Some(fid.clone()),
            limit: 100,
            ..Default::default()
        })
        .await,
        vec!["b-open", "a-open"]
    );
    assert_eq!(ok!(store.purge_audit(NOW + 40).await), 0);
}

/// An administrator's forced release: the WOPI lock and the coauth rows go with the event and
/// the audit row in one transaction; the released id is remembered, so a later write or
/// Unlock/RefreshLock with it is `LockReleased` (and any other id the ordinary mismatch),
/// until a new lock is taken. The lock's holder and age are kept across refreshes.
async fn forced_release_is_remembered(store: &dyn MetadataStore) {
    let u = new_user(store, "releasee").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("fr1", 5, &u.id)
            },
            &exact("stuck.docx"),
            NOW,
        )
        .await);
    let opts = |holder: &str| folio_wopi::lock::LockOptions {
        holder: Some(holder.to_owned()),
        ..Default::default()
    };
    let (_, locked) = ok!(ok!(store
        .apply_lock_emitting(
            &f.id,
            &LockRequest::Lock(lock("OLD")),
            &opts(&u.id),
            NOW,
            None
        )
        .await));
    assert_eq!(
        (locked.lock_holder.as_deref(), locked.lock_since),
        (Some(u.id.as_str()), Some(NOW))
    );
    // A refresh by anyone keeps holder and age.
    let (_, refreshed) = ok!(ok!(store
        .apply_lock_emitting(
            &f.id,
            &LockRequest::RefreshLock(lock("OLD")),
            &opts("someone-else"),
            NOW + 100,
            None
        )
        .await));
    assert_eq!(
        (refreshed.lock_holder.as_deref(), refreshed.lock_since),
        (Some(u.id.as_str()), Some(NOW))
    );
    let listed = ok!(store.locked_files(NOW + 100).await);
    let row = listed.iter().find(|x| x.id == f.id);
    assert_eq!(
        row.map(|x| (x.lock_holder.as_deref(), x.lock_since)),
        Some((Some(u.id.as_str()), Some(NOW)))
    );

    let urls: Vec<String> = Vec::new();
    let build = |_: &FileRecord| OutboxEvent {
        id: "unused".into(),
        event_type: "t".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    let audit = |file: &FileRecord| {
        let mut ev = audit_row(
            "release-1",
            NOW + 200,
            "admin.lock_release",
            &u.id,
            Some(file.id.as_str()),
        );
        ev.detail = file.lock.as_ref().map(|l| l.id.to_string());
        ev
    };
    let emit = Emit {
        urls: &urls,
        build: &build,
        audit: Some(&audit),
    };
    let before = ok!(store.force_unlock(&f.id, NOW + 200, Some(&emit)).await);
    assert_eq!(before.and_then(|b| b.lock).map(|l| l.id), Some(lock("OLD")));
    let rows = ok!(store
        .audit_events(&AuditQuery {
            file_id: Some(f.id.to_string()),
            limit: 10,
            ..Default::default()
        })
        .await);
    assert_eq!(
        rows.iter()
            .map(|r| (r.action.as_str(), r.detail.as_deref()))
            .collect::<Vec<_>>(),
        vec![("admin.lock_release", Some("OLD"))]
    );
    let Some(after) = ok!(store.file(&f.id).await) else {
        panic!("the file is still there")
    };
    assert_eq!(
        (after.lock.as_ref(), after.lock_holder.as_ref()),
        (None, None)
    );
    assert_eq!(
        after.released_lock,
        Some(folio_wopi::lock::ReleasedLock {
            id: lock("OLD"),
            at: NOW + 200
        })
    );
    // Nothing left to release: nothing written.
    assert!(ok!(store.force_unlock(&f.id, NOW + 201, Some(&emit)).await).is_none());
    assert_eq!(
        ok!(store
            .audit_events(&AuditQuery {
                file_id: Some(f.id.to_string()),
                limit: 10,
                ..Default::default()
            })
            .await)
        .len(),
        1
    );
    let released = Err(WopiError::LockReleased {
        current: None,
        released_at: NOW + 200,
    });
    // PutFile, Unlock and RefreshLock with the released id are told; another id is not.
    let put = |id: &str| WriteCheck::PutFile {
        lock: Some(lock(id)),
        expected_version: None,
    };
    assert_eq!(
        ok!(store
            .commit_version(&f.id, put("OLD"), content("fr2", 5, &u.id), NOW + 300)
            .await)
        .map(|_| ()),
        released
    );
    assert!(matches!(
        ok!(store
            .commit_version(&f.id, put("OTHER"), content("fr3", 5, &u.id), NOW + 300)
            .await),
        Err(WopiError::LockMismatch { .. })
    ));
    for req in [
        LockRequest::Unlock(lock("OLD")),
        LockRequest::RefreshLock(lock("OLD")),
    ] {
        assert_eq!(
            ok!(store.apply_lock(&f.id, &req, NOW + 300).await).map(|_| ()),
            released
        );
    }
    // A new lock forgets the release; its holder is the new taker.
    let (_, relocked) = ok!(ok!(store
        .apply_lock_emitting(
            &f.id,
            &LockRequest::Lock(lock("NEW")),
            &opts("taker"),
            NOW + 400,
            None
        )
        .await));
    assert_eq!(
        (
            relocked.released_lock.as_ref(),
            relocked.lock_holder.as_deref(),
            relocked.lock_since
        ),
        (None, Some("taker"), Some(NOW + 400))
    );
    assert!(matches!(
        ok!(store
            .apply_lock(&f.id, &LockRequest::Unlock(lock("OLD")), NOW + 500)
            .await),
        Err(WopiError::LockMismatch { .. })
    ));
    ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Unlock(lock("NEW")), NOW + 500)
        .await));

    // Coauth rows alone are released too (and the table version moves on).
    let t0 = ok!(store.coauth_table(&f.id, NOW + 600).await);
    ok!(ok!(store
        .apply_coauth(
            &f.id,
            &coauth_get("C1", CoauthLockType::Coauth, 60_000),
            NOW + 600
        )
        .await));
    let t1 = ok!(store.coauth_table(&f.id, NOW + 600).await);
    assert_eq!(t1.rows.len(), 1);
    assert!(ok!(store.force_unlock(&f.id, NOW + 601, None).await).is_some());
    let t2 = ok!(store.coauth_table(&f.id, NOW + 601).await);
    assert!(t2.rows.is_empty());
    assert!(t2.counter > t1.counter && t1.counter > t0.counter);
    // Only coauth rows were released: no WOPI lock is remembered.
    assert_eq!(
        ok!(store.file(&f.id).await).and_then(|x| x.released_lock),
        None
    );
}

/// First-run setup: of racing `create_first_user` calls on an empty store exactly one creates
/// its user; once a user exists, none does.
async fn first_user_once(store: Arc<dyn MetadataStore>) {
    let mut racers = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            store
                .create_first_user(
                    NewUser {
                        login: format!("first-{i}"),
                        name: format!("First {i}"),
                        email: String::new(),
                        is_admin: true,
                        password_hash: None,
                    },
                    NOW,
                )
                .await
        }));
    }
    let mut created = Vec::new();
    for r in racers {
        if let Some(u) = ok!(ok!(r.await)) {
            created.push(u);
        }
    }
    assert_eq!(created.len(), 1, "one first user: {created:?}");
    assert!(created[0].is_admin);
    let users = ok!(store.list_users().await);
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(users[0].id, created[0].id);
    let root = ok!(store.folder(&created[0].root_folder_id).await);
    assert!(root.is_some(), "the first user has a root folder");
    let again = ok!(store
        .create_first_user(
            NewUser {
                login: "late".into(),
                name: "Late".into(),
                email: String::new(),
                is_admin: true,
                password_hash: None,
            },
            NOW
        )
        .await);
    assert_eq!(again, None, "no second first user");
}

/// RenameContainer: same id, case-insensitive sibling clash is `NameExists`, roots are not
/// renamed.
async fn renaming_folders(store: &dyn MetadataStore) {
    let u = new_user(store, "renamer").await;
    let a = ok!(store.create_folder(&u.root_folder_id, "A", NOW).await);
    ok!(store.create_folder(&u.root_folder_id, "B", NOW).await);
    let renamed = ok!(ok!(store.rename_folder(&a.id, "Archive").await));
    assert_eq!(
        (renamed.id.as_str(), renamed.name.as_str()),
        (a.id.as_str(), "Archive")
    );
    assert_eq!(
        ok!(store.folder(&a.id).await).map(|f| f.name),
        Some("Archive".to_owned())
    );
    assert_eq!(
        ok!(store.rename_folder(&a.id, "b").await),
        Err(WopiError::NameExists { suggestion: None }),
        "a sibling's name, in another case"
    );
    // Renaming to its own name in another case is fine.
    ok!(ok!(store.rename_folder(&a.id, "ARCHIVE").await));
    assert!(matches!(
        store.rename_folder(&u.root_folder_id, "Root").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.rename_folder("no-such-folder", "X").await,
        Err(StoreError::NotFound)
    ));
}

async fn file_in(
    store: &dyn MetadataStore,
    u: &UserRecord,
    folder: &str,
    name: &str,
) -> FileRecord {
    ok!(store
        .create_file(
            NewFile {
                folder_id: folder.to_owned(),
                owner_id: u.id.clone(),
                content: content(&format!("blob-{name}"), 3, &u.id),
            },
            &exact(name),
            NOW,
        )
        .await)
}

/// The trash: a deleted folder takes everything below it along, invisible everywhere until it
/// is restored with its versions and shares; restores go back in place or home, under a free
/// name; a locked file keeps its folder out of the trash; an owner restores only their own.
async fn trash_and_restore(store: &dyn MetadataStore) {
    let u = new_user(store, "trasher").await;
    let v = new_user(store, "trashviewer").await;
    let root = u.root_folder_id.clone();
    let a = ok!(store.create_folder(&root, "A", NOW).await);
    let b = ok!(store.create_folder(&a.id, "B", NOW).await);
    let fa = file_in(store, &u, &a.id, "a.docx").await;
    let fb = file_in(store, &u, &b.id, "b.docx").await;
    ok!(ok!(store
        .commit_version(
            &fa.id,
            WriteCheck::Unlocked,
            content("blob-a2", 4, &u.id),
            NOW
        )
        .await));
    ok!(store.share_file(&fa.id, &v.id, Role::Editor, None).await);
    ok!(store.share_folder(&a.id, &v.id, Role::Viewer, None).await);

    // A locked file below keeps the folder where it is.
    ok!(ok!(store
        .apply_lock(&fb.id, &LockRequest::Lock(lock("busy")), NOW)
        .await));
    assert!(matches!(
        ok!(store.trash_folder(&a.id, NOW, None, None).await),
        Err(WopiError::LockMismatch { .. })
    ));
    assert!(ok!(store.folder(&b.id).await).is_some(), "nothing trashed");
    ok!(ok!(store
        .apply_lock(&fb.id, &LockRequest::Unlock(lock("busy")), NOW)
        .await));
    assert!(matches!(
        store.trash_folder(&root, NOW, None, None).await,
        Err(StoreError::NotFound)
    ));

    // Deleted by the person it is shared with (an editor of the folder above, say): the
    // entry is in the owner's trash and says who.
    let trashed = ok!(ok!(store
        .trash_folder(&a.id, NOW + 1, Some(&v.id), None)
        .await));
    assert_eq!(trashed.id, a.id);
    // Invisible everywhere.
    assert_eq!(ok!(store.folder(&a.id).await), None);
    assert_eq!(ok!(store.folder(&b.id).await), None);
    assert_eq!(ok!(store.file(&fa.id).await), None);
    assert_eq!(ok!(store.file(&fb.id).await), None);
    assert_eq!(ok!(store.role(&fa.id, &v.id).await), None);
    assert_eq!(ok!(store.folder_role(&a.id, &v.id).await), None);
    let (shared_folders, shared_files) = ok!(store.shared_with(&v.id).await);
    assert!(shared_folders.is_empty() && shared_files.is_empty());
    let (folders, _) = ok!(store.list_folder(&root).await);
    assert!(folders.iter().all(|f| f.id != a.id));
    assert!(matches!(
        store.create_folder(&b.id, "inside", NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.move_file(&fa.id, &root, NOW, None).await,
        Err(StoreError::NotFound)
    ));
    // The trash lists the folder with what went with it; nobody else's trash has it.
    let t = ok!(store.trash(&u.id).await);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!((t[0].id(), t[0].name()), (a.id.as_str(), "A"));
    assert_eq!(t[0].deleted_at, NOW + 1);
    assert_eq!(t[0].from_folder_id, root);
    assert_eq!(t[0].from_folder_name, None);
    assert_eq!(t[0].deleted_by.as_deref(), Some(v.id.as_str()));
    assert_eq!(t[0].deleted_by_name.as_deref(), Some(v.name.as_str()));
    assert_eq!(
        ok!(store.trashed(&a.id).await),
        Some(TrashedBy {
            owner_id: u.id.clone(),
            deleted_by: Some(v.id.clone()),
            deleted_at: NOW + 1,
        })
    );
    assert_eq!(
        ok!(store.trashed(&b.id).await),
        None,
        "what went with it is not an entry"
    );
    assert!(
        matches!(
            &t[0].item,
            TrashItem::Folder {
                files: 2,
                size: 7,
                ..
            }
        ),
        "{:?}",
        t[0].item
    );
    assert!(ok!(store.trash(&v.id).await).is_empty());
    assert_eq!(
        ok!(store.restore_trashed(&v.id, &a.id, NOW, None).await),
        None
    );
    // Its name is free in the folder meanwhile.
    let again = ok!(store.create_folder(&root, "a", NOW).await);

    let restored = ok!(store.restore_trashed(&u.id, &a.id, NOW + 2, None).await);
    assert_eq!(
        restored,
        Some(Restored {
            id: a.id.clone(),
            folder_id: root.clone(),
            name: "A (1)".into(),
            in_place: true,
            is_folder: true,
        })
    );
    assert_eq!(
        ok!(store.folder(&b.id).await).map(|f| f.parent_id),
        Some(Some(a.id.clone()))
    );
    let back = ok!(store.file(&fb.id).await).unwrap_or_else(|| panic!("b.docx is back"));
    assert_eq!(
        (back.folder_id.as_str(), back.name.as_str()),
        (b.id.as_str(), "b.docx")
    );
    assert_eq!(ok!(store.versions(&fa.id).await).len(), 2, "versions kept");
    assert_eq!(
        ok!(store.role(&fa.id, &v.id).await),
        Some(Role::Editor),
        "shares kept"
    );
    assert_eq!(
        ok!(store.folder_role(&b.id, &v.id).await),
        Some(Role::Viewer)
    );
    assert!(ok!(store.trash(&u.id).await).is_empty());
    assert_eq!(ok!(store.trashed(&a.id).await), None, "restored");
    assert_eq!(
        ok!(store.restore_trashed(&u.id, &a.id, NOW, None).await),
        None,
        "once"
    );

    // A file on its own: back in place, numbered when its name was taken meanwhile, home when
    // its folder went to the trash after it.
    assert_eq!(
        ok!(store
            .delete_file_emitting(&fa.id, NOW + 3, Some(&u.id), None)
            .await),
        Ok(())
    );
    let t = ok!(store.trash(&u.id).await);
    assert!(matches!(&t[..], [e] if matches!(&e.item, TrashItem::File(f) if f.id == fa.id)));
    assert_eq!(t[0].deleted_by.as_deref(), Some(u.id.as_str()));
    assert_eq!(
        ok!(store.trashed(fa.id.as_str()).await).map(|t| (t.owner_id, t.deleted_at)),
        Some((u.id.clone(), NOW + 3))
    );
    assert_eq!(t[0].from_folder_name.as_deref(), Some("A (1)"));
    let twin = file_in(store, &u, &a.id, "A.DOCX").await;
    let r = ok!(store
        .restore_trashed(&u.id, fa.id.as_str(), NOW, None)
        .await);
    assert_eq!(
        r.map(|r| (r.folder_id, r.name, r.in_place)),
        Some((a.id.clone(), "a (1).docx".into(), true))
    );
    assert_eq!(ok!(store.delete_file(&twin.id, NOW + 4).await), Ok(()));
    ok!(ok!(store.trash_folder(&a.id, NOW + 5, None, None).await));
    // Both are entries: the file (deleted first) and the folder.
    let ids: Vec<String> = ok!(store.trash(&u.id).await)
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(ids, [a.id.clone(), twin.id.to_string()], "newest first");
    let r = ok!(store
        .restore_trashed(&u.id, twin.id.as_str(), NOW, None)
        .await);
    assert_eq!(
        r.map(|r| (r.folder_id, r.name, r.in_place)),
        Some((root.clone(), "A.DOCX".into(), false))
    );
    // The audit row is built from where the entry went and written with the restore.
    let audit = |r: &Restored| AuditEvent {
        id: "restore-audit".into(),
        at: NOW,
        action: "folder.restore".into(),
        actor_id: Some(u.id.clone()),
        actor_name: None,
        file_id: Some(r.id.clone()),
        file_name: Some(r.name.clone()),
        detail: None,
        ip: None,
        user_agent: None,
        via: "test".into(),
        via_id: None,
    };
    ok!(store.restore_trashed(&u.id, &a.id, NOW, Some(&audit)).await);
    let rows = ok!(store
        .audit_events(&AuditQuery {
            action: Some("folder.restore".into()),
            limit: 10,
            ..Default::default()
        })
        .await);
    assert!(
        rows.iter()
            .any(|e| e.id == "restore-audit" && e.file_name.as_deref() == Some("A (1)"))
    );
    let _ = again;
}

/// Purge: one entry, one owner's trash, or everything deleted before a time (the retention
/// sweep); versions go (their blobs are no longer referenced), ids are never reused.
async fn trash_purge_and_retention(store: &dyn MetadataStore) {
    let u = new_user(store, "purger").await;
    let w = new_user(store, "purger2").await;
    let root = u.root_folder_id.clone();
    let x = ok!(store.create_folder(&root, "X", NOW).await);
    let fx = file_in(store, &u, &x.id, "x-purge.txt").await;
    let old = file_in(store, &u, &root, "old-purge.txt").await;
    let fresh = file_in(store, &u, &root, "fresh-purge.txt").await;
    let other = file_in(store, &w, &w.root_folder_id, "other-purge.txt").await;
    ok!(ok!(store.trash_folder(&x.id, NOW, None, None).await));
    assert_eq!(ok!(store.delete_file(&old.id, NOW - 10_000).await), Ok(()));
    assert_eq!(
        ok!(store.delete_file(&fresh.id, NOW + 10_000).await),
        Ok(())
    );
    assert_eq!(
        ok!(store.delete_file(&other.id, NOW - 10_000).await),
        Ok(())
    );
    let keys = ok!(store.referenced_blob_keys().await);
    assert!(
        keys.contains("blob-x-purge.txt"),
        "trashed versions are kept"
    );

    // One entry, and only the owner's.
    let none = ok!(store
        .purge_trash(Some(&w.id), Some(&x.id), i64::MAX, NOW, None)
        .await);
    assert_eq!(none, Purged::default());
    let one = ok!(store
        .purge_trash(Some(&u.id), Some(&x.id), i64::MAX, NOW, None)
        .await);
    assert_eq!(
        one,
        Purged {
            entries: 1,
            files: 1
        }
    );
    assert!(!ok!(store.referenced_blob_keys().await).contains("blob-x-purge.txt"));
    assert_eq!(
        ok!(store.restore_trashed(&u.id, &x.id, NOW, None).await),
        None
    );
    assert_eq!(
        ok!(store
            .restore_trashed(&u.id, fx.id.as_str(), NOW, None)
            .await),
        None
    );
    // Its name is free, its id is not reused.
    let x2 = ok!(store.create_folder(&root, "X", NOW).await);
    assert_ne!(x2.id, x.id);

    // Retention: everyone's entries deleted before the cutoff.
    let swept = ok!(store.purge_trash(None, None, NOW, NOW, None).await);
    assert!(swept.entries >= 2, "{swept:?}");
    let left: Vec<String> = ok!(store.trash(&u.id).await)
        .iter()
        .map(|e| e.id().to_owned())
        .collect();
    assert_eq!(left, [fresh.id.to_string()]);
    assert!(ok!(store.trash(&w.id).await).is_empty());
    let keys = ok!(store.referenced_blob_keys().await);
    assert!(!keys.contains("blob-old-purge.txt") && !keys.contains("blob-other-purge.txt"));
    assert!(keys.contains("blob-fresh-purge.txt"));
    // Emptying one trash.
    let emptied = ok!(store
        .purge_trash(Some(&u.id), None, i64::MAX, NOW, None)
        .await);
    assert_eq!(
        emptied,
        Purged {
            entries: 1,
            files: 1
        }
    );
    assert!(ok!(store.trash(&u.id).await).is_empty());
}

/// Folder moves: never into itself or below, never a root, never into another owner's tree or
/// onto a taken name; everything below moves along.
async fn moving_folders(store: &dyn MetadataStore) {
    let u = new_user(store, "mover").await;
    let o = new_user(store, "mover2").await;
    let root = u.root_folder_id.clone();
    let m = ok!(store.create_folder(&root, "M", NOW).await);
    let n = ok!(store.create_folder(&m.id, "N", NOW).await);
    let deep = ok!(store.create_folder(&n.id, "Deep", NOW).await);
    let file = file_in(store, &u, &deep.id, "deep-move.txt").await;
    assert_eq!(
        ok!(store.move_folder(&m.id, &m.id, None).await),
        Err(FolderMoveRefusal::IntoItself)
    );
    assert_eq!(
        ok!(store.move_folder(&m.id, &deep.id, None).await),
        Err(FolderMoveRefusal::IntoItself)
    );
    assert_eq!(
        ok!(store.move_folder(&root, &m.id, None).await),
        Err(FolderMoveRefusal::Root)
    );
    assert_eq!(
        ok!(store.move_folder(&n.id, &o.root_folder_id, None).await),
        Err(FolderMoveRefusal::OtherOwner)
    );
    ok!(store.create_folder(&root, "n", NOW).await);
    assert_eq!(
        ok!(store.move_folder(&n.id, &root, None).await),
        Err(FolderMoveRefusal::NameTaken)
    );
    let moved = ok!(ok!(store.move_folder(&deep.id, &root, None).await));
    assert_eq!(moved.parent_id.as_deref(), Some(root.as_str()));
    assert_eq!(
        ok!(store.file(&file.id).await).map(|f| f.folder_id),
        Some(deep.id.clone())
    );
    // Then M under Deep is fine (Deep is no longer below M), and back again.
    ok!(ok!(store.move_folder(&m.id, &deep.id, None).await));
    assert_eq!(
        ok!(store.move_folder(&deep.id, &n.id, None).await),
        Err(FolderMoveRefusal::IntoItself),
        "N is below Deep now"
    );
    // Into its own parent: nothing changes.
    ok!(ok!(store.move_folder(&m.id, &deep.id, None).await));
    ok!(ok!(store.trash_folder(&deep.id, NOW, None, None).await));
    assert!(matches!(
        store.move_folder(&m.id, &root, None).await,
        Err(StoreError::NotFound)
    ));
    let t = ok!(store.create_folder(&root, "T", NOW).await);
    ok!(ok!(store.trash_folder(&t.id, NOW, None, None).await));
    let lone = ok!(store.create_folder(&root, "Lone", NOW).await);
    assert!(matches!(
        store.move_folder(&lone.id, &t.id, None).await,
        Err(StoreError::NotFound)
    ));
}

/// AddActivities: recorded with their event in one transaction, listed newest first.
async fn activities(store: &dyn MetadataStore) {
    let u = new_user(store, "commenter").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("act1", 1, &u.id)
            },
            &exact("talk.docx"),
            NOW,
        )
        .await);
    let activity = |id: &str, at: i64| ActivityRecord {
        file_id: f.id.clone(),
        user_id: u.id.clone(),
        user_name: String::new(),
        kind: "comment".into(),
        activity_id: id.into(),
        action: Some("created".into()),
        comment_text: Some(format!("text {id}")),
        mentioned: vec!["Bob".into(), "Eve".into()],
        created_at: at,
    };
    let urls = vec!["http://receiver".to_owned()];
    let build = |file: &FileRecord| OutboxEvent {
        id: format!("act-{}", file.id),
        event_type: "file.activity".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    let emit = Emit {
        urls: &urls,
        build: &build,
        audit: None,
    };
    ok!(store
        .record_activities_emitting(
            &f.id,
            &[activity("a1", NOW), activity("a2", NOW + 1)],
            Some(&emit)
        )
        .await);
    let listed = ok!(store.file_activities(&f.id, 10).await);
    assert_eq!(
        listed
            .iter()
            .map(|a| a.activity_id.as_str())
            .collect::<Vec<_>>(),
        vec!["a2", "a1"]
    );
    assert_eq!(listed[0].user_name, "commenter name");
    assert_eq!(
        listed[0].mentioned,
        vec!["Bob".to_owned(), "Eve".to_owned()]
    );
    assert_eq!(listed[0].comment_text.as_deref(), Some("text a2"));
    assert_eq!(ok!(store.file_activities(&f.id, 1).await).len(), 1);
    let events = ok!(store.deliveries(100).await);
    assert!(
        events.iter().any(|d| d.event.id == format!("act-{}", f.id)),
        "the event is in the outbox"
    );
    ok!(ok!(store.delete_file(&f.id, NOW).await));
    assert!(matches!(
        store
            .record_activities_emitting(&f.id, &[activity("a3", NOW)], None)
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Disabling a user ends its sign-in sessions, tokens and editing sessions (with their launch
/// codes) for good: re-enabling brings none of them back.
async fn disabling_is_final(store: &dyn MetadataStore) {
    let u = new_user(store, "ivy-disabled").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("ivy1", 1, &u.id)
            },
            &exact("ivy.docx"),
            NOW,
        )
        .await);
    ok!(store
        .create_session(b"ivy-session", &u.id, "c", NOW + 1000, NOW)
        .await);
    let t = TokenRecord {
        user_id: u.id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: true,
        expires_at: NOW + 1000,
        client: None,
        session_id: None,
        link_id: None,
    };
    ok!(store.insert_token(b"ivy-token", &t, NOW).await);
    let sess = WopiSessionRecord {
        id: "ivy-sess".into(),
        api_key_id: None,
        user_id: u.id.clone(),
        file_id: f.id.clone(),
        can_write: true,
        client: None,
        action: None,
        expires_at: NOW + 1000,
        created_at: NOW,
        revoked_at: None,
        close_url: None,
    };
    ok!(store.create_wopi_session(&sess, Some(b"ivy-launch")).await);
    ok!(store
        .insert_token(
            b"ivy-sess-token",
            &TokenRecord {
                session_id: Some("ivy-sess".into()),
                link_id: None,
                ..t.clone()
            },
            NOW
        )
        .await);
    ok!(store.disable_user(&u.id, NOW + 5).await);
    assert!(ok!(store.user_by_id(&u.id).await).is_some_and(|u| u.disabled));
    ok!(store.set_user_disabled(&u.id, false).await);
    assert_eq!(ok!(store.session(b"ivy-session", NOW).await), None);
    assert_eq!(ok!(store.token(b"ivy-token").await), None);
    assert_eq!(ok!(store.token(b"ivy-sess-token").await), None);
    assert_eq!(ok!(store.take_launch_code(b"ivy-launch", NOW).await), None);
    assert_eq!(
        ok!(store.wopi_session("ivy-sess").await).and_then(|s| s.revoked_at),
        Some(NOW + 5)
    );
    assert!(matches!(
        store.disable_user("no-such-user", NOW).await,
        Err(StoreError::NotFound)
    ));
}

/// Failed sign-ins are counted per (login, source) with the latest time; clearing forgets them.
async fn login_failures_per_source(store: &dyn MetadataStore) {
    ok!(store
        .record_login_failure_from("jo", "10.0.0.1", NOW - 10)
        .await);
    ok!(store.record_login_failure_from("jo", "10.0.0.1", NOW).await);
    ok!(store
        .record_login_failure_from("jo", "10.0.0.2", NOW - 3)
        .await);
    assert_eq!(
        ok!(store.login_failures_from("jo", "10.0.0.1", NOW - 100).await),
        (2, Some(NOW))
    );
    assert_eq!(
        ok!(store.login_failures_from("jo", "10.0.0.1", NOW - 5).await),
        (1, Some(NOW))
    );
    assert_eq!(
        ok!(store.login_failures_from("jo", "10.0.0.9", 0).await),
        (0, None)
    );
    assert_eq!(ok!(store.login_failures_since("jo", NOW - 100).await), 3);
    assert_eq!(
        ok!(store.clear_login_failures("jo", Some("10.0.0.1")).await),
        2
    );
    assert_eq!(
        ok!(store.login_failures_from("jo", "10.0.0.2", 0).await),
        (1, Some(NOW - 3))
    );
    assert_eq!(ok!(store.clear_login_failures("jo", None).await), 1);
    assert_eq!(ok!(store.login_failures_since("jo", 0).await), 0);
}

async fn users_and_folders(store: &dyn MetadataStore) {
    let u = new_user(store, "alice").await;
    assert_eq!(u.login, "alice");
    assert!(ok!(store.any_user().await));
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
    let (subfolders, files) = ok!(store.list_folder(&u.root_folder_id).await);
    assert_eq!(
        subfolders
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Docs"]
    );
    assert!(files.is_empty());
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
    let (_, listed) = ok!(store.list_folder(&u.root_folder_id).await);
    let names: Vec<&str> = listed.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["Report.docx", "Report.docx.1"]);
    let found = ok!(store.file_by_name(&u.root_folder_id, "REPORT.docx").await);
    assert_eq!(found.map(|f| f.id), Some(f.id.clone()));

    // Roles.
    assert_eq!(ok!(store.role(&f.id, &u.id).await), Some(Role::Owner));
    assert_eq!(ok!(store.role(&f.id, &other.id).await), None);
    ok!(store.share_file(&f.id, &other.id, Role::Viewer, None).await);
    assert_eq!(ok!(store.role(&f.id, &other.id).await), Some(Role::Viewer));
    ok!(store.share_file(&f.id, &other.id, Role::Editor, None).await);
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
    let refs = ok!(store.blob_references().await);
    let k4 = refs
        .iter()
        .filter(|r| r.blob_key == "k4")
        .collect::<Vec<_>>();
    assert_eq!(
        k4,
        vec![&BlobReference {
            blob_key: "k4".into(),
            size: 3,
            sha256: Some(vec![3; 32]),
        }],
        "a version's blob is listed once with its size and hash"
    );

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

fn coauth_get(id: &str, kind: CoauthLockType, timeout_ms: i64) -> CoauthRequest {
    CoauthRequest::Get {
        id: id.to_owned(),
        kind,
        metadata: Some(format!("meta {id}")),
        timeout_ms,
        user_name: "Coauthor".to_owned(),
    }
}

/// CSPP Plus: coauth rows are stored, versioned, expire, and exclude WOPI locks and classic
/// writes; user-visible WOPI locks keep their holder's name; the sequence number moves with the
/// content.
async fn coauth_locks(store: &dyn MetadataStore) {
    use CoauthLockType::*;
    let f = locked_file(store, "colin", 5).await;
    assert!(
        !ok!(store.file_is_shared(&f.id).await),
        "a new file is private"
    );
    let reader = new_user(store, "colin-reader").await;
    ok!(store
        .share_folder(&f.folder_id, &reader.id, Role::Viewer, None)
        .await);
    assert!(
        ok!(store.file_is_shared(&f.id).await),
        "a share on its folder shares it"
    );
    assert_eq!(f.sequence, 1, "a new file starts at sequence number 1");
    let empty = ok!(store.coauth_table(&f.id, NOW).await);
    assert!(empty.rows.is_empty());

    let t1 = ok!(ok!(store
        .apply_coauth(&f.id, &coauth_get("A", Coauth, 60_000), NOW)
        .await));
    assert_eq!(t1.rows.len(), 1);
    assert_eq!(t1.rows[0].metadata, "meta A");
    assert_eq!(t1.rows[0].acquired_at, NOW);
    assert_ne!(
        t1.version(),
        empty.version(),
        "a new row changes the version"
    );
    let t2 = ok!(ok!(store
        .apply_coauth(&f.id, &coauth_get("B", CoauthExclusive, 60_000), NOW + 1)
        .await));
    assert_eq!(t2.rows.len(), 2);
    let read = ok!(store.coauth_table(&f.id, NOW + 2).await);
    assert_eq!(read, t2, "the table reads back as written");
    let taken = ok!(store
        .apply_coauth(&f.id, &coauth_get("C", CoauthExclusive, 60_000), NOW + 2)
        .await);
    assert!(
        matches!(taken, Err(WopiError::LockConflict(_))),
        "{taken:?}"
    );
    // A refresh without new metadata moves the expiry, not the version.
    let refresh = CoauthRequest::Refresh {
        id: "A".to_owned(),
        metadata: None,
        timeout_ms: 120_000,
    };
    let t3 = ok!(ok!(store.apply_coauth(&f.id, &refresh, NOW + 3).await));
    assert_eq!(t3.version(), t2.version());
    let a = t3.rows.iter().find(|r| r.id == "A").map(|r| r.expires_at);
    assert_eq!(a, Some(NOW + 3 + 120_000));

    // Classic operations are refused while coauth rows hold, without reporting a WOPI lock.
    let is_coauth_conflict = |r: &Outcome<_>| matches!(r, Err(WopiError::LockConflict(c)) if c.lock == folio_wopi::error::ReportedLock::Omit);
    let l = ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("W")), NOW + 4)
        .await);
    assert!(
        is_coauth_conflict(&l.map(|_| ())),
        "Lock under coauth locks"
    );
    let put = ok!(store
        .commit_version(&f.id, WriteCheck::Unlocked, content("co1", 3, "x"), NOW + 4)
        .await);
    assert!(
        is_coauth_conflict(&put.map(|_| ())),
        "a classic write under coauth locks"
    );
    let del = ok!(store.delete_file(&f.id, NOW + 4).await);
    assert!(is_coauth_conflict(&del), "DeleteFile under coauth locks");
    let ren = ok!(store
        .rename_file_emitting(&f.id, None, None, &exact("co.docx"), NOW + 4, None)
        .await);
    assert!(
        is_coauth_conflict(&ren.map(|_| ())),
        "RenameFile without a coauth id"
    );
    let ren = ok!(store
        .rename_file_emitting(&f.id, None, Some("A"), &exact("co.docx"), NOW + 4, None)
        .await);
    assert_eq!(
        ok!(ren).name,
        "co.docx",
        "RenameFile with a coauth id in the table"
    );

    // Unlock removes a row; an unknown id is a conflict.
    let t4 = ok!(ok!(store
        .apply_coauth(
            &f.id,
            &CoauthRequest::Unlock { id: "B".to_owned() },
            NOW + 5
        )
        .await));
    assert_eq!(t4.rows.len(), 1);
    assert_ne!(t4.version(), t3.version());
    let gone = ok!(store
        .apply_coauth(
            &f.id,
            &CoauthRequest::Unlock { id: "B".to_owned() },
            NOW + 5
        )
        .await);
    assert!(matches!(gone, Err(WopiError::LockConflict(_))), "{gone:?}");
    // Expiry: A lives until NOW + 3 + 120 s; at that instant it is gone everywhere.
    let expired_at = NOW + 3 + 120_000;
    let still = ok!(store.coauth_table(&f.id, expired_at - 1).await);
    assert_eq!(still.rows.len(), 1);
    let after = ok!(store.coauth_table(&f.id, expired_at).await);
    assert!(after.rows.is_empty(), "an expired row is not listed");
    assert_ne!(
        after.version(),
        still.version(),
        "expiry changes the live set's version"
    );
    let refresh_late = ok!(store.apply_coauth(&f.id, &refresh, expired_at).await);
    assert!(matches!(refresh_late, Err(WopiError::LockConflict(_))));

    // A classic write works again and moves the sequence number.
    let put = ok!(ok!(store
        .commit_version(
            &f.id,
            WriteCheck::Unlocked,
            content("co2", 3, "x"),
            expired_at
        )
        .await));
    assert_eq!(put.sequence, 2);
    assert_eq!(ok!(store.file(&f.id).await).map(|f| f.sequence), Some(2));

    // A user-visible WOPI lock: its holder is named by the conflicts it causes, and coauth
    // locks are refused while it holds.
    let visible = folio_wopi::lock::LockOptions {
        ttl_ms: 60_000,
        visible_user: Some("Visible Vera".to_owned()),
        holder: None,
    };
    let (state, file) = ok!(ok!(store
        .apply_lock_emitting(
            &f.id,
            &LockRequest::Lock(lock("V")),
            &visible,
            expired_at,
            None
        )
        .await));
    assert_eq!(
        state.map(|s| s.expires_at),
        Some(expired_at + 60_000),
        "a custom lifetime"
    );
    assert_eq!(file.lock_user.as_deref(), Some("Visible Vera"));
    let refused = ok!(store
        .apply_coauth(&f.id, &coauth_get("A", Coauth, 60_000), expired_at + 1)
        .await);
    assert!(
        matches!(&refused, Err(WopiError::LockConflict(c)) if c.lock_user.as_deref() == Some("Visible Vera")),
        "{refused:?}"
    );
    let other = ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("Z")), expired_at + 1)
        .await);
    assert!(
        matches!(&other, Err(WopiError::LockConflict(c)) if c.lock_user.as_deref() == Some("Visible Vera")),
        "{other:?}"
    );
    // Relocked without visibility: the name is gone.
    let (_, file) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::RefreshLock(lock("V")), expired_at + 2)
        .await));
    assert_eq!(file.lock_user, None);
}

fn sig(scheme: &str, chunks: &[(&str, u64)]) -> StreamSignature {
    StreamSignature {
        scheme: scheme.to_owned(),
        chunks: chunks.iter().map(|(i, l)| ((*i).to_owned(), *l)).collect(),
    }
}

/// CSPP Plus streams: PutChunkedFile's commit (lock rule, sequence number, version, streams,
/// properties in one step), the signature cache, and what a classic write clears.
async fn chunked_streams(store: &dyn MetadataStore) {
    let f = locked_file(store, "chunky", 0).await;
    let state = ok!(store.chunked_state(&f.id, 1, NOW).await);
    assert_eq!(
        state,
        ChunkedState::default(),
        "nothing is known of a new file"
    );
    let main_sig = sig("FullFile", &[("OpSWhpt12BRkuGX4z7bQPg==", 19)]);
    ok!(store.set_signature(&f.id, 1, &main_sig).await);
    assert_eq!(
        ok!(store.chunked_state(&f.id, 1, NOW).await).main_signature,
        Some(main_sig.clone())
    );
    let check = |sequence: i64| ChunkedCheck {
        wopi_lock: None,
        coauth_id: None,
        sequence,
    };
    let alt = StreamRecord {
        stream_id: "Alternate".to_owned(),
        blob_key: "alt-blob".to_owned(),
        size: 23,
        signature: sig("FullFile", &[("sUIRbBoCFUe5wEQDA+mgxQ==", 23)]),
        updated_at: NOW,
    };
    let seg_key = "seg-0123456789abcdefghijABCDEFGHIJ01";
    let segments = vec![
        BlobSegment {
            blob_key: "segsrc-b".to_owned(),
            start: 5,
            length: 10,
        },
        BlobSegment {
            blob_key: "segsrc-a".to_owned(),
            start: 0,
            length: 9,
        },
    ];
    let commit = ChunkedCommit {
        main: Some((content(seg_key, 19, "x"), main_sig.clone())),
        segments: segments.clone(),
        streams: vec![("Alternate".to_owned(), Some(alt.clone()))],
        properties: vec![
            ContentProperty {
                name: "keep".to_owned(),
                retention: "KeepOnContentChange".to_owned(),
                value: "v1".to_owned(),
                updated_at: NOW,
            },
            ContentProperty {
                name: "drop".to_owned(),
                retention: "DeleteOnContentChange".to_owned(),
                value: "v2".to_owned(),
                updated_at: NOW,
            },
        ],
        ..ChunkedCommit::default()
    };
    // A stale sequence number is refused with the current one; nothing changes.
    let stale = ok!(store
        .commit_chunked(&f.id, &check(7), commit.clone(), NOW, None)
        .await);
    assert_eq!(stale, Err(WopiError::SequenceMismatch { current: 1 }));
    assert!(
        ok!(store.content_segments(seg_key).await).is_empty(),
        "a refused commit writes no segments"
    );
    // An empty unlocked file accepts it.
    let file = ok!(ok!(store
        .commit_chunked(&f.id, &check(1), commit, NOW, None)
        .await));
    assert_eq!((file.version, file.sequence), (2, 2));
    let state = ok!(store.chunked_state(&f.id, 2, NOW).await);
    assert_eq!(state.main_signature, Some(main_sig.clone()));
    assert_eq!(state.streams, vec![alt.clone()]);
    assert_eq!(state.properties.len(), 2);
    let keys = ok!(store.referenced_blob_keys().await);
    assert!(
        keys.contains("alt-blob"),
        "the sweep keeps alternate streams' blobs"
    );
    // The new MainContent is segmented: its segments come back in order, and the sweep keeps
    // the blobs they name.
    assert_eq!(file.content.blob_key, seg_key);
    assert_eq!(ok!(store.content_segments(seg_key).await), segments);
    assert!(ok!(store.content_segments("seg-unknown").await).is_empty());
    assert!(
        keys.contains("segsrc-a") && keys.contains("segsrc-b"),
        "the sweep keeps the blobs a segmented content reads"
    );
    let refs = ok!(store.blob_references().await);
    let alt_ref = refs.iter().find(|r| r.blob_key == "alt-blob");
    assert!(
        alt_ref.is_some_and(|r| r.sha256.is_none()),
        "a stream's blob is listed, without a hash: {alt_ref:?}"
    );
    // A backup copies the blobs under a segmented content, not the content key; a blob only
    // segments read is as long as the end of its last range.
    assert!(!refs.iter().any(|r| r.blob_key == seg_key), "{refs:?}");
    for (key, size) in [("segsrc-a", 9), ("segsrc-b", 15)] {
        let r = refs.iter().find(|r| r.blob_key == key);
        assert!(r.is_some_and(|r| r.size == size), "{key}: {r:?}");
    }
    // Now the file is not empty: without a lock, 409 (the lock rule runs before the number).
    let only_alt = ChunkedCommit {
        main: None,
        streams: vec![("Alternate".to_owned(), None)],
        properties: vec![],
        author_id: "alt-author".to_owned(),
        source: "test".to_owned(),
        ..ChunkedCommit::default()
    };
    let refused = ok!(store
        .commit_chunked(&f.id, &check(1), only_alt.clone(), NOW, None)
        .await);
    assert!(
        matches!(refused, Err(WopiError::LockConflict(_))),
        "{refused:?}"
    );
    ok!(ok!(store
        .apply_coauth(&f.id, &coauth_get("X", CoauthLockType::Coauth, 60_000), NOW)
        .await));
    let with_id = ChunkedCheck {
        coauth_id: Some("X".to_owned()),
        ..check(2)
    };
    let file = ok!(ok!(store
        .commit_chunked(&f.id, &with_id, only_alt, NOW, None)
        .await));
    assert_eq!(
        (file.version, file.sequence),
        (3, 3),
        "every PutChunkedFile is a new version, also without a new MainContent"
    );
    assert_eq!(file.content.blob_key, seg_key, "the same bytes");
    assert_eq!(file.content.author_id, "alt-author");
    let state = ok!(store.chunked_state(&f.id, 3, NOW).await);
    assert_eq!(
        state.main_signature,
        Some(main_sig.clone()),
        "and the same signature"
    );
    assert!(state.streams.is_empty());
    // Streams and properties expire 30 days after their last update.
    let later = NOW + STREAM_TTL_MS;
    assert!(
        ok!(store.chunked_state(&f.id, 3, later).await)
            .properties
            .is_empty()
    );
    // A classic write clears the streams and the DeleteOnContentChange properties.
    ok!(ok!(store
        .apply_coauth(&f.id, &CoauthRequest::Unlock { id: "X".to_owned() }, NOW)
        .await));
    let alt_again = ChunkedCommit {
        main: None,
        streams: vec![("Alternate".to_owned(), Some(alt))],
        properties: vec![],
        ..ChunkedCommit::default()
    };
    let (_, _) = ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("W")), NOW)
        .await));
    let with_lock = ChunkedCheck {
        wopi_lock: Some("W".to_owned()),
        ..check(3)
    };
    ok!(ok!(store
        .commit_chunked(&f.id, &with_lock, alt_again, NOW, None)
        .await));
    let put = WriteCheck::PutFile {
        lock: Some(lock("W")),
        expected_version: None,
    };
    let file = ok!(ok!(store
        .commit_version(&f.id, put, content("classic", 5, "x"), NOW)
        .await));
    assert_eq!(file.sequence, 5);
    let state = ok!(store.chunked_state(&f.id, file.version, NOW).await);
    assert_eq!(
        state.main_signature, None,
        "a classic version has no signature yet"
    );
    assert!(
        state.streams.is_empty(),
        "PutFile clears the alternate streams"
    );
    let names: Vec<&str> = state.properties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["keep"],
        "only KeepOnContentChange properties survive"
    );
}

async fn put_rules(store: &dyn MetadataStore) {
    let empty = locked_file(store, "erin", 0).await;
    let put = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile {
                lock: None,
                expected_version: None
            },
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
            WriteCheck::PutFile {
                lock: None,
                expected_version: None
            },
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
            WriteCheck::PutFile {
                lock: Some(lock("W")),
                expected_version: None
            },
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
    let stale = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile {
                lock: Some(lock("L")),
                expected_version: Some(1)
            },
            content("p6", 4, "x"),
            NOW
        )
        .await);
    assert_eq!(
        stale.map(|f| f.version),
        Err(WopiError::ContentChanged),
        "stale base version"
    );
    let right = ok!(store
        .commit_version(
            &empty.id,
            WriteCheck::PutFile {
                lock: Some(lock("L")),
                expected_version: Some(2)
            },
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
        scope: TokenScope::File(FileId::from_trusted("fileX".into())),
        can_write: true,
        expires_at: NOW + 1000,
        client: Some("dev".into()),
        session_id: None,
        link_id: None,
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
    // Many at once (EnumerateChildren): every one stored, each with its own scope; more than
    // one statement's worth.
    let live = TokenRecord {
        expires_at: NOW + 1000,
        ..t2.clone()
    };
    let many: Vec<(Vec<u8>, TokenRecord)> = (0..700)
        .map(|i| {
            let rec = TokenRecord {
                scope: TokenScope::File(FileId::from_trusted(format!("many{i}"))),
                ..live.clone()
            };
            (format!("many-{i}").into_bytes(), rec)
        })
        .collect();
    ok!(store.insert_tokens(&many, NOW).await);
    for i in [0, 299, 300, 699] {
        let got = ok!(store.token(format!("many-{i}").as_bytes()).await);
        assert_eq!(
            got.map(|(t, _)| t),
            Some(many[i].1.clone()),
            "token {i} of a batch"
        );
    }
    // A batch with a duplicate hash stores none of its tokens.
    let dup = vec![
        (b"batch-new".to_vec(), live.clone()),
        (b"many-5".to_vec(), live.clone()),
    ];
    assert!(store.insert_tokens(&dup, NOW).await.is_err());
    assert_eq!(
        ok!(store.token(b"batch-new").await),
        None,
        "a failed batch stores nothing"
    );
    assert_eq!(ok!(store.token(b"hash-3").await), None);
    // Container and ecosystem tokens keep their scope (and never read as a file token).
    for (hash, scope) in [
        (
            &b"hash-c"[..],
            TokenScope::Container(u.root_folder_id.clone()),
        ),
        (&b"hash-e"[..], TokenScope::Ecosystem),
    ] {
        let scoped = TokenRecord {
            scope: scope.clone(),
            ..t2.clone()
        };
        let scoped = TokenRecord {
            expires_at: NOW + 1000,
            ..scoped
        };
        ok!(store.insert_token(hash, &scoped, NOW).await);
        let got = ok!(store.token(hash).await).map(|(t, _)| t);
        assert_eq!(got.as_ref().map(|t| &t.scope), Some(&scope));
        assert_eq!(got.and_then(|t| t.scope.file_id().cloned()), None);
    }
    assert!(
        ok!(store.editing_sessions(NOW, 0).await)
            .iter()
            .all(|s| s.token.scope.file_id().is_some()),
        "editing sessions list file tokens only"
    );

    // Sessions: live until expiry, gone after delete.
    ok!(store
        .create_session(b"sess-1", &u.id, "csrf-1", NOW + 1000, NOW)
        .await);
    let sess = ok!(store.session(b"sess-1", NOW).await);
    assert_eq!(
        sess.as_ref().map(|s| s.user.id.as_str()),
        Some(u.id.as_str())
    );
    assert_eq!(sess.as_ref().map(|s| s.csrf.as_str()), Some("csrf-1"));
    assert_eq!(
        ok!(store.session(b"sess-1", NOW + 1000).await),
        None,
        "expired session"
    );
    ok!(store.delete_session(b"sess-1").await);
    assert_eq!(ok!(store.session(b"sess-1", NOW).await), None);
    // Sign-in failures are counted per login and window.
    ok!(store.record_login_failure("frank", NOW - 10).await);
    ok!(store.record_login_failure("frank", NOW).await);
    assert_eq!(ok!(store.login_failures_since("frank", NOW - 5).await), 1);
    assert_eq!(ok!(store.login_failures_since("frank", NOW - 100).await), 2);
    assert_eq!(ok!(store.login_failures_since("nobody", 0).await), 0);

    let s1 = ok!(store.secret("test-secret", b"first").await);
    let s2 = ok!(store.secret("test-secret", b"second").await);
    assert_eq!(s1, b"first".to_vec());
    assert_eq!(s2, s1, "the first stored secret wins");
}

/// `token_with_file` reads what `token` and `file` read, in one statement; a deleted file is
/// `None` beside a still-valid token, an unknown hash is `None`; `folder_is_users` says
/// whether the file's folder is the token user's own (as `folder_role` would say Owner).
async fn token_with_file(store: &dyn MetadataStore) {
    let f = locked_file(store, "tess", 7).await;
    let t = TokenRecord {
        user_id: f.owner_id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: false,
        expires_at: NOW + 1000,
        client: Some("dev".into()),
        session_id: None,
        link_id: None,
    };
    ok!(store.insert_token(b"twf", &t, NOW).await);
    let got = ok!(store.token_with_file(b"twf").await);
    assert_eq!(
        got.as_ref().map(|g| (g.token.clone(), g.user.clone())),
        ok!(store.token(b"twf").await),
        "the same token and user as token()"
    );
    assert_eq!(
        got.as_ref().map(|g| g.folder_is_users),
        Some(true),
        "the owner's file is in the owner's folder"
    );
    let file = got.and_then(|g| g.file);
    assert!(file.is_some(), "the live file is read with the token");
    assert_eq!(
        file,
        ok!(store.file(&f.id).await),
        "the file as file() reads it"
    );
    assert_eq!(ok!(store.token_with_file(b"no-such-hash").await), None);
    let c = TokenRecord {
        scope: TokenScope::Container(
            ok!(store.file(&f.id).await).map_or(String::new(), |f| f.folder_id),
        ),
        ..t.clone()
    };
    ok!(store.insert_token(b"twf-container", &c, NOW).await);
    let got = ok!(store.token_with_file(b"twf-container").await);
    assert!(
        matches!(&got, Some(g) if g.token == c && g.file.is_none() && !g.folder_is_users),
        "a container token reads back with its scope and no file: {got:?}"
    );
    // Another user's token for the same file: not their folder.
    let other = new_user(store, "twf-other").await;
    let o = TokenRecord {
        user_id: other.id.clone(),
        ..t.clone()
    };
    ok!(store.insert_token(b"twf-other", &o, NOW).await);
    let got = ok!(store.token_with_file(b"twf-other").await);
    assert!(
        matches!(&got, Some(g) if g.file.is_some() && !g.folder_is_users),
        "another user's token reads the file, not as their folder: {got:?}"
    );

    assert!(ok!(store.delete_file(&f.id, NOW).await).is_ok(), "deleted");
    assert_eq!(ok!(store.file(&f.id).await), None, "deleted");
    let got = ok!(store.token_with_file(b"twf").await);
    assert!(
        matches!(&got, Some(g) if g.token == t && g.file.is_none() && !g.folder_is_users),
        "a deleted file reads as None beside its token: {got:?}"
    );
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

async fn folders_sharing_and_admin(store: &dyn MetadataStore) {
    let owner = new_user(store, "gina").await;
    let guest = new_user(store, "hank").await;
    let docs = ok!(store
        .create_folder(&owner.root_folder_id, "Docs", NOW)
        .await);
    assert_eq!(docs.owner_id, owner.id);
    let dup = store
        .create_folder(&owner.root_folder_id, "docs", NOW)
        .await;
    assert!(matches!(dup, Err(StoreError::AlreadyExists)), "{dup:?}");
    let inner = ok!(store.create_folder(&docs.id, "Inner", NOW).await);
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: inner.id.clone(),
                owner_id: owner.id.clone(),
                content: content("s1", 1, &owner.id)
            },
            &exact("deep.docx"),
            NOW,
        )
        .await);
    assert_eq!(f.folder_name.as_deref(), Some("Inner"));
    // No access until shared; a folder share reaches everything below it.
    assert_eq!(ok!(store.role(&f.id, &guest.id).await), None);
    assert_eq!(ok!(store.folder_role(&inner.id, &guest.id).await), None);
    assert_eq!(
        ok!(store.folder_role(&inner.id, &owner.id).await),
        Some(Role::Owner)
    );
    ok!(store
        .share_folder(&docs.id, &guest.id, Role::Viewer, None)
        .await);
    assert_eq!(ok!(store.role(&f.id, &guest.id).await), Some(Role::Viewer));
    assert_eq!(
        ok!(store.folder_role(&inner.id, &guest.id).await),
        Some(Role::Viewer)
    );
    // The stronger of a file share and a folder share wins.
    ok!(store.share_file(&f.id, &guest.id, Role::Editor, None).await);
    assert_eq!(ok!(store.role(&f.id, &guest.id).await), Some(Role::Editor));
    let (sf, sfiles) = ok!(store.shared_with(&guest.id).await);
    assert_eq!(
        sf.iter()
            .map(|(d, r)| (d.name.as_str(), *r))
            .collect::<Vec<_>>(),
        vec![("Docs", Role::Viewer)]
    );
    assert_eq!(
        sfiles
            .iter()
            .map(|(x, r)| (x.id.clone(), *r))
            .collect::<Vec<_>>(),
        vec![(f.id.clone(), Role::Editor)]
    );

    // Move keeps the id; a taken name refuses.
    let moved = ok!(ok!(store
        .move_file(&f.id, &owner.root_folder_id, NOW, None)
        .await));
    assert_eq!(moved.id, f.id);
    assert_eq!(moved.folder_id, owner.root_folder_id);
    assert_eq!(moved.folder_name, None, "the root has no folder name");
    let twin = ok!(store
        .create_file(
            NewFile {
                folder_id: inner.id.clone(),
                owner_id: owner.id.clone(),
                content: content("s2", 1, &owner.id)
            },
            &exact("deep.docx"),
            NOW,
        )
        .await);
    let clash = ok!(store
        .move_file(&twin.id, &owner.root_folder_id, NOW, None)
        .await);
    assert!(
        matches!(clash, Err(WopiError::NameExists { .. })),
        "{clash:?}"
    );
    // Folders delete only when empty; roots never.
    assert!(!ok!(store.delete_folder(&inner.id, NOW).await), "not empty");
    assert!(
        !ok!(store.delete_folder(&owner.root_folder_id, NOW).await),
        "root"
    );
    assert_eq!(ok!(store.delete_file(&twin.id, NOW).await), Ok(()));
    assert!(ok!(store.delete_folder(&inner.id, NOW).await));
    assert_eq!(ok!(store.folder(&inner.id).await), None);

    // Locks: listing and forced release.
    ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("stuck")), NOW)
        .await));
    let locked = ok!(store.locked_files(NOW).await);
    assert!(locked.iter().any(|x| x.id == f.id));
    assert!(
        ok!(store.locked_files(NOW + LOCK_TTL_MS).await)
            .iter()
            .all(|x| x.id != f.id),
        "expired locks are not listed"
    );
    let live = ok!(store.expire_locks(NOW).await);
    assert!(
        live.iter().all(|x| x.id != f.id),
        "a live lock does not expire"
    );
    let expired = ok!(store.expire_locks(NOW + LOCK_TTL_MS).await);
    let mine: Vec<_> = expired.iter().filter(|x| x.id == f.id).collect();
    assert_eq!(mine.len(), 1, "the expired lock is reported");
    assert_eq!(
        mine[0].lock.as_ref().map(|l| l.id.clone()),
        Some(lock("stuck"))
    );
    assert!(
        ok!(store.expire_locks(NOW + LOCK_TTL_MS).await).is_empty(),
        "reported once"
    );
    assert_eq!(ok!(store.file(&f.id).await).and_then(|x| x.lock), None);
    ok!(ok!(store
        .apply_lock(&f.id, &LockRequest::Lock(lock("stuck")), NOW)
        .await));
    assert!(ok!(store.force_unlock(&f.id, NOW, None).await).is_some());
    assert!(ok!(store.force_unlock(&f.id, NOW, None).await).is_none());
    assert_eq!(ok!(store.file(&f.id).await).and_then(|x| x.lock), None);

    // Editing sessions are tokens minted for an editor.
    let t = TokenRecord {
        user_id: guest.id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: true,
        expires_at: NOW + 1000,
        client: Some("dev".into()),
        session_id: None,
        link_id: None,
    };
    ok!(store.insert_token(b"edit-session", &t, NOW).await);
    // Live means used: a token never used by a WOPI request is not listed.
    assert!(
        !ok!(store.editing_sessions(NOW, 0).await)
            .iter()
            .any(|e| e.token == t)
    );
    ok!(store.touch_token(b"edit-session", NOW, 60_000).await);
    // A second use within the interval writes nothing; one after it moves the time on.
    ok!(store.touch_token(b"edit-session", NOW + 10, 60_000).await);
    let sessions = ok!(store.editing_sessions(NOW, NOW - 1).await);
    let listed = sessions.iter().find(|e| e.token == t);
    assert_eq!(
        listed.map(|e| (
            e.user_name.as_str(),
            e.file_name.as_str(),
            e.created_at,
            e.last_used_at
        )),
        Some((guest.name.as_str(), "deep.docx", NOW, Some(NOW)))
    );
    ok!(store
        .touch_token(b"edit-session", NOW + 60_000, 60_000)
        .await);
    let sessions = ok!(store.editing_sessions(NOW, NOW + 1).await);
    assert_eq!(
        sessions
            .iter()
            .find(|e| e.token == t)
            .and_then(|e| e.last_used_at),
        Some(NOW + 60_000)
    );
    // Not active since the window started: not live.
    assert!(
        !ok!(store.editing_sessions(NOW, NOW + 60_001).await)
            .iter()
            .any(|e| e.token == t)
    );

    // Users: listing, disabling (ends sessions, refuses tokens), password reset.
    let users = ok!(store.list_users().await);
    assert!(users.iter().any(|u| u.login == "gina") && users.iter().any(|u| u.login == "hank"));
    ok!(store
        .create_session(b"hank-session", &guest.id, "c", NOW + 1000, NOW)
        .await);
    ok!(store.set_user_disabled(&guest.id, true).await);
    assert_eq!(ok!(store.session(b"hank-session", NOW).await), None);
    assert_eq!(
        ok!(store.token(b"edit-session").await),
        None,
        "a disabled user's tokens stop working"
    );
    assert_eq!(
        ok!(store.user_by_id(&guest.id).await).map(|u| u.disabled),
        Some(true)
    );
    ok!(store.set_user_disabled(&guest.id, false).await);
    assert_eq!(
        ok!(store.token(b"edit-session").await),
        None,
        "re-enabling a user revives none of the tokens issued before the disable"
    );
    ok!(store.set_password(&guest.id, "$argon2id$new").await);
    assert_eq!(
        ok!(store.user_by_id(&guest.id).await)
            .and_then(|u| u.password_hash)
            .as_deref(),
        Some("$argon2id$new")
    );
}

async fn outbox_in_the_same_transaction(store: &dyn MetadataStore) {
    let u = new_user(store, "emitter").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: u.root_folder_id.clone(),
                owner_id: u.id.clone(),
                content: content("em1", 3, &u.id)
            },
            &exact("emit.docx"),
            NOW,
        )
        .await);
    let urls = vec!["http://receiver".to_owned()];
    let n = std::sync::atomic::AtomicUsize::new(0);
    let build = |file: &FileRecord| OutboxEvent {
        id: format!(
            "ev-{}-{}-{}-{}",
            file.id,
            file.version,
            file.name,
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ),
        event_type: "test".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    let emit = Emit {
        urls: &urls,
        build: &build,
        audit: None,
    };
    // A refused change appends nothing.
    let refused = ok!(store
        .commit_version_emitting(
            &f.id,
            WriteCheck::PutFile {
                lock: Some(lock("nope")),
                expected_version: None
            },
            content("em2", 3, &u.id),
            NOW,
            Some(&emit),
        )
        .await);
    assert!(refused.is_err());
    // Each successful change appends its event, built from the changed file.
    let saved = ok!(ok!(store
        .commit_version_emitting(
            &f.id,
            WriteCheck::Unlocked,
            content("em3", 3, &u.id),
            NOW,
            Some(&emit)
        )
        .await));
    ok!(ok!(store
        .rename_file_emitting(&f.id, None, None, &exact("moved.docx"), NOW, Some(&emit))
        .await));
    ok!(ok!(store
        .apply_lock_emitting(
            &f.id,
            &LockRequest::Lock(lock("e")),
            &Default::default(),
            NOW,
            Some(&emit)
        )
        .await));
    let expired = ok!(store
        .expire_locks_emitting(NOW + LOCK_TTL_MS, Some(&emit))
        .await);
    assert!(expired.iter().any(|x| x.id == f.id));
    ok!(ok!(store
        .delete_file_emitting(&f.id, NOW, None, Some(&emit))
        .await));
    let claimed = ok!(store
        .claim_deliveries(NOW + 10 * LOCK_TTL_MS, 1000, 1)
        .await);
    let ids: Vec<String> = claimed
        .iter()
        .map(|d| d.event.id.clone())
        .filter(|i| i.starts_with(&format!("ev-{}", f.id)))
        .collect();
    let want = vec![
        format!("ev-{}-{}-emit.docx-0", f.id, saved.version),
        format!("ev-{}-{}-moved.docx-1", f.id, saved.version),
    ];
    for w in &want {
        assert_eq!(ids.iter().filter(|i| *i == w).count(), 1, "{w} in {ids:?}");
    }
    assert_eq!(
        n.load(std::sync::atomic::Ordering::SeqCst),
        5,
        "the refused change built no event"
    );
    assert_eq!(
        ids.len(),
        5,
        "save, rename, lock, expiry and delete each appended one event: {ids:?}"
    );
}

async fn integration_api(store: &dyn MetadataStore) {
    let app = new_user(store, "app-owner").await;
    // API keys: stored by hash, listed, revoked.
    let key = ApiKeyRecord {
        id: "key1".into(),
        name: "crm".into(),
        scopes: vec!["files".into(), "sessions".into()],
        app_user_id: app.id.clone(),
        created_at: NOW,
        revoked_at: None,
    };
    ok!(store.create_api_key(&key, b"key-hash").await);
    assert_eq!(ok!(store.api_key(b"key-hash").await), Some(key.clone()));
    assert_eq!(ok!(store.api_key(b"other").await), None);
    assert_eq!(ok!(store.list_api_keys().await).len(), 1);
    // External users: created once, updated after.
    let ext = ExternalUser {
        external_id: "crm-42".into(),
        name: "Zed".into(),
        email: "z@x".into(),
        language: "de-DE".into(),
    };
    let u1 = ok!(store.upsert_external_user(&ext, NOW).await);
    let u2 = ok!(store
        .upsert_external_user(
            &ExternalUser {
                name: "Zed Z".into(),
                ..ext.clone()
            },
            NOW
        )
        .await);
    assert_eq!(u1.id, u2.id, "one Folio user per external id");
    assert_eq!(u2.name, "Zed Z");
    assert!(
        ok!(store.folder(&u1.root_folder_id).await).is_some(),
        "external users get a root folder"
    );
    // Sessions group tokens; revoking the session revokes its tokens at once.
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: app.root_folder_id.clone(),
                owner_id: app.id.clone(),
                content: content("i1", 1, &app.id)
            },
            &exact("contract.docx"),
            NOW,
        )
        .await);
    let sess = WopiSessionRecord {
        id: "sess1".into(),
        api_key_id: Some("key1".into()),
        user_id: u1.id.clone(),
        file_id: f.id.clone(),
        can_write: true,
        client: Some("dev".into()),
        action: Some("edit".into()),
        expires_at: NOW + 1000,
        created_at: NOW,
        revoked_at: None,
        close_url: Some("https://crm.example/deals/7".into()),
    };
    ok!(store.create_wopi_session(&sess, Some(b"launch-1")).await);
    assert_eq!(ok!(store.wopi_session("sess1").await), Some(sess.clone()));
    let t = TokenRecord {
        user_id: u1.id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: true,
        expires_at: NOW + 1000,
        client: Some("dev".into()),
        session_id: Some("sess1".into()),
        link_id: None,
    };
    ok!(store.insert_token(b"sess-token", &t, NOW).await);
    assert_eq!(
        ok!(store.token(b"sess-token").await).map(|(t, _)| t.session_id),
        Some(Some("sess1".into()))
    );
    assert_eq!(
        ok!(store.take_launch_code(b"launch-1", NOW).await).map(|s| s.id),
        Some("sess1".into())
    );
    assert_eq!(
        ok!(store.take_launch_code(b"launch-1", NOW).await),
        None,
        "launch codes are single-use"
    );
    assert_eq!(
        ok!(store.list_wopi_sessions("key1", Some(&f.id)).await).len(),
        1
    );
    assert!(
        ok!(store
            .list_wopi_sessions("key1", Some(&FileId::from_trusted("zz".into())))
            .await)
        .is_empty()
    );
    assert!(ok!(store.revoke_wopi_session("sess1", NOW).await));
    assert!(!ok!(store.revoke_wopi_session("sess1", NOW).await));
    assert_eq!(
        ok!(store.token(b"sess-token").await),
        None,
        "the session's tokens are gone"
    );
    assert!(
        ok!(store.wopi_session("sess1").await)
            .and_then(|s| s.revoked_at)
            .is_some()
    );
    assert!(ok!(store.revoke_api_key("key1", NOW).await));
    assert_eq!(ok!(store.api_key(b"key-hash").await), None);
    // Nonces: single use within their lifetime.
    assert!(ok!(store.use_nonce("jti-1", NOW + 100, NOW).await));
    assert!(!ok!(store.use_nonce("jti-1", NOW + 100, NOW + 50).await));
    assert!(
        ok!(store.use_nonce("jti-1", NOW + 300, NOW + 200).await),
        "forgotten after expiry"
    );
    // Outbox: one delivery per URL; claims are leased; failures reschedule; success is final.
    let ev = OutboxEvent {
        id: "ev1".into(),
        event_type: "file.saved".into(),
        payload: "{}".into(),
        created_at: NOW,
    };
    ok!(store
        .enqueue_event(&ev, &["http://a".into(), "http://b".into()])
        .await);
    let claimed = ok!(store.claim_deliveries(NOW, 10, 1000).await);
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|d| d.event == ev));
    assert!(
        ok!(store.claim_deliveries(NOW + 1, 10, 1000).await).is_empty(),
        "leased"
    );
    let (a, b) = (&claimed[0], &claimed[1]);
    ok!(store
        .finish_delivery(&a.id, true, Some(200), None, None, NOW + 2)
        .await);
    ok!(store
        .finish_delivery(
            &b.id,
            false,
            Some(500),
            Some("boom"),
            Some(NOW + 5000),
            NOW + 2
        )
        .await);
    assert!(
        ok!(store.claim_deliveries(NOW + 10, 10, 1000).await).is_empty(),
        "not due yet"
    );
    let again = ok!(store.claim_deliveries(NOW + 5000, 10, 1000).await);
    assert_eq!(
        again.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        vec![b.id.clone()]
    );
    assert_eq!(again[0].attempts, 1);
    ok!(store
        .finish_delivery(&b.id, false, None, Some("gave up"), None, NOW + 6000)
        .await);
    let log = ok!(store.deliveries(10).await);
    let states: Vec<(&str, &str)> = log
        .iter()
        .map(|d| (d.url.as_str(), d.state.as_str()))
        .collect();
    assert!(
        states.contains(&(a.url.as_str(), "delivered"))
            && states.contains(&(b.url.as_str(), "failed")),
        "{states:?}"
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
    // Empty frames (a new blank document's one empty chunk, a client's empty DATA frames).
    let frames = BlobKey::generate();
    assert_eq!(ok!(blobs.put(&frames, body(vec![b""]), 100).await).size, 0);
    assert_eq!(read_all(ok!(blobs.get(&frames).await)).await, b"");
    let gaps = BlobKey::generate();
    assert_eq!(
        ok!(blobs
            .put(&gaps, body(vec![b"", b"ab", b"", b"c", b""]), 100)
            .await)
        .size,
        3
    );
    assert_eq!(read_all(ok!(blobs.get(&gaps).await)).await, b"abc");

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

    // Ranged reads: inside, at the ends, empty; past the end fails; a missing blob is NotFound.
    for (offset, len, want) in [
        (0, 11, &b"hello world"[..]),
        (6, 5, b"world"),
        (0, 5, b"hello"),
        (4, 3, b"o w"),
        (10, 1, b"d"),
        (3, 0, b""),
    ] {
        let got = ok!(blobs.get_range(&k, offset, len).await);
        assert_eq!(read_all(got).await, want, "range {offset}+{len}");
    }
    let past = match blobs.get_range(&k, 6, 10).await {
        Err(_) => true,
        Ok(mut s) => {
            let mut failed = false;
            while let Some(piece) = s.next().await {
                failed |= piece.is_err();
            }
            failed
        }
    };
    assert!(
        past,
        "a range past the blob's end must not read as complete"
    );
    assert!(matches!(
        blobs.get_range(&big, 0, 1).await,
        Err(StoreError::NotFound)
    ));

    ok!(blobs.delete(&k).await);
    ok!(blobs.delete(&k).await);
    assert!(matches!(blobs.get(&k).await, Err(StoreError::NotFound)));
}

fn oauth_issue(access: &[u8], refresh: Option<&[u8]>) -> OAuthIssue {
    OAuthIssue {
        access_hash: access.to_vec(),
        access_expires_at: NOW + 3_600_000,
        refresh: refresh.map(|r| (r.to_vec(), NOW + 86_400_000)),
    }
}

fn oauth_grant(id: &str, client: &str, user: &UserRecord) -> OAuthGrantRecord {
    OAuthGrantRecord {
        id: id.to_owned(),
        client_id: client.to_owned(),
        user_id: user.id.clone(),
        scope: "wopi".to_owned(),
        created_at: NOW,
        last_used_at: NOW,
    }
}

fn oauth_code_for(client: &str, user: &UserRecord, expires_at: i64) -> OAuthCodeRecord {
    OAuthCodeRecord {
        client_id: client.to_owned(),
        user_id: user.id.clone(),
        redirect_uri: Some("https://localhost".to_owned()),
        scope: "wopi".to_owned(),
        code_challenge: Some("challenge".to_owned()),
        challenge_method: Some("S256".to_owned()),
        expires_at,
        used: false,
    }
}

/// OAuth: clients round-trip; a code is redeemed once (a second use revokes what it issued; an
/// expired one issues nothing); access tokens are found until they expire; refresh tokens
/// rotate once (reuse revokes the grant; another client's token is refused untouched); grants
/// are listed per user and revoked (only the owner's own, when a user is given); removing a
/// client removes everything of it; the purge forgets the expired.
async fn oauth_clients_codes_and_grants(store: &dyn MetadataStore) {
    let u = new_user(store, "olga-oauth").await;
    let other = new_user(store, "oscar-oauth").await;
    let client = OAuthClientRecord {
        id: "office".into(),
        name: "Office".into(),
        secret_hash: "$argon2id$x".into(),
        redirect_uris: vec!["https://localhost".into(), "https://localhost/?a=1".into()],
        created_at: NOW,
    };
    ok!(store.create_oauth_client(&client).await);
    assert!(matches!(
        store.create_oauth_client(&client).await,
        Err(StoreError::AlreadyExists)
    ));
    ok!(store
        .create_oauth_client(&OAuthClientRecord {
            id: "other-app".into(),
            name: "Other".into(),
            created_at: NOW + 1,
            ..client.clone()
        })
        .await);
    assert_eq!(
        ok!(store.oauth_client("office").await),
        Some(client.clone())
    );
    assert_eq!(ok!(store.oauth_client("nope").await), None);
    let ids: Vec<String> = ok!(store.list_oauth_clients().await)
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["office", "other-app"]);

    // A code: stored as given, redeemed once.
    let c = oauth_code_for("office", &u, NOW + 600_000);
    ok!(store.insert_oauth_code(b"code-1", &c, NOW).await);
    assert_eq!(ok!(store.oauth_code(b"code-1").await), Some(c.clone()));
    let g1 = oauth_grant("grant-1", "office", &u);
    let issued = ok!(store
        .redeem_oauth_code(b"code-1", &g1, &oauth_issue(b"acc-1", Some(b"ref-1")), NOW)
        .await);
    assert_eq!(issued, CodeRedemption::Issued);
    assert!(ok!(store.oauth_code(b"code-1").await).is_some_and(|c| c.used));
    let (g, user) = ok!(store.oauth_access(b"acc-1", NOW).await)
        .unwrap_or_else(|| panic!("the issued access token is live"));
    assert_eq!((g, user.id.as_str()), (g1.clone(), u.id.as_str()));
    assert_eq!(
        ok!(store.oauth_access(b"acc-1", NOW + 3_600_000).await),
        None
    );
    assert_eq!(
        ok!(store.oauth_access(b"ref-1", NOW).await),
        None,
        "a refresh token is no access token"
    );
    assert_eq!(ok!(store.oauth_access(b"nope", NOW).await), None);

    // Reusing the code revokes the grant it issued.
    let again = ok!(store
        .redeem_oauth_code(
            b"code-1",
            &oauth_grant("grant-x", "office", &u),
            &oauth_issue(b"acc-x", None),
            NOW + 1
        )
        .await);
    assert_eq!(again, CodeRedemption::Reused);
    assert_eq!(ok!(store.oauth_access(b"acc-1", NOW).await), None);
    assert_eq!(ok!(store.oauth_access(b"acc-x", NOW).await), None);
    assert!(ok!(store.oauth_grants(Some(&u.id)).await).is_empty());

    // Unknown and expired codes issue nothing.
    assert_eq!(
        ok!(store
            .redeem_oauth_code(b"code-none", &g1, &oauth_issue(b"acc-n", None), NOW)
            .await),
        CodeRedemption::Unusable
    );
    ok!(store
        .insert_oauth_code(
            b"code-old",
            &oauth_code_for("office", &u, NOW - 1),
            NOW - 10
        )
        .await);
    assert_eq!(
        ok!(store
            .redeem_oauth_code(b"code-old", &g1, &oauth_issue(b"acc-o", None), NOW)
            .await),
        CodeRedemption::Unusable
    );
    assert_eq!(ok!(store.oauth_access(b"acc-o", NOW).await), None);

    // Refresh rotation.
    ok!(store
        .insert_oauth_code(b"code-2", &oauth_code_for("office", &u, NOW + 600_000), NOW)
        .await);
    let g2 = oauth_grant("grant-2", "office", &u);
    assert_eq!(
        ok!(store
            .redeem_oauth_code(b"code-2", &g2, &oauth_issue(b"acc-2", Some(b"ref-2")), NOW)
            .await),
        CodeRedemption::Issued
    );
    assert_eq!(
        ok!(store
            .rotate_oauth_refresh(
                b"ref-2",
                "other-app",
                &oauth_issue(b"acc-z", Some(b"ref-z")),
                NOW
            )
            .await),
        RefreshRotation::Unusable,
        "another client's refresh token"
    );
    assert_eq!(
        ok!(store
            .rotate_oauth_refresh(
                b"acc-2",
                "office",
                &oauth_issue(b"acc-z", Some(b"ref-z")),
                NOW
            )
            .await),
        RefreshRotation::Unusable,
        "an access token is no refresh token"
    );
    let rotated = ok!(store
        .rotate_oauth_refresh(
            b"ref-2",
            "office",
            &oauth_issue(b"acc-3", Some(b"ref-3")),
            NOW + 5
        )
        .await);
    assert_eq!(
        rotated,
        RefreshRotation::Rotated(OAuthGrantRecord {
            last_used_at: NOW + 5,
            ..g2.clone()
        })
    );
    assert_eq!(
        ok!(store.oauth_access(b"acc-2", NOW).await),
        None,
        "the old access token ends"
    );
    assert!(ok!(store.oauth_access(b"acc-3", NOW).await).is_some());
    assert_eq!(
        ok!(store
            .rotate_oauth_refresh(
                b"ref-2",
                "office",
                &oauth_issue(b"acc-4", Some(b"ref-4")),
                NOW + 6
            )
            .await),
        RefreshRotation::Reused
    );
    assert_eq!(
        ok!(store.oauth_access(b"acc-3", NOW).await),
        None,
        "reuse revokes the grant"
    );
    assert_eq!(
        ok!(store
            .rotate_oauth_refresh(b"ref-3", "office", &oauth_issue(b"acc-5", None), NOW + 7)
            .await),
        RefreshRotation::Unusable
    );

    // Listing and revoking.
    for (code, grant, acc, user) in [
        (b"code-3", "grant-3", b"acc-6", &u),
        (b"code-4", "grant-4", b"acc-7", &other),
    ] {
        ok!(store
            .insert_oauth_code(code, &oauth_code_for("office", user, NOW + 600_000), NOW)
            .await);
        assert_eq!(
            ok!(store
                .redeem_oauth_code(
                    code,
                    &oauth_grant(grant, "office", user),
                    &oauth_issue(acc, None),
                    NOW
                )
                .await),
            CodeRedemption::Issued
        );
    }
    let mine = ok!(store.oauth_grants(Some(&u.id)).await);
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (
            mine[0].grant.id.as_str(),
            mine[0].client_name.as_str(),
            mine[0].user_login.as_str()
        ),
        ("grant-3", "Office", "olga-oauth")
    );
    assert_eq!(ok!(store.oauth_grants(None).await).len(), 2);
    assert!(
        !ok!(store.revoke_oauth_grant("grant-4", Some(&u.id)).await),
        "not hers"
    );
    assert!(ok!(store.oauth_access(b"acc-7", NOW).await).is_some());
    assert!(ok!(store.revoke_oauth_grant("grant-3", Some(&u.id)).await));
    assert_eq!(ok!(store.oauth_access(b"acc-6", NOW).await), None);
    assert!(!ok!(store.revoke_oauth_grant("grant-3", None).await));

    // The purge forgets expired codes and tokens, then grants left without tokens.
    assert!(ok!(store.purge_expired_oauth(NOW + 3_600_001).await) >= 2);
    assert_eq!(ok!(store.oauth_code(b"code-old").await), None);
    assert!(ok!(store.oauth_grants(Some(&other.id)).await).is_empty());

    // Removing a client removes its grants and tokens.
    ok!(store
        .insert_oauth_code(b"code-5", &oauth_code_for("office", &u, NOW + 600_000), NOW)
        .await);
    assert_eq!(
        ok!(store
            .redeem_oauth_code(
                b"code-5",
                &oauth_grant("grant-5", "office", &u),
                &oauth_issue(b"acc-8", Some(b"ref-8")),
                NOW
            )
            .await),
        CodeRedemption::Issued
    );
    assert!(ok!(store.delete_oauth_client("office").await));
    assert!(!ok!(store.delete_oauth_client("office").await));
    assert_eq!(ok!(store.oauth_access(b"acc-8", NOW).await), None);
    assert_eq!(ok!(store.oauth_code(b"code-5").await), None);
    assert!(ok!(store.oauth_grants(None).await).is_empty());
}

/// Disabling a user or changing their password ends their OAuth grants (and unused codes).
async fn oauth_grants_end_with_the_user(store: &dyn MetadataStore) {
    let client = OAuthClientRecord {
        id: "office-2".into(),
        name: "Office".into(),
        secret_hash: "$argon2id$x".into(),
        redirect_uris: vec!["https://localhost".into()],
        created_at: NOW,
    };
    ok!(store.create_oauth_client(&client).await);
    let pat = new_user(store, "pat-oauth").await;
    let quinn = new_user(store, "quinn-oauth").await;
    for (user, code, grant, acc) in [
        (&pat, b"pcode", "pgrant", b"pacc"),
        (&quinn, b"qcode", "qgrant", b"qacc"),
    ] {
        ok!(store
            .insert_oauth_code(code, &oauth_code_for("office-2", user, NOW + 600_000), NOW)
            .await);
        assert_eq!(
            ok!(store
                .redeem_oauth_code(
                    code,
                    &oauth_grant(grant, "office-2", user),
                    &oauth_issue(acc, Some(grant.as_bytes())),
                    NOW
                )
                .await),
            CodeRedemption::Issued
        );
    }
    ok!(store
        .insert_oauth_code(
            b"pcode-unused",
            &oauth_code_for("office-2", &pat, NOW + 600_000),
            NOW
        )
        .await);
    ok!(store.set_password(&pat.id, "$argon2id$new").await);
    assert_eq!(ok!(store.oauth_access(b"pacc", NOW).await), None);
    assert_eq!(ok!(store.oauth_code(b"pcode-unused").await), None);
    assert_eq!(
        ok!(store
            .rotate_oauth_refresh(b"pgrant", "office-2", &oauth_issue(b"pacc2", None), NOW)
            .await),
        RefreshRotation::Unusable
    );
    assert!(ok!(store.oauth_access(b"qacc", NOW).await).is_some());
    ok!(store.disable_user(&quinn.id, NOW).await);
    assert_eq!(ok!(store.oauth_access(b"qacc", NOW).await), None);
    assert!(ok!(store.oauth_grants(None).await).is_empty());
}

/// The share dialog's store side: who has access (file and folder), changing a role (the same
/// upsert), removing access with its audit row (none when nothing was removed), the people
/// picker's search, and the "Shared" marks of a folder's rows.
async fn managing_shares(store: &dyn MetadataStore) {
    let owner = new_user(store, "sharer").await;
    let ann = ok!(store
        .create_user(
            NewUser {
                login: "ann.k".into(),
                name: "Annabel Kow".into(),
                email: "ann@example.com".into(),
                is_admin: false,
                password_hash: None,
            },
            NOW,
        )
        .await);
    let bob = ok!(store
        .create_user(
            NewUser {
                login: "bobby".into(),
                name: "Bob 100%_sure".into(),
                email: "bob@example.com".into(),
                is_admin: false,
                password_hash: None,
            },
            NOW,
        )
        .await);
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: owner.root_folder_id.clone(),
                owner_id: owner.id.clone(),
                content: content("ms", 1, &owner.id),
            },
            &exact("shared.docx"),
            NOW,
        )
        .await);
    let g = ok!(store
        .create_file(
            NewFile {
                folder_id: owner.root_folder_id.clone(),
                owner_id: owner.id.clone(),
                content: content("ms2", 1, &owner.id),
            },
            &exact("private.docx"),
            NOW,
        )
        .await);
    let sub = ok!(store
        .create_folder(&owner.root_folder_id, "Team", NOW)
        .await);
    let quiet = ok!(store
        .create_folder(&owner.root_folder_id, "Quiet", NOW)
        .await);
    assert!(ok!(store.file_shares(&f.id).await).is_empty());
    assert_eq!(
        ok!(store.shared_in_folder(&owner.root_folder_id, NOW).await),
        (vec![], vec![])
    );

    ok!(store.share_file(&f.id, &bob.id, Role::Viewer, None).await);
    ok!(store.share_file(&f.id, &ann.id, Role::Viewer, None).await);
    ok!(store.share_file(&f.id, &bob.id, Role::Editor, None).await);
    let who = |v: Vec<ShareEntry>| {
        v.into_iter()
            .map(|e| (e.user.login, e.role))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        who(ok!(store.file_shares(&f.id).await)),
        vec![
            ("ann.k".to_owned(), Role::Viewer),
            ("bobby".to_owned(), Role::Editor)
        ],
        "by name; a second share replaces the role"
    );
    ok!(store
        .share_folder(&sub.id, &ann.id, Role::Editor, None)
        .await);
    assert_eq!(
        who(ok!(store.folder_shares(&sub.id).await)),
        vec![("ann.k".to_owned(), Role::Editor)]
    );
    assert!(ok!(store.folder_shares(&quiet.id).await).is_empty());
    assert_eq!(
        ok!(store.shared_in_folder(&owner.root_folder_id, NOW).await),
        (vec![sub.id.clone()], vec![f.id.clone()])
    );

    // Removing access: the role is gone at once; the audit row only when a share went.
    let row = audit_row(
        "unshare-1",
        NOW + 1,
        "file.unshare",
        &owner.id,
        Some(f.id.as_str()),
    );
    assert!(ok!(store.unshare_file(&f.id, &bob.id, Some(&row)).await));
    assert_eq!(ok!(store.role(&f.id, &bob.id).await), None);
    let again = audit_row(
        "unshare-2",
        NOW + 2,
        "file.unshare",
        &owner.id,
        Some(f.id.as_str()),
    );
    assert!(!ok!(store.unshare_file(&f.id, &bob.id, Some(&again)).await));
    let frow = audit_row("unshare-3", NOW + 3, "folder.unshare", &owner.id, None);
    assert!(ok!(store
        .unshare_folder(&sub.id, &ann.id, Some(&frow))
        .await));
    assert_eq!(ok!(store.folder_role(&sub.id, &ann.id).await), None);
    assert!(!ok!(store.unshare_folder(&sub.id, &ann.id, None).await));
    let ids: Vec<String> = ok!(store
        .audit_events(&AuditQuery {
            actor_id: Some(owner.id.clone()),
            limit: 10,
            ..Default::default()
        })
        .await)
    .into_iter()
    .map(|r| r.id)
    .collect();
    assert_eq!(ids, vec!["unshare-3", "unshare-1"]);
    assert_eq!(
        ok!(store.shared_in_folder(&owner.root_folder_id, NOW).await),
        (vec![], vec![f.id.clone()]),
        "ann's file share is still there"
    );

    // The picker: name or login, any case, `%`/`_` literal, limited, disabled people left out.
    let logins = |v: Vec<UserRecord>| v.into_iter().map(|u| u.login).collect::<Vec<_>>();
    assert_eq!(
        logins(ok!(store.search_users("annab", 10).await)),
        vec!["ann.k"]
    );
    assert_eq!(
        logins(ok!(store.search_users("KOW", 10).await)),
        vec!["ann.k"]
    );
    assert_eq!(
        logins(ok!(store.search_users("obby", 10).await)),
        vec!["bobby"]
    );
    assert_eq!(
        logins(ok!(store.search_users("100%_", 10).await)),
        vec!["bobby"]
    );
    assert!(
        ok!(store.search_users("0%s", 10).await).is_empty(),
        "% is literal"
    );
    assert!(
        ok!(store.search_users("b_b", 10).await).is_empty(),
        "_ is literal"
    );
    assert_eq!(ok!(store.search_users("o", 1).await).len(), 1);
    ok!(store.disable_user(&ann.id, NOW).await);
    assert!(ok!(store.search_users("annab", 10).await).is_empty());
    let _ = g;
}

/// Public links: stored by the hash of their secret, listed per file (newest first, revoked
/// ones left out), counted as "Shared" while live; revoking keeps the row, deletes the link's
/// tokens (and only those) and writes its audit row, once.
async fn share_links(store: &dyn MetadataStore) {
    let owner = new_user(store, "linker").await;
    let f = ok!(store
        .create_file(
            NewFile {
                folder_id: owner.root_folder_id.clone(),
                owner_id: owner.id.clone(),
                content: content("sl", 1, &owner.id),
            },
            &exact("linked.docx"),
            NOW,
        )
        .await);
    let link = |id: &str, role: Role, expires_at: Option<i64>, at: i64| ShareLinkRecord {
        id: id.to_owned(),
        file_id: f.id.clone(),
        created_by: owner.id.clone(),
        name: format!("{id} name"),
        role,
        password_hash: (role == Role::Editor).then(|| "$argon2id$x".to_owned()),
        expires_at,
        created_at: at,
        revoked_at: None,
    };
    let view = link("link-view", Role::Viewer, None, NOW);
    let edit = link("link-edit", Role::Editor, Some(NOW + 500), NOW + 1);
    let made = audit_row(
        "link-1",
        NOW,
        "file.public_link",
        &owner.id,
        Some(f.id.as_str()),
    );
    ok!(store
        .create_share_link(b"secret-view", &view, Some(&made))
        .await);
    ok!(store.create_share_link(b"secret-edit", &edit, None).await);
    assert!(
        store
            .create_share_link(b"secret-view", &link("dup", Role::Viewer, None, NOW), None)
            .await
            .is_err(),
        "secret hashes are unique"
    );
    assert_eq!(
        ok!(store.share_link_by_secret(b"secret-edit").await),
        Some(edit.clone())
    );
    assert_eq!(ok!(store.share_link_by_secret(b"nope").await), None);
    assert_eq!(ok!(store.share_link("link-view").await), Some(view.clone()));
    assert_eq!(
        ok!(store.file_share_links(&f.id).await),
        vec![edit.clone(), view.clone()]
    );
    assert_eq!(
        ok!(store.shared_in_folder(&owner.root_folder_id, NOW).await).1,
        vec![f.id.clone()]
    );

    // Tokens minted through the link name it; revoking deletes them and nothing else.
    let guest = TokenRecord {
        user_id: owner.id.clone(),
        scope: TokenScope::File(f.id.clone()),
        can_write: false,
        expires_at: NOW + 1000,
        client: Some("dev".into()),
        session_id: None,
        link_id: Some("link-view".into()),
    };
    ok!(store.insert_token(b"guest-token", &guest, NOW).await);
    let own = TokenRecord {
        link_id: None,
        ..guest.clone()
    };
    ok!(store.insert_token(b"owner-token", &own, NOW).await);
    let got = ok!(store.token_with_file(b"guest-token").await).map(|g| g.token);
    assert_eq!(got, Some(guest.clone()));
    let revoked = audit_row(
        "link-2",
        NOW + 5,
        "file.public_link_revoke",
        &owner.id,
        Some(f.id.as_str()),
    );
    assert!(ok!(store
        .revoke_share_link("link-view", NOW + 5, Some(&revoked))
        .await));
    assert!(!ok!(store
        .revoke_share_link("link-view", NOW + 6, None)
        .await));
    assert!(ok!(store.token(b"guest-token").await).is_none());
    assert!(ok!(store.token(b"owner-token").await).is_some());
    let kept = ok!(store.share_link("link-view").await);
    assert_eq!(kept.as_ref().and_then(|l| l.revoked_at), Some(NOW + 5));
    assert!(kept.is_some_and(|l| !l.is_live(NOW + 5)));
    assert_eq!(ok!(store.file_share_links(&f.id).await), vec![edit.clone()]);
    // The edit link is live until its expiry; after it, no "Shared" mark.
    assert!(edit.is_live(NOW + 499) && !edit.is_live(NOW + 500));
    assert_eq!(
        ok!(store
            .shared_in_folder(&owner.root_folder_id, NOW + 499)
            .await)
        .1,
        vec![f.id.clone()]
    );
    assert!(
        ok!(store
            .shared_in_folder(&owner.root_folder_id, NOW + 500)
            .await)
        .1
        .is_empty()
    );
    let ids: Vec<String> = ok!(store
        .audit_events(&AuditQuery {
            actor_id: Some(owner.id.clone()),
            limit: 10,
            ..Default::default()
        })
        .await)
    .into_iter()
    .map(|r| r.id)
    .collect();
    assert_eq!(ids, vec!["link-2", "link-1"]);

    // The retention purge: links revoked or expired before the cutoff go, with their tokens
    // (an expired link's tokens may outlive it); live ones and their tokens stay.
    let live = link("link-live", Role::Viewer, Some(NOW + 10_000), NOW + 2);
    ok!(store.create_share_link(b"secret-live", &live, None).await);
    let edit_guest = TokenRecord {
        link_id: Some("link-edit".into()),
        expires_at: NOW + 5000,
        ..guest.clone()
    };
    ok!(store
        .insert_token(b"edit-guest-token", &edit_guest, NOW)
        .await);
    let live_guest = TokenRecord {
        link_id: Some("link-live".into()),
        expires_at: NOW + 5000,
        ..guest.clone()
    };
    ok!(store
        .insert_token(b"live-guest-token", &live_guest, NOW)
        .await);
    assert_eq!(
        ok!(store.purge_share_links(NOW + 5, None).await),
        0,
        "revoked at the cutoff is not before it"
    );
    let purge = audit_row("link-3", NOW + 6, "file.public_link_purge", &owner.id, None);
    assert_eq!(
        ok!(store.purge_share_links(NOW + 6, Some(&purge)).await),
        1,
        "the revoked one"
    );
    assert_eq!(ok!(store.share_link("link-view").await), None);
    assert_eq!(ok!(store.share_link_by_secret(b"secret-view").await), None);
    assert!(
        ok!(store.share_link("link-edit").await).is_some(),
        "not expired yet"
    );
    assert!(ok!(store.token(b"edit-guest-token").await).is_some());
    assert_eq!(ok!(store.purge_share_links(NOW + 500, None).await), 0);
    assert_eq!(ok!(store.purge_share_links(NOW + 501, None).await), 1);
    assert_eq!(ok!(store.share_link("link-edit").await), None);
    assert_eq!(ok!(store.share_link_by_secret(b"secret-edit").await), None);
    assert!(ok!(store.token(b"edit-guest-token").await).is_none());
    assert_eq!(ok!(store.share_link("link-live").await), Some(live.clone()));
    assert!(ok!(store.token(b"live-guest-token").await).is_some());
    assert!(ok!(store.token(b"owner-token").await).is_some());
    assert_eq!(ok!(store.file_share_links(&f.id).await), vec![live]);
    assert_eq!(ok!(store.purge_share_links(NOW + 501, None).await), 0);
    let latest = ok!(store
        .audit_events(&AuditQuery {
            actor_id: Some(owner.id.clone()),
            limit: 1,
            ..Default::default()
        })
        .await);
    assert_eq!(
        latest.first().map(|r| r.id.as_str()),
        Some("link-3"),
        "the purge's audit row, in its transaction"
    );
}

// ----- Finding things (issue 13) -----

async fn file_at(
    store: &dyn MetadataStore,
    u: &UserRecord,
    folder: &str,
    name: &str,
    size: u64,
    at: i64,
) -> FileRecord {
    let mut c = content(&format!("k-{name}"), size, &u.id);
    c.created_at = at;
    ok!(store
        .create_file(
            NewFile {
                folder_id: folder.to_owned(),
                owner_id: u.id.clone(),
                content: c,
            },
            &exact(name),
            at,
        )
        .await)
}

/// `list_folder_page` against an oracle (the whole folder sorted in memory): every sort and
/// direction, walked forwards and back two at a time, with the counts that place each page.
async fn folder_pages(store: &dyn MetadataStore) {
    let u = new_user(store, "pager").await;
    let top = ok!(store.create_folder(&u.root_folder_id, "Paged", NOW).await);
    let mut folders = Vec::new();
    for name in ["b", "A", "c"] {
        folders.push(ok!(store.create_folder(&top.id, name, NOW).await));
    }
    let mut files = Vec::new();
    for (name, size, at) in [
        ("e.txt", 30, NOW + 3),
        ("D.txt", 10, NOW + 9),
        ("f.txt", 20, NOW + 1),
        ("G.txt", 20, NOW + 5),
        ("h.txt", 20, NOW + 5),
    ] {
        files.push(file_at(store, &u, &top.id, name, size, at).await);
    }
    let gone = file_at(store, &u, &top.id, "gone.txt", 1, NOW).await;
    ok!(ok!(store.delete_file(&gone.id, NOW).await));
    for sort in [ListingSort::Name, ListingSort::Size, ListingSort::Modified] {
        for desc in [false, true] {
            let mut want_folders: Vec<ListingKey> =
                folders.iter().map(ListingKey::of_folder).collect();
            let mut want_files: Vec<ListingKey> =
                files.iter().map(|f| ListingKey::of_file(f, sort)).collect();
            let k = |a: &ListingKey| (a.num, a.name_key.clone(), a.id.clone());
            want_folders.sort_by_key(k);
            want_files.sort_by_key(k);
            if desc {
                want_folders.reverse();
                want_files.reverse();
            }
            let want: Vec<String> = want_folders
                .iter()
                .chain(&want_files)
                .map(|k| k.id.clone())
                .collect();
            let what = format!("{sort:?} desc={desc}");
            let page = |position| ListingQuery {
                sort,
                desc,
                position,
                limit: 2,
            };
            let keys = |p: &ListingPage| -> Vec<ListingKey> {
                p.folders
                    .iter()
                    .map(ListingKey::of_folder)
                    .chain(p.files.iter().map(|f| ListingKey::of_file(f, sort)))
                    .collect()
            };
            // The whole folder in one page.
            let all = ok!(store
                .list_folder_page(
                    &top.id,
                    &ListingQuery {
                        limit: 100,
                        ..page(ListingPosition::First)
                    }
                )
                .await);
            let ids: Vec<String> = keys(&all).into_iter().map(|k| k.id).collect();
            assert_eq!(ids, want, "{what}: the order, without the deleted file");
            assert_eq!((all.before, all.total), (0, 8), "{what}");
            // Forwards.
            let mut seen = Vec::new();
            let mut pages = Vec::new();
            let mut pos = ListingPosition::First;
            loop {
                let p = ok!(store.list_folder_page(&top.id, &page(pos.clone())).await);
                let ks = keys(&p);
                assert_eq!(
                    p.before as usize,
                    seen.len(),
                    "{what}: before of page {pos:?}"
                );
                assert_eq!(p.total, 8, "{what}");
                seen.extend(ks.iter().map(|k| k.id.clone()));
                let last = ks.last().cloned();
                pages.push(ks);
                match last {
                    Some(k) if seen.len() < want.len() => pos = ListingPosition::After(k),
                    _ => break,
                }
            }
            assert_eq!(seen, want, "{what}: forwards");
            assert_eq!(pages.len(), 4, "{what}");
            // Back from the last page, page by page.
            for i in (0..pages.len() - 1).rev() {
                let first = pages[i + 1][0].clone();
                let p = ok!(store
                    .list_folder_page(&top.id, &page(ListingPosition::Before(first)))
                    .await);
                assert_eq!(keys(&p), pages[i], "{what}: back to page {i}");
                assert_eq!(p.before as usize, i * 2, "{what}");
            }
            // After the last entry: nothing.
            let end = pages.last().and_then(|p| p.last()).cloned();
            let p = ok!(store
                .list_folder_page(
                    &top.id,
                    &page(ListingPosition::After(
                        end.unwrap_or_else(|| panic!("{what}"))
                    ))
                )
                .await);
            assert!(p.folders.is_empty() && p.files.is_empty(), "{what}");
        }
    }
    // A cursor whose entry was deleted meanwhile still finds its place.
    let d = files
        .iter()
        .find(|f| f.name == "D.txt")
        .map(|f| ListingKey::of_file(f, ListingSort::Name));
    let d = d.unwrap_or_else(|| panic!("D.txt"));
    ok!(ok!(store
        .delete_file(&FileId::from_trusted(d.id.clone()), NOW)
        .await));
    let p = ok!(store
        .list_folder_page(
            &top.id,
            &ListingQuery {
                sort: ListingSort::Name,
                desc: false,
                position: ListingPosition::After(d),
                limit: 2,
            }
        )
        .await);
    let names: Vec<&str> = p.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["e.txt", "f.txt"]);
    assert_eq!((p.before, p.total), (3, 7));
    // An empty folder.
    let empty = ok!(store.create_folder(&top.id, "empty", NOW).await);
    let p = ok!(store
        .list_folder_page(
            &empty.id,
            &ListingQuery {
                sort: ListingSort::Name,
                desc: false,
                position: ListingPosition::First,
                limit: 2,
            }
        )
        .await);
    assert_eq!(p, ListingPage::default());
}

fn hit_names(hits: &[SearchHit]) -> Vec<String> {
    hits.iter()
        .map(|h| match &h.item {
            FoundItem::Folder(d) => format!("{}/", d.name),
            FoundItem::File(f) => f.name.clone(),
        })
        .collect()
}

async fn search_all(store: &dyn MetadataStore, user: &UserRecord, text: &str) -> Vec<SearchHit> {
    ok!(store
        .search(
            &user.id,
            &SearchQuery {
                text: text.to_owned(),
                after: None,
                limit: 100,
            }
        )
        .await)
}

/// `search`: own files and folders, folders shared with the user and everything below them,
/// files shared on their own — never anything else; case-insensitive; `%` and `_` literal;
/// paged by (name key, id); each hit with its path.
async fn search_sees_what_the_user_sees(store: &dyn MetadataStore) {
    let a = new_user(store, "finder").await;
    let b = new_user(store, "search-sharer").await;
    let c = new_user(store, "stranger").await;
    file_at(store, &a, &a.root_folder_id, "Report 100%.docx", 1, NOW).await;
    file_at(store, &a, &a.root_folder_id, "report_a.txt", 1, NOW).await;
    file_at(store, &a, &a.root_folder_id, "sheet-a.txt", 1, NOW).await;
    let projects = ok!(store
        .create_folder(&a.root_folder_id, "Projects", NOW)
        .await);
    file_at(store, &a, &projects.id, "Quarterly REPORT.xlsx", 1, NOW).await;
    ok!(store.create_folder(&projects.id, "Reports", NOW).await);
    let gone = file_at(store, &a, &a.root_folder_id, "old report.txt", 1, NOW).await;
    ok!(ok!(store.delete_file(&gone.id, NOW).await));

    let team = ok!(store.create_folder(&b.root_folder_id, "Team", NOW).await);
    let deep = ok!(store.create_folder(&team.id, "Deep", NOW).await);
    let team_report = file_at(store, &b, &deep.id, "team report.docx", 1, NOW).await;
    ok!(store
        .share_folder(&team.id, &a.id, Role::Viewer, None)
        .await);
    let direct = file_at(store, &b, &b.root_folder_id, "b-report.txt", 1, NOW).await;
    ok!(store
        .share_file(&direct.id, &a.id, Role::Editor, None)
        .await);
    file_at(store, &b, &b.root_folder_id, "secret report.txt", 1, NOW).await;
    file_at(store, &c, &c.root_folder_id, "report.txt", 1, NOW).await;

    let hits = search_all(store, &a, "report").await;
    assert_eq!(
        hit_names(&hits),
        [
            "b-report.txt",
            "Quarterly REPORT.xlsx",
            "Report 100%.docx",
            "report_a.txt",
            "Reports/",
            "team report.docx"
        ],
        "everything the user sees, nothing else"
    );
    let where_: Vec<(Option<Vec<String>>, bool)> =
        hits.iter().map(|h| (h.path.clone(), h.own)).collect();
    let p = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    assert_eq!(
        where_,
        [
            (None, false),
            (p(&["Projects"]), true),
            (p(&[]), true),
            (p(&[]), true),
            (p(&["Projects"]), true),
            (p(&["Team", "Deep"]), false),
        ]
    );
    // Pages of two, by (name key, id).
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = ok!(store
            .search(
                &a.id,
                &SearchQuery {
                    text: "REPORT".to_owned(),
                    after: after.clone(),
                    limit: 2,
                }
            )
            .await);
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some((last.name_key.clone(), last.item.id().to_owned()));
        paged.extend(hit_names(&page));
    }
    assert_eq!(paged, hit_names(&hits), "pages add up to the whole result");
    // Wildcards are literal.
    assert_eq!(
        hit_names(&search_all(store, &a, "100%").await),
        ["Report 100%.docx"]
    );
    assert_eq!(
        hit_names(&search_all(store, &a, "t_a").await),
        ["report_a.txt"]
    );
    assert_eq!(
        hit_names(&search_all(store, &a, "%").await),
        ["Report 100%.docx"]
    );
    // A shared folder itself is found, without a path (its parent is not the user's).
    let t = search_all(store, &a, "TEAM").await;
    assert_eq!(hit_names(&t), ["Team/", "team report.docx"]);
    assert_eq!((t[0].path.clone(), t[0].own), (None, false));
    // The owner sees their own, under their own paths.
    let mine = search_all(store, &b, "report").await;
    assert_eq!(
        hit_names(&mine),
        ["b-report.txt", "secret report.txt", "team report.docx"]
    );
    assert_eq!(mine[2].path, p(&["Team", "Deep"]));
    assert!(mine.iter().all(|h| h.own));
    // The stranger sees only theirs.
    assert_eq!(
        hit_names(&search_all(store, &c, "report").await),
        ["report.txt"]
    );

    // Who has access: the folder share and a direct one, by name.
    ok!(store
        .share_file(&team_report.id, &c.id, Role::Editor, None)
        .await);
    let access = ok!(store.file_access(&team_report.id).await);
    let got: Vec<(String, Role, Option<String>)> = access
        .into_iter()
        .map(|e| (e.user_name, e.role, e.through_folder))
        .collect();
    assert_eq!(
        got,
        [
            (
                "finder name".to_owned(),
                Role::Viewer,
                Some("Team".to_owned())
            ),
            ("stranger name".to_owned(), Role::Editor, None),
        ]
    );
    assert!(ok!(store.file_access(&gone.id).await).is_empty());
}

/// Favourites (idempotent, live items only) and Recent (opened or saved, newest first).
async fn favourites_and_recent(store: &dyn MetadataStore) {
    let u = new_user(store, "starrer").await;
    let f = file_at(store, &u, &u.root_folder_id, "star.txt", 1, NOW).await;
    let g = file_at(store, &u, &u.root_folder_id, "later.txt", 1, NOW + 1).await;
    let h = file_at(store, &u, &u.root_folder_id, "saved.txt", 1, NOW + 2).await;
    let d = ok!(store
        .create_folder(&u.root_folder_id, "Starred folder", NOW)
        .await);
    for _ in 0..2 {
        ok!(store
            .set_favourite(&u.id, &ItemRef::File(f.id.clone()), true, NOW)
            .await);
        ok!(store
            .set_favourite(&u.id, &ItemRef::File(g.id.clone()), true, NOW)
            .await);
        ok!(store
            .set_favourite(&u.id, &ItemRef::Folder(d.id.clone()), true, NOW)
            .await);
    }
    let (folders, files) = ok!(store.favourites(&u.id).await);
    assert_eq!(
        folders.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["Starred folder"]
    );
    assert_eq!(
        files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["later.txt", "star.txt"]
    );
    ok!(store
        .set_favourite(&u.id, &ItemRef::File(g.id.clone()), false, NOW)
        .await);
    ok!(store
        .set_favourite(&u.id, &ItemRef::File(g.id.clone()), false, NOW)
        .await);
    ok!(ok!(store.delete_file(&f.id, NOW).await));
    let (folders, files) = ok!(store.favourites(&u.id).await);
    assert_eq!(folders.len(), 1);
    assert!(
        files.is_empty(),
        "unstarred and deleted files are gone: {files:?}"
    );
    let other = new_user(store, "notstarring").await;
    assert_eq!(ok!(store.favourites(&other.id).await), (vec![], vec![]));

    // Recent: created (a first version), opened, saved.
    ok!(store.record_opened(&u.id, &g.id, NOW + 50).await);
    let mut c = content("k-saved-2", 2, &u.id);
    c.created_at = NOW + 40;
    ok!(ok!(store
        .commit_version(&h.id, WriteCheck::Unlocked, c, NOW + 40)
        .await));
    let recent = ok!(store.recent_files(&u.id, 10).await);
    let got: Vec<(&str, i64)> = recent
        .iter()
        .map(|(f, at)| (f.name.as_str(), *at))
        .collect();
    assert_eq!(
        got,
        [("later.txt", NOW + 50), ("saved.txt", NOW + 40)],
        "deleted star.txt is not recent"
    );
    ok!(store.record_opened(&u.id, &h.id, NOW + 60).await);
    let recent = ok!(store.recent_files(&u.id, 1).await);
    assert_eq!(recent.len(), 1);
    assert_eq!(
        (recent[0].0.name.as_str(), recent[0].1),
        ("saved.txt", NOW + 60)
    );
    assert!(ok!(store.recent_files(&other.id, 10).await).is_empty());
}
