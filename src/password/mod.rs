//! Judging a password against the standard's entropy rules and a realistic strength
//! estimate. Every rule it breaks is reported at once — pam_pwquality and passwdqc
//! stop at the first — and nothing derived from the password leaves this module but
//! which rules failed and zxcvbn's own fixed-text advice.

mod composition;
mod estimate;

pub use composition::broken_rules;
pub use estimate::{Estimate, estimate, warm_up};

use crate::policy::Policy;

const ITEM: &str = "password-entropy";

/// The rules of the effective policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    pub min_length: u64,
    pub digit: bool,
    pub lower: bool,
    pub upper: bool,
    pub symbol: bool,
    /// zxcvbn's score (0–4) the password must reach.
    pub min_score: u8,
}

impl Rules {
    pub fn from_policy(policy: &Policy) -> Rules {
        Rules {
            min_length: policy.number(ITEM, "min-length"),
            digit: policy.flag(ITEM, "require-digit"),
            lower: policy.flag(ITEM, "require-lower"),
            upper: policy.flag(ITEM, "require-upper"),
            symbol: policy.flag(ITEM, "require-symbol"),
            min_score: u8::try_from(policy.number(ITEM, "min-score")).unwrap_or(4),
        }
    }
}

/// Words an attacker would try first for this person: login, real name, host name.
pub fn user_inputs(login: &str, gecos: &str) -> Vec<String> {
    let mut inputs = vec![login.to_owned()];
    // GECOS: "Full Name,Room,Work phone,Home phone,Other"; the name and its parts.
    let name = gecos.split(',').next().unwrap_or("").trim();
    if !name.is_empty() {
        inputs.push(name.to_owned());
        inputs.extend(
            name.split_whitespace()
                .filter(|w| w.chars().count() > 2)
                .map(str::to_owned),
        );
    }
    if let Ok(host) = nix::unistd::gethostname()
        && let Some(host) = host.to_str()
    {
        inputs.push(host.to_owned());
        inputs.extend(host.split('.').next().map(str::to_owned));
    }
    inputs.sort();
    inputs.dedup();
    inputs
}
