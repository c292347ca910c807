//! Protocol outcomes. Variants name conditions, never status codes: the one mapping to HTTP
//! lives in `folio-http/src/error.rs`.

use crate::ids::LockId;

/// A WOPI request could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WopiError {
    /// The access token is missing, malformed, expired, revoked, or for another file.
    #[error("invalid access token")]
    InvalidToken,
    /// The file does not exist, was deleted, or the user may not see it.
    #[error("file not found")]
    FileNotFound,
    /// The user may see the file but the operation needs a right the token lacks.
    #[error("not permitted")]
    NotPermitted,
    /// A request header or body is missing or malformed.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The lock state does not allow the operation; `current` is the lock to report (none: `""`).
    #[error("lock mismatch")]
    LockMismatch {
        /// The lock currently on the file, if any.
        current: Option<LockId>,
        /// A short reason for logs (`X-WOPI-LockFailureReason`).
        reason: &'static str,
    },
    /// The request presented a lock an administrator released by force (a 409 like
    /// `LockMismatch`, whose reason says so and when: [`crate::lock::explain_release`]).
    #[error("lock released by an administrator")]
    LockReleased {
        /// The lock currently on the file, if any.
        current: Option<LockId>,
        /// When the lock was released (Unix ms).
        released_at: i64,
    },
    /// The file is larger than `X-WOPI-MaxExpectedSize`.
    #[error("file larger than the client accepts")]
    LargerThanExpected,
    /// The body is larger than the host accepts.
    #[error("file too large")]
    FileTooLarge,
    /// A name is not acceptable (RenameFile, PutRelativeFile relative mode).
    #[error("invalid file name: {reason}")]
    InvalidName {
        /// Why the name was refused.
        reason: String,
        /// A name that would be accepted, if the host can suggest one.
        suggestion: Option<String>,
    },
    /// RenameContainer, CreateChildContainer exact mode: the container name is not acceptable.
    #[error("invalid container name: {reason}")]
    InvalidContainerName {
        /// Why the name was refused.
        reason: String,
    },
    /// DeleteContainer: the container still has children.
    #[error("the container is not empty")]
    ContainerNotEmpty,
    /// PutRelativeFile relative mode: the target exists and may not be overwritten.
    #[error("a file with that name exists")]
    NameExists {
        /// A free name the client may retry with.
        suggestion: Option<String>,
    },
    /// The operation (override) is not implemented or not supported for this request.
    #[error("operation not supported: {0}")]
    Unsupported(&'static str),
    /// Collabora PutFile: the file changed since the client's `X-COOL-WOPI-Timestamp`.
    #[error("the file changed in storage since the client loaded it")]
    ContentChanged,
    /// A proof-key signature did not verify.
    #[error("proof key verification failed")]
    ProofInvalid,
    /// A lock conflict with CSPP Plus details: coauth locks, a user-visible WOPI lock, or
    /// PutChunkedFile's conflicting mechanism (spec/cspp-plus.md §3.6).
    #[error("lock conflict")]
    LockConflict(Box<LockConflict>),
    /// PutChunkedFile: `X-WOPI-SequenceNumber` is not the file's current one.
    #[error("sequence number mismatch")]
    SequenceMismatch {
        /// The file's current sequence number (sent back in `X-WOPI-SequenceNumber`).
        current: i64,
    },
}

/// The details of a [`WopiError::LockConflict`] (a 409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockConflict {
    /// What `X-WOPI-Lock` says.
    pub lock: ReportedLock,
    /// `X-WOPI-ConflictingMechanism`, when the operation defines one.
    pub mechanism: Option<ConflictingMechanism>,
    /// `X-WOPI-ConflictingLockUsername`: the holder of a user-visible WOPI lock.
    pub lock_user: Option<String>,
    /// A short reason for logs (`X-WOPI-LockFailureReason`).
    pub reason: &'static str,
}

/// `X-WOPI-Lock` on a lock conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedLock {
    /// Not sent: coauth locks hold the file ("another interface").
    Omit,
    /// The current WOPI lock (`None`: `""`).
    Current(Option<LockId>),
}

/// `X-WOPI-ConflictingMechanism` values (PutChunkedFile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictingMechanism {
    /// A WOPI lock holds the file.
    WopiLock,
    /// Another client's exclusive coauth lock holds the file.
    CoauthExclusiveLock,
    /// Some other mechanism.
    Other,
}

impl ConflictingMechanism {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WopiLock => "WOPI-Lock",
            Self::CoauthExclusiveLock => "WOPI-CoauthExclusiveLock",
            Self::Other => "Other",
        }
    }
}
