//! Tightening a mode, for `--fix`: always through a descriptor opened without
//! following a link (`fchmod`, never `chmod` by path), and only on what belongs to
//! the person — for a file, one with no other name, since a hard link could be
//! someone else's file under another name.

use std::ffi::OsStr;

use nix::sys::stat::{Mode, fchmod};

use super::{FsError, Kind, Meta, SafeDir};

impl SafeDir {
    /// Sets the mode of the entry `name` — a regular file or a directory — to `mode`,
    /// when it is still what `seen` described and belongs to `owner`; a regular file
    /// only when it has one name. Returns the old mode.
    pub fn tighten_mode(
        &self,
        name: &OsStr,
        seen: &Meta,
        mode: u32,
        owner: u32,
    ) -> Result<u32, FsError> {
        match seen.kind {
            Kind::Directory => self.open_dir(name)?.tighten_own_mode(mode, owner),
            _ => {
                let file = self.open_file(name, seen)?;
                let meta = *file.meta();
                if meta.uid != owner {
                    return Err(FsError::NotOwned(meta.uid));
                }
                if meta.nlink != 1 {
                    return Err(FsError::HardLinked(meta.nlink));
                }
                fchmod(&file.file, Mode::from_bits_truncate(mode)).map_err(FsError::from_errno)?;
                Ok(meta.mode)
            }
        }
    }

    /// Sets this directory's own mode to `mode` when it belongs to `owner` (the home
    /// itself). Returns the old mode.
    pub fn tighten_own_mode(&self, mode: u32, owner: u32) -> Result<u32, FsError> {
        let meta = self.meta();
        if meta.uid != owner {
            return Err(FsError::NotOwned(meta.uid));
        }
        fchmod(&self.fd, Mode::from_bits_truncate(mode)).map_err(FsError::from_errno)?;
        Ok(meta.mode)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode_of(path: &std::path::Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    }

    #[test]
    fn files_and_directories_are_tightened_and_links_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = SafeDir::open_root(dir.path()).unwrap();
        let uid = nix::unistd::geteuid().as_raw();
        let file = dir.path().join("netrc");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let seen = root.lstat(OsStr::new("netrc")).unwrap();
        assert_eq!(
            root.tighten_mode(OsStr::new("netrc"), &seen, 0o600, uid)
                .unwrap(),
            0o644
        );
        assert_eq!(mode_of(&file), 0o600);
        let sub = dir.path().join("keyrings");
        std::fs::create_dir(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        let seen = root.lstat(OsStr::new("keyrings")).unwrap();
        root.tighten_mode(OsStr::new("keyrings"), &seen, 0o700, uid)
            .unwrap();
        assert_eq!(mode_of(&sub), 0o700);
        // A link in a file's place is refused, its target untouched.
        std::os::unix::fs::symlink(&file, dir.path().join("link")).unwrap();
        let seen = root.lstat(OsStr::new("link")).unwrap();
        assert!(
            root.tighten_mode(OsStr::new("link"), &seen, 0o400, uid)
                .is_err()
        );
        assert_eq!(mode_of(&file), 0o600);
        // A second name: left alone.
        std::fs::hard_link(&file, dir.path().join("other")).unwrap();
        let seen = root.lstat(OsStr::new("netrc")).unwrap();
        assert!(matches!(
            root.tighten_mode(OsStr::new("netrc"), &seen, 0o400, uid),
            Err(FsError::HardLinked(2))
        ));
        // Someone else's: left alone.
        assert!(matches!(
            root.tighten_own_mode(0o700, uid + 1),
            Err(FsError::NotOwned(_))
        ));
    }
}
