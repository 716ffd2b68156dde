//! How each shell keeps its history, read from the files the shell reads — parsed,
//! never run: `bash -ic` would run arbitrary code, and an rc file that lowers
//! HISTFILESIZE truncates the real history as it loads. Each value is reported with
//! where it was set ("set in FILE:LINE") or as the shell's default. Conditionals are
//! not evaluated; the last assignment in reading order wins, which is what happens
//! when they are not taken (Fedora's `/etc/profile` then leaves HISTCONTROL at
//! `ignoredups`, so a leading space does not keep a command out of history there).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::fs::SafeDir;

/// A shell whose history handling is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    pub value: String,
    /// `FILE:LINE`, or `None` for the shell's default.
    pub origin: Option<String>,
}

impl Sourced {
    fn default(value: &str) -> Sourced {
        Sourced {
            value: value.to_owned(),
            origin: None,
        }
    }

    /// "set in FILE:LINE" or "default".
    pub fn origin(&self) -> String {
        self.origin
            .as_ref()
            .map_or_else(|| "default".to_owned(), |o| format!("set in {o}"))
    }
}

/// What a shell does with history, as its files say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySettings {
    pub shell: Shell,
    /// Where history is written; empty when it is not kept.
    pub histfile: Sourced,
    /// Whether a command typed with a leading space stays out of the history file.
    pub ignorespace: bool,
    /// The setting that decides `ignorespace` (HISTCONTROL, HISTIGNORE, the zsh option).
    pub deciding: Sourced,
    /// The name of that setting, for messages.
    pub deciding_name: &'static str,
}

/// Bounded read of an rc file: a link or non-regular file is not read (the shell
/// would follow a link; we report what we could read and say so elsewhere).
fn read(root: &SafeDir, path: &Path) -> Option<Vec<u8>> {
    let (parent, name) = (path.parent()?, path.file_name()?);
    let dir = match path.strip_prefix(root.path()) {
        Ok(rel) => root.open_within(rel.parent()?).ok()?,
        Err(_) => SafeDir::open_root(parent).ok()?,
    };
    let meta = dir.lstat(name).ok()?;
    let mut file = dir.open_file(name, &meta).ok()?;
    file.read_prefix(1 << 20).ok().map(|bytes| bytes.to_vec())
}

/// `/etc/profile.d/*.sh` and the like: the files of a directory with a suffix, in
/// name order.
fn dir_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(open) = SafeDir::open_root(dir) else {
        return Vec::new();
    };
    let Ok((names, _)) = open.entries(10_000) else {
        return Vec::new();
    };
    names
        .into_iter()
        .filter(|n| n.to_string_lossy().ends_with(suffix))
        .map(|n| dir.join(n))
        .collect()
}

/// A shell word's value, quotes removed: `'a b'`, `"a b"`, `a`.
fn unquote(value: &str) -> String {
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
fn assignments(line: &str) -> Vec<(String, Option<String>)> {
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

fn origin(path: &Path, line: usize) -> Option<String> {
    Some(format!("{}:{line}", crate::sanitize::display_path(path)))
}

/// The lines of the rc files, in reading order, each with its `FILE:LINE`; comment
/// lines left out.
fn rc_lines(home: &SafeDir, files: &[PathBuf]) -> Vec<(Option<String>, String)> {
    let mut lines = Vec::new();
    for path in files {
        let Some(text) = read(home, path) else {
            continue;
        };
        for (number, line) in String::from_utf8_lossy(&text).lines().enumerate() {
            let line = line.trim();
            if !line.starts_with('#') {
                lines.push((origin(path, number + 1), line.to_owned()));
            }
        }
    }
    lines
}

/// bash: login files, then the interactive rc files, in the order bash reads them.
pub fn bash(home: &SafeDir) -> HistorySettings {
    let h = home.path();
    let mut files = vec![PathBuf::from("/etc/profile")];
    files.extend(dir_files(Path::new("/etc/profile.d"), ".sh"));
    files.push(PathBuf::from("/etc/bash.bashrc"));
    files.push(PathBuf::from("/etc/bashrc"));
    // bash reads the first of these that exists.
    if let Some(first) = [".bash_profile", ".bash_login", ".profile"]
        .iter()
        .map(|f| h.join(f))
        .find(|p| read(home, p).is_some())
    {
        files.push(first);
    }
    files.push(h.join(".bashrc"));
    let mut histfile = Sourced::default(&format!(
        "{}/.bash_history",
        crate::sanitize::display_path(h)
    ));
    let mut control = Sourced::default("");
    let mut ignore = Sourced::default("");
    for (here, line) in rc_lines(home, &files) {
        for (name, value) in assignments(&line) {
            let sourced = Sourced {
                value: value.unwrap_or_default(),
                origin: here.clone(),
            };
            match name.as_str() {
                "HISTFILE" => histfile = sourced,
                "HISTCONTROL" => control = sourced,
                "HISTIGNORE" => ignore = sourced,
                _ => {}
            }
        }
    }
    let by_control = control
        .value
        .split(':')
        .any(|v| v == "ignorespace" || v == "ignoreboth");
    let by_ignore = ignore
        .value
        .split(':')
        .any(|pattern| matches!(pattern, "[ \\t]*" | " *" | "[ ]*"));
    let (deciding, deciding_name) = if !by_control && by_ignore {
        (ignore, "HISTIGNORE")
    } else {
        (control, "HISTCONTROL")
    };
    HistorySettings {
        shell: Shell::Bash,
        histfile,
        ignorespace: by_control || by_ignore,
        deciding,
        deciding_name,
    }
}

/// zsh: nothing is saved unless HISTFILE is set and SAVEHIST is above zero; a
/// leading space needs HIST_IGNORE_SPACE (names are case-blind, underscores optional).
pub fn zsh(home: &SafeDir) -> HistorySettings {
    let h = home.path();
    let mut files: Vec<PathBuf> = [
        "/etc/zshenv",
        "/etc/zsh/zshenv",
        "/etc/zprofile",
        "/etc/zsh/zprofile",
        "/etc/zshrc",
        "/etc/zsh/zshrc",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    files.extend([".zshenv", ".zprofile", ".zshrc"].iter().map(|f| h.join(f)));
    let mut histfile = Sourced::default("");
    let mut savehist = Sourced::default("0");
    let mut option = Sourced::default("unset");
    for (here, line) in rc_lines(home, &files) {
        for (name, value) in assignments(&line) {
            let sourced = Sourced {
                value: value.unwrap_or_default(),
                origin: here.clone(),
            };
            match name.as_str() {
                "HISTFILE" => histfile = sourced,
                "SAVEHIST" => savehist = sourced,
                _ => {}
            }
        }
        for statement in line.split(';') {
            let mut words = statement.split_whitespace();
            let set = match words.next() {
                Some("setopt") => true,
                Some("unsetopt") => false,
                _ => continue,
            };
            for word in words {
                let normal: String = word
                    .chars()
                    .filter(|c| *c != '_')
                    .collect::<String>()
                    .to_ascii_lowercase();
                if normal == "histignorespace" {
                    let value = if set { "set" } else { "unset" };
                    option = Sourced {
                        value: value.to_owned(),
                        origin: here.clone(),
                    };
                }
            }
        }
    }
    let kept = !histfile.value.is_empty() && savehist.value.parse::<u64>().unwrap_or(1) > 0;
    if !kept {
        histfile.value.clear();
    }
    HistorySettings {
        shell: Shell::Zsh,
        ignorespace: option.value == "set",
        histfile,
        deciding: option,
        deciding_name: "HIST_IGNORE_SPACE",
    }
}

/// fish never writes a command that starts with a space to disk.
pub fn fish(home: &SafeDir) -> HistorySettings {
    let path = home.path().join(".local/share/fish/fish_history");
    HistorySettings {
        shell: Shell::Fish,
        histfile: Sourced::default(&crate::sanitize::display_path(&path)),
        ignorespace: true,
        deciding: Sourced::default("always"),
        deciding_name: "fish's leading-space rule",
    }
}

/// The shells to judge: the login shell, and any whose history file exists.
pub fn shells_in_use(home: &SafeDir, login_shell: &Path) -> Vec<Shell> {
    let login = login_shell
        .file_name()
        .and_then(OsStr::to_str)
        .unwrap_or("");
    let present = |rel: &str| home.lstat(OsStr::new(rel)).is_ok();
    let mut shells = Vec::new();
    if login == "bash" || present(".bash_history") || present(".bashrc") {
        shells.push(Shell::Bash);
    }
    if login == "zsh" || present(".zsh_history") || present(".zshrc") {
        shells.push(Shell::Zsh);
    }
    let fish_history = home
        .open_within(Path::new(".local/share/fish"))
        .is_ok_and(|d| d.lstat(OsStr::new("fish_history")).is_ok());
    if login == "fish" || fish_history {
        shells.push(Shell::Fish);
    }
    shells
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn assignments_are_read_in_their_usual_forms() {
        assert_eq!(
            assignments("HISTCONTROL=ignoreboth"),
            [("HISTCONTROL".into(), Some("ignoreboth".into()))]
        );
        assert_eq!(
            assignments("export HISTCONTROL='ignorespace:erasedups'"),
            [("HISTCONTROL".into(), Some("ignorespace:erasedups".into()))]
        );
        assert_eq!(
            assignments(
                "if [ \"$HISTCONTROL\" = \"ignorespace\" ] ; then export HISTCONTROL=ignoreboth"
            ),
            [("HISTCONTROL".into(), Some("ignoreboth".into()))]
        );
        assert_eq!(assignments("unset HISTFILE"), [("HISTFILE".into(), None)]);
        assert_eq!(
            assignments("declare -x HISTIGNORE=\"[ \\t]*:ls\""),
            [("HISTIGNORE".into(), Some("[ \\t]*:ls".into()))]
        );
    }

    #[test]
    fn bash_follows_the_last_assignment_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".bashrc"),
            "# mine\nHISTCONTROL=ignoredups\nshopt -s histappend\nHISTCONTROL=ignoreboth\n",
        )
        .unwrap();
        let home = SafeDir::open_root(dir.path()).unwrap();
        let settings = bash(&home);
        assert!(settings.ignorespace);
        assert_eq!(settings.deciding.value, "ignoreboth");
        assert!(
            settings.deciding.origin().ends_with(".bashrc:4"),
            "{}",
            settings.deciding.origin()
        );
        std::fs::write(dir.path().join(".bashrc"), "HISTCONTROL=ignoredups\n").unwrap();
        assert!(!bash(&home).ignorespace);
    }

    #[test]
    fn zsh_needs_histfile_savehist_and_the_option() {
        let dir = tempfile::tempdir().unwrap();
        let home = SafeDir::open_root(dir.path()).unwrap();
        std::fs::write(
            dir.path().join(".zshrc"),
            "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt HIST_IGNORE_SPACE\n",
        )
        .unwrap();
        let settings = zsh(&home);
        assert!(!settings.histfile.value.is_empty() && settings.ignorespace);
        std::fs::write(dir.path().join(".zshrc"), "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt histignorespace\nunsetopt hist_ignore_space\n").unwrap();
        assert!(!zsh(&home).ignorespace);
    }
}
