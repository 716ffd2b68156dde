//! The text report for people: grouped by policy item, must-level failures first,
//! each finding with its path and the command that fixes it. Everything that came
//! from the filesystem is sanitised here, whatever the check already did.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use owo_colors::OwoColorize;

use super::Report;
use crate::checks::{Finding, Status};
use crate::policy::Level;
use crate::sanitize::{display_path, display_str};

/// When to colour, as asked for on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    /// Only on a terminal that wants it.
    Auto,
    Always,
    Never,
}

/// The one decision on colour, for every stream: `Auto` colours only when the
/// stream is a terminal, `NO_COLOR` is unset or empty, and `TERM` is set and not
/// `dumb` (an unset `TERM` says nothing of what the terminal can show).
fn wants_colour(choice: Colour, stream_is_terminal: bool) -> bool {
    match choice {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_none_or(|t| t == "dumb");
            stream_is_terminal && !no_color && !dumb
        }
    }
}

/// Decides once whether to colour, and colours.
#[derive(Clone, Copy, Debug)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// For what goes to standard output.
    pub fn for_stdout(choice: Colour) -> Painter {
        Painter {
            enabled: wants_colour(choice, std::io::stdout().is_terminal()),
        }
    }

    /// For what goes to standard error (the login lines).
    pub fn for_stderr(choice: Colour) -> Painter {
        Painter {
            enabled: wants_colour(choice, std::io::stderr().is_terminal()),
        }
    }

    pub fn red(&self, text: &str) -> String {
        if self.enabled {
            text.red().to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn yellow(&self, text: &str) -> String {
        if self.enabled {
            text.yellow().to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn status(&self, status: Status) -> String {
        let label = format!("{:<6}", status.as_str().to_uppercase());
        if !self.enabled {
            return label;
        }
        match status {
            Status::Fail => label.red().bold().to_string(),
            Status::Error => label.red().to_string(),
            Status::Warn => label.yellow().to_string(),
            Status::Waived => label.blue().to_string(),
            Status::Remind => label.cyan().to_string(),
            Status::Skip => label.dimmed().to_string(),
            Status::Pass => label.green().to_string(),
        }
    }

    pub fn heading(&self, text: &str) -> String {
        if self.enabled {
            text.bold().to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn dim(&self, text: &str) -> String {
        if self.enabled {
            text.dimmed().to_string()
        } else {
            text.to_owned()
        }
    }
}

/// `MUST NOT` and friends, as the standard prints them.
pub fn level_label(level: Level) -> String {
    level.as_str().replace('-', " ").to_uppercase()
}

/// A path under the home shown as `~/…`, terminal-safe.
pub fn short_path(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Ok(rest) => format!("~/{}", display_path(rest)),
        Err(_) => display_path(path),
    }
}

pub fn report(report: &Report, painter: &Painter, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        let _ = writeln!(
            out,
            "{} {} — {} ({})",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
            display_str(&report.user),
            display_path(&report.home)
        );
        let mut policy = String::from("built-in default");
        for file in &report.policy_files {
            let _ = write!(policy, " + {}", display_path(file));
        }
        let _ = writeln!(out, "policy: {policy}");
    }
    let mut current: Option<&str> = None;
    for finding in report.visible(quiet) {
        if current != Some(finding.policy) {
            current = Some(finding.policy);
            out.push('\n');
            let heading = match report.items.get(finding.policy) {
                Some((title, level)) => format!(
                    "{} {} [{}]",
                    level_label(*level),
                    display_str(title),
                    finding.policy
                ),
                None => finding.policy.to_owned(),
            };
            let _ = writeln!(out, "{}", painter.heading(&heading));
        }
        let item_level = report.items.get(finding.policy).map(|(_, level)| *level);
        write_finding(&mut out, finding, item_level, &report.home, painter);
    }
    if !quiet {
        let s = report.summary();
        let must = report
            .findings
            .iter()
            .filter(|f| f.is_must_failure())
            .count();
        let _ = writeln!(
            out,
            "\n{must} must-level failure{} — {} fail, {} warn, {} waived, {} pass, {} skip, {} error, {} remind",
            if must == 1 { "" } else { "s" },
            s.fail,
            s.warn,
            s.waived,
            s.pass,
            s.skip,
            s.error,
            s.remind
        );
    }
    out
}

fn write_finding(
    out: &mut String,
    finding: &Finding,
    item_level: Option<Level>,
    home: &Path,
    painter: &Painter,
) {
    let _ = write!(out, "  {} ", painter.status(finding.status));
    if item_level != Some(finding.level) {
        let _ = write!(out, "({}) ", finding.level.as_str());
    }
    let message = display_str(&finding.message);
    if let Some(path) = &finding.path {
        let shown = short_path(path, home);
        // A message that already opens with FILE:LINE (for JSON readers) names it.
        if !message.starts_with(&format!("{shown}:")) {
            let _ = write!(out, "{shown}: ");
        }
    }
    let _ = writeln!(out, "{message}");
    if let Some(waiver) = &finding.waiver {
        let _ = writeln!(
            out,
            "{:9}{}",
            "",
            painter.dim(&format!(
                "waived until {} by {}: {} ({}:{})",
                waiver.expires,
                display_str(&waiver.granted_by),
                display_str(&waiver.reason),
                display_path(&waiver.file),
                waiver.file_line
            ))
        );
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(
            out,
            "{:9}{}",
            "",
            painter.dim(&format!("fix: {}", display_str(fix)))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;

    fn rendered(path: &str, message: &str) -> String {
        let finding = Finding::new(
            "ssh-client-config",
            "ssh-proxycommand",
            Level::Should,
            Status::Warn,
            "ssh-forward-agent",
        )
        .at(Path::new(path))
        .says(message);
        let mut out = String::new();
        write_finding(
            &mut out,
            &finding,
            Some(Level::Should),
            Path::new("/home/a"),
            &Painter::for_stdout(Colour::Never),
        );
        out
    }

    #[test]
    fn a_path_the_message_opens_with_is_not_repeated() {
        assert_eq!(
            rendered("/home/a/.ssh/config", "~/.ssh/config:6: sets it"),
            "  WARN   ~/.ssh/config:6: sets it\n"
        );
        assert_eq!(
            rendered("/home/a/.ssh/id_rsa", "line 2: readable"),
            "  WARN   ~/.ssh/id_rsa: line 2: readable\n"
        );
    }
}
