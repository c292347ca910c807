//! `AppError`: the one error vocabulary of Folio's use cases. Every surface (WOPI, the JSON API,
//! the pages) maps it — in folio-http's `error::{wopi, api, page}` and nowhere else. Variants
//! name conditions, never status codes; refusals are typed (no sentences are built here: each
//! surface words them).

use folio_store::StoreError;
use folio_wopi::WopiError;
use folio_wopi::naming::NameError;

/// A use case failed or refused.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A protocol condition (bad token, lock mismatch, …).
    #[error(transparent)]
    Wopi(#[from] WopiError),
    /// The storage layer failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A WOPI request's proof-key signature did not verify (`reason` is for the log only).
    #[error("proof-key verification failed: {reason}")]
    ProofRejected {
        /// Why, for the log.
        reason: String,
    },
    /// The file or folder does not exist, or the user cannot see it (a refusal shown in place).
    #[error("no such file or folder, or no access to it")]
    NotFound,
    /// The user can see it but may not do this.
    #[error("not allowed: {0}")]
    Forbidden(Forbidden),
    /// The name is not an acceptable file or folder name.
    #[error("invalid name: {0}")]
    InvalidName(NameError),
    /// The name is taken in `place`.
    #[error("{name} already exists ({place:?})")]
    NameTaken {
        /// The name asked for.
        name: String,
        /// Where it is taken.
        place: NamePlace,
    },
    /// Sharing names a login that does not exist.
    #[error("there is no user {login:?}")]
    UnknownUser {
        /// The login given (trimmed).
        login: String,
    },
    /// Sharing with oneself.
    #[error("you cannot share with yourself")]
    ShareWithSelf,
    /// A login that is empty, too long or has spaces.
    #[error("login must be 1-64 characters without spaces")]
    InvalidLogin,
    /// A password shorter than 8 characters.
    #[error("password must be at least 8 characters")]
    WeakPassword,
    /// The file is locked by an editing session.
    #[error("the file is locked")]
    Locked,
    /// The upload is larger than `limit` bytes.
    #[error("too large: the limit is {limit} bytes")]
    TooLarge {
        /// The configured maximum file size.
        limit: u64,
    },
    /// The folder is not empty.
    #[error("the folder is not empty")]
    NotEmpty,
    /// A folder cannot move into itself or one of its own subfolders.
    #[error("a folder cannot move into itself or below itself")]
    MoveIntoItself,
    /// Sign-in: unknown login or wrong password (indistinguishable on purpose).
    #[error("wrong login or password")]
    BadCredentials,

    /// The account page: the current password given is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// An uploaded template (or a template asked for) is not a Word, Excel or PowerPoint
    /// document or template.
    #[error("not a Word, Excel or PowerPoint document or template")]
    NotATemplate,

    /// The first-run setup form's two passwords differ.
    #[error("the two passwords differ")]
    PasswordsDiffer,

    /// First-run setup is over (a user exists, or this process never opened it).
    #[error("first-run setup is over: a user exists")]
    SetupClosed,
    /// Sign-in: too many failures for this login recently.
    #[error("too many failed sign-ins")]
    RateLimited,
    /// A signed launch link was refused.
    #[error("launch link refused: {0:?}")]
    LaunchRefused(LaunchRefusal),
    /// A public link that is unknown, revoked or expired (or whose file is gone).
    #[error("the link no longer works")]
    LinkClosed,
    /// A public link's expiry is not in the future.
    #[error("the link's expiry is not in the future")]
    LinkExpiryPast,
    /// A one-time launch code is unknown, used or expired.
    #[error("launch code expired")]
    LaunchCodeExpired,
    /// An OAuth authorization request was refused (an error page, or a redirect back).
    #[error("OAuth authorization refused: {0:?}")]
    OAuthAuthorize(crate::AuthorizeRefusal),
    /// An OAuth token request was refused (RFC 6749 §5.2).
    #[error("OAuth token request refused: {0:?}")]
    OAuthToken(crate::OAuthRefusal),
}

/// What a `Forbidden` refusal was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// Viewer on the folder acted on.
    ViewOnlyFolder,
    /// Viewer on the file acted on.
    ViewOnlyFile,
    /// Viewer on the folder a file is moved into.
    ViewOnlyTargetFolder,
    /// Only the owner may share.
    OwnerOnly,
    /// A folder moves only within its owner's folders.
    OtherOwnersFolder,
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Forbidden::ViewOnlyFolder => "you can only view this folder",
            Forbidden::ViewOnlyFile => "you can only view this file",
            Forbidden::ViewOnlyTargetFolder => "you can only view the target folder",
            Forbidden::OwnerOnly => "only the owner can share",
            Forbidden::OtherOwnersFolder => "a folder can only move within its owner's folders",
        })
    }
}

/// Where a name is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePlace {
    /// The folder the user is acting in.
    ThisFolder,
    /// The folder a file is being moved into.
    TargetFolder,
    /// The users (a login).
    Users,
}

/// Why a signed launch link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchRefusal {
    /// No `[integration.launch]` configuration.
    NotConfigured,
    /// Not a JWT.
    Malformed,
    /// The configured EdDSA key cannot be used.
    UnusableKey,
    /// The algorithm is not HS256/EdDSA or has no configured key.
    UnsupportedAlgorithm,
    /// `exp` passed.
    Expired,
    /// `aud` is not ours.
    WrongAudience,
    /// The signature does not verify.
    BadSignature,
    /// Any other JWT validation failure.
    Invalid,
    /// `exp` more than 24 hours ahead.
    TooLongLived,
    /// `file` is not a valid file id.
    NoValidFile,
    /// `perm` is not view or edit.
    BadPermission,
    /// `jti` missing or longer than 200 characters.
    MissingJti,
    /// The `jti` was used before.
    AlreadyUsed,
    /// `ret` is not an absolute http(s) URL (e.g. `javascript:`).
    BadCloseUrl,
}

impl std::fmt::Display for LaunchRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use LaunchRefusal::*;
        f.write_str(match self {
            NotConfigured => "launch links are not configured on this server",
            Malformed => "malformed launch token",
            UnusableKey => "the configured EdDSA key is unusable",
            UnsupportedAlgorithm => "unsupported or unconfigured signing algorithm",
            Expired => "the launch link has expired",
            WrongAudience => "the launch link is for another audience",
            BadSignature => "the launch link's signature is invalid",
            Invalid => "the launch link is invalid",
            TooLongLived => "launch links may live at most 24 hours",
            NoValidFile => "the launch link names no valid file",
            BadPermission => "perm must be view or edit",
            MissingJti => "the launch link needs a jti",
            AlreadyUsed => "this launch link was already used",
            BadCloseUrl => "ret must be an absolute http(s) URL of at most 2000 characters",
        })
    }
}

impl From<NameError> for AppError {
    fn from(e: NameError) -> Self {
        AppError::InvalidName(e)
    }
}
