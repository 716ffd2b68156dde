//! Where csi-self-check keeps what must outlive one run — the live shell settings
//! the shell hook records, confirmed key backups, when each reminder was last shown
//! — following the XDG base directories:
//! `$XDG_STATE_HOME/csi-self-check`, by default `~/.local/state/csi-self-check`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::account::Account;
use crate::fs::{FsError, SafeDir, perm};
use crate::sanitize::display_path;

/// The state directory's name below the XDG state home.
const NAME: &str = "csi-self-check";

/// The state directory of `account`. `$XDG_STATE_HOME` is honoured only when this
/// process's environment is the checked person's own — their user id, and `$HOME`
/// naming the home being checked. For anyone else's home (root's audit, `--home`)
/// the variables describe somebody else, and the default place is used.
pub fn dir(account: &Account) -> PathBuf {
    let env_home = std::env::var_os("HOME").map(PathBuf::from);
    let own_environment = account.uid == nix::unistd::getuid().as_raw()
        && env_home.is_some_and(|home| home == account.home);
    let from_env = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    match from_env {
        Some(state_home) if own_environment => state_home.join(NAME),
        _ => default_dir(&account.home),
    }
}

/// `HOME/.local/state/csi-self-check`.
pub fn default_dir(home: &Path) -> PathBuf {
    home.join(".local/state").join(NAME)
}

/// The most a state file may hold; ours are a few kilobytes.
const FILE_LIMIT: usize = 1 << 20;

/// Why a state file could not be read or written.
#[derive(Debug)]
pub enum StateError {
    /// The file is there but could not be opened or read.
    Unreadable { path: PathBuf, error: FsError },
    /// The file is someone else's or others can write it.
    Untrusted { path: PathBuf },
    /// The file is not the JSON this run expects.
    Malformed {
        path: PathBuf,
        error: serde_json::Error,
    },
    /// The state directory could not be made or opened.
    Directory { path: PathBuf, error: FsError },
    /// The value could not be put into JSON.
    Encode(serde_json::Error),
    /// The file could not be written.
    Unwritten { path: PathBuf, error: FsError },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Unreadable { path, error } => {
                write!(f, "{}: {error}", display_path(path))
            }
            StateError::Untrusted { path } => write!(
                f,
                "{} belongs to someone else or can be written by others; not used",
                display_path(path)
            ),
            StateError::Malformed { path, error } => {
                write!(f, "{}: {error}", display_path(path))
            }
            StateError::Directory { path, error } => write!(
                f,
                "cannot create the state directory {}: {error}",
                display_path(path)
            ),
            StateError::Encode(error) => write!(f, "{error}"),
            StateError::Unwritten { path, error } => {
                write!(f, "cannot write {}: {error}", display_path(path))
            }
        }
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StateError::Unreadable { error, .. }
            | StateError::Directory { error, .. }
            | StateError::Unwritten { error, .. } => Some(error),
            StateError::Malformed { error, .. } | StateError::Encode(error) => Some(error),
            StateError::Untrusted { .. } => None,
        }
    }
}

/// Reads a JSON state file. `None` when there is none; an error when one is there
/// but cannot be trusted or read (someone else's, writable by others, malformed).
pub fn read_json<T: serde::de::DeserializeOwned>(
    home: &SafeDir,
    account: &Account,
    name: &str,
) -> Option<Result<T, StateError>> {
    let path = dir(account).join(name);
    let (parent, file_name) = home.parent_of(&path)?;
    let unreadable = |error: FsError| StateError::Unreadable {
        path: path.clone(),
        error,
    };
    let meta = match parent.lstat(file_name) {
        Ok(meta) => meta,
        Err(FsError::NotFound) => return None,
        Err(error) => return Some(Err(unreadable(error))),
    };
    let read = || -> Result<T, StateError> {
        let mut file = parent.open_file(file_name, &meta).map_err(unreadable)?;
        let meta = *file.meta();
        if meta.uid != account.uid || perm::writable_by_group_or_other(meta.mode) {
            return Err(StateError::Untrusted { path: path.clone() });
        }
        let bytes = file.read_prefix(FILE_LIMIT).map_err(unreadable)?;
        serde_json::from_slice(&bytes).map_err(|error| StateError::Malformed {
            path: path.clone(),
            error,
        })
    };
    Some(read())
}

/// Writes a JSON state file atomically, creating the state directory (0700) when
/// it is missing; the file is 0600.
pub fn write_json<T: serde::Serialize>(
    home: &SafeDir,
    account: &Account,
    name: &str,
    value: &T,
) -> Result<(), StateError> {
    let path = dir(account);
    let state = match path.strip_prefix(home.path()) {
        Ok(rel) => home.create_dirs_within(rel, 0o700),
        Err(_) => {
            let parent = path.parent().unwrap_or(Path::new("/"));
            SafeDir::open_root(parent).and_then(|p| p.create_dirs_within(Path::new(NAME), 0o700))
        }
    }
    .map_err(|error| StateError::Directory {
        path: path.clone(),
        error,
    })?;
    let mut bytes = serde_json::to_vec_pretty(value).map_err(StateError::Encode)?;
    bytes.push(b'\n');
    state
        .write_atomic(std::ffi::OsStr::new(name), &bytes, 0o600)
        .map_err(|error| StateError::Unwritten {
            path: path.join(name),
            error,
        })
}
