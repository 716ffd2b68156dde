//! csi-self-check: one person's credential hygiene, checked against the End User
//! Standards of the CSI Security Policy.
//!
//! The crate is a library so that the binary stays tiny and every exit happens in
//! [`main`]; nothing else calls `process::exit`.
#![forbid(unsafe_code)]

mod account;
mod accounts;
mod app_stores;
mod at_rest;
mod backup;
mod breach;
mod checks;
mod cli;
mod commands;
mod exit;
mod fs;
#[doc(hidden)]
pub mod fuzz;
mod harden;
mod keys;
#[cfg(test)]
mod layers_tests;
#[cfg(test)]
mod man_tests;
mod password;
mod plaintext;
mod policy;
mod privilege;
mod process;
mod report;
mod reuse;
mod sanitize;
mod screen_lock;
mod secret;
mod shells;
mod ssh_config;
mod state;
mod syslog;
mod sysroot;
mod terminal;
mod time;

use std::process::ExitCode;

/// For the benchmark in `tests/bench/password.rs` only; not an interface.
#[doc(hidden)]
pub mod bench {
    /// The built-in policy's password rules, loaded once.
    pub struct Judge {
        rules: crate::password::Rules,
        lists: std::sync::Arc<[crate::password::lists::WordIndex]>,
    }

    /// A breached-password index, for `tests/bench/breach.sh`: many lookups in one
    /// process, since one per process would time process start-up instead.
    pub struct BreachIndex(crate::breach::Index);

    impl BreachIndex {
        pub fn open(path: &std::path::Path) -> Result<BreachIndex, Box<dyn std::error::Error>> {
            let file = crate::fs::SafeFile::open_named(path)?;
            Ok(BreachIndex(crate::breach::Index::open(file)?))
        }

        pub fn lookup(&self, hash: &[u8; 20]) -> Result<Option<u32>, Box<dyn std::error::Error>> {
            Ok(self.0.lookup(hash)?)
        }
    }

    /// The history patterns as one `grep -E` expression, for `tests/bench/history.sh`.
    pub fn history_grep_pattern() -> String {
        crate::plaintext::patterns::grep_pattern()
    }

    /// How many lines of `chunk` (complete lines) hold a secret, for the in-process
    /// timing of `tests/bench/history.rs`.
    pub fn history_lines_with_secrets(chunk: &[u8]) -> usize {
        let mut lines = 0;
        crate::plaintext::patterns::scan_chunk(chunk, |_, _, _| lines += 1);
        lines
    }

    /// How many secrets one history line holds.
    pub fn secrets_in_line(line: &[u8]) -> usize {
        crate::plaintext::patterns::find_in_line(line).len()
    }

    /// What the history scan reports for one line, as `kind: masked line`, if
    /// anything: for the false-alarm count of `tests/bench/false-alarms.sh`.
    pub fn history_report(line: &[u8]) -> Option<String> {
        let hits = crate::plaintext::patterns::find_in_line(line);
        let first = hits.first()?;
        Some(format!(
            "{}: {}",
            first.kind,
            crate::plaintext::patterns::mask(line, &hits)
        ))
    }

    impl Judge {
        pub fn new() -> Option<Judge> {
            let policy = crate::policy::load(&crate::policy::LoadOptions {
                policy_file: None,
                system_dir: std::path::Path::new("/nonexistent"),
                trusted_owner: 0,
            })
            .ok()?;
            Some(Judge {
                rules: crate::password::Rules::from_policy(&policy),
                lists: std::sync::Arc::from(Vec::new()),
            })
        }

        /// The same, with the word lists of `paths` (the policy's `word-lists`).
        pub fn with_word_lists(paths: &[String]) -> Result<Judge, String> {
            let loaded = crate::password::lists::load(
                paths,
                None,
                std::path::Path::new(crate::password::lists::SYSTEM_DIR),
            );
            if let Some((path, reason)) = loaded.unusable.first() {
                return Err(format!("{}: {reason}", path.display()));
            }
            let mut judge = Judge::new().ok_or("the built-in policy does not load")?;
            judge.lists = std::sync::Arc::from(loaded.lists);
            Ok(judge)
        }

        /// Judges `password` as `password --stdin` would and returns how many rules
        /// it broke, the estimate counting as one.
        pub fn check(&self, password: &str) -> usize {
            let broken = crate::password::broken_rules(password, &self.rules).len();
            let weak = crate::password::estimate(password, &["alice".to_owned()], &self.lists)
                .map_or(true, |e| {
                    e.guesses_log10 < self.rules.min_guesses_log10 as f64
                });
            broken + usize::from(weak)
        }

        /// log10 of the guesses `password` takes, and its pieces in words.
        pub fn explain(&self, password: &str) -> (f64, String) {
            crate::password::estimate(password, &["alice".to_owned()], &self.lists).map_or_else(
                |e| (f64::NAN, e.to_string()),
                |e| (e.guesses_log10, crate::password::explain::pieces(&e.pieces)),
            )
        }
    }
}

/// Runs the command line and maps the outcome to a process status (0, 1 or 2).
pub fn main() -> ExitCode {
    harden::install_panic_hook();
    let status = match commands::run() {
        Ok(status) => status,
        Err(error) => {
            report::print_error(&error);
            exit::ExitStatus::Error
        }
    };
    status.into()
}
