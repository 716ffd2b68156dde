//! Offline key backups and the reminders of behavioural items: `backup confirm`
//! with real keys from ssh-keygen and gpg, a medium that is a directory, the state
//! it leaves, and runs that remind only when something is due.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::{Cli, Home, have, is_root, skip};

/// `backup confirm --media MEDIUM` for `home`.
fn confirm_on(home: &Home, medium: &Path) -> crate::util::Run {
    Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "backup",
        "confirm",
        "--media",
        medium.to_str().unwrap(),
    ])
    .run()
}

/// The codes of the key-backup check, in order.
fn backup_codes(home: &Home) -> Vec<String> {
    let run = Cli::json(home, &["--only", "key-backup"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

fn statuses(home: &Home) -> Vec<String> {
    let run = Cli::json(home, &["--only", "key-backup"]);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_confirmed_backup_stops_the_reminder_until_a_new_key_appears() {
    if !have(
        "ssh-keygen",
        "a_confirmed_backup_stops_the_reminder_until_a_new_key_appears",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let first = home.keygen(".ssh/id_ed25519", Some("Correct-Horse-9!"), None, 0o600);
    let second = home.keygen(".ssh/id_rsa", Some("Correct-Horse-9!"), Some("PEM"), 0o600);
    assert_eq!(backup_codes(&home), ["backup-never-confirmed"]);
    assert_eq!(statuses(&home), ["remind"]);

    // The medium holds only the first key's public half: the second is not recorded.
    let medium = tempfile::tempdir().unwrap();
    std::fs::copy(
        first.with_extension("pub"),
        medium.path().join("id_ed25519.pub"),
    )
    .unwrap();
    let confirm = confirm_on(&home, medium.path());
    assert_eq!(confirm.code, 1, "{}{}", confirm.stdout, confirm.stderr);
    assert!(
        confirm.stdout.contains("1 of 2 key(s) recorded"),
        "{}",
        confirm.stdout
    );
    assert!(
        confirm
            .stdout
            .contains(&format!("MISSING   {}", second.display())),
        "{}",
        confirm.stdout
    );
    // The fingerprint is the one ssh-keygen prints.
    let listed = crate::util::tool("ssh-keygen")
        .arg("-lf")
        .arg(first.with_extension("pub"))
        .output()
        .unwrap();
    let fingerprint = String::from_utf8_lossy(&listed.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(confirm.stdout.contains(&fingerprint), "{}", confirm.stdout);
    // This medium is the test machine's own disk: said plainly.
    assert!(
        confirm.stdout.contains("NOT removable"),
        "{}",
        confirm.stdout
    );
    assert!(
        backup_codes(&home).contains(&"backup-key-not-backed-up".to_owned()),
        "{:?}",
        backup_codes(&home)
    );

    // Both halves on the medium: no more reminders.
    std::fs::copy(
        second.with_extension("pub"),
        medium.path().join("id_rsa.pub"),
    )
    .unwrap();
    let confirm = confirm_on(&home, medium.path());
    assert!(
        confirm.stdout.contains("2 of 2 key(s) recorded"),
        "{}",
        confirm.stdout
    );
    assert!(
        !statuses(&home).iter().any(|s| s == "remind"),
        "{:?}",
        backup_codes(&home)
    );
    // The record holds fingerprints only, in a private file in a private directory.
    let state = home.join(".local/state/csi-self-check");
    let record = std::fs::read_to_string(state.join("backup.json")).unwrap();
    assert!(record.contains(&fingerprint), "{record}");
    assert!(!record.contains("PRIVATE KEY"), "{record}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("backup.json")), 0o600);

    // A new key: reminded again, by name.
    let third = home.keygen(".ssh/id_new", Some("Correct-Horse-9!"), None, 0o600);
    let run = Cli::json(&home, &["--only", "key-backup"]);
    let doc = run.json();
    let reminder = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "backup-key-not-backed-up")
        .unwrap_or_else(|| panic!("{}", run.stdout))
        .clone();
    assert_eq!(reminder["path"], third.to_str().unwrap());
    assert_eq!(reminder["status"], "remind");
}

#[test]
fn a_medium_that_is_always_mounted_is_not_offline() {
    if !have(
        "ssh-keygen",
        "a_medium_that_is_always_mounted_is_not_offline",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("Correct-Horse-9!"), None, 0o600);
    let medium = tempfile::tempdir().unwrap();
    std::fs::copy(key.with_extension("pub"), medium.path().join("k.pub")).unwrap();
    confirm_on(&home, medium.path());
    // Each run looks once; the temporary directory's filesystem is always mounted.
    for _ in 0..3 {
        assert!(!backup_codes(&home).contains(&"backup-medium-never-unplugged".to_owned()));
    }
    let run = Cli::json(&home, &["--only", "key-backup"]);
    let doc = run.json();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "backup-medium-never-unplugged")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    // "Only connected to a host while a backup is being made" is a must: its
    // shortfall is a failure, and the run says so in its exit status.
    assert_eq!(finding["status"], "fail");
    assert_eq!(finding["level"], "must");
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn gnupg_keys_match_their_public_export_and_revocations_are_reminded() {
    if !have(
        "gpg",
        "gnupg_keys_match_their_public_export_and_revocations_are_reminded",
    ) {
        return;
    }
    let home = Home::new();
    let gnupg = home.dir(".gnupg", 0o700);
    let gpg = |args: &[&str]| {
        let out = crate::util::tool("gpg")
            .args(["--batch", "--homedir", gnupg.to_str().unwrap()])
            .args([
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "Correct-Horse-9!",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    gpg(&[
        "--quick-gen-key",
        "Alice <alice@example.org>",
        "default",
        "default",
        "never",
    ]);
    let public = gpg(&["--armor", "--export", "alice@example.org"]);
    let _ = crate::util::tool("gpgconf")
        .args(["--homedir", gnupg.to_str().unwrap(), "--kill", "all"])
        .status();
    let medium = tempfile::tempdir().unwrap();
    std::fs::write(medium.path().join("alice.asc"), &public).unwrap();
    let confirm = confirm_on(&home, medium.path());
    // Key and subkey, both matched through the public export's keygrips.
    assert!(
        confirm.stdout.contains("2 of 2 key(s) recorded"),
        "{}",
        confirm.stdout
    );
    assert!(
        confirm.stdout.contains("revocation certificate"),
        "{}",
        confirm.stdout
    );
    let codes = backup_codes(&home);
    assert!(
        codes.contains(&"backup-revocation-local-only".to_owned()),
        "{codes:?}"
    );
    assert_eq!(statuses(&home).iter().filter(|s| *s == "remind").count(), 1);
    // The revocation certificate copied too: nothing left to remind of.
    let revocs = medium.path().join("openpgp-revocs.d");
    std::fs::create_dir(&revocs).unwrap();
    for entry in std::fs::read_dir(gnupg.join("openpgp-revocs.d")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), revocs.join(entry.file_name())).unwrap();
    }
    confirm_on(&home, medium.path());
    assert!(
        !statuses(&home).iter().any(|s| s == "remind"),
        "{:?}",
        backup_codes(&home)
    );
}

fn reminded(home: &Home, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--only", "reminders"];
    args.extend_from_slice(extra);
    let run = Cli::json(home, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["status"], "remind");
            f["policy"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn behavioural_items_are_reminded_once_per_interval() {
    let home = Home::new();
    let first = reminded(&home, &[]);
    assert!(
        first.contains(&"password-dissemination".to_owned()),
        "{first:?}"
    );
    assert!(first.contains(&"incident-reporting".to_owned()));
    assert!(
        !first.contains(&"key-security".to_owned()),
        "a checked item"
    );
    assert!(
        reminded(&home, &[]).is_empty(),
        "shown again within the interval"
    );
    assert_eq!(reminded(&home, &["--remind", "all"]), first);
    assert!(reminded(&home, &["--remind", "never"]).is_empty());
    // The incident contact from the policy is in the reminder.
    let policy = home.file(
        "site.toml",
        b"[incident-reporting]\ncontact = \"security@example.org\"\n",
        0o644,
    );
    let run = Cli::json(
        &home,
        &[
            "--only",
            "incident-reporting",
            "--remind",
            "all",
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    assert!(
        run.stdout.contains("Tell: security@example.org."),
        "{}",
        run.stdout
    );
    // A shorter interval in a personal policy makes them due again.
    std::fs::write(&policy, "[incident-reporting]\nremind-interval-days = 1\n").unwrap();
    let state = home.join(".local/state/csi-self-check/reminders.json");
    let text = std::fs::read_to_string(&state).unwrap();
    // Shown two days ago, as far as the record knows.
    let two_days_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 2 * 86_400;
    let mut shown: serde_json::Value = serde_json::from_str(&text).unwrap();
    for value in shown["last_shown"].as_object_mut().unwrap().values_mut() {
        *value = serde_json::json!(two_days_ago);
    }
    std::fs::write(&state, serde_json::to_vec(&shown).unwrap()).unwrap();
    let run = Cli::json(
        &home,
        &["--only", "reminders", "--policy", policy.to_str().unwrap()],
    );
    assert_eq!(
        run.json()["findings"].as_array().unwrap().len(),
        first.len(),
        "{}",
        run.stdout
    );
}

#[test]
fn an_audit_by_root_leaves_the_persons_reminders_alone() {
    if !is_root() {
        skip(
            "an_audit_by_root_leaves_the_persons_reminders_alone",
            "needs root to audit another account",
        );
        return;
    }
    let home = Home::new();
    home.chown_all(65534);
    let run = Cli::json(&home, &["--only", "reminders"]);
    assert!(!run.json()["findings"].as_array().unwrap().is_empty());
    assert!(
        !home.join(".local").exists(),
        "root's audit wrote into the person's state directory"
    );
    // The person's own run records what it showed.
    let own = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "reminders",
    ])
    .run_as(65534)
    .run();
    assert_eq!(own.code, 0, "{}", own.stderr);
    assert!(
        home.join(".local/state/csi-self-check/reminders.json")
            .exists()
    );
}
