//! Whose hygiene is being checked. The account always comes from the password
//! database by user id — never from `$HOME` or `$USER`, which the caller controls.

use std::fmt;
use std::path::PathBuf;

use nix::unistd::{Uid, User};

/// Why the account to check could not be had from the password database.
#[derive(Debug)]
pub enum AccountError {
    /// The password database could not be read.
    Database(nix::Error),
    /// A user id with no entry.
    NoUid(u32),
    /// A name with no entry.
    NoName(String),
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::Database(errno) => {
                write!(f, "cannot read the password database: {}", errno.desc())
            }
            AccountError::NoUid(uid) => {
                write!(f, "user id {uid} has no entry in the password database")
            }
            AccountError::NoName(name) => write!(
                f,
                "`{}` has no entry in the password database",
                crate::sanitize::display_str(name)
            ),
        }
    }
}

impl std::error::Error for AccountError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AccountError::Database(errno) => Some(errno),
            AccountError::NoUid(_) | AccountError::NoName(_) => None,
        }
    }
}

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
    pub fn invoking() -> Result<Account, AccountError> {
        let uid = nix::unistd::getuid();
        let user = User::from_uid(uid)
            .map_err(AccountError::Database)?
            .ok_or(AccountError::NoUid(uid.as_raw()))?;
        Ok(Account::from_user(&user))
    }

    /// The account with this name, or the error that says there is none.
    pub fn named(name: &str) -> Result<Account, AccountError> {
        Account::by_name(name).ok_or_else(|| AccountError::NoName(name.to_owned()))
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
