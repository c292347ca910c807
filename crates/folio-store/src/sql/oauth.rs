//! OAuth 2.0 for Office mobile's bootstrapper: registered clients, authorization codes (single
//! use, by hash), grants (one user's consent to one client) and the OAuth access and refresh
//! tokens hanging off a grant (by hash, `kind` `access` | `refresh`). Reusing a code or a
//! rotated refresh token revokes the grant it belongs to.
//!
//! Redirect URIs are stored one a line (a URI has no line breaks; the CLI refuses them).
//! Not here: secrets and PKCE checks (folio-app), token formats (folio-app `tokens`).

use super::rows::{self, one};
use super::{SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

const ACCESS: &str = "access";
const REFRESH: &str = "refresh";

fn client(r: &impl SqlRow) -> Result<OAuthClientRecord, StoreError> {
    Ok(OAuthClientRecord {
        id: r.text("id")?,
        name: r.text("name")?,
        secret_hash: r.text("secret_hash")?,
        redirect_uris: r
            .text("redirect_uris")?
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: r.int("created_at")?,
    })
}

fn code(r: &impl SqlRow) -> Result<OAuthCodeRecord, StoreError> {
    Ok(OAuthCodeRecord {
        client_id: r.text("client_id")?,
        user_id: r.text("user_id")?,
        redirect_uri: r.opt_text("redirect_uri")?,
        scope: r.text("scope")?,
        code_challenge: r.opt_text("code_challenge")?,
        challenge_method: r.opt_text("challenge_method")?,
        expires_at: r.int("expires_at")?,
        used: r.opt_int("used_at")?.is_some(),
    })
}

fn grant(r: &impl SqlRow) -> Result<OAuthGrantRecord, StoreError> {
    Ok(OAuthGrantRecord {
        id: r.text("grant_id")?,
        client_id: r.text("client_id")?,
        user_id: r.text("grant_user_id")?,
        scope: r.text("scope")?,
        created_at: r.int("grant_created_at")?,
        last_used_at: r.int("last_used_at")?,
    })
}

/// The grant columns as [`grant`] reads them (`g` is `oauth_grants`).
const GRANT_COLUMNS: &str = "g.id AS grant_id, g.client_id, g.user_id AS grant_user_id, g.scope, \
     g.created_at AS grant_created_at, g.last_used_at";

pub(super) async fn create_oauth_client(
    e: &impl SqlEngine,
    c: &OAuthClientRecord,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO oauth_clients (id, name, secret_hash, redirect_uris, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        args![
            &c.id,
            &c.name,
            &c.secret_hash,
            c.redirect_uris.join("\n").as_str(),
            c.created_at
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn oauth_client(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<OAuthClientRecord>, StoreError> {
    let row = e
        .fetch_optional("SELECT * FROM oauth_clients WHERE id = $1", args![id])
        .await?;
    one(row, client)
}

pub(super) async fn list_oauth_clients(
    e: &impl SqlEngine,
) -> Result<Vec<OAuthClientRecord>, StoreError> {
    let rows = e
        .fetch_all("SELECT * FROM oauth_clients ORDER BY created_at, id", &[])
        .await?;
    rows::all(&rows, client)
}

/// Deletes the grants matching `condition` (on `oauth_grants`, with `args`) and their tokens.
async fn delete_grants(
    tx: &mut impl SqlTx,
    condition: &str,
    args: &[super::Arg<'_>],
) -> Result<u64, StoreError> {
    tx.execute(
        &format!(
            "DELETE FROM oauth_tokens WHERE grant_id IN (SELECT id FROM oauth_grants WHERE {condition})"
        ),
        args,
    )
    .await?;
    tx.execute(&format!("DELETE FROM oauth_grants WHERE {condition}"), args)
        .await
}

/// Ends every OAuth grant of a user (disable, password change), inside the caller's
/// transaction; unused codes go too.
pub(super) async fn end_user_grants(tx: &mut impl SqlTx, user_id: &str) -> Result<(), StoreError> {
    delete_grants(tx, "user_id = $1", args![user_id]).await?;
    tx.execute("DELETE FROM oauth_codes WHERE user_id = $1", args![user_id])
        .await?;
    Ok(())
}

pub(super) async fn delete_oauth_client(e: &impl SqlEngine, id: &str) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    delete_grants(&mut tx, "client_id = $1", args![id]).await?;
    tx.execute("DELETE FROM oauth_codes WHERE client_id = $1", args![id])
        .await?;
    let n = tx
        .execute("DELETE FROM oauth_clients WHERE id = $1", args![id])
        .await?;
    tx.commit().await?;
    Ok(n > 0)
}

pub(super) async fn insert_oauth_code(
    e: &impl SqlEngine,
    hash: &[u8],
    c: &OAuthCodeRecord,
    now: i64,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO oauth_codes (hash, client_id, user_id, redirect_uri, scope, code_challenge, \
         challenge_method, expires_at, used_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
        args![
            hash,
            &c.client_id,
            &c.user_id,
            c.redirect_uri.as_deref(),
            &c.scope,
            c.code_challenge.as_deref(),
            c.challenge_method.as_deref(),
            c.expires_at,
            now
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn oauth_code(
    e: &impl SqlEngine,
    hash: &[u8],
) -> Result<Option<OAuthCodeRecord>, StoreError> {
    let row = e
        .fetch_optional("SELECT * FROM oauth_codes WHERE hash = $1", args![hash])
        .await?;
    one(row, code)
}

/// Stores the tokens of `issue` on `grant_id`.
async fn insert_tokens(
    tx: &mut impl SqlTx,
    grant_id: &str,
    issue: &OAuthIssue,
    now: i64,
) -> Result<(), StoreError> {
    const INSERT: &str = "INSERT INTO oauth_tokens (hash, grant_id, kind, expires_at, used_at, \
                          created_at) VALUES ($1, $2, $3, $4, NULL, $5)";
    tx.execute(
        INSERT,
        args![
            issue.access_hash.as_slice(),
            grant_id,
            ACCESS,
            issue.access_expires_at,
            now
        ],
    )
    .await?;
    if let Some((hash, expires_at)) = &issue.refresh {
        tx.execute(
            INSERT,
            args![hash.as_slice(), grant_id, REFRESH, *expires_at, now],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn redeem_oauth_code<E: SqlEngine>(
    e: &E,
    hash: &[u8],
    g: &OAuthGrantRecord,
    issue: &OAuthIssue,
    now: i64,
) -> Result<CodeRedemption, StoreError> {
    let mut tx = e.begin().await?;
    let sql = format!(
        "SELECT * FROM oauth_codes WHERE hash = $1{}",
        E::DIALECT.for_update
    );
    let Some(found) = one(tx.fetch_optional(&sql, args![hash]).await?, code)? else {
        return Ok(CodeRedemption::Unusable);
    };
    if found.used {
        delete_grants(&mut tx, "code_hash = $1", args![hash]).await?;
        tx.commit().await?;
        return Ok(CodeRedemption::Reused);
    }
    tx.execute(
        "UPDATE oauth_codes SET used_at = $1 WHERE hash = $2",
        args![now, hash],
    )
    .await?;
    if found.expires_at <= now {
        tx.commit().await?;
        return Ok(CodeRedemption::Unusable);
    }
    tx.execute(
        "INSERT INTO oauth_grants (id, client_id, user_id, scope, code_hash, created_at, \
         last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            &g.id,
            &g.client_id,
            &g.user_id,
            &g.scope,
            hash,
            g.created_at,
            g.last_used_at
        ],
    )
    .await?;
    insert_tokens(&mut tx, &g.id, issue, now).await?;
    tx.commit().await?;
    Ok(CodeRedemption::Issued)
}

pub(super) async fn oauth_access(
    e: &impl SqlEngine,
    hash: &[u8],
    now: i64,
) -> Result<Option<(OAuthGrantRecord, UserRecord)>, StoreError> {
    let row = e
        .fetch_optional(
            &format!(
                "SELECT {GRANT_COLUMNS}, u.* FROM oauth_tokens t \
                 JOIN oauth_grants g ON g.id = t.grant_id JOIN users u ON u.id = g.user_id \
                 WHERE t.hash = $1 AND t.kind = $2 AND t.expires_at > $3 AND NOT u.disabled"
            ),
            args![hash, ACCESS, now],
        )
        .await?;
    one(row, |r| Ok((grant(r)?, rows::user(r)?)))
}

pub(super) async fn rotate_oauth_refresh<E: SqlEngine>(
    e: &E,
    hash: &[u8],
    client_id: &str,
    issue: &OAuthIssue,
    now: i64,
) -> Result<RefreshRotation, StoreError> {
    let mut tx = e.begin().await?;
    let sql = format!(
        "SELECT {GRANT_COLUMNS}, t.expires_at, t.used_at FROM oauth_tokens t \
         JOIN oauth_grants g ON g.id = t.grant_id \
         JOIN users u ON u.id = g.user_id \
         WHERE t.hash = $1 AND t.kind = $2 AND NOT u.disabled{}",
        E::DIALECT.for_update
    );
    let Some(row) = tx.fetch_optional(&sql, args![hash, REFRESH]).await? else {
        return Ok(RefreshRotation::Unusable);
    };
    let mut g = grant(&row)?;
    if g.client_id != client_id {
        return Ok(RefreshRotation::Unusable);
    }
    if row.opt_int("used_at")?.is_some() {
        delete_grants(&mut tx, "id = $1", args![&g.id]).await?;
        tx.commit().await?;
        return Ok(RefreshRotation::Reused);
    }
    if row.int("expires_at")? <= now {
        return Ok(RefreshRotation::Unusable);
    }
    tx.execute(
        "UPDATE oauth_tokens SET used_at = $1 WHERE hash = $2",
        args![now, hash],
    )
    .await?;
    // The access tokens issued before stop working: only the newest pair is live.
    tx.execute(
        "DELETE FROM oauth_tokens WHERE grant_id = $1 AND kind = $2",
        args![&g.id, ACCESS],
    )
    .await?;
    tx.execute(
        "UPDATE oauth_grants SET last_used_at = $1 WHERE id = $2",
        args![now, &g.id],
    )
    .await?;
    insert_tokens(&mut tx, &g.id, issue, now).await?;
    tx.commit().await?;
    g.last_used_at = now;
    Ok(RefreshRotation::Rotated(g))
}

pub(super) async fn oauth_grants(
    e: &impl SqlEngine,
    user_id: Option<&str>,
) -> Result<Vec<OAuthGrantView>, StoreError> {
    let rows = e
        .fetch_all(
            &format!(
                "SELECT {GRANT_COLUMNS}, c.name AS client_name, u.login AS user_login \
                 FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id \
                 JOIN users u ON u.id = g.user_id \
                 WHERE ($1 IS NULL OR g.user_id = $1) \
                 ORDER BY g.created_at DESC, g.id LIMIT 500"
            ),
            args![user_id],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(OAuthGrantView {
            grant: grant(r)?,
            client_name: r.text("client_name")?,
            user_login: r.text("user_login")?,
        })
    })
}

pub(super) async fn revoke_oauth_grant(
    e: &impl SqlEngine,
    id: &str,
    user_id: Option<&str>,
) -> Result<bool, StoreError> {
    let mut tx = e.begin().await?;
    let n = delete_grants(
        &mut tx,
        "id = $1 AND ($2 IS NULL OR user_id = $2)",
        args![id, user_id],
    )
    .await?;
    tx.commit().await?;
    Ok(n > 0)
}

pub(super) async fn purge_expired_oauth(e: &impl SqlEngine, now: i64) -> Result<u64, StoreError> {
    let mut tx = e.begin().await?;
    let mut n = tx
        .execute("DELETE FROM oauth_codes WHERE expires_at < $1", args![now])
        .await?;
    n += tx
        .execute("DELETE FROM oauth_tokens WHERE expires_at < $1", args![now])
        .await?;
    n += tx
        .execute(
            "DELETE FROM oauth_grants WHERE NOT EXISTS \
             (SELECT 1 FROM oauth_tokens t WHERE t.grant_id = oauth_grants.id)",
            &[],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}
