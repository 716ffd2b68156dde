//! In-process cost of one password check once the process has started (composition
//! rules plus the guarded estimate), typical and worst-case inputs. Run with
//! `cargo bench --bench password`; prints microseconds per check.
//!
//! `cargo bench --bench password -- --verdicts FILE` instead judges every line of
//! FILE (one password a line) as `password --stdin` would under the built-in policy
//! and prints `accept` or `reject` a line, for `tests/bench/password-corpus.sh`;
//! each `--word-list PATH` after it adds a list as the policy's `word-lists` would.
//! `-- --scores FILE` prints, a line per password, log10 of its guesses and its
//! pieces in words: what the scoring is tuned by, never the passwords themselves.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::{BufRead, Write};
use std::time::Instant;

/// Whether a line went out: a reader that stopped early (`cmp`, `head`) ends the
/// run quietly, as for any filter; any other error is one.
fn written(result: std::io::Result<()>) -> bool {
    match result {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(e) => panic!("writing the scores: {e}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lists: Vec<String> = args
        .windows(2)
        .filter(|pair| pair[0] == "--word-list")
        .map(|pair| pair[1].clone())
        .collect();
    let judge = csi_self_check::bench::Judge::with_word_lists(&lists).unwrap();
    if let Some(at) = args.iter().position(|a| a == "--scores") {
        let file = std::fs::File::open(&args[at + 1]).unwrap();
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for line in std::io::BufReader::new(file).lines() {
            let (guesses_log10, pieces) = judge.explain(&line.unwrap());
            if !written(writeln!(out, "{guesses_log10:.2}\t{pieces}")) {
                return;
            }
        }
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--verdicts") {
        let file = std::fs::File::open(&args[at + 1]).unwrap();
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for line in std::io::BufReader::new(file).lines() {
            let verdict = if judge.check(&line.unwrap()) == 0 {
                "accept"
            } else {
                "reject"
            };
            if !written(writeln!(out, "{verdict}")) {
                return;
            }
        }
        return;
    }
    // The first check builds zxcvbn's dictionaries; time it apart.
    let start = Instant::now();
    judge.check("warm-up");
    println!(
        "first check (dictionaries built): {:>9.1} µs",
        start.elapsed().as_secs_f64() * 1e6
    );
    let cases = [
        ("typical: Password1!", "Password1!".to_owned()),
        ("typical: Kettle-Blue-42!", "Kettle-Blue-42!".to_owned()),
        ("typical: vX9#qL2!mR7$kT4@", "vX9#qL2!mR7$kT4@".to_owned()),
        ("worst: 512 x a", "a".repeat(512)),
        ("worst: 51 x !@#$%^&*()", "!@#$%^&*()".repeat(51)),
        ("worst: 128 x aA1!", "aA1!".repeat(128)),
        ("worst: 256 x ab", "ab".repeat(256)),
    ];
    for (name, password) in &cases {
        let rounds = 200;
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(judge.check(std::hint::black_box(password)));
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        println!("{name:<28} {per:>9.1} µs per check");
    }
}
