//! The text report for people: grouped by policy item, must-level failures first,
//! each finding with its path and the command that fixes it. Everything that came
//! from the filesystem is sanitised here, whatever the check already did.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use owo_colors::OwoColorize;

use super::Report;
use crate::checks::{Finding, Status};
use crate::cli::ColorWhen;
use crate::policy::Level;
use crate::sanitize::{display_path, display_str};

/// Decides once whether to colour, and colours.
#[derive(Clone, Copy, Debug)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// `auto` colours only when stdout is a terminal, `NO_COLOR` is unset or empty and
    /// `TERM` is not `dumb`.
    pub fn new(when: ColorWhen) -> Painter {
        let enabled = match when {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
                std::io::stdout().is_terminal() && !no_color && !dumb
            }
        };
        Painter { enabled }
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
            "\n{must} must-level failure{} — {} fail, {} warn, {} pass, {} skip, {} error, {} remind",
            if must == 1 { "" } else { "s" },
            s.fail,
            s.warn,
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
            &Painter::new(crate::cli::ColorWhen::Never),
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
