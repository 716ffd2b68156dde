//! Keeps the crate's shape: commands on top, the report the only writer, checks in
//! the middle, domain modules below, primitives at the ground. Imports only point
//! down (or sideways within a layer, without a loop), and each door to the outside —
//! files, processes, the terminal, the output streams, the command line, the clock —
//! is used only by the module that owns it. A rule a test keeps outlives the person
//! who wrote it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module and its layer; higher numbers sit higher.
const LAYERS: &[(&str, u8)] = &[
    ("main", 6),
    ("lib", 6),
    ("commands", 5),
    ("cli", 5),
    ("report", 4),
    ("checks", 3),
    // The fuzz targets' entry points: readers of every layer below, used by none.
    ("fuzz", 3),
    // Domain: what the checks know about.
    ("keys", 2),
    ("plaintext", 2),
    ("shells", 2),
    ("screen_lock", 2),
    ("ssh_config", 2),
    ("at_rest", 2),
    ("breach", 2),
    ("reuse", 2),
    ("password", 2),
    ("backup", 2),
    ("accounts", 2),
    ("app_stores", 2),
    // Primitives.
    ("fs", 1),
    ("policy", 1),
    ("time", 1),
    ("process", 1),
    ("terminal", 1),
    ("account", 1),
    ("privilege", 1),
    ("secret", 1),
    ("sanitize", 1),
    ("syslog", 1),
    ("sysroot", 1),
    ("state", 1),
    ("harden", 1),
    ("exit", 1),
];

/// A door, and the only places that may open it: top-level modules, or single files
/// (paths below `src/`).
struct Door {
    what: &'static str,
    /// Whether a code line uses the door.
    used_by: fn(&str) -> bool,
    modules: &'static [&'static str],
    files: &'static [&'static str],
}

const DOORS: &[Door] = &[
    Door {
        what: "the file system (std::fs, File::open, OpenOptions)",
        used_by: opens_files,
        modules: &["fs"],
        // The terminal opens /dev/tty; at_rest reads the kernel's /proc and /sys,
        // which are no person's files.
        files: &["terminal.rs", "at_rest/kernel.rs"],
    },
    Door {
        what: "a subprocess (Command::new)",
        used_by: |line| calls(line, "Command::new"),
        modules: &["process"],
        files: &[],
    },
    Door {
        what: "standard output or error (stdout(), stderr())",
        used_by: |line| calls(line, "stdout()") || calls(line, "stderr()"),
        modules: &["report"],
        // The panic hook, which must write whatever state the report is in.
        files: &["harden.rs"],
    },
    Door {
        what: "the terminal (/dev/tty)",
        used_by: |line| line.contains("/dev/tty"),
        modules: &["terminal"],
        files: &[],
    },
    Door {
        what: "the command line (crate::cli)",
        used_by: |line| line.contains("crate::cli"),
        modules: &["commands"],
        files: &[],
    },
    Door {
        what: "the wall clock (SystemTime::now)",
        used_by: |line| calls(line, "SystemTime::now"),
        modules: &["time"],
        files: &[],
    },
];

/// Whether `line` names `item` itself, not a longer name that ends with it
/// (`SafeFile::open_named` is no `File::open`, `for_stderr()` no `stderr()`).
fn calls(line: &str, item: &str) -> bool {
    line.match_indices(item).any(|(at, _)| {
        !line[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn opens_files(line: &str) -> bool {
    if calls(line, "File::open")
        || calls(line, "File::create")
        || calls(line, "OpenOptions")
        || line.contains("use std::fs")
    {
        return true;
    }
    // `std::fs::File` as a type names a file some door opened; any other item of
    // `std::fs` (read, write, metadata, read_dir, DirBuilder, …) is a door.
    line.match_indices("std::fs::").any(|(at, found)| {
        let rest = &line[at + found.len()..];
        match rest.strip_prefix("File") {
            Some(after) => after.starts_with("::"),
            None => true,
        }
    })
}

/// One line of production code: where, and what.
struct Line {
    file: String,
    number: usize,
    text: String,
}

/// The production code of every file below `src/`: test files (`tests.rs`,
/// `*_tests.rs`, anything in a `tests/` directory) and the test module at the end of a
/// file are left out, and so are comments.
fn production_lines() -> Vec<Line> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut lines = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let in_tests_dir = rel.split('/').any(|part| part == "tests");
        if rel == "build.rs" || in_tests_dir || name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        for (index, line) in all.iter().enumerate() {
            let trimmed = line.trim_start();
            let test_only = trimmed == "#[cfg(test)]"
                || (trimmed.starts_with("#[cfg(all(test,") && trimmed.ends_with(")]"));
            if test_only
                && all.get(index + 1).is_some_and(|next| {
                    next.trim_start().starts_with("mod ") && next.ends_with('{')
                })
            {
                break;
            }
            if trimmed.starts_with("//") {
                continue;
            }
            lines.push(Line {
                file: rel.clone(),
                number: index + 1,
                text: (*line).to_owned(),
            });
        }
    }
    lines
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        // A directory with a Cargo.toml is a crate of its own (the PAM module, the
        // vendored zxcvbn), with rules of its own.
        if path.is_dir() && !path.join("Cargo.toml").exists() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `checks/key_backup.rs` → `checks`.
fn module_of(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

fn layer_of(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules a line names: `crate::x`, and `super::x` in a top-level
/// file (where `super` is the crate).
fn named_modules<'l>(line: &'l str, rel: &str) -> Vec<&'l str> {
    let mut names = Vec::new();
    let mut prefixes = vec!["crate::"];
    if !rel.contains('/') {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        for (at, _) in line.match_indices(prefix) {
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &line[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end > 0 {
                names.push(&rest[..end]);
            }
        }
    }
    names
}

/// Every upward import, every module without a layer, and every door used outside
/// its owner, as `FILE:LINE: why` lines; empty when the crate keeps its shape.
fn violations(lines: &[Line]) -> Vec<String> {
    let mut found = Vec::new();
    // Same-layer edges, with the first line that makes each, for the loop search.
    let mut sideways: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    for line in lines {
        let from = module_of(&line.file);
        let Some(from_layer) = layer_of(from) else {
            unknown.insert(from.to_owned());
            continue;
        };
        let place = format!("src/{}:{}", line.file, line.number);
        for to in named_modules(&line.text, &line.file) {
            if to == from {
                continue;
            }
            let Some(to_layer) = layer_of(to) else {
                unknown.insert(to.to_owned());
                continue;
            };
            if to_layer > from_layer {
                found.push(format!(
                    "{place}: `{from}` (layer {from_layer}) imports `{to}` (layer {to_layer}), which sits above it"
                ));
            } else if to_layer == from_layer {
                sideways
                    .entry((from.to_owned(), to.to_owned()))
                    .or_insert(place.clone());
            }
        }
        for door in DOORS {
            let allowed = door.modules.contains(&from) || door.files.contains(&line.file.as_str());
            if !allowed && (door.used_by)(&line.text) {
                found.push(format!(
                    "{place}: uses {} outside {}",
                    door.what,
                    door.modules
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .chain(door.files.iter().map(|f| format!("src/{f}")))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ));
            }
        }
    }
    for module in unknown {
        found.push(format!(
            "`{module}` has no layer in LAYERS (src/layers_tests.rs): give it one"
        ));
    }
    found.extend(loops(&sideways));
    found
}

/// Loops among modules of one layer: each is reported once, with the line that makes
/// each of its edges.
fn loops(edges: &BTreeMap<(String, String), String>) -> Vec<String> {
    let mut reported: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut out = Vec::new();
    for (from, to) in edges.keys() {
        // A path back from `to` to `from` closes a loop.
        if let Some(path) = path_between(edges, to, from) {
            let mut cycle: Vec<String> = std::iter::once(from.clone()).chain(path).collect();
            cycle.pop();
            let mut key = cycle.clone();
            key.sort();
            if reported.insert(key) {
                let steps: Vec<String> = cycle
                    .iter()
                    .zip(cycle.iter().cycle().skip(1))
                    .map(|(a, b)| {
                        format!(
                            "`{a}` → `{b}` ({})",
                            edges
                                .get(&(a.clone(), b.clone()))
                                .map_or("?", String::as_str)
                        )
                    })
                    .collect();
                out.push(format!("import loop: {}", steps.join(", ")));
            }
        }
    }
    out
}

/// The modules on a path of `edges` from `start` to `goal`, both included.
fn path_between(
    edges: &BTreeMap<(String, String), String>,
    start: &str,
    goal: &str,
) -> Option<Vec<String>> {
    let mut queue = std::collections::VecDeque::from([vec![start.to_owned()]]);
    let mut seen = BTreeSet::from([start.to_owned()]);
    while let Some(path) = queue.pop_front() {
        let last = path.last()?.clone();
        if last == goal {
            return Some(path);
        }
        for (from, to) in edges.keys() {
            if *from == last && seen.insert(to.clone()) {
                let mut next = path.clone();
                next.push(to.clone());
                queue.push_back(next);
            }
        }
    }
    None
}

#[test]
fn imports_point_down_and_doors_stay_with_their_owners() {
    let lines = production_lines();
    assert!(
        lines.len() > 10_000,
        "only {} lines of production code found; is src/ where it should be?",
        lines.len()
    );
    let found = violations(&lines);
    assert!(
        found.is_empty(),
        "the crate's shape is broken:\n{}",
        found.join("\n")
    );
}

fn line(file: &str, number: usize, text: &str) -> Line {
    Line {
        file: file.to_owned(),
        number,
        text: text.to_owned(),
    }
}

#[test]
fn an_upward_import_is_named_with_its_file_and_line() {
    let found = violations(&[line("fs/open.rs", 12, "use crate::checks::Finding;")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("src/fs/open.rs:12: `fs`"), "{found:?}");
    assert!(found[0].contains("imports `checks`"), "{found:?}");
}

#[test]
fn a_loop_within_a_layer_is_found() {
    let found = violations(&[
        line("keys/scan.rs", 3, "use crate::backup::Record;"),
        line("backup.rs", 7, "    let k = crate::keys::inspect(&bytes);"),
        line("reuse/mod.rs", 9, "use crate::keys::inspect;"),
    ]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("import loop:"), "{found:?}");
    assert!(found[0].contains("src/keys/scan.rs:3"), "{found:?}");
    assert!(found[0].contains("src/backup.rs:7"), "{found:?}");
}

#[test]
fn each_door_is_refused_outside_its_owner() {
    for (file, text) in [
        ("keys/scan.rs", "let f = std::fs::read(path);"),
        ("checks/mod.rs", "use std::fs::OpenOptions;"),
        ("backup.rs", "let child = Command::new(\"gpg\");"),
        (
            "commands/pam.rs",
            "let _ = writeln!(std::io::stdout().lock(), \"x\");",
        ),
        ("commands/history.rs", "open(\"/dev/tty\")"),
        ("report/text.rs", "use crate::cli::ColorWhen;"),
        ("checks/reminders.rs", "let now = SystemTime::now();"),
    ] {
        let found = violations(&[line(file, 1, text)]);
        assert!(
            found.iter().any(|f| f.contains(" uses ")),
            "{file}: {text} → {found:?}"
        );
    }
    for (file, text) in [
        ("fs/open.rs", "let file = std::fs::File::from(fd);"),
        ("breach/import.rs", "    file: std::fs::File,"),
        (
            "report/mod.rs",
            "let mut stdout = std::io::stdout().lock();",
        ),
        (
            "terminal.rs",
            "let tty = std::fs::OpenOptions::new().open(\"/dev/tty\");",
        ),
        (
            "policy/load.rs",
            "let mut file = SafeFile::open_named(path)",
        ),
        (
            "commands/check.rs",
            "let progress = OnTerminal::for_stderr();",
        ),
        ("commands/mod.rs", "use crate::cli::{self, Command};"),
    ] {
        let found = violations(&[line(file, 1, text)]);
        assert!(found.is_empty(), "{file}: {text} → {found:?}");
    }
}

#[test]
fn a_module_without_a_layer_is_named() {
    let found = violations(&[line("newthing/mod.rs", 1, "use crate::fs::SafeDir;")]);
    assert!(
        found.iter().any(|f| f.contains("`newthing` has no layer")),
        "{found:?}"
    );
}
