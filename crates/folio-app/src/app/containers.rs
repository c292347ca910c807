//! WOPI containers and the ecosystem (spec/containers-ecosystem.md): folders are containers,
//! each user's root folder is the root container, and `/wopi/ecosystem` is the user's entry
//! point. CheckContainerInfo, EnumerateChildren, EnumerateAncestors (files and containers),
//! CreateChildContainer, CreateChildFile (the PutRelativeFile rules, `relative.rs`),
//! DeleteContainer, RenameContainer, GetShareUrl (containers), GetEcosystem, CheckEcosystem,
//! GetRootContainer, GetFileWopiSrc.
//!
//! Every URL returned carries its own token, minted by `mint_child_token`: scoped to what it
//! points at and to the user, expiring with the request's token, writable only if the
//! request's token is. Ancestry stops where the user's access stops (a file or folder shared
//! from someone else's tree): the list ends at the topmost folder the user may see and the
//! response says `X-WOPI-EnumerationIncomplete: true`; the owner's folders are never named.

use folio_wopi::wire::{
    AncestorsResponse, CheckContainerInfo, ChildFile, ChildrenResponse, ContainerPointerResponse,
    ResourcePointer,
};

use super::*;
use crate::app::relative::CreatePlace;

/// How CreateChildContainer names the new container.
#[derive(Debug, Clone)]
pub enum ContainerTarget {
    /// `X-WOPI-SuggestedTarget`: adjusted and numbered until free (never 400/409).
    Suggested(String),
    /// `X-WOPI-RelativeTarget`: exactly this name (illegal 400, taken 409).
    Exact(String),
}

/// EnumerateAncestors: the visible ancestors, root (or topmost visible) first.
#[derive(Debug, Clone)]
pub struct Ancestors {
    /// The body.
    pub body: AncestorsResponse,
    /// The list stops below the root because the user's access stops there.
    pub incomplete: bool,
}

/// The most a suggested container name is numbered before giving up.
const MAX_ALTERNATIVES: u32 = 1000;

impl App {
    /// The name a container is shown with: a root is "My files" (WOPI wants a non-empty name).
    fn container_name(folder: &FolderRecord) -> String {
        if folder.parent_id.is_none() {
            "My files".to_owned()
        } else {
            folder.name.clone()
        }
    }

    /// CheckContainerInfo of `folder` for `user` with `role`, through a token that allows
    /// writes when `token_can_write`.
    fn container_info(
        &self,
        user: &UserRecord,
        folder: &FolderRecord,
        role: Role,
        token_can_write: bool,
    ) -> CheckContainerInfo {
        let can_write = token_can_write && role >= Role::Editor;
        let licensing = self.licensing(user);
        CheckContainerInfo {
            name: Self::container_name(folder),
            host_url: Some(self.folder_url(&folder.id)),
            sharing_url: (role == Role::Owner && folder.parent_id.is_some())
                .then(|| format!("{}/folders/{}/share", self.config.public_url, folder.id)),
            supported_share_url_types: vec!["ReadOnly".into(), "ReadWrite".into()],
            user_can_create_child_container: can_write,
            user_can_create_child_file: can_write,
            // A root is neither deleted nor renamed (the web UI's rule for folders too).
            user_can_delete: can_write && folder.parent_id.is_some(),
            user_can_rename: can_write && folder.parent_id.is_some(),
            is_anonymous_user: false,
            is_edu_user: licensing.is_edu_user,
            license_check_for_edit_is_enabled: licensing.license_check_for_edit_is_enabled,
        }
    }

    /// WOPI CheckContainerInfo.
    pub fn check_container_info(&self, p: &ContainerPrincipal) -> CheckContainerInfo {
        self.container_info(&p.user, &p.folder, p.role, p.token.can_write)
    }

    /// A pointer (name + URL with a fresh container token) to `folder`, minted from `parent`.
    async fn container_pointer(
        &self,
        parent: &TokenRecord,
        folder: &FolderRecord,
    ) -> Result<ResourcePointer, AppError> {
        let minted = self
            .mint_child_token(parent, TokenScope::Container(folder.id.clone()), true)
            .await?;
        Ok(ResourcePointer {
            name: Self::container_name(folder),
            url: minted.url(),
        })
    }

    /// The ancestors of a resource whose containing folder is `start` (`None`: none), as
    /// `user` may see them: walking up while the user has a role on the folder.
    async fn visible_ancestors(
        &self,
        user: &UserRecord,
        token: &TokenRecord,
        start: Option<String>,
    ) -> Result<Ancestors, AppError> {
        let mut chain = Vec::new();
        let mut next = start;
        let mut incomplete = false;
        while let Some(id) = next {
            if self.meta.folder_role(&id, &user.id).await?.is_none() {
                incomplete = true;
                break;
            }
            let Some(folder) = self.meta.folder(&id).await? else {
                break;
            };
            next = folder.parent_id.clone();
            chain.push(folder);
            if chain.len() > 256 {
                incomplete = true;
                break;
            }
        }
        chain.reverse();
        let mut out = Vec::with_capacity(chain.len());
        for folder in &chain {
            out.push(self.container_pointer(token, folder).await?);
        }
        Ok(Ancestors {
            body: AncestorsResponse {
                ancestors_with_root_first: out,
            },
            incomplete,
        })
    }

    /// WOPI EnumerateAncestors (files): the file's folders up to the root, or up to where the
    /// user's access stops.
    pub async fn enumerate_file_ancestors(&self, p: &Principal) -> Result<Ancestors, AppError> {
        self.visible_ancestors(&p.user, &p.token, Some(p.file.folder_id.clone()))
            .await
    }

    /// WOPI EnumerateAncestors (containers): the folder's parents (none for a root).
    pub async fn enumerate_container_ancestors(
        &self,
        p: &ContainerPrincipal,
    ) -> Result<Ancestors, AppError> {
        self.visible_ancestors(&p.user, &p.token, p.folder.parent_id.clone())
            .await
    }

    /// WOPI EnumerateChildren: every subfolder, and the files whose extension is in `filter`
    /// (`.docx` form, compared case-insensitively; `None` or empty: all files), each with a
    /// URL carrying its own token.
    pub async fn enumerate_children(
        &self,
        p: &ContainerPrincipal,
        filter: Option<&[String]>,
    ) -> Result<ChildrenResponse, AppError> {
        let (folders, files) = self.meta.list_folder(&p.folder.id).await?;
        let wanted = |name: &str| match filter {
            None => true,
            Some([]) => true,
            Some(exts) => {
                let (_, ext) = naming::split_ext(name);
                exts.iter().any(|e| e.eq_ignore_ascii_case(ext))
            }
        };
        // One token per child, all stored in one transaction.
        let files: Vec<&FileRecord> = files.iter().filter(|f| wanted(&f.name)).collect();
        let scopes = folders
            .iter()
            .map(|f| TokenScope::Container(f.id.clone()))
            .chain(files.iter().map(|f| TokenScope::File(f.id.clone())))
            .collect();
        let mut minted = self
            .mint_child_tokens(&p.token, scopes, true)
            .await?
            .into_iter();
        let child_containers = folders
            .iter()
            .zip(minted.by_ref())
            .map(|(folder, m)| ResourcePointer {
                name: Self::container_name(folder),
                url: m.url(),
            })
            .collect();
        let child_files = files
            .iter()
            .zip(minted)
            .map(|(f, m)| ChildFile {
                name: f.name.clone(),
                url: m.url(),
                version: f.version.to_string(),
                size: f.content.size,
                last_modified_time: wire::format_wopi_time(f.content.created_at),
            })
            .collect();
        Ok(ChildrenResponse {
            child_containers,
            child_files,
        })
    }

    /// WOPI CreateChildContainer: a subfolder, named as asked (exact) or the first free
    /// variant of the suggestion. Answers the pointer (with a container token) and its info.
    pub async fn create_child_container(
        &self,
        p: &ContainerPrincipal,
        target: ContainerTarget,
    ) -> Result<ContainerPointerResponse, AppError> {
        let (base, exact) = match target {
            ContainerTarget::Exact(name) => {
                naming::validate_file_name(&name).map_err(|e| WopiError::InvalidContainerName {
                    reason: e.to_string(),
                })?;
                (name, true)
            }
            ContainerTarget::Suggested(name) => {
                let name = naming::sanitize(name.trim());
                let name = if name.trim().is_empty() {
                    "New folder".to_owned()
                } else {
                    name
                };
                (name, false)
            }
        };
        let mut n = 0;
        let folder = loop {
            let name = if n == 0 {
                base.clone()
            } else {
                format!("{base} ({})", n + 1)
            };
            match self
                .meta
                .create_folder(&p.folder.id, &name, self.now())
                .await
            {
                Ok(folder) => break folder,
                Err(StoreError::AlreadyExists) if !exact && n < MAX_ALTERNATIVES => n += 1,
                Err(StoreError::AlreadyExists) => {
                    return Err(WopiError::NameExists { suggestion: None }.into());
                }
                Err(e) => return Err(e.into()),
            }
        };
        let pointer = self.container_pointer(&p.token, &folder).await?;
        Ok(ContainerPointerResponse {
            container_pointer: pointer,
            container_info: self.container_info(&p.user, &folder, p.role, p.token.can_write),
        })
    }

    /// WOPI CreateChildFile: an empty file in the container, under PutRelativeFile's naming and
    /// overwrite rules; a suggested bare extension is combined with "New document".
    pub async fn create_child_file(
        &self,
        p: &ContainerPrincipal,
        target: RelativeTarget,
    ) -> Result<RelativeCreated, AppError> {
        let place = CreatePlace {
            folder_id: &p.folder.id,
            owner_id: &p.folder.owner_id,
            source_name: "New document",
            user: &p.user,
            token: &p.token,
        };
        let empty: ByteStream = Box::pin(futures::stream::empty());
        self.create_named(place, target, empty).await
    }

    /// WOPI DeleteContainer: an empty, non-root folder (409 while it has children).
    pub async fn delete_container(&self, p: &ContainerPrincipal) -> Result<(), AppError> {
        if p.folder.parent_id.is_none() {
            return Err(WopiError::NotPermitted.into());
        }
        if self.meta.delete_folder(&p.folder.id, self.now()).await? {
            Ok(())
        } else {
            Err(WopiError::ContainerNotEmpty.into())
        }
    }

    /// WOPI RenameContainer: same id (every URL handed out stays valid); an illegal name is
    /// 400 with `X-WOPI-InvalidContainerNameError`, a sibling's name 409.
    pub async fn rename_container(
        &self,
        p: &ContainerPrincipal,
        requested: &str,
    ) -> Result<FolderRecord, AppError> {
        if p.folder.parent_id.is_none() {
            return Err(WopiError::NotPermitted.into());
        }
        naming::validate_file_name(requested).map_err(|e| WopiError::InvalidContainerName {
            reason: e.to_string(),
        })?;
        Ok(self.meta.rename_folder(&p.folder.id, requested).await??)
    }

    /// WOPI GetShareUrl (containers): the folder's page, for `ReadOnly` and `ReadWrite` alike
    /// (who may change what is decided by the viewer's own role); anything else is 501.
    pub fn container_share_url(
        &self,
        p: &ContainerPrincipal,
        url_type: Option<&str>,
    ) -> Result<String, AppError> {
        match url_type {
            Some("ReadOnly" | "ReadWrite") => Ok(self.folder_url(&p.folder.id)),
            _ => Err(WopiError::Unsupported("unknown share URL type").into()),
        }
    }

    /// WOPI GetEcosystem (files and containers): the ecosystem URL with an ecosystem token that
    /// expires with `token`.
    pub async fn get_ecosystem(&self, token: &TokenRecord) -> Result<String, AppError> {
        Ok(self
            .mint_child_token(token, TokenScope::Ecosystem, true)
            .await?
            .url())
    }

    /// WOPI CheckEcosystem.
    pub fn check_ecosystem(&self, _p: &EcosystemPrincipal) -> wire::CheckEcosystem {
        wire::CheckEcosystem {
            supports_containers: true,
        }
    }

    /// WOPI GetRootContainer (ecosystem): the user's root folder with a container token that
    /// expires with the ecosystem token.
    pub async fn get_root_container(
        &self,
        p: &EcosystemPrincipal,
    ) -> Result<ContainerPointerResponse, AppError> {
        let root = self
            .meta
            .folder(&p.user.root_folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        Ok(ContainerPointerResponse {
            container_pointer: self.container_pointer(&p.token, &root).await?,
            container_info: self.container_info(&p.user, &root, Role::Owner, p.token.can_write),
        })
    }

    /// WOPI GetFileWopiSrc (ecosystem): `host_name` is one of Folio's own URLs of a file (host
    /// page `/open/{id}`, `/files/{id}/…`, or a WOPISrc); answers that file's WOPISrc with a
    /// file token expiring with the ecosystem token. Anything else, or a file the user cannot
    /// see, is 404.
    pub async fn get_file_wopi_src(
        &self,
        p: &EcosystemPrincipal,
        host_name: Option<&str>,
    ) -> Result<String, AppError> {
        let id = host_name
            .and_then(|u| self.file_id_of_host_url(u))
            .ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta
            .role(&id, &p.user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let minted = self
            .mint_child_token(&p.token, TokenScope::File(id), role >= Role::Editor)
            .await?;
        Ok(format!(
            "{}&access_token_ttl={}",
            minted.url(),
            minted.access_token_ttl
        ))
    }

    /// The file id in one of Folio's own URLs of a file.
    fn file_id_of_host_url(&self, url: &str) -> Option<FileId> {
        let rest = url.strip_prefix(&self.config.public_url)?;
        let path = rest.split(['?', '#']).next()?;
        let id = ["/open/", "/files/", "/wopi/files/"]
            .iter()
            .find_map(|prefix| path.strip_prefix(prefix))?
            .split('/')
            .next()?;
        FileId::parse(id).ok()
    }
}
