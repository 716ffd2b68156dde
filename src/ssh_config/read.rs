//! Opening config files and following `Include` as `readconf.c` does: `~` and
//! relative paths of the user's files against `~/.ssh`, of the system's against
//! `/etc/ssh`; glob(3) expansion, sorted; every match read in place of the line,
//! under the block the line is in. Inside the home a link is followed only through
//! the person's own files (`SafeDir::follow_within`: the dotfiles layouts of stow
//! and the like), so a linked `~/.ssh/config` is read as ssh reads it; outside it
//! the path was chosen by the person or by root, and links are followed a few
//! hops, the way `open` would.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use super::lex::{split_line, strdelim};
use super::{
    Block, Condition, Config, Criterion, Directive, Fault, MAX_DEPTH, MAX_FILE_BYTES, ReadFile,
    Scope, Skipped, Unread, glob_match, has_magic, keywords,
};
use crate::fs::{FsError, Kind, Refusal, SafeDir, SafeFile, Why};

/// The most link hops followed outside the home (the kernel allows 40).
const MAX_LINKS: usize = 8;
/// The most names taken from one directory listing for a glob.
pub const MAX_LISTED: usize = 4096;
/// The most files read in one run: ten files each including `*` of their own
/// directory would otherwise fan out to 10^16 reads before the depth limit.
pub(super) const MAX_FILES: usize = 512;
/// Lines ssh refuses before the rest is left unread: one is enough for ssh to refuse
/// the whole configuration, and an `Include /*/*` of binaries would give millions.
const MAX_FAULTS: usize = 100;

/// `~/.ssh/config` and everything it includes. A missing file is no finding: ssh
/// then uses the system's file and its defaults.
pub fn read_user(home: &SafeDir, uid: u32) -> Config {
    let mut reader = Reader::new(home, uid, None);
    let path = home.path().join(".ssh").join("config");
    reader.file(&path, &Scope::default(), 0, true, None);
    reader.out
}

/// `ssh_config` in `dir` (normally `/etc/ssh`, which ssh reads after the user's
/// file) and everything it includes; relative includes are taken from `dir`.
pub fn read_system(home: &SafeDir, uid: u32, dir: &Path) -> Config {
    let mut reader = Reader::new(home, uid, Some(dir.to_owned()));
    // ssh does not check the owner and mode of this one file; it does of every
    // file it includes.
    reader.file(&dir.join("ssh_config"), &Scope::default(), 0, false, None);
    reader.out
}

struct Reader<'a> {
    home: &'a SafeDir,
    /// The person's: links in the home are followed only through what they own.
    uid: u32,
    /// `Some(/etc/ssh)` when reading the system's configuration.
    system_dir: Option<PathBuf>,
    out: Config,
    /// The files being read, outermost first, as (device, inode): an include of one
    /// of them is a loop.
    chain: Vec<(u64, u64)>,
    opened: usize,
    /// `IgnoreUnknown` patterns read so far: unknown keywords they match are no fault.
    ignored: Vec<String>,
    /// The home as the kernel names it, when that differs from the path it was
    /// given by: an `Include` may spell it either way.
    home_real: Option<PathBuf>,
}

impl<'a> Reader<'a> {
    fn new(home: &'a SafeDir, uid: u32, system_dir: Option<PathBuf>) -> Reader<'a> {
        Reader {
            home,
            uid,
            system_dir,
            out: Config::default(),
            chain: Vec::new(),
            opened: 0,
            ignored: Vec::new(),
            home_real: home.real_path().filter(|real| real != home.path()),
        }
    }

    /// `path` below the home, by either spelling of the home.
    fn within_home<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        path.strip_prefix(self.home.path()).ok().or_else(|| {
            self.home_real
                .as_ref()
                .and_then(|real| path.strip_prefix(real).ok())
        })
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
            self.too_deep(from.as_ref());
            return self.skip(path, Unread::TooDeep, from.as_ref());
        }
        if self.opened == MAX_FILES {
            return self.skip(path, Unread::TooMany, from.as_ref());
        }
        if self.out.faults.len() > MAX_FAULTS {
            return;
        }
        let mut file = match self.open(path) {
            Ok(file) => file,
            // ssh skips a file that is not there (ENOENT) without a word.
            Err(Unread::Fs(FsError::NotFound)) => return,
            Err(why) => return self.skip(path, why, from.as_ref()),
        };
        self.opened += 1;
        let meta = *file.meta();
        let key = (meta.dev, meta.ino);
        if self.chain.contains(&key) {
            // ssh reads it again and again until it is too deep.
            self.too_deep(from.as_ref());
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
            let at = (path.to_owned(), index + 1);
            if self.out.faults.len() == MAX_FAULTS {
                let message = format!(
                    "{MAX_FAULTS} lines ssh refuses; the rest of the configuration was not read, as ssh refuses it already"
                );
                self.fault(&at, message);
            }
            if self.out.faults.len() > MAX_FAULTS {
                break;
            }
            self.line(line, &at, scope, &mut current, depth);
        }
        self.chain.pop();
    }

    /// One line of a file read under `scope`; `current` is the block it is in.
    fn line(
        &mut self,
        raw: &[u8],
        at: &(PathBuf, usize),
        scope: &Scope,
        current: &mut Scope,
        depth: usize,
    ) {
        let line = match split_line(raw) {
            Ok(Some(line)) => line,
            Ok(None) => return,
            Err(error) => return self.fault(at, error.ssh_says()),
        };
        let lossy = |a: &OsString| String::from_utf8_lossy(a.as_bytes()).into_owned();
        let condition = match line.keyword.as_str() {
            "host" => {
                if line.args.iter().any(|a| a.is_empty()) {
                    self.fault(at, "keyword host empty argument".to_owned());
                }
                Condition::Host(line.args.iter().map(lossy).collect())
            }
            "match" => match match_criteria(&line.rest) {
                Ok(criteria) => Condition::Match(criteria),
                Err(why) => {
                    // ssh leaves the block as it was and refuses the file.
                    return self.fault(at, format!("{why}; Bad Match condition"));
                }
            },
            "include" => {
                for arg in &line.args {
                    self.include(arg, current, depth, at.clone());
                }
                return;
            }
            keyword => {
                if let Some(why) = keywords::fault(keyword, &line.args, &self.ignored) {
                    return self.fault(at, why);
                }
                if keyword == "ignoreunknown" {
                    self.ignored.extend(line.args.iter().map(lossy));
                }
                // A command is the rest of the line as written, `#` and all, as
                // `readconf.c` keeps it (`xstrdup(str + strspn(str, WHITESPACE "="))`).
                let args = if keywords::takes_rest(keyword) {
                    let start = line
                        .rest
                        .iter()
                        .position(|b| !matches!(b, b' ' | b'\t' | b'='))
                        .unwrap_or(line.rest.len());
                    vec![OsString::from_vec(line.rest[start..].to_vec())]
                } else {
                    line.args
                };
                // Only a comment after the keyword (`UserKnownHostsFile #x`): a keyword
                // ssh does not refuse for it (a list) is then set to nothing, and a
                // later line still sets it.
                if args.is_empty() {
                    return;
                }
                let directive = Directive {
                    file: at.0.clone(),
                    line: at.1,
                    keyword: line.keyword,
                    args,
                    scope: current.clone(),
                    system: self.system_dir.is_some(),
                };
                return self.out.directives.push(directive);
            }
        };
        // A block starts anew at each Host or Match, but always inside the block
        // the Include of this file was in.
        let text = String::from_utf8_lossy(&line.rest).into_owned();
        self.out.blocks.push(Block {
            file: at.0.clone(),
            line: at.1,
            condition,
            text,
            position: self.out.directives.len(),
        });
        *current = scope.clone();
        current.0.push(self.out.blocks.len() - 1);
    }

    fn too_deep(&mut self, from: Option<&(PathBuf, usize)>) {
        if let Some(at) = from {
            let message = "Too many recursive configuration includes".to_owned();
            self.fault(at, message);
        }
    }

    fn fault(&mut self, at: &(PathBuf, usize), message: String) {
        self.out.faults.push(Fault {
            file: at.0.clone(),
            line: at.1,
            message,
        });
    }

    /// One `Include` argument: resolved, expanded and read in sorted order.
    fn include(&mut self, arg: &OsStr, scope: &Scope, depth: usize, from: (PathBuf, usize)) {
        let bytes = arg.as_bytes();
        let home = self.home.path();
        let pattern = match (&self.system_dir, bytes) {
            // ssh refuses `~` in a system file ("bad include path").
            (Some(_), [b'~', ..]) => None,
            (None, b"~") => Some(home.to_owned()),
            // `~//x` is the home's `x`, as ssh's tilde_expand_filename joins them: never
            // the root's, which Path::join would make of an absolute rest.
            (None, [b'~', b'/', rest @ ..]) => {
                let start = rest.iter().position(|&b| b != b'/').unwrap_or(rest.len());
                Some(home.join(OsStr::from_bytes(&rest[start..])))
            }
            // `~user/`: another person's home, which this check does not read.
            (None, [b'~', ..]) => None,
            (_, [b'/', ..]) => Some(PathBuf::from(arg)),
            (Some(dir), _) => Some(dir.join(arg)),
            (None, _) => Some(home.join(".ssh").join(arg)),
        };
        let Some(pattern) = pattern else {
            let shown = String::from_utf8_lossy(bytes).into_owned();
            if self.system_dir.is_some() {
                let message = format!("bad include path {}.", crate::sanitize::display_str(&shown));
                self.fault(&from, message);
            }
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
                    let (names, truncated) = dir.entries(MAX_LISTED).map_err(Unread::Fs)?;
                    Ok((dir, names, truncated))
                });
                let (dir, names) = match listed {
                    Ok((dir, names, truncated)) => {
                        if truncated {
                            // The names past the bound are not read: say so.
                            self.skip(prefix, Unread::TooManyEntries, Some(from));
                        }
                        (dir, names)
                    }
                    Err(Unread::Fs(FsError::NotFound | FsError::NotDirectory(_))) => continue,
                    Err(why) => {
                        self.skip(prefix, why, Some(from));
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
            if next.len() > MAX_LISTED {
                next.truncate(MAX_LISTED);
                self.skip(pattern, Unread::TooManyEntries, Some(from));
            }
            found = next;
        }
        found.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
        found
    }

    /// A directory: below the home through [`SafeDir::follow_within`], elsewhere
    /// opened as a root.
    fn open_dir(&self, path: &Path) -> Result<SafeDir, Unread> {
        let Some(rel) = self.within_home(path) else {
            return SafeDir::open_root(path).map_err(Unread::Fs);
        };
        if rel.as_os_str().is_empty() {
            return SafeDir::open_root(path).map_err(Unread::Fs);
        }
        let found = self.home.follow_within(rel, self.uid).map_err(unread)?;
        if found.meta.kind != Kind::Directory {
            return Err(Unread::Fs(FsError::NotDirectory(found.meta.kind)));
        }
        found.dir.open_dir(&found.name).map_err(Unread::Fs)
    }

    /// A regular file, never a FIFO or device. Inside the home a link is followed
    /// only through the person's own files; outside it (a distribution's
    /// `/etc/ssh/ssh_config.d/*.conf` may be one) it is followed a few hops, each
    /// hop reopened through this same rule.
    fn open(&self, path: &Path) -> Result<SafeFile, Unread> {
        let mut path = path.to_owned();
        for _ in 0..MAX_LINKS {
            // A way that reaches the home, by either spelling, goes on only through
            // the person's own files.
            if let Some(rel) = self.within_home(&path) {
                let found = self.home.follow_within(rel, self.uid).map_err(unread)?;
                return found
                    .dir
                    .open_file(&found.name, &found.meta)
                    .map_err(Unread::Fs);
            }
            let (dir, name) = match self.home.open_parent(&path) {
                Ok(found) => found,
                // A path that names no file is one ssh finds nothing at.
                Err(FsError::NoFileName) => return Err(Unread::Fs(FsError::NotFound)),
                Err(error) => return Err(Unread::Fs(error)),
            };
            let meta = dir.lstat(name).map_err(Unread::Fs)?;
            if meta.kind == Kind::Symlink {
                let target = dir
                    .read_link(name)
                    .ok_or(Unread::Fs(FsError::Symlink { target: None }))?;
                path = normalize(&dir.path().join(target));
                continue;
            }
            return dir.open_file(name, &meta).map_err(Unread::Fs);
        }
        Err(Unread::Fs(FsError::Symlink { target: None }))
    }
}

/// A way not followed: a missing file is one ssh finds nothing at; the rest is
/// a link refused, with its reason.
fn unread(refusal: Refusal) -> Unread {
    match refusal.why {
        Why::Fs(FsError::NotFound | FsError::NoFileName) => Unread::Fs(FsError::NotFound),
        _ => Unread::Link(refusal),
    }
}

/// A `Match` line's criteria as `match_cfg_line` reads them (with `strdelim`,
/// from the text after the keyword), or ssh's complaint.
fn match_criteria(rest: &[u8]) -> Result<Vec<(bool, Criterion)>, String> {
    let mut s = rest;
    let mut criteria = Vec::new();
    let mut attributes = 0;
    while let Some(token) = strdelim(&mut s, true).filter(|t| !t.is_empty()) {
        if token[0] == b'#' {
            break;
        }
        let negate = token[0] == b'!';
        let name = String::from_utf8_lossy(&token[usize::from(negate)..]).to_ascii_lowercase();
        if name == "all" {
            let mut peek = s;
            let next = strdelim(&mut peek, true).unwrap_or_default();
            if attributes > 1 || !next.is_empty() && next[0] != b'#' {
                let shown = crate::sanitize::display_bytes(&token);
                return Err(format!(
                    "'{shown}' cannot be combined with other Match attributes"
                ));
            }
            criteria.push((negate, Criterion::All));
            return Ok(criteria);
        }
        attributes += 1;
        if name == "canonical" || name == "final" {
            let criterion = if name == "final" {
                Criterion::Final
            } else {
                Criterion::Canonical
            };
            criteria.push((negate, criterion));
            continue;
        }
        let arg = strdelim(&mut s, true).unwrap_or_default();
        if arg.is_empty() || arg[0] == b'#' {
            return Err(format!(
                "Missing Match criteria for {}",
                crate::sanitize::display_str(&name)
            ));
        }
        let arg = String::from_utf8_lossy(&arg).into_owned();
        let criterion = match name.as_str() {
            "host" => Criterion::Host(arg),
            "originalhost" => Criterion::OriginalHost(arg),
            "user" => Criterion::User(arg),
            "localuser" => Criterion::LocalUser(arg),
            "exec" => Criterion::Exec(arg),
            "localnetwork" => Criterion::LocalNetwork(arg),
            other => {
                let shown = crate::sanitize::display_str(other);
                return Err(format!("Unsupported Match attribute {shown}"));
            }
        };
        criteria.push((negate, criterion));
    }
    if attributes == 0 {
        return Err("One or more attributes required for Match".to_owned());
    }
    Ok(criteria)
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
