//! Session settings: DSQL's `SET` allowlist, value checks, and the defaults `SHOW` reports.
//!
//! DSQL lets a session change only a few parameters: the client-facing formatting ones
//! (`application_name`, `client_encoding`, `datestyle`, `extra_float_digits`,
//! `intervalstyle`, `timezone`), `search_path`, `role`, the transaction characteristics
//! (`transaction_isolation`, only `repeatable read`; `[default_]transaction_read_only`) and
//! the planner's `enable_*` switches. Any other name is refused at planning with 0A000
//! `setting configuration parameter "<name>" not supported`, so nothing changes; `RESET` and
//! `SET ... TO DEFAULT` are accepted for every name (they change nothing for a name that cannot
//! be set). The `dsql.` prefix is reserved (42602):
//!
//! ```text
//!   SET application_name = 'app'        SET
//!   SET LOCAL timezone = 'UTC'           SET      (until the end of the transaction)
//!   RESET timezone / RESET ALL           RESET
//!   RESET work_mem                       RESET
//!   SET work_mem = '64MB'                0A000 setting configuration parameter "work_mem" not supported
//!   SET default_transaction_isolation = 'repeatable read'
//!                                        0A000 setting configuration parameter "default_transaction_isolation" not supported
//!   SET transaction_isolation = 'serializable'
//!                                        0A000 Unsupported isolation level: SERIALIZABLE
//!   SET dsql.x = 1                       42602 invalid configuration parameter name "dsql.x"
//! ```
//!
//! [`plan_set`] and [`plan_reset`] turn the statements into [`Plan`]s with canonical names
//! and validated values; the session keeps the values (with PostgreSQL's rules for `SET
//! LOCAL` and for `SET` inside a transaction block that rolls back).

use crate::error::{Error, Result, SqlState};
use crate::names::{ident_name, literal_text};
use crate::plan::{Columns, Plan};
use crate::refusals;
use crate::types::DataType;
use crate::types::timezone::TimeZone;
use sqlparser::ast;

/// The planner switches PostgreSQL 16 has; DSQL accepts `SET` on them (they do not change
/// how dsql plans, but clients and ORMs set them).
const PLANNER_SWITCHES: &[&str] = &[
    "enable_async_append",
    "enable_bitmapscan",
    "enable_gathermerge",
    "enable_hashagg",
    "enable_hashjoin",
    "enable_incremental_sort",
    "enable_indexonlyscan",
    "enable_indexscan",
    "enable_material",
    "enable_memoize",
    "enable_mergejoin",
    "enable_nestloop",
    "enable_parallel_append",
    "enable_parallel_hash",
    "enable_partition_pruning",
    "enable_partitionwise_aggregate",
    "enable_partitionwise_join",
    "enable_presorted_aggregate",
    "enable_seqscan",
    "enable_sort",
    "enable_tidscan",
    // Not a switch of the planner's, but of the executor's JIT compilation, which dsql does
    // not have; asyncpg turns it off around its type introspection (`set_config('jit', ...)`).
    "jit",
];

/// The canonical name of a parameter as written in SET, SHOW or RESET (lower case, with the
/// SQL-standard spellings mapped to PostgreSQL's names).
pub fn canonical_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "time zone" => "timezone".into(),
        "transaction isolation level" => "transaction_isolation".into(),
        "session authorization" => "session_authorization".into(),
        _ => lower,
    }
}

/// Whether DSQL lets a session SET this (canonical) parameter.
pub fn is_settable(name: &str) -> bool {
    matches!(
        name,
        "application_name"
            | "client_encoding"
            | "datestyle"
            | "extra_float_digits"
            | "intervalstyle"
            | "timezone"
            | "search_path"
            | "role"
            | "transaction_isolation"
            | "transaction_read_only"
            | "default_transaction_read_only"
    ) || PLANNER_SWITCHES.contains(&name)
}

fn not_settable(name: &str) -> Error {
    refusals::setting_not_supported(name)
}

/// 42602 for a name under DSQL's reserved `dsql.` prefix.
fn check_reserved_prefix(name: &str) -> Result<()> {
    if name.starts_with("dsql.") {
        return Err(Error::new(
            SqlState::INVALID_NAME,
            format!("invalid configuration parameter name \"{name}\""),
        )
        .with_detail("\"dsql\" is a reserved prefix."));
    }
    Ok(())
}

fn invalid_value(name: &str, value: &str) -> Error {
    Error::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

/// Parses a PostgreSQL boolean setting value into `on`/`off`.
fn boolean(name: &str, value: &str) -> Result<String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Ok("on".into()),
        "off" | "false" | "no" | "0" | "f" | "n" => Ok("off".into()),
        _ => Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("parameter \"{name}\" requires a Boolean value"),
        )),
    }
}

/// Checks a value for an allowed parameter and returns it as SHOW will report it.
/// `None` (DEFAULT) is allowed for every name outside the reserved `dsql.` prefix.
pub fn validate(name: &str, value: Option<&str>) -> Result<Option<String>> {
    check_reserved_prefix(name)?;
    let Some(value) = value else {
        return Ok(None);
    };
    if !is_settable(name) {
        return Err(not_settable(name));
    }
    Ok(Some(match name {
        "transaction_isolation" => {
            let level = value.trim().to_ascii_lowercase();
            let level = level.split_whitespace().collect::<Vec<_>>().join(" ");
            match level.as_str() {
                "repeatable read" => level,
                "serializable" | "read committed" | "read uncommitted" => {
                    return Err(Error::unsupported(format!(
                        "Unsupported isolation level: {}",
                        level.to_uppercase()
                    )));
                }
                _ => return Err(invalid_value(name, value)),
            }
        }
        "transaction_read_only" | "default_transaction_read_only" => boolean(name, value)?,
        n if n.starts_with("enable_") => boolean(name, value)?,
        "extra_float_digits" => {
            let digits: i32 = value
                .trim()
                .parse()
                .map_err(|_| invalid_value(name, value))?;
            if !(-15..=3).contains(&digits) {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!(
                        "{digits} is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"
                    ),
                ));
            }
            digits.to_string()
        }
        "timezone" => match TimeZone::parse_setting(value) {
            Some((_, shown)) => shown,
            None => {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("invalid value for parameter \"TimeZone\": \"{value}\""),
                ));
            }
        },
        "client_encoding" => match value.trim().to_ascii_uppercase().replace('-', "").as_str() {
            "UTF8" | "UNICODE" => "UTF8".into(),
            // The database is UTF-8 only and the server does not convert encodings.
            _ => return Err(invalid_value(name, value)),
        },
        _ => value.to_string(),
    }))
}

/// Plans the statements that read or change session parameters: `SET` (and `SET ROLE`,
/// `SET TRANSACTION`), `RESET` and `SHOW`, with their result columns; `None` for any other
/// statement. The session asks this before the planner.
pub fn plan_statement(stmt: &ast::Statement) -> Option<Result<(Plan, Columns)>> {
    Some(match stmt {
        ast::Statement::Set(set) => (|| {
            Ok((
                match crate::planner::plan_set_role(set)? {
                    Some(plan) => plan,
                    None => plan_set(set)?,
                },
                vec![],
            ))
        })(),
        ast::Statement::Reset(reset)
            if matches!(&reset.reset, ast::Reset::ConfigurationParameter(name)
                if name.to_string().eq_ignore_ascii_case("role")) =>
        {
            Ok((Plan::SetRole(None), vec![]))
        }
        ast::Statement::Reset(reset) => plan_reset(reset).map(|plan| (plan, vec![])),
        ast::Statement::ShowVariable { variable } => {
            let name = variable
                .iter()
                .map(ident_name)
                .collect::<Vec<_>>()
                .join(" ");
            let name = canonical_name(&name);
            Ok((
                Plan::Show { name: name.clone() },
                vec![(name, DataType::Text)],
            ))
        }
        _ => return None,
    })
}

/// Plans a `SET` statement: an allowed parameter with a valid value, or 0A000.
pub fn plan_set(set: &ast::Set) -> Result<Plan> {
    match set {
        ast::Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => {
            let name = canonical_name(&variable.to_string());
            let value = match values.as_slice() {
                [ast::Expr::Identifier(i)]
                    if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") =>
                {
                    None
                }
                [single] => Some(literal_text(single)),
                many => Some(many.iter().map(literal_text).collect::<Vec<_>>().join(", ")),
            };
            let value = validate(&name, value.as_deref())?;
            Ok(Plan::Set {
                name,
                value,
                local: matches!(scope, Some(ast::ContextModifier::Local)),
            })
        }
        ast::Set::SetTimeZone { local, value } => {
            let value = match value {
                ast::Expr::Identifier(i)
                    if i.quote_style.is_none()
                        && (i.value.eq_ignore_ascii_case("local")
                            || i.value.eq_ignore_ascii_case("default")) =>
                {
                    None
                }
                other => Some(literal_text(other)),
            };
            Ok(Plan::Set {
                name: "timezone".into(),
                value: validate("timezone", value.as_deref())?,
                local: *local,
            })
        }
        ast::Set::SetNames { charset_name, .. } => Ok(Plan::Set {
            name: "client_encoding".into(),
            value: validate("client_encoding", Some(&charset_name.value))?,
            local: false,
        }),
        ast::Set::SetRole {
            context_modifier,
            role_name,
        } => Ok(Plan::Set {
            name: "role".into(),
            value: role_name.as_ref().map(ident_name),
            local: matches!(context_modifier, Some(ast::ContextModifier::Local)),
        }),
        ast::Set::SetTransaction {
            modes,
            snapshot,
            session,
        } => {
            if snapshot.is_some() {
                return Err(Error::unsupported(
                    "unsupported statement: SET TRANSACTION SNAPSHOT",
                ));
            }
            // DSQL refuses SET TRANSACTION in every form; only the session's characteristics
            // can be set (to what DSQL offers anyway).
            if !*session {
                return Err(not_settable("TRANSACTION"));
            }
            refusals::check_transaction_modes(modes)?;
            let mut read_only = None;
            for mode in modes {
                if let ast::TransactionMode::AccessMode(access) = mode {
                    read_only = Some(matches!(access, ast::TransactionAccessMode::ReadOnly));
                }
            }
            Ok(Plan::SetTransaction {
                read_only,
                session: *session,
            })
        }
        ast::Set::SetSessionAuthorization(_) => Err(not_settable("session_authorization")),
        ast::Set::ParenthesizedAssignments { .. }
        | ast::Set::MultipleAssignments { .. }
        | ast::Set::SetSessionParam(_)
        | ast::Set::SetNamesDefault {} => Err(Error::syntax(format!(
            "syntax error at or near \"{}\"",
            set.to_string().split_whitespace().nth(1).unwrap_or("SET")
        ))),
    }
}

/// Plans `RESET name` (the same as `SET name TO DEFAULT`) and `RESET ALL`.
pub fn plan_reset(reset: &ast::ResetStatement) -> Result<Plan> {
    match &reset.reset {
        ast::Reset::ALL => Ok(Plan::ResetAll),
        ast::Reset::SessionAuthorization => Err(not_settable("session_authorization")),
        ast::Reset::ConfigurationParameter(name) => {
            let name = canonical_name(&name.to_string());
            validate(&name, None)?;
            Ok(Plan::Set {
                name,
                value: None,
                local: false,
            })
        }
    }
}

/// `search_path` when no SET changed it.
pub const DEFAULT_SEARCH_PATH: &str = "\"$user\", public";

/// The value SHOW reports for a parameter nobody set, if the parameter exists.
pub fn default_value(name: &str) -> Option<String> {
    if PLANNER_SWITCHES.contains(&name) {
        return Some("on".into());
    }
    Some(
        match name {
            "server_version" => crate::SERVER_VERSION,
            "server_version_num" => crate::SERVER_VERSION_NUM,
            "server_encoding" | "client_encoding" => "UTF8",
            "transaction_isolation" | "default_transaction_isolation" => "repeatable read",
            "standard_conforming_strings" => "on",
            "timezone" => "UTC",
            "datestyle" => "ISO, MDY",
            "intervalstyle" => "postgres",
            "integer_datetimes" => "on",
            "search_path" => DEFAULT_SEARCH_PATH,
            "application_name" => "",
            "extra_float_digits" => "1",
            "max_identifier_length" => "63",
            "max_index_keys" => "32",
            "default_transaction_read_only" | "transaction_read_only" => "off",
            "lc_collate" | "lc_ctype" => "C",
            "default_table_access_method" => "heap",
            "is_superuser" => "on",
            "role" => "none",
            _ => return None,
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn plan(sql: &str) -> Result<Plan> {
        let stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("parses");
        match &stmts[0] {
            ast::Statement::Set(set) => plan_set(set),
            ast::Statement::Reset(reset) => plan_reset(reset),
            other => panic!("not a SET: {other}"),
        }
    }

    fn set(sql: &str) -> (String, Option<String>, bool) {
        match plan(sql).expect(sql) {
            Plan::Set { name, value, local } => (name, value, local),
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn allowed_parameters_plan_with_canonical_names_and_values() {
        assert_eq!(
            set("SET application_name = 'app'"),
            ("application_name".into(), Some("app".into()), false)
        );
        assert_eq!(
            set("SET LOCAL TIME ZONE 'Europe/Paris'"),
            ("timezone".into(), Some("Europe/Paris".into()), true)
        );
        assert_eq!(
            set("SET enable_seqscan = false"),
            ("enable_seqscan".into(), Some("off".into()), false)
        );
        assert_eq!(
            set("SET transaction_isolation = 'REPEATABLE  READ'"),
            (
                "transaction_isolation".into(),
                Some("repeatable read".into()),
                false
            )
        );
        assert_eq!(
            set("SET client_encoding = 'utf-8'"),
            ("client_encoding".into(), Some("UTF8".into()), false)
        );
        assert_eq!(set("RESET DateStyle"), ("datestyle".into(), None, false));
        assert_eq!(
            set("SET search_path TO DEFAULT"),
            ("search_path".into(), None, false)
        );
        assert!(matches!(plan("RESET ALL"), Ok(Plan::ResetAll)));
        // RESET and DEFAULT are accepted for every name, settable or not.
        assert_eq!(set("RESET work_mem"), ("work_mem".into(), None, false));
        assert_eq!(
            set("SET statement_timeout TO DEFAULT"),
            ("statement_timeout".into(), None, false)
        );
    }

    #[test]
    fn other_parameters_are_refused() {
        for (sql, name) in [
            ("SET work_mem = '64MB'", "work_mem"),
            ("SET statement_timeout = 1000", "statement_timeout"),
            ("SET enable_magic = on", "enable_magic"),
            ("SET myapp.tenant = 'x'", "myapp.tenant"),
            (
                "SET default_transaction_isolation = 'repeatable read'",
                "default_transaction_isolation",
            ),
            ("SET TRANSACTION READ ONLY", "TRANSACTION"),
            (
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                "TRANSACTION",
            ),
        ] {
            let e = plan(sql).unwrap_err();
            assert_eq!(e.code(), "0A000", "{sql}");
            assert_eq!(
                e.message,
                format!("setting configuration parameter \"{name}\" not supported")
            );
        }
    }

    #[test]
    fn the_dsql_prefix_is_reserved() {
        for sql in ["SET dsql.x = 1", "RESET dsql.x"] {
            let e = plan(sql).unwrap_err();
            assert_eq!(
                (e.code(), e.message.as_str(), e.detail.as_deref()),
                (
                    "42602",
                    "invalid configuration parameter name \"dsql.x\"",
                    Some("\"dsql\" is a reserved prefix.")
                ),
                "{sql}"
            );
        }
    }

    #[test]
    fn bad_values_are_refused() {
        let e = plan("SET transaction_isolation = 'serializable'").unwrap_err();
        assert_eq!(
            (e.code(), e.message.as_str()),
            ("0A000", "Unsupported isolation level: SERIALIZABLE")
        );
        assert_eq!(
            plan("SET transaction_isolation = 'sideways'")
                .unwrap_err()
                .code(),
            "22023"
        );
        assert_eq!(
            plan("SET enable_sort = maybe").unwrap_err().message,
            "parameter \"enable_sort\" requires a Boolean value"
        );
        assert_eq!(
            plan("SET extra_float_digits = 9").unwrap_err().code(),
            "22023"
        );
        assert_eq!(
            plan("SET client_encoding = 'LATIN1'").unwrap_err().code(),
            "22023"
        );
    }

    #[test]
    fn session_characteristics_carry_the_access_mode() {
        assert!(matches!(
            plan(
                "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE"
            ),
            Ok(Plan::SetTransaction {
                read_only: Some(false),
                session: true
            })
        ));
    }
}
