//! `--fix`: after the checks have looked, the mode changes their printed fixes make
//! are made — each one that is safe: a regular file or a directory inside the home,
//! the person's own, a file with no second name, reached without following a link
//! and changed through its descriptor (see `fs::chmod`). Contents are never touched.

use std::path::{Path, PathBuf};

use crate::account::Account;
use crate::checks::{Finding, ModeFix, Status};
use crate::fs::{FsError, Kind, SafeDir, perm};
use crate::report::Change;

/// Makes every mode change `findings` carry, once per path, in their order; the
/// changes made. A path outside the home, someone else's, a link, a device or a
/// file with a second name is left as it is (its finding stays in the report).
pub fn apply(account: &Account, findings: &[Finding]) -> Vec<Change> {
    let Ok(home) = SafeDir::open_root(&account.home) else {
        return Vec::new();
    };
    let mut wanted: Vec<(PathBuf, ModeFix)> = Vec::new();
    for (path, fix) in findings.iter().flat_map(|f| f.modes.iter()) {
        if !wanted.iter().any(|(p, f)| p == path && f == fix) {
            wanted.push((path.clone(), *fix));
        }
    }
    let mut changes: Vec<Change> = Vec::new();
    for (path, fix) in wanted {
        if let Ok(Some((from, to))) = change(&home, &path, fix, account.uid) {
            // Two fixes of one path (a key's and its store's) make one change.
            match changes.iter_mut().find(|c| c.path == path) {
                Some(change) => change.to = to,
                None => changes.push(Change { path, from, to }),
            }
        }
    }
    changes
}

/// One change: the old and new modes, or `None` when the mode is already right.
fn change(
    home: &SafeDir,
    path: &Path,
    fix: ModeFix,
    owner: u32,
) -> Result<Option<(u32, u32)>, FsError> {
    if path == home.path() {
        let from = home.meta().mode;
        let to = fix.applied_to(from);
        if to == from {
            return Ok(None);
        }
        home.tighten_own_mode(to, owner)?;
        return Ok(Some((from, to)));
    }
    // Only inside the home: a path the policy adds elsewhere is the admin's to fix.
    if !path.starts_with(home.path()) {
        return Ok(None);
    }
    let (dir, name) = home.open_parent(path)?;
    let seen = dir.lstat(name)?;
    if !matches!(seen.kind, Kind::Regular | Kind::Directory) {
        return Err(FsError::NotRegular(seen.kind));
    }
    let to = fix.applied_to(seen.mode);
    if to == seen.mode {
        return Ok(None);
    }
    let from = dir.tighten_mode(name, &seen, to, owner)?;
    Ok(Some((from, to)))
}

/// For each private key whose mode --fix changed, the finding that said so before
/// the changes were listed on their own (`private-key-mode-fixed`, kept for the JSON
/// readers that know it).
pub fn key_findings(before: &[Finding], changes: &[Change], home: &Path) -> Vec<Finding> {
    changes
        .iter()
        .filter_map(|change| {
            let finding = before.iter().find(|f| {
                f.code.starts_with("private-key-") && f.modes.iter().any(|(p, _)| *p == change.path)
            })?;
            Some(
                Finding::new(
                    finding.check,
                    finding.policy,
                    finding.level,
                    Status::Pass,
                    "private-key-mode-fixed",
                )
                .at(&change.path)
                .says(format!(
                    "private key: mode changed by --fix, {}: {} → {}",
                    crate::report::short_path(&change.path, home),
                    perm::octal(change.from),
                    perm::octal(change.to)
                )),
            )
        })
        .collect()
}
