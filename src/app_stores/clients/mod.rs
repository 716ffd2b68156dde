//! Mail, chat, FTP, remote-desktop, database and build-tool clients that keep
//! passwords in their own files: each with its own reader ([`markup`] for XML,
//! [`config`] for line-based files, [`documents`] for JSON and DBeaver's encrypted
//! file), the places it really writes (XDG directories, snap, flatpak), why its
//! passwords are readable, and the setting that protects them.

mod config;
mod documents;
mod markup;

use std::ffi::OsStr;
use std::path::PathBuf;

use super::read::{each_match, read_file};
use super::{Family, Store, Verdict};
use crate::fs::SafeDir;

/// The largest client file read.
const MAX_BYTES: usize = 4 << 20;

/// What a reader makes of one file: how many passwords anyone can read back, and
/// how many are safe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Saved {
    pub readable: usize,
    pub protected: usize,
    /// The whole file is encrypted under the person's own secret: nothing inside
    /// can be counted, and nothing needs to be.
    pub sealed: bool,
}

impl Saved {
    fn readable(count: usize) -> Saved {
        Saved {
            readable: count,
            ..Saved::default()
        }
    }
}

/// A reader: the file's bytes and its directory (for a sibling file that says how
/// the passwords are protected) to a count, or why it cannot be read.
type Reader = fn(&[u8], &SafeDir) -> Result<Saved, String>;

struct Client {
    app: &'static str,
    /// Where it writes, relative to the home; a component may hold one `*`.
    patterns: &'static [&'static str],
    read: Reader,
    /// Why its saved passwords are readable.
    why: &'static str,
    /// What protects them in its protected form.
    how: &'static str,
    fix: &'static str,
}

const PLAIN: &str = "kept in plain text";

const CLIENTS: &[Client] = &[
    Client {
        app: "Pidgin",
        patterns: &[
            ".purple/accounts.xml",
            ".var/app/im.pidgin.Pidgin/.purple/accounts.xml",
        ],
        read: markup::pidgin,
        why: PLAIN,
        how: "",
        fix: "untick Accounts › Manage Accounts › Modify… › Remember password (Pidgin then asks at sign-in)",
    },
    Client {
        app: "FileZilla",
        patterns: &[
            ".config/filezilla/sitemanager.xml",
            ".config/filezilla/recentservers.xml",
            ".config/filezilla/filezilla.xml",
            ".filezilla/sitemanager.xml",
            ".filezilla/recentservers.xml",
            ".filezilla/filezilla.xml",
            ".var/app/org.filezillaproject.Filezilla/config/filezilla/sitemanager.xml",
            ".var/app/org.filezillaproject.Filezilla/config/filezilla/recentservers.xml",
            ".var/app/org.filezillaproject.Filezilla/config/filezilla/filezilla.xml",
        ],
        read: markup::filezilla,
        why: "kept base64-encoded or in plain text, not encrypted",
        how: "encrypted with FileZilla's master password",
        fix: "choose Edit › Settings › Interface › Passwords › Save passwords protected by a master password",
    },
    Client {
        app: "Remmina",
        patterns: &[
            ".local/share/remmina/*.remmina",
            ".remmina/*.remmina",
            ".var/app/org.remmina.Remmina/data/remmina/*.remmina",
            "snap/remmina/current/.local/share/remmina/*.remmina",
        ],
        read: config::remmina,
        why: "encrypted with a key kept beside them in remmina.pref",
        how: "kept in the desktop keyring",
        fix: "install Remmina's keyring plugin (remmina-plugin-secret), then open each profile (Edit) and enter its password again so that Remmina moves it to the keyring; or leave the password empty and type it when connecting",
    },
    Client {
        app: "DBeaver",
        patterns: &[
            ".local/share/DBeaverData/workspace6/*/.dbeaver/credentials-config.json",
            ".var/app/io.dbeaver.DBeaverCommunity/data/DBeaverData/workspace6/*/.dbeaver/credentials-config.json",
            "snap/dbeaver-ce/current/.local/share/DBeaverData/workspace6/*/.dbeaver/credentials-config.json",
        ],
        read: documents::dbeaver,
        why: "encrypted with a key built into DBeaver",
        how: "encrypted with the project password",
        fix: "set a project password (File › Project Security › Set password), or untick Save password in each connection (Edit Connection › Main)",
    },
    Client {
        app: "DbVisualizer",
        patterns: &[".dbvis/config70/dbvis.xml"],
        read: markup::dbvisualizer,
        why: "encrypted with a key built into DbVisualizer",
        how: "",
        fix: "clear the Database Password of each connection (Connection tab); DbVisualizer then asks when connecting",
    },
    Client {
        app: "SQuirreL SQL",
        patterns: &[".squirrel-sql/SQLAliases23.xml"],
        read: markup::squirrel,
        why: PLAIN,
        how: "",
        fix: "clear the Password of each alias (Aliases › Modify Alias); SQuirreL then asks when connecting",
    },
    Client {
        app: "Oracle SQL Developer",
        patterns: &[
            ".sqldeveloper/system*/o.jdeveloper.db.connection*/connections.json",
            ".sqldeveloper/system*/o.jdeveloper.db.connection*/connections.xml",
        ],
        read: documents::sql_developer,
        why: "encrypted with a key kept beside them (the installation's db.system.id)",
        how: "",
        fix: "untick Save Password in each connection (Connections › Properties)",
    },
    Client {
        app: "Claws Mail",
        patterns: &[".claws-mail/passwordstorerc"],
        read: config::claws_password_store,
        why: "encrypted with Claws Mail's built-in default passphrase, as no primary passphrase is set",
        how: "encrypted with the primary passphrase",
        fix: "tick Configuration › Preferences › Other › Passwords › Use a primary passphrase (older versions: Use a master passphrase)",
    },
    Client {
        app: "Claws Mail (old accountrc)",
        patterns: &[".claws-mail/accountrc"],
        read: config::claws_accountrc,
        why: "obfuscated with a key built into Claws Mail",
        how: "",
        fix: "upgrade Claws Mail (3.17 or later moves them to passwordstorerc) and tick Configuration › Preferences › Other › Passwords › Use a primary passphrase",
    },
    Client {
        app: "gFTP",
        patterns: &[".gftp/bookmarks", ".config/gftp/bookmarks"],
        read: config::gftp,
        why: "scrambled with a fixed scheme, or in plain text",
        how: "",
        fix: "clear the Password of each bookmark (Bookmarks › Edit Bookmarks); gFTP then asks when connecting",
    },
    Client {
        app: "Psi",
        patterns: &[
            ".config/psi/profiles/*/accounts.xml",
            ".config/psi+/profiles/*/accounts.xml",
            ".psi/profiles/*/accounts.xml",
        ],
        read: markup::psi,
        why: "encoded with the account's own address, not encrypted",
        how: "",
        fix: "untick Save password in Account › Modify Account, or use a Psi built with Qt Keychain, which keeps it in the desktop keyring",
    },
    Client {
        app: "Apache Directory Studio",
        patterns: &[
            ".ApacheDirectoryStudio/.metadata/.plugins/org.apache.directory.studio.connection.core/connections.xml",
        ],
        read: markup::directory_studio,
        why: PLAIN,
        how: "",
        fix: "untick Save password in each connection (Properties › Network Parameter › Authentication)",
    },
    Client {
        app: "HexChat",
        patterns: &[
            ".config/hexchat/servlist.conf",
            ".var/app/io.github.Hexchat/config/hexchat/servlist.conf",
            ".xchat2/servlist_.conf",
        ],
        read: config::hexchat,
        why: PLAIN,
        how: "",
        fix: "clear Password in HexChat › Network List › Edit… and log in with SASL EXTERNAL (a client certificate) instead",
    },
    Client {
        app: "mutt",
        patterns: &[
            ".muttrc",
            ".mutt/muttrc",
            ".config/mutt/muttrc",
            ".neomuttrc",
            ".neomutt/neomuttrc",
            ".config/neomutt/neomuttrc",
        ],
        read: config::mutt,
        why: PLAIN,
        how: "fetched by a command when mutt starts",
        fix: "replace the literal with a command, e.g. set imap_pass = \"`pass show mail/imap`\" (or source \"gpg -dq ~/.mutt/passwords.gpg |\")",
    },
    Client {
        app: "fetchmail",
        patterns: &[".fetchmailrc"],
        read: config::fetchmail,
        why: PLAIN,
        how: "",
        fix: "remove password … from ~/.fetchmailrc: fetchmail then asks for it (or use an OAuth or passwordless setup)",
    },
    Client {
        app: "Composer",
        patterns: &[".config/composer/auth.json", ".composer/auth.json"],
        read: documents::composer,
        why: PLAIN,
        how: "",
        fix: "remove the secret from auth.json and give it in COMPOSER_AUTH from a keyring when needed, e.g. COMPOSER_AUTH=\"$(secret-tool lookup composer auth)\"",
    },
    Client {
        app: "Gradle",
        patterns: &[".gradle/gradle.properties"],
        read: config::gradle,
        why: PLAIN,
        how: "",
        fix: "remove *password*/*token* properties from ~/.gradle/gradle.properties and pass them as ORG_GRADLE_PROJECT_<name> environment variables from a keyring when needed",
    },
];

/// Every client's stores in the home.
pub fn scan(home: &SafeDir) -> Vec<Store> {
    let mut stores = Vec::new();
    for client in CLIENTS {
        for pattern in client.patterns {
            let mut found: Vec<(PathBuf, Verdict)> = Vec::new();
            let mut unread = Vec::new();
            each_match(
                home,
                pattern,
                &mut |dir: &SafeDir, name: &OsStr| {
                    let verdict = match read_file(dir, name, MAX_BYTES) {
                        Ok(None) => return,
                        Ok(Some(bytes)) => match (client.read)(&bytes, dir) {
                            Ok(saved) => verdict(client, saved),
                            Err(why) => Verdict::Unread(why),
                        },
                        Err(why) => Verdict::Unread(why),
                    };
                    found.push((dir.child_path(name), verdict));
                },
                &mut |path, why| unread.push((path, Verdict::Unread(why))),
            );
            stores.extend(
                found
                    .into_iter()
                    .chain(unread)
                    .map(|(path, verdict)| Store {
                        family: Family::Client,
                        app: client.app.to_owned(),
                        path,
                        verdict,
                        fix: client.fix,
                    }),
            );
        }
    }
    stores
}

fn verdict(client: &Client, saved: Saved) -> Verdict {
    if saved.readable > 0 {
        Verdict::Readable {
            count: saved.readable,
            protected: saved.protected,
            why: client.why,
        }
    } else if saved.sealed || saved.protected > 0 {
        Verdict::Protected {
            count: (!saved.sealed).then_some(saved.protected),
            how: client.how,
        }
    } else {
        Verdict::Empty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_that_can_protect_says_how() {
        for client in CLIENTS {
            assert!(!client.patterns.is_empty(), "{}", client.app);
            assert!(
                !client.fix.is_empty() && !client.why.is_empty(),
                "{}",
                client.app
            );
        }
        for name in ["FileZilla", "Remmina", "DBeaver", "Claws Mail", "mutt"] {
            let client = CLIENTS
                .iter()
                .find(|c| c.app == name)
                .unwrap_or(&CLIENTS[0]);
            assert_eq!(client.app, name);
            assert!(!client.how.is_empty(), "{name}");
        }
    }
}
