//! Binary (DER) private keys and PKCS#12 files carry no text label, so they can only
//! be recognised by their ASN.1 structure, and only told apart from the far more
//! common certificates and public keys by reading that structure closely. A PKCS#12
//! file's protection is judged by its MAC: one that verifies with the empty password
//! opens for anyone who copies the file. Every byte read here comes from a file in
//! somebody's home directory, so the reader checks every length and never recurses
//! without a bound.

use hmac::digest::Digest;
use hmac::digest::core_api::BlockSizeUser;
use hmac::{Mac, SimpleHmac};
use zeroize::{Zeroize, Zeroizing};

/// What a DER-encoded file holds, when it holds private key material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerKey {
    /// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (version 0 or 1): unencrypted.
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo`: encrypted.
    Pkcs8Encrypted,
    /// PKCS#1 `RSAPrivateKey` (version 0 then the modulus...): unencrypted.
    Pkcs1Rsa,
    /// SEC1 `ECPrivateKey` (version 1, then an OCTET STRING): unencrypted.
    Sec1Ec,
    /// A PKCS#12 / PFX file (version 3, authSafe is PKCS#7 data).
    Pkcs12(Pkcs12Protection),
}

/// How well a PKCS#12 file keeps its contents from someone who copies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs12Protection {
    /// It opens with an empty password (its MAC verifies with the empty password, or it has no MAC and its key bags are plain `keyBag`s or its contents are unencrypted `data`).
    OpensWithEmptyPassword,
    /// It needs a password (the MAC does not verify with the empty password).
    NeedsPassword,
    /// Cannot tell (unsupported MAC algorithm, PBMAC1, malformed, ...).
    Unknown,
}

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
/// `[0]` constructed, as EXPLICIT tagging and `OneAsymmetricKey` attributes use it.
const TAG_CTX0: u8 = 0xA0;
/// `[1]` constructed.
const TAG_CTX1: u8 = 0xA1;
/// `[1]` primitive: `OneAsymmetricKey`'s IMPLICIT BIT STRING public key.
const TAG_CTX1_PRIMITIVE: u8 = 0x81;

// Object identifiers as their encoded content octets, so comparing is a slice compare.
const OID_PKCS7_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
const OID_PKCS12_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x01,
];
const OID_PKCS12_SHROUDED_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02,
];
const OID_PKCS12_SAFE_CONTENTS_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x06,
];
/// 1.2.840.113549.1.5: PKCS#5, home of PBES1, PBES2 and PBMAC1.
const OID_PKCS5_ARC: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05];
/// 1.2.840.113549.1.12.1: PKCS#12's own password-based encryption schemes.
const OID_PKCS12_PBE_ARC: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01];
const OID_SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
/// 2.16.840.1.101.3.4.2: NIST hash algorithms; the last arc picks the SHA-2 variant.
const OID_NIST_HASH_ARC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];

/// A hostile file could ask for billions of KDF rounds; real writers use a few
/// thousand (OpenSSL 2048, Windows 2000, Java 10000), so anything above this is
/// treated as something we cannot check rather than as a reason to burn CPU.
const MAX_MAC_ITERATIONS: u64 = 1_000_000;

/// Nested `safeContentsBag`s are legal but unused in practice; the bound keeps a
/// crafted file from recursing without end.
const MAX_BAG_DEPTH: u8 = 8;

/// Classifies the first bytes of a file. `None` when it is not DER private key material (for example an X.509 certificate, a public key `SubjectPublicKeyInfo`, random binary, text).
pub fn classify_der(bytes: &[u8]) -> Option<DerKey> {
    // PKCS#12 first: it is the one format recognised from an incomplete or BER
    // outer structure, and its version (3) matches none of the others.
    if let Some(protection) = classify_pfx(bytes) {
        return Some(DerKey::Pkcs12(protection));
    }
    let (outer, _trailing) = read_tlv(bytes)?;
    if outer.tag != TAG_SEQUENCE {
        return None;
    }
    let mut fields = Reader::new(outer.content);
    let first = fields.next()?;
    match first.tag {
        TAG_INTEGER => classify_versioned(small_uint(first.content)?, fields),
        // Certificates, CSRs and SubjectPublicKeyInfo also open with a SEQUENCE;
        // only a password-based encryption OID followed by the ciphertext and
        // nothing else makes it an EncryptedPrivateKeyInfo.
        TAG_SEQUENCE => {
            let mut algorithm = Reader::new(first.content);
            let oid = algorithm.expect(TAG_OID)?;
            if !is_pbe_oid(oid) {
                return None;
            }
            let ciphertext = fields.expect(TAG_OCTET_STRING)?;
            (!ciphertext.is_empty() && fields.is_empty()).then_some(DerKey::Pkcs8Encrypted)
        }
        _ => None,
    }
}

/// Whether a PKCS#12 file's MAC verifies with `password` (the password as the UTF-8 the person typed; convert it to the BMPString form PKCS#12 uses: UTF-16BE plus two zero bytes; for the empty password try BOTH the two-zero-byte form and the zero-length form, because OpenSSL and other writers differ). Err(()) when the file has no MAC, uses an unsupported algorithm, or is malformed.
#[allow(clippy::result_unit_err)] // The caller's only question is "could it be checked".
pub fn pkcs12_mac_verifies(bytes: &[u8], password: &str) -> Result<bool, ()> {
    let pfx = parse_pfx(bytes).ok_or(())?;
    let mac = pfx.mac.ok_or(())?;
    mac_verifies(&mac, pfx.auth_safe, password)
}

/// A cheap test on the first bytes: a SEQUENCE tag followed by a usable length
/// (short, long with up to four length octets, or BER indefinite, which some PKCS#12
/// writers use), to skip files that cannot be DER before reading them closely.
pub fn looks_like_der(bytes: &[u8]) -> bool {
    match bytes {
        [TAG_SEQUENCE, 0x01..=0x80, ..] => true,
        [TAG_SEQUENCE, count @ 0x81..=0x84, rest @ ..] => rest.len() >= usize::from(count & 0x7F),
        _ => false,
    }
}

/// The SEQUENCE opened with a small INTEGER: a version, telling PKCS#8, SEC1 and
/// PKCS#1 apart together with the type of the field that follows it.
fn classify_versioned(version: u64, mut fields: Reader<'_>) -> Option<DerKey> {
    let second = fields.next()?;
    match (version, second.tag) {
        (0 | 1, TAG_SEQUENCE) => {
            Reader::new(second.content).expect(TAG_OID)?;
            let private_key = fields.expect(TAG_OCTET_STRING)?;
            if private_key.is_empty() {
                return None;
            }
            // Only the optional attributes [0] and public key [1] may follow.
            while let Some(extra) = fields.next() {
                if !matches!(extra.tag, TAG_CTX0 | TAG_CTX1 | TAG_CTX1_PRIMITIVE) {
                    return None;
                }
            }
            fields.is_empty().then_some(DerKey::Pkcs8)
        }
        (1, TAG_OCTET_STRING) => {
            if second.content.is_empty() {
                return None;
            }
            let mut last = 0u8;
            while let Some(extra) = fields.next() {
                // [0] parameters then [1] public key, each optional, in that order.
                let rank = match extra.tag {
                    TAG_CTX0 => 1,
                    TAG_CTX1 => 2,
                    _ => return None,
                };
                if rank <= last {
                    return None;
                }
                last = rank;
            }
            fields.is_empty().then_some(DerKey::Sec1Ec)
        }
        (0 | 1, TAG_INTEGER) => {
            // n was `second`; e, d, p, q, dP, dQ and qInv must follow.
            for _ in 0..7 {
                fields.expect(TAG_INTEGER)?;
            }
            if version == 1 {
                // Multi-prime keys carry their otherPrimeInfos.
                fields.expect(TAG_SEQUENCE)?;
            }
            fields.is_empty().then_some(DerKey::Pkcs1Rsa)
        }
        _ => None,
    }
}

/// PBES1/PBES2 (including PBES2 with scrypt, whose KDF OID sits inside the PBES2
/// parameters) and the PKCS#12 PBE schemes: what an EncryptedPrivateKeyInfo uses.
fn is_pbe_oid(oid: &[u8]) -> bool {
    if let Some(rest) = oid.strip_prefix(OID_PKCS5_ARC) {
        // pbeWithMD2AndDES-CBC (1), pbeWithMD5AndDES-CBC (3), pbeWithMD2AndRC2-CBC (4),
        // pbeWithMD5AndRC2-CBC (6), pbeWithSHA1AndDES-CBC (10), pbeWithSHA1AndRC2-CBC
        // (11), PBES2 (13).
        return matches!(rest, [1 | 3 | 4 | 6 | 10 | 11 | 13]);
    }
    if let Some(rest) = oid.strip_prefix(OID_PKCS12_PBE_ARC) {
        return matches!(rest, [1..=6]);
    }
    false
}

/// Recognises a PFX from its opening fields alone, so that BER-encoded files and
/// files longer than the prefix we are given still count as PKCS#12; what cannot
/// then be read strictly is `Unknown`.
fn classify_pfx(bytes: &[u8]) -> Option<Pkcs12Protection> {
    let outer = read_header(bytes)?;
    if outer.tag != TAG_SEQUENCE {
        return None;
    }
    let body = bytes.get(outer.header_len..)?;
    let (version, rest) = read_tlv(body)?;
    if version.tag != TAG_INTEGER || small_uint(version.content)? != 3 {
        return None;
    }
    let content_info = read_header(rest)?;
    if content_info.tag != TAG_SEQUENCE {
        return None;
    }
    let (content_type, _) = read_tlv(rest.get(content_info.header_len..)?)?;
    if content_type.tag != TAG_OID || content_type.content != OID_PKCS7_DATA {
        return None;
    }
    Some(pfx_protection(bytes).unwrap_or(Pkcs12Protection::Unknown))
}

fn pfx_protection(bytes: &[u8]) -> Option<Pkcs12Protection> {
    let pfx = parse_pfx(bytes)?;
    match pfx.mac {
        Some(mac) => match mac_verifies(&mac, pfx.auth_safe, "") {
            Ok(true) => Some(Pkcs12Protection::OpensWithEmptyPassword),
            Ok(false) => Some(Pkcs12Protection::NeedsPassword),
            Err(()) => None,
        },
        None => unmacked_protection(pfx.auth_safe),
    }
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

fn parse_pfx(bytes: &[u8]) -> Option<Pfx<'_>> {
    let (outer, _trailing) = read_tlv(bytes)?;
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
    // A constructed (BER) OCTET STRING has its bytes in pieces; the MAC covers
    // their concatenation, which is not worth reassembling for a rare writer.
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

type MacCheck = fn(&[u8], &MacData<'_>, u64, &[u8]) -> Result<bool, ()>;

fn mac_verifies(mac: &MacData<'_>, auth_safe: &[u8], password: &str) -> Result<bool, ()> {
    let iterations = mac.iterations.ok_or(())?;
    if iterations == 0 || iterations > MAX_MAC_ITERATIONS {
        return Err(());
    }
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
        if check(bmp, mac, iterations, auth_safe)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// PKCS#12 hashes the password as a NUL-terminated BMPString; for the empty
/// password some writers (OpenSSL among them, depending on version and call) use
/// the two NUL octets and others no octets at all, so both are tried.
fn bmp_passwords(password: &str) -> Vec<Zeroizing<Vec<u8>>> {
    let mut bmp = Zeroizing::new(Vec::with_capacity(
        password.len().saturating_mul(2).saturating_add(2),
    ));
    for unit in password.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    if password.is_empty() {
        vec![bmp, Zeroizing::new(Vec::new())]
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
    if mac.digest.len() != <D as Digest>::output_size() {
        return Err(());
    }
    let key = pkcs12_mac_key::<D>(bmp_password, mac.salt, iterations);
    let mut hmac = <SimpleHmac<D> as Mac>::new_from_slice(&key).map_err(|_| ())?;
    hmac.update(auth_safe);
    Ok(hmac.verify_slice(mac.digest).is_ok())
}

/// RFC 7292 appendix B.2 with ID 3 (MAC key). The MAC key is exactly one digest
/// long, so only the first block A_1 is ever needed and the I-update step that
/// produces further blocks is left out.
fn pkcs12_mac_key<D>(bmp_password: &[u8], salt: &[u8], iterations: u64) -> Zeroizing<Vec<u8>>
where
    D: Digest + BlockSizeUser,
{
    let v = <D as BlockSizeUser>::block_size();
    let mut input = Zeroizing::new(Vec::new());
    input.extend(std::iter::repeat_n(3u8, v));
    extend_to_block_multiple(&mut input, salt, v);
    extend_to_block_multiple(&mut input, bmp_password, v);
    let mut block = D::digest(input.as_slice());
    for _ in 1..iterations {
        block = D::digest(block.as_slice());
    }
    let key = Zeroizing::new(block.to_vec());
    block.as_mut_slice().zeroize();
    key
}

/// Appends `source` repeated to fill whole `v`-byte blocks, as the KDF's S and P.
fn extend_to_block_multiple(out: &mut Vec<u8>, source: &[u8], v: usize) {
    if source.is_empty() || v == 0 {
        return;
    }
    let len = source.len().div_ceil(v).saturating_mul(v);
    out.extend(source.iter().copied().cycle().take(len));
}

/// Without a MAC nothing guards the file but whatever encryption its bags carry:
/// plain `keyBag`s in plain `data` are readable by anyone, while encrypted parts
/// cannot be judged without decrypting them.
fn unmacked_protection(auth_safe: &[u8]) -> Option<Pkcs12Protection> {
    let (sequence, _) = read_tlv(auth_safe)?;
    if sequence.tag != TAG_SEQUENCE {
        return None;
    }
    let mut scan = BagScan::default();
    let mut infos = Reader::new(sequence.content);
    while let Some(info) = infos.next() {
        if info.tag != TAG_SEQUENCE {
            return None;
        }
        let mut fields = Reader::new(info.content);
        if fields.expect(TAG_OID)? != OID_PKCS7_DATA {
            // encryptedData, envelopedData or stranger.
            return Some(Pkcs12Protection::Unknown);
        }
        let safe_contents = Reader::new(fields.expect(TAG_CTX0)?).expect(TAG_OCTET_STRING)?;
        scan_bags(safe_contents, 0, &mut scan)?;
    }
    if !infos.is_empty() {
        return None;
    }
    Some(if scan.plain_key && !scan.shrouded_key {
        Pkcs12Protection::OpensWithEmptyPassword
    } else {
        Pkcs12Protection::Unknown
    })
}

#[derive(Default)]
struct BagScan {
    plain_key: bool,
    shrouded_key: bool,
}

fn scan_bags(safe_contents: &[u8], depth: u8, scan: &mut BagScan) -> Option<()> {
    if depth > MAX_BAG_DEPTH {
        return None;
    }
    let (sequence, _) = read_tlv(safe_contents)?;
    if sequence.tag != TAG_SEQUENCE {
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
        if bag_id == OID_PKCS12_KEY_BAG {
            scan.plain_key = true;
        } else if bag_id == OID_PKCS12_SHROUDED_KEY_BAG {
            scan.shrouded_key = true;
        } else if bag_id == OID_PKCS12_SAFE_CONTENTS_BAG {
            scan_bags(value, depth.saturating_add(1), scan)?;
        }
    }
    bags.is_empty().then_some(())
}

/// An encoded length: DER's definite form or BER's indefinite one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Length {
    Definite(usize),
    Indefinite,
}

struct Header {
    tag: u8,
    length: Length,
    header_len: usize,
}

/// Reads a tag and length without requiring the content to be present.
fn read_header(input: &[u8]) -> Option<Header> {
    let tag = *input.first()?;
    // High-tag-number form: none of the structures recognised here use it.
    if tag & 0x1F == 0x1F {
        return None;
    }
    let first = *input.get(1)?;
    if first < 0x80 {
        return Some(Header {
            tag,
            length: Length::Definite(usize::from(first)),
            header_len: 2,
        });
    }
    if first == 0x80 {
        return Some(Header {
            tag,
            length: Length::Indefinite,
            header_len: 2,
        });
    }
    let count = usize::from(first & 0x7F);
    if count > 4 {
        return None;
    }
    let header_len = count.checked_add(2)?;
    let mut length = 0usize;
    for &octet in input.get(2..header_len)? {
        length = length.checked_mul(256)?.checked_add(usize::from(octet))?;
    }
    Some(Header {
        tag,
        length: Length::Definite(length),
        header_len,
    })
}

struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

/// Reads one complete definite-length element, returning it and what follows.
fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let header = read_header(input)?;
    let Length::Definite(length) = header.length else {
        return None;
    };
    let end = header.header_len.checked_add(length)?;
    let content = input.get(header.header_len..end)?;
    let rest = input.get(end..)?;
    Some((
        Tlv {
            tag: header.tag,
            content,
        },
        rest,
    ))
}

/// Walks the elements of a constructed value's content. A malformed element stops
/// the walk and leaves the reader non-empty, so `is_empty` after the walk tells a
/// clean end from a broken one.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(content: &'a [u8]) -> Self {
        Self { rest: content }
    }

    fn next(&mut self) -> Option<Tlv<'a>> {
        let (tlv, rest) = read_tlv(self.rest)?;
        self.rest = rest;
        Some(tlv)
    }

    /// The next element's content, when it carries `tag`.
    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        let tlv = self.next()?;
        (tlv.tag == tag).then_some(tlv.content)
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

/// A non-negative INTEGER that fits in 64 bits, or `None`.
fn small_uint(content: &[u8]) -> Option<u64> {
    let (&first, _) = content.split_first()?;
    if first & 0x80 != 0 {
        return None;
    }
    let significant = match content.iter().position(|&b| b != 0) {
        Some(start) => content.get(start..)?,
        None => &[],
    };
    if significant.len() > 8 {
        return None;
    }
    Some(
        significant
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::path::Path;
    use std::process::Command;
    use std::sync::OnceLock;

    /// Key material made by OpenSSL for this test run; never stored in the tree.
    struct Fixtures {
        pkcs8_rsa: Vec<u8>,
        pkcs8_ec: Vec<u8>,
        pkcs8_ed25519: Vec<u8>,
        sec1: Vec<u8>,
        pkcs1: Vec<u8>,
        enc_pbes2: Vec<u8>,
        enc_pbes2_scrypt: Vec<u8>,
        enc_pkcs12_pbe: Vec<u8>,
        cert: Vec<u8>,
        csr: Vec<u8>,
        spki: Vec<u8>,
        rsa_public: Vec<u8>,
        p12_empty: Vec<u8>,
        p12_password: Vec<u8>,
        p12_unicode: Vec<u8>,
        p12_sha512: Vec<u8>,
        p12_legacy_empty: Vec<u8>,
        p12_legacy_password: Vec<u8>,
        p12_nomac_plain: Vec<u8>,
        p12_nomac_encrypted: Vec<u8>,
    }

    impl Fixtures {
        fn all(&self) -> Vec<&[u8]> {
            vec![
                &self.pkcs8_rsa,
                &self.pkcs8_ec,
                &self.pkcs8_ed25519,
                &self.sec1,
                &self.pkcs1,
                &self.enc_pbes2,
                &self.enc_pbes2_scrypt,
                &self.enc_pkcs12_pbe,
                &self.cert,
                &self.csr,
                &self.spki,
                &self.rsa_public,
                &self.p12_empty,
                &self.p12_password,
                &self.p12_unicode,
                &self.p12_sha512,
                &self.p12_legacy_empty,
                &self.p12_legacy_password,
                &self.p12_nomac_plain,
                &self.p12_nomac_encrypted,
            ]
        }
    }

    fn openssl(dir: &Path, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn build_fixtures() -> Fixtures {
        let temp = tempfile::Builder::new()
            .prefix("csi-der-test-")
            .tempdir()
            .unwrap();
        let d = temp.path();
        for args in [
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:1024",
                "-out",
                "k.pem",
            ][..],
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der",
            ],
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ec.pem",
            ],
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "ec.pem", "-outform", "DER", "-out", "ec.der",
            ],
            &["ec", "-in", "ec.pem", "-outform", "DER", "-out", "sec1.der"],
            &[
                "genpkey",
                "-algorithm",
                "ED25519",
                "-outform",
                "DER",
                "-out",
                "ed.der",
            ],
            &[
                "rsa",
                "-in",
                "k.pem",
                "-traditional",
                "-outform",
                "DER",
                "-out",
                "pkcs1.der",
            ],
            &[
                "pkcs8",
                "-topk8",
                "-in",
                "k.pem",
                "-outform",
                "DER",
                "-v2",
                "aes-256-cbc",
                "-passout",
                "pass:secret",
                "-out",
                "enc.der",
            ],
            &[
                "pkcs8",
                "-topk8",
                "-in",
                "k.pem",
                "-outform",
                "DER",
                "-scrypt",
                "-passout",
                "pass:secret",
                "-out",
                "enc-scrypt.der",
            ],
            &[
                "pkcs8",
                "-topk8",
                "-in",
                "k.pem",
                "-outform",
                "DER",
                "-v1",
                "PBE-SHA1-3DES",
                "-passout",
                "pass:secret",
                "-out",
                "enc-v1.der",
            ],
            &[
                "req", "-x509", "-new", "-key", "k.pem", "-subj", "/CN=t", "-days", "1", "-out",
                "cert.pem",
            ],
            &[
                "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
            ],
            &[
                "req", "-new", "-key", "k.pem", "-subj", "/CN=t", "-outform", "DER", "-out",
                "csr.der",
            ],
            &[
                "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
            ],
            &[
                "rsa",
                "-in",
                "k.pem",
                "-RSAPublicKey_out",
                "-outform",
                "DER",
                "-out",
                "rsapub.der",
            ],
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:",
                "-out",
                "empty.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:Secret-1",
                "-out",
                "pw.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:P\u{e4}ssw\u{f6}rd-\u{20ac}",
                "-out",
                "unicode.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-macalg",
                "sha512",
                "-passout",
                "pass:Secret-1",
                "-out",
                "sha512.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-legacy",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:",
                "-out",
                "legacy-empty.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-legacy",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:Secret-1",
                "-out",
                "legacy-pw.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-nomac",
                "-keypbe",
                "NONE",
                "-certpbe",
                "NONE",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:",
                "-out",
                "nomac.p12",
            ],
            &[
                "pkcs12",
                "-export",
                "-nomac",
                "-inkey",
                "k.pem",
                "-in",
                "cert.pem",
                "-passout",
                "pass:Secret-1",
                "-out",
                "nomac-enc.p12",
            ],
        ] {
            openssl(d, args);
        }
        let read = |name: &str| std::fs::read(d.join(name)).unwrap();
        Fixtures {
            pkcs8_rsa: read("k.der"),
            pkcs8_ec: read("ec.der"),
            pkcs8_ed25519: read("ed.der"),
            sec1: read("sec1.der"),
            pkcs1: read("pkcs1.der"),
            enc_pbes2: read("enc.der"),
            enc_pbes2_scrypt: read("enc-scrypt.der"),
            enc_pkcs12_pbe: read("enc-v1.der"),
            cert: read("cert.der"),
            csr: read("csr.der"),
            spki: read("pub.der"),
            rsa_public: read("rsapub.der"),
            p12_empty: read("empty.p12"),
            p12_password: read("pw.p12"),
            p12_unicode: read("unicode.p12"),
            p12_sha512: read("sha512.p12"),
            p12_legacy_empty: read("legacy-empty.p12"),
            p12_legacy_password: read("legacy-pw.p12"),
            p12_nomac_plain: read("nomac.p12"),
            p12_nomac_encrypted: read("nomac-enc.p12"),
        }
    }

    /// The fixtures, or `None` (after a visible SKIPPED line) when `openssl` is
    /// missing outside CI. Built once and shared, since key generation is slow.
    fn fixtures(test: &str) -> Option<&'static Fixtures> {
        static FIXTURES: OnceLock<Option<Fixtures>> = OnceLock::new();
        let built = FIXTURES.get_or_init(|| {
            let have = Command::new("openssl")
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success());
            have.then(build_fixtures)
        });
        if built.is_none() {
            assert!(
                std::env::var_os("CI").is_none_or(|v| v != "true"),
                "openssl is not installed; under CI this cannot be skipped"
            );
            let line = format!("SKIPPED {test}: openssl is not installed\n");
            let _ = std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes());
        }
        built.as_ref()
    }

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(u8::try_from(len).unwrap());
        } else {
            let bytes = u32::try_from(len).unwrap().to_be_bytes();
            let skip = bytes.iter().take_while(|&&b| b == 0).count();
            out.push(0x80 | u8::try_from(4 - skip).unwrap());
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(TAG_SEQUENCE, &parts.concat())
    }

    /// A PFX around `auth_safe` with the given MAC fields, for shapes OpenSSL 3.0
    /// cannot write.
    fn crafted_pfx(auth_safe: &[u8], mac_oid: &[u8], digest: &[u8], iterations: &[u8]) -> Vec<u8> {
        let content_info = seq(&[
            &tlv(TAG_OID, OID_PKCS7_DATA),
            &tlv(TAG_CTX0, &tlv(TAG_OCTET_STRING, auth_safe)),
        ]);
        let mac = seq(&[
            &seq(&[
                &seq(&[&tlv(TAG_OID, mac_oid), &[0x05, 0x00]]),
                &tlv(TAG_OCTET_STRING, digest),
            ]),
            &tlv(TAG_OCTET_STRING, b"saltsalt"),
            &tlv(TAG_INTEGER, iterations),
        ]);
        seq(&[&tlv(TAG_INTEGER, &[3]), &content_info, &mac])
    }

    #[test]
    fn unencrypted_keys_are_recognised() {
        let Some(f) = fixtures("unencrypted_keys_are_recognised") else {
            return;
        };
        assert_eq!(classify_der(&f.pkcs8_rsa), Some(DerKey::Pkcs8));
        assert_eq!(classify_der(&f.pkcs8_ec), Some(DerKey::Pkcs8));
        assert_eq!(classify_der(&f.pkcs8_ed25519), Some(DerKey::Pkcs8));
        assert_eq!(classify_der(&f.sec1), Some(DerKey::Sec1Ec));
        assert_eq!(classify_der(&f.pkcs1), Some(DerKey::Pkcs1Rsa));
    }

    #[test]
    fn encrypted_pkcs8_is_recognised() {
        let Some(f) = fixtures("encrypted_pkcs8_is_recognised") else {
            return;
        };
        for key in [&f.enc_pbes2, &f.enc_pbes2_scrypt, &f.enc_pkcs12_pbe] {
            assert_eq!(classify_der(key), Some(DerKey::Pkcs8Encrypted));
        }
    }

    #[test]
    fn public_material_is_not_a_key() {
        let Some(f) = fixtures("public_material_is_not_a_key") else {
            return;
        };
        for (name, bytes) in [
            ("cert", &f.cert),
            ("csr", &f.csr),
            ("spki", &f.spki),
            ("rsa public", &f.rsa_public),
        ] {
            assert_eq!(classify_der(bytes), None, "{name}");
            assert!(looks_like_der(bytes), "{name}");
        }
        assert_eq!(classify_der(b"-----BEGIN PRIVATE KEY-----\n"), None);
        assert_eq!(classify_der(&[]), None);
        // A SEQUENCE of two INTEGERs (an ECDSA signature, DH parameters).
        let pair = seq(&[&tlv(TAG_INTEGER, &[1]), &tlv(TAG_INTEGER, &[5])]);
        assert_eq!(classify_der(&pair), None);
    }

    #[test]
    fn pkcs12_with_empty_password_opens() {
        let Some(f) = fixtures("pkcs12_with_empty_password_opens") else {
            return;
        };
        for p12 in [&f.p12_empty, &f.p12_legacy_empty] {
            assert_eq!(
                classify_der(p12),
                Some(DerKey::Pkcs12(Pkcs12Protection::OpensWithEmptyPassword))
            );
            assert_eq!(pkcs12_mac_verifies(p12, ""), Ok(true));
            assert_eq!(pkcs12_mac_verifies(p12, "x"), Ok(false));
        }
    }

    #[test]
    fn pkcs12_with_password_needs_it() {
        let Some(f) = fixtures("pkcs12_with_password_needs_it") else {
            return;
        };
        for p12 in [&f.p12_password, &f.p12_sha512, &f.p12_legacy_password] {
            assert_eq!(
                classify_der(p12),
                Some(DerKey::Pkcs12(Pkcs12Protection::NeedsPassword))
            );
            assert_eq!(pkcs12_mac_verifies(p12, "Secret-1"), Ok(true));
            assert_eq!(pkcs12_mac_verifies(p12, "wrong"), Ok(false));
            assert_eq!(pkcs12_mac_verifies(p12, ""), Ok(false));
        }
        assert_eq!(
            pkcs12_mac_verifies(&f.p12_unicode, "P\u{e4}ssw\u{f6}rd-\u{20ac}"),
            Ok(true)
        );
        assert_eq!(pkcs12_mac_verifies(&f.p12_unicode, "Passwort"), Ok(false));
    }

    #[test]
    fn pkcs12_without_mac() {
        let Some(f) = fixtures("pkcs12_without_mac") else {
            return;
        };
        assert_eq!(
            classify_der(&f.p12_nomac_plain),
            Some(DerKey::Pkcs12(Pkcs12Protection::OpensWithEmptyPassword))
        );
        assert_eq!(
            classify_der(&f.p12_nomac_encrypted),
            Some(DerKey::Pkcs12(Pkcs12Protection::Unknown))
        );
        assert_eq!(pkcs12_mac_verifies(&f.p12_nomac_plain, ""), Err(()));
        assert_eq!(pkcs12_mac_verifies(&f.p12_nomac_encrypted, ""), Err(()));
    }

    #[test]
    fn pkcs12_ber_and_truncated_are_unknown() {
        let Some(f) = fixtures("pkcs12_ber_and_truncated_are_unknown") else {
            return;
        };
        let (outer, _) = read_tlv(&f.p12_empty).unwrap();
        let mut ber = vec![TAG_SEQUENCE, 0x80];
        ber.extend_from_slice(outer.content);
        ber.extend_from_slice(&[0, 0]);
        let unknown = Some(DerKey::Pkcs12(Pkcs12Protection::Unknown));
        assert_eq!(classify_der(&ber), unknown);
        assert_eq!(pkcs12_mac_verifies(&ber, ""), Err(()));
        // Cut short, as a large file seen through the 64 KiB prefix would be.
        let half = f.p12_password.len() / 2;
        assert_eq!(classify_der(&f.p12_password[..half]), unknown);
        // Fully indefinite, as some Java and Windows writers produce.
        let mut nested = vec![TAG_SEQUENCE, 0x80, TAG_INTEGER, 1, 3, TAG_SEQUENCE, 0x80];
        nested.extend_from_slice(&tlv(TAG_OID, OID_PKCS7_DATA));
        nested.extend_from_slice(&[TAG_CTX0, 0x80, 0x24, 0x80, 0x04, 1, 0x30, 0, 0, 0, 0, 0]);
        assert_eq!(classify_der(&nested), unknown);
    }

    #[test]
    fn unsupported_or_hostile_macs_are_unknown() {
        let auth_safe = seq(&[]);
        let pbmac1 = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0E];
        let unknown = Some(DerKey::Pkcs12(Pkcs12Protection::Unknown));
        let cases = [
            crafted_pfx(&auth_safe, &pbmac1, &[0; 32], &[8, 0]),
            // MD5, which PKCS#12 allows and nobody should use.
            crafted_pfx(
                &auth_safe,
                &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x05],
                &[0; 16],
                &[8, 0],
            ),
            crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x01, 0, 0, 0, 0, 0]),
            crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0]),
            crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x80]),
            crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x7F; 9]),
            crafted_pfx(&auth_safe, OID_SHA1, &[0; 19], &[1]),
        ];
        for pfx in &cases {
            assert_eq!(classify_der(pfx), unknown);
            assert_eq!(pkcs12_mac_verifies(pfx, ""), Err(()));
        }
        // Well-formed with a MAC that matches nothing: needs a password.
        let sha1 = crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[1]);
        assert_eq!(
            classify_der(&sha1),
            Some(DerKey::Pkcs12(Pkcs12Protection::NeedsPassword))
        );
    }

    #[test]
    fn kdf_matches_published_vector() {
        // The ID-3 vector of Bouncy Castle's PKCS12 KDF tests: "smeg", one round.
        let smeg: Vec<u8> = "smeg"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .chain([0, 0])
            .collect();
        let salt = [0x3D, 0x83, 0xC0, 0xE4, 0x54, 0x6A, 0xC1, 0x40];
        let key = pkcs12_mac_key::<sha1::Sha1>(&smeg, &salt, 1);
        let expected = [
            0x8D, 0x96, 0x7D, 0x88, 0xF6, 0xCA, 0xA9, 0xD7, 0x14, 0x80, 0x0A, 0xB3, 0xD4, 0x80,
            0x51, 0xD6, 0x3F, 0x73, 0xA3, 0x12,
        ];
        assert_eq!(key.as_slice(), expected);
        // Trying both empty-password forms is only worth it if they differ.
        let a = pkcs12_mac_key::<sha1::Sha1>(&[0, 0], b"salt", 2);
        let b = pkcs12_mac_key::<sha1::Sha1>(&[], b"salt", 2);
        assert_ne!(a, b);
    }

    #[test]
    fn unmacked_bags_decide() {
        let bag = |id: &[u8]| seq(&[&tlv(TAG_OID, id), &tlv(TAG_CTX0, &seq(&[]))]);
        let pfx_of = |bags: &[&[u8]], outer_type: &[u8]| {
            let auth_safe = seq(&[&seq(&[
                &tlv(TAG_OID, outer_type),
                &tlv(TAG_CTX0, &tlv(TAG_OCTET_STRING, &seq(bags))),
            ])]);
            seq(&[
                &tlv(TAG_INTEGER, &[3]),
                &seq(&[
                    &tlv(TAG_OID, OID_PKCS7_DATA),
                    &tlv(TAG_CTX0, &tlv(TAG_OCTET_STRING, &auth_safe)),
                ]),
            ])
        };
        let encrypted_data = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06];
        let plain = bag(OID_PKCS12_KEY_BAG);
        let shrouded = bag(OID_PKCS12_SHROUDED_KEY_BAG);
        let nested = seq(&[
            &tlv(TAG_OID, OID_PKCS12_SAFE_CONTENTS_BAG),
            &tlv(TAG_CTX0, &seq(&[&plain])),
        ]);
        type Case<'a> = (&'a [&'a [u8]], &'a [u8], Pkcs12Protection);
        let cases: &[Case<'_>] = &[
            (
                &[&plain],
                OID_PKCS7_DATA,
                Pkcs12Protection::OpensWithEmptyPassword,
            ),
            (
                &[&nested],
                OID_PKCS7_DATA,
                Pkcs12Protection::OpensWithEmptyPassword,
            ),
            (
                &[&plain, &shrouded],
                OID_PKCS7_DATA,
                Pkcs12Protection::Unknown,
            ),
            (&[], OID_PKCS7_DATA, Pkcs12Protection::Unknown),
            (&[&plain], &encrypted_data, Pkcs12Protection::Unknown),
        ];
        for (bags, outer_type, expected) in cases {
            assert_eq!(
                classify_der(&pfx_of(bags, outer_type)),
                Some(DerKey::Pkcs12(*expected))
            );
        }
    }

    #[test]
    fn prefilter() {
        assert!(looks_like_der(&[0x30, 0x82, 0x01, 0x00]));
        assert!(looks_like_der(&[0x30, 0x80]));
        assert!(looks_like_der(&[0x30, 0x10]));
        assert!(!looks_like_der(&[0x30, 0x82, 0x01]));
        assert!(!looks_like_der(&[0x30, 0x85, 0, 0, 0, 0, 0]));
        assert!(!looks_like_der(&[0x30]));
        assert!(!looks_like_der(b"-----BEGIN"));
        assert!(!looks_like_der(&[]));
    }

    /// A small deterministic generator, so a failure reproduces.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn never_panics_on_truncated_or_mutated_input() {
        let Some(f) = fixtures("never_panics_on_truncated_or_mutated_input") else {
            return;
        };
        for fixture in f.all() {
            for end in 0..=fixture.len() {
                let prefix = &fixture[..end];
                let _ = classify_der(prefix);
                let _ = looks_like_der(prefix);
                let _ = pkcs12_mac_verifies(prefix, "");
            }
            // Mutations in the headers, where length and tag handling live. A
            // PKCS#12 that still parses runs the KDF, slow in a debug build, so
            // its mutations stay within the outer headers and ContentInfo OID.
            let reach = if classify_pfx(fixture).is_some() {
                24
            } else {
                64
            };
            let mut copy = fixture.to_vec();
            for i in 0..fixture.len().min(reach) {
                for value in [0x00, 0x30, 0x80, 0x84, 0xFF] {
                    let original = copy[i];
                    copy[i] = value;
                    let _ = classify_der(&copy);
                    copy[i] = original;
                }
            }
        }
    }

    #[test]
    fn never_panics_on_random_or_deeply_nested_input() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut buf = Vec::new();
        for round in 0..20_000 {
            buf.clear();
            let len = usize::try_from(xorshift(&mut state) % 200).unwrap();
            for _ in 0..len {
                buf.push(xorshift(&mut state).to_le_bytes()[0]);
            }
            // Steer half of them past the first check.
            if round % 2 == 0 && !buf.is_empty() {
                buf[0] = TAG_SEQUENCE;
            }
            let _ = classify_der(&buf);
            let _ = pkcs12_mac_verifies(&buf, "");
            let _ = looks_like_der(&buf);
        }
        let deep: Vec<u8> = [TAG_SEQUENCE, 0x80].repeat(32 * 1024);
        assert_eq!(classify_der(&deep), None);
        let huge = [TAG_SEQUENCE, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x03];
        assert_eq!(classify_der(&huge), None);
        // Nested safeContentsBags beyond the depth bound.
        let key_bag = seq(&[&tlv(TAG_OID, OID_PKCS12_KEY_BAG), &tlv(TAG_CTX0, &[])]);
        let mut contents = seq(&[&key_bag]);
        for _ in 0..20 {
            let bag = seq(&[
                &tlv(TAG_OID, OID_PKCS12_SAFE_CONTENTS_BAG),
                &tlv(TAG_CTX0, &contents),
            ]);
            contents = seq(&[&bag]);
        }
        let auth_safe = seq(&[&seq(&[
            &tlv(TAG_OID, OID_PKCS7_DATA),
            &tlv(TAG_CTX0, &tlv(TAG_OCTET_STRING, &contents)),
        ])]);
        let pfx = seq(&[
            &tlv(TAG_INTEGER, &[3]),
            &seq(&[
                &tlv(TAG_OID, OID_PKCS7_DATA),
                &tlv(TAG_CTX0, &tlv(TAG_OCTET_STRING, &auth_safe)),
            ]),
        ]);
        assert_eq!(
            classify_der(&pfx),
            Some(DerKey::Pkcs12(Pkcs12Protection::Unknown))
        );
    }
}
