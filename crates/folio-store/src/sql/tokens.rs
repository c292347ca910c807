//! WOPI access tokens (stored by hash): minting, lookup with the user they speak for,
//! revocation, the expiry purge, and the live editor tokens shown as editing sessions.
//! A token's scope is three columns: `scope` (`file` | `container` | `ecosystem`), `file_id`
//! (`''` unless a file token, so a replica that predates scopes never matches it to a file)
//! and `folder_id` (container tokens).

use std::sync::LazyLock;

use super::rows::{self, FILE_COLUMNS, Prefixed, USER_COLUMNS_PREFIXED, one};
use super::{Arg, SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

/// The columns of a token row, in the order [`token_args`] binds them.
const INSERT_COLUMNS: &str = "INSERT INTO tokens (hash, user_id, file_id, can_write, \
     expires_at, created_at, client, session_id, scope, folder_id, link_id) VALUES ";
const COLS: usize = 11;

/// One token row's values, in [`INSERT_COLUMNS`]' order.
fn token_args<'a>(hash: &'a [u8], token: &'a TokenRecord, now: i64) -> [Arg<'a>; COLS] {
    let (scope, file_id, folder_id) = rows::token_scope_to_db(&token.scope);
    [
        Arg::from(hash),
        Arg::from(&token.user_id),
        Arg::from(file_id),
        Arg::from(token.can_write),
        Arg::from(token.expires_at),
        Arg::from(now),
        Arg::from(token.client.as_deref()),
        Arg::from(token.session_id.as_deref()),
        Arg::from(scope),
        Arg::from(folder_id),
        Arg::from(token.link_id.as_deref()),
    ]
}

/// `($1, …, $11), ($12, …)` for `rows` rows.
fn placeholders(rows: usize) -> String {
    (0..rows)
        .map(|r| {
            let cols: Vec<String> = (1..=COLS).map(|c| format!("${}", r * COLS + c)).collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn insert_token(
    e: &impl SqlEngine,
    hash: &[u8],
    token: &TokenRecord,
    now: i64,
) -> Result<(), StoreError> {
    let sql = format!("{INSERT_COLUMNS}{}", placeholders(1));
    e.execute(&sql, &token_args(hash, token, now)).await?;
    Ok(())
}

/// Many tokens in one transaction, a few hundred to an `INSERT`.
pub(super) async fn insert_tokens(
    e: &impl SqlEngine,
    tokens: &[(Vec<u8>, TokenRecord)],
    now: i64,
) -> Result<(), StoreError> {
    const ROWS: usize = 300;
    let mut tx = e.begin().await?;
    for chunk in tokens.chunks(ROWS) {
        let sql = format!("{INSERT_COLUMNS}{}", placeholders(chunk.len()));
        let args: Vec<Arg<'_>> = chunk
            .iter()
            .flat_map(|(hash, token)| token_args(hash, token, now))
            .collect();
        tx.execute(&sql, &args).await?;
    }
    tx.commit().await
}

pub(super) async fn token(
    e: &impl SqlEngine,
    hash: &[u8],
) -> Result<Option<(TokenRecord, UserRecord)>, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT t.scope, t.file_id, t.folder_id, t.can_write, t.expires_at, t.client, \
                    t.session_id, t.link_id, u.* \
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
            link_id: r.opt_text("link_id")?,
        };
        Ok((token, user))
    })
}

/// `token`, plus the live file the token is for and whether its folder is the user's, read in
/// the same statement (one round trip for every WOPI request:
/// [`crate::MetadataStore::token_with_file`]). The user's columns are
/// read under a `u_` prefix, since `id` and `name` are also file columns. The file is joined as
/// [`rows::FILE_FROM`] does, written as plain `LEFT JOIN`s so that SQLite can flatten them
/// (a parenthesised join on the right of a `LEFT JOIN` would be materialised).
pub(super) async fn token_with_file(
    e: &impl SqlEngine,
    hash: &[u8],
) -> Result<Option<TokenWithFile>, StoreError> {
    // Built once (it is the same for every request).
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT t.scope AS t_scope, t.file_id AS t_file_id, t.folder_id AS t_folder_id, \
                t.can_write AS t_can_write, \
                t.expires_at AS t_expires_at, t.client AS t_client, \
                t.session_id AS t_session_id, t.link_id AS t_link_id, {USER_COLUMNS_PREFIXED}, {FILE_COLUMNS}, \
                CASE WHEN fo.owner_id = u.id AND fo.deleted_at IS NULL THEN 1 ELSE 0 END AS fo_users \
         FROM tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN files f ON f.id = t.file_id AND f.deleted_at IS NULL \
         LEFT JOIN file_versions v ON v.file_id = f.id AND v.version = f.version \
         LEFT JOIN folders fo ON fo.id = f.folder_id \
         WHERE t.hash = $1 AND NOT u.disabled"
        )
    });
    let row = e.fetch_optional(&SQL, args![hash]).await?;
    one(row, |r| {
        let user = rows::user(&Prefixed(r, "u_"))?;
        let token = TokenRecord {
            user_id: user.id.clone(),
            scope: rows::token_scope(&Prefixed(r, "t_"))?,
            can_write: r.flag("t_can_write")?,
            expires_at: r.int("t_expires_at")?,
            client: r.opt_text("t_client")?,
            session_id: r.opt_text("t_session_id")?,
            link_id: r.opt_text("t_link_id")?,
        };
        // The file columns are all NULL when the file is missing or deleted, and for container
        // and ecosystem tokens (whose `file_id` is empty).
        let file = match r.opt_text("id")? {
            Some(_) => Some(rows::file(r)?),
            None => None,
        };
        Ok(TokenWithFile {
            token,
            user,
            folder_is_users: file.is_some() && r.opt_int4("fo_users")? == Some(1),
            file,
        })
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
    active_since: i64,
) -> Result<Vec<EditingSession>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT t.user_id, t.scope, t.file_id, t.folder_id, t.can_write, t.expires_at, t.client, t.session_id, t.link_id, \
                    t.created_at, t.last_used_at, u.name AS user_name, f.name AS file_name \
             FROM tokens t JOIN users u ON u.id = t.user_id JOIN files f ON f.id = t.file_id \
             WHERE t.client IS NOT NULL AND t.scope = 'file' AND t.expires_at > $1 AND f.deleted_at IS NULL \
               AND t.last_used_at >= $2 \
             ORDER BY t.last_used_at DESC, t.created_at DESC LIMIT 200",
            args![now, active_since],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(EditingSession {
            token: rows::token(r)?,
            user_name: r.text("user_name")?,
            file_name: r.text("file_name")?,
            created_at: r.int("created_at")?,
            last_used_at: r.opt_int("last_used_at")?,
        })
    })
}

/// Records a use of the token, at most once per `min_interval_ms` (the condition is in the
/// statement, so racing requests write it once).
pub(super) async fn touch_token(
    e: &impl SqlEngine,
    hash: &[u8],
    now: i64,
    min_interval_ms: i64,
) -> Result<(), StoreError> {
    e.execute(
        "UPDATE tokens SET last_used_at = $1 \
         WHERE hash = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
        args![now, hash, now.saturating_sub(min_interval_ms)],
    )
    .await?;
    Ok(())
}
