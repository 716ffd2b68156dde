//! A password or passphrase in memory. It lives in one buffer, allocated once at its
//! full size so that it is never copied by a reallocation, locked in RAM where the
//! system permits, and wiped when dropped. The type has no `Debug`, `Display`, `Clone`
//! or `Serialize`, so it cannot reach a log, a report or an error message by accident.

use std::io::Read;

use zeroize::Zeroizing;

/// The most a password may be, in bytes: Linux-PAM's `PAM_MAX_RESP_SIZE` less its NUL.
pub const MAX_SECRET_BYTES: usize = 512;

/// A secret. Read it with [`Secret::as_str`].
pub struct Secret {
    // Field order matters: the bytes are wiped before the pages are unlocked.
    bytes: Zeroizing<Vec<u8>>,
    _lock: Option<region::LockGuard>,
}

/// Why a secret could not be read. Never holds any of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// More than [`MAX_SECRET_BYTES`].
    TooLong,
    /// Not valid UTF-8, so it cannot be judged as text.
    NotText,
    /// A NUL byte inside: a C program (PAM, passwd) reads a password only up to its
    /// first NUL, so what is judged would not be what is stored.
    Nul,
    /// The input could not be read; the message is the system's.
    Read(String),
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretError::TooLong => write!(f, "is longer than {MAX_SECRET_BYTES} bytes"),
            SecretError::NotText => write!(f, "is not valid UTF-8 text"),
            SecretError::Nul => write!(
                f,
                "contains a NUL byte, which ends a password for PAM and every C program"
            ),
            SecretError::Read(reason) => write!(f, "cannot be read: {reason}"),
        }
    }
}

impl std::error::Error for SecretError {}

/// What to strip from the end of what was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminator {
    /// One trailing newline (`\n` or `\r\n`), as `printf 'pw\n' |` or `echo` leave.
    Newline,
    /// One trailing NUL, as Linux-PAM before 1.4 sent to `pam_exec`.
    Nul,
}

impl Secret {
    /// An empty secret with room for the largest one, locked where permitted.
    fn with_room() -> Secret {
        let bytes = Zeroizing::new(Vec::with_capacity(MAX_SECRET_BYTES + 2));
        let _lock = region::lock(bytes.as_ptr(), bytes.capacity()).ok();
        Secret { bytes, _lock }
    }

    /// Takes a password typed at the prompt. The `String` is consumed, not copied, and
    /// its buffer is wiped on drop like any other secret's.
    pub fn from_typed(typed: String) -> Result<Secret, SecretError> {
        let bytes = Zeroizing::new(typed.into_bytes());
        if bytes.len() > MAX_SECRET_BYTES {
            return Err(SecretError::TooLong);
        }
        if bytes.contains(&0) {
            return Err(SecretError::Nul);
        }
        let _lock = region::lock(bytes.as_ptr(), bytes.capacity().max(1)).ok();
        Ok(Secret { bytes, _lock })
    }

    /// Reads one secret from `input`: at most [`MAX_SECRET_BYTES`] after stripping
    /// `terminator`, and no NUL byte in what is left. It reads no more than one byte past what it may accept, so an
    /// endless stream is refused rather than drained.
    pub fn read(input: &mut impl Read, terminator: Terminator) -> Result<Secret, SecretError> {
        let mut secret = Secret::with_room();
        let room = MAX_SECRET_BYTES + 2; // the terminator, and one byte to detect excess
        secret.bytes.resize(room, 0);
        let mut filled = 0;
        while filled < room {
            match input.read(&mut secret.bytes[filled..room]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(SecretError::Read(e.kind().to_string())),
            }
        }
        secret.bytes.truncate(filled);
        let strip: &[&[u8]] = match terminator {
            Terminator::Newline => &[b"\r\n", b"\n"],
            Terminator::Nul => &[b"\0"],
        };
        if let Some(end) = strip.iter().find(|end| secret.bytes.ends_with(end)) {
            let keep = secret.bytes.len() - end.len();
            secret.bytes.truncate(keep);
        }
        if secret.bytes.len() > MAX_SECRET_BYTES {
            return Err(SecretError::TooLong);
        }
        if secret.bytes.contains(&0) {
            return Err(SecretError::Nul);
        }
        Ok(secret)
    }

    /// The secret as text.
    pub fn as_str(&self) -> Result<&str, SecretError> {
        std::str::from_utf8(&self.bytes).map_err(|_| SecretError::NotText)
    }

    /// The secret's bytes, for keyed fingerprints (`reuse`), which must also cover a
    /// passphrase that is not text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(input: &[u8], terminator: Terminator) -> Result<String, SecretError> {
        Secret::read(&mut &input[..], terminator).map(|s| s.as_str().unwrap().to_owned())
    }

    #[test]
    fn one_terminator_is_stripped() {
        assert_eq!(read(b"kettle\n", Terminator::Newline).unwrap(), "kettle");
        assert_eq!(read(b"kettle\r\n", Terminator::Newline).unwrap(), "kettle");
        assert_eq!(
            read(b"kettle\n\n", Terminator::Newline).unwrap(),
            "kettle\n"
        );
        assert_eq!(read(b"kettle", Terminator::Newline).unwrap(), "kettle");
        assert_eq!(read(b"S3cret!pw", Terminator::Nul).unwrap(), "S3cret!pw");
        assert_eq!(read(b"S3cret!pw\0", Terminator::Nul).unwrap(), "S3cret!pw");
        assert_eq!(read(b"", Terminator::Nul).unwrap(), "");
    }

    #[test]
    fn a_nul_inside_is_refused_and_only_a_terminating_one_is_stripped() {
        assert_eq!(
            read(b"\0Kettle-Blue-42!", Terminator::Nul),
            Err(SecretError::Nul)
        );
        assert_eq!(
            read(b"Kettle\0Blue\0", Terminator::Nul),
            Err(SecretError::Nul)
        );
        assert_eq!(
            read(b"Kettle\0\n", Terminator::Newline),
            Err(SecretError::Nul)
        );
        assert_eq!(read(b"Kettle\0", Terminator::Nul).unwrap(), "Kettle");
        assert_eq!(
            Secret::from_typed("ab\0c".to_owned()).err(),
            Some(SecretError::Nul)
        );
    }

    #[test]
    fn at_most_512_bytes() {
        let max = vec![b'a'; MAX_SECRET_BYTES];
        assert_eq!(
            read(&max, Terminator::Newline).unwrap().len(),
            MAX_SECRET_BYTES
        );
        let mut with_newline = max.clone();
        with_newline.push(b'\n');
        assert_eq!(
            read(&with_newline, Terminator::Newline).unwrap().len(),
            MAX_SECRET_BYTES
        );
        let over = vec![b'a'; MAX_SECRET_BYTES + 1];
        assert_eq!(
            read(&over, Terminator::Newline).unwrap_err(),
            SecretError::TooLong
        );
        // An endless input is refused after reading only a little past the limit.
        let mut endless = std::io::repeat(b'x');
        assert_eq!(
            Secret::read(&mut endless, Terminator::Nul).err(),
            Some(SecretError::TooLong)
        );
    }

    #[test]
    fn invalid_utf8_is_not_text() {
        let secret = Secret::read(&mut &b"\xff\xfe"[..], Terminator::Newline).unwrap();
        assert_eq!(secret.as_str().unwrap_err(), SecretError::NotText);
    }

    #[test]
    fn the_buffer_is_never_reallocated() {
        let mut input = &vec![b'p'; MAX_SECRET_BYTES][..];
        let secret = Secret::read(&mut input, Terminator::Newline).unwrap();
        assert_eq!(secret.bytes.capacity(), MAX_SECRET_BYTES + 2);
    }
}
