//! Users: local accounts with their root folder, passwords, PutUserInfo. External users (mapped
//! from an integrating application) are in `integration.rs`.

use super::rows::{self, one};
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;
use crate::random_id;

/// Inserts a user's root folder (no parent, empty name).
pub(super) async fn insert_root_folder(
    tx: &mut impl SqlTx,
    root: &str,
    owner_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
         VALUES ($1, $2, NULL, '', '', $3)",
        args![root, owner_id, now],
    )
    .await?;
    Ok(())
}

pub(super) async fn create_user(
    e: &impl SqlEngine,
    user: NewUser,
    now: i64,
) -> Result<UserRecord, StoreError> {
    let mut tx = e.begin().await?;
    let created = insert_user(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// Inserts a user and its root folder inside `tx`.
async fn insert_user(
    tx: &mut impl SqlTx,
    user: NewUser,
    now: i64,
) -> Result<UserRecord, StoreError> {
    let id = random_id(16);
    let root = random_id(16);
    tx.execute(
        "INSERT INTO users (id, login, name, email, is_admin, password_hash, root_folder_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            &id,
            &user.login,
            &user.name,
            &user.email,
            user.is_admin,
            user.password_hash.as_deref(),
            &root,
            now
        ],
    )
    .await?;
    insert_root_folder(tx, &root, &id, now).await?;
    Ok(UserRecord {
        id,
        login: user.login,
        name: user.name,
        email: user.email,
        is_admin: user.is_admin,
        password_hash: user.password_hash,
        user_info: None,
        root_folder_id: root,
        disabled: false,
    })
}

/// The marker row of the first-run setup: its unique name makes a second setup transaction
/// wait for the first and then fail, instead of both seeing an empty user table.
const FIRST_USER_MARKER: &str = "first-user-setup";

pub(super) async fn create_first_user(
    e: &impl SqlEngine,
    user: NewUser,
    now: i64,
) -> Result<Option<UserRecord>, StoreError> {
    let mut tx = e.begin().await?;
    match tx
        .execute(
            "INSERT INTO secrets (name, value) VALUES ($1, $2)",
            args![FIRST_USER_MARKER, user.login.as_bytes()],
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::AlreadyExists) => return Ok(None),
        Err(other) => return Err(other),
    }
    let row = tx
        .fetch_optional("SELECT EXISTS (SELECT 1 FROM users) AS present", &[])
        .await?
        .ok_or(StoreError::NotFound)?;
    if super::SqlRow::flag(&row, "present")? {
        return Ok(None);
    }
    let created = insert_user(&mut tx, user, now).await?;
    tx.commit().await?;
    Ok(Some(created))
}

pub(super) async fn any_user(e: &impl SqlEngine) -> Result<bool, StoreError> {
    let row = e
        .fetch_optional("SELECT EXISTS (SELECT 1 FROM users) AS present", &[])
        .await?
        .ok_or(StoreError::NotFound)?;
    super::SqlRow::flag(&row, "present")
}

pub(super) async fn user_by_login(
    e: &impl SqlEngine,
    login: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let row = e
        .fetch_optional("SELECT * FROM users WHERE login = $1", args![login])
        .await?;
    one(row, rows::user)
}

pub(super) async fn user_by_id(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let row = e
        .fetch_optional("SELECT * FROM users WHERE id = $1", args![id])
        .await?;
    one(row, rows::user)
}

pub(super) async fn list_users<E: SqlEngine>(e: &E) -> Result<Vec<UserRecord>, StoreError> {
    let sql = format!(
        "SELECT * FROM users ORDER BY login{}",
        E::DIALECT.byte_order
    );
    rows::all(&e.fetch_all(&sql, &[]).await?, rows::user)
}

/// Sets one column of a user inside `tx`; `NotFound` when there is no such user.
async fn update_user(
    tx: &mut impl SqlTx,
    sql: &str,
    value: super::Arg<'_>,
    user_id: &str,
) -> Result<(), StoreError> {
    if tx.execute(sql, &[value, user_id.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Ends every sign-in session of a user.
async fn end_sessions(tx: &mut impl SqlTx, user_id: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])
        .await?;
    Ok(())
}

pub(super) async fn set_user_disabled(
    e: &impl SqlEngine,
    user_id: &str,
    disabled: bool,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    update_user(
        &mut tx,
        "UPDATE users SET disabled = $1 WHERE id = $2",
        disabled.into(),
        user_id,
    )
    .await?;
    if disabled {
        end_access(&mut tx, user_id, None).await?;
    }
    tx.commit().await
}

/// Ends everything a user signed in with: sign-in sessions, OAuth grants, access tokens (those of editing
/// sessions too) and editing sessions with their launch codes (marked revoked at `revoked_at`,
/// or at their creation when no time is given). Final: nothing comes back on re-enable.
async fn end_access(
    tx: &mut impl SqlTx,
    user_id: &str,
    revoked_at: Option<i64>,
) -> Result<(), StoreError> {
    end_sessions(tx, user_id).await?;
    super::oauth::end_user_grants(tx, user_id).await?;
    tx.execute("DELETE FROM tokens WHERE user_id = $1", args![user_id])
        .await?;
    tx.execute(
        "UPDATE wopi_sessions SET revoked_at = COALESCE($1, created_at), launch_hash = NULL \
         WHERE user_id = $2 AND revoked_at IS NULL",
        args![revoked_at, user_id],
    )
    .await?;
    Ok(())
}

pub(super) async fn disable_user(
    e: &impl SqlEngine,
    user_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    update_user(
        &mut tx,
        "UPDATE users SET disabled = $1 WHERE id = $2",
        true.into(),
        user_id,
    )
    .await?;
    end_access(&mut tx, user_id, Some(now)).await?;
    tx.commit().await
}

pub(super) async fn set_password(
    e: &impl SqlEngine,
    user_id: &str,
    hash: &str,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    update_user(
        &mut tx,
        "UPDATE users SET password_hash = $1 WHERE id = $2",
        hash.into(),
        user_id,
    )
    .await?;
    end_sessions(&mut tx, user_id).await?;
    super::oauth::end_user_grants(&mut tx, user_id).await?;
    tx.commit().await
}

pub(super) async fn set_user_info(
    e: &impl SqlEngine,
    user_id: &str,
    info: &str,
) -> Result<(), StoreError> {
    let n = e
        .execute(
            "UPDATE users SET user_info = $1 WHERE id = $2",
            args![info, user_id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
