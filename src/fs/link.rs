//! Following a link to the person's own files, the one way a link is ever followed
//! below the home: dotfiles managed with stow or a dotfiles repository make
//! `~/.ssh/config`, `~/.ssh` or `authorized_keys` links, and refusing them all
//! would leave the settings that matter unread. A link is followed only when every
//! step of its target lies inside the home, belongs to the person and — for the
//! directories on the way — cannot be written by others; each component is opened
//! relative to the last with `O_NOFOLLOW`, and a link met on the way is resolved
//! by the same rule, a bounded number of times. The components of the path as
//! written (where the link sits) were reached without links and are not judged
//! again; what the final entry's mode means is the caller's rule (a key, a config,
//! a directory), so it is returned, not judged.
//!
//! A target outside the home is never opened: its components are only looked at
//! (`lstat`, from `/`) to say whether sshd's StrictModes would refuse the way
//! there (a component writable by others, or owned by neither the person nor root,
//! as `/tmp` is), so that a report can say so.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::perm;
use super::{FsError, Kind, Meta, SafeDir};

/// Links resolved on one way (the kernel allows 40; dotfiles need one or two).
const MAX_LINKS: usize = 8;

/// The entry a path leads to, every link on the way followed and checked.
#[derive(Debug)]
pub struct Followed {
    /// The directory holding the final entry, opened without following links.
    pub dir: SafeDir,
    /// Its name there.
    pub name: OsString,
    /// `lstat` of the final entry: a regular file, a directory or anything else,
    /// never a link.
    pub meta: Meta,
}

impl Followed {
    /// The path the entry was reached at, for reports.
    pub fn path(&self) -> PathBuf {
        self.dir.child_path(&self.name)
    }
}

/// Why a way was not followed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The component refused, or the target outside the home.
    pub at: PathBuf,
    pub why: Why,
    /// Where the way leads, when it leaves the home (`at` is then on it).
    pub outside: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The way leads out of the home; every component there would be accepted by
    /// sshd, but nothing outside the home is opened.
    OutsideHome,
    /// Owned by this uid: not the person (inside the home) or neither the person
    /// nor root (outside).
    NotOwned(u32),
    /// A directory on the way that its group or others can write (its mode).
    Writable(u32),
    /// More links than [`MAX_LINKS`] on the way (or a loop).
    TooManyLinks,
    /// A component that should be a directory is not.
    NotDirectory(Kind),
    /// The way leads back to the home itself.
    Home,
    /// The system's answer (not there, permission denied).
    Fs(FsError),
}

impl Refusal {
    /// Whether sshd's StrictModes refuses the way too: a component it judges
    /// unsafe, inside the home or out.
    pub fn sshd_refuses(&self) -> bool {
        matches!(self.why, Why::NotOwned(_) | Why::Writable(_))
    }

    pub fn new(at: PathBuf, why: Why) -> Refusal {
        Refusal {
            at,
            why,
            outside: None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = crate::sanitize::display_path(&self.at);
        if let Some(target) = self.outside.as_ref().filter(|t| **t != self.at) {
            write!(
                f,
                "leads out of the home to {}, and ",
                crate::sanitize::display_path(target)
            )?;
        }
        match &self.why {
            Why::OutsideHome => write!(f, "leads out of the home (to {at}); not followed"),
            Why::NotOwned(uid) => write!(f, "leads through {at}, which belongs to uid {uid}"),
            Why::Writable(mode) => write!(
                f,
                "leads through {at}, which others can write (mode {})",
                perm::octal(*mode)
            ),
            Why::TooManyLinks => write!(f, "leads through too many links (a loop?) at {at}"),
            Why::NotDirectory(kind) => write!(f, "leads through {at}, which is {}", kind.noun()),
            Why::Home => write!(f, "leads back to the home itself; not walked again"),
            Why::Fs(FsError::NotFound) => write!(f, "leads to {at}, which does not exist"),
            Why::Fs(error) => write!(f, "leads to {at}: {error}"),
        }
    }
}

/// One name still to walk, and whether it came from a link's target (and so is
/// judged) or from the path as written.
type Step = (OsString, bool);

fn steps(path: &Path, judged: bool) -> impl Iterator<Item = Step> + '_ {
    path.components().filter_map(move |c| match c {
        Component::Normal(part) => Some((part.to_owned(), judged)),
        Component::ParentDir => Some((OsString::from(".."), judged)),
        _ => None,
    })
}

impl SafeDir {
    /// A second descriptor for the same open directory (`dup`).
    fn duplicate(&self) -> Result<SafeDir, FsError> {
        let fd = self.fd.try_clone().map_err(|e| {
            FsError::from_errno(
                e.raw_os_error()
                    .map_or(nix::errno::Errno::EIO, nix::errno::Errno::from_raw),
            )
        })?;
        Ok(SafeDir {
            fd,
            path: self.path.clone(),
            meta: self.meta,
        })
    }

    /// Walks `rel` below this directory (the home), following each link met as the
    /// module says, to the entry at its end. A path ending at a link resolves that
    /// link too. `uid` is the person's.
    pub fn follow_within(&self, rel: &Path, uid: u32) -> Result<Followed, Refusal> {
        let mut pending: VecDeque<Step> = steps(rel, false).collect();
        // The directories below the home on the way; the home itself is `self`.
        let mut stack: Vec<SafeDir> = Vec::new();
        let mut links = 0;
        while let Some((name, judged)) = pending.pop_front() {
            if name == ".." {
                if stack.pop().is_none() {
                    let base = self.path().parent().unwrap_or(Path::new("/")).to_owned();
                    return Err(outside_verdict(&join_steps(base, &pending), uid));
                }
                continue;
            }
            let here = stack.last().unwrap_or(self);
            let at = here.child_path(&name);
            let meta = here
                .lstat(&name)
                .map_err(|e| Refusal::new(at.clone(), Why::Fs(e)))?;
            if meta.kind == Kind::Symlink {
                links += 1;
                if links > MAX_LINKS {
                    return Err(Refusal::new(at, Why::TooManyLinks));
                }
                let target = here
                    .read_link(&name)
                    .map(PathBuf::from)
                    .ok_or_else(|| Refusal::new(at.clone(), Why::Fs(FsError::NotFound)))?;
                let rest: Vec<Step> = pending.drain(..).collect();
                if target.is_absolute() {
                    let Ok(below) = target.strip_prefix(self.path()) else {
                        return Err(outside_verdict(&join_steps(target.clone(), &rest), uid));
                    };
                    stack.clear();
                    pending.extend(steps(below, true));
                } else {
                    pending.extend(steps(&target, true));
                }
                pending.extend(rest);
                continue;
            }
            let last = pending.is_empty();
            if judged || links > 0 {
                if meta.uid != uid {
                    return Err(Refusal::new(at, Why::NotOwned(meta.uid)));
                }
                if !last && perm::writable_by_group_or_other(meta.mode) {
                    return Err(Refusal::new(at, Why::Writable(meta.mode)));
                }
            }
            if last {
                let dir = match stack.pop() {
                    Some(dir) => dir,
                    None => self
                        .duplicate()
                        .map_err(|e| Refusal::new(at.clone(), Why::Fs(e)))?,
                };
                return Ok(Followed { dir, name, meta });
            }
            if meta.kind != Kind::Directory {
                return Err(Refusal::new(at, Why::NotDirectory(meta.kind)));
            }
            let next = here
                .open_dir(&name)
                .map_err(|e| Refusal::new(at, Why::Fs(e)))?;
            stack.push(next);
        }
        // The path named the home itself (`.`, `a/..`, a link to the home).
        Err(Refusal::new(self.path().to_owned(), Why::Home))
    }
}

fn join_steps<'a>(base: PathBuf, rest: impl IntoIterator<Item = &'a Step>) -> PathBuf {
    rest.into_iter()
        .fold(base, |path, (name, _)| path.join(name))
}

/// Whether sshd would accept the way to `target`, outside the home, judged from
/// `lstat` of each component from `/` (links in it resolved by name, a few times):
/// each must belong to the person or root and not be writable by group or others.
/// Never opens a file there.
fn outside_verdict(target: &Path, uid: u32) -> Refusal {
    let mut pending: VecDeque<OsString> = steps(target, true).map(|(n, _)| n).collect();
    let mut current = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = pending.pop_front() {
        if name == ".." {
            current.pop();
            continue;
        }
        let at = current.join(&name);
        let Ok(st) = nix::sys::stat::lstat(at.as_path()) else {
            return Refusal::new(target.to_owned(), Why::OutsideHome);
        };
        let meta = Meta::from_stat(&st);
        if meta.kind == Kind::Symlink {
            links += 1;
            let Ok(link) = nix::fcntl::readlink(at.as_path()) else {
                return Refusal::new(target.to_owned(), Why::OutsideHome);
            };
            if links > MAX_LINKS {
                return Refusal::new(at, Why::TooManyLinks);
            }
            let link = PathBuf::from(link);
            if link.is_absolute() {
                current = PathBuf::from("/");
            }
            let rest: Vec<OsString> = pending.drain(..).collect();
            pending.extend(steps(&link, true).map(|(n, _)| n));
            pending.extend(rest);
            continue;
        }
        let refuse = |why| Refusal {
            at: at.clone(),
            why,
            outside: Some(target.to_owned()),
        };
        if meta.uid != uid && meta.uid != 0 {
            return refuse(Why::NotOwned(meta.uid));
        }
        // The sticky bit of /tmp does not make it safe for sshd: any 022 is refused.
        if perm::writable_by_group_or_other(meta.mode) {
            return refuse(Why::Writable(meta.mode));
        }
        current = at;
    }
    Refusal::new(target.to_owned(), Why::OutsideHome)
}
