//! The bootstrapper's use cases (Learn `rest/bootstrapper/*`): Bootstrap (the user's profile
//! and `EcosystemUrl`), GET_ROOT_CONTAINER and GET_NEW_ACCESS_TOKEN, for the user of a live OAuth
//! access token ([`OAuthPrincipal`], from `App::oauth_principal`). Tokens minted here come from
//! a primary authentication (OAuth), so they get the default WOPI lifetime (Learn
//! `rest/security`).

use folio_wopi::oauth::{self as proto, WopiSrcTarget};

use super::*;

/// The `Bootstrap` object every bootstrapper answer carries.
#[derive(Debug, Clone)]
pub struct BootstrapInfo {
    /// `…/wopi/ecosystem?access_token=…` (an ecosystem token for this user).
    pub ecosystem_url: String,
    /// Equal to CheckFileInfo's `UserId`.
    pub user_id: String,
    /// The sign-in name (login).
    pub sign_in_name: String,
    /// Equal to CheckFileInfo's `UserFriendlyName`.
    pub user_friendly_name: String,
}

impl App {
    /// The Bootstrap object for the OAuth user, with a fresh ecosystem token.
    pub async fn bootstrap(&self, p: &OAuthPrincipal) -> Result<BootstrapInfo, AppError> {
        let expires_at = self.now() + self.config.token_ttl_ms;
        let ecosystem = self.mint_ecosystem_token(&p.user.id, expires_at).await?;
        Ok(self.bootstrap_info(p, ecosystem.url()))
    }

    /// GET_ROOT_CONTAINER: the Bootstrap object and the user's root container (GetRootContainer
    /// of the ecosystem), whose container token expires with the Bootstrap's ecosystem token.
    pub async fn bootstrap_root_container(
        &self,
        p: &OAuthPrincipal,
    ) -> Result<(BootstrapInfo, wire::ContainerPointerResponse), AppError> {
        let expires_at = self.now() + self.config.token_ttl_ms;
        let ecosystem = self.mint_ecosystem_token(&p.user.id, expires_at).await?;
        let principal = EcosystemPrincipal {
            user: p.user.clone(),
            token: TokenRecord {
                user_id: p.user.id.clone(),
                scope: TokenScope::Ecosystem,
                can_write: true,
                expires_at,
                client: None,
                session_id: None,
                link_id: None,
            },
        };
        let root = self.get_root_container(&principal).await?;
        Ok((self.bootstrap_info(p, ecosystem.url()), root))
    }

    fn bootstrap_info(&self, p: &OAuthPrincipal, ecosystem_url: String) -> BootstrapInfo {
        BootstrapInfo {
            ecosystem_url,
            user_id: p.user.id.clone(),
            sign_in_name: p.user.login.clone(),
            user_friendly_name: p.user.name.clone(),
        }
    }

    /// CSPP Plus: the endpoints GET_NEW_ACCESS_TOKEN adds for a file when the bootstrapper's
    /// editor is enrolled (`EndPoints`, equal to CheckFileInfo's).
    pub async fn bootstrap_endpoints(&self, wopi_src: Option<&str>) -> Option<(String, String)> {
        let is_file = matches!(
            wopi_src.and_then(|s| proto::parse_wopi_src(&self.config.public_url, s)),
            Some(WopiSrcTarget::File(_))
        );
        if !is_file {
            return None;
        }
        let plus = self
            .editors
            .cspp_plus_of(self.config.oauth.token_client.as_deref()?)
            .await?;
        Some((plus.realtime_url, plus.collaboration_url))
    }

    /// GET_NEW_ACCESS_TOKEN: a WOPI token for the file or container an `X-WOPI-WopiSrc` names,
    /// scoped to (OAuth user, that resource) with the user's current rights. 404 (`FileNotFound`)
    /// when the header is absent, not this host's WOPISrc, or names something the user cannot
    /// see (Learn `rest/bootstrapper/getnewaccesstoken`).
    pub async fn bootstrap_new_access_token(
        &self,
        p: &OAuthPrincipal,
        wopi_src: Option<&str>,
    ) -> Result<MintedToken, AppError> {
        let target = wopi_src
            .and_then(|s| proto::parse_wopi_src(&self.config.public_url, s))
            .ok_or(WopiError::FileNotFound)?;
        let expires_at = self.now() + self.config.token_ttl_ms;
        match target {
            WopiSrcTarget::File(id) => {
                let file = self.meta.file(&id).await?.ok_or(WopiError::FileNotFound)?;
                let role = if file.owner_id == p.user.id {
                    Role::Owner
                } else {
                    self.meta
                        .role(&id, &p.user.id)
                        .await?
                        .ok_or(WopiError::FileNotFound)?
                };
                self.mint_token_for_client(
                    &p.user.id,
                    &id,
                    role >= Role::Editor,
                    expires_at,
                    self.config.oauth.token_client.as_deref(),
                )
                .await
            }
            WopiSrcTarget::Container(folder) => {
                self.mint_container_token(&p.user.id, &folder, expires_at)
                    .await
            }
        }
    }
}
