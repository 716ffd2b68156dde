//! Unit tests of the engine: every speed-up (the trigger-word prefilter, the `needs`
//! shortcuts, the vectorised newline search) must change only how fast secrets are
//! found, never which; and the rule table must compile.

use super::*;
use crate::plaintext::example_lines::table;
use crate::plaintext::generated_lines::generated_lines;
use crate::plaintext::patterns::grep_pattern;

#[test]
fn every_pattern_compiles() {
    for spec in specs() {
        assert!(
            RegexBuilder::new(&spec.pattern)
                .unicode(false)
                .build()
                .is_ok(),
            "{}",
            spec.pattern
        );
        if let Find::Command { cmd, .. } = spec.find {
            assert!(
                RegexBuilder::new(cmd).unicode(false).build().is_ok(),
                "{cmd}"
            );
        }
    }
    assert!(
        RegexBuilder::new(&grep_pattern())
            .unicode(false)
            .build()
            .is_ok()
    );
    // Forces the LazyLock, whose `expect`s are thus covered too.
    assert!(!ENGINE.rules.is_empty());
}

/// The prefilter never hides a rule that would match: running every rule on every line
/// gives the same result as running only the triggered ones.
#[test]
fn triggers_cover_every_rule() {
    let engine = &*ENGINE;
    let mut scratch = Scratch::new(engine);
    for line in table()
        .into_iter()
        .map(|(l, _)| l)
        .chain(generated_lines(3000))
    {
        let line = strip_cr(&line).to_vec();
        let triggered = find_in_line(&line);
        engine.run(&line, RuleSet::ALL, &mut scratch);
        assert_eq!(
            triggered,
            scratch.hits,
            "{}",
            String::from_utf8_lossy(&line)
        );
    }
}

/// The quick `needs` tests never turn away a line the regex would match.
#[test]
fn needs_are_sound() {
    let mut bare = Engine::build();
    for rule in &mut bare.rules {
        rule.needs.clear();
    }
    let (mut with, mut without) = (Scratch::new(&ENGINE), Scratch::new(&bare));
    for line in table()
        .into_iter()
        .map(|(l, _)| l)
        .chain(generated_lines(3000))
    {
        let line = strip_cr(&line);
        ENGINE.run(line, RuleSet::ALL, &mut with);
        bare.run(line, RuleSet::ALL, &mut without);
        assert_eq!(with.hits, without.hits, "{}", String::from_utf8_lossy(line));
    }
}

#[test]
fn newline_search_agrees_with_the_obvious_one() {
    let mut bytes = [b'a'; 200];
    for at in [0, 1, 31, 32, 33, 63, 64, 100, 167, 168, 199] {
        bytes[at] = b'\n';
        for len in [0, 1, 31, 32, 33, 64, 65, 100, 168, 169, 200] {
            let h = &bytes[..len];
            assert_eq!(first_newline(h), h.iter().position(|&b| b == b'\n'));
            assert_eq!(last_newline(h), h.iter().rposition(|&b| b == b'\n'));
            assert_eq!(count_newlines(h), h.iter().filter(|&&b| b == b'\n').count());
        }
    }
}

/// A need's byte-set shortcut and its search agree with the plain definition: the
/// literal somewhere on the line (ignoring ASCII case for `~`), followed by a byte that
/// is not space for `\S`.
#[test]
fn needs_match_their_definition() {
    let needs = [
        "-p\\S",
        "~-u",
        "~u ",
        "@",
        "~authorization",
        "pass=",
        "~key",
        "é",
        "~Ünï",
    ];
    let lines: &[&[u8]] = &[
        b"",
        b"mysql -p",
        b"mysql -pX",
        b"mysql -p X",
        b"curl -U a:b",
        b"cu -U",
        b"U ",
        b"a@b",
        b"AUTHORIZATION: x",
        b"Authorisation",
        b"mount -o pass=x",
        b"pass =",
        b"KEY",
        b"kEy",
        b"caf\xc3\xa9",
        b"\xc3\x9cn\xc3\xaf",
        b"\xc3\xbcn\xc3\xaf",
        b"-p\t",
    ];
    for need in needs {
        let parsed = Need::parse(need);
        let (ignore_case, rest) = need.strip_prefix('~').map_or((false, need), |r| (true, r));
        let (non_space, literal) = rest
            .strip_suffix("\\S")
            .map_or((false, rest), |l| (true, l));
        let literal = literal.as_bytes();
        for &line in lines {
            let expected = (0..line.len()).any(|i| {
                line.get(i..i + literal.len()).is_some_and(|here| {
                    if ignore_case {
                        here.eq_ignore_ascii_case(literal)
                    } else {
                        here == literal
                    }
                }) && (!non_space
                    || line
                        .get(i + literal.len())
                        .is_some_and(|b| !b.is_ascii_whitespace()))
            });
            let bytes = ByteSet::of(line);
            assert_eq!(
                parsed.found_in(line, &bytes, &bytes.folded()),
                expected,
                "{need} in {}",
                String::from_utf8_lossy(line)
            );
        }
    }
}

#[test]
fn a_byte_set_holds_exactly_the_ascii_bytes_of_its_line() {
    for b in 0..=255u8 {
        let set = ByteSet::of(&[b]);
        for c in 0..=255u8 {
            // Bytes above 127 are never kept, so a set of them is the empty set.
            let held = b == c || c > 127;
            assert_eq!(set.holds(&ByteSet::of(&[c])), held, "{b} holding {c}");
        }
    }
}
