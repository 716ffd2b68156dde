//! app-password-stores on real stores made at test time: Mozilla key databases by
//! NSS's own certutil (with the empty password and with a password file, new
//! PBES2 entries and the older SHA-1/3DES ones NSS writes when it converts a
//! key3.db), Chromium `Login Data` by sqlite3 with v10 values encrypted as the
//! basic store does (openssl), damaged databases, the login lines on a real
//! terminal, and one known password planted in every store that no output shows.

use crate::app_clients::{SECRET, fixtures, openssl, plant, secret_base64, secret_forms};
use crate::util::{Cli, Home, Run, Tmux, have, tool};
use std::path::{Path, PathBuf};

const PRIMARY: &str = "Primary-pw-9!";

fn run_tool(program: &str, args: &[&str]) {
    let out = tool(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A password file for certutil, outside the home.
fn password_file(scratch: &Path) -> PathBuf {
    let file = scratch.join("pw");
    std::fs::write(&file, format!("{PRIMARY}\n")).unwrap();
    file
}

/// A Mozilla profile at `rel` with a key database made by certutil, protected by
/// `PRIMARY` or not, in the new format or converted from a key3.db; and a
/// `logins.json` with `logins` entries.
fn mozilla_profile(
    home: &Home,
    rel: &str,
    protected: bool,
    converted: bool,
    logins: usize,
) -> PathBuf {
    let dir = home.dir(rel, 0o700);
    let scratch = tempfile::tempdir().unwrap();
    let pw = password_file(scratch.path());
    let auth: Vec<&str> = if protected {
        vec!["-f", p(&pw)]
    } else {
        vec!["--empty-password"]
    };
    if converted {
        // NSS converts a key3.db when it first writes the sql database, and keeps
        // the old SHA-1/3DES password check.
        let dbm = format!("dbm:{}", p(&dir));
        let mut args = vec!["-N", "-d", &dbm];
        args.extend(&auth);
        run_tool("certutil", &args);
        let noise = scratch.path().join("noise");
        std::fs::write(&noise, [7u8; 64]).unwrap();
        let sql = format!("sql:{}", p(&dir));
        let mut args = vec![
            "-G",
            "-d",
            &sql,
            "-k",
            "ec",
            "-q",
            "nistp256",
            "-z",
            p(&noise),
        ];
        args.extend(&auth);
        run_tool("certutil", &args);
        std::fs::remove_file(dir.join("key3.db")).unwrap();
    } else {
        let sql = format!("sql:{}", p(&dir));
        let mut args = vec!["-N", "-d", &sql];
        args.extend(&auth);
        run_tool("certutil", &args);
    }
    let b = secret_base64();
    let entries: Vec<String> = (0..logins)
        .map(|i| {
            format!(
                r#"{{"id":{i},"hostname":"https://{SECRET}.example.org","httpRealm":null,"formSubmitURL":"","usernameField":"u","passwordField":"p","encryptedUsername":"{b}","encryptedPassword":"{b}","guid":"{{x-{i}}}","encType":1,"timesUsed":1}}"#
            )
        })
        .collect();
    let json = format!(
        r#"{{"nextId":{},"logins":[{}],"potentiallyVulnerablePasswords":[],"dismissedBreachAlertsByLoginGUID":{{}},"version":3}}"#,
        logins + 1,
        entries.join(",")
    );
    home.file(format!("{rel}/logins.json"), json.as_bytes(), 0o600)
}

/// `v10` + AES-128-CBC of `plain` under the basic store's key: PBKDF2-HMAC-SHA1 of
/// "peanuts" with salt "saltysalt", one iteration, IV of sixteen spaces.
fn basic_store_value(plain: &str) -> Vec<u8> {
    let key = openssl(
        &[
            "kdf",
            "-keylen",
            "16",
            "-kdfopt",
            "digest:SHA1",
            "-kdfopt",
            "pass:peanuts",
            "-kdfopt",
            "salt:saltysalt",
            "-kdfopt",
            "iter:1",
            "-binary",
            "PBKDF2",
        ],
        b"",
    );
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let mut value = b"v10".to_vec();
    value.extend(openssl(
        &[
            "enc",
            "-aes-128-cbc",
            "-K",
            &key_hex,
            "-iv",
            &"20".repeat(16),
        ],
        plain.as_bytes(),
    ));
    value
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A `Login Data` made by sqlite3 with Chromium's columns: `basic` rows in the
/// basic store, `keyring` v11 rows, and one blocked site (an empty value).
fn login_data(home: &Home, rel: &str, basic: usize, keyring: usize, wal: bool) -> PathBuf {
    let path = home.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut sql = String::from(if wal {
        "PRAGMA journal_mode=WAL;\n"
    } else {
        ""
    });
    sql.push_str(
        "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);\n\
         INSERT INTO meta VALUES ('version', '40');\n\
         CREATE TABLE logins (origin_url VARCHAR NOT NULL, action_url VARCHAR, username_element VARCHAR, \
         username_value VARCHAR, password_element VARCHAR, password_value BLOB, submit_element VARCHAR, \
         signon_realm VARCHAR NOT NULL, date_created INTEGER NOT NULL, blacklisted_by_user INTEGER NOT NULL, \
         scheme INTEGER NOT NULL, id INTEGER PRIMARY KEY AUTOINCREMENT);\n",
    );
    let row = |i: usize, value: &str, blocked: u8| {
        format!(
            "INSERT INTO logins (origin_url, username_value, password_value, signon_realm, date_created, blacklisted_by_user, scheme) \
             VALUES ('https://{SECRET}-{i}.example.org/', '{SECRET}', {value}, 'https://x{i}.example.org/', 0, {blocked}, 0);\n"
        )
    };
    for i in 0..basic {
        sql.push_str(&row(
            i,
            &format!("X'{}'", hex(&basic_store_value(SECRET))),
            0,
        ));
    }
    for i in 0..keyring {
        sql.push_str(&row(100 + i, &format!("X'763131{}'", "AB".repeat(32)), 0));
    }
    sql.push_str(&row(200, "X''", 1));
    let out = tool("sqlite3").arg(&path).arg(&sql).output().unwrap();
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(path.with_file_name("Login Data-wal"));
    path
}

fn findings_at(run: &Run, path: &Path) -> Vec<serde_json::Value> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "app-password-stores" && f["path"] == p(path))
        .cloned()
        .collect()
}

fn only(run: &Run, path: &Path) -> serde_json::Value {
    let found = findings_at(run, path);
    assert_eq!(found.len(), 1, "{}: {}", path.display(), run.stdout);
    found[0].clone()
}

fn never_shown(what: &str, output: &str) {
    for form in secret_forms() {
        assert!(!output.contains(&form), "{what} shows {form}:\n{output}");
    }
}

#[test]
fn mozilla_profiles_are_judged_by_their_key_database() {
    let test = "mozilla_profiles_are_judged_by_their_key_database";
    if !have("certutil", test) || !have("openssl", test) {
        return;
    }
    let home = Home::new();
    let root = ".mozilla/firefox";
    home.dir(root, 0o700);
    home.file(
        format!("{root}/profiles.ini"),
        b"[Profile1]\nName=locked\nIsRelative=1\nPath=locked.default\n\n[Profile0]\nName=open\nIsRelative=1\nPath=open.default-release\nDefault=1\n\n[Profile2]\nName=empty\nIsRelative=1\nPath=empty.default\n",
        0o644,
    );
    let open = mozilla_profile(
        &home,
        &format!("{root}/open.default-release"),
        false,
        false,
        1,
    );
    let locked = mozilla_profile(&home, &format!("{root}/locked.default"), true, false, 1);
    let empty = mozilla_profile(&home, &format!("{root}/empty.default"), false, false, 0);
    // Not named in profiles.ini, and under the other applications' places.
    let stray = mozilla_profile(&home, &format!("{root}/stray.old"), false, false, 3);
    let thunderbird = mozilla_profile(&home, ".thunderbird/t.default", false, true, 2);
    let seamonkey = mozilla_profile(&home, ".mozilla/seamonkey/s.default", true, true, 1);
    let snap = mozilla_profile(
        &home,
        "snap/firefox/common/.mozilla/firefox/n.default",
        false,
        false,
        1,
    );
    let flatpak = mozilla_profile(
        &home,
        ".var/app/org.mozilla.firefox/.mozilla/firefox/f.default",
        true,
        false,
        1,
    );

    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    never_shown("JSON", &run.stdout);
    for (path, app, count) in [
        (&open, "Firefox", "1 saved password "),
        (&stray, "Firefox", "3 saved passwords"),
        (&thunderbird, "Thunderbird", "2 saved passwords"),
        (&snap, "Firefox (snap)", "1 saved password "),
    ] {
        let f = only(&run, path);
        assert_eq!(f["status"], "fail", "{f}");
        assert_eq!(f["code"], "mozilla-no-primary-password");
        assert_eq!(f["level"], "must-not");
        let message = f["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{app}: {count}")), "{message}");
        assert!(message.contains("key4.db"), "{message}");
        assert!(
            f["fix"].as_str().unwrap().contains("Primary Password"),
            "{f}"
        );
    }
    for path in [&locked, &seamonkey, &flatpak] {
        let f = only(&run, path);
        assert_eq!(
            (f["status"].as_str(), f["code"].as_str()),
            (Some("pass"), Some("app-store-protected")),
            "{f}"
        );
    }
    let f = only(&run, &empty);
    assert_eq!(
        (f["status"].as_str(), f["code"].as_str()),
        (Some("pass"), Some("app-store-empty")),
        "{f}"
    );
}

#[test]
fn an_old_key3_database_is_reported_as_such() {
    if !have("certutil", "an_old_key3_database_is_reported_as_such") {
        return;
    }
    let home = Home::new();
    let dir = home.dir(".mozilla/firefox/old.default", 0o700);
    run_tool(
        "certutil",
        &["-N", "-d", &format!("dbm:{}", p(&dir)), "--empty-password"],
    );
    let logins = home.file(
        ".mozilla/firefox/old.default/logins.json",
        br#"{"logins":[{"encryptedPassword":"MDo="}]}"#,
        0o600,
    );
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    let f = only(&run, &logins);
    assert_eq!(f["status"], "warn");
    assert_eq!(f["level"], "should");
    assert_eq!(f["code"], "mozilla-old-key-database");
}

#[test]
fn chromium_family_basic_store_rows_are_counted() {
    let test = "chromium_family_basic_store_rows_are_counted";
    if !have("sqlite3", test) || !have("openssl", test) {
        return;
    }
    let home = Home::new();
    let chromium = login_data(&home, ".config/chromium/Default/Login Data", 3, 1, false);
    let chrome = login_data(
        &home,
        ".config/google-chrome/Profile 1/Login Data",
        1,
        0,
        false,
    );
    let brave = login_data(
        &home,
        ".config/BraveSoftware/Brave-Browser/Default/Login Data",
        2,
        0,
        true,
    );
    let keyring = login_data(
        &home,
        ".config/google-chrome/Default/Login Data",
        0,
        4,
        false,
    );
    let account = login_data(
        &home,
        ".config/chromium/Default/Login Data For Account",
        0,
        0,
        false,
    );
    home.dir("snap/chromium/common/chromium/Default", 0o700);
    let snap = login_data(
        &home,
        "snap/chromium/common/chromium/Default/Login Data",
        1,
        0,
        false,
    );
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    never_shown("JSON", &run.stdout);
    for (path, start) in [
        (
            &chromium,
            "Chromium: 3 saved passwords that any program running as you can read back (1 more protected)",
        ),
        (&chrome, "Google Chrome: 1 saved password that"),
        (&brave, "Brave: 2 saved passwords that"),
        (&snap, "Chromium (snap): 1 saved password that"),
    ] {
        let f = only(&run, path);
        assert_eq!(f["status"], "fail", "{f}");
        assert_eq!(f["code"], "chromium-basic-store");
        let message = f["message"].as_str().unwrap();
        assert!(message.starts_with(start), "{message}");
        assert!(message.contains("v10"), "{message}");
        assert!(
            f["fix"]
                .as_str()
                .unwrap()
                .contains("--password-store=gnome-libsecret")
        );
    }
    let f = only(&run, &keyring);
    assert_eq!(
        (f["status"].as_str(), f["code"].as_str()),
        (Some("pass"), Some("app-store-protected")),
        "{f}"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("Google Chrome: 4 saved passwords"),
        "{f}"
    );
    let f = only(&run, &account);
    assert_eq!(f["code"], "app-store-empty", "{f}");
}

#[test]
fn damaged_databases_are_skipped_with_the_reason() {
    let test = "damaged_databases_are_skipped_with_the_reason";
    if !have("sqlite3", test) || !have("openssl", test) || !have("certutil", test) {
        return;
    }
    let home = Home::new();
    let whole = login_data(&home, ".config/chromium/Default/Login Data", 2, 0, false);
    let bytes = std::fs::read(&whole).unwrap();
    // Cut mid-page, and cut at a page boundary with the rest of the file lost.
    home.dir(".config/chromium/Profile 1", 0o700);
    let cut = home.file(
        ".config/chromium/Profile 1/Login Data",
        &bytes[..bytes.len() - 700],
        0o600,
    );
    home.dir(".config/chromium/Profile 2", 0o700);
    let short = home.file(
        ".config/chromium/Profile 2/Login Data",
        &bytes[..4096],
        0o600,
    );
    home.dir(".config/chromium/Profile 3", 0o700);
    let junk = home.file(
        ".config/chromium/Profile 3/Login Data",
        b"SQLite format 3\0 but nothing else of one",
        0o600,
    );
    let profile = mozilla_profile(&home, ".mozilla/firefox/bad.default", false, false, 1);
    let key4 = profile.with_file_name("key4.db");
    let key_bytes = std::fs::read(&key4).unwrap();
    std::fs::write(&key4, &key_bytes[..key_bytes.len() / 3]).unwrap();
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(only(&run, &whole)["status"], "fail");
    for path in [&cut, &short, &junk, &profile] {
        let f = only(&run, path);
        assert_eq!(
            (f["status"].as_str(), f["code"].as_str()),
            (Some("skip"), Some("app-store-unread")),
            "{f}"
        );
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("not read:"), "{message}");
    }
}

/// A home with every store of the issue holding the planted password.
fn every_store(home: &Home) -> Vec<PathBuf> {
    let mut paths = vec![
        mozilla_profile(home, ".mozilla/firefox/a.default", false, false, 1),
        login_data(home, ".config/chromium/Default/Login Data", 1, 0, false),
        login_data(
            home,
            ".config/google-chrome/Default/Login Data",
            1,
            0,
            false,
        ),
        login_data(
            home,
            ".config/BraveSoftware/Brave-Browser/Default/Login Data",
            1,
            0,
            false,
        ),
    ];
    for fixture in fixtures() {
        plant(home, &fixture, true);
        paths.push(home.join(fixture.path));
    }
    paths
}

#[test]
fn the_planted_password_never_appears_in_any_output_and_fix_changes_nothing() {
    let test = "the_planted_password_never_appears_in_any_output";
    if !have("certutil", test)
        || !have("sqlite3", test)
        || !have("openssl", test)
        || !have("tmux", test)
    {
        return;
    }
    let home = Home::new();
    let paths = every_store(&home);
    let before: Vec<(Vec<u8>, u32)> = paths
        .iter()
        .map(|p| {
            use std::os::unix::fs::MetadataExt;
            (
                std::fs::read(p).unwrap(),
                std::fs::metadata(p).unwrap().mode(),
            )
        })
        .collect();
    let json = Cli::json(&home, &[]);
    never_shown("JSON", &json.stdout);
    never_shown("stderr", &json.stderr);
    for path in &paths {
        assert_eq!(only(&json, path)["status"], "fail", "{}", path.display());
    }
    let text = Cli::new(["--home", p(home.path()), "--fix"]).run();
    never_shown("text", &text.stdout);
    never_shown("stderr", &text.stderr);
    assert!(
        text.stdout
            .contains("FAIL   ~/.mozilla/firefox/a.default/logins.json\n  mozilla-no-primary-password: Firefox: 1 saved password"),
        "{}",
        text.stdout
    );
    let after: Vec<(Vec<u8>, u32)> = paths
        .iter()
        .map(|p| {
            use std::os::unix::fs::MetadataExt;
            (
                std::fs::read(p).unwrap(),
                std::fs::metadata(p).unwrap().mode(),
            )
        })
        .collect();
    assert!(before == after, "--fix changed a store");
    let checklist = Cli::new(["--home", p(home.path()), "checklist"]).run();
    never_shown("checklist", &checklist.stdout);

    // The login lines, on a real terminal, with a deadline no debug build misses.
    let policy = home.file(
        "policy.toml",
        b"[login]\ndeadline-ms = 10000\nmax-lines = 50\n",
        0o644,
    );
    let line = Cli::new(["--home", p(home.path()), "--policy", p(&policy), "login"])
        .env("TERM", "dumb")
        .shell_line();
    let tmux = Tmux::start(
        "app-stores-login",
        &format!("{}; echo EXIT=$?; sleep 60", line.text()),
    );
    let screen = tmux.wait_for("EXIT=");
    never_shown("login lines", &screen);
    let lines: Vec<&str> = screen
        .lines()
        .filter(|l| l.starts_with("csi-self-check: FAIL"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l
                .contains("~/.mozilla/firefox/a.default/logins.json: Firefox: 1 saved password")),
        "{screen}"
    );
    assert!(
        lines.iter().any(
            |l| l.contains("~/.config/chromium/Default/Login Data: Chromium: 1 saved password")
        ),
        "{screen}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("~/.purple/accounts.xml: Pidgin")),
        "{screen}"
    );
}

#[test]
fn links_fifos_and_profiles_outside_the_home_are_skipped_never_followed() {
    let home = Home::new();
    home.dir(".mozilla/firefox/linked.default", 0o700);
    let link = home.symlink(".mozilla/firefox/linked.default/logins.json", "/etc/passwd");
    home.dir(".config/chromium/Default", 0o700);
    let fifo = home.fifo(".config/chromium/Default/Login Data");
    home.dir(".purple", 0o700);
    let big = home.sparse(".purple/accounts.xml", 1 << 30);
    home.file(
        ".mozilla/firefox/profiles.ini",
        b"[Profile0]\nName=elsewhere\nIsRelative=0\nPath=/etc\n",
        0o644,
    );
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    for (path, words) in [
        (link.as_path(), "symbolic link to /etc/passwd; not followed"),
        (fifo.as_path(), "is a FIFO"),
        (big.as_path(), "more than the 4194304 this check reads"),
        (Path::new("/etc"), "outside the home directory"),
    ] {
        let f = only(&run, path);
        assert_eq!(f["status"], "skip", "{f}");
        assert!(f["message"].as_str().unwrap().contains(words), "{f}");
    }
}

/// A directory on the way that is a link (a dotfiles layout) or cannot be opened
/// is a skip naming it, never taken for an application that is not installed.
#[test]
fn a_linked_or_closed_directory_on_the_way_is_a_skip_not_an_absent_app() {
    let home = Home::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let filezilla = elsewhere.path().join("filezilla");
    std::fs::create_dir(&filezilla).unwrap();
    std::fs::write(
        filezilla.join("sitemanager.xml"),
        "<FileZilla3><Servers><Server><Pass>pw</Pass></Server></Servers></FileZilla3>",
    )
    .unwrap();
    let config = home.symlink(".config", elsewhere.path());
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    // Every application below ~/.config stops at the same link: said once.
    let f = only(&run, &config);
    assert_eq!(f["status"], "skip", "{f}");
    assert_eq!(f["code"], "app-store-unread", "{f}");
    let said = f["message"].as_str().unwrap();
    assert!(
        said.contains("FileZilla") && said.contains("Chromium"),
        "{f}"
    );
    assert!(said.contains("not followed"), "{f}");
    assert!(
        !run.codes().iter().any(|c| c == "app-store-empty"),
        "{}",
        run.stdout
    );
}
