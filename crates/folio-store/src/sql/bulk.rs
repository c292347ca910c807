//! Bulk fill for the benchmark's size runs (`folio bench-fill`, bench/run.sh `--size`): users,
//! folders and files written straight into the schema with multi-row `INSERT`s, many thousand
//! rows a transaction, so a million files take seconds rather than the hours one use case per
//! file would. Not a use case and not in `MetadataStore`: nothing but the benchmark calls it.
//!
//! The layout is deterministic: user `n` is login `bench-u{n}` with `folders_per_user`
//! folders `folder-{k}` in its root; files go round-robin into those folders, except that each
//! of the `big_owners` (existing users, by login or external id) gets a folder `big` in its
//! root holding `big_folder` files (the 10,000-file listings). Every file has one version
//! whose blob key names no blob (`bench-absent`): metadata only.

use super::rows::name_key;
use super::{Arg, SqlEngine, SqlRow, SqlTx};
use crate::error::StoreError;

/// What to write.
#[derive(Debug, Clone)]
pub struct FillSpec {
    /// Users (each with a root folder).
    pub users: usize,
    /// Folders in total (spread evenly over the users' roots, at least one per user).
    pub folders: usize,
    /// Files in total, `big_folder` of them in each big folder.
    pub files: usize,
    /// Files in each big folder.
    pub big_folder: usize,
    /// Existing users (login or external id) who each get a folder `big`.
    pub big_owners: Vec<String>,
}

/// A big folder written.
#[derive(Debug, Clone)]
pub struct BigFolder {
    /// The owner as given.
    pub owner: String,
    /// The folder id.
    pub folder_id: String,
    /// Its first file (for a token).
    pub file_id: String,
}

/// Rows per `INSERT` statement, and statements per transaction.
const ROWS_PER_INSERT: usize = 400;
const ROWS_PER_TX: usize = 50_000;

/// A multi-row `INSERT` collected row by row and flushed every [`ROWS_PER_INSERT`] rows.
struct Batch {
    head: &'static str,
    width: usize,
    values: Vec<Value>,
}

enum Value {
    Null,
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

impl Batch {
    fn new(head: &'static str, width: usize) -> Self {
        Self {
            head,
            width,
            values: Vec::with_capacity(width * ROWS_PER_INSERT),
        }
    }

    async fn push(&mut self, tx: &mut impl SqlTx, row: Vec<Value>) -> Result<(), StoreError> {
        debug_assert_eq!(row.len(), self.width);
        self.values.extend(row);
        if self.values.len() >= self.width * ROWS_PER_INSERT {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut impl SqlTx) -> Result<(), StoreError> {
        if self.values.is_empty() {
            return Ok(());
        }
        let rows = self.values.len() / self.width;
        let mut sql = String::with_capacity(self.head.len() + rows * self.width * 6);
        sql.push_str(self.head);
        let mut n = 0;
        for r in 0..rows {
            sql.push_str(if r == 0 { " VALUES (" } else { ", (" });
            for c in 0..self.width {
                n += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        let args: Vec<Arg<'_>> = self
            .values
            .iter()
            .map(|v| match v {
                Value::Null => Arg::Text(None),
                Value::Text(s) => Arg::Text(Some(s)),
                Value::Int(i) => Arg::Int(Some(*i)),
                Value::Bytes(b) => Arg::Bytes(Some(b)),
            })
            .collect();
        tx.execute(&sql, &args).await?;
        self.values.clear();
        Ok(())
    }
}

fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// Fills the database per `spec` (into an existing schema, next to whatever is there: logins
/// `bench-u*` must be free).
pub async fn fill<E: SqlEngine>(
    e: &E,
    spec: &FillSpec,
    now: i64,
) -> Result<Vec<BigFolder>, StoreError> {
    let users = spec.users.max(1);
    let per_user = (spec.folders / users).max(1);
    let user_id = |u: usize| format!("bu{u:014}");
    let root_id = |u: usize| format!("br{u:014}");
    let folder_id = |u: usize, k: usize| format!("bf{u:08}x{k:05}");
    let mut bigs = Vec::new();
    for (n, who) in spec.big_owners.iter().enumerate() {
        let row = e
            .fetch_optional(
                "SELECT id, root_folder_id FROM users WHERE login = $1 OR external_id = $1",
                &[Arg::Text(Some(who))],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        bigs.push((
            who.clone(),
            row.text("id")?,
            row.text("root_folder_id")?,
            format!("bbig{n:012}"),
        ));
    }

    let mut tx = e.begin().await?;
    let mut in_tx = 0;
    let mut folders = Batch::new(
        "INSERT INTO folders (id, owner_id, parent_id, name, name_key, created_at)",
        6,
    );
    let mut user_rows = Batch::new(
        "INSERT INTO users (id, login, name, email, is_admin, root_folder_id, created_at)",
        7,
    );
    // Users first, with their roots (the foreign keys point that way).
    for u in 0..users {
        user_rows
            .push(
                &mut tx,
                vec![
                    t(user_id(u)),
                    t(format!("bench-u{u}")),
                    t(format!("Bench User {u}")),
                    t(format!("bench-u{u}@example.invalid")),
                    Value::Int(0),
                    t(root_id(u)),
                    Value::Int(now),
                ],
            )
            .await?;
    }
    user_rows.flush(&mut tx).await?;
    for u in 0..users {
        folders
            .push(
                &mut tx,
                vec![
                    t(root_id(u)),
                    t(user_id(u)),
                    Value::Null,
                    t(""),
                    t(""),
                    Value::Int(now),
                ],
            )
            .await?;
    }
    folders.flush(&mut tx).await?;
    for u in 0..users {
        for k in 0..per_user {
            let name = format!("folder-{k}");
            folders
                .push(
                    &mut tx,
                    vec![
                        t(folder_id(u, k)),
                        t(user_id(u)),
                        t(root_id(u)),
                        t(name.clone()),
                        t(name_key(&name)),
                        Value::Int(now),
                    ],
                )
                .await?;
            in_tx += 1;
        }
        if in_tx >= ROWS_PER_TX {
            folders.flush(&mut tx).await?;
            tx.commit().await?;
            tx = e.begin().await?;
            in_tx = 0;
        }
    }
    for (_, owner, root, id) in &bigs {
        folders
            .push(
                &mut tx,
                vec![
                    t(id.clone()),
                    t(owner.clone()),
                    t(root.clone()),
                    t("big"),
                    t("big"),
                    Value::Int(now),
                ],
            )
            .await?;
    }
    folders.flush(&mut tx).await?;

    let mut files = Batch::new(
        "INSERT INTO files (id, folder_id, owner_id, name, name_key, version, created_at)",
        7,
    );
    let mut versions = Batch::new(
        "INSERT INTO file_versions (file_id, version, blob_key, size, sha256, created_at, \
         author_id, source)",
        8,
    );
    let in_bigs = spec.big_folder * bigs.len();
    for i in 0..spec.files.max(in_bigs) {
        let id = format!("bx{i:020}");
        let (folder, owner, name) = match bigs.get(i / spec.big_folder.max(1)) {
            Some((_, owner, _, big)) if i < in_bigs => (
                big.clone(),
                owner.clone(),
                format!("document-{:05}.docx", i % spec.big_folder),
            ),
            _ => {
                let j = i - in_bigs;
                let u = j % users;
                let k = (j / users) % per_user;
                (folder_id(u, k), user_id(u), format!("file-{j}.docx"))
            }
        };
        files
            .push(
                &mut tx,
                vec![
                    t(id.clone()),
                    t(folder),
                    t(owner.clone()),
                    t(name.clone()),
                    t(name_key(&name)),
                    Value::Int(1),
                    Value::Int(now),
                ],
            )
            .await?;
        versions
            .push(
                &mut tx,
                vec![
                    t(id),
                    Value::Int(1),
                    t("bench-absent"),
                    Value::Int(12),
                    Value::Bytes(vec![0; 32]),
                    Value::Int(now),
                    t(owner),
                    t("bench"),
                ],
            )
            .await?;
        in_tx += 1;
        if in_tx >= ROWS_PER_TX {
            files.flush(&mut tx).await?;
            versions.flush(&mut tx).await?;
            tx.commit().await?;
            tx = e.begin().await?;
            in_tx = 0;
        }
    }
    files.flush(&mut tx).await?;
    versions.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(bigs
        .into_iter()
        .enumerate()
        .map(|(n, (owner, _, _, folder_id))| BigFolder {
            owner,
            folder_id,
            file_id: format!("bx{:020}", n * spec.big_folder),
        })
        .collect())
}
