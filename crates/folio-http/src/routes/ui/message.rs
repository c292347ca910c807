//! The banners a page shows after a form action redirects back: `?notice=CODE` or `?error=CODE`,
//! where CODE is one of a closed set ([`Message`]) whose words live here and only here. Text is
//! never taken from the URL: a link someone else crafted (`?error=Your%20session%20expired…`)
//! must not be able to put words in Folio's mouth. An unknown code, or a code under the wrong key,
//! shows nothing.
//!
//! Which refusal (`AppError`) becomes which code is decided in `crate::error::page`.

use axum::response::{IntoResponse, Redirect, Response};

/// Whether a message reports success (`?notice=`) or a refusal (`?error=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `?notice=`: the action was done.
    Notice,
    /// `?error=`: the action was refused.
    Error,
}

impl Kind {
    /// The query key.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Error => "error",
        }
    }
}

/// Every banner a page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    // Notices.
    FileRenamed,
    FileMoved,
    FileDeleted,
    VersionRestored,
    Shared,
    Unshared,
    RoleChanged,
    LinkRevoked,
    FolderCreated,
    DocumentCreatedNoEditor,
    FolderDeleted,
    UserCreated,
    UserDisabled,
    UserEnabled,
    SignInUnlocked,
    PasswordChanged,
    LockReleased,
    NotLocked,
    // Refusals.
    NotFound,
    ViewOnlyFolder,
    ViewOnlyFile,
    ViewOnlyTargetFolder,
    OwnerOnly,
    InvalidName,
    UnknownUser,
    ShareWithSelf,
    InvalidLogin,
    WeakPassword,
    NameTaken,
    NameTakenInTarget,
    LoginTaken,
    Locked,
    TooLarge,
    NotEmpty,
    CannotDisableSelf,
    /// A user disconnected an OAuth app (connected apps page).
    AppDisconnected,
    /// An administrator revoked an OAuth grant.
    GrantRevoked,
    /// A public link's expiry is not in the future.
    LinkExpiryPast,
    // The trash, folder moves and bulk actions.
    FolderRenamed,
    FolderMoved,
    ItemsMoved,
    ItemsTrashed,
    TrashRestored,
    TrashRestoredHome,
    TrashPurged,
    TrashEmptied,
    Undone,
    MoveIntoItself,
    OtherOwnersFolder,
    NothingSelected,
    /// "Select all" in a folder of more than `MAX_ALL_ITEMS` items.
    TooManyItems,
    SomeNotDone,
    /// The account page: the person changed their own password.
    OwnPasswordChanged,
    /// The account page: the other sessions were signed out.
    OthersSignedOut,
    /// An administrator uploaded a template.
    TemplateAdded,
    /// An administrator deleted a template.
    TemplateDeleted,
    /// The account page: the current password was wrong.
    WrongPassword,
    /// The two new passwords differ.
    PasswordsDiffer,
    /// Not a Word, Excel or PowerPoint document or template.
    NotATemplate,
    /// Too many wrong passwords lately.
    TooManyAttempts,
}

impl Message {
    /// Every message (the parse table).
    pub const ALL: &'static [Message] = &[
        Message::FileRenamed,
        Message::FileMoved,
        Message::FileDeleted,
        Message::VersionRestored,
        Message::Shared,
        Message::Unshared,
        Message::RoleChanged,
        Message::LinkRevoked,
        Message::FolderCreated,
        Message::DocumentCreatedNoEditor,
        Message::FolderDeleted,
        Message::UserCreated,
        Message::UserDisabled,
        Message::UserEnabled,
        Message::SignInUnlocked,
        Message::PasswordChanged,
        Message::LockReleased,
        Message::NotLocked,
        Message::NotFound,
        Message::ViewOnlyFolder,
        Message::ViewOnlyFile,
        Message::ViewOnlyTargetFolder,
        Message::OwnerOnly,
        Message::InvalidName,
        Message::UnknownUser,
        Message::ShareWithSelf,
        Message::InvalidLogin,
        Message::WeakPassword,
        Message::NameTaken,
        Message::NameTakenInTarget,
        Message::LoginTaken,
        Message::Locked,
        Message::TooLarge,
        Message::NotEmpty,
        Message::CannotDisableSelf,
        Message::AppDisconnected,
        Message::GrantRevoked,
        Message::LinkExpiryPast,
        Message::FolderRenamed,
        Message::FolderMoved,
        Message::ItemsMoved,
        Message::ItemsTrashed,
        Message::TrashRestored,
        Message::TrashRestoredHome,
        Message::TrashPurged,
        Message::TrashEmptied,
        Message::Undone,
        Message::MoveIntoItself,
        Message::OtherOwnersFolder,
        Message::NothingSelected,
        Message::TooManyItems,
        Message::SomeNotDone,
        Message::OwnPasswordChanged,
        Message::OthersSignedOut,
        Message::TemplateAdded,
        Message::TemplateDeleted,
        Message::WrongPassword,
        Message::PasswordsDiffer,
        Message::NotATemplate,
        Message::TooManyAttempts,
    ];

    /// The code in the URL, its kind and the words shown.
    fn parts(self) -> (&'static str, Kind) {
        use Kind::{Error as E, Notice as N};
        match self {
            Message::FileRenamed => ("renamed", N),
            Message::FileMoved => ("moved", N),
            Message::FileDeleted => ("file-deleted", N),
            Message::VersionRestored => ("restored", N),
            Message::Shared => ("shared", N),
            Message::Unshared => ("unshared", N),
            Message::RoleChanged => ("role-changed", N),
            Message::LinkRevoked => ("link-revoked", N),
            Message::LinkExpiryPast => ("link-expiry-past", E),
            Message::FolderCreated => ("folder-created", N),
            Message::DocumentCreatedNoEditor => ("document-created", N),
            Message::FolderDeleted => ("folder-deleted", N),
            Message::UserCreated => ("user-created", N),
            Message::UserDisabled => ("user-disabled", N),
            Message::UserEnabled => ("user-enabled", N),
            Message::SignInUnlocked => ("sign-in-unlocked", N),
            Message::PasswordChanged => ("password-changed", N),
            Message::LockReleased => ("lock-released", N),
            Message::NotLocked => ("not-locked", N),
            Message::NotFound => ("not-found", E),
            Message::ViewOnlyFolder => ("view-only-folder", E),
            Message::ViewOnlyFile => ("view-only-file", E),
            Message::ViewOnlyTargetFolder => ("view-only-target", E),
            Message::OwnerOnly => ("owner-only", E),
            Message::InvalidName => ("invalid-name", E),
            Message::UnknownUser => ("unknown-user", E),
            Message::ShareWithSelf => ("share-with-self", E),
            Message::InvalidLogin => ("invalid-login", E),
            Message::WeakPassword => ("weak-password", E),
            Message::NameTaken => ("name-taken", E),
            Message::NameTakenInTarget => ("name-taken-in-target", E),
            Message::LoginTaken => ("login-taken", E),
            Message::Locked => ("locked", E),
            Message::TooLarge => ("too-large", E),
            Message::NotEmpty => ("not-empty", E),
            Message::CannotDisableSelf => ("cannot-disable-self", E),
            Message::AppDisconnected => ("app-disconnected", N),
            Message::GrantRevoked => ("grant-revoked", N),
            Message::FolderRenamed => ("folder-renamed", N),
            Message::FolderMoved => ("folder-moved", N),
            Message::ItemsMoved => ("items-moved", N),
            Message::ItemsTrashed => ("items-trashed", N),
            Message::TrashRestored => ("trash-restored", N),
            Message::TrashRestoredHome => ("trash-restored-home", N),
            Message::TrashPurged => ("trash-purged", N),
            Message::TrashEmptied => ("trash-emptied", N),
            Message::Undone => ("undone", N),
            Message::MoveIntoItself => ("move-into-itself", E),
            Message::OtherOwnersFolder => ("other-owners-folder", E),
            Message::NothingSelected => ("nothing-selected", E),
            Message::TooManyItems => ("too-many-items", E),
            Message::SomeNotDone => ("some-not-done", E),
            Message::OwnPasswordChanged => ("own-password-changed", N),
            Message::OthersSignedOut => ("others-signed-out", N),
            Message::TemplateAdded => ("template-added", N),
            Message::TemplateDeleted => ("template-deleted", N),
            Message::WrongPassword => ("wrong-password", E),
            Message::PasswordsDiffer => ("passwords-differ", E),
            Message::NotATemplate => ("not-a-template", E),
            Message::TooManyAttempts => ("too-many-attempts", E),
        }
    }

    /// The code in the URL.
    pub fn code(self) -> &'static str {
        self.parts().0
    }

    /// Notice or error.
    pub fn kind(self) -> Kind {
        self.parts().1
    }

    /// Its catalog key: `msg.` and the code with `_` for `-`.
    pub fn key(self) -> String {
        format!("msg.{}", self.code().replace('-', "_"))
    }

    /// The words shown, in the request's language.
    pub fn text(self) -> String {
        crate::i18n::t(&self.key())
    }

    /// The message of `code` under `kind`'s key; `None` for anything else.
    pub fn parse(kind: Kind, code: &str) -> Option<Message> {
        Message::ALL
            .iter()
            .copied()
            .find(|m| m.kind() == kind && m.code() == code)
    }

    /// A redirect to `path` showing this message (`?notice=CODE` or `?error=CODE`).
    pub fn redirect(self, path: &str) -> Response {
        let sep = if path.contains('?') { '&' } else { '?' };
        Redirect::to(&format!("{path}{sep}{}={}", self.kind().key(), self.code())).into_response()
    }
}

/// The words of a page's `?notice=` code, if it is a known notice.
pub fn notice(code: Option<&str>) -> Option<String> {
    words(Kind::Notice, code)
}

/// The words of a page's `?error=` code, if it is a known refusal.
pub fn error(code: Option<&str>) -> Option<String> {
    words(Kind::Error, code)
}

fn words(kind: Kind, code: Option<&str>) -> Option<String> {
    code.and_then(|c| Message::parse(kind, c)).map(|m| m.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_url_safe_and_parse_back() {
        for (i, m) in Message::ALL.iter().enumerate() {
            assert!(
                m.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{m:?}"
            );
            assert_eq!(Message::parse(m.kind(), m.code()), Some(*m));
            assert!(
                Message::ALL
                    .iter()
                    .skip(i + 1)
                    .all(|other| other.code() != m.code()),
                "{m:?}"
            );
        }
    }

    #[test]
    fn unknown_codes_and_wrong_keys_show_nothing() {
        assert_eq!(notice(Some("Your account was deleted")), None);
        assert_eq!(
            error(Some("Your session expired, sign in at evil.example")),
            None
        );
        assert_eq!(error(Some("renamed")), None, "a notice under error=");
        assert_eq!(notice(Some("locked")), None, "an error under notice=");
        assert_eq!(notice(None), None);
        assert_eq!(notice(Some("renamed")).as_deref(), Some("File renamed."));
        assert_eq!(
            error(Some("locked")).as_deref(),
            Some(Message::Locked.text().as_str())
        );
    }

    #[test]
    fn redirect_carries_the_code() {
        let r = Message::NotEmpty.redirect("/folders/x");
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/folders/x?error=not-empty");
        let r = Message::FileRenamed.redirect("/folders/x?sort=name");
        assert_eq!(
            r.headers()["location"],
            "/folders/x?sort=name&notice=renamed"
        );
    }
}
