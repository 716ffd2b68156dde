//! Password rules (policy `password-entropy`): the standard's composition rules and a
//! zxcvbn strength estimate, applied to a password given to `csi-self-check
//! password` or to the PAM helper.
//!
//! Reads: the password, the account's login and real name, the host name, and the
//! breached-password indexes of the policy's `breach-indexes` (only those outside
//! the home in the PAM helper), and the word lists of its `word-lists` (likewise).
//! Never: puts any part of the password, or of its hash, in a finding; each message
//! says only which rule failed, how many guesses it would take, the patterns it is
//! made of by kind (a listed word as the list spells it), fixed-text advice, and
//! how often a breach index has seen it.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::sync::Arc;

use super::{Check, CheckError, Context, Finding, Status, Subject};
use crate::breach;
use crate::password::lists::WordIndex;
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
        "a password given to `csi-self-check password` or the PAM helper: length, digit, lower, upper and symbol, and the guesses its cheapest decomposition needs"
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
            "password-word-list-unusable",
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
        let lists = word_lists(cx, out);
        match password::estimate(text, &inputs, &lists) {
            Ok(estimate) if estimate.guesses_log10 < rules.min_guesses_log10 as f64 => {
                let although = if broken.is_empty() {
                    ", although it meets every composition rule"
                } else {
                    ""
                };
                out.push(
                    finding(Status::Fail, "password-easy-to-guess").says(format!(
                        "The password is easy to guess{although}: it is {}, and {}. {ADVICE}",
                        password::explain::pieces(&estimate.pieces),
                        strength(&estimate, &rules),
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

/// The policy's word lists, compiled; a list that cannot be used is a finding, and
/// the estimate goes on without it.
fn word_lists(cx: &Context<'_>, out: &mut Vec<Finding>) -> Arc<[WordIndex]> {
    let level = cx.policy.level(ITEM);
    let loaded = password::lists::load(
        cx.policy.list(ITEM, "word-lists"),
        cx.personal_files(),
        &crate::sysroot::path(password::lists::SYSTEM_DIR),
    );
    for (path, reason) in &loaded.unusable {
        out.push(
            Finding::new(ID, ITEM, level, Status::Error, "password-word-list-unusable")
                .says(format!(
                    "The word list cannot be used, so its words were not looked for in the password: {}",
                    crate::sanitize::display_str(reason)
                ))
                .at(path),
        );
    }
    Arc::from(loaded.lists)
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

/// What to do instead, in one fixed sentence.
const ADVICE: &str =
    "Choose four or more uncommon words, or a long random password from a password manager";

/// "about 10^6 guesses would find it (the policy asks for at least 10^10)".
fn strength(estimate: &Estimate, rules: &Rules) -> String {
    let guesses = if estimate.guesses_log10 >= 1.0 {
        format!("about 10^{:.0} guesses", estimate.guesses_log10.floor())
    } else {
        "fewer than 10 guesses".to_owned()
    };
    format!(
        "{guesses} would find it (the policy asks for at least 10^{})",
        rules.min_guesses_log10
    )
}
