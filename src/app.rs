//! From arguments to exit status: parse, resolve the account and policy, run the
//! checks, render. Nothing here prints except through `report`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::account::Account;
use crate::checks::{self, CHECKS, Context, RunOptions, Selection, Subject};
use crate::cli::{self, Command, Format, GlobalArgs, KeyAction, Parsed, PolicyAction};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::policy::{self, LoadOptions, Policy, schema};
use crate::report::{self, Checklist, Painter, Report, emit};
use crate::secret::{Secret, Terminator};

pub fn run() -> Result<ExitStatus, Error> {
    let cli = match cli::parse(std::env::args_os()) {
        Parsed::Run(cli) => cli,
        Parsed::Printed => return Ok(ExitStatus::Clean),
        Parsed::Usage(message) => return Err(Error::Usage(message)),
    };
    crate::harden::no_core_dumps();
    let global = &cli.global;
    match &cli.command {
        None => check(
            global,
            RunOptions {
                deep: cli.deep,
                fix: cli.fix,
            },
        ),
        Some(Command::ListChecks) => list_checks(global),
        Some(Command::Password { stdin }) => password(global, *stdin),
        Some(Command::Pam) => crate::pam::run(global),
        Some(Command::History { redact, yes }) => history_redact(redact, *yes),
        Some(Command::ShellHook { shell }) => shell_hook(*shell),
        Some(Command::Key {
            action: KeyAction::Check { file, stdin },
        }) => key_check(global, file, *stdin),
        Some(Command::Checklist) => checklist(
            global,
            RunOptions {
                deep: cli.deep,
                fix: cli.fix,
            },
        ),
        Some(Command::Policy {
            action: PolicyAction::Show,
        }) => policy_show(global),
        Some(Command::Policy {
            action: PolicyAction::Check { file },
        }) => policy_check(global, file),
    }
}

fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_owned(),
    }
}

fn load_policy(global: &GlobalArgs) -> Result<Policy, Error> {
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
    let invoking = Account::invoking().map_err(Error::Account)?;
    let Some(home) = &global.home else {
        return Ok(invoking);
    };
    let home = absolute(home);
    let dir = SafeDir::open_root(&home).map_err(|e| Error::File {
        path: home.clone(),
        reason: format!("--home: {e}"),
    })?;
    let owner = dir.meta().uid;
    let mut account = if nix::unistd::geteuid().is_root() && owner != invoking.uid {
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
    Ok(account)
}

/// Runs the selected checks and builds the report.
fn run_checks(
    global: &GlobalArgs,
    policy: &Policy,
    selection: &Selection,
    options: RunOptions,
) -> Result<Report, Error> {
    let account = account(global)?;
    let cx = Context::new(&account, policy, options);
    let findings = checks::run_all(&cx, Subject::Home, selection);
    Ok(Report::new(
        account.name.clone(),
        account.home.clone(),
        findings,
        policy,
    ))
}

fn check(global: &GlobalArgs, options: RunOptions) -> Result<ExitStatus, Error> {
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let report = run_checks(global, &policy, &selection, options)?;
    render(global, &report)?;
    Ok(report.exit_status())
}

fn render(global: &GlobalArgs, report: &Report) -> Result<(), Error> {
    match global.format {
        Format::Json => emit(&report.to_json(global.quiet)),
        Format::Text => emit(&report.to_text(&Painter::new(global.color), global.quiet)),
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

/// `password`: one password, from the terminal without echo or from `--stdin`.
fn password(global: &GlobalArgs, from_stdin: bool) -> Result<ExitStatus, Error> {
    // zxcvbn's dictionaries take most of a run to build; they build on the other core
    // while this thread loads the policy and reads the password (or waits for typing).
    crate::password::warm_up();
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let account = account(global)?;
    let secret = read_secret(from_stdin, "Password to check (not shown as you type): ")?;
    let cx = Context::with_secret(&account, &policy, &secret);
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

/// `key check FILE`.
fn key_check(global: &GlobalArgs, file: &Path, from_stdin: bool) -> Result<ExitStatus, Error> {
    crate::password::warm_up();
    let policy = load_policy(global)?;
    let account = account(global)?;
    let file = absolute(file);
    let prompt = format!(
        "Passphrase for {} (not shown): ",
        crate::sanitize::display_path(&file)
    );
    let report = crate::keycheck::run(&account, &policy, &file, || {
        read_secret(from_stdin, &prompt)
    })?;
    render(global, &report)?;
    Ok(report.exit_status())
}

fn checklist(global: &GlobalArgs, options: RunOptions) -> Result<ExitStatus, Error> {
    let policy = load_policy(global)?;
    let selection = Selection::new(global.only.clone()).map_err(Error::Usage)?;
    let report = run_checks(global, &policy, &selection, options)?;
    let checklist = Checklist::new(&policy, &report, &selection, report::checklist_date());
    match global.format {
        Format::Json => emit(&checklist.to_json())?,
        Format::Text => emit(&checklist.to_text(&Painter::new(global.color)))?,
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
        Format::Text => {
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
            let automated: Vec<&str> = entries
                .iter()
                .flat_map(|e| e.policies.iter().copied())
                .collect();
            let behavioural: Vec<&str> = schema::ITEMS
                .iter()
                .map(|s| s.id)
                .filter(|id| !automated.contains(id))
                .collect();
            out.push_str(&format!(
                "\nbehavioural (in `checklist`, not checked): {}\n",
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
        Format::Text => emit(&policy::render_show(&policy))?,
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

/// `shell-hook SHELL`: the lines for the rc file. Nothing is read, so that a shell
/// that evaluates this at every start never waits or sees an error.
fn shell_hook(shell: cli::ShellName) -> Result<ExitStatus, Error> {
    use crate::secrets::shells::Shell;
    let shell = match shell {
        cli::ShellName::Bash => Shell::Bash,
        cli::ShellName::Zsh => Shell::Zsh,
        cli::ShellName::Fish => Shell::Fish,
    };
    emit(crate::secrets::shell_record::hook(shell))?;
    Ok(ExitStatus::Clean)
}

/// `history --redact FILE`: shows what would go, asks (unless `--yes`), replaces.
fn history_redact(file: &Path, yes: bool) -> Result<ExitStatus, Error> {
    let file = absolute(file);
    let shown = crate::sanitize::display_path(&file);
    let outcome = crate::secrets::redact::redact(&file, |found| {
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
        Err(crate::secrets::redact::RedactError::NotConfirmed(why)) => {
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
