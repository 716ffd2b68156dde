//! The failures that stop a run (exit status 2). Findings are not errors: a check that
//! finds a loose key has worked; a check that cannot look reports an error finding and
//! the run goes on.

use std::fmt;
use std::path::PathBuf;

use crate::policy::PolicyError;
use crate::terminal::TerminalError;

/// Everything that ends a run with exit status 2.
#[derive(Debug)]
pub enum Error {
    /// The command line was wrong; the message says what.
    Usage(String),
    /// A policy file could not be read, parsed or accepted.
    Policy(PolicyError),
    /// The account to check could not be resolved from the password database.
    Account(String),
    /// Writing the report failed (other than a closed pipe, which is silent).
    Output(std::io::Error),
    /// Input that cannot be used (standard input, the terminal); names where.
    Input(String),
    /// A file named on the command line could not be used.
    File { path: PathBuf, reason: String },
    /// Nothing usable came from the terminal or standard input.
    Terminal(TerminalError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "usage: {message}"),
            Error::Policy(error) => write!(f, "{error}"),
            Error::Account(message) => write!(f, "account: {message}"),
            Error::Output(error) => write!(f, "cannot write the report: {error}"),
            Error::Input(message) => write!(f, "{message}"),
            Error::File { path, reason } => {
                write!(f, "{}: {reason}", crate::sanitize::display_path(path))
            }
            Error::Terminal(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Policy(error) => Some(error),
            Error::Output(error) => Some(error),
            Error::Terminal(error) => Some(error),
            _ => None,
        }
    }
}

impl From<TerminalError> for Error {
    fn from(error: TerminalError) -> Error {
        Error::Terminal(error)
    }
}

impl From<PolicyError> for Error {
    fn from(error: PolicyError) -> Error {
        Error::Policy(error)
    }
}
