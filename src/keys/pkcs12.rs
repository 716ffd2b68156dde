//! PKCS#12 (`.p12`, `.pfx`): a container, not a key. It is a private key only when
//! one of its bags holds one, so its SafeContents are walked: no key bag means no
//! key (a truststore, `openssl pkcs12 -export -nokeys`, Java's truststores); a
//! plain `keyBag` is a key anyone who copies the file can read, whatever the MAC
//! says (`-keypbe NONE`); a `pkcs8ShroudedKeyBag` is decided by whether it opens
//! with the empty password. The MAC only guards integrity, so it decides nothing
//! here; it serves `key check`, which proves a password.
//!
//! NSS (`pk12util`, Firefox), Java and Windows write BER with indefinite lengths;
//! each level is rewritten to DER (`ber`) before it is read. A key inside an
//! `encryptedData` is looked for only when no bag is in the clear, and then only
//! when the empty password opens it: every writer known puts keys in plain `data`
//! (shrouded) and certificates in `encryptedData`, and a key hidden behind a
//! password it does not give is protected either way.

use hmac::digest::Digest;
use hmac::digest::core_api::BlockSizeUser;
use hmac::{Mac, SimpleHmac};

use super::ber;
use super::der::{
    self, DerKey, Reader, TAG_CTX0, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, TAG_SET,
    small_uint,
};
use super::pbe::{self, Trial};

/// How well a PKCS#12 file keeps its private keys from someone who copies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs12Protection {
    /// A key in a plain bag, or a shrouded one that opens with the empty password.
    OpensWithEmptyPassword,
    /// Every key bag needs a password.
    NeedsPassword,
    /// Cannot tell: a bag under a scheme not implemented here, or a file that does
    /// not decode (cut short, malformed).
    Unknown,
}

pub(super) const OID_PKCS7_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
const OID_PKCS7_ENCRYPTED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06];
pub(super) const OID_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x01,
];
pub(super) const OID_SHROUDED_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02,
];
pub(super) const OID_SAFE_CONTENTS_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x06,
];
pub(super) const OID_SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
/// 2.16.840.1.101.3.4.2: NIST hash algorithms; the last arc picks the SHA-2 variant.
const OID_NIST_HASH_ARC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
/// `[0]` primitive: EncryptedContentInfo's IMPLICIT OCTET STRING in one piece.
const TAG_CTX0_PRIMITIVE: u8 = 0x80;

/// Nested `safeContentsBag`s are legal but unused in practice; the bound keeps a
/// crafted file from recursing without end.
const MAX_BAG_DEPTH: u8 = 8;
/// The most shrouded bags and encrypted parts tried with the empty password in
/// one file: each trial runs a KDF, and a crafted file could hold thousands.
const MAX_TRIALS: usize = 8;

/// Whether the first bytes open like a PFX: a SEQUENCE holding INTEGER 3 and a
/// ContentInfo of type `data` — enough to know the file is PKCS#12 even when it
/// is cut short or written in BER.
pub fn looks_like_pfx(bytes: &[u8]) -> bool {
    let opening = || {
        let outer = ber::head(bytes)?;
        let body = bytes.get(outer.len..)?;
        let (version, rest) = der::read_tlv(body)?;
        let content_info = ber::head(rest)?;
        let (content_type, _) = der::read_tlv(rest.get(content_info.len..)?)?;
        Some(
            outer.tag == TAG_SEQUENCE
                && version.tag == TAG_INTEGER
                && small_uint(version.content) == Some(3)
                && content_info.tag == TAG_SEQUENCE
                && content_type.tag == TAG_OID
                && content_type.content == OID_PKCS7_DATA,
        )
    };
    opening() == Some(true)
}

/// Reads a whole PKCS#12 file. `None` when it is not PKCS#12 or holds no private
/// key; a PFX that does not decode is `Unknown`.
pub fn classify(bytes: &[u8]) -> Option<Pkcs12Protection> {
    if !looks_like_pfx(bytes) {
        return None;
    }
    let Some(pfx) = ber::whole_to_der(bytes) else {
        return Some(Pkcs12Protection::Unknown);
    };
    let Some(parsed) = parse_pfx(&pfx) else {
        return Some(Pkcs12Protection::Unknown);
    };
    let mut walk = Walk::default();
    if walk.auth_safe(parsed.auth_safe).is_none() {
        return Some(Pkcs12Protection::Unknown);
    }
    walk.verdict()
}

/// What the bags showed.
#[derive(Default)]
struct Walk {
    opens: bool,
    needs_password: bool,
    cannot_tell: bool,
    trials: usize,
}

impl Walk {
    fn verdict(&self) -> Option<Pkcs12Protection> {
        if self.opens {
            Some(Pkcs12Protection::OpensWithEmptyPassword)
        } else if self.cannot_tell {
            Some(Pkcs12Protection::Unknown)
        } else if self.needs_password {
            Some(Pkcs12Protection::NeedsPassword)
        } else {
            None
        }
    }

    fn found_key(&self) -> bool {
        self.opens || self.needs_password || self.cannot_tell
    }

    /// The AuthenticatedSafe: a SEQUENCE of ContentInfo. Plain `data` first; the
    /// encrypted parts only when no key was in the clear.
    fn auth_safe(&mut self, content: &[u8]) -> Option<()> {
        let infos = ber::whole_to_der(content)?;
        let (sequence, rest) = der::read_tlv(&infos)?;
        if sequence.tag != TAG_SEQUENCE || !rest.is_empty() {
            return None;
        }
        let mut encrypted = Vec::new();
        let mut reader = Reader::new(sequence.content);
        while let Some(info) = reader.next() {
            if info.tag != TAG_SEQUENCE {
                return None;
            }
            let mut fields = Reader::new(info.content);
            let content_type = fields.expect(TAG_OID)?;
            let explicit = fields.expect(TAG_CTX0)?;
            if content_type == OID_PKCS7_DATA {
                let octets = Reader::new(explicit).expect(TAG_OCTET_STRING)?;
                self.safe_contents(octets, 0)?;
            } else if content_type == OID_PKCS7_ENCRYPTED_DATA {
                encrypted.push(explicit);
            }
            // envelopedData and the like: opened by no password, so passed by.
        }
        if !reader.is_empty() {
            return None;
        }
        if !self.found_key() {
            for part in encrypted {
                self.encrypted_data(part);
            }
        }
        Some(())
    }

    /// EncryptedData { version, EncryptedContentInfo { type, algorithm, [0]
    /// IMPLICIT content } }: its SafeContents, when the empty password opens it.
    fn encrypted_data(&mut self, explicit: &[u8]) {
        let parts = || {
            let mut data = Reader::new(Reader::new(explicit).expect(TAG_SEQUENCE)?);
            data.expect(TAG_INTEGER)?;
            let mut info = Reader::new(data.expect(TAG_SEQUENCE)?);
            info.expect(TAG_OID)?;
            let algorithm = info.expect(TAG_SEQUENCE)?;
            let content = info.next()?;
            let ciphertext = match content.tag {
                TAG_CTX0_PRIMITIVE => content.content.to_vec(),
                TAG_CTX0 => ber::join_pieces(content.content)?,
                _ => return None,
            };
            Some((algorithm, ciphertext))
        };
        let Some((algorithm, ciphertext)) = parts() else {
            return;
        };
        if let Some(Trial::Opens(plain)) = self.try_empty(algorithm, &ciphertext) {
            // A wrong password that passes the padding check leaves no SafeContents.
            let mut inner = Walk {
                trials: self.trials,
                ..Walk::default()
            };
            if inner.safe_contents(&plain, 0).is_some() {
                self.opens |= inner.opens;
                self.needs_password |= inner.needs_password;
                self.cannot_tell |= inner.cannot_tell;
            }
            self.trials = inner.trials;
        }
    }

    fn try_empty(&mut self, algorithm: &[u8], ciphertext: &[u8]) -> Option<Trial> {
        if self.trials == MAX_TRIALS {
            return None;
        }
        self.trials += 1;
        Some(pbe::open_with_empty(algorithm, ciphertext))
    }

    /// SafeContents: a SEQUENCE of SafeBag { bagId, [0] value, attributes }.
    fn safe_contents(&mut self, encoded: &[u8], depth: u8) -> Option<()> {
        if depth > MAX_BAG_DEPTH {
            return None;
        }
        let contents = ber::whole_to_der(encoded)?;
        let (sequence, rest) = der::read_tlv(&contents)?;
        if sequence.tag != TAG_SEQUENCE || !rest.is_empty() {
            return None;
        }
        let mut bags = Reader::new(sequence.content);
        while let Some(bag) = bags.next() {
            if bag.tag != TAG_SEQUENCE {
                return None;
            }
            let mut fields = Reader::new(bag.content);
            let bag_id = fields.expect(TAG_OID)?;
            let value = fields.expect(TAG_CTX0)?;
            match fields.next() {
                None => {}
                Some(attributes) if attributes.tag == TAG_SET => {}
                Some(_) => return None,
            }
            if bag_id == OID_KEY_BAG {
                self.opens = true;
            } else if bag_id == OID_SHROUDED_KEY_BAG {
                self.shrouded(value);
            } else if bag_id == OID_SAFE_CONTENTS_BAG {
                self.safe_contents(value, depth + 1)?;
            }
        }
        bags.is_empty().then_some(())
    }

    /// A pkcs8ShroudedKeyBag: an EncryptedPrivateKeyInfo, tried with the empty
    /// password; it opens only if what comes out is a private key.
    fn shrouded(&mut self, value: &[u8]) {
        let Some((algorithm, ciphertext)) = der::encrypted_pkcs8_parts(value) else {
            self.cannot_tell = true;
            return;
        };
        match self.try_empty(algorithm, ciphertext) {
            Some(Trial::Opens(plain)) if is_private_key_info(&plain) => self.opens = true,
            Some(Trial::Opens(_) | Trial::Refused) => self.needs_password = true,
            Some(Trial::CannotTry) | None => self.cannot_tell = true,
        }
    }
}

/// Whether decrypted bytes are a PKCS#8 PrivateKeyInfo.
pub fn is_private_key_info(plain: &[u8]) -> bool {
    ber::whole_to_der(plain).is_some_and(|der| der::classify_der(&der) == Some(DerKey::Pkcs8))
}

struct Pfx<'a> {
    /// The content octets of authSafe's OCTET STRING: what the MAC covers.
    auth_safe: &'a [u8],
    mac: Option<MacData<'a>>,
}

struct MacData<'a> {
    digest_oid: &'a [u8],
    digest: &'a [u8],
    salt: &'a [u8],
    /// `None` when the INTEGER does not fit or is negative.
    iterations: Option<u64>,
}

fn parse_pfx(der_bytes: &[u8]) -> Option<Pfx<'_>> {
    let (outer, _trailing) = der::read_tlv(der_bytes)?;
    if outer.tag != TAG_SEQUENCE {
        return None;
    }
    let mut fields = Reader::new(outer.content);
    if small_uint(fields.expect(TAG_INTEGER)?)? != 3 {
        return None;
    }
    let mut content_info = Reader::new(fields.expect(TAG_SEQUENCE)?);
    if content_info.expect(TAG_OID)? != OID_PKCS7_DATA {
        return None;
    }
    let mut explicit = Reader::new(content_info.expect(TAG_CTX0)?);
    let auth_safe = explicit.expect(TAG_OCTET_STRING)?;
    if !explicit.is_empty() || !content_info.is_empty() {
        return None;
    }
    let mac = match fields.next() {
        None => None,
        Some(mac_data) if mac_data.tag == TAG_SEQUENCE => Some(parse_mac_data(mac_data.content)?),
        Some(_) => return None,
    };
    if !fields.is_empty() {
        return None;
    }
    Some(Pfx { auth_safe, mac })
}

fn parse_mac_data(content: &[u8]) -> Option<MacData<'_>> {
    let mut fields = Reader::new(content);
    let mut digest_info = Reader::new(fields.expect(TAG_SEQUENCE)?);
    let mut algorithm = Reader::new(digest_info.expect(TAG_SEQUENCE)?);
    let digest_oid = algorithm.expect(TAG_OID)?;
    let digest = digest_info.expect(TAG_OCTET_STRING)?;
    let salt = fields.expect(TAG_OCTET_STRING)?;
    let iterations = match fields.next() {
        None => Some(1),
        Some(count) if count.tag == TAG_INTEGER => small_uint(count.content),
        Some(_) => return None,
    };
    if !digest_info.is_empty() || !fields.is_empty() {
        return None;
    }
    Some(MacData {
        digest_oid,
        digest,
        salt,
        iterations,
    })
}

/// Whether a PKCS#12 file's MAC verifies with `password` (as typed, UTF-8; PKCS#12
/// hashes it as a NUL-terminated BMPString). Err(()) when the file has no MAC, uses
/// an unsupported algorithm, or is malformed.
#[allow(clippy::result_unit_err)] // The caller's only question is "could it be checked".
pub fn mac_verifies(bytes: &[u8], password: &str) -> Result<bool, ()> {
    let pfx = ber::whole_to_der(bytes).ok_or(())?;
    let parsed = parse_pfx(&pfx).ok_or(())?;
    let mac = parsed.mac.ok_or(())?;
    let iterations = mac.iterations.ok_or(())?;
    if iterations == 0 || iterations > pbe::MAX_ITERATIONS {
        return Err(());
    }
    type MacCheck = fn(&[u8], &MacData<'_>, u64, &[u8]) -> Result<bool, ()>;
    let check: MacCheck = match mac.digest_oid {
        OID_SHA1 => hmac_matches::<sha1::Sha1>,
        oid => match oid.strip_prefix(OID_NIST_HASH_ARC) {
            Some([1]) => hmac_matches::<sha2::Sha256>,
            Some([2]) => hmac_matches::<sha2::Sha384>,
            Some([3]) => hmac_matches::<sha2::Sha512>,
            Some([4]) => hmac_matches::<sha2::Sha224>,
            Some([5]) => hmac_matches::<sha2::Sha512_224>,
            Some([6]) => hmac_matches::<sha2::Sha512_256>,
            // PBMAC1, MD5 and anything else we have no implementation for.
            _ => return Err(()),
        },
    };
    for bmp in &bmp_passwords(password) {
        if check(bmp, &mac, iterations, parsed.auth_safe)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// PKCS#12 hashes the password as a NUL-terminated BMPString; for the empty
/// password some writers (OpenSSL among them, depending on version and call) use
/// the two NUL octets and others no octets at all, so both are tried.
fn bmp_passwords(password: &str) -> Vec<zeroize::Zeroizing<Vec<u8>>> {
    let mut bmp = zeroize::Zeroizing::new(Vec::with_capacity(
        password.len().saturating_mul(2).saturating_add(2),
    ));
    for unit in password.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    if password.is_empty() {
        vec![bmp, zeroize::Zeroizing::new(Vec::new())]
    } else {
        vec![bmp]
    }
}

fn hmac_matches<D>(
    bmp_password: &[u8],
    mac: &MacData<'_>,
    iterations: u64,
    auth_safe: &[u8],
) -> Result<bool, ()>
where
    D: Digest + BlockSizeUser,
{
    let size = <D as Digest>::output_size();
    if mac.digest.len() != size {
        return Err(());
    }
    let key = pbe::pkcs12_kdf::<D>(3, bmp_password, mac.salt, iterations, size);
    let mut hmac = <SimpleHmac<D> as Mac>::new_from_slice(&key).map_err(|_| ())?;
    hmac.update(auth_safe);
    Ok(hmac.verify_slice(mac.digest).is_ok())
}
