//! Where a secret ends. A rule's regular expression says where a secret starts and
//! what it looks like at the least; the secret itself runs on to whatever ends it in
//! the shell's own quoting, so that a token longer than its documented shape (GitLab's
//! routable `glpat-…` tokens) or a header value with a scheme word nobody listed is
//! masked whole and never shown in part. Both `mask` and `history --redact` take their
//! spans from here, so what the report hides is exactly what redaction removes.

use std::ops::Range;

/// How far a secret reaches past what its rule's regex matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Extend {
    /// The match is the whole secret (a value the rule already took to the end of its
    /// shell word, or one that stops where the format says: `user:pw@host`).
    Exact,
    /// A token: on to the first byte no token holds and that ends a shell word in any
    /// quoting (whitespace, a quote, `;&|()<>`, a backquote or backslash, `,{}[]@`).
    Word,
    /// A header or option value: on to the end of the quoting it stands in — the
    /// closing quote, or the end of the word when it is unquoted.
    Quoted,
}

/// Bytes that end a token wherever it stands.
pub(super) fn ends_word(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'\''
                | b'"'
                | b'`'
                | b';'
                | b'&'
                | b'|'
                | b'('
                | b')'
                | b'<'
                | b'>'
                | b'\\'
                | b','
                | b'{'
                | b'}'
                | b'['
                | b']'
                | b'@'
        )
}

/// The quoting a position of a line stands in, as the shell reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Reads a line's quoting from left to right, once: positions asked for never go back.
struct QuoteScan<'a> {
    line: &'a [u8],
    pos: usize,
    quote: Quote,
}

impl<'a> QuoteScan<'a> {
    fn new(line: &'a [u8]) -> QuoteScan<'a> {
        QuoteScan {
            line,
            pos: 0,
            quote: Quote::None,
        }
    }

    /// The quoting in force at `pos` (which must not be before the last one asked).
    fn at(&mut self, pos: usize) -> Quote {
        while self.pos < pos {
            let Some(&b) = self.line.get(self.pos) else {
                break;
            };
            match (self.quote, b) {
                (Quote::None, b'\'') => self.quote = Quote::Single,
                (Quote::None, b'"') => self.quote = Quote::Double,
                (Quote::Single, b'\'') | (Quote::Double, b'"') => self.quote = Quote::None,
                (Quote::None | Quote::Double, b'\\') => self.pos += 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.quote
    }
}

/// Where a value that starts in `quote` and has been matched up to `from` ends.
fn quoted_end(line: &[u8], from: usize, quote: Quote) -> usize {
    let rest = line.get(from..).unwrap_or_default();
    let found = match quote {
        Quote::None => rest.iter().position(|&b| ends_word(b)),
        Quote::Single => rest.iter().position(|&b| b == b'\''),
        Quote::Double => {
            let mut i = 0;
            loop {
                match rest.get(i) {
                    None => break None,
                    Some(b'\\') => i += 2,
                    Some(b'"') => break Some(i),
                    Some(_) => i += 1,
                }
            }
        }
    };
    found.map_or(line.len(), |i| from + i)
}

/// One step of the shell's quoting over `line[i]`: the next position and quoting.
fn quote_step(line: &[u8], i: usize, quote: Quote) -> (usize, Quote) {
    match (quote, line.get(i)) {
        (Quote::None | Quote::Double, Some(b'\\')) => (i + 2, quote),
        (Quote::None, Some(b'\'')) => (i + 1, Quote::Single),
        (Quote::None, Some(b'"')) => (i + 1, Quote::Double),
        (Quote::Single, Some(b'\'')) | (Quote::Double, Some(b'"')) => (i + 1, Quote::None),
        _ => (i + 1, quote),
    }
}

/// Where a value matched over `start..end` ends when the shell word it stands in
/// goes on through quoting or an escape (`pa\ ss`, `abc"def ghi"`, `'it'\''s x'`):
/// at the end of that word, and so that what is left around the span keeps its
/// quotes balanced (the span ends where the quoting is again what it was at its
/// start). A match that ends at anything else (`user/pw@db`) or at its closing
/// quote is exact.
fn word_rest_end(line: &[u8], start: usize, end: usize, at_start: Quote) -> usize {
    let (mut i, mut quote) = (start, at_start);
    while i < end {
        (i, quote) = quote_step(line, i, quote);
    }
    let escaped = i > end;
    let goes_on = match (quote, line.get(end)) {
        (Quote::None, Some(b'\'' | b'"' | b'\\'))
        | (Quote::Single, Some(b'\''))
        | (Quote::Double, Some(b'"' | b'\\')) => true,
        _ => escaped,
    };
    if !goes_on {
        return end;
    }
    let mut last = end;
    loop {
        if quote == at_start && i >= end {
            last = i;
        }
        let Some(&b) = line.get(i) else { break };
        if quote == Quote::None
            && (b.is_ascii_whitespace()
                || matches!(b, b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' | b'`'))
        {
            break;
        }
        (i, quote) = quote_step(line, i, quote);
    }
    last.min(line.len())
}

/// Takes every span (sorted by start) on to its end as its `Extend` says, in one pass
/// over the line: a span that ends inside one already taken further needs no scan.
pub(super) fn extend_all<T>(line: &[u8], spans: &mut [(Range<usize>, Extend, T)]) {
    let mut quotes = QuoteScan::new(line);
    let mut reach = 0;
    for (span, extend, _) in spans.iter_mut() {
        if span.end <= reach {
            continue;
        }
        let end = match extend {
            Extend::Exact => {
                let quote = quotes.at(span.start);
                word_rest_end(line, span.start, span.end, quote)
            }
            Extend::Word => line
                .get(span.end..)
                .unwrap_or_default()
                .iter()
                .position(|&b| ends_word(b))
                .map_or(line.len(), |i| span.end + i),
            Extend::Quoted => {
                let quote = quotes.at(span.start);
                quoted_end(line, span.end, quote)
            }
        };
        span.end = end.max(span.end).min(line.len());
        reach = reach.max(span.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extended(line: &str, start: usize, end: usize, extend: Extend) -> String {
        let mut spans = [(start..end, extend, ())];
        extend_all(line.as_bytes(), &mut spans);
        line[spans[0].0.clone()].to_owned()
    }

    #[test]
    fn words_end_at_shell_delimiters() {
        assert_eq!(
            extended("x glpat-abc.def y", 2, 9, Extend::Word),
            "glpat-abc.def"
        );
        assert_eq!(
            extended("'{\"k\":\"tok123\"}'", 7, 10, Extend::Word),
            "tok123"
        );
        assert_eq!(extended("a?key=AIzaXYZ&b=1", 6, 9, Extend::Word), "AIzaXYZ");
        assert_eq!(extended("https://u:tok12@h", 10, 12, Extend::Word), "tok12");
        assert_eq!(extended("tok", 0, 2, Extend::Word), "tok");
        assert_eq!(extended("tok", 0, 3, Extend::Exact), "tok");
    }

    #[test]
    fn quoted_values_end_at_their_quote() {
        let line = r#"curl -H 'Authorization: Digest a="b", c=d' -H "X: y\"z w" v"#;
        let start = line.find("Digest").unwrap_or(0) + 7;
        assert_eq!(
            extended(line, start, start + 1, Extend::Quoted),
            r#"a="b", c=d"#
        );
        let start = line.find("y\\").unwrap_or(0);
        assert_eq!(
            extended(line, start, start + 1, Extend::Quoted),
            r#"y\"z w"#
        );
        assert_eq!(extended("k: abc def", 3, 4, Extend::Quoted), "abc");
        // An unclosed quote runs to the end of the line.
        assert_eq!(extended("'k: abc def", 4, 5, Extend::Quoted), "abc def");
    }

    #[test]
    fn an_exact_value_runs_on_through_the_quoting_of_its_word() {
        let cases = [
            // (line, the value as matched, the span masked)
            (
                "mysql --password=my\\ secret\\ pass db",
                "my\\",
                "my\\ secret\\ pass",
            ),
            ("export API_TOKEN=abc\"def ghi\"", "abc", "abc\"def ghi\""),
            ("PGPASSWORD=abc\\ def psql", "abc\\", "abc\\ def"),
            (
                "mysql --password='it'\\''s secret' db",
                "it",
                "it'\\''s secret",
            ),
            // Exact where the word ends or the format stops it.
            ("mysql --password='pw' db", "pw", "pw"),
            ("sqlplus u/pw@db", "pw", "pw"),
            ("curl -d '{\"password\":\"pw\"}' x", "pw", "pw"),
        ];
        for (line, value, masked) in cases {
            let start = line.find(value).unwrap_or(0);
            assert_eq!(
                extended(line, start, start + value.len(), Extend::Exact),
                masked,
                "{line}"
            );
        }
    }

    #[test]
    fn one_pass_over_many_spans() {
        let line = "'a b' x y 'c d'";
        let mut spans = [
            (1..2, Extend::Quoted, ()),
            (3..4, Extend::Quoted, ()),
            (6..7, Extend::Quoted, ()),
            (11..12, Extend::Quoted, ()),
        ];
        extend_all(line.as_bytes(), &mut spans);
        let got: Vec<&str> = spans.iter().map(|(r, _, _)| &line[r.clone()]).collect();
        assert_eq!(got, ["a b", "b", "x", "c d"]);
    }
}
