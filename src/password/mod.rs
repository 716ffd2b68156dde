//! Judging a password against the standard's entropy rules and a realistic strength
//! estimate. Every rule it breaks is reported at once — pam_pwquality and passwdqc
//! stop at the first — and nothing derived from the password leaves this module but
//! which rules failed, the guesses it would take, and the patterns it is made of,
//! named by kind (a listed word by the list's spelling).

mod composition;
mod estimate;
pub mod explain;
mod guesses;
pub mod lists;

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
    /// log10 of the guesses the cheapest decomposition must cost at least: the
    /// stricter of `min-guesses-log10` and what `min-score` means.
    pub min_guesses_log10: u64,
}

/// What zxcvbn's scores 0–4 mean in guesses: at least 10^0, 10^3, 10^6, 10^8, 10^10.
const SCORE_FLOORS: [u64; 5] = [0, 3, 6, 8, 10];

impl Rules {
    pub fn from_policy(policy: &Policy) -> Rules {
        Rules {
            min_length: policy.number(ITEM, "min-length"),
            digit: policy.flag(ITEM, "require-digit"),
            lower: policy.flag(ITEM, "require-lower"),
            upper: policy.flag(ITEM, "require-upper"),
            symbol: policy.flag(ITEM, "require-symbol"),
            min_guesses_log10: policy.number(ITEM, "min-guesses-log10").max(
                usize::try_from(policy.number(ITEM, "min-score"))
                    .ok()
                    .and_then(|score| SCORE_FLOORS.get(score).copied())
                    .unwrap_or(10),
            ),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The rules of the built-in policy with `site` as the site's policy.toml.
    fn rules_with(site: &str) -> Rules {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.toml"), site).unwrap();
        let policy = crate::policy::load(&crate::policy::LoadOptions {
            policy_file: None,
            system_dir: dir.path(),
            trusted_owner: nix::unistd::geteuid().as_raw(),
        })
        .unwrap();
        Rules::from_policy(&policy)
    }

    #[test]
    fn the_threshold_is_in_guesses_and_min_score_keeps_its_meaning() {
        assert_eq!(rules_with("").min_guesses_log10, 10);
        let site = |text: &str| rules_with(&format!("[password-entropy]\n{text}\n"));
        assert_eq!(site("min-guesses-log10 = 6").min_guesses_log10, 6);
        // zxcvbn's score 3 means at least 10^8 guesses, 4 at least 10^10; the
        // stricter key wins.
        assert_eq!(
            site("min-guesses-log10 = 0\nmin-score = 3").min_guesses_log10,
            8
        );
        assert_eq!(
            site("min-guesses-log10 = 6\nmin-score = 4").min_guesses_log10,
            10
        );
        assert_eq!(
            site("min-guesses-log10 = 12\nmin-score = 2").min_guesses_log10,
            12
        );
    }
}
