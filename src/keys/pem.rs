//! A PEM block is a key only when its body is one. A label alone is what a
//! template (`{{ vault_key }}`), a README's example, a redacted key or an empty
//! block also carry, and `--deep` meets those in ordinary project files; so the body
//! is decoded and must be the structure the label promises — or, with RFC 1421's
//! `Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers, ciphertext of whole cipher
//! blocks. An encrypted PKCS#8 body is tried with the empty password, as OpenSSH
//! tries every key: one that opens is unencrypted.
//!
//! Legacy PEM encryption (`DEK-Info`) is not tried with the empty password: its key
//! derivation is MD5-based, OpenSSL refuses to write it with an empty passphrase,
//! and no writer known does.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::Protection;
use super::der::{self, DerKey};
use super::pbe::{self, Trial};

/// The body of the block that starts after a `-----BEGIN …-----` line: its RFC
/// 1421 headers and the decoded base64, up to the `-----END` line.
struct Block {
    encrypted_headers: Option<bool>,
    der: Zeroizing<Vec<u8>>,
}

fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii)
}

fn block(after: &[u8]) -> Option<Block> {
    let mut proc_type = None;
    let mut dek_info = false;
    let mut text = Zeroizing::new(Vec::new());
    let mut in_headers = true;
    for line in lines(after) {
        if line.starts_with(b"-----END ") {
            let der = Zeroizing::new(Base64::decode_vec(std::str::from_utf8(&text).ok()?).ok()?);
            let encrypted_headers = match (proc_type, dek_info) {
                (None, false) => None,
                (Some(true), true) => Some(true),
                // Half a header set: not a block any tool wrote.
                _ => return None,
            };
            return (!der.is_empty()).then_some(Block {
                encrypted_headers,
                der,
            });
        }
        if in_headers {
            if let Some(value) = line.strip_prefix(b"Proc-Type:") {
                proc_type = Some(value.trim_ascii() == b"4,ENCRYPTED");
                continue;
            }
            if line.starts_with(b"DEK-Info:") {
                dek_info = true;
                continue;
            }
            if line.is_empty() {
                continue;
            }
            in_headers = false;
        }
        if !line
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return None;
        }
        text.extend_from_slice(line);
    }
    None
}

/// The protection of the PEM block whose body starts at `after`, or
/// `None` when the body is not a key.
pub fn protection(after: &[u8], encrypted_label: bool) -> Option<Protection> {
    let block = block(after)?;
    if let Some(encrypted) = block.encrypted_headers {
        // DES, 3DES and AES in CBC mode: whole 8- or 16-octet blocks.
        return (encrypted && block.der.len() % 8 == 0).then_some(Protection::Encrypted);
    }
    // A label that names one structure and a body holding another is still a key
    // (some tools label PKCS#8 as "RSA PRIVATE KEY"); only no key at all is not.
    // Under the ENCRYPTED label, an algorithm and ciphertext are encrypted even
    // when the algorithm is one no tool here knows.
    let Some(structure) = der::classify_der(&block.der) else {
        return (encrypted_label && der::is_encrypted_shape(&block.der))
            .then_some(Protection::Encrypted);
    };
    Some(match structure {
        DerKey::Pkcs8Encrypted => encrypted_pkcs8(&block.der),
        DerKey::Pkcs8 | DerKey::Pkcs1Rsa | DerKey::Sec1Ec | DerKey::Dsa => Protection::Unencrypted,
    })
}

/// An EncryptedPrivateKeyInfo (PEM or DER): encrypted unless the empty password
/// opens it. A scheme that cannot be tried here (PBES1, RC2, RC4) is taken at its
/// word: it is encrypted, and only a key written with an empty passphrase under a
/// scheme nobody has used since the 1990s would be misjudged.
pub fn encrypted_pkcs8(der_bytes: &[u8]) -> Protection {
    let Some((algorithm, ciphertext)) = der::encrypted_pkcs8_parts(der_bytes) else {
        return Protection::Unknown;
    };
    match pbe::open_with_empty(algorithm, ciphertext) {
        Trial::Opens(plain) if super::pkcs12::is_private_key_info(&plain) => {
            Protection::Unencrypted
        }
        Trial::Opens(_) | Trial::Refused | Trial::CannotTry => Protection::Encrypted,
    }
}

/// The DER inside a `-----BEGIN ENCRYPTED PRIVATE KEY-----` block, for `key check`.
pub fn body(after: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    block(after).map(|b| b.der)
}
