//! Decisions of the PAM helper go to the system log (facility authpriv), as every PAM
//! module's do. The message is built by the caller from rule names and sanitised
//! account names only — never from the token. Written straight to `/dev/log`; when no
//! log daemon listens, or its queue is full, the message is dropped rather than
//! waited for.

use std::os::unix::net::UnixDatagram;

/// The socket the system logger listens on.
const LOG_SOCKET: &str = "/dev/log";
/// LOG_AUTHPRIV, facility 10.
const AUTHPRIV: u8 = 10 << 3;

#[derive(Clone, Copy, Debug)]
pub enum Severity {
    Error = 3,
    Notice = 5,
    Info = 6,
}

/// Logs one line to authpriv. Control characters are escaped and the line is
/// bounded, so a crafted user name cannot forge log lines.
pub fn authpriv(severity: Severity, message: &str) {
    send(std::path::Path::new(LOG_SOCKET), severity, message);
}

fn send(socket_path: &std::path::Path, severity: Severity, message: &str) {
    let message: String = crate::sanitize::display_str(message)
        .chars()
        .take(900)
        .collect();
    let line = format!(
        "<{}>csi-self-check[{}]: {message}",
        AUTHPRIV | severity as u8,
        std::process::id()
    );
    // Never wait for the logger: a stuck or flooded log daemon must not hang a login.
    // A message that does not fit in its queue is dropped.
    if let Ok(socket) = UnixDatagram::unbound()
        && socket.set_nonblocking(true).is_ok()
    {
        let _ = socket.send_to(line.as_bytes(), socket_path);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_full_log_queue_never_blocks_and_lines_stay_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let logger = UnixDatagram::bind(&path).unwrap();
        // Nobody reads: the queue fills after a few messages; sending must not wait.
        let start = std::time::Instant::now();
        for _ in 0..200 {
            send(
                &path,
                Severity::Notice,
                "pam: user=x\nforged verdict=accept",
            );
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        let mut buf = [0u8; 2048];
        let n = logger.recv(&mut buf).unwrap();
        let line = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(line.starts_with("<85>csi-self-check["), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
}
