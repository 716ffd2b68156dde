//! Unit tests of policy layering; the integration tests drive the same rules through
//! the binary.
#![allow(clippy::unwrap_used)]

use super::*;
use std::os::unix::fs::PermissionsExt;

fn personal(text: &str) -> Result<Policy, PolicyError> {
    let mut policy = builtin().unwrap();
    apply(&mut policy, Path::new("mine.toml"), text, Trust::Personal).map(|()| policy)
}

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

#[test]
fn builtin_default_is_complete_and_matches_the_standard() {
    let policy = builtin().unwrap();
    assert_eq!(policy.number("password-entropy", "min-length"), 8);
    for class in [
        "require-digit",
        "require-lower",
        "require-upper",
        "require-symbol",
    ] {
        assert!(policy.flag("password-entropy", class), "{class}");
    }
    assert_eq!(policy.mode("key-security", "max-mode"), 0o400);
    assert_eq!(policy.mode("key-security", "ssh-dir-max-mode"), 0o700);
    assert_eq!(policy.level("password-usage"), Level::MustNot);
    assert_eq!(policy.level("password-reuse"), Level::ShouldNot);
    assert_eq!(policy.level("ssh-proxycommand"), Level::Should);
    assert_eq!(policy.text("incident-reporting", "section"), "2.2");
    assert!(!policy.text("incident-reporting", "contact").is_empty());
    assert_eq!(
        policy.setting("key-security", "max-mode").origin,
        Origin::Builtin
    );
}

#[test]
fn a_personal_file_may_tighten() {
    let policy = personal("[password-entropy]\nmin-length = 12\n[key-security]\nmax-mode = \"0400\"\n[ssh-proxycommand]\nlevel = \"must\"\n[desktop-locking]\nmax-idle-seconds = 300\n").unwrap();
    assert_eq!(policy.number("password-entropy", "min-length"), 12);
    assert_eq!(policy.number("desktop-locking", "max-idle-seconds"), 300);
    assert_eq!(policy.level("ssh-proxycommand"), Level::Must);
    assert_eq!(
        policy.setting("password-entropy", "min-length").origin,
        Origin::File {
            path: PathBuf::from("mine.toml"),
            line: 2
        }
    );
}

#[test]
fn a_personal_file_may_not_loosen_a_must() {
    let cases = [
        (
            "[password-entropy]\nmin-length = 6\n",
            "password-entropy.min-length",
            2,
        ),
        (
            "[password-entropy]\n\nrequire-symbol = false\n",
            "password-entropy.require-symbol",
            3,
        ),
        (
            "[key-security]\nmax-mode = \"0640\"\n",
            "key-security.max-mode",
            2,
        ),
        (
            "[key-security]\nlevel = \"should\"\n",
            "key-security.level",
            2,
        ),
        (
            "[password-usage]\nlevel = \"should-not\"\n",
            "password-usage.level",
            2,
        ),
        (
            "[desktop-locking]\nmax-idle-seconds = 3600\n",
            "desktop-locking.max-idle-seconds",
            2,
        ),
        (
            "[encryption-backups]\nmax-backup-age-days = 365\n",
            "encryption-backups.max-backup-age-days",
            2,
        ),
    ];
    for (text, key, line) in cases {
        let err = personal(text).unwrap_err();
        assert_eq!(err.key.as_deref(), Some(key), "{text}");
        assert_eq!(err.line, Some(line), "{text}");
        assert!(
            err.message.contains("refusing to loosen"),
            "{}",
            err.message
        );
    }
}

#[test]
fn a_personal_file_may_loosen_a_should() {
    let policy = personal(
        "[ssh-proxycommand]\nlevel = \"should\"\n[password-reuse]\nlevel = \"should-not\"\n",
    )
    .unwrap();
    assert_eq!(policy.level("ssh-proxycommand"), Level::Should);
}

#[test]
fn the_site_may_loosen() {
    let mut policy = builtin().unwrap();
    apply(
        &mut policy,
        Path::new("/etc/x.toml"),
        "[password-entropy]\nmin-length = 6\n",
        Trust::System,
    )
    .unwrap();
    assert_eq!(policy.number("password-entropy", "min-length"), 6);
}

#[test]
fn nobody_may_change_the_sense_of_a_level() {
    let mut policy = builtin().unwrap();
    let err = apply(
        &mut policy,
        Path::new("/etc/x.toml"),
        "[password-usage]\nlevel = \"must\"\n",
        Trust::System,
    )
    .unwrap_err();
    assert_eq!(err.key.as_deref(), Some("password-usage.level"));
    assert!(err.message.contains("sense"), "{}", err.message);
}

#[test]
fn bad_files_name_file_line_and_key() {
    let cases = [
        (
            "[nonsense]\nlevel = \"must\"\n",
            1,
            Some("nonsense"),
            "unknown policy item",
        ),
        (
            "[key-security]\nmax-mode = \"0400\"\ncolour = 1\n",
            3,
            Some("key-security.colour"),
            "unknown key",
        ),
        (
            "[password-entropy]\nmin-length = \"8\"\n",
            2,
            Some("password-entropy.min-length"),
            "found a string",
        ),
        (
            "[password-entropy]\nmin-length = 0\n",
            2,
            Some("password-entropy.min-length"),
            "from 1 to 512",
        ),
        (
            "[password-entropy]\nmin-length = -3\n",
            2,
            Some("password-entropy.min-length"),
            "from 1 to 512",
        ),
        (
            "[key-security]\nmax-mode = 400\n",
            2,
            Some("key-security.max-mode"),
            "in quotes",
        ),
        (
            "[key-security]\nmax-mode = \"0489\"\n",
            2,
            Some("key-security.max-mode"),
            "octal",
        ),
        (
            "[key-security]\nmax-mode = \"4755\"\n",
            2,
            Some("key-security.max-mode"),
            "octal",
        ),
        (
            "[key-security]\nlevel = \"maybe\"\n",
            2,
            Some("key-security.level"),
            "expected one of",
        ),
        (
            "key-security = 3\n",
            1,
            Some("key-security"),
            "expected a table",
        ),
        (
            "[incident-reporting]\ncontact = \"a\\u001bb\"\n",
            2,
            Some("incident-reporting.contact"),
            "control",
        ),
        ("[key-security\n", 1, None, ""),
    ];
    for (text, line, key, needle) in cases {
        let err = personal(text).unwrap_err();
        assert_eq!(err.file, PathBuf::from("mine.toml"), "{text}");
        assert_eq!(err.line, Some(line), "{text}: {err}");
        assert_eq!(err.key.as_deref(), key, "{text}: {err}");
        assert!(err.message.contains(needle), "{text}: {err}");
        assert!(!err.to_string().contains('\n'), "one line: {err}");
    }
}

#[test]
fn site_files_layer_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::set_permissions(site, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        site.join("policy.toml"),
        "[password-entropy]\nmin-length = 10\n",
    )
    .unwrap();
    std::fs::create_dir(site.join("policy.d")).unwrap();
    std::fs::write(
        site.join("policy.d/20-later.toml"),
        "[password-entropy]\nmin-length = 14\n",
    )
    .unwrap();
    std::fs::write(
        site.join("policy.d/10-first.toml"),
        "[password-entropy]\nmin-length = 6\n[key-security]\nmax-mode = \"0440\"\n",
    )
    .unwrap();
    std::fs::write(site.join("policy.d/README"), "not a policy").unwrap();
    let options = LoadOptions {
        policy_file: None,
        system_dir: site,
        trusted_owner: euid(),
    };
    let policy = load(&options).unwrap();
    assert_eq!(policy.number("password-entropy", "min-length"), 14);
    assert_eq!(policy.mode("key-security", "max-mode"), 0o440);
    let names: Vec<_> = policy
        .files()
        .iter()
        .map(|p| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["policy.toml", "10-first.toml", "20-later.toml"]);
}

#[test]
fn a_policy_option_replaces_the_site_files() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::set_permissions(&site, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        site.join("policy.toml"),
        "[password-entropy]\nmin-length = 10\n",
    )
    .unwrap();
    let mine = dir.path().join("mine.toml");
    std::fs::write(&mine, "[password-entropy]\nrequire-digit = true\n").unwrap();
    let options = LoadOptions {
        policy_file: Some(&mine),
        system_dir: &site,
        trusted_owner: euid(),
    };
    let policy = load(&options).unwrap();
    assert_eq!(policy.number("password-entropy", "min-length"), 8);
    assert_eq!(policy.files(), [mine]);
}

#[test]
fn a_policy_option_inside_the_site_directory_speaks_for_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::set_permissions(site, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = site.join("candidate.toml");
    std::fs::write(&file, "[password-entropy]\nmin-length = 6\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let options = LoadOptions {
        policy_file: Some(&file),
        system_dir: site,
        trusted_owner: euid(),
    };
    assert_eq!(
        load(&options)
            .unwrap()
            .number("password-entropy", "min-length"),
        6
    );
    // Through `..` it is a personal file again, and the loosening is refused.
    let sneaky = site
        .join("../")
        .join(site.file_name().unwrap())
        .join("candidate.toml");
    let options = LoadOptions {
        policy_file: Some(&sneaky),
        system_dir: site,
        trusted_owner: euid(),
    };
    assert!(load(&options).is_err());
}

#[test]
fn a_writable_site_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    std::fs::set_permissions(site, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = site.join("policy.toml");
    std::fs::write(&file, "[password-entropy]\nmin-length = 6\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let options = LoadOptions {
        policy_file: None,
        system_dir: site,
        trusted_owner: euid(),
    };
    let err = load(&options).unwrap_err();
    assert!(err.message.contains("refusing"), "{err}");
    assert_eq!(err.file, file);
}

#[test]
fn a_fifo_policy_file_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let options = LoadOptions {
        policy_file: Some(&fifo),
        system_dir: Path::new("/nonexistent"),
        trusted_owner: 0,
    };
    let err = load(&options).unwrap_err();
    assert!(err.to_string().contains("FIFO"), "{err}");
}

#[test]
fn every_file_in_the_policy_directory_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension() == Some(OsStr::new("toml")) {
            let options = LoadOptions {
                policy_file: Some(&path),
                system_dir: Path::new("/nonexistent"),
                trusted_owner: 0,
            };
            load(&options).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn site(text: &str) -> Result<Policy, PolicyError> {
    let mut policy = builtin().unwrap();
    apply(&mut policy, Path::new("site.toml"), text, Trust::System).map(|()| policy)
}

const ROLE_ACCOUNT_WAIVER: &str = "[key-security]\nmax-mode = \"0400\"\n\n[[waiver]]\nitem = \"key-passwords\"\npaths = [\"~/.ssh/deploy_*\"]\naccounts = [\"deploy\", \"backup\"]\nreason = \"2.1.1 Role Accounts: the nightly deploy runs unattended\"\ngranted-by = \"Jane Admin, ticket SEC-42\"\nexpires = 2027-03-31\n\n[[waiver]]\ncode = \"credential-file-plaintext\"\naccounts = [\"webapp\"]\nreason = \"2.1.1 Data Access Passwords\"\ngranted-by = \"J\"\nexpires = 2020-01-31\n";

#[test]
fn the_site_may_waive_with_a_reason_a_granter_and_an_expiry() {
    let policy = site(ROLE_ACCOUNT_WAIVER).unwrap();
    let [role, data] = policy.waivers() else {
        panic!("{:?}", policy.waivers());
    };
    assert_eq!(role.item, Some("key-passwords"));
    assert_eq!(role.code, None);
    assert_eq!(role.accounts, ["deploy", "backup"]);
    assert_eq!(role.expires, "2027-03-31");
    assert_eq!(
        role.origin,
        Origin::File {
            path: PathBuf::from("site.toml"),
            line: 4
        }
    );
    // In force through the last day (UTC), not a second longer.
    let last_day = crate::time::utc_day_start(2027, 3, 31);
    assert!(role.in_force(last_day + 86_399));
    assert!(!role.in_force(last_day + 86_400));
    let home = Path::new("/home/deploy");
    let key = Path::new("/home/deploy/.ssh/deploy_ed25519");
    assert!(role.covers(
        "deploy",
        home,
        "key-passwords",
        "key-unencrypted",
        Some(key)
    ));
    assert!(!role.covers("alice", home, "key-passwords", "key-unencrypted", Some(key)));
    assert!(!role.covers(
        "deploy",
        home,
        "key-security",
        "private-key-group-readable",
        Some(key)
    ));
    assert!(!role.covers("deploy", home, "key-passwords", "key-unencrypted", None));
    assert!(!role.covers(
        "deploy",
        home,
        "key-passwords",
        "key-unencrypted",
        Some(Path::new("/home/deploy/.ssh/id_rsa"))
    ));
    // A code alone covers that code in any item, any path.
    assert!(data.covers(
        "webapp",
        home,
        "password-usage",
        "credential-file-plaintext",
        None
    ));
    assert!(!data.in_force(last_day));
}

#[test]
fn a_personal_file_can_never_waive() {
    let err = personal(ROLE_ACCOUNT_WAIVER).unwrap_err();
    assert_eq!((err.line, err.key.as_deref()), (Some(4), Some("waiver")));
    assert!(
        err.message.contains("a personal policy file cannot waive"),
        "{err}"
    );
}

#[test]
fn a_waiver_says_what_whose_why_who_and_until_when() {
    let cases = [
        (
            "[[waiver]]\nitem = \"key-passwords\"\naccounts = [\"a\"]\nreason = \"r\"\ngranted-by = \"g\"\n",
            1,
            "waiver",
            "needs expires",
        ),
        (
            "[[waiver]]\naccounts = [\"a\"]\nreason = \"r\"\ngranted-by = \"g\"\nexpires = 2027-01-01\n",
            1,
            "waiver",
            "needs an item or a code",
        ),
        (
            "[[waiver]]\nitem = \"nope\"\n",
            2,
            "waiver.item",
            "unknown policy item",
        ),
        (
            "[[waiver]]\ncode = \"Key Unencrypted\"\n",
            2,
            "waiver.code",
            "expected a finding code",
        ),
        (
            "[[waiver]]\npaths = [\"relative/*\"]\n",
            2,
            "waiver.paths",
            "starting with",
        ),
        (
            "[[waiver]]\naccounts = [\"a:b\"]\n",
            2,
            "waiver.accounts",
            "account names",
        ),
        (
            "[[waiver]]\nreason = \"\"\n",
            2,
            "waiver.reason",
            "expected words",
        ),
        (
            "[[waiver]]\nexpires = 2027-01-01T10:00:00Z\n",
            2,
            "waiver.expires",
            "a date such as",
        ),
        (
            "[[waiver]]\nexpires = \"2027-01-01\"\n",
            2,
            "waiver.expires",
            "a date such as",
        ),
        (
            "[[waiver]]\nuntil = 2027-01-01\n",
            2,
            "waiver.until",
            "unknown key; [[waiver]] takes item, code",
        ),
        (
            "[[waiver]]\naccounts = \"a\"\n",
            2,
            "waiver.accounts",
            "a list of strings",
        ),
        (
            "[waiver]\nitem = \"key-passwords\"\n",
            1,
            "waiver",
            "expected [[waiver]] tables",
        ),
    ];
    for (text, line, key, words) in cases {
        let err = site(text).unwrap_err();
        assert_eq!(
            (err.line, err.key.as_deref()),
            (Some(line), Some(key)),
            "{text}: {err}"
        );
        assert!(err.message.contains(words), "{text}: {err}");
    }
}
