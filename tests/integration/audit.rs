//! `audit` as root on real accounts made by useradd (and removed afterwards): each
//! user is checked as that user, a user that cannot be checked is reported and the
//! audit goes on, and the Prometheus output is what promtool accepts and says what
//! the JSON says.

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;

use crate::util::{BIN, Cli, SitePolicy, TestUser, chmod, have, is_root, skip};

/// useradd and userdel lock the password files; two at once fail, so tests take turns.
/// The sample lines of a metrics text as (name, labels, value).
fn samples(text: &str) -> Vec<(String, BTreeMap<String, String>, f64)> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let (name, mut rest) = series.split_once('{').unwrap_or((series, "}"));
        let mut labels = BTreeMap::new();
        while let Some((key, after)) = rest.split_once("=\"") {
            let key = key.trim_start_matches(',').to_owned();
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next().unwrap() {
                    (_, '\\') => match chars.next().unwrap().1 {
                        'n' => value.push('\n'),
                        c => value.push(c),
                    },
                    (i, '"') => break i,
                    (_, c) => value.push(c),
                }
            };
            labels.insert(key, value);
            rest = &after[end + 1..];
        }
        out.push((name.to_owned(), labels, value.parse().unwrap()));
    }
    out
}

/// The findings of one user's report that are not `pass`, counted by (policy,
/// level, status): what `csi_self_check_findings` must say.
fn attention(report: &serde_json::Value) -> BTreeMap<(String, String, String), f64> {
    let mut counts = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f["status"] != "pass" {
            let key = |k: &str| f[k].as_str().unwrap().to_owned();
            *counts
                .entry((key("policy"), key("level"), key("status")))
                .or_insert(0.0) += 1.0;
        }
    }
    counts
}

fn report_of<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the audit: {doc}"))
}

fn codes_at(user: &serde_json::Value, path: &Path) -> Vec<(String, String, String)> {
    user["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path.to_str().unwrap())
        .map(|f| {
            let key = |k: &str| f[k].as_str().unwrap().to_owned();
            (key("status"), key("code"), key("message"))
        })
        .collect()
}

const MARKER: &str = "CSIAUDITROOTONLYMARKER";

#[test]
fn three_users_are_each_checked_as_themselves_and_the_metrics_match() {
    let test = "three_users_are_each_checked_as_themselves_and_the_metrics_match";
    if !is_root() {
        return skip(test, "useradd and the privilege drop need root");
    }
    if !have("ssh-keygen", test) || !have("promtool", test) || !have("useradd", test) {
        return;
    }
    // One: a group-readable key without a passphrase, and beside it a file only root
    // may read, which a check running as root would open.
    let one = TestUser::new("csiaudit1");
    let key = one.unencrypted_key(0o640);
    let ssh = one.join(".ssh");
    let root_only = ssh.join("id_rootonly");
    std::fs::write(
        &root_only,
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{MARKER}\n-----END OPENSSH PRIVATE KEY-----\n"
        ),
    )
    .unwrap();
    chmod(&root_only, 0o600);
    // Two: a home its owner cannot open.
    let two = TestUser::new("csiaudit2");
    chmod(&two.home, 0o000);
    // Three: ~/.ssh is a link to the first user's: out of the home, through a
    // directory of another account's, which sshd's StrictModes refuses.
    let three = TestUser::new("csiaudit3");
    let link = three.join(".ssh");
    symlink(&ssh, &link).unwrap();
    three.give(&link);

    let users = "csiaudit1,csiaudit2,csiaudit3";
    let run = Cli::new(["audit", "--all-users", "--users", users, "--format", "json"]).run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains(MARKER), "the root-only file was read");
    let doc = run.json();
    for user in [&one, &two, &three] {
        let entry = report_of(&doc, user.name);
        assert_eq!(entry["status"], "reported", "{entry}");
        // The parent saw the child exit with the user's ids, and the report is theirs.
        assert_eq!(entry["ran_as_uid"], user.uid, "{entry}");
        assert_eq!(entry["uid"], user.uid);
        assert_eq!(entry["report"]["user"], user.name);
    }

    // A must-level failure is NOT COMPLIANT, and names it; a home that cannot be
    // read vouches for nothing.
    let first = report_of(&doc, "csiaudit1");
    assert_eq!(first["verdict"], "not-compliant", "{first}");
    assert_eq!(first["compliant"], false);
    assert_eq!(first["first_problem"]["status"], "fail", "{first}");
    assert!(first["counts"]["must"].as_u64().unwrap() >= 2, "{first}");
    assert_eq!(report_of(&doc, "csiaudit2")["verdict"], "incomplete");
    let key_codes: Vec<String> = codes_at(first, &key).into_iter().map(|c| c.1).collect();
    assert!(
        key_codes.contains(&"private-key-group-readable".to_owned())
            && key_codes.contains(&"key-unencrypted".to_owned()),
        "{key_codes:?}"
    );
    // As the user the root-only file cannot be opened; as root it would have been.
    assert_eq!(
        codes_at(first, &root_only),
        [(
            "skip".to_owned(),
            "unreadable".to_owned(),
            "permission denied".to_owned()
        )]
    );

    let second = &report_of(&doc, "csiaudit2")["report"]["findings"];
    assert!(!second.as_array().unwrap().is_empty());
    for finding in second.as_array().unwrap() {
        assert_eq!(finding["status"], "error", "{finding}");
        assert_eq!(finding["code"], "check-incomplete", "{finding}");
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .contains("permission denied"),
            "{finding}"
        );
    }

    let third = report_of(&doc, "csiaudit3");
    assert!(
        codes_at(third, &link)
            .iter()
            .any(|(status, code, _)| status == "fail" && code == "ssh-dir-symlink"),
        "{third}"
    );
    // Nothing behind the link was looked at as this user's.
    for finding in third["report"]["findings"].as_array().unwrap() {
        if let Some(path) = finding["path"].as_str() {
            assert!(path.starts_with(three.home.to_str().unwrap()), "{finding}");
        }
    }

    // The same audit as metrics, written atomically for node_exporter.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("csi-self-check.prom");
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let run = Cli::new([
        "audit",
        "--all-users",
        "--users",
        users,
        "--format",
        "prometheus",
        "--output",
        file.to_str().unwrap(),
    ])
    .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "", "--output leaves standard output empty");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert!(
        promtool.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&promtool.stdout),
        String::from_utf8_lossy(&promtool.stderr)
    );

    let parsed = samples(&text);
    for user in [&one, &two, &three] {
        let gauges: BTreeMap<(String, String, String), f64> = parsed
            .iter()
            .filter(|(name, labels, _)| {
                name == "csi_self_check_findings" && labels["user"] == user.name
            })
            .map(|(_, l, v)| {
                (
                    (l["policy"].clone(), l["level"].clone(), l["status"].clone()),
                    *v,
                )
            })
            .collect();
        let expected = attention(&report_of(&doc, user.name)["report"]);
        assert!(!expected.is_empty(), "{} has nothing to count", user.name);
        assert_eq!(gauges, expected, "{}\n{text}", user.name);
        let statuses: BTreeMap<String, f64> = parsed
            .iter()
            .filter(|(name, l, _)| {
                name == "csi_self_check_audit_user_status" && l["user"] == user.name
            })
            .map(|(_, l, v)| (l["status"].clone(), *v))
            .collect();
        let want: BTreeMap<String, f64> = [
            ("failed".into(), 0.0),
            ("reported".into(), 1.0),
            ("timed-out".into(), 0.0),
        ]
        .into();
        assert_eq!(statuses, want, "{}", user.name);
        // The same verdict as the JSON's.
        let compliant: Vec<f64> = parsed
            .iter()
            .filter(|(name, l, _)| {
                name == "csi_self_check_user_compliant" && l["user"] == user.name
            })
            .map(|(_, _, v)| *v)
            .collect();
        let verdict = &report_of(&doc, user.name)["verdict"];
        assert_eq!(
            compliant,
            [f64::from(u8::from(verdict == "compliant"))],
            "{}",
            user.name
        );
    }
    let value = |metric: &str| {
        parsed
            .iter()
            .find(|(name, _, _)| name == metric)
            .unwrap_or_else(|| panic!("no {metric}"))
            .2
    };
    let stamp = value("csi_self_check_audit_last_run_timestamp_seconds");
    assert!(
        stamp >= before.floor() && stamp <= before + 60.0,
        "{stamp} vs {before}"
    );
    assert!((0.0..60.0).contains(&value("csi_self_check_audit_duration_seconds")));
}

#[test]
fn clean_failing_and_waived_accounts_read_as_such_in_the_table_json_and_metrics() {
    let test = "clean_failing_and_waived_accounts_read_as_such_in_the_table_json_and_metrics";
    if !is_root() {
        return skip(
            test,
            "useradd, the privilege drop and a site policy need root",
        );
    }
    if !have("ssh-keygen", test) || !have("useradd", test) || !have("promtool", test) {
        return;
    }
    let _clean = TestUser::new("csiaudit6");
    let failing = TestUser::new("csiaudit7");
    failing.unencrypted_key(0o640);
    let waived = TestUser::new("csiaudit8");
    waived.unencrypted_key(0o400);
    // The role account's unencrypted key is waived; an old waiver for the clean
    // account has run out and is reported to it.
    let site = SitePolicy::new(
        "audit",
        "[[waiver]]\n\
         item = \"key-passwords\"\n\
         paths = [\"~/.ssh/id_ed25519\"]\n\
         accounts = [\"csiaudit8\"]\n\
         reason = \"2.1.1 Role Accounts: the nightly deploy runs unattended\"\n\
         granted-by = \"Jane Admin\"\n\
         expires = 2999-12-31\n\
         \n\
         [[waiver]]\n\
         code = \"credential-file-plaintext\"\n\
         accounts = [\"csiaudit6\"]\n\
         reason = \"2.1.1 Data Access Passwords\"\n\
         granted-by = \"Jane Admin\"\n\
         expires = 2020-01-31\n",
    );
    let users = "csiaudit6,csiaudit7,csiaudit8";
    let audit = |format: &str| {
        Cli::new([
            "audit",
            "--users",
            users,
            "--policy",
            site.arg(),
            "--format",
            format,
        ])
        .run()
    };
    let table = audit("text");
    assert_eq!(table.code, 1, "{}", table.stderr);
    let row = |name: &str| {
        let row = table
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{}", table.stdout));
        row.split_whitespace().collect::<Vec<&str>>()
    };
    // USER VERDICT MUST SHOULD WARN WAIVED ERROR SKIP DATE TIME PROBLEM...
    let clean_row = row("csiaudit6");
    assert_eq!(clean_row[1..3], ["compliant", "0"], "{}", table.stdout);
    assert_eq!(clean_row[5], "0", "no waiver in force: {}", table.stdout);
    assert_eq!(clean_row.last(), Some(&"-"), "{}", table.stdout);
    let failing_row = row("csiaudit7");
    assert_eq!(failing_row[1..3], ["NOT", "COMPLIANT"], "{}", table.stdout);
    assert_ne!(failing_row[3], "0", "{}", table.stdout);
    assert!(
        table.stdout.contains("  ~/.ssh/id_ed25519: "),
        "the first must-level problem, in words: {}",
        table.stdout
    );
    let waived_row = row("csiaudit8");
    assert_eq!(waived_row[1..3], ["compliant", "0"], "{}", table.stdout);
    assert_eq!(waived_row[5], "1", "one waived finding: {}", table.stdout);
    assert!(
        table.stdout.lines().any(|l| l.starts_with("csiaudit8 ")
            && l.contains("  - (waived until 2999-12-31 by Jane Admin: ~/.ssh/id_ed25519: ")),
        "the waiver is in the table: {}",
        table.stdout
    );
    assert!(
        table.stdout.contains("3 account(s) on ")
            && table
                .stdout
                .contains(": 2 compliant, 1 NOT COMPLIANT, 0 INCOMPLETE."),
        "{}",
        table.stdout
    );

    let json = audit("json");
    assert_eq!(json.code, 1, "{}", json.stderr);
    let doc = json.json();
    let verdicts: Vec<(&str, &str)> = doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["user"].as_str().unwrap(), u["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("csiaudit6", "compliant"),
            ("csiaudit7", "not-compliant"),
            ("csiaudit8", "compliant")
        ]
    );
    let first = &report_of(&doc, "csiaudit7")["first_problem"];
    assert_eq!(
        (&first["status"], &first["level"]),
        (&"fail".into(), &"must".into()),
        "{first}"
    );
    let waived_findings = &report_of(&doc, "csiaudit8")["report"]["findings"];
    let waived_one: Vec<&serde_json::Value> = waived_findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "waived")
        .collect();
    assert_eq!(waived_one.len(), 1, "{waived_findings}");
    assert_eq!(waived_one[0]["code"], "key-unencrypted");
    assert_eq!(waived_one[0]["waiver"]["granted_by"], "Jane Admin");
    assert_eq!(report_of(&doc, "csiaudit8")["counts"]["waived"], 1);
    let notices: Vec<&serde_json::Value> = report_of(&doc, "csiaudit6")["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "waiver-expired")
        .collect();
    assert_eq!(
        notices.len(),
        1,
        "the expired waiver is reported to its account"
    );
    assert_eq!(notices[0]["line"], 9);

    let metrics = audit("prometheus");
    assert_eq!(metrics.code, 1, "{}", metrics.stderr);
    let parsed = samples(&metrics.stdout);
    let gauge = |name: &str, user: &str, status: Option<&str>| {
        parsed
            .iter()
            .find(|(n, l, _)| {
                n == name && l["user"] == user && status.is_none_or(|s| l["status"] == s)
            })
            .map(|(_, _, v)| *v)
    };
    assert_eq!(
        gauge("csi_self_check_user_compliant", "csiaudit6", None),
        Some(1.0)
    );
    assert_eq!(
        gauge("csi_self_check_user_compliant", "csiaudit7", None),
        Some(0.0)
    );
    assert_eq!(
        gauge("csi_self_check_user_compliant", "csiaudit8", None),
        Some(1.0)
    );
    assert_eq!(
        gauge("csi_self_check_findings", "csiaudit8", Some("waived")),
        Some(1.0),
        "{}",
        metrics.stdout
    );
    let promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    promtool
        .stdin
        .as_ref()
        .unwrap()
        .write_all(metrics.stdout.as_bytes())
        .unwrap();
    let out = promtool.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_user_past_the_deadline_is_stopped_and_the_audit_goes_on() {
    let test = "a_user_past_the_deadline_is_stopped_and_the_audit_goes_on";
    if !is_root() {
        return skip(test, "useradd and the privilege drop need root");
    }
    if !have("useradd", test) {
        return;
    }
    let four = TestUser::new("csiaudit4");
    let five = TestUser::new("csiaudit5");
    // No process starts, drops privileges and checks a home within a millisecond.
    let run = Cli::new([
        "audit",
        "--users",
        "csiaudit4,csiaudit5",
        "--timeout-per-user",
        "0.001",
        "--format",
        "json",
    ])
    .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    for user in [&four, &five] {
        let entry = report_of(&doc, user.name);
        assert_eq!(entry["status"], "timed-out", "{entry}");
        assert!(entry["report"].is_null());
        assert!(
            entry["error"]
                .as_str()
                .unwrap()
                .contains("did not finish within 0.001 seconds")
        );
    }
    let table = Cli::new([
        "audit",
        "--users",
        "csiaudit4,csiaudit5",
        "--timeout-per-user",
        "0.001",
    ])
    .run();
    assert_eq!(table.code, 1);
    let row = table
        .stdout
        .lines()
        .find(|l| l.starts_with("csiaudit5 "))
        .unwrap_or_else(|| panic!("no row for csiaudit5:\n{}", table.stdout));
    assert!(
        row.contains(" INCOMPLETE ")
            && row.ends_with("no report: did not finish within 0.001 seconds and was stopped"),
        "{}",
        table.stdout
    );
    // Nothing of the children is left running: the process group was killed. A
    // helper killed a moment ago may take a moment to be gone, so look a few times.
    let mut left = Vec::new();
    for _ in 0..40 {
        left = Command::new("pgrep")
            .args(["-u", &four.uid.to_string()])
            .output()
            .unwrap()
            .stdout;
        if left.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(left.is_empty(), "{}", String::from_utf8_lossy(&left));
}

#[test]
fn audit_needs_root() {
    let mut cli = Cli::new(["audit", "--all-users"]);
    if is_root() {
        cli = cli.run_as(65534);
    }
    let run = cli.run();
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "csi-self-check: error: audit: must be run as root, to become each user in turn\n"
    );
    let mut cli = Cli::new(["audit-user", "--", "nobody"]);
    if is_root() {
        cli = cli.run_as(65534);
    }
    let run = cli.run();
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn audit_refuses_unknown_and_ineligible_users_before_auditing_anyone() {
    let test = "audit_refuses_unknown_and_ineligible_users_before_auditing_anyone";
    if !is_root() {
        return skip(test, "an audit needs root to get as far as the user names");
    }
    // nobody's home does not exist: had the audit begun, it would have nothing to read.
    let run = Cli::new(["audit", "--users", "nobody,csiaudit-nosuchuser"]).run();
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert_eq!(
        run.stderr,
        "csi-self-check: error: usage: --users: `csiaudit-nosuchuser` has no entry in the password database\n"
    );
    // nobody has nologin for a shell: not one of --all-users' accounts.
    let run = Cli::new(["audit", "--all-users", "--users", "nobody"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`nobody` is not a login account"),
        "{}",
        run.stderr
    );
    let run = Cli::new(["audit"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--all-users"), "{}", run.stderr);
    // Metrics belong to the audit; elsewhere the format is a usage error.
    let home = crate::util::Home::new();
    let h = home.path().to_str().unwrap();
    let run = Cli::new(["--home", h, "--format", "prometheus"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("only for `audit`"), "{}", run.stderr);
    let run = Cli::new([
        "audit",
        "--all-users",
        "--users",
        "nobody",
        "--output",
        "/nonexistent-dir/x.prom",
    ])
    .run();
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.contains("/nonexistent-dir/x.prom: --output:"),
        "{}",
        run.stderr
    );
    let run = Cli::new(["audit", "--all-users", "--timeout-per-user", "0"]).run();
    assert_eq!(run.code, 2);
    // The home is the password database's, for the audit and for its children.
    for args in [
        &["--home", h, "audit", "--all-users", "--users", "nobody"][..],
        &["--home", h, "audit-user", "--", "nobody"][..],
    ] {
        let run = Cli::new(args).run();
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}");
        assert!(
            run.stderr.contains("--home does not apply"),
            "{}",
            run.stderr
        );
    }
}

const DIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/dist");

#[test]
fn the_shipped_units_verify_and_run_a_command_the_binary_accepts() {
    let test = "the_shipped_units_verify_and_run_a_command_the_binary_accepts";
    if !have("systemd-analyze", test) {
        return;
    }
    let service =
        std::fs::read_to_string(format!("{DIST}/systemd/csi-self-check-audit.service")).unwrap();
    // Verified as installed, but with this build's binary, which verify looks for.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("csi-self-check-audit.service"),
        service.replace("/usr/bin/csi-self-check", BIN),
    )
    .unwrap();
    std::fs::copy(
        format!("{DIST}/systemd/csi-self-check-audit.timer"),
        dir.path().join("csi-self-check-audit.timer"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(dir.path().join("csi-self-check-audit.service"))
        .arg(dir.path().join("csi-self-check-audit.timer"))
        .output()
        .unwrap();
    // verify exits 0 on an unknown key or a bad value; its complaints are on stderr.
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    // ExecStart parses: without root it gets as far as asking for root.
    let exec = service
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart=/usr/bin/csi-self-check "))
        .unwrap();
    let mut cli = Cli::new(exec.split(' '));
    if is_root() {
        cli = cli.run_as(65534);
    }
    let run = cli.run();
    assert!(run.stderr.contains("must be run as root"), "{}", run.stderr);
}

/// The playbook runs for real in tests/ansible.sh (from tests/package.sh, with the
/// built .deb); this is the quick look that needs neither: it parses, audits as JSON
/// into the directory it fetches from, and leaves csi-self-check's own directory —
/// where the system's breach index lives — open to every user.
#[test]
fn the_playbook_is_yaml_and_runs_the_audit_it_fetches() {
    let test = "the_playbook_is_yaml_and_runs_the_audit_it_fetches";
    let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)";
    let out = Command::new("/usr/bin/python3")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .args([
            "-c",
            script,
            &format!("{DIST}/ansible/csi-self-check-audit.yml"),
        ])
        .output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named 'yaml'") => {
            return skip(
                test,
                "python3-yaml is not installed (the README's test command installs it)",
            );
        }
        Ok(out) => panic!("not YAML: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => return skip(test, "python3 is not installed"),
    };
    let plays: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vars = &plays[0]["vars"];
    let tasks = plays[0]["tasks"].as_array().unwrap();
    let audit = tasks
        .iter()
        .find_map(|t| t["ansible.builtin.command"]["argv"].as_str())
        .unwrap();
    for word in [
        "'/usr/bin/csi-self-check', 'audit'",
        "'--all-users'",
        "'--format', 'json'",
        "'--output', csi_result_dir ~ '/audit.json'",
    ] {
        assert!(audit.contains(word), "{word} not in {audit}");
    }
    let fetch = tasks
        .iter()
        .find_map(|t| t["ansible.builtin.fetch"].as_object())
        .unwrap();
    assert_eq!(fetch["src"], "{{ csi_result_dir }}/audit.json");
    assert_eq!(plays[0]["become"], true);
    // Whatever the playbook makes of csi-self-check's directory, it is 0755.
    let modes: Vec<(&str, &str)> = tasks
        .iter()
        .filter_map(|t| t["ansible.builtin.file"].as_object())
        .map(|f| (f["path"].as_str().unwrap(), f["mode"].as_str().unwrap()))
        .collect();
    assert!(
        modes.contains(&("{{ csi_state_dir }}", "0755")),
        "{modes:?}"
    );
    assert!(
        modes.contains(&("{{ csi_result_dir }}", "0700")),
        "{modes:?}"
    );
    assert_eq!(vars["csi_state_dir"], "/var/lib/csi-self-check");
    assert_eq!(vars["csi_result_dir"], "/var/lib/csi-self-check/audit");
}
