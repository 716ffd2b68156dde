//! Where csi-self-check keeps what must outlive one run — today the live shell
//! settings that the shell hook records — following the XDG base directories:
//! `$XDG_STATE_HOME/csi-self-check`, by default `~/.local/state/csi-self-check`.

use std::path::{Path, PathBuf};

use crate::account::Account;

/// The state directory's name below the XDG state home.
const NAME: &str = "csi-self-check";

/// The state directory of `account`. `$XDG_STATE_HOME` is honoured only when the
/// run checks the invoking person's own home: for anyone else's home (root's audit,
/// `--home`) the variable describes somebody else, and the default place is used.
pub fn dir(account: &Account) -> PathBuf {
    let own_home = account.uid == nix::unistd::getuid().as_raw()
        && crate::account::Account::by_uid(account.uid).is_some_and(|a| a.home == account.home);
    let from_env = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    match from_env {
        Some(state_home) if own_home => state_home.join(NAME),
        _ => default_dir(&account.home),
    }
}

/// `HOME/.local/state/csi-self-check`.
pub fn default_dir(home: &Path) -> PathBuf {
    home.join(".local/state").join(NAME)
}
