//! Waivers: the site's recorded exceptions to the standard — the administrative
//! exceptions of its section 2.1.1, and whatever else an organisation grants — each
//! saying what it covers (a policy item or a finding code, and where), whose accounts,
//! why, who granted it and until when. Only the site's own files may hold them: a
//! person can never excuse themselves, and an exception nobody renews runs out.

use crate::sanitize::is_invisible_or_control;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::Origin;
use super::schema;

/// The keys a `[[waiver]]` table takes.
pub const KEYS: &[&str] = &[
    "item",
    "code",
    "paths",
    "accounts",
    "reason",
    "granted-by",
    "expires",
];

/// The longest path pattern, so that matching one stays cheap.
const MAX_PATTERN: usize = 1024;

/// One exception, as the site wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// The policy item it covers, or `None` for any item (then `code` says which).
    pub item: Option<&'static str>,
    /// The finding code it covers, or `None` for every code of the item.
    pub code: Option<String>,
    /// Patterns of the paths it covers (`/…` or `~/…`, `*` within a name, `**`
    /// across directories); empty for every path and for findings without one.
    pub paths: Vec<String>,
    /// The accounts it covers, by name.
    pub accounts: Vec<String>,
    pub reason: String,
    pub granted_by: String,
    /// The last day it applies, `YYYY-MM-DD` (UTC).
    pub expires: String,
    /// The first second it no longer applies.
    ends: i64,
    /// Where the site wrote it.
    pub origin: Origin,
}

/// What is wrong with a waiver: the line, the key (`waiver.KEY`) and the words.
pub type WaiverError = (usize, String, String);

impl Waiver {
    /// Whether it still applies at `now`.
    pub fn in_force(&self, now: i64) -> bool {
        now < self.ends
    }

    pub fn names_account(&self, name: &str) -> bool {
        self.accounts.iter().any(|a| a == name)
    }

    /// Whether it covers a finding of `item`/`code` about `path` in `account`'s
    /// `home` (expiry aside).
    pub fn covers(
        &self,
        account: &str,
        home: &Path,
        item: &str,
        code: &str,
        path: Option<&Path>,
    ) -> bool {
        self.names_account(account)
            && self.item.is_none_or(|i| i == item)
            && self.code.as_deref().is_none_or(|c| c == code)
            && (self.paths.is_empty()
                || path.is_some_and(|path| {
                    self.paths
                        .iter()
                        .any(|pattern| matches(pattern, home, path))
                }))
    }
}

/// Whether `path` matches `pattern`, a `~/` pattern taken under `home`.
fn matches(pattern: &str, home: &Path, path: &Path) -> bool {
    let full = match pattern.strip_prefix("~/") {
        Some(rest) => {
            let mut full = home.as_os_str().as_bytes().to_vec();
            if !full.ends_with(b"/") {
                full.push(b'/');
            }
            full.extend_from_slice(rest.as_bytes());
            full
        }
        None => pattern.as_bytes().to_vec(),
    };
    glob(&full, path.as_os_str().as_bytes())
}

/// `*` matches any bytes but `/`, `**` any bytes at all; everything else itself.
/// One pass per pattern byte over the text (no backtracking), so a hostile name
/// costs at most pattern × name steps.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let mut matched = vec![false; text.len() + 1];
    matched[0] = true;
    let mut i = 0;
    while i < pattern.len() {
        let mut next = vec![false; text.len() + 1];
        let star = pattern[i] == b'*';
        let double = star && pattern.get(i + 1) == Some(&b'*');
        for j in 0..=text.len() {
            next[j] = if star {
                matched[j] || (j > 0 && next[j - 1] && (double || text[j - 1] != b'/'))
            } else {
                j > 0 && matched[j - 1] && text[j - 1] == pattern[i]
            };
        }
        matched = next;
        i += if double { 2 } else { 1 };
    }
    matched[text.len()]
}

/// A `[[waiver]]` table. `line_of` turns a byte offset of the file into its line.
pub fn parse(
    table: &DeTable<'_>,
    table_line: usize,
    origin: Origin,
    line_of: &dyn Fn(usize) -> usize,
) -> Result<Waiver, WaiverError> {
    let mut waiver = Waiver {
        item: None,
        code: None,
        paths: Vec::new(),
        accounts: Vec::new(),
        reason: String::new(),
        granted_by: String::new(),
        expires: String::new(),
        ends: 0,
        origin,
    };
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let line = line_of(value.span().start);
        let wrong = |message: String| (line, format!("waiver.{name}"), message);
        match (name, value.get_ref()) {
            ("item", DeValue::String(id)) => {
                waiver.item = Some(schema::item_spec(id).map(|spec| spec.id).ok_or_else(|| {
                    wrong("unknown policy item; `csi-self-check policy show` lists them".into())
                })?);
            }
            ("code", DeValue::String(code)) => {
                if code.is_empty()
                    || code.len() > 64
                    || !code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    return Err(wrong(
                        "expected a finding code such as \"key-unencrypted\"".into(),
                    ));
                }
                waiver.code = Some(code.to_string());
            }
            ("paths", DeValue::Array(items)) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(p)
                            if (p.starts_with('/') || p.starts_with("~/"))
                                && !p.chars().any(is_invisible_or_control)
                                && p.len() <= MAX_PATTERN =>
                        {
                            waiver.paths.push(p.to_string());
                        }
                        _ => {
                            return Err(wrong(
                                "expected a list of path patterns, each starting with \"/\" or \"~/\""
                                    .into(),
                            ));
                        }
                    }
                }
            }
            ("accounts", DeValue::Array(items)) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(account) if is_account_name(account) => {
                            waiver.accounts.push(account.to_string());
                        }
                        _ => {
                            return Err(wrong(
                                "expected a list of account names such as [\"deploy\"]".into(),
                            ));
                        }
                    }
                }
            }
            ("reason" | "granted-by", DeValue::String(text)) => {
                if text.trim().is_empty()
                    || text.chars().any(is_invisible_or_control)
                    || text.chars().count() > 2000
                {
                    return Err(wrong(
                        "expected words, without control or invisible characters, of at most 2000 characters"
                            .into(),
                    ));
                }
                let slot = if name == "reason" {
                    &mut waiver.reason
                } else {
                    &mut waiver.granted_by
                };
                *slot = text.to_string();
            }
            ("expires", DeValue::Datetime(when)) => match (when.date, when.time, when.offset) {
                (Some(date), None, None) => {
                    waiver.expires = format!("{:04}-{:02}-{:02}", date.year, date.month, date.day);
                    waiver.ends = crate::time::utc_day_start(
                        i64::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    ) + 86_400;
                }
                _ => return Err(wrong("expected a date such as 2027-03-31".into())),
            },
            ("expires", _) => return Err(wrong("expected a date such as 2027-03-31".into())),
            _ if KEYS.contains(&name) => {
                return Err(wrong(format!(
                    "expected {}",
                    match name {
                        "paths" | "accounts" => "a list of strings",
                        _ => "a string",
                    }
                )));
            }
            _ => {
                return Err(wrong(format!(
                    "unknown key; [[waiver]] takes {}",
                    KEYS.join(", ")
                )));
            }
        }
    }
    let missing: Vec<&str> = [
        ("accounts", waiver.accounts.is_empty()),
        ("reason", waiver.reason.is_empty()),
        ("granted-by", waiver.granted_by.is_empty()),
        ("expires", waiver.expires.is_empty()),
    ]
    .into_iter()
    .filter_map(|(key, missing)| missing.then_some(key))
    .collect();
    if !missing.is_empty() {
        return Err((
            table_line,
            "waiver".to_owned(),
            format!(
                "a waiver needs {}: say whose accounts, why, who granted it and until when",
                missing.join(", ")
            ),
        ));
    }
    if waiver.item.is_none() && waiver.code.is_none() {
        return Err((
            table_line,
            "waiver".to_owned(),
            "a waiver needs an item or a code: say what it covers".to_owned(),
        ));
    }
    Ok(waiver)
}

/// A name as `useradd` would take it: no separator of the password file, no space.
fn is_account_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && !name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == ':' || c == '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_star_stays_in_a_name_two_cross_directories() {
        assert!(glob(b"/h/.ssh/deploy_*", b"/h/.ssh/deploy_ed25519"));
        assert!(!glob(b"/h/.ssh/deploy_*", b"/h/.ssh/deploy_x/id"));
        assert!(glob(b"/h/**/id_*", b"/h/a/b/c/id_rsa"));
        assert!(glob(b"/h/**", b"/h/"));
        assert!(!glob(b"/h/.ssh/id", b"/h/.ssh/id_rsa"));
        assert!(glob(b"*", b""));
        assert!(!glob(b"", b"x"));
        // A pattern that would make a backtracking matcher crawl.
        let text = vec![b'a'; 4000];
        assert!(!glob(b"**a**a**a**a**a**a**b", &text));
    }

    #[test]
    fn a_home_pattern_is_taken_under_that_home() {
        let home = Path::new("/home/deploy");
        let key = Path::new("/home/deploy/.ssh/id_ed25519");
        assert!(matches("~/.ssh/*", home, key));
        assert!(!matches("~/.ssh/*", Path::new("/home/other"), key));
        assert!(matches("/home/*/.ssh/id_*", home, key));
    }
}
