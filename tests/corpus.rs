//! Replays every catalog query of the client corpus against dsql.
//!
//! `tests/corpus/catalog_queries.jsonl` holds the statements that psql, SQLAlchemy, Django,
//! asyncpg, psycopg 3, pgjdbc and pgbench sent to a real PostgreSQL 15 and that read
//! `pg_catalog` or `information_schema` (extracted by `tests/corpus/extract.py`). With the
//! corpus schema loaded (`tests/corpus/schema.sql`), each query runs twice:
//!
//! * over the extended protocol, as the clients sent it: Parse with no parameter types (the
//!   server infers them), Bind with the captured parameter values in text format;
//! * over the simple protocol with the parameters written in as literals, whose text result is
//!   compared with what PostgreSQL 15 answers for the same schema
//!   (`tests/corpus/expected.txt`, written by `tests/corpus/regenerate.sh`). Rows are compared
//!   as sorted sets, and values of oid-typed columns that name user objects (≥ 16384, whose
//!   numbers are allocated differently) are masked.
//!
//! `tests/corpus/known_gaps.txt` lists the queries that do not yet run or do not yet answer as
//! PostgreSQL does, with the reason. The test fails when any other query fails or differs, and
//! when a listed query starts to pass (so the list only shrinks). `DSQL_CORPUS_WRITE_GAPS=1`
//! rewrites the list from the current results; review the diff.

mod common;

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tokio_postgres::types::{Format, IsNull, ToSql, Type};
use tokio_postgres::{Client, SimpleQueryMessage};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One catalog query of the corpus.
struct Query {
    id: String,
    clients: Vec<String>,
    sql: String,
    params: Vec<Option<String>>,
}

fn load_queries() -> Vec<Query> {
    let text = std::fs::read_to_string(corpus_dir().join("catalog_queries.jsonl")).unwrap();
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            Query {
                id: v["id"].as_str().unwrap().to_string(),
                clients: v["clients"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
                sql: v["sql"].as_str().unwrap().to_string(),
                params: v["params"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().map(str::to_string))
                    .collect(),
            }
        })
        .collect()
}

/// A parameter sent in text format whatever type the server inferred, as libpq-based clients
/// send them.
#[derive(Debug)]
struct TextParam(Option<String>);

impl ToSql for TextParam {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match &self.0 {
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    tokio_postgres::types::to_sql_checked!();
}

/// Which server a connection talks to: the loader writes indexes for each.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Dsql,
    Postgres,
}

/// Loads `tests/corpus/schema.sql`, waiting for each asynchronous index build on dsql.
async fn load_schema(c: &Client, target: Target) {
    let text = std::fs::read_to_string(corpus_dir().join("schema.sql")).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    for statement in body.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        let is_async_index = statement.contains(" INDEX ASYNC ");
        if target == Target::Postgres {
            c.batch_execute(&statement.replace(" INDEX ASYNC ", " INDEX "))
                .await
                .unwrap_or_else(|e| panic!("{statement}: {}", error_text(&e)));
        } else if is_async_index {
            let job: String = c
                .query_one(statement, &[])
                .await
                .unwrap_or_else(|e| panic!("{statement}: {}", error_text(&e)))
                .get(0);
            let done: bool = c
                .query_one("SELECT sys.wait_for_job($1)", &[&job])
                .await
                .unwrap()
                .get(0);
            assert!(done, "{statement}: the index build fails");
        } else {
            c.batch_execute(statement)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {}", error_text(&e)));
        }
    }
}

/// Writes `params` into `sql` as literals (`'text'` or NULL), outside quotes and comments.
fn inline_params(sql: &str, params: &[Option<String>]) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b'\'' | b'"' => {
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push_str(&sql[start..i]);
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                out.push_str(&sql[start..i]);
            }
            b'$' if b.get(i + 1).is_some_and(u8::is_ascii_digit)
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n: usize = sql[start + 1..i].parse().unwrap();
                match &params[n - 1] {
                    Some(v) => write!(out, "'{}'", v.replace('\'', "''")).unwrap(),
                    None => out.push_str("NULL"),
                }
            }
            _ => {
                let ch = sql[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// What a query answered over the simple protocol, in the form `expected.txt` stores.
#[derive(Clone, PartialEq, Debug)]
enum Answer {
    Rows {
        columns: Vec<String>,
        rows: Vec<String>,
    },
    Error(String),
}

impl Answer {
    fn render(&self, id: &str) -> String {
        match self {
            Answer::Rows { columns, rows } => {
                let mut s = format!("== {id} rows\n{}\n", columns.join("\t"));
                for row in rows {
                    s.push_str(row);
                    s.push('\n');
                }
                s
            }
            Answer::Error(e) => format!("== {id} error\n{e}\n"),
        }
    }
}

fn escape(value: Option<&str>) -> String {
    match value {
        None => "NULL".to_string(),
        Some(v) => v
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n"),
    }
}

fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Masks the numbers ≥ 16384 (user object oids) in a value of an oid-typed column.
fn mask_user_oids(value: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.parse::<u64>().is_ok_and(|n| n >= 16384) {
            out.push_str("<oid>");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for ch in value.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
        } else {
            flush(&mut digits, &mut out);
            out.push(ch);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn is_oid_type(ty: &Type) -> bool {
    [Type::OID, Type::OID_ARRAY, Type::OID_VECTOR].contains(ty)
}

/// The outcome of one query on one server.
struct Outcome {
    /// The error of the extended-protocol run, if it failed.
    extended_error: Option<String>,
    answer: Answer,
}

async fn run(c: &Client, q: &Query) -> Outcome {
    let params: Vec<TextParam> = q.params.iter().cloned().map(TextParam).collect();
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
    let mut oid_columns = Vec::new();
    let extended_error = match c.prepare(&q.sql).await {
        Err(e) => Some(error_text(&e)),
        Ok(statement) => {
            oid_columns = statement
                .columns()
                .iter()
                .map(|col| is_oid_type(col.type_()))
                .collect();
            c.query(&statement, &refs)
                .await
                .err()
                .map(|e| error_text(&e))
        }
    };
    let answer = match c.simple_query(&inline_params(&q.sql, &q.params)).await {
        Err(e) => Answer::Error(error_text(&e)),
        Ok(messages) => {
            let mut columns = Vec::new();
            let mut rows = Vec::new();
            for message in messages {
                match message {
                    SimpleQueryMessage::RowDescription(cols) => {
                        columns = cols.iter().map(|c| c.name().to_string()).collect();
                    }
                    SimpleQueryMessage::Row(row) => {
                        let values: Vec<String> = (0..row.len())
                            .map(|i| {
                                let v = escape(row.get(i));
                                if oid_columns.get(i) == Some(&true) {
                                    mask_user_oids(&v)
                                } else {
                                    v
                                }
                            })
                            .collect();
                        rows.push(values.join("\t"));
                    }
                    _ => {}
                }
            }
            rows.sort();
            Answer::Rows { columns, rows }
        }
    };
    Outcome {
        extended_error,
        answer,
    }
}

/// `expected.txt`: id → PostgreSQL's answer.
fn load_expected() -> BTreeMap<String, Answer> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.txt")).unwrap_or_default();
    let mut expected = BTreeMap::new();
    let mut current: Option<(String, String, Vec<String>)> = None;
    let mut finish = |entry: Option<(String, String, Vec<String>)>| {
        if let Some((id, kind, mut lines)) = entry {
            let answer = if kind == "error" {
                Answer::Error(lines.join("\n"))
            } else {
                let columns = lines.remove(0);
                Answer::Rows {
                    columns: columns.split('\t').map(str::to_string).collect(),
                    rows: lines,
                }
            };
            expected.insert(id, answer);
        }
    };
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("== ") {
            finish(current.take());
            let (id, kind) = header.split_once(' ').unwrap();
            current = Some((id.to_string(), kind.to_string(), Vec::new()));
        } else if let Some((_, _, lines)) = current.as_mut() {
            lines.push(line.to_string());
        }
    }
    finish(current);
    expected
}

/// `known_gaps.txt`: id → (state, reason), state `fails` or `differs`.
fn load_gaps() -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("known_gaps.txt")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let id = parts.next().unwrap().to_string();
            let state = parts.next().unwrap_or("").to_string();
            let reason = parts.next().unwrap_or("").to_string();
            (id, (state, reason))
        })
        .collect()
}

fn first_difference(expected: &Answer, actual: &Answer) -> String {
    match (expected, actual) {
        (
            Answer::Rows {
                columns: ec,
                rows: er,
            },
            Answer::Rows {
                columns: ac,
                rows: ar,
            },
        ) => {
            if ec != ac {
                return format!("columns {ac:?}, PostgreSQL has {ec:?}");
            }
            let missing: Vec<_> = er.iter().filter(|r| !ar.contains(r)).collect();
            let extra: Vec<_> = ar.iter().filter(|r| !er.contains(r)).collect();
            let cut = |s: &str| s.chars().take(120).collect::<String>();
            match (missing.first(), extra.first()) {
                (Some(m), _) => format!(
                    "{} of PostgreSQL's {} rows missing, first: {}",
                    missing.len(),
                    er.len(),
                    cut(m)
                ),
                (None, Some(x)) => format!(
                    "{} rows more than PostgreSQL, first: {}",
                    extra.len(),
                    cut(x)
                ),
                (None, None) => "row multiplicities differ".to_string(),
            }
        }
        (Answer::Error(e), _) => format!("PostgreSQL fails with {e}"),
        (_, Answer::Error(e)) => e.clone(),
    }
}

#[tokio::test]
async fn corpus_catalog_queries_run_and_answer_as_postgresql_does() {
    let queries = load_queries();
    let expected = load_expected();
    let gaps = load_gaps();
    let server = common::start().await;
    let c = common::connect(&server.server).await;
    load_schema(&c, Target::Dsql).await;

    let mut problems = Vec::new();
    let mut states = BTreeMap::new();
    let mut new_gaps = String::from(
        "# Corpus catalog queries that do not yet run on dsql or answer otherwise than PostgreSQL\n\
         # 15 (see tests/corpus.rs). One line per query: <id> <fails|differs> <reason>.\n",
    );
    for q in &queries {
        let outcome = run(&c, q).await;
        let (state, reason) = match (&outcome.extended_error, &outcome.answer) {
            (Some(e), _) | (None, Answer::Error(e)) => ("fails", e.clone()),
            (None, answer) => match expected.get(&q.id) {
                None => (
                    "differs",
                    "no expected answer: run tests/corpus/regenerate.sh".into(),
                ),
                Some(want) if want == answer => ("ok", String::new()),
                Some(want) => ("differs", first_difference(want, answer)),
            },
        };
        *states.entry(state).or_insert(0) += 1;
        let reason = reason.replace('\n', " ");
        if state != "ok" {
            writeln!(new_gaps, "{} {state} {reason}", q.id).unwrap();
        }
        match (state, gaps.get(&q.id)) {
            ("ok", None) => {}
            ("ok", Some(_)) => problems.push(format!(
                "{} now answers as PostgreSQL does: remove it from known_gaps.txt",
                q.id
            )),
            (_, Some((listed, _)))
                if listed == state || (state == "differs" && listed == "fails") => {}
            _ => problems.push(format!(
                "{} ({}) {state}: {reason}\n    {}",
                q.id,
                q.clients.join(", "),
                q.sql
                    .chars()
                    .take(200)
                    .collect::<String>()
                    .replace('\n', " ")
            )),
        }
    }
    eprintln!(
        "{} catalog queries: {} answer as PostgreSQL does, {} differ, {} fail",
        queries.len(),
        states.get("ok").unwrap_or(&0),
        states.get("differs").unwrap_or(&0),
        states.get("fails").unwrap_or(&0)
    );
    if std::env::var_os("DSQL_CORPUS_WRITE_GAPS").is_some() {
        std::fs::write(corpus_dir().join("known_gaps.txt"), new_gaps).unwrap();
        return;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Writes `tests/corpus/expected.txt` from the PostgreSQL named by `DSQL_CORPUS_POSTGRES` (a
/// libpq connection string, without TLS); `tests/corpus/regenerate.sh` starts a throwaway one.
#[tokio::test]
#[ignore = "run by tests/corpus/regenerate.sh against a throwaway PostgreSQL"]
async fn regenerate_expected_answers_from_postgresql() {
    let conninfo = std::env::var("DSQL_CORPUS_POSTGRES").expect("DSQL_CORPUS_POSTGRES");
    let (c, connection) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    load_schema(&c, Target::Postgres).await;
    let mut out = String::from(
        "# PostgreSQL 15's answers to tests/corpus/catalog_queries.jsonl over\n\
         # tests/corpus/schema.sql, written by tests/corpus/regenerate.sh.\n",
    );
    for q in load_queries() {
        out.push_str(&run(&c, &q).await.answer.render(&q.id));
    }
    std::fs::write(corpus_dir().join("expected.txt"), out).unwrap();
}
