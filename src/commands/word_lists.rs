//! `word-lists import`: compiles the system's lists of the policy's `word-lists`
//! once, so that every check reads a compact index instead of compiling the list.

use std::path::Path;

use super::Setup;
use crate::cli::Format;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::password::lists::{self, SYSTEM_DIR};
use crate::sanitize::display_path;

const ITEM: &str = "password-entropy";

/// `word-lists import`.
pub fn import(setup: &Setup) -> Result<ExitStatus, Error> {
    if !nix::unistd::geteuid().is_root() {
        return Err(Error::Usage(format!(
            "word-lists import is for root: it writes {SYSTEM_DIR}"
        )));
    }
    let policy = setup.policy()?;
    let dir_path = crate::sysroot::path(SYSTEM_DIR);
    let dir = SafeDir::open_root(&crate::sysroot::path("/"))
        .and_then(|root| root.create_dirs_within(Path::new(&SYSTEM_DIR[1..]), 0o755))
        .map_err(|error| Error::Fs {
            path: dir_path.clone(),
            doing: "cannot make the directory",
            error,
        })?;
    let imported =
        lists::import(policy.list(ITEM, "word-lists"), &dir, &dir_path).map_err(|error| {
            Error::File {
                path: error.path,
                reason: error.reason,
            }
        })?;
    let text = match setup.format {
        Format::Json => crate::report::to_json_line(&serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "tool": crate::report::Tool::this(),
            "word_lists": imported.iter().map(|one| serde_json::json!({
                "list": crate::sanitize::json_path(&one.list),
                "index": crate::sanitize::json_path(&one.index),
                "words": one.words,
                "bytes": one.bytes,
            })).collect::<Vec<_>>(),
        })),
        Format::Text | Format::Prometheus if imported.is_empty() => {
            "The policy's word-lists names no list starting with \"/\": nothing to import.\n"
                .to_owned()
        }
        Format::Text | Format::Prometheus => imported
            .iter()
            .map(|one| {
                format!(
                    "{}: {} words, {} bytes, in {}\n",
                    display_path(&one.list),
                    one.words,
                    one.bytes,
                    display_path(&one.index)
                )
            })
            .collect(),
    };
    crate::report::emit(&text)?;
    Ok(ExitStatus::Clean)
}
