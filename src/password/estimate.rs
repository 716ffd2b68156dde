//! zxcvbn's strength estimate, guarded. The crate scores only the first 100
//! characters, but its repeat matcher runs backtracking regular expressions and
//! unwraps their results, so a hostile input can be slow or panic. The estimate runs
//! on its own thread under a deadline; a panic or a time-out becomes an error the
//! caller reports, never a crash or a hang.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use zeroize::Zeroizing;

/// The name of the estimator's thread; the panic hook keeps quiet for it, as its
/// failure is reported as a finding.
const THREAD_NAME: &str = "quiet-panic:zxcvbn-estimate";

/// How long an estimate may take before it is abandoned.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// What zxcvbn scores; longer input only costs time.
const SCORED_CHARS: usize = 100;

/// What the estimate says, with nothing of the password in it: zxcvbn's warnings and
/// suggestions are fixed sentences.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// 0 (trivial) to 4 (very hard).
    pub score: u8,
    /// log10 of the guesses an attacker would need.
    pub guesses_log10: f64,
    pub warning: Option<String>,
    pub suggestions: Vec<String>,
}

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
        .spawn(|| drop(zxcvbn::zxcvbn("warm-up", &[])));
}

/// Estimates `password`, with `user_inputs` as the words an attacker would try first.
pub fn estimate(password: &str, user_inputs: &[String]) -> Result<Estimate, EstimateError> {
    let capped: Zeroizing<String> = Zeroizing::new(password.chars().take(SCORED_CHARS).collect());
    let inputs: Vec<String> = user_inputs
        .iter()
        .map(|input| input.chars().take(SCORED_CHARS).collect())
        .collect();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(THREAD_NAME.to_owned())
        .spawn(move || {
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let entropy = zxcvbn::zxcvbn(&capped, &inputs);
            let feedback = entropy.feedback();
            let estimate = Estimate {
                score: u8::from(entropy.score()),
                guesses_log10: entropy.guesses_log10(),
                warning: feedback.and_then(|f| f.warning()).map(|w| w.to_string()),
                suggestions: feedback
                    .map(|f| f.suggestions().iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
            };
            let _ = tx.send(estimate);
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

    #[test]
    fn the_panic_hook_keeps_quiet_for_the_estimator() {
        assert!(THREAD_NAME.starts_with(crate::harden::QUIET_PANIC_PREFIX));
    }

    #[test]
    fn common_passwords_score_low_and_random_ones_high() {
        let common = estimate("Password1!", &[]).unwrap();
        assert!(common.score < 3, "{common:?}");
        assert!(common.warning.is_some() || !common.suggestions.is_empty());
        let random = estimate("vX9#qL2!mR7$kT4@", &[]).unwrap();
        assert_eq!(random.score, 4, "{random:?}");
    }

    #[test]
    fn user_inputs_lower_the_score() {
        let alone = estimate("Wilhelmina1987!", &[]).unwrap();
        let known = estimate("Wilhelmina1987!", &["wilhelmina".to_owned()]).unwrap();
        assert!(
            known.guesses_log10 < alone.guesses_log10,
            "{known:?} vs {alone:?}"
        );
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
            match estimate(input, &["x".repeat(512)]) {
                Ok(e) => assert!(e.score <= 4),
                Err(e) => panic!("{e} on a {}-byte input", input.len()),
            }
            assert!(started.elapsed() < DEADLINE);
        }
    }
}
