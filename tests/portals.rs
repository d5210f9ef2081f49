//! Portals in the extended protocol, as PostgreSQL keeps them: an Execute with a row limit
//! sends that many rows and PortalSuspended, the next Execute continues, the last one ends
//! with CommandComplete; a portal dies with its transaction (34000 afterwards); command
//! tags are PostgreSQL's (`SELECT n`, but `SHOW` without a count).

mod common;

use common::wire::{bind, engine, exchange, execute, parse, query, serve_one, session, sync};

fn lines(want: &[&str]) -> Vec<String> {
    want.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_with_a_row_limit_suspends_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    exchange(&mut s, &[query("CREATE TABLE t (id int PRIMARY KEY)")]).await;
    exchange(
        &mut s,
        &[query("INSERT INTO t VALUES (1), (2), (3), (4), (5)")],
    )
    .await;
    exchange(&mut s, &[query("BEGIN")]).await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("s", "SELECT id FROM t ORDER BY id"),
                bind("p", "s"),
                execute("p", 2),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "D 2", "s", "Z T"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("p", 2), sync()]).await,
        lines(&["D 3", "D 4", "s", "Z T"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("p", 2), sync()]).await,
        lines(&["D 5", "C SELECT 1", "Z T"])
    );
    // A finished portal executes again without rows.
    assert_eq!(
        exchange(&mut s, &[execute("p", 0), sync()]).await,
        lines(&["C SELECT 0", "Z T"])
    );
    // Two portals of one statement run independently in one block.
    assert_eq!(
        exchange(
            &mut s,
            &[
                bind("a", "s"),
                bind("b", "s"),
                execute("a", 1),
                execute("b", 3),
                execute("a", 0),
                sync()
            ]
        )
        .await,
        lines(&[
            "D 1",
            "s",
            "D 1",
            "D 2",
            "D 3",
            "s",
            "D 2",
            "D 3",
            "D 4",
            "D 5",
            "C SELECT 4",
            "Z T"
        ])
    );
    // The block ends, and its portals with it.
    assert_eq!(
        exchange(&mut s, &[query("COMMIT")]).await,
        lines(&["C COMMIT", "Z I"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("b", 1), sync()]).await,
        lines(&["E 34000 portal \"b\" does not exist", "Z I"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_outside_a_block_ends_with_the_implicit_transaction_at_sync() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    exchange(&mut s, &[query("CREATE TABLE t (id int PRIMARY KEY)")]).await;
    exchange(&mut s, &[query("INSERT INTO t VALUES (1), (2), (3)")]).await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("s", "SELECT id FROM t ORDER BY id"),
                bind("q", "s"),
                execute("q", 1),
                execute("q", 1),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "s", "D 2", "s", "Z I"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("q", 1), sync()]).await,
        lines(&["E 34000 portal \"q\" does not exist", "Z I"])
    );
    // The prepared statement outlives the portal.
    assert_eq!(
        exchange(&mut s, &[bind("", "s"), execute("", 0), sync()]).await,
        lines(&["D 1", "D 2", "D 3", "C SELECT 3", "Z I"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_command_tags_are_postgresqls() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "SHOW search_path"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["D \"$user\", public", "C SHOW", "Z I"])
    );
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "CREATE TABLE u (id int PRIMARY KEY)"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["C CREATE TABLE", "Z I"])
    );
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "INSERT INTO u VALUES (1), (2) RETURNING id"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "D 2", "C INSERT 0 2", "Z I"])
    );
}

/// A portal fetched a few rows at a time reads its query as the rows are taken, so it holds
/// one batch, not the whole result (tokio-postgres's `query_portal`, as JDBC's fetch size
/// and asyncpg's cursors use it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_fetched_in_parts_streams_past_the_query_memory_limit() {
    let t = common::start_with(|c| c.limits.set("max_query_memory", "64KiB").unwrap()).await;
    let mut c = common::connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, body text)")
        .await
        .unwrap();
    for id in 0..20 {
        c.batch_execute(&format!("INSERT INTO t VALUES ({id}, repeat('x', 10000))"))
            .await
            .unwrap();
    }
    // All of it at once (200 kB) is over the limit.
    let err = c.query("SELECT id, body FROM t", &[]).await.unwrap_err();
    assert_eq!(common::sqlstate(&err), "53200");
    // Three rows at a time, it all comes, in key order; OFFSET and LIMIT still apply.
    let txn = c.transaction().await.unwrap();
    for (sql, want) in [
        ("SELECT id, body FROM t", (0..20).collect::<Vec<i32>>()),
        (
            "SELECT id, body FROM t WHERE id % 2 = 0 OFFSET 2 LIMIT 5",
            vec![4, 6, 8, 10, 12],
        ),
    ] {
        let portal = txn.bind(sql, &[]).await.unwrap();
        let mut ids = Vec::new();
        loop {
            let rows = txn.query_portal(&portal, 3).await.unwrap();
            assert!(rows.len() <= 3);
            if rows.is_empty() {
                break;
            }
            for row in rows {
                assert_eq!(row.get::<_, String>(1).len(), 10000);
                ids.push(row.get::<_, i32>(0));
            }
        }
        assert_eq!(ids, want, "{sql}");
    }
    // A query that must see every row before its first (a sort) is still held whole.
    let portal = txn
        .bind("SELECT id FROM t ORDER BY body, id", &[])
        .await
        .unwrap();
    let err = txn.query_portal(&portal, 3).await.unwrap_err();
    assert_eq!(common::sqlstate(&err), "53200");
}

/// As in PostgreSQL (checked with a cursor in PostgreSQL 15), a portal reads the snapshot and
/// the transaction's own writes as they were when it started: what the transaction writes
/// while the portal is open does not show in its later rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_reads_its_transaction_as_it_was_when_the_portal_started() {
    let t = common::start().await;
    let mut c = common::connect(&t.server).await;
    c.batch_execute("CREATE TABLE pt (id int PRIMARY KEY, v int)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO pt VALUES (1, 1), (2, 2), (3, 3), (4, 4)")
        .await
        .unwrap();
    let txn = c.transaction().await.unwrap();
    txn.batch_execute("UPDATE pt SET v = 20 WHERE id = 2")
        .await
        .unwrap();
    let portal = txn.bind("SELECT id, v FROM pt", &[]).await.unwrap();
    let pairs = |rows: Vec<tokio_postgres::Row>| -> Vec<(i32, i32)> {
        rows.iter().map(|r| (r.get(0), r.get(1))).collect()
    };
    assert_eq!(
        pairs(txn.query_portal(&portal, 2).await.unwrap()),
        [(1, 1), (2, 20)]
    );
    txn.batch_execute(
        "INSERT INTO pt VALUES (5, 5);
         UPDATE pt SET v = 30 WHERE id = 3;
         DELETE FROM pt WHERE id = 4",
    )
    .await
    .unwrap();
    assert_eq!(
        pairs(txn.query_portal(&portal, 0).await.unwrap()),
        [(3, 3), (4, 4)]
    );
    // The transaction itself sees its writes.
    let now = txn
        .query("SELECT id, v FROM pt ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(pairs(now), [(1, 1), (2, 20), (3, 30), (5, 5)]);
    txn.commit().await.unwrap();
}

/// An error on a row a later Execute reaches fails the transaction then, as an error of the
/// statement would; a portal left unfinished ends with its transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_portal_fails_its_transaction_on_a_later_row() {
    let t = common::start().await;
    let mut c = common::connect(&t.server).await;
    c.batch_execute("CREATE TABLE n (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO n SELECT g FROM generate_series(1, 100) g")
        .await
        .unwrap();
    let txn = c.transaction().await.unwrap();
    let portal = txn
        .bind("SELECT 100 / (id - 50) FROM n", &[])
        .await
        .unwrap();
    assert_eq!(txn.query_portal(&portal, 10).await.unwrap().len(), 10);
    let mut fetched = 10;
    let err = loop {
        match txn.query_portal(&portal, 10).await {
            Ok(rows) => {
                assert!(!rows.is_empty(), "the division by zero never came");
                fetched += rows.len();
            }
            Err(e) => break e,
        }
    };
    assert_eq!(common::sqlstate(&err), "22012");
    assert!(fetched < 50, "{fetched} rows before the 50th");
    let err = txn.query("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(common::sqlstate(&err), "25P02");
    txn.rollback().await.unwrap();
    // A portal abandoned half-way goes with its transaction; the session goes on.
    let txn = c.transaction().await.unwrap();
    let portal = txn.bind("SELECT id FROM n", &[]).await.unwrap();
    assert_eq!(txn.query_portal(&portal, 5).await.unwrap().len(), 5);
    txn.commit().await.unwrap();
    let row = c.query_one("SELECT count(*) FROM n", &[]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 100);
}
