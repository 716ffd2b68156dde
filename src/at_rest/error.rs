//! Why a kernel table could not be read. None of these stops a run: the verdict turns
//! them into "encryption unknown", and the public functions into None. They are
//! errors rather than a bare None so that the cause travels as far as the verdict.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::sanitize::display_path;

#[derive(Debug)]
pub enum AtRestError {
    /// Opening, inspecting or reading the file failed; `source` says how.
    Read { path: PathBuf, source: io::Error },
    /// Something other than a regular file is where a kernel table should be, as a
    /// FIFO or a device can be in a test tree; it is not read, lest the read block.
    NotAFile { path: PathBuf },
}

impl fmt::Display for AtRestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AtRestError::Read { path, .. } => write!(f, "cannot read {}", display_path(path)),
            AtRestError::NotAFile { path } => {
                write!(f, "cannot read {}: not a regular file", display_path(path))
            }
        }
    }
}

impl std::error::Error for AtRestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AtRestError::Read { source, .. } => Some(source),
            AtRestError::NotAFile { .. } => None,
        }
    }
}
