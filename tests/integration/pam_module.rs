//! The native PAM module, pam_csi_self_check.so, in a real password change: a
//! throwaway account made by useradd, a service file of the test's own in /etc/pam.d
//! naming all four facilities, the module `requisite` before `pam_unix.so
//! use_authtok`, and pamtester's chauthtok. A weak password is refused and the
//! account's /etc/shadow entry stays as it was; a strong one is stored.

use std::path::PathBuf;
use std::process::Command;

use crate::pam::pamtester_run;
use crate::util::{BIN, PamService, TestUser, have, is_root, skip};

/// The module as cargo built it for the tests (the main crate's dev-dependency).
fn module() -> PathBuf {
    let path = crate::util::built("deps/libpam_csi_self_check.so");
    assert!(
        path.exists(),
        "{} is missing: cargo builds it as a dev-dependency of the tests",
        path.display()
    );
    path
}

/// A service file of the test's own: the module's password lines between
/// pam_permit for the other three facilities.
fn service_with(tag: &str, password_lines: &str) -> PamService {
    PamService::new(
        tag,
        &format!(
            "auth required pam_permit.so\n\
             account required pam_permit.so\n\
             {password_lines}\
             session required pam_permit.so\n"
        ),
    )
}

/// The account's line of /etc/shadow.
fn shadow(user: &str) -> String {
    let prefix = format!("{user}:");
    std::fs::read_to_string("/etc/shadow")
        .unwrap()
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{user} is not in /etc/shadow"))
        .to_owned()
}

/// `pamtester -v SERVICE USER chauthtok` with `typed` at its prompts.
fn chauthtok(service: &PamService, user: &str, typed: &str) -> (i32, String) {
    let mut command = Command::new("pamtester");
    command.args(["-v", &service.name, user, "chauthtok"]);
    pamtester_run(command, "chauthtok", typed)
}

#[test]
fn a_real_password_change_refuses_a_weak_password_and_stores_a_strong_one() {
    let test = "a_real_password_change_refuses_a_weak_password_and_stores_a_strong_one";
    if !is_root() {
        return skip(test, "useradd and /etc/pam.d need root");
    }
    if !have("pamtester", test) || !have("useradd", test) {
        return;
    }
    let module = module();
    let user = TestUser::new("csi-pam-module");
    let service = service_with(
        "change",
        &format!(
            "password requisite {} retry=1 helper={BIN}\n\
         password required pam_unix.so use_authtok\n",
            module.display()
        ),
    );
    let before = shadow(user.name);

    // Weak: refused with the helper's reasons, and pam_unix never runs.
    let (code, out) = chauthtok(&service, user.name, "Dolphin2024!\n");
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("a common word 'dolphin', capitalised, then a year and a symbol"),
        "{out}"
    );
    assert_eq!(
        shadow(user.name),
        before,
        "a refused password changed /etc/shadow"
    );

    // Invisible characters do not make a symbol.
    let (code, out) = chauthtok(&service, user.name, "Kettleblue42\t\n");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("neither a letter nor a digit"), "{out}");
    assert_eq!(shadow(user.name), before);

    // A mistyped confirmation: nothing is stored.
    let (code, out) = chauthtok(&service, user.name, "F5_mK6Vn\nF5_mK6Vm\n");
    assert_ne!(code, 0, "{out}");
    assert_eq!(shadow(user.name), before);

    // Strong, typed twice: stored by pam_unix.
    let (code, out) = chauthtok(&service, user.name, "F5_mK6Vn\nF5_mK6Vn\n");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("authentication token altered successfully"),
        "{out}"
    );
    let after = shadow(user.name);
    assert_ne!(after, before, "an accepted password was not stored");
    let hash = after.split(':').nth(1).unwrap();
    assert!(hash.starts_with('$'), "not a password hash: {hash}");
}

#[test]
fn retry_asks_again_use_authtok_asks_not_and_a_broken_setup_refuses() {
    let test = "retry_asks_again_use_authtok_asks_not_and_a_broken_setup_refuses";
    if !is_root() {
        return skip(test, "useradd and /etc/pam.d need root");
    }
    if !have("pamtester", test) || !have("useradd", test) {
        return;
    }
    let module = module();
    let user = TestUser::new("csi-pam-retry");
    // retry=2: a weak password, then a strong one typed twice.
    let service = service_with(
        "retry",
        &format!(
            "password requisite {} retry=2 helper={BIN}\n\
         password required pam_unix.so use_authtok\n",
            module.display()
        ),
    );
    let before = shadow(user.name);
    let (code, out) = chauthtok(&service, user.name, "Captain2024!\nF5_mK6Vn\nF5_mK6Vn\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("a common word 'captain'"), "{out}");
    assert_ne!(shadow(user.name), before);
    drop(service);

    // use_authtok: a second instance judges the password the first one obtained,
    // without asking for it.
    let service = service_with(
        "authtok",
        &format!(
            "password requisite {module} helper={BIN}\n\
             password requisite {module} helper={BIN} use_authtok\n\
             password required pam_unix.so use_authtok\n",
            module = module.display()
        ),
    );
    let (code, out) = chauthtok(&service, user.name, "Kettle-Blue-42!x\nKettle-Blue-42!x\n");
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("New password").count(), 1, "{out}");
    drop(service);

    // A module that is not told where its helper is runs /usr/bin/csi-self-check;
    // one with a helper that cannot run refuses, saying so.
    let service = service_with(
        "broken",
        &format!(
            "password requisite {} helper=/nonexistent/csi-self-check\n\
         password required pam_unix.so use_authtok\n",
            module.display()
        ),
    );
    let before = shadow(user.name);
    let (code, out) = chauthtok(&service, user.name, "F5_mK6Vn\n");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("could not be checked"), "{out}");
    assert_eq!(shadow(user.name), before);
    drop(service);

    // An unknown argument refuses the change and names it.
    let service = service_with(
        "unknown",
        &format!(
            "password requisite {} helper={BIN} enforce_for_root\n\
         password required pam_unix.so use_authtok\n",
            module.display()
        ),
    );
    let (code, out) = chauthtok(&service, user.name, "F5_mK6Vn\nF5_mK6Vn\n");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("unknown argument `enforce_for_root`"), "{out}");
}
