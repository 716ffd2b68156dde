//! Does it open with the empty password? That is OpenSSH's test for "encrypted"
//! (`ssh-keygen` loads a key with `""` first), and the one rule applied here to
//! every password-based encryption a key file can carry: PKCS#8's
//! `EncryptedPrivateKeyInfo`, a PKCS#12 shrouded key bag, a PKCS#12
//! `encryptedData`. PBES2 (PBKDF2 or scrypt, AES or 3DES) is opened by the pkcs5
//! crate, PKCS#12's own 3DES scheme here; what neither opens is "cannot try".
//!
//! The parameters come from a file in someone's home, so the work a trial may cost
//! is bounded before it starts: a crafted iteration count or scrypt cost is
//! "cannot try", not a minute of CPU or a gigabyte of memory.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use hmac::digest::Digest;
use hmac::digest::core_api::BlockSizeUser;
use zeroize::{Zeroize, Zeroizing};

use super::der::{Reader, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, small_uint};

/// The most KDF rounds tried: NSS writes 600,000 (PBKDF2-SHA256), OpenSSL 2,048,
/// Java 10,000; a million stays under a second in a release build.
pub const MAX_ITERATIONS: u64 = 1_000_000;
/// The most memory one scrypt trial may take (128·r·N octets): OpenSSL's default
/// (N = 16384, r = 8) takes 16 MiB.
const MAX_SCRYPT_BYTES: u64 = 64 << 20;

/// 1.2.840.113549.1.5.13
const OID_PBES2: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D];
/// 1.2.840.113549.1.12.1.3, pbeWithSHAAnd3-KeyTripleDES-CBC: OpenSSL 1.x's and
/// Java 8's default for keys.
const OID_PKCS12_3DES: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x03];

/// What trying the empty password gave.
#[derive(PartialEq, Eq)]
pub enum Trial {
    /// It opened; the plaintext, for the caller to check it is what it should be
    /// (a wrong password passes the padding check one time in 256).
    Opens(Zeroizing<Vec<u8>>),
    /// It needs a password.
    Refused,
    /// A scheme not implemented here, parameters beyond the bounds, or malformed.
    CannotTry,
}

/// Never the plaintext: it is a private key.
impl std::fmt::Debug for Trial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trial::Opens(plain) => write!(f, "Opens({} bytes)", plain.len()),
            Trial::Refused => write!(f, "Refused"),
            Trial::CannotTry => write!(f, "CannotTry"),
        }
    }
}

/// Tries the empty password on `ciphertext`, encrypted under `algorithm` (the
/// content of an AlgorithmIdentifier SEQUENCE: OID and parameters).
pub fn open_with_empty(algorithm: &[u8], ciphertext: &[u8]) -> Trial {
    let mut fields = Reader::new(algorithm);
    let Some(oid) = fields.expect(TAG_OID) else {
        return Trial::CannotTry;
    };
    if oid == OID_PBES2 {
        return pbes2(algorithm, ciphertext);
    }
    if oid == OID_PKCS12_3DES {
        let Some(params) = fields.expect(TAG_SEQUENCE) else {
            return Trial::CannotTry;
        };
        return pkcs12_3des(params, ciphertext);
    }
    Trial::CannotTry
}

fn pbes2(algorithm: &[u8], ciphertext: &[u8]) -> Trial {
    let Some(whole) = with_prf_parameters(algorithm) else {
        return Trial::CannotTry;
    };
    let Ok(pkcs8::pkcs5::EncryptionScheme::Pbes2(params)) =
        pkcs8::pkcs5::EncryptionScheme::try_from(whole.as_slice())
    else {
        return Trial::CannotTry;
    };
    let affordable = if let Some(pbkdf2) = params.kdf.pbkdf2() {
        u64::from(pbkdf2.iteration_count) <= MAX_ITERATIONS
    } else if let Some(scrypt) = params.kdf.scrypt() {
        let memory = scrypt
            .cost_parameter
            .checked_mul(128 * u64::from(scrypt.block_size));
        let work = memory.and_then(|m| m.checked_mul(u64::from(scrypt.parallelization)));
        memory.is_some_and(|m| m <= MAX_SCRYPT_BYTES)
            && work.is_some_and(|w| w <= 4 * MAX_SCRYPT_BYTES)
    } else {
        false
    };
    if !affordable {
        return Trial::CannotTry;
    }
    match params.decrypt(b"", ciphertext) {
        Ok(plain) => Trial::Opens(Zeroizing::new(plain)),
        // pkcs5 says "unsupported" or "parameters invalid" for what it cannot do,
        // and reports a bad padding — the wrong password — as a failed encryption
        // (0.7.1's `cbc_decrypt`) or a failed decryption.
        Err(pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed) => {
            Trial::Refused
        }
        Err(_) => Trial::CannotTry,
    }
}

/// The whole PBES2 AlgorithmIdentifier, header included, as pkcs5 reads it. NSS
/// writes the PBKDF2 PRF's AlgorithmIdentifier without its NULL parameters, which
/// RFC 8018 asks for and pkcs5 requires; they are put back.
fn with_prf_parameters(algorithm: &[u8]) -> Option<Vec<u8>> {
    let sequence = |parts: &[&[u8]]| {
        let content = parts.concat();
        let mut out = Vec::with_capacity(content.len() + 6);
        super::ber::put_header(&mut out, TAG_SEQUENCE, content.len());
        out.extend_from_slice(&content);
        out
    };
    let element = |tag: u8, content: &[u8]| {
        let mut out = Vec::with_capacity(content.len() + 6);
        super::ber::put_header(&mut out, tag, content.len());
        out.extend_from_slice(content);
        out
    };
    let mut fields = Reader::new(algorithm);
    let oid = fields.expect(TAG_OID)?;
    let mut params = Reader::new(fields.expect(TAG_SEQUENCE)?);
    let mut kdf = Reader::new(params.expect(TAG_SEQUENCE)?);
    let scheme = params.expect(TAG_SEQUENCE)?;
    let kdf_oid = kdf.expect(TAG_OID)?;
    let kdf_params = kdf.expect(TAG_SEQUENCE)?;
    if !fields.is_empty() || !params.is_empty() || !kdf.is_empty() {
        return None;
    }
    // PBKDF2-params: salt, iterations, [key length], [PRF]; scrypt's stay as they are.
    let mut pbkdf2 = Reader::new(kdf_params);
    let mut rebuilt = Vec::new();
    while let Some(field) = pbkdf2.next() {
        if field.tag == TAG_SEQUENCE && Reader::new(field.content).next().is_some() {
            let mut prf = Reader::new(field.content);
            let prf_oid = prf.expect(TAG_OID)?;
            let prf_params: &[u8] = if prf.is_empty() {
                &[0x05, 0x00]
            } else {
                prf.rest()
            };
            rebuilt.extend(sequence(&[&element(TAG_OID, prf_oid), prf_params]));
        } else {
            rebuilt.extend(element(field.tag, field.content));
        }
    }
    if !pbkdf2.is_empty() {
        return None;
    }
    let kdf = sequence(&[&element(TAG_OID, kdf_oid), &element(TAG_SEQUENCE, &rebuilt)]);
    let params = sequence(&[&kdf, &element(TAG_SEQUENCE, scheme)]);
    Some(sequence(&[&element(TAG_OID, oid), &params]))
}

/// PKCS#12 appendix B: the key and IV from the PKCS#12 KDF with SHA-1, then
/// DES-EDE3-CBC. The empty password is the BMPString of no characters, which
/// writers encode as two zero octets or as nothing; both are tried.
fn pkcs12_3des(params: &[u8], ciphertext: &[u8]) -> Trial {
    let mut fields = Reader::new(params);
    let (Some(salt), Some(count)) = (fields.expect(TAG_OCTET_STRING), fields.expect(TAG_INTEGER))
    else {
        return Trial::CannotTry;
    };
    let Some(iterations) = small_uint(count).filter(|n| (1..=MAX_ITERATIONS).contains(n)) else {
        return Trial::CannotTry;
    };
    if ciphertext.is_empty() || ciphertext.len() % 8 != 0 {
        return Trial::CannotTry;
    }
    for password in [&[0u8, 0][..], &[]] {
        let key = pkcs12_kdf::<sha1::Sha1>(1, password, salt, iterations, 24);
        let iv = pkcs12_kdf::<sha1::Sha1>(2, password, salt, iterations, 8);
        let Ok(cipher) = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv) else {
            return Trial::CannotTry;
        };
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        if let Ok(plain) = cipher.decrypt_padded_mut::<Pkcs7>(&mut buffer) {
            let plain = Zeroizing::new(plain.to_vec());
            return Trial::Opens(plain);
        }
    }
    Trial::Refused
}

/// RFC 7292 appendix B.2: `n` octets of key material for purpose `id` (1 key, 2
/// IV, 3 MAC key) from a BMPString password, a salt and an iteration count.
pub fn pkcs12_kdf<D>(
    id: u8,
    bmp_password: &[u8],
    salt: &[u8],
    iterations: u64,
    n: usize,
) -> Zeroizing<Vec<u8>>
where
    D: Digest + BlockSizeUser,
{
    let v = <D as BlockSizeUser>::block_size();
    let diversifier = vec![id; v];
    let mut input = Zeroizing::new(Vec::new());
    extend_to_block_multiple(&mut input, salt, v);
    extend_to_block_multiple(&mut input, bmp_password, v);
    let mut out = Zeroizing::new(Vec::with_capacity(n));
    loop {
        let mut hasher = D::new();
        hasher.update(&diversifier);
        hasher.update(input.as_slice());
        let mut block = hasher.finalize();
        for _ in 1..iterations {
            block = D::digest(block.as_slice());
        }
        out.extend_from_slice(&block);
        if out.len() >= n {
            block.as_mut_slice().zeroize();
            break;
        }
        // I_j = (I_j + B + 1) mod 2^(8v), B being the block repeated to v octets.
        let b: Zeroizing<Vec<u8>> = Zeroizing::new(block.iter().copied().cycle().take(v).collect());
        block.as_mut_slice().zeroize();
        for chunk in input.chunks_mut(v) {
            let mut carry = 1u16;
            for (x, y) in chunk.iter_mut().zip(b.iter()).rev() {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

/// Appends `source` repeated to fill whole `v`-octet blocks, as the KDF's S and P.
fn extend_to_block_multiple(out: &mut Vec<u8>, source: &[u8], v: usize) {
    if source.is_empty() || v == 0 {
        return;
    }
    let len = source.len().div_ceil(v).saturating_mul(v);
    out.extend(source.iter().copied().cycle().take(len));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bmp(text: &str) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(u16::to_be_bytes)
            .chain([0, 0])
            .collect()
    }

    #[test]
    fn kdf_matches_published_vectors() {
        // The published PKCS#12 KDF vectors ("smeg", "queeg"), which `openssl kdf
        // PKCS12KDF` reproduces.
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let key = pkcs12_kdf::<sha1::Sha1>(1, &bmp("smeg"), &salt, 1, 24);
        assert_eq!(
            key.as_slice(),
            [
                0x8A, 0xAA, 0xE6, 0x29, 0x7B, 0x6C, 0xB0, 0x46, 0x42, 0xAB, 0x5B, 0x07, 0x78, 0x51,
                0x28, 0x4E, 0xB7, 0x12, 0x8F, 0x1A, 0x2A, 0x7F, 0xBC, 0xA3
            ]
        );
        let iv = pkcs12_kdf::<sha1::Sha1>(2, &bmp("smeg"), &salt, 1, 8);
        assert_eq!(
            iv.as_slice(),
            [0x79, 0x99, 0x3D, 0xFE, 0x04, 0x8D, 0x3B, 0x76]
        );
        let mac_salt = [0x3D, 0x83, 0xC0, 0xE4, 0x54, 0x6A, 0xC1, 0x40];
        let mac = pkcs12_kdf::<sha1::Sha1>(3, &bmp("smeg"), &mac_salt, 1, 20);
        assert_eq!(
            mac.as_slice(),
            [
                0x8D, 0x96, 0x7D, 0x88, 0xF6, 0xCA, 0xA9, 0xD7, 0x14, 0x80, 0x0A, 0xB3, 0xD4, 0x80,
                0x51, 0xD6, 0x3F, 0x73, 0xA3, 0x12
            ]
        );
        // A thousand rounds and a key longer than one digest, from the same suite.
        let salt = [0x05, 0xDE, 0xC9, 0x59, 0xAC, 0xFF, 0x72, 0xF7];
        let key = pkcs12_kdf::<sha1::Sha1>(1, &bmp("queeg"), &salt, 1000, 24);
        assert_eq!(
            key.as_slice(),
            [
                0xED, 0x20, 0x34, 0xE3, 0x63, 0x28, 0x83, 0x0F, 0xF0, 0x9D, 0xF1, 0xE1, 0xA0, 0x7D,
                0xD3, 0x57, 0x18, 0x5D, 0xAC, 0x0D, 0x4F, 0x9E, 0xB3, 0xD4
            ]
        );
    }

    #[test]
    fn unknown_or_costly_schemes_are_not_tried() {
        // pbeWithSHAAnd40BitRC2-CBC: no implementation here.
        let rc2 = [
            0x06, 0x0A, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x06, 0x30, 0x0E,
            0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x02, 0x08, 0x00,
        ];
        assert_eq!(open_with_empty(&rc2, &[0; 16]), Trial::CannotTry);
        // PKCS#12 3DES with ten million rounds.
        let mut costly = vec![0x06, 0x0A];
        costly.extend_from_slice(OID_PKCS12_3DES);
        costly.extend_from_slice(&[
            0x30, 0x0F, 0x04, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x03, 0x98, 0x96, 0x80,
        ]);
        assert_eq!(open_with_empty(&costly, &[0; 16]), Trial::CannotTry);
        assert_eq!(open_with_empty(&[], &[]), Trial::CannotTry);
        assert_eq!(
            open_with_empty(&[0x06, 0x01, 0x2A], &[0; 8]),
            Trial::CannotTry
        );
    }
}
