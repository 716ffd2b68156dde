//! Secrets in the clear: in shell and REPL history files, and in credential files.

pub mod advice;
mod commands;
pub mod credentials;
mod engine;
#[cfg(test)]
mod example_lines;
#[cfg(test)]
pub(crate) mod forms;
#[cfg(test)]
mod generated_lines;
pub mod history;
pub mod patterns;
mod predicates;
mod prefilter;
pub mod redact;
mod rules;
#[cfg(test)]
pub(crate) mod shapes;
mod spans;
pub(crate) mod tokens;
#[cfg(test)]
mod tokens_tests;
