//! The index format and the import, on generated lists whose every entry is known.
#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha1::Digest;

use super::format::{self, Layout, MAX_COUNT};
use super::{ImportError, Index, Options, import, sha1};
use crate::fs::{SafeDir, SafeFile};

/// A deterministic stream of pseudo-random bytes (splitmix64), so a failure repeats.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn hash(&mut self) -> [u8; 20] {
        let mut hash = [0u8; 20];
        for chunk in hash.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        hash
    }
}

fn hex(hash: &[u8; 20]) -> String {
    hash.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

struct Built {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Built {
    fn open(&self) -> Result<Index, String> {
        Index::open(SafeFile::open_named(&self.path).unwrap()).map_err(|e| e.to_string())
    }

    fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }

    /// A copy of the index with `edit` applied, opened.
    fn altered(&self, edit: impl FnOnce(&mut Vec<u8>)) -> Result<Index, String> {
        let mut bytes = self.bytes();
        edit(&mut bytes);
        let path = self.dir.path().join("altered.idx");
        std::fs::write(&path, bytes).unwrap();
        Index::open(SafeFile::open_named(&path).unwrap()).map_err(|e| e.to_string())
    }
}

fn build_with(text: &[u8], memory: u64, prefix_bits: Option<u8>) -> Result<Built, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("pwned.txt");
    std::fs::write(&source, text).unwrap();
    let out = SafeDir::open_root(dir.path()).unwrap();
    import(
        SafeFile::open_named(&source).unwrap(),
        &source,
        &out,
        OsStr::new("breach.idx"),
        &out,
        Options {
            memory,
            now: 1_700_000_000,
            prefix_bits,
        },
    )?;
    let path = dir.path().join("breach.idx");
    Ok(Built { dir, path })
}

fn build(text: &[u8]) -> Built {
    build_with(text, 64 << 20, None).unwrap()
}

/// `n` random entries as the download would list them, and the entries.
fn listing(seed: u64, n: usize) -> (String, Vec<([u8; 20], u32)>) {
    let mut g = Gen(seed);
    let mut text = String::new();
    let mut entries = Vec::new();
    for _ in 0..n {
        let hash = g.hash();
        let count = u32::try_from(g.next() % 100_000).unwrap() + 1;
        writeln!(text, "{}:{count}", hex(&hash)).unwrap();
        entries.push((hash, count));
    }
    (text, entries)
}

#[test]
fn every_entry_is_found_with_its_count_and_nothing_else_is() {
    let (text, entries) = listing(1, 5000);
    let built = build(text.as_bytes());
    let index = built.open().unwrap();
    assert_eq!(index.header().entries, 5000);
    assert_eq!(index.header().source, b"pwned.txt");
    assert_eq!(index.header().built, 1_700_000_000);
    for (hash, count) in &entries {
        assert_eq!(index.lookup(hash).unwrap(), Some(*count), "{}", hex(hash));
    }
    let mut g = Gen(99);
    for _ in 0..2000 {
        assert_eq!(index.lookup(&g.hash()).unwrap(), None);
    }
}

#[test]
fn a_sort_spilled_to_many_runs_makes_the_same_index_as_one_in_memory() {
    // 100 records a run, so 40 runs, and 8,000 lines make 80: the cascade of
    // merges at 64 runs is taken too.
    let memory = 100 * 24 * 10 / 9 + 24;
    for n in [4000, 8000] {
        let (text, _) = listing(2, n);
        let spilled = build_with(text.as_bytes(), memory, None).unwrap();
        let in_memory = build(text.as_bytes());
        assert!(spilled.bytes() == in_memory.bytes(), "{n} entries differ");
    }
}

#[test]
fn the_first_and_last_buckets_work_at_every_prefix_width() {
    let mut edges = Vec::new();
    for first in [[0u8; 20], [0xFF; 20]] {
        edges.push(first);
        let mut near = first;
        near[19] ^= 1;
        edges.push(near);
        let mut next_bucket = first;
        next_bucket[2] ^= 1;
        edges.push(next_bucket);
    }
    let text: String = edges
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{}:{}\n", hex(h), i + 1))
        .collect();
    for bits in [8, 16, 24] {
        let built = build_with(text.as_bytes(), 64 << 20, Some(bits)).unwrap();
        let index = built.open().unwrap();
        for (i, hash) in edges.iter().enumerate() {
            assert_eq!(
                index.lookup(hash).unwrap(),
                Some(u32::try_from(i + 1).unwrap()),
                "bits {bits}, {}",
                hex(hash)
            );
        }
        let mut absent = [0xFF; 20];
        absent[19] = 0xFD;
        assert_eq!(index.lookup(&absent).unwrap(), None);
        assert_eq!(index.lookup(&[0x80; 20]).unwrap(), None);
    }
}

#[test]
fn duplicates_keep_the_highest_count_within_and_across_runs() {
    let (mut text, entries) = listing(3, 300);
    let (dup, _) = entries[7];
    writeln!(text, "{}:5", hex(&dup)).unwrap();
    writeln!(text, "{}:999999", hex(&dup)).unwrap();
    text.insert_str(0, &format!("{}:3\n", hex(&dup)));
    for memory in [100 * 24 * 10 / 9 + 24, 64 << 20] {
        let built = build_with(text.as_bytes(), memory, None).unwrap();
        let index = built.open().unwrap();
        assert_eq!(index.header().entries, 300);
        assert_eq!(index.lookup(&dup).unwrap(), Some(999_999));
    }
}

#[test]
fn crlf_lower_case_a_byte_order_mark_and_blank_lines_are_read() {
    let a = sha1(b"Tr0ub4dor&3x!");
    let b = sha1(b"correct horse");
    let c = sha1(b"zero");
    let text = format!(
        "\u{FEFF}{}:42\r\n\r\n{}:7\r\n{}:0\r\n",
        hex(&a),
        hex(&b).to_lowercase(),
        hex(&c)
    );
    let built = build(text.as_bytes());
    let index = built.open().unwrap();
    assert_eq!(index.lookup(&a).unwrap(), Some(42));
    assert_eq!(index.lookup(&b).unwrap(), Some(7));
    // Count 0 is the range API's padding, not a breach.
    assert_eq!(index.lookup(&c).unwrap(), None);
    assert_eq!(index.header().source_lines, 4);
    // The last line without its newline.
    let built = build(format!("{}:42", hex(&a)).as_bytes());
    assert_eq!(built.open().unwrap().lookup(&a).unwrap(), Some(42));
}

#[test]
fn a_count_too_large_for_three_bytes_is_kept_as_at_least_the_largest() {
    let a = sha1(b"123456");
    let built = build(format!("{}:37359195\n", hex(&a)).as_bytes());
    assert_eq!(built.open().unwrap().lookup(&a).unwrap(), Some(MAX_COUNT));
}

#[test]
fn a_malformed_line_is_an_error_naming_its_number() {
    let good = format!("{}:1\n", hex(&[0x11; 20]));
    for (bad, says) in [
        ("no colon here".to_owned(), "no colon"),
        (format!("{}:1", &hex(&[0x22; 20])[..39]), "40 hex digits"),
        (format!("{}:1", &hex(&[0x22; 20])[..32]), "NTLM"),
        (format!("{}G:1", &hex(&[0x22; 20])[..39]), "40 hex digits"),
        (format!("{}:12x", hex(&[0x22; 20])), "not a whole number"),
        (format!("{}:", hex(&[0x22; 20])), "not a whole number"),
        (
            format!("{}:1{}", hex(&[0x22; 20]), "0".repeat(150)),
            "longer than",
        ),
    ] {
        let text = format!("{good}{good}{bad}\n{good}");
        match build_with(text.as_bytes(), 64 << 20, None) {
            Err(ImportError::Line { line: 3, reason }) => {
                assert!(reason.contains(says), "{bad}: {reason}");
            }
            other => panic!("{bad}: {:?}", other.map(|b| b.path)),
        }
    }
    // A line longer than the read buffer's carry-over, with no newline at all.
    let long = "A".repeat(3 << 20);
    assert!(matches!(
        build_with(long.as_bytes(), 64 << 20, None),
        Err(ImportError::Line { line: 1, .. })
    ));
}

#[test]
fn a_truncated_or_extended_index_is_refused_at_open() {
    let (text, _) = listing(4, 3000);
    let built = build(text.as_bytes());
    let len = built.bytes().len();
    let layout = Layout::new(8, 3000);
    assert_eq!(len as u64, layout.file_len);
    for cut in [
        0,
        100,
        4095,
        4096,
        5000,
        layout.entries_offset as usize + 10,
        layout.sums_offset as usize,
        len - 1,
    ] {
        let error = built.altered(|b| b.truncate(cut)).unwrap_err();
        assert!(error.contains("truncated"), "{cut}: {error}");
    }
    let error = built.altered(|b| b.push(0)).unwrap_err();
    assert!(error.contains("header says"), "{error}");
}

#[test]
fn a_flipped_bit_anywhere_gives_an_error_or_the_right_answer_never_a_wrong_one() {
    let (text, entries) = listing(5, 3000);
    let built = build(text.as_bytes());
    let len = built.bytes().len();
    let mut g = Gen(6);
    let mut positions: Vec<usize> = vec![0, 9, 20, 53, 4000, 4096, 4100, len - 1];
    positions.extend((0..40).map(|_| usize::try_from(g.next()).unwrap() % len));
    for at in positions {
        let Ok(index) = built.altered(|b| b[at] ^= 0x10) else {
            continue;
        };
        let mut errors = 0;
        for (hash, count) in &entries {
            match index.lookup(hash) {
                Ok(found) => assert_eq!(found, Some(*count), "flip at {at}"),
                Err(error) => {
                    assert!(error.to_string().contains("corrupt"), "{error}");
                    errors += 1;
                }
            }
        }
        assert!(errors > 0 || at < 4096, "flip at {at} went unnoticed");
    }
    let error = built.altered(|b| b[30] ^= 1).unwrap_err();
    assert!(error.contains("checksum"), "{error}");
    let error = built.altered(|b| b[0] = b'X').unwrap_err();
    assert!(error.contains("not a csi-self-check"), "{error}");
}

#[test]
fn the_sha1_is_the_standard_one_at_every_padding_length() {
    for len in [0, 1, 13, 55, 56, 63, 64, 65, 119, 120, 200, 512] {
        let input: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let expected: [u8; 20] = sha1::Sha1::digest(&input).into();
        assert_eq!(*super::sha1(&input), expected, "length {len}");
    }
    assert_eq!(
        hex(&super::sha1(b"abc")),
        "A9993E364706816ABA3E25717850C26C9CD0D89D"
    );
}

#[test]
fn the_smallest_layout_is_chosen_and_100_million_fit_in_21_bytes_a_hash() {
    assert_eq!(format::best_prefix_bits(10), 8);
    assert_eq!(format::best_prefix_bits(1_000_000), 16);
    assert_eq!(format::best_prefix_bits(100_000_000), 24);
    let layout = Layout::new(24, 100_000_000);
    assert!(layout.file_len <= 21 * 100_000_000, "{}", layout.file_len);
}

#[test]
fn an_empty_download_makes_an_index_that_finds_nothing() {
    let built = build(b"");
    let index = built.open().unwrap();
    assert_eq!(index.header().entries, 0);
    assert_eq!(index.lookup(&[0; 20]).unwrap(), None);
}

#[test]
fn a_missing_default_index_is_no_index_and_any_other_missing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("nowhere.idx");
    // The system's default index is left to the integration tests, whose runs read
    // an empty system root of their own: here it would be this machine's.
    let paths = [
        super::USER_INDEX.to_owned(),
        other.to_str().unwrap().to_owned(),
    ];
    let lookups = super::look_up(&paths, Some(Path::new(dir.path())), b"pw");
    assert!(lookups.consulted.is_empty());
    assert_eq!(lookups.unusable.len(), 1);
    assert_eq!(lookups.unusable[0].0, other);
    assert!(lookups.unusable[0].1.contains("does not exist"));
}

#[test]
fn a_link_in_the_home_is_not_followed_and_pam_skips_the_home() {
    let (text, _) = listing(7, 10);
    let text = format!("{text}{}:42\n", hex(&sha1(b"pw")));
    let built = build(text.as_bytes());
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".local/share/csi-self-check");
    std::fs::create_dir_all(&dir).unwrap();
    let paths = ["~/.local/share/csi-self-check/breach.idx".to_owned()];
    std::fs::copy(&built.path, dir.join("breach.idx")).unwrap();
    let lookups = super::look_up(&paths, Some(home.path()), b"pw");
    assert_eq!(lookups.consulted[0].count, Some(42));
    assert!(
        super::look_up(&paths, None, b"pw").consulted.is_empty(),
        "the PAM helper read the home"
    );
    std::fs::remove_file(dir.join("breach.idx")).unwrap();
    std::os::unix::fs::symlink(&built.path, dir.join("breach.idx")).unwrap();
    let lookups = super::look_up(&paths, Some(home.path()), b"pw");
    assert!(lookups.consulted.is_empty());
    assert!(
        lookups.unusable[0].1.contains("symbolic link"),
        "{:?}",
        lookups.unusable
    );
}
