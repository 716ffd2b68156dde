//! Each token format of `tokens.rs`, with an example made from its shape at test time:
//! found wherever a token stands, masked whole; its near miss refused; checksums held to.
#![allow(clippy::unwrap_used)]

use super::tokens::*;
use crate::plaintext::engine::find_by_rule;
use crate::plaintext::patterns::tests::assert_unseen;
use crate::plaintext::patterns::{find_in_line, mask};
use crate::plaintext::shapes::{CONTEXTS, Dice, base64url, example, near_miss, secret_of};

#[test]
fn every_token_is_found_and_masked_wherever_it_stands() {
    let mut failures = Vec::new();
    for (n, token) in TOKENS.iter().enumerate() {
        for (c, context) in CONTEXTS.iter().enumerate() {
            let whole = example(token, (n * 31 + c) as u64 + 1);
            let secret = secret_of(token, &whole);
            let line = context.replace("<T>", &whole);
            let at = context.find("<T>").unwrap() + whole.find(&secret).unwrap();
            let hits = find_in_line(line.as_bytes());
            let masked = mask(line.as_bytes(), &hits);
            // A broad format's example may also fit a more specific one before it,
            // which then names it.
            let named = |kind: &str| {
                kind == token.kind
                    || TOKENS[..n].iter().any(|earlier| {
                        earlier.kind == kind
                            && !find_by_rule(earlier.id, line.as_bytes())
                                .unwrap()
                                .is_empty()
                    })
            };
            if hits.len() != 1 || !named(hits[0].kind) || hits[0].secret != (at..at + secret.len())
            {
                let got: Vec<(&str, &str)> = hits
                    .iter()
                    .map(|h| (h.kind, &line[h.secret.clone()]))
                    .collect();
                failures.push(format!("{}: {line}\n    -> {got:?}", token.id));
                break;
            }
            assert_unseen(&masked, &secret, &line);
        }
    }
    assert!(
        failures.is_empty(),
        "{} formats failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_near_miss_is_refused() {
    let mut failures = Vec::new();
    for (n, token) in TOKENS.iter().enumerate() {
        let near = near_miss(token, n as u64 + 7);
        let line = format!("mytool login {near} now");
        let found = find_by_rule(token.id, line.as_bytes()).unwrap();
        if !found.is_empty() || near.is_empty() {
            failures.push(format!("{}: {near:?} -> {found:?}", token.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} near misses matched:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn ids_are_unique_and_triggers_occur_in_examples() {
    let mut ids: Vec<&str> = TOKENS.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), TOKENS.len());
    assert!(TOKENS.len() >= 120, "{}", TOKENS.len());
    for (n, token) in TOKENS.iter().enumerate() {
        for seed in 0..20 {
            let whole = example(token, (n * 1000 + seed) as u64);
            assert!(
                token.triggers.iter().any(|t| whole.contains(t)),
                "{}: {whole} holds no trigger",
                token.id
            );
        }
    }
}

#[test]
fn checksums_hold_and_random_strings_fail_them() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(&base62_6(0), b"000000");
    assert_eq!(&base62_6(61), b"00000z");
    let mut dice = Dice::new(3);
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut accepted = 0;
    for _ in 0..2000 {
        let body: String = (0..36).map(|_| char::from(alnum[dice.below(62)])).collect();
        accepted += usize::from(crc32_base62_ok(format!("ghp_{body}").as_bytes()));
        let line = format!("x pypi-AgEIcHlwaS5vcmc{body}{body} y");
        accepted += find_in_line(line.as_bytes()).len();
    }
    assert_eq!(accepted, 0);
    // A real macaroon with one byte changed in its layout is no longer one.
    let pypi = TOKENS.iter().find(|t| t.id == "pypi-upload-token").unwrap();
    let good = example(pypi, 9);
    assert_eq!(find_in_line(good.as_bytes()).len(), 1);
    assert_eq!(base64url(b"\x02\x01\x08pypi.org\x02"), "AgEIcHlwaS5vcmcC");
    // The placeholders documentation uses.
    for placeholder in [
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
        "sk_live_0000000000000000000000000",
        "shpat_0123456789abcdef0123456789abcdef",
        "AKIAIOSFODNN7EXAMPLE",
        "glpat-xxxxxxxxxxxxxxxxxxxx",
        "hf_abcdefghijklmnopqrstuvwxyzabcdefgh",
    ] {
        let line = format!("export SETTING={placeholder}");
        assert!(find_in_line(line.as_bytes()).is_empty(), "{placeholder}");
    }
}
