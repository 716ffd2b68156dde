//! Placeholder replaced by the OpenPGP secret-key detector (being written).
