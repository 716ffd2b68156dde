//! The login lines: the few lines a login prints, one per file with a must-level
//! problem (exposed private keys first), each cut to the terminal's width, then a
//! line counting the files left; a reminder only when no problem is left. Written to
//! the interactive session's standard error, or to standard output for pam_exec to
//! relay.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::entries::{self, Entry};
use super::text::{Colour, Painter, short_path};
use super::wrap::cut;
use crate::checks::Finding;
use crate::sanitize::display_str;

/// Every line opens with this, so that a person knows what printed it.
const PREFIX: &str = "csi-self-check: ";

/// Where the lines go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// The profile.d hook: standard error of an interactive session.
    Terminal,
    /// pam_exec's `stdout` option relays standard output through PAM.
    Pam,
}

/// A private key anyone may take: unencrypted, or open to others. The login ranks
/// these before everything else.
fn is_exposed_key(finding: &Finding) -> bool {
    finding.code == "key-unencrypted"
        || (finding.code.starts_with("private-key-") && finding.is_must_failure())
}

/// The must-level problems a login tells of, one entry per file: exposed private
/// keys first, then in the report's order.
pub fn must_entries<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<Entry<'a>> {
    let mut must = entries::problems(findings.filter(|f| f.is_must_failure()));
    // A stable sort keeps the report's order within each group.
    must.sort_by_key(|entry| !entry.problems.iter().any(|f| is_exposed_key(f)));
    must
}

/// One entry's words for its login line, not yet cut to a width: the file, how
/// many problems it has when more than one, and the most urgent one's message
/// without the at-rest words.
pub fn entry_text(entry: &Entry<'_>, home: &Path) -> String {
    let first = entry.problems[0];
    let place = match entry.place {
        entries::Place::File(path) => short_path(path, home),
        entries::Place::Item(id) => id.to_owned(),
    };
    let message = first
        .at_rest
        .as_deref()
        .and_then(|fact| entries::without_fact(&first.message, fact))
        .unwrap_or_else(|| first.message.clone());
    // A key's fingerprint is for the full report; at a glance it would push out
    // what is wrong with the key.
    let message = entries::without_fingerprint(&message);
    // A message that already opens with FILE:LINE names the file.
    let message = message
        .strip_prefix(&format!("{place}:"))
        .map_or(message.as_str(), str::trim_start)
        .to_owned();
    let count = match entry.problems.len() {
        1 => String::new(),
        n => format!(" ({n} problems)"),
    };
    display_str(&format!("FAIL {place}{count}: {message}"))
}

/// One reminder's words.
pub fn reminder_text(finding: &Finding) -> String {
    display_str(&format!("remind {}", finding.message))
}

/// The lines a login prints, at most `max` of them, each cut to `width` columns:
/// the problems (one line per file) and, when more are left than fit, one line
/// counting them; a reminder only when no problem is left. Each is made
/// terminal-safe here too: lines a later login reads back from its cached summary
/// are text from a file.
pub fn shape(problems: &[String], reminder: Option<&str>, max: usize, width: usize) -> Vec<String> {
    let line = |text: &str| cut(&format!("{PREFIX}{}", display_str(text)), width);
    if problems.is_empty() {
        return reminder.map(line).into_iter().take(max).collect();
    }
    let room = if problems.len() > max {
        max.saturating_sub(1)
    } else {
        problems.len()
    };
    let mut lines: Vec<String> = problems[..room].iter().map(|p| line(p)).collect();
    if room < problems.len() {
        let left = problems.len() - room;
        let files = if left == 1 { "file" } else { "files" };
        lines.push(line(&format!(
            "{left} more {files} with a must-level problem; run `csi-self-check` for the full report"
        )));
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
        if line.starts_with(&format!("{PREFIX}FAIL")) {
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
    fn lines_read_back_from_a_cached_summary_are_made_safe() {
        let shown = shape(&["FAIL \u{1b}[2J\u{1b}]0;x\u{7}".to_owned()], None, 5, 80);
        assert_eq!(
            shown,
            ["csi-self-check: FAIL \\u{001B}[2J\\u{001B}]0;x\\u{0007}"]
        );
        // Text already made safe is left as it is.
        assert_eq!(
            shape(&[shown[0].clone()], None, 5, 200)[0]
                .matches("\\u{")
                .count(),
            3
        );
    }

    #[test]
    fn problems_come_first_and_a_line_counts_the_files_left() {
        assert!(shape(&[], None, 5, 80).is_empty());
        assert_eq!(
            shape(&lines("f", 2), Some("r"), 5, 80),
            ["csi-self-check: f0", "csi-self-check: f1"]
        );
        // A reminder only when no problem is left.
        assert_eq!(shape(&[], Some("r"), 5, 80), ["csi-self-check: r"]);
        let shown = shape(&lines("f", 7), None, 5, 80);
        assert_eq!(shown.len(), 5);
        assert_eq!(shown[3], "csi-self-check: f3");
        assert!(shown[4].contains("3 more files"), "{shown:?}");
        // The same problems, the same count.
        assert_eq!(shown, shape(&lines("f", 7), None, 5, 80));
    }

    #[test]
    fn a_keys_line_leaves_out_its_fingerprint() {
        use crate::checks::Status;
        use crate::policy::Level;
        let finding = Finding::new(
            "key-encryption",
            "key-passwords",
            Level::Must,
            Status::Fail,
            "key-unencrypted",
        )
        .at(Path::new("/h/.ssh/id"))
        .says("OpenSSH private key (ssh-ed25519, SHA256:abc) is stored without a passphrase");
        let entries = must_entries(std::iter::once(&finding));
        assert_eq!(
            entry_text(&entries[0], Path::new("/h")),
            "FAIL ~/.ssh/id: OpenSSH private key is stored without a passphrase"
        );
    }

    #[test]
    fn every_line_fits_the_width() {
        let long = "x ".repeat(200);
        for width in [40, 80, 150] {
            let shown = shape(&[long.clone(), long.clone()], None, 5, width);
            assert!(
                shown.iter().all(|l| l.chars().count() <= width),
                "{shown:?}"
            );
            assert!(shown.iter().all(|l| l.ends_with('…')), "{shown:?}");
        }
    }
}
