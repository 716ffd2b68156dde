//! Saved passwords in applications (policy `password-usage`): browsers, mail, chat,
//! FTP, remote-desktop, database and build-tool clients that keep passwords where
//! any program running as the person can read them back. Each store is one
//! finding: the file, the application, how many saved passwords it holds and why
//! they are readable — or, passing, what protects them.
//!
//! Reads: each application's store files, through the safe layer with a bound;
//! SQLite databases from a copy in memory. Never: a site, a user name or a
//! password — only counts reach a finding; never a change, `--fix` included (the
//! fix is a setting in the application, named exactly).
//!
//! Codes: listed in `codes()` below and explained in csi-self-check(1).

use super::{Check, CheckError, Context, Finding, Status};
use crate::app_stores::{self, Family, Store, Verdict};
use crate::policy::Level;

const ID: &str = "app-password-stores";
const ITEM: &str = "password-usage";

pub struct AppPasswordStores;

impl Check for AppPasswordStores {
    fn id(&self) -> &'static str {
        ID
    }

    fn policies(&self) -> &'static [&'static str] {
        &[ITEM]
    }

    fn summary(&self) -> &'static str {
        "no saved passwords that any program can read back: browsers without a primary password or on Chromium's basic store, and mail, chat, FTP, remote-desktop and database clients keeping them in plain text or under a built-in key"
    }

    fn codes(&self) -> &'static [&'static str] {
        &[
            "mozilla-no-primary-password",
            "chromium-basic-store",
            "app-password-readable",
            "mozilla-old-key-database",
            "app-store-protected",
            "app-store-empty",
            "app-store-unread",
        ]
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) -> Result<(), CheckError> {
        let home = cx.home()?;
        let level = cx.policy.level(ITEM);
        out.extend(
            app_stores::scan(home)
                .into_iter()
                .map(|store| finding(store, level)),
        );
        Ok(())
    }
}

fn plural(count: usize, one: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {one}s")
    }
}

fn finding(store: Store, level: Level) -> Finding {
    let base = |status, code| Finding::new(ID, ITEM, level, status, code).at(&store.path);
    let app = &store.app;
    match store.verdict {
        Verdict::Readable {
            count,
            protected,
            why,
        } => {
            let code = match store.family {
                Family::Mozilla => "mozilla-no-primary-password",
                Family::Chromium => "chromium-basic-store",
                Family::Client => "app-password-readable",
            };
            let also = if protected > 0 {
                format!(" ({protected} more protected)")
            } else {
                String::new()
            };
            base(Status::Fail, code)
                .says(format!(
                    "{app}: {} that any program running as you can read back{also}: {why}",
                    plural(count, "saved password")
                ))
                .fix(store.fix)
        }
        Verdict::Protected { count, how } => {
            let held = count.map_or_else(
                || "saved passwords".to_owned(),
                |n| plural(n, "saved password"),
            );
            base(Status::Pass, "app-store-protected").says(format!("{app}: {held}, {how}"))
        }
        Verdict::Empty => {
            base(Status::Pass, "app-store-empty").says(format!("{app}: no saved password"))
        }
        Verdict::OldFormat { count } => base(Status::Warn, "mozilla-old-key-database")
            .level(Level::Should)
            .says(format!(
                "{app}: {} kept with the old key database key3.db, whose protection this check does not judge; open the profile once in a current version, which converts it, and run again",
                plural(count, "saved login")
            ))
            .fix(store.fix),
        Verdict::Unread(why) => {
            base(Status::Skip, "app-store-unread").says(format!("{app}: not read: {why}"))
        }
    }
}
