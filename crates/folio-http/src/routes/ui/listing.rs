//! A folder's listing in pages: the sort of the folder page (`?sort=`, `?dir=`) and the cursors
//! that name its pages. The order itself — folders first, then files, by name, size or
//! modification time, ascending or descending, ties broken by name then id so that it is total
//! and stable — is the store's (`MetadataStore::list_folder_page`, one keyset page read with
//! `LIMIT`, pinned by the conformance suite). A page is named by the key of the entry it starts
//! after (`?after=`) or ends before (`?before=`), never by an offset, so an entry added or
//! deleted meanwhile moves no other entry to another page.

use folio_app::folio_store::{ListingKey, ListingPosition, ListingSort};

/// Entries per page of the folder page.
pub const PAGE_SIZE: usize = 100;

/// The column a listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By name (case-insensitive).
    Name,
    /// By size (folders count as 0).
    Size,
    /// By modification time (folders count as 0).
    Modified,
}

impl Sort {
    /// `?sort=`; anything unknown is by name.
    pub fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("size") => Sort::Size,
            Some("modified") => Sort::Modified,
            _ => Sort::Name,
        }
    }
    /// The `?sort=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Size => "size",
            Sort::Modified => "modified",
        }
    }
}

/// Where an entry sorts: folders (`kind` 0) before files (`kind` 1), then by `num` (size or
/// time; 0 when sorting by name), then by the lower-cased name, then by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// 0 folder, 1 file.
    pub kind: u8,
    /// Size or time under those sorts, else 0.
    pub num: i64,
    /// The name, lower-cased.
    pub name: String,
    /// The id (unique).
    pub id: String,
}

impl Key {
    /// The cursor in a URL: `kind~num~id~name` (the name last, as it may hold `~`).
    pub fn cursor(&self) -> String {
        format!("{}~{}~{}~{}", self.kind, self.num, self.id, self.name)
    }

    /// Parses [`Key::cursor`]; `None` for anything else.
    pub fn parse_cursor(s: &str) -> Option<Key> {
        let mut parts = s.splitn(4, '~');
        let kind: u8 = parts.next()?.parse().ok()?;
        let num: i64 = parts.next()?.parse().ok()?;
        let id = parts.next()?.to_owned();
        let name = parts.next()?.to_owned();
        (kind <= 1).then_some(Key {
            kind,
            num,
            name,
            id,
        })
    }
}

impl Key {
    /// The store's key of this cursor (`MetadataStore::list_folder_page`).
    pub fn to_store(&self) -> ListingKey {
        ListingKey {
            folder: self.kind == 0,
            num: self.num,
            name_key: self.name.clone(),
            id: self.id.clone(),
        }
    }
    /// The cursor of a store key.
    pub fn from_store(k: &ListingKey) -> Key {
        Key {
            kind: u8::from(!k.folder),
            num: k.num,
            name: k.name_key.clone(),
            id: k.id.clone(),
        }
    }
}

impl Sort {
    /// The store's sort.
    pub fn to_store(self) -> ListingSort {
        use ListingSort as S;
        match self {
            Sort::Name => S::Name,
            Sort::Size => S::Size,
            Sort::Modified => S::Modified,
        }
    }
}

/// The store's position of a page named by `?after=` / `?before=` (unparseable cursors: the
/// first page).
pub fn store_position(after: Option<&str>, before: Option<&str>) -> ListingPosition {
    use ListingPosition as P;
    match (
        after.and_then(Key::parse_cursor),
        before.and_then(Key::parse_cursor),
    ) {
        (Some(k), _) => P::After(k.to_store()),
        (None, Some(k)) => P::Before(k.to_store()),
        (None, None) => P::First,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let k = Key {
            kind: 1,
            num: 42,
            name: "a~b.txt".to_owned(),
            id: "id1".to_owned(),
        };
        assert_eq!(Key::parse_cursor(&k.cursor()), Some(k.clone()));
        assert_eq!(Key::from_store(&k.to_store()), k);
        for junk in ["", "x", "2~0~a~b", "1~x~a~b", "1~0~a"] {
            assert_eq!(Key::parse_cursor(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn pages_are_named_by_their_cursors() {
        let k = Key {
            kind: 0,
            num: 0,
            name: "docs".to_owned(),
            id: "d1".to_owned(),
        };
        let c = k.cursor();
        assert_eq!(store_position(None, None), ListingPosition::First);
        assert_eq!(
            store_position(Some(&c), None),
            ListingPosition::After(k.to_store())
        );
        assert_eq!(
            store_position(None, Some(&c)),
            ListingPosition::Before(k.to_store())
        );
        assert_eq!(store_position(Some("junk"), None), ListingPosition::First);
        assert_eq!(Sort::parse(Some("size")).to_store(), ListingSort::Size);
    }
}
