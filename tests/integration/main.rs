//! Integration tests: the real binary on fixture homes built in temporary directories,
//! with keys generated at test time. One test binary, one module per area.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

// Fixture homes, the command runner and the SKIPPED/CI rule.
mod util;

// The permission rules of the key-permissions check, case by case.
mod key_permissions;
// Links, FIFOs, sockets, devices, sparse files, hostile names: never followed, never blocking.
mod hostile;
// The JSON contract and exit statuses 0, 1 and 2.
mod contract;
// Command-line surface: global options anywhere, colour, --quiet, --only, list-checks, checklist.
mod cli;
// Policy files: layering, loosening refused, errors that name file, line and key.
mod policy;
// Every key store and format: encrypted or not, --deep, --fix, the same key twice.
mod keystores;
// ssh client settings: agent forwarding, host keys, includes, files ssh refuses.
mod ssh_config;
// Secrets in history and credential files, and history --redact.
mod plaintext;
// How each shell keeps history, parsed from its rc files.
mod shells;
// Offline key backups (backup confirm) and reminders of behavioural items.
mod backup;
// The login mode: terminal, cache, deadline, profile.d hook, PAM session hook.
mod login;
// Screen locking: real gsettings on a keyfile backend, and each locker's config files.
mod screen_lock;
// The password command: every broken rule at once, zxcvbn, stdin bounds, no argv.
mod password;
// Password reuse: fingerprints with the key in a real gnome-keyring, locked and absent keyrings, --keyring-file.
mod keyring;
// breach import and the breached-password lookup: known entries, CRLF, truncation.
mod breach;
// The PAM helper through a real PAM stack driven by pamtester, and its syslog lines.
mod pam;
// The native PAM module in a real password change (useradd, pam_unix, /etc/shadow).
mod pam_module;
// The interactive prompt on a real terminal (tmux): the password is never shown.
mod tty;
// audit as root on real accounts made by useradd: the privilege drop, deadlines, Prometheus.
mod audit;
