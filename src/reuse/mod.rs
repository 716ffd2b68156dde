//! Password reuse (policy items `password-reuse` and `key-passwords`). No single
//! password shows that it is used twice, so `password --remember LABEL` and
//! `key check FILE --remember` keep a fingerprint of each secret in
//! `fingerprints.json` in the state directory, and every later check of a secret
//! compares its fingerprint with those.
//!
//! A fingerprint is HMAC-SHA256 under a random 256-bit key, never a plain hash: a
//! password's SHA-256 is the password to anyone with a dictionary and an afternoon.
//! The key lives apart from the fingerprints — in the user's keyring (the Secret
//! Service), or in a file the user names with `--keyring-file` — so a copy of the
//! state file alone tells nothing. Where no keyring answers, nothing is remembered
//! and nothing compared; there is deliberately no quiet fallback to a key on disk.
//!
//! The file holds, per secret, the user's own label, whether it was a password or a
//! key's passphrase, the date, and the fingerprint — and the key's own id
//! (an HMAC of a fixed text), so that fingerprints made under a key that has since
//! gone from the keyring are told apart from "no reuse".

pub mod keystore;

use std::fmt;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::sanitize::display_str;
use crate::secret::Secret;

pub use keystore::{Fetched, KeySource};

/// The state file of fingerprints.
pub const STATE_FILE: &str = "fingerprints.json";

/// The longest label, in characters: a name for a service, not a description.
pub const MAX_LABEL_CHARS: usize = 100;

/// Bytes of a fingerprint key: HMAC-SHA256's block-sized security, 256 bits.
pub const KEY_BYTES: usize = 32;

/// Prefixes of what is MACed, so that a password that happens to equal the key-id
/// text cannot give the key id as its fingerprint.
const FINGERPRINT_DOMAIN: &[u8] = b"csi-self-check fingerprint v1\0";
const KEY_ID_DOMAIN: &[u8] = b"csi-self-check key id v1\0";

/// What a remembered secret was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Password,
    KeyPassphrase,
}

/// The user's name for a remembered secret. Shown in findings (escaped) because it
/// is theirs and names no part of the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    /// A label from the command line: 1 to 100 characters, no control characters,
    /// not only spaces.
    pub fn parse(text: &str) -> Result<Label, LabelError> {
        if text.trim().is_empty() {
            return Err(LabelError::Empty);
        }
        if text.chars().count() > MAX_LABEL_CHARS {
            return Err(LabelError::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(LabelError::Control);
        }
        Ok(Label(text.to_owned()))
    }

    /// A key's label: its absolute path, escaped as everywhere else, so that a name
    /// that is not UTF-8 still gives one stable label.
    pub fn of_key(path: &Path) -> Label {
        Label(crate::sanitize::display_path(path))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a label was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelError {
    Empty,
    TooLong,
    Control,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelError::Empty => write!(f, "a label must not be empty"),
            LabelError::TooLong => write!(f, "a label is at most {MAX_LABEL_CHARS} characters"),
            LabelError::Control => write!(f, "a label must not hold control characters"),
        }
    }
}

impl std::error::Error for LabelError {}

/// The kernel gave no random bytes for a new fingerprint key.
#[derive(Debug)]
pub struct RandomError(getrandom::Error);

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no random bytes for a new key: {}", self.0)
    }
}

impl std::error::Error for RandomError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// "`bank`" for a password, "key /home/a/.ssh/id_ed25519" for a passphrase: what
/// follows "same password as".
pub fn describe(kind: Kind, label: &str) -> String {
    match kind {
        Kind::Password => format!("`{}`", display_str(label)),
        Kind::KeyPassphrase => format!("key {}", display_str(label)),
    }
}

/// The key fingerprints are made under. Wiped on drop; never shown.
pub struct FingerprintKey(Zeroizing<[u8; KEY_BYTES]>);

impl FingerprintKey {
    /// A new random key from the kernel's generator.
    pub fn generate() -> Result<FingerprintKey, RandomError> {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        getrandom::getrandom(key.as_mut()).map_err(RandomError)?;
        Ok(FingerprintKey(key))
    }

    /// A key from its base64 text, as kept in the keyring or the key file.
    pub fn from_base64(text: &[u8]) -> Option<FingerprintKey> {
        let text = std::str::from_utf8(text).ok()?.trim();
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        let decoded = Base64::decode(text, key.as_mut()).ok()?;
        (decoded.len() == KEY_BYTES).then_some(FingerprintKey(key))
    }

    /// The key as base64 text, in a buffer wiped on drop.
    pub fn to_base64(&self) -> Zeroizing<String> {
        let mut buf = Zeroizing::new([0u8; 64]);
        let text = Base64::encode(self.0.as_ref(), buf.as_mut()).unwrap_or_default();
        Zeroizing::new(text.to_owned())
    }

    fn mac(&self, domain: &[u8], bytes: &[u8]) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_ref()) else {
            unreachable!("HMAC takes a key of any length");
        };
        mac.update(domain);
        mac.update(bytes);
        let out: Zeroizing<[u8; 32]> = Zeroizing::new(mac.finalize().into_bytes().into());
        Base64::encode_string(out.as_ref())
    }

    /// The fingerprint of `secret`, base64.
    pub fn fingerprint(&self, secret: &Secret) -> String {
        self.mac(FINGERPRINT_DOMAIN, secret.as_bytes())
    }

    /// Names this key without revealing it.
    pub fn id(&self) -> String {
        self.mac(KEY_ID_DOMAIN, &[])
    }
}

/// `fingerprints.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fingerprints {
    /// The id of the key every fingerprint here was made under.
    #[serde(default)]
    pub key_id: Option<String>,
    #[serde(default)]
    pub fingerprints: Vec<Entry>,
}

/// One remembered secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub label: String,
    pub kind: Kind,
    /// When it was last remembered, `YYYY-MM-DD` in UTC.
    pub remembered: String,
    /// Base64 HMAC-SHA256 of the secret under the fingerprint key.
    pub mac: String,
}

/// What comparing one fingerprint with the remembered ones found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compared {
    /// The other remembered secrets with the same fingerprint.
    pub same_as: Vec<(Kind, String)>,
    /// How many other fingerprints it was compared with.
    pub others: usize,
    /// Fingerprints made under a key no longer in use, which can never match.
    pub stale: usize,
}

impl Fingerprints {
    /// Compares `mac` (made under the key with `key_id`) with every fingerprint but
    /// the secret's own entry (`own`), which is the same secret, not a reuse.
    pub fn compare(&self, key_id: &str, mac: &str, own: Option<(Kind, &str)>) -> Compared {
        if self.key_id.as_deref() != Some(key_id) {
            return Compared {
                stale: self.fingerprints.len(),
                ..Compared::default()
            };
        }
        let mut compared = Compared::default();
        for entry in &self.fingerprints {
            if own == Some((entry.kind, entry.label.as_str())) {
                continue;
            }
            compared.others += 1;
            if entry.mac == mac {
                compared.same_as.push((entry.kind, entry.label.clone()));
            }
        }
        compared
    }

    /// Remembers `mac` as `label`, replacing that label's earlier fingerprint. A
    /// fingerprint made under another key is worthless, so those go.
    pub fn remember(&mut self, key_id: &str, mac: String, kind: Kind, label: &str, today: String) {
        if self.key_id.as_deref() != Some(key_id) {
            self.fingerprints.clear();
            self.key_id = Some(key_id.to_owned());
        }
        self.fingerprints
            .retain(|e| !(e.kind == kind && e.label == label));
        self.fingerprints.push(Entry {
            label: label.to_owned(),
            kind,
            remembered: today,
            mac,
        });
    }

    /// Removes every fingerprint with this label; how many went.
    pub fn forget(&mut self, label: &str) -> usize {
        let before = self.fingerprints.len();
        self.fingerprints.retain(|e| e.label != label);
        before - self.fingerprints.len()
    }
}

/// What a `password` or `key check` run asks of the reuse check.
pub struct Request {
    pub kind: Kind,
    /// The secret's own label: `--remember LABEL`, or a key check's path.
    pub label: Option<Label>,
    /// Store the fingerprint (creating the key on first use), not only compare.
    pub remember: bool,
    /// Where the fingerprint key is kept.
    pub source: KeySource,
    /// The key file a passphrase belongs to, for the findings' path.
    pub key_path: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::secret::Terminator;

    fn secret(text: &str) -> Secret {
        Secret::read(&mut text.as_bytes(), Terminator::Newline).unwrap()
    }

    #[test]
    fn fingerprints_depend_on_the_key_and_the_secret_only() {
        let key = FingerprintKey::generate().unwrap();
        let other = FingerprintKey::generate().unwrap();
        let a = key.fingerprint(&secret("Tr0ub4dor&3"));
        assert_eq!(a, key.fingerprint(&secret("Tr0ub4dor&3")));
        assert_ne!(a, key.fingerprint(&secret("Tr0ub4dor&4")));
        assert_ne!(a, other.fingerprint(&secret("Tr0ub4dor&3")));
        assert_ne!(key.id(), other.id());
        // A keyed hash: the plain SHA-256 of the password is not it.
        use sha2::Digest;
        let plain = Base64::encode_string(&Sha256::digest(b"Tr0ub4dor&3"));
        assert_ne!(a, plain);
    }

    #[test]
    fn a_key_survives_its_base64_and_refuses_anything_else() {
        let key = FingerprintKey::generate().unwrap();
        let text = key.to_base64();
        let back = FingerprintKey::from_base64(format!("{}\n", text.as_str()).as_bytes()).unwrap();
        assert_eq!(back.id(), key.id());
        assert!(FingerprintKey::from_base64(b"c2hvcnQ=").is_none());
        assert!(FingerprintKey::from_base64(b"not base64 at all").is_none());
        assert!(FingerprintKey::from_base64(b"").is_none());
    }

    #[test]
    fn the_same_fingerprint_under_another_label_is_reuse_and_its_own_label_is_not() {
        let mut file = Fingerprints::default();
        file.remember(
            "k",
            "M1".into(),
            Kind::Password,
            "bank",
            "2026-01-01".into(),
        );
        file.remember(
            "k",
            "M2".into(),
            Kind::Password,
            "mail",
            "2026-01-01".into(),
        );
        let found = file.compare("k", "M1", Some((Kind::Password, "shop")));
        assert_eq!(found.same_as, [(Kind::Password, "bank".to_owned())]);
        assert_eq!(found.others, 2);
        let own = file.compare("k", "M1", Some((Kind::Password, "bank")));
        assert!(own.same_as.is_empty());
        assert_eq!(own.others, 1);
        // The same label remembered again replaces, with the new date.
        file.remember(
            "k",
            "M3".into(),
            Kind::Password,
            "bank",
            "2026-02-02".into(),
        );
        assert_eq!(file.fingerprints.len(), 2);
        assert!(file.compare("k", "M1", None).same_as.is_empty());
        let bank = file
            .fingerprints
            .iter()
            .find(|e| e.label == "bank")
            .unwrap();
        assert_eq!(bank.remembered, "2026-02-02");
        // A key passphrase and a password with the same label are two secrets.
        file.remember(
            "k",
            "M3".into(),
            Kind::KeyPassphrase,
            "bank",
            "2026-02-02".into(),
        );
        let both = file.compare("k", "M3", Some((Kind::KeyPassphrase, "bank")));
        assert_eq!(both.same_as, [(Kind::Password, "bank".to_owned())]);
    }

    #[test]
    fn fingerprints_under_another_key_never_match_and_go_when_remembering() {
        let mut file = Fingerprints::default();
        file.remember("old", "M1".into(), Kind::Password, "bank", "d".into());
        let found = file.compare("new", "M1", None);
        assert_eq!(
            found,
            Compared {
                same_as: vec![],
                others: 0,
                stale: 1
            }
        );
        file.remember("new", "M1".into(), Kind::Password, "mail", "d".into());
        assert_eq!(file.fingerprints.len(), 1);
        assert_eq!(file.key_id.as_deref(), Some("new"));
    }

    #[test]
    fn forget_removes_every_secret_of_that_label() {
        let mut file = Fingerprints::default();
        file.remember("k", "M1".into(), Kind::Password, "bank", "d".into());
        file.remember("k", "M1".into(), Kind::KeyPassphrase, "bank", "d".into());
        file.remember("k", "M2".into(), Kind::Password, "mail", "d".into());
        assert_eq!(file.forget("bank"), 2);
        assert_eq!(file.forget("bank"), 0);
        assert_eq!(file.fingerprints.len(), 1);
    }

    #[test]
    fn labels_are_bounded_and_printable() {
        assert!(Label::parse("bank").is_ok());
        assert!(Label::parse("Crédit Agricole").is_ok());
        assert!(Label::parse("").is_err());
        assert!(Label::parse("   ").is_err());
        assert!(Label::parse("a\x1b[2J").is_err());
        assert!(Label::parse("a\nb").is_err());
        assert!(Label::parse(&"x".repeat(MAX_LABEL_CHARS)).is_ok());
        assert!(Label::parse(&"x".repeat(MAX_LABEL_CHARS + 1)).is_err());
    }
}
