//! Passwords that are known to be breached: an offline copy of Have I Been Pwned's
//! Pwned Passwords, imported into a compact sorted index (`breach import`), and the
//! lookup that `password`, `key check` and the PAM helper make in it through the
//! password-rules check. Offline because a login-time check must not depend on, or
//! leak anything to, a remote service; an index because the download is about 40 GB
//! of text and a PAM check must stay within a few page reads.
//!
//! The password's SHA-1 is computed here, in zeroized buffers (the hash is as good as
//! the password for a lookup in the public list), and nothing derived from it leaves
//! this module but a count.

pub mod format;
mod import;
mod index;
#[cfg(test)]
mod tests;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub use import::{ImportError, MIN_MEMORY, Options, import};
pub use index::Index;

use crate::cli::{BreachImportArgs, Format, GlobalArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::fs::{FsError, SafeDir, SafeFile};
use crate::sanitize::display_path;

/// Where the built-in policy looks; missing files here mean "no index installed"
/// and are not an error. Any other configured path must exist.
pub const SYSTEM_INDEX: &str = "/var/lib/csi-self-check/breach.idx";
pub const USER_INDEX: &str = "~/.local/share/csi-self-check/breach.idx";

const ITEM: &str = "password-entropy";

/// SHA-1 of the password's UTF-8 bytes. The padded message and the state live in
/// zeroizing buffers; `sha1::Sha1` would keep the last block of the password in a
/// buffer that is not wiped when dropped.
pub fn sha1(password: &[u8]) -> Zeroizing<[u8; 20]> {
    let mut message = Zeroizing::new(Vec::with_capacity(password.len() + 72));
    message.extend_from_slice(password);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((password.len() as u64) * 8).to_be_bytes());
    let mut state = Zeroizing::new([
        0x6745_2301u32,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ]);
    for block in message.chunks_exact(64) {
        sha1::compress(
            &mut state,
            std::slice::from_ref(sha1::digest::generic_array::GenericArray::from_slice(block)),
        );
    }
    let mut out = Zeroizing::new([0u8; 20]);
    for (bytes, word) in out.chunks_exact_mut(4).zip(state.iter()) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// What one index said about the password.
#[derive(Debug)]
pub struct Consulted {
    pub path: PathBuf,
    pub built: u64,
    /// How often the password was seen; `None`: not in this index.
    pub count: Option<u32>,
}

/// Every configured index, looked up: those that answered, and those that exist
/// (or must) but could not be used, with why.
#[derive(Debug, Default)]
pub struct Lookups {
    pub consulted: Vec<Consulted>,
    pub unusable: Vec<(PathBuf, String)>,
}

/// Looks `password` up in every index of `paths`. `~/` paths are under `home`, and
/// skipped when `home` is `None` (the PAM helper, which trusts nothing the user
/// controls).
pub fn look_up(paths: &[String], home: Option<&Path>, password: &[u8]) -> Lookups {
    let mut lookups = Lookups::default();
    let mut hash = None;
    for configured in paths {
        let (path, opened) = match configured.strip_prefix("~/") {
            Some(rel) => {
                let Some(home) = home else { continue };
                (home.join(rel), open_in_home(home, Path::new(rel)))
            }
            None => (
                PathBuf::from(configured),
                SafeFile::open_named(Path::new(configured)),
            ),
        };
        let file = match opened {
            Ok(file) => file,
            Err(FsError::NotFound) if configured == SYSTEM_INDEX || configured == USER_INDEX => {
                continue;
            }
            Err(error) => {
                lookups.unusable.push((path, error.to_string()));
                continue;
            }
        };
        let hash = hash.get_or_insert_with(|| sha1(password));
        match Index::open(file).and_then(|index| Ok((index.lookup(hash)?, index))) {
            Ok((count, index)) => lookups.consulted.push(Consulted {
                path,
                built: index.header().built,
                count,
            }),
            Err(reason) => lookups.unusable.push((path, reason)),
        }
    }
    lookups
}

/// A file below the home, reached without following any link on the way: the home
/// is the person's, and a link there could point at anything.
fn open_in_home(home: &Path, rel: &Path) -> Result<SafeFile, FsError> {
    let root = SafeDir::open_root(home)?;
    let (dir, name) = match (rel.parent(), rel.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            (root.open_within(parent)?, name)
        }
        (_, Some(name)) => (root, name),
        _ => return Err(FsError::NotFound),
    };
    let seen = dir.lstat(name)?;
    dir.open_file(name, &seen)
}

/// `breach import FILE`.
pub fn run_import(global: &GlobalArgs, args: &BreachImportArgs) -> Result<ExitStatus, Error> {
    let source_path = crate::app::absolute(&args.file);
    let source = SafeFile::open_named(&source_path).map_err(|e| Error::File {
        path: source_path.clone(),
        reason: e.to_string(),
    })?;
    let memory = args.memory.saturating_mul(1 << 20);
    if memory < MIN_MEMORY {
        return Err(Error::Usage(format!(
            "--memory: at least {} MiB",
            MIN_MEMORY >> 20
        )));
    }
    let (dir, name, output) = output_dir(global, args)?;
    let scratch = match &args.temp_dir {
        Some(temp) => {
            let temp = crate::app::absolute(temp);
            Some(SafeDir::open_root(&temp).map_err(|e| Error::File {
                path: temp,
                reason: format!("--temp-dir: {e}"),
            })?)
        }
        None => None,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let imported = import(
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
    .map_err(|e| match e {
        ImportError::Line { line, reason } => {
            Error::Input(format!("{}:{line}: {reason}", display_path(&source_path)))
        }
        ImportError::Source(reason) => Error::File {
            path: source_path.clone(),
            reason,
        },
        ImportError::Io(reason) => Error::File {
            path: output.clone(),
            reason,
        },
    })?;
    let header = &imported.header;
    let per_hash = if header.entries == 0 {
        0.0
    } else {
        imported.file_len as f64 / header.entries as f64
    };
    let built = crate::report::utc_minute(i64::try_from(header.built).unwrap_or(0));
    let text = match global.format {
        Format::Json => crate::report::to_json_line(&serde_json::json!({
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
    global: &GlobalArgs,
    args: &BreachImportArgs,
) -> Result<(SafeDir, std::ffi::OsString, PathBuf), Error> {
    let (dir, name, path) = if let Some(output) = &args.output {
        let output = crate::app::absolute(output);
        let (Some(parent), Some(name)) = (output.parent(), output.file_name()) else {
            return Err(Error::Usage("--output: not a file path".to_owned()));
        };
        let dir = SafeDir::open_root(parent).map_err(|e| Error::File {
            path: parent.to_owned(),
            reason: format!("--output: {e}"),
        })?;
        (dir, name.to_owned(), output)
    } else {
        let policy = crate::app::load_policy(global)?;
        let paths = policy.list(ITEM, "breach-indexes");
        let root = nix::unistd::geteuid().is_root();
        let (base, rel, mode) = if root {
            let Some(system) = paths.iter().find(|p| p.starts_with('/')) else {
                return Err(Error::Usage(
                    "the policy's breach-indexes has no system path; give --output".to_owned(),
                ));
            };
            (PathBuf::from("/"), PathBuf::from(&system[1..]), 0o755)
        } else {
            let Some(user) = paths.iter().find_map(|p| p.strip_prefix("~/")) else {
                return Err(Error::Usage(
                    "the policy's breach-indexes has no ~/ path; give --output".to_owned(),
                ));
            };
            let (account, _) = crate::app::account_and_audit(global)?;
            (account.home, PathBuf::from(user), 0o700)
        };
        let path = base.join(&rel);
        let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
            return Err(Error::Usage("breach-indexes: not a file path".to_owned()));
        };
        let fail = |e: FsError| Error::File {
            path: path.clone(),
            reason: format!("cannot make its directory: {e}"),
        };
        let base_dir = SafeDir::open_root(&base).map_err(fail)?;
        let dir = if parent.as_os_str().is_empty() {
            base_dir
        } else {
            base_dir.create_dirs_within(parent, mode).map_err(fail)?
        };
        (dir, name.to_owned(), path)
    };
    if name == OsStr::new("") {
        return Err(Error::Usage("--output: not a file path".to_owned()));
    }
    Ok((dir, name, path))
}
