//! Where the fingerprint key is kept: the user's keyring through the `keyring`
//! crate (the Secret Service on Linux: gnome-keyring, KWallet, KeePassXC), or a file
//! named with `--keyring-file` on a headless machine.
//!
//! The keyring is asked on a thread under a deadline: a D-Bus call to a service
//! that hangs — or to one that waits for a password prompt nobody will see — must
//! not hang `password`. Whatever goes wrong, the answer is "unavailable, because …";
//! never a key made up on the spot and never a key written to disk instead.
//!
//! A key file is accepted only when it could not be read by anyone else and would
//! not survive a stolen disk in the clear: a regular file (no link, FIFO or device),
//! owned by the user, with no group or other permission bits, on a filesystem
//! `at_rest` finds encrypted. `--force` overrides only that last condition — for a
//! machine whose encryption this tool cannot see — and never the first ones, which
//! a `chmod` fixes.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

use super::FingerprintKey;
use crate::at_rest::{AtRest, Roots, at_rest};
use crate::fs::{FsError, Location, SafeDir};
use crate::sanitize::{display_path, display_str};

/// The keyring item's service and user attributes.
pub const SERVICE: &str = "csi-self-check";
pub const USER: &str = "fingerprint-key";

/// How long the keyring may take to answer before the check goes on without it.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// The most a key file may hold: 44 characters of base64 and a newline.
const KEY_FILE_LIMIT: usize = 1024;

/// What asking for the key came to.
pub enum Fetched {
    Key(FingerprintKey),
    /// The keyring (or key file) answered: there is no key yet.
    Absent,
    /// No key could be had; the reason is one line.
    Unavailable(String),
}

/// Where the key is kept for this run.
pub enum KeySource {
    SecretService,
    File(KeyFile),
}

impl KeySource {
    /// The key; with `create`, one is made and stored when there is none.
    pub fn fetch(&self, create: bool) -> Fetched {
        match self {
            KeySource::SecretService => secret_service(create),
            KeySource::File(file) => file.fetch(create),
        }
    }
}

fn secret_service(create: bool) -> Fetched {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring".to_owned())
        .spawn(move || {
            let _ = tx.send(secret_service_now(create));
        });
    if let Err(error) = spawned {
        return Fetched::Unavailable(format!("cannot start the keyring thread: {error}"));
    }
    // A thread still waiting at the deadline is left behind; the process ends soon.
    rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
        Fetched::Unavailable(format!(
            "the keyring did not answer within {} seconds",
            DEADLINE.as_secs()
        ))
    })
}

fn secret_service_now(create: bool) -> Fetched {
    use keyring::Error as KeyringError;
    let entry = match keyring::Entry::new(SERVICE, USER) {
        Ok(entry) => entry,
        Err(error) => return Fetched::Unavailable(one_line(&error.to_string())),
    };
    match entry.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            match FingerprintKey::from_base64(&bytes) {
                Some(key) => Fetched::Key(key),
                // Never replaced: it may be someone's key under a name that collides.
                None => Fetched::Unavailable(format!(
                    "the keyring's item for service {SERVICE}, user {USER} is not a fingerprint key"
                )),
            }
        }
        Err(KeyringError::NoEntry) if create => {
            let key = match FingerprintKey::generate() {
                Ok(key) => key,
                Err(error) => return Fetched::Unavailable(error.to_string()),
            };
            match entry.set_secret(key.to_base64().as_bytes()) {
                Ok(()) => Fetched::Key(key),
                Err(error) => Fetched::Unavailable(reason(&error)),
            }
        }
        Err(KeyringError::NoEntry) => Fetched::Absent,
        Err(error) => Fetched::Unavailable(reason(&error)),
    }
}

fn reason(error: &keyring::Error) -> String {
    match error {
        keyring::Error::NoStorageAccess(_) => {
            "the keyring is locked and could not be unlocked without a prompt".to_owned()
        }
        keyring::Error::Ambiguous(_) => {
            format!("the keyring holds several items for service {SERVICE}, user {USER}")
        }
        other => format!(
            "no Secret Service answered ({})",
            one_line(&other.to_string())
        ),
    }
}

/// Errors from D-Bus can run over several lines and hold anything; one escaped,
/// bounded line of it is enough to act on.
fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let short: String = first.chars().take(200).collect();
    display_str(&short)
}

/// Why a `--keyring-file` is refused; each names the file.
#[derive(Debug)]
pub enum KeyFileError {
    /// The path ends in no file name.
    NoFileName { path: PathBuf },
    /// The directory it is in could not be opened.
    Directory { path: PathBuf, error: FsError },
    /// The file is there but could not be opened or read.
    Unusable { path: PathBuf, error: FsError },
    /// The file belongs to this user id, not to the person.
    NotYours { path: PathBuf, uid: u32 },
    /// The file has this mode, readable or writable by others.
    Mode { path: PathBuf, mode: u32 },
    /// The file holds no fingerprint key.
    NotAKey { path: PathBuf },
    /// The file is on a filesystem not known to be encrypted, and not forced.
    NotEncrypted { path: PathBuf, at_rest: AtRest },
}

impl KeyFileError {
    /// The file refused, as it was named.
    pub fn path(&self) -> &Path {
        match self {
            KeyFileError::NoFileName { path }
            | KeyFileError::Directory { path, .. }
            | KeyFileError::Unusable { path, .. }
            | KeyFileError::NotYours { path, .. }
            | KeyFileError::Mode { path, .. }
            | KeyFileError::NotAKey { path }
            | KeyFileError::NotEncrypted { path, .. } => path,
        }
    }
}

impl std::fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path();
        write!(f, "--keyring-file {}: ", display_path(path))?;
        match self {
            KeyFileError::NoFileName { .. } => write!(f, "not a file name"),
            KeyFileError::Directory { error, .. } => write!(f, "its directory {error}"),
            KeyFileError::Unusable { error, .. } => write!(f, "{error}"),
            KeyFileError::NotYours { uid, .. } => write!(
                f,
                "belongs to uid {uid}, not to you; a key file must be yours alone"
            ),
            KeyFileError::Mode { mode, .. } => write!(
                f,
                "has mode {mode:04o}; a key file must be 0600, readable by you alone (chmod 600 {})",
                crate::sanitize::shell_word(path.as_os_str())
            ),
            KeyFileError::NotAKey { .. } => {
                write!(f, "does not hold a fingerprint key (32 bytes in base64)")
            }
            KeyFileError::NotEncrypted { at_rest, .. } => write!(
                f,
                "is on a filesystem not known to be encrypted ({}); a copy of the disk would hold the key beside the fingerprints (--force to use it anyway)",
                at_rest.describe()
            ),
        }
    }
}

impl std::error::Error for KeyFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyFileError::Directory { error, .. } | KeyFileError::Unusable { error, .. } => {
                Some(error)
            }
            _ => None,
        }
    }
}

/// A `--keyring-file`, opened and judged before the password is asked for.
pub struct KeyFile {
    dir: SafeDir,
    name: OsString,
    path: PathBuf,
    key: Option<FingerprintKey>,
}

impl KeyFile {
    /// Opens PATH (links along the way are the user's choice; the file itself must
    /// not be one) and judges it. A missing file is fine: it is made on the first
    /// `--remember`, in a directory whose filesystem passes the same test.
    pub fn open(
        path: &Path,
        uid: u32,
        force: bool,
        roots: &Roots,
    ) -> Result<KeyFile, KeyFileError> {
        let path_buf = || path.to_owned();
        let (dir, name) = SafeDir::split_path(path).map_err(|error| match error {
            FsError::NoFileName => KeyFileError::NoFileName { path: path_buf() },
            error => KeyFileError::Directory {
                path: path_buf(),
                error,
            },
        })?;
        let unusable = |error| KeyFileError::Unusable {
            path: path_buf(),
            error,
        };
        let (key, place) = match dir.lstat(name) {
            Err(FsError::NotFound) => (None, dir.location()),
            Err(error) => return Err(unusable(error)),
            Ok(meta) => {
                let mut file = dir.open_file(name, &meta).map_err(unusable)?;
                let meta = *file.meta();
                if meta.uid != uid {
                    return Err(KeyFileError::NotYours {
                        path: path_buf(),
                        uid: meta.uid,
                    });
                }
                if meta.mode & 0o077 != 0 {
                    return Err(KeyFileError::Mode {
                        path: path_buf(),
                        mode: meta.mode,
                    });
                }
                let bytes = file.read_prefix(KEY_FILE_LIMIT).map_err(unusable)?;
                let key = FingerprintKey::from_base64(&bytes)
                    .ok_or_else(|| KeyFileError::NotAKey { path: path_buf() })?;
                (Some(key), file.location())
            }
        };
        judge_place(roots, &place, force).map_err(|at_rest| KeyFileError::NotEncrypted {
            path: path_buf(),
            at_rest,
        })?;
        Ok(KeyFile {
            dir,
            name: name.to_owned(),
            path: path.to_owned(),
            key,
        })
    }

    fn fetch(&self, create: bool) -> Fetched {
        if let Some(key) = &self.key {
            return Fetched::Key(FingerprintKey(Zeroizing::new(*key.0)));
        }
        if !create {
            return Fetched::Absent;
        }
        let key = match FingerprintKey::generate() {
            Ok(key) => key,
            Err(error) => return Fetched::Unavailable(error.to_string()),
        };
        let mut text = Zeroizing::new(key.to_base64().as_bytes().to_vec());
        text.push(b'\n');
        match self.dir.write_atomic(OsStr::new(&self.name), &text, 0o600) {
            Ok(()) => Fetched::Key(key),
            Err(error) => Fetched::Unavailable(format!(
                "cannot write the key file {}: {error}",
                display_path(&self.path)
            )),
        }
    }
}

/// A key file must be on a filesystem known to be encrypted, unless forced; the
/// verdict that refused it otherwise.
fn judge_place(roots: &Roots, place: &Location, force: bool) -> Result<(), AtRest> {
    let verdict = at_rest(roots, place);
    match verdict {
        AtRest::BlockEncrypted { .. } | AtRest::FileEncrypted { .. } => Ok(()),
        _ if force => Ok(()),
        _ => Err(verdict),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A machine description with no mounts at all: nothing is known encrypted.
    fn unknown_machine() -> (tempfile::TempDir, Roots) {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots {
            proc: dir.path().join("proc"),
            sys: dir.path().join("sys"),
        };
        (dir, roots)
    }

    fn uid() -> u32 {
        nix::unistd::getuid().as_raw()
    }

    #[test]
    fn a_key_file_must_be_private_and_encrypted_unless_forced() {
        let (_machine, roots) = unknown_machine();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fp.key");
        // Missing: refused on a filesystem not known to be encrypted, made with --force.
        let err = KeyFile::open(&path, uid(), false, &roots)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not known to be encrypted"), "{err}");
        let file = KeyFile::open(&path, uid(), true, &roots).unwrap();
        assert!(matches!(file.fetch(false), Fetched::Absent));
        let Fetched::Key(made) = file.fetch(true) else {
            panic!("no key made")
        };
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = KeyFile::open(&path, uid(), true, &roots).unwrap();
        let Fetched::Key(read) = again.fetch(false) else {
            panic!("the key was not read back")
        };
        assert_eq!(read.id(), made.id());
        // Readable by others: refused even with --force.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = KeyFile::open(&path, uid(), true, &roots)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("mode 0644"), "{err}");
        // Someone else's: refused even with --force.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = KeyFile::open(&path, uid() + 1, true, &roots)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not to you"), "{err}");
        // A link is never followed.
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let err = KeyFile::open(&link, uid(), true, &roots)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        // Garbage is refused, not replaced.
        std::fs::write(&path, b"not a key\n").unwrap();
        let err = KeyFile::open(&path, uid(), true, &roots)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("does not hold a fingerprint key"), "{err}");
    }
}
