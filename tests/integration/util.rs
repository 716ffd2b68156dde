//! Fixture homes and a runner for the real binary. Every run has a time limit, so a
//! blocking open shows up as a failure instead of a hung suite.

use std::ffi::OsStr;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_csi-self-check");

/// Under `CI=true` a skipped test is a failure; elsewhere it prints a visible line.
pub fn skip(test: &str, why: &str) {
    if std::env::var_os("CI").is_some_and(|v| v == "true") {
        panic!("{test}: cannot be skipped under CI: {why}");
    }
    println!("SKIPPED {test}: {why}");
}

pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The tool on PATH, or a skip.
pub fn have(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        skip(
            test,
            &format!("{tool} is not installed (the README's test command installs it)"),
        );
    }
    found
}

/// A home directory in a temporary directory.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("csi-home")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Home { dir }
    }

    /// A home with an empty 0700 `~/.ssh`.
    pub fn with_ssh() -> Home {
        let home = Home::new();
        home.dir(".ssh", 0o700);
        home
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn dir(&self, rel: &str, mode: u32) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(&path).unwrap();
        chmod(&path, mode);
        path
    }

    pub fn file(&self, rel: impl AsRef<Path>, bytes: &[u8], mode: u32) -> PathBuf {
        let path = self.join(rel);
        std::fs::write(&path, bytes).unwrap();
        chmod(&path, mode);
        path
    }

    /// A key made by ssh-keygen now; `format` is `None` (openssh-key-v1), `"PEM"` or
    /// `"PKCS8"`. Returns the private key's path; the `.pub` lies beside it.
    pub fn keygen(
        &self,
        rel: &str,
        passphrase: Option<&str>,
        format: Option<&str>,
        mode: u32,
    ) -> PathBuf {
        let path = self.join(rel);
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(["-q", "-t"])
            .arg(if format.is_some() { "rsa" } else { "ed25519" });
        if format.is_some() {
            cmd.args(["-b", "1024"]);
        }
        if let Some(format) = format {
            cmd.args(["-m", format]);
        }
        cmd.args([
            "-a",
            "2",
            "-C",
            "test",
            "-N",
            passphrase.unwrap_or(""),
            "-f",
        ])
        .arg(&path);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "ssh-keygen: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        chmod(&path, mode);
        path
    }

    pub fn symlink(&self, rel: impl AsRef<Path>, target: impl AsRef<Path>) -> PathBuf {
        let path = self.join(rel);
        symlink(target, &path).unwrap();
        path
    }

    pub fn fifo(&self, rel: &str) -> PathBuf {
        let path = self.join(rel);
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        path
    }

    pub fn socket(&self, rel: &str) -> PathBuf {
        let path = self.join(rel);
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        path
    }

    pub fn sparse(&self, rel: &str, size: u64) -> PathBuf {
        let path = self.join(rel);
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
        path
    }

    /// Hands the whole tree to `uid` (root only), for runs as that user.
    pub fn chown_all(&self, uid: u32) {
        let status = Command::new("chown")
            .args(["-hR", &format!("{uid}:{uid}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The outcome of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Standard output as the JSON document it must be, held to its JSON Schema.
    pub fn json(&self) -> serde_json::Value {
        let doc = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout));
        validate_json(&self.stdout);
        doc
    }

    /// Findings of a JSON run with this path, as (status, level, code).
    pub fn findings_for(&self, path: &Path) -> Vec<(String, String, String)> {
        let want = path.to_str().unwrap();
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == want)
            .map(|f| {
                (
                    f["status"].as_str().unwrap().to_owned(),
                    f["level"].as_str().unwrap().to_owned(),
                    f["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    pub fn codes(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// A run of the binary with a clean environment.
pub struct Cli {
    cmd: Command,
    input: Option<Vec<u8>>,
}

impl Cli {
    pub fn new<I, S>(args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null());
        Cli { cmd, input: None }
    }

    /// `--home H --format json` plus `args`.
    pub fn json(home: &Home, args: &[&str]) -> Run {
        let mut all = vec!["--home", home.path().to_str().unwrap(), "--format", "json"];
        all.extend_from_slice(args);
        Cli::new(all).run()
    }

    pub fn env(mut self, key: &str, value: &str) -> Cli {
        self.cmd.env(key, value);
        self
    }

    /// Feeds `bytes` on standard input.
    pub fn stdin(mut self, bytes: &[u8]) -> Cli {
        self.input = Some(bytes.to_vec());
        self.cmd.stdin(Stdio::piped());
        self
    }

    pub fn run_as(mut self, uid: u32) -> Cli {
        // std drops the supplementary groups itself when root sets a uid.
        self.cmd.uid(uid).gid(uid);
        self
    }

    /// Runs with a 60-second limit; a run that takes longer has blocked and is killed.
    pub fn run(mut self) -> Run {
        let start = Instant::now();
        let mut child = self
            .cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = self.input.take() {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut pipe, &input);
            });
        }
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        let limit = Duration::from_secs(60);
        let out = match rx.recv_timeout(limit) {
            Ok(out) => out.unwrap(),
            Err(_) => {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                panic!("csi-self-check did not finish within {limit:?}: it blocked");
            }
        };
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            elapsed: start.elapsed(),
        }
    }
}

/// useradd and userdel lock the account files; tests take turns.
static ACCOUNTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// An account made by `useradd -m` for one test, removed with its home by
/// `userdel -r -f` when dropped, a panicking test included.
pub struct TestUser {
    pub name: &'static str,
    pub uid: u32,
    pub home: PathBuf,
}

impl TestUser {
    pub fn new(name: &'static str) -> TestUser {
        let _turn = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        // Left over by a run that was killed before its guards ran.
        let _ = Command::new("userdel").args(["-r", name]).output();
        let out = Command::new("useradd")
            .args(["-m", "-s", "/bin/bash", name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "useradd {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let user = nix::unistd::User::from_name(name).unwrap().unwrap();
        TestUser {
            name,
            uid: user.uid.as_raw(),
            home: user.dir,
        }
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.home.join(rel)
    }

    /// Hands `path` (not what a link points to) to this user.
    pub fn give(&self, path: &Path) {
        std::os::unix::fs::lchown(path, Some(self.uid), Some(self.uid)).unwrap();
    }

    /// An ed25519 key without a passphrase, made by ssh-keygen now, at
    /// `~/.ssh/id_ed25519` with `mode` (0640: not compliant; 0400: only the missing
    /// passphrase fails), `~/.ssh` 0700, all this user's. Returns the key's path.
    pub fn unencrypted_key(&self, mode: u32) -> PathBuf {
        let ssh = self.join(".ssh");
        std::fs::create_dir(&ssh).unwrap();
        chmod(&ssh, 0o700);
        let key = ssh.join("id_ed25519");
        let out = Command::new("ssh-keygen")
            .args([
                "-q", "-t", "ed25519", "-a", "2", "-N", "", "-C", "test", "-f",
            ])
            .arg(&key)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ssh-keygen: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        chmod(&key, mode);
        for path in [&ssh, &key, &ssh.join("id_ed25519.pub")] {
            self.give(path);
        }
        key
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let _turn = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = std::fs::set_permissions(&self.home, std::fs::Permissions::from_mode(0o755));
        // -f: a process of the user that outlived its test must not leave the account.
        let _ = Command::new("userdel")
            .args(["-r", "-f", self.name])
            .output();
    }
}

/// A real terminal: a private tmux server (its own socket, no configuration file).
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A private server (its own socket, no configuration file) running `command`
    /// in a 160x50 window; tests running at once each name their own.
    pub fn start(tag: &str, command: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("csi-test-{}-{tag}", std::process::id()),
        };
        let status = tmux
            .command()
            .args([
                "new-session",
                "-d",
                "-s",
                "check",
                "-x",
                "160",
                "-y",
                "50",
                command,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        tmux
    }

    pub fn command(&self) -> Command {
        // Every tmux call is bounded: a hang fails the test instead of stalling the suite.
        let mut cmd = Command::new("timeout");
        cmd.args(["30", "tmux", "-L", &self.socket, "-f", "/dev/null"])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "xterm");
        cmd
    }

    pub fn screen(&self) -> String {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", "check"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen with colours kept as escape sequences.
    pub fn screen_with_colours(&self) -> String {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-e", "-J", "-S", "-", "-t", "check"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never saw {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

/// The names in `dir`, sorted: what a test compares to show that nothing was left
/// behind, whatever a temporary file was called (or whether it had a name at all).
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A site policy file for one test: `/etc/csi-self-check/test-PID-TAG.toml`, root's
/// and 0644 as the site's must be, named with `--policy` (never `policy.toml` or
/// `policy.d/`, so no other run reads it), removed when dropped — a panicking test
/// included — with the directory if the test made it.
pub struct SitePolicy {
    pub path: PathBuf,
    made_dir: bool,
}

impl SitePolicy {
    pub fn new(tag: &str, text: &str) -> SitePolicy {
        let dir = Path::new("/etc/csi-self-check");
        let made_dir = !dir.exists();
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("test-{}-{tag}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        chmod(&path, 0o644);
        SitePolicy { path, made_dir }
    }

    pub fn arg(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for SitePolicy {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if self.made_dir {
            // Only when empty: another test's file may be there now.
            let _ = std::fs::remove_dir("/etc/csi-self-check");
        }
    }
}

/// The JSON Schema validator, `tests/schema/validate --serve` (python3-jsonschema),
/// started once for the whole test binary and asked one document at a time.
struct Validator {
    input: std::process::ChildStdin,
    answers: std::sync::mpsc::Receiver<String>,
    _process: std::process::Child,
}

static VALIDATOR: std::sync::OnceLock<Option<std::sync::Mutex<Validator>>> =
    std::sync::OnceLock::new();

fn start_validator() -> Option<std::sync::Mutex<Validator>> {
    let test = "every JSON output against its schema";
    let have_jsonschema = Command::new("/usr/bin/python3")
        .args(["-c", "import jsonschema"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_jsonschema {
        skip(
            test,
            "python3-jsonschema is not installed (the README's test command installs it)",
        );
        return None;
    }
    let mut process = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schema/validate"
    ))
    .arg("--serve")
    .env_clear()
    .env("PATH", "/usr/bin:/bin")
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let input = process.stdin.take().unwrap();
    let output = process.stdout.take().unwrap();
    let (tx, answers) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Some(std::sync::Mutex::new(Validator {
        input,
        answers,
        _process: process,
    }))
}

/// Holds one JSON document (one line, as every output of the tool is) to the schema
/// its keys name; a document that breaks it fails the test.
pub fn validate_json(text: &str) {
    let Some(validator) = VALIDATOR.get_or_init(start_validator) else {
        return;
    };
    let line = text.trim_end();
    assert!(!line.contains('\n'), "not one line of JSON: {text}");
    let answer = {
        let mut validator = validator.lock().unwrap_or_else(|e| e.into_inner());
        std::io::Write::write_all(&mut validator.input, format!("{line}\n").as_bytes())
            .expect("the schema validator stopped");
        validator
            .answers
            .recv_timeout(Duration::from_secs(60))
            .expect("the schema validator did not answer within a minute")
    };
    assert_eq!(answer, "ok", "the JSON does not follow its schema:\n{text}");
}
