//! The JSON wire format, a contract kept across versions: its own types, serialised
//! only (after ripgrep's `jsont.rs`). Every key is always present; `path` and `fix`
//! are `null` when they do not apply. A path that is not valid UTF-8 carries each
//! invalid byte as the four characters `\xNN`.

use serde::Serialize;

use super::{Report, Summary};
use crate::checks::{Finding, Status};
use crate::policy::Level;
use crate::sanitize::json_path;

pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    /// The git commit the binary was built from; `null` for a build that names none.
    pub commit: Option<&'static str>,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
            commit: commit(),
        }
    }
}

/// The commit `src/build.rs` found, if any.
pub fn commit() -> Option<&'static str> {
    Some(env!("CSI_SELF_CHECK_BUILD_COMMIT")).filter(|c| !c.is_empty())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool,
    host: &'a str,
    /// The run's moment, RFC 3339 in UTC.
    time: String,
    user: &'a str,
    home: String,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
    /// The modes `--fix` changed (empty without it).
    changes: Vec<JsonChange>,
}

#[derive(Serialize)]
struct JsonChange {
    path: String,
    from: String,
    to: String,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    check: &'static str,
    policy: &'static str,
    level: Level,
    status: Status,
    code: &'static str,
    path: Option<String>,
    /// The line of `path`, from 1, where the finding is about one.
    line: Option<u32>,
    message: &'a str,
    fix: Option<&'a str>,
    waiver: Option<JsonWaiver<'a>>,
}

/// The waiver of a `waived` finding, and the status it had without it.
#[derive(Serialize)]
struct JsonWaiver<'a> {
    status: Status,
    reason: &'a str,
    granted_by: &'a str,
    expires: &'a str,
    file: String,
    line: usize,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> JsonFinding<'a> {
        JsonFinding {
            check: f.check,
            policy: f.policy,
            level: f.level,
            status: f.status,
            code: f.code,
            path: f.path.as_deref().map(json_path),
            line: f.line,
            message: &f.message,
            fix: f.fix.as_deref(),
            waiver: f.waiver.as_ref().map(|w| JsonWaiver {
                status: w.was,
                reason: &w.reason,
                granted_by: &w.granted_by,
                expires: &w.expires,
                file: json_path(&w.file),
                line: w.file_line,
            }),
        }
    }
}

pub fn report(report: &Report, quiet: bool) -> String {
    let document = JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        host: &report.host,
        time: crate::time::utc_second(report.time),
        user: &report.user,
        home: json_path(&report.home),
        findings: report.visible(quiet).map(JsonFinding::from).collect(),
        summary: report.summary(),
        changes: report
            .changes
            .iter()
            .map(|c| JsonChange {
                path: json_path(&c.path),
                from: crate::fs::perm::octal(c.from),
                to: crate::fs::perm::octal(c.to),
            })
            .collect(),
    };
    to_line(&document)
}

/// One JSON document on one line, newline-terminated.
pub fn to_line<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
