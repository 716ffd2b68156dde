//! The four walks of the prefilter must find exactly what a plain search for every word
//! finds, wherever the chunk is cut between them: overlapping words, words at a cut, a
//! chunk shorter than four lines or without any newline.

use super::*;
use crate::plaintext::generated_lines::generated_lines;

/// Every (end, word) pair, by brute force.
fn naive(words: &[&[u8]], haystack: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for end in 0..haystack.len() {
        for (i, w) in words.iter().enumerate() {
            if end + 1 >= w.len() && haystack[..=end].ends_with(w) {
                found.push((end, i));
            }
        }
    }
    found
}

fn walked(prefilter: &Prefilter, haystack: &[u8]) -> Vec<(usize, usize)> {
    let mut ends = Vec::new();
    prefilter.word_ends(haystack, &mut ends);
    assert!(ends.windows(2).all(|w| w[0].at < w[1].at), "in order");
    let mut found: Vec<(usize, usize)> = ends
        .iter()
        .flat_map(|&e| prefilter.words_at(e).iter().map(move |&w| (e.at, w)))
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn walks_find_what_a_plain_search_finds() {
    let words: &[&[u8]] = &[
        b"pass",
        b"password",
        b"sword",
        b"PASS",
        b"://",
        b"curl",
        b"-p",
        b"mysql",
        b"ass",
        b"a",
        b"\xff\xfe",
    ];
    let prefilter = Prefilter::build(words);
    let lines = generated_lines(400);
    let mut haystacks: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\n".to_vec(),
        b"password".to_vec(),
        b"mysql -ppassword\n".to_vec(),
        b"a\na\na\n".to_vec(),
        b"no newline at all: curl https://x password -p".to_vec(),
        b"\n\n\n\n\n\npass".to_vec(),
        vec![b'a'; 1000],
    ];
    for n in [1, 2, 3, 5, 7, 40, 400] {
        haystacks.push(
            lines
                .iter()
                .take(n)
                .flat_map(|l| l.iter().chain(b"\n"))
                .copied()
                .collect(),
        );
    }
    for haystack in &haystacks {
        let mut expected = naive(words, haystack);
        expected.sort_unstable();
        assert_eq!(
            walked(&prefilter, haystack),
            expected,
            "{}",
            String::from_utf8_lossy(haystack)
        );
    }
}

#[test]
fn a_chunk_cut_anywhere_loses_no_word() {
    let words: &[&[u8]] = &[b"secret", b"cret", b"login"];
    let prefilter = Prefilter::build(words);
    let line = b"x secret login\n";
    for lines in 0..12 {
        let haystack: Vec<u8> = line.repeat(lines);
        assert_eq!(walked(&prefilter, &haystack).len(), 3 * lines);
    }
}
