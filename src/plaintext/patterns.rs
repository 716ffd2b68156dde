//! Passwords and tokens typed on command lines end up in shell and REPL history files,
//! readable by anything that runs as the user and copied into every backup. This module
//! finds them, one chunk of history at a time, and says exactly which bytes are secret so
//! that a report can show the line with only those bytes masked. The history check and
//! `history --redact` need only what is here; the rules are a table in `rules.rs`, the
//! checks a regex cannot make are in `predicates.rs`, and `engine.rs` runs them fast.

use std::ops::Range;

use super::engine;
use super::rules::specs;

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
    engine::find_in_line(line)
}

/// Scans a chunk of complete lines (separated by b'\n'; a trailing '\r' belongs to the
/// line's end and is never part of a secret) and calls `found(line_index_within_chunk,
/// line_start_offset_in_chunk, &hits)` for every line with at least one hit. Lines with no
/// trigger word cost close to nothing.
pub fn scan_chunk(chunk: &[u8], found: impl FnMut(usize, usize, &[Hit])) {
    engine::scan_chunk(chunk, found);
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
    let mut seen: Vec<String> = Vec::new();
    for spec in specs() {
        if !seen.contains(&spec.ere) {
            seen.push(spec.ere);
        }
    }
    seen.iter()
        .map(|ere| format!("({})", expand_ci(ere)))
        .collect::<Vec<_>>()
        .join("|")
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

#[cfg(test)]
#[path = "patterns_tests.rs"]
pub(super) mod tests;
