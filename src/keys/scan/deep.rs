//! `--deep`: the whole home, not only the key stores — one filesystem, no links, no
//! caches or version-control stores — for keys saved where no tool expects them.
//! walkdir discovers; every file is reopened through the safe layer on a few reader
//! threads, so that reads overlap on a cold cache.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::{Event, FoundKey, MIN_KEY_BYTES, Scanner, Store, WalkProgress, event_path};
use crate::fs::{FsError, SafeDir};
use crate::keys::inspect;

/// `--deep` opens no file larger than this: no key is.
const MAX_DEEP_FILE_BYTES: u64 = 1 << 20;
/// Directory names `--deep` never enters: caches and version-control object stores
/// (their contents are copies or packed blobs, not files someone saved).
const DEEP_SKIP: &[&str] = &[".cache", "node_modules", ".npm", ".rustup", ".ccache"];
/// Threads that open and read files for `--deep`: reads overlap on a cold cache,
/// and the system calls of a warm one spread over the cores.
const DEEP_READERS: usize = 4;
/// Paths below the home `--deep` never enters.
const DEEP_SKIP_PATHS: &[&str] = &[
    ".cargo/registry",
    ".cargo/git",
    ".m2/repository",
    ".gradle/caches",
    ".local/share/Trash/info",
];

impl Scanner<'_> {
    /// `--deep`: the whole home, one filesystem, no links, no caches, and no key
    /// store again. walkdir only discovers (its `d_type`, no `lstat`); each file is
    /// reopened through the safe layer from a directory chain opened without
    /// following links, on a few reader threads so that reads overlap.
    pub(super) fn deep(&mut self, listener: Option<&dyn WalkProgress>) {
        let home = self.home.path().to_owned();
        let skip: Vec<PathBuf> = Store::ROOTS
            .iter()
            .map(|(rel, _)| home.join(rel))
            .chain(DEEP_SKIP_PATHS.iter().map(|rel| home.join(rel)))
            .collect();
        let walker = walkdir::WalkDir::new(&home)
            .follow_links(false)
            .same_file_system(true)
            .into_iter()
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_dir();
                !(is_dir
                    && (skip.iter().any(|s| s == entry.path())
                        || DEEP_SKIP.iter().any(|n| entry.file_name() == *n)
                        || is_vcs_store(entry.path())))
            });
        let (jobs, queue) = mpsc::sync_channel::<(Arc<SafeDir>, OsString)>(1024);
        let queue = Arc::new(Mutex::new(queue));
        let (results, collected) = mpsc::channel::<Event>();
        let seen = Arc::new(self.seen.clone());
        let readers: Vec<_> = (0..DEEP_READERS)
            .map(|_| {
                let (queue, results, seen) =
                    (Arc::clone(&queue), results.clone(), Arc::clone(&seen));
                std::thread::spawn(move || {
                    while let Ok((dir, name)) = queue
                        .lock()
                        .map_err(|_| ())
                        .and_then(|q| q.recv().map_err(|_| ()))
                    {
                        if let Some(event) = read_listed(dir, name, &seen) {
                            let _ = results.send(event);
                        }
                    }
                })
            })
            .collect();
        drop(results);
        let mut chain: Vec<Arc<SafeDir>> = Vec::new();
        let mut progress = Progress::new(listener);
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    if let Some(path) = error.path() {
                        let reason = error
                            .io_error()
                            .map_or_else(|| "cannot be read".to_owned(), ToString::to_string);
                        self.passed(path.to_owned(), "unreadable", reason);
                    }
                    continue;
                }
            };
            progress.tick();
            if !entry.file_type().is_file() {
                continue;
            }
            let (Some(parent), Some(name)) = (entry.path().parent(), entry.path().file_name())
            else {
                continue;
            };
            let Some(dir) = self.dir_for(&mut chain, parent) else {
                continue;
            };
            if jobs.send((dir, name.to_owned())).is_err() {
                break;
            }
        }
        drop(jobs);
        for reader in readers {
            let _ = reader.join();
        }
        progress.finish();
        let mut found: Vec<Event> = collected.into_iter().collect();
        // Readers finish in any order; the report should not.
        found.sort_by(|a, b| event_path(a).cmp(event_path(b)));
        for event in found {
            if let Event::Key(key) = &event
                && !self.seen.insert((key.meta.dev, key.meta.ino))
            {
                continue;
            }
            self.events.push(event);
        }
    }

    /// The open directory for `parent`, reusing the chain opened for the last file:
    /// walkdir walks depth first, so the chain changes at its end only.
    fn dir_for(&self, chain: &mut Vec<Arc<SafeDir>>, parent: &Path) -> Option<Arc<SafeDir>> {
        let rel = parent.strip_prefix(self.home.path()).ok()?;
        let wanted: Vec<&OsStr> = rel.components().map(|c| c.as_os_str()).collect();
        let mut keep = 0;
        while keep < chain.len()
            && keep < wanted.len()
            && chain[keep].path().file_name() == Some(wanted[keep])
        {
            keep += 1;
        }
        chain.truncate(keep);
        for name in &wanted[keep..] {
            let next = match chain.last() {
                Some(dir) => dir.open_dir(name).ok()?,
                None => self.home.open_dir(name).ok()?,
            };
            chain.push(Arc::new(next));
        }
        match chain.last() {
            Some(dir) => Some(Arc::clone(dir)),
            None => SafeDir::open_root(self.home.path()).ok().map(Arc::new),
        }
    }
}

/// A version-control object store anywhere in the home: `.git/objects`,
/// `.hg/store`, `.svn/pristine` — packed or compressed copies, not files anyone
/// saved.
fn is_vcs_store(path: &Path) -> bool {
    let mut parts = path.iter().rev();
    match (parts.next(), parts.next()) {
        (Some(name), Some(parent)) => matches!(
            (parent.as_bytes(), name.as_bytes()),
            (b".git", b"objects") | (b".hg", b"store") | (b".svn", b"pristine")
        ),
        _ => false,
    }
}

/// One file for `--deep`, on a reader thread: opened as the listing said (a regular
/// file), judged by its size, read, inspected.
fn read_listed(dir: Arc<SafeDir>, name: OsString, seen: &HashSet<(u64, u64)>) -> Option<Event> {
    let path = dir.child_path(&name);
    let mut file = match dir.open_listed_file(&name) {
        Ok(file) => file,
        Err(FsError::NotFound | FsError::NotRegular(_) | FsError::Symlink { .. }) => return None,
        Err(error) => {
            return Some(Event::Passed {
                path,
                code: "unreadable",
                message: error.to_string(),
            });
        }
    };
    let meta = *file.meta();
    if !(MIN_KEY_BYTES..=MAX_DEEP_FILE_BYTES).contains(&meta.size)
        || seen.contains(&(meta.dev, meta.ino))
    {
        return None;
    }
    let inspection = match super::read_key_bytes(&mut file) {
        Ok(prefix) => inspect(&prefix)?,
        Err(error) => {
            return Some(Event::Passed {
                path,
                code: "unreadable",
                message: error.to_string(),
            });
        }
    };
    Some(Event::Key(FoundKey {
        dir,
        name,
        path,
        meta,
        location: file.location(),
        inspection,
        store: Store::Elsewhere,
    }))
}

/// Counts the entries of a `--deep` walk and tells the listener now and then.
struct Progress<'l> {
    listener: Option<&'l dyn WalkProgress>,
    files: u64,
    last: Instant,
}

impl<'l> Progress<'l> {
    fn new(listener: Option<&'l dyn WalkProgress>) -> Progress<'l> {
        Progress {
            listener,
            files: 0,
            last: Instant::now(),
        }
    }

    fn tick(&mut self) {
        self.files += 1;
        if let Some(listener) = self.listener
            && self.last.elapsed() > Duration::from_millis(100)
        {
            self.last = Instant::now();
            listener.looked_at(self.files);
        }
    }

    fn finish(&self) {
        if let Some(listener) = self.listener {
            listener.finished();
        }
    }
}
