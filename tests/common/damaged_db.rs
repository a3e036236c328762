//! Damage to a kiosk database as a failing disk does it: bytes of the file overwritten behind
//! SQLite's back, whether the kiosk is stopped or running on it.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// The byte a damaged region is filled with: no valid page type, header or record starts so.
pub const DAMAGE_BYTE: u8 = 0xA5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Damage {
    /// The catalog's first page overwritten: the outbox still reads.
    PageInTheMiddle,
    /// The file's first 100 bytes overwritten: nothing reads.
    Header,
}

/// Where the root page of `table` is in the file: (offset, length).
fn root_page(conn: &Connection, table: &str) -> (u64, usize) {
    let page_size: u64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let root: u64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap();
    ((root - 1) * page_size, page_size as usize)
}

fn overwrite(db: &Path, offset: u64, length: usize) {
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(&vec![DAMAGE_BYTE; length]).unwrap();
    file.sync_all().unwrap();
}

/// Everything in the WAL copied into the main file and the WAL emptied; false if a reader or
/// writer kept the checkpoint from completing.
fn checkpoint_all(conn: &Connection) -> bool {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    })
    .is_ok_and(|busy| busy == 0)
}

/// Damages the database of a stopped kiosk the way `damage` says; returns the damaged file's bytes.
pub fn damage_database(db: &Path, damage: Damage) -> Vec<u8> {
    let conn = Connection::open(db).unwrap();
    // Everything into the main file first, so the damage is not undone by the log.
    assert!(checkpoint_all(&conn), "nothing else has the database open");
    let page = root_page(&conn, "procedures");
    drop(conn);
    let (offset, length) = match damage {
        Damage::PageInTheMiddle => page,
        Damage::Header => (0, 100),
    };
    overwrite(db, offset, length);
    std::fs::read(db).unwrap()
}

/// Overwrites the root page of `table` while a kiosk runs on `db`, so that the kiosk's next read
/// of that table fails with SQLITE_CORRUPT; returns where the page is (offset, length).
///
/// Overwriting the file is not enough: in WAL mode each of the kiosk's connections keeps the pages
/// it read in a cache of its own, which it drops only when, beginning a read transaction, it finds
/// the WAL index header changed; and a sound copy of the page in the WAL wins over the main file.
/// So, from a connection of our own:
/// 1. `wal_checkpoint(TRUNCATE)`: every page is in the main file and the WAL is started over;
/// 2. the page is overwritten in the main file;
/// 3. a write of ours (to a table of our own, not the damaged page): it changes the WAL index
///    header after the damage, so every kiosk connection drops its cache at its next read and
///    reads the page from the main file. Step 1 changes the header too, but a kiosk read between
///    1 and 2 would cache the sound page again under that header, and the kiosk's own writes do
///    not clear its own cache.
///
/// The kiosk may also write the page itself between 1 and 3 (its sync records every attempt in
/// `sync_state`), which puts a sound copy into the WAL. A fresh connection sees what the kiosk's
/// next read transaction will see, so the damage is checked from one and done again if it does
/// not show.
pub fn damage_under_a_running_kiosk(db: &Path, table: &str) -> (u64, usize) {
    let conn = Connection::open(db).unwrap();
    let page = root_page(&conn, table);
    for _ in 0..50 {
        if checkpoint_all(&conn) {
            overwrite(db, page.0, page.1);
            conn.execute_batch(
                "CREATE TABLE IF NOT EXISTS test_damage_probe (n INTEGER);
                 INSERT INTO test_damage_probe VALUES (1);",
            )
            .unwrap();
            let fresh = Connection::open(db).unwrap();
            let read = fresh.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            });
            match read {
                Err(e) if motcua_kiosk::storage::recovery::is_damage(&e) => return page,
                other => eprintln!("the damage does not show yet ({other:?}); again"),
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("cannot damage {table} under the running kiosk");
}
