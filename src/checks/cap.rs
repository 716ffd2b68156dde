//! The bound on what one check may put in a report, whatever the home holds: at most
//! [`FINDINGS_PER_CHECK`] findings, the worst first, and one line for the rest, and
//! no message longer than [`MESSAGE_LIMIT`] nor fix longer than [`FIX_LIMIT`]. A home with 100,000 keys or a config
//! with thousands of blocks then gives a report of bounded size, never one that
//! grows with the square of the input.

use super::{Finding, Status};

/// The most findings one check reports; the rest are counted in one finding.
pub const FINDINGS_PER_CHECK: usize = 200;

/// The most bytes of one finding's message.
pub const MESSAGE_LIMIT: usize = 4096;

/// The most bytes of one finding's fix command. A command cannot be cut and still
/// do what it says, so a longer one is left out and the message says so.
pub const FIX_LIMIT: usize = 16 * 1024;

/// The code of the finding that counts what was left out.
pub const LEFT_OUT: &str = "findings-left-out";

/// `out`, a check's findings, cut to the bound: when there are more than
/// [`FINDINGS_PER_CHECK`], the worst (failures first, in the order found) are kept
/// and one finding, as bad as the worst left out, says how many of each status
/// were left out. Every message is cut at [`MESSAGE_LIMIT`] bytes, and a fix longer
/// than [`FIX_LIMIT`] is left out.
pub fn cap(mut out: Vec<Finding>) -> Vec<Finding> {
    for finding in &mut out {
        cut_message(&mut finding.message);
        if let Some(fix) = finding.fix.take_if(|fix| fix.len() > FIX_LIMIT) {
            finding.message.push_str(&format!(
                " (the command that fixes it, {} bytes, is too long to show; fix a few at a time and run again)",
                fix.len()
            ));
        }
    }
    let untold: u64 = out.iter().map(|f| f.untold).sum();
    if out.len() <= FINDINGS_PER_CHECK && untold == 0 {
        return out;
    }
    out.sort_by_key(|f| f.status);
    let left_out = out.split_off(FINDINGS_PER_CHECK.min(out.len()));
    // Each finding left out counts once, and everything any finding stands for but
    // was never made counts too, kept or not.
    let mut counts: Vec<(Status, u64)> = Vec::new();
    let counted = left_out
        .iter()
        .map(|f| (f, 1 + f.untold))
        .chain(out.iter().map(|f| (f, f.untold)));
    let mut worst: Option<&Finding> = None;
    for (finding, n) in counted.filter(|(_, n)| *n > 0) {
        if worst.is_none_or(|w| finding.status < w.status) {
            worst = Some(finding);
        }
        match counts.iter_mut().find(|(s, _)| *s == finding.status) {
            Some((_, total)) => *total += n,
            None => counts.push((finding.status, n)),
        }
    }
    let Some(worst) = worst else {
        return out;
    };
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    counts.sort_by_key(|(status, _)| *status);
    let counted: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {}", status.as_str()))
        .collect();
    let summary = Finding::new(worst.check, worst.policy, worst.level, worst.status, LEFT_OUT)
        .says(format!(
            "{total} more finding(s) of this check were left out ({}); a check reports at most {FINDINGS_PER_CHECK}, the worst first: deal with these and run it again",
            counted.join(", ")
        ));
    out.push(summary);
    out
}

/// Cuts `message` to [`MESSAGE_LIMIT`] bytes at a character boundary, saying so.
fn cut_message(message: &mut String) {
    if message.len() <= MESSAGE_LIMIT {
        return;
    }
    let mut end = MESSAGE_LIMIT;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let left = message.len() - end;
    message.truncate(end);
    message.push_str(&format!(" … ({left} more bytes left out)"));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::Level;

    fn finding(status: Status, n: usize) -> Finding {
        Finding::new(
            "key-permissions",
            "key-permissions",
            Level::Must,
            status,
            "x",
        )
        .says(format!("finding {n}"))
    }

    #[test]
    fn a_few_findings_pass_through_unchanged() {
        let out: Vec<Finding> = (0..FINDINGS_PER_CHECK)
            .map(|n| finding(Status::Pass, n))
            .collect();
        let capped = cap(out);
        assert_eq!(capped.len(), FINDINGS_PER_CHECK);
        assert_eq!(capped[7].message, "finding 7");
    }

    #[test]
    fn many_keep_the_worst_and_count_the_rest_in_one_line() {
        let mut out: Vec<Finding> = (0..10_000).map(|n| finding(Status::Pass, n)).collect();
        out.push(finding(Status::Fail, 10_000));
        out.extend((0..500).map(|n| finding(Status::Warn, n)));
        let capped = cap(out);
        assert_eq!(capped.len(), FINDINGS_PER_CHECK + 1);
        assert_eq!(capped[0].status, Status::Fail);
        assert!(
            capped[1..FINDINGS_PER_CHECK]
                .iter()
                .all(|f| f.status == Status::Warn)
        );
        let last = capped.last().unwrap();
        assert_eq!(last.code, LEFT_OUT);
        assert_eq!(last.status, Status::Warn, "as bad as the worst left out");
        assert!(
            last.message.starts_with(
                "10301 more finding(s) of this check were left out (301 warn, 10000 pass)"
            ),
            "{}",
            last.message
        );
    }

    #[test]
    fn findings_a_check_never_made_are_counted_with_those_left_out() {
        // Three made, one standing for 39,997 more (a history full of secrets).
        let mut out: Vec<Finding> = (0..3).map(|n| finding(Status::Fail, n)).collect();
        out[2].untold = 39_997;
        let capped = cap(out.clone());
        assert_eq!(capped.len(), 4);
        let last = capped.last().unwrap();
        assert_eq!((last.code, last.status), (LEFT_OUT, Status::Fail));
        assert!(
            last.message
                .starts_with("39997 more finding(s) of this check were left out (39997 fail)"),
            "{}",
            last.message
        );
        // Over the cap as well: those cut and those never made, in one count.
        out.extend((3..FINDINGS_PER_CHECK + 10).map(|n| finding(Status::Pass, n)));
        let capped = cap(out);
        assert_eq!(capped.len(), FINDINGS_PER_CHECK + 1);
        assert!(
            capped.last().unwrap().message.starts_with(
                "40007 more finding(s) of this check were left out (39997 fail, 10 pass)"
            ),
            "{}",
            capped.last().unwrap().message
        );
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let mut long = finding(Status::Fail, 0);
        long.message = "é".repeat(MESSAGE_LIMIT);
        let capped = cap(vec![long]);
        let message = &capped[0].message;
        assert!(message.len() < MESSAGE_LIMIT + 64, "{}", message.len());
        assert!(message.ends_with(&format!("({MESSAGE_LIMIT} more bytes left out)")));
    }

    #[test]
    fn a_fix_too_long_to_show_is_left_out_and_said_so() {
        let mut short = finding(Status::Fail, 0);
        short.fix = Some("chmod 600 -- k0".to_owned());
        let mut long = finding(Status::Fail, 1);
        long.fix = Some(format!("chmod 600 --{}", " k".repeat(FIX_LIMIT)));
        let capped = cap(vec![short, long]);
        assert_eq!(capped[0].fix.as_deref(), Some("chmod 600 -- k0"));
        assert_eq!(capped[1].fix, None);
        assert!(
            capped[1].message.contains("is too long to show"),
            "{}",
            capped[1].message
        );
    }
}
