//! Lines that fit the screen: text wrapped at the terminal's width with a hanging
//! indent and never inside a word, and cut with an ellipsis where only one row is
//! allowed. Piped output is left unwrapped, so that a script or `grep` sees one finding
//! on one line.

use std::io::IsTerminal;
use std::os::fd::AsFd;

/// The width a wrapped report may use when standard output is a terminal; `None`
/// when it is not (a pipe, a file), and then nothing is wrapped.
pub fn stdout_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    Some(terminal_width(stdout.as_fd()).unwrap_or_else(columns_or_80))
}

/// The width of the terminal standard error shows on (the login lines): the terminal's
/// own, else `COLUMNS`, else 80.
pub fn stderr_width() -> usize {
    terminal_width(std::io::stderr().as_fd()).unwrap_or_else(columns_or_80)
}

/// The window size the terminal reports for `fd`; none for anything else, or a
/// terminal that says 0 (a serial line that was never told).
fn terminal_width(fd: std::os::fd::BorrowedFd<'_>) -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(fd).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// `COLUMNS` when it holds a sensible width, else 80.
fn columns_or_80() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| (10..=1000).contains(c))
        .unwrap_or(80)
}

/// How many columns `text` takes: one per character (the report's words are
/// Latin; a wide character would only make a row wrap early on the terminal).
pub fn columns(text: &str) -> usize {
    text.chars().count()
}

/// `text` in rows of at most `width` columns: the first row starts after `lead`
/// columns already printed, the others with `hanging` spaces. Words are never cut;
/// a word longer than a row stands on its own. With no width, one row.
pub fn wrap(text: &str, width: Option<usize>, lead: usize, hanging: usize) -> Vec<String> {
    let Some(width) = width else {
        return vec![text.to_owned()];
    };
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = lead;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let need = columns(word);
        if !row.is_empty() && used + 1 + need > width {
            rows.push(std::mem::take(&mut row));
            row.push_str(&" ".repeat(hanging));
            used = hanging;
        } else if !row.is_empty() {
            row.push(' ');
            used += 1;
        }
        row.push_str(word);
        used += need;
    }
    rows.push(row);
    rows
}

/// `text` cut to `width` columns, with an ellipsis where it was cut.
pub fn cut(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_owned();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_break_between_words_with_a_hanging_indent() {
        let rows = wrap("one two three four five six", Some(14), 4, 6);
        assert_eq!(
            rows,
            ["one two", "      three", "      four", "      five six"]
        );
        for (i, row) in rows.iter().enumerate() {
            let lead = if i == 0 { 4 } else { 0 };
            assert!(lead + columns(row) <= 14, "{row:?}");
        }
    }

    #[test]
    fn a_long_word_is_never_cut_and_nothing_is_wrapped_without_a_width() {
        let long = "SHA256:C9YEMBV243T+37gxRiy1kEXCfDP/99yGW2NmvMt69Rw";
        let rows = wrap(&format!("key {long} here"), Some(20), 0, 2);
        assert_eq!(
            rows,
            ["key".to_owned(), format!("  {long}"), "  here".to_owned()]
        );
        assert_eq!(wrap("a b c", None, 10, 2), ["a b c"]);
    }

    #[test]
    fn a_cut_line_ends_with_an_ellipsis_within_the_width() {
        assert_eq!(cut("short", 10), "short");
        let cut = cut("csi-self-check: FAIL ~/.netrc: holds a password", 20);
        assert_eq!(columns(&cut), 20);
        assert!(cut.ends_with('…'));
    }
}
