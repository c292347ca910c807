//! Sharing a file or folder (owner only): the share dialog's model (who has access, the public
//! links), sharing with a person found by the picker, changing a role, removing access, the
//! picker's search; and "Shared with me". Public links live in `links.rs`.

use folio_store::{FileRecord, ShareEntry, ShareLinkRecord};

use super::*;
use crate::audit::action;

/// What is being shared.
#[derive(Debug, Clone, Copy)]
pub enum ShareTarget<'a> {
    /// A file.
    File(&'a FileId),
    /// A folder and everything in it.
    Folder(&'a str),
}

/// Who to share with, as the share form names them.
#[derive(Debug, Clone, Copy)]
pub enum Recipient<'a> {
    /// The picker's choice: a user id.
    Id(&'a str),
    /// Typed (without script): a login, or a display name that only one person has.
    Typed(&'a str),
}

/// The share dialog of a file or folder, for its owner.
#[derive(Debug, Clone)]
pub struct ShareDialog {
    /// The file's name, or the folder's.
    pub name: String,
    /// Whether it is a folder.
    pub is_folder: bool,
    /// The folder the dialog returns to.
    pub back_folder: String,
    /// Who has access through a share on it, by name.
    pub people: Vec<ShareEntry>,
    /// Its public links that are not revoked (files only), newest first.
    pub links: Vec<ShareLinkRecord>,
}

/// At most this many people in a picker answer.
pub const PICKER_LIMIT: u32 = 8;

impl App {
    /// The owner check of every share action: `Ok` with the file (a file target) when `user`
    /// owns the target; `NotFound` when they cannot see it, `OwnerOnly` when they can but do not
    /// own it.
    async fn owned_target(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
    ) -> Result<Option<FileRecord>, AppError> {
        let role = match target {
            ShareTarget::File(id) => self.meta().role(id, &user.id).await?,
            ShareTarget::Folder(fid) => self.folder_access(user, fid).await?,
        };
        match role {
            None => Err(AppError::NotFound),
            Some(r) if r < Role::Owner => Err(AppError::Forbidden(Forbidden::OwnerOnly)),
            Some(_) => match target {
                ShareTarget::File(id) => {
                    Ok(Some(self.meta().file(id).await?.ok_or(AppError::NotFound)?))
                }
                ShareTarget::Folder(_) => Ok(None),
            },
        }
    }

    /// The share dialog of a file or folder `user` owns.
    pub async fn share_dialog(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
    ) -> Result<ShareDialog, AppError> {
        let file = self.owned_target(user, target).await?;
        Ok(match target {
            ShareTarget::File(id) => {
                let f = file.ok_or(AppError::NotFound)?;
                ShareDialog {
                    people: self.meta().file_shares(id).await?,
                    links: self.meta().file_share_links(id).await?,
                    name: f.name,
                    is_folder: false,
                    back_folder: f.folder_id,
                }
            }
            ShareTarget::Folder(fid) => {
                let folder = self.meta().folder(fid).await?.ok_or(AppError::NotFound)?;
                ShareDialog {
                    people: self.meta().folder_shares(&folder.id).await?,
                    links: Vec::new(),
                    name: folder.name.clone(),
                    is_folder: true,
                    back_folder: folder.parent_id.unwrap_or(folder.id),
                }
            }
        })
    }

    /// The person a share form names: by id (the picker), else a login, else a display name
    /// only one enabled person has. Unknown or disabled: `UnknownUser`.
    async fn recipient(&self, who: Recipient<'_>) -> Result<UserRecord, AppError> {
        let unknown = |s: &str| AppError::UnknownUser {
            login: s.trim().to_owned(),
        };
        let found = match who {
            Recipient::Id(id) => self.meta().user_by_id(id.trim()).await?,
            Recipient::Typed(t) => match self.meta().user_by_login(t.trim()).await? {
                Some(u) => Some(u),
                None => {
                    let same: Vec<UserRecord> = self
                        .meta()
                        .search_users(t.trim(), PICKER_LIMIT)
                        .await?
                        .into_iter()
                        .filter(|u| u.name.eq_ignore_ascii_case(t.trim()))
                        .collect();
                    if same.len() == 1 {
                        same.into_iter().next()
                    } else {
                        None
                    }
                }
            },
        };
        let text = match who {
            Recipient::Id(s) | Recipient::Typed(s) => s,
        };
        found.filter(|u| !u.disabled).ok_or_else(|| unknown(text))
    }

    /// Shares a file or folder (owner only) with a person as viewer or editor; sharing again
    /// changes the role. Audited in the same transaction.
    pub async fn share(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
        who: Recipient<'_>,
        role: Role,
    ) -> Result<(), AppError> {
        let other = self.recipient(who).await?;
        if other.id == user.id {
            return Err(AppError::ShareWithSelf);
        }
        let role = role.min(Role::Editor);
        let file = self.owned_target(user, target).await?;
        match target {
            ShareTarget::File(id) => {
                let event = self.audit_event(
                    action::FILE_SHARE,
                    Some(user),
                    file.as_ref(),
                    Some(format!("with {} as {}", other.login, role_word(role))),
                );
                self.meta()
                    .share_file(id, &other.id, role, Some(&event))
                    .await?;
            }
            ShareTarget::Folder(fid) => {
                let event = self.audit_event(
                    action::FOLDER_SHARE,
                    Some(user),
                    None,
                    Some(format!(
                        "folder {fid} with {} as {}",
                        other.login,
                        role_word(role)
                    )),
                );
                self.meta()
                    .share_folder(fid, &other.id, role, Some(&event))
                    .await?;
            }
        }
        Ok(())
    }

    /// Removes a person's share on a file or folder (owner only), audited in the same
    /// transaction. Their next request — a page, or a WOPI call with a token they already hold
    /// — is refused, since every request reads the role afresh. A person without a share there
    /// is `NotFound`.
    pub async fn unshare(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
        user_id: &str,
    ) -> Result<(), AppError> {
        let file = self.owned_target(user, target).await?;
        let other = self
            .meta()
            .user_by_id(user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let removed = match target {
            ShareTarget::File(id) => {
                let event = self.audit_event(
                    action::FILE_UNSHARE,
                    Some(user),
                    file.as_ref(),
                    Some(format!("from {}", other.login)),
                );
                self.meta()
                    .unshare_file(id, &other.id, Some(&event))
                    .await?
            }
            ShareTarget::Folder(fid) => {
                let event = self.audit_event(
                    action::FOLDER_UNSHARE,
                    Some(user),
                    None,
                    Some(format!("folder {fid} from {}", other.login)),
                );
                self.meta()
                    .unshare_folder(fid, &other.id, Some(&event))
                    .await?
            }
        };
        if removed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The people picker: enabled people (not `user`) whose name or login contains `query`,
    /// at most [`PICKER_LIMIT`]. An empty query finds nobody.
    pub async fn find_people(
        &self,
        user: &UserRecord,
        query: &str,
    ) -> Result<Vec<UserRecord>, AppError> {
        let q: String = query.trim().chars().take(100).collect();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .meta()
            .search_users(&q, PICKER_LIMIT + 1)
            .await?
            .into_iter()
            .filter(|u| u.id != user.id)
            .take(PICKER_LIMIT as usize)
            .collect())
    }

    /// Which of a folder's rows carry a "Shared" mark: subfolders with a share, files with a
    /// share or a live public link.
    pub async fn shared_marks(
        &self,
        folder_id: &str,
    ) -> Result<
        (
            std::collections::HashSet<String>,
            std::collections::HashSet<FileId>,
        ),
        AppError,
    > {
        let (folders, files) = self.meta().shared_in_folder(folder_id, self.now()).await?;
        Ok((folders.into_iter().collect(), files.into_iter().collect()))
    }

    /// The display names of the owners of what is shared with someone (Shared with me's
    /// "Shared by"), by user id.
    pub async fn owner_names(
        &self,
        owner_ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        let mut names = std::collections::HashMap::new();
        for id in owner_ids {
            if !names.contains_key(id)
                && let Some(u) = self.meta().user_by_id(id).await?
            {
                names.insert(id.clone(), u.name);
            }
        }
        Ok(names)
    }

    /// Files and folders shared with `user`.
    pub async fn shared_with_me(
        &self,
        user: &UserRecord,
    ) -> Result<
        (
            Vec<(folio_store::FolderRecord, Role)>,
            Vec<(folio_store::FileRecord, Role)>,
        ),
        AppError,
    > {
        Ok(self.meta().shared_with(&user.id).await?)
    }
}

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Viewer => "viewer",
        Role::Editor => "editor",
        Role::Owner => "owner",
    }
}
