//! One config line split into keyword and arguments exactly as `readconf.c` splits
//! it (`strdelim` for the keyword, `argv_split` for the rest), so that a quote, an
//! `=` or a trailing comment means here what it means to ssh.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

/// Why ssh would reject a line; it reports it and refuses the whole file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineError {
    /// A keyword with nothing after it.
    NoArgument,
    /// A quote that is never closed.
    UnbalancedQuote,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `Some((keyword in lower case, arguments))`, or `None` for a blank or comment line.
pub fn split_line(line: &[u8]) -> Result<Option<(String, Vec<OsString>)>, LineError> {
    // ssh strips trailing whitespace and form feeds, then leading whitespace.
    let mut end = line.len();
    while end > 0 && (is_space(line[end - 1]) || line[end - 1] == b'\x0c') {
        end -= 1;
    }
    let line = &line[..end];
    let start = line
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(line.len());
    let mut line = &line[start..];
    // ssh's first word of `=ForwardAgent yes` is empty, and then it takes the
    // keyword from what follows the `=` (readconf.c: "Ignore leading whitespace"):
    // the directive counts.
    if let Some(after) = line.strip_prefix(b"=") {
        line = trim_start(after);
    }
    if line.is_empty() || line[0] == b'#' {
        return Ok(None);
    }
    // The keyword ends at whitespace or the first `=`; after it, whitespace and at
    // most one `=` (so `Keyword = value` and `Keyword=value` both work). A quoted
    // keyword (`"ForwardAgent" yes`) is what is between the quotes, as for ssh.
    let (keyword, mut rest) = match line.strip_prefix(b"\"") {
        Some(quoted) => match quoted.iter().position(|&b| b == b'"') {
            Some(close) => (&quoted[..close], &quoted[close + 1..]),
            // ssh drops a line whose keyword's quote is never closed.
            None => return Ok(None),
        },
        None => {
            let key_end = line
                .iter()
                .position(|&b| is_space(b) || b == b'=' || b == b'"')
                .unwrap_or(line.len());
            (&line[..key_end], &line[key_end..])
        }
    };
    // An empty keyword (`= =x`, `"" x`): ssh ignores the line.
    if keyword.is_empty() {
        return Ok(None);
    }
    let keyword = String::from_utf8_lossy(keyword).to_ascii_lowercase();
    rest = trim_start(rest);
    if let Some(after) = rest.strip_prefix(b"=") {
        rest = trim_start(after);
    }
    if rest.is_empty() {
        return Err(LineError::NoArgument);
    }
    let args = argv_split(rest)?;
    if args.is_empty() {
        // Only a comment after the keyword.
        return Err(LineError::NoArgument);
    }
    Ok(Some((keyword, args)))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
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
