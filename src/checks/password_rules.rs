//! Password rules (policy `password-entropy`): the standard's composition rules and a
//! zxcvbn strength estimate, applied to a password given to `csi-self-check
//! password` or to the PAM helper.
//!
//! Reads: the password, the account's login and real name, the host name, and the
//! breached-password indexes of the policy's `breach-indexes` (only those outside
//! the home in the PAM helper).
//! Never: puts any part of the password, or of its hash, in a finding; each message
//! says only which rule failed, how many guesses zxcvbn estimates, zxcvbn's
//! fixed-text advice, and how often a breach index has seen it.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status, Subject};
use crate::breach;
use crate::password::{self, Estimate, Rules};

const ID: &str = "password-rules";
const ITEM: &str = "password-entropy";

pub struct PasswordRules;

impl Check for PasswordRules {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "a password given to `csi-self-check password` or the PAM helper: length, digit, lower, upper and symbol, and a zxcvbn estimate"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "password-ok",
            "password-too-short",
            "password-no-digit",
            "password-no-lower",
            "password-no-upper",
            "password-no-symbol",
            "password-easy-to-guess",
            "password-breached",
            "password-breach-index-unusable",
            "password-estimate-failed",
            "password-not-text",
        ]
    }

    fn subject(&self) -> Subject {
        Subject::Secret
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let rules = Rules::from_policy(cx.policy);
        let level = cx.policy.level(ITEM);
        let finding = |status, code| Finding::new(ID, ITEM, level, status, code);
        let Ok(text) = cx.secret()?.as_str() else {
            out.push(
                finding(Status::Fail, "password-not-text")
                    .says("The password is not valid UTF-8 text, so it cannot be judged"),
            );
            return Ok(());
        };
        let broken = password::broken_rules(text, &rules);
        for rule in &broken {
            out.push(
                finding(Status::Fail, rule.code())
                    .says(format!("The password {}", rule.describe(&rules))),
            );
        }
        let breach = breached(cx, text, out);
        let inputs = password::user_inputs(&cx.account.name, &cx.account.gecos);
        match password::estimate(text, &inputs) {
            Ok(estimate) if estimate.score < rules.min_score => {
                let although = if broken.is_empty() {
                    ", although it meets every composition rule"
                } else {
                    ""
                };
                out.push(
                    finding(Status::Fail, "password-easy-to-guess").says(format!(
                        "The password is easy to guess{although}: {}{}",
                        strength(&estimate, &rules),
                        advice(&estimate, &rules)
                    )),
                );
            }
            Ok(estimate) if broken.is_empty() && breach.is_some() => {
                out.push(finding(Status::Pass, "password-ok").says(format!(
                    "The password meets every rule of the policy: {}; {}",
                    strength(&estimate, &rules),
                    breach.unwrap_or_default()
                )));
            }
            Ok(_) => {}
            Err(error) => out.push(finding(Status::Error, "password-estimate-failed").says(
                format!("The password's strength could not be estimated: {error}"),
            )),
        }
        Ok(())
    }
}

/// Looks the password up in the policy's breach indexes; a hit at least as frequent
/// as `breach-min-count`, and an index that cannot be used, are findings. Otherwise
/// the clause for the `password-ok` message, or `None` when a finding was made.
fn breached(cx: &Context<'_>, text: &str, out: &mut Vec<Finding>) -> Option<String> {
    let level = cx.policy.level(ITEM);
    let finding = |status, code| Finding::new(ID, ITEM, level, status, code);
    let min = cx.policy.number(ITEM, "breach-min-count");
    let lookups = breach::look_up(
        cx.policy.list(ITEM, "breach-indexes"),
        cx.personal_files(),
        text.as_bytes(),
    );
    let mut clean = true;
    for (path, reason) in &lookups.unusable {
        clean = false;
        out.push(
            finding(Status::Error, "password-breach-index-unusable")
                .says(format!(
                    "The breached-password index cannot be used, so the password was not looked up in it: {}",
                    crate::sanitize::display_str(reason)
                ))
                .at(path),
        );
    }
    let seen = lookups
        .consulted
        .iter()
        .filter_map(|c| c.count.map(|count| (count, c)))
        .max_by_key(|(count, _)| *count);
    if let Some((count, index)) = seen
        && u64::from(count) >= min
    {
        // The index counts sightings of the password across breaches, not breaches.
        let times = if count >= breach::format::MAX_COUNT {
            format!("at least {count} times")
        } else if count == 1 {
            "once".to_owned()
        } else {
            format!("{count} times")
        };
        out.push(
            finding(Status::Fail, "password-breached")
                .says(format!(
                    "The password is known to attackers: seen {times} in breached-password lists (index of {}); choose one never used anywhere",
                    built(index.built)
                ))
                .at(&index.path),
        );
        return None;
    }
    if !clean {
        return None;
    }
    Some(match (seen, lookups.consulted.first()) {
        (Some((count, index)), _) => format!(
            "seen {count} times in breached-password lists (index of {}), fewer than the policy's {min}",
            built(index.built)
        ),
        (None, Some(index)) => format!(
            "not in the breached-password index (of {})",
            built(index.built)
        ),
        (None, None) => {
            "not looked up in a breached-password index: none is installed (csi-self-check breach import)"
                .to_owned()
        }
    })
}

fn built(secs: u64) -> String {
    crate::time::utc_minute(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// "about 10^4 guesses would find it (zxcvbn score 1 of 4; the policy asks for 3)".
fn strength(estimate: &Estimate, rules: &Rules) -> String {
    let guesses = if estimate.guesses_log10.is_finite() && estimate.guesses_log10 >= 1.0 {
        format!("about 10^{:.0} guesses", estimate.guesses_log10.floor())
    } else {
        "fewer than 10 guesses".to_owned()
    };
    format!(
        "{guesses} would find it (zxcvbn score {} of 4; the policy asks for at least {})",
        estimate.score, rules.min_score
    )
}

/// zxcvbn's suggestion for a password with few character classes, which contradicts
/// a policy that asks for digits, upper case or symbols.
const NO_NEED_FOR_CLASSES: &str = "No need for symbols, digits, or uppercase letters";

/// zxcvbn's warning and suggestions, which are fixed sentences — less any that would
/// contradict a rule of the policy the same report says was broken.
fn advice(estimate: &Estimate, rules: &Rules) -> String {
    let asks_for_classes = rules.digit || rules.upper || rules.symbol;
    let mut text = String::new();
    if let Some(warning) = &estimate.warning {
        text.push_str(&format!(". {}", warning.trim_end_matches('.')));
    }
    let suggestions: Vec<&str> = estimate
        .suggestions
        .iter()
        .map(String::as_str)
        .filter(|s| !(asks_for_classes && s.starts_with(NO_NEED_FOR_CLASSES)))
        .collect();
    if !suggestions.is_empty() {
        text.push_str(". Suggestions: ");
        text.push_str(&suggestions.join(" "));
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_advice_contradicts_a_composition_rule_the_policy_asks() {
        // zxcvbn says this of an empty password: the filter meets its real words.
        let empty = password::estimate("", &[]).unwrap();
        assert!(
            empty
                .suggestions
                .iter()
                .any(|s| s.starts_with(NO_NEED_FOR_CLASSES)),
            "{empty:?}"
        );
        let strict = Rules {
            min_length: 12,
            digit: true,
            lower: true,
            upper: true,
            symbol: true,
            min_score: 3,
        };
        assert!(!advice(&empty, &strict).contains("No need for"));
        let lax = Rules {
            digit: false,
            upper: false,
            symbol: false,
            ..strict
        };
        assert!(advice(&empty, &lax).contains("No need for"));
    }
}
