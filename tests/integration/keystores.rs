//! Every key store and every common format, encrypted and not, made at test time by
//! ssh-keygen, openssl, puttygen and gpg: each unencrypted key is flagged exactly
//! once, nothing encrypted or public is; --deep finds strays; --fix repairs modes.

use std::path::{Path, PathBuf};

use crate::util::{Cli, Home, chmod, have};

const PASS: &str = "Pass-phrase-1";

fn run_tool(program: &str, args: &[&str]) {
    let out = crate::util::tool(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Keys of every format, in their usual places; returns (unencrypted, encrypted).
fn every_format(home: &Home) -> (Vec<(PathBuf, &'static str)>, Vec<PathBuf>) {
    let mut plain = Vec::new();
    let mut encrypted = Vec::new();
    for (name, format, label) in [
        ("openssh", None, "OpenSSH"),
        ("pem", Some("PEM"), "PEM RSA (PKCS#1)"),
        ("pkcs8", Some("PKCS8"), "PKCS#8"),
    ] {
        plain.push((
            home.keygen(&format!(".ssh/{name}_plain"), None, format, 0o600),
            label,
        ));
        encrypted.push(home.keygen(&format!(".ssh/{name}_enc"), Some(PASS), format, 0o600));
    }
    let pki = home.dir(".pki", 0o700);
    let pem = pki.join("tls_plain.pem");
    run_tool(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            p(&pem),
        ],
    );
    plain.push((pem.clone(), "PKCS#8"));
    let pem_enc = pki.join("tls_enc.pem");
    run_tool(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-aes256",
            "-pass",
            &format!("pass:{PASS}"),
            "-out",
            p(&pem_enc),
        ],
    );
    encrypted.push(pem_enc);
    let der = pki.join("tls_plain.der");
    run_tool(
        "openssl",
        &["pkey", "-in", p(&pem), "-outform", "DER", "-out", p(&der)],
    );
    plain.push((der, "SEC1 EC (DER)"));
    let pk8 = pki.join("tls_plain.p8");
    run_tool(
        "openssl",
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            p(&pem),
            "-outform",
            "DER",
            "-out",
            p(&pk8),
        ],
    );
    plain.push((pk8, "PKCS#8 (DER)"));
    let der_enc = pki.join("tls_enc.der");
    run_tool(
        "openssl",
        &[
            "pkcs8",
            "-topk8",
            "-in",
            p(&pem),
            "-v2",
            "aes-256-cbc",
            "-outform",
            "DER",
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            p(&der_enc),
        ],
    );
    encrypted.push(der_enc);
    let cert = pki.join("tls.crt");
    run_tool(
        "openssl",
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            p(&pem),
            "-subj",
            "/CN=test",
            "-days",
            "1",
            "-out",
            p(&cert),
        ],
    );
    let p12 = pki.join("empty.p12");
    run_tool(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-inkey",
            p(&pem),
            "-in",
            p(&cert),
            "-passout",
            "pass:",
            "-out",
            p(&p12),
        ],
    );
    plain.push((p12, "PKCS#12"));
    let p12_enc = pki.join("protected.p12");
    run_tool(
        "openssl",
        &[
            "pkcs12",
            "-export",
            "-inkey",
            p(&pem),
            "-in",
            p(&cert),
            "-passout",
            &format!("pass:{PASS}"),
            "-out",
            p(&p12_enc),
        ],
    );
    encrypted.push(p12_enc);
    let passfile = home.file("passfile", format!("{PASS}\n").as_bytes(), 0o600);
    let ppk = home.join(".ssh/putty_plain.ppk");
    run_tool(
        "puttygen",
        &[
            "-t",
            "ed25519",
            "-o",
            p(&ppk),
            "--new-passphrase",
            "/dev/null",
        ],
    );
    plain.push((ppk, "PuTTY PPK"));
    let ppk_enc = home.join(".ssh/putty_enc.ppk");
    run_tool(
        "puttygen",
        &[
            "-t",
            "ed25519",
            "-o",
            p(&ppk_enc),
            "--new-passphrase",
            p(&passfile),
        ],
    );
    encrypted.push(ppk_enc);
    // GnuPG 2: keys in private-keys-v1.d, one file per key and subkey.
    let gnupg = home.dir(".gnupg", 0o700);
    let gpg = |args: &[&str]| {
        let mut all = vec![
            "--batch",
            "--homedir",
            p(&gnupg),
            "--pinentry-mode",
            "loopback",
        ];
        all.extend_from_slice(args);
        run_tool("gpg", &all);
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "Plain <plain@example.org>",
        "default",
        "default",
        "never",
    ]);
    let before: Vec<PathBuf> = std::fs::read_dir(gnupg.join("private-keys-v1.d"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    gpg(&[
        "--passphrase",
        PASS,
        "--quick-gen-key",
        "Guarded <guarded@example.org>",
        "default",
        "default",
        "never",
    ]);
    for entry in std::fs::read_dir(gnupg.join("private-keys-v1.d")).unwrap() {
        let path = entry.unwrap().path();
        if before.contains(&path) {
            plain.push((path, "GnuPG agent"));
        } else {
            encrypted.push(path);
        }
    }
    // Exported secret keys: armored and binary, protected or not.
    let export = |who: &str, passphrase: &str, armor: bool, file: &str| {
        let out = crate::util::tool("gpg")
            .args([
                "--batch",
                "--homedir",
                p(&gnupg),
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                passphrase,
            ])
            .args(if armor { &["--armor"][..] } else { &[][..] })
            .args(["--export-secret-keys", who])
            .output()
            .unwrap();
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        home.file(format!(".gnupg/{file}"), &out.stdout, 0o600)
    };
    plain.push((
        export("plain@example.org", "", true, "plain-export.asc"),
        "OpenPGP (armored)",
    ));
    encrypted.push(export(
        "guarded@example.org",
        PASS,
        true,
        "guarded-export.asc",
    ));
    plain.push((
        export("plain@example.org", "", false, "plain-export.gpg"),
        "OpenPGP (binary)",
    ));
    encrypted.push(export(
        "guarded@example.org",
        PASS,
        false,
        "guarded-export.gpg",
    ));
    let _ = crate::util::tool("gpgconf")
        .args(["--homedir", p(&gnupg), "--kill", "all"])
        .status();
    // GNOME keyrings: the binary format is encrypted, the text one is not.
    home.dir(".local/share/keyrings", 0o700);
    encrypted.push(home.file(
        ".local/share/keyrings/login.keyring",
        b"GnomeKeyring\n\r\0\n\0\0\x02\x00\x01\x02\x03\x04",
        0o600,
    ));
    plain.push((
        home.file(
            ".local/share/keyrings/plain.keyring",
            b"[keyring]\ndisplay-name=Plain\nctime=0\nmtime=0\n\n[1]\nsecret=hunter2\n",
            0o600,
        ),
        "GNOME keyring",
    ));
    (plain, encrypted)
}

#[test]
fn every_unencrypted_key_is_flagged_once_and_nothing_else() {
    let test = "every_unencrypted_key_is_flagged_once_and_nothing_else";
    for tool in ["ssh-keygen", "openssl", "puttygen", "gpg"] {
        if !have(tool, test) {
            return;
        }
    }
    let home = Home::with_ssh();
    let (plain, encrypted) = every_format(&home);
    let run = Cli::json(&home, &["--only", "key-encryption"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.findings_of("key-encryption");
    let failures: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["status"] == "fail").collect();
    for (path, label) in &plain {
        let hits: Vec<&&serde_json::Value> =
            failures.iter().filter(|f| f["path"] == p(path)).collect();
        assert_eq!(
            hits.len(),
            1,
            "{} ({label}) flagged {} times: {findings:#?}",
            path.display(),
            hits.len()
        );
        assert_eq!(hits[0]["policy"], "key-passwords");
        assert_eq!(hits[0]["level"], "must");
        assert_eq!(hits[0]["code"], "key-unencrypted");
        let message = hits[0]["message"].as_str().unwrap();
        assert!(message.starts_with(label), "{message} should name {label}");
        assert!(hits[0]["fix"].is_string());
    }
    assert_eq!(failures.len(), plain.len(), "{failures:#?}");
    for path in &encrypted {
        let hit = findings
            .iter()
            .find(|f| f["path"] == p(path))
            .unwrap_or_else(|| panic!("{} not found", path.display()));
        assert_eq!(hit["status"], "pass", "{hit}");
    }
    // Public keys and certificates are never keys.
    for f in &findings {
        let path = f["path"].as_str().unwrap_or("");
        assert!(!path.ends_with(".pub") && !path.ends_with(".crt"), "{f}");
    }
    // No key material reaches the output.
    let body = std::fs::read_to_string(&plain[0].0).unwrap();
    for line in body.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!run.stdout.contains(line));
    }
}

#[test]
fn the_same_key_at_several_paths_is_reported_once() {
    if !have(
        "ssh-keygen",
        "the_same_key_at_several_paths_is_reported_once",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", None, None, 0o644);
    home.dir(".ssh/backup", 0o700);
    let copy = home.file(
        ".ssh/backup/id_ed25519.old",
        &std::fs::read(&key).unwrap(),
        0o640,
    );
    let run = Cli::json(&home, &[]);
    let encryption = run.findings_of("key-encryption");
    assert_eq!(encryption.len(), 1, "{encryption:#?}");
    // One copy is the finding's path, the other is named in its message.
    let (path, message) = (
        encryption[0]["path"].as_str().unwrap(),
        encryption[0]["message"].as_str().unwrap(),
    );
    let named =
        |copy: &Path, short: &str| path == p(copy) || message.contains(&format!("also at {short}"));
    assert!(
        named(&key, "~/.ssh/id_ed25519") && named(&copy, "~/.ssh/backup/id_ed25519.old"),
        "{path}: {message}"
    );
    let permissions: Vec<serde_json::Value> = run
        .findings_of("key-permissions")
        .into_iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("private-key"))
        .collect();
    assert_eq!(permissions.len(), 1, "{permissions:#?}");
    assert_eq!(permissions[0]["code"], "private-key-world-accessible");
    let message = permissions[0]["message"].as_str().unwrap();
    assert!(
        message.contains("at 2 places") && message.contains("0644") && message.contains("0640"),
        "{message}"
    );
    assert_eq!(
        permissions[0]["fix"],
        format!("chmod 400 {} {}", copy.display(), key.display()),
        "both copies, in scan order"
    );
}

#[test]
fn deep_finds_stray_keys_the_default_run_does_not() {
    if !have(
        "ssh-keygen",
        "deep_finds_stray_keys_the_default_run_does_not",
    ) || !have("openssl", "deep")
    {
        return;
    }
    let home = Home::with_ssh();
    home.dir("Downloads", 0o755);
    home.dir("project/deploy", 0o755);
    let pem = home.keygen("Downloads/server.pem", None, Some("PEM"), 0o600);
    let deploy = home.keygen("project/deploy/deploy.key", None, None, 0o600);
    let der = home.join("project/k.der");
    run_tool(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "ED25519",
            "-outform",
            "DER",
            "-out",
            p(&der),
        ],
    );
    // Caches and version-control object stores are not searched.
    home.dir(".cache/thing", 0o755);
    let cached = home.file(
        ".cache/thing/cached.pem",
        &std::fs::read(&pem).unwrap(),
        0o600,
    );
    home.dir("project/.git/objects/ab", 0o755);
    let object = home.file(
        "project/.git/objects/ab/cdef",
        &std::fs::read(&deploy).unwrap(),
        0o600,
    );
    // Nor does it follow a link out of the home.
    home.symlink("project/etc", "/etc");
    for i in 0..200 {
        home.file(
            format!("project/notes{i}.txt"),
            b"nothing secret here, just notes\n",
            0o644,
        );
    }
    let normal = Cli::json(&home, &["--only", "key-encryption"]);
    assert!(
        normal.findings_of("key-encryption").is_empty(),
        "{}",
        normal.stdout
    );
    assert_eq!(normal.code, 0);
    let deep = Cli::new([
        "--home",
        p(home.path()),
        "--format",
        "json",
        "--only",
        "key-encryption",
        "--deep",
    ])
    .run();
    assert_eq!(deep.code, 1, "{}", deep.stderr);
    assert!(
        deep.stderr.is_empty(),
        "no progress when stderr is not a terminal: {}",
        deep.stderr
    );
    let found: Vec<String> = deep
        .findings_of("key-encryption")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    for key in [&pem, &deploy, &der] {
        assert!(
            found.contains(&p(key).to_owned()),
            "{} not found: {found:?}",
            key.display()
        );
    }
    for hidden in [&cached, &object] {
        assert!(
            !found.contains(&p(hidden).to_owned()),
            "{} should not be searched",
            hidden.display()
        );
    }
    assert!(
        found.iter().all(|f| f.starts_with(p(home.path()))),
        "{found:?}"
    );
    assert!(deep.stdout.contains("found outside the key stores"));
}

#[test]
fn deep_finds_every_key_among_thousands_of_files_once_and_in_order() {
    if !have(
        "ssh-keygen",
        "deep_finds_every_key_among_thousands_of_files_once_and_in_order",
    ) {
        return;
    }
    let home = Home::with_ssh();
    // More files than one reader's batch, over many directories at several depths,
    // so that the readers share the walk; keys in the middle and at the ends.
    let mut keys = Vec::new();
    for d in 0..40 {
        let dir = format!("work/d{}/sub{}", d % 7, d);
        home.dir(&dir, 0o755);
        for f in 0..60 {
            home.file(
                format!("{dir}/n{f}.txt"),
                format!("notes {d} {f}\n").as_bytes(),
                0o644,
            );
        }
        if d % 9 == 0 {
            keys.push(home.keygen(&format!("{dir}/k{d}"), None, Some("PEM"), 0o600));
        }
    }
    // The key stores' own keys are not reported twice.
    let in_store = home.keygen(".ssh/id_store", None, None, 0o600);
    let run = Cli::json(&home, &["--deep", "--only", "key-encryption"]);
    let found: Vec<String> = run
        .findings_of("key-encryption")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = keys.iter().map(|k| p(k).to_owned()).collect();
    want.push(p(&in_store).to_owned());
    want.sort();
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(sorted, want, "{}", run.stdout);
    let deep_only: Vec<&String> = found.iter().filter(|f| !f.contains("/.ssh/")).collect();
    assert!(
        deep_only.windows(2).all(|w| w[0] < w[1]),
        "reported in path order: {deep_only:?}"
    );
}

#[test]
fn deep_says_what_lies_too_deep_to_walk() {
    if !have("ssh-keygen", "deep_says_what_lies_too_deep_to_walk") {
        return;
    }
    let home = Home::with_ssh();
    // A key 60 levels down is found; below 64 levels nothing is walked, and that
    // is a skip, never silence.
    let shallow: String = (0..60).map(|_| "n/").collect();
    home.dir(&shallow, 0o755);
    let found = home.keygen(&format!("{shallow}key"), None, Some("PEM"), 0o600);
    let deep: String = (0..70).map(|_| "d/").collect();
    home.dir(&deep, 0o755);
    home.keygen(&format!("{deep}key"), None, Some("PEM"), 0o600);
    let run = Cli::json(
        &home,
        &["--deep", "--only", "key-encryption,key-permissions"],
    );
    let keys: Vec<String> = run
        .findings_of("key-encryption")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, [p(&found).to_owned()], "{}", run.stdout);
    let too_deep: Vec<String> = run
        .findings_of("key-permissions")
        .iter()
        .filter(|f| f["code"] == "too-deep" && f["status"] == "skip")
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    let level_65: String = (0..65).map(|_| "d/").collect();
    assert_eq!(
        too_deep,
        [p(&home.join(level_65.trim_end_matches('/'))).to_owned()],
        "{}",
        run.stdout
    );
}

#[test]
fn fix_tightens_modes_through_the_descriptor_and_only_then() {
    if !have(
        "ssh-keygen",
        "fix_tightens_modes_through_the_descriptor_and_only_then",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some(PASS), None, 0o644);
    let mode = |path: &Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(path).unwrap().permissions())
            & 0o7777
    };
    // Without --fix nothing changes.
    let run = Cli::new(["--home", p(home.path())]).run();
    assert_eq!(run.code, 1);
    assert_eq!(mode(&key), 0o644);
    let fixed = Cli::new(["--home", p(home.path()), "--fix"]).run();
    assert_eq!(mode(&key), 0o400, "{}", fixed.stdout);
    assert!(fixed.stdout.contains("0644 → 0400"), "{}", fixed.stdout);
    assert_eq!(fixed.code, 0, "{}", fixed.stdout);
    let again = Cli::json(&home, &["--fix"]);
    assert_eq!(again.code, 0);
    assert!(
        !again.codes().contains(&"private-key-mode-fixed".to_owned()),
        "nothing left to fix: {}",
        again.stdout
    );
    // A key with a second name is left alone: changing it would change the other file.
    let linked = home.keygen(".ssh/id_linked", Some(PASS), None, 0o644);
    std::fs::hard_link(&linked, home.join("elsewhere")).unwrap();
    let run = Cli::new(["--home", p(home.path()), "--fix"]).run();
    assert_eq!(mode(&linked), 0o644);
    assert_eq!(run.code, 1);
}

#[test]
fn awkward_but_real_keys_are_still_recognised() {
    if !have("ssh-keygen", "awkward_but_real_keys_are_still_recognised") {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen("source", None, None, 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    // CRLF line endings (osquery reads these as encrypted).
    home.file(".ssh/crlf", text.replace('\n', "\r\n").as_bytes(), 0o600);
    // Wrapped at 64 columns (Terraform's tls_private_key; ssh-key 0.6 refuses these).
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let wrapped: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let rewrapped = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        wrapped.join("\n")
    );
    home.file(".ssh/wrapped64", rewrapped.as_bytes(), 0o600);
    let run = Cli::json(&home, &["--only", "key-encryption"]);
    let findings = run.findings_of("key-encryption");
    // The same key three times: one finding, unencrypted, naming the other copies.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["code"], "key-unencrypted");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("~/.ssh/crlf") || findings[0]["path"].as_str().unwrap().ends_with("crlf"),
        "{message}"
    );
    assert!(
        message.contains("wrapped64")
            || findings[0]["path"].as_str().unwrap().ends_with("wrapped64"),
        "{message}"
    );
}

#[test]
fn a_hundred_thousand_files_in_one_directory_neither_hang_nor_overflow() {
    let home = Home::with_ssh();
    let crowd = home.dir(".ssh/crowd", 0o700);
    for i in 0..100_000 {
        std::fs::File::create(crowd.join(format!("{i:06}"))).unwrap();
    }
    let run = Cli::json(&home, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    chmod(&crowd, 0o000);
    // Root reads a mode-0 directory anyway; what matters is that nothing hangs.
    let run = Cli::json(&home, &[]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    chmod(&crowd, 0o700);
}

#[test]
fn the_password_store_holds_only_encrypted_files() {
    let home = Home::new();
    home.dir(".password-store/web", 0o700);
    home.file(".password-store/.gpg-id", b"ABCDEF\n", 0o600);
    home.file(
        ".password-store/web/site.gpg",
        b"\x85\x01\x0c\x03binary",
        0o600,
    );
    let leak = home.file(".password-store/web/todo.txt", b"bank: hunter2\n", 0o600);
    home.dir(".password-store/.git", 0o700);
    home.file(".password-store/.git/config", b"[core]\n", 0o644);
    let run = Cli::json(&home, &["--only", "key-encryption"]);
    assert_eq!(run.code, 1);
    let findings = run.findings_of("key-encryption");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], p(&leak));
    assert_eq!(findings[0]["code"], "password-store-plaintext");
    assert_eq!(findings[0]["policy"], "password-usage");
    assert!(!run.stdout.contains("hunter2"));
}

#[test]
fn key_check_proves_the_passphrase_then_judges_it() {
    if !have(
        "ssh-keygen",
        "key_check_proves_the_passphrase_then_judges_it",
    ) || !have("openssl", "key_check")
    {
        return;
    }
    let home = Home::with_ssh();
    let strong = "vX9#qL2!mR7$kT4@";
    let key = home.keygen(".ssh/id_ed25519", Some(strong), None, 0o400);
    let check = |file: &Path, passphrase: &str| {
        Cli::new([
            "--home",
            p(home.path()),
            "--format",
            "json",
            "key",
            "check",
            p(file),
            "--stdin",
        ])
        .stdin(passphrase.as_bytes())
        .run()
    };
    let right = check(&key, strong);
    assert_eq!(right.code, 0, "{}", right.stdout);
    let mut codes = right.codes();
    codes.sort();
    assert_eq!(codes, ["key-passphrase-correct", "password-ok"]);
    let wrong = check(&key, "not-the-passphrase");
    assert_eq!(wrong.code, 1);
    assert_eq!(wrong.codes(), ["key-passphrase-wrong"]);
    // A weak passphrase that opens the key is still a failure of the password rules.
    let weak_key = home.keygen(".ssh/id_weak", Some("kettle"), None, 0o400);
    let weak = check(&weak_key, "kettle");
    assert_eq!(weak.code, 1);
    let codes = weak.codes();
    assert!(
        codes.contains(&"key-passphrase-correct".to_owned())
            && codes.contains(&"password-too-short".to_owned()),
        "{codes:?}"
    );
    // Keys ssh-key 0.6 cannot parse as PEM (wrapped at 64 columns) still open.
    let text = std::fs::read_to_string(&key).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let wrapped: Vec<String> = body
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let rewrapped = home.file(
        "rewrapped",
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            wrapped.join("\n")
        )
        .as_bytes(),
        0o600,
    );
    assert!(
        check(&rewrapped, strong)
            .codes()
            .contains(&"key-passphrase-correct".to_owned())
    );
    // PKCS#8 and PKCS#12 are opened by their own means.
    let pem = home.join("tls.pem");
    run_tool(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-aes256",
            "-pass",
            &format!("pass:{strong}"),
            "-out",
            p(&pem),
        ],
    );
    assert!(
        check(&pem, strong)
            .codes()
            .contains(&"key-passphrase-correct".to_owned())
    );
    assert_eq!(check(&pem, "wrong").codes(), ["key-passphrase-wrong"]);
    // An unencrypted key has no passphrase to check: said without asking.
    let open = home.keygen("open", None, None, 0o600);
    let run = Cli::new([
        "--home",
        p(home.path()),
        "key",
        "check",
        p(&open),
        "--stdin",
    ])
    .run();
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("has no passphrase at all"),
        "{}",
        run.stdout
    );
    // Not a key, a FIFO, a link: refused with exit 2, nothing followed or blocked on.
    let fifo = home.fifo("fifo");
    let link = home.symlink("link", &key);
    for file in [&key.with_extension("pub"), &fifo, &link] {
        let run = check(file, strong);
        assert_eq!(run.code, 2, "{}: {}", file.display(), run.stderr);
    }
    for run in [&right, &wrong, &weak] {
        assert!(
            !run.stdout.contains(strong)
                && !run.stdout.contains("kettle")
                && !run.stdout.contains("not-the-passphrase")
        );
    }
}

#[test]
fn fingerprints_match_ssh_keygen() {
    if !have("ssh-keygen", "fingerprints_match_ssh_keygen") {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some(PASS), None, 0o400);
    let listed = crate::util::tool("ssh-keygen")
        .args(["-l", "-f", &format!("{}.pub", key.display())])
        .output()
        .unwrap();
    let fingerprint = String::from_utf8(listed.stdout)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned();
    let run = Cli::json(&home, &["--only", "key-encryption"]);
    let message = run.findings_of("key-encryption")[0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(&format!("(ssh-ed25519, {fingerprint})")),
        "{message} vs {fingerprint}"
    );
}
