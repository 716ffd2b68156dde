//! Advice that works on the machine it is printed on: a fix names a program only
//! where it is installed, and otherwise says how to get it first. git's keyring
//! helper is the case in point: Fedora packages `git-credential-libsecret`, while
//! Debian and Ubuntu ship only its source, under /usr/share/doc/git.

use std::path::Path;

/// Where git looks for its helpers: Debian's and Fedora's exec paths.
const GIT_EXEC_DIRS: &[&str] = &["/usr/lib/git-core", "/usr/libexec/git-core"];

/// Debian's copy of the helper's source, with its Makefile.
const LIBSECRET_SOURCE: &str = "/usr/share/doc/git/contrib/credential/libsecret";

/// Whether the machine has `path` (not following its last component).
fn exists(path: &str) -> bool {
    let path = crate::sysroot::path(path);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    crate::fs::SafeDir::open_root(Path::new(dir)).is_ok_and(|dir| dir.lstat(name).is_ok())
}

/// What the machine has of git's keyring helper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Helper {
    Installed,
    Source,
    Missing,
}

fn helper() -> Helper {
    if GIT_EXEC_DIRS
        .iter()
        .any(|dir| exists(&format!("{dir}/git-credential-libsecret")))
    {
        Helper::Installed
    } else if exists(&format!("{LIBSECRET_SOURCE}/Makefile")) {
        Helper::Source
    } else {
        Helper::Missing
    }
}

/// How to keep git's passwords in the keyring here, as commands to run.
pub fn git_keyring() -> String {
    match helper() {
        Helper::Installed => "git config --global credential.helper libsecret".to_owned(),
        Helper::Source => format!(
            "git's keyring helper, built from the source Debian ships: sudo apt install libsecret-1-dev build-essential pkg-config && sudo make -C {LIBSECRET_SOURCE}, then git config --global credential.helper {LIBSECRET_SOURCE}/git-credential-libsecret"
        ),
        Helper::Missing => "git's keyring helper, once installed (git-credential-libsecret on Fedora and openSUSE): git config --global credential.helper libsecret".to_owned(),
    }
}

/// The same in a few words, where git is one tool among several (`~/.netrc`).
pub fn git_keyring_brief() -> String {
    match helper() {
        Helper::Installed => "git config --global credential.helper libsecret".to_owned(),
        Helper::Source => format!("git-credential-libsecret, built from {LIBSECRET_SOURCE}"),
        Helper::Missing => "git-credential-libsecret, once installed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_advice_names_a_command_either_way() {
        let advice = super::git_keyring();
        assert!(
            advice.contains("git config --global credential.helper"),
            "{advice}"
        );
    }
}
