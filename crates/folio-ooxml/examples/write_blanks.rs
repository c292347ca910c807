//! Writes a blank document of every kind into the directory given as the first argument
//! (default: the current directory), named after [`Kind::default_name`].
//!
//! ```sh
//! cargo run -p folio-ooxml --example write_blanks -- /tmp/blanks
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use folio_ooxml::{Kind, try_blank};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for kind in Kind::ALL {
        let bytes = match try_blank(kind) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("{kind}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let path = dir.join(kind.default_name());
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    ExitCode::SUCCESS
}
