#![allow(clippy::unwrap_used)]

use std::ffi::OsString;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use super::lex::LineError;
use super::*;
use crate::fs::SafeDir;

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

fn line(text: &str) -> Option<(String, Vec<OsString>)> {
    split_line(text.as_bytes())
        .unwrap()
        .map(|l| (l.keyword, l.args))
}

/// A home in a temporary directory with `~/.ssh` and the given files in it.
fn home(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".ssh")).unwrap();
    for (name, text) in files {
        let path = dir.path().join(".ssh").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
}

fn read(dir: &tempfile::TempDir) -> Config {
    read_user(&SafeDir::open_root(dir.path()).unwrap(), uid())
}

/// (file name, line, keyword, first argument) of each directive.
fn summary(config: &Config) -> Vec<(String, usize, String, String)> {
    config
        .directives
        .iter()
        .map(|d| {
            (
                d.file.file_name().unwrap().to_string_lossy().into_owned(),
                d.line,
                d.keyword.clone(),
                d.args[0].to_string_lossy().into_owned(),
            )
        })
        .collect()
}

fn host(patterns: &[&str]) -> Condition {
    Condition::Host(patterns.iter().map(|p| (*p).to_owned()).collect())
}

#[test]
fn lines_split_as_readconf_splits_them() {
    assert_eq!(
        line("  FORWARDAGENT yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        line("ForwardAgent=yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        line("\tForwardAgent = yes  # a comment\r"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        line("IdentityFile \"/a b/c\" 'd e' f\\ g"),
        Some(("identityfile".into(), args(&["/a b/c", "d e", "f g"])))
    );
    // Only one `=` is a separator; a second belongs to the value.
    assert_eq!(line("Keyword==x"), Some(("keyword".into(), args(&["=x"]))));
    assert_eq!(line("# ForwardAgent yes"), None);
    assert_eq!(line("   "), None);
    // As `ssh -G` reads them (found by the ssh-config fuzz target): a leading `=`
    // is an empty first word and the keyword follows; a quoted keyword counts.
    assert_eq!(
        line(" =ForwardAgent yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(line("= =ForwardAgent yes"), None);
    assert_eq!(line("="), None);
    // An empty quoted first word is skipped like a blank one, so the next word is
    // the keyword: ssh 9.2 says `no argument after keyword "yes"` and refuses.
    assert_eq!(
        split_line(b"\"\" yes"),
        Err(LineError::NoArgument("yes".into()))
    );
    assert_eq!(
        line("\"\" ForwardAgent yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        split_line(b"ForwardAgent"),
        Err(LineError::NoArgument("forwardagent".into()))
    );
    // Only a comment after the keyword: no arguments, which the keyword then refuses.
    assert_eq!(
        line("ForwardAgent # yes"),
        Some(("forwardagent".into(), args(&[])))
    );
    // ssh strips quotes around a keyword, and any around a part of it.
    assert_eq!(
        line("\"ForwardAgent\" yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        line("Forward\"Agent\" yes"),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    // A keyword whose quote never closes is no line at all to ssh.
    assert_eq!(line("\"ForwardAgent yes"), None);
    assert_eq!(
        line("ForwardAgent = \"yes\""),
        Some(("forwardagent".into(), args(&["yes"])))
    );
    assert_eq!(
        split_line(b"IdentityFile \"unclosed"),
        Err(LineError::UnbalancedQuote)
    );
}

#[test]
fn globs_match_as_glob3_does() {
    assert!(glob_match(b"*.conf", b"a.conf"));
    assert!(
        !glob_match(b"*.conf", b".hidden.conf"),
        "a leading dot is never matched by *"
    );
    assert!(glob_match(b".*", b".hidden"));
    assert!(glob_match(b"a?c", b"abc"));
    assert!(!glob_match(b"a?c", b"ac"));
    assert!(glob_match(b"[0-9][!a]x", b"5bx"));
    assert!(!glob_match(b"[0-9][!a]x", b"5ax"));
    assert!(glob_match(b"a[", b"a["), "an unclosed bracket is literal");
    assert!(glob_match(b"\\*", b"*"));
    assert!(!glob_match(b"\\*", b"x"));
    // One backtrack point: a hostile pattern stays linear.
    let name = vec![b'a'; 5000];
    let start = Instant::now();
    assert!(!glob_match(b"*a*a*a*a*a*a*a*a*b", &name));
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn blocks_and_includes_keep_file_line_and_scope() {
    let dir = home(&[
        (
            "config",
            "ForwardAgent no\nHost * !bastion\n  StrictHostKeyChecking no\nMatch all\nUserKnownHostsFile /dev/null\nHost bastion\nInclude conf.d/*.conf\nHost *\nUser me\n",
        ),
        ("conf.d/b.conf", "ForwardAgent yes\n"),
        ("conf.d/a.conf", "Host *\nIdentityFile ~/.ssh/id_a\n"),
        ("conf.d/c.txt", "ForwardAgent yes\n"),
    ]);
    let config = read(&dir);
    assert_eq!(
        summary(&config),
        [
            ("config".into(), 1, "forwardagent".into(), "no".into()),
            (
                "config".into(),
                3,
                "stricthostkeychecking".into(),
                "no".into()
            ),
            (
                "config".into(),
                5,
                "userknownhostsfile".into(),
                "/dev/null".into()
            ),
            // Sorted as glob(3) sorts; c.txt does not match.
            (
                "a.conf".into(),
                2,
                "identityfile".into(),
                "~/.ssh/id_a".into()
            ),
            ("b.conf".into(), 1, "forwardagent".into(), "yes".into()),
            ("config".into(), 9, "user".into(), "me".into()),
        ]
    );
    let scopes: Vec<Vec<Condition>> = config
        .directives
        .iter()
        .map(|d| {
            d.scope
                .0
                .iter()
                .map(|&b| config.blocks[b].condition.clone())
                .collect()
        })
        .collect();
    assert_eq!(scopes[0], []);
    assert_eq!(scopes[1], [host(&["*", "!bastion"])]);
    assert_eq!(scopes[2], [Condition::Match(vec![(false, Criterion::All)])]);
    // The included files sit under `Host bastion`, even after their own `Host *`.
    assert_eq!(scopes[3], [host(&["bastion"]), host(&["*"])]);
    assert_eq!(scopes[4], [host(&["bastion"])]);
    assert_eq!(scopes[5], [host(&["*"])]);
    assert!(config.skipped.is_empty(), "{:?}", config.skipped);
    assert_eq!(config.files.len(), 3);
    assert!(config.files.iter().all(|f| f.checked && !f.system));
}

#[test]
fn includes_resolve_against_dot_ssh_and_nest() {
    let dir = home(&[
        ("config", "Include one ~/.ssh/sub/two\n"),
        ("one", "Include /nonexistent/* sub/three\n"),
        ("sub/two", "User two\n"),
        ("sub/three", "User three\n"),
    ]);
    let config = read(&dir);
    assert_eq!(
        summary(&config)
            .into_iter()
            .map(|s| s.3)
            .collect::<Vec<_>>(),
        ["three", "two"]
    );
    // Absent files, as with ssh, are no problem.
    assert!(config.skipped.is_empty(), "{:?}", config.skipped);
}

/// `~//x` is the home's `x` to ssh (`tilde_expand_filename`), never the root's: a
/// fuzzed config with `Include ~///*/*` read the whole filesystem as its config.
#[test]
fn a_doubled_slash_after_the_tilde_stays_in_the_home() {
    let dir = home(&[
        ("config", "Include ~//.ssh//sub/* ~///.ssh/one\n"),
        ("sub/two", "User two\n"),
        ("one", "User one\n"),
    ]);
    let config = read(&dir);
    assert_eq!(
        summary(&config)
            .into_iter()
            .map(|s| s.3)
            .collect::<Vec<_>>(),
        ["two", "one"]
    );
    assert!(
        config.files.iter().all(|f| f.path.starts_with(dir.path())),
        "{:?}",
        config.files
    );
}

/// `UserKnownHostsFile #dev/null` sets nothing (ssh 9.2: its list stays empty), so
/// the later line decides.
#[test]
fn a_list_keyword_with_only_a_comment_sets_nothing() {
    let dir = home(&[(
        "config",
        "Host *\n  UserKnownHostsFile #dev/null\n  UserKnownHostsFile /dev/null\n",
    )]);
    let config = read(&dir);
    let files: Vec<_> = config
        .directives
        .iter()
        .filter(|d| d.keyword == "userknownhostsfile")
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].args, ["/dev/null"]);
    assert_eq!(files[0].line, 3);
}

/// ssh keeps a command's whole line, `#` and all (`ProxyCommand ##### %h:%p`).
#[test]
fn a_command_is_the_rest_of_its_line() {
    let dir = home(&[("config", "Host *\n  ProxyCommand ##### %h:%p jump\n")]);
    let config = read(&dir);
    let proxy = config
        .directives
        .iter()
        .find(|d| d.keyword == "proxycommand")
        .expect("the ProxyCommand line");
    assert_eq!(proxy.args, ["##### %h:%p jump"]);
}

#[test]
fn an_include_loop_is_read_once_and_recorded() {
    let dir = home(&[
        ("config", "User top\nInclude a\n"),
        ("a", "Include b\n"),
        ("b", "Include config a\nUser b\n"),
    ]);
    let config = read(&dir);
    assert_eq!(summary(&config).len(), 2, "{:?}", summary(&config));
    let loops: Vec<&Path> = config
        .skipped
        .iter()
        .filter(|s| s.why == Unread::Loop)
        .map(|s| s.path.as_path())
        .collect();
    assert_eq!(loops.len(), 2);
    assert!(loops[0].ends_with(".ssh/config") && loops[1].ends_with(".ssh/a"));
    assert_eq!(
        config.skipped[0].included_from,
        Some((dir.path().join(".ssh/b"), 1))
    );
}

#[test]
fn includes_deeper_than_ssh_allows_are_not_read() {
    let mut files: Vec<(String, String)> = (0..20)
        .map(|i| (format!("f{i}"), format!("User u{i}\nInclude f{}\n", i + 1)))
        .collect();
    files.push(("config".into(), "Include f0\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let config = read(&home(&refs));
    // config is depth 0, f0 depth 1 … f15 depth 16, ssh's last.
    assert_eq!(config.directives.len(), MAX_DEPTH);
    assert_eq!(config.skipped.len(), 1);
    assert_eq!(config.skipped[0].why, Unread::TooDeep);
    assert!(config.skipped[0].path.ends_with("f16"));
}

#[test]
fn a_fifo_and_a_huge_include_neither_block_and_links_go_only_to_own_files() {
    let dir = home(&[("config", "Include d/*\nUser after\n")]);
    let d = dir.path().join(".ssh/d");
    std::fs::create_dir(&d).unwrap();
    nix::unistd::mkfifo(
        &d.join("a-fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    // A link to the person's own file in the home is read (stow's layout); one
    // out of the home is not.
    std::fs::write(dir.path().join("target"), "ForwardAgent yes\n").unwrap();
    symlink(dir.path().join("target"), d.join("b-link")).unwrap();
    symlink("/etc/passwd", d.join("b-out")).unwrap();
    let mut huge = b"StrictHostKeyChecking no\n".to_vec();
    huge.resize(10 << 20, b'#');
    std::fs::write(d.join("c-huge"), &huge).unwrap();
    let config = read(&dir);
    let whys: Vec<&Unread> = config.skipped.iter().map(|s| &s.why).collect();
    assert!(
        matches!(whys[0], Unread::Fs(crate::fs::FsError::NotRegular(_))),
        "{whys:?}"
    );
    assert!(
        matches!(whys[1], Unread::Link(r) if r.why == crate::fs::Why::OutsideHome),
        "{whys:?}"
    );
    assert_eq!(whys[2], &Unread::Truncated);
    assert_eq!(whys.len(), 3, "{whys:?}");
    // The first MiB of the huge file is read; the link out of the home never is.
    assert_eq!(
        summary(&config),
        [
            ("b-link".into(), 1, "forwardagent".into(), "yes".into()),
            (
                "c-huge".into(),
                1,
                "stricthostkeychecking".into(),
                "no".into()
            ),
            ("config".into(), 2, "user".into(), "after".into()),
        ]
    );
}

#[test]
fn a_listing_past_the_bound_is_said() {
    let dir = home(&[("config", "Include d/*\n")]);
    let d = dir.path().join(".ssh/d");
    std::fs::create_dir(&d).unwrap();
    for i in 0..MAX_LISTED + 10 {
        std::fs::write(d.join(format!("f{i:05}")), "").unwrap();
    }
    let config = read(&dir);
    assert!(
        config
            .skipped
            .iter()
            .any(|s| s.why == Unread::TooManyEntries),
        "{:?}",
        config.skipped
    );
}

#[test]
fn the_system_file_resolves_includes_against_its_own_directory() {
    let user = home(&[]);
    let etc = tempfile::tempdir().unwrap();
    std::fs::create_dir(etc.path().join("ssh_config.d")).unwrap();
    std::fs::write(
        etc.path().join("ssh_config"),
        "Include ssh_config.d/*.conf ~/.ssh/evil\nHost *\nForwardAgent yes\n",
    )
    .unwrap();
    std::fs::write(
        etc.path().join("ssh_config.d/50-site.conf"),
        "ForwardAgent no\n",
    )
    .unwrap();
    let config = read_system(&SafeDir::open_root(user.path()).unwrap(), uid(), etc.path());
    assert_eq!(
        summary(&config),
        [
            ("50-site.conf".into(), 1, "forwardagent".into(), "no".into()),
            ("ssh_config".into(), 3, "forwardagent".into(), "yes".into()),
        ]
    );
    assert!(config.directives.iter().all(|d| d.system));
    // ssh does not check the main system file's mode, only what it includes.
    let checked: Vec<bool> = config.files.iter().map(|f| f.checked).collect();
    assert_eq!(checked, [false, true]);
    assert_eq!(
        config.skipped[0].why,
        Unread::BadPath("~/.ssh/evil".into()),
        "ssh refuses `~` in a system file"
    );
}

fn uid() -> u32 {
    nix::unistd::getuid().as_raw()
}
