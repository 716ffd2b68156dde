//! The one place a helper program is started, so that no helper can hang a run, see
//! the caller's environment, be swapped through `$PATH`, or flood memory.
//!
//! Every helper runs the same way: from an absolute path (never looked up in
//! `$PATH`; a relative one is refused), without a shell, with a cleared environment
//! holding only the variables the caller names, stdin from `/dev/null`, a deadline
//! after which it is killed, and at most a bound of each output kept. At the bound
//! the pipe is closed, so a helper that goes on writing gets `SIGPIPE` (or `EPIPE`,
//! and then the deadline); nothing past the bound is ever held in memory. An output
//! the caller does not keep goes to `/dev/null`.
//!
//! [`Helper::run`] is the whole of it for a helper whose result is wanted once it
//! has finished. [`Helper::spawn`] is for a caller that supervises the process
//! itself (the audit, which must look at the exited child before it is reaped): it
//! returns a [`Running`] child, whose output is read on threads and which is killed
//! (with its process group, when it has one) and reaped when dropped.
//!
//! `Command::new` appears nowhere else in the crate (build scripts and tests aside).

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How often [`Helper::run`] looks whether the helper has finished.
const POLL: Duration = Duration::from_millis(5);

/// How long past the deadline [`Helper::run`] waits for the output of a helper that
/// has exited: a grandchild holding the pipe open must not hold up the run.
const OUTPUT_GRACE: Duration = Duration::from_millis(100);

/// Why a helper gave nothing usable. The messages are the ones reports show.
#[derive(Debug)]
pub enum ProcessError {
    /// The program was not named by an absolute path; nothing is looked up in `$PATH`.
    NotAbsolute(PathBuf),
    /// There is no program at the path.
    NotInstalled { program: PathBuf, source: io::Error },
    /// It could not be started (or its output could not be read).
    Start { program: PathBuf, source: io::Error },
    /// Waiting for it failed.
    Wait { program: PathBuf, source: io::Error },
    /// It was still running at the deadline and was killed.
    TimedOut {
        program: PathBuf,
        deadline: Duration,
    },
    /// It exited, but its output was still open past the deadline (something it
    /// started holds the pipe).
    OutputOpen { program: PathBuf },
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessError::NotAbsolute(program) => write!(
                f,
                "{} is not an absolute path; a helper is never looked up in $PATH",
                program.display()
            ),
            ProcessError::NotInstalled { program, .. } => {
                write!(f, "{} is not installed", program.display())
            }
            ProcessError::Start { program, source } => {
                write!(f, "{} could not be started: {source}", program.display())
            }
            ProcessError::Wait { program, source } => {
                write!(f, "{} could not be waited for: {source}", program.display())
            }
            ProcessError::TimedOut { program, deadline } => write!(
                f,
                "{} did not answer within {} and was stopped",
                program.display(),
                span(*deadline)
            ),
            ProcessError::OutputOpen { program } => {
                write!(f, "{} left its output open", program.display())
            }
        }
    }
}

impl std::error::Error for ProcessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProcessError::NotInstalled { source, .. }
            | ProcessError::Start { source, .. }
            | ProcessError::Wait { source, .. } => Some(source),
            ProcessError::NotAbsolute(_)
            | ProcessError::TimedOut { .. }
            | ProcessError::OutputOpen { .. } => None,
        }
    }
}

/// A deadline in words: "2 seconds", "100 ms".
fn span(d: Duration) -> String {
    match (d.as_secs(), d.subsec_nanos()) {
        (1, 0) => "1 second".to_owned(),
        (secs, 0) => format!("{secs} seconds"),
        _ => format!("{} ms", d.as_millis()),
    }
}

/// A helper to run: the program, its arguments, the only environment it gets, its
/// deadline and how much of its output is kept. Built like [`std::process::Command`].
#[derive(Clone, Debug)]
pub struct Helper {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    deadline: Duration,
    /// The most bytes of stdout and stderr kept; `None` sends it to `/dev/null`.
    keep_stdout: Option<u64>,
    keep_stderr: Option<u64>,
    own_group: bool,
}

impl Helper {
    /// `program` (an absolute path) with no arguments, an empty environment and both
    /// outputs discarded, killed when it runs longer than `deadline`.
    pub fn new(program: impl Into<PathBuf>, deadline: Duration) -> Helper {
        Helper {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            deadline,
            keep_stdout: None,
            keep_stderr: None,
            own_group: false,
        }
    }

    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Helper {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Helper
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets one variable of the helper's environment, which holds nothing else; a
    /// later value for the same name wins.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Helper {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Passes one variable of this process's environment on, when it is set.
    pub fn pass_env(&mut self, key: &str) -> &mut Helper {
        if let Some(value) = std::env::var_os(key) {
            self.env(key, value);
        }
        self
    }

    /// Keeps at most `max` bytes of what it prints on stdout.
    pub fn keep_stdout(&mut self, max: u64) -> &mut Helper {
        self.keep_stdout = Some(max);
        self
    }

    /// Keeps at most `max` bytes of what it prints on stderr.
    pub fn keep_stderr(&mut self, max: u64) -> &mut Helper {
        self.keep_stderr = Some(max);
        self
    }

    /// Starts it in a process group of its own, so that [`Running::kill`] kills
    /// whatever it started too.
    pub fn own_process_group(&mut self) -> &mut Helper {
        self.own_group = true;
        self
    }

    /// Runs it to the end: its status and the output kept, or why there is none.
    /// Killed at the deadline.
    pub fn run(&self) -> Result<Output, ProcessError> {
        let mut child = self.spawn()?;
        let status = loop {
            match child.try_wait()? {
                Some(status) => break status,
                None if !child.past_deadline() => std::thread::sleep(POLL),
                None => {
                    child.kill();
                    return Err(ProcessError::TimedOut {
                        program: self.program.clone(),
                        deadline: self.deadline,
                    });
                }
            }
        };
        let (stdout, stderr) = child.collect(OUTPUT_GRACE)?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Starts it and leaves the waiting to the caller, who must stop it at
    /// [`Running::past_deadline`]; it is killed and reaped when dropped.
    pub fn spawn(&self) -> Result<Running, ProcessError> {
        let program = &self.program;
        if !program.is_absolute() {
            return Err(ProcessError::NotAbsolute(program.clone()));
        }
        let mut cmd = Command::new(program);
        cmd.args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(piped_or_null(self.keep_stdout))
            .stderr(piped_or_null(self.keep_stderr));
        if self.own_group {
            cmd.process_group(0);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|source| match source.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => ProcessError::NotInstalled {
                program: program.clone(),
                source,
            },
            _ => ProcessError::Start {
                program: program.clone(),
                source,
            },
        })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (tx, outputs) = mpsc::channel();
        let mut running = Running {
            child,
            program: program.clone(),
            own_group: self.own_group,
            started,
            deadline: self.deadline,
            outputs,
            readers: 0,
            reaped: false,
        };
        // Readers on their own threads: a helper that fills a pipe, or a grandchild
        // that keeps it open, must not block the wait.
        if let (Some(pipe), Some(max)) = (stdout, self.keep_stdout) {
            running.read_on_thread(pipe, max, Stream::Stdout, &tx)?;
        }
        if let (Some(pipe), Some(max)) = (stderr, self.keep_stderr) {
            running.read_on_thread(pipe, max, Stream::Stderr, &tx)?;
        }
        Ok(running)
    }
}

fn piped_or_null(keep: Option<u64>) -> Stdio {
    if keep.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    }
}

#[derive(Clone, Copy, Debug)]
enum Stream {
    Stdout,
    Stderr,
}

/// What a finished helper printed (as much as was kept) and how it ended.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Its stdout as text, invalid UTF-8 replaced.
    pub fn stdout_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// Its stderr as text, invalid UTF-8 replaced.
    pub fn stderr_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }
}

/// A started helper, for a caller that waits for it in its own way. Dropped before it
/// was reaped, it is killed (with its group) and reaped.
#[derive(Debug)]
pub struct Running {
    child: Child,
    program: PathBuf,
    own_group: bool,
    started: Instant,
    deadline: Duration,
    outputs: mpsc::Receiver<(Stream, Vec<u8>)>,
    /// How many outputs are read on threads (the kept ones).
    readers: usize,
    reaped: bool,
}

impl Running {
    /// Its process id (and, with [`Helper::own_process_group`], its group's). Until
    /// it is reaped the id cannot be another process's.
    pub fn pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(i32::MAX))
    }

    /// Whether its deadline, counted from just before it was started, has passed.
    pub fn past_deadline(&self) -> bool {
        self.started.elapsed() >= self.deadline
    }

    /// Reads at most `max` bytes of `pipe` on a thread of its own, then closes it.
    fn read_on_thread(
        &mut self,
        pipe: impl Read + Send + 'static,
        max: u64,
        which: Stream,
        tx: &mpsc::Sender<(Stream, Vec<u8>)>,
    ) -> Result<(), ProcessError> {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("helper-output".to_owned())
            .spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.take(max).read_to_end(&mut bytes);
                let _ = tx.send((which, bytes));
            })
            .map_err(|source| ProcessError::Start {
                program: self.program.clone(),
                source,
            })?;
        self.readers += 1;
        Ok(())
    }

    /// Its status if it has exited, reaping it; `None` while it runs.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>, ProcessError> {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.reaped = true;
                Ok(Some(status))
            }
            Ok(None) => Ok(None),
            Err(source) => Err(ProcessError::Wait {
                program: self.program.clone(),
                source,
            }),
        }
    }

    /// Kills it with `SIGKILL` — its whole group, when it has one of its own — and
    /// reaps it. Nothing once it has been reaped: its id may be another's by then.
    pub fn kill(&mut self) {
        if self.reaped {
            return;
        }
        if !self.own_group || killpg(self.pid(), Signal::SIGKILL).is_err() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        self.reaped = true;
    }

    /// The output kept (stdout, stderr; empty when discarded), waiting for it at most
    /// until the deadline plus `grace`, counted anew for each stream.
    pub fn collect(&mut self, grace: Duration) -> Result<(Vec<u8>, Vec<u8>), ProcessError> {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        for _ in 0..self.readers {
            let left = self.deadline.saturating_sub(self.started.elapsed()) + grace;
            match self.outputs.recv_timeout(left) {
                Ok((Stream::Stdout, bytes)) => stdout = bytes,
                Ok((Stream::Stderr, bytes)) => stderr = bytes,
                Err(_) => {
                    return Err(ProcessError::OutputOpen {
                        program: self.program.clone(),
                    });
                }
            }
        }
        self.readers = 0;
        Ok((stdout, stderr))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn assert_quick(start: Instant, limit: Duration) {
        let took = start.elapsed();
        assert!(took < limit, "took {took:?}, more than {limit:?}");
    }

    #[test]
    fn a_sleeping_helper_is_killed_at_the_deadline() {
        let start = Instant::now();
        let err = Helper::new("/bin/sleep", Duration::from_millis(100))
            .arg("10")
            .run()
            .unwrap_err();
        assert!(
            matches!(err, ProcessError::TimedOut { .. }),
            "{err:?}: {err}"
        );
        assert_eq!(
            err.to_string(),
            "/bin/sleep did not answer within 100 ms and was stopped"
        );
        assert_quick(start, Duration::from_secs(2));
    }

    #[test]
    fn output_past_the_bound_is_cut_and_the_writer_stopped() {
        let start = Instant::now();
        let out = Helper::new("/usr/bin/yes", Duration::from_secs(5))
            .keep_stdout(1000)
            .keep_stderr(1000)
            .run()
            .unwrap();
        // The pipe closed at the bound: `yes` dies of SIGPIPE long before the deadline.
        assert_eq!(out.stdout.len(), 1000);
        assert!(out.stdout.starts_with(b"y\ny\n"));
        assert!(!out.success());
        assert_quick(start, Duration::from_secs(4));
        let out = Helper::new("/bin/cat", Duration::from_secs(5))
            .arg("/dev/zero")
            .keep_stdout(4096)
            .run()
            .unwrap();
        assert_eq!(out.stdout, vec![0u8; 4096]);
        // A writer that ignores the closed pipe and goes on is killed at the deadline.
        let start = Instant::now();
        let err = Helper::new("/bin/sh", Duration::from_millis(300))
            .args(["-c", "trap '' PIPE; while :; do echo y; done"])
            .keep_stdout(10)
            .run()
            .unwrap_err();
        assert!(matches!(err, ProcessError::TimedOut { .. }), "{err:?}");
        assert_quick(start, Duration::from_secs(3));
    }

    #[test]
    fn the_environment_holds_only_what_was_named() {
        let mut helper = Helper::new("/usr/bin/env", Duration::from_secs(5));
        helper
            .env("HOME", "/x")
            .env("LC_ALL", "C")
            .env("LC_ALL", "C.UTF-8")
            .pass_env("CSI_SELF_CHECK_SURELY_UNSET")
            .keep_stdout(64 * 1024);
        let out = helper.run().unwrap();
        assert!(out.success());
        let text = out.stdout_text();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["HOME=/x", "LC_ALL=C.UTF-8"]);
        // A variable of ours passes only when named.
        let out = Helper::new("/usr/bin/env", Duration::from_secs(5))
            .pass_env("PATH")
            .keep_stdout(64 * 1024)
            .run()
            .unwrap();
        let want = std::env::var_os("PATH").map_or_else(String::new, |path| {
            format!("PATH={}\n", path.to_string_lossy())
        });
        assert_eq!(out.stdout_text(), want);
    }

    #[test]
    fn a_relative_or_missing_program_is_refused() {
        for relative in ["env", "bin/env", "./env"] {
            let err = Helper::new(relative, Duration::from_secs(1))
                .run()
                .unwrap_err();
            assert!(matches!(err, ProcessError::NotAbsolute(_)), "{err:?}");
            assert!(
                err.to_string().contains("never looked up in $PATH"),
                "{err}"
            );
        }
        let err = Helper::new("/usr/bin/no-such-helper", Duration::from_secs(1))
            .run()
            .unwrap_err();
        assert_eq!(err.to_string(), "/usr/bin/no-such-helper is not installed");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn a_spawned_helper_gives_its_output_once_it_has_exited() {
        let mut helper = Helper::new("/bin/sh", Duration::from_secs(5));
        helper
            .args(["-c", "echo out; echo err >&2"])
            .keep_stdout(100)
            .keep_stderr(100);
        let mut child = helper.spawn().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(POLL);
        };
        assert!(status.success());
        let (out, err) = child.collect(Duration::from_millis(200)).unwrap();
        assert_eq!(
            (out.as_slice(), err.as_slice()),
            (&b"out\n"[..], &b"err\n"[..])
        );
    }

    /// Whether a process has ended: gone, or a zombie left for its new parent.
    fn ended(pid: i32) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(2) {
            match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                Err(_) => return true,
                Ok(stat) if stat.rsplit(") ").next().is_some_and(|s| s.starts_with('Z')) => {
                    return true;
                }
                Ok(_) => std::thread::sleep(POLL),
            }
        }
        false
    }

    #[test]
    fn a_dropped_helper_is_killed_with_everything_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pid");
        let child = Helper::new("/bin/sh", Duration::from_secs(30))
            .arg("-c")
            .arg(format!(
                "/bin/sleep 30 & echo $! > '{}'; wait",
                file.display()
            ))
            .own_process_group()
            .spawn()
            .unwrap();
        let start = Instant::now();
        let grandchild = loop {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if let Some(pid) = text.strip_suffix('\n').and_then(|t| t.parse::<i32>().ok()) {
                break pid;
            }
            assert_quick(start, Duration::from_secs(5));
            std::thread::sleep(POLL);
        };
        let pid = child.pid();
        drop(child);
        // The child itself is reaped, so its id is free.
        assert_eq!(
            nix::sys::signal::kill(pid, None),
            Err(nix::errno::Errno::ESRCH)
        );
        assert!(ended(grandchild), "the sleep it started still runs");
    }
}
