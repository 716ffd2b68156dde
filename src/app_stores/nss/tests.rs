//! The password-check decision on entries built here the way NSS builds them; the
//! integration tests hold it to databases made by NSS's own `certutil`.
#![allow(clippy::unwrap_used)]

use cbc::cipher::BlockEncryptMut;

use super::*;

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if content.len() < 0x80 {
        out.push(u8::try_from(content.len()).unwrap());
    } else {
        out.push(0x82);
        out.extend_from_slice(&u16::try_from(content.len()).unwrap().to_be_bytes());
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(TAG_SEQUENCE, &parts.concat())
}

fn password_hash(salt: &[u8], password: &[u8]) -> Vec<u8> {
    Sha1::new()
        .chain_update(salt)
        .chain_update(password)
        .finalize()
        .to_vec()
}

/// A PBES2 entry as NSS 3.47+ writes it, under `password`.
fn pbes2_entry(salt: &[u8], password: &[u8], iterations: u8, plain: &[u8]) -> Vec<u8> {
    pbes2_declaring(salt, password, iterations, &[iterations], plain)
}

/// The same, with `declared` as the iteration count written in the entry.
fn pbes2_declaring(
    salt: &[u8],
    password: &[u8],
    iterations: u8,
    declared: &[u8],
    plain: &[u8],
) -> Vec<u8> {
    let entry_salt = [7u8; 32];
    let iv14 = [9u8; 14];
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        &password_hash(salt, password),
        &entry_salt,
        u32::from(iterations),
        &mut key,
    );
    let mut iv = vec![0x04, 0x0E];
    iv.extend_from_slice(&iv14);
    let ciphertext = cbc::Encryptor::<aes::Aes256>::new(&key.into(), iv.as_slice().into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    let pbkdf2_params = seq(&[
        der(TAG_OCTET_STRING, &entry_salt),
        der(TAG_INTEGER, declared),
        der(TAG_INTEGER, &[32]),
        seq(&[der(TAG_OID, OID_HMAC_SHA256), der(TAG_NULL, &[])]),
    ]);
    let params = seq(&[
        seq(&[der(TAG_OID, OID_PBKDF2), pbkdf2_params]),
        seq(&[der(TAG_OID, OID_AES256_CBC), der(TAG_OCTET_STRING, &iv14)]),
    ]);
    seq(&[
        seq(&[der(TAG_OID, OID_PBES2), params]),
        der(TAG_OCTET_STRING, &ciphertext),
    ])
}

/// The older SHA-1/3DES entry, under `password`.
fn sha1_3des_entry(salt: &[u8], password: &[u8], plain: &[u8]) -> Vec<u8> {
    let entry_salt = [5u8; 20];
    let chp = Sha1::new()
        .chain_update(password_hash(salt, password))
        .chain_update(entry_salt)
        .finalize();
    let hmac = |parts: &[&[u8]]| {
        let mut mac = Hmac::<Sha1>::new_from_slice(&chp).unwrap();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    };
    let k1 = hmac(&[&entry_salt, &entry_salt]);
    let tk = hmac(&[&entry_salt]);
    let k2 = hmac(&[&tk, &entry_salt]);
    let k = [k1, k2].concat();
    let ciphertext = cbc::Encryptor::<des::TdesEde3>::new(k[..24].into(), k[32..40].into())
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    seq(&[
        seq(&[
            der(TAG_OID, OID_PBE_SHA1_3DES),
            seq(&[der(TAG_OCTET_STRING, &entry_salt), der(TAG_INTEGER, &[1])]),
        ]),
        der(TAG_OCTET_STRING, &ciphertext),
    ])
}

#[test]
fn pbes2_opens_with_the_empty_password_only_when_it_was_made_so() {
    let salt = [1u8; 20];
    let open = pbes2_entry(&salt, b"", 1, CHECK_VALUE);
    assert_eq!(
        check_empty_password(&salt, &open),
        Ok(KeyDb::OpensWithEmptyPassword)
    );
    let locked = pbes2_entry(&salt, b"Primary-pw-9", 100, CHECK_VALUE);
    assert_eq!(
        check_empty_password(&salt, &locked),
        Ok(KeyDb::NeedsPassword)
    );
    // Another global salt is another key.
    assert_eq!(
        check_empty_password(&[2u8; 20], &open),
        Ok(KeyDb::NeedsPassword)
    );
    // The right key but another value is no pass of the check.
    let other = pbes2_entry(&salt, b"", 1, b"password-chick");
    assert_eq!(
        check_empty_password(&salt, &other),
        Ok(KeyDb::NeedsPassword)
    );
}

#[test]
fn the_older_sha1_3des_entry_is_decided_too() {
    let salt = [3u8; 20];
    let open = sha1_3des_entry(&salt, b"", CHECK_VALUE);
    assert_eq!(
        check_empty_password(&salt, &open),
        Ok(KeyDb::OpensWithEmptyPassword)
    );
    let locked = sha1_3des_entry(&salt, b"Primary-pw-9", CHECK_VALUE);
    assert_eq!(
        check_empty_password(&salt, &locked),
        Ok(KeyDb::NeedsPassword)
    );
}

#[test]
fn hostile_entries_are_errors_never_panics_or_long_work() {
    let salt = [1u8; 20];
    let good = pbes2_entry(&salt, b"", 1, CHECK_VALUE);
    for cut in 0..good.len() {
        let _ = check_empty_password(&salt, &good[..cut]);
    }
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0xFF;
        let _ = check_empty_password(&salt, &bad);
    }
    // A huge iteration count is refused before any work.
    let slow = pbes2_declaring(&salt, b"", 1, &[0x7F, 0xFF, 0xFF, 0xFF], CHECK_VALUE);
    let error = check_empty_password(&salt, &slow).unwrap_err();
    assert!(error.contains("2147483647 PBKDF2 iterations"), "{error}");
    assert!(check_empty_password(&salt, b"").is_err());
    assert!(check_empty_password(&salt, &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
}
