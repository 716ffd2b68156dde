//! The live history settings a shell reports about itself. Reading rc files cannot
//! see through conditionals, `source`d frameworks or a ZDOTDIR set by the login
//! manager, and running them is out of the question; so `csi-self-check shell-hook
//! SHELL` prints a few lines for the rc file that, at each shell's first prompt,
//! write the values the shell really has to the state directory. When such a record
//! exists, its values win over the parsed ones.
//!
//! The record is a list of NUL-terminated `KEY=VALUE` fields between a magic first
//! field and an `end` field (NUL is the one byte no shell value can hold). It is
//! hostile input like any file in the home: read through the safe layer, bounded,
//! owned by the person and writable by nobody else, and rejected whole when any part
//! of it is out of place — a half-written or interleaved record never counts.

use std::ffi::OsString;
use std::path::Path;

use super::Shell;
use crate::fs::{FsError, Kind, SafeDir, perm};

const MAGIC: &str = "csi-self-check-shell-record";
/// A record is a few hundred bytes; anything much larger is not one.
const LIMIT: usize = 64 * 1024;

/// The lines `shell-hook SHELL` prints.
pub fn hook(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => include_str!("hooks/bash.sh"),
        Shell::Zsh => include_str!("hooks/zsh.zsh"),
        Shell::Fish => include_str!("hooks/fish.fish"),
    }
}

/// The line to add to the rc file, for fixes and messages.
pub fn install_line(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "eval \"$(csi-self-check shell-hook bash)\" at the end of ~/.bashrc",
        Shell::Zsh => "eval \"$(csi-self-check shell-hook zsh)\" at the end of ~/.zshrc",
        Shell::Fish => {
            "csi-self-check shell-hook fish | source at the end of ~/.config/fish/config.fish"
        }
    }
}

/// The record file's name in the state directory.
pub fn file_name(shell: Shell) -> OsString {
    OsString::from(format!("shell-{}.record", shell.name()))
}

/// What a shell recorded about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveRecord {
    fields: Vec<(String, String)>,
    /// When it was written: the record's change time (seconds, nanoseconds).
    pub written: (i64, i64),
}

impl LiveRecord {
    /// The value of `key`, or `None` when the shell had it unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[cfg(test)]
    pub fn for_tests(fields: Vec<(String, String)>, written: (i64, i64)) -> LiveRecord {
        LiveRecord { fields, written }
    }

    /// A yes/no field (`histappend=on`).
    pub fn is_on(&self, key: &str) -> bool {
        self.get(key) == Some("on")
    }
}

/// What the state directory holds for a shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// No record: the hook is not installed (or the shell never reached a prompt).
    Absent,
    /// A record that cannot be trusted, and why.
    Ignored(String),
    Found(LiveRecord),
}

/// Reads `shell`'s record from `state_dir` (below `home`, or anywhere the person's
/// XDG_STATE_HOME points). It must belong to `uid` and be writable by nobody else:
/// a record someone else could write would let them vouch for the person's shell.
pub fn read(home: &SafeDir, state_dir: &Path, uid: u32, shell: Shell) -> Lookup {
    let path = state_dir.join(file_name(shell));
    let shown = crate::sanitize::display_path(&path);
    let Some((dir, name)) = home.parent_of(&path) else {
        return Lookup::Absent;
    };
    let meta = match dir.lstat(name) {
        Ok(meta) => meta,
        Err(FsError::NotFound) => return Lookup::Absent,
        Err(error) => return Lookup::Ignored(format!("{shown}: {error}")),
    };
    if meta.kind != Kind::Regular {
        return Lookup::Ignored(format!("{shown} is {}", meta.kind.noun()));
    }
    let mut file = match dir.open_file(name, &meta) {
        Ok(file) => file,
        Err(error) => return Lookup::Ignored(format!("{shown}: {error}")),
    };
    let meta = *file.meta();
    let dir_meta = dir.meta();
    if meta.uid != uid || dir_meta.uid != uid {
        return Lookup::Ignored(format!("{shown} or its directory belongs to someone else"));
    }
    if perm::writable_by_group_or_other(meta.mode)
        || perm::writable_by_group_or_other(dir_meta.mode)
    {
        return Lookup::Ignored(format!("{shown} or its directory can be written by others"));
    }
    if meta.size > LIMIT as u64 {
        return Lookup::Ignored(format!("{shown} is too large to be a record"));
    }
    let bytes = match file.read_prefix(LIMIT) {
        Ok(bytes) => bytes,
        Err(error) => return Lookup::Ignored(format!("{shown}: {error}")),
    };
    match parse(&bytes, shell) {
        Ok(fields) => Lookup::Found(LiveRecord {
            fields,
            written: meta.changed,
        }),
        Err(why) => Lookup::Ignored(format!("{shown}: {why}")),
    }
}

/// The fields of a record, or why it is not one.
pub(crate) fn parse(bytes: &[u8], shell: Shell) -> Result<Vec<(String, String)>, String> {
    let body = bytes
        .strip_suffix(b"end\0")
        .ok_or("incomplete (no end mark at its end)")?;
    let body = body
        .strip_prefix(MAGIC.as_bytes())
        .and_then(|b| b.strip_prefix(b"\0"))
        .ok_or("not a shell record")?;
    let mut fields: Vec<(String, String)> = Vec::new();
    // The body ends in a NUL, so splitting leaves one empty piece after it.
    let pieces: Vec<&[u8]> = body.split(|&b| b == 0).collect();
    let Some((last, pieces)) = pieces.split_last() else {
        return Err("empty".to_owned());
    };
    if !last.is_empty() {
        return Err("malformed".to_owned());
    }
    for piece in pieces {
        let text = String::from_utf8_lossy(piece);
        if text == "end" {
            return Err("two records written over each other".to_owned());
        }
        let (key, value) = text.split_once('=').ok_or("malformed field")?;
        let well_formed = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !well_formed {
            return Err("malformed field name".to_owned());
        }
        if fields.iter().any(|(k, _)| k == key) {
            return Err(format!("{key} appears twice"));
        }
        fields.push((key.to_owned(), value.to_owned()));
    }
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if field("version") != Some("1") {
        return Err(
            "a version this program does not know; run `csi-self-check shell-hook` again"
                .to_owned(),
        );
    }
    if field("shell") != Some(shell.name()) {
        return Err(format!("not written by {}", shell.name()));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn record(fields: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for field in fields {
            out.extend_from_slice(field.as_bytes());
            out.push(0);
        }
        out
    }

    #[test]
    fn a_whole_record_is_read_and_unset_values_stay_unset() {
        let bytes = record(&[
            MAGIC,
            "version=1",
            "shell=bash",
            "HISTFILE=/h/a b\n=c",
            "HISTCONTROL=",
            "histappend=on",
            "end",
        ]);
        let fields = parse(&bytes, Shell::Bash).unwrap();
        let live = LiveRecord {
            fields,
            written: (0, 0),
        };
        assert_eq!(live.get("HISTFILE"), Some("/h/a b\n=c"));
        assert_eq!(live.get("HISTCONTROL"), Some(""));
        assert_eq!(live.get("HISTIGNORE"), None);
        assert!(live.is_on("histappend"));
    }

    #[test]
    fn anything_out_of_place_rejects_the_whole_record() {
        let good = record(&[MAGIC, "version=1", "shell=zsh", "SAVEHIST=1", "end"]);
        assert!(parse(&good, Shell::Zsh).is_ok());
        // Cut anywhere: never accepted.
        for cut in 0..good.len() {
            assert!(parse(&good[..cut], Shell::Zsh).is_err(), "cut at {cut}");
        }
        // Two shells writing at once: the longer one's tail follows the shorter.
        let long = record(&[
            MAGIC,
            "version=1",
            "shell=zsh",
            "SAVEHIST=1000",
            "HISTFILE=/x",
            "end",
        ]);
        let mut mixed = good.clone();
        mixed.extend_from_slice(&long[good.len()..]);
        assert!(parse(&mixed, Shell::Zsh).is_err());
        assert!(parse(&good, Shell::Bash).is_err(), "another shell's record");
        let future = record(&[MAGIC, "version=2", "shell=zsh", "end"]);
        assert!(parse(&future, Shell::Zsh).is_err());
        let twice = record(&[
            MAGIC,
            "version=1",
            "shell=zsh",
            "SAVEHIST=1",
            "SAVEHIST=0",
            "end",
        ]);
        assert!(parse(&twice, Shell::Zsh).is_err());
        let odd = record(&[MAGIC, "version=1", "shell=zsh", "SAVE HIST=1", "end"]);
        assert!(parse(&odd, Shell::Zsh).is_err());
    }

    #[test]
    fn the_hooks_write_what_the_reader_expects() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let hook = hook(shell);
            assert!(hook.contains(MAGIC), "{hook}");
            assert!(hook.contains(&format!("shell={}", shell.name())));
            assert!(hook.contains(&*file_name(shell).to_string_lossy()));
            assert!(hook.contains("version=1"));
        }
    }
}
