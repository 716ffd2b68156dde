//! `history --redact FILE`: replaces each secret found in a history file with a
//! marker and leaves every other byte as it was. The new content is written to a
//! file in the same directory that has no name yet (`O_TMPFILE`), given the same
//! owner and mode, flushed to disk, and named and renamed over the original only
//! after a yes — so an interruption at any point, even a kill at the prompt, leaves
//! the original whole and no copy of the history behind. Where the filesystem
//! cannot hold an unnamed file (NFS, for one) the copy has a hidden name from the
//! start and every way out but a signal removes it; a kill or Ctrl-C there leaves
//! it behind, 0600. A file that changes while this runs (a shell appending on exit)
//! is left alone.

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;

use super::patterns;
use crate::fs::{FsError, Meta, SafeDir, TempFile};
use crate::terminal::TerminalError;

/// What replaces a secret. It reads as a placeholder, so a second run finds nothing.
pub const MARKER: &[u8] = b"<redacted>";

/// What a redaction found and did.
pub struct Redaction {
    pub secrets: usize,
    /// Masked lines, for the person to see what goes (at most 20).
    pub preview: Vec<(u64, String)>,
    pub replaced: bool,
}

/// Why nothing was replaced.
#[derive(Debug)]
pub enum RedactError {
    File(FsError),
    Write(std::io::Error),
    /// The file grew or changed while it was read.
    Changed,
    /// The person said no.
    Declined,
    /// The person could not be asked.
    NotAsked(TerminalError),
}

impl std::fmt::Display for RedactError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedactError::File(e) => write!(f, "{e}"),
            RedactError::Write(e) => write!(f, "cannot write the redacted copy: {e}"),
            RedactError::Changed => write!(
                f,
                "changed while it was being redacted (a shell writing its history?); nothing was replaced — close the shells and run again"
            ),
            RedactError::Declined => write!(f, "nothing was replaced: the answer was no"),
            RedactError::NotAsked(why) => write!(f, "nothing was replaced: {why}"),
        }
    }
}

impl std::error::Error for RedactError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RedactError::File(e) => Some(e),
            RedactError::Write(e) => Some(e),
            RedactError::NotAsked(e) => Some(e),
            RedactError::Changed | RedactError::Declined => None,
        }
    }
}

impl RedactError {
    /// Whether the file was left as it was because nobody said yes.
    pub fn not_confirmed(&self) -> bool {
        matches!(self, RedactError::Declined | RedactError::NotAsked(_))
    }
}

/// Redacts `file`. `confirm` is shown what would go, and asked, before the rename;
/// it is not asked when there is nothing to redact.
pub fn redact(
    file: &Path,
    confirm: impl FnOnce(&Redaction) -> Result<bool, TerminalError>,
) -> Result<Redaction, RedactError> {
    let (dir, name) = SafeDir::split_path(file).map_err(RedactError::File)?;
    let seen = dir.lstat(name).map_err(RedactError::File)?;
    let mut source = dir.open_file(name, &seen).map_err(RedactError::File)?;
    super::history::check_size(&source).map_err(RedactError::File)?;
    let before = *source.meta();
    let temp = dir.create_temp(name).map_err(RedactError::File)?;
    // On every way out short of the rename, dropping `temp` removes the copy.
    write_redacted(&mut source, temp, &dir, name, &before, confirm)
}

fn write_redacted(
    source: &mut crate::fs::SafeFile,
    temp: TempFile<'_>,
    dir: &SafeDir,
    name: &OsStr,
    before: &Meta,
    confirm: impl FnOnce(&Redaction) -> Result<bool, TerminalError>,
) -> Result<Redaction, RedactError> {
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, temp.file());
    let mut redaction = Redaction {
        secrets: 0,
        preview: Vec::new(),
        replaced: false,
    };
    let mut failure = None;
    super::history::for_each_chunk(source, |chunk, line_base| {
        let mut copied = 0;
        patterns::scan_chunk(chunk, |index, start, hits| {
            for hit in hits {
                let (from, to) = (start + hit.secret.start, start + hit.secret.end);
                if failure.is_none()
                    && let Err(e) = writer
                        .write_all(&chunk[copied..from])
                        .and_then(|()| writer.write_all(MARKER))
                {
                    failure = Some(e);
                }
                copied = to;
                redaction.secrets += 1;
            }
            if redaction.preview.len() < 20 {
                let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |e| start + e);
                redaction.preview.push((
                    line_base + index as u64 + 1,
                    patterns::mask(&chunk[start..end], hits),
                ));
            }
        });
        if failure.is_none()
            && let Err(e) = writer.write_all(&chunk[copied..])
        {
            failure = Some(e);
        }
    })
    .map_err(RedactError::File)?;
    if let Some(e) = failure {
        return Err(RedactError::Write(e));
    }
    writer
        .into_inner()
        .map_err(|e| RedactError::Write(e.into_error()))?;
    if redaction.secrets == 0 {
        return Ok(redaction);
    }
    unchanged(dir, name, before)?;
    match confirm(&redaction) {
        Ok(true) => {}
        Ok(false) => return Err(RedactError::Declined),
        Err(why) => return Err(RedactError::NotAsked(why)),
    }
    // Again: the person may have taken minutes to answer while a shell appended.
    unchanged(dir, name, before)?;
    temp.replace(before).map_err(RedactError::File)?;
    redaction.replaced = true;
    Ok(redaction)
}

/// The original must still be what was read: same file, same size, same change time.
fn unchanged(dir: &SafeDir, name: &OsStr, before: &Meta) -> Result<(), RedactError> {
    let now = dir.lstat(name).map_err(RedactError::File)?;
    if !now.same_file(before) || now.size != before.size || now.changed != before.changed {
        return Err(RedactError::Changed);
    }
    Ok(())
}
