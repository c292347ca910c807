//! Sharing a file or folder with a user (owner only), and "Shared with me".

use super::*;

/// What is being shared.
#[derive(Debug, Clone, Copy)]
pub enum ShareTarget<'a> {
    /// A file.
    File(&'a FileId),
    /// A folder and everything in it.
    Folder(&'a str),
}

impl App {
    /// Shares a file or folder (owner only) with the user named `login` as viewer or editor.
    pub async fn share(
        &self,
        user: &UserRecord,
        target: ShareTarget<'_>,
        login: &str,
        role: Role,
    ) -> Result<(), AppError> {
        let Some(other) = self.meta().user_by_login(login.trim()).await? else {
            return Err(AppError::UnknownUser {
                login: login.trim().to_owned(),
            });
        };
        if other.id == user.id {
            return Err(AppError::ShareWithSelf);
        }
        let role = role.min(Role::Editor);
        match target {
            ShareTarget::File(id) => {
                match self.meta().role(id, &user.id).await? {
                    None => return Err(AppError::NotFound),
                    Some(r) if r < Role::Owner => {
                        return Err(AppError::Forbidden(Forbidden::OwnerOnly));
                    }
                    Some(_) => {}
                }
                let file = self.meta().file(id).await?.ok_or(AppError::NotFound)?;
                let event = self.audit_event(
                    crate::audit::action::FILE_SHARE,
                    Some(user),
                    Some(&file),
                    Some(format!("with {} as {}", other.login, role_word(role))),
                );
                self.meta()
                    .share_file(id, &other.id, role, Some(&event))
                    .await?;
            }
            ShareTarget::Folder(fid) => {
                match self.folder_access(user, fid).await? {
                    None => return Err(AppError::NotFound),
                    Some(r) if r < Role::Owner => {
                        return Err(AppError::Forbidden(Forbidden::OwnerOnly));
                    }
                    Some(_) => {}
                }
                let event = self.audit_event(
                    crate::audit::action::FOLDER_SHARE,
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
