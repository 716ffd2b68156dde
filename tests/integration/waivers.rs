//! Waivers in the site policy: a covered failure is `waived` (shown, counted, not a
//! failure of the run), an expired waiver covers nothing and is reported, a personal
//! file can never waive, and `policy show` lists them.

use crate::util::{Cli, Home, SitePolicy, have, is_root, skip};

/// A waiver of the key-passwords item for `account`'s `~/.ssh/id_*`, until `expires`.
fn role_account_waiver(account: &str, expires: &str) -> String {
    format!(
        "[[waiver]]\n\
         item = \"key-passwords\"\n\
         paths = [\"~/.ssh/id_*\"]\n\
         accounts = [\"{account}\"]\n\
         reason = \"2.1.1 Role Accounts: the nightly deploy runs unattended\"\n\
         granted-by = \"Jane Admin, ticket SEC-42\"\n\
         expires = {expires}\n"
    )
}

#[test]
fn a_site_waiver_turns_a_failure_into_waived_and_an_expired_one_is_reported() {
    let test = "a_site_waiver_turns_a_failure_into_waived_and_an_expired_one_is_reported";
    if !is_root() {
        return skip(
            test,
            "a site policy file must be root's, in /etc/csi-self-check",
        );
    }
    if !have("ssh-keygen", test) {
        return;
    }
    let home = Home::with_ssh();
    let key = home.keygen(".ssh/id_ed25519", None, None, 0o600);
    let site = SitePolicy::new("waiver", &role_account_waiver("root", "2999-12-31"));
    let args = ["--only", "key-encryption", "--policy", site.arg()];
    let run = Cli::json(&home, &args);
    assert_eq!(
        run.code, 0,
        "a waived failure fails nothing: {}",
        run.stderr
    );
    let doc = run.json();
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    let waived = &findings[0];
    assert_eq!(
        (&waived["status"], &waived["code"], &waived["path"]),
        (
            &"waived".into(),
            &"key-unencrypted".into(),
            &key.to_str().unwrap().into()
        ),
        "{waived}"
    );
    let waiver = &waived["waiver"];
    assert_eq!(waiver["status"], "fail");
    assert_eq!(waiver["granted_by"], "Jane Admin, ticket SEC-42");
    assert_eq!(waiver["expires"], "2999-12-31");
    assert_eq!(
        (&waiver["file"], &waiver["line"]),
        (&site.arg().into(), &1.into())
    );
    assert_eq!(doc["summary"]["waived"], 1);
    assert_eq!(doc["summary"]["fail"], 0);

    // The text report shows it, with the waiver beside it.
    let mut text_args = vec!["--home", home.path().to_str().unwrap(), "--color", "never"];
    text_args.extend_from_slice(&args);
    let text = Cli::new(text_args.iter().copied()).run();
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .contains("WAIVED ~/.ssh/id_ed25519\n  key-unencrypted: "),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!(
            "waived until 2999-12-31 by Jane Admin, ticket SEC-42: 2.1.1 Role Accounts: the nightly deploy runs unattended ({}:1)",
            site.arg()
        )),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Compliant with the CSI End User Standards: nothing to do (1 problem waived by the site)"),
        "{}",
        text.stdout
    );

    // policy show lists it as in force.
    let show = Cli::new(["policy", "show", "--policy", site.arg()]).run();
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("# Waivers: 1 in force, 0 expired"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("; in force until 2999-12-31\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("\nexpires = 2999-12-31\n"),
        "{}",
        show.stdout
    );
    let show = Cli::new(["policy", "show", "--format", "json", "--policy", site.arg()])
        .run()
        .json();
    assert_eq!(show["waivers"][0]["in_force"], true, "{show}");
    assert_eq!(show["waivers"][0]["accounts"][0], "root");

    // Expired: the failure counts again, and the waiver itself is reported.
    let expired = SitePolicy::new("expired", &role_account_waiver("root", "2020-01-31"));
    let run = Cli::json(
        &home,
        &["--only", "key-encryption", "--policy", expired.arg()],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = run.json();
    let codes: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["status"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [("fail", "key-unencrypted"), ("warn", "waiver-expired")],
        "{doc}"
    );
    let notice = &doc["findings"][1];
    assert_eq!(notice["path"], expired.arg());
    assert_eq!(notice["line"], 1);
    assert!(
        notice["message"]
            .as_str()
            .unwrap()
            .contains("granted by Jane Admin, ticket SEC-42 expired after 2020-01-31"),
        "{notice}"
    );
    let show = Cli::new(["policy", "show", "--policy", expired.arg()]).run();
    assert!(
        show.stdout.contains("; EXPIRED after 2020-01-31\n"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_personal_policy_file_can_never_waive() {
    let home = Home::new();
    let mine = home.file(
        "mine.toml",
        role_account_waiver("root", "2999-12-31").as_bytes(),
        0o644,
    );
    let run = Cli::json(&home, &["--policy", mine.to_str().unwrap()]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert_eq!(
        run.stderr,
        format!(
            "csi-self-check: error: policy {}:1: `waiver`: a personal policy file cannot waive anything; waivers belong to the site policy, /etc/csi-self-check/policy.toml or policy.d/\n",
            mine.display()
        )
    );
    let check = Cli::new(["policy", "check", mine.to_str().unwrap()]).run();
    assert_eq!(check.code, 2, "{}", check.stdout);
}

#[test]
fn a_waiver_of_a_code_no_check_files_is_refused() {
    let test = "a_waiver_of_a_code_no_check_files_is_refused";
    if !is_root() {
        return skip(
            test,
            "a site policy file must be root's, in /etc/csi-self-check",
        );
    }
    let text = role_account_waiver("root", "2999-12-31")
        .replace("item = \"key-passwords\"", "code = \"key-unencrypyted\"");
    let site = SitePolicy::new("typo", &text);
    let run = Cli::new(["policy", "check", site.arg()]).run();
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "csi-self-check: error: policy {}:1: `waiver.code`: `key-unencrypyted` is no finding code; csi-self-check(1) lists them\n",
            site.arg()
        )
    );
}
