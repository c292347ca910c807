//! AddActivities: the activities recorded on a file (with their webhook event in the same
//! transaction) and the recent ones, newest first, for the file's details page.

use folio_wopi::FileId;

use super::outbox::emit_in;
use super::rows::{self, FILE_COLUMNS, FILE_FROM};
use super::{SqlEngine, SqlTx, args};
use crate::error::StoreError;
use crate::metadata::Emit;
use crate::model::*;
use crate::random_id;

pub(super) async fn record_activities<E: SqlEngine>(
    e: &E,
    id: &FileId,
    activities: &[ActivityRecord],
    emit: Option<&Emit<'_>>,
) -> Result<(), StoreError> {
    let mut tx = e.begin().await?;
    // The file cannot be deleted (nor its row changed) until this transaction ends.
    let lock = format!(
        "SELECT id FROM files WHERE id = $1 AND deleted_at IS NULL{}",
        E::DIALECT.for_key_share
    );
    tx.fetch_optional(&lock, args![id])
        .await?
        .ok_or(StoreError::NotFound)?;
    let row = tx
        .fetch_optional(
            &format!("SELECT {FILE_COLUMNS} FROM {FILE_FROM} WHERE f.id = $1"),
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let file = rows::file(&row)?;
    for a in activities {
        tx.execute(
            "INSERT INTO file_activities (id, file_id, user_id, kind, activity_id, action, \
             comment_text, mentioned, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            args![
                &random_id(20),
                id,
                &a.user_id,
                &a.kind,
                &a.activity_id,
                a.action.as_deref(),
                a.comment_text.as_deref(),
                &a.mentioned.join("\n"),
                a.created_at
            ],
        )
        .await?;
    }
    emit_in(&mut tx, emit, &file).await?;
    tx.commit().await
}

pub(super) async fn file_activities(
    e: &impl SqlEngine,
    id: &FileId,
    limit: i64,
) -> Result<Vec<ActivityRecord>, StoreError> {
    let rows = e
        .fetch_all(
            "SELECT a.*, u.name AS user_name FROM file_activities a \
             JOIN users u ON u.id = a.user_id \
             WHERE a.file_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2",
            args![id, limit],
        )
        .await?;
    rows::all(&rows, rows::activity)
}
