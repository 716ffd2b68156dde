//! A private scratch directory for a helper that insists on a directory of its own
//! (gpg's home), made and removed here because only `fs` touches paths.

use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::stat::Mode;

use super::FsError;

/// How many taken names are tried before giving up; a clash needs a leftover from a
/// run with the same process id and nanosecond.
const ATTEMPTS: u32 = 16;

/// A directory in the system's temporary directory that only this user can enter
/// (0700), created new — never an existing directory or a link planted under its
/// name — and removed, with everything in it, when this is dropped.
#[derive(Debug)]
pub struct PrivateTempDir {
    path: PathBuf,
}

impl PrivateTempDir {
    /// Creates `PREFIX-PID-NANOS-N` in the temporary directory (`$TMPDIR` or `/tmp`).
    pub fn create(prefix: &str) -> Result<PrivateTempDir, FsError> {
        let base = std::env::temp_dir();
        for attempt in 0..ATTEMPTS {
            let nanos = crate::time::nanos() % 1_000_000_000;
            let path = base.join(format!("{prefix}-{}-{nanos}-{attempt}", std::process::id()));
            // mkdir(2) never follows a link at the last component: EEXIST instead.
            match nix::unistd::mkdir(&path, Mode::S_IRWXU) {
                Ok(()) => return Ok(PrivateTempDir { path }),
                Err(Errno::EEXIST) => {}
                Err(errno) => return Err(FsError::from_errno(errno)),
            }
        }
        Err(FsError::Os(Errno::EEXIST))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateTempDir {
    fn drop(&mut self) {
        // Removes entries without following links inside (std's remove_dir_all
        // opens each directory relative to its parent, with O_NOFOLLOW).
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_private_temp_dir_is_0700_and_gone_with_its_contents_on_drop() {
        let dir = PrivateTempDir::create("csi-self-check-test").unwrap();
        let path = dir.path().to_owned();
        let mode = std::fs::symlink_metadata(&path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
        assert!(mode & 0o700 == 0o700, "{mode:o}");
        std::fs::create_dir(path.join("sub")).unwrap();
        std::fs::write(path.join("sub/file"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc", path.join("link")).unwrap();
        let other = PrivateTempDir::create("csi-self-check-test").unwrap();
        assert_ne!(other.path(), path);
        drop(dir);
        assert!(std::fs::symlink_metadata(&path).is_err());
        assert!(
            std::path::Path::new("/etc").exists(),
            "the link was not followed"
        );
    }
}
