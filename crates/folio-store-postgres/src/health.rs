//! When to ping a pooled connection before a request gets it. sqlx pings every connection when
//! it goes back to the pool, so a connection idle for a moment was alive a moment ago; pinging
//! it again on acquire (sqlx's `test_before_acquire`) was two of every three round trips of a
//! CheckFileInfo (docs/PERFORMANCE.md). Instead a connection is pinged on acquire only when it
//! has been idle for longer than [`PING_IF_IDLE_FOR`], or when it went idle before the last
//! time any connection was found lost (an I/O error or a shutdown SQLSTATE: the server
//! restarted or failed over, so every connection released before then is suspect). A broken
//! connection therefore reaches at most one request, and a read outside a transaction that
//! failed on one is retried once (`engine.rs`), on a connection that is pinged first.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A pooled connection idle for longer than this is pinged before a request gets it.
pub(crate) const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Milliseconds since [`epoch`] + 1 of the last connection found lost (0: none yet). One for
/// the process: a loss seen by one store only makes the others ping once more.
static LOST_AT: AtomicU64 = AtomicU64::new(0);
/// How many connection losses were seen (a caller compares it before and after a statement).
static LOSSES: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Records that a connection was found lost now.
pub(crate) fn lost() {
    LOST_AT.store(
        millis(epoch().elapsed()).saturating_add(1),
        Ordering::Relaxed,
    );
    LOSSES.fetch_add(1, Ordering::Relaxed);
}

/// How many connection losses were recorded so far.
pub(crate) fn losses() -> u64 {
    LOSSES.load(Ordering::Relaxed)
}

/// Whether a connection idle for `idle_for` must be pinged before use.
pub(crate) fn ping_before_use(idle_for: Duration) -> bool {
    let now = millis(epoch().elapsed());
    let lost_at = LOST_AT.load(Ordering::Relaxed);
    ping_due(idle_for, now, lost_at)
}

/// The decision of [`ping_before_use`], pure: `now` and `lost_at` as stored in [`LOST_AT`].
fn ping_due(idle_for: Duration, now: u64, lost_at: u64) -> bool {
    if idle_for > PING_IF_IDLE_FOR {
        return true;
    }
    // Idle since `now - idle_for` (ms since the epoch); `lost_at` is a loss time + 1.
    lost_at != 0 && now.saturating_sub(millis(idle_for)) < lost_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_only_long_idle_or_released_before_a_loss() {
        let ms = Duration::from_millis;
        // (idle for, now, lost_at, ping?)
        for (idle, now, lost_at, want) in [
            (ms(0), 10_000, 0, false),
            (ms(999), 10_000, 0, false),
            (ms(1_000), 10_000, 0, false),
            (ms(1_001), 10_000, 0, true),
            (ms(60_000), 10_000, 0, true),
            // Lost at 9,500 ms (stored + 1): released at 9,400 → suspect; at 9,600 → not.
            (ms(600), 10_000, 9_501, true),
            (ms(500), 10_000, 9_501, true),
            (ms(499), 10_000, 9_501, false),
            (ms(400), 10_000, 9_501, false),
            // A loss long ago does not make fresh connections suspect.
            (ms(10), 10_000, 1, false),
        ] {
            assert_eq!(
                ping_due(idle, now, lost_at),
                want,
                "{idle:?} {now} {lost_at}"
            );
        }
    }

    #[test]
    fn a_loss_is_counted_and_makes_idle_connections_suspect() {
        let before = losses();
        lost();
        assert!(losses() > before);
        assert!(ping_before_use(Duration::from_millis(50)));
    }
}
