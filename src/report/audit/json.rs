//! The audit as one JSON document: the run, then each account with its verdict, its
//! counts and the finding behind the verdict, and the account's own report inside.

use serde::Serialize;

use super::{Audit, Counts, round_ms};
use crate::report::json::{SCHEMA_VERSION, Tool};
use crate::sanitize::json_path;
use crate::time::utc_second;

#[derive(Serialize)]
struct JsonAudit<'a> {
    schema_version: u32,
    tool: Tool,
    host: &'a str,
    started: String,
    duration_seconds: f64,
    /// Every account got a report.
    succeeded: bool,
    users: Vec<JsonUser<'a>>,
}

#[derive(Serialize)]
struct JsonUser<'a> {
    user: &'a str,
    uid: u32,
    home: String,
    /// `compliant`, `not-compliant` or `incomplete`.
    verdict: &'static str,
    /// The same as `verdict == "compliant"`, for a filter that wants a boolean.
    compliant: bool,
    /// When this account's checks started.
    checked: String,
    counts: Option<Counts>,
    /// The finding behind the verdict, exactly as in `report`.
    first_problem: Option<&'a serde_json::Value>,
    /// How the child ended: `reported` (it made its report), `failed` or `timed-out`;
    /// never `ok`, which would read as a verdict.
    status: &'static str,
    /// The user id the child was seen to have when it exited.
    ran_as_uid: Option<u32>,
    seconds: f64,
    error: Option<String>,
    report: Option<&'a serde_json::Value>,
}

pub fn json(audit: &Audit) -> String {
    let users = audit
        .users
        .iter()
        .map(|run| {
            let verdict = run.verdict();
            JsonUser {
                user: &run.account.name,
                uid: run.account.uid,
                home: json_path(&run.account.home),
                verdict: verdict.as_str(),
                compliant: verdict == super::Verdict::Compliant,
                checked: utc_second(run.checked),
                counts: run.counts(),
                first_problem: run.first_problem(),
                status: run.outcome.as_str(),
                ran_as_uid: run.ran_as_uid,
                seconds: round_ms(run.elapsed.as_secs_f64()),
                error: run.no_report(audit.timeout),
                report: match &run.outcome {
                    super::Outcome::Ok(report) => Some(report),
                    _ => None,
                },
            }
        })
        .collect();
    crate::report::to_json_line(&JsonAudit {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        host: &audit.host,
        started: utc_second(audit.started as i64),
        duration_seconds: round_ms(audit.duration),
        succeeded: audit.succeeded(),
        users,
    })
}
