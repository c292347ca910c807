//! Sign-in sessions of the web pages (stored by hash, with their CSRF token) and the
//! failed-login record behind the sign-in rate limit.

use super::rows::{self, count_from_db, one};
use super::{SqlEngine, SqlRow, args};
use crate::error::StoreError;
use crate::model::*;

pub(super) async fn create_session(
    e: &impl SqlEngine,
    hash: &[u8],
    user_id: &str,
    csrf: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO sessions (hash, user_id, csrf, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        args![hash, user_id, csrf, expires_at, now],
    )
    .await?;
    Ok(())
}

pub(super) async fn session(
    e: &impl SqlEngine,
    hash: &[u8],
    now: i64,
) -> Result<Option<SessionRecord>, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT s.csrf, s.expires_at AS session_expires_at, u.* FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
            args![hash, now],
        )
        .await?;
    one(row, |r| {
        Ok(SessionRecord {
            user: rows::user(r)?,
            csrf: r.text("csrf")?,
            expires_at: r.int("session_expires_at")?,
        })
    })
}

pub(super) async fn delete_session(e: &impl SqlEngine, hash: &[u8]) -> Result<(), StoreError> {
    e.execute("DELETE FROM sessions WHERE hash = $1", args![hash])
        .await?;
    Ok(())
}

pub(super) async fn record_login_failure(
    e: &impl SqlEngine,
    login: &str,
    now: i64,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO login_failures (login, at) VALUES ($1, $2)",
        args![login, now],
    )
    .await?;
    Ok(())
}

pub(super) async fn login_failures_since(
    e: &impl SqlEngine,
    login: &str,
    since: i64,
) -> Result<u64, StoreError> {
    let row = e
        .fetch_optional(
            "SELECT COUNT(*) AS n FROM login_failures WHERE login = $1 AND at >= $2",
            args![login, since],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(count_from_db(row.int("n")?))
}

pub(super) async fn record_login_failure_from(
    e: &impl SqlEngine,
    login: &str,
    source: &str,
    now: i64,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO login_failures (login, at, source) VALUES ($1, $2, $3)",
        args![login, now, source],
    )
    .await?;
    Ok(())
}

pub(super) async fn login_failures_from(
    e: &impl SqlEngine,
    login: &str,
    source: &str,
    since: i64,
) -> Result<(u64, Option<i64>), StoreError> {
    let row = e
        .fetch_optional(
            "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures \
             WHERE login = $1 AND source = $2 AND at >= $3",
            args![login, source, since],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((count_from_db(row.int("n")?), row.opt_int("last")?))
}

pub(super) async fn clear_login_failures(
    e: &impl SqlEngine,
    login: &str,
    source: Option<&str>,
) -> Result<u64, StoreError> {
    e.execute(
        "DELETE FROM login_failures WHERE login = $1 AND ($2 IS NULL OR source = $2)",
        args![login, source],
    )
    .await
}

/// A user's live sign-in sessions, newest first.
pub(super) async fn user_sessions(
    e: &impl SqlEngine,
    user_id: &str,
    now: i64,
) -> Result<Vec<UserSession>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT hash, created_at, expires_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, hash",
            args![user_id, now],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(UserSession {
            hash: r.bytes("hash")?,
            created_at: r.int("created_at")?,
            expires_at: r.int("expires_at")?,
        })
    })
}

/// Ends every session of `user_id` except the one stored under `keep`; how many.
pub(super) async fn end_other_sessions(
    e: &impl SqlEngine,
    user_id: &str,
    keep: &[u8],
) -> Result<u64, StoreError> {
    e.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND hash <> $2",
        args![user_id, keep],
    )
    .await
}
