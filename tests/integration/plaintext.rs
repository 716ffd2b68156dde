//! Passwords in the clear: history files and credential files, each finding with
//! file, line, the line masked and an encryption verdict, and `history --redact`,
//! which removes them atomically and leaves every other byte as it was.

use std::path::Path;

use crate::util::{Cli, Home, Run, chmod, listing};

/// The secrets of the acceptance test; none may appear in any output.
const SECRETS: &[&str] = &[
    "S3cr3t!x",
    "hunter2hunter2",
    "W1ldcat!",
    "N3tRc-pw!",
    "ghp_git-cred-pw",
];

fn never_shown(run: &Run) {
    for secret in SECRETS {
        assert!(
            !run.stdout.contains(secret),
            "{secret} on stdout:\n{}",
            run.stdout
        );
        assert!(!run.stderr.contains(secret), "{secret} on stderr");
    }
}

fn fixture() -> Home {
    let home = Home::new();
    home.file(
        ".bash_history",
        b"ls -la\n#1700000000\nsshpass -p 'S3cr3t!x' ssh host\ncd /tmp\nexport DB_PASSWORD=hunter2hunter2\nmysql -p\n",
        0o600,
    );
    home.file(
        ".zsh_history",
        b": 1700000000:0;git status\n: 1700000001:0;mysql -uroot -pW1ldcat!\n",
        0o600,
    );
    home.file(
        ".netrc",
        b"machine example.org\n  login alice\n  password N3tRc-pw!\n",
        0o644,
    );
    home.file(
        ".git-credentials",
        b"https://alice:ghp_git-cred-pw@github.com\n",
        0o600,
    );
    home
}

#[test]
fn every_secret_is_reported_with_file_line_mask_and_verdict() {
    let home = fixture();
    let run = Cli::json(&home, &["--only", "history-secrets,credential-files"]);
    never_shown(&run);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let history = run.findings_of("history-secrets");
    let secrets: Vec<&serde_json::Value> = history
        .iter()
        .filter(|f| f["code"] == "history-secret")
        .collect();
    let at = |file: &str, line: u32| {
        secrets.iter().any(|f| {
            f["path"] == home.join(file).to_str().unwrap()
                && f["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("line {line}:"))
        })
    };
    assert!(at(".bash_history", 3), "{history:#?}");
    assert!(at(".bash_history", 5), "{history:#?}");
    assert!(at(".zsh_history", 2), "{history:#?}");
    assert_eq!(
        secrets.len(),
        3,
        "mysql -p alone prompts and is no secret: {history:#?}"
    );
    for f in &secrets {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("********"), "masked: {message}");
        assert!(
            message.contains("encrypt") || message.contains("in RAM"),
            "verdict: {message}"
        );
        assert_eq!(f["level"], "must-not");
        assert_eq!(f["policy"], "password-usage");
    }
    let credentials = run.findings_of("credential-files");
    let netrc = credentials
        .iter()
        .find(|f| f["path"] == home.join(".netrc").to_str().unwrap())
        .unwrap();
    assert_eq!(netrc["code"], "credential-file-readable");
    assert_eq!(netrc["status"], "fail");
    assert!(netrc["message"].as_str().unwrap().contains("line 3"));
    assert!(
        credentials
            .iter()
            .any(|f| f["path"] == home.join(".git-credentials").to_str().unwrap())
    );
    // Text output, too.
    let text = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "history-secrets,credential-files",
    ])
    .run();
    never_shown(&text);
    assert!(text.stdout.contains("sshpass -p"), "{}", text.stdout);
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn redact_removes_the_secrets_and_keeps_every_other_byte() {
    let home = fixture();
    let names = listing(home.path());
    let bash = home.join(".bash_history");
    let before = read(&bash);
    let run = Cli::new(["history", "--redact", bash.to_str().unwrap(), "--yes"]).run();
    never_shown(&run);
    assert_eq!(run.code, 0, "{} {}", run.stdout, run.stderr);
    let after = read(&bash);
    let expected = String::from_utf8(before)
        .unwrap()
        .replace("S3cr3t!x", "<redacted>")
        .replace("hunter2hunter2", "<redacted>");
    assert_eq!(String::from_utf8(after).unwrap(), expected);
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&bash).unwrap().permissions())
            & 0o777;
    assert_eq!(mode, 0o600, "the mode is kept");
    let zsh = home.join(".zsh_history");
    assert_eq!(
        Cli::new(["history", "--redact", zsh.to_str().unwrap(), "--yes"])
            .run()
            .code,
        0
    );
    // A second run finds nothing.
    let again = Cli::json(&home, &["--only", "history-secrets"]);
    assert!(
        !again.codes().contains(&"history-secret".to_owned()),
        "{}",
        again.stdout
    );
    let none = Cli::new(["history", "--redact", bash.to_str().unwrap(), "--yes"]).run();
    assert!(none.stdout.contains("no secrets found"), "{}", none.stdout);
    // No temporary file is left behind.
    assert_eq!(listing(home.path()), names);
}

#[test]
fn a_redact_that_is_not_confirmed_leaves_the_original_intact() {
    let home = fixture();
    let names = listing(home.path());
    let bash = home.join(".bash_history");
    let before = read(&bash);
    // No terminal to ask on (a new session) and no --yes: nothing is replaced.
    let out = Cli::new(["history", "--redact", bash.to_str().unwrap()])
        .via(&["setsid", "-w"])
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("nothing was replaced"));
    assert_eq!(read(&bash), before, "the original is untouched");
    assert_eq!(listing(home.path()), names, "the temporary file is removed");
    for secret in SECRETS {
        assert!(!out.stdout.contains(secret));
    }
}

#[test]
fn a_history_file_that_is_a_link_is_reported_not_followed() {
    let home = Home::new();
    home.symlink(".bash_history", "/dev/null");
    let secret = home.file("elsewhere", b"sshpass -p 'S3cr3t!x' ssh host\n", 0o600);
    home.symlink(".zsh_history", &secret);
    home.file(".python_history", b"print(1)\n", 0o644);
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    never_shown(&run);
    let codes = run.codes();
    assert!(codes.contains(&"history-discarded".to_owned()), "{codes:?}");
    assert!(
        codes.contains(&"history-not-regular".to_owned()),
        "{codes:?}"
    );
    assert!(codes.contains(&"history-file-open".to_owned()), "{codes:?}");
    assert!(
        !codes.contains(&"history-secret".to_owned()),
        "the link was not followed: {codes:?}"
    );
}

#[test]
fn a_huge_history_is_read_in_bounded_chunks() {
    let home = Home::new();
    let path = home.join(".bash_history");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..400_000 {
            writeln!(
                file,
                "make -j4 target{i} && ./run --verbose --output out{i}.txt"
            )
            .unwrap();
        }
        writeln!(file, "export API_TOKEN=hunter2hunter2").unwrap();
        // A single line longer than the read buffer.
        file.write_all(&vec![b'a'; 3 << 20]).unwrap();
        writeln!(file).unwrap();
        writeln!(file, "sshpass -p 'S3cr3t!x' ssh host").unwrap();
    }
    crate::util::chmod(&path, 0o600);
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    never_shown(&run);
    let lines: Vec<String> = run
        .findings_of("history-secrets")
        .iter()
        .filter(|f| f["code"] == "history-secret")
        .map(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .split(':')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        lines,
        ["line 400001", "line 400003"],
        "line numbers survive chunking"
    );
}

#[test]
fn the_file_histfile_names_is_scanned_too() {
    let home = Home::new();
    home.file(
        ".bashrc",
        b"HISTFILE=~/.history/bash\nHISTCONTROL=ignoreboth\n",
        0o644,
    );
    home.dir(".history", 0o700);
    let named = home.file(
        ".history/bash",
        b"ls\nsshpass -p 'S3cr3t!x' ssh host\n",
        0o600,
    );
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    never_shown(&run);
    let hits = run.findings_of("history-secrets");
    assert!(
        hits.iter()
            .any(|f| f["path"] == named.to_str().unwrap() && f["code"] == "history-secret"),
        "{hits:#?}"
    );
}

// The forms of the unit tests, as plain data.
#[path = "../../src/plaintext/forms.rs"]
#[allow(dead_code)]
mod forms;

/// Pseudo-random secrets for the planted forms, the same on every run.
fn secret_for(seed: u64, alphabet: &[u8]) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    forms::random_secret(&mut next, alphabet)
}

/// Each form with a made-up secret: (line, secret).
fn planted_forms() -> Vec<(String, String)> {
    forms::FORMS
        .iter()
        .enumerate()
        .map(|(i, &(_, template, alphabet))| {
            let random = secret_for(i as u64 + 1, alphabet.bytes());
            let (line, _, secret) = forms::plant(template, &random);
            (line, secret)
        })
        .collect()
}

/// A history in each shell's own format: bash (plain), zsh (extended: `: epoch:0;`)
/// and fish (`- cmd:` with its backslash escapes, then `when:`).
fn histories(lines: &[String]) -> [(&'static str, String); 3] {
    let mut bash = String::new();
    let mut zsh = String::new();
    let mut fish = String::new();
    for (i, line) in lines.iter().enumerate() {
        bash.push_str(&format!("{line}\n"));
        zsh.push_str(&format!(": {}:0;{line}\n", 1_700_000_000 + i));
        let escaped = line.replace('\\', "\\\\");
        fish.push_str(&format!(
            "- cmd: {escaped}\n  when: {}\n",
            1_700_000_000 + i
        ));
    }
    [
        (".bash_history", bash),
        (".zsh_history", zsh),
        (".local/share/fish/fish_history", fish),
    ]
}

/// No 6-character piece of any secret in what a run printed, but for pieces of the
/// format's own fixed text that a kind names too (`bedrock` of `bedrock-api-key-…`).
fn no_piece_shown(run: &Run, secrets: &[String]) {
    let kinds: String = tokens::TOKENS
        .iter()
        .map(|t| t.kind.to_lowercase())
        .collect();
    for secret in secrets {
        for piece in secret.as_bytes().windows(6) {
            let piece = String::from_utf8_lossy(piece);
            if kinds.contains(&piece.to_lowercase()) {
                continue;
            }
            let shown = |out: &str| out.lines().find(|l| l.contains(&*piece)).map(str::to_owned);
            let line = shown(&run.stdout).or_else(|| shown(&run.stderr));
            assert!(
                line.is_none(),
                "{piece:?} of {secret:?} was printed: {line:?}"
            );
        }
    }
}

/// For every form: found in bash, zsh and fish histories, one finding per line, masked
/// whole in JSON and text, and removed by `history --redact` with every other byte kept.
fn found_masked_and_redacted(planted: &[(String, String)]) {
    // A check reports at most 200 findings (the rest in one line): three histories
    // of 60 lines each stay within it.
    for batch in planted.chunks(60) {
        found_masked_and_redacted_in_one_home(batch);
    }
}

fn found_masked_and_redacted_in_one_home(planted: &[(String, String)]) {
    let lines: Vec<String> = planted.iter().map(|(l, _)| l.clone()).collect();
    let secrets: Vec<String> = planted.iter().map(|(_, s)| s.clone()).collect();
    let home = Home::new();
    home.dir(".local", 0o700);
    home.dir(".local/share", 0o700);
    home.dir(".local/share/fish", 0o700);
    let files = histories(&lines);
    for (rel, text) in &files {
        home.file(rel, text.as_bytes(), 0o600);
    }
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    no_piece_shown(&run, &secrets);
    let found = run.findings_of("history-secrets");
    for (rel, _) in &files {
        let path = home.join(rel);
        let count = found
            .iter()
            .filter(|f| f["code"] == "history-secret" && f["path"] == path.to_str().unwrap())
            .count();
        assert_eq!(count, lines.len(), "{rel}: {found:#?}");
    }
    let text = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--only",
        "history-secrets",
    ])
    .run();
    no_piece_shown(&text, &secrets);
    for (rel, before) in &files {
        let path = home.join(rel);
        let run = Cli::new(["history", "--redact", path.to_str().unwrap(), "--yes"]).run();
        assert_eq!(run.code, 0, "{rel}: {}", run.stderr);
        no_piece_shown(&run, &secrets);
        let mut expected = before.clone();
        for secret in &secrets {
            assert!(expected.contains(secret.as_str()), "{secret}");
            expected = expected.replacen(secret.as_str(), "<redacted>", 1);
        }
        assert_eq!(String::from_utf8(read(&path)).unwrap(), expected, "{rel}");
    }
}

#[test]
fn every_command_line_and_repl_form_in_every_shell() {
    found_masked_and_redacted(&planted_forms());
}

// The token formats and the code that makes examples of them.
#[path = "../../src/plaintext/shapes.rs"]
#[allow(dead_code)]
mod shapes;
#[path = "../../src/plaintext/tokens.rs"]
#[allow(dead_code)]
mod tokens;

/// Each token format, made from its shape, in one of the places a token stands.
fn planted_tokens() -> Vec<(String, String)> {
    tokens::TOKENS
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let whole = shapes::example(token, i as u64 + 100);
            let secret = shapes::secret_of(token, &whole);
            let context = shapes::CONTEXTS[i % shapes::CONTEXTS.len()];
            (context.replace("<T>", &whole), secret)
        })
        .collect()
}

#[test]
fn every_token_format_in_every_shell() {
    found_masked_and_redacted(&planted_tokens());
}

#[test]
fn gem_credentials_as_gem_signin_writes_them_are_reported() {
    let home = Home::new();
    home.dir(".gem", 0o700);
    let format = tokens::TOKENS
        .iter()
        .find(|t| t.id == "rubygems-api-token")
        .unwrap();
    let key = shapes::example(format, 42);
    let path = home.file(
        ".gem/credentials",
        format!("---\n:rubygems_api_key: {key}\n").as_bytes(),
        0o600,
    );
    let run = Cli::json(&home, &["--only", "credential-files"]);
    assert!(!run.stdout.contains(&key[9..]), "{}", run.stdout);
    let gem: Vec<serde_json::Value> = run
        .findings_of("credential-files")
        .into_iter()
        .filter(|f| f["path"] == path.to_str().unwrap())
        .collect();
    assert!(
        gem.iter()
            .any(|f| f["status"] == "fail" && f["message"].as_str().unwrap().contains("line 2")),
        "{gem:#?}"
    );
}

/// The advice for git's passwords names a helper this machine has, or says how to
/// get one: installed (Fedora's package), only as source (Debian's), or neither.
#[test]
fn the_git_keyring_advice_fits_the_machine() {
    let home = Home::new();
    home.file(
        ".git-credentials",
        b"https://alice:Kettle-Blue-42@example.org\n",
        0o644,
    );
    let fix_with = |sysroot: &Path| {
        let run = Cli::new([
            "--home",
            home.path().to_str().unwrap(),
            "--format",
            "json",
            "--only",
            "credential-files",
        ])
        .env(crate::util::SYSROOT_VAR, sysroot.to_str().unwrap())
        .run();
        let doc = run.json();
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "credential-file-readable")
            .unwrap_or_else(|| panic!("{}", run.stdout))["fix"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let bare = tempfile::tempdir().unwrap();
    let fix = fix_with(bare.path());
    assert!(fix.contains("once installed"), "{fix}");
    let debian = tempfile::tempdir().unwrap();
    let source = debian
        .path()
        .join("usr/share/doc/git/contrib/credential/libsecret");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("Makefile"), b"all:\n").unwrap();
    let fix = fix_with(debian.path());
    assert!(
        fix.contains("sudo make -C /usr/share/doc/git/contrib/credential/libsecret"),
        "{fix}"
    );
    assert!(
        fix.contains("credential.helper /usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret"),
        "{fix}"
    );
    let fedora = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(fedora.path().join("usr/libexec/git-core")).unwrap();
    std::fs::write(
        fedora
            .path()
            .join("usr/libexec/git-core/git-credential-libsecret"),
        b"",
    )
    .unwrap();
    let fix = fix_with(fedora.path());
    assert!(
        fix.contains("git config --global credential.helper libsecret"),
        "{fix}"
    );
    assert!(!fix.contains("install") && !fix.contains("make"), "{fix}");
}

/// A credential file behind a link (a dotfiles layout) or in a directory that
/// cannot be opened is a skip saying so, never a clean pass.
#[test]
fn a_credential_file_that_cannot_be_reached_is_a_skip() {
    let home = Home::new();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        elsewhere.path().join("config.json"),
        br#"{"auths":{"registry.example.com":{"auth":"Ym9iOnNlY3JldA=="}}}"#,
    )
    .unwrap();
    home.symlink(".docker", elsewhere.path());
    let run = Cli::json(&home, &["--only", "credential-files"]);
    let config = home.join(".docker/config.json");
    let found = run.skip_at("credential-files", &config, "symbolic link");
    assert!(
        found.iter().all(|f| f["status"] != "pass"),
        "{}",
        run.stdout
    );
}

/// A history whose directory is a link is a skip naming it, never passed over.
#[test]
fn a_history_behind_a_linked_directory_is_a_skip() {
    let home = Home::new();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(
        elsewhere.path().join("fish_history"),
        b"- cmd: mysql -uroot -pS3cretPw1\n",
    )
    .unwrap();
    home.dir(".local/share", 0o700);
    home.symlink(".local/share/fish", elsewhere.path());
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    let history = home.join(".local/share/fish/fish_history");
    run.skip_at("history-secrets", &history, "symbolic link");
}

/// A history over the gibibyte read of one (a sparse file of any size costs
/// nothing to make) is a skip at once, never hours of reading or a pass.
#[test]
fn a_history_over_the_bound_is_a_skip_not_read() {
    let home = Home::new();
    let history = home.sparse(".bash_history", (1 << 30) + 1);
    chmod(&history, 0o600);
    let run = Cli::json(&home, &["--only", "history-secrets"]);
    run.skip_at("history-secrets", &history, "1073741825 bytes");
}
