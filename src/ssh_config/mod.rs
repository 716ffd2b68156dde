//! ssh_config(5) read as OpenSSH 9.x's `readconf.c` reads it, without running ssh:
//! the user's `~/.ssh/config` and then `/etc/ssh/ssh_config`, each `Include`
//! followed where ssh would follow it, every directive kept with its FILE:LINE and
//! the `Host`/`Match` blocks it sits in, and every line ssh would refuse kept with
//! ssh's reason (`keywords`). `eval` answers which line decides a value for a
//! host, in ssh's two passes; `reach` asks that for every host a config can be
//! about (`hosts`). Checks judge the answers; nothing here decides what is risky.
//!
//! A config is hostile input like any file in the home: it is read through the
//! safe layer (a link followed only to the person's own files, no FIFO or device
//! opened, a size bound), and an include loop or an include nested deeper than
//! ssh allows is recorded instead of followed.

#[cfg(test)]
mod differential_tests;
mod eval;
mod hosts;
mod keywords;
mod lex;
mod matching;
mod reach;
mod read;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub use lex::split_line;
pub use reach::{Reach, Unused, reach, unused};
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

/// One criterion of a `Match` line, as `match_cfg_line` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Criterion {
    All,
    /// Holds only in the second pass (after canonicalization, or when a `final`
    /// anywhere asks for it).
    Canonical,
    /// The same, and its presence anywhere asks for the second pass.
    Final,
    /// Against the HostName as set so far (the alias when none is).
    Host(String),
    /// Against the name given on the command line.
    OriginalHost(String),
    /// Against the remote user (`User`, or the local name).
    User(String),
    LocalUser(String),
    /// Runs a command: not evaluated here, so what it decides "depends on a command".
    Exec(String),
    /// Depends on the network the machine is on: not evaluated either.
    LocalNetwork(String),
}

/// A `Host` or `Match` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `Host` with its patterns as written (`!` negation, `*`, `?`).
    Host(Vec<String>),
    /// `Match` with its criteria, each with whether it is negated.
    Match(Vec<(bool, Criterion)>),
}

/// A `Host` or `Match` line where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub file: PathBuf,
    pub line: usize,
    pub condition: Condition,
    /// The line as written after its keyword, for messages.
    pub text: String,
    /// How many directives were read before it: where it stands among them.
    pub position: usize,
}

impl Block {
    /// The line as written, for messages (terminal-safe).
    pub fn describe(&self) -> String {
        let keyword = match self.condition {
            Condition::Host(_) => "Host",
            Condition::Match(_) => "Match",
        };
        crate::sanitize::display_str(&format!("{keyword} {}", self.text))
    }
}

/// The `Host`/`Match` lines a directive is under, outermost first, as indices into
/// [`Config::blocks`]: an `Include` inside a block reads the included file under
/// that block, and a block inside the included file narrows it further (ssh's
/// `SSHCONF_NEVERMATCH`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope(pub Vec<usize>);

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

/// A line ssh refuses, with its reason in ssh's words: one makes ssh stop with
/// "terminating, N bad configuration options".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Everything read: directives and blocks in ssh's reading order, the files, what
/// was not read, and the lines ssh refuses.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub directives: Vec<Directive>,
    pub blocks: Vec<Block>,
    pub files: Vec<ReadFile>,
    pub skipped: Vec<Skipped>,
    pub faults: Vec<Fault>,
}

impl Config {
    /// Appends `other`, read after this one (the system's file after the user's).
    pub fn extend(&mut self, other: Config) {
        let (blocks, directives) = (self.blocks.len(), self.directives.len());
        self.blocks.extend(other.blocks.into_iter().map(|mut b| {
            b.position += directives;
            b
        }));
        self.directives
            .extend(other.directives.into_iter().map(|mut d| {
                d.scope.0.iter_mut().for_each(|i| *i += blocks);
                d
            }));
        self.files.extend(other.files);
        self.skipped.extend(other.skipped);
        self.faults.extend(other.faults);
    }

    /// "the hosts under `Host a` within `Match b`", or "all hosts" for a directive
    /// before any block.
    pub fn blocks_of(&self, scope: &Scope) -> String {
        let named: Vec<String> = scope
            .0
            .iter()
            .map(|&i| format!("`{}`", self.blocks[i].describe()))
            .collect();
        if named.is_empty() {
            return "all hosts (it comes before any Host or Match line)".to_owned();
        }
        format!("the hosts under {}", named.join(" within "))
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
