//! `csi-self-check password`: every broken rule at once, a realistic estimate, no
//! password in argv, and no password in any output.

use crate::util::{Cli, Home, Run, SitePolicy, is_root};

/// Every password these tests try; none may appear in any output.
pub const TRIED: &[&str] = &[
    "Password1!",
    "kettle",
    "vX9#qL2!mR7$kT4@",
    "Äßcdefg1!",
    "Wilhelmina1987!",
    "S3cr3t!pw",
    "Tr0ub4dor&3x!",
    "Br3ached-in-PAM!",
    "Dolphin2024!",
    "Captain2024!",
    "F5_mK6Vn",
    "Kettleblue42",
    "Kettle-Blue-42!",
    "Contraseña1!",
    "Zyxkorvat2!",
    "Tavrokxyz2!",
    "Zyxk0rv@t2!",
];

fn check_stdin(password: &[u8], args: &[&str]) -> Run {
    check_stdin_in(&Home::with_ssh(), password, args)
}

/// `password --stdin` with `home` as the home.
fn check_stdin_in(home: &Home, password: &[u8], args: &[&str]) -> Run {
    let mut all = vec![
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--stdin",
    ];
    all.extend_from_slice(args);
    let run = Cli::new(all).stdin(password).run();
    assert_never_shown(&run);
    run
}

pub fn assert_never_shown(run: &Run) {
    for tried in TRIED {
        assert!(!run.stdout.contains(tried), "{tried} appeared on stdout");
        assert!(!run.stderr.contains(tried), "{tried} appeared on stderr");
    }
}

fn codes(run: &Run) -> Vec<String> {
    run.codes()
}

#[test]
fn a_common_password_that_meets_the_composition_rules_is_still_refused() {
    let run = check_stdin(b"Password1!", &["--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&run), ["password-easy-to-guess"]);
    let message = only_message(&run);
    assert!(
        message.contains("easy to guess, although it meets every composition rule"),
        "{message}"
    );
    assert!(message.contains("guesses"), "{message}");
    let text = check_stdin(b"Password1!\n", &[]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains("easy to guess"));
}

#[test]
fn every_broken_rule_is_listed_together() {
    let run = check_stdin(b"kettle", &["--format", "json"]);
    assert_eq!(run.code, 1);
    let codes = codes(&run);
    for code in [
        "password-too-short",
        "password-no-digit",
        "password-no-upper",
        "password-no-symbol",
    ] {
        assert!(
            codes.contains(&code.to_owned()),
            "{code} missing from {codes:?}"
        );
    }
    assert!(!codes.contains(&"password-no-lower".to_owned()));
    for finding in run.json()["findings"].as_array().unwrap() {
        assert_eq!(finding["check"], "password-rules");
        assert_eq!(finding["policy"], "password-entropy");
        assert_eq!(finding["level"], "must");
        assert!(finding["path"].is_null());
    }
}

#[test]
fn a_strong_random_password_passes() {
    let run = check_stdin(b"vX9#qL2!mR7$kT4@\n", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(codes(&run), ["password-ok"]);
}

#[test]
fn letters_are_counted_as_unicode_characters() {
    // Ä is upper-case, ß lower-case, and 9 characters are 11 bytes.
    let run = check_stdin("Äßcdefg1!".as_bytes(), &["--format", "json"]);
    let codes = codes(&run);
    assert!(
        !codes.iter().any(|c| c == "password-no-upper"
            || c == "password-no-lower"
            || c == "password-too-short"),
        "{codes:?}"
    );
    let short = check_stdin("Äßé1!xy".as_bytes(), &["--format", "json"]);
    assert!(codes_of(&short).contains(&"password-too-short".to_owned()));
}

fn codes_of(run: &Run) -> Vec<String> {
    run.codes()
}

#[test]
fn the_account_s_names_count_against_the_password() {
    // The login of the invoking account is one of zxcvbn's user inputs.
    let me = nix::unistd::User::from_uid(nix::unistd::getuid())
        .unwrap()
        .unwrap()
        .name;
    let home = Home::with_ssh();
    let password = format!("{me}{me}!X9");
    let run = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "password",
        "--stdin",
        "--format",
        "json",
    ])
    .stdin(password.as_bytes())
    .run();
    assert!(!run.stdout.contains(&password));
    let json = run.json();
    let message = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect::<String>();
    assert!(
        !message.contains(&me) || me.len() < 4,
        "the message names no part of the password"
    );
}

#[test]
fn stdin_is_bounded_and_must_be_text() {
    let run = check_stdin(&[b'a'; 513], &[]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.trim(),
        "csi-self-check: error: standard input: the password is longer than 512 bytes"
    );
    let mut exactly = vec![b'a'; 512];
    exactly.push(b'\n');
    assert_eq!(check_stdin(&exactly, &[]).code, 1);
    let run = check_stdin(b"\xff\xfeAbc1!", &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
}

#[test]
fn a_common_word_with_a_year_and_a_symbol_is_refused_naming_the_word_and_the_pattern() {
    for (password, word) in [("Dolphin2024!", "dolphin"), ("Captain2024!", "captain")] {
        let run = check_stdin(password.as_bytes(), &["--format", "json"]);
        assert_eq!(run.code, 1, "{password}: {}", run.stdout);
        assert_eq!(codes(&run), ["password-easy-to-guess"], "{password}");
        let message = only_message(&run);
        assert!(
            message.contains(&format!(
                "it is a common word '{word}', capitalised, then a year and a symbol"
            )),
            "{message}"
        );
        assert!(
            message.contains("the policy asks for at least 10^10"),
            "{message}"
        );
        assert!(!message.contains("2024"), "{message}");
    }
}

#[test]
fn a_common_password_no_dictionary_holds_is_refused_as_one() {
    // In the built-in lists (Firefox Accounts' top of Mark Burnett's), in none of
    // zxcvbn's: the Russian "трансформер" typed on a Latin keyboard.
    let run = check_stdin(b"Nhfycajhvth1987!", &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(codes(&run), ["password-easy-to-guess"]);
    let message = only_message(&run);
    assert!(
        message.contains(
            "it is a common password 'nhfycajhvth', capitalised, then a year and a symbol"
        ),
        "{message}"
    );
}

#[test]
fn a_random_eight_character_password_over_all_four_classes_passes() {
    let run = check_stdin(b"F5_mK6Vn", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(codes(&run), ["password-ok"]);
}

#[test]
fn only_visible_characters_count_and_a_nul_is_bad_input() {
    // A tab is no symbol.
    let run = check_stdin(b"Kettleblue42\t", &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(codes(&run).contains(&"password-no-symbol".to_owned()));
    let run = check_stdin("Kettleblue42\u{a0}".as_bytes(), &["--format", "json"]);
    assert!(codes(&run).contains(&"password-no-symbol".to_owned()));
    // A NUL anywhere: a C program would read another password.
    for input in [
        &b"\0Kettle-Blue-42!"[..],
        b"Kettle-Blue-42!\0",
        b"Kettle\0-Blue-42!\n",
    ] {
        let run = check_stdin(input, &[]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert_eq!(
            run.stderr.trim(),
            "csi-self-check: error: standard input: the password contains a NUL byte, which ends a password for PAM and every C program"
        );
    }
}

#[test]
fn a_password_is_never_taken_from_the_command_line() {
    for args in [
        vec!["password", "S3cr3t!pw"],
        vec!["password", "--stdin", "S3cr3t!pw"],
        vec!["S3cr3t!pw", "password"],
    ] {
        let run = Cli::new(&args).stdin(b"").run();
        assert_eq!(run.code, 2, "{args:?}");
        assert_never_shown(&run);
        assert_eq!(run.stderr.lines().count(), 1);
    }
}

#[test]
fn hostile_input_is_judged_quickly_and_never_crashes() {
    for input in [
        "!@#$%^&*()".repeat(51),
        "ab".repeat(256),
        "aA1!".repeat(128),
        "x".repeat(512),
    ] {
        let run = check_stdin(input.as_bytes(), &["--format", "json"]);
        assert!(
            run.code == 0 || run.code == 1,
            "{}: {}",
            run.code,
            run.stderr
        );
        assert!(!run.codes().contains(&"password-estimate-failed".to_owned()));
        assert!(!run.stdout.contains(&input[..40]));
    }
}

#[test]
fn the_policy_sets_the_minimum_score_and_length() {
    let home = Home::with_ssh();
    let strict = home.file(
        "strict.toml",
        b"[password-entropy]\nmin-score = 4\nmin-length = 20\n",
        0o644,
    );
    let run = check_stdin(
        b"vX9#qL2!mR7$kT4@",
        &["--policy", strict.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["password-too-short"]);
    assert!(run.stdout.contains("shorter than 20 characters"));
    let loose = home.file(
        "loose.toml",
        b"[password-entropy]\nmin-guesses-log10 = 6\n",
        0o644,
    );
    let run = check_stdin(b"Password1!", &["--policy", loose.to_str().unwrap()]);
    assert_eq!(
        run.code, 2,
        "a personal file cannot lower the score: {}",
        run.stderr
    );
    assert!(run.stderr.contains("password-entropy.min-guesses-log10"));
}

#[test]
fn without_a_terminal_it_points_to_stdin() {
    // setsid: a new session has no controlling terminal, so /dev/tty cannot open.
    let home = Home::with_ssh();
    let run = Cli::new(["--home", home.path().to_str().unwrap(), "password"])
        .via(&["setsid", "-w"])
        .run();
    assert_eq!(run.code, 2);
    let stderr = &run.stderr;
    assert!(
        stderr.contains("cannot read a password from the terminal") && stderr.contains("--stdin"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

/// The message of the run's one finding.
fn only_message(run: &Run) -> String {
    let json = run.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1, "{json}");
    json["findings"][0]["message"].as_str().unwrap().to_owned()
}

#[test]
fn a_spanish_word_is_refused_with_the_system_s_spanish_list() {
    let test = "a_spanish_word_is_refused_with_the_system_s_spanish_list";
    // Debian's wspanish (tests/run installs it).
    let spanish = "/usr/share/dict/spanish";
    if !std::path::Path::new(spanish).exists() {
        return crate::util::skip(test, "no /usr/share/dict/spanish (Debian's wspanish)");
    }
    let password = "Contraseña1!".as_bytes();
    // zxcvbn's lists are English: without the list it passes.
    let run = check_stdin(password, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let home = Home::with_ssh();
    let policy = home.file(
        "spanish.toml",
        format!("[password-entropy]\nword-lists = [\"{spanish}\"]\n").as_bytes(),
        0o644,
    );
    let run = check_stdin(
        password,
        &["--policy", policy.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(codes(&run), ["password-easy-to-guess"]);
    let message = only_message(&run);
    assert!(
        message
            .contains("it is a word 'contraseña' from the word list 'spanish', capitalised, then"),
        "{message}"
    );
}

#[test]
fn a_list_is_matched_lower_cased_reversed_and_with_look_alikes() {
    let home = Home::with_ssh();
    home.file("words.txt", b"Zyxkorvat\nplumbix\n", 0o600);
    let policy = home.file(
        "words.toml",
        b"[password-entropy]\nword-lists = [\"~/words.txt\"]\n",
        0o644,
    );
    let policy = policy.to_str().unwrap();
    for (password, how) in [
        ("Zyxkorvat2!", "capitalised"),
        ("Tavrokxyz2!", "reversed"),
        ("Zyxk0rv@t2!", "with look-alike characters"),
    ] {
        let run = check_stdin_in(
            &home,
            password.as_bytes(),
            &["--policy", policy, "--format", "json"],
        );
        assert_eq!(run.code, 1, "{password}: {}", run.stdout);
        let message = only_message(&run);
        assert!(
            message.contains("a word 'zyxkorvat' from the word list 'words.txt'")
                && message.contains(how),
            "{password}: {message}"
        );
        // Without the list, the same password is a random run of letters.
        let run = check_stdin_in(&home, password.as_bytes(), &["--format", "json"]);
        assert_eq!(run.code, 0, "{password}: {}", run.stdout);
    }
}

#[test]
fn a_list_that_cannot_be_read_is_an_error_never_an_empty_list() {
    let home = Home::with_ssh();
    home.fifo("fifo");
    for list in ["/nonexistent/words", "~/fifo"] {
        let policy = home.file(
            "lists.toml",
            format!("[password-entropy]\nword-lists = [\"{list}\"]\n").as_bytes(),
            0o644,
        );
        let run = check_stdin_in(
            &home,
            b"Kettle-Blue-42!",
            &["--policy", policy.to_str().unwrap(), "--format", "json"],
        );
        assert_eq!(run.code, 2, "{list}: {}", run.stdout);
        assert!(
            codes(&run).contains(&"password-word-list-unusable".to_owned()),
            "{list}: {}",
            run.stdout
        );
    }
}

#[test]
fn word_lists_import_compiles_the_system_s_lists_once_for_every_check() {
    let home = Home::with_ssh();
    let list = home.file("palabras", "zorrovaca\nContraseña\n".as_bytes(), 0o644);
    let site = SitePolicy::new(
        "word-lists",
        &format!(
            "[password-entropy]\nword-lists = [\"{}\", \"~/own\"]\n",
            list.display()
        ),
    );
    let import = Cli::new([
        "--home",
        home.path().to_str().unwrap(),
        "--policy",
        site.arg(),
        "--format",
        "json",
        "word-lists",
        "import",
    ])
    .run();
    if !is_root() {
        assert_eq!(import.code, 2, "{}", import.stdout);
        assert!(import.stderr.contains("is for root"), "{}", import.stderr);
        return;
    }
    assert_eq!(import.code, 0, "{}", import.stderr);
    let json = import.json();
    let lists = json["word_lists"].as_array().unwrap();
    // The person's own list (~/) is compiled at every check, never imported.
    assert_eq!(lists.len(), 1, "{json}");
    assert_eq!(lists[0]["list"], list.to_str().unwrap());
    assert_eq!(lists[0]["words"], 2);
    let index = std::path::PathBuf::from(lists[0]["index"].as_str().unwrap());
    assert!(
        index.ends_with("var/lib/csi-self-check/word-lists/".to_owned() + &index_name(&list)),
        "{}",
        index.display()
    );
    assert!(index.is_file(), "{}", index.display());
    // In the test's own system root, never the machine's.
    assert!(!index.starts_with("/var/lib"), "{}", index.display());
    home.file("own", b"plumbix\n", 0o600);
    let run = check_stdin_in(
        &home,
        "Contraseña1!".as_bytes(),
        &["--policy", site.arg(), "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        only_message(&run).contains("a word 'contraseña' from the word list 'palabras'"),
        "{}",
        run.stdout
    );
}

/// `/a/b` → `a_b.idx`, as `word-lists import` names an index.
fn index_name(list: &std::path::Path) -> String {
    let flat: String = list
        .to_str()
        .unwrap()
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    flat + ".idx"
}
