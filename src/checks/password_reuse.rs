//! Password reuse (policy item `password-reuse`; `key-passwords` for a key's
//! passphrase): compares the keyed fingerprint of the secret under judgement with
//! those remembered in the state directory, and remembers it when asked (see
//! `crate::reuse` for why fingerprints are keyed and where the key lives).
//!
//! It runs only for `password` and `key check`, never for the PAM helper, which
//! has no keyring of the user's to ask. With nothing remembered and nothing to
//! remember it stays silent and never touches the keyring, so that a plain
//! `password` run costs no D-Bus call.
//!
//! Reads: the secret (only to MAC it), `fingerprints.json`, the fingerprint key.
//! Never: shows or stores the secret or an unkeyed hash of it; a reuse finding
//! names the other secret by the user's own label, never by any part of it.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status, Subject};
use crate::reuse::{self, Fetched, Fingerprints, Kind, STATE_FILE};
use crate::sanitize::display_str;

const ID: &str = "password-fingerprints";

pub struct PasswordReuse;

impl Check for PasswordReuse {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &["password-reuse", "key-passwords"]
    }

    fn summary(&self) -> &'static str {
        "a password or key passphrase compared with those remembered by --remember, by keyed fingerprint (the key in your keyring)"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "password-reused",
            "password-not-reused",
            "password-remembered",
            "key-passphrase-reused",
            "key-passphrase-not-reused",
            "key-passphrase-remembered",
            "reuse-not-checked",
        ]
    }

    fn subject(&self) -> Subject {
        Subject::Secret
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let Some(request) = cx.reuse() else {
            return Ok(());
        };
        let (item, noun, [reused, not_reused, remembered]) = match request.kind {
            Kind::Password => (
                "password-reuse",
                "password",
                [
                    "password-reused",
                    "password-not-reused",
                    "password-remembered",
                ],
            ),
            Kind::KeyPassphrase => (
                "key-passwords",
                "passphrase",
                [
                    "key-passphrase-reused",
                    "key-passphrase-not-reused",
                    "key-passphrase-remembered",
                ],
            ),
        };
        let level = cx.policy.level(item);
        let finding = |status, code| {
            let finding = Finding::new(ID, item, level, status, code);
            match &request.key_path {
                Some(path) => finding.at(path),
                None => finding,
            }
        };
        let home = cx.home()?;
        let file = match crate::state::read_json::<Fingerprints>(home, cx.account, STATE_FILE) {
            None => Fingerprints::default(),
            Some(Ok(file)) => file,
            Some(Err(error)) => {
                return Err(CheckError(format!(
                    "the remembered fingerprints cannot be used: {error}"
                )));
            }
        };
        if !request.remember && file.fingerprints.is_empty() {
            return Ok(());
        }
        let key = match request.source.fetch(request.remember) {
            Fetched::Key(key) => key,
            Fetched::Absent => {
                out.push(finding(Status::Skip, "reuse-not-checked").says(format!(
                    "the fingerprint key is not in the keyring, so the {} remembered fingerprint(s) cannot be compared; reuse not checked (--remember LABEL starts afresh)",
                    file.fingerprints.len()
                )));
                return Ok(());
            }
            Fetched::Unavailable(why) => {
                out.push(finding(Status::Skip, "reuse-not-checked").says(format!(
                    "no keyring to keep the fingerprint key ({why}); nothing remembered, reuse not checked; --keyring-file PATH for headless machines"
                )));
                return Ok(());
            }
        };
        let mac = key.fingerprint(cx.secret()?);
        let key_id = key.id();
        let own = request.label.as_ref().map(|l| (request.kind, l.as_str()));
        let compared = file.compare(&key_id, &mac, own);
        for (kind, label) in &compared.same_as {
            out.push(finding(Status::Fail, reused).says(format!(
                "same {noun} as {}: the standard asks for a {noun} of its own for every service and key",
                reuse::describe(*kind, label)
            )));
        }
        if compared.same_as.is_empty() && compared.others > 0 {
            out.push(finding(Status::Pass, not_reused).says(format!(
                "the {noun} is not the same as any of the {} other password(s) and passphrase(s) remembered",
                compared.others
            )));
        }
        if compared.stale > 0 && !request.remember {
            out.push(finding(Status::Skip, "reuse-not-checked").says(format!(
                "the {} remembered fingerprint(s) were made under a key that is no longer in the keyring; reuse not checked (--remember LABEL starts afresh)",
                compared.stale
            )));
        }
        if request.remember {
            let Some(label) = &request.label else {
                return Err(CheckError("nothing to remember the secret as".to_owned()));
            };
            let today = crate::time::utc_date(cx.now);
            // Remembered into the file as it is now: another run may have remembered
            // or forgotten others since it was read above.
            crate::state::update_json::<Fingerprints, _>(home, cx.account, STATE_FILE, |now| {
                let mut now = now.transpose()?.unwrap_or_default();
                now.remember(&key_id, mac, request.kind, label.as_str(), today);
                Ok(Some(now))
            })
            .map_err(|e| CheckError(format!("the fingerprint was not remembered: {e}")))?;
            let dropped = if compared.stale > 0 {
                format!(
                    "; {} fingerprint(s) made under an earlier key were dropped",
                    compared.stale
                )
            } else {
                String::new()
            };
            out.push(finding(Status::Pass, remembered).says(format!(
                "the {noun}'s keyed fingerprint is remembered as `{}`{dropped}; `csi-self-check password --forget {}` removes it",
                display_str(label.as_str()),
                crate::sanitize::shell_word(std::ffi::OsStr::new(label.as_str()))
            )));
        }
        Ok(())
    }
}
