//! SQL over the PostgreSQL wire with tokio-postgres (TLS): DDL, DML, queries, prepared
//! statements with typed parameters, and PostgreSQL's error codes.

mod common;

use common::{connect, message, sqlstate, start};
use rust_decimal::Decimal;
use std::str::FromStr;

#[tokio::test]
async fn create_insert_select_update_delete_round_trip() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance bigint DEFAULT 0)")
        .await
        .unwrap();
    let n = c
        .execute(
            "INSERT INTO accounts (id, owner) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let rows = c
        .query("SELECT id, owner, balance FROM accounts ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, String, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "ann".into(), 0),
            (2, "bob".into(), 0),
            (3, "cy".into(), 0)
        ]
    );

    assert_eq!(
        c.execute(
            "UPDATE accounts SET balance = balance + 10 WHERE id >= 2",
            &[]
        )
        .await
        .unwrap(),
        2
    );
    assert_eq!(
        c.execute("DELETE FROM accounts WHERE owner = 'ann'", &[])
            .await
            .unwrap(),
        1
    );
    let rows = c
        .query("SELECT id, balance FROM accounts ORDER BY id DESC", &[])
        .await
        .unwrap();
    let got: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![(3, 10), (2, 10)]);

    let row = c
        .query_one(
            "SELECT count(*), sum(balance), min(owner), max(id) FROM accounts",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 2);
    assert_eq!(row.get::<_, Decimal>(1), Decimal::from(20));
    assert_eq!(row.get::<_, String>(2), "bob");
    assert_eq!(row.get::<_, i32>(3), 3);

    let returned = c
        .query(
            "INSERT INTO accounts VALUES (4, 'di', 7) RETURNING id, balance * 2 AS doubled",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (returned[0].get::<_, i32>(0), returned[0].get::<_, i64>(1)),
        (4, 14)
    );
    c.batch_execute("DROP TABLE accounts").await.unwrap();
    let err = c.query("SELECT * FROM accounts", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&err), "42P01");
}

#[tokio::test]
async fn prepared_statements_with_typed_parameters() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute(
        "CREATE TABLE items (id bigint PRIMARY KEY, name varchar(20), price numeric(10,2), qty smallint, \
         ratio double precision, active boolean, added date, seen timestamptz)",
    )
    .await
    .unwrap();
    let insert = c
        .prepare("INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .await
        .unwrap();
    let types: Vec<String> = insert
        .params()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    assert_eq!(
        types,
        [
            "int8",
            "varchar",
            "numeric",
            "int2",
            "float8",
            "bool",
            "date",
            "timestamptz"
        ]
    );
    let date = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let seen = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    for id in 1..=5i64 {
        let price = Decimal::from_str("19.99").unwrap() * Decimal::from(id);
        c.execute(
            &insert,
            &[
                &id,
                &format!("item {id}"),
                &price,
                &(id as i16),
                &(id as f64 / 4.0),
                &(id % 2 == 0),
                &date,
                &seen,
            ],
        )
        .await
        .unwrap();
    }
    let select = c
        .prepare("SELECT name, price, qty, ratio, active, added, seen FROM items WHERE id = $1")
        .await
        .unwrap();
    assert_eq!(select.params()[0].name(), "int8");
    let cols: Vec<String> = select
        .columns()
        .iter()
        .map(|c| c.type_().name().to_string())
        .collect();
    assert_eq!(
        cols,
        [
            "varchar",
            "numeric",
            "int2",
            "float8",
            "bool",
            "date",
            "timestamptz"
        ]
    );
    let row = c.query_one(&select, &[&3i64]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "item 3");
    assert_eq!(
        row.get::<_, Decimal>(1),
        Decimal::from_str("59.97").unwrap()
    );
    assert_eq!(row.get::<_, i16>(2), 3);
    assert_eq!(row.get::<_, f64>(3), 0.75);
    assert!(!row.get::<_, bool>(4));
    assert_eq!(row.get::<_, chrono::NaiveDate>(5), date);
    assert_eq!(row.get::<_, chrono::DateTime<chrono::Utc>>(6), seen);
    // The same prepared statement again, many times (the plan is reused).
    for id in 1..=5i64 {
        assert_eq!(c.query(&select, &[&id]).await.unwrap().len(), 1);
    }
    // Range scan with parameters.
    let range = c
        .prepare("SELECT id FROM items WHERE id > $1 AND id <= $2 ORDER BY id")
        .await
        .unwrap();
    let ids: Vec<i64> = c
        .query(&range, &[&1i64, &4i64])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![2, 3, 4]);
    let by_name = c
        .query(
            "SELECT id FROM items WHERE name LIKE 'item %' AND active ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(by_name[0].get::<_, i64>(0), 4);
}

#[tokio::test]
async fn postgres_error_codes_and_messages() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL, n smallint)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO t VALUES (1, 'a', 1)")
        .await
        .unwrap();
    let cases: Vec<(&str, &str, &str)> = vec![
        ("SELEC 1", "42601", ""),
        (
            "SELECT * FROM nope",
            "42P01",
            "relation \"nope\" does not exist",
        ),
        (
            "SELECT nope FROM t",
            "42703",
            "column \"nope\" does not exist",
        ),
        (
            "INSERT INTO t VALUES (1, 'b', 2)",
            "23505",
            "duplicate key value violates unique constraint \"t_pkey\"",
        ),
        (
            "INSERT INTO t (id) VALUES (2)",
            "23502",
            "null value in column \"v\" of relation \"t\" violates not-null constraint",
        ),
        (
            "INSERT INTO t VALUES ('x', 'b', 2)",
            "22P02",
            "invalid input syntax for type integer: \"x\"",
        ),
        (
            "INSERT INTO t VALUES (3, 'b', 40000)",
            "22003",
            "smallint out of range",
        ),
        ("SELECT 1/0", "22012", "division by zero"),
        (
            "CREATE TABLE t (id int)",
            "42P07",
            "relation \"t\" already exists",
        ),
        ("TRUNCATE t", "0A000", ""),
    ];
    for (sql, code, text) in cases {
        let err = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&err), code, "{sql}: {err}");
        if !text.is_empty() {
            assert_eq!(message(&err), text, "{sql}");
        }
    }
    // None of the failed statements changed anything.
    let rows = c.query("SELECT id, v, n FROM t", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    // Empty queries and comments are fine.
    c.batch_execute("").await.unwrap();
    c.batch_execute(";;").await.unwrap();
}

#[tokio::test]
async fn session_settings_and_tables_without_primary_key() {
    let t = start().await;
    let c = connect(&t.server).await;
    let row = c
        .query_one("SHOW transaction isolation level", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "repeatable read");
    c.batch_execute("SET application_name = 'tests'")
        .await
        .unwrap();
    assert_eq!(
        c.query_one("SHOW application_name", &[])
            .await
            .unwrap()
            .get::<_, String>(0),
        "tests"
    );
    let v: String = c.query_one("SELECT version()", &[]).await.unwrap().get(0);
    assert!(v.starts_with("PostgreSQL 16."), "{v}");
    c.batch_execute("CREATE TABLE log (msg text, at timestamp DEFAULT now())")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO log (msg) VALUES ('a'), ('a'), ('b')")
        .await
        .unwrap();
    let rows = c
        .query(
            "SELECT msg, count(*) FROM log GROUP BY msg ORDER BY msg",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![("a".into(), 2), ("b".into(), 1)]);
    assert_eq!(
        c.execute("DELETE FROM log WHERE msg = 'a'", &[])
            .await
            .unwrap(),
        2
    );
    let copy = c
        .execute("INSERT INTO log (msg) SELECT msg || '!' FROM log", &[])
        .await
        .unwrap();
    assert_eq!(copy, 1);
}

#[tokio::test]
async fn scans_merge_rows_from_shards_that_split_a_table() {
    // Split the first user table (id 1000) at primary key 50 so its rows live on two shards.
    let t = common::start_with(|config| {
        let mut split = qp::types::keycode::table_prefix(qp::catalog::FIRST_USER_TABLE_ID);
        qp::types::keycode::encode_value(&qp::types::Value::Int(50), &mut split).unwrap();
        config.extra_shard_splits = vec![split];
    })
    .await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE nums (n int PRIMARY KEY, sq int)")
        .await
        .unwrap();
    let values: Vec<String> = (1..=100).map(|n| format!("({n}, {})", n * n)).collect();
    c.batch_execute(&format!("INSERT INTO nums VALUES {}", values.join(", ")))
        .await
        .unwrap();
    let all: Vec<i32> = c
        .query("SELECT n FROM nums", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(all, (1..=100).collect::<Vec<_>>());
    let desc: Vec<i32> = c
        .query("SELECT n FROM nums ORDER BY n DESC LIMIT 3", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(desc, vec![100, 99, 98]);
    let across: Vec<i32> = c
        .query("SELECT n FROM nums WHERE n >= 48 AND n < 53", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(across, vec![48, 49, 50, 51, 52]);
    // Own writes on both shards merge with storage inside a transaction.
    c.batch_execute(
        "BEGIN; DELETE FROM nums WHERE n IN (49, 51); INSERT INTO nums VALUES (101, 0), (0, 0)",
    )
    .await
    .unwrap();
    let count: i64 = c
        .query_one("SELECT count(*) FROM nums WHERE n < 52 OR n > 100", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 51); // 0..=51 without 49 and 51, plus 101
    c.batch_execute("COMMIT").await.unwrap();
    let sum: i64 = c
        .query_one("SELECT sum(sq) FROM nums", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sum, 338350 - 49 * 49 - 51 * 51);
}

#[tokio::test]
async fn generate_series_takes_parameters_typed_by_the_other_arguments() {
    let t = start().await;
    let c = connect(&t.server).await;
    // In FROM: `$1` takes the type of the integer bound next to it.
    let stmt = c
        .prepare("SELECT g FROM generate_series(1, $1) g")
        .await
        .unwrap();
    assert_eq!(stmt.params(), &[tokio_postgres::types::Type::INT4]);
    let rows = c.query(&stmt, &[&3i32]).await.unwrap();
    let got: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![1, 2, 3]);
    // In a select list, with a bigint start: every argument is a bigint.
    let rows = c
        .query(
            "SELECT generate_series($1::bigint, $2, $3)",
            &[&10i64, &20i64, &5i64],
        )
        .await
        .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![10, 15, 20]);
}

#[tokio::test]
async fn function_parameters_take_the_resolved_overloads_types_and_errors_carry_hints() {
    let t = start().await;
    let c = connect(&t.server).await;
    use tokio_postgres::types::Type;
    // lower(text), left(text, integer), round(numeric, integer): the only overloads of
    // those arities, so untyped parameters take their argument types.
    let stmt = c
        .prepare("SELECT lower($1), left($2, $3), round($4, $5)")
        .await
        .unwrap();
    assert_eq!(
        stmt.params(),
        &[
            Type::TEXT,
            Type::TEXT,
            Type::INT4,
            Type::NUMERIC,
            Type::INT4
        ]
    );
    assert_eq!(stmt.columns()[2].type_(), &Type::NUMERIC);
    // round(integer) is round(double precision), as in PostgreSQL.
    let rows = c
        .query("SELECT round(2), pg_typeof(round(2))", &[])
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, f64>(0), 2.0);
    assert_eq!(rows[0].get::<_, &str>(1), "double precision");
    let hint = |sql: &'static str| {
        let c = &c;
        async move {
            let err = c.batch_execute(sql).await.unwrap_err();
            let db = err.as_db_error().expect("a database error");
            (
                db.code().code().to_string(),
                db.message().to_string(),
                db.hint().map(str::to_string),
            )
        }
    };
    assert_eq!(
        hint("SELECT lower(1)").await,
        (
            "42883".into(),
            "function lower(integer) does not exist".into(),
            Some("No function matches the given name and argument types. You might need to add explicit type casts.".into())
        )
    );
    assert_eq!(
        hint("SELECT sum('1')").await,
        (
            "42725".into(),
            "function sum(unknown) is not unique".into(),
            Some("Could not choose a best candidate function. You might need to add explicit type casts.".into())
        )
    );
}
