//! bash: where its history goes and whether a leading space keeps a command out,
//! from the login and interactive files in the order bash reads them.

use std::path::PathBuf;

use super::rc::{RcFiles, Vars, dir_files, keeps_nothing};
use super::{HistorySettings, Shell, Sourced};
use crate::sanitize::display_path;

pub(super) fn bash_ignorespace(control: Sourced, ignore: Sourced) -> (bool, Sourced, &'static str) {
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
pub(super) fn bash(files: &mut RcFiles<'_>) -> HistorySettings {
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
pub(super) fn bash_paths(files: &RcFiles<'_>) -> Vec<PathBuf> {
    let h = files.home.path();
    let system = crate::sysroot::path;
    let mut paths = vec![system("/etc/profile")];
    paths.extend(dir_files(&system("/etc/profile.d"), ".sh"));
    paths.push(system("/etc/bash.bashrc"));
    paths.push(system("/etc/bashrc"));
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
