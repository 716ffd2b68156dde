//! Placeholder: whether a file's data is encrypted at rest (being written).
