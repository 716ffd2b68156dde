//! Private keys: recognising them by content in every common format, and telling
//! encrypted ones from unencrypted ones.

pub mod der;
pub mod format;
mod inspect;
pub mod openpgp;
pub mod scan;

pub use format::KeyFormat;
pub use inspect::{Inspection, Protection, inspect};

/// Decodes an armored OpenPGP block (in `openpgp`, once written).
fn openpgp_dearmor(_text: &[u8]) -> Option<Vec<u8>> {
    None
}

/// OpenPGP secret-key protection (in `openpgp`, once written); `None` for stubs only.
fn openpgp_protection(_packets: &[u8]) -> Option<Protection> {
    Some(Protection::Unknown)
}

/// DER keys, PKCS#12 and binary OpenPGP (in `der` and `openpgp`, once written).
fn binary_key(_prefix: &[u8]) -> Option<(KeyFormat, Protection, Option<Vec<u8>>)> {
    None
}
