//! Permission bits by name. `mode & 0o040 != 0` is correct but says nothing; these
//! helpers say "group-readable" so that a reviewer can check the rule against the
//! standard's wording (after sudo-rs's `system/audit.rs`).

/// Whose access a bit grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Owner,
    Group,
    Other,
}

/// Which access a bit grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

/// The single permission bit for `who` and `access`.
pub const fn bit(who: Who, access: Access) -> u32 {
    let access = match access {
        Access::Read => 4,
        Access::Write => 2,
        Access::Execute => 1,
    };
    let shift = match who {
        Who::Owner => 6,
        Who::Group => 3,
        Who::Other => 0,
    };
    access << shift
}

/// Whether `mode` grants `who` the `access`.
pub const fn grants(mode: u32, who: Who, access: Access) -> bool {
    mode & bit(who, access) != 0
}

/// Every bit for the group and for others: OpenSSH refuses a private key with any.
pub const GROUP_OR_OTHER: u32 = 0o077;

/// Whether the group or others may write (OpenSSH's `022` test for config and
/// authorized_keys).
pub const fn writable_by_group_or_other(mode: u32) -> bool {
    grants(mode, Who::Group, Access::Write) || grants(mode, Who::Other, Access::Write)
}

/// What `mode` grants `who`, in words: "readable", "writable and executable", …;
/// `None` when it grants nothing.
pub fn access_words(mode: u32, who: Who) -> Option<String> {
    let words: Vec<&str> = [
        (Access::Read, "readable"),
        (Access::Write, "writable"),
        (Access::Execute, "executable"),
    ]
    .into_iter()
    .filter(|(access, _)| grants(mode, who, *access))
    .map(|(_, word)| word)
    .collect();
    match words.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [first, last] => Some(format!("{first} and {last}")),
        _ => Some("readable, writable and executable".to_owned()),
    }
}

/// The set-user-ID (04000), set-group-ID (02000) and sticky (01000) bits of `mode`,
/// by name.
pub fn special_words(mode: u32) -> Vec<&'static str> {
    [
        (0o4000, "set-user-ID"),
        (0o2000, "set-group-ID"),
        (0o1000, "sticky"),
    ]
    .into_iter()
    .filter(|(bit, _)| mode & bit != 0)
    .map(|(_, word)| word)
    .collect()
}

/// Mode as `chmod` and `ls` users read it: four octal digits.
pub fn octal(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_match_their_octal_values() {
        assert_eq!(bit(Who::Owner, Access::Read), 0o400);
        assert_eq!(bit(Who::Group, Access::Write), 0o020);
        assert_eq!(bit(Who::Other, Access::Execute), 0o001);
        assert!(grants(0o640, Who::Group, Access::Read));
        assert!(!grants(0o600, Who::Group, Access::Read));
        assert!(writable_by_group_or_other(0o620));
        assert!(writable_by_group_or_other(0o602));
        assert!(!writable_by_group_or_other(0o644));
        assert_eq!(octal(0o400), "0400");
        assert_eq!(octal(0o104755), "4755");
    }

    #[test]
    fn words_name_every_bit() {
        assert_eq!(
            access_words(0o010, Who::Group).as_deref(),
            Some("executable")
        );
        assert_eq!(
            access_words(0o060, Who::Group).as_deref(),
            Some("readable and writable")
        );
        assert_eq!(
            access_words(0o007, Who::Other).as_deref(),
            Some("readable, writable and executable")
        );
        assert_eq!(
            access_words(0o300, Who::Owner).as_deref(),
            Some("writable and executable")
        );
        assert_eq!(access_words(0o4400, Who::Group), None);
        assert_eq!(special_words(0o4400), ["set-user-ID"]);
        assert_eq!(special_words(0o3600), ["set-group-ID", "sticky"]);
        assert!(special_words(0o0777).is_empty());
    }
}
