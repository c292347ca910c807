//! Files and folders on behalf of an application (under its application user).

use super::*;

impl App {
    /// A file the application's user can see.
    pub async fn api_file(&self, key: &ApiKeyRecord, id: &FileId) -> Result<FileRecord, AppError> {
        let user = self.app_user(key).await?;
        Ok(self.file_for_user(&user, id).await?.0)
    }

    /// The folder at `path` (names separated by `/`) under the application's root, created if
    /// missing (uploads and moves). The path is checked before any transaction
    /// ([`folder_path_parts`]), so one request holds the writer only for a bounded one.
    pub async fn api_folder(
        &self,
        key: &ApiKeyRecord,
        path: &str,
    ) -> Result<folio_store::FolderRecord, AppError> {
        let parts = folder_path_parts(path)?;
        Ok(self
            .meta()
            .ensure_folder_path(&key.app_user_id, &parts, self.now())
            .await?)
    }

    /// The folder at `path` under the application's root, or `NotFound` — never created (what
    /// `GET /api/v1/folders` reads: a GET changes nothing).
    pub async fn api_find_folder(
        &self,
        key: &ApiKeyRecord,
        path: &str,
    ) -> Result<folio_store::FolderRecord, AppError> {
        let parts = folder_path_parts(path)?;
        let user = self.app_user(key).await?;
        let mut folder = self
            .meta()
            .folder(&user.root_folder_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        for part in &parts {
            let (subfolders, _) = self.meta().list_folder(&folder.id).await?;
            let wanted = part.to_lowercase();
            folder = subfolders
                .into_iter()
                .find(|f| f.name.to_lowercase() == wanted)
                .ok_or(WopiError::FileNotFound)?;
        }
        Ok(folder)
    }
}

/// Deepest folder path the API accepts (segments).
pub const MAX_FOLDER_DEPTH: usize = 64;
/// Longest folder path the API accepts (bytes).
pub const MAX_FOLDER_PATH_BYTES: usize = 4096;

/// Splits an API folder path into its names: at most [`MAX_FOLDER_DEPTH`] of them, at most
/// [`MAX_FOLDER_PATH_BYTES`] in all, each a legal file name; anything else is a 400.
pub fn folder_path_parts(path: &str) -> Result<Vec<String>, AppError> {
    if path.len() > MAX_FOLDER_PATH_BYTES {
        return Err(WopiError::BadRequest("the folder path is longer than 4096 bytes").into());
    }
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if parts.len() > MAX_FOLDER_DEPTH {
        return Err(WopiError::BadRequest("the folder path is deeper than 64 folders").into());
    }
    for p in &parts {
        naming::validate_file_name(p).map_err(|e| WopiError::InvalidName {
            reason: format!("folder {p:?}: {e}"),
            suggestion: None,
        })?;
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_are_bounded() {
        assert_eq!(folder_path_parts("").ok(), Some(vec![]));
        assert_eq!(
            folder_path_parts("/a//b/").ok(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert!(folder_path_parts(&"a/".repeat(64)).is_ok());
        assert!(folder_path_parts(&"a/".repeat(65)).is_err());
        assert!(folder_path_parts(&"a".repeat(4097)).is_err());
        assert!(folder_path_parts("a/../b").is_err());
        assert!(folder_path_parts("a/b\u{0}c").is_err());
    }
}
