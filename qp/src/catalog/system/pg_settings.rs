//! `pg_catalog.pg_settings`: the run-time parameters a session of dsql has, with their values
//! for the session (as `SHOW` and `current_setting` give them) and PostgreSQL's descriptions:
//! the ones DSQL lets a session set, and the preset ones clients read (`server_version`,
//! `max_index_keys`, ...). `is_superuser` and `role` are hidden, as in PostgreSQL.

use super::{Catalog, SessionInfo, SystemColumn, SystemKind, SystemTable, column, nullable};
use crate::catalog::oids::Oid;
use crate::types::{Array, DataType, ElementType, Value};

/// A parameter as `pg_settings` describes it (PostgreSQL's text).
struct Parameter {
    name: &'static str,
    vartype: &'static str,
    context: &'static str,
    category: &'static str,
    short_desc: &'static str,
    min: Option<&'static str>,
    max: Option<&'static str>,
    /// An enum's values, comma-separated.
    enumvals: Option<&'static str>,
}

/// The parameters, by name as PostgreSQL spells it (`DateStyle`), in `pg_settings`' order.
static PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "application_name",
        vartype: "string",
        context: "user",
        category: "Reporting and Logging / What to Log",
        short_desc: "Sets the application name to be reported in statistics and logs.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "client_encoding",
        vartype: "string",
        context: "user",
        category: "Client Connection Defaults / Locale and Formatting",
        short_desc: "Sets the client's character set encoding.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "DateStyle",
        vartype: "string",
        context: "user",
        category: "Client Connection Defaults / Locale and Formatting",
        short_desc: "Sets the display format for date and time values.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "default_table_access_method",
        vartype: "string",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the default table access method for new tables.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "default_transaction_isolation",
        vartype: "enum",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the transaction isolation level of each new transaction.",
        min: None,
        max: None,
        enumvals: Some("serializable,repeatable read,read committed,read uncommitted"),
    },
    Parameter {
        name: "default_transaction_read_only",
        vartype: "bool",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the default read-only status of new transactions.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_async_append",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of async append plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_bitmapscan",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of bitmap-scan plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_gathermerge",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of gather merge plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_hashagg",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of hashed aggregation plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_hashjoin",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of hash join plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_incremental_sort",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of incremental sort steps.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_indexonlyscan",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of index-only-scan plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_indexscan",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of index-scan plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_material",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of materialization.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_memoize",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of memoization.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_mergejoin",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of merge join plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_nestloop",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of nested-loop join plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_parallel_append",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of parallel append plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_parallel_hash",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of parallel hash plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_partition_pruning",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables plan-time and execution-time partition pruning.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_partitionwise_aggregate",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables partitionwise aggregation and grouping.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_partitionwise_join",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables partitionwise join.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_presorted_aggregate",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's ability to produce plans that provide presorted input for ORDER BY / DISTINCT aggregate functions.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_seqscan",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of sequential-scan plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_sort",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of explicit sort steps.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "enable_tidscan",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Planner Method Configuration",
        short_desc: "Enables the planner's use of TID scan plans.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "extra_float_digits",
        vartype: "integer",
        context: "user",
        category: "Client Connection Defaults / Locale and Formatting",
        short_desc: "Sets the number of digits displayed for floating-point values.",
        min: Some("-15"),
        max: Some("3"),
        enumvals: None,
    },
    Parameter {
        name: "integer_datetimes",
        vartype: "bool",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows whether datetimes are integer based.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "IntervalStyle",
        vartype: "enum",
        context: "user",
        category: "Client Connection Defaults / Locale and Formatting",
        short_desc: "Sets the display format for interval values.",
        min: None,
        max: None,
        enumvals: Some("postgres,postgres_verbose,sql_standard,iso_8601"),
    },
    Parameter {
        name: "jit",
        vartype: "bool",
        context: "user",
        category: "Query Tuning / Other Planner Options",
        short_desc: "Allow JIT compilation.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "lc_collate",
        vartype: "string",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the collation order locale.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "lc_ctype",
        vartype: "string",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the character classification and case conversion locale.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "max_identifier_length",
        vartype: "integer",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the maximum identifier length.",
        min: Some("63"),
        max: Some("63"),
        enumvals: None,
    },
    Parameter {
        name: "max_index_keys",
        vartype: "integer",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the maximum number of index keys.",
        min: Some("32"),
        max: Some("32"),
        enumvals: None,
    },
    Parameter {
        name: "search_path",
        vartype: "string",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the schema search order for names that are not schema-qualified.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "server_encoding",
        vartype: "string",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the server (database) character set encoding.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "server_version",
        vartype: "string",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the server version.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "server_version_num",
        vartype: "integer",
        context: "internal",
        category: "Preset Options",
        short_desc: "Shows the server version as an integer.",
        min: Some("160015"),
        max: Some("160015"),
        enumvals: None,
    },
    Parameter {
        name: "standard_conforming_strings",
        vartype: "bool",
        context: "user",
        category: "Version and Platform Compatibility / Previous PostgreSQL Versions",
        short_desc: "Causes '...' strings to treat backslashes literally.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "TimeZone",
        vartype: "string",
        context: "user",
        category: "Client Connection Defaults / Locale and Formatting",
        short_desc: "Sets the time zone for displaying and interpreting time stamps.",
        min: None,
        max: None,
        enumvals: None,
    },
    Parameter {
        name: "transaction_isolation",
        vartype: "enum",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the current transaction's isolation level.",
        min: None,
        max: None,
        enumvals: Some("serializable,repeatable read,read committed,read uncommitted"),
    },
    Parameter {
        name: "transaction_read_only",
        vartype: "bool",
        context: "user",
        category: "Client Connection Defaults / Statement Behavior",
        short_desc: "Sets the current transaction's read-only status.",
        min: None,
        max: None,
        enumvals: None,
    },
];

/// `pg_settings` (a view in PostgreSQL; `sourcefile`, `sourceline` NULL: dsql reads no
/// configuration file).
pub struct PgSettings;

impl SystemTable for PgSettings {
    fn name(&self) -> &'static str {
        "pg_settings"
    }
    fn oid(&self) -> Oid {
        12233
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("name", DataType::Text),
            nullable("setting", DataType::Text),
            nullable("unit", DataType::Text),
            column("category", DataType::Text),
            column("short_desc", DataType::Text),
            nullable("extra_desc", DataType::Text),
            column("context", DataType::Text),
            column("vartype", DataType::Text),
            column("source", DataType::Text),
            nullable("min_val", DataType::Text),
            nullable("max_val", DataType::Text),
            nullable("enumvals", DataType::Array(ElementType::Text)),
            nullable("boot_val", DataType::Text),
            nullable("reset_val", DataType::Text),
            nullable("sourcefile", DataType::Text),
            nullable("sourceline", DataType::Int4),
            column("pending_restart", DataType::Bool),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, session: &SessionInfo<'_>) -> Vec<Vec<Value>> {
        let Some(settings) = session.settings else {
            return Vec::new();
        };
        let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_string()));
        PARAMETERS
            .iter()
            .map(|p| {
                let key = p.name.to_ascii_lowercase();
                let boot = settings.default_value(&key);
                let setting = settings.get(&key).or_else(|| boot.clone());
                let source = if p.context == "internal" {
                    "override"
                } else if setting == boot {
                    "default"
                } else {
                    "session"
                };
                let enumvals = p.enumvals.map_or(Value::Null, |e| {
                    Value::array(Array::from_elements(
                        e.split(',').map(|v| Value::Text(v.to_string())).collect(),
                    ))
                });
                vec![
                    Value::Text(p.name.to_string()),
                    text(setting.as_deref()),
                    Value::Null,
                    Value::Text(p.category.to_string()),
                    Value::Text(p.short_desc.to_string()),
                    Value::Null,
                    Value::Text(p.context.to_string()),
                    Value::Text(p.vartype.to_string()),
                    Value::Text(source.to_string()),
                    text(p.min),
                    text(p.max),
                    enumvals,
                    text(boot.as_deref()),
                    text(boot.as_deref()),
                    Value::Null,
                    Value::Null,
                    Value::Bool(false),
                ]
            })
            .collect()
    }
}
