//! The trigger-word prefilter of the history scan: where in a chunk of history any of a
//! few hundred literal words ends. One Aho-Corasick DFA knows them all, but a DFA walks
//! one byte at a time and each step waits for the one before it (a table lookup whose
//! address is the previous result), so one walk runs at the latency of a load: about 540
//! MB/s with the `aho-corasick` crate's own search. Here four walks of the same DFA, over
//! four quarters of the chunk, are stepped in turn: they do not wait on each other, so
//! their loads overlap (README, "Speed"). The automaton is the crate's, made a DFA in a table of
//! our own so that the loop holds the table in registers and tells a match state by one
//! comparison.

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

/// How many walks run side by side; more would spill the registers that hold them.
const WALKS: usize = 4;

pub(super) struct Prefilter {
    /// Per byte, its column in `next`: the bytes no word holds share column 0.
    class: [u8; 256],
    /// Per state and column, the next state. A state is the offset of its row, so a step is
    /// one addition and one load.
    next: Vec<u32>,
    /// States from here on are the ones where a word ends.
    first_match: u32,
    /// Per match state (by its place after `first_match`), the words that end there.
    words: Vec<Vec<usize>>,
    /// Rows are a power of two wide, so that a state's row is a shift away.
    row_shift: u32,
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
        let stride = columns.len().next_power_of_two();
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
        let row: HashMap<StateID, u32> = seen
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, u32::try_from(i * stride).expect("a table under 4 GB")))
            .collect();
        let mut next = Vec::with_capacity(seen.len() * stride);
        for &state in &seen {
            for &b in &columns {
                next.push(row[&dfa.next_state(Anchored::No, state, b)]);
            }
            // Columns past the last class are never stepped to.
            next.resize(next.len().next_multiple_of(stride), 0);
        }
        let words = seen[first_match..]
            .iter()
            .map(|&s| {
                (0..dfa.match_len(s))
                    .map(|i| dfa.match_pattern(s, i).as_usize())
                    .collect()
            })
            .collect();
        Prefilter {
            class,
            next,
            first_match: u32::try_from(first_match * stride).expect("a table under 4 GB"),
            words,
            row_shift: stride.trailing_zeros(),
        }
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
        ((end.state - self.first_match) >> self.row_shift) as usize
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
        let (class, next, first_match) = (&self.class, self.next.as_slice(), self.first_match);
        let step = |state: u32, byte: u8| -> u32 {
            next.get(state as usize + usize::from(class[usize::from(byte)]))
                .copied()
                .unwrap_or(0)
        };
        let mut found: [Vec<WordEnd>; WALKS] = Default::default();
        let mut states = [0u32; WALKS];
        let [a, b, c, d] = parts.map(|p| &p[..together]);
        for (i, (((&ba, &bb), &bc), &bd)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            let bytes = [ba, bb, bc, bd];
            for w in 0..WALKS {
                states[w] = step(states[w], bytes[w]);
            }
            if states.iter().any(|&s| s >= first_match) {
                for w in 0..WALKS {
                    if states[w] >= first_match {
                        found[w].push(WordEnd {
                            at: cuts[w] + i,
                            state: states[w],
                        });
                    }
                }
            }
        }
        for w in 0..WALKS {
            ends.append(&mut found[w]);
            let mut state = states[w];
            for (i, &byte) in parts[w].iter().enumerate().skip(together) {
                state = step(state, byte);
                if state >= first_match {
                    ends.push(WordEnd {
                        at: cuts[w] + i,
                        state,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "prefilter_tests.rs"]
mod tests;
