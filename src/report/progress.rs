//! How a long `--deep` walk shows that it is moving: a count on standard error,
//! rewritten in place, only when standard error is a terminal (never in a pipe, a log
//! or a login).

use std::io::{IsTerminal, Write};

use crate::keys::scan::WalkProgress;

/// The count, on a terminal's standard error.
pub struct OnTerminal {
    enabled: bool,
}

impl OnTerminal {
    pub fn for_stderr() -> OnTerminal {
        OnTerminal {
            enabled: std::io::stderr().is_terminal(),
        }
    }
}

impl WalkProgress for OnTerminal {
    fn looked_at(&self, entries: u64) {
        if self.enabled {
            let _ = write!(
                std::io::stderr().lock(),
                "\rcsi-self-check: looked at {entries} entries…"
            );
        }
    }

    fn finished(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }
}
