//! The interactive prompt on a real terminal: tmux runs `csi-self-check password`, a
//! password is typed at the prompt, and the screen never shows it.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{BIN, Home, have};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn command(&self) -> Command {
        // Every tmux call is bounded: a hang fails the test instead of stalling the suite.
        let mut cmd = Command::new("timeout");
        cmd.args(["30", "tmux", "-L", &self.socket, "-f", "/dev/null"])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "xterm");
        cmd
    }

    fn screen(&self) -> String {
        let out = self
            .command()
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", "check"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
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

#[test]
fn the_typed_password_never_reaches_the_screen() {
    if !have("tmux", "the_typed_password_never_reaches_the_screen") {
        return;
    }
    let home = Home::with_ssh();
    let tmux = Tmux {
        socket: format!("csi-test-{}", std::process::id()),
    };
    let command = format!(
        "{BIN} --home {} password --color never; echo EXIT=$?; sleep 60",
        home.path().display()
    );
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
            &command,
        ])
        .status()
        .unwrap();
    assert!(status.success());
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
