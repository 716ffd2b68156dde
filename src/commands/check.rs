//! The normal run (`csi-self-check` with no subcommand), `checklist` and
//! `list-checks`: every selected check on the home, then the report, then what the
//! run leaves in the state directory.

use super::{Setup, open_home};
use crate::account::Account;
use crate::checks::{self, Context, Finding, Selection, Subject};
use crate::cli::Format;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::policy::Policy;
use crate::report::{self, Checklist, Report, emit};

/// Runs the selected checks and builds the report; the account comes back for the
/// bookkeeping after the report is out, unless this is root's audit of another.
fn run_checks(
    setup: &Setup,
    policy: &Policy,
    selection: &Selection,
) -> Result<(Report, Option<Account>), Error> {
    let (account, audit) = setup.account()?;
    let report = checked(setup, &account, policy, selection);
    Ok((report, (!audit).then_some(account)))
}

/// The report of the selected checks on `account`'s home.
fn checked(setup: &Setup, account: &Account, policy: &Policy, selection: &Selection) -> Report {
    let progress = crate::report::progress::OnTerminal::for_stderr();
    let cx = Context::new(account, policy, setup.options, setup.now).showing_progress(&progress);
    let findings = checks::run_all(&cx, Subject::Home, selection);
    Report::about(account, findings, policy, setup.now)
}

pub fn check(setup: &Setup) -> Result<ExitStatus, Error> {
    let policy = setup.policy()?;
    let selection = setup.selection()?;
    let (account, audit) = setup.account()?;
    let mut report = checked(setup, &account, &policy, &selection);
    if setup.options.fix {
        let changes = super::fix::apply(&account, &report.findings);
        if !changes.is_empty() {
            // The report is of the home as --fix left it.
            let before = std::mem::take(&mut report.findings);
            report = checked(setup, &account, &policy, &selection);
            report
                .findings
                .extend(super::fix::key_findings(&before, &changes, &report.home));
            report.changes = changes;
        }
    }
    setup.render(&report)?;
    if !audit {
        remember(&account, &report.findings, setup.now);
        // A run of every check is what the login lines tell of next; a run of a few
        // (--only) would tell too little.
        if setup.only.is_empty() {
            super::login::write_summary(&report, &account, setup.now);
        }
    }
    Ok(report.exit_status())
}

pub fn checklist(setup: &Setup) -> Result<ExitStatus, Error> {
    let policy = setup.policy()?;
    let selection = setup.selection()?;
    let (report, _) = run_checks(setup, &policy, &selection)?;
    let checklist = Checklist::new(
        &policy,
        &report,
        &selection,
        crate::time::utc_date(setup.now),
    );
    match setup.format {
        Format::Json => emit(&checklist.to_json())?,
        Format::Text | Format::Prometheus => emit(&checklist.to_text(&setup.painter))?,
    }
    Ok(report.exit_status())
}

pub fn list_checks(setup: &Setup) -> Result<ExitStatus, Error> {
    match setup.format {
        Format::Json => emit(&report::catalogue::json())?,
        Format::Text | Format::Prometheus => emit(&report::catalogue::text())?,
    }
    Ok(ExitStatus::Clean)
}

/// What a run leaves in the state directory once its report is out: when each
/// reminder shown was shown, and one more look at whether the backup medium is
/// plugged in. A failure here costs a repeated reminder, never the report.
pub fn remember(account: &Account, findings: &[Finding], now: i64) {
    let Ok(home) = open_home(account) else {
        return;
    };
    let reminded: Vec<&str> = findings
        .iter()
        .filter(|f| f.check == "reminders")
        .map(|f| f.policy)
        .collect();
    if !reminded.is_empty() {
        use crate::checks::reminders::{STATE_FILE, Shown};
        // Read again under the lock: another run may have shown others meanwhile.
        let _ = crate::state::update_json::<Shown, _>(&home, account, STATE_FILE, |current| {
            let mut shown = current.and_then(Result::ok).unwrap_or_default();
            for item in reminded {
                shown.last_shown.insert(item.to_owned(), now);
            }
            Ok(Some(shown))
        });
    }
    let looked_at_backups = findings.iter().any(|f| f.check == "key-backup");
    if looked_at_backups {
        // The record as it is now, not as the run began: `backup confirm` may have
        // written a new one meanwhile, which this look must not undo.
        let roots = crate::at_rest::Roots::system();
        let _ = crate::state::update_json(&home, account, crate::backup::STATE_FILE, |current| {
            Ok(match current {
                Some(Ok(mut record)) => {
                    crate::backup::note_look(&mut record, &roots).map(|_| record)
                }
                _ => None,
            })
        });
    }
}
