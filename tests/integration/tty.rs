//! The interactive prompts on a real terminal, in tmux: a password typed at the
//! prompt never reaches the screen, and a `history --redact` stopped at its prompt
//! — killed, or interrupted with Ctrl-C — leaves the original whole and nothing else.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use crate::util::{Cli, Home, Tmux, have, listing, quote};

#[test]
fn the_typed_password_never_reaches_the_screen() {
    if !have("tmux", "the_typed_password_never_reaches_the_screen") {
        return;
    }
    let home = Home::with_ssh();
    let line = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--color",
        "never",
    ])
    .shell_line();
    let command = format!("{}; echo EXIT=$?; sleep 60", line.text());
    let tmux = Tmux::start("password", &command);
    tmux.wait_for("Password to check");
    let typed = "Kettle-Blue-42!";
    tmux.command()
        .args(["send-keys", "-t", "check", "-l", typed])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!tmux.screen().contains(typed), "echoed while typing");
    tmux.command()
        .args(["send-keys", "-t", "check", "Enter"])
        .status()
        .unwrap();
    let screen = tmux.wait_for("EXIT=");
    assert!(
        !screen.contains(typed),
        "the password is on the screen:\n{screen}"
    );
    assert!(
        !screen.contains("Kettle"),
        "part of the password is on the screen:\n{screen}"
    );
    assert!(screen.contains("Password entropy"), "{screen}");
    assert!(
        screen.contains("EXIT=0") || screen.contains("EXIT=1"),
        "{screen}"
    );
    // This one is judged: a dictionary word with obvious substitutions.
    assert!(
        screen.contains("PASS") || screen.contains("FAIL"),
        "{screen}"
    );
}

/// How a redact waiting at its prompt is stopped.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    Kill,
    CtrlC,
}

/// Whether `dir`'s filesystem can hold unnamed files (O_TMPFILE), as the redact
/// asks it; where it cannot (NFS, overlayfs before Linux 6.6) the redact falls back
/// to a named temporary file.
fn supports_unnamed(dir: &Path) -> bool {
    use nix::fcntl::{OFlag, open};
    open(
        dir,
        OFlag::O_TMPFILE | OFlag::O_WRONLY | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::from_bits_truncate(0o600),
    )
    .is_ok()
        && Path::new("/proc/self/fd").is_dir()
}

/// Runs `history --redact` without `--yes` in a terminal, waits for the question
/// (by then the redacted copy is written and flushed, and only the rename is left),
/// checks that the copy really is complete in the process, stops it, and checks the
/// directory: the original byte for byte, same inode, same mode, and nothing else.
fn redact_stopped_at_the_prompt(test: &str, stop: Stop) {
    if !have("tmux", test) {
        return;
    }
    let home = Home::new();
    let original: &[u8] =
        b"ls -la\nsshpass -p 'S3cr3t!x' ssh host\ncd /tmp\nexport DB_PASSWORD=hunter2hunter2\n";
    let redacted = String::from_utf8(original.to_vec())
        .unwrap()
        .replace("S3cr3t!x", "<redacted>")
        .replace("hunter2hunter2", "<redacted>");
    let history = home.file(".bash_history", original, 0o640);
    home.file(".bashrc", b"HISTSIZE=1000\n", 0o644);
    let before = std::fs::metadata(&history).unwrap();
    let names_before = listing(home.path());
    // The pid file lives elsewhere, so that the home holds only what the test made.
    let scratch = tempfile::tempdir().unwrap();
    let pidfile = scratch.path().join("pid");
    // The outer shell gets the Ctrl-C too: its trap keeps it alive to report how
    // the redact ended (a handled signal, unlike an ignored one, is not inherited).
    let line = Cli::new(["history", "--redact", history.to_str().unwrap()]).shell_line();
    // exec all the way (sh, then env): the pid written is the redact's.
    let inner = format!(
        "echo $$ > {}; exec {}",
        quote(pidfile.as_os_str()),
        line.text()
    );
    let command = format!(
        "trap : INT; sh -c {}; echo EXIT=$?; sleep 60",
        quote(std::ffi::OsStr::new(&inner))
    );
    let tmux = Tmux::start(test, &command);
    tmux.wait_for("[y/N]");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The interruption must come after the copy is complete, or it proves little:
    // one of the process's descriptors is a file holding exactly the redacted text.
    // Only regular files are read: descriptors 0 to 2 are the terminal, which
    // would block.
    let copy_written = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|fd| fd.unwrap().path())
        .filter(|fd| std::fs::metadata(fd).is_ok_and(|m| m.is_file()))
        .any(|fd| std::fs::read(fd).is_ok_and(|bytes| bytes == redacted.as_bytes()));
    assert!(copy_written, "no complete redacted copy at the prompt");
    match stop {
        Stop::Kill => nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap(),
        Stop::CtrlC => assert!(
            tmux.command()
                .args(["send-keys", "-t", "check", "C-c"])
                .status()
                .unwrap()
                .success()
        ),
    }
    let screen = tmux.wait_for("EXIT=");
    let status = if stop == Stop::Kill { 137 } else { 130 };
    assert!(
        screen.contains(&format!("EXIT={status}")),
        "stopped by the signal:\n{screen}"
    );
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(&history).unwrap()),
        String::from_utf8_lossy(original),
        "byte for byte"
    );
    let after = std::fs::metadata(&history).unwrap();
    assert_eq!(after.ino(), before.ino(), "the same file, not a copy");
    assert_eq!(after.mode(), before.mode());
    assert_eq!(after.modified().unwrap(), before.modified().unwrap());
    let names_after = listing(home.path());
    if supports_unnamed(home.path()) {
        assert_eq!(names_after, names_before, "nothing left behind");
    } else {
        // The named fallback: a kill leaves the copy, which no process can prevent.
        println!("{test}: O_TMPFILE unsupported here; the named fallback was tested");
        let left: Vec<&String> = names_after
            .iter()
            .filter(|n| !names_before.contains(n))
            .collect();
        let expected = usize::from(stop == Stop::Kill);
        assert_eq!(left.len(), expected, "{names_after:?}");
        assert!(
            left.iter()
                .all(|n| n.starts_with("..bash_history.csi-redact-"))
        );
    }
}

#[test]
fn a_redact_killed_at_its_prompt_leaves_the_original_and_nothing_else() {
    redact_stopped_at_the_prompt(
        "a_redact_killed_at_its_prompt_leaves_the_original_and_nothing_else",
        Stop::Kill,
    );
}

#[test]
fn a_redact_interrupted_with_ctrl_c_leaves_the_original_and_nothing_else() {
    redact_stopped_at_the_prompt(
        "a_redact_interrupted_with_ctrl_c_leaves_the_original_and_nothing_else",
        Stop::CtrlC,
    );
}
