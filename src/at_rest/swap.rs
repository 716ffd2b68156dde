//! Swap, which decides what a RAM-only filesystem (tmpfs) is worth: the kernel may
//! write any of its pages to any swap area, so the least protected area decides.

use crate::sanitize::display_str;

use super::mountinfo::{MOUNTINFO_LIMIT, decode_octal};
use super::{AtRest, Ctx, MAX_MEMBERS, kernel};

impl Ctx<'_> {
    /// What swap could do to a page of tmpfs.
    pub(super) fn swap(&self) -> String {
        const UNKNOWN: &str = "swap of unknown encryption";
        // A kernel table like mountinfo, and far shorter: its bound is ample.
        let Ok((bytes, truncated)) =
            kernel::read_bounded(&self.roots.proc.join("swaps"), MOUNTINFO_LIMIT)
        else {
            return UNKNOWN.to_owned();
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut verdicts: Vec<(String, AtRest)> = Vec::new();
        for line in text.lines() {
            let mut fields = line.split_ascii_whitespace();
            let Some(first) = fields.next() else {
                continue;
            };
            if first == "Filename" {
                continue;
            }
            if verdicts.len() >= MAX_MEMBERS {
                return UNKNOWN.to_owned();
            }
            let name = decode_octal(first);
            let name = name.strip_suffix(" (deleted)").unwrap_or(&name).to_owned();
            let kind = fields.next().unwrap_or("");
            let verdict = if kind == "file" {
                self.judge_file(&name, 0)
            } else if name.starts_with("/dev/zram") {
                AtRest::RamOnly {
                    swap: String::new(),
                }
            } else if name.starts_with("/dev/") {
                self.judge_dev_path(&name, 0)
            } else {
                AtRest::Unknown { why: String::new() }
            };
            verdicts.push((name, verdict));
        }
        if let Some((name, _)) = verdicts.iter().find(|(_, v)| v.is_known_unencrypted()) {
            return format!("unencrypted swap on {}", display_str(name));
        }
        if truncated
            || verdicts
                .iter()
                .any(|(_, v)| matches!(v, AtRest::Unknown { .. }))
        {
            return UNKNOWN.to_owned();
        }
        if verdicts.is_empty() {
            "no swap".to_owned()
        } else if verdicts
            .iter()
            .all(|(_, v)| matches!(v, AtRest::RamOnly { .. }))
        {
            "zram only".to_owned()
        } else {
            "encrypted swap".to_owned()
        }
    }
}
