//! `csi-self-check pam`: the helper behind `pam_exec.so expose_authtok`. pam_exec
//! passes the token on standard input (no terminator; a NUL before Linux-PAM 1.4; at
//! most 512 bytes), the user in `PAM_USER` and the phase in `PAM_TYPE`. Everything
//! else in the environment may be the user's doing, so this mode reads only those,
//! uses only the system policy, and ignores colours and home directories.
//!
//! Exit 0 accepts the token, anything else rejects it (pam_exec turns any non-zero
//! status into PAM_SYSTEM_ERR; the stack's control flag decides what that means).
//! One line per failed rule goes to stdout, which pam_exec's `stdout` option shows to
//! the person; each decision goes to syslog authpriv — never the token.

use super::Setup;
use crate::account::Account;
use crate::checks::{self, Context, Selection, Status, Subject};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::policy::{self, LoadOptions};
use crate::report::Report;
use crate::sanitize::display_str;
use crate::secret::{Secret, SecretError, Terminator};
use crate::syslog::{self, Severity};

const ITEM: &str = "password-entropy";

/// What a PAM variable holds, made safe and short for a log line.
fn env_for_log(name: &str) -> String {
    let value = std::env::var_os(name)
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shown: String = display_str(&value).chars().take(64).collect();
    if shown.is_empty() {
        "-".to_owned()
    } else {
        shown
    }
}

/// One line for pam_exec to relay to the person; a closed pipe is no reason to stop.
fn say(line: &str) {
    let _ = crate::report::emit(&format!("{line}\n"));
}

pub fn run(setup: &Setup) -> Result<ExitStatus, Error> {
    if setup.names_home_policy_or_only() {
        return Err(Error::Usage(
            "pam: --home, --policy and --only are not accepted; the PAM helper uses the system policy only".to_owned(),
        ));
    }
    let user = std::env::var("PAM_USER").unwrap_or_default();
    let phase = std::env::var("PAM_TYPE").unwrap_or_default();
    let log_prefix = format!(
        "pam: user={} service={} phase={}",
        env_for_log("PAM_USER"),
        env_for_log("PAM_SERVICE"),
        env_for_log("PAM_TYPE")
    );
    if phase != "auth" && phase != "password" {
        syslog::authpriv(
            Severity::Info,
            &format!("{log_prefix} verdict=accept reason=no-password-in-this-phase"),
        );
        return Ok(ExitStatus::Clean);
    }
    crate::password::warm_up();
    let policy = match policy::load(&LoadOptions::default()) {
        Ok(policy) => policy,
        Err(error) => {
            syslog::authpriv(
                Severity::Error,
                &format!("{log_prefix} verdict=error reason=policy: {error}"),
            );
            say(
                "csi-self-check: the password policy could not be loaded; please tell an administrator.",
            );
            return Err(error.into());
        }
    };
    let secret = match Secret::read(&mut std::io::stdin().lock(), Terminator::Nul) {
        Ok(secret) => secret,
        Err(SecretError::TooLong) => {
            syslog::authpriv(
                Severity::Notice,
                &format!("{log_prefix} verdict=reject reason=longer-than-512-bytes"),
            );
            say("The password is longer than 512 bytes, more than can be checked.");
            return Ok(ExitStatus::Findings);
        }
        Err(error) => {
            syslog::authpriv(
                Severity::Error,
                &format!("{log_prefix} verdict=error reason=stdin: {error}"),
            );
            return Err(Error::Stdin(error));
        }
    };
    if secret.is_empty() && phase == "password" {
        let allow = policy.flag(ITEM, "pam-allow-missing-token");
        let verdict = if allow { "accept" } else { "reject" };
        syslog::authpriv(
            Severity::Notice,
            &format!(
                "{log_prefix} verdict={verdict} reason=no-token: Linux-PAM before 1.6.0 does not pass the new password to pam_exec in the password phase"
            ),
        );
        say(
            "The new password could not be checked: this system's Linux-PAM is older than 1.6.0 and does not pass it to pam_exec in the password phase.",
        );
        return Ok(if allow {
            ExitStatus::Clean
        } else {
            ExitStatus::Findings
        });
    }
    // The account gives zxcvbn the login and real name to try; an unknown user (a
    // typo at a login prompt) is judged with the name alone.
    let account = Account::by_name(&user).unwrap_or_else(|| Account::unknown(&user));
    let cx = Context::with_secret(&account, &policy, &secret, setup.now).system_files_only();
    let findings = checks::run_all(&cx, Subject::Secret, &Selection::default());
    let report = Report::about(&account, findings, &policy, setup.now).of_a_secret();
    let failed: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .map(|f| f.code)
        .collect();
    for finding in report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
    {
        say(&display_str(&finding.message));
    }
    let status = if failed.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    };
    let verdict = if failed.is_empty() {
        "accept".to_owned()
    } else {
        format!("reject failed={}", failed.join(","))
    };
    syslog::authpriv(Severity::Notice, &format!("{log_prefix} verdict={verdict}"));
    Ok(status)
}
