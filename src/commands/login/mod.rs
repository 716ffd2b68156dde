//! `csi-self-check login`: the few lines a login prints. A login is the one moment
//! everyone passes through, and the worst place to be slow, noisy or fragile: this
//! mode prints only to an interactive session (stdout is left alone — anything on
//! it breaks scp, sftp, rsync and git over ssh), at most a policy number of lines,
//! respects ~/.hushlogin, never prompts, always exits 0, and stops at a hard
//! deadline. The full check runs at most once per policy interval; the logins in
//! between print the summary it left in the state directory, so they cost a read.
//!
//! Three ways in: the `/etc/profile.d` hook (stderr, when stdin and stderr are
//! terminals), PAM's `session optional pam_exec.so stdout …` (run as root, the
//! account from `PAM_USER` and the password database, privileges dropped before
//! any file of the person's is touched, the lines on stdout for pam_exec to relay),
//! and the desktop's autostart entry (`--notify`: one desktop notification).

mod summary;

pub use summary::write as write_summary;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::Setup;
use super::check::remember;
use crate::account::Account;
use crate::checks::{self, Context, RemindWhen, RunOptions, Selection, Status, Subject};
use crate::fs::SafeDir;
use crate::policy::{LoadOptions, Policy};
use crate::process::Helper;
use crate::report::Report;
use crate::report::login::{Sink, deliver, interactive_session, reminder_text, shape};
use crate::sanitize::display_str;
use summary::{CACHE_FILE, Summary};

/// Where `notify-send` is installed; never looked up in `$PATH`.
const NOTIFY_SEND: &str = "/usr/bin/notify-send";

/// A notification's lines are cut here: a desktop shows them in a narrow box.
const NOTIFY_WIDTH: usize = 160;

/// How long `notify-send` may take to hand the notification over.
const NOTIFY_DEADLINE: Duration = Duration::from_secs(2);

/// All that `notify-send` is given of this process's environment: the session bus's
/// address, and the runtime directory where GLib finds the bus (`$XDG_RUNTIME_DIR/bus`)
/// when no address is set; and the locale, because older `notify-send`s convert
/// their text from it to UTF-8 and refuse anything but ASCII in the C locale. Not
/// `DISPLAY` or `WAYLAND_DISPLAY`: `notify-send` opens no display, and with `DISPLAY`
/// but no bus D-Bus's X11 autolaunch would start a bus of its own.
const NOTIFY_ENV: [&str; 5] = [
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
];

/// Where the lines go: the login lines' sinks, or a desktop notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Destination {
    Lines(Sink),
    Notification,
}

/// Runs the login mode. Whatever happens, the login goes on: errors are reported
/// to syslog at most, and the exit status is always 0.
pub fn run(setup: &Setup, notify: bool) {
    let pam_user = std::env::var("PAM_USER").ok().filter(|u| !u.is_empty());
    let destination = if pam_user.is_some() {
        Destination::Lines(Sink::Pam)
    } else if notify {
        Destination::Notification
    } else {
        Destination::Lines(Sink::Terminal)
    };
    if destination == Destination::Lines(Sink::Terminal) && !interactive_session() {
        return;
    }
    // Only the session's opening prints; the other PAM phases have no one to read it.
    if pam_user.is_some() && std::env::var("PAM_TYPE").is_ok_and(|t| t != "open_session") {
        return;
    }
    let (account, own) = match &pam_user {
        Some(user) => match pam_account(user) {
            Ok(account) => (account, true),
            Err(why) => {
                crate::syslog::authpriv(crate::syslog::Severity::Notice, &format!("login: {why}"));
                return;
            }
        },
        None => match setup.account() {
            Ok((account, audit)) => (account, !audit),
            Err(_) => return,
        },
    };
    // A site's policy only, when PAM runs this for someone else.
    let policy_file = if pam_user.is_some() {
        None
    } else {
        setup.policy_file.as_deref()
    };
    let Ok(policy) = crate::policy::load(&LoadOptions {
        policy_file,
        ..LoadOptions::default()
    }) else {
        return;
    };
    let Ok(home) = SafeDir::open_root(&account.home) else {
        return;
    };
    if home.lstat(std::ffi::OsStr::new(".hushlogin")).is_ok() {
        return;
    }
    let width = match destination {
        Destination::Lines(_) => crate::report::wrap::stderr_width(),
        Destination::Notification => NOTIFY_WIDTH,
    };
    let lines = lines_within_deadline(&account, policy, own, setup.now, width);
    match destination {
        Destination::Lines(sink) => deliver(sink, &lines),
        Destination::Notification => notify_desktop(&lines),
    }
}

/// The account PAM names, from the password database; root becomes that person
/// for good before anything of theirs is read, and stops if it cannot.
fn pam_account(user: &str) -> Result<Account, String> {
    let account = Account::by_name(user)
        .ok_or_else(|| format!("PAM_USER {} has no account", display_str(user)))?;
    let euid = nix::unistd::geteuid().as_raw();
    if euid == 0 && account.uid != 0 {
        crate::privilege::drop_to(&account).map_err(|e| e.to_string())?;
    } else if euid != account.uid {
        return Err(format!(
            "running as uid {euid}, not as {} or root; refusing to read their files",
            display_str(user)
        ));
    }
    Ok(account)
}

/// The lines to print: from the cached summary while it is fresh and every file it
/// names is as it was; else from a full check — cut off at the deadline with the
/// cached lines that are still true.
fn lines_within_deadline(
    account: &Account,
    policy: Policy,
    own: bool,
    now: i64,
    width: usize,
) -> Vec<String> {
    let start = Instant::now();
    let deadline = Duration::from_millis(policy.number("login", "deadline-ms"));
    let max_lines = usize::try_from(policy.number("login", "max-lines")).unwrap_or(5);
    let rescan = i64::try_from(policy.number("login", "rescan-hours"))
        .unwrap_or(24)
        .saturating_mul(3600);
    let home = SafeDir::open_root(&account.home).ok();
    let cached = home.as_ref().and_then(|home| {
        crate::state::read_json::<Summary>(home, account, CACHE_FILE).and_then(Result::ok)
    });
    let checked = match (&cached, &home) {
        (Some(summary), Some(home)) => Some(summary.still_true(home)),
        _ => None,
    };
    let fresh = cached
        .as_ref()
        .is_some_and(|s| now.saturating_sub(s.written_at) < rescan && s.written_at <= now);
    if let Some((true_now, false)) = &checked
        && fresh
    {
        return shape(&true_now.texts(), None, max_lines, width);
    }
    let worker_account = account.clone();
    let check = move || full_check(&worker_account, &policy, own, now);
    within(
        check,
        deadline.saturating_sub(start.elapsed()),
        deadline,
        checked.map(|(true_now, _)| true_now),
        (max_lines, width),
    )
}

/// Runs `check` on a thread of its own and waits at most `wait` for it: on time,
/// its lines; late, what of the last summary is still true and a word that the
/// checks did not finish within `deadline`. The thread is left to finish or die with
/// the process.
fn within(
    check: impl FnOnce() -> (Summary, Option<String>) + Send + 'static,
    wait: Duration,
    deadline: Duration,
    cached: Option<Summary>,
    (max_lines, width): (usize, usize),
) -> Vec<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(check());
    });
    match rx.recv_timeout(wait) {
        Ok((summary, reminder)) => shape(&summary.texts(), reminder.as_deref(), max_lines, width),
        Err(mpsc::RecvTimeoutError::Disconnected) => shape(
            &[
                "the checks stopped with an internal error; run `csi-self-check` for them"
                    .to_owned(),
            ],
            None,
            1,
            width,
        ),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let texts = cached.map(|summary| summary.texts()).unwrap_or_default();
            let mut lines = shape(&texts, None, max_lines.saturating_sub(1), width);
            lines.extend(shape(
                &[format!(
                    "the checks did not finish within {} ms; run `csi-self-check` for them",
                    deadline.as_millis()
                )],
                None,
                1,
                width,
            ));
            lines
        }
    }
}

/// Runs every automated check and, for the person's own login (not root looking
/// at someone else's home), records the summary for the next logins, and the one
/// reminder it may show (only when no problem is left) as shown.
fn full_check(
    account: &Account,
    policy: &Policy,
    own: bool,
    now: i64,
) -> (Summary, Option<String>) {
    let options = RunOptions {
        remind: RemindWhen::Due,
        ..RunOptions::default()
    };
    let cx = Context::new(account, policy, options, now);
    let findings = checks::run_all(&cx, Subject::Home, &Selection::default());
    let report = Report::about(account, findings, policy, now);
    let Ok(home) = SafeDir::open_root(&account.home) else {
        return (Summary::default(), None);
    };
    let summary = Summary::of(&report, &home, now);
    let reminder = summary
        .problems
        .is_empty()
        .then(|| report.findings.iter().find(|f| f.status == Status::Remind))
        .flatten();
    if own {
        let _ = crate::state::write_json(&home, account, CACHE_FILE, &summary);
        let remembered: Vec<checks::Finding> = report
            .findings
            .iter()
            .filter(|f| f.status != Status::Remind)
            .chain(reminder)
            .cloned()
            .collect();
        remember(account, &remembered, now);
    }
    (summary, reminder.map(reminder_text))
}

/// One desktop notification through `notify-send`, bounded in time; no
/// notification service, or no `notify-send`, is no error.
fn notify_desktop(lines: &[String]) {
    let body: Vec<String> = lines
        .iter()
        .map(|l| markup_escaped(l.trim_start_matches("csi-self-check: ")))
        .collect();
    let mut helper = Helper::new(NOTIFY_SEND, NOTIFY_DEADLINE);
    helper
        .args(["--app-name=csi-self-check", "--icon=dialog-warning"])
        .arg("csi-self-check: credential hygiene")
        .arg(body.join("\n"));
    for name in NOTIFY_ENV {
        helper.pass_env(name);
    }
    let _ = helper.run();
}

/// Notification servers read a body's `<b>`, `<a href>` and `&…;` as markup; a file
/// named `id_<b>x` must show as it is.
fn markup_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use summary::Cached;

    #[test]
    fn a_notification_body_holds_no_markup() {
        assert_eq!(
            markup_escaped("~/.ssh/id_<b>x & <a href=\"h\">y</a>"),
            "~/.ssh/id_&lt;b&gt;x &amp; &lt;a href=\"h\"&gt;y&lt;/a&gt;"
        );
    }

    fn summary(texts: &[&str]) -> Summary {
        Summary {
            written_at: 0,
            problems: texts
                .iter()
                .map(|t| Cached {
                    text: (*t).to_owned(),
                    path: None,
                    seen: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_check_that_finishes_in_time_gives_its_lines() {
        let lines = within(
            || (summary(&["now"]), None),
            Duration::from_secs(30),
            Duration::from_secs(30),
            Some(summary(&["old"])),
            (5, 80),
        );
        assert_eq!(lines, ["csi-self-check: now"]);
        let lines = within(
            || (summary(&[]), Some("remind r".to_owned())),
            Duration::from_secs(30),
            Duration::from_secs(30),
            None,
            (5, 80),
        );
        assert_eq!(lines, ["csi-self-check: remind r"]);
    }

    #[test]
    fn a_check_past_the_deadline_gives_the_cached_lines_and_a_word() {
        // The check waits for a message that only comes after the deadline has
        // passed, so it is late whatever the machine's speed.
        let (release, wait) = mpsc::channel::<()>();
        let lines = within(
            move || {
                let _ = wait.recv();
                (summary(&["now"]), None)
            },
            Duration::from_millis(50),
            Duration::from_millis(50),
            Some(summary(&["old"])),
            (5, 80),
        );
        drop(release);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0], "csi-self-check: old");
        assert!(
            lines[1].contains("did not finish within 50 ms"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_check_that_dies_says_so() {
        let lines = within(
            || panic!("a check died"),
            Duration::from_secs(30),
            Duration::from_secs(30),
            None,
            (5, 80),
        );
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains("internal error"), "{lines:?}");
    }
}
