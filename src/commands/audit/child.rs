//! One user of an audit, in a process of its own. Root must never read a user's
//! files as root: the child becomes the user before it touches the home, so a link
//! to a root-only file is as closed to the audit as to the user. The parent bounds
//! the child in time and output, and takes nothing from it on trust — not even that
//! it dropped its privileges: it reads the exited child's user ids from `/proc`
//! before reaping it, and discards a report made with the wrong ones.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
use nix::unistd::Pid;

use super::super::Setup;
use crate::account::Account;
use crate::checks::{self, Context, RemindWhen, RunOptions, Subject};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeFile;
use crate::process::Helper;
use crate::report::Report;
use crate::report::audit::{Outcome, UserRun};
use crate::report::emit;

/// The most of a report read from one child; past it the child is not believed.
const MAX_REPORT: u64 = 32 * 1024 * 1024;
/// The most of a child's complaint read; only its first line is kept.
const MAX_STDERR: u64 = 64 * 1024;
/// How often the parent looks whether the child has finished.
const POLL: Duration = Duration::from_millis(5);

/// The parent's side: runs `audit-user` for `account` with `args` (the options
/// passed on, before the subcommand), kills it at `deadline`.
pub fn run(account: &Account, args: &[OsString], deadline: Duration) -> UserRun {
    let checked = crate::time::now();
    let start = Instant::now();
    let (outcome, ran_as_uid) = supervise(account, args, deadline);
    UserRun {
        account: account.clone(),
        outcome,
        ran_as_uid,
        checked,
        elapsed: start.elapsed(),
    }
}

fn supervise(account: &Account, args: &[OsString], deadline: Duration) -> (Outcome, Option<u32>) {
    // This very binary, even if the file was replaced since it started (an upgrade
    // during a run): /proc/self/exe is the running image.
    let mut helper = Helper::new("/proc/self/exe", deadline);
    helper
        .args(args)
        .args(["--format", "json", "audit-user", "--"])
        .arg(&account.name)
        .env("PATH", "/usr/bin:/bin")
        .env("LC_ALL", "C")
        .keep_stdout(MAX_REPORT + 1)
        .keep_stderr(MAX_STDERR)
        // Its own process group, so that a helper it started dies with it.
        .own_process_group();
    // A test build's system root reaches the child too, so that the audit and its
    // children read the same site files (see sysroot.rs).
    #[cfg(debug_assertions)]
    helper.pass_env(crate::sysroot::TEST_SYSROOT_VAR);
    let mut child = match helper.spawn() {
        Ok(child) => child,
        Err(e) => {
            let why =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            return (Outcome::Failed(format!("could not start: {why}")), None);
        }
    };
    let pid = child.pid();
    // Wait without reaping (WNOWAIT), so that the exited child's credentials can
    // still be read from /proc and its pid cannot yet be reused by another.
    let status = loop {
        match waitid(
            Id::Pid(pid),
            WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT,
        ) {
            Ok(WaitStatus::StillAlive) if !child.past_deadline() => std::thread::sleep(POLL),
            Ok(WaitStatus::StillAlive) => {
                child.kill();
                return (Outcome::TimedOut, None);
            }
            Ok(status) => break status,
            Err(nix::errno::Errno::EINTR) => {}
            Err(errno) => {
                child.kill();
                return (
                    Outcome::Failed(format!("could not be waited for: {}", errno.desc())),
                    None,
                );
            }
        }
    };
    let ran_as_uid = exited_uid(pid);
    // Whatever it started and left behind goes with it, before the pid is freed.
    child.kill();
    let Ok((stdout, stderr)) = child.collect(Duration::from_millis(200)) else {
        return (Outcome::TimedOut, ran_as_uid);
    };
    let outcome = judge(account, &status, ran_as_uid, &stdout, &stderr);
    (outcome, ran_as_uid)
}

/// The user id of an exited (not yet reaped) child, when its real, effective, saved
/// and file-system ids agree.
fn exited_uid(pid: Pid) -> Option<u32> {
    let mut file = SafeFile::open_named(Path::new(&format!("/proc/{pid}/status"))).ok()?;
    // /proc reports a size of 0, so read in chunks up to a bound.
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    while text.len() < 64 * 1024 {
        match file.read_some(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => text.extend_from_slice(&buf[..n]),
        }
    }
    uid_of_status(&String::from_utf8_lossy(&text))
}

/// The one user id of a `/proc/PID/status` text's `Uid:` line, if all four agree.
fn uid_of_status(text: &str) -> Option<u32> {
    let line = text.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    let ids: Vec<u32> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match ids.as_slice() {
        [first, rest @ ..] if rest.len() == 3 && rest.iter().all(|id| id == first) => Some(*first),
        _ => None,
    }
}

/// What a finished child's output is worth.
fn judge(
    account: &Account,
    status: &WaitStatus,
    ran_as_uid: Option<u32>,
    stdout: &[u8],
    stderr: &[u8],
) -> Outcome {
    if stdout.len() as u64 > MAX_REPORT {
        return Outcome::Failed(format!(
            "its report was longer than {} MiB; discarded",
            MAX_REPORT >> 20
        ));
    }
    let report = serde_json::from_slice::<serde_json::Value>(stdout)
        .ok()
        .filter(|doc| {
            doc["schema_version"] == crate::report::SCHEMA_VERSION
                && doc["user"] == account.name.as_str()
                && doc["findings"].is_array()
        });
    match (report, ran_as_uid) {
        (Some(report), Some(uid)) if uid == account.uid => Outcome::Ok(report),
        (Some(_), uid) => Outcome::Failed(format!(
            "the checks ran as {}, not as uid {}; report discarded",
            uid.map_or("mixed user ids".to_owned(), |uid| format!("uid {uid}")),
            account.uid
        )),
        (None, _) => {
            let said = String::from_utf8_lossy(stderr);
            let line = said
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches("csi-self-check: error: ");
            let why = match status {
                WaitStatus::Signaled(_, signal, _) => format!("killed by {signal}"),
                WaitStatus::Exited(_, code) => format!("exited with status {code}"),
                _ => "ended".to_owned(),
            };
            let line: String = line.chars().take(200).collect();
            Outcome::Failed(if line.is_empty() {
                format!("{why} without a report")
            } else {
                format!(
                    "{why} without a report: {}",
                    crate::sanitize::display_str(&line)
                )
            })
        }
    }
}

/// The child's side, `audit-user NAME`: the policy is loaded while still root (the
/// system's files are root's), then the account comes from the password database by
/// name and the process becomes it before anything in the home is opened. The
/// checks never prompt and no reminder is shown, so nothing is written to the
/// person's state.
pub fn child(setup: &Setup, user: &str) -> Result<ExitStatus, Error> {
    if !nix::unistd::geteuid().is_root() {
        return Err(Error::Input(
            "audit-user: only `audit`, running as root, starts this".to_owned(),
        ));
    }
    if setup.home.is_some() {
        return Err(Error::Usage(
            "audit-user: --home does not apply; the home comes from the password database"
                .to_owned(),
        ));
    }
    let policy = setup.policy()?;
    let selection = setup.selection()?;
    let account = Account::named(user)?;
    crate::privilege::drop_to(&account)?;
    let options = RunOptions {
        deep: setup.options.deep,
        fix: false,
        remind: RemindWhen::Never,
    };
    let cx = Context::new(&account, &policy, options, setup.now);
    let findings = checks::run_all(&cx, Subject::Home, &selection);
    let report = Report::about(&account, findings, &policy, setup.now);
    emit(&report.to_json(false))?;
    Ok(report.exit_status())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use nix::sys::signal::Signal;

    use super::*;

    fn alice() -> Account {
        let mut account = Account::unknown("alice");
        account.uid = 1001;
        account
    }

    const EXITED: WaitStatus = WaitStatus::Exited(Pid::from_raw(1), 1);

    #[test]
    fn the_uid_line_must_agree_on_all_four_ids() {
        assert_eq!(
            uid_of_status("Name:\tx\nUid:\t1001\t1001\t1001\t1001\nGid:\t0\n"),
            Some(1001)
        );
        assert_eq!(uid_of_status("Uid:\t1001\t0\t1001\t1001\n"), None);
        assert_eq!(uid_of_status("Uid:\t1001\t1001\n"), None);
        assert_eq!(uid_of_status("Gid:\t1\t1\t1\t1\n"), None);
    }

    #[test]
    fn a_report_counts_only_from_the_right_user_and_uid() {
        let good = br#"{"schema_version":2,"user":"alice","findings":[]}"#;
        assert!(matches!(
            judge(&alice(), &EXITED, Some(1001), good, b""),
            Outcome::Ok(_)
        ));
        // Made as root, or as someone else: not believed.
        let Outcome::Failed(why) = judge(&alice(), &EXITED, Some(0), good, b"") else {
            panic!("a root-made report was accepted");
        };
        assert!(why.contains("ran as uid 0"), "{why}");
        assert!(matches!(
            judge(&alice(), &EXITED, None, good, b""),
            Outcome::Failed(_)
        ));
        let other = br#"{"schema_version":2,"user":"bob","findings":[]}"#;
        assert!(matches!(
            judge(&alice(), &EXITED, Some(1001), other, b""),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn a_failure_keeps_the_first_line_of_the_complaint_made_inert() {
        let stderr =
            b"csi-self-check: error: account: cannot drop \x1b[31mprivileges\nsecond line\n";
        let Outcome::Failed(why) = judge(&alice(), &EXITED, Some(1001), b"", stderr) else {
            panic!("no report was accepted");
        };
        assert!(
            why.starts_with("exited with status 1 without a report: account: cannot drop"),
            "{why}"
        );
        assert!(!why.contains('\x1b') && !why.contains("second"), "{why}");
        let killed = WaitStatus::Signaled(Pid::from_raw(1), Signal::SIGSEGV, false);
        let Outcome::Failed(why) = judge(&alice(), &killed, None, b"{", b"") else {
            panic!("a broken report was accepted");
        };
        assert_eq!(why, "killed by SIGSEGV without a report");
    }
}
