//! The cheapest decomposition in the person's terms — "a common word 'dolphin',
//! capitalised, then a year and a symbol" — naming a listed word but never a
//! character of the password itself.

use super::guesses::{Case, Piece, WordList, class};

/// The pieces as one phrase: the first, then the rest joined with "and".
pub fn pieces(pieces: &[Piece]) -> String {
    let phrases: Vec<String> = pieces.iter().map(piece).collect();
    match phrases.as_slice() {
        [] => "empty".to_owned(),
        [only] => only.clone(),
        [first, rest @ ..] => {
            let (last, middle) = rest.split_last().unwrap_or((first, &[]));
            if middle.is_empty() {
                format!("{first}, then {last}")
            } else {
                format!("{first}, then {} and {last}", middle.join(", "))
            }
        }
    }
}

fn piece(piece: &Piece) -> String {
    match piece {
        Piece::Word {
            word,
            list,
            case,
            reversed,
            substituted,
        } => {
            let (what, from) = match list {
                WordList::Common => ("a common word", String::new()),
                WordList::Password => ("a common password", String::new()),
                WordList::Name => ("a common first name", String::new()),
                WordList::Surname => ("a common surname", String::new()),
                WordList::Account => (
                    "a word from your account (login, name or host name)",
                    String::new(),
                ),
                WordList::Listed(name) => (
                    "a word",
                    format!(
                        " from the word list '{}'",
                        crate::sanitize::display_str(name)
                    ),
                ),
            };
            let mut phrase = if word.is_empty() {
                format!("{what}{from}")
            } else {
                format!("{what} '{}'{from}", crate::sanitize::display_str(word))
            };
            let case = match case {
                Case::Lower => None,
                Case::Capitalised => Some("capitalised"),
                Case::Capitals => Some("in capitals"),
                Case::LastCapital => Some("with its last letter a capital"),
                Case::Mixed => Some("in mixed case"),
            };
            let changes = [
                case,
                reversed.then_some("reversed"),
                substituted.then_some("with look-alike characters (such as 0 for o)"),
            ];
            for change in changes.into_iter().flatten() {
                phrase.push_str(", ");
                phrase.push_str(change);
            }
            phrase
        }
        Piece::Keyboard { keypad: false } => "a keyboard pattern".to_owned(),
        Piece::Keyboard { keypad: true } => "a keypad pattern".to_owned(),
        Piece::Repeat => "a repetition".to_owned(),
        Piece::Sequence { digits: true } => "a sequence of digits".to_owned(),
        Piece::Sequence { digits: false } => "a sequence of letters".to_owned(),
        Piece::Year => "a year".to_owned(),
        Piece::Date => "a date".to_owned(),
        Piece::Unmatched { chars, classes } => unmatched(*chars, *classes),
    }
}

/// "a symbol", "3 digits", "5 letters", "7 characters".
fn unmatched(chars: usize, classes: u8) -> String {
    let letters = class::LOWER | class::UPPER;
    let (one, many) = if classes == class::DIGIT {
        ("a digit", "digits")
    } else if classes == class::SYMBOL {
        ("a symbol", "symbols")
    } else if classes & !letters == 0 {
        ("a letter", "letters")
    } else {
        ("a character", "characters")
    };
    if chars == 1 {
        one.to_owned()
    } else {
        format!("{chars} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(word: &str, case: Case) -> Piece {
        Piece::Word {
            word: word.to_owned(),
            list: WordList::Common,
            case,
            reversed: false,
            substituted: false,
        }
    }

    #[test]
    fn pieces_read_as_a_phrase() {
        let symbol = Piece::Unmatched {
            chars: 1,
            classes: class::SYMBOL,
        };
        assert_eq!(
            pieces(&[
                word("dolphin", Case::Capitalised),
                Piece::Year,
                symbol.clone()
            ]),
            "a common word 'dolphin', capitalised, then a year and a symbol"
        );
        assert_eq!(
            pieces(&[word("kettle", Case::Lower), symbol.clone()]),
            "a common word 'kettle', then a symbol"
        );
        assert_eq!(
            pieces(&[
                Piece::Keyboard { keypad: false },
                Piece::Sequence { digits: true },
                Piece::Repeat,
                symbol
            ]),
            "a keyboard pattern, then a sequence of digits, a repetition and a symbol"
        );
        assert_eq!(
            pieces(&[Piece::Unmatched {
                chars: 6,
                classes: class::LOWER | class::DIGIT
            }]),
            "6 characters"
        );
    }
}
