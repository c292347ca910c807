//! The integration API's records: API keys (stored by hash), external users (created on first
//! use, updated after), editing sessions and their one-time launch codes, used launch-link
//! nonces, and named secrets (first writer wins).

use folio_wopi::FileId;

use super::rows::{self, one};
use super::users::insert_root_folder;
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;
use crate::random_id;

pub(super) async fn create_api_key(
    e: &impl SqlEngine,
    key: &ApiKeyRecord,
    hash: &[u8],
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO api_keys (id, name, hash, scopes, app_user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            &key.id,
            &key.name,
            hash,
            &key.scopes.join(","),
            &key.app_user_id,
            key.created_at
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn api_key(
    e: &impl SqlEngine,
    hash: &[u8],
) -> Result<Option<ApiKeyRecord>, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL",
            args![hash],
        )
        .await?;
    one(row, rows::api_key)
}

pub(super) async fn list_api_keys(e: &impl SqlEngine) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let rows = e
        .fetch_all("SELECT * FROM api_keys ORDER BY created_at DESC, id", &[])
        .await?;
    rows::all(&rows, rows::api_key)
}

pub(super) async fn revoke_api_key(
    e: &impl SqlEngine,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = e
        .execute(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            args![now, id],
        )
        .await?;
    Ok(n > 0)
}

/// Creates the user of an external id, or updates its name, email and language.
pub(super) async fn upsert_external_user(
    e: &impl SqlEngine,
    user: &ExternalUser,
    now: i64,
) -> Result<UserRecord, StoreError> {
    // Two replicas inserting the same new external user at once can collide on the other
    // unique index (`login`), which ON CONFLICT does not arbitrate; the loser retries and then
    // takes the DO UPDATE branch.
    let mut attempt = 0;
    loop {
        match upsert_external_user_once(e, user, now).await {
            Err(StoreError::AlreadyExists) if attempt < 3 => attempt += 1,
            other => return other,
        }
    }
}

/// One attempt of [`upsert_external_user`].
async fn upsert_external_user_once(
    e: &impl SqlEngine,
    user: &ExternalUser,
    now: i64,
) -> Result<UserRecord, StoreError> {
    let mut tx = e.begin().await?;
    let id = random_id(16);
    let root = random_id(16);
    // One statement decides create-or-update atomically across replicas (the partial unique
    // index on external_id arbitrates; a racing insert waits for the winner and then updates
    // its row).
    let row = tx
        .fetch_optional(
            "INSERT INTO users (id, login, name, email, is_admin, root_folder_id, created_at, \
             external_id, language) VALUES ($1, $2, $3, $4, FALSE, $5, $6, $7, $8) \
             ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE \
             SET name = EXCLUDED.name, email = EXCLUDED.email, language = EXCLUDED.language \
             RETURNING *",
            args![
                &id,
                &format!("ext:{}", user.external_id),
                &user.name,
                &user.email,
                &root,
                now,
                &user.external_id,
                &user.language
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let record = rows::user(&row)?;
    if record.id == id {
        // Created now: give the user its root folder in the same transaction.
        insert_root_folder(&mut tx, &root, &id, now).await?;
    }
    tx.commit().await?;
    Ok(record)
}

pub(super) async fn create_wopi_session(
    e: &impl SqlEngine,
    w: &WopiSessionRecord,
    launch_hash: Option<&[u8]>,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO wopi_sessions (id, api_key_id, user_id, file_id, can_write, client, \
         action, expires_at, launch_hash, created_at, close_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            &w.id,
            w.api_key_id.as_deref(),
            &w.user_id,
            &w.file_id,
            w.can_write,
            w.client.as_deref(),
            w.action.as_deref(),
            w.expires_at,
            launch_hash,
            w.created_at,
            w.close_url.as_deref()
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn wopi_session(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<WopiSessionRecord>, StoreError> {
    let row = e
        .fetch_optional("SELECT * FROM wopi_sessions WHERE id = $1", args![id])
        .await?;
    one(row, rows::wopi_session)
}

/// Redeems a launch code once: of two requests (or replicas) redeeming the same code, the
/// second waits for the first's row lock, re-checks `launch_hash` (now NULL) and gets nothing.
pub(super) async fn take_launch_code(
    e: &impl SqlEngine,
    hash: &[u8],
    now: i64,
) -> Result<Option<WopiSessionRecord>, StoreError> {
    let mut tx = e.begin().await?;
    let row = tx
        .fetch_optional(
            "UPDATE wopi_sessions SET launch_hash = NULL \
             WHERE launch_hash = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING *",
            args![hash, now],
        )
        .await?;
    tx.commit().await?;
    one(row, rows::wopi_session)
}

pub(super) async fn list_wopi_sessions(
    e: &impl SqlEngine,
    api_key_id: &str,
    file_id: Option<&FileId>,
) -> Result<Vec<WopiSessionRecord>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT * FROM wopi_sessions \
             WHERE api_key_id = $1 AND (CAST($2 AS TEXT) IS NULL OR file_id = $2) \
             ORDER BY created_at DESC, id LIMIT 500",
            args![api_key_id, file_id.map(FileId::as_str)],
        )
        .await?;
    rows::all(&rows, rows::wopi_session)
}

/// Revokes an editing session and deletes its tokens.
pub(super) async fn revoke_wopi_session(
    e: &impl SqlEngine,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    let n = tx
        .execute(
            "UPDATE wopi_sessions SET revoked_at = $1, launch_hash = NULL \
             WHERE id = $2 AND revoked_at IS NULL",
            args![now, id],
        )
        .await?;
    tx.execute("DELETE FROM tokens WHERE session_id = $1", args![id])
        .await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// Records a launch-link `jti`; `false` when it was used before (and has not expired).
pub(super) async fn use_nonce(
    e: &impl SqlEngine,
    jti: &str,
    expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    tx.execute("DELETE FROM used_nonces WHERE expires_at <= $1", args![now])
        .await?;
    // The primary key arbitrates between replicas: a concurrent insert of the same jti waits
    // for the first one and then inserts nothing.
    let n = tx
        .execute(
            "INSERT INTO used_nonces (jti, expires_at) VALUES ($1, $2) \
             ON CONFLICT (jti) DO NOTHING",
            args![jti, expires_at],
        )
        .await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// The secret `name`, storing `fresh` if there is none yet.
pub(super) async fn secret(
    e: &impl SqlEngine,
    name: &str,
    fresh: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let mut tx = e.begin().await?;
    // First writer wins across replicas: a concurrent insert waits for the winner, inserts
    // nothing, and the SELECT (a new statement, so a new snapshot) reads the winner's value.
    tx.execute(
        "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        args![name, fresh],
    )
    .await?;
    let row = tx
        .fetch_optional("SELECT value FROM secrets WHERE name = $1", args![name])
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    super::SqlRow::bytes(&row, "value")
}
