//! Finding things (issue 13): a folder page read as one keyset page, search by name across
//! everything a user can see, favourites, Recent, and a file's details (size, type, versions,
//! who has access, recent activity, the lock's holder).
//!
//! **Invariant:** nothing a user cannot see is returned: the search computes visibility in the
//! store; favourites and Recent re-check the user's role on every candidate (a share may have
//! been removed since); details need a role on the file.

use std::collections::HashSet;

use folio_store::{
    AccessEntry, AuditEvent, FileRecord, FolderRecord, ItemRef, ListingPage, ListingQuery,
    SearchHit, SearchQuery,
};

use super::*;

/// The longest search text accepted (characters).
pub const MAX_SEARCH_LEN: usize = 200;

/// A folder page as the file browser shows it.
#[derive(Debug, Clone)]
pub struct FolderPageView {
    /// The folder.
    pub folder: FolderRecord,
    /// Ancestors the user may see, root first (id, name).
    pub ancestors: Vec<(String, String)>,
    /// The page.
    pub page: ListingPage,
    /// The ids of the page's entries the user starred.
    pub starred: HashSet<String>,
}

/// A file's details panel.
#[derive(Debug, Clone)]
pub struct FileDetails {
    /// The file.
    pub file: FileRecord,
    /// The user's role on it.
    pub role: Role,
    /// The owner's display name.
    pub owner_name: String,
    /// How many versions it has.
    pub versions: usize,
    /// Everyone else with access (shown to the owner and editors; empty for viewers).
    pub access: Vec<AccessEntry>,
    /// Recent audit rows of the file, newest first.
    pub activity: Vec<AuditEvent>,
    /// The live lock: who holds it (display name, if known) and since when (Unix ms, if known).
    pub lock: Option<(Option<String>, Option<i64>)>,
    /// Whether the user starred it.
    pub starred: bool,
}

impl App {
    /// The breadcrumbs of `folder` for `user`: the ancestors they may see, root first.
    pub(crate) async fn crumbs(
        &self,
        user: &UserRecord,
        folder: &FolderRecord,
    ) -> Result<Vec<(String, String)>, AppError> {
        let meta = self.meta();
        let mut ancestors = Vec::new();
        let mut parent = folder.parent_id.clone();
        while let Some(pid) = parent {
            if self.folder_access(user, &pid).await?.is_none() {
                break;
            }
            let Some(p) = meta.folder(&pid).await? else {
                break;
            };
            let name = if p.parent_id.is_none() {
                "My files".to_owned()
            } else {
                p.name.clone()
            };
            ancestors.push((p.id.clone(), name));
            parent = p.parent_id.clone();
            if ancestors.len() > 64 {
                break;
            }
        }
        ancestors.reverse();
        Ok(ancestors)
    }

    /// One page of a folder `user` can see (`MetadataStore::list_folder_page`), with its
    /// breadcrumbs and the user's role.
    pub async fn folder_page(
        &self,
        user: &UserRecord,
        folder_id: &str,
        q: &ListingQuery,
    ) -> Result<(FolderPageView, Role), AppError> {
        let role = self
            .folder_access(user, folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let meta = self.meta();
        let folder = meta
            .folder(folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let ancestors = self.crumbs(user, &folder).await?;
        let page = meta.list_folder_page(&folder.id, q).await?;
        let (fav_folders, fav_files) = meta.favourites(&user.id).await?;
        let starred = fav_folders
            .into_iter()
            .map(|d| d.id)
            .chain(fav_files.into_iter().map(|f| f.id.to_string()))
            .collect();
        Ok((
            FolderPageView {
                folder,
                ancestors,
                page,
                starred,
            },
            role,
        ))
    }

    /// Folders and files whose name contains `text` among everything `user` can see, one page
    /// of `limit` after `after` (the `(name key, id)` of the previous page's last hit). Empty
    /// text finds nothing; text longer than [`MAX_SEARCH_LEN`] is refused.
    pub async fn search(
        &self,
        user: &UserRecord,
        text: &str,
        after: Option<(String, String)>,
        limit: usize,
    ) -> Result<Vec<SearchHit>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        if text.chars().count() > MAX_SEARCH_LEN {
            return Err(AppError::InvalidName(naming::NameError::TooLong {
                len: text.chars().count(),
                max: MAX_SEARCH_LEN,
            }));
        }
        Ok(self
            .meta()
            .search(
                &user.id,
                &SearchQuery {
                    text: text.to_owned(),
                    after,
                    limit,
                },
            )
            .await?)
    }

    /// Whether `user` may see the item (any role).
    async fn can_see(&self, user: &UserRecord, item: &ItemRef) -> Result<bool, AppError> {
        Ok(match item {
            ItemRef::Folder(id) => self.folder_access(user, id).await?.is_some(),
            ItemRef::File(id) => self.meta().role(id, &user.id).await?.is_some(),
        })
    }

    /// Stars or unstars a file or folder `user` can see (`NotFound` otherwise).
    pub async fn set_favourite(
        &self,
        user: &UserRecord,
        item: &ItemRef,
        on: bool,
    ) -> Result<(), AppError> {
        if !self.can_see(user, item).await? {
            return Err(AppError::NotFound);
        }
        Ok(self
            .meta()
            .set_favourite(&user.id, item, on, self.now())
            .await?)
    }

    /// The folders and files `user` starred and can still see, each by name.
    pub async fn favourites(
        &self,
        user: &UserRecord,
    ) -> Result<(Vec<FolderRecord>, Vec<FileRecord>), AppError> {
        let (folders, files) = self.meta().favourites(&user.id).await?;
        let mut seen_folders = Vec::new();
        for d in folders {
            if self.can_see(user, &ItemRef::Folder(d.id.clone())).await? {
                seen_folders.push(d);
            }
        }
        let mut seen_files = Vec::new();
        for f in files {
            if self.can_see(user, &ItemRef::File(f.id.clone())).await? {
                seen_files.push(f);
            }
        }
        Ok((seen_folders, seen_files))
    }

    /// The files `user` opened or saved most recently and can still see, newest first, with
    /// that time.
    pub async fn recent(
        &self,
        user: &UserRecord,
        limit: usize,
    ) -> Result<Vec<(FileRecord, i64)>, AppError> {
        let mut out = Vec::new();
        // Ask for a few more than shown: some may no longer be the user's to see.
        for (f, at) in self
            .meta()
            .recent_files(&user.id, limit + limit / 2)
            .await?
        {
            if out.len() == limit {
                break;
            }
            if self.can_see(user, &ItemRef::File(f.id.clone())).await? {
                out.push((f, at));
            }
        }
        Ok(out)
    }

    /// Remembers that `user` opened `file` (Recent). A failure is logged, never the opening's.
    pub(crate) async fn remember_opened(&self, user: &UserRecord, file: &FileId) {
        if let Err(e) = self.meta().record_opened(&user.id, file, self.now()).await {
            tracing::warn!(error = %e, file.id = %file, "recent: could not record an opening");
        }
    }

    /// The details panel of a file `user` can see.
    pub async fn file_details(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<FileDetails, AppError> {
        let (file, role) = self.file_for_user(user, id).await?;
        let meta = self.meta();
        let owner_name = match meta.user_by_id(&file.owner_id).await? {
            Some(u) => u.name,
            None => file.owner_id.clone(),
        };
        let versions = meta.versions(id).await?.len();
        let access = if role >= Role::Editor {
            meta.file_access(id).await?
        } else {
            Vec::new()
        };
        let activity = meta
            .audit_events(&folio_store::AuditQuery {
                file_id: Some(id.to_string()),
                limit: 10,
                ..Default::default()
            })
            .await?;
        let lock = match &file.lock {
            Some(l) if l.is_live(self.now()) => {
                let holder = match &file.lock_holder {
                    Some(uid) => meta.user_by_id(uid).await?.map(|u| u.name),
                    None => None,
                };
                Some((holder.or_else(|| file.lock_user.clone()), file.lock_since))
            }
            _ => None,
        };
        let (_, fav_files) = meta.favourites(&user.id).await?;
        let starred = fav_files.iter().any(|f| f.id == *id);
        Ok(FileDetails {
            file,
            role,
            owner_name,
            versions,
            access,
            activity,
            lock,
            starred,
        })
    }
}
