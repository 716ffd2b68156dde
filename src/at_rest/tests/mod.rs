//! The at_rest tests. Most run on fake `/proc` and `/sys` trees in temporary
//! directories, so that one machine can describe any other; `real` asks this one.

#![allow(clippy::unwrap_used)]

use super::*;
use nix::sys::stat::makedev;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

mod block;
mod btrfs;
mod filesystem;
mod kernel;
mod mountinfo;
mod real;
mod swap;

/// A fake `/proc` and `/sys` in a temporary directory.
struct Fake {
    _dir: TempDir,
    roots: Roots,
}

impl Fake {
    fn new() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots {
            proc: dir.path().join("proc"),
            sys: dir.path().join("sys"),
        };
        fs::create_dir_all(roots.proc.join("self")).unwrap();
        fs::create_dir_all(&roots.sys).unwrap();
        Fake { _dir: dir, roots }
    }

    fn write(&self, path: PathBuf, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn mountinfo(&self, lines: &[String]) {
        self.write(self.roots.proc.join("self/mountinfo"), &lines.concat());
    }

    fn swaps(&self, entries: &[&str]) {
        let mut text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n".to_owned();
        for entry in entries {
            text.push_str(entry);
            text.push('\n');
        }
        self.write(self.roots.proc.join("swaps"), &text);
    }

    /// A block device: class/block entry, dev/block directory, optional dm
    /// attributes and slaves.
    fn block(&self, devnum: &str, name: &str, uuid: Option<&str>, slaves: &[&str]) -> &Self {
        let sys = &self.roots.sys;
        self.write(sys.join("class/block").join(name).join("dev"), devnum);
        let dir = sys.join("dev/block").join(devnum);
        self.write(dir.join("uevent"), &format!("MAJOR=0\nDEVNAME={name}\n"));
        if let Some(uuid) = uuid {
            self.write(dir.join("dm/uuid"), &format!("{uuid}\n"));
        }
        fs::create_dir_all(dir.join("slaves")).unwrap();
        for slave in slaves {
            self.write(dir.join("slaves").join(slave), "");
        }
        self
    }

    fn dm_name(&self, devnum: &str, name: &str, dm_name: &str) -> &Self {
        let sys = &self.roots.sys;
        self.write(
            sys.join("dev/block").join(devnum).join("dm/name"),
            &format!("{dm_name}\n"),
        );
        self.write(
            sys.join("block").join(name).join("dm/name"),
            &format!("{dm_name}\n"),
        );
        self
    }

    fn partition(&self, devnum: &str, name: &str) -> &Self {
        self.block(devnum, name, None, &[]);
        let dir = self.roots.sys.join("dev/block").join(devnum);
        self.write(dir.join("partition"), "1\n");
        self
    }

    fn btrfs(&self, fsid: &str, members: &[&str]) {
        for m in members {
            self.write(
                self.roots
                    .sys
                    .join("fs/btrfs")
                    .join(fsid)
                    .join("devices")
                    .join(m),
                "",
            );
        }
    }

    fn at(&self, dev: u64) -> AtRest {
        at_rest(&self.roots, &Location::from_dev(dev))
    }

    fn at_place(&self, place: Location) -> AtRest {
        at_rest(&self.roots, &place)
    }
}

fn line(id: u32, devnum: &str, mount_point: &str, fstype: &str, source: &str) -> String {
    format!("{id} 1 {devnum} / {mount_point} rw,relatime shared:{id} - {fstype} {source} rw\n")
}

fn root_line() -> String {
    line(20, "8:1", "/", "ext4", "/dev/sda1")
}

fn dev(maj: u64, min: u64) -> u64 {
    makedev(maj, min)
}

fn encrypted(how: &str) -> AtRest {
    AtRest::BlockEncrypted {
        how: how.to_owned(),
    }
}

fn file_encrypted(how: &str) -> AtRest {
    AtRest::FileEncrypted {
        how: how.to_owned(),
    }
}

fn plain(what: &str) -> AtRest {
    AtRest::NotEncrypted {
        what: what.to_owned(),
    }
}

fn ram(swap: &str) -> AtRest {
    AtRest::RamOnly {
        swap: swap.to_owned(),
    }
}

fn is_unknown(verdict: &AtRest) -> bool {
    matches!(verdict, AtRest::Unknown { .. })
}
