//! From arguments to exit status: parse, resolve the account and policy, run the
//! checks, render. Nothing here prints except through `report`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::account::Account;
use crate::checks::{self, CHECKS, Context, RemindWhen, RunOptions, Selection, Subject};
use crate::cli::{
    self, BackupAction, BreachAction, Command, Format, GlobalArgs, KeyAction, KeyringArgs, Parsed,
    PolicyAction,
};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::policy::{self, LoadOptions, Policy, schema};
use crate::report::{self, Checklist, Painter, Report, emit};
use crate::reuse::keystore::KeyFile;
use crate::reuse::{KeySource, Kind, Label, Request};
use crate::sanitize::display_path;
use crate::secret::{Secret, Terminator};

pub fn run() -> Result<ExitStatus, Error> {
    let cli = match cli::parse(std::env::args_os()) {
        Parsed::Run(cli) => cli,
        Parsed::Printed => return Ok(ExitStatus::Clean),
        Parsed::Usage(message) => return Err(Error::Usage(message)),
    };
    crate::harden::no_core_dumps();
    let global = &cli.global;
    let options = RunOptions {
        deep: cli.deep,
        fix: cli.fix,
        remind: match cli.remind {
            cli::Remind::Due => RemindWhen::Due,
            cli::Remind::All => RemindWhen::All,
            cli::Remind::Never => RemindWhen::Never,
        },
    };
    let audit = matches!(
        cli.command,
        Some(Command::Audit(_) | Command::AuditUser { .. })
    );
    if global.format == Format::Prometheus && !audit {
        return Err(Error::Usage(
            "--format prometheus is only for `audit`".to_owned(),
        ));
    }
    match &cli.command {
        None => check(global, options),
        Some(Command::Audit(args)) => crate::audit::run(&cli, args),
        Some(Command::AuditUser { user }) => crate::audit::child(global, cli.deep, user),
        Some(Command::ListChecks) => list_checks(global),
        Some(Command::Password {
            stdin,
            remember,
            forget,
            keyring,
        }) => match forget {
            Some(label) => forget_fingerprint(global, label),
            None => password(global, *stdin, remember.as_deref(), keyring),
        },
        Some(Command::Pam) => crate::pam::run(global),
        Some(Command::History { redact, yes }) => history_redact(redact, *yes),
        Some(Command::ShellHook { shell }) => shell_hook(*shell),
        Some(Command::Login { notify }) => {
            // A login goes on whatever happens here, a panic included.
            let _ = std::panic::catch_unwind(|| crate::login::run(global, *notify));
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
        }) => key_check(global, file, *stdin, *remember, keyring),
        Some(Command::Checklist) => checklist(global, options),
        Some(Command::Backup {
            action: BackupAction::Confirm { media },
        }) => backup_confirm(global, media.as_deref()),
        Some(Command::Breach {
            action: BreachAction::Import(args),
        }) => crate::breach::run_import(global, args),
        Some(Command::Policy {
            action: PolicyAction::Show,
        }) => policy_show(global),
        Some(Command::Policy {
            action: PolicyAction::Check { file },
        }) => policy_check(global, file),
    }
}

pub(crate) fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_owned(),
    }
}

pub(crate) fn load_policy(global: &GlobalArgs) -> Result<Policy, Error> {
    let policy_file = global.policy.as_deref().map(absolute);
    let options = LoadOptions {
        policy_file: policy_file.as_deref(),
        ..LoadOptions::default()
    };
    Ok(policy::load(&options)?)
}

/// The account to check. Normally the invoking user with the home from the password
/// database. With `--home DIR`, DIR is checked instead; when root runs it on a
/// directory someone else owns, the owner is the person checked, and root becomes
/// that person before reading anything inside.
fn account(global: &GlobalArgs) -> Result<Account, Error> {
    account_and_audit(global).map(|(account, _)| account)
}

/// The account, and whether this is root auditing someone else's home — a run that
/// must leave that person's state (reminders shown, backup looks) as it found it.
pub(crate) fn account_and_audit(global: &GlobalArgs) -> Result<(Account, bool), Error> {
    let invoking = Account::invoking().map_err(Error::Account)?;
    let Some(home) = &global.home else {
        return Ok((invoking, false));
    };
    let home = absolute(home);
    let dir = SafeDir::open_root(&home).map_err(|e| Error::File {
        path: home.clone(),
        reason: format!("--home: {e}"),
    })?;
    let owner = dir.meta().uid;
    let audit = nix::unistd::geteuid().is_root() && owner != invoking.uid;
    let mut account = if audit {
        let owner = Account::by_uid(owner).ok_or_else(|| Error::File {
            path: home.clone(),
            reason: format!("--home: its owner, uid {owner}, has no account to check it as"),
        })?;
        crate::privilege::drop_to(&owner).map_err(Error::Account)?;
        owner
    } else {
        invoking
    };
    account.home = home;
    Ok((account, audit))
}

/// Runs the selected checks and builds the report; the account comes back for the
/// bookkeeping after the report is out, unless this is root's audit of another.
fn run_checks(
    global: &GlobalArgs,
    policy: &Policy,
    selection: &Selection,
    options: RunOptions,
) -> Result<(Report, Option<Account>), Error> {
    let (account, audit) = account_and_audit(global)?;
    let cx = Context::new(&account, policy, options);
    let findings = checks::run_all(&cx, Subject::Home, selection);
    let report = Report::new(account.name.clone(), account.home.clone(), findings, policy);
    Ok((report, (!audit).then_some(account)))
}

fn check(global: &GlobalArgs, options: RunOptions) -> Result<ExitStatus, Error> {
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let (report, own) = run_checks(global, &policy, &selection, options)?;
    render(global, &report)?;
    if let Some(account) = own {
        remember(&account, &report.findings);
    }
    Ok(report.exit_status())
}

/// What a run leaves in the state directory once its report is out: when each
/// reminder shown was shown, and one more look at whether the backup medium is
/// plugged in. A failure here costs a repeated reminder, never the report.
pub(crate) fn remember(account: &Account, findings: &[checks::Finding]) {
    let Ok(home) = SafeDir::open_root(&account.home) else {
        return;
    };
    let reminded: Vec<&str> = findings
        .iter()
        .filter(|f| f.check == "reminders")
        .map(|f| f.policy)
        .collect();
    if !reminded.is_empty() {
        use crate::checks::reminders::{STATE_FILE, Shown};
        let mut shown = crate::state::read_json::<Shown>(&home, account, STATE_FILE)
            .and_then(Result::ok)
            .unwrap_or_default();
        let now = crate::backup::now();
        for item in reminded {
            shown.last_shown.insert(item.to_owned(), now);
        }
        let _ = crate::state::write_json(&home, account, STATE_FILE, &shown);
    }
    let looked_at_backups = findings.iter().any(|f| f.check == "key-backup");
    if looked_at_backups
        && let Some(Ok(mut record)) = crate::backup::read_record(&home, account)
        && crate::backup::note_look(&mut record, &crate::at_rest::Roots::system()).is_some()
    {
        let _ = crate::state::write_json(&home, account, crate::backup::STATE_FILE, &record);
    }
}

fn render(global: &GlobalArgs, report: &Report) -> Result<(), Error> {
    match global.format {
        Format::Json => emit(&report.to_json(global.quiet)),
        Format::Text | Format::Prometheus => {
            emit(&report.to_text(&Painter::new(global.color), global.quiet))
        }
    }
}

/// A password or passphrase: from standard input (`--stdin`) or asked for on the
/// terminal without echo.
fn read_secret(from_stdin: bool, prompt: &str) -> Result<Secret, Error> {
    if from_stdin {
        let secret = Secret::read(&mut std::io::stdin().lock(), Terminator::Newline)
            .map_err(|e| Error::Input(format!("standard input: the password is {e}")))?;
        secret
            .as_str()
            .map_err(|e| Error::Input(format!("standard input: the password is {e}")))?;
        return Ok(secret);
    }
    let typed = rpassword::prompt_password(prompt).map_err(|e| {
        Error::Input(format!(
            "cannot read a password from the terminal ({e}); pipe one with --stdin"
        ))
    })?;
    Secret::from_typed(typed).map_err(|e| Error::Input(format!("the password is {e}")))
}

/// What the reuse check is asked to do for this run, settled before any secret is
/// read so that a refused `--keyring-file` costs no typing. Only one's own account
/// has one's keyring: root checking another's home neither compares nor remembers.
fn reuse_request(
    audit: bool,
    kind: Kind,
    label: Option<Label>,
    remember: bool,
    keyring: &KeyringArgs,
    key_path: Option<PathBuf>,
) -> Result<Option<Request>, Error> {
    if audit {
        if remember || keyring.keyring_file.is_some() {
            return Err(Error::Usage(
                "--remember and --keyring-file work only on your own account".to_owned(),
            ));
        }
        return Ok(None);
    }
    let source = match &keyring.keyring_file {
        Some(path) => KeySource::File(
            KeyFile::open(
                &absolute(path),
                nix::unistd::getuid().as_raw(),
                keyring.force,
                &crate::at_rest::Roots::system(),
            )
            .map_err(Error::Input)?,
        ),
        None => KeySource::SecretService,
    };
    Ok(Some(Request {
        kind,
        label,
        remember,
        source,
        key_path,
    }))
}

/// `password --forget LABEL`: removes one remembered fingerprint. An unknown label
/// is an error, because it is most likely a typing mistake that would leave the
/// fingerprint the person meant to remove.
fn forget_fingerprint(global: &GlobalArgs, label: &str) -> Result<ExitStatus, Error> {
    use crate::reuse::{Fingerprints, STATE_FILE};
    let label = Label::parse(label).map_err(|e| Error::Usage(format!("--forget: {e}")))?;
    let (account, audit) = account_and_audit(global)?;
    if audit {
        return Err(Error::Usage(
            "--forget works only on your own account".to_owned(),
        ));
    }
    let home = SafeDir::open_root(&account.home).map_err(|e| Error::File {
        path: account.home.clone(),
        reason: format!("cannot open the home directory: {e}"),
    })?;
    let mut file = match crate::state::read_json::<Fingerprints>(&home, &account, STATE_FILE) {
        None => Fingerprints::default(),
        Some(Ok(file)) => file,
        Some(Err(error)) => return Err(Error::Input(error)),
    };
    let shown = crate::sanitize::display_str(label.as_str());
    if file.forget(label.as_str()) == 0 {
        return Err(Error::Input(format!(
            "--forget: no fingerprint is remembered as `{shown}`"
        )));
    }
    crate::state::write_json(&home, &account, STATE_FILE, &file).map_err(Error::Input)?;
    emit(&format!(
        "Forgot the fingerprint remembered as `{shown}`; {} fingerprint(s) remain.\n",
        file.fingerprints.len()
    ))?;
    Ok(ExitStatus::Clean)
}

/// `password`: one password, from the terminal without echo or from `--stdin`.
fn password(
    global: &GlobalArgs,
    from_stdin: bool,
    remember: Option<&str>,
    keyring: &KeyringArgs,
) -> Result<ExitStatus, Error> {
    // zxcvbn's dictionaries take most of a run to build; they build on the other core
    // while this thread loads the policy and reads the password (or waits for typing).
    crate::password::warm_up();
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let label = remember
        .map(Label::parse)
        .transpose()
        .map_err(|e| Error::Usage(format!("--remember: {e}")))?;
    let (account, audit) = account_and_audit(global)?;
    let request = reuse_request(
        audit,
        Kind::Password,
        label,
        remember.is_some(),
        keyring,
        None,
    )?;
    let secret = read_secret(from_stdin, "Password to check (not shown as you type): ")?;
    let cx = Context::with_secret(&account, &policy, &secret).reusing(request.as_ref());
    let findings = checks::run_all(&cx, Subject::Secret, &selection);
    let report = Report::new(
        account.name.clone(),
        account.home.clone(),
        findings,
        &policy,
    );
    render(global, &report)?;
    Ok(report.exit_status())
}

/// `key check FILE`: the passphrase's label is the key's path.
fn key_check(
    global: &GlobalArgs,
    file: &Path,
    from_stdin: bool,
    remember: bool,
    keyring: &KeyringArgs,
) -> Result<ExitStatus, Error> {
    crate::password::warm_up();
    let policy = load_policy(global)?;
    let (account, audit) = account_and_audit(global)?;
    let file = absolute(file);
    let request = reuse_request(
        audit,
        Kind::KeyPassphrase,
        Some(Label::of_key(&file)),
        remember,
        keyring,
        Some(file.clone()),
    )?;
    let prompt = format!(
        "Passphrase for {} (not shown): ",
        crate::sanitize::display_path(&file)
    );
    let report = crate::keycheck::run(&account, &policy, &file, request.as_ref(), || {
        read_secret(from_stdin, &prompt)
    })?;
    render(global, &report)?;
    Ok(report.exit_status())
}

fn checklist(global: &GlobalArgs, options: RunOptions) -> Result<ExitStatus, Error> {
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let (report, _) = run_checks(global, &policy, &selection, options)?;
    let checklist = Checklist::new(&policy, &report, &selection, report::checklist_date());
    match global.format {
        Format::Json => emit(&checklist.to_json())?,
        Format::Text | Format::Prometheus => emit(&checklist.to_text(&Painter::new(global.color)))?,
    }
    Ok(report.exit_status())
}

fn list_checks(global: &GlobalArgs) -> Result<ExitStatus, Error> {
    #[derive(Serialize)]
    struct Entry {
        id: &'static str,
        policies: &'static [&'static str],
        summary: &'static str,
    }
    let entries: Vec<Entry> = CHECKS
        .iter()
        .map(|c| Entry {
            id: c.id(),
            policies: c.policies(),
            summary: c.summary(),
        })
        .collect();
    match global.format {
        Format::Json => emit(&report::to_json_line(&entries))?,
        Format::Text | Format::Prometheus => {
            let mut out = String::new();
            for entry in &entries {
                out.push_str(&format!(
                    "{:<20} {}\n{:<20} {}\n",
                    entry.id,
                    entry.policies.join(", "),
                    "",
                    entry.summary
                ));
            }
            let automated: Vec<&str> = CHECKS
                .iter()
                .filter(|c| !c.reminds_only())
                .flat_map(|c| c.policies().iter().copied())
                .collect();
            let behavioural: Vec<&str> = schema::ITEMS
                .iter()
                .map(|s| s.id)
                .filter(|id| !automated.contains(id))
                .collect();
            out.push_str(&format!(
                "\nbehavioural (in `checklist`, and reminded of by `reminders`; not checked): {}\n",
                behavioural.join(", ")
            ));
            emit(&out)?;
        }
    }
    Ok(ExitStatus::Clean)
}

fn policy_show(global: &GlobalArgs) -> Result<ExitStatus, Error> {
    let policy = load_policy(global)?;
    match global.format {
        Format::Text | Format::Prometheus => emit(&policy::render_show(&policy))?,
        Format::Json => emit(&policy::render_show_json(&policy))?,
    }
    Ok(ExitStatus::Clean)
}

fn policy_check(global: &GlobalArgs, file: &Path) -> Result<ExitStatus, Error> {
    let file = absolute(file);
    let options = LoadOptions {
        policy_file: Some(&file),
        ..LoadOptions::default()
    };
    policy::load(&options)?;
    if global.format == Format::Json {
        emit(&report::to_json_line(
            &serde_json::json!({"file": crate::sanitize::json_path(&file), "valid": true}),
        ))?;
    } else {
        emit(&format!(
            "{}: valid\n",
            crate::sanitize::display_path(&file)
        ))?;
    }
    Ok(ExitStatus::Clean)
}

/// `backup confirm [--media PATH]`: records which keys are backed up, by public
/// fingerprint, and says what the medium is. Exit 1 when a key is not on the
/// medium or the medium is known not to be removable or encrypted.
fn backup_confirm(global: &GlobalArgs, media: Option<&Path>) -> Result<ExitStatus, Error> {
    use crate::sanitize::display_str;
    let policy = load_policy(global)?;
    let account = account(global)?;
    let home = SafeDir::open_root(&account.home).map_err(|e| Error::File {
        path: account.home.clone(),
        reason: format!("cannot open the home directory: {e}"),
    })?;
    let options = crate::keys::scan::ScanOptions {
        deep: false,
        extra_paths: policy.list("key-security", "extra-paths").to_vec(),
    };
    let scan = crate::keys::scan::scan(&home, &options);
    let keys: Vec<(PathBuf, String)> = scan
        .keys()
        .map(|key| (key.path.clone(), crate::backup::key_id(key)))
        .collect();
    let revocations = crate::backup::local_revocations(&home);
    let medium = match media {
        Some(path) => {
            let path = absolute(path);
            Some(SafeDir::open_root(&path).map_err(|e| Error::File {
                path: path.clone(),
                reason: format!("--media: {e}"),
            })?)
        }
        None => None,
    };
    let now = crate::backup::now();
    let done = crate::backup::confirm(
        &keys,
        &revocations,
        medium.as_ref(),
        &crate::at_rest::Roots::system(),
        now,
    );
    crate::state::write_json(&home, &account, crate::backup::STATE_FILE, &done.record)
        .map_err(Error::Input)?;
    let mut out = format!(
        "Backup confirmed {}: {} of {} key(s) recorded, by public fingerprint only.\n",
        crate::report::utc_minute(now),
        done.record.keys.len(),
        keys.len()
    );
    let mut broken = false;
    for (path, id) in &keys {
        let on_medium = done.record.keys.contains(id);
        let _ = writeln!(
            out,
            "  {} {}  {}",
            if on_medium { "backed up" } else { "MISSING  " },
            display_path(path),
            display_str(id)
        );
    }
    if !done.missing.is_empty() {
        broken = true;
        let _ = writeln!(
            out,
            "{} key(s) are not on the medium and were not recorded: copy them there and confirm again.",
            done.missing.len()
        );
    }
    for fingerprint in &done.revocations_missing {
        let _ = writeln!(
            out,
            "The revocation certificate for GnuPG key {fingerprint} is not on the medium: copy ~/.gnupg/openpgp-revocs.d there too."
        );
    }
    if done.looked_truncated {
        let _ = writeln!(
            out,
            "The medium holds more than was looked through (20,000 files, 8 levels); point --media at the folder with the keys."
        );
    }
    if let Some(medium) = &done.record.medium {
        let removable = match medium.removable {
            Some(true) => "removable".to_owned(),
            Some(false) => {
                broken = true;
                format!(
                    "NOT removable ({}): a backup there is not offline",
                    display_str(&medium.source)
                )
            }
            None => "removable or not: unknown".to_owned(),
        };
        if medium.encrypted == Some(false) {
            broken = true;
        }
        let _ = writeln!(
            out,
            "Medium: {} — {removable}; {}.",
            display_str(&medium.path),
            medium.at_rest
        );
        if medium.encrypted != Some(true) {
            let _ = writeln!(
                out,
                "The standard asks for an encrypted filesystem on the backup medium (LUKS, for example)."
            );
        }
    } else {
        let _ = writeln!(
            out,
            "No medium was looked at (--media PATH checks that every key is there, and what kind of medium it is)."
        );
    }
    emit(&out)?;
    Ok(if broken {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// `shell-hook SHELL`: the lines for the rc file. Nothing is read, so that a shell
/// that evaluates this at every start never waits or sees an error.
fn shell_hook(shell: cli::ShellName) -> Result<ExitStatus, Error> {
    use crate::shells::Shell;
    let shell = match shell {
        cli::ShellName::Bash => Shell::Bash,
        cli::ShellName::Zsh => Shell::Zsh,
        cli::ShellName::Fish => Shell::Fish,
    };
    emit(crate::shells::record::hook(shell))?;
    Ok(ExitStatus::Clean)
}

/// `history --redact FILE`: shows what would go, asks (unless `--yes`), replaces.
fn history_redact(file: &Path, yes: bool) -> Result<ExitStatus, Error> {
    let file = absolute(file);
    let shown = crate::sanitize::display_path(&file);
    let outcome = crate::plaintext::redact::redact(&file, |found| {
        let mut text = String::new();
        for (line, masked) in &found.preview {
            text.push_str(&format!("  line {line}: {masked}\n"));
        }
        let _ = emit(&text);
        if yes {
            return Ok(true);
        }
        ask_yes(&format!(
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
        Err(crate::plaintext::redact::RedactError::NotConfirmed(why)) => {
            emit(&format!("{shown}: nothing was replaced: {why}\n"))?;
            Ok(ExitStatus::Findings)
        }
        Err(error) => Err(Error::File {
            path: file,
            reason: error.to_string(),
        }),
    }
}

/// A yes or no from the terminal itself, never from standard input (which may be a
/// pipe feeding something else).
fn ask_yes(question: &str) -> Result<bool, String> {
    use std::io::{BufRead, Read, Write};
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| {
            format!("no terminal to ask on ({e}); pass --yes to replace without asking")
        })?;
    let mut writer = &tty;
    writer
        .write_all(question.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::BufReader::new(&tty)
        .take(64)
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
