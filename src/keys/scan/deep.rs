//! `--deep`: the whole home, not only the key stores — one filesystem, no links, no
//! caches or version-control stores — for keys saved where no tool expects them.
//!
//! It has to be cheap, as it runs over every file a person has. The calling thread
//! walks: each directory is opened from its parent through the safe layer, without
//! following a link, and listed through that descriptor by `d_type` (no `lstat`);
//! the regular files' names go in batches to one reader per core. A reader opens
//! each file once and reads what a key *file* can be: its first 4 KiB. Binary key
//! formats show themselves in their first bytes, and a text key file opens with its
//! key, or with a few lines of notes before it, and every text key format carries a
//! marker; a file with a NUL and no binary signature (grep's `-I` rule) or a text
//! without a marker is done with there. So a key pasted further into a long text
//! is not looked for (the manual says so, and how to find one): reading every text
//! to its end was a third of the walk's time. Only a file that may be a key is
//! read on, to the 64 KiB a key can take (a PKCS#12 file whole), and parsed. No
//! file over 1 MiB is judged.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use zeroize::{Zeroize, Zeroizing};

use super::{
    Event, FoundKey, KEY_PREFIX_BYTES, MIN_KEY_BYTES, Scanner, Store, WalkProgress, event_path,
};
use crate::fs::{FsError, Kind, SafeDir, SafeFile};
use crate::keys::{self, inspect};

/// `--deep` judges no file larger than this: no key is.
const MAX_DEEP_FILE_BYTES: u64 = 1 << 20;
/// What is read of every file: enough for every binary key signature, for the NUL
/// that marks a binary file, and for the marker of a text key — a key file opens
/// with its key, or with a few lines before it.
const FIRST_BYTES: usize = 4096;
/// Directory names `--deep` never enters: caches and version-control object stores
/// (their contents are copies or packed blobs, not files someone saved).
const DEEP_SKIP: &[&str] = &[".cache", "node_modules", ".npm", ".rustup", ".ccache"];
/// Paths below the home `--deep` never enters.
const DEEP_SKIP_PATHS: &[&str] = &[
    ".cargo/registry",
    ".cargo/git",
    ".m2/repository",
    ".gradle/caches",
    ".local/share/Trash/info",
];
/// How many directory levels below the home `--deep` goes: every level holds a
/// directory open, and no home a person keeps nests deeper (caches, which do,
/// are skipped). Deeper directories are a skip, never silently left out.
const MAX_DEEP_DEPTH: usize = 64;
/// The most reader threads, whatever the machine.
const MAX_READERS: usize = 8;
/// Files handed to a reader at once, from one directory or several: few enough
/// that the readers share a big directory, enough that handing them over costs
/// little beside the opens (most directories hold a few dozen files).
const BATCH: usize = 256;

/// Every text key format carries one of these (`inspect` recognises none without):
/// PEM labels and ssh.com's, PGP 2.x's armor, PuTTY's first line, gpg-agent's
/// S-expressions, gnome-keyring's text format.
const TEXT_MARKERS: &[&[u8]] = &[
    b"PRIVATE KEY",
    b"SECRET KEY BLOCK",
    b"PuTTY-User-Key-File",
    b"private-key",
    b"[keyring]",
];

/// Whether `text` holds a marker. Should the automaton ever fail to build, every
/// file is parsed: slower, never blind.
fn has_text_marker(text: &[u8]) -> bool {
    static MARKERS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    MARKERS
        .get_or_init(|| AhoCorasick::new(TEXT_MARKERS).ok())
        .as_ref()
        .is_none_or(|markers| markers.is_match(text))
}

/// Regular files for a reader: the names of each directory's files, NUL-separated
/// (no name holds a NUL), beside the open directory — one allocation and one
/// reference count a directory, not a file.
type Batch = Vec<(Arc<SafeDir>, Vec<u8>)>;

/// Directories one batch may name: every directory a queued batch names stays open,
/// and a home of many one-file directories must not run out of descriptors (1,024
/// by default) while its files wait to be read. With the most readers, the batches
/// queued (two a reader), being read and being filled hold at most 25 × 16 = 400,
/// beside the 64 of the deepest walk.
const BATCH_DIRS: usize = 16;

impl Scanner<'_> {
    /// `--deep`: the whole home, one filesystem, no links, no caches, and no key
    /// store again; listed on this thread, read on one thread per core (at most
    /// [`MAX_READERS`]).
    pub(super) fn deep(&mut self, listener: Option<&dyn WalkProgress>) {
        let root = match SafeDir::open_root(self.home.path()) {
            Ok(root) => root,
            Err(error) => {
                let path = self.home.path().to_owned();
                return self.passed(path, "unreadable", error.to_string());
            }
        };
        let readers = std::thread::available_parallelism()
            .map_or(2, usize::from)
            .clamp(1, MAX_READERS);
        let (batches, queue) = mpsc::sync_channel::<Batch>(2 * readers);
        let queue = Mutex::new(queue);
        let seen = &self.seen;
        let (mut found, listed) = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..readers)
                .map(|_| scope.spawn(|| read_batches(&queue, seen)))
                .collect();
            let listed = list(self.home.path(), root, &batches, listener);
            drop(batches);
            let read: Vec<Event> = handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect();
            (read, listed)
        });
        if let Some(listener) = listener {
            listener.finished();
        }
        found.extend(listed);
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
}

/// The walk of the home: every directory listed through the safe layer, by its
/// open descriptor, and entered from its parent following no link; the regular
/// files' names go to the readers with their open directory; what could not be
/// listed comes back.
fn list(
    home: &Path,
    root: SafeDir,
    batches: &mpsc::SyncSender<Batch>,
    listener: Option<&dyn WalkProgress>,
) -> Vec<Event> {
    let skip: Vec<PathBuf> = Store::ROOTS
        .iter()
        .map(|(rel, _)| home.join(rel))
        .chain(DEEP_SKIP_PATHS.iter().map(|rel| home.join(rel)))
        .collect();
    let device = root.meta().dev;
    let mut unread = Vec::new();
    let mut progress = Progress::new(listener);
    let mut filling = Filling::default();
    // Directories still to list, depth first: each named in its open parent (the
    // parents stay open, no others), with its depth below the home.
    let mut pending: Vec<(Arc<SafeDir>, OsString, usize)> = Vec::new();
    let mut next = Some((root, 0));
    loop {
        let (mut dir, depth) = match next.take() {
            Some(first) => first,
            None => {
                let Some((parent, name, depth)) = pending.pop() else {
                    break;
                };
                match enter(&parent, &name, depth, device, &skip, &mut unread) {
                    Some(dir) => (dir, depth),
                    None => continue,
                }
            }
        };
        // The files' names, NUL-separated, until the directory is shared.
        let mut files = Vec::new();
        let mut subdirs = Vec::new();
        let mut untyped = Vec::new();
        let listed = dir.each_entry(|name, kind| {
            progress.tick();
            match kind {
                Kind::Regular => {
                    files.extend_from_slice(name.as_bytes());
                    files.push(0);
                }
                Kind::Directory => subdirs.push(name.to_owned()),
                Kind::Unknown => untyped.push(name.to_owned()),
                // Links are not followed; FIFOs, sockets and devices never opened.
                _ => {}
            }
        });
        if let Err(error) = listed {
            unread.push(passed(
                dir.path().to_owned(),
                format!("cannot be listed: {error}"),
            ));
        }
        unread.extend(untyped.into_iter().map(|name| {
            passed(
                dir.child_path(&name),
                "its type could not be read".to_owned(),
            )
        }));
        let dir = Arc::new(dir);
        for name in files
            .split(|&byte| byte == 0)
            .filter(|name| !name.is_empty())
        {
            filling.add(&dir, OsStr::from_bytes(name));
            // A big directory is shared among the readers.
            if filling.full() {
                filling.send(batches);
            }
        }
        // Reversed, so that the first listed is entered first.
        pending.extend(
            subdirs
                .into_iter()
                .rev()
                .map(|name| (Arc::clone(&dir), name, depth + 1)),
        );
    }
    filling.send(batches);
    unread
}

/// A subdirectory the walk is to enter, opened from its parent without following a
/// link — unless it is skipped, too deep, on another filesystem, or gone.
fn enter(
    parent: &SafeDir,
    name: &OsStr,
    depth: usize,
    device: u64,
    skip: &[PathBuf],
    unread: &mut Vec<Event>,
) -> Option<SafeDir> {
    let path = parent.child_path(name);
    if skipped(&path, skip) {
        return None;
    }
    if depth > MAX_DEEP_DEPTH {
        let message = format!("more than {MAX_DEEP_DEPTH} levels below the home; not walked");
        unread.push(Event::Passed {
            path,
            code: "too-deep",
            message,
        });
        return None;
    }
    match parent.open_listed_dir(name) {
        // Another filesystem (a mount point) is not entered.
        Ok(dir) if dir.meta().dev != device => None,
        Ok(dir) => Some(dir),
        // Gone, or swapped for a link or a file since it was listed: nothing to
        // say; anything else is said.
        Err(FsError::NotFound | FsError::Symlink { .. } | FsError::Changed) => None,
        Err(error) => {
            unread.push(passed(path, error.to_string()));
            None
        }
    }
}

/// The batch being filled, and the count of files in it.
#[derive(Default)]
struct Filling {
    batch: Batch,
    files: usize,
}

impl Filling {
    fn add(&mut self, dir: &Arc<SafeDir>, name: &OsStr) {
        match self.batch.last_mut() {
            Some((last, names)) if Arc::ptr_eq(last, dir) => {
                names.push(0);
                names.extend_from_slice(name.as_bytes());
            }
            _ => self.batch.push((Arc::clone(dir), name.as_bytes().to_vec())),
        }
        self.files += 1;
    }

    fn full(&self) -> bool {
        self.files >= BATCH || self.batch.len() >= BATCH_DIRS
    }

    /// Hands the batch to the readers (who go only when the lister is done).
    fn send(&mut self, batches: &mpsc::SyncSender<Batch>) {
        self.files = 0;
        let full = std::mem::take(&mut self.batch);
        if !full.is_empty() {
            let _ = batches.send(full);
        }
    }
}

/// Caches, version-control object stores and the key stores.
fn skipped(path: &Path, skip: &[PathBuf]) -> bool {
    let name = path.file_name().unwrap_or_default();
    if DEEP_SKIP.iter().any(|skip| name == OsStr::new(skip)) {
        return true;
    }
    let parent = path.parent().and_then(Path::file_name).map(OsStr::as_bytes);
    let vcs = matches!(
        (parent, name.as_bytes()),
        (Some(b".git"), b"objects") | (Some(b".hg"), b"store") | (Some(b".svn"), b"pristine")
    );
    vcs || skip.iter().any(|s| s.as_path() == path)
}

/// One reader: batches until the lister is done; what it found.
fn read_batches(queue: &Mutex<mpsc::Receiver<Batch>>, seen: &HashSet<(u64, u64)>) -> Vec<Event> {
    let mut out = Vec::new();
    let mut buffer = Zeroizing::new(vec![0u8; KEY_PREFIX_BYTES]);
    loop {
        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(batch) = next else { break };
        for (dir, names) in batch {
            for name in names.split(|&byte| byte == 0) {
                if let Some(event) = read_file(&dir, OsStr::from_bytes(name), seen, &mut buffer) {
                    out.push(event);
                }
            }
        }
    }
    out
}

/// One regular file: opened, its first bytes read, and read on and parsed only
/// when they say it could be a key.
fn read_file(
    dir: &Arc<SafeDir>,
    name: &OsStr,
    seen: &HashSet<(u64, u64)>,
    buffer: &mut [u8],
) -> Option<Event> {
    let unreadable = |error: &FsError| passed(dir.child_path(name), error.to_string());
    let mut listed = match dir.open_listed(name) {
        Ok(file) => file,
        Err(FsError::NotFound | FsError::NotRegular(_) | FsError::Symlink { .. }) => {
            return None;
        }
        Err(error) => return Some(unreadable(&error)),
    };
    let first = FIRST_BYTES.min(buffer.len());
    let mut len = match listed.fill(&mut buffer[..first]) {
        Ok(len) => len,
        Err(error) => return Some(unreadable(&error)),
    };
    if (len as u64) < MIN_KEY_BYTES {
        return None;
    }
    let text = memchr::memchr(0, &buffer[..len]).is_none();
    let candidate =
        keys::has_binary_key_signature(&buffer[..len]) || (text && has_text_marker(&buffer[..len]));
    if !candidate {
        return None;
    }
    // Worth judging: now the descriptor must say it is a regular file of a size
    // a key can be, and not one a key store gave already.
    let mut file = match listed.checked() {
        Ok(file) => file,
        Err(FsError::NotRegular(_)) => return None,
        Err(error) => return Some(unreadable(&error)),
    };
    let meta = *file.meta();
    if meta.size > MAX_DEEP_FILE_BYTES || seen.contains(&(meta.dev, meta.ino)) {
        buffer[..len].zeroize();
        return None;
    }
    // A key's body may run past the first bytes: read on to what a key can take.
    if len == first && (len as u64) < meta.size {
        match fill(&mut file, &mut buffer[len..]) {
            Ok(more) => len += more,
            Err(error) => return Some(unreadable(&error)),
        }
    }
    let inspection = if keys::wants_whole_file(&buffer[..len]) && (len as u64) < meta.size {
        match file.read_prefix(super::MAX_WHOLE_FILE_BYTES - len) {
            Ok(rest) => {
                let mut whole = Zeroizing::new(Vec::with_capacity(len + rest.len()));
                whole.extend_from_slice(&buffer[..len]);
                whole.extend_from_slice(&rest);
                Ok(inspect(&whole))
            }
            Err(error) => Err(error),
        }
    } else {
        Ok(inspect(&buffer[..len]))
    };
    // What may be a key is wiped at once, not when the reader ends.
    buffer[..len].zeroize();
    let inspection = match inspection {
        Ok(inspection) => inspection?,
        Err(error) => return Some(unreadable(&error)),
    };
    Some(Event::Key(FoundKey {
        path: dir.child_path(name),
        dir: Arc::clone(dir),
        name: name.to_owned(),
        meta,
        location: file.location(),
        inspection,
        store: Store::Elsewhere,
    }))
}

/// Reads into `buffer` until it is full or the file ends; the bytes read.
fn fill(file: &mut SafeFile, buffer: &mut [u8]) -> Result<usize, FsError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read_some(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A file or directory `--deep` could not look into: a skip, never a pass.
fn passed(path: PathBuf, message: String) -> Event {
    Event::Passed {
        path,
        code: "unreadable",
        message,
    }
}

/// Counts the entries of a `--deep` walk and tells the listener now and then.
struct Progress<'l> {
    listener: Option<&'l dyn WalkProgress>,
    entries: u64,
    last: Instant,
}

impl<'l> Progress<'l> {
    fn new(listener: Option<&'l dyn WalkProgress>) -> Progress<'l> {
        Progress {
            listener,
            entries: 0,
            last: Instant::now(),
        }
    }

    fn tick(&mut self) {
        self.entries += 1;
        // The clock is read once per thousand entries, not per entry.
        if let Some(listener) = self.listener
            && self.entries % 1024 == 0
            && self.last.elapsed() > Duration::from_millis(100)
        {
            self.last = Instant::now();
            listener.looked_at(self.entries);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The walk of `home` as the readers get it: every batch, in order.
    fn batches_of(home: &Path) -> (Vec<Batch>, Vec<Event>) {
        let root = SafeDir::open_root(home).unwrap();
        let (sender, receiver) = mpsc::sync_channel::<Batch>(2);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || receiver.iter().collect::<Vec<Batch>>());
            let unread = list(home, root, &sender, None);
            drop(sender);
            (reader.join().unwrap(), unread)
        })
    }

    fn names(batch: &Batch) -> Vec<(PathBuf, OsString)> {
        batch
            .iter()
            .flat_map(|(dir, names)| {
                names
                    .split(|&byte| byte == 0)
                    .map(|name| (dir.path().to_owned(), OsStr::from_bytes(name).to_owned()))
            })
            .collect()
    }

    #[test]
    fn a_batch_keeps_few_directories_open_and_every_file_is_handed_on_once() {
        let home = tempfile::tempdir().unwrap();
        // Many directories of one file, and one big directory: the first must not
        // hold a descriptor per file in a queued batch, the second must be shared.
        let mut want = Vec::new();
        for d in 0..500 {
            let dir = home.path().join(format!("few/d{d}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("note"), b"x").unwrap();
            want.push((dir, OsString::from("note")));
        }
        let big = home.path().join("big");
        std::fs::create_dir(&big).unwrap();
        for f in 0..1000 {
            std::fs::write(big.join(format!("f{f}")), b"x").unwrap();
            want.push((big.clone(), OsString::from(format!("f{f}"))));
        }
        // Skipped: a cache, and what is not a regular file.
        std::fs::create_dir_all(home.path().join(".cache/app")).unwrap();
        std::fs::write(home.path().join(".cache/app/blob"), b"x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", home.path().join("link")).unwrap();
        let (batches, unread) = batches_of(home.path());
        assert!(unread.is_empty());
        for batch in &batches {
            assert!(batch.len() <= BATCH_DIRS, "{} directories", batch.len());
            assert!(names(batch).len() <= BATCH, "{} files", names(batch).len());
        }
        let big_batches = batches
            .iter()
            .filter(|batch| batch.iter().any(|(dir, _)| dir.path() == big))
            .count();
        assert!(big_batches >= 1000 / BATCH, "{big_batches}");
        let mut got: Vec<_> = batches.iter().flat_map(names).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }
}
