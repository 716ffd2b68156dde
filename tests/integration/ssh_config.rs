//! The ssh-client-config check on fixture homes: each risky setting reported with
//! the FILE:LINE that sets it, included files followed, files ssh refuses, and the
//! policy's level deciding the exit status.

use crate::util::{Cli, Home};

fn triple(status: &str, level: &str, code: &str) -> (String, String, String) {
    (status.to_owned(), level.to_owned(), code.to_owned())
}

/// The message of the one finding with this code.
fn message(run: &crate::util::Run, code: &str) -> String {
    let json = run.json();
    let found: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "{code}: {}", run.stdout);
    format!("{} | fix: {}", found[0]["message"], found[0]["fix"])
}

const HOST_STAR_AGENT: &[u8] =
    b"# personal settings\nHost bastion\n  HostName bastion.example.org\nHost *\n  ForwardAgent yes\n";

#[test]
fn forward_agent_under_host_star_is_reported_with_its_file_and_line() {
    let home = Home::with_ssh();
    let config = home.file(".ssh/config", HOST_STAR_AGENT, 0o600);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(run.code, 0, "a should-level finding: {}", run.stderr);
    assert_eq!(
        run.findings_for(&config),
        [triple("fail", "should", "ssh-forward-agent-all-hosts")]
    );
    let said = message(&run, "ssh-forward-agent-all-hosts");
    assert!(
        said.contains("~/.ssh/config:5: sets `ForwardAgent yes` for all hosts (Host *)"),
        "{said}"
    );
    assert!(said.contains("the worst case"), "{said}");
    assert!(
        said.contains("ProxyJump") && said.contains("ProxyCommand ssh -W %h:%p"),
        "{said}"
    );
}

#[test]
fn an_included_file_is_named_with_its_own_line_and_the_block_it_is_under() {
    let home = Home::with_ssh();
    home.dir(".ssh/config.d", 0o700);
    home.file(
        ".ssh/config",
        b"Host *.lab\n  Include config.d/*.conf\n",
        0o600,
    );
    let work = home.file(
        ".ssh/config.d/work.conf",
        b"# lab machines are reinstalled daily\n\nStrictHostKeyChecking no\nForwardAgent=yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Under `Host *.lab`, not every host: warnings, not failures.
    assert_eq!(
        run.findings_for(&work),
        [
            triple("warn", "should", "ssh-host-key-unchecked"),
            triple("warn", "should", "ssh-forward-agent"),
        ]
    );
    let said = message(&run, "ssh-host-key-unchecked");
    assert!(said.contains("~/.ssh/config.d/work.conf:3: sets `StrictHostKeyChecking no` for only the hosts under `Host *.lab`"), "{said}");
    assert!(message(&run, "ssh-forward-agent").contains("work.conf:4"));
}

#[test]
fn a_later_line_that_can_never_take_effect_is_reported_as_such() {
    let home = Home::with_ssh();
    let config = home.file(
        ".ssh/config",
        b"Host *\n  UserKnownHostsFile ~/.ssh/known_hosts\nHost ci\n  UserKnownHostsFile /dev/null\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&config),
        [
            triple("pass", "should", "ssh-setting-overridden"),
            triple("pass", "should", "ssh-config-clean"),
        ]
    );
    let said = message(&run, "ssh-setting-overridden");
    assert!(said.contains("~/.ssh/config:4: `UserKnownHostsFile /dev/null` never takes effect: ~/.ssh/config:2 already decided it"), "{said}");
}

#[test]
fn a_group_writable_config_is_one_ssh_refuses() {
    let home = Home::with_ssh();
    let config = home.file(".ssh/config", b"Host *\n  ForwardAgent no\n", 0o620);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&config),
        [triple("fail", "should", "ssh-config-refused")]
    );
    let said = message(&run, "ssh-config-refused");
    assert!(said.contains("Bad owner or permissions on"), "{said}");
    assert!(said.contains("chmod go-w"), "{said}");
}

#[test]
fn a_clean_config_passes_and_decides_before_the_system_file() {
    let home = Home::with_ssh();
    // Read first, these lines decide for every host whatever /etc/ssh says.
    let config = home.file(
        ".ssh/config",
        b"Host *\n  ForwardAgent no\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ~/.ssh/known_hosts\nHost gw\n  HostName gw.example.org\nHost inner\n  ProxyJump gw\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.findings_for(&config),
        [triple("pass", "should", "ssh-config-clean")]
    );
    let statuses: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        statuses.iter().all(|s| s == "pass" || s == "skip"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_policy_that_raises_the_item_to_must_makes_agent_forwarding_exit_1() {
    let home = Home::with_ssh();
    let config = home.file(".ssh/config", HOST_STAR_AGENT, 0o600);
    let strict = home.file(
        "strict.toml",
        b"[ssh-proxycommand]\nlevel = \"must\"\n",
        0o644,
    );
    let run = Cli::json(
        &home,
        &[
            "--only",
            "ssh-client-config",
            "--policy",
            strict.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings_for(&config),
        [triple("fail", "must", "ssh-forward-agent-all-hosts")]
    );
}

#[test]
fn a_fifo_include_and_a_linked_config_are_reported_not_read() {
    let home = Home::with_ssh();
    home.file("dotfiles-ssh-config", b"ForwardAgent yes\n", 0o600);
    let link = home.symlink(".ssh/config", "../dotfiles-ssh-config");
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&link),
        [triple("skip", "should", "ssh-config-not-read")]
    );
    std::fs::remove_file(&link).unwrap();
    home.file(".ssh/config", b"Include pipe\n", 0o600);
    let pipe = home.fifo(".ssh/pipe");
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&pipe),
        [triple("skip", "should", "ssh-config-not-read")]
    );
    assert!(
        message(&run, "ssh-config-not-read").contains("(included at ~/.ssh/config:1) is a FIFO")
    );
}

/// The system config the check reads is the one in the run's system root, never this
/// machine's /etc/ssh: a test plants its own, and it is reported with its path.
#[test]
fn the_system_config_is_read_from_the_run_s_system_root() {
    let home = Home::with_ssh();
    let sysroot = tempfile::tempdir().unwrap();
    let etc_ssh = sysroot.path().join("etc/ssh");
    std::fs::create_dir_all(&etc_ssh).unwrap();
    let system = etc_ssh.join("ssh_config");
    std::fs::write(&system, "Host *\n  ForwardAgent yes\n").unwrap();
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--format",
        "json",
        "--only",
        "ssh-client-config",
    ])
    .env(crate::util::SYSROOT_VAR, sysroot.path().to_str().unwrap())
    .run();
    assert_eq!(
        run.findings_for(&system),
        [triple("fail", "should", "ssh-forward-agent-all-hosts")],
        "{}",
        run.stdout
    );
    // The run's own empty system root: nothing of the machine's /etc/ssh is read.
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert!(!run.stdout.contains("/etc/ssh"), "{}", run.stdout);
}
