//! `key protect FILE`: a passphrase put on an unencrypted private key, in the key's
//! own family of formats. OpenSSH keys are encrypted as ssh-keygen does it (the
//! ssh-key crate: aes256-ctr, the key from bcrypt-pbkdf); PEM keys (PKCS#1, SEC1)
//! and PKCS#8 keys become encrypted PKCS#8 (the pkcs8 crate: PBES2, PBKDF2-SHA256
//! and AES-256-CBC, which OpenSSL and OpenSSH read). Before anything replaces the
//! key, the new bytes are opened again with the passphrase and must give the same
//! key, hence the same public key.

use pkcs8::der::asn1::{AnyRef, ObjectIdentifier};
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, EncryptedPrivateKeyInfo, PrivateKeyInfo};
use ssh_key::rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use super::{KeyFormat, openssh_blob, pem_der};

/// PBKDF2-SHA256 iterations for PKCS#8: OWASP's 2023 figure, far above OpenSSL's
/// 2048, costing a fraction of a second per try on a desktop.
const PBKDF2_ROUNDS: u32 = 600_000;

/// `rsaEncryption`, for a PKCS#1 key wrapped in PKCS#8.
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey`, for a SEC1 key wrapped in PKCS#8.
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Why a key could not be given a passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtectError {
    /// The key already has one.
    AlreadyEncrypted,
    /// A format this command does not write; the words say what to use instead.
    Unsupported(&'static str),
    /// The key could not be read as its format says.
    Unreadable(String),
    /// The new file did not give back the same key: nothing was replaced.
    NotTheSame,
}

impl std::fmt::Display for ProtectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtectError::AlreadyEncrypted => write!(f, "already has a passphrase"),
            ProtectError::Unsupported(instead) => {
                write!(f, "is in a format this command does not write; {instead}")
            }
            ProtectError::Unreadable(why) => write!(f, "cannot be read as a key: {why}"),
            ProtectError::NotTheSame => write!(
                f,
                "the encrypted copy did not open to the same key; the file was left as it was"
            ),
        }
    }
}

impl std::error::Error for ProtectError {}

/// The key encrypted, and how (for the person).
pub struct Protected {
    pub bytes: Zeroizing<Vec<u8>>,
    pub how: &'static str,
}

/// `bytes` (a whole key file of `format`) encrypted with `passphrase`.
pub fn protect(
    format: KeyFormat,
    bytes: &[u8],
    passphrase: &[u8],
) -> Result<Protected, ProtectError> {
    match format {
        KeyFormat::OpenSsh => {
            let key = openssh(bytes)?;
            if key.is_encrypted() {
                return Err(ProtectError::AlreadyEncrypted);
            }
            let encrypted = key
                .encrypt(&mut OsRng, passphrase)
                .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
            let text = encrypted
                .to_openssh(ssh_key::LineEnding::LF)
                .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
            Ok(Protected {
                bytes: Zeroizing::new(text.as_bytes().to_vec()),
                how: "OpenSSH format, aes256-ctr with a bcrypt-pbkdf key, as ssh-keygen writes it",
            })
        }
        KeyFormat::PemRsa | KeyFormat::PemEc | KeyFormat::Pkcs8 | KeyFormat::Pkcs8Der => {
            let info = pkcs8_of(format, bytes)?;
            let der = encrypt_pkcs8(&info, passphrase)?;
            let bytes = if format == KeyFormat::Pkcs8Der {
                der
            } else {
                let pem = pkcs8::der::pem::encode_string(
                    "ENCRYPTED PRIVATE KEY",
                    pkcs8::LineEnding::LF,
                    &der,
                )
                .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
                Zeroizing::new(pem.into_bytes())
            };
            Ok(Protected {
                bytes,
                how: "encrypted PKCS#8, PBES2 with PBKDF2-SHA256 and AES-256-CBC",
            })
        }
        KeyFormat::Pkcs8Encrypted | KeyFormat::Pkcs8EncryptedDer => {
            Err(ProtectError::AlreadyEncrypted)
        }
        KeyFormat::PemDsa => Err(ProtectError::Unsupported(
            "use ssh-keygen -p -f FILE (DSA keys are best replaced: OpenSSH no longer accepts them)",
        )),
        KeyFormat::PuttyPpk => Err(ProtectError::Unsupported(
            "use puttygen FILE -P -O private -o FILE.new, then move FILE.new over FILE",
        )),
        _ => Err(ProtectError::Unsupported(
            "see `csi-self-check --only key-encryption` for this format's own tool",
        )),
    }
}

/// Whether `new`, opened with `passphrase`, is the key `original` holds: for
/// OpenSSH the same public key; for PKCS#8 the same private key, byte for byte
/// (and so the same public key).
pub fn same_key(
    format: KeyFormat,
    original: &[u8],
    new: &[u8],
    passphrase: &[u8],
) -> Result<(), ProtectError> {
    let same = match format {
        KeyFormat::OpenSsh => {
            let before = openssh(original)?;
            let after = openssh(new)?;
            let opened = after
                .decrypt(passphrase)
                .map_err(|_| ProtectError::NotTheSame)?;
            after.is_encrypted()
                && opened.public_key() == before.public_key()
                && opened.key_data() == before.key_data()
        }
        _ => {
            let before = pkcs8_of(format, original)?
                .to_der()
                .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
            let der = if format == KeyFormat::Pkcs8Der {
                Zeroizing::new(new.to_vec())
            } else {
                super::encrypted_pkcs8_der(new).ok_or(ProtectError::NotTheSame)?
            };
            let info =
                EncryptedPrivateKeyInfo::from_der(&der).map_err(|_| ProtectError::NotTheSame)?;
            let opened = info
                .decrypt(passphrase)
                .map_err(|_| ProtectError::NotTheSame)?;
            opened.as_bytes() == before.as_slice()
        }
    };
    if same {
        Ok(())
    } else {
        Err(ProtectError::NotTheSame)
    }
}

fn openssh(bytes: &[u8]) -> Result<ssh_key::PrivateKey, ProtectError> {
    let blob =
        openssh_blob(bytes).ok_or_else(|| ProtectError::Unreadable("no OpenSSH key".to_owned()))?;
    ssh_key::PrivateKey::from_bytes(&blob).map_err(|e| ProtectError::Unreadable(e.to_string()))
}

/// The key as a PKCS#8 `PrivateKeyInfo`, its DER kept in a wiped buffer.
struct Pkcs8Key {
    der: Zeroizing<Vec<u8>>,
}

impl Pkcs8Key {
    fn info(&self) -> Result<PrivateKeyInfo<'_>, ProtectError> {
        PrivateKeyInfo::from_der(&self.der).map_err(|e| ProtectError::Unreadable(e.to_string()))
    }

    fn to_der(&self) -> Result<Zeroizing<Vec<u8>>, ProtectError> {
        Ok(self.der.clone())
    }
}

/// A PKCS#1, SEC1 or PKCS#8 key as PKCS#8: PKCS#1 and SEC1 wrapped in the
/// `PrivateKeyInfo` OpenSSL writes for them.
fn pkcs8_of(format: KeyFormat, bytes: &[u8]) -> Result<Pkcs8Key, ProtectError> {
    let unreadable = |e: &dyn std::fmt::Display| ProtectError::Unreadable(e.to_string());
    let der = Zeroizing::new(match format {
        KeyFormat::Pkcs8Der => bytes.to_vec(),
        _ => pem_der(bytes).ok_or_else(|| unreadable(&"no unencrypted PEM block"))?,
    });
    let wrapped = match format {
        KeyFormat::Pkcs8 | KeyFormat::Pkcs8Der => {
            PrivateKeyInfo::from_der(&der).map_err(|e| unreadable(&e))?;
            der
        }
        KeyFormat::PemRsa => {
            let info = PrivateKeyInfo::new(
                AlgorithmIdentifierRef {
                    oid: RSA,
                    parameters: Some(AnyRef::NULL),
                },
                &der,
            );
            Zeroizing::new(info.to_der().map_err(|e| unreadable(&e))?)
        }
        KeyFormat::PemEc => {
            let curve = sec1_curve(&der).map_err(|e| unreadable(&e))?;
            let curve_der = curve.to_der().map_err(|e| unreadable(&e))?;
            let curve_any = AnyRef::from_der(&curve_der).map_err(|e| unreadable(&e))?;
            let info = PrivateKeyInfo::new(
                AlgorithmIdentifierRef {
                    oid: EC,
                    parameters: Some(curve_any),
                },
                &der,
            );
            Zeroizing::new(info.to_der().map_err(|e| unreadable(&e))?)
        }
        _ => return Err(unreadable(&"not a PEM or PKCS#8 key")),
    };
    Ok(Pkcs8Key { der: wrapped })
}

/// The named curve of a SEC1 `ECPrivateKey` (RFC 5915): `SEQUENCE { version,
/// privateKey OCTET STRING, [0] parameters, [1] publicKey }`; the curve OpenSSL
/// always writes is what PKCS#8 names in the algorithm instead.
fn sec1_curve(der: &[u8]) -> pkcs8::der::Result<ObjectIdentifier> {
    use pkcs8::der::asn1::{ContextSpecific, OctetStringRef};
    use pkcs8::der::{Reader, SliceReader, TagNumber};
    let mut reader = SliceReader::new(der)?;
    let curve = reader.sequence(|inner| {
        let _version: u8 = inner.decode()?;
        let _secret: OctetStringRef<'_> = inner.decode()?;
        let curve = ContextSpecific::<ObjectIdentifier>::decode_explicit(inner, TagNumber::N0)?;
        let rest = inner.remaining_len();
        inner.read_slice(rest)?;
        curve
            .map(|c| c.value)
            .ok_or_else(|| pkcs8::der::Tag::ObjectIdentifier.value_error())
    })?;
    reader.finish(curve)
}

fn encrypt_pkcs8(key: &Pkcs8Key, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ProtectError> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ROUNDS, &salt, &iv)
            .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
    let document = key
        .info()?
        .encrypt_with_params(params, passphrase)
        .map_err(|e| ProtectError::Unreadable(e.to_string()))?;
    Ok(Zeroizing::new(document.as_bytes().to_vec()))
}
