//! Organisation templates (an administrator's uploads) and the template a new, empty document
//! waits for while its editor fetches it itself (Collabora's `TemplateSource`).

use folio_wopi::FileId;

use super::rows::{self, count_from_db, name_key, one, size_to_db};
use super::{SqlEngine, SqlRow, args};
use crate::error::StoreError;
use crate::model::*;

const COLUMNS: &str = "t.id, t.name, t.blob_key, t.size, t.sha256, t.created_at, t.created_by";

fn template_row(r: &impl SqlRow) -> Result<TemplateRecord, StoreError> {
    Ok(TemplateRecord {
        id: r.text("id")?,
        name: r.text("name")?,
        blob_key: r.text("blob_key")?,
        size: count_from_db(r.int("size")?),
        sha256: r.bytes("sha256")?,
        created_at: r.int("created_at")?,
        created_by: r.text("created_by")?,
    })
}

/// Stores a template; `AlreadyExists` when the name is taken (case-insensitively).
pub(super) async fn add_template(e: &impl SqlEngine, t: &TemplateRecord) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO templates (id, name, name_key, blob_key, size, sha256, created_at, \
         created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            &t.id,
            &t.name,
            name_key(&t.name).as_str(),
            &t.blob_key,
            size_to_db(t.size),
            t.sha256.as_slice(),
            t.created_at,
            &t.created_by
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn templates(e: &impl SqlEngine) -> Result<Vec<TemplateRecord>, StoreError> {
    let rows = e
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM templates t ORDER BY t.name_key, t.id"),
            &[],
        )
        .await?;
    rows::all(&rows, template_row)
}

pub(super) async fn template(
    e: &impl SqlEngine,
    id: &str,
) -> Result<Option<TemplateRecord>, StoreError> {
    let row = e
        .fetch_optional(
            &format!("SELECT {COLUMNS} FROM templates t WHERE t.id = $1"),
            args![id],
        )
        .await?;
    one(row, template_row)
}

/// Deletes a template (its blob becomes an orphan the sweep collects) and every file's wait
/// for it; the record, if there was one.
pub(super) async fn delete_template<E: SqlEngine>(
    e: &E,
    id: &str,
) -> Result<Option<TemplateRecord>, StoreError> {
    use super::SqlTx;
    let mut tx = e.begin().await?;
    let row = tx
        .fetch_optional(
            &format!("SELECT {COLUMNS} FROM templates t WHERE t.id = $1"),
            args![id],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let t = template_row(&row)?;
    tx.execute(
        "DELETE FROM file_templates WHERE template_id = $1",
        args![id],
    )
    .await?;
    tx.execute("DELETE FROM templates WHERE id = $1", args![id])
        .await?;
    tx.commit().await?;
    Ok(Some(t))
}

/// Records that the (empty) file `id` is to be made from template `template_id`.
pub(super) async fn set_file_template(
    e: &impl SqlEngine,
    id: &FileId,
    template_id: &str,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO file_templates (file_id, template_id) VALUES ($1, $2) \
         ON CONFLICT (file_id) DO UPDATE SET template_id = excluded.template_id",
        args![id, template_id],
    )
    .await?;
    Ok(())
}

/// The template the file `id` waits for, if any (and if it still exists).
pub(super) async fn file_template(
    e: &impl SqlEngine,
    id: &FileId,
) -> Result<Option<TemplateRecord>, StoreError> {
    let row = e
        .fetch_optional(
            &format!(
                "SELECT {COLUMNS} FROM file_templates ft JOIN templates t ON t.id = ft.template_id \
                 WHERE ft.file_id = $1"
            ),
            args![id],
        )
        .await?;
    one(row, template_row)
}
