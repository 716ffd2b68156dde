//! The standard's composition rules, counted in Unicode characters and classes:
//! `Ä` is an upper-case letter and `ß` a lower-case one, where libpwquality, which
//! counts bytes and asks C's `isupper`, sees neither.

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
    for c in password.chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    const STANDARD: Rules = Rules {
        min_length: 8,
        digit: true,
        lower: true,
        upper: true,
        symbol: true,
        min_score: 3,
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
