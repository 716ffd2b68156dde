//! Root reads a user's files as that user. Before root touches anything in another
//! person's home it gives up its privileges for good (supplementary groups, then
//! group ids, then user ids), and proves it did; a check that followed a link by
//! mistake could then read no more than the user can.

use std::ffi::CString;

use nix::unistd::{Gid, Uid, getgrouplist, getresgid, getresuid, setgroups, setresgid, setresuid};

use crate::account::Account;

/// Becomes `account` irrevocably, or says why not. The caller must stop on error.
pub fn drop_to(account: &Account) -> Result<(), String> {
    let uid = Uid::from_raw(account.uid);
    let gid = Gid::from_raw(account.gid);
    let failed = |step: &str, errno: nix::errno::Errno| {
        format!(
            "cannot drop privileges to {} ({step}: {})",
            account.name,
            errno.desc()
        )
    };
    let name = CString::new(account.name.as_bytes()).map_err(|_| {
        format!(
            "cannot drop privileges: the account name {:?} holds a NUL",
            account.name
        )
    })?;
    let groups = getgrouplist(&name, gid).map_err(|e| failed("getgrouplist", e))?;
    setgroups(&groups).map_err(|e| failed("setgroups", e))?;
    setresgid(gid, gid, gid).map_err(|e| failed("setresgid", e))?;
    setresuid(uid, uid, uid).map_err(|e| failed("setresuid", e))?;
    let uids = getresuid().map_err(|e| failed("getresuid", e))?;
    let gids = getresgid().map_err(|e| failed("getresgid", e))?;
    let dropped = [uids.real, uids.effective, uids.saved] == [uid; 3]
        && [gids.real, gids.effective, gids.saved] == [gid; 3];
    // Were the drop reversible, root could come back; it must not be able to.
    let reversible =
        !uid.is_root() && setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0)).is_ok();
    if !dropped || reversible {
        return Err(format!(
            "privileges were not dropped to {}; refusing to go on",
            account.name
        ));
    }
    Ok(())
}
