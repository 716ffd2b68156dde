//! How each shell keeps its history, read from the files the shell reads — parsed,
//! never run: `bash -ic` would run arbitrary code, and an rc file that lowers
//! HISTFILESIZE truncates the real history as it loads. Each value is reported with
//! where it was set ("set in FILE:LINE") or as the shell's default. Conditionals are
//! not evaluated; the last assignment in reading order wins, which is what happens
//! when they are not taken (Fedora's `/etc/profile` then leaves HISTCONTROL at
//! `ignoredups`, so a leading space does not keep a command out of history there).
//! When the shell hook has recorded the live values (`record`), they win.

mod bash;
mod fish;
mod rc;
pub mod record;
#[cfg(test)]
mod tests;
mod variable;
mod zsh;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use self::record::{LiveRecord, Lookup};
use crate::account::Account;
use crate::fs::SafeDir;
use crate::sanitize::display_path;
use bash::bash_ignorespace;
use fish::{fish_history_file, fish_session, fish_settings};
use rc::{RcFiles, keeps_nothing};

pub use variable::{RcVariable, rc_variable};

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
                crate::time::utc_minute(*written)
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
        Shell::Bash => bash::bash(&mut files),
        Shell::Zsh => zsh::zsh(&mut files),
        Shell::Fish => fish::fish(&mut files),
    };
    let state = crate::state::dir(account);
    match record::read(home, &state, account.uid, shell) {
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
