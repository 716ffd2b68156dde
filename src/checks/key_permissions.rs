//! Key permissions (policy `key-security`): who can read the private keys in
//! `~/.ssh`, and whether OpenSSH would trust the directory and its control files.
//!
//! Reads: the metadata of every entry under `~/.ssh` (four levels deep), and the first
//! 64 KiB of each regular file, only to tell whether it holds a private key.
//! Never: follows a link, opens a FIFO, socket or device, or prints what it read.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::{Check, CheckError, Context, Finding, Status};
use crate::account::Account;
use crate::fs::perm::{self, Access, Who};
use crate::fs::{FsError, Kind, Meta, SafeDir};
use crate::keyformat::{self, KeyFormat};
use crate::policy::Level;
use crate::sanitize::{display_bytes, shell_word};

const ID: &str = "key-permissions";
const ITEM: &str = "key-security";
/// Enough to hold any private key's header and body; a key is never larger.
const KEY_PREFIX_BYTES: usize = 64 * 1024;
/// The shortest private-key marker, `(11:private-key`; a smaller file cannot hold a key
/// and is not opened.
const MIN_KEY_BYTES: u64 = 15;
/// `~/.ssh/a/b/c/d` at the deepest; people nest keys by project, not deeper.
const MAX_DEPTH: usize = 4;
/// Entries looked at per directory; a directory with more is reported, not walked.
const MAX_ENTRIES: usize = 250_000;

pub struct KeyPermissions;

impl Check for KeyPermissions {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "private keys in ~/.ssh readable only by their owner (at most the policy's mode, 0400); ~/.ssh 0700; authorized_keys and config not writable by others"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "home-ok",
            "home-writable",
            "home-not-owned",
            "ssh-dir-ok",
            "ssh-dir-too-open",
            "ssh-dir-not-owned",
            "ssh-dir-symlink",
            "ssh-dir-not-directory",
            "no-ssh-dir",
            "private-key-ok",
            "private-key-world-accessible",
            "private-key-group-writable",
            "private-key-group-readable",
            "private-key-owner-writable",
            "private-key-ssh-refuses",
            "private-key-not-owned",
            "authorized-keys-ok",
            "authorized-keys-writable",
            "authorized-keys-not-owned",
            "ssh-config-ok",
            "ssh-config-writable",
            "ssh-config-not-owned",
            "symlink-not-followed",
            "not-regular-file",
            "unreadable",
            "too-many-entries",
            "too-deep",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let scan = Scan {
            account: cx.account,
            level: cx.policy.level(ITEM),
            max_mode: cx.policy.mode(ITEM, "max-mode"),
            dir_max_mode: cx.policy.mode(ITEM, "ssh-dir-max-mode"),
        };
        scan.check_home(home, out);
        let name = OsStr::new(".ssh");
        let path = home.child_path(name);
        let ssh = match home.open_dir(name) {
            Ok(ssh) => ssh,
            Err(FsError::NotFound) => {
                out.push(
                    scan.finding(Status::Skip, "no-ssh-dir", &path)
                        .says("does not exist: no SSH keys to check"),
                );
                return Ok(());
            }
            Err(error @ FsError::Symlink { .. }) => {
                out.push(
                    scan.finding(Status::Warn, "ssh-dir-symlink", &path)
                        .level(Level::Should)
                        .says(format!(
                            "~/.ssh {error}, so the keys behind it were not checked"
                        )),
                );
                return Ok(());
            }
            Err(FsError::NotDirectory(kind)) => {
                out.push(
                    scan.finding(Status::Warn, "ssh-dir-not-directory", &path)
                        .level(Level::Should)
                        .says(format!("~/.ssh is {}, not a directory", kind.noun())),
                );
                return Ok(());
            }
            Err(error) => return Err(CheckError(format!("cannot open ~/.ssh: {error}"))),
        };
        scan.check_ssh_dir(&ssh, out);
        scan.walk(&ssh, 0, out);
        Ok(())
    }
}

/// The rules of one run, taken from the policy once.
struct Scan<'a> {
    account: &'a Account,
    level: Level,
    max_mode: u32,
    dir_max_mode: u32,
}

impl Scan<'_> {
    fn finding(&self, status: Status, code: &'static str, path: &Path) -> Finding {
        Finding::new(ID, ITEM, self.level, status, code).at(path)
    }

    fn chmod(&self, mode: u32, path: &Path) -> String {
        format!("chmod {mode:o} {}", shell_word(path.as_os_str()))
    }

    fn chown(&self, path: &Path) -> String {
        format!(
            "sudo chown {}: {}",
            self.account.name,
            shell_word(path.as_os_str())
        )
    }

    /// A thing that belongs to someone else: its owner can read or replace it.
    fn not_owned(
        &self,
        code: &'static str,
        path: &Path,
        what: &str,
        uid: u32,
        consequence: &str,
    ) -> Finding {
        self.finding(Status::Fail, code, path)
            .says(format!(
                "{what} belongs to {}, not to {}{consequence}",
                Self::owner_name(uid),
                self.account.name
            ))
            .fix(self.chown(path))
    }

    fn owner_name(uid: u32) -> String {
        match Account::name_of_uid(uid) {
            Some(name) => format!("{} (uid {uid})", display_bytes(name.as_bytes())),
            None => format!("uid {uid}"),
        }
    }

    /// Whoever can write the home can swap `~/.ssh` for their own; sshd's StrictModes
    /// refuses `authorized_keys` then. Debian's OpenSSH accepts a group-writable home
    /// when the group holds only its owner (a user private group), so that is a
    /// warning rather than a failure.
    fn check_home(&self, home: &SafeDir, out: &mut Vec<Finding>) {
        let meta = home.meta();
        let path = home.path();
        let mode = perm::octal(meta.mode);
        let fix = format!("chmod go-w {}", shell_word(path.as_os_str()));
        let consequence = "whoever can write it can replace ~/.ssh and its keys, and sshd's StrictModes then refuses your authorized_keys";
        if meta.uid != self.account.uid && meta.uid != 0 {
            let consequence = format!("; {consequence}");
            out.push(self.not_owned(
                "home-not-owned",
                path,
                "the home directory",
                meta.uid,
                &consequence,
            ));
        } else if perm::grants(meta.mode, Who::Other, Access::Write) {
            out.push(
                self.finding(Status::Fail, "home-writable", path)
                    .says(format!(
                        "the home directory is writable by others (mode {mode}); {consequence}"
                    ))
                    .fix(fix),
            );
        } else if perm::grants(meta.mode, Who::Group, Access::Write) {
            let private_group = meta.gid == self.account.gid
                && Self::group_holds_only(meta.gid, &self.account.name);
            let finding = if private_group {
                self.finding(Status::Warn, "home-writable", path).level(Level::Should).says(format!(
                    "the home directory is writable by its group (mode {mode}), which holds only you; Debian's OpenSSH accepts that, upstream OpenSSH does not"
                ))
            } else {
                self.finding(Status::Fail, "home-writable", path)
                    .says(format!(
                        "the home directory is writable by its group (mode {mode}); {consequence}"
                    ))
            };
            out.push(finding.fix(fix));
        } else {
            out.push(self.finding(Status::Pass, "home-ok", path).says(format!(
                "the home directory is not writable by others (mode {mode})"
            )));
        }
    }

    /// Whether a group lists no member but `name` (its own private group).
    fn group_holds_only(gid: u32, name: &str) -> bool {
        nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
            .ok()
            .flatten()
            .is_some_and(|group| group.mem.iter().all(|member| member == name))
    }

    fn check_ssh_dir(&self, ssh: &SafeDir, out: &mut Vec<Finding>) {
        let meta = ssh.meta();
        let path = ssh.path();
        let mut ok = true;
        if meta.uid != self.account.uid {
            ok = false;
            out.push(self.not_owned("ssh-dir-not-owned", path, "~/.ssh", meta.uid, ""));
        }
        // Permission bits only: a set-group-id bit on the directory grants nobody access.
        if meta.mode & 0o777 & !self.dir_max_mode != 0 {
            ok = false;
            out.push(
                self.finding(Status::Fail, "ssh-dir-too-open", path)
                    .says(format!(
                        "~/.ssh has mode {}; it must be {} or tighter so that nobody else can list, add or swap keys",
                        perm::octal(meta.mode),
                        perm::octal(self.dir_max_mode)
                    ))
                    .fix(self.chmod(self.dir_max_mode, path)),
            );
        }
        if ok {
            out.push(self.finding(Status::Pass, "ssh-dir-ok", path).says(format!(
                "mode {}, owned by {}",
                perm::octal(meta.mode),
                self.account.name
            )));
        }
    }

    fn walk(&self, dir: &SafeDir, depth: usize, out: &mut Vec<Finding>) {
        let (names, truncated) = match dir.entries(MAX_ENTRIES) {
            Ok(listing) => listing,
            Err(error) => {
                out.push(
                    self.finding(Status::Error, "unreadable", dir.path())
                        .says(format!("cannot list this directory: {error}")),
                );
                return;
            }
        };
        if truncated {
            out.push(
                self.finding(Status::Skip, "too-many-entries", dir.path())
                    .says(FsError::TooManyEntries(MAX_ENTRIES).to_string()),
            );
        }
        for name in names {
            self.visit(dir, &name, depth, out);
        }
    }

    fn visit(&self, dir: &SafeDir, name: &OsString, depth: usize, out: &mut Vec<Finding>) {
        let path = dir.child_path(name);
        let meta = match dir.lstat(name) {
            Ok(meta) => meta,
            Err(FsError::NotFound) => return, // removed while we looked
            Err(error) => {
                out.push(
                    self.finding(Status::Skip, "unreadable", &path)
                        .says(error.to_string()),
                );
                return;
            }
        };
        match meta.kind {
            Kind::Regular => self.check_file(dir, name, &meta, depth, out),
            Kind::Directory if depth + 1 >= MAX_DEPTH => {
                out.push(self.finding(Status::Skip, "too-deep", &path).says(format!(
                    "more than {MAX_DEPTH} levels below ~/.ssh; not walked"
                )));
            }
            Kind::Directory => match dir.open_dir(name) {
                Ok(sub) => self.walk(&sub, depth + 1, out),
                Err(error) => out.push(
                    self.finding(Status::Skip, "unreadable", &path)
                        .says(error.to_string()),
                ),
            },
            Kind::Symlink => {
                let error = FsError::Symlink {
                    target: dir.read_link(name),
                };
                out.push(
                    self.finding(Status::Skip, "symlink-not-followed", &path)
                        .says(format!("{error}")),
                );
            }
            other => {
                out.push(
                    self.finding(Status::Skip, "not-regular-file", &path)
                        .says(FsError::NotRegular(other).to_string()),
                );
            }
        }
    }

    fn check_file(
        &self,
        dir: &SafeDir,
        name: &OsStr,
        lstat: &Meta,
        depth: usize,
        out: &mut Vec<Finding>,
    ) {
        let path = dir.child_path(name);
        let control = match name.as_bytes() {
            b"authorized_keys" | b"authorized_keys2" if depth == 0 => {
                Some(ControlFile::AuthorizedKeys)
            }
            b"config" if depth == 0 => Some(ControlFile::Config),
            _ => None,
        };
        if control.is_none() && lstat.size < MIN_KEY_BYTES {
            return;
        }
        let mut file = match dir.open_file(name, lstat) {
            Ok(file) => file,
            Err(FsError::NotFound) => return,
            Err(error) => {
                let code = match error {
                    FsError::Symlink { .. } => "symlink-not-followed",
                    FsError::NotRegular(_) | FsError::Changed => "not-regular-file",
                    _ => "unreadable",
                };
                out.push(
                    self.finding(Status::Skip, code, &path)
                        .says(error.to_string()),
                );
                return;
            }
        };
        let meta = *file.meta();
        if let Some(kind) = control {
            self.check_control_file(&path, &meta, kind, out);
        }
        let format = match file.read_prefix(KEY_PREFIX_BYTES) {
            Ok(prefix) => keyformat::classify(&prefix),
            Err(error) => {
                out.push(
                    self.finding(Status::Skip, "unreadable", &path)
                        .says(error.to_string()),
                );
                return;
            }
        };
        if let Some(format) = format {
            self.check_private_key(&path, &meta, format, out);
        }
    }

    fn check_control_file(
        &self,
        path: &Path,
        meta: &Meta,
        kind: ControlFile,
        out: &mut Vec<Finding>,
    ) {
        let (what, ok, writable, not_owned) = match kind {
            ControlFile::AuthorizedKeys => (
                "authorized_keys",
                "authorized-keys-ok",
                "authorized-keys-writable",
                "authorized-keys-not-owned",
            ),
            ControlFile::Config => (
                "ssh config",
                "ssh-config-ok",
                "ssh-config-writable",
                "ssh-config-not-owned",
            ),
        };
        let consequence = match kind {
            ControlFile::AuthorizedKeys => {
                "anyone who can write it can log in as you, and sshd's StrictModes ignores it"
            }
            ControlFile::Config => {
                "anyone who can write it can redirect your connections, and ssh refuses to read it"
            }
        };
        let mut good = true;
        if meta.uid != self.account.uid && meta.uid != 0 {
            good = false;
            out.push(self.not_owned(not_owned, path, what, meta.uid, &format!("; {consequence}")));
        }
        if perm::writable_by_group_or_other(meta.mode) {
            good = false;
            out.push(
                self.finding(Status::Fail, writable, path)
                    .says(format!(
                        "{what} is writable by group or others (mode {}); {consequence}",
                        perm::octal(meta.mode)
                    ))
                    .fix(format!("chmod go-w {}", shell_word(path.as_os_str()))),
            );
        }
        if good {
            out.push(self.finding(Status::Pass, ok, path).says(format!(
                "{what} is not writable by others (mode {})",
                perm::octal(meta.mode)
            )));
        }
    }

    fn check_private_key(
        &self,
        path: &Path,
        meta: &Meta,
        format: KeyFormat,
        out: &mut Vec<Finding>,
    ) {
        let what = format!("{} private key", format.name());
        let mode = perm::octal(meta.mode);
        let allowed = perm::octal(self.max_mode);
        let extra = meta.mode & !self.max_mode;
        let mut good = true;
        if meta.uid != self.account.uid {
            good = false;
            out.push(self.not_owned("private-key-not-owned", path, &what, meta.uid, ""));
        }
        let ssh_refuses =
            "OpenSSH refuses to use a private key that its group or others can access";
        let tighten = self.chmod(self.max_mode, path);
        let (status, level, code, message, fix) = if perm::any_for_other(extra) {
            (
                Status::Fail,
                self.level,
                "private-key-world-accessible",
                format!(
                    "{what} is accessible to others (mode {mode}); the policy allows at most {allowed}, and {ssh_refuses}"
                ),
                tighten,
            )
        } else if perm::grants(extra, Who::Group, Access::Write)
            || perm::grants(extra, Who::Group, Access::Execute)
        {
            (
                Status::Fail,
                self.level,
                "private-key-group-writable",
                format!(
                    "{what} is writable by its group (mode {mode}); the policy allows at most {allowed}, and {ssh_refuses}"
                ),
                tighten,
            )
        } else if perm::grants(extra, Who::Group, Access::Read) {
            (
                Status::Fail,
                self.level,
                "private-key-group-readable",
                format!(
                    "{what} is readable by its group (mode {mode}). The standard tolerates group read, but this policy allows at most {allowed}, and {ssh_refuses}"
                ),
                tighten,
            )
        } else if extra != 0 {
            (
                Status::Warn,
                Level::Should,
                "private-key-owner-writable",
                format!(
                    "{what} has mode {mode}; the standard asks for as close to {allowed} as possible, so that it cannot be overwritten by mistake"
                ),
                tighten,
            )
        } else if meta.mode & perm::GROUP_OR_OTHER != 0 {
            (
                Status::Warn,
                Level::Should,
                "private-key-ssh-refuses",
                format!("{what} has mode {mode}, which this policy allows, but {ssh_refuses}"),
                format!("chmod go= {}", shell_word(path.as_os_str())),
            )
        } else if good {
            (
                Status::Pass,
                self.level,
                "private-key-ok",
                format!("{what}, mode {mode}, owned by {}", self.account.name),
                String::new(),
            )
        } else {
            return;
        };
        let finding = self.finding(status, code, path).level(level).says(message);
        out.push(if fix.is_empty() {
            finding
        } else {
            finding.fix(fix)
        });
    }
}

#[derive(Clone, Copy)]
enum ControlFile {
    AuthorizedKeys,
    Config,
}
