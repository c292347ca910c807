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
    /// A guest through a public link: no versions page, no sharing, no folders.
    pub guest: bool,
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
        let close_url = format!(
            "{}{}",
            self.config().public_url,
            self.back_to_folder(user, &file.folder_id).await?
        );
        self.launch(Launch {
            user,
            file,
            role,
            action,
            editor,
            language,
            link: None,
            close_url,
        })
        .await
    }

    /// The host page of a guest opening a public link (already checked live, its password
    /// given): the link's creator's rights capped to the link's, a token that names the link
    /// (and expires with it), the guest's identity on the page and in the audit row, and the
    /// link's closing page as UI_Close's target.
    pub(crate) async fn guest_host_page(
        &self,
        link: &folio_store::ShareLinkRecord,
        language: &str,
    ) -> Result<HostPage, AppError> {
        let file = self
            .meta()
            .file(&link.file_id)
            .await?
            .ok_or(AppError::LinkClosed)?;
        let creator = self
            .meta()
            .user_by_id(&link.created_by)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::LinkClosed)?;
        let role = self
            .meta()
            .role(&link.file_id, &creator.id)
            .await?
            .ok_or(AppError::LinkClosed)?
            .min(link.role);
        let action = if role >= Role::Editor { "edit" } else { "view" };
        let mut page = self
            .launch(Launch {
                user: &creator,
                file,
                role,
                action: Some(action),
                editor: None,
                language,
                link: Some(link),
                close_url: format!("{}/s/closed", self.config().public_url),
            })
            .await?;
        page.user_id = crate::guest_user(link).id;
        Ok(page)
    }

    /// Chooses the editor, mints the token (bound to it; a guest's names its link and never
    /// outlives it), records the launch, and builds the page.
    async fn launch(&self, l: Launch<'_>) -> Result<HostPage, AppError> {
        let Launch {
            user,
            file,
            role,
            action,
            editor,
            language,
            link,
            close_url,
        } = l;
        let file_id = &file.id;
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
        if can_write {
            self.fill_from_template(user, &file, choice.kind).await;
        }
        let mut ttl = self.now() + self.config().token_ttl_ms;
        if let Some(exp) = link.and_then(|l| l.expires_at) {
            ttl = ttl.min(exp);
        }
        let minted = self
            .insert_token(TokenRecord {
                user_id: user.id.clone(),
                scope: folio_store::TokenScope::File(file_id.clone()),
                can_write: writes || can_write,
                expires_at: ttl,
                client: Some(choice.editor.clone()),
                session_id: None,
                link_id: link.map(|l| l.id.clone()),
            })
            .await?;
        let mode = format!(
            "{} in {}{}",
            choice.action,
            choice.editor,
            if writes || can_write {
                ""
            } else {
                " (read-only)"
            }
        );
        let event = match link {
            None => self.audit_event(
                crate::audit::action::FILE_OPEN,
                Some(user),
                Some(&file),
                Some(mode),
            ),
            Some(l) => self.audit_event(
                crate::audit::action::PUBLIC_LINK_USE,
                Some(&crate::guest_user(l)),
                Some(&file),
                Some(format!("link {} ({}): {mode}", l.id, l.name)),
            ),
        };
        self.audit(event).await;
        self.remember_opened(user, file_id).await;
        let params = ActionUrlParams {
            wopi_src: minted.wopi_src.clone(),
            ui_llcc: Some(action_url::llcc(language)),
            dc_llcc: Some(action_url::llcc(language)),
            host_session_id: Some(crate::folio_store::random_id(16)),
            ..Default::default()
        };
        let edit_url = (link.is_none()
            && can_write
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
            close_url,
            edit_url,
            is_owner: link.is_none() && role == Role::Owner,
            guest: link.is_some(),
        })
    }
}

/// What `App::launch` needs.
struct Launch<'a> {
    /// Whose rights the token carries (a guest's: the link's creator).
    user: &'a UserRecord,
    file: folio_store::FileRecord,
    /// The rights to launch with.
    role: Role,
    action: Option<&'a str>,
    editor: Option<&'a str>,
    language: &'a str,
    /// The public link a guest came through.
    link: Option<&'a folio_store::ShareLinkRecord>,
    /// Where UI_Close goes.
    close_url: String,
}

/// Whether a host page's token may be renewed for `user_id` on `file_id`, given the user's
/// current `role` on the file; `Ok(can_write)` of the fresh token (the same mode as the old).
/// A token of another user or file, or of an API editing session, and a file the user can no
/// longer see are `NotFound`. A write token whose user has lost write access is `Forbidden` on
/// an edit page, and renewed read-only on a view page (`view`: it only ever lowers the mode).
pub fn renewal_mode(
    old: &TokenRecord,
    user_id: &str,
    file_id: &FileId,
    role: Option<Role>,
    view: bool,
) -> Result<bool, AppError> {
    if old.user_id != user_id || old.scope.file_id() != Some(file_id) || old.session_id.is_some() {
        return Err(AppError::NotFound);
    }
    let role = role.ok_or(AppError::NotFound)?;
    if old.can_write && role < Role::Editor {
        return if view {
            Ok(false)
        } else {
            Err(AppError::Forbidden(Forbidden::ViewOnlyFile))
        };
    }
    Ok(old.can_write)
}

impl App {
    /// Renews the access token of a host page: `user` (signed in) presents the page's current
    /// token `old` for `file_id`, and gets a fresh one for the same file, editor (client) and
    /// mode, valid for `token_ttl_ms`, after the user's current role is checked again
    /// ([`renewal_mode`]; `view`: the page shows the file in a view action). The old token stays
    /// valid until its own expiry. An unknown token, or one whose user is disabled, is
    /// `NotFound`, as is a file that is gone.
    pub async fn renew_host_token(
        &self,
        user: &UserRecord,
        file_id: &FileId,
        old: &str,
        view: bool,
    ) -> Result<crate::MintedToken, AppError> {
        if !tokens::well_formed(old) {
            return Err(AppError::NotFound);
        }
        let (record, _) = self
            .meta()
            .token(&tokens::hash(old))
            .await?
            .ok_or(AppError::NotFound)?;
        if self.meta().file(file_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let role = self.meta().role(file_id, &user.id).await?;
        let can_write = renewal_mode(&record, &user.id, file_id, role, view)?;
        let ttl = self.now() + self.config().token_ttl_ms;
        self.mint_token_for_client(&user.id, file_id, can_write, ttl, record.client.as_deref())
            .await
    }
}

#[cfg(test)]
mod renewal_tests {
    use super::*;
    use folio_store::TokenScope;

    fn token(user: &str, file: &FileId, can_write: bool) -> TokenRecord {
        TokenRecord {
            user_id: user.into(),
            scope: TokenScope::File(file.clone()),
            can_write,
            expires_at: 0,
            client: Some("dev".into()),
            session_id: None,
            link_id: None,
        }
    }

    #[test]
    fn renewal_keeps_the_mode_and_rechecks_the_role() {
        let f = FileId::parse("AAAAAAAAAAAAAAAAAAAAAA").unwrap_or_else(|e| panic!("{e:?}"));
        let g = FileId::parse("BBBBBBBBBBBBBBBBBBBBBB").unwrap_or_else(|e| panic!("{e:?}"));
        let nf = |r: Result<bool, AppError>| matches!(r, Err(AppError::NotFound));
        assert!(matches!(
            renewal_mode(&token("u", &f, true), "u", &f, Some(Role::Owner), false),
            Ok(true)
        ));
        assert!(matches!(
            renewal_mode(&token("u", &f, true), "u", &f, Some(Role::Editor), false),
            Ok(true)
        ));
        assert!(matches!(
            renewal_mode(&token("u", &f, false), "u", &f, Some(Role::Viewer), false),
            Ok(false)
        ));
        assert!(matches!(
            renewal_mode(&token("u", &f, false), "u", &f, Some(Role::Editor), false),
            Ok(false)
        ));
        assert!(matches!(
            renewal_mode(&token("u", &f, true), "u", &f, Some(Role::Viewer), false),
            Err(AppError::Forbidden(Forbidden::ViewOnlyFile))
        ));
        assert!(nf(renewal_mode(
            &token("u", &f, false),
            "u",
            &f,
            None,
            false
        )));
        // A view page whose user lost write access: renewed read-only; lost access: still 404.
        assert!(matches!(
            renewal_mode(&token("u", &f, true), "u", &f, Some(Role::Viewer), true),
            Ok(false)
        ));
        assert!(matches!(
            renewal_mode(&token("u", &f, true), "u", &f, Some(Role::Editor), true),
            Ok(true)
        ));
        assert!(nf(renewal_mode(&token("u", &f, true), "u", &f, None, true)));
        assert!(nf(renewal_mode(
            &token("v", &f, false),
            "u",
            &f,
            Some(Role::Owner),
            false
        )));
        assert!(nf(renewal_mode(
            &token("u", &g, false),
            "u",
            &f,
            Some(Role::Owner),
            false
        )));
        let mut s = token("u", &f, false);
        s.session_id = Some("s".into());
        assert!(nf(renewal_mode(&s, "u", &f, Some(Role::Owner), false)));
    }
}
