//! Histories run to hundreds of megabytes and almost no line holds a secret, so the scan
//! is built around a literal prefilter (`prefilter.rs`): one Aho-Corasick DFA finds every
//! rule's trigger words over the whole chunk, and only a line that contains one is handed
//! to the precise regular expressions, and only to the rules its words can start. With the
//! token table's prefixes there are a few hundred words: packed SIMD ("Teddy") searchers,
//! fast on a few dozen, then need ten passes and their fingerprints collide on ordinary
//! text (README, "Speed"). The automaton matches bytes exactly, so words whose case varies
//! (`password`, `Token`, `API_KEY`) are listed in their lower, upper and capitalised
//! forms, and a rare spelling such as `pAsSwOrD=` is knowingly missed.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

use super::patterns::Hit;
use super::predicates::{glued_to_variable, is_placeholder, segment_end, single_quoted};
use super::prefilter::{Prefilter, WordEnd};
use super::rules::{Check, Extract, Find, specs};
use super::spans::{Extend, extend_all};

/// A set of rules, by index: room for four times 64.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RuleSet([u64; 4]);

impl RuleSet {
    const CAPACITY: usize = 256;
    const ALL: RuleSet = RuleSet([u64::MAX; 4]);

    fn one(index: usize) -> RuleSet {
        let mut set = RuleSet::default();
        set.0[index / 64] |= 1 << (index % 64);
        set
    }

    fn add(&mut self, other: RuleSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The indices in the set, in order.
    fn indices(self) -> impl Iterator<Item = usize> {
        self.0.into_iter().enumerate().flat_map(|(i, mut word)| {
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros() as usize;
                word &= word - 1;
                Some(i * 64 + bit)
            })
        })
    }
}

/// `patterns::find_in_line`, on the engine every scan shares.
pub(super) fn find_in_line(line: &[u8]) -> Vec<Hit> {
    let engine = &*ENGINE;
    let mut scratch = Scratch::new(engine);
    let line = strip_cr(line);
    engine.run(line, engine.trigger_mask(line), &mut scratch);
    scratch.hits
}

/// What the one rule with this id finds on a line, spans not extended: for the tests
/// of each token format.
#[cfg(test)]
pub(super) fn find_by_rule(id: &str, line: &[u8]) -> Option<Vec<Range<usize>>> {
    let engine = &*ENGINE;
    let index = engine.rules.iter().position(|r| r.id == id)?;
    let rule = &engine.rules[index];
    let mut locs = rule.re.get().capture_locations();
    let mut raw = Vec::new();
    rule.each_match(line, 0, line.len(), &mut locs, &mut raw, index);
    Some(raw.into_iter().map(|(span, _, _)| span).collect())
}

/// `patterns::scan_chunk`, on the engine every scan shares.
pub(super) fn scan_chunk(chunk: &[u8], found: impl FnMut(usize, usize, &[Hit])) {
    ENGINE.scan(chunk, found);
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

struct Rule {
    /// The token format's id, by which the tests run one format alone.
    #[cfg_attr(not(test), allow(dead_code))]
    id: &'static str,
    kind: &'static str,
    cmd: Option<Lazy>,
    anchored: bool,
    re: Lazy,
    context: bool,
    check: Check,
    extract: Extract,
    extend: Extend,
    needs: Vec<Need>,
}

/// A parsed entry of `Spec::needs`.
struct Need {
    literal: &'static [u8],
    ignore_case: bool,
    then_non_space: bool,
    /// The literal's ASCII bytes (lower case when case is ignored), as a `ByteSet` holds
    /// them: a line that lacks one of them is refused by one comparison.
    bytes: ByteSet,
}

impl Need {
    fn parse(need: &'static str) -> Need {
        let (ignore_case, rest) = need.strip_prefix('~').map_or((false, need), |r| (true, r));
        let (then_non_space, literal) = rest
            .strip_suffix(r"\S")
            .map_or((false, rest), |l| (true, l));
        let mut bytes = ByteSet::of(literal.as_bytes());
        if ignore_case {
            bytes = bytes.folded();
        }
        Need {
            literal: literal.as_bytes(),
            ignore_case,
            then_non_space,
            bytes,
        }
    }

    /// `bytes` and `folded` are the line's `ByteSet` and its case-folded twin.
    fn found_in(&self, line: &[u8], bytes: &ByteSet, folded: &ByteSet) -> bool {
        let Some((&first, rest)) = self.literal.split_first() else {
            return true;
        };
        // Most needs fail here: a line without an `@` or `=` needs no scan for one.
        let held = if self.ignore_case { folded } else { bytes };
        if !held.holds(&self.bytes) {
            return false;
        }
        if rest.is_empty() && !self.ignore_case && !self.then_non_space && first.is_ascii() {
            return true;
        }
        let same = |a: &u8, b: &u8| {
            if self.ignore_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let (lower, upper) = if self.ignore_case {
            (first.to_ascii_lowercase(), first.to_ascii_uppercase())
        } else {
            (first, first)
        };
        let len = self.literal.len();
        let found_at = |i: usize| {
            line.get(i + 1..i + len)
                .is_some_and(|here| here.iter().zip(rest).all(|(a, b)| same(a, b)))
                && (!self.then_non_space
                    || line.get(i + len).is_some_and(|b| !b.is_ascii_whitespace()))
        };
        // Comparing only where the first byte occurs keeps this a cheap scan of the line.
        if lower == upper {
            memchr::memchr_iter(first, line).any(found_at)
        } else {
            memchr::memchr2_iter(lower, upper, line).any(found_at)
        }
    }
}

/// The ASCII bytes a line holds, gathered in one pass so that each rule's `needs` can be
/// refused without scanning the line again. Each byte's bit comes from a table of 256
/// pairs of words (two loads and two ORs, where shifting and masking cost eight
/// operations a byte); bytes above 127 are not kept.
#[derive(Clone, Copy)]
struct ByteSet {
    below_64: u64,
    below_128: u64,
}

/// Per byte, its bit in `ByteSet::below_64` and in `ByteSet::below_128`.
static BYTE_BITS: [[u64; 2]; 256] = {
    let mut bits = [[0u64; 2]; 256];
    let mut b = 0;
    while b < 128 {
        bits[b][b / 64] = 1 << (b % 64);
        b += 1;
    }
    bits
};

impl ByteSet {
    fn of(line: &[u8]) -> ByteSet {
        let (mut below_64, mut below_128) = (0u64, 0u64);
        for &b in line {
            let [low, high] = BYTE_BITS[usize::from(b)];
            below_64 |= low;
            below_128 |= high;
        }
        ByteSet {
            below_64,
            below_128,
        }
    }

    /// The same set with `A`-`Z` counted as `a`-`z`.
    fn folded(self) -> ByteSet {
        // `A`-`Z` are bits 1-26 of the upper word, `a`-`z` the same 32 places higher.
        const UPPER: u64 = ((1 << 26) - 1) << 1;
        ByteSet {
            below_64: self.below_64,
            below_128: (self.below_128 & !UPPER) | ((self.below_128 & UPPER) << 32),
        }
    }

    fn holds(&self, other: &ByteSet) -> bool {
        self.below_64 & other.below_64 == other.below_64
            && self.below_128 & other.below_128 == other.below_128
    }
}

struct Engine {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    /// Per match state of the prefilter: the rules the words ending there can start.
    masks: Vec<RuleSet>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::build);

fn compile(pattern: &str) -> Regex {
    // Unicode off: `.` and `[^']` then match any byte, so invalid UTF-8 neither hides a
    // secret nor sends the regex engine to its slow path, and `\b` stays ASCII.
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("the rule table's patterns are tested to compile")
}

/// A rule's regular expression, compiled the first time a line needs it: a history rarely
/// gets past the needs of more than a few rules, and compiling all of them up front cost
/// every run 26 ms before its first line (of 32 ms for a 1 kB history).
struct Lazy {
    pattern: String,
    compiled: OnceLock<Regex>,
}

impl Lazy {
    fn new(pattern: String) -> Lazy {
        Lazy {
            pattern,
            compiled: OnceLock::new(),
        }
    }

    fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| compile(&self.pattern))
    }
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
    fn build() -> Engine {
        let specs = specs();
        assert!(
            specs.len() <= RuleSet::CAPACITY,
            "too many rules for a RuleSet"
        );
        let mut words: Vec<(Vec<u8>, RuleSet)> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            for w in spec.triggers.iter().flat_map(|t| trigger_words(t)) {
                match words.iter_mut().find(|(known, _)| *known == w) {
                    Some((_, mask)) => mask.add(RuleSet::one(i)),
                    None => words.push((w, RuleSet::one(i))),
                }
            }
        }
        let literals: Vec<&[u8]> = words.iter().map(|(w, _)| w.as_slice()).collect();
        let prefilter = Prefilter::build(&literals);
        let masks = prefilter
            .match_states()
            .iter()
            .map(|ended| {
                let mut mask = RuleSet::default();
                for &word in ended {
                    mask.add(words.get(word).map_or(RuleSet::ALL, |&(_, m)| m));
                }
                mask
            })
            .collect();
        let rules = specs
            .into_iter()
            .map(|s| {
                let (cmd, anchored) = match s.find {
                    Find::Line => (None, false),
                    Find::Command { cmd, anchored } => (Some(Lazy::new(cmd.into())), anchored),
                };
                Rule {
                    id: s.id,
                    kind: s.kind,
                    cmd,
                    anchored,
                    re: Lazy::new(s.pattern),
                    context: s.context,
                    check: s.check,
                    extract: s.extract,
                    extend: s.extend,
                    needs: s.needs.iter().map(|n| Need::parse(n)).collect(),
                }
            })
            .collect();
        Engine {
            rules,
            prefilter,
            masks,
        }
    }

    /// The rules whose trigger words occur in `line`.
    fn trigger_mask(&self, line: &[u8]) -> RuleSet {
        let mut ends = Vec::new();
        self.prefilter.word_ends(line, &mut ends);
        self.mask_of(&ends)
    }

    /// The rules the words ending at `ends` can start.
    fn mask_of(&self, ends: &[WordEnd]) -> RuleSet {
        let mut mask = RuleSet::default();
        for &end in ends {
            let state = self.prefilter.match_state(end);
            mask.add(self.masks.get(state).copied().unwrap_or(RuleSet::ALL));
        }
        mask
    }

    fn scan(&self, chunk: &[u8], mut found: impl FnMut(usize, usize, &[Hit])) {
        let mut scratch = Scratch::new(self);
        let mut ends = Vec::new();
        self.prefilter.word_ends(chunk, &mut ends);
        // Everything before `done` belongs to lines already handled.
        let mut done = 0;
        let (mut counted_to, mut line_index) = (0, 0);
        let mut rest = ends.as_slice();
        while let Some(first) = rest.first().map(|e| e.at) {
            let start = last_newline(&chunk[done..first]).map_or(done, |i| done + i + 1);
            let end = first_newline(&chunk[first..]).map_or(chunk.len(), |i| first + i);
            let on_line = rest.iter().take_while(|e| e.at < end).count();
            let mask = self.mask_of(&rest[..on_line]);
            rest = &rest[on_line..];
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
    fn run(&self, line: &[u8], mask: RuleSet, scratch: &mut Scratch) {
        scratch.raw.clear();
        scratch.hits.clear();
        if mask.is_empty() {
            return;
        }
        let bytes = ByteSet::of(line);
        let folded = bytes.folded();
        for index in mask.indices() {
            let (Some(rule), Some(locs)) = (self.rules.get(index), scratch.locs.get_mut(index))
            else {
                continue;
            };
            if !rule.needs.is_empty()
                && !rule.needs.iter().any(|n| n.found_in(line, &bytes, &folded))
            {
                continue;
            }
            let locs = locs.get_or_insert_with(|| rule.re.get().capture_locations());
            match rule.cmd.as_ref().map(Lazy::get) {
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
            .sort_unstable_by_key(|(span, _, (_, priority))| (span.start, *priority));
        extend_all(line, &mut scratch.raw);
        for (secret, _, (kind, _)) in scratch.raw.drain(..) {
            match scratch.hits.last_mut() {
                // Overlapping finds become one hit so that no part of either is left out.
                Some(last) if secret.start < last.secret.end => {
                    last.secret.end = last.secret.end.max(secret.end);
                }
                _ => scratch.hits.push(Hit { kind, secret }),
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
        out: &mut Vec<RawHit>,
        priority: usize,
    ) {
        let Some(haystack) = line.get(from..to) else {
            return;
        };
        let mut at = 0;
        while at <= haystack.len() {
            let Some(m) = self.re.get().captures_read_at(locs, haystack, at) else {
                break;
            };
            if let Some(secret) = self.secret(line, from, locs) {
                out.push((secret, self.extend, (self.kind, priority)));
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
            || glued_to_variable(line, secret.end)
            || !(self.check)(line, context, secret.clone())
        {
            return None;
        }
        Some(secret)
    }
}

/// A secret as one rule found it: its span as matched, how far it reaches, and its
/// kind and the rule's place in the table (the earlier rule names a shared secret).
type RawHit = (Range<usize>, Extend, (&'static str, usize));

/// Per-scan buffers, so that a line with a trigger allocates nothing once warm.
struct Scratch {
    locs: Vec<Option<CaptureLocations>>,
    raw: Vec<RawHit>,
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
#[path = "engine_tests.rs"]
mod tests;
