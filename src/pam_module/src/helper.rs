//! Runs `csi-self-check pam` on the new password: a fixed path, an environment
//! of three PAM variables and a fixed PATH (nothing of the calling program's,
//! which under a setuid `passwd` is the user's), the password on a pipe (never in
//! argv or the environment), its lines read back within a deadline, and a helper
//! that overstays killed. The verdict is the helper's exit status: 0 accepts, 1
//! refuses with one line per reason, anything else is a failure to check.

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// The helper the packages install.
pub const DEFAULT_HELPER: &str = "/usr/bin/csi-self-check";

/// How long a check may take: the helper's own estimate gives up after two seconds.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The most of a password put in the pipe: less than any pipe's capacity (a page), so
/// writing it never waits for a reader, and more than the helper accepts (512
/// bytes), so a longer one is still refused as too long.
const HANDED_OVER: usize = 4096;

/// The most of the helper's output read; more is a failure.
const MAX_OUTPUT: usize = 16 * 1024;

/// The most lines shown, and the longest.
const MAX_LINES: usize = 20;
const MAX_LINE_CHARS: usize = 400;

/// What the helper decided.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// The reasons, one a line, as the helper wrote them (control characters removed).
    Refused(Vec<String>),
    /// Why the password could not be checked.
    Failed(String),
}

/// Whom the password is for, as the helper reads it from its environment.
pub struct Request<'a> {
    pub user: &'a str,
    pub service: &'a str,
}

/// Runs `helper pam` on `token` and waits at most `deadline`.
pub fn judge(helper: &Path, request: &Request<'_>, token: &[u8], deadline: Duration) -> Verdict {
    let started = Instant::now();
    // The password goes into the pipe before the helper starts, and our read end is
    // open while we write: a helper that exits without reading (a policy it cannot
    // load) is then judged by its exit status, and the host program (`passwd`, where
    // SIGPIPE kills) never writes to a pipe nobody holds.
    let stdin = match filled_pipe(token) {
        Ok(stdin) => stdin,
        Err(error) => {
            return Verdict::Failed(format!("the password could not be handed over: {error}"));
        }
    };
    let mut child = match Command::new(helper)
        .arg("pam")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("PAM_TYPE", "password")
        .env("PAM_USER", request.user)
        .env("PAM_SERVICE", request.service)
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => return Verdict::Failed(format!("{} cannot run: {error}", helper.display())),
    };
    let output = match read_within(&mut child, started + deadline) {
        Ok(output) => output,
        Err(reason) => return stop(child, reason),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < started + deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Ok(None) => return stop(child, "no verdict in time".to_owned()),
            Err(error) => return stop(child, format!("cannot wait for the helper: {error}")),
        }
    };
    match status.code() {
        Some(0) => Verdict::Accepted,
        Some(1) => Verdict::Refused(lines(&output)),
        Some(code) => Verdict::Failed(format!("the helper failed (exit status {code})")),
        None => Verdict::Failed("the helper was killed by a signal".to_owned()),
    }
}

/// A pipe holding `token` (at most [`HANDED_OVER`] bytes of it), its write end
/// closed: the read end, for the helper's standard input.
fn filled_pipe(token: &[u8]) -> std::io::Result<OwnedFd> {
    let (read, write) = nix::unistd::pipe()?;
    std::fs::File::from(write).write_all(&token[..token.len().min(HANDED_OVER)])?;
    Ok(read)
}

/// The helper's standard output until it closes, within the deadline.
fn read_within(child: &mut Child, until: Instant) -> Result<Vec<u8>, String> {
    let Some(mut stdout) = child.stdout.take() else {
        return Err("no pipe from the helper".to_owned());
    };
    let mut output = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("no verdict in time".to_owned());
        }
        let timeout = PollTimeout::try_from(left.as_millis().max(1)).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(error) => return Err(format!("cannot wait for the helper: {error}")),
        }
        match stdout.read(&mut buffer) {
            Ok(0) => return Ok(output),
            Ok(n) if output.len() + n > MAX_OUTPUT => {
                return Err(format!("the helper wrote more than {MAX_OUTPUT} bytes"));
            }
            Ok(n) => output.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(format!("cannot read the helper's verdict: {error}")),
        }
    }
}

/// Kills and reaps a helper that failed, and says why.
fn stop(mut child: Child, reason: String) -> Verdict {
    let _ = child.kill();
    let _ = child.wait();
    Verdict::Failed(reason)
}

/// The output as lines to show: no control characters, bounded in number and width.
fn lines(output: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(output)
        .lines()
        .map(|line| {
            line.chars()
                .filter(|c| !c.is_control())
                .take(MAX_LINE_CHARS)
                .collect::<String>()
        })
        .filter(|line| !line.trim().is_empty())
        .take(MAX_LINES)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A helper of the test's own: a shell script with this body, in a temp dir.
    fn script(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("helper");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (dir, path)
    }

    const REQUEST: Request<'static> = Request {
        user: "alice",
        service: "passwd",
    };

    #[test]
    fn the_helper_gets_the_password_on_stdin_and_only_the_pam_variables() {
        // It refuses unless it read exactly the token and saw exactly its environment.
        let (_dir, helper) = script(
            r#"[ "$1" = pam ] || exit 3
token=$(cat)
[ "$token" = 'Kettle-Blue-42!' ] || { echo "token: $token"; exit 1; }
[ "$PAM_USER $PAM_SERVICE $PAM_TYPE $PATH" = 'alice passwd password /usr/bin:/bin' ] || exit 1
others=$(env | grep -v -E '^(PAM_USER|PAM_SERVICE|PAM_TYPE|PATH|PWD|OLDPWD|SHLVL|_)=')
[ -z "$others" ] || { echo "more in the environment: $others"; exit 1; }
exit 0"#,
        );
        assert_eq!(
            judge(&helper, &REQUEST, b"Kettle-Blue-42!", DEADLINE),
            Verdict::Accepted
        );
    }

    #[test]
    fn a_refusal_carries_the_helper_s_lines_without_control_characters() {
        let (_dir, helper) = script(
            "cat >/dev/null\nprintf 'The password is easy to guess\\n\\033[31mno symbol\\n\\n'\nexit 1",
        );
        assert_eq!(
            judge(&helper, &REQUEST, b"x", DEADLINE),
            Verdict::Refused(vec![
                "The password is easy to guess".to_owned(),
                "[31mno symbol".to_owned()
            ])
        );
    }

    #[test]
    fn anything_but_a_verdict_is_a_failure() {
        let (_dir, helper) = script("exit 2");
        let verdict = judge(&helper, &REQUEST, b"x", DEADLINE);
        assert!(
            matches!(&verdict, Verdict::Failed(reason) if reason.contains("exit status 2")),
            "{verdict:?}"
        );
        let (_dir, helper) = script("kill -9 $$");
        assert!(matches!(
            judge(&helper, &REQUEST, b"x", DEADLINE),
            Verdict::Failed(reason) if reason.contains("signal")
        ));
        assert!(matches!(
            judge(Path::new("/nonexistent/helper"), &REQUEST, b"x", DEADLINE),
            Verdict::Failed(reason) if reason.contains("cannot run")
        ));
        let (_dir, helper) = script("head -c 20000 /dev/zero | tr '\\0' a; exit 0");
        assert!(matches!(
            judge(&helper, &REQUEST, b"x", DEADLINE),
            Verdict::Failed(reason) if reason.contains("more than")
        ));
    }

    #[test]
    fn a_helper_that_overstays_is_killed() {
        // It keeps its output open and never exits; with a short deadline the
        // verdict is a failure, and the helper is gone.
        let (dir, helper) = script(&format!("echo $$ > {}/pid\nexec sleep 60", "$(dirname $0)"));
        let verdict = judge(&helper, &REQUEST, b"x", Duration::from_millis(300));
        assert!(
            matches!(&verdict, Verdict::Failed(reason) if reason.contains("no verdict")),
            "{verdict:?}"
        );
        let pid: i32 = std::fs::read_to_string(dir.path().join("pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let gone = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err();
        assert!(gone, "the helper {pid} still runs");
    }
}
