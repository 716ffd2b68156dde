//! Screen locking (policy `desktop-locking`): the standard says to lock the screen or
//! the shell, or log out, whenever you step away. This check holds each desktop's
//! effective lock settings (`crate::screen_lock`) against the policy's limits, and the text
//! console's TMOUT or tmux lock for the shells in use. A broken limit names the
//! setting, its value, where it came from and the command that fixes it; what
//! cannot be determined is a reminder, never a pass.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status};
use crate::policy::Level;
use crate::screen_lock::console::{self, Console};
use crate::screen_lock::detect::{self, Desktop};
use crate::screen_lock::gsettings::{self, Family};
use crate::screen_lock::{ConfigError, Locker, Places, files, read_config, wayland};
use crate::shells::{self, Shell};

const ID: &str = "screen-lock";
const ITEM: &str = "desktop-locking";

/// The standard's advice, for whatever a file cannot show.
const ADVICE: &str =
    "whenever you step away, lock the screen (or the shell, with vlock) or log out";

pub struct ScreenLock;

/// The policy's limits.
struct Limits {
    require: bool,
    idle: u64,
    delay: u64,
    level: Level,
}

impl Check for ScreenLock {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "GNOME, Cinnamon, MATE, KDE Plasma, XFCE, xscreensaver, sway and Hyprland: whether the screen locks by itself, and how soon; TMOUT and tmux for text sessions"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "lock-ok",
            "lock-disabled",
            "lock-never-idle",
            "lock-idle-too-long",
            "lock-delay-too-long",
            "lock-unknown",
            "lock-console-ok",
            "lock-console-too-long",
            "lock-console-not-readonly",
            "lock-console-none",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let limits = Limits {
            require: cx.policy.flag(ITEM, "require-lock"),
            idle: cx.policy.number(ITEM, "max-idle-seconds"),
            delay: cx.policy.number(ITEM, "max-lock-delay-seconds"),
            level: cx.policy.level(ITEM),
        };
        let places = Places::of(cx.account);
        let detected = detect::detect(home, &places, cx.account);
        for desktop in &detected.desktops {
            let locker = read(*desktop, home, &places);
            out.extend(judge(&locker, &limits, &detected.how));
        }
        let in_use: Vec<Shell> = shells::shells_in_use(home, &cx.account.shell)
            .into_iter()
            .filter(|s| matches!(s, Shell::Bash | Shell::Zsh))
            .collect();
        if !in_use.is_empty() {
            out.extend(judge_console(
                &console::read(home, &places, &in_use),
                &limits,
            ));
        }
        if detected.desktops.is_empty() {
            out.push(
                Finding::new(ID, ITEM, limits.level, Status::Remind, "lock-unknown").says(format!(
                    "no desktop was found (XDG_CURRENT_DESKTOP, logind's sessions, the lockers' config files), so no screen lock could be checked; {ADVICE}"
                )),
            );
        }
        Ok(())
    }
}

/// One desktop's settings, read from its own store.
fn read(desktop: Desktop, home: &crate::fs::SafeDir, places: &Places) -> Locker {
    let file =
        |path: std::path::PathBuf| -> (std::path::PathBuf, Result<Option<String>, ConfigError>) {
            let text = read_config(home, &path);
            (path, text)
        };
    // A file that could not be read safely is named, and its values stay unknown.
    let mut refused: Vec<String> = Vec::new();
    let mut take =
        |(path, text): (std::path::PathBuf, Result<Option<String>, ConfigError>)| match text {
            Ok(Some(text)) => Some((path, text)),
            Ok(None) => None,
            Err(why) => {
                refused.push(why.to_string());
                None
            }
        };
    let c = &places.config;
    let mut locker = match desktop {
        Desktop::Gnome => gsettings::read(Family::Gnome, home, places),
        Desktop::Cinnamon => gsettings::read(Family::Cinnamon, home, places),
        Desktop::Mate => gsettings::read(Family::Mate, home, places),
        Desktop::Kde => {
            let system = take(file(crate::sysroot::path("/etc/xdg/kscreenlockerrc")));
            let user = take(file(c.join("kscreenlockerrc")));
            files::kde(as_text(&system), as_text(&user))
        }
        Desktop::Xfce => {
            let rel = "xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml";
            let system = take(file(crate::sysroot::path("/etc/xdg").join(rel)));
            let user = take(file(c.join(rel)));
            let installed = crate::screen_lock::installed("/usr/bin/xfce4-screensaver");
            if system.is_none() && user.is_none() && !installed {
                let mut l = Locker::named("XFCE");
                l.unknown.push(
                    "xfce4-screensaver is not installed and has no settings; light-locker or xscreensaver may lock instead".to_owned(),
                );
                l
            } else {
                files::xfce(as_text(&system), as_text(&user))
            }
        }
        Desktop::XScreenSaver => {
            let system = take(file(crate::sysroot::path(
                "/usr/share/X11/app-defaults/XScreenSaver",
            )));
            let user = take(file(places.home.join(".xscreensaver")));
            files::xscreensaver(as_text(&system), as_text(&user))
        }
        Desktop::Sway => {
            let idle = take(file(c.join("swayidle/config")))
                .or_else(|| take(file(places.home.join(".swayidle/config"))));
            let sway = take(file(c.join("sway/config")))
                .or_else(|| take(file(places.home.join(".sway/config"))))
                .or_else(|| take(file(crate::sysroot::path("/etc/sway/config"))));
            wayland::swayidle(as_text(&idle), as_text(&sway))
        }
        Desktop::Hyprland => {
            let conf = take(file(c.join("hypr/hypridle.conf")));
            wayland::hypridle(as_text(&conf))
        }
    };
    locker.unknown.extend(refused);
    locker
}

fn as_text(file: &Option<(std::path::PathBuf, String)>) -> Option<(&std::path::Path, &str)> {
    file.as_ref().map(|(p, t)| (p.as_path(), t.as_str()))
}

/// The findings for one locker: one failure per broken limit, else a pass or a
/// reminder when something could not be determined.
fn judge(l: &Locker, limits: &Limits, how: &str) -> Vec<Finding> {
    let finding = |status, code| Finding::new(ID, ITEM, limits.level, status, code);
    let notes: String = l.notes.iter().map(|n| format!("; {n}")).collect();
    let (off_status, off_level) = if limits.require {
        (Status::Fail, limits.level)
    } else {
        (Status::Warn, Level::Should)
    };
    let mut out = Vec::new();
    for flag in l.flags.iter().filter(|f| !f.locks) {
        out.push(
            finding(off_status, "lock-disabled")
                .level(off_level)
                .says(format!(
                    "{}: {} is {} ({}): the screen does not lock{notes}",
                    l.name, flag.setting, flag.shown, flag.origin
                ))
                .fix(flag.fix.clone()),
        );
    }
    if let Some(idle) = &l.idle {
        if idle.seconds == 0 {
            out.push(
                finding(off_status, "lock-never-idle")
                    .level(off_level)
                    .says(format!(
                        "{}: {} is {} ({}): the screen never locks by itself when left idle; the policy allows at most {} seconds{notes}",
                        l.name, idle.setting, idle.shown, idle.origin, limits.idle
                    ))
                    .fix(idle.fix_for(limits.idle, true)),
            );
        } else if idle.seconds > limits.idle {
            out.push(
                finding(Status::Fail, "lock-idle-too-long")
                    .says(format!(
                        "{}: {} is {} ({}): the screen stays unlocked for {} seconds when left idle; the policy allows at most {} seconds{notes}",
                        l.name, idle.setting, idle.shown, idle.origin, idle.seconds, limits.idle
                    ))
                    .fix(idle.fix_for(limits.idle, true)),
            );
        }
    }
    if let Some(delay) = &l.delay
        && delay.seconds > limits.delay
    {
        out.push(
            finding(Status::Fail, "lock-delay-too-long")
                .says(format!(
                    "{}: {} is {} ({}): the screen locks {} seconds after it blanks; the policy allows at most {} seconds{notes}",
                    l.name, delay.setting, delay.shown, delay.origin, delay.seconds, limits.delay
                ))
                .fix(delay.fix_for(limits.delay, false)),
        );
    }
    if !out.is_empty() {
        return out;
    }
    let known: Vec<String> = l
        .idle
        .iter()
        .chain(l.delay.iter())
        .map(|t| format!("{} is {} ({})", t.setting, t.shown, t.origin))
        .chain(
            l.flags
                .iter()
                .map(|f| format!("{} is {} ({})", f.setting, f.shown, f.origin)),
        )
        .collect();
    if l.idle.is_none() || !l.unknown.is_empty() {
        let mut what = l.unknown.clone();
        if l.idle.is_none() && what.is_empty() {
            what.push("the idle time is not known".to_owned());
        }
        let known = if known.is_empty() {
            String::new()
        } else {
            format!("; known: {}", known.join(", "))
        };
        return vec![finding(Status::Remind, "lock-unknown").says(format!(
            "{} (found by {how}): the lock settings could not all be determined: {}{known}; {ADVICE}{notes}",
            l.name,
            what.join("; ")
        ))];
    }
    vec![finding(Status::Pass, "lock-ok").says(format!(
        "{} (found by {how}) locks by itself: {}{notes}",
        l.name,
        known.join(", ")
    ))]
}

/// TMOUT for each shell, with tmux's lock as the other way an idle session ends.
fn judge_console(c: &Console, limits: &Limits) -> Vec<Finding> {
    let finding = |status, code| Finding::new(ID, ITEM, limits.level, status, code);
    let fix = format!(
        "as root, put `TMOUT={}; readonly TMOUT; export TMOUT` in /etc/profile.d/tmout.sh (or, for yourself, in ~/.bashrc or ~/.zshrc)",
        limits.idle
    );
    let mut out = Vec::new();
    for (shell, var) in &c.tmout {
        let name = shell.name();
        let seconds = var
            .value
            .as_ref()
            .and_then(|v| v.value.trim().parse::<u64>().ok())
            .filter(|s| *s > 0);
        let (Some(seconds), Some(value)) = (seconds, &var.value) else {
            out.push(judge_tmux(c, limits, name, &fix));
            continue;
        };
        let set = format!("{name}: TMOUT is {seconds} seconds ({})", value.origin());
        let finding = if seconds > limits.idle {
            finding(Status::Fail, "lock-console-too-long")
                .says(format!(
                    "{set}: an idle shell stays open longer than the policy's {} seconds",
                    limits.idle
                ))
                .fix(fix.clone())
        } else if let Some(at) = &var.readonly {
            finding(Status::Pass, "lock-console-ok")
                .says(format!("{set}, readonly ({at}): an idle shell exits"))
        } else {
            finding(Status::Warn, "lock-console-not-readonly")
                .level(Level::Should)
                .says(format!(
                    "{set}, but not readonly, so any command can unset it"
                ))
                .fix(fix.clone())
        };
        out.push(finding);
    }
    out
}

/// Without TMOUT, tmux's lock is what remains; without either, a reminder — a text
/// session has no screen lock to check.
fn judge_tmux(c: &Console, limits: &Limits, shell: &str, fix: &str) -> Finding {
    let finding = |status, code| Finding::new(ID, ITEM, limits.level, status, code);
    match &c.tmux {
        Some(t) if t.seconds > limits.idle => finding(Status::Fail, "lock-console-too-long")
            .says(format!(
                "{shell}: TMOUT is not set, and {} is {} ({}): tmux locks after more than the policy's {} seconds",
                t.setting, t.shown, t.origin, limits.idle
            ))
            .fix(t.fix_for(limits.idle, true)),
        Some(t) if t.seconds > 0 => finding(Status::Pass, "lock-console-ok").says(format!(
            "{shell}: TMOUT is not set, but {} is {} ({}): tmux locks an idle session",
            t.setting, t.shown, t.origin
        )),
        _ => finding(Status::Remind, "lock-console-none")
            .says(format!(
                "{shell}: TMOUT is not set and no tmux lock-after-time is, so an idle text or SSH session stays open; {ADVICE}"
            ))
            .fix(fix.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::screen_lock::{Flag, Timing, Unit};

    fn limits() -> Limits {
        Limits {
            require: true,
            idle: 900,
            delay: 5,
            level: Level::Must,
        }
    }

    fn timing(setting: &str, seconds: u64) -> Timing {
        Timing {
            setting: setting.to_owned(),
            seconds,
            shown: format!("{seconds} seconds"),
            origin: "default".to_owned(),
            fix: "gsettings set x {}".to_owned(),
            unit: Unit::Seconds,
        }
    }

    fn codes(findings: &[Finding]) -> Vec<(&'static str, Status)> {
        findings.iter().map(|f| (f.code, f.status)).collect()
    }

    #[test]
    fn each_broken_limit_is_its_own_must_failure_with_the_fix() {
        let mut l = Locker::named("GNOME");
        l.flags.push(Flag {
            setting: "org.gnome.desktop.screensaver lock-enabled".to_owned(),
            locks: false,
            shown: "false".to_owned(),
            origin: "default".to_owned(),
            fix: "gsettings set org.gnome.desktop.screensaver lock-enabled true".to_owned(),
        });
        l.idle = Some(timing("org.gnome.desktop.session idle-delay", 0));
        l.delay = Some(timing("org.gnome.desktop.screensaver lock-delay", 30));
        let found = judge(&l, &limits(), "test");
        assert_eq!(
            codes(&found),
            [
                ("lock-disabled", Status::Fail),
                ("lock-never-idle", Status::Fail),
                ("lock-delay-too-long", Status::Fail)
            ]
        );
        assert!(found.iter().all(Finding::is_must_failure));
        assert_eq!(found[1].fix.as_deref(), Some("gsettings set x 900"));
        assert_eq!(found[2].fix.as_deref(), Some("gsettings set x 5"));
        l.idle = Some(timing("idle", 1800));
        assert!(
            judge(&l, &limits(), "t")
                .iter()
                .any(|f| f.code == "lock-idle-too-long")
        );
        // A policy that does not require locking warns instead.
        let lax = Limits {
            require: false,
            ..limits()
        };
        let found = judge(&l, &lax, "t");
        assert_eq!(found[0].status, Status::Warn);
    }

    #[test]
    fn within_the_limits_passes_and_anything_unknown_only_reminds() {
        let mut l = Locker::named("KDE Plasma");
        l.idle = Some(timing("Timeout", 600));
        l.delay = Some(timing("LockGrace", 5));
        assert_eq!(
            codes(&judge(&l, &limits(), "t")),
            [("lock-ok", Status::Pass)]
        );
        l.unknown.push("kscreenlockerrc is a FIFO".to_owned());
        assert_eq!(
            codes(&judge(&l, &limits(), "t")),
            [("lock-unknown", Status::Remind)]
        );
        let empty = Locker::named("MATE");
        assert_eq!(
            codes(&judge(&empty, &limits(), "t")),
            [("lock-unknown", Status::Remind)]
        );
    }
}
