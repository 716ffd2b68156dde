//! Password reuse against a real Secret Service: gnome-keyring-daemon on a private
//! session bus (dbus-run-session), unlocked with a test password, in a home of its
//! own; and the refusals of --keyring-file, which need no keyring.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use sha2::Digest;

use crate::util::{Cli, Home, Run, chmod, have, is_root, skip};

const BANK: &str = "Correct-Horse-Battery-9!";
const OTHER: &str = "Tr0ub4dor&3-Elephant-Wing";

/// A private session bus with gnome-keyring-daemon's Secret Service on it, until
/// dropped. The bus, the daemon and the shell holding them up are all under
/// `timeout`, so a test that dies cannot leave them behind for long.
struct Keyring {
    child: Child,
    runtime: tempfile::TempDir,
    address: String,
    home: PathBuf,
}

impl Keyring {
    /// `unlock`: the daemon is given the login password on stdin, as a PAM login
    /// would, and the login keyring (made on first use) is open; otherwise it starts
    /// with the keyring as it was left on disk: locked.
    fn start(home: &Home, unlock: bool) -> Keyring {
        let runtime = tempfile::Builder::new()
            .prefix("csi-run")
            .tempdir()
            .unwrap();
        chmod(runtime.path(), 0o700);
        let daemon = if unlock {
            "printf %s testpass | gnome-keyring-daemon --unlock --components=secrets"
        } else {
            "gnome-keyring-daemon --start --components=secrets"
        };
        let script = format!(
            r#"{daemon} >/dev/null 2>&1 || exit 3
printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$R/address.new" && mv "$R/address.new" "$R/address"
while [ ! -e "$R/stop" ]; do sleep 0.1; done"#
        );
        let child = Command::new("timeout")
            .args(["300", "dbus-run-session", "--", "sh", "-c", &script])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("R", runtime.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut keyring = Keyring {
            child,
            address: String::new(),
            home: home.path().to_owned(),
            runtime,
        };
        let file = keyring.runtime.path().join("address");
        let start = Instant::now();
        while !file.exists() {
            if let Some(status) = keyring.child.try_wait().unwrap() {
                panic!("the keyring session ended before it was ready: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "gnome-keyring-daemon did not start within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        keyring.address = std::fs::read_to_string(&file).unwrap();
        keyring
    }

    /// A run of the binary as a program of this session would be run: on its bus,
    /// with its HOME; `--format json` and the home given.
    fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut all = vec!["--home", self.home.to_str().unwrap(), "--format", "json"];
        all.extend_from_slice(args);
        let run = Cli::new(all)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", self.home.to_str().unwrap())
            .env("XDG_RUNTIME_DIR", self.runtime.path().to_str().unwrap())
            .stdin(format!("{stdin}\n").as_bytes())
            .run();
        never_shown(&run);
        run
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = std::fs::write(self.runtime.path().join("stop"), b"");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools(test: &str) -> bool {
    have("dbus-run-session", test) && have("gnome-keyring-daemon", test)
}

fn never_shown(run: &Run) {
    for secret in [BANK, OTHER] {
        assert!(!run.stdout.contains(secret), "the password reached stdout");
        assert!(!run.stderr.contains(secret), "the password reached stderr");
    }
}

/// The findings of the reuse check, as (status, policy, code, message).
fn reuse_findings(run: &Run) -> Vec<(String, String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "password-fingerprints")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("status"), s("policy"), s("code"), s("message"))
        })
        .collect()
}

fn codes_of(run: &Run) -> Vec<String> {
    reuse_findings(run).into_iter().map(|f| f.2).collect()
}

fn state_file(home: &Home) -> PathBuf {
    home.join(".local/state/csi-self-check/fingerprints.json")
}

/// Every file below `dir`, for "nothing was written anywhere".
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The ways a careless tool would store a password; none may be in the state file.
fn plain_forms(password: &str) -> Vec<String> {
    let bytes = password.as_bytes();
    let sha1 = sha1::Sha1::digest(bytes);
    let sha256 = sha2::Sha256::digest(bytes);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    vec![
        password.to_owned(),
        hex(bytes),
        Base64::encode_string(bytes),
        hex(&sha1),
        hex(&sha1).to_uppercase(),
        Base64::encode_string(&sha1),
        hex(&sha256),
        hex(&sha256).to_uppercase(),
        Base64::encode_string(&sha256),
    ]
}

#[test]
fn the_same_password_under_another_label_is_reported_and_the_state_file_holds_no_password() {
    let test =
        "the_same_password_under_another_label_is_reported_and_the_state_file_holds_no_password";
    if !tools(test) {
        return;
    }
    let home = Home::new();
    let keyring = Keyring::start(&home, true);

    let bank = keyring.run(&["password", "--stdin", "--remember", "bank"], BANK);
    assert_eq!(bank.code, 0, "{}{}", bank.stdout, bank.stderr);
    assert_eq!(codes_of(&bank), ["password-remembered"]);

    // The same password under another label: the reuse, naming the other label.
    let mail = keyring.run(&["password", "--stdin", "--remember", "mail"], BANK);
    let found = reuse_findings(&mail);
    assert_eq!(
        codes_of(&mail),
        ["password-reused", "password-remembered"],
        "{found:?}"
    );
    let (status, policy, _, message) = &found[0];
    assert_eq!(
        (status.as_str(), policy.as_str()),
        ("fail", "password-reuse")
    );
    assert!(message.contains("same password as `bank`"), "{message}");
    // password-reuse is a should-not: reported, but not a must-level failure.
    assert_eq!(mail.code, 0);

    // A different password is not reported, and is compared with both.
    let other = keyring.run(&["password", "--stdin"], OTHER);
    assert_eq!(codes_of(&other), ["password-not-reused"]);
    assert!(reuse_findings(&other)[0].3.contains("any of the 2 other"));
    // Remembering the same label again is no reuse of itself.
    let again = keyring.run(&["password", "--stdin", "--remember", "bank"], OTHER);
    assert_eq!(
        codes_of(&again),
        ["password-not-reused", "password-remembered"]
    );

    // The state file: labels, kinds, dates and MACs; no password in any plain form.
    let path = state_file(&home);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&path).unwrap();
    for password in [BANK, OTHER] {
        for form in plain_forms(password) {
            assert!(!text.contains(&form), "the state file holds {form}");
        }
    }
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = json["fingerprints"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for entry in entries {
        assert_eq!(entry["kind"], "password");
        assert_eq!(
            Base64::decode_vec(entry["mac"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
    }
}

#[test]
fn forget_removes_one_label_and_an_unknown_label_is_an_error() {
    let test = "forget_removes_one_label_and_an_unknown_label_is_an_error";
    if !tools(test) {
        return;
    }
    let home = Home::new();
    let keyring = Keyring::start(&home, true);
    assert_eq!(
        keyring
            .run(&["password", "--stdin", "--remember", "bank"], BANK)
            .code,
        0
    );
    let forget = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--forget",
        "bank",
    ])
    .run();
    assert_eq!(forget.code, 0, "{}", forget.stderr);
    assert!(forget.stdout.contains("`bank`"), "{}", forget.stdout);
    // Nothing remembered now: the same password is no reuse, and nothing is said.
    let mail = keyring.run(&["password", "--stdin", "--remember", "mail"], BANK);
    assert_eq!(codes_of(&mail), ["password-remembered"]);
    let again = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--forget",
        "bank",
    ])
    .run();
    assert_eq!(again.code, 2);
    assert_eq!(again.stderr.lines().count(), 1, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("no fingerprint is remembered as `bank`")
    );
    // --forget asks for no password, so it cannot be given one.
    let both = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--forget",
        "bank",
        "--stdin",
    ])
    .run();
    assert_eq!(both.code, 2);
}

#[test]
fn a_key_passphrase_equal_to_a_remembered_password_is_reported_under_key_passwords() {
    let test = "a_key_passphrase_equal_to_a_remembered_password_is_reported_under_key_passwords";
    if !tools(test) || !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", Some(BANK), None, 0o600);
    let key_str = key.to_str().unwrap();
    let keyring = Keyring::start(&home, true);
    assert_eq!(
        keyring
            .run(&["password", "--stdin", "--remember", "bank"], BANK)
            .code,
        0
    );

    let check = keyring.run(&["key", "check", key_str, "--stdin"], BANK);
    let found = reuse_findings(&check);
    assert_eq!(codes_of(&check), ["key-passphrase-reused"], "{found:?}");
    let (status, policy, _, message) = &found[0];
    assert_eq!(
        (status.as_str(), policy.as_str()),
        ("fail", "key-passwords")
    );
    assert!(message.contains("same passphrase as `bank`"), "{message}");
    let finding = &check.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "key-passphrase-reused")
        .unwrap()
        .clone();
    assert_eq!(finding["path"], key_str);
    // key-passwords is a must: every key has a passphrase of its own.
    assert_eq!(check.code, 1);

    // Remembered under its path, the passphrase is reported from the password side.
    let remember = keyring.run(&["key", "check", key_str, "--stdin", "--remember"], BANK);
    assert!(codes_of(&remember).contains(&"key-passphrase-remembered".to_owned()));
    let password = keyring.run(&["password", "--stdin"], BANK);
    let messages: Vec<String> = reuse_findings(&password).into_iter().map(|f| f.3).collect();
    assert_eq!(codes_of(&password), ["password-reused", "password-reused"]);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("same password as `bank`"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&format!("same password as key {key_str}"))),
        "{messages:?}"
    );
    // The key's own passphrase, checked again, is not a reuse of itself.
    let again = keyring.run(&["key", "check", key_str, "--stdin"], BANK);
    assert_eq!(codes_of(&again), ["key-passphrase-reused"]);
}

#[test]
fn a_locked_keyring_skips_and_writes_nothing() {
    let test = "a_locked_keyring_skips_and_writes_nothing";
    if !tools(test) {
        return;
    }
    let home = Home::new();
    {
        let keyring = Keyring::start(&home, true);
        let bank = keyring.run(&["password", "--stdin", "--remember", "bank"], BANK);
        assert_eq!(codes_of(&bank), ["password-remembered"]);
    }
    let before = std::fs::read(state_file(&home)).unwrap();
    let files = files_below(home.path());
    // The same keyring on disk, its daemon started without the login password.
    let locked = Keyring::start(&home, false);
    let start = Instant::now();
    for args in [
        &["password", "--stdin"][..],
        &["password", "--stdin", "--remember", "mail"][..],
    ] {
        let run = locked.run(args, BANK);
        let found = reuse_findings(&run);
        assert_eq!(codes_of(&run), ["reuse-not-checked"], "{found:?}");
        assert_eq!(found[0].0, "skip");
        assert!(
            found[0]
                .3
                .contains("no keyring to keep the fingerprint key"),
            "{}",
            found[0].3
        );
        assert!(found[0].3.contains("--keyring-file"), "{}", found[0].3);
    }
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(std::fs::read(state_file(&home)).unwrap(), before);
    let after: Vec<PathBuf> = files_below(home.path())
        .into_iter()
        // gnome-keyring's own files may change; ours may not.
        .filter(|p| !p.starts_with(home.join(".local/share/keyrings")))
        .collect();
    let before_ours: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| !p.starts_with(home.join(".local/share/keyrings")))
        .collect();
    assert_eq!(after, before_ours, "a file appeared: a fallback key?");
}

#[test]
fn without_a_keyring_nothing_is_remembered_and_nothing_falls_back_to_disk() {
    let home = Home::new();
    let runtime = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    // No session bus: no DBUS_SESSION_BUS_ADDRESS, and no bus in XDG_RUNTIME_DIR.
    let absent = Cli::new([
        "--home",
        h,
        "--format",
        "json",
        "password",
        "--stdin",
        "--remember",
        "bank",
    ])
    .env("HOME", h)
    .env("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())
    .no_bus_address()
    .stdin(format!("{BANK}\n").as_bytes())
    .run();
    never_shown(&absent);
    // A bus address where nothing listens.
    let dead = Cli::new([
        "--home",
        h,
        "--format",
        "json",
        "password",
        "--stdin",
        "--remember",
        "bank",
    ])
    .env(
        "DBUS_SESSION_BUS_ADDRESS",
        &format!("unix:path={}/bus", runtime.path().display()),
    )
    .stdin(format!("{BANK}\n").as_bytes())
    .run();
    for run in [&absent, &dead] {
        let found = reuse_findings(run);
        assert_eq!(codes_of(run), ["reuse-not-checked"], "{found:?}");
        assert!(
            found[0]
                .3
                .contains("no keyring to keep the fingerprint key")
        );
        assert_eq!(run.code, 0);
        assert!(run.elapsed < Duration::from_secs(20));
    }
    assert!(
        files_below(home.path()).is_empty(),
        "{:?}",
        files_below(home.path())
    );
    assert!(files_below(runtime.path()).is_empty());
}

#[test]
fn a_keyring_file_must_be_private_and_encrypted_unless_forced() {
    let home = Home::new();
    let h = home.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("fingerprint.key");
    let k = key.to_str().unwrap();
    let run = |extra: &[&str], password: &str| {
        let mut args = vec![
            "--home",
            h,
            "--format",
            "json",
            "password",
            "--stdin",
            "--keyring-file",
            k,
        ];
        args.extend_from_slice(extra);
        let run = Cli::new(args)
            .stdin(format!("{password}\n").as_bytes())
            .run();
        never_shown(&run);
        run
    };
    // This machine's temporary directory is not known to be encrypted: refused,
    // before any password is read, in one line.
    let refused = run(&["--remember", "bank"], BANK);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("not known to be encrypted"),
        "{}",
        refused.stderr
    );
    assert!(!key.exists());
    assert!(!state_file(&home).exists());

    // --force: the key file is made 0600 and the fingerprints work as with a keyring.
    let bank = run(&["--force", "--remember", "bank"], BANK);
    assert_eq!(codes_of(&bank), ["password-remembered"], "{}", bank.stderr);
    assert_eq!(std::fs::metadata(&key).unwrap().mode() & 0o777, 0o600);
    let mail = run(&["--force", "--remember", "mail"], BANK);
    assert_eq!(codes_of(&mail), ["password-reused", "password-remembered"]);
    let key_text = std::fs::read_to_string(&key).unwrap();
    let state = std::fs::read_to_string(state_file(&home)).unwrap();
    assert!(
        !state.contains(key_text.trim()),
        "the key is beside the fingerprints"
    );

    // Readable by others: refused, --force or not.
    chmod(&key, 0o644);
    let open = run(&["--force"], BANK);
    assert_eq!(open.code, 2);
    assert!(open.stderr.contains("mode 0644"), "{}", open.stderr);
    chmod(&key, 0o600);

    // Someone else's: refused, --force or not.
    if is_root() {
        std::os::unix::fs::chown(&key, Some(65534), Some(65534)).unwrap();
        let theirs = run(&["--force"], BANK);
        assert_eq!(theirs.code, 2);
        assert!(theirs.stderr.contains("not to you"), "{}", theirs.stderr);
    } else {
        skip(
            "a_keyring_file_must_be_private_and_encrypted_unless_forced",
            "giving the key file to another user needs root",
        );
    }
    // --force means nothing without --keyring-file.
    let alone = Cli::new(["--home", h, "password", "--stdin", "--force"])
        .stdin(b"x\n")
        .run();
    assert_eq!(alone.code, 2);
}
