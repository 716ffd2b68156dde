//! The failures that stop a run (exit status 2). Findings are not errors: a check that
//! finds a loose key has worked; a check that cannot look reports an error finding and
//! the run goes on.
//!
//! Only the commands make these: each variant holds the lower layer's own error (its
//! `source`) or words the commands wrote, and says it in the one line the run prints.

use std::fmt;
use std::path::PathBuf;

use crate::account::AccountError;
use crate::accounts::AccountsError;
use crate::breach::ImportError;
use crate::checks::SelectionError;
use crate::fs::FsError;
use crate::plaintext::redact::RedactError;
use crate::policy::PolicyError;
use crate::privilege::PrivilegeError;
use crate::report::OutputError;
use crate::reuse::LabelError;
use crate::reuse::keystore::KeyFileError;
use crate::sanitize::display_path;
use crate::secret::SecretError;
use crate::state::StateError;
use crate::terminal::TerminalError;

/// Everything that ends a run with exit status 2.
#[derive(Debug)]
pub enum Error {
    /// The command line was wrong; the message says what.
    Usage(String),
    /// `--only` names something unknown.
    Selection(SelectionError),
    /// A label given to `option` (`--remember`, `--forget`) is refused.
    Label {
        option: &'static str,
        error: LabelError,
    },
    /// A policy file could not be read, parsed or accepted.
    Policy(PolicyError),
    /// The account to check could not be resolved from the password database.
    Account(AccountError),
    /// Root could not become the account to check.
    Privilege(PrivilegeError),
    /// The accounts an audit covers could not be chosen.
    Accounts(AccountsError),
    /// Writing the report failed (other than a closed pipe, which is silent).
    Output(OutputError),
    /// Input that cannot be used; the commands' words say where and why.
    Input(String),
    /// The password on standard input could not be read.
    Stdin(SecretError),
    /// A state file could not be read or written.
    State(StateError),
    /// The `--keyring-file` is refused.
    KeyFile(KeyFileError),
    /// A file named on the command line cannot be used; the commands' words say why.
    File { path: PathBuf, reason: String },
    /// A file or directory named on the command line could not be opened, read or
    /// written: what was being done (may be empty), and the filesystem's reason.
    Fs {
        path: PathBuf,
        doing: &'static str,
        error: FsError,
    },
    /// `history --redact` replaced nothing.
    Redact { path: PathBuf, error: RedactError },
    /// `breach import` failed; `path` is the source for a fault of the source,
    /// else the index.
    Import { path: PathBuf, error: ImportError },
    /// Nothing usable came from the terminal or standard input.
    Terminal(TerminalError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "usage: {message}"),
            Error::Selection(error) => write!(f, "usage: {error}"),
            Error::Label { option, error } => write!(f, "usage: {option}: {error}"),
            Error::Policy(error) => write!(f, "{error}"),
            Error::Account(error) => write!(f, "account: {error}"),
            Error::Privilege(error) => write!(f, "account: {error}"),
            Error::Accounts(error) if error.in_system_file() => write!(f, "{error}"),
            Error::Accounts(error) => write!(f, "usage: {error}"),
            Error::Output(error) => write!(f, "{error}"),
            Error::Input(message) => write!(f, "{message}"),
            Error::Stdin(error) => write!(f, "standard input: the password {error}"),
            Error::State(error) => write!(f, "{error}"),
            Error::KeyFile(error) => write!(f, "{error}"),
            Error::File { path, reason } => write!(f, "{}: {reason}", display_path(path)),
            Error::Fs {
                path,
                doing: "",
                error,
            } => {
                write!(f, "{}: {error}", display_path(path))
            }
            Error::Fs { path, doing, error } => {
                write!(f, "{}: {doing}: {error}", display_path(path))
            }
            Error::Redact { path, error } => write!(f, "{}: {error}", display_path(path)),
            Error::Import {
                path,
                error: ImportError::Line { line, reason },
            } => write!(f, "{}:{line}: {reason}", display_path(path)),
            Error::Import { path, error } => write!(f, "{}: {error}", display_path(path)),
            Error::Terminal(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(_) | Error::Input(_) | Error::File { .. } => None,
            Error::Selection(error) => Some(error),
            Error::Label { error, .. } => Some(error),
            Error::Policy(error) => Some(error),
            Error::Account(error) => Some(error),
            Error::Privilege(error) => Some(error),
            Error::Accounts(error) => Some(error),
            Error::Output(error) => Some(error),
            Error::Stdin(error) => Some(error),
            Error::State(error) => Some(error),
            Error::KeyFile(error) => Some(error),
            Error::Fs { error, .. } => Some(error),
            Error::Redact { error, .. } => Some(error),
            Error::Import { error, .. } => Some(error),
            Error::Terminal(error) => Some(error),
        }
    }
}

/// The errors that become an [`Error`] as they are, for `?` in the commands.
macro_rules! from {
    ($($source:ty => $variant:ident),* $(,)?) => {
        $(impl From<$source> for Error {
            fn from(error: $source) -> Error {
                Error::$variant(error)
            }
        })*
    };
}

from! {
    SelectionError => Selection,
    PolicyError => Policy,
    AccountError => Account,
    PrivilegeError => Privilege,
    AccountsError => Accounts,
    OutputError => Output,
    StateError => State,
    KeyFileError => KeyFile,
    TerminalError => Terminal,
}
