//! The fuzz targets of the files that hold secrets whole: credential files, gpg-agent
//! keys, GNOME keyrings and the applications' password stores. Each asserts what its
//! reader promises a report: the line it names holds the secret, a verdict follows
//! from the bytes that decide it, a count is bounded by what was read, and what is
//! shown holds no control character.

use crate::app_stores::{Store, Verdict};
use crate::fs::SafeDir;
use crate::keys::format::{KeyFormat, agent_sexp};
use crate::keys::{Inspection, Protection};
use crate::plaintext::credentials::{Detector, FILES};

use super::{fresh_home, lines, shown};

/// The bytes the credential-files check reads of each file.
const CREDENTIAL_BYTES: usize = 1 << 20;

/// Every known credential file's detector on the same bytes: a line it names is a
/// line of the input that holds what that detector looks for.
pub(super) fn credentials(data: &[u8]) {
    let data = &data[..data.len().min(CREDENTIAL_BYTES)];
    let all: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    for entry in FILES {
        let found = entry.detect.detect(data);
        assert_eq!(entry.detect.detect(data), found, "{}", entry.path);
        let Some(number) = found else { continue };
        assert!(
            number >= 1 && number <= lines(data),
            "{}: line {number} of {}",
            entry.path,
            lines(data)
        );
        if matches!(entry.detect, Detector::NonEmpty) {
            assert_eq!(number, 1, "{}", entry.path);
        }
        let line = all[number - 1].trim_ascii();
        assert!(
            names_its_secret(&entry.detect, line),
            "{} names line {number}, {:?}, which holds no secret",
            entry.path,
            String::from_utf8_lossy(line)
        );
    }
}

/// Whether `line` holds what `detector` reports a secret by.
fn names_its_secret(detector: &Detector, line: &[u8]) -> bool {
    let lower = line.to_ascii_lowercase();
    let has = |needle: &str| {
        lower
            .windows(needle.len())
            .any(|w| w == needle.to_ascii_lowercase().as_bytes())
    };
    match detector {
        Detector::KeyValue(keys) | Detector::Yaml(keys) | Detector::Json(keys) => {
            keys.iter().any(|k| has(k))
        }
        Detector::DockerAuth => has("\"auth\"") || has("\"identitytoken\""),
        Detector::Netrc => has("password"),
        Detector::Pgpass => line.iter().filter(|&&b| b == b':').count() >= 4,
        Detector::UrlPassword => has("://") && line.contains(&b'@'),
        Detector::Npmrc => has("_auth") || has("_password"),
        Detector::Maven => has("<password>"),
        Detector::Msmtp => lower.starts_with(b"password"),
        // The whole file is the secret, named by its first line.
        Detector::NonEmpty => true,
    }
}

/// What a key file's inspection may show: no control character, and a verdict that
/// the same bytes give again.
fn inspected(data: &[u8]) -> (&[u8], Option<Inspection>) {
    let prefix = &data[..data.len().min(crate::keys::scan::KEY_PREFIX_BYTES)];
    let found = crate::keys::inspect(prefix);
    assert_eq!(crate::keys::inspect(prefix), found);
    if let Some(found) = &found {
        for text in found.fingerprint.iter().chain(&found.algorithm) {
            shown("key description", text);
        }
    }
    (prefix, found)
}

/// gpg-agent's `private-keys-v1.d` files: a key read as one is protected exactly
/// when its S-expression (bare, or on the extended format's `Key:` line) says
/// `protected-private-key`, and it is never of unknown protection.
pub(super) fn gpg_agent(data: &[u8]) {
    let (prefix, found) = inspected(data);
    let Some(found) = found else { return };
    if found.format != KeyFormat::GnupgAgent {
        return;
    }
    assert_ne!(found.protection, Protection::Unknown, "{found:?}");
    assert_eq!(found.fingerprint, None, "an agent key shows no public key");
    let said = agent_sexp(prefix.trim_ascii_start()).or_else(|| {
        prefix
            .split(|&b| b == b'\n')
            .filter_map(|line| line.trim_ascii().strip_prefix(b"Key:"))
            .find_map(|rest| agent_sexp(rest.trim_ascii_start()))
    });
    let expected = match said {
        Some(true) => Protection::Encrypted,
        Some(false) => Protection::Unencrypted,
        None => panic!("an agent key without its S-expression: {found:?}"),
    };
    assert_eq!(found.protection, expected);
}

/// The binary keyring's magic.
const KEYRING_MAGIC: &[u8] = b"GnomeKeyring\n\r\0\n";

/// GNOME keyrings: the binary form (a master password) is encrypted, the text form
/// (none) is not, and nothing else is taken for a keyring.
pub(super) fn gnome_keyring(data: &[u8]) {
    let (prefix, found) = inspected(data);
    if prefix.starts_with(KEYRING_MAGIC) {
        let found = found.expect("a binary keyring is a key store");
        assert_eq!(
            (found.format, found.protection),
            (KeyFormat::GnomeKeyring, Protection::Encrypted)
        );
        return;
    }
    if let Some(found) = found
        && found.format == KeyFormat::GnomeKeyring
    {
        assert_eq!(found.protection, Protection::Unencrypted, "{found:?}");
        // The text form opens, past blank and `#` lines, with its `[keyring]` group.
        let first = prefix
            .split(|&b| b == b'\n')
            .map(<[u8]>::trim_ascii)
            .find(|l| !l.is_empty() && !l.starts_with(b"#"));
        assert_eq!(first, Some(&b"[keyring]"[..]));
    }
}

/// Where an application store's input is planted, by the input's first byte, and
/// what else its directory needs for the reader to get that far.
const STORES: &[(u8, &str)] = &[
    (b'l', ".mozilla/firefox/p.default/logins.json"),
    (b'k', ".mozilla/firefox/p.default/key4.db"),
    (b'p', ".mozilla/firefox/profiles.ini"),
    (b's', ".mozilla/firefox/p.default/signons.sqlite"),
    (b'c', ".config/google-chrome/Default/Login Data"),
    (b'P', ".purple/accounts.xml"),
    (b'f', ".config/filezilla/sitemanager.xml"),
    (b'r', ".local/share/remmina/a.remmina"),
    (
        b'd',
        ".local/share/DBeaverData/workspace6/General/.dbeaver/credentials-config.json",
    ),
    (b'v', ".dbvis/config70/dbvis.xml"),
    (b'q', ".squirrel-sql/SQLAliases23.xml"),
    (
        b'j',
        ".sqldeveloper/system1/o.jdeveloper.db.connection1/connections.json",
    ),
    (
        b'x',
        ".sqldeveloper/system1/o.jdeveloper.db.connection1/connections.xml",
    ),
    (b'w', ".claws-mail/passwordstorerc"),
    (b'a', ".claws-mail/accountrc"),
    (b'g', ".gftp/bookmarks"),
    (b'i', ".config/psi/profiles/default/accounts.xml"),
    (
        b'A',
        ".ApacheDirectoryStudio/.metadata/.plugins/org.apache.directory.studio.connection.core/connections.xml",
    ),
    (b'h', ".config/hexchat/servlist.conf"),
    (b'm', ".muttrc"),
    (b'F', ".fetchmailrc"),
    (b'C', ".config/composer/auth.json"),
    (b'G', ".gradle/gradle.properties"),
];

/// A profile's saved logins, for the inputs that stand for its key database or its
/// `profiles.ini`: one login, so that the key database is judged.
const ONE_LOGIN: &[u8] = br#"{"nextId":2,"logins":[{"id":1,"hostname":"https://example.org","encryptedUsername":"MDo=","encryptedPassword":"MDo=","encType":1}],"version":3}"#;

/// The application stores: the input's first byte picks the file (by its tag in
/// [`STORES`], else by its value), the rest is that file. Every store found is in
/// the home, counts no more passwords than there are bytes, and says why it was not
/// read in one line fit for a terminal; the same home gives the same stores. A store
/// outside the home (a profile `profiles.ini` names elsewhere) is never read.
pub(super) fn app_stores(data: &[u8]) {
    stores_found(data);
}

/// The stores found in the home `data` describes, their promises checked.
fn stores_found(data: &[u8]) -> Vec<Store> {
    let Some((&tag, content)) = data.split_first() else {
        return Vec::new();
    };
    let &(tag, rel) = STORES
        .iter()
        .find(|(t, _)| *t == tag)
        .unwrap_or(&STORES[usize::from(tag) % STORES.len()]);
    let mut files = vec![(rel, content)];
    if matches!(tag, b'k' | b'p') {
        files.push((".mozilla/firefox/p.default/logins.json", ONE_LOGIN));
    }
    let stores = fresh_home(&files, |home: &SafeDir| {
        let stores = crate::app_stores::scan(home);
        assert_eq!(crate::app_stores::scan(home), stores);
        // What was read lies in the home: a profile named elsewhere is said so,
        // never read.
        for store in stores
            .iter()
            .filter(|s| !matches!(s.verdict, Verdict::Unread(_)))
        {
            let inside = store.path.starts_with(home.path())
                && !store
                    .path
                    .components()
                    .any(|c| c == std::path::Component::ParentDir);
            assert!(inside, "{store:?}");
        }
        stores
    });
    let bound = content.len() + 1;
    for Store { app, verdict, .. } in &stores {
        shown("application", app);
        match verdict {
            Verdict::Readable {
                count, protected, ..
            } => {
                assert!(*count >= 1 && count + protected <= bound, "{verdict:?}");
            }
            Verdict::Protected { count, .. } => {
                assert!(count.is_none_or(|n| n <= bound), "{verdict:?}");
            }
            Verdict::OldFormat { count } => assert!(*count <= bound, "{verdict:?}"),
            Verdict::Empty => {}
            Verdict::Unread(why) => {
                shown("why a store was not read", why);
                assert!(!why.is_empty() && why.len() <= 4096, "{why:?}");
            }
        }
    }
    // One store a file planted, and one a profile `profiles.ini` names (at most
    // 256 an application directory).
    let named = content.windows(5).filter(|w| w == b"Path=").count();
    assert!(stores.len() <= 2 + named.min(256), "{stores:?}");
    stores
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_planted_store_is_the_one_judged() {
        let pidgin = b"P<account version='1.0'><account><name>me</name><password>hunter2hunter2</password></account></account>";
        let stores = stores_found(pidgin);
        assert_eq!(stores.len(), 1, "{stores:?}");
        assert!(
            matches!(stores[0].verdict, Verdict::Readable { count: 1, .. }),
            "{stores:?}"
        );
        // An unknown tag picks a store by its value, never nothing.
        assert!(stores_found(b"\xffpassword=x\n").len() <= 2);
    }

    #[test]
    fn the_promise_of_a_named_line_holds_for_each_detector() {
        // Would panic if a detector named a line without its secret.
        credentials(b"machine h\nlogin u\npassword hunter2hunter2\n");
        let netrc = FILES.iter().find(|f| f.path == ".netrc").unwrap();
        assert!(names_its_secret(&netrc.detect, b"password hunter2"));
        assert!(!names_its_secret(&netrc.detect, b"machine example.org"));
    }
}
