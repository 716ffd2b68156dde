//! How many guesses an attacker needs for a password: the cheapest way to build it
//! from pieces an attacker tries first. zxcvbn finds the pieces (common words, names,
//! keyboard walks, sequences, repeats, years, dates, the person's own names); the
//! price is ours. zxcvbn adds 10,000^(pieces−1) to every split, so a password of
//! trivial pieces (`Dolphin2024!`) rates high, and prices any unmatched run at 10
//! guesses a character, so a random `F5_mK6Vn` rates low. Here a decomposition costs
//! the product of its pieces' guesses times the orderings of its pieces' kinds,
//! and an unmatched run costs its characters' classes' sizes to the power of its
//! length — what a mask attack over those classes has to try. Pieces in the order
//! people most often give them (what carries the password, then its digits, then
//! its symbols) are searched for too, and cost the orderings of the leading pieces
//! and one choice of two, as attackers try that order first. zxcvbn's floor of 50
//! guesses for a piece of several characters applies to a piece as priced here: a
//! repeat in any case is floored after its capitals are counted.

use std::collections::HashMap;

use zeroize::Zeroizing;
use zxcvbn::DictionaryType;
use zxcvbn::matching::patterns::MatchPattern;

use super::lists::{COMMON_PASSWORDS, WordIndex};

/// What is scored; longer input only costs time (zxcvbn's own cap).
pub const SCORED_CHARS: usize = 100;

/// The classes an attacker's mask draws a character from, with their sizes.
pub mod class {
    pub const LOWER: u8 = 1;
    pub const UPPER: u8 = 2;
    pub const DIGIT: u8 = 4;
    /// ASCII punctuation and the space: 33 characters.
    pub const SYMBOL: u8 = 8;
    /// Anything outside ASCII, priced as an alphabet of 100.
    pub const OTHER: u8 = 16;

    pub fn of(c: char) -> u8 {
        match c {
            'a'..='z' => LOWER,
            'A'..='Z' => UPPER,
            '0'..='9' => DIGIT,
            ' '..='~' => SYMBOL,
            _ => OTHER,
        }
    }

    /// How many characters a mask over `classes` draws from.
    pub fn size(classes: u8) -> u32 {
        [
            (LOWER, 26),
            (UPPER, 26),
            (DIGIT, 10),
            (SYMBOL, 33),
            (OTHER, 100),
        ]
        .iter()
        .filter(|(class, _)| classes & class != 0)
        .map(|(_, size)| size)
        .sum()
    }
}

/// Which list a word came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordList {
    /// zxcvbn's common passwords, English words, and film and TV words.
    Common,
    /// The built-in lists of common passwords (Django's, Firefox Accounts').
    Password,
    /// First names.
    Name,
    Surname,
    /// The person's login, real name or host name.
    Account,
    /// A list of the policy's `word-lists`, by its file name.
    Listed(String),
}

/// How a word's letters were changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Lower,
    Capitalised,
    Capitals,
    LastCapital,
    Mixed,
}

/// One piece of the cheapest decomposition, described without its characters —
/// except a listed word, which is the list's, not the person's spelling, and is left
/// empty when it is the whole password.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Word {
        word: String,
        list: WordList,
        case: Case,
        reversed: bool,
        substituted: bool,
    },
    Keyboard {
        keypad: bool,
    },
    Repeat,
    Sequence {
        digits: bool,
    },
    Year,
    Date,
    /// Characters no pattern explains, priced by their classes.
    Unmatched {
        chars: usize,
        classes: u8,
    },
}

/// The cheapest decomposition and what it costs.
#[derive(Clone, Debug, PartialEq)]
pub struct Decomposition {
    /// log10 of the guesses; 0 for the empty password.
    pub guesses_log10: f64,
    pub pieces: Vec<Piece>,
}

/// How a state of the search was reached: the piece that ends it.
#[derive(Clone, Copy)]
enum Step {
    Match(usize),
    Unmatched(usize),
}

/// A prefix ending at one character, covered by some number of pieces, the last
/// one unmatched or not: the cheapest log10 product and how it was reached.
#[derive(Clone, Copy)]
struct State {
    cost: f64,
    step: Option<Step>,
}

const UNREACHED: State = State {
    cost: f64::INFINITY,
    step: None,
};

/// The cheapest decomposition of `password`, with `user_inputs` as words an attacker
/// tries first and `lists` as further ranked word lists.
pub fn cheapest(password: &str, user_inputs: &[String], lists: &[WordIndex]) -> Decomposition {
    let scored: Zeroizing<String> = Zeroizing::new(password.chars().take(SCORED_CHARS).collect());
    let classes: Vec<u8> = scored.chars().map(class::of).collect();
    let n = classes.len();
    if n == 0 {
        return Decomposition {
            guesses_log10: 0.0,
            pieces: Vec::new(),
        };
    }
    let inputs: HashMap<String, usize> = user_inputs
        .iter()
        .enumerate()
        .map(|(rank, input)| {
            let capped: String = input.chars().take(SCORED_CHARS).collect();
            (capped.to_lowercase(), rank + 1)
        })
        .collect();
    // The built-in common passwords first: `describe` knows them as `Extra(0)`.
    let extra: Vec<&dyn zxcvbn::Ranked> = std::iter::once(&COMMON_PASSWORDS as &dyn zxcvbn::Ranked)
        .chain(lists.iter().map(|l| l as &dyn zxcvbn::Ranked))
        .collect();
    let dictionaries = zxcvbn::Dictionaries {
        user_inputs: &inputs,
        extra: &extra,
    };
    let mut matches = zxcvbn::omnimatch_with(&scored, &dictionaries);
    matches.retain(plausible);
    let mut costs: Vec<f64> = matches
        .iter_mut()
        .map(|m| (zxcvbn::estimate_guesses(m, &scored).max(1) as f64).log10())
        .collect();
    for (m, cost) in matches.iter().zip(costs.iter_mut()) {
        if let MatchPattern::Repeat(repeat) = &m.pattern {
            *cost = repeat_log10(repeat, 1.0, user_inputs, lists);
        }
    }
    repeats_in_any_case(
        &scored,
        &dictionaries,
        user_inputs,
        lists,
        &mut matches,
        &mut costs,
    );
    let (matches, costs) = in_fixed_order(matches, costs);
    let mut by_end: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (index, m) in matches.iter().enumerate() {
        if m.j < n && m.i <= m.j {
            by_end[m.j].push(index);
        }
    }

    // states[(k * (n + 1) + pieces) * 2 + last_unmatched]
    let at = |k: usize, pieces: usize, unmatched: bool| {
        (k * (n + 1) + pieces) * 2 + usize::from(unmatched)
    };
    let mut states = vec![UNREACHED; n * (n + 1) * 2];
    for (k, ending_here) in by_end.iter().enumerate() {
        for &index in ending_here {
            let i = matches[index].i;
            relax(
                &mut states,
                k,
                i,
                costs[index],
                Step::Match(index),
                false,
                n,
                &at,
            );
        }
        let mut mask = 0u8;
        for i in (0..=k).rev() {
            mask |= classes[i];
            let cost = (k - i + 1) as f64 * f64::from(class::size(mask)).log10();
            relax(&mut states, k, i, cost, Step::Unmatched(i), true, n, &at);
        }
    }

    let mut best = (f64::INFINITY, 0, false);
    for pieces in 1..=n {
        for unmatched in [false, true] {
            let total = states[at(n - 1, pieces, unmatched)].cost + log10_factorial(pieces);
            if total < best.0 {
                best = (total, pieces, unmatched);
            }
        }
    }
    // The decomposition that reaches `k` with `pieces` pieces, the last one
    // unmatched or not, from its first piece on.
    let trace = |mut k: usize, mut pieces: usize, mut unmatched: bool| -> Vec<Piece> {
        let mut found = Vec::with_capacity(pieces);
        while let Some(step) = states[at(k, pieces, unmatched)].step {
            let start = match step {
                Step::Match(index) => {
                    found.push(describe(
                        &matches[index].pattern,
                        &matches[index].token,
                        lists,
                    ));
                    matches[index].i
                }
                Step::Unmatched(start) => {
                    let classes = classes[start..=k].iter().fold(0, |all, c| all | c);
                    found.push(Piece::Unmatched {
                        chars: k - start + 1,
                        classes,
                    });
                    start
                }
            };
            if start == 0 {
                break;
            }
            // Which state the piece extended: the cheaper of the two it could have.
            pieces -= 1;
            k = start - 1;
            let matched = states[at(k, pieces, false)].cost;
            let mut unmatched_before = states[at(k, pieces, true)].cost;
            if matches!(step, Step::Unmatched(_)) {
                unmatched_before += LOG10_RUN_CLASS_CHOICES;
            }
            unmatched = unmatched_before < matched;
        }
        found.reverse();
        found
    };
    let (total, pieces, unmatched) = best;
    let mut found = trace(n - 1, pieces, unmatched);
    let mut guesses_log10 = total - log10_same_kind_orderings(&found) - suffix_discount(&found);
    // The usual order searched for, where the cheapest split above did not cut the
    // password there: what carries it, then one piece of digits (a year, a date, a
    // sequence or a run), then a run of symbols (`47!` as one run of 43 characters
    // is cheaper than as two runs in any order, but not than in this one).
    let symbols = classes
        .iter()
        .rev()
        .take_while(|&&c| c == class::SYMBOL)
        .count();
    let digits_end = n - symbols;
    let symbols_cost = match scored.chars().last() {
        Some(last) if symbols == 1 => log10_final_symbol(last),
        _ => symbols as f64 * 33f64.log10(),
    };
    // (log10 of the guesses, where the digits start, the leading pieces, and
    // whether the last of them is unmatched)
    let mut usual: Option<(f64, usize, usize, bool)> = None;
    let first_digit = digits_end
        - classes[..digits_end]
            .iter()
            .skip(1)
            .rev()
            .take_while(|&&c| c == class::DIGIT)
            .count();
    let digit_blocks = DigitBlocks::new(&matches, &costs, first_digit, digits_end);
    let mut start = digits_end;
    while start >= 1 && (start == digits_end || classes[start] == class::DIGIT) {
        if start < digits_end || symbols > 0 {
            let (digits_cost, _) = digit_blocks.from(start, &matches, lists);
            let decor = digits_cost + symbols_cost + 2f64.log10();
            for pieces in 1..=start {
                for unmatched in [false, true] {
                    let total = states[at(start - 1, pieces, unmatched)].cost
                        + log10_factorial(pieces)
                        + decor;
                    if usual.is_none_or(|(best, ..)| total < best) {
                        usual = Some((total, start, pieces, unmatched));
                    }
                }
            }
        }
        start -= 1;
    }
    if let Some((total, start, pieces, unmatched)) = usual {
        let mut leading = trace(start - 1, pieces, unmatched);
        let total = total - log10_same_kind_orderings(&leading);
        if total < guesses_log10 {
            let (_, digits) = digit_blocks.from(start, &matches, lists);
            leading.extend(digits);
            if symbols > 0 {
                leading.push(Piece::Unmatched {
                    chars: symbols,
                    classes: class::SYMBOL,
                });
            }
            found = leading;
            guesses_log10 = total;
        }
    }
    // A word that is the whole password, as typed or lower-cased, would be the
    // password itself in the message: it is described without being named.
    if let [Piece::Word { word, .. }] = found.as_mut_slice()
        && (*word == *scored || *word == scored.to_lowercase())
    {
        word.clear();
    }
    Decomposition {
        guesses_log10,
        pieces: found,
    }
}

/// The symbols people end a password with, most often first: the last character of
/// the passwords in Mark Burnett's most common million that end in a symbol after a
/// letter or a digit (`.` 485 of 1,509, `!` 414, `_` 152, `*` 102, `@` 87 …).
const FINAL_SYMBOLS: &str = ".!_*@-$?#%&;~+^`[]}'";

/// log10 of the guesses for one symbol ending a password in the usual order: its
/// rank among [`FINAL_SYMBOLS`], as attackers try `!` before `=`; any other is
/// priced as the last of all 33.
fn log10_final_symbol(symbol: char) -> f64 {
    let rank = FINAL_SYMBOLS
        .chars()
        .position(|c| c == symbol)
        .map_or(33, |at| at + 1);
    (rank as f64).log10()
}

/// At most this many pieces make the usual order's block of digits (`160280`
/// `1981` is two), which bounds the search for it.
const MAX_DIGIT_PIECES: usize = 3;

/// The usual order's block of digits, which ends where the final symbols start, for
/// each place it could begin: the cheapest way to write the digits from there as
/// pieces zxcvbn found inside them (years, dates, sequences, repeats, keypad runs,
/// listed numbers such as `123`) and runs of ten choices a digit, at most
/// [`MAX_DIGIT_PIECES`] of them, costing the product of their guesses and their
/// orderings: `Aa1602801981$` ends in a date and a year, in either order.
struct DigitBlocks {
    /// Where the digits may begin at the earliest, and where they end.
    first: usize,
    end: usize,
    /// `cover[q - first][k]`: log10 of the cheapest cover of the digits from `q` to
    /// `end` by `k` pieces, where its first piece ends, and that piece's match
    /// (none for a run of digits).
    cover: Vec<[(f64, usize, Option<usize>); MAX_DIGIT_PIECES + 1]>,
}

impl DigitBlocks {
    fn new(matches: &[zxcvbn::Match], costs: &[f64], first: usize, end: usize) -> DigitBlocks {
        let mut by_start: Vec<Vec<usize>> = vec![Vec::new(); end - first];
        for (index, m) in matches.iter().enumerate() {
            if m.i >= first
                && m.i <= m.j
                && m.j < end
                && m.token.bytes().all(|b| b.is_ascii_digit())
            {
                by_start[m.i - first].push(index);
            }
        }
        let none = (f64::INFINITY, end, None);
        let mut cover = vec![[none; MAX_DIGIT_PIECES + 1]; end - first + 1];
        cover[end - first][0] = (0.0, end, None);
        for q in (first..end).rev() {
            for k in 1..=MAX_DIGIT_PIECES {
                let mut best = none;
                for next in q + 1..=end {
                    let rest = cover[next - first][k - 1].0 + (next - q) as f64;
                    if rest < best.0 {
                        best = (rest, next, None);
                    }
                }
                for &index in &by_start[q - first] {
                    let next = matches[index].j + 1;
                    let rest = cover[next - first][k - 1].0 + costs[index];
                    if rest < best.0 {
                        best = (rest, next, Some(index));
                    }
                }
                cover[q - first][k] = best;
            }
        }
        DigitBlocks { first, end, cover }
    }

    /// The block from `start`: log10 of its guesses, and its pieces (none when
    /// `start` is the end).
    fn from(
        &self,
        start: usize,
        matches: &[zxcvbn::Match],
        lists: &[WordIndex],
    ) -> (f64, Vec<Piece>) {
        if start == self.end {
            return (0.0, Vec::new());
        }
        let at = |q: usize| &self.cover[q - self.first];
        let Some(k) = (1..=MAX_DIGIT_PIECES).min_by(|&a, &b| {
            let cost = |k: usize| at(start)[k].0 + log10_factorial(k);
            cost(a).total_cmp(&cost(b))
        }) else {
            return (f64::INFINITY, Vec::new());
        };
        let mut pieces = Vec::with_capacity(k);
        let mut q = start;
        for left in (1..=k).rev() {
            let (_, next, index) = at(q)[left];
            pieces.push(match index {
                Some(index) => describe(&matches[index].pattern, &matches[index].token, lists),
                None => Piece::Unmatched {
                    chars: next - q,
                    classes: class::DIGIT,
                },
            });
            q = next;
        }
        let cost = at(start)[k].0 + log10_factorial(k) - log10_same_kind_orderings(&pieces);
        (cost, pieces)
    }
}

/// The matches in an order that depends only on them. zxcvbn's matchers walk hash
/// maps, so their matches come in another order at every run; the search keeps the
/// first of two pieces that cost the same, and the pieces' kinds, which decide the
/// orderings discounted afterwards, changed with it: `Aa159753123@` cost 10^6.15
/// or 10^6.45 from one run to the next (`123` a listed number, or a sequence).
/// Listed words come first among equals.
fn in_fixed_order(matches: Vec<zxcvbn::Match>, costs: Vec<f64>) -> (Vec<zxcvbn::Match>, Vec<f64>) {
    fn pattern_rank(pattern: &MatchPattern) -> (u8, u8, Option<(&str, bool, bool)>) {
        match pattern {
            MatchPattern::Dictionary(word) => (
                0,
                match word.dictionary_name {
                    DictionaryType::Passwords => 0,
                    DictionaryType::English => 1,
                    DictionaryType::FemaleNames => 2,
                    DictionaryType::MaleNames => 3,
                    DictionaryType::Surnames => 4,
                    DictionaryType::UsTvAndFilm => 5,
                    DictionaryType::UserInputs => 6,
                    DictionaryType::Extra(n) => {
                        7u8.saturating_add(u8::try_from(n).unwrap_or(u8::MAX - 7))
                    }
                },
                Some((word.matched_word.as_str(), word.reversed, word.l33t)),
            ),
            MatchPattern::Spatial(_) => (1, 0, None),
            MatchPattern::Repeat(_) => (2, 0, None),
            MatchPattern::Sequence(_) => (3, 0, None),
            MatchPattern::Regex(_) => (4, 0, None),
            MatchPattern::Date(_) => (5, 0, None),
            MatchPattern::BruteForce => (6, 0, None),
        }
    }
    let mut pairs: Vec<(zxcvbn::Match, f64)> = matches.into_iter().zip(costs).collect();
    pairs.sort_by(|(a, cost_a), (b, cost_b)| {
        (a.i, a.j)
            .cmp(&(b.i, b.j))
            .then(cost_a.total_cmp(cost_b))
            .then_with(|| pattern_rank(&a.pattern).cmp(&pattern_rank(&b.pattern)))
            .then_with(|| a.token.cmp(&b.token))
    });
    pairs.into_iter().unzip()
}

/// Whether a match is one an attacker would build on. zxcvbn finds two-letter words
/// and three-letter words with look-alike characters in almost any random string
/// (`|n` as "in", `SUI7` as "suit"); priced at zxcvbn's floor of 50 guesses, they
/// would make a random 8-character password look like a handful of words.
fn plausible(m: &zxcvbn::Match) -> bool {
    match &m.pattern {
        MatchPattern::Dictionary(word) => {
            let chars = m.token.chars().count();
            chars > 2 && (chars > 3 || !word.l33t)
        }
        _ => true,
    }
}

/// zxcvbn's repeat matcher compares characters exactly, so `Penguinspenguins` is no
/// repeat to it; an attacker's "the word twice" rule is. Repeats of the lower-cased
/// password are added, priced at the repeat's guesses times two for the capitals
/// (capitalised, all capitals or a capital last); other mixes of case are left to
/// the other matches.
fn repeats_in_any_case(
    scored: &str,
    dictionaries: &zxcvbn::Dictionaries<'_>,
    user_inputs: &[String],
    lists: &[WordIndex],
    matches: &mut Vec<zxcvbn::Match>,
    costs: &mut Vec<f64>,
) {
    let lower: Zeroizing<String> = Zeroizing::new(scored.to_lowercase());
    if *lower == scored || lower.chars().count() != scored.chars().count() {
        return;
    }
    for mut m in zxcvbn::omnimatch_with(&lower, dictionaries) {
        let MatchPattern::Repeat(repeat) = &m.pattern else {
            continue;
        };
        let token: String = scored.chars().skip(m.i).take(m.j - m.i + 1).collect();
        let factor = match case_of(&token) {
            Case::Lower => 1.0,
            Case::Capitalised | Case::Capitals | Case::LastCapital => 2.0,
            Case::Mixed => continue,
        };
        let cost = repeat_log10(repeat, factor, user_inputs, lists);
        m.token = token;
        matches.push(m);
        costs.push(cost);
    }
}

/// log10 of a repeat's guesses: its base's guesses, times the repeats and `factor`
/// for the capitals, with the floor for a piece of several characters applied once
/// the capitals are counted (`Aa` is a letter twice, capitalised: 50 guesses). The
/// base costs the cheaper of this estimate of it and zxcvbn's: zxcvbn's adds
/// 10,000 for each piece after the first (`pleasure1`, a word and a digit, cost
/// 10,000 more), while it prices a character no pattern explains at 10 guesses
/// where this estimate prices it by its classes (`fqrg7cs493`).
fn repeat_log10(
    repeat: &zxcvbn::matching::patterns::RepeatPattern,
    factor: f64,
    user_inputs: &[String],
    lists: &[WordIndex],
) -> f64 {
    let ours = cheapest(&repeat.base_token, user_inputs, lists).guesses_log10;
    let base = ours.min((repeat.base_guesses.max(1) as f64).log10());
    (base + (repeat.repeat_count as f64 * factor).log10()).max(MIN_PIECE_GUESSES.log10())
}

/// Whether a piece over `i..=k` costing `cost` makes a cheaper state at `k`.
/// Unmatched pieces may stand side by side, each priced by its own classes, as a
/// mask attack tries `?d?d?d?s` for `190.` rather than every character of 43 in
/// each place; the second of two pays for the choice of its classes among the 15
/// sets of classes (one run over both has that choice in its price).
#[allow(clippy::too_many_arguments)]
fn relax(
    states: &mut [State],
    k: usize,
    i: usize,
    cost: f64,
    step: Step,
    unmatched: bool,
    n: usize,
    at: &impl Fn(usize, usize, bool) -> usize,
) {
    if i == 0 {
        let slot = &mut states[at(k, 1, unmatched)];
        if cost < slot.cost {
            *slot = State {
                cost,
                step: Some(step),
            };
        }
        return;
    }
    for pieces in 1..=i.min(n) {
        let after_match = states[at(i - 1, pieces, false)].cost;
        let after_run = states[at(i - 1, pieces, true)].cost;
        let before = if unmatched {
            after_match.min(after_run + LOG10_RUN_CLASS_CHOICES)
        } else {
            after_match.min(after_run)
        };
        if !before.is_finite() {
            continue;
        }
        let slot = &mut states[at(k, pieces + 1, unmatched)];
        if before + cost < slot.cost {
            *slot = State {
                cost: before + cost,
                step: Some(step),
            };
        }
    }
}

/// How many sets of classes a mask attack chooses from for one run: any non-empty
/// set of lower, upper, digits and symbols.
const LOG10_RUN_CLASS_CHOICES: f64 = 1.176_091_259_055_681_2; // log10(15)

/// The orderings among pieces of the same kind, which pieces! counts but which give
/// no new shape to try: `word word` is one shape whichever word comes first, and
/// the product of the pieces' guesses already counts both. What is left of pieces!
/// is the number of orderings of the kinds, n! / (k₁! k₂! …).
fn log10_same_kind_orderings(pieces: &[Piece]) -> f64 {
    let mut kinds: Vec<(u8, u8)> = pieces.iter().map(kind).collect();
    kinds.sort_unstable();
    kinds
        .chunk_by(|a, b| a == b)
        .map(|same| log10_factorial(same.len()))
        .sum()
}

/// What a password whose pieces stand in the order people most often give them —
/// what carries it, then its digits, then its symbols (`Dolphin` `2024` `!`) —
/// saves against the orderings of all its pieces: attackers try that order first,
/// so it costs the orderings of the leading pieces and one choice of two (that
/// order, or any), and a run of symbols after a run of digits pays nothing for
/// its choice of classes (`?d?d?s` is the mask tried first).
fn suffix_discount(pieces: &[Piece]) -> f64 {
    fn digits(piece: &Piece) -> bool {
        matches!(
            piece,
            Piece::Sequence { digits: true }
                | Piece::Year
                | Piece::Date
                | Piece::Unmatched {
                    classes: class::DIGIT,
                    ..
                }
        )
    }
    fn symbols(piece: &Piece) -> bool {
        matches!(
            piece,
            Piece::Unmatched {
                classes: class::SYMBOL,
                ..
            }
        )
    }
    let core = pieces.len()
        - pieces
            .iter()
            .rev()
            .take_while(|p| digits(p) || symbols(p))
            .count();
    let suffix = &pieces[core..];
    let in_order = suffix.iter().skip_while(|p| digits(p)).all(symbols);
    if core == 0 || suffix.is_empty() || !in_order {
        return 0.0;
    }
    let all = log10_factorial(pieces.len()) - log10_same_kind_orderings(pieces);
    let leading = log10_factorial(core) - log10_same_kind_orderings(&pieces[..core]);
    let run_after_run = suffix
        .windows(2)
        .filter(|pair| matches!(pair, [Piece::Unmatched { .. }, Piece::Unmatched { .. }]))
        .count();
    (all - leading - 2f64.log10()).max(0.0) + run_after_run as f64 * LOG10_RUN_CLASS_CHOICES
}

/// A piece's kind for `log10_same_kind_orderings`: its pattern, and for a word its
/// list, for an unmatched run its classes.
fn kind(piece: &Piece) -> (u8, u8) {
    match piece {
        Piece::Word { list, .. } => (
            0,
            match list {
                WordList::Common | WordList::Password => 0,
                WordList::Name => 1,
                WordList::Surname => 2,
                WordList::Account => 3,
                WordList::Listed(_) => 4,
            },
        ),
        Piece::Keyboard { keypad } => (1, u8::from(*keypad)),
        Piece::Repeat => (2, 0),
        Piece::Sequence { digits } => (3, u8::from(*digits)),
        Piece::Year => (4, 0),
        Piece::Date => (5, 0),
        Piece::Unmatched { classes, .. } => (6, *classes),
    }
}

/// zxcvbn's fewest guesses for a piece of more than one character.
const MIN_PIECE_GUESSES: f64 = 50.0;

fn log10_factorial(n: usize) -> f64 {
    (2..=n).map(|k| (k as f64).log10()).sum()
}

/// A zxcvbn match as a piece, naming only what is not the person's own spelling.
fn describe(pattern: &MatchPattern, token: &str, lists: &[WordIndex]) -> Piece {
    let mut chars = token.chars();
    if let (Some(only), None) = (chars.next(), chars.next()) {
        // One character that zxcvbn read as a word (`!` as a look-alike `i`) says
        // more as what it is.
        return Piece::Unmatched {
            chars: 1,
            classes: class::of(only),
        };
    }
    match pattern {
        MatchPattern::Dictionary(word) => Piece::Word {
            word: word.matched_word.clone(),
            list: match word.dictionary_name {
                DictionaryType::FemaleNames | DictionaryType::MaleNames => WordList::Name,
                DictionaryType::Surnames => WordList::Surname,
                DictionaryType::UserInputs => WordList::Account,
                DictionaryType::Extra(0) => WordList::Password,
                DictionaryType::Extra(n) => {
                    WordList::Listed(lists.get(n - 1).map(|l| l.name.clone()).unwrap_or_default())
                }
                _ => WordList::Common,
            },
            case: case_of(token),
            reversed: word.reversed,
            substituted: word.l33t,
        },
        MatchPattern::Spatial(walk) => Piece::Keyboard {
            keypad: walk.graph.contains("keypad"),
        },
        MatchPattern::Repeat(_) => Piece::Repeat,
        MatchPattern::Sequence(run) => Piece::Sequence {
            digits: run.sequence_name == "digits",
        },
        MatchPattern::Regex(_) => Piece::Year,
        MatchPattern::Date(_) => Piece::Date,
        MatchPattern::BruteForce => Piece::Unmatched {
            chars: token.chars().count(),
            classes: token.chars().fold(0, |all, c| all | class::of(c)),
        },
    }
}

fn case_of(token: &str) -> Case {
    let letters: Vec<bool> = token
        .chars()
        .filter(|c| c.is_alphabetic())
        .map(char::is_uppercase)
        .collect();
    let upper = letters.iter().filter(|&&u| u).count();
    match (upper, letters.first(), letters.last()) {
        (0, _, _) => Case::Lower,
        (n, _, _) if n == letters.len() && n > 1 => Case::Capitals,
        (1, Some(true), _) => Case::Capitalised,
        (1, _, Some(true)) => Case::LastCapital,
        _ => Case::Mixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log10(password: &str) -> f64 {
        cheapest(password, &[], &[]).guesses_log10
    }

    #[test]
    fn the_estimate_is_the_same_at_every_run() {
        // zxcvbn's matches come in the order of hash maps seeded anew for each map:
        // ties between pieces of equal cost were broken differently call by call.
        for password in ["Aa159753123@", "1Q2w3e4r5t1q2w3e4r5t123&"] {
            let first = cheapest(password, &[], &[]);
            for _ in 0..40 {
                assert_eq!(cheapest(password, &[], &[]), first, "{password}");
            }
        }
    }

    #[test]
    fn the_built_in_common_passwords_are_words() {
        // A Russian word typed on a Latin keyboard: in Mark Burnett's list (through
        // Firefox Accounts'), in none of zxcvbn's.
        let found = cheapest("Nhfycajhvth1987!", &[], &[]);
        assert!(found.guesses_log10 < 9.0, "{found:?}");
        assert_eq!(
            found.pieces[0],
            Piece::Word {
                word: "nhfycajhvth".to_owned(),
                list: WordList::Password,
                case: Case::Capitalised,
                reversed: false,
                substituted: false
            }
        );
    }

    #[test]
    fn a_common_word_with_a_year_and_a_symbol_is_cheap() {
        for password in ["Dolphin2024!", "Captain2024!"] {
            let found = cheapest(password, &[], &[]);
            assert!(found.guesses_log10 < 8.0, "{password}: {found:?}");
            assert!(matches!(
                &found.pieces[0],
                Piece::Word {
                    case: Case::Capitalised,
                    ..
                }
            ));
            assert_eq!(found.pieces[1], Piece::Year, "{found:?}");
            assert_eq!(
                found.pieces[2],
                Piece::Unmatched {
                    chars: 1,
                    classes: class::SYMBOL
                }
            );
        }
    }

    #[test]
    fn a_random_run_costs_its_classes_to_the_power_of_its_length() {
        // 95^8 is about 6.6e15; a match found inside it may only lower that a little.
        let random = log10("F5_mK6Vn");
        assert!(random > 14.0, "{random}");
        let letters = cheapest("xqzjv", &[], &[]);
        assert_eq!(letters.pieces.len(), 1, "{letters:?}");
        assert!((letters.guesses_log10 - 5.0 * 26f64.log10()).abs() < 1e-9);
    }

    #[test]
    fn a_symbol_then_letters_are_two_masks() {
        let found = cheapest("?xqzj", &[], &[]);
        assert_eq!(
            found.pieces,
            [
                Piece::Unmatched {
                    chars: 1,
                    classes: class::SYMBOL
                },
                Piece::Unmatched {
                    chars: 4,
                    classes: class::LOWER
                }
            ],
            "{found:?}"
        );
        // 33 · 26^4, the second mask's choice of classes, and two orderings of two
        // kinds: under 59^5, the price of one run over both. (Letters, then the
        // symbol, is the usual order: see the next test.)
        assert!((LOG10_RUN_CLASS_CHOICES - 15f64.log10()).abs() < 1e-12);
        let expected = 4.0 * 26f64.log10() + 33f64.log10() + LOG10_RUN_CLASS_CHOICES + 2f64.log10();
        assert!((found.guesses_log10 - expected).abs() < 1e-9, "{found:?}");
        assert!(found.guesses_log10 < 5.0 * 59f64.log10());
    }

    #[test]
    fn a_letter_twice_in_two_cases_is_floored_once() {
        // `a` twice is 2 × 11 guesses, twice that for the capital: under the floor of
        // 50, which applies once, not before the capital doubles it.
        let found = cheapest("Aa", &[], &[]);
        assert_eq!(found.pieces, [Piece::Repeat], "{found:?}");
        assert!((found.guesses_log10 - MIN_PIECE_GUESSES.log10()).abs() < 1e-9);
    }

    #[test]
    fn a_repeat_costs_its_base_by_this_estimate_without_zxcvbn_s_bonus() {
        // `pleasure1` is a word and a digit; zxcvbn's own guesses for it, as the base
        // of a repeat, add 10,000 for the second piece. Twice, in either case, it
        // costs its base's cheapest decomposition times two (and two for a capital).
        let base = log10("pleasure1");
        let twice = cheapest("pleasure1pleasure1", &[], &[]);
        assert_eq!(twice.pieces, [Piece::Repeat], "{twice:?}");
        assert!(
            (twice.guesses_log10 - (base + 2f64.log10())).abs() < 1e-9,
            "{twice:?} {base}"
        );
        let capitalised = cheapest("Pleasure1pleasure1", &[], &[]);
        assert!(
            (capitalised.guesses_log10 - (base + 4f64.log10())).abs() < 1e-9,
            "{capitalised:?} {base}"
        );
    }

    #[test]
    fn digits_then_symbols_at_the_end_is_the_order_tried_first() {
        let word = log10("dolphin");
        // `!` is the second most common final symbol.
        let (digits, symbol) = (2.0, 2f64.log10());
        // A word, then two digits, then a symbol: one choice of two for the order,
        // and no choice of classes for the symbol's run after the digits' run.
        let usual = cheapest("dolphin47!", &[], &[]);
        assert_eq!(
            usual.pieces[1..],
            [
                Piece::Unmatched {
                    chars: 2,
                    classes: class::DIGIT
                },
                Piece::Unmatched {
                    chars: 1,
                    classes: class::SYMBOL
                }
            ],
            "{usual:?}"
        );
        let expected = word + digits + symbol + 2f64.log10();
        assert!(
            (usual.guesses_log10 - expected).abs() < 1e-9,
            "{usual:?} {expected}"
        );
        // Letters, then a symbol: the same order.
        let letters = cheapest("xqzj?", &[], &[]);
        let expected = 4.0 * 26f64.log10() + 8f64.log10() + 2f64.log10();
        assert!(
            (letters.guesses_log10 - expected).abs() < 1e-9,
            "{letters:?}"
        );
        // The same characters in another order: the cheapest is one run over both
        // classes, and two orders of two pieces.
        let other = cheapest("!47dolphin", &[], &[]);
        let expected = word + 3.0 * 43f64.log10() + 2f64.log10();
        assert!(
            (other.guesses_log10 - expected).abs() < 1e-9,
            "{other:?} {expected}"
        );
        assert!(other.guesses_log10 > usual.guesses_log10 + 1.0);
    }

    #[test]
    fn the_digits_before_the_symbols_may_be_several_pieces() {
        // A date and a year: one block of digits, whose two pieces come in either
        // order. zxcvbn found `160280` only once it kept a date inside another
        // (`2801981`).
        let found = cheapest("Dolphin1602801981$", &[], &[]);
        assert_eq!(
            found.pieces[1..],
            [
                Piece::Date,
                Piece::Year,
                Piece::Unmatched {
                    chars: 1,
                    classes: class::SYMBOL
                }
            ],
            "{found:?}"
        );
        let expected = log10("Dolphin")
            + log10("160280")
            + MIN_PIECE_GUESSES.log10() // a recent year, at zxcvbn's floor for a piece
            + 2f64.log10() // the date and the year in either order
            + 7f64.log10() // `$`, the seventh final symbol
            + 2f64.log10(); // the usual order, or another
        assert!(
            (found.guesses_log10 - expected).abs() < 1e-9,
            "{found:?} {expected}"
        );
    }

    #[test]
    fn a_final_symbol_costs_its_rank_among_those_people_end_with() {
        let base = cheapest("dolphin47", &[], &[]).guesses_log10;
        let with = |password| cheapest(password, &[], &[]).guesses_log10 - base;
        // `.` first, `!` second; `<` is in no one's habits: the last of 33.
        assert!(with("dolphin47.").abs() < 1e-9);
        assert!((with("dolphin47!") - 2f64.log10()).abs() < 1e-9);
        assert!((with("dolphin47<") - 33f64.log10()).abs() < 1e-9);
        // Two symbols are a run of two, each of 33.
        let two = with("dolphin47!<");
        assert!((two - 2.0 * 33f64.log10()).abs() < 1e-9, "{two}");
    }

    #[test]
    fn pieces_of_one_kind_are_not_ordered_twice() {
        // Two common words: the product counts both orders already.
        let both = cheapest("dolphincaptain", &[], &[]);
        let (first, second) = (log10("dolphin"), log10("captain"));
        assert!(
            (both.guesses_log10 - (first + second)).abs() < 1e-9,
            "{both:?} {first} {second}"
        );
    }

    #[test]
    fn trivial_pieces_gain_no_bonus_for_their_number() {
        for password in ["Abcdefgh1!", "Passpass1!", "Qwertyqwerty1!", "P@ssw0rd123!"] {
            assert!(log10(password) < 8.0, "{password}: {}", log10(password));
        }
    }

    #[test]
    fn passphrases_and_long_random_passwords_are_dear() {
        for password in [
            "correct-Horse-battery-staple-9",
            "vX9#qL2!mR7$kT4@",
            "Größe-Käse-Würfel-Straße7",
        ] {
            assert!(log10(password) > 12.0, "{password}: {}", log10(password));
        }
    }

    #[test]
    fn the_account_s_names_are_tried_first() {
        let alone = log10("Wilhelmina1987!");
        let known = cheapest("Wilhelmina1987!", &["wilhelmina".to_owned()], &[]);
        assert!(known.guesses_log10 < alone, "{known:?} vs {alone}");
        assert!(matches!(
            &known.pieces[0],
            Piece::Word {
                list: WordList::Account,
                ..
            }
        ));
    }

    #[test]
    fn a_word_that_is_the_whole_password_is_not_named() {
        let found = cheapest("kettle", &[], &[]);
        assert!(
            matches!(&found.pieces[..], [Piece::Word { word, .. }] if word.is_empty()),
            "{found:?}"
        );
    }

    #[test]
    fn the_empty_password_costs_nothing() {
        assert_eq!(cheapest("", &[], &[]).guesses_log10, 0.0);
    }

    #[test]
    fn case_is_read_from_the_letters() {
        assert_eq!(case_of("dolphin"), Case::Lower);
        assert_eq!(case_of("Dolphin"), Case::Capitalised);
        assert_eq!(case_of("DOLPHIN"), Case::Capitals);
        assert_eq!(case_of("dolphiN"), Case::LastCapital);
        assert_eq!(case_of("dOlPhin"), Case::Mixed);
        assert_eq!(case_of("P@ssw0rd"), Case::Capitalised);
    }
}
