//! Saved passwords that applications keep where any program running as the person
//! can read them back: browsers without a primary password or on Chromium's "basic"
//! store, and mail, chat, FTP, remote-desktop and database clients that keep them in
//! plain text or under a key built into the program. Credential-stealing tools
//! (LaZagne and its kin) read exactly these; this module finds them first.
//!
//! Each family has its own reader — [`mozilla`], [`chromium`] and [`clients`] — and
//! each says, per store, how many passwords it holds and why they are readable or
//! what protects them: a count, never a site, user name or password. Every file is
//! read through the `fs` layer with a bound, and SQLite databases are opened from a
//! copy in memory ([`sqlite`]), never in place.

mod chromium;
mod clients;
mod json;
mod mozilla;
mod nss;
mod read;
mod sqlite;

use std::path::PathBuf;

use crate::fs::SafeDir;

/// The family a store belongs to; it decides the finding's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Firefox, Thunderbird and the other NSS-based applications.
    Mozilla,
    /// Chromium and the browsers built on it.
    Chromium,
    /// Mail, chat, FTP, remote-desktop, database and build-tool clients.
    Client,
}

/// What protects a store's passwords, or why nothing does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passwords any program running as the person can read back. `protected`
    /// counts those in the same store that are safe (a mixed store).
    Readable {
        count: usize,
        protected: usize,
        why: &'static str,
    },
    /// Passwords behind a secret the person types or the desktop keyring; the
    /// count is unknown when the store is encrypted as a whole.
    Protected {
        count: Option<usize>,
        how: &'static str,
    },
    /// The store holds no saved password.
    Empty,
    /// Saved passwords under a key database in a format whose protection is not
    /// judged (Mozilla's `key3.db`).
    OldFormat { count: usize },
    /// The store could not be read or understood; nothing is known.
    Unread(String),
}

/// One store of saved passwords found in the home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    pub family: Family,
    /// The application, for people: "Firefox", "Brave (snap)".
    pub app: String,
    /// The file that holds the passwords, absolute.
    pub path: PathBuf,
    pub verdict: Verdict,
    /// The setting that protects them, named exactly; the person applies it.
    pub fix: &'static str,
}

/// Every store of every known application in the home, in a stable order.
pub fn scan(home: &SafeDir) -> Vec<Store> {
    let mut stores = mozilla::scan(home);
    stores.extend(chromium::scan(home));
    stores.extend(clients::scan(home));
    merge_unread(stores)
}

/// One store per place that could not be read: a `~/.config` that is a link stops
/// every application below it at the same place, for the same reason, and is said
/// once with all their names.
fn merge_unread(stores: Vec<Store>) -> Vec<Store> {
    let mut merged: Vec<Store> = Vec::with_capacity(stores.len());
    for store in stores {
        let same = merged.iter_mut().find(|kept| {
            matches!(kept.verdict, Verdict::Unread(_))
                && kept.path == store.path
                && kept.verdict == store.verdict
        });
        match same {
            Some(kept) if !kept.app.split(", ").any(|app| app == store.app) => {
                kept.app.push_str(", ");
                kept.app.push_str(&store.app);
            }
            Some(_) => {}
            None => merged.push(store),
        }
    }
    merged
}
