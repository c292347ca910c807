//! Which WOPI operation a request is: a pure function of (method, endpoint, `X-WOPI-Override`,
//! presence of `X-WOPI-OldLock`), plus the permission each operation needs.

use crate::error::WopiError;

/// The HTTP method, reduced to what WOPI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET (and HEAD).
    Get,
    /// POST.
    Post,
    /// Anything else.
    Other,
}

/// The part of the files endpoint a request addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/wopi/files/{id}`
    File,
    /// `/wopi/files/{id}/contents`
    Contents,
}

/// A WOPI files-endpoint operation Folio implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WopiOperation {
    /// GET /wopi/files/{id}
    CheckFileInfo,
    /// GET /wopi/files/{id}/contents
    GetFile,
    /// POST /wopi/files/{id}/contents, `PUT`
    PutFile,
    /// `LOCK` without `X-WOPI-OldLock`
    Lock,
    /// `LOCK` with `X-WOPI-OldLock`
    UnlockAndRelock,
    /// `UNLOCK`
    Unlock,
    /// `REFRESH_LOCK`
    RefreshLock,
    /// `GET_LOCK`
    GetLock,
    /// `PUT_RELATIVE`
    PutRelativeFile,
    /// `RENAME_FILE`
    RenameFile,
    /// `DELETE`
    DeleteFile,
    /// `PUT_USER_INFO`
    PutUserInfo,
    /// `GET_SHARE_URL`
    GetShareUrl,
}

/// What a token must allow for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Read the file and its metadata.
    Read,
    /// Change the file: content, lock, name, existence.
    Write,
}

impl WopiOperation {
    /// Parses a request. Unknown or unimplemented overrides are `Unsupported` (501).
    pub fn parse(
        method: Method,
        endpoint: Endpoint,
        override_header: Option<&str>,
        has_old_lock: bool,
    ) -> Result<Self, WopiError> {
        use WopiOperation::*;
        let op = override_header.map(str::trim);
        match (method, endpoint, op) {
            (Method::Get, Endpoint::File, _) => Ok(CheckFileInfo),
            (Method::Get, Endpoint::Contents, _) => Ok(GetFile),
            (Method::Post, Endpoint::Contents, Some("PUT")) => Ok(PutFile),
            (Method::Post, Endpoint::File, Some("LOCK")) if has_old_lock => Ok(UnlockAndRelock),
            (Method::Post, Endpoint::File, Some("LOCK")) => Ok(Lock),
            (Method::Post, Endpoint::File, Some("UNLOCK")) => Ok(Unlock),
            (Method::Post, Endpoint::File, Some("REFRESH_LOCK")) => Ok(RefreshLock),
            (Method::Post, Endpoint::File, Some("GET_LOCK")) => Ok(GetLock),
            (Method::Post, Endpoint::File, Some("PUT_RELATIVE")) => Ok(PutRelativeFile),
            (Method::Post, Endpoint::File, Some("RENAME_FILE")) => Ok(RenameFile),
            (Method::Post, Endpoint::File, Some("DELETE")) => Ok(DeleteFile),
            (Method::Post, Endpoint::File, Some("PUT_USER_INFO")) => Ok(PutUserInfo),
            (Method::Post, Endpoint::File, Some("GET_SHARE_URL")) => Ok(GetShareUrl),
            (Method::Post, _, None) => Err(WopiError::Unsupported("POST without X-WOPI-Override")),
            (Method::Post, _, Some(_)) => Err(WopiError::Unsupported("unknown X-WOPI-Override")),
            (Method::Other, _, _) => Err(WopiError::Unsupported("method not supported")),
        }
    }

    /// The right the token's user needs on the file.
    pub fn required_permission(self) -> Permission {
        use WopiOperation::*;
        match self {
            CheckFileInfo | GetFile | GetLock | PutUserInfo | GetShareUrl => Permission::Read,
            PutFile | Lock | UnlockAndRelock | Unlock | RefreshLock | PutRelativeFile
            | RenameFile | DeleteFile => Permission::Write,
        }
    }

    /// The spec name, for logs and metrics.
    pub fn name(self) -> &'static str {
        use WopiOperation::*;
        match self {
            CheckFileInfo => "CheckFileInfo",
            GetFile => "GetFile",
            PutFile => "PutFile",
            Lock => "Lock",
            UnlockAndRelock => "UnlockAndRelock",
            Unlock => "Unlock",
            RefreshLock => "RefreshLock",
            GetLock => "GetLock",
            PutRelativeFile => "PutRelativeFile",
            RenameFile => "RenameFile",
            DeleteFile => "DeleteFile",
            PutUserInfo => "PutUserInfo",
            GetShareUrl => "GetShareUrl",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Endpoint::*;
    use Method::*;
    use WopiOperation as Op;

    #[test]
    fn dispatch_table() {
        type Row<'a> = (
            Method,
            Endpoint,
            Option<&'a str>,
            bool,
            Option<(Op, Permission)>,
        );
        let rows: &[Row] = &[
            (
                Get,
                File,
                None,
                false,
                Some((Op::CheckFileInfo, Permission::Read)),
            ),
            (
                Get,
                Contents,
                None,
                false,
                Some((Op::GetFile, Permission::Read)),
            ),
            (
                Post,
                Contents,
                Some("PUT"),
                false,
                Some((Op::PutFile, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("LOCK"),
                false,
                Some((Op::Lock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("LOCK"),
                true,
                Some((Op::UnlockAndRelock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("UNLOCK"),
                false,
                Some((Op::Unlock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("REFRESH_LOCK"),
                false,
                Some((Op::RefreshLock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("GET_LOCK"),
                false,
                Some((Op::GetLock, Permission::Read)),
            ),
            (
                Post,
                File,
                Some("PUT_RELATIVE"),
                false,
                Some((Op::PutRelativeFile, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("RENAME_FILE"),
                false,
                Some((Op::RenameFile, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("DELETE"),
                false,
                Some((Op::DeleteFile, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("PUT_USER_INFO"),
                false,
                Some((Op::PutUserInfo, Permission::Read)),
            ),
            (
                Post,
                File,
                Some("GET_SHARE_URL"),
                false,
                Some((Op::GetShareUrl, Permission::Read)),
            ),
            (Post, File, Some("COBALT"), false, None),
            (Post, File, Some("ADD_ACTIVITIES"), false, None),
            (Post, File, Some("PUT"), false, None),
            (Post, Contents, Some("LOCK"), false, None),
            (Post, File, Some("lock"), false, None),
            (Post, File, None, false, None),
            (Other, File, None, false, None),
        ];
        for (m, e, o, old, want) in rows {
            let got = WopiOperation::parse(*m, *e, *o, *old);
            match (got, want) {
                (Ok(op), Some((want_op, perm))) => {
                    assert_eq!(op, *want_op);
                    assert_eq!(op.required_permission(), *perm, "{op:?}");
                }
                (Err(WopiError::Unsupported(_)), None) => {}
                (got, want) => panic!("{m:?} {e:?} {o:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
