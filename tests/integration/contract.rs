//! The JSON document and the exit statuses are contracts later versions keep.

use crate::util::{Cli, Home, have};

#[test]
fn the_json_document_has_the_promised_shape() {
    if !have("ssh-keygen", "the_json_document_has_the_promised_shape") {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_rsa", Some("pass phrase"), None, 0o640);
    home.fifo(".ssh/fifo");
    let run = Cli::json(&home, &[]);
    let doc = run.json();
    let top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top.len(), 9, "{top:?}");
    for key in [
        "schema_version",
        "tool",
        "host",
        "time",
        "user",
        "home",
        "findings",
        "summary",
        "changes",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["tool"]["name"], "csi-self-check");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    // Where and when: the machine's name, the run's moment to the second.
    assert_eq!(
        doc["host"],
        nix::unistd::gethostname().unwrap().to_str().unwrap()
    );
    let time = doc["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
    let me = nix::unistd::User::from_uid(nix::unistd::getuid())
        .unwrap()
        .unwrap()
        .name;
    assert_eq!(doc["user"], me.as_str());
    assert_eq!(doc["home"], home.path().to_str().unwrap());
    let findings = doc["findings"].as_array().unwrap();
    let registry = Cli::new(["list-checks", "--format", "json"]).run().json()["checks"]
        .as_array()
        .unwrap()
        .clone();
    let statuses = ["pass", "fail", "warn", "waived", "remind", "skip", "error"];
    let levels = ["must", "must-not", "should", "should-not"];
    for f in findings {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 10, "{keys:?}");
        // Every finding comes from a registered check and one of its policy items.
        let check = registry
            .iter()
            .find(|c| c["id"] == f["check"])
            .unwrap_or_else(|| panic!("unknown check {f}"));
        assert!(
            check["policies"].as_array().unwrap().contains(&f["policy"]),
            "{f}"
        );
        assert!(levels.contains(&f["level"].as_str().unwrap()));
        assert!(statuses.contains(&f["status"].as_str().unwrap()));
        assert!(
            f["code"]
                .as_str()
                .unwrap()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
        );
        assert!(f["path"].is_null() || f["path"].as_str().unwrap().starts_with('/'));
        assert!(!f["message"].as_str().unwrap().is_empty());
        assert!(f["fix"].is_null() || f["fix"].is_string());
    }
    let failure = findings.iter().find(|f| f["status"] == "fail").unwrap();
    assert_eq!(failure["code"], "private-key-group-readable");
    assert_eq!(failure["path"], key.to_str().unwrap());
    assert_eq!(failure["fix"], format!("chmod 400 {}", key.display()));
    // Must-level failures come first.
    assert_eq!(findings[0]["status"], "fail");
    // The summary counts what is listed.
    for status in statuses {
        let counted = findings.iter().filter(|f| f["status"] == status).count();
        assert_eq!(doc["summary"][status], counted, "{status}");
    }
    // No file content: the key's body never appears.
    let body = std::fs::read_to_string(&key).unwrap();
    for line in body.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!run.stdout.contains(line));
    }
}

#[test]
fn a_relative_home_is_reported_absolute() {
    let home = Home::with_ssh();
    let parent = home.path().parent().unwrap();
    let name = home.path().file_name().unwrap().to_str().unwrap();
    let run = Cli::new(["--home", name, "--format", "json"])
        .current_dir(parent)
        .run();
    assert_eq!(run.json()["home"], home.path().to_str().unwrap());
}

#[test]
fn exit_status_is_0_1_or_2() {
    if !have("ssh-keygen", "exit_status_is_0_1_or_2") {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o400);
    assert_eq!(Cli::json(&home, &[]).code, 0);
    crate::util::chmod(&key, 0o644);
    assert_eq!(Cli::json(&home, &[]).code, 1);
    let h = home.path().to_str().unwrap();
    let missing = format!("{h}/nonexistent/home");
    for args in [
        vec!["--frobnicate"],
        vec!["--format", "yaml"],
        vec!["--color", "sometimes"],
        vec!["--home", &missing],
        vec!["--home", h, "--only", "no-such-check"],
        vec!["--home", h, "--policy", "/nonexistent/policy.toml"],
        vec!["no-such-subcommand"],
        vec!["policy"],
    ] {
        let run = Cli::new(&args).run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "{args:?}: one line: {}",
            run.stderr
        );
        assert!(
            run.stderr.starts_with("csi-self-check: error: "),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    let run = Cli::new(["--home", &missing]).run();
    assert!(run.stderr.contains(&missing), "names what: {}", run.stderr);
    // An unopenable home found during the run is an error finding and exit 2.
    assert_eq!(Cli::new(["--help"]).run().code, 0);
    assert_eq!(Cli::new(["--version"]).run().code, 0);
}

#[test]
fn a_stray_word_is_refused_without_being_repeated() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    for args in [
        vec!["S3cr3t!pw"],
        vec!["--home", h, "S3cr3t!pw"],
        vec!["list-checks", "S3cr3t!pw"],
    ] {
        let run = Cli::new(&args).run();
        assert_eq!(run.code, 2);
        assert!(!run.stderr.contains("S3cr3t"), "{}", run.stderr);
        assert!(!run.stdout.contains("S3cr3t"));
        assert!(run.stderr.contains("unexpected word"), "{}", run.stderr);
    }
    // A mistyped option is named: it is not a secret.
    let run = Cli::new(["--qiet"]).run();
    assert!(run.stderr.contains("--qiet"), "{}", run.stderr);
    let run = Cli::new(["policy", "check"]).run();
    assert!(
        run.stderr.contains("<FILE>"),
        "the message is whole: {}",
        run.stderr
    );
}

#[test]
fn help_documents_the_exit_status() {
    let help = Cli::new(["--help"]).run().stdout;
    for line in [
        "0  no must-level",
        "1  at least one must-level",
        "2  usage, policy or runtime error",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

/// Every JSON document the tool writes has a JSON Schema in src/dist/schema/, and
/// `Run::json` holds it to that schema (tests/schema/validate, every object closed to
/// keys the schema does not name). Here each command that writes JSON runs once, so
/// that no schema goes unexercised; `audit` is in tests/integration/audit.rs, the
/// Ansible summary in tests/ansible.sh.
#[test]
fn every_json_output_has_schema_version_and_follows_its_schema() {
    if !have(
        "ssh-keygen",
        "every_json_output_has_schema_version_and_follows_its_schema",
    ) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some("Pass-Phrase-4-Key!"), None, 0o640);
    home.file(
        ".netrc",
        b"machine example.org login me password Hunter2-Secret\n",
        0o600,
    );
    home.file(".ssh/config", b"Host *\n  ForwardAgent yes\n", 0o600);
    let h = home.path().to_str().unwrap();
    let (import, index) = crate::breach::import(home.path(), &crate::breach::download(3, &[]));
    let mine = home.file("mine.toml", b"[password-entropy]\nmin-length = 10\n", 0o644);
    let runs = [
        Cli::new(["--home", h, "--format", "json"]).run(),
        Cli::new(["--home", h, "--format", "json", "checklist"]).run(),
        Cli::new(["--format", "json", "list-checks"]).run(),
        Cli::new(["--format", "json", "policy", "show"]).run(),
        Cli::new([
            "--format",
            "json",
            "policy",
            "check",
            mine.to_str().unwrap(),
        ])
        .run(),
        Cli::new(["--home", h, "--format", "json", "password", "--stdin"])
            .stdin(b"Quiet-Lantern-Orbit-77")
            .run(),
        Cli::new([
            "--home",
            h,
            "--format",
            "json",
            "key",
            "check",
            key.to_str().unwrap(),
            "--stdin",
        ])
        .stdin(b"Pass-Phrase-4-Key!")
        .run(),
        Cli::new([
            "--format",
            "json",
            "breach",
            "import",
            home.join("pwned-passwords-sha1.txt").to_str().unwrap(),
            "--output",
            index.to_str().unwrap(),
        ])
        .run(),
    ];
    assert_eq!(import.code, 0, "{}", import.stderr);
    for run in &runs {
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let doc = run.json();
        assert_eq!(doc["schema_version"], 2, "{doc}");
        assert_eq!(doc["tool"]["name"], "csi-self-check", "{doc}");
    }
    // Line numbers are fields of their own where a finding has one.
    let report = runs[0].json();
    let lines: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| Some((f["code"].as_str()?, f["line"].as_u64()?)))
        .collect();
    assert!(
        lines.contains(&("ssh-forward-agent-all-hosts", 2)),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("plaintext-on-unencrypted-fs", 1))
            || lines.contains(&("credential-file-plaintext", 1)),
        "{lines:?}"
    );
}
