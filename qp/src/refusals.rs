//! Statements Aurora DSQL refuses, recognised before planning.
//!
//! sqlparser accepts much of PostgreSQL that DSQL does not run: TRUNCATE, VACUUM, cursors,
//! SQL-level PREPARE, LISTEN/NOTIFY, LOCK, savepoints, triggers, extensions, materialized
//! views, temporary, unlogged and partitioned tables, PL/pgSQL, isolation levels other than
//! snapshot isolation. [`check`] runs first on every statement, before the catalog is read or
//! anything is written, and answers 0A000 (`feature_not_supported`) with DSQL's wording:
//!
//! ```text
//!   TRUNCATE t                            0A000 unsupported statement: Truncate
//!   SAVEPOINT a                           0A000 unsupported statement: Savepoint
//!   BEGIN ISOLATION LEVEL SERIALIZABLE    0A000 Unsupported isolation level: SERIALIZABLE
//!   CREATE TABLE t (id serial)            0A000 datatype serial not supported
//! ```
//!
//! DSQL names the refused statement by its PostgreSQL parse-node kind (a client that sends
//! SQL-level `EXECUTE` reads `unsupported statement: Execute`); the names here follow that
//! pattern. `DO` blocks do not parse with sqlparser at all; [`check_unparsed`] recognises
//! them so they are refused as unsupported (0A000) rather than as syntax errors (42601).
//! Statements DSQL does support but this server does not implement yet are left to the
//! planner, whose messages say "not supported yet".

use crate::error::{Error, Result};
use sqlparser::ast;

fn unsupported_statement(kind: &str) -> Error {
    Error::unsupported(format!("unsupported statement: {kind}"))
}

/// 0A000 `Unsupported isolation level: <LEVEL>` for any level but REPEATABLE READ (DSQL's
/// snapshot isolation, which it reports as `repeatable read`).
pub fn check_isolation_level(level: &ast::TransactionIsolationLevel) -> Result<()> {
    if matches!(level, ast::TransactionIsolationLevel::RepeatableRead) {
        return Ok(());
    }
    Err(Error::unsupported(format!(
        "Unsupported isolation level: {}",
        level.to_string().to_uppercase()
    )))
}

/// Checks the isolation levels among transaction modes (BEGIN, SET TRANSACTION).
pub fn check_transaction_modes(modes: &[ast::TransactionMode]) -> Result<()> {
    for mode in modes {
        if let ast::TransactionMode::IsolationLevel(level) = mode {
            check_isolation_level(level)?;
        }
    }
    Ok(())
}

/// Refuses a statement DSQL does not run, with 0A000; `Ok` for everything else.
pub fn check(stmt: &ast::Statement) -> Result<()> {
    use ast::Statement as S;
    match stmt {
        S::Truncate(_) => Err(unsupported_statement("Truncate")),
        S::Vacuum(_) => Err(unsupported_statement("Vacuum")),
        S::LISTEN { .. } => Err(unsupported_statement("Listen")),
        S::UNLISTEN { .. } => Err(unsupported_statement("Unlisten")),
        S::NOTIFY { .. } => Err(unsupported_statement("Notify")),
        S::Lock(_) | S::LockTables { .. } | S::UnlockTables => Err(unsupported_statement("Lock")),
        S::Prepare { .. } => Err(unsupported_statement("Prepare")),
        S::Execute { .. } => Err(unsupported_statement("Execute")),
        S::Deallocate { .. } => Err(unsupported_statement("Deallocate")),
        S::Declare { .. } => Err(unsupported_statement("DeclareCursor")),
        S::Fetch { .. } => Err(unsupported_statement("Fetch")),
        S::Close { .. } => Err(unsupported_statement("ClosePortal")),
        S::CreateDatabase { .. } => Err(unsupported_statement("CreateDatabase")),
        S::CreateTrigger(_) => Err(unsupported_statement("CreateTrigger")),
        S::CreateExtension(_) => Err(unsupported_statement("CreateExtension")),
        S::Savepoint { .. } => Err(unsupported_statement("Savepoint")),
        S::ReleaseSavepoint { .. } => Err(unsupported_statement("ReleaseSavepoint")),
        S::Rollback {
            savepoint: Some(_), ..
        } => Err(unsupported_statement("RollbackToSavepoint")),
        S::CreateView(view) if view.materialized => {
            Err(unsupported_statement("CreateMaterializedView"))
        }
        S::CreateFunction(f) => check_function_language(f),
        S::CreateTable(create) => check_create_table(create),
        S::StartTransaction { modes, .. } => check_transaction_modes(modes),
        S::Set(ast::Set::SetTransaction { modes, .. }) => check_transaction_modes(modes),
        _ => Ok(()),
    }
}

/// Functions in any language but SQL (PL/pgSQL and the rest) are refused.
fn check_function_language(f: &ast::CreateFunction) -> Result<()> {
    match &f.language {
        Some(lang) if !lang.value.eq_ignore_ascii_case("sql") => Err(Error::unsupported(format!(
            "language {} not supported",
            lang.value.to_lowercase()
        ))),
        _ => Ok(()),
    }
}

fn check_create_table(create: &ast::CreateTable) -> Result<()> {
    if create.temporary {
        return Err(Error::unsupported("temporary tables are not supported"));
    }
    if create.unlogged {
        return Err(Error::unsupported("unlogged tables are not supported"));
    }
    if create.partition_by.is_some() || create.partition_of.is_some() {
        return Err(Error::unsupported("partitioned tables are not supported"));
    }
    for column in &create.columns {
        if let ast::DataType::Custom(name, _) = &column.data_type {
            let name = name.to_string().to_lowercase();
            if matches!(
                name.as_str(),
                "serial" | "serial2" | "serial4" | "serial8" | "smallserial" | "bigserial"
            ) {
                return Err(Error::unsupported(format!("datatype {name} not supported")));
            }
        }
    }
    Ok(())
}

/// Recognises refused statements that sqlparser cannot parse (so the client reads 0A000, not
/// a syntax error): a `DO` block. `sql` is the whole text that failed to parse.
pub fn check_unparsed(sql: &str) -> Option<Error> {
    let first_word: String = strip_leading_comments(sql)
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if first_word.eq_ignore_ascii_case("do") {
        return Some(unsupported_statement("Do"));
    }
    None
}

fn strip_leading_comments(mut sql: &str) -> &str {
    loop {
        sql = sql.trim_start();
        if let Some(rest) = sql.strip_prefix("--") {
            sql = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = sql.strip_prefix("/*") {
            sql = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return sql;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn refusal(sql: &str) -> Option<(&'static str, String)> {
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("parses");
        check(&stmts[0]).err().map(|e| (e.code(), e.message))
    }

    #[test]
    fn refused_statements_name_their_kind() {
        for (sql, kind) in [
            ("TRUNCATE t", "Truncate"),
            ("VACUUM", "Vacuum"),
            ("LISTEN ch", "Listen"),
            ("NOTIFY ch, 'x'", "Notify"),
            ("UNLISTEN *", "Unlisten"),
            ("LOCK TABLE t IN EXCLUSIVE MODE", "Lock"),
            ("PREPARE p AS SELECT 1", "Prepare"),
            ("EXECUTE p", "Execute"),
            ("DEALLOCATE p", "Deallocate"),
            ("DECLARE c CURSOR FOR SELECT 1", "DeclareCursor"),
            ("CREATE DATABASE x", "CreateDatabase"),
            (
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
                "CreateTrigger",
            ),
            ("CREATE EXTENSION pgcrypto", "CreateExtension"),
            ("SAVEPOINT a", "Savepoint"),
            ("RELEASE SAVEPOINT a", "ReleaseSavepoint"),
            ("ROLLBACK TO SAVEPOINT a", "RollbackToSavepoint"),
            (
                "CREATE MATERIALIZED VIEW mv AS SELECT 1",
                "CreateMaterializedView",
            ),
        ] {
            assert_eq!(
                refusal(sql),
                Some(("0A000", format!("unsupported statement: {kind}"))),
                "{sql}"
            );
        }
    }

    #[test]
    fn refused_table_kinds_and_languages() {
        for (sql, message) in [
            (
                "CREATE TEMP TABLE t (a int)",
                "temporary tables are not supported",
            ),
            (
                "CREATE UNLOGGED TABLE t (a int)",
                "unlogged tables are not supported",
            ),
            (
                "CREATE TABLE p (a int) PARTITION BY RANGE (a)",
                "partitioned tables are not supported",
            ),
            (
                "CREATE TABLE t (id serial PRIMARY KEY)",
                "datatype serial not supported",
            ),
            (
                "CREATE TABLE t (id bigserial PRIMARY KEY)",
                "datatype bigserial not supported",
            ),
            (
                "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$",
                "language plpgsql not supported",
            ),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                "Unsupported isolation level: SERIALIZABLE",
            ),
            (
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "Unsupported isolation level: READ COMMITTED",
            ),
            (
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
                "Unsupported isolation level: READ UNCOMMITTED",
            ),
        ] {
            assert_eq!(refusal(sql), Some(("0A000", message.to_string())), "{sql}");
        }
    }

    #[test]
    fn supported_statements_pass() {
        for sql in [
            "SELECT 1",
            "CREATE TABLE t (id int PRIMARY KEY)",
            "BEGIN ISOLATION LEVEL REPEATABLE READ",
            "CREATE VIEW v AS SELECT 1",
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
            "ROLLBACK",
        ] {
            assert_eq!(refusal(sql), None, "{sql}");
        }
    }

    #[test]
    fn do_blocks_are_unsupported_not_syntax_errors() {
        let e = check_unparsed("  -- note\n DO $$BEGIN END$$").expect("refused");
        assert_eq!(
            (e.code(), e.message.as_str()),
            ("0A000", "unsupported statement: Do")
        );
        assert!(check_unparsed("SELEC 1").is_none());
        assert!(check_unparsed("DOUBLE").is_none());
    }
}
