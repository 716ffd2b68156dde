//! How each shell keeps history: read from the rc files without running them, each
//! value with the file and line that set it; and the live values that real bash, zsh
//! and fish hand over through the shell hook.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{BIN, Cli, Home, Tmux, chmod, have};

#[test]
fn the_history_settings_say_where_histcontrol_is_set() {
    let home = Home::new();
    // A file that would misbehave if run: it is only ever read.
    let bashrc = home.file(
        ".bashrc",
        b"echo ran > ran-marker\nexport HISTCONTROL=ignoredups\nHISTSIZE=1000\n",
        0o644,
    );
    home.file(".bash_history", b"ls\n", 0o600);
    let run = Cli::json(&home, &["--only", "history-settings"]);
    assert!(
        !home.join("ran-marker").exists(),
        "the rc file was executed"
    );
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let bash = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with("bash"))
        .unwrap();
    assert_eq!(bash["code"], "history-no-ignorespace", "{bash}");
    let message = bash["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "HISTCONTROL is \"ignoredups\" (set in {}:2)",
            bashrc.display()
        )),
        "{message}"
    );
    assert!(
        bash["fix"].as_str().unwrap().contains("unset HISTFILE"),
        "the standard's advice"
    );
    std::fs::write(
        &bashrc,
        "HISTCONTROL=ignoredups\n# later\nHISTCONTROL=ignoreboth\n",
    )
    .unwrap();
    let run = Cli::json(&home, &["--only", "history-settings"]);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    let bash = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with("bash"))
        .unwrap();
    assert_eq!(bash["code"], "history-ignorespace");
    assert!(bash["message"].as_str().unwrap().contains(":3)"), "{bash}");
    // zsh keeps nothing without HISTFILE and SAVEHIST; with them, the option decides.
    let zshrc = home.file(".zshrc", b"HISTFILE=~/.zsh_history\nSAVEHIST=500\n", 0o644);
    let run = Cli::json(&home, &["--only", "history-settings"]);
    let zsh: Vec<serde_json::Value> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().starts_with("zsh"))
        .cloned()
        .collect();
    assert_eq!(zsh[0]["code"], "history-no-ignorespace", "{zsh:?}");
    std::fs::write(&zshrc, "SAVEHIST=0\n").unwrap();
    let run = Cli::json(&home, &["--only", "history-settings"]);
    assert!(run.stdout.contains("history-not-kept"), "{}", run.stdout);
}

/// Starts `shell` interactively on a real terminal (tmux) in `home` with a clean
/// environment, and waits until the shell hook has written its record — at the
/// first prompt, after every rc file ran.
fn start_until_recorded(home: &Home, shell: &str, record: &Path) {
    let command = format!(
        "env -i HOME={} PATH=/usr/bin:/bin TERM=xterm {shell}",
        home.path().display()
    );
    let tmux = Tmux::start(&format!("hook-{shell}"), &command);
    let start = Instant::now();
    while !record.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{shell} never wrote {}:\n{}",
            record.display(),
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The record is written with one write; give it a moment to be closed.
    std::thread::sleep(Duration::from_millis(100));
}

fn finding_for(home: &Home, shell: &str) -> serde_json::Value {
    let run = Cli::json(home, &["--only", "history-settings"]);
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{shell} "))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no {shell} finding: {}", run.stdout))
}

fn message(finding: &serde_json::Value) -> &str {
    finding["message"].as_str().unwrap()
}

#[test]
fn bash_live_values_from_the_hook_win_over_the_parsed_ones() {
    if !have(
        "tmux",
        "bash_live_values_from_the_hook_win_over_the_parsed_ones",
    ) {
        return;
    }
    let home = Home::new();
    // The parser cannot follow `source`: it sees ignoredups; the live shell has ignoreboth.
    home.file(
        ".bash_extra",
        b"HISTCONTROL=ignoreboth\nHISTFILE=~/.hist_live\n",
        0o644,
    );
    home.file(
        ".bashrc",
        format!(
            "HISTCONTROL=ignoredups\nsource ~/.bash_extra\neval \"$({BIN} shell-hook bash)\"\n"
        )
        .as_bytes(),
        0o644,
    );
    let parsed = finding_for(&home, "bash");
    assert_eq!(parsed["code"], "history-no-ignorespace", "{parsed}");
    assert!(
        parsed["fix"].as_str().unwrap().contains("shell-hook bash"),
        "the fix offers the hook: {parsed}"
    );
    let record = home.join(".local/state/csi-self-check/shell-bash.record");
    start_until_recorded(&home, "bash", &record);
    let live = finding_for(&home, "bash");
    assert_eq!(live["code"], "history-ignorespace", "{live}");
    let text = message(&live);
    assert!(
        text.contains(&format!("{}/.hist_live", home.path().display())),
        "{text}"
    );
    assert!(
        text.contains("HISTCONTROL is \"ignoreboth\" (live, recorded by the shell hook at "),
        "{text}"
    );
    assert!(!text.contains("changed after"), "{text}");

    // An rc file edited since the record: still the live values, and a word about it.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(
        home.join(".bashrc"),
        format!("HISTCONTROL=ignoredups\neval \"$({BIN} shell-hook bash)\"\n"),
    )
    .unwrap();
    let stale = finding_for(&home, "bash");
    assert_eq!(stale["code"], "history-ignorespace", "{stale}");
    assert!(
        message(&stale).contains(".bashrc changed after the shell hook's record was written"),
        "{stale}"
    );

    // A record others could have written is not believed.
    chmod(&record, 0o666);
    let ignored = finding_for(&home, "bash");
    assert_eq!(ignored["code"], "history-no-ignorespace", "{ignored}");
    assert!(
        message(&ignored).contains("the shell hook's record was ignored")
            && message(&ignored).contains("can be written by others"),
        "{ignored}"
    );
}

#[test]
fn zsh_live_values_from_the_hook_win_over_the_parsed_ones() {
    if !have(
        "tmux",
        "zsh_live_values_from_the_hook_win_over_the_parsed_ones",
    ) || !have(
        "zsh",
        "zsh_live_values_from_the_hook_win_over_the_parsed_ones",
    ) {
        return;
    }
    let home = Home::new();
    // ZDOTDIR from the environment file, the option from a sourced file: the
    // parser follows the first and not the second.
    home.file(".zshenv", b"ZDOTDIR=$HOME/.config/zsh\n", 0o644);
    home.dir(".config/zsh", 0o755);
    home.file(
        ".config/zsh/options.zsh",
        b"setopt hist_ignore_space\n",
        0o644,
    );
    home.file(
        ".config/zsh/.zshrc",
        format!(
            "HISTFILE=$ZDOTDIR/history\nSAVEHIST=100\nsource $ZDOTDIR/options.zsh\neval \"$({BIN} shell-hook zsh)\"\n"
        )
        .as_bytes(),
        0o644,
    );
    let parsed = finding_for(&home, "zsh");
    assert_eq!(parsed["code"], "history-no-ignorespace", "{parsed}");
    let history = format!("{}/.config/zsh/history", home.path().display());
    assert!(message(&parsed).contains(&history), "{parsed}");
    let record = home.join(".local/state/csi-self-check/shell-zsh.record");
    start_until_recorded(&home, "zsh", &record);
    let live = finding_for(&home, "zsh");
    assert_eq!(live["code"], "history-ignorespace", "{live}");
    assert!(message(&live).contains(&history), "{live}");
    assert!(
        message(&live).contains("live, recorded by the shell hook"),
        "{live}"
    );
}

#[test]
fn fish_live_values_from_the_hook_win_over_the_parsed_ones() {
    if !have(
        "tmux",
        "fish_live_values_from_the_hook_win_over_the_parsed_ones",
    ) || !have(
        "fish",
        "fish_live_values_from_the_hook_win_over_the_parsed_ones",
    ) {
        return;
    }
    let home = Home::new();
    home.dir(".config/fish", 0o755);
    home.file(
        ".config/fish/work.fish",
        b"set -g fish_history work\n",
        0o644,
    );
    home.file(
        ".config/fish/config.fish",
        format!("set -g fish_history parsed\nsource ~/.config/fish/work.fish\n{BIN} shell-hook fish | source\n")
            .as_bytes(),
        0o644,
    );
    let parsed = finding_for(&home, "fish");
    assert!(
        message(&parsed).contains("/.local/share/fish/parsed_history"),
        "{parsed}"
    );
    let record = home.join(".local/state/csi-self-check/shell-fish.record");
    start_until_recorded(&home, "fish", &record);
    let live = finding_for(&home, "fish");
    assert_eq!(live["code"], "history-ignorespace", "{live}");
    assert!(
        message(&live).contains(&format!(
            "{}/.local/share/fish/work_history (live, recorded by the shell hook",
            home.path().display()
        )),
        "{live}"
    );
    // Private mode, set where only the live shell sees it: nothing is kept.
    home.file(
        ".config/fish/work.fish",
        b"set -g fish_private_mode 1\n",
        0o644,
    );
    std::fs::remove_file(&record).unwrap();
    start_until_recorded(&home, "fish", &record);
    let private = finding_for(&home, "fish");
    assert_eq!(private["code"], "history-not-kept", "{private}");
}

#[test]
fn the_hook_is_silent_and_harmless_outside_an_interactive_shell() {
    let home = Home::new();
    let record = home.join(".local/state/csi-self-check");
    let mut shells = vec![
        (
            "bash",
            format!("set -eu; eval \"$({BIN} shell-hook bash)\"; echo done"),
        ),
        (
            "zsh",
            format!("set -eu; eval \"$({BIN} shell-hook zsh)\"; echo done"),
        ),
        ("fish", format!("{BIN} shell-hook fish | source; echo done")),
    ];
    shells.retain(|(shell, _)| {
        have(
            shell,
            "the_hook_is_silent_and_harmless_outside_an_interactive_shell",
        )
    });
    assert!(!shells.is_empty());
    for (shell, script) in shells {
        // What scp, sftp and `ssh host cmd` run: a non-interactive shell whose only
        // output must be the command's.
        let out = Command::new(shell)
            .args(["-c", &script])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n", "{shell}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{shell}");
        assert!(!record.exists(), "{shell} wrote a record without a prompt");
    }
}

#[test]
fn xdg_state_home_counts_only_in_the_persons_own_environment() {
    let home = Home::new();
    home.file(".bashrc", b"HISTCONTROL=ignoredups\n", 0o644);
    home.dir("state/csi-self-check", 0o700);
    let mut record = Vec::new();
    for field in [
        "csi-self-check-shell-record",
        "version=1",
        "shell=bash",
        "HISTFILE=/elsewhere/history",
        "HISTCONTROL=ignorespace",
        "history=on",
        "end",
    ] {
        record.extend_from_slice(field.as_bytes());
        record.push(0);
    }
    home.file("state/csi-self-check/shell-bash.record", &record, 0o600);
    let state = home.join("state");
    let run = |env_home: &Path| {
        let run = Cli::new([
            "--home",
            home.path().to_str().unwrap(),
            "--format",
            "json",
            "--only",
            "history-settings",
        ])
        .env("HOME", env_home.to_str().unwrap())
        .env("XDG_STATE_HOME", state.to_str().unwrap())
        .run();
        run.json()["findings"][0]["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(run(home.path()), "history-ignorespace");
    // Someone else's environment (root auditing with its own HOME): the default place.
    let elsewhere = Home::new();
    assert_eq!(run(elsewhere.path()), "history-no-ignorespace");
}

#[test]
fn values_from_rc_files_reach_the_terminal_escaped() {
    let home = Home::new();
    home.file(
        ".bashrc",
        b"HISTCONTROL=\"ignoredups\x1b]0;owned\x07\x1b[2J\"\n",
        0o644,
    );
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "history-settings",
        "--color",
        "never",
    ])
    .run();
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(!run.stdout.contains('\x07'), "{:?}", run.stdout);
    assert!(run.stdout.contains("ignoredups"), "{}", run.stdout);
}
