//! The login mode: silent where nobody reads it, one line per must-level failure on
//! a real terminal (tmux), a cached summary between full checks, a hard deadline;
//! the profile.d hook sourced by real shells; and the PAM session hook through a
//! real PAM stack (pamtester) for a real account made by useradd.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{
    BIN, Cli, Home, PamService, ShellLine, TestUser, Tmux, chmod, have, is_root, quote, skip,
};

const HOOK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/dist/profile.d/csi-self-check.sh"
);
const AUTOSTART: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/dist/autostart/csi-self-check.desktop"
);

/// Runs `command` on a real terminal and returns the screen, colours as escape
/// sequences, once `EXIT=` shows.
fn on_terminal(name: &str, command: &str) -> String {
    let tmux = Tmux::start(
        &format!("login-{name}"),
        &format!("{command}; echo EXIT=$?; sleep 60"),
    );
    tmux.wait_for("EXIT=");
    tmux.screen_with_colours()
}

/// `csi-self-check --home HOME login` with a clean environment and `TERM` (and
/// `NO_COLOR` when given), as a shell line.
fn login_line(home: &Home, term: &str, no_color: Option<&str>) -> ShellLine {
    let mut cli = Cli::new(["--home", home.path().to_str().unwrap(), "login"]).env("TERM", term);
    if let Some(value) = no_color {
        cli = cli.env("NO_COLOR", value);
    }
    cli.shell_line()
}

fn loose_key(home: &Home) -> PathBuf {
    home.keygen(".ssh/id_ed25519", Some("Correct-Horse-9!"), None, 0o640)
}

#[test]
fn login_is_silent_without_a_terminal() {
    if !have("ssh-keygen", "login_is_silent_without_a_terminal") {
        return;
    }
    let home = Home::with_ssh();
    loose_key(&home);
    let run = Cli::new(["--home", home.path().to_str().unwrap(), "login"]).run();
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    // From a non-interactive shell, as scp and `ssh host cmd` run it.
    let out = Command::new("bash")
        .args(["-c", login_line(&home, "dumb", None).text()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn an_interactive_login_names_the_loose_key_on_stderr_only() {
    let test = "an_interactive_login_names_the_loose_key_on_stderr_only";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    loose_key(&home);
    // stdout thrown away: the warning is still there, so it went to stderr.
    let line = login_line(&home, "dumb", None);
    let screen = on_terminal("stderr", &format!("{} >/dev/null", line.text()));
    let named: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("~/.ssh/id_ed25519"))
        .collect();
    assert_eq!(named.len(), 1, "{screen}");
    assert!(named[0].starts_with("csi-self-check: FAIL"), "{screen}");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let lines = screen
        .lines()
        .take_while(|l| !l.starts_with("EXIT="))
        .count();
    assert!(
        lines <= 5,
        "more lines than the policy's max-lines:\n{screen}"
    );
    assert!(
        !screen.contains('\x1b'),
        "coloured under TERM=dumb:\n{screen:?}"
    );
    // A terminal that takes colour gets it, unless NO_COLOR says otherwise.
    let coloured = login_line(&home, "xterm", None);
    let screen = on_terminal("colour", coloured.text());
    assert!(
        screen.contains("\x1b[31mcsi-self-check: FAIL"),
        "{screen:?}"
    );
    let screen = on_terminal("nocolour", login_line(&home, "xterm", Some("1")).text());
    assert!(screen.contains("csi-self-check: FAIL"), "{screen:?}");
    assert!(
        !screen.contains("\x1b[31m"),
        "coloured under NO_COLOR:\n{screen:?}"
    );
    // stderr thrown away: nothing is left on the screen, so nothing went to stdout.
    let screen = on_terminal("stdout", &format!("{} 2>/dev/null", line.text()));
    assert!(screen.trim_start().starts_with("EXIT=0"), "{screen}");
}

#[test]
fn logins_between_full_checks_print_the_cached_summary_while_it_is_true() {
    let test = "logins_between_full_checks_print_the_cached_summary_while_it_is_true";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    loose_key(&home);
    let line = login_line(&home, "dumb", None);
    let first = on_terminal("first", line.text());
    assert!(first.contains("id_ed25519"), "{first}");
    let summary = home.join(".local/state/csi-self-check/login-summary.json");
    assert!(summary.exists());
    // Nothing changed: the same lines, from the summary, no reminder again.
    let cached = on_terminal("cached", line.text());
    assert_eq!(lines_of(&cached), lines_of(&first));
    assert!(
        !cached.contains("remind"),
        "reminders shown again:\n{cached}"
    );
    // Fixed now: the next login looks at the file again, and the problem is gone.
    let written = std::fs::metadata(&summary).unwrap().modified().unwrap();
    chmod(&home.join(".ssh/id_ed25519"), 0o600);
    let fixed = on_terminal("fixed", line.text());
    assert!(!fixed.contains("id_ed25519"), "{fixed}");
    // It checked again, and left the summary of that check.
    assert_ne!(
        std::fs::metadata(&summary).unwrap().modified().unwrap(),
        written
    );
    // Once the summary is older than the interval, a full check runs again.
    chmod(&home.join(".ssh/id_ed25519"), 0o640);
    let text = std::fs::read_to_string(&summary).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["written_at"] = serde_json::json!(doc["written_at"].as_i64().unwrap() - 2 * 86_400);
    std::fs::write(&summary, doc.to_string()).unwrap();
    let fresh = on_terminal("fresh", line.text());
    assert!(fresh.contains("id_ed25519"), "{fresh}");
}

/// The lines a login printed, up to the shell's `EXIT=`.
fn lines_of(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .take_while(|l| !l.starts_with("EXIT="))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A login through the real profile.d hook, sourced by an interactive bash in a real
/// terminal of 80 columns: the `csi-self-check` the hook runs is a stand-in on PATH
/// that runs the binary on `home` with the options `args` before the hook's `login`.
/// The rows the terminal shows.
fn hook_login(tag: &str, home: &Home, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--home", home.path().to_str().unwrap()];
    all.extend_from_slice(args);
    let line = Cli::new(all).env("TERM", "dumb").shell_line();
    let bin_dir = tempfile::tempdir().unwrap();
    let stand_in = bin_dir.path().join("csi-self-check");
    std::fs::write(
        &stand_in,
        format!("#!/bin/sh\nexec {} \"$@\"\n", line.text()),
    )
    .unwrap();
    chmod(&stand_in, 0o755);
    let command = format!(
        "env PATH={}:/usr/bin:/bin bash --norc --noprofile -i -c '. {HOOK}'; echo EXIT=$?; sleep 60",
        bin_dir.path().display()
    );
    let tmux = Tmux::sized(&format!("hook-{tag}"), &command, 80, 40);
    tmux.wait_for("EXIT=");
    let mut rows = tmux.rows();
    let exit = rows.iter().position(|r| r.starts_with("EXIT=")).unwrap();
    rows.truncate(exit);
    rows.retain(|r| !r.trim().is_empty());
    rows
}

/// alice's logins through the profile.d hook: one line per file, her unencrypted key
/// first, every line one row of the terminal, the same lines while nothing changes,
/// and none about a file she fixed — whether she ran the full check since or not.
#[test]
fn alices_login_ranks_keys_first_fits_the_terminal_and_follows_her_fixes() {
    let test = "alices_login_ranks_keys_first_fits_the_terminal_and_follows_her_fixes";
    if !have("tmux", test) || !have("ssh-keygen", test) || !have("bash", test) {
        return;
    }
    let home = crate::report::alice();
    let first = hook_login("alice-1", &home, &[]);
    println!("alice's login at 80 columns:\n{}", first.join("\n"));
    assert!(!first.is_empty() && first.len() <= 5, "{first:#?}");
    assert!(
        first.iter().all(|r| r.starts_with("csi-self-check: ")),
        "{first:#?}"
    );
    assert!(first[0].contains("~/.ssh/id_ed25519"), "{first:#?}");
    for file in [
        "~/.netrc",
        "~/.aws/credentials",
        "~/.bash_history",
        "~/.ssh/id_ed25519",
    ] {
        let naming = first
            .iter()
            .filter(|r| r.contains(&format!("{file}:")) || r.contains(&format!("{file} (")))
            .count();
        assert_eq!(naming, 1, "{file}: {first:#?}");
    }
    // Nothing changed: the same lines.
    assert_eq!(hook_login("alice-2", &home, &[]), first);
    // She deletes one file and closes two, and logs in again without a full run.
    std::fs::remove_file(home.join(".aws/credentials")).unwrap();
    chmod(&home.join(".netrc"), 0o600);
    chmod(&home.join(".bash_history"), 0o600);
    let after = hook_login("alice-3", &home, &[]);
    assert!(
        !after.iter().any(|r| r.contains("~/.aws/credentials")),
        "{after:#?}"
    );
    // What it names now is what a full check finds now, file for file.
    let json = Cli::json(&home, &[]).json();
    let mut must: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["level"].as_str().unwrap().starts_with("must"))
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .replace(home.path().to_str().unwrap(), "~")
        })
        .collect();
    must.sort();
    must.dedup();
    let named: Vec<&String> = must
        .iter()
        .filter(|p| after.iter().any(|r| r.contains(p.as_str())))
        .collect();
    assert_eq!(named.len(), must.len().min(5), "{must:?} vs {after:#?}");
    // That full run rewrote the summary: the next login says the same.
    assert_eq!(hook_login("alice-4", &home, &[]), after);
    // With fewer lines allowed, the rest is counted, the same way every time.
    let policy = home.file("few.toml", b"[login]\nmax-lines = 2\n", 0o644);
    let policy = ["--policy", policy.to_str().unwrap()];
    let few = hook_login("alice-5", &home, &policy);
    assert_eq!(few.len(), 2, "{few:#?}");
    if must.len() > 2 {
        assert!(
            few[1].contains(&format!("{} more files", must.len() - 1)),
            "{few:#?}"
        );
    }
    assert_eq!(hook_login("alice-6", &home, &policy), few);
}

#[test]
fn a_hushlogin_is_respected_and_a_big_home_keeps_the_limits() {
    let test = "a_hushlogin_is_respected_and_a_big_home_keeps_the_limits";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    loose_key(&home);
    home.file(".hushlogin", b"", 0o644);
    let screen = on_terminal("hush", login_line(&home, "dumb", None).text());
    assert!(screen.trim_start().starts_with("EXIT=0"), "{screen}");
    std::fs::remove_file(home.join(".hushlogin")).unwrap();
    // A home with many entries and the shortest deadline the policy allows: whether
    // the check finishes in time depends on the machine (the deadline itself is
    // proven without timing by the unit tests of `within` in src/commands/login.rs),
    // but either way the login goes on, with at most `max-lines` lines.
    for i in 0..20_000 {
        home.file(format!(".ssh/f{i}"), b"x", 0o600);
    }
    let policy = home.file(
        "policy.toml",
        b"[login]\ndeadline-ms = 50\nmax-lines = 3\n",
        0o644,
    );
    let line = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "login",
    ])
    .env("TERM", "dumb")
    .shell_line();
    let screen = on_terminal("deadline", line.text());
    let printed: Vec<&str> = screen
        .lines()
        .take_while(|l| !l.starts_with("EXIT="))
        .filter(|l| l.starts_with("csi-self-check: "))
        .collect();
    assert!(!printed.is_empty(), "{screen}");
    assert!(printed.len() <= 3, "{screen}");
    assert!(
        printed.iter().any(|l| l.contains("id_ed25519"))
            || printed
                .iter()
                .any(|l| l.contains("did not finish within 50 ms")),
        "{screen}"
    );
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn the_profile_hook_is_posix_silent_and_leaves_no_variable() {
    let test = "the_profile_hook_is_posix_silent_and_leaves_no_variable";
    let home = Home::with_ssh();
    // The hook runs `csi-self-check login`, which checks the home of the password
    // database: on PATH is a stand-in that notes each call and runs the binary on the
    // fixture home instead, in the runner's environment.
    let line = Cli::new(["--home", home.path().to_str().unwrap()]).shell_line();
    let bin_dir = tempfile::tempdir().unwrap();
    let called = bin_dir.path().join("called");
    let stand_in = format!(
        "#!/bin/sh\n: > {}\nexec {} \"$@\"\n",
        quote(called.as_os_str()),
        line.text()
    );
    std::fs::write(bin_dir.path().join("csi-self-check"), stand_in).unwrap();
    chmod(&bin_dir.path().join("csi-self-check"), 0o755);
    let path = format!("{}:/usr/bin:/bin", bin_dir.path().display());
    // `shell args…` with the stand-in first on PATH, in the fixture home.
    let in_shell = |shell: &str, args: &[&str]| {
        Command::new(shell)
            .args(args)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let mut shells = vec!["sh", "bash"];
    if have("dash", test) {
        shells.push("dash");
    }
    for shell in shells {
        // Sourced under set -eu in a non-interactive shell: nothing printed, no
        // error, and the same variables afterwards as before (less what sourcing
        // itself changes in bash: `_` and the BASH_ARG* stacks).
        let scratch = tempfile::tempdir().unwrap();
        let (before, after) = (scratch.path().join("before"), scratch.path().join("after"));
        let script = format!(
            "set -eu; set | grep -Ev '^(_|BASH_ARG[CV])=' > {b}; . {HOOK}; \
             set | grep -Ev '^(_|BASH_ARG[CV])=' > {a}; cmp -s {b} {a} || {{ echo leftover; exit 3; }}; echo done",
            b = before.display(),
            a = after.display()
        );
        let out = in_shell(shell, &["-c", &script]);
        assert!(out.status.success(), "{shell}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n", "{shell}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{shell}");
        assert!(
            !called.exists(),
            "{shell}: csi-self-check ran, not interactive"
        );
    }
    // An interactive shell does run it (through the stand-in, on the fixture home).
    let out = in_shell(
        "bash",
        &["--norc", "--noprofile", "-i", "-c", &format!(". {HOOK}")],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        called.exists(),
        "an interactive shell did not run it: {out:?}"
    );
    // Without csi-self-check on PATH it does nothing, quietly.
    let out = Command::new("sh")
        .args(["-c", &format!("set -eu; . {HOOK}; echo done")])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
}

#[test]
fn the_autostart_entry_is_valid() {
    if !have("desktop-file-validate", "the_autostart_entry_is_valid") {
        return;
    }
    let out = Command::new("desktop-file-validate")
        .arg(AUTOSTART)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(AUTOSTART).unwrap();
    assert!(text.contains("Exec=csi-self-check login --notify"));
}

/// A PAM service whose session phase runs the login mode.
fn session_service() -> PamService {
    PamService::new(
        "session",
        &format!(
            "auth required pam_permit.so\n\
             account required pam_permit.so\n\
             password required pam_deny.so\n\
             session optional pam_exec.so stdout {BIN} login\n"
        ),
    )
}

#[test]
fn the_pam_session_hook_warns_as_the_user_and_never_reads_what_they_cannot() {
    let test = "the_pam_session_hook_warns_as_the_user_and_never_reads_what_they_cannot";
    if !is_root() {
        return skip(test, "useradd and /etc/pam.d need root");
    }
    if !have("pamtester", test) || !have("ssh-keygen", test) || !have("useradd", test) {
        return;
    }
    let user = TestUser::new("csilogin1");
    let ssh = user.home.join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    let made = crate::util::tool("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-a",
            "2",
            "-N",
            "Correct-Horse-9!",
            "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    std::os::unix::fs::symlink("/etc/shadow", ssh.join("id_shadow")).unwrap();
    let chown = Command::new("chown")
        .args(["-hR", &format!("{0}:{0}", user.name)])
        .arg(&user.home)
        .status()
        .unwrap();
    assert!(chown.success());
    chmod(&ssh, 0o700);
    chmod(&key, 0o640);
    let service = session_service();
    let out = crate::util::tool("timeout")
        .args([
            "60",
            "pamtester",
            "-v",
            &service.name,
            user.name,
            "open_session",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("FAIL ~/.ssh/id_ed25519"),
        "the loose key is not named:\n{text}"
    );
    // Nothing of /etc/shadow: not a line of it, not even root's entry.
    let shadow = std::fs::read_to_string("/etc/shadow").unwrap();
    for line in shadow.lines().filter(|l| !l.is_empty()) {
        assert!(!text.contains(line), "a line of /etc/shadow was printed");
    }
    assert!(!text.contains("root:"), "{text}");
    // What the session left behind is the user's own: it ran as them.
    let summary = user
        .home
        .join(".local/state/csi-self-check/login-summary.json");
    let meta = std::fs::metadata(&summary).unwrap();
    assert_eq!(
        meta.uid(),
        user.uid,
        "the login summary was not written as the user"
    );
    // The link was seen and not followed (the same run, as root's audit shows it).
    let audit = Cli::new([
        "--home",
        user.home.to_str().unwrap(),
        "--format",
        "json",
        "--only",
        "key-security",
    ])
    .run();
    let doc = audit.json();
    let link = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with("id_shadow")))
        .cloned()
        .unwrap_or_else(|| panic!("{}", audit.stdout));
    assert!(link["message"].as_str().unwrap().contains("link"), "{link}");
}

#[test]
fn a_notification_without_a_desktop_is_no_error() {
    if !have("ssh-keygen", "a_notification_without_a_desktop_is_no_error") {
        return;
    }
    let home = Home::with_ssh();
    loose_key(&home);
    // No terminal is needed for a notification, and no session bus is there to
    // take it: the login goes on, silently, within the time notify-send is given.
    let start = Instant::now();
    let run = Cli::new(["--home", home.path().to_str().unwrap(), "login", "--notify"]).run();
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    assert!(start.elapsed() < Duration::from_secs(10));
    // It did look: the full check left its summary.
    assert!(
        home.join(".local/state/csi-self-check/login-summary.json")
            .exists()
    );
}
