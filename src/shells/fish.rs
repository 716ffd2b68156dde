//! fish: its session's history file (fish_history, fish_private_mode) and whether a
//! fish_should_add_to_history function replaces the leading-space rule, from the
//! universal variables, the conf.d snippets and config.fish.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::rc::{RcFiles, Vars, dir_files};
use super::{HistorySettings, Origin, Shell, Sourced};
use crate::sanitize::display_path;

/// fish's history file for a session name, below the data directory.
pub(super) fn fish_history_file(data_home: &str, session: &str) -> String {
    format!("{data_home}/fish/{session}_history")
}

/// The fish session name: unset, "default" and "fish" are all the default file.
pub(super) fn fish_session(name: &str) -> &str {
    match name {
        "default" => "fish",
        other => other,
    }
}

/// fish's variable state while its files are read.
struct FishState {
    history: Option<Sourced>,
    private: Option<Sourced>,
    data_home: Option<String>,
    /// Where a fish_should_add_to_history function is defined.
    custom_filter: Option<String>,
}

impl FishState {
    /// Applies one `set` statement: `set [-g|-U|-x|-e|…] NAME VALUE…`.
    fn apply_set(&mut self, words: &[String], here: &Origin, vars: &Vars) {
        let mut erase = false;
        let mut rest = words.iter().skip(1);
        let name = loop {
            let Some(word) = rest.next() else { return };
            if let Some(flags) = word.strip_prefix("--") {
                match flags {
                    "erase" => erase = true,
                    "query" | "local" | "function" | "show" => return,
                    _ => {}
                }
            } else if let Some(flags) = word.strip_prefix('-') {
                if flags.contains(['q', 'l', 'f', 'S']) {
                    return;
                }
                erase |= flags.contains('e');
            } else {
                break word;
            }
        };
        let value: Vec<&str> = rest.map(String::as_str).collect();
        let sourced = Sourced {
            value: value.join(" "),
            origin: here.clone(),
        };
        match name.as_str() {
            "fish_history" => self.history = Some(sourced),
            "fish_private_mode" => self.private = (!erase).then_some(sourced),
            "XDG_DATA_HOME" if !erase => {
                self.data_home = vars.expand(&sourced.value).filter(|d| d.starts_with('/'));
            }
            "XDG_DATA_HOME" => self.data_home = None,
            _ => {}
        }
        if erase && name == "fish_history" {
            self.history = None;
        }
    }
}

/// fish's words, quotes removed (no expansion).
pub(super) fn fish_words(statement: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in statement.chars() {
        match (quote, c) {
            (None, '#') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// fish: universal variables (`fish_variables`), then the conf.d snippets by name
/// (the person's shadowing the system's and vendors'), the system's config.fish and
/// the person's. The session name in `fish_history` picks the file ("" keeps none);
/// `fish_private_mode` keeps none; a leading space keeps a command out unless a
/// `fish_should_add_to_history` function takes over that decision.
pub(super) fn fish(files: &mut RcFiles<'_>) -> HistorySettings {
    let h = files.home.path().to_owned();
    let config = h.join(".config/fish");
    let vars = Vars::new(&h);
    let mut state = FishState {
        history: None,
        private: None,
        data_home: None,
        custom_filter: None,
    };
    let universal = config.join("fish_variables");
    for (here, line) in files.lines(&universal) {
        let Some(rest) = line.strip_prefix("SETUVAR ") else {
            continue;
        };
        let rest = rest.strip_prefix("--export ").unwrap_or(rest);
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        // fish escapes bytes as \xNN and separates list items with \x1e.
        let value = value.replace("\\x1e", " ").replace("\\x20", " ");
        state.apply_set(&["set".to_owned(), name.to_owned(), value], &here, &vars);
    }
    let mut snippets: Vec<(std::ffi::OsString, PathBuf)> = Vec::new();
    for dir in [
        config.join("conf.d"),
        crate::sysroot::path("/etc/fish/conf.d"),
        crate::sysroot::path("/usr/local/share/fish/vendor_conf.d"),
        crate::sysroot::path("/usr/share/fish/vendor_conf.d"),
    ] {
        for path in dir_files(&dir, ".fish") {
            let name = path.file_name().map(OsStr::to_owned).unwrap_or_default();
            if !snippets.iter().any(|(seen, _)| *seen == name) {
                snippets.push((name, path));
            }
        }
    }
    snippets.sort();
    let mut paths: Vec<PathBuf> = snippets.into_iter().map(|(_, path)| path).collect();
    paths.push(crate::sysroot::path("/etc/fish/config.fish"));
    paths.push(config.join("config.fish"));
    for path in paths {
        // Lines inside a function body run only when it is called.
        let mut depth_in_function: Option<usize> = None;
        let mut depth = 0usize;
        for (here, line) in files.lines(&path) {
            for statement in line.split(';') {
                let mut words = fish_words(statement);
                // `and`, `or` and `not` only make what follows conditional.
                while words
                    .first()
                    .is_some_and(|w| matches!(w.as_str(), "and" | "or" | "not"))
                {
                    words.remove(0);
                }
                let Some(first) = words.first() else { continue };
                match first.as_str() {
                    "function" => {
                        if words.get(1).map(String::as_str) == Some("fish_should_add_to_history")
                            && let Origin::File(at) = &here
                        {
                            state.custom_filter = Some(at.clone());
                        }
                        if depth_in_function.is_none() {
                            depth_in_function = Some(depth);
                        }
                        depth += 1;
                    }
                    "if" | "for" | "while" | "begin" | "switch" => depth += 1,
                    "end" => {
                        depth = depth.saturating_sub(1);
                        if depth_in_function == Some(depth) {
                            depth_in_function = None;
                        }
                    }
                    "set" if depth_in_function.is_none() => {
                        state.apply_set(&words, &here, &vars);
                    }
                    _ => {}
                }
            }
        }
    }
    for functions in [
        config.join("functions"),
        crate::sysroot::path("/etc/fish/functions"),
    ] {
        let path = functions.join("fish_should_add_to_history.fish");
        if state.custom_filter.is_none() && files.exists(&path) {
            state.custom_filter = Some(format!("{}:1", display_path(&path)));
        }
    }
    let data_home = state
        .data_home
        .clone()
        .unwrap_or_else(|| format!("{}/.local/share", display_path(&h)));
    let histfile = if let Some(private) = state.private {
        Sourced {
            value: String::new(),
            origin: private.origin,
        }
    } else {
        match state.history {
            Some(session) if session.value.is_empty() => session,
            Some(session) => Sourced {
                value: fish_history_file(&data_home, fish_session(&session.value)),
                origin: session.origin,
            },
            None => Sourced::default(&fish_history_file(&data_home, "fish")),
        }
    };
    fish_settings(histfile, state.custom_filter.map(Origin::File), false)
}

/// fish's verdict on the leading space, given where a custom filter is defined.
pub(super) fn fish_settings(
    histfile: Sourced,
    custom_filter: Option<Origin>,
    live: bool,
) -> HistorySettings {
    let (ignorespace, deciding, deciding_name) = match custom_filter {
        Some(origin) => (
            false,
            Sourced {
                value: "defined".to_owned(),
                origin,
            },
            "fish_should_add_to_history",
        ),
        None => (
            true,
            Sourced::default("always"),
            "fish's leading-space rule",
        ),
    };
    let mut notes = Vec::new();
    if !ignorespace {
        notes.push("fish_should_add_to_history replaces fish's own leading-space rule: a command that starts with a space is saved unless the function returns 1 for it".to_owned());
    }
    HistorySettings {
        shell: Shell::Fish,
        histfile,
        ignorespace,
        deciding,
        deciding_name,
        live,
        notes,
        unexplained: None,
    }
}
