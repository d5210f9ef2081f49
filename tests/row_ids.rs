//! Hidden row ids (tables without a primary key) are never handed out twice: not after a
//! restart, not by two query processors over one cluster; and an INSERT whose hidden id is
//! somehow taken fails instead of overwriting the row there.

mod common;

use common::{Binary, connect, message, sqlstate, start};
use qp::exec::RowIds;
use qp::exec::row_ids::FIRST_ROW_ID;
use std::collections::BTreeSet;

/// One INSERT of `n` rows numbered from `first`.
fn insert_sql(first: i64, n: i64) -> String {
    let values: Vec<String> = (first..first + n).map(|i| format!("({i})")).collect();
    format!("INSERT INTO heap VALUES {}", values.join(", "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_inserted_after_a_restart_never_replace_rows_inserted_before() {
    let dir = tempfile::tempdir().unwrap();
    const ROUNDS: i64 = 3;
    const ROWS: i64 = 1500;
    for round in 0..ROUNDS {
        let server = Binary::start(dir.path());
        let client = server.connect().await.expect("connect");
        if round == 0 {
            client
                .batch_execute("CREATE TABLE heap (n bigint NOT NULL)")
                .await
                .unwrap();
        }
        // Bulk inserts right before the kill: with ids taken from the clock these ran ahead
        // of it, and the restarted server handed the same ids out again.
        client
            .batch_execute(&insert_sql(round * ROWS, ROWS))
            .await
            .unwrap();
        server.kill9();
    }
    let server = Binary::start(dir.path());
    let client = server.connect().await.unwrap();
    let row = client
        .query_one("SELECT count(*), count(DISTINCT n) FROM heap", &[])
        .await
        .unwrap();
    let (total, distinct): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(
        (total, distinct),
        (ROUNDS * ROWS, ROUNDS * ROWS),
        "every row inserted before every restart is still there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_query_processors_never_hand_out_the_same_row_id() {
    let t = start().await;
    // Two allocators over one cluster, as two QPs of a cluster have, drawing concurrently
    // (each reservation is a commit racing the other's), then a third one that stands for
    // the first QP restarted.
    let a = RowIds::new(t.server.cluster());
    let b = RowIds::new(t.server.cluster());
    let (from_a, from_b) = tokio::join!(draw(&a, 3000), draw(&b, 3000));
    drop(a);
    let restarted = RowIds::new(t.server.cluster());
    let from_restarted = draw(&restarted, 100).await;
    let all: Vec<i64> = [from_a, from_b, from_restarted].concat();
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "no id was handed out twice");
    assert!(all.iter().all(|&id| id >= FIRST_ROW_ID));
}

/// Takes `n` ids from `ids`.
async fn draw(ids: &RowIds, n: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(ids.next().await.expect("row id"));
    }
    out
}

#[tokio::test]
async fn an_insert_whose_hidden_row_id_is_taken_fails_instead_of_overwriting() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE heap (v text)").await.unwrap();
    c.batch_execute("INSERT INTO heap VALUES ('first')")
        .await
        .unwrap();

    // The first user table has id 1000 and its first row took the first id. Plant a row where
    // the allocator goes next, as a bug (or data written around the allocator) would.
    let mut key = qp::types::keycode::table_prefix(qp::catalog::FIRST_USER_TABLE_ID);
    qp::types::keycode::encode_i64(FIRST_ROW_ID + 1, &mut key);
    let planted = qp::catalog::TableDef::encode_row(&[qp::types::Value::Text("planted".into())]);
    let adjudicator = t.server.adjudicator();
    let read_ts = adjudicator.read_ts().await.unwrap();
    adjudicator
        .commit(proto::adjudicator::CommitRequest {
            read_ts,
            writes: vec![proto::Write {
                key,
                value: Some(planted),
            }],
            locked: vec![],
            unchanged: vec![],
        })
        .await
        .unwrap();

    let err = c
        .batch_execute("INSERT INTO heap VALUES ('second')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "XX000");
    assert_eq!(
        message(&err),
        format!(
            "hidden row id {} of table \"heap\" is already in use; the row was not written",
            FIRST_ROW_ID + 1
        )
    );
    let values =
        |rows: Vec<tokio_postgres::Row>| -> Vec<String> { rows.iter().map(|r| r.get(0)).collect() };
    let rows = c.query("SELECT v FROM heap ORDER BY v", &[]).await.unwrap();
    assert_eq!(
        values(rows),
        ["first", "planted"],
        "nothing was overwritten"
    );

    // The next id is free again.
    c.batch_execute("INSERT INTO heap VALUES ('third')")
        .await
        .unwrap();
    let rows = c.query("SELECT v FROM heap ORDER BY v", &[]).await.unwrap();
    assert_eq!(values(rows), ["first", "planted", "third"]);
}
