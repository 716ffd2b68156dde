//! Running a helper (`gsettings`, `loginctl`) so that it cannot hang the run, read
//! the caller's environment, or flood memory: a fixed path, no shell, a cleared
//! environment plus only what it needs, a deadline after which it is killed, and
//! a bounded read of what it prints.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long one helper may take; `gsettings get` takes milliseconds.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// The most a helper's output is read; the values wanted are one line.
const MAX_OUTPUT: u64 = 64 * 1024;

/// What a finished helper printed.
#[derive(Debug)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args` with only `env` set (and `LC_ALL=C`, so that messages are
/// the ones parsed). `Err` says why nothing usable came back: not installed, killed
/// at the deadline, or could not start.
pub fn run(program: &Path, args: &[&str], env: &[(&str, OsString)]) -> Result<Output, String> {
    let name = program.display();
    if !super::installed(&program.to_string_lossy()) {
        return Err(format!("{name} is not installed"));
    }
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{name} could not be started: {e}"))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    // Readers on their own threads: a helper that fills a pipe, or a grandchild that
    // keeps it open, must not block the wait below.
    let (tx, rx) = mpsc::channel();
    let spawn_reader = |pipe: Option<Box<dyn Read + Send>>, which: u8| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(pipe) = pipe {
                let _ = pipe.take(MAX_OUTPUT).read_to_end(&mut text);
            }
            let _ = tx.send((which, String::from_utf8_lossy(&text).into_owned()));
        });
    };
    spawn_reader(stdout.map(|p| Box::new(p) as Box<dyn Read + Send>), 0);
    spawn_reader(stderr.map(|p| Box::new(p) as Box<dyn Read + Send>), 1);
    drop(tx);
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{name} did not answer within {} seconds and was stopped",
                    DEADLINE.as_secs()
                ));
            }
            Err(e) => return Err(format!("{name} could not be waited for: {e}")),
        }
    };
    let mut out = Output {
        success: status.success(),
        stdout: String::new(),
        stderr: String::new(),
    };
    for _ in 0..2 {
        let left = DEADLINE.saturating_sub(start.elapsed()) + Duration::from_millis(100);
        match rx.recv_timeout(left) {
            Ok((0, text)) => out.stdout = text,
            Ok((_, text)) => out.stderr = text,
            Err(_) => return Err(format!("{name} left its output open")),
        }
    }
    Ok(out)
}

/// The first line of a helper's complaint, fit for a report.
pub fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    crate::sanitize::display_str(&line.chars().take(200).collect::<String>())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_helper_is_bounded_in_time_and_sees_a_clean_environment() {
        let out = run(Path::new("/usr/bin/env"), &[], &[("HOME", "/x".into())]).unwrap();
        assert!(out.success);
        let mut lines: Vec<&str> = out.stdout.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["HOME=/x", "LC_ALL=C"]);
        let start = Instant::now();
        let err = run(Path::new("/usr/bin/sleep"), &["30"], &[]).unwrap_err();
        assert!(err.contains("did not answer"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5));
        let err = run(Path::new("/usr/bin/no-such-helper"), &[], &[]).unwrap_err();
        assert!(err.contains("not installed"), "{err}");
    }
}
