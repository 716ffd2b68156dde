//! DER keys and PKCS#12 files made by OpenSSL at test time (never stored in the
//! tree), read by `der` and `pkcs12`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::OnceLock;

use super::*;
use crate::keys::pkcs12::{
    OID_KEY_BAG, OID_PKCS7_DATA, OID_SAFE_CONTENTS_BAG, OID_SHA1, OID_SHROUDED_KEY_BAG,
    Pkcs12Protection, classify, looks_like_pfx, mac_verifies,
};

/// Each fixture's file name and the openssl command that makes it (arguments
/// split on spaces; `k.pem`, `ec.pem` and `cert.pem` come first).
const RECIPES: &[(&str, &str)] = &[
    (
        "k.pem",
        "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out k.pem",
    ),
    (
        "ec.pem",
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem",
    ),
    (
        "cert.pem",
        "req -x509 -new -key k.pem -subj /CN=t -days 1 -out cert.pem",
    ),
    (
        "pkcs8_rsa",
        "pkcs8 -topk8 -nocrypt -in k.pem -outform DER -out pkcs8_rsa",
    ),
    (
        "pkcs8_ec",
        "pkcs8 -topk8 -nocrypt -in ec.pem -outform DER -out pkcs8_ec",
    ),
    (
        "pkcs8_ed25519",
        "genpkey -algorithm ED25519 -outform DER -out pkcs8_ed25519",
    ),
    ("sec1", "ec -in ec.pem -outform DER -out sec1"),
    (
        "pkcs1",
        "rsa -in k.pem -traditional -outform DER -out pkcs1",
    ),
    (
        "enc_pbes2",
        "pkcs8 -topk8 -in k.pem -outform DER -v2 aes-256-cbc -passout pass:secret -out enc_pbes2",
    ),
    (
        "enc_scrypt",
        "pkcs8 -topk8 -in k.pem -outform DER -scrypt -passout pass:secret -out enc_scrypt",
    ),
    (
        "enc_pkcs12_pbe",
        "pkcs8 -topk8 -in k.pem -outform DER -v1 PBE-SHA1-3DES -passout pass:secret -out enc_pkcs12_pbe",
    ),
    (
        "enc_empty",
        "pkcs8 -topk8 -in ec.pem -outform DER -v2 aes-256-cbc -passout pass: -out enc_empty",
    ),
    (
        "enc_empty_3des",
        "pkcs8 -topk8 -in ec.pem -outform DER -v1 PBE-SHA1-3DES -passout pass: -out enc_empty_3des",
    ),
    (
        "enc_empty_sha1",
        "pkcs8 -topk8 -in ec.pem -outform DER -v2 des3 -v2prf hmacWithSHA1 -passout pass: -out enc_empty_sha1",
    ),
    ("cert", "x509 -in cert.pem -outform DER -out cert"),
    (
        "csr",
        "req -new -key k.pem -subj /CN=t -outform DER -out csr",
    ),
    ("spki", "pkey -in k.pem -pubout -outform DER -out spki"),
    (
        "rsa_public",
        "rsa -in k.pem -RSAPublicKey_out -outform DER -out rsa_public",
    ),
    (
        "p12_empty",
        "pkcs12 -export -inkey k.pem -in cert.pem -passout pass: -out p12_empty",
    ),
    (
        "p12_password",
        "pkcs12 -export -inkey k.pem -in cert.pem -passout pass:Secret-1 -out p12_password",
    ),
    (
        "p12_unicode",
        "pkcs12 -export -inkey k.pem -in cert.pem -passout pass:P\u{e4}ssw\u{f6}rd-\u{20ac} -out p12_unicode",
    ),
    (
        "p12_sha512",
        "pkcs12 -export -inkey k.pem -in cert.pem -macalg sha512 -passout pass:Secret-1 -out p12_sha512",
    ),
    (
        "p12_legacy_empty",
        "pkcs12 -export -legacy -inkey k.pem -in cert.pem -passout pass: -out p12_legacy_empty",
    ),
    (
        "p12_legacy_password",
        "pkcs12 -export -legacy -inkey k.pem -in cert.pem -passout pass:Secret-1 -out p12_legacy_password",
    ),
    (
        "p12_nomac_plain",
        "pkcs12 -export -nomac -keypbe NONE -certpbe NONE -inkey k.pem -in cert.pem -passout pass: -out p12_nomac_plain",
    ),
    (
        "p12_nomac_encrypted",
        "pkcs12 -export -nomac -inkey k.pem -in cert.pem -passout pass:Secret-1 -out p12_nomac_encrypted",
    ),
    (
        "p12_plain_bag_mac",
        "pkcs12 -export -keypbe NONE -certpbe NONE -inkey k.pem -in cert.pem -passout pass:Secret-1 -out p12_plain_bag_mac",
    ),
    (
        "p12_plain_bag_certs_encrypted",
        "pkcs12 -export -keypbe NONE -inkey k.pem -in cert.pem -passout pass:Secret-1 -out p12_plain_bag_certs_encrypted",
    ),
    (
        "p12_truststore",
        "pkcs12 -export -nokeys -in cert.pem -passout pass:changeit -out p12_truststore",
    ),
    (
        "p12_truststore_empty",
        "pkcs12 -export -nokeys -in cert.pem -passout pass: -out p12_truststore_empty",
    ),
    (
        "p12_truststore_plain",
        "pkcs12 -export -nokeys -certpbe NONE -in cert.pem -passout pass:changeit -out p12_truststore_plain",
    ),
    (
        "p12_truststore_legacy",
        "pkcs12 -export -legacy -nokeys -in cert.pem -passout pass:changeit -out p12_truststore_legacy",
    ),
];

/// Names of the fixtures that are not DER keys or PKCS#12 files.
const PEM_ONLY: &[&str] = &["k.pem", "ec.pem", "cert.pem"];

/// Built once and shared, since key generation is slow; `None` (after a visible
/// SKIPPED line) when `openssl` is missing outside CI.
fn fixtures(test: &str) -> Option<&'static BTreeMap<&'static str, Vec<u8>>> {
    static FIXTURES: OnceLock<Option<BTreeMap<&'static str, Vec<u8>>>> = OnceLock::new();
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

fn build_fixtures() -> BTreeMap<&'static str, Vec<u8>> {
    let temp = tempfile::Builder::new()
        .prefix("csi-der-test-")
        .tempdir()
        .unwrap();
    let mut out = BTreeMap::new();
    for (name, recipe) in RECIPES {
        let run = Command::new("openssl")
            .args(recipe.split(' '))
            .current_dir(temp.path())
            .env("HOME", "/dev/null")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "openssl {recipe}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        if !PEM_ONLY.contains(name) {
            out.insert(*name, std::fs::read(temp.path().join(name)).unwrap());
        }
    }
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::keys::ber::put_header(&mut out, tag, content.len());
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// A PFX around `auth_safe` with the given MAC fields, for shapes OpenSSL cannot
/// write.
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

/// A PFX without a MAC whose AuthenticatedSafe holds one ContentInfo of
/// `outer_type` around these bags.
fn pfx_of(bags: &[&[u8]], outer_type: &[u8]) -> Vec<u8> {
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
}

#[test]
fn unencrypted_keys_are_recognised() {
    let Some(f) = fixtures("unencrypted_keys_are_recognised") else {
        return;
    };
    for name in ["pkcs8_rsa", "pkcs8_ec", "pkcs8_ed25519"] {
        assert_eq!(classify_der(&f[name]), Some(DerKey::Pkcs8), "{name}");
    }
    assert_eq!(classify_der(&f["sec1"]), Some(DerKey::Sec1Ec));
    assert_eq!(classify_der(&f["pkcs1"]), Some(DerKey::Pkcs1Rsa));
}

#[test]
fn encrypted_pkcs8_is_recognised_and_tried_with_the_empty_password() {
    let Some(f) = fixtures("encrypted_pkcs8_is_recognised") else {
        return;
    };
    use crate::keys::Protection::{Encrypted, Unencrypted};
    for (name, expected) in [
        ("enc_pbes2", Encrypted),
        ("enc_scrypt", Encrypted),
        ("enc_pkcs12_pbe", Encrypted),
        // Each opens with the empty passphrase.
        ("enc_empty", Unencrypted),
        ("enc_empty_3des", Unencrypted),
        ("enc_empty_sha1", Unencrypted),
    ] {
        assert_eq!(
            classify_der(&f[name]),
            Some(DerKey::Pkcs8Encrypted),
            "{name}"
        );
        assert_eq!(
            crate::keys::pem::encrypted_pkcs8(&f[name]),
            expected,
            "{name}"
        );
    }
}

#[test]
fn public_material_is_not_a_key() {
    let Some(f) = fixtures("public_material_is_not_a_key") else {
        return;
    };
    for name in ["cert", "csr", "spki", "rsa_public"] {
        assert_eq!(classify_der(&f[name]), None, "{name}");
        assert_eq!(classify(&f[name]), None, "{name}");
        assert!(looks_like_der(&f[name]), "{name}");
    }
    assert_eq!(classify_der(b"-----BEGIN PRIVATE KEY-----\n"), None);
    assert_eq!(classify_der(&[]), None);
    // A SEQUENCE of two INTEGERs (an ECDSA signature, DH parameters), of three
    // (DSA parameters).
    let pair = seq(&[&tlv(TAG_INTEGER, &[1]), &tlv(TAG_INTEGER, &[5])]);
    assert_eq!(classify_der(&pair), None);
    let params = seq(&[
        &tlv(TAG_INTEGER, &[0]),
        &tlv(TAG_INTEGER, &[5]),
        &tlv(TAG_INTEGER, &[7]),
    ]);
    assert_eq!(classify_der(&params), None);
}

#[test]
fn dsa_keys_are_recognised() {
    let ints: Vec<Vec<u8>> = (1..=6u8).map(|i| tlv(TAG_INTEGER, &[i])).collect();
    let mut dsa = vec![tlv(TAG_INTEGER, &[0])];
    dsa.extend(ints.iter().take(5).cloned());
    let parts: Vec<&[u8]> = dsa.iter().map(Vec::as_slice).collect();
    assert_eq!(classify_der(&seq(&parts)), Some(DerKey::Dsa));
    // Version 1 with five numbers is nothing.
    let mut odd = vec![tlv(TAG_INTEGER, &[1])];
    odd.extend(ints.iter().take(5).cloned());
    let parts: Vec<&[u8]> = odd.iter().map(Vec::as_slice).collect();
    assert_eq!(classify_der(&seq(&parts)), None);
}

#[test]
fn pkcs12_keys_decided_by_their_bags() {
    let Some(f) = fixtures("pkcs12_keys_decided_by_their_bags") else {
        return;
    };
    let cases = [
        ("p12_empty", Some(Pkcs12Protection::OpensWithEmptyPassword)),
        (
            "p12_legacy_empty",
            Some(Pkcs12Protection::OpensWithEmptyPassword),
        ),
        (
            "p12_nomac_plain",
            Some(Pkcs12Protection::OpensWithEmptyPassword),
        ),
        // A plain key bag is readable whatever password the MAC has.
        (
            "p12_plain_bag_mac",
            Some(Pkcs12Protection::OpensWithEmptyPassword),
        ),
        (
            "p12_plain_bag_certs_encrypted",
            Some(Pkcs12Protection::OpensWithEmptyPassword),
        ),
        ("p12_password", Some(Pkcs12Protection::NeedsPassword)),
        ("p12_unicode", Some(Pkcs12Protection::NeedsPassword)),
        ("p12_sha512", Some(Pkcs12Protection::NeedsPassword)),
        ("p12_legacy_password", Some(Pkcs12Protection::NeedsPassword)),
        ("p12_nomac_encrypted", Some(Pkcs12Protection::NeedsPassword)),
        // No key bag: a truststore is no key, whatever its password.
        ("p12_truststore", None),
        ("p12_truststore_empty", None),
        ("p12_truststore_plain", None),
        ("p12_truststore_legacy", None),
    ];
    for (name, expected) in cases {
        assert!(looks_like_pfx(&f[name]), "{name}");
        assert_eq!(classify(&f[name]), expected, "{name}");
        assert_eq!(classify_der(&f[name]), None, "{name}");
    }
}

#[test]
fn pkcs12_mac_proves_a_password() {
    let Some(f) = fixtures("pkcs12_mac_proves_a_password") else {
        return;
    };
    for name in ["p12_empty", "p12_legacy_empty"] {
        assert_eq!(mac_verifies(&f[name], ""), Ok(true), "{name}");
        assert_eq!(mac_verifies(&f[name], "x"), Ok(false), "{name}");
    }
    for name in ["p12_password", "p12_sha512", "p12_legacy_password"] {
        assert_eq!(mac_verifies(&f[name], "Secret-1"), Ok(true), "{name}");
        assert_eq!(mac_verifies(&f[name], "wrong"), Ok(false), "{name}");
        assert_eq!(mac_verifies(&f[name], ""), Ok(false), "{name}");
    }
    let unicode = &f["p12_unicode"];
    assert_eq!(
        mac_verifies(unicode, "P\u{e4}ssw\u{f6}rd-\u{20ac}"),
        Ok(true)
    );
    assert_eq!(mac_verifies(unicode, "Passwort"), Ok(false));
    assert_eq!(mac_verifies(&f["p12_nomac_plain"], ""), Err(()));
}

#[test]
fn pkcs12_in_ber_is_read_and_cut_short_is_unknown() {
    let Some(f) = fixtures("pkcs12_in_ber_is_read_and_cut_short_is_unknown") else {
        return;
    };
    // The outer SEQUENCE made indefinite, as NSS writes it.
    for (name, expected) in [
        ("p12_empty", Pkcs12Protection::OpensWithEmptyPassword),
        ("p12_password", Pkcs12Protection::NeedsPassword),
    ] {
        let (outer, _) = read_tlv(&f[name]).unwrap();
        let mut ber = vec![TAG_SEQUENCE, 0x80];
        ber.extend_from_slice(outer.content);
        ber.extend_from_slice(&[0, 0]);
        assert_eq!(classify(&ber), Some(expected), "{name}");
    }
    let (outer, _) = read_tlv(&f["p12_password"]).unwrap();
    let mut ber = vec![TAG_SEQUENCE, 0x80];
    ber.extend_from_slice(outer.content);
    ber.extend_from_slice(&[0, 0]);
    assert_eq!(mac_verifies(&ber, "Secret-1"), Ok(true));
    // Cut short, as a file still being written would be.
    let half = f["p12_password"].len() / 2;
    assert_eq!(
        classify(&f["p12_password"][..half]),
        Some(Pkcs12Protection::Unknown)
    );
    // Fully indefinite with a malformed inside.
    let mut nested = vec![TAG_SEQUENCE, 0x80, TAG_INTEGER, 1, 3, TAG_SEQUENCE, 0x80];
    nested.extend_from_slice(&tlv(TAG_OID, OID_PKCS7_DATA));
    nested.extend_from_slice(&[TAG_CTX0, 0x80, 0x24, 0x80, 0x04, 1, 0x30, 0, 0, 0, 0, 0]);
    assert_eq!(classify(&nested), Some(Pkcs12Protection::Unknown));
}

#[test]
fn unsupported_or_hostile_macs_decide_nothing() {
    let auth_safe = seq(&[]);
    let pbmac1 = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0E];
    let md5 = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x05];
    let cases = [
        crafted_pfx(&auth_safe, &pbmac1, &[0; 32], &[8, 0]),
        crafted_pfx(&auth_safe, &md5, &[0; 16], &[8, 0]),
        crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x01, 0, 0, 0, 0, 0]),
        crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0]),
        crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x80]),
        crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[0x7F; 9]),
        crafted_pfx(&auth_safe, OID_SHA1, &[0; 19], &[1]),
    ];
    for pfx in &cases {
        // No bag at all: nothing to report, whatever the MAC.
        assert_eq!(classify(pfx), None);
        assert_eq!(mac_verifies(pfx, ""), Err(()));
    }
    let sha1 = crafted_pfx(&auth_safe, OID_SHA1, &[0; 20], &[1]);
    assert_eq!(mac_verifies(&sha1, ""), Ok(false));
}

#[test]
fn crafted_bags_decide() {
    let bag = |id: &[u8]| seq(&[&tlv(TAG_OID, id), &tlv(TAG_CTX0, &seq(&[]))]);
    let encrypted_data = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06];
    let plain = bag(OID_KEY_BAG);
    // A shrouded bag whose EncryptedPrivateKeyInfo does not parse.
    let shrouded = bag(OID_SHROUDED_KEY_BAG);
    let nested = seq(&[
        &tlv(TAG_OID, OID_SAFE_CONTENTS_BAG),
        &tlv(TAG_CTX0, &seq(&[&plain])),
    ]);
    let cert = bag(&[
        0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x03,
    ]);
    type Case<'a> = (&'a [&'a [u8]], &'a [u8], Option<Pkcs12Protection>);
    let open = Some(Pkcs12Protection::OpensWithEmptyPassword);
    let cases: &[Case<'_>] = &[
        (&[&plain], OID_PKCS7_DATA, open),
        (&[&nested], OID_PKCS7_DATA, open),
        (&[&plain, &shrouded], OID_PKCS7_DATA, open),
        (
            &[&shrouded],
            OID_PKCS7_DATA,
            Some(Pkcs12Protection::Unknown),
        ),
        (&[&cert], OID_PKCS7_DATA, None),
        (&[], OID_PKCS7_DATA, None),
        // Inside an encryptedData that does not decode: nothing seen.
        (&[&plain], &encrypted_data, None),
    ];
    for (bags, outer_type, expected) in cases {
        assert_eq!(classify(&pfx_of(bags, outer_type)), *expected);
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
    for fixture in f.values() {
        for end in 0..=fixture.len() {
            let prefix = &fixture[..end];
            let _ = classify_der(prefix);
            let _ = looks_like_der(prefix);
            // A PKCS#12 that still parses runs a KDF: only every 16th prefix.
            if end % 16 == 0 {
                let _ = classify(prefix);
            }
        }
        // Mutations in the headers, where length and tag handling live; those of a
        // PKCS#12 stay within its outer headers and ContentInfo OID.
        let reach = if looks_like_pfx(fixture) { 24 } else { 64 };
        let mut copy = fixture.clone();
        for i in 0..fixture.len().min(reach) {
            for value in [0x00, 0x30, 0x80, 0x84, 0xFF] {
                let original = copy[i];
                copy[i] = value;
                let _ = classify_der(&copy);
                let _ = classify(&copy);
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
        let _ = classify(&buf);
        let _ = mac_verifies(&buf, "");
        let _ = looks_like_der(&buf);
    }
    let deep: Vec<u8> = [TAG_SEQUENCE, 0x80].repeat(32 * 1024);
    assert_eq!(classify_der(&deep), None);
    assert_eq!(classify(&deep), None);
    let huge = [TAG_SEQUENCE, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x03];
    assert_eq!(classify_der(&huge), None);
    // Nested safeContentsBags beyond the depth bound.
    let key_bag = seq(&[&tlv(TAG_OID, OID_KEY_BAG), &tlv(TAG_CTX0, &[])]);
    let mut contents = seq(&[&key_bag]);
    for _ in 0..20 {
        let bag = seq(&[
            &tlv(TAG_OID, OID_SAFE_CONTENTS_BAG),
            &tlv(TAG_CTX0, &contents),
        ]);
        contents = seq(&[&bag]);
    }
    let pfx = pfx_of(&[], OID_PKCS7_DATA);
    assert_eq!(classify(&pfx), None);
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
    assert_eq!(classify(&pfx), Some(Pkcs12Protection::Unknown));
}
