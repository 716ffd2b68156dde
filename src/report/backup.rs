//! What `backup confirm` tells the person: which keys were recorded, which the
//! medium lacks, and what kind of medium it is.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::backup::Confirmation;
use crate::sanitize::{display_path, display_str};
use crate::time::utc_minute;

/// The confirmation of a backup made at `now`, of `keys` (path, id).
pub fn confirmation(keys: &[(PathBuf, String)], done: &Confirmation, now: i64) -> String {
    let mut out = format!(
        "Backup confirmed {}: {} of {} key(s) recorded, by public fingerprint only.\n",
        utc_minute(now),
        done.record.keys.len(),
        keys.len()
    );
    for (path, id) in keys {
        let on_medium = done.record.keys.contains(id);
        let _ = writeln!(
            out,
            "  {} {}  {}",
            if on_medium { "backed up" } else { "MISSING  " },
            display_path(path),
            display_str(id)
        );
    }
    if !done.missing.is_empty() {
        let _ = writeln!(
            out,
            "{} key(s) are not on the medium and were not recorded: copy them there and confirm again.",
            done.missing.len()
        );
    }
    for fingerprint in &done.revocations_missing {
        let _ = writeln!(
            out,
            "The revocation certificate for GnuPG key {fingerprint} is not on the medium: copy ~/.gnupg/openpgp-revocs.d there too."
        );
    }
    if done.looked_truncated {
        let _ = writeln!(
            out,
            "The medium holds more than was looked through (20,000 files, 8 levels); point --media at the folder with the keys."
        );
    }
    if let Some(medium) = &done.record.medium {
        let removable = match medium.removable {
            Some(true) => "removable".to_owned(),
            Some(false) => format!(
                "NOT removable ({}): a backup there is not offline",
                display_str(&medium.source)
            ),
            None => "removable or not: unknown".to_owned(),
        };
        let _ = writeln!(
            out,
            "Medium: {} — {removable}; {}.",
            display_str(&medium.path),
            medium.at_rest
        );
        if medium.encrypted != Some(true) {
            let _ = writeln!(
                out,
                "The standard asks for an encrypted filesystem on the backup medium (LUKS, for example)."
            );
        }
    } else {
        let _ = writeln!(
            out,
            "No medium was looked at (--media PATH checks that every key is there, and what kind of medium it is)."
        );
    }
    out
}
