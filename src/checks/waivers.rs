//! The site's waivers applied to a run's findings: a failure or warning a waiver in
//! force covers becomes `waived` — still shown and counted, with the waiver beside
//! it, but no failure of the run — and a waiver that has run out covers nothing
//! and is itself reported to each account it named, so that it is renewed or the
//! exception ends.

use super::{
    CHECKS, Context, Finding, RUNNER_CODES, Selection, Status, Subject, Waived, key_passphrase,
};
use crate::policy::{Level, Origin, Waiver};

/// The code of an expired waiver's finding.
pub const EXPIRED: &str = "waiver-expired";

/// Whether any check (or the runner) can file `code`: a waiver naming another covers
/// nothing, which is a typo to report, not a silent no-op.
pub fn is_known_code(code: &str) -> bool {
    CHECKS.iter().any(|check| check.codes().contains(&code))
        || RUNNER_CODES.contains(&code)
        || key_passphrase::CODES.contains(&code)
        || code == EXPIRED
}

/// The item a waiver is about: its own, or that of the check that files its code.
fn item_of(waiver: &Waiver) -> &'static str {
    waiver
        .item
        .or_else(|| {
            let code = waiver.code.as_deref()?;
            CHECKS
                .iter()
                .find(|check| check.codes().contains(&code))
                .map(|check| check.policies()[0])
        })
        .unwrap_or("key-security")
}

/// Marks what the waivers in force cover, and adds a finding for each expired waiver
/// that names this account (in a run on the home, not on a password).
pub fn apply(
    cx: &Context<'_>,
    subject: Subject,
    selection: &Selection,
    findings: &mut Vec<Finding>,
) {
    let waivers = cx.policy.waivers();
    if waivers.is_empty() {
        return;
    }
    let account = &cx.account.name;
    for finding in findings.iter_mut() {
        if !matches!(finding.status, Status::Fail | Status::Warn) {
            continue;
        }
        let covering = waivers.iter().find(|w| {
            w.in_force(cx.now)
                && w.covers(
                    account,
                    &cx.account.home,
                    finding.policy,
                    finding.code,
                    finding.path.as_deref(),
                )
        });
        if let Some(waiver) = covering {
            let (file, file_line) = match &waiver.origin {
                Origin::File { path, line } => (path.clone(), *line),
                Origin::Builtin => (Default::default(), 0),
            };
            finding.waiver = Some(Waived {
                was: finding.status,
                reason: waiver.reason.clone(),
                granted_by: waiver.granted_by.clone(),
                expires: waiver.expires.clone(),
                file,
                file_line,
            });
            finding.status = Status::Waived;
        }
    }
    for waiver in waivers
        .iter()
        .filter(|w| subject == Subject::Home && !w.in_force(cx.now) && w.names_account(account))
    {
        let item = item_of(waiver);
        // Filed under the first check that serves the item, as the runner files a
        // check's own errors, so that every finding names a check `list-checks` knows.
        let check = CHECKS
            .iter()
            .find(|check| check.policies().contains(&item))
            .map_or("reminders", |check| check.id());
        let mut expired = Finding::new(check, item, Level::Should, Status::Warn, EXPIRED)
            .says(format!(
                "the waiver of {} granted by {} expired after {}: what it covered counts again; renew it in the site policy or end the exception ({})",
                waiver.code.as_deref().unwrap_or(item),
                waiver.granted_by,
                waiver.expires,
                waiver.reason
            ));
        if let Origin::File { path, line } = &waiver.origin {
            expired = expired.at(path).on_line(*line);
        }
        if selection.covers_item(item) {
            findings.push(expired);
        }
    }
}
