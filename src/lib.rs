//! csi-self-check: one person's credential hygiene, checked against the End User
//! Standards of the CSI Security Policy.
//!
//! The crate is a library so that the binary stays tiny and every exit happens in
//! [`main`]; nothing else calls `process::exit`.
#![forbid(unsafe_code)]

mod account;
mod app;
mod checks;
mod cli;
mod error;
mod exit;
mod fs;
mod harden;
mod keyformat;
#[cfg(test)]
mod man_tests;
mod policy;
mod privilege;
mod report;
mod sanitize;

use std::process::ExitCode;

/// Runs the command line and maps the outcome to a process status (0, 1 or 2).
pub fn main() -> ExitCode {
    harden::install_panic_hook();
    let status = match app::run() {
        Ok(status) => status,
        Err(error) => {
            report::print_error(&error);
            exit::ExitStatus::Error
        }
    };
    status.into()
}
