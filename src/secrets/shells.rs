//! How each shell keeps its history, read from the files the shell reads — parsed,
//! never run: `bash -ic` would run arbitrary code, and an rc file that lowers
//! HISTFILESIZE truncates the real history as it loads. Each value is reported with
//! where it was set ("set in FILE:LINE") or as the shell's default. Conditionals are
//! not evaluated; the last assignment in reading order wins, which is what happens
//! when they are not taken (Fedora's `/etc/profile` then leaves HISTCONTROL at
//! `ignoredups`, so a leading space does not keep a command out of history there).
//! When the shell hook has recorded the live values (`shell_record`), they win.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::shell_record::{self, LiveRecord, Lookup};
use crate::account::Account;
use crate::fs::SafeDir;
use crate::sanitize::display_path;

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

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The shell's own default.
    Default,
    /// `FILE:LINE` of the rc file that set it.
    File(String),
    /// The shell hook's record, written at this moment (seconds since the epoch).
    Live(i64),
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced {
    pub value: String,
    pub origin: Origin,
}

impl Sourced {
    fn default(value: &str) -> Sourced {
        Sourced {
            value: value.to_owned(),
            origin: Origin::Default,
        }
    }

    fn live(value: &str, written: i64) -> Sourced {
        Sourced {
            value: value.to_owned(),
            origin: Origin::Live(written),
        }
    }

    /// "set in FILE:LINE", "default", or "live, recorded by the shell hook at TIME".
    pub fn origin(&self) -> String {
        match &self.origin {
            Origin::Default => "default".to_owned(),
            Origin::File(at) => format!("set in {at}"),
            Origin::Live(written) => format!(
                "live, recorded by the shell hook at {}",
                crate::report::utc_minute(*written)
            ),
        }
    }
}

/// What a shell does with history, as its files (or the live shell) say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySettings {
    pub shell: Shell,
    /// Where history is written (an absolute path when it could be resolved); empty
    /// when it is not kept, the origin then saying what turned it off.
    pub histfile: Sourced,
    /// Whether a command typed with a leading space stays out of the history file.
    pub ignorespace: bool,
    /// The setting that decides `ignorespace` (HISTCONTROL, HISTIGNORE, the zsh option).
    pub deciding: Sourced,
    /// The name of that setting, for messages.
    pub deciding_name: &'static str,
    /// Whether the values are the live shell's (from the hook's record).
    pub live: bool,
    /// What else the person should know: a stale or ignored record, a custom hook.
    pub notes: Vec<String>,
    /// A history file that exists although the files say none is kept: something
    /// they do not show (a framework, a sourced file) keeps history after all.
    pub unexplained: Option<PathBuf>,
}

/// The settings of `shell` for `account`: the live record when the shell hook left
/// one, the rc files otherwise.
pub fn effective(home: &SafeDir, account: &Account, shell: Shell) -> HistorySettings {
    let mut files = RcFiles::new(home);
    let mut settings = match shell {
        Shell::Bash => bash(&mut files),
        Shell::Zsh => zsh(&mut files),
        Shell::Fish => fish(&mut files),
    };
    let state = crate::state::dir(account);
    match shell_record::read(home, &state, account.uid, shell) {
        Lookup::Absent => {}
        Lookup::Ignored(why) => settings
            .notes
            .push(format!("the shell hook's record was ignored: {why}")),
        Lookup::Found(record) => {
            settings = live(shell, home.path(), &record);
            if let Some(newer) = files.changed_after(record.written) {
                settings.notes.push(format!(
                    "{} changed after the shell hook's record was written; open a new {} to refresh it",
                    display_path(&newer),
                    shell.name()
                ));
            }
        }
    }
    settings
}

/// The rc files read so far, for reading more and for telling whether the hook's
/// record is older than one of them.
struct RcFiles<'h> {
    home: &'h SafeDir,
    /// Each file read and its change time (seconds, nanoseconds).
    read: Vec<(PathBuf, (i64, i64))>,
}

impl<'h> RcFiles<'h> {
    fn new(home: &'h SafeDir) -> RcFiles<'h> {
        RcFiles {
            home,
            read: Vec::new(),
        }
    }

    /// Bounded read of an rc file; a link or non-regular file is not read.
    fn read(&mut self, path: &Path) -> Option<Vec<u8>> {
        let (dir, name) = self.home.parent_of(path)?;
        let meta = dir.lstat(name).ok()?;
        let mut file = dir.open_file(name, &meta).ok()?;
        let bytes = file.read_prefix(1 << 20).ok()?.to_vec();
        self.read.push((path.to_owned(), file.meta().changed));
        Some(bytes)
    }

    fn exists(&self, path: &Path) -> bool {
        self.home
            .parent_of(path)
            .is_some_and(|(dir, name)| dir.lstat(name).is_ok())
    }

    /// The lines of one file, each with its origin; blank and comment lines left out.
    fn lines(&mut self, path: &Path) -> Vec<(Origin, String)> {
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
    fn changed_after(&self, moment: (i64, i64)) -> Option<PathBuf> {
        self.read
            .iter()
            .find(|(_, changed)| *changed > moment)
            .map(|(path, _)| path.clone())
    }
}

/// `/etc/profile.d/*.sh` and the like: the files of a directory with a suffix, in
/// name order.
fn dir_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
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
struct Vars(HashMap<String, String>);

impl Vars {
    fn new(home: &Path) -> Vars {
        let mut vars = HashMap::new();
        vars.insert("HOME".to_owned(), display_path(home));
        Vars(vars)
    }

    fn set(&mut self, name: &str, value: Option<&str>) {
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
    fn apply(&mut self, line: &str, here: &Origin) -> Vec<(String, Sourced)> {
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
    fn path(&self, sourced: Sourced) -> Sourced {
        match self.expand(&sourced.value) {
            Some(value) => Sourced { value, ..sourced },
            None => sourced,
        }
    }

    /// The value of a word with `~`, `$NAME`, `${NAME}` and `${NAME:-word}` replaced,
    /// or `None` when it holds anything else (`$(…)`, an unknown variable), which
    /// only running the shell could resolve.
    fn expand(&self, word: &str) -> Option<String> {
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

/// Whether a HISTSIZE-like value keeps nothing: "0" (an empty or non-numeric value
/// means no limit to bash).
fn keeps_nothing(size: &str) -> bool {
    size.trim().parse::<i64>() == Ok(0)
}

fn bash_ignorespace(control: Sourced, ignore: Sourced) -> (bool, Sourced, &'static str) {
    let by_control = control
        .value
        .split(':')
        .any(|v| v == "ignorespace" || v == "ignoreboth");
    let by_ignore = ignore
        .value
        .split(':')
        .any(|pattern| matches!(pattern, "[ \\t]*" | " *" | "[ ]*"));
    if !by_control && by_ignore {
        (true, ignore, "HISTIGNORE")
    } else {
        (by_control, control, "HISTCONTROL")
    }
}

/// bash: login files, then the interactive rc files, in the order bash reads them.
/// History is saved only while HISTFILE is set and the sizes allow it.
fn bash(files: &mut RcFiles<'_>) -> HistorySettings {
    let h = files.home.path().to_owned();
    let paths = bash_paths(files);
    let mut vars = Vars::new(&h);
    let mut histfile = Sourced::default(&format!("{}/.bash_history", display_path(&h)));
    let mut control = Sourced::default("");
    let mut ignore = Sourced::default("");
    let mut off: Option<Sourced> = None;
    for path in paths {
        for (here, line) in files.lines(&path) {
            for (name, sourced) in vars.apply(&line, &here) {
                match name.as_str() {
                    "HISTFILE" => histfile = vars.path(sourced),
                    "HISTCONTROL" => control = sourced,
                    "HISTIGNORE" => ignore = sourced,
                    "HISTSIZE" | "HISTFILESIZE" if keeps_nothing(&sourced.value) => {
                        off = Some(Sourced {
                            value: format!("{name}=0"),
                            origin: sourced.origin,
                        });
                    }
                    "HISTSIZE" | "HISTFILESIZE" => off = None,
                    _ => {}
                }
            }
            if line.starts_with("set +o history") {
                off = Some(Sourced {
                    value: "set +o history".to_owned(),
                    origin: here.clone(),
                });
            }
        }
    }
    if let Some(off) = off {
        histfile = Sourced {
            value: String::new(),
            origin: off.origin,
        };
    }
    let (ignorespace, deciding, deciding_name) = bash_ignorespace(control, ignore);
    HistorySettings {
        shell: Shell::Bash,
        histfile,
        ignorespace,
        deciding,
        deciding_name,
        live: false,
        notes: Vec::new(),
        unexplained: None,
    }
}

/// The files bash reads, in its order: login files, then the interactive rc files.
fn bash_paths(files: &RcFiles<'_>) -> Vec<PathBuf> {
    let h = files.home.path();
    let mut paths = vec![PathBuf::from("/etc/profile")];
    paths.extend(dir_files(Path::new("/etc/profile.d"), ".sh"));
    paths.push(PathBuf::from("/etc/bash.bashrc"));
    paths.push(PathBuf::from("/etc/bashrc"));
    // bash reads the first of these that exists.
    if let Some(first) = [".bash_profile", ".bash_login", ".profile"]
        .iter()
        .map(|f| h.join(f))
        .find(|p| files.exists(p))
    {
        paths.push(first);
    }
    paths.push(h.join(".bashrc"));
    paths
}

/// A variable as the startup files of bash or zsh leave it (the console check's
/// TMOUT): its last value with where it was set, and whether it was made readonly
/// or exported anywhere on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RcVariable {
    /// `None` when never set, or unset again.
    pub value: Option<Sourced>,
    /// Where `readonly` (or `declare -r`, `typeset -r`) was applied.
    pub readonly: Option<String>,
    pub exported: bool,
}

/// `name` as bash's or zsh's files set it, parsed in reading order. zsh's files
/// are read from the home (a ZDOTDIR is not followed here); fish has no such
/// variables and gives `None`.
pub fn rc_variable(home: &SafeDir, shell: Shell, name: &str) -> Option<RcVariable> {
    let mut files = RcFiles::new(home);
    let h = home.path().to_owned();
    let paths: Vec<PathBuf> = match shell {
        Shell::Bash => bash_paths(&files),
        Shell::Zsh => [
            "/etc/zshenv",
            "/etc/zsh/zshenv",
            "~.zshenv",
            "/etc/zprofile",
            "/etc/zsh/zprofile",
            "~.zprofile",
            "/etc/zshrc",
            "/etc/zsh/zshrc",
            "~.zshrc",
        ]
        .iter()
        .map(|p| match p.strip_prefix('~') {
            Some(dot) => h.join(dot),
            None => PathBuf::from(p),
        })
        .collect(),
        Shell::Fish => return None,
    };
    let mut var = RcVariable {
        value: None,
        readonly: None,
        exported: false,
    };
    for path in paths {
        for (here, line) in files.lines(&path) {
            let Origin::File(at) = &here else { continue };
            for statement in line.split([';', '&', '|']) {
                apply_statement(statement, name, at, &mut var);
            }
        }
    }
    Some(var)
}

/// One simple command's effect on `name`: `NAME=v`, `export NAME[=v]`,
/// `readonly NAME[=v]`, `declare -rx NAME[=v]`, `typeset -r …`, `unset NAME`.
fn apply_statement(statement: &str, name: &str, at: &str, var: &mut RcVariable) {
    let mut words: Vec<&str> = statement.split_whitespace().collect();
    while words
        .first()
        .is_some_and(|w| matches!(*w, "then" | "else" | "do" | "{"))
    {
        words.remove(0);
    }
    let Some(&first) = words.first() else { return };
    let (mut readonly, mut exported, mut rest) = (false, false, &words[..]);
    match first {
        "readonly" => (readonly, rest) = (true, &words[1..]),
        "export" => (exported, rest) = (true, &words[1..]),
        "declare" | "typeset" | "local" => {
            rest = &words[1..];
            while let Some(flags) = rest.first().and_then(|w| w.strip_prefix('-')) {
                readonly |= flags.contains('r');
                exported |= flags.contains('x');
                rest = &rest[1..];
            }
        }
        "unset" => {
            if words[1..].contains(&name) && var.readonly.is_none() {
                var.value = None;
            }
            return;
        }
        _ => {}
    }
    for word in rest {
        let (word_name, has_value) = match word.split_once('=') {
            Some((n, _)) => (n, true),
            None => (*word, false),
        };
        if word_name != name {
            continue;
        }
        // A readonly variable refuses later assignments (the shell prints an error).
        if has_value && var.readonly.is_none() {
            let after = &statement[statement.find(&format!("{name}=")).unwrap_or(0)..];
            let value = unquote(after.split_once('=').map_or("", |(_, v)| v));
            var.value = Some(Sourced {
                value,
                origin: Origin::File(at.to_owned()),
            });
        }
        if readonly && var.readonly.is_none() {
            var.readonly = Some(at.to_owned());
        }
        var.exported |= exported;
    }
}

/// Where zsh finds a startup file: in ZDOTDIR, which an earlier file may set.
enum ZshStep {
    System(&'static [&'static str]),
    Dot(&'static str),
}

/// zsh: nothing is saved unless HISTFILE is set and SAVEHIST is above zero; a
/// leading space needs HIST_IGNORE_SPACE (names are case-blind, underscores optional).
/// The person's files are read from ZDOTDIR once a system file or `.zshenv` sets it.
fn zsh(files: &mut RcFiles<'_>) -> HistorySettings {
    let h = files.home.path().to_owned();
    let steps = [
        ZshStep::System(&["/etc/zshenv", "/etc/zsh/zshenv"]),
        ZshStep::Dot(".zshenv"),
        ZshStep::System(&["/etc/zprofile", "/etc/zsh/zprofile"]),
        ZshStep::Dot(".zprofile"),
        ZshStep::System(&["/etc/zshrc", "/etc/zsh/zshrc"]),
        ZshStep::Dot(".zshrc"),
        ZshStep::System(&["/etc/zlogin", "/etc/zsh/zlogin"]),
        ZshStep::Dot(".zlogin"),
    ];
    let mut vars = Vars::new(&h);
    let mut histfile = Sourced::default("");
    let mut savehist = Sourced::default("0");
    let mut option = Sourced::default("unset");
    for step in steps {
        let paths: Vec<PathBuf> = match step {
            ZshStep::System(paths) => paths.iter().map(PathBuf::from).collect(),
            ZshStep::Dot(name) => {
                let dir = vars
                    .0
                    .get("ZDOTDIR")
                    .filter(|d| d.starts_with('/'))
                    .map_or_else(|| h.clone(), PathBuf::from);
                vec![dir.join(name)]
            }
        };
        for path in paths {
            for (here, line) in files.lines(&path) {
                for (name, sourced) in vars.apply(&line, &here) {
                    match name.as_str() {
                        "HISTFILE" => histfile = vars.path(sourced),
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
                        let normal = word.replace('_', "").to_ascii_lowercase();
                        let flipped = match normal.as_str() {
                            "histignorespace" => set,
                            "nohistignorespace" => !set,
                            _ => continue,
                        };
                        option = Sourced {
                            value: if flipped { "set" } else { "unset" }.to_owned(),
                            origin: here.clone(),
                        };
                    }
                }
            }
        }
    }
    let dot_dir = vars
        .0
        .get("ZDOTDIR")
        .filter(|d| d.starts_with('/'))
        .map_or_else(|| h.clone(), PathBuf::from);
    let unexplained = (histfile.origin == Origin::Default)
        .then(|| {
            // The names zsh-newuser-install, oh-my-zsh and prezto give it.
            [".zsh_history", ".zhistory", ".histfile"]
                .iter()
                .flat_map(|name| [dot_dir.join(name), h.join(name)])
                .find(|path| files.exists(path))
        })
        .flatten();
    if !histfile.value.is_empty() && keeps_nothing(&savehist.value) || savehist.value.is_empty() {
        histfile = Sourced {
            value: String::new(),
            origin: savehist.origin,
        };
    }
    HistorySettings {
        shell: Shell::Zsh,
        ignorespace: option.value == "set",
        histfile,
        deciding: option,
        deciding_name: "HIST_IGNORE_SPACE",
        live: false,
        notes: Vec::new(),
        unexplained,
    }
}

/// fish's history file for a session name, below the data directory.
fn fish_history_file(data_home: &str, session: &str) -> String {
    format!("{data_home}/fish/{session}_history")
}

/// The fish session name: unset, "default" and "fish" are all the default file.
fn fish_session(name: &str) -> &str {
    match name {
        "default" => "fish",
        other => other,
    }
}

/// fish's variable state while its files are read.
struct FishState {
    history: Option<Sourced>,
    private: Option<Sourced>,
    data_home: Option<String>,
    /// Where a fish_should_add_to_history function is defined.
    custom_filter: Option<String>,
}

impl FishState {
    /// Applies one `set` statement: `set [-g|-U|-x|-e|…] NAME VALUE…`.
    fn apply_set(&mut self, words: &[String], here: &Origin, vars: &Vars) {
        let mut erase = false;
        let mut rest = words.iter().skip(1);
        let name = loop {
            let Some(word) = rest.next() else { return };
            if let Some(flags) = word.strip_prefix("--") {
                match flags {
                    "erase" => erase = true,
                    "query" | "local" | "function" | "show" => return,
                    _ => {}
                }
            } else if let Some(flags) = word.strip_prefix('-') {
                if flags.contains(['q', 'l', 'f', 'S']) {
                    return;
                }
                erase |= flags.contains('e');
            } else {
                break word;
            }
        };
        let value: Vec<&str> = rest.map(String::as_str).collect();
        let sourced = Sourced {
            value: value.join(" "),
            origin: here.clone(),
        };
        match name.as_str() {
            "fish_history" => self.history = Some(sourced),
            "fish_private_mode" => self.private = (!erase).then_some(sourced),
            "XDG_DATA_HOME" if !erase => {
                self.data_home = vars.expand(&sourced.value).filter(|d| d.starts_with('/'));
            }
            "XDG_DATA_HOME" => self.data_home = None,
            _ => {}
        }
        if erase && name == "fish_history" {
            self.history = None;
        }
    }
}

/// fish's words, quotes removed (no expansion).
fn fish_words(statement: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in statement.chars() {
        match (quote, c) {
            (None, '#') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// fish: universal variables (`fish_variables`), then the conf.d snippets by name
/// (the person's shadowing the system's and vendors'), the system's config.fish and
/// the person's. The session name in `fish_history` picks the file ("" keeps none);
/// `fish_private_mode` keeps none; a leading space keeps a command out unless a
/// `fish_should_add_to_history` function takes over that decision.
fn fish(files: &mut RcFiles<'_>) -> HistorySettings {
    let h = files.home.path().to_owned();
    let config = h.join(".config/fish");
    let vars = Vars::new(&h);
    let mut state = FishState {
        history: None,
        private: None,
        data_home: None,
        custom_filter: None,
    };
    let universal = config.join("fish_variables");
    for (here, line) in files.lines(&universal) {
        let Some(rest) = line.strip_prefix("SETUVAR ") else {
            continue;
        };
        let rest = rest.strip_prefix("--export ").unwrap_or(rest);
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        // fish escapes bytes as \xNN and separates list items with \x1e.
        let value = value.replace("\\x1e", " ").replace("\\x20", " ");
        state.apply_set(&["set".to_owned(), name.to_owned(), value], &here, &vars);
    }
    let mut snippets: Vec<(std::ffi::OsString, PathBuf)> = Vec::new();
    for dir in [
        config.join("conf.d"),
        PathBuf::from("/etc/fish/conf.d"),
        PathBuf::from("/usr/local/share/fish/vendor_conf.d"),
        PathBuf::from("/usr/share/fish/vendor_conf.d"),
    ] {
        for path in dir_files(&dir, ".fish") {
            let name = path.file_name().map(OsStr::to_owned).unwrap_or_default();
            if !snippets.iter().any(|(seen, _)| *seen == name) {
                snippets.push((name, path));
            }
        }
    }
    snippets.sort();
    let mut paths: Vec<PathBuf> = snippets.into_iter().map(|(_, path)| path).collect();
    paths.push(PathBuf::from("/etc/fish/config.fish"));
    paths.push(config.join("config.fish"));
    for path in paths {
        // Lines inside a function body run only when it is called.
        let mut depth_in_function: Option<usize> = None;
        let mut depth = 0usize;
        for (here, line) in files.lines(&path) {
            for statement in line.split(';') {
                let mut words = fish_words(statement);
                // `and`, `or` and `not` only make what follows conditional.
                while words
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "and" | "or" | "not"))
                {
                    words.remove(0);
                }
                let Some(first) = words.first() else { continue };
                match first.as_str() {
                    "function" => {
                        if words.get(1).map(String::as_str) == Some("fish_should_add_to_history")
                            && let Origin::File(at) = &here
                        {
                            state.custom_filter = Some(at.clone());
                        }
                        if depth_in_function.is_none() {
                            depth_in_function = Some(depth);
                        }
                        depth += 1;
                    }
                    "if" | "for" | "while" | "begin" | "switch" => depth += 1,
                    "end" => {
                        depth = depth.saturating_sub(1);
                        if depth_in_function == Some(depth) {
                            depth_in_function = None;
                        }
                    }
                    "set" if depth_in_function.is_none() => {
                        state.apply_set(&words, &here, &vars);
                    }
                    _ => {}
                }
            }
        }
    }
    for functions in [
        config.join("functions"),
        PathBuf::from("/etc/fish/functions"),
    ] {
        let path = functions.join("fish_should_add_to_history.fish");
        if state.custom_filter.is_none() && files.exists(&path) {
            state.custom_filter = Some(format!("{}:1", display_path(&path)));
        }
    }
    let data_home = state
        .data_home
        .clone()
        .unwrap_or_else(|| format!("{}/.local/share", display_path(&h)));
    let histfile = if let Some(private) = state.private {
        Sourced {
            value: String::new(),
            origin: private.origin,
        }
    } else {
        match state.history {
            Some(session) if session.value.is_empty() => session,
            Some(session) => Sourced {
                value: fish_history_file(&data_home, fish_session(&session.value)),
                origin: session.origin,
            },
            None => Sourced::default(&fish_history_file(&data_home, "fish")),
        }
    };
    fish_settings(histfile, state.custom_filter.map(Origin::File), false)
}

/// fish's verdict on the leading space, given where a custom filter is defined.
fn fish_settings(histfile: Sourced, custom_filter: Option<Origin>, live: bool) -> HistorySettings {
    let (ignorespace, deciding, deciding_name) = match custom_filter {
        Some(origin) => (
            false,
            Sourced {
                value: "defined".to_owned(),
                origin,
            },
            "fish_should_add_to_history",
        ),
        None => (
            true,
            Sourced::default("always"),
            "fish's leading-space rule",
        ),
    };
    let mut notes = Vec::new();
    if !ignorespace {
        notes.push("fish_should_add_to_history replaces fish's own leading-space rule: a command that starts with a space is saved unless the function returns 1 for it".to_owned());
    }
    HistorySettings {
        shell: Shell::Fish,
        histfile,
        ignorespace,
        deciding,
        deciding_name,
        live,
        notes,
        unexplained: None,
    }
}

/// The settings as the live shell recorded them.
fn live(shell: Shell, home: &Path, record: &LiveRecord) -> HistorySettings {
    let at = record.written.0;
    let value = |key: &str| Sourced::live(record.get(key).unwrap_or(""), at);
    let not_kept = || Sourced::live("", at);
    let mut settings = match shell {
        Shell::Bash => {
            let off = !record.is_on("history")
                || ["HISTSIZE", "HISTFILESIZE"]
                    .iter()
                    .any(|k| record.get(k).is_some_and(keeps_nothing));
            let histfile = if off { not_kept() } else { value("HISTFILE") };
            let (ignorespace, deciding, deciding_name) =
                bash_ignorespace(value("HISTCONTROL"), value("HISTIGNORE"));
            HistorySettings {
                shell,
                histfile,
                ignorespace,
                deciding,
                deciding_name,
                live: true,
                notes: Vec::new(),
                unexplained: None,
            }
        }
        Shell::Zsh => {
            let saves = record
                .get("SAVEHIST")
                .is_some_and(|s| s.trim().parse::<i64>().is_ok_and(|n| n > 0));
            let histfile = if saves { value("HISTFILE") } else { not_kept() };
            let set = record.is_on("histignorespace");
            HistorySettings {
                shell,
                histfile,
                ignorespace: set,
                deciding: Sourced::live(if set { "set" } else { "unset" }, at),
                deciding_name: "HIST_IGNORE_SPACE",
                live: true,
                notes: Vec::new(),
                unexplained: None,
            }
        }
        Shell::Fish => {
            let data_home = record
                .get("XDG_DATA_HOME")
                .filter(|d| d.starts_with('/'))
                .map_or_else(
                    || format!("{}/.local/share", display_path(home)),
                    str::to_owned,
                );
            let histfile = if record.get("fish_private_mode").is_some() {
                not_kept()
            } else {
                match record.get("fish_history") {
                    Some("") => not_kept(),
                    session => Sourced::live(
                        &fish_history_file(&data_home, fish_session(session.unwrap_or("fish"))),
                        at,
                    ),
                }
            };
            let custom = (record.get("fish_should_add_to_history") == Some("defined"))
                .then_some(Origin::Live(at));
            fish_settings(histfile, custom, true)
        }
    };
    settings.live = true;
    settings
}

/// The shells to judge: the login shell, and any whose files are there.
pub fn shells_in_use(home: &SafeDir, login_shell: &Path) -> Vec<Shell> {
    let login = login_shell
        .file_name()
        .and_then(OsStr::to_str)
        .unwrap_or("");
    let present = |rel: &str| home.lstat(OsStr::new(rel)).is_ok();
    let within = |dir: &str, name: &str| {
        home.open_within(Path::new(dir))
            .is_ok_and(|d| d.lstat(OsStr::new(name)).is_ok())
    };
    let mut shells = Vec::new();
    if login == "bash" || present(".bash_history") || present(".bashrc") {
        shells.push(Shell::Bash);
    }
    if login == "zsh" || present(".zsh_history") || present(".zshrc") || present(".zshenv") {
        shells.push(Shell::Zsh);
    }
    if login == "fish"
        || within(".local/share/fish", "fish_history")
        || within(".config/fish", "config.fish")
    {
        shells.push(Shell::Fish);
    }
    shells
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn settings_of(dir: &Path, shell: Shell) -> HistorySettings {
        let home = SafeDir::open_root(dir).unwrap();
        let mut files = RcFiles::new(&home);
        match shell {
            Shell::Bash => bash(&mut files),
            Shell::Zsh => zsh(&mut files),
            Shell::Fish => fish(&mut files),
        }
    }

    #[test]
    fn a_variable_keeps_its_last_value_and_readonly_freezes_it() {
        let read = |lines: &[&str]| {
            let mut var = RcVariable {
                value: None,
                readonly: None,
                exported: false,
            };
            for (n, line) in lines.iter().enumerate() {
                for statement in line.split([';', '&', '|']) {
                    apply_statement(statement, "TMOUT", &format!("f:{}", n + 1), &mut var);
                }
            }
            var
        };
        let var = read(&["TMOUT=900", "readonly TMOUT", "export TMOUT", "TMOUT=0"]);
        assert_eq!(var.value.unwrap().value, "900");
        assert_eq!(var.readonly.as_deref(), Some("f:2"));
        assert!(var.exported);
        let var = read(&["declare -rx TMOUT=600"]);
        assert_eq!(var.value.unwrap().origin, Origin::File("f:1".to_owned()));
        assert!(var.readonly.is_some() && var.exported);
        let var = read(&["TMOUT=300", "unset TMOUT", "TMOUTX=1"]);
        assert!(var.value.is_none() && var.readonly.is_none());
        let var = read(&["if true; then TMOUT='120'; readonly TMOUT; fi"]);
        assert_eq!(var.value.unwrap().value, "120");
        assert!(var.readonly.is_some());
    }

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
    fn paths_expand_only_as_far_as_the_files_tell() {
        let mut vars = Vars::new(Path::new("/home/a"));
        assert_eq!(vars.expand("~/.h").unwrap(), "/home/a/.h");
        assert_eq!(vars.expand("$HOME/.h").unwrap(), "/home/a/.h");
        assert_eq!(
            vars.expand("${XDG_CONFIG_HOME:-$HOME/.config}/zsh")
                .unwrap(),
            "/home/a/.config/zsh"
        );
        assert_eq!(vars.expand("$XDG_STATE_HOME/h"), None);
        assert_eq!(vars.expand("$(hostname).hist"), None);
        assert_eq!(vars.expand("~bob/.h"), None);
        vars.set("XDG_CONFIG_HOME", Some("~/cfg"));
        assert_eq!(
            vars.expand("${XDG_CONFIG_HOME:-$HOME/.config}/zsh")
                .unwrap(),
            "/home/a/cfg/zsh"
        );
    }

    #[test]
    fn bash_follows_the_last_assignment_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".bashrc"),
            "# mine\nHISTCONTROL=ignoredups\nshopt -s histappend\nHISTCONTROL=ignoreboth\nHISTFILE=~/hist/bash\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Bash);
        assert!(settings.ignorespace);
        assert_eq!(settings.deciding.value, "ignoreboth");
        assert!(
            settings.deciding.origin().ends_with(".bashrc:4"),
            "{}",
            settings.deciding.origin()
        );
        assert_eq!(
            settings.histfile.value,
            format!("{}/hist/bash", dir.path().display())
        );
        std::fs::write(dir.path().join(".bashrc"), "HISTCONTROL=ignoredups\n").unwrap();
        assert!(!settings_of(dir.path(), Shell::Bash).ignorespace);
        std::fs::write(dir.path().join(".bashrc"), "HISTFILESIZE=0\n").unwrap();
        let settings = settings_of(dir.path(), Shell::Bash);
        assert_eq!(settings.histfile.value, "");
        assert!(settings.histfile.origin().ends_with(".bashrc:1"));
    }

    #[test]
    fn zsh_needs_histfile_savehist_and_the_option() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".zshrc"),
            "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt HIST_IGNORE_SPACE\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Zsh);
        assert!(!settings.histfile.value.is_empty() && settings.ignorespace);
        std::fs::write(dir.path().join(".zshrc"), "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt histignorespace\nunsetopt hist_ignore_space\n").unwrap();
        assert!(!settings_of(dir.path(), Shell::Zsh).ignorespace);
        std::fs::write(
            dir.path().join(".zshrc"),
            "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt no_hist_ignore_space\n",
        )
        .unwrap();
        assert!(!settings_of(dir.path(), Shell::Zsh).ignorespace);
    }

    #[test]
    fn a_zsh_history_nobody_set_is_unexplained() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".zshrc"),
            "source ~/.oh-my-zsh/oh-my-zsh.sh\n",
        )
        .unwrap();
        assert_eq!(settings_of(dir.path(), Shell::Zsh).unexplained, None);
        std::fs::write(dir.path().join(".zsh_history"), ": 1:0;ls\n").unwrap();
        let settings = settings_of(dir.path(), Shell::Zsh);
        assert_eq!(settings.histfile.value, "");
        assert_eq!(settings.unexplained, Some(dir.path().join(".zsh_history")));
        // Explained once a file sets HISTFILE, even to keep nothing.
        std::fs::write(
            dir.path().join(".zshrc"),
            "HISTFILE=~/.zsh_history\nSAVEHIST=0\n",
        )
        .unwrap();
        assert_eq!(settings_of(dir.path(), Shell::Zsh).unexplained, None);
    }

    #[test]
    fn zsh_reads_the_files_in_zdotdir_once_zshenv_moves_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".zshenv"),
            "export ZDOTDIR=\"${XDG_CONFIG_HOME:-$HOME/.config}/zsh\"\n",
        )
        .unwrap();
        // Never read: zsh looks in ZDOTDIR now.
        std::fs::write(dir.path().join(".zshrc"), "setopt HIST_IGNORE_SPACE\n").unwrap();
        std::fs::create_dir_all(dir.path().join(".config/zsh")).unwrap();
        std::fs::write(
            dir.path().join(".config/zsh/.zshrc"),
            "HISTFILE=$ZDOTDIR/history\nSAVEHIST=10\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Zsh);
        assert_eq!(
            settings.histfile.value,
            format!("{}/.config/zsh/history", dir.path().display())
        );
        assert!(settings.histfile.origin().contains(".config/zsh/.zshrc:1"));
        assert!(!settings.ignorespace, "{settings:?}");
    }

    #[test]
    fn fish_reads_universal_variables_snippets_and_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(".config/fish");
        std::fs::create_dir_all(config.join("conf.d")).unwrap();
        std::fs::write(
            config.join("fish_variables"),
            "# This file contains fish universal variable definitions.\n# VERSION: 3.0\nSETUVAR fish_history:uni\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Fish);
        assert!(
            settings
                .histfile
                .value
                .ends_with("/.local/share/fish/uni_history")
        );
        assert!(settings.histfile.origin().contains("fish_variables:3"));
        assert!(settings.ignorespace);
        std::fs::write(
            config.join("conf.d/work.fish"),
            "set -gx XDG_DATA_HOME ~/data\nset -g fish_history 'work'\n",
        )
        .unwrap();
        std::fs::write(
            config.join("config.fish"),
            "function f\n  set fish_history inside\nend\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Fish);
        assert_eq!(
            settings.histfile.value,
            format!("{}/data/fish/work_history", dir.path().display())
        );
        assert!(settings.histfile.origin().contains("conf.d/work.fish:2"));
        // Conditions are not evaluated: an assignment counts as if it were taken.
        std::fs::write(
            config.join("config.fish"),
            "if status is-interactive\n  set -q fish_history; or set fish_history none\nend\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Fish);
        assert!(
            settings.histfile.value.ends_with("/data/fish/none_history"),
            "{settings:?}"
        );
        std::fs::write(config.join("config.fish"), "set -g fish_private_mode 1\n").unwrap();
        let settings = settings_of(dir.path(), Shell::Fish);
        assert_eq!(settings.histfile.value, "");
        assert!(settings.histfile.origin().contains("config.fish:1"));
        std::fs::write(
            config.join("config.fish"),
            "function fish_should_add_to_history\n  return 0\nend\n",
        )
        .unwrap();
        let settings = settings_of(dir.path(), Shell::Fish);
        assert!(!settings.ignorespace);
        assert!(settings.deciding.origin().contains("config.fish:1"));
        std::fs::write(config.join("config.fish"), "set fish_history ''\n").unwrap();
        assert_eq!(settings_of(dir.path(), Shell::Fish).histfile.value, "");
    }

    #[test]
    fn fish_words_drop_quotes_and_comments() {
        assert_eq!(
            fish_words("set -g fish_history 'a b' \"c\" # note"),
            ["set", "-g", "fish_history", "a b", "c"]
        );
        assert_eq!(
            fish_words("set fish_history ''"),
            ["set", "fish_history", ""]
        );
    }

    #[test]
    fn live_values_replace_the_parsed_ones() {
        let mut fields = vec![
            ("version".to_owned(), "1".to_owned()),
            ("shell".to_owned(), "bash".to_owned()),
            ("HISTFILE".to_owned(), "/h/.bash_history".to_owned()),
            ("HISTCONTROL".to_owned(), "ignoredups".to_owned()),
            ("history".to_owned(), "on".to_owned()),
        ];
        let record = LiveRecord::for_tests(fields.clone(), (0, 0));
        let settings = live(Shell::Bash, Path::new("/h"), &record);
        assert!(settings.live && !settings.ignorespace);
        assert_eq!(settings.histfile.value, "/h/.bash_history");
        assert_eq!(
            settings.deciding.origin(),
            "live, recorded by the shell hook at 1970-01-01 00:00 UTC"
        );
        fields.retain(|(k, _)| k != "HISTFILE");
        let record = LiveRecord::for_tests(fields, (0, 0));
        assert_eq!(
            live(Shell::Bash, Path::new("/h"), &record).histfile.value,
            ""
        );
    }
}
