//! Telling an encrypted private key from an unencrypted one, in every common format,
//! from its content alone. Three outcomes: a file that looks like a key but cannot
//! be read is `Unknown` — never assumed safe. The openssh-key-v1 header is parsed
//! here rather than by the ssh-key crate, which rejects keys wrapped at other than
//! 70 columns, several keys in one file, and unknown ciphers.

use base64ct::{Base64, Base64Unpadded, Encoding};
use sha2::{Digest, Sha256};

use super::format::{self, KeyFormat};

/// Whether a key's secret is protected by a passphrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    Encrypted,
    Unencrypted,
    /// It looks like a key, but its protection could not be read.
    Unknown,
}

/// What a key file holds, without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub format: KeyFormat,
    pub protection: Protection,
    /// Same key, same identity: the public key's SHA-256 where the file shows it,
    /// else the SHA-256 of the bytes read.
    pub identity: [u8; 32],
    /// `SHA256:…` as `ssh-keygen -l` prints it, where the public key is readable.
    pub fingerprint: Option<String>,
    /// The key's algorithm (`ssh-ed25519`, `ssh-rsa`, …), where the public key shows it.
    pub algorithm: Option<String>,
}

/// Inspects the first bytes of a file; `None` when it holds no private key.
pub fn inspect(prefix: &[u8]) -> Option<Inspection> {
    let (format, protection, public) = match format::locate(prefix) {
        Some((format, offset)) => {
            let after = &prefix[offset..];
            let (protection, public) = text_protection(format, prefix, after)?;
            (format, protection, public)
        }
        None => binary(prefix)?,
    };
    let (identity, fingerprint, algorithm) = match public {
        Some(blob) => {
            let digest: [u8; 32] = Sha256::digest(&blob).into();
            // The public key blob starts with the algorithm's name.
            let algorithm = ssh_string(&mut blob.as_slice())
                .and_then(|name| std::str::from_utf8(name).ok())
                .filter(|name| name.len() <= 64 && name.bytes().all(|b| b.is_ascii_graphic()))
                .map(str::to_owned);
            let fingerprint = format!("SHA256:{}", Base64Unpadded::encode_string(&digest));
            (digest, Some(fingerprint), algorithm)
        }
        None => (Sha256::digest(prefix).into(), None, None),
    };
    Some(Inspection {
        format,
        protection,
        identity,
        fingerprint,
        algorithm,
    })
}

/// Protection, and the public key blob where the format shows it. `None` means it is
/// not a private key after all (a GnuPG stub on a smart card).
fn text_protection(
    format: KeyFormat,
    whole: &[u8],
    after: &[u8],
) -> Option<(Protection, Option<Vec<u8>>)> {
    Some(match format {
        KeyFormat::OpenSsh => match openssh(after) {
            Some((encrypted, public)) => (
                if encrypted {
                    Protection::Encrypted
                } else {
                    Protection::Unencrypted
                },
                public,
            ),
            None => (Protection::Unknown, None),
        },
        KeyFormat::PemRsa | KeyFormat::PemEc | KeyFormat::PemDsa => (pem_headers(after), None),
        KeyFormat::Pkcs8 => (Protection::Unencrypted, None),
        KeyFormat::Pkcs8Encrypted => (Protection::Encrypted, None),
        KeyFormat::PemOther => (Protection::Unknown, None),
        KeyFormat::Ssh2 => (ssh2(after), None),
        KeyFormat::PuttyPpk => ppk(whole),
        KeyFormat::GnupgAgent => (gnupg_agent(whole), None),
        KeyFormat::PgpArmored => (pgp(&super::openpgp_dearmor(whole)?)?, None),
        _ => (Protection::Unknown, None),
    })
}

fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').map(|line| line.trim_ascii())
}

/// The base64 between the marker line and `end`, whitespace removed, decoded.
fn base64_body<'a>(lines: impl Iterator<Item = &'a [u8]>, end: &[u8]) -> Option<Vec<u8>> {
    let mut text = Vec::new();
    for line in lines {
        if line.starts_with(end) {
            return Base64::decode_vec(std::str::from_utf8(&text).ok()?).ok();
        }
        text.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
    }
    None
}

/// A big-endian u32-length-prefixed string, as SSH encodes them.
fn ssh_string<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_be_bytes(input.get(..4)?.try_into().ok()?) as usize;
    let value = input.get(4..4usize.checked_add(len)?)?;
    *input = &input[4 + len..];
    Some(value)
}

/// The binary openssh-key-v1 structure of an OpenSSH key file, for decryption.
pub fn openssh_blob(prefix: &[u8]) -> Option<Vec<u8>> {
    let (KeyFormat::OpenSsh, offset) = format::locate(prefix)? else {
        return None;
    };
    base64_body(
        lines(&prefix[offset..]),
        b"-----END OPENSSH PRIVATE KEY-----",
    )
}

/// The DER inside an unencrypted PEM block of a private key: PKCS#1, SEC1 or PKCS#8.
pub fn pem_der(prefix: &[u8]) -> Option<Vec<u8>> {
    let (format, offset) = format::locate(prefix)?;
    let end: &[u8] = match format {
        KeyFormat::PemRsa => b"-----END RSA PRIVATE KEY-----",
        KeyFormat::PemEc => b"-----END EC PRIVATE KEY-----",
        KeyFormat::Pkcs8 => b"-----END PRIVATE KEY-----",
        _ => return None,
    };
    // Headers (`Proc-Type: 4,ENCRYPTED`) mean the old PEM encryption: not this.
    if lines(&prefix[offset..])
        .next()
        .is_some_and(|line| line.contains(&b':'))
    {
        return None;
    }
    base64_body(lines(&prefix[offset..]), end)
}

/// The DER inside a `-----BEGIN ENCRYPTED PRIVATE KEY-----` block.
pub fn encrypted_pkcs8_der(prefix: &[u8]) -> Option<Vec<u8>> {
    let (KeyFormat::Pkcs8Encrypted, offset) = format::locate(prefix)? else {
        return None;
    };
    base64_body(
        lines(&prefix[offset..]),
        b"-----END ENCRYPTED PRIVATE KEY-----",
    )
}

/// openssh-key-v1 (OpenSSH's PROTOCOL.key): magic, cipher name, KDF name, KDF
/// options, key count, then the public keys in the clear. Cipher `none` is
/// unencrypted. Returns whether it is encrypted, and the first public key.
fn openssh(after: &[u8]) -> Option<(bool, Option<Vec<u8>>)> {
    let blob = base64_body(lines(after), b"-----END OPENSSH PRIVATE KEY-----")?;
    let mut rest = blob.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = ssh_string(&mut rest)?;
    let _kdf = ssh_string(&mut rest)?;
    let _kdf_options = ssh_string(&mut rest)?;
    let count = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    rest = &rest[4..];
    let public = if count >= 1 {
        ssh_string(&mut rest).map(<[u8]>::to_vec)
    } else {
        None
    };
    Some((cipher != b"none", public))
}

/// RFC 1421 headers of a legacy PEM key: `Proc-Type: 4,ENCRYPTED` with `DEK-Info`.
fn pem_headers(after: &[u8]) -> Protection {
    let mut proc_type = None;
    let mut dek_info = false;
    for line in lines(after).take(4) {
        if let Some(value) = line.strip_prefix(b"Proc-Type:") {
            proc_type = Some(value.trim_ascii() == b"4,ENCRYPTED");
        } else if line.starts_with(b"DEK-Info:") {
            dek_info = true;
        }
    }
    match (proc_type, dek_info) {
        (None, false) => Protection::Unencrypted,
        (Some(true), true) => Protection::Encrypted,
        _ => Protection::Unknown,
    }
}

/// ssh.com's format: header lines (continued with a trailing `\`), then a blob of
/// magic 0x3f6ff9eb, length, key type, and cipher name (`none` or `3des-cbc`).
fn ssh2(after: &[u8]) -> Protection {
    let mut body = Vec::new();
    let mut continued = false;
    for line in lines(after) {
        if line.starts_with(b"---- END SSH2 ENCRYPTED PRIVATE KEY ----") {
            break;
        }
        let header = continued || line.contains(&b':');
        continued = header && line.ends_with(b"\\");
        if !header {
            body.extend_from_slice(line);
        }
    }
    let Some(blob) = std::str::from_utf8(&body)
        .ok()
        .and_then(|text| Base64::decode_vec(text).ok())
    else {
        return Protection::Unknown;
    };
    let parse = || {
        let mut rest = blob.strip_prefix(&[0x3f, 0x6f, 0xf9, 0xeb])?.get(4..)?;
        let _key_type = ssh_string(&mut rest)?;
        ssh_string(&mut rest).map(|cipher| cipher == b"none")
    };
    match parse() {
        Some(true) => Protection::Unencrypted,
        Some(false) => Protection::Encrypted,
        None => Protection::Unknown,
    }
}

/// PuTTY's PPK v2 and v3: `Encryption: none` is unencrypted; `Public-Lines: N`
/// holds the public key blob, which gives the same fingerprint as OpenSSH's.
fn ppk(whole: &[u8]) -> (Protection, Option<Vec<u8>>) {
    let mut protection = Protection::Unknown;
    let mut public = None;
    let mut all = lines(whole);
    while let Some(line) = all.next() {
        if let Some(value) = line.strip_prefix(b"Encryption:") {
            protection = if value.trim_ascii() == b"none" {
                Protection::Unencrypted
            } else {
                Protection::Encrypted
            };
        } else if let Some(count) = line.strip_prefix(b"Public-Lines:") {
            let count: usize = std::str::from_utf8(count.trim_ascii())
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let text: Vec<u8> = all
                .by_ref()
                .take(count.min(64))
                .flatten()
                .copied()
                .collect();
            public = std::str::from_utf8(&text)
                .ok()
                .and_then(|t| Base64::decode_vec(t).ok());
        }
    }
    (protection, public)
}

/// gpg-agent's `private-keys-v1.d` files: `private-key` is in the clear,
/// `protected-private-key` is encrypted, in the bare S-expression and in the
/// extended format's `Key:` line alike.
fn gnupg_agent(whole: &[u8]) -> Protection {
    let start = whole.trim_ascii_start();
    if start.starts_with(b"(11:private-key") {
        return Protection::Unencrypted;
    }
    if start.starts_with(b"(21:protected-private-key") {
        return Protection::Encrypted;
    }
    for line in lines(whole) {
        if let Some(rest) = line.strip_prefix(b"Key:") {
            let rest = rest.trim_ascii_start();
            if rest.starts_with(b"(private-key") {
                return Protection::Unencrypted;
            }
            if rest.starts_with(b"(protected-private-key") {
                return Protection::Encrypted;
            }
        }
    }
    Protection::Unknown
}

/// OpenPGP secret key packets; `None` when they hold only stubs (keys on a card).
fn pgp(packets: &[u8]) -> Option<Protection> {
    super::openpgp_protection(packets)
}

/// Binary formats: DER keys, PKCS#12, OpenPGP packets, GNOME keyrings.
fn binary(prefix: &[u8]) -> Option<(KeyFormat, Protection, Option<Vec<u8>>)> {
    // A keyring with a master password is binary and encrypted; one without is
    // written as text, secrets in the clear (gnome-keyring's gkm-secret-textual).
    if prefix.starts_with(b"GnomeKeyring\n\r\0\n") {
        return Some((KeyFormat::GnomeKeyring, Protection::Encrypted, None));
    }
    if prefix.starts_with(b"[keyring]")
        && lines(prefix).any(|l| l.starts_with(b"display-name=") || l.starts_with(b"ctime="))
    {
        return Some((KeyFormat::GnomeKeyring, Protection::Unencrypted, None));
    }
    super::binary_key(prefix)
}

#[cfg(test)]
#[path = "inspect_tests.rs"]
mod tests;
