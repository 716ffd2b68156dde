//! The clients of app-password-stores, each in the place it really writes, once
//! with a saved password (reported, with the count) and once in its protected or
//! keyring form, or with no password saved (passes). The table is shared with the
//! leak test in app_stores.rs, which plants one known password in every store.

use std::io::Write;
use std::process::Stdio;

use crate::util::{Cli, Home, have, tool};

/// The password planted in every store; no output may hold it, its base64 or hex.
pub const SECRET: &str = "Pl4nted-Secret!Zq7";

/// `SECRET` in base64, as FileZilla, Remmina and others write it.
pub fn secret_base64() -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(SECRET.as_bytes())
}

/// Every form of the secret that must never be printed.
pub fn secret_forms() -> Vec<String> {
    let hex: String = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        SECRET.to_owned(),
        secret_base64(),
        hex.clone(),
        hex.to_uppercase(),
    ]
}

/// Runs `openssl` with `input` on standard input and returns its output.
pub fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = tool("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// DBeaver's `credentials-config.json`: an IV, then AES-128-CBC of `json` under
/// `key_hex` (DBeaver's built-in key, or another standing for a project password).
fn dbeaver_file(key_hex: &str, json: &str) -> Vec<u8> {
    let iv_hex = "0f0e0d0c0b0a09080706050403020100";
    let mut out: Vec<u8> = (0..16).rev().collect();
    out.extend(openssl(
        &["enc", "-aes-128-cbc", "-K", key_hex, "-iv", iv_hex],
        json.as_bytes(),
    ));
    out
}

const DBEAVER_KEY: &str = "babb4a9f774ab853c96c2d653dfe544a";
const DBEAVER_PATH: &str =
    ".local/share/DBeaverData/workspace6/General/.dbeaver/credentials-config.json";

/// One client store: the app, its file, the file with the planted password, and
/// the protected (or password-free) form; `extra` files go beside both.
pub struct Fixture {
    pub app: &'static str,
    pub path: &'static str,
    pub readable: Vec<u8>,
    pub protected: Vec<u8>,
    pub extra: Vec<(&'static str, Vec<u8>, Vec<u8>)>,
}

fn fixture(app: &'static str, path: &'static str, readable: String, protected: String) -> Fixture {
    Fixture {
        app,
        path,
        readable: readable.into_bytes(),
        protected: protected.into_bytes(),
        extra: Vec::new(),
    }
}

/// Every client of the issue, in its own format.
pub fn fixtures() -> Vec<Fixture> {
    let s = SECRET;
    let b = secret_base64();
    let mut all = vec![
        fixture(
            "Pidgin",
            ".purple/accounts.xml",
            format!("<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'><account><protocol>prpl-jabber</protocol><name>me@example.org/{s}</name><password>{s}</password></account></account>"),
            "<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'><account><protocol>prpl-jabber</protocol><name>me@example.org</name></account></account>".to_owned(),
        ),
        fixture(
            "FileZilla",
            ".config/filezilla/sitemanager.xml",
            format!("<?xml version=\"1.0\"?>\n<FileZilla3><Servers><Server><Host>{s}.example.org</Host><User>me</User><Pass encoding=\"base64\">{b}</Pass></Server></Servers></FileZilla3>"),
            "<?xml version=\"1.0\"?>\n<FileZilla3><Servers><Server><Host>ftp.example.org</Host><User>me</User><Pass encoding=\"crypt\" pubkey=\"AbCd\">EfGh</Pass></Server></Servers></FileZilla3>".to_owned(),
        ),
        fixture(
            "Remmina",
            ".local/share/remmina/group_rdp_box.remmina",
            format!("[remmina]\nname=box\nserver=box.example.org\nusername=me\npassword={b}\nprotocol=RDP\n"),
            "[remmina]\nname=box\nserver=box.example.org\nusername=me\npassword=.\nprotocol=RDP\n".to_owned(),
        ),
        Fixture {
            app: "DBeaver",
            path: DBEAVER_PATH,
            readable: dbeaver_file(
                DBEAVER_KEY,
                &format!(r##"{{"postgres-jdbc-1":{{"#connection":{{"user":"me","password":"{s}"}}}}}}"##),
            ),
            protected: dbeaver_file(
                "00112233445566778899aabbccddeeff",
                &format!(r##"{{"postgres-jdbc-1":{{"#connection":{{"user":"me","password":"{s}"}}}}}}"##),
            ),
            extra: Vec::new(),
        },
        fixture(
            "DbVisualizer",
            ".dbvis/config70/dbvis.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DbVisualizer><Databases><Database id=\"0\"><Alias>prod</Alias><Userid>me</Userid><Password>{b}</Password></Database></Databases></DbVisualizer>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DbVisualizer><Databases><Database id=\"0\"><Alias>prod</Alias><Userid>me</Userid><Password/></Database></Databases></DbVisualizer>".to_owned(),
        ),
        fixture(
            "SQuirreL SQL",
            ".squirrel-sql/SQLAliases23.xml",
            format!("<Beans><Bean Class=\"net.sourceforge.squirrel_sql.client.gui.db.SQLAlias\"><name>prod</name><userName>me</userName><password>{s}</password></Bean></Beans>"),
            "<Beans><Bean Class=\"net.sourceforge.squirrel_sql.client.gui.db.SQLAlias\"><name>prod</name><userName>me</userName><password></password></Bean></Beans>".to_owned(),
        ),
        fixture(
            "Oracle SQL Developer",
            ".sqldeveloper/system23.1.0.097.1607/o.jdeveloper.db.connection.23.1.0.97.1607/connections.json",
            format!(r#"{{"connections":[{{"name":"prod","type":"jdbc","info":{{"user":"me","password":"{b}"}}}}]}}"#),
            r#"{"connections":[{"name":"prod","type":"jdbc","info":{"user":"me"}}]}"#.to_owned(),
        ),
        Fixture {
            app: "Claws Mail",
            path: ".claws-mail/passwordstorerc",
            readable: format!("[account:1]\nrecv={b}\nsend={b}\n").into_bytes(),
            protected: format!("[account:1]\nrecv={b}\n").into_bytes(),
            extra: vec![(
                ".claws-mail/clawsrc",
                b"[Common]\nuse_primary_passphrase=0\n".to_vec(),
                b"[Common]\nuse_primary_passphrase=1\nprimary_passphrase=PBKDF2-HMAC-SHA1,10000$abc$def\n".to_vec(),
            )],
        },
        fixture(
            "gFTP",
            ".gftp/bookmarks",
            format!("[FTP Sites/Mine]\nhostname=ftp.example.org\nport=21\nprotocol=FTP\nusername=me\npassword={s}\n"),
            "[FTP Sites/Mine]\nhostname=ftp.example.org\nport=21\nprotocol=FTP\nusername=me\npassword=\n".to_owned(),
        ),
        fixture(
            "Psi",
            ".config/psi/profiles/default/accounts.xml",
            format!("<!DOCTYPE accounts>\n<accounts version=\"1.3\" xmlns=\"http://psi-im.org/options\"><accounts><a0><jid type=\"QString\">me@example.org</jid><password type=\"QString\">{b}</password></a0></accounts></accounts>"),
            "<!DOCTYPE accounts>\n<accounts version=\"1.3\" xmlns=\"http://psi-im.org/options\"><accounts><a0><jid type=\"QString\">me@example.org</jid><password type=\"QString\"></password></a0></accounts></accounts>".to_owned(),
        ),
        fixture(
            "Apache Directory Studio",
            ".ApacheDirectoryStudio/.metadata/.plugins/org.apache.directory.studio.connection.core/connections.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<connections><connection id=\"1\" name=\"ldap\" host=\"ldap.example.org\" port=\"389\" bindPrincipal=\"cn=me\" bindPassword=\"{s}\"/></connections>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<connections><connection id=\"1\" name=\"ldap\" host=\"ldap.example.org\" port=\"389\" bindPrincipal=\"cn=me\" bindPassword=\"\"/></connections>".to_owned(),
        ),
        fixture(
            "HexChat",
            ".config/hexchat/servlist.conf",
            format!("v=2.16.2\n\nN=Libera.Chat\nI=me\nP={s}\nL=6\nS=irc.libera.chat\n"),
            "v=2.16.2\n\nN=Libera.Chat\nI=me\nL=6\nS=irc.libera.chat\n".to_owned(),
        ),
        fixture(
            "mutt",
            ".config/mutt/muttrc",
            format!("set imap_user = me@example.org\nset imap_pass = \"{s}\"\n"),
            "set imap_user = me@example.org\nset imap_pass = \"`pass show mail/imap`\"\n".to_owned(),
        ),
        fixture(
            "fetchmail",
            ".fetchmailrc",
            format!("poll mail.example.org protocol imap\n  user \"me\" there with password \"{s}\" is me here\n"),
            "poll mail.example.org protocol imap\n  user \"me\" there is me here\n".to_owned(),
        ),
        fixture(
            "Composer",
            ".config/composer/auth.json",
            format!(r#"{{"http-basic":{{"repo.example.org":{{"username":"me","password":"{s}"}}}}}}"#),
            "{}".to_owned(),
        ),
        fixture(
            "Gradle",
            ".gradle/gradle.properties",
            format!("org.gradle.jvmargs=-Xmx2g\nmavenPassword={s}\n"),
            "org.gradle.jvmargs=-Xmx2g\n".to_owned(),
        ),
    ];
    // The sites' settings files that keep the key beside the passwords, as real
    // installations have them; the check reads none of them.
    all[2].extra.push((
        ".config/remmina/remmina.pref",
        b"[remmina_pref]\nsecret=c2VjcmV0\n".to_vec(),
        b"[remmina_pref]\n".to_vec(),
    ));
    all
}

/// Writes the readable (or protected) form of `fixture` into `home`.
pub fn plant(home: &Home, fixture: &Fixture, readable: bool) {
    let mut files = vec![(
        fixture.path,
        if readable {
            &fixture.readable
        } else {
            &fixture.protected
        },
    )];
    for (path, open, closed) in &fixture.extra {
        files.push((path, if readable { open } else { closed }));
    }
    for (path, bytes) in files {
        let full = home.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        home.file(path, bytes, 0o600);
    }
}

fn finding_at(run: &crate::util::Run, path: &std::path::Path) -> Vec<serde_json::Value> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "app-password-stores" && f["path"] == path.to_str().unwrap())
        .cloned()
        .collect()
}

#[test]
fn each_client_with_a_password_is_reported_and_its_protected_form_passes() {
    if !have("openssl", "each_client_with_a_password_is_reported") {
        return;
    }
    for fixture in fixtures() {
        let home = Home::new();
        plant(&home, &fixture, true);
        let run = Cli::json(&home, &["--only", "app-password-stores"]);
        assert_eq!(run.code, 1, "{}: {}", fixture.app, run.stdout);
        let found = finding_at(&run, &home.join(fixture.path));
        assert_eq!(found.len(), 1, "{}: {found:#?}", fixture.app);
        let f = &found[0];
        assert_eq!(f["status"], "fail", "{}: {f}", fixture.app);
        assert_eq!(f["code"], "app-password-readable", "{}", fixture.app);
        assert_eq!(f["level"], "must-not", "{}", fixture.app);
        assert_eq!(f["policy"], "password-usage");
        let message = f["message"].as_str().unwrap();
        let count = if fixture.app == "Claws Mail" {
            "2 saved passwords"
        } else {
            "1 saved password "
        };
        assert!(
            message.starts_with(&format!("{}: {count}", fixture.app)),
            "{message}"
        );
        assert!(!f["fix"].as_str().unwrap().is_empty());

        let home = Home::new();
        plant(&home, &fixture, false);
        let run = Cli::json(&home, &["--only", "app-password-stores"]);
        assert_eq!(run.code, 0, "{}: {}", fixture.app, run.stdout);
        let found = finding_at(&run, &home.join(fixture.path));
        assert_eq!(found.len(), 1, "{}: {found:#?}", fixture.app);
        assert_eq!(found[0]["status"], "pass", "{}: {}", fixture.app, found[0]);
        let protected = ["FileZilla", "Remmina", "DBeaver", "Claws Mail", "mutt"];
        let code = if protected.contains(&fixture.app) {
            "app-store-protected"
        } else {
            "app-store-empty"
        };
        assert_eq!(found[0]["code"], code, "{}", fixture.app);
    }
}

#[test]
fn clients_are_found_under_flatpak_and_snap_too() {
    let home = Home::new();
    let readable = format!("[remmina]\npassword={}\n", secret_base64());
    let places = [
        ".var/app/org.remmina.Remmina/data/remmina/a.remmina",
        "snap/remmina/current/.local/share/remmina/b.remmina",
        ".var/app/io.github.Hexchat/config/hexchat/servlist.conf",
    ];
    home.dir("snap/remmina/42/.local/share/remmina", 0o700);
    home.symlink("snap/remmina/current", "42");
    for dir in [
        ".var/app/org.remmina.Remmina/data/remmina",
        ".var/app/io.github.Hexchat/config/hexchat",
    ] {
        home.dir(dir, 0o700);
    }
    home.file(places[0], readable.as_bytes(), 0o600);
    home.file(
        "snap/remmina/42/.local/share/remmina/b.remmina",
        readable.as_bytes(),
        0o600,
    );
    home.file(places[2], format!("N=x\nP={SECRET}\n").as_bytes(), 0o600);
    let run = Cli::json(&home, &["--only", "app-password-stores"]);
    for (place, real) in places.iter().zip([
        places[0],
        "snap/remmina/42/.local/share/remmina/b.remmina",
        places[2],
    ]) {
        let found = finding_at(&run, &home.join(real));
        assert_eq!(found.len(), 1, "{place}: {}", run.stdout);
        assert_eq!(found[0]["status"], "fail", "{place}");
    }
}
