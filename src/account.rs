//! Whose hygiene is being checked. The account always comes from the password
//! database by user id — never from `$HOME` or `$USER`, which the caller controls.

use std::path::PathBuf;

use nix::unistd::{Uid, User};

/// The person being checked.
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    /// The GECOS field (real name and more); words an attacker would try.
    pub gecos: String,
    /// The home to check: the password database's, or the operator's `--home`.
    pub home: PathBuf,
    /// The login shell.
    pub shell: PathBuf,
}

impl Account {
    /// The account of the real user id running this process.
    pub fn invoking() -> Result<Account, String> {
        let uid = nix::unistd::getuid();
        let user = User::from_uid(uid)
            .map_err(|e| format!("cannot read the password database: {}", e.desc()))?
            .ok_or_else(|| format!("user id {uid} has no entry in the password database"))?;
        Ok(Account::from_user(&user))
    }

    fn from_user(user: &User) -> Account {
        Account {
            name: user.name.clone(),
            uid: user.uid.as_raw(),
            gid: user.gid.as_raw(),
            gecos: user.gecos.to_string_lossy().into_owned(),
            shell: user.shell.clone(),
            home: user.dir.clone(),
        }
    }

    /// The account with this name, from the password database.
    pub fn by_name(name: &str) -> Option<Account> {
        User::from_name(name)
            .ok()
            .flatten()
            .map(|user| Account::from_user(&user))
    }

    /// A name with no entry in the password database (a mistyped login).
    pub fn unknown(name: &str) -> Account {
        Account {
            name: name.to_owned(),
            uid: u32::MAX,
            gid: u32::MAX,
            gecos: String::new(),
            home: std::path::PathBuf::from("/nonexistent"),
            shell: std::path::PathBuf::new(),
        }
    }

    /// The account with this user id, from the password database.
    pub fn by_uid(uid: u32) -> Option<Account> {
        User::from_uid(Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|user| Account::from_user(&user))
    }

    /// The name for messages and fixes.
    pub fn name_of_uid(uid: u32) -> Option<String> {
        User::from_uid(Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|user| user.name)
    }
}
