//! Scopes: the columns an expression may refer to, and the extra state of an aggregated
//! query.
//!
//! A scope is the row an expression is evaluated on: the columns of the one table in FROM
//! (qualified by its alias, or else by its name), the columns of a VALUES list, or nothing.
//! A column reference resolves to its position in that row.

use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::expr::AggCall;
use crate::value::DataType;

/// A column visible to expressions.
#[derive(Clone, Debug)]
pub(super) struct ScopeColumn {
    /// The table name or alias that qualifies the column; `None` for a VALUES column.
    pub(super) table: Option<String>,
    /// The column name.
    pub(super) name: String,
    /// The column type.
    pub(super) data_type: DataType,
}

/// The columns an expression may refer to.
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    /// The columns, in the order of the row expressions are evaluated on.
    pub(super) columns: Vec<ScopeColumn>,
}

impl Scope {
    /// The columns of `table`, qualified by `alias` or else by the table name.
    pub(super) fn of_table(table: &TableDef, alias: Option<&str>) -> Scope {
        let qualifier = alias.unwrap_or(&table.name).to_string();
        Scope {
            columns: table
                .columns
                .iter()
                .map(|c| ScopeColumn {
                    table: Some(qualifier.clone()),
                    name: c.name.clone(),
                    data_type: c.data_type,
                })
                .collect(),
        }
    }

    /// Resolves a column reference (`name` or `table.name`) to its position and type: 42702
    /// when it is ambiguous, 42P01 for an unknown qualifier, 42703 for an unknown column.
    pub(super) fn resolve(&self, table: Option<&str>, name: &str) -> Result<(usize, DataType)> {
        let mut found = None;
        for (i, c) in self.columns.iter().enumerate() {
            if c.name == name && (table.is_none() || c.table.as_deref() == table) {
                if found.is_some() {
                    return Err(Error::new(
                        SqlState::AMBIGUOUS_COLUMN,
                        format!("column reference \"{name}\" is ambiguous"),
                    ));
                }
                found = Some((i, c.data_type));
            }
        }
        found.ok_or_else(|| match table {
            Some(t) if !self.columns.iter().any(|c| c.table.as_deref() == Some(t)) => Error::new(
                SqlState::UNDEFINED_TABLE,
                format!("missing FROM-clause entry for table \"{t}\""),
            ),
            Some(t) => Error::undefined_column(&format!("{t}.{name}")),
            None => Error::undefined_column(name),
        })
    }
}

/// State for planning expressions of an aggregated query.
pub(super) struct AggState {
    /// GROUP BY expressions (their SQL text, for matching) with their types.
    pub(super) groups: Vec<(String, DataType)>,
    /// The aggregate calls found so far.
    pub(super) aggs: Vec<AggCall>,
}
