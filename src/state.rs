//! Where csi-self-check keeps what must outlive one run — the live shell settings
//! the shell hook records, confirmed key backups, when each reminder was last shown
//! — following the XDG base directories:
//! `$XDG_STATE_HOME/csi-self-check`, by default `~/.local/state/csi-self-check`.
//!
//! Two runs may write it at once (the login hook and a full check, `backup confirm`
//! and a check, two terminals remembering passwords): every write holds the
//! directory's lock file, and a change to what is there ([`update_json`]) re-reads
//! the file under that lock, so no run writes back a copy older than another's
//! update. Each file is replaced whole (temporary file, fsync, rename), so a run
//! killed at any moment leaves it as it was or as the run would have left it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::account::Account;
use crate::fs::{DirLock, FsError, SafeDir, perm};
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

/// How many entries of the state directory are looked at for a killed run's
/// temporary files: it holds a handful of records.
const STALE_SCAN_LIMIT: usize = 1024;

/// The state directory's lock file, held through each write.
const LOCK_FILE: &str = "lock";

/// How long a run waits for another's write: a hold is one read and one atomic write
/// of a few kilobytes, so a lock held longer belongs to a stuck run, and this one
/// goes on without writing rather than wait on it.
const LOCK_WAIT: Duration = Duration::from_secs(2);

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
    /// Another run held the state directory's lock for longer than [`LOCK_WAIT`].
    Busy { path: PathBuf },
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
            StateError::Busy { path } => write!(
                f,
                "{} is held by another csi-self-check run ({} s waited); not written",
                display_path(path),
                LOCK_WAIT.as_secs()
            ),
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
            StateError::Untrusted { .. } | StateError::Busy { .. } => None,
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
/// it is missing; the file is 0600. For a file that replaces what was there whole
/// (a cache, a new record); a change to what is there is [`update_json`].
pub fn write_json<T: serde::Serialize>(
    home: &SafeDir,
    account: &Account,
    name: &str,
    value: &T,
) -> Result<(), StateError> {
    let (state, _lock) = lock(home, account)?;
    write_locked(&state, name, value)
}

/// Changes a JSON state file as one step: under the state directory's lock, reads
/// what is there now (as [`read_json`] does), hands it to `change`, and writes what
/// `change` returns (`Ok(None)`: nothing). Returns what was written.
pub fn update_json<T, F>(
    home: &SafeDir,
    account: &Account,
    name: &str,
    change: F,
) -> Result<Option<T>, StateError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: FnOnce(Option<Result<T, StateError>>) -> Result<Option<T>, StateError>,
{
    let (state, _lock) = lock(home, account)?;
    let Some(value) = change(read_json(home, account, name))? else {
        return Ok(None);
    };
    write_locked(&state, name, &value)?;
    Ok(Some(value))
}

/// The state directory, made (0700) when missing, and its lock, held.
fn lock(home: &SafeDir, account: &Account) -> Result<(SafeDir, DirLock), StateError> {
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
    let lock_path = path.join(LOCK_FILE);
    match state.lock(std::ffi::OsStr::new(LOCK_FILE), LOCK_WAIT) {
        Ok(lock) => Ok((state, lock)),
        Err(FsError::Os(nix::errno::Errno::EWOULDBLOCK)) => {
            Err(StateError::Busy { path: lock_path })
        }
        Err(error) => Err(StateError::Unwritten {
            path: lock_path,
            error,
        }),
    }
}

/// Writes `value` as `name` in the locked state directory `state`.
fn write_locked<T: serde::Serialize>(
    state: &SafeDir,
    name: &str,
    value: &T,
) -> Result<(), StateError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(StateError::Encode)?;
    bytes.push(b'\n');
    let name_os = std::ffi::OsStr::new(name);
    // A run killed mid-rewrite may have left its temporary file; the lock says no
    // run is writing one now. Left alone when it cannot go: the write matters more.
    let _ = state.remove_stale_temps(name_os, STALE_SCAN_LIMIT);
    state
        .write_atomic(std::ffi::OsStr::new(name), &bytes, 0o600)
        .map_err(|error| StateError::Unwritten {
            path: state.path().join(name),
            error,
        })
}
