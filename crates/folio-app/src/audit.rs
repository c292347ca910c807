//! The audit trail: what each use case records (`action`), the request context it records it
//! with (address, user agent, and through what — page, API key, editor, OAuth client, CLI), and
//! the administrators' listing and retention.
//!
//! **The request context is ambient**: the HTTP layer runs every request inside [`scope`]
//! (address and `User-Agent`) and its extractors name the channel ([`set_via`]: an API key's
//! id, the web pages) and the signed-in actor ([`set_actor`]: the administrator of an admin
//! action); the CLI runs its commands inside [`scope`] with [`Via::Cli`]. A tokio task-local
//! carries it, so the use cases shared by the pages and the API need no extra parameter. The
//! WOPI use cases name their editor themselves, from the token (`Principal`).
//!
//! Changes that are a store transaction write their row inside it (`Emit::audit` or an
//! `audit` argument), so a change and its row commit together; reads (open, download),
//! sign-ins and account actions write theirs on their own, right after. A failure to write a
//! read's row is logged and does not fail the read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use folio_store::{AuditEvent, AuditQuery, FileRecord, TokenRecord, UserRecord};

use crate::error::AppError;
use crate::{App, Principal};

/// The actions recorded. A prefix (`file.`, `auth.`, `admin.`) filters a family.
pub mod action {
    /// An editor was launched on a file (a token minted for it: host page, API session).
    pub const FILE_OPEN: &str = "file.open";
    /// The content was read: WOPI GetFile, a page or API download.
    pub const FILE_DOWNLOAD: &str = "file.download";
    /// A new version: PutFile, PutChunkedFile, an upload over a file.
    pub const FILE_SAVE: &str = "file.save";
    /// A new file: upload, new document, PutRelativeFile.
    pub const FILE_CREATE: &str = "file.create";
    /// RenameFile or a rename from a page or the API (`detail`: the previous name).
    pub const FILE_RENAME: &str = "file.rename";
    /// Moved to another folder (`detail`: the previous folder id).
    pub const FILE_MOVE: &str = "file.move";
    /// Deleted: moved to its owner's trash.
    pub const FILE_DELETE: &str = "file.delete";
    /// An old version restored as a new one (`detail`: which), or the file restored from the
    /// trash (`detail`: "from the trash to folder …").
    pub const FILE_RESTORE: &str = "file.restore";
    /// A folder and everything below it moved to the trash.
    pub const FOLDER_DELETE: &str = "folder.delete";
    /// A folder restored from the trash with what went with it (`detail`: where to).
    pub const FOLDER_RESTORE: &str = "folder.restore";
    /// A folder renamed (`detail`: the previous name).
    pub const FOLDER_RENAME: &str = "folder.rename";
    /// A folder moved (`detail`: from and to which folder).
    pub const FOLDER_MOVE: &str = "folder.move";
    /// Trash entries deleted for good: one, an emptied trash, or the retention sweep's.
    pub const TRASH_PURGE: &str = "trash.purge";
    /// Shared with a user (`detail`: `login role`).
    pub const FILE_SHARE: &str = "file.share";
    /// A person's share on a file removed (`detail`: `from login`).
    pub const FILE_UNSHARE: &str = "file.unshare";
    /// A person's share on a folder removed (`detail`: `folder <id> from login`).
    pub const FOLDER_UNSHARE: &str = "folder.unshare";
    /// A public link made (`detail`: its id, name, view/edit, expiry, password yes/no).
    pub const PUBLIC_LINK_CREATE: &str = "file.public_link_create";
    /// A public link revoked (`detail`: its id and name).
    pub const PUBLIC_LINK_REVOKE: &str = "file.public_link_revoke";
    /// Public links revoked or expired more than `link_retention_days` ago, deleted by the
    /// sweep (`detail`: how many and the retention).
    pub const PUBLIC_LINK_PURGE: &str = "file.public_link_purge";
    /// A folder shared with a user (`detail`: `folder <id>: login role`).
    pub const FOLDER_SHARE: &str = "folder.share";
    /// A public link opened: the editor launched for a guest (`detail`: the link's id and
    /// name, view/edit; the actor is the guest, `link:<id>`).
    pub const PUBLIC_LINK_USE: &str = "file.public_link";
    /// A successful sign-in.
    pub const SIGN_IN: &str = "auth.sign_in";
    /// A user allowed an OAuth client (Office mobile's sign-in) to act for them (`detail`: the
    /// client's name; `via_id`: its id).
    pub const OAUTH_AUTHORIZE: &str = "auth.oauth_authorize";
    /// A refused sign-in (wrong password, unknown or disabled account, throttled).
    pub const SIGN_IN_FAILED: &str = "auth.sign_in_failed";
    /// An administrator released a lock by force (`detail`: the lock id).
    pub const ADMIN_LOCK_RELEASE: &str = "admin.lock_release";
    /// An administrator created a user (`detail`: the login).
    pub const ADMIN_USER_CREATE: &str = "admin.user_create";
    /// An administrator disabled a user.
    pub const ADMIN_USER_DISABLE: &str = "admin.user_disable";
    /// An administrator re-enabled a user.
    pub const ADMIN_USER_ENABLE: &str = "admin.user_enable";
    /// An administrator set a user's password (never recorded: the password).
    pub const ADMIN_PASSWORD_RESET: &str = "admin.password_reset";
    /// An administrator forgot a user's failed sign-ins.
    pub const ADMIN_SIGN_IN_UNLOCK: &str = "admin.sign_in_unlock";
    /// An administrator revoked an OAuth grant.
    pub const ADMIN_GRANT_REVOKE: &str = "admin.oauth_grant_revoke";
    /// An API key was created (`detail`: its id, never the secret).
    pub const ADMIN_API_KEY_CREATE: &str = "admin.api_key_create";
    /// An API key was revoked (`detail`: its id).
    pub const ADMIN_API_KEY_REVOKE: &str = "admin.api_key_revoke";
    /// A sweep dropped old autosaved versions (version retention): how many, bytes freed.
    pub const VERSION_RETENTION: &str = "system.version_retention";
    /// An administrator uploaded an organisation template.
    pub const ADMIN_TEMPLATE_ADD: &str = "admin.template_add";
    /// An administrator deleted an organisation template.
    pub const ADMIN_TEMPLATE_DELETE: &str = "admin.template_delete";
    /// A person changed their own password on the account page.
    pub const PASSWORD_CHANGE: &str = "auth.password_change";
    /// A person signed out their other sessions on the account page.
    pub const SIGN_OUT_OTHERS: &str = "auth.sign_out_others";
}

/// Through what a request came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Folio's pages (a signed-in browser).
    Web,
    /// The integration API, with this key id (never the key).
    Api(Option<String>),
    /// A WOPI client; the editor the token was minted for, when it was.
    Editor(Option<String>),
    /// Office mobile's bootstrapper, with this OAuth client id when known.
    OAuth(Option<String>),
    /// The `folio` command line.
    Cli,
    /// Folio itself (background work, no request).
    System,
}

impl Via {
    /// The `via` and `via_id` columns.
    pub fn columns(&self) -> (&'static str, Option<String>) {
        match self {
            Via::Web => ("web", None),
            Via::Api(k) => ("api", k.clone()),
            Via::Editor(Some(e)) => ("editor", Some(e.clone())),
            Via::Editor(None) => ("wopi", None),
            Via::OAuth(c) => ("oauth", c.clone()),
            Via::Cli => ("cli", None),
            Via::System => ("system", None),
        }
    }
}

/// Where a request came from, as the HTTP layer saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The peer address (Folio has no trusted-proxy setting, so `X-Forwarded-For` is not
    /// believed).
    pub ip: Option<String>,
    /// `User-Agent`, at most [`MAX_USER_AGENT`] bytes.
    pub user_agent: Option<String>,
}

/// How much of a `User-Agent` is kept.
pub const MAX_USER_AGENT: usize = 200;

impl Origin {
    /// An origin from the peer address and the raw `User-Agent` (truncated on a character
    /// boundary; control characters dropped).
    pub fn new(ip: Option<String>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent.map(|ua| {
            let mut out = String::new();
            for c in ua.chars().filter(|c| !c.is_control()) {
                if out.len() + c.len_utf8() > MAX_USER_AGENT {
                    break;
                }
                out.push(c);
            }
            out
        });
        Self { ip, user_agent }
    }
}

struct Context {
    origin: Origin,
    via: Mutex<Via>,
    actor: Mutex<Option<(String, String)>>,
}

tokio::task_local! {
    static CONTEXT: Arc<Context>;
}

/// Runs `f` with a request context: `origin`, and `via` until an extractor names it better.
pub async fn scope<F: std::future::Future>(origin: Origin, via: Via, f: F) -> F::Output {
    let ctx = Arc::new(Context {
        origin,
        via: Mutex::new(via),
        actor: Mutex::new(None),
    });
    CONTEXT.scope(ctx, f).await
}

/// Names the channel of the current request (no effect outside [`scope`]).
pub fn set_via(via: Via) {
    let _ = CONTEXT.try_with(|c| {
        if let Ok(mut v) = c.via.lock() {
            *v = via;
        }
    });
}

/// Names the signed-in user of the current request (the actor of actions that do not take
/// one, such as an administrator's).
pub fn set_actor(user: &UserRecord) {
    let _ = CONTEXT.try_with(|c| {
        if let Ok(mut a) = c.actor.lock() {
            *a = Some((user.id.clone(), user.login.clone()));
        }
    });
}

/// [`set_actor`] by id and login, for callers that hold no user record (an API key's
/// application user).
pub fn set_actor_id(id: &str, login: &str) {
    let _ = CONTEXT.try_with(|c| {
        if let Ok(mut a) = c.actor.lock() {
            *a = Some((id.to_owned(), login.to_owned()));
        }
    });
}

fn current() -> (Origin, Via, Option<(String, String)>) {
    CONTEXT
        .try_with(|c| {
            (
                c.origin.clone(),
                c.via.lock().map(|v| v.clone()).unwrap_or(Via::System),
                c.actor.lock().ok().and_then(|a| a.clone()),
            )
        })
        .unwrap_or((Origin::default(), Via::System, None))
}

/// A cursor of the audit listing: the (`at`, `id`) of the last row shown, as `at.id`.
pub fn format_cursor(at: i64, id: &str) -> String {
    format!("{at}.{id}")
}

/// Reads a cursor written by [`format_cursor`]; anything else is `None`.
pub fn parse_cursor(s: &str) -> Option<(i64, String)> {
    let (at, id) = s.split_once('.')?;
    let at = at.parse::<i64>().ok()?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| (at, id.to_owned()))
}

/// A time in a filter: Unix ms, or a UTC date `YYYY-MM-DD` with an optional time
/// `THH:MM[:SS]` and an optional `Z` (the page's date and time inputs). `None` when malformed.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let num = |x: &str, len: usize| -> Option<i64> {
        (x.len() == len && x.bytes().all(|b| b.is_ascii_digit()))
            .then(|| x.parse().ok())
            .flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?, 4)?, num(d.next()?, 2)?, num(d.next()?, 2)?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&day) {
        return None;
    }
    let secs = match time {
        None => 0,
        Some(t) => {
            let mut p = t.split(':');
            let (h, min) = (num(p.next()?, 2)?, num(p.next()?, 2)?);
            let sec = match p.next() {
                Some(x) => num(x, 2)?,
                None => 0,
            };
            if p.next().is_some() || h > 23 || min > 59 || sec > 59 {
                return None;
            }
            h * 3600 + min * 60 + sec
        }
    };
    Some((days_from_civil(y, m, day) * 86_400 + secs) * 1000)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What an administrator asks of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A user's login or id.
    pub user: Option<String>,
    /// A file id.
    pub file: Option<String>,
    /// An action or a prefix of one (`file.`).
    pub action: Option<String>,
    /// From (Unix ms, inclusive).
    pub since: Option<i64>,
    /// Until (Unix ms, exclusive).
    pub until: Option<i64>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
}

/// One page of the audit trail, newest first.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The rows.
    pub events: Vec<AuditEvent>,
    /// The cursor of the next page, when there may be one.
    pub next: Option<String>,
}

/// Default page size of the audit listing.
pub const DEFAULT_PAGE: i64 = 50;
/// Largest page of the audit listing.
pub const MAX_PAGE: i64 = 500;

/// Throttles the `last_used_at` writes of tokens: each process writes a token's use at most
/// once per [`TOUCH_INTERVAL_MS`] (the store's statement repeats the condition, so replicas
/// add at most one write each per interval).
#[derive(Default)]
pub(crate) struct TouchThrottle {
    seen: Mutex<HashMap<Vec<u8>, i64>>,
}

/// How stale a token's `last_used_at` may be.
pub const TOUCH_INTERVAL_MS: i64 = 60_000;
/// An editing session is live when its token was used this recently.
pub const LIVE_SESSION_MS: i64 = 5 * 60_000;

impl TouchThrottle {
    /// Whether this use of `hash` at `now` should be written.
    pub(crate) fn due(&self, hash: &[u8], now: i64) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        if seen.len() > 50_000 {
            seen.retain(|_, at| *at > now - TOUCH_INTERVAL_MS);
        }
        match seen.get(hash) {
            Some(at) if *at > now - TOUCH_INTERVAL_MS => false,
            _ => {
                seen.insert(hash.to_vec(), now);
                true
            }
        }
    }
}

impl App {
    /// A new audit row for `action` by `actor` (else the request's signed-in user) on `file`,
    /// with the request's origin and channel.
    pub(crate) fn audit_event(
        &self,
        action: &str,
        actor: Option<&UserRecord>,
        file: Option<&FileRecord>,
        detail: Option<String>,
    ) -> AuditEvent {
        let (origin, via, ctx_actor) = current();
        self.audit_event_via(action, actor, file, detail, origin, via, ctx_actor)
    }

    /// A new audit row for a WOPI request: the token's user, through the token's editor.
    pub(crate) fn audit_wopi(
        &self,
        action: &str,
        p: &Principal,
        file: &FileRecord,
        detail: Option<String>,
    ) -> AuditEvent {
        self.audit_token(action, &p.user, &p.token, file, detail)
    }

    /// [`Self::audit_wopi`] for a request authorized by `token` of `user` (any scope).
    pub(crate) fn audit_token(
        &self,
        action: &str,
        user: &UserRecord,
        token: &TokenRecord,
        file: &FileRecord,
        detail: Option<String>,
    ) -> AuditEvent {
        let (origin, via, _) = current();
        let via = match via {
            // A WOPI request names its editor by its token.
            Via::Editor(_) | Via::System => Via::Editor(token.client.clone()),
            other => other,
        };
        self.audit_event_via(action, Some(user), Some(file), detail, origin, via, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn audit_event_via(
        &self,
        action: &str,
        actor: Option<&UserRecord>,
        file: Option<&FileRecord>,
        detail: Option<String>,
        origin: Origin,
        via: Via,
        ctx_actor: Option<(String, String)>,
    ) -> AuditEvent {
        let (via, via_id) = via.columns();
        let (actor_id, actor_name) = match (actor, ctx_actor) {
            (Some(u), _) => (Some(u.id.clone()), Some(u.login.clone())),
            (None, Some((id, login))) => (Some(id), Some(login)),
            (None, None) => (None, None),
        };
        AuditEvent {
            id: folio_store::random_id(20),
            at: self.now(),
            action: action.to_owned(),
            actor_id,
            actor_name,
            file_id: file.map(|f| f.id.to_string()),
            file_name: file.map(|f| f.name.clone()),
            detail,
            ip: origin.ip,
            user_agent: origin.user_agent,
            via: via.to_owned(),
            via_id,
        }
    }

    /// Writes a row on its own (reads, sign-ins, account actions); a failure is logged, never
    /// returned (the action already happened).
    pub(crate) async fn audit(&self, event: AuditEvent) {
        if let Err(e) = self.meta().record_audit(&event).await {
            tracing::error!(error = %e, audit.action = %event.action, "cannot record audit event");
        }
    }

    /// Records a use of a token for the admin page's live sessions (throttled; failures are
    /// logged: a missed touch only makes the session look idle).
    pub(crate) async fn touch_token(&self, hash: &[u8]) {
        let now = self.now();
        if !self.touched.due(hash, now) {
            return;
        }
        if let Err(e) = self.meta().touch_token(hash, now, TOUCH_INTERVAL_MS).await {
            tracing::warn!(error = %e, "cannot record token use");
        }
    }

    /// The audit trail for administrators, filtered and paged (newest first). An unknown
    /// `user` login is taken as a user id; a malformed cursor is a 400.
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<AuditPage, AppError> {
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let before = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(parse_cursor(c).ok_or(folio_wopi::WopiError::BadRequest(
                "the cursor is not one this listing returned",
            ))?),
        };
        let actor_id = match filter
            .user
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => None,
            Some(u) => Some(match self.meta().user_by_login(u).await? {
                Some(user) => user.id,
                None => u.to_owned(),
            }),
        };
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let query = AuditQuery {
            actor_id,
            file_id: clean(&filter.file),
            action: clean(&filter.action),
            since: filter.since,
            until: filter.until,
            before,
            limit: limit + 1,
        };
        let mut events = self.meta().audit_events(&query).await?;
        let more = events.len() as i64 > limit;
        events.truncate(limit as usize);
        let next = match events.last() {
            Some(last) if more => Some(format_cursor(last.at, &last.id)),
            _ => None,
        };
        Ok(AuditPage { events, next })
    }

    /// Deletes audit rows older than the configured retention (0 days: kept for ever).
    /// Returns how many.
    pub(crate) async fn purge_audit(&self) -> Result<u64, AppError> {
        let days = i64::from(self.config().audit_retention_days);
        if days == 0 {
            return Ok(0);
        }
        let cut = self.now().saturating_sub(days.saturating_mul(86_400_000));
        Ok(self.meta().purge_audit(cut).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(
            parse_cursor(&format_cursor(1_700_000_000_000, "abcXYZ09")),
            Some((1_700_000_000_000, "abcXYZ09".to_owned()))
        );
        for bad in ["", ".", "12", "12.", "x.abc", "12.a-b", "12.a.b", "12.a b"] {
            assert_eq!(parse_cursor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn filter_times() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1700000000000", Some(1_700_000_000_000)),
            ("1970-01-01", Some(0)),
            ("2009-06-15T13:45:30Z", Some(1_245_073_530_000)),
            ("2009-06-15T13:45", Some(1_245_073_500_000)),
            ("2024-02-29", Some(1_709_164_800_000)),
            ("2023-02-29", None),
            ("2024-13-01", None),
            ("2024-01-01T24:00", None),
            ("2024-1-01", None),
            ("yesterday", None),
            ("", None),
            ("2024-01-01T10", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s), *want, "{s:?}");
        }
    }

    #[test]
    fn user_agents_are_truncated_and_cleaned() {
        let long = "é".repeat(150);
        let o = Origin::new(Some("192.0.2.1".into()), Some(&long));
        let ua = o.user_agent.unwrap_or_default();
        assert!(ua.len() <= MAX_USER_AGENT && ua.len() >= MAX_USER_AGENT - 1);
        assert!(ua.chars().all(|c| c == 'é'));
        let o = Origin::new(None, Some("a\nb\tc"));
        assert_eq!(o.user_agent.as_deref(), Some("abc"));
    }

    #[test]
    fn via_columns() {
        assert_eq!(Via::Web.columns(), ("web", None));
        assert_eq!(
            Via::Api(Some("k1".into())).columns(),
            ("api", Some("k1".into()))
        );
        assert_eq!(
            Via::Editor(Some("collabora".into())).columns(),
            ("editor", Some("collabora".into()))
        );
        assert_eq!(Via::Editor(None).columns(), ("wopi", None));
        assert_eq!(Via::Cli.columns(), ("cli", None));
    }

    #[test]
    fn touches_are_throttled_per_token() {
        let t = TouchThrottle::default();
        assert!(t.due(b"a", 0));
        assert!(!t.due(b"a", TOUCH_INTERVAL_MS - 1));
        assert!(t.due(b"b", 1));
        assert!(t.due(b"a", TOUCH_INTERVAL_MS));
    }

    #[tokio::test]
    async fn the_context_is_per_request() {
        assert_eq!(current().1, Via::System);
        let inside = scope(
            Origin::new(Some("198.51.100.2".into()), Some("ua")),
            Via::Web,
            async {
                set_via(Via::Api(Some("key".into())));
                current()
            },
        )
        .await;
        assert_eq!(inside.0.ip.as_deref(), Some("198.51.100.2"));
        assert_eq!(inside.1, Via::Api(Some("key".into())));
        // Outside the scope nothing leaks.
        set_via(Via::Web);
        assert_eq!(current().1, Via::System);
    }
}
