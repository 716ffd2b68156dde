//! Unit tests of what the rest of the crate relies on: which secrets a line yields, where
//! in a chunk they are reported, what a masked line still shows, and that the benchmark's
//! grep pattern matches every line the scan flags.
#![allow(clippy::unwrap_used)]

use std::io::Write as _;

use regex::bytes::RegexBuilder;

use super::*;
use crate::plaintext::example_lines::{check_row, table};
use crate::plaintext::forms::FORMS;
use crate::plaintext::generated_lines::generated_lines;

#[test]
fn table_of_lines() {
    let failures: Vec<String> = table()
        .into_iter()
        .filter_map(|(line, expected)| {
            let hits = find_in_line(&line);
            std::panic::catch_unwind(|| check_row(&line, &expected, &hits))
                .err()
                .map(|_| String::from_utf8_lossy(&line).into_owned())
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} lines failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn scan_chunk_reports_line_index_and_offset() {
    let rows = table();
    let mut chunk = Vec::new();
    let mut want = Vec::new();
    for (i, (line, expected)) in rows.iter().enumerate() {
        if !expected.is_empty() {
            want.push((i, chunk.len()));
        }
        chunk.extend_from_slice(line);
        chunk.push(b'\n');
    }
    let mut got = Vec::new();
    scan_chunk(&chunk, |i, at, hits| {
        let line = &rows[i].0;
        assert_eq!(&chunk[at..at + line.len()], line.as_slice());
        check_row(line, &rows[i].1, hits);
        got.push((i, at));
    });
    assert_eq!(got, want);
    // A chunk without a final newline, and one that is a single line.
    let mut got = Vec::new();
    scan_chunk(b"ls\r\nexport X_TOKEN=abcdef\r\ncd", |i, at, hits| {
        got.push((i, at, hits.to_vec()))
    });
    assert_eq!(
        got,
        vec![(
            1,
            4,
            vec![Hit {
                kind: "exported secret variable",
                secret: 15..21
            }]
        )]
    );
    let mut got = Vec::new();
    scan_chunk(b"export X_TOKEN=abcdef", |i, at, _| got.push((i, at)));
    assert_eq!(got, vec![(0, 0)]);
    scan_chunk(b"", |_, _, _| panic!("nothing to find"));
    scan_chunk(b"\n\n\n", |_, _, _| panic!("nothing to find"));
}

#[test]
fn mask_hides_secrets_and_keeps_the_rest_safe() {
    for (line, expected) in table() {
        let hits = find_in_line(&line);
        let masked = mask(&line, &hits);
        for (_, secret) in &expected {
            assert!(
                !masked.contains(&*String::from_utf8_lossy(secret)),
                "{masked}"
            );
        }
        assert!(masked.chars().count() <= 200);
        assert!(!masked.chars().any(|c| c.is_control()), "{masked:?}");
    }
    let line = b"\x1b[31mexport DB_PASS=hunter22 \xff\r";
    let hits = find_in_line(line);
    assert_eq!(
        mask(line, &hits),
        r"\u{001B}[31mexport DB_PASS=******** \xFF\u{000D}"
    );
    // Unsorted, overlapping and out-of-range hits still mask everything they cover.
    let hits = [
        Hit {
            kind: "x",
            secret: 10..12,
        },
        Hit {
            kind: "x",
            secret: 2..5,
        },
        Hit {
            kind: "x",
            secret: 4..7,
        },
        Hit {
            kind: "x",
            secret: 40..90,
        },
    ];
    assert_eq!(
        mask(b"0123456789abcdef", &hits),
        "01********789********cdef"
    );
    let long = format!("export DB_PASS=hunter22 {}", "é".repeat(1000));
    let masked = mask(long.as_bytes(), &find_in_line(long.as_bytes()));
    assert_eq!(masked.chars().count(), 200);
    assert!(masked.ends_with('…') && masked.contains("********") && !masked.contains("hunter22"));
}

#[test]
fn odd_lines() {
    let mut huge = vec![b'x'; 1 << 20];
    huge[1000] = 0xff;
    huge.extend_from_slice(b" mysql -pBur1ed");
    let hits = find_in_line(&huge);
    assert_eq!(hits.len(), 1);
    assert_eq!(&huge[hits[0].secret.clone()], b"Bur1ed");
    let masked = mask(&huge, &hits);
    assert_eq!(masked.chars().count(), 200);
    assert!(find_in_line(&vec![b'a'; 100_000]).is_empty());
    let mut got = 0;
    scan_chunk(&vec![b'a'; 100_000], |_, _, _| got += 1);
    assert_eq!(got, 0);
    // Repeated command names and triggers must not make the scan quadratic.
    for unit in [
        "mysql ",
        "a://b:",
        "PASSWORD=",
        "echo x | ",
        "'",
        "sshpass -p x ",
        "-----BEGIN ",
        "PASSWORD=$x;",
        "PASSWORD=x;",
        "a://b:c@",
        "mysql -px;",
        "echo 'a:b' | chpasswd;",
        "-----BEGIN RSA PRIVATE KEY-----",
        "ghp_",
        "xoxb-",
        "Authorization: Bearer x ",
    ] {
        let line = unit.repeat(300_000 / unit.len());
        let started = std::time::Instant::now();
        let hits = find_in_line(line.as_bytes());
        let _ = mask(line.as_bytes(), &hits);
        let mut lines = 0;
        scan_chunk(line.as_bytes(), |_, _, _| lines += 1);
        assert!(lines <= 1);
        // Generous for a debug build (about a second); a quadratic scan takes minutes.
        assert!(
            started.elapsed().as_secs() < 20,
            "{unit:?} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn nothing_panics_and_hits_are_well_formed() {
    for line in generated_lines(20_000) {
        let hits = find_in_line(&line);
        let mut end = 0;
        for hit in &hits {
            assert!(
                hit.secret.start >= end && hit.secret.start < hit.secret.end,
                "{hits:?}"
            );
            assert!(hit.secret.end <= line.strip_suffix(b"\r").unwrap_or(&line).len());
            end = hit.secret.end;
        }
        let _ = mask(&line, &hits);
    }
}

/// Every flagged line matches the grep pattern: checked with the `regex` crate as a
/// stand-in, and with the real grep when there is one.
#[test]
fn grep_pattern_covers_every_hit() {
    let re = RegexBuilder::new(&grep_pattern())
        .unicode(false)
        .build()
        .unwrap();
    let lines: Vec<Vec<u8>> = table()
        .into_iter()
        .map(|(l, _)| l)
        .chain(generated_lines(5000))
        .collect();
    let flagged: Vec<usize> = (0..lines.len())
        .filter(|&i| !find_in_line(&lines[i]).is_empty())
        .collect();
    assert!(flagged.len() > 150);
    for &i in &flagged {
        assert!(
            re.is_match(&lines[i]),
            "{}",
            String::from_utf8_lossy(&lines[i])
        );
    }
    let grep = std::path::Path::new("/usr/bin/grep");
    if !grep.exists() {
        return;
    }
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for line in &lines {
        file.write_all(line).unwrap();
        file.write_all(b"\n").unwrap();
    }
    file.flush().unwrap();
    let out = std::process::Command::new(grep)
        .env("LC_ALL", "C")
        .args(["-a", "-n", "-E", "-e", &grep_pattern()])
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let numbers: std::collections::HashSet<usize> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter_map(|l| {
            std::str::from_utf8(l.split(|&b| b == b':').next()?)
                .ok()?
                .parse()
                .ok()
        })
        .collect();
    for &i in &flagged {
        assert!(
            numbers.contains(&(i + 1)),
            "grep missed {}",
            String::from_utf8_lossy(&lines[i])
        );
    }
}

/// A deterministic stream of pseudo-random numbers for the property tests.
pub(crate) fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// No 6-byte piece of `secret` shows in `shown`, the masked form of `line`, unless the
/// piece is also in the rest of the line (a webhook's secret path repeats the word
/// `webhook` of its host).
pub(crate) fn assert_unseen(shown: &str, secret: &str, line: &str) {
    let rest = line.replacen(secret, " ", 1);
    for piece in secret.as_bytes().windows(6) {
        let piece = String::from_utf8_lossy(piece);
        assert!(
            !shown.contains(&*piece) || rest.contains(&*piece),
            "{line}: {piece:?} of the secret shows in {shown:?}"
        );
    }
}

/// Every form, with many random secrets: the one hit is exactly the secret, and the
/// masked line shows no 6 characters of it.
#[test]
fn every_form_finds_and_masks_random_secrets_whole() {
    let mut next = rng(0x005E_C2E7);
    let mut failures = Vec::new();
    for &(kind, template, alphabet) in FORMS {
        for _ in 0..25 {
            let random = crate::plaintext::forms::random_secret(&mut next, alphabet.bytes());
            let (line, at, secret) = crate::plaintext::forms::plant(template, &random);
            let hits = find_in_line(line.as_bytes());
            let masked = mask(line.as_bytes(), &hits);
            let exact = hits.len() == 1
                && hits[0].secret == (at..at + secret.len())
                && hits[0].kind.to_lowercase().contains(&kind.to_lowercase());
            if !exact {
                failures.push(format!("{line}  ->  {hits:?}"));
                break;
            }
            assert_unseen(&masked, &secret, &line);
        }
    }
    assert!(
        failures.is_empty(),
        "{} forms failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every rule of the table (token formats have their own tests) names at least one
/// form, so that each is checked in every shell's history by the integration tests.
#[test]
fn every_rule_has_a_form() {
    let mut next = rng(11);
    let named: std::collections::HashSet<&str> = FORMS
        .iter()
        .flat_map(|&(_, template, alphabet)| {
            let (line, _, _) = crate::plaintext::forms::plant(
                template,
                &crate::plaintext::forms::random_secret(&mut next, alphabet.bytes()),
            );
            find_in_line(line.as_bytes()).into_iter().map(|h| h.kind)
        })
        .collect();
    let missing: Vec<&str> = crate::plaintext::rules::specs()
        .into_iter()
        .filter(|s| s.id.is_empty() && !named.contains(s.kind))
        .map(|s| s.kind)
        .collect();
    assert!(missing.is_empty(), "rules without a form: {missing:#?}");
}
