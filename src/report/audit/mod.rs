//! The three shapes of an audit's result — one JSON document (each user's report
//! inside, exactly as a run of its own would print it), a table for the admin, and
//! the Prometheus exposition format for node_exporter's textfile collector — and the
//! one verdict on each account that all three carry, so that the table, the fleet's
//! JSON and the alerts never disagree on who is compliant.

mod json;
mod metrics;
mod table;

pub use json::json;
pub use metrics::{last_success_in, prometheus};
pub use table::text;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::account::Account;

/// How one user's checks ended.
#[derive(Debug)]
pub enum Outcome {
    /// The child produced its report (the run's JSON document, parsed).
    Ok(serde_json::Value),
    /// No report: why, in one line.
    Failed(String),
    /// Killed at the deadline.
    TimedOut,
}

/// One user's part of an audit.
#[derive(Debug)]
pub struct UserRun {
    pub account: Account,
    pub outcome: Outcome,
    /// The real, effective, saved and file-system user id the child had when it
    /// exited, when they were one and the same; `None` when it did not exit.
    pub ran_as_uid: Option<u32>,
    /// When this account's checks started, in seconds since the epoch.
    pub checked: i64,
    pub elapsed: Duration,
}

/// An audit, finished.
pub struct Audit {
    pub host: String,
    /// Seconds since the epoch.
    pub started: f64,
    pub duration: f64,
    pub users: Vec<UserRun>,
    /// When the last audit in which every account got a report finished, as the
    /// previous metrics file said; carried over when this one is not such an audit.
    pub previous_success: Option<f64>,
    /// `--timeout-per-user`, for the words on a user that was stopped.
    pub timeout: f64,
}

impl Audit {
    /// Every account got a report: the audit did its job, whatever it found.
    pub fn succeeded(&self) -> bool {
        self.users
            .iter()
            .all(|run| matches!(run.outcome, Outcome::Ok(_)))
    }

    /// When the last successful audit finished: this one, or the one before.
    pub fn last_success(&self) -> Option<f64> {
        if self.succeeded() {
            Some(self.started + self.duration)
        } else {
            self.previous_success
        }
    }
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "reported",
            Outcome::Failed(_) => "failed",
            Outcome::TimedOut => "timed-out",
        }
    }
}

/// Every status an outcome can have, for the gauges that must all be present.
const OUTCOMES: [&str; 3] = ["reported", "failed", "timed-out"];

/// What an admin needs to know of one account first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A report, and no must-level requirement fails (waived findings do not).
    Compliant,
    /// At least one must-level requirement fails.
    NotCompliant,
    /// No report, or a check that could not finish: nothing can be vouched for.
    Incomplete,
}

impl Verdict {
    /// The word in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::NotCompliant => "not-compliant",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// The word in the table, loud where something is wrong.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Compliant => "compliant",
            Verdict::NotCompliant => "NOT COMPLIANT",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

/// A field of a finding in a child's report.
fn field<'a>(finding: &'a serde_json::Value, name: &str) -> &'a str {
    finding[name].as_str().unwrap_or("unknown")
}

fn is_must_failure(finding: &serde_json::Value) -> bool {
    field(finding, "status") == "fail" && field(finding, "level").starts_with("must")
}

fn findings(report: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    report["findings"].as_array().into_iter().flatten()
}

/// One account's findings counted as the table's columns count them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Findings failing a must- or must-not-level requirement.
    pub must: u64,
    /// Findings failing a should- or should-not-level requirement.
    pub should: u64,
    pub warn: u64,
    pub waived: u64,
    pub error: u64,
    pub skip: u64,
}

impl UserRun {
    pub fn verdict(&self) -> Verdict {
        match &self.outcome {
            Outcome::Ok(report) if findings(report).any(is_must_failure) => Verdict::NotCompliant,
            Outcome::Ok(report) if findings(report).any(|f| field(f, "status") == "error") => {
                Verdict::Incomplete
            }
            Outcome::Ok(_) => Verdict::Compliant,
            Outcome::Failed(_) | Outcome::TimedOut => Verdict::Incomplete,
        }
    }

    /// The counts of the report, when there is one.
    pub fn counts(&self) -> Option<Counts> {
        let Outcome::Ok(report) = &self.outcome else {
            return None;
        };
        let mut counts = Counts::default();
        for finding in findings(report) {
            let slot = match field(finding, "status") {
                "fail" if is_must_failure(finding) => &mut counts.must,
                "fail" => &mut counts.should,
                "warn" => &mut counts.warn,
                "waived" => &mut counts.waived,
                "error" => &mut counts.error,
                "skip" => &mut counts.skip,
                _ => continue,
            };
            *slot += 1;
        }
        Some(counts)
    }

    /// The finding behind the verdict: the first must-level failure (the report
    /// lists them first), or for an incomplete report the first check that could not
    /// finish.
    pub fn first_problem(&self) -> Option<&serde_json::Value> {
        let Outcome::Ok(report) = &self.outcome else {
            return None;
        };
        match self.verdict() {
            Verdict::NotCompliant => findings(report).find(|f| is_must_failure(f)),
            Verdict::Incomplete => findings(report).find(|f| field(f, "status") == "error"),
            Verdict::Compliant => None,
        }
    }

    /// The first finding a waiver covers.
    pub fn first_waived(&self) -> Option<&serde_json::Value> {
        let Outcome::Ok(report) = &self.outcome else {
            return None;
        };
        findings(report).find(|f| field(f, "status") == "waived")
    }

    /// Why there is no report, in words.
    pub fn no_report(&self, timeout: f64) -> Option<String> {
        match &self.outcome {
            Outcome::Ok(_) => None,
            Outcome::Failed(why) => Some(why.clone()),
            Outcome::TimedOut => Some(format!(
                "did not finish within {timeout} seconds and was stopped"
            )),
        }
    }
}

/// The findings of one report that need someone's attention — every status but
/// `pass` — counted by (policy item, level, status). Passes are left out: their
/// number says how many keys a person has, not how well they are kept.
pub fn attention(report: &serde_json::Value) -> BTreeMap<(String, String, String), u64> {
    let mut counts = BTreeMap::new();
    for finding in findings(report) {
        if field(finding, "status") == "pass" {
            continue;
        }
        let key = |name: &str| field(finding, name).to_owned();
        *counts
            .entry((key("policy"), key("level"), key("status")))
            .or_insert(0) += 1;
    }
    counts
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
