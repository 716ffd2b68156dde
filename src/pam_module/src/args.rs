//! The module's arguments from its line in /etc/pam.d.

use std::ffi::CStr;
use std::path::PathBuf;

/// What the module's line says.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    /// How many new passwords to ask for before giving up.
    pub retry: u32,
    /// The `csi-self-check` binary to run.
    pub helper: PathBuf,
}

/// libpam's own arguments, which `pam_get_authtok` reads itself.
const LIBPAM_ARGS: &[&str] = &["use_authtok", "try_first_pass", "use_first_pass"];

impl Args {
    /// The arguments, or a sentence naming the one that is wrong.
    pub fn parse(args: &[&CStr]) -> Result<Args, String> {
        let mut parsed = Args {
            retry: 1,
            helper: PathBuf::from(crate::helper::DEFAULT_HELPER),
        };
        for arg in args {
            let Ok(arg) = arg.to_str() else {
                return Err("an argument is not UTF-8 text".to_owned());
            };
            if LIBPAM_ARGS.contains(&arg) || arg.starts_with("authtok_type=") {
                continue;
            }
            if let Some(retry) = arg.strip_prefix("retry=") {
                parsed.retry = retry
                    .parse()
                    .ok()
                    .filter(|n| (1..=10).contains(n))
                    .ok_or_else(|| format!("retry={retry} is not a number from 1 to 10"))?;
            } else if let Some(helper) = arg.strip_prefix("helper=") {
                if !helper.starts_with('/') {
                    return Err(format!("helper={helper} is not an absolute path"));
                }
                parsed.helper = PathBuf::from(helper);
            } else {
                return Err(format!("unknown argument `{arg}`"));
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        let owned: Vec<std::ffi::CString> = args
            .iter()
            .map(|a| std::ffi::CString::new(*a).unwrap())
            .collect();
        let borrowed: Vec<&CStr> = owned.iter().map(|a| a.as_c_str()).collect();
        Args::parse(&borrowed)
    }

    #[test]
    fn defaults_and_every_argument() {
        assert_eq!(
            parse(&[]).unwrap(),
            Args {
                retry: 1,
                helper: PathBuf::from("/usr/bin/csi-self-check")
            }
        );
        assert_eq!(
            parse(&[
                "retry=3",
                "use_authtok",
                "authtok_type=UNIX",
                "helper=/opt/x"
            ])
            .unwrap(),
            Args {
                retry: 3,
                helper: PathBuf::from("/opt/x")
            }
        );
    }

    #[test]
    fn a_wrong_argument_is_named() {
        for (args, says) in [
            (&["retry=0"][..], "retry=0 is not a number from 1 to 10"),
            (&["retry=x"], "retry=x is not a number"),
            (&["helper=csi-self-check"], "not an absolute path"),
            (&["enforce_for_root"], "unknown argument `enforce_for_root`"),
        ] {
            let error = parse(args).unwrap_err();
            assert!(error.contains(says), "{args:?}: {error}");
        }
    }
}
