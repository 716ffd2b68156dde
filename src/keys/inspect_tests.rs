//! Unit tests of the text formats, on structures built here; the integration tests
//! run the same detection on keys made by ssh-keygen, openssl, puttygen and gpg.
#![allow(clippy::unwrap_used)]

use base64ct::{Base64, Encoding};

use super::*;

fn ssh_string(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&u32::try_from(value.len()).unwrap().to_be_bytes());
    out.extend_from_slice(value);
}

/// An openssh-key-v1 file with `cipher`, wrapped at `width` columns, lines ending
/// in `eol`. The private part is filler: only the header is ever read.
fn openssh_file(cipher: &[u8], width: usize, eol: &str) -> (Vec<u8>, Vec<u8>) {
    let mut public = Vec::new();
    ssh_string(&mut public, b"ssh-ed25519");
    ssh_string(&mut public, &[7u8; 32]);
    let mut blob = b"openssh-key-v1\0".to_vec();
    ssh_string(&mut blob, cipher);
    ssh_string(
        &mut blob,
        if cipher == b"none" {
            b"none"
        } else {
            b"bcrypt"
        },
    );
    ssh_string(&mut blob, b"");
    blob.extend_from_slice(&1u32.to_be_bytes());
    ssh_string(&mut blob, &public);
    ssh_string(&mut blob, &[0u8; 64]);
    let text = Base64::encode_string(&blob);
    let mut file = format!("-----BEGIN OPENSSH PRIVATE KEY-----{eol}");
    for chunk in text.as_bytes().chunks(width) {
        file.push_str(std::str::from_utf8(chunk).unwrap());
        file.push_str(eol);
    }
    file.push_str(&format!("-----END OPENSSH PRIVATE KEY-----{eol}"));
    (file.into_bytes(), public)
}

#[test]
fn openssh_cipher_none_is_unencrypted_at_any_wrap_and_line_ending() {
    for (width, eol) in [(70, "\n"), (64, "\n"), (76, "\r\n"), (1000, "\n")] {
        let (file, public) = openssh_file(b"none", width, eol);
        let found = inspect(&file).unwrap();
        assert_eq!(found.format, KeyFormat::OpenSsh);
        assert_eq!(found.protection, Protection::Unencrypted, "width {width}");
        let digest: [u8; 32] = Sha256::digest(&public).into();
        assert_eq!(found.identity, digest);
        assert!(found.fingerprint.unwrap().starts_with("SHA256:"));
        let (file, _) = openssh_file(b"aes256-ctr", width, eol);
        assert_eq!(inspect(&file).unwrap().protection, Protection::Encrypted);
    }
    // An unknown cipher is still encrypted: it is not `none`.
    let (file, _) = openssh_file(b"twofish-cbc@example", 70, "\n");
    assert_eq!(inspect(&file).unwrap().protection, Protection::Encrypted);
}

#[test]
fn a_damaged_openssh_body_is_no_key() {
    let (file, _) = openssh_file(b"none", 70, "\n");
    let text = String::from_utf8(file).unwrap();
    let damaged = text.replacen("b3BlbnNzaC1rZXktdjE", "AAAAAAAAAAAAAAAAAAA", 1);
    assert_eq!(inspect(damaged.as_bytes()), None);
    let truncated = &text.as_bytes()[..60];
    assert_eq!(inspect(truncated), None);
    // Every truncation is handled without a panic.
    for end in 0..text.len() {
        let _ = inspect(&text.as_bytes()[..end]);
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::keys::ber::put_header(&mut out, tag, content.len());
    out.extend_from_slice(content);
    out
}

/// `-----BEGIN {label}-----`, the headers, the DER in base64 at 64 columns, END.
fn pem(label: &str, headers: &str, der: &[u8]) -> Vec<u8> {
    let text = Base64::encode_string(der);
    let mut file = format!("-----BEGIN {label}-----\n{headers}");
    for chunk in text.as_bytes().chunks(64) {
        file.push_str(std::str::from_utf8(chunk).unwrap());
        file.push('\n');
    }
    file.push_str(&format!("-----END {label}-----\n"));
    file.into_bytes()
}

/// The shapes of the structures each label promises, with filler numbers.
fn pkcs1() -> Vec<u8> {
    let ints: Vec<u8> = (0..9u8).flat_map(|i| tlv(0x02, &[i + 1])).collect();
    tlv(0x30, &[tlv(0x02, &[0]), ints[3..].to_vec()].concat())
}

fn pkcs8() -> Vec<u8> {
    // Ed25519: version 0, AlgorithmIdentifier { 1.3.101.112 }, the seed.
    let algorithm = tlv(0x30, &tlv(0x06, &[0x2B, 0x65, 0x70]));
    let seed = tlv(0x04, &tlv(0x04, &[9; 32]));
    tlv(0x30, &[tlv(0x02, &[0]), algorithm, seed].concat())
}

fn sec1() -> Vec<u8> {
    tlv(0x30, &[tlv(0x02, &[1]), tlv(0x04, &[9; 32])].concat())
}

#[test]
fn legacy_pem_headers_mark_encryption() {
    let plain = pem("RSA PRIVATE KEY", "", &pkcs1());
    let found = inspect(&plain).unwrap();
    assert_eq!(
        (found.format, found.protection),
        (KeyFormat::PemRsa, Protection::Unencrypted)
    );
    let encrypted = pem(
        "EC PRIVATE KEY",
        "Proc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00FF\r\n\r\n",
        &[0x5A; 48],
    );
    let found = inspect(&encrypted).unwrap();
    assert_eq!(
        (found.format, found.protection),
        (KeyFormat::PemEc, Protection::Encrypted)
    );
    assert_eq!(
        inspect(&pem("EC PRIVATE KEY", "", &sec1()))
            .unwrap()
            .protection,
        Protection::Unencrypted
    );
    // Headers no tool writes, or ciphertext of no whole block: no key.
    let odd = pem("DSA PRIVATE KEY", "Proc-Type: 4,SOMETHING\n\n", &[0x5A; 48]);
    assert_eq!(inspect(&odd), None);
    let ragged = pem(
        "RSA PRIVATE KEY",
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,00FF\n\n",
        &[0x5A; 13],
    );
    assert_eq!(inspect(&ragged), None);
}

#[test]
fn pkcs8_labels_decide() {
    let found = inspect(&pem("PRIVATE KEY", "", &pkcs8())).unwrap();
    assert_eq!(
        (found.format, found.protection),
        (KeyFormat::Pkcs8, Protection::Unencrypted)
    );
    // PBES2 whose parameters cannot be read: the empty password cannot be tried,
    // and the structure says encrypted.
    let pbes2 = tlv(
        0x30,
        &[
            tlv(
                0x06,
                &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D],
            ),
            tlv(0x30, &[]),
        ]
        .concat(),
    );
    let encrypted = tlv(0x30, &[pbes2, tlv(0x04, &[0x5A; 48])].concat());
    let found = inspect(&pem("ENCRYPTED PRIVATE KEY", "", &encrypted)).unwrap();
    assert_eq!(
        (found.format, found.protection),
        (KeyFormat::Pkcs8Encrypted, Protection::Encrypted)
    );
    // An algorithm no tool here knows, under the ENCRYPTED label: still encrypted.
    let unknown = tlv(0x30, &tlv(0x06, &[0x2A, 0x03, 0x04]));
    let unknown = tlv(0x30, &[unknown, tlv(0x04, &[0x5A; 48])].concat());
    assert_eq!(
        inspect(&pem("ENCRYPTED PRIVATE KEY", "", &unknown))
            .unwrap()
            .protection,
        Protection::Encrypted
    );
    assert_eq!(inspect(&pem("PRIVATE KEY", "", &unknown)), None);
    // The same body under another label is still what it is.
    assert_eq!(
        inspect(&pem("RSA PRIVATE KEY", "", &pkcs8()))
            .unwrap()
            .protection,
        Protection::Unencrypted
    );
    // An EdDSA label (an early draft of RFC 8410, still written by some tools)
    // around PKCS#8.
    let eddsa = inspect(&pem("EdDSA PRIVATE KEY", "", &pkcs8())).unwrap();
    assert_eq!(
        (eddsa.format, eddsa.protection),
        (KeyFormat::PemOther, Protection::Unencrypted)
    );
}

#[test]
fn a_pem_label_without_a_key_in_it_is_no_key() {
    // A public key mislabelled as private (a real server's habit).
    let spki = tlv(
        0x30,
        &[
            tlv(0x30, &tlv(0x06, &[0x2B, 0x65, 0x70])),
            tlv(0x03, &[0; 33]),
        ]
        .concat(),
    );
    let cases: Vec<Vec<u8>> = vec![
        b"-----BEGIN RSA PRIVATE KEY-----\n{{ vault_ssh_key }}\n-----END RSA PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_KEY}\n-----END OPENSSH PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN RSA PRIVATE KEY-----\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n-----END RSA PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n".to_vec(),
        b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n[redacted]\n-----END PGP PRIVATE KEY BLOCK-----\n".to_vec(),
        b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nAAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n".to_vec(),
        b"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: example\n".to_vec(),
        // No END line: a block cut off mid-sentence in documentation.
        pem("PRIVATE KEY", "", &pkcs8())[..40].to_vec(),
        pem("EdDSA PRIVATE KEY", "", &spki),
        pem("PRIVATE KEY", "", &spki),
    ];
    for case in &cases {
        assert_eq!(inspect(case), None, "{}", String::from_utf8_lossy(case));
    }
}
#[test]
fn ssh2_cipher_field_decides() {
    let file = |cipher: &[u8]| {
        let mut blob = vec![0x3f, 0x6f, 0xf9, 0xeb, 0, 0, 0, 0];
        ssh_string(
            &mut blob,
            b"if-modn{sign{rsa-pkcs1-sha1},encrypt{rsa-pkcs1v2-oaep}}",
        );
        ssh_string(&mut blob, cipher);
        blob.extend_from_slice(&[0u8; 16]);
        format!(
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"a long \\\nwrapped comment\"\n{}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
            Base64::encode_string(&blob)
        )
    };
    assert_eq!(
        inspect(file(b"none").as_bytes()).unwrap().protection,
        Protection::Unencrypted
    );
    assert_eq!(
        inspect(file(b"3des-cbc").as_bytes()).unwrap().protection,
        Protection::Encrypted
    );
}

#[test]
fn ppk_encryption_line_decides_and_gives_the_openssh_fingerprint() {
    let mut public = Vec::new();
    ssh_string(&mut public, b"ssh-ed25519");
    ssh_string(&mut public, &[7u8; 32]);
    let lines = Base64::encode_string(&public);
    let file = |enc: &str| {
        format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: {enc}\nComment: t\nPublic-Lines: 1\n{lines}\nPrivate-Lines: 1\nAAAA\nPrivate-MAC: 00\n"
        )
    };
    let plain = inspect(file("none").as_bytes()).unwrap();
    assert_eq!(
        (plain.format, plain.protection),
        (KeyFormat::PuttyPpk, Protection::Unencrypted)
    );
    assert_eq!(
        inspect(file("aes256-cbc").as_bytes()).unwrap().protection,
        Protection::Encrypted
    );
    let (openssh, _) = openssh_file(b"none", 70, "\n");
    assert_eq!(
        plain.identity,
        inspect(&openssh).unwrap().identity,
        "the same key in two formats"
    );
}

#[test]
fn gnupg_agent_keys_in_both_layouts() {
    assert_eq!(
        inspect(b"(11:private-key(3:rsa(1:n").unwrap().protection,
        Protection::Unencrypted
    );
    assert_eq!(
        inspect(b"(21:protected-private-key(3:rsa")
            .unwrap()
            .protection,
        Protection::Encrypted
    );
    assert_eq!(
        inspect(b"Created: 20260101T000000\nKey: (private-key (ecc (curve Ed25519)\n")
            .unwrap()
            .protection,
        Protection::Unencrypted
    );
    assert_eq!(
        inspect(b"Key: (protected-private-key (ecc\n")
            .unwrap()
            .protection,
        Protection::Encrypted
    );
    assert_eq!(inspect(b"(20:shadowed-private-key(3:rsa"), None);
    // The readable (advanced) form, as gpgsm's sample keys are written.
    let readable = b"(private-key\n (rsa\n  (n #00e0ce9f#)\n  (e #010001#)\n  (d #046129f#)))\n";
    assert_eq!(
        inspect(readable).unwrap().protection,
        Protection::Unencrypted
    );
    let protected =
        b"(protected-private-key\n (rsa\n  (n #00e0ce9f#)\n  (protected openpgp-s2k3-sha1-aes-cbc";
    assert_eq!(
        inspect(protected).unwrap().protection,
        Protection::Encrypted
    );
    assert_eq!(inspect(b"(shadowed-private-key\n (rsa\n"), None);
}

#[test]
fn gnome_keyrings_by_their_first_bytes() {
    let encrypted = inspect(b"GnomeKeyring\n\r\0\n\0\0\x02\x00").unwrap();
    assert_eq!(
        (encrypted.format, encrypted.protection),
        (KeyFormat::GnomeKeyring, Protection::Encrypted)
    );
    let plain =
        inspect(b"[keyring]\ndisplay-name=Login\nctime=0\n\n[1]\nsecret=hunter2\n").unwrap();
    assert_eq!(plain.protection, Protection::Unencrypted);
    // gnome-keyring's own fixture opens with a blank line.
    let blank_first =
        inspect(b"\n[keyring]\ndisplay-name=plain\nctime=0\nmtime=0\n\n[1]\nsecret=x\n").unwrap();
    assert_eq!(blank_first.protection, Protection::Unencrypted);
    assert_eq!(
        inspect(b"[keyring]\nsomething=else\n"),
        None,
        "an unrelated INI file"
    );
    assert_eq!(
        inspect(b"[general]\n[keyring]\ndisplay-name=x\n"),
        None,
        "a settings file with a keyring section"
    );
}

#[test]
fn random_bytes_are_not_keys() {
    // A home is full of compressed and random data (pictures, git objects): none of
    // it may pass for a key. A small xorshift keeps the test deterministic.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut false_keys = Vec::new();
    for round in 0..20_000 {
        let buf: Vec<u8> = (0..4096).map(|_| (next() >> 24) as u8).collect();
        if let Some(found) = inspect(&buf) {
            false_keys.push((round, found.format, buf[..4].to_vec()));
        }
    }
    assert!(
        false_keys.is_empty(),
        "{} of 20000 random buffers taken for keys: {:?}",
        false_keys.len(),
        &false_keys[..false_keys.len().min(5)]
    );
}
