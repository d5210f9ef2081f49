//! The answers a live Aurora DSQL cluster gives (recorded in 2026, see
//! `docs/dsql-compatibility.md`): every refusal with its SQLSTATE and exact text, and each
//! leaves the database unchanged. Also the server version it reports, the command tags of
//! SHOW and CREATE INDEX ASYNC, and the refused transaction settings.

mod common;

use common::{connect, script, sqlstate, start, wire};
use tokio_postgres::{Client, SimpleQueryMessage};

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

/// The refusals of DSQL's live cluster: (statement, SQLSTATE, message).
const REFUSALS: &[(&str, &str, &str)] = &[
    ("TRUNCATE t", "0A000", "unsupported statement: Truncate"),
    (
        "CREATE EXTENSION pgcrypto",
        "0A000",
        "unsupported statement: CreateExtension",
    ),
    (
        "CREATE DATABASE other",
        "0A000",
        "unsupported statement: Createdb",
    ),
    ("LISTEN ch", "0A000", "unsupported statement: Listen"),
    ("NOTIFY ch, 'x'", "0A000", "unsupported statement: Notify"),
    ("UNLISTEN *", "0A000", "unsupported statement: Unlisten"),
    (
        "CREATE MATERIALIZED VIEW mv AS SELECT * FROM t",
        "0A000",
        "unsupported statement: CreateTableAs",
    ),
    (
        "CREATE TABLE copy AS SELECT * FROM t",
        "0A000",
        "unsupported statement: CreateTableAs",
    ),
    (
        "CREATE TYPE pair AS (a int, b int)",
        "0A000",
        "unsupported statement: CompositeType",
    ),
    (
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "0A000",
        "CREATE TYPE not supported",
    ),
    (
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        "0A000",
        "CREATE TRIGGER not supported",
    ),
    (
        "CREATE TEMPORARY TABLE x (id int PRIMARY KEY)",
        "0A000",
        "TEMPORARY or TEMP table not supported for CREATE TABLE",
    ),
    (
        "CREATE TEMP TABLE x (id int PRIMARY KEY)",
        "0A000",
        "TEMPORARY or TEMP table not supported for CREATE TABLE",
    ),
    (
        "CREATE UNLOGGED TABLE x (id int PRIMARY KEY)",
        "0A000",
        "UNLOGGED table not supported for CREATE TABLE",
    ),
    ("VACUUM", "0A000", "unsupported VACUUM statement"),
    ("VACUUM t", "0A000", "unsupported VACUUM statement"),
    (
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$",
        "0A000",
        "CREATE FUNCTION with language plpgsql not supported",
    ),
    (
        "CREATE TABLE x (id serial PRIMARY KEY)",
        "42704",
        "type \"serial\" does not exist",
    ),
    (
        "CREATE TABLE x (id bigserial PRIMARY KEY)",
        "42704",
        "type \"bigserial\" does not exist",
    ),
    (
        "CREATE TABLE x (id int PRIMARY KEY, m money)",
        "0A000",
        "datatype money not supported",
    ),
    (
        "CREATE TABLE x (id int PRIMARY KEY, b bit varying(8))",
        "0A000",
        "datatype bit varying not supported",
    ),
    (
        "CREATE TABLE x (id int PRIMARY KEY, a integer[])",
        "0A000",
        "datatype integer[] not supported",
    ),
    (
        "CREATE TABLE x (id int PRIMARY KEY, a text[])",
        "0A000",
        "datatype text[] not supported",
    ),
    (
        "CREATE SEQUENCE s",
        "0A000",
        "CREATE SEQUENCE is not supported without an explicit cache size. please define CACHE \
         greater than or equal to 65536 or equal to 1",
    ),
    (
        "CREATE TABLE x (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
        "0A000",
        "identity column is not supported without an explicit cache size. please define CACHE \
         greater than or equal to 65536 or equal to 1",
    ),
    (
        "CREATE TABLE x (id int GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY)",
        "0A000",
        "datatype integer not supported, identity column type must be bigint",
    ),
    (
        "BEGIN ISOLATION LEVEL SERIALIZABLE",
        "0A000",
        "Unsupported isolation level: SERIALIZABLE",
    ),
    (
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "0A000",
        "setting configuration parameter \"TRANSACTION\" not supported",
    ),
    (
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "0A000",
        "setting configuration parameter \"TRANSACTION\" not supported",
    ),
    (
        "SET TRANSACTION READ ONLY",
        "0A000",
        "setting configuration parameter \"TRANSACTION\" not supported",
    ),
    (
        "SET default_transaction_isolation = 'repeatable read'",
        "0A000",
        "setting configuration parameter \"default_transaction_isolation\" not supported",
    ),
    (
        "SET default_transaction_isolation = 'serializable'",
        "0A000",
        "setting configuration parameter \"default_transaction_isolation\" not supported",
    ),
    (
        "CREATE INDEX i ON t (v)",
        "0A000",
        "unsupported mode. please use CREATE INDEX ASYNC.",
    ),
    (
        "CREATE INDEX ASYNC public.i ON t (v)",
        "42601",
        "syntax error at or near \".\"",
    ),
    (
        "SELECT * FROM t FOR SHARE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
    ),
    (
        "SELECT * FROM t FOR NO KEY UPDATE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
    ),
    (
        "SELECT pg_try_advisory_lock(1)",
        "0A000",
        "function pg_try_advisory_lock not supported",
    ),
    (
        "SELECT pg_backend_pid()",
        "0A000",
        "function pg_backend_pid not supported",
    ),
    (
        "SET statement_timeout = 1000",
        "0A000",
        "setting configuration parameter \"statement_timeout\" not supported",
    ),
    (
        "SET work_mem = '64MB'",
        "0A000",
        "setting configuration parameter \"work_mem\" not supported",
    ),
    (
        "SET dsql.x = 1",
        "42602",
        "invalid configuration parameter name \"dsql.x\"",
    ),
    (
        "CREATE INDEX ASYNC i9 ON t (id, v, id, v, id, v, id, v, id)",
        "54011",
        "more than 8 column keys in an index are not supported",
    ),
    (
        "CREATE INDEX i9 ON t (id, v, id, v, id, v, id, v, id)",
        "54011",
        "more than 8 column keys in an index are not supported",
    ),
    (
        "CALL sys.wait_for_job('not-a-job-id')",
        "22P02",
        "Unable to convert text to UUID",
    ),
    (
        "SAVEPOINT a",
        "0A000",
        "unsupported transaction statement: SAVEPOINT",
    ),
    (
        "ROLLBACK TO SAVEPOINT a",
        "0A000",
        "unsupported transaction statement: ROLLBACK TO",
    ),
];

#[tokio::test]
async fn every_recorded_refusal_answers_dsqls_sqlstate_and_text_and_changes_nothing() {
    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    let mut wrong = Vec::new();
    for (sql, code, text) in REFUSALS {
        let got = match c.batch_execute(sql).await {
            Ok(()) => ("(none)".to_string(), "succeeded".to_string()),
            Err(e) => (sqlstate(&e), common::message(&e)),
        };
        if got != (code.to_string(), text.to_string()) {
            wrong.push(format!(
                "{sql}\n   want {code} {text}\n   got  {} {}",
                got.0, got.1
            ));
        }
        assert_eq!(rows(&c).await, vec![(1, "a".into()), (2, "b".into())]);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for relation in ["x", "copy", "mv"] {
        let err = c
            .batch_execute(&format!("SELECT * FROM {relation}"))
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42P01", "{relation} was not created");
    }
}

#[tokio::test]
async fn the_reserved_dsql_prefix_is_explained() {
    let t = start().await;
    let c = connect(&t.server).await;
    let err = c.batch_execute("SET dsql.x = 1").await.unwrap_err();
    let db = err.as_db_error().expect("a server error");
    assert_eq!(db.detail(), Some("\"dsql\" is a reserved prefix."));
}

#[tokio::test]
async fn reset_and_set_to_default_are_accepted_for_every_parameter() {
    let t = start().await;
    let c = connect(&t.server).await;
    for sql in [
        "RESET work_mem",
        "RESET statement_timeout",
        "SET statement_timeout TO DEFAULT",
        "SET work_mem = DEFAULT",
        "RESET ALL",
    ] {
        c.batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

async fn simple_tags(c: &Client, sql: &str) -> (Vec<Vec<Option<String>>>, Vec<u64>) {
    let mut rows = Vec::new();
    let mut counts = Vec::new();
    for m in c.simple_query(sql).await.unwrap() {
        match m {
            SimpleQueryMessage::Row(r) => {
                rows.push((0..r.len()).map(|i| r.get(i).map(String::from)).collect())
            }
            SimpleQueryMessage::CommandComplete(n) => counts.push(n),
            _ => {}
        }
    }
    (rows, counts)
}

#[tokio::test]
async fn server_version_is_dsqls() {
    let t = start().await;
    let c = connect(&t.server).await;
    let (rows, _) = simple_tags(&c, "SHOW server_version").await;
    assert_eq!(rows, vec![vec![Some("16.15".to_string())]]);
    let (rows, _) = simple_tags(&c, "SHOW server_version_num").await;
    assert_eq!(rows, vec![vec![Some("160015".to_string())]]);
    let (rows, _) = simple_tags(&c, "SELECT version()").await;
    let version = rows[0][0].clone().unwrap();
    assert!(version.starts_with("PostgreSQL 16.15"), "{version}");
}

#[tokio::test]
async fn show_and_create_index_async_answer_dsqls_command_tags() {
    let dir = tempfile::tempdir().unwrap();
    let addr = wire::serve_one(wire::engine(dir.path()).await).await;
    let tags = |sql: &'static str| wire::command_tags(addr, "admin", sql);
    assert_eq!(
        tags("CREATE TABLE t (id int PRIMARY KEY, v text)").await,
        ["CREATE TABLE"]
    );
    assert_eq!(tags("SHOW search_path").await, ["SHOW"]);
    assert_eq!(tags("SHOW TimeZone").await, ["SHOW"]);
    assert_eq!(tags("SELECT 1").await, ["SELECT 1"]);
    assert_eq!(
        tags("CREATE INDEX ASYNC t_v ON t (v)").await,
        ["CREATE INDEX"]
    );

    let t = start().await;
    let c = connect(&t.server).await;
    setup(&c).await;
    let (rows, _) = simple_tags(&c, "CREATE INDEX ASYNC t_v ON t (v, id)").await;
    assert_eq!(rows.len(), 1, "one row with the job id");
    let job_id = rows[0][0].clone().unwrap();
    assert_eq!(job_id.len(), 26, "{job_id}");
}
