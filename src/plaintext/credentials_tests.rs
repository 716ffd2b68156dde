//! Each credential file's detector: reported only when it holds a secret, whatever
//! the key's spelling its format allows (bare, quoted, a YAML symbol).
use super::*;

fn detect(path: &str, text: &str) -> Option<usize> {
    let entry = FILES.iter().find(|f| f.path == path).expect("in the table");
    entry.detect.detect(text.as_bytes())
}

#[test]
fn each_file_is_reported_only_when_it_holds_a_secret() {
    let cases: &[(&str, &str, Option<usize>)] = &[
        (
            ".netrc",
            "machine example.org\n  login alice\n  password hunter2hunter2\n",
            Some(3),
        ),
        (".netrc", "machine example.org login alice\n", None),
        (
            ".pgpass",
            "# comment\ndb.example.org:5432:app:alice:S3cret\n",
            Some(2),
        ),
        (".pgpass", "db.example.org:5432:app:alice:\n", None),
        (
            ".my.cnf",
            "[client]\nuser=alice\npassword = W1ldcat!\n",
            Some(3),
        ),
        (".my.cnf", "[client]\nuser=alice\n", None),
        (
            ".git-credentials",
            "https://alice:ghp_abc123@github.com\n",
            Some(1),
        ),
        (".git-credentials", "https://alice@github.com\n", None),
        (
            ".docker/config.json",
            "{\n  \"auths\": {\n    \"registry.example.org\": {\n      \"auth\": \"YWxpY2U6aHVudGVyMg==\"\n    }\n  }\n}\n",
            Some(4),
        ),
        (
            ".docker/config.json",
            "{\n  \"auths\": {\"registry.example.org\": {}},\n  \"credsStore\": \"secretservice\"\n}\n",
            None,
        ),
        (
            ".aws/credentials",
            "[default]\naws_access_key_id = AKIA...\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n",
            Some(3),
        ),
        (
            ".aws/config",
            "[profile x]\ncredential_process = /usr/bin/aws-vault exec x --json\n",
            None,
        ),
        (
            ".kube/config",
            "users:\n- name: admin\n  user:\n    token: eyJhbGciOi\n",
            Some(4),
        ),
        (
            ".kube/config",
            "users:\n- name: admin\n  user:\n    exec:\n      command: kubelogin\n",
            None,
        ),
        (
            ".npmrc",
            "//registry.npmjs.org/:_authToken=npm_abcdef\n",
            Some(1),
        ),
        (
            ".npmrc",
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
            None,
        ),
        (
            ".pypirc",
            "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n",
            Some(3),
        ),
        (
            ".config/gh/hosts.yml",
            "github.com:\n    oauth_token: gho_abcdef\n    user: alice\n",
            Some(2),
        ),
        (
            ".config/gh/hosts.yml",
            "github.com:\n    user: alice\n    git_protocol: https\n",
            None,
        ),
        (
            ".m2/settings.xml",
            "<server><id>x</id><password>plain</password></server>\n",
            Some(1),
        ),
        (
            ".m2/settings.xml",
            "<server><password>{COQLCE6DU6GtcS5P=}</password></server>\n",
            None,
        ),
        (
            ".terraform.d/credentials.tfrc.json",
            "{\"credentials\": {\"app.terraform.io\": {\n\"token\": \"abc.atlasv1.def\"\n}}}\n",
            Some(2),
        ),
        (".vault-token", "hvs.CAESIabc\n", Some(1)),
        (".vault-token", "\n", None),
        (
            ".config/rclone/rclone.conf",
            "[remote]\ntype = sftp\npass = 0bscur3d\n",
            Some(3),
        ),
        (
            ".msmtprc",
            "account default\npasswordeval pass show mail\n",
            None,
        ),
        (".msmtprc", "account default\npassword hunter2\n", Some(2)),
        // As `gem signin` writes it: a YAML symbol key.
        (
            ".gem/credentials",
            "---\n:rubygems_api_key: rubygems_0123abcd\n",
            Some(2),
        ),
        (
            ".gem/credentials",
            "---\nrubygems_api_key: abc123\n",
            Some(2),
        ),
        (
            ".gem/credentials",
            "---\n\"rubygems_api_key\": abc123\n",
            Some(2),
        ),
        (".gem/credentials", "---\n:rubygems_api_key: \n", None),
        (".gem/credentials", "---\n", None),
        // Quoted keys, where TOML, YAML and INI readers accept them.
        (
            ".cargo/credentials.toml",
            "[registry]\n\"token\" = \"cio0123\"\n",
            Some(2),
        ),
        (
            ".cargo/credentials.toml",
            "[registry]\n'token' = 'cio0123'\n",
            Some(2),
        ),
        (
            ".kube/config",
            "users:\n- name: a\n  user:\n    \"token\": abc\n",
            Some(4),
        ),
        (
            ".config/gh/hosts.yml",
            "github.com:\n    'oauth_token': gho_abc\n",
            Some(2),
        ),
        (
            ".aws/credentials",
            "[x]\n\"aws_secret_access_key\" = abc\n",
            Some(2),
        ),
        (
            ".config/gh/hosts.yml",
            "github.com:\n    \"user\": alice\n",
            None,
        ),
    ];
    for (path, text, line) in cases {
        assert_eq!(detect(path, text), *line, "{path}: {text:?}");
    }
}

#[test]
fn placeholders_are_not_secrets() {
    for value in ["", "$PASSWORD", "<password>", "changeme", "\"\""] {
        assert_eq!(
            detect(".my.cnf", &format!("password={value}\n")),
            None,
            "{value}"
        );
    }
}
