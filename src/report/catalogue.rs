//! `list-checks`: the registry of checks as people and scripts read it.

use serde::Serialize;

use super::json::{SCHEMA_VERSION, Tool, to_line};
use crate::checks::CHECKS;
use crate::policy::schema;

#[derive(Serialize)]
struct Entry {
    id: &'static str,
    policies: &'static [&'static str],
    summary: &'static str,
    /// The finding codes it reports (see `explain CODE`).
    codes: &'static [&'static str],
}

fn entries() -> Vec<Entry> {
    CHECKS
        .iter()
        .map(|c| Entry {
            id: c.id(),
            policies: c.policies(),
            summary: c.summary(),
            codes: c.codes(),
        })
        .collect()
}

/// One JSON document: the registry, an object a check.
pub fn json() -> String {
    #[derive(Serialize)]
    struct Document {
        schema_version: u32,
        tool: Tool,
        checks: Vec<Entry>,
    }
    to_line(&Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        checks: entries(),
    })
}

/// Each check with its policy items and summary, then the behavioural items that no
/// check judges.
pub fn text() -> String {
    let mut out = String::new();
    for entry in &entries() {
        out.push_str(&format!(
            "{:<20} {}\n{:<20} {}\n",
            entry.id,
            entry.policies.join(", "),
            "",
            entry.summary
        ));
    }
    let automated: Vec<&str> = CHECKS
        .iter()
        .filter(|c| !c.reminds_only())
        .flat_map(|c| c.policies().iter().copied())
        .collect();
    let behavioural: Vec<&str> = schema::ITEMS
        .iter()
        .map(|s| s.id)
        .filter(|id| !automated.contains(id))
        .collect();
    out.push_str(&format!(
        "\nbehavioural (in `checklist`, and reminded of by `reminders`; not checked): {}\n",
        behavioural.join(", ")
    ));
    out
}
