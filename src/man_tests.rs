//! Keeps the man pages true: every subcommand, option, check, finding code, policy item
//! and policy key must appear in them, and `man` must render them without a warning.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use crate::checks::{CHECKS, RUNNER_CODES};
use crate::policy::schema;

const PAGE1: &str = include_str!("../man/csi-self-check.1");
const PAGE5: &str = include_str!("../man/csi-self-check-policy.5");

/// The page as a reader sees its words: roff escapes and font changes removed.
fn words(page: &str) -> String {
    crate::report::explain::plain_words(page)
}

fn assert_mentions(page: &str, name: &str, what: &str) {
    let text = words(page);
    let found = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(|w| w == what);
    assert!(found, "{name} does not document {what}");
}

#[test]
fn the_command_page_documents_every_subcommand_and_option() {
    let mut command = crate::cli::command();
    command.build();
    let mut stack = vec![command];
    while let Some(command) = stack.pop() {
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert_mentions(PAGE1, "csi-self-check.1", &format!("--{long}"));
            }
            if let Some(short) = arg.get_short() {
                assert_mentions(PAGE1, "csi-self-check.1", &format!("-{short}"));
            }
        }
        for sub in command.get_subcommands() {
            assert_mentions(PAGE1, "csi-self-check.1", sub.get_name());
            stack.push(sub.clone());
        }
    }
}

#[test]
fn the_command_page_documents_every_check_and_code() {
    for check in CHECKS {
        assert_mentions(PAGE1, "csi-self-check.1", check.id());
        for code in check.codes() {
            assert_mentions(PAGE1, "csi-self-check.1", code);
        }
    }
    for code in RUNNER_CODES
        .iter()
        .chain(crate::checks::key_passphrase::CODES)
        .chain([&crate::checks::waivers::EXPIRED])
    {
        assert_mentions(PAGE1, "csi-self-check.1", code);
    }
}

#[test]
fn both_pages_document_every_policy_item_and_key() {
    for spec in schema::ITEMS {
        assert_mentions(PAGE1, "csi-self-check.1", spec.id);
        assert_mentions(PAGE5, "csi-self-check-policy.5", spec.id);
        for param in schema::table_keys(spec) {
            assert_mentions(PAGE5, "csi-self-check-policy.5", param.key);
        }
    }
    for key in crate::policy::WAIVER_KEYS {
        assert_mentions(PAGE5, "csi-self-check-policy.5", key);
    }
    assert_mentions(PAGE5, "csi-self-check-policy.5", "waiver");
    for spec in schema::SETTINGS {
        assert_mentions(PAGE5, "csi-self-check-policy.5", spec.id);
        for param in schema::table_keys(spec) {
            assert_mentions(PAGE5, "csi-self-check-policy.5", param.key);
        }
    }
}

#[test]
fn man_renders_both_pages_without_warnings() {
    let have_man = Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_man {
        assert!(
            std::env::var_os("CI").is_none_or(|v| v != "true"),
            "man is not installed; under CI this cannot be skipped"
        );
        // A visible line, as the project's rule for skips asks.
        let _ = std::io::Write::write_all(
            &mut std::io::stdout(),
            b"SKIPPED man_renders_both_pages_without_warnings: man is not installed\n",
        );
        return;
    }
    let dir = env!("CARGO_MANIFEST_DIR");
    for page in ["man/csi-self-check.1", "man/csi-self-check-policy.5"] {
        let out = Command::new("man")
            .args(["--warnings", "-E", "UTF-8", "-l"])
            .arg(format!("{dir}/{page}"))
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "{page}: man failed");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(warnings.trim().is_empty(), "{page}: {warnings}");
        assert!(out.stdout.len() > 1000, "{page} rendered almost nothing");
    }
}
