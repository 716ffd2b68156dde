//! Every way of typing a password on a command line or in a REPL that the history scan
//! knows, as templates with `{}` where the secret goes, and the characters a secret may
//! hold there. Shared, as plain data with no crate imports, by the unit tests (each form
//! with many random secrets: found, masked whole) and the integration tests (each form
//! in bash, zsh and fish histories, through text, JSON and `history --redact`).

/// The characters a planted secret may be made of in a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// Letters and digits.
    Alnum,
    /// And punctuation the shell leaves alone in an unquoted word.
    Word,
    /// And spaces and `@:/#,`, for a secret inside quotes.
    Quoted,
}

impl Alphabet {
    pub fn bytes(self) -> &'static [u8] {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const WORD: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%+-.=^_~";
        const QUOTED: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%+-.=^_~ @:/#,";
        match self {
            Alphabet::Alnum => ALNUM,
            Alphabet::Word => WORD,
            Alphabet::Quoted => QUOTED,
        }
    }
}

/// One form: part of the kind it is reported as, the line, and the secret's alphabet.
pub type Form = (&'static str, &'static str, Alphabet);

use Alphabet::{Alnum, Quoted, Word};

/// The forms. Each line holds exactly one secret, at `{}`.
pub const FORMS: &[Form] = &[
    // sshpass, mysql, docker and other logins
    ("sshpass", "sshpass -p {} ssh root@10.0.0.1", Word),
    ("sshpass", "sshpass -p '{}' ssh host", Quoted),
    ("sshpass", "sshpass -p{} scp f host:", Word),
    ("MySQL", "mysql -uroot -p{} shop", Word),
    ("MySQL", "mysqldump -u root -p\"{}\" shop > x.sql", Quoted),
    ("MySQL", "mariadb -h db -p'{}'", Quoted),
    ("--password", "mysql --password={} -u app", Word),
    (
        "docker login",
        "docker login -u bob -p {} registry.example.com",
        Word,
    ),
    ("docker login", "podman login --password {} quay.io", Word),
    ("cloud login", "az login -u bob@example.com -p {}", Word),
    ("vault login", "vault login {}", Alnum),
    ("curl", "curl -u admin:{} https://api.local/", Word),
    ("curl", "curl --user 'bob:{}' https://x", Quoted),
    (
        "htpasswd",
        "htpasswd -b /etc/nginx/.htpasswd admin {}",
        Word,
    ),
    ("htpasswd", "htpasswd -nb dave {}", Word),
    (
        "pass:",
        "openssl enc -aes-256-cbc -in f -out f.enc -pass pass:{}",
        Word,
    ),
    ("openssl -k", "openssl enc -d -aes256 -k {} -in x", Word),
    ("openssl passwd", "openssl passwd -6 -salt xyz {}", Word),
    (
        "keytool",
        "keytool -importcert -keystore ks.jks -storepass {} -file c.crt",
        Word,
    ),
    ("smbclient", "smbclient //srv/share -U alice%{}", Word),
    ("chpasswd", "echo 'bob:{}' | chpasswd", Quoted),
    ("sudo -S", "echo {} | sudo -S apt-get update", Word),
    ("passwd --stdin", "echo {} | passwd --stdin bob", Word),
    ("sqlplus", "sqlplus scott/{}@orcl", Alnum),
    ("xfreerdp", "xfreerdp /v:host /u:admin /p:{}", Word),
    ("rdesktop", "rdesktop -u admin -p {} host", Word),
    ("7z", "7z x archive.7z -p{}", Word),
    ("unzip", "unzip -P {} file.zip", Word),
    (
        "mount",
        "sudo mount -t cifs //srv/share /mnt -o username=bob,password={}",
        Alnum,
    ),
    (
        "MongoDB",
        "mongo -u admin -p {} --authenticationDatabase admin",
        Word,
    ),
    ("redis-cli", "redis-cli -h cache -a {}", Word),
    ("ssh-keygen", "ssh-keygen -t ed25519 -N '{}' -f key", Quoted),
    ("nmcli", "nmcli dev wifi connect MyWifi password {}", Word),
    ("wpa_passphrase", "wpa_passphrase 'My Wifi' {}", Word),
    ("--password", "wget --ftp-password '{}' ftp://x", Quoted),
    ("--password", "gpg --batch --passphrase {} -c file", Word),
    (
        "token or key",
        "kubeadm join 10.0.0.1:6443 --token {}",
        Word,
    ),
    (
        "token or key",
        "web-ext sign --api-key \"$AMO_ISSUER\" --api-secret {}",
        Word,
    ),
    ("token or key", "stripe --api-key={} customers list", Word),
    // URLs of every scheme
    ("URL", "psql postgres://app:{}@db.local/app", Word),
    (
        "URL",
        "git clone https://oauth2:{}@gitlab.example.com/g/p.git",
        Word,
    ),
    (
        "URL",
        "mongosh 'mongodb+srv://admin:{}@cluster0.example.net/db'",
        Word,
    ),
    ("URL", "redis-cli -u redis://:{}@localhost:6379", Word),
    ("URL", "lftp sftp://bob:{}@files.example.org", Word),
    // Headers
    (
        "Authorization",
        "curl -H 'Authorization: Bearer {}' https://x",
        Word,
    ),
    (
        "Authorization",
        "curl -H \"Authorization: Api-Token {}\" https://x",
        Word,
    ),
    (
        "Authorization",
        "curl -H 'Authorization: Digest {}' https://x",
        Quoted,
    ),
    (
        "Authorization",
        "http GET https://x Authorization:'Basic {}'",
        Word,
    ),
    (
        "API key header",
        "curl -H 'X-Api-Key: {}' https://x",
        Quoted,
    ),
    // Assignments
    ("exported", "export DB_PASSWORD={}", Word),
    ("exported", "export GITLAB_SECRET={}", Word),
    ("exported", "PGPASSWORD='{}' psql -h db", Quoted),
    ("exported", "MYSQL_PWD={} mysql -u app", Word),
    ("exported", "set -gx GITLAB_TOKEN {}", Word),
    ("exported", "setenv MAIL_PASSWORD {}", Word),
    ("code", "password = \"{}\"", Quoted),
    ("code", "{\"api_key\": \"{}\"}", Quoted),
    (
        "variable",
        "java -Dspring.datasource.password={} -jar app.jar",
        Word,
    ),
    (
        "variable",
        "docker run -e POSTGRES_PASSWORD={} -d postgres",
        Word,
    ),
    // REPLs
    ("Redis AUTH", "AUTH {}", Word),
    ("CONFIG SET", "CONFIG SET requirepass {}", Word),
    (
        "IDENTIFIED BY",
        "CREATE USER 'app'@'%' IDENTIFIED BY '{}';",
        Quoted,
    ),
    ("PASSWORD '", "ALTER USER app WITH PASSWORD '{}';", Quoted),
    (
        "SQL password",
        "SET PASSWORD FOR 'bob'@'%' = PASSWORD('{}');",
        Quoted,
    ),
    (
        "netrc",
        "machine api.example.com login bob password {}",
        Word,
    ),
];
