//! `policy show`: the effective policy as a TOML file that could be saved and loaded
//! again, each value followed by where it came from.

use std::fmt::Write as _;

use super::json::{SCHEMA_VERSION, to_line};
use crate::policy::{Origin, Policy, Value, schema, show_value};

/// The effective policy as annotated TOML.
pub fn render(policy: &Policy) -> String {
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
    out
}

/// The effective policy as JSON: each item's keys with value and origin.
pub fn render_json(policy: &Policy) -> String {
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
            let origin = match &setting.origin {
                Origin::Builtin => serde_json::Value::Null,
                Origin::File { path, line } => {
                    serde_json::json!({"file": crate::sanitize::json_path(path), "line": line})
                }
            };
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
    to_line(&serde_json::json!({"schema_version": SCHEMA_VERSION, "files": files, "items": items}))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn shown_policy_parses_back_to_the_same_values() {
        let policy = crate::policy::builtin().unwrap();
        let shown = super::render(&policy);
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
