//! Column lists and the conversions from result rows to the model records, shared by every
//! engine: the one place that knows how a record is laid out in the schema (roles as 0/1/2,
//! sizes as signed 64-bit, scopes as a comma-separated list, a lock as two nullable columns).

use folio_wopi::lock::LockState;
use folio_wopi::{FileId, LockId};

use super::SqlRow;
use crate::error::StoreError;
use crate::model::*;

/// The columns of a file joined with its current version and folder ([`FILE_FROM`]), as read
/// by [`file`].
pub(super) const FILE_COLUMNS: &str = "f.id, f.folder_id, f.owner_id, f.name, f.version, \
     f.lock_id, f.lock_expires_at, f.lock_user_name, f.lock_holder_id, f.lock_since, \
     f.released_lock_id, f.released_lock_at, f.sequence_number, v.blob_key, v.size, v.sha256, v.created_at, v.author_id, \
     v.source, v.kind AS version_kind, CASE WHEN fo.parent_id IS NULL THEN NULL ELSE fo.name END AS folder_name";

/// Files joined with their current version and folder.
pub(super) const FILE_FROM: &str = "files f \
     JOIN file_versions v ON v.file_id = f.id AND v.version = f.version \
     JOIN folders fo ON fo.id = f.folder_id";

/// The `users` columns as read by [`user`], under a `u_` prefix (for joins with [`FILE_COLUMNS`],
/// which has `id` and `name` too); read them through [`Prefixed`].
pub(super) const USER_COLUMNS_PREFIXED: &str = "u.id AS u_id, u.login AS u_login, \
     u.name AS u_name, u.email AS u_email, u.is_admin AS u_is_admin, \
     u.password_hash AS u_password_hash, u.user_info AS u_user_info, \
     u.root_folder_id AS u_root_folder_id, u.disabled AS u_disabled";

/// Deliveries with their event, as read by [`delivery`].
pub(super) const DELIVERY_SELECT: &str = "SELECT d.*, o.event_type, o.payload, \
     o.created_at AS event_created_at FROM deliveries d JOIN outbox o ON o.id = d.event_id";

/// The case-insensitive key under which names are unique in a folder (lower-cased by Folio, not
/// by the database, so that both engines agree).
pub(super) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A size as stored (signed 64-bit), saturating.
pub(super) fn size_to_db(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// A stored size or count (never negative in practice) as unsigned.
pub(super) fn count_from_db(n: i64) -> u64 {
    n.max(0).unsigned_abs()
}

/// How a role is stored.
pub(super) fn role_to_db(r: Role) -> i32 {
    match r {
        Role::Owner => 2,
        Role::Editor => 1,
        Role::Viewer => 0,
    }
}

/// A stored role (anything unknown reads as the least privilege).
pub(super) fn role_from_db(r: i32) -> Role {
    match r {
        2 => Role::Owner,
        1 => Role::Editor,
        _ => Role::Viewer,
    }
}

/// The role in column `col` (NULL: none).
pub(super) fn role(row: &impl SqlRow, col: &str) -> Result<Option<Role>, StoreError> {
    Ok(row.opt_int4(col)?.map(role_from_db))
}

/// The content columns of a `file_versions` row.
pub(super) fn content(row: &impl SqlRow) -> Result<ContentRecord, StoreError> {
    Ok(ContentRecord {
        blob_key: row.text("blob_key")?,
        size: count_from_db(row.int("size")?),
        sha256: row.bytes("sha256")?,
        created_at: row.int("created_at")?,
        author_id: row.text("author_id")?,
        source: row.text("source")?,
        kind: VersionKind::parse(&row.text("version_kind")?),
    })
}

/// A row of [`FILE_COLUMNS`].
pub(super) fn file(row: &impl SqlRow) -> Result<FileRecord, StoreError> {
    let lock = match (row.opt_text("lock_id")?, row.opt_int("lock_expires_at")?) {
        (Some(id), Some(expires_at)) => Some(LockState {
            id: LockId::from_trusted(id),
            expires_at,
        }),
        _ => None,
    };
    Ok(FileRecord {
        id: FileId::from_trusted(row.text("id")?),
        folder_id: row.text("folder_id")?,
        owner_id: row.text("owner_id")?,
        name: row.text("name")?,
        version: row.int("version")?,
        content: content(row)?,
        folder_name: row.opt_text("folder_name")?,
        lock_user: lock.as_ref().and(row.opt_text("lock_user_name")?),
        lock_holder: lock.as_ref().and(row.opt_text("lock_holder_id")?),
        lock_since: lock.as_ref().and(row.opt_int("lock_since")?),
        lock,
        released_lock: match (
            row.opt_text("released_lock_id")?,
            row.opt_int("released_lock_at")?,
        ) {
            (Some(id), Some(at)) => Some(folio_wopi::lock::ReleasedLock {
                id: LockId::from_trusted(id),
                at,
            }),
            _ => None,
        },
        sequence: row.int("sequence_number")?,
    })
}

/// A `users` row.
pub(super) fn user(row: &impl SqlRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: row.text("id")?,
        login: row.text("login")?,
        name: row.text("name")?,
        email: row.text("email")?,
        is_admin: row.flag("is_admin")?,
        password_hash: row.opt_text("password_hash")?,
        user_info: row.opt_text("user_info")?,
        root_folder_id: row.text("root_folder_id")?,
        disabled: row.flag("disabled")?,
    })
}

/// A row whose columns are read under a prefix: `Prefixed(row, "u_").text("id")` reads `u_id`.
pub(super) struct Prefixed<'r, R>(pub(super) &'r R, pub(super) &'static str);

impl<R: SqlRow> Prefixed<'_, R> {
    /// Reads `prefix + col` through a name built on the stack (this runs for every column of
    /// every WOPI request's authorization read: no allocation).
    fn with<T>(
        &self,
        col: &str,
        read: impl FnOnce(&R, &str) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut buf = [0u8; 64];
        let (p, c) = (self.1.as_bytes(), col.as_bytes());
        match buf.get_mut(..p.len() + c.len()) {
            Some(name) => {
                name[..p.len()].copy_from_slice(p);
                name[p.len()..].copy_from_slice(c);
                // Both halves are UTF-8, so is their concatenation.
                let name = std::str::from_utf8(name).map_err(StoreError::backend)?;
                read(self.0, name)
            }
            None => read(self.0, &format!("{}{col}", self.1)),
        }
    }
}

impl<R: SqlRow> SqlRow for Prefixed<'_, R> {
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.with(col, |r, c| r.opt_text(c))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.with(col, |r, c| r.opt_int(c))
    }
    fn opt_int4(&self, col: &str) -> Result<Option<i32>, StoreError> {
        self.with(col, |r, c| r.opt_int4(c))
    }
    fn opt_flag(&self, col: &str) -> Result<Option<bool>, StoreError> {
        self.with(col, |r, c| r.opt_flag(c))
    }
    fn opt_bytes(&self, col: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(col, |r, c| r.opt_bytes(c))
    }
}

/// A `folders` row.
pub(super) fn folder(row: &impl SqlRow) -> Result<FolderRecord, StoreError> {
    Ok(FolderRecord {
        id: row.text("id")?,
        owner_id: row.text("owner_id")?,
        parent_id: row.opt_text("parent_id")?,
        name: row.text("name")?,
    })
}

/// The scope columns of a `tokens` row: `scope` (`file` | `container` | `ecosystem`),
/// `file_id` (`''` unless a file token) and `folder_id` (containers only).
pub(super) fn token_scope(row: &impl SqlRow) -> Result<TokenScope, StoreError> {
    match row.text("scope")?.as_str() {
        "file" => Ok(TokenScope::File(FileId::from_trusted(row.text("file_id")?))),
        "container" => Ok(TokenScope::Container(row.text("folder_id")?)),
        "ecosystem" => Ok(TokenScope::Ecosystem),
        _ => Err(StoreError::Backend("unknown token scope".into())),
    }
}

/// A scope as the `(scope, file_id, folder_id)` columns.
pub(super) fn token_scope_to_db(scope: &TokenScope) -> (&'static str, &str, Option<&str>) {
    match scope {
        TokenScope::File(id) => ("file", id.as_str(), None),
        TokenScope::Container(folder) => ("container", "", Some(folder.as_str())),
        TokenScope::Ecosystem => ("ecosystem", "", None),
    }
}

/// A `tokens` row (`user_id, scope, file_id, folder_id, can_write, expires_at, client,
/// session_id`).
pub(super) fn token(row: &impl SqlRow) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        user_id: row.text("user_id")?,
        scope: token_scope(row)?,
        can_write: row.flag("can_write")?,
        expires_at: row.int("expires_at")?,
        client: row.opt_text("client")?,
        session_id: row.opt_text("session_id")?,
        link_id: row.opt_text("link_id")?,
    })
}

/// An `audit_events` row.
pub(super) fn audit(row: &impl SqlRow) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        id: row.text("id")?,
        at: row.int("at")?,
        action: row.text("action")?,
        actor_id: row.opt_text("actor_id")?,
        actor_name: row.opt_text("actor_name")?,
        file_id: row.opt_text("file_id")?,
        file_name: row.opt_text("file_name")?,
        detail: row.opt_text("detail")?,
        ip: row.opt_text("ip")?,
        user_agent: row.opt_text("user_agent")?,
        via: row.text("via")?,
        via_id: row.opt_text("via_id")?,
    })
}

/// A `file_activities` row joined with the user's name (`user_name`).
pub(super) fn activity(row: &impl SqlRow) -> Result<ActivityRecord, StoreError> {
    Ok(ActivityRecord {
        file_id: FileId::from_trusted(row.text("file_id")?),
        user_id: row.text("user_id")?,
        user_name: row.text("user_name")?,
        kind: row.text("kind")?,
        activity_id: row.text("activity_id")?,
        action: row.opt_text("action")?,
        comment_text: row.opt_text("comment_text")?,
        mentioned: row
            .text("mentioned")?
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: row.int("created_at")?,
    })
}

/// An `api_keys` row.
pub(super) fn api_key(row: &impl SqlRow) -> Result<ApiKeyRecord, StoreError> {
    Ok(ApiKeyRecord {
        id: row.text("id")?,
        name: row.text("name")?,
        scopes: row
            .text("scopes")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        app_user_id: row.text("app_user_id")?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
    })
}

/// A `wopi_sessions` row.
pub(super) fn wopi_session(row: &impl SqlRow) -> Result<WopiSessionRecord, StoreError> {
    Ok(WopiSessionRecord {
        id: row.text("id")?,
        api_key_id: row.opt_text("api_key_id")?,
        user_id: row.text("user_id")?,
        file_id: FileId::from_trusted(row.text("file_id")?),
        can_write: row.flag("can_write")?,
        client: row.opt_text("client")?,
        action: row.opt_text("action")?,
        expires_at: row.int("expires_at")?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
        close_url: row.opt_text("close_url")?,
    })
}

/// A row of [`DELIVERY_SELECT`].
pub(super) fn delivery(row: &impl SqlRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: row.text("id")?,
        event: OutboxEvent {
            id: row.text("event_id")?,
            event_type: row.text("event_type")?,
            payload: row.text("payload")?,
            created_at: row.int("event_created_at")?,
        },
        url: row.text("url")?,
        state: row.text("state")?,
        attempts: row.int("attempts")?,
        next_attempt_at: row.int("next_attempt_at")?,
        last_status: row.opt_int("last_status")?,
        last_error: row.opt_text("last_error")?,
        delivered_at: row.opt_int("delivered_at")?,
    })
}

/// Converts every row with `f`.
pub(super) fn all<R, T>(
    rows: &[R],
    f: impl Fn(&R) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}

/// Converts the row, if any, with `f`.
pub(super) fn one<R, T>(
    row: Option<R>,
    f: impl Fn(&R) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    row.as_ref().map(f).transpose()
}
