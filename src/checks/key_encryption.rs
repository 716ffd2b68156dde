//! Key encryption (policy `key-passwords`, and `password-usage` for the password
//! store): every private key the key scan finds must be encrypted with a passphrase,
//! decided from its content in every common format; a file that looks like a key
//! but cannot be read is reported as unknown, never assumed safe. The same key found
//! at several paths is reported once, with all of them.
//!
//! Reads: nothing itself; it judges what the shared key scan found.
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::path::Path;

use super::{Check, CheckError, Context, Finding, Status};
use crate::keys::scan::{Event, FoundKey, Store};
use crate::keys::{KeyFormat, Protection};
use crate::policy::Level;
use crate::sanitize::shell_word;

const ID: &str = "key-encryption";
const ITEM: &str = "key-passwords";

pub struct KeyEncryption;

impl Check for KeyEncryption {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM, "password-usage"]
    }

    fn summary(&self) -> &'static str {
        "every private key in the key stores (and with --deep, the whole home) encrypted with a passphrase, in every common format; no plaintext file in the password store"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "key-encrypted",
            "key-unencrypted",
            "key-protection-unknown",
            "password-store-plaintext",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let scan = cx.key_scan()?;
        let level = cx.policy.level(ITEM);
        let home = cx.home()?.path();
        for group in group_by_identity(scan.keys()) {
            out.push(judge(&group, level, home));
        }
        let usage = cx.policy.level("password-usage");
        for event in &scan.events {
            if let Event::Plaintext { path, meta } = event {
                out.push(
                    Finding::new(ID, "password-usage", usage, Status::Fail, "password-store-plaintext")
                        .at(path)
                        .says(format!(
                            "a file in the password store that is not encrypted (mode {}): pass keeps every secret in a .gpg file, so this one is in the clear",
                            crate::fs::perm::octal(meta.mode)
                        ))
                        .fix(format!("pass insert NAME (then remove this file: shred -u {})", shell_word(path.as_os_str()))),
                );
            }
        }
        Ok(())
    }
}

/// Keys grouped by identity, in the order first found.
pub fn group_by_identity<'a>(keys: impl Iterator<Item = &'a FoundKey>) -> Vec<Vec<&'a FoundKey>> {
    let mut groups: Vec<Vec<&FoundKey>> = Vec::new();
    for key in keys {
        match groups
            .iter_mut()
            .find(|g| g[0].inspection.identity == key.inspection.identity)
        {
            Some(group) => group.push(key),
            None => groups.push(vec![key]),
        }
    }
    groups
}

/// "~/.ssh/id_rsa" for a path below the home.
pub fn short(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) => format!("~/{}", crate::sanitize::display_path(rest)),
        Err(_) => crate::sanitize::display_path(path),
    }
}

fn judge(group: &[&FoundKey], level: Level, home: &Path) -> Finding {
    let unencrypted: Vec<&&FoundKey> = group
        .iter()
        .filter(|k| k.inspection.protection == Protection::Unencrypted)
        .collect();
    let unknown: Vec<&&FoundKey> = group
        .iter()
        .filter(|k| k.inspection.protection == Protection::Unknown)
        .collect();
    let (status, code, subject) = if !unencrypted.is_empty() {
        (Status::Fail, "key-unencrypted", unencrypted[0])
    } else if !unknown.is_empty() {
        (Status::Warn, "key-protection-unknown", unknown[0])
    } else {
        (Status::Pass, "key-encrypted", &group[0])
    };
    let what = match subject.inspection.format {
        KeyFormat::GnomeKeyring => "GNOME keyring".to_owned(),
        format => format!("{} private key", format.name()),
    };
    let fingerprint = match (
        &subject.inspection.algorithm,
        &subject.inspection.fingerprint,
    ) {
        (Some(algorithm), Some(fingerprint)) => format!(" ({algorithm}, {fingerprint})"),
        (None, Some(fingerprint)) => format!(" ({fingerprint})"),
        _ => String::new(),
    };
    let also: Vec<String> = group
        .iter()
        .filter(|k| k.path != subject.path)
        .map(|k| short(&k.path, home))
        .collect();
    let also = if also.is_empty() {
        String::new()
    } else {
        format!("; the same key is also at {}", also.join(", "))
    };
    let found_where = if subject.store == Store::Elsewhere {
        ", found outside the key stores"
    } else {
        ""
    };
    let at_rest = (status == Status::Fail).then(|| {
        crate::at_rest::at_rest(&crate::at_rest::Roots::system(), &subject.location).describe()
    });
    let message = match status {
        Status::Fail => format!(
            "{what}{fingerprint} is stored without a passphrase{found_where}: anyone who reads the file has the key{also} — {}",
            at_rest.as_deref().unwrap_or_default()
        ),
        Status::Warn => format!(
            "{what}{fingerprint} looks like a key, but whether it is encrypted could not be read; it is not assumed safe{also}"
        ),
        _ => format!("{what}{fingerprint} is encrypted with a passphrase{also}"),
    };
    // Protection that could not be read is no known shortfall: a should-level warning.
    let level = if status == Status::Warn {
        Level::Should
    } else {
        level
    };
    let mut finding = Finding::new(ID, ITEM, level, status, code)
        .at(&subject.path)
        .says(message);
    if let Some(at_rest) = at_rest {
        finding = finding.on(at_rest);
    }
    match status {
        Status::Fail => finding.fix(passphrase_command(subject)),
        _ => finding,
    }
}

/// The command that adds a passphrase, for each format.
fn passphrase_command(key: &FoundKey) -> String {
    let file = shell_word(key.path.as_os_str());
    let name = key
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `key protect` replaces the file whole, so it works whatever the key's mode
    // (0400 included, where ssh-keygen -p cannot save); a tool that rewrites the
    // file in place gets write permission for the moment it needs it.
    match key.inspection.format {
        KeyFormat::OpenSsh
        | KeyFormat::PemRsa
        | KeyFormat::PemEc
        | KeyFormat::Pkcs8
        | KeyFormat::Pkcs8Der => format!("csi-self-check key protect {file}"),
        KeyFormat::Ssh2 | KeyFormat::PemDsa if key.store == Store::Ssh => {
            format!("chmod u+w {file} && ssh-keygen -p -f {file} && chmod u-w {file}")
        }
        KeyFormat::PemDsa | KeyFormat::PemOther | KeyFormat::Ssh2 => {
            format!("openssl pkey -in {file} -aes256 -out {file}.new && mv {file}.new {file}")
        }
        KeyFormat::Pkcs1Der | KeyFormat::Sec1Der | KeyFormat::DsaDer => {
            format!(
                "openssl pkey -inform DER -in {file} -aes256 -out {file}.pem && shred -u {file}"
            )
        }
        KeyFormat::PuttyPpk => format!(
            "chmod u+w {file} && puttygen {file} -P -O private -o {file} && chmod u-w {file}"
        ),
        KeyFormat::GnupgAgent => {
            let keygrip = name.trim_end_matches(".key");
            format!(
                "gpg --change-passphrase KEYID (the key whose keygrip is {keygrip}: gpg -K --with-keygrip)"
            )
        }
        KeyFormat::PgpArmored | KeyFormat::PgpBinary => {
            format!("gpg --import {file} && gpg --change-passphrase KEYID, then shred -u {file}")
        }
        KeyFormat::Pkcs12 => format!(
            "openssl pkcs12 -in {file} -passin pass: -nodes | openssl pkcs12 -export -out {file}.new && mv {file}.new {file}"
        ),
        KeyFormat::GnomeKeyring => {
            "set a password on this keyring in Passwords and Keys (seahorse)".to_owned()
        }
        KeyFormat::Pkcs8Encrypted | KeyFormat::Pkcs8EncryptedDer => String::new(),
    }
}
