//! Finding things (issue 13): a folder read one keyset page at a time, a name search over
//! everything a user can see, favourites, Recent (files opened, and versions saved), and who
//! has access to a file. Roles themselves are in `sharing.rs`.
//!
//! **Visibility.** A user sees their own tree, every folder shared with them and everything
//! below it, and files shared with them on their own — the same rule as `sharing::role`. The
//! search computes that set in SQL (`VISIBLE`); favourites and Recent return candidate rows and
//! leave the role check to the caller (`folio-app`), which drops what the user can no longer see.

use folio_wopi::FileId;

use super::rows::{self, FILE_COLUMNS, FILE_FROM, name_key};
use super::{Arg, SqlEngine, SqlRow, SqlTx, args};
use crate::error::StoreError;
use crate::model::*;

/// A `LIKE` pattern matching names that contain `text` (lower-cased like `name_key`), with
/// `\`, `%` and `_` escaped (`ESCAPE '\'`).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in name_key(text).chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

// ----- Folder pages -----

/// The SQL of one part (subfolders or files) of a folder listing under `sort`: its `FROM`, the
/// sort number expression (`0` for folders and by name), the name key and id columns.
struct Part {
    from: String,
    live: &'static str,
    num: &'static str,
    name: &'static str,
    id: &'static str,
}

fn part(folder: bool, sort: ListingSort) -> Part {
    if folder {
        Part {
            from: "folders d".to_owned(),
            live: "d.parent_id = $1 AND d.deleted_at IS NULL",
            num: "0",
            name: "d.name_key",
            id: "d.id",
        }
    } else {
        Part {
            from: FILE_FROM.to_owned(),
            live: "f.folder_id = $1 AND f.deleted_at IS NULL",
            num: match sort {
                ListingSort::Name => "0",
                ListingSort::Size => "v.size",
                ListingSort::Modified => "v.created_at",
            },
            name: "f.name_key",
            id: "f.id",
        }
    }
}

/// The condition "strictly after (`ascending`) or before the key" on a part, with the key's
/// values appended to `args` (numbered from `args.len() + 1`), written so that a name order's
/// range starts on the index (`name_key >= …` first).
fn beyond<'a>(
    p: &Part,
    ascending: bool,
    order: &str,
    key: &'a ListingKey,
    args: &mut Vec<Arg<'a>>,
) -> String {
    let (gt, ge) = if ascending { (">", ">=") } else { ("<", "<=") };
    let (n, k, i) = (p.num, p.name, p.id);
    let mut next = |a: Arg<'a>| {
        args.push(a);
        format!("${}", args.len())
    };
    let num = (n != "0").then(|| next(Arg::Int(Some(key.num))));
    let name = next(key.name_key.as_str().into());
    let id = next(key.id.as_str().into());
    let names =
        format!("{k}{order} {ge} {name} AND ({k}{order} {gt} {name} OR {i}{order} {gt} {id})");
    match num {
        None => names,
        Some(num) => format!("({n} {gt} {num} OR ({n} = {num} AND {names}))"),
    }
}

/// Rows of one part from (strictly beyond) `from`, travelling through the keys ascending or
/// descending, at most `limit`.
#[expect(
    clippy::too_many_arguments,
    reason = "one scan's whole description, used twice"
)]
async fn scan<T: SqlTx>(
    tx: &mut T,
    folder_id: &str,
    folder: bool,
    sort: ListingSort,
    from: Option<&ListingKey>,
    ascending: bool,
    limit: i64,
    order: &str,
) -> Result<Vec<T::Row>, StoreError> {
    let p = part(folder, sort);
    let dir = if ascending { "ASC" } else { "DESC" };
    let cols = if folder { "d.*" } else { FILE_COLUMNS };
    let mut a: Vec<Arg<'_>> = vec![folder_id.into()];
    let cond = match from {
        Some(k) => format!(" AND {}", beyond(&p, ascending, order, k, &mut a)),
        None => String::new(),
    };
    a.push(limit.into());
    // (A constant `ORDER BY 0` would name a column by position: by name, no number.)
    let num = if p.num == "0" {
        String::new()
    } else {
        format!("{} {dir}, ", p.num)
    };
    let sql = format!(
        "SELECT {cols} FROM {} WHERE {}{cond} ORDER BY {num}{}{order} {dir}, {}{order} {dir} \
         LIMIT ${}",
        p.from,
        p.live,
        p.name,
        p.id,
        a.len()
    );
    tx.fetch_all(&sql, &a).await
}

/// How many entries of one part lie strictly beyond `from` (ascending or descending).
async fn count<T: SqlTx>(
    tx: &mut T,
    folder_id: &str,
    folder: bool,
    sort: ListingSort,
    from: &ListingKey,
    ascending: bool,
    order: &str,
) -> Result<u64, StoreError> {
    let p = part(folder, sort);
    let mut a: Vec<Arg<'_>> = vec![folder_id.into()];
    let cond = beyond(&p, ascending, order, from, &mut a);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {} AND {cond}",
        p.from, p.live
    );
    let row = tx
        .fetch_optional(&sql, &a)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(u64::try_from(row.int("n")?).unwrap_or(0))
}

/// One entry read by a listing scan.
enum Entry {
    Folder(FolderRecord),
    File(Box<FileRecord>),
}

impl Entry {
    fn key(&self, sort: ListingSort) -> ListingKey {
        match self {
            Entry::Folder(d) => ListingKey::of_folder(d),
            Entry::File(f) => ListingKey::of_file(f, sort),
        }
    }
}

fn entries<R: SqlRow>(rows: &[R], folder: bool) -> Result<Vec<Entry>, StoreError> {
    rows.iter()
        .map(|r| {
            Ok(if folder {
                Entry::Folder(rows::folder(r)?)
            } else {
                Entry::File(Box::new(rows::file(r)?))
            })
        })
        .collect()
}

pub(super) async fn list_folder_page<E: SqlEngine>(
    e: &E,
    folder_id: &str,
    q: &ListingQuery,
) -> Result<ListingPage, StoreError> {
    let order = E::DIALECT.byte_order;
    let limit = i64::try_from(q.limit.max(1)).unwrap_or(i64::MAX);
    let sort = q.sort;
    // Travelling forwards through the listing means ascending keys unless `desc`.
    let fwd = !q.desc;
    let mut tx = e.begin_snapshot().await?;
    let row = tx
        .fetch_optional(
            "SELECT (SELECT COUNT(*) FROM folders WHERE parent_id = $1 AND deleted_at IS NULL) AS folders, \
                    (SELECT COUNT(*) FROM files WHERE folder_id = $1 AND deleted_at IS NULL) \
                    AS files",
            args![folder_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let n_folders = u64::try_from(row.int("folders")?).unwrap_or(0);
    let n_files = u64::try_from(row.int("files")?).unwrap_or(0);

    let mut page: Vec<Entry> = Vec::new();
    match &q.position {
        ListingPosition::First | ListingPosition::After(_) => {
            let from = match &q.position {
                ListingPosition::After(k) => Some(k),
                _ => None,
            };
            // Folders first (unless the cursor is already among the files), then files.
            if from.is_none_or(|k| k.folder) {
                let rows = scan(&mut tx, folder_id, true, sort, from, fwd, limit, order).await?;
                page.extend(entries(&rows, true)?);
            }
            let left = limit - i64::try_from(page.len()).unwrap_or(limit);
            if left > 0 {
                let from = from.filter(|k| !k.folder);
                let rows = scan(&mut tx, folder_id, false, sort, from, fwd, left, order).await?;
                page.extend(entries(&rows, false)?);
            }
        }
        ListingPosition::Before(k) => {
            // Backwards: files before the cursor (if it is a file), then folders from the end.
            if !k.folder {
                let rows =
                    scan(&mut tx, folder_id, false, sort, Some(k), !fwd, limit, order).await?;
                page.extend(entries(&rows, false)?);
            }
            let left = limit - i64::try_from(page.len()).unwrap_or(limit);
            if left > 0 {
                let from = Some(k).filter(|k| k.folder);
                let rows = scan(&mut tx, folder_id, true, sort, from, !fwd, left, order).await?;
                page.extend(entries(&rows, true)?);
            }
            page.reverse();
        }
    }
    let before = match page.first() {
        None => 0,
        Some(first) => {
            let k = first.key(sort);
            if k.folder {
                count(&mut tx, folder_id, true, sort, &k, !fwd, order).await?
            } else {
                n_folders + count(&mut tx, folder_id, false, sort, &k, !fwd, order).await?
            }
        }
    };
    tx.commit().await?;
    let mut out = ListingPage {
        before,
        total: n_folders + n_files,
        ..ListingPage::default()
    };
    for entry in page {
        match entry {
            Entry::Folder(d) => out.folders.push(d),
            Entry::File(f) => out.files.push(*f),
        }
    }
    Ok(out)
}

// ----- Search -----

/// The folders a user sees (`$1`), each once: `seen(id, path, own)` — `path` the folder names
/// from the top folder the user reaches it through, `/`-joined (`''` for their own root);
/// `own` 1 in their own tree, 0 through a share.
const VISIBLE: &str = "WITH RECURSIVE vis(id, path, own) AS ( \
        SELECT id, path, own FROM ( \
            SELECT id, CAST('' AS TEXT) AS path, CAST(1 AS BIGINT) AS own FROM folders \
            WHERE owner_id = $1 AND parent_id IS NULL \
            UNION ALL SELECT d.id, d.name, CAST(0 AS BIGINT) FROM folder_shares s \
            JOIN folders d ON d.id = s.folder_id WHERE s.user_id = $1 AND d.deleted_at IS NULL) AS roots \
        UNION ALL SELECT c.id, \
            CASE WHEN vis.path = '' THEN c.name ELSE vis.path || '/' || c.name END, vis.own \
        FROM folders c JOIN vis ON c.parent_id = vis.id WHERE c.deleted_at IS NULL), \
    seen AS (SELECT id, MIN(path) AS path, MAX(own) AS own FROM vis GROUP BY id)";

fn hit_path(row: &impl SqlRow) -> Result<(Option<Vec<String>>, bool), StoreError> {
    let path = row.opt_text("hit_path")?.map(|p| {
        if p.is_empty() {
            Vec::new()
        } else {
            p.split('/').map(str::to_owned).collect()
        }
    });
    Ok((path, row.opt_int("hit_own")?.unwrap_or(0) == 1))
}

pub(super) async fn search<E: SqlEngine>(
    e: &E,
    user_id: &str,
    q: &SearchQuery,
) -> Result<Vec<SearchHit>, StoreError> {
    let o = E::DIALECT.byte_order;
    let pattern = contains_pattern(&q.text);
    let limit = i64::try_from(q.limit.max(1)).unwrap_or(i64::MAX);
    let (after_key, after_id) = match &q.after {
        Some((k, i)) => (Some(k.as_str()), Some(i.as_str())),
        None => (None, None),
    };
    let a: &[Arg<'_>] = args![user_id, pattern.as_str(), after_key, after_id, limit];
    let mut tx = e.begin_snapshot().await?;
    let files = tx
        .fetch_all(
            &format!(
                "{VISIBLE}, hits AS ( \
                   SELECT f.id AS hid, s.path AS hpath, s.own AS hown FROM files f \
                   JOIN seen s ON s.id = f.folder_id \
                   WHERE f.deleted_at IS NULL AND f.name_key LIKE $2 ESCAPE '\\' \
                   UNION ALL SELECT f.id, NULL, CAST(0 AS BIGINT) FROM shares sh \
                   JOIN files f ON f.id = sh.file_id \
                   WHERE sh.user_id = $1 AND f.deleted_at IS NULL \
                   AND f.name_key LIKE $2 ESCAPE '\\'), \
                 best AS (SELECT hid, MAX(hpath) AS hpath, MAX(hown) AS hown FROM hits \
                   GROUP BY hid) \
                 SELECT {FILE_COLUMNS}, f.name_key AS hit_key, best.hpath AS hit_path, \
                   best.hown AS hit_own \
                 FROM {FILE_FROM} JOIN best ON best.hid = f.id \
                 WHERE ($3 IS NULL OR f.name_key{o} > $3 OR (f.name_key = $3 AND f.id{o} > $4)) \
                 ORDER BY f.name_key{o}, f.id{o} LIMIT $5"
            ),
            a,
        )
        .await?;
    let folders = tx
        .fetch_all(
            &format!(
                "{VISIBLE} \
                 SELECT d.*, d.name_key AS hit_key, p.path AS hit_path, s.own AS hit_own \
                 FROM seen s JOIN folders d ON d.id = s.id LEFT JOIN seen p ON p.id = d.parent_id \
                 WHERE d.parent_id IS NOT NULL AND d.name_key LIKE $2 ESCAPE '\\' \
                 AND ($3 IS NULL OR d.name_key{o} > $3 OR (d.name_key = $3 AND d.id{o} > $4)) \
                 ORDER BY d.name_key{o}, d.id{o} LIMIT $5"
            ),
            a,
        )
        .await?;
    tx.commit().await?;
    let mut hits = Vec::with_capacity(files.len() + folders.len());
    for r in &files {
        let (path, own) = hit_path(r)?;
        hits.push(SearchHit {
            item: FoundItem::File(Box::new(rows::file(r)?)),
            name_key: r.text("hit_key")?,
            path,
            own,
        });
    }
    for r in &folders {
        let (path, own) = hit_path(r)?;
        hits.push(SearchHit {
            item: FoundItem::Folder(rows::folder(r)?),
            name_key: r.text("hit_key")?,
            path,
            own,
        });
    }
    // Both lists are in (name key, id) byte order; so is `String`'s order.
    hits.sort_by(|a, b| (&a.name_key, a.item.id()).cmp(&(&b.name_key, b.item.id())));
    hits.truncate(q.limit.max(1));
    Ok(hits)
}

// ----- Favourites -----

fn kind_of(item: &ItemRef) -> (i32, &str) {
    match item {
        ItemRef::Folder(id) => (0, id.as_str()),
        ItemRef::File(id) => (1, id.as_str()),
    }
}

pub(super) async fn set_favourite(
    e: &impl SqlEngine,
    user_id: &str,
    item: &ItemRef,
    on: bool,
    now: i64,
) -> Result<(), StoreError> {
    let (kind, id) = kind_of(item);
    if on {
        e.execute(
            "INSERT INTO favourites (user_id, kind, item_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind, item_id) DO NOTHING",
            &[user_id.into(), Arg::Int4(kind), id.into(), now.into()],
        )
        .await?;
    } else {
        e.execute(
            "DELETE FROM favourites WHERE user_id = $1 AND kind = $2 AND item_id = $3",
            &[user_id.into(), Arg::Int4(kind), id.into()],
        )
        .await?;
    }
    Ok(())
}

pub(super) async fn favourites<E: SqlEngine>(
    e: &E,
    user_id: &str,
) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), StoreError> {
    let o = E::DIALECT.byte_order;
    let mut tx = e.begin_snapshot().await?;
    let folders = tx
        .fetch_all(
            &format!(
                "SELECT d.* FROM favourites fv JOIN folders d ON d.id = fv.item_id \
                 WHERE fv.user_id = $1 AND fv.kind = 0 AND d.deleted_at IS NULL ORDER BY d.name_key{o}, d.id{o}"
            ),
            args![user_id],
        )
        .await?;
    let files = tx
        .fetch_all(
            &format!(
                "SELECT {FILE_COLUMNS} FROM {FILE_FROM} \
                 JOIN favourites fv ON fv.item_id = f.id AND fv.kind = 1 \
                 WHERE fv.user_id = $1 AND f.deleted_at IS NULL ORDER BY f.name_key{o}, f.id{o}"
            ),
            args![user_id],
        )
        .await?;
    tx.commit().await?;
    Ok((
        rows::all(&folders, rows::folder)?,
        rows::all(&files, rows::file)?,
    ))
}

// ----- Recent -----

pub(super) async fn record_opened(
    e: &impl SqlEngine,
    user_id: &str,
    file_id: &FileId,
    now: i64,
) -> Result<(), StoreError> {
    e.execute(
        "INSERT INTO recent_files (user_id, file_id, opened_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, file_id) DO UPDATE SET opened_at = EXCLUDED.opened_at",
        args![user_id, file_id, now],
    )
    .await?;
    Ok(())
}

/// How many of a user's newest versions Recent looks at (an autosaving editor writes many).
const RECENT_VERSIONS: i64 = 1000;

pub(super) async fn recent_files(
    e: &impl SqlEngine,
    user_id: &str,
    limit: usize,
) -> Result<Vec<(FileRecord, i64)>, StoreError> {
    let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let rows = e
        .fetch_all(
            &format!(
                "SELECT {FILE_COLUMNS}, r.at AS recent_at FROM {FILE_FROM} JOIN ( \
                   SELECT file_id, MAX(at) AS at FROM ( \
                     SELECT file_id, opened_at AS at FROM recent_files WHERE user_id = $1 \
                     UNION ALL SELECT file_id, at FROM ( \
                       SELECT file_id, created_at AS at FROM file_versions WHERE author_id = $1 \
                       ORDER BY created_at DESC LIMIT $3) AS saved) AS x \
                   GROUP BY file_id) AS r ON r.file_id = f.id \
                 WHERE f.deleted_at IS NULL ORDER BY r.at DESC, f.id LIMIT $2"
            ),
            args![user_id, limit, RECENT_VERSIONS],
        )
        .await?;
    rows::all(&rows, |r| Ok((rows::file(r)?, r.int("recent_at")?)))
}

// ----- Who has access -----

pub(super) async fn file_access(
    e: &impl SqlEngine,
    file_id: &FileId,
) -> Result<Vec<AccessEntry>, StoreError> {
    let rows = e
        .fetch_all(
            "WITH RECURSIVE anc(id) AS ( \
                 SELECT folder_id FROM files WHERE id = $1 \
                 UNION ALL SELECT fo.parent_id FROM folders fo JOIN anc ON fo.id = anc.id \
                 WHERE fo.parent_id IS NOT NULL) \
             SELECT u.id AS uid, u.name AS uname, s.role AS role, CAST(NULL AS TEXT) AS through \
             FROM shares s JOIN users u ON u.id = s.user_id WHERE s.file_id = $1 \
             UNION ALL SELECT u.id, u.name, fs.role, d.name FROM folder_shares fs \
             JOIN anc ON anc.id = fs.folder_id JOIN folders d ON d.id = fs.folder_id \
             JOIN users u ON u.id = fs.user_id \
             ORDER BY uname, uid",
            args![file_id],
        )
        .await?;
    rows::all(&rows, |r| {
        Ok(AccessEntry {
            user_id: r.text("uid")?,
            user_name: r.text("uname")?,
            role: rows::role_from_db(r.int4("role")?),
            through_folder: r.opt_text("through")?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_patterns_match_wildcards_literally_and_fold_case() {
        for (text, want) in [
            ("Report", "%report%"),
            ("100%", "%100\\%%"),
            ("a_b", "%a\\_b%"),
            ("back\\slash", "%back\\\\slash%"),
            ("ÄRGER", "%ärger%"),
        ] {
            assert_eq!(contains_pattern(text), want, "{text}");
        }
    }
}
