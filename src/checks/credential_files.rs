//! Credential files (policy `password-usage`): the files tools keep passwords and
//! tokens in, reported only when one actually holds a secret, with its mode (0600 at
//! most), whether it sits on an encrypted filesystem, and what to use instead.
//!
//! Reads: the first MiB of each known credential file, through the safe layer;
//! `/proc` and `/sys` for the encryption verdict. Never: prints the secret; only the
//! line it is on is named.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::path::Path;

use super::{Check, CheckError, Context, Finding, ModeFix, Status};
use crate::at_rest::{Roots, at_rest};
use crate::fs::{FsError, perm};
use crate::plaintext::credentials::FILES;
use crate::policy::Level;
use crate::sanitize::shell_word;

const ID: &str = "credential-files";
const ITEM: &str = "password-usage";
const MAX_BYTES: usize = 1 << 20;

pub struct CredentialFiles;

impl Check for CredentialFiles {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "no password or token in plaintext credential files (~/.netrc, ~/.pgpass, docker, cloud and package tools); any that must exist private (0600) and on an encrypted filesystem"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "credential-file-readable",
            "credential-file-plaintext",
            "plaintext-on-unencrypted-fs",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let level = cx.policy.level(ITEM);
        let roots = Roots::system();
        // A file that is there but cannot be read is a skip saying why, never a pass.
        let unread = |path: &Path, why: String| {
            Finding::new(ID, ITEM, level, Status::Skip, "credential-file-plaintext")
                .at(path)
                .says(why)
        };
        for entry in FILES {
            let wanted = home.path().join(entry.path);
            let (dir, name) = match home.open_parent(&wanted) {
                Ok(found) => found,
                Err(FsError::NotFound | FsError::NotDirectory(_)) => continue,
                Err(error) => {
                    let why = format!("the directory holding it cannot be opened: {error}");
                    out.push(unread(&wanted, why));
                    continue;
                }
            };
            let path = dir.child_path(name);
            let opened = dir.lstat(name).and_then(|seen| dir.open_file(name, &seen));
            let mut file = match opened {
                Ok(file) => file,
                Err(FsError::NotFound) => continue,
                Err(error) => {
                    out.push(unread(&path, error.to_string()));
                    continue;
                }
            };
            let text = match file.read_prefix(MAX_BYTES) {
                Ok(text) => text,
                Err(error) => {
                    out.push(unread(&path, error.to_string()));
                    continue;
                }
            };
            let Some(line) = entry.detect.detect(&text) else {
                continue;
            };
            let meta = *file.meta();
            let at_rest = at_rest(&roots, &file.location());
            let (verdict, unencrypted) = (at_rest.describe(), at_rest.is_known_unencrypted());
            let finding = |status, code| {
                Finding::new(ID, ITEM, level, status, code)
                    .at(&path)
                    .on_line(line)
            };
            let held = format!("holds a password or token in the clear (line {line})");
            let readable = meta.mode & perm::GROUP_OR_OTHER != 0;
            if readable {
                out.push(
                    finding(Status::Fail, "credential-file-readable")
                        .says(format!(
                            "{held}, and others can read it (mode {}); {verdict}",
                            perm::octal(meta.mode)
                        ))
                        .on(&verdict)
                        .fix(format!(
                            "chmod 600 {}; better, use {}",
                            shell_word(path.as_os_str()),
                            entry.instead()
                        ))
                        .fixes_mode(&path, ModeFix::Set(0o600)),
                );
            }
            if unencrypted {
                out.push(
                    finding(Status::Fail, "plaintext-on-unencrypted-fs")
                        .says(format!(
                            "{held} on a filesystem that is not encrypted: {verdict}"
                        ))
                        .on(&verdict)
                        .fix(format!("use {}", entry.instead())),
                );
            }
            if !readable && !unencrypted {
                out.push(
                    finding(Status::Warn, "credential-file-plaintext")
                        .level(Level::Should)
                        .says(format!(
                            "{held}, mode {}; {verdict}",
                            perm::octal(meta.mode)
                        ))
                        .on(&verdict)
                        .fix(format!("use {}", entry.instead())),
                );
            }
        }
        Ok(())
    }
}
