//! `breach import`: a Pwned Passwords SHA-1 download (`HEX:COUNT` lines, by hash
//! or by prevalence, LF or CRLF) into an index, in memory bounded by `--memory`
//! whatever the size of the download, which is about 40 GB today.
//!
//! An external sort: the lines are parsed into 24-byte records until the budget is
//! full, sorted, and spilled as a run to an unnamed scratch file; the runs are then
//! merged, at most `MAX_FAN_IN` at a time, straight into the index, which is written
//! as a temporary file and renamed over the old one only once it is complete and on
//! disk. A killed import leaves the old index and no scratch files behind.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ffi::OsStr;
use std::io::{BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::format::{self, BLOCK, HEADER_LEN, Header, Layout, MAX_ENTRIES};
use crate::fs::{FsError, SafeDir, SafeFile};

/// A line of the download is 40 hex digits, a colon and a count: far shorter.
const MAX_LINE: usize = 128;
/// The shortest line that holds an entry (`40 hex:1\n`), to size the first run.
const MIN_LINE: u64 = 43;
const RECORD: usize = 24;
/// Runs merged at once: each needs a descriptor and a read buffer.
const MAX_FAN_IN: usize = 64;
/// The smallest budget accepted: below it the runs would be tiny and many.
pub const MIN_MEMORY: u64 = 16 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rec {
    hash: [u8; 20],
    count: u32,
}

/// What an import made.
#[derive(Debug)]
pub struct Imported {
    pub header: Header,
    pub file_len: u64,
    /// Sorted runs spilled to scratch files (0: everything fitted in memory).
    pub runs: usize,
}

/// Why an import failed: a line of the source that is not a Pwned Passwords line
/// (`Line`), the source unreadable (`Source`), or the index or a scratch file that
/// could not be made or written (`Io`, `Fs`, `TooMany`).
#[derive(Debug)]
pub enum ImportError {
    Line {
        line: u64,
        reason: String,
    },
    Source(FsError),
    /// What was being done, and the error.
    Io {
        doing: &'static str,
        error: std::io::Error,
    },
    Fs {
        doing: &'static str,
        error: FsError,
    },
    /// More distinct hashes than an index holds.
    TooMany,
}

impl ImportError {
    /// Whether the source is to blame (a line of it, or reading it) rather than
    /// where the index goes.
    pub fn in_source(&self) -> bool {
        matches!(self, ImportError::Line { .. } | ImportError::Source(_))
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Line { line, reason } => write!(f, "line {line}: {reason}"),
            ImportError::Source(error) => write!(f, "cannot read it: {error}"),
            ImportError::Io { doing, error } => write!(f, "{doing}: {error}"),
            ImportError::Fs { doing, error } => write!(f, "{doing}: {error}"),
            ImportError::TooMany => write!(
                f,
                "more than {MAX_ENTRIES} distinct hashes; an index holds at most that many"
            ),
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Source(error) | ImportError::Fs { error, .. } => Some(error),
            ImportError::Io { error, .. } => Some(error),
            ImportError::Line { .. } | ImportError::TooMany => None,
        }
    }
}

fn io(doing: &'static str) -> impl Fn(std::io::Error) -> ImportError {
    move |error| ImportError::Io { doing, error }
}

fn fs(doing: &'static str) -> impl Fn(FsError) -> ImportError {
    move |error| ImportError::Fs { doing, error }
}

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The bytes the sort may hold in memory.
    pub memory: u64,
    /// The build time recorded in the header, in seconds since the epoch.
    pub now: u64,
    /// The bucket-table width; `None` picks the one that makes the file smallest
    /// (tests force the others, to reach their edges with few entries).
    pub prefix_bits: Option<u8>,
}

/// Imports `source` into `name` in `out`, sorting in `scratch`.
pub fn import(
    mut source: SafeFile,
    source_path: &Path,
    out: &SafeDir,
    name: &OsStr,
    scratch: &SafeDir,
    options: Options,
) -> Result<Imported, ImportError> {
    let Options {
        memory,
        now,
        prefix_bits,
    } = options;
    let capacity = usize::try_from((memory / 10 * 9) / RECORD as u64)
        .unwrap_or(usize::MAX)
        .min(usize::try_from(source.meta().size / MIN_LINE + 1).unwrap_or(usize::MAX))
        .max(1);
    let mut runs: Vec<Run> = Vec::new();
    let mut batch: Vec<Rec> = Vec::with_capacity(capacity);
    let mut lines = 0u64;
    let mut chunk = vec![0u8; 1 << 20];
    let mut have = 0;
    loop {
        let n = source
            .read_some(&mut chunk[have..])
            .map_err(ImportError::Source)?;
        have += n;
        let mut start = 0;
        while let Some(at) = memchr::memchr(b'\n', &chunk[start..have]) {
            lines += 1;
            take(&chunk[start..start + at], lines, &mut batch)?;
            start += at + 1;
            if batch.len() == capacity {
                spill(&mut batch, &mut runs, scratch, memory)?;
            }
        }
        if n == 0 {
            if start < have {
                lines += 1;
                take(&chunk[start..have], lines, &mut batch)?;
            }
            break;
        }
        chunk.copy_within(start..have, 0);
        have -= start;
        if have > MAX_LINE {
            return Err(too_long(lines + 1));
        }
    }
    drop(chunk);
    sort_dedup(&mut batch);
    let upper: u64 = runs.iter().map(|r| r.records).sum::<u64>() + batch.len() as u64;
    let prefix_bits = prefix_bits.unwrap_or_else(|| format::best_prefix_bits(upper));
    let spilled = runs.len();
    let mut sources: Vec<Source> = runs.into_iter().map(Source::Run).collect();
    sources.push(Source::Memory(batch.into_iter()));
    let fan_in = sources.len();
    let temp = out
        .create_temp(name)
        .map_err(fs("cannot create the index"))?;
    let mut writer = IndexWriter::new(temp.file(), prefix_bits, memory / 4 / fan_in as u64);
    merge(sources, memory, |rec| writer.push(&rec))?;
    let entries = writer.finish()?;
    let header = Header {
        prefix_bits,
        entries,
        built: now,
        source_lines: lines,
        source: source_path
            .file_name()
            .map(|n| n.as_bytes().to_vec())
            .unwrap_or_default(),
    };
    temp.file()
        .write_all_at(&header.encode(), 0)
        .map_err(io("cannot write the index"))?;
    temp.replace_as(0o644)
        .map_err(fs("cannot put the index in place"))?;
    Ok(Imported {
        file_len: Layout::new(prefix_bits, entries).file_len,
        header,
        runs: spilled,
    })
}

fn too_long(line: u64) -> ImportError {
    ImportError::Line {
        line,
        reason: format!("longer than {MAX_LINE} bytes; not a Pwned Passwords line"),
    }
}

/// Parses one line into `batch`: blank lines and count-0 lines (the padding the
/// range API adds) are skipped.
fn take(line: &[u8], number: u64, batch: &mut Vec<Rec>) -> Result<(), ImportError> {
    let bad = |reason: &str| ImportError::Line {
        line: number,
        reason: reason.to_owned(),
    };
    if line.len() > MAX_LINE {
        return Err(too_long(number));
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = if number == 1 {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    };
    if line.is_empty() {
        return Ok(());
    }
    let Some(colon) = memchr::memchr(b':', line) else {
        return Err(bad(
            "no colon; expected 40 hex digits, a colon and a count (the SHA-1 download)",
        ));
    };
    let (hex, count) = (&line[..colon], &line[colon + 1..]);
    if hex.len() == 32 {
        return Err(bad(
            "32 hex digits: an NTLM hash; import the SHA-1 download instead",
        ));
    }
    let mut hash = [0u8; 20];
    if hex.len() != 40 || !decode_hex(hex, &mut hash) {
        return Err(bad(
            "expected 40 hex digits, a colon and a count (the SHA-1 download)",
        ));
    }
    if count.is_empty() || count.len() > 20 || !count.iter().all(u8::is_ascii_digit) {
        return Err(bad("the count after the colon is not a whole number"));
    }
    let count = count.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if count > 0 {
        batch.push(Rec {
            hash,
            count: u32::try_from(count).unwrap_or(u32::MAX),
        });
    }
    Ok(())
}

fn decode_hex(hex: &[u8], out: &mut [u8; 20]) -> bool {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => *byte = hi << 4 | lo,
            _ => return false,
        }
    }
    true
}

/// Sorts by hash and keeps one record per hash, with the highest count: the same
/// download imported twice, or two overlapping ones, must not add up.
fn sort_dedup(batch: &mut Vec<Rec>) {
    batch.sort_unstable_by_key(|rec| rec.hash);
    batch.dedup_by(|later, kept| {
        if later.hash == kept.hash {
            kept.count = kept.count.max(later.count);
            true
        } else {
            false
        }
    });
}

/// A sorted run in a scratch file.
struct Run {
    file: std::fs::File,
    records: u64,
}

fn spill(
    batch: &mut Vec<Rec>,
    runs: &mut Vec<Run>,
    scratch: &SafeDir,
    memory: u64,
) -> Result<(), ImportError> {
    sort_dedup(batch);
    let run = write_run(batch.drain(..), scratch)?;
    runs.push(run);
    if runs.len() == MAX_FAN_IN {
        // Too many to merge at once: merge these into one longer run first.
        let sources = runs.drain(..).map(Source::Run).collect();
        let file = new_scratch(scratch)?;
        let mut sink = BufWriter::with_capacity(1 << 20, &file);
        let mut records = 0u64;
        let mut failed = None;
        merge(sources, memory, |rec| {
            records += 1;
            if failed.is_none() {
                failed = write_rec(&mut sink, &rec).err();
            }
        })?;
        if let Some(e) = failed {
            return Err(io("cannot write a sorted run")(e));
        }
        sink.flush().map_err(io("cannot write a sorted run"))?;
        drop(sink);
        runs.push(Run { file, records });
    }
    Ok(())
}

fn new_scratch(scratch: &SafeDir) -> Result<std::fs::File, ImportError> {
    scratch
        .create_scratch()
        .map_err(fs("cannot create a scratch file"))
}

fn write_rec(sink: &mut impl Write, rec: &Rec) -> std::io::Result<()> {
    sink.write_all(&rec.hash)?;
    sink.write_all(&rec.count.to_le_bytes())
}

fn write_run(recs: impl Iterator<Item = Rec>, scratch: &SafeDir) -> Result<Run, ImportError> {
    let file = new_scratch(scratch)?;
    let mut sink = BufWriter::with_capacity(1 << 20, &file);
    let mut records = 0u64;
    for rec in recs {
        write_rec(&mut sink, &rec).map_err(io("cannot write a sorted run"))?;
        records += 1;
    }
    sink.flush().map_err(io("cannot write a sorted run"))?;
    drop(sink);
    Ok(Run { file, records })
}

/// A sorted stream of records: a run read back, or the last batch still in memory.
enum Source {
    Run(Run),
    Memory(std::vec::IntoIter<Rec>),
}

/// Reads a run back in buffered `pread`s.
struct RunReader {
    run: Run,
    offset: u64,
    buf: Vec<u8>,
    at: usize,
    len: usize,
}

impl RunReader {
    fn next(&mut self) -> Result<Option<Rec>, ImportError> {
        if self.at == self.len {
            let left = self.run.records * RECORD as u64 - self.offset;
            if left == 0 {
                return Ok(None);
            }
            let want = (self.buf.len() as u64).min(left) as usize;
            self.run
                .file
                .read_exact_at(&mut self.buf[..want], self.offset)
                .map_err(io("cannot read a sorted run back"))?;
            self.offset += want as u64;
            self.at = 0;
            self.len = want;
        }
        let bytes = &self.buf[self.at..self.at + RECORD];
        self.at += RECORD;
        let mut hash = [0u8; 20];
        hash.copy_from_slice(&bytes[..20]);
        let count = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
        Ok(Some(Rec { hash, count }))
    }
}

enum Reader {
    Run(RunReader),
    Memory(std::vec::IntoIter<Rec>),
}

impl Reader {
    fn next(&mut self) -> Result<Option<Rec>, ImportError> {
        match self {
            Reader::Run(run) => run.next(),
            Reader::Memory(iter) => Ok(iter.next()),
        }
    }
}

/// Merges sorted sources into one sorted stream without duplicate hashes (the
/// highest count wins), handing each record to `sink`.
fn merge(sources: Vec<Source>, memory: u64, mut sink: impl FnMut(Rec)) -> Result<(), ImportError> {
    // A quarter of the budget for read buffers, whole records each.
    let per_source = (memory / 4 / sources.len().max(1) as u64).clamp(4096, 1 << 20);
    let per_source = (per_source as usize / RECORD) * RECORD;
    let mut readers: Vec<Reader> = sources
        .into_iter()
        .map(|source| match source {
            Source::Run(run) => Reader::Run(RunReader {
                run,
                offset: 0,
                buf: vec![0u8; per_source],
                at: 0,
                len: 0,
            }),
            Source::Memory(iter) => Reader::Memory(iter),
        })
        .collect();
    let mut heads: Vec<Option<Rec>> = Vec::with_capacity(readers.len());
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (i, reader) in readers.iter_mut().enumerate() {
        let head = reader.next()?;
        if let Some(rec) = head {
            heap.push(Reverse((rec.hash, i)));
        }
        heads.push(head);
    }
    let mut pending: Option<Rec> = None;
    while let Some(Reverse((_, i))) = heap.pop() {
        let Some(rec) = heads[i].take() else { continue };
        let next = readers[i].next()?;
        if let Some(next) = next {
            heap.push(Reverse((next.hash, i)));
        }
        heads[i] = next;
        match &mut pending {
            Some(p) if p.hash == rec.hash => p.count = p.count.max(rec.count),
            _ => {
                if let Some(done) = pending.replace(rec) {
                    sink(done);
                }
            }
        }
    }
    if let Some(done) = pending {
        sink(done);
    }
    Ok(())
}

/// A region of the index written front to back through a buffer, each full block
/// checksummed on its way out.
struct Region<'f> {
    file: &'f std::fs::File,
    offset: u64,
    buf: Vec<u8>,
    flush_at: usize,
    sums: Vec<u64>,
    error: Option<std::io::Error>,
}

impl<'f> Region<'f> {
    fn new(file: &'f std::fs::File, offset: u64, buffer: u64) -> Region<'f> {
        let blocks = (buffer / BLOCK).clamp(1, 256) as usize;
        Region {
            file,
            offset,
            buf: Vec::with_capacity(blocks * BLOCK as usize + 64),
            flush_at: blocks * BLOCK as usize,
            sums: Vec::new(),
            error: None,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= self.flush_at {
            let whole = self.buf.len() / BLOCK as usize * BLOCK as usize;
            self.write(whole);
        }
    }

    /// Writes the first `len` bytes of the buffer and checksums them by block.
    fn write(&mut self, len: usize) {
        for block in self.buf[..len].chunks(BLOCK as usize) {
            self.sums.push(format::checksum(block));
        }
        if self.error.is_none()
            && let Err(e) = self.file.write_all_at(&self.buf[..len], self.offset)
        {
            self.error = Some(e);
        }
        self.offset += len as u64;
        self.buf.drain(..len);
    }

    fn finish(mut self) -> Result<Vec<u64>, ImportError> {
        let len = self.buf.len();
        if len > 0 {
            self.write(len);
        }
        match self.error {
            Some(e) => Err(io("cannot write the index")(e)),
            None => Ok(self.sums),
        }
    }
}

/// Writes the bucket table and the entries as the merge hands records over.
struct IndexWriter<'f> {
    file: &'f std::fs::File,
    layout: Layout,
    table: Region<'f>,
    entries: Region<'f>,
    /// The next bucket whose end is not written yet.
    bucket: u64,
    count: u64,
}

impl<'f> IndexWriter<'f> {
    fn new(file: &'f std::fs::File, prefix_bits: u8, buffer: u64) -> IndexWriter<'f> {
        let layout = Layout::new(prefix_bits, 0);
        IndexWriter {
            file,
            layout,
            table: Region::new(file, HEADER_LEN, buffer),
            entries: Region::new(file, layout.entries_offset, buffer),
            bucket: 0,
            count: 0,
        }
    }

    fn close_buckets_before(&mut self, bucket: u64) {
        while self.bucket < bucket {
            // `count` fits: `push` refuses more than MAX_ENTRIES entries.
            let end = u32::try_from(self.count).unwrap_or(u32::MAX);
            self.table.push(&end.to_le_bytes());
            self.bucket += 1;
        }
    }

    fn push(&mut self, rec: &Rec) {
        if self.count == MAX_ENTRIES {
            // Reported by `finish`, which sees the count beyond the limit.
            self.count += 1;
            return;
        }
        if self.count > MAX_ENTRIES {
            return;
        }
        let bucket = self.layout.bucket(&rec.hash);
        self.close_buckets_before(bucket);
        self.entries.push(&rec.hash[20 - self.layout.key_bytes..]);
        self.entries.push(&format::encode_count(rec.count));
        self.count += 1;
    }

    /// Closes the table, writes the checksums; returns the number of entries.
    fn finish(mut self) -> Result<u64, ImportError> {
        if self.count > MAX_ENTRIES {
            return Err(ImportError::TooMany);
        }
        self.close_buckets_before(self.layout.buckets());
        let padding = self.layout.table_len - self.layout.buckets() * 4;
        self.table.push(&vec![0u8; padding as usize]);
        let mut sums = self.table.finish()?;
        sums.extend(self.entries.finish()?);
        let layout = Layout::new(self.layout.prefix_bits, self.count);
        debug_assert_eq!(sums.len() as u64, layout.blocks);
        let bytes: Vec<u8> = sums.iter().flat_map(|s| s.to_le_bytes()).collect();
        self.file
            .write_all_at(&bytes, layout.sums_offset)
            .map_err(io("cannot write the index"))?;
        Ok(self.count)
    }
}
