//! What `explain CODE` says beyond the man page: for every check, what it reads to
//! decide, and for every finding code, how to fix it. The meaning of each code is
//! the man page's own paragraph (see `report::explain`), so the two cannot drift; a
//! test fails on a code that has no entry here or no paragraph there.

use super::{CHECKS, RUNNER_CODES, key_passphrase};

/// Said of every code that reports a requirement met.
const NOTHING: &str = "nothing: this is as the standard asks";
/// Said of the key modes `--fix` makes.
const KEY_MODE: &str = "chmod 400 FILE, or `csi-self-check --fix`, which does it through the open file; `csi-self-check key protect` still works on a 0400 key";
const NEW_PASSWORD: &str = "choose another password that meets every rule of the policy (`csi-self-check policy show` lists them): several unrelated words with a digit, a capital and a symbol";
const BACK_UP: &str = "copy your keys (and GnuPG revocation certificates) to a removable medium with an encrypted filesystem, then run `csi-self-check backup confirm --media PATH` while it is mounted, and unplug it";

/// What each check reads to decide; `runner` for the codes the runner files.
pub const READS: &[(&str, &str)] = &[
    (
        "key-permissions",
        "lstat and fstat of the home and of every entry of the key stores: ~/.ssh four levels deep and every IdentityFile and CertificateFile its config names, ~/.gnupg, ~/.pki, ~/.local/share/keyrings, ~/.password-store, the policy's key-security.extra-paths, and with --deep the whole home; the first 64 KiB of each regular file there, to tell a private key by its content; never a link, FIFO, socket or device",
    ),
    (
        "key-encryption",
        "the same scan of the key stores: the first 64 KiB of each key file, to tell from its structure whether it is encrypted (never decrypting it), and where it is stored (/proc/self/mountinfo and /sys) for whether its filesystem is encrypted",
    ),
    (
        "ssh-client-config",
        "~/.ssh/config and then /etc/ssh/ssh_config, with every Include followed as ssh follows it, at most a MiB of each; no link inside the home followed, no FIFO opened",
    ),
    (
        "credential-files",
        "the first MiB of each file where a tool keeps credentials (~/.netrc, ~/.pgpass, ~/.my.cnf, git's, docker's and podman's, ~/.aws/credentials, ~/.kube/config, npm's, PyPI's, gh's, cloud tools' and others), its mode, and where it is stored",
    ),
    (
        "history-settings",
        "the rc files each shell reads (/etc/profile and /etc/profile.d, ~/.bash_profile, ~/.bashrc, zsh's and fish's files), parsed and never run, and the shell hook's records when there are any",
    ),
    (
        "history-secrets",
        "the history files of bash, zsh, fish and of python, mysql, psql, sqlite, node and redis-cli, in bounded chunks of whole lines; their modes; and where they are stored",
    ),
    (
        "app-password-stores",
        "each application's own store of saved passwords where it really writes it (XDG directories, snap and flatpak too): Mozilla profiles named by profiles.ini (logins.json or signons.sqlite, and key4.db's password-check entry, never a saved login decrypted), Chromium-family Login Data (only the first bytes of each password_value), and the client files of Pidgin, FileZilla, Remmina, DBeaver, DbVisualizer, SQuirreL, SQL Developer, Claws Mail, gFTP, Psi, Directory Studio, HexChat, mutt, fetchmail, Composer and Gradle; each through the safe layer with a bound, SQLite databases from a copy in memory; only counts are kept",
    ),
    (
        "screen-lock",
        "XDG_CURRENT_DESKTOP or logind's sessions, each desktop's lock settings through gsettings and the lockers' config files (KDE, XFCE, xscreensaver, swayidle, hypridle), TMOUT from the shells' rc files and tmux's config",
    ),
    (
        "password-rules",
        "only the password given to `password` or the PAM helper (never kept), the account's login, real name and the host name as words an attacker would try, the breached-password indexes of the policy, and the word lists of its word-lists (or their indexes)",
    ),
    (
        "password-fingerprints",
        "fingerprints.json in the state directory and the fingerprint key in the keyring (or --keyring-file); never a password",
    ),
    (
        "key-backup",
        "backup.json in the state directory, the key stores' scan (public fingerprints only), ~/.gnupg/openpgp-revocs.d, and whether the backup medium is mounted",
    ),
    (
        "reminders",
        "reminders.json in the state directory: when each reminder was last shown",
    ),
    (
        "key-passphrase",
        "the key file named (its first 64 KiB) and the passphrase typed, which opens the key in memory",
    ),
    (
        "runner",
        "whatever its check reads; the message names what could not be read",
    ),
];

/// How to fix what each code reports.
pub const FIXES: &[(&str, &str)] = &[
    ("home-ok", NOTHING),
    (
        "home-writable",
        "chmod go-w ~, or `csi-self-check --fix`; a group that must write there gets a directory of its own",
    ),
    (
        "home-not-owned",
        "ask an administrator to give the home back to you (sudo chown YOU: ~)",
    ),
    ("ssh-dir-ok", NOTHING),
    (
        "ssh-dir-too-open",
        "chmod 700 ~/.ssh, or `csi-self-check --fix`",
    ),
    (
        "ssh-dir-not-owned",
        "ask an administrator: sudo chown YOU: ~/.ssh",
    ),
    (
        "ssh-dir-symlink",
        "make ~/.ssh a directory of its own (mkdir -m 700), move the keys into it, and check again",
    ),
    (
        "ssh-dir-not-directory",
        "move the file aside and make ~/.ssh a directory: mkdir -m 700 ~/.ssh",
    ),
    (
        "no-ssh-dir",
        "nothing, unless you use ssh keys: keep them in ~/.ssh, made with mkdir -m 700 ~/.ssh",
    ),
    ("key-dir-ok", NOTHING),
    (
        "key-dir-too-open",
        "chmod 700 DIR, or `csi-self-check --fix`",
    ),
    (
        "key-dir-not-owned",
        "ask an administrator: sudo chown -R YOU: DIR",
    ),
    ("private-key-ok", NOTHING),
    ("private-key-world-accessible", KEY_MODE),
    ("private-key-group-writable", KEY_MODE),
    ("private-key-group-readable", KEY_MODE),
    ("private-key-owner-writable", KEY_MODE),
    (
        "private-key-ssh-refuses",
        "chmod go= FILE, or `csi-self-check --fix`",
    ),
    (
        "private-key-not-owned",
        "if the key is yours, ask an administrator to give it to you (sudo chown YOU: FILE); if not, remove the copy and tell its owner",
    ),
    ("private-key-mode-fixed", "nothing: --fix changed the mode"),
    ("authorized-keys-ok", NOTHING),
    (
        "authorized-keys-writable",
        "chmod go-w FILE, or `csi-self-check --fix`; then read every line of it, as anyone could have added a key",
    ),
    (
        "authorized-keys-not-owned",
        "ask an administrator: sudo chown YOU: FILE",
    ),
    ("ssh-config-ok", NOTHING),
    (
        "ssh-config-writable",
        "chmod go-w ~/.ssh/config, or `csi-self-check --fix`; then read it, as anyone could have changed it",
    ),
    (
        "ssh-config-not-owned",
        "ask an administrator: sudo chown YOU: ~/.ssh/config",
    ),
    (
        "pass-extension-writable",
        "chmod go-w FILE, or `csi-self-check --fix`; then read it, as it runs as you",
    ),
    ("agent-socket-ok", NOTHING),
    (
        "agent-socket-exposed",
        "restart the agent, which makes its socket private, or chmod 600 SOCKET",
    ),
    (
        "symlink-not-followed",
        "nothing, unless the link leads to a key: then keep the key itself in the store, where it is checked",
    ),
    (
        "not-regular-file",
        "nothing: a FIFO, socket or device is never opened; remove it if it should not be there",
    ),
    (
        "unreadable",
        "make the file readable to yourself (it is in your home), or remove it, and check again",
    ),
    (
        "too-many-entries",
        "tidy the directory, or narrow the run with --only",
    ),
    (
        "too-deep",
        "keep keys nearer the top of their store, or name them in the policy's key-security.extra-paths",
    ),
    (
        "check-incomplete",
        "the message names what could not be read: make it readable, or say why it cannot be, and run again",
    ),
    (
        "check-crashed",
        "run again; if it happens again, report it with the output of `csi-self-check --format json`",
    ),
    (
        "findings-left-out",
        "fix the findings shown first (the worst come first), then run again: the ones left out appear as the others are fixed; `--only CHECK` narrows a run to one check",
    ),
    ("key-encrypted", NOTHING),
    (
        "key-unencrypted",
        "`csi-self-check key protect FILE` for OpenSSH, PEM and PKCS#8 keys (it works whatever the key's mode); for other formats, the command the report prints (puttygen, gpg --change-passphrase, openssl)",
    ),
    (
        "key-protection-unknown",
        "`csi-self-check key check FILE` tells whether a passphrase opens it; if it has none, give it one with the format's own tool",
    ),
    (
        "password-store-plaintext",
        "put the secret into the store (pass insert NAME), then remove the file with shred -u",
    ),
    (
        "ssh-forward-agent-all-hosts",
        "delete the ForwardAgent line (or make it `ForwardAgent no`); to reach a host behind a gateway, give that host `ProxyJump GATEWAY`",
    ),
    (
        "ssh-forward-agent",
        "delete the ForwardAgent line (or make it `ForwardAgent no`); to reach a host behind a gateway, give that host `ProxyJump GATEWAY`",
    ),
    (
        "ssh-host-key-unchecked",
        "delete the StrictHostKeyChecking line, or make it `ask` or `accept-new`",
    ),
    (
        "ssh-known-hosts-discarded",
        "delete the UserKnownHostsFile line: ssh then keeps host keys in ~/.ssh/known_hosts",
    ),
    (
        "ssh-config-refused",
        "chmod go-w FILE, and have an administrator give it to you if it is someone else's",
    ),
    (
        "ssh-setting-overridden",
        "nothing: the line has no effect; delete it to keep the file clear",
    ),
    (
        "ssh-config-not-read",
        "make it a regular file of yours under a MiB; `ssh -G HOST` shows the values ssh uses meanwhile",
    ),
    ("ssh-config-clean", NOTHING),
    (
        "credential-file-readable",
        "chmod 600 FILE, or `csi-self-check --fix`; better, move the secret into a keyring or a credential helper (the report names one for the tool)",
    ),
    (
        "credential-file-plaintext",
        "move the secret into a keyring or a credential helper (the report names one for the tool), then remove it from the file",
    ),
    (
        "plaintext-on-unencrypted-fs",
        "take the secret out of the file (a keyring or credential helper; `csi-self-check history --redact` for a history), or keep the home on an encrypted filesystem",
    ),
    (
        "history-secret",
        "`csi-self-check history --redact FILE`; then change the password, as it was written to disk",
    ),
    ("history-clean", NOTHING),
    (
        "mozilla-no-primary-password",
        "set a primary password in the application (Firefox and Thunderbird: Settings › Privacy & Security › Passwords › Use a Primary Password; the finding names the menu of the application it found); the saved logins are then encrypted under it",
    ),
    (
        "chromium-basic-store",
        "start the browser with --password-store=gnome-libsecret (GNOME) or --password-store=kwallet5 / kwallet6 (KDE) in its launcher, with the desktop keyring unlocked at login, then save those passwords again: entries already saved keep their old encryption",
    ),
    (
        "app-password-readable",
        "remove the saved password from the application and let it ask each time, or turn on its own master password or keyring storage where it has one (the finding names the setting); then change the password, as it sat where any program could read it",
    ),
    (
        "mozilla-old-key-database",
        "open the profile once in a current version of the application, which moves key3.db to key4.db, and set a primary password there",
    ),
    ("app-store-protected", NOTHING),
    ("app-store-empty", NOTHING),
    (
        "app-store-unread",
        "nothing to change in the store; look at why it could not be read (the message says), as a store not read is not known to be safe",
    ),
    (
        "history-file-open",
        "chmod 600 FILE, or `csi-self-check --fix`",
    ),
    (
        "history-not-regular",
        "look where it leads; make the history a regular file of yours, or a link to /dev/null to keep none",
    ),
    ("history-discarded", NOTHING),
    ("history-ignorespace", NOTHING),
    (
        "history-no-ignorespace",
        "bash: HISTCONTROL=ignoreboth at the end of ~/.bashrc; zsh: setopt HIST_IGNORE_SPACE in ~/.zshrc; fish: a fish_should_add_to_history function that returns 1 for a leading space",
    ),
    ("history-not-kept", NOTHING),
    (
        "history-unexplained",
        "add the shell hook (eval \"$(csi-self-check shell-hook zsh)\" at the end of ~/.zshrc), so that the live shell's values are checked",
    ),
    ("lock-ok", NOTHING),
    (
        "lock-disabled",
        "turn the lock on with the command the report prints (gsettings set …, kwriteconfig …, or the locker's settings)",
    ),
    (
        "lock-never-idle",
        "make the screen lock after at most the policy's max-idle-seconds of idleness, with the command the report prints",
    ),
    (
        "lock-idle-too-long",
        "shorten the idle time to at most the policy's max-idle-seconds, with the command the report prints",
    ),
    (
        "lock-delay-too-long",
        "shorten the delay between blanking and locking to at most the policy's max-lock-delay-seconds",
    ),
    (
        "lock-unknown",
        "lock the screen whenever you step away (Super+L, or vlock on a console)",
    ),
    ("lock-console-ok", NOTHING),
    (
        "lock-console-too-long",
        "set TMOUT (or tmux's lock-after-time) to at most the policy's max-idle-seconds",
    ),
    (
        "lock-console-not-readonly",
        "add `readonly TMOUT` after it is set",
    ),
    (
        "lock-console-none",
        "as root, put `TMOUT=900; readonly TMOUT; export TMOUT` in /etc/profile.d/tmout.sh (or, for yourself, in ~/.bashrc); lock a console with vlock",
    ),
    ("password-ok", NOTHING),
    ("password-too-short", NEW_PASSWORD),
    ("password-no-digit", NEW_PASSWORD),
    ("password-no-lower", NEW_PASSWORD),
    ("password-no-upper", NEW_PASSWORD),
    ("password-no-symbol", NEW_PASSWORD),
    (
        "password-easy-to-guess",
        "choose four or more uncommon words, or a long random password from a password manager; the message names the pieces that make it easy",
    ),
    (
        "password-breached",
        "choose a password never used anywhere, and change this one wherever it is used",
    ),
    (
        "password-breach-index-unusable",
        "build the index again with `csi-self-check breach import`, or correct the policy's breach-indexes",
    ),
    (
        "password-word-list-unusable",
        "make the list a readable regular file of at most 64 MiB, or correct the policy's word-lists",
    ),
    (
        "password-estimate-failed",
        "run again; if it happens again, report it",
    ),
    (
        "password-not-text",
        "use a password that is valid UTF-8 text",
    ),
    (
        "password-reused",
        "change one of the two, so that each service has a password of its own",
    ),
    ("password-not-reused", NOTHING),
    (
        "password-remembered",
        "nothing: later checks will compare with it",
    ),
    (
        "key-passphrase-reused",
        "give the key a passphrase used nowhere else (ssh-keygen -p -f FILE, or the format's own tool)",
    ),
    ("key-passphrase-not-reused", NOTHING),
    (
        "key-passphrase-remembered",
        "nothing: later checks will compare with it",
    ),
    (
        "reuse-not-checked",
        "unlock the keyring (log in to the desktop), or use --keyring-file on a machine without one",
    ),
    ("backup-current", NOTHING),
    ("backup-never-confirmed", BACK_UP),
    ("backup-due", BACK_UP),
    ("backup-key-not-backed-up", BACK_UP),
    (
        "backup-revocation-local-only",
        "copy ~/.gnupg/openpgp-revocs.d to the backup medium (or print it), then confirm the backup again",
    ),
    (
        "backup-medium-never-unplugged",
        "unmount and unplug the medium; connect it only to make or restore a backup",
    ),
    (
        "backup-medium-not-removable",
        "put the backup on a medium that can be unplugged, then confirm it again",
    ),
    (
        "backup-medium-unencrypted",
        "put the backup on an encrypted filesystem (LUKS: cryptsetup luksFormat, or the desktop's disk tool), then confirm it again",
    ),
    (
        "backup-record-unusable",
        "remove backup.json from the state directory and confirm the backup again",
    ),
    (
        "reminder",
        "do as the item says, and tick it in `csi-self-check checklist`",
    ),
    ("key-passphrase-correct", NOTHING),
    ("key-passphrase-wrong", "type the key's own passphrase"),
    (
        "key-passphrase-unverified",
        "nothing: the passphrase is judged as given; the format's own tool can show that it opens the key",
    ),
    ("key-not-encrypted", "`csi-self-check key protect FILE`"),
];

/// The codes a check files under an item other than its first.
const ITEM_OF: &[(&str, &str)] = &[
    ("password-store-plaintext", "password-usage"),
    ("key-passphrase-reused", "key-passwords"),
    ("key-passphrase-not-reused", "key-passwords"),
    ("key-passphrase-remembered", "key-passwords"),
];

/// One finding code: the check that reports it and the policy items it serves.
pub struct Code {
    pub code: &'static str,
    /// The check's id; `key-passphrase` for `key check`, `runner` for the runner's.
    pub check: &'static str,
    pub items: Vec<&'static str>,
}

/// Every finding code there is, each with every check that reports it.
pub fn codes() -> Vec<Code> {
    let mut all: Vec<Code> = Vec::new();
    let mut add = |code: &'static str, check: &'static str, items: &[&'static str]| {
        all.push(Code {
            code,
            check,
            items: items.to_vec(),
        });
    };
    for check in CHECKS {
        for code in check.codes() {
            // A check that serves several items files each code under one of them,
            // but the reminders, which serve each of theirs.
            let item = ITEM_OF
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, item)| item);
            match item {
                Some(item) => add(code, check.id(), &[item]),
                None if check.id() == "reminders" => add(code, check.id(), check.policies()),
                None => add(code, check.id(), &check.policies()[..1]),
            }
        }
    }
    for code in key_passphrase::CODES {
        add(code, "key-passphrase", &["key-passwords"]);
    }
    for code in RUNNER_CODES {
        add(code, "runner", &[]);
    }
    all
}

/// The fix of `code`.
pub fn fix(code: &str) -> Option<&'static str> {
    FIXES.iter().find(|(c, _)| *c == code).map(|(_, fix)| *fix)
}

/// What `check` reads.
pub fn reads(check: &str) -> Option<&'static str> {
    READS
        .iter()
        .find(|(c, _)| *c == check)
        .map(|(_, reads)| *reads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_and_check_has_an_entry() {
        let mut missing: Vec<String> = Vec::new();
        for code in codes() {
            if fix(code.code).is_none() {
                missing.push(format!("{}: no fix in checks/explain.rs", code.code));
            }
            if reads(code.check).is_none() {
                missing.push(format!("{}: nothing said of what it reads", code.check));
            }
        }
        missing.dedup();
        assert!(missing.is_empty(), "{missing:#?}");
        // And nothing stale: every entry is a code.
        let all: Vec<&str> = codes().iter().map(|c| c.code).collect();
        for (code, _) in FIXES {
            assert!(all.contains(code), "{code} is no finding code");
        }
    }
}
