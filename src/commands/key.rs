//! `key check FILE`: asks for the key's passphrase without echo, proves that it opens
//! the key, and judges it by the password rules, the breach index and reuse.

use std::path::Path;

use super::Setup;
use super::absolute;
use super::password::reuse_request;
use crate::checks::{self, Context, Subject, key_passphrase};
use crate::cli::KeyringArgs;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::keys::unlock::{self, Verdict};
use crate::report::Report;
use crate::reuse::{Kind, Label};

pub fn check(
    setup: &Setup,
    file: &Path,
    from_stdin: bool,
    remember: bool,
    keyring: &KeyringArgs,
) -> Result<ExitStatus, Error> {
    crate::password::warm_up();
    let policy = setup.policy()?;
    let (account, audit) = setup.account()?;
    let file = absolute(file);
    let request = reuse_request(
        audit,
        Kind::KeyPassphrase,
        Some(Label::of_key(&file)),
        remember,
        keyring,
        Some(file.clone()),
    )?;
    let bytes = unlock::read_key(&file).map_err(|error| Error::Fs {
        path: file.clone(),
        doing: "",
        error,
    })?;
    let Some(found) = crate::keys::inspect(&bytes) else {
        return Err(Error::File {
            path: file,
            reason: "holds no private key this tool recognises".to_owned(),
        });
    };
    let mut findings = Vec::new();
    if unlock::has_no_passphrase(&found, &bytes) {
        findings.push(key_passphrase::unencrypted(&policy, &file, found.format));
    } else {
        let prompt = format!(
            "Passphrase for {} (not shown): ",
            crate::sanitize::display_path(&file)
        );
        let passphrase = crate::terminal::read_secret(from_stdin, &prompt)?;
        let verdict = unlock::verify(found.format, &bytes, &passphrase);
        findings.push(key_passphrase::verdict(
            &policy,
            &file,
            found.format,
            verdict,
        ));
        if verdict != Verdict::WrongPassphrase {
            let cx = Context::with_secret(&account, &policy, &passphrase, setup.now)
                .reusing(request.as_ref());
            findings.extend(checks::run_all(
                &cx,
                Subject::Secret,
                &checks::Selection::default(),
            ));
        }
    }
    let report = Report::about(&account, findings, &policy, setup.now);
    setup.render(&report)?;
    Ok(report.exit_status())
}
