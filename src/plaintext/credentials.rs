//! Plaintext credential files: the places tools leave passwords and tokens in the
//! clear (`~/.netrc`, `~/.pgpass`, docker's `config.json`, …). Each file has its own
//! marker of a real secret, so that a file is reported only when it holds one — a
//! docker config that delegates to a credential helper holds none.

/// A known credential file: where, how to tell it holds a secret, and what to use
/// instead.
pub struct CredentialFile {
    /// Relative to the home.
    pub path: &'static str,
    /// How to find a secret in its content.
    pub detect: Detector,
    /// What to use instead, for the finding's fix (see [`CredentialFile::instead`]).
    instead: &'static str,
}

impl CredentialFile {
    /// What to use instead, with git's keyring helper as this machine has it.
    pub fn instead(&self) -> String {
        self.instead
            .replace(GIT_KEYRING, &super::advice::git_keyring())
            .replace(GIT_KEYRING_BRIEF, &super::advice::git_keyring_brief())
    }
}

/// Where an `instead` names git's keyring helper, which depends on the machine.
const GIT_KEYRING: &str = "{git-keyring}";
/// The same, briefly.
const GIT_KEYRING_BRIEF: &str = "{git-keyring-brief}";

/// The table, after keyscan-anchors §4 (LaZagne, linPEAS, gitleaks, the tools' docs).
pub const FILES: &[CredentialFile] = &[
    CredentialFile {
        path: ".netrc",
        detect: Detector::Netrc,
        instead: "a credential helper or the keyring; for git: {git-keyring-brief}",
    },
    CredentialFile {
        path: ".pgpass",
        detect: Detector::Pgpass,
        instead: "a ~/.pg_service.conf with no password, and the password typed when asked or kept in the keyring",
    },
    CredentialFile {
        path: ".my.cnf",
        detect: Detector::KeyValue(&["password"]),
        instead: "mysql_config_editor (an obfuscated login path) or typing the password when asked",
    },
    CredentialFile {
        path: ".git-credentials",
        detect: Detector::UrlPassword,
        instead: "{git-keyring} (then delete this file)",
    },
    CredentialFile {
        path: ".config/git/credentials",
        detect: Detector::UrlPassword,
        instead: "{git-keyring} (then delete this file)",
    },
    CredentialFile {
        path: ".docker/config.json",
        detect: Detector::DockerAuth,
        instead: "a docker credential helper (credsStore: \"secretservice\" or \"pass\")",
    },
    CredentialFile {
        path: ".config/containers/auth.json",
        detect: Detector::DockerAuth,
        instead: "a credential helper in containers-auth.json (credHelpers)",
    },
    CredentialFile {
        path: ".aws/credentials",
        detect: Detector::KeyValue(&["aws_secret_access_key", "aws_session_token"]),
        instead: "aws-vault, or credential_process with a keyring-backed helper",
    },
    CredentialFile {
        path: ".aws/config",
        detect: Detector::KeyValue(&["aws_secret_access_key", "aws_session_token"]),
        instead: "aws-vault, or credential_process with a keyring-backed helper",
    },
    CredentialFile {
        path: ".kube/config",
        detect: Detector::Yaml(&[
            "token",
            "client-key-data",
            "password",
            "client-secret",
            "refresh-token",
            "id-token",
        ]),
        instead: "an exec credential plugin (kubelogin, aws eks get-token) instead of stored tokens and keys",
    },
    CredentialFile {
        path: ".npmrc",
        detect: Detector::Npmrc,
        instead: "npm login with a short-lived token, or NPM_TOKEN from the keyring at run time",
    },
    CredentialFile {
        path: ".pypirc",
        detect: Detector::KeyValue(&["password"]),
        instead: "keyring (pip install keyring; twine uses it) instead of a password in .pypirc",
    },
    CredentialFile {
        path: ".config/gh/hosts.yml",
        detect: Detector::Yaml(&["oauth_token"]),
        instead: "gh auth login without --insecure-storage, so the token goes to the keyring",
    },
    CredentialFile {
        path: ".s3cfg",
        detect: Detector::KeyValue(&["secret_key", "access_token"]),
        instead: "aws-vault or a credential process, and s3cmd reading keys from the environment",
    },
    CredentialFile {
        path: ".boto",
        detect: Detector::KeyValue(&[
            "aws_secret_access_key",
            "gs_oauth2_refresh_token",
            "gs_secret_access_key",
        ]),
        instead: "gcloud auth application-default login, with credentials outside .boto",
    },
    CredentialFile {
        path: ".cargo/credentials.toml",
        detect: Detector::KeyValue(&["token"]),
        instead: "a credential provider: cargo's cargo:libsecret",
    },
    CredentialFile {
        path: ".cargo/credentials",
        detect: Detector::KeyValue(&["token"]),
        instead: "a credential provider: cargo's cargo:libsecret",
    },
    CredentialFile {
        path: ".gem/credentials",
        detect: Detector::Yaml(&["rubygems_api_key"]),
        instead: "gem signin with a scoped, expiring API key, kept out of files where possible",
    },
    CredentialFile {
        path: ".m2/settings.xml",
        detect: Detector::Maven,
        instead: "Maven password encryption (mvn --encrypt-password, settings-security.xml)",
    },
    CredentialFile {
        path: ".terraform.d/credentials.tfrc.json",
        detect: Detector::Json(&["token"]),
        instead: "a credentials helper (credentials_helper in .terraformrc)",
    },
    CredentialFile {
        path: ".vault-token",
        detect: Detector::NonEmpty,
        instead: "a token helper that keeps the token in the keyring, or vault login on each use",
    },
    CredentialFile {
        path: ".config/rclone/rclone.conf",
        detect: Detector::KeyValue(&[
            "pass",
            "password",
            "token",
            "secret_access_key",
            "client_secret",
        ]),
        instead: "rclone config encryption (RCLONE_CONFIG_PASS), so the whole file is encrypted",
    },
    CredentialFile {
        path: ".wgetrc",
        detect: Detector::KeyValue(&["password", "http_password", "ftp_password"]),
        instead: "wget --ask-password, or .netrc kept in an encrypted store",
    },
    CredentialFile {
        path: ".msmtprc",
        detect: Detector::Msmtp,
        instead: "passwordeval with pass or secret-tool, instead of password",
    },
    CredentialFile {
        path: ".config/gcloud/application_default_credentials.json",
        detect: Detector::Json(&["refresh_token", "private_key"]),
        instead: "short-lived credentials (gcloud auth application-default login again when needed)",
    },
    CredentialFile {
        path: ".azure/accessTokens.json",
        detect: Detector::Json(&["accessToken", "refreshToken"]),
        instead: "az login with the encrypted token cache (msal_token_cache.bin)",
    },
    CredentialFile {
        path: ".azure/msal_token_cache.json",
        detect: Detector::Json(&["secret"]),
        instead: "az login with the encrypted token cache (msal_token_cache.bin)",
    },
];

fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .enumerate()
        .map(|(i, l)| (i + 1, l))
}

/// A value that is really a secret: not empty, not a `$VAR`, not a placeholder.
fn real(value: &[u8]) -> bool {
    let value = value.trim_ascii();
    let value = value
        .strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(value);
    let value = value
        .strip_prefix(b"'")
        .and_then(|v| v.strip_suffix(b"'"))
        .unwrap_or(value);
    !value.is_empty()
        && !value.starts_with(b"$")
        && !value.starts_with(b"<")
        && !matches!(
            value.to_ascii_lowercase().as_slice(),
            b"changeme" | b"xxx" | b"null" | b"none" | b"\"\""
        )
}

/// How a file's secret looks.
pub enum Detector {
    /// INI or TOML `key = value`, key matched case-insensitively.
    KeyValue(&'static [&'static str]),
    /// YAML `key: value`.
    Yaml(&'static [&'static str]),
    /// JSON `"key": "value"`.
    Json(&'static [&'static str]),
    Netrc,
    Pgpass,
    UrlPassword,
    DockerAuth,
    Npmrc,
    Maven,
    Msmtp,
    /// The whole file is the secret.
    NonEmpty,
}

impl Detector {
    /// The 1-based line of the first secret, if the content holds one.
    pub fn detect(&self, text: &[u8]) -> Option<usize> {
        match self {
            Detector::KeyValue(keys) => find_key(text, keys, b'='),
            Detector::Yaml(keys) => find_key(text, keys, b':'),
            Detector::Json(keys) => find_json(text, keys),
            Detector::Netrc => netrc(text),
            Detector::Pgpass => pgpass(text),
            Detector::UrlPassword => url_password(text),
            Detector::DockerAuth => find_json(text, &["auth", "identitytoken"]),
            Detector::Npmrc => npmrc(text),
            Detector::Maven => maven_password(text),
            Detector::Msmtp => msmtp(text),
            Detector::NonEmpty => (!text.trim_ascii().is_empty()).then_some(1),
        }
    }
}

/// `key = value` or `key: value`, the key bare, quoted (`"token" = …`, TOML and YAML
/// allow it) or a YAML symbol (`:rubygems_api_key: …`, as `gem signin` writes it).
fn find_key(text: &[u8], keys: &[&str], separator: u8) -> Option<usize> {
    for (number, line) in lines(text) {
        if line.starts_with(b"#") || line.starts_with(b";") {
            continue;
        }
        let line = line.strip_prefix(b"- ").unwrap_or(line).trim_ascii_start();
        // A YAML symbol's leading colon is not the separator.
        let (line, symbol) = match line.strip_prefix(b":") {
            Some(rest) if separator == b':' => (rest, true),
            _ => (line, false),
        };
        let (key, rest) = match line.first() {
            Some(&q) if (q == b'"' || q == b'\'') && !symbol => {
                let Some(close) = line[1..].iter().position(|&b| b == q) else {
                    continue;
                };
                (&line[1..=close], &line[close + 2..])
            }
            _ => {
                let Some(at) = line.iter().position(|&b| b == separator) else {
                    continue;
                };
                (line[..at].trim_ascii(), &line[at..])
            }
        };
        let Some(value) = rest.trim_ascii_start().strip_prefix(&[separator]) else {
            continue;
        };
        if keys.iter().any(|k| key.eq_ignore_ascii_case(k.as_bytes())) && real(value) {
            return Some(number);
        }
    }
    None
}

fn find_json(text: &[u8], keys: &[&str]) -> Option<usize> {
    for (number, line) in lines(text) {
        for key in keys {
            let quoted = format!("\"{key}\"");
            if let Some(at) = find(line, quoted.as_bytes()) {
                let rest = line[at + quoted.len()..].trim_ascii_start();
                if let Some(value) = rest.strip_prefix(b":") {
                    let value = value.trim_ascii().trim_end_matches_comma();
                    if real(value)
                        && value != b"null"
                        && value.first() == Some(&b'"')
                        && value.len() > 2
                    {
                        return Some(number);
                    }
                }
            }
        }
    }
    None
}

trait TrimComma {
    fn trim_end_matches_comma(&self) -> &[u8];
}

impl TrimComma for [u8] {
    fn trim_end_matches_comma(&self) -> &[u8] {
        self.strip_suffix(b",").unwrap_or(self).trim_ascii_end()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `machine H login U password P`, tokens across lines; `default` and anonymous
/// entries count as well when they carry a password.
fn netrc(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        let mut words = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        while let Some(word) = words.next() {
            if word == b"password" && words.next().is_some_and(real) {
                return Some(number);
            }
        }
    }
    None
}

/// `host:port:database:user:password`, `\:` escaping a colon.
fn pgpass(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let mut fields = 1;
        let mut escaped = false;
        let mut last_start = 0;
        for (i, &b) in line.iter().enumerate() {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b':') => {
                    fields += 1;
                    last_start = i + 1;
                }
                _ => {}
            }
        }
        if fields >= 5 && real(&line[last_start..]) {
            return Some(number);
        }
    }
    None
}

/// One `scheme://user:password@host` per line (git-credential-store's format).
fn url_password(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        let Some(scheme_end) = find(line, b"://") else {
            continue;
        };
        let rest = &line[scheme_end + 3..];
        let Some(at) = rest.iter().position(|&b| b == b'@') else {
            continue;
        };
        if let Some(colon) = rest[..at].iter().position(|&b| b == b':')
            && real(&rest[colon + 1..at])
        {
            return Some(number);
        }
    }
    None
}

/// `_authToken=`, `_auth=`, `_password=` (with or without a `//registry/:` scope).
fn npmrc(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        let Some(at) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        let key = line[..at].trim_ascii();
        let name = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        if matches!(name, b"_authToken" | b"_auth" | b"_password") && real(&line[at + 1..]) {
            return Some(number);
        }
    }
    None
}

/// A `<password>` that is not encrypted: Maven's encrypted ones are in `{…}`.
fn maven_password(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        let Some(start) = find(line, b"<password>") else {
            continue;
        };
        let value = &line[start + b"<password>".len()..];
        let end = find(value, b"</password>").unwrap_or(value.len());
        let value = value[..end].trim_ascii();
        if real(value) && !(value.starts_with(b"{") && value.ends_with(b"}")) {
            return Some(number);
        }
    }
    None
}

/// msmtp: `password` (clear) rather than `passwordeval` (a command).
fn msmtp(text: &[u8]) -> Option<usize> {
    for (number, line) in lines(text) {
        let mut words = line
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        if words.next() == Some(b"password") && words.next().is_some_and(real) {
            return Some(number);
        }
    }
    None
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
