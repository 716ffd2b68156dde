//! Telling an encrypted private key from an unencrypted one, in every common format,
//! from its content alone. Three outcomes: a file that looks like a key but cannot
//! be read is `Unknown` — never assumed safe. The openssh-key-v1 header is parsed
//! here rather than by the ssh-key crate, which rejects keys wrapped at other than
//! 70 columns, several keys in one file, and unknown ciphers.

use base64ct::{Base64, Base64Unpadded, Encoding};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

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
/// not a private key after all: a body that does not decode to what its label
/// promises (a template, an example, a redacted key), or a GnuPG stub on a smart
/// card.
fn text_protection(
    format: KeyFormat,
    whole: &[u8],
    after: &[u8],
) -> Option<(Protection, Option<Vec<u8>>)> {
    Some(match format {
        KeyFormat::OpenSsh => {
            let (encrypted, public) = openssh(after)?;
            let protection = if encrypted {
                Protection::Encrypted
            } else {
                Protection::Unencrypted
            };
            (protection, Some(public))
        }
        KeyFormat::PemRsa
        | KeyFormat::PemEc
        | KeyFormat::PemDsa
        | KeyFormat::Pkcs8
        | KeyFormat::Pkcs8Encrypted
        | KeyFormat::PemOther => (
            super::pem::protection(after, format == KeyFormat::Pkcs8Encrypted)?,
            None,
        ),
        KeyFormat::Ssh2 => (ssh2(after)?, None),
        KeyFormat::PuttyPpk => ppk(whole)?,
        KeyFormat::GnupgAgent => (gnupg_agent(whole)?, None),
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
pub fn encrypted_pkcs8_der(prefix: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (KeyFormat::Pkcs8Encrypted, offset) = format::locate(prefix)? else {
        return None;
    };
    super::pem::body(&prefix[offset..])
}

/// openssh-key-v1 (OpenSSH's PROTOCOL.key): magic, cipher name, KDF name, KDF
/// options, key count, the public keys in the clear, then the private section.
/// Cipher `none` is unencrypted. Returns whether it is encrypted, and the first
/// public key; `None` when the body is not that structure.
fn openssh(after: &[u8]) -> Option<(bool, Vec<u8>)> {
    let blob = Zeroizing::new(base64_body(
        lines(after),
        b"-----END OPENSSH PRIVATE KEY-----",
    )?);
    let mut rest = blob.strip_prefix(b"openssh-key-v1\0")?;
    let cipher = ssh_string(&mut rest)?;
    let kdf = ssh_string(&mut rest)?;
    let _kdf_options = ssh_string(&mut rest)?;
    let count = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
    rest = &rest[4..];
    if count == 0 || cipher.is_empty() || kdf.is_empty() {
        return None;
    }
    let public = ssh_string(&mut rest)?.to_vec();
    for _ in 1..count.min(1024) {
        ssh_string(&mut rest)?;
    }
    let private = ssh_string(&mut rest)?;
    let encrypted = cipher != b"none";
    // In the clear, the private section opens with two equal check integers.
    if !encrypted && (private.len() < 8 || private[..4] != private[4..8]) {
        return None;
    }
    Some((encrypted, public))
}

/// ssh.com's format: header lines (continued with a trailing `\`), then a blob of
/// magic 0x3f6ff9eb, length, key type, and cipher name (`none` or `3des-cbc`).
fn ssh2(after: &[u8]) -> Option<Protection> {
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
    let blob = Zeroizing::new(Base64::decode_vec(std::str::from_utf8(&body).ok()?).ok()?);
    let mut rest = blob.strip_prefix(&[0x3f, 0x6f, 0xf9, 0xeb])?.get(4..)?;
    let _key_type = ssh_string(&mut rest)?;
    Some(if ssh_string(&mut rest)? == b"none" {
        Protection::Unencrypted
    } else {
        Protection::Encrypted
    })
}

/// PuTTY's PPK v2 and v3: `Encryption: none` is unencrypted; `Public-Lines: N`
/// holds the public key blob, which gives the same fingerprint as OpenSSH's. A
/// file without the encryption line, a public key and private lines that decode is
/// not a key.
fn ppk(whole: &[u8]) -> Option<(Protection, Option<Vec<u8>>)> {
    let mut protection = None;
    let mut public = None;
    let mut private = false;
    let mut all = lines(whole);
    while let Some(line) = all.next() {
        if let Some(value) = line.strip_prefix(b"Encryption:") {
            protection = Some(if value.trim_ascii() == b"none" {
                Protection::Unencrypted
            } else {
                Protection::Encrypted
            });
        } else if let Some(count) = line.strip_prefix(b"Public-Lines:") {
            public = Some(base64_lines(&mut all, count)?);
        } else if let Some(count) = line.strip_prefix(b"Private-Lines:") {
            private = !base64_lines(&mut all, count)?.is_empty();
        }
    }
    let public = public.filter(|p| !p.is_empty())?;
    private.then_some((protection?, Some(public.to_vec())))
}

/// The `N` lines after a PPK `…-Lines: N` header, decoded.
fn base64_lines<'a>(
    lines: &mut impl Iterator<Item = &'a [u8]>,
    count: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let count: usize = std::str::from_utf8(count.trim_ascii()).ok()?.parse().ok()?;
    let text: Zeroizing<Vec<u8>> =
        Zeroizing::new(lines.take(count.min(256)).flatten().copied().collect());
    Base64::decode_vec(std::str::from_utf8(&text).ok()?)
        .ok()
        .map(Zeroizing::new)
}

/// gpg-agent's `private-keys-v1.d` files: `private-key` is in the clear,
/// `protected-private-key` is encrypted, in the bare S-expression (canonical or
/// readable) and in the extended format's `Key:` line alike.
fn gnupg_agent(whole: &[u8]) -> Option<Protection> {
    let protected = format::agent_sexp(whole.trim_ascii_start()).or_else(|| {
        lines(whole)
            .filter_map(|line| line.strip_prefix(b"Key:"))
            .find_map(|rest| format::agent_sexp(rest.trim_ascii_start()))
    })?;
    Some(if protected {
        Protection::Encrypted
    } else {
        Protection::Unencrypted
    })
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
    if is_text_keyring(prefix) {
        return Some((KeyFormat::GnomeKeyring, Protection::Unencrypted, None));
    }
    super::binary_key(prefix)
}

/// gnome-keyring's text format (a GKeyFile): blank and `#` lines, then the
/// `[keyring]` group with its `display-name=` or `ctime=`. gnome-keyring's own
/// fixtures open with a blank line.
fn is_text_keyring(prefix: &[u8]) -> bool {
    let mut content = lines(prefix).filter(|l| !l.is_empty() && !l.starts_with(b"#"));
    content.next() == Some(b"[keyring]")
        && content
            .take_while(|l| !l.starts_with(b"["))
            .any(|l| l.starts_with(b"display-name=") || l.starts_with(b"ctime="))
}

#[cfg(test)]
#[path = "inspect_tests.rs"]
mod tests;
