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
    fn parts(self) -> (&'static str, Kind, &'static str) {
        use Kind::{Error as E, Notice as N};
        match self {
            Message::FileRenamed => ("renamed", N, "File renamed."),
            Message::FileMoved => ("moved", N, "File moved."),
            Message::FileDeleted => ("file-deleted", N, "File moved to the trash."),
            Message::VersionRestored => (
                "restored",
                N,
                "Version restored: it is now the newest version.",
            ),
            Message::Shared => ("shared", N, "Shared."),
            Message::Unshared => ("unshared", N, "Access removed."),
            Message::RoleChanged => ("role-changed", N, "Permission changed."),
            Message::LinkRevoked => ("link-revoked", N, "Link revoked: it no longer opens."),
            Message::LinkExpiryPast => (
                "link-expiry-past",
                E,
                "The link's expiry must be in the future.",
            ),
            Message::FolderCreated => ("folder-created", N, "Folder created."),
            Message::DocumentCreatedNoEditor => (
                "document-created",
                N,
                "Document created. No editor is configured to open it.",
            ),
            Message::FolderDeleted => ("folder-deleted", N, "Folder moved to the trash."),
            Message::UserCreated => ("user-created", N, "User created."),
            Message::UserDisabled => ("user-disabled", N, "User disabled."),
            Message::UserEnabled => ("user-enabled", N, "User enabled."),
            Message::SignInUnlocked => ("sign-in-unlocked", N, "Sign-in unlocked."),
            Message::PasswordChanged => (
                "password-changed",
                N,
                "Password changed; the user's sessions were ended.",
            ),
            Message::LockReleased => ("lock-released", N, "Lock released."),
            Message::NotLocked => ("not-locked", N, "The file was not locked any more."),
            Message::NotFound => (
                "not-found",
                E,
                "That file or folder does not exist, or you have no access to it.",
            ),
            Message::ViewOnlyFolder => (
                "view-only-folder",
                E,
                "Not allowed: you can only view this folder.",
            ),
            Message::ViewOnlyFile => (
                "view-only-file",
                E,
                "Not allowed: you can only view this file.",
            ),
            Message::ViewOnlyTargetFolder => (
                "view-only-target",
                E,
                "Not allowed: you can only view the target folder.",
            ),
            Message::OwnerOnly => ("owner-only", E, "Not allowed: only the owner can share."),
            Message::InvalidName => (
                "invalid-name",
                E,
                "That name cannot be used: a name must not be empty, \".\" or \"..\", too long, \
                 contain \\ / : * ? \" < > | or control characters, begin or end with a space, \
                 or end with a dot.",
            ),
            Message::UnknownUser => (
                "unknown-user",
                E,
                "Nobody has that login, or that name (choose the person from the suggestions).",
            ),
            Message::ShareWithSelf => ("share-with-self", E, "You cannot share with yourself."),
            Message::InvalidLogin => (
                "invalid-login",
                E,
                "That login cannot be used: it must be 1-64 characters without spaces.",
            ),
            Message::WeakPassword => (
                "weak-password",
                E,
                "That password cannot be used: it must be at least 8 characters.",
            ),
            Message::NameTaken => (
                "name-taken",
                E,
                "That name already exists here; choose another name.",
            ),
            Message::NameTakenInTarget => (
                "name-taken-in-target",
                E,
                "That name already exists in the target folder; choose another name.",
            ),
            Message::LoginTaken => (
                "login-taken",
                E,
                "A user with that login already exists; choose another login.",
            ),
            Message::Locked => (
                "locked",
                E,
                "The file is open in an editor (locked). Try again when it is closed, or ask an administrator to release the lock.",
            ),
            Message::TooLarge => (
                "too-large",
                E,
                "The file is larger than this server accepts.",
            ),
            Message::NotEmpty => (
                "not-empty",
                E,
                "The folder is not empty; move or delete its contents first.",
            ),
            Message::CannotDisableSelf => {
                ("cannot-disable-self", E, "You cannot disable yourself.")
            }
            Message::AppDisconnected => ("app-disconnected", N, "The app was disconnected."),
            Message::GrantRevoked => ("grant-revoked", N, "Connected app revoked."),
            Message::FolderRenamed => ("folder-renamed", N, "Folder renamed."),
            Message::FolderMoved => ("folder-moved", N, "Folder moved."),
            Message::ItemsMoved => ("items-moved", N, "Moved."),
            Message::ItemsTrashed => ("items-trashed", N, "Moved to the trash."),
            Message::TrashRestored => ("trash-restored", N, "Restored to where it was."),
            Message::TrashRestoredHome => (
                "trash-restored-home",
                N,
                "Restored to My files: the folder it was in is gone.",
            ),
            Message::TrashPurged => ("trash-purged", N, "Deleted for good."),
            Message::TrashEmptied => ("trash-emptied", N, "Trash emptied."),
            Message::Undone => ("undone", N, "Undone: restored from the trash."),
            Message::MoveIntoItself => (
                "move-into-itself",
                E,
                "A folder cannot move into itself or one of its own folders.",
            ),
            Message::OtherOwnersFolder => (
                "other-owners-folder",
                E,
                "Not allowed: a folder can only move within its owner's folders.",
            ),
            Message::NothingSelected => ("nothing-selected", E, "Select files or folders first."),
            Message::TooManyItems => (
                "too-many-items",
                E,
                "This folder has more than 10000 items: select them a page at a time.",
            ),
            Message::SomeNotDone => (
                "some-not-done",
                E,
                "Some items could not be moved or deleted (locked, taken names, or no access); the others were.",
            ),
            Message::OwnPasswordChanged => (
                "own-password-changed",
                N,
                "Password changed. Your other sessions and connected apps were signed out.",
            ),
            Message::OthersSignedOut => (
                "others-signed-out",
                N,
                "Your other sessions were signed out.",
            ),
            Message::TemplateAdded => ("template-added", N, "Template added."),
            Message::TemplateDeleted => ("template-deleted", N, "Template deleted."),
            Message::WrongPassword => (
                "wrong-password",
                E,
                "The current password is wrong; nothing was changed.",
            ),
            Message::PasswordsDiffer => (
                "passwords-differ",
                E,
                "The two new passwords differ; type the same password twice.",
            ),
            Message::NotATemplate => (
                "not-a-template",
                E,
                "That is not a Word, Excel or PowerPoint document or template (.docx, .xlsx, \
                 .pptx, .dotx, .xltx, .potx).",
            ),
            Message::TooManyAttempts => (
                "too-many-attempts",
                E,
                "Too many wrong passwords: wait a few minutes and try again.",
            ),
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

    /// The words shown.
    pub fn text(self) -> &'static str {
        self.parts().2
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
    code.and_then(|c| Message::parse(kind, c))
        .map(|m| m.text().to_owned())
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
            Some(Message::Locked.text())
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
