//! `breach import FILE`: turns a Pwned Passwords download into the index that
//! `password`, `key check` and `pam` look passwords up in.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::{Setup, absolute};
use crate::breach::{self, ITEM, MIN_MEMORY, Options};
use crate::cli::{BreachImportArgs, Format};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::{FsError, SafeDir, SafeFile};
use crate::sanitize::display_path;

/// `breach import FILE`.
pub fn import(setup: &Setup, args: &BreachImportArgs) -> Result<ExitStatus, Error> {
    let source_path = absolute(&args.file);
    let source = SafeFile::open_named(&source_path).map_err(|error| Error::Fs {
        path: source_path.clone(),
        doing: "",
        error,
    })?;
    let memory = args.memory.saturating_mul(1 << 20);
    if memory < MIN_MEMORY {
        return Err(Error::Usage(format!(
            "--memory: at least {} MiB",
            MIN_MEMORY >> 20
        )));
    }
    let (dir, name, output) = output_dir(setup, args)?;
    let scratch = match &args.temp_dir {
        Some(temp) => {
            let temp = absolute(temp);
            Some(SafeDir::open_root(&temp).map_err(|error| Error::Fs {
                path: temp,
                doing: "--temp-dir",
                error,
            })?)
        }
        None => None,
    };
    let now = u64::try_from(setup.now).unwrap_or(0);
    let imported = breach::import(
        source,
        &source_path,
        &dir,
        &name,
        scratch.as_ref().unwrap_or(&dir),
        Options {
            memory,
            now,
            prefix_bits: None,
        },
    )
    .map_err(|error| Error::Import {
        path: if error.in_source() {
            source_path.clone()
        } else {
            output.clone()
        },
        error,
    })?;
    let header = &imported.header;
    let per_hash = if header.entries == 0 {
        0.0
    } else {
        imported.file_len as f64 / header.entries as f64
    };
    let built = crate::time::utc_minute(i64::try_from(header.built).unwrap_or(0));
    let text = match setup.format {
        Format::Json => crate::report::to_json_line(&serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "tool": crate::report::Tool::this(),
            "index": crate::sanitize::json_path(&output),
            "hashes": header.entries,
            "source": String::from_utf8_lossy(&header.source),
            "source_lines": header.source_lines,
            "bytes": imported.file_len,
            "bytes_per_hash": per_hash,
            "sorted_runs": imported.runs,
            "built": built,
        })),
        Format::Text | Format::Prometheus => format!(
            "{}: {} hashes from {} ({} lines), {} bytes ({per_hash:.2} a hash), built {built}\n",
            display_path(&output),
            header.entries,
            crate::sanitize::display_bytes(&header.source),
            header.source_lines,
            imported.file_len,
        ),
    };
    crate::report::emit(&text)?;
    Ok(ExitStatus::Clean)
}

/// The directory the index goes to, its name there, and its full path: `--output`,
/// else the policy's first system path for root and its first `~/` path for anyone
/// else, the directories made on the way (0755 for the system, 0700 in a home).
fn output_dir(
    setup: &Setup,
    args: &BreachImportArgs,
) -> Result<(SafeDir, std::ffi::OsString, PathBuf), Error> {
    let (dir, name, path) = if let Some(output) = &args.output {
        let output = absolute(output);
        let (dir, name) = match SafeDir::split_path(&output) {
            Ok(split) => split,
            Err(FsError::NoFileName) => {
                return Err(Error::Usage("--output: not a file path".to_owned()));
            }
            Err(error) => {
                return Err(Error::Fs {
                    path: output.parent().unwrap_or(&output).to_owned(),
                    doing: "--output",
                    error,
                });
            }
        };
        (dir, name.to_owned(), output)
    } else {
        let policy = setup.policy()?;
        let paths = policy.list(ITEM, "breach-indexes");
        let root = nix::unistd::geteuid().is_root();
        let (base, rel, mode) = if root {
            let Some(system) = paths.iter().find(|p| p.starts_with('/')) else {
                return Err(Error::Usage(
                    "the policy's breach-indexes has no system path; give --output".to_owned(),
                ));
            };
            let base = if system == breach::SYSTEM_INDEX {
                crate::sysroot::path("/")
            } else {
                PathBuf::from("/")
            };
            (base, PathBuf::from(&system[1..]), 0o755)
        } else {
            let Some(user) = paths.iter().find_map(|p| p.strip_prefix("~/")) else {
                return Err(Error::Usage(
                    "the policy's breach-indexes has no ~/ path; give --output".to_owned(),
                ));
            };
            let (account, _) = setup.account()?;
            (account.home, PathBuf::from(user), 0o700)
        };
        let path = base.join(&rel);
        if rel.file_name().is_none() {
            return Err(Error::Usage("breach-indexes: not a file path".to_owned()));
        }
        let fail = |error: FsError| Error::Fs {
            path: path.clone(),
            doing: "cannot make its directory",
            error,
        };
        let (dir, name) = SafeDir::open_root(&base)
            .and_then(|base| base.create_parent_within(&rel, mode))
            .map_err(fail)?;
        (dir, name.to_owned(), path)
    };
    if name == OsStr::new("") {
        return Err(Error::Usage("--output: not a file path".to_owned()));
    }
    Ok((dir, name, path))
}
