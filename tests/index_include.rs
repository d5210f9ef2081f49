//! Index-only reads over the PostgreSQL wire: an index with `INCLUDE` columns carries the
//! values of its key and INCLUDE columns in every entry, so a query that needs no other
//! column is answered from the index without reading rows. Answers must be exactly those of
//! a read of the rows, after every kind of write, and uniqueness must still hold.

mod common;

use common::{build_index, connect, message, script, sqlstate, start, start_with};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// Creates an index and waits for its build; returns whether it succeeded.
/// The rows of a query, every column a nullable bigint.
async fn rows(c: &Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Vec<Vec<Option<i64>>> {
    c.query(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
        .collect()
}

#[tokio::test]
async fn covered_queries_do_not_read_rows() {
    // With little query memory, reading 100 rows of 1 kB is refused; reading 100 index
    // entries is not.
    let t = start_with(|c| c.limits.set("max_query_memory", "64KiB").unwrap()).await;
    let c = connect(&t.server).await;
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, owner bigint, created bigint, note text)",
    )
    .await
    .unwrap();
    for chunk in 0..4 {
        let values: Vec<String> = (0..50)
            .map(|i| {
                let id = chunk * 50 + i;
                format!("({id}, {}, {}, repeat('x', 1000))", id % 2, id * 3)
            })
            .collect();
        c.batch_execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
            .await
            .unwrap();
    }
    let query = "SELECT id, created FROM t WHERE owner = 1";
    assert!(build_index(&c, "CREATE INDEX ASYNC t_owner ON t (owner)").await);
    let err = c.query(query, &[]).await.unwrap_err();
    assert_eq!(
        (sqlstate(&err).as_str(), message(&err).as_str()),
        (
            "53200",
            "query requires too much temp space, out of memory."
        )
    );
    c.batch_execute("DROP INDEX t_owner").await.unwrap();
    assert!(
        build_index(
            &c,
            "CREATE INDEX ASYNC t_owner_inc ON t (owner) INCLUDE (id, created)"
        )
        .await
    );
    let mut expected: Vec<Vec<Option<i64>>> = (0..200)
        .filter(|id| id % 2 == 1)
        .map(|id| vec![Some(id), Some(id * 3)])
        .collect();
    assert_eq!(rows(&c, query, &[]).await, expected);
    assert_eq!(
        rows(
            &c,
            "SELECT count(*), min(created), max(created) FROM t WHERE owner = 1 AND created > 300",
            &[]
        )
        .await,
        vec![vec![Some(50), Some(303), Some(597)]]
    );
    // A column the index does not hold needs the rows.
    let err = c
        .query("SELECT note FROM t WHERE owner = 1", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "53200");
    // Writes keep the carried values current.
    c.batch_execute("UPDATE t SET created = -1 WHERE id = 1; DELETE FROM t WHERE id = 3")
        .await
        .unwrap();
    expected.retain(|r| r[0] != Some(3));
    expected[0][1] = Some(-1);
    assert_eq!(rows(&c, query, &[]).await, expected);
}

/// Compares index-only answers with the same queries answered from the rows (`owner + 0`
/// keeps the index out).
async fn check_covered(c: &Client) {
    for owner in [0i64, 1, 2, 3] {
        for sql in [
            "SELECT owner, created, score FROM t WHERE owner = $1",
            "SELECT created, score FROM t WHERE owner = $1 AND created > 5 ORDER BY score, created",
            "SELECT score FROM t WHERE owner = $1 AND score IS NOT NULL ORDER BY score DESC",
            "SELECT count(*), min(score), max(created) FROM t WHERE owner = $1",
        ] {
            let forced = sql.replace("owner = $1", "owner + 0 = $1");
            let mut indexed = rows(c, sql, &[&owner]).await;
            let mut read = rows(c, &forced, &[&owner]).await;
            if !sql.contains("ORDER BY") {
                indexed.sort();
                read.sort();
            }
            assert_eq!(indexed, read, "{sql} with owner = {owner}");
        }
        // Ordered and index-only at once: equal `created` values come in row order.
        for limit in [1i64, 4, 100] {
            let sql =
                "SELECT created, score FROM t WHERE owner = $1 ORDER BY created DESC LIMIT $2";
            let forced = "SELECT created, score FROM t WHERE owner + 0 = $1 ORDER BY created + 0 DESC LIMIT $2";
            assert_eq!(
                rows(c, sql, &[&owner, &limit]).await,
                rows(c, forced, &[&owner, &limit]).await,
                "{sql} with owner = {owner}, limit {limit}"
            );
        }
    }
}

#[tokio::test]
async fn index_only_reads_answer_what_the_rows_answer_after_every_write() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, owner bigint, created bigint, score bigint, note text)",
    )
    .await
    .unwrap();
    let values: Vec<String> = (0..300)
        .map(|id| {
            let score = if id % 7 == 0 {
                "NULL".to_string()
            } else {
                ((id * 13) % 23).to_string()
            };
            format!("({id}, {}, {}, {score}, 'n')", id % 4, (id * 5) % 11)
        })
        .collect();
    c.batch_execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
        .await
        .unwrap();
    assert!(
        build_index(
            &c,
            "CREATE INDEX ASYNC t_owner_created ON t (owner, created) INCLUDE (score)"
        )
        .await
    );
    check_covered(&c).await;
    // Changing only an INCLUDE column, moving rows between keys, changing a primary key,
    // deleting: the entries follow, inside the transaction and after commit.
    c.batch_execute(
        "BEGIN;
         UPDATE t SET score = 1000 + id WHERE id % 10 = 1;
         UPDATE t SET owner = 3 WHERE id IN (4, 8, 12);
         UPDATE t SET id = id + 10000 WHERE id IN (5, 9);
         DELETE FROM t WHERE id IN (2, 6);
         INSERT INTO t VALUES (20000, 1, 4, 7, 'x'), (20001, 1, NULL, NULL, 'x');",
    )
    .await
    .unwrap();
    check_covered(&c).await;
    c.batch_execute("COMMIT").await.unwrap();
    check_covered(&c).await;
    let updated = rows(
        &c,
        "SELECT score FROM t WHERE owner = 1 AND created = 0 AND score IS NOT NULL ORDER BY score DESC LIMIT 1",
        &[],
    )
    .await;
    assert_eq!(
        updated,
        vec![vec![Some(1121)]],
        "the newest INCLUDE value is read"
    );
}

#[tokio::test]
async fn unique_indexes_with_include_columns_still_refuse_duplicates() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE u (id bigint PRIMARY KEY, email text, score bigint);
         INSERT INTO u VALUES (1, 'a', 10), (2, 'b', 20), (3, NULL, 30), (4, NULL, 40)",
    )
    .await
    .unwrap();
    assert!(
        build_index(
            &c,
            "CREATE UNIQUE INDEX ASYNC u_email ON u (email) INCLUDE (score)"
        )
        .await
    );
    let dup = c
        .execute("INSERT INTO u VALUES (5, 'a', 50)", &[])
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&dup).as_str(), message(&dup).as_str()),
        (
            "23505",
            "duplicate key value violates unique constraint \"u_email\""
        )
    );
    // A row's own entry with a new INCLUDE value is not a duplicate.
    c.batch_execute("UPDATE u SET score = score + 1; UPDATE u SET score = 99 WHERE email = 'a'")
        .await
        .unwrap();
    let moved = c
        .execute("UPDATE u SET email = 'b' WHERE id = 1", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&moved), "23505");
    c.batch_execute("UPDATE u SET email = NULL WHERE id = 1")
        .await
        .unwrap();
    let got: Vec<(Option<String>, i64)> = c
        .query("SELECT email, score FROM u WHERE email >= 'a'", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(got, vec![(Some("b".to_string()), 21)]);
    // A build over duplicates fails as before.
    c.batch_execute("INSERT INTO u VALUES (6, 'b', 60)")
        .await
        .unwrap_err();
    script(&c, "CREATE TABLE v (id bigint PRIMARY KEY, k bigint, s bigint); INSERT INTO v VALUES (1, 1, 1), (2, 1, 2)")
        .await
        .unwrap();
    assert!(!build_index(&c, "CREATE UNIQUE INDEX ASYNC v_k ON v (k) INCLUDE (s)").await);
}
