//! Reminders of the standard's behavioural items — the rules no program can check
//! (never tell anyone a password, report a lost laptop at once, …). A printed
//! checklist is read once; a reminder in the report keeps them in view, but only
//! once per policy interval for each, so that they are not skimmed past like noise.
//! `--remind all` shows every one now, `--remind never` none; the checklist shows
//! them always.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Check, CheckError, Context, Finding, RemindWhen, Status};

const ID: &str = "reminders";
/// The state file recording when each reminder was last shown.
pub const STATE_FILE: &str = "reminders.json";

/// The items no check can judge, in the standard's order.
pub const BEHAVIOURAL: &[&str] = &[
    "password-dissemination",
    "host-authentication",
    "software-installation",
    "relocate-information-offsite",
    "stolen-missing-equipment",
    "password-sharing",
    "role-accounts",
    "data-access-passwords",
    "self-access",
    "incident-reporting",
];

/// Items whose action is to tell someone: their reminder names whom.
const TELL_SOMEONE: &[&str] = &["stolen-missing-equipment", "incident-reporting"];

/// When each reminder was last shown, in seconds since the epoch.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Shown {
    #[serde(default)]
    pub last_shown: BTreeMap<String, i64>,
}

pub struct Reminders;

impl Check for Reminders {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        BEHAVIOURAL
    }

    fn summary(&self) -> &'static str {
        "reminds of each behavioural item of the standard at most once per policy interval (--remind all: every one now)"
    }

    fn codes(&self) -> &'static [&'static str] {
        &["reminder"]
    }

    fn reminds_only(&self) -> bool {
        true
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        if cx.options.remind == RemindWhen::Never {
            return Ok(());
        }
        let home = cx.home()?;
        // An unusable record means nothing was shown: remind of everything.
        let shown = crate::state::read_json::<Shown>(home, cx.account, STATE_FILE)
            .and_then(Result::ok)
            .unwrap_or_default();
        let interval = i64::try_from(
            cx.policy
                .number("incident-reporting", "remind-interval-days"),
        )
        .unwrap_or(i64::MAX)
        .saturating_mul(86_400);
        let now = cx.now;
        let contact = cx.policy.text("incident-reporting", "contact");
        for &item in BEHAVIOURAL {
            let due = cx.options.remind == RemindWhen::All
                || shown
                    .last_shown
                    .get(item)
                    .is_none_or(|last| now.saturating_sub(*last) >= interval);
            if !due {
                continue;
            }
            // The report groups findings under the item's title; the summary is the rule.
            let mut text = cx.policy.text(item, "summary").to_owned();
            if TELL_SOMEONE.contains(&item) {
                text.push_str(&format!(" Tell: {contact}."));
            }
            out.push(
                Finding::new(ID, item, cx.policy.level(item), Status::Remind, "reminder")
                    .says(crate::sanitize::display_str(&text)),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_behavioural_items_are_exactly_those_no_check_judges() {
        for spec in crate::policy::schema::ITEMS {
            let judged = super::super::CHECKS
                .iter()
                .any(|c| !c.reminds_only() && c.policies().contains(&spec.id));
            assert_eq!(
                BEHAVIOURAL.contains(&spec.id),
                !judged,
                "{}: behavioural is {} but a check judges it: {judged}",
                spec.id,
                BEHAVIOURAL.contains(&spec.id)
            );
        }
    }
}
