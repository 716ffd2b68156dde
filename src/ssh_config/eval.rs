//! What ssh 9.x makes of a config for one host, without running it: which line
//! decides each value, read in two passes as `ssh.c` reads them. Pass one matches
//! `Host` against the name given on the command line; `Match host` against the
//! HostName as set so far (`%h` expanded) or that name; `Match canonical` and
//! `Match final` never hold. A second pass follows when any `Match` line anywhere
//! names `final` (or canonicalization is on): `Host` and `Match host` are then
//! matched against the final host name (the HostName, lower-cased), `canonical`
//! and `final` hold, and only values pass one left unset can still be set — ssh
//! keeps the first value it obtains, in both passes.
//!
//! `Match exec` runs a command and `Match localnetwork` looks at the network; they
//! are not evaluated, so a line under them may or may not apply: it "depends on a
//! command". Three-valued logic carries that through: a decision that rests on
//! one is reported with `certain: false`, and the search for a sure one goes on.
//! Canonicalization through DNS is not modelled: the name is taken as it stands.

use super::matching;
use super::{Condition, Config, Criterion};

/// The host a connection is for, and who makes it.
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    /// The name as typed on the command line (the alias).
    pub host: &'a str,
    /// The local account's name (`Match localuser`, and the remote user's default).
    pub local_user: &'a str,
}

/// A line that decides, or may decide, a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decided {
    /// Index into [`Config::directives`].
    pub directive: usize,
    /// False when whether it applies depends on a command or the network.
    pub certain: bool,
}

/// What one evaluation found, per keyword asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// For each keyword: the lines that may decide it, in order, the last of them
    /// the first that surely does. Empty: no line sets it, ssh's default holds.
    pub decided: Vec<Vec<Decided>>,
    /// Whether ssh reads the config a second time for this host.
    pub second_pass: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    fn of(value: bool) -> Tri {
        if value { Tri::Yes } else { Tri::No }
    }

    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }

    /// One answer for several possible inputs: the same for all, or maybe.
    fn all_of(mut values: impl Iterator<Item = bool>) -> Tri {
        let Some(first) = values.next() else {
            return Tri::No;
        };
        if values.all(|v| v == first) {
            Tri::of(first)
        } else {
            Tri::Maybe
        }
    }
}

/// A value that later lines read (HostName, User, CanonicalizeHostname): the line
/// that set it for sure, and the values that lines which may apply set before
/// that. A line index of `None` is one from the first pass, before every line of
/// the second.
#[derive(Clone, Debug, Default)]
struct Tracked {
    sure: Option<(Option<usize>, String)>,
    maybe: Vec<(Option<usize>, String)>,
}

impl Tracked {
    fn offer(&mut self, at: usize, value: &str, active: Tri) {
        if self.sure.is_some() || active == Tri::No {
            return;
        }
        if active == Tri::Yes {
            self.sure = Some((Some(at), value.to_owned()));
        } else {
            self.maybe.push((Some(at), value.to_owned()));
        }
    }

    /// The values it may have when a line after `position` directives is read:
    /// `None` for unset.
    fn possible(&self, position: usize) -> Vec<Option<&str>> {
        let before = |at: &Option<usize>| at.is_none_or(|at| at < position);
        let mut out: Vec<Option<&str>> = self
            .maybe
            .iter()
            .filter(|(at, _)| before(at))
            .map(|(_, v)| Some(v.as_str()))
            .collect();
        out.push(
            self.sure
                .as_ref()
                .filter(|(at, _)| before(at))
                .map(|(_, v)| v.as_str()),
        );
        out
    }

    /// What the first pass set comes before everything in the second.
    fn settle(&mut self) {
        if let Some((at, _)) = &mut self.sure {
            *at = None;
        }
        self.maybe.iter_mut().for_each(|(at, _)| *at = None);
    }
}

/// The directives that matter to an evaluation of `keywords`, in order: those, and
/// the ones whose values later conditions read.
pub fn relevant(config: &Config, keywords: &[&str]) -> Vec<usize> {
    config
        .directives
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            keywords.contains(&d.keyword.as_str())
                || matches!(
                    d.keyword.as_str(),
                    "hostname" | "user" | "canonicalizehostname"
                )
        })
        .map(|(i, _)| i)
        .collect()
}

/// Which lines decide `keywords` for `query`. `relevant` is [`relevant`]'s answer
/// for the same config and keywords (computed once for many hosts).
pub fn evaluate(
    config: &Config,
    relevant: &[usize],
    query: &Query<'_>,
    keywords: &[&str],
) -> Evaluation {
    evaluate_as(config, relevant, query, keywords, false)
}

/// Every line that applies, or may, to `keyword` for `query`, in order — not
/// only those up to the first that surely decides.
pub fn every_applying(
    config: &Config,
    relevant: &[usize],
    query: &Query<'_>,
    keyword: &str,
) -> Vec<Decided> {
    let mut evaluation = evaluate_as(config, relevant, query, &[keyword], true);
    evaluation.decided.pop().unwrap_or_default()
}

fn evaluate_as(
    config: &Config,
    relevant: &[usize],
    query: &Query<'_>,
    keywords: &[&str],
    every: bool,
) -> Evaluation {
    let mut run = Run {
        config,
        query,
        keywords,
        every,
        decided: vec![Vec::new(); keywords.len()],
        hostname: Tracked::default(),
        user: Tracked::default(),
        canonicalize: Tracked::default(),
    };
    run.pass(relevant, None);
    let wants_final = config.blocks.iter().any(|b| match &b.condition {
        Condition::Match(criteria) => criteria.iter().any(|(_, c)| *c == Criterion::Final),
        Condition::Host(_) => false,
    });
    let canonicalize = Tri::all_of(run.canonicalize.possible(usize::MAX).into_iter().map(|v| {
        v.is_some_and(|v| !v.eq_ignore_ascii_case("no") && !v.eq_ignore_ascii_case("false"))
    }));
    let second = if wants_final { Tri::Yes } else { canonicalize };
    if second != Tri::No && (every || !run.all_decided()) {
        // The final host name: the HostName with %h expanded, lower-cased.
        let finals: Vec<String> = run
            .hostname
            .possible(usize::MAX)
            .into_iter()
            .map(|v| expand(v.unwrap_or(query.host), query.host).to_ascii_lowercase())
            .collect();
        run.user.settle();
        run.canonicalize.settle();
        run.pass(relevant, Some((&finals, second == Tri::Yes)));
    }
    Evaluation {
        decided: run.decided,
        second_pass: second != Tri::No,
    }
}

struct Run<'a> {
    config: &'a Config,
    query: &'a Query<'a>,
    keywords: &'a [&'a str],
    /// Keep every applying line, not only those up to the first sure one.
    every: bool,
    decided: Vec<Vec<Decided>>,
    hostname: Tracked,
    user: Tracked,
    canonicalize: Tracked,
}

impl Run<'_> {
    fn all_decided(&self) -> bool {
        self.decided
            .iter()
            .all(|d| d.last().is_some_and(|l| l.certain))
    }

    /// One pass over the relevant directives. `second` holds the final host names
    /// and whether the second pass surely happens.
    fn pass(&mut self, relevant: &[usize], second: Option<(&[String], bool)>) {
        let mut blocks: Vec<Option<Tri>> = vec![None; self.config.blocks.len()];
        // Where each keyword's last line is: past every undecided keyword's last
        // line, nothing more can be decided.
        let last: Vec<Option<usize>> = self
            .keywords
            .iter()
            .map(|k| {
                relevant
                    .iter()
                    .rposition(|&i| self.config.directives[i].keyword == *k)
            })
            .collect();
        // In the first pass the values later passes read (HostName, User,
        // CanonicalizeHostname) must be read to their last line too.
        let last_tracked = match second {
            Some(_) => None,
            None => relevant.iter().rposition(|&i| {
                let keyword = self.config.directives[i].keyword.as_str();
                !self.keywords.contains(&keyword)
            }),
        };
        for (at, &index) in relevant.iter().enumerate() {
            let open = |k: usize| {
                last[k].is_some_and(|l| l >= at)
                    && (self.every || !self.decided[k].last().is_some_and(|d| d.certain))
            };
            let undecided = (0..self.keywords.len()).any(open);
            if !undecided && (self.all_decided() || last_tracked.is_none_or(|l| l < at)) {
                return;
            }
            let directive = &self.config.directives[index];
            let mut active = Tri::Yes;
            for &block in &directive.scope.0 {
                let result = match blocks[block] {
                    Some(result) => result,
                    None => {
                        let result = self.block(block, second.map(|(f, _)| f));
                        blocks[block] = Some(result);
                        result
                    }
                };
                active = active.and(result);
                if active == Tri::No {
                    break;
                }
            }
            if second.is_some_and(|(_, sure)| !sure) && active == Tri::Yes {
                active = Tri::Maybe;
            }
            if active == Tri::No {
                continue;
            }
            let value = directive
                .args
                .first()
                .map(|a| a.to_string_lossy())
                .unwrap_or_default();
            match directive.keyword.as_str() {
                // In the second pass ssh has already set the HostName.
                "hostname" if second.is_none() => self.hostname.offer(index, &value, active),
                "user" => self.user.offer(index, &value, active),
                "canonicalizehostname" => self.canonicalize.offer(index, &value, active),
                _ => {}
            }
            if let Some(k) = self.keywords.iter().position(|k| *k == directive.keyword) {
                let list = &mut self.decided[k];
                if self.every || !list.last().is_some_and(|l| l.certain) {
                    list.push(Decided {
                        directive: index,
                        certain: active == Tri::Yes,
                    });
                }
            }
        }
    }

    /// Whether a `Host` or `Match` line holds, as ssh evaluates it when it reads
    /// the line.
    fn block(&self, index: usize, finals: Option<&[String]>) -> Tri {
        let block = &self.config.blocks[index];
        let alias = self.query.host;
        // The names `Match host` is matched against, as they may be.
        let hosts = || -> Vec<String> {
            match finals {
                Some(finals) => finals.to_vec(),
                None => self
                    .hostname
                    .possible(block.position)
                    .into_iter()
                    .map(|v| v.map_or_else(|| alias.to_owned(), |v| expand(v, alias)))
                    .collect(),
            }
        };
        match &block.condition {
            // Pass one matches `Host` against the alias itself, the second pass
            // against the final host name.
            Condition::Host(patterns) => match finals {
                Some(finals) => Tri::all_of(finals.iter().map(|h| host_line(patterns, h))),
                None => Tri::of(host_line(patterns, alias)),
            },
            Condition::Match(criteria) => {
                let mut result = Tri::Yes;
                for (negate, criterion) in criteria {
                    let r = match criterion {
                        Criterion::All => Tri::Yes,
                        Criterion::Canonical | Criterion::Final => Tri::of(finals.is_some()),
                        Criterion::Host(list) => {
                            Tri::all_of(hosts().iter().map(|h| matching::hostname(h, list)))
                        }
                        Criterion::OriginalHost(list) => Tri::of(matching::hostname(alias, list)),
                        Criterion::User(list) => Tri::all_of(
                            self.user
                                .possible(block.position)
                                .into_iter()
                                .map(|u| u.unwrap_or(self.query.local_user))
                                .map(|u| matching::pattern_list(u, list, false) == Some(true)),
                        ),
                        Criterion::LocalUser(list) => Tri::of(
                            matching::pattern_list(self.query.local_user, list, false)
                                == Some(true),
                        ),
                        // ssh skips the command when the line has already failed.
                        Criterion::Exec(_) if result == Tri::No => continue,
                        Criterion::Exec(_) | Criterion::LocalNetwork(_) => Tri::Maybe,
                    };
                    result = result.and(if *negate { r.not() } else { r });
                }
                result
            }
        }
    }
}

/// `Host`: active when a pattern matches and no negated one does (`readconf.c`).
fn host_line(patterns: &[String], host: &str) -> bool {
    let mut active = false;
    for pattern in patterns {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern.as_str()),
        };
        if matching::pattern(host.as_bytes(), pattern.as_bytes()) {
            if negated {
                return false;
            }
            active = true;
        }
    }
    active
}

/// `percent_expand(hostname, "h", alias)`: `%h` is the alias, `%%` a percent.
fn expand(hostname: &str, alias: &str) -> String {
    let mut out = String::with_capacity(hostname.len());
    let mut chars = hostname.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(alias),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
