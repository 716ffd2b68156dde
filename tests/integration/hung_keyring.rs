//! A keyring that never answers: a session bus that accepts the connection and then
//! says nothing (before the authentication handshake, or after it, so that the
//! Secret Service call itself hangs). `password --remember` and `key check
//! --remember` must give up at their deadline with a skip, and write nothing.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::util::{Cli, Home, Run, have, listing};

/// How far the fake bus goes before it stops answering.
#[derive(Clone, Copy, Debug)]
enum Silence {
    /// Accepts the connection and never sends a byte.
    FromTheStart,
    /// Completes the SASL handshake (EXTERNAL, unix fds agreed), then never answers
    /// a message: the client's `Hello` and every Secret Service call wait forever.
    AfterAuthentication,
}

/// A bus socket at `path` served as `silence` says, until dropped.
struct FakeBus {
    stop: Arc<AtomicBool>,
    path: std::path::PathBuf,
}

impl FakeBus {
    fn start(path: &Path, silence: Silence) -> FakeBus {
        let listener = UnixListener::bind(path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let flag = Arc::clone(&flag);
                        held.push(std::thread::spawn(move || serve(stream, silence, &flag)));
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
        });
        FakeBus {
            stop,
            path: path.to_owned(),
        }
    }

    fn address(&self) -> String {
        format!("unix:path={}", self.path.display())
    }
}

impl Drop for FakeBus {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One client: the handshake if `silence` allows it, then reads and drops every byte
/// until the client hangs up or the bus stops.
fn serve(mut stream: UnixStream, silence: Silence, stop: &AtomicBool) {
    stream
        .set_read_timeout(Some(std::time::Duration::from_millis(100)))
        .unwrap();
    let mut line = Vec::new();
    let mut authenticated = matches!(silence, Silence::FromTheStart);
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let n = match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(_) => continue,
        };
        if authenticated {
            continue; // silence
        }
        line.extend_from_slice(&buf[..n]);
        while let Some(end) = line.windows(2).position(|w| w == b"\r\n") {
            let command: Vec<u8> = line.drain(..end + 2).collect();
            let command = String::from_utf8_lossy(&command);
            let command = command.trim_start_matches('\0').trim_end();
            let reply: &[u8] = if command.starts_with("AUTH") {
                b"OK 0123456789abcdef0123456789abcdef\r\n"
            } else if command.starts_with("NEGOTIATE_UNIX_FD") {
                b"AGREE_UNIX_FD\r\n"
            } else if command.starts_with("BEGIN") {
                authenticated = true;
                break;
            } else {
                b"ERROR\r\n"
            };
            if stream.write_all(reply).is_err() {
                return;
            }
        }
    }
}

/// The reuse check's findings as (status, code, message).
fn reuse_findings(run: &Run) -> Vec<(String, String, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "password-fingerprints")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("status"), s("code"), s("message"))
        })
        .collect()
}

const PASSPHRASE: &str = "Tq7#vLp2-hung-Zx9!mWk4";

#[test]
fn a_keyring_that_never_answers_is_given_up_on_with_a_skip_and_nothing_written() {
    let test = "a_keyring_that_never_answers_is_given_up_on_with_a_skip_and_nothing_written";
    if !have("ssh-keygen", test) {
        return;
    }
    for silence in [Silence::FromTheStart, Silence::AfterAuthentication] {
        let home = Home::with_ssh();
        let key = home.keygen(".ssh/id_ed25519", Some(PASSPHRASE), None, 0o600);
        let before = listing(home.path());
        let runtime = tempfile::tempdir().unwrap();
        let bus = FakeBus::start(&runtime.path().join("bus"), silence);
        let h = home.path().to_str().unwrap();
        let k = key.to_str().unwrap();
        for command in [
            &["password", "--stdin", "--remember", "bank"][..],
            &["key", "check", k, "--stdin", "--remember"][..],
        ] {
            let mut args = vec!["--home", h, "--format", "json"];
            args.extend_from_slice(command);
            let run = Cli::new(&args)
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address())
                .env("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())
                .stdin(format!("{PASSPHRASE}\n").as_bytes())
                .run();
            let what = format!("{silence:?} {command:?}");
            assert!(!run.stdout.contains(PASSPHRASE), "{what}");
            // A skip is not a failure: the documented exit status 0.
            assert_eq!(run.code, 0, "{what}: {} {}", run.stdout, run.stderr);
            let found = reuse_findings(&run);
            assert_eq!(found.len(), 1, "{what}: {found:?}");
            let (status, code, message) = &found[0];
            assert_eq!(
                (status.as_str(), code.as_str()),
                ("skip", "reuse-not-checked")
            );
            assert!(
                message.contains("the keyring did not answer within 3 seconds"),
                "{what}: {message}"
            );
            // Nothing remembered, no state directory, no fallback key on disk.
            assert_eq!(listing(home.path()), before, "{what}");
            assert!(!home.join(".local").exists(), "{what}");
            assert_eq!(listing(runtime.path()), ["bus"], "{what}");
        }
    }
}
