//! Key backups (policy `encryption-backups`): whether the keys in the stores were
//! confirmed backed up to an offline medium, recently enough, all of them, with the
//! GnuPG revocation certificates — and whether that medium ever leaves the
//! machine. A machine cannot see the drawer the medium lies in, so what it cannot
//! tell is a reminder, not a failure.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status};
use crate::backup::{self, BackupRecord};
use crate::policy::Level;
use crate::sanitize::display_str;
use crate::time::utc_minute;

const ID: &str = "key-backup";
const ITEM: &str = "encryption-backups";

/// The standard's way, in one line, for reminders.
const HOW: &str = "copy your keys (and GnuPG revocation certificates) to a removable medium with an encrypted filesystem, unplug it and keep it safe; then run `csi-self-check backup confirm --media PATH` while it is mounted";

pub struct KeyBackup;

impl Check for KeyBackup {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "keys confirmed backed up to an offline, encrypted medium within the policy's interval, every key and revocation certificate included; reminds when one is due"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "backup-current",
            "backup-never-confirmed",
            "backup-due",
            "backup-key-not-backed-up",
            "backup-revocation-local-only",
            "backup-medium-never-unplugged",
            "backup-medium-not-removable",
            "backup-medium-unencrypted",
            "backup-record-unusable",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let level = cx.policy.level(ITEM);
        let finding = |status, code| Finding::new(ID, ITEM, level, status, code);
        let keys: Vec<_> = cx
            .key_scan()?
            .keys()
            .map(|key| (key.path.clone(), backup::key_id(key)))
            .collect();
        let revocations = backup::local_revocations(home);
        if keys.is_empty() && revocations.is_empty() {
            return Ok(());
        }
        let record = match backup::read_record(home, cx.account) {
            None => {
                out.push(
                    finding(Status::Remind, "backup-never-confirmed")
                        .says(format!(
                            "no backup of your {} has been confirmed",
                            plural(keys.len(), "key")
                        ))
                        .fix(HOW),
                );
                return Ok(());
            }
            Some(Err(why)) => {
                out.push(
                    finding(Status::Error, "backup-record-unusable")
                        .says(format!("the record of your last backup is unusable: {why}"))
                        .fix(HOW),
                );
                return Ok(());
            }
            Some(Ok(record)) => record,
        };
        let before = out.len();
        judge(cx, &record, &keys, &revocations, out);
        if out[before..].iter().all(|f| f.status == Status::Pass) {
            let medium = record.medium.as_ref().map_or_else(
                || " (no medium was looked at)".to_owned(),
                |m| format!(" on {} ({})", display_str(&m.path), m.at_rest),
            );
            out.truncate(before);
            out.push(finding(Status::Pass, "backup-current").says(format!(
                "every key was in the backup confirmed {}{medium}",
                utc_minute(record.confirmed_at)
            )));
        }
        Ok(())
    }
}

fn judge(
    cx: &Context<'_>,
    record: &BackupRecord,
    keys: &[(std::path::PathBuf, String)],
    revocations: &std::collections::BTreeSet<String>,
    out: &mut Vec<Finding>,
) {
    let level = cx.policy.level(ITEM);
    let finding = |status, code| Finding::new(ID, ITEM, level, status, code);
    let now = cx.now;
    let max_days = cx.policy.number(ITEM, "max-backup-age-days");
    let age_days = (now - record.confirmed_at).max(0) / 86_400;
    if age_days > i64::try_from(max_days).unwrap_or(i64::MAX) {
        out.push(
            finding(Status::Remind, "backup-due")
                .says(format!(
                    "the last confirmed backup is {age_days} days old ({}); the policy asks for one every {max_days} days",
                    utc_minute(record.confirmed_at)
                ))
                .fix(HOW),
        );
    }
    for (path, id) in keys {
        if !record.keys.contains(id) {
            out.push(
                finding(Status::Remind, "backup-key-not-backed-up")
                    .at(path)
                    .says(format!(
                        "not in the backup confirmed {} ({})",
                        utc_minute(record.confirmed_at),
                        display_str(id)
                    ))
                    .fix(HOW),
            );
        }
    }
    for fingerprint in revocations.difference(&record.revocations) {
        out.push(
            finding(Status::Remind, "backup-revocation-local-only")
                .says(format!(
                    "the revocation certificate for GnuPG key {fingerprint} exists only in ~/.gnupg/openpgp-revocs.d: if this machine is lost, so is the means to revoke the key"
                ))
                .fix("copy ~/.gnupg/openpgp-revocs.d to the offline medium (or print it), then confirm the backup again"),
        );
    }
    let Some(medium) = &record.medium else {
        return;
    };
    let shown = display_str(&medium.path);
    if backup::never_unplugged(medium) {
        out.push(
            finding(Status::Fail, "backup-medium-never-unplugged")
                .says(format!(
                    "the backup medium {shown} was mounted every time this was run ({} times since {}): a backup that stays connected is not offline",
                    medium.looks,
                    utc_minute(record.confirmed_at)
                ))
                .fix("unmount and unplug the backup medium; connect it only to make or restore a backup"),
        );
    }
    if medium.removable == Some(false) {
        out.push(
            finding(Status::Warn, "backup-medium-not-removable")
                .level(Level::Should)
                .says(format!(
                    "the backup on {shown} is on a disk that cannot be unplugged ({}): it is not offline",
                    display_str(&medium.source)
                ))
                .fix(HOW),
        );
    }
    if medium.encrypted == Some(false) {
        out.push(
            // "The filesystem this key backup exists on should be encrypted."
            finding(Status::Warn, "backup-medium-unencrypted")
                .level(Level::Should)
                .says(format!(
                    "the backup on {shown} is on a filesystem that is not encrypted: {}",
                    medium.at_rest
                ))
                .fix("put the backup on an encrypted filesystem (LUKS: cryptsetup luksFormat, or the desktop's disk tool), then confirm it again"),
        );
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
