//! Pseudo-random history lines, shared by the tests of the patterns and of the engine:
//! hand-written lines alone would miss the odd mixes of triggers, quotes, separators and
//! stray bytes on which two ways of finding secrets (prefilter and every rule, scan and
//! grep) could disagree, or a scan could panic.

/// Deterministic pseudo-random lines made of command fragments, quotes, separators and
/// arbitrary bytes.
pub(super) fn generated_lines(n: usize) -> Vec<Vec<u8>> {
    const PARTS: &[&[u8]] = &[
        b"mysql",
        b"-p",
        b"-pX9y",
        b"sshpass",
        b"curl",
        b"-u",
        b"a:b",
        b"https://",
        b"u:p@h",
        b"export",
        b"PASSWORD=",
        b"TOKEN",
        b"=",
        b"'",
        b"\"",
        b"|",
        b";",
        b"&",
        b"sudo",
        b"-S",
        b"echo",
        b"<<<",
        b"htpasswd",
        b"-b",
        b"-nb",
        b"openssl",
        b"pass:",
        b"-passin",
        b"docker login",
        b"--password",
        b"smbclient",
        b"-U",
        b"u%p",
        b"chpasswd",
        b"sqlplus",
        b"a/b@c",
        b"xfreerdp",
        b"/p:",
        b"7z",
        b"unzip",
        b"-P",
        b"mount",
        b"-o",
        b"password=",
        b"vault login",
        b"AKIA",
        b"ghp_",
        b"glpat-",
        b"xoxb-",
        b"eyJ",
        b"sk-",
        b"AGE-SECRET-KEY-1",
        b"-----BEGIN RSA PRIVATE KEY-----",
        b"$VAR",
        b"\xff",
        b"\xc3",
        b"\r",
        b"\t",
        b" ",
        b" ",
        b" ",
        b"\\",
        b"`",
        b"(",
        b")",
        b"IDENTIFIED BY",
        b"AUTH",
        b"api_key",
        b"Authorization:",
        b"Bearer",
        b"--token",
        b"set -x",
        b"\\040",
        b"{{",
        b"Sx7kQ2mZ9wLp4rT8vN3b",
        b"ABCDEFGHIJKLMNOP2345",
        b"0123456789abcdefghijABCDEFGHIJ",
        b"nmcli",
        b"password",
        b"ssh-keygen",
        b"-N",
        b"wpa_passphrase",
        b"a.psk",
        b".password=",
        b"MYSQL_PWD=",
        b"apiKey",
        b"Token",
        b"useradd",
        b"'$6$a$b$c'",
        b"rdesktop",
        b"redis-cli",
        b"-a",
        b"mongo",
        b"openssl passwd",
        b"keytool",
        b"-storepass",
        b"machine h login u",
        b"CONFIG SET requirepass",
        b"PASSWORD (",
        b"SET PASSWORD",
        b"X-Api-Key:",
        b"az login",
        b"sshpass -p",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let parts = next() % 14;
            let mut line = Vec::new();
            for _ in 0..parts {
                let r = next();
                match r % 9 {
                    0 => line.push((r >> 8) as u8),
                    1 => line.push(b' '),
                    _ => line.extend_from_slice(PARTS[(r >> 8) as usize % PARTS.len()]),
                }
            }
            line.retain(|&b| b != b'\n');
            line
        })
        .collect()
}
