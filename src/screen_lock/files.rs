//! The lockers configured by plain files: KDE Plasma's `kscreenlockerrc` (INI),
//! xfce4-screensaver's xfconf XML, and `~/.xscreensaver`. Each is layered the way
//! its program layers it — built-in defaults, then the system file, then the
//! person's — and every value keeps the file and line it came from.

use std::collections::HashMap;
use std::path::Path;

use super::{Flag, Locker, Timing, Unit, at_line};
use crate::sanitize::display_str;

/// A value and where it was set; `None` origin means the built-in default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set {
    pub value: String,
    pub origin: Option<String>,
}

impl Set {
    fn default(value: &str) -> Set {
        Set {
            value: value.to_owned(),
            origin: None,
        }
    }

    fn origin(&self) -> String {
        self.origin.clone().unwrap_or_else(|| "default".to_owned())
    }
}

/// KDE's and X resources' booleans.
fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A file's text and its path, as read through the safe layer.
pub type Text<'a> = (&'a Path, &'a str);

// ---- KDE Plasma -------------------------------------------------------------

/// The `[Daemon]` keys of one kscreenlockerrc: value, line, and whether the key is
/// immutable (`[$i]` on the key, the group or the whole file — KDE's Kiosk).
fn kde_daemon(text: &str) -> HashMap<String, (String, usize, bool)> {
    let mut keys = HashMap::new();
    let mut group: Option<String> = None;
    let mut file_immutable = false;
    let mut group_immutable = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[$i]" && group.is_none() {
            file_immutable = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.split(']').next().unwrap_or("");
            group = Some(name.to_owned());
            group_immutable = line.ends_with("[$i]");
            continue;
        }
        if group.as_deref() != Some("Daemon") {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let (key, immutable) = match key.strip_suffix("[$i]") {
            Some(key) => (key.trim(), true),
            None => (key, false),
        };
        keys.insert(
            key.to_owned(),
            (
                value.trim().to_owned(),
                n + 1,
                immutable || group_immutable || file_immutable,
            ),
        );
    }
    keys
}

/// KDE Plasma's screen locker: `/etc/xdg/kscreenlockerrc` under the person's file,
/// over the defaults of kscreenlocker's `kscreenlockersettings.kcfg`.
pub fn kde(system: Option<Text<'_>>, user: Option<Text<'_>>) -> Locker {
    let mut values: HashMap<&str, Set> = HashMap::from([
        ("Autolock", Set::default("true")),
        ("Lock", Set::default("true")),
        ("LockOnResume", Set::default("true")),
        ("Timeout", Set::default("5")),
        ("LockGrace", Set::default("5")),
    ]);
    let mut immutable: Vec<&str> = Vec::new();
    for (path, text) in [system, user].into_iter().flatten() {
        let parsed = kde_daemon(text);
        for key in ["Autolock", "Lock", "LockOnResume", "Timeout", "LockGrace"] {
            let Some((value, line, fixed)) = parsed.get(key) else {
                continue;
            };
            if immutable.contains(&key) {
                continue;
            }
            values.insert(
                key,
                Set {
                    value: value.clone(),
                    origin: Some(at_line(path, *line)),
                },
            );
            if *fixed {
                immutable.push(key);
            }
        }
    }
    let mut locker = Locker::named("KDE Plasma");
    let write = |key: &str, value: &str| {
        format!("kwriteconfig6 --file kscreenlockerrc --group Daemon --key {key} {value}")
    };
    let origin = |key: &str, set: &Set| {
        if immutable.contains(&key) {
            format!("{}; immutable ([$i])", set.origin())
        } else {
            set.origin()
        }
    };
    for key in ["Autolock", "Lock", "LockOnResume"] {
        let set = &values[key];
        match truthy(&set.value) {
            Some(on) => locker.flags.push(Flag {
                setting: format!("kscreenlockerrc [Daemon] {key}"),
                locks: on,
                shown: display_str(&set.value),
                origin: origin(key, set),
                fix: write(key, "true"),
            }),
            None => locker.unknown.push(format!(
                "kscreenlockerrc [Daemon] {key} is \"{}\" ({}), not a boolean",
                display_str(&set.value),
                set.origin()
            )),
        }
    }
    for (key, unit, per) in [
        ("Timeout", Unit::Minutes, 60),
        ("LockGrace", Unit::Seconds, 1),
    ] {
        let set = &values[key];
        let Ok(n) = set.value.trim().parse::<u64>() else {
            locker.unknown.push(format!(
                "kscreenlockerrc [Daemon] {key} is \"{}\" ({}), not a number",
                display_str(&set.value),
                set.origin()
            ));
            continue;
        };
        let timing = Timing {
            setting: format!("kscreenlockerrc [Daemon] {key}"),
            seconds: n.saturating_mul(per),
            shown: format!("{n} {}", if per == 60 { "minutes" } else { "seconds" }),
            origin: origin(key, set),
            fix: write(key, "{}"),
            unit,
        };
        if key == "Timeout" {
            locker.idle = Some(timing);
        } else {
            locker.delay = Some(timing);
        }
    }
    locker
}

// ---- xfce4-screensaver ---------------------------------------------------------

/// The properties of an xfconf channel file, by path (`/lock/enabled`), with their
/// value and line. A small reader of `<property name=".." type=".." value="..">`
/// nesting — enough for what xfconfd writes, and it gives up on anything deeper
/// than real channels go.
pub fn xfconf_properties(text: &str) -> HashMap<String, (String, usize)> {
    const MAX_DEPTH: usize = 32;
    let mut found = HashMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text;
    let mut line = 1;
    while let Some(open) = rest.find('<') {
        line += rest[..open].matches('\n').count();
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            break;
        };
        let tag = &after[..=close];
        line += tag.matches('\n').count();
        rest = &after[close + 1..];
        if tag.starts_with("</property") {
            stack.pop();
            continue;
        }
        if !tag.starts_with("<property") {
            continue;
        }
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        let path = format!("{}/{name}", stack.concat());
        if let Some(value) = attribute(tag, "value") {
            found.insert(path.clone(), (value, line));
        }
        if !tag.ends_with("/>") {
            if stack.len() >= MAX_DEPTH {
                break;
            }
            stack.push(format!("/{name}"));
        }
    }
    found
}

/// `name="value"` inside a tag, with XML's five entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// xfce4-screensaver's channel, the system file under the person's, over the
/// defaults of `src/gs-prefs.h`.
pub fn xfce(system: Option<Text<'_>>, user: Option<Text<'_>>) -> Locker {
    let mut values: HashMap<&str, Set> = HashMap::from([
        ("/saver/enabled", Set::default("true")),
        ("/saver/idle-activation/enabled", Set::default("true")),
        ("/lock/enabled", Set::default("true")),
        ("/lock/saver-activation/enabled", Set::default("true")),
        ("/saver/idle-activation/delay", Set::default("5")),
        ("/lock/saver-activation/delay", Set::default("0")),
    ]);
    for (path, text) in [system, user].into_iter().flatten() {
        // The line found is where the property's tag ends.
        for (key, (value, line)) in xfconf_properties(text) {
            if let Some(slot) = values.get_mut(key.as_str()) {
                *slot = Set {
                    value,
                    origin: Some(at_line(path, line)),
                };
            }
        }
    }
    let mut locker = Locker::named("xfce4-screensaver");
    let query = |key: &str, kind: &str, value: &str| {
        format!("xfconf-query -c xfce4-screensaver -p {key} -n -t {kind} -s {value}")
    };
    for key in [
        "/saver/enabled",
        "/saver/idle-activation/enabled",
        "/lock/enabled",
        "/lock/saver-activation/enabled",
    ] {
        let set = &values[key];
        match truthy(&set.value) {
            Some(on) => locker.flags.push(Flag {
                setting: format!("xfce4-screensaver {key}"),
                locks: on,
                shown: display_str(&set.value),
                origin: set.origin(),
                fix: query(key, "bool", "true"),
            }),
            None => locker.unknown.push(format!(
                "xfce4-screensaver {key} is \"{}\" ({})",
                display_str(&set.value),
                set.origin()
            )),
        }
    }
    for key in [
        "/saver/idle-activation/delay",
        "/lock/saver-activation/delay",
    ] {
        let set = &values[key];
        let Ok(minutes) = set.value.trim().parse::<u64>() else {
            locker.unknown.push(format!(
                "xfce4-screensaver {key} is \"{}\" ({}), not a number",
                display_str(&set.value),
                set.origin()
            ));
            continue;
        };
        let timing = Timing {
            setting: format!("xfce4-screensaver {key}"),
            seconds: minutes.saturating_mul(60),
            shown: format!("{minutes} minutes"),
            origin: set.origin(),
            fix: query(key, "int", "{}"),
            unit: Unit::Minutes,
        };
        if key.starts_with("/saver") {
            locker.idle = Some(timing);
        } else {
            locker.delay = Some(timing);
        }
    }
    locker
}

// ---- xscreensaver --------------------------------------------------------------

/// An X resource time: `H:MM:SS`, `MM:SS`, or a bare number of minutes.
pub fn resource_seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    if !value.contains(':') {
        return value.parse::<u64>().ok()?.checked_mul(60);
    }
    value.split(':').try_fold(0u64, |acc, part| {
        acc.checked_mul(60)?
            .checked_add(part.trim().parse::<u64>().ok()?)
    })
}

/// xscreensaver: the app-defaults file under `~/.xscreensaver`, over the defaults
/// of 6.x's `XScreenSaver.ad.in` — where `lock:` is off.
pub fn xscreensaver(system: Option<Text<'_>>, user: Option<Text<'_>>) -> Locker {
    let mut values: HashMap<&str, Set> = HashMap::from([
        ("timeout", Set::default("0:10:00")),
        ("lock", Set::default("False")),
        ("lockTimeout", Set::default("0:00:00")),
    ]);
    for (path, text) in [system, user].into_iter().flatten() {
        for (n, raw) in text.lines().enumerate() {
            let Some((key, value)) = raw.split_once(':') else {
                continue;
            };
            // `*timeout:` and `XScreenSaver.timeout:` in app-defaults, `timeout:` at home.
            let key = key.trim().trim_start_matches('*');
            let key = key.rsplit('.').next().unwrap_or(key);
            if let Some(slot) = values.get_mut(key) {
                *slot = Set {
                    value: value.trim().to_owned(),
                    origin: Some(at_line(path, n + 1)),
                };
            }
        }
    }
    let mut locker = Locker::named("xscreensaver");
    let edit = |key: &str, value: &str| {
        format!("set `{key}: {value}` in ~/.xscreensaver (or use xscreensaver-settings)")
    };
    let lock = &values["lock"];
    match truthy(&lock.value) {
        Some(on) => locker.flags.push(Flag {
            setting: "xscreensaver lock".to_owned(),
            locks: on,
            shown: display_str(&lock.value),
            origin: lock.origin(),
            fix: edit("lock", "True"),
        }),
        None => locker.unknown.push(format!(
            "xscreensaver lock is \"{}\" ({})",
            display_str(&lock.value),
            lock.origin()
        )),
    }
    for key in ["timeout", "lockTimeout"] {
        let set = &values[key];
        let Some(seconds) = resource_seconds(&set.value) else {
            locker.unknown.push(format!(
                "xscreensaver {key} is \"{}\" ({}), not a time",
                display_str(&set.value),
                set.origin()
            ));
            continue;
        };
        let timing = Timing {
            setting: format!("xscreensaver {key}"),
            seconds,
            shown: format!("{} (H:MM:SS)", display_str(&set.value)),
            origin: set.origin(),
            fix: edit(key, "{}"),
            unit: Unit::Clock,
        };
        if key == "timeout" {
            locker.idle = Some(timing);
        } else {
            locker.delay = Some(timing);
        }
    }
    locker
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kde_layers_defaults_system_and_user_and_honours_immutable_keys() {
        let user = Path::new("/h/.config/kscreenlockerrc");
        let locker = kde(None, None);
        assert!(
            locker
                .flags
                .iter()
                .all(|f| f.locks && f.origin == "default")
        );
        assert_eq!(locker.idle.as_ref().unwrap().seconds, 300);
        assert_eq!(locker.delay.as_ref().unwrap().seconds, 5);
        let text = "[Greeter]\nTimeout=99\n\n[Daemon]\nAutolock=false\nTimeout=30\n";
        let locker = kde(None, Some((user, text)));
        let autolock = &locker.flags[0];
        assert!(!autolock.locks);
        assert_eq!(autolock.origin, "set in /h/.config/kscreenlockerrc:5");
        let idle = locker.idle.unwrap();
        assert_eq!((idle.seconds, idle.shown.as_str()), (1800, "30 minutes"));
        assert_eq!(
            idle.fix_for(900, true),
            "kwriteconfig6 --file kscreenlockerrc --group Daemon --key Timeout 15"
        );
        // An immutable system value wins over the person's file.
        let system = Path::new("/etc/xdg/kscreenlockerrc");
        let locker = kde(
            Some((system, "[Daemon]\nTimeout[$i]=10\n")),
            Some((user, "[Daemon]\nTimeout=60\n")),
        );
        let idle = locker.idle.unwrap();
        assert_eq!(idle.seconds, 600);
        assert!(
            idle.origin.contains("kscreenlockerrc:2; immutable"),
            "{idle:?}"
        );
    }

    #[test]
    fn xfconf_properties_are_found_by_their_nested_path() {
        let text = "<?xml version=\"1.0\"?>\n<channel name=\"xfce4-screensaver\">\n  <property name=\"lock\" type=\"empty\">\n    <property name=\"enabled\" type=\"bool\" value=\"false\"/>\n    <property name=\"saver-activation\" type=\"empty\">\n      <property name=\"delay\" type=\"int\" value=\"3\"/>\n    </property>\n  </property>\n  <property name=\"saver\" type=\"empty\">\n    <property name=\"idle-activation\" type=\"empty\">\n      <property name=\"delay\" type=\"int\" value=\"45\"/>\n    </property>\n  </property>\n</channel>\n";
        let props = xfconf_properties(text);
        assert_eq!(props["/lock/enabled"], ("false".to_owned(), 4));
        assert_eq!(props["/lock/saver-activation/delay"].0, "3");
        assert_eq!(props["/saver/idle-activation/delay"].0, "45");
        let path = Path::new("/h/x.xml");
        let locker = xfce(None, Some((path, text)));
        let lock = locker
            .flags
            .iter()
            .find(|f| f.setting.ends_with("/lock/enabled"))
            .unwrap();
        assert!(!lock.locks);
        assert_eq!(locker.idle.unwrap().seconds, 45 * 60);
        assert_eq!(locker.delay.unwrap().seconds, 180);
        // Hostile input: unbalanced, unterminated, absurdly deep.
        let deep = "<property name=\"a\">".repeat(10_000);
        assert!(xfconf_properties(&deep).len() <= 1);
        assert!(xfconf_properties("<property name=\"x").is_empty());
    }

    #[test]
    fn xscreensaver_does_not_lock_by_default_and_reads_clock_times() {
        assert_eq!(resource_seconds("0:10:00"), Some(600));
        assert_eq!(resource_seconds("1:30"), Some(90));
        assert_eq!(resource_seconds("15"), Some(900));
        assert_eq!(resource_seconds("x:1"), None);
        let locker = xscreensaver(None, None);
        assert!(!locker.flags[0].locks);
        assert_eq!(locker.flags[0].origin, "default");
        let path = Path::new("/h/.xscreensaver");
        let locker = xscreensaver(
            Some((Path::new("/ad"), "*timeout:\t0:20:00\n")),
            Some((
                path,
                "timeout:\t0:05:00\nlock:\t\tTrue\nlockTimeout:\t0:00:30\n",
            )),
        );
        assert!(locker.flags[0].locks);
        assert_eq!(locker.idle.as_ref().unwrap().seconds, 300);
        assert_eq!(locker.delay.as_ref().unwrap().seconds, 30);
        assert_eq!(
            locker.idle.unwrap().fix_for(900, true),
            "set `timeout: 0:15:00` in ~/.xscreensaver (or use xscreensaver-settings)"
        );
    }
}
