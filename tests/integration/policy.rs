//! Policy files through the binary: errors name file, line and key with exit 2; a
//! personal file tightens but never loosens; `policy show` says where values came from.

use crate::util::{Cli, Home, have, is_root, skip};

#[test]
fn a_bad_policy_file_is_one_line_naming_file_line_and_key() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    let cases: [(&[u8], &str); 6] = [
        // A bidi override or a line separator in a text the report shows.
        (
            "[password-usage]\ntitle = \"Pass\u{202E}word\u{2028}x\"\n".as_bytes(),
            ":2: `password-usage.title`: text may not hold control or invisible characters",
        ),
        (
            b"[password-entropy]\nmin-length = 8\nmin-lenght = 9\n",
            ":3: `password-entropy.min-lenght`: unknown key",
        ),
        (
            b"# site\n[key-security]\nmax-mode = 400\n",
            ":3: `key-security.max-mode`: expected an octal mode",
        ),
        (b"[nope]\n", ":1: `nope`: unknown policy item"),
        (b"[key-security\n", ":1: "),
        (
            b"[password-entropy]\nmin-length = 4\n",
            ":2: `password-entropy.min-length`: refusing to loosen a must-level requirement (8 to 4)",
        ),
    ];
    for (text, expected) in cases {
        let file = home.file("policy.toml", text, 0o644);
        let run = Cli::new(["--home", h, "--policy", file.to_str().unwrap()]).run();
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        let want = format!("csi-self-check: error: policy {}{expected}", file.display());
        assert!(
            run.stderr.starts_with(&want),
            "{}\nwanted: {want}",
            run.stderr
        );
        let check = Cli::new(["policy", "check", file.to_str().unwrap()]).run();
        assert_eq!(check.code, 2);
        assert_eq!(check.stderr, run.stderr);
    }
    let invalid_utf8 = home.file(
        "policy.toml",
        b"[key-security]\nsummary = \"\xff\"\n",
        0o644,
    );
    let run = Cli::new(["policy", "check", invalid_utf8.to_str().unwrap()]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(":2: not valid UTF-8"), "{}", run.stderr);
    let fifo = home.fifo("fifo.toml");
    let run = Cli::new(["--policy", fifo.to_str().unwrap(), "policy", "show"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
}

#[test]
fn a_personal_file_tightens_and_policy_show_says_where() {
    let home = Home::with_ssh();
    let file = home.file(
        "mine.toml",
        b"# mine\n[password-entropy]\nmin-length = 12\n\n[ssh-proxycommand]\nlevel = \"must\"\n",
        0o644,
    );
    let check = Cli::new(["policy", "check", file.to_str().unwrap()]).run();
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("valid"));
    let show = Cli::new(["--policy", file.to_str().unwrap(), "policy", "show"]).run();
    assert_eq!(show.code, 0);
    let line = show
        .stdout
        .lines()
        .find(|l| l.starts_with("min-length"))
        .unwrap();
    assert!(
        line.contains("= 12") && line.ends_with(&format!("# {}:3", file.display())),
        "{line}"
    );
    let line = show
        .stdout
        .lines()
        .find(|l| l.starts_with("max-mode"))
        .unwrap();
    assert!(
        line.contains("\"0400\"") && line.ends_with("# built-in default"),
        "{line}"
    );
    // The shown policy is itself a valid policy file.
    let saved = home.file("shown.toml", show.stdout.as_bytes(), 0o644);
    assert_eq!(
        Cli::new(["policy", "check", saved.to_str().unwrap()])
            .run()
            .code,
        0
    );
}

#[test]
fn the_default_policy_file_in_the_repository_is_what_the_binary_uses() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policy/default.toml");
    let builtin = Cli::new(["--format", "json", "policy", "show"])
        .run()
        .json();
    let from_file = Cli::new([
        "--format",
        "json",
        "--policy",
        repo.to_str().unwrap(),
        "policy",
        "show",
    ])
    .run()
    .json();
    for (id, keys) in builtin["items"].as_object().unwrap() {
        for (key, setting) in keys.as_object().unwrap() {
            assert_eq!(
                setting["value"], from_file["items"][id][key]["value"],
                "{id}.{key}"
            );
        }
    }
}

/// A policy file in the site's directory, owned by root, speaks for the site and may
/// loosen; a key the site allows at 0440 is then a should-level warning that OpenSSH
/// will refuse it.
#[test]
fn a_site_file_may_loosen_and_openssh_is_still_mentioned() {
    if !is_root() {
        return skip(
            "a_site_file_may_loosen_and_openssh_is_still_mentioned",
            "a site file must be root's",
        );
    }
    if !have(
        "ssh-keygen",
        "a_site_file_may_loosen_and_openssh_is_still_mentioned",
    ) {
        return;
    }
    // The machine's /etc is never touched: the binary reads the site's directory in a
    // system root of the test's own.
    let sysroot = tempfile::tempdir().unwrap();
    crate::util::chmod(sysroot.path(), 0o755);
    let dir = sysroot.path().join("etc/csi-self-check");
    std::fs::create_dir_all(&dir).unwrap();
    let site = dir.join("loosen.toml");
    std::fs::write(&site, "[key-security]\nmax-mode = \"0440\"\n").unwrap();
    crate::util::chmod(&site, 0o644);
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o440);
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--format",
        "json",
        "--only",
        "key-permissions",
        "--policy",
        site.to_str().unwrap(),
    ])
    .env(crate::util::SYSROOT_VAR, sysroot.path().to_str().unwrap())
    .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.findings_for(&key),
        [(
            "warn".into(),
            "should".into(),
            "private-key-ssh-refuses".into()
        )]
    );
}
