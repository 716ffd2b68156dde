//! Opening config files and following `Include` as `readconf.c` does: `~` and
//! relative paths of the user's files against `~/.ssh`, of the system's against
//! `/etc/ssh`; glob(3) expansion, sorted; every match read in place of the line,
//! under the block the line is in. Inside the home no link is followed (not even
//! where ssh would); outside it the path was chosen by the person or by root, and
//! links are followed a few hops, the way `open` would.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use super::lex::split_line;
use super::{
    Condition, Config, Directive, MAX_DEPTH, MAX_FILE_BYTES, ReadFile, Scope, Skipped, Unread,
    glob_match, has_magic,
};
use crate::fs::{FsError, Kind, SafeDir, SafeFile};

/// The most link hops followed outside the home (the kernel allows 40).
const MAX_LINKS: usize = 8;
/// The most names taken from one directory listing for a glob.
const MAX_LISTED: usize = 4096;
/// The most files read in one run: ten files each including `*` of their own
/// directory would otherwise fan out to 10^16 reads before the depth limit.
pub(super) const MAX_FILES: usize = 512;

/// `~/.ssh/config` and everything it includes. A missing file is no finding: ssh
/// then uses the system's file and its defaults.
pub fn read_user(home: &SafeDir) -> Config {
    let mut reader = Reader::new(home, None);
    let path = home.path().join(".ssh").join("config");
    reader.file(&path, &Scope::default(), 0, true, None);
    reader.out
}

/// `ssh_config` in `dir` (normally `/etc/ssh`, which ssh reads after the user's
/// file) and everything it includes; relative includes are taken from `dir`.
pub fn read_system(home: &SafeDir, dir: &Path) -> Config {
    let mut reader = Reader::new(home, Some(dir.to_owned()));
    // ssh does not check the owner and mode of this one file; it does of every
    // file it includes.
    reader.file(&dir.join("ssh_config"), &Scope::default(), 0, false, None);
    reader.out
}

struct Reader<'a> {
    home: &'a SafeDir,
    /// `Some(/etc/ssh)` when reading the system's configuration.
    system_dir: Option<PathBuf>,
    out: Config,
    /// The files being read, outermost first, as (device, inode): an include of one
    /// of them is a loop.
    chain: Vec<(u64, u64)>,
    opened: usize,
}

impl<'a> Reader<'a> {
    fn new(home: &'a SafeDir, system_dir: Option<PathBuf>) -> Reader<'a> {
        Reader {
            home,
            system_dir,
            out: Config::default(),
            chain: Vec::new(),
            opened: 0,
        }
    }

    fn skip(&mut self, path: &Path, why: Unread, from: Option<&(PathBuf, usize)>) {
        self.out.skipped.push(Skipped {
            path: path.to_owned(),
            why,
            included_from: from.cloned(),
        });
    }

    /// Reads one file at `depth` under `scope`; `checked` says whether ssh checks
    /// its owner and mode.
    fn file(
        &mut self,
        path: &Path,
        scope: &Scope,
        depth: usize,
        checked: bool,
        from: Option<(PathBuf, usize)>,
    ) {
        if depth > MAX_DEPTH {
            return self.skip(path, Unread::TooDeep, from.as_ref());
        }
        if self.opened == MAX_FILES {
            return self.skip(path, Unread::TooMany, from.as_ref());
        }
        let mut file = match self.open(path) {
            Ok(file) => file,
            // ssh skips a file that is not there (ENOENT) without a word.
            Err(FsError::NotFound) => return,
            Err(error) => return self.skip(path, Unread::Fs(error), from.as_ref()),
        };
        self.opened += 1;
        let meta = *file.meta();
        let key = (meta.dev, meta.ino);
        if self.chain.contains(&key) {
            return self.skip(path, Unread::Loop, from.as_ref());
        }
        let text = match file.read_prefix(MAX_FILE_BYTES) {
            Ok(text) => text,
            Err(error) => return self.skip(path, Unread::Fs(error), from.as_ref()),
        };
        self.out.files.push(ReadFile {
            path: path.to_owned(),
            meta,
            checked,
            system: self.system_dir.is_some(),
        });
        if meta.size > MAX_FILE_BYTES as u64 {
            self.skip(path, Unread::Truncated, from.as_ref());
        }
        self.chain.push(key);
        let mut current = scope.clone();
        for (index, line) in text.split(|&b| b == b'\n').enumerate() {
            // A line ssh rejects makes it refuse the file; here it is only skipped,
            // since this report is about the settings that do work.
            let Ok(Some((keyword, args))) = split_line(line) else {
                continue;
            };
            let number = index + 1;
            let lossy = |a: &std::ffi::OsString| String::from_utf8_lossy(a.as_bytes()).into_owned();
            match keyword.as_str() {
                // A block starts anew at each Host or Match, but always inside the
                // block the Include of this file was in.
                "host" => {
                    current = scope.clone();
                    current
                        .0
                        .push(Condition::Host(args.iter().map(lossy).collect()));
                }
                "match" => {
                    current = scope.clone();
                    let words: Vec<String> = args.iter().map(lossy).collect();
                    current.0.push(Condition::Match(words.join(" ")));
                }
                "include" => {
                    for arg in &args {
                        self.include(arg, &current, depth, (path.to_owned(), number));
                    }
                }
                _ => self.out.directives.push(Directive {
                    file: path.to_owned(),
                    line: number,
                    keyword,
                    args,
                    scope: current.clone(),
                    system: self.system_dir.is_some(),
                }),
            }
        }
        self.chain.pop();
    }

    /// One `Include` argument: resolved, expanded and read in sorted order.
    fn include(&mut self, arg: &OsStr, scope: &Scope, depth: usize, from: (PathBuf, usize)) {
        let bytes = arg.as_bytes();
        let home = self.home.path();
        let pattern = match (&self.system_dir, bytes) {
            // ssh refuses `~` in a system file ("bad include path").
            (Some(_), [b'~', ..]) => None,
            (None, b"~") => Some(home.to_owned()),
            (None, [b'~', b'/', rest @ ..]) => Some(home.join(OsStr::from_bytes(rest))),
            // `~user/`: another person's home, which this check does not read.
            (None, [b'~', ..]) => None,
            (_, [b'/', ..]) => Some(PathBuf::from(arg)),
            (Some(dir), _) => Some(dir.join(arg)),
            (None, _) => Some(home.join(".ssh").join(arg)),
        };
        let Some(pattern) = pattern else {
            let shown = String::from_utf8_lossy(bytes).into_owned();
            let file = from.0.clone();
            return self.skip(&file, Unread::BadPath(shown), Some(&from));
        };
        for path in self.glob(&normalize(&pattern), &from) {
            self.file(&path, scope, depth + 1, true, Some(from.clone()));
        }
    }

    /// glob(3) over an absolute, normalised pattern, listing each directory that
    /// holds a wildcard component through the safe layer. Like glob(3), a pattern
    /// without wildcards yields itself (its absence is noticed when it is opened),
    /// and the result is sorted bytewise.
    fn glob(&mut self, pattern: &Path, from: &(PathBuf, usize)) -> Vec<PathBuf> {
        let parts: Vec<&OsStr> = pattern
            .components()
            .filter_map(|c| match c {
                Component::Normal(part) => Some(part),
                _ => None,
            })
            .collect();
        if !parts.iter().any(|p| has_magic(p.as_bytes())) {
            return vec![pattern.to_owned()];
        }
        let last = parts.len().saturating_sub(1);
        let mut found = vec![PathBuf::from("/")];
        for (index, part) in parts.iter().enumerate() {
            let mut next = Vec::new();
            for prefix in &found {
                if !has_magic(part.as_bytes()) {
                    next.push(prefix.join(part));
                    continue;
                }
                let listed = self.open_dir(prefix).and_then(|dir| {
                    let (names, _) = dir.entries(MAX_LISTED)?;
                    Ok((dir, names))
                });
                let (dir, names) = match listed {
                    Ok(listed) => listed,
                    Err(FsError::NotFound | FsError::NotDirectory(_)) => continue,
                    Err(error) => {
                        self.skip(prefix, Unread::Fs(error), Some(from));
                        continue;
                    }
                };
                for name in names {
                    if !glob_match(part.as_bytes(), name.as_bytes()) {
                        continue;
                    }
                    // A directory matched by the last component is no config file;
                    // ssh's read of it fails without a word.
                    if index == last && dir.lstat(&name).is_ok_and(|m| m.kind == Kind::Directory) {
                        continue;
                    }
                    next.push(prefix.join(name));
                }
            }
            next.truncate(MAX_LISTED);
            found = next;
        }
        found.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
        found
    }

    /// A directory: below the home through `open_within` (no link followed),
    /// elsewhere opened as a root.
    fn open_dir(&self, path: &Path) -> Result<SafeDir, FsError> {
        match path.strip_prefix(self.home.path()) {
            Ok(rel) => self.home.open_within(rel),
            Err(_) => SafeDir::open_root(path),
        }
    }

    /// A regular file, never a FIFO or device. A link inside the home is refused;
    /// outside it (a distribution's `/etc/ssh/ssh_config.d/*.conf` may be one) it is
    /// followed a few hops, each hop reopened through this same rule.
    fn open(&self, path: &Path) -> Result<SafeFile, FsError> {
        let mut path = path.to_owned();
        for _ in 0..MAX_LINKS {
            let (dir, name) = match self.home.open_parent(&path) {
                Ok(found) => found,
                // A path that names no file is one ssh finds nothing at.
                Err(FsError::NoFileName) => return Err(FsError::NotFound),
                Err(error) => return Err(error),
            };
            let meta = dir.lstat(name)?;
            if meta.kind == Kind::Symlink && !path.starts_with(self.home.path()) {
                let target = dir
                    .read_link(name)
                    .ok_or(FsError::Symlink { target: None })?;
                path = normalize(&dir.path().join(target));
                continue;
            }
            return dir.open_file(name, &meta);
        }
        Err(FsError::Symlink { target: None })
    }
}

/// `.` and `..` resolved by name, as the path is written: `open_within` walks only
/// plain components, and no link is followed to give `..` another meaning.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}
