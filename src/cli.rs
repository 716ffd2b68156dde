//! The command line, declared once with clap's derive; the man-page test walks this
//! same definition, so a new option cannot go undocumented, and build.rs compiles this
//! file too, to generate the shell completions from it: keep it free of `crate::` paths.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// What `--version` prints after the name: the package's version and, when build.rs could
/// tell, the git commit it was built from ("0.1.0 (commit 1a2b3c4d5e6f)"). build.rs also
/// compiles this file (for the completions), where the variable is not set yet.
pub const VERSION: &str = match option_env!("CSI_SELF_CHECK_LONG_VERSION") {
    Some(version) => version,
    None => env!("CARGO_PKG_VERSION"),
};

const EXIT_STATUS: &str = "\
Exit status:
  0  no must-level requirement failed
  1  at least one must-level requirement failed
  2  usage, policy or runtime error (a one-line message on stderr)";

/// Checks your credential hygiene against the End User Standards of the CSI Security
/// Policy: key permissions today, and the rest of the standard as a checklist.
#[derive(Debug, Parser)]
#[command(
    name = "csi-self-check",
    version = VERSION,
    after_help = EXIT_STATUS,
    max_term_width = 100,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub global: GlobalArgs,

    /// Also look for stray private keys in the whole home, not only the key stores
    /// (one filesystem, no links followed, caches and version-control stores skipped)
    #[arg(long)]
    pub deep: bool,

    /// Make every change of mode the report's fixes name: keys, credential and
    /// history files, key stores, ~/.ssh and the home (yours, inside the home, files
    /// with one link only, never through a link; contents are never touched)
    #[arg(long)]
    pub fix: bool,

    /// Which reminders of the standard's behavioural items to show: those not shown
    /// within the policy's interval, all of them now, or none
    #[arg(long, value_enum, default_value_t = Remind::Due, value_name = "WHEN")]
    pub remind: Remind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Remind {
    Due,
    All,
    Never,
}

/// Options accepted before or after any subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Check DIR as the home directory instead of the account's own (for admins and tests)
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Use FILE instead of the site's policy files for this run; it may tighten a
    /// must-level requirement but never loosen one
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Output format; prometheus is for `audit` only
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to colour the text report: auto colours only when stdout is a terminal,
    /// NO_COLOR is unset or empty, and TERM is not "dumb"
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Show only failures and errors
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Show every finding in full: what passed, what was not looked at and each
    /// reminder, not one line for each
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Run only these checks or policy items (comma-separated ids)
    #[arg(long, global = true, value_delimiter = ',', value_name = "ID", value_parser = OfferedIds, hide_possible_values = true)]
    pub only: Vec<String>,
}

/// Every id `--only` takes: the checks' and the policy items' (a test in `commands`
/// keeps this list equal to the registry). The completions offer them; the run itself
/// validates what is given, with its own message.
pub const ONLY_IDS: &[&str] = &[
    "key-permissions",
    "key-encryption",
    "ssh-client-config",
    "credential-files",
    "history-settings",
    "history-secrets",
    "app-password-stores",
    "screen-lock",
    "password-rules",
    "password-fingerprints",
    "key-backup",
    "reminders",
    "password-dissemination",
    "host-authentication",
    "password-usage",
    "password-entropy",
    "ssh-proxycommand",
    "desktop-locking",
    "password-reuse",
    "software-installation",
    "relocate-information-offsite",
    "key-security",
    "key-passwords",
    "encryption-backups",
    "stolen-missing-equipment",
    "password-sharing",
    "role-accounts",
    "data-access-passwords",
    "self-access",
    "incident-reporting",
];

/// Takes any word (the run judges it), and offers [`ONLY_IDS`] to the completions.
#[derive(Clone, Copy, Debug)]
pub struct OfferedIds;

impl clap::builder::TypedValueParser for OfferedIds {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            ONLY_IDS
                .iter()
                .map(|id| clap::builder::PossibleValue::new(*id)),
        ))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every check and the policy items it serves
    ListChecks,
    /// Print every policy item as a printable checklist: automated items with their
    /// verdict, behavioural items with an empty box to tick
    Checklist,
    /// Check a password against the policy. It is read from the terminal without
    /// echo, never from the command line
    Password {
        /// Read the password from standard input instead (for scripts): one trailing
        /// newline is removed; more than 512 bytes is an error
        #[arg(long)]
        stdin: bool,
        /// Remember the password's keyed fingerprint as LABEL (your own name for the
        /// service), so that later checks report it used elsewhere; the key is kept
        /// in your keyring
        #[arg(long, value_name = "LABEL")]
        remember: Option<String>,
        /// Forget the fingerprint remembered as LABEL; no password is asked for
        #[arg(long, value_name = "LABEL", conflicts_with_all = ["stdin", "remember"])]
        forget: Option<String>,
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// The PAM helper for `pam_exec.so expose_authtok`: the token on standard input,
    /// the user in PAM_USER, the system policy only; exit 0 accepts
    Pam,
    /// Work with one key file
    #[command(arg_required_else_help = false)]
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Say what a finding code means, which policy item it serves and why, how to
    /// fix it, and what its check reads
    Explain {
        /// The finding code, as the report shows it (key-unencrypted, …)
        code: String,
    },
    /// Secrets in a history file
    History {
        /// Replace each secret found in FILE with <redacted>, atomically, after
        /// showing the lines masked and asking
        #[arg(long, value_name = "FILE")]
        redact: PathBuf,
        /// Replace without asking
        #[arg(long)]
        yes: bool,
    },
    /// Print the lines that let SHELL report its live history settings: add
    /// `eval "$(csi-self-check shell-hook bash)"` (or zsh) at the end of the rc file,
    /// or `csi-self-check shell-hook fish | source` at the end of config.fish; at its
    /// first prompt each shell then records HISTFILE, HISTCONTROL, HISTIGNORE,
    /// histappend, the zsh options or fish's private mode, and those values win over
    /// a reading of the rc files
    ShellHook {
        /// The shell to print the lines for
        #[arg(value_enum)]
        shell: ShellName,
    },
    /// The warning for login hooks: prints only to an interactive session (stderr),
    /// at most a few lines, within a deadline, and always exits 0; a full check runs
    /// at most once a day, other logins print its cached summary. Under pam_exec
    /// (PAM_USER set) the account comes from the password database and the lines go
    /// to stdout
    Login {
        /// Show the lines as one desktop notification (for the autostart entry)
        #[arg(long)]
        notify: bool,
    },
    /// Offline key backups
    #[command(arg_required_else_help = false)]
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// The offline index of breached passwords (Have I Been Pwned's Pwned Passwords)
    #[command(arg_required_else_help = false)]
    Breach {
        #[command(subcommand)]
        action: BreachAction,
    },
    /// The indexes of the policy's word-lists
    WordLists {
        #[command(subcommand)]
        action: WordListsAction,
    },
    /// Show the effective policy or validate a policy file
    #[command(arg_required_else_help = false)]
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Root only: check every login account (or those named by --users), each in a
    /// child process that has become that user, under a deadline; a summary table,
    /// one JSON document, or Prometheus metrics for node_exporter
    Audit(AuditArgs),
    /// Internal: one user of an audit (the child `audit` starts for each account)
    #[command(hide = true)]
    AuditUser {
        /// The account, by name, from the password database
        user: String,
    },
}

/// The options of `audit`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("whom").args(["all_users", "users"]).required(true).multiple(true)))]
pub struct AuditArgs {
    /// Every account with a login shell listed in /etc/shells and a user id from
    /// UID_MIN to UID_MAX of /etc/login.defs
    #[arg(long)]
    pub all_users: bool,

    /// Only these accounts (comma-separated names); with --all-users each must be
    /// one of its accounts
    #[arg(long, value_delimiter = ',', value_name = "NAME", value_hint = clap::ValueHint::Username)]
    pub users: Vec<String>,

    /// Write the output to FILE atomically (a temporary file in the same directory,
    /// flushed, renamed; mode 0644) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How long one user's checks may take before its child is killed and the user
    /// is reported as timed out
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_seconds)]
    pub timeout_per_user: f64,
}

/// A deadline in seconds: a fraction is allowed, zero, a negative number and more
/// than an hour are not.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 3600.0 => Ok(seconds),
        _ => Err("expected a number of seconds above 0 and at most 3600".to_owned()),
    }
}

#[derive(Debug, Subcommand)]
pub enum BreachAction {
    /// Turn a Pwned Passwords SHA-1 download (lines HEX:COUNT, in any order, LF or
    /// CRLF) into the index that `password`, `key check` and `pam` look passwords
    /// up in; built in bounded memory, written atomically
    Import(BreachImportArgs),
}

/// The options of `breach import`.
#[derive(Debug, Args)]
pub struct BreachImportArgs {
    /// The downloaded file (uncompressed text)
    pub file: PathBuf,

    /// Write the index to FILE instead of the policy's path (the system path of
    /// breach-indexes for root, its ~/ path for anyone else)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Keep the sorted runs in DIR instead of the index's directory (they need
    /// about 24 bytes a line; unnamed files, gone when the import ends)
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,

    /// The memory the import may use for sorting, in MiB (at least 16)
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub memory: u64,
}

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Ask for FILE's passphrase without echo, prove that it opens the key, and judge
    /// it by the password rules
    Check {
        /// The private key file
        file: PathBuf,
        /// Read the passphrase from standard input instead (for scripts)
        #[arg(long)]
        stdin: bool,
        /// Remember the passphrase's keyed fingerprint, labelled with the key's path,
        /// so that later checks report it used elsewhere
        #[arg(long)]
        remember: bool,
        #[command(flatten)]
        keyring: KeyringArgs,
    },
    /// Put a passphrase on the unencrypted private key FILE, in place: asked twice
    /// without echo, judged by the password rules and refused when weak; OpenSSH keys
    /// stay OpenSSH keys, PEM and PKCS#8 keys become encrypted PKCS#8; the file keeps
    /// its owner and mode, and is replaced only once the new one opens to the same key
    Protect {
        /// The private key file
        file: PathBuf,
        /// Read the passphrase once from standard input instead (for scripts)
        #[arg(long)]
        stdin: bool,
    },
}

/// Where the fingerprint key of `--remember` is kept when there is no keyring.
#[derive(Debug, Args)]
pub struct KeyringArgs {
    /// Keep the fingerprint key in PATH instead of the keyring (for headless
    /// machines): it must be a regular file of yours with mode 0600 on an encrypted
    /// filesystem, and is made so on the first --remember
    #[arg(long, value_name = "PATH")]
    pub keyring_file: Option<PathBuf>,
    /// Use --keyring-file although its filesystem is not known to be encrypted
    #[arg(long, requires = "keyring_file")]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Record that your keys are backed up now, by public fingerprint only; with
    /// --media, check that each key is on the medium and say whether the medium is
    /// removable and encrypted
    Confirm {
        /// The directory on the backup medium that holds the keys (or their public
        /// halves), looked through without following links
        #[arg(long, value_name = "PATH")]
        media: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WordListsAction {
    /// Root only: compile every list of the policy's word-lists that starts with "/"
    /// into the index the checks read (/var/lib/csi-self-check/word-lists/), once
    /// instead of at every check; an index is used only while its list is unchanged
    Import,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Print the effective policy and where each value came from
    Show,
    /// Validate FILE as a policy file, as --policy FILE would use it
    Check {
        /// The policy file to validate
        file: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// The exposition format of node_exporter's textfile collector (`audit` only).
    Prometheus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// What parsing the command line came to.
pub enum Parsed {
    /// Run this.
    Run(Box<Cli>),
    /// Help or version was printed; nothing else to do.
    Printed,
    /// A usage error, already reduced to one line.
    Usage(String),
}

/// Parses the arguments. Help and version are printed here (clap's own output); any
/// other problem becomes one line, because a usage error is one line on stderr.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Parsed {
    match Cli::try_parse_from(args) {
        Ok(cli) => Parsed::Run(Box::new(cli)),
        Err(error) => match error.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = error.print();
                Parsed::Printed
            }
            kind => Parsed::Usage(usage_line(&error, kind)),
        },
    }
}

/// One line for a usage error. A stray word on the command line may be a password
/// typed in the wrong place, so it is not repeated — unless it is within a small edit
/// distance of a command or option at that place: then it is a typo, and the line
/// says what was meant.
fn usage_line(error: &clap::Error, kind: ErrorKind) -> String {
    let strings = |context| match error.get(context) {
        Some(ContextValue::String(word)) => vec![word.clone()],
        Some(ContextValue::Strings(words)) => words.clone(),
        _ => Vec::new(),
    };
    if kind == ErrorKind::MissingSubcommand {
        let parent = strings(ContextKind::InvalidSubcommand).join(" ");
        let hidden = hidden_commands();
        let choices: Vec<String> = strings(ContextKind::ValidSubcommand)
            .into_iter()
            .filter(|name| !hidden.contains(name))
            .collect();
        return format!(
            "`{parent}` needs a subcommand: {}; see `{parent} --help`",
            choices.join(", ")
        );
    }
    let stray = strings(ContextKind::InvalidArg)
        .into_iter()
        .chain(strings(ContextKind::InvalidSubcommand))
        .next();
    if let Some(word) = stray.filter(|_| {
        matches!(
            kind,
            ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand
        )
    }) {
        // An option's value after `=` is never repeated either.
        let word = word.split('=').next().unwrap_or_default().to_owned();
        let suggested = strings(ContextKind::SuggestedSubcommand)
            .into_iter()
            .chain(strings(ContextKind::SuggestedArg))
            .filter(|candidate| !hidden_commands().contains(candidate))
            .find(|candidate| is_typo_of(&word, candidate));
        let what = if word.starts_with('-') {
            "option"
        } else {
            "command"
        };
        if let Some(meant) = suggested {
            return format!("unknown {what} '{word}'; did you mean '{meant}'? (see --help)");
        }
        if !word.starts_with('-') {
            return "unexpected word on the command line (not repeated here, in case it was a secret); see --help"
                .to_owned();
        }
    }
    // clap's message, up to its first blank line, on one line.
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.is_empty())
        .collect();
    message.join(" ").trim_start_matches("error: ").to_owned()
}

/// The names of the commands kept out of help, suggestions and completions.
pub fn hidden_commands() -> Vec<String> {
    let mut hidden = Vec::new();
    let mut stack = vec![<Cli as clap::CommandFactory>::command()];
    while let Some(command) = stack.pop() {
        for sub in command.get_subcommands() {
            if sub.is_hide_set() {
                hidden.push(sub.get_name().to_owned());
            }
            stack.push(sub.clone());
        }
    }
    hidden
}

/// Whether `word` is a typo of `name`: within one edit (a letter added, dropped,
/// changed, or two swapped) for a short word, two for a longer one. Leading dashes
/// are not counted, and a word that is the name is no typo.
pub fn is_typo_of(word: &str, name: &str) -> bool {
    let word = word.trim_start_matches('-');
    let name = name.trim_start_matches('-');
    let limit = if name.chars().count() <= 4 { 1 } else { 2 };
    word != name && !word.is_empty() && edit_distance(word, name) <= limit
}

/// The optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of neighbours, each counting one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// The clap definition, for the man-page test.
#[cfg(test)]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_definition_is_consistent() {
        super::command().debug_assert();
    }
}
