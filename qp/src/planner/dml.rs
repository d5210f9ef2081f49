//! Planning writes: `INSERT` (from VALUES, from a query, or DEFAULT VALUES), `UPDATE` and
//! `DELETE`, each with `RETURNING`.
//!
//! A written value is converted to its column's type as an assignment (which allows
//! conversions a comparison does not, e.g. text to integer) and a failed conversion is
//! reported as PostgreSQL does: `column "c" is of type integer but expression is of type
//! boolean`. Columns an INSERT does not list, and `DEFAULT` items, take the column default:
//! its stored SQL text is parsed and planned again here. System tables are read-only.

use super::Planner;
use super::coerce::{coerce, require_bool};
use super::scope::Scope;
use crate::catalog::{ColumnDef, TableDef};
use crate::error::{Error, Result, SqlState};
use crate::expr::Expr;
use crate::names::{column_name, ident_name};
use crate::plan::{
    Access, ColumnSource, Columns, DeletePlan, InsertPlan, InsertSource, Plan, UpdatePlan,
};
use crate::types::{DataType, Value};
use sqlparser::ast;

impl Planner<'_> {
    /// Plans `INSERT`: the rows (or query) to insert, with defaults filling the columns not
    /// listed, and RETURNING.
    pub(super) fn plan_insert(
        &mut self,
        insert: &ast::Insert,
    ) -> Result<(Plan, Vec<(String, DataType)>)> {
        let ast::TableObject::TableName(name) = &insert.table else {
            return Err(Error::unsupported(
                "INSERT into a table function is not supported",
            ));
        };
        if insert.on.is_some() {
            return Err(Error::unsupported("ON CONFLICT is not supported yet"));
        }
        let table = self.writable_table(name, true)?;
        // Target columns, in the order the statement lists them.
        let targets: Vec<usize> = if insert.columns.is_empty() {
            (0..table.columns.len()).collect()
        } else {
            let mut targets = Vec::new();
            for c in &insert.columns {
                let (n, i) = target_column(&table, c)?;
                if targets.contains(&i) {
                    return Err(Error::new(
                        SqlState::DUPLICATE_COLUMN,
                        format!("column \"{n}\" specified more than once"),
                    ));
                }
                targets.push(i);
            }
            targets
        };
        let target_types: Vec<DataType> = targets
            .iter()
            .map(|&i| table.columns[i].data_type)
            .collect();
        let rows = match insert.source.as_deref() {
            None => InsertSource::Values(vec![self.defaults_row(&table)?]),
            Some(source) => match source.body.as_ref() {
                ast::SetExpr::Values(values) => {
                    let mut out = Vec::new();
                    for row in &values.rows {
                        if row.len() > targets.len() {
                            return Err(Error::syntax(
                                "INSERT has more expressions than target columns",
                            ));
                        }
                        if row.len() < targets.len() {
                            return Err(Error::syntax(
                                "INSERT has more target columns than expressions",
                            ));
                        }
                        let mut full = self.defaults_row(&table)?;
                        for (value_ast, &col) in row.iter().zip(&targets) {
                            let column = &table.columns[col];
                            if matches!(value_ast, ast::Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
                            {
                                continue;
                            }
                            let (e, ty) = self.plan_folded(
                                value_ast,
                                &Scope::default(),
                                None,
                                Some(column.data_type),
                            )?;
                            full[col] = coerce(e, ty, column.data_type, true)
                                .map_err(|err| assignment_error(err, column, ty))?;
                        }
                        out.push(full);
                    }
                    InsertSource::Values(out)
                }
                _ => {
                    let (query, columns) = self.plan_query(source)?;
                    if columns.len() != targets.len() {
                        return Err(Error::syntax(if columns.len() > targets.len() {
                            "INSERT has more expressions than target columns"
                        } else {
                            "INSERT has more target columns than expressions"
                        }));
                    }
                    let mut sources = Vec::new();
                    for (i, column) in table.columns.iter().enumerate() {
                        match targets.iter().position(|&t| t == i) {
                            Some(pos) => {
                                let from = columns[pos].1;
                                DataType::common(from, column.data_type)
                                    .filter(|_| true)
                                    .ok_or_else(|| {
                                        assignment_error(Error::datatype_mismatch(""), column, from)
                                    })?;
                                sources.push(ColumnSource::Output(pos, from));
                            }
                            None => sources.push(ColumnSource::Default(self.default_expr(column)?)),
                        }
                    }
                    let _ = target_types;
                    InsertSource::Query(Box::new(query), sources)
                }
            },
        };
        let (returning, columns) = self.plan_returning(&insert.returning, &table)?;
        Ok((
            Plan::Insert(InsertPlan {
                table,
                rows,
                returning,
            }),
            columns,
        ))
    }

    /// A row holding the default of every column, in table order.
    fn defaults_row(&mut self, table: &TableDef) -> Result<Vec<Expr>> {
        table.columns.iter().map(|c| self.default_expr(c)).collect()
    }

    /// The planned default of a column: its stored SQL converted to the column type, or NULL
    /// when it has none.
    fn default_expr(&mut self, column: &ColumnDef) -> Result<Expr> {
        match &column.default {
            None => Ok(Expr::Literal(Value::Null)),
            Some(sql) => {
                let dialect = sqlparser::dialect::PostgreSqlDialect {};
                let ast = sqlparser::parser::Parser::new(&dialect)
                    .try_with_sql(sql)
                    .and_then(|mut p| p.parse_expr())
                    .map_err(|e| Error::internal(format!("stored default does not parse: {e}")))?;
                let (e, ty) =
                    self.plan_folded(&ast, &Scope::default(), None, Some(column.data_type))?;
                coerce(e, ty, column.data_type, true)
            }
        }
    }

    /// Plans a RETURNING list over the written table's columns: the expressions and the output
    /// columns (none without RETURNING).
    fn plan_returning(
        &mut self,
        returning: &Option<Vec<ast::SelectItem>>,
        table: &TableDef,
    ) -> Result<(Vec<Expr>, Columns)> {
        let Some(items) = returning else {
            return Ok((vec![], vec![]));
        };
        let scope = Scope::of_table(table, None);
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for item in items {
            match item {
                ast::SelectItem::UnnamedExpr(e) => {
                    let (p, ty) = self.plan_folded(e, &scope, None, None)?;
                    exprs.push(p);
                    columns.push((column_name(e), ty));
                }
                ast::SelectItem::ExprWithAlias { expr, alias } => {
                    let (p, ty) = self.plan_folded(expr, &scope, None, None)?;
                    exprs.push(p);
                    columns.push((ident_name(alias), ty));
                }
                ast::SelectItem::Wildcard(_) | ast::SelectItem::QualifiedWildcard(..) => {
                    for (i, c) in table.columns.iter().enumerate() {
                        exprs.push(Expr::Column(i));
                        columns.push((c.name.clone(), c.data_type));
                    }
                }
                other => {
                    return Err(Error::unsupported(format!(
                        "RETURNING item {other} is not supported"
                    )));
                }
            }
        }
        Ok((exprs, columns))
    }

    /// Plans `UPDATE`: the assignments (converted to the column types), the filter and access
    /// path, and RETURNING.
    pub(super) fn plan_update(
        &mut self,
        update: &ast::Update,
    ) -> Result<(Plan, Vec<(String, DataType)>)> {
        if update.from.is_some() {
            return Err(Error::unsupported("UPDATE ... FROM is not supported yet"));
        }
        if !update.table.joins.is_empty() {
            return Err(Error::unsupported("joins are not supported yet"));
        }
        let ast::TableFactor::Table { name, alias, .. } = &update.table.relation else {
            return Err(Error::unsupported(
                "UPDATE of this kind of relation is not supported",
            ));
        };
        let table = self.writable_table(name, true)?;
        let alias = alias.as_ref().map(|a| ident_name(&a.name));
        let scope = Scope::of_table(&table, alias.as_deref());
        let mut assignments = Vec::new();
        for a in &update.assignments {
            let ast::AssignmentTarget::ColumnName(col) = &a.target else {
                return Err(Error::unsupported(
                    "tuple assignments are not supported yet",
                ));
            };
            let (n, i) = target_column(&table, col)?;
            let column = &table.columns[i];
            let e = if matches!(&a.value, ast::Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"))
            {
                self.default_expr(column)?
            } else {
                let (e, ty) = self.plan_folded(&a.value, &scope, None, Some(column.data_type))?;
                coerce(e, ty, column.data_type, true)
                    .map_err(|err| assignment_error(err, column, ty))?
            };
            if assignments.iter().any(|(c, _)| *c == i) {
                return Err(Error::new(
                    SqlState::SYNTAX_ERROR,
                    format!("multiple assignments to same column \"{n}\""),
                ));
            }
            assignments.push((i, e));
        }
        let (filter, access) = self.plan_where(&update.selection, &table, &scope)?;
        let (returning, columns) = self.plan_returning(&update.returning, &table)?;
        Ok((
            Plan::Update(UpdatePlan {
                table,
                access,
                filter,
                assignments,
                returning,
            }),
            columns,
        ))
    }

    /// Plans `DELETE`: the filter and access path, and RETURNING.
    pub(super) fn plan_delete(
        &mut self,
        delete: &ast::Delete,
    ) -> Result<(Plan, Vec<(String, DataType)>)> {
        if delete.using.is_some() {
            return Err(Error::unsupported("DELETE ... USING is not supported yet"));
        }
        let from = match &delete.from {
            ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
        };
        let [twj] = from.as_slice() else {
            return Err(Error::unsupported(
                "DELETE from several tables is not supported",
            ));
        };
        let ast::TableFactor::Table { name, alias, .. } = &twj.relation else {
            return Err(Error::unsupported(
                "DELETE from this kind of relation is not supported",
            ));
        };
        let table = self.writable_table(name, true)?;
        let alias = alias.as_ref().map(|a| ident_name(&a.name));
        let scope = Scope::of_table(&table, alias.as_deref());
        let (filter, access) = self.plan_where(&delete.selection, &table, &scope)?;
        let (returning, columns) = self.plan_returning(&delete.returning, &table)?;
        Ok((
            Plan::Delete(DeletePlan {
                table,
                access,
                filter,
                returning,
            }),
            columns,
        ))
    }

    /// Plans the WHERE clause of an UPDATE or DELETE: the filter and the access path it
    /// allows (a full scan without one).
    fn plan_where(
        &mut self,
        selection: &Option<ast::Expr>,
        table: &TableDef,
        scope: &Scope,
    ) -> Result<(Option<Expr>, Access)> {
        match selection {
            None => Ok((None, Access::Full)),
            Some(w) => {
                let (e, ty) = self.plan_folded(w, scope, None, Some(DataType::Bool))?;
                let filter = require_bool(e, ty, "WHERE")?;
                let access = self.access_path(table, &filter);
                Ok((Some(filter), access))
            }
        }
    }
}

/// Resolves a column named as an INSERT or UPDATE target: its name and position.
fn target_column(table: &TableDef, name: &ast::ObjectName) -> Result<(String, usize)> {
    let n = name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .map(ident_name)
        .unwrap_or_default();
    let i = table.column_index(&n).ok_or_else(|| {
        Error::new(
            SqlState::UNDEFINED_COLUMN,
            format!(
                "column \"{n}\" of relation \"{}\" does not exist",
                table.name
            ),
        )
    })?;
    Ok((n, i))
}

/// Rewords a failed conversion of a value assigned to `column` as PostgreSQL does for
/// INSERT and UPDATE (42804); other errors pass through.
fn assignment_error(err: Error, column: &ColumnDef, from: DataType) -> Error {
    if err.state == SqlState::CANNOT_COERCE || err.state == SqlState::DATATYPE_MISMATCH {
        Error::datatype_mismatch(format!(
            "column \"{}\" is of type {} but expression is of type {}",
            column.name,
            column.data_type.name(),
            from.name()
        ))
    } else {
        err
    }
}
