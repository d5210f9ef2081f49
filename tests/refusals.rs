//! Statements and settings DSQL refuses, over the wire: each answers 0A000 with DSQL's
//! message, at planning, and the database is unchanged afterwards. Also the SET allowlist,
//! SET LOCAL / RESET, and read-only transactions.

mod common;

use common::{connect, fails, message, script, sqlstate, start};
use tokio_postgres::Client;

async fn setup(c: &Client) {
    script(
        c,
        "CREATE TABLE t (id int PRIMARY KEY, v text);
         INSERT INTO t VALUES (1, 'a'), (2, 'b');",
    )
    .await
    .unwrap();
}

async fn rows(c: &Client) -> Vec<(i32, String)> {
    c.query("SELECT id, v FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn original() -> Vec<(i32, String)> {
    vec![(1, "a".into()), (2, "b".into())]
}

async fn show(c: &Client, name: &str) -> String {
    let messages = c.simple_query(&format!("SHOW {name}")).await.unwrap();
    messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(String::from),
            _ => None,
        })
        .expect("SHOW returns a row")
}

async fn assert_refused(c: &Client, sql: &str, code: &str, text: &str) {
    assert_eq!(fails(c, sql).await, (code.into(), text.into()), "{sql}");
}

#[tokio::test]
async fn refused_statements_answer_0a000_and_change_nothing() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    for (sql, kind) in [
        ("TRUNCATE t", "Truncate"),
        ("LISTEN ch", "Listen"),
        ("NOTIFY ch, 'x'", "Notify"),
        ("UNLISTEN *", "Unlisten"),
        ("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "Lock"),
        ("PREPARE p AS DELETE FROM t", "Prepare"),
        ("EXECUTE p", "Execute"),
        ("DEALLOCATE p", "Deallocate"),
        ("DECLARE c CURSOR FOR SELECT * FROM t", "DeclareCursor"),
        ("CREATE DATABASE other", "Createdb"),
        ("CREATE EXTENSION pgcrypto", "CreateExtension"),
        ("DO $$BEGIN DELETE FROM t; END$$", "Do"),
        (
            "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t",
            "CreateTableAs",
        ),
    ] {
        assert_refused(&c, sql, "0A000", &format!("unsupported statement: {kind}")).await;
        assert_eq!(rows(&c).await, original(), "after {sql}");
    }
    // Nothing was created either.
    assert_eq!(
        sqlstate(&c.batch_execute("SELECT * FROM mv").await.unwrap_err()),
        "42P01"
    );
}

#[tokio::test]
async fn refused_table_kinds_create_nothing() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    // DSQL's texts for the rest are checked in `dsql_answers.rs`.
    for (sql, code, text) in [
        (
            "CREATE TEMPORARY TABLE x (id int PRIMARY KEY)",
            "0A000",
            "TEMPORARY or TEMP table not supported for CREATE TABLE",
        ),
        (
            "CREATE TABLE x (id int, d date) PARTITION BY RANGE (d)",
            "0A000",
            "partitioned tables are not supported",
        ),
        (
            "CREATE TABLE x (id serial PRIMARY KEY)",
            "42704",
            "type \"serial\" does not exist",
        ),
        (
            "CREATE TABLE x (id smallserial PRIMARY KEY)",
            "42704",
            "type \"smallserial\" does not exist",
        ),
    ] {
        assert_refused(&c, sql, code, text).await;
        assert_eq!(
            sqlstate(&c.batch_execute("SELECT * FROM x").await.unwrap_err()),
            "42P01",
            "{sql} created nothing"
        );
    }
    assert_eq!(rows(&c).await, original());
}

#[tokio::test]
async fn a_refusal_inside_a_block_fails_the_block() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    c.batch_execute("BEGIN; UPDATE t SET v = 'changed' WHERE id = 1")
        .await
        .unwrap();
    assert_refused(
        &c,
        "SAVEPOINT s",
        "0A000",
        "unsupported transaction statement: SAVEPOINT",
    )
    .await;
    assert_eq!(
        sqlstate(&c.batch_execute("SELECT 1").await.unwrap_err()),
        "25P02"
    );
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(rows(&c).await, original());
}

#[tokio::test]
async fn a_refused_setting_inside_a_block_fails_the_block() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    c.batch_execute("BEGIN; DELETE FROM t WHERE id = 2")
        .await
        .unwrap();
    assert_refused(
        &c,
        "SET work_mem = '1GB'",
        "0A000",
        "setting configuration parameter \"work_mem\" not supported",
    )
    .await;
    assert_eq!(
        sqlstate(&c.batch_execute("SHOW application_name").await.unwrap_err()),
        "25P02"
    );
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(rows(&c).await, original());
}

#[tokio::test]
async fn unparseable_statements_stay_syntax_errors() {
    let t = start().await;
    let c = connect(&t.server).await;
    let err = c.batch_execute("FROBNICATE t").await.unwrap_err();
    assert_eq!(sqlstate(&err), "42601");
}

#[tokio::test]
async fn refusals_happen_at_prepare_time_in_the_extended_protocol() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    let err = c.prepare("TRUNCATE t").await.unwrap_err();
    assert_eq!(
        (sqlstate(&err).as_str(), message(&err).as_str()),
        ("0A000", "unsupported statement: Truncate")
    );
    assert_eq!(rows(&c).await, original());
}

#[tokio::test]
async fn only_repeatable_read_is_accepted() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    for (sql, level) in [
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", "SERIALIZABLE"),
        (
            "START TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "READ COMMITTED",
        ),
        (
            "BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
            "READ UNCOMMITTED",
        ),
        (
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
            "READ COMMITTED",
        ),
        (
            "SET transaction_isolation TO 'read committed'",
            "READ COMMITTED",
        ),
    ] {
        assert_refused(
            &c,
            sql,
            "0A000",
            &format!("Unsupported isolation level: {level}"),
        )
        .await;
    }
    // No block was opened by the refused BEGINs: a write is committed at once.
    c.batch_execute("UPDATE t SET v = 'z' WHERE id = 1")
        .await
        .unwrap();
    let other = connect(&t.server).await;
    assert_eq!(rows(&other).await[0].1, "z");
    // Repeatable read is fine everywhere, and is what SHOW reports.
    c.batch_execute(
        "BEGIN ISOLATION LEVEL REPEATABLE READ; COMMIT;
         SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ;",
    )
    .await
    .unwrap();
    assert_eq!(
        show(&c, "TRANSACTION ISOLATION LEVEL").await,
        "repeatable read"
    );
    assert_eq!(
        show(&c, "default_transaction_isolation").await,
        "repeatable read"
    );
}

#[tokio::test]
async fn set_accepts_only_dsqls_allowlist() {
    let t = start().await;
    let c = connect(&t.server).await;
    for (sql, name) in [
        ("SET work_mem = '64MB'", "work_mem"),
        ("SET statement_timeout = 1000", "statement_timeout"),
        ("SET LOCAL lock_timeout = '1s'", "lock_timeout"),
        ("SET myapp.tenant = 'x'", "myapp.tenant"),
        (
            "SET default_transaction_isolation = 'repeatable read'",
            "default_transaction_isolation",
        ),
        ("SET TRANSACTION READ ONLY", "TRANSACTION"),
    ] {
        assert_refused(
            &c,
            sql,
            "0A000",
            &format!("setting configuration parameter \"{name}\" not supported"),
        )
        .await;
    }
    // RESET is accepted for every parameter and changes nothing.
    c.batch_execute("RESET work_mem").await.unwrap();
    for (sql, name, value) in [
        (
            "SET application_name = 'billing'",
            "application_name",
            "billing",
        ),
        ("SET client_encoding = 'UTF8'", "client_encoding", "UTF8"),
        ("SET DateStyle = 'ISO, DMY'", "datestyle", "ISO, DMY"),
        ("SET extra_float_digits = 3", "extra_float_digits", "3"),
        (
            "SET intervalstyle = 'iso_8601'",
            "intervalstyle",
            "iso_8601",
        ),
        ("SET TIME ZONE 'UTC'", "timezone", "UTC"),
        ("SET search_path TO public", "search_path", "public"),
        ("SET enable_seqscan = off", "enable_seqscan", "off"),
        ("SET enable_hashjoin TO true", "enable_hashjoin", "on"),
    ] {
        c.batch_execute(sql).await.unwrap();
        assert_eq!(show(&c, name).await, value, "{sql}");
    }
    let err = c
        .batch_execute("SET extra_float_digits = 42")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "22023");
    assert_eq!(show(&c, "extra_float_digits").await, "3");
    // SET ROLE: allowed; switching to a role needs the role to exist (tests/roles.rs).
    c.batch_execute("SET ROLE admin").await.unwrap();
    assert_eq!(show(&c, "role").await, "admin");
    c.batch_execute("SET ROLE NONE").await.unwrap();
    assert_eq!(show(&c, "role").await, "none");
    assert_refused(
        &c,
        "SET ROLE reporting",
        "22023",
        "role \"reporting\" does not exist",
    )
    .await;
    assert_eq!(show(&c, "role").await, "none");
    // RESET one, then all.
    c.batch_execute("RESET application_name").await.unwrap();
    assert_eq!(show(&c, "application_name").await, "");
    c.batch_execute("RESET ALL").await.unwrap();
    assert_eq!(show(&c, "enable_seqscan").await, "on");
    assert_eq!(show(&c, "datestyle").await, "ISO, MDY");
}

#[tokio::test]
async fn set_local_and_set_in_a_rolled_back_block_do_not_last() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("SET application_name = 'outer'")
        .await
        .unwrap();
    // SET LOCAL lasts until COMMIT.
    c.batch_execute("BEGIN; SET LOCAL application_name = 'inner'")
        .await
        .unwrap();
    assert_eq!(show(&c, "application_name").await, "inner");
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(show(&c, "application_name").await, "outer");
    // SET inside a block that rolls back is undone; one that commits stays.
    c.batch_execute("BEGIN; SET application_name = 'rolled back'; ROLLBACK")
        .await
        .unwrap();
    assert_eq!(show(&c, "application_name").await, "outer");
    c.batch_execute("BEGIN; SET application_name = 'kept'; COMMIT")
        .await
        .unwrap();
    assert_eq!(show(&c, "application_name").await, "kept");
    // Outside a block SET LOCAL has no effect.
    c.batch_execute("SET LOCAL application_name = 'nowhere'")
        .await
        .unwrap();
    assert_eq!(show(&c, "application_name").await, "kept");
}

#[tokio::test]
async fn read_only_transactions_refuse_writes() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    c.batch_execute("BEGIN READ ONLY").await.unwrap();
    assert_eq!(show(&c, "transaction_read_only").await, "on");
    assert_eq!(rows(&c).await, original());
    assert_refused(
        &c,
        "INSERT INTO t VALUES (3, 'c')",
        "25006",
        "cannot execute INSERT in a read-only transaction",
    )
    .await;
    c.batch_execute("ROLLBACK").await.unwrap();
    // The session default applies to every later transaction, autocommit included.
    c.batch_execute("SET default_transaction_read_only = on")
        .await
        .unwrap();
    assert_refused(
        &c,
        "DELETE FROM t",
        "25006",
        "cannot execute DELETE in a read-only transaction",
    )
    .await;
    assert_refused(
        &c,
        "SELECT * FROM t WHERE id = 1 FOR UPDATE",
        "25006",
        "cannot execute SELECT FOR UPDATE in a read-only transaction",
    )
    .await;
    c.batch_execute("BEGIN READ WRITE; UPDATE t SET v = 'w' WHERE id = 2; COMMIT")
        .await
        .unwrap();
    c.batch_execute("SET default_transaction_read_only = off")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO t VALUES (3, 'c')")
        .await
        .unwrap();
    assert_eq!(
        rows(&c).await,
        vec![(1, "a".into()), (2, "w".into()), (3, "c".into())]
    );
}
