//! Recognising a private key by what a file holds, never by its name: `id_rsa.bak`,
//! `deploy.key` and `notes.txt` with a pasted key are keys; `id_rsa.pub` holding a
//! public key is not. Only the first bytes are needed, so callers pass a bounded
//! prefix. Telling encrypted keys from unencrypted ones is a separate question.

/// The container formats a private key is commonly stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFormat {
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` (openssh-key-v1).
    OpenSsh,
    /// `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1).
    PemRsa,
    /// `-----BEGIN EC PRIVATE KEY-----` (SEC1).
    PemEc,
    /// `-----BEGIN DSA PRIVATE KEY-----`.
    PemDsa,
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8).
    Pkcs8,
    /// `-----BEGIN ENCRYPTED PRIVATE KEY-----` (PKCS#8, encrypted).
    Pkcs8Encrypted,
    /// Any other `-----BEGIN … PRIVATE KEY-----` label.
    PemOther,
    /// `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----` (ssh.com).
    Ssh2,
    /// `PuTTY-User-Key-File-2:` or `-3:`.
    PuttyPpk,
    /// `-----BEGIN PGP PRIVATE KEY BLOCK-----` (PGP 2.x: `PGP SECRET KEY BLOCK`).
    PgpArmored,
    /// A gpg-agent key file (`private-keys-v1.d/*.key`) holding key material.
    GnupgAgent,
    /// Binary OpenPGP secret key packets (GnuPG 1's `secring.gpg`, `--export-secret-keys`).
    PgpBinary,
    /// DER PKCS#8 `PrivateKeyInfo`.
    Pkcs8Der,
    /// DER PKCS#8 `EncryptedPrivateKeyInfo`.
    Pkcs8EncryptedDer,
    /// DER PKCS#1 `RSAPrivateKey`.
    Pkcs1Der,
    /// DER SEC1 `ECPrivateKey`.
    Sec1Der,
    /// DER DSA private key (OpenSSL's: version, p, q, g, y, x).
    DsaDer,
    /// PKCS#12 (`.p12`, `.pfx`).
    Pkcs12,
    /// A GNOME keyring file (`~/.local/share/keyrings/*.keyring`).
    GnomeKeyring,
}

impl KeyFormat {
    /// The name people know the format by, for messages.
    pub fn name(self) -> &'static str {
        match self {
            KeyFormat::OpenSsh => "OpenSSH",
            KeyFormat::PemRsa => "PEM RSA (PKCS#1)",
            KeyFormat::PemEc => "PEM EC (SEC1)",
            KeyFormat::PemDsa => "PEM DSA",
            KeyFormat::Pkcs8 => "PKCS#8",
            KeyFormat::Pkcs8Encrypted => "encrypted PKCS#8",
            KeyFormat::PemOther => "PEM",
            KeyFormat::Ssh2 => "SSH2 (ssh.com)",
            KeyFormat::PuttyPpk => "PuTTY PPK",
            KeyFormat::PgpArmored => "OpenPGP (armored)",
            KeyFormat::GnupgAgent => "GnuPG agent",
            KeyFormat::PgpBinary => "OpenPGP (binary)",
            KeyFormat::Pkcs8Der => "PKCS#8 (DER)",
            KeyFormat::Pkcs8EncryptedDer => "encrypted PKCS#8 (DER)",
            KeyFormat::Pkcs1Der => "PKCS#1 RSA (DER)",
            KeyFormat::Sec1Der => "SEC1 EC (DER)",
            KeyFormat::DsaDer => "DSA (DER)",
            KeyFormat::Pkcs12 => "PKCS#12",
            KeyFormat::GnomeKeyring => "GNOME keyring",
        }
    }
}

/// The text format of a private key in a file, judged from its first bytes, or
/// `None` when it holds no private key in text form (public keys, certificates,
/// `known_hosts`, anything else). Binary formats are told apart in `inspect`.
#[cfg(test)]
pub fn classify(prefix: &[u8]) -> Option<KeyFormat> {
    locate(prefix).map(|(format, _)| format)
}

/// Like [`classify`], with the byte offset just past the line that marks the key
/// (its `-----BEGIN` line), where its headers and body start.
pub fn locate(prefix: &[u8]) -> Option<(KeyFormat, usize)> {
    let bom = if prefix.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let body = &prefix[bom..];
    let start = trim_start(body);
    if start.starts_with(b"PuTTY-User-Key-File-") {
        return Some((KeyFormat::PuttyPpk, bom));
    }
    // gpg-agent's S-expression; a `shadowed-private-key` is only a stub pointing
    // at a smart card and holds no secret.
    if agent_sexp(start).is_some() {
        return Some((KeyFormat::GnupgAgent, bom));
    }
    let mut offset = bom;
    for line in body.split(|&b| b == b'\n') {
        offset += line.len() + 1;
        if let Some(format) = classify_line(line) {
            return Some((format, offset.min(prefix.len())));
        }
    }
    None
}

fn classify_line(line: &[u8]) -> Option<KeyFormat> {
    let line = trim_end(trim_start(line));
    if line.starts_with(b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----") {
        return Some(KeyFormat::Ssh2);
    }
    // gpg-agent's extended key format: name/value lines, the key under `Key:`.
    if let Some(rest) = line.strip_prefix(b"Key:") {
        if agent_sexp(trim_start(rest)).is_some() {
            return Some(KeyFormat::GnupgAgent);
        }
    }
    let label = line.strip_prefix(b"-----BEGIN ")?.strip_suffix(b"-----")?;
    Some(match label {
        b"OPENSSH PRIVATE KEY" => KeyFormat::OpenSsh,
        b"RSA PRIVATE KEY" => KeyFormat::PemRsa,
        b"EC PRIVATE KEY" => KeyFormat::PemEc,
        b"DSA PRIVATE KEY" => KeyFormat::PemDsa,
        b"PRIVATE KEY" => KeyFormat::Pkcs8,
        b"ENCRYPTED PRIVATE KEY" => KeyFormat::Pkcs8Encrypted,
        b"PGP PRIVATE KEY BLOCK" | b"PGP SECRET KEY BLOCK" => KeyFormat::PgpArmored,
        other if other.ends_with(b" PRIVATE KEY") => KeyFormat::PemOther,
        _ => return None,
    })
}

/// A gpg-agent key S-expression at the start of `text`: the canonical form
/// (`(11:private-key`) gpg-agent writes, or the advanced, readable one (`(private-key
/// (rsa (n #00…#)…`) it also reads, as gpgsm's sample keys are written. `Some(true)`
/// when the secret is protected (`protected-private-key`).
pub fn agent_sexp(text: &[u8]) -> Option<bool> {
    if text.starts_with(b"(11:private-key") {
        return Some(false);
    }
    if text.starts_with(b"(21:protected-private-key") {
        return Some(true);
    }
    let inner = trim_start(text.strip_prefix(b"(")?);
    let (protected, after) = match inner.strip_prefix(b"protected-private-key") {
        Some(after) => (true, after),
        None => (false, inner.strip_prefix(b"private-key")?),
    };
    matches!(after.first(), Some(b'(' | b' ' | b'\t' | b'\r' | b'\n')).then_some(protected)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    &bytes[..keep]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_private_key_label() {
        let cases: &[(&[u8], KeyFormat)] = &[
            (
                b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n",
                KeyFormat::OpenSsh,
            ),
            (
                b"-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\n",
                KeyFormat::PemRsa,
            ),
            (b"  -----BEGIN EC PRIVATE KEY-----\n", KeyFormat::PemEc),
            (b"-----BEGIN DSA PRIVATE KEY-----\n", KeyFormat::PemDsa),
            (b"-----BEGIN PRIVATE KEY-----\n", KeyFormat::Pkcs8),
            (
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
                KeyFormat::Pkcs8Encrypted,
            ),
            (
                b"-----BEGIN OPENSSL PRIVATE KEY-----\n",
                KeyFormat::PemOther,
            ),
            (
                b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n",
                KeyFormat::Ssh2,
            ),
            (b"PuTTY-User-Key-File-3: ssh-ed25519\n", KeyFormat::PuttyPpk),
            (
                b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n",
                KeyFormat::PgpArmored,
            ),
            (b"(11:private-key(3:rsa", KeyFormat::GnupgAgent),
            (b"(21:protected-private-key(3:rsa", KeyFormat::GnupgAgent),
            (
                b"(private-key\n (rsa\n  (n #00e0ce#)",
                KeyFormat::GnupgAgent,
            ),
            (b"\n( protected-private-key (ecc", KeyFormat::GnupgAgent),
            (
                b"-----BEGIN PGP SECRET KEY BLOCK-----\n",
                KeyFormat::PgpArmored,
            ),
            (b"-----BEGIN EdDSA PRIVATE KEY-----\n", KeyFormat::PemOther),
            (
                b"Created: 20260101T000000\nKey: (protected-private-key (ecc",
                KeyFormat::GnupgAgent,
            ),
            (
                b"\xEF\xBB\xBF-----BEGIN OPENSSH PRIVATE KEY-----\n",
                KeyFormat::OpenSsh,
            ),
        ];
        for (bytes, format) in cases {
            assert_eq!(
                classify(bytes),
                Some(*format),
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn a_key_pasted_into_notes_is_found() {
        let notes = b"server notes\n\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n";
        assert_eq!(classify(notes), Some(KeyFormat::OpenSsh));
    }

    #[test]
    fn public_material_is_not_a_private_key() {
        let cases: &[&[u8]] = &[
            b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host\n",
            b"ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ user\n",
            b"-----BEGIN PUBLIC KEY-----\nMIIB\n",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n",
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
            b"|1|abc=|def= ssh-ed25519 AAAA\n",
            b"(20:shadowed-private-key(3:rsa",
            b"(shadowed-private-key (rsa",
            b"(private-keys are kept in private-keys-v1.d)",
            b"Host *\n  IdentityFile ~/.ssh/id_rsa\n",
            b"",
            &[0u8; 4096],
        ];
        for bytes in cases {
            assert_eq!(classify(bytes), None, "{}", String::from_utf8_lossy(bytes));
        }
    }
}
