//! Unit tests of the rc-file reading, per shell, and of the live values.

#![allow(clippy::unwrap_used)]
use super::bash::bash;
use super::fish::{fish, fish_words};
use super::rc::{Vars, assignments};
use super::variable::apply_statement;
use super::zsh::zsh;
use super::*;

fn settings_of(dir: &Path, shell: Shell) -> HistorySettings {
    let home = SafeDir::open_root(dir).unwrap();
    let mut files = RcFiles::new(&home);
    match shell {
        Shell::Bash => bash(&mut files),
        Shell::Zsh => zsh(&mut files),
        Shell::Fish => fish(&mut files),
    }
}

#[test]
fn a_variable_keeps_its_last_value_and_readonly_freezes_it() {
    let read = |lines: &[&str]| {
        let mut var = RcVariable {
            value: None,
            readonly: None,
            exported: false,
        };
        for (n, line) in lines.iter().enumerate() {
            for statement in line.split([';', '&', '|']) {
                apply_statement(statement, "TMOUT", &format!("f:{}", n + 1), &mut var);
            }
        }
        var
    };
    let var = read(&["TMOUT=900", "readonly TMOUT", "export TMOUT", "TMOUT=0"]);
    assert_eq!(var.value.unwrap().value, "900");
    assert_eq!(var.readonly.as_deref(), Some("f:2"));
    assert!(var.exported);
    let var = read(&["declare -rx TMOUT=600"]);
    assert_eq!(var.value.unwrap().origin, Origin::File("f:1".to_owned()));
    assert!(var.readonly.is_some() && var.exported);
    let var = read(&["TMOUT=300", "unset TMOUT", "TMOUTX=1"]);
    assert!(var.value.is_none() && var.readonly.is_none());
    let var = read(&["if true; then TMOUT='120'; readonly TMOUT; fi"]);
    assert_eq!(var.value.unwrap().value, "120");
    assert!(var.readonly.is_some());
}

#[test]
fn assignments_are_read_in_their_usual_forms() {
    assert_eq!(
        assignments("HISTCONTROL=ignoreboth"),
        [("HISTCONTROL".into(), Some("ignoreboth".into()))]
    );
    assert_eq!(
        assignments("export HISTCONTROL='ignorespace:erasedups'"),
        [("HISTCONTROL".into(), Some("ignorespace:erasedups".into()))]
    );
    assert_eq!(
        assignments(
            "if [ \"$HISTCONTROL\" = \"ignorespace\" ] ; then export HISTCONTROL=ignoreboth"
        ),
        [("HISTCONTROL".into(), Some("ignoreboth".into()))]
    );
    assert_eq!(assignments("unset HISTFILE"), [("HISTFILE".into(), None)]);
    assert_eq!(
        assignments("declare -x HISTIGNORE=\"[ \\t]*:ls\""),
        [("HISTIGNORE".into(), Some("[ \\t]*:ls".into()))]
    );
}

#[test]
fn paths_expand_only_as_far_as_the_files_tell() {
    let mut vars = Vars::new(Path::new("/home/a"));
    assert_eq!(vars.expand("~/.h").unwrap(), "/home/a/.h");
    assert_eq!(vars.expand("$HOME/.h").unwrap(), "/home/a/.h");
    assert_eq!(
        vars.expand("${XDG_CONFIG_HOME:-$HOME/.config}/zsh")
            .unwrap(),
        "/home/a/.config/zsh"
    );
    assert_eq!(vars.expand("$XDG_STATE_HOME/h"), None);
    assert_eq!(vars.expand("$(hostname).hist"), None);
    assert_eq!(vars.expand("~bob/.h"), None);
    vars.set("XDG_CONFIG_HOME", Some("~/cfg"));
    assert_eq!(
        vars.expand("${XDG_CONFIG_HOME:-$HOME/.config}/zsh")
            .unwrap(),
        "/home/a/cfg/zsh"
    );
}

#[test]
fn bash_follows_the_last_assignment_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".bashrc"),
        "# mine\nHISTCONTROL=ignoredups\nshopt -s histappend\nHISTCONTROL=ignoreboth\nHISTFILE=~/hist/bash\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Bash);
    assert!(settings.ignorespace);
    assert_eq!(settings.deciding.value, "ignoreboth");
    assert!(
        settings.deciding.origin().ends_with(".bashrc:4"),
        "{}",
        settings.deciding.origin()
    );
    assert_eq!(
        settings.histfile.value,
        format!("{}/hist/bash", dir.path().display())
    );
    std::fs::write(dir.path().join(".bashrc"), "HISTCONTROL=ignoredups\n").unwrap();
    assert!(!settings_of(dir.path(), Shell::Bash).ignorespace);
    std::fs::write(dir.path().join(".bashrc"), "HISTFILESIZE=0\n").unwrap();
    let settings = settings_of(dir.path(), Shell::Bash);
    assert_eq!(settings.histfile.value, "");
    assert!(settings.histfile.origin().ends_with(".bashrc:1"));
}

#[test]
fn zsh_needs_histfile_savehist_and_the_option() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".zshrc"),
        "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt HIST_IGNORE_SPACE\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Zsh);
    assert!(!settings.histfile.value.is_empty() && settings.ignorespace);
    std::fs::write(dir.path().join(".zshrc"), "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt histignorespace\nunsetopt hist_ignore_space\n").unwrap();
    assert!(!settings_of(dir.path(), Shell::Zsh).ignorespace);
    std::fs::write(
        dir.path().join(".zshrc"),
        "HISTFILE=~/.zsh_history\nSAVEHIST=1000\nsetopt no_hist_ignore_space\n",
    )
    .unwrap();
    assert!(!settings_of(dir.path(), Shell::Zsh).ignorespace);
}

#[test]
fn a_zsh_history_nobody_set_is_unexplained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".zshrc"),
        "source ~/.oh-my-zsh/oh-my-zsh.sh\n",
    )
    .unwrap();
    assert_eq!(settings_of(dir.path(), Shell::Zsh).unexplained, None);
    std::fs::write(dir.path().join(".zsh_history"), ": 1:0;ls\n").unwrap();
    let settings = settings_of(dir.path(), Shell::Zsh);
    assert_eq!(settings.histfile.value, "");
    assert_eq!(settings.unexplained, Some(dir.path().join(".zsh_history")));
    // Explained once a file sets HISTFILE, even to keep nothing.
    std::fs::write(
        dir.path().join(".zshrc"),
        "HISTFILE=~/.zsh_history\nSAVEHIST=0\n",
    )
    .unwrap();
    assert_eq!(settings_of(dir.path(), Shell::Zsh).unexplained, None);
}

#[test]
fn zsh_reads_the_files_in_zdotdir_once_zshenv_moves_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".zshenv"),
        "export ZDOTDIR=\"${XDG_CONFIG_HOME:-$HOME/.config}/zsh\"\n",
    )
    .unwrap();
    // Never read: zsh looks in ZDOTDIR now.
    std::fs::write(dir.path().join(".zshrc"), "setopt HIST_IGNORE_SPACE\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".config/zsh")).unwrap();
    std::fs::write(
        dir.path().join(".config/zsh/.zshrc"),
        "HISTFILE=$ZDOTDIR/history\nSAVEHIST=10\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Zsh);
    assert_eq!(
        settings.histfile.value,
        format!("{}/.config/zsh/history", dir.path().display())
    );
    assert!(settings.histfile.origin().contains(".config/zsh/.zshrc:1"));
    assert!(!settings.ignorespace, "{settings:?}");
}

#[test]
fn fish_reads_universal_variables_snippets_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".config/fish");
    std::fs::create_dir_all(config.join("conf.d")).unwrap();
    std::fs::write(
        config.join("fish_variables"),
        "# This file contains fish universal variable definitions.\n# VERSION: 3.0\nSETUVAR fish_history:uni\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Fish);
    assert!(
        settings
            .histfile
            .value
            .ends_with("/.local/share/fish/uni_history")
    );
    assert!(settings.histfile.origin().contains("fish_variables:3"));
    assert!(settings.ignorespace);
    std::fs::write(
        config.join("conf.d/work.fish"),
        "set -gx XDG_DATA_HOME ~/data\nset -g fish_history 'work'\n",
    )
    .unwrap();
    std::fs::write(
        config.join("config.fish"),
        "function f\n  set fish_history inside\nend\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Fish);
    assert_eq!(
        settings.histfile.value,
        format!("{}/data/fish/work_history", dir.path().display())
    );
    assert!(settings.histfile.origin().contains("conf.d/work.fish:2"));
    // Conditions are not evaluated: an assignment counts as if it were taken.
    std::fs::write(
        config.join("config.fish"),
        "if status is-interactive\n  set -q fish_history; or set fish_history none\nend\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Fish);
    assert!(
        settings.histfile.value.ends_with("/data/fish/none_history"),
        "{settings:?}"
    );
    std::fs::write(config.join("config.fish"), "set -g fish_private_mode 1\n").unwrap();
    let settings = settings_of(dir.path(), Shell::Fish);
    assert_eq!(settings.histfile.value, "");
    assert!(settings.histfile.origin().contains("config.fish:1"));
    std::fs::write(
        config.join("config.fish"),
        "function fish_should_add_to_history\n  return 0\nend\n",
    )
    .unwrap();
    let settings = settings_of(dir.path(), Shell::Fish);
    assert!(!settings.ignorespace);
    assert!(settings.deciding.origin().contains("config.fish:1"));
    std::fs::write(config.join("config.fish"), "set fish_history ''\n").unwrap();
    assert_eq!(settings_of(dir.path(), Shell::Fish).histfile.value, "");
}

#[test]
fn fish_words_drop_quotes_and_comments() {
    assert_eq!(
        fish_words("set -g fish_history 'a b' \"c\" # note"),
        ["set", "-g", "fish_history", "a b", "c"]
    );
    assert_eq!(
        fish_words("set fish_history ''"),
        ["set", "fish_history", ""]
    );
}

#[test]
fn live_values_replace_the_parsed_ones() {
    let mut fields = vec![
        ("version".to_owned(), "1".to_owned()),
        ("shell".to_owned(), "bash".to_owned()),
        ("HISTFILE".to_owned(), "/h/.bash_history".to_owned()),
        ("HISTCONTROL".to_owned(), "ignoredups".to_owned()),
        ("history".to_owned(), "on".to_owned()),
    ];
    let record = LiveRecord::for_tests(fields.clone(), (0, 0));
    let settings = live(Shell::Bash, Path::new("/h"), &record);
    assert!(settings.live && !settings.ignorespace);
    assert_eq!(settings.histfile.value, "/h/.bash_history");
    assert_eq!(
        settings.deciding.origin(),
        "live, recorded by the shell hook at 1970-01-01 00:00 UTC"
    );
    fields.retain(|(k, _)| k != "HISTFILE");
    let record = LiveRecord::for_tests(fields, (0, 0));
    assert_eq!(
        live(Shell::Bash, Path::new("/h"), &record).histfile.value,
        ""
    );
}
