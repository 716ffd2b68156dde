//! The default report on a real terminal (tmux at 80 and 150 columns), on homes like
//! the issue's `alice` (a typical developer's: an unencrypted key, agent forwarding
//! for every host, a password in her shell history and two open credential files)
//! and `bob` (a tidy one): problems first and ranked, one entry per file, what passed
//! in a line per item, the verdict last, wrapped at the terminal's width and never
//! inside a word; piped output is not wrapped.

use crate::util::{Cli, Home, Tmux, have};

/// A random-looking secret of `len` characters, made now: never a real token.
pub fn made_up_secret(len: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as usize
        | 1;
    (0..len)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            char::from(alphabet[(seed >> 33) % alphabet.len()])
        })
        .collect()
}

/// alice's home: an unencrypted ed25519 key and an encrypted RSA key (both as
/// ssh-keygen leaves them, 0600), `ForwardAgent yes` under `Host *`, a MySQL password
/// in an open `.bash_history`, and `.netrc` and `.aws/credentials` readable by all.
pub fn alice() -> Home {
    let home = Home::with_ssh();
    home.keygen(".ssh/id_ed25519", None, None, 0o600);
    home.keygen(
        ".ssh/id_rsa",
        Some("Correct-Horse-9!"),
        Some("PKCS8"),
        0o600,
    );
    home.file(".ssh/config", b"Host *\n    ForwardAgent yes\n", 0o644);
    let password = format!("Pw{}", made_up_secret(10));
    home.file(
        ".bash_history",
        format!("ls -la\nmysql -u alice -p{password} app\ncd /tmp\n").as_bytes(),
        0o644,
    );
    home.file(
        ".netrc",
        format!("machine example.org login alice password {password}\n").as_bytes(),
        0o644,
    );
    home.dir(".aws", 0o755);
    home.file(
        ".aws/credentials",
        format!(
            "[default]\naws_access_key_id = AKIA{}\naws_secret_access_key = {}\n",
            made_up_secret(16).to_uppercase(),
            made_up_secret(40)
        )
        .as_bytes(),
        0o644,
    );
    home
}

/// bob's home: one encrypted key at 0400, history kept with ignorespace.
pub fn bob() -> Home {
    let home = Home::with_ssh();
    home.keygen(".ssh/id_ed25519", Some("Correct-Horse-9!"), None, 0o400);
    home.file(".bashrc", b"HISTCONTROL=ignoreboth\n", 0o644);
    home.file(".bash_history", b"ls -la\ncd /tmp\n", 0o600);
    home
}

/// The machine the report tests show: Debian's, as CI runs on, where git's keyring
/// helper comes only as source (the longest advice a fix gives for alice's files).
fn debian() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let source = root
        .path()
        .join("usr/share/doc/git/contrib/credential/libsecret");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("Makefile"), b"all:\n").unwrap();
    root
}

thread_local! {
    static MACHINE: tempfile::TempDir = debian();
}

/// The binary on `home`, on the Debian machine, with `args`.
pub fn csi(home: &Home, args: &[&str]) -> Cli {
    let mut all = vec!["--home", home.path().to_str().unwrap()];
    all.extend_from_slice(args);
    MACHINE.with(|machine| {
        Cli::new(all).env(crate::util::SYSROOT_VAR, machine.path().to_str().unwrap())
    })
}

/// The rows a terminal of `columns` shows for `args` on `home`, up to the shell's
/// `EXIT=` line; and that line.
pub fn on_screen(home: &Home, columns: u16, args: &[&str]) -> (Vec<String>, String) {
    let line = csi(home, args).env("TERM", "xterm").shell_line();
    let tag = format!("report-{columns}-{}", home.path().display()).replace(['/', '.'], "");
    let tmux = Tmux::sized(
        &tag,
        &format!("{}; echo EXIT=$?; sleep 60", line.text()),
        columns,
        200,
    );
    tmux.wait_for("EXIT=");
    let mut rows = tmux.rows();
    let exit = rows.iter().position(|r| r.starts_with("EXIT=")).unwrap();
    let status = rows[exit].clone();
    rows.truncate(exit);
    (rows, status)
}

/// The words of a text, for comparing what a terminal shows with what a pipe gets:
/// a word cut in two by a wrap would show as two.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn bobs_whole_report_fits_twelve_rows_and_ends_with_the_verdict() {
    let test = "bobs_whole_report_fits_twelve_rows_and_ends_with_the_verdict";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = bob();
    let (rows, exit) = on_screen(&home, 80, &[]);
    let screen = rows.join("\n");
    println!("bob at 80 columns, {} rows:\n{screen}", rows.len());
    assert_eq!(exit, "EXIT=0", "{screen}");
    assert!(rows.len() <= 12, "{} rows:\n{screen}", rows.len());
    assert!(
        rows.last()
            .unwrap()
            .starts_with("Compliant with the CSI End User Standards"),
        "{screen}"
    );
    // Passes are one line per item; reminders never sit under a MUST heading.
    assert!(screen.contains("PASS   Key security: "), "{screen}");
    assert!(!screen.contains("MUST"), "{screen}");
    assert!(
        screen.contains("reminders due: csi-self-check checklist"),
        "{screen}"
    );
    // The first run showed every reminder as due; `all` shows the same ones again.
    let piped = csi(&home, &["--remind", "all"]).run();
    assert_eq!(words(&screen), words(&piped.stdout));
}

#[test]
fn alices_must_level_problems_come_first_within_24_rows() {
    let test = "alices_must_level_problems_come_first_within_24_rows";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = alice();
    let json = Cli::json(&home, &[]).json();
    let must: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail" && f["level"].as_str().unwrap().starts_with("must"))
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let short = path.replace(home.path().to_str().unwrap(), "~");
            (f["code"].as_str().unwrap().to_owned(), short)
        })
        .collect();
    assert!(must.len() >= 5, "{json}");
    let (rows, exit) = on_screen(&home, 80, &[]);
    let screen = rows.join("\n");
    println!("alice at 80 columns, {} rows:\n{screen}", rows.len());
    assert_eq!(exit, "EXIT=1", "{screen}");
    // The fixes are this machine's: git's helper from the source Debian ships.
    assert!(
        screen.contains("git-credential-libsecret, built from"),
        "{screen}"
    );
    let first_24 = rows[..rows.len().min(24)].join("\n");
    for (code, path) in &must {
        assert!(
            first_24.contains(&format!("  {code}")),
            "{code} is not within the first 24 rows:\n{screen}"
        );
        assert!(first_24.contains(path.as_str()), "{path}:\n{screen}");
    }
    // One entry per file: each file with a problem heads one entry only.
    for path in ["~/.netrc", "~/.aws/credentials", "~/.bash_history"] {
        let headings = rows
            .iter()
            .filter(|r| {
                r.starts_with("FAIL")
                    && r.split_whitespace().nth(1) == Some(&format!("{path}:")[..])
                    || r.starts_with(&format!("FAIL   {path}"))
            })
            .count();
        assert_eq!(headings, 1, "{path}:\n{screen}");
    }
    // Problems, then passes, then reminders, then the verdict.
    let position = |prefix: &str| rows.iter().position(|r| r.starts_with(prefix));
    let last_fail = rows.iter().rposition(|r| r.starts_with("FAIL")).unwrap();
    assert!(position("PASS").unwrap() > last_fail, "{screen}");
    assert!(
        position("REMIND").unwrap() > position("PASS").unwrap(),
        "{screen}"
    );
    let must_count = must.len();
    assert_eq!(
        rows.last().unwrap(),
        &format!("Not compliant: {must_count} must-level problems"),
        "{screen}"
    );
    // Wrapped within 80 columns, with a hanging indent, never inside a word.
    assert!(rows.iter().all(|r| r.chars().count() <= 80));
    assert!(
        rows.iter()
            .filter(|r| !r.is_empty())
            .all(|r| !r.starts_with(' ') || r.starts_with("  ")),
        "{screen}"
    );
    let piped = csi(&home, &[]).run();
    assert_eq!(words(&screen), words(&piped.stdout));
    // A pipe gets each problem on one line, however long.
    assert!(
        piped
            .stdout
            .lines()
            .any(|l| l.contains("ForwardAgent yes") && l.contains("while you are connected")),
        "{}",
        piped.stdout
    );
}

#[test]
fn a_wider_terminal_takes_fewer_rows_for_the_same_words() {
    let test = "a_wider_terminal_takes_fewer_rows_for_the_same_words";
    if !have("tmux", test) || !have("ssh-keygen", test) {
        return;
    }
    let home = alice();
    let (narrow, _) = on_screen(&home, 80, &["--remind", "all"]);
    let (wide, _) = on_screen(&home, 150, &["--remind", "all"]);
    assert!(
        wide.len() < narrow.len(),
        "{} vs {}",
        wide.len(),
        narrow.len()
    );
    assert!(wide.iter().any(|r| r.chars().count() > 100), "{wide:#?}");
    assert!(wide.iter().all(|r| r.chars().count() <= 150));
    assert_eq!(words(&narrow.join("\n")), words(&wide.join("\n")));
}

#[test]
fn colour_marks_the_status_word_and_heading_and_fixes_are_full_strength() {
    let test = "colour_marks_the_status_word_and_heading_and_fixes_are_full_strength";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = alice();
    let run = Cli::new(["--home", home.path().to_str().unwrap(), "--color", "always"]).run();
    let fixes: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("fix:"))
        .collect();
    assert!(!fixes.is_empty(), "{}", run.stdout);
    assert!(fixes.iter().all(|l| !l.contains('\x1b')), "{fixes:?}");
    let fail = run.stdout.lines().find(|l| l.contains("FAIL")).unwrap();
    assert!(fail.starts_with("\x1b["), "{fail:?}");
}

#[test]
fn verbose_shows_every_pass_and_reminder_in_full() {
    let test = "verbose_shows_every_pass_and_reminder_in_full";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = bob();
    let h = home.path().to_str().unwrap();
    let short = Cli::new(["--home", h]).run();
    let verbose = Cli::new(["--home", h, "--verbose"]).run();
    assert_eq!(short.code, verbose.code);
    assert!(verbose.stdout.lines().count() > short.stdout.lines().count() + 10);
    assert!(
        verbose.stdout.contains("[private-key-ok]"),
        "{}",
        verbose.stdout
    );
    assert!(
        verbose.stdout.contains("[backup-never-confirmed]"),
        "{}",
        verbose.stdout
    );
    let both = Cli::new(["--home", h, "--verbose", "--quiet"]).run();
    assert_eq!(both.code, 2);
}

/// The mode problems of alice's home, and more: a home others can write, an open
/// ~/.ssh, ~/.gnupg and keyring directory.
fn alice_wide_open() -> Home {
    let home = alice();
    crate::util::chmod(home.path(), 0o777);
    crate::util::chmod(&home.join(".ssh"), 0o755);
    home.dir(".gnupg", 0o755);
    home.dir(".local/share/keyrings", 0o755);
    home
}

/// Every code whose fix is a change of mode.
const MODE_CODES: &[&str] = &[
    "home-writable",
    "ssh-dir-too-open",
    "key-dir-too-open",
    "private-key-world-accessible",
    "private-key-group-writable",
    "private-key-group-readable",
    "private-key-owner-writable",
    "authorized-keys-writable",
    "ssh-config-writable",
    "credential-file-readable",
    "history-file-open",
];

#[test]
fn fix_makes_every_mode_fix_it_prints_and_says_each_even_when_quiet() {
    let test = "fix_makes_every_mode_fix_it_prints_and_says_each_even_when_quiet";
    if !have("ssh-keygen", test) {
        return;
    }
    let home = alice_wide_open();
    let before = Cli::json(&home, &[]).codes();
    for code in [
        "home-writable",
        "ssh-dir-too-open",
        "key-dir-too-open",
        "credential-file-readable",
        "history-file-open",
        "private-key-owner-writable",
    ] {
        assert!(before.iter().any(|c| c == code), "{code}: {before:?}");
    }
    let fixed = Cli::new(["--home", home.path().to_str().unwrap(), "--fix", "--quiet"]).run();
    for change in [
        "--fix: 0777 → 0755 ~\n",
        "--fix: 0755 → 0700 ~/.ssh\n",
        "--fix: 0755 → 0700 ~/.gnupg\n",
        "--fix: 0755 → 0700 ~/.local/share/keyrings\n",
        "--fix: 0644 → 0600 ~/.netrc\n",
        "--fix: 0644 → 0600 ~/.aws/credentials\n",
        "--fix: 0644 → 0600 ~/.bash_history\n",
        "--fix: 0600 → 0400 ~/.ssh/id_ed25519\n",
        "--fix: 0600 → 0400 ~/.ssh/id_rsa\n",
    ] {
        assert!(fixed.stdout.contains(change), "{change}: {}", fixed.stdout);
    }
    // ~/.ssh/config is writable by nobody else: nothing to change, nothing said.
    assert!(
        !fixed.stdout.contains("~/.ssh/config\n"),
        "{}",
        fixed.stdout
    );
    let mode = |rel: &str| {
        std::os::unix::fs::PermissionsExt::mode(
            &std::fs::symlink_metadata(home.join(rel))
                .unwrap()
                .permissions(),
        ) & 0o7777
    };
    assert_eq!(mode(".netrc"), 0o600);
    assert_eq!(mode(".ssh/id_ed25519"), 0o400);
    // Then a plain run: no mode problem left.
    let after = Cli::json(&home, &[]).codes();
    let left: Vec<&String> = after
        .iter()
        .filter(|c| MODE_CODES.contains(&c.as_str()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // The JSON of a --fix run lists the changes.
    let other = alice_wide_open();
    let json = Cli::json(&other, &["--fix"]).json();
    let changes = json["changes"].as_array().unwrap();
    let netrc = other.join(".netrc");
    assert!(
        changes.iter().any(|c| c["path"] == netrc.to_str().unwrap()
            && c["from"] == "0644"
            && c["to"] == "0600"),
        "{changes:?}"
    );
    assert_eq!(
        Cli::json(&other, &[]).json()["changes"],
        serde_json::json!([])
    );
}
