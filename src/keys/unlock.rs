//! Whether a passphrase opens a private key, for `key check FILE`: the standard asks
//! that every private key be encrypted with a passphrase of its own, and a passphrase
//! can only be judged once it is known to be the key's. OpenSSH keys open through the
//! ssh-key crate, PKCS#8 through the pkcs8 crate, PKCS#12 by its MAC; formats no
//! well-kept crate opens are said to be unverified rather than pretended.

use std::path::Path;

use zeroize::Zeroizing;

use super::der::{DerKey, classify_der};
use super::pkcs12::mac_verifies as pkcs12_mac_verifies;
use super::scan::read_key_bytes;
use super::{Inspection, KeyFormat, Protection, encrypted_pkcs8_der, openssh_blob};
use crate::fs::{FsError, SafeFile};
use crate::secret::Secret;

/// Whether the passphrase opens the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Opens,
    WrongPassphrase,
    /// No well-kept crate opens this format; the passphrase is judged unverified.
    CannotVerify,
}

/// Reads the key file safely: links along the path are the caller's choice, the
/// file itself must not be a link, a FIFO or a device.
pub fn read_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, FsError> {
    read_key_bytes(&mut SafeFile::open_last_unfollowed(path)?)
}

/// Whether the key has no passphrase at all. Unencrypted DER keys are recognised by
/// their structure even where the general inspection cannot be sure.
pub fn has_no_passphrase(found: &Inspection, bytes: &[u8]) -> bool {
    found.protection == Protection::Unencrypted
        || matches!(
            classify_der(bytes),
            Some(DerKey::Pkcs8 | DerKey::Pkcs1Rsa | DerKey::Sec1Ec | DerKey::Dsa)
        )
}

/// Tries `passphrase` on the key in `bytes`.
pub fn verify(format: KeyFormat, bytes: &[u8], passphrase: &Secret) -> Verdict {
    let Ok(passphrase) = passphrase.as_str() else {
        return Verdict::WrongPassphrase;
    };
    match format {
        KeyFormat::OpenSsh => {
            let Some(key) =
                openssh_blob(bytes).and_then(|blob| ssh_key::PrivateKey::from_bytes(&blob).ok())
            else {
                return Verdict::CannotVerify;
            };
            if key.decrypt(passphrase).is_ok() {
                Verdict::Opens
            } else {
                Verdict::WrongPassphrase
            }
        }
        KeyFormat::Pkcs8Encrypted | KeyFormat::Pkcs8EncryptedDer => {
            let der = if format == KeyFormat::Pkcs8Encrypted {
                encrypted_pkcs8_der(bytes)
            } else {
                Some(Zeroizing::new(bytes.to_vec()))
            };
            let Some(info) = der
                .as_deref()
                .and_then(|d| pkcs8::EncryptedPrivateKeyInfo::try_from(d.as_slice()).ok())
            else {
                return Verdict::CannotVerify;
            };
            if info.decrypt(passphrase).is_ok() {
                Verdict::Opens
            } else {
                Verdict::WrongPassphrase
            }
        }
        KeyFormat::Pkcs12 => match pkcs12_mac_verifies(bytes, passphrase) {
            Ok(true) => Verdict::Opens,
            Ok(false) => Verdict::WrongPassphrase,
            Err(()) => Verdict::CannotVerify,
        },
        _ => Verdict::CannotVerify,
    }
}
