//! The fuzz targets' entry points: each hands arbitrary bytes to one reader of the
//! person's files, the way a run would, and asserts that reader's own promises —
//! what it returns for display holds no control character, what it counts is
//! bounded by what it read, a verdict is one of the allowed ones. A broken promise
//! panics, which the fuzzer reports as a crash. The harness in `tests/fuzz/` (afl)
//! and the regression tests (`tests/integration/fuzz_regressions.rs`) call [`run`].
//! The stores of whole secrets (credential files, gpg-agent keys, GNOME keyrings,
//! the applications' password stores) are in `stores`, the block-device stack in
//! `block`.

use std::path::{Path, PathBuf};

use crate::fs::{PrivateTempDir, SafeDir, SafeFile};
use crate::shells::Shell;

mod block;
mod stores;

/// Every target, by the name `tests/fuzz.sh` takes.
pub const TARGETS: &[&str] = &[
    "keys",
    "secrets",
    "history",
    "ssh-config",
    "shell-rc",
    "shell-record",
    "policy",
    "mountinfo",
    "screen-lock",
    "breach-index",
    "state",
    "credentials",
    "block-stack",
    "gpg-agent",
    "gnome-keyring",
    "app-stores",
];

/// Feeds `data` to `target`; panics when a promise is broken. `false` for an
/// unknown target.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "keys" => keys(data),
        "secrets" => secrets(data),
        "history" => history(data),
        "ssh-config" => ssh_config(data),
        "shell-rc" => shell_rc(data),
        "shell-record" => shell_record(data),
        "policy" => policy(data),
        "mountinfo" => mountinfo(data),
        "screen-lock" => screen_lock(data),
        "breach-index" => breach_index(data),
        "state" => state(data),
        "credentials" => stores::credentials(data),
        "block-stack" => block::block_stack(data),
        "gpg-agent" => stores::gpg_agent(data),
        "gnome-keyring" => stores::gnome_keyring(data),
        "app-stores" => stores::app_stores(data),
        _ => return false,
    }
    true
}

/// Panics when `text`, meant for a person's terminal, holds a control character.
fn shown(what: &str, text: &str) {
    assert!(
        !text.chars().any(char::is_control),
        "{what} holds a control character: {text:?}"
    );
}

fn lines(data: &[u8]) -> usize {
    data.split(|b| *b == b'\n').count()
}

/// Key-format recognition: OpenSSH, PEM, DER, PKCS#12, PPK, SSH2, OpenPGP, gpg-agent
/// and GNOME keyrings, from the first bytes of a file.
fn keys(data: &[u8]) {
    let prefix = &data[..data.len().min(crate::keys::scan::KEY_PREFIX_BYTES)];
    let format = crate::keys::format::locate(prefix);
    let inspection = crate::keys::inspect(prefix);
    if let Some(found) = &inspection {
        if let Some(fingerprint) = &found.fingerprint {
            assert!(fingerprint.starts_with("SHA256:"), "{fingerprint:?}");
            shown("fingerprint", fingerprint);
        }
        if let Some(algorithm) = &found.algorithm {
            shown("algorithm", algorithm);
        }
    }
    // The same bytes, the same verdict.
    assert_eq!(crate::keys::inspect(prefix), inspection);
    assert_eq!(crate::keys::format::locate(prefix), format);
}

/// The secret matcher, line by line: spans inside the line, every secret masked.
fn secrets(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        let hits = crate::plaintext::patterns::find_in_line(line);
        for hit in &hits {
            assert!(
                hit.secret.start < hit.secret.end && hit.secret.end <= line.len(),
                "{:?} outside a line of {}",
                hit.secret,
                line.len()
            );
        }
        let masked = crate::plaintext::patterns::mask(line, &hits);
        shown("masked line", &masked);
        // Its documented bound: at most 200 characters, whatever the line.
        assert!(
            masked.chars().count() <= 200,
            "{} characters",
            masked.chars().count()
        );
    }
}

/// Runs `body` on a scratch home holding `data` as `rel` (its directories made):
/// `$CSI_FUZZ_SCRATCH` under the fuzzer (one directory for the whole campaign, which
/// `tests/fuzz.sh` makes and removes), else a private directory of this thread's
/// own, removed when the thread ends.
fn planted<R>(rel: &str, data: &[u8], body: impl FnOnce(&SafeDir) -> R) -> R {
    thread_local! {
        static DIR: PrivateTempDir = PrivateTempDir::create("csi-fuzz").expect("a scratch directory");
    }
    let in_home = |root: &Path| {
        let home = SafeDir::open_root(root).expect("the scratch home");
        let (dir, name) = home
            .create_parent_within(Path::new(rel), 0o700)
            .expect("the file's directory");
        dir.write_atomic(name, data, 0o600).expect("the file");
        body(&home)
    };
    match std::env::var_os("CSI_FUZZ_SCRATCH") {
        Some(root) => in_home(Path::new(&root)),
        None => DIR.with(|dir| in_home(dir.path())),
    }
}

/// Runs `body` on a home of its own holding `files` (relative paths; one ending in
/// `/` is a directory only), made for this input and removed after it, for the
/// readers that look at many places at once: what one input planted must not be
/// seen by the next. A file that cannot be planted where an earlier one stands is
/// left out, as the input's own contradiction.
fn fresh_home<R>(files: &[(&str, &[u8])], body: impl FnOnce(&SafeDir) -> R) -> R {
    let dir = PrivateTempDir::create("csi-fuzz-home").expect("a scratch home");
    let home = SafeDir::open_root(dir.path()).expect("the scratch home");
    for (rel, data) in files {
        if let Some(rel) = rel.strip_suffix('/') {
            let _ = home.create_dirs_within(Path::new(rel), 0o700);
        } else if let Ok((parent, name)) = home.create_parent_within(Path::new(rel), 0o700) {
            let _ = parent.write_atomic(name, data, 0o600);
        }
    }
    body(&home)
}

/// The history reader: every leak on a line that exists, masked for a terminal.
fn history(data: &[u8]) {
    let leaks = planted(".bash_history", data, |home| {
        let file = SafeFile::open_named(&home.path().join(".bash_history")).expect("the history");
        crate::plaintext::history::leaks(file).expect("a readable history")
    });
    let count = lines(data) as u64;
    assert!(leaks.kept.len() <= crate::plaintext::history::KEPT_LEAKS);
    assert!(leaks.kept.len() as u64 <= leaks.total, "{leaks:?}");
    // The first of the file, in its order.
    assert!(leaks.kept.windows(2).all(|w| w[0].line <= w[1].line));
    for leak in &leaks.kept {
        assert!(leak.line >= 1 && leak.line <= count, "line {}", leak.line);
        shown("masked line", &leak.masked);
        assert!(leak.masked.chars().count() <= 200, "{:?}", leak.masked);
    }
    assert!(leaks.total <= 16 * count, "{} leaks", leaks.total);
}

/// The ssh_config reader, includes and all.
fn ssh_config(data: &[u8]) {
    // The scratch home is the fuzzer's own: links to its files are followed.
    let config = planted(".ssh/config", data, |home| {
        crate::ssh_config::read_user(home, home.meta().uid)
    });
    for directive in &config.directives {
        assert!(directive.line >= 1);
        assert!(
            !directive.keyword.is_empty()
                && !directive.keyword.bytes().any(|b| b.is_ascii_uppercase()),
            "{directive:?}"
        );
        assert!(!directive.args.is_empty(), "{directive:?}");
    }
}

/// The bash, zsh and fish rc readers.
fn shell_rc(data: &[u8]) {
    for (rel, shell) in [
        (".bashrc", Shell::Bash),
        (".zshrc", Shell::Zsh),
        (".config/fish/config.fish", Shell::Fish),
    ] {
        planted(rel, data, |home| {
            for name in ["HISTFILE", "HISTSIZE", "HISTCONTROL", "fish_history"] {
                if let Some(variable) = crate::shells::rc_variable(home, shell, name)
                    && let Some(readonly) = &variable.readonly
                {
                    shown("readonly place", readonly);
                }
            }
        });
    }
}

/// The shell hook's record.
fn shell_record(data: &[u8]) {
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        match crate::shells::record::parse(data, shell) {
            Ok(fields) => {
                for (key, value) in &fields {
                    assert!(!key.is_empty() && !key.contains('\0') && !value.contains('\0'));
                }
            }
            Err(why) => shown("why a record is ignored", &why),
        }
    }
}

/// The policy loader: a file accepted, or one line naming what and where.
fn policy(data: &[u8]) {
    let loaded = planted("policy.toml", data, |home| {
        let path: PathBuf = home.path().join("policy.toml");
        crate::policy::load(&crate::policy::LoadOptions {
            policy_file: Some(&path),
            ..crate::policy::LoadOptions::default()
        })
    });
    if let Err(error) = loaded {
        let message = error.to_string();
        assert!(!message.contains('\n'), "not one line: {message:?}");
        shown("policy error", &message);
    }
}

/// `/proc/self/mountinfo` lines.
fn mountinfo(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if crate::at_rest::parses_as_mountinfo(line) {
            assert!(
                line.contains(" - "),
                "a mount without the separator: {line:?}"
            );
        }
    }
}

/// The xfconf, KDE, xscreensaver, sway and hypridle readers.
fn screen_lock(data: &[u8]) {
    use crate::screen_lock::{files, gsettings, wayland};
    let text = String::from_utf8_lossy(data);
    let path = Path::new("/fuzz/config");
    let _ = files::xfconf_properties(&text);
    let _ = gsettings::parse_variant(&text);
    let _ = files::resource_seconds(&text);
    for locker in [
        files::kde(None, Some((path, &text))),
        files::xfce(None, Some((path, &text))),
        files::xscreensaver(None, Some((path, &text))),
        wayland::swayidle(Some((path, &text)), None),
        wayland::swayidle(None, Some((path, &text))),
        wayland::hypridle(Some((path, &text))),
    ] {
        for line in locker.unknown.iter().chain(&locker.notes) {
            shown(&locker.name, line);
        }
    }
}

/// The breached-password index: refused whole, or every lookup answers.
fn breach_index(data: &[u8]) {
    planted("breach.idx", data, |home| {
        let file = SafeFile::open_named(&home.path().join("breach.idx")).expect("the index");
        if let Ok(index) = crate::breach::Index::open(file) {
            for hash in [[0u8; 20], [0xff; 20], [0x5a; 20]] {
                let _ = index.lookup(&hash);
            }
        }
    });
}

/// The state files: what parses writes back as the same value.
fn state(data: &[u8]) {
    fn round_trip<T>(data: &[u8])
    where
        T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        if let Ok(value) = serde_json::from_slice::<T>(data) {
            let bytes = serde_json::to_vec(&value).expect("written back");
            let again: T = serde_json::from_slice(&bytes).expect("read again");
            assert_eq!(format!("{value:?}"), format!("{again:?}"));
        }
    }
    round_trip::<crate::checks::reminders::Shown>(data);
    round_trip::<crate::reuse::Fingerprints>(data);
    round_trip::<crate::backup::BackupRecord>(data);
}
