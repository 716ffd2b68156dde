//! File names in a home directory are chosen by whoever could write there. Before a
//! name reaches a terminal, a JSON document or a suggested shell command it goes
//! through here, so that escape sequences, bidi overrides and invalid bytes can
//! neither repaint the screen nor disguise a command.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// True for characters that change how the rest of a line is shown rather than
/// showing themselves: C0 and C1 controls, DEL, bidi overrides and isolates, zero-width
/// characters and line separators.
pub fn is_invisible_or_control(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Text safe for a terminal: invalid UTF-8 becomes `\xNN`, controls and invisible
/// characters become `\u{NNNN}`; everything else is kept.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_invisible_or_control(c) {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

/// A path as terminal-safe text.
pub fn display_path(path: &Path) -> String {
    display_bytes(path.as_os_str().as_bytes())
}

/// A string from a file or the environment, made terminal-safe.
pub fn display_str(text: &str) -> String {
    display_bytes(text.as_bytes())
}

/// A path for JSON: valid UTF-8 is kept as it is (JSON escapes controls itself) and
/// each invalid byte becomes the four characters `\xNN`.
pub fn json_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

/// A word a POSIX shell reads back as exactly `word`: bare when it is made of safe
/// characters, in single quotes when it is printable text, and as bash's `$'…'` with
/// `\xNN` escapes when it holds controls or invalid UTF-8 — so a suggested command
/// never carries a raw control character.
pub fn shell_word(word: &OsStr) -> String {
    let bytes = word.as_bytes();
    let safe = |b: &u8| b.is_ascii_alphanumeric() || b"_./+-@%=:,~".contains(b);
    if !bytes.is_empty() && bytes.iter().all(safe) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(is_invisible_or_control) => {
            format!("'{}'", text.replace('\'', r"'\''"))
        }
        _ => {
            let mut out = String::from("$'");
            for &b in bytes {
                if b.is_ascii_graphic() && b != b'\'' && b != b'\\' || b == b' ' {
                    out.push(b as char);
                } else {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            out.push('\'');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn escapes_never_reach_the_terminal() {
        let shown = display_bytes(b"id_\x1b[31mred\x07");
        assert_eq!(shown, "id_\\u{001B}[31mred\\u{0007}");
        assert!(!shown.contains('\x1b'));
    }

    #[test]
    fn bidi_and_zero_width_are_visible() {
        assert_eq!(display_str("a\u{202E}b\u{200B}c"), "a\\u{202E}b\\u{200B}c");
    }

    #[test]
    fn invalid_utf8_becomes_hex() {
        assert_eq!(display_bytes(b"key\xff\xfe"), "key\\xFF\\xFE");
        let p = Path::new(OsStr::from_bytes(b"/h/\xffkey"));
        assert_eq!(json_path(p), "/h/\\xFFkey");
    }

    #[test]
    fn shell_words_round_trip_safely() {
        assert_eq!(
            shell_word(OsStr::new("/home/a/.ssh/id_rsa")),
            "/home/a/.ssh/id_rsa"
        );
        assert_eq!(shell_word(OsStr::new("/h/my key")), "'/h/my key'");
        assert_eq!(shell_word(OsStr::new("/h/it's")), r"'/h/it'\''s'");
        let nasty = shell_word(OsStr::from_bytes(b"/h/\x1b[2J\xff'"));
        assert_eq!(nasty, r"$'/h/\x1b[2J\xff\x27'");
        assert!(nasty.chars().all(|c| c.is_ascii_graphic()));
    }
}
