//! Wayland compositors lock nothing by themselves: under sway an idle daemon
//! (swayidle) and under Hyprland hypridle must bind a locker to a timeout. So the
//! question asked of their configs is "which timeout runs a locker?", and a config
//! without one is a screen that never locks when left.

use std::path::Path;

use super::{Locker, Timing, Unit, at_line};
use crate::sanitize::display_path;

/// Commands that lock the session (directly, or by asking logind to).
const LOCKERS: &[&str] = &[
    "swaylock",
    "gtklock",
    "waylock",
    "hyprlock",
    "i3lock",
    "xsecurelock",
    "lock-session",
    "xdg-screensaver lock",
];

fn is_locker(command: &str) -> bool {
    LOCKERS.iter().any(|l| command.contains(l))
}

/// Shell-like words: quotes group and are removed, `#` at a word start comments.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// Lines with backslash continuations joined, each with the number of its first line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let (start, mut joined) = pending.take().unwrap_or((n + 1, String::new()));
        match line.strip_suffix('\\') {
            Some(part) => {
                joined.push_str(part);
                joined.push(' ');
                pending = Some((start, joined));
            }
            None => {
                joined.push_str(line);
                out.push((start, joined));
            }
        }
    }
    out.extend(pending);
    out
}

/// The shortest `timeout N 'locker'` among swayidle's arguments.
fn locking_timeout(args: &[String]) -> Option<u64> {
    args.windows(3)
        .filter(|w| w[0] == "timeout" && is_locker(&w[2]))
        .filter_map(|w| w[1].parse::<u64>().ok())
        .min()
}

const SWAY_FIX: &str =
    "add `exec swayidle -w timeout {} 'swaylock -f' before-sleep 'swaylock -f'` to the sway config";

/// sway: swayidle's own config file, else a `swayidle` started from the sway config.
pub fn swayidle(idle_config: Option<(&Path, &str)>, sway_config: Option<(&Path, &str)>) -> Locker {
    let mut locker = Locker::named("swayidle");
    let mut found: Option<(u64, String)> = None;
    let mut started: Option<String> = None;
    if let Some((path, text)) = idle_config {
        let args: Vec<String> = logical_lines(text)
            .iter()
            .flat_map(|(_, line)| words(line))
            .collect();
        started = Some(format!("set in {}", display_path(path)));
        if let Some(t) = locking_timeout(&args) {
            let line = logical_lines(text)
                .into_iter()
                .find(|(_, l)| l.contains(&t.to_string()) && is_locker(l))
                .map_or(1, |(n, _)| n);
            found = Some((t, at_line(path, line)));
        }
    }
    if found.is_none()
        && let Some((path, text)) = sway_config
    {
        for (n, line) in logical_lines(text) {
            let w = words(&line);
            let Some(at) = w.iter().position(|w| w.ends_with("swayidle")) else {
                continue;
            };
            if !w.first().is_some_and(|c| c.starts_with("exec")) {
                continue;
            }
            started.get_or_insert_with(|| at_line(path, n));
            if let Some(t) = locking_timeout(&w[at..])
                && found.as_ref().is_none_or(|(best, _)| t < *best)
            {
                found = Some((t, at_line(path, n)));
            }
        }
    }
    locker.idle = Some(match (found, started) {
        (Some((seconds, origin)), _) => Timing {
            setting: "swayidle timeout".to_owned(),
            seconds,
            shown: format!("{seconds} seconds, running a locker"),
            origin,
            fix: "change the swayidle timeout that runs the locker to {} seconds".to_owned(),
            unit: Unit::Seconds,
        },
        (None, Some(origin)) => Timing {
            setting: "swayidle timeout".to_owned(),
            seconds: 0,
            shown: "no timeout runs a locker (swaylock, gtklock, loginctl lock-session, …)"
                .to_owned(),
            origin,
            fix: SWAY_FIX.to_owned(),
            unit: Unit::Seconds,
        },
        (None, None) => Timing {
            setting: "swayidle".to_owned(),
            seconds: 0,
            shown: "not started: sway alone never locks".to_owned(),
            origin: "no swayidle config, and no `exec swayidle` in the sway config".to_owned(),
            fix: SWAY_FIX.to_owned(),
            unit: Unit::Seconds,
        },
    });
    locker
}

const HYPR_FIX: &str = "add `listener { timeout = {} ; on-timeout = loginctl lock-session }` and `general { lock_cmd = pidof hyprlock || hyprlock }` to ~/.config/hypr/hypridle.conf";

/// Hyprland: the listeners of `hypridle.conf` whose `on-timeout` locks.
pub fn hypridle(config: Option<(&Path, &str)>) -> Locker {
    let mut locker = Locker::named("hypridle");
    let Some((path, text)) = config else {
        locker.idle = Some(Timing {
            setting: "hypridle".to_owned(),
            seconds: 0,
            shown: "no hypridle.conf: Hyprland alone never locks".to_owned(),
            origin: "not configured".to_owned(),
            fix: HYPR_FIX.to_owned(),
            unit: Unit::Seconds,
        });
        return locker;
    };
    let mut section: Vec<String> = Vec::new();
    let mut lock_cmd = String::new();
    // Each listener: (timeout, on-timeout, line of its timeout).
    let mut listeners: Vec<(Option<u64>, String, usize)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_suffix('{') {
            section.push(name.trim().to_owned());
            if name.trim() == "listener" {
                listeners.push((None, String::new(), n + 1));
            }
            continue;
        }
        if line == "}" {
            section.pop();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match (section.last().map(String::as_str), key) {
            (Some("general"), "lock_cmd") => lock_cmd = value.to_owned(),
            (Some("listener"), "timeout") => {
                if let Some(l) = listeners.last_mut() {
                    l.0 = value.parse().ok();
                    l.2 = n + 1;
                }
            }
            (Some("listener"), "on-timeout") => {
                if let Some(l) = listeners.last_mut() {
                    l.1 = value.to_owned();
                }
            }
            _ => {}
        }
    }
    // `loginctl lock-session` only asks; hypridle's lock_cmd does the locking.
    let locks =
        |cmd: &str| is_locker(cmd) && (!cmd.contains("lock-session") || is_locker(&lock_cmd));
    let best = listeners
        .iter()
        .filter(|(_, cmd, _)| locks(cmd))
        .filter_map(|(t, _, line)| t.map(|t| (t, *line)))
        .min();
    if lock_cmd.is_empty() && listeners.iter().any(|(_, c, _)| c.contains("lock-session")) {
        locker.notes.push(
            "a listener runs `loginctl lock-session`, but general's lock_cmd is not set, so nothing locks".to_owned(),
        );
    }
    locker.idle = Some(match best {
        Some((seconds, line)) => Timing {
            setting: "hypridle listener timeout".to_owned(),
            seconds,
            shown: format!("{seconds} seconds, running a locker"),
            origin: at_line(path, line),
            fix: "set that listener's timeout to {} in ~/.config/hypr/hypridle.conf".to_owned(),
            unit: Unit::Seconds,
        },
        None => Timing {
            setting: "hypridle listener".to_owned(),
            seconds: 0,
            shown: "no listener's on-timeout locks".to_owned(),
            origin: format!("set in {}", display_path(path)),
            fix: HYPR_FIX.to_owned(),
            unit: Unit::Seconds,
        },
    });
    locker
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn swayidle_counts_only_a_timeout_that_runs_a_locker() {
        let sway = Path::new("/h/.config/sway/config");
        let text = "set $mod Mod4\nexec swayidle -w \\\n  timeout 600 'swaymsg \"output * power off\"' \\\n  timeout 300 'swaylock -f -c 000000' \\\n  before-sleep 'swaylock -f'\n";
        let idle = swayidle(None, Some((sway, text))).idle.unwrap();
        assert_eq!(idle.seconds, 300);
        assert_eq!(idle.origin, "set in /h/.config/sway/config:2");
        let text = "exec swayidle -w timeout 600 'swaymsg \"output * power off\"'\n";
        let idle = swayidle(None, Some((sway, text))).idle.unwrap();
        assert_eq!(idle.seconds, 0);
        assert!(idle.shown.starts_with("no timeout runs a locker"));
        let idle = swayidle(None, Some((sway, "# exec swayidle timeout 1 swaylock\n")))
            .idle
            .unwrap();
        assert!(idle.shown.starts_with("not started"), "{idle:?}");
        let own = Path::new("/h/.config/swayidle/config");
        let idle = swayidle(
            Some((own, "timeout 120 'loginctl lock-session'\nlock swaylock\n")),
            None,
        )
        .idle
        .unwrap();
        assert_eq!(
            (idle.seconds, idle.origin.as_str()),
            (120, "set in /h/.config/swayidle/config:1")
        );
    }

    #[test]
    fn hypridle_needs_a_listener_that_locks() {
        let path = Path::new("/h/.config/hypr/hypridle.conf");
        let text = "general {\n    lock_cmd = pidof hyprlock || hyprlock\n}\n\nlistener {\n    timeout = 150\n    on-timeout = brightnessctl -s set 10\n}\nlistener {\n    timeout = 600 # ten minutes\n    on-timeout = loginctl lock-session\n}\n";
        let idle = hypridle(Some((path, text))).idle.unwrap();
        assert_eq!(
            (idle.seconds, idle.origin.as_str()),
            (600, "set in /h/.config/hypr/hypridle.conf:10")
        );
        // Without lock_cmd, lock-session locks nothing.
        let text = "listener {\n timeout = 300\n on-timeout = loginctl lock-session\n}\n";
        let locker = hypridle(Some((path, text)));
        assert_eq!(locker.idle.unwrap().seconds, 0);
        assert_eq!(locker.notes.len(), 1);
        assert_eq!(hypridle(None).idle.unwrap().seconds, 0);
    }
}
