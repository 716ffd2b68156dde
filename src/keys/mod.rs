//! Private keys: recognising them by content in every common format, and telling
//! encrypted ones from unencrypted ones.

mod ber;
pub mod der;
pub mod format;
mod inspect;
pub mod openpgp;
mod pbe;
mod pem;
mod pkcs12;
pub mod protect;
pub mod scan;
pub mod unlock;

pub use format::KeyFormat;
pub use inspect::{Inspection, Protection, encrypted_pkcs8_der, inspect, openssh_blob, pem_der};

fn openpgp_dearmor(text: &[u8]) -> Option<Vec<u8>> {
    openpgp::dearmor(text)
}

/// OpenPGP secret-key protection; `None` when the packets hold only stubs (keys on a
/// smart card) or no secret key at all.
fn openpgp_protection(packets: &[u8]) -> Option<Protection> {
    match openpgp::secret_key_protection(packets)? {
        openpgp::PgpProtection::Encrypted => Some(Protection::Encrypted),
        openpgp::PgpProtection::Unencrypted => Some(Protection::Unencrypted),
        openpgp::PgpProtection::Unknown => Some(Protection::Unknown),
        openpgp::PgpProtection::StubOnly => None,
    }
}

/// DER keys, PKCS#12 and binary OpenPGP, recognised by their structure.
fn binary_key(prefix: &[u8]) -> Option<(KeyFormat, Protection, Option<Vec<u8>>)> {
    if openpgp::looks_like_secret_key_packet(prefix) {
        // Random data passes the first test often enough to matter in a home full
        // of compressed files; a real key file has the whole shape.
        if !openpgp::is_plausible_key_file(prefix) {
            return None;
        }
        return openpgp_protection(prefix).map(|p| (KeyFormat::PgpBinary, p, None));
    }
    if !der::looks_like_der(prefix) {
        return None;
    }
    if pkcs12::looks_like_pfx(prefix) {
        // A PKCS#12 file without a key bag is a truststore, not a key.
        let protection = match pkcs12::classify(prefix)? {
            pkcs12::Pkcs12Protection::OpensWithEmptyPassword => Protection::Unencrypted,
            pkcs12::Pkcs12Protection::NeedsPassword => Protection::Encrypted,
            pkcs12::Pkcs12Protection::Unknown => Protection::Unknown,
        };
        return Some((KeyFormat::Pkcs12, protection, None));
    }
    let (format, protection) = match der::classify_der(prefix)? {
        der::DerKey::Pkcs8 => (KeyFormat::Pkcs8Der, Protection::Unencrypted),
        der::DerKey::Pkcs8Encrypted => (KeyFormat::Pkcs8EncryptedDer, pem::encrypted_pkcs8(prefix)),
        der::DerKey::Pkcs1Rsa => (KeyFormat::Pkcs1Der, Protection::Unencrypted),
        der::DerKey::Sec1Ec => (KeyFormat::Sec1Der, Protection::Unencrypted),
        der::DerKey::Dsa => (KeyFormat::DsaDer, Protection::Unencrypted),
    };
    Some((format, protection, None))
}

/// Whether a file's first bytes carry the signature of a key format that is not
/// text: DER and PKCS#12 (a SEQUENCE), OpenPGP secret key packets, GNOME's binary
/// keyring, and gpg-agent's canonical S-expression (length-prefixed, so binary).
/// A file without one and with a NUL in its first bytes holds no key.
pub fn has_binary_key_signature(first: &[u8]) -> bool {
    first.starts_with(b"GnomeKeyring\n\r\0\n")
        || openpgp::looks_like_secret_key_packet(first)
        || der::looks_like_der(first)
        || format::agent_sexp(first.trim_ascii_start()).is_some()
}

/// How many bytes of a file must be read to judge it, when the first
/// `KEY_PREFIX_BYTES` are not enough: a PKCS#12 file is read whole (a truststore
/// of a hundred certificates runs past 64 KiB, and its bags come in any order).
pub fn wants_whole_file(prefix: &[u8]) -> bool {
    pkcs12::looks_like_pfx(prefix)
}
