//! Whether an NSS key database (`key4.db`) opens with the empty primary password,
//! decided the way NSS decides it: from the password-check entry in its `metaData`
//! table, never by decrypting a saved login. That entry is the string
//! "password-check" encrypted under a key derived from the global salt and the
//! primary password; it decrypts with the empty password exactly when anyone can
//! open the database.
//!
//! Two encodings are in use: PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC), which
//! current NSS writes, and the older PKCS#12-style SHA-1 and 3DES-CBC entry, which
//! older NSS wrote and NSS keeps in databases converted from `key3.db`. The
//! derived key and the decrypted value live only in zeroizing buffers, for the one
//! comparison.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;
use zeroize::Zeroizing;

/// What the password-check entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDb {
    /// It opens with the empty password: its key is anyone's.
    OpensWithEmptyPassword,
    /// A primary password is needed.
    NeedsPassword,
}

/// What NSS encrypts as the check value (its `SFTK_PW_CHECK_STRING`).
const CHECK_VALUE: &[u8] = b"password-check";

/// The most PBKDF2 iterations tried; NSS writes 1 for the empty password and
/// 10,000 otherwise. More is a hostile file, and a skip.
const MAX_ITERATIONS: u32 = 1_000_000;

// Object identifiers, as their encoded content octets.
const OID_PBES2: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D];
const OID_PBKDF2: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C];
const OID_HMAC_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09];
const OID_AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A];
/// pbeWithSHA1AndTripleDES-CBC (PKCS#12 PBE, 1.2.840.113549.1.12.5.1.3).
const OID_PBE_SHA1_3DES: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x05, 0x01, 0x03,
];

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// Judges the password-check entry: `global_salt` is `metaData.item1` and `entry`
/// `metaData.item2` of the row whose id is `password`.
pub fn check_empty_password(global_salt: &[u8], entry: &[u8]) -> Result<KeyDb, String> {
    let malformed = |_| "its password-check entry is malformed".to_owned();
    let mut outer = Der::new(entry).sequence().map_err(malformed)?;
    let mut algorithm = outer.sequence().map_err(malformed)?;
    let oid = algorithm.element(TAG_OID).map_err(malformed)?;
    let ciphertext = outer.element(TAG_OCTET_STRING).map_err(malformed)?;
    // SHA-1 of the global salt and the password is what NSS feeds the PBE.
    let password_hash = Zeroizing::new(Sha1::new().chain_update(global_salt).finalize().to_vec());
    let plain = if oid == OID_PBES2 {
        pbes2(
            &password_hash,
            &mut algorithm.sequence().map_err(malformed)?,
            ciphertext,
        )?
    } else if oid == OID_PBE_SHA1_3DES {
        sha1_3des(
            &password_hash,
            &mut algorithm.sequence().map_err(malformed)?,
            ciphertext,
        )?
    } else {
        return Err(
            "its password-check entry uses an algorithm this check does not know".to_owned(),
        );
    };
    Ok(match plain {
        Some(plain) if plain.as_slice() == CHECK_VALUE => KeyDb::OpensWithEmptyPassword,
        _ => KeyDb::NeedsPassword,
    })
}

/// PBES2: PBKDF2-HMAC-SHA-256 over the password hash, then AES-256-CBC. `None` when
/// the padding is wrong, as it is under a wrong key.
fn pbes2(
    password_hash: &[u8],
    params: &mut Der<'_>,
    ciphertext: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    let malformed = |_| "its PBES2 parameters are malformed".to_owned();
    let mut kdf = params.sequence().map_err(malformed)?;
    if kdf.element(TAG_OID).map_err(malformed)? != OID_PBKDF2 {
        return Err(
            "its password-check entry uses a key derivation this check does not know".to_owned(),
        );
    }
    let mut pbkdf2_params = kdf.sequence().map_err(malformed)?;
    let salt = pbkdf2_params.element(TAG_OCTET_STRING).map_err(malformed)?;
    let iterations = small_integer(pbkdf2_params.element(TAG_INTEGER).map_err(malformed)?)?;
    if pbkdf2_params.peek() == Some(TAG_INTEGER) {
        let length = small_integer(pbkdf2_params.element(TAG_INTEGER).map_err(malformed)?)?;
        if length != 32 {
            return Err(
                "its password-check entry asks for a key length other than AES-256's".to_owned(),
            );
        }
    }
    // NSS always names HMAC-SHA-256; PBKDF2's default PRF (HMAC-SHA-1) is not used.
    let mut prf = pbkdf2_params.sequence().map_err(malformed)?;
    if prf.element(TAG_OID).map_err(malformed)? != OID_HMAC_SHA256 {
        return Err("its password-check entry uses a PRF other than HMAC-SHA-256".to_owned());
    }
    if prf.peek() == Some(TAG_NULL) {
        prf.element(TAG_NULL).map_err(malformed)?;
    }
    let mut cipher = params.sequence().map_err(malformed)?;
    if cipher.element(TAG_OID).map_err(malformed)? != OID_AES256_CBC {
        return Err("its password-check entry uses a cipher other than AES-256-CBC".to_owned());
    }
    let iv_bytes = cipher.element(TAG_OCTET_STRING).map_err(malformed)?;
    // NSS stores 14 bytes and uses them after their own DER header (04 0E) as the
    // 16-byte IV.
    let iv: [u8; 16] = match iv_bytes.len() {
        14 => {
            let mut iv = [0u8; 16];
            iv[0] = TAG_OCTET_STRING;
            iv[1] = 14;
            iv[2..].copy_from_slice(iv_bytes);
            iv
        }
        16 => iv_bytes.try_into().map_err(|_| "bad IV".to_owned())?,
        _ => return Err("its password-check entry has an IV of an unexpected length".to_owned()),
    };
    if iterations == 0 || iterations > MAX_ITERATIONS {
        return Err(format!(
            "its password-check entry asks for {iterations} PBKDF2 iterations; not tried"
        ));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(password_hash, salt, iterations, key.as_mut());
    let decryptor = cbc::Decryptor::<aes::Aes256>::new(key.as_ref().into(), &iv.into());
    Ok(decrypt(decryptor, ciphertext, 16))
}

/// The older entry: NSS's PKCS#12-style PBE with SHA-1 and 3DES-CBC, one iteration.
fn sha1_3des(
    password_hash: &[u8],
    params: &mut Der<'_>,
    ciphertext: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
    let malformed = |_| "its SHA-1/3DES parameters are malformed".to_owned();
    let entry_salt = params.element(TAG_OCTET_STRING).map_err(malformed)?;
    if entry_salt.len() > 20 {
        return Err("its password-check entry has a salt longer than 20 bytes".to_owned());
    }
    if params.peek() == Some(TAG_INTEGER) {
        let iterations = small_integer(params.element(TAG_INTEGER).map_err(malformed)?)?;
        if iterations != 1 {
            return Err(format!(
                "its password-check entry asks for {iterations} SHA-1/3DES iterations, where NSS writes 1"
            ));
        }
    }
    let mut padded_salt = Zeroizing::new([0u8; 20]);
    padded_salt[..entry_salt.len()].copy_from_slice(entry_salt);
    let combined = Zeroizing::new(
        Sha1::new()
            .chain_update(password_hash)
            .chain_update(entry_salt)
            .finalize()
            .to_vec(),
    );
    let hmac = |parts: &[&[u8]]| -> Result<Zeroizing<Vec<u8>>, String> {
        let mut mac = Hmac::<Sha1>::new_from_slice(&combined).map_err(|_| "HMAC key".to_owned())?;
        for part in parts {
            mac.update(part);
        }
        Ok(Zeroizing::new(mac.finalize().into_bytes().to_vec()))
    };
    let first = hmac(&[padded_salt.as_ref(), entry_salt])?;
    let inner = hmac(&[padded_salt.as_ref()])?;
    let second = hmac(&[&inner, entry_salt])?;
    let mut key_and_iv = Zeroizing::new(Vec::with_capacity(40));
    key_and_iv.extend_from_slice(&first);
    key_and_iv.extend_from_slice(&second);
    let key = &key_and_iv[..24];
    let iv = &key_and_iv[32..40];
    let decryptor = cbc::Decryptor::<des::TdesEde3>::new(key.into(), iv.into());
    Ok(decrypt(decryptor, ciphertext, 8))
}

/// Decrypts a copy of `ciphertext` in a zeroizing buffer; `None` for a length that
/// is not whole blocks or padding that is wrong.
fn decrypt<C: BlockDecryptMut>(
    decryptor: C,
    ciphertext: &[u8],
    block: usize,
) -> Option<Zeroizing<Vec<u8>>> {
    if ciphertext.is_empty() || ciphertext.len() % block != 0 || ciphertext.len() > 1024 {
        return None;
    }
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let length = decryptor
        .decrypt_padded_mut::<Pkcs7>(&mut buffer)
        .ok()?
        .len();
    buffer.truncate(length);
    Some(buffer)
}

/// A non-negative INTEGER that fits in 32 bits.
fn small_integer(bytes: &[u8]) -> Result<u32, String> {
    let digits = match bytes {
        [0, rest @ ..] => rest,
        _ => bytes,
    };
    if bytes.is_empty() || bytes[0] & 0x80 != 0 || digits.len() > 4 {
        return Err("its password-check entry has an out-of-range number".to_owned());
    }
    Ok(digits.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)))
}

/// A cursor over DER elements, every length checked against what is left.
struct Der<'a> {
    rest: &'a [u8],
}

/// The one error: the bytes are not the DER expected.
#[derive(Debug)]
struct Malformed;

impl<'a> Der<'a> {
    fn new(bytes: &'a [u8]) -> Der<'a> {
        Der { rest: bytes }
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The content of the next element, which must have `tag`.
    fn element(&mut self, tag: u8) -> Result<&'a [u8], Malformed> {
        let (&found, after_tag) = self.rest.split_first().ok_or(Malformed)?;
        if found != tag {
            return Err(Malformed);
        }
        let (&first, mut after) = after_tag.split_first().ok_or(Malformed)?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7F);
            if count == 0 || count > 3 || after.len() < count {
                return Err(Malformed);
            }
            let (digits, rest) = after.split_at(count);
            after = rest;
            digits
                .iter()
                .fold(0usize, |n, &b| (n << 8) | usize::from(b))
        };
        if after.len() < length {
            return Err(Malformed);
        }
        let (content, rest) = after.split_at(length);
        self.rest = rest;
        Ok(content)
    }

    fn sequence(&mut self) -> Result<Der<'a>, Malformed> {
        self.element(TAG_SEQUENCE).map(Der::new)
    }
}

#[cfg(test)]
mod tests;
