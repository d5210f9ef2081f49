//! The SQL conformance corpus: every `tests/slt/*.slt` file (sqllogictest format) runs over
//! the wire against a fresh server started on port 0, and must give the results PostgreSQL 15
//! gives.
//!
//! The expected results in the files are PostgreSQL's: `tests/slt/regenerate.sh` starts a
//! throwaway PostgreSQL 15, runs every file against it (each in a database of its own) and
//! rewrites the results; review the change as a diff. Records where DSQL differs from
//! PostgreSQL are marked `skipif postgres` (kept as written, checked against dsql only) or
//! `onlyif postgres`, with a comment saying why; `docs/dsql-compatibility.md` lists the
//! differences.
//!
//! Records dsql cannot run yet are marked `skipif dsql`, with a comment saying why; the
//! regeneration leaves records with conditions as written, so their expected results are
//! filled in by hand from PostgreSQL (psql -At -F' ').
//!
//! Results are compared as text: a NULL is `NULL`, an empty string `(empty)`. An error
//! record's expected message is matched against `<SQLSTATE> <message>`.

mod common;

use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType, Runner};
use std::path::{Path, PathBuf};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// A failed statement, shown as `<SQLSTATE> <message>` (what `statement error` matches).
#[derive(Debug)]
struct SqlError(String);

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SqlError {}

/// One session, over the simple query protocol (as psql runs a script).
struct Session(Client);

#[async_trait::async_trait]
impl AsyncDB for Session {
    type Error = SqlError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SqlError> {
        let messages = self.0.simple_query(sql).await.map_err(|e| {
            SqlError(match e.as_db_error() {
                Some(db) => format!("{} {}", db.code().code(), db.message()),
                None => e.to_string(),
            })
        })?;
        let mut rows = Vec::new();
        let mut columns = None;
        let mut count = 0;
        for message in messages {
            match message {
                SimpleQueryMessage::RowDescription(c) => columns = Some(c.len()),
                SimpleQueryMessage::Row(row) => rows.push(
                    (0..row.len())
                        .map(|i| match row.get(i) {
                            None => "NULL".to_string(),
                            Some("") => "(empty)".to_string(),
                            Some(text) => text.to_string(),
                        })
                        .collect(),
                ),
                SimpleQueryMessage::CommandComplete(n) => count = n,
                _ => {}
            }
        }
        Ok(match columns {
            Some(n) => DBOutput::Rows {
                types: vec![DefaultColumnType::Any; n],
                rows,
            },
            None => DBOutput::StatementComplete(count),
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "dsql"
    }

    async fn sleep(dur: std::time::Duration) {
        tokio::time::sleep(dur).await;
    }
}

/// The corpus files, in name order (only those whose name contains `DSQL_SLT_FILE`, when
/// it is set: `DSQL_SLT_FILE=arrays cargo test --test slt`).
fn corpus() -> Vec<PathBuf> {
    let only = std::env::var("DSQL_SLT_FILE").ok();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .filter(|p| {
            only.as_deref().is_none_or(|o| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(o))
            })
        })
        .collect();
    files.sort();
    files
}

/// Column types are not compared: the simple protocol carries no types.
fn any_types(_: &Vec<DefaultColumnType>, _: &Vec<DefaultColumnType>) -> bool {
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_gives_postgresqls_results() {
    let mut failures = Vec::new();
    let files = corpus();
    assert!(!files.is_empty(), "no .slt files");
    for file in &files {
        let t = common::start().await;
        let server = &t.server;
        let mut runner = Runner::new(|| async { Ok(Session(common::connect(server).await)) });
        runner.add_label("dsql");
        runner.with_column_validator(any_types);
        // Every record runs, so one pass shows every difference.
        let records = sqllogictest::parse_file::<DefaultColumnType>(file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (mut ran, mut failed) = (0, 0);
        for record in records {
            let counted = matches!(
                record,
                sqllogictest::Record::Statement { .. } | sqllogictest::Record::Query { .. }
            );
            if let Err(e) = runner.run_async(record).await {
                failures.push(format!("{}", e.display(false)));
                failed += 1;
            }
            ran += usize::from(counted);
        }
        println!("{}: {ran} records, {failed} failed", file.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Rewrites the expected results of every file from a PostgreSQL server: run by
/// `tests/slt/regenerate.sh`, which sets `DSQL_SLT_POSTGRES` to a conninfo of a throwaway
/// PostgreSQL 15 (its `postgres` database; each file gets a new database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by tests/slt/regenerate.sh against a throwaway PostgreSQL"]
async fn regenerate_expected_results_from_postgresql() {
    let conninfo = std::env::var("DSQL_SLT_POSTGRES").expect("DSQL_SLT_POSTGRES");
    let connect = |conninfo: String| async move {
        let (client, connection) = tokio_postgres::connect(&conninfo, NoTls)
            .await
            .expect("connect to PostgreSQL");
        tokio::spawn(connection);
        client
    };
    let admin = connect(conninfo.clone()).await;
    for file in corpus() {
        let name = format!(
            "slt_{}",
            file.file_stem()
                .unwrap()
                .to_string_lossy()
                .replace('-', "_")
        );
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let db_conninfo = format!("{conninfo} dbname={name}");
        let mut runner = Runner::new(|| {
            let db_conninfo = db_conninfo.clone();
            async move { Ok(Session(connect(db_conninfo).await)) }
        });
        runner.add_label("postgres");
        runner.with_column_validator(any_types);
        runner
            .update_test_file(
                &file,
                " ",
                sqllogictest::default_validator,
                sqllogictest::default_normalizer,
                any_types,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        println!("regenerated {}", file.display());
    }
}
