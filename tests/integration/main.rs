//! Integration tests: the real binary on fixture homes built in temporary directories,
//! with keys generated at test time. One test binary, one module per area.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

// A release build ignores the test system root (src/sysroot.rs): these tests would
// read the machine's own /etc and write its /var/lib. Refused at compile time.
#[cfg(not(debug_assertions))]
compile_error!(
    "the integration tests need a debug build (`cargo test`, not `--release`): a release \
     csi-self-check ignores CSI_SELF_CHECK_TEST_SYSROOT and would read and write the \
     machine's own /etc and /var/lib"
);

// Fixture homes, the command runner and the SKIPPED/CI rule.
mod util;
// The binary's command-line definition, the very file build.rs compiles too: the
// runner in util reads each command line as the binary will, to refuse one that would
// check the real account.
#[path = "../../src/cli.rs"]
#[allow(dead_code)]
mod binary_cli;
// The runner's rules: no run reaches the real account's home, bus or PAM fallback.
mod hermetic;

// The permission rules of the key-permissions check, case by case.
mod key_permissions;
// The same rules held to a real sshd with StrictModes yes, layout by layout.
mod sshd_strictmodes;
// Links, FIFOs, sockets, devices, sparse files, hostile names: never followed, never blocking.
mod hostile;
// The JSON contract and exit statuses 0, 1 and 2.
mod contract;
// --home: only one's own home or directory, unless root.
mod home_owner;
// The fuzz targets' seeds and every input a fuzzer broke a promise with.
mod fuzz_regressions;
// Output and peak memory bounded on the largest hostile homes (/usr/bin/time).
mod bounds;
// The state directory under runs at once and runs killed at any system call.
mod state;
// Command-line surface: global options anywhere, colour, --quiet, --only, list-checks, checklist.
mod cli;
// Policy files: layering, loosening refused, errors that name file, line and key.
mod policy;
// Every key store and format: encrypted or not, --deep, --fix, the same key twice.
mod keystores;
// A key is a key when its content decodes as one: PKCS#12 bags, PEM bodies, other layouts.
mod key_content;
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
// The default report on a real terminal: ranked problems, one screen, wrapped.
mod report;
// Screen locking: real gsettings on a keyfile backend, and each locker's config files.
mod screen_lock;
// The password command: every broken rule at once, zxcvbn, stdin bounds, no argv.
mod password;
// Password reuse: fingerprints with the key in a real gnome-keyring, locked and absent keyrings, --keyring-file.
mod keyring;
// A Secret Service that never answers: the deadline, a skip, nothing written.
mod hung_keyring;
// breach import and the breached-password lookup: known entries, CRLF, truncation.
mod breach;
// The PAM helper through a real PAM stack driven by pamtester, and its syslog lines.
mod pam;
// The native PAM module in a real password change (useradd, pam_unix, /etc/shadow).
mod pam_module;
// The interactive prompt on a real terminal (tmux): the password is never shown.
mod tty;
// key protect: a passphrase put on a key in place, checked with ssh-keygen and openssl.
mod protect;
// audit as root on real accounts made by useradd: the privilege drop, deadlines, Prometheus.
mod audit;
// Saved passwords in applications: real NSS key databases, Chromium Login Data, every client; no output shows one.
mod app_stores;
// The clients of app-password-stores, each with a password and in its protected form.
mod app_clients;
// Waivers in the site policy: waived findings, expired waivers, personal files refused.
mod waivers;
// The shipped alerting rules under promtool, and a real node_exporter and Prometheus on 127.0.0.1.
mod prometheus;
// The audit service: systemd-analyze's rating, and its command within the unit's limits.
mod service;
