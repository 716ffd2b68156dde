//! More of the rule table: the command-line tools and REPL statements that take a
//! password or key as an argument (LDAP, SQL Server, Oracle, IPMI, MQTT, Cassandra,
//! InfluxDB, FTP clients, RabbitMQ, SNMPv3, Samba, HTTPie, rclone, Poetry, npm, Maven and
//! Gradle properties, secrets piped into a command's standard input, Python's
//! `auth=(…)` and `.login(…)`, Redis ACLs, SQLCipher keys). Kept apart from `rules.rs`
//! only so that neither file grows past what one can read at a sitting; the order of
//! `rules::specs` still decides which rule names a secret.

use super::predicates::assignment_ok;
use super::rules::{SECRET_NAME, Spec, T_AUTH, T_ENV, T_LOGIN, word};

/// An option whose value is the secret: `-w PW`, `-wPW`, `-w 'P W'`.
fn short(option: &str) -> String {
    format!(r"\s{option}\s*{}", word("", "", true))
}

pub(super) fn command_specs() -> Vec<Spec> {
    let any = || word("", "", false);
    let value = || word("", "", true);
    // A user name or other word before the secret.
    let arg = r#"(?:'[^']*'|"[^"]*"|[^\s'"]+)"#;
    let echo = r#"\b(?:echo|printf)\s+(?:-[neE]+\s+)*(?:'%s(?:\\n)?'\s+|"%s(?:\\n)?"\s+)?"#;
    vec![
        Spec::command(
            "LDAP bind password (-w)",
            &["ldap"],
            r"\bldap(?:search|add|modify|delete|modrdn|whoami|passwd|compare|exop)\b",
            short("-w"),
            "ldap[a-z]*[[:space:]].*-w",
        )
        .needs(&["-w"]),
        Spec::command(
            "password given to ldappasswd -s/-a",
            &["ldappasswd"],
            r"\bldappasswd\b",
            short("-[sa]"),
            "ldappasswd.*-[sa]",
        )
        .needs(&["-s", "-a"]),
        Spec::command(
            "SQL Server password (-P)",
            &["sqlcmd", "bcp", "osql"],
            r"\b(?:sqlcmd|bcp|osql)\b",
            short("-P"),
            "(sqlcmd|bcp|osql).*-P",
        )
        .needs(&["-P"]),
        Spec::command(
            "Oracle password (user/…@db)",
            &["expdp", "impdp", "sqlldr", "dgmgrl", "rman"],
            r"\b(?:expdp|impdp|sqlldr|dgmgrl|rman)\b",
            format!(
                r"\s(?:userid=|target\s+|auxiliary\s+|catalog\s+)?{}",
                word("[A-Za-z0-9_$#.]+/", r"@\s", false)
            ),
            "(expdp|impdp|sqlldr|dgmgrl|rman).*[A-Za-z0-9_$#.]+/[^@[:space:]]",
        )
        .needs(&["/"]),
        Spec::command(
            "IPMI password (ipmitool -P)",
            &["ipmitool"],
            r"\bipmitool\b",
            short("-P"),
            "ipmitool.*-P",
        )
        .needs(&["-P"]),
        Spec::command(
            "MQTT password (mosquitto -P)",
            &["mosquitto_"],
            r"\bmosquitto_(?:pub|sub|rr)\b",
            format!(r"\s(?:-P\s*|--pw\s+){}", value()),
            "mosquitto_(pub|sub|rr).*(-P|--pw)",
        )
        .needs(&["-P", "--pw"]),
        Spec::command(
            "Cassandra password (cqlsh -p)",
            &["cqlsh"],
            r"\bcqlsh\b",
            short("-p"),
            "cqlsh.*-p",
        )
        .needs(&["-p"]),
        Spec::command(
            "InfluxDB password (influx -password)",
            &["influx"],
            r"\binflux\b",
            format!(r"\s(?:-password(?:=|\s+)|-p\s+){}", value()),
            "influx.*-p",
        )
        .needs(&["-p"]),
        Spec::command(
            "FTP password (ncftp -p)",
            &["ncftp"],
            r"\bncftp(?:get|put|ls|batch)?\b",
            short("-p"),
            "ncftp.*-p",
        )
        .needs(&["-p"]),
        Spec::command(
            "password given to lftp -u user,…",
            &["lftp"],
            r"\blftp\b",
            format!(r"\s(?:-u|--user)\s*{}", word("[^,{q}]*,", "", false)),
            "lftp.*-u.*,",
        )
        .needs(&[","]),
        Spec::command(
            "password given to rabbitmqctl",
            &["rabbitmqctl"],
            r"\brabbitmqctl\b",
            format!(r"\s(?:add_user|change_password)\s+{arg}\s+{}", any()),
            "rabbitmqctl.*(add_user|change_password)",
        )
        .needs(&["add_user", "change_password"]),
        Spec::command(
            "SNMPv3 passphrase (-A/-X)",
            &["snmp"],
            r"\bsnmp[a-z]*\b",
            short("-[AX]"),
            "snmp[a-z]*[[:space:]].*-[AX]",
        )
        .needs(&["-A", "-X"]),
        Spec::command(
            "password given to smbclient -U user%…",
            &["rpcclient", "smbget", "smbtree", "winexe", "smbcacls"],
            r"\b(?:rpcclient|smbget|smbtree|winexe)\b",
            format!(r"\s(?:-U\s*|--user(?:=|\s+)){}", word("[^%{q}]*%", "", false)),
            "(rpcclient|smbget|smbtree|winexe).*(-U|--user).*%",
        )
        .needs(&["%"]),
        Spec::command(
            "password given to HTTPie -a user:…",
            &["http ", "https ", "xh ", "xhs "],
            r"(?:^|[\s;&|(])(?:https?|xhs?)\s",
            format!(
                r"(?:^|\s)(?:-a\s*|--auth(?:=|\s+)){}",
                word("[^:{q}]*:", "", false)
            ),
            "(http|https|xh|xhs)[[:space:]].*(-a|--auth).*:",
        )
        .needs(&["-a", "--auth"]),
        Spec::command(
            "password given to rclone config",
            &["rclone"],
            r"\brclone\s+config\s+(?:create|update)\b",
            format!(
                r"\s(?:pass|password|password2|secret_access_key|client_secret|key|token)(?:=|\s+){}",
                any()
            ),
            "rclone[[:space:]]+config.*(pass|secret|key|token)",
        )
        .needs(&["pass", "secret", "key", "token"]),
        Spec::command(
            "password given to rclone obscure",
            &["rclone"],
            r"\brclone\s+obscure\b",
            format!(r"\A\s+{}", value()),
            "rclone[[:space:]]+obscure[[:space:]]",
        )
        .anchored(),
        Spec::command(
            "password given to poetry config",
            &["poetry"],
            r"\bpoetry\s+config\b",
            format!(
                r"\s(?:http-basic\.\S+\s+{arg}|pypi-token\.\S+)\s+{}",
                value()
            ),
            "poetry[[:space:]]+config.*(http-basic|pypi-token)",
        )
        .needs(&["http-basic.", "pypi-token."]),
        Spec::command(
            "npm registry credential (npm config set)",
            &["_auth", "_password", "npmAuth"],
            r"\b(?:npm|pnpm|yarn)\s+config\s+set\b",
            format!(
                r"\s(?:\S*:)?(?:_auth|_authToken|_password|npmAuthToken|npmAuthIdent)(?:=|\s+){}",
                value()
            ),
            "config[[:space:]]+set.*_?(auth|password|npmAuth)",
        )
        .needs(&["_auth", "_password", "npmAuth"]),
        Spec::line(
            "secret given as a -D/-P property (Maven, Gradle, Java)",
            T_ENV,
            format!(
                r"(?:^|\s)-[DP]((?:[A-Za-z0-9_-]+\.)*(?i:{SECRET_NAME}))={}",
                any()
            ),
            "-[DP][[:alnum:]_.-]*(~pass~|~pwd~|~token~|~secret~|~key~|~cred~|~auth~)[[:alnum:]_]*=",
        )
        .needs(&["-D", "-P"])
        .context(assignment_ok),
        Spec::line(
            "password piped to a command",
            &["stdin", "cryptsetup", "passphrase-fd", "kinit"],
            format!(
                r"{echo}{}\s*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:(?:docker|podman|nerdctl|buildah|skopeo|oras|finch|crane|helm\s+registry)\s+login\b[^|;&]*--password-stdin|cryptsetup\b|gpg\b[^|;&]*--passphrase-fd\s+0|kinit\b|openssl\b[^|;&]*-pass(?:in)?\s+stdin)",
                any()
            ),
            "(echo|printf).*[|].*(login.*--password-stdin|cryptsetup|--passphrase-fd|kinit|-pass(in)?[[:space:]]+stdin)",
        )
        .needs(&["echo", "printf"])
        .extract(super::rules::Extract::GroupTrimEscapedNewline),
        Spec::line(
            "password piped to a command",
            &["<<<"],
            format!(
                r"\b(?:(?:docker|podman|nerdctl|buildah|skopeo|oras|finch|crane|helm\s+registry)\s+login\b[^|;&]*--password-stdin|cryptsetup\b[^|;&]*)[^|;&]*?<<<\s*{}",
                any()
            ),
            "(--password-stdin|cryptsetup).*<<<",
        )
        .needs(&["--password-stdin", "cryptsetup"]),
        Spec::line(
            "password in code (auth=(user, …))",
            T_AUTH,
            r#"(?i)\b(?:auth|HTTPBasicAuth|HTTPDigestAuth|BasicAuth)\s*[=(]\s*\(?\s*(?:'[^']*'|"[^"]*")\s*,\s*(?:'([^']+)'|"([^"]+)")"#
                .into(),
            "(~auth~|~basicauth~|~digestauth~)[[:space:]]*[=(].*,[[:space:]]*['\"]",
        )
        .needs(&[","]),
        Spec::line(
            "password in code (.login(user, …))",
            T_LOGIN,
            r#"\.login\(\s*(?:'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*)\s*,\s*(?:'([^']+)'|"([^"]+)")"#
                .into(),
            "[.]login[(].*,[[:space:]]*['\"]",
        )
        .needs(&[".login("]),
        Spec::line(
            "Redis ACL password",
            &["~setuser"],
            r#"(?i)\bacl\s+setuser\s+\S+[^>]*?\s>([^\s'"]+)"#.into(),
            "~acl~[[:space:]]+~setuser~.*[[:space:]]>",
        )
        .needs(&[">"]),
        Spec::line(
            "SQLCipher key (PRAGMA key)",
            &["~pragma"],
            r#"(?i)\bpragma\s+(?:[A-Za-z_]+\.)?(?:hex)?(?:re)?key\s*=\s*(?:"x'([^']+)'"|'([^']+)'|"([^"]+)")"#
                .into(),
            "~pragma~[[:space:]]+.*~key~[[:space:]]*=",
        )
        .needs(&["=", "'"]),
        Spec::line(
            "SQLCipher key (ATTACH … KEY)",
            &["~attach"],
            r#"(?i)\battach\b.*?\bkey\s+(?:'([^']+)'|"([^"]+)")"#.into(),
            "~attach~.*~key~[[:space:]]+['\"]",
        ),
        Spec::line(
            "password given as an option (-password)",
            &["~pass", "-pw"],
            format!(
                r"(?:^|\s)-(?:password|passwd|pw)(?:=|\s+){}",
                value()
            ),
            "[[:space:]]-(password|passwd|pw)(=|[[:space:]])",
        )
        .needs(&["-password", "-passwd", "-pw"]),
    ]
}
