//! Secrets left in history files: every shell and REPL that keeps one writes what
//! was typed, passwords on command lines included. Files are read in bounded chunks
//! of whole lines (a 2 GB history neither fills memory nor stalls the run), each
//! chunk matched in one pass, and only a masked copy of a line ever leaves here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

use zeroize::Zeroizing;

use super::patterns::{self, Hit};
use crate::fs::{FsError, Kind, Location, Meta, SafeDir, SafeFile};

/// History files below the home, by the programs that write them.
pub const HISTORY_FILES: &[&str] = &[
    ".bash_history",
    ".zsh_history",
    ".zhistory",
    ".histfile",
    ".sh_history",
    ".ash_history",
    ".local/share/fish/fish_history",
    ".python_history",
    ".mysql_history",
    ".psql_history",
    ".sqlite_history",
    ".node_repl_history",
    ".rediscli_history",
];

/// How much is read at a time; a longer line is judged in pieces of this size.
pub const CHUNK_BYTES: usize = 1 << 20;

/// The most of a history that is read: a gibibyte is years of anyone's commands,
/// and a sparse file of terabytes would otherwise keep the scan reading for hours.
/// A larger file is a skip, never a pass; one that grows past it while being read
/// has changed under the scan.
pub const MAX_HISTORY_BYTES: u64 = 1 << 30;

/// [`FsError::TooLarge`] for a history over [`MAX_HISTORY_BYTES`].
pub fn check_size(file: &SafeFile) -> Result<(), FsError> {
    let size = file.meta().size;
    if size > MAX_HISTORY_BYTES {
        return Err(FsError::TooLarge(size, MAX_HISTORY_BYTES));
    }
    Ok(())
}

/// Counts what a reader took and refuses to go past [`MAX_HISTORY_BYTES`].
fn count_read(total: &mut u64, n: usize) -> Result<(), FsError> {
    *total += n as u64;
    if *total > MAX_HISTORY_BYTES {
        return Err(FsError::Changed);
    }
    Ok(())
}

/// One secret on one line of a history file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// 1-based.
    pub line: u64,
    pub kind: &'static str,
    /// The line with every secret masked, terminal-safe.
    pub masked: String,
}

/// The most leaks of one file kept one by one; the rest are only counted. A report
/// shows a few hundred findings a check at most, and a 200 MB history full of
/// secrets holds millions: keeping each would take gigabytes.
pub const KEPT_LEAKS: usize = 256;

/// The secrets of one file: the first [`KEPT_LEAKS`] in the file's order, and how
/// many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leaks {
    pub kept: Vec<Leak>,
    pub total: u64,
}

impl Leaks {
    /// Adds the next part of the file: its first leaks while there is room, and its
    /// count.
    fn absorb(&mut self, (kept, total): (Vec<Leak>, u64)) {
        let room = KEPT_LEAKS - self.kept.len();
        self.kept.extend(kept.into_iter().take(room));
        self.total += total;
    }
}

/// A history file as found.
pub enum HistoryFile {
    /// A regular file, with its `fstat`, where its bytes are kept, and what it holds.
    Scanned {
        path: PathBuf,
        meta: Meta,
        location: Location,
        leaks: Leaks,
    },
    /// A link or some other non-regular entry where a history file should be: not
    /// followed, not read.
    NotRegular {
        path: PathBuf,
        kind: Kind,
        target: Option<String>,
    },
    /// It could not be read.
    Unreadable { path: PathBuf, reason: String },
}

/// Looks at every history file below `home`, plus `extra` (the file HISTFILE names,
/// relative to the home or absolute).
pub fn scan(home: &SafeDir, extra: &[PathBuf]) -> Vec<HistoryFile> {
    let mut found = Vec::new();
    let mut paths: Vec<PathBuf> = HISTORY_FILES
        .iter()
        .map(|rel| home.path().join(rel))
        .collect();
    for path in extra {
        if !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    for path in paths {
        if let Some(file) = scan_one(home, &path) {
            found.push(file);
        }
    }
    found
}

fn scan_one(home: &SafeDir, path: &Path) -> Option<HistoryFile> {
    let (dir, name) = match home.open_parent(path) {
        Ok(found) => found,
        Err(FsError::NotFound | FsError::NotDirectory(_)) => return None,
        Err(error) => {
            return Some(HistoryFile::Unreadable {
                path: path.to_owned(),
                reason: format!("the directory holding it cannot be opened: {error}"),
            });
        }
    };
    let meta = match dir.lstat(name) {
        Ok(meta) => meta,
        Err(FsError::NotFound) => return None,
        Err(error) => {
            return Some(HistoryFile::Unreadable {
                path: path.to_owned(),
                reason: error.to_string(),
            });
        }
    };
    if meta.kind != Kind::Regular {
        let target = dir.read_link(name).map(|t| {
            crate::sanitize::display_bytes(std::os::unix::ffi::OsStrExt::as_bytes(t.as_os_str()))
        });
        return Some(HistoryFile::NotRegular {
            path: path.to_owned(),
            kind: meta.kind,
            target,
        });
    }
    let file = match dir.open_file(name, &meta) {
        Ok(file) => file,
        Err(error) => {
            return Some(HistoryFile::Unreadable {
                path: path.to_owned(),
                reason: error.to_string(),
            });
        }
    };
    if let Err(error) = check_size(&file) {
        return Some(HistoryFile::Unreadable {
            path: path.to_owned(),
            reason: error.to_string(),
        });
    }
    let meta = *file.meta();
    let location = file.location();
    match leaks(file) {
        Ok(leaks) => Some(HistoryFile::Scanned {
            path: path.to_owned(),
            meta,
            location,
            leaks,
        }),
        Err(error) => Some(HistoryFile::Unreadable {
            path: path.to_owned(),
            reason: error.to_string(),
        }),
    }
}

/// Calls `each(chunk, lines_before)` for the file in chunks of whole lines; the
/// remainder of a chunk is carried to the next, and a line longer than a chunk is
/// handed over in pieces. The buffer is wiped when done: history holds secrets.
pub fn for_each_chunk(
    file: &mut SafeFile,
    mut each: impl FnMut(&[u8], u64),
) -> Result<(), FsError> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK_BYTES]);
    let mut filled = 0;
    let mut line_base: u64 = 0;
    let mut total = 0;
    loop {
        let n = file.read_some(&mut buf[filled..])?;
        count_read(&mut total, n)?;
        let at_end = n == 0;
        filled += n;
        if filled == 0 {
            return Ok(());
        }
        let end =
            if at_end || filled == buf.len() && memchr::memchr(b'\n', &buf[..filled]).is_none() {
                filled
            } else {
                match memchr::memrchr(b'\n', &buf[..filled]) {
                    Some(last) => last + 1,
                    None => continue,
                }
            };
        each(&buf[..end], line_base);
        line_base += memchr::memchr_iter(b'\n', &buf[..end]).count() as u64;
        buf.copy_within(end..filled, 0);
        filled -= end;
        if at_end && filled == 0 {
            return Ok(());
        }
    }
}

/// The secrets in a file, with the line each is on, the line masked: the first
/// [`KEPT_LEAKS`] and the count of all. The file is read on this thread and its
/// chunks scanned on up to `MAX_WORKERS` others at once, so that a large history
/// takes the time of reading it rather than of matching it; leaks come back in the
/// file's order all the same, and what is held at once is bounded by the chunks in
/// flight, whatever the file's size.
pub fn leaks(mut file: SafeFile) -> Result<Leaks, FsError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_WORKERS);
    let mut found = Leaks::default();
    if workers < 2 {
        for_each_chunk(&mut file, |chunk, line_base| {
            found.absorb(chunk_leaks(chunk, line_base));
        })?;
        return Ok(found);
    }
    let (work, jobs) = mpsc::sync_channel::<(usize, u64, Zeroizing<Vec<u8>>)>(workers * 2);
    let jobs = Mutex::new(jobs);
    let (done, results) = mpsc::channel::<(usize, (Vec<Leak>, u64))>();
    // Scanned buffers go back to the reader to be filled again: a fresh megabyte per
    // chunk costs page faults to map it and a wipe to free it, for every chunk of the file.
    let (spare, spares) = mpsc::channel::<Zeroizing<Vec<u8>>>();
    // Results arrive in any order; each is absorbed once those before it are.
    let mut waiting: BTreeMap<usize, (Vec<Leak>, u64)> = BTreeMap::new();
    let mut next = 0;
    let mut take = |found: &mut Leaks, seq: usize, part| {
        waiting.insert(seq, part);
        while let Some(part) = waiting.remove(&next) {
            found.absorb(part);
            next += 1;
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, done, spare) = (&jobs, done.clone(), spare.clone());
            scope.spawn(move || {
                loop {
                    // The lock is held only to take a job, never while scanning.
                    let job = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, line_base, chunk)) = job else {
                        return;
                    };
                    if done.send((seq, chunk_leaks(&chunk, line_base))).is_err() {
                        return;
                    }
                    // Fails only when the reader is done, and then the buffer is wiped here.
                    let _ = spare.send(chunk);
                }
            });
        }
        drop((done, spare));
        let read = for_each_owned_chunk(
            &mut file,
            || spares.try_recv().ok(),
            |seq, line_base, chunk| {
                // A send fails only when every worker is gone, and then nothing is left to do.
                let _ = work.send((seq, line_base, chunk));
                for (seq, part) in results.try_iter() {
                    take(&mut found, seq, part);
                }
            },
        );
        drop(work);
        for (seq, part) in results.iter() {
            take(&mut found, seq, part);
        }
        read?;
        Ok(found)
    })
}

/// At most this many threads scan one file.
const MAX_WORKERS: usize = 4;

/// The secrets in one chunk of whole lines whose first line is `line_base` + 1: the
/// first [`KEPT_LEAKS`], masked, and the count of all.
fn chunk_leaks(chunk: &[u8], line_base: u64) -> (Vec<Leak>, u64) {
    let mut found = Vec::new();
    let mut total = 0;
    patterns::scan_chunk(chunk, |index, start, hits: &[Hit]| {
        total += hits.len() as u64;
        if found.len() >= KEPT_LEAKS {
            return;
        }
        let line_end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |e| start + e);
        let masked = patterns::mask(&chunk[start..line_end], hits);
        for hit in hits.iter().take(KEPT_LEAKS - found.len()) {
            found.push(Leak {
                line: line_base + index as u64 + 1,
                kind: hit.kind,
                masked: masked.clone(),
            });
        }
    });
    (found, total)
}

/// As `for_each_chunk`, but each chunk is a buffer of its own, handed over with its
/// place in the file (`seq`) and the number of lines before it, so that it can be
/// scanned on another thread. A buffer comes from `reuse` when it has one, else it is
/// new; every buffer is wiped when dropped.
fn for_each_owned_chunk(
    file: &mut SafeFile,
    mut reuse: impl FnMut() -> Option<Zeroizing<Vec<u8>>>,
    mut each: impl FnMut(usize, u64, Zeroizing<Vec<u8>>),
) -> Result<(), FsError> {
    let mut carry: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    let (mut seq, mut line_base) = (0, 0u64);
    let mut total = 0;
    loop {
        let mut buf = reuse().unwrap_or_default();
        // Only what a shorter chunk left of a reused buffer is filled in.
        buf.resize(CHUNK_BYTES, 0);
        let mut filled = carry.len();
        buf[..filled].copy_from_slice(&carry);
        carry.clear();
        let mut at_end = false;
        while filled < buf.len() {
            let n = file.read_some(&mut buf[filled..])?;
            count_read(&mut total, n)?;
            if n == 0 {
                at_end = true;
                break;
            }
            filled += n;
        }
        if filled == 0 {
            return Ok(());
        }
        // A line longer than a chunk is handed over in pieces.
        let end = match memchr::memrchr(b'\n', &buf[..filled]) {
            Some(last) if !at_end => last + 1,
            _ => filled,
        };
        carry.extend_from_slice(&buf[end..filled]);
        buf.truncate(end);
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        each(seq, line_base, buf);
        seq += 1;
        line_base += lines;
        if at_end && carry.is_empty() {
            return Ok(());
        }
    }
}
