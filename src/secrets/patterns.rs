//! Placeholder: secrets typed on command lines (being written).
