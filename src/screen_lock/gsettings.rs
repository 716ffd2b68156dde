//! GNOME, Cinnamon and MATE keep their lock settings in GSettings. `gsettings get`
//! reads dconf's database directly, without a running session (dconf(7)), and
//! applies the schema defaults and vendor overrides that a reading of the database
//! alone would miss; so the real `gsettings` is asked, and its absence, or a schema
//! that is not installed, leaves the values unknown.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{Flag, Locker, Places, Timing, Unit, first_line, run};
use crate::fs::{FsError, Kind, SafeDir};
use crate::sanitize::display_path;

const GSETTINGS: &str = "/usr/bin/gsettings";

/// A desktop whose settings live in GSettings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Gnome,
    Cinnamon,
    Mate,
}

/// What a key means for locking.
#[derive(Clone, Copy)]
enum Meaning {
    /// A switch; the screen locks only when it has this value.
    Flag(bool),
    Idle(Unit),
    Delay(Unit),
}

struct Key {
    schema: &'static str,
    key: &'static str,
    meaning: Meaning,
}

const fn key(schema: &'static str, key: &'static str, meaning: Meaning) -> Key {
    Key {
        schema,
        key,
        meaning,
    }
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Gnome => "GNOME",
            Family::Cinnamon => "Cinnamon",
            Family::Mate => "MATE",
        }
    }

    fn keys(self) -> &'static [Key] {
        match self {
            Family::Gnome => GNOME,
            Family::Cinnamon => CINNAMON,
            Family::Mate => MATE,
        }
    }
}

const GNOME: &[Key] = &[
    key(
        "org.gnome.desktop.screensaver",
        "lock-enabled",
        Meaning::Flag(true),
    ),
    key(
        "org.gnome.desktop.lockdown",
        "disable-lock-screen",
        Meaning::Flag(false),
    ),
    key(
        "org.gnome.desktop.session",
        "idle-delay",
        Meaning::Idle(Unit::Seconds),
    ),
    key(
        "org.gnome.desktop.screensaver",
        "lock-delay",
        Meaning::Delay(Unit::Seconds),
    ),
];

const CINNAMON: &[Key] = &[
    key(
        "org.cinnamon.desktop.screensaver",
        "lock-enabled",
        Meaning::Flag(true),
    ),
    key(
        "org.cinnamon.desktop.session",
        "idle-delay",
        Meaning::Idle(Unit::Seconds),
    ),
    key(
        "org.cinnamon.desktop.screensaver",
        "lock-delay",
        Meaning::Delay(Unit::Seconds),
    ),
];

/// MATE counts both times in minutes.
const MATE: &[Key] = &[
    key("org.mate.screensaver", "lock-enabled", Meaning::Flag(true)),
    key(
        "org.mate.session",
        "idle-delay",
        Meaning::Idle(Unit::Minutes),
    ),
    key(
        "org.mate.screensaver",
        "lock-delay",
        Meaning::Delay(Unit::Minutes),
    ),
];

/// A value as `gsettings get` prints it (GVariant text format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Variant {
    Bool(bool),
    Number(u64),
}

/// Parses `true`, `uint32 300`, `300`, `int32 5`; anything else (a negative number,
/// a string) is not a lock setting's value.
pub fn parse_variant(text: &str) -> Option<Variant> {
    let text = text.trim();
    match text {
        "true" => return Some(Variant::Bool(true)),
        "false" => return Some(Variant::Bool(false)),
        _ => {}
    }
    let number = [
        "uint32 ", "int32 ", "uint64 ", "int64 ", "uint16 ", "int16 ", "byte ",
    ]
    .iter()
    .find_map(|prefix| text.strip_prefix(prefix))
    .unwrap_or(text);
    number.trim().parse::<u64>().ok().map(Variant::Number)
}

/// The environment `gsettings` gets: the checked home, and the variables that say
/// where settings are kept, passed on only when set; `XDG_CONFIG_HOME` only when
/// this environment is the person's own.
fn environment(places: &Places) -> Vec<(&'static str, OsString)> {
    let mut env = vec![("HOME", places.home.clone().into_os_string())];
    let mut pass = vec![
        "DCONF_PROFILE",
        "GSETTINGS_BACKEND",
        "GSETTINGS_SCHEMA_DIR",
        "XDG_DATA_DIRS",
    ];
    if places.own_environment {
        pass.push("XDG_CONFIG_HOME");
    }
    for name in pass {
        if let Some(value) = std::env::var_os(name) {
            env.push((name, value));
        }
    }
    env
}

/// The files `gsettings` will open in the home: they must be regular files, since
/// dconf and the keyfile backend follow links and would block on a FIFO.
fn hostile_store(home: &SafeDir, places: &Places) -> Option<String> {
    let stores: [PathBuf; 2] = [
        places.config.join("dconf/user"),
        places.config.join("glib-2.0/settings/keyfile"),
    ];
    for store in stores {
        let Some((dir, name)) = home.parent_of(&store) else {
            continue;
        };
        match dir.lstat(name) {
            Ok(meta) if meta.kind == Kind::Regular => {}
            Ok(meta) if meta.kind == Kind::Symlink => {
                let target = dir.read_link(name);
                return Some(format!(
                    "{} {}",
                    display_path(&store),
                    FsError::Symlink { target }
                ));
            }
            Ok(meta) => {
                return Some(format!(
                    "{} {}",
                    display_path(&store),
                    FsError::NotRegular(meta.kind)
                ));
            }
            Err(_) => {}
        }
    }
    None
}

/// Where `gsettings` takes its values from, for the report.
fn source(places: &Places) -> String {
    if std::env::var_os("GSETTINGS_BACKEND").is_some_and(|b| b == "keyfile") {
        format!(
            "read with gsettings from {} or the schema default",
            display_path(&places.config.join("glib-2.0/settings/keyfile"))
        )
    } else {
        "read with gsettings from dconf or the schema default".to_owned()
    }
}

/// The lock settings of `family`, each as `gsettings` reports it.
pub fn read(family: Family, home: &SafeDir, places: &Places) -> Locker {
    let mut locker = Locker::named(family.name());
    if let Some(why) = hostile_store(home, places) {
        locker.unknown.push(format!("gsettings was not run: {why}"));
        return locker;
    }
    let env = environment(places);
    let program = Path::new(GSETTINGS);
    let origin = source(places);
    for k in family.keys() {
        let setting = format!("{} {}", k.schema, k.key);
        let value = match run(program, &["get", k.schema, k.key], &env) {
            Ok(out) if out.success() => parse_variant(&out.stdout_text()),
            Ok(out) => {
                locker
                    .unknown
                    .push(format!("{setting}: {}", first_line(&out.stderr_text())));
                continue;
            }
            Err(why) => {
                locker.unknown.push(format!("{setting}: {why}"));
                // Without the program no other key can be read either.
                if !super::installed(GSETTINGS) {
                    break;
                }
                continue;
            }
        };
        let locked = run(program, &["writable", k.schema, k.key], &env)
            .is_ok_and(|out| out.success() && out.stdout_text().trim() == "false");
        let origin = if locked {
            format!("{origin}; locked by the system administrator")
        } else {
            origin.clone()
        };
        let shown = crate::sanitize::display_str(&first_line(&out_text(&value)));
        let fix_tail = if locked {
            " (the key is locked: ask the administrator to change it)"
        } else {
            ""
        };
        match (k.meaning, value) {
            (Meaning::Flag(wanted), Some(Variant::Bool(on))) => locker.flags.push(Flag {
                setting,
                locks: on == wanted,
                shown,
                origin,
                fix: format!("gsettings set {} {} {wanted}{fix_tail}", k.schema, k.key),
            }),
            (Meaning::Idle(unit) | Meaning::Delay(unit), Some(Variant::Number(n))) => {
                let seconds = if unit == Unit::Minutes {
                    n.saturating_mul(60)
                } else {
                    n
                };
                let unit_name = if unit == Unit::Minutes {
                    "minutes"
                } else {
                    "seconds"
                };
                let timing = Timing {
                    setting,
                    seconds,
                    shown: format!("{shown} {unit_name}"),
                    origin,
                    fix: format!("gsettings set {} {} {{}}{fix_tail}", k.schema, k.key),
                    unit,
                };
                if matches!(k.meaning, Meaning::Idle(_)) {
                    locker.idle = Some(timing);
                } else {
                    locker.delay = Some(timing);
                }
            }
            _ => locker.unknown.push(format!(
                "{setting}: gsettings gave a value of an unexpected type"
            )),
        }
    }
    locker
}

fn out_text(value: &Option<Variant>) -> String {
    match value {
        Some(Variant::Bool(b)) => b.to_string(),
        Some(Variant::Number(n)) => n.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gvariant_text_is_read_in_the_forms_gsettings_prints() {
        assert_eq!(parse_variant("uint32 0\n"), Some(Variant::Number(0)));
        assert_eq!(parse_variant("300"), Some(Variant::Number(300)));
        assert_eq!(parse_variant("int32 5"), Some(Variant::Number(5)));
        assert_eq!(parse_variant("true\n"), Some(Variant::Bool(true)));
        assert_eq!(parse_variant("false"), Some(Variant::Bool(false)));
        assert_eq!(parse_variant("int32 -1"), None);
        assert_eq!(parse_variant("'lock'"), None);
    }
}
