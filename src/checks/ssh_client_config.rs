//! ssh client settings (policy `ssh-proxycommand`): the standard's way through a
//! gateway is ProxyCommand (today also ProxyJump), not a forwarded agent that root
//! on the gateway can use. Reports each line of the ssh configuration that decides,
//! for some host, to forward the agent, turn host-key checking off or throw host
//! keys away, with its FILE:LINE and a few of those hosts; each line ssh refuses;
//! and each config file ssh refuses because others can write it.
//!
//! Reads: `~/.ssh/config`, `/etc/ssh/ssh_config` and everything they include,
//! through `crate::ssh_config` (the safe layer, a size bound, links only to the
//! person's own files). Never: runs ssh or evaluates `Match exec`.
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::key_encryption::short;
use super::{Check, CheckError, Context, Finding, Status};
use crate::fs::perm;
use crate::policy::Level;
use crate::sanitize::{display_bytes, shell_word};
use crate::ssh_config::{self, Config, Directive, MAX_DEPTH, Reach, Unread, Unused};

const ID: &str = "ssh-client-config";
const ITEM: &str = "ssh-proxycommand";
/// Where ssh keeps the system's client configuration, read after the user's.
const SYSTEM_DIR: &str = "/etc/ssh";

/// What the standard recommends instead of a forwarded agent.
const INSTEAD: &str = "to reach a host behind a gateway, give that host `ProxyJump GATEWAY` (or `ProxyCommand ssh -W %h:%p GATEWAY`), as the standard recommends: the gateway then relays the connection without ever holding your agent";
/// What ssh will really use, for anything this check could not read.
const ASK_SSH: &str = "`ssh -G HOST | grep -iE '^(forwardagent|stricthostkeychecking|userknownhostsfile) '` shows the values ssh will use for HOST";

pub struct SshClientConfig;

impl Check for SshClientConfig {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "ssh client configuration (~/.ssh/config, /etc/ssh/ssh_config and their includes): no agent forwarding (use ProxyJump or ProxyCommand), host keys checked and kept, no config file ssh refuses"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "ssh-forward-agent-all-hosts",
            "ssh-forward-agent",
            "ssh-host-key-unchecked",
            "ssh-known-hosts-discarded",
            "ssh-config-refused",
            "ssh-setting-overridden",
            "ssh-config-not-read",
            "ssh-config-clean",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let uid = cx.account.uid;
        let mut config = ssh_config::read_user(home, uid);
        config.extend(ssh_config::read_system(
            home,
            uid,
            &crate::sysroot::path(SYSTEM_DIR),
        ));
        let judge = Judge {
            home: home.path(),
            uid: cx.account.uid,
            user: &cx.account.name,
            level: cx.policy.level(ITEM),
        };
        judge.all(&config, out);
        Ok(())
    }
}

/// The risky settings, as ssh parses their values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Risk {
    /// `ForwardAgent yes`, or a socket path or `$VAR`, which forwards that agent.
    Agent,
    /// `StrictHostKeyChecking no` (or `off`, `false`). `accept-new` is not reported:
    /// it still refuses a changed key, the attack the check exists for.
    HostKey,
    /// `UserKnownHostsFile /dev/null` (or `none`): no key is ever remembered.
    KnownHosts,
}

fn risk(d: &Directive) -> Option<Risk> {
    match d.keyword.as_str() {
        "forwardagent" => (!["no", "false"].iter().any(|v| d.value_is(v))).then_some(Risk::Agent),
        "stricthostkeychecking" => ["no", "off", "false"]
            .iter()
            .any(|v| d.value_is(v))
            .then_some(Risk::HostKey),
        "userknownhostsfile" => {
            let discarded = d.args.iter().all(|a| is_dev_null(a.as_bytes()))
                || d.args.len() == 1 && d.value_is("none");
            discarded.then_some(Risk::KnownHosts)
        }
        _ => None,
    }
}

/// `/dev/null` however it is spelt: `/dev//null`, `/dev/./null`, `/dev/../dev/null`
/// (the quotes of `"/dev/null"` are already gone).
fn is_dev_null(path: &[u8]) -> bool {
    if path.first() != Some(&b'/') {
        return false;
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts == [b"dev".as_slice(), b"null".as_slice()]
}

/// The keywords whose risky values this check reports.
const KEYWORDS: [&str; 3] = [
    "forwardagent",
    "stricthostkeychecking",
    "userknownhostsfile",
];

struct Judge<'a> {
    home: &'a Path,
    uid: u32,
    /// The local account's name: ssh's `Match localuser`, and the remote user's default.
    user: &'a str,
    level: Level,
}

impl Judge<'_> {
    fn finding(&self, status: Status, code: &'static str, path: &Path) -> Finding {
        Finding::new(ID, ITEM, self.level, status, code).at(path)
    }

    fn at(&self, path: &Path, line: usize) -> String {
        format!("{}:{line}", short(path, self.home))
    }

    fn all(&self, config: &Config, out: &mut Vec<Finding>) {
        let start = out.len();
        for file in config.files.iter().filter(|f| f.checked) {
            self.refused(file, out);
        }
        for fault in &config.faults {
            out.push(self.fault(fault, config.faults.len()));
        }
        // A file ssh refuses leaves it no settings at all: nothing to weigh.
        if config.faults.is_empty() {
            let decides = ssh_config::reach(config, &KEYWORDS, self.user, |d| risk(d).is_some());
            for (index, d) in config.directives.iter().enumerate() {
                let Some(risk) = risk(d) else { continue };
                match decides.get(&index) {
                    Some(reach) => out.push(self.setting(config, d, risk, reach)),
                    None => out.push(self.unused(config, index)),
                }
            }
        }
        let risky = out[start..]
            .iter()
            .any(|f| matches!(f.status, Status::Fail | Status::Warn));
        for skipped in &config.skipped {
            out.push(self.skipped(skipped));
        }
        // Nothing unread is a pass: with a file not read, "clean" cannot be said.
        if !risky && config.skipped.is_empty() {
            out.push(self.clean(config));
        }
    }

    /// A line ssh refuses: it stops before connecting anywhere.
    fn fault(&self, fault: &ssh_config::Fault, count: usize) -> Finding {
        let file = crate::sanitize::display_path(&fault.file);
        self.finding(Status::Fail, "ssh-config-refused", &fault.file)
            .on_line(fault.line)
            .says(format!(
                "{}: ssh refuses this line (\"{file} line {}: {}\") and stops before connecting anywhere (\"terminating, {count} bad configuration options\")",
                self.at(&fault.file, fault.line),
                fault.line,
                fault.message
            ))
            .fix(format!(
                "correct or remove line {} of {} (`ssh -G HOST` then shows what ssh reads)",
                fault.line,
                short(&fault.file, self.home)
            ))
    }

    /// ssh's own rule for the files it checks (`readconf.c`): owned by the user or
    /// root, and not writable by group or others, or "Bad owner or permissions" and
    /// ssh stops.
    fn refused(&self, file: &ssh_config::ReadFile, out: &mut Vec<Finding>) {
        let meta = &file.meta;
        let owner_ok = meta.uid == 0 || meta.uid == self.uid;
        let writable = perm::writable_by_group_or_other(meta.mode);
        if owner_ok && !writable {
            return;
        }
        let word = shell_word(file.path.as_os_str());
        let mut why = Vec::new();
        if writable {
            let who = if perm::grants(meta.mode, perm::Who::Other, perm::Access::Write) {
                "anyone"
            } else {
                // Debian's user-group-modes patch accepts this one case.
                "its group (Debian's and Ubuntu's ssh accept that only when the group has no member but you)"
            };
            why.push(format!(
                "mode {} lets {who} write it",
                perm::octal(meta.mode)
            ));
        }
        if !owner_ok {
            why.push(format!(
                "it belongs to uid {}, neither you nor root",
                meta.uid
            ));
        }
        let fix = match (file.system, owner_ok) {
            (true, _) => format!("ask the administrator to run: chmod go-w {word}"),
            (false, true) => format!("chmod go-w {word}"),
            (false, false) => format!(
                "copy it to a file of your own (cp {word} ~/.ssh/NAME && chmod 600 ~/.ssh/NAME) and include that instead"
            ),
        };
        out.push(
            self.finding(Status::Fail, "ssh-config-refused", &file.path)
                .says(format!(
                    "ssh refuses this config file and stops (\"Bad owner or permissions on {}\"): {}; whoever can write it could also set a ProxyCommand that runs as you",
                    crate::sanitize::display_path(&file.path),
                    why.join(", and ")
                ))
                .fix(fix),
        );
    }

    /// A risky line that decides for no host: not a problem, said as a pass.
    fn unused(&self, config: &Config, index: usize) -> Finding {
        let d = &config.directives[index];
        let shown = format!("`{} {}`", keyword_name(d), d.shown_args());
        let why = match ssh_config::unused(config, index, self.user) {
            Unused::DecidedBy(decider) => {
                let decider = &config.directives[decider];
                format!(
                    "{} already decided it (`{}`) for the hosts it applies to, and ssh keeps the first value it obtains",
                    self.at(&decider.file, decider.line),
                    decider.shown_args()
                )
            }
            Unused::NoHost => format!(
                "no host name can match {} (ssh splits Host patterns on spaces, not commas, and knows only `*` and `?`)",
                config.blocks_of(&d.scope)
            ),
        };
        self.finding(Status::Pass, "ssh-setting-overridden", &d.file)
            .on_line(d.line)
            .says(format!(
                "{}: {shown} never takes effect: {why}",
                self.at(&d.file, d.line)
            ))
    }

    fn setting(&self, config: &Config, d: &Directive, risk: Risk, reach: &Reach) -> Finding {
        let all = reach.unlisted == Some(true);
        let status = if all { Status::Fail } else { Status::Warn };
        let setter = if d.system {
            "the system's configuration sets"
        } else {
            "sets"
        };
        let head = format!(
            "{}: {setter} `{} {}` for {}",
            self.at(&d.file, d.line),
            keyword_name(d),
            d.shown_args(),
            self.who(config, d, reach)
        );
        let (code, effect, fix) = match risk {
            Risk::Agent => {
                let code = if all {
                    "ssh-forward-agent-all-hosts"
                } else {
                    "ssh-forward-agent"
                };
                let worst = if all {
                    "every host you connect to — the worst case: "
                } else {
                    "those hosts: "
                };
                (
                    code,
                    format!(
                        "your ssh agent is forwarded to {worst}whoever is root there can use your keys while you are connected"
                    ),
                    format!("{}; {INSTEAD}", self.remove(d, "ForwardAgent no")),
                )
            }
            Risk::HostKey => (
                "ssh-host-key-unchecked",
                "ssh connects even when a host's key has changed and adds unknown keys unasked, so a machine in the middle goes unnoticed".to_owned(),
                format!(
                    "{}; `accept-new` also works: it adds a new host's key but still refuses a changed one",
                    self.remove(d, "StrictHostKeyChecking ask")
                ),
            ),
            Risk::KnownHosts => (
                "ssh-known-hosts-discarded",
                "no host key is ever remembered, so every connection trusts a key it has never seen and a changed key is never noticed".to_owned(),
                format!(
                    "{}; without it ssh keeps host keys in ~/.ssh/known_hosts",
                    self.remove(d, "UserKnownHostsFile ~/.ssh/known_hosts")
                ),
            ),
        };
        let finding = self
            .finding(status, code, &d.file)
            .on_line(d.line)
            .says(format!("{head}: {effect}"))
            .fix(fix);
        // A warning is never a must-level shortfall, whatever the policy raised the
        // item to: only a setting for some hosts is a warning; for every host it fails.
        if status == Status::Warn && self.level.is_must() {
            finding.level(Level::Should)
        } else {
            finding
        }
    }

    /// The hosts a line decides for: all, or its blocks and a few names.
    fn who(&self, config: &Config, d: &Directive, reach: &Reach) -> String {
        let sure = reach.unlisted.unwrap_or(reach.sure);
        let depends = if sure {
            ""
        } else {
            " — when a `Match exec` or `Match localnetwork` before it comes out that way: it depends on a command, which this check does not run"
        };
        if reach.unlisted.is_some() {
            let blocks = match d.scope.0.last() {
                None => "it comes before any Host or Match line".to_owned(),
                Some(&b) => config.blocks[b].describe(),
            };
            return format!("all hosts ({blocks}){depends}");
        }
        let names: Vec<String> = reach
            .examples
            .iter()
            .map(|h| crate::sanitize::display_str(h))
            .collect();
        let more = reach.hosts.saturating_sub(reach.examples.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let such = if names.is_empty() {
            String::new()
        } else {
            format!(" (such as {}{more})", names.join(", "))
        };
        format!("only {}{such}{depends}", config.blocks_of(&d.scope))
    }

    /// How to undo a line: remove it from the user's file, or, for the system's,
    /// set the safe value first in the user's file, which ssh reads before it.
    fn remove(&self, d: &Directive, safe: &str) -> String {
        if d.system {
            format!(
                "put `{safe}` in a `Host *` block at the top of ~/.ssh/config: ssh reads it before the system's file and keeps the first value"
            )
        } else {
            format!(
                "delete line {} of {} (or change it to `{safe}`)",
                d.line,
                short(&d.file, self.home)
            )
        }
    }

    fn skipped(&self, s: &ssh_config::Skipped) -> Finding {
        let from = match &s.included_from {
            Some((file, line)) => format!(" (included at {})", self.at(file, *line)),
            None => String::new(),
        };
        let why = match &s.why {
            Unread::Fs(error) => format!("{error}, so its settings were not checked"),
            Unread::Truncated => format!(
                "is larger than {} MiB; only the first MiB was checked",
                ssh_config::MAX_FILE_BYTES >> 20
            ),
            Unread::Loop => "includes itself: ssh would go round until \"Too many recursive configuration includes\" and stop; not read again".to_owned(),
            Unread::TooDeep => format!(
                "is nested more than {MAX_DEPTH} includes deep: ssh stops there with \"Too many recursive configuration includes\""
            ),
            Unread::TooMany => "is past the number of config files one run reads; not checked".to_owned(),
            Unread::TooManyEntries => format!(
                "holds more names than an Include wildcard is matched against here ({}); the files past them were not checked",
                ssh_config::MAX_LISTED
            ),
            Unread::Link(refusal) => format!("is a symbolic link that {refusal}, so its settings were not checked"),
            Unread::BadPath(arg) => {
                let at = s
                    .included_from
                    .as_ref()
                    .map_or_else(String::new, |(file, line)| self.at(file, *line));
                return self
                    .finding(Status::Skip, "ssh-config-not-read", &s.path)
                    .says(format!(
                        "{at}: `Include {}` names a path ssh refuses in a system file (`~`) or another person's home (`~user`); not read",
                        crate::sanitize::display_str(arg)
                    ))
                    .fix(ASK_SSH);
            }
        };
        self.finding(Status::Skip, "ssh-config-not-read", &s.path)
            .says(format!("{}{from} {why}", short(&s.path, self.home)))
            .fix(ASK_SSH)
    }

    fn clean(&self, config: &Config) -> Finding {
        let files: Vec<String> = config
            .files
            .iter()
            .map(|f| short(&f.path, self.home))
            .collect();
        let read = if files.is_empty() {
            "no ssh config file exists, so ssh uses its defaults".to_owned()
        } else {
            format!("read {}", files.join(", "))
        };
        let user = self.home.join(".ssh").join("config");
        let mut finding = Finding::new(ID, ITEM, self.level, Status::Pass, "ssh-config-clean").says(
            format!(
                "{read}: no agent forwarding in effect, host keys checked and kept, and ssh accepts every file"
            ),
        );
        if config.files.iter().any(|f| f.path == user) {
            finding = finding.at(&user);
        }
        finding
    }
}

/// The keyword as ssh_config(5) spells it, for messages.
fn keyword_name(d: &Directive) -> String {
    match d.keyword.as_str() {
        "forwardagent" => "ForwardAgent".to_owned(),
        "stricthostkeychecking" => "StrictHostKeyChecking".to_owned(),
        "userknownhostsfile" => "UserKnownHostsFile".to_owned(),
        other => display_bytes(other.as_bytes()),
    }
}
