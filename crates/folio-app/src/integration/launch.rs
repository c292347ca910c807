//! Signed launch links (HS256/EdDSA JWT): expiry, audience, single-use `jti`.

use super::*;

/// Claims of a signed launch link.
#[derive(Debug, Clone, Deserialize)]
pub struct LaunchClaims {
    /// The application's user id.
    pub sub: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Language.
    #[serde(default)]
    pub lang: Option<String>,
    /// The file id.
    pub file: String,
    /// "view" or "edit".
    pub perm: String,
    /// Unique id (replay protection).
    pub jti: String,
    /// Where the editor's Close leads (the application's page).
    #[serde(default)]
    pub ret: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
}

/// Verifies a signed launch link's signature (HS256 with the shared secret or EdDSA with the
/// public key of `cfg`), audience and expiry, and checks its claims: no more than a day ahead of
/// `now_ms`, a valid file id, `perm` "view" or "edit", a `jti` of 1-200 bytes, an http(s) `ret`.
/// Pure (no store): what is checked before anything is looked up or the nonce is used. Also the
/// entry point of the `launch_jwt` fuzz target.
pub fn verify_launch_jwt(
    cfg: &LaunchConfig,
    token: &str,
    now_ms: i64,
) -> Result<(LaunchClaims, FileId, bool), LaunchRefusal> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let header = decode_header(token).map_err(|_| LaunchRefusal::Malformed)?;
    let key = match (header.alg, &cfg.hs256_secret, &cfg.eddsa_public_pem) {
        (Algorithm::HS256, Some(secret), _) => DecodingKey::from_secret(secret.as_bytes()),
        (Algorithm::EdDSA, _, Some(pem)) => {
            DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|_| LaunchRefusal::UnusableKey)?
        }
        _ => return Err(LaunchRefusal::UnsupportedAlgorithm),
    };
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[cfg.audience.as_str()]);
    validation.leeway = 5;
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    let claims = match decode::<LaunchClaims>(token, &key, &validation) {
        Ok(d) => d.claims,
        Err(e) => {
            use jsonwebtoken::errors::ErrorKind;
            return Err(match e.kind() {
                ErrorKind::ExpiredSignature => LaunchRefusal::Expired,
                ErrorKind::InvalidAudience => LaunchRefusal::WrongAudience,
                ErrorKind::InvalidSignature => LaunchRefusal::BadSignature,
                _ => LaunchRefusal::Invalid,
            });
        }
    };
    if claims.exp.saturating_mul(1000) > now_ms.saturating_add(24 * 3600 * 1000) {
        return Err(LaunchRefusal::TooLongLived);
    }
    let Ok(file) = FileId::parse(&claims.file) else {
        return Err(LaunchRefusal::NoValidFile);
    };
    let can_write = match claims.perm.as_str() {
        "edit" => true,
        "view" => false,
        _ => return Err(LaunchRefusal::BadPermission),
    };
    if claims.jti.is_empty() || claims.jti.len() > 200 {
        return Err(LaunchRefusal::MissingJti);
    }
    if let Some(ret) = &claims.ret
        && !valid_close_url(ret)
    {
        return Err(LaunchRefusal::BadCloseUrl);
    }
    Ok((claims, file, can_write))
}

impl App {
    /// Verifies a signed launch link ([`verify_launch_jwt`]; then the file's visibility to an
    /// integrating application, and single use) and builds the host page for it.
    pub async fn launch_by_jwt(&self, token: &str, language: &str) -> Result<HostPage, AppError> {
        let Some(cfg) = &self.config().integration.launch else {
            return Err(AppError::LaunchRefused(LaunchRefusal::NotConfigured));
        };
        let (claims, file, can_write) =
            verify_launch_jwt(cfg, token, self.now()).map_err(AppError::LaunchRefused)?;
        // The same visibility rule as POST /api/v1/sessions: the file must be one an
        // integrating application can see (owned by or shared with the user of one of its
        // live API keys with the sessions scope). That key is the session's application.
        let mut application = None;
        for k in self.meta().list_api_keys().await? {
            if k.revoked_at.is_none()
                && k.scopes.iter().any(|s| s == "sessions")
                && self.meta().role(&file, &k.app_user_id).await?.is_some()
            {
                application = Some(k);
                break;
            }
        }
        let Some(application) = application else {
            return Err(WopiError::FileNotFound.into());
        };
        if !self
            .meta()
            .use_nonce(
                &format!("launch:{}", claims.jti),
                claims.exp.saturating_mul(1000),
                self.now(),
            )
            .await?
        {
            return Err(AppError::LaunchRefused(LaunchRefusal::AlreadyUsed));
        }
        let user = ExternalUser {
            external_id: claims.sub.clone(),
            name: claims.name.clone().unwrap_or_else(|| claims.sub.clone()),
            email: claims.email.clone().unwrap_or_default(),
            language: claims.lang.clone().unwrap_or_default(),
        };
        let created = self
            .create_session(
                Some(&application),
                &file,
                &user,
                can_write,
                None,
                None,
                claims.ret.as_deref(),
            )
            .await?;
        let page = self
            .session_page(
                &created.session,
                if user.language.is_empty() {
                    language
                } else {
                    &user.language
                },
            )
            .await?;
        Ok(page)
    }
}
