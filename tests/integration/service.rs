//! The audit service, hardened and still working: `systemd-analyze security` rates
//! the shipped unit at most 2.0, and its command, run within the unit's limits as far
//! as they hold without systemd as PID 1 — the capability bounding set and
//! no_new_privs (setpriv), a read-only root and homes with only the output
//! directory writable (a private mount namespace), and under strace every system
//! call checked against the unit's `SystemCallFilter=` — still reads every home,
//! drops to each user and writes its output. Where systemd is PID 1,
//! tests/package.sh also starts the installed service and timer for real.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::util::{BIN, TestUser, chmod, have, is_root, skip};

const UNIT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/dist/systemd/csi-self-check-audit.service"
);

/// The unit's `[Service]` settings, each key with every value it was given.
fn settings(unit: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in unit.lines().filter(|l| !l.starts_with('#')) {
        if let Some((key, value)) = line.split_once('=') {
            out.entry(key.to_owned())
                .or_default()
                .push(value.to_owned());
        }
    }
    out
}

/// The system calls of a `systemd-analyze syscall-filter` group, its groups expanded.
fn syscalls_of(group: &str) -> BTreeSet<String> {
    let out = Command::new("systemd-analyze")
        .args(["syscall-filter", "--no-pager"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with('@') {
            current = line.trim().to_owned();
        } else if !line.trim().is_empty() && !line.trim().starts_with('#') {
            groups
                .entry(current.clone())
                .or_default()
                .push(line.trim().to_owned());
        }
    }
    let mut calls = BTreeSet::new();
    let mut todo = vec![group.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(group) = todo.pop() {
        if !seen.insert(group.clone()) {
            continue;
        }
        for member in groups.get(&group).into_iter().flatten() {
            if member.starts_with('@') {
                todo.push(member.clone());
            } else {
                calls.insert(member.clone());
            }
        }
    }
    assert!(calls.len() > 100, "could not read {group}: {calls:?}");
    calls
}

#[test]
fn systemd_analyze_rates_the_audit_service_at_most_2() {
    let test = "systemd_analyze_rates_the_audit_service_at_most_2";
    if !have("systemd-analyze", test) {
        return;
    }
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager", UNIT])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let score: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("→ Overall exposure level for csi-self-check-audit.service: "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no overall exposure level in:\n{text}"));
    assert!(score <= 2.0, "exposure {score} > 2.0:\n{text}");
}

#[test]
fn the_services_command_reads_every_home_drops_and_writes_within_its_limits() {
    let test = "the_services_command_reads_every_home_drops_and_writes_within_its_limits";
    if !is_root() {
        return skip(
            test,
            "the audit, its accounts and a mount namespace need root",
        );
    }
    for tool in [
        "systemd-analyze",
        "setpriv",
        "unshare",
        "strace",
        "ssh-keygen",
        "useradd",
    ] {
        if !have(tool, test) {
            return;
        }
    }
    let unit = std::fs::read_to_string(UNIT).unwrap();
    let unit = settings(&unit);
    let one = |key: &str| -> &str {
        let values = unit
            .get(key)
            .unwrap_or_else(|| panic!("the unit sets no {key}="));
        assert_eq!(values.len(), 1, "{key}");
        &values[0]
    };
    // The limits this test applies are the unit's own.
    assert_eq!(one("NoNewPrivileges"), "yes");
    assert_eq!(one("ProtectSystem"), "strict");
    assert_eq!(one("ProtectHome"), "read-only");
    assert_eq!(one("RestrictAddressFamilies"), "AF_UNIX");
    let bounding: Vec<String> = one("CapabilityBoundingSet")
        .split_whitespace()
        .map(|cap| format!("+{}", cap.trim_start_matches("CAP_").to_lowercase()))
        .collect();
    let filter = one("SystemCallFilter");
    let allowed = syscalls_of(filter);
    let exec: Vec<&str> = one("ExecStart").split(' ').collect();
    assert_eq!(
        exec[..3],
        ["/usr/bin/csi-self-check", "audit", "--all-users"]
    );

    // Two accounts: one with a group-readable unencrypted key, one clean.
    let loose = TestUser::new("csihard1");
    loose.unencrypted_key(0o640);
    let _clean = TestUser::new("csihard2");

    // The output directory stands in for ReadWritePaths=; root's, as Debian's is.
    let work = tempfile::tempdir().unwrap();
    chmod(work.path(), 0o755);
    let output = work.path().join("csi-self-check.prom");
    let trace = work.path().join("strace.txt");
    // The unit's command with these two accounts instead of --all-users.
    let mut audit: Vec<String> = vec![
        BIN.to_owned(),
        "audit".into(),
        "--users".into(),
        "csihard1,csihard2".into(),
    ];
    let rest = &exec[3..];
    let at = rest.iter().position(|a| *a == "--output").unwrap();
    audit.extend(rest[..at].iter().map(|a| (*a).to_owned()));
    audit.extend(["--output".into(), output.to_str().unwrap().to_owned()]);
    let script = format!(
        "set -e\n\
         mount --make-rprivate /\n\
         mount --bind \"$1\" \"$1\"\n\
         mount -o remount,bind,ro /\n\
         mount --bind /home /home\n\
         mount -o remount,bind,ro /home\n\
         shift\n\
         exec setpriv --bounding-set=-all,{} --inh-caps=-all --no-new-privs -- \"$@\"",
        bounding.join(",")
    );
    let run = Command::new("unshare")
        .args(["-m", "sh", "-c", &script, "sh"])
        .arg(work.path())
        .args(["strace", "-f", "-qq", "-o"])
        .arg(&trace)
        .args(&audit)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "one account is not compliant: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let metrics = std::fs::read_to_string(&output).unwrap();
    for line in [
        "csi_self_check_user_compliant{user=\"csihard1\"} 0",
        "csi_self_check_user_compliant{user=\"csihard2\"} 1",
        "csi_self_check_audit_user_status{user=\"csihard1\",status=\"reported\"} 1",
        "csi_self_check_audit_user_status{user=\"csihard2\",status=\"reported\"} 1",
        "csi_self_check_audit_success 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "no {line}:\n{metrics}");
    }
    assert!(
        metrics
            .contains("user=\"csihard1\",policy=\"key-passwords\",level=\"must\",status=\"fail\""),
        "the key in the home was read: {metrics}"
    );

    // Every system call the audit and its children made is one the filter allows,
    // and every socket is a Unix one. strace traces only what it started: the
    // binary from its first execve on, and every process it forks.
    let trace = std::fs::read_to_string(&trace).unwrap();
    let exec = ["execve(\"", BIN].concat();
    assert!(trace.contains(&exec), "{trace}");
    let mut outside = BTreeSet::new();
    let mut sockets = BTreeSet::new();
    for line in trace.lines() {
        let Some((_pid, call)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        // "<... clone3 resumed>" ends a call another line began.
        let call = call.trim_start().trim_start_matches("<... ");
        let name: String = call
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let rest = &call[name.len()..];
        if name.is_empty() || !(rest.starts_with('(') || rest.starts_with(" resumed>")) {
            continue;
        }
        if !allowed.contains(&name) {
            outside.insert(name.clone());
        }
        if name == "socket" && rest.starts_with('(') {
            sockets.insert(call.split(',').next().unwrap_or("").to_owned());
        }
    }
    assert!(
        outside.is_empty(),
        "system calls outside {filter}: {outside:?}"
    );
    assert!(sockets.iter().all(|s| s == "socket(AF_UNIX"), "{sockets:?}");
}
