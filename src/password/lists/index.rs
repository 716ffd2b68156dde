//! A word list compiled into a compact sorted index, and the lookups zxcvbn's
//! dictionary matcher makes in it. The bytes are the same whether the index was
//! read from a file `word-lists import` wrote or compiled from the list in memory,
//! so one reader serves both and checks both alike.
//!
//! ```text
//! offset 0    magic "CSIWLIST", version u32, entries u32, groups u32,
//!             the source's size u64, inode u64, change time (s i64, ns i64),
//!             checksum u64 of every byte from 64 on, zero padding to 64
//! 64          directory: per group of GROUP entries, the u32 offset of its first
//!             entry from the start of the entries
//! E           entries sorted by their bytes: length u8, the lower-cased word,
//!             its rank (1-based position of its first line in the list) u24 LE
//! ```

use std::cmp::Ordering;

use crate::breach::format::checksum;

const MAGIC: [u8; 8] = *b"CSIWLIST";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 64;
/// Entries per directory slot: a lookup reads at most this many after a binary
/// search of the directory.
const GROUP: usize = 32;
/// Longer lines are left out: no password piece of more bytes would be cheaper as a
/// word than as what it is made of.
pub const MAX_WORD_BYTES: usize = 64;
/// Ranks are 3 bytes.
pub const MAX_ENTRIES: usize = (1 << 24) - 1;

/// Where the list an index was compiled from stood: an index is used only while its
/// list is the same file, unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SourceId {
    pub size: u64,
    pub ino: u64,
    pub changed: (i64, i64),
}

impl SourceId {
    pub fn of(meta: &crate::fs::Meta) -> SourceId {
        SourceId {
            size: meta.size,
            ino: meta.ino,
            changed: meta.changed,
        }
    }
}

/// Why an index cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexError {
    /// Not an index of this version.
    Header,
    /// The checksum does not match: a damaged or partial copy.
    Checksum,
    /// The directory or the entries are not as the header says, or out of order.
    Corrupt,
    /// More distinct words than ranks can hold.
    TooManyWords,
}

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexError::Header => write!(f, "not a word-list index of this version"),
            IndexError::Checksum => write!(f, "corrupt: the checksum does not match"),
            IndexError::Corrupt => write!(f, "corrupt: the entries are not as the header says"),
            IndexError::TooManyWords => {
                write!(f, "more than {MAX_ENTRIES} distinct words")
            }
        }
    }
}

impl std::error::Error for IndexError {}

/// Compiles a list, one word or password a line, into index bytes. Lines that are
/// not UTF-8, empty or longer than [`MAX_WORD_BYTES`] are left out; a word's rank is
/// the position of its first line among the lines kept.
pub fn compile(source: &[u8], id: SourceId) -> Result<Vec<u8>, IndexError> {
    let mut words: Vec<(String, u32)> = Vec::new();
    let mut rank = 0u32;
    for line in source.split(|&b| b == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let word = line.trim().to_lowercase();
        if word.is_empty() || word.len() > MAX_WORD_BYTES {
            continue;
        }
        rank = rank.saturating_add(1);
        words.push((word, rank));
    }
    // Sorted by word, then rank: the first of each word is its lowest rank.
    words.sort_unstable();
    words.dedup_by(|later, first| later.0 == first.0);
    if words.len() > MAX_ENTRIES {
        return Err(IndexError::TooManyWords);
    }
    let groups = words.len().div_ceil(GROUP);
    let mut directory = Vec::with_capacity(groups * 4);
    let mut entries = Vec::with_capacity(words.iter().map(|(w, _)| w.len() + 4).sum());
    for (n, (word, rank)) in words.iter().enumerate() {
        if n % GROUP == 0 {
            directory.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        }
        entries.push(word.len() as u8);
        entries.extend_from_slice(word.as_bytes());
        // Past MAX_ENTRIES lines a rank saturates: such a word is no common one.
        entries.extend_from_slice(&(*rank).min(MAX_ENTRIES as u32).to_le_bytes()[..3]);
    }
    let mut bytes = Vec::with_capacity(HEADER_LEN + directory.len() + entries.len());
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(words.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&(groups as u32).to_le_bytes());
    bytes.extend_from_slice(&id.size.to_le_bytes());
    bytes.extend_from_slice(&id.ino.to_le_bytes());
    bytes.extend_from_slice(&id.changed.0.to_le_bytes());
    bytes.extend_from_slice(&id.changed.1.to_le_bytes());
    let sum_at = bytes.len();
    bytes.resize(HEADER_LEN, 0);
    bytes.extend_from_slice(&directory);
    bytes.extend_from_slice(&entries);
    let sum = checksum(&bytes[HEADER_LEN..]);
    bytes[sum_at..sum_at + 8].copy_from_slice(&sum.to_le_bytes());
    Ok(bytes)
}

/// A validated index: every entry was walked once and found in order, so a lookup
/// cannot meet a malformed one.
#[derive(Debug)]
pub struct WordIndex {
    bytes: Vec<u8>,
    words: usize,
    groups: usize,
    entries_at: usize,
    id: SourceId,
    /// The list's file name, for messages.
    pub name: String,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

impl WordIndex {
    pub fn from_bytes(bytes: Vec<u8>, name: String) -> Result<WordIndex, IndexError> {
        if bytes.len() < HEADER_LEN || bytes[..8] != MAGIC || u32_at(&bytes, 8) != Some(VERSION) {
            return Err(IndexError::Header);
        }
        let field = |at| u64_at(&bytes, at).ok_or(IndexError::Header);
        if checksum(&bytes[HEADER_LEN..]) != field(52)? {
            return Err(IndexError::Checksum);
        }
        let entries = u32_at(&bytes, 12).ok_or(IndexError::Header)? as usize;
        let groups = u32_at(&bytes, 16).ok_or(IndexError::Header)? as usize;
        let id = SourceId {
            size: field(20)?,
            ino: field(28)?,
            changed: (field(36)? as i64, field(44)? as i64),
        };
        let entries_at = HEADER_LEN + groups * 4;
        if groups != entries.div_ceil(GROUP) || entries_at > bytes.len() {
            return Err(IndexError::Corrupt);
        }
        let index = WordIndex {
            bytes,
            words: entries,
            groups,
            entries_at,
            id,
            name,
        };
        index.validate(entries)?;
        Ok(index)
    }

    /// The entries are exactly `entries`, strictly increasing, and the directory
    /// points at every GROUP-th.
    fn validate(&self, entries: usize) -> Result<(), IndexError> {
        let mut at = 0;
        let mut previous: Option<&[u8]> = None;
        for n in 0..entries {
            if n % GROUP == 0 && self.group_start(n / GROUP) != Some(at) {
                return Err(IndexError::Corrupt);
            }
            let (word, _, next) = self.entry(at).ok_or(IndexError::Corrupt)?;
            if word.is_empty() || previous.is_some_and(|p| p >= word) {
                return Err(IndexError::Corrupt);
            }
            previous = Some(word);
            at = next;
        }
        if self.entries_at + at != self.bytes.len() {
            return Err(IndexError::Corrupt);
        }
        Ok(())
    }

    /// The list this index was compiled from.
    pub fn source(&self) -> SourceId {
        self.id
    }

    /// How many distinct words it holds.
    pub fn words(&self) -> usize {
        self.words
    }

    /// The index's bytes, to be written to a file.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn group_start(&self, group: usize) -> Option<usize> {
        u32_at(&self.bytes, HEADER_LEN + group * 4).map(|at| at as usize)
    }

    /// The entry at `at` (from the start of the entries): its word, its rank and
    /// where the next one starts.
    fn entry(&self, at: usize) -> Option<(&[u8], usize, usize)> {
        let entries = self.bytes.get(self.entries_at..)?;
        let len = usize::from(*entries.get(at)?);
        let word = entries.get(at + 1..at + 1 + len)?;
        let rank = entries.get(at + 1 + len..at + 4 + len)?;
        let rank = usize::from(rank[0]) | usize::from(rank[1]) << 8 | usize::from(rank[2]) << 16;
        Some((word, rank, at + 4 + len))
    }
}

impl zxcvbn::Ranked for WordIndex {
    fn look_up(&self, word: &str) -> (Option<usize>, bool) {
        let target = word.as_bytes();
        // The last group whose first word is not after the target.
        let (mut low, mut high) = (0, self.groups);
        while low < high {
            let mid = (low + high) / 2;
            let first = self
                .group_start(mid)
                .and_then(|at| self.entry(at))
                .map(|(w, _, _)| w);
            match first.map(|w| w.cmp(target)) {
                Some(Ordering::Greater) => high = mid,
                Some(_) => low = mid + 1,
                None => return (None, false),
            }
        }
        let Some(mut at) = low.checked_sub(1).and_then(|g| self.group_start(g)) else {
            // Before the first word: only a longer word could start with it.
            let first = self.group_start(0).and_then(|at| self.entry(at));
            return (None, first.is_some_and(|(w, _, _)| w.starts_with(target)));
        };
        while let Some((entry, rank, next)) = self.entry(at) {
            match entry.cmp(target) {
                Ordering::Less => at = next,
                Ordering::Equal => {
                    let longer = self
                        .entry(next)
                        .is_some_and(|(w, _, _)| w.starts_with(target));
                    return (Some(rank), longer);
                }
                Ordering::Greater => return (None, entry.starts_with(target)),
            }
        }
        (None, false)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zxcvbn::Ranked;

    fn index(source: &str) -> WordIndex {
        WordIndex::from_bytes(
            compile(source.as_bytes(), SourceId::default()).unwrap(),
            "test".to_owned(),
        )
        .unwrap()
    }

    #[test]
    fn words_are_lower_cased_and_ranked_by_their_first_line() {
        let list = index("Perro\ngato\r\n\n  casa \nperro\ncontraseña\n\u{ff}\n");
        assert_eq!(list.look_up("perro"), (Some(1), false));
        assert_eq!(list.look_up("gato"), (Some(2), false));
        assert_eq!(list.look_up("casa"), (Some(3), false));
        assert_eq!(list.look_up("contraseña"), (Some(5), false));
        assert_eq!(list.look_up("Perro"), (None, false));
        // A prefix of a listed word: not listed, but a longer one may be.
        assert_eq!(list.look_up("contra"), (None, true));
        assert_eq!(list.look_up("ca"), (None, true));
        assert_eq!(list.look_up("zzz"), (None, false));
        assert_eq!(list.look_up("a"), (None, false));
    }

    #[test]
    fn every_word_of_a_long_list_is_found_across_its_groups() {
        let words: Vec<String> = (0..1000).map(|n| format!("w{n:04}")).collect();
        let list = index(&words.join("\n"));
        for (n, word) in words.iter().enumerate() {
            assert_eq!(list.look_up(word).0, Some(n + 1), "{word}");
        }
        assert_eq!(list.look_up("w"), (None, true));
        assert_eq!(list.look_up("w0999x"), (None, false));
    }

    #[test]
    fn an_empty_list_holds_nothing() {
        let list = index("");
        assert_eq!(list.look_up("a"), (None, false));
    }

    #[test]
    fn a_damaged_index_is_refused() {
        let bytes = compile(b"uno\ndos\ntres\n", SourceId::default()).unwrap();
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(
            WordIndex::from_bytes(flipped, String::new()).err(),
            Some(IndexError::Checksum)
        );
        let short = bytes[..bytes.len() - 1].to_vec();
        assert!(WordIndex::from_bytes(short, String::new()).is_err());
        assert_eq!(
            WordIndex::from_bytes(b"CSIBRIDX".repeat(10), String::new()).err(),
            Some(IndexError::Header)
        );
    }
}
