//! The policy's `word-lists`: word or password lists of the site's choosing (the
//! system's `/usr/share/dict/spanish`, cracklib's list), so that words of other
//! languages count as words. Each list is compiled into a compact sorted index
//! (`index`) that zxcvbn's dictionary matcher searches like its own lists:
//! lower-cased, reversed and with look-alike characters, a word priced by its rank
//! in the list.
//!
//! `word-lists import` compiles the system's lists once into [`SYSTEM_DIR`]; a check
//! reads such an index while its list is unchanged (same inode, size and change
//! time) and otherwise compiles the list itself, so a stale index is never believed
//! and a missing one only costs time. Every file is read through `fs` (a regular
//! file, never waited on, bounded); a list that cannot be used is reported, never
//! taken as empty. The common-password lists compiled into the program are in
//! `builtin`.

mod builtin;
mod index;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use builtin::COMMON_PASSWORDS;
pub use index::{SourceId, WordIndex, compile};

use crate::fs::{FsError, SafeDir, SafeFile};

/// The largest list read: cracklib's full list is about 15 MiB.
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

/// The largest index read: an entry is its word and 4 bytes, a line of the list its
/// word and a newline, so an index is at most 2.5 times its list (one-letter lines),
/// about 1.3 times a dictionary.
const MAX_INDEX_BYTES: usize = 3 * MAX_SOURCE_BYTES;

/// Where `word-lists import` puts the indexes of the system's lists.
pub const SYSTEM_DIR: &str = "/var/lib/csi-self-check/word-lists";

/// The configured lists, opened and compiled, and those that could not be used.
#[derive(Debug, Default)]
pub struct Loaded {
    pub lists: Vec<WordIndex>,
    pub unusable: Vec<(PathBuf, String)>,
}

/// Opens every list of `paths`, through its index in `index_dir` where one is
/// current, else compiling it. `~/` paths are under `home`, reached without
/// following a link, and skipped when `home` is `None` (the PAM helper, which
/// trusts nothing the user controls); they have no index.
pub fn load(paths: &[String], home: Option<&Path>, index_dir: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    for configured in paths {
        let (path, opened, index) = match configured.strip_prefix("~/") {
            Some(rel) => {
                let Some(home) = home else { continue };
                let opened =
                    SafeDir::open_root(home).and_then(|dir| dir.open_file_within(Path::new(rel)));
                (home.join(rel), opened, None)
            }
            None => {
                let path = PathBuf::from(configured);
                let opened = SafeFile::open_named(&path);
                let index = index_dir.join(index_name(&path));
                (path, opened, Some(index))
            }
        };
        let list = opened.map_err(|e| e.to_string()).and_then(|file| {
            let id = SourceId::of(file.meta());
            match index.and_then(|index| current_index(&index, id, name_of(&path))) {
                Some(list) => Ok(list),
                None => compile_file(file, &path),
            }
        });
        match list {
            Ok(list) => loaded.lists.push(list),
            Err(reason) => loaded.unusable.push((path, reason)),
        }
    }
    loaded
}

/// The index at `path` if there is a sound one for the list `id`; anything else
/// (none, stale, damaged) means the list is compiled instead.
fn current_index(path: &Path, id: SourceId, name: String) -> Option<WordIndex> {
    let mut file = SafeFile::open_named(path).ok()?;
    if file.meta().size > MAX_INDEX_BYTES as u64 {
        return None;
    }
    // Word lists are public: the buffer need not be wiped, and is not copied.
    let mut bytes = file.read_prefix(MAX_INDEX_BYTES).ok()?;
    let index = WordIndex::from_bytes(std::mem::take(&mut *bytes), name).ok()?;
    (index.source() == id).then_some(index)
}

/// The file name of an absolute list's index: its path with every character but
/// letters, digits, `.` and `-` as `_` (`/usr/share/dict/spanish` →
/// `usr_share_dict_spanish.idx`). Two lists whose names collide cannot both be
/// current: an index holds its list's inode, size and change time.
pub fn index_name(list: &Path) -> OsString {
    let text = list.to_string_lossy();
    let mut name: String = text
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(200)
        .collect();
    name.push_str(".idx");
    name.into()
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn compile_file(mut file: SafeFile, path: &Path) -> Result<WordIndex, String> {
    let id = SourceId::of(file.meta());
    if id.size > MAX_SOURCE_BYTES as u64 {
        return Err(format!(
            "larger than {} MiB, more than is read",
            MAX_SOURCE_BYTES >> 20
        ));
    }
    let source = file
        .read_prefix(MAX_SOURCE_BYTES)
        .map_err(|e| e.to_string())?;
    compile(&source, id)
        .and_then(|bytes| WordIndex::from_bytes(bytes, name_of(path)))
        .map_err(|e| e.to_string())
}

/// One list `import` compiled.
#[derive(Debug)]
pub struct Imported {
    pub list: PathBuf,
    pub index: PathBuf,
    pub words: usize,
    pub bytes: usize,
}

/// Why `import` stopped: the list or index at `path`, and why.
#[derive(Debug)]
pub struct ImportError {
    pub path: PathBuf,
    pub reason: String,
}

/// Compiles every absolute list of `paths` into `dir` (`dir_path` for messages),
/// each index written atomically, readable by all (mode 0644): the lists are the
/// system's, and so is what they hold.
pub fn import(
    paths: &[String],
    dir: &SafeDir,
    dir_path: &Path,
) -> Result<Vec<Imported>, ImportError> {
    let mut imported = Vec::new();
    for configured in paths.iter().filter(|p| p.starts_with('/')) {
        let list = PathBuf::from(configured);
        let fail = |reason: String| ImportError {
            path: list.clone(),
            reason,
        };
        let file = SafeFile::open_named(&list).map_err(|e| fail(e.to_string()))?;
        let compiled = compile_file(file, &list).map_err(fail)?;
        let name = index_name(&list);
        let index = dir_path.join(&name);
        dir.write_atomic(&name, compiled.bytes(), 0o644)
            .map_err(|error: FsError| ImportError {
                path: index.clone(),
                reason: error.to_string(),
            })?;
        imported.push(Imported {
            list,
            index,
            words: compiled.words(),
            bytes: compiled.bytes().len(),
        });
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zxcvbn::Ranked;

    #[test]
    fn an_index_is_used_while_its_list_is_unchanged_and_never_after() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("palabras");
        std::fs::write(&list, "perro\ngato\n").unwrap();
        let indexes = dir.path().join("indexes");
        std::fs::create_dir(&indexes).unwrap();
        let paths = [list.to_str().unwrap().to_owned()];
        let done = import(&paths, &SafeDir::open_root(&indexes).unwrap(), &indexes).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].words, 2);
        assert_eq!(done[0].index, indexes.join(index_name(&list)));

        // The index answers, not the list: an index written for this list from other
        // words (as a later edit of the list would leave it) is believed only while
        // the list's identity matches.
        let id = SourceId::of(SafeFile::open_named(&list).unwrap().meta());
        let other = compile(b"caballo\n", id).unwrap();
        std::fs::write(&done[0].index, other).unwrap();
        let loaded = load(&paths, None, &indexes);
        assert!(loaded.unusable.is_empty());
        assert_eq!(loaded.lists[0].look_up("caballo").0, Some(1));
        assert_eq!(loaded.lists[0].look_up("perro").0, None);

        // The list changes: the index is stale and the list is compiled again.
        std::fs::write(&list, "perro\ngato\nvaca\n").unwrap();
        let loaded = load(&paths, None, &indexes);
        assert_eq!(loaded.lists[0].look_up("vaca").0, Some(3));
        assert_eq!(loaded.lists[0].look_up("caballo").0, None);
        assert_eq!(loaded.lists[0].name, "palabras");

        // A damaged index is no index.
        std::fs::write(&done[0].index, b"CSIWLIST").unwrap();
        let loaded = load(&paths, None, &indexes);
        assert_eq!(loaded.lists[0].look_up("gato").0, Some(2));
    }

    #[test]
    fn index_names_are_flat() {
        assert_eq!(
            index_name(Path::new("/usr/share/dict/spanish")),
            "usr_share_dict_spanish.idx"
        );
        assert_eq!(index_name(Path::new("/a b/../c")), "a_b_.._c.idx");
    }
}
