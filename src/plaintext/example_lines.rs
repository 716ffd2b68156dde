//! History lines written by hand, each with the secrets it holds, shared by the tests of
//! the patterns and of the engine that runs them: one list, so that a line added for a
//! rule is also checked against the prefilter, the fallback automaton and the grep
//! pattern.

use super::patterns::Hit;
use super::shapes::example;
use super::tokens::TOKENS;

/// A line and the secrets it holds: (part of the kind, the secret's bytes).
pub(super) type Row = (Vec<u8>, Vec<(&'static str, Vec<u8>)>);

pub(super) fn table() -> Vec<Row> {
    let alnum = |n: usize| -> String {
        (0..n)
            .map(|i| char::from(b"A1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz"[i % 36]))
            .collect()
    };
    // Tokens with a checksum or a strict layout are made from their format's shape.
    let made = |id: &str| {
        let token = TOKENS
            .iter()
            .find(|t| t.id == id)
            .expect("a format of the table");
        example(token, 5)
    };
    let ghp = made("github-pat");
    let pat = made("github-fine-grained-pat");
    let glpat = format!("glpat-{}", alnum(20));
    let npm = made("npm-access-token");
    let pypi = made("pypi-upload-token");
    let slack = made("slack-bot-token");
    let hvs = format!("hvs.{}", alnum(30));
    let sk_proj = format!("sk-proj-{}", alnum(40));
    let sk_ant = format!("sk-ant-api03-{}", alnum(50));
    let age = made("age-secret-key");
    let jwt = format!("eyJ{}.eyJ{}.{}", alnum(20), alnum(30), alnum(25));
    let aws_secret = format!("{}/+{}", alnum(19), alnum(19));
    let t = |line: &str, hits: &[(&'static str, &str)]| {
        (
            line.as_bytes().to_vec(),
            hits.iter()
                .map(|&(k, s)| (k, s.as_bytes().to_vec()))
                .collect::<Vec<_>>(),
        )
    };
    let none = |line: &str| (line.as_bytes().to_vec(), Vec::new());
    let mut rows = vec![
        // sshpass
        t(
            "sshpass -p 'S3cr3t!' ssh root@10.0.0.1",
            &[("sshpass", "S3cr3t!")],
        ),
        t("sshpass -pHunter22 ssh host", &[("sshpass", "Hunter22")]),
        t(
            r#"sshpass -v -p "dq pass" scp f host:"#,
            &[("sshpass", "dq pass")],
        ),
        none("sshpass -f ~/.pw ssh -p 2222 host"),
        // MySQL
        t("mysql -uroot -pW1ldcat! mydb", &[("MySQL", "W1ldcat!")]),
        t(
            r#"mysqldump -u root -p"Dump P4ss" db > x.sql"#,
            &[("MySQL", "Dump P4ss")],
        ),
        t("mysqladmin -u root -p'Adm1n' status", &[("MySQL", "Adm1n")]),
        t(
            "mysql -h db -e 'select 1; select 2' -pAfterQuote",
            &[("MySQL", "AfterQuote")],
        ),
        t("mysql --password=Sekr1t -u x", &[("--password", "Sekr1t")]),
        // `--password` with a space prompts; the next word is the database.
        none("mysql --password Sekr2t mydb"),
        t(
            ": 1700000000:0;mysql -uroot -pW1ldcat!",
            &[("MySQL", "W1ldcat!")],
        ),
        // URLs
        t(
            "psql postgres://app:hunter2@db.local/app",
            &[("URL", "hunter2")],
        ),
        t(
            "pgcli postgresql://app:pa%40ss@db/app",
            &[("URL", "pa%40ss")],
        ),
        t(
            r#"mongosh "mongodb+srv://admin:M0ng0pw@cluster0.example.net/db""#,
            &[("URL", "M0ng0pw")],
        ),
        t(
            "redis-cli -u redis://:R3dispw@localhost:6379",
            &[("URL", "R3dispw")],
        ),
        t(
            "git clone https://oauth2:tok3nvalue@gitlab.example.com/g/p.git",
            &[("URL", "tok3nvalue")],
        ),
        t("curl ftp://bob:p@ss@ftp.example.com/x", &[("URL", "p@ss")]),
        t("wget 'amqp://guest:Gu3st@mq:5672/'", &[("URL", "Gu3st")]),
        // curl, wget
        t(
            "curl -u admin:letmein https://api.local/",
            &[("curl", "letmein")],
        ),
        t("curl --user 'bob:pa ss' https://x", &[("curl", "pa ss")]),
        t(
            r#"curl -su "alice:Wonder1and" https://x"#,
            &[("curl", "Wonder1and")],
        ),
        t(
            "curl --user=carol:'Car0l q' https://x",
            &[("curl", "Car0l q")],
        ),
        t(
            "curl -H 'Authorization: Bearer abc123def456' https://x",
            &[("Authorization", "abc123def456")],
        ),
        t(
            r#"curl -H "Authorization: Basic dXNlcjpwYXNz" https://x"#,
            &[("Authorization", "dXNlcjpwYXNz")],
        ),
        t(
            "curl -H 'authorization: token 9f8e7d6c' https://x",
            &[("Authorization", "9f8e7d6c")],
        ),
        t(
            "curl -H 'Authorization: Api-Token ab12cd34ef' https://x",
            &[("Authorization", "ab12cd34ef")],
        ),
        t(
            "curl -H 'Authorization: Custom-Scheme ab12cd34ef' https://x",
            &[("Authorization", "Custom-Scheme ab12cd34ef")],
        ),
        t(
            r#"requests.get(u, headers={'Authorization': 'Bearer Zq9wX2'})"#,
            &[("Authorization", "Zq9wX2")],
        ),
        none("curl -H 'Authorization: Bearer' https://x"),
        t(
            "web-ext sign --api-key $KEY --api-secret S3cr3tV4l",
            &[("token or key", "S3cr3tV4l")],
        ),
        none("curl --key path/to/client.key https://x"),
        none("ssh-add --private-key ~/.ssh/id_ed25519"),
        none("docker build --secret id=npm,src=$HOME/.npmrc ."),
        t(
            &format!("export GITLAB_KEY={glpat}.01abcdefg"),
            &[("GitLab", &format!("{glpat}.01abcdefg"))],
        ),
        t(
            r#"curl -H "X-Api-Key: 12345abcde" https://x"#,
            &[("API key header", "12345abcde")],
        ),
        t(
            "wget --password=Wg3tpw ftp://host/file",
            &[("--password", "Wg3tpw")],
        ),
        t(
            "wget --http-password=Htt9pw http://x",
            &[("--password", "Htt9pw")],
        ),
        t(
            "wget --ftp-password 'Ftp pw1' ftp://x",
            &[("--password", "Ftp pw1")],
        ),
        // Assignments
        t(
            "export DB_PASSWORD=Pr0dPassw0rd",
            &[("exported secret variable", "Pr0dPassw0rd")],
        ),
        t(
            r#"export API_TOKEN="tok_9a8b7c""#,
            &[("exported secret variable", "tok_9a8b7c")],
        ),
        t(
            "PGPASSWORD='Zx9_plm' psql -h db",
            &[("exported secret variable", "Zx9_plm")],
        ),
        t(
            "MYSQL_PWD=Qw3rty mysql -u app",
            &[("exported secret variable", "Qw3rty")],
        ),
        t(
            "export GITHUB_SECRET=s3cr3tv4lue",
            &[("exported secret variable", "s3cr3tv4lue")],
        ),
        t(
            "export OPENAI_API_KEY=abc123xyz789",
            &[("exported secret variable", "abc123xyz789")],
        ),
        t(
            "export STRIPE_APIKEY=rk_live_51abc",
            &[("exported secret variable", "rk_live_51abc")],
        ),
        t(
            "export DEPLOY_PRIVATE_KEY=b64Zm9vYmFy",
            &[("exported secret variable", "b64Zm9vYmFy")],
        ),
        t(
            "export db_password=lower1case",
            &[("exported secret variable", "lower1case")],
        ),
        t(
            "set -gx GITLAB_TOKEN Fi5htoken",
            &[("exported secret variable", "Fi5htoken")],
        ),
        t(
            "setenv MAIL_PASSWORD Csh3llpw",
            &[("exported secret variable", "Csh3llpw")],
        ),
        t(r#"password = "Py7honpw""#, &[("code", "Py7honpw")]),
        t(r#"{"api_key": "k3yvalue"}"#, &[("code", "k3yvalue")]),
        t(r#"const accessToken = 'n0deTok'"#, &[("code", "n0deTok")]),
        t(
            r#"conn = psycopg2.connect(host="db", password="Psyc0pg")"#,
            &[("secret", "Psyc0pg")],
        ),
        // htpasswd
        t(
            "htpasswd -b /etc/nginx/.htpasswd admin Adm1nPw",
            &[("htpasswd", "Adm1nPw")],
        ),
        t("htpasswd -bc .htpasswd bob B0bpw", &[("htpasswd", "B0bpw")]),
        t(
            r#"htpasswd -bB -C 10 .htpasswd carol "C4rol pw""#,
            &[("htpasswd", "C4rol pw")],
        ),
        t("htpasswd -nb dave D4vepw", &[("htpasswd", "D4vepw")]),
        none("htpasswd -c .htpasswd erin"),
        // openssl
        t(
            "openssl enc -aes-256-cbc -in f -out f.enc -pass pass:EncPw1",
            &[("pass:", "EncPw1")],
        ),
        t(
            "openssl pkcs12 -export -passin pass:In9ut -passout 'pass:Out9ut' -in c.pem",
            &[("pass:", "In9ut"), ("pass:", "Out9ut")],
        ),
        t(
            "openssl enc -d -aes256 -k K3yphrase -in x",
            &[("openssl -k", "K3yphrase")],
        ),
        t(
            "openssl passwd -6 -salt xyz 0pensslpw",
            &[("openssl passwd", "0pensslpw")],
        ),
        none("openssl rsa -in key.pem -passin env:KEYPASS"),
        none("openssl passwd -stdin"),
        // docker and other logins
        t(
            "docker login -u bob -p D0ckerpw registry.example.com",
            &[("docker login", "D0ckerpw")],
        ),
        t(
            "docker login --password=D0ck2 -u x",
            &[("docker login", "D0ck2")],
        ),
        t(
            "podman login --username bob --password D0ck3 reg",
            &[("docker login", "D0ck3")],
        ),
        t(
            "az login -u bob@example.com -p Az9pass",
            &[("cloud login", "Az9pass")],
        ),
        t(
            "vault login s.AbCdEf123456",
            &[("vault login", "s.AbCdEf123456")],
        ),
        none("docker login --password-stdin -u bob"),
        none("vault login -method=userpass username=bob"),
        none("vault login -"),
        // smbclient, chpasswd, sudo -S, passwd --stdin
        t(
            "smbclient //srv/share -U alice%Sm8pass",
            &[("smbclient", "Sm8pass")],
        ),
        t(
            r"smbclient -U 'CORP\bob%B0b smb' //srv/x",
            &[("smbclient", "B0b smb")],
        ),
        t(
            "echo 'bob:Chp4sswd' | chpasswd",
            &[("chpasswd", "Chp4sswd")],
        ),
        t(
            r#"echo "root:R00tpw" | sudo chpasswd"#,
            &[("chpasswd", "R00tpw")],
        ),
        t(r"printf 'eve:Ev3pw\n' | chpasswd", &[("chpasswd", "Ev3pw")]),
        t("chpasswd <<< 'carol:Car0lpw'", &[("chpasswd", "Car0lpw")]),
        t(
            "echo Sud0pw | sudo -S apt-get update",
            &[("sudo -S", "Sud0pw")],
        ),
        t(
            "echo 'Sud0 pw' | sudo -u root -S ls",
            &[("sudo -S", "Sud0 pw")],
        ),
        t(
            "sudo -S apt update <<< 'H3re pw'",
            &[("sudo -S", "H3re pw")],
        ),
        t(
            "echo Stdin9pw | passwd --stdin bob",
            &[("passwd --stdin", "Stdin9pw")],
        ),
        none("echo hi | sudo tee /etc/motd"),
        none("echo hi | sudo ls -S"),
        // sqlplus, RDP, useradd, archives, mount, databases
        t("sqlplus scott/T1ger@orcl", &[("sqlplus", "T1ger")]),
        t(
            "sqlplus -s 'sys/Sys9pw as sysdba'",
            &[("sqlplus", "Sys9pw")],
        ),
        none("sqlplus / as sysdba"),
        t(
            "xfreerdp /v:host /u:admin /p:Rdp9pass",
            &[("xfreerdp", "Rdp9pass")],
        ),
        t("xfreerdp /u:x '/p:Rdp 9'", &[("xfreerdp", "Rdp 9")]),
        t("rdesktop -u admin -p Rd3sk host", &[("rdesktop", "Rd3sk")]),
        t(
            "useradd -m -p '$6$salt$hashhashhash' alice",
            &[("useradd", "$6$salt$hashhashhash")],
        ),
        none("usermod -p $6$abc$def bob"),
        t("7z x archive.7z -pSev3nzip", &[("7z", "Sev3nzip")]),
        none("7z a -p secret.7z dir"),
        t("unzip -P Unz1ppw file.zip", &[("unzip", "Unz1ppw")]),
        t(
            "sudo mount -t cifs //srv/share /mnt -o username=bob,password=M0untpw",
            &[("mount", "M0untpw")],
        ),
        t(
            "sudo mount.cifs //s/x /mnt -o credentials=/root/.smbcred,uid=1000",
            &[("credentials", "/root/.smbcred")],
        ),
        t(
            "mongo -u admin -p M0ngopw --authenticationDatabase admin",
            &[("MongoDB", "M0ngopw")],
        ),
        t(
            "redis-cli -h cache -a R3discli",
            &[("redis-cli", "R3discli")],
        ),
        t("AUTH R3disAuth", &[("Redis AUTH", "R3disAuth")]),
        t("auth default R3dis2", &[("Redis AUTH", "R3dis2")]),
        t(
            "CONFIG SET requirepass Req9pass",
            &[("CONFIG SET", "Req9pass")],
        ),
        t(
            "CREATE USER 'app'@'%' IDENTIFIED BY 'Sq1pw';",
            &[("IDENTIFIED BY", "Sq1pw")],
        ),
        t(
            r"ALTER\040USER\040'root'@'localhost'\040IDENTIFIED\040BY\040'N3wpw';",
            &[("IDENTIFIED BY", "N3wpw")],
        ),
        t(
            "ALTER USER app WITH PASSWORD 'Pg9pass';",
            &[("PASSWORD '", "Pg9pass")],
        ),
        t(
            "SET PASSWORD FOR 'bob'@'%' = PASSWORD('Old9pw');",
            &[("SQL password", "Old9pw")],
        ),
        t(
            "ssh-keygen -t ed25519 -N 'K3ygenpw' -f key",
            &[("ssh-keygen", "K3ygenpw")],
        ),
        none("ssh-keygen -t rsa -N '' -f key"),
        t(
            "nmcli dev wifi connect MyWifi password Wif1pass",
            &[("nmcli", "Wif1pass")],
        ),
        t(
            "nmcli con modify home wifi-sec.psk 'Psk 9pass'",
            &[("nmcli", "Psk 9pass")],
        ),
        t(
            "wpa_passphrase 'My Wifi' Wpa9pass",
            &[("wpa_passphrase", "Wpa9pass")],
        ),
        t(
            "helm install app chart --set auth.password=Helm9pw",
            &[("variable", "Helm9pw")],
        ),
        t(
            "java -Dspring.datasource.password=Spr1ng -jar app.jar",
            &[("property", "Spr1ng")],
        ),
        t("self.api_key = 'Cl4ssKey'", &[("code", "Cl4ssKey")]),
        t(
            "docker run -e POSTGRES_PASSWORD=Dock3rPg -d postgres",
            &[("variable", "Dock3rPg")],
        ),
        t(
            r#"psql "host=db user=app password=Libpq9pw""#,
            &[("variable", "Libpq9pw")],
        ),
        t(
            "gpg --batch --passphrase Gpgpass1 -c file",
            &[("--password", "Gpgpass1")],
        ),
        t(
            "pip install --index-url https://u:Pip9pass@pypi.example.com/simple x",
            &[("URL", "Pip9pass")],
        ),
        none(r#"read -s -p "Password: " PASSWORD"#),
        none("PASSWORD=$(openssl rand -base64 12)"),
        none("export TOKEN_TTL=3600"),
        none("export SSH_ASKPASS_REQUIRE=force"),
        none("docker login ghcr.io -u bob --password-stdin < token.txt"),
        none("curl --user-agent 'Mozilla/5.0 (X11; Linux x86_64)' https://x"),
        none("sed -i 's/password=.*/password=REDACTED/' f"),
        t(
            "keytool -importcert -keystore ks.jks -storepass St0repw -file c.crt",
            &[("keytool", "St0repw")],
        ),
        t(
            "machine api.example.com login bob password N3trcpw",
            &[("netrc", "N3trcpw")],
        ),
        t(
            "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef",
            &[("token", "abcdef.0123456789abcdef")],
        ),
        // Token shapes
        t(
            "aws configure set aws_access_key_id AKIAQWERTYUIOPASDFGH",
            &[("AWS access key", "AKIAQWERTYUIOPASDFGH")],
        ),
        none("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
        t(&format!("export GH={ghp}"), &[("GitHub", &ghp)]),
        t(&format!("export GITHUB_TOKEN={ghp}"), &[("GitHub", &ghp)]),
        t(
            &format!("gh auth login --with-token <<< {pat}"),
            &[("GitHub", &pat)],
        ),
        t(
            &format!("git remote add o https://oauth2:{glpat}@gitlab.com/x.git"),
            &[("GitLab", &glpat)],
        ),
        t(&format!("slack-cli --tok {slack}"), &[("Slack", &slack)]),
        t(
            &format!("npm config set //registry.npmjs.org/:_authToken {npm}"),
            &[("npm", &npm)],
        ),
        t(
            &format!("twine upload -u __token__ -p {pypi} dist/*"),
            &[("PyPI", &pypi)],
        ),
        t(
            &format!("VAULT_ADDR=https://v vault kv get -token={hvs} x"),
            &[("Vault", &hvs)],
        ),
        t(
            &format!("llm keys set openai {sk_proj}"),
            &[("OpenAI", &sk_proj)],
        ),
        t(&format!("claude --key {sk_ant}"), &[("Anthropic", &sk_ant)]),
        t(&format!("echo {age} > key.txt"), &[("age", &age)]),
        t(
            &format!("http :8080/api token=={jwt}"),
            &[("JSON Web Token", &jwt)],
        ),
        t(
            &format!("aws configure set aws_secret_access_key {aws_secret}"),
            &[("AWS secret", &aws_secret)],
        ),
        t(
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            &[("private key", "-----BEGIN OPENSSH PRIVATE KEY-----")],
        ),
        t(
            r#"echo "-----BEGIN RSA PRIVATE KEY-----MIIEow" > k"#,
            &[(
                "private key",
                r#"-----BEGIN RSA PRIVATE KEY-----MIIEow" > k"#,
            )],
        ),
        // Placeholders
        none("mysql -uroot -p$MYSQL_PASSWORD"),
        none("mysql -u root -p${PW} db"),
        none(r#"sshpass -p "$(cat ~/.pw)" ssh h"#),
        none("curl -u user:<password> https://x"),
        none(r#"export PASSWORD="{{ vault_pw }}""#),
        none("mysql -p%s"),
        none("curl -u user: https://x"),
        none("export PASSWORD="),
        none(r#"export PASSWORD="""#),
        none("psql postgres://app:$PGPASS@db/app"),
        none("docker login -u bob -p $(cat token)"),
        none("echo $PASS | sudo -S true"),
        none(r#"printf '%s\n' "$PW" | sudo -S true"#),
        // Ordinary commands
        none("ssh -p 2222 host"),
        none("mysql -p"),
        none("mysql -u root -p mydb"),
        none("git clone https://github.com/x/y"),
        none("export PATH=$HOME/bin:$PATH"),
        none("cd $PWD"),
        none("pwd"),
        none("export PWD=/tmp"),
        none("OLDPWD=/srv cd -"),
        none("ls -la"),
        none("grep -p foo"),
        none("docker login"),
        none("docker login -u bob"),
        none("curl -u user https://x"),
        none("curl -XPUT https://x/y"),
        none("curl -s https://example.org/api"),
        none("curl https://user@host/"),
        none("#1700000000"),
        none("ssh -o PasswordAuthentication=no host"),
        none("passwd"),
        none("pass show email/work"),
        none("export GIT_ASKPASS=/usr/bin/ksshaskpass"),
        none("export PASSWORD_STORE_DIR=~/.pw"),
        none("mkdir -p build/out"),
        none("sudo apt-get update"),
        none("ansible-playbook --ask-pass site.yml"),
        none("psql --no-password mydb"),
        none("python3 -c 'print(1)'"),
        none(">>> password = getpass.getpass()"),
        none("token=os.environ['TOKEN']"),
        none("ls /dev/disk/by-id/ata-Samsung_SSD_860_EVO_500GB"),
        none("curl -H 'Authorization: Bearer $TOKEN' https://x"),
        none("sudo mount /dev/sdb1 /mnt"),
        none("zip -r out.zip dir"),
        none("kubectl create secret generic x --from-file=a"),
    ];
    // Weak literals are secrets all the same: they are the first an attacker tries.
    for weak in [
        "changeme",
        "password",
        "passwd",
        "secret",
        "test",
        "dummy",
        "ChangeMe",
        "mypassword",
        "example",
    ] {
        rows.push(t(&format!("mysql -uroot -p{weak}"), &[("MySQL", weak)]));
        rows.push(t(&format!("sshpass -p {weak} ssh h"), &[("sshpass", weak)]));
        rows.push(t(
            &format!("export API_TOKEN='{weak}'"),
            &[("exported", weak)],
        ));
    }
    // Variables and obvious placeholders are nothing.
    for p in [
        "xxx",
        "xxxxxxxx",
        "********",
        "redacted",
        "REDACTED",
        "your_password",
        "yourpassword",
        "<password>",
        "<...>",
        "{{pw}}",
        "%s",
        "%PW%",
        "$VAR",
        "${VAR}",
        "$(cmd)",
        "`cmd`",
        "FUZZ",
        "FILE1",
        "^PASS^",
        "path/to/password.txt",
    ] {
        rows.push(none(&format!("mysql -uroot -p{p}")));
        rows.push(none(&format!("export API_TOKEN='{p}'")));
        rows.push(none(&format!("sshpass -p '{p}' ssh h")));
    }
    // What the tldr pages showed as false alarms, and prompting forms.
    for line in [
        "hydra -l admin --password path/to/passwords.txt ssh://host",
        "mysql --user u --password shop",
        "mysqldump --user root --password shop > shop.sql",
        "psql --password shop",
        "kdialog --password \"Enter the passphrase\"",
        "zenity --forms --add-password \"Password\" --add-entry label",
        "patator ssh_login host=10.0.0.1 user=root password=FILE1 1=passwords.txt",
        "ffuf -w words.txt -X POST -d 'username=admin&password=FUZZ' -u https://x/login",
        "aws-vault login profile",
        "aws-vault exec work -- aws s3 ls",
        "export TOKEN_EXPIRY=3600",
        "export GOOGLE_APPLICATION_CREDENTIALS=path/to/key.json",
        "export GOOGLE_APPLICATION_CREDENTIALS=/etc/gcp/key.json",
        "export GIT_AUTHOR_NAME=alice",
        "git config --global credential.helper store",
        "docker login --password-stdin < token.txt",
        "cat token.txt | docker login -u bob --password-stdin",
        "ldapsearch -x -W -D cn=admin -b dc=example,dc=org",
        "sqlcmd -S db -U sa",
        "cqlsh -u cassandra",
        "mosquitto_sub -t '#' -v",
        "snmpwalk -v2c -c public host",
        "rabbitmqctl list_users",
        "rclone config",
        "http -a bob GET https://x",
        "curl -H 'Authorization: Bearer {{token}}' https://x",
        "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "openssl rsa -in key.pem -passin file:path/to/pass.txt",
        "openssl passwd -apr1 -salt label",
        "influx -username demo -password \"\"",
        "sudo tmutil setdestination \"protocol://user[:password]@host/share\"",
        "fcrackzip --brute-force --length 5 --charset 1 --init-password a backup",
        "virt-sysprep --operations customize --root-password password:$NEW_PASSWORD",
        "qm remote-migrate 1 2 'apitoken=PVEAPIToken=u@pam!$TOKEN=$SECRET,host=h'",
        "patator http_fuzz url=http://h auth_type=basic user_pass=COMBO00:COMBO01 0=u.txt",
        "sshpass -p pw$SUFFIX ssh h",
        r#"qm remote-migrate label release 'apitoken=PVEAPIToken=$USER@notes!$TOKEN=$SECRET,host=release,fingerprint=demo' --target-bridge blue --target-storage alpha"#,
    ] {
        rows.push(none(line));
    }
    // Quoting variants of one password.
    for q in ["Quot3d", "'Quot3d'", "\"Quot3d\""] {
        rows.push(t(
            &format!("export SMTP_PASS={q}"),
            &[("exported secret variable", "Quot3d")],
        ));
        rows.push(t(
            &format!("sshpass -p {q} ssh h"),
            &[("sshpass", "Quot3d")],
        ));
        rows.push(t(&format!("curl -u bob:{q} h"), &[("curl", "Quot3d")]));
    }
    rows.push(t(
        "export DB_PASSWORD='Lit$eral'",
        &[("exported", "Lit$eral")],
    ));
    rows.push((
        b"export API_TOKEN=crlfT0ken\r".to_vec(),
        vec![("exported", b"crlfT0ken".to_vec())],
    ));
    rows.push((
        b"\xff\xfe mysql -pN0nUtf8 \xc3\x28".to_vec(),
        vec![("MySQL", b"N0nUtf8".to_vec())],
    ));
    rows.push((
        b"\xc3\x28PGPASSWORD=\xff\xfeBin\xffary psql".to_vec(),
        vec![("exported", b"\xff\xfeBin\xffary".to_vec())],
    ));
    rows
}

pub(super) fn check_row(line: &[u8], expected: &[(&str, Vec<u8>)], hits: &[Hit]) {
    let shown = String::from_utf8_lossy(line);
    let got: Vec<(&str, &[u8])> = hits
        .iter()
        .map(|h| (h.kind, &line[h.secret.clone()]))
        .collect();
    assert_eq!(hits.len(), expected.len(), "{shown}: got {got:?}");
    for ((kind, secret), hit) in expected.iter().zip(hits) {
        assert!(
            hit.kind.to_lowercase().contains(&kind.to_lowercase()),
            "{shown}: kind {:?}, wanted {kind:?}",
            hit.kind
        );
        assert_eq!(
            &line[hit.secret.clone()],
            secret.as_slice(),
            "{shown}: got {got:?}"
        );
    }
}
