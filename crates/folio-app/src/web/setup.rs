//! First-run setup without the CLI: while there are no users, `folio serve` holds a one-time
//! code in memory (never stored, gone on restart) and prints the setup URL carrying it; the
//! setup page creates the first administrator with that code and signs them in.

use super::*;

/// What the setup form sends.
#[derive(Debug, Clone)]
pub struct FirstAdmin<'a> {
    /// Sign-in name.
    pub login: &'a str,
    /// Display name (default: the login).
    pub name: &'a str,
    /// The password, typed twice.
    pub password: &'a str,
    /// The second copy.
    pub password_again: &'a str,
}

impl App {
    /// Opens first-run setup if no user exists: a fresh code, kept in memory until one setup
    /// succeeds or the process ends. `None` when a user exists (setup stays closed).
    pub async fn open_setup(&self) -> Result<Option<String>, AppError> {
        if self.meta().any_user().await? {
            return Ok(None);
        }
        let code = tokens::generate();
        let mut slot = self
            .setup_code
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(code.clone());
        Ok(Some(code))
    }

    /// Whether `code` is the live setup code: `SetupClosed` when setup is over (no code, or a
    /// user exists), `NotFound` for a wrong code.
    pub async fn check_setup_code(&self, code: &str) -> Result<(), AppError> {
        let live = self
            .setup_code
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(live) = live else {
            return Err(AppError::SetupClosed);
        };
        if self.meta().any_user().await? {
            self.close_setup();
            return Err(AppError::SetupClosed);
        }
        if tokens::constant_eq(live.as_bytes(), code.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Creates the first administrator with the setup code and signs them in. The user is
    /// created in one store transaction that creates nothing when any user exists, so two
    /// browsers racing get one administrator; the other gets `SetupClosed`.
    pub async fn complete_setup(
        &self,
        code: &str,
        form: &FirstAdmin<'_>,
    ) -> Result<(UserRecord, NewSession), AppError> {
        self.check_setup_code(code).await?;
        let login = form.login.trim();
        if !crate::integration::valid_local_login(login) {
            return Err(AppError::InvalidLogin);
        }
        if form.password.len() < 8 {
            return Err(AppError::WeakPassword);
        }
        if !tokens::constant_eq(form.password.as_bytes(), form.password_again.as_bytes()) {
            return Err(AppError::PasswordsDiffer);
        }
        let hash = tokens::hash_password(form.password)
            .map_err(|_| WopiError::BadRequest("cannot hash password"))?;
        let name = form.name.trim();
        let user = folio_store::NewUser {
            login: login.to_owned(),
            name: if name.is_empty() { login } else { name }.to_owned(),
            email: String::new(),
            is_admin: true,
            password_hash: Some(hash),
        };
        let Some(user) = self.meta().create_first_user(user, self.now()).await? else {
            self.close_setup();
            return Err(AppError::SetupClosed);
        };
        self.close_setup();
        let session = self.start_session(&user.id).await?;
        for action in [
            crate::audit::action::ADMIN_USER_CREATE,
            crate::audit::action::SIGN_IN,
        ] {
            let event = self.audit_event(action, Some(&user), None, Some("first-run setup".into()));
            self.audit(event).await;
        }
        Ok((user, session))
    }

    /// Whether setup is open (a code is live); the sign-in page then points to it.
    pub fn setup_open(&self) -> bool {
        self.setup_code
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }

    fn close_setup(&self) {
        *self
            .setup_code
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}
