//! `audit`: root checks every person of a machine, one after another, each in a
//! child process that has become that person (see [`child`]). One user that fails
//! or hangs is reported as such and the audit goes on; the result is a table, one
//! JSON document, or Prometheus metrics written atomically for node_exporter.
//!
//! Users run one at a time: the checks are bound by the disk, not the processor, a
//! fleet machine has other work, and the audit's length stays predictable — at most
//! the number of users times the deadline.

mod child;

pub use child::child;

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Setup, absolute};
use crate::accounts;
use crate::cli::{AuditArgs, Format};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::{FsError, SafeDir};
use crate::report::audit as render;

/// The mode of `--output`: node_exporter runs as its own user and must read it.
const OUTPUT_MODE: u32 = 0o644;
/// The most of the previous metrics file read back for its last success.
const MAX_PREVIOUS_OUTPUT: usize = 64 << 20;

pub fn run(setup: &Setup, args: &AuditArgs) -> Result<ExitStatus, Error> {
    if setup.home.is_some() {
        return Err(Error::Usage(
            "audit: --home does not apply; each account's home comes from the password database"
                .to_owned(),
        ));
    }
    if setup.options.fix {
        return Err(Error::Usage(
            "audit: --fix does not apply; an audit only looks".to_owned(),
        ));
    }
    if !nix::unistd::geteuid().is_root() {
        return Err(Error::Input(
            "audit: must be run as root, to become each user in turn".to_owned(),
        ));
    }
    // Refuse a bad policy or --only before anyone is audited, not once per user.
    setup.policy()?;
    setup.selection()?;
    // Where the output goes is checked first too, so a typo costs no audit.
    let output = match &args.output {
        Some(path) => Some(output_dir(path)?),
        None => None,
    };
    let accounts = accounts::select(args.all_users, &args.users)?;
    let passed_on = passed_on(setup);
    let deadline = Duration::from_secs_f64(args.timeout_per_user);
    let started = crate::time::now_precise();
    let clock = Instant::now();
    let users = accounts
        .iter()
        .map(|account| child::run(account, &passed_on, deadline))
        .collect();
    let audit = render::Audit {
        host: crate::report::hostname(),
        started,
        duration: clock.elapsed().as_secs_f64(),
        users,
        previous_success: match (&output, setup.format) {
            (Some((dir, name)), Format::Prometheus) => previous_success(dir, name),
            _ => None,
        },
        timeout: args.timeout_per_user,
    };
    let text = match setup.format {
        Format::Text => render::text(&audit),
        Format::Json => render::json(&audit),
        Format::Prometheus => render::prometheus(&audit),
    };
    match output {
        Some((dir, name)) => dir
            .write_atomic(&name, text.as_bytes(), OUTPUT_MODE)
            .map_err(|error| Error::Fs {
                path: dir.child_path(&name),
                doing: "--output: cannot write it",
                error,
            })?,
        None => crate::report::emit(&text)?,
    }
    Ok(
        if audit
            .users
            .iter()
            .all(|run| run.verdict() == render::Verdict::Compliant)
        {
            ExitStatus::Clean
        } else {
            ExitStatus::Findings
        },
    )
}

/// The last success the metrics file about to be replaced records: the audit's own
/// output, in a directory only root writes. Unreadable or absent means none.
fn previous_success(dir: &SafeDir, name: &OsStr) -> Option<f64> {
    let mut file = dir.open_listed_file(name).ok()?;
    let text = file.read_prefix(MAX_PREVIOUS_OUTPUT).ok()?;
    render::last_success_in(&String::from_utf8_lossy(&text))
}

/// The directory `--output` goes to, open, and the file's name in it.
fn output_dir(path: &Path) -> Result<(SafeDir, OsString), Error> {
    let path = absolute(path);
    match SafeDir::split_path(&path) {
        Ok((dir, name)) => Ok((dir, name.to_owned())),
        Err(FsError::NoFileName) => Err(Error::File {
            path,
            reason: "--output: names no file".to_owned(),
        }),
        Err(error) => Err(Error::Fs {
            path,
            doing: "--output: its directory cannot be opened",
            error,
        }),
    }
}

/// The options every child gets: the same policy, checks and depth as the audit.
fn passed_on(setup: &Setup) -> Vec<OsString> {
    let mut args = Vec::new();
    if let Some(policy) = &setup.policy_file {
        args.push("--policy".into());
        args.push(policy.clone().into_os_string());
    }
    if !setup.only.is_empty() {
        args.push("--only".into());
        args.push(setup.only.join(",").into());
    }
    if setup.options.deep {
        args.push("--deep".into());
    }
    args
}
