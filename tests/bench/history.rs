//! The in-process half of the history benchmark (`tests/bench/history.sh` is the rest).
//! `-- --pattern` prints the history patterns as one `grep -E` expression, so that the
//! script races grep on exactly what the scan looks for. `-- --scan [MEGABYTES]` times
//! the scan alone on a synthetic history: the script's timings include process start-up
//! and reading the file, and cannot tell the first pass (which also compiles the rules
//! and fills the regex engines' lazy caches) from the steady state of a long scan.
//! `-- --report FILE` prints what the scan reports for each line of FILE, masked, and
//! a last line `N of M lines reported`: `tests/bench/false-alarms.sh` feeds it benign
//! command lines.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|arg| arg == "--pattern") {
        println!("{}", csi_self_check::bench::history_grep_pattern());
    } else if let Some(at) = args.iter().position(|arg| arg == "--report") {
        let Some(Ok(text)) = args.get(at + 1).map(std::fs::read) else {
            println!("--report needs a readable file");
            return ExitCode::FAILURE;
        };
        let (mut lines, mut reported) = (0, 0);
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            lines += 1;
            if let Some(report) = csi_self_check::bench::history_report(line) {
                reported += 1;
                println!("{report}");
            }
        }
        println!("{reported} of {lines} lines reported");
    } else if let Some(at) = args.iter().position(|arg| arg == "--scan") {
        let megabytes = args.get(at + 1).and_then(|m| m.parse().ok()).unwrap_or(50);
        return scan(megabytes);
    } else {
        println!(
            "usage: cargo bench --bench history -- --pattern | --scan [MEGABYTES] | --report FILE"
        );
    }
    ExitCode::SUCCESS
}

/// Everyday commands, several with a trigger word (`mysql -p`, `docker login`, `$PWD`,
/// URLs) so that the prefilter's false alarms are part of what is timed.
const ORDINARY: &[&str] = &[
    "ls -la",
    "cd ~/src/project",
    "git status",
    "git commit -m 'fix the parser'",
    "vim src/main.rs",
    "cargo build --release",
    "mkdir -p build/out",
    "ssh -p 2222 alice@host.example.org",
    "docker ps -a",
    "grep -rn TODO src/",
    "make -j8",
    "python3 manage.py runserver",
    "git push origin main",
    "sudo apt-get update",
    "sudo systemctl restart nginx",
    "kubectl get pods -n default",
    "git clone https://github.com/rust-lang/rust",
    "curl -sSL https://example.com/install.sh | sh",
    "tail -f /var/log/syslog",
    "export PATH=$HOME/bin:$PATH",
    "cd $PWD/..",
    "htop",
    "pwd",
    "find . -name '*.rs' -exec wc -l {} +",
    "tar xzf archive.tar.gz",
    "rsync -avz ./ host:/srv/",
    "ps aux | grep nginx",
    "man bash",
    "less README.md",
    "mysql -u root -p",
    "docker login",
    "ssh-keygen -t ed25519",
    "pip install --user requests",
    "#1700000000",
];

/// One line in a thousand is one of these.
const SECRET: &[&str] = &[
    "sshpass -p 'S3cr3t!' ssh root@10.0.0.1",
    "mysql -uroot -pW1ldcat! mydb",
    "psql postgres://app:hunter2@db/app",
    "curl -u admin:letmein https://api.local/",
    "PGPASSWORD=Zx9_plm psql -h db",
    "export AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH",
];

/// About `megabytes` MiB of history, every third line with a zsh extended-history
/// timestamp, and how many of its lines hold a secret.
fn history(megabytes: usize) -> (Vec<u8>, usize) {
    let size = megabytes << 20;
    let mut data = Vec::with_capacity(size + 4096);
    let mut secrets = 0;
    let mut state = 42_u64;
    let mut i = 0;
    while data.len() < size {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (state >> 33) as usize;
        if i % 3 == 0 {
            data.extend_from_slice(format!(": {}:0;", 1_700_000_000 + i).as_bytes());
        }
        if i % 1000 == 999 {
            data.extend_from_slice(SECRET[r % SECRET.len()].as_bytes());
            secrets += 1;
        } else {
            data.extend_from_slice(ORDINARY[r % ORDINARY.len()].as_bytes());
        }
        data.push(b'\n');
        i += 1;
    }
    (data, secrets)
}

fn scan(megabytes: usize) -> ExitCode {
    let (data, secrets) = history(megabytes);
    let mb = data.len() as f64 / 1e6;
    for pass in 1..=3 {
        let started = Instant::now();
        let mut found = 0;
        // Chunks of complete lines of at most a MiB, as the history reader hands them over.
        let mut rest = &data[..];
        while !rest.is_empty() {
            let cut = rest.len().min(1 << 20);
            let cut = rest[..cut]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(rest.len(), |p| p + 1);
            found += csi_self_check::bench::history_lines_with_secrets(&rest[..cut]);
            rest = &rest[cut..];
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "scan_chunk pass {pass}: {mb:.1} MB in {elapsed:.3} s = {:.0} MB/s, {found} lines",
            mb / elapsed
        );
        if found != secrets {
            println!("wrong: {secrets} lines hold a secret");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
