//! Reading rc files as a shell would read them, without running them: each file
//! bounded and never through a link below the home, its lines with their
//! FILE:LINE, the assignments a line makes, and the variables known so far, for
//! expanding the paths that HISTFILE and ZDOTDIR name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{Origin, Sourced};
use crate::fs::SafeDir;
use crate::sanitize::display_path;

/// The rc files read so far, for reading more and for telling whether the hook's
/// record is older than one of them.
pub(super) struct RcFiles<'h> {
    pub(super) home: &'h SafeDir,
    /// Each file read and its change time (seconds, nanoseconds).
    read: Vec<(PathBuf, (i64, i64))>,
}

impl<'h> RcFiles<'h> {
    pub(super) fn new(home: &'h SafeDir) -> RcFiles<'h> {
        RcFiles {
            home,
            read: Vec::new(),
        }
    }

    /// Bounded read of an rc file; a link or non-regular file is not read.
    pub(super) fn read(&mut self, path: &Path) -> Option<Vec<u8>> {
        let (dir, name) = self.home.parent_of(path)?;
        let meta = dir.lstat(name).ok()?;
        let mut file = dir.open_file(name, &meta).ok()?;
        let bytes = file.read_prefix(1 << 20).ok()?.to_vec();
        self.read.push((path.to_owned(), file.meta().changed));
        Some(bytes)
    }

    pub(super) fn exists(&self, path: &Path) -> bool {
        self.home
            .parent_of(path)
            .is_some_and(|(dir, name)| dir.lstat(name).is_ok())
    }

    /// The lines of one file, each with its origin; blank and comment lines left out.
    pub(super) fn lines(&mut self, path: &Path) -> Vec<(Origin, String)> {
        let Some(text) = self.read(path) else {
            return Vec::new();
        };
        String::from_utf8_lossy(&text)
            .lines()
            .enumerate()
            .map(|(number, line)| (number + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .map(|(number, line)| {
                (
                    Origin::File(format!("{}:{number}", display_path(path))),
                    line.to_owned(),
                )
            })
            .collect()
    }

    /// The first file read that changed after `moment`.
    pub(super) fn changed_after(&self, moment: (i64, i64)) -> Option<PathBuf> {
        self.read
            .iter()
            .find(|(_, changed)| *changed > moment)
            .map(|(path, _)| path.clone())
    }
}

/// `/etc/profile.d/*.sh` and the like: the files of a directory with a suffix, in
/// name order.
pub(super) fn dir_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(open) = SafeDir::open_root(dir) else {
        return Vec::new();
    };
    let Ok((mut names, _)) = open.entries(10_000) else {
        return Vec::new();
    };
    names.sort();
    names
        .into_iter()
        .filter(|n| n.to_string_lossy().ends_with(suffix))
        .map(|n| dir.join(n))
        .collect()
}

/// Shell variables known while reading, for expanding paths: HOME, and whatever the
/// rc files assigned so far.
pub(super) struct Vars(pub(super) HashMap<String, String>);

impl Vars {
    pub(super) fn new(home: &Path) -> Vars {
        let mut vars = HashMap::new();
        vars.insert("HOME".to_owned(), display_path(home));
        Vars(vars)
    }

    pub(super) fn set(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => {
                let expanded = self.expand(value).unwrap_or_else(|| value.to_owned());
                self.0.insert(name.to_owned(), expanded);
            }
            None => {
                self.0.remove(name);
            }
        }
    }

    /// The assignments of one rc line, each applied to the variables and returned
    /// with where it was made; an `unset` comes back as an empty value.
    pub(super) fn apply(&mut self, line: &str, here: &Origin) -> Vec<(String, Sourced)> {
        assignments(line)
            .into_iter()
            .map(|(name, value)| {
                self.set(&name, value.as_deref());
                let sourced = Sourced {
                    value: value.unwrap_or_default(),
                    origin: here.clone(),
                };
                (name, sourced)
            })
            .collect()
    }

    /// A path as far as the files let it be expanded, else as written.
    pub(super) fn path(&self, sourced: Sourced) -> Sourced {
        match self.expand(&sourced.value) {
            Some(value) => Sourced { value, ..sourced },
            None => sourced,
        }
    }

    /// The value of a word with `~`, `$NAME`, `${NAME}` and `${NAME:-word}` replaced,
    /// or `None` when it holds anything else (`$(…)`, an unknown variable), which
    /// only running the shell could resolve.
    pub(super) fn expand(&self, word: &str) -> Option<String> {
        let home = &self.0["HOME"];
        let word = match word.strip_prefix('~') {
            Some("") => return Some(home.clone()),
            Some(rest) if rest.starts_with('/') => format!("{home}{rest}"),
            Some(_) => return None,
            None => word.to_owned(),
        };
        let mut out = String::new();
        let mut rest = word.as_str();
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            if let Some(inner) = rest.strip_prefix('{') {
                let end = closing_brace(inner)?;
                let (body, after) = (&inner[..end], &inner[end + 1..]);
                let (name, fallback) = match body.find([':', '-']) {
                    Some(i) => {
                        let fallback = body[i..]
                            .strip_prefix(":-")
                            .or_else(|| body[i..].strip_prefix('-'))?;
                        (&body[..i], Some(fallback))
                    }
                    None => (body, None),
                };
                match (self.0.get(name), fallback) {
                    (Some(value), Some(_)) if !value.is_empty() => out.push_str(value),
                    (Some(value), None) => out.push_str(value),
                    (_, Some(fallback)) => out.push_str(&self.expand(fallback)?),
                    (None, None) => return None,
                }
                rest = after;
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push_str(self.0.get(&rest[..end])?);
                rest = &rest[end..];
            }
        }
        out.push_str(rest);
        (!out.contains(['`', '$'])).then_some(out)
    }
}

/// The index of the `}` that closes a `${` whose body starts `text`.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A shell word's value, quotes removed: `'a b'`, `"a b"`, `a`.
pub(super) fn unquote(value: &str) -> String {
    let value = value.trim();
    let value = value
        .split(" #")
        .next()
        .unwrap_or(value)
        .trim_end_matches(';')
        .trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner.to_owned();
        }
    }
    value.split_whitespace().next().unwrap_or("").to_owned()
}

/// The assignments a line makes, for bash and zsh: `NAME=value`,
/// `export NAME=value`, `declare -x NAME=value`, `typeset NAME=value`, possibly
/// after `then`/`;`; and `unset NAME`.
pub(super) fn assignments(line: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for statement in line.split([';', '&', '|']) {
        let mut words = statement.trim();
        for prefix in [
            "then ",
            "else ",
            "do ",
            "export ",
            "declare -x ",
            "declare ",
            "typeset -x ",
            "typeset ",
            "readonly ",
            "local ",
        ] {
            words = words.strip_prefix(prefix).unwrap_or(words).trim_start();
        }
        if let Some(names) = words.strip_prefix("unset ") {
            for name in names.split_whitespace() {
                found.push((name.to_owned(), None));
            }
            continue;
        }
        if let Some((name, value)) = words.split_once('=')
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            found.push((name.to_owned(), Some(unquote(value))));
        }
    }
    found
}

/// Whether a HISTSIZE-like value keeps nothing: "0" (an empty or non-numeric value
/// means no limit to bash).
pub(super) fn keeps_nothing(size: &str) -> bool {
    size.trim().parse::<i64>() == Ok(0)
}
