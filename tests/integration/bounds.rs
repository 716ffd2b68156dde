//! A run's output and memory are bounded whatever the home holds: each check reports
//! at most 200 findings and one line for the rest, and the peak resident memory,
//! measured by `/usr/bin/time`, stays under 64 MiB. Bytes and kilobytes are
//! asserted, never time.

use std::path::Path;

use crate::util::{Cli, Home, Run, skip};

/// 64 MiB, in the kilobytes `/usr/bin/time` reports.
const MEMORY_LIMIT_KB: u64 = 64 * 1024;

/// The marker of the line `/usr/bin/time -f` adds to standard error.
const PEAK: &str = "csi-peak-kb=";

/// Whether `/usr/bin/time` is there (the Debian package `time`), or a skip.
fn have_time(test: &str) -> bool {
    let found = Path::new("/usr/bin/time").exists();
    if !found {
        skip(test, "/usr/bin/time is not installed (the package `time`)");
    }
    found
}

/// `args` run under `/usr/bin/time`: the run, and its peak resident set in KB.
fn measured(args: &[&str]) -> (Run, u64) {
    let format = format!("{PEAK}%M");
    // Hundreds of megabytes in a debug build take minutes on a busy machine.
    let run = Cli::new(args)
        .via(&["/usr/bin/time", "-f", &format])
        .patience(std::time::Duration::from_secs(600))
        .run();
    let peak = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix(PEAK))
        .unwrap_or_else(|| panic!("no peak from /usr/bin/time: {}", run.stderr))
        .trim()
        .parse()
        .unwrap();
    (run, peak)
}

/// The findings of `check` in `run`'s JSON, as (code, status).
fn findings_of(run: &Run, check: &str) -> Vec<(String, String)> {
    run.findings_of(check)
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_hundred_thousand_files_in_ssh_keep_memory_and_output_bounded() {
    let test = "a_hundred_thousand_files_in_ssh_keep_memory_and_output_bounded";
    if !have_time(test) {
        return;
    }
    let home = Home::with_ssh();
    // A real unencrypted key (a file is a key only when its content decodes as one),
    // copied 100,000 times.
    let key = std::fs::read(home.keygen(".ssh/k0", None, None, 0o644)).unwrap();
    std::fs::remove_file(home.join(".ssh/k0.pub")).unwrap();
    for i in 1..100_000 {
        home.file(format!(".ssh/k{i}"), &key, 0o644);
    }
    let (run, peak_kb) = measured(&["--home", home.path().to_str().unwrap(), "--format", "json"]);
    println!(
        "100,000 files in ~/.ssh: peak {peak_kb} KB, {} bytes of JSON",
        run.stdout.len()
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(peak_kb < MEMORY_LIMIT_KB, "peak {peak_kb} KB");
    assert!(run.stdout.len() < 256 * 1024, "{} bytes", run.stdout.len());
    // What was not looked at is a skip, never a pass.
    let permissions = findings_of(&run, "key-permissions");
    assert!(
        permissions.contains(&("too-many-entries".to_owned(), "skip".to_owned())),
        "{permissions:?}"
    );
    assert!(
        permissions.contains(&("private-key-world-accessible".to_owned(), "fail".to_owned())),
        "{permissions:?}"
    );
}

#[test]
fn ten_thousand_nested_directories_under_deep_keep_memory_bounded() {
    let test = "ten_thousand_nested_directories_under_deep_keep_memory_bounded";
    if !have_time(test) {
        return;
    }
    let home = Home::new();
    // Deeper than PATH_MAX: made one level at a time, relative to the last.
    let mut dir = nix::fcntl::open(
        home.path(),
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_DIRECTORY,
        nix::sys::stat::Mode::empty(),
    )
    .unwrap();
    for _ in 0..10_000 {
        nix::sys::stat::mkdirat(&dir, "d", nix::sys::stat::Mode::from_bits_truncate(0o755))
            .unwrap();
        dir = nix::fcntl::openat(
            &dir,
            "d",
            nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_DIRECTORY,
            nix::sys::stat::Mode::empty(),
        )
        .unwrap();
    }
    let (run, peak_kb) = measured(&[
        "--home",
        home.path().to_str().unwrap(),
        "--deep",
        "--format",
        "json",
    ]);
    println!(
        "10,000 nested directories, --deep: peak {peak_kb} KB, {} bytes of JSON",
        run.stdout.len()
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert!(peak_kb < MEMORY_LIMIT_KB, "peak {peak_kb} KB");
    assert!(run.stdout.len() < 256 * 1024, "{} bytes", run.stdout.len());
    let _ = std::process::Command::new("rm")
        .args(["-rf", "--"])
        .arg(home.join("d"))
        .status();
}

#[test]
fn a_200_mb_history_full_of_secrets_reports_two_hundred_and_one_line_for_the_rest() {
    let test = "a_200_mb_history_full_of_secrets_reports_two_hundred_and_one_line_for_the_rest";
    if !have_time(test) {
        return;
    }
    let home = Home::new();
    let line = "mysql -u root -pHunter2Hunter2 -h db.example.com\n";
    // 200 MB, one secret a line: written a megabyte at a time.
    let per_block = 1_000_000 / line.len();
    let lines = 200 * per_block;
    let block = line.repeat(per_block);
    let mut file = std::os::unix::fs::OpenOptionsExt::mode(
        std::fs::OpenOptions::new().write(true).create_new(true),
        0o600,
    )
    .open(home.join(".bash_history"))
    .unwrap();
    for _ in 0..200 {
        std::io::Write::write_all(&mut file, block.as_bytes()).unwrap();
    }
    drop(file);
    let input = std::fs::metadata(home.join(".bash_history")).unwrap().len();
    assert_eq!(input, (lines * line.len()) as u64);
    let (run, peak_kb) = measured(&[
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "history-secrets",
        "--format",
        "json",
    ]);
    println!(
        "history of {input} bytes, {lines} secrets: peak {peak_kb} KB, {} bytes of JSON",
        run.stdout.len()
    );
    assert!(
        !run.stdout.contains("Hunter2"),
        "a secret reached the report"
    );
    let found = findings_of(&run, "history-secrets");
    let secrets = found.iter().filter(|(c, _)| c == "history-secret").count();
    assert_eq!(secrets, 200, "{found:?}");
    assert!(
        found.contains(&("findings-left-out".to_owned(), "fail".to_owned())),
        "{found:?}"
    );
    let left_out = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "findings-left-out")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    // Every secret is counted: 200 shown, the rest in the one line (and, where the
    // temporary directory is not encrypted, the finding that says so).
    let counted: usize = left_out.split(' ').next().unwrap().parse().unwrap();
    let rest = lines - 200;
    assert!(counted == rest || counted == rest + 1, "{left_out}");
    assert!(
        left_out.contains(&format!("left out ({counted} fail)")),
        "{left_out}"
    );
    // Far less than the input: one line per check beyond the cap.
    assert!(run.stdout.len() < 128 * 1024, "{} bytes", run.stdout.len());
    assert!(peak_kb < MEMORY_LIMIT_KB, "peak {peak_kb} KB");
}

#[test]
fn four_thousand_host_blocks_keep_memory_and_output_bounded() {
    let test = "four_thousand_host_blocks_keep_memory_and_output_bounded";
    if !have_time(test) {
        return;
    }
    let home = Home::with_ssh();
    let mut config = String::new();
    for i in 0..4_000 {
        config.push_str(&format!(
            "Host h{i}\n  HostName 10.0.{}.{}\n  ForwardAgent yes\n  StrictHostKeyChecking no\n",
            i / 256,
            i % 256
        ));
    }
    config.push_str("Host *\n  ForwardAgent yes\n  StrictHostKeyChecking no\n");
    home.file(".ssh/config", config.as_bytes(), 0o600);
    let (run, peak_kb) = measured(&[
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "ssh-client-config",
        "--format",
        "json",
    ]);
    println!(
        "ssh config of {} bytes, 4,000 Host blocks: peak {peak_kb} KB, {} bytes of JSON",
        config.len(),
        run.stdout.len()
    );
    let found = findings_of(&run, "ssh-client-config");
    assert!(found.len() <= 201, "{} findings", found.len());
    assert!(
        found.iter().any(|(c, _)| c == "findings-left-out"),
        "{found:?}"
    );
    // Linear at most: no more JSON than the config itself.
    assert!(
        run.stdout.len() < config.len(),
        "{} bytes of JSON from {} bytes of config",
        run.stdout.len(),
        config.len()
    );
    assert!(peak_kb < MEMORY_LIMIT_KB, "peak {peak_kb} KB");
}
