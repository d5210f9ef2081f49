//! Ordered index reads over the PostgreSQL wire: a query whose ORDER BY matches the key
//! columns of a valid index (after its equality prefix) reads the index in key order and
//! stops after LIMIT + OFFSET rows. Every answer must be exactly the one a sort gives (forced
//! here with `ORDER BY col + 0`), ties, NULLs, OFFSET and the transaction's own writes
//! included.

mod common;

use common::{connect, script, sqlstate, start, start_with};
use tokio_postgres::Client;
use tokio_postgres::types::ToSql;

/// Creates an index and waits for its build to finish.
async fn build_index(c: &Client, sql: &str) {
    assert!(common::build_index(c, sql).await, "{sql} builds");
}

/// The rows of a query as `(id, owner, created)`.
async fn rows(
    c: &Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Vec<(i64, Option<i64>, Option<i64>)> {
    c.query(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

/// `t (id, owner, created, note)` with `n` rows full of duplicates and NULLs.
async fn setup(c: &Client, n: i64) {
    c.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, owner bigint, created bigint, note text)",
    )
    .await
    .unwrap();
    let values: Vec<String> = (0..n)
        .map(|id| {
            // Ids are inserted out of order so that primary key order and insertion order
            // differ; `created` repeats and is NULL for one row in eleven.
            let id = (id * 7919) % n;
            let owner = if id % 13 == 0 {
                "NULL".to_string()
            } else {
                (id % 5).to_string()
            };
            let created = if id % 11 == 0 {
                "NULL".to_string()
            } else {
                ((id * 31) % 17).to_string()
            };
            format!("({id}, {owner}, {created}, 'n{}')", id % 3)
        })
        .collect();
    c.batch_execute(&format!(
        "INSERT INTO t (id, owner, created, note) VALUES {}",
        values.join(", ")
    ))
    .await
    .unwrap();
}

/// Checks a query against the same query with its ORDER BY columns turned into expressions
/// (`created` → `created + 0`), which forces a sort.
async fn same_as_sort(c: &Client, sql: &str, params: &[&(dyn ToSql + Sync)]) -> usize {
    let (head, tail) = sql.split_once("ORDER BY").expect("an ORDER BY");
    let forced = format!(
        "{head}ORDER BY{}",
        tail.replace("created", "created + 0")
            .replace("owner", "owner + 0")
    );
    let indexed = rows(c, sql, params).await;
    let sorted = rows(c, &forced, params).await;
    assert_eq!(indexed, sorted, "{sql}");
    indexed.len()
}

/// Every shape of ordered read, over the data `setup` made plus whatever the caller wrote.
async fn check_all_orders(c: &Client) {
    let base = "SELECT id, owner, created FROM t";
    for dir in [
        "",
        " ASC",
        " DESC",
        " DESC NULLS FIRST",
        " NULLS LAST",
        " NULLS FIRST",
        " DESC NULLS LAST",
    ] {
        for (limit, offset) in [(1, 0), (5, 0), (5, 3), (40, 0), (40, 100), (1000, 0)] {
            let n = same_as_sort(
                c,
                &format!("{base} ORDER BY created{dir} LIMIT {limit} OFFSET {offset}"),
                &[],
            )
            .await;
            assert!(n > 0, "ORDER BY created{dir} LIMIT {limit} OFFSET {offset}");
            same_as_sort(
                c,
                &format!("{base} ORDER BY owner{dir}, created{dir} LIMIT {limit} OFFSET {offset}"),
                &[],
            )
            .await;
        }
        for owner in [0i64, 3, 4, 9] {
            for limit in [1i64, 3, 10, 500] {
                same_as_sort(
                    c,
                    &format!("{base} WHERE owner = $1 ORDER BY created{dir} LIMIT $2"),
                    &[&owner, &limit],
                )
                .await;
                // The equality column in the ORDER BY too, a range on the ordered column,
                // and a filter the index cannot use.
                same_as_sort(
                    c,
                    &format!(
                        "{base} WHERE owner = $1 ORDER BY owner{dir}, created{dir} LIMIT $2 OFFSET 2"
                    ),
                    &[&owner, &limit],
                )
                .await;
                same_as_sort(
                    c,
                    &format!(
                        "{base} WHERE owner = $1 AND created >= 4 AND created < 12 ORDER BY created{dir} LIMIT $2"
                    ),
                    &[&owner, &limit],
                )
                .await;
                same_as_sort(
                    c,
                    &format!(
                        "{base} WHERE note <> 'n1' AND owner = $1 ORDER BY created{dir} LIMIT $2"
                    ),
                    &[&owner, &limit],
                )
                .await;
            }
        }
        // No LIMIT through an equality prefix; a range without a prefix.
        same_as_sort(
            c,
            &format!("{base} WHERE owner = 2 ORDER BY created{dir}"),
            &[],
        )
        .await;
        same_as_sort(
            c,
            &format!("{base} WHERE created > 10 ORDER BY created{dir} LIMIT 25"),
            &[],
        )
        .await;
    }
    // DISTINCT keeps the first row of each value, in order.
    let distinct: Vec<Option<i64>> = c
        .query(
            "SELECT DISTINCT created FROM t ORDER BY created DESC LIMIT 4",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let forced: Vec<Option<i64>> = c
        .query(
            "SELECT DISTINCT created FROM t ORDER BY created + 0 DESC LIMIT 4",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(distinct, forced);
    assert_eq!(distinct[0], None, "DESC puts NULLs first");
}

#[tokio::test]
async fn ordered_index_reads_answer_exactly_what_a_sort_answers() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c, 600).await;
    build_index(
        &c,
        "CREATE INDEX ASYNC t_owner_created ON t (owner, created)",
    )
    .await;
    build_index(&c, "CREATE INDEX ASYNC t_created ON t (created)").await;
    check_all_orders(&c).await;

    // The transaction's own writes (new rows, moved and deleted entries) are read in index
    // order too, before and after commit.
    c.batch_execute(
        "BEGIN;
         INSERT INTO t (id, owner, created) VALUES
             (5000, 3, 8), (5001, 3, NULL), (5002, NULL, 0), (5003, 3, -1), (5004, 1, 99);
         UPDATE t SET created = 8 WHERE id IN (1, 2, 3, 4, 5);
         UPDATE t SET owner = 3 WHERE id IN (6, 7);
         UPDATE t SET created = NULL WHERE id = 10;
         DELETE FROM t WHERE id IN (12, 14, 16, 18);",
    )
    .await
    .unwrap();
    check_all_orders(&c).await;
    let first: Vec<i64> = c
        .query(
            "SELECT id FROM t WHERE owner = 3 ORDER BY created LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        first,
        vec![5003],
        "an uncommitted row is read in index order"
    );
    c.batch_execute("COMMIT").await.unwrap();
    check_all_orders(&c).await;
}

#[tokio::test]
async fn nulls_come_last_ascending_and_first_descending_whatever_the_index_direction() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(&c,
        "CREATE TABLE t (id bigint PRIMARY KEY, owner bigint, created bigint);
         INSERT INTO t VALUES (1, 1, 3), (2, 1, NULL), (3, 1, 1), (4, 1, 3), (5, 1, NULL), (6, 1, 2)",
    )
    .await
    .unwrap();
    build_index(
        &c,
        "CREATE INDEX ASYNC t_created ON t (created DESC NULLS LAST)",
    )
    .await;
    let ids = |r: Vec<(i64, Option<i64>, Option<i64>)>| r.iter().map(|r| r.0).collect::<Vec<_>>();
    let q = |dir: &str| format!("SELECT id, owner, created FROM t ORDER BY created{dir} LIMIT 10");
    assert_eq!(ids(rows(&c, &q(""), &[]).await), [3, 6, 1, 4, 2, 5]);
    assert_eq!(ids(rows(&c, &q(" DESC"), &[]).await), [2, 5, 1, 4, 6, 3]);
    // Orders the index cannot give are sorted.
    assert_eq!(
        ids(rows(&c, &q(" DESC NULLS LAST"), &[]).await),
        [1, 4, 6, 3, 2, 5]
    );
    assert_eq!(
        ids(rows(&c, &q(" NULLS FIRST"), &[]).await),
        [2, 5, 3, 6, 1, 4]
    );
    assert_eq!(
        ids(rows(&c, &format!("{} OFFSET 4", q(" DESC")), &[]).await),
        [6, 3]
    );
    assert_eq!(
        ids(rows(
            &c,
            "SELECT id, owner, created FROM t WHERE created < 3 ORDER BY created DESC LIMIT 1",
            &[]
        )
        .await),
        [6]
    );
}

#[tokio::test]
async fn an_ordered_limit_keeps_only_its_rows() {
    // With little query memory, keeping every row to sort it is refused, while a LIMIT keeps
    // only the rows that may be among the first: sorted on the fly (a top-N sort), or read
    // first in index order.
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
                format!("({id}, {}, {}, repeat('x', 1000))", id % 2, (id * 37) % 200)
            })
            .collect();
        c.batch_execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
            .await
            .unwrap();
    }
    let forced = c
        .query("SELECT note FROM t ORDER BY created + 0 DESC", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&forced), "53200");
    let top_n: Vec<(i64, i64)> = c
        .query(
            "SELECT id, created FROM t ORDER BY created + 0 DESC, id LIMIT 3",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    build_index(
        &c,
        "CREATE INDEX ASYNC t_owner_created ON t (owner, created)",
    )
    .await;
    build_index(&c, "CREATE INDEX ASYNC t_created ON t (created)").await;
    let top: Vec<(i64, i64)> = c
        .query(
            "SELECT id, created FROM t ORDER BY created DESC LIMIT 3",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected: Vec<(i64, i64)> = {
        let mut all: Vec<(i64, i64)> = (0..200).map(|id| (id, (id * 37) % 200)).collect();
        all.sort_by_key(|&(id, created)| (std::cmp::Reverse(created), id));
        all.truncate(3);
        all
    };
    assert_eq!(top, expected);
    assert_eq!(top_n, expected);
    let owned: Vec<i64> = c
        .query(
            "SELECT created FROM t WHERE owner = 1 ORDER BY created LIMIT 4 OFFSET 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut expected: Vec<i64> = (0..200)
        .filter(|id| id % 2 == 1)
        .map(|id| (id * 37) % 200)
        .collect();
    expected.sort();
    assert_eq!(owned, expected[1..5]);
}
