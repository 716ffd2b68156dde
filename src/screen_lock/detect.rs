//! Which desktops the person uses, asked in the order of trust: the session's own
//! `XDG_CURRENT_DESKTOP` (only when this environment is the person's), then logind's
//! sessions for their user id, then the lockers' config files in the home.

use std::ffi::OsString;
use std::path::Path;

use super::{Places, exists, run};
use crate::account::Account;
use crate::fs::SafeDir;

/// A desktop or locker whose settings can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Desktop {
    Gnome,
    Cinnamon,
    Mate,
    Kde,
    Xfce,
    Sway,
    Hyprland,
    XScreenSaver,
}

/// The desktops found and how they were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub desktops: Vec<Desktop>,
    /// "XDG_CURRENT_DESKTOP=GNOME", "logind session 3", "config files", or what was tried.
    pub how: String,
}

/// A desktop name as `XDG_CURRENT_DESKTOP`'s elements or logind's `Desktop=` spell
/// it, case-blind.
fn by_name(name: &str) -> Option<Desktop> {
    let name = name.trim().to_ascii_lowercase();
    Some(match name.as_str() {
        "gnome" | "ubuntu" | "unity" | "gnome-flashback" | "gnome-classic" | "pop" => {
            Desktop::Gnome
        }
        "x-cinnamon" | "cinnamon" => Desktop::Cinnamon,
        "mate" => Desktop::Mate,
        "kde" | "plasma" | "plasmawayland" | "plasmax11" => Desktop::Kde,
        "xfce" | "xfce4" => Desktop::Xfce,
        "sway" => Desktop::Sway,
        "hyprland" => Desktop::Hyprland,
        _ => return None,
    })
}

/// The desktops of a colon-separated list (`ubuntu:GNOME` is one desktop).
pub fn from_list(list: &str) -> Vec<Desktop> {
    let mut found = Vec::new();
    for desktop in list.split(':').filter_map(by_name) {
        if !found.contains(&desktop) {
            found.push(desktop);
        }
    }
    found
}

const LOGINCTL: &str = "/usr/bin/loginctl";

/// The session ids of `uid` in `loginctl list-sessions --no-legend` output
/// (`SESSION UID USER SEAT TTY …`).
pub fn sessions_of(listing: &str, uid: u32) -> Vec<String> {
    listing
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let id = fields.next()?;
            let owner = fields.next()?.parse::<u32>().ok()?;
            // Only plain ids go back to loginctl as an argument.
            (owner == uid && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
                .then(|| id.to_owned())
        })
        .collect()
}

/// The desktops of the user's logind sessions; greeters and text sessions give none.
fn from_logind(uid: u32) -> Option<(Vec<Desktop>, String)> {
    let program = Path::new(LOGINCTL);
    let env: [(&str, OsString); 1] = [("SYSTEMD_COLORS", "0".into())];
    let listing = run(
        program,
        &["list-sessions", "--no-legend", "--no-pager"],
        &env,
    )
    .ok()
    .filter(|out| out.success())?;
    let mut found = Vec::new();
    let mut used = Vec::new();
    for id in sessions_of(&listing.stdout_text(), uid)
        .into_iter()
        .take(16)
    {
        let args = [
            "show-session",
            id.as_str(),
            "-p",
            "Desktop",
            "-p",
            "Class",
            "--no-pager",
        ];
        let Ok(out) = run(program, &args, &env) else {
            continue;
        };
        let text = out.stdout_text();
        let class = text.lines().any(|l| l == "Class=user");
        let desktop = text
            .lines()
            .find_map(|l| l.strip_prefix("Desktop="))
            .unwrap_or("");
        if class && let Some(d) = by_name(desktop) {
            used.push(id);
            if !found.contains(&d) {
                found.push(d);
            }
        }
    }
    (!found.is_empty()).then(|| (found, format!("logind sessions {}", used.join(", "))))
}

/// The desktops whose config files are in the home.
fn from_files(home: &SafeDir, places: &Places) -> Vec<Desktop> {
    let c = &places.config;
    let h = &places.home;
    let keyfile_backend = places.own_environment
        && std::env::var_os("GSETTINGS_BACKEND").is_some_and(|b| b == "keyfile")
        && exists(home, &c.join("glib-2.0/settings/keyfile"));
    let signs: [(Desktop, bool); 6] = [
        (
            Desktop::Gnome,
            exists(home, &c.join("dconf/user")) || keyfile_backend,
        ),
        (Desktop::Kde, exists(home, &c.join("kscreenlockerrc"))),
        (
            Desktop::Xfce,
            exists(
                home,
                &c.join("xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml"),
            ),
        ),
        (
            Desktop::Sway,
            exists(home, &c.join("sway/config")) || exists(home, &c.join("swayidle/config")),
        ),
        (
            Desktop::Hyprland,
            exists(home, &c.join("hypr/hypridle.conf"))
                || exists(home, &c.join("hypr/hyprland.conf")),
        ),
        (
            Desktop::XScreenSaver,
            exists(home, &h.join(".xscreensaver")),
        ),
    ];
    signs
        .into_iter()
        .filter_map(|(d, present)| present.then_some(d))
        .collect()
}

/// The desktops to judge for `account`.
pub fn detect(home: &SafeDir, places: &Places, account: &Account) -> Detected {
    let mut detected = detect_sessions(places, account).unwrap_or_else(|| Detected {
        desktops: from_files(home, places),
        how: "the config files in the home".to_owned(),
    });
    // xscreensaver serves desktops without a locker of their own (XFCE may use it).
    let bare = detected.desktops.is_empty() || detected.desktops.contains(&Desktop::Xfce);
    if bare
        && !detected.desktops.contains(&Desktop::XScreenSaver)
        && exists(home, &places.home.join(".xscreensaver"))
    {
        detected.desktops.push(Desktop::XScreenSaver);
    }
    detected
}

fn detect_sessions(places: &Places, account: &Account) -> Option<Detected> {
    if places.own_environment
        && let Some(list) = std::env::var_os("XDG_CURRENT_DESKTOP")
    {
        let list = list.to_string_lossy().into_owned();
        let desktops = from_list(&list);
        if !desktops.is_empty() {
            return Some(Detected {
                desktops,
                how: format!(
                    "XDG_CURRENT_DESKTOP={}",
                    crate::sanitize::display_str(&list)
                ),
            });
        }
    }
    from_logind(account.uid).map(|(desktops, how)| Detected { desktops, how })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_names_are_matched_case_blind_in_colon_lists() {
        assert_eq!(from_list("ubuntu:GNOME"), [Desktop::Gnome]);
        assert_eq!(from_list("X-Cinnamon"), [Desktop::Cinnamon]);
        assert_eq!(from_list("kde"), [Desktop::Kde]);
        assert_eq!(from_list("XFCE:sway"), [Desktop::Xfce, Desktop::Sway]);
        assert!(from_list("LXQt").is_empty());
    }

    #[test]
    fn logind_sessions_are_those_of_the_user_with_plain_ids() {
        let listing = "     3 1000 alice seat0 tty2\n    c1  120 gdm   seat0 tty1\n -x 1000 alice\n  7 1000 alice - pts/0 active no -\n";
        assert_eq!(sessions_of(listing, 1000), ["3", "7"]);
        assert!(sessions_of("garbage\n", 1000).is_empty());
    }
}
