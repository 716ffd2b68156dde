//! Build-time work: the shell completions the packages need, generated from the one
//! clap definition (src/cli.rs, compiled here as a module); the git commit `--version`
//! names; and the built-in common-password lists, sorted for the dictionary matcher
//! here so that a short-lived process never builds them.
//!
//! The completions go to OUT_DIR and are copied to `<target>/<profile>/completions/`,
//! beside the binary: cargo-deb and the RPM spec can only name files there (cargo-deb has
//! no `$OUT_DIR` for assets), while OUT_DIR's hash changes from build to build.
#![allow(clippy::print_stdout)] // cargo reads a build script's instructions from stdout

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use clap_complete::Shell;

#[allow(dead_code)] // build.rs uses the definition only, not the parser around it
#[path = "cli.rs"]
mod cli;

/// A build in a git checkout names its commit; asking git may not hold up the build longer.
const GIT_DEADLINE: Duration = Duration::from_secs(5);

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    println!("cargo:rerun-if-changed=src/cli.rs");
    println!("cargo:rerun-if-env-changed=CSI_SELF_CHECK_COMMIT");

    let version = env("CARGO_PKG_VERSION");
    let commit = commit();
    let long_version = match &commit {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version,
    };
    println!("cargo:rustc-env=CSI_SELF_CHECK_LONG_VERSION={long_version}");
    // The commit alone, for the JSON documents and the build_info metric; empty for none.
    println!(
        "cargo:rustc-env=CSI_SELF_CHECK_BUILD_COMMIT={}",
        commit.unwrap_or_default()
    );

    common_passwords(&PathBuf::from(env("OUT_DIR")));

    let out = PathBuf::from(env("OUT_DIR")).join("completions");
    std::fs::create_dir_all(&out).expect("create OUT_DIR/completions");
    let mut command = visible(&cli::Cli::command());
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut command, "csi-self-check", &out)
            .expect("write a completion script");
        if shell == Shell::Bash {
            let script = std::fs::read_to_string(&path).expect("read the bash completion");
            std::fs::write(&path, bash_fixed(&script)).expect("write the bash completion");
        }
    }
    if let Some(profile_dir) = profile_dir(&out) {
        let beside = profile_dir.join("completions");
        std::fs::create_dir_all(&beside).expect("create <profile>/completions");
        for entry in std::fs::read_dir(&out).expect("list OUT_DIR/completions") {
            let entry = entry.expect("list OUT_DIR/completions");
            std::fs::copy(entry.path(), beside.join(entry.file_name()))
                .expect("copy a completion script beside the binary");
        }
    }
}

/// The command line as the completions offer it: `command` without its hidden
/// subcommands (the audit's internal `audit-user`), which clap_complete would list.
/// clap can add subcommands but not remove one, so the tree is built again from the
/// parts a completion reads: names, descriptions, arguments. (clap takes only
/// `'static` names here; a build script leaking a few short strings is harmless.)
fn visible(command: &clap::Command) -> clap::Command {
    let mut fresh = clap::Command::new(command.get_name().to_owned().leak() as &str)
        .disable_help_subcommand(true)
        .args(command.get_arguments().cloned())
        .subcommands(
            command
                .get_subcommands()
                .filter(|sub| !sub.is_hide_set())
                .map(visible),
        );
    if let Some(about) = command.get_about() {
        fresh = fresh.about(about.clone());
    }
    if let Some(version) = command.get_version() {
        fresh = fresh.version(version.to_owned().leak() as &str);
    }
    fresh
}

/// Two repairs to clap_complete's bash script. With a hyphen in the program's name it
/// names each subcommand's case differently where it is chosen
/// (`csi__self__check__subcmd__key`) and where it is handled
/// (`csi__subcmd__self__subcmd__check__subcmd__key`), so no subcommand's words were
/// ever offered; and it offers file names for `--users`, which names accounts. A
/// change in clap_complete that makes either repair miss stops the build.
fn bash_fixed(script: &str) -> String {
    let misnamed = "csi__subcmd__self__subcmd__check";
    assert!(
        script.contains(misnamed),
        "clap_complete no longer misnames the subcommands; drop this repair"
    );
    let script = script.replace(misnamed, "csi__self__check");
    let files_for_users = "--users)\n                    COMPREPLY=($(compgen -f \"${cur}\"))";
    assert!(
        script.contains(files_for_users),
        "clap_complete's bash script for --users changed; update this repair"
    );
    script.replace(
        files_for_users,
        "--users)\n                    COMPREPLY=($(compgen -u -- \"${cur##*,}\"))",
    )
}

/// Where the built-in lists are, from the package's root.
const DJANGO_LIST: &str = "src/password/lists/common/django-common-passwords.txt";
const FXA_LIST: &str = "src/password/lists/common/fxa-encoded-passwords.js";

/// Writes OUT_DIR/common_passwords.rs: Django's common passwords (most common first)
/// and Firefox Accounts' (Mark Burnett's most common of 8 or more characters), merged
/// into one [`zxcvbn::RankedList`] of lower-cased words. A Django word keeps its
/// position as its rank; Firefox Accounts' list is in byte order and so tells no
/// rank, and each of its other words is priced as that list's last.
fn common_passwords(out_dir: &Path) {
    println!("cargo:rerun-if-changed={DJANGO_LIST}");
    println!("cargo:rerun-if-changed={FXA_LIST}");
    let root = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let read = |name: &str| {
        std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    };
    let django = read(DJANGO_LIST);
    let fxa = fxa_decoded(&read(FXA_LIST));
    assert!(
        django.lines().count() > 19_000 && fxa.len() == 50_000,
        "the built-in lists are not the ones this build expects"
    );
    let mut ranked: std::collections::BTreeMap<String, u32> = std::collections::BTreeMap::new();
    for (position, word) in django.lines().enumerate() {
        let rank = u32::try_from(position + 1).expect("a short list");
        ranked.entry(word.trim().to_lowercase()).or_insert(rank);
    }
    let unranked = u32::try_from(fxa.len()).expect("a short list");
    for word in &fxa {
        ranked.entry(word.to_lowercase()).or_insert(unranked);
    }
    ranked.remove("");
    let text: String = ranked.keys().map(String::as_str).collect();
    let mut end = 0;
    let ends: Vec<String> = ranked
        .keys()
        .map(|word| {
            end += word.len();
            end.to_string()
        })
        .collect();
    let ranks: Vec<String> = ranked.values().map(u32::to_string).collect();
    let source = format!(
        "/// The built-in common passwords (generated by src/build.rs).\n\
         pub static COMMON_PASSWORDS: zxcvbn::RankedList = zxcvbn::RankedList::new({text:?}, &[{}], &[{}]);\n",
        ends.join(","),
        ranks.join(",")
    );
    std::fs::write(out_dir.join("common_passwords.rs"), source)
        .expect("write OUT_DIR/common_passwords.rs");
}

/// The words of fxa-common-password-list's `encoded-passwords.js`: a JavaScript
/// template string of front-coded lines, each the length of the prefix it shares
/// with the word before (one base-36 digit) and then the rest of the word.
fn fxa_decoded(js: &str) -> Vec<String> {
    let start = js.find('`').expect("the list opens with a backquote") + 1;
    let end = js.rfind('`').expect("the list closes with a backquote");
    let mut words: Vec<String> = Vec::new();
    for line in js[start..end].lines().filter(|line| !line.is_empty()) {
        let mut chars = line.chars();
        let shared = chars
            .next()
            .and_then(|c| c.to_digit(36))
            .expect("a front-coded line starts with its shared length")
            as usize;
        let mut word: String = words
            .last()
            .map(|before| before.chars().take(shared).collect())
            .unwrap_or_default();
        assert_eq!(
            word.chars().count(),
            shared,
            "a shared prefix longer than the word before"
        );
        word.push_str(chars.as_str());
        words.push(word);
    }
    words
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo sets {name} for build scripts"))
}

/// `<target>/<profile>` from `<target>/<profile>/build/<package>-<hash>/out/completions`,
/// or None if cargo ever lays OUT_DIR out differently (then only OUT_DIR has them).
fn profile_dir(out: &Path) -> Option<PathBuf> {
    let build = out.parent()?.parent()?.parent()?;
    (build.file_name()? == "build").then(|| build.parent().map(Path::to_path_buf))?
}

/// The commit: CSI_SELF_CHECK_COMMIT when a packager sets it (a build from a tarball has
/// no git), else `git rev-parse` when the crate's own directory is a checkout (not some
/// repository the sources happen to be unpacked in), else none.
fn commit() -> Option<String> {
    if let Ok(commit) = std::env::var("CSI_SELF_CHECK_COMMIT") {
        let commit = commit.trim().to_owned();
        return (!commit.is_empty()).then_some(commit);
    }
    let root = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    if !root.join(".git").exists() {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, and the ref or packed-refs it points through
    // (a worktree keeps HEAD in its own git dir and the refs in the common one).
    let head = git(&root, &["rev-parse", "--git-path", "HEAD"])?;
    let mut watched = vec![head.clone()];
    if let Ok(text) = std::fs::read_to_string(root.join(&head))
        && let Some(reference) = text.trim().strip_prefix("ref: ")
    {
        watched.push(git(&root, &["rev-parse", "--git-path", reference])?);
        watched.push(git(&root, &["rev-parse", "--git-path", "packed-refs"])?);
    }
    for path in watched {
        let path = root.join(path);
        // A path that does not exist would make cargo rerun this script on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    git(&root, &["rev-parse", "--short=12", "HEAD"])
        .filter(|commit| commit.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// One git command's first line of output, or None if git is missing, fails or is slow.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(None) if started.elapsed() < GIT_DEADLINE => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let output = child.wait_with_output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().next()?.trim().to_owned();
    (!line.is_empty()).then_some(line)
}
