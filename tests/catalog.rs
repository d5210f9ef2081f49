//! The system catalogs over the wire: their column types (oid, name, "char") in both result
//! formats, oid parameters, prepared statements that see later DDL, and every role reading
//! them.

mod common;

use common::{connect, fails};
use tokio_postgres::types::Type;

#[tokio::test]
async fn catalog_columns_have_postgres_types_in_both_formats() {
    let t = common::start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    // The extended protocol: binary results, typed columns.
    let stmt = c
        .prepare("SELECT oid, relname, relkind, relnamespace FROM pg_class WHERE relname = 't'")
        .await
        .unwrap();
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, [Type::OID, Type::NAME, Type::CHAR, Type::OID]);
    let rows = c.query(&stmt, &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    let oid: u32 = rows[0].get(0);
    assert_eq!(oid, 16384, "the first user table's oid");
    assert_eq!(rows[0].get::<_, &str>(1), "t");
    assert_eq!(rows[0].get::<_, i8>(2), b'r' as i8);
    assert_eq!(rows[0].get::<_, u32>(3), 2200);
    // An oid parameter, sent in binary.
    let rows = c
        .query("SELECT relname FROM pg_class WHERE oid = $1", &[&1259u32])
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, &str>(0), "pg_class");
    // The simple protocol: text.
    let rows = c
        .simple_query("SELECT oid, relkind FROM pg_class WHERE relname = 'pg_namespace'")
        .await
        .unwrap();
    let tokio_postgres::SimpleQueryMessage::Row(row) = &rows[1] else {
        panic!("a row");
    };
    assert_eq!((row.get(0), row.get(1)), (Some("2615"), Some("r")));
}

#[tokio::test]
async fn a_prepared_catalog_query_sees_ddl_of_another_session() {
    let t = common::start().await;
    let reader = connect(&t.server).await;
    let writer = connect(&t.server).await;
    let stmt = reader
        .prepare("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1")
        .await
        .unwrap();
    let names = |rows: Vec<tokio_postgres::Row>| -> Vec<String> {
        rows.iter().map(|r| r.get::<_, String>(0)).collect()
    };
    assert!(names(reader.query(&stmt, &[]).await.unwrap()).is_empty());
    writer
        .batch_execute("CREATE TABLE fresh (k int PRIMARY KEY)")
        .await
        .unwrap();
    assert_eq!(
        names(reader.query(&stmt, &[]).await.unwrap()),
        ["fresh", "fresh_pkey"]
    );
    writer.batch_execute("DROP TABLE fresh").await.unwrap();
    assert!(names(reader.query(&stmt, &[]).await.unwrap()).is_empty());
}

#[tokio::test]
async fn every_role_reads_the_catalogs_and_none_writes_them() {
    let t = common::start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE ROLE app WITH LOGIN").await.unwrap();
    c.batch_execute("CREATE TABLE secret (id int PRIMARY KEY)")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    // No grant is needed to read the catalogs, and they list tables the role cannot read.
    let rows = c
        .query(
            "SELECT count(*) FROM pg_class WHERE relname = 'secret'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, i64>(0), 1);
    assert_eq!(fails(&c, "SELECT * FROM secret").await.0, "42501");
    assert_eq!(
        fails(&c, "DELETE FROM pg_class").await,
        (
            "42501".into(),
            "permission denied for table pg_class".into()
        )
    );
    assert_eq!(
        fails(&c, "DROP TABLE pg_catalog.pg_attribute").await,
        (
            "42501".into(),
            "permission denied: \"pg_attribute\" is a system catalog".into()
        )
    );
}
