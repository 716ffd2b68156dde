//! The text report for people: the problems first, ranked, one entry per file with
//! every problem of that file and the command that fixes each; what passed in a line
//! per policy item; the verdict in words last. Everything that came from the
//! filesystem is sanitised here, whatever the check already did.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use owo_colors::OwoColorize;

use super::Report;
use super::entries;
use super::wrap::wrap;
use crate::checks::{Finding, Status};
use crate::policy::Level;
use crate::sanitize::{display_path, display_str};

/// When to colour, as asked for on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    /// Only on a terminal that wants it.
    Auto,
    Always,
    Never,
}

/// The one decision on colour, for every stream: `Auto` colours only when the
/// stream is a terminal, `NO_COLOR` is unset or empty, and `TERM` is set and not
/// `dumb` (an unset `TERM` says nothing of what the terminal can show).
fn wants_colour(choice: Colour, stream_is_terminal: bool) -> bool {
    match choice {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_none_or(|t| t == "dumb");
            stream_is_terminal && !no_color && !dumb
        }
    }
}

/// Decides once whether to colour, and colours.
#[derive(Clone, Copy, Debug)]
pub struct Painter {
    enabled: bool,
}

impl Painter {
    /// For what goes to standard output.
    pub fn for_stdout(choice: Colour) -> Painter {
        Painter {
            enabled: wants_colour(choice, std::io::stdout().is_terminal()),
        }
    }

    /// For what goes to standard error (the login lines).
    pub fn for_stderr(choice: Colour) -> Painter {
        Painter {
            enabled: wants_colour(choice, std::io::stderr().is_terminal()),
        }
    }

    pub fn red(&self, text: &str) -> String {
        if self.enabled {
            text.red().to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn yellow(&self, text: &str) -> String {
        if self.enabled {
            text.yellow().to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn status(&self, status: Status) -> String {
        let label = format!("{:<6}", status.as_str().to_uppercase());
        if !self.enabled {
            return label;
        }
        match status {
            Status::Fail => label.red().bold().to_string(),
            Status::Error => label.red().to_string(),
            Status::Warn => label.yellow().to_string(),
            Status::Waived => label.blue().to_string(),
            Status::Remind => label.cyan().to_string(),
            Status::Skip => label.dimmed().to_string(),
            Status::Pass => label.green().to_string(),
        }
    }

    pub fn heading(&self, text: &str) -> String {
        if self.enabled {
            text.bold().to_string()
        } else {
            text.to_owned()
        }
    }
}

/// `MUST NOT` and friends, as the standard prints them.
pub fn level_label(level: Level) -> String {
    level.as_str().replace('-', " ").to_uppercase()
}

/// A path under the home shown as `~/…`, terminal-safe.
pub fn short_path(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
        Ok(rest) => format!("~/{}", display_path(rest)),
        Err(_) => display_path(path),
    }
}

/// How the text report is shaped, as the command line asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// `--quiet`: failures and errors only.
    pub quiet: bool,
    /// `--verbose`: every finding, passes and reminders included.
    pub verbose: bool,
    /// The terminal's width to wrap at; `None` for a pipe (no wrapping).
    pub width: Option<usize>,
}

/// The report for people: the problems first, one entry per file, ranked; then
/// one line per policy item for what passed, the reminders in a line, and the verdict
/// in words last.
pub fn report(report: &Report, painter: &Painter, options: TextOptions) -> String {
    let verbose = options.verbose || !report.whole_home;
    let mut out = Out {
        text: String::new(),
        width: options.width,
        painter,
        home: &report.home,
    };
    if !options.quiet {
        let mut policy = String::from("built-in default");
        for file in &report.policy_files {
            let _ = write!(policy, " + {}", display_path(file));
        }
        let header = format!(
            "{} {} — {} ({}), policy: {policy}",
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
            display_str(&report.user),
            display_path(&report.home)
        );
        out.line(0, None, &header);
        out.blank();
    }
    // What --fix changed, said even when quiet: the person's files were touched.
    for change in &report.changes {
        let line = format!(
            "--fix: {} → {} {}",
            crate::fs::perm::octal(change.from),
            crate::fs::perm::octal(change.to),
            short_path(&change.path, &report.home)
        );
        out.line(0, None, &line);
    }
    if !report.changes.is_empty() && !options.quiet {
        out.blank();
    }
    let visible: Vec<&Finding> = report.visible(options.quiet).collect();
    let entries = entries::problems(visible.iter().copied());
    write_entries(&mut out, report, &entries, verbose);
    if options.quiet {
        return out.text;
    }
    if !entries.is_empty() {
        out.blank();
    }
    if verbose {
        write_everything_else(&mut out, report, &visible);
    } else {
        write_collapsed(&mut out, report, &visible);
    }
    out.blank();
    let verdict = verdict(report);
    out.line(0, None, &painter.heading(&verdict));
    out.text
}

/// The text being built, and how it is wrapped.
struct Out<'a> {
    text: String,
    width: Option<usize>,
    painter: &'a Painter,
    home: &'a Path,
}

impl Out<'_> {
    /// One logical line at `indent`: a coloured label (the status word) and the text,
    /// wrapped with continuation rows two columns further in.
    fn line(&mut self, indent: usize, label: Option<Status>, text: &str) {
        let mut lead = indent;
        self.text.push_str(&" ".repeat(indent));
        if let Some(status) = label {
            let _ = write!(self.text, "{} ", self.painter.status(status));
            lead += 7;
        }
        let hanging = if label.is_some() {
            indent + 7
        } else {
            indent + 2
        };
        // A painted text (the verdict) is one row: escapes are not columns.
        let rows = if text.contains('\x1b') {
            vec![text.to_owned()]
        } else {
            wrap(text, self.width, lead, hanging)
        };
        for row in rows {
            let _ = writeln!(self.text, "{row}");
        }
    }

    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    /// Text from a check, terminal-safe, with the home written `~`.
    fn shown(&self, text: &str) -> String {
        tilde(&display_str(text), self.home)
    }
}

/// Paths under the home written as `~/…` where they stand as words of their own, in
/// messages and in the fixes (where `~/` at a word's start means the same to the
/// shell); a home that needs quoting is left alone.
fn tilde(text: &str, home: &Path) -> String {
    let Some(home) = home.to_str() else {
        return text.to_owned();
    };
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"_./+-@%".contains(&b);
    if home.len() < 2 || !home.bytes().all(plain) {
        return text.to_owned();
    }
    let prefix = format!("{}/", home.trim_end_matches('/'));
    let mut shown = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&prefix) {
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, ' ' | '(' | '`' | '"'))
            && (at > 0 || shown.is_empty() || shown.ends_with([' ', '(', '`', '"']));
        shown.push_str(&rest[..at]);
        shown.push_str(if starts_word { "~/" } else { &prefix });
        rest = &rest[at + prefix.len()..];
    }
    shown.push_str(rest);
    shown
}

/// Each problem entry: its heading (status word, file, and the words all its
/// problems open with), each problem on a line with its code, its fix on the next
/// line; a fact several entries share (the filesystem is not encrypted) once,
/// under the last of them.
fn write_entries(
    out: &mut Out<'_>,
    report: &Report,
    entries: &[entries::Entry<'_>],
    verbose: bool,
) {
    let facts = shared_facts(entries);
    for (index, entry) in entries.iter().enumerate() {
        let first = entry.problems[0];
        let messages: Vec<String> = entry
            .problems
            .iter()
            .map(|f| {
                let message = f
                    .at_rest
                    .as_deref()
                    .filter(|fact| facts.iter().any(|(shared, _)| shared == fact))
                    .and_then(|fact| entries::without_fact(&f.message, fact))
                    .unwrap_or_else(|| f.message.clone());
                // The key's fingerprint is in --verbose and the JSON.
                let message = if verbose {
                    message
                } else {
                    entries::without_fingerprint(&message)
                };
                out.shown(&message)
            })
            .collect();
        let borrowed: Vec<&str> = messages.iter().map(String::as_str).collect();
        let (opening, rests) = match entries::common_opening(&borrowed) {
            Some((opening, rests)) => (Some(opening), rests),
            None => (None, borrowed.clone()),
        };
        let place = match entry.place {
            entries::Place::File(path) => short_path(path, &report.home),
            entries::Place::Item(id) => report
                .items
                .get(id)
                .map_or_else(|| id.to_owned(), |(title, _)| display_str(title)),
        };
        let mut heading = out.painter.heading(&place);
        if entry.class() == 2 {
            let _ = write!(heading, " ({})", first.level.as_str());
        }
        if let Some(opening) = opening {
            let _ = write!(heading, ": {opening}");
        }
        // The heading's words are wrapped without their paint, then painted.
        let plain = heading.replace(&out.painter.heading(&place), &place);
        let mut rows = wrap(&plain, out.width, 7, 7).into_iter();
        let _ = write!(out.text, "{} ", out.painter.status(first.status));
        if let Some(row) = rows.next() {
            let row = row.replacen(&place, &out.painter.heading(&place), 1);
            let _ = writeln!(out.text, "{row}");
        }
        for row in rows {
            let _ = writeln!(out.text, "{row}");
        }
        let mut fixes_shown: Vec<String> = Vec::new();
        for (finding, rest) in entry.problems.iter().zip(rests) {
            let tag = tag(finding, first);
            out.line(2, None, &format!("{}{tag}: {rest}", finding.code));
            if let Some(fix) = &finding.fix {
                let fix = out.shown(fix);
                if !fixes_shown.iter().any(|shown| shown.contains(fix.as_str())) {
                    out.line(4, None, &format!("fix: {fix}"));
                    fixes_shown.push(fix);
                }
            }
            if let Some(waiver) = &finding.waiver {
                let text = format!(
                    "waived until {} by {}: {} ({}:{})",
                    display_str(&waiver.expires),
                    display_str(&waiver.granted_by),
                    display_str(&waiver.reason),
                    display_path(&waiver.file),
                    waiver.file_line
                );
                out.line(4, None, &text);
            }
        }
        for (fact, concerned) in &facts {
            if concerned.last() == Some(&index) {
                let contiguous = concerned.windows(2).all(|w| w[1] == w[0] + 1);
                let which = if contiguous {
                    format!("the {} files above", concerned.len())
                } else {
                    let names: Vec<String> = concerned
                        .iter()
                        .filter_map(|i| match entries[*i].place {
                            entries::Place::File(path) => Some(short_path(path, &report.home)),
                            entries::Place::Item(_) => None,
                        })
                        .collect();
                    names.join(", ")
                };
                out.line(2, None, &format!("At rest, {which}: {}", display_str(fact)));
            }
        }
    }
}

/// A problem's level or status when it differs from its entry's most urgent one.
fn tag(finding: &Finding, first: &Finding) -> String {
    if entries::class(finding) == entries::class(first) {
        return String::new();
    }
    match finding.status {
        Status::Fail => format!(" ({})", finding.level.as_str()),
        status => format!(" ({})", status.as_str()),
    }
}

/// The at-rest verdicts that two entries or more state, with the entries (by index)
/// that state them.
fn shared_facts(entries: &[entries::Entry<'_>]) -> Vec<(String, Vec<usize>)> {
    let mut facts: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        for finding in &entry.problems {
            let Some(fact) = &finding.at_rest else {
                continue;
            };
            if entries::without_fact(&finding.message, fact).is_none() {
                continue;
            }
            match facts.iter_mut().find(|(known, _)| known == fact) {
                Some((_, concerned)) if concerned.last() != Some(&index) => concerned.push(index),
                Some(_) => {}
                None => facts.push((fact.clone(), vec![index])),
            }
        }
    }
    facts.retain(|(_, concerned)| concerned.len() > 1);
    facts
}

/// What is not a problem, in few lines: one per policy item for what passed and
/// what was not looked at, the checks' reminders in one line, and the behavioural
/// items' reminders in another.
fn write_collapsed(out: &mut Out<'_>, report: &Report, visible: &[&Finding]) {
    let titled = |id: &str| {
        report
            .items
            .get(id)
            .map_or_else(|| id.to_owned(), |(title, _)| display_str(title))
    };
    let mut items: Vec<&'static str> = visible.iter().map(|f| f.policy).collect();
    items.sort_by_key(|id| entries::item_order(id));
    items.dedup();
    for item in &items {
        let passed: Vec<&&Finding> = visible
            .iter()
            .filter(|f| f.policy == *item && f.status == Status::Pass)
            .collect();
        if !passed.is_empty() {
            let n = passed.len();
            let noun = if passed.iter().all(|f| f.path.is_some()) {
                "file"
            } else {
                "check"
            };
            let (s, they) = if n == 1 { ("", "it") } else { ("s", "they") };
            let text = format!("{}: {n} {noun}{s} as {they} should be", titled(item));
            out.line(0, Some(Status::Pass), &text);
        }
        let skipped = visible
            .iter()
            .filter(|f| f.policy == *item && f.status == Status::Skip)
            .count();
        if skipped > 0 {
            let text = format!(
                "{}: {skipped} not looked at (--verbose says why)",
                titled(item)
            );
            out.line(0, Some(Status::Skip), &text);
        }
    }
    let reminded = |behavioural: bool| {
        visible
            .iter()
            .filter(move |f| f.status == Status::Remind && (f.check == "reminders") == behavioural)
    };
    let mut by_item: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for finding in reminded(false) {
        match by_item.iter_mut().find(|(item, _)| *item == finding.policy) {
            Some((_, codes)) if !codes.contains(&finding.code) => codes.push(finding.code),
            Some(_) => {}
            None => by_item.push((finding.policy, vec![finding.code])),
        }
    }
    if !by_item.is_empty() {
        let each: Vec<String> = by_item
            .iter()
            .map(|(item, codes)| format!("{} ({})", titled(item), codes.join(", ")))
            .collect();
        let text = format!(
            "{}: csi-self-check --verbose, or explain CODE",
            each.join("; ")
        );
        out.line(0, Some(Status::Remind), &text);
    }
    let behavioural = reminded(true).count();
    if behavioural > 0 {
        let s = if behavioural == 1 { "" } else { "s" };
        let text = format!("{behavioural} reminder{s} due: csi-self-check checklist");
        out.line(0, Some(Status::Remind), &text);
    }
}

/// `--verbose`: every finding that is no problem, by policy item, in full.
fn write_everything_else(out: &mut Out<'_>, report: &Report, visible: &[&Finding]) {
    let mut current: Option<&str> = None;
    for finding in visible.iter().filter(|f| entries::class(f).is_none()) {
        if current != Some(finding.policy) {
            current = Some(finding.policy);
            let heading = match report.items.get(finding.policy) {
                Some((title, level)) => format!(
                    "{} [{}, {}]",
                    display_str(title),
                    finding.policy,
                    level.as_str()
                ),
                None => finding.policy.to_owned(),
            };
            out.blank();
            out.line(0, None, &out.painter.heading(&heading));
        }
        let place = finding
            .path
            .as_deref()
            .map(|p| format!("{}: ", short_path(p, &report.home)))
            .unwrap_or_default();
        let message = out.shown(&finding.message);
        // A message that already opens with FILE:LINE (for JSON readers) names it.
        let place = if message.starts_with(place.trim_end_matches(' ')) {
            String::new()
        } else {
            place
        };
        let text = format!("{place}{message} [{}]", finding.code);
        out.line(2, Some(finding.status), &text);
        if let Some(fix) = &finding.fix {
            let fix = out.shown(fix);
            out.line(11, None, &format!("fix: {fix}"));
        }
    }
}

/// The last line: the verdict in words.
fn verdict(report: &Report) -> String {
    let count = |keep: fn(&Finding) -> bool| report.findings.iter().filter(|f| keep(f)).count();
    let must = count(Finding::is_must_failure);
    let errors = count(|f| f.status == Status::Error);
    let lesser = count(|f| matches!(entries::class(f), Some(2 | 3)));
    let reminders = count(|f| f.status == Status::Remind);
    let waived = count(|f| f.status == Status::Waived);
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    // A report on a password judges the password, not the person.
    let (failed, unfinished, passed) = if report.whole_home {
        (
            "Not compliant",
            "Compliance unknown",
            "Compliant with the CSI End User Standards",
        )
    } else {
        (
            "Not acceptable",
            "Not fully judged",
            "Acceptable under the policy",
        )
    };
    // What the site waived is no problem of the person's, but never unsaid: a waiver
    // runs out.
    let waived = if waived > 0 {
        format!(" ({} waived by the site)", plural(waived, "problem"))
    } else {
        String::new()
    };
    let verdict = if must > 0 {
        format!("{failed}: {}", plural(must, "must-level problem"))
    } else if errors > 0 {
        format!("{unfinished}: {} could not finish", plural(errors, "check"))
    } else if lesser > 0 {
        format!(
            "{passed}: no must-level problem, {} above",
            plural(lesser, "lesser one")
        )
    } else if reminders > 0 {
        format!("{passed}: nothing to fix")
    } else {
        format!("{passed}: nothing to do")
    };
    format!("{verdict}{waived}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_home_are_written_with_a_tilde_where_they_are_words() {
        let home = Path::new("/home/a");
        assert_eq!(
            tilde("chmod 600 /home/a/.netrc; see /home/a/x (/home/a/y)", home),
            "chmod 600 ~/.netrc; see ~/x (~/y)"
        );
        // Inside a quoted word, or part of a longer path, it stays.
        assert_eq!(tilde("'/home/a/my key'", home), "'/home/a/my key'");
        assert_eq!(tilde("/srv/home/a/x", home), "/srv/home/a/x");
        assert_eq!(tilde("/home/a/x", Path::new("/home/a b")), "/home/a/x");
    }
}
