//! The screen-lock check on fixture homes: real `gsettings` over a keyfile backend
//! for GNOME, and config files for KDE, XFCE, xscreensaver, swayidle, hypridle,
//! TMOUT and tmux. Each failure must name the setting, its value, where it came
//! from and the fix.

use std::path::Path;

use crate::util::{Cli, Home, Run, have, skip};

/// A JSON run of screen-lock only. `HOME` is set to the fixture, so that the
/// environment counts as the person's own and `XDG_*` variables are honoured.
fn run(home: &Home, env: &[(&str, &str)]) -> Run {
    let path = home.path().to_str().unwrap();
    let mut cli =
        Cli::new(["--home", path, "--format", "json", "--only", "screen-lock"]).env("HOME", path);
    for (key, value) in env {
        cli = cli.env(key, value);
    }
    cli.run()
}

/// The findings whose message starts with `who` (a desktop or shell name).
fn about(run: &Run, who: &str) -> Vec<serde_json::Value> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().starts_with(who))
        .cloned()
        .collect()
}

fn codes(findings: &[serde_json::Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

const SCHEMA: &str = "/usr/share/glib-2.0/schemas/org.gnome.desktop.session.gschema.xml";

fn have_gsettings(test: &str) -> bool {
    if !have("gsettings", test) {
        return false;
    }
    if !Path::new(SCHEMA).exists() {
        skip(
            test,
            "the GNOME schemas are not installed (gsettings-desktop-schemas; the README's test command installs it)",
        );
        return false;
    }
    true
}

#[test]
fn gnome_idle_delay_0_is_a_must_failure_naming_the_key() {
    if !have_gsettings("gnome_idle_delay_0_is_a_must_failure_naming_the_key") {
        return;
    }
    let home = Home::new();
    home.dir(".cfg/glib-2.0/settings", 0o700);
    let keyfile = home.file(
        ".cfg/glib-2.0/settings/keyfile",
        b"[org/gnome/desktop/session]\nidle-delay=uint32 0\n",
        0o600,
    );
    let cfg = home.join(".cfg");
    let env = [
        ("GSETTINGS_BACKEND", "keyfile"),
        ("XDG_CONFIG_HOME", cfg.to_str().unwrap()),
        ("XDG_CURRENT_DESKTOP", "ubuntu:GNOME"),
    ];
    let out = run(&home, &env);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let gnome = about(&out, "GNOME");
    assert_eq!(codes(&gnome), ["lock-never-idle"], "{gnome:?}");
    let f = &gnome[0];
    assert_eq!(
        (f["status"].as_str(), f["level"].as_str()),
        (Some("fail"), Some("must"))
    );
    assert_eq!(f["policy"], "desktop-locking");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("org.gnome.desktop.session idle-delay is 0 seconds"),
        "{message}"
    );
    assert!(
        message.contains(keyfile.to_str().unwrap()),
        "where it came from: {message}"
    );
    assert_eq!(
        f["fix"],
        "gsettings set org.gnome.desktop.session idle-delay 900"
    );

    // Within the limits, GNOME passes, and every value says where it came from.
    std::fs::write(
        &keyfile,
        "[org/gnome/desktop/session]\nidle-delay=uint32 600\n",
    )
    .unwrap();
    let out = run(&home, &env);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let gnome = about(&out, "GNOME");
    assert_eq!(codes(&gnome), ["lock-ok"], "{gnome:?}");
    let message = gnome[0]["message"].as_str().unwrap();
    assert!(message.contains("idle-delay is 600 seconds"), "{message}");
    assert!(
        message.contains("XDG_CURRENT_DESKTOP=ubuntu:GNOME"),
        "{message}"
    );

    // 30 s between blanking and locking is above the policy's 5.
    std::fs::write(
        &keyfile,
        "[org/gnome/desktop/session]\nidle-delay=uint32 600\n[org/gnome/desktop/screensaver]\nlock-delay=uint32 30\n",
    )
    .unwrap();
    let out = run(&home, &env);
    assert_eq!(out.code, 1);
    let gnome = about(&out, "GNOME");
    assert_eq!(codes(&gnome), ["lock-delay-too-long"], "{gnome:?}");
    assert_eq!(
        gnome[0]["fix"],
        "gsettings set org.gnome.desktop.screensaver lock-delay 5"
    );

    // Someone else's environment (HOME is not the checked home) is not trusted:
    // XDG_CURRENT_DESKTOP is ignored and nothing names GNOME.
    let path = home.path().to_str().unwrap();
    let elsewhere = Home::new();
    let mut cli = Cli::new(["--home", path, "--format", "json", "--only", "screen-lock"])
        .env("HOME", elsewhere.path().to_str().unwrap());
    for (key, value) in env {
        cli = cli.env(key, value);
    }
    let out = cli.run();
    assert!(about(&out, "GNOME").is_empty(), "{}", out.stdout);
}

#[test]
fn kde_autolock_off_and_a_long_timeout_fail_with_kwriteconfig_fixes() {
    let home = Home::new();
    home.dir(".config", 0o700);
    let rc = home.file(
        ".config/kscreenlockerrc",
        b"[Greeter]\nTheme=x\n\n[Daemon]\nAutolock=false\nTimeout=30\n",
        0o600,
    );
    // Found from the file alone: no XDG_CURRENT_DESKTOP.
    let out = run(&home, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let kde = about(&out, "KDE Plasma");
    assert_eq!(
        codes(&kde),
        ["lock-disabled", "lock-idle-too-long"],
        "{kde:?}"
    );
    let message = kde[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "kscreenlockerrc [Daemon] Autolock is false (set in {}:5)",
            rc.display()
        )),
        "{message}"
    );
    assert_eq!(
        kde[0]["fix"],
        "kwriteconfig6 --file kscreenlockerrc --group Daemon --key Autolock true"
    );
    assert!(
        kde[1]["message"]
            .as_str()
            .unwrap()
            .contains("Timeout is 30 minutes")
    );
    assert_eq!(
        kde[1]["fix"],
        "kwriteconfig6 --file kscreenlockerrc --group Daemon --key Timeout 15"
    );
    // The defaults (5 minutes, lock on) pass.
    std::fs::write(&rc, "[Daemon]\n").unwrap();
    let out = run(&home, &[("XDG_CURRENT_DESKTOP", "KDE")]);
    assert_eq!(
        codes(&about(&out, "KDE Plasma")),
        ["lock-ok"],
        "{}",
        out.stdout
    );
}

#[test]
fn a_hostile_config_is_not_followed_and_only_reminds() {
    let home = Home::new();
    home.dir(".config", 0o700);
    home.symlink(".config/kscreenlockerrc", "/etc/shadow");
    let out = run(&home, &[("XDG_CURRENT_DESKTOP", "KDE")]);
    let kde = about(&out, "KDE Plasma");
    assert_eq!(codes(&kde), ["lock-unknown"], "{kde:?}");
    assert!(kde[0]["message"].as_str().unwrap().contains("not followed"));
    std::fs::remove_file(home.join(".config/kscreenlockerrc")).unwrap();
    home.fifo(".config/kscreenlockerrc");
    let out = run(&home, &[("XDG_CURRENT_DESKTOP", "KDE")]);
    assert_eq!(codes(&about(&out, "KDE Plasma")), ["lock-unknown"]);
}

#[test]
fn xfce_lock_disabled_names_the_xfconf_property() {
    let home = Home::new();
    home.dir(".config/xfce4/xfconf/xfce-perchannel-xml", 0o700);
    let xml = home.file(
        ".config/xfce4/xfconf/xfce-perchannel-xml/xfce4-screensaver.xml",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<channel name=\"xfce4-screensaver\" version=\"1.0\">\n  <property name=\"lock\" type=\"empty\">\n    <property name=\"enabled\" type=\"bool\" value=\"false\"/>\n  </property>\n  <property name=\"saver\" type=\"empty\">\n    <property name=\"idle-activation\" type=\"empty\">\n      <property name=\"delay\" type=\"int\" value=\"10\"/>\n    </property>\n  </property>\n</channel>\n",
        0o600,
    );
    let out = run(&home, &[("XDG_CURRENT_DESKTOP", "XFCE")]);
    let xfce = about(&out, "xfce4-screensaver");
    assert_eq!(codes(&xfce), ["lock-disabled"], "{}", out.stdout);
    let message = xfce[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "/lock/enabled is false (set in {}:4)",
            xml.display()
        )),
        "{message}"
    );
    assert_eq!(
        xfce[0]["fix"],
        "xfconf-query -c xfce4-screensaver -p /lock/enabled -n -t bool -s true"
    );
}

#[test]
fn xscreensaver_does_not_lock_unless_told_to() {
    let home = Home::new();
    let file = home.file(
        ".xscreensaver",
        b"timeout:\t0:10:00\nmode:\t\trandom\n",
        0o644,
    );
    let out = run(&home, &[]);
    let xs = about(&out, "xscreensaver");
    assert_eq!(codes(&xs), ["lock-disabled"], "{}", out.stdout);
    assert!(
        xs[0]["message"]
            .as_str()
            .unwrap()
            .contains("xscreensaver lock is False (default)")
    );
    std::fs::write(&file, "timeout:\t0:10:00\nlock:\t\tTrue\n").unwrap();
    let out = run(&home, &[]);
    assert_eq!(
        codes(&about(&out, "xscreensaver")),
        ["lock-ok"],
        "{}",
        out.stdout
    );
}

#[test]
fn swayidle_must_bind_a_locker_to_a_timeout() {
    let home = Home::new();
    home.dir(".config/sway", 0o700);
    let config = home.file(
        ".config/sway/config",
        b"exec swayidle -w timeout 600 'swaymsg \"output * power off\"'\n",
        0o644,
    );
    let env = [("XDG_CURRENT_DESKTOP", "sway")];
    let out = run(&home, &env);
    let sway = about(&out, "swayidle");
    assert_eq!(codes(&sway), ["lock-never-idle"], "{}", out.stdout);
    assert!(
        sway[0]["fix"]
            .as_str()
            .unwrap()
            .contains("timeout 900 'swaylock -f'")
    );
    std::fs::write(
        &config,
        "exec swayidle -w \\\n  timeout 300 'swaylock -f' \\\n  before-sleep 'swaylock -f'\n",
    )
    .unwrap();
    let out = run(&home, &env);
    assert_eq!(
        codes(&about(&out, "swayidle")),
        ["lock-ok"],
        "{}",
        out.stdout
    );
}

#[test]
fn hypridle_timeout_above_the_limit_fails() {
    let home = Home::new();
    home.dir(".config/hypr", 0o700);
    home.file(
        ".config/hypr/hypridle.conf",
        b"general {\n  lock_cmd = pidof hyprlock || hyprlock\n}\nlistener {\n  timeout = 1200\n  on-timeout = loginctl lock-session\n}\n",
        0o644,
    );
    let out = run(&home, &[("XDG_CURRENT_DESKTOP", "Hyprland")]);
    assert_eq!(out.code, 1);
    let hypr = about(&out, "hypridle");
    assert_eq!(codes(&hypr), ["lock-idle-too-long"], "{}", out.stdout);
    assert!(
        hypr[0]["message"]
            .as_str()
            .unwrap()
            .contains("hypridle.conf:5")
    );
}

#[test]
fn tmout_readonly_in_bashrc_passes_and_a_long_one_fails() {
    let home = Home::new();
    let bashrc = home.file(
        ".bashrc",
        b"TMOUT=600\nreadonly TMOUT\nexport TMOUT\n",
        0o644,
    );
    let out = run(&home, &[]);
    let bash = about(&out, "bash");
    assert_eq!(codes(&bash), ["lock-console-ok"], "{}", out.stdout);
    let message = bash[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("set in {}:1", bashrc.display())),
        "{message}"
    );
    std::fs::write(&bashrc, "TMOUT=600\n").unwrap();
    let out = run(&home, &[]);
    assert_eq!(codes(&about(&out, "bash")), ["lock-console-not-readonly"]);
    std::fs::write(&bashrc, "readonly TMOUT=3600\n").unwrap();
    let out = run(&home, &[]);
    assert_eq!(codes(&about(&out, "bash")), ["lock-console-too-long"]);
    assert_eq!(out.code, 1);
    // Without TMOUT, tmux's lock covers an idle session.
    std::fs::write(&bashrc, "# nothing\n").unwrap();
    home.file(
        ".tmux.conf",
        b"set -g lock-after-time 300\nset -g lock-command vlock\n",
        0o644,
    );
    let out = run(&home, &[]);
    assert_eq!(
        codes(&about(&out, "bash")),
        ["lock-console-ok"],
        "{}",
        out.stdout
    );
}

#[test]
fn nothing_to_determine_is_a_reminder_not_a_failure() {
    let home = Home::new();
    let out = run(&home, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let findings = out.json()["findings"].as_array().unwrap().clone();
    let unknown: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == "lock-unknown")
        .collect();
    assert_eq!(unknown.len(), 1, "{findings:?}");
    assert_eq!(unknown[0]["status"], "remind");
    assert!(
        unknown[0]["message"]
            .as_str()
            .unwrap()
            .contains("lock the screen")
    );
    assert!(findings.iter().all(|f| f["status"] != "fail"));
}
