//! The person at the keyboard: a password read without echo, and a yes or no asked on
//! the terminal itself. The one module that opens `/dev/tty`, so that what is typed
//! never passes through a pipe that feeds something else.

use std::io::{BufRead, Read, Write};

use crate::secret::{Secret, SecretError, Terminator};

/// Why nothing usable was read.
#[derive(Debug)]
pub enum TerminalError {
    /// Standard input held no usable password.
    Stdin(SecretError),
    /// No terminal to prompt for a password on.
    Prompt(std::io::Error),
    /// No terminal to ask a question on.
    NoTerminal(std::io::Error),
    /// What was typed cannot be a password.
    Typed(SecretError),
    /// Reading the answer failed.
    Io(std::io::Error),
}

impl std::fmt::Display for TerminalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TerminalError::Stdin(e) => write!(f, "standard input: the password {e}"),
            TerminalError::Prompt(e) => write!(
                f,
                "cannot read a password from the terminal ({e}); pipe one with --stdin"
            ),
            TerminalError::NoTerminal(e) => write!(
                f,
                "no terminal to ask on ({e}); pass --yes to replace without asking"
            ),
            TerminalError::Typed(e) => write!(f, "the password {e}"),
            TerminalError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for TerminalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TerminalError::Stdin(e) | TerminalError::Typed(e) => Some(e),
            TerminalError::Prompt(e) | TerminalError::NoTerminal(e) | TerminalError::Io(e) => {
                Some(e)
            }
        }
    }
}

/// A password or passphrase: from standard input (`from_stdin`, for scripts) or asked
/// for on the terminal with `prompt`, without echo.
pub fn read_secret(from_stdin: bool, prompt: &str) -> Result<Secret, TerminalError> {
    if from_stdin {
        let secret = Secret::read(&mut std::io::stdin().lock(), Terminator::Newline)
            .map_err(TerminalError::Stdin)?;
        secret.as_str().map_err(TerminalError::Stdin)?;
        return Ok(secret);
    }
    let typed = rpassword::prompt_password(prompt).map_err(TerminalError::Prompt)?;
    Secret::from_typed(typed).map_err(TerminalError::Typed)
}

/// A yes or no from the terminal itself, never from standard input (which may be a
/// pipe feeding something else).
pub fn ask_yes(question: &str) -> Result<bool, TerminalError> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(TerminalError::NoTerminal)?;
    let mut writer = &tty;
    writer
        .write_all(question.as_bytes())
        .map_err(TerminalError::Io)?;
    let mut answer = String::new();
    std::io::BufReader::new(&tty)
        .take(64)
        .read_line(&mut answer)
        .map_err(TerminalError::Io)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
