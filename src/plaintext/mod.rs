//! Secrets in the clear: in shell and REPL history files, and in credential files.

pub mod advice;
pub mod credentials;
mod engine;
#[cfg(test)]
mod example_lines;
#[cfg(test)]
mod generated_lines;
pub mod history;
pub mod patterns;
mod predicates;
pub mod redact;
mod rules;
