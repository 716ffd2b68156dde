//! The Chromium family — Chromium, Google Chrome, Brave, Microsoft Edge, Vivaldi,
//! Opera, in `~/.config` and under snap and flatpak — and every profile directory
//! of each. A row of `Login Data` whose `password_value` starts with `v10` was
//! encrypted by the "basic" store, with a key built into the browser (PBKDF2 of
//! "peanuts"): anyone who copies the file decrypts it. `v11` rows are encrypted with
//! a key kept in the desktop keyring (libsecret or KWallet) and pass. Only the
//! first three bytes of each value are ever looked at, by SQLite itself.

use std::ffi::OsStr;
use std::path::Path;

use super::read::{open_dir, read_file};
use super::sqlite::{self, MAX_DB_BYTES};
use super::{Family, Store, Verdict};
use crate::fs::{Kind, SafeDir};

/// Profile directories looked at per browser, at most.
const MAX_PROFILES: usize = 256;

/// The password databases of one profile: the device's own and, since Chrome 84,
/// the one kept for the signed-in account.
const DATABASES: &[&str] = &["Login Data", "Login Data For Account"];

const FIX: &str = "start the browser with --password-store=gnome-libsecret (GNOME) or --password-store=kwallet5 / kwallet6 (KDE), added to its launcher's command line, with the desktop keyring unlocked at login; then save these passwords again (Settings › Autofill and passwords › Password Manager), as entries already saved keep their old encryption";

const WHY: &str = "encrypted by the browser's \"basic\" store (v10) with a key built into every copy of the browser";
const WHY_PLAIN: &str = "stored without any encryption";
const HOW: &str = "encrypted with a key kept in the desktop keyring (v11)";

/// Each browser's user-data directory, relative to the home.
const BROWSERS: &[(&str, &str)] = &[
    ("Chromium", ".config/chromium"),
    ("Chromium (snap)", "snap/chromium/common/chromium"),
    (
        "Chromium (flatpak)",
        ".var/app/org.chromium.Chromium/config/chromium",
    ),
    ("Google Chrome", ".config/google-chrome"),
    ("Google Chrome Beta", ".config/google-chrome-beta"),
    ("Google Chrome Dev", ".config/google-chrome-unstable"),
    (
        "Google Chrome (flatpak)",
        ".var/app/com.google.Chrome/config/google-chrome",
    ),
    ("Brave", ".config/BraveSoftware/Brave-Browser"),
    ("Brave Beta", ".config/BraveSoftware/Brave-Browser-Beta"),
    (
        "Brave Nightly",
        ".config/BraveSoftware/Brave-Browser-Nightly",
    ),
    (
        "Brave (snap)",
        "snap/brave/current/.config/BraveSoftware/Brave-Browser",
    ),
    (
        "Brave (flatpak)",
        ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser",
    ),
    ("Microsoft Edge", ".config/microsoft-edge"),
    ("Microsoft Edge Beta", ".config/microsoft-edge-beta"),
    ("Microsoft Edge Dev", ".config/microsoft-edge-dev"),
    (
        "Microsoft Edge (flatpak)",
        ".var/app/com.microsoft.Edge/config/microsoft-edge",
    ),
    ("Vivaldi", ".config/vivaldi"),
    ("Vivaldi Snapshot", ".config/vivaldi-snapshot"),
    ("Vivaldi (snap)", "snap/vivaldi/current/.config/vivaldi"),
    (
        "Vivaldi (flatpak)",
        ".var/app/com.vivaldi.Vivaldi/config/vivaldi",
    ),
    ("Opera", ".config/opera"),
    ("Opera Beta", ".config/opera-beta"),
    ("Opera Developer", ".config/opera-developer"),
    ("Opera (snap)", "snap/opera/current/.config/opera"),
    ("Opera (flatpak)", ".var/app/com.opera.Opera/config/opera"),
];

/// Every `Login Data` of every profile of every browser.
pub fn scan(home: &SafeDir) -> Vec<Store> {
    let mut stores = Vec::new();
    for &(app, rel) in BROWSERS {
        let mut store = |path: &Path, verdict| {
            stores.push(Store {
                family: Family::Chromium,
                app: app.to_owned(),
                path: path.to_owned(),
                verdict,
                fix: FIX,
            });
        };
        let root = match open_dir(home, Path::new(rel)) {
            Ok(Some(root)) => root,
            Ok(None) => continue,
            Err((at, error)) => {
                store(&at, Verdict::Unread(error.to_string()));
                continue;
            }
        };
        // Opera keeps its one profile in the user-data directory itself.
        let mut profiles = vec![root];
        if let Ok((names, _)) = profiles[0].entries(MAX_PROFILES) {
            for name in names {
                let is_dir = profiles[0]
                    .lstat(&name)
                    .is_ok_and(|m| m.kind == Kind::Directory);
                if let Some(dir) = is_dir.then(|| profiles[0].open_dir(&name).ok()).flatten() {
                    profiles.push(dir);
                }
            }
        }
        for profile in &profiles {
            for name in DATABASES {
                let name = OsStr::new(name);
                if profile.lstat(name).is_err() {
                    continue;
                }
                store(&profile.child_path(name), judge(profile, name));
            }
        }
    }
    stores
}

/// How many saved passwords one `Login Data` holds, and under which store.
fn judge(profile: &SafeDir, name: &OsStr) -> Verdict {
    let bytes = match read_file(profile, name, MAX_DB_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Verdict::Unread("vanished while being read".to_owned()),
        Err(why) => return Verdict::Unread(why),
    };
    match count_rows(&bytes) {
        Ok(counts) => verdict(counts),
        Err(why) => Verdict::Unread(why),
    }
}

/// Saved passwords by the store that encrypted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    basic: usize,
    keyring: usize,
    plain: usize,
    unknown: usize,
}

fn count_rows(bytes: &[u8]) -> Result<Counts, String> {
    let db = sqlite::open(bytes)?;
    // Blocked sites ("never save") have an empty value and are no password.
    let mut statement = db
        .prepare(
            "SELECT substr(CAST(password_value AS BLOB), 1, 3), count(*) FROM logins \
             WHERE length(CAST(password_value AS BLOB)) > 0 GROUP BY 1",
        )
        .map_err(sqlite::describe)?;
    let mut rows = statement.query([]).map_err(sqlite::describe)?;
    let mut counts = Counts::default();
    while let Some(row) = rows.next().map_err(sqlite::describe)? {
        let prefix: Vec<u8> = row.get(0).map_err(sqlite::describe)?;
        let n: i64 = row.get(1).map_err(sqlite::describe)?;
        let n = usize::try_from(n).unwrap_or(0);
        match prefix.as_slice() {
            b"v10" => counts.basic += n,
            b"v11" => counts.keyring += n,
            // Another version tag: a scheme this check does not know.
            [b'v', d1, d2] if d1.is_ascii_digit() && d2.is_ascii_digit() => counts.unknown += n,
            // Chromium before the v10 scheme (2014) saved the password itself.
            _ => counts.plain += n,
        }
    }
    Ok(counts)
}

fn verdict(counts: Counts) -> Verdict {
    let readable = counts.basic + counts.plain;
    if readable > 0 {
        Verdict::Readable {
            count: readable,
            protected: counts.keyring,
            why: if counts.basic > 0 { WHY } else { WHY_PLAIN },
        }
    } else if counts.unknown > 0 {
        Verdict::Unread(format!(
            "holds {} saved passwords encrypted in a way this check does not know",
            counts.unknown
        ))
    } else if counts.keyring > 0 {
        Verdict::Protected {
            count: Some(counts.keyring),
            how: HOW,
        }
    } else {
        Verdict::Empty
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rusqlite::{Connection, MAIN_DB};

    fn login_data(values: &[&[u8]]) -> Vec<u8> {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE logins (origin_url TEXT, password_value BLOB)")
            .unwrap();
        for value in values {
            c.execute(
                "INSERT INTO logins VALUES ('https://example.org/', ?1)",
                [value],
            )
            .unwrap();
        }
        c.serialize(MAIN_DB).unwrap().to_vec()
    }

    #[test]
    fn rows_are_counted_by_their_version_tag() {
        let bytes = login_data(&[b"v10abc", b"v10def", b"v11ghi", b"", b"plain-pw", b"v20xyz"]);
        let counts = count_rows(&bytes).unwrap();
        assert_eq!(
            counts,
            Counts {
                basic: 2,
                keyring: 1,
                plain: 1,
                unknown: 1
            }
        );
        assert!(matches!(
            verdict(counts),
            Verdict::Readable {
                count: 3,
                protected: 1,
                ..
            }
        ));
        let keyring_only = count_rows(&login_data(&[b"v11a", b"v11b"])).unwrap();
        assert_eq!(
            verdict(keyring_only),
            Verdict::Protected {
                count: Some(2),
                how: HOW
            }
        );
        assert_eq!(
            verdict(count_rows(&login_data(&[b""])).unwrap()),
            Verdict::Empty
        );
    }

    #[test]
    fn a_database_without_the_table_is_a_reason_not_a_crash() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE other (x)").unwrap();
        let bytes = c.serialize(MAIN_DB).unwrap().to_vec();
        assert!(count_rows(&bytes).is_err());
    }
}
