//! Hostile entries in `~/.ssh`: nothing is followed, nothing blocks, nothing read from
//! behind a link reaches the output, and names cannot drive the terminal.

use std::os::unix::ffi::OsStrExt;

use crate::util::{Cli, Home, chmod, have, is_root, skip};

/// The issue's "done when": a 0644 and a 0400 encrypted key, a FIFO named id_rsa, a
/// link to /etc/shadow, a 10 GB sparse file and public keys.
#[test]
fn the_hostile_ssh_directory_of_the_acceptance_test() {
    if !have(
        "ssh-keygen",
        "the_hostile_ssh_directory_of_the_acceptance_test",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let loose = home.keygen(".ssh/id_loose", Some("pass phrase"), None, 0o644);
    let tight = home.keygen(".ssh/id_tight", Some("pass phrase"), None, 0o400);
    let fifo = home.fifo(".ssh/id_rsa");
    let link = home.symlink(".ssh/id_x", "/etc/shadow");
    let sparse = home.sparse(".ssh/huge", 10 << 30);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.elapsed.as_secs() < 30, "took {:?}", run.elapsed);
    assert_eq!(
        run.findings_for(&loose),
        [(
            "fail".into(),
            "must".into(),
            "private-key-world-accessible".into()
        )]
    );
    let json = run.json();
    let loose_finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == loose.to_str().unwrap())
        .unwrap();
    assert_eq!(loose_finding["policy"], "key-security");
    assert_eq!(run.findings_for(&tight)[0].2, "private-key-ok");
    assert_eq!(
        run.findings_for(&fifo),
        [("skip".into(), "must".into(), "not-regular-file".into())]
    );
    assert_eq!(
        run.findings_for(&link),
        [("skip".into(), "must".into(), "symlink-not-followed".into())]
    );
    assert!(run.findings_for(&sparse).is_empty());
    for public in [".ssh/id_loose.pub", ".ssh/id_tight.pub"] {
        assert!(
            run.findings_for(&home.join(public)).is_empty(),
            "{public} flagged"
        );
    }
    // Nothing of /etc/shadow: no line of it (where readable) appears in any output.
    let text = Cli::new(["--home", home.path().to_str().unwrap()]).run();
    if let Ok(shadow) = std::fs::read_to_string("/etc/shadow") {
        for line in shadow.lines().filter(|l| l.len() > 8) {
            for out in [&run.stdout, &run.stderr, &text.stdout, &text.stderr] {
                assert!(
                    !out.contains(line),
                    "a line of /etc/shadow reached the output"
                );
            }
            let hash = line.split(':').nth(1).unwrap_or("");
            if hash.len() > 3 {
                assert!(!run.stdout.contains(hash) && !text.stdout.contains(hash));
            }
        }
    }
}

#[test]
fn a_link_out_of_the_home_is_reported_not_followed() {
    if !have(
        "ssh-keygen",
        "a_link_out_of_the_home_is_reported_not_followed",
    ) {
        return;
    }
    // If the link were followed, the 0644 key behind it would be flagged as a key.
    let home = Home::with_ssh();
    let elsewhere = Home::new();
    let outside = elsewhere.keygen("loose", None, None, 0o644);
    let link = home.symlink(".ssh/id_ed25519", &outside);
    let dirlink = home.symlink(".ssh/keys", home.path());
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.findings_for(&link)[0].2, "symlink-not-followed");
    assert_eq!(run.findings_for(&dirlink)[0].2, "symlink-not-followed");
    assert!(run.findings_for(&outside).is_empty());
    let doc = run.json();
    let message = &doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == link.to_str().unwrap())
        .unwrap()["message"];
    assert!(
        message
            .as_str()
            .unwrap()
            .contains(outside.to_str().unwrap()),
        "the target is named: {message}"
    );
}

#[test]
fn a_link_to_the_persons_own_key_is_followed_and_judged() {
    if !have(
        "ssh-keygen",
        "a_link_to_the_persons_own_key_is_followed_and_judged",
    ) {
        return;
    }
    // Dotfiles: ~/.ssh/id_ed25519 -> ~/dotfiles/ssh/id_ed25519, left 0644.
    let home = Home::with_ssh();
    home.dir("dotfiles/ssh", 0o755);
    let key = home.keygen("dotfiles/ssh/id_ed25519", None, None, 0o644);
    home.symlink(".ssh/id_ed25519", "../dotfiles/ssh/id_ed25519");
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.findings_for(&key),
        [(
            "fail".into(),
            "must".into(),
            "private-key-world-accessible".into()
        )]
    );
}

#[test]
fn a_linked_ssh_directory_is_followed_and_judged_as_sshd_judges_it() {
    if !have(
        "ssh-keygen",
        "a_linked_ssh_directory_is_followed_and_judged_as_sshd_judges_it",
    ) {
        return;
    }
    // To the person's own directory in the home: its keys are found, its mode judged.
    let home = Home::new();
    home.dir("dotfiles/ssh", 0o700);
    let key = home.keygen("dotfiles/ssh/id_ed25519", None, None, 0o644);
    home.symlink(".ssh", "dotfiles/ssh");
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&home.join(".ssh")),
        [("pass".into(), "must".into(), "ssh-dir-ok".into())]
    );
    assert_eq!(
        run.findings_for(&key),
        [(
            "fail".into(),
            "must".into(),
            "private-key-world-accessible".into()
        )]
    );
    // To a directory anyone can write: sshd refuses it, and so does the check.
    chmod(&home.join("dotfiles/ssh"), 0o777);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&home.join(".ssh")),
        [("fail".into(), "must".into(), "ssh-dir-too-open".into())]
    );
    // Through a directory anyone can write: not followed, and a failure.
    chmod(&home.join("dotfiles/ssh"), 0o700);
    chmod(&home.join("dotfiles"), 0o777);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&home.join(".ssh")),
        [("fail".into(), "must".into(), "ssh-dir-symlink".into())]
    );
    assert!(run.findings_for(&key).is_empty());
    // Out of the home to /tmp, which sshd refuses (anyone can write it).
    std::fs::remove_file(home.join(".ssh")).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix("csi-ssh")
        .tempdir_in("/tmp")
        .unwrap();
    chmod(tmp.path(), 0o700);
    home.symlink(".ssh", tmp.path());
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    let found = run.findings_for(&home.join(".ssh"));
    assert_eq!(
        found,
        [("fail".into(), "must".into(), "ssh-dir-symlink".into())]
    );
    assert!(
        run.stdout.contains("sshd's StrictModes refuses"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_linked_authorized_keys_is_judged_by_its_target() {
    let home = Home::with_ssh();
    home.dir("dotfiles", 0o755);
    let target = home.file("dotfiles/authorized_keys", b"", 0o666);
    let link = home.symlink(".ssh/authorized_keys", "../dotfiles/authorized_keys");
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&target),
        [(
            "fail".into(),
            "must".into(),
            "authorized-keys-writable".into()
        )]
    );
    // Through a directory anyone can write: sshd refuses it.
    chmod(&target, 0o600);
    chmod(&home.join("dotfiles"), 0o777);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(
        run.findings_for(&link),
        [(
            "fail".into(),
            "must".into(),
            "authorized-keys-writable".into()
        )]
    );
}

#[test]
fn loops_sockets_and_fifos_neither_hang_nor_crash() {
    let home = Home::with_ssh();
    home.symlink(".ssh/loop-a", "loop-b");
    home.symlink(".ssh/loop-b", "loop-a");
    home.symlink(".ssh/self", "self");
    home.symlink(".ssh/dangling", "/nonexistent/key");
    let socket = home.socket(".ssh/agent.sock");
    crate::util::chmod(&socket, 0o600);
    home.dir(".ssh/agent", 0o700);
    let exposed = home.socket(".ssh/agent/s.12345");
    crate::util::chmod(&exposed, 0o666);
    let fifo = home.fifo(".ssh/config");
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    // Sockets are agents' (judged from lstat, never connected to); the FIFO is not opened.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings_for(&socket)[0].2, "agent-socket-ok");
    assert_eq!(
        run.findings_for(&exposed)[0],
        ("fail".into(), "must".into(), "agent-socket-exposed".into())
    );
    assert_eq!(run.findings_for(&fifo)[0].2, "not-regular-file");
    for name in ["loop-a", "loop-b", "self", "dangling"] {
        assert_eq!(
            run.findings_for(&home.join(".ssh").join(name))[0].2,
            "symlink-not-followed",
            "{name}"
        );
    }
}

#[test]
fn a_device_is_not_opened() {
    if !is_root() {
        return skip("a_device_is_not_opened", "mknod needs root");
    }
    let home = Home::with_ssh();
    let device = home.join(".ssh/id_dev");
    // A character device like /dev/zero (1:5): reading it would never end.
    nix::sys::stat::mknod(
        &device,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::from_bits_truncate(0o644),
        nix::sys::stat::makedev(1, 5),
    )
    .unwrap();
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.findings_for(&device)[0].2, "not-regular-file");
    assert!(
        run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("character device"))
    );
}

#[test]
fn unreadable_entries_are_skipped_with_a_reason() {
    // Root reads everything, so as root the run happens as nobody on a home nobody owns.
    let home = Home::with_ssh();
    let key_bytes = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
    let locked = home.file(".ssh/id_locked", key_bytes, 0o000);
    let closed = home.dir(".ssh/closed", 0o000);
    let mut cli = Cli::new(["--home", home.path().to_str().unwrap(), "--format", "json"]);
    if is_root() {
        home.chown_all(65534);
        cli = cli.run_as(65534);
    }
    let run = cli.run();
    assert_eq!(run.code, 0, "{} {}", run.stdout, run.stderr);
    assert_eq!(
        run.findings_for(&locked),
        [("skip".into(), "must".into(), "unreadable".into())]
    );
    assert_eq!(
        run.findings_for(&closed),
        [("skip".into(), "must".into(), "unreadable".into())]
    );
    assert!(run.stdout.contains("permission denied"));
}

#[test]
fn escape_sequences_and_invalid_bytes_in_names_stay_inert() {
    if !have(
        "ssh-keygen",
        "escape_sequences_and_invalid_bytes_in_names_stay_inert",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen("k", None, None, 0o644);
    let bytes = std::fs::read(&key).unwrap();
    let nasty = std::ffi::OsStr::from_bytes(b"id_\x1b[2J\x1b]0;pwned\x07\xff\xfe");
    let bidi = "id_\u{202E}txt.exe";
    home.file(std::path::Path::new(".ssh").join(nasty), &bytes, 0o644);
    home.file(format!(".ssh/{bidi}"), &bytes, 0o644);
    let text = Cli::new(["--home", home.path().to_str().unwrap(), "--color", "always"]).run();
    assert_eq!(text.code, 1);
    let raw_controls = text.stdout.replace("\x1b[", "").contains('\x1b');
    assert!(
        !raw_controls,
        "an escape from a name reached the terminal: {:?}",
        text.stdout
    );
    assert!(!text.stdout.contains('\x07'));
    assert!(!text.stdout.contains('\u{202E}'));
    assert!(
        text.stdout
            .contains(r"id_\u{001B}[2J\u{001B}]0;pwned\u{0007}\xFF\xFE"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(r"$'"),
        "the fix quotes the name safely: {}",
        text.stdout
    );
    // Colour codes are ours only: every ESC starts a colour sequence (ESC [ digits m).
    for piece in text.stdout.split('\x1b').skip(1) {
        let end = piece.find('m').unwrap();
        assert!(
            piece[1..end]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b';'),
            "{piece:?}"
        );
    }
    let json = Cli::json(&home, &["--only", "key-permissions"]);
    let paths: Vec<String> = json.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("id_\x1b[2J\x1b]0;pwned\x07\\xFF\\xFE")),
        "{paths:?}"
    );
    assert!(!json.stdout.contains('\x1b'), "JSON escapes controls");
}

#[test]
fn many_entries_and_deep_nesting_are_bounded() {
    let home = Home::with_ssh();
    let many = home.dir(".ssh/many", 0o700);
    for i in 0..5000 {
        std::fs::write(many.join(format!("f{i}")), b"x").unwrap();
    }
    home.dir(".ssh/a/b/c/d/e/f", 0o700);
    let run = Cli::json(&home, &["--only", "key-permissions"]);
    assert_eq!(run.code, 0);
    assert!(
        run.codes().contains(&"too-deep".to_owned()),
        "{:?}",
        run.codes()
    );
}
