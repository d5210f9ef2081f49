//! Arrays over the wire: `int4[]` and `text[]` results in binary format (as tokio-postgres
//! asks for them in the extended protocol) with PostgreSQL's array type oids, array bind
//! parameters in binary, and malformed array parameters refused with clear errors.

mod common;

use common::{connect, message, sqlstate};
use tokio_postgres::types::{ToSql, Type};

#[tokio::test]
async fn array_results_and_parameters_in_binary() {
    let t = common::start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, label text)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'c d')")
        .await
        .unwrap();

    // Results: typed as int4[] (1007) and text[] (1009), decoded from the binary form.
    let stmt = c
        .prepare("SELECT ARRAY[1, 2, NULL], array_agg(label ORDER BY id) FROM t")
        .await
        .unwrap();
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, [Type::INT4_ARRAY, Type::TEXT_ARRAY]);
    assert_eq!(Type::INT4_ARRAY.oid(), 1007);
    let rows = c.query(&stmt, &[]).await.unwrap();
    let ints: Vec<Option<i32>> = rows[0].get(0);
    assert_eq!(ints, [Some(1), Some(2), None]);
    let labels: Vec<Option<String>> = rows[0].get(1);
    assert_eq!(labels, [Some("a".into()), None, Some("c d".into())]);
    let rows = c
        .query("SELECT ARRAY[10, 20]::bigint[], '{}'::int[]", &[])
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, Vec<i64>>(0), [10, 20]);
    assert!(rows[0].get::<_, Vec<i32>>(1).is_empty());

    // Parameters: an int[] sent in binary, cast and used with = ANY.
    let ids: Vec<i32> = vec![3, 1, 5];
    let rows = c.query("SELECT $1::int[]", &[&ids]).await.unwrap();
    assert_eq!(rows[0].get::<_, Vec<i32>>(0), ids);
    let rows = c
        .query("SELECT id FROM t WHERE id = ANY($1) ORDER BY id", &[&ids])
        .await
        .unwrap();
    let found: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(found, [1, 3]);
    let names: Vec<Option<&str>> = vec![Some("a"), None];
    let rows = c
        .query(
            "SELECT cardinality($1::text[]), array_to_string($1, ',', '?')",
            &[&names],
        )
        .await
        .unwrap();
    assert_eq!(rows[0].get::<_, i32>(0), 2);
    assert_eq!(rows[0].get::<_, &str>(1), "a,?");

    // The simple protocol: PostgreSQL's text form.
    let rows = c
        .simple_query("SELECT ARRAY['a b', NULL, '']")
        .await
        .unwrap();
    let tokio_postgres::SimpleQueryMessage::Row(row) = &rows[1] else {
        panic!("a row: {rows:?}")
    };
    assert_eq!(row.get(0), Some(r#"{"a b",NULL,""}"#));
}

/// An array parameter whose bytes claim what is not there.
#[derive(Debug)]
struct RawArray(Vec<u8>);

impl ToSql for RawArray {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(tokio_postgres::types::IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

#[tokio::test]
async fn malformed_array_parameters_are_clear_errors() {
    let t = common::start().await;
    let c = connect(&t.server).await;
    let words = |ws: &[i32]| -> Vec<u8> { ws.iter().flat_map(|w| w.to_be_bytes()).collect() };
    for (bytes, code) in [
        // Too short for its header.
        (vec![0, 0, 1], "22P03"),
        // A billion elements declared, none sent.
        (words(&[1, 0, 23, 1_000_000_000, 1]), "22P03"),
        // Text elements where integers are expected.
        (words(&[1, 0, 25, 1, 1]), "42804"),
        // Seven dimensions.
        (words(&[7, 0, 23]), "54000"),
        // An element shorter than an int4.
        ([words(&[1, 0, 23, 1, 1, 2]), vec![0, 1]].concat(), "22P03"),
    ] {
        let err = c
            .query("SELECT $1::int[]", &[&RawArray(bytes.clone())])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), code, "{bytes:?}: {}", message(&err));
    }
    // Malformed text is PostgreSQL's 22P02, and the session goes on.
    let err = c.query("SELECT '{1,2'::int[]", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&err), "22P02");
    assert_eq!(message(&err), "malformed array literal: \"{1,2\"");
    let rows = c.query("SELECT 1", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
}
