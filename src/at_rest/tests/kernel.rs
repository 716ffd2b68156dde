//! The reader of `/proc` and `/sys`: a table it cannot read keeps its cause, and the
//! verdict still names only the table.

use std::error::Error as _;
use std::io;

use super::*;
use crate::at_rest::error::AtRestError;
use crate::at_rest::mountinfo::MountTable;

#[test]
fn an_unreadable_table_keeps_its_cause() {
    let f = Fake::new();
    let path = f.roots.proc.join("self/mountinfo");
    let verdict = AtRest::Unknown {
        why: format!("cannot read {}", path.display()),
    };

    let missing = MountTable::read(&path).err().unwrap();
    assert!(matches!(&missing, AtRestError::Read { .. }), "{missing:?}");
    assert_eq!(
        missing.to_string(),
        format!("cannot read {}", path.display())
    );
    let cause = missing
        .source()
        .unwrap()
        .downcast_ref::<io::Error>()
        .unwrap();
    assert_eq!(cause.kind(), io::ErrorKind::NotFound);
    assert_eq!(f.at(dev(8, 1)), verdict);

    // A directory opens, but is not read as a table.
    fs::create_dir(&path).unwrap();
    let directory = MountTable::read(&path).err().unwrap();
    assert!(
        matches!(&directory, AtRestError::NotAFile { .. }),
        "{directory:?}"
    );
    assert!(directory.source().is_none());
    assert!(directory.to_string().ends_with(": not a regular file"));
    assert_eq!(f.at(dev(8, 1)), verdict);
    assert!(mount_facts(&f.roots, &Location::from_dev(dev(8, 1))).is_none());
    assert!(is_mounted(&f.roots, "/", "/dev/sda1").is_none());
}
