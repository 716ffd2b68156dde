//! OpenPGP secret keys, in GnuPG 1.x's `secring.gpg` and in exported
//! `-----BEGIN PGP PRIVATE KEY BLOCK-----` files, say whether their secret is
//! protected in one octet (the S2K usage) that sits after the public key material,
//! so finding it means walking the packet and the algorithm's public fields.
//! GnuPG's exports of subkeys only, or of keys on a smart card, carry stubs with no
//! secret at all, which must not be reported as exposed keys. All input is a
//! file's untrusted prefix: every length is checked and nothing recurses.

use base64ct::{Base64, Encoding};

/// How the secret key packets in a keyring or export protect their secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgpProtection {
    /// Every secret key packet's secret material is encrypted (S2K usage octet 253, 254 or 255, or another non-zero value meaning a legacy symmetric algorithm).
    Encrypted,
    /// At least one secret (sub)key packet holds its secret material in the clear (S2K usage octet 0).
    Unencrypted,
    /// Only stubs: GnuPG's gnu-dummy S2K (usage 254/255 with S2K specifier 101 and "GNU" marker, mode 1 = no secret, mode 2 = on a smart card) — no secret on disk.
    StubOnly,
    /// Secret key packets found but their protection could not be read (unknown version/algorithm, truncated).
    Unknown,
}

/// The armor lines of a secret key block: OpenPGP's, and PGP 2.x's older name.
const ARMOR_BEGIN: [&[u8]; 2] = [
    b"-----BEGIN PGP PRIVATE KEY BLOCK-----",
    b"-----BEGIN PGP SECRET KEY BLOCK-----",
];
const TAG_SECRET_KEY: u8 = 5;
const TAG_SECRET_SUBKEY: u8 = 7;

/// GnuPG's private S2K type (RFC 4880 reserves 100–110 for such extensions).
const S2K_GNU: u8 = 101;

/// Decodes an ASCII-armored block's base64 body (after the armor header lines and the empty line that ends them; stops at the `=XXXX` CRC-24 line or the `-----END` line; tolerates CRLF). Returns the binary packets, or None when malformed. Input is the whole text, with its `-----BEGIN PGP PRIVATE KEY BLOCK-----` (or PGP 2.x's `SECRET KEY BLOCK`) line.
pub fn dearmor(text: &[u8]) -> Option<Vec<u8>> {
    let mut lines = text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii);
    lines.find(|line| ARMOR_BEGIN.contains(line))?;
    let mut body = Vec::new();
    let mut in_headers = true;
    let mut complete = false;
    for line in lines {
        if line.starts_with(b"-----") {
            complete = true;
            break;
        }
        if in_headers {
            if line.is_empty() {
                in_headers = false;
                continue;
            }
            // Base64 never holds a colon, so a writer that left out the blank
            // line is still read correctly.
            if line.contains(&b':') {
                continue;
            }
            in_headers = false;
        }
        if line.is_empty() {
            continue;
        }
        // The checksum line `=XXXX` follows a body that ends on a whole group; a
        // leading `=` anywhere else is malformed and base64 decoding rejects it.
        if line.first() == Some(&b'=') && body.len() % 4 == 0 {
            complete = true;
            break;
        }
        if !line
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return None;
        }
        body.extend_from_slice(line);
    }
    if !complete {
        // Only a prefix of the file is read, so a long block may be cut short:
        // the whole groups still decode to the packets that matter, which come first.
        body.truncate(body.len() - body.len() % 4);
    }
    let mut out = vec![0u8; body.len() / 4 * 3];
    let len = Base64::decode(&body, &mut out).ok()?.len();
    out.truncate(len);
    (!out.is_empty()).then_some(out)
}

/// Reads OpenPGP packets (old and new packet formats, all length encodings; partial body lengths may be treated as "stop, Unknown") and judges the secret key (tag 5) and secret subkey (tag 7) packets. None when there is no secret key packet in what could be read.
pub fn secret_key_protection(packets: &[u8]) -> Option<PgpProtection> {
    let mut verdict: Option<PgpProtection> = None;
    let mut rest = packets;
    while let Some(header) = packet_header(rest) {
        let is_secret = matches!(header.tag, TAG_SECRET_KEY | TAG_SECRET_SUBKEY);
        let Some(after_header) = rest.get(header.header_len..) else {
            break;
        };
        let (body, next) = match header.length {
            BodyLength::Exact(len) => match (after_header.get(..len), after_header.get(len..)) {
                (Some(body), Some(next)) => (body, Some(next)),
                // Cut short by the prefix: judge what there is, then stop.
                _ => (after_header, None),
            },
            BodyLength::ToEnd => (after_header, None),
            // Key packets may not use partial lengths, and skipping the chunks of
            // a data packet is not worth it in a key file.
            BodyLength::Partial => {
                if is_secret {
                    verdict = Some(combine(verdict, PgpProtection::Unknown));
                }
                break;
            }
        };
        if is_secret {
            verdict = Some(combine(verdict, judge_packet(body)));
        }
        match next {
            Some(next) if !next.is_empty() => rest = next,
            _ => break,
        }
    }
    verdict
}

/// A cheap test on the first bytes: a plausible packet header for tag 5 (secret key) — old format 0x94..=0x97 or new format 0xC5.
pub fn looks_like_secret_key_packet(bytes: &[u8]) -> bool {
    if !matches!(bytes.first(), Some(0x94..=0x97 | 0xC5)) {
        return false;
    }
    match packet_header(bytes) {
        Some(PacketHeader {
            length: BodyLength::Exact(_) | BodyLength::ToEnd,
            header_len,
            ..
        }) => matches!(bytes.get(header_len), Some(2..=6)),
        _ => false,
    }
}

/// The one answer for several packets: any secret in the clear exposes the key;
/// one unreadable packet might be that, so it outweighs encrypted ones; stubs hold
/// nothing and only count when there is nothing else.
/// Whether binary data is shaped like a secret key file rather than random bytes that
/// happen to start with a secret-key packet header: one in a few hundred random
/// buffers does, and a home is full of compressed data. The first packet must be a
/// whole secret key packet of a known version, created between 1995 and a year from
/// now, and be followed by a packet that follows keys (user ID or attribute,
/// signature, trust, or a secret subkey).
pub fn is_plausible_key_file(bytes: &[u8]) -> bool {
    let Some(first) = packet_header(bytes) else {
        return false;
    };
    let BodyLength::Exact(len) = first.length else {
        return false;
    };
    if first.tag != TAG_SECRET_KEY {
        return false;
    }
    let Some(end) = first.header_len.checked_add(len) else {
        return false;
    };
    let Some(body) = bytes.get(first.header_len..end) else {
        return false;
    };
    let (Some(&version), Some(time)) = (body.first(), body.get(1..5)) else {
        return false;
    };
    let Ok(time) = <[u8; 4]>::try_from(time) else {
        return false;
    };
    let created = u64::from(u32::from_be_bytes(time));
    // A plausibility bound for recognising a packet, not a judgement of the key:
    // the clock is read here rather than handed down.
    let now = u64::try_from(crate::time::now()).unwrap_or(u64::MAX);
    if !(2..=6).contains(&version)
        || created < 788_918_400
        || created > now.saturating_add(31_536_000)
    {
        return false;
    }
    let Some(rest) = bytes.get(end..) else {
        return false;
    };
    packet_header(rest).is_some_and(|next| matches!(next.tag, 2 | 7 | 12 | 13 | 17))
}

fn combine(so_far: Option<PgpProtection>, next: PgpProtection) -> PgpProtection {
    fn weight(p: PgpProtection) -> u8 {
        match p {
            PgpProtection::StubOnly => 0,
            PgpProtection::Encrypted => 1,
            PgpProtection::Unknown => 2,
            PgpProtection::Unencrypted => 3,
        }
    }
    match so_far {
        Some(previous) if weight(previous) >= weight(next) => previous,
        _ => next,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyLength {
    Exact(usize),
    /// Old format length type 3: the packet runs to the end of the data.
    ToEnd,
    Partial,
}

struct PacketHeader {
    tag: u8,
    header_len: usize,
    length: BodyLength,
}

/// RFC 4880 §4.2: old-format (tag in bits 5–2, length type in bits 1–0) and
/// new-format (tag in bits 5–0, variable-length length) headers.
fn packet_header(bytes: &[u8]) -> Option<PacketHeader> {
    let first = *bytes.first()?;
    if first & 0x80 == 0 {
        return None;
    }
    let (tag, header_len, length) = if first & 0x40 != 0 {
        let octet = *bytes.get(1)?;
        match octet {
            0..=191 => (first & 0x3F, 2, BodyLength::Exact(usize::from(octet))),
            192..=223 => {
                let second = usize::from(*bytes.get(2)?);
                let len = (usize::from(octet) - 192) * 256 + second + 192;
                (first & 0x3F, 3, BodyLength::Exact(len))
            }
            255 => (
                first & 0x3F,
                6,
                BodyLength::Exact(be_len(bytes.get(2..6)?)?),
            ),
            _ => (first & 0x3F, 2, BodyLength::Partial),
        }
    } else {
        let tag = (first >> 2) & 0x0F;
        match first & 0x03 {
            0 => (tag, 2, BodyLength::Exact(usize::from(*bytes.get(1)?))),
            1 => (tag, 3, BodyLength::Exact(be_len(bytes.get(1..3)?)?)),
            2 => (tag, 5, BodyLength::Exact(be_len(bytes.get(1..5)?)?)),
            _ => (tag, 1, BodyLength::ToEnd),
        }
    };
    // Tag 0 is reserved and never written: treat it as not OpenPGP at all.
    (tag != 0).then_some(PacketHeader {
        tag,
        header_len,
        length,
    })
}

fn be_len(octets: &[u8]) -> Option<usize> {
    octets.iter().try_fold(0usize, |acc, &b| {
        acc.checked_mul(256)?.checked_add(usize::from(b))
    })
}

fn judge_packet(body: &[u8]) -> PgpProtection {
    read_protection(&mut Cursor { rest: body }).unwrap_or(PgpProtection::Unknown)
}

/// Walks to the S2K usage octet of a Secret-Key packet (RFC 4880 §5.5.3 for v3 and
/// v4, LibrePGP for v5, RFC 9580 §5.5.3 for v6) and reads what it says.
fn read_protection(packet: &mut Cursor<'_>) -> Option<PgpProtection> {
    let version = packet.byte()?;
    match version {
        // v2/v3: creation time, validity days, algorithm, and RSA only.
        2 | 3 => {
            packet.skip(6)?;
            if !matches!(packet.byte()?, 1..=3) {
                return None;
            }
            packet.mpi()?;
            packet.mpi()?;
            Some(match packet.byte()? {
                0 => PgpProtection::Unencrypted,
                _ => PgpProtection::Encrypted,
            })
        }
        4 => {
            packet.skip(4)?;
            let algorithm = packet.byte()?;
            skip_public_v4(packet, algorithm)?;
            match packet.byte()? {
                0 => Some(PgpProtection::Unencrypted),
                usage @ 253..=255 => s2k_protection(packet, usage, false),
                // A legacy symmetric algorithm identifier, with an MD5-derived key.
                _ => Some(PgpProtection::Encrypted),
            }
        }
        // v5 and v6 state the public key material's length, so its algorithm
        // need not be known to step over it.
        5 | 6 => {
            packet.skip(4)?;
            packet.byte()?;
            let public_len = be_len(packet.take(4)?)?;
            packet.skip(public_len)?;
            match packet.byte()? {
                0 => Some(PgpProtection::Unencrypted),
                usage @ 253..=255 => {
                    let count = usize::from(packet.byte()?);
                    let mut fields = Cursor {
                        rest: packet.take(count)?,
                    };
                    s2k_protection(&mut fields, usage, version == 6)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The public key fields of a v4 key, by algorithm (RFC 4880 §5.5.2, RFC 6637,
/// RFC 9580 §5.5.5).
fn skip_public_v4(packet: &mut Cursor<'_>, algorithm: u8) -> Option<()> {
    match algorithm {
        // RSA: n, e.
        1..=3 => packet.mpis(2),
        // Elgamal: p, g, y.
        16 | 20 => packet.mpis(3),
        // DSA: p, q, g, y.
        17 => packet.mpis(4),
        // ECDH: curve OID, point, KDF parameters.
        18 => {
            packet.curve_oid()?;
            packet.mpi()?;
            let kdf_len = usize::from(packet.byte()?);
            packet.skip(kdf_len)
        }
        // ECDSA, EdDSA (legacy): curve OID, point.
        19 | 22 => {
            packet.curve_oid()?;
            packet.mpi()
        }
        // X25519, X448, Ed25519, Ed448: fixed-size native keys.
        25 => packet.skip(32),
        26 => packet.skip(56),
        27 => packet.skip(32),
        28 => packet.skip(57),
        _ => None,
    }
}

/// After a usage octet of 253–255: symmetric algorithm, AEAD algorithm (253 only),
/// in v6 a length octet before the S2K specifier (253 and 254), then the specifier.
/// GnuPG's specifier 101 carries a hash octet, "GNU" and a mode: 1 for a key
/// with no secret (exported subkeys only), 2 for one held on a smart card.
fn s2k_protection(fields: &mut Cursor<'_>, usage: u8, v6: bool) -> Option<PgpProtection> {
    fields.byte()?;
    if usage == 253 {
        fields.byte()?;
    }
    if v6 && matches!(usage, 253 | 254) {
        fields.byte()?;
    }
    match fields.byte()? {
        // Simple, salted, iterated and salted, Argon2.
        0 | 1 | 3 | 4 => Some(PgpProtection::Encrypted),
        S2K_GNU => {
            fields.byte()?;
            if fields.take(3)? != b"GNU" {
                return None;
            }
            match fields.byte()? {
                1 | 2 => Some(PgpProtection::StubOnly),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A forward-only reader whose every step is bounds-checked.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let taken = self.rest.get(..n)?;
        self.rest = self.rest.get(n..)?;
        Some(taken)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    /// A multiprecision integer: a two-octet bit count, then its octets.
    fn mpi(&mut self) -> Option<()> {
        let bits = usize::from(u16::from_be_bytes([self.byte()?, self.byte()?]));
        self.skip(bits.div_ceil(8))
    }

    fn mpis(&mut self, count: usize) -> Option<()> {
        for _ in 0..count {
            self.mpi()?;
        }
        Some(())
    }

    /// A curve OID: one length octet (0 and 0xFF are reserved), then the OID.
    fn curve_oid(&mut self) -> Option<()> {
        let len = self.byte()?;
        if matches!(len, 0 | 0xFF) {
            return None;
        }
        self.skip(usize::from(len))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::path::Path;
    use std::process::Command;
    use std::sync::OnceLock;

    /// One key's exports, made by GnuPG for this test run; never stored in the tree.
    struct Exports {
        secret_armored: Vec<u8>,
        secret_binary: Vec<u8>,
        subkeys_armored: Vec<u8>,
        subkeys_binary: Vec<u8>,
        public_armored: Vec<u8>,
        public_binary: Vec<u8>,
    }

    impl Exports {
        fn all(&self) -> [&[u8]; 6] {
            [
                &self.secret_armored,
                &self.secret_binary,
                &self.subkeys_armored,
                &self.subkeys_binary,
                &self.public_armored,
                &self.public_binary,
            ]
        }
    }

    struct Fixtures {
        /// RSA (GnuPG's default), no passphrase.
        plain: Exports,
        /// RSA with a passphrase.
        protected: Exports,
        /// Ed25519 + Cv25519 (EdDSA and ECDH fields), no passphrase.
        ecc_plain: Exports,
    }

    const PASSPHRASE: &str = "Pass-phrase-1";

    fn gpg(home: &Path, passphrase: &str, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .args(["--batch", "--no-tty", "--homedir"])
            .arg(home)
            .args(["--pinentry-mode", "loopback", "--passphrase", passphrase])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn make_key(algorithm: &str, passphrase: &str) -> Exports {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::Builder::new()
            .prefix("csi-pgp-")
            .tempdir()
            .unwrap();
        let dir = home.path();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        gpg(
            dir,
            passphrase,
            &[
                "--quick-gen-key",
                "T <t@example.org>",
                algorithm,
                "default",
                "never",
            ],
        );
        let exports = Exports {
            secret_armored: gpg(dir, passphrase, &["--armor", "--export-secret-keys"]),
            secret_binary: gpg(dir, passphrase, &["--export-secret-keys"]),
            subkeys_armored: gpg(dir, passphrase, &["--armor", "--export-secret-subkeys"]),
            subkeys_binary: gpg(dir, passphrase, &["--export-secret-subkeys"]),
            public_armored: gpg(dir, passphrase, &["--armor", "--export"]),
            public_binary: gpg(dir, passphrase, &["--export"]),
        };
        // The agent started for this home would otherwise outlive the test.
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(dir)
            .args(["--kill", "all"])
            .output();
        exports
    }

    /// The fixtures, or `None` (after a visible SKIPPED line) when `gpg` is
    /// missing outside CI. Built once and shared, since key generation is slow.
    fn fixtures(test: &str) -> Option<&'static Fixtures> {
        static FIXTURES: OnceLock<Option<Fixtures>> = OnceLock::new();
        let built = FIXTURES.get_or_init(|| {
            let have = Command::new("gpg")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            have.then(|| Fixtures {
                plain: make_key("default", ""),
                protected: make_key("default", PASSPHRASE),
                ecc_plain: make_key("future-default", ""),
            })
        });
        if built.is_none() {
            assert!(
                std::env::var_os("CI").is_none_or(|v| v != "true"),
                "gpg is not installed; under CI this cannot be skipped"
            );
            let line = format!("SKIPPED {test}: gpg is not installed\n");
            let _ = std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes());
        }
        built.as_ref()
    }

    fn armored(text: &[u8]) -> Option<PgpProtection> {
        secret_key_protection(&dearmor(text)?)
    }

    /// The first packet alone, to look at the primary key of an export.
    fn first_packet(packets: &[u8]) -> &[u8] {
        let header = packet_header(packets).unwrap();
        let BodyLength::Exact(len) = header.length else {
            panic!("unexpected length form");
        };
        &packets[..header.header_len + len]
    }

    #[test]
    fn unprotected_gnupg_keys_are_unencrypted() {
        let Some(f) = fixtures("unprotected_gnupg_keys_are_unencrypted") else {
            return;
        };
        for exports in [&f.plain, &f.ecc_plain] {
            let unencrypted = Some(PgpProtection::Unencrypted);
            assert_eq!(armored(&exports.secret_armored), unencrypted);
            assert_eq!(secret_key_protection(&exports.secret_binary), unencrypted);
            assert_eq!(armored(&exports.subkeys_armored), unencrypted);
            assert_eq!(secret_key_protection(&exports.subkeys_binary), unencrypted);
            assert!(looks_like_secret_key_packet(&exports.secret_binary));
            assert_eq!(
                dearmor(&exports.secret_armored).unwrap(),
                exports.secret_binary
            );
        }
    }

    #[test]
    fn protected_gnupg_keys_are_encrypted() {
        let Some(f) = fixtures("protected_gnupg_keys_are_encrypted") else {
            return;
        };
        let p = &f.protected;
        let encrypted = Some(PgpProtection::Encrypted);
        assert_eq!(armored(&p.secret_armored), encrypted);
        assert_eq!(secret_key_protection(&p.secret_binary), encrypted);
        assert_eq!(armored(&p.subkeys_armored), encrypted);
        assert_eq!(secret_key_protection(&p.subkeys_binary), encrypted);
        assert!(looks_like_secret_key_packet(&p.secret_binary));
    }

    #[test]
    fn exported_subkeys_leave_a_stub_primary() {
        let Some(f) = fixtures("exported_subkeys_leave_a_stub_primary") else {
            return;
        };
        for exports in [&f.plain, &f.protected, &f.ecc_plain] {
            let primary = first_packet(&exports.subkeys_binary);
            assert_eq!(
                secret_key_protection(primary),
                Some(PgpProtection::StubOnly)
            );
        }
    }

    #[test]
    fn public_keys_are_not_secret_keys() {
        let Some(f) = fixtures("public_keys_are_not_secret_keys") else {
            return;
        };
        for exports in [&f.plain, &f.protected, &f.ecc_plain] {
            assert_eq!(dearmor(&exports.public_armored), None);
            assert_eq!(secret_key_protection(&exports.public_binary), None);
            assert!(!looks_like_secret_key_packet(&exports.public_binary));
        }
    }

    #[test]
    fn armor_tolerates_crlf_and_missing_checksum() {
        let Some(f) = fixtures("armor_tolerates_crlf_and_missing_checksum") else {
            return;
        };
        let text = String::from_utf8(f.plain.secret_armored.clone()).unwrap();
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(
            dearmor(crlf.as_bytes()).unwrap(),
            f.plain.secret_binary,
            "CRLF"
        );
        let without_crc: String = text
            .lines()
            .filter(|line| !(line.starts_with('=') && line.len() == 5))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(
            dearmor(without_crc.as_bytes()).unwrap(),
            f.plain.secret_binary
        );
        let pasted = format!("my key, keep safe:\n\n  {text}");
        assert_eq!(armored(pasted.as_bytes()), Some(PgpProtection::Unencrypted));
        // Seen through a short prefix, the first packets still decode.
        let cut = &f.plain.secret_armored[..f.plain.secret_armored.len() / 2];
        assert_eq!(armored(cut), Some(PgpProtection::Unencrypted));
        // PGP 2.x named the block a secret key block.
        let old_name = text.replace("PGP PRIVATE KEY BLOCK", "PGP SECRET KEY BLOCK");
        assert_eq!(
            armored(old_name.as_bytes()),
            Some(PgpProtection::Unencrypted)
        );
    }

    #[test]
    fn malformed_armor_is_rejected() {
        assert_eq!(dearmor(b""), None);
        assert_eq!(
            dearmor(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxsBN\n"),
            None
        );
        assert_eq!(
            dearmor(b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ*G\n-----END PGP PRIVATE KEY BLOCK-----\n"),
            None
        );
        assert_eq!(
            dearmor(
                b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n-----END PGP PRIVATE KEY BLOCK-----\n"
            ),
            None
        );
        assert_eq!(
            dearmor(b"-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: x\n\nlQ\n-----END PGP PRIVATE KEY BLOCK-----\n"),
            None
        );
        assert_eq!(
            dearmor(b"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\nlQE=\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n"),
            Some(vec![0x95, 0x01])
        );
    }

    /// An Ed25519 (legacy EdDSA, algorithm 22) v4 secret key body up to and
    /// including its S2K usage octet, followed by `tail`.
    fn eddsa_v4(usage_and_rest: &[u8]) -> Vec<u8> {
        let mut body = vec![4, 0x60, 0, 0, 0, 22, 9];
        body.extend_from_slice(&[0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01]);
        body.extend_from_slice(&[0x01, 0x07, 0x40]);
        body.extend_from_slice(&[0x11; 32]);
        body.extend_from_slice(usage_and_rest);
        body
    }

    /// A new-format packet with a one-octet length.
    fn packet(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xC0 | tag, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(body);
        out
    }

    /// An old-format packet with a two-octet length, as GnuPG writes key packets.
    fn old_packet(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0x80 | (tag << 2) | 1];
        out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    const DUMMY: &[u8] = &[255, 0, 101, 2, b'G', b'N', b'U', 1];
    const CARD: &[u8] = &[255, 0, 101, 2, b'G', b'N', b'U', 2, 16, 0xD2, 0x76];
    const ITERATED: &[u8] = &[254, 9, 3, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x60];
    const CLEAR: &[u8] = &[0, 0x00, 0xFF, 0x01];

    #[test]
    fn handcrafted_stubs_and_mixtures() {
        let stub = packet(5, &eddsa_v4(DUMMY));
        let card = old_packet(7, &eddsa_v4(CARD));
        let encrypted = packet(7, &eddsa_v4(ITERATED));
        let clear = old_packet(7, &eddsa_v4(CLEAR));
        let legacy = packet(7, &eddsa_v4(&[9, 1, 2, 3]));
        let public_subkey = packet(14, &eddsa_v4(&[]));
        let cases: &[(&[&[u8]], Option<PgpProtection>)] = &[
            (&[&stub], Some(PgpProtection::StubOnly)),
            (&[&stub, &card], Some(PgpProtection::StubOnly)),
            (&[&stub, &encrypted], Some(PgpProtection::Encrypted)),
            (&[&stub, &legacy], Some(PgpProtection::Encrypted)),
            (
                &[&stub, &encrypted, &clear],
                Some(PgpProtection::Unencrypted),
            ),
            (&[&clear, &stub], Some(PgpProtection::Unencrypted)),
            (&[&public_subkey], None),
            (&[], None),
        ];
        for (parts, expected) in cases {
            assert_eq!(secret_key_protection(&parts.concat()), *expected);
        }
        assert!(looks_like_secret_key_packet(&stub));
        assert!(looks_like_secret_key_packet(&old_packet(
            5,
            &eddsa_v4(DUMMY)
        )));
        assert!(!looks_like_secret_key_packet(&card));
    }

    #[test]
    fn unreadable_packets_are_unknown() {
        let unknown = Some(PgpProtection::Unknown);
        // Unknown version, unknown algorithm, unknown S2K, unknown GNU mode.
        assert_eq!(secret_key_protection(&packet(5, &[9, 0, 0, 0, 0])), unknown);
        assert_eq!(
            secret_key_protection(&packet(5, &[4, 0, 0, 0, 0, 99, 0])),
            unknown
        );
        assert_eq!(
            secret_key_protection(&packet(5, &eddsa_v4(&[254, 9, 77]))),
            unknown
        );
        assert_eq!(
            secret_key_protection(&packet(
                5,
                &eddsa_v4(&[255, 0, 101, 2, b'G', b'N', b'U', 3])
            )),
            unknown
        );
        // An unreadable packet outweighs an encrypted one: it might be in the clear.
        let both = [packet(5, &eddsa_v4(ITERATED)), packet(7, &[4, 1])].concat();
        assert_eq!(secret_key_protection(&both), unknown);
        // A partial body length on a key packet.
        assert_eq!(secret_key_protection(&[0xC5, 0xE1, 4, 0]), unknown);
        // Old format, length running to the end.
        let to_end = [&[0x97][..], &eddsa_v4(CLEAR)].concat();
        assert_eq!(
            secret_key_protection(&to_end),
            Some(PgpProtection::Unencrypted)
        );
    }

    #[test]
    fn v3_v5_and_v6_keys() {
        // v6 Ed25519 (algorithm 27): 32-octet public key, then the usage octet.
        let v6 = |tail: &[u8]| {
            let mut body = vec![6, 0x60, 0, 0, 0, 27, 0, 0, 0, 32];
            body.extend_from_slice(&[0x22; 32]);
            body.extend_from_slice(tail);
            packet(5, &body)
        };
        assert_eq!(
            secret_key_protection(&v6(&[0, 1, 2])),
            Some(PgpProtection::Unencrypted)
        );
        // Usage 253 (AEAD): count, cipher, AEAD mode, S2K length, Argon2 S2K...
        assert_eq!(
            secret_key_protection(&v6(&[253, 6, 9, 2, 1, 4, 0xAA, 0xBB])),
            Some(PgpProtection::Encrypted)
        );
        assert_eq!(
            secret_key_protection(&v6(&[254, 3, 9, 10, 3])),
            Some(PgpProtection::Encrypted)
        );
        // The count octet covers more than there is.
        assert_eq!(
            secret_key_protection(&v6(&[254, 200, 9, 10, 3])),
            Some(PgpProtection::Unknown)
        );
        // v5 (LibrePGP): no S2K length octet.
        let mut v5 = vec![5, 0x60, 0, 0, 0, 27, 0, 0, 0, 32];
        v5.extend_from_slice(&[0x22; 32]);
        v5.extend_from_slice(&[254, 2, 9, 3]);
        assert_eq!(
            secret_key_protection(&packet(5, &v5)),
            Some(PgpProtection::Encrypted)
        );
        // v3 RSA with a tiny modulus and exponent.
        let v3 = |usage: u8| packet(5, &[3, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0xC5, 0, 2, 3, usage]);
        assert_eq!(
            secret_key_protection(&v3(0)),
            Some(PgpProtection::Unencrypted)
        );
        assert_eq!(
            secret_key_protection(&v3(1)),
            Some(PgpProtection::Encrypted)
        );
    }

    /// A small deterministic generator, so a failure reproduces.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let Some(f) = fixtures("never_panics_on_truncated_input") else {
            return;
        };
        for exports in [&f.plain, &f.protected, &f.ecc_plain] {
            for fixture in exports.all() {
                for end in 0..=fixture.len() {
                    let prefix = &fixture[..end];
                    let _ = secret_key_protection(prefix);
                    let _ = looks_like_secret_key_packet(prefix);
                    if let Some(packets) = dearmor(prefix) {
                        let _ = secret_key_protection(&packets);
                    }
                }
            }
        }
    }

    #[test]
    fn never_panics_on_random_input() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut buf = Vec::new();
        for round in 0..50_000u32 {
            buf.clear();
            let len = usize::try_from(xorshift(&mut state) % 300).unwrap();
            for _ in 0..len {
                buf.push(xorshift(&mut state).to_le_bytes()[0]);
            }
            // Steer most of them past the header checks into the key parser.
            if let Some(first) = buf.first_mut() {
                *first = [0x95, 0xC5, 0x9D, 0xC7, 0x97][usize::try_from(round % 5).unwrap()];
            }
            if let Some(version) = buf.get_mut(3) {
                *version = [3, 4, 5, 6][usize::try_from(round % 4).unwrap()];
            }
            let _ = secret_key_protection(&buf);
            let _ = looks_like_secret_key_packet(&buf);
            let _ = dearmor(&buf);
        }
        let mut text = ARMOR_BEGIN[0].to_vec();
        text.extend_from_slice(b"\n\n");
        for _ in 0..2000 {
            text.extend_from_slice(b"=\n:\n\n====\r\nA\n");
        }
        let _ = dearmor(&text);
        let huge = [0xC5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 4];
        assert_eq!(secret_key_protection(&huge), Some(PgpProtection::Unknown));
    }
}
