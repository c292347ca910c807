//! CSPP Plus coauth locks (spec/cspp-plus.md §3) and the lock conflicts they change, as pure
//! functions of (current rows, WOPI lock, request, now). Stores call [`apply`] inside the
//! transaction that row-locks the file, so the decision and the write are one atomic step.
//!
//! Times are Unix milliseconds; an expired row is the same as no row everywhere (§3.5).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ConflictingMechanism, LockConflict, ReportedLock, WopiError};
use crate::lock::LockState;

/// Longest `X-WOPI-CoauthLockId` (ASCII characters), §3.2.
pub const MAX_LOCK_ID_LEN: usize = 1024;
/// Longest coauth lock metadata in bytes (4 KB), §3.4.
pub const MAX_METADATA_LEN: usize = 4096;
/// Shortest and longest lock timeout in seconds (coauth locks and `X-WOPI-LockExpirationTimeout`).
pub const TIMEOUT_SECS: std::ops::RangeInclusive<i64> = 60..=3600;

/// The two kinds of coauth lock (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoauthLockType {
    /// Shared: any number of holders.
    Coauth,
    /// At most one per file, beside any number of `Coauth` holders; only it may write.
    CoauthExclusive,
}

impl CoauthLockType {
    /// Parses `X-WOPI-CoauthLockType` (exact spelling; `None` is reserved and refused).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Coauth" => Some(Self::Coauth),
            "CoauthExclusive" => Some(Self::CoauthExclusive),
            _ => None,
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coauth => "Coauth",
            Self::CoauthExclusive => "CoauthExclusive",
        }
    }
}

/// One coauth lock as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoauthLock {
    /// `X-WOPI-CoauthLockId`.
    pub id: String,
    /// Current type.
    pub kind: CoauthLockType,
    /// Client metadata (may be empty).
    pub metadata: String,
    /// Display name of the user whose token acquired the lock (non-empty).
    pub user_name: String,
    /// First acquisition (kept by refreshes and repeated acquisitions).
    pub acquired_at: i64,
    /// The row stops counting at this time.
    pub expires_at: i64,
}

impl CoauthLock {
    /// Whether the row still holds at `now` (`now >= expires_at` is expired, §3.5).
    pub fn is_live(&self, now: i64) -> bool {
        now < self.expires_at
    }
}

/// GetCoauthLock, RefreshCoauthLock or UnlockCoauthLock, with its headers already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoauthRequest {
    /// GetCoauthLock.
    Get {
        /// The lock id.
        id: String,
        /// The type asked for.
        kind: CoauthLockType,
        /// Metadata (body wins over header; `None`: neither sent → `""`).
        metadata: Option<String>,
        /// Lifetime in ms.
        timeout_ms: i64,
        /// The requesting user's display name.
        user_name: String,
    },
    /// RefreshCoauthLock.
    Refresh {
        /// The lock id.
        id: String,
        /// New metadata (`None`: unchanged).
        metadata: Option<String>,
        /// New lifetime in ms, from now.
        timeout_ms: i64,
    },
    /// UnlockCoauthLock.
    Unlock {
        /// The lock id.
        id: String,
    },
}

/// The rows after a request, and whether the table changed in a way that needs a new version
/// (a row added, removed, or changed in type, metadata or user — not a new expiry alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoauthNext {
    /// Every live row after the request.
    pub rows: Vec<CoauthLock>,
    /// The version must change.
    pub changed: bool,
}

/// The JSON body of GetCoauthLock, RefreshCoauthLock and GetCoauthTable: exactly
/// `{"CoauthTable":[…]}` with five properties per row (`CoauthTableSchema.json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CoauthTableResponse<'a> {
    /// One entry per live row.
    pub coauth_table: Vec<CoauthRowResponse<'a>>,
}

/// One row of [`CoauthTableResponse`].
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CoauthRowResponse<'a> {
    /// The lock id.
    pub coauth_lock_id: &'a str,
    /// Client metadata.
    pub coauth_lock_metadata: &'a str,
    /// `Coauth` or `CoauthExclusive`.
    pub coauth_lock_type: &'static str,
    /// Who took the lock.
    pub user_friendly_name: &'a str,
    /// First acquisition, ms since the epoch.
    pub coauth_lock_time: i64,
}

impl<'a> CoauthTableResponse<'a> {
    /// The body for these rows.
    pub fn new(rows: &'a [CoauthLock]) -> Self {
        Self {
            coauth_table: rows
                .iter()
                .map(|r| CoauthRowResponse {
                    coauth_lock_id: &r.id,
                    coauth_lock_metadata: &r.metadata,
                    coauth_lock_type: r.kind.as_str(),
                    user_friendly_name: &r.user_name,
                    coauth_lock_time: r.acquired_at,
                })
                .collect(),
        }
    }
}

/// The optional JSON body of GetCoauthLock / RefreshCoauthLock: `{"CoauthLockMetadata": …}`.
#[derive(Debug, Deserialize)]
struct MetadataBody {
    #[serde(rename = "CoauthLockMetadata", default)]
    metadata: Option<String>,
}

/// Which metadata a GetCoauthLock or RefreshCoauthLock stores (§3.4): the body wins over the
/// header; on Get an empty body value still wins; on Refresh an empty or null value (and an
/// empty header) leaves it unchanged (`None`). An empty body is no body.
pub fn metadata_of(
    refresh: bool,
    header: Option<&str>,
    body: &[u8],
) -> Result<Option<String>, WopiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let parsed: MetadataBody = serde_json::from_slice(body)
            .map_err(|_| WopiError::BadRequest("malformed coauth lock metadata body"))?;
        Some(parsed.metadata)
    };
    let chosen = match (refresh, body) {
        (false, Some(b)) => Some(b.unwrap_or_default()),
        (false, None) => header.map(str::to_owned),
        (true, Some(Some(b))) if !b.is_empty() => Some(b),
        (true, Some(_)) => None,
        (true, None) => header.filter(|m| !m.is_empty()).map(str::to_owned),
    };
    if let Some(m) = &chosen {
        check_metadata(m)?;
    }
    Ok(chosen)
}

/// The live rows at `now`.
pub fn live(rows: &[CoauthLock], now: i64) -> Vec<CoauthLock> {
    rows.iter().filter(|r| r.is_live(now)).cloned().collect()
}

/// Whether any coauth row holds at `now`.
pub fn any_live(rows: &[CoauthLock], now: i64) -> bool {
    rows.iter().any(|r| r.is_live(now))
}

fn conflict(reason: &'static str) -> WopiError {
    WopiError::LockConflict(Box::new(LockConflict {
        lock: ReportedLock::Omit,
        mechanism: None,
        lock_user: None,
        reason,
    }))
}

/// The 409 for a request refused because of a WOPI lock: `X-WOPI-ConflictingLockUsername` when
/// the lock was taken user-visible.
fn wopi_locked(lock_user: Option<&str>) -> WopiError {
    WopiError::LockConflict(Box::new(LockConflict {
        lock: ReportedLock::Omit,
        mechanism: None,
        lock_user: lock_user.map(str::to_owned),
        reason: "the file has a WOPI lock",
    }))
}

/// Applies a coauth lock request (§3.1, §3.3) to the rows stored for a file. `wopi_lock` is the
/// file's WOPI lock (it may have expired) and `lock_user` the name stored with it when it was
/// taken user-visible. Expired rows are dropped from the result (and `changed` reports it).
pub fn apply(
    rows: &[CoauthLock],
    wopi_lock: Option<&LockState>,
    lock_user: Option<&str>,
    request: &CoauthRequest,
    now: i64,
) -> Result<CoauthNext, WopiError> {
    let mut live_rows = live(rows, now);
    let mut changed = live_rows.len() != rows.len();
    let wopi_live = crate::lock::live(wopi_lock, now).is_some();
    let position = |rows: &[CoauthLock], id: &str| rows.iter().position(|r| r.id == id);
    match request {
        CoauthRequest::Get {
            id,
            kind,
            metadata,
            timeout_ms,
            user_name,
        } => {
            if wopi_live {
                return Err(wopi_locked(lock_user));
            }
            let other_exclusive = live_rows
                .iter()
                .any(|r| r.id != *id && r.kind == CoauthLockType::CoauthExclusive);
            if *kind == CoauthLockType::CoauthExclusive && other_exclusive {
                return Err(conflict("another client holds the exclusive coauth lock"));
            }
            let metadata = metadata.clone().unwrap_or_default();
            let expires_at = now + timeout_ms;
            match position(&live_rows, id) {
                Some(i) => {
                    let row = &mut live_rows[i];
                    changed |= row.kind != *kind
                        || row.metadata != metadata
                        || row.user_name != *user_name;
                    row.kind = *kind;
                    row.metadata = metadata;
                    row.user_name = user_name.clone();
                    row.expires_at = expires_at;
                }
                None => {
                    live_rows.push(CoauthLock {
                        id: id.clone(),
                        kind: *kind,
                        metadata,
                        user_name: user_name.clone(),
                        acquired_at: now,
                        expires_at,
                    });
                    changed = true;
                }
            }
        }
        CoauthRequest::Refresh {
            id,
            metadata,
            timeout_ms,
        } => {
            let i = position(&live_rows, id).ok_or_else(|| conflict("no such coauth lock"))?;
            let row = &mut live_rows[i];
            row.expires_at = now + timeout_ms;
            if let Some(m) = metadata {
                changed |= row.metadata != *m;
                row.metadata = m.clone();
            }
        }
        CoauthRequest::Unlock { id } => {
            let i = position(&live_rows, id).ok_or_else(|| conflict("no such coauth lock"))?;
            live_rows.remove(i);
            changed = true;
        }
    }
    Ok(CoauthNext {
        rows: live_rows,
        changed,
    })
}

/// The table version for a per-file change counter and the live rows (§3.3): it changes when
/// the counter does or when the live set does (a row expiring), never on a new expiry alone.
/// Decimal digits, compared byte for byte.
pub fn table_version(counter: i64, live_rows: &[CoauthLock]) -> String {
    let mut rows: Vec<&CoauthLock> = live_rows.iter().collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let mut h = Sha256::new();
    h.update(counter.to_be_bytes());
    for r in rows {
        for part in [r.id.as_str(), r.kind.as_str(), &r.metadata, &r.user_name] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        h.update(r.acquired_at.to_be_bytes());
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // Keep it well inside what any client parses: 15 decimal digits at most.
    (u64::from_be_bytes(first) % 1_000_000_000_000_000).to_string()
}

/// What a content or name change presents: `X-WOPI-Lock` and `X-WOPI-CoauthLockId`, empty
/// values already turned into `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presented<'a> {
    /// `X-WOPI-Lock`.
    pub wopi_lock: Option<&'a str>,
    /// `X-WOPI-CoauthLockId`.
    pub coauth_id: Option<&'a str>,
}

/// The file's lock state as a write decision needs it.
#[derive(Debug, Clone, Copy)]
pub struct LockView<'a> {
    /// The WOPI lock (may have expired).
    pub wopi_lock: Option<&'a LockState>,
    /// The name stored with a user-visible WOPI lock.
    pub lock_user: Option<&'a str>,
    /// Every stored coauth row (may include expired ones).
    pub coauth: &'a [CoauthLock],
    /// Current content size.
    pub size: u64,
}

fn wopi_mismatch(
    current: Option<&LockState>,
    lock_user: Option<&str>,
    reason: &'static str,
) -> WopiError {
    WopiError::LockConflict(Box::new(LockConflict {
        lock: ReportedLock::Current(current.map(|l| l.id.clone())),
        mechanism: Some(ConflictingMechanism::WopiLock),
        lock_user: lock_user.map(str::to_owned),
        reason,
    }))
}

/// PutChunkedFile's lock matrix (§8.2, §3.6). Both locks presented is a 400 the caller checks
/// first (it is a header error, decided before the lock state).
pub fn check_put_chunked(
    view: &LockView<'_>,
    presented: Presented<'_>,
    now: i64,
) -> Result<(), WopiError> {
    let wopi = crate::lock::live(view.wopi_lock, now);
    let rows = live(view.coauth, now);
    if let Some(l) = wopi {
        return match presented.wopi_lock {
            Some(p) if p == l.id.as_str() => Ok(()),
            _ => Err(wopi_mismatch(
                Some(l),
                view.lock_user,
                "the file has another WOPI lock",
            )),
        };
    }
    if let Some(x) = rows
        .iter()
        .find(|r| r.kind == CoauthLockType::CoauthExclusive)
    {
        if presented.coauth_id == Some(x.id.as_str()) {
            return Ok(());
        }
        if presented.wopi_lock.is_some() || presented.coauth_id.is_some() {
            return Err(WopiError::LockConflict(Box::new(LockConflict {
                lock: ReportedLock::Omit,
                mechanism: Some(ConflictingMechanism::CoauthExclusiveLock),
                lock_user: None,
                reason: "another client holds the exclusive coauth lock",
            })));
        }
        return Err(conflict("the file has coauth locks"));
    }
    if !rows.is_empty() {
        return match presented.coauth_id {
            Some(id) if rows.iter().any(|r| r.id == id) => Ok(()),
            Some(_) => Err(conflict("no such coauth lock")),
            None => Err(conflict("the file has coauth locks")),
        };
    }
    if view.size == 0 {
        return Ok(());
    }
    Err(WopiError::LockConflict(Box::new(LockConflict {
        lock: ReportedLock::Current(None),
        mechanism: None,
        lock_user: None,
        reason: "file is not locked and not empty",
    })))
}

/// RenameFile under CSPP Plus (§3.7), after the classic rule for files without coauth rows:
/// `Ok(true)` when the coauth rule decided (allowed), `Ok(false)` when the classic WOPI-lock
/// rule applies (no coauth rows and no coauth id presented, or a coauth id on an unlocked file
/// — then the caller's classic check sees an unlocked file). Both locks presented: 400.
pub fn check_rename(
    view: &LockView<'_>,
    presented: Presented<'_>,
    now: i64,
) -> Result<bool, WopiError> {
    if presented.wopi_lock.is_some() && presented.coauth_id.is_some() {
        return Err(WopiError::BadRequest(
            "X-WOPI-Lock and X-WOPI-CoauthLockId are both set",
        ));
    }
    let rows = live(view.coauth, now);
    if rows.is_empty() {
        return match (presented.coauth_id, crate::lock::live(view.wopi_lock, now)) {
            (Some(_), Some(l)) => Err(wopi_mismatch(
                Some(l),
                view.lock_user,
                "the file has a WOPI lock",
            )),
            (Some(_), None) => Ok(true),
            (None, _) => Ok(false),
        };
    }
    match presented.coauth_id {
        Some(id) if rows.iter().any(|r| r.id == id) => Ok(true),
        _ => Err(conflict("the file has coauth locks")),
    }
}

/// A classic content change, lock change or deletion while coauth rows hold (§3.6, §3.7): 409
/// without `X-WOPI-Lock` ("another interface" holds the file).
pub fn check_classic(coauth: &[CoauthLock], now: i64) -> Result<(), WopiError> {
    if any_live(coauth, now) {
        Err(conflict("the file has coauth locks"))
    } else {
        Ok(())
    }
}

/// A classic lock conflict, with `X-WOPI-ConflictingLockUsername` added when the conflicting
/// lock was taken user-visible.
pub fn with_lock_user(err: WopiError, lock_user: Option<&str>) -> WopiError {
    match (err, lock_user) {
        (
            WopiError::LockMismatch {
                current: Some(c),
                reason,
            },
            Some(user),
        ) => WopiError::LockConflict(Box::new(LockConflict {
            lock: ReportedLock::Current(Some(c)),
            mechanism: None,
            lock_user: Some(user.to_owned()),
            reason,
        })),
        (e, _) => e,
    }
}

/// Parses a timeout in seconds (`X-WOPI-CoauthLockExpirationTimeout`,
/// `X-WOPI-LockExpirationTimeout`): an integer in 60–3600, returned in ms.
pub fn parse_timeout(value: &str) -> Result<i64, WopiError> {
    match value.trim().parse::<i64>() {
        Ok(s) if TIMEOUT_SECS.contains(&s) => Ok(s * 1000),
        _ => Err(WopiError::BadRequest(
            "lock timeout must be 60-3600 seconds",
        )),
    }
}

/// Checks an `X-WOPI-CoauthLockId`: non-empty, at most 1024 characters, printable ASCII.
pub fn parse_lock_id(value: &str) -> Result<String, WopiError> {
    if value.is_empty()
        || value.len() > MAX_LOCK_ID_LEN
        || !value.bytes().all(|b| (0x20..0x7f).contains(&b))
    {
        return Err(WopiError::BadRequest("invalid X-WOPI-CoauthLockId"));
    }
    Ok(value.to_owned())
}

/// Checks coauth lock metadata (at most 4 KB).
pub fn check_metadata(value: &str) -> Result<(), WopiError> {
    if value.len() > MAX_METADATA_LEN {
        return Err(WopiError::BadRequest("coauth lock metadata over 4 KB"));
    }
    Ok(())
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "table tests: a failed expectation panics"
)]
mod tests {
    use super::*;
    use crate::ids::LockId;
    use CoauthLockType::*;

    const NOW: i64 = 1_000_000;
    const MIN: i64 = 60_000;

    fn row(id: &str, kind: CoauthLockType) -> CoauthLock {
        CoauthLock {
            id: id.into(),
            kind,
            metadata: String::new(),
            user_name: "Alice".into(),
            acquired_at: NOW - 10,
            expires_at: NOW + MIN,
        }
    }

    fn get(id: &str, kind: CoauthLockType) -> CoauthRequest {
        CoauthRequest::Get {
            id: id.into(),
            kind,
            metadata: None,
            timeout_ms: MIN,
            user_name: "Alice".into(),
        }
    }

    fn wopi(id: &str) -> LockState {
        LockState {
            id: LockId::parse(id).unwrap(),
            expires_at: NOW + 1000,
        }
    }

    fn kinds(next: &CoauthNext) -> Vec<(String, CoauthLockType)> {
        let mut v: Vec<_> = next.rows.iter().map(|r| (r.id.clone(), r.kind)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn is_conflict(r: &Result<CoauthNext, WopiError>) -> bool {
        matches!(r, Err(WopiError::LockConflict(_)))
    }

    /// §3.1's table, row by row.
    #[test]
    fn get_coauth_lock_table() {
        let x = |k| vec![row("X", k)];
        let other = |k| vec![row("O", k)];
        type Case = (
            Vec<CoauthLock>,
            CoauthRequest,
            Option<Vec<(&'static str, CoauthLockType)>>,
        );
        let cases: Vec<Case> = vec![
            (vec![], get("X", Coauth), Some(vec![("X", Coauth)])),
            (
                other(Coauth),
                get("X", Coauth),
                Some(vec![("O", Coauth), ("X", Coauth)]),
            ),
            (
                other(Coauth),
                get("X", CoauthExclusive),
                Some(vec![("O", Coauth), ("X", CoauthExclusive)]),
            ),
            (
                other(CoauthExclusive),
                get("X", Coauth),
                Some(vec![("O", CoauthExclusive), ("X", Coauth)]),
            ),
            (other(CoauthExclusive), get("X", CoauthExclusive), None),
            (
                vec![row("X", Coauth), row("O", CoauthExclusive)],
                get("X", CoauthExclusive),
                None,
            ),
            (
                x(Coauth),
                get("X", CoauthExclusive),
                Some(vec![("X", CoauthExclusive)]),
            ),
            (
                x(CoauthExclusive),
                get("X", Coauth),
                Some(vec![("X", Coauth)]),
            ),
            (x(Coauth), get("X", Coauth), Some(vec![("X", Coauth)])),
        ];
        for (i, (rows, req, want)) in cases.into_iter().enumerate() {
            let got = apply(&rows, None, None, &req, NOW);
            match want {
                Some(w) => {
                    let w: Vec<_> = w.into_iter().map(|(a, b)| (a.to_owned(), b)).collect();
                    assert_eq!(kinds(&got.unwrap()), w, "case {i}");
                }
                None => assert!(is_conflict(&got), "case {i}: {got:?}"),
            }
        }
    }

    #[test]
    fn a_wopi_lock_refuses_coauth_locks_and_names_a_visible_holder() {
        let l = wopi("L");
        let got = apply(&[], Some(&l), Some("Bob"), &get("X", Coauth), NOW);
        match got {
            Err(WopiError::LockConflict(c)) => {
                assert_eq!(c.lock_user.as_deref(), Some("Bob"));
                assert_eq!(c.lock, ReportedLock::Omit);
            }
            other => panic!("{other:?}"),
        }
        // An expired WOPI lock does not count.
        let expired = LockState {
            expires_at: NOW,
            ..wopi("L")
        };
        assert!(apply(&[], Some(&expired), None, &get("X", Coauth), NOW).is_ok());
    }

    #[test]
    fn versions_change_with_rows_not_with_expiry() {
        let rows = vec![row("X", Coauth)];
        // Same id, same type, no metadata: only the expiry moves.
        let again = apply(&rows, None, None, &get("X", Coauth), NOW).unwrap();
        assert!(!again.changed);
        assert_eq!(
            again.rows[0].acquired_at,
            NOW - 10,
            "CoauthLockTime is kept"
        );
        assert_eq!(again.rows[0].expires_at, NOW + MIN);
        let refresh = CoauthRequest::Refresh {
            id: "X".into(),
            metadata: None,
            timeout_ms: 4 * MIN,
        };
        let r = apply(&rows, None, None, &refresh, NOW + 5).unwrap();
        assert!(!r.changed);
        assert_eq!(
            r.rows[0].expires_at,
            NOW + 5 + 4 * MIN,
            "replaces, does not add"
        );
        let refresh_meta = CoauthRequest::Refresh {
            id: "X".into(),
            metadata: Some("m2".into()),
            timeout_ms: MIN,
        };
        let r = apply(&rows, None, None, &refresh_meta, NOW).unwrap();
        assert!(r.changed);
        assert_eq!(r.rows[0].metadata, "m2");
        // Type switch, new row, removal: changed.
        assert!(
            apply(&rows, None, None, &get("X", CoauthExclusive), NOW)
                .unwrap()
                .changed
        );
        assert!(
            apply(&rows, None, None, &get("Y", Coauth), NOW)
                .unwrap()
                .changed
        );
        let unlock = CoauthRequest::Unlock { id: "X".into() };
        let r = apply(&rows, None, None, &unlock, NOW).unwrap();
        assert!(r.changed && r.rows.is_empty());
        // The version string follows the counter and the live rows.
        let v = table_version(3, &rows);
        assert_eq!(v, table_version(3, &again.rows));
        assert_ne!(v, table_version(4, &rows));
        assert_ne!(v, table_version(3, &[]));
        assert!(v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty());
    }

    #[test]
    fn expired_rows_are_absent() {
        let rows = vec![row("X", CoauthExclusive)];
        let later = NOW + MIN; // now >= expires_at: expired
        let refresh = CoauthRequest::Refresh {
            id: "X".into(),
            metadata: None,
            timeout_ms: MIN,
        };
        assert!(is_conflict(&apply(&rows, None, None, &refresh, later)));
        let unlock = CoauthRequest::Unlock { id: "X".into() };
        assert!(is_conflict(&apply(&rows, None, None, &unlock, later)));
        // Another client may now take the exclusive lock; the expired row is dropped.
        let r = apply(&rows, None, None, &get("Y", CoauthExclusive), later).unwrap();
        assert_eq!(kinds(&r), vec![("Y".to_owned(), CoauthExclusive)]);
        assert!(apply(&rows, None, None, &refresh, later - 1).is_ok());
        assert!(check_classic(&rows, later).is_ok());
        assert!(check_classic(&rows, later - 1).is_err());
    }

    fn put(
        view: &LockView<'_>,
        wopi_lock: Option<&str>,
        coauth_id: Option<&str>,
    ) -> Result<(), WopiError> {
        check_put_chunked(
            view,
            Presented {
                wopi_lock,
                coauth_id,
            },
            NOW,
        )
    }

    fn shape(r: Result<(), WopiError>) -> String {
        match r {
            Ok(()) => "200".into(),
            Err(WopiError::LockConflict(c)) => format!(
                "409 lock={} mech={}",
                match &c.lock {
                    ReportedLock::Omit => "-".to_owned(),
                    ReportedLock::Current(l) => l
                        .as_ref()
                        .map_or("''".to_owned(), |l| l.as_str().to_owned()),
                },
                c.mechanism.map_or("-", |m| m.as_str())
            ),
            Err(e) => format!("{e:?}"),
        }
    }

    /// §8.2's lock table.
    #[test]
    fn put_chunked_file_lock_table() {
        let l = wopi("L");
        let empty = LockView {
            wopi_lock: None,
            lock_user: None,
            coauth: &[],
            size: 0,
        };
        let full = LockView { size: 10, ..empty };
        let locked = LockView {
            wopi_lock: Some(&l),
            ..full
        };
        let co = [row("X", Coauth)];
        let coauth = LockView {
            coauth: &co,
            ..full
        };
        let xex = [row("X", CoauthExclusive)];
        let x_exclusive = LockView {
            coauth: &xex,
            ..full
        };
        let oex = [row("O", CoauthExclusive), row("X", Coauth)];
        let o_exclusive = LockView {
            coauth: &oex,
            ..full
        };
        let cases: &[(&LockView, Option<&str>, Option<&str>, &str)] = &[
            (&empty, None, None, "200"),
            (&full, None, None, "409 lock='' mech=-"),
            (&locked, Some("L"), None, "200"),
            (&locked, None, Some("X"), "409 lock=L mech=WOPI-Lock"),
            (&locked, Some("L2"), None, "409 lock=L mech=WOPI-Lock"),
            (&locked, None, None, "409 lock=L mech=WOPI-Lock"),
            (&coauth, None, Some("X"), "200"),
            (&coauth, Some("L"), None, "409 lock=- mech=-"),
            (&coauth, None, None, "409 lock=- mech=-"),
            (&coauth, None, Some("Z"), "409 lock=- mech=-"),
            (&x_exclusive, None, Some("X"), "200"),
            (
                &o_exclusive,
                None,
                Some("X"),
                "409 lock=- mech=WOPI-CoauthExclusiveLock",
            ),
            (
                &o_exclusive,
                Some("L"),
                None,
                "409 lock=- mech=WOPI-CoauthExclusiveLock",
            ),
        ];
        for (i, (view, w, c, want)) in cases.iter().enumerate() {
            assert_eq!(shape(put(view, *w, *c)), *want, "case {i}");
        }
    }

    /// §3.7's RenameFile rules.
    #[test]
    fn rename_file_under_coauth_locks() {
        let l = wopi("L");
        let none = LockView {
            wopi_lock: None,
            lock_user: None,
            coauth: &[],
            size: 5,
        };
        let locked = LockView {
            wopi_lock: Some(&l),
            ..none
        };
        let co = [row("X", Coauth)];
        let coauth = LockView {
            coauth: &co,
            ..none
        };
        let p = |w, c| Presented {
            wopi_lock: w,
            coauth_id: c,
        };
        assert!(matches!(
            check_rename(&none, p(Some("L"), Some("X")), NOW),
            Err(WopiError::BadRequest(_))
        ));
        assert_eq!(check_rename(&none, p(None, None), NOW), Ok(false));
        assert_eq!(check_rename(&none, p(None, Some("X")), NOW), Ok(true));
        assert!(check_rename(&locked, p(None, Some("X")), NOW).is_err());
        assert_eq!(check_rename(&locked, p(Some("L"), None), NOW), Ok(false));
        assert_eq!(check_rename(&coauth, p(None, Some("X")), NOW), Ok(true));
        assert!(check_rename(&coauth, p(None, Some("Y")), NOW).is_err());
        assert!(check_rename(&coauth, p(None, None), NOW).is_err());
        assert!(check_rename(&coauth, p(Some("L"), None), NOW).is_err());
    }

    /// §3.4's table.
    #[test]
    fn metadata_header_versus_body() {
        let body = |v: &str| format!("{{\"CoauthLockMetadata\":{v}}}").into_bytes();
        let s = |v: &str| Some(v.to_owned());
        type Case<'a> = (bool, Option<&'a str>, Vec<u8>, Option<String>);
        let cases: Vec<Case> = vec![
            (false, None, vec![], s("")),
            (false, Some(""), vec![], s("")),
            (false, Some("m"), vec![], s("m")),
            (false, None, body("\"b\""), s("b")),
            (false, Some("m"), body("\"b\""), s("b")),
            (false, Some("m"), body("\"\""), s("")),
            (false, None, body("\"\""), s("")),
            (true, None, vec![], None),
            (true, Some(""), vec![], None),
            (true, Some("m2"), vec![], s("m2")),
            (true, None, body("\"b2\""), s("b2")),
            (true, Some("m2"), body("\"b2\""), s("b2")),
            (true, None, body("\"\""), None),
            (true, None, body("null"), None),
            (true, Some("m2"), body("\"\""), None),
        ];
        for (i, (refresh, header, b, want)) in cases.into_iter().enumerate() {
            let got = metadata_of(refresh, header, &b).unwrap();
            // A Get without any metadata stores "" (apply's default); `metadata_of` says None.
            let got = if !refresh && got.is_none() {
                s("")
            } else {
                got
            };
            assert_eq!(got, want, "case {i}");
        }
        assert!(metadata_of(false, None, b"{").is_err());
        assert!(metadata_of(false, None, &body(&format!("\"{}\"", "m".repeat(4097)))).is_err());
    }

    #[test]
    fn table_json_has_exactly_the_five_properties() {
        let rows = [row("X", CoauthExclusive)];
        let json = serde_json::to_value(CoauthTableResponse::new(&rows)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"CoauthTable": [{
                "CoauthLockId": "X",
                "CoauthLockMetadata": "",
                "CoauthLockType": "CoauthExclusive",
                "UserFriendlyName": "Alice",
                "CoauthLockTime": NOW - 10,
            }]})
        );
    }

    #[test]
    fn header_values() {
        assert_eq!(parse_timeout("60"), Ok(60_000));
        assert_eq!(parse_timeout("3600"), Ok(3_600_000));
        for bad in ["59", "3601", "", "x", "-60", "60.5"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert!(parse_lock_id(&"a".repeat(1024)).is_ok());
        assert!(parse_lock_id(&"a".repeat(1025)).is_err());
        assert!(parse_lock_id("").is_err());
        assert!(parse_lock_id("é").is_err());
        assert!(check_metadata(&"m".repeat(4096)).is_ok());
        assert!(check_metadata(&"m".repeat(4097)).is_err());
        assert_eq!(CoauthLockType::parse("Coauth"), Some(Coauth));
        assert_eq!(
            CoauthLockType::parse("CoauthExclusive"),
            Some(CoauthExclusive)
        );
        for bad in ["", "None", "coauth"] {
            assert_eq!(CoauthLockType::parse(bad), None);
        }
    }

    #[test]
    fn a_user_visible_wopi_lock_names_its_holder_on_classic_conflicts() {
        let e = WopiError::LockMismatch {
            current: Some(LockId::parse("L").unwrap()),
            reason: "lock id differs",
        };
        match with_lock_user(e.clone(), Some("Bob")) {
            WopiError::LockConflict(c) => {
                assert_eq!(c.lock_user.as_deref(), Some("Bob"));
                assert_eq!(
                    c.lock,
                    ReportedLock::Current(Some(LockId::parse("L").unwrap()))
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(with_lock_user(e.clone(), None), e);
    }
}
