//! Header names as `HeaderName` constants, lower-case, built with `HeaderName::from_static` in a
//! `const`: a malformed or upper-case name fails the build, and a header that is not listed here
//! cannot be sent or read by name. The spec spellings stay in `folio_wopi::headers` (which must
//! not depend on `http`); the test below ties each constant to its spec spelling.

use axum::http::HeaderName;

/// `X-WOPI-Override`.
pub const X_WOPI_OVERRIDE: HeaderName = HeaderName::from_static("x-wopi-override");
/// `X-WOPI-Lock`.
pub const X_WOPI_LOCK: HeaderName = HeaderName::from_static("x-wopi-lock");
/// `X-WOPI-OldLock`.
pub const X_WOPI_OLD_LOCK: HeaderName = HeaderName::from_static("x-wopi-oldlock");
/// `X-WOPI-LockFailureReason`.
pub const X_WOPI_LOCK_FAILURE_REASON: HeaderName =
    HeaderName::from_static("x-wopi-lockfailurereason");
/// `X-WOPI-ItemVersion`.
pub const X_WOPI_ITEM_VERSION: HeaderName = HeaderName::from_static("x-wopi-itemversion");
/// `X-WOPI-MaxExpectedSize`.
pub const X_WOPI_MAX_EXPECTED_SIZE: HeaderName = HeaderName::from_static("x-wopi-maxexpectedsize");
/// `X-WOPI-SuggestedTarget`.
pub const X_WOPI_SUGGESTED_TARGET: HeaderName = HeaderName::from_static("x-wopi-suggestedtarget");
/// `X-WOPI-RelativeTarget`.
pub const X_WOPI_RELATIVE_TARGET: HeaderName = HeaderName::from_static("x-wopi-relativetarget");
/// `X-WOPI-OverwriteRelativeTarget`.
pub const X_WOPI_OVERWRITE_RELATIVE_TARGET: HeaderName =
    HeaderName::from_static("x-wopi-overwriterelativetarget");
/// `X-WOPI-ValidRelativeTarget`.
pub const X_WOPI_VALID_RELATIVE_TARGET: HeaderName =
    HeaderName::from_static("x-wopi-validrelativetarget");
/// `X-WOPI-Size`.
pub const X_WOPI_SIZE: HeaderName = HeaderName::from_static("x-wopi-size");
/// `X-WOPI-RequestedName`.
pub const X_WOPI_REQUESTED_NAME: HeaderName = HeaderName::from_static("x-wopi-requestedname");
/// `X-WOPI-InvalidFileNameError`.
pub const X_WOPI_INVALID_FILE_NAME_ERROR: HeaderName =
    HeaderName::from_static("x-wopi-invalidfilenameerror");
/// `X-WOPI-UrlType`.
pub const X_WOPI_URL_TYPE: HeaderName = HeaderName::from_static("x-wopi-urltype");
/// `X-WOPI-ServerError`.
pub const X_WOPI_SERVER_ERROR: HeaderName = HeaderName::from_static("x-wopi-servererror");
/// `X-WOPI-CorrelationId`.
pub const X_WOPI_CORRELATION_ID: HeaderName = HeaderName::from_static("x-wopi-correlationid");
/// `X-WOPI-Proof`.
pub const X_WOPI_PROOF: HeaderName = HeaderName::from_static("x-wopi-proof");
/// `X-WOPI-ProofOld`.
pub const X_WOPI_PROOF_OLD: HeaderName = HeaderName::from_static("x-wopi-proofold");
/// `X-WOPI-TimeStamp`.
pub const X_WOPI_TIMESTAMP: HeaderName = HeaderName::from_static("x-wopi-timestamp");
/// `X-WOPI-InvalidContainerNameError`.
pub const X_WOPI_INVALID_CONTAINER_NAME_ERROR: HeaderName =
    HeaderName::from_static("x-wopi-invalidcontainernameerror");
/// `X-WOPI-FileExtensionFilterList`.
pub const X_WOPI_FILE_EXTENSION_FILTER_LIST: HeaderName =
    HeaderName::from_static("x-wopi-fileextensionfilterlist");
/// `X-WOPI-EnumerationIncomplete`.
pub const X_WOPI_ENUMERATION_INCOMPLETE: HeaderName =
    HeaderName::from_static("x-wopi-enumerationincomplete");
/// `X-WOPI-HostNativeFileName`.
pub const X_WOPI_HOST_NATIVE_FILE_NAME: HeaderName =
    HeaderName::from_static("x-wopi-hostnativefilename");
/// `X-COOL-WOPI-IsAutosave` (Collabora).
pub const X_COOL_WOPI_IS_AUTOSAVE: HeaderName = HeaderName::from_static("x-cool-wopi-isautosave");
/// `X-LOOL-WOPI-IsAutosave` (older Collabora).
pub const X_LOOL_WOPI_IS_AUTOSAVE: HeaderName = HeaderName::from_static("x-lool-wopi-isautosave");
/// `X-COOL-WOPI-IsExitSave`.
pub const X_COOL_WOPI_IS_EXIT_SAVE: HeaderName = HeaderName::from_static("x-cool-wopi-isexitsave");
/// `X-LOOL-WOPI-IsExitSave`.
pub const X_LOOL_WOPI_IS_EXIT_SAVE: HeaderName = HeaderName::from_static("x-lool-wopi-isexitsave");
/// `X-COOL-WOPI-IsModifiedByUser`.
pub const X_COOL_WOPI_IS_MODIFIED_BY_USER: HeaderName =
    HeaderName::from_static("x-cool-wopi-ismodifiedbyuser");
/// `X-LOOL-WOPI-IsModifiedByUser`.
pub const X_LOOL_WOPI_IS_MODIFIED_BY_USER: HeaderName =
    HeaderName::from_static("x-lool-wopi-ismodifiedbyuser");
/// `X-COOL-WOPI-Timestamp` (the modified time the client last saw).
pub const X_COOL_WOPI_TIMESTAMP: HeaderName = HeaderName::from_static("x-cool-wopi-timestamp");
/// `X-LOOL-WOPI-Timestamp`.
pub const X_LOOL_WOPI_TIMESTAMP: HeaderName = HeaderName::from_static("x-lool-wopi-timestamp");
/// `X-WOPI-EcosystemOperation` (bootstrapper shortcuts).
pub const X_WOPI_ECOSYSTEM_OPERATION: HeaderName =
    HeaderName::from_static("x-wopi-ecosystemoperation");
/// `X-WOPI-WopiSrc` (bootstrapper GetNewAccessToken).
pub const X_WOPI_WOPI_SRC: HeaderName = HeaderName::from_static("x-wopi-wopisrc");
/// `Pragma` (`no-cache` on OAuth token responses, RFC 6749 §5.1).
pub const PRAGMA: HeaderName = HeaderName::from_static("pragma");
/// `X-CSRF-Token`: the session's CSRF token on XHR uploads.
pub const X_CSRF_TOKEN: HeaderName = HeaderName::from_static("x-csrf-token");

/// `X-WOPI-CoauthLockId` (CSPP Plus).
pub const X_WOPI_COAUTH_LOCK_ID: HeaderName = HeaderName::from_static("x-wopi-coauthlockid");
/// `X-WOPI-CoauthLockType`.
pub const X_WOPI_COAUTH_LOCK_TYPE: HeaderName = HeaderName::from_static("x-wopi-coauthlocktype");
/// `X-WOPI-CoauthLockExpirationTimeout`.
pub const X_WOPI_COAUTH_LOCK_EXPIRATION_TIMEOUT: HeaderName =
    HeaderName::from_static("x-wopi-coauthlockexpirationtimeout");
/// `X-WOPI-CoauthLockMetadata`.
pub const X_WOPI_COAUTH_LOCK_METADATA: HeaderName =
    HeaderName::from_static("x-wopi-coauthlockmetadata");
/// `X-WOPI-CoauthTableVersion`.
pub const X_WOPI_COAUTH_TABLE_VERSION: HeaderName =
    HeaderName::from_static("x-wopi-coauthtableversion");
/// `X-WOPI-SequenceNumber`.
pub const X_WOPI_SEQUENCE_NUMBER: HeaderName = HeaderName::from_static("x-wopi-sequencenumber");
/// `X-WOPI-ConflictingMechanism`.
pub const X_WOPI_CONFLICTING_MECHANISM: HeaderName =
    HeaderName::from_static("x-wopi-conflictingmechanism");
/// `X-WOPI-ConflictingLockUsername`.
pub const X_WOPI_CONFLICTING_LOCK_USERNAME: HeaderName =
    HeaderName::from_static("x-wopi-conflictinglockusername");
/// `X-WOPI-LockUserVisible`.
pub const X_WOPI_LOCK_USER_VISIBLE: HeaderName = HeaderName::from_static("x-wopi-lockuservisible");
/// `X-WOPI-LockExpirationTimeout`.
pub const X_WOPI_LOCK_EXPIRATION_TIMEOUT: HeaderName =
    HeaderName::from_static("x-wopi-lockexpirationtimeout");

#[cfg(test)]
mod tests {
    use super::*;
    use folio_wopi::headers as spec;

    #[test]
    fn constants_are_the_spec_names_lower_cased() {
        let rows = [
            (X_WOPI_OVERRIDE, spec::OVERRIDE),
            (X_WOPI_COAUTH_LOCK_ID, spec::COAUTH_LOCK_ID),
            (X_WOPI_COAUTH_LOCK_TYPE, spec::COAUTH_LOCK_TYPE),
            (
                X_WOPI_COAUTH_LOCK_EXPIRATION_TIMEOUT,
                spec::COAUTH_LOCK_EXPIRATION_TIMEOUT,
            ),
            (X_WOPI_COAUTH_LOCK_METADATA, spec::COAUTH_LOCK_METADATA),
            (X_WOPI_COAUTH_TABLE_VERSION, spec::COAUTH_TABLE_VERSION),
            (X_WOPI_SEQUENCE_NUMBER, spec::SEQUENCE_NUMBER),
            (X_WOPI_CONFLICTING_MECHANISM, spec::CONFLICTING_MECHANISM),
            (
                X_WOPI_CONFLICTING_LOCK_USERNAME,
                spec::CONFLICTING_LOCK_USERNAME,
            ),
            (X_WOPI_LOCK_USER_VISIBLE, spec::LOCK_USER_VISIBLE),
            (
                X_WOPI_LOCK_EXPIRATION_TIMEOUT,
                spec::LOCK_EXPIRATION_TIMEOUT,
            ),
            (X_WOPI_LOCK, spec::LOCK),
            (X_WOPI_OLD_LOCK, spec::OLD_LOCK),
            (X_WOPI_LOCK_FAILURE_REASON, spec::LOCK_FAILURE_REASON),
            (X_WOPI_ITEM_VERSION, spec::ITEM_VERSION),
            (X_WOPI_MAX_EXPECTED_SIZE, spec::MAX_EXPECTED_SIZE),
            (X_WOPI_SUGGESTED_TARGET, spec::SUGGESTED_TARGET),
            (X_WOPI_RELATIVE_TARGET, spec::RELATIVE_TARGET),
            (
                X_WOPI_OVERWRITE_RELATIVE_TARGET,
                spec::OVERWRITE_RELATIVE_TARGET,
            ),
            (X_WOPI_VALID_RELATIVE_TARGET, spec::VALID_RELATIVE_TARGET),
            (X_WOPI_SIZE, spec::SIZE),
            (X_WOPI_REQUESTED_NAME, spec::REQUESTED_NAME),
            (
                X_WOPI_INVALID_FILE_NAME_ERROR,
                spec::INVALID_FILE_NAME_ERROR,
            ),
            (X_WOPI_URL_TYPE, spec::URL_TYPE),
            (
                X_WOPI_INVALID_CONTAINER_NAME_ERROR,
                spec::INVALID_CONTAINER_NAME_ERROR,
            ),
            (
                X_WOPI_FILE_EXTENSION_FILTER_LIST,
                spec::FILE_EXTENSION_FILTER_LIST,
            ),
            (X_WOPI_ENUMERATION_INCOMPLETE, spec::ENUMERATION_INCOMPLETE),
            (X_WOPI_HOST_NATIVE_FILE_NAME, spec::HOST_NATIVE_FILE_NAME),
            (X_WOPI_SERVER_ERROR, spec::SERVER_ERROR),
            (X_WOPI_CORRELATION_ID, spec::CORRELATION_ID),
            (X_WOPI_PROOF, spec::PROOF),
            (X_WOPI_PROOF_OLD, spec::PROOF_OLD),
            (X_WOPI_TIMESTAMP, spec::TIMESTAMP),
            (X_WOPI_ECOSYSTEM_OPERATION, spec::ECOSYSTEM_OPERATION),
            (X_WOPI_WOPI_SRC, spec::WOPI_SRC),
        ];
        for (name, spelled) in rows {
            assert_eq!(name.as_str(), spelled.to_ascii_lowercase(), "{spelled}");
        }
    }
}
