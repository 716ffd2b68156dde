//! `key check FILE`: asks for the key's passphrase without echo, proves that it opens
//! the key, and judges it by the password rules, the breach index and reuse.
//! `key protect FILE`: puts a passphrase so judged on an unencrypted key, in place.

use std::path::Path;

use super::Setup;
use super::absolute;
use super::password::reuse_request;
use crate::checks::{self, Context, Subject, key_passphrase};
use crate::cli::KeyringArgs;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::keys::protect;
use crate::keys::scan::KEY_PREFIX_BYTES;
use crate::keys::unlock::{self, Verdict};
use crate::report::{Report, emit};
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
    let report = Report::about(&account, findings, &policy, setup.now).of_a_secret();
    setup.render(&report)?;
    Ok(report.exit_status())
}

/// `key protect FILE`: a new passphrase, asked twice (or read once from standard
/// input) and judged like any password; refused when it falls short. Then the key
/// encrypted with it replaces the file — atomically, with the file's owner and mode
/// — once the new file, read back, opens with the passphrase to the same key.
pub fn protect(setup: &Setup, file: &Path, from_stdin: bool) -> Result<ExitStatus, Error> {
    crate::password::warm_up();
    let policy = setup.policy()?;
    let (account, audit) = setup.account()?;
    let file = absolute(file);
    let fs_error = |error| Error::Fs {
        path: file.clone(),
        doing: "",
        error,
    };
    let (dir, name) = SafeDir::split_path(&file).map_err(fs_error)?;
    let seen = dir.lstat(name).map_err(fs_error)?;
    let bytes = dir
        .open_file(name, &seen)
        .and_then(|mut opened| opened.read_prefix(KEY_PREFIX_BYTES))
        .map_err(fs_error)?;
    let refuse = |reason: String| Error::File {
        path: file.clone(),
        reason,
    };
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) < seen.size {
        return Err(refuse(format!(
            "is larger than {KEY_PREFIX_BYTES} bytes: not a key this command rewrites"
        )));
    }
    let Some(found) = crate::keys::inspect(&bytes) else {
        return Err(refuse(
            "holds no private key this tool recognises".to_owned(),
        ));
    };
    if !unlock::has_no_passphrase(&found, &bytes) {
        return Err(refuse(
            "already has a passphrase (to change it: ssh-keygen -p -f FILE, or the format's own tool)"
                .to_owned(),
        ));
    }
    let shown = crate::sanitize::display_path(&file);
    let passphrase = crate::terminal::read_secret(
        from_stdin,
        &format!("New passphrase for {shown} (not shown): "),
    )?;
    if !from_stdin {
        let again = crate::terminal::read_secret(false, "The same passphrase again: ")?;
        if again.as_bytes() != passphrase.as_bytes() {
            return Err(Error::Input(
                "the two passphrases differ; the key was left as it was".to_owned(),
            ));
        }
    }
    let no_keyring_file = KeyringArgs {
        keyring_file: None,
        force: false,
    };
    let request = reuse_request(
        audit,
        Kind::KeyPassphrase,
        Some(Label::of_key(&file)),
        false,
        &no_keyring_file,
        Some(file.clone()),
    )?;
    let cx =
        Context::with_secret(&account, &policy, &passphrase, setup.now).reusing(request.as_ref());
    let findings = checks::run_all(&cx, Subject::Secret, &checks::Selection::default());
    let report = Report::about(&account, findings, &policy, setup.now).of_a_secret();
    if report.exit_status() != ExitStatus::Clean {
        setup.render(&report)?;
        emit(&format!(
            "{shown}: left as it was; choose a passphrase that meets the policy\n"
        ))?;
        return Ok(report.exit_status());
    }
    let protected = protect::protect(found.format, &bytes, passphrase.as_bytes())
        .map_err(|error| refuse(error.to_string()))?;
    dir.rewrite_proven(name, &seen, &protected.bytes, |back| {
        protect::same_key(found.format, &bytes, back, passphrase.as_bytes())
    })
    .map_err(fs_error)?
    .map_err(|error| refuse(error.to_string()))?;
    let fingerprint = found
        .fingerprint
        .map(|f| format!("; its public key is the same ({f})"))
        .unwrap_or_default();
    emit(&format!(
        "{shown}: now encrypted with the passphrase ({}), owner and mode as before{fingerprint}\n",
        protected.how
    ))?;
    Ok(ExitStatus::Clean)
}
