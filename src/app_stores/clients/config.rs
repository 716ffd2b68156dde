//! The line-based stores: Remmina profiles, Claws Mail's password store and old
//! `accountrc`, gFTP bookmarks, HexChat's server list, mutt and neomutt rc files,
//! `~/.fetchmailrc` and Gradle's `gradle.properties`. Lines are read as bytes and
//! only measured — empty or not, a command or a literal — never copied out.

use std::ffi::OsStr;

use regex::bytes::Regex;

use super::Saved;
use crate::app_stores::read::read_file;
use crate::fs::SafeDir;

/// The lines of a file with surrounding white space trimmed.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::trim_ascii)
}

/// `key=value` with both sides trimmed; `None` for a comment, a section header or a
/// line without `=`.
fn key_value(line: &[u8]) -> Option<(&[u8], &[u8])> {
    if line.starts_with(b"#") || line.starts_with(b";") || line.starts_with(b"[") {
        return None;
    }
    let at = line.iter().position(|&b| b == b'=')?;
    Some((line[..at].trim_ascii(), line[at + 1..].trim_ascii()))
}

/// A Remmina profile: every `…password` or `…passphrase` setting. `.` means the
/// secret is in the keyring (the keyring plugin's marker); any other value is the
/// secret, encrypted with the key in `remmina.pref`.
pub fn remmina(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    let mut saved = Saved::default();
    for (key, value) in lines(bytes).filter_map(key_value) {
        let secret = key.ends_with(b"password") || key.ends_with(b"passphrase");
        if !secret || value.is_empty() {
            continue;
        }
        if value == b"." {
            saved.protected += 1;
        } else {
            saved.readable += 1;
        }
    }
    Ok(saved)
}

/// Claws Mail's `passwordstorerc` (3.17+): every value under an `[account:N]` or
/// other section is a password, encrypted with the primary passphrase when
/// `clawsrc` beside it turns one on, else with a default built into Claws Mail.
pub fn claws_password_store(bytes: &[u8], dir: &SafeDir) -> Result<Saved, String> {
    let count = lines(bytes)
        .filter_map(key_value)
        .filter(|(_, value)| !value.is_empty())
        .count();
    if count == 0 {
        return Ok(Saved::default());
    }
    let settings = read_file(dir, OsStr::new("clawsrc"), super::MAX_BYTES)
        .map_err(|why| format!("its settings file clawsrc {why}"))?;
    let primary = settings.is_some_and(|text| {
        lines(&text).filter_map(key_value).any(|(key, value)| {
            (key == b"use_master_passphrase" || key == b"use_primary_passphrase") && value == b"1"
        })
    });
    Ok(if primary {
        Saved {
            protected: count,
            ..Saved::default()
        }
    } else {
        Saved::readable(count)
    })
}

/// Claws Mail's `accountrc` before 3.17: `password=` obfuscated with a fixed key.
pub fn claws_accountrc(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    Ok(Saved::readable(count_keys(bytes, |key, _| {
        key == b"password"
    })))
}

/// gFTP's `bookmarks`: `password=`, except the anonymous-login marker `@EMAIL@`.
pub fn gftp(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    Ok(Saved::readable(count_keys(bytes, |key, value| {
        key == b"password" && value != b"@EMAIL@"
    })))
}

/// HexChat's `servlist.conf`: `P=` (server password) and `B=` (the NickServ
/// password of XChat's format).
pub fn hexchat(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    Ok(Saved::readable(count_keys(bytes, |key, _| {
        key == b"P" || key == b"B"
    })))
}

/// Gradle's `gradle.properties`: properties whose name holds `password` or `token`
/// (`=`, `:` or white space separates name and value, as Java properties allow).
pub fn gradle(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    let count = lines(bytes)
        .filter(|line| !line.starts_with(b"#") && !line.starts_with(b"!"))
        .filter_map(|line| {
            let at = line
                .iter()
                .position(|&b| b == b'=' || b == b':' || b.is_ascii_whitespace())?;
            let value = line[at + 1..].trim_ascii();
            let value = value
                .strip_prefix(b"=")
                .or_else(|| value.strip_prefix(b":"))
                .unwrap_or(value)
                .trim_ascii();
            Some((line[..at].to_ascii_lowercase(), value))
        })
        .filter(|(key, value)| {
            !value.is_empty() && (contains(key, b"password") || contains(key, b"token"))
        })
        .count();
    Ok(Saved::readable(count))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn count_keys(bytes: &[u8], wanted: impl Fn(&[u8], &[u8]) -> bool) -> usize {
    lines(bytes)
        .filter_map(key_value)
        .filter(|(key, value)| !value.is_empty() && wanted(key, value))
        .count()
}

/// mutt's and neomutt's `set imap_pass`, `smtp_pass` and `pop_pass`: a literal is
/// readable; a backquoted command (`pass show …`) is fetched at start-up and
/// passes; a `$variable` is another setting's. A URL with `user:password@` in any
/// `set` line is readable too.
pub fn mutt(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    let assignment = Regex::new(r"\b(?:imap|smtp|pop)_pass\s*=\s*(\S)")
        .map_err(|_| "internal pattern error".to_owned())?;
    let url = Regex::new(r#"[a-z]+://[^/@:\s"']+:[^@/\s"']+@"#)
        .map_err(|_| "internal pattern error".to_owned())?;
    let mut saved = Saved::default();
    for line in lines(bytes) {
        if !(line.starts_with(b"set ") || line.starts_with(b"set\t")) {
            continue;
        }
        for found in assignment.captures_iter(line) {
            let Some(first) = found.get(1) else { continue };
            let rest = &line[first.start()..];
            let value = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            match value.first() {
                Some(b'`') => saved.protected += 1,
                Some(b'$') | Some(b'"') | Some(b'\'') | None => {}
                Some(_) => saved.readable += 1,
            }
        }
        saved.readable += url.find_iter(line).count();
    }
    Ok(saved)
}

/// `~/.fetchmailrc`: each `password` (or `pass`) keyword followed by a value.
pub fn fetchmail(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    let mut count = 0;
    for line in lines(bytes) {
        let words = words(line);
        for pair in words.windows(2) {
            if (pair[0] == b"password" || pair[0] == b"pass") && !pair[1].is_empty() {
                count += 1;
            }
        }
    }
    Ok(Saved::readable(count))
}

/// The words of an rc line: white space separates, double quotes group, `#` starts
/// a comment. A quoted word is given without its quotes.
fn words(line: &[u8]) -> Vec<&[u8]> {
    let mut words = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_ascii_start();
        match rest.first() {
            None | Some(b'#') => return words,
            Some(b'"') => {
                let body = &rest[1..];
                let end = body.iter().position(|&b| b == b'"').unwrap_or(body.len());
                words.push(&body[..end]);
                rest = body.get(end + 1..).unwrap_or(&[]);
            }
            Some(_) => {
                let end = rest
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                words.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(reader: fn(&[u8], &SafeDir) -> Result<Saved, String>, text: &str) -> Saved {
        let dir = SafeDir::open_root(std::path::Path::new("/nonexistent-csi"))
            .or_else(|_| SafeDir::open_root(std::path::Path::new("/")))
            .unwrap();
        reader(text.as_bytes(), &dir).unwrap()
    }

    fn protected(n: usize) -> Saved {
        Saved {
            protected: n,
            ..Saved::default()
        }
    }

    #[test]
    fn remmina_dot_means_the_keyring() {
        let profile = "[remmina]\nname=box\npassword=Zm9vYmFy\nssh_tunnel_password=.\nssh_tunnel_passphrase=\n";
        assert_eq!(
            run(remmina, profile),
            Saved {
                readable: 1,
                protected: 1,
                sealed: false
            }
        );
    }

    #[test]
    fn mutt_literals_commands_and_urls() {
        let rc = "set imap_pass = \"Hunter-2\"\nset smtp_pass=`pass show mail`\nset pop_pass = $my_pass\n# set imap_pass = old\nset folder = \"imaps://me:Pw-9@mail.example.org/\"\nset imap_user = me\n";
        assert_eq!(
            run(mutt, rc),
            Saved {
                readable: 2,
                protected: 1,
                sealed: false
            }
        );
        assert_eq!(run(mutt, "set imap_pass=\"`pass show x`\"\n"), protected(1));
    }

    #[test]
    fn the_other_line_readers() {
        let fetch = "poll mail.example.org protocol imap\n  user \"me\" password \"Pw 9\" is me here\n# password old\n";
        assert_eq!(run(fetchmail, fetch), Saved::readable(1));
        let props = "org.gradle.jvmargs=-Xmx2g\nmavenPassword=secret\nartifactory_token: abc\nsigning.keyId 1234\nemptyPassword=\n";
        assert_eq!(run(gradle, props), Saved::readable(2));
        let servlist = "v=2.16\n\nN=Libera\nI=me\nP=server-pw\nS=irc.libera.chat\n";
        assert_eq!(run(hexchat, servlist), Saved::readable(1));
        let bookmarks = "[FTP Sites/Anon]\nusername=anonymous\npassword=@EMAIL@\n[FTP Sites/Mine]\npassword=$abcd\n";
        assert_eq!(run(gftp, bookmarks), Saved::readable(1));
        assert_eq!(
            run(claws_accountrc, "[Account: 1]\npassword=!abc\n"),
            Saved::readable(1)
        );
    }
}
