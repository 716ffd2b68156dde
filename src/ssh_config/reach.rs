//! Which lines decide a value for some host, and for which: the config evaluated
//! for each name [`hosts::candidates`] gives, so that a report names the lines ssh
//! uses — and only those — with a few of their hosts, in output that grows with
//! the config, not with its square.

use std::collections::BTreeMap;

use super::eval::{self, Query};
use super::hosts::{self, UNLISTED};
use super::{Config, Directive};

/// Hosts shown by name for one line; the rest are counted.
const SHOWN: usize = 3;

/// The hosts a line decides a value for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reach {
    /// A few of the host names, in the order tried.
    pub examples: Vec<String>,
    /// How many of the names tried it decides for.
    pub hosts: usize,
    /// It decides for every host the config does not name: `Some(true)` surely,
    /// `Some(false)` when a `Match exec` (or `localnetwork`) comes out one way.
    pub unlisted: Option<bool>,
    /// It surely decides for at least one host; otherwise only when a `Match
    /// exec` (or `localnetwork`) comes out one way.
    pub sure: bool,
}

/// For each directive `wanted` picks (by index), the hosts it decides its value
/// for, among `keywords`. A line absent from the answer decides for no host.
pub fn reach(
    config: &Config,
    keywords: &[&str],
    local_user: &str,
    wanted: impl Fn(&Directive) -> bool,
) -> BTreeMap<usize, Reach> {
    let relevant = eval::relevant(config, keywords);
    let mut out: BTreeMap<usize, Reach> = BTreeMap::new();
    for host in hosts::candidates(config) {
        let query = Query {
            host: &host,
            local_user,
        };
        let evaluation = eval::evaluate(config, &relevant, &query, keywords);
        for list in &evaluation.decided {
            for (rank, decided) in list.iter().enumerate() {
                if !wanted(&config.directives[decided.directive]) {
                    continue;
                }
                let reach = out.entry(decided.directive).or_default();
                reach.hosts += 1;
                reach.sure |= rank == 0 && decided.certain;
                if host == UNLISTED {
                    reach.unlisted = Some(rank == 0 && decided.certain);
                } else if reach.examples.len() < SHOWN {
                    reach.examples.push(host.clone());
                }
            }
        }
    }
    out
}

/// Why a line decides for no host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unused {
    /// For the hosts its blocks name, this earlier line (an index) decides first.
    DecidedBy(usize),
    /// No host name can match its blocks.
    NoHost,
}

/// Why the directive at `index` decides for no host: the hosts its own blocks
/// name (and the unlisted one) are tried, and the first line that decides for one
/// of them where it applies is named.
pub fn unused(config: &Config, index: usize, local_user: &str) -> Unused {
    let directive = &config.directives[index];
    let keyword = directive.keyword.as_str();
    let relevant = eval::relevant(config, &[keyword]);
    let mut names: Vec<String> = directive
        .scope
        .0
        .iter()
        .flat_map(|&b| hosts::candidates_of(&config.blocks[b]))
        .take(SHOWN * 4)
        .collect();
    names.push(UNLISTED.to_owned());
    for host in &names {
        let query = Query { host, local_user };
        let applying = eval::every_applying(config, &relevant, &query, keyword);
        if let Some(rank) = applying.iter().position(|d| d.directive == index)
            && rank > 0
        {
            return Unused::DecidedBy(applying[0].directive);
        }
    }
    Unused::NoHost
}
