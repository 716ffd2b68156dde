//! What a check says about one thing: plain data, computed apart from any rendering,
//! so that text, JSON and the checklist all tell the same story.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::policy::Level;

/// The verdict on one thing. The order is the order of attention: failures first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The requirement is not met.
    Fail,
    /// The check could not look; nothing is known.
    Error,
    /// Met, but not as well as the standard asks ("as close to 0400 as possible").
    Warn,
    /// A failure or warning that a waiver in the site policy covers: shown and
    /// counted, never a failure of the run.
    Waived,
    /// A behavioural requirement, brought back to mind.
    #[allow(
        dead_code,
        reason = "part of the JSON contract; the reminder checks make it"
    )]
    Remind,
    /// Deliberately not examined (a link not followed, a FIFO not opened).
    Skip,
    /// The requirement is met.
    Pass,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Warn => "warn",
            Status::Waived => "waived",
            Status::Remind => "remind",
            Status::Skip => "skip",
            Status::Pass => "pass",
        }
    }
}

/// One finding. Messages are built from metadata only: never from file contents, and
/// never holding a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The check that made it.
    pub check: &'static str,
    /// The policy item it is about.
    pub policy: &'static str,
    /// The strength of the requirement it reports on: the item's level, or `should`
    /// for the "as close as possible" part of a must-level item.
    pub level: Level,
    pub status: Status,
    /// Stable kebab-case code, documented in the man page.
    pub code: &'static str,
    /// The file concerned, absolute.
    pub path: Option<PathBuf>,
    pub message: String,
    /// A command that fixes it, ready to paste.
    pub fix: Option<String>,
    /// The line of `path` it is about, counted from 1, where it is about one.
    pub line: Option<u32>,
    /// The waiver that covers it, when its status is [`Status::Waived`].
    pub waiver: Option<Waived>,
    /// Whether the file's filesystem is encrypted, in the words the message ends
    /// with: a fact many findings share, which the text report says once.
    pub at_rest: Option<String>,
    /// The mode changes the printed fix makes, path by path, for `--fix` to apply.
    pub modes: Vec<(PathBuf, ModeFix)>,
    /// How many more findings like this one its check found and did not make, to
    /// stay bounded (a history full of secrets); the report's cap counts them among
    /// those left out.
    pub untold: u64,
}

/// What a waived finding keeps of its waiver and of itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waived {
    /// The status it had before the waiver: `Fail` or `Warn`.
    pub was: Status,
    pub reason: String,
    pub granted_by: String,
    /// The last day the waiver applies, `YYYY-MM-DD`.
    pub expires: String,
    /// The policy file and line of the waiver.
    pub file: PathBuf,
    pub file_line: usize,
}

/// A change of mode, as a printed `chmod` makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeFix {
    /// `chmod 600`: exactly these bits.
    Set(u32),
    /// `chmod go-w`: these bits removed.
    Clear(u32),
}

impl ModeFix {
    /// The mode a file of `mode` gets.
    pub fn applied_to(self, mode: u32) -> u32 {
        match self {
            ModeFix::Set(bits) => bits,
            ModeFix::Clear(bits) => mode & !bits,
        }
    }
}

impl Finding {
    pub fn new(
        check: &'static str,
        policy: &'static str,
        level: Level,
        status: Status,
        code: &'static str,
    ) -> Finding {
        Finding {
            check,
            policy,
            level,
            status,
            code,
            path: None,
            message: String::new(),
            fix: None,
            line: None,
            waiver: None,
            at_rest: None,
            modes: Vec::new(),
            untold: 0,
        }
    }

    /// Stands also for `count` more findings like it that were not made.
    pub fn untold(mut self, count: u64) -> Finding {
        self.untold = count;
        self
    }

    pub fn at(mut self, path: &Path) -> Finding {
        self.path = Some(path.to_owned());
        self
    }

    pub fn says(mut self, message: impl Into<String>) -> Finding {
        self.message = message.into();
        self
    }

    /// The line of the file it is about.
    pub fn on_line(mut self, line: impl TryInto<u32>) -> Finding {
        self.line = line.try_into().ok();
        self
    }

    pub fn fix(mut self, command: impl Into<String>) -> Finding {
        self.fix = Some(command.into());
        self
    }

    /// Notes that the fix changes `path`'s mode so, which `--fix` may do itself.
    pub fn fixes_mode(mut self, path: &Path, fix: ModeFix) -> Finding {
        self.modes.push((path.to_owned(), fix));
        self
    }

    /// Notes the at-rest verdict the message states (see [`Finding::at_rest`]).
    pub fn on(mut self, at_rest: impl Into<String>) -> Finding {
        self.at_rest = Some(at_rest.into());
        self
    }

    /// Lowers or raises the level of this one finding.
    pub fn level(mut self, level: Level) -> Finding {
        self.level = level;
        self
    }

    /// A must-level requirement is not met: this decides exit status 1.
    pub fn is_must_failure(&self) -> bool {
        self.status == Status::Fail && self.level.is_must()
    }
}
