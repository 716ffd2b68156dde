//! The audit as a table for an admin: one line per account with its verdict first,
//! the counts behind it, when it was checked and the first must-level problem in
//! words; below it a footer that says what each column counts.

use std::fmt::Write as _;
use std::path::Path;

use super::{Audit, Verdict};
use crate::report::text::short_path;
use crate::sanitize::display_str;
use crate::time::utc_minute;

/// A problem's words are cut here, so that a line stays a line.
const PROBLEM_CHARS: usize = 100;

/// The finding behind a verdict in words: where (under the home as `~/`) and what.
fn in_words(finding: &serde_json::Value, home: &Path) -> String {
    let message = display_str(finding["message"].as_str().unwrap_or(""));
    let Some(path) = finding["path"].as_str() else {
        return message;
    };
    let shown = short_path(Path::new(path), home);
    // A message that already opens with FILE:LINE names the file itself.
    if message.starts_with(&format!("{shown}:")) {
        message
    } else {
        format!("{shown}: {message}")
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        text.chars().take(max - 1).collect::<String>() + "…"
    } else {
        text.to_owned()
    }
}

/// The table, for `--format text`.
pub fn text(audit: &Audit) -> String {
    let width = audit
        .users
        .iter()
        .map(|run| display_str(&run.account.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:<width$}  {:<13}  {:>4}  {:>6}  {:>4}  {:>6}  {:>5}  {:>4}  {:<16}  FIRST MUST-LEVEL PROBLEM\n",
        "USER", "VERDICT", "MUST", "SHOULD", "WARN", "WAIVED", "ERROR", "SKIP", "CHECKED (UTC)"
    );
    let mut tally = [0usize; 3];
    for run in &audit.users {
        let verdict = run.verdict();
        tally[verdict as usize] += 1;
        let _ = write!(
            out,
            "{:<width$}  {:<13}",
            display_str(&run.account.name),
            verdict.label()
        );
        match run.counts() {
            Some(c) => {
                let _ = write!(
                    out,
                    "  {:>4}  {:>6}  {:>4}  {:>6}  {:>5}  {:>4}",
                    c.must, c.should, c.warn, c.waived, c.error, c.skip
                );
            }
            None => out.push_str("     -       -     -       -      -     -"),
        }
        let checked = utc_minute(run.checked);
        let checked = checked.trim_end_matches(" UTC");
        let problem = match (run.first_problem(), run.no_report(audit.timeout)) {
            (_, Some(why)) => format!("no report: {why}"),
            (Some(finding), None) if verdict == Verdict::Incomplete => {
                format!("could not check: {}", in_words(finding, &run.account.home))
            }
            (Some(finding), None) => in_words(finding, &run.account.home),
            (None, None) => match run.first_waived() {
                // The waiver is what keeps the account compliant: say whose it is.
                Some(finding) => format!(
                    "- (waived until {} by {}: {})",
                    finding["waiver"]["expires"].as_str().unwrap_or("?"),
                    display_str(finding["waiver"]["granted_by"].as_str().unwrap_or("?")),
                    in_words(finding, &run.account.home)
                ),
                None => "-".to_owned(),
            },
        };
        let _ = writeln!(out, "  {checked:<16}  {}", cut(&problem, PROBLEM_CHARS));
    }
    let [compliant, not_compliant, incomplete] = tally;
    let _ = writeln!(
        out,
        "\n{} account(s) on {}, audited {} in {:.1} s: {compliant} compliant, {not_compliant} NOT COMPLIANT, {incomplete} INCOMPLETE.",
        audit.users.len(),
        display_str(&audit.host),
        utc_minute(audit.started as i64),
        audit.duration
    );
    if audit.users.is_empty() {
        out.push_str("No account to audit.\n");
        return out;
    }
    out.push_str(
        "VERDICT: NOT COMPLIANT when a must-level requirement fails; INCOMPLETE when\n\
         the account has no report or a check could not finish, so nothing is vouched\n\
         for; compliant otherwise (a finding the site policy waives does not fail).\n\
         MUST, SHOULD: findings (one per file or setting) that fail a must- or\n\
         should-level requirement. WARN: met, but not as well as the standard asks.\n\
         WAIVED: findings a waiver in the site policy covers. ERROR: checks that could\n\
         not finish. SKIP: things not examined (a link not followed, a file the user\n\
         cannot read). CHECKED: when the account's checks ran.\n",
    );
    out
}
