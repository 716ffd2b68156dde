//! The permission verdicts held to a real sshd with `StrictModes yes`: a private
//! sshd on a loopback port (its config, host key and client key the test's own,
//! stopped when the test ends) is asked to let a real account (made by useradd)
//! in with a key, layout after layout of the home, `~/.ssh` and `authorized_keys`
//! — modes, groups shared through members or other accounts' primary groups,
//! links — and the key-permissions check must fail exactly the layouts sshd
//! refuses. Debian's sshd carries the user-group-modes patch, so a directory or
//! file writable only by the person's own private group is accepted there; the
//! check says so as a should-level warning, never a failure.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Cli, SYSROOT_VAR, TestUser, chmod, is_root, skip, tool};

const SSHD: &str = "/usr/sbin/sshd";
/// The findings that mean sshd's StrictModes would refuse the way in.
const SSHD_REFUSES: &[&str] = &[
    "home-writable",
    "home-not-owned",
    "ssh-dir-too-open",
    "ssh-dir-not-owned",
    "ssh-dir-symlink",
    "authorized-keys-writable",
    "authorized-keys-not-owned",
];

/// The test's own sshd; stopped (by its process id) when dropped.
struct Sshd {
    child: Child,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a command whose failure is expected at times (removing what is not there).
fn run_quietly(program: &str, args: &[&str]) {
    let _ = Command::new(program).args(args).output();
}

fn start_sshd(dir: &Path, user: &str) -> Sshd {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host_key = dir.join("host_key");
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            host_key.to_str().unwrap(),
        ],
    );
    let config = dir.join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\nStrictModes yes\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nAuthorizedKeysFile .ssh/authorized_keys\nAllowUsers {user}\nLogLevel VERBOSE\n",
            host_key.display()
        ),
    )
    .unwrap();
    // sshd's privilege separation directory; made (as the package's unit would)
    // when the system has none, which is harmless to leave.
    std::fs::create_dir_all("/run/sshd").unwrap();
    let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
    let child = Command::new(SSHD)
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let sshd = Sshd { child, port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "sshd did not start: {}",
            std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sshd
}

/// Whether sshd lets the user in with the key.
fn sshd_accepts(sshd: &Sshd, key: &Path, user: &str) -> bool {
    tool("ssh")
        .args([
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            "-i",
        ])
        .arg(key)
        .args([
            "-p",
            &sshd.port.to_string(),
            &format!("{user}@127.0.0.1"),
            "true",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .status
        .success()
}

/// The failures among the check's findings that sshd would refuse for.
fn check_refuses(home: &Path, sysroot: &Path) -> Vec<String> {
    let run = Cli::new([
        "--home",
        home.to_str().unwrap(),
        "--format",
        "json",
        "--only",
        "key-permissions",
    ])
    .env(SYSROOT_VAR, sysroot.to_str().unwrap())
    .run();
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .filter_map(|f| f["code"].as_str())
        .filter(|code| SSHD_REFUSES.contains(code))
        .map(str::to_owned)
        .collect()
}

/// `/etc/passwd` lines for the test's own accounts, for the run's system root.
fn passwd_lines(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| {
            let user = nix::unistd::User::from_name(name).unwrap().unwrap();
            format!(
                "{name}:x:{}:{}::{}:/bin/bash\n",
                user.uid,
                user.gid,
                user.dir.display()
            )
        })
        .collect()
}

#[test]
fn the_check_fails_exactly_what_sshd_refuses() {
    let test = "the_check_fails_exactly_what_sshd_refuses";
    if !is_root() {
        return skip(test, "a real sshd and real accounts need root");
    }
    if !Path::new(SSHD).exists() {
        return skip(
            test,
            "sshd is not installed (the README's test command installs openssh-server)",
        );
    }
    let a = TestUser::new("csisshda");
    let b = TestUser::new("csisshdb");
    // Not locked ("!"), so that sshd without PAM lets a key in.
    for user in [a.name, b.name] {
        run("usermod", &["-p", "*", user]);
    }
    let group_a = nix::unistd::User::from_name(a.name).unwrap().unwrap().gid;
    let work = tempfile::Builder::new()
        .prefix("csi-sshd")
        .tempdir()
        .unwrap();
    chmod(work.path(), 0o700);
    // Readable by the account the check drops to.
    let system = tempfile::Builder::new()
        .prefix("csi-sysroot")
        .tempdir()
        .unwrap();
    let sysroot = system.path().to_owned();
    chmod(&sysroot, 0o755);
    std::fs::create_dir_all(sysroot.join("etc")).unwrap();
    let client_key = work.path().join("client_key");
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            client_key.to_str().unwrap(),
        ],
    );
    let public = std::fs::read(work.path().join("client_key.pub")).unwrap();
    let sshd = start_sshd(work.path(), a.name);
    let elsewhere = tempfile::Builder::new()
        .prefix("csi-sshd-tmp")
        .tempdir_in("/tmp")
        .unwrap();

    let home = a.home.clone();
    let ssh_dir = home.join(".ssh");
    let keys = ssh_dir.join("authorized_keys");
    let give = |path: &Path| a.give(path);
    // The layout every case starts from: home 0755, ~/.ssh 0700, keys 0600.
    let reset = || {
        let _ = std::fs::remove_file(&ssh_dir);
        let _ = std::fs::remove_dir_all(&ssh_dir);
        let _ = std::fs::remove_dir_all(home.join("dotfiles"));
        std::fs::create_dir(&ssh_dir).unwrap();
        std::fs::write(&keys, &public).unwrap();
        for (path, mode) in [(&home, 0o755), (&ssh_dir, 0o700), (&keys, 0o600)] {
            give(path);
            chmod(path, mode);
        }
        run("usermod", &["-g", b.name, b.name]);
        run_quietly("gpasswd", &["-d", b.name, a.name]);
        std::fs::write(sysroot.join("etc/passwd"), passwd_lines(&[a.name, b.name])).unwrap();
    };
    let dotfiles = |dir_mode: u32| -> PathBuf {
        let ssh = home.join("dotfiles/ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        give(&home.join("dotfiles"));
        give(&ssh);
        chmod(&home.join("dotfiles"), dir_mode);
        chmod(&ssh, 0o700);
        ssh
    };
    // B's primary group becomes A's: a group with someone besides A in it.
    let share_group = || {
        run("usermod", &["-g", &group_a.to_string(), b.name]);
        std::fs::write(sysroot.join("etc/passwd"), passwd_lines(&[a.name, b.name])).unwrap();
    };
    // ~/.ssh made a link to dotfiles/ssh, dotfiles with this mode.
    let link_ssh = |dir_mode: u32| {
        let target = dotfiles(dir_mode);
        std::fs::rename(&keys, target.join("authorized_keys")).unwrap();
        std::fs::remove_dir(&ssh_dir).unwrap();
        std::os::unix::fs::symlink("dotfiles/ssh", &ssh_dir).unwrap();
    };
    type Layout<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let layouts: Vec<Layout<'_>> = vec![
        ("as ssh wants it", Box::new(|| {})),
        (
            "home writable by the person's own group",
            Box::new(|| chmod(&home, 0o775)),
        ),
        (
            "home writable by a group that is another account's primary group",
            Box::new(|| {
                chmod(&home, 0o775);
                share_group();
            }),
        ),
        (
            "home writable by a group with another member",
            Box::new(|| {
                chmod(&home, 0o775);
                run("gpasswd", &["-a", b.name, a.name]);
            }),
        ),
        ("home writable by others", Box::new(|| chmod(&home, 0o757))),
        (
            "~/.ssh writable by others",
            Box::new(|| chmod(&ssh_dir, 0o777)),
        ),
        (
            "authorized_keys writable by the person's own group",
            Box::new(|| chmod(&keys, 0o620)),
        ),
        (
            "authorized_keys writable by a group that is another's primary group",
            Box::new(|| {
                chmod(&keys, 0o620);
                share_group();
            }),
        ),
        (
            "~/.ssh a link to the person's dotfiles",
            Box::new(|| link_ssh(0o755)),
        ),
        (
            "~/.ssh a link through a directory anyone can write",
            Box::new(|| link_ssh(0o777)),
        ),
        (
            "~/.ssh a link to a directory in /tmp",
            Box::new(|| {
                let target = elsewhere.path().join("ssh");
                let _ = std::fs::remove_dir_all(&target);
                std::fs::create_dir(&target).unwrap();
                std::fs::rename(&keys, target.join("authorized_keys")).unwrap();
                give(&target);
                give(&target.join("authorized_keys"));
                give(elsewhere.path());
                chmod(elsewhere.path(), 0o700);
                chmod(&target, 0o700);
                std::fs::remove_dir(&ssh_dir).unwrap();
                std::os::unix::fs::symlink(&target, &ssh_dir).unwrap();
            }),
        ),
        (
            "authorized_keys a link to a file anyone can write",
            Box::new(|| {
                let target = dotfiles(0o755).join("keys");
                std::fs::rename(&keys, &target).unwrap();
                give(&target);
                chmod(&target, 0o666);
                std::os::unix::fs::symlink("../dotfiles/ssh/keys", &keys).unwrap();
            }),
        ),
    ];
    let mut disagreements = Vec::new();
    for (name, layout) in &layouts {
        reset();
        layout();
        let accepted = sshd_accepts(&sshd, &client_key, a.name);
        let refused_by_check = check_refuses(&home, &sysroot);
        if accepted != refused_by_check.is_empty() {
            disagreements.push(format!(
                "{name}: sshd {}, the check fails {refused_by_check:?}",
                if accepted {
                    "lets the key in"
                } else {
                    "refuses"
                }
            ));
        }
    }
    reset();
    // The first layout must let the key in, or the comparison proves nothing.
    assert!(
        sshd_accepts(&sshd, &client_key, a.name),
        "sshd refuses even a clean layout: {}",
        std::fs::read_to_string(work.path().join("sshd.log")).unwrap_or_default()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} layouts judged otherwise than sshd:\n{}",
        disagreements.len(),
        layouts.len(),
        disagreements.join("\n")
    );
}
