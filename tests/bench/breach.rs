//! The data and the timed loop of `tests/bench/breach.sh`: `--generate N FILE QUERIES
//! Q` writes N random SHA-1 lines in the Pwned Passwords format (`HEX:COUNT`, CRLF,
//! in no order, as the download by prevalence is) and Q queries, half of them taken
//! from FILE and half absent; `--lookup INDEX QUERIES` looks every query up in one
//! process and prints how many were found and how fast.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

/// splitmix64: fast, and the same data for the same seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn hash(&mut self) -> [u8; 20] {
        let (a, b, c) = (self.next(), self.next(), self.next());
        let mut hash = [0u8; 20];
        hash[..8].copy_from_slice(&a.to_le_bytes());
        hash[8..16].copy_from_slice(&b.to_le_bytes());
        hash[16..].copy_from_slice(&c.to_le_bytes()[..4]);
        hash
    }
}

fn hex(hash: &[u8; 20], out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for byte in hash {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 15)]);
    }
}

fn generate(n: u64, file: &str, queries: &str, q: u64) {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(file).unwrap());
    let mut qout = BufWriter::new(std::fs::File::create(queries).unwrap());
    let mut g = Gen(2024);
    let every = (n / (q / 2).max(1)).max(1);
    let mut line = Vec::with_capacity(64);
    for i in 0..n {
        let hash = g.hash();
        // Most passwords were seen a few times, a few very often (as in HIBP).
        let count = 1 + (g.next() % 1000) * (g.next() % 1000) / 997;
        line.clear();
        hex(&hash, &mut line);
        if i % every == 0 && i / every < q / 2 {
            qout.write_all(&line).unwrap();
            qout.write_all(b"\n").unwrap();
        }
        line.extend_from_slice(format!(":{count}\r\n").as_bytes());
        out.write_all(&line).unwrap();
    }
    let mut absent = Gen(7);
    for _ in 0..q / 2 {
        line.clear();
        hex(&absent.hash(), &mut line);
        line.push(b'\n');
        qout.write_all(&line).unwrap();
    }
    out.flush().unwrap();
    qout.flush().unwrap();
}

fn lookup(index: &str, queries: &str) {
    let index = csi_self_check::bench::BreachIndex::open(std::path::Path::new(index)).unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(queries).unwrap());
    let hashes: Vec<[u8; 20]> = file
        .lines()
        .map(|line| {
            let line = line.unwrap();
            let mut hash = [0u8; 20];
            for (i, byte) in hash.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&line[2 * i..2 * i + 2], 16).unwrap();
            }
            hash
        })
        .collect();
    let start = Instant::now();
    let found = hashes
        .iter()
        .filter(|h| index.lookup(h).unwrap().is_some())
        .count();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "lookups {} found {found} seconds {secs:.3} per_second {:.0}",
        hashes.len(),
        hashes.len() as f64 / secs
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[1..] {
        ["--generate", n, file, queries, q, ..] => {
            generate(n.parse().unwrap(), file, queries, q.parse().unwrap());
        }
        ["--lookup", index, queries, ..] => lookup(index, queries),
        _ => println!(
            "usage: cargo bench --bench breach -- --generate N FILE QUERIES Q | --lookup INDEX QUERIES"
        ),
    }
}
