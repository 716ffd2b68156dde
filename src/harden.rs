//! Process hardening done before any user file is read: the bytes we read may be
//! private keys, so they must not end up in a core dump or be readable through ptrace,
//! and a panic must not print anything it was handed.

use std::io::Write;

/// Turns off core dumps (RLIMIT_CORE 0) and ptrace attach by the same user
/// (PR_SET_DUMPABLE 0). Failures are ignored: they only mean less protection, and a
/// hygiene checker that refuses to run helps nobody.
pub fn no_core_dumps() {
    let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0);
    let _ = nix::sys::prctl::set_dumpable(false);
}

/// Threads whose names start with this report their own panics (as a finding, say),
/// so the panic hook keeps quiet for them.
pub const QUIET_PANIC_PREFIX: &str = "quiet-panic:";

/// Replaces the default panic message, which could quote data, with a fixed line that
/// names only the source location.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // Such a thread's failure is reported as a finding; a second line would only
        // confuse (and under PAM, reach the person logging in).
        if std::thread::current()
            .name()
            .is_some_and(|name| name.starts_with(QUIET_PANIC_PREFIX))
        {
            return;
        }
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown place".to_owned());
        let _ = writeln!(
            std::io::stderr(),
            "csi-self-check: internal error at {place}; please report it"
        );
    }));
}

#[cfg(test)]
mod tests {
    #[test]
    fn core_dumps_are_off_after_hardening() {
        super::no_core_dumps();
        let (soft, hard) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_CORE)
            .expect("getrlimit works on Linux");
        assert_eq!((soft, hard), (0, 0));
        assert!(!nix::sys::prctl::get_dumpable().expect("prctl works on Linux"));
    }
}
