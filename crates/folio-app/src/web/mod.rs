//! Use cases behind the web pages: sign-in sessions (rate-limited, CSRF-protected) and the host
//! page model (which editor, which action URL, which token).

use folio_store::{Role, SessionRecord, TokenRecord, UserRecord};
use folio_wopi::action_url::{self, ActionUrlParams};
use folio_wopi::{FileId, WopiError, naming};

use crate::editors::{EditorChoice, EditorKind};
use crate::error::{AppError, Forbidden, NamePlace};
use crate::{App, tokens};

mod account;
mod admin;
mod browse;
mod files;
mod finding;
mod host_page;
mod links;
mod sessions;
mod setup;
mod sharing;
mod templates;
mod trash;

pub use account::*;
pub use browse::*;
pub use files::UploadConflict;
pub use finding::*;
pub use host_page::*;
pub use links::*;
pub use sessions::*;
pub use setup::*;
pub use sharing::*;
pub use templates::*;
pub use trash::*;
