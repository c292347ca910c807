//! WOPI header names, spelled as in the specification. Header names are case-insensitive on the
//! wire; these constants are what Folio sends.

/// Selects the operation of a POST request.
pub const OVERRIDE: &str = "X-WOPI-Override";
/// The lock id of a lock request, or the current lock on a 409 / GetLock.
pub const LOCK: &str = "X-WOPI-Lock";
/// The expected current lock of UnlockAndRelock.
pub const OLD_LOCK: &str = "X-WOPI-OldLock";
/// Free-text reason sent with a lock conflict (logging only).
pub const LOCK_FAILURE_REASON: &str = "X-WOPI-LockFailureReason";
/// The file's current Version.
pub const ITEM_VERSION: &str = "X-WOPI-ItemVersion";
/// GetFile: the largest size the client accepts.
pub const MAX_EXPECTED_SIZE: &str = "X-WOPI-MaxExpectedSize";
/// PutRelativeFile: a suggested name or extension (UTF-7).
pub const SUGGESTED_TARGET: &str = "X-WOPI-SuggestedTarget";
/// PutRelativeFile: an exact name (UTF-7).
pub const RELATIVE_TARGET: &str = "X-WOPI-RelativeTarget";
/// PutRelativeFile: whether an existing target may be overwritten.
pub const OVERWRITE_RELATIVE_TARGET: &str = "X-WOPI-OverwriteRelativeTarget";
/// PutRelativeFile: a name the host would accept (UTF-7), sent on 400/409.
pub const VALID_RELATIVE_TARGET: &str = "X-WOPI-ValidRelativeTarget";
/// PutRelativeFile: size of the body.
pub const SIZE: &str = "X-WOPI-Size";
/// PutRelativeFile: the request is part of a binary-to-modern conversion.
pub const FILE_CONVERSION: &str = "X-WOPI-FileConversion";
/// RenameFile: the new name without extension (UTF-7).
pub const REQUESTED_NAME: &str = "X-WOPI-RequestedName";
/// RenameFile: why a name was refused (sent on 400).
pub const INVALID_FILE_NAME_ERROR: &str = "X-WOPI-InvalidFileNameError";
/// RenameContainer: why a container name was refused (sent on 400).
pub const INVALID_CONTAINER_NAME_ERROR: &str = "X-WOPI-InvalidContainerNameError";
/// EnumerateChildren: extensions to list (`.docx,.xlsx`).
pub const FILE_EXTENSION_FILTER_LIST: &str = "X-WOPI-FileExtensionFilterList";
/// EnumerateAncestors: the list stops before the root (`true`).
pub const ENUMERATION_INCOMPLETE: &str = "X-WOPI-EnumerationIncomplete";
/// GetFileWopiSrc: the host's own URL of the file.
pub const HOST_NATIVE_FILE_NAME: &str = "X-WOPI-HostNativeFileName";
/// GetShareUrl: `ReadOnly` or `ReadWrite`.
pub const URL_TYPE: &str = "X-WOPI-UrlType";
/// Free-text error detail on 5xx (logging only).
pub const SERVER_ERROR: &str = "X-WOPI-ServerError";
/// Host build string.
pub const SERVER_VERSION: &str = "X-WOPI-ServerVersion";
/// Client correlation id; logged.
pub const CORRELATION_ID: &str = "X-WOPI-CorrelationId";
/// PutFile: user ids whose changes are in this save.
pub const EDITORS: &str = "X-WOPI-Editors";
/// CheckFileInfo: session context from the action URL.
pub const SESSION_CONTEXT: &str = "X-WOPI-SessionContext";
/// Proof signature with the client's current key.
pub const PROOF: &str = "X-WOPI-Proof";
/// Proof signature with the client's old key.
pub const PROOF_OLD: &str = "X-WOPI-ProofOld";
/// Signing time in .NET ticks.
pub const TIMESTAMP: &str = "X-WOPI-TimeStamp";
/// Bootstrapper: the shortcut operation of a POST to `/wopibootstrapper`.
pub const ECOSYSTEM_OPERATION: &str = "X-WOPI-EcosystemOperation";
/// Bootstrapper GetNewAccessToken: the WOPISrc a new token is asked for.
pub const WOPI_SRC: &str = "X-WOPI-WopiSrc";
/// CSPP Plus: the client's coauth lock id (GetCoauthLock, RefreshCoauthLock, UnlockCoauthLock,
/// PutChunkedFile, RenameFile).
pub const COAUTH_LOCK_ID: &str = "X-WOPI-CoauthLockId";
/// CSPP Plus GetCoauthLock: `Coauth` or `CoauthExclusive`.
pub const COAUTH_LOCK_TYPE: &str = "X-WOPI-CoauthLockType";
/// CSPP Plus: coauth lock lifetime in seconds (60–3600).
pub const COAUTH_LOCK_EXPIRATION_TIMEOUT: &str = "X-WOPI-CoauthLockExpirationTimeout";
/// CSPP Plus: client metadata of a coauth lock.
pub const COAUTH_LOCK_METADATA: &str = "X-WOPI-CoauthLockMetadata";
/// CSPP Plus: the coauth table version (request: what the client has; response: current).
pub const COAUTH_TABLE_VERSION: &str = "X-WOPI-CoauthTableVersion";
/// CSPP Plus: the file's sequence number.
pub const SEQUENCE_NUMBER: &str = "X-WOPI-SequenceNumber";
/// CSPP Plus PutChunkedFile 409: what holds the file.
pub const CONFLICTING_MECHANISM: &str = "X-WOPI-ConflictingMechanism";
/// A 409 caused by a user-visible WOPI lock: its holder's name.
pub const CONFLICTING_LOCK_USERNAME: &str = "X-WOPI-ConflictingLockUsername";
/// Lock: take the lock user-visible (`true`).
pub const LOCK_USER_VISIBLE: &str = "X-WOPI-LockUserVisible";
/// Lock, RefreshLock, UnlockAndRelock: lifetime in seconds (60–3600) instead of 30 minutes.
pub const LOCK_EXPIRATION_TIMEOUT: &str = "X-WOPI-LockExpirationTimeout";
/// Optional non-200 reason (logging only).
pub const FAILURE_REASON: &str = "X-WOPI-FailureReason";
