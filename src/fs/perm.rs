//! Permission bits by name. `mode & 0o040 != 0` is correct but says nothing; these
//! helpers say "group-readable" so that a reviewer can check the rule against the
//! standard's wording (after sudo-rs's `system/audit.rs`).

/// Whose access a bit grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    #[allow(
        dead_code,
        reason = "named for completeness; the owner's bits are rarely the problem"
    )]
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

/// Any permission for others.
pub const fn any_for_other(mode: u32) -> bool {
    mode & 0o007 != 0
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
        assert!(any_for_other(0o604));
        assert_eq!(octal(0o400), "0400");
        assert_eq!(octal(0o104755), "4755");
    }
}
