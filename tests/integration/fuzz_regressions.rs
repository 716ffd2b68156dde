//! The fuzz targets' inputs in the normal suite: every seed (tests/fuzz/seeds/) and
//! every input a fuzzer found a crash, hang or broken promise with
//! (tests/fuzz/regressions/TARGET/), fed to the same entry point the fuzzer drives.
//! A broken promise panics here as it crashed there.

use std::path::Path;

use csi_self_check::fuzz::{TARGETS, run};

/// The files directly in `dir` (none when it does not exist).
fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_seed_and_regression_input_keeps_its_targets_promises() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut fed = 0;
    for target in TARGETS {
        for kind in ["seeds", "regressions"] {
            for file in inputs(&root.join(kind).join(target)) {
                let data = std::fs::read(&file).unwrap();
                assert!(run(target, &data), "{target} is not a target");
                fed += 1;
            }
        }
    }
    // Every target has seeds, so a renamed directory cannot silently feed nothing.
    for target in TARGETS {
        assert!(
            !inputs(&root.join("seeds").join(target)).is_empty(),
            "{target} has no seeds"
        );
    }
    assert!(fed >= TARGETS.len());
    // A directory of regressions names a target.
    for dir in std::fs::read_dir(root.join("regressions")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
            assert!(TARGETS.contains(&name.as_str()), "{name} is not a target");
        }
    }
}

#[test]
fn an_unknown_target_is_refused() {
    assert!(!run("no-such-target", b""));
}
