//! Stored formats stay readable: data folders written by earlier builds open, and every table,
//! row, index, schema, role and grant in them reads back (see `docs/formats.md`).
//!
//! `tests/fixtures/<name>/` holds the `journal/` folder of a data folder made by [`SETUP`]:
//!
//! - `legacy-b631f7c`: written by commit b631f7c, before encodings carried versions;
//! - `v1`: written with every format at version 1 (journal file header, commit records,
//!   catalog entries and rows);
//! - `v2`: schema definitions at version 2 (with their oid), everything else at version 1.
//!
//! A fixture is never regenerated once checked in (it stands for data users have); a new
//! format version adds a new fixture. To make one, run the ignored test [`regenerate_fixture`]:
//!
//! ```sh
//! DSQL_FIXTURE=v2 cargo test --test formats regenerate_fixture -- --ignored
//! # with another build of dsql (the fixture of an older format):
//! DSQL_FIXTURE=legacy-b631f7c DSQL_FIXTURE_BINARY=/tmp/old/dsql cargo test --test formats regenerate_fixture -- --ignored
//! ```

mod common;

use common::{Binary, build_index, sqlstate};
use std::path::{Path, PathBuf};
use tokio_postgres::{Client, SimpleQueryMessage};

/// The statements that make a fixture: tables with and without a primary key, in two schemas,
/// every column type with NULLs and edge values, two secondary indexes (one unique, with
/// INCLUDE), a role with grants, and an UPDATE and a DELETE.
const SETUP: &[&str] = &[
    "CREATE SCHEMA app",
    "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), \
     qty integer, small smallint, ratio double precision, flag boolean, born date, \
     at timestamp, attz timestamptz, code varchar(8), tag char(3), r real DEFAULT 1.5)",
    "CREATE TABLE app.events (seq integer NOT NULL, note text)",
    "CREATE TABLE app.pairs (a integer, b text, c integer, PRIMARY KEY (a, b))",
    "INSERT INTO items VALUES \
     (1, 'apple', 1.25, 10, 3, 0.5, true, '2024-01-02', '2024-01-02 03:04:05.678', \
      '2024-01-02 03:04:05+00', 'ab', 'x', 2.5), \
     (2, 'pear', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), \
     (3, 'o''range ü', -99999999.99, -2147483648, -32768, '-1e300', false, '1999-12-31', \
      '1999-12-31 23:59:59', '1999-12-31 23:59:59.999999+00', '', 'abc', -0.25)",
    "INSERT INTO items (id, name) VALUES (4, 'plum')",
    "INSERT INTO app.events VALUES (1, 'one'), (2, NULL), (3, 'three'), (3, 'three')",
    "INSERT INTO app.pairs VALUES (1, 'a', 10), (1, 'b', 20), (2, 'a', 30), (3, 'c', NULL)",
    "UPDATE items SET qty = 11, name = 'apple!' WHERE id = 1",
    "DELETE FROM app.pairs WHERE a = 3",
    "CREATE ROLE reader WITH LOGIN",
    "GRANT USAGE ON SCHEMA app TO reader",
    "GRANT SELECT ON items TO reader",
    "GRANT SELECT, INSERT ON app.events TO reader",
];

/// The indexes [`SETUP`] builds (after the rows are in, so their backfill runs).
const INDEXES: &[&str] = &[
    "CREATE INDEX ASYNC items_name ON items (name)",
    "CREATE UNIQUE INDEX ASYNC pairs_c ON app.pairs (c) INCLUDE (b)",
];

/// What [`dump`] shows for a data folder made by [`SETUP`] and [`INDEXES`].
const EXPECTED: &str = "\
> SELECT * FROM items ORDER BY id
1|apple!|1.25|11|3|0.5|t|2024-01-02|2024-01-02 03:04:05.678|2024-01-02 03:04:05+00|ab|x  |2.5
2|pear|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL
3|o'range ü|-99999999.99|-2147483648|-32768|-1e+300|f|1999-12-31|1999-12-31 23:59:59|1999-12-31 23:59:59.999999+00||abc|-0.25
4|plum|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1.5
> SELECT seq, note FROM app.events ORDER BY seq, note
1|one
2|NULL
3|three
3|three
> SELECT a, b, c FROM app.pairs ORDER BY a, b
1|a|10
1|b|20
2|a|30
> SELECT id, name FROM items WHERE name = 'pear'
2|pear
> SELECT id FROM items WHERE name > 'o' ORDER BY name
3
2
4
> SELECT b, c FROM app.pairs WHERE c = 20
b|20
> SET ROLE reader
> SELECT count(*) FROM items
4
> SELECT count(*) FROM app.events
4
> RESET ROLE
";

/// Runs every query a user would notice going wrong and renders the answers as text, one
/// line per row (`|` between values, `NULL` for null).
async fn dump(c: &Client) -> String {
    let queries = [
        "SELECT * FROM items ORDER BY id",
        "SELECT seq, note FROM app.events ORDER BY seq, note",
        "SELECT a, b, c FROM app.pairs ORDER BY a, b",
        // Through the indexes:
        "SELECT id, name FROM items WHERE name = 'pear'",
        "SELECT id FROM items WHERE name > 'o' ORDER BY name",
        "SELECT b, c FROM app.pairs WHERE c = 20",
        // Roles and grants: reader may read items, not pairs.
        "SET ROLE reader",
        "SELECT count(*) FROM items",
        "SELECT count(*) FROM app.events",
        "RESET ROLE",
    ];
    let mut out = String::new();
    for sql in queries {
        out.push_str(&format!("> {sql}\n"));
        for message in c
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
        {
            if let SimpleQueryMessage::Row(row) = message {
                let values: Vec<&str> = (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL"))
                    .collect();
                out.push_str(&values.join("|"));
                out.push('\n');
            }
        }
    }
    out
}

/// Checks that writes on top of the fixture's data work and keep every rule: a new table, new
/// rows in old tables (hidden row ids among them), the old unique index and primary key
/// refusing duplicates, the reader's old grant being enforced.
async fn write_more(c: &Client) {
    c.batch_execute("INSERT INTO items (id, name, qty) VALUES (5, 'quince', 5)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO app.events VALUES (4, 'four'), (5, NULL)")
        .await
        .unwrap();
    c.batch_execute("UPDATE app.pairs SET c = 11 WHERE a = 1 AND b = 'a'")
        .await
        .unwrap();
    c.batch_execute("CREATE TABLE fresh (k integer PRIMARY KEY, v text)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO fresh VALUES (1, 'new')")
        .await
        .unwrap();
    let duplicate_pk = c
        .batch_execute("INSERT INTO items (id, name) VALUES (2, 'again')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&duplicate_pk), "23505");
    let duplicate_unique = c
        .batch_execute("INSERT INTO app.pairs VALUES (9, 'z', 20)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&duplicate_unique), "23505");
    let refused = c
        .batch_execute("SET ROLE reader; SELECT * FROM app.pairs")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&refused), "42501");
    c.batch_execute("RESET ROLE").await.unwrap();
}

/// What [`dump`] shows after [`write_more`].
fn expected_after_writes() -> String {
    EXPECTED
        .replace(
            "4|plum|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1.5\n",
            "4|plum|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1.5\n\
             5|quince|NULL|5|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|1.5\n",
        )
        .replace("3|three\n3|three\n", "3|three\n3|three\n4|four\n5|NULL\n")
        .replace("1|a|10\n", "1|a|11\n")
        .replace(
            "> SELECT id FROM items WHERE name > 'o' ORDER BY name\n3\n2\n4\n",
            "> SELECT id FROM items WHERE name > 'o' ORDER BY name\n3\n2\n4\n5\n",
        )
        .replace(
            "> SELECT count(*) FROM items\n4\n> SELECT count(*) FROM app.events\n4\n",
            "> SELECT count(*) FROM items\n5\n> SELECT count(*) FROM app.events\n6\n",
        )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Copies a fixture into a fresh data folder (the server writes to it; the checked-in copy
/// must stay as it is).
fn data_folder_from(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Opens the fixture, checks every answer, writes more, and checks again after a restart.
async fn opens_and_takes_new_writes(name: &str) {
    let dir = data_folder_from(name);
    let server = Binary::start(dir.path());
    let c = server.connect().await.unwrap();
    assert_eq!(dump(&c).await, EXPECTED, "fixture {name} reads back");
    write_more(&c).await;
    assert_eq!(dump(&c).await, expected_after_writes());
    server.stop();

    let server = Binary::start(dir.path());
    let c = server.connect().await.unwrap();
    assert_eq!(
        dump(&c).await,
        expected_after_writes(),
        "old and new records read back after a restart"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_written_before_formats_had_versions_opens() {
    opens_and_takes_new_writes("legacy-b631f7c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_written_at_format_version_1_opens() {
    opens_and_takes_new_writes("v1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_with_schema_definitions_at_version_2_opens() {
    opens_and_takes_new_writes("v2").await;
}

/// Makes [`SETUP`]'s data folder with this build, restarts it and checks the answers: what
/// this build writes, it reads back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_folder_written_by_this_build_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    make_data_folder(Path::new(env!("CARGO_BIN_EXE_dsql")), dir.path()).await;
    let server = Binary::start(dir.path());
    let c = server.connect().await.unwrap();
    assert_eq!(dump(&c).await, EXPECTED);
}

/// Runs [`SETUP`] and [`INDEXES`] with `program` in `data_dir` and stops it cleanly.
async fn make_data_folder(program: &Path, data_dir: &Path) {
    let server = Binary::start_program(program, data_dir);
    let c = server.connect().await.unwrap();
    for sql in SETUP {
        c.batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {}", common::message(&e)));
    }
    for sql in INDEXES {
        assert!(build_index(&c, sql).await, "{sql} builds");
    }
    server.stop();
}

/// Writes `tests/fixtures/$DSQL_FIXTURE/` with `$DSQL_FIXTURE_BINARY` (default: this build)
/// and prints its [`dump`] (review it against [`EXPECTED`]).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes a fixture into the source tree; run by hand for a new format version"]
async fn regenerate_fixture() {
    let name = std::env::var("DSQL_FIXTURE").expect("set DSQL_FIXTURE to the fixture's name");
    let program = std::env::var_os("DSQL_FIXTURE_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_dsql")));
    let dir = tempfile::tempdir().unwrap();
    make_data_folder(&program, dir.path()).await;
    let target = fixture(&name);
    let _ = std::fs::remove_dir_all(&target);
    copy_tree(&dir.path().join("journal"), &target.join("journal"));

    let server = Binary::start_program(&program, dir.path());
    let c = server.connect().await.unwrap();
    println!("{}", dump(&c).await);
}
