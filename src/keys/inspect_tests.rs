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
fn a_damaged_openssh_key_is_unknown_never_safe() {
    let (file, _) = openssh_file(b"none", 70, "\n");
    let text = String::from_utf8(file).unwrap();
    let damaged = text.replacen("b3BlbnNzaC1rZXktdjE", "AAAAAAAAAAAAAAAAAAA", 1);
    assert_eq!(
        inspect(damaged.as_bytes()).unwrap().protection,
        Protection::Unknown
    );
    let truncated = &text.as_bytes()[..60];
    assert_eq!(inspect(truncated).unwrap().protection, Protection::Unknown);
    // Every truncation is handled without a panic.
    for end in 0..text.len() {
        let _ = inspect(&text.as_bytes()[..end]);
    }
}

#[test]
fn legacy_pem_headers_mark_encryption() {
    let plain = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n";
    assert_eq!(inspect(plain).unwrap().protection, Protection::Unencrypted);
    let encrypted = b"-----BEGIN EC PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00FF\r\n\r\nMIIE\r\n-----END EC PRIVATE KEY-----\r\n";
    let found = inspect(encrypted).unwrap();
    assert_eq!(
        (found.format, found.protection),
        (KeyFormat::PemEc, Protection::Encrypted)
    );
    let odd = b"-----BEGIN DSA PRIVATE KEY-----\nProc-Type: 4,SOMETHING\n\nMIIE\n";
    assert_eq!(inspect(odd).unwrap().protection, Protection::Unknown);
}

#[test]
fn pkcs8_labels_decide() {
    assert_eq!(
        inspect(b"-----BEGIN PRIVATE KEY-----\nMC4C\n")
            .unwrap()
            .protection,
        Protection::Unencrypted
    );
    assert_eq!(
        inspect(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n")
            .unwrap()
            .protection,
        Protection::Encrypted
    );
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
    assert_eq!(
        inspect(b"[keyring]\nsomething=else\n"),
        None,
        "an unrelated INI file"
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
