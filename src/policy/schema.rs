//! What a policy may say: the standard's items and, for each, the keys it takes and
//! which direction of change makes it stricter. The loader, the loosening rule,
//! `policy show` and the man-page test all read this one table.

/// How a key's value is written and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// `must`, `must-not`, `should`, `should-not`; must-level is stricter.
    Level,
    /// Free text (titles, summaries, contacts); never a loosening.
    Text,
    /// A switch where `true` is stricter.
    Flag,
    /// A switch where `true` allows something: `false` is stricter.
    Permit,
    /// A whole number in `min..=max` where a higher value is stricter.
    AtLeast { min: u64, max: u64 },
    /// A whole number in `min..=max` where a lower value is stricter (a limit on
    /// seconds or days).
    AtMost { min: u64, max: u64 },
    /// An octal mode string such as `"0400"`; fewer bits are stricter.
    Mode,
    /// A list of paths (`/…` or `~/…`); more paths are stricter.
    Paths,
}

/// One key of one item.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub key: &'static str,
    pub kind: ParamKind,
}

/// One requirement of the standard.
#[derive(Clone, Copy, Debug)]
pub struct ItemSpec {
    pub id: &'static str,
    /// Keys beyond the common ones.
    pub params: &'static [ParamSpec],
}

const fn p(key: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec { key, kind }
}

/// Keys every item has.
pub const COMMON: &[ParamSpec] = &[
    p("level", ParamKind::Level),
    p("section", ParamKind::Text),
    p("title", ParamKind::Text),
    p("summary", ParamKind::Text),
];

const fn item(id: &'static str) -> ItemSpec {
    ItemSpec { id, params: &[] }
}

/// The items of sections 2.1, 2.1.1 and 2.2, in the standard's order.
pub const ITEMS: &[ItemSpec] = &[
    item("password-dissemination"),
    item("host-authentication"),
    item("password-usage"),
    ItemSpec {
        id: "password-entropy",
        params: &[
            p("min-length", ParamKind::AtLeast { min: 1, max: 512 }),
            p("require-digit", ParamKind::Flag),
            p("require-lower", ParamKind::Flag),
            p("require-upper", ParamKind::Flag),
            p("require-symbol", ParamKind::Flag),
            p("min-guesses-log10", ParamKind::AtLeast { min: 0, max: 40 }),
            p("min-score", ParamKind::AtLeast { min: 0, max: 4 }),
            p("pam-allow-missing-token", ParamKind::Permit),
            p("breach-indexes", ParamKind::Paths),
            p("word-lists", ParamKind::Paths),
            p(
                "breach-min-count",
                ParamKind::AtMost {
                    min: 1,
                    max: 16_777_215,
                },
            ),
        ],
    },
    item("ssh-proxycommand"),
    ItemSpec {
        id: "desktop-locking",
        params: &[
            p("require-lock", ParamKind::Flag),
            p(
                "max-idle-seconds",
                ParamKind::AtMost {
                    min: 1,
                    max: 86_400,
                },
            ),
            p(
                "max-lock-delay-seconds",
                ParamKind::AtMost { min: 0, max: 3_600 },
            ),
        ],
    },
    item("password-reuse"),
    item("software-installation"),
    item("relocate-information-offsite"),
    ItemSpec {
        id: "key-security",
        params: &[
            p("max-mode", ParamKind::Mode),
            p("ssh-dir-max-mode", ParamKind::Mode),
            p("extra-paths", ParamKind::Paths),
        ],
    },
    item("key-passwords"),
    ItemSpec {
        id: "encryption-backups",
        params: &[p(
            "max-backup-age-days",
            ParamKind::AtMost { min: 1, max: 3_650 },
        )],
    },
    item("stolen-missing-equipment"),
    item("password-sharing"),
    item("role-accounts"),
    item("data-access-passwords"),
    item("self-access"),
    ItemSpec {
        id: "incident-reporting",
        params: &[
            p("contact", ParamKind::Text),
            p(
                "remind-interval-days",
                ParamKind::AtMost { min: 1, max: 3_650 },
            ),
        ],
    },
];

/// Tables that configure the tool itself rather than an item of the standard:
/// they take only their own keys (no level, title or summary).
pub const SETTINGS: &[ItemSpec] = &[ItemSpec {
    id: "login",
    params: &[
        p("max-lines", ParamKind::AtLeast { min: 1, max: 50 }),
        p(
            "deadline-ms",
            ParamKind::AtMost {
                min: 50,
                max: 10_000,
            },
        ),
        p("rescan-hours", ParamKind::AtMost { min: 1, max: 720 }),
    ],
}];

/// The spec of an item by id.
pub fn item_spec(id: &str) -> Option<&'static ItemSpec> {
    ITEMS.iter().find(|spec| spec.id == id)
}

/// The spec of a settings table by id.
pub fn settings_spec(id: &str) -> Option<&'static ItemSpec> {
    SETTINGS.iter().find(|spec| spec.id == id)
}

/// Every key a table takes: an item's common ones first, a settings table's own.
pub fn table_keys(spec: &'static ItemSpec) -> impl Iterator<Item = &'static ParamSpec> {
    let common = if settings_spec(spec.id).is_some() {
        &[][..]
    } else {
        COMMON
    };
    common.iter().chain(spec.params.iter())
}

/// Items and settings tables, in the order `policy show` prints them.
pub fn tables() -> impl Iterator<Item = &'static ItemSpec> {
    ITEMS.iter().chain(SETTINGS.iter())
}
