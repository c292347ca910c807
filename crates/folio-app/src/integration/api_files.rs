//! Files and folders on behalf of an application (under its application user).

use super::*;

impl App {
    /// A file the application's user can see.
    pub async fn api_file(&self, key: &ApiKeyRecord, id: &FileId) -> Result<FileRecord, AppError> {
        let user = self.app_user(key).await?;
        Ok(self.file_for_user(&user, id).await?.0)
    }

    /// The folder at `path` (names separated by `/`) under the application's root, created if
    /// missing.
    pub async fn api_folder(
        &self,
        key: &ApiKeyRecord,
        path: &str,
    ) -> Result<folio_store::FolderRecord, AppError> {
        let parts: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        for p in &parts {
            naming::validate_file_name(p).map_err(|e| WopiError::InvalidName {
                reason: format!("folder {p:?}: {e}"),
                suggestion: None,
            })?;
        }
        Ok(self
            .meta()
            .ensure_folder_path(&key.app_user_id, &parts, self.now())
            .await?)
    }
}
