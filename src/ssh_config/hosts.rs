//! The hosts a config can be asked about. Every host name is too many to try, but
//! a line can only apply to a host its blocks name (or to any host, under `Host *`
//! or before any block): one name made from each pattern — `*` and `?` filled in —
//! and one name no pattern singles out stand for them all. A pattern that no host
//! name can match (`Host web1,web2`: ssh does not split on commas; `Host web[12]`:
//! no classes) gives no name, so the lines under it are found to apply to none.

use std::collections::HashSet;

use super::{Block, Condition, Config, Criterion};

/// A name that stands for every host the config does not name.
pub const UNLISTED: &str = "host-not-named-in-the-config";

/// The most names tried: a config past this many patterns is judged on these.
const MAX_CANDIDATES: usize = 20_000;

/// The names to evaluate the config for, each once, in the order the patterns
/// appear, then [`UNLISTED`].
pub fn candidates(config: &Config) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut offer = |name: String| {
        if out.len() < MAX_CANDIDATES && seen.insert(name.clone()) {
            out.push(name);
        }
    };
    for block in &config.blocks {
        candidates_of(block).for_each(&mut offer);
    }
    if seen.insert(UNLISTED.to_owned()) {
        out.push(UNLISTED.to_owned());
    }
    out
}

/// The names one `Host` or `Match` line's patterns give.
pub fn candidates_of(block: &Block) -> impl Iterator<Item = String> + '_ {
    let patterns: Vec<&str> = match &block.condition {
        Condition::Host(patterns) => patterns.iter().map(String::as_str).collect(),
        Condition::Match(criteria) => criteria
            .iter()
            .filter_map(|(negated, criterion)| match (negated, criterion) {
                (false, Criterion::Host(list) | Criterion::OriginalHost(list)) => Some(list),
                _ => None,
            })
            .flat_map(|list| list.split(','))
            .collect(),
    };
    patterns.into_iter().filter_map(example)
}

/// A host name the pattern matches: its wildcards filled in. `None` for a negated
/// pattern, one of wildcards only (the unlisted name stands for those), or one no
/// host name can match.
pub fn example(pattern: &str) -> Option<String> {
    if pattern.starts_with('!') || pattern.bytes().all(|b| b == b'*' || b == b'?') {
        return None;
    }
    let name: String = pattern
        .chars()
        .map(|c| if c == '*' || c == '?' { 'x' } else { c })
        .collect();
    let valid = !name.starts_with(['-', '.'])
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'));
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_fill_wildcards_and_refuse_what_no_name_matches() {
        assert_eq!(example("web*").as_deref(), Some("webx"));
        assert_eq!(example("*.example.com").as_deref(), Some("x.example.com"));
        assert_eq!(example("db?").as_deref(), Some("dbx"));
        assert_eq!(example("*"), None);
        assert_eq!(example("!bastion"), None);
        assert_eq!(example("web1,web2"), None);
        assert_eq!(example("web[12]"), None);
        assert_eq!(example("10.0.0.*").as_deref(), Some("10.0.0.x"));
    }
}
