//! Scopes: the columns an expression may refer to, the enclosing queries' scopes, and the
//! extra state of an aggregated query.
//!
//! A scope is the row an expression is evaluated on: the columns of the FROM list (each
//! qualified by its table's alias, or else by its name), the columns of a VALUES list, or
//! nothing. A join's scope is the left side's columns followed by the right side's; the
//! columns a `USING` or `NATURAL` join merges are reached by their bare name as one merged
//! column and are left out of `*` on each side. A column reference resolves to its
//! position in that row; a name not found there is looked up in the enclosing queries'
//! scopes, innermost first ([`OuterScope`]), and becomes an [`Expr::Outer`] reference.

use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::expr::{AggCall, Expr};
use crate::types::DataType;

/// A column visible to expressions.
#[derive(Clone, Debug)]
pub(super) struct ScopeColumn {
    /// The table name or alias that qualifies the column; `None` for a VALUES column.
    pub(super) table: Option<String>,
    /// The column name.
    pub(super) name: String,
    /// The column type.
    pub(super) data_type: DataType,
    /// Merged into a `USING` / `NATURAL` join column: reached only by its qualified name,
    /// and not part of an unqualified `*`.
    pub(super) hidden: bool,
}

/// A column a `USING` or `NATURAL` join merges from both sides.
#[derive(Clone, Debug)]
pub(super) struct MergedColumn {
    /// The column name.
    pub(super) name: String,
    /// Its value over the joined row: the left column (the right one for a RIGHT join,
    /// `coalesce(left, right)` for a FULL join).
    pub(super) expr: Expr,
    /// Its type.
    pub(super) data_type: DataType,
}

/// The columns an expression may refer to.
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    /// The columns, in the order of the row expressions are evaluated on.
    pub(super) columns: Vec<ScopeColumn>,
    /// The merged columns of `USING` / `NATURAL` joins, first in `*`.
    pub(super) merged: Vec<MergedColumn>,
    /// Tables given another name in FROM: (table name, alias). Qualifying a column with the
    /// table's own name is then an error that names the alias.
    pub(super) aliased: Vec<(String, String)>,
}

/// The scope of an enclosing query, as a subquery sees it.
#[derive(Clone, Debug)]
pub(super) struct OuterScope {
    /// The enclosing query's columns.
    pub(super) scope: Scope,
    /// When the subquery sits where the enclosing query's rows are already grouped (its
    /// select list, HAVING or ORDER BY): the GROUP BY expressions (SQL text and type), the
    /// only columns it may read, at their positions in the grouped row.
    pub(super) groups: Option<Vec<(String, DataType)>>,
}

/// The qualifier of the references `SELECT *` makes to columns by position (no SQL name can
/// hold the NUL character).
const POSITION_QUALIFIER: &str = "\u{0}position";

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
                    hidden: false,
                })
                .collect(),
            merged: Vec::new(),
            aliased: match alias {
                Some(a) if a != table.name => vec![(table.name.clone(), a.to_string())],
                _ => Vec::new(),
            },
        }
    }

    /// The columns of a relation named `name` that is not a stored table (a system
    /// relation), read under `alias` if given (then `name` no longer qualifies them).
    pub(super) fn of_relation(
        name: &str,
        columns: &[(String, DataType)],
        alias: Option<&str>,
    ) -> Scope {
        let mut scope = Scope::of_columns(Some(alias.unwrap_or(name)), columns);
        if let Some(alias) = alias
            && alias != name
        {
            scope.aliased = vec![(name.to_string(), alias.to_string())];
        }
        scope
    }

    /// Named columns (a derived table, a CTE, a VALUES list) qualified by `qualifier`.
    pub(super) fn of_columns(qualifier: Option<&str>, columns: &[(String, DataType)]) -> Scope {
        Scope {
            columns: columns
                .iter()
                .map(|(name, ty)| ScopeColumn {
                    table: qualifier.map(str::to_string),
                    name: name.clone(),
                    data_type: *ty,
                    hidden: false,
                })
                .collect(),
            merged: Vec::new(),
            aliased: Vec::new(),
        }
    }

    /// The select items `*` (or `qualifier.*`) stands for: (expression, output name). An
    /// unqualified `*` shows the merged join columns first, then every column not merged.
    pub(super) fn star_items(
        &self,
        qualifier: Option<&str>,
    ) -> Vec<(sqlparser::ast::Expr, String)> {
        use sqlparser::ast;
        let quoted = |n: &str| ast::Ident::with_quote('"', n.to_string());
        // A column whose qualified name another column shares (`unnest(a, b)` gives two
        // `unnest` columns) is referred to by its position, which no name could be.
        let shared = |c: &ScopeColumn| {
            self.columns
                .iter()
                .filter(|d| d.table == c.table && d.name == c.name)
                .count()
                > 1
        };
        let reference = |(i, c): (usize, &ScopeColumn)| match &c.table {
            _ if shared(c) => ast::Expr::CompoundIdentifier(vec![
                quoted(POSITION_QUALIFIER),
                quoted(&i.to_string()),
            ]),
            Some(t) => ast::Expr::CompoundIdentifier(vec![quoted(t), quoted(&c.name)]),
            None => ast::Expr::Identifier(quoted(&c.name)),
        };
        match qualifier {
            Some(q) => self
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.table.as_deref() == Some(q))
                .map(|(i, c)| (reference((i, c)), c.name.clone()))
                .collect(),
            None => self
                .merged
                .iter()
                .map(|m| (ast::Expr::Identifier(quoted(&m.name)), m.name.clone()))
                .chain(
                    self.columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.hidden)
                        .map(|(i, c)| (reference((i, c)), c.name.clone())),
                )
                .collect(),
        }
    }

    /// Whether some column is qualified by `qualifier`.
    pub(super) fn has_qualifier(&self, qualifier: &str) -> bool {
        self.columns
            .iter()
            .any(|c| c.table.as_deref() == Some(qualifier))
    }

    /// Resolves a column reference to its value over the row and its type: a merged join
    /// column by its bare name, else [`Scope::resolve`]'s column.
    pub(super) fn resolve_expr(&self, table: Option<&str>, name: &str) -> Result<(Expr, DataType)> {
        if table.is_none()
            && let Some(m) = self.merged.iter().find(|m| m.name == name)
        {
            return Ok((m.expr.clone(), m.data_type));
        }
        let (i, ty) = self.resolve(table, name)?;
        Ok((Expr::Column(i), ty))
    }

    /// Resolves a column reference (`name` or `table.name`) to its position and type: 42702
    /// when it is ambiguous, 42P01 for an unknown qualifier, 42703 for an unknown column.
    pub(super) fn resolve(&self, table: Option<&str>, name: &str) -> Result<(usize, DataType)> {
        if table == Some(POSITION_QUALIFIER)
            && let Ok(i) = name.parse::<usize>()
            && let Some(c) = self.columns.get(i)
        {
            return Ok((i, c.data_type));
        }
        let mut found = None;
        for (i, c) in self.columns.iter().enumerate() {
            let visible = match table {
                None => !c.hidden,
                Some(t) => c.table.as_deref() == Some(t),
            };
            if c.name == name && visible {
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
            Some(t) if let Some((_, alias)) = self.aliased.iter().find(|(n, _)| n == t) => {
                Error::new(
                    SqlState::UNDEFINED_TABLE,
                    format!("invalid reference to FROM-clause entry for table \"{t}\""),
                )
                .with_hint(format!(
                    "Perhaps you meant to reference the table alias \"{alias}\"."
                ))
            }
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
    /// For each GROUP BY expression that is a plain column, its position in the source row:
    /// a reference to the column written another way (`t.g` for `g`) is the group too.
    pub(super) group_columns: Vec<Option<usize>>,
    /// The aggregate calls found so far.
    pub(super) aggs: Vec<AggCall>,
}
