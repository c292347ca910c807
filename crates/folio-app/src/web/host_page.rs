//! The host page model: which editor, which action URL, which token (bound to that editor).

use super::*;

/// Everything the host page needs.
#[derive(Debug, Clone)]
pub struct HostPage {
    /// The file.
    pub file_id: FileId,
    /// File name (title).
    pub file_name: String,
    /// The editor chosen.
    pub editor: EditorChoice,
    /// The action URL (no token in it).
    pub action_url: String,
    /// The access token to POST.
    pub access_token: String,
    /// Its absolute expiry in ms.
    pub access_token_ttl: i64,
    /// The user's id (posted as `user_id`).
    pub user_id: String,
    /// The owner's id (posted as `owner_id`).
    pub owner_id: String,
    /// Microsoft 365 for the web is the editor: show the terms notice.
    pub microsoft_notice: bool,
    /// Where UI_Close goes.
    pub close_url: String,
    /// The edit variant of this page, if the user can edit and the editor offers edit.
    pub edit_url: Option<String>,
    /// The user owns the file (the page handles UI_Sharing).
    pub is_owner: bool,
}

impl App {
    /// Builds the host page for `user` opening `file_id` with `action` (`None`: the editor's
    /// default; `edit` needs write permission) in `editor` (`None`: the first that handles the
    /// extension). `FileNotFound` when the user cannot see the file; `Unsupported` when no editor
    /// handles the extension/action.
    pub async fn host_page(
        &self,
        user: &UserRecord,
        file_id: &FileId,
        action: Option<&str>,
        editor: Option<&str>,
        language: &str,
    ) -> Result<HostPage, AppError> {
        let file = self
            .meta()
            .file(file_id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let role = self
            .meta()
            .role(file_id, &user.id)
            .await?
            .ok_or(WopiError::FileNotFound)?;
        let can_write = role >= Role::Editor;
        let (_, ext) = naming::split_ext(&file.name);
        let ext = ext.trim_start_matches('.');
        let wanted = match action {
            Some("edit") | Some("editnew") if !can_write => Some("view"),
            other => other,
        };
        let editors = self.editors();
        let choice = match editors.choose(ext, wanted, editor).await {
            Some(c) => c,
            None => {
                // An editor may only offer view (or only edit) for this extension.
                let fallback = if wanted == Some("edit") || wanted == Some("editnew") {
                    editors.choose(ext, Some("view"), editor).await
                } else {
                    editors.choose(ext, None, editor).await
                };
                fallback.ok_or(WopiError::Unsupported("no editor handles this file type"))?
            }
        };
        let writes = can_write && choice.action != "view" && choice.action != "embedview";
        let ttl = self.now() + self.config().token_ttl_ms;
        let minted = self
            .mint_token_for_client(
                &user.id,
                file_id,
                writes || can_write,
                ttl,
                Some(&choice.editor),
            )
            .await?;
        let params = ActionUrlParams {
            wopi_src: minted.wopi_src.clone(),
            ui_llcc: Some(action_url::llcc(language)),
            dc_llcc: Some(action_url::llcc(language)),
            host_session_id: Some(crate::folio_store::random_id(16)),
            ..Default::default()
        };
        let edit_url = (can_write
            && choice.action != "edit"
            && !editors.actions_for(ext).await.iter().all(|a| a != "edit"))
        .then(|| self.host_page_url(file_id, "edit"));
        Ok(HostPage {
            file_id: file_id.clone(),
            file_name: file.name.clone(),
            action_url: action_url::build_action_url(&choice.urlsrc, &params),
            microsoft_notice: choice.kind == EditorKind::Microsoft,
            editor: choice,
            access_token: minted.access_token,
            access_token_ttl: minted.access_token_ttl,
            user_id: user.id.clone(),
            owner_id: file.owner_id.clone(),
            close_url: self.folder_url(&file.folder_id),
            edit_url,
            is_owner: role == Role::Owner,
        })
    }
}
