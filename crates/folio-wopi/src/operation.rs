//! Which WOPI operation a request is: a pure function of (method, endpoint, `X-WOPI-Override`,
//! presence of `X-WOPI-OldLock`), plus the permission each operation needs and the kind of
//! resource (file, container, ecosystem) its URL — and so its token — addresses.

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

/// The WOPI endpoint a request addresses (spec/operations.md §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/wopi/files/{id}`
    File,
    /// `/wopi/files/{id}/contents`
    Contents,
    /// `/wopi/files/{id}/ancestry`
    FileAncestry,
    /// `/wopi/files/{id}/ecosystem_pointer`
    FileEcosystemPointer,
    /// `/wopi/containers/{id}`
    Container,
    /// `/wopi/containers/{id}/children`
    ContainerChildren,
    /// `/wopi/containers/{id}/ancestry`
    ContainerAncestry,
    /// `/wopi/containers/{id}/ecosystem_pointer`
    ContainerEcosystemPointer,
    /// `/wopi/ecosystem`
    Ecosystem,
    /// `/wopi/ecosystem/root_container_pointer`
    RootContainerPointer,
}

/// What a WOPI URL (and the token it carries) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// A file: `/wopi/files/{id}…`.
    File,
    /// A container (folder): `/wopi/containers/{id}…`.
    Container,
    /// The user's ecosystem: `/wopi/ecosystem…` (no id: the token says whose).
    Ecosystem,
}

impl Endpoint {
    /// Splits a request path into the endpoint and the resource id (`None` for the ecosystem).
    /// The part before `/wopi/` is ignored; anything but the shapes of spec/operations.md
    /// §1.1 is `None` (the router answers those 501).
    pub fn from_path(path: &str) -> Option<(Endpoint, Option<&str>)> {
        let rest = &path[path.rfind("/wopi/")? + "/wopi/".len()..];
        let mut parts = rest.split('/');
        let kind = parts.next()?;
        let id = parts.next();
        let sub = parts.next();
        if parts.next().is_some() || id == Some("") {
            return None;
        }
        use Endpoint::*;
        let endpoint = match (kind, id, sub) {
            ("files", Some(_), None) => File,
            ("files", Some(_), Some("contents")) => Contents,
            ("files", Some(_), Some("ancestry")) => FileAncestry,
            ("files", Some(_), Some("ecosystem_pointer")) => FileEcosystemPointer,
            ("containers", Some(_), None) => Container,
            ("containers", Some(_), Some("children")) => ContainerChildren,
            ("containers", Some(_), Some("ancestry")) => ContainerAncestry,
            ("containers", Some(_), Some("ecosystem_pointer")) => ContainerEcosystemPointer,
            ("ecosystem", None, None) => return Some((Ecosystem, None)),
            ("ecosystem", Some("root_container_pointer"), None) => {
                return Some((RootContainerPointer, None));
            }
            _ => return None,
        };
        Some((endpoint, id))
    }

    /// The kind of resource the endpoint's URL names.
    pub fn resource(self) -> ResourceKind {
        use Endpoint::*;
        match self {
            File | Contents | FileAncestry | FileEcosystemPointer => ResourceKind::File,
            Container | ContainerChildren | ContainerAncestry | ContainerEcosystemPointer => {
                ResourceKind::Container
            }
            Ecosystem | RootContainerPointer => ResourceKind::Ecosystem,
        }
    }
}

/// A WOPI operation Folio implements.
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
    /// `GET_SHARE_URL` on a file
    GetShareUrl,
    /// `ADD_ACTIVITIES` on a file
    AddActivities,
    /// GET /wopi/files/{id}/ancestry
    EnumerateAncestors,
    /// GET /wopi/files/{id}/ecosystem_pointer
    GetEcosystem,
    /// GET /wopi/containers/{id}
    CheckContainerInfo,
    /// GET /wopi/containers/{id}/children
    EnumerateChildren,
    /// GET /wopi/containers/{id}/ancestry
    EnumerateContainerAncestors,
    /// GET /wopi/containers/{id}/ecosystem_pointer
    GetContainerEcosystem,
    /// `CREATE_CHILD_CONTAINER`
    CreateChildContainer,
    /// `CREATE_CHILD_FILE`
    CreateChildFile,
    /// `DELETE_CONTAINER`
    DeleteContainer,
    /// `RENAME_CONTAINER`
    RenameContainer,
    /// `GET_SHARE_URL` on a container
    GetContainerShareUrl,
    /// GET /wopi/ecosystem
    CheckEcosystem,
    /// GET /wopi/ecosystem/root_container_pointer
    GetRootContainer,
    /// POST /wopi/ecosystem, `GET_WOPI_SRC_WITH_ACCESS_TOKEN`
    GetFileWopiSrc,
    /// CSPP Plus `GET_COAUTH_LOCK`
    GetCoauthLock,
    /// CSPP Plus `REFRESH_COAUTH_LOCK`
    RefreshCoauthLock,
    /// CSPP Plus `UNLOCK_COAUTH_LOCK`
    UnlockCoauthLock,
    /// CSPP Plus `GET_COAUTH_TABLE`
    GetCoauthTable,
    /// CSPP Plus `GET_SEQUENCE_NUMBER`
    GetSequenceNumber,
    /// CSPP Plus `GET_CHUNKED_FILE` (POST /wopi/files/{id})
    GetChunkedFile,
    /// CSPP Plus `PUT_CHUNKED_FILE` (POST /wopi/files/{id}/contents)
    PutChunkedFile,
}

/// What a token must allow for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Read the resource and its metadata.
    Read,
    /// Change the resource: content, lock, name, existence, children.
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
        use Endpoint as E;
        use WopiOperation::*;
        let op = override_header.map(str::trim);
        match (method, endpoint, op) {
            (Method::Get, E::File, _) => Ok(CheckFileInfo),
            (Method::Get, E::Contents, _) => Ok(GetFile),
            (Method::Get, E::FileAncestry, _) => Ok(EnumerateAncestors),
            (Method::Get, E::FileEcosystemPointer, _) => Ok(GetEcosystem),
            (Method::Get, E::Container, _) => Ok(CheckContainerInfo),
            (Method::Get, E::ContainerChildren, _) => Ok(EnumerateChildren),
            (Method::Get, E::ContainerAncestry, _) => Ok(EnumerateContainerAncestors),
            (Method::Get, E::ContainerEcosystemPointer, _) => Ok(GetContainerEcosystem),
            (Method::Get, E::Ecosystem, _) => Ok(CheckEcosystem),
            (Method::Get, E::RootContainerPointer, _) => Ok(GetRootContainer),
            (Method::Post, E::Contents, Some("PUT")) => Ok(PutFile),
            (Method::Post, E::File, Some("LOCK")) if has_old_lock => Ok(UnlockAndRelock),
            (Method::Post, E::File, Some("LOCK")) => Ok(Lock),
            (Method::Post, E::File, Some("UNLOCK")) => Ok(Unlock),
            (Method::Post, E::File, Some("REFRESH_LOCK")) => Ok(RefreshLock),
            (Method::Post, E::File, Some("GET_LOCK")) => Ok(GetLock),
            (Method::Post, E::File, Some("PUT_RELATIVE")) => Ok(PutRelativeFile),
            (Method::Post, E::File, Some("RENAME_FILE")) => Ok(RenameFile),
            (Method::Post, E::File, Some("DELETE")) => Ok(DeleteFile),
            (Method::Post, E::File, Some("PUT_USER_INFO")) => Ok(PutUserInfo),
            (Method::Post, E::File, Some("GET_SHARE_URL")) => Ok(GetShareUrl),
            (Method::Post, E::File, Some("ADD_ACTIVITIES")) => Ok(AddActivities),
            (Method::Post, E::File, Some("GET_COAUTH_LOCK")) => Ok(GetCoauthLock),
            (Method::Post, E::File, Some("REFRESH_COAUTH_LOCK")) => Ok(RefreshCoauthLock),
            (Method::Post, E::File, Some("UNLOCK_COAUTH_LOCK")) => Ok(UnlockCoauthLock),
            (Method::Post, E::File, Some("GET_COAUTH_TABLE")) => Ok(GetCoauthTable),
            (Method::Post, E::File, Some("GET_SEQUENCE_NUMBER")) => Ok(GetSequenceNumber),
            (Method::Post, E::File, Some("GET_CHUNKED_FILE")) => Ok(GetChunkedFile),
            (Method::Post, E::Contents, Some("PUT_CHUNKED_FILE")) => Ok(PutChunkedFile),
            (Method::Post, E::Container, Some("CREATE_CHILD_CONTAINER")) => {
                Ok(CreateChildContainer)
            }
            (Method::Post, E::Container, Some("CREATE_CHILD_FILE")) => Ok(CreateChildFile),
            (Method::Post, E::Container, Some("DELETE_CONTAINER")) => Ok(DeleteContainer),
            (Method::Post, E::Container, Some("RENAME_CONTAINER")) => Ok(RenameContainer),
            (Method::Post, E::Container, Some("GET_SHARE_URL")) => Ok(GetContainerShareUrl),
            (Method::Post, E::Ecosystem, Some("GET_WOPI_SRC_WITH_ACCESS_TOKEN")) => {
                Ok(GetFileWopiSrc)
            }
            (Method::Post, _, None) => Err(WopiError::Unsupported("POST without X-WOPI-Override")),
            (Method::Post, _, Some(_)) => Err(WopiError::Unsupported("unknown X-WOPI-Override")),
            (Method::Other, _, _) => Err(WopiError::Unsupported("method not supported")),
        }
    }

    /// The right the token's user needs on the resource of the URL.
    pub fn required_permission(self) -> Permission {
        use WopiOperation::*;
        match self {
            CheckFileInfo
            | GetFile
            | GetLock
            | PutUserInfo
            | GetShareUrl
            | AddActivities
            | EnumerateAncestors
            | GetEcosystem
            | CheckContainerInfo
            | EnumerateChildren
            | EnumerateContainerAncestors
            | GetContainerEcosystem
            | GetContainerShareUrl
            | CheckEcosystem
            | GetRootContainer
            | GetFileWopiSrc
            | GetCoauthTable
            | GetSequenceNumber
            | GetChunkedFile => Permission::Read,
            PutFile | Lock | UnlockAndRelock | Unlock | RefreshLock | PutRelativeFile
            | RenameFile | DeleteFile | CreateChildContainer | CreateChildFile
            | DeleteContainer | RenameContainer | GetCoauthLock | RefreshCoauthLock
            | UnlockCoauthLock | PutChunkedFile => Permission::Write,
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
            AddActivities => "AddActivities",
            EnumerateAncestors => "EnumerateAncestors",
            GetEcosystem => "GetEcosystem",
            CheckContainerInfo => "CheckContainerInfo",
            EnumerateChildren => "EnumerateChildren",
            EnumerateContainerAncestors => "EnumerateAncestors (containers)",
            GetContainerEcosystem => "GetEcosystem (containers)",
            CreateChildContainer => "CreateChildContainer",
            CreateChildFile => "CreateChildFile",
            DeleteContainer => "DeleteContainer",
            RenameContainer => "RenameContainer",
            GetContainerShareUrl => "GetShareUrl (containers)",
            CheckEcosystem => "CheckEcosystem",
            GetRootContainer => "GetRootContainer",
            GetFileWopiSrc => "GetFileWopiSrc",
            GetCoauthLock => "GetCoauthLock",
            RefreshCoauthLock => "RefreshCoauthLock",
            UnlockCoauthLock => "UnlockCoauthLock",
            GetCoauthTable => "GetCoauthTable",
            GetSequenceNumber => "GetSequenceNumber",
            GetChunkedFile => "GetChunkedFile",
            PutChunkedFile => "PutChunkedFile",
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
            (
                Post,
                File,
                Some("ADD_ACTIVITIES"),
                false,
                Some((Op::AddActivities, Permission::Read)),
            ),
            (
                Post,
                File,
                Some("GET_COAUTH_LOCK"),
                false,
                Some((Op::GetCoauthLock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("REFRESH_COAUTH_LOCK"),
                false,
                Some((Op::RefreshCoauthLock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("UNLOCK_COAUTH_LOCK"),
                false,
                Some((Op::UnlockCoauthLock, Permission::Write)),
            ),
            (
                Post,
                File,
                Some("GET_COAUTH_TABLE"),
                false,
                Some((Op::GetCoauthTable, Permission::Read)),
            ),
            (
                Post,
                File,
                Some("GET_SEQUENCE_NUMBER"),
                false,
                Some((Op::GetSequenceNumber, Permission::Read)),
            ),
            (
                Post,
                File,
                Some("GET_CHUNKED_FILE"),
                false,
                Some((Op::GetChunkedFile, Permission::Read)),
            ),
            (
                Post,
                Contents,
                Some("PUT_CHUNKED_FILE"),
                false,
                Some((Op::PutChunkedFile, Permission::Write)),
            ),
            (
                Get,
                FileAncestry,
                None,
                false,
                Some((Op::EnumerateAncestors, Permission::Read)),
            ),
            (
                Get,
                FileEcosystemPointer,
                None,
                false,
                Some((Op::GetEcosystem, Permission::Read)),
            ),
            (
                Get,
                Container,
                Some("CREATE_CHILD_FILE"),
                false,
                Some((Op::CheckContainerInfo, Permission::Read)),
            ),
            (
                Get,
                ContainerChildren,
                None,
                false,
                Some((Op::EnumerateChildren, Permission::Read)),
            ),
            (
                Get,
                ContainerAncestry,
                None,
                false,
                Some((Op::EnumerateContainerAncestors, Permission::Read)),
            ),
            (
                Get,
                ContainerEcosystemPointer,
                None,
                false,
                Some((Op::GetContainerEcosystem, Permission::Read)),
            ),
            (
                Post,
                Container,
                Some("CREATE_CHILD_CONTAINER"),
                false,
                Some((Op::CreateChildContainer, Permission::Write)),
            ),
            (
                Post,
                Container,
                Some("CREATE_CHILD_FILE"),
                false,
                Some((Op::CreateChildFile, Permission::Write)),
            ),
            (
                Post,
                Container,
                Some("DELETE_CONTAINER"),
                false,
                Some((Op::DeleteContainer, Permission::Write)),
            ),
            (
                Post,
                Container,
                Some("RENAME_CONTAINER"),
                false,
                Some((Op::RenameContainer, Permission::Write)),
            ),
            (
                Post,
                Container,
                Some("GET_SHARE_URL"),
                false,
                Some((Op::GetContainerShareUrl, Permission::Read)),
            ),
            (
                Get,
                Ecosystem,
                None,
                false,
                Some((Op::CheckEcosystem, Permission::Read)),
            ),
            (
                Get,
                RootContainerPointer,
                None,
                false,
                Some((Op::GetRootContainer, Permission::Read)),
            ),
            (
                Post,
                Ecosystem,
                Some("GET_WOPI_SRC_WITH_ACCESS_TOKEN"),
                false,
                Some((Op::GetFileWopiSrc, Permission::Read)),
            ),
            (Post, Container, Some("LOCK"), false, None),
            (Post, Container, Some("DELETE"), false, None),
            (Post, File, Some("DELETE_CONTAINER"), false, None),
            (Post, Ecosystem, Some("GET_LOCK"), false, None),
            (Post, RootContainerPointer, None, false, None),
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

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn paths_name_an_endpoint_and_an_id() {
        use Endpoint::*;
        type Row<'a> = (&'a str, Option<(Endpoint, Option<&'a str>)>);
        let rows: &[Row] = &[
            ("/wopi/files/abc", Some((File, Some("abc")))),
            ("/wopi/files/abc/contents", Some((Contents, Some("abc")))),
            (
                "/wopi/files/abc/ancestry",
                Some((FileAncestry, Some("abc"))),
            ),
            (
                "/wopi/files/abc/ecosystem_pointer",
                Some((FileEcosystemPointer, Some("abc"))),
            ),
            ("/wopi/containers/c1", Some((Container, Some("c1")))),
            (
                "/wopi/containers/c1/children",
                Some((ContainerChildren, Some("c1"))),
            ),
            (
                "/wopi/containers/c1/ancestry",
                Some((ContainerAncestry, Some("c1"))),
            ),
            (
                "/wopi/containers/c1/ecosystem_pointer",
                Some((ContainerEcosystemPointer, Some("c1"))),
            ),
            ("/wopi/ecosystem", Some((Ecosystem, None))),
            (
                "/wopi/ecosystem/root_container_pointer",
                Some((RootContainerPointer, None)),
            ),
            ("/prefix/wopi/files/abc", Some((File, Some("abc")))),
            ("/wopi/files/abc/", None),
            ("/wopi/files//contents", None),
            ("/wopi/files", None),
            ("/wopi/containers/c1/contents", None),
            ("/wopi/ecosystem/other", None),
            ("/wopi/folders/x", None),
            ("/wopi/files/a/contents/x", None),
            ("/files/abc", None),
        ];
        for (path, want) in rows {
            assert_eq!(Endpoint::from_path(path), *want, "{path}");
        }
        assert_eq!(FileAncestry.resource(), ResourceKind::File);
        assert_eq!(ContainerChildren.resource(), ResourceKind::Container);
        assert_eq!(RootContainerPointer.resource(), ResourceKind::Ecosystem);
    }
}
