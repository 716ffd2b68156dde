//! `--deep`: the whole home, not only the key stores — one filesystem, no links, no
//! caches or version-control stores — for keys saved where no tool expects them.
//!
//! It has to be cheap, as it runs over every file a person has. walkdir lists the
//! directories (by `d_type`, no `lstat`), on the calling thread; each directory is
//! opened again through the safe layer, relative to its parent and without
//! following links, and the names it holds go in batches to one reader per core.
//! A reader opens each file once through the safe layer and reads only what a key
//! can be: its first 4 KiB. Binary key formats show themselves in their first
//! bytes, and a key file opens with its key (or a few lines before it), whose text
//! carries a marker every text key format has; a file with neither — or with a NUL
//! and no binary signature, grep's `-I` rule — is done with there. Only a file
//! with one is read on, to the 64 KiB a key can take (a PKCS#12 file whole), and
//! parsed. No file over 1 MiB is judged.

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
use crate::fs::{FsError, SafeDir, SafeFile};
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

/// Regular files for a reader: each with its open directory.
type Batch = Vec<(Arc<SafeDir>, OsString)>;

impl Scanner<'_> {
    /// `--deep`: the whole home, one filesystem, no links, no caches, and no key
    /// store again; listed on this thread, read on one thread per core (at most
    /// [`MAX_READERS`]).
    pub(super) fn deep(&mut self, listener: Option<&dyn WalkProgress>) {
        let root = match SafeDir::open_root(self.home.path()) {
            Ok(root) => Arc::new(root),
            Err(error) => {
                let path = self.home.path().to_owned();
                return self.passed(path, "unreadable", error.to_string());
            }
        };
        let readers = std::thread::available_parallelism()
            .map_or(2, usize::from)
            .clamp(1, MAX_READERS);
        let (batches, queue) = mpsc::sync_channel::<Batch>(4 * readers);
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

/// walkdir's walk of the home, each directory it enters opened again through the
/// safe layer (from its parent, following no link): the regular files' names go to
/// the readers with that open directory; what could not be listed comes back.
fn list(
    home: &Path,
    root: Arc<SafeDir>,
    batches: &mpsc::SyncSender<Batch>,
    listener: Option<&dyn WalkProgress>,
) -> Vec<Event> {
    let skip: Vec<PathBuf> = Store::ROOTS
        .iter()
        .map(|(rel, _)| home.join(rel))
        .chain(DEEP_SKIP_PATHS.iter().map(|rel| home.join(rel)))
        .collect();
    let device = root.meta().dev;
    let mut walk = walkdir::WalkDir::new(home)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| !(entry.file_type().is_dir() && skipped(entry.path(), &skip)));
    let mut unread = Vec::new();
    // The open directories from the home down to the one being listed: an entry
    // at depth d lies in `open[d - 1]`.
    let mut open: Vec<Arc<SafeDir>> = vec![root];
    let mut batch: Batch = Vec::with_capacity(BATCH);
    let send = |batch: &mut Batch| {
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        full.is_empty() || batches.send(full).is_ok()
    };
    let mut progress = Progress::new(listener);
    while let Some(entry) = walk.next() {
        progress.tick();
        let entry = match entry {
            Ok(entry) if entry.depth() > 0 => entry,
            Ok(_) => continue,
            Err(error) => {
                if let Some(path) = error.path() {
                    let reason = error
                        .io_error()
                        .map_or_else(|| error.to_string(), ToString::to_string);
                    unread.push(passed(
                        path.to_owned(),
                        format!("cannot be listed: {reason}"),
                    ));
                }
                continue;
            }
        };
        open.truncate(entry.depth());
        let Some(parent) = open.last() else { continue };
        let name = entry.file_name();
        if entry.file_type().is_dir() && entry.depth() > MAX_DEEP_DEPTH {
            let message = format!("more than {MAX_DEEP_DEPTH} levels below the home; not walked");
            unread.push(Event::Passed {
                path: entry.path().to_owned(),
                code: "too-deep",
                message,
            });
            walk.skip_current_dir();
        } else if entry.file_type().is_dir() {
            match parent.open_listed_dir(name) {
                // Another filesystem (a mount point) is not entered.
                Ok(dir) if dir.meta().dev != device => walk.skip_current_dir(),
                Ok(dir) => open.push(Arc::new(dir)),
                Err(error) => {
                    // Gone, or swapped for a link or a file since it was listed:
                    // nothing to say; anything else is said.
                    if !matches!(
                        error,
                        FsError::NotFound | FsError::Symlink { .. } | FsError::Changed
                    ) {
                        unread.push(passed(entry.path().to_owned(), error.to_string()));
                    }
                    walk.skip_current_dir();
                }
            }
        } else if entry.file_type().is_file() {
            batch.push((Arc::clone(parent), name.to_owned()));
            if batch.len() == BATCH && !send(&mut batch) {
                break;
            }
        }
        // Links are not followed; FIFOs, sockets and devices never opened.
    }
    send(&mut batch);
    unread
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
        for (dir, name) in batch {
            if let Some(event) = read_file(&dir, name, seen, &mut buffer) {
                out.push(event);
            }
        }
    }
    out
}

/// One regular file: opened, its first bytes read, and read on and parsed only
/// when they say it could be a key.
fn read_file(
    dir: &Arc<SafeDir>,
    name: OsString,
    seen: &HashSet<(u64, u64)>,
    buffer: &mut [u8],
) -> Option<Event> {
    let unreadable = |error: &FsError| passed(dir.child_path(&name), error.to_string());
    let mut listed = match dir.open_listed(&name) {
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
    let candidate = keys::has_binary_key_signature(&buffer[..len])
        || (memchr::memchr(0, &buffer[..len]).is_none() && has_text_marker(&buffer[..len]));
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
        path: dir.child_path(&name),
        dir: Arc::clone(dir),
        name,
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
