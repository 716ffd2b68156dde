//! Fixture homes and a runner for the real binary. Every run has a time limit, so a
//! blocking open shows up as a failure instead of a hung suite.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_csi-self-check");

/// Something cargo built beside the binary (`deps/…`), by its path there.
pub fn built(rel: &str) -> PathBuf {
    Path::new(BIN).parent().unwrap().join(rel)
}

/// Where the build left the shell completions, beside the binary (src/build.rs).
pub fn completions_dir() -> PathBuf {
    built("completions")
}

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
        let mut cmd = tool("ssh-keygen");
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

    /// The findings of `check` in the JSON report, whole.
    pub fn findings_of(&self, check: &str) -> Vec<serde_json::Value> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == check)
            .cloned()
            .collect()
    }

    /// Asserts that `check` says `skip` for `path`, with `says` in its message;
    /// the check's findings, for what else a test asserts of them.
    pub fn skip_at(&self, check: &str, path: &Path, says: &str) -> Vec<serde_json::Value> {
        let found = self.findings_of(check);
        let skip = found
            .iter()
            .find(|f| f["path"] == path.to_str().unwrap())
            .unwrap_or_else(|| panic!("no finding at {}: {}", path.display(), self.stdout));
        assert_eq!(skip["status"], "skip", "{skip}");
        assert!(skip["message"].as_str().unwrap().contains(says), "{skip}");
        found
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

/// A run of the binary, hermetic: a clean environment whose `HOME` and
/// `XDG_RUNTIME_DIR` are empty temporary directories of the run's own,
/// `DBUS_SESSION_BUS_ADDRESS` a socket nobody listens on (so no keyring or desktop of
/// the account running the tests is reached), the other XDG variables unset, and `/`
/// for the working directory. A test sets any of them with [`Cli::env`] to paths of
/// its own (its private bus, its home).
///
/// Before it runs, the command line is read as the binary reads it (src/cli.rs): a
/// command that looks at a home must have `--home` in a test's directory, or run as a
/// throwaway account ([`TestUser`]); anything else panics, because the binary would
/// take the real account's home from the password database. After it runs, the
/// environment's `HOME` and runtime directory must still be empty.
pub struct Cli {
    args: Vec<OsString>,
    /// Set (`Some`) or removed (`None`) over the sandbox's defaults.
    env: Vec<(String, Option<OsString>)>,
    input: Option<Vec<u8>>,
    uid: Option<u32>,
    cwd: Option<PathBuf>,
    /// A program that starts the binary (`setsid -w`), before BIN and the arguments.
    wrapper: Vec<OsString>,
    /// How long the run may take before it is taken for blocked.
    patience: Duration,
}

/// The environment variables that name places; a test may point them only at its own.
const PLACE_VARIABLES: &[&str] = &[
    "HOME",
    "XDG_STATE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_RUNTIME_DIR",
    SYSROOT_VAR,
];

impl Cli {
    pub fn new<I, S>(args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Cli {
            args: args.into_iter().map(|a| a.as_ref().to_owned()).collect(),
            env: Vec::new(),
            input: None,
            uid: None,
            cwd: None,
            wrapper: Vec::new(),
            patience: Duration::from_secs(60),
        }
    }

    /// `--home H --format json` plus `args`.
    pub fn json(home: &Home, args: &[&str]) -> Run {
        let mut all = vec!["--home", home.path().to_str().unwrap(), "--format", "json"];
        all.extend_from_slice(args);
        Cli::new(all).run()
    }

    /// Sets `key`; a variable that names a place must name the test's own.
    pub fn env(mut self, key: &str, value: &str) -> Cli {
        if PLACE_VARIABLES.contains(&key) {
            assert!(
                test_owned(Path::new(value)),
                "{key}={value}: not a path of the test's own (a temporary directory or a TestUser's home)"
            );
        }
        if key == "DBUS_SESSION_BUS_ADDRESS" {
            let own = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok();
            assert!(
                own.as_deref() != Some(value) && !value.contains("/run/user/"),
                "{key}={value}: the session bus of the account running the tests"
            );
        }
        self.env.push((key.to_owned(), Some(value.into())));
        self
    }

    /// No `DBUS_SESSION_BUS_ADDRESS` at all: D-Bus clients fall back to
    /// `$XDG_RUNTIME_DIR/bus`, which is still the run's own empty directory.
    pub fn no_bus_address(mut self) -> Cli {
        self.env.push(("DBUS_SESSION_BUS_ADDRESS".to_owned(), None));
        self
    }

    /// Feeds `bytes` on standard input.
    pub fn stdin(mut self, bytes: &[u8]) -> Cli {
        self.input = Some(bytes.to_vec());
        self
    }

    pub fn run_as(mut self, uid: u32) -> Cli {
        self.uid = Some(uid);
        self
    }

    /// The working directory, for relative paths on the command line.
    pub fn current_dir(mut self, dir: &Path) -> Cli {
        self.cwd = Some(dir.to_owned());
        self
    }

    /// Started by `wrapper` (`["setsid", "-w"]`): `wrapper… BIN args…`.
    /// A longer wait before the run is taken for blocked, for a run over hundreds of
    /// megabytes in a debug build on a busy machine; never an assertion on time.
    pub fn patience(mut self, limit: Duration) -> Cli {
        self.patience = limit;
        self
    }

    pub fn via(mut self, wrapper: &[&str]) -> Cli {
        self.wrapper = wrapper.iter().map(OsString::from).collect();
        self
    }

    fn is_set(&self, key: &str) -> bool {
        self.env.iter().any(|(k, _)| k == key)
    }

    /// Panics unless this command line leaves the real account alone.
    fn refuse_the_real_account(&self) {
        if let Some(why) = self.refusal() {
            panic!(
                "refusing to run csi-self-check {:?}: {why}",
                self.args
                    .iter()
                    .map(|a| a.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }

    /// Why the runner refuses this command line, if it does.
    pub fn refusal(&self) -> Option<String> {
        self.reaches_the_real_account().err()
    }

    fn reaches_the_real_account(&self) -> Result<(), String> {
        use crate::binary_cli::{BreachAction, Command as Sub, KeyAction};
        let argv = std::iter::once(OsString::from("csi-self-check")).chain(self.args.clone());
        let Ok(cli) = <crate::binary_cli::Cli as clap::Parser>::try_parse_from(argv) else {
            // Help, version or a usage error: printed before any account is looked at.
            return Ok(());
        };
        let runs_as = self.uid.unwrap_or_else(|| nix::unistd::geteuid().as_raw());
        let own = |what: &str, path: &Path| {
            let path = self.absolute(path);
            if test_owned(&path) {
                Ok(())
            } else {
                Err(format!(
                    "{what} {} is not in a temporary directory of the test's or a TestUser's home",
                    path.display()
                ))
            }
        };
        let throwaway = |user: &str| {
            if throwaway_name(user) {
                Ok(())
            } else {
                Err(format!(
                    "{user} is a real account; use a TestUser, or a name with no home"
                ))
            }
        };
        match &cli.command {
            Some(
                Sub::ListChecks
                | Sub::ShellHook { .. }
                | Sub::Policy { .. }
                | Sub::Pam
                | Sub::Explain { .. },
            ) => {
                return Ok(());
            }
            Some(Sub::History { redact, .. }) => return own("history --redact", redact),
            Some(Sub::Breach {
                action: BreachAction::Import(args),
            }) => {
                let Some(output) = &args.output else {
                    return Err("breach import without --output writes the policy's index (the system one as root, ~/.local/share/… otherwise)".to_owned());
                };
                own("--output", output)?;
                if let Some(temp) = &args.temp_dir {
                    own("--temp-dir", temp)?;
                }
                return Ok(());
            }
            Some(Sub::Audit(args)) => {
                if runs_as != 0 {
                    return Ok(()); // refused: an audit needs root
                }
                if args.users.is_empty() {
                    return Err(
                        "an audit as root without --users audits every real account".to_owned()
                    );
                }
                return args.users.iter().try_for_each(|u| throwaway(u));
            }
            Some(Sub::AuditUser { user }) => {
                return if runs_as == 0 {
                    throwaway(user)
                } else {
                    Ok(())
                };
            }
            Some(Sub::Login { .. }) => {
                // Under pam_exec the account is PAM_USER's, whatever --home says.
                if let Some((_, Some(user))) = self.env.iter().rev().find(|(k, _)| k == "PAM_USER")
                {
                    return throwaway(&user.to_string_lossy());
                }
            }
            Some(Sub::Key {
                action: KeyAction::Protect { file, .. },
            }) => own("key protect", file)?,
            Some(Sub::Password { keyring, .. })
            | Some(Sub::Key {
                action: KeyAction::Check { keyring, .. },
            }) => {
                if let Some(file) = &keyring.keyring_file {
                    own("--keyring-file", file)?;
                }
            }
            Some(Sub::Backup {
                action: crate::binary_cli::BackupAction::Confirm { media: Some(media) },
            }) => own("--media", media)?,
            _ => {}
        }
        match &cli.global.home {
            Some(home) => own("--home", home),
            None if throwaway_uid(runs_as) => Ok(()),
            None => Err(format!(
                "without --home it checks the home of uid {runs_as} from the password database, a real account's; give it a Home, or run it as a TestUser"
            )),
        }
    }

    fn absolute(&self, path: &Path) -> PathBuf {
        match &self.cwd {
            Some(cwd) if path.is_relative() => cwd.join(path),
            _ if path.is_relative() => Path::new("/").join(path),
            _ => path.to_owned(),
        }
    }

    /// The command, in `sandbox`.
    fn command(&self, sandbox: &Sandbox) -> Command {
        let mut cmd = match self.wrapper.split_first() {
            Some((program, rest)) => {
                let mut cmd = Command::new(program);
                cmd.args(rest).arg(BIN);
                cmd
            }
            None => Command::new(BIN),
        };
        cmd.args(&self.args)
            .env_clear()
            .current_dir(self.cwd.as_deref().unwrap_or(Path::new("/")));
        for (key, value) in sandbox.env().into_iter().chain(self.env.iter().cloned()) {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        // A site policy file of a test's own speaks for the site only in its root.
        if let Some(root) = self.args.iter().find_map(|a| test_sysroot_of(a)) {
            cmd.env(SYSROOT_VAR, root);
        }
        if let Some(uid) = self.uid {
            // std drops the supplementary groups itself when root sets a uid.
            cmd.uid(uid).gid(uid);
        }
        cmd
    }

    /// The run as one line for a shell (`env -i VAR=… BIN args…`), for a terminal (tmux,
    /// script) to start; the line's sandbox lasts as long as the line.
    pub fn shell_line(self) -> ShellLine {
        assert!(
            self.input.is_none() && self.uid.is_none() && self.cwd.is_none(),
            "a shell line has no stdin, uid or working directory of its own"
        );
        self.refuse_the_real_account();
        let sandbox = Sandbox::new();
        let mut words = vec!["env".to_owned(), "-i".to_owned()];
        let mut env: Vec<(String, Option<OsString>)> = Vec::new();
        for (key, value) in sandbox.env().into_iter().chain(self.env.iter().cloned()) {
            env.retain(|(k, _)| *k != key);
            env.push((key, value));
        }
        for (key, value) in env {
            if let Some(value) = value {
                let mut word = OsString::from(format!("{key}="));
                word.push(value);
                words.push(quote(&word));
            }
        }
        words.extend(self.wrapper.iter().map(|w| quote(w)));
        words.push(quote(OsStr::new(BIN)));
        words.extend(self.args.iter().map(|a| quote(a)));
        ShellLine {
            text: words.join(" "),
            _sandbox: sandbox,
        }
    }

    /// Runs with a 60-second limit; a run that takes longer has blocked and is killed.
    pub fn run(self) -> Run {
        self.refuse_the_real_account();
        let sandbox = Sandbox::new();
        let mut cmd = self.command(&sandbox);
        if self.input.is_some() {
            cmd.stdin(Stdio::piped());
        } else {
            cmd.stdin(Stdio::null());
        }
        let start = Instant::now();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = self.input.clone() {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut pipe, &input);
            });
        }
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        let limit = self.patience;
        let out = match rx.recv_timeout(limit) {
            Ok(out) => out.unwrap(),
            Err(_) => {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                panic!("csi-self-check did not finish within {limit:?}: it blocked");
            }
        };
        // Nothing may have been made in the environment's home or runtime directory
        // unless a test pointed them at its own fixture.
        for (key, dir) in [("HOME", sandbox.home()), ("XDG_RUNTIME_DIR", sandbox.run())] {
            if !self.is_set(key) {
                assert_eq!(
                    listing(&dir),
                    Vec::<String>::new(),
                    "csi-self-check {:?} wrote into ${key}",
                    self.args
                );
            }
        }
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
            elapsed: start.elapsed(),
        }
    }
}

/// A run as a shell line, with the temporary directories it names.
pub struct ShellLine {
    text: String,
    _sandbox: Sandbox,
}

impl ShellLine {
    /// The line; borrowed, so that it cannot outlive the directories it names.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `word` in single quotes, for sh.
pub fn quote(word: &OsStr) -> String {
    format!("'{}'", word.to_str().unwrap().replace('\'', r"'\''"))
}

/// Where a debug build of the binary looks for the machine's own files — the site
/// policy, the system breach index, `/etc/ssh`, the shells' system rc files (see
/// src/sysroot.rs) — so that no test reads this machine's.
pub const SYSROOT_VAR: &str = "CSI_SELF_CHECK_TEST_SYSROOT";

/// The environment one run of the binary gets, in a temporary directory of its own:
/// an empty `home` for `HOME` and an empty 0700 `run` for `XDG_RUNTIME_DIR`, where the
/// bus socket `DBUS_SESSION_BUS_ADDRESS` names never exists, and an empty `sysroot`
/// for [`SYSROOT_VAR`].
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("csi-env")
            .tempdir()
            .unwrap();
        chmod(dir.path(), 0o755);
        let sandbox = Sandbox { dir };
        std::fs::create_dir(sandbox.home()).unwrap();
        std::fs::create_dir(sandbox.run()).unwrap();
        chmod(&sandbox.run(), 0o700);
        std::fs::create_dir(sandbox.sysroot()).unwrap();
        sandbox
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn run(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    fn sysroot(&self) -> PathBuf {
        self.dir.path().join("sysroot")
    }

    fn env(&self) -> Vec<(String, Option<OsString>)> {
        let mut bus = OsString::from("unix:path=");
        bus.push(self.run().join("no-bus"));
        vec![
            ("PATH".to_owned(), Some("/usr/bin:/bin".into())),
            ("HOME".to_owned(), Some(self.home().into())),
            ("XDG_RUNTIME_DIR".to_owned(), Some(self.run().into())),
            ("DBUS_SESSION_BUS_ADDRESS".to_owned(), Some(bus)),
            (SYSROOT_VAR.to_owned(), Some(self.sysroot().into())),
        ]
    }
}

/// The homes of the account running the tests — the password database's for its
/// real and effective uid, and `$HOME` — by path and by (device, inode), so that a
/// link or a bind mount to one is recognised too. `/` is left out: everything would
/// be inside it.
fn real_homes() -> &'static [(PathBuf, Option<Identity>)] {
    static HOMES: std::sync::OnceLock<Vec<(PathBuf, Option<Identity>)>> =
        std::sync::OnceLock::new();
    HOMES.get_or_init(|| {
        let mut paths: Vec<PathBuf> = [nix::unistd::getuid(), nix::unistd::geteuid()]
            .into_iter()
            .filter_map(|uid| nix::unistd::User::from_uid(uid).ok().flatten())
            .map(|user| user.dir)
            .chain(std::env::var_os("HOME").map(PathBuf::from))
            .filter(|p| p.is_absolute() && p != Path::new("/"))
            .collect();
        paths.dedup();
        paths
            .into_iter()
            .map(|p| {
                let id = identity(&p);
                (p, id)
            })
            .collect()
    })
}

/// A file's device and inode.
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether the binary, given `path`, would stay within what the tests made: the path
/// (or, where it does not exist yet, its nearest existing directory) is in the
/// temporary directory or a live TestUser's home, and it is not a real home, a link
/// or bind mount to one, or a directory above one.
pub fn test_owned(path: &Path) -> bool {
    if !path.is_absolute() {
        return false;
    }
    let reaches_a_real_home = real_homes()
        .iter()
        .any(|(home, id)| home.starts_with(path) || (id.is_some() && identity(path) == *id));
    if reaches_a_real_home {
        return false;
    }
    let Some(existing) = path.ancestors().find_map(|p| p.canonicalize().ok()) else {
        return false;
    };
    if real_homes().iter().any(|(home, id)| {
        home.starts_with(&existing) || (id.is_some() && identity(&existing) == *id)
    }) {
        return false;
    }
    let temp = std::env::temp_dir()
        .canonicalize()
        .unwrap_or_else(|_| std::env::temp_dir());
    (existing.starts_with(&temp) && existing != temp)
        || live_users()
            .iter()
            .any(|(_, _, home)| existing.starts_with(home))
}

/// Accounts made by [`TestUser`] and not yet removed: (name, uid, home).
fn live_users() -> Vec<(String, u32, PathBuf)> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

static LIVE: std::sync::Mutex<Vec<(String, u32, PathBuf)>> = std::sync::Mutex::new(Vec::new());

/// A TestUser's name, one with no account, or one whose home does not exist
/// (`nobody`'s /nonexistent): nothing real to read or write.
fn throwaway_name(name: &str) -> bool {
    live_users().iter().any(|(n, _, _)| n == name)
        || match nix::unistd::User::from_name(name) {
            Ok(Some(user)) => !user.dir.exists(),
            _ => true,
        }
}

/// The same for a user id.
fn throwaway_uid(uid: u32) -> bool {
    live_users().iter().any(|(_, u, _)| *u == uid)
        || match nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid)) {
            Ok(Some(user)) => !user.dir.exists(),
            _ => true,
        }
}

/// A helper program (ssh-keygen, openssl, puttygen, gpg, pamtester…) with a clean
/// environment: `PATH`, and `/dev/null` for `HOME`, so that nothing it keeps in a home
/// (puttygen's ~/.putty/randomseed, for one) reaches the real one. Not a path that
/// does not exist: puttygen makes one, parents and all.
pub fn tool(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/dev/null");
    cmd
}

/// useradd and userdel lock the account files; tests take turns.
static ACCOUNTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// An account made by `useradd -m` for one test, removed with its home by
/// `userdel -r -f` when dropped, a panicking test included. While it lives, the
/// runner accepts runs as it and on its home.
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
        let user = TestUser {
            name,
            uid: user.uid.as_raw(),
            home: user.dir,
        };
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).push((
            name.to_owned(),
            user.uid,
            user.home.clone(),
        ));
        user
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
        let out = tool("ssh-keygen")
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
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(name, _, _)| name != self.name);
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
        Tmux::sized(tag, command, 160, 50)
    }

    /// The same in a window of `columns` by `rows`.
    pub fn sized(tag: &str, command: &str, columns: u16, rows: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("csi-test-{}-{tag}", std::process::id()),
        };
        let status = tmux
            .command()
            .args(["new-session", "-d", "-s", "check", "-x"])
            .arg(columns.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success());
        tmux
    }

    /// The screen's rows as the terminal shows them (a line the terminal wrapped is
    /// several rows), with the history above the window.
    pub fn rows(&self) -> Vec<String> {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-S", "-", "-t", "check"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
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

    /// Types `text` into the window, as it is (no key names), then Enter.
    pub fn type_line(&self, text: &str) {
        let typed = self
            .command()
            .args(["send-keys", "-t", "check", "-l", text])
            .status();
        assert!(typed.unwrap().success());
        let entered = self
            .command()
            .args(["send-keys", "-t", "check", "Enter"])
            .status();
        assert!(entered.unwrap().success());
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

/// A PAM service of a test's own: `/etc/pam.d/csi-self-check-test-PID-TAG`, removed
/// when dropped (a panicking test included), and by a later run when a killed one left
/// it behind. Its text must give each of the four facilities a line of its own: PAM
/// takes a missing one from `/etc/pam.d/other`, the machine's, which a test must
/// neither depend on nor exercise.
pub struct PamService {
    pub name: String,
    path: PathBuf,
}

impl PamService {
    const PREFIX: &'static str = "csi-self-check-test-";

    pub fn new(tag: &str, text: &str) -> PamService {
        for facility in ["auth", "account", "password", "session"] {
            assert!(
                text.lines()
                    .any(|l| l.split_whitespace().next() == Some(facility)),
                "the PAM service {tag} has no {facility} line, so /etc/pam.d/other would decide it"
            );
        }
        Self::remove_leftovers();
        let name = format!("{}{}-{tag}", Self::PREFIX, std::process::id());
        let path = Path::new("/etc/pam.d").join(&name);
        std::fs::write(&path, text).unwrap();
        PamService { name, path }
    }

    /// Services of test runs whose process is gone.
    fn remove_leftovers() {
        let Ok(entries) = std::fs::read_dir("/etc/pam.d") else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix(Self::PREFIX)
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

impl Drop for PamService {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A site policy file for one test, in a system root of the test's own
/// (`ROOT/etc/csi-self-check/test-TAG.toml`, root's and 0644 as the site's must be):
/// the machine's /etc is never written. A run whose arguments name the file gets
/// [`SYSROOT_VAR`] pointed at that root (see [`Cli::run`]), so the binary takes the
/// file for the site's. Removed with its root when dropped.
pub struct SitePolicy {
    pub path: PathBuf,
    /// Removed when dropped, with the file.
    _root: tempfile::TempDir,
}

/// The file that marks a directory as a test's system root.
const SYSROOT_MARK: &str = ".csi-self-check-test-sysroot";

impl SitePolicy {
    pub fn new(tag: &str, text: &str) -> SitePolicy {
        let root = tempfile::Builder::new()
            .prefix("csi-sysroot")
            .tempdir()
            .unwrap();
        chmod(root.path(), 0o755);
        std::fs::write(root.path().join(SYSROOT_MARK), "").unwrap();
        let dir = root.path().join("etc/csi-self-check");
        std::fs::create_dir_all(&dir).unwrap();
        chmod(&root.path().join("etc"), 0o755);
        chmod(&dir, 0o755);
        let path = dir.join(format!("test-{tag}.toml"));
        std::fs::write(&path, text).unwrap();
        chmod(&path, 0o644);
        SitePolicy { path, _root: root }
    }

    pub fn arg(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

/// The test system root an argument's file lies in, if any: `ROOT/etc/csi-self-check/F`
/// where ROOT carries [`SYSROOT_MARK`].
fn test_sysroot_of(arg: &OsStr) -> Option<PathBuf> {
    let path = Path::new(arg);
    let root = path.parent()?.parent()?.parent()?;
    (path.parent()?.ends_with("etc/csi-self-check") && root.join(SYSROOT_MARK).is_file())
        .then(|| root.to_owned())
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
