//! The report is plain data computed from the findings; the renderers in this module
//! are the only code that writes to stdout or stderr.

pub mod audit;
pub mod backup;
pub mod catalogue;
mod checklist;
pub mod entries;
pub mod explain;
mod json;
pub mod login;
pub mod policy;
pub mod progress;
mod text;
pub mod wrap;

pub use checklist::Checklist;
pub use json::{SCHEMA_VERSION, Tool, to_line as to_json_line};
pub use text::{Colour, Painter, TextOptions, short_path};

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::account::Account;
use crate::checks::{Finding, Status};
use crate::exit::ExitStatus;
use crate::policy::{Level, Policy, schema};

/// The outcome of one run for one account.
#[derive(Debug)]
pub struct Report {
    pub user: String,
    pub home: PathBuf,
    /// Sorted: items with a must-level failure first, then by the standard's order,
    /// then by status and path.
    pub findings: Vec<Finding>,
    /// Policy files applied over the built-in default.
    pub policy_files: Vec<PathBuf>,
    /// Each item's title and level, as the effective policy words them.
    pub items: BTreeMap<&'static str, (String, Level)>,
    /// The machine the run was on, and the run's moment (seconds since the epoch).
    pub host: String,
    pub time: i64,
    /// A report on the home (the normal run, the login, an audit); `false` for one
    /// about a password or passphrase, which says everything it found.
    pub whole_home: bool,
    /// The modes `--fix` changed before the findings were made.
    pub changes: Vec<Change>,
}

/// One mode `--fix` changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub from: u32,
    pub to: u32,
}

/// How many findings have each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub waived: usize,
    pub remind: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    fn count(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Warn => self.warn += 1,
            Status::Waived => self.waived += 1,
            Status::Remind => self.remind += 1,
            Status::Skip => self.skip += 1,
            Status::Error => self.error += 1,
        }
    }
}

impl Report {
    pub fn new(
        user: String,
        home: PathBuf,
        mut findings: Vec<Finding>,
        policy: &Policy,
        time: i64,
    ) -> Report {
        let failing_items: Vec<&'static str> = findings
            .iter()
            .filter(|f| f.is_must_failure())
            .map(|f| f.policy)
            .collect();
        findings.sort_by(|a, b| {
            let rank = |f: &Finding| {
                (
                    !failing_items.contains(&f.policy),
                    entries::item_order(f.policy),
                    !f.is_must_failure(),
                    f.status,
                )
            };
            rank(a).cmp(&rank(b)).then_with(|| a.path.cmp(&b.path))
        });
        let items = schema::ITEMS
            .iter()
            .map(|spec| {
                (
                    spec.id,
                    (
                        policy.text(spec.id, "title").to_owned(),
                        policy.level(spec.id),
                    ),
                )
            })
            .collect();
        Report {
            user,
            home,
            findings,
            policy_files: policy.files().to_vec(),
            items,
            host: hostname(),
            time,
            whole_home: true,
            changes: Vec::new(),
        }
    }

    /// The same report, about a password or passphrase rather than the home.
    pub fn of_a_secret(mut self) -> Report {
        self.whole_home = false;
        self
    }

    /// The report of `findings` about `account`'s home, made at `time`.
    pub fn about(account: &Account, findings: Vec<Finding>, policy: &Policy, time: i64) -> Report {
        Report::new(
            account.name.clone(),
            account.home.clone(),
            findings,
            policy,
            time,
        )
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for finding in &self.findings {
            summary.count(finding.status);
        }
        summary
    }

    /// 1 for a must-level failure; 2 when a check could not complete; 0 otherwise.
    pub fn exit_status(&self) -> ExitStatus {
        self.findings
            .iter()
            .fold(ExitStatus::Clean, |status, finding| {
                status.merge(if finding.is_must_failure() {
                    ExitStatus::Findings
                } else if finding.status == Status::Error {
                    ExitStatus::Error
                } else {
                    ExitStatus::Clean
                })
            })
    }

    /// The findings `--quiet` keeps.
    pub fn visible(&self, quiet: bool) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| !quiet || matches!(f.status, Status::Fail | Status::Error))
    }

    pub fn to_json(&self, quiet: bool) -> String {
        json::report(self, quiet)
    }

    pub fn to_text(&self, painter: &Painter, options: TextOptions) -> String {
        text::report(self, painter, options)
    }
}

/// This machine's name, for the documents that say where they were made; empty if
/// the kernel will not say.
pub fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writing the report failed (other than a closed pipe, which is silent).
#[derive(Debug)]
pub struct OutputError(std::io::Error);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write the report: {}", self.0)
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Writes to stdout. A closed pipe (`| head`) ends the output quietly, as in ripgrep.
pub fn emit(text: &str) -> Result<(), OutputError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(OutputError(e)),
        _ => Ok(()),
    }
}

/// The one line a failed run prints on stderr, made terminal-safe whatever the error
/// quotes (an account name, a value given on the command line).
pub fn print_error(error: &dyn std::error::Error) {
    let line = error.to_string();
    let line = crate::sanitize::display_str(line.lines().next().unwrap_or("error"));
    let _ = writeln!(std::io::stderr().lock(), "csi-self-check: error: {line}");
}
