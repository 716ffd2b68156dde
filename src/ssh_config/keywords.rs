//! The keywords ssh 9.x knows (`readconf.c`'s table, the union of 9.0 to 9.9) and
//! how it reads the values of those it checks strictly, so that a file ssh refuses
//! ("Bad configuration option", "unsupported option", "extra arguments at end of
//! line" — then "terminating, N bad configuration options") is reported as
//! refused, with ssh's own words, instead of as settings that work. Keywords whose
//! values ssh parses in its own way are taken as written.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// How ssh reads a keyword's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parse {
    /// Deprecated or unsupported: a debug or error message, never a refusal.
    Ignored,
    /// `yes`, `no`, `true` or `false`.
    Flag,
    /// One of these words (any case).
    Multi(&'static [&'static str]),
    /// Exactly one value.
    One,
    /// Exactly one integer.
    Int,
    /// Exactly one time (`convtime`: digits with s/m/h/d/w, in groups).
    Time,
    /// The rest of the line is a command.
    Rest,
    /// Parsed by ssh in a way of its own; taken as written here.
    Other,
}

const YESNOASK: &[&str] = &["true", "false", "yes", "no", "ask"];
const STRICT_HOSTKEY: &[&str] = &["true", "false", "yes", "no", "ask", "off", "accept-new"];
const COMPRESSION: &[&str] = &["yes", "no"];
const ADDRESSFAMILY: &[&str] = &["inet", "inet6", "any"];
const CONTROLMASTER: &[&str] = &["true", "yes", "false", "no", "auto", "ask", "autoask"];
const TUNNEL: &[&str] = &["ethernet", "point-to-point", "true", "yes", "false", "no"];
const REQUESTTTY: &[&str] = &["true", "yes", "false", "no", "force", "auto"];
const SESSIONTYPE: &[&str] = &["none", "subsystem", "default"];
const CANONICALIZEHOSTNAME: &[&str] = &["true", "false", "yes", "no", "always"];
const PUBKEY_AUTH: &[&str] = &["true", "false", "yes", "no", "unbound", "host-bound"];
const FLAG: &[&str] = &["true", "false", "yes", "no"];

/// Every keyword, sorted; GSSAPI and PKCS#11 as Debian and Fedora build ssh.
const KEYWORDS: &[(&str, Parse)] = &[
    ("addkeystoagent", Parse::Other),
    ("addressfamily", Parse::Multi(ADDRESSFAMILY)),
    ("afstokenpassing", Parse::Ignored),
    ("batchmode", Parse::Flag),
    ("bindaddress", Parse::One),
    ("bindinterface", Parse::One),
    ("canonicaldomains", Parse::Other),
    ("canonicalizefallbacklocal", Parse::Flag),
    ("canonicalizehostname", Parse::Multi(CANONICALIZEHOSTNAME)),
    ("canonicalizemaxdots", Parse::Int),
    ("canonicalizepermittedcnames", Parse::Other),
    ("casignaturealgorithms", Parse::Other),
    ("certificatefile", Parse::Other),
    ("challengeresponseauthentication", Parse::Flag),
    ("channeltimeout", Parse::Other),
    ("checkhostip", Parse::Flag),
    ("cipher", Parse::Ignored),
    ("ciphers", Parse::Other),
    ("clearallforwardings", Parse::Flag),
    ("compression", Parse::Multi(COMPRESSION)),
    ("compressionlevel", Parse::Ignored),
    ("connectionattempts", Parse::Int),
    ("connecttimeout", Parse::Time),
    ("controlmaster", Parse::Multi(CONTROLMASTER)),
    ("controlpath", Parse::One),
    ("controlpersist", Parse::Other),
    ("dsaauthentication", Parse::Multi(PUBKEY_AUTH)),
    ("dynamicforward", Parse::Other),
    ("enableescapecommandline", Parse::Flag),
    ("enablesshkeysign", Parse::Flag),
    ("escapechar", Parse::Other),
    ("exitonforwardfailure", Parse::Flag),
    ("fallbacktorsh", Parse::Ignored),
    ("fingerprinthash", Parse::Other),
    ("forkafterauthentication", Parse::Flag),
    ("forwardagent", Parse::Other),
    ("gatewayports", Parse::Flag),
    ("globalknownhostsfile", Parse::Other),
    ("globalknownhostsfile2", Parse::Ignored),
    ("gssapiauthentication", Parse::Flag),
    ("gssapidelegatecredentials", Parse::Flag),
    ("hashknownhosts", Parse::Flag),
    ("host", Parse::Other),
    ("hostbasedacceptedalgorithms", Parse::Other),
    ("hostbasedauthentication", Parse::Flag),
    ("hostbasedkeytypes", Parse::Other),
    ("hostkeyalgorithms", Parse::Other),
    ("hostkeyalias", Parse::One),
    ("hostname", Parse::One),
    ("identitiesonly", Parse::Flag),
    ("identityagent", Parse::Other),
    ("identityfile", Parse::Other),
    ("identityfile2", Parse::Other),
    ("ignoreunknown", Parse::One),
    ("include", Parse::Other),
    ("ipqos", Parse::Other),
    ("kbdinteractiveauthentication", Parse::Flag),
    ("kbdinteractivedevices", Parse::One),
    ("keepalive", Parse::Flag),
    ("kerberosauthentication", Parse::Ignored),
    ("kerberostgtpassing", Parse::Ignored),
    ("kexalgorithms", Parse::Other),
    ("knownhostscommand", Parse::Rest),
    ("localcommand", Parse::Rest),
    ("localforward", Parse::Other),
    ("loglevel", Parse::Other),
    ("logverbose", Parse::Other),
    ("macs", Parse::Other),
    ("match", Parse::Other),
    ("nohostauthenticationforlocalhost", Parse::Flag),
    ("numberofpasswordprompts", Parse::Int),
    ("obscurekeystroketiming", Parse::Other),
    ("passwordauthentication", Parse::Flag),
    ("permitlocalcommand", Parse::Flag),
    ("permitremoteopen", Parse::Other),
    ("pkcs11provider", Parse::One),
    ("port", Parse::Other),
    ("preferredauthentications", Parse::One),
    ("protocol", Parse::Ignored),
    ("proxycommand", Parse::Rest),
    ("proxyjump", Parse::Other),
    ("proxyusefdpass", Parse::Flag),
    ("pubkeyacceptedalgorithms", Parse::Other),
    ("pubkeyacceptedkeytypes", Parse::Other),
    ("pubkeyauthentication", Parse::Multi(PUBKEY_AUTH)),
    ("rekeylimit", Parse::Other),
    ("remotecommand", Parse::Rest),
    ("remoteforward", Parse::Other),
    ("requesttty", Parse::Multi(REQUESTTTY)),
    ("requiredrsasize", Parse::Int),
    ("revokedhostkeys", Parse::One),
    ("rhostsauthentication", Parse::Ignored),
    ("rhostsrsaauthentication", Parse::Ignored),
    ("rsaauthentication", Parse::Ignored),
    ("securitykeyprovider", Parse::One),
    ("sendenv", Parse::Other),
    ("serveralivecountmax", Parse::Int),
    ("serveraliveinterval", Parse::Time),
    ("sessiontype", Parse::Multi(SESSIONTYPE)),
    ("setenv", Parse::Other),
    ("skeyauthentication", Parse::Flag),
    ("smartcarddevice", Parse::One),
    ("stdinnull", Parse::Flag),
    ("streamlocalbindmask", Parse::Other),
    ("streamlocalbindunlink", Parse::Flag),
    ("stricthostkeychecking", Parse::Multi(STRICT_HOSTKEY)),
    ("syslogfacility", Parse::Other),
    ("tag", Parse::One),
    ("tcpkeepalive", Parse::Flag),
    ("tisauthentication", Parse::Flag),
    ("tunnel", Parse::Multi(TUNNEL)),
    ("tunneldevice", Parse::Other),
    ("updatehostkeys", Parse::Multi(YESNOASK)),
    ("useprivilegedport", Parse::Ignored),
    ("user", Parse::One),
    ("userknownhostsfile", Parse::Other),
    ("userknownhostsfile2", Parse::Ignored),
    ("useroaming", Parse::Ignored),
    ("usersh", Parse::Ignored),
    ("verifyhostkeydns", Parse::Multi(YESNOASK)),
    ("visualhostkey", Parse::Flag),
    ("xauthlocation", Parse::One),
];

/// Why ssh refuses a line, in its own words (after "FILE line N: "), or `None`
/// when it accepts it. `ignored` holds the `IgnoreUnknown` patterns read so far.
/// Whether ssh takes the rest of `keyword`'s line as it stands (a command), not
/// split into words: `#` there is part of the command, not a comment.
pub fn takes_rest(keyword: &str) -> bool {
    KEYWORDS
        .binary_search_by(|(name, _)| name.cmp(&keyword))
        .is_ok_and(|at| matches!(KEYWORDS[at].1, Parse::Rest))
}

pub fn fault(keyword: &str, args: &[OsString], ignored: &[String]) -> Option<String> {
    let Some(parse) = KEYWORDS
        .binary_search_by(|(name, _)| name.cmp(&keyword))
        .ok()
        .map(|at| KEYWORDS[at].1)
    else {
        if ignored
            .iter()
            .any(|list| super::matching::pattern_list(keyword, list, true) == Some(true))
        {
            return None;
        }
        return Some(format!(
            "Bad configuration option: {}",
            crate::sanitize::display_str(keyword)
        ));
    };
    let first = args.first().map(|a| a.as_bytes());
    let single = || match args.len() {
        0 => Some("missing argument.".to_owned()),
        1 => None,
        _ => Some(format!("keyword {keyword} extra arguments at end of line")),
    };
    match parse {
        Parse::Ignored | Parse::Rest | Parse::Other => None,
        Parse::One => single(),
        Parse::Flag | Parse::Multi(_) => {
            let words = match parse {
                Parse::Multi(words) => words,
                _ => FLAG,
            };
            let value = first.unwrap_or_default();
            if !words
                .iter()
                .any(|w| w.as_bytes().eq_ignore_ascii_case(value))
            {
                return Some(format!(
                    "unsupported option \"{}\".",
                    crate::sanitize::display_bytes(value)
                ));
            }
            single()
        }
        Parse::Int => match first {
            Some(v) if !is_integer(v) => Some("invalid integer value.".to_owned()),
            _ => single(),
        },
        Parse::Time => match first {
            Some(v) if v != b"none" && !is_time(v) => Some("invalid time value.".to_owned()),
            _ => single(),
        },
    }
}

fn is_integer(value: &[u8]) -> bool {
    let digits = value.strip_prefix(b"-").unwrap_or(value);
    !digits.is_empty() && digits.len() < 11 && digits.iter().all(u8::is_ascii_digit)
}

/// `misc.c: convtime`: groups of digits, each with an optional unit.
fn is_time(value: &[u8]) -> bool {
    let mut rest = value;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        if let Some((unit, after)) = rest.split_first() {
            if !b"sSmMhHdDwW".contains(unit) {
                return false;
            }
            rest = after;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn values_ssh_refuses() {
        let none: &[String] = &[];
        assert_eq!(fault("stricthostkeychecking", &args(&["no"]), none), None);
        assert_eq!(
            fault("stricthostkeychecking", &args(&["no#x"]), none).as_deref(),
            Some("unsupported option \"no#x\".")
        );
        assert_eq!(
            fault("stricthostkeychecking", &args(&["Accept-New"]), none),
            None
        );
        assert!(fault("forwardx11", &args(&["yes", "no"]), none).is_some());
        assert!(fault("hostname", &args(&[]), none).is_some());
        assert!(fault("connecttimeout", &args(&["10s"]), none).is_none());
        assert!(fault("connecttimeout", &args(&["1m30s"]), none).is_none());
        assert!(fault("connecttimeout", &args(&["soon"]), none).is_some());
        assert!(fault("connectionattempts", &args(&["3x"]), none).is_some());
        assert_eq!(
            fault("forwardagnet", &args(&["yes"]), none).as_deref(),
            Some("Bad configuration option: forwardagnet")
        );
        assert_eq!(
            fault("forwardagnet", &args(&["yes"]), &["Forward*".to_owned()]),
            None,
            "IgnoreUnknown lower-cases its patterns"
        );
        assert_eq!(fault("useroaming", &args(&["no"]), none), None);
        assert_eq!(
            fault("proxycommand", &args(&["ssh", "-W", "%h:%p", "gw"]), none),
            None
        );
    }
}
