//! Identifier newtypes, validated on construction so that the rest of the code never sees an
//! ill-formed file id or lock id.

use std::fmt;

use crate::error::WopiError;

/// A file (or container) id: 1–64 characters of `A–Z a–z 0–9 - _`, so it is one URL path segment
/// that needs no percent-encoding (Collabora's recommendation; proof-key URLs stay unambiguous).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(String);

impl FileId {
    /// Parses an id from a URL path segment. Anything else is "not found" to the caller.
    pub fn parse(s: &str) -> Result<Self, WopiError> {
        if !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(WopiError::FileNotFound)
        }
    }

    /// Wraps an id that the store generated. The caller guarantees the format.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({})", self.0)
    }
}

/// The longest lock id a client may send (`SupportsExtendedLockLength`).
pub const MAX_LOCK_LEN: usize = 1024;

/// A WOPI lock id: an opaque, non-empty string of at most 1024 printable ASCII characters,
/// compared byte for byte (never case-folded).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LockId(String);

impl LockId {
    /// Parses the value of an `X-WOPI-Lock` / `X-WOPI-OldLock` header.
    ///
    /// WOPI Lock/Unlock/RefreshLock/UnlockAndRelock: a missing or empty lock header is a 400.
    pub fn parse(s: &str) -> Result<Self, WopiError> {
        if s.is_empty() {
            return Err(WopiError::BadRequest("the lock header is empty"));
        }
        if s.len() > MAX_LOCK_LEN {
            return Err(WopiError::BadRequest(
                "the lock id is longer than 1024 characters",
            ));
        }
        if !s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(WopiError::BadRequest("the lock id is not printable ASCII"));
        }
        Ok(Self(s.to_owned()))
    }

    /// Wraps a lock id read back from the store (it was validated when it was written).
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }

    /// The lock id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockId({:?})", self.0)
    }
}

impl fmt::Display for LockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id_accepts_url_safe_segments_only() {
        for (input, ok) in [
            ("abcDEF012-_", true),
            ("", false),
            ("a/b", false),
            ("a b", false),
            ("%41", false),
            ("..", false),
            (&"x".repeat(64), true),
            (&"x".repeat(65), false),
        ] {
            assert_eq!(FileId::parse(input).is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn lock_id_rules() {
        let long = "L".repeat(1024);
        let too_long = "L".repeat(1025);
        for (input, ok) in [
            ("", false),
            ("a", true),
            (r#"{"S":"1","F":4}"#, true),
            (long.as_str(), true),
            (too_long.as_str(), false),
            ("caf\u{e9}", false),
            ("tab\there", false),
        ] {
            assert_eq!(LockId::parse(input).is_ok(), ok, "{input:?}");
        }
        assert_ne!(LockId::parse("abc").ok(), LockId::parse("ABC").ok());
    }
}
