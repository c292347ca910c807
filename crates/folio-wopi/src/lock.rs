//! The WOPI lock state machine (spec/locks.md §3), as pure functions of (current lock, request,
//! now). Stores call these inside their transaction so that the decision and the write are one
//! atomic step; nothing here does IO.
//!
//! Times are Unix milliseconds. An expired lock is the same as no lock everywhere.

use crate::error::WopiError;
use crate::ids::LockId;

/// How long a lock lives without a refresh: 30 minutes (WOPI Lock).
pub const LOCK_TTL_MS: i64 = 30 * 60 * 1000;

/// A lock as stored: its id and when it stops counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockState {
    /// The client-chosen lock id.
    pub id: LockId,
    /// Unix ms after which the lock no longer exists.
    pub expires_at: i64,
}

impl LockState {
    /// Whether the lock still holds at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        now < self.expires_at
    }
}

/// How a Lock, RefreshLock or UnlockAndRelock sets the lock (spec/cspp-plus.md §3.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockOptions {
    /// Lifetime from now: 30 minutes, or `X-WOPI-LockExpirationTimeout` (60–3600 s).
    pub ttl_ms: i64,
    /// `X-WOPI-LockUserVisible: true`: the requesting user's display name, stored with the lock
    /// and reported as `X-WOPI-ConflictingLockUsername` by conflicts it causes.
    pub visible_user: Option<String>,
    /// The id of the user whose token takes the lock: recorded as the lock's holder for
    /// administrators (not part of the protocol; nothing decides on it).
    pub holder: Option<String>,
}

impl Default for LockOptions {
    fn default() -> Self {
        Self {
            ttl_ms: LOCK_TTL_MS,
            visible_user: None,
            holder: None,
        }
    }
}

/// A lock an administrator released by force: its id and when (Unix ms). Kept with the file
/// until the next lock is taken, so the editor's next write with the old id learns why it
/// failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedLock {
    /// The id the lock had.
    pub id: LockId,
    /// When it was released.
    pub at: i64,
}

/// Explains a lock refusal caused by an administrator's forced release: a `LockMismatch` for
/// a request that presented exactly the released lock's id becomes `LockReleased` (the same
/// 409 and current lock, with a reason saying who released it and when). Any other outcome is
/// returned unchanged.
pub fn explain_release<T>(
    outcome: Result<T, WopiError>,
    presented: Option<&LockId>,
    released: Option<&ReleasedLock>,
) -> Result<T, WopiError> {
    outcome.map_err(|e| explain_error(e, presented, released))
}

/// [`explain_release`] for a refusal on its own.
pub fn explain_error(
    error: WopiError,
    presented: Option<&LockId>,
    released: Option<&ReleasedLock>,
) -> WopiError {
    match (error, presented, released) {
        (WopiError::LockMismatch { current, .. }, Some(p), Some(r)) if *p == r.id => {
            WopiError::LockReleased {
                current,
                released_at: r.at,
            }
        }
        (other, _, _) => other,
    }
}

impl LockRequest {
    /// The lock id the request presents as the one it holds (`X-WOPI-OldLock` for
    /// UnlockAndRelock, else `X-WOPI-Lock`); `None` for Lock, which claims a new one.
    pub fn presented(&self) -> Option<&LockId> {
        match self {
            LockRequest::Lock(_) => None,
            LockRequest::RefreshLock(id) | LockRequest::Unlock(id) => Some(id),
            LockRequest::UnlockAndRelock { old, .. } => Some(old),
        }
    }
}

/// A request that changes or inspects the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockRequest {
    /// WOPI Lock (no `X-WOPI-OldLock`).
    Lock(LockId),
    /// WOPI RefreshLock.
    RefreshLock(LockId),
    /// WOPI Unlock.
    Unlock(LockId),
    /// WOPI UnlockAndRelock: replace `old` with `new` atomically.
    UnlockAndRelock {
        /// The new lock id (`X-WOPI-Lock`).
        new: LockId,
        /// The expected current lock id (`X-WOPI-OldLock`).
        old: LockId,
    },
}

/// The live lock at `now`, dropping an expired one.
pub fn live(current: Option<&LockState>, now: i64) -> Option<&LockState> {
    current.filter(|l| l.is_live(now))
}

fn conflict(current: Option<&LockState>, reason: &'static str) -> WopiError {
    WopiError::LockMismatch {
        current: current.map(|l| l.id.clone()),
        reason,
    }
}

/// Applies a lock request. `Ok(state)` is the lock after the request (`None`: unlocked);
/// `Err(LockMismatch)` leaves the stored state as it was and reports the current lock.
pub fn transition(
    current: Option<&LockState>,
    request: &LockRequest,
    now: i64,
) -> Result<Option<LockState>, WopiError> {
    transition_for(current, request, now, LOCK_TTL_MS)
}

/// [`transition`] with a lock lifetime other than 30 minutes.
pub fn transition_for(
    current: Option<&LockState>,
    request: &LockRequest,
    now: i64,
    ttl_ms: i64,
) -> Result<Option<LockState>, WopiError> {
    let current = live(current, now);
    let fresh = |id: &LockId| {
        Some(LockState {
            id: id.clone(),
            expires_at: now + ttl_ms,
        })
    };
    match (request, current) {
        // Rows 2, 3: lock an unlocked file; the same id again acts as RefreshLock.
        (LockRequest::Lock(h), None) => Ok(fresh(h)),
        (LockRequest::Lock(h), Some(x)) if *h == x.id => Ok(fresh(h)),
        (LockRequest::Lock(_), Some(x)) => Err(conflict(Some(x), "locked with another id")),
        // Rows 7–9.
        (LockRequest::RefreshLock(_), None) => Err(conflict(None, "file is not locked")),
        (LockRequest::RefreshLock(h), Some(x)) if *h == x.id => Ok(fresh(h)),
        (LockRequest::RefreshLock(_), Some(x)) => Err(conflict(Some(x), "lock id differs")),
        // Rows 11–13.
        (LockRequest::Unlock(_), None) => Err(conflict(None, "file is not locked")),
        (LockRequest::Unlock(h), Some(x)) if *h == x.id => Ok(None),
        (LockRequest::Unlock(_), Some(x)) => Err(conflict(Some(x), "lock id differs")),
        // Rows 15–17: never passes through an unlocked state.
        (LockRequest::UnlockAndRelock { .. }, None) => Err(conflict(None, "file is not locked")),
        (LockRequest::UnlockAndRelock { new, old }, Some(x)) if *old == x.id => Ok(fresh(new)),
        (LockRequest::UnlockAndRelock { .. }, Some(x)) => {
            Err(conflict(Some(x), "old lock id differs"))
        }
    }
}

/// WOPI PutFile (rows 21–24): may the content be replaced?
///
/// Locked: only with the matching lock. Unlocked: only when the current content is empty (the
/// `editnew` flow), whatever lock header came with it.
pub fn check_put_file(
    current: Option<&LockState>,
    header: Option<&LockId>,
    current_size: u64,
    now: i64,
) -> Result<(), WopiError> {
    match live(current, now) {
        Some(x) if header == Some(&x.id) => Ok(()),
        Some(x) => Err(conflict(Some(x), "lock id differs")),
        None if current_size == 0 => Ok(()),
        None => Err(conflict(None, "file is not locked and not empty")),
    }
}

/// WOPI RenameFile (rows 25–27): unlocked, or locked with the matching lock.
pub fn check_rename(
    current: Option<&LockState>,
    header: Option<&LockId>,
    now: i64,
) -> Result<(), WopiError> {
    match live(current, now) {
        None => Ok(()),
        Some(x) if header == Some(&x.id) => Ok(()),
        Some(x) => Err(conflict(Some(x), "lock id differs")),
    }
}

/// WOPI DeleteFile and PutRelativeFile overwrite (rows 28–31): only an unlocked file.
pub fn check_unlocked(current: Option<&LockState>, now: i64) -> Result<(), WopiError> {
    match live(current, now) {
        None => Ok(()),
        Some(x) => Err(conflict(Some(x), "file is locked")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_release_is_explained_only_to_its_lock() {
        let released = ReleasedLock {
            id: id("OLD"),
            at: NOW - 5,
        };
        let mismatch = |current: Option<&str>| -> Result<(), WopiError> {
            Err(WopiError::LockMismatch {
                current: current.map(id),
                reason: "file is not locked",
            })
        };
        type Case<'a> = (
            Result<(), WopiError>,
            Option<LockId>,
            Option<&'a ReleasedLock>,
            Result<(), WopiError>,
        );
        let cases: Vec<Case> = vec![
            // The released id, file now unlocked: explained.
            (
                mismatch(None),
                Some(id("OLD")),
                Some(&released),
                Err(WopiError::LockReleased {
                    current: None,
                    released_at: NOW - 5,
                }),
            ),
            // Someone locked it since: explained, reporting the new lock.
            (
                mismatch(Some("NEW")),
                Some(id("OLD")),
                Some(&released),
                Err(WopiError::LockReleased {
                    current: Some(id("NEW")),
                    released_at: NOW - 5,
                }),
            ),
            // Another id: the ordinary mismatch.
            (
                mismatch(None),
                Some(id("OTHER")),
                Some(&released),
                mismatch(None),
            ),
            // No lock presented, or nothing released: unchanged.
            (mismatch(None), None, Some(&released), mismatch(None)),
            (mismatch(None), Some(id("OLD")), None, mismatch(None)),
            // Success and other refusals pass through.
            (Ok(()), Some(id("OLD")), Some(&released), Ok(())),
            (
                Err(WopiError::FileNotFound),
                Some(id("OLD")),
                Some(&released),
                Err(WopiError::FileNotFound),
            ),
        ];
        for (outcome, presented, rel, want) in cases {
            assert_eq!(explain_release(outcome, presented.as_ref(), rel), want);
        }
        assert_eq!(LockRequest::Lock(id("A")).presented(), None);
        assert_eq!(LockRequest::Unlock(id("A")).presented(), Some(&id("A")));
        assert_eq!(
            LockRequest::RefreshLock(id("A")).presented(),
            Some(&id("A"))
        );
        assert_eq!(
            LockRequest::UnlockAndRelock {
                new: id("B"),
                old: id("A")
            }
            .presented(),
            Some(&id("A"))
        );
    }

    const NOW: i64 = 1_700_000_000_000;

    fn id(s: &str) -> LockId {
        LockId::from_trusted(s.to_owned())
    }
    fn locked(s: &str) -> Option<LockState> {
        Some(LockState {
            id: id(s),
            expires_at: NOW + 1000,
        })
    }
    fn expired(s: &str) -> Option<LockState> {
        Some(LockState {
            id: id(s),
            expires_at: NOW,
        })
    }

    /// What the table expects: Ok(Some(id)) locked with id, Ok(None) unlocked, Err(Some(x)) 409
    /// with current lock x, Err(None) 409 with an empty lock header.
    type Expect = Result<Option<&'static str>, Option<&'static str>>;

    fn check(state: Option<LockState>, req: LockRequest, expect: Expect) {
        let got = transition(state.as_ref(), &req, NOW);
        match (got, expect) {
            (Ok(Some(s)), Ok(Some(want))) => {
                assert_eq!(s.id, id(want), "{req:?}");
                assert_eq!(
                    s.expires_at,
                    NOW + LOCK_TTL_MS,
                    "{req:?} must (re)start the timer"
                );
            }
            (Ok(None), Ok(None)) => {}
            (Err(WopiError::LockMismatch { current, .. }), Err(want)) => {
                assert_eq!(current, want.map(id), "{req:?}");
            }
            (got, want) => panic!("{req:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn state_machine_table() {
        use LockRequest::*;
        let rows: Vec<(Option<LockState>, LockRequest, Expect)> = vec![
            // Lock
            (None, Lock(id("A")), Ok(Some("A"))),
            (locked("A"), Lock(id("A")), Ok(Some("A"))),
            (locked("A"), Lock(id("B")), Err(Some("A"))),
            (locked("A"), Lock(id("a")), Err(Some("A"))),
            (expired("A"), Lock(id("B")), Ok(Some("B"))),
            // RefreshLock
            (None, RefreshLock(id("A")), Err(None)),
            (locked("A"), RefreshLock(id("A")), Ok(Some("A"))),
            (locked("A"), RefreshLock(id("B")), Err(Some("A"))),
            (expired("A"), RefreshLock(id("A")), Err(None)),
            // Unlock
            (None, Unlock(id("A")), Err(None)),
            (locked("A"), Unlock(id("A")), Ok(None)),
            (locked("A"), Unlock(id("B")), Err(Some("A"))),
            (expired("A"), Unlock(id("A")), Err(None)),
            // UnlockAndRelock
            (
                None,
                UnlockAndRelock {
                    new: id("N"),
                    old: id("A"),
                },
                Err(None),
            ),
            (
                locked("A"),
                UnlockAndRelock {
                    new: id("N"),
                    old: id("A"),
                },
                Ok(Some("N")),
            ),
            (
                locked("A"),
                UnlockAndRelock {
                    new: id("N"),
                    old: id("W"),
                },
                Err(Some("A")),
            ),
            (
                expired("A"),
                UnlockAndRelock {
                    new: id("N"),
                    old: id("A"),
                },
                Err(None),
            ),
        ];
        for (state, req, expect) in rows {
            check(state, req, expect);
        }
    }

    #[test]
    fn put_file_rules() {
        let a = id("A");
        let b = id("B");
        type Row<'a> = (
            Option<LockState>,
            Option<&'a LockId>,
            u64,
            Result<(), Option<&'a str>>,
        );
        let rows: Vec<Row> = vec![
            (locked("A"), Some(&a), 10, Ok(())),
            (locked("A"), Some(&b), 10, Err(Some("A"))),
            (locked("A"), None, 0, Err(Some("A"))),
            (None, None, 0, Ok(())),
            (None, Some(&a), 0, Ok(())),
            (None, None, 5, Err(None)),
            (None, Some(&a), 5, Err(None)),
            (expired("A"), Some(&a), 5, Err(None)),
        ];
        for (state, header, size, expect) in rows {
            let got = check_put_file(state.as_ref(), header, size, NOW);
            match (got, expect) {
                (Ok(()), Ok(())) => {}
                (Err(WopiError::LockMismatch { current, .. }), Err(want)) => {
                    assert_eq!(current, want.map(id));
                }
                (got, want) => panic!("{state:?} {header:?} {size}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn rename_and_delete_rules() {
        let a = id("A");
        let b = id("B");
        assert!(check_rename(None, None, NOW).is_ok());
        assert!(check_rename(None, Some(&b), NOW).is_ok());
        assert!(check_rename(locked("A").as_ref(), Some(&a), NOW).is_ok());
        assert!(matches!(
            check_rename(locked("A").as_ref(), Some(&b), NOW),
            Err(WopiError::LockMismatch { current: Some(c), .. }) if c == a
        ));
        assert!(check_rename(locked("A").as_ref(), None, NOW).is_err());
        assert!(check_unlocked(None, NOW).is_ok());
        assert!(check_unlocked(expired("A").as_ref(), NOW).is_ok());
        assert!(matches!(
            check_unlocked(locked("A").as_ref(), NOW),
            Err(WopiError::LockMismatch { current: Some(c), .. }) if c == a
        ));
    }
}
