//! The relational engine over the wire: every join method gives the rows the others give,
//! prepared statements with joins and subqueries plan once and run with new parameters, a
//! transaction's own writes are seen by every part of a query, a runaway recursive CTE
//! stops at the query memory limit, and a LIMIT stops a join early.

mod common;

use common::{connect, script, sqlstate, start, start_with};
use tokio_postgres::Client;

/// Rows as text, sorted (results are compared as multisets).
async fn rows(c: &Client, sql: &str) -> Vec<String> {
    let mut out = ordered_rows(c, sql).await;
    out.sort();
    out
}

/// Rows as text in the order the server sent them.
async fn ordered_rows(c: &Client, sql: &str) -> Vec<String> {
    c.simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("NULL").to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        })
        .collect()
}

/// `a (id, k, v)` and `b (k, w)` keyed on `b.k` with an index on `a.k`, full of duplicates,
/// NULLs and keys on one side only.
async fn setup(c: &Client) {
    script(
        c,
        "CREATE TABLE a (id int PRIMARY KEY, k int, v text); \
         CREATE TABLE b (k int PRIMARY KEY, w int)",
    )
    .await
    .unwrap();
    let a: Vec<String> = (0..60)
        .map(|i| {
            let k = if i % 7 == 0 {
                "NULL".to_string()
            } else {
                (i % 23).to_string()
            };
            format!("({i}, {k}, 'v{}')", i % 5)
        })
        .collect();
    let b: Vec<String> = (5..40)
        .step_by(2)
        .map(|k| format!("({k}, {})", k % 4))
        .collect();
    script(
        c,
        &format!(
            "INSERT INTO a VALUES {}; INSERT INTO b VALUES {}",
            a.join(", "),
            b.join(", ")
        ),
    )
    .await
    .unwrap();
    assert!(common::build_index(c, "CREATE INDEX ASYNC a_k ON a (k)").await);
}

#[tokio::test]
async fn every_join_method_gives_the_same_rows() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    // The same equality written so that the planner picks a key lookup (`b.k = a.k`), a hash
    // join (`b.k + 0 = a.k + 0`: no key bounds it) and a nested loop (no equality at all).
    let conditions = [
        ("lookup", "b.k = a.k"),
        ("hash", "b.k + 0 = a.k + 0"),
        ("nested loop", "NOT (b.k <> a.k)"),
    ];
    for kind in ["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"] {
        for filter in ["", " AND b.w < 3", " AND a.v <> 'v1'"] {
            let mut answers = Vec::new();
            for (method, on) in conditions {
                let sql = format!("SELECT a.id, a.k, b.k, b.w FROM a {kind} b ON {on}{filter}");
                answers.push((method, rows(&c, &sql).await));
            }
            let (_, first) = &answers[0];
            assert!(!first.is_empty());
            for (method, answer) in &answers[1..] {
                assert_eq!(
                    answer, first,
                    "{kind} ... {filter}: {method} differs from lookup"
                );
            }
        }
    }
    // The join the other way round reads `a` through its secondary index.
    let by_index = rows(&c, "SELECT a.id, b.k FROM b JOIN a ON a.k = b.k").await;
    let by_hash = rows(&c, "SELECT a.id, b.k FROM b JOIN a ON a.k + 0 = b.k + 0").await;
    assert_eq!(by_index, by_hash);
    let plan = rows(&c, "EXPLAIN SELECT a.id FROM b JOIN a ON a.k = b.k").await;
    assert!(
        plan.iter().any(|l| l.contains("Index Scan using a_k on a")),
        "{plan:?}"
    );
}

#[tokio::test]
async fn reordered_joins_give_the_rows_of_joins_as_written() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    script(
        &c,
        "CREATE TABLE d (a_id int, n int, x text, PRIMARY KEY (a_id, n)); \
         INSERT INTO d SELECT g % 70, g, 'x' || (g % 3) FROM generate_series(1, 150) AS g",
    )
    .await
    .unwrap();
    // Each query once as written (the join order rule starts from the table bound by a
    // constant) and once with that table behind a derived table, which the rule leaves
    // alone: the same rows, columns in the same places.
    let queries = [
        (
            "SELECT * FROM d JOIN a ON a.id = d.a_id WHERE a.id = 14",
            "SELECT * FROM d JOIN (SELECT * FROM a OFFSET 0) a ON a.id = d.a_id WHERE a.id = 14",
        ),
        (
            "SELECT d.*, a.v, b.w FROM d, a, b WHERE a.id = d.a_id AND b.k = a.k AND a.id BETWEEN 5 AND 30",
            "SELECT d.*, a.v, b.w FROM d, (SELECT * FROM a OFFSET 0) a, b WHERE a.id = d.a_id AND b.k = a.k AND a.id BETWEEN 5 AND 30",
        ),
        (
            "SELECT a.id, d.n, b.w FROM d JOIN a ON a.id = d.a_id JOIN b ON b.k = a.k WHERE b.k = 9 AND d.x <> 'x1'",
            "SELECT a.id, d.n, b.w FROM d JOIN a ON a.id = d.a_id JOIN (SELECT * FROM b OFFSET 0) b ON b.k = a.k WHERE b.k = 9 AND d.x <> 'x1'",
        ),
        (
            "SELECT count(*), sum(d.n) FROM d, a WHERE a.id = d.a_id AND a.id < 40 AND a.v = 'v2'",
            "SELECT count(*), sum(d.n) FROM d, (SELECT * FROM a OFFSET 0) a WHERE a.id = d.a_id AND a.id < 40 AND a.v = 'v2'",
        ),
    ];
    for (reordered, as_written) in queries {
        let plan = rows(&c, &format!("EXPLAIN {reordered}")).await.join("\n");
        assert!(
            !plan.contains("Seq Scan on d"),
            "{reordered} is not reordered:\n{plan}"
        );
        let got = rows(&c, reordered).await;
        assert!(!got.is_empty(), "{reordered}");
        assert_eq!(got, rows(&c, as_written).await, "{reordered}");
    }
}

#[tokio::test]
async fn ordered_limits_give_the_first_rows_of_the_full_sort() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    // ORDER BY with LIMIT keeps only the rows that may still come first (cut back as rows
    // arrive); ties keep the order a full sort gives them. Compared with the full sort's
    // rows, sliced here.
    for order in [
        "a.v",
        "a.k DESC",
        "a.k NULLS FIRST, a.v DESC",
        "a.id % 3, a.v",
    ] {
        let full = ordered_rows(
            &c,
            &format!("SELECT a.id, a.k, a.v FROM a ORDER BY {order}"),
        )
        .await;
        for (limit, offset) in [(1, 0), (5, 0), (7, 3), (20, 25), (100, 0)] {
            let sql = format!(
                "SELECT a.id, a.k, a.v FROM a ORDER BY {order} LIMIT {limit} OFFSET {offset}"
            );
            let expected: Vec<String> = full.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(ordered_rows(&c, &sql).await, expected, "{sql}");
        }
    }
}

#[tokio::test]
async fn decorrelated_subqueries_give_the_rows_of_correlated_ones() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    // `OFFSET 0` keeps a subquery as it is written (run per outer row or once); without it
    // EXISTS, NOT EXISTS and IN over a table scan become hash semi and anti joins.
    for (decorrelated, kept) in [
        (
            "SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.w = a.id % 4)",
            "SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.w = a.id % 4 OFFSET 0)",
        ),
        (
            "SELECT id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.w + 30 = a.k)",
            "SELECT id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.w + 30 = a.k OFFSET 0)",
        ),
        (
            "SELECT id FROM a WHERE k IN (SELECT w * 7 FROM b WHERE k > 9) AND v <> 'v2'",
            "SELECT id FROM a WHERE k IN (SELECT w * 7 FROM b WHERE k > 9 OFFSET 0) AND v <> 'v2'",
        ),
        (
            "SELECT b.k FROM b WHERE EXISTS (SELECT 1 FROM a WHERE a.v = 'v' || (b.k % 5) AND a.id > 20)",
            "SELECT b.k FROM b WHERE EXISTS (SELECT 1 FROM a WHERE a.v = 'v' || (b.k % 5) AND a.id > 20 OFFSET 0)",
        ),
    ] {
        let plan = rows(&c, &format!("EXPLAIN {decorrelated}")).await;
        assert!(
            plan.iter()
                .any(|l| l.contains("Semi Join") || l.contains("Anti Join")),
            "{decorrelated}: {plan:?}"
        );
        let expected = rows(&c, kept).await;
        assert!(!expected.is_empty(), "{kept}");
        assert_eq!(rows(&c, decorrelated).await, expected, "{decorrelated}");
    }
}

#[tokio::test]
async fn prepared_joins_and_subqueries_run_with_new_parameters() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    let join = c
        .prepare("SELECT a.id, b.w FROM a JOIN b ON b.k = a.k WHERE a.k = $1 ORDER BY a.id")
        .await
        .unwrap();
    let correlated = c
        .prepare(
            "SELECT b.k, (SELECT count(*) FROM a WHERE a.k = b.k AND a.id > $1) \
             FROM b WHERE b.k < $2 ORDER BY b.k",
        )
        .await
        .unwrap();
    for k in [5i32, 7, 9, 11] {
        let got: Vec<(i32, i32)> = c
            .query(&join, &[&k])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let expected: Vec<(i32, i32)> = (0..60)
            .filter(|i| i % 7 != 0 && i % 23 == k)
            .map(|i| (i, k % 4))
            .collect();
        assert_eq!(got, expected, "k = {k}");
    }
    for (min_id, below) in [(0i32, 12i32), (30, 20)] {
        let got: Vec<(i32, i64)> = c
            .query(&correlated, &[&min_id, &below])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let expected: Vec<(i32, i64)> = (5..below)
            .step_by(2)
            .map(|k| {
                let n = (0..60)
                    .filter(|i| *i > min_id && i % 7 != 0 && i % 23 == k)
                    .count();
                (k, n as i64)
            })
            .collect();
        assert_eq!(got, expected, "id > {min_id}, k < {below}");
    }
}

#[tokio::test]
async fn a_transactions_own_writes_reach_every_part_of_a_query() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    script(
        &c,
        "BEGIN; INSERT INTO b VALUES (100, 9); INSERT INTO a VALUES (1000, 100, 'new'); \
         DELETE FROM b WHERE k = 5",
    )
    .await
    .unwrap();
    assert_eq!(
        rows(
            &c,
            "SELECT a.id, b.w FROM a JOIN b ON b.k = a.k WHERE b.k = 100"
        )
        .await,
        ["1000,9"]
    );
    assert_eq!(
        rows(
            &c,
            "SELECT count(*) FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND b.k = 5)"
        )
        .await,
        ["0"]
    );
    assert_eq!(
        rows(
            &c,
            "WITH n AS (SELECT k FROM b WHERE w = 9) SELECT a.v FROM a JOIN n USING (k)"
        )
        .await,
        ["new"]
    );
    c.batch_execute("ROLLBACK").await.unwrap();
    assert!(rows(&c, "SELECT * FROM b WHERE k = 100").await.is_empty());
}

#[tokio::test]
async fn a_runaway_recursive_query_stops_at_the_memory_limit() {
    let t = start_with(|config| {
        config.limits.max_query_memory = 1 << 20;
    })
    .await;
    let c = connect(&t.server).await;
    let err = c
        .simple_query(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "53200");
    // The session goes on.
    assert_eq!(rows(&c, "SELECT 1").await, ["1"]);
    // A join too large for the limit fails the same way.
    script(&c, "CREATE TABLE big (id int PRIMARY KEY, pad text)")
        .await
        .unwrap();
    for chunk in 0..4 {
        let values: Vec<String> = (0..500)
            .map(|i| format!("({}, repeat('x', 100))", chunk * 500 + i))
            .collect();
        script(&c, &format!("INSERT INTO big VALUES {}", values.join(", ")))
            .await
            .unwrap();
    }
    let err = c
        .simple_query("SELECT x.id, y.id FROM big x, big y WHERE x.pad = y.pad ORDER BY 2, 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "53200");
    // A join streams its left side through the right one: counting its 100,000 rows
    // (some 25 MB) holds only the right side (about 250 kB).
    assert_eq!(
        rows(
            &c,
            "SELECT count(*) FROM big x JOIN big y ON y.pad = x.pad WHERE x.id < 50"
        )
        .await,
        ["100000"]
    );
    // A LIMIT stops a join once it has enough rows, so the same join fits.
    assert_eq!(
        rows(
            &c,
            "SELECT x.id, y.id FROM big x, big y WHERE x.pad = y.pad LIMIT 5"
        )
        .await
        .len(),
        5
    );
    assert_eq!(
        rows(
            &c,
            "SELECT x.id, y.id FROM big x JOIN big y ON y.pad = x.pad OFFSET 3 LIMIT 4"
        )
        .await
        .len(),
        4
    );
    assert_eq!(
        rows(
            &c,
            "SELECT x.id, y.id FROM big x LEFT JOIN big y ON y.id = x.id + 1 LIMIT 3"
        )
        .await
        .len(),
        3
    );
}
