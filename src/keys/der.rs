//! Binary (DER) private keys carry no text label, so they can only be recognised by
//! their ASN.1 structure, and only told apart from the far more common certificates
//! and public keys by reading that structure closely. The same reading decides
//! whether the body of a PEM block is the key its label promises. PKCS#12 files
//! have their own module (`pkcs12`). Every byte read here comes from a file in
//! somebody's home directory, so the reader checks every length and never recurses
//! without a bound.

/// What a DER-encoded file holds, when it holds private key material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerKey {
    /// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (version 0 or 1): unencrypted.
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo`: encrypted, unless it opens with the empty
    /// password (see [`encrypted_pkcs8_parts`]).
    Pkcs8Encrypted,
    /// PKCS#1 `RSAPrivateKey` (version 0 then the modulus...): unencrypted.
    Pkcs1Rsa,
    /// SEC1 `ECPrivateKey` (version 1, then an OCTET STRING): unencrypted.
    Sec1Ec,
    /// OpenSSL's DSA private key: version 0 then p, q, g, y and x: unencrypted.
    Dsa,
}

pub(super) const TAG_INTEGER: u8 = 0x02;
pub(super) const TAG_OCTET_STRING: u8 = 0x04;
pub(super) const TAG_OID: u8 = 0x06;
pub(super) const TAG_SEQUENCE: u8 = 0x30;
pub(super) const TAG_SET: u8 = 0x31;
/// `[0]` constructed, as EXPLICIT tagging and `OneAsymmetricKey` attributes use it.
pub(super) const TAG_CTX0: u8 = 0xA0;
/// `[1]` constructed.
const TAG_CTX1: u8 = 0xA1;
/// `[1]` primitive: `OneAsymmetricKey`'s IMPLICIT BIT STRING public key.
const TAG_CTX1_PRIMITIVE: u8 = 0x81;

/// 1.2.840.113549.1.5: PKCS#5, home of PBES1, PBES2 and PBMAC1.
const OID_PKCS5_ARC: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05];
/// 1.2.840.113549.1.12.1: PKCS#12's own password-based encryption schemes.
const OID_PKCS12_PBE_ARC: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01];

/// Classifies the first bytes of a file. `None` when it is not DER private key
/// material (an X.509 certificate, a public key `SubjectPublicKeyInfo`, random
/// binary, text, or PKCS#12, which `pkcs12` reads).
pub fn classify_der(bytes: &[u8]) -> Option<DerKey> {
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
        TAG_SEQUENCE => encrypted_pkcs8_parts(bytes).map(|_| DerKey::Pkcs8Encrypted),
        _ => None,
    }
}

/// An `EncryptedPrivateKeyInfo`'s algorithm (the AlgorithmIdentifier's content)
/// and ciphertext, for trying the empty password.
pub fn encrypted_pkcs8_parts(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (outer, _trailing) = read_tlv(bytes)?;
    if outer.tag != TAG_SEQUENCE {
        return None;
    }
    let mut fields = Reader::new(outer.content);
    let algorithm = fields.expect(TAG_SEQUENCE)?;
    if !is_pbe_oid(Reader::new(algorithm).expect(TAG_OID)?) {
        return None;
    }
    let ciphertext = fields.expect(TAG_OCTET_STRING)?;
    (!ciphertext.is_empty() && fields.is_empty()).then_some((algorithm, ciphertext))
}

/// `SEQUENCE { SEQUENCE { OID, … }, OCTET STRING }`: the shape of an
/// EncryptedPrivateKeyInfo whatever its algorithm, for a body under the
/// `ENCRYPTED PRIVATE KEY` label.
pub fn is_encrypted_shape(bytes: &[u8]) -> bool {
    let shape = || {
        let (outer, _) = read_tlv(bytes)?;
        let mut fields = Reader::new(outer.content);
        Reader::new(fields.expect(TAG_SEQUENCE)?).expect(TAG_OID)?;
        let ciphertext = fields.expect(TAG_OCTET_STRING)?;
        Some(outer.tag == TAG_SEQUENCE && !ciphertext.is_empty() && fields.is_empty())
    };
    shape() == Some(true)
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

/// The SEQUENCE opened with a small INTEGER: a version, telling PKCS#8, SEC1,
/// PKCS#1 and DSA apart together with the type of the fields that follow it.
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
            // RSA: n (read) then e, d, p, q, dP, dQ, qInv; DSA (version 0): p (read)
            // then q, g, y, x. A signature or DH parameters have fewer.
            let mut integers = 1;
            let mut other_primes = false;
            while let Some(field) = fields.next() {
                match field.tag {
                    TAG_INTEGER if !other_primes => integers += 1,
                    TAG_SEQUENCE if version == 1 && integers == 8 && !other_primes => {
                        other_primes = true
                    }
                    _ => return None,
                }
            }
            if !fields.is_empty() {
                return None;
            }
            match (version, integers, other_primes) {
                (0, 8, false) | (1, 8, true) => Some(DerKey::Pkcs1Rsa),
                (0, 5, false) => Some(DerKey::Dsa),
                _ => None,
            }
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

/// One definite-length element: its tag and content.
pub(super) struct Tlv<'a> {
    pub(super) tag: u8,
    pub(super) content: &'a [u8],
}

/// Reads one complete definite-length element, returning it and what follows. BER
/// input is first rewritten by `ber::to_der`.
pub(super) fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let head = super::ber::head(input)?;
    let length = head.length?;
    let end = head.len.checked_add(length)?;
    let content = input.get(head.len..end)?;
    let rest = input.get(end..)?;
    Some((
        Tlv {
            tag: head.tag,
            content,
        },
        rest,
    ))
}

/// Walks the elements of a constructed value's content. A malformed element stops
/// the walk and leaves the reader non-empty, so `is_empty` after the walk tells a
/// clean end from a broken one.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(content: &'a [u8]) -> Self {
        Self { rest: content }
    }

    pub(super) fn next(&mut self) -> Option<Tlv<'a>> {
        let (tlv, rest) = read_tlv(self.rest)?;
        self.rest = rest;
        Some(tlv)
    }

    /// The next element's content, when it carries `tag`.
    pub(super) fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        let tlv = self.next()?;
        (tlv.tag == tag).then_some(tlv.content)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// What is left, unread.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

/// A non-negative INTEGER that fits in 64 bits, or `None`.
pub(super) fn small_uint(content: &[u8]) -> Option<u64> {
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
#[path = "der_tests.rs"]
mod tests;
