//! DSQL's transaction and object limits over the wire: each limit refuses with DSQL's
//! SQLSTATE and message, and the refused statement leaves the database as it was. Limits
//! whose defaults would make a test slow are lowered through `dsql::Config::limits`.

mod common;

use common::{connect, message, sqlstate, start, start_with};
use std::time::Duration;
use tokio_postgres::Client;

async fn count(c: &Client, table: &str) -> i64 {
    c.query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

fn assert_error(err: &tokio_postgres::Error, code: &str, text: &str) {
    assert_eq!(
        (sqlstate(err).as_str(), message(err).as_str()),
        (code, text)
    );
}

#[tokio::test]
async fn the_row_limit_refuses_the_statement_that_passes_it() {
    let t = start_with(|c| c.limits.max_rows_modified = 5).await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v int)")
        .await
        .unwrap();
    // Autocommit: six rows in one statement is one too many; nothing is committed.
    let err = c
        .batch_execute("INSERT INTO t VALUES (1,0),(2,0),(3,0),(4,0),(5,0),(6,0)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "transaction row limit exceeded");
    assert_eq!(count(&c, "t").await, 0);
    // Five fit.
    c.batch_execute("INSERT INTO t VALUES (1,0),(2,0),(3,0),(4,0),(5,0)")
        .await
        .unwrap();
    // In a block the rows add up across statements; the block then only rolls back.
    c.batch_execute("BEGIN; UPDATE t SET v = 1 WHERE id <= 3")
        .await
        .unwrap();
    let err = c
        .batch_execute("DELETE FROM t WHERE id > 2")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "transaction row limit exceeded");
    assert_eq!(
        sqlstate(&c.batch_execute("SELECT 1").await.unwrap_err()),
        "25P02"
    );
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&c, "t").await, 5);
    let changed: i64 = c
        .query_one("SELECT count(*) FROM t WHERE v <> 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(changed, 0, "the failed block's UPDATE was rolled back");
}

#[tokio::test]
async fn the_default_transaction_size_limit_is_10mb() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE blobs (id int PRIMARY KEY, body text)")
        .await
        .unwrap();
    // Eleven values of 1,000,000 bytes each are under the 1 MiB value limit but together
    // pass 10 MiB.
    let rows: Vec<String> = (1..=11)
        .map(|id| format!("({id}, repeat('x', 1000000))"))
        .collect();
    let err = c
        .batch_execute(&format!("INSERT INTO blobs VALUES {}", rows.join(", ")))
        .await
        .unwrap_err();
    assert_error(&err, "54000", "transaction size limit 10mb exceeded");
    let detail = err.as_db_error().and_then(|e| e.detail()).unwrap_or("");
    assert!(
        detail.contains("10485760"),
        "DETAIL gives the sizes: {detail}"
    );
    assert_eq!(count(&c, "blobs").await, 0);
    // Ten of them fit.
    c.batch_execute("BEGIN").await.unwrap();
    for id in 1..=10 {
        c.execute(
            "INSERT INTO blobs VALUES ($1, repeat('x', 1000000))",
            &[&id],
        )
        .await
        .unwrap();
    }
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&c, "blobs").await, 10);
}

#[tokio::test]
async fn the_transaction_size_limit_follows_the_configured_value() {
    let t = start_with(|c| c.limits.set("max_transaction_bytes", "64KiB").unwrap()).await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, body text)")
        .await
        .unwrap();
    c.batch_execute("BEGIN; INSERT INTO t VALUES (1, repeat('a', 40000))")
        .await
        .unwrap();
    let err = c
        .batch_execute("INSERT INTO t VALUES (2, repeat('b', 40000))")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "transaction size limit 64kb exceeded");
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&c, "t").await, 0, "the block was rolled back");
    // An UPDATE that grows rows past the limit is refused the same way.
    c.batch_execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
        .await
        .unwrap();
    let err = c
        .batch_execute("UPDATE t SET body = repeat('c', 40000)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "transaction size limit 64kb exceeded");
    let bodies: Vec<String> = c
        .query("SELECT body FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(bodies, vec!["a", "b"]);
}

#[tokio::test]
async fn an_old_transaction_fails_at_its_next_statement_and_commit_rolls_back() {
    let t = start_with(|c| c.limits.max_transaction_age = Duration::from_secs(1)).await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute("BEGIN; INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let err = c.batch_execute("SELECT 1").await.unwrap_err();
    assert_error(&err, "54000", "transaction age limit of 1s exceeded");
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(count(&c, "t").await, 0);

    // COMMIT itself, as the next statement, is refused too, and nothing is committed.
    c.batch_execute("BEGIN; INSERT INTO t VALUES (2)")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let err = c.batch_execute("COMMIT").await.unwrap_err();
    assert_error(&err, "54000", "transaction age limit of 1s exceeded");
    assert_eq!(count(&c, "t").await, 0);
    // The session is out of the block and works normally.
    c.batch_execute("INSERT INTO t VALUES (3)").await.unwrap();
    assert_eq!(count(&c, "t").await, 1);
}

#[tokio::test]
async fn an_old_transactions_portal_hands_out_no_more_rows() {
    let t = start_with(|c| c.limits.max_transaction_age = Duration::from_secs(1)).await;
    let mut c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO t VALUES (1), (2), (3)")
        .await
        .unwrap();
    let txn = c.transaction().await.unwrap();
    let portal = txn.bind("SELECT id FROM t", &[]).await.unwrap();
    assert_eq!(txn.query_portal(&portal, 1).await.unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let err = txn.query_portal(&portal, 1).await.unwrap_err();
    assert_error(&err, "54000", "transaction age limit of 1s exceeded");
    // The block has failed.
    let err = txn.query_portal(&portal, 1).await.unwrap_err();
    assert_eq!(sqlstate(&err), "25P02");
    txn.rollback().await.unwrap();
}

#[tokio::test]
async fn primary_keys_over_1kib_are_refused() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE k (id text PRIMARY KEY, v int)")
        .await
        .unwrap();
    let err = c
        .batch_execute("INSERT INTO k VALUES (repeat('k', 1100), 1)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "key size too large");
    assert_eq!(count(&c, "k").await, 0);
    c.batch_execute("INSERT INTO k VALUES (repeat('k', 1000), 1)")
        .await
        .unwrap();
    let err = c
        .batch_execute("UPDATE k SET id = repeat('z', 2000)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "key size too large");
    let len: i32 = c
        .query_one("SELECT length(id) FROM k", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(len, 1000);
}

#[tokio::test]
async fn values_over_1mib_and_rows_over_2mib_are_refused() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE r (id int PRIMARY KEY, a text, b text, c text)")
        .await
        .unwrap();
    let err = c
        .batch_execute("INSERT INTO r VALUES (1, repeat('a', 1048577), '', '')")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "maximum column size exceeded");
    let err = c
        .batch_execute(
            "INSERT INTO r VALUES (1, repeat('a', 800000), repeat('b', 800000), repeat('c', 800000))",
        )
        .await
        .unwrap_err();
    assert_error(&err, "54000", "maximum row size exceeded");
    assert_eq!(count(&c, "r").await, 0);
    // A full 1 MiB value fits; growing the row past 2 MiB by UPDATE does not.
    c.batch_execute("INSERT INTO r VALUES (1, repeat('a', 1048576), '', '')")
        .await
        .unwrap();
    let err = c
        .batch_execute("UPDATE r SET b = repeat('b', 1000000), c = repeat('c', 1000000)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "maximum row size exceeded");
    let row = c
        .query_one("SELECT length(a), length(b), length(c) FROM r", &[])
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i32>(0),
            row.get::<_, i32>(1),
            row.get::<_, i32>(2)
        ),
        (1048576, 0, 0)
    );
}

fn create_table_sql(name: &str, columns: usize, key_columns: usize) -> String {
    let cols: Vec<String> = (0..columns).map(|i| format!("c{i} int")).collect();
    let key: Vec<String> = (0..key_columns).map(|i| format!("c{i}")).collect();
    format!(
        "CREATE TABLE {name} ({}, PRIMARY KEY ({}))",
        cols.join(", "),
        key.join(", ")
    )
}

#[tokio::test]
async fn tables_are_limited_to_255_columns_and_8_key_columns() {
    let t = start().await;
    let c = connect(&t.server).await;
    let err = c
        .batch_execute(&create_table_sql("wide", 256, 1))
        .await
        .unwrap_err();
    assert_error(&err, "54011", "tables can have at most 255 columns");
    let err = c
        .batch_execute(&create_table_sql("keyed", 9, 9))
        .await
        .unwrap_err();
    assert_error(
        &err,
        "54011",
        "more than 8 column keys in an index are not supported",
    );
    for table in ["wide", "keyed"] {
        let err = c
            .batch_execute(&format!("SELECT * FROM {table}"))
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42P01", "{table} was not created");
    }
    // The limits themselves are allowed.
    c.batch_execute(&create_table_sql("wide", 255, 8))
        .await
        .unwrap();
    assert_eq!(count(&c, "wide").await, 0);
}

#[tokio::test]
async fn the_table_count_limit_follows_the_configured_value() {
    let t = start_with(|c| c.limits.max_tables = 3).await;
    let c = connect(&t.server).await;
    for name in ["a", "b", "c"] {
        c.batch_execute(&format!("CREATE TABLE {name} (id int PRIMARY KEY)"))
            .await
            .unwrap();
    }
    let err = c
        .batch_execute("CREATE TABLE d (id int PRIMARY KEY)")
        .await
        .unwrap_err();
    assert_error(&err, "54000", "creating more than 3 tables not allowed");
    let err = c.batch_execute("SELECT * FROM d").await.unwrap_err();
    assert_eq!(sqlstate(&err), "42P01");
    // Dropping one makes room again.
    c.batch_execute("DROP TABLE a").await.unwrap();
    c.batch_execute("CREATE TABLE d (id int PRIMARY KEY)")
        .await
        .unwrap();
    assert_eq!(count(&c, "d").await, 0);
}

#[tokio::test]
async fn repeat_builds_large_values_without_large_literals() {
    let t = start().await;
    let c = connect(&t.server).await;
    let row = c
        .query_one(
            "SELECT repeat('ab', 3), length(repeat('x', 1048576)), repeat('x', -1)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "ababab");
    assert_eq!(row.get::<_, i32>(1), 1048576);
    assert_eq!(row.get::<_, String>(2), "");
}

#[tokio::test]
async fn a_huge_generate_series_is_refused_within_the_query_memory_limit() {
    let t = start_with(|c| c.limits.set("max_query_memory", "64KiB").unwrap()).await;
    let c = connect(&t.server).await;
    // In FROM and in a select list: the series is refused once its values pass the limit,
    // long before it would be allocated in full.
    for sql in [
        "SELECT count(*) FROM generate_series(1, 1000000000000)",
        "SELECT count(*) FROM generate_series(1, 1000000000000) WITH ORDINALITY",
        "SELECT generate_series(1, 1000000000000) LIMIT 1",
        "SELECT count(*) FROM generate_series(1, 100000000000, 1.5)",
    ] {
        let err = c.query(sql, &[]).await.unwrap_err();
        assert_error(
            &err,
            "53200",
            "query requires too much temp space, out of memory.",
        );
    }
    // A series within the limit runs.
    let row = c
        .query_one("SELECT count(*) FROM generate_series(1, 1000)", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1000);
}

#[tokio::test]
async fn a_statement_holding_more_than_the_query_memory_limit_is_refused() {
    let t = start_with(|c| c.limits.set("max_query_memory", "64KiB").unwrap()).await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, body text)")
        .await
        .unwrap();
    for id in 0..10 {
        c.batch_execute(&format!("INSERT INTO t VALUES ({id}, repeat('x', 10000))"))
            .await
            .unwrap();
    }
    // The rows take ~100 KB. Returning them all, or sorting them, holds them all: refused,
    // with DSQL's out-of-memory error.
    for query in ["SELECT body FROM t", "SELECT id FROM t ORDER BY body, id"] {
        let err = c.query(query, &[]).await.unwrap_err();
        assert_error(
            &err,
            "53200",
            "query requires too much temp space, out of memory.",
        );
    }
    // Scans stream: counting or filtering them holds one batch at a time.
    let row = c.query_one("SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 10);
    let row = c
        .query_one(
            "SELECT count(*), max(length(body)) FROM t WHERE body LIKE 'x%'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i32>(1)), (10, 10000));
    let groups = c
        .query("SELECT id % 3, count(*) FROM t GROUP BY 1 ORDER BY 1", &[])
        .await
        .unwrap();
    let groups: Vec<(i32, i64)> = groups.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(groups, [(0, 4), (1, 3), (2, 3)]);
    let row = c
        .query_one("SELECT id FROM t WHERE body LIKE 'x%' LIMIT 1", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 0);
    let err = c
        .batch_execute("UPDATE t SET body = 'y'")
        .await
        .unwrap_err();
    assert_error(
        &err,
        "53200",
        "query requires too much temp space, out of memory.",
    );
    // Point reads and smaller ranges stay within the limit, and nothing was changed.
    let row = c
        .query_one("SELECT length(body) FROM t WHERE id = 3", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 10000);
    let rows = c
        .query(
            "SELECT id FROM t WHERE id < 5 AND body = repeat('x', 10000)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
}
