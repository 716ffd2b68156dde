//! Text consoles and SSH sessions have no screen locker: what protects an idle one
//! is `TMOUT` (bash and zsh exit an idle prompt; CIS asks for it set, at most 900
//! seconds and readonly) or tmux's `lock-after-time`. Both are read from the files,
//! never by running a shell.

use std::path::{Path, PathBuf};

use super::{Places, Timing, Unit, at_line, read_config};
use crate::fs::SafeDir;
use crate::shells::{self, RcVariable, Shell};

/// What an idle text session does, as the files say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Console {
    /// TMOUT per shell in use that honours it (bash, zsh).
    pub tmout: Vec<(Shell, RcVariable)>,
    /// tmux's `lock-after-time` (0 = never), when a tmux config exists.
    pub tmux: Option<Timing>,
}

/// The tmux config files, in the order tmux reads them; only the first of the
/// person's is read (tmux 3.2's search order).
fn tmux_files(places: &Places) -> (PathBuf, [PathBuf; 3]) {
    (
        crate::sysroot::path("/etc/tmux.conf"),
        [
            places.home.join(".tmux.conf"),
            places.config.join("tmux/tmux.conf"),
            places.home.join(".config/tmux/tmux.conf"),
        ],
    )
}

/// `lock-after-time` and `lock-command` from tmux config text: `set[-option]
/// [-g] [-s] lock-after-time N`.
pub fn tmux_settings(path: &Path, text: &str) -> (Option<(u64, String)>, Option<String>) {
    let mut after = None;
    let mut command = None;
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line
            .split('#')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if !words
            .first()
            .is_some_and(|w| matches!(*w, "set" | "set-option"))
        {
            continue;
        }
        let rest: Vec<&str> = words[1..]
            .iter()
            .copied()
            .skip_while(|w| w.starts_with('-'))
            .collect();
        match rest.as_slice() {
            ["lock-after-time", value, ..] => {
                if let Ok(seconds) = value.trim_matches(['"', '\'']).parse::<u64>() {
                    after = Some((seconds, at_line(path, n + 1)));
                }
            }
            ["lock-command", value @ ..] => command = Some(value.join(" ")),
            _ => {}
        }
    }
    (after, command)
}

/// The console settings for the shells in use.
pub fn read(home: &SafeDir, places: &Places, in_use: &[Shell]) -> Console {
    let tmout = in_use
        .iter()
        .filter_map(|&shell| shells::rc_variable(home, shell, "TMOUT").map(|v| (shell, v)))
        .collect();
    let (system, own) = tmux_files(places);
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    if let Ok(Some(text)) = read_config(home, &system) {
        texts.push((system, text));
    }
    if let Some((path, text)) = own
        .into_iter()
        .find_map(|p| read_config(home, &p).ok().flatten().map(|t| (p, t)))
    {
        texts.push((path, text));
    }
    let tmux = (!texts.is_empty()).then(|| {
        let mut after = None;
        let mut command = None;
        for (path, text) in &texts {
            let (a, c) = tmux_settings(path, text);
            after = a.or(after);
            command = c.or(command);
        }
        let command = command.unwrap_or_else(|| "lock -np".to_owned());
        let (seconds, origin) = after.unwrap_or((0, "default".to_owned()));
        Timing {
            setting: "tmux lock-after-time".to_owned(),
            seconds,
            shown: format!(
                "{seconds} seconds (lock-command {})",
                crate::sanitize::display_str(&command)
            ),
            origin,
            fix: "add `set -g lock-after-time {}` and `set -g lock-command vlock` to ~/.tmux.conf"
                .to_owned(),
            unit: Unit::Seconds,
        }
    });
    Console { tmout, tmux }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmux_lock_after_time_is_read_with_its_line() {
        let path = Path::new("/h/.tmux.conf");
        let text =
            "set -g mouse on\nset-option -g lock-after-time 600 # ten\nset -g lock-command vlock\n";
        let (after, command) = tmux_settings(path, text);
        assert_eq!(after, Some((600, "set in /h/.tmux.conf:2".to_owned())));
        assert_eq!(command.as_deref(), Some("vlock"));
        assert_eq!(
            tmux_settings(path, "# set -g lock-after-time 5\n"),
            (None, None)
        );
    }
}
