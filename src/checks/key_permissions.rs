//! Key permissions (policy `key-security`): who can read the private keys in every
//! key store, and whether OpenSSH would trust the home, `~/.ssh` and its control
//! files. Each mode that is too open carries the change its fix makes, which
//! `--fix` applies after the checks (see `commands::fix`).
//!
//! Reads: nothing itself beyond the home's `fstat`; it judges what the shared key
//! scan found (see `keys::scan`). Never: follows a link, opens a FIFO, socket or
//! device, or prints what a file holds.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::path::Path;

use super::key_encryption::{group_by_identity, short};
use super::{Check, CheckError, Context, Finding, ModeFix, Status};
use crate::account::Account;
use crate::fs::perm::{self, Access, Who};
use crate::fs::{Meta, SafeDir};
use crate::keys::KeyFormat;
use crate::keys::scan::{Control, Event, FoundKey, Store};
use crate::policy::Level;
use crate::sanitize::{display_bytes, shell_word};

const ID: &str = "key-permissions";
const ITEM: &str = "key-security";

pub struct KeyPermissions;

impl Check for KeyPermissions {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "private keys in every key store readable only by their owner (at most the policy's mode, 0400); the home, ~/.ssh and ~/.gnupg closed to others; agent sockets private; authorized_keys and config not writable by others"
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
            "key-dir-ok",
            "key-dir-too-open",
            "key-dir-not-owned",
            "private-key-ok",
            "private-key-world-accessible",
            "private-key-group-writable",
            "private-key-group-readable",
            "private-key-owner-writable",
            "private-key-ssh-refuses",
            "private-key-not-owned",
            "private-key-mode-fixed",
            "authorized-keys-ok",
            "authorized-keys-writable",
            "authorized-keys-not-owned",
            "ssh-config-ok",
            "ssh-config-writable",
            "ssh-config-not-owned",
            "pass-extension-writable",
            "agent-socket-ok",
            "agent-socket-exposed",
            "symlink-not-followed",
            "not-regular-file",
            "unreadable",
            "too-many-entries",
            "too-deep",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let judge = Judge {
            account: cx.account,
            home: home.path(),
            level: cx.policy.level(ITEM),
            max_mode: cx.policy.mode(ITEM, "max-mode"),
            dir_max_mode: cx.policy.mode(ITEM, "ssh-dir-max-mode"),
        };
        judge.check_home(home, out);
        let scan = cx.key_scan()?;
        for event in &scan.events {
            match event {
                Event::Key(_) | Event::Plaintext { .. } => {}
                Event::Directory { path, meta, store } => {
                    judge.check_store_dir(path, meta, *store, out)
                }
                Event::Refused {
                    path,
                    code,
                    message,
                } => out.push(
                    judge
                        .finding(Status::Fail, code, path)
                        .says(message.clone()),
                ),
                Event::StoreProblem {
                    path,
                    code,
                    message,
                } => {
                    let finding = if *code == "no-ssh-dir" {
                        judge.finding(Status::Skip, code, path)
                    } else {
                        judge.finding(Status::Warn, code, path).level(Level::Should)
                    };
                    out.push(finding.says(format!("~/.ssh {message}")));
                }
                Event::Control {
                    path,
                    meta,
                    control,
                } => judge.check_control_file(path, meta, *control, out),
                Event::Socket { path, meta } => judge.check_socket(path, meta, out),
                Event::Passed {
                    path,
                    code,
                    message,
                } => {
                    out.push(
                        judge
                            .finding(Status::Skip, code, path)
                            .says(message.clone()),
                    );
                }
            }
        }
        for group in group_by_identity(scan.keys()) {
            judge.check_key(&group, out);
        }
        Ok(())
    }
}

/// The rules of one run, taken from the policy once.
struct Judge<'a> {
    account: &'a Account,
    home: &'a Path,
    level: Level,
    max_mode: u32,
    dir_max_mode: u32,
}

/// Worst first: what others can do outranks what the group can, which outranks the
/// owner's own write bit.
fn severity(code: &str) -> u8 {
    match code {
        "private-key-world-accessible" => 0,
        "private-key-group-writable" => 1,
        "private-key-group-readable" => 2,
        "private-key-owner-writable" => 3,
        _ => 4,
    }
}

/// What is wrong with one key file's mode: status, level, code, and a clause.
struct Problem {
    status: Status,
    level: Level,
    code: &'static str,
    clause: String,
}

impl Judge<'_> {
    fn finding(&self, status: Status, code: &'static str, path: &Path) -> Finding {
        Finding::new(ID, ITEM, self.level, status, code).at(path)
    }

    fn chmod(mode: u32, paths: &[&Path]) -> String {
        let words: Vec<String> = paths.iter().map(|p| shell_word(p.as_os_str())).collect();
        format!("chmod {mode:o} {}", words.join(" "))
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
                    .fix(fix)
                    .fixes_mode(path, ModeFix::Clear(0o022)),
            );
        } else if perm::grants(meta.mode, Who::Group, Access::Write) {
            let finding = if self.private_group(meta.gid) {
                self.finding(Status::Warn, "home-writable", path).level(Level::Should).says(format!(
                    "the home directory is writable by its group (mode {mode}), which holds only you; Debian's OpenSSH accepts that, upstream OpenSSH does not"
                ))
            } else {
                self.finding(Status::Fail, "home-writable", path)
                    .says(format!(
                        "the home directory is writable by its group (mode {mode}), which holds someone besides you (a member, or an account whose primary group it is); {consequence}"
                    ))
            };
            out.push(finding.fix(fix).fixes_mode(path, ModeFix::Clear(0o022)));
        } else {
            out.push(self.finding(Status::Pass, "home-ok", path).says(format!(
                "the home directory is not writable by others (mode {mode})"
            )));
        }
    }

    /// Whether the group `gid` holds nobody but this person, as Debian's OpenSSH
    /// judges it (`secure_permissions`, user-group-modes.patch): every account
    /// whose primary group it is must be the person, the group may list no other
    /// member, and it must have one. A group that cannot be looked up is not.
    fn private_group(&self, gid: u32) -> bool {
        let Ok(Some(group)) = nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid)) else {
            return false;
        };
        let Ok(primary) = crate::accounts::primary_members(gid) else {
            return false;
        };
        if primary.iter().any(|(_, uid)| *uid != self.account.uid) {
            return false;
        }
        let listed = match group.mem.as_slice() {
            [] => false,
            [only] if *only == self.account.name => true,
            _ => return false,
        };
        !primary.is_empty() || listed
    }

    /// A key store's directory: the user's, closed to others (`~/.ssh` by its own
    /// codes, as OpenSSH documents it).
    fn check_store_dir(&self, path: &Path, meta: &Meta, store: Store, out: &mut Vec<Finding>) {
        let (what, ok, open, not_owned) = match store {
            Store::Ssh => (
                "~/.ssh".to_owned(),
                "ssh-dir-ok",
                "ssh-dir-too-open",
                "ssh-dir-not-owned",
            ),
            _ => (
                short(path, self.home),
                "key-dir-ok",
                "key-dir-too-open",
                "key-dir-not-owned",
            ),
        };
        let mut good = true;
        if meta.uid != self.account.uid {
            good = false;
            out.push(self.not_owned(not_owned, path, &what, meta.uid, ""));
        }
        // Permission bits only: a set-group-id bit on the directory grants nobody access.
        if meta.mode & 0o777 & !self.dir_max_mode != 0 {
            good = false;
            out.push(
                self.finding(Status::Fail, open, path)
                    .says(format!(
                        "{what} has mode {}; it must be {} or tighter so that nobody else can list, add or swap keys",
                        perm::octal(meta.mode),
                        perm::octal(self.dir_max_mode)
                    ))
                    .fix(Self::chmod(self.dir_max_mode, &[path]))
                    .fixes_mode(path, ModeFix::Set(self.dir_max_mode)),
            );
        }
        if good {
            out.push(self.finding(Status::Pass, ok, path).says(format!(
                "mode {}, owned by {}",
                perm::octal(meta.mode),
                self.account.name
            )));
        }
    }

    fn check_control_file(
        &self,
        path: &Path,
        meta: &Meta,
        control: Control,
        out: &mut Vec<Finding>,
    ) {
        let (what, ok, writable, not_owned, consequence) = match control {
            Control::AuthorizedKeys => (
                "authorized_keys",
                "authorized-keys-ok",
                "authorized-keys-writable",
                "authorized-keys-not-owned",
                "anyone who can write it can log in as you, and sshd's StrictModes ignores it",
            ),
            Control::SshConfig => (
                "ssh config",
                "ssh-config-ok",
                "ssh-config-writable",
                "ssh-config-not-owned",
                "anyone who can write it can redirect your connections, and ssh refuses to read it",
            ),
            Control::PassExtension => (
                "pass extension",
                "pass-extension-writable",
                "pass-extension-writable",
                "pass-extension-writable",
                "pass runs it when extensions are enabled, so whoever can write it runs code as you",
            ),
        };
        let mut good = true;
        if meta.uid != self.account.uid && meta.uid != 0 {
            good = false;
            out.push(self.not_owned(not_owned, path, what, meta.uid, &format!("; {consequence}")));
        }
        if perm::writable_by_group_or_other(meta.mode) {
            good = false;
            let fix = format!("chmod go-w {}", shell_word(path.as_os_str()));
            let group_only = !perm::grants(meta.mode, Who::Other, Access::Write);
            let finding = if group_only && self.private_group(meta.gid) {
                self.finding(Status::Warn, writable, path)
                    .level(Level::Should)
                    .says(format!(
                        "{what} is writable by its group (mode {}), which holds only you; Debian's OpenSSH accepts that, upstream OpenSSH does not",
                        perm::octal(meta.mode)
                    ))
            } else {
                self.finding(Status::Fail, writable, path).says(format!(
                    "{what} is writable by group or others (mode {}); {consequence}",
                    perm::octal(meta.mode)
                ))
            };
            out.push(finding.fix(fix).fixes_mode(path, ModeFix::Clear(0o022)));
        }
        if good && control != Control::PassExtension {
            out.push(self.finding(Status::Pass, ok, path).says(format!(
                "{what} is not writable by others (mode {})",
                perm::octal(meta.mode)
            )));
        }
    }

    /// An agent socket lets whoever can connect use the keys it holds: it must be the
    /// user's and closed to everyone else. Judged from `lstat`; never connected to.
    fn check_socket(&self, path: &Path, meta: &Meta, out: &mut Vec<Finding>) {
        if meta.uid != self.account.uid || meta.mode & perm::GROUP_OR_OTHER != 0 {
            out.push(
                self.finding(Status::Fail, "agent-socket-exposed", path)
                    .says(format!(
                        "agent socket with mode {}, owned by {}: others may be able to use the keys the agent holds",
                        perm::octal(meta.mode),
                        Self::owner_name(meta.uid)
                    ))
                    .fix(Self::chmod(0o600, &[path])),
            );
        } else {
            out.push(
                self.finding(Status::Pass, "agent-socket-ok", path)
                    .says(format!("agent socket, mode {}", perm::octal(meta.mode))),
            );
        }
    }

    /// What is wrong with a key's mode, worst first, in words that name each bit:
    /// others' access, then the group's write and execute, then its read, then
    /// what the owner has beyond the policy's mode and the set-ID and sticky bits.
    fn problem(&self, mode: u32) -> Option<Problem> {
        let extra = mode & !self.max_mode;
        let fail = |code, clause: String| {
            Some(Problem {
                status: Status::Fail,
                level: self.level,
                code,
                clause,
            })
        };
        let by = |bits: u32, who: Who, noun: &str| {
            perm::access_words(bits, who).map(|words| format!("is {words} by {noun}"))
        };
        if let Some(clause) = by(extra & 0o007, Who::Other, "others") {
            fail("private-key-world-accessible", clause)
        } else if extra & 0o030 != 0 {
            fail(
                "private-key-group-writable",
                by(extra & 0o070, Who::Group, "its group").unwrap_or_default(),
            )
        } else if let Some(clause) = by(extra & 0o040, Who::Group, "its group") {
            fail("private-key-group-readable", clause)
        } else if extra != 0 {
            let mut parts: Vec<String> = by(extra & 0o700, Who::Owner, "its owner")
                .into_iter()
                .collect();
            let special = perm::special_words(extra);
            if !special.is_empty() {
                parts.push(format!("carries the {} bit", special.join(" and ")));
            }
            Some(Problem {
                status: Status::Warn,
                level: Level::Should,
                code: "private-key-owner-writable",
                clause: parts.join(" and "),
            })
        } else if mode & perm::GROUP_OR_OTHER != 0 {
            Some(Problem {
                status: Status::Warn,
                level: Level::Should,
                code: "private-key-ssh-refuses",
                clause: "is open to its group, which this policy allows".to_owned(),
            })
        } else {
            None
        }
    }

    /// One key, at one or more paths: one finding for its mode (the worst copy), with
    /// the change its fix makes to each offending copy, and one for any copy someone
    /// else owns.
    fn check_key(&self, group: &[&FoundKey], out: &mut Vec<Finding>) {
        let first = group[0];
        let what = match first.inspection.format {
            KeyFormat::GnomeKeyring => "GNOME keyring".to_owned(),
            format => format!("{} private key", format.name()),
        };
        for key in group.iter().filter(|k| k.meta.uid != self.account.uid) {
            out.push(self.not_owned("private-key-not-owned", &key.path, &what, key.meta.uid, ""));
        }
        let judged: Vec<(&FoundKey, Option<Problem>)> = group
            .iter()
            .map(|k| (*k, self.problem(k.meta.mode)))
            .collect();
        let worst = judged
            .iter()
            .filter_map(|(k, p)| p.as_ref().map(|p| (*k, p)))
            .min_by_key(|(_, p)| severity(p.code));
        let Some((subject, problem)) = worst else {
            if group.iter().all(|k| k.meta.uid == self.account.uid) {
                let modes = self.list_modes(group);
                out.push(
                    self.finding(Status::Pass, "private-key-ok", &first.path)
                        .says(format!("{what}, {modes}, owned by {}", self.account.name)),
                );
            }
            return;
        };
        let offending: Vec<&FoundKey> = judged
            .iter()
            .filter(|(_, p)| p.is_some())
            .map(|(k, _)| *k)
            .collect();
        let allowed = perm::octal(self.max_mode);
        let ssh = "OpenSSH refuses to use a private key that its group or others can access";
        let detail = match problem.code {
            "private-key-group-readable" => format!(
                "The standard tolerates group read, but this policy allows at most {allowed}, and {ssh}"
            ),
            "private-key-owner-writable" if subject.meta.mode & 0o200 & !self.max_mode != 0 => {
                format!(
                    "the standard asks for as close to {allowed} as possible, so that it cannot be overwritten by mistake"
                )
            }
            "private-key-owner-writable" => format!(
                "the standard asks for as close to {allowed} as possible, and a key has no use for these bits"
            ),
            "private-key-ssh-refuses" => ssh.to_owned(),
            _ => format!("the policy allows at most {allowed}, and {ssh}"),
        };
        let modes = self.list_modes(group);
        let fix_command = if problem.code == "private-key-ssh-refuses" {
            format!("chmod go= {}", shell_word(subject.path.as_os_str()))
        } else {
            let paths: Vec<&Path> = offending.iter().map(|k| k.path.as_path()).collect();
            Self::chmod(self.max_mode, &paths)
        };
        let separator = if problem.code == "private-key-group-readable" {
            "."
        } else {
            ";"
        };
        let mode_fix = if problem.code == "private-key-ssh-refuses" {
            ModeFix::Clear(perm::GROUP_OR_OTHER)
        } else {
            ModeFix::Set(self.max_mode)
        };
        let mut finding = self
            .finding(problem.status, problem.code, &subject.path)
            .level(problem.level)
            .says(format!(
                "{what} {} ({modes}){separator} {detail}",
                problem.clause
            ))
            .fix(fix_command);
        let changed = if problem.code == "private-key-ssh-refuses" {
            &[subject][..]
        } else {
            &offending[..]
        };
        for key in changed {
            finding = finding.fixes_mode(&key.path, mode_fix);
        }
        out.push(finding);
    }

    /// "mode 0644" for one path; "~/a 0644, ~/b 0400" for several.
    fn list_modes(&self, group: &[&FoundKey]) -> String {
        if let [only] = group {
            return format!("mode {}", perm::octal(only.meta.mode));
        }
        let each: Vec<String> = group
            .iter()
            .map(|k| format!("{} {}", short(&k.path, self.home), perm::octal(k.meta.mode)))
            .collect();
        format!("at {} places: {}", group.len(), each.join(", "))
    }
}
