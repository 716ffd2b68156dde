//! The state directory under two runs at once and under a kill at any moment: every
//! state file always parses, and no update a run reported is lost.

use std::path::PathBuf;

use crate::util::{Cli, Home, Run, have};

/// A password strong enough that only the reuse findings differ between labels.
fn password(label: &str) -> String {
    format!("Tq7#vLp2-{label}-Zx9!mWk4")
}

/// A fixture: a home and a `--keyring-file` (forced: the temporary directory is not
/// known to be encrypted) in a directory of the test's own.
struct Fixture {
    home: Home,
    keys: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            home: Home::new(),
            keys: tempfile::tempdir().unwrap(),
        }
    }

    fn state(&self) -> PathBuf {
        self.home.join(".local/state/csi-self-check")
    }

    fn key(&self) -> PathBuf {
        self.keys.path().join("fingerprint.key")
    }

    /// `password --remember label`, started through `wrapper` (may be empty).
    fn remember(&self, label: &str, wrapper: &[&str]) -> Run {
        Cli::new([
            "--home",
            self.home.path().to_str().unwrap(),
            "--format",
            "json",
            "password",
            "--stdin",
            "--keyring-file",
            self.key().to_str().unwrap(),
            "--force",
            "--remember",
            label,
        ])
        .via(wrapper)
        .stdin(format!("{}\n", password(label)).as_bytes())
        .run()
    }

    /// A full check, started through `wrapper`.
    fn check(&self, wrapper: &[&str]) -> Run {
        Cli::new([
            "--home",
            self.home.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .via(wrapper)
        .run()
    }

    /// The labels in fingerprints.json, which must parse.
    fn labels(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.state().join("fingerprints.json")).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("fingerprints.json is torn: {e}: {text:?}"));
        let mut labels: Vec<String> = file["fingerprints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["label"].as_str().unwrap().to_owned())
            .collect();
        labels.sort();
        labels
    }

    /// The names in the state directory other than the lock file.
    fn state_files(&self) -> Vec<String> {
        let mut names: Vec<String> = crate::util::listing(&self.state())
            .into_iter()
            .filter(|n| n != "lock")
            .collect();
        names.sort();
        names
    }

    /// The state directory put back as `snapshot` holds it (name, bytes).
    fn restore(&self, snapshot: &[(String, Vec<u8>)]) {
        let _ = std::fs::remove_dir_all(self.state());
        std::fs::create_dir_all(self.state()).unwrap();
        crate::util::chmod(&self.state(), 0o700);
        for (name, bytes) in snapshot {
            let path = self.state().join(name);
            std::fs::write(&path, bytes).unwrap();
            crate::util::chmod(&path, 0o600);
        }
    }

    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.state_files()
            .into_iter()
            .map(|n| {
                let bytes = std::fs::read(self.state().join(&n)).unwrap();
                (n, bytes)
            })
            .collect()
    }
}

#[test]
fn two_runs_remembering_at_once_lose_no_fingerprint() {
    let fixture = Fixture::new();
    // The first makes the key file; the rest race on the state file.
    assert_eq!(fixture.remember("first", &[]).code, 0);
    let labels: Vec<String> = (0..8).map(|i| format!("site{i}")).collect();
    std::thread::scope(|scope| {
        let fixture = &fixture;
        let runs: Vec<_> = labels
            .iter()
            .map(|label| scope.spawn(move || fixture.remember(label, &[])))
            .collect();
        for run in runs {
            let run = run.join().unwrap();
            assert_eq!(run.code, 0, "{} {}", run.stdout, run.stderr);
        }
    });
    let mut expected = labels.clone();
    expected.insert(0, "first".to_owned());
    expected.sort();
    assert_eq!(fixture.labels(), expected);
    // Full checks racing with more remembering: the check's own writes (reminders)
    // never put back an older fingerprints file, and reminders.json parses.
    std::thread::scope(|scope| {
        let fixture = &fixture;
        let checks: Vec<_> = (0..3).map(|_| scope.spawn(|| fixture.check(&[]))).collect();
        let more: Vec<_> = (0..3)
            .map(|i| scope.spawn(move || fixture.remember(&format!("more{i}"), &[])))
            .collect();
        for run in checks.into_iter().chain(more) {
            let run = run.join().unwrap();
            assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        }
    });
    assert_eq!(fixture.labels().len(), expected.len() + 3);
    let reminders = std::fs::read_to_string(fixture.state().join("reminders.json")).unwrap();
    let reminders: serde_json::Value = serde_json::from_str(&reminders).unwrap();
    assert!(!reminders["last_shown"].as_object().unwrap().is_empty());
}

/// The system calls after which a run is killed: every write, link, rename and
/// fsync, the steps of an atomic replacement.
const KILL_POINTS: &[&str] = &[
    "write",
    "fsync",
    "linkat",
    "renameat",
    "renameat2",
    "rename",
];

/// Runs `run` killed at the entry of the `n`-th call of each of [`KILL_POINTS`]
/// in turn (so after everything before it), from `n` = 1 until a run gets through
/// that many: each time from the state in `before`, then `check` sees what is left.
/// How many runs were killed.
fn kill_everywhere(
    fixture: &Fixture,
    before: &[(String, Vec<u8>)],
    run: impl Fn(&[&str]) -> Run,
    check: impl Fn(&str),
) -> usize {
    let mut killed = 0;
    for syscall in KILL_POINTS {
        for n in 1..200 {
            fixture.restore(before);
            let inject = format!("inject={syscall}:signal=KILL:when={n}");
            let result = run(&["strace", "-f", "-qq", "-o", "/dev/null", "-e", &inject]);
            let what = format!("killed at {syscall} #{n}");
            check(&what);
            // A kill between naming the finished file and the rename leaves it; the
            // next run's write removes it.
            if fixture.state_files().iter().any(|n| n.starts_with('.')) {
                run(&[]);
                check(&format!("{what}, then a whole run"));
                assert!(
                    !fixture.state_files().iter().any(|n| n.starts_with('.')),
                    "{what}: the next run left the temporary file"
                );
            }
            if result.code != -1 {
                assert!(
                    result.code == 0 || result.code == 1,
                    "{what}: {}",
                    result.stderr
                );
                break;
            }
            killed += 1;
        }
    }
    killed
}

/// Nothing but the `allowed` files is in the state directory, and a rewrite's
/// hidden temporary file (`.NAME.csi-redact-…`) of one of them.
fn no_leftovers(names: &[String], allowed: &[&str], what: &str) {
    for name in names {
        let temp_of_allowed = allowed
            .iter()
            .any(|a| name.starts_with(&format!(".{a}.csi-redact-")));
        assert!(
            allowed.contains(&name.as_str()) || temp_of_allowed,
            "{what}: {name} left in the state directory"
        );
    }
}

#[test]
fn a_run_killed_at_any_write_leaves_every_state_file_old_or_new() {
    if !have(
        "strace",
        "a_run_killed_at_any_write_leaves_every_state_file_old_or_new",
    ) {
        return;
    }
    let fixture = Fixture::new();
    assert_eq!(fixture.remember("first", &[]).code, 0);
    let before = fixture.snapshot();

    // password --remember: fingerprints.json holds the old label, or both.
    let killed = kill_everywhere(
        &fixture,
        &before,
        |wrapper| fixture.remember("second", wrapper),
        |what| {
            let labels = fixture.labels();
            assert!(
                labels == ["first"] || labels == ["first", "second"],
                "{what}: {labels:?}"
            );
            no_leftovers(&fixture.state_files(), &["fingerprints.json"], what);
        },
    );
    println!("password --remember: killed at {killed} points");
    assert!(killed >= 5, "only {killed} kill points were reached");

    // A full check writing reminders.json and login-summary.json beside it: each is
    // absent or whole, and fingerprints.json is as it was.
    let killed = kill_everywhere(
        &fixture,
        &before,
        |wrapper| fixture.check(wrapper),
        |what| {
            assert_eq!(fixture.labels(), ["first"], "{what}");
            let names = fixture.state_files();
            no_leftovers(
                &names,
                &["fingerprints.json", "reminders.json", "login-summary.json"],
                what,
            );
            if names.iter().any(|n| n == "login-summary.json") {
                let text = std::fs::read_to_string(fixture.state().join("login-summary.json"));
                let _: serde_json::Value = serde_json::from_str(&text.unwrap())
                    .unwrap_or_else(|e| panic!("{what}: login-summary.json is torn: {e}"));
            }
            if names.iter().any(|n| n == "reminders.json") {
                let text = std::fs::read_to_string(fixture.state().join("reminders.json"));
                let value: serde_json::Value = serde_json::from_str(&text.unwrap())
                    .unwrap_or_else(|e| panic!("{what}: reminders.json is torn: {e}"));
                assert!(
                    !value["last_shown"].as_object().unwrap().is_empty(),
                    "{what}"
                );
            }
        },
    );
    println!("full check: killed at {killed} points");
    assert!(killed >= 5, "only {killed} kill points were reached");
}
