// csi-self-check patch: the lists are sorted at compile time (build.rs) and
// searched by binary search, instead of being hashed into maps at first use.
include!(concat!(env!("OUT_DIR"), "/ranked_lists.rs"));

#[derive(Copy, Clone, Debug, Eq, PartialEq, Hash, Default)]
#[cfg_attr(feature = "ser", derive(serde::Deserialize, serde::Serialize))]
/// The list a dictionary match came from (csi-self-check patch: documented, as it is
/// now public).
pub enum DictionaryType {
    /// Common passwords.
    #[default]
    Passwords,
    /// English words, by their frequency in Wikipedia.
    English,
    /// Female first names.
    FemaleNames,
    /// Male first names.
    MaleNames,
    /// Surnames.
    Surnames,
    /// Words from US television and film.
    UsTvAndFilm,
    /// The caller's `user_inputs`.
    UserInputs,
    /// The caller's n-th further list (csi-self-check patch: `omnimatch_with`).
    Extra(usize),
}

/// One frequency list, sorted by word, with each word's rank (its 1-based position
/// in the list; for a word listed twice, its last position, as the hash map built
/// from the list kept). Public (csi-self-check patch) so that a caller's build
/// script can compile further lists into the same form.
pub struct RankedList {
    /// The words in byte order, one after another.
    text: &'static str,
    /// Where each word ends in `text`.
    ends: &'static [u32],
    ranks: &'static [u32],
    /// `starts[b]`: the first word whose first byte is `b` or more, so that a
    /// search starts among the words sharing the key's first byte.
    starts: [u32; 257],
}

impl RankedList {
    /// A list of `ends.len()` words: `text` holds them in byte order, one after
    /// another, each word ending at its entry of `ends` (on a character boundary),
    /// with its rank at the same place in `ranks`.
    pub const fn new(text: &'static str, ends: &'static [u32], ranks: &'static [u32]) -> Self {
        assert!(ends.len() == ranks.len());
        let bytes = text.as_bytes();
        let mut starts = [0u32; 257];
        let (mut word, mut byte) = (0, 0);
        while byte < 256 {
            while word < ends.len() {
                let start = if word == 0 {
                    0
                } else {
                    ends[word - 1] as usize
                };
                if bytes[start] as usize >= byte {
                    break;
                }
                word += 1;
            }
            starts[byte] = word as u32;
            byte += 1;
        }
        starts[256] = ends.len() as u32;
        RankedList {
            text,
            ends,
            ranks,
            starts,
        }
    }

    #[inline]
    fn word(&self, at: usize) -> &'static str {
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        &self.text[start..self.ends[at] as usize]
    }

    /// The position of the first word not less than `key`: among the words that
    /// start with its first byte, or the first of those after them.
    fn lower_bound(&self, key: &str) -> usize {
        let (mut low, mut high) = match key.as_bytes().first() {
            Some(&first) => (
                self.starts[usize::from(first)] as usize,
                self.starts[usize::from(first) + 1] as usize,
            ),
            None => (0, 0),
        };
        while low < high {
            let mid = (low + high) / 2;
            if self.word(mid) < key {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }
}

impl crate::matching::Ranked for RankedList {
    fn look_up(&self, word: &str) -> (Option<usize>, bool) {
        let at = self.lower_bound(word);
        if at == self.ends.len() {
            return (None, false);
        }
        let found = self.word(at);
        let rank = (found == word).then(|| self.ranks[at] as usize);
        // The words that start with `word` follow it (or are it) in byte order.
        let next = if rank.is_some() {
            self.ends.get(at + 1).map(|_| self.word(at + 1))
        } else {
            Some(found)
        };
        (
            rank,
            next.is_some_and(|next| next.starts_with(word) && next.len() > word.len()),
        )
    }
}

/// zxcvbn's dictionaries, ready from the start.
pub(crate) static RANKED_DICTIONARIES: [(DictionaryType, &RankedList); 6] = [
    (DictionaryType::Passwords, &PASSWORDS_RANKED),
    (DictionaryType::English, &ENGLISH_WIKI_RANKED),
    (DictionaryType::FemaleNames, &FEMALE_NAMES_RANKED),
    (DictionaryType::MaleNames, &MALE_NAMES_RANKED),
    (DictionaryType::Surnames, &SURNAMES_RANKED),
    (DictionaryType::UsTvAndFilm, &US_TV_AND_FILM_RANKED),
];
