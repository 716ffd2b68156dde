//! Passwords and tokens typed on command lines end up in shell and REPL history files,
//! readable by anything that runs as the user and copied into every backup. This module
//! finds them, one chunk of history at a time, and says exactly which bytes are secret so
//! that a report can show the line with only those bytes masked.
//!
//! Histories run to hundreds of megabytes and almost no line holds a secret, so the scan
//! is built around a literal prefilter: a few packed (SIMD "Teddy") searchers look for
//! trigger words over the whole chunk, and only a line that contains one is handed to the
//! precise regular expressions, and only to the rules that word can start. Three-byte
//! words get a searcher of their own and longer ones are spread over searchers of at most
//! 24: with more words, or short ones mixed in, the SIMD fingerprints collide on ordinary
//! text and the prefilter slows from several GB/s to about 0.6 GB/s. ASCII case folding
//! would disable the packed searchers altogether, so words whose case varies (`password`,
//! `Token`, `API_KEY`) are listed in their lower, upper and capitalised forms instead, and
//! a rare spelling such as `pAsSwOrD=` is knowingly missed.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, Input, MatchKind, Span};
use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

use super::predicates::{is_placeholder, segment_end, single_quoted};
use super::rules::{Check, Extract, Find, specs};

/// One secret found on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// What kind of secret, for reports: e.g. "password given to sshpass -p", "MySQL
    /// password (-p)", "password in a URL", "exported secret variable", "AWS access key",
    /// "GitHub token".
    pub kind: &'static str,
    /// Byte range of the secret itself within the line (not the whole match): only these
    /// bytes are masked or redacted.
    pub secret: Range<usize>,
}

/// Every secret on one line (no trailing newline). Hits do not overlap; sorted by position.
pub fn find_in_line(line: &[u8]) -> Vec<Hit> {
    let engine = &*ENGINE;
    let mut scratch = Scratch::new(engine);
    let line = strip_cr(line);
    engine.run(line, engine.trigger_mask(line), &mut scratch);
    scratch.hits
}

/// Scans a chunk of complete lines (separated by b'\n'; a trailing '\r' belongs to the
/// line's end and is never part of a secret) and calls `found(line_index_within_chunk,
/// line_start_offset_in_chunk, &hits)` for every line with at least one hit. Lines with no
/// trigger word cost close to nothing.
pub fn scan_chunk(chunk: &[u8], found: impl FnMut(usize, usize, &[Hit])) {
    ENGINE.scan(chunk, found);
}

/// The line made safe to show: each secret replaced by "********" (fixed length, so its
/// length is not revealed), every other byte kept but made terminal-safe (control
/// characters and invalid UTF-8 escaped as `\u{NNNN}` / `\xNN`), and the result cut to at
/// most 200 characters (with "…").
pub fn mask(line: &[u8], hits: &[Hit]) -> String {
    const MAX_CHARS: usize = 200;
    // A piece longer than this already yields more than MAX_CHARS characters (a character
    // is at most four bytes), so a megabyte line is never escaped in full.
    const MAX_PIECE: usize = 4 * MAX_CHARS + 8;
    // Hits may come from anywhere; sort and merge them here so that an unsorted or
    // overlapping list can never leave part of a secret in the clear.
    let mut spans: Vec<Range<usize>> = hits
        .iter()
        .map(|h| h.secret.start.min(line.len())..h.secret.end.min(line.len()))
        .filter(|r| r.start < r.end)
        .collect();
    spans.sort_unstable_by_key(|r| r.start);
    let mut out = String::new();
    let mut at = 0;
    let mut spans = spans.into_iter().peekable();
    loop {
        let (piece_end, secret_end) = match spans.next() {
            Some(mut span) => {
                while let Some(next) = spans.next_if(|n| n.start <= span.end) {
                    span.end = span.end.max(next.end);
                }
                (span.start.max(at), Some(span.end))
            }
            None => (line.len(), None),
        };
        let piece = line.get(at..piece_end).unwrap_or_default();
        out.push_str(&crate::sanitize::display_bytes(
            &piece[..piece.len().min(MAX_PIECE)],
        ));
        if piece.len() > MAX_PIECE || out.chars().count() > MAX_CHARS {
            break;
        }
        match secret_end {
            Some(end) => {
                out.push_str("********");
                at = end.max(at);
            }
            None => break,
        }
    }
    if out.chars().count() > MAX_CHARS {
        let mut cut: String = out.chars().take(MAX_CHARS - 1).collect();
        cut.push('…');
        return cut;
    }
    out
}

/// The patterns as one extended regular expression for `grep -cE`, for the benchmark.
///
/// Every line `find_in_line` reports matches it. It is a little looser: it ignores the
/// placeholder and variable-name allowlists, and grep sees `pAsSwOrD=` where the
/// prefilter does not. Run it with `LC_ALL=C` (and `-a`): in a UTF-8 locale grep's `.` does
/// not match invalid UTF-8, and grep is also much slower there.
pub fn grep_pattern() -> String {
    let mut seen: Vec<&str> = Vec::new();
    for spec in &ENGINE.specs_ere {
        if !seen.contains(spec) {
            seen.push(spec);
        }
    }
    seen.iter()
        .map(|ere| format!("({})", expand_ci(ere)))
        .collect::<Vec<_>>()
        .join("|")
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Newlines in `bytes`, counted in blocks so that the compiler vectorises the loop.
fn count_newlines(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(64);
    let mut n = 0;
    for block in &mut blocks {
        n += usize::from(block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    }
    n + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// The first `\n`, 32 bytes at a time so that the compiler turns each block into a
/// vector compare and a mask.
fn first_newline(bytes: &[u8]) -> Option<usize> {
    let mut blocks = bytes.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        let bits = newline_bits(block);
        if bits != 0 {
            return Some(base + bits.trailing_zeros() as usize);
        }
        base += 32;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| base + i)
}

/// The last `\n`, as `first_newline` but from the end.
fn last_newline(bytes: &[u8]) -> Option<usize> {
    let mut blocks = bytes.rchunks_exact(32);
    let mut end = bytes.len();
    for block in &mut blocks {
        end -= 32;
        let bits = newline_bits(block);
        if bits != 0 {
            return Some(end + 31 - bits.leading_zeros() as usize);
        }
    }
    blocks.remainder().iter().rposition(|&b| b == b'\n')
}

fn newline_bits(block: &[u8]) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0, |bits, (i, &b)| bits | (u32::from(b == b'\n') << i))
}

/// `~word~` in an ERE becomes a case-insensitive `[Ww][Oo][Rr][Dd]`.
fn expand_ci(ere: &str) -> String {
    let mut out = String::with_capacity(ere.len() * 2);
    for (i, part) in ere.split('~').enumerate() {
        if i % 2 == 0 {
            out.push_str(part);
            continue;
        }
        for c in part.chars() {
            if c.is_ascii_alphabetic() {
                out.push('[');
                out.push(c.to_ascii_uppercase());
                out.push(c.to_ascii_lowercase());
                out.push(']');
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// The literal prefilter: one packed searcher per group of trigger words, or an
/// Aho-Corasick automaton where the CPU has no SIMD for them.
enum Searcher {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Searcher {
    fn build(words: &[&[u8]], packed_allowed: bool) -> Searcher {
        let packed = packed_allowed
            .then(|| {
                packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostFirst)
                    .builder()
                    .extend(words)
                    .build()
            })
            .flatten();
        match packed {
            Some(searcher) => Searcher::Packed(searcher),
            None => Searcher::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(words)
                    .expect("a few dozen short literals always build"),
            ),
        }
    }

    /// The leftmost trigger starting at or after `at`: (start, pattern index).
    fn find_from(&self, haystack: &[u8], at: usize) -> Option<(usize, usize)> {
        if at > haystack.len() {
            return None;
        }
        let found = match self {
            Searcher::Packed(s) => s.find_in(haystack, Span::from(at..haystack.len())),
            Searcher::Automaton(ac) => ac.find(Input::new(haystack).span(at..haystack.len())),
        };
        found.map(|m| (m.start(), m.pattern().as_usize()))
    }
}

struct Rule {
    kind: &'static str,
    cmd: Option<Regex>,
    anchored: bool,
    re: Regex,
    context: bool,
    check: Check,
    extract: Extract,
    needs: Vec<Need>,
}

/// A parsed entry of `Spec::needs`.
struct Need {
    literal: &'static [u8],
    ignore_case: bool,
    then_non_space: bool,
}

impl Need {
    fn parse(need: &'static str) -> Need {
        let (ignore_case, rest) = need.strip_prefix('~').map_or((false, need), |r| (true, r));
        let (then_non_space, literal) = rest
            .strip_suffix(r"\S")
            .map_or((false, rest), |l| (true, l));
        Need {
            literal: literal.as_bytes(),
            ignore_case,
            then_non_space,
        }
    }

    fn found_in(&self, line: &[u8]) -> bool {
        let Some((&first, rest)) = self.literal.split_first() else {
            return true;
        };
        if rest.is_empty() && !self.ignore_case && !self.then_non_space {
            return line.contains(&first);
        }
        let same = |a: &u8, b: &u8| {
            if self.ignore_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        // Comparing only where the first byte matches keeps this a cheap scan of the line.
        line.iter().enumerate().any(|(i, b)| {
            same(b, &first)
                && line
                    .get(i + 1..i + self.literal.len())
                    .is_some_and(|here| here.iter().zip(rest).all(|(a, b)| same(a, b)))
                && (!self.then_non_space
                    || line
                        .get(i + self.literal.len())
                        .is_some_and(|b| !b.is_ascii_whitespace()))
        })
    }
}

struct Engine {
    rules: Vec<Rule>,
    /// Per searcher, per pattern: the rules that trigger word can start.
    searchers: Vec<(Searcher, Vec<u64>)>,
    specs_ere: Vec<&'static str>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::build(true));

fn compile(pattern: &str) -> Regex {
    // Unicode off: `.` and `[^']` then match any byte, so invalid UTF-8 neither hides a
    // secret nor sends the regex engine to its slow path, and `\b` stays ASCII.
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("the rule table's patterns are tested to compile")
}

/// The case variants a `~word` trigger stands for.
fn trigger_words(trigger: &str) -> Vec<Vec<u8>> {
    let Some(word) = trigger.strip_prefix('~') else {
        return vec![trigger.as_bytes().to_vec()];
    };
    let lower = word.to_ascii_lowercase().into_bytes();
    let upper = word.to_ascii_uppercase().into_bytes();
    let mut capital = lower.clone();
    if let Some(c) = capital.first_mut() {
        c.make_ascii_uppercase();
    }
    vec![lower, upper, capital]
}

impl Engine {
    fn build(packed_allowed: bool) -> Engine {
        let specs = specs();
        assert!(specs.len() <= 64, "rule sets are u64 masks");
        let mut words: Vec<(Vec<u8>, u64)> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            for w in spec.triggers.iter().flat_map(|t| trigger_words(t)) {
                match words.iter_mut().find(|(known, _)| *known == w) {
                    Some((_, mask)) => *mask |= 1 << i,
                    None => words.push((w, 1 << i)),
                }
            }
        }
        // A searcher reports one pattern per position, so a word that begins with another
        // word would hide it: fold the longer one into the shorter.
        let mut i = 0;
        while i < words.len() {
            let longer = (0..words.len()).find(|&j| {
                j != i && words[j].0.len() > words[i].0.len() && words[j].0.starts_with(&words[i].0)
            });
            match longer {
                Some(j) => {
                    let (_, mask) = words.remove(j);
                    let at = if j < i { i - 1 } else { i };
                    words[at].1 |= mask;
                }
                None => i += 1,
            }
        }
        // Three-byte words get a searcher of their own and the rest are spread over
        // searchers of at most 24 words (measured best between 12 and 32): that keeps the
        // SIMD fingerprints selective. Sorting puts words with a common prefix in the same
        // searcher, which keeps each searcher's fingerprints few.
        words.sort();
        let (short, long): (Vec<_>, Vec<_>) = words.into_iter().partition(|(w, _)| w.len() < 4);
        let groups = long.len().div_ceil(24).max(1);
        let per_group = long.len().div_ceil(groups).max(1);
        let mut searchers = Vec::new();
        for group in std::iter::once(short.as_slice()).chain(long.chunks(per_group)) {
            if group.is_empty() {
                continue;
            }
            let literals: Vec<&[u8]> = group.iter().map(|(w, _)| w.as_slice()).collect();
            let masks = group.iter().map(|&(_, m)| m).collect();
            searchers.push((Searcher::build(&literals, packed_allowed), masks));
        }
        let specs_ere = specs.iter().map(|s| s.ere).collect();
        let rules = specs
            .into_iter()
            .map(|s| {
                let (cmd, anchored) = match s.find {
                    Find::Line => (None, false),
                    Find::Command { cmd, anchored } => (Some(compile(cmd)), anchored),
                };
                Rule {
                    kind: s.kind,
                    cmd,
                    anchored,
                    re: compile(&s.pattern),
                    context: s.context,
                    check: s.check,
                    extract: s.extract,
                    needs: s.needs.iter().map(|n| Need::parse(n)).collect(),
                }
            })
            .collect();
        Engine {
            rules,
            searchers,
            specs_ere,
        }
    }

    /// The rules whose trigger words occur in `line`.
    fn trigger_mask(&self, line: &[u8]) -> u64 {
        let mut mask = 0;
        for (searcher, masks) in &self.searchers {
            let mut at = 0;
            while let Some((start, pattern)) = searcher.find_from(line, at) {
                mask |= masks.get(pattern).copied().unwrap_or(u64::MAX);
                at = start + 1;
            }
        }
        mask
    }

    fn scan(&self, chunk: &[u8], mut found: impl FnMut(usize, usize, &[Hit])) {
        let mut scratch = Scratch::new(self);
        let mut next: Vec<Option<(usize, usize)>> = self
            .searchers
            .iter()
            .map(|(s, _)| s.find_from(chunk, 0))
            .collect();
        // Everything before `done` belongs to lines already handled.
        let mut done = 0;
        let (mut counted_to, mut line_index) = (0, 0);
        while let Some(first) = next.iter().flatten().map(|&(start, _)| start).min() {
            let start = last_newline(&chunk[done..first]).map_or(done, |i| done + i + 1);
            let end = first_newline(&chunk[first..]).map_or(chunk.len(), |i| first + i);
            let mut mask = 0;
            for (slot, (searcher, masks)) in next.iter_mut().zip(&self.searchers) {
                while let Some((at, pattern)) = *slot {
                    if at >= end {
                        break;
                    }
                    mask |= masks.get(pattern).copied().unwrap_or(u64::MAX);
                    *slot = searcher.find_from(chunk, at + 1);
                }
            }
            self.run(strip_cr(&chunk[start..end]), mask, &mut scratch);
            if !scratch.hits.is_empty() {
                line_index += count_newlines(&chunk[counted_to..start]);
                counted_to = start;
                found(line_index, start, &scratch.hits);
            }
            done = end;
        }
    }

    /// Runs the rules in `mask` over one line and leaves the merged hits in `scratch.hits`.
    fn run(&self, line: &[u8], mask: u64, scratch: &mut Scratch) {
        scratch.raw.clear();
        scratch.hits.clear();
        let mut mask = mask;
        while mask != 0 {
            let index = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let (Some(rule), Some(locs)) = (self.rules.get(index), scratch.locs.get_mut(index))
            else {
                continue;
            };
            if !rule.needs.is_empty() && !rule.needs.iter().any(|n| n.found_in(line)) {
                continue;
            }
            let locs = locs.get_or_insert_with(|| rule.re.capture_locations());
            match &rule.cmd {
                None => rule.each_match(line, 0, line.len(), locs, &mut scratch.raw, index),
                Some(cmd) => {
                    let mut at = 0;
                    while let Some(c) = cmd.find_at(line, at) {
                        let end = segment_end(line, c.end());
                        rule.each_match(line, c.end(), end, locs, &mut scratch.raw, index);
                        // Later occurrences inside this segment were covered by this one.
                        at = end.max(c.end()).max(c.start() + 1);
                        if at > line.len() {
                            break;
                        }
                    }
                }
            }
        }
        scratch
            .raw
            .sort_unstable_by_key(|(hit, priority)| (hit.secret.start, *priority));
        for (hit, _) in scratch.raw.drain(..) {
            match scratch.hits.last_mut() {
                // Overlapping finds become one hit so that no part of either is left out.
                Some(last) if hit.secret.start < last.secret.end => {
                    last.secret.end = last.secret.end.max(hit.secret.end);
                }
                _ => scratch.hits.push(hit),
            }
        }
    }
}

impl Rule {
    /// Every acceptable match of the rule's regex within `line[from..to]`.
    fn each_match(
        &self,
        line: &[u8],
        from: usize,
        to: usize,
        locs: &mut CaptureLocations,
        out: &mut Vec<(Hit, usize)>,
        priority: usize,
    ) {
        let Some(haystack) = line.get(from..to) else {
            return;
        };
        let mut at = 0;
        while at <= haystack.len() {
            let Some(m) = self.re.captures_read_at(locs, haystack, at) else {
                break;
            };
            if let Some(secret) = self.secret(line, from, locs) {
                out.push((
                    Hit {
                        kind: self.kind,
                        secret,
                    },
                    priority,
                ));
            }
            // A hit that runs to the end of the line covers every later match.
            if self.anchored || self.extract == Extract::ToLineEnd {
                break;
            }
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.start() + 1
            };
        }
    }

    /// The secret's range in `line` for a match at offset `from`, if it passes the checks.
    fn secret(&self, line: &[u8], from: usize, locs: &CaptureLocations) -> Option<Range<usize>> {
        let shift = |(s, e): (usize, usize)| from + s..from + e;
        let first = if self.context { 2 } else { 1 };
        let context = if self.context {
            locs.get(1).map(shift)
        } else {
            None
        };
        let mut secret = match self.extract {
            Extract::ToLineEnd => {
                let start = from + locs.get(0)?.0;
                let end = line
                    .iter()
                    .rposition(|b| !b.is_ascii_whitespace())
                    .map_or(start, |i| i + 1);
                start..end.max(start)
            }
            Extract::Group | Extract::GroupTrimEscapedNewline => {
                (first..locs.len()).find_map(|g| locs.get(g)).map(shift)?
            }
        };
        if self.extract == Extract::GroupTrimEscapedNewline {
            while line
                .get(secret.clone())
                .is_some_and(|s| s.ends_with(b"\\n"))
            {
                secret.end -= 2;
            }
        }
        let value = line.get(secret.clone())?;
        if is_placeholder(value, || single_quoted(line, secret.start))
            || !(self.check)(line, context, secret.clone())
        {
            return None;
        }
        Some(secret)
    }
}

/// Per-scan buffers, so that a line with a trigger allocates nothing once warm.
struct Scratch {
    locs: Vec<Option<CaptureLocations>>,
    raw: Vec<(Hit, usize)>,
    hits: Vec<Hit>,
}

impl Scratch {
    fn new(engine: &Engine) -> Scratch {
        Scratch {
            locs: engine.rules.iter().map(|_| None).collect(),
            raw: Vec::new(),
            hits: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::io::Write as _;

    /// A line and the secrets it holds: (part of the kind, the secret's bytes).
    type Row = (Vec<u8>, Vec<(&'static str, Vec<u8>)>);

    fn table() -> Vec<Row> {
        let alnum = |n: usize| -> String {
            (0..n)
                .map(|i| char::from(b"A1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz"[i % 36]))
                .collect()
        };
        let upper = |n: usize| -> String {
            (0..n)
                .map(|i| char::from(b"QWERTYUIOPASDFGHJKLZXCVBNM234567"[i % 32]))
                .collect()
        };
        let ghp = format!("ghp_{}", alnum(36));
        let pat = format!("github_pat_{}", alnum(82));
        let glpat = format!("glpat-{}", alnum(20));
        let npm = format!("npm_{}", alnum(36));
        let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", alnum(60));
        let hvs = format!("hvs.{}", alnum(30));
        let sk_proj = format!("sk-proj-{}", alnum(40));
        let sk_ant = format!("sk-ant-api03-{}", alnum(50));
        let age = format!("AGE-SECRET-KEY-1{}", upper(58));
        let jwt = format!("eyJ{}.eyJ{}.{}", alnum(20), alnum(30), alnum(25));
        let aws_secret = format!("{}/+{}", alnum(19), alnum(19));
        let t = |line: &str, hits: &[(&'static str, &str)]| {
            (
                line.as_bytes().to_vec(),
                hits.iter()
                    .map(|&(k, s)| (k, s.as_bytes().to_vec()))
                    .collect::<Vec<_>>(),
            )
        };
        let none = |line: &str| (line.as_bytes().to_vec(), Vec::new());
        let mut rows = vec![
            // sshpass
            t(
                "sshpass -p 'S3cr3t!' ssh root@10.0.0.1",
                &[("sshpass", "S3cr3t!")],
            ),
            t("sshpass -pHunter22 ssh host", &[("sshpass", "Hunter22")]),
            t(
                r#"sshpass -v -p "dq pass" scp f host:"#,
                &[("sshpass", "dq pass")],
            ),
            none("sshpass -f ~/.pw ssh -p 2222 host"),
            // MySQL
            t("mysql -uroot -pW1ldcat! mydb", &[("MySQL", "W1ldcat!")]),
            t(
                r#"mysqldump -u root -p"Dump P4ss" db > x.sql"#,
                &[("MySQL", "Dump P4ss")],
            ),
            t("mysqladmin -u root -p'Adm1n' status", &[("MySQL", "Adm1n")]),
            t(
                "mysql -h db -e 'select 1; select 2' -pAfterQuote",
                &[("MySQL", "AfterQuote")],
            ),
            t("mysql --password=Sekr1t -u x", &[("--password", "Sekr1t")]),
            t("mysql --password Sekr2t mydb", &[("--password", "Sekr2t")]),
            t(
                ": 1700000000:0;mysql -uroot -pW1ldcat!",
                &[("MySQL", "W1ldcat!")],
            ),
            // URLs
            t(
                "psql postgres://app:hunter2@db.local/app",
                &[("URL", "hunter2")],
            ),
            t(
                "pgcli postgresql://app:pa%40ss@db/app",
                &[("URL", "pa%40ss")],
            ),
            t(
                r#"mongosh "mongodb+srv://admin:M0ng0pw@cluster0.example.net/db""#,
                &[("URL", "M0ng0pw")],
            ),
            t(
                "redis-cli -u redis://:R3dispw@localhost:6379",
                &[("URL", "R3dispw")],
            ),
            t(
                "git clone https://oauth2:tok3nvalue@gitlab.example.com/g/p.git",
                &[("URL", "tok3nvalue")],
            ),
            t("curl ftp://bob:p@ss@ftp.example.com/x", &[("URL", "p@ss")]),
            t("wget 'amqp://guest:Gu3st@mq:5672/'", &[("URL", "Gu3st")]),
            // curl, wget
            t(
                "curl -u admin:letmein https://api.local/",
                &[("curl", "letmein")],
            ),
            t("curl --user 'bob:pa ss' https://x", &[("curl", "pa ss")]),
            t(
                r#"curl -su "alice:Wonder1and" https://x"#,
                &[("curl", "Wonder1and")],
            ),
            t(
                "curl --user=carol:'Car0l q' https://x",
                &[("curl", "Car0l q")],
            ),
            t(
                "curl -H 'Authorization: Bearer abc123def456' https://x",
                &[("Authorization", "abc123def456")],
            ),
            t(
                r#"curl -H "Authorization: Basic dXNlcjpwYXNz" https://x"#,
                &[("Authorization", "dXNlcjpwYXNz")],
            ),
            t(
                "curl -H 'authorization: token 9f8e7d6c' https://x",
                &[("Authorization", "9f8e7d6c")],
            ),
            t(
                r#"curl -H "X-Api-Key: 12345abcde" https://x"#,
                &[("API key header", "12345abcde")],
            ),
            t(
                "wget --password=Wg3tpw ftp://host/file",
                &[("--password", "Wg3tpw")],
            ),
            t(
                "wget --http-password=Htt9pw http://x",
                &[("--password", "Htt9pw")],
            ),
            t(
                "wget --ftp-password 'Ftp pw1' ftp://x",
                &[("--password", "Ftp pw1")],
            ),
            // Assignments
            t(
                "export DB_PASSWORD=Pr0dPassw0rd",
                &[("exported secret variable", "Pr0dPassw0rd")],
            ),
            t(
                r#"export API_TOKEN="tok_9a8b7c""#,
                &[("exported secret variable", "tok_9a8b7c")],
            ),
            t(
                "PGPASSWORD='Zx9_plm' psql -h db",
                &[("exported secret variable", "Zx9_plm")],
            ),
            t(
                "MYSQL_PWD=Qw3rty mysql -u app",
                &[("exported secret variable", "Qw3rty")],
            ),
            t(
                "export GITHUB_SECRET=s3cr3tv4lue",
                &[("exported secret variable", "s3cr3tv4lue")],
            ),
            t(
                "export OPENAI_API_KEY=abc123xyz789",
                &[("exported secret variable", "abc123xyz789")],
            ),
            t(
                "export STRIPE_APIKEY=rk_live_51abc",
                &[("exported secret variable", "rk_live_51abc")],
            ),
            t(
                "export DEPLOY_PRIVATE_KEY=b64Zm9vYmFy",
                &[("exported secret variable", "b64Zm9vYmFy")],
            ),
            t(
                "export db_password=lower1case",
                &[("exported secret variable", "lower1case")],
            ),
            t(
                "set -gx GITLAB_TOKEN Fi5htoken",
                &[("exported secret variable", "Fi5htoken")],
            ),
            t(
                "setenv MAIL_PASSWORD Csh3llpw",
                &[("exported secret variable", "Csh3llpw")],
            ),
            t(r#"password = "Py7honpw""#, &[("code", "Py7honpw")]),
            t(r#"{"api_key": "k3yvalue"}"#, &[("code", "k3yvalue")]),
            t(r#"const accessToken = 'n0deTok'"#, &[("code", "n0deTok")]),
            t(
                r#"conn = psycopg2.connect(host="db", password="Psyc0pg")"#,
                &[("secret", "Psyc0pg")],
            ),
            // htpasswd
            t(
                "htpasswd -b /etc/nginx/.htpasswd admin Adm1nPw",
                &[("htpasswd", "Adm1nPw")],
            ),
            t("htpasswd -bc .htpasswd bob B0bpw", &[("htpasswd", "B0bpw")]),
            t(
                r#"htpasswd -bB -C 10 .htpasswd carol "C4rol pw""#,
                &[("htpasswd", "C4rol pw")],
            ),
            t("htpasswd -nb dave D4vepw", &[("htpasswd", "D4vepw")]),
            none("htpasswd -c .htpasswd erin"),
            // openssl
            t(
                "openssl enc -aes-256-cbc -in f -out f.enc -pass pass:EncPw1",
                &[("pass:", "EncPw1")],
            ),
            t(
                "openssl pkcs12 -export -passin pass:In9ut -passout 'pass:Out9ut' -in c.pem",
                &[("pass:", "In9ut"), ("pass:", "Out9ut")],
            ),
            t(
                "openssl enc -d -aes256 -k K3yphrase -in x",
                &[("openssl -k", "K3yphrase")],
            ),
            t(
                "openssl passwd -6 -salt xyz 0pensslpw",
                &[("openssl passwd", "0pensslpw")],
            ),
            none("openssl rsa -in key.pem -passin env:KEYPASS"),
            none("openssl passwd -stdin"),
            // docker and other logins
            t(
                "docker login -u bob -p D0ckerpw registry.example.com",
                &[("docker login", "D0ckerpw")],
            ),
            t(
                "docker login --password=D0ck2 -u x",
                &[("docker login", "D0ck2")],
            ),
            t(
                "podman login --username bob --password D0ck3 reg",
                &[("docker login", "D0ck3")],
            ),
            t(
                "az login -u bob@example.com -p Az9pass",
                &[("cloud login", "Az9pass")],
            ),
            t(
                "vault login s.AbCdEf123456",
                &[("vault login", "s.AbCdEf123456")],
            ),
            none("docker login --password-stdin -u bob"),
            none("vault login -method=userpass username=bob"),
            none("vault login -"),
            // smbclient, chpasswd, sudo -S, passwd --stdin
            t(
                "smbclient //srv/share -U alice%Sm8pass",
                &[("smbclient", "Sm8pass")],
            ),
            t(
                r"smbclient -U 'CORP\bob%B0b smb' //srv/x",
                &[("smbclient", "B0b smb")],
            ),
            t(
                "echo 'bob:Chp4sswd' | chpasswd",
                &[("chpasswd", "Chp4sswd")],
            ),
            t(
                r#"echo "root:R00tpw" | sudo chpasswd"#,
                &[("chpasswd", "R00tpw")],
            ),
            t(r"printf 'eve:Ev3pw\n' | chpasswd", &[("chpasswd", "Ev3pw")]),
            t("chpasswd <<< 'carol:Car0lpw'", &[("chpasswd", "Car0lpw")]),
            t(
                "echo Sud0pw | sudo -S apt-get update",
                &[("sudo -S", "Sud0pw")],
            ),
            t(
                "echo 'Sud0 pw' | sudo -u root -S ls",
                &[("sudo -S", "Sud0 pw")],
            ),
            t(
                "sudo -S apt update <<< 'H3re pw'",
                &[("sudo -S", "H3re pw")],
            ),
            t(
                "echo Stdin9pw | passwd --stdin bob",
                &[("passwd --stdin", "Stdin9pw")],
            ),
            none("echo hi | sudo tee /etc/motd"),
            none("echo hi | sudo ls -S"),
            // sqlplus, RDP, useradd, archives, mount, databases
            t("sqlplus scott/T1ger@orcl", &[("sqlplus", "T1ger")]),
            t(
                "sqlplus -s 'sys/Sys9pw as sysdba'",
                &[("sqlplus", "Sys9pw")],
            ),
            none("sqlplus / as sysdba"),
            t(
                "xfreerdp /v:host /u:admin /p:Rdp9pass",
                &[("xfreerdp", "Rdp9pass")],
            ),
            t("xfreerdp /u:x '/p:Rdp 9'", &[("xfreerdp", "Rdp 9")]),
            t("rdesktop -u admin -p Rd3sk host", &[("rdesktop", "Rd3sk")]),
            t(
                "useradd -m -p '$6$salt$hashhashhash' alice",
                &[("useradd", "$6$salt$hashhashhash")],
            ),
            none("usermod -p $6$abc$def bob"),
            t("7z x archive.7z -pSev3nzip", &[("7z", "Sev3nzip")]),
            none("7z a -p secret.7z dir"),
            t("unzip -P Unz1ppw file.zip", &[("unzip", "Unz1ppw")]),
            t(
                "sudo mount -t cifs //srv/share /mnt -o username=bob,password=M0untpw",
                &[("mount", "M0untpw")],
            ),
            t(
                "sudo mount.cifs //s/x /mnt -o credentials=/root/.smbcred,uid=1000",
                &[("credentials", "/root/.smbcred")],
            ),
            t(
                "mongo -u admin -p M0ngopw --authenticationDatabase admin",
                &[("MongoDB", "M0ngopw")],
            ),
            t(
                "redis-cli -h cache -a R3discli",
                &[("redis-cli", "R3discli")],
            ),
            t("AUTH R3disAuth", &[("Redis AUTH", "R3disAuth")]),
            t("auth default R3dis2", &[("Redis AUTH", "R3dis2")]),
            t(
                "CONFIG SET requirepass Req9pass",
                &[("CONFIG SET", "Req9pass")],
            ),
            t(
                "CREATE USER 'app'@'%' IDENTIFIED BY 'Sq1pw';",
                &[("IDENTIFIED BY", "Sq1pw")],
            ),
            t(
                r"ALTER\040USER\040'root'@'localhost'\040IDENTIFIED\040BY\040'N3wpw';",
                &[("IDENTIFIED BY", "N3wpw")],
            ),
            t(
                "ALTER USER app WITH PASSWORD 'Pg9pass';",
                &[("PASSWORD '", "Pg9pass")],
            ),
            t(
                "SET PASSWORD FOR 'bob'@'%' = PASSWORD('Old9pw');",
                &[("SQL password", "Old9pw")],
            ),
            t(
                "ssh-keygen -t ed25519 -N 'K3ygenpw' -f key",
                &[("ssh-keygen", "K3ygenpw")],
            ),
            none("ssh-keygen -t rsa -N '' -f key"),
            t(
                "nmcli dev wifi connect MyWifi password Wif1pass",
                &[("nmcli", "Wif1pass")],
            ),
            t(
                "nmcli con modify home wifi-sec.psk 'Psk 9pass'",
                &[("nmcli", "Psk 9pass")],
            ),
            t(
                "wpa_passphrase 'My Wifi' Wpa9pass",
                &[("wpa_passphrase", "Wpa9pass")],
            ),
            t(
                "helm install app chart --set auth.password=Helm9pw",
                &[("variable", "Helm9pw")],
            ),
            t(
                "java -Dspring.datasource.password=Spr1ng -jar app.jar",
                &[("variable", "Spr1ng")],
            ),
            t("self.api_key = 'Cl4ssKey'", &[("code", "Cl4ssKey")]),
            t(
                "docker run -e POSTGRES_PASSWORD=Dock3rPg -d postgres",
                &[("variable", "Dock3rPg")],
            ),
            t(
                r#"psql "host=db user=app password=Libpq9pw""#,
                &[("variable", "Libpq9pw")],
            ),
            t(
                "gpg --batch --passphrase Gpgpass1 -c file",
                &[("--password", "Gpgpass1")],
            ),
            t(
                "pip install --index-url https://u:Pip9pass@pypi.example.com/simple x",
                &[("URL", "Pip9pass")],
            ),
            none(r#"read -s -p "Password: " PASSWORD"#),
            none("PASSWORD=$(openssl rand -base64 12)"),
            none("export TOKEN_TTL=3600"),
            none("export SSH_ASKPASS_REQUIRE=force"),
            none("docker login ghcr.io -u bob --password-stdin < token.txt"),
            none("curl --user-agent 'Mozilla/5.0 (X11; Linux x86_64)' https://x"),
            none("sed -i 's/password=.*/password=REDACTED/' f"),
            t(
                "keytool -importcert -keystore ks.jks -storepass St0repw -file c.crt",
                &[("keytool", "St0repw")],
            ),
            t(
                "machine api.example.com login bob password N3trcpw",
                &[("netrc", "N3trcpw")],
            ),
            t(
                "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef",
                &[("token", "abcdef.0123456789abcdef")],
            ),
            // Token shapes
            t(
                "aws configure set aws_access_key_id AKIAQWERTYUIOPASDFGH",
                &[("AWS access key", "AKIAQWERTYUIOPASDFGH")],
            ),
            none("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
            t(&format!("export GH={ghp}"), &[("GitHub", &ghp)]),
            t(&format!("export GITHUB_TOKEN={ghp}"), &[("GitHub", &ghp)]),
            t(
                &format!("gh auth login --with-token <<< {pat}"),
                &[("GitHub", &pat)],
            ),
            t(
                &format!("git remote add o https://oauth2:{glpat}@gitlab.com/x.git"),
                &[("GitLab", &glpat)],
            ),
            t(
                "slack-cli --tok xoxb-1234567890-abcdefABCDEF",
                &[("Slack", "xoxb-1234567890-abcdefABCDEF")],
            ),
            t(
                &format!("npm config set //registry.npmjs.org/:_authToken {npm}"),
                &[("npm", &npm)],
            ),
            t(
                &format!("twine upload -u __token__ -p {pypi} dist/*"),
                &[("PyPI", &pypi)],
            ),
            t(
                &format!("VAULT_ADDR=https://v vault kv get -token={hvs} x"),
                &[("Vault", &hvs)],
            ),
            t(
                &format!("llm keys set openai {sk_proj}"),
                &[("OpenAI", &sk_proj)],
            ),
            t(&format!("claude --key {sk_ant}"), &[("Anthropic", &sk_ant)]),
            t(&format!("echo {age} > key.txt"), &[("age", &age)]),
            t(
                &format!("http :8080/api token=={jwt}"),
                &[("JSON Web Token", &jwt)],
            ),
            t(
                &format!("aws configure set aws_secret_access_key {aws_secret}"),
                &[("AWS secret", &aws_secret)],
            ),
            t(
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                &[("private key", "-----BEGIN OPENSSH PRIVATE KEY-----")],
            ),
            t(
                r#"echo "-----BEGIN RSA PRIVATE KEY-----MIIEow" > k"#,
                &[(
                    "private key",
                    r#"-----BEGIN RSA PRIVATE KEY-----MIIEow" > k"#,
                )],
            ),
            // Placeholders
            none("mysql -uroot -p$MYSQL_PASSWORD"),
            none("mysql -u root -p${PW} db"),
            none(r#"sshpass -p "$(cat ~/.pw)" ssh h"#),
            none("curl -u user:<password> https://x"),
            none(r#"export PASSWORD="{{ vault_pw }}""#),
            none("mysql -p%s"),
            none("curl -u user: https://x"),
            none("export PASSWORD="),
            none(r#"export PASSWORD="""#),
            none("psql postgres://app:$PGPASS@db/app"),
            none("docker login -u bob -p $(cat token)"),
            none("echo $PASS | sudo -S true"),
            none(r#"printf '%s\n' "$PW" | sudo -S true"#),
            // Ordinary commands
            none("ssh -p 2222 host"),
            none("mysql -p"),
            none("mysql -u root -p mydb"),
            none("git clone https://github.com/x/y"),
            none("export PATH=$HOME/bin:$PATH"),
            none("cd $PWD"),
            none("pwd"),
            none("export PWD=/tmp"),
            none("OLDPWD=/srv cd -"),
            none("ls -la"),
            none("grep -p foo"),
            none("docker login"),
            none("docker login -u bob"),
            none("curl -u user https://x"),
            none("curl -XPUT https://x/y"),
            none("curl -s https://example.org/api"),
            none("curl https://user@host/"),
            none("#1700000000"),
            none("ssh -o PasswordAuthentication=no host"),
            none("passwd"),
            none("pass show email/work"),
            none("export GIT_ASKPASS=/usr/bin/ksshaskpass"),
            none("export PASSWORD_STORE_DIR=~/.pw"),
            none("mkdir -p build/out"),
            none("sudo apt-get update"),
            none("ansible-playbook --ask-pass site.yml"),
            none("psql --no-password mydb"),
            none("python3 -c 'print(1)'"),
            none(">>> password = getpass.getpass()"),
            none("token=os.environ['TOKEN']"),
            none("ls /dev/disk/by-id/ata-Samsung_SSD_860_EVO_500GB"),
            none("curl -H 'Authorization: Bearer $TOKEN' https://x"),
            none("sudo mount /dev/sdb1 /mnt"),
            none("zip -r out.zip dir"),
            none("kubectl create secret generic x --from-file=a"),
        ];
        // Each placeholder the allowlists name.
        for p in [
            "changeme",
            "password",
            "passwd",
            "secret",
            "xxx",
            "xxxxxxxx",
            "********",
            "example",
            "test",
            "dummy",
            "redacted",
            "REDACTED",
            "your_password",
            "yourpassword",
            "mypassword",
            "ChangeMe",
            "<password>",
            "<...>",
            "{{pw}}",
            "%s",
            "$VAR",
            "${VAR}",
            "$(cmd)",
        ] {
            rows.push(none(&format!("mysql -uroot -p{p}")));
            rows.push(none(&format!("export API_TOKEN='{p}'")));
        }
        // Quoting variants of one password.
        for q in ["Quot3d", "'Quot3d'", "\"Quot3d\""] {
            rows.push(t(
                &format!("export SMTP_PASS={q}"),
                &[("exported secret variable", "Quot3d")],
            ));
            rows.push(t(
                &format!("sshpass -p {q} ssh h"),
                &[("sshpass", "Quot3d")],
            ));
            rows.push(t(&format!("curl -u bob:{q} h"), &[("curl", "Quot3d")]));
        }
        rows.push((
            b"export API_TOKEN=crlfT0ken\r".to_vec(),
            vec![("exported", b"crlfT0ken".to_vec())],
        ));
        rows.push((
            b"\xff\xfe mysql -pN0nUtf8 \xc3\x28".to_vec(),
            vec![("MySQL", b"N0nUtf8".to_vec())],
        ));
        rows.push((
            b"\xc3\x28PGPASSWORD=\xff\xfeBin\xffary psql".to_vec(),
            vec![("exported", b"\xff\xfeBin\xffary".to_vec())],
        ));
        rows
    }

    fn check_row(line: &[u8], expected: &[(&str, Vec<u8>)], hits: &[Hit]) {
        let shown = String::from_utf8_lossy(line);
        let got: Vec<(&str, &[u8])> = hits
            .iter()
            .map(|h| (h.kind, &line[h.secret.clone()]))
            .collect();
        assert_eq!(hits.len(), expected.len(), "{shown}: got {got:?}");
        for ((kind, secret), hit) in expected.iter().zip(hits) {
            assert!(
                hit.kind.to_lowercase().contains(&kind.to_lowercase()),
                "{shown}: kind {:?}, wanted {kind:?}",
                hit.kind
            );
            assert_eq!(
                &line[hit.secret.clone()],
                secret.as_slice(),
                "{shown}: got {got:?}"
            );
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for spec in specs() {
            assert!(
                RegexBuilder::new(&spec.pattern)
                    .unicode(false)
                    .build()
                    .is_ok(),
                "{}",
                spec.pattern
            );
            if let Find::Command { cmd, .. } = spec.find {
                assert!(
                    RegexBuilder::new(cmd).unicode(false).build().is_ok(),
                    "{cmd}"
                );
            }
        }
        assert!(
            RegexBuilder::new(&grep_pattern())
                .unicode(false)
                .build()
                .is_ok()
        );
        // Forces the LazyLock, whose `expect`s are thus covered too.
        assert!(!ENGINE.rules.is_empty());
    }

    #[test]
    fn table_of_lines() {
        let failures: Vec<String> = table()
            .into_iter()
            .filter_map(|(line, expected)| {
                let hits = find_in_line(&line);
                std::panic::catch_unwind(|| check_row(&line, &expected, &hits))
                    .err()
                    .map(|_| String::from_utf8_lossy(&line).into_owned())
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} lines failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// The prefilter never hides a rule that would match: running every rule on every line
    /// gives the same result as running only the triggered ones.
    #[test]
    fn triggers_cover_every_rule() {
        let engine = &*ENGINE;
        let mut scratch = Scratch::new(engine);
        for line in table()
            .into_iter()
            .map(|(l, _)| l)
            .chain(generated_lines(3000))
        {
            let line = strip_cr(&line).to_vec();
            let triggered = find_in_line(&line);
            engine.run(&line, u64::MAX, &mut scratch);
            assert_eq!(
                triggered,
                scratch.hits,
                "{}",
                String::from_utf8_lossy(&line)
            );
        }
    }

    /// The quick `needs` tests never turn away a line the regex would match.
    #[test]
    fn needs_are_sound() {
        let mut bare = Engine::build(true);
        for rule in &mut bare.rules {
            rule.needs.clear();
        }
        let (mut with, mut without) = (Scratch::new(&ENGINE), Scratch::new(&bare));
        for line in table()
            .into_iter()
            .map(|(l, _)| l)
            .chain(generated_lines(3000))
        {
            let line = strip_cr(&line);
            ENGINE.run(line, u64::MAX, &mut with);
            bare.run(line, u64::MAX, &mut without);
            assert_eq!(with.hits, without.hits, "{}", String::from_utf8_lossy(line));
        }
    }

    /// The portable automaton (for CPUs without the SIMD the packed searcher needs) finds
    /// the same secrets.
    #[test]
    fn automaton_fallback_agrees() {
        let fallback = Engine::build(false);
        assert!(
            fallback
                .searchers
                .iter()
                .all(|(s, _)| matches!(s, Searcher::Automaton(_)))
        );
        let lines: Vec<Vec<u8>> = table().into_iter().map(|(l, _)| l).collect();
        let chunk = lines.join(&b'\n');
        let mut expected = Vec::new();
        scan_chunk(&chunk, |i, at, hits| expected.push((i, at, hits.to_vec())));
        let mut got = Vec::new();
        fallback.scan(&chunk, |i, at, hits| got.push((i, at, hits.to_vec())));
        assert_eq!(expected, got);
        assert!(expected.len() > 100);
    }

    #[test]
    fn scan_chunk_reports_line_index_and_offset() {
        let rows = table();
        let mut chunk = Vec::new();
        let mut want = Vec::new();
        for (i, (line, expected)) in rows.iter().enumerate() {
            if !expected.is_empty() {
                want.push((i, chunk.len()));
            }
            chunk.extend_from_slice(line);
            chunk.push(b'\n');
        }
        let mut got = Vec::new();
        scan_chunk(&chunk, |i, at, hits| {
            let line = &rows[i].0;
            assert_eq!(&chunk[at..at + line.len()], line.as_slice());
            check_row(line, &rows[i].1, hits);
            got.push((i, at));
        });
        assert_eq!(got, want);
        // A chunk without a final newline, and one that is a single line.
        let mut got = Vec::new();
        scan_chunk(b"ls\r\nexport X_TOKEN=abcdef\r\ncd", |i, at, hits| {
            got.push((i, at, hits.to_vec()))
        });
        assert_eq!(
            got,
            vec![(
                1,
                4,
                vec![Hit {
                    kind: "exported secret variable",
                    secret: 15..21
                }]
            )]
        );
        let mut got = Vec::new();
        scan_chunk(b"export X_TOKEN=abcdef", |i, at, _| got.push((i, at)));
        assert_eq!(got, vec![(0, 0)]);
        scan_chunk(b"", |_, _, _| panic!("nothing to find"));
        scan_chunk(b"\n\n\n", |_, _, _| panic!("nothing to find"));
    }

    #[test]
    fn mask_hides_secrets_and_keeps_the_rest_safe() {
        for (line, expected) in table() {
            let hits = find_in_line(&line);
            let masked = mask(&line, &hits);
            for (_, secret) in &expected {
                assert!(
                    !masked.contains(&*String::from_utf8_lossy(secret)),
                    "{masked}"
                );
            }
            assert!(masked.chars().count() <= 200);
            assert!(!masked.chars().any(|c| c.is_control()), "{masked:?}");
        }
        let line = b"\x1b[31mexport DB_PASS=hunter22 \xff\r";
        let hits = find_in_line(line);
        assert_eq!(
            mask(line, &hits),
            r"\u{001B}[31mexport DB_PASS=******** \xFF\u{000D}"
        );
        // Unsorted, overlapping and out-of-range hits still mask everything they cover.
        let hits = [
            Hit {
                kind: "x",
                secret: 10..12,
            },
            Hit {
                kind: "x",
                secret: 2..5,
            },
            Hit {
                kind: "x",
                secret: 4..7,
            },
            Hit {
                kind: "x",
                secret: 40..90,
            },
        ];
        assert_eq!(
            mask(b"0123456789abcdef", &hits),
            "01********789********cdef"
        );
        let long = format!("export DB_PASS=hunter22 {}", "é".repeat(1000));
        let masked = mask(long.as_bytes(), &find_in_line(long.as_bytes()));
        assert_eq!(masked.chars().count(), 200);
        assert!(
            masked.ends_with('…') && masked.contains("********") && !masked.contains("hunter22")
        );
    }

    #[test]
    fn newline_search_agrees_with_the_obvious_one() {
        let mut bytes = [b'a'; 200];
        for at in [0, 1, 31, 32, 33, 63, 64, 100, 167, 168, 199] {
            bytes[at] = b'\n';
            for len in [0, 1, 31, 32, 33, 64, 65, 100, 168, 169, 200] {
                let h = &bytes[..len];
                assert_eq!(first_newline(h), h.iter().position(|&b| b == b'\n'));
                assert_eq!(last_newline(h), h.iter().rposition(|&b| b == b'\n'));
                assert_eq!(count_newlines(h), h.iter().filter(|&&b| b == b'\n').count());
            }
        }
    }

    #[test]
    fn odd_lines() {
        let mut huge = vec![b'x'; 1 << 20];
        huge[1000] = 0xff;
        huge.extend_from_slice(b" mysql -pBur1ed");
        let hits = find_in_line(&huge);
        assert_eq!(hits.len(), 1);
        assert_eq!(&huge[hits[0].secret.clone()], b"Bur1ed");
        let masked = mask(&huge, &hits);
        assert_eq!(masked.chars().count(), 200);
        assert!(find_in_line(&vec![b'a'; 100_000]).is_empty());
        let mut got = 0;
        scan_chunk(&vec![b'a'; 100_000], |_, _, _| got += 1);
        assert_eq!(got, 0);
        // Repeated command names and triggers must not make the scan quadratic.
        for unit in [
            "mysql ",
            "a://b:",
            "PASSWORD=",
            "echo x | ",
            "'",
            "sshpass -p x ",
            "-----BEGIN ",
            "PASSWORD=$x;",
            "PASSWORD=x;",
            "a://b:c@",
            "mysql -px;",
            "echo 'a:b' | chpasswd;",
            "-----BEGIN RSA PRIVATE KEY-----",
            "ghp_",
            "xoxb-",
            "Authorization: Bearer x ",
        ] {
            let line = unit.repeat(300_000 / unit.len());
            let started = std::time::Instant::now();
            let hits = find_in_line(line.as_bytes());
            let _ = mask(line.as_bytes(), &hits);
            let mut lines = 0;
            scan_chunk(line.as_bytes(), |_, _, _| lines += 1);
            assert!(lines <= 1);
            // Generous for a debug build (about a second); a quadratic scan takes minutes.
            assert!(
                started.elapsed().as_secs() < 20,
                "{unit:?} took {:?}",
                started.elapsed()
            );
        }
    }

    /// Deterministic pseudo-random lines made of command fragments, quotes, separators and
    /// arbitrary bytes.
    fn generated_lines(n: usize) -> Vec<Vec<u8>> {
        const PARTS: &[&[u8]] = &[
            b"mysql",
            b"-p",
            b"-pX9y",
            b"sshpass",
            b"curl",
            b"-u",
            b"a:b",
            b"https://",
            b"u:p@h",
            b"export",
            b"PASSWORD=",
            b"TOKEN",
            b"=",
            b"'",
            b"\"",
            b"|",
            b";",
            b"&",
            b"sudo",
            b"-S",
            b"echo",
            b"<<<",
            b"htpasswd",
            b"-b",
            b"-nb",
            b"openssl",
            b"pass:",
            b"-passin",
            b"docker login",
            b"--password",
            b"smbclient",
            b"-U",
            b"u%p",
            b"chpasswd",
            b"sqlplus",
            b"a/b@c",
            b"xfreerdp",
            b"/p:",
            b"7z",
            b"unzip",
            b"-P",
            b"mount",
            b"-o",
            b"password=",
            b"vault login",
            b"AKIA",
            b"ghp_",
            b"glpat-",
            b"xoxb-",
            b"eyJ",
            b"sk-",
            b"AGE-SECRET-KEY-1",
            b"-----BEGIN RSA PRIVATE KEY-----",
            b"$VAR",
            b"\xff",
            b"\xc3",
            b"\r",
            b"\t",
            b" ",
            b" ",
            b" ",
            b"\\",
            b"`",
            b"(",
            b")",
            b"IDENTIFIED BY",
            b"AUTH",
            b"api_key",
            b"Authorization:",
            b"Bearer",
            b"--token",
            b"set -x",
            b"\\040",
            b"{{",
            b"Sx7kQ2mZ9wLp4rT8vN3b",
            b"ABCDEFGHIJKLMNOP2345",
            b"0123456789abcdefghijABCDEFGHIJ",
            b"nmcli",
            b"password",
            b"ssh-keygen",
            b"-N",
            b"wpa_passphrase",
            b"a.psk",
            b".password=",
            b"MYSQL_PWD=",
            b"apiKey",
            b"Token",
            b"useradd",
            b"'$6$a$b$c'",
            b"rdesktop",
            b"redis-cli",
            b"-a",
            b"mongo",
            b"openssl passwd",
            b"keytool",
            b"-storepass",
            b"machine h login u",
            b"CONFIG SET requirepass",
            b"PASSWORD (",
            b"SET PASSWORD",
            b"X-Api-Key:",
            b"az login",
            b"sshpass -p",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..n)
            .map(|_| {
                let parts = next() % 14;
                let mut line = Vec::new();
                for _ in 0..parts {
                    let r = next();
                    match r % 9 {
                        0 => line.push((r >> 8) as u8),
                        1 => line.push(b' '),
                        _ => line.extend_from_slice(PARTS[(r >> 8) as usize % PARTS.len()]),
                    }
                }
                line.retain(|&b| b != b'\n');
                line
            })
            .collect()
    }

    #[test]
    fn nothing_panics_and_hits_are_well_formed() {
        for line in generated_lines(20_000) {
            let hits = find_in_line(&line);
            let mut end = 0;
            for hit in &hits {
                assert!(
                    hit.secret.start >= end && hit.secret.start < hit.secret.end,
                    "{hits:?}"
                );
                assert!(hit.secret.end <= strip_cr(&line).len());
                end = hit.secret.end;
            }
            let _ = mask(&line, &hits);
        }
    }

    /// Every flagged line matches the grep pattern: checked with the `regex` crate as a
    /// stand-in, and with the real grep when there is one.
    #[test]
    fn grep_pattern_covers_every_hit() {
        let re = RegexBuilder::new(&grep_pattern())
            .unicode(false)
            .build()
            .unwrap();
        let lines: Vec<Vec<u8>> = table()
            .into_iter()
            .map(|(l, _)| l)
            .chain(generated_lines(5000))
            .collect();
        let flagged: Vec<usize> = (0..lines.len())
            .filter(|&i| !find_in_line(&lines[i]).is_empty())
            .collect();
        assert!(flagged.len() > 150);
        for &i in &flagged {
            assert!(
                re.is_match(&lines[i]),
                "{}",
                String::from_utf8_lossy(&lines[i])
            );
        }
        let grep = std::path::Path::new("/usr/bin/grep");
        if !grep.exists() {
            return;
        }
        let mut file = tempfile::NamedTempFile::new().unwrap();
        for line in &lines {
            file.write_all(line).unwrap();
            file.write_all(b"\n").unwrap();
        }
        file.flush().unwrap();
        let out = std::process::Command::new(grep)
            .env("LC_ALL", "C")
            .args(["-a", "-n", "-E", "-e", &grep_pattern()])
            .arg(file.path())
            .output()
            .unwrap();
        assert!(
            out.status.code() == Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let numbers: std::collections::HashSet<usize> = out
            .stdout
            .split(|&b| b == b'\n')
            .filter_map(|l| {
                std::str::from_utf8(l.split(|&b| b == b':').next()?)
                    .ok()?
                    .parse()
                    .ok()
            })
            .collect();
        for &i in &flagged {
            assert!(
                numbers.contains(&(i + 1)),
                "grep missed {}",
                String::from_utf8_lossy(&lines[i])
            );
        }
    }
}
