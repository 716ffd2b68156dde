//! `breach import` and the lookups it enables: a generated download with known
//! entries, a CRLF one, a malformed one, and a truncated index, through the real
//! binary. The PAM helper's lookup is in `pam.rs`, with the rest of the real stack.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha1::Digest;

use crate::password::assert_never_shown;
use crate::util::{Cli, Home, Run};

/// In the generated index with count 42.
pub const BREACHED: &str = "Tr0ub4dor&3x!";
/// Meets every rule and is not in the index.
const CLEAN: &str = "vX9#qL2!mR7$kT4@";

pub fn sha1_hex(password: &str) -> String {
    sha1::Sha1::digest(password.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}

/// A download of `n` pseudo-random lines plus `extra`, with CRLF line ends.
pub fn download(n: u64, extra: &[(&str, u32)]) -> String {
    let mut text = String::new();
    let mut state = 0x1234_5678_9ABC_DEF0u64;
    for i in 0..n {
        let mut hex = String::new();
        for _ in 0..5 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let _ = write!(hex, "{:08X}", state as u32);
        }
        let _ = write!(text, "{hex}:{}\r\n", i % 1000 + 1);
    }
    for (password, count) in extra {
        let _ = write!(text, "{}:{count}\r\n", sha1_hex(password));
    }
    text
}

/// `breach import SOURCE --output INDEX` in `dir`.
pub fn import(dir: &Path, text: &str) -> (Run, PathBuf) {
    let source = dir.join("pwned-passwords-sha1.txt");
    std::fs::write(&source, text).unwrap();
    let index = dir.join("breach.idx");
    let run = Cli::new([
        "breach",
        "import",
        source.to_str().unwrap(),
        "--output",
        index.to_str().unwrap(),
    ])
    .run();
    (run, index)
}

/// A personal policy that adds `index` to the built-in paths (dropping them would
/// loosen a must-level item, which a personal file may not).
fn policy_with(home: &Home, index: &Path) -> PathBuf {
    home.file(
        "policy.toml",
        format!(
            "[password-entropy]\nbreach-indexes = [\"/var/lib/csi-self-check/breach.idx\", \"~/.local/share/csi-self-check/breach.idx\", \"{}\"]\n",
            index.display()
        )
        .as_bytes(),
        0o644,
    )
}

fn check(home: &Home, policy: &Path, password: &str) -> Run {
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "password",
        "--stdin",
    ])
    .stdin(password.as_bytes())
    .run();
    assert_never_shown(&run);
    assert!(
        !run.stdout.contains(&sha1_hex(password)),
        "the hash was shown"
    );
    run
}

#[test]
fn a_breached_password_is_refused_with_its_count_and_the_index_date() {
    let home = Home::new();
    let (run, index) = import(home.path(), &download(5000, &[(BREACHED, 42)]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("5001 hashes"), "{}", run.stdout);
    let policy = policy_with(&home, &index);

    let run = check(&home, &policy, BREACHED);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.codes(), ["password-breached"]);
    let finding = &run.json()["findings"][0];
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("seen 42 times"), "{message}");
    assert!(message.contains("(index of 20"), "{message}");
    assert_eq!(finding["path"], index.to_str().unwrap());

    let run = check(&home, &policy, CLEAN);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.codes(), ["password-ok"]);
    let message = run.json()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("not in the breached-password index"),
        "{message}"
    );

    // Raising the minimum count loosens a must-level item: a personal file may not.
    let stricter = home.file(
        "min.toml",
        format!(
            "[password-entropy]\nbreach-min-count = 43\nbreach-indexes = [\"/var/lib/csi-self-check/breach.idx\", \"~/.local/share/csi-self-check/breach.idx\", \"{}\"]\n",
            index.display()
        )
        .as_bytes(),
        0o644,
    );
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--policy",
        stricter.to_str().unwrap(),
        "password",
        "--stdin",
    ])
    .stdin(BREACHED.as_bytes())
    .run();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refusing to loosen"), "{}", run.stderr);
}

#[test]
fn the_personal_index_in_the_home_is_used_without_any_policy() {
    let home = Home::new();
    let dir = home.dir(".local/share/csi-self-check", 0o700);
    let (run, _) = import(&dir, &download(100, &[(BREACHED, 7)]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--stdin",
    ])
    .stdin(BREACHED.as_bytes())
    .run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("seen 7 times"), "{}", run.stdout);
}

#[test]
fn a_truncated_index_is_an_error_naming_it_never_a_pass() {
    let home = Home::new();
    let (run, index) = import(home.path(), &download(3000, &[(BREACHED, 42)]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() - 100]).unwrap();
    let policy = policy_with(&home, &index);
    for password in [BREACHED, CLEAN] {
        let run = check(&home, &policy, password);
        assert_eq!(run.code, 2, "{}", run.stdout);
        let findings = run.json()["findings"].as_array().unwrap().clone();
        let error = findings
            .iter()
            .find(|f| f["code"] == "password-breach-index-unusable")
            .unwrap_or_else(|| panic!("{findings:?}"));
        assert_eq!(error["status"], "error");
        assert_eq!(error["path"], index.to_str().unwrap());
        assert!(error["message"].as_str().unwrap().contains("truncated"));
        assert!(!findings.iter().any(|f| f["code"] == "password-ok"));
    }
}

#[test]
fn a_configured_index_that_is_missing_is_an_error() {
    let home = Home::new();
    let policy = policy_with(&home, &home.join("never-imported.idx"));
    let run = check(&home, &policy, CLEAN);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.codes()
            .contains(&"password-breach-index-unusable".to_owned())
    );
}

#[test]
fn a_malformed_download_is_one_line_naming_file_and_line() {
    let home = Home::new();
    let mut text = download(10, &[]);
    text.push_str("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8;3\r\n");
    let (run, index) = import(home.path(), &text);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("pwned-passwords-sha1.txt:11: no colon"),
        "{}",
        run.stderr
    );
    assert!(!index.exists(), "a failed import left an index");
}

#[test]
fn a_fifo_as_the_download_is_refused_without_blocking() {
    let home = Home::new();
    let fifo = home.fifo("pwned.txt");
    let run = Cli::new([
        "breach",
        "import",
        fifo.to_str().unwrap(),
        "--output",
        home.join("b.idx").to_str().unwrap(),
    ])
    .run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn key_check_refuses_a_breached_passphrase_that_opens_the_key() {
    let home = Home::with_ssh();
    let dir = home.dir(".local/share/csi-self-check", 0o700);
    let (run, _) = import(&dir, &download(100, &[(BREACHED, 42)]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let key = home.keygen(".ssh/id_breached", Some(BREACHED), None, 0o400);
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--format",
        "json",
        "key",
        "check",
        key.to_str().unwrap(),
        "--stdin",
    ])
    .stdin(BREACHED.as_bytes())
    .run();
    assert_never_shown(&run);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let mut codes = run.codes();
    codes.sort();
    assert_eq!(codes, ["key-passphrase-correct", "password-breached"]);
    assert!(run.stdout.contains("seen 42 times"), "{}", run.stdout);
}
