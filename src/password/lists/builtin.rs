//! The common-password lists compiled into the program (`common/`): what attackers
//! try first, whatever the policy's `word-lists` say. Sorted at build time by
//! src/build.rs, so looking a word up costs a binary search and no start-up work.
//!
//! - Django's `common-passwords.txt` (BSD-3-Clause, Django Software Foundation):
//!   about 20,000 passwords of every length, most common first.
//! - Firefox Accounts' `fxa-common-password-list` 0.0.4 (MPL-2.0, Mozilla): the
//!   50,000 most common passwords of 8 or more characters in Mark Burnett's ten
//!   million, in byte order; the file is kept as published.

include!(concat!(env!("OUT_DIR"), "/common_passwords.rs"));

#[cfg(test)]
mod tests {
    use zxcvbn::Ranked;

    use super::COMMON_PASSWORDS;

    #[test]
    fn both_lists_are_in_with_their_ranks() {
        // Django's first line, and a Firefox Accounts word Django does not list
        // (a Russian word typed on a Latin keyboard), priced as that list's last.
        assert_eq!(COMMON_PASSWORDS.look_up("123456").0, Some(1));
        assert_eq!(COMMON_PASSWORDS.look_up("nhfycajhvth").0, Some(50_000));
        // Lower-cased, and a prefix of a listed word says a longer one follows.
        assert_eq!(COMMON_PASSWORDS.look_up("Nhfycajhvth").0, None);
        assert_eq!(COMMON_PASSWORDS.look_up("nhfycaj"), (None, true));
    }
}
