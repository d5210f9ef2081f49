//! A simple Query message with several statements is one implicit transaction block, as in
//! PostgreSQL and on a live DSQL cluster: an error rolls back everything the string did,
//! DSQL's DDL rules apply to the whole string, BEGIN turns the implicit block into an ordinary
//! one, and COMMIT / ROLLBACK end it (later statements start a new implicit block). Expected
//! outcomes were checked against PostgreSQL 15.

mod common;

use common::{connect, fails, start};
use tokio_postgres::{Client, SimpleQueryMessage};

async fn ids(c: &Client) -> Vec<i32> {
    c.query("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn setup() -> (common::TestServer, Client) {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    (t, c)
}

#[tokio::test]
async fn an_error_rolls_back_the_statements_before_it() {
    let (_t, c) = setup().await;
    let (code, _) = fails(&c, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)").await;
    assert_eq!(code, "23505");
    assert_eq!(ids(&c).await, Vec::<i32>::new());
    // The session is not left in a block: the next statement autocommits.
    c.batch_execute("INSERT INTO t VALUES (1)").await.unwrap();
    assert_eq!(ids(&c).await, vec![1]);

    // Statements after the failing one are skipped.
    let (code, _) = fails(
        &c,
        "INSERT INTO t VALUES (2); SELECT 1/0; INSERT INTO t VALUES (3)",
    )
    .await;
    assert_eq!(code, "22012");
    assert_eq!(ids(&c).await, vec![1]);
}

#[tokio::test]
async fn a_string_without_errors_commits_as_one_transaction() {
    let (_t, c) = setup().await;
    let messages = c
        .simple_query("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); SELECT count(*) FROM t")
        .await
        .unwrap();
    let tags: Vec<String> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(n.to_string()),
            SimpleQueryMessage::Row(r) => Some(format!("row {}", r.get(0).unwrap())),
            _ => None,
        })
        .collect();
    // The string sees its own writes.
    assert_eq!(tags, ["1", "1", "row 2", "1"]);
    assert_eq!(ids(&c).await, vec![1, 2]);
}

#[tokio::test]
async fn dsql_ddl_rules_apply_to_the_whole_string() {
    let (_t, c) = setup().await;
    assert_eq!(
        fails(
            &c,
            "CREATE TABLE u (id int PRIMARY KEY, a int); CREATE INDEX ASYNC u_a ON u (a)"
        )
        .await,
        (
            "0A000".into(),
            "multiple ddl statements not supported in a transaction".into()
        )
    );
    assert_eq!(
        fails(
            &c,
            "CREATE TABLE v (id int PRIMARY KEY); INSERT INTO t VALUES (1)"
        )
        .await,
        (
            "0A000".into(),
            "ddl and dml are not supported in the same transaction".into()
        )
    );
    assert_eq!(
        fails(
            &c,
            "INSERT INTO t VALUES (1); CREATE TABLE w (id int PRIMARY KEY)"
        )
        .await,
        (
            "0A000".into(),
            "ddl and dml are not supported in the same transaction".into()
        )
    );
    // Nothing of the refused strings happened.
    for table in ["u", "v", "w"] {
        let (code, _) = fails(&c, &format!("SELECT * FROM {table}")).await;
        assert_eq!(code, "42P01", "{table}");
    }
    assert_eq!(ids(&c).await, Vec::<i32>::new());
    // One DDL with queries is fine.
    c.batch_execute("CREATE TABLE x (id int PRIMARY KEY); SELECT 1")
        .await
        .unwrap();
    c.batch_execute("SELECT * FROM x").await.unwrap();
}

#[tokio::test]
async fn commit_and_rollback_end_the_implicit_block() {
    let (_t, c) = setup().await;
    // COMMIT commits what came before it; the statement after it fails alone.
    let (code, _) = fails(
        &c,
        "INSERT INTO t VALUES (2); COMMIT; INSERT INTO t VALUES (2)",
    )
    .await;
    assert_eq!(code, "23505");
    assert_eq!(ids(&c).await, vec![2]);

    // ROLLBACK undoes what came before it; the statements after it commit.
    c.batch_execute("INSERT INTO t VALUES (5); ROLLBACK; INSERT INTO t VALUES (6)")
        .await
        .unwrap();
    assert_eq!(ids(&c).await, vec![2, 6]);

    // A block opened and committed inside the string is kept; the implicit block after it
    // rolls back on the error.
    let (code, _) = fails(
        &c,
        "INSERT INTO t VALUES (7); BEGIN; INSERT INTO t VALUES (8); COMMIT; INSERT INTO t VALUES (9); SELECT 1/0",
    )
    .await;
    assert_eq!(code, "22012");
    assert_eq!(ids(&c).await, vec![2, 6, 7, 8]);
}

#[tokio::test]
async fn begin_turns_the_implicit_block_into_an_ordinary_one() {
    let (_t, c) = setup().await;
    // The INSERT before BEGIN belongs to the block; an error fails the whole block, which
    // stays open (failed) after the string, as in PostgreSQL.
    let (code, _) = fails(
        &c,
        "INSERT INTO t VALUES (3); BEGIN; INSERT INTO t VALUES (4); INSERT INTO t VALUES (3)",
    )
    .await;
    assert_eq!(code, "23505");
    let (code, _) = fails(&c, "SELECT 1").await;
    assert_eq!(code, "25P02", "the block failed and is still open");
    let tag = c.simple_query("COMMIT").await.unwrap();
    assert!(matches!(&tag[0], SimpleQueryMessage::CommandComplete(0)));
    assert_eq!(ids(&c).await, Vec::<i32>::new());

    // Without an error the block stays open after the string, statements before BEGIN
    // included, until COMMIT.
    c.batch_execute("INSERT INTO t VALUES (10); BEGIN; INSERT INTO t VALUES (11)")
        .await
        .unwrap();
    let other = connect(&_t.server).await;
    assert_eq!(ids(&other).await, Vec::<i32>::new(), "not committed yet");
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(ids(&other).await, vec![10, 11]);
}

#[tokio::test]
async fn settings_made_by_a_failed_string_are_undone() {
    let (_t, c) = setup().await;
    let (code, _) = fails(&c, "SET search_path = elsewhere; SELECT 1/0").await;
    assert_eq!(code, "22012");
    let row = c.query_one("SHOW search_path", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "\"$user\", public");
    c.batch_execute("SET search_path = elsewhere, public; SELECT 1")
        .await
        .unwrap();
    let row = c.query_one("SHOW search_path", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "elsewhere, public");
}
