//! How each shell keeps history: read from the rc files without running them, each
//! value with the file and line that set it.

use crate::util::{Cli, Home};

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
