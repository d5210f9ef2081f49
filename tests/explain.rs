//! Golden tests of EXPLAIN output: each `tests/explain/<scenario>.sql` runs against a fresh
//! server, and the plans its `EXPLAIN` statements print must equal `<scenario>.out`.
//!
//! Statements are separated by `;` at the end of a line. Statements other than EXPLAIN just
//! run (a `CREATE INDEX ASYNC` waits for its build job). After a planner change, rewrite the
//! expected files with `DSQL_REGENERATE_GOLDEN=1 cargo test --test explain` and review the
//! change as a diff: plans may only change for the better.

mod common;

use std::path::{Path, PathBuf};
use tokio_postgres::{Client, SimpleQueryMessage};

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/explain");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/explain")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

/// The statements of a scenario: split at `;` ending a line, comments and blanks dropped.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with("--") || line.trim().is_empty() {
            continue;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if let Some(stmt) = current.strip_suffix(';') {
            out.push(stmt.trim().to_string());
            current.clear();
        }
    }
    assert!(
        current.trim().is_empty(),
        "statement without `;`: {current}"
    );
    out
}

fn rows(messages: Vec<SimpleQueryMessage>) -> Vec<String> {
    messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("NULL").to_string()),
            _ => None,
        })
        .collect()
}

/// Runs a scenario and returns what its EXPLAIN statements printed.
async fn run(c: &Client, script: &str) -> String {
    let mut out = String::new();
    for stmt in statements(script) {
        let upper = stmt.to_ascii_uppercase();
        if upper.starts_with("EXPLAIN") {
            out.push_str(&format!("-- {stmt}\n"));
            match c.simple_query(&stmt).await {
                Ok(messages) => {
                    for line in rows(messages) {
                        out.push_str(&line);
                        out.push('\n');
                    }
                }
                Err(e) => out.push_str(&format!(
                    "ERROR: {} {}\n",
                    common::sqlstate(&e),
                    common::message(&e)
                )),
            }
            out.push('\n');
        } else if upper.starts_with("CREATE INDEX ASYNC")
            || upper.starts_with("CREATE UNIQUE INDEX ASYNC")
        {
            assert!(
                common::build_index(c, &stmt).await,
                "{stmt}: the build failed"
            );
        } else {
            c.batch_execute(&stmt)
                .await
                .unwrap_or_else(|e| panic!("{stmt}: {e}"));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_match_the_golden_files() {
    let regenerate = std::env::var_os("DSQL_REGENERATE_GOLDEN").is_some();
    let mut differences = Vec::new();
    let files = scenarios();
    assert!(!files.is_empty(), "no scenarios");
    for file in files {
        let t = common::start().await;
        let c = common::connect(&t.server).await;
        let script = std::fs::read_to_string(&file).unwrap();
        let actual = run(&c, &script).await;
        let expected_path = file.with_extension("out");
        if regenerate {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            differences.push(format!(
                "{}\n--- expected\n{expected}\n--- actual\n{actual}",
                file.display()
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "EXPLAIN output changed (DSQL_REGENERATE_GOLDEN=1 rewrites the files):\n{}",
        differences.join("\n")
    );
}

#[test]
fn scripts_split_at_line_ending_semicolons() {
    assert_eq!(
        statements("-- note\nSELECT 1;\nSELECT\n  2;\n\nEXPLAIN SELECT ';';\n"),
        ["SELECT 1", "SELECT\n  2", "EXPLAIN SELECT ';'"]
    );
}
