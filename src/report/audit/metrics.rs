//! The audit as metrics for node_exporter's textfile collector, every name under
//! `csi_self_check_`. Each family is declared once, before its samples; a gauge that
//! says whether something holds is 0 or 1 and always present, so that an alert sees
//! a change and an account that stops being audited is seen.

use std::fmt::Write as _;

use super::{Audit, OUTCOMES, Outcome, Verdict, attention};
use crate::report::json::commit;

/// The metric that says when the last successful audit finished; read back from the
/// previous file by [`last_success_in`].
const LAST_SUCCESS: &str = "csi_self_check_audit_last_success_timestamp_seconds";

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

/// Writes `# HELP` and `# TYPE … gauge`.
fn family(out: &mut String, name: &str, help: &str) {
    let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n");
}

/// The metrics, for `--format prometheus`.
pub fn prometheus(audit: &Audit) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "csi_self_check_build_info",
        "The version and commit of csi-self-check that made these metrics; always 1.",
    );
    let _ = writeln!(
        out,
        "csi_self_check_build_info{{version=\"{}\",commit=\"{}\"}} 1",
        label(env!("CARGO_PKG_VERSION")),
        label(commit().unwrap_or(""))
    );
    family(
        &mut out,
        "csi_self_check_user_compliant",
        "1 when the account has a report and no must-level requirement fails; 0 when one fails or nothing can be vouched for (no report, a check that could not finish).",
    );
    for run in &audit.users {
        let _ = writeln!(
            out,
            "csi_self_check_user_compliant{{user=\"{}\"}} {}",
            label(&run.account.name),
            u8::from(run.verdict() == Verdict::Compliant)
        );
    }
    family(
        &mut out,
        "csi_self_check_findings",
        "Findings that need attention (every status but pass) in the last audit, by user, policy item, level and status; no series for none.",
    );
    for run in &audit.users {
        if let Outcome::Ok(report) = &run.outcome {
            for ((policy, level, status), count) in attention(report) {
                let _ = writeln!(
                    out,
                    "csi_self_check_findings{{user=\"{}\",policy=\"{}\",level=\"{}\",status=\"{}\"}} {count}",
                    label(&run.account.name),
                    label(&policy),
                    label(&level),
                    label(&status)
                );
            }
        }
    }
    family(
        &mut out,
        "csi_self_check_audit_user_status",
        "Whether each user's checks ended ok, failed or timed out in the last audit (1 for the outcome, 0 for the others).",
    );
    for run in &audit.users {
        for outcome in OUTCOMES {
            let _ = writeln!(
                out,
                "csi_self_check_audit_user_status{{user=\"{}\",status=\"{outcome}\"}} {}",
                label(&run.account.name),
                u8::from(run.outcome.as_str() == outcome)
            );
        }
    }
    family(
        &mut out,
        "csi_self_check_user_last_checked_timestamp_seconds",
        "When each account's checks last ran, in seconds since the epoch.",
    );
    for run in &audit.users {
        let _ = writeln!(
            out,
            "csi_self_check_user_last_checked_timestamp_seconds{{user=\"{}\"}} {}",
            label(&run.account.name),
            run.checked
        );
    }
    family(
        &mut out,
        "csi_self_check_audit_success",
        "1 when every account got a report in the last audit, 0 when one failed or timed out.",
    );
    let _ = writeln!(
        out,
        "csi_self_check_audit_success {}",
        u8::from(audit.succeeded())
    );
    family(
        &mut out,
        LAST_SUCCESS,
        "When the last audit in which every account got a report finished, in seconds since the epoch; 0 when none is known.",
    );
    let _ = writeln!(
        out,
        "{LAST_SUCCESS} {:.3}",
        audit.last_success().unwrap_or(0.0)
    );
    family(
        &mut out,
        "csi_self_check_audit_last_run_timestamp_seconds",
        "When the last audit started, in seconds since the epoch.",
    );
    let _ = writeln!(
        out,
        "csi_self_check_audit_last_run_timestamp_seconds {:.3}",
        audit.started
    );
    family(
        &mut out,
        "csi_self_check_audit_duration_seconds",
        "How long the last audit took.",
    );
    let _ = writeln!(
        out,
        "csi_self_check_audit_duration_seconds {:.3}",
        audit.duration
    );
    out
}

/// The last success a previous metrics file records, so that an audit that fails
/// does not make the last good one look recent or forgotten. Anything else in the
/// text is ignored; a value that is not a positive number is none.
pub fn last_success_in(text: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(LAST_SUCCESS)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|value| value.is_finite() && *value > 0.0)
}
