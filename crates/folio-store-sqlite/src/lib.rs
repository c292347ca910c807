#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use folio_store::metadata::NameCandidates;
use folio_store::*;
use folio_wopi::lock::{self, LockRequest, LockState};
use folio_wopi::{FileId, LockId, WopiError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Metadata in one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
}

fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyExists,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::backend(other),
    }
}

fn name_key(name: &str) -> String {
    name.to_lowercase()
}

const FILE_COLUMNS: &str = "f.id, f.folder_id, f.owner_id, f.name, f.version, f.lock_id, \
     f.lock_expires_at, v.blob_key, v.size, v.sha256, v.created_at, v.author_id, v.source, \
     CASE WHEN fo.parent_id IS NULL THEN NULL ELSE fo.name END AS folder_name";

/// Files joined with their current version and folder.
const FILE_FROM: &str = "files f JOIN file_versions v ON v.file_id = f.id AND v.version = f.version \
     JOIN folders fo ON fo.id = f.folder_id";

fn content_from_row(row: &SqliteRow) -> Result<ContentRecord, sqlx::Error> {
    Ok(ContentRecord {
        blob_key: row.try_get("blob_key")?,
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
        author_id: row.try_get("author_id")?,
        source: row.try_get("source")?,
    })
}

fn file_from_row(row: &SqliteRow) -> Result<FileRecord, sqlx::Error> {
    let lock_id: Option<String> = row.try_get("lock_id")?;
    let lock_expires_at: Option<i64> = row.try_get("lock_expires_at")?;
    Ok(FileRecord {
        id: FileId::from_trusted(row.try_get("id")?),
        folder_id: row.try_get("folder_id")?,
        owner_id: row.try_get("owner_id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        content: content_from_row(row)?,
        folder_name: row.try_get("folder_name")?,
        lock: match (lock_id, lock_expires_at) {
            (Some(id), Some(expires_at)) => Some(LockState {
                id: LockId::from_trusted(id),
                expires_at,
            }),
            _ => None,
        },
    })
}

fn user_from_row(row: &SqliteRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        login: row.try_get("login")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        is_admin: row.try_get("is_admin")?,
        password_hash: row.try_get("password_hash")?,
        user_info: row.try_get("user_info")?,
        root_folder_id: row.try_get("root_folder_id")?,
        disabled: row.try_get("disabled")?,
    })
}

fn api_key_from_row(row: &SqliteRow) -> Result<ApiKeyRecord, sqlx::Error> {
    let scopes: String = row.try_get("scopes")?;
    Ok(ApiKeyRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        app_user_id: row.try_get("app_user_id")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn session_from_row(row: &SqliteRow) -> Result<WopiSessionRecord, sqlx::Error> {
    Ok(WopiSessionRecord {
        id: row.try_get("id")?,
        api_key_id: row.try_get("api_key_id")?,
        user_id: row.try_get("user_id")?,
        file_id: FileId::from_trusted(row.try_get("file_id")?),
        can_write: row.try_get("can_write")?,
        client: row.try_get("client")?,
        action: row.try_get("action")?,
        expires_at: row.try_get("expires_at")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
        close_url: row.try_get("close_url")?,
    })
}

fn delivery_from_row(row: &SqliteRow) -> Result<Delivery, sqlx::Error> {
    Ok(Delivery {
        id: row.try_get("id")?,
        event: OutboxEvent {
            id: row.try_get("event_id")?,
            event_type: row.try_get("event_type")?,
            payload: row.try_get("payload")?,
            created_at: row.try_get("event_created_at")?,
        },
        url: row.try_get("url")?,
        state: row.try_get("state")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
        delivered_at: row.try_get("delivered_at")?,
    })
}

fn folder_from_row(row: &SqliteRow) -> Result<FolderRecord, sqlx::Error> {
    Ok(FolderRecord {
        id: row.try_get("id")?,
        owner_id: row.try_get("owner_id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
    })
}

fn role_from_i64(r: i64) -> Role {
    match r {
        2 => Role::Owner,
        1 => Role::Editor,
        _ => Role::Viewer,
    }
}

/// The `role` column of an optional row (no row, or NULL: no role).
fn role_of(row: Option<SqliteRow>) -> Result<Option<Role>, StoreError> {
    match row {
        None => Ok(None),
        Some(r) => {
            let role: Option<i64> = r.try_get("role").map_err(map_err)?;
            Ok(role.map(role_from_i64))
        }
    }
}

fn role_to_i64(r: Role) -> i64 {
    match r {
        Role::Owner => 2,
        Role::Editor => 1,
        Role::Viewer => 0,
    }
}

async fn file_in_tx(
    tx: &mut Transaction<'static, Sqlite>,
    id: &FileId,
) -> Result<FileRecord, StoreError> {
    let sql =
        format!("SELECT {FILE_COLUMNS} FROM {FILE_FROM} WHERE f.id = ? AND f.deleted_at IS NULL");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    file_from_row(&row).map_err(map_err)
}

async fn insert_version(
    tx: &mut Transaction<'static, Sqlite>,
    id: &str,
    version: i64,
    c: &ContentRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO file_versions (file_id, version, blob_key, size, sha256, created_at, \
         author_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(version)
    .bind(c.blob_key.as_str())
    .bind(c.size as i64)
    .bind(c.sha256.as_slice())
    .bind(c.created_at)
    .bind(c.author_id.as_str())
    .bind(c.source.as_str())
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn name_taken(
    tx: &mut Transaction<'static, Sqlite>,
    folder_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT id FROM files WHERE folder_id = ? AND name_key = ? AND deleted_at IS NULL",
    )
    .bind(folder_id)
    .bind(name_key(name))
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(match row {
        Some(r) => {
            let id: String = r.try_get("id").map_err(map_err)?;
            Some(id.as_str()) != except
        }
        None => false,
    })
}

async fn insert_event(
    tx: &mut Transaction<'static, Sqlite>,
    event: &OutboxEvent,
    urls: &[String],
) -> Result<(), StoreError> {
    if urls.is_empty() {
        return Ok(());
    }
    sqlx::query("INSERT INTO outbox (id, event_type, payload, created_at) VALUES (?, ?, ?, ?)")
        .bind(&event.id)
        .bind(&event.event_type)
        .bind(&event.payload)
        .bind(event.created_at)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    for url in urls {
        sqlx::query(
            "INSERT INTO deliveries (id, event_id, url, state, next_attempt_at, created_at) \
             VALUES (?, ?, ?, 'pending', ?, ?)",
        )
        .bind(random_id(20))
        .bind(&event.id)
        .bind(url)
        .bind(event.created_at)
        .bind(event.created_at)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

async fn emit_in(
    tx: &mut Transaction<'static, Sqlite>,
    emit: Option<&Emit<'_>>,
    file: &FileRecord,
) -> Result<(), StoreError> {
    match emit {
        Some(e) if !e.urls.is_empty() => insert_event(tx, &(e.build)(file), e.urls).await,
        _ => Ok(()),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(map_err)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        MIGRATOR.run(&write).await.map_err(StoreError::backend)?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.read_only(true))
            .await
            .map_err(map_err)?;
        Ok(Self { write, read })
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_err)
    }

    /// Closes both pools (checkpointing the WAL).
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

#[async_trait]
impl MetadataStore for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_user(&self, user: NewUser, now: i64) -> Result<UserRecord, StoreError> {
        let mut tx = self.begin().await?;
        let id = random_id(16);
        let root = random_id(16);
        sqlx::query(
            "INSERT INTO users (id, login, name, email, is_admin, password_hash, root_folder_id, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&user.login)
        .bind(&user.name)
        .bind(&user.email)
        .bind(user.is_admin)
        .bind(user.password_hash.as_deref())
        .bind(&root)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
             VALUES (?, ?, NULL, '', '', ?)",
        )
        .bind(&root)
        .bind(&id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
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

    async fn any_user(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM users) AS any")
            .fetch_one(&self.read)
            .await
            .map_err(map_err)?;
        row.try_get("any").map_err(map_err)
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE login = ?")
            .bind(login)
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| user_from_row(&r)).transpose().map_err(map_err)
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| user_from_row(&r)).transpose().map_err(map_err)
    }

    async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY login")
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(user_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn set_user_disabled(&self, user_id: &str, disabled: bool) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET disabled = ? WHERE id = ?")
            .bind(disabled)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn set_password(&self, user_id: &str, hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn set_user_info(&self, user_id: &str, info: &str) -> Result<(), StoreError> {
        let r = sqlx::query("UPDATE users SET user_info = ? WHERE id = ?")
            .bind(info)
            .bind(user_id)
            .execute(&self.write)
            .await
            .map_err(map_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn folder(&self, id: &str) -> Result<Option<FolderRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM folders WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| folder_from_row(&r))
            .transpose()
            .map_err(map_err)
    }

    async fn ensure_folder_path(
        &self,
        owner_id: &str,
        path: &[String],
        now: i64,
    ) -> Result<FolderRecord, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT f.* FROM folders f JOIN users u ON u.root_folder_id = f.id WHERE u.id = ?",
        )
        .bind(owner_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let mut folder = folder_from_row(&row).map_err(map_err)?;
        for name in path {
            let existing = sqlx::query(
                "SELECT * FROM folders WHERE owner_id = ? AND parent_id = ? AND name_key = ?",
            )
            .bind(owner_id)
            .bind(&folder.id)
            .bind(name_key(name))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            folder = match existing {
                Some(r) => folder_from_row(&r).map_err(map_err)?,
                None => {
                    let child = FolderRecord {
                        id: random_id(16),
                        owner_id: owner_id.to_owned(),
                        parent_id: Some(folder.id.clone()),
                        name: name.clone(),
                    };
                    sqlx::query(
                        "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&child.id)
                    .bind(owner_id)
                    .bind(&folder.id)
                    .bind(name)
                    .bind(name_key(name))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                    child
                }
            };
        }
        tx.commit().await.map_err(map_err)?;
        Ok(folder)
    }

    async fn list_folder(
        &self,
        folder_id: &str,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError> {
        let folders = sqlx::query("SELECT * FROM folders WHERE parent_id = ? ORDER BY name_key")
            .bind(folder_id)
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
             WHERE f.folder_id = ? AND f.deleted_at IS NULL ORDER BY f.name_key"
        );
        let files = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(folder_id)
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        let folders = folders
            .iter()
            .map(folder_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        let files = files
            .iter()
            .map(file_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        Ok((folders, files))
    }

    async fn create_file(
        &self,
        file: NewFile,
        names: NameCandidates<'_>,
        now: i64,
    ) -> Result<FileRecord, StoreError> {
        let mut tx = self.begin().await?;
        let mut n = 0;
        let name = loop {
            let Some(candidate) = names(n) else {
                return Err(StoreError::AlreadyExists);
            };
            if !name_taken(&mut tx, &file.folder_id, &candidate, None).await? {
                break candidate;
            }
            n += 1;
        };
        let id = random_id(22);
        sqlx::query(
            "INSERT INTO files (id, folder_id, owner_id, name, name_key, version, created_at) \
             VALUES (?, ?, ?, ?, ?, 1, ?)",
        )
        .bind(&id)
        .bind(&file.folder_id)
        .bind(&file.owner_id)
        .bind(&name)
        .bind(name_key(&name))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_version(&mut tx, &id, 1, &file.content).await?;
        let record = file_in_tx(&mut tx, &FileId::from_trusted(id)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(record)
    }

    async fn file(&self, id: &FileId) -> Result<Option<FileRecord>, StoreError> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM {FILE_FROM} WHERE f.id = ? AND f.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| file_from_row(&r)).transpose().map_err(map_err)
    }

    async fn file_by_name(
        &self,
        folder_id: &str,
        name: &str,
    ) -> Result<Option<FileRecord>, StoreError> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
             WHERE f.folder_id = ? AND f.name_key = ? AND f.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(folder_id)
            .bind(name_key(name))
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| file_from_row(&r)).transpose().map_err(map_err)
    }

    async fn role(&self, file_id: &FileId, user_id: &str) -> Result<Option<Role>, StoreError> {
        let row = sqlx::query(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT folder_id FROM files WHERE id = ?2 AND deleted_at IS NULL \
                 UNION ALL SELECT fo.parent_id FROM folders fo JOIN anc ON fo.id = anc.id \
                 WHERE fo.parent_id IS NOT NULL) \
             SELECT CASE WHEN f.owner_id = ?1 THEN 2 ELSE ( \
                 SELECT MAX(role) FROM ( \
                     SELECT role FROM shares WHERE file_id = ?2 AND user_id = ?1 \
                     UNION ALL SELECT role FROM folder_shares \
                     WHERE user_id = ?1 AND folder_id IN (SELECT id FROM anc))) END AS role \
             FROM files f WHERE f.id = ?2 AND f.deleted_at IS NULL",
        )
        .bind(user_id)
        .bind(file_id.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(map_err)?;
        role_of(row)
    }

    async fn folder_role(
        &self,
        folder_id: &str,
        user_id: &str,
    ) -> Result<Option<Role>, StoreError> {
        let row = sqlx::query(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT ?2 UNION ALL SELECT fo.parent_id FROM folders fo JOIN anc ON fo.id = anc.id \
                 WHERE fo.parent_id IS NOT NULL) \
             SELECT CASE WHEN d.owner_id = ?1 THEN 2 ELSE ( \
                 SELECT MAX(role) FROM folder_shares \
                 WHERE user_id = ?1 AND folder_id IN (SELECT id FROM anc)) END AS role \
             FROM folders d WHERE d.id = ?2",
        )
        .bind(user_id)
        .bind(folder_id)
        .fetch_optional(&self.read)
        .await
        .map_err(map_err)?;
        role_of(row)
    }

    async fn share_folder(
        &self,
        folder_id: &str,
        user_id: &str,
        role: Role,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO folder_shares (folder_id, user_id, role) VALUES (?, ?, ?) \
             ON CONFLICT (folder_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(folder_id)
        .bind(user_id)
        .bind(role_to_i64(role))
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn shared_with(
        &self,
        user_id: &str,
    ) -> Result<(Vec<(FolderRecord, Role)>, Vec<(FileRecord, Role)>), StoreError> {
        let folders = sqlx::query(
            "SELECT d.*, s.role AS share_role FROM folder_shares s JOIN folders d ON d.id = s.folder_id \
             WHERE s.user_id = ? ORDER BY d.name_key",
        )
        .bind(user_id)
        .fetch_all(&self.read)
        .await
        .map_err(map_err)?;
        let sql = format!(
            "SELECT {FILE_COLUMNS}, s.role AS share_role FROM {FILE_FROM} JOIN shares s ON s.file_id = f.id \
             WHERE s.user_id = ? AND f.deleted_at IS NULL ORDER BY f.name_key"
        );
        let files = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        let folders = folders
            .iter()
            .map(|r| Ok((folder_from_row(r)?, role_from_i64(r.try_get("share_role")?))))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map_err)?;
        let files = files
            .iter()
            .map(|r| Ok((file_from_row(r)?, role_from_i64(r.try_get("share_role")?))))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map_err)?;
        Ok((folders, files))
    }

    async fn create_folder(
        &self,
        parent_id: &str,
        name: &str,
        now: i64,
    ) -> Result<FolderRecord, StoreError> {
        let mut tx = self.begin().await?;
        let parent = sqlx::query("SELECT * FROM folders WHERE id = ?")
            .bind(parent_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        let parent = folder_from_row(&parent).map_err(map_err)?;
        let folder = FolderRecord {
            id: random_id(16),
            owner_id: parent.owner_id.clone(),
            parent_id: Some(parent.id.clone()),
            name: name.to_owned(),
        };
        sqlx::query(
            "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&folder.id)
        .bind(&folder.owner_id)
        .bind(&parent.id)
        .bind(name)
        .bind(name_key(name))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(folder)
    }

    async fn delete_folder(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT parent_id, \
               (SELECT COUNT(*) FROM folders c WHERE c.parent_id = d.id) + \
               (SELECT COUNT(*) FROM files f WHERE f.folder_id = d.id AND f.deleted_at IS NULL) AS children \
             FROM folders d WHERE d.id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        let parent: Option<String> = row.try_get("parent_id").map_err(map_err)?;
        let children: i64 = row.try_get("children").map_err(map_err)?;
        if parent.is_none() || children > 0 {
            return Ok(false);
        }
        // Deleted files keep pointing at their folder (their versions are kept), so the
        // folder row stays as a tombstone-free parent only if needed: re-home them to the parent.
        sqlx::query("UPDATE files SET folder_id = ? WHERE folder_id = ?")
            .bind(parent.as_deref())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM folder_shares WHERE folder_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM folders WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn move_file(
        &self,
        id: &FileId,
        folder_id: &str,
        _now: i64,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let file = file_in_tx(&mut tx, id).await?;
        let target = sqlx::query("SELECT id FROM folders WHERE id = ?")
            .bind(folder_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if target.is_none() {
            return Err(StoreError::NotFound);
        }
        if name_taken(&mut tx, folder_id, &file.name, Some(id.as_str())).await? {
            return Ok(Err(WopiError::NameExists { suggestion: None }));
        }
        sqlx::query("UPDATE files SET folder_id = ? WHERE id = ?")
            .bind(folder_id)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let moved = file_in_tx(&mut tx, id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Ok(moved))
    }

    async fn locked_files(&self, now: i64) -> Result<Vec<FileRecord>, StoreError> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
             WHERE f.lock_id IS NOT NULL AND f.lock_expires_at > ? AND f.deleted_at IS NULL \
             ORDER BY f.lock_expires_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(file_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn expire_locks_emitting(
        &self,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Vec<FileRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
             WHERE f.lock_id IS NOT NULL AND f.lock_expires_at <= ? AND f.deleted_at IS NULL"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_err)?;
        let files: Vec<FileRecord> = rows
            .iter()
            .map(file_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        for f in &files {
            sqlx::query("UPDATE files SET lock_id = NULL, lock_expires_at = NULL WHERE id = ? AND lock_expires_at <= ?")
                .bind(f.id.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for f in &files {
            emit_in(&mut tx, emit, f).await?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(files)
    }

    async fn force_unlock(&self, id: &FileId) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE files SET lock_id = NULL, lock_expires_at = NULL WHERE id = ? AND lock_id IS NOT NULL",
        )
        .bind(id.as_str())
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn editing_sessions(&self, now: i64) -> Result<Vec<EditingSession>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.user_id, t.file_id, t.can_write, t.expires_at, t.client, t.session_id, \
                    u.name AS user_name, \
                    f.name AS file_name \
             FROM tokens t JOIN users u ON u.id = t.user_id JOIN files f ON f.id = t.file_id \
             WHERE t.client IS NOT NULL AND t.expires_at > ? AND f.deleted_at IS NULL \
             ORDER BY t.created_at DESC LIMIT 200",
        )
        .bind(now)
        .fetch_all(&self.read)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(EditingSession {
                    token: TokenRecord {
                        user_id: r.try_get("user_id")?,
                        file_id: FileId::from_trusted(r.try_get("file_id")?),
                        can_write: r.try_get("can_write")?,
                        expires_at: r.try_get("expires_at")?,
                        client: r.try_get("client")?,
                        session_id: r.try_get("session_id")?,
                    },
                    user_name: r.try_get("user_name")?,
                    file_name: r.try_get("file_name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map_err)
    }

    async fn commit_version_emitting(
        &self,
        id: &FileId,
        check: WriteCheck,
        content: ContentRecord,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let mut file = file_in_tx(&mut tx, id).await?;
        let decision = match &check {
            WriteCheck::PutFile {
                lock: header,
                expected_version,
            } => match expected_version {
                Some(v) if *v != file.version => Err(WopiError::ContentChanged),
                _ => lock::check_put_file(
                    file.lock.as_ref(),
                    header.as_ref(),
                    file.content.size,
                    now,
                ),
            },
            WriteCheck::Unlocked => lock::check_unlocked(file.lock.as_ref(), now),
        };
        if let Err(e) = decision {
            return Ok(Err(e));
        }
        let version = file.version + 1;
        insert_version(&mut tx, id.as_str(), version, &content).await?;
        sqlx::query("UPDATE files SET version = ? WHERE id = ?")
            .bind(version)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        file.version = version;
        file.content = content.clone();
        emit_in(&mut tx, emit, &file).await?;
        tx.commit().await.map_err(map_err)?;
        file.version = version;
        file.content = content;
        Ok(Ok(file))
    }

    async fn apply_lock_emitting(
        &self,
        id: &FileId,
        request: &LockRequest,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<(Option<LockState>, FileRecord)>, StoreError> {
        let mut tx = self.begin().await?;
        let mut file = file_in_tx(&mut tx, id).await?;
        let next = match lock::transition(file.lock.as_ref(), request, now) {
            Ok(next) => next,
            Err(e) => return Ok(Err(e)),
        };
        sqlx::query("UPDATE files SET lock_id = ?, lock_expires_at = ? WHERE id = ?")
            .bind(next.as_ref().map(|l| l.id.as_str()))
            .bind(next.as_ref().map(|l| l.expires_at))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        file.lock = next.clone();
        emit_in(&mut tx, emit, &file).await?;
        tx.commit().await.map_err(map_err)?;
        file.lock = next.clone();
        Ok(Ok((next, file)))
    }

    async fn rename_file_emitting(
        &self,
        id: &FileId,
        lock_header: Option<&LockId>,
        names: NameCandidates<'_>,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<FileRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let mut file = file_in_tx(&mut tx, id).await?;
        if let Err(e) = lock::check_rename(file.lock.as_ref(), lock_header, now) {
            return Ok(Err(e));
        }
        let mut n = 0;
        let name = loop {
            let Some(candidate) = names(n) else {
                return Ok(Err(WopiError::NameExists { suggestion: None }));
            };
            if !name_taken(&mut tx, &file.folder_id, &candidate, Some(id.as_str())).await? {
                break candidate;
            }
            n += 1;
        };
        sqlx::query("UPDATE files SET name = ?, name_key = ? WHERE id = ?")
            .bind(&name)
            .bind(name_key(&name))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        file.name = name.clone();
        emit_in(&mut tx, emit, &file).await?;
        tx.commit().await.map_err(map_err)?;
        file.name = name;
        Ok(Ok(file))
    }

    async fn delete_file_emitting(
        &self,
        id: &FileId,
        now: i64,
        emit: Option<&Emit<'_>>,
    ) -> Result<Outcome<()>, StoreError> {
        let mut tx = self.begin().await?;
        let file = file_in_tx(&mut tx, id).await?;
        if let Err(e) = lock::check_unlocked(file.lock.as_ref(), now) {
            return Ok(Err(e));
        }
        sqlx::query(
            "UPDATE files SET deleted_at = ?, lock_id = NULL, lock_expires_at = NULL WHERE id = ?",
        )
        .bind(now)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        // Tokens for the file stay until they expire: requests with them now get 404 (the file
        // is gone), which is what WOPI clients expect, rather than 401.
        emit_in(&mut tx, emit, &file).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Ok(()))
    }

    async fn versions(&self, id: &FileId) -> Result<Vec<VersionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, blob_key, size, sha256, created_at, author_id, source \
             FROM file_versions WHERE file_id = ? ORDER BY version DESC",
        )
        .bind(id.as_str())
        .fetch_all(&self.read)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(VersionRecord {
                    version: r.try_get("version")?,
                    content: content_from_row(r)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map_err)
    }

    async fn share_file(&self, id: &FileId, user_id: &str, role: Role) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shares (file_id, user_id, role) VALUES (?, ?, ?) \
             ON CONFLICT (file_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(role_to_i64(role))
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn insert_token(
        &self,
        hash: &[u8],
        token: &TokenRecord,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokens (hash, user_id, file_id, can_write, expires_at, created_at, client, \
             session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(hash)
        .bind(&token.user_id)
        .bind(token.file_id.as_str())
        .bind(token.can_write)
        .bind(token.expires_at)
        .bind(now)
        .bind(token.client.as_deref())
        .bind(token.session_id.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn token(&self, hash: &[u8]) -> Result<Option<(TokenRecord, UserRecord)>, StoreError> {
        let row = sqlx::query(
            "SELECT t.file_id, t.can_write, t.expires_at, t.client, t.session_id, u.* FROM tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND u.disabled = 0",
        )
        .bind(hash)
        .fetch_optional(&self.read)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let user = user_from_row(&r).map_err(map_err)?;
        let token = TokenRecord {
            user_id: user.id.clone(),
            file_id: FileId::from_trusted(r.try_get("file_id").map_err(map_err)?),
            can_write: r.try_get("can_write").map_err(map_err)?,
            expires_at: r.try_get("expires_at").map_err(map_err)?,
            client: r.try_get("client").map_err(map_err)?,
            session_id: r.try_get("session_id").map_err(map_err)?,
        };
        Ok(Some((token, user)))
    }

    async fn revoke_token(&self, hash: &[u8]) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM tokens WHERE hash = ?")
            .bind(hash)
            .execute(&self.write)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn purge_expired_tokens(&self, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM tokens WHERE expires_at < ?")
            .bind(now)
            .execute(&self.write)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected())
    }

    async fn create_session(
        &self,
        hash: &[u8],
        user_id: &str,
        csrf: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (hash, user_id, csrf, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(csrf)
        .bind(expires_at)
        .bind(now)
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn session(&self, hash: &[u8], now: i64) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT s.csrf, s.expires_at AS session_expires_at, u.* FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND s.expires_at > ? AND u.disabled = 0",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            user: user_from_row(&r).map_err(map_err)?,
            csrf: r.try_get("csrf").map_err(map_err)?,
            expires_at: r.try_get("session_expires_at").map_err(map_err)?,
        }))
    }

    async fn delete_session(&self, hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE hash = ?")
            .bind(hash)
            .execute(&self.write)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn record_login_failure(&self, login: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO login_failures (login, at) VALUES (?, ?)")
            .bind(login)
            .bind(now)
            .execute(&self.write)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn login_failures_since(&self, login: &str, since: i64) -> Result<u64, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE login = ? AND at >= ?")
                .bind(login)
                .bind(since)
                .fetch_one(&self.read)
                .await
                .map_err(map_err)?;
        let n: i64 = row.try_get("n").map_err(map_err)?;
        Ok(n.max(0) as u64)
    }

    async fn create_api_key(&self, key: &ApiKeyRecord, hash: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, hash, scopes, app_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(hash)
        .bind(key.scopes.join(","))
        .bind(&key.app_user_id)
        .bind(key.created_at)
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn api_key(&self, hash: &[u8]) -> Result<Option<ApiKeyRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL")
            .bind(hash)
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| api_key_from_row(&r))
            .transpose()
            .map_err(map_err)
    }

    async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM api_keys ORDER BY created_at DESC")
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(api_key_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let r =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&self.write)
                .await
                .map_err(map_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn upsert_external_user(
        &self,
        user: &ExternalUser,
        now: i64,
    ) -> Result<UserRecord, StoreError> {
        let mut tx = self.begin().await?;
        let existing = sqlx::query("SELECT id FROM users WHERE external_id = ?")
            .bind(&user.external_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let id = match existing {
            Some(r) => {
                let id: String = r.try_get("id").map_err(map_err)?;
                sqlx::query("UPDATE users SET name = ?, email = ?, language = ? WHERE id = ?")
                    .bind(&user.name)
                    .bind(&user.email)
                    .bind(&user.language)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_err)?;
                id
            }
            None => {
                let id = random_id(16);
                let root = random_id(16);
                sqlx::query(
                    "INSERT INTO users (id, login, name, email, is_admin, root_folder_id, created_at, \
                     external_id, language) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                )
                .bind(&id)
                .bind(format!("ext:{}", user.external_id))
                .bind(&user.name)
                .bind(&user.email)
                .bind(&root)
                .bind(now)
                .bind(&user.external_id)
                .bind(&user.language)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                sqlx::query(
                    "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at) \
                     VALUES (?, ?, NULL, '', '', ?)",
                )
                .bind(&root)
                .bind(&id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                id
            }
        };
        let row = sqlx::query("SELECT * FROM users WHERE id = ?")
            .bind(&id)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        user_from_row(&row).map_err(map_err)
    }

    async fn create_wopi_session(
        &self,
        w: &WopiSessionRecord,
        launch_hash: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO wopi_sessions (id, api_key_id, user_id, file_id, can_write, client, action, \
             expires_at, launch_hash, created_at, close_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&w.id)
        .bind(w.api_key_id.as_deref())
        .bind(&w.user_id)
        .bind(w.file_id.as_str())
        .bind(w.can_write)
        .bind(w.client.as_deref())
        .bind(w.action.as_deref())
        .bind(w.expires_at)
        .bind(launch_hash)
        .bind(w.created_at)
        .bind(w.close_url.as_deref())
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn wopi_session(&self, id: &str) -> Result<Option<WopiSessionRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM wopi_sessions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(map_err)?;
        row.map(|r| session_from_row(&r))
            .transpose()
            .map_err(map_err)
    }

    async fn take_launch_code(
        &self,
        hash: &[u8],
        now: i64,
    ) -> Result<Option<WopiSessionRecord>, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT * FROM wopi_sessions WHERE launch_hash = ? AND revoked_at IS NULL AND expires_at > ?",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let session = session_from_row(&row).map_err(map_err)?;
        sqlx::query("UPDATE wopi_sessions SET launch_hash = NULL WHERE id = ?")
            .bind(&session.id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Some(session))
    }

    async fn list_wopi_sessions(
        &self,
        api_key_id: &str,
        file_id: Option<&FileId>,
    ) -> Result<Vec<WopiSessionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM wopi_sessions WHERE api_key_id = ? AND (? IS NULL OR file_id = ?) \
             ORDER BY created_at DESC LIMIT 500",
        )
        .bind(api_key_id)
        .bind(file_id.map(|f| f.as_str()))
        .bind(file_id.map(|f| f.as_str()))
        .fetch_all(&self.read)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(session_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn revoke_wopi_session(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let r = sqlx::query("UPDATE wopi_sessions SET revoked_at = ?, launch_hash = NULL WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM tokens WHERE session_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn use_nonce(&self, jti: &str, expires_at: i64, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM used_nonces WHERE expires_at <= ?")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let r = sqlx::query(
            "INSERT INTO used_nonces (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn enqueue_event(&self, event: &OutboxEvent, urls: &[String]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_event(&mut tx, event, urls).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn claim_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "SELECT d.*, o.event_type, o.payload, o.created_at AS event_created_at FROM deliveries d \
             JOIN outbox o ON o.id = d.event_id \
             WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 \
               AND (d.lease_until IS NULL OR d.lease_until <= ?1) \
             ORDER BY d.next_attempt_at LIMIT ?2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let out: Vec<Delivery> = rows
            .iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)?;
        for d in &out {
            sqlx::query("UPDATE deliveries SET lease_until = ? WHERE id = ?")
                .bind(now + lease_ms)
                .bind(&d.id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn finish_delivery(
        &self,
        id: &str,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
        next_attempt_at: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let state = match (delivered, next_attempt_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        sqlx::query(
            "UPDATE deliveries SET state = ?, attempts = attempts + 1, last_status = ?, last_error = ?, \
             next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, \
             delivered_at = CASE WHEN ? THEN ? ELSE delivered_at END WHERE id = ?",
        )
        .bind(state)
        .bind(status)
        .bind(error)
        .bind(next_attempt_at)
        .bind(delivered)
        .bind(now)
        .bind(id)
        .execute(&self.write)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.*, o.event_type, o.payload, o.created_at AS event_created_at FROM deliveries d \
             JOIN outbox o ON o.id = d.event_id ORDER BY d.created_at DESC, d.id LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(delivery_from_row)
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }

    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let row = sqlx::query("SELECT value FROM secrets WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        row.try_get("value").map_err(map_err)
    }

    async fn referenced_blob_keys(&self) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query("SELECT blob_key FROM file_versions")
            .fetch_all(&self.read)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("blob_key"))
            .collect::<Result<_, _>>()
            .map_err(map_err)
    }
}
