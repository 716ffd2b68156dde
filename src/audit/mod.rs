//! `audit`: root checks every person of a machine, one after another, each in a
//! child process that has become that person (see [`child`]). One user that fails
//! or hangs is reported as such and the audit goes on; the result is a table, one
//! JSON document, or Prometheus metrics written atomically for node_exporter.
//!
//! Users run one at a time: the checks are bound by the disk, not the processor, a
//! fleet machine has other work, and the audit's length stays predictable — at most
//! the number of users times the deadline.

mod accounts;
mod child;
mod render;

pub use child::child;

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::cli::{AuditArgs, Cli, Format};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;

/// The mode of `--output`: node_exporter runs as its own user and must read it.
const OUTPUT_MODE: u32 = 0o644;

pub fn run(cli: &Cli, args: &AuditArgs) -> Result<ExitStatus, Error> {
    let global = &cli.global;
    if global.home.is_some() {
        return Err(Error::Usage(
            "audit: --home does not apply; each account's home comes from the password database"
                .to_owned(),
        ));
    }
    if cli.fix {
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
    crate::app::load_policy(global)?;
    crate::checks::Selection::new(global.only.clone()).map_err(Error::Usage)?;
    // Where the output goes is checked first too, so a typo costs no audit.
    let output = match &args.output {
        Some(path) => Some(output_dir(path)?),
        None => None,
    };
    let accounts = accounts::select(args.all_users, &args.users)?;
    let passed_on = passed_on(cli);
    let deadline = Duration::from_secs_f64(args.timeout_per_user);
    let started = SystemTime::now();
    let clock = Instant::now();
    let users = accounts
        .iter()
        .map(|account| child::run(account, &passed_on, deadline))
        .collect();
    let audit = render::Audit {
        host: nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default(),
        started: started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        duration: clock.elapsed().as_secs_f64(),
        users,
    };
    let text = match global.format {
        Format::Text => render::text(&audit),
        Format::Json => render::json(&audit, args.timeout_per_user),
        Format::Prometheus => render::prometheus(&audit),
    };
    match output {
        Some((dir, name)) => dir
            .write_atomic(&name, text.as_bytes(), OUTPUT_MODE)
            .map_err(|e| Error::File {
                path: dir.child_path(&name),
                reason: format!("--output: cannot write it: {e}"),
            })?,
        None => crate::report::emit(&text)?,
    }
    Ok(if audit.users.iter().any(render::needs_attention) {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// The directory `--output` goes to, open, and the file's name in it.
fn output_dir(path: &Path) -> Result<(SafeDir, OsString), Error> {
    let path = crate::app::absolute(path);
    let failed = |reason: String| Error::File {
        path: path.clone(),
        reason: format!("--output: {reason}"),
    };
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(failed("names no file".to_owned()));
    };
    let dir = SafeDir::open_root(parent)
        .map_err(|e| failed(format!("its directory cannot be opened: {e}")))?;
    Ok((dir, name.to_owned()))
}

/// The options every child gets: the same policy, checks and depth as the audit.
fn passed_on(cli: &Cli) -> Vec<OsString> {
    let mut args = Vec::new();
    if let Some(policy) = &cli.global.policy {
        args.push("--policy".into());
        args.push(crate::app::absolute(policy).into_os_string());
    }
    if !cli.global.only.is_empty() {
        args.push("--only".into());
        args.push(cli.global.only.join(",").into());
    }
    if cli.deep {
        args.push("--deep".into());
    }
    args
}
