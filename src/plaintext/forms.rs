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
    /// Forty of base 64's characters, as AWS's secret keys are.
    Aws40,
}

impl Alphabet {
    pub fn bytes(self) -> &'static [u8] {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const WORD: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%+-.=^_~";
        const QUOTED: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%+-.=^_~ @:/#,";
        const AWS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
        match self {
            Alphabet::Alnum => ALNUM,
            Alphabet::Word => WORD,
            Alphabet::Quoted => QUOTED,
            Alphabet::Aws40 => AWS,
        }
    }
}

/// One form: part of the kind it is reported as, the line, and the secret's alphabet.
/// Where the secret is more than the random part (a PEM block's header, a crypt hash's
/// `$6$salt$`), `[[` and `]]` mark the whole secret around `{}`.
pub type Form = (&'static str, &'static str, Alphabet);

/// The line of `template` with `random` planted, where its secret starts, and the
/// secret.
pub fn plant(template: &str, random: &str) -> (String, usize, String) {
    let line = template.replacen("{}", random, 1);
    match (line.find("[["), line.find("]]")) {
        (Some(open), Some(close)) => {
            let secret = line[open + 2..close].to_owned();
            let line = format!("{}{secret}{}", &line[..open], &line[close + 2..]);
            (line, open, secret)
        }
        _ => {
            let start = template.find("{}").unwrap_or(0);
            (line, start, random.to_owned())
        }
    }
}

/// A random secret of `alphabet`'s characters, starting and ending with a letter or
/// digit (a leading `-` would be the next option, a trailing `.pem` a file name).
pub fn random_secret(next: &mut impl FnMut() -> u64, alphabet: &[u8]) -> String {
    let alnum = Alphabet::Alnum.bytes();
    // AWS's secret keys are forty characters, no more, no less.
    let len = if alphabet.ends_with(b"/+") {
        40
    } else {
        8 + (next() % 17) as usize
    };
    (0..len)
        .map(|i| {
            let set = if i == 0 || i == len - 1 {
                alnum
            } else {
                alphabet
            };
            char::from(set[(next() % set.len() as u64) as usize])
        })
        .collect()
}

use Alphabet::{Alnum, Aws40, Quoted, Word};

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
        "property",
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
    (
        "private key",
        "echo \"[[-----BEGIN OPENSSH PRIVATE KEY-----b3Bl{}]]",
        Alnum,
    ),
    (
        "useradd",
        "useradd -m -p '[[$6$rounds=5000$salt${}]]' alice",
        Alnum,
    ),
    (
        "AWS secret",
        "aws configure set aws_secret_access_key {}",
        Aws40,
    ),
    (
        "credentials file",
        "sudo mount -t cifs //srv/x /mnt -o credentials=[[/root/.smb-{}]],uid=1000",
        Alnum,
    ),
    ("chpasswd", "chpasswd <<< 'carol:{}'", Quoted),
    ("sudo -S", "sudo -S -u root id <<< '{}'", Quoted),
    ("--password", "wget --http-password={} http://x", Word),
    ("SET PASSWORD", "SET PASSWORD = '{}';", Quoted),
    // The tools of issue 15: LDAP, SQL Server, Oracle, IPMI, MQTT, Cassandra, InfluxDB,
    // FTP, RabbitMQ, SNMPv3, Samba, HTTPie, rclone, Poetry, npm, Maven, Gradle.
    (
        "LDAP",
        "ldapsearch -x -D cn=admin,dc=example,dc=org -w {} -b dc=example,dc=org",
        Word,
    ),
    (
        "LDAP",
        "ldapadd -x -D cn=admin,dc=example,dc=org -w '{}' -f add.ldif",
        Quoted,
    ),
    ("LDAP", "ldapmodify -D cn=admin -w{} -f m.ldif", Word),
    (
        "ldappasswd",
        "ldappasswd -x -D cn=admin -W -s {} uid=bob,dc=example,dc=org",
        Word,
    ),
    (
        "SQL Server",
        "sqlcmd -S db.example.org -U sa -P {} -Q 'select 1'",
        Word,
    ),
    (
        "SQL Server",
        "bcp dbo.t out t.dat -S db -U sa -P '{}' -c",
        Quoted,
    ),
    (
        "Oracle",
        "expdp system/{}@orcl schemas=hr directory=dp dumpfile=hr.dmp",
        Alnum,
    ),
    ("Oracle", "impdp userid=system/{}@orcl full=y", Alnum),
    ("sqlplus", "sqlplus hr/{}@db.example.org:1521/orcl", Alnum),
    (
        "IPMI",
        "ipmitool -I lanplus -H 10.0.0.5 -U admin -P {} chassis status",
        Word,
    ),
    (
        "MQTT",
        "mosquitto_pub -h broker -u bob -P {} -t t -m hello",
        Word,
    ),
    (
        "MQTT",
        "mosquitto_sub -h broker -u bob -P '{}' -t '#'",
        Quoted,
    ),
    ("Cassandra", "cqlsh db.example.org -u cassandra -p {}", Word),
    (
        "InfluxDB",
        "influx -username admin -password {} -host db",
        Word,
    ),
    ("FTP", "ncftp -u bob -p {} ftp.example.org", Word),
    ("lftp", "lftp -u bob,{} sftp://files.example.org", Word),
    ("rabbitmqctl", "rabbitmqctl add_user bob {}", Word),
    (
        "rabbitmqctl",
        "sudo rabbitmqctl change_password bob '{}'",
        Quoted,
    ),
    (
        "SNMPv3",
        "snmpwalk -v3 -l authPriv -u bob -a SHA -A {} -x AES -X $PRIV host",
        Word,
    ),
    (
        "SNMPv3",
        "snmpget -v3 -l authPriv -u bob -a SHA -A $AUTH -x AES -X {} host sysName.0",
        Word,
    ),
    ("smbclient", "rpcclient -U 'bob%{}' 10.0.0.7", Quoted),
    ("smbclient", "smbclient -L //srv -U bob%{}", Word),
    (
        "HTTPie",
        "http -a bob:{} GET https://api.example.org/me",
        Word,
    ),
    ("HTTPie", "https --auth 'bob:{}' api.example.org/me", Quoted),
    (
        "rclone config",
        "rclone config create nas sftp host nas.lan user bob pass {}",
        Word,
    ),
    ("rclone obscure", "rclone obscure {}", Word),
    ("poetry", "poetry config http-basic.corp bob {}", Word),
    ("poetry", "poetry config pypi-token.pypi {}", Word),
    ("npm registry", "npm config set _auth {}", Alnum),
    (
        "npm registry",
        "npm config set //npm.example.org/:_password={}",
        Alnum,
    ),
    (
        "property",
        "mvn deploy -Drepo.password={} -DskipTests",
        Word,
    ),
    ("property", "gradle publish -PmavenPassword={}", Word),
    (
        "property",
        "./gradlew -PsigningKeyPassphrase='{}' build",
        Quoted,
    ),
    (
        "piped",
        "echo {} | docker login -u bob --password-stdin registry.example.org",
        Word,
    ),
    (
        "piped",
        "echo -n '{}' | cryptsetup luksOpen /dev/sdb1 vault",
        Quoted,
    ),
    (
        "piped",
        "printf '%s' {} | sudo cryptsetup open /dev/sdc1 data -",
        Word,
    ),
    ("piped", "docker login -u bob --password-stdin <<< {}", Word),
    ("exported", "export REGISTRY_AUTH={}", Word),
    ("exported", "export SERVICE_CREDENTIALS={}", Word),
    ("--password", "mysql -u root --password={} shop", Word),
    ("-password", "plink -ssh bob@host -pw {}", Word),
    // Python, in `python -c` and in the REPL
    (
        "auth=",
        "python3 -c \"import requests; requests.get('https://x', auth=('bob', '{}'))\"",
        Word,
    ),
    ("auth=", ">>> requests.get(url, auth=('bob', '{}'))", Quoted),
    (
        "auth=",
        "r = httpx.get(url, auth=httpx.BasicAuth('bob', '{}'))",
        Quoted,
    ),
    (
        "login(",
        "python3 -c \"import smtplib; s=smtplib.SMTP('mx'); s.login('bob', '{}')\"",
        Word,
    ),
    ("login(", "smtp.login('bob@example.org', '{}')", Quoted),
    ("login(", "ftp.login(user, \"{}\")", Quoted),
    ("code", "os.environ['GITHUB_TOKEN'] = '{}'", Quoted),
    // SQL, Redis and SQLCipher REPLs
    (
        "secret",
        "CHANGE MASTER TO MASTER_HOST='db1', MASTER_USER='repl', MASTER_PASSWORD='{}';",
        Quoted,
    ),
    ("Redis ACL", "ACL SETUSER bob on >{} ~* +@all", Word),
    ("SQLCipher", "PRAGMA key = '{}';", Quoted),
    (
        "SQLCipher",
        "ATTACH DATABASE 'plain.db' AS plain KEY '{}';",
        Quoted,
    ),
];
