//! The findings of `key check FILE` about the key itself — no passphrase at all, a
//! passphrase that does not open it, one that does, or a format whose passphrase
//! cannot be proven — before the passphrase is judged as any password by the
//! `Subject::Secret` checks. Not in [`super::CHECKS`]: only that command runs it.

use std::path::Path;

use super::{Finding, Status};
use crate::keys::KeyFormat;
use crate::keys::unlock::Verdict;
use crate::policy::{Level, Policy};
use crate::sanitize::shell_word;

const ID: &str = "key-passphrase";
const ITEM: &str = "key-passwords";

/// Finding codes of `key check`, for the man page.
pub const CODES: &[&str] = &[
    "key-passphrase-correct",
    "key-passphrase-wrong",
    "key-passphrase-unverified",
    "key-not-encrypted",
];

fn finding(policy: &Policy, file: &Path, status: Status, code: &'static str) -> Finding {
    debug_assert!(CODES.contains(&code), "an undeclared code");
    Finding::new(ID, ITEM, policy.level(ITEM), status, code).at(file)
}

fn what(format: KeyFormat) -> String {
    format!("{} private key", format.name())
}

/// A key with no passphrase: nothing more to judge.
pub fn unencrypted(policy: &Policy, file: &Path, format: KeyFormat) -> Finding {
    finding(policy, file, Status::Fail, "key-not-encrypted")
        .says(format!(
            "{} has no passphrase at all: anyone who reads the file has the key",
            what(format)
        ))
        .fix(format!(
            "csi-self-check key protect {} (or the format's own tool; see csi-self-check --only key-encryption)",
            shell_word(file.as_os_str())
        ))
}

/// Whether the passphrase opened the key. A wrong passphrase ends the judgement: the
/// person has not typed the key's passphrase.
pub fn verdict(policy: &Policy, file: &Path, format: KeyFormat, verdict: Verdict) -> Finding {
    let what = what(format);
    match verdict {
        Verdict::WrongPassphrase => finding(policy, file, Status::Fail, "key-passphrase-wrong")
            .says(format!("that passphrase does not open this {what}")),
        Verdict::Opens => finding(policy, file, Status::Pass, "key-passphrase-correct")
            .says(format!("the passphrase opens this {what}")),
        Verdict::CannotVerify => finding(policy, file, Status::Warn, "key-passphrase-unverified")
            .level(Level::Should)
            .says(format!(
                "this tool cannot open {what}s itself, so the passphrase was not verified; it is judged as given"
            )),
    }
}
