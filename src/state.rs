//! Where csi-self-check keeps what must outlive one run — today the live shell
//! settings that the shell hook records — following the XDG base directories:
//! `$XDG_STATE_HOME/csi-self-check`, by default `~/.local/state/csi-self-check`.

use std::path::{Path, PathBuf};

use crate::account::Account;

/// The state directory's name below the XDG state home.
const NAME: &str = "csi-self-check";

/// The state directory of `account`. `$XDG_STATE_HOME` is honoured only when this
/// process's environment is the checked person's own — their user id, and `$HOME`
/// naming the home being checked. For anyone else's home (root's audit, `--home`)
/// the variables describe somebody else, and the default place is used.
pub fn dir(account: &Account) -> PathBuf {
    let env_home = std::env::var_os("HOME").map(PathBuf::from);
    let own_environment = account.uid == nix::unistd::getuid().as_raw()
        && env_home.is_some_and(|home| home == account.home);
    let from_env = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    match from_env {
        Some(state_home) if own_environment => state_home.join(NAME),
        _ => default_dir(&account.home),
    }
}

/// `HOME/.local/state/csi-self-check`.
pub fn default_dir(home: &Path) -> PathBuf {
    home.join(".local/state").join(NAME)
}
