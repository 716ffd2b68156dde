//! History secrets (policy `password-usage`): passwords and tokens typed on command
//! lines and kept in shell and REPL history files, each reported with its file,
//! line and kind, the line masked, and whether the file sits on an encrypted
//! filesystem; also history files others can read, and history files that are
//! links or other non-regular entries (reported, never followed).
//!
//! Reads: the history files, in bounded chunks; `/proc` and `/sys` for the
//! encryption verdict. Never: prints a secret — only masked lines leave the scan.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, ModeFix, Status};
use crate::at_rest::{Roots, at_rest};
use crate::fs::{Kind, perm};
use crate::plaintext::history::{self, HistoryFile};
use crate::policy::Level;
use crate::sanitize::shell_word;
use crate::shells::{self, Origin};

const ID: &str = "history-secrets";
const ITEM: &str = "password-usage";

pub struct HistorySecrets;

/// The files the shells are set to keep history in (HISTFILE, fish's session
/// name), besides the usual ones: absolute paths only — a relative HISTFILE is
/// relative to wherever a shell starts, which no one can know from here.
fn named_history_files(cx: &Context<'_>) -> Vec<std::path::PathBuf> {
    let Ok(home) = cx.home() else {
        return Vec::new();
    };
    shells::shells_in_use(home, &cx.account.shell)
        .into_iter()
        .map(|shell| shells::effective(home, cx.account, shell).histfile)
        .filter(|histfile| histfile.origin != Origin::Default && histfile.value.starts_with('/'))
        .map(|histfile| std::path::PathBuf::from(histfile.value))
        .collect()
}

impl Check for HistorySecrets {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "no password or token left in shell and REPL history files; history files private (0600) and regular"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "history-secret",
            "history-clean",
            "history-file-open",
            "history-not-regular",
            "history-discarded",
            "plaintext-on-unencrypted-fs",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let level = cx.policy.level(ITEM);
        let roots = Roots::system();
        for file in history::scan(home, &named_history_files(cx)) {
            match file {
                HistoryFile::Scanned {
                    path,
                    meta,
                    location,
                    leaks,
                } => {
                    let verdict = at_rest(&roots, &location);
                    let finding =
                        |status, code| Finding::new(ID, ITEM, level, status, code).at(&path);
                    if meta.mode & perm::GROUP_OR_OTHER != 0 {
                        out.push(
                            finding(Status::Fail, "history-file-open")
                                .says(format!("history file has mode {}; it must be 0600, as what was typed is private", perm::octal(meta.mode)))
                                .fix(format!("chmod 600 {}", shell_word(path.as_os_str())))
                                .fixes_mode(&path, ModeFix::Set(0o600)),
                        );
                    }
                    if leaks.total == 0 {
                        out.push(
                            finding(Status::Pass, "history-clean")
                                .says(format!("no secrets found ({})", verdict.describe())),
                        );
                        continue;
                    }
                    // The secrets past those kept are counted with the findings left out.
                    let untold = leaks.total - leaks.kept.len() as u64;
                    for (n, leak) in leaks.kept.iter().enumerate() {
                        let last = n + 1 == leaks.kept.len();
                        out.push(
                            finding(Status::Fail, "history-secret")
                                .untold(if last { untold } else { 0 })
                                .on_line(leak.line)
                                .says(format!(
                                    "line {}: {}: {} ({})",
                                    leak.line,
                                    leak.kind,
                                    leak.masked,
                                    verdict.describe()
                                ))
                                .on(verdict.describe())
                                .fix(format!(
                                    "csi-self-check history --redact {}",
                                    shell_word(path.as_os_str())
                                )),
                        );
                    }
                    if verdict.is_known_unencrypted() {
                        out.push(finding(Status::Fail, "plaintext-on-unencrypted-fs").says(format!(
                            "{} secret{} in the clear on a filesystem that is not encrypted: {}",
                            leaks.total,
                            if leaks.total == 1 { "" } else { "s" },
                            verdict.describe()
                        )).on(verdict.describe()));
                    }
                }
                HistoryFile::NotRegular { path, kind, target } => {
                    let finding =
                        |status, code| Finding::new(ID, ITEM, level, status, code).at(&path);
                    if kind == Kind::Symlink && target.as_deref() == Some("/dev/null") {
                        out.push(
                            finding(Status::Pass, "history-discarded")
                                .says("a link to /dev/null: this history is never kept"),
                        );
                    } else {
                        let what = match &target {
                            Some(target) => format!("{} to {target}", kind.noun()),
                            None => kind.noun().to_owned(),
                        };
                        out.push(
                            finding(Status::Warn, "history-not-regular")
                                .level(Level::Should)
                                .says(format!("is {what}, where a history file should be; not followed — history may be going somewhere unexpected")),
                        );
                    }
                }
                HistoryFile::Unreadable { path, reason } => {
                    out.push(
                        Finding::new(ID, ITEM, level, Status::Skip, "history-clean")
                            .at(&path)
                            .says(format!("could not be read: {reason}")),
                    );
                }
            }
        }
        Ok(())
    }
}
