//! `key protect FILE`: a passphrase put on an unencrypted key in place, checked by
//! the tools that will use the key — `ssh-keygen -y -P` for OpenSSH keys, `openssl
//! pkey -passin` for the PEM and PKCS#8 ones — on keys made at test time.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Stdio;

use crate::util::{Cli, Home, TestUser, Tmux, chmod, have, is_root, skip, tool};

const PASS: &str = "Lantern-Oboe-Quartz-71!";

fn protect(home: &Home, key: &Path, passphrase: &str) -> crate::util::Run {
    Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "key",
        "protect",
        "--stdin",
        key.to_str().unwrap(),
    ])
    .stdin(format!("{passphrase}\n").as_bytes())
    .run()
}

/// The public key ssh-keygen reads from `key` with `passphrase`, or `None`.
fn ssh_public(key: &Path, passphrase: &str) -> Option<String> {
    let out = tool("ssh-keygen")
        .args(["-y", "-P", passphrase, "-f"])
        .arg(key)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    out.status.success().then(|| {
        let text = String::from_utf8(out.stdout).unwrap();
        // Type and key, without the comment.
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

fn openssl_opens(key: &Path, passphrase: &str) -> bool {
    tool("openssl")
        .args([
            "pkey",
            "-noout",
            "-passin",
            &format!("pass:{passphrase}"),
            "-in",
        ])
        .arg(key)
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .status
        .success()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn an_openssh_key_gets_a_passphrase_ssh_keygen_accepts_and_keeps_its_mode() {
    let test = "an_openssh_key_gets_a_passphrase_ssh_keygen_accepts_and_keeps_its_mode";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", None, None, 0o400);
    let public = ssh_public(&key, "").unwrap();
    let run = protect(&home, &key, PASS);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("now encrypted"), "{}", run.stdout);
    assert_eq!(ssh_public(&key, PASS).as_deref(), Some(public.as_str()));
    assert_eq!(
        ssh_public(&key, ""),
        None,
        "it still opens without a passphrase"
    );
    assert_eq!(mode(&key), 0o400, "0400 stays 0400");
    assert!(!run.stdout.contains(PASS) && !run.stderr.contains(PASS));
    // Nothing but the key in ~/.ssh: no temporary file left.
    assert_eq!(
        crate::util::listing(&home.join(".ssh")),
        ["id_ed25519", "id_ed25519.pub"]
    );
    let codes = Cli::json(&home, &["--only", "key-encryption"]).codes();
    assert_eq!(codes, ["key-encrypted"]);
    // Again: it already has one.
    let again = protect(&home, &key, PASS);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("already has a passphrase"),
        "{}",
        again.stderr
    );
}

#[test]
fn pem_and_pkcs8_keys_become_encrypted_pkcs8_openssl_opens() {
    let test = "pem_and_pkcs8_keys_become_encrypted_pkcs8_openssl_opens";
    if !have("ssh-keygen", test) || !have("openssl", test) {
        return;
    }
    let home = Home::with_ssh();
    let pem_rsa = home.keygen(".ssh/id_rsa", None, Some("PEM"), 0o600);
    let rsa_public = ssh_public(&pem_rsa, "").unwrap();
    let openssl = |args: &[&str]| {
        let out = tool("openssl").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let pkcs8 = home.join("work.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:1024",
        "-out",
        pkcs8.to_str().unwrap(),
    ]);
    let ec = home.join("ec.pem");
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        ec.to_str().unwrap(),
    ]);
    for key in [&pem_rsa, &pkcs8, &ec] {
        chmod(key, 0o600);
        let before = std::fs::read(key).unwrap();
        let run = protect(&home, key, PASS);
        assert_eq!(
            run.code,
            0,
            "{}: {}{}",
            key.display(),
            run.stdout,
            run.stderr
        );
        let after = std::fs::read_to_string(key).unwrap();
        assert!(
            after.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{after}"
        );
        assert!(openssl_opens(key, PASS), "{}", key.display());
        assert!(!openssl_opens(key, "wrong"), "{}", key.display());
        assert_ne!(std::fs::read(key).unwrap(), before);
        assert_eq!(mode(key), 0o600);
    }
    // ssh reads the converted RSA key, and it is the same key.
    assert_eq!(
        ssh_public(&pem_rsa, PASS).as_deref(),
        Some(rsa_public.as_str())
    );
}

#[test]
fn a_weak_passphrase_is_refused_and_the_key_left_alone() {
    if !have(
        "ssh-keygen",
        "a_weak_passphrase_is_refused_and_the_key_left_alone",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", None, None, 0o600);
    let before = std::fs::read(&key).unwrap();
    let inode = std::fs::metadata(&key).unwrap().ino();
    for weak in ["password", "Summer2024", ""] {
        let run = protect(&home, &key, weak);
        assert_ne!(run.code, 0, "{weak:?} accepted: {}", run.stdout);
        assert_eq!(std::fs::read(&key).unwrap(), before, "{weak:?}");
        assert_eq!(std::fs::metadata(&key).unwrap().ino(), inode);
    }
    let run = protect(&home, &key, "password");
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("left as it was"), "{}", run.stdout);
    assert!(run.stdout.contains("password-"), "{}", run.stdout);
}

#[test]
fn the_passphrase_is_asked_twice_without_echo() {
    let test = "the_passphrase_is_asked_twice_without_echo";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", None, None, 0o600);
    let before = std::fs::read(&key).unwrap();
    let ask = |tag: &str, first: &str, second: &str| {
        let line = Cli::new([
            "--home",
            home.path().to_str().unwrap(),
            "key",
            "protect",
            key.to_str().unwrap(),
        ])
        .env("TERM", "dumb")
        .shell_line();
        let tmux = Tmux::start(tag, &format!("{}; echo EXIT=$?; sleep 60", line.text()));
        tmux.wait_for("New passphrase for");
        tmux.type_line(first);
        tmux.wait_for("again");
        tmux.type_line(second);
        let screen = tmux.wait_for("EXIT=");
        assert!(
            !screen.contains(first) && !screen.contains(second),
            "{screen}"
        );
        screen
    };
    let differ = ask("protect-differ", PASS, "Lantern-Oboe-Quartz-72!");
    assert!(differ.contains("differ"), "{differ}");
    assert!(differ.contains("EXIT=2"), "{differ}");
    assert_eq!(std::fs::read(&key).unwrap(), before);
    let same = ask("protect-same", PASS, PASS);
    assert!(same.contains("EXIT=0"), "{same}");
    assert!(ssh_public(&key, PASS).is_some());
}

/// As a real user (not root, who may write a 0400 file anyway): `--fix` makes the
/// unencrypted key 0400, and the fix then printed for it still works.
#[test]
fn the_key_fix_printed_after_fix_works_on_the_0400_key() {
    let test = "the_key_fix_printed_after_fix_works_on_the_0400_key";
    if !is_root() {
        skip(test, "needs root to make a user");
        return;
    }
    if !have("ssh-keygen", test) {
        return;
    }
    let user = TestUser::new("csiprotect1");
    let key = user.unencrypted_key(0o600);
    let home = user.home.to_str().unwrap();
    let fixed = Cli::new(["--home", home, "--fix", "--format", "json"])
        .run_as(user.uid)
        .run();
    assert_eq!(mode(&key), 0o400, "{}", fixed.stdout);
    let doc = fixed.json();
    let fix = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "key-unencrypted")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected = format!("csi-self-check key protect {}", key.display());
    assert_eq!(fix, expected);
    // The printed command, as the user, passphrase on stdin.
    let run = Cli::new([
        "--home",
        home,
        "key",
        "protect",
        "--stdin",
        key.to_str().unwrap(),
    ])
    .run_as(user.uid)
    .stdin(format!("{PASS}\n").as_bytes())
    .run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(ssh_public(&key, PASS).is_some());
    let meta = std::fs::metadata(&key).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o7777), (user.uid, 0o400));
}
