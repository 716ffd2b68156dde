//! `policy show`: the effective policy as a TOML file that could be saved and loaded
//! again, each value followed by where it came from.

use std::fmt::Write as _;

use super::json::{SCHEMA_VERSION, Tool, to_line};
use crate::policy::{Origin, Policy, Value, schema, show_value};

/// The effective policy as annotated TOML, the waivers last, each marked in force or
/// expired at `now`.
pub fn render(policy: &Policy, now: i64) -> String {
    let mut out = String::from("# Effective csi-self-check policy: the built-in default");
    for file in policy.files() {
        let _ = write!(out, ", then {}", crate::sanitize::display_path(file));
    }
    out.push_str(".\n# Each value is followed by where it was set.\n");
    for spec in schema::tables() {
        let _ = write!(out, "\n[{}]\n", spec.id);
        for param in schema::table_keys(spec) {
            let setting = policy.setting(spec.id, param.key);
            let line = format!("{} = {}", param.key, show_value(&setting.value));
            let _ = writeln!(out, "{line:<40}  # {}", setting.origin);
        }
    }
    let waivers = policy.waivers();
    if !waivers.is_empty() {
        let in_force = waivers.iter().filter(|w| w.in_force(now)).count();
        let _ = writeln!(
            out,
            "\n# Waivers: {in_force} in force, {} expired (applied to nothing, reported to their accounts).",
            waivers.len() - in_force
        );
    }
    for waiver in waivers {
        let state = if waiver.in_force(now) {
            format!("in force until {}", waiver.expires)
        } else {
            format!("EXPIRED after {}", waiver.expires)
        };
        let _ = writeln!(out, "\n{:<40}  # {}; {state}", "[[waiver]]", waiver.origin);
        let text = |value: &str| toml::Value::String(value.to_owned()).to_string();
        let list = |values: &[String]| {
            let items: Vec<String> = values.iter().map(|v| text(v)).collect();
            format!("[{}]", items.join(", "))
        };
        if let Some(item) = waiver.item {
            let _ = writeln!(out, "item = {}", text(item));
        }
        if let Some(code) = &waiver.code {
            let _ = writeln!(out, "code = {}", text(code));
        }
        if !waiver.paths.is_empty() {
            let _ = writeln!(out, "paths = {}", list(&waiver.paths));
        }
        let _ = writeln!(out, "accounts = {}", list(&waiver.accounts));
        let _ = writeln!(out, "reason = {}", text(&waiver.reason));
        let _ = writeln!(out, "granted-by = {}", text(&waiver.granted_by));
        let _ = writeln!(out, "expires = {}", waiver.expires);
    }
    out
}

/// The waivers as JSON, each with whether it is in force at `now` and where it was
/// written.
fn waivers_json(policy: &Policy, now: i64) -> serde_json::Value {
    let waivers: Vec<serde_json::Value> = policy
        .waivers()
        .iter()
        .map(|waiver| {
            serde_json::json!({
                "item": waiver.item,
                "code": waiver.code,
                "paths": waiver.paths,
                "accounts": waiver.accounts,
                "reason": waiver.reason,
                "granted_by": waiver.granted_by,
                "expires": waiver.expires,
                "in_force": waiver.in_force(now),
                "origin": origin_json(&waiver.origin),
            })
        })
        .collect();
    serde_json::Value::Array(waivers)
}

/// `policy check FILE --format json`: the file, valid (an invalid one is an error).
pub fn checked_json(file: &std::path::Path) -> String {
    to_line(&serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "file": crate::sanitize::json_path(file),
        "valid": true,
    }))
}

fn origin_json(origin: &Origin) -> serde_json::Value {
    match origin {
        Origin::Builtin => serde_json::Value::Null,
        Origin::File { path, line } => {
            serde_json::json!({"file": crate::sanitize::json_path(path), "line": line})
        }
    }
}

/// The effective policy as JSON: each item's keys with value and origin, then the
/// waivers.
pub fn render_json(policy: &Policy, now: i64) -> String {
    let mut items = serde_json::Map::new();
    for spec in schema::tables() {
        let mut keys = serde_json::Map::new();
        for param in schema::table_keys(spec) {
            let setting = policy.setting(spec.id, param.key);
            let value = match &setting.value {
                Value::Level(level) => serde_json::json!(level.as_str()),
                Value::Text(text) => serde_json::json!(text),
                Value::Flag(flag) => serde_json::json!(flag),
                Value::Number(number) => serde_json::json!(number),
                Value::Mode(mode) => serde_json::json!(crate::fs::perm::octal(*mode)),
                Value::List(list) => serde_json::json!(list),
            };
            let origin = origin_json(&setting.origin);
            keys.insert(
                param.key.to_owned(),
                serde_json::json!({"value": value, "origin": origin}),
            );
        }
        items.insert(spec.id.to_owned(), serde_json::Value::Object(keys));
    }
    let files: Vec<String> = policy
        .files()
        .iter()
        .map(|f| crate::sanitize::json_path(f))
        .collect();
    to_line(&serde_json::json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "files": files,
        "items": items,
        "waivers": waivers_json(policy, now),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn shown_policy_parses_back_to_the_same_values() {
        let policy = crate::policy::builtin().unwrap();
        let shown = super::render(&policy, 0);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("shown.toml");
        std::fs::write(&file, &shown).unwrap();
        let options = crate::policy::LoadOptions {
            policy_file: Some(&file),
            system_dir: std::path::Path::new("/nonexistent"),
            trusted_owner: 0,
        };
        let again = crate::policy::load(&options).unwrap();
        for spec in super::schema::tables() {
            for param in super::schema::table_keys(spec) {
                assert_eq!(
                    again.setting(spec.id, param.key).value,
                    policy.setting(spec.id, param.key).value
                );
            }
        }
        assert!(shown.contains("min-length = 8"));
        assert!(shown.contains("# built-in default"));
    }
}
