//! The rules for secrets typed on a history line, kept as a table: each row names the
//! kind of secret, the trigger words that let the prefilter hand it a line, its regular
//! expression, its `grep -E` twin for the benchmark and any check a regex cannot make.
//! A new rule is a new row here; `engine.rs` compiles the table once per process.

use std::ops::Range;

use super::predicates::{
    always, assignment_ok, crc_token_ok, has_flags, option_ok, pypi_token_ok, token_ok,
};
use super::spans::Extend;
use super::tokens::{Checksum, TOKENS, Token};

/// Characters that end an unquoted shell word.
const BARE: &str = r#"\s'"`;|&<>()"#;

/// A space as the shell sees it, or as MySQL's history file stores it (`\040`).
const SP: &str = r"(?:\s|\\040)";

/// Authorization scheme words, shown before a masked header value.
const AUTH_SCHEMES: &str = r"(?:bearer|basic|token|bot|digest|apikey|api-key|api-token|sso-key|key|negotiate|ntlm|hmac|oauth|jwt|ssws|splunk|klaviyo-api-key|dsn|gensdk|aws4-hmac-sha256|hoba|mutual|vapid|scram-sha-256|privatetoken|secret|access-token|auth-token|pat|sharedkey|sharedaccesssignature|bearer-token)";

/// A variable name that suggests its value is secret.
/// `auth` counts only as a word of its own (`REGISTRY_AUTH`, `AUTH_HEADER`), not in
/// `AUTHOR`.
pub(super) const SECRET_NAME: &str = r"(?:[A-Za-z0-9_]*(?:pass|pwd|token|secret|api_?key|private_?key|credentials?|creds)[A-Za-z0-9_]*|(?:[A-Za-z0-9]+_)+auth|auth(?:_[A-Za-z0-9]+)+)";

/// A shell word whose value is the secret, after `prefix` (a regex fragment in which
/// `{q}` stands for the characters that cannot occur inside the current quoting). The
/// word may be quoted as a whole (`'user:pw'`) or only after the prefix (`user:'pw'`);
/// either way the quotes are not part of the secret. `stop` lists extra bytes that end
/// the secret (for `user/pw@db`), and `no_dash` refuses an unquoted word that looks like
/// the next option, for options whose value is separated by a space.
pub(super) fn word(prefix: &str, stop: &str, no_dash: bool) -> String {
    let sq = prefix.replace("{q}", "'");
    let dq = prefix.replace("{q}", "\"");
    let bare = prefix.replace("{q}", BARE);
    let dash = if no_dash { "-" } else { "" };
    format!(
        r#"(?:'{sq}([^'{stop}]+)[^']*'|"{dq}((?:[^"\\{stop}]|\\.)+)(?:[^"\\]|\\.)*"|{bare}(?:'([^'{stop}]+)[^']*'|"((?:[^"\\{stop}]|\\.)+)(?:[^"\\]|\\.)*"|([^{dash}{BARE}{stop}][^{BARE}{stop}]*)))"#
    )
}

/// How a rule's regular expression is applied to a line.
pub(super) enum Find {
    /// Anywhere on the line.
    Line,
    /// After each occurrence of the command regex, within that command's segment of the
    /// line (up to an unquoted `|`, `;`, `&`, `)` or backquote), so that `ssh -p 22` after
    /// `sshpass … ;` is not read as sshpass's option. `anchored` rules must match right
    /// after the command name.
    Command { cmd: &'static str, anchored: bool },
}

/// How the secret's range is taken from a match.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Extract {
    /// The first capture group that took part (after the context group, if any).
    Group,
    /// As `Group`, minus a trailing `\n` escape that `echo -e`/`printf` would turn into a
    /// newline.
    GroupTrimEscapedNewline,
    /// From the start of the match to the end of the line (a pasted PEM block).
    ToLineEnd,
}

/// Decides, from the line, the context group (if any) and the secret's range, whether a
/// match is a real secret.
pub(super) type Check = fn(&[u8], Option<Range<usize>>, Range<usize>) -> bool;

/// One rule as written in the table below.
pub(super) struct Spec {
    /// The token format's id (gitleaks's), or empty for the other rules.
    pub(super) id: &'static str,
    pub(super) kind: &'static str,
    /// Literals of which one must occur on a line for the rule to run; `~word` stands for
    /// `word`, `WORD` and `Word`.
    pub(super) triggers: &'static [&'static str],
    pub(super) find: Find,
    pub(super) pattern: String,
    /// The rule for `grep -E`; `~word~` stands for a case-insensitive `word`.
    pub(super) ere: String,
    /// Whether capture group 1 is context (a variable name, option flags) for `check`.
    pub(super) context: bool,
    pub(super) check: Check,
    pub(super) extract: Extract,
    /// How far the secret reaches past the match.
    pub(super) extend: Extend,
    /// Cheap test before the regex: the rule cannot match unless the line holds one of
    /// these. Trigger words such as `://` or `mysql` are common, secrets are not. `~word`
    /// ignores ASCII case, and `lit\S` wants `lit` followed by a byte that is not space.
    pub(super) needs: &'static [&'static str],
}

impl Spec {
    pub(super) fn line(
        kind: &'static str,
        triggers: &'static [&'static str],
        pattern: String,
        ere: impl Into<String>,
    ) -> Spec {
        Spec {
            id: "",
            kind,
            triggers,
            find: Find::Line,
            pattern,
            ere: ere.into(),
            context: false,
            check: always,
            extract: Extract::Group,
            extend: Extend::Exact,
            needs: &[],
        }
    }

    pub(super) fn command(
        kind: &'static str,
        triggers: &'static [&'static str],
        cmd: &'static str,
        options: String,
        ere: impl Into<String>,
    ) -> Spec {
        Spec {
            find: Find::Command {
                cmd,
                anchored: false,
            },
            ..Spec::line(kind, triggers, options, ere)
        }
    }

    pub(super) fn anchored(mut self) -> Spec {
        if let Find::Command { anchored, .. } = &mut self.find {
            *anchored = true;
        }
        self
    }

    pub(super) fn context(mut self, check: Check) -> Spec {
        self.context = true;
        self.check = check;
        self
    }

    pub(super) fn extract(mut self, extract: Extract) -> Spec {
        self.extract = extract;
        self
    }

    pub(super) fn needs(mut self, needs: &'static [&'static str]) -> Spec {
        self.needs = needs;
        self
    }

    /// A token format of `tokens.rs`: found wherever it stands, the capturing group (or
    /// else the whole token) the secret, taken on to the end of its word.
    fn token(token: &Token) -> Spec {
        // A shape may start with a class that holds `~` or `.`, where `\b` would need a
        // word character before it.
        let boundary = if token.shape.starts_with('[') && !token.shape.starts_with("[A-Za-z0-9]") {
            r"(?:^|[^A-Za-z0-9_])"
        } else {
            r"\b"
        };
        let grouped = token.shape.contains('(') && token.shape.replace("(?:", "").contains('(');
        let pattern = if grouped {
            format!("{boundary}{}", token.shape)
        } else {
            format!("{boundary}({})", token.shape)
        };
        Spec {
            id: token.id,
            check: match token.checksum {
                Checksum::None => token_ok,
                Checksum::Crc32Base62 => crc_token_ok,
                Checksum::PypiMacaroon => pypi_token_ok,
            },
            extend: Extend::Word,
            ..Spec::line(
                token.kind,
                token.triggers,
                pattern,
                token.shape.replace("(?:", "("),
            )
        }
    }

    pub(super) fn extend(mut self, extend: Extend) -> Spec {
        self.extend = extend;
        self
    }
}

pub(super) const T_PASS: &[&str] = &["~pass"];
const T_SECRET: &[&str] = &["~secret"];
pub(super) const T_AUTH: &[&str] = &["auth", "AUTH", "Auth"];
/// `pwd` alone would fire on the `pwd` command and every `$PWD`, among the commonest words
/// in a history, so only its spellings inside an assignment count (`MYSQL_PWD=`, `pwd_db=`).
pub(super) const T_ENV: &[&str] = &[
    "~pass", "PWD=", "pwd=", "Pwd=", "_PWD", "_pwd", "PWD_", "pwd_", "~token", "~secret", "~api",
    "~private", "auth", "AUTH", "Auth", "~cred",
];
const T_OPT_TOKEN: &[&str] = &["~token", "~api", "~secret", "~private", "~access"];
const T_API_HEADER: &[&str] = &[
    "~api", "~token", "~private", "~secret", "auth", "AUTH", "Auth",
];
pub(super) const T_LOGIN: &[&str] = &["login"];

/// The rules, most specific first: when two find the same secret, the earlier one names it.
pub(super) fn specs() -> Vec<Spec> {
    use Extend::Quoted;
    use Extract::{GroupTrimEscapedNewline, ToLineEnd};
    let any = || word("", "", false);
    let value = || word("", "", true);
    let user_colon = || word("[^:{q}]*:", "", false);
    let echo = r"\b(?:echo|printf)\s+(?:-[neE]+\s+)*";
    let sudo_opts =
        r"(?:\s+-[ugCDhprtTUR]\s*\S+|\s+--[A-Za-z-]+(?:=\S+)?|\s+-[A-Za-z]+)*?\s+-[A-Za-z]*S";
    let htpasswd_arg = r#"(?:'[^']*'|"[^"]*"|[^-\s'"][^\s'"]*)"#;
    let htpasswd_flags = r"\A((?:\s+-C\s*[0-9]+|\s+-[A-Za-z]+)*)\s+";
    let p_or_password = r"\s(?:-p\s*|--password(?:=|\s+))";
    let mut specs: Vec<Spec> = TOKENS.iter().map(Spec::token).collect();
    specs.extend([
        // A private key pasted whole, and AWS's secret key after its name.
        Spec::line(
            "private key (PEM block)",
            &["~private"],
            r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----".into(),
            "-----BEGIN[ A-Z0-9_-]*PRIVATE KEY",
        )
        .needs(&["-----BEGIN"])
        .extract(ToLineEnd),
        Spec::line(
            "AWS secret access key",
            T_SECRET,
            r#"(?i:aws_?secret_?access_?key)['"]?\s*(?:[=:]|\s)\s*['"]?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#.into(),
            "~aws~_?~secret~_?~access~_?~key~.*[A-Za-z0-9/+]{40}",
        ),
        // Commands that take a password as an argument (LaZagne's and linPEAS's lists).
        Spec::command(
            "password given to sshpass -p",
            T_PASS,
            r"\bsshpass\b",
            format!(r"\A(?:\s+(?:-[fdP]\s*\S+|-[ehvV]\S*|--\S+))*\s+-p\s*{}", any()),
            "sshpass.*[[:space:]]-p",
        )
        .needs(&["sshpass"])
        .anchored(),
        Spec::command(
            "MySQL password (-p)",
            &["mysql", "mariadb"],
            r"\b(?:mysql[a-z]*|mariadb(?:-[a-z]+)?)\b",
            // Only `-pSECRET`: a bare `-p` makes the client prompt.
            format!(r"\s{}", word("-p", "", false)),
            "(mysql|mariadb).*[[:space:]]['\"]?-p[^[:space:]]",
        )
        .needs(&[r"-p\S"]),
        Spec::command(
            "password given to docker login",
            T_LOGIN,
            r"\b(?:docker|podman|buildah|skopeo|nerdctl|oras|finch|helm\s+registry)\s+login\b",
            format!("{p_or_password}{}", value()),
            "login.*[[:space:]](-p[[:space:]]*[^-[:space:]]|--password(=|[[:space:]]+)[^-[:space:]])",
        )
        .needs(&["-p"]),
        Spec::command(
            "password given to a cloud login (-p)",
            T_LOGIN,
            r"\b(?:az|cf|oc)\s+login\b",
            format!("{p_or_password}{}", value()),
            "login.*[[:space:]](-p[[:space:]]*[^-[:space:]]|--password(=|[[:space:]]+)[^-[:space:]])",
        )
        .needs(&["-p"]),
        Spec::command(
            "token given to vault login",
            T_LOGIN,
            // Not `aws-vault login PROFILE`.
            r"(?:^|[\s;&|(])vault\s+login\b",
            r#"\A(?:\s+-\S+)*\s+(?:'([^'=\s]+)'|"([^"=\s]+)"|([^-=\s'"`;|&<>()][^=\s'"`;|&<>()]*))(?:\s|$)"#.into(),
            "vault[[:space:]]+login.*[[:space:]][^-[:space:]=][^[:space:]=]*([[:space:]]|$)",
        )
        .needs(&["vault"])
        .anchored(),
        Spec::command(
            "password given to curl -u",
            &["curl"],
            r"\bcurl\b",
            // Without a colon curl prompts for the password. A cluster such as `-su` must
            // be followed by a space, so that `-XPUT` is not read as `-XPU T…`.
            format!(
                r"\s(?:-[uU]\s*|-[A-Za-z]+[uU]\s+|--(?:proxy-)?user(?:=|\s+)){}",
                user_colon()
            ),
            "curl.*[[:space:]](-[A-Za-z]*[uU][[:space:]]*|--(proxy-)?user(=|[[:space:]]+))('[^':]*|\"[^\":]*|[^[:space:]'\":]*):",
        )
        .needs(&["~-u", "~u ", "~u\t"]),
        Spec::command(
            "password given to htpasswd -b",
            T_PASS,
            r"\bhtpasswd\b",
            format!(r"{htpasswd_flags}{htpasswd_arg}\s+{htpasswd_arg}\s+{}", value()),
            "htpasswd.*-[A-Za-z]*b",
        )
        .needs(&["htpasswd"])
        .anchored()
        .context(|line, flags, _| has_flags(line, flags, b'b', false)),
        Spec::command(
            "password given to htpasswd -b",
            T_PASS,
            r"\bhtpasswd\b",
            // With -n there is no password file, only the user and the password.
            format!(r"{htpasswd_flags}{htpasswd_arg}\s+{}", value()),
            "htpasswd.*-[A-Za-z]*b",
        )
        .needs(&["htpasswd"])
        .anchored()
        .context(|line, flags, _| has_flags(line, flags, b'b', true)),
        Spec::command(
            "key given to openssl -k",
            &["openssl"],
            r"\bopenssl\b",
            format!(r"\s-[kK]\s+{}", value()),
            "openssl.*-[kK][[:space:]]",
        )
        .needs(&["-k", "-K"]),
        Spec::command(
            "password given to openssl passwd",
            &["openssl"],
            r"\bopenssl\s+passwd\b",
            // Its own flags only, so that `-salt SALT` is never read as a flag and a
            // password.
            format!(
                r"\A(?:\s+-(?:salt|in|rand|writerand|provider|propquery)\s+\S+|\s+-(?:1|5|6|apr1|aixmd5|crypt|stdin|noverify|quiet|table|reverse))*\s+{}",
                value()
            ),
            "openssl[[:space:]]+passwd.*[[:space:]][^-[:space:]]",
        )
        .needs(&["passwd"])
        .anchored(),
        Spec::line(
            "password given as pass:… (openssl)",
            T_PASS,
            format!(r"(?:^|\s)-(?:pass|passin|passout|password|passphrase)\s+{}", word("pass:", "", false)),
            "-pass[a-z]*[[:space:]]+['\"]?pass:",
        )
        .needs(&["pass:"]),
        Spec::line(
            "keystore password (keytool)",
            T_PASS,
            format!(r"(?:^|\s)-(?:store|key|srcstore|deststore|srckey|destkey)pass\s+{}", value()),
            "-(store|key|srcstore|deststore|srckey|destkey)pass[[:space:]]+[^-[:space:]]",
        )
        .needs(&["storepass", "keypass"]),
        Spec::command(
            "password given to smbclient -U user%…",
            &["smbc"],
            r"\bsmbc(?:lient|acls|quotas)\b",
            format!(r"\s(?:-U\s*|--user(?:=|\s+)){}", word("[^%{q}]*%", "", false)),
            "smbc(lient|acls|quotas).*(-U|--user).*%",
        )
        .needs(&["%"]),
        Spec::line(
            "password piped to chpasswd",
            T_PASS,
            format!(r"{echo}{}\s*\|\s*(?:sudo\s+(?:-\S+\s+)*)?chpasswd\b", user_colon()),
            "(echo|printf).*:.*[|].*chpasswd",
        )
        .needs(&["chpasswd"])
        .extract(GroupTrimEscapedNewline),
        Spec::line(
            "password piped to chpasswd",
            T_PASS,
            format!(r"\bchpasswd\b[^|;&]*?<<<\s*{}", user_colon()),
            "chpasswd.*<<<.*:",
        )
        .needs(&["chpasswd"])
        .extract(GroupTrimEscapedNewline),
        Spec::line(
            "password piped to sudo -S",
            &["| sudo", "|sudo"],
            format!(r"{echo}{}\s*\|\s*sudo{sudo_opts}", any()),
            "(echo|printf).*[|].*sudo.*-[A-Za-z]*S",
        )
        .needs(&["echo", "printf"])
        .extract(GroupTrimEscapedNewline),
        Spec::line(
            "password piped to sudo -S",
            &["<<<"],
            format!(r"\bsudo{sudo_opts}\b[^|;&]*?<<<\s*{}", any()),
            "sudo.*-[A-Za-z]*S.*<<<",
        )
        .needs(&["sudo"])
        .extract(GroupTrimEscapedNewline),
        Spec::line(
            "password piped to passwd --stdin",
            T_PASS,
            format!(r"{echo}{}\s*\|\s*(?:sudo\s+(?:-\S+\s+)*)?passwd\s+--stdin\b", any()),
            "(echo|printf).*[|].*passwd[[:space:]]+--stdin",
        )
        .needs(&["--stdin"])
        .extract(GroupTrimEscapedNewline),
        Spec::command(
            "password given to sqlplus user/…",
            &["sqlplus"],
            r"\bsqlplus\b",
            format!(r"\A(?:\s+-[A-Za-z]+)*\s+{}", word("[A-Za-z0-9_$#.]+/", r"@\s", false)),
            "sqlplus.*[[:space:]]['\"]?[A-Za-z0-9_$#.]+/[^@[:space:]]",
        )
        .needs(&["/"])
        .anchored(),
        Spec::command(
            "password given to xfreerdp /p:",
            &["freerdp"],
            r"freerdp[0-9]*\b",
            format!(r"\s{}", word("[/-]p(?:assword)?:", "", false)),
            "freerdp.*[/-]p(assword)?:",
        )
        .needs(&["p:", "password:"]),
        Spec::command(
            "password given to rdesktop -p",
            &["rdesktop"],
            r"\brdesktop\b",
            format!(r"\s-p\s*{}", value()),
            "rdesktop.*[[:space:]]-p[[:space:]]*[^-[:space:]]",
        )
        .needs(&["-p"]),
        Spec::command(
            "password hash given to useradd/usermod -p",
            &["useradd", "usermod"],
            r"\buser(?:add|mod)\b",
            format!("{p_or_password}{}", value()),
            "user(add|mod).*[[:space:]](-p[[:space:]]*[^-[:space:]]|--password(=|[[:space:]]+)[^-[:space:]])",
        )
        .needs(&["-p"]),
        Spec::command(
            "archive password (7z -p)",
            &["7z ", "7za", "7zr", "7zz"],
            r"\b7z[arz]?\b",
            format!(r"\s{}", word("-p", "", false)),
            "7z[arz]?[[:space:]].*[[:space:]]['\"]?-p[^[:space:]]",
        )
        .needs(&[r"-p\S"]),
        Spec::command(
            "archive password (zip/unzip -P)",
            &["zip "],
            r"\b(?:unzip|zip)\b",
            format!(r"\s-P\s*{}", value()),
            "zip.*[[:space:]]-P[[:space:]]*[^-[:space:]]",
        )
        .needs(&["-P"]),
        Spec::command(
            "password in mount options",
            &["mount"],
            r"\b(?:mount(?:\.cifs|\.smb3|\.smbfs)?|smbmount)\b",
            r#"(?:[\s,'"]|-o)(?:password|pass|pwd)=([^\s,'"]+)"#.into(),
            "mount.*(pass|pwd)[a-z]*=",
        )
        .needs(&["pass=", "password=", "pwd="]),
        Spec::command(
            "credentials file named in mount options",
            &["mount"],
            r"\b(?:mount(?:\.cifs|\.smb3|\.smbfs)?|smbmount)\b",
            r#"(?:[\s,'"]|-o)(?:credentials|cred)=([^\s,'"]+)"#.into(),
            "mount.*cred[a-z]*=",
        )
        .needs(&["cred"]),
        Spec::command(
            "MongoDB password (-p)",
            &["mongo"],
            r"\bmongo(?:sh|dump|restore|export|import|stat|top|files)?\b",
            format!("{p_or_password}{}", value()),
            "mongo.*[[:space:]](-p[[:space:]]*[^-[:space:]]|--password(=|[[:space:]]+)[^-[:space:]])",
        )
        .needs(&["-p"]),
        Spec::command(
            "Redis password (redis-cli -a)",
            &["redis"],
            r"\bredis-cli\b",
            format!(r"\s(?:-a\s*|--pass(?:=|\s+)){}", value()),
            "redis-cli.*[[:space:]](-a[[:space:]]*|--pass(=|[[:space:]]+))[^-[:space:]]",
        )
        .needs(&["-a", "--pass"]),
        Spec::command(
            "passphrase given to ssh-keygen -N/-P",
            &["keygen"],
            r"\bssh-keygen\b",
            format!(r"\s-[NP]\s*{}", any()),
            "ssh-keygen.*[[:space:]]-[NP][[:space:]]*([^'\"[:space:]]|'[^']|\"[^\"])",
        )
        .needs(&["-N", "-P"]),
        Spec::command(
            "Wi-Fi password given to nmcli",
            &["~pass", ".psk"],
            r"\bnmcli\b",
            format!(r"\s(?:password|[A-Za-z0-9-]+\.psk)\s+{}", any()),
            "nmcli.*(password|[.]psk)[[:space:]]",
        )
        .needs(&["password", ".psk"]),
        Spec::command(
            "Wi-Fi passphrase given to wpa_passphrase",
            T_PASS,
            r"\bwpa_passphrase\b",
            format!(r#"\A\s+(?:'[^']*'|"[^"]*"|[^\s'"]+)\s+{}"#, any()),
            "wpa_passphrase[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]",
        )
        .anchored(),
        // REPL histories: redis-cli, mysql, psql, python, node.
        Spec::line(
            "Redis AUTH password",
            T_AUTH,
            // After zsh's `: epoch:0;` or fish's `- cmd: ` when typed at a shell.
            format!(r#"(?i)^(?:: [0-9]+:[0-9]+;|- cmd: )?\s*auth\s+(?:[^\s'"]+\s+)?{}\s*$"#, any()),
            "^[[:space:]]*~auth~[[:space:]]+[^[:space:]]",
        ),
        Spec::line(
            "Redis password (CONFIG SET)",
            &["~pass", "auth", "AUTH", "Auth"],
            format!(r"(?i)\bconfig\s+set\s+(?:requirepass|masterauth)\s+{}", any()),
            "~config~[[:space:]]+~set~[[:space:]]+(~requirepass~|~masterauth~)",
        )
        .needs(&["onfig", "ONFIG"]),
        Spec::line(
            "password in a URL",
            &["://"],
            // The password may hold a raw `@`; the last one before the host ends it.
            r##"[A-Za-z][A-Za-z0-9+.-]*://([^\s:/?#@'"]*):([^\s/?#'"]+)@"##.into(),
            r##"://[^[:space:]:/?#@'"]*:[^[:space:]/?#'"]+@"##,
        )
        .needs(&["@"])
        // `user[:password]@host` is a manual's notation.
        .context(|line, user, _| !user.and_then(|u| line.get(u)).is_some_and(|u| u.ends_with(b"["))),
        Spec::line(
            "credential in an Authorization header",
            T_AUTH,
            // A scheme word the list knows is shown; any other word is part of the value,
            // which is masked on to the end of its quoting.
            format!(
                r#"(?i)\b(?:proxy-)?authorization['"]?\s*[:=]\s*['"]?(?:{AUTH_SCHEMES}\s+)?([^\s'"]+)"#
            ),
            "~authorization~['\"]?[[:space:]]*[:=]",
        )
        .needs(&["~authorization"])
        .extend(Quoted),
        Spec::line(
            "API key header",
            T_API_HEADER,
            format!(
                r#"(?i)(?:^|[^A-Za-z0-9_-])(?:x-)?(?:api-?key|api-?token|auth-?token|access-?token|private-token|vault-token|auth-?key|api-?secret|secret-?key)['"]?\s*:\s*['"]?(?:{AUTH_SCHEMES}\s+)?([^\s'"]+)"#
            ),
            "(~api~-?(~key~|~token~|~secret~)|~auth~-?(~token~|~key~)|~access~-?~token~|~private~-~token~|~vault~-~token~|~secret~-?~key~)['\"]?[[:space:]]*:",
        )
        .needs(&["~key", "~token", "~secret"])
        .extend(Quoted),
        // Before the SQL rules, so that `--password 'x'` is named as the option it is.
        Spec::line(
            "password given as an option (--password)",
            T_PASS,
            format!(
                r"(?i)(?:^|\s)(--(?:[a-z0-9]+[-_]){{0,3}}(?:pass|passwd|password|passphrase))(?:={}|\s+{})",
                any(),
                value()
            ),
            "--[[:alnum:]_-]*~pass~[[:alpha:]]*(=|[[:space:]])",
        )
        .needs(&["--"])
        .context(option_ok),
        Spec::line(
            "token or key given as an option",
            T_OPT_TOKEN,
            format!(
                r"(?i)(?:^|\s)(--(?:[a-z0-9]+[-_]){{0,3}}(?:token|secret|api[-_]?key|access[-_]?key|private[-_]?key))(?:={}|\s+{})",
                any(),
                value()
            ),
            "--[[:alnum:]_-]*(~token~|~key~|~secret~)(=|[[:space:]])",
        )
        .needs(&["--"])
        .context(option_ok),
        Spec::line(
            "SQL password (IDENTIFIED BY)",
            &["dentified", "DENTIFIED"],
            format!(
                r#"(?i)identified{SP}+(?:with{SP}+[A-Za-z0-9_]+{SP}+)?by{SP}+(?:password{SP}+)?(?:'([^']*)'|"([^"]*)")"#
            ),
            "~identified~.*~by~",
        ),
        Spec::line(
            "SQL password (PASSWORD '…')",
            T_PASS,
            format!(r"(?i)(?:^|\s|\\040)password(?:{SP}+'([^']*)'|{SP}*\({SP}*'([^']*)'{SP}*\))"),
            "(^|[[:space:]]|\\\\040)~password~(([[:space:]]|\\\\040)+'|([[:space:]]|\\\\040)*[(])",
        )
        .needs(&["'"]),
        Spec::line(
            "SQL password (SET PASSWORD)",
            T_PASS,
            format!(r#"(?i)\bset{SP}+password\b[^=]*={SP}*(?:password{SP}*\({SP}*)?['"]([^'"]*)['"]"#),
            "~set~.*~password~.*=.*['\"]",
        )
        .needs(&["="]),
    ]);
    specs.extend(super::commands::command_specs());
    specs.extend([
        // Assignments: `export NAME=…`, `NAME=… cmd`, fish's `set -x`, code and JSON.
        Spec::line(
            "exported secret variable",
            T_ENV,
            format!(r"(?i)(?:^|[^-A-Za-z0-9_$/:@%+\\])({SECRET_NAME})={}", any()),
            "[[:alnum:]_]*(~pass~|~pwd~|~token~|~secret~|~api~_?~key~|~private~_?~key~|~cred~|~auth~)[[:alnum:]_]*=('[^']|\"[^\"$]|[^'\"$[:space:]])",
        )
        .needs(&["="])
        .context(assignment_ok),
        Spec::line(
            "exported secret variable",
            T_ENV,
            format!(r"\b(?:set|setenv)\s+(?:-[A-Za-z]+\s+)*((?i:{SECRET_NAME}))\s+{}", any()),
            "(^|[^[:alnum:]_])(set|setenv)[[:space:]].*(~pass~|~pwd~|~token~|~secret~|~api~_?~key~|~private~_?~key~|~cred~|~auth~)",
        )
        .needs(&["set"])
        .context(assignment_ok),
        Spec::line(
            "secret assigned in code or config",
            T_ENV,
            format!(
                r#"(?i)(?:^|[^-A-Za-z0-9_$/:@%+\\])['"]?({SECRET_NAME})['"]?\]?\s*[:=]\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)")"#
            ),
            "(~pass~|~pwd~|~token~|~secret~|~api~_?~key~|~private~_?~key~|~cred~|~auth~)[[:alnum:]_]*['\"]?]?[[:space:]]*[:=][[:space:]]*('[^']*'|\"[^\"]*\")",
        )
        .needs(&["'", "\""])
        .context(assignment_ok),
        Spec::line(
            "password in a netrc line",
            T_PASS,
            format!(r"(?i)\bmachine\s+\S+\s+login\s+\S+\s+password\s+{}", any()),
            "~machine~.*~login~.*~password~[[:space:]]",
        )
        .needs(&["machine"]),
    ]);
    specs
}
