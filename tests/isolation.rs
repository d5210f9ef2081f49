//! Snapshot isolation with optimistic concurrency control, over the wire: each scenario from
//! DSQL's documented behaviour is its own test.

mod common;

use common::{connect, message, script, sqlstate, start};

const OC000: &str = "change conflicts with another transaction (OC000)";

async fn setup(c: &tokio_postgres::Client) {
    script(
        c,
        "CREATE TABLE kv (k int PRIMARY KEY, v int NOT NULL);
         INSERT INTO kv VALUES (1, 100), (2, 200);",
    )
    .await
    .unwrap();
}

async fn value(c: &tokio_postgres::Client, k: i32) -> i32 {
    c.query_one("SELECT v FROM kv WHERE k = $1", &[&k])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn lost_update_is_prevented() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN").await.unwrap();
    b.batch_execute("BEGIN").await.unwrap();
    let va = value(&a, 1).await;
    let vb = value(&b, 1).await;
    a.execute("UPDATE kv SET v = $1 WHERE k = 1", &[&(va + 1)])
        .await
        .unwrap();
    b.execute("UPDATE kv SET v = $1 WHERE k = 1", &[&(vb + 1)])
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    let err = b.batch_execute("COMMIT").await.unwrap_err();
    assert_eq!(sqlstate(&err), "40001");
    assert_eq!(message(&err), OC000);
    // The loser's transaction is over: the session is usable and the winner's write stands.
    assert_eq!(value(&b, 1).await, 101);
}

#[tokio::test]
async fn a_snapshot_never_sees_later_commits() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN").await.unwrap();
    assert_eq!(value(&a, 1).await, 100);
    b.batch_execute("UPDATE kv SET v = 999 WHERE k = 1; INSERT INTO kv VALUES (3, 300)")
        .await
        .unwrap();
    assert_eq!(value(&a, 1).await, 100);
    let count: i64 = a
        .query_one("SELECT count(*) FROM kv", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 2);
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(value(&a, 1).await, 999);
}

#[tokio::test]
async fn a_transaction_reads_its_own_writes() {
    let t = start().await;
    let a = connect(&t.server).await;
    setup(&a).await;
    a.batch_execute("BEGIN; UPDATE kv SET v = v + 1 WHERE k = 1; INSERT INTO kv VALUES (5, 500); DELETE FROM kv WHERE k = 2")
        .await
        .unwrap();
    assert_eq!(value(&a, 1).await, 101);
    let rows: Vec<(i32, i32)> = a
        .query("SELECT k, v FROM kv ORDER BY k", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, vec![(1, 101), (5, 500)]);
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(value(&a, 1).await, 100);
}

#[tokio::test]
async fn write_skew_is_allowed() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN").await.unwrap();
    b.batch_execute("BEGIN").await.unwrap();
    // Each reads both rows, then writes the other's row: snapshot isolation lets both commit.
    let sum_a: i64 = a
        .query_one("SELECT sum(v) FROM kv", &[])
        .await
        .unwrap()
        .get(0);
    let sum_b: i64 = b
        .query_one("SELECT sum(v) FROM kv", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!((sum_a, sum_b), (300, 300));
    a.batch_execute("UPDATE kv SET v = v - 300 WHERE k = 1")
        .await
        .unwrap();
    b.batch_execute("UPDATE kv SET v = v - 300 WHERE k = 2")
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    b.batch_execute("COMMIT").await.unwrap();
    let sum: i64 = a
        .query_one("SELECT sum(v) FROM kv", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, -300);
}

#[tokio::test]
async fn a_read_only_transaction_never_fails_at_commit() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN").await.unwrap();
    assert_eq!(value(&a, 1).await, 100);
    b.batch_execute("UPDATE kv SET v = 1 WHERE k = 1; UPDATE kv SET v = 2 WHERE k = 2")
        .await
        .unwrap();
    assert_eq!(value(&a, 2).await, 200);
    a.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test]
async fn concurrent_inserts_of_one_key_leave_one_row() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN; INSERT INTO kv VALUES (7, 1)")
        .await
        .unwrap();
    b.batch_execute("BEGIN; INSERT INTO kv VALUES (7, 2)")
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    let err = b.batch_execute("COMMIT").await.unwrap_err();
    assert!(
        ["40001", "23505"].contains(&sqlstate(&err).as_str()),
        "{err}"
    );
    let rows = a.query("SELECT v FROM kv WHERE k = 7", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, i32>(0), 1);
    // A later insert of the same key sees the committed row: duplicate key.
    let err = b
        .batch_execute("INSERT INTO kv VALUES (7, 3)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "23505");
}

#[tokio::test]
async fn an_acknowledged_commit_is_visible_to_later_transactions_of_other_clients() {
    let t = start().await;
    let a = connect(&t.server).await;
    setup(&a).await;
    let b = connect(&t.server).await;
    for i in 0..50 {
        a.execute("UPDATE kv SET v = $1 WHERE k = 1", &[&i])
            .await
            .unwrap();
        assert_eq!(
            value(&b, 1).await,
            i,
            "commit {i} acknowledged to a, then read by b"
        );
    }
}

#[tokio::test]
async fn errors_abort_the_block_until_rollback() {
    let t = start().await;
    let a = connect(&t.server).await;
    setup(&a).await;
    a.batch_execute("BEGIN; UPDATE kv SET v = 0 WHERE k = 1")
        .await
        .unwrap();
    assert_eq!(
        sqlstate(&a.batch_execute("SELECT nope FROM kv").await.unwrap_err()),
        "42703"
    );
    assert_eq!(
        sqlstate(&a.batch_execute("SELECT 1").await.unwrap_err()),
        "25P02"
    );
    // COMMIT of a failed block rolls back.
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(value(&a, 1).await, 100);
}

async fn doctors(c: &tokio_postgres::Client) {
    script(
        c,
        "CREATE TABLE doctors (id int PRIMARY KEY, name text NOT NULL, on_call boolean NOT NULL);
         INSERT INTO doctors VALUES (1, 'alice', true), (2, 'bob', true);",
    )
    .await
    .unwrap();
}

async fn on_call(c: &tokio_postgres::Client) -> i64 {
    c.query_one("SELECT count(*) FROM doctors WHERE on_call", &[])
        .await
        .unwrap()
        .get(0)
}

/// Each doctor checks that the other is still on call, then goes off call. `lock` says
/// whether the check reads the other's row FOR UPDATE.
async fn both_go_off_call(
    a: &tokio_postgres::Client,
    b: &tokio_postgres::Client,
    lock: bool,
) -> Result<(), tokio_postgres::Error> {
    let suffix = if lock { " FOR UPDATE" } else { "" };
    a.batch_execute("BEGIN").await.unwrap();
    b.batch_execute("BEGIN").await.unwrap();
    let bob_on_call: bool = a
        .query_one(
            &format!("SELECT on_call FROM doctors WHERE id = 2{suffix}"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let alice_on_call: bool = b
        .query_one(
            &format!("SELECT on_call FROM doctors WHERE id = 1{suffix}"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(bob_on_call && alice_on_call);
    a.batch_execute("UPDATE doctors SET on_call = false WHERE id = 1")
        .await
        .unwrap();
    b.batch_execute("UPDATE doctors SET on_call = false WHERE id = 2")
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    b.batch_execute("COMMIT").await
}

#[tokio::test]
async fn write_skew_commits_both_doctors_without_for_update() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    doctors(&a).await;
    both_go_off_call(&a, &b, false).await.unwrap();
    assert_eq!(on_call(&a).await, 0, "snapshot isolation allowed the skew");
}

#[tokio::test]
async fn for_update_turns_write_skew_into_a_conflict() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    doctors(&a).await;
    let err = both_go_off_call(&a, &b, true).await.unwrap_err();
    assert_eq!(sqlstate(&err), "40001");
    assert_eq!(message(&err), OC000);
    assert_eq!(on_call(&a).await, 1, "one doctor stays on call");
    // The retry sees alice off call and keeps bob on call.
    let alice: bool = b
        .query_one("SELECT on_call FROM doctors WHERE id = 1 FOR UPDATE", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!alice);
}

#[tokio::test]
async fn a_transaction_that_only_locked_never_conflicts() {
    let t = start().await;
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    setup(&a).await;
    a.batch_execute("BEGIN").await.unwrap();
    let v: i32 = a
        .query_one("SELECT v FROM kv WHERE k = 1 FOR UPDATE NOWAIT", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 100);
    b.batch_execute("UPDATE kv SET v = 5 WHERE k = 1")
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test]
async fn for_update_needs_key_equality_on_a_single_table() {
    let t = start().await;
    let a = connect(&t.server).await;
    setup(&a).await;
    const KEY: &str = "locking clause such as FOR UPDATE can be applied only on tables with equality predicates on the key";
    const SINGLE: &str = "locking clause such as FOR UPDATE can be applied on a single table";
    for (sql, code, text) in [
        ("SELECT * FROM kv FOR UPDATE", "0A000", KEY),
        ("SELECT * FROM kv WHERE v = 100 FOR UPDATE", "0A000", KEY),
        ("SELECT * FROM kv WHERE k > 1 FOR UPDATE", "0A000", KEY),
        (
            "SELECT * FROM kv WHERE k = 1 OR k = 2 FOR UPDATE",
            "0A000",
            KEY,
        ),
        (
            "SELECT * FROM kv a, kv b WHERE a.k = 1 AND b.k = 1 FOR UPDATE",
            "0A000",
            SINGLE,
        ),
        (
            "SELECT * FROM kv a JOIN kv b ON a.k = b.k WHERE a.k = 1 FOR UPDATE",
            "0A000",
            SINGLE,
        ),
        (
            "SELECT * FROM kv WHERE k = 1 FOR SHARE",
            "0A000",
            "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
        ),
        (
            "SELECT * FROM kv WHERE k = 1 FOR UPDATE SKIP LOCKED",
            "0A000",
            "locking clause option SKIP LOCKED is not supported",
        ),
        (
            "SELECT count(*) FROM kv WHERE k = 1 FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with aggregate functions",
        ),
        (
            "SELECT * FROM kv WHERE k = 1 FOR UPDATE OF other",
            "42P01",
            "relation \"other\" in FOR UPDATE clause not found in FROM clause",
        ),
        (
            "SELECT rank() OVER (ORDER BY v) FROM kv WHERE k = 1 FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with window functions",
        ),
        (
            "SELECT generate_series(1, 2) FROM kv WHERE k = 1 FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with set-returning functions in the target list",
        ),
        // The rules hold in subqueries and WITH queries too.
        (
            "SELECT * FROM kv WHERE k IN (SELECT k FROM kv WHERE v = 1 FOR UPDATE)",
            "0A000",
            KEY,
        ),
        (
            "WITH l AS (SELECT * FROM kv a JOIN kv b USING (k) WHERE k = 1 FOR UPDATE) SELECT * FROM l",
            "0A000",
            SINGLE,
        ),
        // A WITH query nobody reads is checked too, nested queries in it included.
        (
            "WITH unused AS (SELECT * FROM kv WHERE k = 1 FOR SHARE) SELECT 1",
            "0A000",
            "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
        ),
        (
            "WITH unused AS (SELECT (SELECT v FROM kv WHERE v = 1 FOR UPDATE SKIP LOCKED)) SELECT 1",
            "0A000",
            "locking clause option SKIP LOCKED is not supported",
        ),
        // So is a subquery that constant folding removes from the plan.
        (
            "SELECT 1 WHERE false AND EXISTS (SELECT 1 FROM kv WHERE k = 1 FOR SHARE)",
            "0A000",
            "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
        ),
        (
            "SELECT * FROM (SELECT * FROM kv a JOIN kv b USING (k) WHERE k = 1 FOR UPDATE) d",
            "0A000",
            SINGLE,
        ),
        (
            "SELECT k FROM kv WHERE k = 1 UNION SELECT k FROM kv WHERE k = 2 FOR UPDATE",
            "0A000",
            "FOR UPDATE is not allowed with UNION/INTERSECT/EXCEPT",
        ),
    ] {
        let err = a.batch_execute(sql).await.unwrap_err();
        assert_eq!(
            (sqlstate(&err).as_str(), message(&err).as_str()),
            (code, text),
            "{sql}"
        );
    }
    // The accepted forms: full key equality, with extra conditions, an alias, OF the table.
    for sql in [
        "SELECT * FROM kv WHERE k = 1 FOR UPDATE",
        "SELECT v FROM kv WHERE k = 1 AND v > 0 FOR UPDATE",
        "SELECT x.v FROM kv x WHERE x.k = 2 FOR UPDATE OF x",
        // A subquery in the WHERE clause leaves the point read of the locked table alone.
        "SELECT v FROM kv WHERE k = 1 AND EXISTS (SELECT 1 FROM kv o WHERE o.v = kv.v) FOR UPDATE",
        "SELECT v FROM kv WHERE k = (SELECT k FROM kv WHERE k = 1 FOR UPDATE)",
    ] {
        assert_eq!(a.query(sql, &[]).await.unwrap().len(), 1, "{sql}");
    }
}
