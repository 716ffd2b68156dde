//! Mozilla profiles — Firefox (and ESR), LibreWolf, Waterfox, Thunderbird,
//! SeaMonkey, Pale Moon, in their own places and under snap and flatpak: every
//! profile named in each `profiles.ini`, and any directory beside it that holds
//! saved logins. A profile's logins (`logins.json`, or `signons.sqlite` in old
//! profiles) are readable by anyone when its key database opens with the empty
//! primary password, decided from `key4.db`'s password-check entry ([`nss`]).

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::Path;

use super::read::{exists, open_dir, read_file};
use super::sqlite::{self, MAX_DB_BYTES};
use super::{Family, Store, Verdict, json, nss};
use crate::fs::{Kind, SafeDir};

/// The largest `logins.json` or `profiles.ini` read.
const MAX_TEXT_BYTES: usize = 16 << 20;

/// Profiles looked at per application directory, at most.
const MAX_PROFILES: usize = 256;

const FIREFOX_FIX: &str = "set a primary password in Settings › Privacy & Security › Passwords › Use a Primary Password (in older versions under Logins and Passwords)";
const THUNDERBIRD_FIX: &str =
    "set a primary password in Settings › Privacy & Security › Passwords › Use a Primary Password";
const SEAMONKEY_FIX: &str = "set a master password in Edit › Preferences › Privacy & Security › Master Passwords › Use a master password";
const PALEMOON_FIX: &str =
    "set a master password in Preferences › Security › Passwords › Use a master password";

/// Where each application keeps its profiles, relative to the home.
const ROOTS: &[(&str, &str, &str)] = &[
    ("Firefox", ".mozilla/firefox", FIREFOX_FIX),
    ("Firefox", ".config/mozilla/firefox", FIREFOX_FIX),
    (
        "Firefox (snap)",
        "snap/firefox/common/.mozilla/firefox",
        FIREFOX_FIX,
    ),
    (
        "Firefox (flatpak)",
        ".var/app/org.mozilla.firefox/.mozilla/firefox",
        FIREFOX_FIX,
    ),
    (
        "Firefox (flatpak)",
        ".var/app/org.mozilla.firefox/config/mozilla/firefox",
        FIREFOX_FIX,
    ),
    ("LibreWolf", ".librewolf", FIREFOX_FIX),
    (
        "LibreWolf (flatpak)",
        ".var/app/io.gitlab.librewolf-community/.librewolf",
        FIREFOX_FIX,
    ),
    ("Waterfox", ".waterfox", FIREFOX_FIX),
    (
        "Waterfox (flatpak)",
        ".var/app/net.waterfox.waterfox/.waterfox",
        FIREFOX_FIX,
    ),
    ("Thunderbird", ".thunderbird", THUNDERBIRD_FIX),
    ("Thunderbird", ".mozilla-thunderbird", THUNDERBIRD_FIX),
    (
        "Thunderbird (snap)",
        "snap/thunderbird/common/.thunderbird",
        THUNDERBIRD_FIX,
    ),
    (
        "Thunderbird (flatpak)",
        ".var/app/org.mozilla.Thunderbird/.thunderbird",
        THUNDERBIRD_FIX,
    ),
    ("SeaMonkey", ".mozilla/seamonkey", SEAMONKEY_FIX),
    (
        "Pale Moon",
        ".moonchild productions/pale moon",
        PALEMOON_FIX,
    ),
];

const WHY: &str =
    "the key database (key4.db) opens without a primary password, so its key decrypts them";
const WHY_NO_CHECK: &str =
    "the key database (key4.db) has no primary password set, so its key decrypts them";
const HOW: &str = "protected by a primary password";

/// Every profile's store of every Mozilla application.
pub fn scan(home: &SafeDir) -> Vec<Store> {
    let mut stores = Vec::new();
    for &(app, rel, fix) in ROOTS {
        let store = |path: &Path, verdict| Store {
            family: Family::Mozilla,
            app: app.to_owned(),
            path: path.to_owned(),
            verdict,
            fix,
        };
        let root = match open_dir(home, Path::new(rel)) {
            Ok(Some(root)) => root,
            Ok(None) => continue,
            Err((at, error)) => {
                stores.push(store(&at, Verdict::Unread(error.to_string())));
                continue;
            }
        };
        for profile in profiles(home, &root) {
            match profile {
                Ok(dir) => {
                    if let Some((path, verdict)) = judge(&dir) {
                        stores.push(store(&path, verdict));
                    }
                }
                Err((path, why)) => stores.push(store(&path, Verdict::Unread(why))),
            }
        }
    }
    stores
}

type Profile = Result<SafeDir, (std::path::PathBuf, String)>;

/// The profiles of one application directory: those `profiles.ini` names, then any
/// other directory in it holding logins; each once.
fn profiles(home: &SafeDir, root: &SafeDir) -> Vec<Profile> {
    let mut found: Vec<Profile> = Vec::new();
    let mut seen = HashSet::new();
    let mut keep = |found: &mut Vec<Profile>, dir: SafeDir| {
        if seen.insert((dir.meta().dev, dir.meta().ino)) {
            found.push(Ok(dir));
        }
    };
    let ini = read_file(root, OsStr::new("profiles.ini"), MAX_TEXT_BYTES);
    match ini {
        Ok(Some(text)) => {
            for (path, relative) in named_profiles(&text).into_iter().take(MAX_PROFILES) {
                let opened = if relative {
                    open_dir(root, Path::new(&path))
                } else {
                    match Path::new(&path).strip_prefix(home.path()) {
                        Ok(rel) => open_dir(home, rel),
                        Err(_) => {
                            let why = "is a profile outside the home directory; not read";
                            found.push(Err((Path::new(&path).to_owned(), why.to_owned())));
                            continue;
                        }
                    }
                };
                match opened {
                    Ok(Some(dir)) => keep(&mut found, dir),
                    Ok(None) => {}
                    Err((at, error)) => found.push(Err((at, error.to_string()))),
                }
            }
        }
        Ok(None) => {}
        Err(why) => found.push(Err((root.child_path(OsStr::new("profiles.ini")), why))),
    }
    let Ok((names, _)) = root.entries(MAX_PROFILES) else {
        return found;
    };
    for name in names {
        let is_dir = root.lstat(&name).is_ok_and(|m| m.kind == Kind::Directory);
        if !is_dir {
            continue;
        }
        if let Ok(dir) = root.open_dir(&name)
            && (exists(&dir, "logins.json") || exists(&dir, "signons.sqlite"))
        {
            keep(&mut found, dir);
        }
    }
    found
}

/// `Path=` and `IsRelative=` of every `[Profile…]` section of a `profiles.ini`.
fn named_profiles(text: &[u8]) -> Vec<(String, bool)> {
    let mut profiles = Vec::new();
    let mut current: Option<(Option<String>, bool)> = None;
    let mut finish = |current: Option<(Option<String>, bool)>| {
        if let Some((Some(path), relative)) = current {
            profiles.push((path, relative));
        }
    };
    for line in String::from_utf8_lossy(text).lines() {
        let line = line.trim();
        if line.starts_with('[') {
            finish(current.take());
            if line.starts_with("[Profile") {
                current = Some((None, true));
            }
        } else if let Some((path, relative)) = current.as_mut() {
            match line.split_once('=') {
                Some(("Path", value)) => *path = Some(value.trim().to_owned()),
                Some(("IsRelative", value)) => *relative = value.trim() != "0",
                _ => {}
            }
        }
    }
    finish(current);
    profiles
}

/// The verdict on one profile, with the file holding its logins; `None` when it
/// holds no logins file at all.
fn judge(profile: &SafeDir) -> Option<(std::path::PathBuf, Verdict)> {
    let (name, count) = if exists(profile, "logins.json") {
        ("logins.json", logins_json(profile))
    } else if exists(profile, "signons.sqlite") {
        ("signons.sqlite", signons_sqlite(profile))
    } else {
        return None;
    };
    let path = profile.child_path(OsStr::new(name));
    let verdict = match count {
        Err(why) => Verdict::Unread(why),
        Ok(0) => Verdict::Empty,
        Ok(count) => key_verdict(profile, count),
    };
    Some((path, verdict))
}

fn logins_json(profile: &SafeDir) -> Result<usize, String> {
    let text = read_file(profile, OsStr::new("logins.json"), MAX_TEXT_BYTES)?
        .ok_or("vanished while being read")?;
    let wanted = |p: &[String]| p.len() == 3 && p[0] == "logins" && p[2] == "encryptedPassword";
    json::count_strings(&text, &wanted)
}

fn signons_sqlite(profile: &SafeDir) -> Result<usize, String> {
    let bytes = read_file(profile, OsStr::new("signons.sqlite"), MAX_DB_BYTES)?
        .ok_or("vanished while being read")?;
    let db = sqlite::open(&bytes)?;
    let count: i64 = db
        .query_row("SELECT count(*) FROM moz_logins", [], |row| row.get(0))
        .map_err(sqlite::describe)?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Readable or protected, from the key database beside `count` saved logins.
fn key_verdict(profile: &SafeDir, count: usize) -> Verdict {
    let readable = |why| Verdict::Readable {
        count,
        protected: 0,
        why,
    };
    let key4 = match read_file(profile, OsStr::new("key4.db"), MAX_DB_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) if exists(profile, "key3.db") => return Verdict::OldFormat { count },
        Ok(None) => {
            return Verdict::Unread(format!(
                "holds {count} saved logins but no key database (key4.db) beside them"
            ));
        }
        Err(why) => return Verdict::Unread(format!("its key database key4.db {why}")),
    };
    let entry = sqlite::open(&key4).and_then(|db| {
        let mut statement = db
            .prepare("SELECT item1, item2 FROM metaData WHERE id = 'password'")
            .map_err(sqlite::describe)?;
        let mut rows = statement.query([]).map_err(sqlite::describe)?;
        match rows.next().map_err(sqlite::describe)? {
            None => Ok(None),
            Some(row) => {
                let salt: Vec<u8> = row.get(0).map_err(sqlite::describe)?;
                let check: Vec<u8> = row.get(1).map_err(sqlite::describe)?;
                Ok(Some((salt, check)))
            }
        }
    });
    match entry {
        Err(why) => Verdict::Unread(format!("its key database key4.db {why}")),
        Ok(None) => readable(WHY_NO_CHECK),
        Ok(Some((salt, check))) => match nss::check_empty_password(&salt, &check) {
            Ok(nss::KeyDb::OpensWithEmptyPassword) => readable(WHY),
            Ok(nss::KeyDb::NeedsPassword) => Verdict::Protected {
                count: Some(count),
                how: HOW,
            },
            Err(why) => Verdict::Unread(format!("its key database key4.db: {why}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_ini_names_relative_and_absolute_profiles() {
        let ini = b"[General]\nStartWithLastProfile=1\n\n[Profile1]\nName=work\nIsRelative=0\nPath=/home/a/elsewhere\n\n[Profile0]\nName=default\nIsRelative=1\nPath=abcd.default-release\nDefault=1\n\n[Install4F96D1932A9F858E]\nDefault=abcd.default-release\n";
        assert_eq!(
            named_profiles(ini),
            [
                ("/home/a/elsewhere".to_owned(), false),
                ("abcd.default-release".to_owned(), true)
            ]
        );
    }
}
