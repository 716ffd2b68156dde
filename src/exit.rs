//! Exit codes are a contract with scripts, PAM stacks and login hooks, so they get a type.

use std::process::ExitCode;

/// What the process tells its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// No must-level requirement failed.
    Clean = 0,
    /// At least one must-level requirement failed.
    Findings = 1,
    /// Usage, policy or runtime error; a one-line message went to stderr.
    Error = 2,
}

impl ExitStatus {
    /// The more serious of two outcomes: an error outranks findings, findings outrank clean.
    pub fn merge(self, other: ExitStatus) -> ExitStatus {
        self.max(other)
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus::*;

    #[test]
    fn merge_keeps_the_most_serious() {
        assert_eq!(Clean.merge(Clean), Clean);
        assert_eq!(Clean.merge(Findings), Findings);
        assert_eq!(Findings.merge(Clean), Findings);
        assert_eq!(Findings.merge(Error), Error);
        assert_eq!(Error.merge(Clean), Error);
        assert_eq!(Error as u8, 2);
        assert_eq!(Findings as u8, 1);
        assert_eq!(Clean as u8, 0);
    }
}
