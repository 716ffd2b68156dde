//! The top of the crate: the one `match` on the subcommand, and the command line
//! resolved once into the [`Setup`] every command shares. Only this layer knows the
//! command line (`cli`) and turns failures into the exit status; everything below it
//! is handed plain values.

mod audit;
mod backup;
mod breach;
mod check;
pub(crate) mod error;
mod fix;
mod history;
mod key;
mod login;
mod pam;
mod password;
mod policy;
mod word_lists;

use std::path::{Path, PathBuf};

use crate::account::Account;
use crate::checks::{RemindWhen, RunOptions, Selection};
use crate::cli::{
    self, BackupAction, BreachAction, Command, Format, GlobalArgs, KeyAction, Parsed, PolicyAction,
    WordListsAction,
};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::policy::{LoadOptions, Policy};
use crate::report::{Colour, Painter, Report, TextOptions, emit};

pub fn run() -> Result<ExitStatus, Error> {
    let cli = match cli::parse(std::env::args_os()) {
        Parsed::Run(cli) => cli,
        Parsed::Printed => return Ok(ExitStatus::Clean),
        Parsed::Usage(message) => return Err(Error::Usage(message)),
    };
    crate::harden::no_core_dumps();
    let audit = matches!(
        cli.command,
        Some(Command::Audit(_) | Command::AuditUser { .. })
    );
    if cli.global.format == Format::Prometheus && !audit {
        return Err(Error::Usage(
            "--format prometheus is only for `audit`".to_owned(),
        ));
    }
    let setup = Setup::resolve(&cli.global, &cli);
    match &cli.command {
        None => check::check(&setup),
        Some(Command::Audit(args)) => audit::run(&setup, args),
        Some(Command::AuditUser { user }) => audit::child(&setup, user),
        Some(Command::ListChecks) => check::list_checks(&setup),
        Some(Command::Checklist) => check::checklist(&setup),
        Some(Command::Password {
            stdin,
            remember,
            forget,
            keyring,
        }) => match forget {
            Some(label) => password::forget(&setup, label),
            None => password::password(&setup, *stdin, remember.as_deref(), keyring),
        },
        Some(Command::Pam) => pam::run(&setup),
        Some(Command::Explain { code }) => explain(&setup, code),
        Some(Command::History { redact, yes }) => history::redact(redact, *yes),
        Some(Command::ShellHook { shell }) => history::shell_hook(*shell),
        Some(Command::Login { notify }) => {
            // A login goes on whatever happens here, a panic included.
            let _ = std::panic::catch_unwind(|| login::run(&setup, *notify));
            Ok(ExitStatus::Clean)
        }
        Some(Command::Key {
            action:
                KeyAction::Check {
                    file,
                    stdin,
                    remember,
                    keyring,
                },
        }) => key::check(&setup, file, *stdin, *remember, keyring),
        Some(Command::Key {
            action: KeyAction::Protect { file, stdin },
        }) => key::protect(&setup, file, *stdin),
        Some(Command::Backup {
            action: BackupAction::Confirm { media },
        }) => backup::confirm(&setup, media.as_deref()),
        Some(Command::Breach {
            action: BreachAction::Import(args),
        }) => breach::import(&setup, args),
        Some(Command::WordLists {
            action: WordListsAction::Import,
        }) => word_lists::import(&setup),
        Some(Command::Policy {
            action: PolicyAction::Show,
        }) => policy::show(&setup),
        Some(Command::Policy {
            action: PolicyAction::Check { file },
        }) => policy::check(&setup, file),
    }
}

/// `explain CODE`: the code told in full, from the man page and the policy in effect.
fn explain(setup: &Setup, code: &str) -> Result<ExitStatus, Error> {
    let policy = setup.policy()?;
    let width = crate::report::wrap::stdout_width();
    match crate::report::explain::text(code, &policy, width) {
        Some(text) => {
            emit(&text)?;
            Ok(ExitStatus::Clean)
        }
        None => {
            // A word that is no code is not repeated, unless it is a typo of one.
            let known = crate::report::explain::all_codes();
            Err(Error::Usage(
                match known.iter().find(|k| cli::is_typo_of(code, k)) {
                    Some(meant) => format!("explain: no such finding code; did you mean `{meant}`?"),
                    None => "explain: no such finding code; the report shows each finding's code, and csi-self-check(1) lists them".to_owned(),
                },
            ))
        }
    }
}

/// The command line, resolved once: what every command needs of the global options,
/// with relative paths made absolute and the colour decided.
pub(crate) struct Setup {
    /// `--home`, absolute.
    home: Option<PathBuf>,
    /// `--policy`, absolute.
    policy_file: Option<PathBuf>,
    /// `--only`, as given (validated by [`Setup::selection`]).
    only: Vec<String>,
    pub format: Format,
    pub painter: Painter,
    pub quiet: bool,
    pub verbose: bool,
    /// `--deep`, `--fix`, `--remind`.
    pub options: RunOptions,
    /// The run's moment, read once; every check of the run is judged at it.
    pub now: i64,
}

impl Setup {
    fn resolve(global: &GlobalArgs, cli: &cli::Cli) -> Setup {
        let colour = match global.color {
            cli::ColorWhen::Auto => Colour::Auto,
            cli::ColorWhen::Always => Colour::Always,
            cli::ColorWhen::Never => Colour::Never,
        };
        Setup {
            home: global.home.as_deref().map(absolute),
            policy_file: global.policy.as_deref().map(absolute),
            only: global.only.clone(),
            format: global.format,
            painter: Painter::for_stdout(colour),
            quiet: global.quiet,
            verbose: global.verbose,
            options: RunOptions {
                deep: cli.deep,
                fix: cli.fix,
                remind: match cli.remind {
                    cli::Remind::Due => RemindWhen::Due,
                    cli::Remind::All => RemindWhen::All,
                    cli::Remind::Never => RemindWhen::Never,
                },
            },
            now: crate::time::now(),
        }
    }

    /// The effective policy: the built-in one, the site's files, then `--policy`.
    fn policy(&self) -> Result<Policy, Error> {
        let options = LoadOptions {
            policy_file: self.policy_file.as_deref(),
            ..LoadOptions::default()
        };
        load_policy(&options)
    }

    /// The checks and items `--only` names.
    fn selection(&self) -> Result<Selection, Error> {
        Selection::new(self.only.clone()).map_err(|error| {
            let crate::checks::SelectionError::Unknown(id) = &error;
            match cli::ONLY_IDS
                .iter()
                .find(|known| cli::is_typo_of(id, known))
            {
                Some(meant) => Error::Usage(format!("{error}; did you mean `{meant}`?")),
                None => Error::Selection(error),
            }
        })
    }

    /// Whether any of `--home`, `--policy` or `--only` was given, for the commands
    /// that accept none of them.
    fn names_home_policy_or_only(&self) -> bool {
        self.home.is_some() || self.policy_file.is_some() || !self.only.is_empty()
    }

    /// The account to check, and whether this is root auditing someone else's home —
    /// a run that must leave that person's state (reminders shown, backup looks) as it
    /// found it. Normally the invoking user with the home from the password database.
    /// With `--home DIR`, DIR is checked instead; when root runs it on a directory
    /// someone else owns, the owner is the person checked, and root becomes that
    /// person before reading anything inside.
    fn account(&self) -> Result<(Account, bool), Error> {
        let invoking = Account::invoking()?;
        let Some(home) = &self.home else {
            return Ok((invoking, false));
        };
        let dir = SafeDir::open_root(home).map_err(|error| Error::Fs {
            path: home.clone(),
            doing: "--home",
            error,
        })?;
        let owner = dir.meta().uid;
        let root = nix::unistd::geteuid().is_root();
        if !root && owner != invoking.uid && !is_own_home(&dir, &invoking) {
            let whose = Account::name_of_uid(owner).map_or_else(
                || format!("uid {owner}"),
                |name| format!("{name} (uid {owner})"),
            );
            return Err(Error::File {
                path: home.clone(),
                reason: format!(
                    "--home: it belongs to {whose}, not to you; without root, --home must be your own home or a directory you own"
                ),
            });
        }
        let audit = root && owner != invoking.uid;
        let mut account = if audit {
            let owner = Account::by_uid(owner).ok_or_else(|| Error::File {
                path: home.clone(),
                reason: format!("--home: its owner, uid {owner}, has no account to check it as"),
            })?;
            crate::privilege::drop_to(&owner)?;
            owner
        } else {
            invoking
        };
        account.home = home.clone();
        Ok((account, audit))
    }

    /// Writes `report` in the chosen format.
    fn render(&self, report: &Report) -> Result<(), Error> {
        match self.format {
            Format::Json => emit(&report.to_json(self.quiet))?,
            Format::Text | Format::Prometheus => {
                let options = TextOptions {
                    quiet: self.quiet,
                    verbose: self.verbose,
                    width: crate::report::wrap::stdout_width(),
                };
                emit(&report.to_text(&self.painter, options))?
            }
        }
        Ok(())
    }
}

/// The policy the options name, refused when a waiver names a finding code no check
/// files: such a waiver would cover nothing, silently.
fn load_policy(options: &LoadOptions<'_>) -> Result<Policy, Error> {
    let policy = crate::policy::load(options)?;
    for waiver in policy.waivers() {
        let Some(code) = &waiver.code else { continue };
        if crate::checks::waivers::is_known_code(code) {
            continue;
        }
        let (file, line) = match &waiver.origin {
            crate::policy::Origin::File { path, line } => (path.clone(), Some(*line)),
            crate::policy::Origin::Builtin => (PathBuf::from("(built-in default)"), None),
        };
        return Err(crate::policy::PolicyError {
            file,
            line,
            key: Some("waiver.code".to_owned()),
            message: format!(
                "`{}` is no finding code; csi-self-check(1) lists them",
                crate::sanitize::display_str(code)
            ),
            cause: None,
        }
        .into());
    }
    Ok(policy)
}

/// Whether `dir` is `account`'s home from the password database (the same directory,
/// whoever owns it), the one home besides one's own directories a non-root person may
/// name with `--home`.
fn is_own_home(dir: &SafeDir, account: &Account) -> bool {
    SafeDir::open_root(&account.home)
        .is_ok_and(|own| own.meta().dev == dir.meta().dev && own.meta().ino == dir.meta().ino)
}

/// `path` made absolute against the working directory, so that a file named on the
/// command line means the same after privileges change and in a child process.
fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_owned(),
    }
}

/// The home directory, open, or the error that names it.
fn open_home(account: &Account) -> Result<SafeDir, Error> {
    SafeDir::open_root(&account.home).map_err(|error| Error::Fs {
        path: account.home.clone(),
        doing: "cannot open the home directory",
        error,
    })
}

#[cfg(test)]
mod tests {
    /// The completions offer `cli::ONLY_IDS` after `--only`: every check and policy
    /// item, and nothing else.
    #[test]
    fn the_ids_completions_offer_are_the_registry() {
        let mut registry: Vec<&str> = crate::checks::CHECKS
            .iter()
            .map(|check| check.id())
            .chain(crate::policy::schema::ITEMS.iter().map(|spec| spec.id))
            .collect();
        let mut offered = crate::cli::ONLY_IDS.to_vec();
        registry.sort_unstable();
        offered.sort_unstable();
        assert_eq!(offered, registry, "update cli::ONLY_IDS");
    }
}
