//! What the text report and the login lines agree on: which findings are problems,
//! how problems rank (must-level failures, errors, should-level failures, warnings),
//! and how they group into one entry per file, holding every problem of that file.

use std::collections::BTreeMap;
use std::path::Path;

use crate::checks::{Finding, Status};
use crate::policy::schema;

/// How urgent a problem is; lower first. `None` for what is no problem (a pass, a
/// skip, a reminder).
pub fn class(finding: &Finding) -> Option<u8> {
    match finding.status {
        Status::Fail if finding.level.is_must() => Some(0),
        Status::Error => Some(1),
        Status::Fail => Some(2),
        Status::Warn => Some(3),
        // Accepted by the site, yet shown with its waiver: it may expire.
        Status::Waived => Some(4),
        Status::Pass | Status::Skip | Status::Remind => None,
    }
}

/// The standard's order of a policy item.
pub fn item_order(id: &str) -> usize {
    schema::ITEMS
        .iter()
        .position(|spec| spec.id == id)
        .unwrap_or(usize::MAX)
}

/// Where an entry's problems are: a file, or (for findings about no one file) a
/// policy item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place<'a> {
    File(&'a Path),
    Item(&'static str),
}

/// One file's (or one item's) problems, most urgent first.
#[derive(Debug)]
pub struct Entry<'a> {
    pub place: Place<'a>,
    pub problems: Vec<&'a Finding>,
}

impl Entry<'_> {
    /// The most urgent problem's class.
    pub fn class(&self) -> u8 {
        self.problems
            .iter()
            .filter_map(|f| class(f))
            .min()
            .unwrap_or(u8::MAX)
    }

    /// How the report orders entries: by class, then by the standard's order of the
    /// most urgent problem's item, then by place.
    fn rank(&self) -> (u8, usize) {
        let first = self.problems[0];
        (self.class(), item_order(first.policy))
    }
}

/// The problems among `findings`, one entry per file (or item), ranked.
pub fn problems<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<Entry<'a>> {
    let mut by_place: BTreeMap<Place<'a>, Vec<&'a Finding>> = BTreeMap::new();
    for finding in findings.filter(|f| class(f).is_some()) {
        let place = match &finding.path {
            Some(path) => Place::File(path),
            None => Place::Item(finding.policy),
        };
        by_place.entry(place).or_default().push(finding);
    }
    let mut entries: Vec<Entry<'a>> = by_place
        .into_iter()
        .map(|(place, mut problems)| {
            problems.sort_by_key(|f| (class(f), item_order(f.policy)));
            Entry { place, problems }
        })
        .collect();
    entries.sort_by(|a, b| a.rank().cmp(&b.rank()).then(a.place.cmp(&b.place)));
    entries
}

/// `message` without the at-rest words it ends with (or holds) when the report says
/// them once elsewhere; `None` when they are not found as the checks write them.
pub fn without_fact(message: &str, fact: &str) -> Option<String> {
    for (before, after) in [(" (", ")"), (" — ", ""), ("; ", ""), (": ", ""), (", ", "")] {
        let needle = format!("{before}{fact}{after}");
        if let Some(at) = message.find(&needle) {
            let mut shorter = message[..at].to_owned();
            shorter.push_str(&message[at + needle.len()..]);
            return Some(shorter);
        }
    }
    None
}

/// `message` without a key's fingerprint in parentheses (`(ssh-ed25519, SHA256:…)`):
/// where rows are few, the path says which key it is.
pub fn without_fingerprint(message: &str) -> String {
    let fingerprint = message.find("SHA256:").and_then(|sha| {
        let open = message[..sha].rfind(" (")?;
        let close = sha + message[sha..].find(')')?;
        Some((open, close))
    });
    match fingerprint {
        Some((open, close)) => format!("{}{}", &message[..open], &message[close + 1..]),
        None => message.to_owned(),
    }
}

/// The words every message of an entry opens with, when they are worth saying once
/// in its heading: at least three words shared by two or more messages, ending where
/// each message's word ends. Returns them and each message's remainder.
pub fn common_opening<'m>(messages: &[&'m str]) -> Option<(&'m str, Vec<&'m str>)> {
    let [first, rest @ ..] = messages else {
        return None;
    };
    if rest.is_empty() {
        return None;
    }
    let mut end = rest.iter().fold(first.len(), |end, other| {
        first
            .char_indices()
            .zip(other.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((at, c), _)| at + c.len_utf8())
            .min(end)
    });
    // Back to where a word ends in every message.
    let word_end = |at: usize| {
        messages.iter().all(|m| {
            !m[..at].ends_with(' ') && m[at..].chars().next().is_none_or(|c| !c.is_alphanumeric())
        })
    };
    while end > 0 && !(first.is_char_boundary(end) && word_end(end)) {
        end -= 1;
    }
    let opening = &first[..end];
    if opening.split_whitespace().count() < 3 {
        return None;
    }
    let remainders: Vec<&str> = messages
        .iter()
        .map(|m| m[end..].trim_start_matches([',', ';', ':', ' ']))
        .collect();
    // A remainder must read as the rest of a sentence, not as a parenthesis cut off
    // from what it qualifies.
    if remainders
        .iter()
        .any(|r| r.is_empty() || r.starts_with('('))
    {
        return None;
    }
    Some((opening, remainders))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::Level;

    fn finding(code: &'static str, status: Status, level: Level, path: &str) -> Finding {
        Finding::new("c", "password-usage", level, status, code).at(Path::new(path))
    }

    #[test]
    fn one_entry_per_file_ranked_must_then_errors_then_should_then_warnings() {
        let findings = [
            finding("w", Status::Warn, Level::Should, "/h/b"),
            finding("s", Status::Fail, Level::Should, "/h/c"),
            finding("m1", Status::Fail, Level::Must, "/h/d"),
            finding("m2", Status::Fail, Level::MustNot, "/h/d"),
            finding("p", Status::Pass, Level::Must, "/h/a"),
            finding("w2", Status::Warn, Level::Should, "/h/d"),
        ];
        let entries = problems(findings.iter());
        let places: Vec<Place<'_>> = entries.iter().map(|e| e.place).collect();
        assert_eq!(
            places,
            [
                Place::File(Path::new("/h/d")),
                Place::File(Path::new("/h/c")),
                Place::File(Path::new("/h/b"))
            ]
        );
        let codes: Vec<&str> = entries[0].problems.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["m1", "m2", "w2"]);
    }

    #[test]
    fn the_at_rest_words_come_out_in_each_form_the_checks_write() {
        let fact = "not encrypted (/dev/vda, ext4)";
        for (message, short) in [
            (
                "holds a secret (line 1), mode 0644; not encrypted (/dev/vda, ext4)",
                "holds a secret (line 1), mode 0644",
            ),
            (
                "in the clear on a filesystem that is not encrypted: not encrypted (/dev/vda, ext4)",
                "in the clear on a filesystem that is not encrypted",
            ),
            (
                "line 2: mysql -p**** (not encrypted (/dev/vda, ext4))",
                "line 2: mysql -p****",
            ),
            (
                "has the key — not encrypted (/dev/vda, ext4)",
                "has the key",
            ),
        ] {
            assert_eq!(without_fact(message, fact).as_deref(), Some(short));
        }
        assert_eq!(without_fact("nothing of it", fact), None);
    }

    #[test]
    fn shared_opening_words_are_said_once() {
        let (opening, rest) = common_opening(&[
            "holds a password in the clear (line 3), and others can read it",
            "holds a password in the clear (line 3) on a filesystem that is not encrypted",
        ])
        .unwrap();
        assert_eq!(opening, "holds a password in the clear (line 3)");
        assert_eq!(
            rest,
            [
                "and others can read it",
                "on a filesystem that is not encrypted"
            ]
        );
        // Too little in common, or a word cut in two: nothing is hoisted.
        assert!(common_opening(&["line 2: a", "line 3: b"]).is_none());
        assert!(common_opening(&["mode 0644 is open", "mode 0640 is open"]).is_none());
        assert!(common_opening(&["only one message here"]).is_none());
        assert!(
            common_opening(&[
                "OpenSSH private key (ssh-ed25519) is stored without a passphrase",
                "OpenSSH private key can be written by its owner"
            ])
            .is_none()
        );
    }
}
