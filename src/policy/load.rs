//! Reading policy files and layering them: built-in default, then the site's files
//! (`/etc/csi-self-check/policy.toml`, then `policy.d/*.toml` in name order), or
//! instead of the site's files one `--policy FILE`. A file outside the system
//! location may tighten a must-level requirement but never loosen it.

use crate::sanitize::is_invisible_or_control;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::schema::{self, ParamKind, ParamSpec};
use super::waiver;
use super::{BUILTIN, Level, Origin, Policy, PolicyError, Setting, Value};
use crate::fs::{FsError, Meta, SafeDir, SafeFile, perm};

/// Where the site's policy lives.
pub const SYSTEM_DIR: &str = "/etc/csi-self-check";

/// [`SYSTEM_DIR`] where this build reads it (see `sysroot`).
static SITE_DIR: std::sync::LazyLock<PathBuf> =
    std::sync::LazyLock::new(|| crate::sysroot::path(SYSTEM_DIR));

/// A policy file larger than this is refused rather than read.
const MAX_POLICY_BYTES: usize = 1 << 20;

/// Which files to read.
#[derive(Clone, Debug)]
pub struct LoadOptions<'a> {
    /// `--policy FILE`: replaces the site's files for this run.
    pub policy_file: Option<&'a Path>,
    /// The site's directory; [`SYSTEM_DIR`] except in unit tests.
    pub system_dir: &'a Path,
    /// The only owner a site file may have (root).
    pub trusted_owner: u32,
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        LoadOptions {
            policy_file: None,
            system_dir: SITE_DIR.as_path(),
            trusted_owner: 0,
        }
    }
}

/// Whether a file speaks for the site or for one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trust {
    /// Root-owned, in the system location: may change anything.
    System,
    /// Anything else: may tighten must-level requirements, never loosen them.
    Personal,
}

fn error(
    file: &Path,
    line: Option<usize>,
    key: Option<&str>,
    message: impl Into<String>,
) -> PolicyError {
    PolicyError {
        file: file.to_owned(),
        line,
        key: key.map(str::to_owned),
        message: message.into(),
        cause: None,
    }
}

/// A file or directory of the policy that could not be read, and what was being done.
fn unreadable(file: &Path, doing: &str, cause: FsError) -> PolicyError {
    PolicyError {
        cause: Some(cause),
        ..error(file, None, None, doing)
    }
}

/// Builds the effective policy.
pub fn load(options: &LoadOptions<'_>) -> Result<Policy, PolicyError> {
    let mut policy = builtin()?;
    match options.policy_file {
        Some(path) => {
            let (text, meta) = read_policy_file(path)?;
            let trust = if in_system_location(path, options.system_dir)
                && site_owned(&meta, options.trusted_owner)
            {
                Trust::System
            } else {
                Trust::Personal
            };
            apply(&mut policy, path, &text, trust)?;
        }
        None => {
            for path in system_files(options.system_dir, options.trusted_owner)? {
                let (text, meta) = read_policy_file(&path)?;
                if !site_owned(&meta, options.trusted_owner) {
                    return Err(error(
                        &path,
                        None,
                        None,
                        "refusing a site policy file that is not owned by root or is writable by group or others",
                    ));
                }
                apply(&mut policy, &path, &text, Trust::System)?;
            }
        }
    }
    Ok(policy)
}

/// The built-in default alone, proved complete.
pub fn builtin() -> Result<Policy, PolicyError> {
    let builtin_path = Path::new("(built-in default)");
    let mut policy = Policy {
        settings: Default::default(),
        files: Vec::new(),
        waivers: Vec::new(),
    };
    parse_into(&mut policy, builtin_path, BUILTIN, None)?;
    for spec in schema::tables() {
        for param in schema::table_keys(spec) {
            if !policy.settings.contains_key(&(spec.id, param.key)) {
                let key = format!("{}.{}", spec.id, param.key);
                return Err(error(
                    builtin_path,
                    None,
                    Some(&key),
                    "missing from the built-in default",
                ));
            }
        }
    }
    for setting in policy.settings.values_mut() {
        setting.origin = Origin::Builtin;
    }
    Ok(policy)
}

fn site_owned(meta: &Meta, trusted_owner: u32) -> bool {
    meta.uid == trusted_owner && !perm::writable_by_group_or_other(meta.mode)
}

/// A path names the system location only if it is absolute after joining the
/// working directory, has no `..`, and lies under the system directory.
fn in_system_location(path: &Path, system_dir: &Path) -> bool {
    let absolute = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_owned(),
    };
    !absolute.components().any(|c| c == Component::ParentDir) && absolute.starts_with(system_dir)
}

fn read_policy_file(path: &Path) -> Result<(String, Meta), PolicyError> {
    let mut file = SafeFile::open_named(path).map_err(|e| unreadable(path, "cannot read", e))?;
    let bytes = file
        .read_prefix(MAX_POLICY_BYTES + 1)
        .map_err(|e| unreadable(path, "cannot read", e))?;
    if bytes.len() > MAX_POLICY_BYTES {
        return Err(error(
            path,
            None,
            None,
            "larger than 1 MiB; not a policy file",
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            error(path, Some(line), None, "not valid UTF-8")
        })?
        .to_owned();
    Ok((text, *file.meta()))
}

/// `policy.toml`, then `policy.d/*.toml` by name; the directories must be the site's.
fn system_files(system_dir: &Path, trusted_owner: u32) -> Result<Vec<PathBuf>, PolicyError> {
    let mut files = Vec::new();
    let dir = match SafeDir::open_root(system_dir) {
        Ok(dir) => dir,
        Err(FsError::NotFound) => return Ok(files),
        Err(e) => return Err(unreadable(system_dir, "cannot open", e)),
    };
    if !site_owned(dir.meta(), trusted_owner) {
        return Err(error(
            system_dir,
            None,
            None,
            "refusing a site policy directory that is not owned by root or is writable by group or others",
        ));
    }
    let entry_error = |name: &str, e: FsError| unreadable(&dir.child_path(OsStr::new(name)), "", e);
    match dir.lstat(OsStr::new("policy.toml")) {
        Ok(_) => files.push(dir.child_path(OsStr::new("policy.toml"))),
        Err(FsError::NotFound) => {}
        Err(e) => return Err(entry_error("policy.toml", e)),
    }
    let dropins = match dir.open_dir(OsStr::new("policy.d")) {
        Ok(dropins) => dropins,
        Err(FsError::NotFound) => return Ok(files),
        Err(e) => return Err(entry_error("policy.d", e)),
    };
    if !site_owned(dropins.meta(), trusted_owner) {
        return Err(error(
            dropins.path(),
            None,
            None,
            "refusing a site policy directory that is not owned by root or is writable by group or others",
        ));
    }
    let (names, _) = dropins
        .entries(10_000)
        .map_err(|e| unreadable(dropins.path(), "", e))?;
    for name in names {
        let bytes = name.as_bytes();
        if bytes.ends_with(b".toml") && !bytes.starts_with(b".") {
            files.push(dropins.child_path(&name));
        }
    }
    Ok(files)
}

/// Where a policy text's newlines are, found once: naming the line of each of its
/// hundred-odd keys by counting the newlines before it took a third of the PAM
/// helper's instructions.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        Lines(memchr::memchr_iter(b'\n', text.as_bytes()).collect())
    }

    /// The 1-based line holding byte `offset`.
    fn at(&self, offset: usize) -> usize {
        self.0.partition_point(|&newline| newline < offset) + 1
    }
}

fn apply(policy: &mut Policy, path: &Path, text: &str, trust: Trust) -> Result<(), PolicyError> {
    parse_into(policy, path, text, Some(trust))?;
    policy.files.push(path.to_owned());
    Ok(())
}

/// Parses `text` and sets every key it holds. `trust` is `None` for the built-in
/// default, which defines rather than overrides.
fn parse_into(
    policy: &mut Policy,
    path: &Path,
    text: &str,
    trust: Option<Trust>,
) -> Result<(), PolicyError> {
    let lines = Lines::of(text);
    let document = DeTable::parse(text).map_err(|e| {
        error(
            path,
            e.span().map(|span| lines.at(span.start)),
            None,
            e.message(),
        )
    })?;
    for (item_key, item_value) in document.get_ref() {
        let id = item_key.get_ref().as_ref();
        let line = lines.at(item_key.span().start);
        if id == "waiver" {
            parse_waivers(policy, path, &lines, line, item_value.get_ref(), trust)?;
            continue;
        }
        let spec = schema::item_spec(id)
            .or_else(|| schema::settings_spec(id))
            .ok_or_else(|| {
                error(
                    path,
                    Some(line),
                    Some(id),
                    "unknown policy item; `csi-self-check policy show` lists them",
                )
            })?;
        let DeValue::Table(table) = item_value.get_ref() else {
            return Err(error(
                path,
                Some(line),
                Some(id),
                format!("expected a table: write [{id}] with its keys below it"),
            ));
        };
        let baseline_level = policy
            .settings
            .get(&(spec.id, "level"))
            .map(|s| s.value.clone());
        for (key, value) in table {
            let key_name = key.get_ref().as_ref();
            let full_key = format!("{id}.{key_name}");
            let line = lines.at(value.span().start);
            let param = schema::table_keys(spec)
                .find(|p| p.key == key_name)
                .ok_or_else(|| {
                    let known: Vec<&str> = schema::table_keys(spec).map(|p| p.key).collect();
                    error(
                        path,
                        Some(line),
                        Some(&full_key),
                        format!("unknown key; [{id}] takes {}", known.join(", ")),
                    )
                })?;
            let new = parse_value(param, value.get_ref())
                .map_err(|message| error(path, Some(line), Some(&full_key), message))?;
            if let Some(old) = policy.settings.get(&(spec.id, param.key)) {
                check_change(param, &old.value, &new, baseline_level.as_ref(), trust)
                    .map_err(|message| error(path, Some(line), Some(&full_key), message))?;
            }
            policy.settings.insert(
                (spec.id, param.key),
                Setting {
                    value: new,
                    origin: Origin::File {
                        path: path.to_owned(),
                        line,
                    },
                },
            );
        }
    }
    Ok(())
}

/// The `[[waiver]]` tables of a site file; a personal file may hold none.
fn parse_waivers(
    policy: &mut Policy,
    path: &Path,
    lines: &Lines,
    line: usize,
    value: &DeValue<'_>,
    trust: Option<Trust>,
) -> Result<(), PolicyError> {
    if trust == Some(Trust::Personal) {
        return Err(error(
            path,
            Some(line),
            Some("waiver"),
            format!(
                "a personal policy file cannot waive anything; waivers belong to the site policy, {SYSTEM_DIR}/policy.toml or policy.d/"
            ),
        ));
    }
    let DeValue::Array(tables) = value else {
        return Err(error(
            path,
            Some(line),
            Some("waiver"),
            "expected [[waiver]] tables, one for each waiver",
        ));
    };
    for table in tables.iter() {
        let table_line = lines.at(table.span().start);
        let DeValue::Table(keys) = table.get_ref() else {
            return Err(error(
                path,
                Some(table_line),
                Some("waiver"),
                "expected [[waiver]] tables, one for each waiver",
            ));
        };
        let origin = Origin::File {
            path: path.to_owned(),
            line: table_line,
        };
        let waiver = waiver::parse(keys, table_line, origin, &|offset| lines.at(offset))
            .map_err(|(line, key, message)| error(path, Some(line), Some(&key), message))?;
        policy.waivers.push(waiver);
    }
    Ok(())
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn parse_value(param: &ParamSpec, value: &DeValue<'_>) -> Result<Value, String> {
    let found = type_name(value);
    match (param.kind, value) {
        (ParamKind::Level, DeValue::String(text)) => {
            Level::parse(text).map(Value::Level).ok_or_else(|| {
                "expected one of \"must\", \"must-not\", \"should\", \"should-not\"".to_owned()
            })
        }
        (ParamKind::Level, _) => Err(format!(
            "expected a level string such as \"must\", found {found}"
        )),
        (ParamKind::Text, DeValue::String(text)) => {
            if text.chars().any(is_invisible_or_control) {
                Err("text may not hold control or invisible characters (bidi overrides, zero-width characters, line separators)".to_owned())
            } else if text.chars().count() > 2000 {
                Err("text longer than 2000 characters".to_owned())
            } else {
                Ok(Value::Text(text.to_string()))
            }
        }
        (ParamKind::Text, _) => Err(format!("expected a string, found {found}")),
        (ParamKind::Flag | ParamKind::Permit, DeValue::Boolean(flag)) => Ok(Value::Flag(*flag)),
        (ParamKind::Flag | ParamKind::Permit, _) => {
            Err(format!("expected true or false, found {found}"))
        }
        (
            ParamKind::AtLeast { min, max } | ParamKind::AtMost { min, max },
            DeValue::Integer(integer),
        ) => match u64::from_str_radix(integer.as_str(), integer.radix()) {
            Ok(n) if (min..=max).contains(&n) => Ok(Value::Number(n)),
            _ => Err(format!("expected a whole number from {min} to {max}")),
        },
        (ParamKind::AtLeast { .. } | ParamKind::AtMost { .. }, _) => {
            Err(format!("expected a whole number, found {found}"))
        }
        (ParamKind::Mode, DeValue::String(text)) => parse_mode(text).map(Value::Mode),
        (ParamKind::Paths, DeValue::Array(items)) => {
            let mut paths = Vec::new();
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::String(path)
                        if (path.starts_with('/') || path.starts_with("~/"))
                            && !path.chars().any(is_invisible_or_control)
                            && path.len() <= 4096 =>
                    {
                        paths.push(path.to_string());
                    }
                    _ => {
                        return Err(
                            "expected a list of paths, each starting with \"/\" or \"~/\""
                                .to_owned(),
                        );
                    }
                }
            }
            Ok(Value::List(paths))
        }
        (ParamKind::Paths, _) => Err(format!(
            "expected a list of paths such as [\"~/keys\"], found {found}"
        )),
        (ParamKind::Mode, _) => Err(format!(
            "expected an octal mode in quotes such as \"0400\", found {found}"
        )),
    }
}

/// `"0400"`, `"400"` or `"0o400"`; permission bits only, no set-id or sticky bits.
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    let bad =
        || format!("expected an octal mode such as \"0400\" (at most \"0777\"), found \"{text}\"");
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return Err(bad());
    }
    let mode = u32::from_str_radix(digits, 8).map_err(|_| bad())?;
    if mode > 0o777 { Err(bad()) } else { Ok(mode) }
}

/// Refuses a change of sense (`must` to `must-not`) from any file, and a loosening of
/// a must-level requirement from a personal file.
fn check_change(
    param: &ParamSpec,
    old: &Value,
    new: &Value,
    baseline_level: Option<&Value>,
    trust: Option<Trust>,
) -> Result<(), String> {
    if let (Value::Level(old), Value::Level(new)) = (old, new)
        && old.is_negative() != new.is_negative()
    {
        return Err(format!(
            "the level may change in strength but not in sense: \"{}\" can become \"{}\", not \"{}\"",
            old.as_str(),
            if old.is_negative() {
                "must-not\" or \"should-not"
            } else {
                "must\" or \"should"
            },
            new.as_str()
        ));
    }
    let must_level = matches!(baseline_level, Some(Value::Level(level)) if level.is_must());
    if trust != Some(Trust::Personal) || !must_level || !loosens(param.kind, old, new) {
        return Ok(());
    }
    Err(format!(
        "refusing to loosen a must-level requirement ({} to {}): a personal policy file may only tighten it; site-wide changes belong in {SYSTEM_DIR}/policy.toml",
        show_value(old),
        show_value(new)
    ))
}

fn loosens(kind: ParamKind, old: &Value, new: &Value) -> bool {
    match (kind, old, new) {
        (ParamKind::Level, Value::Level(old), Value::Level(new)) => new.strength() < old.strength(),
        (ParamKind::Flag, Value::Flag(old), Value::Flag(new)) => *old && !*new,
        (ParamKind::Permit, Value::Flag(old), Value::Flag(new)) => !*old && *new,
        (ParamKind::AtLeast { .. }, Value::Number(old), Value::Number(new)) => new < old,
        (ParamKind::AtMost { .. }, Value::Number(old), Value::Number(new)) => new > old,
        (ParamKind::Mode, Value::Mode(old), Value::Mode(new)) => new & !old != 0,
        (ParamKind::Paths, Value::List(old), Value::List(new)) => {
            old.iter().any(|p| !new.contains(p))
        }
        _ => false,
    }
}

/// A value as it would be written in a policy file.
pub fn show_value(value: &Value) -> String {
    match value {
        Value::Level(level) => format!("\"{}\"", level.as_str()),
        Value::Text(text) => toml::Value::String(text.clone()).to_string(),
        Value::Flag(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Mode(mode) => format!("\"{}\"", perm::octal(*mode)),
        Value::List(list) => {
            let items: Vec<String> = list
                .iter()
                .map(|p| toml::Value::String(p.clone()).to_string())
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
