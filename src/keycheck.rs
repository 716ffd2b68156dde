//! `csi-self-check key check FILE`: the standard asks that every private key be
//! encrypted with a unique passphrase that meets the password rules. This asks for
//! the passphrase without echo, proves that it opens the key — OpenSSH keys through
//! the ssh-key crate, PKCS#8 through the pkcs8 crate, PKCS#12 by its MAC — and then
//! judges the passphrase as any password. Formats no well-kept crate opens are said
//! to be unverified rather than pretended.

use std::path::Path;

use crate::account::Account;
use crate::checks::{self, Context, Finding, Selection, Status, Subject};
use crate::error::Error;
use crate::fs::{FsError, SafeDir};
use crate::keys::der::{DerKey, classify_der, pkcs12_mac_verifies};
use crate::keys::scan::KEY_PREFIX_BYTES;
use crate::keys::{KeyFormat, Protection, encrypted_pkcs8_der, inspect, openssh_blob};
use crate::policy::Policy;
use crate::report::Report;
use crate::sanitize::shell_word;
use crate::secret::Secret;

const ID: &str = "key-passphrase";
const ITEM: &str = "key-passwords";

/// Finding codes of this command, for the man page.
pub const CODES: &[&str] = &[
    "key-passphrase-correct",
    "key-passphrase-wrong",
    "key-passphrase-unverified",
    "key-not-encrypted",
];

/// Whether the passphrase opens the key.
enum Verdict {
    Opens,
    WrongPassphrase,
    /// No well-kept crate opens this format; the passphrase is judged unverified.
    CannotVerify,
}

/// Reads the key file safely: links along the path are the caller's choice, the
/// file itself must not be a link, a FIFO or a device.
fn read_key(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let fail = |reason: String| Error::File {
        path: path.to_owned(),
        reason,
    };
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(fail("not a file name".to_owned()));
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let dir = SafeDir::open_root(parent).map_err(|e| fail(e.to_string()))?;
    let meta = dir.lstat(name).map_err(|e| fail(e.to_string()))?;
    let mut file = dir
        .open_file(name, &meta)
        .map_err(|e: FsError| fail(e.to_string()))?;
    file.read_prefix(KEY_PREFIX_BYTES)
        .map_err(|e| fail(e.to_string()))
}

fn verify(format: KeyFormat, bytes: &[u8], passphrase: &Secret) -> Result<Verdict, Error> {
    let Ok(passphrase) = passphrase.as_str() else {
        return Ok(Verdict::WrongPassphrase);
    };
    Ok(match format {
        KeyFormat::OpenSsh => {
            let Some(key) =
                openssh_blob(bytes).and_then(|blob| ssh_key::PrivateKey::from_bytes(&blob).ok())
            else {
                return Ok(Verdict::CannotVerify);
            };
            if key.decrypt(passphrase).is_ok() {
                Verdict::Opens
            } else {
                Verdict::WrongPassphrase
            }
        }
        KeyFormat::Pkcs8Encrypted | KeyFormat::Pkcs8EncryptedDer => {
            let der = if format == KeyFormat::Pkcs8Encrypted {
                encrypted_pkcs8_der(bytes)
            } else {
                Some(bytes.to_vec())
            };
            let Some(info) = der
                .as_deref()
                .and_then(|d| pkcs8::EncryptedPrivateKeyInfo::try_from(d).ok())
            else {
                return Ok(Verdict::CannotVerify);
            };
            if info.decrypt(passphrase).is_ok() {
                Verdict::Opens
            } else {
                Verdict::WrongPassphrase
            }
        }
        KeyFormat::Pkcs12 => match pkcs12_mac_verifies(bytes, passphrase) {
            Ok(true) => Verdict::Opens,
            Ok(false) => Verdict::WrongPassphrase,
            Err(()) => Verdict::CannotVerify,
        },
        _ => Verdict::CannotVerify,
    })
}

/// Runs `key check FILE`. `read_passphrase` asks for it (terminal or stdin).
pub fn run(
    account: &Account,
    policy: &Policy,
    file: &Path,
    reuse: Option<&crate::reuse::Request>,
    read_passphrase: impl FnOnce() -> Result<Secret, Error>,
) -> Result<Report, Error> {
    let bytes = read_key(file)?;
    let Some(found) = inspect(&bytes) else {
        return Err(Error::File {
            path: file.to_owned(),
            reason: "holds no private key this tool recognises".to_owned(),
        });
    };
    let level = policy.level(ITEM);
    let what = format!("{} private key", found.format.name());
    let finding = |status, code| Finding::new(ID, ITEM, level, status, code).at(file);
    let mut findings = Vec::new();
    if found.protection == Protection::Unencrypted
        || matches!(
            classify_der(&bytes),
            Some(DerKey::Pkcs8 | DerKey::Pkcs1Rsa | DerKey::Sec1Ec)
        )
    {
        findings.push(
            finding(Status::Fail, "key-not-encrypted")
                .says(format!("{what} has no passphrase at all: anyone who reads the file has the key"))
                .fix(format!("ssh-keygen -p -f {} (or the format's own tool; see csi-self-check --only key-encryption)", shell_word(file.as_os_str()))),
        );
        return Ok(Report::new(
            account.name.clone(),
            account.home.clone(),
            findings,
            policy,
        ));
    }
    let passphrase = read_passphrase()?;
    match verify(found.format, &bytes, &passphrase)? {
        Verdict::WrongPassphrase => {
            findings.push(finding(Status::Fail, "key-passphrase-wrong").says(format!("that passphrase does not open this {what}")));
            return Ok(Report::new(account.name.clone(), account.home.clone(), findings, policy));
        }
        Verdict::Opens => findings.push(finding(Status::Pass, "key-passphrase-correct").says(format!("the passphrase opens this {what}"))),
        Verdict::CannotVerify => findings.push(finding(Status::Warn, "key-passphrase-unverified").level(crate::policy::Level::Should).says(format!(
            "this tool cannot open {what}s itself, so the passphrase was not verified; it is judged as given"
        ))),
    }
    debug_assert!(
        findings.iter().all(|f| CODES.contains(&f.code)),
        "an undeclared code"
    );
    let cx = Context::with_secret(account, policy, &passphrase).reusing(reuse);
    findings.extend(checks::run_all(&cx, Subject::Secret, &Selection::default()));
    Ok(Report::new(
        account.name.clone(),
        account.home.clone(),
        findings,
        policy,
    ))
}
