//! History settings (policy `password-usage`): for each shell the person uses, where
//! it keeps history and whether a command typed with a leading space stays out of it
//! — the standard's own way to keep a password typed in a shell out of history —
//! each value with where it was set or as the default. The rc files are parsed,
//! never run (see `shells`).
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status};
use crate::policy::Level;
use crate::shells::record;
use crate::shells::{self, HistorySettings, Shell};

const ID: &str = "history-settings";
const ITEM: &str = "password-usage";

/// The standard's advice for when a password must be typed in a shell.
const ADVICE: &str = "to type a password in a shell, start a new shell, run `unset HISTFILE`, run the command, and exit that shell";

pub struct HistorySettingsCheck;

impl Check for HistorySettingsCheck {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "bash, zsh and fish: where history is kept, and whether a leading space keeps a command out of it (read from the rc files, never run)"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "history-ignorespace",
            "history-no-ignorespace",
            "history-not-kept",
            "history-unexplained",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let level = cx.policy.level(ITEM);
        for shell in shells::shells_in_use(home, &cx.account.shell) {
            out.push(judge(&shells::effective(home, cx.account, shell), level));
        }
        Ok(())
    }
}

fn judge(s: &HistorySettings, level: Level) -> Finding {
    let name = s.shell.name();
    let finding = |status, code| Finding::new(ID, ITEM, level, status, code);
    let deciding = format!(
        "{} is \"{}\" ({})",
        s.deciding_name,
        s.deciding.value,
        s.deciding.origin()
    );
    let notes: String = s.notes.iter().map(|note| format!("; {note}")).collect();
    if s.histfile.value.is_empty()
        && let Some(found) = &s.unexplained
    {
        return finding(Status::Warn, "history-unexplained")
            .level(Level::Should)
            .says(format!(
                "{name}'s files keep no history ({}), yet {} exists: something they do not show (a framework, a sourced file) keeps it, and whether a leading space keeps a command out is unknown{notes}",
                s.histfile.origin(),
                crate::sanitize::display_path(found)
            ))
            .fix(format!(
                "add {}, and open a new {name}; {ADVICE}",
                record::install_line(s.shell)
            ));
    }
    if s.histfile.value.is_empty() {
        return finding(Status::Pass, "history-not-kept").says(format!(
            "{name} keeps no history file ({}){notes}",
            s.histfile.origin()
        ));
    }
    let kept = format!(
        "{name} saves history to {} ({})",
        crate::sanitize::display_str(&s.histfile.value),
        s.histfile.origin()
    );
    if s.ignorespace {
        return finding(Status::Pass, "history-ignorespace").says(format!(
            "{kept}; a command typed with a leading space stays out of it ({deciding}){notes}"
        ));
    }
    let line = match s.shell {
        Shell::Bash => "add HISTCONTROL=ignoreboth at the end of ~/.bashrc",
        Shell::Zsh => "add setopt HIST_IGNORE_SPACE to ~/.zshrc",
        Shell::Fish => {
            "make fish_should_add_to_history return 1 when its argument starts with a space (string match -q -- ' *' $argv[1]; and return 1)"
        }
    };
    let hook = if s.live {
        String::new()
    } else {
        format!(
            "; to have the live shell's values checked rather than a reading of its files, add {}",
            record::install_line(s.shell)
        )
    };
    finding(Status::Warn, "history-no-ignorespace")
        .level(Level::Should)
        .says(format!(
            "{kept}, and {deciding}: a command typed with a leading space is still saved{notes}"
        ))
        .fix(format!("{line}; {ADVICE}{hook}"))
}
