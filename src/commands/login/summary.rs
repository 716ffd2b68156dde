//! The summary a full check leaves for the logins after it (`login-summary.json` in
//! the state directory): the login lines of the must-level problems, each with the
//! file it is about as `lstat` saw it then. Every full run of the default check
//! writes it, and a login trusts a line only while its file is still as it was: a
//! problem whose file was removed, or changed its mode, owner, inode, size or
//! modification time since, is checked again or dropped.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::fs::{FsError, Meta, SafeDir};
use crate::report::Report;
use crate::report::entries::Place;
use crate::report::login::{entry_text, must_entries};

/// Its name in the state directory.
pub const CACHE_FILE: &str = "login-summary.json";

/// What a full check found, kept for the logins until the next one.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Seconds since the epoch.
    pub written_at: i64,
    /// One per file with a must-level problem, in the order a login shows them.
    pub problems: Vec<Cached>,
}

/// One login line and the file it is about.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Cached {
    /// The line's words, not cut: the width is each login's own.
    pub text: String,
    /// The file's absolute path, as bytes (a path need not be UTF-8); none for a
    /// problem of no one file.
    pub path: Option<Vec<u8>>,
    /// The file as it was when the problem was found; none when it could not be
    /// looked at then (the line is then checked again at every login).
    pub seen: Option<Seen>,
}

/// What `lstat` said of a file: a change in any of it means the problem may be gone.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seen {
    pub mode: u32,
    pub uid: u32,
    pub ino: u64,
    pub size: u64,
    pub modified: (i64, i64),
}

impl Seen {
    fn of(meta: &Meta) -> Seen {
        Seen {
            mode: meta.mode,
            uid: meta.uid,
            ino: meta.ino,
            size: meta.size,
            modified: meta.modified,
        }
    }
}

/// `lstat` of `path` as the home sees it: no link followed below the home; the home
/// itself from its open descriptor.
fn look(home: &SafeDir, path: &Path) -> Result<Meta, FsError> {
    if path == home.path() {
        return SafeDir::open_root(path).map(|dir| *dir.meta());
    }
    let (dir, name) = home.open_parent(path)?;
    dir.lstat(name)
}

impl Summary {
    /// The summary of `report`, the files looked at now.
    pub fn of(report: &Report, home: &SafeDir, now: i64) -> Summary {
        let problems = must_entries(report.findings.iter())
            .iter()
            .map(|entry| {
                let path = match entry.place {
                    Place::File(path) => Some(path),
                    Place::Item(_) => None,
                };
                Cached {
                    text: entry_text(entry, &report.home),
                    path: path.map(|p| p.as_os_str().as_bytes().to_vec()),
                    seen: path.and_then(|p| look(home, p).ok()).map(|m| Seen::of(&m)),
                }
            })
            .collect();
        Summary {
            written_at: now,
            problems,
        }
    }

    /// Splits the summary by whether each problem's file is as it was: the lines
    /// still true (problems of no one file included), and whether any was not.
    pub fn still_true(&self, home: &SafeDir) -> (Summary, bool) {
        let mut changed = false;
        let problems = self
            .problems
            .iter()
            .filter(|cached| {
                let Some(path) = &cached.path else {
                    return true;
                };
                let path = Path::new(std::ffi::OsStr::from_bytes(path));
                let now = look(home, path).ok().map(|m| Seen::of(&m));
                let same = now.is_some() && now == cached.seen;
                changed |= !same;
                same
            })
            .cloned()
            .collect();
        (
            Summary {
                written_at: self.written_at,
                problems,
            },
            changed,
        )
    }

    /// The lines' words, in order.
    pub fn texts(&self) -> Vec<String> {
        self.problems.iter().map(|p| p.text.clone()).collect()
    }
}

/// Writes the summary of `report` for the next logins; a failure costs a login that
/// checks in full, never the run.
pub fn write(report: &Report, account: &Account, now: i64) {
    let Ok(home) = SafeDir::open_root(&account.home) else {
        return;
    };
    let summary = Summary::of(report, &home, now);
    let _ = crate::state::write_json(&home, account, CACHE_FILE, &summary);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn cached(path: &Path, seen: Option<Seen>) -> Cached {
        Cached {
            text: "FAIL x".to_owned(),
            path: Some(path.as_os_str().as_bytes().to_vec()),
            seen,
        }
    }

    #[test]
    fn a_line_stays_only_while_its_file_is_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let home = SafeDir::open_root(dir.path()).unwrap();
        let file = dir.path().join("netrc");
        std::fs::write(&file, b"machine m password p\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let seen = look(&home, &file).ok().map(|m| Seen::of(&m));
        let summary = Summary {
            written_at: 1,
            problems: vec![
                cached(&file, seen),
                Cached {
                    text: "FAIL no file".to_owned(),
                    path: None,
                    seen: None,
                },
            ],
        };
        // Nothing changed: the same lines.
        let (kept, changed) = summary.still_true(&home);
        assert!(!changed);
        assert_eq!(kept, summary);
        // A chmod: the line is no longer trusted.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (kept, changed) = summary.still_true(&home);
        assert!(changed);
        assert_eq!(kept.texts(), ["FAIL no file"]);
        // Removed: likewise.
        std::fs::remove_file(&file).unwrap();
        assert!(summary.still_true(&home).1);
        // A line whose file was never seen is never trusted.
        let unseen = Summary {
            written_at: 1,
            problems: vec![cached(&dir.path().join("gone"), None)],
        };
        assert!(unseen.still_true(&home).1);
    }
}
