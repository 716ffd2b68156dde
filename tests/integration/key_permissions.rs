//! Every permission case of the key-permissions check, on keys made by ssh-keygen.

use crate::util::{Cli, Home, chmod, have, is_root, skip};

fn triple(status: &str, level: &str, code: &str) -> (String, String, String) {
    (status.to_owned(), level.to_owned(), code.to_owned())
}

#[test]
fn each_private_key_mode_gets_its_verdict() {
    if !have("ssh-keygen", "each_private_key_mode_gets_its_verdict") {
        return;
    }
    let home = Home::with_ssh();
    let cases = [
        (0o400, triple("pass", "must", "private-key-ok")),
        (
            0o600,
            triple("warn", "should", "private-key-owner-writable"),
        ),
        (
            0o700,
            triple("warn", "should", "private-key-owner-writable"),
        ),
        (0o440, triple("fail", "must", "private-key-group-readable")),
        (0o640, triple("fail", "must", "private-key-group-readable")),
        (0o660, triple("fail", "must", "private-key-group-writable")),
        (0o610, triple("fail", "must", "private-key-group-writable")),
        (
            0o644,
            triple("fail", "must", "private-key-world-accessible"),
        ),
        (
            0o604,
            triple("fail", "must", "private-key-world-accessible"),
        ),
        (
            0o401,
            triple("fail", "must", "private-key-world-accessible"),
        ),
        // Execute and the special bits, each named for what it is.
        (0o410, triple("fail", "must", "private-key-group-writable")),
        (
            0o500,
            triple("warn", "should", "private-key-owner-writable"),
        ),
        (
            0o4400,
            triple("warn", "should", "private-key-owner-writable"),
        ),
        (
            0o3600,
            triple("warn", "should", "private-key-owner-writable"),
        ),
    ];
    let mut keys = Vec::new();
    for (i, (mode, _)) in cases.iter().enumerate() {
        keys.push(home.keygen(&format!(".ssh/key{i}"), Some("a passphrase"), None, *mode));
    }
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for (key, (mode, expected)) in keys.iter().zip(&cases) {
        assert_eq!(
            run.findings_for(key),
            std::slice::from_ref(expected),
            "mode {mode:o}"
        );
    }
    // Each fix names the policy's mode and the file.
    let json = run.json();
    let fix = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == keys[7].to_str().unwrap())
        .unwrap()["fix"]
        .clone();
    assert_eq!(fix, format!("chmod 400 {}", keys[7].display()));
    // Words for every bit: no "writable" for what only executes or is set-ID.
    let said = |i: usize| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == keys[i].to_str().unwrap())
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (i, words) in [
        (10, "is executable by its group"),
        (11, "is executable by its owner"),
        (12, "carries the set-user-ID bit"),
        (
            13,
            "is writable by its owner and carries the set-group-ID and sticky bit",
        ),
        (1, "is writable by its owner"),
        (4, "is readable by its group"),
        (5, "is readable and writable by its group"),
    ] {
        let message = said(i);
        assert!(message.contains(words), "mode {:o}: {message}", cases[i].0);
    }
    for i in [10, 11, 12] {
        assert!(!said(i).contains("writ"), "{}", said(i));
    }
    // The group-readable message says both: the standard tolerates it, OpenSSH does not.
    let text = Cli::new(["--home", home.path().to_str().unwrap()])
        .run()
        .stdout;
    assert!(text.contains("The standard tolerates group read"), "{text}");
    assert!(text.contains("OpenSSH refuses"), "{text}");
}

#[test]
fn a_clean_ssh_dir_exits_zero() {
    if !have("ssh-keygen", "a_clean_ssh_dir_exits_zero") {
        return;
    }
    let home = Home::with_ssh();
    home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o400);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["summary"]["fail"], 0);
    // 0600, the ssh-keygen default, is a should-level warning and still exit 0.
    chmod(&home.join(".ssh/id_ed25519"), 0o600);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["summary"]["warn"], 1);
}

#[test]
fn keys_are_recognised_by_content_in_every_text_format() {
    if !have(
        "ssh-keygen",
        "keys_are_recognised_by_content_in_every_text_format",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let pem = home.keygen(".ssh/legacy", None, Some("PEM"), 0o644);
    let pkcs8 = home.keygen(".ssh/modern", None, Some("PKCS8"), 0o644);
    // A key under a name that says nothing, and one in a project subdirectory.
    let openssh = home.keygen(".ssh/id_ed25519", None, None, 0o400);
    let notes = home.file(".ssh/notes.txt", &std::fs::read(&openssh).unwrap(), 0o644);
    home.dir(".ssh/work", 0o700);
    let nested = home.keygen(".ssh/work/deploy", Some("pass phrase"), None, 0o640);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    for path in [&pem, &pkcs8, &notes] {
        assert_eq!(
            run.findings_for(path),
            [triple("fail", "must", "private-key-world-accessible")],
            "{}",
            path.display()
        );
    }
    assert_eq!(
        run.findings_for(&nested),
        [triple("fail", "must", "private-key-group-readable")]
    );
    let messages = run.stdout;
    assert!(
        messages.contains("PEM RSA (PKCS#1) private key"),
        "{messages}"
    );
    assert!(messages.contains("PKCS#8 private key"), "{messages}");
}

#[test]
fn public_material_is_never_flagged() {
    if !have("ssh-keygen", "public_material_is_never_flagged") {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o400);
    // Public keys, a certificate, known_hosts and other files, all world-writable.
    let pubkey = home.join(".ssh/id_ed25519.pub");
    chmod(&pubkey, 0o666);
    let ca = home.keygen("ca", None, None, 0o600);
    let out = crate::util::tool("ssh-keygen")
        .args(["-q", "-s"])
        .arg(&ca)
        .args(["-I", "test", "-n", "alice"])
        .arg(&pubkey)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cert = home.join(".ssh/id_ed25519-cert.pub");
    chmod(&cert, 0o666);
    let known = home.file(
        ".ssh/known_hosts",
        b"host.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\n",
        0o666,
    );
    let other = home.file(".ssh/README", b"not a key\n", 0o666);
    let x509 = home.file(
        ".ssh/server.crt",
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        0o666,
    );
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for path in [&pubkey, &cert, &known, &other, &x509] {
        assert!(
            run.findings_for(path).is_empty(),
            "{} was flagged: {:?}",
            path.display(),
            run.findings_for(path)
        );
    }
    assert_eq!(
        run.findings_for(&key),
        [triple("pass", "must", "private-key-ok")]
    );
}

#[test]
fn the_ssh_directory_must_be_0700() {
    let home = Home::with_ssh();
    let ssh = home.join(".ssh");
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&ssh),
        [triple("pass", "must", "ssh-dir-ok")]
    );
    for mode in [0o750, 0o755, 0o711, 0o701] {
        chmod(&ssh, mode);
        let run = Cli::json(&home, &["--only", "key-permissions"]);
        assert_eq!(run.code, 1, "mode {mode:o}");
        assert_eq!(
            run.findings_for(&ssh),
            [triple("fail", "must", "ssh-dir-too-open")],
            "mode {mode:o}"
        );
    }
    chmod(&ssh, 0o500);
    assert_eq!(
        Cli::json(&home, &["--only", "key-permissions"]).findings_for(&ssh),
        [triple("pass", "must", "ssh-dir-ok")]
    );
}

#[test]
fn authorized_keys_and_config_must_not_be_writable_by_others() {
    let home = Home::with_ssh();
    let ak = home.file(
        ".ssh/authorized_keys",
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI x\n",
        0o644,
    );
    let config = home.file(".ssh/config", b"Host *\n", 0o644);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.findings_for(&ak),
        [triple("pass", "must", "authorized-keys-ok")]
    );
    assert_eq!(
        run.findings_for(&config),
        [triple("pass", "must", "ssh-config-ok")]
    );
    chmod(&ak, 0o664);
    chmod(&config, 0o646);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings_for(&ak),
        [triple("fail", "must", "authorized-keys-writable")]
    );
    assert_eq!(
        run.findings_for(&config),
        [triple("fail", "must", "ssh-config-writable")]
    );
}

#[test]
fn a_key_or_directory_owned_by_someone_else_fails() {
    if !is_root() {
        return skip(
            "a_key_or_directory_owned_by_someone_else_fails",
            "chown to another user needs root",
        );
    }
    if !have(
        "ssh-keygen",
        "a_key_or_directory_owned_by_someone_else_fails",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o400);
    let ak = home.file(".ssh/authorized_keys", b"", 0o600);
    nix::unistd::chown(&key, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
    nix::unistd::chown(&ak, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings_for(&key),
        [triple("fail", "must", "private-key-not-owned")]
    );
    assert_eq!(
        run.findings_for(&ak),
        [triple("fail", "must", "authorized-keys-not-owned")]
    );
    nix::unistd::chown(
        &home.join(".ssh"),
        Some(nix::unistd::Uid::from_raw(65534)),
        None,
    )
    .unwrap();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&home.join(".ssh")),
        [triple("fail", "must", "ssh-dir-not-owned")]
    );
}

#[test]
fn no_ssh_directory_is_nothing_to_check() {
    let home = Home::new();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.findings_for(&home.join(".ssh")),
        [triple("skip", "must", "no-ssh-dir")]
    );
}

#[test]
fn a_site_that_tolerates_group_read_still_hears_what_openssh_does() {
    if !have(
        "ssh-keygen",
        "a_site_that_tolerates_group_read_still_hears_what_openssh_does",
    ) {
        return;
    }
    // A policy file in a personal location cannot loosen max-mode...
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o440);
    let loose = home.file(
        "loose.toml",
        b"[key-security]\nmax-mode = \"0440\"\n",
        0o644,
    );
    let run = Cli::json(
        &home,
        &[
            "--only",
            "key-permissions",
            "--policy",
            loose.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("key-security.max-mode"),
        "{}",
        run.stderr
    );
    // ...but it can lower a should-level item, and the key is still judged by 0400.
    let fine = home.file(
        "fine.toml",
        b"[ssh-proxycommand]\nlevel = \"should\"\n",
        0o644,
    );
    let run = Cli::json(
        &home,
        &[
            "--only",
            "key-permissions",
            "--policy",
            fine.to_str().unwrap(),
        ],
    );
    assert_eq!(
        run.findings_for(&key),
        [triple("fail", "must", "private-key-group-readable")]
    );
}

#[test]
fn a_home_others_can_write_fails() {
    let home = Home::with_ssh();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(home.path()),
        [triple("pass", "must", "home-ok")]
    );
    chmod(home.path(), 0o757);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.findings_for(home.path()),
        [triple("fail", "must", "home-writable")]
    );
    // Group-writable: a failure, or a should-level warning when the group is the
    // owner's own private group (which Debian's OpenSSH accepts).
    chmod(home.path(), 0o775);
    let found = Cli::json(&home, &["--only", "key-permissions"]).findings_for(home.path());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].2, "home-writable");
    assert!(
        found[0] == triple("fail", "must", "home-writable")
            || found[0] == triple("warn", "should", "home-writable")
    );
    chmod(home.path(), 0o755);
}

/// Root checking someone else's home becomes that person first: a file only root may
/// read stays unread, and the report is about the home's owner.
#[test]
fn root_drops_to_the_owner_of_the_home_it_checks() {
    if !is_root() {
        return skip(
            "root_drops_to_the_owner_of_the_home_it_checks",
            "dropping privileges needs root",
        );
    }
    if !have(
        "ssh-keygen",
        "root_drops_to_the_owner_of_the_home_it_checks",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o644);
    home.chown_all(65534);
    // Root's own key inside nobody's ~/.ssh, readable by root alone.
    let secret = home.keygen(".ssh/id_root", None, None, 0o600);
    nix::unistd::chown(
        &secret,
        Some(nix::unistd::Uid::from_raw(0)),
        Some(nix::unistd::Gid::from_raw(0)),
    )
    .unwrap();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let nobody = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(65534))
        .unwrap()
        .unwrap()
        .name;
    assert_eq!(run.json()["user"], nobody.as_str());
    assert_eq!(
        run.findings_for(&key),
        [triple("fail", "must", "private-key-world-accessible")]
    );
    // As root it would have been read and flagged as a key owned by root; as nobody
    // it cannot be opened at all.
    assert_eq!(
        run.findings_for(&secret),
        [triple("skip", "must", "unreadable")]
    );
}
