//! The strength estimate, guarded. zxcvbn's repeat matcher runs backtracking
//! regular expressions and unwraps their results, so a hostile input can be slow or
//! panic. The estimate runs on its own thread under a deadline; a panic or a time-out
//! becomes an error the caller reports, never a crash or a hang.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use zeroize::Zeroizing;

use super::guesses::{Decomposition, SCORED_CHARS, cheapest};
use super::lists::WordIndex;

/// The name of the estimator's thread; the panic hook keeps quiet for it, as its
/// failure is reported as a finding.
const THREAD_NAME: &str = "quiet-panic:zxcvbn-estimate";

/// How long an estimate may take before it is abandoned.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// What the estimate says: the guesses, and the pieces of the cheapest way to build
/// the password, which hold no character of it but a listed word.
pub type Estimate = Decomposition;

/// Why there is no estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstimateError {
    TimedOut,
    Crashed,
}

impl std::fmt::Display for EstimateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EstimateError::TimedOut => {
                write!(
                    f,
                    "the strength estimate did not finish within {} s",
                    DEADLINE.as_secs()
                )
            }
            EstimateError::Crashed => write!(f, "the strength estimator failed on this input"),
        }
    }
}

/// Builds zxcvbn's dictionaries (about 12 ms) on a background thread, so that an
/// estimate after a prompt is immediate.
pub fn warm_up() {
    let _ = std::thread::Builder::new()
        .name(THREAD_NAME.to_owned())
        .spawn(|| drop(cheapest("warm-up", &[], &[])));
}

/// Estimates `password`, with `user_inputs` as the words an attacker would try first
/// and `lists` as the policy's further word lists.
pub fn estimate(
    password: &str,
    user_inputs: &[String],
    lists: &Arc<[WordIndex]>,
) -> Result<Estimate, EstimateError> {
    let capped: Zeroizing<String> = Zeroizing::new(password.chars().take(SCORED_CHARS).collect());
    let inputs = user_inputs.to_vec();
    let lists = Arc::clone(lists);
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(THREAD_NAME.to_owned())
        .spawn(move || {
            let _ = tx.send(cheapest(&capped, &inputs, &lists));
        })
        .map_err(|_| EstimateError::Crashed)?;
    rx.recv_timeout(DEADLINE).map_err(|e| match e {
        RecvTimeoutError::Timeout => EstimateError::TimedOut,
        RecvTimeoutError::Disconnected => EstimateError::Crashed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn no_lists() -> Arc<[WordIndex]> {
        Arc::from(Vec::new())
    }

    #[test]
    fn the_panic_hook_keeps_quiet_for_the_estimator() {
        assert!(THREAD_NAME.starts_with(crate::harden::QUIET_PANIC_PREFIX));
    }

    #[test]
    fn common_passwords_are_cheap_and_random_ones_dear() {
        let common = estimate("Password1!", &[], &no_lists()).unwrap();
        assert!(common.guesses_log10 < 6.0, "{common:?}");
        let random = estimate("vX9#qL2!mR7$kT4@", &[], &no_lists()).unwrap();
        assert!(random.guesses_log10 > 20.0, "{random:?}");
    }

    #[test]
    fn hostile_input_finishes_and_never_panics() {
        let inputs = [
            "a".repeat(512),
            "!@#$%^&*()".repeat(51),
            "ab".repeat(256),
            "aA1!".repeat(128),
            "ÄÖÜ".repeat(85),
            "0123456789".repeat(51),
        ];
        for input in &inputs {
            let started = std::time::Instant::now();
            match estimate(input, &["x".repeat(512)], &no_lists()) {
                Ok(e) => assert!(e.guesses_log10.is_finite()),
                Err(e) => panic!("{e} on a {}-byte input", input.len()),
            }
            assert!(started.elapsed() < DEADLINE);
        }
    }
}
