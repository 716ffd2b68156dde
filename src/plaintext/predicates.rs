//! What a rule's regular expression cannot say: whether a match is a real secret or a
//! placeholder, a switch, or a setting that only sounds secret, and where the shell
//! command a match belongs to ends. Kept apart from the rule table so that the table
//! reads as data and these can be read (and fixed) as code.

use std::ops::Range;

/// The check of a rule that needs none.
pub(super) fn always(_: &[u8], _: Option<Range<usize>>, _: Range<usize>) -> bool {
    true
}

/// htpasswd's flags (`-b`, `-bc`, `-nbB`, …) include `flag`, and include `n` or not.
pub(super) fn has_flags(line: &[u8], flags: Option<Range<usize>>, flag: u8, with_n: bool) -> bool {
    let flags = flags.and_then(|r| line.get(r)).unwrap_or_default();
    flags.contains(&flag) && flags.contains(&b'n') == with_n
}

/// `--no-password` and `--ask-pass` are switches; the next word is not their value.
/// A value that names a file (`--password path/to/passwords.txt`, `--private-key
/// ~/.ssh/id`) or a secret kept elsewhere (`--secret id=npm,src=…`) is not the secret.
/// Some tools read `--password` as "ask me": the MySQL and PostgreSQL clients (`mysql
/// --password shop` prompts, `shop` is the database) and dialog programs, whose
/// `--password` takes a prompt's text.
pub(super) fn option_ok(line: &[u8], name: Option<Range<usize>>, value: Range<usize>) -> bool {
    const PROMPTING: &[&[u8]] = &[
        b"mysql",
        b"mysqldump",
        b"mysqladmin",
        b"mysqlimport",
        b"mysqlshow",
        b"mysqlcheck",
        b"mysqlpump",
        b"mysqlsh",
        b"mariadb",
        b"mariadb-dump",
        b"mariadb-admin",
        b"psql",
        b"pg_dump",
        b"pg_dumpall",
        b"pg_restore",
        b"pg_basebackup",
        b"createdb",
        b"createuser",
        b"dropdb",
        b"dropuser",
        b"vacuumdb",
        b"reindexdb",
        b"clusterdb",
        b"pgbench",
        b"pg_isready",
        b"kdialog",
        b"zenity",
        b"yad",
        b"gum",
        b"dialog",
        b"whiptail",
    ];
    let Some(name_range) = name else {
        return false;
    };
    let name = line.get(name_range.clone()).unwrap_or_default();
    let value_bytes = line.get(value.clone()).unwrap_or_default();
    let spaced = line.get(name_range.end) != Some(&b'=');
    let prompting = spaced
        && PROMPTING
            .iter()
            .any(|c| segment_command(line, name_range.start) == *c);
    !(starts_with_ci(name, b"--no-")
        || starts_with_ci(name, b"--no_")
        || starts_with_ci(name, b"--ask")
        || starts_with_ci(name, b"--add-")
        || starts_with_ci(name, b"--init-")
        || prompting
        || looks_like_path(value_bytes)
        || [&b"id="[..], b"src=", b"source=", b"env=", b"type="]
            .iter()
            .any(|p| starts_with_ci(value_bytes, p)))
}

/// The program that the shell command holding `pos` runs: the first word of its
/// segment after `sudo`, `env`, `time`, `nohup`, `command` and `VAR=value` words, path
/// stripped. A fish or zsh history prefix counts as a separator.
pub(super) fn segment_command(line: &[u8], pos: usize) -> &[u8] {
    let before = line.get(..pos).unwrap_or_default();
    let start = before
        .iter()
        .rposition(|&b| matches!(b, b'|' | b';' | b'&' | b'(' | b'`'))
        .map_or(0, |i| i + 1);
    let segment = &before[start..];
    let segment = segment.strip_prefix(b"- cmd: ").unwrap_or(segment);
    let mut words = segment
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .skip_while(|w| {
            matches!(
                *w,
                b"sudo" | b"env" | b"time" | b"nohup" | b"command" | b"exec" | b"-"
            ) || w.contains(&b'=')
                || w.starts_with(b"-")
        });
    let first = words.next().unwrap_or_default();
    first.rsplit(|&b| b == b'/').next().unwrap_or(first)
}

/// A value that names a file rather than being a secret: absolute, home- or
/// dot-relative, `path/to/…` as manuals write it, or a relative path ending in a file
/// name with an extension (`keys/prod.pem`).
pub(super) fn looks_like_path(value: &[u8]) -> bool {
    const EXTENSIONS: &[&[u8]] = &[
        b".txt", b".lst", b".list", b".pem", b".key", b".crt", b".json", b".yml", b".yaml",
        b".toml", b".conf", b".cfg", b".ini", b".gpg", b".asc", b".pub", b".p12", b".pfx", b".jks",
        b".csv", b".dic", b".gz",
    ];
    value.starts_with(b"/")
        || value.starts_with(b"~/")
        || value.starts_with(b"./")
        || value.starts_with(b"../")
        || starts_with_ci(value, b"path/to/")
        || value.starts_with(b"@")
        || (value.contains(&b'/') && EXTENSIONS.iter().any(|e| ends_with_ci(value, e)))
        || (value.len() < 64
            && EXTENSIONS.iter().any(|e| ends_with_ci(value, e))
            && value
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b)))
}

/// Names that contain a secret-sounding word but hold something else: a path, a
/// program, a setting (the `PWD` of every shell, `SSH_ASKPASS`, `PasswordAuthentication`).
pub(super) fn assignment_ok(line: &[u8], name: Option<Range<usize>>, secret: Range<usize>) -> bool {
    const NOT_SECRET_SUFFIXES: &[&[u8]] = &[
        b"_file",
        b"_dir",
        b"_path",
        b"_cmd",
        b"_command",
        b"_prog",
        b"_program",
        b"_len",
        b"_length",
        b"_ttl",
        b"_type",
        b"_id",
        b"_name",
        b"_url",
        b"_uri",
        b"_endpoint",
        b"_helper",
        b"_timeout",
        b"_expiry",
        b"_expires",
        b"_expiration",
        b"_lifetime",
        b"_max_age",
        b"_age",
        b"_size",
        b"_count",
        b"_limit",
        b"_version",
        b"_header",
        b"_scope",
        b"_scopes",
        b"_user",
        b"_username",
        b"_method",
        b"_mode",
        b"_host",
        b"_server",
        b"_port",
        b"_realm",
        b"_provider",
        b"_enabled",
        b"_required",
        b"_prompt",
        b"_policy",
        b"_env",
    ];
    const NOT_SECRET_PARTS: &[&[u8]] = &[
        b"askpass",
        b"password_store",
        b"authentication",
        b"bypass",
        b"passthrough",
        b"passive",
        b"compass",
    ];
    const NOT_SECRET_VALUES: &[&[u8]] = &[
        b"yes",
        b"no",
        b"true",
        b"false",
        b"on",
        b"off",
        b"0",
        b"1",
        b"undefined",
        b"nil",
    ];
    let Some(name) = name.and_then(|r| line.get(r)) else {
        return false;
    };
    // A real variable name is short; the cap also bounds the searches below.
    if name.len() > 128 || name == b"PWD" || name == b"OLDPWD" {
        return false;
    }
    if NOT_SECRET_SUFFIXES.iter().any(|s| ends_with_ci(name, s))
        || NOT_SECRET_PARTS.iter().any(|p| contains_ci(name, p))
    {
        return false;
    }
    let value = line.get(secret.clone()).unwrap_or_default();
    if value.starts_with(b"=")
        || looks_like_path(value)
        || NOT_SECRET_VALUES
            .iter()
            .any(|v| value.eq_ignore_ascii_case(v))
    {
        return false;
    }
    // In Python and JavaScript history `password=getpass()` or `token=env['X']` names
    // code, not a literal.
    !(line.get(secret.end) == Some(&b'(') || value.ends_with(b"["))
}

fn starts_with_ci(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack
        .get(..prefix.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn ends_with_ci(haystack: &[u8], suffix: &[u8]) -> bool {
    haystack.len() >= suffix.len()
        && haystack[haystack.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Values that stand for a secret rather than being one, after the allowlists of
/// gitleaks (`$VAR`, `<user>:<pass>`, `changeme`, AWS's `…EXAMPLE` keys) and trufflehog
/// ("a password starting with `$` is a variable"). A `$` inside single quotes is literal,
/// so `useradd -p '$6$…'` is still a hash given on the command line (but `'$VAR'` is a
/// placeholder all the same).
pub(super) fn is_placeholder(value: &[u8], single_quoted: impl FnOnce() -> bool) -> bool {
    // Weak literals (`password`, `changeme`, `secret`) are secrets all the same: they
    // are the first an attacker tries. Only words that stand for a value are not.
    const WORDS: &[&[u8]] = &[
        b"your_password",
        b"yourpassword",
        b"your-password",
        b"placeholder",
        b"redacted",
        b"none",
        b"null",
        b"nil",
        b"undefined",
        b"bearer",
        b"basic",
        b"digest",
        b"-",
        // ffuf's and wfuzz's keywords, patator's and hydra's.
        b"FUZZ",
        b"FUZ2Z",
        b"^PASS^",
    ];
    let (Some(&first), Some(&last)) = (value.first(), value.last()) else {
        return true;
    };
    // A `$` the shell expands anywhere in the value (`password:$NEW`, `pw$1`) makes it
    // one built from a variable; in single quotes it is a literal `$` (a crypt hash).
    let expands = value
        .windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphanumeric() || b"_{(".contains(&w[1])));
    // Single quotes keep `$` literal, but `'…$TOKEN…'` is a template all the same.
    let named = value.windows(3).any(|w| {
        w[0] == b'$'
            && w[1..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || *b == b'_' || *b == b'{')
    });
    let variable = if single_quoted() {
        (first == b'$' || named) && !is_crypt_hash(value)
    } else {
        first == b'$' || expands
    };
    variable
        || first == b'`'
        || (first == b'<' && last == b'>')
        || (first == b'{' && last == b'}')
        || value.starts_with(b"{{")
        || (first == b'[' && last == b']')
        || (first == b'%' && (last == b'%' || value.len() == 2))
        || value.iter().all(|&b| b == b'*')
        || value.iter().all(|&b| b == b'x' || b == b'X')
        || value
            .windows(6)
            .any(|w| w.iter().all(|&b| b == b'x' || b == b'X' || b == b'*'))
        || value.iter().all(|&b| b == b'.')
        || (value.len() < 256 && value.windows(7).any(|w| w == b"EXAMPLE"))
        || patator_keyword(value)
        || starts_with_ci(value, b"path/to/")
        || WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
}

/// patator's `FILE0`, `NET1`, `RANGE0`, `PROG0`, `COMBO00`: the files or ranges it fills
/// in; also several joined by `:` (`COMBO00:COMBO01`).
fn patator_keyword(value: &[u8]) -> bool {
    value.split(|&b| b == b':').all(|part| {
        [&b"FILE"[..], b"NET", b"RANGE", b"PROG", b"COMBO"]
            .iter()
            .any(|k| {
                part.strip_prefix(*k).is_some_and(|n| {
                    !n.is_empty() && n.len() <= 2 && n.iter().all(u8::is_ascii_digit)
                })
            })
    })
}

/// A value the shell glues to a variable (`password:$NEW_PASSWORD`, `x="$A"`): built
/// from a secret kept elsewhere, not one itself.
pub(super) fn glued_to_variable(line: &[u8], end: usize) -> bool {
    match line.get(end) {
        Some(b'$') => true,
        Some(b'"' | b'\'') => line.get(end + 1) == Some(&b'$'),
        _ => false,
    }
}

/// `$6$salt$hash`, `$y$j9T$salt$hash`: what `useradd -p` takes.
fn is_crypt_hash(value: &[u8]) -> bool {
    value.first() == Some(&b'$') && value.iter().filter(|&&b| b == b'$').count() >= 3
}

/// Whether the quote that opens the word around `start` is a single quote. The look back
/// is bounded so that a megabyte-long word full of hits stays linear.
pub(super) fn single_quoted(line: &[u8], start: usize) -> bool {
    line.get(..start)
        .unwrap_or_default()
        .iter()
        .rev()
        .take(256)
        .take_while(|b| !b.is_ascii_whitespace())
        .find(|&&b| b == b'\'' || b == b'"')
        == Some(&b'\'')
}

/// Where the shell command that starts at `from` ends: the first `|`, `;`, `&`, `)` or
/// backquote outside quotes (`2>&1` and `&>` are redirections, not separators).
pub(super) fn segment_end(line: &[u8], from: usize) -> usize {
    let mut quote = None;
    let mut i = from;
    while let Some(&b) = line.get(i) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(b'"') if b == b'\\' => i += 1,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'\\' => i += 1,
                b'&' if i > 0 && matches!(line.get(i - 1), Some(b'>' | b'<')) => {}
                b'&' if line.get(i + 1) == Some(&b'>') => {}
                b'|' | b';' | b'&' | b')' | b'`' => return i,
                _ => {}
            },
        }
        i += 1;
    }
    line.len()
}

/// A token of a format without a checksum: anything but a placeholder.
pub(super) fn token_ok(line: &[u8], _: Option<Range<usize>>, secret: Range<usize>) -> bool {
    !token_placeholder(line.get(secret).unwrap_or_default())
}

/// A GitHub or npm token: its checksum holds.
pub(super) fn crc_token_ok(line: &[u8], _: Option<Range<usize>>, secret: Range<usize>) -> bool {
    super::tokens::crc32_base62_ok(line.get(secret).unwrap_or_default())
}

/// A PyPI token: what follows `pypi-` is a version-2 macaroon.
pub(super) fn pypi_token_ok(line: &[u8], _: Option<Range<usize>>, secret: Range<usize>) -> bool {
    use base64ct::Encoding as _;
    let token = line.get(secret).unwrap_or_default();
    let body = token.strip_prefix(b"pypi-").unwrap_or_default();
    let body = std::str::from_utf8(body)
        .unwrap_or_default()
        .trim_end_matches('=');
    base64ct::Base64UrlUnpadded::decode_vec(body).is_ok_and(|bytes| is_macaroon_v2(&bytes))
}

/// The version-2 binary layout: version byte; optional location, identifier, end;
/// caveats (optional location, identifier, optional verifier id, end), end; a 32-byte
/// signature; nothing after.
fn is_macaroon_v2(bytes: &[u8]) -> bool {
    const END: u8 = 0;
    const LOCATION: u8 = 1;
    const IDENTIFIER: u8 = 2;
    const VID: u8 = 4;
    const SIGNATURE: u8 = 6;
    let mut at = 1;
    // A field: its type, then (unless it is the end marker) a varint length and data.
    let mut field = || -> Option<(u8, usize)> {
        let kind = *bytes.get(at)?;
        at += 1;
        if kind == END {
            return Some((END, 0));
        }
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = *bytes.get(at)?;
            at += 1;
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 21 {
                return None;
            }
        }
        at = at.checked_add(len).filter(|&end| end <= bytes.len())?;
        Some((kind, len))
    };
    // One section: `kinds` in order, each optional unless required, then the end.
    let mut section = |required: u8, optional: &[u8]| -> Option<bool> {
        let mut seen_required = false;
        let mut last = 0;
        loop {
            let (kind, _) = field()?;
            if kind == END {
                return Some(seen_required);
            }
            if kind <= last || !(kind == required || optional.contains(&kind)) {
                return None;
            }
            seen_required |= kind == required;
            last = kind;
        }
    };
    if bytes.first() != Some(&2) || section(IDENTIFIER, &[LOCATION]) != Some(true) {
        return false;
    }
    loop {
        match section(IDENTIFIER, &[LOCATION, VID]) {
            Some(true) => continue,
            Some(false) => break,
            None => return false,
        }
    }
    matches!(field(), Some((SIGNATURE, 32))) && at == bytes.len()
}

/// Documentation's stand-ins for a token: a run of six `x`, `0`, `*`, `.` or `#`, an
/// ascending run of eight (`abcdefgh`, `12345678`), or the word EXAMPLE.
pub(super) fn token_placeholder(token: &[u8]) -> bool {
    let repeated = token
        .windows(6)
        .any(|w| b"xX0*.#".contains(&w[0]) && w.iter().all(|&b| b == w[0]));
    let ascending = token
        .windows(8)
        .any(|w| w.windows(2).all(|p| p[1] == p[0].wrapping_add(1)));
    repeated || ascending || token.windows(7).any(|w| w.eq_ignore_ascii_case(b"EXAMPLE"))
}
