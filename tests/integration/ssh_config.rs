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
fn a_stow_linked_config_is_read_and_a_fifo_include_is_not() {
    let home = Home::with_ssh();
    home.dir("dotfiles/ssh/.ssh", 0o755);
    home.file("dotfiles/ssh/.ssh/config", HOST_STAR_AGENT, 0o600);
    // stow's layout: ~/.ssh/config -> ../dotfiles/ssh/.ssh/config.
    let link = home.symlink(".ssh/config", "../dotfiles/ssh/.ssh/config");
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&link),
        [triple("fail", "should", "ssh-forward-agent-all-hosts")]
    );
    assert!(!run.codes().contains(&"ssh-config-clean".to_owned()));
    // A link out of the home is not followed: not read, and no clean pass.
    std::fs::remove_file(&link).unwrap();
    let elsewhere = Home::new();
    let outside = elsewhere.file("config", HOST_STAR_AGENT, 0o600);
    let link = home.symlink(".ssh/config", &outside);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        run.findings_for(&link),
        [triple("skip", "should", "ssh-config-not-read")]
    );
    assert!(!run.codes().contains(&"ssh-config-clean".to_owned()));
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

#[test]
fn a_file_not_read_is_never_a_clean_pass() {
    // An include over the size bound: read in part, reported, no "clean".
    let home = Home::with_ssh();
    let mut big = b"# padding\n".repeat(120_000);
    big.extend_from_slice(b"Host *\n  ForwardAgent yes\n");
    home.file(".ssh/big.conf", &big, 0o600);
    home.file(".ssh/config", b"Include big.conf\n", 0o600);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    let codes = run.codes();
    assert!(
        codes.contains(&"ssh-config-not-read".to_owned()),
        "{codes:?}"
    );
    assert!(!codes.contains(&"ssh-config-clean".to_owned()), "{codes:?}");
    // 600 includes, the risky line in the last: past the files one run reads.
    let home = Home::with_ssh();
    home.dir(".ssh/many", 0o700);
    for i in 0..600 {
        let text: &[u8] = if i == 599 {
            b"Host *\n  ForwardAgent yes\n"
        } else {
            b"# nothing\n"
        };
        home.file(format!(".ssh/many/{i:04}.conf"), text, 0o600);
    }
    home.file(".ssh/config", b"Include many/*.conf\n", 0o600);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    let codes = run.codes();
    assert!(
        codes.contains(&"ssh-config-not-read".to_owned()),
        "{codes:?}"
    );
    assert!(!codes.contains(&"ssh-config-clean".to_owned()), "{codes:?}");
}

/// The codes of the findings for `path`, in order.
fn codes_at(run: &crate::util::Run, path: &std::path::Path) -> Vec<String> {
    run.findings_for(path).into_iter().map(|t| t.2).collect()
}

#[test]
fn both_passes_are_read_as_ssh_reads_them() {
    let home = Home::with_ssh();
    // `Match final` applies in the second pass only, after `Host *` has decided.
    let config = home.file(
        ".ssh/config",
        b"Match final all\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(codes_at(&run, &config), ["ssh-forward-agent-all-hosts"]);
    assert!(message(&run, "ssh-forward-agent-all-hosts").contains("config:4"));
    // `Match canonical` without a second pass applies to no host.
    home.file(
        ".ssh/config",
        b"Match canonical all\n  ForwardAgent yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        codes_at(&run, &config),
        ["ssh-setting-overridden", "ssh-config-clean"]
    );
    // The second pass matches `Host` against the HostName.
    home.file(
        ".ssh/config",
        b"Host work\n  HostName build.internal\nMatch final host nothing\nHost build.internal\n  ForwardAgent yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(codes_at(&run, &config), ["ssh-forward-agent"]);
    let said = message(&run, "ssh-forward-agent");
    assert!(said.contains("config:5") && said.contains("work"), "{said}");
}

#[test]
fn match_host_tests_the_hostname_and_an_earlier_match_decides_first() {
    let home = Home::with_ssh();
    let config = home.file(
        ".ssh/config",
        b"Host web\n  HostName web.example.com\nMatch host web\n  ForwardAgent yes\nMatch host web.example.com\n  StrictHostKeyChecking no\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    // `Match host web` tests the HostName, which `Host web` has set by then: the
    // line under it applies to no host; the one under the HostName's does.
    assert_eq!(
        codes_at(&run, &config),
        ["ssh-host-key-unchecked", "ssh-setting-overridden"]
    );
    assert!(message(&run, "ssh-host-key-unchecked").contains("config:6"));
    // An earlier `Match host *` decides first for every host.
    home.file(
        ".ssh/config",
        b"Match host *\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        codes_at(&run, &config),
        ["ssh-setting-overridden", "ssh-config-clean"]
    );
    assert!(message(&run, "ssh-setting-overridden").contains("config:2 already decided it"));
    // An earlier `Match exec` may or may not decide: it depends on a command.
    home.file(
        ".ssh/config",
        b"Match exec \"test -e /run/vpn\"\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(codes_at(&run, &config), ["ssh-forward-agent"]);
    let said = message(&run, "ssh-forward-agent");
    assert!(
        said.contains("all hosts (Host *)") && said.contains("depends on a command"),
        "{said}"
    );
}

#[test]
fn quoted_keywords_and_any_spelling_of_dev_null_are_read() {
    let home = Home::with_ssh();
    let config = home.file(
        ".ssh/config",
        b"Host *\n  \"ForwardAgent\" yes\n  StrictHostKeyChecking=\"no\"\n  UserKnownHostsFile /dev/./null\nHost ci\n  UserKnownHostsFile /dev//null\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(
        codes_at(&run, &config),
        [
            "ssh-forward-agent-all-hosts",
            "ssh-host-key-unchecked",
            "ssh-known-hosts-discarded",
            "ssh-setting-overridden",
        ]
    );
}

#[test]
fn a_config_ssh_refuses_is_reported_as_refused_with_its_reason() {
    let home = Home::with_ssh();
    let config = home.file(
        ".ssh/config",
        b"Host *\n  StrictHostKeyChecking no#x\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(codes_at(&run, &config), ["ssh-config-refused"]);
    let said = message(&run, "ssh-config-refused");
    assert!(said.contains("unsupported option \\\"no#x\\\""), "{said}");
    assert!(
        said.contains("terminating, 1 bad configuration options"),
        "{said}"
    );
    home.file(".ssh/config", b"ForwardAgnet yes\n", 0o600);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert!(message(&run, "ssh-config-refused").contains("Bad configuration option: forwardagnet"));
}

#[test]
fn lines_that_can_never_apply_are_no_problem() {
    let home = Home::with_ssh();
    let config = home.file(
        ".ssh/config",
        b"Host web1,web2\n  ForwardAgent yes\nHost web[12]\n  StrictHostKeyChecking no\nHost !db\n  UserKnownHostsFile /dev/null\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        codes_at(&run, &config),
        [
            "ssh-setting-overridden",
            "ssh-setting-overridden",
            "ssh-setting-overridden",
            "ssh-config-clean",
        ]
    );
}

#[test]
fn output_grows_with_the_config_not_its_square() {
    // 4,000 Host blocks, each forwarding the agent to its own host, then one for
    // all: the old report listed every earlier line in each finding.
    let home = Home::with_ssh();
    let mut text = String::new();
    for i in 0..4000 {
        text.push_str(&format!("Host host{i}.example.org\n  ForwardAgent yes\n"));
    }
    text.push_str("Host *\n  ForwardAgent yes\n  StrictHostKeyChecking no\n");
    home.file(".ssh/config", text.as_bytes(), 0o600);
    let run = Cli::json(&home, &["--only", "ssh-client-config"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // One finding per risky line (4,002), of which a check reports the worst 200
    // and counts the rest in one line: both all-host failures are kept.
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 201);
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"ssh-forward-agent-all-hosts"), "{codes:?}");
    assert!(codes.contains(&"ssh-host-key-unchecked"), "{codes:?}");
    let left_out = findings
        .iter()
        .find(|f| f["code"] == "findings-left-out")
        .unwrap()["message"]
        .as_str()
        .unwrap();
    assert!(
        left_out.starts_with("3802 more finding(s) of this check were left out (3802 warn)"),
        "{left_out}"
    );
    assert!(
        run.stdout.len() < 10 << 20,
        "{} bytes of JSON for a {} byte config",
        run.stdout.len(),
        text.len()
    );
    // Linear: no finding much longer than one line's own description.
    let longest = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string().len())
        .max()
        .unwrap();
    assert!(longest < 2000, "{longest}");
}

/// The home reached by another spelling (`/home` a link to `/var/home`) is still the
/// home: an `Include` that spells it the other way follows no link out of it.
#[test]
fn an_include_spelling_the_home_another_way_follows_no_link_out() {
    let real = tempfile::tempdir().unwrap();
    let names = tempfile::tempdir().unwrap();
    let spelled = names.path().join("home");
    std::os::unix::fs::symlink(real.path(), &spelled).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("agent.conf");
    std::fs::write(&secret, "Host *\n  ForwardAgent yes\n").unwrap();
    let ssh = real.path().join(".ssh");
    std::fs::create_dir(&ssh).unwrap();
    std::os::unix::fs::symlink(&secret, ssh.join("inc")).unwrap();
    let config = ssh.join("config");
    std::fs::write(&config, format!("Include {}\n", ssh.join("inc").display())).unwrap();
    for (path, mode) in [
        (&ssh, 0o700),
        (&config, 0o600),
        (&real.path().to_owned(), 0o755),
    ] {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    let run = Cli::new([
        "--home",
        spelled.to_str().unwrap(),
        "--only",
        "ssh-client-config",
        "--format",
        "json",
    ])
    .run();
    let codes = run.codes();
    assert!(
        codes.iter().any(|c| c == "ssh-config-not-read"),
        "{}",
        run.stdout
    );
    assert!(
        !codes.iter().any(|c| c == "ssh-forward-agent"),
        "read through the link: {}",
        run.stdout
    );
}
