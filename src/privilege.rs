//! Root reads a user's files as that user. Before root touches anything in another
//! person's home it gives up its privileges for good (supplementary groups, then
//! group ids, then user ids), and proves it did; a check that followed a link by
//! mistake could then read no more than the user can.

use std::ffi::CString;
use std::fmt;

use nix::errno::Errno;
use nix::unistd::{Gid, Uid, getgrouplist, getresgid, getresuid, setgroups, setresgid, setresuid};

use crate::account::Account;

/// Why the privileges could not be given up; the caller must stop.
#[derive(Debug)]
pub enum PrivilegeError {
    /// The account's name holds a NUL, so its groups cannot be asked for.
    NulInName(String),
    /// A step of the drop failed.
    Step {
        name: String,
        step: &'static str,
        errno: Errno,
    },
    /// The ids afterwards are not the account's, or root could come back.
    NotDropped(String),
}

impl fmt::Display for PrivilegeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivilegeError::NulInName(name) => write!(
                f,
                "cannot drop privileges: the account name {name:?} holds a NUL"
            ),
            PrivilegeError::Step { name, step, errno } => write!(
                f,
                "cannot drop privileges to {name} ({step}: {})",
                errno.desc()
            ),
            PrivilegeError::NotDropped(name) => write!(
                f,
                "privileges were not dropped to {name}; refusing to go on"
            ),
        }
    }
}

impl std::error::Error for PrivilegeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrivilegeError::Step { errno, .. } => Some(errno),
            PrivilegeError::NulInName(_) | PrivilegeError::NotDropped(_) => None,
        }
    }
}

/// Becomes `account` irrevocably, or says why not. The caller must stop on error.
pub fn drop_to(account: &Account) -> Result<(), PrivilegeError> {
    let uid = Uid::from_raw(account.uid);
    let gid = Gid::from_raw(account.gid);
    let failed = |step: &'static str| {
        move |errno: Errno| PrivilegeError::Step {
            name: account.name.clone(),
            step,
            errno,
        }
    };
    let name = CString::new(account.name.as_bytes())
        .map_err(|_| PrivilegeError::NulInName(account.name.clone()))?;
    let groups = getgrouplist(&name, gid).map_err(failed("getgrouplist"))?;
    setgroups(&groups).map_err(failed("setgroups"))?;
    setresgid(gid, gid, gid).map_err(failed("setresgid"))?;
    setresuid(uid, uid, uid).map_err(failed("setresuid"))?;
    let uids = getresuid().map_err(failed("getresuid"))?;
    let gids = getresgid().map_err(failed("getresgid"))?;
    let dropped = [uids.real, uids.effective, uids.saved] == [uid; 3]
        && [gids.real, gids.effective, gids.saved] == [gid; 3];
    // Were the drop reversible, root could come back; it must not be able to.
    let reversible =
        !uid.is_root() && setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0)).is_ok();
    if !dropped || reversible {
        return Err(PrivilegeError::NotDropped(account.name.clone()));
    }
    Ok(())
}
