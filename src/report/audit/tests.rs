#![allow(clippy::unwrap_used)]
use super::metrics::label;
use super::*;
use crate::account::Account;
use std::path::PathBuf;
use std::time::Duration;

fn user(name: &str, outcome: Outcome) -> UserRun {
    let mut account = Account::unknown(name);
    account.home = PathBuf::from(format!("/home/{name}"));
    UserRun {
        account,
        outcome,
        ran_as_uid: None,
        checked: 1_700_000_000,
        elapsed: Duration::from_millis(5),
    }
}

fn finding(level: &str, status: &str, path: &str, message: &str) -> serde_json::Value {
    serde_json::json!({"policy": "key-security", "level": level, "status": status,
        "code": "c", "path": path, "message": message})
}

/// Three fails at must level (of two items), a warn, a pass, a skip.
fn failing() -> serde_json::Value {
    serde_json::json!({"findings": [
        finding("must", "fail", "/home/a\"b\\c\nd/.ssh/id_rsa", "readable by its group"),
        finding("must", "fail", "/home/x/k", "second"),
        {"policy": "password-usage", "level": "must-not", "status": "fail", "code": "c",
         "path": null, "message": "third"},
        finding("should", "warn", "/home/x/k", "w"),
        finding("must", "pass", "/home/x/k", "p"),
        {"policy": "password-usage", "level": "must", "status": "skip", "code": "c",
         "path": null, "message": "s"},
    ]})
}

fn audit() -> Audit {
    let clean = serde_json::json!({"findings": [
        finding("should", "fail", "/home/clean/k", "should-level only"),
        finding("must", "waived", "/home/clean/k", "waived"),
    ]});
    Audit {
        host: "h".into(),
        started: 1_700_000_000.25,
        duration: 1.5,
        users: vec![
            user("a\"b\\c\nd", Outcome::Ok(failing())),
            user("clean", Outcome::Ok(clean)),
            user("late", Outcome::TimedOut),
        ],
        previous_success: Some(1_600_000_000.0),
        timeout: 30.0,
    }
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    assert_eq!(label("plain-é"), "plain-é");
}

#[test]
fn a_verdict_is_must_level_failures_first_then_anything_unvouched_for() {
    let audit = audit();
    let verdicts: Vec<Verdict> = audit.users.iter().map(UserRun::verdict).collect();
    assert_eq!(
        verdicts,
        [
            Verdict::NotCompliant,
            Verdict::Compliant,
            Verdict::Incomplete
        ]
    );
    let error = serde_json::json!({"findings": [finding("should", "error", "/x", "e")]});
    assert_eq!(user("e", Outcome::Ok(error)).verdict(), Verdict::Incomplete);
    let both = serde_json::json!({"findings": [
        finding("should", "error", "/x", "e"), finding("must", "fail", "/x", "f")]});
    assert_eq!(
        user("b", Outcome::Ok(both)).verdict(),
        Verdict::NotCompliant
    );
    assert_eq!(
        audit.users[0].counts(),
        Some(Counts {
            must: 3,
            should: 0,
            warn: 1,
            waived: 0,
            error: 0,
            skip: 1
        })
    );
    assert_eq!(audit.users[1].counts().unwrap().waived, 1);
    assert_eq!(audit.users[2].counts(), None);
    assert_eq!(
        audit.users[0].first_problem().unwrap()["message"],
        "readable by its group"
    );
}

#[test]
fn prometheus_has_every_family_under_the_tools_name() {
    let text = prometheus(&audit());
    let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let commit = crate::report::json::commit().unwrap_or("");
    assert_eq!(
        samples,
        [
            format!("csi_self_check_build_info{{version=\"0.1.0\",commit=\"{commit}\"}} 1")
                .as_str(),
            r#"csi_self_check_user_compliant{user="a\"b\\c\nd"} 0"#,
            r#"csi_self_check_user_compliant{user="clean"} 1"#,
            r#"csi_self_check_user_compliant{user="late"} 0"#,
            r#"csi_self_check_findings{user="a\"b\\c\nd",policy="key-security",level="must",status="fail"} 2"#,
            r#"csi_self_check_findings{user="a\"b\\c\nd",policy="key-security",level="should",status="warn"} 1"#,
            r#"csi_self_check_findings{user="a\"b\\c\nd",policy="password-usage",level="must",status="skip"} 1"#,
            r#"csi_self_check_findings{user="a\"b\\c\nd",policy="password-usage",level="must-not",status="fail"} 1"#,
            r#"csi_self_check_findings{user="clean",policy="key-security",level="must",status="waived"} 1"#,
            r#"csi_self_check_findings{user="clean",policy="key-security",level="should",status="fail"} 1"#,
            r#"csi_self_check_audit_user_status{user="a\"b\\c\nd",status="reported"} 1"#,
            r#"csi_self_check_audit_user_status{user="a\"b\\c\nd",status="failed"} 0"#,
            r#"csi_self_check_audit_user_status{user="a\"b\\c\nd",status="timed-out"} 0"#,
            r#"csi_self_check_audit_user_status{user="clean",status="reported"} 1"#,
            r#"csi_self_check_audit_user_status{user="clean",status="failed"} 0"#,
            r#"csi_self_check_audit_user_status{user="clean",status="timed-out"} 0"#,
            r#"csi_self_check_audit_user_status{user="late",status="reported"} 0"#,
            r#"csi_self_check_audit_user_status{user="late",status="failed"} 0"#,
            r#"csi_self_check_audit_user_status{user="late",status="timed-out"} 1"#,
            r#"csi_self_check_user_last_checked_timestamp_seconds{user="a\"b\\c\nd"} 1700000000"#,
            r#"csi_self_check_user_last_checked_timestamp_seconds{user="clean"} 1700000000"#,
            r#"csi_self_check_user_last_checked_timestamp_seconds{user="late"} 1700000000"#,
            "csi_self_check_audit_success 0",
            // Not a success: the last one is carried over.
            "csi_self_check_audit_last_success_timestamp_seconds 1600000000.000",
            "csi_self_check_audit_last_run_timestamp_seconds 1700000000.250",
            "csi_self_check_audit_duration_seconds 1.500",
        ]
    );
    // Each family is declared once, before its samples.
    for line in text.lines().filter(|l| l.starts_with("# TYPE")) {
        assert_eq!(text.matches(line).count(), 1, "{line}");
        assert!(line.starts_with("# TYPE csi_self_check_"), "{line}");
    }
    assert_eq!(last_success_in(&text), Some(1_600_000_000.0));
}

#[test]
fn a_successful_audit_is_its_own_last_success() {
    let mut audit = audit();
    audit.users.pop();
    assert!(audit.succeeded());
    let text = prometheus(&audit);
    assert!(
        text.contains("\ncsi_self_check_audit_success 1\n"),
        "{text}"
    );
    assert_eq!(last_success_in(&text), Some(1_700_000_001.75));
    audit.users.clear();
    audit.previous_success = None;
    assert_eq!(last_success_in(&prometheus(&audit)), Some(1_700_000_001.75));
    assert_eq!(
        last_success_in("csi_self_check_audit_last_success_timestamp_seconds 0"),
        None
    );
    assert_eq!(last_success_in("garbage\n"), None);
}

#[test]
fn the_table_leads_with_the_verdict_and_says_what_each_column_counts() {
    let text = text(&audit());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("USER"), "{text}");
    assert!(
        lines[0].contains("VERDICT") && lines[0].contains("WAIVED"),
        "{text}"
    );
    // The name's line feed is shown escaped, so it cannot forge a row.
    assert!(!text.contains("a\"b\\c\nd"), "{text}");
    assert!(lines[1].contains("NOT COMPLIANT"), "{text}");
    assert!(
        lines[1].contains("  3       0     1       0      0     1  2023-11-14 22:13"),
        "{text}"
    );
    assert!(
        lines[1].ends_with("~/.ssh/id_rsa: readable by its group"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("clean           compliant  "),
        "{text}"
    );
    assert!(
        lines[2].ends_with("  - (waived until ? by ?: ~/k: waived)"),
        "{text}"
    );
    assert!(lines[3].contains("INCOMPLETE"), "{text}");
    assert!(
        lines[3].ends_with("no report: did not finish within 30 seconds and was stopped"),
        "{text}"
    );
    assert!(!text.contains(" ok "), "{text}");
    assert!(
        text.contains("3 account(s) on h, audited 2023-11-14 22:13 UTC in 1.5 s: 1 compliant, 1 NOT COMPLIANT, 1 INCOMPLETE."),
        "{text}"
    );
    assert!(
        text.contains("MUST, SHOULD: findings (one per file or setting)"),
        "{text}"
    );
}
