//! The standard's composition rules, counted in Unicode characters and classes:
//! `Ä` is an upper-case letter and `ß` a lower-case one, where libpwquality, which
//! counts bytes and asks C's `isupper`, sees neither. Only what a person can see
//! counts: a tab, an escape, a zero-width space or a no-break space is in the
//! password but satisfies no rule, so `Kettleblue42` plus a tab has no symbol.

use super::Rules;

/// A composition rule a password can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Length,
    Digit,
    Lower,
    Upper,
    Symbol,
}

impl Rule {
    /// The finding code.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Length => "password-too-short",
            Rule::Digit => "password-no-digit",
            Rule::Lower => "password-no-lower",
            Rule::Upper => "password-no-upper",
            Rule::Symbol => "password-no-symbol",
        }
    }

    /// What is wrong, as the end of "The password …".
    pub fn describe(self, rules: &Rules) -> String {
        match self {
            Rule::Length => format!("is shorter than {} characters", rules.min_length),
            Rule::Digit => "has no digit".to_owned(),
            Rule::Lower => "has no lower-case letter".to_owned(),
            Rule::Upper => "has no upper-case letter".to_owned(),
            Rule::Symbol => "has no character that is neither a letter nor a digit".to_owned(),
        }
    }
}

/// Every rule `password` breaks, in the standard's order.
pub fn broken_rules(password: &str, rules: &Rules) -> Vec<Rule> {
    let mut length = 0u64;
    let (mut digit, mut lower, mut upper, mut symbol) = (false, false, false, false);
    for c in password.chars().filter(|&c| visible(c)) {
        length += 1;
        // Unicode's Numeric covers every script's digits; Alphabetic with its
        // Lowercase and Uppercase properties covers every script's letters.
        if c.is_numeric() {
            digit = true;
        } else if c.is_alphabetic() {
            lower |= c.is_lowercase();
            upper |= c.is_uppercase();
        } else {
            symbol = true;
        }
    }
    let mut broken = Vec::new();
    let checks = [
        (Rule::Length, length < rules.min_length),
        (Rule::Digit, rules.digit && !digit),
        (Rule::Lower, rules.lower && !lower),
        (Rule::Upper, rules.upper && !upper),
        (Rule::Symbol, rules.symbol && !symbol),
    ];
    for (rule, failed) in checks {
        if failed {
            broken.push(rule);
        }
    }
    broken
}

/// Whether `c` is seen: not a control character (C0, DEL, C1), not a format
/// character (Unicode's Cf: zero-width spaces and joiners, direction marks, the
/// byte-order mark, soft hyphen, tags), not a combining mark that only decorates
/// the letter before it, not a variation selector, and not a space other than the
/// ordinary one (no-break, figure, thin, ideographic, line and paragraph
/// separators).
pub fn visible(c: char) -> bool {
    const INVISIBLE: &[(u32, u32)] = &[
        (0x00A0, 0x00A0), // no-break space
        (0x00AD, 0x00AD), // soft hyphen
        (0x0300, 0x036F), // combining diacritical marks
        (0x034F, 0x034F), // combining grapheme joiner
        (0x0600, 0x0605), // Arabic number signs (Cf)
        (0x061C, 0x061C), // Arabic letter mark
        (0x06DD, 0x06DD),
        (0x070F, 0x070F),
        (0x0890, 0x0891),
        (0x08E2, 0x08E2),
        (0x115F, 0x1160), // Hangul fillers
        (0x1680, 0x1680), // Ogham space mark
        (0x17B4, 0x17B5),
        (0x180B, 0x180F), // Mongolian selectors and vowel separator
        (0x1AB0, 0x1AFF), // combining diacritical marks extended
        (0x1DC0, 0x1DFF), // combining diacritical marks supplement
        (0x2000, 0x200F), // en quad … hair space, zero-width space and joiners, marks
        (0x2028, 0x202F), // line and paragraph separators, embeddings, narrow no-break space
        (0x205F, 0x206F), // medium mathematical space, word joiner, invisible operators
        (0x20D0, 0x20FF), // combining marks for symbols
        (0x3000, 0x3000), // ideographic space
        (0x3164, 0x3164), // Hangul filler
        (0xFE00, 0xFE0F), // variation selectors
        (0xFE20, 0xFE2F), // combining half marks
        (0xFEFF, 0xFEFF), // byte-order mark, zero-width no-break space
        (0xFFA0, 0xFFA0), // halfwidth Hangul filler
        (0xFFF9, 0xFFFB), // interlinear annotation
        (0x110BD, 0x110BD),
        (0x110CD, 0x110CD),
        (0x13430, 0x1343F),
        (0x1BCA0, 0x1BCA3),
        (0x1D173, 0x1D17A),
        (0xE0000, 0xE0FFF), // tags and variation selectors supplement
    ];
    let code = u32::from(c);
    !c.is_control()
        && !INVISIBLE
            .iter()
            .any(|&(from, to)| (from..=to).contains(&code))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STANDARD: Rules = Rules {
        min_length: 8,
        digit: true,
        lower: true,
        upper: true,
        symbol: true,
        min_guesses_log10: 10,
    };

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        assert_eq!(
            broken_rules("kettle", &STANDARD),
            [Rule::Length, Rule::Digit, Rule::Upper, Rule::Symbol]
        );
        assert_eq!(
            broken_rules("", &STANDARD),
            [
                Rule::Length,
                Rule::Digit,
                Rule::Lower,
                Rule::Upper,
                Rule::Symbol
            ]
        );
        assert!(broken_rules("Password1!", &STANDARD).is_empty());
    }

    #[test]
    fn characters_and_classes_are_unicode() {
        // Seven characters but eleven bytes: still too short.
        assert_eq!(broken_rules("Äßé1!xy", &STANDARD), [Rule::Length]);
        // Ä is upper-case, ß lower-case; libpwquality sees neither.
        assert!(broken_rules("Äßcdef1!", &STANDARD).is_empty());
        assert_eq!(broken_rules("ÄÖÜSSSS1!", &STANDARD), [Rule::Lower]);
        // A digit from another script is a digit; a space or an emoji is a symbol.
        assert!(broken_rules("Abcdefg٣ ", &STANDARD).is_empty());
        assert!(broken_rules("Abcdef1🔑", &STANDARD).is_empty());
    }

    #[test]
    fn only_visible_characters_count() {
        // A tab is no symbol: the rule is broken, and the tab adds no length.
        assert_eq!(broken_rules("Kettleblue42\t", &STANDARD), [Rule::Symbol]);
        for invisible in [
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{a0}',
            '\u{200b}',
            '\u{200d}',
            '\u{202f}',
            '\u{2060}',
            '\u{feff}',
            '\u{3000}',
            '\u{e0041}',
            '\u{fe0f}',
            '\u{301}',
        ] {
            let password = format!("Kettleblue42{invisible}");
            assert_eq!(
                broken_rules(&password, &STANDARD),
                [Rule::Symbol],
                "U+{:04X}",
                u32::from(invisible)
            );
            let short = format!("Ab1!{invisible}{invisible}{invisible}{invisible}");
            assert_eq!(broken_rules(&short, &STANDARD), [Rule::Length]);
        }
        // The ordinary space, an emoji and a letter with its accent composed count.
        assert!(broken_rules("Kettle blue42", &STANDARD).is_empty());
        assert!(broken_rules("Kettleblue42🔑", &STANDARD).is_empty());
        assert_eq!(broken_rules("Kettleblué42", &STANDARD), [Rule::Symbol]);
    }

    #[test]
    fn rules_the_policy_drops_are_not_applied() {
        let relaxed = Rules {
            symbol: false,
            upper: false,
            min_length: 4,
            ..STANDARD
        };
        assert!(broken_rules("abc1", &relaxed).is_empty());
    }
}
