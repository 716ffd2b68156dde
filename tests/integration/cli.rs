//! The command-line surface: options anywhere, colour rules, --quiet, --only,
//! list-checks and the printable checklist.

use crate::util::{Cli, Home, have};

#[test]
fn global_options_work_before_and_after_subcommands() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    let before = Cli::new(["--format", "json", "list-checks"]).run();
    let after = Cli::new(["list-checks", "--format", "json"]).run();
    assert_eq!(before.code, 0);
    assert_eq!(before.stdout, after.stdout);
    let list = before.json();
    assert_eq!(list["schema_version"], 2);
    assert_eq!(list["checks"][0]["id"], "key-permissions");
    assert_eq!(list["checks"][0]["policies"][0], "key-security");
    let a = Cli::new(["--home", h, "checklist", "--format", "json"]).run();
    let b = Cli::new(["checklist", "--home", h, "--format", "json"]).run();
    assert_eq!(a.json()["items"], b.json()["items"]);
    let c = Cli::new(["policy", "show", "--format", "json"]).run();
    assert_eq!(c.code, 0);
    assert_eq!(
        c.json()["items"]["key-security"]["max-mode"]["value"],
        "0400"
    );
}

/// Runs the text report on a pseudo-terminal (util-linux `script`), where `auto` sees
/// a terminal.
fn on_a_terminal(home: &Home, env: &[(&str, &str)]) -> String {
    let term = env
        .iter()
        .find(|(k, _)| *k == "TERM")
        .map_or("xterm", |(_, v)| *v);
    let mut cli = Cli::new(["--home", home.path().to_str().unwrap()]).env("TERM", term);
    for (key, value) in env.iter().filter(|(k, _)| *k != "TERM") {
        cli = cli.env(key, value);
    }
    let line = cli.shell_line();
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", line.text(), "/dev/null"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
        .env("TERM", term)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_follows_the_terminal_no_color_and_term() {
    if !have(
        "ssh-keygen",
        "colour_follows_the_terminal_no_color_and_term",
    ) || !have("script", "colour_follows_the_terminal_no_color_and_term")
    {
        return;
    }
    let home = Home::with_ssh();
    home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o644);
    let h = home.path().to_str().unwrap();
    let has_colour = |s: &str| s.contains("\x1b[");
    assert!(has_colour(
        &Cli::new(["--home", h, "--color", "always"]).run().stdout
    ));
    assert!(!has_colour(
        &Cli::new(["--home", h, "--color", "never"]).run().stdout
    ));
    // auto, stdout a pipe: no colour.
    assert!(!has_colour(&Cli::new(["--home", h]).run().stdout));
    // auto on a terminal: colour, unless NO_COLOR is set and not empty or TERM is dumb.
    let tty = on_a_terminal(&home, &[]);
    assert!(tty.contains("FAIL"), "{tty}");
    assert!(has_colour(&tty), "{tty:?}");
    assert!(!has_colour(&on_a_terminal(&home, &[("NO_COLOR", "1")])));
    assert!(has_colour(&on_a_terminal(&home, &[("NO_COLOR", "")])));
    assert!(!has_colour(&on_a_terminal(&home, &[("TERM", "dumb")])));
    // JSON never carries colour.
    assert!(!has_colour(
        &Cli::new(["--home", h, "--color", "always", "--format", "json"])
            .run()
            .stdout
    ));
}

#[test]
fn quiet_shows_only_failures() {
    if !have("ssh-keygen", "quiet_shows_only_failures") {
        return;
    }
    let home = Home::with_ssh();
    home.keygen(".ssh/id_good", Some("pass phrase"), None, 0o400);
    let bad = home.keygen(".ssh/id_bad", Some("pass phrase"), None, 0o640);
    let h = home.path().to_str().unwrap();
    let quiet = Cli::new(["--home", h, "--quiet"]).run();
    assert_eq!(quiet.code, 1);
    assert!(quiet.stdout.contains("id_bad"));
    assert!(!quiet.stdout.contains("id_good"));
    assert!(!quiet.stdout.contains("PASS"));
    let json = Cli::new(["--home", h, "-q", "--format", "json"])
        .run()
        .json();
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "fail")
    );
    assert_eq!(json["findings"][0]["path"], bad.to_str().unwrap());
    // Nothing wrong, nothing printed.
    crate::util::chmod(&bad, 0o400);
    let clean = Cli::new(["--home", h, "--quiet"]).run();
    assert_eq!(clean.code, 0);
    assert_eq!(clean.stdout, "");
}

#[test]
fn only_selects_checks_and_items() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    for id in ["key-permissions", "key-security"] {
        let run = Cli::new(["--home", h, "--format", "json", "--only", id]).run();
        assert_eq!(run.code, 0);
        assert!(
            !run.json()["findings"].as_array().unwrap().is_empty(),
            "{id}"
        );
    }
    // A behavioural item is only ever reminded of.
    let reminded = Cli::new([
        "--home",
        h,
        "--format",
        "json",
        "--only",
        "software-installation",
    ])
    .run();
    assert_eq!(reminded.code, 0);
    let findings = reminded.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["status"], "remind");
    let none = Cli::new([
        "--home",
        h,
        "--format",
        "json",
        "--only",
        "software-installation",
        "--remind",
        "never",
    ])
    .run();
    assert_eq!(none.code, 0);
    assert!(none.json()["findings"].as_array().unwrap().is_empty());
    let bad = Cli::new(["--home", h, "--only", "key-security,bogus"]).run();
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("bogus"));
}

#[test]
fn the_checklist_has_every_item_and_boxes_for_the_behavioural_ones() {
    if !have(
        "ssh-keygen",
        "the_checklist_has_every_item_and_boxes_for_the_behavioural_ones",
    ) {
        return;
    }
    let home = Home::with_ssh();
    home.keygen(".ssh/id_ed25519", Some("pass phrase"), None, 0o644);
    let h = home.path().to_str().unwrap();
    let json = Cli::new(["--home", h, "checklist", "--format", "json"])
        .run()
        .json();
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 18);
    let key = items.iter().find(|i| i["id"] == "key-security").unwrap();
    assert_eq!(key["automated"], true);
    assert_eq!(key["verdict"], "fail");
    let dissemination = items
        .iter()
        .find(|i| i["id"] == "password-dissemination")
        .unwrap();
    assert_eq!(dissemination["automated"], false);
    assert!(dissemination["verdict"].is_null());
    assert_eq!(dissemination["level"], "must-not");
    // Judged only from a password given to `password`: nothing to judge here, not "met".
    for id in ["password-reuse", "password-entropy"] {
        let item = items.iter().find(|i| i["id"] == id).unwrap();
        assert_eq!(item["automated"], true, "{id}");
        assert_eq!(item["verdict"], "skip", "{id}");
    }
    let text = Cli::new(["--home", h, "checklist"]).run();
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("[!] MUST       Key security"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("[ ] MUST NOT   Password dissemination"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("2.1.1  Administrative exceptions"));
    // The report reminds that the key was never backed up: the checklist agrees.
    assert!(
        text.stdout.lines().any(|l| l.starts_with("[ ] MUST")
            && l.contains("Encryption backups")
            && l.contains("to do")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Report security incidents to: your organisation's security team")
    );
    crate::util::chmod(&home.join(".ssh/id_ed25519"), 0o400);
    let text = Cli::new(["--home", h, "checklist"]).run();
    assert!(
        text.stdout.contains("[x] MUST       Key security"),
        "{}",
        text.stdout
    );
}

/// `--version` names the version and, built from a git checkout, the commit (issue 9);
/// the packaging test checks the same of the installed binary.
#[test]
fn version_names_the_version_and_the_commit() {
    let run = Cli::new(["--version"]).run();
    assert_eq!(run.code, 0);
    let version = format!("csi-self-check {}", env!("CARGO_PKG_VERSION"));
    let line = run.stdout.trim_end();
    let manifest = env!("CARGO_MANIFEST_DIR");
    let commit = std::process::Command::new("git")
        .args(["-C", manifest, "rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success() && std::path::Path::new(manifest).join(".git").exists())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    match commit {
        Some(commit) => assert_eq!(line, format!("{version} (commit {commit})")),
        None => assert_eq!(line, version),
    }
}

/// A word a small edit away from a command or an option at its place is a typo, and
/// the answer names what was meant; any other stray word is not repeated, as it may be
/// a password typed in the wrong place; a command that needs a subcommand lists them.
#[test]
fn typos_get_a_did_you_mean_and_other_words_are_not_repeated() {
    let home = Home::with_ssh();
    let h = home.path().to_str().unwrap();
    for (args, meant) in [
        (vec!["checklst"], "did you mean 'checklist'?"),
        (vec!["polcy", "show"], "did you mean 'policy'?"),
        (vec!["key", "chek", "F"], "did you mean 'check'?"),
        (vec!["--onyl", "key-security"], "did you mean '--only'?"),
        (vec!["checklist", "--quite"], "did you mean '--quiet'?"),
    ] {
        let run = Cli::new(&args).run();
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.contains(meant), "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    let run = Cli::new(["--home", h, "--only", "key-securty"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `key-security`?"),
        "{}",
        run.stderr
    );
    for secret in ["Kettle-Blue-42!", "hunter2", "audit-usr"] {
        let run = Cli::new([secret]).run();
        assert_eq!(run.code, 2);
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
        assert!(run.stderr.contains("not repeated here"), "{}", run.stderr);
    }
    let run = Cli::new(["key"]).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("`csi-self-check key` needs a subcommand: check"),
        "{}",
        run.stderr
    );
    let run = Cli::new(["policy"]).run();
    assert!(run.stderr.contains("show, check"), "{}", run.stderr);
}

/// The words bash's completion offers after `words` (the last one being typed), from
/// the script the build generated, run by a real bash.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script = crate::util::completions_dir().join("csi-self-check.bash");
    let quoted: Vec<String> = std::iter::once("csi-self-check")
        .chain(words.iter().copied())
        .map(|w| crate::util::quote(std::ffi::OsStr::new(w)))
        .collect();
    let program = format!(
        "source {}; COMP_WORDS=({}); COMP_CWORD={}; \
         _csi__self__check csi-self-check \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        crate::util::quote(script.as_os_str()),
        quoted.join(" "),
        words.len()
    );
    let out = crate::util::tool("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_commands_check_ids_shells_and_accounts() {
    if !have(
        "bash",
        "bash_completes_commands_check_ids_shells_and_accounts",
    ) {
        return;
    }
    let commands = bash_completes(&[""]);
    assert!(commands.contains(&"checklist".to_owned()), "{commands:?}");
    assert!(
        !commands.iter().any(|c| c == "audit-user"),
        "a hidden command is offered: {commands:?}"
    );
    // The shells (beside the options), never file names.
    let shells = bash_completes(&["shell-hook", ""]);
    let words: Vec<&String> = shells.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(words, ["bash", "zsh", "fish"], "{shells:?}");
    assert_eq!(bash_completes(&["shell-hook", "z"]), ["zsh"]);
    assert_eq!(bash_completes(&["key", "c"]), ["check"]);
    let ids = bash_completes(&["--only", "key-"]);
    assert!(ids.contains(&"key-permissions".to_owned()), "{ids:?}");
    assert!(ids.contains(&"key-security".to_owned()), "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("key-")), "{ids:?}");
    // Account names from the password database: root is one everywhere.
    let users = bash_completes(&["audit", "--users", "roo"]);
    assert!(users.contains(&"root".to_owned()), "{users:?}");
}

/// `explain` tells every finding code — each check's (as `list-checks` lists them),
/// `key check`'s and the runner's — in all its parts; a word that is no code is
/// not repeated, unless it is a typo of one.
#[test]
fn explain_tells_every_code() {
    let list = Cli::new(["list-checks", "--format", "json"]).run().json();
    let mut codes: Vec<String> = list["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|check| check["codes"].as_array().unwrap().clone())
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert!(codes.len() > 80, "{codes:?}");
    codes.extend(
        [
            "key-not-encrypted",
            "key-passphrase-wrong",
            "check-incomplete",
            "check-crashed",
        ]
        .map(str::to_owned),
    );
    for code in &codes {
        let run = Cli::new(["explain", code]).run();
        assert_eq!(run.code, 0, "{code}: {}", run.stderr);
        for part in ["Code ", "Means ", "Fix ", "Reads "] {
            assert!(
                run.stdout.lines().any(|l| l.starts_with(part)),
                "{code}: no {part}:\n{}",
                run.stdout
            );
        }
        assert!(
            !run.stdout.contains("no paragraph"),
            "{code}:\n{}",
            run.stdout
        );
        if code != "check-incomplete" && code != "check-crashed" {
            assert!(
                run.stdout.contains("in the policy in effect"),
                "{code}:\n{}",
                run.stdout
            );
            assert!(
                run.stdout.lines().any(|l| l.starts_with("Why ")),
                "{code}:\n{}",
                run.stdout
            );
        }
    }
    let typo = Cli::new(["explain", "key-unencryted"]).run();
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `key-unencrypted`?"),
        "{}",
        typo.stderr
    );
    let secret = Cli::new(["explain", "Kettle-Blue-42!"]).run();
    assert_eq!(secret.code, 2);
    assert!(!secret.stderr.contains("Kettle"), "{}", secret.stderr);
}

/// An error line quotes what it was given made safe for the terminal: a carriage
/// return or a bidi override in a bad value cannot rewrite the line it is shown on.
#[test]
fn an_error_quoting_a_bad_value_escapes_it() {
    let run = Cli::new(["--format", "X\rY\u{202E}"]).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(r"X\u{000D}Y\u{202E}"),
        "{:?}",
        run.stderr
    );
    assert!(!run.stderr.contains('\r') && !run.stderr.contains('\u{202E}'));
}
