//! Finding an application's files below the home and reading them with a bound.
//! Every directory is opened one component at a time without following a link —
//! except snap's `current`, the link beside a snap's revisions that names the one in
//! use, which is followed only when it names a sibling — and every file is read
//! through the `fs` layer, never past `max` bytes.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use zeroize::Zeroizing;

use crate::fs::{FsError, Kind, SafeDir};

/// The most names read from one directory while looking for an application's files.
const MAX_ENTRIES: usize = 4096;

/// Opens `rel` below `home`. A directory that is not there (or is not a directory)
/// is `Ok(None)`: the application is not there. One that is there but cannot be
/// opened — a link, which is not followed, or no permission — is the error, with
/// the path where the way stopped, so that what lies below is a skip, never
/// taken for absent.
pub fn open_dir(home: &SafeDir, rel: &Path) -> Result<Option<SafeDir>, (PathBuf, FsError)> {
    let names: Vec<&OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return SafeDir::open_root(home.path())
            .map(Some)
            .map_err(|error| (home.path().to_owned(), error));
    }
    let mut dir: Option<SafeDir> = None;
    for (at, name) in names.iter().enumerate() {
        let under_snap = at == 2 && names[0] == "snap";
        let parent = dir.as_ref().unwrap_or(home);
        match open_step(parent, name, under_snap) {
            Ok(next) => dir = Some(next),
            Err(error) if absent(&error) => return Ok(None),
            Err(error) => return Err((parent.child_path(name), error)),
        }
    }
    Ok(dir)
}

/// Whether an error opening a directory means there is none to look in.
fn absent(error: &FsError) -> bool {
    matches!(error, FsError::NotFound | FsError::NotDirectory(_))
}

/// One step down: `name`, or for snap's `current` the revision it names.
fn open_step(dir: &SafeDir, name: &OsStr, under_snap: bool) -> Result<SafeDir, FsError> {
    if under_snap && name == "current" && dir.lstat(name)?.kind == Kind::Symlink {
        let target = dir.read_link(name).ok_or(FsError::NotFound)?;
        let sibling = !target.is_empty()
            && !target.as_bytes().contains(&b'/')
            && target != "."
            && target != "..";
        if !sibling {
            return Err(FsError::Symlink {
                target: Some(target),
            });
        }
        return dir.open_dir(&target);
    }
    dir.open_dir(name)
}

/// Why a file was not read, in words for a skip.
pub fn too_large(size: u64, max: usize) -> String {
    format!("is {size} bytes, more than the {max} this check reads; not read")
}

/// Reads `name` in `dir` whole: `Ok(None)` when it does not exist; a link, a FIFO,
/// a device or a file over `max` bytes is the error, in words.
pub fn read_file(
    dir: &SafeDir,
    name: &OsStr,
    max: usize,
) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    let seen = match dir.lstat(name) {
        Ok(seen) => seen,
        Err(FsError::NotFound) => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    let mut file = dir.open_file(name, &seen).map_err(|e| e.to_string())?;
    let size = file.meta().size;
    if usize::try_from(size).map_or(true, |size| size > max) {
        return Err(too_large(size, max));
    }
    file.read_prefix(max).map(Some).map_err(|e| e.to_string())
}

/// Whether `name` is an entry of `dir` at all (of any kind).
pub fn exists(dir: &SafeDir, name: &str) -> bool {
    dir.lstat(OsStr::new(name)).is_ok()
}

/// Calls `each` with the directory and name of every entry matching `pattern`
/// below `home`: a relative path whose components may hold one `*` each (any run
/// of characters, a leading dot included). Directories along the way are opened as
/// [`open_dir`] does; what matches the last component is left to `each` to open. A
/// directory on the way that is there but cannot be opened or listed goes to
/// `unread` with the reason, in words.
pub fn each_match(
    home: &SafeDir,
    pattern: &str,
    each: &mut dyn FnMut(&SafeDir, &OsStr),
    unread: &mut dyn FnMut(PathBuf, String),
) {
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    let Some((last, dirs)) = parts.split_last() else {
        return;
    };
    let fixed = dirs.iter().take_while(|p| !p.contains('*')).count();
    let start: PathBuf = dirs[..fixed].iter().collect();
    match open_dir(home, &start) {
        Ok(Some(dir)) => walk(&dir, &dirs[fixed..], last, each, unread),
        Ok(None) => {}
        Err((path, error)) => unread(path, error.to_string()),
    }
}

fn walk(
    dir: &SafeDir,
    dirs: &[&str],
    last: &str,
    each: &mut dyn FnMut(&SafeDir, &OsStr),
    unread: &mut dyn FnMut(PathBuf, String),
) {
    let names = match matching(dir, dirs.first().unwrap_or(&last)) {
        Ok(names) => names,
        Err(error) => return unread(dir.path().to_owned(), error.to_string()),
    };
    let Some((_, rest)) = dirs.split_first() else {
        for name in names {
            each(dir, &name);
        }
        return;
    };
    for name in names {
        match dir.open_dir(&name) {
            Ok(sub) => walk(&sub, rest, last, each, unread),
            Err(error) if absent(&error) => {}
            Err(error) => unread(dir.child_path(&name), error.to_string()),
        }
    }
}

/// The names in `dir` that `part` matches, sorted; the error when `part` holds a
/// `*` and `dir` cannot be listed whole.
fn matching(dir: &SafeDir, part: &str) -> Result<Vec<OsString>, FsError> {
    let Some((prefix, suffix)) = part.split_once('*') else {
        return Ok(vec![OsString::from(part)]);
    };
    let (names, _) = dir.entries(MAX_ENTRIES)?;
    Ok(names
        .into_iter()
        .filter(|name| {
            let bytes = name.as_bytes();
            bytes.len() >= prefix.len() + suffix.len()
                && bytes.starts_with(prefix.as_bytes())
                && bytes.ends_with(suffix.as_bytes())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn home() -> (tempfile::TempDir, SafeDir) {
        let temp = tempfile::tempdir().unwrap();
        let dir = SafeDir::open_root(temp.path()).unwrap();
        (temp, dir)
    }

    #[test]
    fn snap_current_is_followed_only_to_a_sibling_revision() {
        let (temp, home) = home();
        std::fs::create_dir_all(temp.path().join("snap/brave/123/.config")).unwrap();
        std::os::unix::fs::symlink("123", temp.path().join("snap/brave/current")).unwrap();
        let found = open_dir(&home, Path::new("snap/brave/current/.config")).unwrap();
        assert!(found.is_some());
        std::fs::create_dir_all(temp.path().join("snap/evil")).unwrap();
        std::os::unix::fs::symlink("/etc", temp.path().join("snap/evil/current")).unwrap();
        let refused = open_dir(&home, Path::new("snap/evil/current"));
        assert!(
            matches!(refused, Err((_, FsError::Symlink { .. }))),
            "{refused:?}"
        );
        // Anywhere else a link is never followed.
        std::os::unix::fs::symlink("snap", temp.path().join("link")).unwrap();
        assert!(matches!(
            open_dir(&home, Path::new("link")),
            Err((_, FsError::Symlink { .. }))
        ));
        // A link on the way stops it there, said as such, not as an absent directory.
        let stopped = open_dir(&home, Path::new("link/brave"));
        assert!(
            matches!(&stopped, Err((at, FsError::Symlink { .. })) if at.ends_with("link")),
            "{stopped:?}"
        );
        // What is not there, or is no directory, is absent.
        std::fs::write(temp.path().join("file"), b"").unwrap();
        assert!(open_dir(&home, Path::new("file/x")).unwrap().is_none());
        assert!(open_dir(&home, Path::new("none/x")).unwrap().is_none());
    }

    #[test]
    fn patterns_match_one_star_per_component() {
        let (temp, home) = home();
        for dir in ["a/system1/conn.x", "a/system2/conn.y", "a/other/conn.z"] {
            std::fs::create_dir_all(temp.path().join(dir)).unwrap();
            std::fs::write(temp.path().join(dir).join("f.json"), b"{}").unwrap();
        }
        // A matching directory that is a link is said, not walked.
        std::os::unix::fs::symlink("system1", temp.path().join("a/system3")).unwrap();
        let (mut seen, mut unread) = (Vec::new(), Vec::new());
        each_match(
            &home,
            "a/system*/conn.*/f.json",
            &mut |dir, name| seen.push(dir.child_path(name)),
            &mut |path, why| unread.push((path, why)),
        );
        assert_eq!(
            seen,
            [
                temp.path().join("a/system1/conn.x/f.json"),
                temp.path().join("a/system2/conn.y/f.json")
            ]
        );
        assert_eq!(unread.len(), 1, "{unread:?}");
        assert_eq!(unread[0].0, temp.path().join("a/system3"));
        assert!(unread[0].1.contains("symbolic link"), "{unread:?}");
    }

    #[test]
    fn a_file_over_the_bound_is_not_read() {
        let (temp, home) = home();
        std::fs::write(temp.path().join("big"), vec![b'x'; 100]).unwrap();
        let error = read_file(&home, OsStr::new("big"), 99).unwrap_err();
        assert!(error.contains("100 bytes"), "{error}");
        assert!(read_file(&home, OsStr::new("none"), 99).unwrap().is_none());
        assert_eq!(
            read_file(&home, OsStr::new("big"), 100)
                .unwrap()
                .unwrap()
                .len(),
            100
        );
    }
}
