//! What locks the person's screen or shell, and when: which desktops they use, and
//! each one's effective lock settings with where every value came from. Computed
//! here as plain facts; `checks::screen_lock` holds them against the policy.
//!
//! Files are read through the safe layer only. Two helpers run as subprocesses
//! (`gsettings`, `loginctl`), each on a fixed path, with a minimal environment and a
//! deadline; their absence is normal and leaves the value unknown.

pub mod console;
pub mod detect;
pub mod files;
pub mod gsettings;
pub mod wayland;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::account::Account;
use crate::fs::{FsError, Kind, SafeDir};
use crate::process::{Helper, Output};

/// Bytes read of any one configuration file: these files are a few kilobytes.
pub const MAX_CONFIG: usize = 256 * 1024;

/// How long one helper may take; `gsettings get` takes milliseconds.
const HELPER_DEADLINE: Duration = Duration::from_secs(2);

/// The most of a helper's output that is read; the values wanted are one line.
const HELPER_OUTPUT: u64 = 64 * 1024;

/// A switch that must be on for the screen to lock at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The setting's name as its tool spells it.
    pub setting: String,
    /// Whether this value lets the screen lock.
    pub locks: bool,
    /// The value as the configuration says it.
    pub shown: String,
    /// "default", "set in FILE:LINE", "read with gsettings", …
    pub origin: String,
    /// The command that turns it on.
    pub fix: String,
}

/// The unit a setting is written in, for turning the policy's seconds into a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    /// xscreensaver's `H:MM:SS`.
    Clock,
}

impl Unit {
    /// `seconds` written in this unit, rounded down so that the fix is never looser
    /// than the policy (a minute-based setting gets at least 1 for a non-zero limit
    /// where 0 would mean "never").
    pub fn render(self, seconds: u64, zero_is_never: bool) -> String {
        match self {
            Unit::Seconds => seconds.to_string(),
            Unit::Minutes if zero_is_never => (seconds / 60).max(1).to_string(),
            Unit::Minutes => (seconds / 60).to_string(),
            Unit::Clock => format!(
                "{}:{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            ),
        }
    }
}

/// A time setting, normalised to seconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    pub setting: String,
    /// Seconds; for an idle time 0 means the screen never locks by itself.
    pub seconds: u64,
    /// The value as written, with its unit: "uint32 0", "30 minutes".
    pub shown: String,
    pub origin: String,
    /// The fix, with `{}` where the value goes, written in `unit`.
    pub fix: String,
    pub unit: Unit,
}

impl Timing {
    /// The fix with the policy's limit filled in.
    pub fn fix_for(&self, limit_seconds: u64, zero_is_never: bool) -> String {
        self.fix
            .replace("{}", &self.unit.render(limit_seconds, zero_is_never))
    }
}

/// One locker's effective settings. `None` and `unknown` mean the value could not be
/// determined, never that it is safe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Locker {
    /// "GNOME", "KDE Plasma", "swayidle", "TMOUT", …
    pub name: String,
    /// Every switch that must be on.
    pub flags: Vec<Flag>,
    /// Idle time before the screen locks (or blanks, then locks after `delay`).
    pub idle: Option<Timing>,
    /// Time between blanking and locking.
    pub delay: Option<Timing>,
    /// What could not be read, and why.
    pub unknown: Vec<String>,
    /// What else the person should know.
    pub notes: Vec<String>,
}

impl Locker {
    pub fn named(name: &str) -> Locker {
        Locker {
            name: name.to_owned(),
            ..Locker::default()
        }
    }
}

/// Where the person's configuration lives: `$XDG_CONFIG_HOME` only when this
/// process's environment is the person's own (see `state::dir`), else `~/.config`.
#[derive(Clone, Debug)]
pub struct Places {
    pub home: PathBuf,
    pub config: PathBuf,
    /// Whether the environment describes the person checked.
    pub own_environment: bool,
}

impl Places {
    pub fn of(account: &Account) -> Places {
        let own_environment = own_environment(account);
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && own_environment)
            .unwrap_or_else(|| account.home.join(".config"));
        Places {
            home: account.home.clone(),
            config,
            own_environment,
        }
    }
}

/// The person's user id, and `$HOME` naming the home being checked.
pub fn own_environment(account: &Account) -> bool {
    let env_home = std::env::var_os("HOME").map(PathBuf::from);
    account.uid == nix::unistd::getuid().as_raw()
        && env_home.is_some_and(|home| home == account.home)
}

/// A configuration file that is there but was not read.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub error: FsError,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            crate::sanitize::display_path(&self.path),
            self.error
        )
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A bounded read of a configuration file, refusing links and anything that is not a
/// regular file; `Ok(None)` when it does not exist.
pub fn read_config(home: &SafeDir, path: &Path) -> Result<Option<String>, ConfigError> {
    let refused = |error| ConfigError {
        path: path.to_owned(),
        error,
    };
    let Some((dir, name)) = home.parent_of(path) else {
        return Ok(None);
    };
    let meta = match dir.lstat(name) {
        Ok(meta) => meta,
        Err(FsError::NotFound) => return Ok(None),
        Err(e) => return Err(refused(e)),
    };
    if meta.kind == Kind::Symlink {
        let target = dir.read_link(name);
        return Err(refused(FsError::Symlink { target }));
    }
    let mut file = dir.open_file(name, &meta).map_err(refused)?;
    let bytes = file.read_prefix(MAX_CONFIG).map_err(refused)?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Whether an entry exists (a link counts: something is there).
pub fn exists(home: &SafeDir, path: &Path) -> bool {
    home.parent_of(path)
        .is_some_and(|(dir, name)| dir.lstat(name).is_ok())
}

/// Whether a system program is installed, by its fixed path (a link counts, as
/// `/usr/bin/x-terminal-emulator` style alternatives are links).
pub fn installed(path: &str) -> bool {
    SafeDir::split_path(Path::new(path))
        .and_then(|(dir, name)| dir.lstat(name))
        .is_ok_and(|meta| matches!(meta.kind, Kind::Regular | Kind::Symlink))
}

/// Runs a helper (`gsettings`, `loginctl`) through [`crate::process`] with only
/// `env` set, and `LC_ALL=C` so that its messages are the ones parsed. `Err` says
/// why nothing usable came back: not installed, killed at the deadline, or could not
/// start.
pub fn run(program: &Path, args: &[&str], env: &[(&str, OsString)]) -> Result<Output, String> {
    let mut helper = Helper::new(program, HELPER_DEADLINE);
    helper
        .args(args)
        .env("LC_ALL", "C")
        .keep_stdout(HELPER_OUTPUT)
        .keep_stderr(HELPER_OUTPUT);
    for (key, value) in env {
        helper.env(key, value);
    }
    helper.run().map_err(|e| e.to_string())
}

/// The first line of a helper's complaint, fit for a report.
pub fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    crate::sanitize::display_str(&line.chars().take(200).collect::<String>())
}

/// "FILE:LINE" for origins.
pub fn at_line(path: &Path, line: usize) -> String {
    format!("set in {}:{line}", crate::sanitize::display_path(path))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_helper_is_bounded_in_time_and_sees_a_clean_environment() {
        let out = run(Path::new("/usr/bin/env"), &[], &[("HOME", "/x".into())]).unwrap();
        assert!(out.success());
        let text = out.stdout_text();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["HOME=/x", "LC_ALL=C"]);
        let start = std::time::Instant::now();
        let err = run(Path::new("/usr/bin/sleep"), &["30"], &[]).unwrap_err();
        assert_eq!(
            err,
            "/usr/bin/sleep did not answer within 2 seconds and was stopped"
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        let err = run(Path::new("/usr/bin/no-such-helper"), &[], &[]).unwrap_err();
        assert_eq!(err, "/usr/bin/no-such-helper is not installed");
    }

    #[test]
    fn units_turn_the_policy_into_the_settings_own_terms() {
        assert_eq!(Unit::Seconds.render(900, true), "900");
        assert_eq!(Unit::Minutes.render(900, true), "15");
        // 5 s of lock delay is 0 minutes, not the 1 that "never" would need.
        assert_eq!(Unit::Minutes.render(5, false), "0");
        assert_eq!(Unit::Minutes.render(30, true), "1");
        assert_eq!(Unit::Clock.render(900, true), "0:15:00");
    }
}
