//! Offline key backups (policy `encryption-backups`). A machine cannot see a USB
//! stick in a drawer, so the person confirms a backup with `backup confirm`, and
//! the tool remembers which keys it held — by public fingerprint only, never a
//! secret — and when. With `--media PATH` it looks: every key must be on the
//! medium, the medium should be removable and encrypted. Later runs remind when a
//! backup is due, when a key appeared that the last one lacks, and when the medium
//! seems never to be unplugged.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64ct::{Base64, Base64Unpadded, Encoding};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::account::Account;
use crate::at_rest::{self, Roots};
use crate::fs::{Kind, PrivateTempDir, SafeDir};
use crate::keys::format::KeyFormat;
use crate::keys::scan::FoundKey;
use crate::process::{Helper, ProcessError};
use crate::sanitize::display_path;

/// The state file, in the state directory.
pub const STATE_FILE: &str = "backup.json";
/// Files on a medium larger than this are not key files.
const MEDIUM_FILE_LIMIT: usize = 1 << 20;
/// How much of a medium is looked at: enough for a key folder, not a whole disk.
const MEDIUM_MAX_FILES: usize = 20_000;
const MEDIUM_MAX_DEPTH: usize = 8;
/// How many looks, all with the medium mounted, make it "never unplugged".
pub const ALWAYS_MOUNTED_LOOKS: u32 = 3;
/// Where gpg may be installed, looked at in this order; never looked up in `$PATH`.
const GPG: [&str; 2] = ["/usr/bin/gpg", "/bin/gpg"];
/// How long gpg may take to read one export.
const GPG_DEADLINE: Duration = Duration::from_secs(5);
/// The most of gpg's listing read; an export of a few keys lists a few kilobytes.
const GPG_OUTPUT: u64 = 4 << 20;

/// What the last confirmed backup held.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupRecord {
    /// Seconds since the epoch.
    pub confirmed_at: i64,
    /// Key ids (`SHA256:…` fingerprints, `keygrip:…`, `content:…`).
    pub keys: BTreeSet<String>,
    /// GnuPG revocation certificates found on the medium, by fingerprint.
    #[serde(default)]
    pub revocations: BTreeSet<String>,
    #[serde(default)]
    pub medium: Option<MediumRecord>,
}

/// The medium of a backup, as seen when it was confirmed, and how often it has
/// been found mounted since.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct MediumRecord {
    pub path: String,
    pub mount_point: String,
    pub source: String,
    pub removable: Option<bool>,
    /// The at-rest verdict, as shown to the person.
    pub at_rest: String,
    pub encrypted: Option<bool>,
    /// Normal runs since the backup, and how many of them found it mounted.
    #[serde(default)]
    pub looks: u32,
    #[serde(default)]
    pub mounted_looks: u32,
}

/// A key's id for backups: its public fingerprint where one can be had without the
/// passphrase (the file's public part, or a `.pub` beside it), a gpg-agent key's
/// keygrip, else a digest of the file (which matches a copy of the file).
pub fn key_id(key: &FoundKey) -> String {
    if let Some(fingerprint) = &key.inspection.fingerprint {
        return fingerprint.clone();
    }
    let mut pub_name = key.name.clone();
    pub_name.push(".pub");
    if let Ok(meta) = key.dir.lstat(&pub_name)
        && let Ok(mut file) = key.dir.open_file(&pub_name, &meta)
        && let Ok(text) = file.read_prefix(64 * 1024)
        && let Some(fingerprint) = public_key_fingerprints(&text).into_iter().next()
    {
        return fingerprint;
    }
    if key.inspection.format == KeyFormat::GnupgAgent
        && let Some(keygrip) = keygrip_of(&key.name)
    {
        return format!("keygrip:{keygrip}");
    }
    let hex: String = key
        .inspection
        .identity
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("content:{hex}")
}

/// `KEYGRIP.key` in `private-keys-v1.d`: the keygrip, upper-case hex.
fn keygrip_of(name: &OsStr) -> Option<String> {
    let stem = name.to_str()?.strip_suffix(".key")?;
    (stem.len() == 40 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| stem.to_ascii_uppercase())
}

/// The fingerprints of the OpenSSH public keys in a text (`.pub` files,
/// `authorized_keys` lines), as `ssh-keygen -l` prints them.
pub fn public_key_fingerprints(text: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = String::from_utf8_lossy(line);
        for word in line.split_ascii_whitespace() {
            if word.len() < 40 || !word.starts_with("AAAA") {
                continue;
            }
            if let Ok(blob) = Base64::decode_vec(word) {
                let digest = Sha256::digest(&blob);
                found.push(format!("SHA256:{}", Base64Unpadded::encode_string(&digest)));
                break;
            }
        }
    }
    found
}

/// The GnuPG revocation certificates kept in `~/.gnupg/openpgp-revocs.d`, by the
/// fingerprint their name carries.
pub fn local_revocations(home: &SafeDir) -> BTreeSet<String> {
    let Ok(dir) = home.open_within(Path::new(".gnupg/openpgp-revocs.d")) else {
        return BTreeSet::new();
    };
    let Ok((names, _)) = dir.entries(10_000) else {
        return BTreeSet::new();
    };
    names
        .iter()
        .filter_map(|name| revocation_fingerprint(name))
        .collect()
}

fn revocation_fingerprint(name: &OsStr) -> Option<String> {
    let stem = name.to_str()?.strip_suffix(".rev")?;
    (stem.len() >= 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| stem.to_ascii_uppercase())
}

/// What a medium holds: key ids and revocation certificates.
#[derive(Debug, Default)]
pub struct MediumContents {
    pub keys: BTreeSet<String>,
    pub revocations: BTreeSet<String>,
    /// Whether the look stopped at a bound (files or depth).
    pub truncated: bool,
}

/// Looks through a medium's directory for keys: private key files (by their
/// public part or their digest), OpenSSH public keys, gpg-agent key files (by
/// keygrip), OpenPGP exports (through `gpg --show-keys`, when gpg is there) and
/// revocation certificates. No link is followed and no file larger than a key file
/// is read.
pub fn look_at_medium(medium: &SafeDir) -> MediumContents {
    let mut contents = MediumContents::default();
    let mut openpgp_files: Vec<PathBuf> = Vec::new();
    let mut stack: Vec<(SafeDir, usize)> = vec![(
        match SafeDir::open_root(medium.path()) {
            Ok(dir) => dir,
            Err(_) => return contents,
        },
        0,
    )];
    let mut files = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok((names, truncated)) = dir.entries(MEDIUM_MAX_FILES) else {
            continue;
        };
        contents.truncated |= truncated;
        for name in names {
            let Ok(meta) = dir.lstat(&name) else { continue };
            match meta.kind {
                Kind::Directory if depth < MEDIUM_MAX_DEPTH => {
                    if let Ok(sub) = dir.open_dir(&name) {
                        stack.push((sub, depth + 1));
                    }
                }
                Kind::Directory => contents.truncated = true,
                Kind::Regular => {
                    files += 1;
                    if files > MEDIUM_MAX_FILES {
                        contents.truncated = true;
                        return finish(contents, &openpgp_files);
                    }
                    if let Some(fingerprint) = revocation_fingerprint(&name) {
                        contents.revocations.insert(fingerprint);
                    }
                    if let Some(keygrip) = keygrip_of(&name) {
                        contents.keys.insert(format!("keygrip:{keygrip}"));
                    }
                    if meta.size > MEDIUM_FILE_LIMIT as u64 {
                        continue;
                    }
                    let Ok(mut file) = dir.open_file(&name, &meta) else {
                        continue;
                    };
                    let Ok(bytes) = file.read_prefix(MEDIUM_FILE_LIMIT) else {
                        continue;
                    };
                    if let Some(inspection) = crate::keys::inspect(&bytes) {
                        if let Some(fingerprint) = inspection.fingerprint {
                            contents.keys.insert(fingerprint);
                        }
                        let hex: String = inspection
                            .identity
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect();
                        contents.keys.insert(format!("content:{hex}"));
                    }
                    contents.keys.extend(public_key_fingerprints(&bytes));
                    let armored = bytes.starts_with(b"-----BEGIN PGP");
                    let binary = bytes.first().is_some_and(|b| b & 0x80 != 0)
                        && crate::keys::openpgp::is_plausible_key_file(&bytes);
                    if armored || binary {
                        openpgp_files.push(dir.child_path(&name));
                    }
                }
                _ => {}
            }
        }
    }
    finish(contents, &openpgp_files)
}

fn finish(mut contents: MediumContents, openpgp_files: &[PathBuf]) -> MediumContents {
    for file in openpgp_files.iter().take(200) {
        for keygrip in gpg_keygrips(file) {
            contents.keys.insert(format!("keygrip:{keygrip}"));
        }
    }
    contents
}

/// The keygrips of the keys in an OpenPGP export, as gpg reads them without
/// importing (a throw-away home, no agent, a few seconds at most). A keygrip is
/// computed from the public key, so a public export matches the secret key file
/// in `private-keys-v1.d`. Nothing when gpg is not installed.
fn gpg_keygrips(file: &Path) -> Vec<String> {
    let Ok(scratch) = PrivateTempDir::create("csi-self-check-gpg") else {
        return Vec::new();
    };
    let run = |gpg: &&str| {
        let out = Helper::new(gpg, GPG_DEADLINE)
            .arg("--homedir")
            .arg(scratch.path())
            .args([
                "--batch",
                "--no-autostart",
                "--no-tty",
                "--with-colons",
                "--with-keygrip",
                "--show-keys",
            ])
            .arg(file)
            .env("PATH", "/usr/bin:/bin")
            .keep_stdout(GPG_OUTPUT)
            .run();
        // Not at this path: the next one.
        (!matches!(out, Err(ProcessError::NotInstalled { .. }))).then_some(out)
    };
    let Some(Ok(out)) = GPG.iter().find_map(run) else {
        return Vec::new();
    };
    if !out.success() {
        return Vec::new();
    }
    out.stdout_text()
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("grp:")?;
            let value = rest.split(':').nth(8)?.to_ascii_uppercase();
            (value.len() == 40 && value.bytes().all(|b| b.is_ascii_hexdigit())).then_some(value)
        })
        .collect()
}

/// What `backup confirm` found, for the person to read.
pub struct Confirmation {
    pub record: BackupRecord,
    /// Keys in the stores that the medium lacks (path, id).
    pub missing: Vec<(PathBuf, String)>,
    /// Revocation certificates only in `openpgp-revocs.d`.
    pub revocations_missing: Vec<String>,
    pub looked_truncated: bool,
}

/// Works out a confirmation: every key in the stores, and, with a medium, which of
/// them it holds and what kind of medium it is. Only keys on the medium (all, with
/// no medium) are recorded.
pub fn confirm(
    keys: &[(PathBuf, String)],
    local_revocations: &BTreeSet<String>,
    medium: Option<&SafeDir>,
    roots: &Roots,
    now: i64,
) -> Confirmation {
    let Some(medium) = medium else {
        return Confirmation {
            record: BackupRecord {
                confirmed_at: now,
                keys: keys.iter().map(|(_, id)| id.clone()).collect(),
                revocations: local_revocations.clone(),
                medium: None,
            },
            missing: Vec::new(),
            revocations_missing: Vec::new(),
            looked_truncated: false,
        };
    };
    let contents = look_at_medium(medium);
    let (present, missing): (Vec<_>, Vec<_>) = keys
        .iter()
        .cloned()
        .partition(|(_, id)| contents.keys.contains(id));
    let revocations_missing = local_revocations
        .difference(&contents.revocations)
        .cloned()
        .collect();
    let location = medium.location();
    let facts = at_rest::mount_facts(roots, &location);
    let verdict = at_rest::at_rest(roots, &location);
    let encrypted = match &verdict {
        at_rest::AtRest::BlockEncrypted { .. } | at_rest::AtRest::FileEncrypted { .. } => {
            Some(true)
        }
        at_rest::AtRest::NotEncrypted { .. } => Some(false),
        _ => None,
    };
    Confirmation {
        record: BackupRecord {
            confirmed_at: now,
            keys: present.into_iter().map(|(_, id)| id).collect(),
            revocations: contents
                .revocations
                .intersection(local_revocations)
                .cloned()
                .collect(),
            medium: Some(MediumRecord {
                path: display_path(medium.path()),
                mount_point: facts
                    .as_ref()
                    .map(|f| f.mount_point.clone())
                    .unwrap_or_default(),
                source: facts.as_ref().map(|f| f.source.clone()).unwrap_or_default(),
                removable: facts.and_then(|f| f.removable),
                at_rest: verdict.describe(),
                encrypted,
                looks: 0,
                mounted_looks: 0,
            }),
        },
        missing,
        revocations_missing,
        looked_truncated: contents.truncated,
    }
}

/// Counts one more look at whether the last backup's medium is mounted; `None`
/// when there is no medium to look for.
pub fn note_look(record: &mut BackupRecord, roots: &Roots) -> Option<bool> {
    let medium = record.medium.as_mut()?;
    if medium.mount_point.is_empty() {
        return None;
    }
    let mounted = at_rest::is_mounted(roots, &medium.mount_point, &medium.source)?;
    medium.looks = medium.looks.saturating_add(1);
    if mounted {
        medium.mounted_looks = medium.mounted_looks.saturating_add(1);
    }
    Some(mounted)
}

/// Whether the medium has been mounted at every look, enough looks to say so.
pub fn never_unplugged(medium: &MediumRecord) -> bool {
    medium.looks >= ALWAYS_MOUNTED_LOOKS && medium.mounted_looks == medium.looks
}

/// The account's own state, for `backup confirm` and the bookkeeping after a run.
pub fn read_record(
    home: &SafeDir,
    account: &Account,
) -> Option<Result<BackupRecord, crate::state::StateError>> {
    crate::state::read_json(home, account, STATE_FILE)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_public_key_line_gives_the_fingerprint_ssh_keygen_prints() {
        // The integration tests compare with ssh-keygen -l; here, the shape.
        let line = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test\n";
        let fingerprints = public_key_fingerprints(line);
        assert_eq!(fingerprints.len(), 1);
        assert!(fingerprints[0].starts_with("SHA256:"), "{fingerprints:?}");
        assert_eq!(fingerprints[0].len(), "SHA256:".len() + 43);
        assert!(public_key_fingerprints(b"no key here\nAAAA short\n").is_empty());
    }

    #[test]
    fn names_carry_keygrips_and_revocation_fingerprints() {
        let grip = "0123456789ABCDEF0123456789abcdef01234567";
        assert_eq!(
            keygrip_of(OsStr::new(&format!("{grip}.key"))),
            Some(grip.to_ascii_uppercase())
        );
        assert_eq!(keygrip_of(OsStr::new("short.key")), None);
        assert_eq!(
            revocation_fingerprint(OsStr::new(&format!("{grip}.rev"))),
            Some(grip.to_ascii_uppercase())
        );
        assert_eq!(revocation_fingerprint(OsStr::new("notes.rev")), None);
    }

    /// A fake `/proc` and `/sys` in which `medium`'s filesystem is LUKS2 on the
    /// first partition of a USB stick, mounted at /media/alice/KEYS.
    fn usb_stick_with_luks(medium: &SafeDir) -> (tempfile::TempDir, Roots) {
        let root = tempfile::tempdir().unwrap();
        let roots = Roots {
            proc: root.path().join("proc"),
            sys: root.path().join("sys"),
        };
        let place = medium.location();
        let (maj, min) = (
            nix::sys::stat::major(place.dev),
            nix::sys::stat::minor(place.dev),
        );
        let id = place.mount_id.unwrap_or(4242);
        std::fs::create_dir_all(roots.proc.join("self")).unwrap();
        std::fs::write(
            roots.proc.join("self/mountinfo"),
            format!("{id} 1 {maj}:{min} / /media/alice/KEYS rw - ext4 /dev/mapper/luks-keys rw\n"),
        )
        .unwrap();
        let mapper = roots.sys.join(format!("dev/block/{maj}:{min}"));
        std::fs::create_dir_all(mapper.join("dm")).unwrap();
        std::fs::write(mapper.join("dm/uuid"), "CRYPT-LUKS2-0123abcd-luks-keys\n").unwrap();
        std::fs::create_dir_all(mapper.join("slaves/sdb1")).unwrap();
        let usb = "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/block/sdb/sdb1";
        std::fs::create_dir_all(roots.sys.join(usb)).unwrap();
        std::fs::write(roots.sys.join(usb).join("partition"), "1\n").unwrap();
        std::os::unix::fs::symlink(
            Path::new("../../").join(usb),
            roots.sys.join("dev/block/8:17"),
        )
        .unwrap();
        std::fs::create_dir_all(roots.sys.join("class/block/sdb1")).unwrap();
        std::fs::write(roots.sys.join("class/block/sdb1/dev"), "8:17\n").unwrap();
        (root, roots)
    }

    #[test]
    fn a_luks_usb_stick_holding_every_key_is_a_good_medium() {
        let dir = tempfile::tempdir().unwrap();
        let line =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl k\n";
        std::fs::write(dir.path().join("k.pub"), line).unwrap();
        std::fs::create_dir(dir.path().join("openpgp-revocs.d")).unwrap();
        let revocation = "0123456789ABCDEF0123456789ABCDEF01234567";
        std::fs::write(
            dir.path()
                .join(format!("openpgp-revocs.d/{revocation}.rev")),
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
        )
        .unwrap();
        let medium = SafeDir::open_root(dir.path()).unwrap();
        let (_fake, roots) = usb_stick_with_luks(&medium);
        let fingerprint = public_key_fingerprints(line.as_bytes()).remove(0);
        let keys = vec![
            (PathBuf::from("/h/.ssh/k"), fingerprint.clone()),
            (PathBuf::from("/h/.ssh/other"), "SHA256:other".to_owned()),
        ];
        let local: BTreeSet<String> = [revocation.to_owned()].into();
        let done = confirm(&keys, &local, Some(&medium), &roots, 1000);
        assert_eq!(done.record.keys, [fingerprint].into());
        assert_eq!(done.missing, [keys[1].clone()]);
        assert!(done.revocations_missing.is_empty());
        assert_eq!(done.record.revocations, local);
        let facts = done.record.medium.unwrap();
        assert_eq!(facts.mount_point, "/media/alice/KEYS");
        assert_eq!(facts.source, "/dev/mapper/luks-keys");
        assert_eq!(
            facts.removable,
            Some(true),
            "a USB bus under the dm-crypt layer"
        );
        assert_eq!(facts.encrypted, Some(true), "{}", facts.at_rest);
        assert!(facts.at_rest.contains("LUKS2"), "{}", facts.at_rest);
        // The next run finds it mounted: one look, one mounted look.
        let mut record = BackupRecord {
            medium: Some(facts),
            ..BackupRecord::default()
        };
        assert_eq!(note_look(&mut record, &roots), Some(true));
        std::fs::write(roots.proc.join("self/mountinfo"), "").unwrap();
        assert_eq!(note_look(&mut record, &roots), Some(false));
        let medium = record.medium.unwrap();
        assert_eq!((medium.looks, medium.mounted_looks), (2, 1));
    }

    #[test]
    fn a_medium_mounted_at_every_look_is_never_unplugged() {
        let mut medium = MediumRecord {
            mount_point: "/media/k".into(),
            source: "/dev/sdb1".into(),
            ..MediumRecord::default()
        };
        for _ in 0..ALWAYS_MOUNTED_LOOKS {
            assert!(!never_unplugged(&medium));
            medium.looks += 1;
            medium.mounted_looks += 1;
        }
        assert!(never_unplugged(&medium));
        medium.looks += 1;
        assert!(!never_unplugged(&medium), "unplugged once is enough");
    }
}
