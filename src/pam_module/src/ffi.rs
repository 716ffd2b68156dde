//! The calls into libpam that pam-bindings does not wrap: reading the new password
//! as pam_pwquality does (`pam_get_authtok_noverify`, then `pam_get_authtok_verify`
//! for the retype), looking at `PAM_AUTHTOK` as a raw pointer, and clearing it so
//! that a refused password is never handed to the next module. Every `unsafe` block of the
//! project lives here; each says why it is sound.

use std::ffi::{CStr, c_char, c_int, c_void};

use pam::constants::PamResultCode;
use pam::module::PamHandle;
use zeroize::Zeroizing;

/// `PAM_AUTHTOK` in `<security/_pam_types.h>`.
const PAM_AUTHTOK: c_int = 6;

#[link(name = "pam")]
unsafe extern "C" {
    fn pam_get_authtok_noverify(
        pamh: *mut PamHandle,
        authtok: *mut *const c_char,
        prompt: *const c_char,
    ) -> c_int;
    fn pam_get_authtok_verify(
        pamh: *mut PamHandle,
        authtok: *mut *const c_char,
        prompt: *const c_char,
    ) -> c_int;
    fn pam_set_item(pamh: *mut PamHandle, item_type: c_int, item: *const c_void) -> c_int;
    fn pam_get_item(pamh: *const PamHandle, item_type: c_int, item: *mut *const c_void) -> c_int;
}

/// The new password, copied out of libpam into a buffer wiped on drop.
pub type Token = Zeroizing<Vec<u8>>;

/// Which of libpam's two readers to call.
#[derive(Clone, Copy)]
enum Read {
    /// "New password:" — or the token of an earlier module under `use_authtok`.
    New,
    /// "Retype new password:", compared with the first.
    Retype,
}

/// libpam's PAM_AUTHTOK item as it stands: null when no module has set it.
fn current(pamh: &mut PamHandle) -> *const c_char {
    let mut item: *const c_void = std::ptr::null();
    let handle: *mut PamHandle = pamh;
    // SAFETY: `handle` is the live handle libpam passed to this module's entry
    // point (a `&mut` guarantees it is valid and not aliased here), and `item` is a
    // valid place for libpam to store the item's address.
    let status = unsafe { pam_get_item(handle, PAM_AUTHTOK, &raw mut item) };
    if status == 0 {
        item.cast()
    } else {
        std::ptr::null()
    }
}

/// Whether an earlier module has already set the new password (`use_authtok`).
pub fn token_is_set(pamh: &mut PamHandle) -> bool {
    !current(pamh).is_null()
}

fn read(pamh: &mut PamHandle, which: Read) -> Result<Token, PamResultCode> {
    // The retype is compared with the token it is given: the one libpam holds.
    let mut token: *const c_char = match which {
        Read::New => std::ptr::null(),
        Read::Retype => current(pamh),
    };
    if matches!(which, Read::Retype) && token.is_null() {
        return Err(PamResultCode::PAM_AUTHTOK_ERR);
    }
    let handle: *mut PamHandle = pamh;
    // SAFETY: `handle` is the live handle (see `current`); `token` is a valid place
    // for libpam to store a pointer, and for the retype it already holds the
    // NUL-terminated PAM_AUTHTOK item libpam owns, which libpam compares with the
    // retyped answer; a null prompt asks libpam for its own. libpam reads the
    // module's arguments (use_authtok, authtok_type) itself.
    let status = unsafe {
        match which {
            Read::New => pam_get_authtok_noverify(handle, &raw mut token, std::ptr::null()),
            Read::Retype => pam_get_authtok_verify(handle, &raw mut token, std::ptr::null()),
        }
    };
    let status = PamResultCode::try_from(status).unwrap_or(PamResultCode::PAM_SYSTEM_ERR);
    if status != PamResultCode::PAM_SUCCESS {
        return Err(status);
    }
    if token.is_null() {
        return Err(PamResultCode::PAM_AUTHTOK_ERR);
    }
    // SAFETY: on success libpam points `token` at the NUL-terminated PAM_AUTHTOK
    // item it owns, which stays valid until the item is next set; it is copied
    // before this function returns, and nothing sets the item in between.
    let bytes = unsafe { CStr::from_ptr(token) }.to_bytes();
    Ok(Zeroizing::new(bytes.to_vec()))
}

/// The new password: prompted for, or an earlier module's under `use_authtok`.
pub fn new_token(pamh: &mut PamHandle) -> Result<Token, PamResultCode> {
    read(pamh, Read::New)
}

/// Asks for the new password again and compares; `PAM_TRY_AGAIN` on a mismatch.
pub fn retype_token(pamh: &mut PamHandle) -> Result<Token, PamResultCode> {
    read(pamh, Read::Retype)
}

/// Forgets the new password, so that neither a retry nor `pam_unix use_authtok`
/// sees a refused one.
pub fn clear_token(pamh: &mut PamHandle) {
    let handle: *mut PamHandle = pamh;
    // SAFETY: `handle` is the live handle (see `read`); a null item is how libpam
    // is told to unset PAM_AUTHTOK, which it then wipes and frees itself.
    unsafe {
        pam_set_item(handle, PAM_AUTHTOK, std::ptr::null());
    }
}
