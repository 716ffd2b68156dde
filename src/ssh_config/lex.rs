//! One config line split into keyword and arguments exactly as `readconf.c` splits
//! it (`strdelim` for the keyword, `argv_split` for the rest), so that a quote — even
//! around the keyword, which ssh strips — an `=` or a trailing comment means here
//! what it means to ssh.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// Why ssh would reject a line; it reports it and refuses the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineError {
    /// A keyword (lower-cased) with nothing after it.
    NoArgument(String),
    /// A quote that is never closed.
    UnbalancedQuote,
}

impl LineError {
    /// ssh's own words for it (`readconf.c`), after "FILE line N: ".
    pub fn ssh_says(&self) -> String {
        match self {
            LineError::NoArgument(keyword) => format!(
                "no argument after keyword \"{}\"",
                crate::sanitize::display_str(keyword)
            ),
            LineError::UnbalancedQuote => "invalid quotes".to_owned(),
        }
    }
}

/// One config line: its keyword, its arguments as `argv_split` gives them, and the
/// text after the keyword as it stands (`Match` reads its criteria from that with
/// `strdelim`, not from the split arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Lower-cased: ssh matches keywords in any case.
    pub keyword: String,
    pub args: Vec<OsString>,
    pub rest: Vec<u8>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `misc.c: strdelim`: the next token of `s`, ending at whitespace, a quote or (with
/// `split_equals`) one `=`; a token that opens with a quote runs to the next quote.
/// `None` when a quote is never closed. `s` is left after the token and the
/// whitespace (and at most one `=`) that follows it.
pub fn strdelim<'a>(s: &mut &'a [u8], split_equals: bool) -> Option<Vec<u8>> {
    let text: &'a [u8] = s;
    let stop = |b: u8| is_space(b) || b == b'"' || split_equals && b == b'=';
    let Some(at) = text.iter().position(|&b| stop(b)) else {
        *s = &text[text.len()..];
        return Some(text.to_vec());
    };
    if text[at] == b'"' {
        // The quote is removed and the token runs to the next quote.
        let after = &text[at + 1..];
        let close = after.iter().position(|&b| b == b'"')?;
        let mut token = text[..at].to_vec();
        token.extend_from_slice(&after[..close]);
        *s = skip_spaces(&after[close + 1..]);
        return Some(token);
    }
    let token = text[..at].to_vec();
    let equals = split_equals && text[at] == b'=';
    let mut rest = skip_spaces(&text[at + 1..]);
    if split_equals && !equals && rest.first() == Some(&b'=') {
        rest = skip_spaces(&rest[1..]);
    }
    *s = rest;
    Some(token)
}

fn skip_spaces(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The line split as `process_config_line_depth` splits it: `Ok(None)` for a line
/// ssh passes over (blank, a comment, or a keyword whose opening quote is never
/// closed, which ssh reads as no keyword at all).
pub fn split_line(line: &[u8]) -> Result<Option<Line>, LineError> {
    // ssh strips trailing whitespace and form feeds (but never the first byte).
    let mut end = line.len();
    while end > 1 && (is_space(line[end - 1]) || line[end - 1] == b'\x0c') {
        end -= 1;
    }
    let mut s = &line[..end];
    let Some(mut keyword) = strdelim(&mut s, true) else {
        return Ok(None);
    };
    // A line that opens with whitespace gives an empty first token.
    if keyword.is_empty() {
        let Some(next) = strdelim(&mut s, true) else {
            return Ok(None);
        };
        keyword = next;
    }
    if keyword.is_empty() || keyword[0] == b'\n' || keyword[0] == b'#' {
        return Ok(None);
    }
    let keyword = String::from_utf8_lossy(&keyword).to_ascii_lowercase();
    let rest = skip_spaces(s);
    if rest.is_empty() {
        return Err(LineError::NoArgument(keyword));
    }
    let args = argv_split(rest)?;
    Ok(Some(Line {
        keyword,
        args,
        rest: rest.to_vec(),
    }))
}

/// `misc.c: argv_split(s, …, terminate_on_comment = 1)`: words split on blanks,
/// `"…"` and `'…'` quote, a backslash escapes a quote, a backslash or (outside
/// quotes) a space, and a `#` where a word would start ends the line.
fn argv_split(s: &[u8]) -> Result<Vec<OsString>, LineError> {
    let mut args = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if matches!(s[i], b' ' | b'\t') {
            i += 1;
            continue;
        }
        if s[i] == b'#' {
            break;
        }
        let mut arg = Vec::new();
        let mut quote = 0u8;
        while i < s.len() {
            let b = s[i];
            if b == b'\\' {
                match s.get(i + 1) {
                    Some(&next)
                        if next == b'\''
                            || next == b'"'
                            || next == b'\\'
                            || quote == 0 && next == b' ' =>
                    {
                        arg.push(next);
                        i += 1;
                    }
                    _ => arg.push(b),
                }
            } else if quote == 0 && matches!(b, b' ' | b'\t') {
                break;
            } else if quote == 0 && matches!(b, b'"' | b'\'') {
                quote = b;
            } else if quote != 0 && b == quote {
                quote = 0;
            } else {
                arg.push(b);
            }
            i += 1;
        }
        if quote != 0 {
            return Err(LineError::UnbalancedQuote);
        }
        args.push(OsString::from_vec(arg));
    }
    Ok(args)
}

/// fnmatch(3) without flags: `*`, `?`, bracket expressions with ranges and `!`/`^`
/// negation, `\` escapes. Iterative, with one backtrack point for the last `*`, so a
/// hostile pattern cannot make it exponential.
pub fn fnmatch(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, n));
                p += 1;
                continue;
            }
            Some(b'?') => Some(p + 1),
            Some(b'[') => bracket(pattern, p, name[n]),
            Some(b'\\') if p + 1 < pattern.len() => (pattern[p + 1] == name[n]).then_some(p + 2),
            Some(&c) => (c == name[n]).then_some(p + 1),
            None => None,
        };
        match (step, star) {
            (Some(next), _) => {
                p = next;
                n += 1;
            }
            (None, Some((after_star, from))) => {
                p = after_star;
                n = from + 1;
                star = Some((after_star, from + 1));
            }
            (None, None) => return false,
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// A bracket expression at `pattern[open]` against `c`: the index after it when it
/// matches. An unclosed `[` is a literal `[`, as fnmatch treats it.
fn bracket(pattern: &[u8], open: usize, c: u8) -> Option<usize> {
    let mut i = open + 1;
    let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let Some(&lo) = pattern.get(i) else {
            return (c == b'[').then_some(open + 1);
        };
        if lo == b']' && !first {
            break;
        }
        first = false;
        if pattern.get(i + 1) == Some(&b'-') && pattern.get(i + 2).is_some_and(|&b| b != b']') {
            let hi = pattern[i + 2];
            matched |= lo <= c && c <= hi;
            i += 3;
        } else {
            matched |= lo == c;
            i += 1;
        }
    }
    (matched != negate).then_some(i + 1)
}
