//! The registry of checks: one module per check, one trait, one list. The list drives
//! the normal run, `--only`, `list-checks`, the checklist and the man-page test
//! (after ripgrep's flag registry).

mod app_password_stores;
mod cap;
mod credential_files;
pub mod explain;
mod finding;
mod history_secrets;
mod history_settings;
mod key_backup;
mod key_encryption;
pub mod key_passphrase;
mod key_permissions;
mod password_reuse;
mod password_rules;
pub mod reminders;
mod screen_lock;
mod ssh_client_config;
pub mod waivers;

pub use finding::{Finding, ModeFix, Status, Waived};

use std::cell::OnceCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::account::Account;
use crate::fs::{FsError, SafeDir};
use crate::keys::scan::{KeyScan, ScanOptions, WalkProgress};
use crate::policy::Policy;
use crate::reuse::Request;
use crate::secret::Secret;

/// What a check judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The files of the home directory: the normal run.
    Home,
    /// A password given to `password` or `pam`; only these checks ever see it.
    Secret,
}

/// One hygiene check. A check inspects and never modifies, and reads the user's files
/// only through the safe filesystem layer.
pub trait Check: Sync {
    /// Stable kebab-case id: JSON `check`, `--only`, `list-checks`.
    fn id(&self) -> &'static str;
    /// The policy items it serves; the first is where its own errors are filed.
    fn policies(&self) -> &'static [&'static str];
    /// One line for `list-checks` and the man page.
    fn summary(&self) -> &'static str;
    /// Every finding code it can emit; the man page documents each.
    fn codes(&self) -> &'static [&'static str];
    /// Whether it only reminds of behavioural items it cannot judge: such items stay
    /// "tick it yourself" in the checklist.
    fn reminds_only(&self) -> bool {
        false
    }
    /// What it judges; a run supplies one subject and runs only its checks.
    fn subject(&self) -> Subject {
        Subject::Home
    }
    /// Pushes findings. `Err` means the check could not complete — never that it
    /// found a problem.
    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError>;
}

/// Codes the runner itself files for a check that could not finish.
pub const RUNNER_CODES: &[&str] = &["check-incomplete", "check-crashed", cap::LEFT_OUT];

/// Every check, in report order.
pub const CHECKS: &[&dyn Check] = &[
    &key_permissions::KeyPermissions,
    &key_encryption::KeyEncryption,
    &ssh_client_config::SshClientConfig,
    &credential_files::CredentialFiles,
    &app_password_stores::AppPasswordStores,
    &history_settings::HistorySettingsCheck,
    &history_secrets::HistorySecrets,
    &screen_lock::ScreenLock,
    &password_rules::PasswordRules,
    &password_reuse::PasswordReuse,
    &key_backup::KeyBackup,
    &reminders::Reminders,
];

/// Why a check could not complete, in words for the person: the runner files it as
/// a `check-incomplete` finding and the run goes on. Words rather than an enum of
/// causes, because nothing matches on it or looks behind it — the sentence is the
/// whole of what is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError(pub String);

/// Which reminders of behavioural items a run shows (`--remind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RemindWhen {
    /// Those not shown within the policy's interval.
    #[default]
    Due,
    All,
    Never,
}

/// Choices of the normal run that change what the checks do.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// `--deep`: look for keys in the whole home, not only the key stores.
    pub deep: bool,
    /// `--fix`: after the checks (which only look), the command applies the mode
    /// fixes their findings carry.
    pub fix: bool,
    pub remind: RemindWhen,
}

/// What a check may look at.
pub struct Context<'a> {
    pub account: &'a Account,
    pub policy: &'a Policy,
    pub options: RunOptions,
    /// The run's moment (seconds since the epoch), read once by the command: no
    /// check reads the wall clock.
    pub now: i64,
    /// Opened at the first check that asks, so that a run about a password never
    /// touches the home.
    home: OnceCell<Result<SafeDir, FsError>>,
    /// The key stores, scanned once for every check that needs them.
    keys: OnceCell<KeyScan>,
    secret: Option<&'a Secret>,
    /// What `password` or `key check` asks of the reuse check; none for the PAM helper.
    reuse: Option<&'a Request>,
    /// The PAM helper's context: no file the person controls is read.
    system_files_only: bool,
    /// Where the `--deep` walk says how it goes; nowhere unless the command asks.
    progress: Option<&'a dyn WalkProgress>,
}

impl<'a> Context<'a> {
    pub fn new(
        account: &'a Account,
        policy: &'a Policy,
        options: RunOptions,
        now: i64,
    ) -> Context<'a> {
        Context {
            account,
            policy,
            options,
            now,
            home: OnceCell::new(),
            keys: OnceCell::new(),
            secret: None,
            reuse: None,
            system_files_only: false,
            progress: None,
        }
    }

    /// A context for judging `secret` (the password and pam commands).
    pub fn with_secret(
        account: &'a Account,
        policy: &'a Policy,
        secret: &'a Secret,
        now: i64,
    ) -> Context<'a> {
        Context {
            account,
            policy,
            options: RunOptions::default(),
            now,
            home: OnceCell::new(),
            keys: OnceCell::new(),
            secret: Some(secret),
            reuse: None,
            system_files_only: false,
            progress: None,
        }
    }

    /// Lets a long `--deep` walk say how it goes.
    pub fn showing_progress(mut self, progress: &'a dyn WalkProgress) -> Context<'a> {
        self.progress = Some(progress);
        self
    }

    /// Lets the reuse check compare (and perhaps remember) the secret.
    pub fn reusing(mut self, request: Option<&'a Request>) -> Context<'a> {
        self.reuse = request;
        self
    }

    /// The reuse request, for the reuse check.
    pub fn reuse(&self) -> Option<&Request> {
        self.reuse
    }

    /// For the PAM helper, which runs as root on a password the person typed: no
    /// file in their home is read (their breached-password index included).
    pub fn system_files_only(mut self) -> Context<'a> {
        self.system_files_only = true;
        self
    }

    /// The home to read from for a password check, `None` in the PAM helper.
    pub fn personal_files(&self) -> Option<&std::path::Path> {
        (!self.system_files_only).then_some(self.account.home.as_path())
    }

    /// The secret under judgement, for [`Subject::Secret`] checks.
    pub fn secret(&self) -> Result<&Secret, CheckError> {
        self.secret
            .ok_or_else(|| CheckError("no password was given to check".to_owned()))
    }

    /// The open home directory, or why it could not be opened. Every check starts
    /// from this one descriptor.
    pub fn home(&self) -> Result<&SafeDir, CheckError> {
        let home = self
            .home
            .get_or_init(|| SafeDir::open_root(&self.account.home));
        home.as_ref().map_err(|e| {
            CheckError(format!(
                "cannot open the home directory {}: {e}",
                crate::sanitize::display_path(&self.account.home)
            ))
        })
    }

    /// Every key store, scanned on first use.
    pub fn key_scan(&self) -> Result<&KeyScan, CheckError> {
        if let Some(scan) = self.keys.get() {
            return Ok(scan);
        }
        let home = self.home()?;
        let options = ScanOptions {
            deep: self.options.deep,
            uid: self.account.uid,
            extra_paths: self.policy.list("key-security", "extra-paths").to_vec(),
            progress: self.progress,
        };
        Ok(self
            .keys
            .get_or_init(|| crate::keys::scan::scan(home, &options)))
    }
}

/// Which checks and policy items a run covers (`--only`).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Empty means everything.
    ids: Vec<String>,
}

impl Selection {
    /// Validates `--only` ids: each must name a check or a policy item.
    pub fn new(ids: Vec<String>) -> Result<Selection, SelectionError> {
        for id in &ids {
            let known = CHECKS.iter().any(|c| c.id() == id)
                || crate::policy::schema::item_spec(id).is_some();
            if !known {
                return Err(SelectionError::Unknown(id.clone()));
            }
        }
        Ok(Selection { ids })
    }

    fn names(&self, id: &str) -> bool {
        self.ids.is_empty() || self.ids.iter().any(|wanted| wanted == id)
    }

    /// Whether a check runs at all.
    pub fn runs(&self, check: &dyn Check) -> bool {
        self.names(check.id()) || check.policies().iter().any(|p| self.names(p))
    }

    /// Whether a finding is kept.
    pub fn keeps(&self, finding: &Finding) -> bool {
        self.names(finding.check) || self.names(finding.policy)
    }

    /// Whether a policy item is covered.
    pub fn covers_item(&self, item: &str) -> bool {
        self.names(item)
            || CHECKS
                .iter()
                .any(|c| self.names(c.id()) && c.policies().contains(&item))
    }
}

/// Why `--only` was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectionError {
    /// This id names neither a check nor a policy item.
    Unknown(String),
}

impl std::fmt::Display for SelectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectionError::Unknown(id) => write!(
                f,
                "--only: `{}` is neither a check nor a policy item (see `csi-self-check list-checks`)",
                crate::sanitize::display_str(id)
            ),
        }
    }
}

impl std::error::Error for SelectionError {}

/// Runs every selected check of `subject`. A check that errs or panics becomes an
/// error finding of its own and the run goes on.
pub fn run_all(cx: &Context<'_>, subject: Subject, selection: &Selection) -> Vec<Finding> {
    let mut findings = Vec::new();
    let chosen = CHECKS
        .iter()
        .copied()
        .filter(|c| c.subject() == subject && selection.runs(*c));
    for check in chosen {
        let mut out = Vec::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| check.run(cx, &mut out)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(CheckError(message))) => Some(("check-incomplete", message)),
            Err(_) => Some((
                "check-crashed",
                "internal error in this check; its findings may be incomplete".to_owned(),
            )),
        };
        if let Some((code, message)) = failure {
            let policy = check.policies()[0];
            out.push(
                Finding::new(
                    check.id(),
                    policy,
                    cx.policy.level(policy),
                    Status::Error,
                    code,
                )
                .says(message),
            );
        }
        debug_assert!(
            out.iter()
                .all(|f| check.codes().contains(&f.code) || RUNNER_CODES.contains(&f.code)),
            "{} emitted an undeclared code",
            check.id()
        );
        debug_assert!(
            out.iter()
                .all(|f| f.status != Status::Warn || !f.level.is_must()),
            "{} warned at must level: a must-level shortfall is a failure",
            check.id()
        );
        out.retain(|f| selection.keeps(f));
        findings.extend(cap::cap(out));
    }
    waivers::apply(cx, subject, selection, &mut findings);
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = HashSet::new();
        for check in CHECKS {
            let id = check.id();
            assert!(seen.insert(id), "duplicate check id {id}");
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id} is not kebab-case"
            );
            assert!(!check.summary().is_empty(), "{id} has no summary");
            assert!(!check.policies().is_empty(), "{id} serves no policy item");
            for policy in check.policies() {
                assert!(
                    crate::policy::schema::item_spec(policy).is_some(),
                    "{id}: unknown item {policy}"
                );
            }
        }
    }

    #[test]
    fn only_rejects_unknown_ids_and_accepts_both_kinds() {
        assert!(Selection::new(vec!["key-permissions".into()]).is_ok());
        assert!(Selection::new(vec!["key-security".into()]).is_ok());
        let err = Selection::new(vec!["nonsense\x1b".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("nonsense\\u{001B}"), "{err}");
    }
}
