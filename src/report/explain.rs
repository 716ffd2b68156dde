//! `explain CODE`: one finding code told in full — what it means, which policy item
//! it serves and at which level, why the standard asks it, how to fix it, and what
//! its check reads. The meaning is the man page's own paragraph for the code, read
//! from the page compiled into the program, so the page and the command say the same.

use std::fmt::Write as _;

use super::wrap::wrap;
use crate::checks::explain::{self, Code};
use crate::policy::Policy;

/// The command page, as installed.
const PAGE: &str = include_str!("../../man/csi-self-check.1");

/// The explanation of `code`, each part wrapped at `width` (none: unwrapped); `None`
/// for a code no check reports.
pub fn text(code: &str, policy: &Policy, width: Option<usize>) -> Option<String> {
    let reporters: Vec<Code> = explain::codes()
        .into_iter()
        .filter(|c| c.code == code)
        .collect();
    reporters.first()?;
    let mut out = String::new();
    let mut part = |label: &str, text: &str| {
        let rows = wrap(text, width, 10, 10);
        let _ = writeln!(out, "{label:<9} {}", rows.join("\n"));
    };
    part("Code", code);
    part(
        "Means",
        &meaning(code).unwrap_or_else(|| "(no paragraph in the man page)".to_owned()),
    );
    let mut items: Vec<&str> = reporters.iter().flat_map(|c| c.items.clone()).collect();
    items.dedup();
    if items.is_empty() {
        part(
            "Item",
            "the item of the check that could not finish, at its level",
        );
    }
    for item in &items {
        part(
            "Item",
            &format!(
                "{} — \"{}\" (section {}), {} in the policy in effect",
                item,
                policy.text(item, "title"),
                policy.text(item, "section"),
                policy.level(item).as_str()
            ),
        );
        part("Why", policy.text(item, "summary"));
    }
    part(
        "Fix",
        explain::fix(code).unwrap_or("see the report's fix line"),
    );
    for reporter in &reporters {
        let who = match reporter.check {
            "runner" => "any check".to_owned(),
            "key-passphrase" => "key check".to_owned(),
            check => check.to_owned(),
        };
        let reads = explain::reads(reporter.check).unwrap_or_default();
        part("Reads", &format!("{who}: {reads}"));
    }
    Some(out)
}

/// The codes closest to `code`, for a usage error.
pub fn all_codes() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = explain::codes().iter().map(|c| c.code).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The man page's paragraph for `code`: the tagged paragraph (`.TP`) whose tag names
/// it, or else the paragraph of the section that names it first.
pub fn meaning(code: &str) -> Option<String> {
    let lines: Vec<&str> = PAGE.lines().collect();
    let names = |line: &str| {
        plain_words(line)
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|w| w == code)
    };
    let end = |line: &str| {
        [".TP", ".SS", ".SH", ".PP"]
            .iter()
            .any(|m| line.starts_with(m))
    };
    for (i, line) in lines.iter().enumerate() {
        if *line == ".TP"
            && let Some(tag) = lines.get(i + 1)
            && names(tag)
        {
            let body: Vec<&str> = lines[i + 2..]
                .iter()
                .take_while(|l| !end(l))
                .copied()
                .collect();
            return Some(roff_text(&body));
        }
    }
    // A code named in running text (the `key check` section): that paragraph.
    let at = lines
        .iter()
        .position(|l| !l.starts_with(".SS") && names(l))?;
    let start = lines[..at]
        .iter()
        .rposition(|l| end(l))
        .map_or(0, |p| p + 1);
    let body: Vec<&str> = lines[start..]
        .iter()
        .take_while(|l| !end(l))
        .copied()
        .collect();
    Some(roff_text(&body))
}

/// Roff's escapes as the characters they print (the man-page test reads the page
/// so too).
pub fn plain_words(text: &str) -> String {
    text.replace("\\-", "-")
        .replace("\\(em", "—")
        .replace("\\(lq", "“")
        .replace("\\(rq", "”")
        .replace("\\(dq", "\"")
        .replace("\\(->", "→")
        .replace("\\&", "")
        .replace("\\e", "\\")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\fP", "")
}

/// A macro line's arguments: words, or "quoted words".
fn arguments(rest: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = rest.trim().chars().peekable();
    while let Some(c) = chars.peek().copied() {
        if c == ' ' {
            chars.next();
        } else if c == '"' {
            chars.next();
            args.push(chars.by_ref().take_while(|&c| c != '"').collect());
        } else {
            args.push(chars.by_ref().take_while(|&c| c != ' ').collect());
        }
    }
    args
}

/// Roff lines as running text: font macros joined as they print (`.BR a , b` is
/// "a, b"), layout requests dropped.
fn roff_text(lines: &[&str]) -> String {
    let mut words: Vec<String> = Vec::new();
    for line in lines {
        let Some(request) = line.strip_prefix('.') else {
            words.push(plain_words(line));
            continue;
        };
        let (name, rest) = request.split_once(' ').unwrap_or((request, ""));
        match name {
            "B" | "I" => words.push(plain_words(&arguments(rest).join(" "))),
            "BR" | "IR" | "RB" | "RI" | "BI" | "IB" => {
                words.push(plain_words(&arguments(rest).concat()));
            }
            _ => {}
        }
    }
    words
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every code is explained from a paragraph of the man page of its own.
    #[test]
    fn every_code_has_a_paragraph_in_the_man_page() {
        for code in all_codes() {
            let meaning = meaning(code).unwrap_or_else(|| panic!("{code}: no paragraph"));
            assert!(meaning.len() > 20, "{code}: {meaning:?}");
            assert!(
                !meaning.contains("\\f") && !meaning.contains("\\-"),
                "{code}: {meaning}"
            );
        }
        assert!(
            meaning("private-key-group-readable")
                .unwrap()
                .starts_with("The group may read the key."),
        );
    }

    #[test]
    fn an_explanation_has_every_part() {
        let policy = crate::policy::load(&crate::policy::LoadOptions::default()).unwrap();
        let told = text("credential-file-readable", &policy, None).unwrap();
        for part in ["Code", "Means", "Item", "Why", "Fix", "Reads"] {
            assert!(told.lines().any(|l| l.starts_with(part)), "{part}:\n{told}");
        }
        assert!(told.contains("password-usage"), "{told}");
        assert!(told.contains("must-not in the policy in effect"), "{told}");
        assert!(text("no-such-code", &policy, None).is_none());
    }
}
