//! The policy is data, not code: the standard's requirements, their levels and the
//! parameters the checks use, compiled in from `policy/default.toml` and overridden by
//! the site's files in `/etc/csi-self-check/` or by a personal file given with
//! `--policy`. Every value remembers where it came from, for `policy show`.

mod load;
pub mod schema;
mod waiver;

#[cfg(test)]
pub use load::builtin;
pub use load::{LoadOptions, load, show_value};
#[cfg(test)]
pub use waiver::KEYS as WAIVER_KEYS;
pub use waiver::Waiver;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::fs::FsError;

/// The built-in default, the standard itself.
pub const BUILTIN: &str = include_str!("../../policy/default.toml");

/// How binding a requirement is, in the standard's own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Must,
    MustNot,
    Should,
    ShouldNot,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Must, Level::MustNot, Level::Should, Level::ShouldNot];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::MustNot => "must-not",
            Level::Should => "should",
            Level::ShouldNot => "should-not",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.as_str() == text)
    }

    /// A failure at this level makes the exit status 1.
    pub fn is_must(self) -> bool {
        matches!(self, Level::Must | Level::MustNot)
    }

    /// The requirement forbids something (`must-not`, `should-not`).
    pub fn is_negative(self) -> bool {
        matches!(self, Level::MustNot | Level::ShouldNot)
    }

    fn strength(self) -> u8 {
        if self.is_must() { 2 } else { 1 }
    }
}

impl Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A policy value, typed by its key's [`schema::ParamKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Level(Level),
    Text(String),
    Flag(bool),
    Number(u64),
    Mode(u32),
    List(Vec<String>),
}

/// Where a value was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File { path: PathBuf, line: usize },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => write!(f, "built-in default"),
            Origin::File { path, line } => {
                write!(f, "{}:{line}", crate::sanitize::display_path(path))
            }
        }
    }
}

/// One effective value and its origin.
#[derive(Clone, Debug)]
pub struct Setting {
    pub value: Value,
    pub origin: Origin,
}

/// The effective policy: every key of every item, each with one value.
#[derive(Clone, Debug)]
pub struct Policy {
    settings: BTreeMap<(&'static str, &'static str), Setting>,
    /// The files applied over the built-in default, in order.
    files: Vec<PathBuf>,
    /// The site's waivers, expired ones included, in the order written.
    waivers: Vec<Waiver>,
}

impl Policy {
    /// The setting for `item.key`. The loader proves every key present (and a test
    /// proves the built-in default complete), so a miss is a programming error.
    pub fn setting(&self, item: &'static str, key: &'static str) -> &Setting {
        self.settings
            .get(&(item, key))
            .unwrap_or_else(|| panic!("policy key {item}.{key} is not in the schema"))
    }

    pub fn level(&self, item: &'static str) -> Level {
        match self.setting(item, "level").value {
            Value::Level(level) => level,
            _ => panic!("policy key {item}.level is not a level"),
        }
    }

    pub fn text(&self, item: &'static str, key: &'static str) -> &str {
        match &self.setting(item, key).value {
            Value::Text(text) => text,
            _ => panic!("policy key {item}.{key} is not text"),
        }
    }

    pub fn flag(&self, item: &'static str, key: &'static str) -> bool {
        match self.setting(item, key).value {
            Value::Flag(flag) => flag,
            _ => panic!("policy key {item}.{key} is not a flag"),
        }
    }

    pub fn number(&self, item: &'static str, key: &'static str) -> u64 {
        match self.setting(item, key).value {
            Value::Number(number) => number,
            _ => panic!("policy key {item}.{key} is not a number"),
        }
    }

    pub fn mode(&self, item: &'static str, key: &'static str) -> u32 {
        match self.setting(item, key).value {
            Value::Mode(mode) => mode,
            _ => panic!("policy key {item}.{key} is not a mode"),
        }
    }

    pub fn list(&self, item: &'static str, key: &'static str) -> &[String] {
        match &self.setting(item, key).value {
            Value::List(list) => list,
            _ => panic!("policy key {item}.{key} is not a list"),
        }
    }

    /// The files applied over the built-in default, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The site's waivers, expired ones included.
    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }
}

/// A policy file that cannot be used: which file, which line, which key, and why —
/// the words, and the filesystem's reason when a file or directory could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    /// What was wrong or being done; may be empty when `cause` says it all.
    pub message: String,
    pub cause: Option<FsError>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy {}", crate::sanitize::display_path(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": `{}`", crate::sanitize::display_str(key))?;
        }
        let cause = self
            .cause
            .as_ref()
            .map(|cause| crate::sanitize::display_str(&cause.to_string()));
        match cause {
            Some(cause) if self.message.is_empty() => write!(f, ": {cause}"),
            Some(cause) => write!(
                f,
                ": {}: {cause}",
                crate::sanitize::display_str(&self.message)
            ),
            None => write!(f, ": {}", crate::sanitize::display_str(&self.message)),
        }
    }
}

impl std::error::Error for PolicyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}
