//! The runner's own rules, which keep every other test off the real account: a
//! command that looks at a home needs a fixture home or a throwaway account, a place
//! given in the environment must be the test's own, and a run gets an environment of
//! its own that it must leave as it found it. None of these runs the binary on
//! anything real: a refused command line is never run.

use std::path::PathBuf;

use crate::util::{Cli, Home, PamService, is_root};

/// The home of the account running the tests, as the binary would take it.
fn real_home() -> PathBuf {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .unwrap()
        .dir
}

fn refusal(args: &[&str]) -> Option<String> {
    Cli::new(args).refusal()
}

#[test]
fn a_command_that_looks_at_a_home_needs_a_fixture_home() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    for args in [
        &[][..],
        &["--format", "json", "--only", "key-security"],
        &["checklist"],
        &["login"],
        &["login", "--notify"],
        &["password", "--stdin"],
        &["--policy", "/tmp/p.toml", "password", "--stdin"],
        &["password", "--forget", "bank"],
        &["key", "check", "/tmp/id_ed25519", "--stdin"],
        &["backup", "confirm"],
    ] {
        let why = refusal(args).unwrap_or_else(|| panic!("{args:?} was not refused"));
        assert!(why.contains("without --home"), "{args:?}: {why}");
        let mut with_home = vec!["--home", h];
        with_home.extend_from_slice(args);
        assert_eq!(refusal(&with_home), None, "{with_home:?}");
    }
    // Global options go anywhere, as the binary parses them.
    assert_eq!(refusal(&["checklist", "--home", h]), None);
    // Relative to the working directory the run is given.
    let name = home.path().file_name().unwrap().to_str().unwrap();
    let parent = home.path().parent().unwrap();
    assert_eq!(
        Cli::new(["--home", name]).current_dir(parent).refusal(),
        None
    );
    assert!(Cli::new(["--home", name]).refusal().is_some());
}

#[test]
fn the_real_home_is_refused_however_it_is_named() {
    let real = real_home();
    let home = Home::new();
    let link = home.symlink("link-to-home", &real);
    for dir in [
        real.clone(),
        real.join("."),
        link,
        PathBuf::from("/"),
        std::env::temp_dir(),
    ] {
        let dir = dir.to_str().unwrap();
        assert!(refusal(&["--home", dir]).is_some(), "--home {dir}");
    }
    // A directory inside the real home is no fixture either.
    let inside = real.join(".ssh");
    assert!(refusal(&["--home", inside.to_str().unwrap()]).is_some());
    // Nor is a place of the real home's in the environment.
    let result =
        std::panic::catch_unwind(|| Cli::new(["--version"]).env("HOME", real.to_str().unwrap()));
    assert!(result.is_err(), "HOME={} was accepted", real.display());
}

#[test]
fn commands_that_reach_no_home_need_none() {
    let home = Home::new();
    let file = home.file("policy.toml", b"", 0o644);
    let f = file.to_str().unwrap();
    let index = home.join("breach.idx");
    for args in [
        &["--help"][..],
        &["--version"],
        &["list-checks"],
        &["policy", "show"],
        &["policy", "check", f],
        &["shell-hook", "bash"],
        &["pam"],
        &["history", "--redact", f],
        &["breach", "import", f, "--output", index.to_str().unwrap()],
        // Usage errors: the binary stops at its command line.
        &["--frobnicate"],
        &["password", "S3cr3t!pw"],
    ] {
        assert_eq!(refusal(args), None, "{args:?}");
    }
    // Without --output an import writes the policy's index, in a real place.
    assert!(refusal(&["breach", "import", f]).is_some());
    assert!(refusal(&["breach", "import", f, "--output", "/var/lib/x.idx"]).is_some());
    // A redact rewrites the file it is given.
    let history = real_home().join(".bash_history");
    assert!(refusal(&["history", "--redact", history.to_str().unwrap()]).is_some());
}

#[test]
fn an_audit_as_root_names_only_throwaway_accounts() {
    if !is_root() {
        // Not root: the binary refuses every audit before it looks at an account.
        assert_eq!(refusal(&["audit", "--all-users"]), None);
        return;
    }
    assert!(refusal(&["audit", "--all-users"]).is_some());
    assert!(refusal(&["audit", "--users", "root"]).is_some());
    assert!(refusal(&["audit-user", "--", "root"]).is_some());
    // nobody's home does not exist; a name without an account has none.
    assert_eq!(
        refusal(&["audit", "--users", "nobody,csi-no-such-user"]),
        None
    );
    // Run as nobody, the binary refuses before it looks at an account.
    assert_eq!(
        Cli::new(["audit", "--all-users"]).run_as(65534).refusal(),
        None
    );
}

#[test]
fn a_run_gets_an_environment_of_its_own() {
    // `sh -c 'env' BIN --version`: the environment the binary would get.
    let run = Cli::new(["--version"]).via(&["sh", "-c", "env"]).run();
    let env: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .collect();
    let get = |key: &str| env.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let home = get("HOME").unwrap();
    let runtime = get("XDG_RUNTIME_DIR").unwrap();
    assert!(
        home.starts_with(std::env::temp_dir().to_str().unwrap()),
        "{home}"
    );
    assert_ne!(home, real_home().to_str().unwrap());
    assert!(
        runtime.starts_with(std::env::temp_dir().to_str().unwrap()),
        "{runtime}"
    );
    assert_eq!(
        get("DBUS_SESSION_BUS_ADDRESS"),
        Some(format!("unix:path={runtime}/no-bus").as_str())
    );
    for unset in [
        "XDG_STATE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "USER",
        "DISPLAY",
    ] {
        assert_eq!(get(unset), None, "{unset}");
    }
    assert_eq!(get("PWD").or(Some("/")), Some("/"));
    // A test's own bus and places are passed on as given.
    let mine = Home::new();
    let run = Cli::new(["--version"])
        .via(&["sh", "-c", "env"])
        .env("HOME", mine.path().to_str().unwrap())
        .no_bus_address()
        .run();
    assert!(
        run.stdout
            .contains(&format!("HOME={}\n", mine.path().display()))
    );
    assert!(!run.stdout.contains("DBUS_SESSION_BUS_ADDRESS"));
}

#[test]
#[should_panic(expected = "wrote into $HOME")]
fn a_run_that_writes_into_its_environment_s_home_fails() {
    Cli::new(["--version"])
        .via(&["sh", "-c", "touch \"$HOME/.left-behind\""])
        .run();
}

#[test]
#[should_panic(expected = "has no session line")]
fn a_pam_service_must_name_every_facility() {
    // Refused before anything is written to /etc/pam.d.
    PamService::new(
        "incomplete",
        "auth required pam_permit.so\naccount required pam_permit.so\npassword required pam_deny.so\n",
    );
}

/// Every run of the binary goes through the runner. The only other places a test
/// may name it are those the runner cannot start: the shell hook an rc file evals
/// (`shell-hook` reaches no home), the pam_exec lines of a PamService and the PAM
/// module's `helper=` (`pam` reaches no home; `login` is given a TestUser's session), and the unit file that
/// `systemd-analyze verify` reads (which runs nothing).
#[test]
fn the_binary_is_started_only_through_the_runner() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integration");
    let mut looked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.ends_with(".rs") || name == "util.rs" || name == "hermetic.rs" {
            continue;
        }
        looked += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let names_it = ["{BIN}", "(BIN", "[BIN", " BIN)", ", BIN,", "util::BIN"]
                .iter()
                .any(|p| line.contains(p));
            let allowed = line.contains("shell-hook")
                || line.contains("pam_exec.so")
                || line.contains("helper={BIN}")
                || line.contains(r#".replace("/usr/bin/csi-self-check", BIN)"#);
            assert!(
                !names_it || allowed,
                "{name}:{}: runs the binary without the runner (util::Cli): {line}",
                n + 1
            );
        }
    }
    assert!(looked > 10, "read only {looked} test files in {dir}");
}
