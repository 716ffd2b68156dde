//! The login lines: the few lines a login prints, each a finding cut to a glance's
//! length, failures first, then reminders, then a pointer to the rest — written to
//! the interactive session's standard error, or to standard output for pam_exec to
//! relay.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::text::{Colour, Painter, short_path};
use crate::checks::{Finding, Status};
use crate::sanitize::display_str;

/// A line is cut here: a login warning is read at a glance.
const LINE_CHARS: usize = 160;

/// Where the lines go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// The profile.d hook: standard error of an interactive session.
    Terminal,
    /// pam_exec's `stdout` option relays standard output through PAM.
    Pam,
}

/// One finding as one short line: where, what, cut at a glance's length.
pub fn line(finding: &Finding, home: &Path) -> String {
    let label = match finding.status {
        Status::Fail => "FAIL",
        Status::Remind => "remind",
        _ => finding.status.as_str(),
    };
    let place = finding
        .path
        .as_deref()
        .map(|p| format!("{}: ", short_path(p, home)))
        .unwrap_or_default();
    let mut text = format!("csi-self-check: {label} {place}{}", finding.message);
    if text.chars().count() > LINE_CHARS {
        text = text.chars().take(LINE_CHARS - 1).collect::<String>() + "…";
    }
    display_str(&text)
}

/// How many findings fit in `max` lines, when a pointer must follow any left out.
pub fn room(total: usize, max: usize) -> usize {
    if total > max {
        max.saturating_sub(1)
    } else {
        total
    }
}

/// Failures first, then reminders, then a pointer to the rest — `max` lines in all.
pub fn shape(
    failures: &[String],
    failure_count: usize,
    reminders: &[String],
    max: usize,
) -> Vec<String> {
    let total = failure_count.max(failures.len()) + reminders.len();
    if total == 0 {
        return Vec::new();
    }
    let mut lines: Vec<String> = failures
        .iter()
        .chain(reminders)
        .take(room(total, max))
        .cloned()
        .collect();
    if total > lines.len() {
        lines.push(format!(
            "csi-self-check: {} more; run `csi-self-check` for the full report",
            total - lines.len()
        ));
    }
    lines
}

/// Whether someone is at the session: its standard input and standard error are
/// terminals. Anything else (scp, sftp, a cron job) gets nothing.
pub fn interactive_session() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Writes the lines; nothing at all when there are none.
pub fn deliver(sink: Sink, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    match sink {
        Sink::Terminal => {
            let painted = painted(lines, &Painter::for_stderr(Colour::Auto));
            let _ = std::io::stderr().lock().write_all(painted.as_bytes());
        }
        Sink::Pam => {
            let mut text = lines.join("\n");
            text.push('\n');
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
}

/// Failures in red, the rest in yellow, when the terminal wants colour.
fn painted(lines: &[String], painter: &Painter) -> String {
    let mut out = String::new();
    for line in lines {
        if line.starts_with("csi-self-check: FAIL") {
            out.push_str(&painter.red(line));
        } else {
            out.push_str(&painter.yellow(line));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[test]
    fn failures_come_first_and_a_pointer_counts_the_rest() {
        assert!(shape(&[], 0, &[], 5).is_empty());
        let shown = shape(&lines("f", 2), 2, &lines("r", 2), 5);
        assert_eq!(shown, ["f0", "f1", "r0", "r1"]);
        let shown = shape(&lines("f", 3), 3, &lines("r", 4), 5);
        assert_eq!(shown.len(), 5);
        assert_eq!(&shown[..4], ["f0", "f1", "f2", "r0"]);
        assert!(shown[4].contains("3 more"), "{shown:?}");
        // A cached summary keeps a count beyond the lines it kept.
        let shown = shape(&lines("f", 1), 9, &[], 5);
        assert!(shown[1].contains("8 more"), "{shown:?}");
    }
}
