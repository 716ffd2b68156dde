//! Passwords that are known to be breached: an offline copy of Have I Been Pwned's
//! Pwned Passwords, imported into a compact sorted index (`breach import`), and the
//! lookup that `password`, `key check` and the PAM helper make in it through the
//! password-rules check. Offline because a login-time check must not depend on, or
//! leak anything to, a remote service; an index because the download is about 40 GB
//! of text and a PAM check must stay within a few page reads.
//!
//! The password's SHA-1 is computed here, in zeroized buffers (the hash is as good as
//! the password for a lookup in the public list), and nothing derived from it leaves
//! this module but a count.

pub mod format;
mod import;
mod index;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub use import::{ImportError, MIN_MEMORY, Options, import};
pub use index::Index;

use crate::fs::{FsError, SafeDir, SafeFile};

/// Where the built-in policy looks; missing files here mean "no index installed"
/// and are not an error. Any other configured path must exist.
pub const SYSTEM_INDEX: &str = "/var/lib/csi-self-check/breach.idx";
pub const USER_INDEX: &str = "~/.local/share/csi-self-check/breach.idx";

pub const ITEM: &str = "password-entropy";

/// SHA-1 of the password's UTF-8 bytes. The padded message and the state live in
/// zeroizing buffers; `sha1::Sha1` would keep the last block of the password in a
/// buffer that is not wiped when dropped.
pub fn sha1(password: &[u8]) -> Zeroizing<[u8; 20]> {
    let mut message = Zeroizing::new(Vec::with_capacity(password.len() + 72));
    message.extend_from_slice(password);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((password.len() as u64) * 8).to_be_bytes());
    let mut state = Zeroizing::new([
        0x6745_2301u32,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ]);
    for block in message.chunks_exact(64) {
        sha1::compress(
            &mut state,
            std::slice::from_ref(sha1::digest::generic_array::GenericArray::from_slice(block)),
        );
    }
    let mut out = Zeroizing::new([0u8; 20]);
    for (bytes, word) in out.chunks_exact_mut(4).zip(state.iter()) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// What one index said about the password.
#[derive(Debug)]
pub struct Consulted {
    pub path: PathBuf,
    pub built: u64,
    /// How often the password was seen; `None`: not in this index.
    pub count: Option<u32>,
}

/// Every configured index, looked up: those that answered, and those that exist
/// (or must) but could not be used, with why.
#[derive(Debug, Default)]
pub struct Lookups {
    pub consulted: Vec<Consulted>,
    pub unusable: Vec<(PathBuf, String)>,
}

/// Looks `password` up in every index of `paths`. `~/` paths are under `home`, and
/// skipped when `home` is `None` (the PAM helper, which trusts nothing the user
/// controls).
pub fn look_up(paths: &[String], home: Option<&Path>, password: &[u8]) -> Lookups {
    let mut lookups = Lookups::default();
    let mut hash = None;
    for configured in paths {
        let (path, opened) = match configured.strip_prefix("~/") {
            Some(rel) => {
                let Some(home) = home else { continue };
                (home.join(rel), open_in_home(home, Path::new(rel)))
            }
            None => (
                PathBuf::from(configured),
                // The built-in system path is the machine's own file; any other
                // absolute path is the one the policy names.
                SafeFile::open_named(&if configured == SYSTEM_INDEX {
                    crate::sysroot::path(configured)
                } else {
                    PathBuf::from(configured)
                }),
            ),
        };
        let file = match opened {
            Ok(file) => file,
            Err(FsError::NotFound) if configured == SYSTEM_INDEX || configured == USER_INDEX => {
                continue;
            }
            Err(error) => {
                lookups.unusable.push((path, error.to_string()));
                continue;
            }
        };
        let hash = hash.get_or_insert_with(|| sha1(password));
        match Index::open(file).and_then(|index| Ok((index.lookup(hash)?, index))) {
            Ok((count, index)) => lookups.consulted.push(Consulted {
                path,
                built: index.header().built,
                count,
            }),
            Err(error) => lookups.unusable.push((path, error.to_string())),
        }
    }
    lookups
}

/// A file below the home, reached without following any link on the way: the home
/// is the person's, and a link there could point at anything.
fn open_in_home(home: &Path, rel: &Path) -> Result<SafeFile, FsError> {
    match SafeDir::open_root(home)?.open_file_within(rel) {
        // `~/` alone names no file: there is none to find.
        Err(FsError::NoFileName) => Err(FsError::NotFound),
        opened => opened,
    }
}
