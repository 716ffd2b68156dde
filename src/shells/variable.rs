//! One variable as bash's or zsh's startup files leave it — for the console's
//! TMOUT, which the screen-lock check judges: its last value, and whether it was
//! made readonly or exported on the way.

use std::path::PathBuf;

use super::bash::bash_paths;
use super::rc::{RcFiles, unquote};
use super::{Origin, Shell, Sourced};
use crate::fs::SafeDir;

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
            None => crate::sysroot::path(p),
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
pub(super) fn apply_statement(statement: &str, name: &str, at: &str, var: &mut RcVariable) {
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
