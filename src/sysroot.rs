//! Where the machine's own files are — the site policy, the system breach index,
//! `/etc/ssh`, the shells' and screen lockers' system files. Always `/` in a release
//! build. A debug build (what the test suite runs) honours
//! `CSI_SELF_CHECK_TEST_SYSROOT`, so that no test reads the /etc of the machine that
//! runs it and a test can plant the system files it needs in a directory of its own.

use std::path::{Path, PathBuf};

/// The variable a debug build reads; a release build never looks at it.
#[cfg(debug_assertions)]
pub const TEST_SYSROOT_VAR: &str = "CSI_SELF_CHECK_TEST_SYSROOT";

/// `absolute`, a path of the machine's own files, as this build must read it.
pub fn path(absolute: impl AsRef<Path>) -> PathBuf {
    let absolute = absolute.as_ref();
    match test_root() {
        Some(root) => root.join(absolute.strip_prefix("/").unwrap_or(absolute)),
        None => absolute.to_owned(),
    }
}

#[cfg(debug_assertions)]
fn test_root() -> Option<PathBuf> {
    std::env::var_os(TEST_SYSROOT_VAR)
        .map(PathBuf::from)
        .filter(|root| root.is_absolute())
}

#[cfg(not(debug_assertions))]
fn test_root() -> Option<PathBuf> {
    None
}

#[cfg(all(test, debug_assertions))]
mod tests {
    #[test]
    fn without_the_variable_paths_are_the_machine_s() {
        if std::env::var_os(super::TEST_SYSROOT_VAR).is_none() {
            assert_eq!(
                super::path("/etc/ssh"),
                std::path::PathBuf::from("/etc/ssh")
            );
        }
    }
}
