//! SQLite databases (`Login Data`, `key4.db`, `signons.sqlite`) opened from a copy
//! in memory. Opening one in place would take the running browser's locks, and
//! could replay or create its journal; a copy read through the `fs` layer touches
//! nothing. The copy is hostile input, so the connection follows SQLite's advice for
//! untrusted databases: defensive mode, no trusted schema, no triggers or views, a
//! quick check of the whole file before any query, and a progress handler that
//! stops any statement running too long.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

/// The largest database read into memory.
pub const MAX_DB_BYTES: usize = 64 << 20;

/// How many times the progress handler may be called (every 1,000 virtual-machine
/// steps) before a statement is stopped: 200 million steps, a few seconds at most.
const MAX_PROGRESS_CALLS: u32 = 200_000;

const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A database opened read-only from `bytes`, or why it cannot be.
pub fn open(bytes: &[u8]) -> Result<Connection, String> {
    if bytes.len() < 100 || !bytes.starts_with(HEADER) {
        return Err("is not an SQLite database (or is truncated)".to_owned());
    }
    // A database in WAL mode (header bytes 18 and 19 set to 2) cannot be read from
    // memory as it is; marked as a rollback-journal database it reads the same.
    // What the running program has left in its -wal file is not seen.
    let mut header = [0u8; 100];
    header.copy_from_slice(&bytes[..100]);
    header[18] = 1;
    header[19] = 1;
    let connection = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(describe)?;
    harden(&connection)?;
    let mut connection = connection;
    let reader = std::io::Read::chain(&header[..], &bytes[100..]);
    connection
        .deserialize_read_exact(MAIN_DB, reader, bytes.len(), true)
        .map_err(describe)?;
    let verdict: String = connection
        .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
        .map_err(describe)?;
    if verdict != "ok" {
        return Err("is a damaged SQLite database (its quick check fails)".to_owned());
    }
    Ok(connection)
}

fn harden(connection: &Connection) -> Result<(), String> {
    let settings = [
        (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
        (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
        (DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false),
        (DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false),
    ];
    for (setting, value) in settings {
        connection.set_db_config(setting, value).map_err(describe)?;
    }
    let mut calls = 0u32;
    connection
        .progress_handler(
            1000,
            Some(move || {
                calls += 1;
                calls > MAX_PROGRESS_CALLS
            }),
        )
        .map_err(describe)
}

/// SQLite's reason, in words for a skip: never a value from the database.
pub fn describe(error: rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(code, _) => match code.code {
            rusqlite::ErrorCode::DatabaseCorrupt => {
                "is a damaged or truncated SQLite database".to_owned()
            }
            rusqlite::ErrorCode::NotADatabase => "is not an SQLite database".to_owned(),
            rusqlite::ErrorCode::OperationInterrupted => {
                "took too long to read; stopped".to_owned()
            }
            other => format!("cannot be read as an SQLite database ({other:?})"),
        },
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            "has an unexpected layout".to_owned()
        }
        _ => "has an unexpected layout or cannot be read".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A small database made by SQLite itself and taken out whole.
    fn database(wal: bool) -> Vec<u8> {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE logins (password_value BLOB); \
             INSERT INTO logins VALUES (x'763130aa'), (x'763131bb');",
        )
        .unwrap();
        let mut bytes = c.serialize(MAIN_DB).unwrap().to_vec();
        if wal {
            bytes[18] = 2;
            bytes[19] = 2;
        }
        bytes
    }

    #[test]
    fn a_database_opens_from_memory_wal_or_not() {
        for wal in [false, true] {
            let c = open(&database(wal)).unwrap();
            let n: i64 = c
                .query_row("SELECT count(*) FROM logins", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 2);
        }
    }

    #[test]
    fn truncated_or_foreign_bytes_are_refused_not_crashed_on() {
        let bytes = database(false);
        assert!(open(&bytes[..50]).is_err());
        assert!(open(b"not a database at all, but long enough to pass the length test; padding padding padding").is_err());
        // Every cut of a real database either opens or is refused; none panics.
        for cut in (100..bytes.len()).step_by(97) {
            if let Ok(c) = open(&bytes[..cut]) {
                let _ = c.query_row("SELECT count(*) FROM logins", [], |r| r.get::<_, i64>(0));
            }
        }
        // Flipped bytes in the middle: the same.
        let mut damaged = bytes.clone();
        for b in damaged.iter_mut().skip(100).step_by(7) {
            *b ^= 0x5a;
        }
        if let Ok(c) = open(&damaged) {
            let _ = c.query_row("SELECT count(*) FROM logins", [], |r| r.get::<_, i64>(0));
        }
    }

    #[test]
    fn a_view_in_a_hostile_database_does_not_run() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIEW logins AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) \
             SELECT n AS password_value FROM r;",
        )
        .unwrap();
        let bytes = c.serialize(MAIN_DB).unwrap().to_vec();
        let opened = open(&bytes).unwrap();
        assert!(
            opened
                .query_row("SELECT count(*) FROM logins", [], |r| r.get::<_, i64>(0))
                .is_err()
        );
    }
}
