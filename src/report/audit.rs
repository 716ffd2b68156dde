//! The three shapes of an audit's result: one JSON document (each user's report
//! inside, exactly as a run of its own would print it), a summary table for a
//! person, and the Prometheus exposition format for node_exporter's textfile
//! collector, so that the fleet's existing alerting sees every machine's findings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::json::{SCHEMA_VERSION, Tool};
use crate::account::Account;
use crate::sanitize::{display_str, json_path};
use crate::time::utc_second;

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
    pub elapsed: Duration,
}

/// An audit, finished.
pub struct Audit {
    pub host: String,
    /// Seconds since the epoch.
    pub started: f64,
    pub duration: f64,
    pub users: Vec<UserRun>,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Failed(_) => "failed",
            Outcome::TimedOut => "timed-out",
        }
    }
}

/// Every status an outcome can have, for the gauges that must all be present.
const OUTCOMES: [&str; 3] = ["ok", "failed", "timed-out"];

/// The findings of one report that need someone's attention — every status but
/// `pass` — counted by (policy item, level, status). Passes are left out: their
/// number says how many keys a person has, not how well they are kept.
pub fn attention(report: &serde_json::Value) -> BTreeMap<(String, String, String), u64> {
    let mut counts = BTreeMap::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let field = |name: &str| finding[name].as_str().unwrap_or("unknown").to_owned();
        if field("status") == "pass" {
            continue;
        }
        *counts
            .entry((field("policy"), field("level"), field("status")))
            .or_insert(0) += 1;
    }
    counts
}

/// Whether this user makes the audit's exit status 1: no report, a must-level
/// failure, or a check that could not finish (nothing can be vouched for then).
pub fn needs_attention(run: &UserRun) -> bool {
    match &run.outcome {
        Outcome::Ok(report) => attention(report).keys().any(|(_, level, status)| {
            status == "error" || (status == "fail" && level.starts_with("must"))
        }),
        Outcome::Failed(_) | Outcome::TimedOut => true,
    }
}

#[derive(Serialize)]
struct JsonAudit<'a> {
    schema_version: u32,
    tool: Tool,
    host: &'a str,
    started: String,
    duration_seconds: f64,
    users: Vec<JsonUser<'a>>,
}

#[derive(Serialize)]
struct JsonUser<'a> {
    user: &'a str,
    uid: u32,
    home: String,
    status: &'static str,
    /// The user id the child was seen to have when it exited.
    ran_as_uid: Option<u32>,
    seconds: f64,
    error: Option<String>,
    report: Option<&'a serde_json::Value>,
}

pub fn json(audit: &Audit, timeout: f64) -> String {
    let users = audit
        .users
        .iter()
        .map(|run| JsonUser {
            user: &run.account.name,
            uid: run.account.uid,
            home: json_path(&run.account.home),
            status: run.outcome.as_str(),
            ran_as_uid: run.ran_as_uid,
            seconds: round_ms(run.elapsed.as_secs_f64()),
            error: match &run.outcome {
                Outcome::Ok(_) => None,
                Outcome::Failed(why) => Some(why.clone()),
                Outcome::TimedOut => Some(format!(
                    "did not finish within {timeout} seconds and was stopped"
                )),
            },
            report: match &run.outcome {
                Outcome::Ok(report) => Some(report),
                _ => None,
            },
        })
        .collect();
    crate::report::to_json_line(&JsonAudit {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        host: &audit.host,
        started: utc_second(audit.started as i64),
        duration_seconds: round_ms(audit.duration),
        users,
    })
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// The summary table: one line per user, the reasons for failures below it.
pub fn text(audit: &Audit) -> String {
    let width = audit
        .users
        .iter()
        .map(|run| display_str(&run.account.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:<width$}  {:<9}  {:>4}  {:>6}  {:>4}  {:>5}  {:>4}\n",
        "USER", "STATUS", "MUST", "SHOULD", "WARN", "ERROR", "SKIP"
    );
    let mut notes = String::new();
    for run in &audit.users {
        let name = display_str(&run.account.name);
        let _ = write!(out, "{name:<width$}  {:<9}", run.outcome.as_str());
        match &run.outcome {
            Outcome::Ok(report) => {
                let counts = attention(report);
                let sum = |want: &dyn Fn(&str, &str) -> bool| -> u64 {
                    counts
                        .iter()
                        .filter(|((_, level, status), _)| want(level, status))
                        .map(|(_, n)| n)
                        .sum()
                };
                let _ = writeln!(
                    out,
                    "  {:>4}  {:>6}  {:>4}  {:>5}  {:>4}",
                    sum(&|l, s| s == "fail" && l.starts_with("must")),
                    sum(&|l, s| s == "fail" && !l.starts_with("must")),
                    sum(&|_, s| s == "warn"),
                    sum(&|_, s| s == "error"),
                    sum(&|_, s| s == "skip"),
                );
            }
            Outcome::Failed(why) => {
                out.push_str("  -     -       -     -      -\n");
                let _ = writeln!(notes, "{name}: {why}");
            }
            Outcome::TimedOut => {
                out.push_str("  -     -       -     -      -\n");
                let _ = writeln!(notes, "{name}: did not finish in time and was stopped");
            }
        }
    }
    let _ = write!(
        out,
        "\n{} user(s) on {} in {:.1} s; MUST and SHOULD count failed requirements by level.\n",
        audit.users.len(),
        display_str(&audit.host),
        audit.duration
    );
    if !notes.is_empty() {
        out.push('\n');
        out.push_str(&notes);
    }
    if audit.users.is_empty() {
        out.push_str("No account to audit.\n");
    }
    out
}

/// A label value as the exposition format wants it: backslash, double quote and
/// line feed escaped.
pub fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The metrics, for `--format prometheus`. `csi_findings` has a series only where
/// the count is above zero (absent means none); `csi_audit_user_status` always has
/// all three outcomes of every user, so a user that stops being audited is seen.
pub fn prometheus(audit: &Audit) -> String {
    let mut out = String::from(
        "# HELP csi_findings Findings that need attention (every status but pass) in the last audit, by user, policy item, level and status.\n\
         # TYPE csi_findings gauge\n",
    );
    for run in &audit.users {
        if let Outcome::Ok(report) = &run.outcome {
            for ((policy, level, status), count) in attention(report) {
                let _ = writeln!(
                    out,
                    "csi_findings{{user=\"{}\",policy=\"{}\",level=\"{}\",status=\"{}\"}} {count}",
                    label(&run.account.name),
                    label(&policy),
                    label(&level),
                    label(&status)
                );
            }
        }
    }
    out.push_str(
        "# HELP csi_audit_user_status Whether each user's checks ended ok, failed or timed out in the last audit (1 for the outcome, 0 for the others).\n\
         # TYPE csi_audit_user_status gauge\n",
    );
    for run in &audit.users {
        for outcome in OUTCOMES {
            let _ = writeln!(
                out,
                "csi_audit_user_status{{user=\"{}\",status=\"{outcome}\"}} {}",
                label(&run.account.name),
                u8::from(run.outcome.as_str() == outcome)
            );
        }
    }
    let _ = write!(
        out,
        "# HELP csi_audit_last_run_timestamp_seconds When the last audit started, in seconds since the epoch.\n\
         # TYPE csi_audit_last_run_timestamp_seconds gauge\n\
         csi_audit_last_run_timestamp_seconds {:.3}\n\
         # HELP csi_audit_duration_seconds How long the last audit took.\n\
         # TYPE csi_audit_duration_seconds gauge\n\
         csi_audit_duration_seconds {:.3}\n",
        audit.started, audit.duration
    );
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::account::Account;
    use std::time::Duration;

    fn user(name: &str, outcome: Outcome) -> UserRun {
        UserRun {
            account: Account::unknown(name),
            outcome,
            ran_as_uid: None,
            elapsed: Duration::from_millis(5),
        }
    }

    fn audit() -> Audit {
        let report = serde_json::json!({"findings": [
            {"policy": "key-security", "level": "must", "status": "fail"},
            {"policy": "key-security", "level": "must", "status": "fail"},
            {"policy": "key-security", "level": "should", "status": "warn"},
            {"policy": "key-security", "level": "must", "status": "pass"},
            {"policy": "password-usage", "level": "must", "status": "skip"},
        ]});
        Audit {
            host: "h".into(),
            started: 1_700_000_000.25,
            duration: 1.5,
            users: vec![
                user("a\"b\\c\nd", Outcome::Ok(report)),
                user("late", Outcome::TimedOut),
            ],
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(label("plain-é"), "plain-é");
    }

    #[test]
    fn prometheus_counts_all_but_passes_and_every_user_has_a_status() {
        let text = prometheus(&audit());
        let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            samples,
            [
                r#"csi_findings{user="a\"b\\c\nd",policy="key-security",level="must",status="fail"} 2"#,
                r#"csi_findings{user="a\"b\\c\nd",policy="key-security",level="should",status="warn"} 1"#,
                r#"csi_findings{user="a\"b\\c\nd",policy="password-usage",level="must",status="skip"} 1"#,
                r#"csi_audit_user_status{user="a\"b\\c\nd",status="ok"} 1"#,
                r#"csi_audit_user_status{user="a\"b\\c\nd",status="failed"} 0"#,
                r#"csi_audit_user_status{user="a\"b\\c\nd",status="timed-out"} 0"#,
                r#"csi_audit_user_status{user="late",status="ok"} 0"#,
                r#"csi_audit_user_status{user="late",status="failed"} 0"#,
                r#"csi_audit_user_status{user="late",status="timed-out"} 1"#,
                "csi_audit_last_run_timestamp_seconds 1700000000.250",
                "csi_audit_duration_seconds 1.500",
            ]
        );
        // Each family is declared once, before its samples.
        assert_eq!(text.matches("# TYPE csi_findings gauge").count(), 1);
    }

    #[test]
    fn must_failures_errors_and_missing_reports_set_the_exit_status() {
        let audit = audit();
        assert!(needs_attention(&audit.users[0]));
        assert!(needs_attention(&audit.users[1]));
        let clean = serde_json::json!({"findings": [
            {"policy": "key-security", "level": "should", "status": "fail"},
            {"policy": "key-security", "level": "must", "status": "skip"},
        ]});
        assert!(!needs_attention(&user("c", Outcome::Ok(clean))));
        let error = serde_json::json!({"findings": [
            {"policy": "key-security", "level": "should", "status": "error"},
        ]});
        assert!(needs_attention(&user("e", Outcome::Ok(error))));
    }

    #[test]
    fn the_table_names_each_user_and_why_one_has_no_report() {
        let text = text(&audit());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("USER"), "{text}");
        assert!(
            lines[1].contains("ok") && lines[1].contains("  2  "),
            "{text}"
        );
        // The name's line feed is shown escaped, so it cannot forge a row.
        assert!(!text.contains("a\"b\\c\nd"), "{text}");
        assert_eq!(lines.len(), 7, "{text}");
        assert!(text.contains("late: did not finish in time"), "{text}");
    }
}
