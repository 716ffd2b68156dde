//! `checklist`: the standard as its authors meant it to be used — printed and ticked
//! off. Automated items carry the verdict of this run; behavioural items get an empty
//! box for the person to tick.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::json::{SCHEMA_VERSION, Tool, to_line};
use super::text::level_label;
use super::{Painter, Report};
use crate::checks::{CHECKS, Selection, Status, Subject};
use crate::policy::{Level, Policy, schema};
use crate::sanitize::{display_path, display_str, json_path};

/// One line of the checklist.
#[derive(Debug, Serialize)]
pub struct Item {
    pub id: &'static str,
    pub section: String,
    pub title: String,
    pub level: Level,
    pub summary: String,
    /// A check of this tool judges it.
    pub automated: bool,
    /// The worst status among its findings, for automated items.
    pub verdict: Option<Status>,
}

/// The whole checklist.
#[derive(Debug)]
pub struct Checklist {
    pub user: String,
    pub home: PathBuf,
    pub date: String,
    pub contact: String,
    pub items: Vec<Item>,
    pub policy_files: Vec<PathBuf>,
    /// The machine and the moment of the run it comes from.
    pub host: String,
    pub time: i64,
}

impl Checklist {
    pub fn new(policy: &Policy, report: &Report, selection: &Selection, date: String) -> Checklist {
        let items = schema::ITEMS
            .iter()
            .filter(|spec| selection.covers_item(spec.id))
            .map(|spec| {
                let automated = CHECKS
                    .iter()
                    .any(|c| !c.reminds_only() && c.policies().contains(&spec.id));
                // Items judged only from a password given to `password` (its rules,
                // its reuse) have nothing to judge in this run: no finding must not
                // read as "met".
                let judged_here = CHECKS.iter().any(|c| {
                    !c.reminds_only()
                        && c.subject() == Subject::Home
                        && c.policies().contains(&spec.id)
                });
                let statuses = report
                    .findings
                    .iter()
                    .filter(|f| f.policy == spec.id)
                    .map(|f| f.status);
                Item {
                    id: spec.id,
                    section: policy.text(spec.id, "section").to_owned(),
                    title: policy.text(spec.id, "title").to_owned(),
                    level: policy.level(spec.id),
                    summary: policy.text(spec.id, "summary").to_owned(),
                    automated,
                    verdict: if automated && !judged_here {
                        Some(Status::Skip)
                    } else if automated {
                        Some(verdict(statuses))
                    } else {
                        None
                    },
                }
            })
            .collect();
        Checklist {
            user: report.user.clone(),
            home: report.home.clone(),
            date,
            contact: policy.text("incident-reporting", "contact").to_owned(),
            items,
            policy_files: report.policy_files.clone(),
            host: report.host.clone(),
            time: report.time,
        }
    }

    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Document<'a> {
            schema_version: u32,
            tool: Tool,
            host: &'a str,
            time: String,
            user: &'a str,
            home: String,
            date: &'a str,
            contact: &'a str,
            items: &'a [Item],
        }
        to_line(&Document {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            host: &self.host,
            time: crate::time::utc_second(self.time),
            user: &self.user,
            home: json_path(&self.home),
            date: &self.date,
            contact: &self.contact,
            items: &self.items,
        })
    }

    pub fn to_text(&self, painter: &Painter) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            painter.heading("CSI Security Policy — End User Security checklist")
        );
        let _ = writeln!(
            out,
            "Account: {} ({})    Date: {}",
            display_str(&self.user),
            display_path(&self.home),
            self.date
        );
        let mut policy = String::from("built-in default");
        for file in &self.policy_files {
            let _ = write!(policy, " + {}", display_path(file));
        }
        let _ = writeln!(out, "Policy: {policy}");
        let _ = writeln!(
            out,
            "Report security incidents to: {}",
            display_str(&self.contact)
        );
        out.push_str(
            "\n[x] met   [!] not met: run csi-self-check for details   [~] met, could be better\n\
             [w] met under a site waiver   [?] could not be checked\n\
             [ ] to do, or behavioural: tick it when it holds\n",
        );
        let mut section = "";
        for item in &self.items {
            if item.section != section {
                section = &item.section;
                let _ = writeln!(
                    out,
                    "\n{}",
                    painter.heading(&format!("{section}  {}", section_title(section)))
                );
            }
            let (mark, note) = match item.verdict {
                None => ("[ ]", String::new()),
                Some(Status::Pass) => ("[x]", "checked: met".to_owned()),
                Some(Status::Fail) => ("[!]", "checked: NOT met".to_owned()),
                Some(Status::Warn) => ("[~]", "checked: met, could be better".to_owned()),
                Some(Status::Waived) => ("[w]", "checked: met under a site waiver".to_owned()),
                Some(Status::Error) => ("[?]", "checked: could not be checked".to_owned()),
                Some(Status::Skip) => ("[?]", "checked: nothing to judge".to_owned()),
                // A check's reminder (no backup confirmed, no lock found) is
                // something to do, as the report says: never "nothing to judge".
                Some(Status::Remind) => ("[ ]", "checked: to do, see the report".to_owned()),
            };
            let title = display_str(&item.title);
            let line = format!("{mark} {:<11}{title:<34}{note}", level_label(item.level));
            let _ = writeln!(out, "{}", line.trim_end());
            for line in wrap(&display_str(&item.summary), 64) {
                let _ = writeln!(out, "{:15}{line}", "");
            }
        }
        out
    }
}

/// Fail outranks error, error outranks warn, warn outranks waived, waived outranks pass;
/// only skips is a skip.
fn verdict(statuses: impl Iterator<Item = Status>) -> Status {
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Warn => 2,
        Status::Waived => 3,
        Status::Pass => 4,
        Status::Remind => 5,
        Status::Skip => 6,
    };
    statuses.min_by_key(|s| rank(*s)).map_or(Status::Pass, |s| {
        if s == Status::Skip { Status::Skip } else { s }
    })
}

fn section_title(section: &str) -> &'static str {
    match section {
        "2.1" => "End user standards",
        "2.1.1" => "Administrative exceptions",
        "2.2" => "Security incidents",
        _ => "",
    }
}

/// Greedy word wrap; a word longer than the width stands on its own line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_short() {
        let lines = wrap("one two three four five six seven eight nine ten", 14);
        assert_eq!(
            lines,
            ["one two three", "four five six", "seven eight", "nine ten"]
        );
    }

    #[test]
    fn verdict_takes_the_worst() {
        assert_eq!(
            verdict([Status::Pass, Status::Fail, Status::Warn].into_iter()),
            Status::Fail
        );
        assert_eq!(
            verdict([Status::Pass, Status::Skip].into_iter()),
            Status::Pass
        );
        assert_eq!(verdict([Status::Skip].into_iter()), Status::Skip);
        assert_eq!(verdict(std::iter::empty()), Status::Pass);
    }
}
