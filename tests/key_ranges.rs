//! Key ranges from WHERE clauses: a bound outside the key column's type reads as
//! PostgreSQL compares (`smallint_pk < 40000` is every row, not 22003), and BETWEEN narrows
//! the read on either side without changing the answer.

mod common;

use common::{connect, script, start};
use tokio_postgres::Client;

async fn ids(c: &Client, sql: &str) -> Vec<i64> {
    c.query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.get::<_, i64>(0))
        .collect()
}

#[tokio::test]
async fn integer_bounds_outside_the_key_type_compare_as_postgresql_does() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE s (id smallint PRIMARY KEY, v text);
         INSERT INTO s VALUES (-32768, 'min'), (-1, 'a'), (7, 'b'), (32767, 'max');
         CREATE TABLE i (id int PRIMARY KEY);
         INSERT INTO i VALUES (-2147483648), (0), (2147483647);",
    )
    .await
    .unwrap();
    let all = vec![-32768, -1, 7, 32767];
    for (sql, want) in [
        (
            "SELECT id::bigint FROM s WHERE id < 40000 ORDER BY id",
            all.clone(),
        ),
        (
            "SELECT id::bigint FROM s WHERE id <= 40000 ORDER BY id",
            all.clone(),
        ),
        (
            "SELECT id::bigint FROM s WHERE id > -40000 ORDER BY id",
            all.clone(),
        ),
        (
            "SELECT id::bigint FROM s WHERE id > 40000 ORDER BY id",
            vec![],
        ),
        (
            "SELECT id::bigint FROM s WHERE id < -40000 ORDER BY id",
            vec![],
        ),
        ("SELECT id::bigint FROM s WHERE id = 40000", vec![]),
        (
            "SELECT id::bigint FROM s WHERE 40000 > id ORDER BY id",
            all.clone(),
        ),
        (
            "SELECT id::bigint FROM s WHERE id BETWEEN -40000 AND 40000 ORDER BY id",
            all.clone(),
        ),
        (
            "SELECT id::bigint FROM s WHERE id BETWEEN 0 AND 99999 ORDER BY id",
            vec![7, 32767],
        ),
        (
            "SELECT id::bigint FROM i WHERE id < 3000000000 ORDER BY id",
            vec![-2147483648, 0, 2147483647],
        ),
        (
            "SELECT id::bigint FROM i WHERE id >= -3000000000 AND id < 1 ORDER BY id",
            vec![-2147483648, 0],
        ),
    ] {
        assert_eq!(ids(&c, sql).await, want, "{sql}");
    }
    // A bound that is a parameter of a wider type, too.
    let rows = c
        .query(
            "SELECT id::bigint FROM s WHERE id < $1::int ORDER BY id",
            &[&40000i32],
        )
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(),
        all
    );
}

#[tokio::test]
async fn between_narrows_the_read_and_keeps_the_answer() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE k (a int, b int, v text, PRIMARY KEY (a, b))",
    )
    .await
    .unwrap();
    let mut values = Vec::new();
    for a in 0..5 {
        for b in 0..5 {
            values.push(format!("({a}, {b}, 'v{a}{b}')"));
        }
    }
    c.batch_execute(&format!("INSERT INTO k VALUES {}", values.join(", ")))
        .await
        .unwrap();
    let keys = |sql: &'static str| {
        let c = &c;
        async move {
            c.query(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .iter()
                .map(|r| (r.get::<_, i32>(0), r.get::<_, i32>(1)))
                .collect::<Vec<_>>()
        }
    };
    let mut want = Vec::new();
    for a in 1..=3 {
        for b in 0..5 {
            want.push((a, b));
        }
    }
    assert_eq!(
        keys("SELECT a, b FROM k WHERE a BETWEEN 1 AND 3 ORDER BY a, b").await,
        want
    );
    assert_eq!(
        keys("SELECT a, b FROM k WHERE a = 2 AND b BETWEEN 1 AND 2 ORDER BY b").await,
        vec![(2, 1), (2, 2)]
    );
    assert_eq!(
        keys("SELECT a, b FROM k WHERE a BETWEEN 3 AND 1").await,
        vec![]
    );
    assert_eq!(
        keys("SELECT a, b FROM k WHERE a = 4 AND b NOT BETWEEN 1 AND 3 ORDER BY b").await,
        vec![(4, 0), (4, 4)]
    );
    assert_eq!(
        keys("SELECT a, b FROM k WHERE a BETWEEN 4 AND 10 AND b BETWEEN -5 AND 0").await,
        vec![(4, 0)]
    );
}
