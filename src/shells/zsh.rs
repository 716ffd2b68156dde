//! zsh: where its history goes and whether HIST_IGNORE_SPACE is set, from the
//! system files and the person's, the latter read from ZDOTDIR once a file moves it.

use std::path::PathBuf;

use super::rc::{RcFiles, Vars, keeps_nothing};
use super::{HistorySettings, Origin, Shell, Sourced};

/// Where zsh finds a startup file: in ZDOTDIR, which an earlier file may set.
enum ZshStep {
    System(&'static [&'static str]),
    Dot(&'static str),
}

/// zsh: nothing is saved unless HISTFILE is set and SAVEHIST is above zero; a
/// leading space needs HIST_IGNORE_SPACE (names are case-blind, underscores optional).
/// The person's files are read from ZDOTDIR once a system file or `.zshenv` sets it.
pub(super) fn zsh(files: &mut RcFiles<'_>) -> HistorySettings {
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
            ZshStep::System(paths) => paths.iter().map(crate::sysroot::path).collect(),
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
