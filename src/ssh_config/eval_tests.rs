//! The evaluator on the cases ssh's two passes make subtle; the differential test
//! (`differential_tests.rs`) holds it to `ssh -G` on generated configs as well.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::fs::SafeDir;
use crate::ssh_config::{Config, read_user};

fn config(text: &str) -> (tempfile::TempDir, Config) {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".ssh")).unwrap();
    let path = home.path().join(".ssh/config");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let config = read_user(&SafeDir::open_root(home.path()).unwrap(), 0);
    assert!(config.faults.is_empty(), "{:?}", config.faults);
    (home, config)
}

/// (line, certain) of the lines that decide `keyword` for `host`.
fn decides(config: &Config, host: &str, keyword: &str) -> Vec<(usize, bool)> {
    let relevant = relevant(config, &[keyword]);
    let query = Query {
        host,
        local_user: "me",
    };
    evaluate(config, &relevant, &query, &[keyword]).decided[0]
        .iter()
        .map(|d| (config.directives[d.directive].line, d.certain))
        .collect()
}

#[test]
fn match_final_applies_only_in_the_second_pass_after_the_first_decided() {
    let (_h, c) = config("Match final all\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "any", "forwardagent"), [(4, true)]);
}

#[test]
fn match_canonical_without_a_second_pass_never_applies() {
    let (_h, c) = config("Match canonical all\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "any", "forwardagent"), []);
    // A `final` anywhere asks for the second pass, where `canonical` holds.
    let (_h, c) = config("Match canonical all\n  ForwardAgent yes\nMatch final host nothing\n");
    assert_eq!(decides(&c, "any", "forwardagent"), [(2, true)]);
}

#[test]
fn match_host_tests_the_hostname_and_originalhost_the_alias() {
    let text = "Host web\n  HostName web.example.com\nMatch host web\n  ForwardAgent yes\nMatch host web.example.com\n  StrictHostKeyChecking no\nMatch originalhost web\n  UserKnownHostsFile /dev/null\n";
    let (_h, c) = config(text);
    assert_eq!(decides(&c, "web", "forwardagent"), []);
    assert_eq!(decides(&c, "web", "stricthostkeychecking"), [(6, true)]);
    assert_eq!(decides(&c, "web", "userknownhostsfile"), [(8, true)]);
    // %h in the HostName is the alias.
    let (_h, c) =
        config("HostName %h.example.com\nMatch host db.example.com\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "db", "forwardagent"), [(3, true)]);
}

#[test]
fn the_second_pass_matches_host_against_the_hostname() {
    let text = "Host alias\n  HostName Real.Example\nMatch final all\n  User u\nHost real.example\n  ForwardAgent yes\n";
    let (_h, c) = config(text);
    assert_eq!(decides(&c, "alias", "forwardagent"), [(6, true)]);
    // Without a second pass, `Host` sees only the alias.
    let (_h, c) =
        config("Host alias\n  HostName real.example\nHost real.example\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "alias", "forwardagent"), []);
}

#[test]
fn match_exec_leaves_a_decision_open() {
    let (_h, c) =
        config("Match exec \"test -e /x\"\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "any", "forwardagent"), [(2, false), (4, true)]);
    // Skipped when the line has already failed, as ssh skips the command.
    let (_h, c) =
        config("Match host nothing exec true\n  ForwardAgent no\nHost *\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "any", "forwardagent"), [(4, true)]);
}

#[test]
fn patterns_no_host_can_match() {
    let (_h, c) = config(
        "Host web1,web2\n  ForwardAgent yes\nHost !db\n  ForwardAgent yes\nHost web[12]\n  ForwardAgent yes\n",
    );
    for host in ["web1", "web2", "web1,web2", "db", "other"] {
        let found = decides(&c, host, "forwardagent");
        assert!(found.is_empty() || host == "web1,web2", "{host}: {found:?}");
    }
    // Negation excludes even after a positive match.
    let (_h, c) = config("Host * !db\n  ForwardAgent yes\n");
    assert_eq!(decides(&c, "db", "forwardagent"), []);
    assert_eq!(decides(&c, "web", "forwardagent"), [(2, true)]);
}

#[test]
fn match_user_reads_the_user_set_so_far() {
    let (_h, c) = config(
        "User admin\nMatch user admin\n  ForwardAgent yes\nMatch localuser me\n  StrictHostKeyChecking no\n",
    );
    assert_eq!(decides(&c, "any", "forwardagent"), [(3, true)]);
    assert_eq!(decides(&c, "any", "stricthostkeychecking"), [(5, true)]);
}
