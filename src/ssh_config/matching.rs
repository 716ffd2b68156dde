//! ssh's own pattern matching (`match.c`): `Host` patterns by `match_pattern`
//! (`*` and `?`, case as written), `Match host` and friends by
//! `match_pattern_list` (comma-separated, `!` negates, lower-cased). Not glob(3):
//! `[…]` is no class, and a comma in a `Host` pattern is a comma.

/// `match_pattern`: `*` any run of bytes, `?` any one byte, everything else
/// itself. Iterative, with one backtrack point, so a hostile pattern stays linear.
pub fn pattern(s: &[u8], pattern: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < s.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c == s[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((after, from)) => {
                    p = after;
                    n = from + 1;
                    star = Some((after, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// `match_pattern_list`: `Some(true)` when a pattern matches and no negated one
/// does, `Some(false)` when a negated one matches, `None` when none matches.
pub fn pattern_list(s: &str, list: &str, lower: bool) -> Option<bool> {
    let mut positive = false;
    for sub in list.split(',') {
        let (negated, sub) = match sub.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, sub),
        };
        // ssh copies each sub-pattern into 1024 bytes; a longer one matches nothing.
        if sub.len() >= 1023 {
            return None;
        }
        let sub = if lower {
            sub.to_ascii_lowercase()
        } else {
            sub.to_owned()
        };
        if pattern(s.as_bytes(), sub.as_bytes()) {
            if negated {
                return Some(false);
            }
            positive = true;
        }
    }
    positive.then_some(true)
}

/// `match_hostname`: the host lower-cased, the list lower-cased; a positive match
/// with no negated one.
pub fn hostname(host: &str, list: &str) -> bool {
    pattern_list(&host.to_ascii_lowercase(), list, true) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_as_ssh_matches_them() {
        assert!(pattern(b"web1", b"web*"));
        assert!(pattern(b"web1", b"w?b1"));
        assert!(!pattern(b"web1", b"web[12]"), "no character classes");
        assert!(pattern(b"web[12]", b"web[12]"));
        assert!(!pattern(b"web1", b"web1,web2"), "a comma is a comma");
        assert!(!pattern(b"WEB1", b"web1"), "Host is case-sensitive");
        assert!(pattern(b"", b"*"));
        assert!(pattern(b"a.b.c", b"*.*.c"));
        let long = vec![b'a'; 5000];
        assert!(!pattern(&long, b"*a*a*a*a*a*a*a*a*b"));
    }

    #[test]
    fn lists_negate_and_lower_case() {
        assert_eq!(pattern_list("web1", "web*,!web2", true), Some(true));
        assert_eq!(pattern_list("web2", "web*,!web2", true), Some(false));
        assert_eq!(pattern_list("db", "web*", true), None);
        assert_eq!(pattern_list("db", "!web*", true), None, "a lone negation");
        assert!(hostname("Web1.Example.COM", "*.EXAMPLE.com"));
        assert!(!hostname("web2", "web*,!web2"));
    }
}
