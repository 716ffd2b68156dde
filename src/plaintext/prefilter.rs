//! The trigger-word prefilter of the history scan: where in a chunk of history any of a
//! few hundred literal words ends. One Aho-Corasick DFA knows them all, but a DFA walks
//! one byte at a time and each step waits for the one before it (a table lookup whose
//! address is the previous result), so one walk runs at the latency of a load: about 540
//! MB/s with the `aho-corasick` crate's own search. Here four walks of the same DFA, over
//! four quarters of the chunk, are stepped in turn: they do not wait on each other, so
//! their loads overlap (README, "Speed"). The automaton is the crate's, made a DFA in a
//! table of our own: a row per state and a column per byte value, so that a step is an
//! addition and one load, with the four states held in registers and a match told by
//! one bit of their OR.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::noncontiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

/// A byte where at least one word ends, and the DFA's state there (which says which).
#[derive(Clone, Copy, Debug)]
pub(super) struct WordEnd {
    pub(super) at: usize,
    state: u32,
}

/// A row of the table holds a next state for every byte value.
const ROW: usize = 256;

/// The table's size in entries, fixed so that an index masked by `TABLE - 1` needs no
/// bounds check (a compare and a length held in a register on every step). Rows below
/// `MATCHES` are the states where no word ends and rows from it on the ones where one
/// does, so that one OR of the four states and one bit test tell whether any walk is at
/// a match. Rows never stepped to are never touched: the zeroed pages are not made.
const TABLE: usize = 1 << 21;
const MATCHES: u32 = 1 << 20;

/// How many walks run side by side; more would spill the registers that hold them.
const WALKS: usize = 4;

pub(super) struct Prefilter {
    /// Per state and byte, the next state. A state is the offset of its row, so a step is
    /// one addition and one load.
    next: Box<[u32; TABLE]>,
    /// Per match state (by its place from `MATCHES` on), the words that end there.
    words: Vec<Vec<usize>>,
}

impl Prefilter {
    /// Every occurrence of every word is reported, overlapping ones included, so that a
    /// word that begins or ends another hides nothing.
    pub(super) fn build(words: &[&[u8]]) -> Prefilter {
        assert!(
            words.iter().all(|w| !w.contains(&b'\n')),
            "a trigger word within one line"
        );
        // The crate's automaton before it is made a DFA: every step of ours is computed
        // once, here, following its failure links.
        let dfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(words)
            .expect("a few hundred short literals always build");
        let start = dfa
            .start_state(Anchored::No)
            .expect("built with an unanchored start state");
        let mut class = [0u8; 256];
        let mut used: Vec<u8> = words.iter().flat_map(|w| w.iter().copied()).collect();
        used.sort_unstable();
        used.dedup();
        for (i, &b) in used.iter().enumerate() {
            class[usize::from(b)] = u8::try_from(i + 1).expect("at most 255 distinct bytes");
        }
        // The bytes no word holds all step as any one of them does (back towards the
        // start), so column 0 is taken by one of them.
        let columns: Vec<u8> = std::iter::once(
            (0..=255u8)
                .find(|b| class[usize::from(*b)] == 0)
                .unwrap_or(0),
        )
        .chain(used.iter().copied())
        .collect();
        // Every state the walk can reach, breadth first from the start.
        let mut seen: Vec<StateID> = vec![start];
        let mut known: HashMap<StateID, ()> = HashMap::from([(start, ())]);
        let mut at = 0;
        while let Some(&state) = seen.get(at) {
            for &b in &columns {
                let next = dfa.next_state(Anchored::No, state, b);
                if known.insert(next, ()).is_none() {
                    seen.push(next);
                }
            }
            at += 1;
        }
        // Non-matching states first (the start, not a match, stays row 0).
        seen.sort_by_key(|&s| dfa.is_match(s));
        let first_match = seen
            .iter()
            .position(|&s| dfa.is_match(s))
            .unwrap_or(seen.len());
        assert!(
            first_match * ROW <= MATCHES as usize
                && (seen.len() - first_match) * ROW <= TABLE - MATCHES as usize,
            "the words' automaton fits the table"
        );
        let offset = |i: usize| -> u32 {
            let at = if i < first_match {
                i * ROW
            } else {
                MATCHES as usize + (i - first_match) * ROW
            };
            u32::try_from(at).expect("the table is under 4 GB")
        };
        let row: HashMap<StateID, u32> = seen
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, offset(i)))
            .collect();
        // A row per state with a column per byte value: a step is then one addition and
        // one load, with no lookup of the byte's class on the chain of loads.
        let mut next: Box<[u32; TABLE]> = vec![0; TABLE]
            .into_boxed_slice()
            .try_into()
            .expect("made TABLE long");
        for (i, &state) in seen.iter().enumerate() {
            let by_class: Vec<u32> = columns
                .iter()
                .map(|&b| row[&dfa.next_state(Anchored::No, state, b)])
                .collect();
            let at = offset(i) as usize;
            for (b, cell) in next[at..at + ROW].iter_mut().enumerate() {
                *cell = by_class[usize::from(class[b])];
            }
        }
        let words = seen[first_match..]
            .iter()
            .map(|&s| {
                (0..dfa.match_len(s))
                    .map(|i| dfa.match_pattern(s, i).as_usize())
                    .collect()
            })
            .collect();
        Prefilter { next, words }
    }

    /// The words (by index) that end at `end`.
    #[cfg(test)]
    pub(super) fn words_at(&self, end: WordEnd) -> &[usize] {
        self.words
            .get(self.match_state(end))
            .map_or(&[], Vec::as_slice)
    }

    /// The place of the state at `end` among the match states, each of which
    /// `match_states` lists with the words that end there.
    pub(super) fn match_state(&self, end: WordEnd) -> usize {
        ((end.state - MATCHES) / ROW as u32) as usize
    }

    pub(super) fn match_states(&self) -> &[Vec<usize>] {
        &self.words
    }

    /// Where words end in `haystack`, in order, appended to `ends`. Walks start at a line's
    /// start: no word holds a newline, so a walk that begins there finds what one walk
    /// over the whole chunk would.
    pub(super) fn word_ends(&self, haystack: &[u8], ends: &mut Vec<WordEnd>) {
        let mut cuts = [0; WALKS + 1];
        cuts[WALKS] = haystack.len();
        for i in 1..WALKS {
            let from = (haystack.len() * i / WALKS).max(cuts[i - 1]);
            cuts[i] =
                memchr::memchr(b'\n', &haystack[from..]).map_or(haystack.len(), |n| from + n + 1);
        }
        let parts: [&[u8]; WALKS] = std::array::from_fn(|i| &haystack[cuts[i]..cuts[i + 1]]);
        let together = parts.iter().map(|p| p.len()).min().unwrap_or(0);
        let next = &*self.next;
        let step = |state: u32, byte: u8| -> u32 {
            next[(state as usize + usize::from(byte)) & (TABLE - 1)]
        };
        let mut found: [Vec<WordEnd>; WALKS] = Default::default();
        // The four states are named rather than indexed so that they stay in registers.
        let (mut sa, mut sb, mut sc, mut sd) = (0u32, 0u32, 0u32, 0u32);
        let [a, b, c, d] = parts.map(|p| &p[..together]);
        for (i, (((&ba, &bb), &bc), &bd)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            sa = step(sa, ba);
            sb = step(sb, bb);
            sc = step(sc, bc);
            sd = step(sd, bd);
            if (sa | sb | sc | sd) & MATCHES != 0 {
                record(&mut found, [sa, sb, sc, sd], &cuts, i);
            }
        }
        let states = [sa, sb, sc, sd];
        for w in 0..WALKS {
            ends.append(&mut found[w]);
            let mut state = states[w];
            for (i, &byte) in parts[w].iter().enumerate().skip(together) {
                state = step(state, byte);
                if state & MATCHES != 0 {
                    ends.push(WordEnd {
                        at: cuts[w] + i,
                        state,
                    });
                }
            }
        }
    }
}

/// Notes the walks that are at a match after byte `i` of their parts. Kept out of the
/// loop so that the loop's registers hold its states and positions rather than what a
/// push needs.
#[cold]
#[inline(never)]
fn record(
    found: &mut [Vec<WordEnd>; WALKS],
    states: [u32; WALKS],
    cuts: &[usize; WALKS + 1],
    i: usize,
) {
    for w in 0..WALKS {
        if states[w] & MATCHES != 0 {
            found[w].push(WordEnd {
                at: cuts[w] + i,
                state: states[w],
            });
        }
    }
}

#[cfg(test)]
#[path = "prefilter_tests.rs"]
mod tests;
