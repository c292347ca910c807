//! Version retention, pure: which versions of a file the sweep drops, given its versions, the
//! time and the policy. Only autosaves are ever dropped; a person's saves, uploads, exit saves,
//! restores and the current version are kept for as long as the file exists.
//!
//! The rule: an autosave younger than `keep_all_ms` is kept. Older than that and younger than
//! `hourly_ms`, the newest autosave of each clock hour (UTC) is kept; older than `hourly_ms`,
//! the newest autosave of each UTC day. Buckets are absolute (hour or day since the epoch), so
//! sweeps agree with each other: what one keeps as an hour's newest is still its day's newest or
//! dropped later, never brought back. The current version is not an autosave for this rule
//! (neither dropped nor counted as its bucket's survivor); the store's candidate query groups
//! the same way.

use folio_store::VersionKind;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// `[versions]`: how autosaves are thinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Thin at all (`false`: every version is kept).
    pub enabled: bool,
    /// Every version younger than this is kept (default a day).
    pub keep_all_ms: i64,
    /// Autosaves younger than this keep one per hour; older ones one per day (default 30 days).
    pub hourly_ms: i64,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            keep_all_ms: DAY_MS,
            hourly_ms: 30 * DAY_MS,
        }
    }
}

impl RetentionPolicy {
    /// The policy in words, for the versions page.
    pub fn describe(&self) -> String {
        if !self.enabled {
            return "Every version is kept.".to_owned();
        }
        format!(
            "Every version is kept for {}. After that, automatic saves are thinned to one an \
             hour, and after {} to one a day. Versions someone saved, uploaded or restored, \
             the save made on closing the editor, and the current version are always kept.",
            span(self.keep_all_ms),
            span(self.hourly_ms)
        )
    }

    /// The hour and day cut-offs at `now` (for the store's candidate query).
    pub fn cutoffs(&self, now: i64) -> (i64, i64) {
        (now - self.keep_all_ms, now - self.hourly_ms)
    }
}

fn span(ms: i64) -> String {
    let hours = ms / HOUR_MS;
    match (hours % 24, hours / 24) {
        (0, 1) => "a day".to_owned(),
        (0, d) => format!("{d} days"),
        (_, _) if hours == 1 => "an hour".to_owned(),
        _ => format!("{hours} hours"),
    }
}

/// One version as the decision sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The version number.
    pub version: i64,
    /// Unix ms it was saved.
    pub at: i64,
    /// How.
    pub kind: VersionKind,
}

/// The versions to drop (ascending), given every version of the file, its current version,
/// `now` and the policy.
pub fn to_drop(versions: &[Saved], current: i64, now: i64, policy: &RetentionPolicy) -> Vec<i64> {
    if !policy.enabled {
        return Vec::new();
    }
    let (keep_all_before, hourly_before) = policy.cutoffs(now);
    // Newest first, so the first autosave seen in a bucket is the one kept.
    let mut candidates: Vec<&Saved> = versions
        .iter()
        .filter(|v| {
            v.kind == VersionKind::Autosave && v.version != current && v.at < keep_all_before
        })
        .collect();
    candidates.sort_by_key(|v| std::cmp::Reverse((v.at, v.version)));
    let mut seen = std::collections::HashSet::new();
    let mut drop: Vec<i64> = Vec::new();
    for v in candidates {
        let bucket = if v.at < hourly_before {
            (1, v.at.div_euclid(DAY_MS))
        } else {
            (0, v.at.div_euclid(HOUR_MS))
        };
        if !seen.insert(bucket) {
            drop.push(v.version);
        }
    }
    drop.sort_unstable();
    drop
}

#[cfg(test)]
mod tests {
    use super::*;
    use VersionKind::*;

    /// Noon, UTC, some day: hours and days start at round numbers.
    const NOW: i64 = 20_000 * DAY_MS + 12 * HOUR_MS;

    fn v(version: i64, ago_ms: i64, kind: VersionKind) -> Saved {
        Saved {
            version,
            at: NOW - ago_ms,
            kind,
        }
    }

    const MIN: i64 = 60_000;

    #[test]
    fn thinning_table() {
        let p = RetentionPolicy::default();
        // (versions, current, expected drops)
        let cases: Vec<(&str, Vec<Saved>, i64, Vec<i64>)> = vec![
            ("nothing", vec![], 0, vec![]),
            (
                "younger than a day: all kept",
                vec![
                    v(1, 5 * MIN, Autosave),
                    v(2, 4 * MIN, Autosave),
                    v(3, MIN, Autosave),
                ],
                3,
                vec![],
            ),
            (
                "two days old, same hour: the newest kept",
                vec![
                    v(1, 2 * DAY_MS + 30 * MIN, Autosave),
                    v(2, 2 * DAY_MS + 20 * MIN, Autosave),
                    v(3, 2 * DAY_MS + 10 * MIN, Autosave),
                    v(4, MIN, Save),
                ],
                4,
                vec![1, 2],
            ),
            (
                "two days old, different hours: one each",
                vec![
                    v(1, 2 * DAY_MS + 2 * HOUR_MS, Autosave),
                    v(2, 2 * DAY_MS + HOUR_MS, Autosave),
                    v(3, MIN, Save),
                ],
                3,
                vec![],
            ),
            (
                "forty days old: one a day",
                vec![
                    v(1, 40 * DAY_MS + 5 * HOUR_MS, Autosave),
                    v(2, 40 * DAY_MS + 3 * HOUR_MS, Autosave),
                    v(3, 40 * DAY_MS + HOUR_MS, Autosave),
                    v(4, 39 * DAY_MS, Autosave),
                    v(5, MIN, Autosave),
                ],
                5,
                vec![1, 2],
            ),
            (
                "saves, exit saves, uploads and restores are never dropped",
                vec![
                    v(1, 40 * DAY_MS + 50 * MIN, Upload),
                    v(2, 40 * DAY_MS + 40 * MIN, Save),
                    v(3, 40 * DAY_MS + 30 * MIN, ExitSave),
                    v(4, 40 * DAY_MS + 20 * MIN, Restored),
                    v(5, 40 * DAY_MS + 10 * MIN, Autosave),
                    v(6, MIN, Save),
                ],
                6,
                vec![],
            ),
            (
                "the current version is neither dropped nor its hour's survivor",
                vec![
                    v(1, 3 * DAY_MS + 30 * MIN, Autosave),
                    v(2, 3 * DAY_MS + 20 * MIN, Autosave),
                    v(3, 3 * DAY_MS + 10 * MIN, Autosave),
                ],
                3,
                vec![1],
            ),
            (
                "an old current autosave alone is kept",
                vec![v(1, 90 * DAY_MS, Autosave)],
                1,
                vec![],
            ),
        ];
        for (name, versions, current, expected) in cases {
            assert_eq!(to_drop(&versions, current, NOW, &p), expected, "{name}");
        }
    }

    #[test]
    fn disabled_and_custom_policies() {
        let versions = vec![
            v(1, 3 * HOUR_MS + 20 * MIN, Autosave),
            v(2, 3 * HOUR_MS + 10 * MIN, Autosave),
            v(3, MIN, Save),
        ];
        let off = RetentionPolicy {
            enabled: false,
            ..Default::default()
        };
        assert_eq!(to_drop(&versions, 3, NOW, &off), Vec::<i64>::new());
        let short = RetentionPolicy {
            enabled: true,
            keep_all_ms: HOUR_MS,
            hourly_ms: 2 * HOUR_MS,
        };
        // Both are older than the hourly window: same day, the newer kept.
        assert_eq!(to_drop(&versions, 3, NOW, &short), vec![1]);
    }

    #[test]
    fn sweeps_agree() {
        // What a later sweep drops includes what an earlier one dropped, and what it keeps was
        // kept before.
        let p = RetentionPolicy::default();
        let versions: Vec<Saved> = (0..200)
            .map(|i| v(i + 1, (200 - i) * 7 * HOUR_MS + 13 * MIN, Autosave))
            .collect();
        let current = 201;
        let first = to_drop(&versions, current, NOW, &p);
        let later = to_drop(&versions, current, NOW + 20 * DAY_MS, &p);
        assert!(
            first.iter().all(|d| later.contains(d)),
            "{first:?} {later:?}"
        );
    }

    #[test]
    fn put_kinds() {
        for (autosave, exit, kind) in [
            (Some(true), None, Autosave),
            (Some(false), None, Save),
            (None, None, Autosave),
            (Some(true), Some(true), ExitSave),
            (Some(false), Some(true), ExitSave),
            (None, Some(false), Autosave),
            (Some(false), Some(false), Save),
        ] {
            assert_eq!(
                VersionKind::of_put(autosave, exit),
                kind,
                "{autosave:?} {exit:?}"
            );
        }
    }

    #[test]
    fn policy_words() {
        let d = RetentionPolicy::default().describe();
        assert!(
            d.contains("kept for a day") && d.contains("after 30 days"),
            "{d}"
        );
        let off = RetentionPolicy {
            enabled: false,
            ..Default::default()
        };
        assert_eq!(off.describe(), "Every version is kept.");
    }
}
