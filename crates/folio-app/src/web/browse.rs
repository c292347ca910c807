//! What the file browser shows: folders as a user sees them, files, versions, downloads.

use super::*;

/// A folder as the file browser shows it.
#[derive(Debug, Clone)]
pub struct FolderView {
    /// The folder.
    pub folder: folio_store::FolderRecord,
    /// Ancestors, root first (id, name).
    pub ancestors: Vec<(String, String)>,
    /// Subfolders.
    pub folders: Vec<folio_store::FolderRecord>,
    /// Files.
    pub files: Vec<folio_store::FileRecord>,
}

/// A version as the version list shows it.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// The version record.
    pub record: folio_store::VersionRecord,
    /// Display name of who saved it.
    pub author: String,
}

impl App {
    /// The file `id` if `user` can see it, with their role.
    pub async fn file_for_user(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<(folio_store::FileRecord, Role), AppError> {
        let file = self.meta().file(id).await?.ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta()
            .role(id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        Ok((file, role))
    }

    /// Every version of a file `user` can see, newest first, with author names.
    pub async fn versions_view(
        &self,
        user: &UserRecord,
        id: &FileId,
    ) -> Result<(folio_store::FileRecord, Vec<VersionView>), AppError> {
        let (file, _) = self.file_for_user(user, id).await?;
        let mut out = Vec::new();
        let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for v in self.meta().versions(id).await? {
            let author = match names.get(&v.content.author_id) {
                Some(n) => n.clone(),
                None => {
                    let n = self.author_name(&v.content.author_id).await?;
                    names.insert(v.content.author_id.clone(), n.clone());
                    n
                }
            };
            out.push(VersionView { record: v, author });
        }
        Ok((file, out))
    }

    /// Who a version's `author_id` names: a user's display name, "Guest (link name)" for a
    /// guest who saved through a public link, or the id itself when neither is known.
    pub(crate) async fn author_name(&self, author_id: &str) -> Result<String, AppError> {
        if let Some(link_id) = author_id.strip_prefix(crate::GUEST_PREFIX) {
            return Ok(match self.meta().share_link(link_id).await? {
                Some(l) => crate::guest_name(&l.name),
                None => crate::guest_name(link_id),
            });
        }
        Ok(self
            .meta()
            .user_by_id(author_id)
            .await?
            .map_or_else(|| author_id.to_owned(), |u| u.name))
    }

    /// Streams a file (current version, or `version`) for `user`.
    pub async fn download(
        &self,
        user: &UserRecord,
        id: &FileId,
        version: Option<i64>,
    ) -> Result<(String, u64, folio_store::ByteStream), AppError> {
        let (file, _) = self.file_for_user(user, id).await?;
        let content = match version {
            None => file.content.clone(),
            Some(v) => self
                .meta()
                .versions(id)
                .await?
                .into_iter()
                .find(|x| x.version == v)
                .map(|x| x.content)
                .ok_or(WopiError::FileNotFound)?,
        };
        let body = self.open_content(&content.blob_key).await?;
        let event = self.audit_event(
            crate::audit::action::FILE_DOWNLOAD,
            Some(user),
            Some(&file),
            version.map(|v| format!("version {v}")),
        );
        self.audit(event).await;
        // A download is an opening too (Recent).
        self.remember_opened(user, id).await;
        Ok((file.name, content.size, body))
    }

    pub(crate) async fn folder_access(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<Option<Role>, AppError> {
        Ok(self.meta().folder_role(folder_id, &user.id).await?)
    }

    /// Where "back to the folder" of a file in `folder_id` takes `user`: the folder page when
    /// they can see the folder (their own, or one shared with them), else "Shared with me"
    /// (a file shared on its own: its folder is the owner's). A path, without the public URL.
    pub async fn back_to_folder(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<String, AppError> {
        Ok(match self.folder_access(user, folder_id).await? {
            Some(_) => format!("/folders/{folder_id}"),
            None => "/shared".to_owned(),
        })
    }

    /// The folder as `user` sees it: owner, or shared with them (directly or above).
    pub async fn folder_view_shared(
        &self,
        user: &UserRecord,
        folder_id: &str,
    ) -> Result<(FolderView, Role), AppError> {
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
        let (folders, files) = meta.list_folder(&folder.id).await?;
        Ok((
            FolderView {
                folder,
                ancestors,
                folders,
                files,
            },
            role,
        ))
    }
}
