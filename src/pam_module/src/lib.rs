//! pam_csi_self_check.so: the password phase of every Linux-PAM, judged by
//! `csi-self-check pam`. pam_exec hands the helper no new password before
//! Linux-PAM 1.6 (Debian 12, RHEL 9, Ubuntu 24.04); a native module, like
//! pam_pwquality, obtains it on all of them.
//!
//! It behaves like pam_pwquality: the preliminary check succeeds; the update
//! obtains the new password (prompting, or an earlier module's with
//! `use_authtok`), hands it to the helper on a pipe, and on refusal shows the
//! helper's reasons through the conversation, forgets the password and asks again,
//! up to `retry=N` times, before returning `PAM_AUTHTOK_ERR` — so that
//! `pam_unix.so use_authtok` after it never stores a refused password. An accepted
//! password is asked for a second time to confirm. It never logs, stores or prints
//! the password; the helper logs each verdict (without it) to authpriv.
//!
//! Arguments: `retry=N` (1 to 10, default 1); `helper=/ABSOLUTE/PATH` (default
//! `/usr/bin/csi-self-check`; for tests of an unpackaged build); and libpam's own
//! `use_authtok`, `try_first_pass`, `use_first_pass`, `authtok_type=…`, which
//! libpam reads itself. Anything else refuses the change, saying which argument:
//! a mistyped safeguard should not pass unnoticed.

mod args;
mod ffi;
mod helper;

use std::ffi::CStr;

use pam::constants::{PAM_ERROR_MSG, PamFlag, PamResultCode};
use pam::conv::Conv;
use pam::items::Service;
use pam::module::{PamHandle, PamHooks};

use args::Args;
use helper::{Request, Verdict};

/// `PAM_PRELIM_CHECK` and `PAM_UPDATE_AUTHTOK` in `<security/_pam_types.h>`.
const PAM_PRELIM_CHECK: PamFlag = 0x4000;
const PAM_UPDATE_AUTHTOK: PamFlag = 0x2000;

struct CsiSelfCheck;
pam::pam_hooks!(CsiSelfCheck);

impl PamHooks for CsiSelfCheck {
    fn sm_chauthtok(pamh: &mut PamHandle, args: Vec<&CStr>, flags: PamFlag) -> PamResultCode {
        if flags & PAM_PRELIM_CHECK != 0 {
            return PamResultCode::PAM_SUCCESS;
        }
        if flags & PAM_UPDATE_AUTHTOK == 0 {
            return PamResultCode::PAM_SERVICE_ERR;
        }
        let args = match Args::parse(&args) {
            Ok(args) => args,
            Err(message) => {
                say(
                    pamh,
                    &format!("pam_csi_self_check: {message}; please tell an administrator."),
                );
                return PamResultCode::PAM_SERVICE_ERR;
            }
        };
        update(pamh, &args)
    }
}

/// The update phase: up to `retry` new passwords, each judged, the first accepted
/// one confirmed.
fn update(pamh: &mut PamHandle, args: &Args) -> PamResultCode {
    let Ok(user) = pamh.get_user(None) else {
        return PamResultCode::PAM_AUTHTOK_ERR;
    };
    let service = match pamh.get_item::<Service>() {
        Ok(Some(service)) => service.to_string_lossy().into_owned(),
        _ => String::new(),
    };
    let request = Request {
        user: &user,
        service: &service,
    };
    for _ in 0..args.retry {
        // A password an earlier module obtained (use_authtok) was confirmed there.
        let confirmed = ffi::token_is_set(pamh);
        let token = match ffi::new_token(pamh) {
            Ok(token) => token,
            Err(_) => return PamResultCode::PAM_AUTHTOK_ERR,
        };
        match helper::judge(&args.helper, &request, &token, helper::DEADLINE) {
            Verdict::Accepted => {}
            Verdict::Refused(reasons) => {
                for reason in &reasons {
                    say(pamh, reason);
                }
                ffi::clear_token(pamh);
                continue;
            }
            Verdict::Failed(reason) => {
                say(
                    pamh,
                    &format!(
                        "The new password could not be checked ({reason}); please tell an administrator."
                    ),
                );
                ffi::clear_token(pamh);
                return PamResultCode::PAM_AUTHTOK_ERR;
            }
        }
        drop(token);
        if confirmed {
            return PamResultCode::PAM_SUCCESS;
        }
        match ffi::retype_token(pamh) {
            Ok(_) => return PamResultCode::PAM_SUCCESS,
            // A mismatch: libpam has said so; ask again from the start.
            Err(PamResultCode::PAM_TRY_AGAIN) => {
                ffi::clear_token(pamh);
                continue;
            }
            Err(_) => {
                ffi::clear_token(pamh);
                return PamResultCode::PAM_AUTHTOK_ERR;
            }
        }
    }
    ffi::clear_token(pamh);
    if args.retry > 1 {
        PamResultCode::PAM_MAXTRIES
    } else {
        PamResultCode::PAM_AUTHTOK_ERR
    }
}

/// One line to the person, as an error message; a conversation that fails is no
/// reason to change the verdict.
fn say(pamh: &mut PamHandle, line: &str) {
    if let Ok(Some(conv)) = pamh.get_item::<Conv>() {
        let _ = conv.send(PAM_ERROR_MSG, line);
    }
}
