//! `--home` for one's own home or as root: a person who is not root cannot point the
//! run at another account's home and have its readable files searched.

use std::process::Command;

use crate::util::{Cli, Home, TestUser, is_root, skip};

/// A home with a readable unencrypted-looking key and a credential file, things a run
/// would report if it searched the directory.
fn readable_home() -> Home {
    let home = Home::with_ssh();
    // A real key: a file is a key only when its content decodes as one.
    home.keygen(".ssh/id_rsa", None, None, 0o644);
    home.file(".bash_history", b"mysql -u root -pHunter2Hunter2\n", 0o644);
    crate::util::chmod(&home.join(".ssh"), 0o755);
    home
}

#[test]
fn home_is_refused_unless_it_is_the_callers_own_or_root_runs() {
    if !is_root() {
        skip(
            "home_is_refused_unless_it_is_the_callers_own_or_root_runs",
            "needs root to make a throwaway account and a home it does not own",
        );
        return;
    }
    let person = TestUser::new("csihome1");
    // Someone else's home (root's directory here), readable by everyone.
    let others = readable_home();
    let home = others.path().to_str().unwrap();
    let run = Cli::new(["--home", home, "--format", "json"])
        .run_as(person.uid)
        .run();
    assert_eq!(run.code, 2, "{} {}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "", "nothing of the other home is reported");
    assert_eq!(
        run.stderr,
        format!(
            "csi-self-check: error: {home}: --home: it belongs to root (uid 0), not to you; without root, --home must be your own home or a directory you own\n"
        )
    );
    // Nor does the login hook report anything of it (a login goes on: exit 0).
    let run = Cli::new(["--home", home, "login"]).run_as(person.uid).run();
    assert!(!run.stdout.contains("id_rsa"), "{}", run.stdout);
    assert!(!run.stdout.contains("history"), "{}", run.stdout);

    // A directory the person owns (a fixture) is checked.
    let fixture = readable_home();
    fixture.chown_all(person.uid);
    let run = Cli::new([
        "--home",
        fixture.path().to_str().unwrap(),
        "--format",
        "json",
    ])
    .run_as(person.uid)
    .run();
    assert_eq!(run.code, 1, "{} {}", run.stdout, run.stderr);
    assert!(run.stdout.contains("id_rsa"), "{}", run.stdout);

    // Their own home from the password database is checked, whoever owns it.
    let status = Command::new("chown")
        .args(["root:root", person.home.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let run = Cli::new(["--home", person.home.to_str().unwrap(), "--format", "json"])
        .run_as(person.uid)
        .run();
    assert_ne!(run.code, 2, "{} {}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("not to you"), "{}", run.stderr);

    // Root still checks anyone's home, as its owner.
    let run = Cli::new([
        "--home",
        fixture.path().to_str().unwrap(),
        "--format",
        "json",
    ])
    .run();
    assert_eq!(run.code, 1, "{} {}", run.stdout, run.stderr);
    assert!(run.stdout.contains("id_rsa"), "{}", run.stdout);
}
