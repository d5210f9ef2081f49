//! CREATE/DROP SCHEMA and tables in user schemas, over the PostgreSQL wire.

mod common;

use common::{connect, fails, message, script, sqlstate, start};

#[tokio::test]
async fn tables_live_in_user_schemas() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE SCHEMA sales").await.unwrap();
    c.batch_execute("CREATE SCHEMA IF NOT EXISTS sales")
        .await
        .unwrap();
    script(
        &c,
        "CREATE TABLE sales.orders (id integer PRIMARY KEY, total bigint); \
         CREATE TABLE orders (id integer PRIMARY KEY, note text)",
    )
    .await
    .unwrap();
    c.batch_execute(
        "INSERT INTO sales.orders VALUES (1, 100), (2, 200); \
         INSERT INTO orders VALUES (1, 'public one')",
    )
    .await
    .unwrap();
    c.execute(
        "UPDATE sales.orders SET total = total + 1 WHERE id = 2",
        &[],
    )
    .await
    .unwrap();
    c.execute("DELETE FROM sales.orders WHERE id = 1", &[])
        .await
        .unwrap();
    let rows = c
        .query("SELECT id, total FROM sales.orders", &[])
        .await
        .unwrap();
    let got: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, [(2, 201)]);
    // The unqualified name is public's table.
    let row = c.query_one("SELECT note FROM orders", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "public one");
    assert_eq!(
        fails(&c, "SELECT * FROM nowhere.orders").await,
        (
            "42P01".into(),
            "relation \"nowhere.orders\" does not exist".into()
        )
    );
    // DDL naming the missing schema reports the schema, as in PostgreSQL.
    assert_eq!(
        fails(&c, "CREATE TABLE nowhere.t (id int PRIMARY KEY)").await,
        ("3F000".into(), "schema \"nowhere\" does not exist".into())
    );
}

#[tokio::test]
async fn schema_ddl_errors() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE SCHEMA s").await.unwrap();
    assert_eq!(
        fails(&c, "CREATE SCHEMA s").await,
        ("42P06".into(), "schema \"s\" already exists".into())
    );
    for builtin in ["public", "sys", "information_schema"] {
        assert_eq!(
            fails(&c, &format!("CREATE SCHEMA {builtin}")).await,
            (
                "42P06".into(),
                format!("schema \"{builtin}\" already exists")
            )
        );
    }
    assert_eq!(
        fails(&c, "CREATE SCHEMA pg_mine").await,
        (
            "42939".into(),
            "unacceptable schema name \"pg_mine\"".into()
        )
    );
    for builtin in ["public", "sys", "pg_catalog", "information_schema"] {
        assert_eq!(
            fails(&c, &format!("DROP SCHEMA {builtin}")).await,
            (
                "2BP01".into(),
                format!(
                    "cannot drop schema {builtin} because it is required by the database system"
                )
            )
        );
    }
    assert_eq!(
        fails(&c, "DROP SCHEMA ghost").await,
        ("3F000".into(), "schema \"ghost\" does not exist".into())
    );
    c.batch_execute("DROP SCHEMA IF EXISTS ghost")
        .await
        .unwrap();

    // RESTRICT (the default) refuses while tables remain; CASCADE drops them.
    script(
        &c,
        "CREATE TABLE s.a (k integer PRIMARY KEY); CREATE TABLE s.b (k integer)",
    )
    .await
    .unwrap();
    for sql in ["DROP SCHEMA s", "DROP SCHEMA s RESTRICT"] {
        let err = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(sqlstate(&err), "2BP01");
        assert_eq!(
            message(&err),
            "cannot drop schema s because other objects depend on it"
        );
        assert_eq!(
            err.as_db_error().and_then(|e| e.detail()),
            Some("table s.a depends on schema s\ntable s.b depends on schema s")
        );
    }
    c.batch_execute("INSERT INTO s.a VALUES (1)").await.unwrap();
    c.batch_execute("DROP SCHEMA s CASCADE").await.unwrap();
    assert_eq!(fails(&c, "SELECT * FROM s.a").await.0, "42P01");
    // A new schema of the same name starts empty.
    script(
        &c,
        "CREATE SCHEMA s; CREATE TABLE s.a (k integer PRIMARY KEY)",
    )
    .await
    .unwrap();
    assert!(c.query("SELECT * FROM s.a", &[]).await.unwrap().is_empty());
    script(&c, "DROP TABLE s.a; DROP SCHEMA s").await.unwrap();

    // Only admin creates schemas; only the owner (or admin) drops them.
    script(&c, "CREATE ROLE app; CREATE SCHEMA owned AUTHORIZATION app")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    assert_eq!(
        fails(&c, "CREATE SCHEMA mine").await,
        (
            "42501".into(),
            "permission denied for database postgres".into()
        )
    );
    c.batch_execute("CREATE TABLE owned.t (k integer PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute("DROP SCHEMA owned CASCADE").await.unwrap();
    c.batch_execute("RESET ROLE").await.unwrap();
    assert_eq!(
        fails(&c, "CREATE SCHEMA x AUTHORIZATION ghost").await,
        ("42704".into(), "role \"ghost\" does not exist".into())
    );
}

#[tokio::test]
async fn at_most_ten_user_schemas() {
    let t = start().await;
    let c = connect(&t.server).await;
    for i in 0..10 {
        c.batch_execute(&format!("CREATE SCHEMA s{i}"))
            .await
            .unwrap();
    }
    assert_eq!(
        fails(&c, "CREATE SCHEMA s10").await,
        ("54000".into(), "more than 10 schemas not allowed".into())
    );
    // IF NOT EXISTS on an existing schema is not a new one.
    c.batch_execute("CREATE SCHEMA IF NOT EXISTS s3")
        .await
        .unwrap();
    c.batch_execute("DROP SCHEMA s0").await.unwrap();
    c.batch_execute("CREATE SCHEMA s10").await.unwrap();
    assert_eq!(fails(&c, "CREATE SCHEMA s11").await.0, "54000");
}

#[tokio::test]
async fn unqualified_names_follow_the_search_path() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE SCHEMA app; CREATE TABLE t (k integer PRIMARY KEY); INSERT INTO t VALUES (1)",
    )
    .await
    .unwrap();
    // New tables go to the first schema of the path that exists.
    c.batch_execute("SET search_path TO app, public")
        .await
        .unwrap();
    c.batch_execute("CREATE TABLE t (k integer PRIMARY KEY)")
        .await
        .unwrap();
    script(
        &c,
        "INSERT INTO t VALUES (2); CREATE TABLE only_here (v text)",
    )
    .await
    .unwrap();
    let k: i32 = c.query_one("SELECT k FROM t", &[]).await.unwrap().get(0);
    assert_eq!(k, 2, "app.t comes first");
    let k: i32 = c
        .query_one("SELECT k FROM public.t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(k, 1);
    let rows = c.query("SELECT * FROM app.only_here", &[]).await.unwrap();
    assert!(rows.is_empty());

    // A prepared statement follows a later change of the path.
    let select = c.prepare("SELECT k FROM t").await.unwrap();
    assert_eq!(c.query_one(&select, &[]).await.unwrap().get::<_, i32>(0), 2);
    c.batch_execute("SET search_path = public").await.unwrap();
    assert_eq!(c.query_one(&select, &[]).await.unwrap().get::<_, i32>(0), 1);
    assert_eq!(
        fails(&c, "SELECT * FROM only_here").await,
        (
            "42P01".into(),
            "relation \"only_here\" does not exist".into()
        )
    );

    // "$user" stands for the current role; schemas that do not exist are skipped.
    c.batch_execute("CREATE SCHEMA admin; SET search_path = \"$user\", public")
        .await
        .unwrap();
    c.batch_execute("CREATE TABLE mine (k integer PRIMARY KEY)")
        .await
        .unwrap();
    c.query("SELECT * FROM admin.mine", &[]).await.unwrap();
    c.batch_execute("SET search_path = nowhere").await.unwrap();
    assert_eq!(
        fails(&c, "CREATE TABLE x (k integer PRIMARY KEY)").await,
        (
            "3F000".into(),
            "no schema has been selected to create in".into()
        )
    );
    c.batch_execute("RESET search_path").await.unwrap();
    let k: i32 = c.query_one("SELECT k FROM t", &[]).await.unwrap().get(0);
    assert_eq!(k, 1, "the default path is \"$user\", public");
}
