//! Which accounts an audit covers: the people who can log in. That is read from
//! the local password database, the shells file and `login.defs` as the system's own
//! tools read them, so that service accounts (a low user id, or a shell like
//! `nologin`) are never audited as if they were people.
//!
//! Only `/etc/passwd` is enumerated: an NSS directory (LDAP, SSSD) may hold every
//! person of a site, most of whom never log in here; name them with `--users`, which
//! looks each name up through NSS.

use std::path::{Path, PathBuf};

use crate::account::Account;
use crate::fs::{FsError, SafeFile};

/// Why the accounts could not be chosen.
#[derive(Debug)]
pub enum AccountsError {
    /// A system file could not be opened or read.
    Unreadable { path: PathBuf, error: FsError },
    /// A system file larger than any real one.
    TooLarge(PathBuf),
    /// A system file that is not UTF-8 text.
    NotText(PathBuf),
    /// A name given to `--users` has no entry in the password database.
    Unknown(String),
    /// A name given to `--users` is not one of the people `--all-users` covers.
    NotAPerson(String),
}

impl std::fmt::Display for AccountsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountsError::Unreadable { path, error } => write!(
                f,
                "{}: cannot read it: {error}",
                crate::sanitize::display_path(path)
            ),
            AccountsError::TooLarge(path) => write!(
                f,
                "{}: larger than {} MiB; not read",
                crate::sanitize::display_path(path),
                MAX_SYSTEM_FILE >> 20
            ),
            AccountsError::NotText(path) => write!(
                f,
                "{}: is not UTF-8 text",
                crate::sanitize::display_path(path)
            ),
            AccountsError::Unknown(name) => write!(
                f,
                "--users: `{}` has no entry in the password database",
                crate::sanitize::display_str(name)
            ),
            AccountsError::NotAPerson(name) => write!(
                f,
                "--users: `{}` is not a login account of --all-users (user id outside UID_MIN..UID_MAX, or a shell not in /etc/shells)",
                crate::sanitize::display_str(name)
            ),
        }
    }
}

impl AccountsError {
    /// Whether a system file is to blame, rather than a name on the command line.
    pub fn in_system_file(&self) -> bool {
        matches!(
            self,
            AccountsError::Unreadable { .. }
                | AccountsError::TooLarge(_)
                | AccountsError::NotText(_)
        )
    }
}

impl std::error::Error for AccountsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AccountsError::Unreadable { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// The largest system file read; a password database past this is not a real one.
const MAX_SYSTEM_FILE: usize = 16 * 1024 * 1024;

/// The user ids of people, from `UID_MIN` and `UID_MAX` of `login.defs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UidRange {
    pub min: u32,
    pub max: u32,
}

impl UidRange {
    /// useradd's own defaults, for a `login.defs` that is missing or silent.
    const DEFAULT: UidRange = UidRange {
        min: 1000,
        max: 60000,
    };

    /// Reads `KEY value` lines as shadow-utils does: `#` starts a comment, the last
    /// setting wins, a value that is not a number is ignored.
    pub fn from_login_defs(text: &str) -> UidRange {
        let mut range = UidRange::DEFAULT;
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some(key), Some(value)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(value) = value.parse::<u32>() else {
                continue;
            };
            match key {
                "UID_MIN" => range.min = value,
                "UID_MAX" => range.max = value,
                _ => {}
            }
        }
        range
    }

    fn contains(self, uid: u32) -> bool {
        (self.min..=self.max).contains(&uid)
    }
}

/// The shells `/etc/shells` lists, without those that refuse a login: a listed
/// `nologin` or `false` still means "not a person's account".
pub fn login_shells(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|shell| {
            let name = shell.rsplit('/').next().unwrap_or(shell);
            !matches!(name, "nologin" | "false")
        })
        .map(str::to_owned)
        .collect()
}

/// The names of the people in a password database: a user id in `range` and a shell
/// in `shells`. NIS compat lines (`+`, `-`) and malformed lines are passed over.
pub fn people(passwd: &str, shells: &[String], range: UidRange) -> Vec<String> {
    passwd
        .lines()
        .filter(|line| !line.starts_with(['+', '-', '#']))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            let [name, _, uid, _, _, _, shell] = fields.as_slice() else {
                return None;
            };
            let uid = uid.parse::<u32>().ok()?;
            (!name.is_empty() && range.contains(uid) && shells.iter().any(|s| s == shell))
                .then(|| (*name).to_owned())
        })
        .collect()
}

/// The accounts whose primary group is `gid`, as (name, uid), from the local
/// password database (`/etc/passwd`, read as the system's own tools read it; an
/// NSS directory is not enumerated, as Debian's OpenSSH's `getpwent` would only
/// where the directory allows enumeration).
pub fn primary_members(gid: u32) -> Result<Vec<(String, u32)>, AccountsError> {
    let passwd = read_system_file(&crate::sysroot::path("/etc/passwd"))?.unwrap_or_default();
    Ok(with_primary_group(&passwd, gid))
}

/// The (name, uid) of each line of a password database whose group is `gid`.
fn with_primary_group(passwd: &str, gid: u32) -> Vec<(String, u32)> {
    passwd
        .lines()
        .filter(|line| !line.starts_with(['+', '-', '#']))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            let [name, _, uid, group, ..] = fields.as_slice() else {
                return None;
            };
            (group.parse::<u32>().ok()? == gid)
                .then(|| Some(((*name).to_owned(), uid.parse().ok()?)))?
        })
        .collect()
}

/// A system file as text, bounded; `None` when it does not exist.
fn read_system_file(path: &Path) -> Result<Option<String>, AccountsError> {
    let unreadable = |error| AccountsError::Unreadable {
        path: path.to_owned(),
        error,
    };
    let mut file = match SafeFile::open_named(path) {
        Ok(file) => file,
        Err(FsError::NotFound) => return Ok(None),
        Err(error) => return Err(unreadable(error)),
    };
    if file.meta().size > MAX_SYSTEM_FILE as u64 {
        return Err(AccountsError::TooLarge(path.to_owned()));
    }
    let bytes = file.read_prefix(MAX_SYSTEM_FILE).map_err(unreadable)?;
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| AccountsError::NotText(path.to_owned()))
}

/// The accounts to audit: every person of this machine with `all`, or the named
/// ones (each must exist; with `all`, each must also be one of its people).
pub fn select(all: bool, named: &[String]) -> Result<Vec<Account>, AccountsError> {
    let people = if all {
        let passwd = read_system_file(Path::new("/etc/passwd"))?.unwrap_or_default();
        // getusershell(3)'s list when the file is missing.
        let shells = read_system_file(Path::new("/etc/shells"))?
            .unwrap_or_else(|| "/bin/sh\n/bin/csh\n".to_owned());
        let range = read_system_file(Path::new("/etc/login.defs"))?
            .map_or(UidRange::DEFAULT, |text| UidRange::from_login_defs(&text));
        people(&passwd, &login_shells(&shells), range)
    } else {
        Vec::new()
    };
    let names: Vec<String> = if named.is_empty() {
        people.clone()
    } else {
        named.to_vec()
    };
    let mut accounts: Vec<Account> = Vec::new();
    for name in &names {
        let account = Account::by_name(name).ok_or_else(|| AccountsError::Unknown(name.clone()))?;
        if all && !people.contains(name) {
            return Err(AccountsError::NotAPerson(name.clone()));
        }
        if !accounts.iter().any(|a| a.name == account.name) {
            accounts.push(account);
        }
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn login_defs_sets_the_range_and_defaults_stand_in() {
        let text =
            "# UID_MIN 5\nUID_MIN\t\t 2000\nUID_MAX 3000 # trailing\nGID_MIN 10\nUID_MAX x\n";
        assert_eq!(
            UidRange::from_login_defs(text),
            UidRange {
                min: 2000,
                max: 3000
            }
        );
        assert_eq!(UidRange::from_login_defs(""), UidRange::DEFAULT);
    }

    #[test]
    fn listed_shells_that_refuse_a_login_do_not_count() {
        let shells = login_shells(
            "# comment\n/bin/bash\n\n  /usr/bin/zsh \n/usr/sbin/nologin\n/bin/false\n",
        );
        assert_eq!(shells, ["/bin/bash", "/usr/bin/zsh"]);
    }

    #[test]
    fn primary_groups_are_read_from_the_fourth_field() {
        let passwd = "alice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1000::/home/bob:/bin/sh\n+x::::::\ncarol:x:1002:1002::/h:/bin/sh\n";
        assert_eq!(
            with_primary_group(passwd, 1000),
            [("alice".to_owned(), 1000), ("bob".to_owned(), 1001)]
        );
        assert!(with_primary_group(passwd, 7).is_empty());
    }

    #[test]
    fn people_have_a_listed_shell_and_an_id_in_range() {
        let shells = vec!["/bin/bash".to_owned()];
        let range = UidRange {
            min: 1000,
            max: 60000,
        };
        let passwd = "\
root:x:0:0:root:/root:/bin/bash
alice:x:1000:1000:Alice:/home/alice:/bin/bash
svc:x:1001:1001::/var/svc:/usr/sbin/nologin
bob:x:1002:1002::/home/bob:/bin/zsh
nobody:x:65534:65534:nobody:/nonexistent:/bin/bash
+carol::::::
broken:x:notanumber:1::/home/broken:/bin/bash
short:x:1003
dave:x:60000:60000::/home/dave:/bin/bash
";
        assert_eq!(people(passwd, &shells, range), ["alice", "dave"]);
    }
}
