//! `history --redact FILE` and `shell-hook SHELL`: the two commands about shell
//! history that change or extend the person's files only when asked to.

use std::path::Path;

use super::absolute;
use crate::cli::ShellName;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::plaintext::redact;
use crate::report::emit;
use crate::sanitize::display_path;
use crate::shells::Shell;

/// `history --redact FILE`: shows what would go, asks (unless `--yes`), replaces.
pub fn redact(file: &Path, yes: bool) -> Result<ExitStatus, Error> {
    let file = absolute(file);
    let shown = display_path(&file);
    let outcome = redact::redact(&file, |found| {
        let mut text = String::new();
        for (line, masked) in &found.preview {
            text.push_str(&format!("  line {line}: {masked}\n"));
        }
        let _ = emit(&text);
        if yes {
            return Ok(true);
        }
        crate::terminal::ask_yes(&format!(
            "Replace {} secret(s) in {shown} with <redacted>? [y/N] ",
            found.secrets
        ))
    });
    match outcome {
        Ok(done) if done.secrets == 0 => {
            emit(&format!("{shown}: no secrets found; nothing to do\n"))?;
            Ok(ExitStatus::Clean)
        }
        Ok(done) => {
            emit(&format!(
                "{shown}: {} secret(s) replaced with <redacted>; every other byte is as it was\n",
                done.secrets
            ))?;
            Ok(ExitStatus::Clean)
        }
        Err(error) if error.not_confirmed() => {
            emit(&format!("{shown}: {error}\n"))?;
            Ok(ExitStatus::Findings)
        }
        Err(error) => Err(Error::Redact { path: file, error }),
    }
}

/// `shell-hook SHELL`: the lines for the rc file. Nothing is read, so that a shell
/// that evaluates this at every start never waits or sees an error.
pub fn shell_hook(shell: ShellName) -> Result<ExitStatus, Error> {
    let shell = match shell {
        ShellName::Bash => Shell::Bash,
        ShellName::Zsh => Shell::Zsh,
        ShellName::Fish => Shell::Fish,
    };
    emit(crate::shells::record::hook(shell))?;
    Ok(ExitStatus::Clean)
}
