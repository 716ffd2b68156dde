//! `password`: one password judged by the rules, the breach index and reuse —
//! typed without echo or piped with `--stdin`, never taken from the command line —
//! and `password --forget LABEL`.

use std::path::PathBuf;

use super::{Setup, absolute, open_home};
use crate::checks::{self, Context, Subject};
use crate::cli::KeyringArgs;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::report::Report;
use crate::report::emit;
use crate::reuse::keystore::KeyFile;
use crate::reuse::{KeySource, Kind, Label, Request};

/// `password`: one password, from the terminal without echo or from `--stdin`.
pub fn password(
    setup: &Setup,
    from_stdin: bool,
    remember: Option<&str>,
    keyring: &KeyringArgs,
) -> Result<ExitStatus, Error> {
    // zxcvbn's dictionaries take most of a run to build; they build on the other core
    // while this thread loads the policy and reads the password (or waits for typing).
    crate::password::warm_up();
    let policy = setup.policy()?;
    let selection = setup.selection()?;
    let label = remember
        .map(Label::parse)
        .transpose()
        .map_err(|error| Error::Label {
            option: "--remember",
            error,
        })?;
    let (account, audit) = setup.account()?;
    let request = reuse_request(
        audit,
        Kind::Password,
        label,
        remember.is_some(),
        keyring,
        None,
    )?;
    let secret =
        crate::terminal::read_secret(from_stdin, "Password to check (not shown as you type): ")?;
    let cx = Context::with_secret(&account, &policy, &secret, setup.now).reusing(request.as_ref());
    let findings = checks::run_all(&cx, Subject::Secret, &selection);
    let report = Report::about(&account, findings, &policy, setup.now).of_a_secret();
    setup.render(&report)?;
    Ok(report.exit_status())
}

/// What the reuse check is asked to do for this run, settled before any secret is
/// read so that a refused `--keyring-file` costs no typing. Only one's own account
/// has one's keyring: root checking another's home neither compares nor remembers.
pub fn reuse_request(
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
        Some(path) => KeySource::File(KeyFile::open(
            &absolute(path),
            nix::unistd::getuid().as_raw(),
            keyring.force,
            &crate::at_rest::Roots::system(),
        )?),
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
pub fn forget(setup: &Setup, label: &str) -> Result<ExitStatus, Error> {
    use crate::reuse::{Fingerprints, STATE_FILE};
    let label = Label::parse(label).map_err(|error| Error::Label {
        option: "--forget",
        error,
    })?;
    let (account, audit) = setup.account()?;
    if audit {
        return Err(Error::Usage(
            "--forget works only on your own account".to_owned(),
        ));
    }
    let home = open_home(&account)?;
    let shown = crate::sanitize::display_str(label.as_str());
    let file = crate::state::update_json::<Fingerprints, _>(&home, &account, STATE_FILE, |file| {
        let mut file = file.transpose()?.unwrap_or_default();
        Ok((file.forget(label.as_str()) > 0).then_some(file))
    })?;
    let Some(file) = file else {
        return Err(Error::Input(format!(
            "--forget: no fingerprint is remembered as `{shown}`"
        )));
    };
    emit(&format!(
        "Forgot the fingerprint remembered as `{shown}`; {} fingerprint(s) remain.\n",
        file.fingerprints.len()
    ))?;
    Ok(ExitStatus::Clean)
}
