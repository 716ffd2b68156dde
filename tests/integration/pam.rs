//! The PAM helper through a real PAM stack: a service file in /etc/pam.d with
//! pam_exec, driven by pamtester, and the system log captured on /dev/log.

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::breach::{BREACHED, download, import};
use crate::password::TRIED;
use crate::util::{BIN, PamService, have, is_root, skip};

/// The service: the helper in the auth and password phases. `tag` keeps the
/// services of tests running at once apart (and their log lines).
fn service(tag: &str) -> PamService {
    // As the README documents: requisite in the password phase, so a rejected
    // password is never stored; the auth line tells at login. No session is opened
    // through it.
    PamService::new(
        tag,
        &format!(
            "auth requisite pam_exec.so expose_authtok stdout quiet {BIN} pam\n\
             auth required pam_permit.so\n\
             account required pam_permit.so\n\
             password requisite pam_exec.so expose_authtok stdout quiet {BIN} pam\n\
             password required pam_permit.so\n\
             session required pam_deny.so\n"
        ),
    )
}

/// The system log while the test runs: a socket of our own on /dev/log when no
/// logger listens there (as on a bare CI machine), drained continuously by a thread —
/// the queue of a datagram socket is short (net.unix.max_dgram_qlen, often 10) — and
/// removed when dropped.
struct Log {
    lines: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Log {
    fn capture() -> Option<Log> {
        if std::path::Path::new("/dev/log").exists() {
            return None;
        }
        let socket = UnixDatagram::bind("/dev/log").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (sink, done) = (Arc::clone(&lines), Arc::clone(&stop));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !done.load(Ordering::SeqCst) {
                if let Ok(n) = socket.recv(&mut buf) {
                    sink.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                }
            }
        });
        Some(Log {
            lines,
            stop,
            reader: Some(reader),
        })
    }

    /// Everything received so far, after a moment for the last datagrams to land.
    fn lines(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(200));
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let _ = std::fs::remove_file("/dev/log");
    }
}

/// `pamtester SERVICE nobody OPERATION` with the lines typed at its prompts.
fn pamtester(service: &PamService, operation: &str, typed: &str) -> (i32, String) {
    let mut command = crate::util::tool("pamtester");
    command.args(["-v", &service.name, "nobody", operation]);
    pamtester_run(command, operation, typed)
}

/// pamtester as `command` starts it, with the lines typed at its prompts.
pub fn pamtester_run(mut command: Command, operation: &str, typed: &str) -> (i32, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A stack that refuses before it asks reads none of it, and pamtester may be
    // gone before it is written: its exit and its words are what is judged.
    match std::io::Write::write_all(child.stdin.as_mut().unwrap(), typed.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            panic!("cannot type to pamtester: {error}")
        }
        _ => {}
    }
    // A PAM stack that hangs is a failure, not a stuck suite.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        panic!("pamtester {operation} did not finish within 60 s");
    };
    let out = out.unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for tried in TRIED {
        assert!(
            !text.contains(tried),
            "{tried} appeared in pamtester's output"
        );
    }
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_real_pam_stack_accepts_good_passwords_and_rejects_bad_ones() {
    let test = "a_real_pam_stack_accepts_good_passwords_and_rejects_bad_ones";
    if !is_root() {
        return skip(test, "writing /etc/pam.d needs root");
    }
    if !have("pamtester", test) {
        return;
    }
    let log = Log::capture();
    let service = service("stack");

    let (code, out) = pamtester(&service, "authenticate", "vX9#qL2!mR7$kT4@\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("successfully authenticated"), "{out}");

    let (code, out) = pamtester(&service, "authenticate", "kettle\n");
    assert_ne!(code, 0, "{out}");
    for rule in [
        "shorter than 8 characters",
        "has no digit",
        "has no upper-case letter",
        "neither a letter nor a digit",
        "easy to guess",
    ] {
        assert!(out.contains(rule), "{rule} missing: {out}");
    }
    assert!(!out.contains("has no lower-case letter"));

    let (code, out) = pamtester(&service, "authenticate", "Password1!\n");
    assert_ne!(code, 0);
    assert!(
        out.contains("although it meets every composition rule"),
        "{out}"
    );

    // The password phase: Linux-PAM 1.6.0 and later hand the new password over;
    // older ones hand over nothing, and the helper says so and refuses.
    let (code, out) = pamtester(
        &service,
        "chauthtok",
        "S3cr3t!pw\nvX9#qL2!mR7$kT4@\nvX9#qL2!mR7$kT4@\n",
    );
    if out.contains("older than 1.6.0") {
        assert_ne!(code, 0, "{out}");
    } else {
        assert_eq!(code, 0, "{out}");
    }

    if let Some(log) = log {
        let lines = log.lines();
        // Only the lines of this service: other tests run the helper directly.
        let service_field = format!("service={} ", service.name);
        let ours: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("csi-self-check[") && l.contains(&service_field))
            .collect();
        assert_eq!(ours.len(), 4, "{lines:?}");
        // authpriv (10 << 3) with notice (5): <85>.
        assert!(ours.iter().all(|l| l.starts_with("<85>")), "{ours:?}");
        assert!(
            ours[0].contains("user=nobody") && ours[0].contains("phase=auth verdict=accept"),
            "{ours:?}"
        );
        assert!(
            ours[1].contains("verdict=reject failed=password-too-short,password-no-digit,password-no-upper,password-no-symbol,password-easy-to-guess"),
            "{ours:?}"
        );
        assert!(
            ours[2].contains("verdict=reject failed=password-easy-to-guess"),
            "{ours:?}"
        );
        assert!(ours[3].contains("phase=password"), "{ours:?}");
        for line in &lines {
            for tried in TRIED {
                assert!(!line.contains(tried), "{tried} reached the log: {line}");
            }
        }
    } else {
        skip(
            test,
            "/dev/log belongs to a running logger; the log lines were not captured",
        );
    }
}

#[test]
fn the_helper_refuses_options_that_would_let_the_caller_choose_its_policy() {
    for args in [
        vec!["pam", "--policy", "/tmp/x.toml"],
        vec!["--home", "/tmp", "pam"],
    ] {
        let run = crate::util::Cli::new(&args)
            .stdin(b"vX9#qL2!mR7$kT4@")
            .run();
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("system policy only"), "{}", run.stderr);
    }
}

#[test]
fn the_helper_reads_the_token_as_pam_exec_sends_it() {
    // No terminator (Linux-PAM 1.4 and later), or a NUL (before), at most 512 bytes.
    for (token, code) in [
        (&b"vX9#qL2!mR7$kT4@"[..], 0),
        (&b"vX9#qL2!mR7$kT4@\0"[..], 0),
        (&b"kettle"[..], 1),
    ] {
        let run = crate::util::Cli::new(["pam"])
            .env("PAM_TYPE", "auth")
            .env("PAM_USER", "nobody")
            .stdin(token)
            .run();
        assert_eq!(run.code, code, "{}", run.stdout);
    }
    // A NUL anywhere but at the end is bad input: a C program would read another
    // password (the empty one, for a leading NUL).
    for token in [
        &b"\0Kettle-Blue-42!"[..],
        b"Kettle\0-Blue-42!",
        b"Kettle-Blue-42!\0\0",
    ] {
        let run = crate::util::Cli::new(["pam"])
            .env("PAM_TYPE", "auth")
            .env("PAM_USER", "nobody")
            .stdin(token)
            .run();
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stderr.contains("NUL byte"), "{}", run.stderr);
    }
    let run = crate::util::Cli::new(["pam"])
        .env("PAM_TYPE", "auth")
        .env("PAM_USER", "nobody")
        .stdin(&[b'a'; 600])
        .run();
    assert_ne!(run.code, 0);
    assert!(run.stdout.contains("longer than 512 bytes"));
    // An empty token in the password phase: Linux-PAM before 1.6.0.
    let run = crate::util::Cli::new(["pam"])
        .env("PAM_TYPE", "password")
        .env("PAM_USER", "nobody")
        .stdin(b"")
        .run();
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("older than 1.6.0"), "{}", run.stdout);
    // Nothing to judge in the account and session phases.
    let run = crate::util::Cli::new(["pam"])
        .env("PAM_TYPE", "open_session")
        .env("PAM_USER", "nobody")
        .stdin(b"")
        .run();
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
}

/// The system index, seen by the PAM helper alone: pamtester runs in a mount
/// namespace of its own where a tmpfs over /var/lib holds the generated index at the
/// policy's path, so nothing on the machine (nor a concurrent test) sees it.
#[test]
fn a_real_pam_stack_rejects_a_breached_password_with_its_count() {
    let test = "a_real_pam_stack_rejects_a_breached_password_with_its_count";
    if !is_root() {
        return skip(test, "writing /etc/pam.d and mounting need root");
    }
    if !have("pamtester", test) || !have("unshare", test) {
        return;
    }
    let works = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "mount",
            "-t",
            "tmpfs",
            "tmpfs",
            "/mnt",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        return skip(test, "unshare --mount is not allowed here");
    }
    let dir = tempfile::tempdir().unwrap();
    let (run, index) = import(
        dir.path(),
        &download(2000, &[(BREACHED, 42), ("Br3ached-in-PAM!", 1234)]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let service = service("breach");
    let in_namespace = |typed: &str| {
        let mut command = crate::util::tool("unshare");
        command.args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/csi-self-check && cp \"$0\" /var/lib/csi-self-check/breach.idx && exec pamtester -v \"$1\" nobody authenticate",
            index.to_str().unwrap(),
            &service.name,
        ]);
        pamtester_run(command, "authenticate", typed)
    };
    let (code, out) = in_namespace("Br3ached-in-PAM!\n");
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("seen 1234 times in breached-password lists (index of 20"),
        "{out}"
    );
    let (code, out) = in_namespace(&format!("{BREACHED}\n"));
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("seen 42 times"), "{out}");
    let (code, out) = in_namespace("vX9#qL2!mR7$kT4@\n");
    assert_eq!(code, 0, "{out}");
}
