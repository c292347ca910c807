//! Plain records the stores return. No serde: store models never reach the wire.

use folio_wopi::FileId;
use folio_wopi::lock::LockState;

/// A person who can sign in or be named by an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Stable, random id (WOPI `UserId`/`OwnerId`).
    pub id: String,
    /// Unique sign-in name.
    pub login: String,
    /// Display name (`UserFriendlyName`).
    pub name: String,
    /// E-mail address, possibly empty.
    pub email: String,
    /// May administer Folio.
    pub is_admin: bool,
    /// Argon2 PHC string, if the user can sign in with a password.
    pub password_hash: Option<String>,
    /// The string PutUserInfo stored.
    pub user_info: Option<String>,
    /// The user's root folder.
    pub root_folder_id: String,
    /// Disabled users cannot sign in and their tokens and sessions stop working.
    pub disabled: bool,
}

/// What `create_user` needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Unique sign-in name.
    pub login: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Administrator.
    pub is_admin: bool,
    /// Argon2 PHC string.
    pub password_hash: Option<String>,
}

/// A folder (WOPI container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRecord {
    /// Stable, random id.
    pub id: String,
    /// Owner.
    pub owner_id: String,
    /// Parent folder; `None` for a user's root.
    pub parent_id: Option<String>,
    /// Name (empty for a root).
    pub name: String,
}

/// A file and its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Stable, random id, never reused.
    pub id: FileId,
    /// Containing folder.
    pub folder_id: String,
    /// Owner.
    pub owner_id: String,
    /// Name with extension.
    pub name: String,
    /// Name of the containing folder; `None` when it is the owner's root.
    pub folder_name: Option<String>,
    /// Current version number: 1 for the first content, +1 on every save.
    pub version: i64,
    /// Current content.
    pub content: ContentRecord,
    /// The lock as stored (it may have expired; check with `is_live`).
    pub lock: Option<LockState>,
    /// The display name stored with the lock when it was taken user-visible.
    pub lock_user: Option<String>,
    /// CSPP Plus sequence number: 1 for a new file, +1 on every content change.
    pub sequence: i64,
    /// The user whose token took the lock (administrators' view; `None` when unlocked or
    /// taken before holders were recorded).
    pub lock_holder: Option<String>,
    /// When the current lock id was first taken (refreshes keep it): the lock's age.
    pub lock_since: Option<i64>,
    /// The lock an administrator released by force, until the next lock is taken.
    pub released_lock: Option<folio_wopi::lock::ReleasedLock>,
}

impl FileRecord {
    /// The file's lock state for a CSPP Plus write decision, with its coauth rows.
    pub fn lock_view<'a>(
        &'a self,
        coauth: &'a [folio_wopi::coauth::CoauthLock],
    ) -> folio_wopi::coauth::LockView<'a> {
        folio_wopi::coauth::LockView {
            wopi_lock: self.lock.as_ref(),
            lock_user: self.lock_user.as_deref(),
            coauth,
            size: self.content.size,
        }
    }
}

/// A file's coauth locks (CSPP Plus) and the change counter their table version derives from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoauthTable {
    /// The live rows.
    pub rows: Vec<folio_wopi::coauth::CoauthLock>,
    /// Bumped by every change of a row other than its expiry.
    pub counter: i64,
}

impl CoauthTable {
    /// `X-WOPI-CoauthTableVersion`.
    pub fn version(&self) -> String {
        folio_wopi::coauth::table_version(self.counter, &self.rows)
    }
}

/// One immutable content of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRecord {
    /// Where the bytes are.
    pub blob_key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, raw.
    pub sha256: Vec<u8>,
    /// Unix ms when this content was saved.
    pub created_at: i64,
    /// Who saved it.
    pub author_id: String,
    /// Which client saved it (e.g. "upload", "wopi", "Collabora"), for the version list.
    pub source: String,
    /// How it was saved: what version retention may thin (only autosaves).
    pub kind: VersionKind,
}

/// How a version came to be. Version retention thins only [`VersionKind::Autosave`]s; every
/// other kind is kept for as long as the file exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VersionKind {
    /// An editor saved on its own (Collabora/ONLYOFFICE `IsAutosave: true`, Microsoft 365 for
    /// the web and any WOPI client that does not say, CSPP Plus incremental saves).
    Autosave,
    /// A person saved explicitly (an editor's Save button; also an unknown stored value).
    #[default]
    Save,
    /// The editor saved when the document was closed (`IsExitSave: true`): the state a person
    /// left the document in, kept.
    ExitSave,
    /// A person put the content there: an upload, an import, a new document, the API.
    Upload,
    /// A restore of an older version.
    Restored,
}

impl VersionKind {
    /// How it is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionKind::Autosave => "autosave",
            VersionKind::Save => "save",
            VersionKind::ExitSave => "exit",
            VersionKind::Upload => "upload",
            VersionKind::Restored => "restore",
        }
    }

    /// A stored value; anything unknown reads as [`VersionKind::Save`] (kept).
    pub fn parse(s: &str) -> VersionKind {
        match s {
            "autosave" => VersionKind::Autosave,
            "exit" => VersionKind::ExitSave,
            "upload" => VersionKind::Upload,
            "restore" => VersionKind::Restored,
            _ => VersionKind::Save,
        }
    }

    /// The kind of a PutFile from the editor's save flags (Collabora's `X-COOL-WOPI-IsAutosave`
    /// and `X-COOL-WOPI-IsExitSave`, or their `X-LOOL-` forms, which ONLYOFFICE sends too):
    /// an exit save is kept; `IsAutosave: false` is a person's Save; a client that says
    /// nothing (Microsoft 365 for the web, which saves every 30 s to 3 min and has no explicit
    /// save signal) autosaves.
    pub fn of_put(is_autosave: Option<bool>, is_exit_save: Option<bool>) -> VersionKind {
        match (is_autosave, is_exit_save) {
            (_, Some(true)) => VersionKind::ExitSave,
            (Some(false), _) => VersionKind::Save,
            _ => VersionKind::Autosave,
        }
    }
}

/// An organisation template (`.docx`, `.xlsx`, `.pptx`, `.dotx`, `.xltx`, `.potx`) an
/// administrator uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    /// Random id.
    pub id: String,
    /// The uploaded file name (unique, case-insensitively).
    pub name: String,
    /// Where the bytes are.
    pub blob_key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, raw.
    pub sha256: Vec<u8>,
    /// Unix ms.
    pub created_at: i64,
    /// The administrator who uploaded it.
    pub created_by: String,
}

/// What version retention has freed, for the admin page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionTotals {
    /// Versions dropped, ever.
    pub dropped_versions: u64,
    /// Bytes of blobs that no longer had a reference after the drops, ever.
    pub freed_bytes: u64,
    /// When the last sweep ran retention (Unix ms; `None` before the first).
    pub last_sweep_at: Option<i64>,
    /// Versions the last sweep dropped.
    pub last_dropped: u64,
    /// Bytes the last sweep freed.
    pub last_freed: u64,
}

/// A user's sign-in session, as the account page lists it (never the cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSession {
    /// The SHA-256 of the cookie value (an id for this session; not a secret).
    pub hash: Vec<u8>,
    /// Unix ms of the sign-in.
    pub created_at: i64,
    /// Unix ms it ends.
    pub expires_at: i64,
}

/// A blob some row references (`MetadataStore::blob_references`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobReference {
    /// The blob key.
    pub blob_key: String,
    /// Size recorded with the reference.
    pub size: u64,
    /// SHA-256 recorded with a version's content (`None` for a CSPP Plus stream, which records
    /// none).
    pub sha256: Option<Vec<u8>>,
}

/// A file version as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// The version number.
    pub version: i64,
    /// Its content.
    pub content: ContentRecord,
}

/// What to record for a new file.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Containing folder.
    pub folder_id: String,
    /// Owner.
    pub owner_id: String,
    /// The first content.
    pub content: ContentRecord,
}

/// A user's right on a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// May read.
    Viewer,
    /// May read and write.
    Editor,
    /// Owns the file.
    Owner,
}

/// What an access token may be presented for: one file, one container (folder), or the
/// user's ecosystem. A token is accepted only on URLs of its own scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// `/wopi/files/{id}…` of this file.
    File(FileId),
    /// `/wopi/containers/{id}…` of this folder.
    Container(String),
    /// `/wopi/ecosystem…` of the token's user.
    Ecosystem,
}

impl TokenScope {
    /// The file, for a file token.
    pub fn file_id(&self) -> Option<&FileId> {
        match self {
            TokenScope::File(id) => Some(id),
            _ => None,
        }
    }
}

/// What the WOPI authorization path reads in one statement
/// ([`crate::MetadataStore::token_with_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenWithFile {
    /// The token.
    pub token: TokenRecord,
    /// Its user (not disabled).
    pub user: UserRecord,
    /// The live file the token is for; `None`: deleted or missing, or not a file token.
    pub file: Option<FileRecord>,
    /// The file's folder is the user's own (so they can see it without a share: CheckFileInfo's
    /// way back to the folder needs no other read).
    pub folder_is_users: bool,
}

/// An access token as stored (the token itself is only kept hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The user the token speaks for.
    pub user_id: String,
    /// What it is for.
    pub scope: TokenScope,
    /// Whether it allows writes.
    pub can_write: bool,
    /// Unix ms after which it is refused.
    pub expires_at: i64,
    /// The WOPI client (editor) it was minted for, if any.
    pub client: Option<String>,
    /// The integration-API session it belongs to (revoking the session revokes it).
    pub session_id: Option<String>,
    /// The public link it was minted through (a guest's token: revoking the link deletes it,
    /// and its expiry never outlives the link's).
    pub link_id: Option<String>,
}

/// A public link to a file, for people without an account (the secret is stored only as its
/// hash, a password only as Argon2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLinkRecord {
    /// Random id (also the guest's identity in versions and CheckFileInfo).
    pub id: String,
    /// The file it opens.
    pub file_id: FileId,
    /// The owner who made it (the tokens it mints speak for this user, capped to `role`).
    pub created_by: String,
    /// A label the owner chose ("Guest (name)" in versions).
    pub name: String,
    /// `Viewer` (view link) or `Editor` (edit link).
    pub role: Role,
    /// Argon2 PHC string of the link's password, if it has one.
    pub password_hash: Option<String>,
    /// Unix ms after which it no longer opens, if it expires.
    pub expires_at: Option<i64>,
    /// When it was made.
    pub created_at: i64,
    /// When it was revoked (revoked links are kept so that versions keep their author).
    pub revoked_at: Option<i64>,
}

impl ShareLinkRecord {
    /// Whether the link opens at `now`: not revoked, not expired.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// Someone a file or folder is shared with, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareEntry {
    /// The recipient.
    pub user: UserRecord,
    /// Their role through this share.
    pub role: Role,
}

/// A signed-in browser session (stored under the hash of its cookie value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Who is signed in.
    pub user: UserRecord,
    /// The CSRF token every state-changing form must echo.
    pub csrf: String,
    /// Unix ms after which the session is refused.
    pub expires_at: i64,
}

/// An editing session as the admin page lists it: a live token minted for an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditingSession {
    /// The token (without its secret).
    pub token: TokenRecord,
    /// Who.
    pub user_name: String,
    /// Which file.
    pub file_name: String,
    /// When the token was minted (Unix ms).
    pub created_at: i64,
    /// Its last use by a WOPI request, at most a minute stale (Unix ms; `None`: never used).
    pub last_used_at: Option<i64>,
}

/// One row of the audit trail: who did what, to which file, when, from where and through
/// what. Never holds a secret (no token, key or password; API keys by id only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Random id; with `at`, the order of the trail.
    pub id: String,
    /// Unix ms.
    pub at: i64,
    /// What happened: `file.open`, `file.download`, `file.save`, `auth.sign_in`,
    /// `admin.lock_release`, … (`folio_app::audit` lists them).
    pub action: String,
    /// The user who acted (`None`: nobody signed in, e.g. a refused sign-in).
    pub actor_id: Option<String>,
    /// That user's login (or the login tried), as it was then.
    pub actor_name: Option<String>,
    /// The file concerned.
    pub file_id: Option<String>,
    /// Its name as the action left it.
    pub file_name: Option<String>,
    /// Action-specific words (the old name of a rename, the user shared with, …).
    pub detail: Option<String>,
    /// The client's address as the server saw it.
    pub ip: Option<String>,
    /// The client's `User-Agent`, truncated.
    pub user_agent: Option<String>,
    /// Through what: `web`, `api`, `editor`, `wopi`, `oauth`, `cli`, `system`.
    pub via: String,
    /// Which one: the editor's name, the API key's id, the OAuth client's id.
    pub via_id: Option<String>,
}

/// Which audit rows to list ([`crate::MetadataStore::audit_events`]): every filter is optional;
/// rows come newest first, `limit` at most, strictly after the cursor `before` when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this actor (user id).
    pub actor_id: Option<String>,
    /// Only this file.
    pub file_id: Option<String>,
    /// Only actions starting with this prefix (`file.`, `auth.sign_in`).
    pub action: Option<String>,
    /// Only rows at or after this time (Unix ms).
    pub since: Option<i64>,
    /// Only rows before this time (Unix ms).
    pub until: Option<i64>,
    /// The cursor: the (`at`, `id`) of the last row of the previous page.
    pub before: Option<(i64, String)>,
    /// At most this many rows.
    pub limit: i64,
}

/// An integration API key (the secret itself is only stored hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Public id (shown in listings, used to revoke).
    pub id: String,
    /// Operator-chosen name.
    pub name: String,
    /// Scopes: "files", "sessions", "admin".
    pub scopes: Vec<String>,
    /// The Folio user that owns the application's files.
    pub app_user_id: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms when revoked.
    pub revoked_at: Option<i64>,
}

/// A user named by an integrating application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalUser {
    /// The application's stable id for the user.
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Language tag (e.g. "de-DE"), possibly empty.
    pub language: String,
}

/// An editing session created through the integration API: one user, one file, one permission;
/// its tokens carry its id so revoking it revokes them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WopiSessionRecord {
    /// Public id.
    pub id: String,
    /// The API key that created it (None for launch links).
    pub api_key_id: Option<String>,
    /// The user.
    pub user_id: String,
    /// The file.
    pub file_id: FileId,
    /// Edit or view.
    pub can_write: bool,
    /// Editor name.
    pub client: Option<String>,
    /// Action (view, edit, …).
    pub action: Option<String>,
    /// Unix ms.
    pub expires_at: i64,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms when revoked.
    pub revoked_at: Option<i64>,
    /// Where the editor's Close leads (the integrating application's page).
    pub close_url: Option<String>,
}

/// An event for webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// Unique id (receivers deduplicate by it).
    pub id: String,
    /// e.g. "file.saved".
    pub event_type: String,
    /// The JSON body sent.
    pub payload: String,
    /// Unix ms.
    pub created_at: i64,
}

/// One delivery of one event to one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Delivery id.
    pub id: String,
    /// The event.
    pub event: OutboxEvent,
    /// Target URL.
    pub url: String,
    /// "pending", "delivered" or "failed" (given up).
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt (Unix ms).
    pub next_attempt_at: i64,
    /// Last HTTP status.
    pub last_status: Option<i64>,
    /// Last error text.
    pub last_error: Option<String>,
    /// Unix ms when delivered.
    pub delivered_at: Option<i64>,
}

/// A registered OAuth 2.0 client (for Office mobile: Microsoft's Office Identity Service). The
/// secret is kept only as an Argon2 PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClientRecord {
    /// `client_id`.
    pub id: String,
    /// A name for people (shown on the consent page and in "Connected apps").
    pub name: String,
    /// Argon2 PHC string of the client secret.
    pub secret_hash: String,
    /// The registered redirect URIs, compared byte for byte.
    pub redirect_uris: Vec<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// An authorization code as stored (the code itself only as its hash): what it was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthCodeRecord {
    /// The client it was issued to.
    pub client_id: String,
    /// The user who consented.
    pub user_id: String,
    /// The `redirect_uri` sent to the authorization endpoint (`None`: none was sent).
    pub redirect_uri: Option<String>,
    /// The scope granted (as requested; may be empty).
    pub scope: String,
    /// PKCE `code_challenge`, if one was sent.
    pub code_challenge: Option<String>,
    /// PKCE `code_challenge_method` (`S256` or `plain`), with the challenge.
    pub challenge_method: Option<String>,
    /// Unix ms after which the code is refused.
    pub expires_at: i64,
    /// Whether it was redeemed already.
    pub used: bool,
}

/// A grant: one user's consent to one client. Its OAuth access and refresh tokens hang off it;
/// revoking the grant ends them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthGrantRecord {
    /// Random id.
    pub id: String,
    /// The client.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The scope granted.
    pub scope: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the last code exchange or refresh.
    pub last_used_at: i64,
}

/// A grant as listed on the "Connected apps" and admin pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthGrantView {
    /// The grant.
    pub grant: OAuthGrantRecord,
    /// The client's name.
    pub client_name: String,
    /// The user's login.
    pub user_login: String,
}

/// The tokens one code exchange or refresh issues, by hash and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthIssue {
    /// Hash of the new OAuth access token.
    pub access_hash: Vec<u8>,
    /// Its expiry, Unix ms.
    pub access_expires_at: i64,
    /// Hash and expiry of the new refresh token (`None`: refresh is off).
    pub refresh: Option<(Vec<u8>, i64)>,
}

/// What redeeming an authorization code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// The code was fresh: it is now used, and the grant and tokens are stored.
    Issued,
    /// The code was used before: the grant it issued (with its tokens) is revoked.
    Reused,
    /// Unknown or expired (marked used if it existed).
    Unusable,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRotation {
    /// The token was live: it is now used, and the new tokens are stored on its grant.
    Rotated(OAuthGrantRecord),
    /// The token was used before: its grant (with every token) is revoked.
    Reused,
    /// Unknown, expired, or another client's.
    Unusable,
}
/// An AddActivities activity recorded on a file (shown on its details page, sent as
/// `file.activity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    /// The file.
    pub file_id: FileId,
    /// Who reported it (the token's user).
    pub user_id: String,
    /// The user's display name (filled when listed).
    pub user_name: String,
    /// The activity `Type` (`comment`).
    pub kind: String,
    /// The client's activity `Id`.
    pub activity_id: String,
    /// `ContentAction` (`created`, `updated`, `deleted`), if sent.
    pub action: Option<String>,
    /// The comment text, if any.
    pub comment_text: Option<String>,
    /// Names of the people mentioned.
    pub mentioned: Vec<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// How long alternate streams and content properties live after their last update (30 days,
/// spec/cspp-plus.md §9.1).
pub const STREAM_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

/// A stream's chunk signature as stored: the chunking scheme and the chunks in order (Base64
/// chunk id, length). Encoded as `Scheme;id:len,id:len…`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamSignature {
    /// `FullFile` or `Zip`.
    pub scheme: String,
    /// The chunks in stream order.
    pub chunks: Vec<(String, u64)>,
}

impl StreamSignature {
    /// The stored text form.
    pub fn encode(&self) -> String {
        let chunks: Vec<String> = self
            .chunks
            .iter()
            .map(|(id, len)| format!("{id}:{len}"))
            .collect();
        format!("{};{}", self.scheme, chunks.join(","))
    }

    /// Reads the stored text form; `None` if it is not one [`encode`](Self::encode) wrote.
    pub fn decode(s: &str) -> Option<Self> {
        let (scheme, rest) = s.split_once(';')?;
        let mut chunks = Vec::new();
        for c in rest.split(',').filter(|c| !c.is_empty()) {
            let (id, len) = c.rsplit_once(':')?;
            chunks.push((id.to_owned(), len.parse().ok()?));
        }
        Some(Self {
            scheme: scheme.to_owned(),
            chunks,
        })
    }
}

/// An alternate stream of a file (CSPP Plus): opaque bytes in a blob, with their signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    /// The stream id (never `MainContent`).
    pub stream_id: String,
    /// Where the bytes are.
    pub blob_key: String,
    /// Size in bytes.
    pub size: u64,
    /// The chunks.
    pub signature: StreamSignature,
    /// Last update, Unix ms (the stream expires 30 days later).
    pub updated_at: i64,
}

/// A content property of a file (CSPP Plus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentProperty {
    /// Name (unique per file).
    pub name: String,
    /// `KeepOnContentChange` or `DeleteOnContentChange`.
    pub retention: String,
    /// Value.
    pub value: String,
    /// Last update, Unix ms (the property expires 30 days later).
    pub updated_at: i64,
}

/// What GetChunkedFile and PutChunkedFile read about a file's streams.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChunkedState {
    /// The signature of the current MainContent, when known (uploaded or computed before).
    pub main_signature: Option<StreamSignature>,
    /// The live alternate streams.
    pub streams: Vec<StreamRecord>,
    /// The live content properties.
    pub properties: Vec<ContentProperty>,
}

/// The lock and sequence-number rule of a PutChunkedFile (spec/cspp-plus.md §8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedCheck {
    /// `X-WOPI-Lock` (empty: `None`).
    pub wopi_lock: Option<String>,
    /// `X-WOPI-CoauthLockId` (empty: `None`).
    pub coauth_id: Option<String>,
    /// `X-WOPI-SequenceNumber`.
    pub sequence: i64,
}

/// One piece of a segmented content: `length` bytes of the blob `blob_key` from `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobSegment {
    /// A plain blob's key (never a segmented one).
    pub blob_key: String,
    /// Offset in that blob.
    pub start: u64,
    /// Length.
    pub length: u64,
}

/// The changes of one PutChunkedFile, committed together. Every PutChunkedFile is a new
/// version: with a new MainContent, or — when only alternate streams or properties changed —
/// the current content again (same blob and signature) under `author_id` and `source`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChunkedCommit {
    /// A new MainContent and its signature, if it changed.
    pub main: Option<(ContentRecord, StreamSignature)>,
    /// When the new MainContent's key is a segmented one (`ContentKey::Segmented`): its
    /// segments, in order, written in the same transaction.
    pub segments: Vec<BlobSegment>,
    /// Who saved (for a version that keeps the current content).
    pub author_id: String,
    /// How it was saved (for a version that keeps the current content).
    pub source: String,
    /// Alternate streams to write (`Some`) or delete (`None`).
    pub streams: Vec<(String, Option<StreamRecord>)>,
    /// Content properties to set.
    pub properties: Vec<ContentProperty>,
}

/// Operational counts read when `/metrics` is scraped (`MetadataStore::ops_figures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpsFigures {
    /// Live file tokens minted for an editor (the admin page's editing sessions).
    pub editing_sessions: u64,
    /// Files under a live WOPI lock.
    pub wopi_locks: u64,
    /// Live CSPP Plus coauth locks.
    pub coauth_locks: u64,
    /// Webhook deliveries not yet delivered (and not given up).
    pub deliveries_pending: u64,
    /// Webhook deliveries given up after their retry period.
    pub deliveries_failed: u64,
}

/// One connection pool of a metadata store, as `/metrics` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolFigures {
    /// Which pool: `main` (PostgreSQL), `writer` / `reader` (SQLite).
    pub pool: &'static str,
    /// Connections lent out.
    pub in_use: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The pool's size limit.
    pub max: u32,
    /// Store calls waiting for a connection (or for their transaction to begin).
    pub waiting: u32,
}

/// What a trash entry holds: a file the owner deleted on its own, or a folder with everything
/// that was below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrashItem {
    /// A file (its current version as it was deleted).
    File(Box<FileRecord>),
    /// A folder; `files` and `size` count the files that went to the trash with it.
    Folder {
        /// The folder as it was (its `parent_id` is where it was).
        folder: FolderRecord,
        /// Files inside it, at any depth.
        files: u64,
        /// Their current versions' bytes.
        size: u64,
    },
}

/// One entry of a user's trash ([`crate::MetadataStore::trash`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashEntry {
    /// The item.
    pub item: TrashItem,
    /// When it was deleted (Unix ms).
    pub deleted_at: i64,
    /// Who deleted it (a user id, a guest's `link:<id>`; `None` for entries from before this
    /// was recorded).
    pub deleted_by: Option<String>,
    /// That user's display name, when they are a user.
    pub deleted_by_name: Option<String>,
    /// The folder it was in.
    pub from_folder_id: String,
    /// That folder's name (`None` for the owner's root).
    pub from_folder_name: Option<String>,
}

impl TrashEntry {
    /// The entry's id: the file's or the folder's.
    #[must_use]
    pub fn id(&self) -> &str {
        match &self.item {
            TrashItem::File(f) => f.id.as_str(),
            TrashItem::Folder { folder, .. } => &folder.id,
        }
    }
    /// The entry's name.
    #[must_use]
    pub fn name(&self) -> &str {
        match &self.item {
            TrashItem::File(f) => &f.name,
            TrashItem::Folder { folder, .. } => &folder.name,
        }
    }
}

/// Whose trash an entry is in, who put it there and when ([`crate::MetadataStore::trashed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrashedBy {
    /// The owner (the entry is in their trash).
    pub owner_id: String,
    /// Who deleted it (`None`: not recorded).
    pub deleted_by: Option<String>,
    /// When (Unix ms).
    pub deleted_at: i64,
}

/// Where a restored trash entry went ([`crate::MetadataStore::restore_trashed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The entry's id (the file's or the folder's).
    pub id: String,
    /// The folder it is in now: where it was, or the owner's root when that folder is gone.
    pub folder_id: String,
    /// Its name now: the old one, or a numbered one when that was taken.
    pub name: String,
    /// Whether it went back to where it was (`false`: to the root, its folder being gone).
    pub in_place: bool,
    /// It was a folder.
    pub is_folder: bool,
}

/// What [`crate::MetadataStore::purge_trash`] deleted for good.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Trash entries (files and folders the owner deleted).
    pub entries: u64,
    /// Files, including those inside purged folders.
    pub files: u64,
}

/// Why a folder move is refused ([`crate::metadata::check_folder_move`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderMoveRefusal {
    /// The target is the folder itself or one of its descendants.
    IntoItself,
    /// A root folder never moves.
    Root,
    /// The target belongs to someone else (a folder keeps its owner's tree).
    OtherOwner,
    /// A live folder of that name is in the target already.
    NameTaken,
}

// Finding things (issue 13): folder pages, search, favourites, Recent, who has access.

/// What a folder page is sorted by (`MetadataStore::list_folder_page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingSort {
    /// By name (`name_key`, byte-wise).
    Name,
    /// By the current version's size (folders count as 0).
    Size,
    /// By the current version's time (folders count as 0).
    Modified,
}

/// Where an entry sorts in a folder listing: folders before files, then `num` (size or time;
/// 0 when sorting by name), then `name_key`, then `id` — a total order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingKey {
    /// A folder (they come first, in either direction).
    pub folder: bool,
    /// Size or time under those sorts, else 0.
    pub num: i64,
    /// The lower-cased name, as stored in `name_key`.
    pub name_key: String,
    /// The id.
    pub id: String,
}

/// Which page of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingPosition {
    /// The first page.
    First,
    /// The entries after this key (the key's entry may be gone).
    After(ListingKey),
    /// The entries before this key.
    Before(ListingKey),
}

/// One page of a folder: `MetadataStore::list_folder_page`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingQuery {
    /// The sort column.
    pub sort: ListingSort,
    /// Descending within folders and within files (folders stay first).
    pub desc: bool,
    /// The page.
    pub position: ListingPosition,
    /// Entries per page (at least 1).
    pub limit: usize,
}

/// One page of a folder, in listing order, with where it lies in the whole listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListingPage {
    /// The page's subfolders, in order.
    pub folders: Vec<FolderRecord>,
    /// The page's live files, in order (after the folders).
    pub files: Vec<FileRecord>,
    /// How many entries of the listing come before this page.
    pub before: u64,
    /// Subfolders and live files in the whole folder.
    pub total: u64,
}

/// A file or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemRef {
    /// A folder id.
    Folder(String),
    /// A file id.
    File(FileId),
}

/// A name search over everything a user can see (`MetadataStore::search`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text to find in names, case-insensitively (as `name_key`s are lower-cased: with
    /// `str::to_lowercase`); `%`, `_` and `\` are matched literally.
    pub text: String,
    /// The `(name_key, id)` of the last hit of the previous page.
    pub after: Option<(String, String)>,
    /// Hits per page.
    pub limit: usize,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundItem {
    /// A folder (never a root).
    Folder(FolderRecord),
    /// A live file.
    File(Box<FileRecord>),
}

/// One search hit with where it is, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The file or folder.
    pub item: FoundItem,
    /// The `name_key` the hits are ordered by (with the id, the page cursor).
    pub name_key: String,
    /// The names of the folders from the top folder the user reaches it through down to its
    /// folder; empty for the top of the user's own files. `None`: shared with the user on its
    /// own (its folder is not theirs to see).
    pub path: Option<Vec<String>>,
    /// In the user's own files (else reached through a share).
    pub own: bool,
}

/// One person with access to a file besides its owner (`MetadataStore::file_access`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The user.
    pub user_id: String,
    /// Their display name.
    pub user_name: String,
    /// Their role through this share.
    pub role: Role,
    /// The folder whose share gives it (`None`: shared on the file itself).
    pub through_folder: Option<String>,
}

impl ListingKey {
    /// The key of a subfolder.
    pub fn of_folder(d: &FolderRecord) -> ListingKey {
        ListingKey {
            folder: true,
            num: 0,
            name_key: d.name.to_lowercase(),
            id: d.id.clone(),
        }
    }
    /// The key of a file under `sort`.
    pub fn of_file(f: &FileRecord, sort: ListingSort) -> ListingKey {
        ListingKey {
            folder: false,
            num: match sort {
                ListingSort::Name => 0,
                ListingSort::Size => i64::try_from(f.content.size).unwrap_or(i64::MAX),
                ListingSort::Modified => f.content.created_at,
            },
            name_key: f.name.to_lowercase(),
            id: f.id.as_str().to_owned(),
        }
    }
}

impl FoundItem {
    /// The item's id.
    pub fn id(&self) -> &str {
        match self {
            FoundItem::Folder(d) => &d.id,
            FoundItem::File(f) => f.id.as_str(),
        }
    }
}
