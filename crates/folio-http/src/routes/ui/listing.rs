//! A folder's listing in pages, pure: the sort order of its entries (folders first, then files,
//! by name, size or modification time, ascending or descending, ties broken by name then id so
//! that the order is total and stable) and keyset pagination over it. A page is named by the
//! key of the entry it starts after (`?after=`) or ends before (`?before=`), never by an offset,
//! so an entry added or deleted meanwhile moves no other entry to another page.

use std::cmp::Ordering;

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
    /// The key of an entry under `sort`.
    pub fn new(folder: bool, sort: Sort, size: i64, modified: i64, name: &str, id: &str) -> Key {
        Key {
            kind: u8::from(!folder),
            num: match sort {
                Sort::Name => 0,
                Sort::Size => size,
                Sort::Modified => modified,
            },
            name: name.to_lowercase(),
            id: id.to_owned(),
        }
    }

    /// The order of two keys; `desc` reverses it within folders and within files (folders stay
    /// first).
    pub fn cmp_dir(&self, other: &Key, desc: bool) -> Ordering {
        let rest = (self.num, &self.name, &self.id).cmp(&(other.num, &other.name, &other.id));
        self.kind
            .cmp(&other.kind)
            .then(if desc { rest.reverse() } else { rest })
    }

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

/// Which part of the listing to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// The first page.
    First,
    /// The page after this key.
    After(Key),
    /// The page before this key.
    Before(Key),
}

/// One page of a sorted listing: the range of entries and the cursors of its neighbours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The entries shown, as a range of the sorted list.
    pub range: std::ops::Range<usize>,
    /// `?before=` of the previous page, if there is one.
    pub prev: Option<String>,
    /// `?after=` of the next page, if there is one.
    pub next: Option<String>,
}

/// Sorts `keys` (with their payloads) and returns them with the page at `pos`.
pub fn paginate<T>(
    mut entries: Vec<(Key, T)>,
    desc: bool,
    pos: &Position,
    size: usize,
) -> (Vec<(Key, T)>, Page) {
    entries.sort_by(|a, b| a.0.cmp_dir(&b.0, desc));
    let size = size.max(1);
    let n = entries.len();
    let range = match pos {
        Position::First => 0..size.min(n),
        Position::After(k) => {
            let start = entries.partition_point(|(e, _)| e.cmp_dir(k, desc) != Ordering::Greater);
            start..(start + size).min(n)
        }
        Position::Before(k) => {
            let end = entries.partition_point(|(e, _)| e.cmp_dir(k, desc) == Ordering::Less);
            end.saturating_sub(size)..end
        }
    };
    let prev = (range.start > 0)
        .then(|| entries.get(range.start).map(|(k, _)| k.cursor()))
        .flatten();
    let next = (range.end < n)
        .then(|| range.end.checked_sub(1).and_then(|i| entries.get(i)))
        .flatten()
        .map(|(k, _)| k.cursor());
    (entries, Page { range, prev, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(sort: Sort) -> Vec<(Key, &'static str)> {
        // (folder?, size, modified, name, id)
        [
            (false, 30, 3, "b.txt", "f2"),
            (true, 0, 0, "Zeta", "d2"),
            (false, 10, 9, "A.txt", "f1"),
            (false, 20, 1, "c.txt", "f3"),
            (true, 0, 0, "alpha", "d1"),
            (false, 20, 5, "c.txt", "f0"),
        ]
        .into_iter()
        .map(|(d, size, t, name, id)| (Key::new(d, sort, size, t, name, id), id))
        .collect()
    }

    fn ids<T: Copy>(v: &[(Key, T)], r: std::ops::Range<usize>) -> Vec<T> {
        v[r].iter().map(|(_, t)| *t).collect()
    }

    #[test]
    fn folders_first_then_a_total_order_in_each_sort() {
        for (sort, desc, want) in [
            (Sort::Name, false, vec!["d1", "d2", "f1", "f2", "f0", "f3"]),
            (Sort::Name, true, vec!["d2", "d1", "f3", "f0", "f2", "f1"]),
            (Sort::Size, false, vec!["d1", "d2", "f1", "f0", "f3", "f2"]),
            (
                Sort::Modified,
                false,
                vec!["d1", "d2", "f3", "f2", "f0", "f1"],
            ),
            (
                Sort::Modified,
                true,
                vec!["d2", "d1", "f1", "f0", "f2", "f3"],
            ),
        ] {
            let (v, p) = paginate(listing(sort), desc, &Position::First, 100);
            assert_eq!(ids(&v, p.range.clone()), want, "{sort:?} desc={desc}");
            assert_eq!((p.prev, p.next), (None, None));
        }
    }

    #[test]
    fn pages_walk_forwards_and_back_by_key() {
        for (sort, desc) in [
            (Sort::Name, false),
            (Sort::Name, true),
            (Sort::Size, false),
            (Sort::Modified, true),
        ] {
            let (all, _) = paginate(listing(sort), desc, &Position::First, 100);
            let every = ids(&all, 0..all.len());
            // Forwards, two at a time.
            let mut seen = Vec::new();
            let mut pos = Position::First;
            let mut pages = Vec::new();
            loop {
                let (v, p) = paginate(listing(sort), desc, &pos, 2);
                seen.extend(ids(&v, p.range.clone()));
                pages.push(p.clone());
                match p.next {
                    Some(c) => {
                        pos =
                            Position::After(Key::parse_cursor(&c).unwrap_or_else(|| panic!("{c}")))
                    }
                    None => break,
                }
            }
            assert_eq!(seen, every, "{sort:?} desc={desc}");
            assert_eq!(pages.len(), 3);
            assert_eq!(pages[0].prev, None);
            // Back from the last page gives the middle page again.
            let before = pages[2].prev.clone().unwrap_or_default();
            let (v, p) = paginate(
                listing(sort),
                desc,
                &Position::Before(Key::parse_cursor(&before).unwrap_or_else(|| panic!("{before}"))),
                2,
            );
            assert_eq!(p.range, pages[1].range);
            assert_eq!(ids(&v, p.range), every[2..4].to_vec());
        }
    }

    #[test]
    fn a_deleted_cursor_entry_still_finds_its_place() {
        let (all, _) = paginate(listing(Sort::Name), false, &Position::First, 100);
        let cursor = all[2].0.clone(); // f1 (A.txt)
        let without: Vec<_> = listing(Sort::Name)
            .into_iter()
            .filter(|(_, id)| *id != "f1")
            .collect();
        let (v, p) = paginate(without, false, &Position::After(cursor), 2);
        assert_eq!(ids(&v, p.range), vec!["f2", "f0"]);
    }

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let k = Key::new(false, Sort::Size, 42, 0, "A~b.txt", "id1");
        assert_eq!(Key::parse_cursor(&k.cursor()), Some(k));
        for junk in ["", "x", "2~0~a~b", "1~x~a~b", "1~0~a"] {
            assert_eq!(Key::parse_cursor(junk), None, "{junk:?}");
        }
    }
}
