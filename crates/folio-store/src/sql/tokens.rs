//! WOPI access tokens (stored by hash): minting, lookup with the user they speak for,
//! revocation, the expiry purge, and the live editor tokens shown as editing sessions.
//! A token's scope is three columns: `scope` (`file` | `container` | `ecosystem`), `file_id`
//! (`''` unless a file token, so a replica that predates scopes never matches it to a file)
//! and `folder_id` (container tokens).

use super::rows::{self, one};
use super::{SqlEngine, SqlRow, args};
use crate::error::StoreError;
use crate::model::*;

pub(super) async fn insert_token(
    e: &impl SqlEngine,
    hash: &[u8],
    token: &TokenRecord,
    now: i64,
) -> Result<(), StoreError> {
    let (scope, file_id, folder_id) = rows::token_scope_to_db(&token.scope);
    e.execute(
        "INSERT INTO tokens (hash, user_id, file_id, can_write, expires_at, created_at, client, \
         session_id, scope, folder_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            hash,
            &token.user_id,
            file_id,
            token.can_write,
            token.expires_at,
            now,
            token.client.as_deref(),
            token.session_id.as_deref(),
            scope,
            folder_id
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn token(
    e: &impl SqlEngine,
    hash: &[u8],
) -> Result<Option<(TokenRecord, UserRecord)>, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT t.scope, t.file_id, t.folder_id, t.can_write, t.expires_at, t.client, \
                    t.session_id, u.* \
             FROM tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.hash = $1 AND NOT u.disabled",
            args![hash],
        )
        .await?;
    one(row, |r| {
        let user = rows::user(r)?;
        let token = TokenRecord {
            user_id: user.id.clone(),
            scope: rows::token_scope(r)?,
            can_write: r.flag("can_write")?,
            expires_at: r.int("expires_at")?,
            client: r.opt_text("client")?,
            session_id: r.opt_text("session_id")?,
        };
        Ok((token, user))
    })
}

pub(super) async fn revoke_token(e: &impl SqlEngine, hash: &[u8]) -> Result<bool, StoreError> {
    let n = e
        .execute("DELETE FROM tokens WHERE hash = $1", args![hash])
        .await?;
    Ok(n > 0)
}

pub(super) async fn purge_expired_tokens(e: &impl SqlEngine, now: i64) -> Result<u64, StoreError> {
    e.execute("DELETE FROM tokens WHERE expires_at < $1", args![now])
        .await
}

pub(super) async fn editing_sessions(
    e: &impl SqlEngine,
    now: i64,
) -> Result<Vec<EditingSession>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT t.user_id, t.scope, t.file_id, t.folder_id, t.can_write, t.expires_at, t.client, t.session_id, \
                    u.name AS user_name, f.name AS file_name \
             FROM tokens t JOIN users u ON u.id = t.user_id JOIN files f ON f.id = t.file_id \
             WHERE t.client IS NOT NULL AND t.scope = 'file' AND t.expires_at > $1 AND f.deleted_at IS NULL \
             ORDER BY t.created_at DESC LIMIT 200",
            args![now],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(EditingSession {
            token: rows::token(r)?,
            user_name: r.text("user_name")?,
            file_name: r.text("file_name")?,
        })
    })
}
