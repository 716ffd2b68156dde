//! ssh_config(5) read as OpenSSH's `readconf.c` reads it, without running ssh: the
//! user's `~/.ssh/config` and then `/etc/ssh/ssh_config`, each `Include` followed
//! where ssh would follow it, every directive kept with its FILE:LINE and the
//! `Host`/`Match` blocks it sits in. Checks judge the directives; nothing here
//! decides what is risky.
//!
//! A config is hostile input like any file in the home: it is read through the
//! safe layer (no link followed inside the home, no FIFO or device opened, a size
//! bound), and an include loop or an include nested deeper than ssh allows is
//! recorded instead of followed.

mod lex;
mod read;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use lex::split_line;
pub use read::{MAX_LISTED, read_system, read_user};

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::fs::{FsError, Meta};

/// ssh's `READCONF_MAX_DEPTH`: the main file is depth 0, and a file at a greater
/// depth makes ssh stop with "Too many recursive configuration includes".
pub const MAX_DEPTH: usize = 16;

/// The most read of one file. ssh reads any size; a config past a MiB is not one a
/// person wrote, and reading on would let a 10 GB file stall the run.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// A `Host` or `Match` line that a directive sits under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `Host` with its patterns as written (`!` negation, `*`, `?`).
    Host(Vec<String>),
    /// `Match` with its criteria as written; only `all` can be judged without a
    /// connection, so the rest is kept as text.
    Match(String),
}

impl Condition {
    /// Whether it holds for every host: `Host *` (with no negated pattern, which
    /// would exclude some) or `Match all` (after `canonical` or `final`, which only
    /// choose the pass).
    pub fn all_hosts(&self) -> bool {
        match self {
            Condition::Host(patterns) => {
                patterns.iter().any(|p| p == "*") && !patterns.iter().any(|p| p.starts_with('!'))
            }
            Condition::Match(text) => {
                let mut words = text
                    .split_ascii_whitespace()
                    .map(str::to_ascii_lowercase)
                    .filter(|w| w != "canonical" && w != "final");
                words.next().is_some_and(|w| w == "all") && words.next().is_none()
            }
        }
    }

    /// The line as written, for messages (terminal-safe).
    pub fn describe(&self) -> String {
        match self {
            Condition::Host(patterns) => {
                crate::sanitize::display_str(&format!("Host {}", patterns.join(" ")))
            }
            Condition::Match(text) => crate::sanitize::display_str(&format!("Match {text}")),
        }
    }
}

/// Every `Host`/`Match` a directive is under, outermost first: an `Include` inside
/// a block reads the included file under that block, and a block inside the
/// included file narrows it further (ssh's `SSHCONF_NEVERMATCH`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope(pub Vec<Condition>);

impl Scope {
    /// Whether the directive applies to every host.
    pub fn all_hosts(&self) -> bool {
        self.0.iter().all(Condition::all_hosts)
    }

    /// Whether a directive under `self` applies whenever one under `later` does, so
    /// that under ssh's "first obtained value wins" an earlier `self` line leaves
    /// `later` no effect. A `Match` other than `all` is never taken to cover
    /// anything: its `exec` or `localnetwork` may come out differently each time.
    pub fn covers(&self, later: &Scope) -> bool {
        self.0
            .iter()
            .all(|c| c.all_hosts() || matches!(c, Condition::Host(_)) && later.0.contains(c))
    }

    /// "all hosts" or the blocks, for messages.
    pub fn describe(&self) -> String {
        let named: Vec<&Condition> = self.0.iter().filter(|c| !c.all_hosts()).collect();
        if named.is_empty() {
            return match self.0.last() {
                None => "all hosts (it comes before any Host or Match line)".to_owned(),
                Some(c) => format!("all hosts ({})", c.describe()),
            };
        }
        format!("only {}", self.hosts())
    }

    /// "the hosts under `Host a` within `Match b`" (or "all hosts").
    pub fn hosts(&self) -> String {
        let named: Vec<String> = self
            .0
            .iter()
            .filter(|c| !c.all_hosts())
            .map(|c| format!("`{}`", c.describe()))
            .collect();
        if named.is_empty() {
            return "all hosts".to_owned();
        }
        format!("the hosts under {}", named.join(" within "))
    }
}

/// One `Keyword value…` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub file: PathBuf,
    /// 1-based, as ssh counts in its messages.
    pub line: usize,
    /// Lower-cased: ssh matches keywords in any case.
    pub keyword: String,
    /// The arguments with quotes and escapes removed; never empty.
    pub args: Vec<OsString>,
    pub scope: Scope,
    /// Read from the system's configuration (`/etc/ssh`), not the person's.
    pub system: bool,
}

impl Directive {
    /// The first argument, compared the way ssh compares flag values (any case).
    pub fn value_is(&self, word: &str) -> bool {
        self.args
            .first()
            .is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(word.as_bytes()))
    }

    /// The arguments as terminal-safe text.
    pub fn shown_args(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| crate::sanitize::display_bytes(a.as_bytes()))
            .collect();
        args.join(" ")
    }
}

/// A configuration file that was opened and read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadFile {
    pub path: PathBuf,
    pub meta: Meta,
    /// ssh checks its owner and mode (`SSHCONF_CHECKPERM`): the user's main file
    /// and every included file, but not `/etc/ssh/ssh_config` itself.
    pub checked: bool,
    pub system: bool,
}

/// Why a file that ssh would read was not read, or not in full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// The safe layer refused it or the system did (a link inside the home, a FIFO,
    /// permission denied).
    Fs(FsError),
    /// Larger than [`MAX_FILE_BYTES`]; only that much was read.
    Truncated,
    /// It includes itself, directly or through others: ssh would recurse until
    /// "Too many recursive configuration includes" and stop.
    Loop,
    /// Nested deeper than ssh allows; ssh stops there.
    TooDeep,
    /// More files than one run reads (`read::MAX_FILES`); the rest were not read.
    TooMany,
    /// A directory an `Include` wildcard lists holds more names than are read
    /// (`read::MAX_LISTED`); files past them were not read.
    TooManyEntries,
    /// A link in the home that was not followed (see `SafeDir::follow_within`).
    Link(crate::fs::Refusal),
    /// The `Include` argument (as written) is a path ssh would refuse or that cannot
    /// be resolved here (`~user/`, or any `~` in a system file); the skipped path
    /// is then the including file.
    BadPath(String),
}

/// A file ssh would read that was not read, and the `Include` that named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: Unread,
    pub included_from: Option<(PathBuf, usize)>,
}

/// Everything read: directives in ssh's reading order, the files, and what was not
/// read.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub directives: Vec<Directive>,
    pub files: Vec<ReadFile>,
    pub skipped: Vec<Skipped>,
}

impl Config {
    /// Appends `other`, read after this one (the system's file after the user's).
    pub fn extend(&mut self, other: Config) {
        self.directives.extend(other.directives);
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
    }
}

/// Whether `name` matches the glob(3) `pattern` (`*`, `?`, `[…]` with `!` or `^`,
/// `\` escapes). As glob(3) without `GLOB_PERIOD`, a leading `.` must be matched by
/// a literal `.`.
pub fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') && pattern.first() != Some(&b'.') {
        return false;
    }
    lex::fnmatch(pattern, name)
}

/// Whether a path component holds glob(3) magic characters.
pub fn has_magic(component: &[u8]) -> bool {
    component.iter().any(|b| matches!(b, b'*' | b'?' | b'['))
}
