//! A key is a key when its content decodes as one: PKCS#12 files decided by their
//! bags (truststores are no keys, a plain key bag is open whatever the MAC, NSS's
//! BER read), PEM blocks whose body is no key (templates, examples) passed by, the
//! layouts other tools write (a text keyring opening with a blank line, gpg-agent's
//! readable S-expression, PGP 2.x's armor, the EdDSA label) recognised, and one
//! rule everywhere: a key the empty passphrase opens is unencrypted. Every key and
//! store is made at test time by openssl, pk12util, gpg and ssh-keygen.

use std::path::{Path, PathBuf};

use crate::util::{Cli, Home, have, tool};

fn run_tool(program: &str, args: &[&str]) -> Vec<u8> {
    let out = tool(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// What the key-encryption check should say of a file: its status, or nothing.
type Expected = (PathBuf, Option<&'static str>);

/// Runs a tool with the arguments of `line` split on spaces (the test's paths
/// have none).
fn run_line(program: &str, line: &str) -> Vec<u8> {
    let args: Vec<&str> = line.split(' ').collect();
    run_tool(program, &args)
}

/// The PKCS#12 files: OpenSSL's shapes, and NSS's (BER, PBES2 with 600,000
/// rounds) through pk12util.
fn pkcs12_files(home: &Home, out: &mut Vec<Expected>) {
    let pki = home.dir(".pki", 0o700);
    let (key, cert) = (pki.join("k.pem"), pki.join("c.pem"));
    let (k, c) = (p(&key), p(&cert));
    run_line(
        "openssl",
        &format!("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out {k}"),
    );
    run_line(
        "openssl",
        &format!("req -x509 -new -key {k} -subj /CN=t -days 1 -out {c}"),
    );
    // k.pem itself is an unencrypted key in ~/.pki.
    out.push((key.clone(), Some("fail")));
    for (name, options, expected) in [
        // No key bag: a truststore, whatever its password.
        ("truststore.p12", "-nokeys -passout pass:changeit", None),
        ("truststore-empty.p12", "-nokeys -passout pass:", None),
        (
            "truststore-legacy.p12",
            "-nokeys -legacy -passout pass:changeit",
            None,
        ),
        // A plain key bag is open to anyone, whatever the MAC's password.
        (
            "plain-bags-with-mac.p12",
            "-inkey K -keypbe NONE -certpbe NONE -passout pass:macpw",
            Some("fail"),
        ),
        (
            "plain-key-bag.p12",
            "-inkey K -keypbe NONE -passout pass:macpw",
            Some("fail"),
        ),
        (
            "legacy-empty.p12",
            "-inkey K -legacy -passout pass:",
            Some("fail"),
        ),
        (
            "protected.p12",
            "-inkey K -passout pass:Secret-1",
            Some("pass"),
        ),
    ] {
        let file = pki.join(name);
        let options = options.replace('K', k);
        run_line(
            "openssl",
            &format!("pkcs12 -export -in {c} -out {} {options}", p(&file)),
        );
        out.push((file, expected));
    }
    // NSS: import the pair into a database of the test's own, export it twice.
    let nss = home.dir("nssdb", 0o700);
    let db = format!("sql:{}", p(&nss));
    run_line("certutil", &format!("-N -d {db} --empty-password"));
    let import = home.join("import.p12");
    run_line(
        "openssl",
        &format!(
            "pkcs12 -export -inkey {k} -in {c} -name t -passout pass:pw -out {}",
            p(&import)
        ),
    );
    run_line("pk12util", &format!("-i {} -d {db} -W pw", p(&import)));
    std::fs::remove_file(&import).unwrap();
    for (name, password, expected) in [
        ("nss-empty.p12", "", Some("fail")),
        ("nss-protected.p12", "Secret-1", Some("pass")),
    ] {
        let file = pki.join(name);
        run_tool(
            "pk12util",
            &["-o", p(&file), "-n", "t", "-d", &db, "-W", password],
        );
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(&bytes[..2], [0x30, 0x80], "pk12util writes BER");
        out.push((file, expected));
    }
    // The same key as encrypted PKCS#8, with the empty passphrase and with one.
    for (name, password, expected) in [
        ("empty-passphrase.p8", "", Some("fail")),
        ("guarded.p8", "Secret-1", Some("pass")),
    ] {
        let file = pki.join(name);
        run_line(
            "openssl",
            &format!(
                "pkcs8 -topk8 -in {k} -v2 aes-256-cbc -passout pass:{password} -out {}",
                p(&file)
            ),
        );
        out.push((file, expected));
    }
    // An EdDSA label around PKCS#8 (an early RFC 8410 draft's, still written).
    let ed = String::from_utf8(run_line("openssl", "genpkey -algorithm ED25519")).unwrap();
    let eddsa = home.file(
        ".pki/eddsa.pem",
        ed.replace("BEGIN PRIVATE KEY", "BEGIN EdDSA PRIVATE KEY")
            .replace("END PRIVATE KEY", "END EdDSA PRIVATE KEY")
            .as_bytes(),
        0o600,
    );
    out.push((eddsa, Some("fail")));
}

/// gpg's keys written the other ways gpg-agent and PGP 2.x readers take them.
fn gnupg_layouts(home: &Home, out: &mut Vec<Expected>) {
    let gnupg = home.dir(".gnupg", 0o700);
    let gpg = |args: &[&str]| {
        let mut all = vec![
            "--batch",
            "--homedir",
            p(&gnupg),
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ];
        all.extend_from_slice(args);
        run_tool("gpg", &all)
    };
    gpg(&[
        "--quick-gen-key",
        "Plain <plain@example.org>",
        "ed25519",
        "default",
        "never",
    ]);
    let armored = String::from_utf8(gpg(&[
        "--armor",
        "--export-secret-keys",
        "plain@example.org",
    ]))
    .unwrap();
    let _ = tool("gpgconf")
        .args(["--homedir", p(&gnupg), "--kill", "all"])
        .status();
    let agent_dir = gnupg.join("private-keys-v1.d");
    let mut key_files: Vec<PathBuf> = std::fs::read_dir(&agent_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    key_files.sort();
    for file in &key_files {
        out.push((file.clone(), Some("fail")));
    }
    let key_file = &key_files[0];
    // The extended format's `Key:` value is the readable S-expression; alone in a
    // file it is the layout of gpgsm's sample keys, which gpg-agent reads too.
    let text = std::fs::read_to_string(key_file).unwrap();
    let mut sexp = String::new();
    let mut in_key = false;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("Key: ") {
            in_key = true;
            sexp.push_str(value);
        } else if in_key && line.starts_with(' ') {
            sexp.push('\n');
            sexp.push_str(line);
        } else {
            in_key = false;
        }
    }
    assert!(sexp.starts_with("(private-key"), "{text}");
    let readable = home.file(
        ".gnupg/private-keys-v1.d/readable.key",
        format!("{sexp}\n").as_bytes(),
        0o600,
    );
    out.push((readable, Some("fail")));
    let pgp2 = home.file(
        ".gnupg/pgp2-secret.asc",
        armored
            .replace("PGP PRIVATE KEY BLOCK", "PGP SECRET KEY BLOCK")
            .as_bytes(),
        0o600,
    );
    out.push((pgp2, Some("fail")));
}

#[test]
fn key_files_are_judged_by_what_they_decode_to() {
    let test = "key_files_are_judged_by_what_they_decode_to";
    for command in ["openssl", "pk12util", "certutil", "gpg"] {
        if !have(command, test) {
            return;
        }
    }
    let home = Home::with_ssh();
    let mut expected = Vec::new();
    pkcs12_files(&home, &mut expected);
    gnupg_layouts(&home, &mut expected);
    // gnome-keyring's text format, opening with a blank line as its own fixture does.
    home.dir(".local/share/keyrings", 0o700);
    expected.push((
        home.file(
            ".local/share/keyrings/plain.keyring",
            b"\n[keyring]\ndisplay-name=plain\nctime=0\nmtime=0\n\n[1]\nitem-type=0\nsecret=hunter2\n",
            0o600,
        ),
        Some("fail"),
    ));
    let run = Cli::json(&home, &["--only", "key-encryption"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let mut wrong = Vec::new();
    for (path, want) in &expected {
        let got: Vec<&str> = findings
            .iter()
            .filter(|f| f["path"] == p(path))
            .map(|f| f["status"].as_str().unwrap())
            .collect();
        let want: Vec<&str> = want.iter().copied().collect();
        if got != want {
            wrong.push(format!("{}: {got:?}, expected {want:?}", path.display()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}\n{findings:#?}");
    // Nothing beyond them is reported.
    assert_eq!(
        findings.len(),
        expected.iter().filter(|(_, want)| want.is_some()).count(),
        "{findings:#?}"
    );
}

#[test]
fn pem_blocks_without_a_key_are_no_finding_even_with_deep() {
    let test = "pem_blocks_without_a_key_are_no_finding_even_with_deep";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    home.dir("project/roles/deploy/templates", 0o755);
    home.dir("project/docs", 0o755);
    let templates: &[(&str, &str)] = &[
        (
            "project/roles/deploy/templates/id_deploy.j2",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{{ vault_deploy_key }}\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        (
            "project/docs/README.md",
            "Put your key in `key.pem`:\n\n```\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n```\n",
        ),
        (
            "project/docs/redacted.txt",
            "-----BEGIN PRIVATE KEY-----\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n-----END PRIVATE KEY-----\n",
        ),
        (
            "project/docs/empty.pem",
            "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n",
        ),
        (
            "project/.env.example",
            "SSH_KEY=\"-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY}\n-----END OPENSSH PRIVATE KEY-----\"\n",
        ),
    ];
    for (rel, text) in templates {
        home.file(rel, text.as_bytes(), 0o644);
    }
    // And one real key among them, which must still be found.
    let real = home.keygen("project/docs/real_key", None, Some("PEM"), 0o600);
    let run = Cli::json(
        &home,
        &["--deep", "--only", "key-encryption,key-permissions"],
    );
    let paths: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .filter(|path| path.contains("/project/"))
        .collect();
    assert!(paths.iter().all(|path| path == p(&real)), "{paths:#?}");
    assert!(paths.iter().any(|path| path == p(&real)), "{}", run.stdout);
}

#[test]
fn deep_reads_what_a_key_can_be_and_no_more() {
    let test = "deep_reads_what_a_key_can_be_and_no_more";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    home.dir("notes", 0o755);
    let key = home.keygen("source-key", None, Some("PEM"), 0o600);
    let text = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    // A key pasted after a few lines of notes: its marker is in the first bytes.
    let mut notes = b"meeting notes, nothing secret\n".repeat(30);
    notes.extend_from_slice(&text);
    let pasted = home.file("notes/servers.txt", &notes, 0o600);
    // One pasted after 10 KiB of notes is no key file: --deep reads the first
    // 4 KiB of a text (the manual says so), while a key store's files are read
    // to the 64 KiB a key can take.
    let mut long = b"meeting notes, nothing secret\n".repeat(350);
    long.extend_from_slice(&text);
    let long_notes = home.file("notes/long.txt", &long, 0o600);
    let in_store = home.file(".ssh/long-notes.txt", &long, 0o600);
    // gpg-agent's canonical S-expression holds binary (NUL) bytes, yet is a key.
    let canonical = home.file(
        "notes/agent.key",
        b"(11:private-key(3:rsa(1:n3:\x00\x01\x02)(1:e1:\x03)))",
        0o600,
    );
    // A binary file with a key's text after a NUL is no key file, as grep -I says.
    let mut blob = vec![0u8, 1, 2, 3];
    blob.extend_from_slice(&text);
    home.file("notes/blob.bin", &blob, 0o600);
    let run = Cli::json(&home, &["--deep", "--only", "key-encryption"]);
    let paths: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    let mut want = vec![
        p(&canonical).to_owned(),
        p(&pasted).to_owned(),
        p(&in_store).to_owned(),
    ];
    want.sort();
    let mut got = paths.clone();
    got.sort();
    assert_eq!(got, want, "{}", run.stdout);
    // The one in the long notes is not said as another place of the store's key.
    assert!(
        !run.stdout.contains("long.txt"),
        "{} was read past its first 4 KiB: {}",
        p(&long_notes),
        run.stdout
    );
}
