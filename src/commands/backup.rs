//! `backup confirm [--media PATH]`: records which keys are backed up, by public
//! fingerprint, and says what the medium is. Exit 1 when a key is not on the medium
//! or the medium is known not to be removable or encrypted.

use std::path::{Path, PathBuf};

use super::{Setup, absolute, open_home};
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::fs::SafeDir;
use crate::report::emit;

pub fn confirm(setup: &Setup, media: Option<&Path>) -> Result<ExitStatus, Error> {
    let policy = setup.policy()?;
    let (account, _) = setup.account()?;
    let home = open_home(&account)?;
    let options = crate::keys::scan::ScanOptions {
        deep: false,
        uid: account.uid,
        extra_paths: policy.list("key-security", "extra-paths").to_vec(),
        progress: None,
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
            Some(SafeDir::open_root(&path).map_err(|error| Error::Fs {
                path: path.clone(),
                doing: "--media",
                error,
            })?)
        }
        None => None,
    };
    let done = crate::backup::confirm(
        &keys,
        &revocations,
        medium.as_ref(),
        &crate::at_rest::Roots::system(),
        setup.now,
    );
    crate::state::write_json(&home, &account, crate::backup::STATE_FILE, &done.record)?;
    emit(&crate::report::backup::confirmation(
        &keys, &done, setup.now,
    ))?;
    let medium_unfit = done
        .record
        .medium
        .as_ref()
        .is_some_and(|m| m.removable == Some(false) || m.encrypted == Some(false));
    Ok(if !done.missing.is_empty() || medium_unfit {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
