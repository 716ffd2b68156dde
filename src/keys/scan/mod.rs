//! Finding private keys where people keep them: `~/.ssh` (and every `IdentityFile`
//! and `CertificateFile` its config names), `~/.gnupg`, `~/.pki`, the GNOME keyrings,
//! the password store, the paths the policy adds — and with `--deep` the whole home.
//! One pass serves every key check; it records what it found and what it passed by,
//! and the checks turn that into findings.
//!
//! Everything is opened through the safe layer. Sockets are looked at with `lstat`
//! only; links, FIFOs and devices are never opened; a file is read no further than
//! the 64 KiB a key can take.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod deep;

use zeroize::Zeroizing;

use super::{Inspection, inspect};
use crate::fs::{FsError, Kind, Location, Meta, Refusal, SafeDir, SafeFile, Why};

/// Enough for any key; nothing beyond it is read.
pub const KEY_PREFIX_BYTES: usize = 64 * 1024;
/// The most read of a PKCS#12 file, which is read whole (see
/// [`crate::keys::wants_whole_file`]).
pub(super) const MAX_WHOLE_FILE_BYTES: usize = 1 << 20;
/// The shortest key marker, `(11:private-key`; a smaller file is not opened.
pub const MIN_KEY_BYTES: u64 = 15;
/// How deep below a key store's top the scan goes.
const MAX_DEPTH: usize = 4;
/// Entries looked at per directory in the key stores.
pub const MAX_ENTRIES: usize = 250_000;
/// Entries looked at in all the key stores together: what a scan keeps grows with
/// each (a key's path, metadata and verdict, some hundreds of bytes), and this bounds
/// a run's memory on a home with a hundred thousand files in `~/.ssh`.
pub const MAX_VISITED: usize = 50_000;

/// Where a key store is, and what its directory must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Ssh,
    Gnupg,
    Pki,
    Keyrings,
    /// `~/.password-store`, where pass keeps one .gpg file per secret.
    Pass,
    /// A path the policy adds, or one `~/.ssh/config` names.
    Named,
    /// Found by `--deep` outside the key stores.
    Elsewhere,
}

impl Store {
    /// Top-level stores, relative to the home.
    const ROOTS: [(&'static str, Store); 5] = [
        (".ssh", Store::Ssh),
        (".gnupg", Store::Gnupg),
        (".pki", Store::Pki),
        (".local/share/keyrings", Store::Keyrings),
        (".password-store", Store::Pass),
    ];
}

/// A private key file that was found.
pub struct FoundKey {
    /// Its directory, still open: `--fix` reopens the key through it.
    pub dir: Arc<SafeDir>,
    pub name: OsString,
    pub path: PathBuf,
    /// `fstat` of the open file.
    pub meta: Meta,
    /// Where its bytes are kept, taken while it was open, for the at-rest verdict.
    pub location: Location,
    pub inspection: Inspection,
    pub store: Store,
}

/// A file `authorized_keys`, `config` or a pass extension: others must not write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    AuthorizedKeys,
    SshConfig,
    PassExtension,
}

/// What the scan saw, in the order it saw it.
pub enum Event {
    Key(FoundKey),
    /// A key store's directory, with its `fstat`.
    Directory {
        path: PathBuf,
        meta: Meta,
        store: Store,
    },
    /// A link sshd's StrictModes refuses (through a place others can write, or out
    /// of the home to one): a failure, with `code` and a message.
    Refused {
        path: PathBuf,
        code: &'static str,
        message: String,
    },
    /// `~/.ssh` is not there, or is not a usable directory: `code` and a message.
    StoreProblem {
        path: PathBuf,
        code: &'static str,
        message: String,
    },
    Control {
        path: PathBuf,
        meta: Meta,
        control: Control,
    },
    /// An agent socket, from `lstat`.
    Socket {
        path: PathBuf,
        meta: Meta,
    },
    /// A file in the password store that is not encrypted.
    Plaintext {
        path: PathBuf,
        meta: Meta,
    },
    /// Something deliberately not examined, or not examinable: a `skip` finding.
    Passed {
        path: PathBuf,
        code: &'static str,
        message: String,
    },
}

/// The result of one scan.
#[derive(Default)]
pub struct KeyScan {
    pub events: Vec<Event>,
}

impl KeyScan {
    pub fn keys(&self) -> impl Iterator<Item = &FoundKey> {
        self.events.iter().filter_map(|e| match e {
            Event::Key(key) => Some(key),
            _ => None,
        })
    }
}

/// How far to look.
#[derive(Clone)]
pub struct ScanOptions<'p> {
    pub deep: bool,
    /// The person's uid: a link is followed only through what they own.
    pub uid: u32,
    /// Files or directories the policy adds (`~/` means the home).
    pub extra_paths: Vec<String>,
    /// Told how a `--deep` walk of the whole home goes, which can take a while.
    pub progress: Option<&'p dyn WalkProgress>,
}

/// Hears how a `--deep` walk goes: a count of the entries looked at now and then
/// (at most ten times a second), and its end. What it shows, and where, is the
/// report's business.
pub trait WalkProgress: Sync {
    fn looked_at(&self, entries: u64);
    fn finished(&self);
}

struct Scanner<'a> {
    home: &'a SafeDir,
    uid: u32,
    events: Vec<Event>,
    /// Files already inspected, by device and inode: a key reached twice is one file.
    seen: HashSet<(u64, u64)>,
    /// Directories already walked: a link back to one is not walked again.
    walked: HashSet<(u64, u64)>,
    /// Entries looked at so far, against [`MAX_VISITED`].
    visited: usize,
}

/// Scans the key stores below `home`.
pub fn scan(home: &SafeDir, options: &ScanOptions) -> KeyScan {
    let mut scanner = Scanner {
        home,
        uid: options.uid,
        events: Vec::new(),
        seen: HashSet::new(),
        walked: HashSet::new(),
        visited: 0,
    };
    for (rel, store) in Store::ROOTS {
        scanner.store(rel, store);
    }
    for path in scanner.ssh_config_paths() {
        scanner.named(&path);
    }
    for extra in &options.extra_paths {
        let path = match extra.strip_prefix("~/") {
            Some(rest) => home.path().join(rest),
            None => PathBuf::from(extra),
        };
        scanner.named(&path);
    }
    if options.deep {
        scanner.deep(options.progress);
    }
    KeyScan {
        events: scanner.events,
    }
}

impl Scanner<'_> {
    fn passed(&mut self, path: PathBuf, code: &'static str, message: impl Into<String>) {
        self.events.push(Event::Passed {
            path,
            code,
            message: message.into(),
        });
    }

    /// One key store: its directory's metadata, then everything below it.
    fn store(&mut self, rel: &str, store: Store) {
        let path = self.home.path().join(rel);
        let dir = match self.home.open_within(Path::new(rel)) {
            Ok(dir) => dir,
            Err(FsError::NotFound) => {
                if store == Store::Ssh {
                    self.events.push(Event::StoreProblem {
                        path,
                        code: "no-ssh-dir",
                        message: "does not exist: no SSH keys to check".to_owned(),
                    });
                }
                return;
            }
            // A linked store (dotfiles): followed through the person's own files.
            Err(FsError::Symlink { .. }) => match self.follow_dir(Path::new(rel)) {
                Ok(dir) => dir,
                Err(refusal) => return self.refused_store(path, store, &refusal),
            },
            Err(FsError::NotDirectory(kind)) => {
                let message = format!("is {}, not a directory", kind.noun());
                self.events.push(Event::StoreProblem {
                    path,
                    code: store_code(store, "not-directory"),
                    message,
                });
                return;
            }
            Err(error) => {
                self.passed(path, "unreadable", format!("cannot be opened: {error}"));
                return;
            }
        };
        self.events.push(Event::Directory {
            path,
            meta: *dir.meta(),
            store,
        });
        self.walk(Arc::new(dir), store, 0);
    }

    /// The directory a link below the home leads to, by [`SafeDir::follow_within`].
    fn follow_dir(&self, rel: &Path) -> Result<SafeDir, Refusal> {
        let found = self.home.follow_within(rel, self.uid)?;
        if found.meta.kind != Kind::Directory {
            return Err(Refusal::new(
                found.path(),
                Why::NotDirectory(found.meta.kind),
            ));
        }
        found
            .dir
            .open_dir(&found.name)
            .map_err(|error| Refusal::new(found.path(), Why::Fs(error)))
    }

    /// A key store that is a link not followed: a failure when sshd would refuse
    /// the way too (whoever can write a place on it can swap the keys), else the
    /// store's problem as before.
    fn refused_store(&mut self, path: PathBuf, store: Store, refusal: &Refusal) {
        let code = store_code(store, "symlink");
        if refusal.sshd_refuses() {
            let sshd = if store == Store::Ssh {
                "sshd's StrictModes refuses authorized_keys through it, "
            } else {
                ""
            };
            let shown = match path.strip_prefix(self.home.path()) {
                Ok(rel) => format!("~/{}", crate::sanitize::display_path(rel)),
                Err(_) => crate::sanitize::display_path(&path),
            };
            let message = format!(
                "{shown} is a symbolic link that {refusal}: {sshd}whoever can write there can swap the keys, and the keys behind it were not checked"
            );
            self.events.push(Event::Refused {
                path,
                code,
                message,
            });
        } else {
            let message = format!(
                "is a symbolic link that {refusal}, so the keys behind it were not checked"
            );
            self.events.push(Event::StoreProblem {
                path,
                code,
                message,
            });
        }
    }

    fn walk(&mut self, dir: Arc<SafeDir>, store: Store, depth: usize) {
        let meta = dir.meta();
        if !self.walked.insert((meta.dev, meta.ino)) {
            return;
        }
        let (names, truncated) = match dir.entries(MAX_ENTRIES) {
            Ok(listing) => listing,
            Err(error) => {
                self.passed(
                    dir.path().to_owned(),
                    "unreadable",
                    format!("cannot list this directory: {error}"),
                );
                return;
            }
        };
        if truncated {
            self.passed(
                dir.path().to_owned(),
                "too-many-entries",
                FsError::TooManyEntries(MAX_ENTRIES).to_string(),
            );
        }
        let total = names.len();
        for (done, name) in names.into_iter().enumerate() {
            if self.visited >= MAX_VISITED {
                self.passed(
                    dir.path().to_owned(),
                    "too-many-entries",
                    format!(
                        "the key stores hold more than {MAX_VISITED} entries altogether; the last {} here were not looked at",
                        total - done
                    ),
                );
                break;
            }
            self.visited += 1;
            self.visit(&dir, name, store, depth);
        }
    }

    fn visit(&mut self, dir: &Arc<SafeDir>, name: OsString, store: Store, depth: usize) {
        let path = dir.child_path(&name);
        let meta = match dir.lstat(&name) {
            Ok(meta) => meta,
            Err(FsError::NotFound) => return, // removed while we looked
            Err(error) => return self.passed(path, "unreadable", error.to_string()),
        };
        match meta.kind {
            Kind::Regular => self.file(dir, &name.clone(), name, meta, store, depth),
            Kind::Directory if store == Store::Pass && name == ".git" => {}
            Kind::Directory if depth + 1 >= MAX_DEPTH => {
                self.passed(
                    path,
                    "too-deep",
                    format!("more than {MAX_DEPTH} levels below the key store; not walked"),
                );
            }
            Kind::Directory => match dir.open_dir(&name) {
                Ok(sub) => self.walk(Arc::new(sub), store, depth + 1),
                Err(error) => self.passed(path, "unreadable", error.to_string()),
            },
            // An agent's socket: owner and mode from lstat, never connected to.
            Kind::Socket if matches!(store, Store::Ssh | Store::Gnupg) => {
                self.events.push(Event::Socket { path, meta });
            }
            Kind::Symlink => self.follow_entry(dir, name, store, depth),
            other => self.passed(
                path,
                "not-regular-file",
                FsError::NotRegular(other).to_string(),
            ),
        }
    }

    /// A regular file; `shown` is the name it was found by (a link's, when it was
    /// reached through one), which says whether it is one of ssh's control files.
    fn file(
        &mut self,
        dir: &Arc<SafeDir>,
        shown: &OsStr,
        name: OsString,
        lstat: Meta,
        store: Store,
        depth: usize,
    ) {
        let control = match (store, depth, shown.as_bytes()) {
            (Store::Ssh, 0, b"authorized_keys" | b"authorized_keys2") => {
                Some(Control::AuthorizedKeys)
            }
            (Store::Ssh, 0, b"config") => Some(Control::SshConfig),
            (Store::Pass, _, _)
                if dir
                    .path()
                    .components()
                    .any(|c| c.as_os_str() == ".extensions") =>
            {
                Some(Control::PassExtension)
            }
            _ => None,
        };
        if let Some(control) = control {
            self.events.push(Event::Control {
                path: dir.child_path(&name),
                meta: lstat,
                control,
            });
        }
        if store == Store::Pass {
            // pass keeps every secret in a .gpg file; anything else that is not its
            // own bookkeeping is a secret in the clear.
            let bytes = name.as_bytes();
            let bookkeeping =
                bytes == b".gpg-id" || bytes.starts_with(b".git") || control.is_some();
            if !bytes.ends_with(b".gpg") && !bookkeeping {
                self.events.push(Event::Plaintext {
                    path: dir.child_path(&name),
                    meta: lstat,
                });
            }
            return;
        }
        if lstat.size < MIN_KEY_BYTES {
            return;
        }
        self.inspect_file(dir, name, &lstat, store);
    }

    /// A link in a key store: followed through the person's own files to what it
    /// names (a key, a control file, a directory), or passed by with the reason —
    /// a failure when sshd would refuse the way to `authorized_keys` or `config`.
    fn follow_entry(&mut self, dir: &Arc<SafeDir>, name: OsString, store: Store, depth: usize) {
        let path = dir.child_path(&name);
        let found = match path.strip_prefix(self.home.path()) {
            Ok(rel) => self.home.follow_within(rel, self.uid),
            Err(_) => Err(Refusal::new(path.clone(), Why::OutsideHome)),
        };
        let found = match found {
            Ok(found) => found,
            Err(refusal) => {
                let control = store == Store::Ssh
                    && depth == 0
                    && matches!(name.as_bytes(), b"authorized_keys" | b"authorized_keys2");
                if control && refusal.sshd_refuses() {
                    return self.events.push(Event::Refused {
                        path,
                        code: "authorized-keys-writable",
                        message: format!(
                            "authorized_keys is a symbolic link that {refusal}: sshd's StrictModes ignores it, and whoever can write there can log in as you"
                        ),
                    });
                }
                let message = format!("is a symbolic link that {refusal}");
                return self.passed(path, "symlink-not-followed", message);
            }
        };
        match found.meta.kind {
            Kind::Regular => {
                let target = Arc::new(found.dir);
                self.file(&target, &name, found.name, found.meta, store, depth);
            }
            Kind::Directory if depth + 1 >= MAX_DEPTH => self.passed(
                path,
                "too-deep",
                format!("more than {MAX_DEPTH} levels below the key store; not walked"),
            ),
            Kind::Directory => match found.dir.open_dir(&found.name) {
                Ok(sub) => self.walk(Arc::new(sub), store, depth + 1),
                Err(error) => self.passed(path, "unreadable", error.to_string()),
            },
            other => self.passed(
                path,
                "not-regular-file",
                FsError::NotRegular(other).to_string(),
            ),
        }
    }

    /// Opens, reads the first 64 KiB, and records a key if it is one.
    fn inspect_file(&mut self, dir: &Arc<SafeDir>, name: OsString, lstat: &Meta, store: Store) {
        if !self.seen.insert((lstat.dev, lstat.ino)) {
            return;
        }
        let path = dir.child_path(&name);
        let mut file = match dir.open_file(&name, lstat) {
            Ok(file) => file,
            Err(FsError::NotFound) => return,
            Err(error) => {
                let code = match error {
                    FsError::Symlink { .. } => "symlink-not-followed",
                    FsError::NotRegular(_) | FsError::Changed => "not-regular-file",
                    _ => "unreadable",
                };
                return self.passed(path, code, error.to_string());
            }
        };
        let inspection = match read_key_bytes(&mut file) {
            Ok(prefix) => inspect(&prefix),
            Err(error) => return self.passed(path, "unreadable", error.to_string()),
        };
        if let Some(inspection) = inspection {
            let meta = *file.meta();
            self.events.push(Event::Key(FoundKey {
                dir: Arc::clone(dir),
                name,
                path,
                meta,
                location: file.location(),
                inspection,
                store,
            }));
        }
    }

    /// A file or directory named by the policy or by `~/.ssh/config`. Inside the
    /// home, links are followed through the person's own files only; outside it,
    /// links along its directory path are followed, because the person chose that
    /// path, and the last component never is.
    fn named(&mut self, path: &Path) {
        if let Ok(rel) = path.strip_prefix(self.home.path()) {
            // Inside the home, links are followed only through the person's own.
            let found = match self.home.follow_within(rel, self.uid) {
                Ok(found) => found,
                Err(Refusal {
                    why: Why::Fs(FsError::NotFound | FsError::NoFileName),
                    ..
                }) => return,
                Err(refusal) => {
                    let message = format!("is named by the policy or ~/.ssh/config, and {refusal}");
                    return self.passed(path.to_owned(), "symlink-not-followed", message);
                }
            };
            match found.meta.kind {
                Kind::Directory => match found.dir.open_dir(&found.name) {
                    Ok(sub) => self.walk(Arc::new(sub), Store::Named, 0),
                    Err(error) => self.passed(path.to_owned(), "unreadable", error.to_string()),
                },
                _ => self.visit(&Arc::new(found.dir), found.name, Store::Named, 0),
            }
            return;
        }
        let Some((dir, name)) = self.home.parent_of(path) else {
            return;
        };
        let Ok(meta) = dir.lstat(name) else { return };
        let dir = Arc::new(dir);
        match meta.kind {
            Kind::Directory => {
                if let Ok(sub) = dir.open_dir(name) {
                    self.walk(Arc::new(sub), Store::Named, 0);
                }
            }
            _ => self.visit(&dir, name.to_owned(), Store::Named, 0),
        }
    }

    /// `IdentityFile` and `CertificateFile` from `~/.ssh/config` and the files it
    /// includes (read as ssh reads them, see `crate::ssh_config`), with `~`, `%d`
    /// and `%u`-free paths resolved as ssh does (relative ones from the home).
    fn ssh_config_paths(&self) -> Vec<PathBuf> {
        let config = crate::ssh_config::read_user(self.home, self.uid);
        let values = config
            .directives
            .iter()
            .filter(|d| d.keyword == "identityfile" || d.keyword == "certificatefile")
            .filter_map(|d| d.args.first());
        identity_paths(values, self.home.path())
    }
}

/// What a key can be: the first [`KEY_PREFIX_BYTES`] of a file, or the whole of
/// a PKCS#12 file up to a MiB.
pub fn read_key_bytes(file: &mut SafeFile) -> Result<Zeroizing<Vec<u8>>, FsError> {
    let prefix = file.read_prefix(KEY_PREFIX_BYTES)?;
    let longer = file.meta().size > KEY_PREFIX_BYTES as u64;
    if prefix.len() < KEY_PREFIX_BYTES || !longer || !super::wants_whole_file(&prefix) {
        return Ok(prefix);
    }
    let rest = file.read_prefix(MAX_WHOLE_FILE_BYTES - KEY_PREFIX_BYTES)?;
    // One buffer of the final size, so that no reallocation leaves a copy unwiped.
    let mut whole = Zeroizing::new(Vec::with_capacity(prefix.len() + rest.len()));
    whole.extend_from_slice(&prefix);
    whole.extend_from_slice(&rest);
    Ok(whole)
}

fn event_path(event: &Event) -> &Path {
    match event {
        Event::Key(key) => &key.path,
        Event::Directory { path, .. }
        | Event::Refused { path, .. }
        | Event::StoreProblem { path, .. }
        | Event::Control { path, .. }
        | Event::Socket { path, .. }
        | Event::Plaintext { path, .. }
        | Event::Passed { path, .. } => path,
    }
}

fn store_code(store: Store, what: &str) -> &'static str {
    match (store, what) {
        (Store::Ssh, "symlink") => "ssh-dir-symlink",
        (Store::Ssh, _) => "ssh-dir-not-directory",
        (_, "symlink") => "symlink-not-followed",
        _ => "not-regular-file",
    }
}

/// The files that `IdentityFile` and `CertificateFile` values name, each once.
pub fn identity_paths<'a>(values: impl Iterator<Item = &'a OsString>, home: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for value in values {
        let value = value.as_bytes();
        if value.is_empty()
            || value == b"none"
            || value.contains(&b'%') && !value.starts_with(b"%d/")
        {
            continue;
        }
        let path = if let Some(rest) = value
            .strip_prefix(b"~/")
            .or_else(|| value.strip_prefix(b"%d/"))
        {
            home.join(OsStr::from_bytes(rest))
        } else if value.starts_with(b"/") {
            PathBuf::from(OsStr::from_bytes(value))
        } else {
            home.join(OsStr::from_bytes(value))
        };
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of one config text, split as `crate::ssh_config` splits lines.
    fn parse_identity_files(text: &[u8], home: &Path) -> Vec<PathBuf> {
        let values: Vec<OsString> = text
            .split(|&b| b == b'\n')
            .filter_map(|line| crate::ssh_config::split_line(line).ok().flatten())
            .filter(|l| l.keyword == "identityfile" || l.keyword == "certificatefile")
            .filter_map(|l| l.args.into_iter().next())
            .collect();
        identity_paths(values.iter(), home)
    }

    #[test]
    fn identity_files_are_read_as_ssh_reads_them() {
        let config = b"Host *\n  IdentityFile ~/.ssh/id_work\n  identityfile=\"/opt/keys/deploy key\"\n\tCertificateFile = %d/certs/c.pub\n# IdentityFile ~/commented\nIdentityFile keys/relative\nIdentityFile ~/.ssh/id_%r\nIdentityFile none\n";
        let paths = parse_identity_files(config, Path::new("/home/a"));
        assert_eq!(
            paths,
            [
                PathBuf::from("/home/a/.ssh/id_work"),
                PathBuf::from("/opt/keys/deploy key"),
                PathBuf::from("/home/a/certs/c.pub"),
                PathBuf::from("/home/a/keys/relative"),
            ]
        );
    }
}
