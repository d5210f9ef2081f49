//! Planning for secondary indexes: `CREATE INDEX ASYNC`, `DROP INDEX`, and reading through an
//! index.
//!
//! Access paths come from the bounds the WHERE clause puts on single columns
//! ([`Planner::column_bounds`]). The primary key is preferred whenever it narrows the read;
//! otherwise the valid index with the longest equality prefix (then a range on its next
//! column) is used. Building and invalid indexes are never read.
//!
//! A query whose ORDER BY matches the key columns of a valid index after its equality
//! prefix reads that index in key order instead of sorting
//! ([`Planner::ordered_index_access`]):
//!
//! ```text
//! index (owner, created)
//! WHERE owner = $1 ORDER BY created DESC LIMIT 10   → reverse read of owner=$1, stop at 10 rows
//! ORDER BY owner, created LIMIT 5                   → forward read of the whole index
//! ORDER BY created                                  → sorted (created is not a leading column)
//! ORDER BY owner DESC NULLS LAST                    → sorted (reverse reads give NULLS FIRST)
//! ```

use super::Planner;
use super::access::{column_ref, split_conjuncts};
use super::coerce::coerce;
use super::scope::Scope;
use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::expr::Expr;
use crate::index::{IndexColumn, IndexDef, IndexState, MAX_INDEX_COLUMNS};
use crate::names::{ident_name, resolve_relation};
use crate::plan::{Access, Plan, SortKey};
use crate::types::DataType;
use sqlparser::ast;
use std::collections::HashMap;

/// The constant bounds a WHERE clause puts on one column.
#[derive(Clone, Debug, Default)]
pub(super) struct ColumnBounds {
    /// `col = value`.
    pub eq: Option<Expr>,
    /// `col > value` / `col >= value`: (value, inclusive).
    pub lower: Option<(Expr, bool)>,
    /// `col < value` / `col <= value`: (value, inclusive).
    pub upper: Option<(Expr, bool)>,
}

impl Planner<'_> {
    /// The bounds of every column the conjuncts of `where_ast` compare with a row-independent
    /// value of a type that converts exactly to the column's. Columns in `strict` propagate
    /// planning errors of their values; others are skipped on error (the filter itself was
    /// planned already and reports any real error).
    pub(super) fn column_bounds(
        &mut self,
        scope: &Scope,
        where_ast: &ast::Expr,
        strict: &[usize],
    ) -> Result<HashMap<usize, ColumnBounds>> {
        let mut conjuncts = Vec::new();
        split_conjuncts(where_ast, &mut conjuncts);
        let mut bounds: HashMap<usize, ColumnBounds> = HashMap::new();
        for c in conjuncts {
            match c {
                ast::Expr::BinaryOp { left, op, right } => {
                    if column_ref(left).is_some() && column_ref(right).is_none() {
                        self.add_bound(&mut bounds, scope, strict, left, op, right)?;
                    } else if column_ref(right).is_some() && column_ref(left).is_none() {
                        let flipped = match op {
                            ast::BinaryOperator::Lt => ast::BinaryOperator::Gt,
                            ast::BinaryOperator::LtEq => ast::BinaryOperator::GtEq,
                            ast::BinaryOperator::Gt => ast::BinaryOperator::Lt,
                            ast::BinaryOperator::GtEq => ast::BinaryOperator::LtEq,
                            other => other.clone(),
                        };
                        self.add_bound(&mut bounds, scope, strict, right, &flipped, left)?;
                    }
                }
                // `col BETWEEN low AND high` is `col >= low AND col <= high`.
                ast::Expr::Between {
                    expr,
                    negated: false,
                    low,
                    high,
                } if column_ref(expr).is_some()
                    && column_ref(low).is_none()
                    && column_ref(high).is_none() =>
                {
                    let (ge, le) = (ast::BinaryOperator::GtEq, ast::BinaryOperator::LtEq);
                    self.add_bound(&mut bounds, scope, strict, expr, &ge, low)?;
                    self.add_bound(&mut bounds, scope, strict, expr, &le, high)?;
                }
                _ => {}
            }
        }
        Ok(bounds)
    }

    /// Records the bound `col_ast op value_ast` in `bounds` if the operator is a comparison
    /// and the value is row-independent, of a type that converts exactly to the column's.
    ///
    /// An integer value bounds an integer column of any width as it is: key encoding does not
    /// depend on the width, so `smallint_col < 40000` reads the whole range instead of
    /// failing to convert 40000 to smallint (the filter then compares as PostgreSQL does).
    fn add_bound(
        &mut self,
        bounds: &mut HashMap<usize, ColumnBounds>,
        scope: &Scope,
        strict: &[usize],
        col_ast: &ast::Expr,
        op: &ast::BinaryOperator,
        value_ast: &ast::Expr,
    ) -> Result<()> {
        if !matches!(
            op,
            ast::BinaryOperator::Eq
                | ast::BinaryOperator::Gt
                | ast::BinaryOperator::GtEq
                | ast::BinaryOperator::Lt
                | ast::BinaryOperator::LtEq
        ) {
            return Ok(());
        }
        let Ok((col, col_ty)) = self.column_of(col_ast, scope) else {
            return Ok(());
        };
        let is_strict = strict.contains(&col);
        let (value, value_ty) =
            match self.plan_expr(value_ast, &Scope::default(), None, Some(col_ty)) {
                Ok(planned) => planned,
                Err(e) if is_strict => return Err(e),
                Err(_) => return Ok(()),
            };
        if !value.is_row_independent() {
            return Ok(());
        }
        // Only use bounds whose type converts exactly to the column's type.
        let Some(common) = DataType::common(col_ty, value_ty) else {
            return Ok(());
        };
        let integers = col_ty.is_integer() && value_ty.is_integer();
        if common != col_ty && !integers {
            return Ok(());
        }
        let value = if integers {
            value
        } else {
            match coerce(value, value_ty, col_ty, false) {
                Ok(v) => v,
                Err(e) if is_strict => return Err(e),
                Err(_) => return Ok(()),
            }
        };
        let b = bounds.entry(col).or_default();
        match op {
            ast::BinaryOperator::Eq => b.eq = Some(value),
            ast::BinaryOperator::Gt => b.lower = Some((value, false)),
            ast::BinaryOperator::GtEq => b.lower = Some((value, true)),
            ast::BinaryOperator::Lt => b.upper = Some((value, false)),
            ast::BinaryOperator::LtEq => b.upper = Some((value, true)),
            _ => {}
        }
        Ok(())
    }

    /// The best valid index for these bounds, if any index narrows the read.
    pub(super) fn index_access(
        &self,
        table: &TableDef,
        bounds: &HashMap<usize, ColumnBounds>,
    ) -> Option<Access> {
        let mut best: Option<((usize, usize), Access)> = None;
        for index in table.indexes.iter().filter(|i| i.is_usable()) {
            let prefix: Vec<Expr> = index
                .columns
                .iter()
                .map_while(|c| bounds.get(&c.column).and_then(|b| b.eq.clone()))
                .collect();
            let (lower, upper) = match index.columns.get(prefix.len()) {
                Some(next) => bounds
                    .get(&next.column)
                    .map(|b| (b.lower.clone(), b.upper.clone()))
                    .unwrap_or_default(),
                None => (None, None),
            };
            if prefix.is_empty() && lower.is_none() && upper.is_none() {
                continue;
            }
            let score = (
                prefix.len(),
                usize::from(lower.is_some()) + usize::from(upper.is_some()),
            );
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Access::Index {
                        index_id: index.id,
                        prefix,
                        lower,
                        upper,
                    },
                ));
            }
        }
        best.map(|(_, access)| access)
    }

    /// An index read that returns rows in the order `order_by` asks for, if a valid index
    /// can: `(access, reverse, tie columns)`. Index entries are stored ascending with NULLs
    /// last whatever the index's `DESC` / `NULLS FIRST` options (see [`crate::index`]), so
    /// a forward read gives `ASC NULLS LAST` and a reverse read `DESC NULLS FIRST`. The
    /// ORDER BY must therefore be plain columns, all ascending or all descending, with the
    /// default NULLS placement; leaving out the columns fixed by the index's equality prefix,
    /// they must be the index columns right after that prefix, in order. Floating-point
    /// columns are left to the sort (the key encoding orders a negative NaN before every
    /// number, PostgreSQL after).
    ///
    /// The index is only chosen when it narrows the read at least as much as `current`
    /// (equality prefix, then number of bounds; a primary key point or range read is always
    /// kept), and, for a query that would
    /// otherwise scan the whole table, only with a LIMIT: reading a whole table row by row
    /// through an index costs more than a scan and a sort.
    pub(super) fn ordered_index_access(
        &mut self,
        table: &TableDef,
        scope: &Scope,
        where_ast: Option<&ast::Expr>,
        current: &Access,
        order_by: &[SortKey],
        has_limit: bool,
    ) -> Result<Option<(Access, bool, Vec<usize>)>> {
        let current_score = match current {
            Access::Full if has_limit => (0, 0),
            Access::Index {
                prefix,
                lower,
                upper,
                ..
            } => (
                prefix.len(),
                usize::from(lower.is_some()) + usize::from(upper.is_some()),
            ),
            _ => return Ok(None),
        };
        let Some(first) = order_by.first() else {
            return Ok(None);
        };
        let desc = first.desc;
        let mut order_columns = Vec::with_capacity(order_by.len());
        for k in order_by {
            let Expr::Column(c) = k.expr else {
                return Ok(None);
            };
            let floating = table
                .columns
                .get(c)
                .is_none_or(|col| matches!(col.data_type, DataType::Float4 | DataType::Float8));
            if k.desc != desc || k.nulls_first != desc || floating {
                return Ok(None);
            }
            order_columns.push(c);
        }
        let bounds = match where_ast {
            Some(w) => self.column_bounds(scope, w, &[])?,
            None => HashMap::new(),
        };
        let mut best: Option<((usize, usize), Access)> = None;
        for index in table.indexes.iter().filter(|i| i.is_usable()) {
            let prefix: Vec<Expr> = index
                .columns
                .iter()
                .map_while(|c| bounds.get(&c.column).and_then(|b| b.eq.clone()))
                .collect();
            let fixed = &index.columns[..prefix.len()];
            let rest: Vec<usize> = order_columns
                .iter()
                .copied()
                .filter(|c| !fixed.iter().any(|f| f.column == *c))
                .collect();
            let served = !rest.is_empty()
                && index.columns.len() >= prefix.len() + rest.len()
                && index.columns[prefix.len()..]
                    .iter()
                    .zip(&rest)
                    .all(|(ic, c)| ic.column == *c);
            if !served {
                continue;
            }
            let (lower, upper) = bounds
                .get(&rest[0])
                .map(|b| (b.lower.clone(), b.upper.clone()))
                .unwrap_or_default();
            let score = (
                prefix.len(),
                usize::from(lower.is_some()) + usize::from(upper.is_some()),
            );
            if score < current_score {
                continue;
            }
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Access::Index {
                        index_id: index.id,
                        prefix,
                        lower,
                        upper,
                    },
                ));
            }
        }
        Ok(best.map(|(_, access)| (access, desc, order_columns)))
    }

    /// Plans `CREATE [UNIQUE] INDEX ASYNC`.
    pub(super) fn plan_create_index(&mut self, create: &ast::CreateIndex) -> Result<Plan> {
        self.uses_catalog = true;
        // DSQL checks the key count before anything else, even the missing ASYNC.
        if create.columns.len() > MAX_INDEX_COLUMNS {
            return Err(Error::new(
                SqlState::TOO_MANY_COLUMNS,
                "more than 8 column keys in an index are not supported",
            ));
        }
        if create.concurrently {
            return Err(Error::unsupported(
                "CONCURRENTLY not supported for CREATE INDEX",
            ));
        }
        if let Some(using) = &create.using
            && !matches!(using, ast::IndexType::BTree)
        {
            return Err(Error::unsupported("USING not supported for CREATE INDEX"));
        }
        if create.predicate.is_some() {
            return Err(Error::unsupported("WHERE not supported for CREATE INDEX"));
        }
        if !create.r#async {
            return Err(Error::unsupported(
                "unsupported mode. please use CREATE INDEX ASYNC.",
            ));
        }
        if !create.with.is_empty() || !create.index_options.is_empty() {
            return Err(Error::unsupported("index options are not supported"));
        }
        let table = self.writable_table(&create.table_name, false)?;
        let mut columns = Vec::new();
        for c in &create.columns {
            if c.operator_class.is_some() {
                return Err(Error::unsupported("operator classes are not supported"));
            }
            let ast::Expr::Identifier(ident) = &c.column.expr else {
                return Err(Error::unsupported("index expressions are not supported"));
            };
            let name = ident_name(ident);
            let column = table
                .column_index(&name)
                .ok_or_else(|| Error::undefined_column(&name))?;
            let desc = match &c.column.options.sort {
                None | Some(ast::OrderBySort::Asc) => false,
                Some(ast::OrderBySort::Desc) => true,
                Some(ast::OrderBySort::Using(_)) => {
                    return Err(Error::unsupported("USING not supported for CREATE INDEX"));
                }
            };
            columns.push(IndexColumn {
                column,
                desc,
                nulls_first: c.column.options.nulls_first.unwrap_or(desc),
            });
        }
        let mut include = Vec::new();
        for ident in &create.include {
            let name = ident_name(ident);
            include.push(
                table
                    .column_index(&name)
                    .ok_or_else(|| Error::undefined_column(&name))?,
            );
        }
        let name = match &create.name {
            Some(name) => match name.0.as_slice() {
                [part] => part
                    .as_ident()
                    .map(ident_name)
                    .ok_or_else(|| Error::syntax("syntax error at or near \"ON\""))?,
                _ => return Err(Error::syntax("syntax error at or near \".\"")),
            },
            None if create.if_not_exists => {
                return Err(Error::syntax("syntax error at or near \"ON\""));
            }
            None => {
                let mut name = table.name.clone();
                for c in &columns {
                    name.push('_');
                    name.push_str(&table.columns[c.column].name);
                }
                name.push_str("_idx");
                name
            }
        };
        let taken = self
            .catalog
            .tables
            .contains_key(&crate::catalog::TableName::new(&table.schema, &name))
            || self.catalog.find_index(&table.schema, &name).is_some();
        if taken && !create.if_not_exists {
            return Err(Error::new(
                SqlState::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        Ok(Plan::CreateIndex {
            index: IndexDef {
                id: 0,
                name,
                columns,
                include,
                unique: create.unique,
                nulls_distinct: create.nulls_distinct.unwrap_or(true),
                state: IndexState::Building,
            },
            table,
            skip: taken,
        })
    }

    /// Plans `DROP INDEX [IF EXISTS] name, ...`.
    pub(super) fn plan_drop_index(
        &mut self,
        names: &[ast::ObjectName],
        if_exists: bool,
    ) -> Result<Plan> {
        self.uses_catalog = true;
        let mut targets = Vec::new();
        for name in names {
            let name = resolve_relation(self.catalog, &self.search_path, name)?;
            match self.catalog.find_index(&name.schema, &name.name) {
                Some((table, _)) => targets.push((table, name.name)),
                None if self.catalog.tables.contains_key(&name) => {
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not an index", name.name),
                    ));
                }
                None if if_exists => {}
                None => {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("index \"{}\" does not exist", name.name),
                    ));
                }
            }
        }
        Ok(Plan::DropIndex { targets })
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{Catalog, ColumnDef, TableDef};
    use crate::index::{IndexColumn, IndexDef, IndexState};
    use crate::plan::{Access, Plan, Source};
    use crate::planner::Planner;
    use crate::types::DataType;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    use std::sync::Arc;

    /// `t (id bigint PRIMARY KEY, a bigint, b bigint)` with an index on `(a, b)` in `state`.
    fn catalog(state: IndexState) -> Catalog {
        let column = |name: &str| ColumnDef {
            name: name.into(),
            data_type: DataType::Int8,
            nullable: true,
            default: None,
        };
        let table = TableDef {
            id: 1000,
            schema: "public".into(),
            name: "t".into(),
            columns: vec![column("id"), column("a"), column("b")],
            primary_key: vec![0],
            owner: "admin".into(),
            indexes: vec![IndexDef {
                id: 1001,
                name: "t_a_b".into(),
                columns: [1, 2]
                    .into_iter()
                    .map(|column| IndexColumn {
                        column,
                        desc: false,
                        nulls_first: false,
                    })
                    .collect(),
                include: vec![],
                unique: false,
                nulls_distinct: true,
                state,
            }],
        };
        let mut catalog = Catalog::default();
        catalog
            .tables
            .insert(table.qualified_name(), Arc::new(table));
        catalog
    }

    fn access(catalog: &Catalog, sql: &str) -> Access {
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .pop()
            .unwrap();
        let planned = Planner::new(catalog, &[]).plan(&stmt).unwrap();
        let Plan::Query(q) = planned.plan else {
            panic!("not a query")
        };
        let Source::Table { access, .. } = q.source else {
            panic!("not a table source")
        };
        access
    }

    #[test]
    fn a_valid_index_serves_equality_and_ranges_on_its_leading_columns() {
        let valid = catalog(IndexState::Valid);
        let index_of = |a: Access| match a {
            Access::Index {
                index_id,
                prefix,
                lower,
                upper,
            } => (index_id, prefix.len(), lower.is_some(), upper.is_some()),
            other => panic!("expected an index read, got {other:?}"),
        };
        assert_eq!(
            index_of(access(&valid, "SELECT * FROM t WHERE a = 1")),
            (1001, 1, false, false)
        );
        assert_eq!(
            index_of(access(
                &valid,
                "SELECT * FROM t WHERE b > 2 AND a = 1 AND b <= 9"
            )),
            (1001, 1, true, true)
        );
        assert_eq!(
            index_of(access(&valid, "SELECT * FROM t WHERE a = 1 AND b = 2")),
            (1001, 2, false, false)
        );
        assert_eq!(
            index_of(access(&valid, "SELECT * FROM t WHERE a > 1")),
            (1001, 0, true, false)
        );
    }

    #[test]
    fn between_bounds_the_primary_key_and_indexes_on_both_sides() {
        let valid = catalog(IndexState::Valid);
        match access(&valid, "SELECT * FROM t WHERE id BETWEEN 2 AND 4") {
            Access::Range {
                prefix,
                lower: Some((_, true)),
                upper: Some((_, true)),
            } => assert!(prefix.is_empty()),
            other => panic!("expected a key range, got {other:?}"),
        }
        match access(&valid, "SELECT * FROM t WHERE a = 1 AND b BETWEEN 2 AND 4") {
            Access::Index {
                index_id: 1001,
                prefix,
                lower: Some((_, true)),
                upper: Some((_, true)),
            } => assert_eq!(prefix.len(), 1),
            other => panic!("expected an index range, got {other:?}"),
        }
        // NOT BETWEEN is two ranges: read everything.
        assert!(matches!(
            access(&valid, "SELECT * FROM t WHERE id NOT BETWEEN 2 AND 4"),
            Access::Full
        ));
    }

    #[test]
    fn the_primary_key_wins_and_unusable_indexes_are_never_read() {
        let valid = catalog(IndexState::Valid);
        assert!(matches!(
            access(&valid, "SELECT * FROM t WHERE id = 1 AND a = 1"),
            Access::Point(_)
        ));
        // `b` alone is not a prefix of (a, b); `a + 0` is not a column.
        assert!(matches!(
            access(&valid, "SELECT * FROM t WHERE b = 1"),
            Access::Full
        ));
        assert!(matches!(
            access(&valid, "SELECT * FROM t WHERE a + 0 = 1"),
            Access::Full
        ));
        for state in [IndexState::Building, IndexState::Invalid] {
            assert!(matches!(
                access(&catalog(state), "SELECT * FROM t WHERE a = 1"),
                Access::Full
            ));
        }
    }

    /// The access path, read direction, index order and remaining sort keys of a query.
    fn ordered(catalog: &Catalog, sql: &str) -> (Access, bool, Option<Vec<usize>>, usize) {
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .pop()
            .unwrap();
        let planned = Planner::new(catalog, &[]).plan(&stmt).unwrap();
        let Plan::Query(q) = planned.plan else {
            panic!("not a query")
        };
        let Source::Table {
            access,
            reverse,
            index_order,
            ..
        } = q.source
        else {
            panic!("not a table source")
        };
        (access, reverse, index_order, q.order_by.len())
    }

    #[test]
    fn an_index_serves_order_by_on_its_columns_after_the_equality_prefix() {
        let valid = catalog(IndexState::Valid);
        let served = |sql: &str| match ordered(&valid, sql) {
            (
                Access::Index {
                    index_id, prefix, ..
                },
                reverse,
                Some(ties),
                0,
            ) => (index_id, prefix.len(), reverse, ties),
            other => panic!("{sql}: expected an ordered index read, got {other:?}"),
        };
        assert_eq!(
            served("SELECT * FROM t WHERE a = 1 ORDER BY b DESC LIMIT 10"),
            (1001, 1, true, vec![2])
        );
        assert_eq!(
            served("SELECT * FROM t ORDER BY a, b LIMIT 5"),
            (1001, 0, false, vec![1, 2])
        );
        assert_eq!(
            served("SELECT * FROM t ORDER BY a DESC NULLS FIRST LIMIT 5"),
            (1001, 0, true, vec![1])
        );
        // The equality column may appear anywhere in the ORDER BY; an index read needs no LIMIT.
        assert_eq!(
            served("SELECT * FROM t WHERE a = 1 ORDER BY b, a"),
            (1001, 1, false, vec![2, 1])
        );
        // A range on the first ordered column narrows the read.
        match ordered(&valid, "SELECT * FROM t WHERE a > 3 ORDER BY a LIMIT 2") {
            (Access::Index { lower, upper, .. }, false, Some(_), 0) => {
                assert!(lower.is_some() && upper.is_none())
            }
            other => panic!("expected an ordered range read, got {other:?}"),
        }
    }

    #[test]
    fn orders_an_index_cannot_give_are_sorted() {
        let valid = catalog(IndexState::Valid);
        let sorted = |cat: &Catalog, sql: &str| {
            let (_, _, index_order, sort_keys) = ordered(cat, sql);
            assert!(
                index_order.is_none() && sort_keys > 0,
                "{sql}: expected a sort"
            );
        };
        // Not the leading column, mixed directions, non-default NULLS, expressions.
        sorted(&valid, "SELECT * FROM t ORDER BY b LIMIT 5");
        sorted(&valid, "SELECT * FROM t ORDER BY a, b DESC LIMIT 5");
        sorted(&valid, "SELECT * FROM t ORDER BY a NULLS FIRST LIMIT 5");
        sorted(&valid, "SELECT * FROM t ORDER BY a DESC NULLS LAST LIMIT 5");
        sorted(&valid, "SELECT * FROM t ORDER BY a + 0 LIMIT 5");
        // A whole-table read without LIMIT scans and sorts.
        sorted(&valid, "SELECT * FROM t ORDER BY a");
        // A primary key range is kept.
        sorted(&valid, "SELECT * FROM t WHERE id > 5 ORDER BY a LIMIT 3");
        // Aggregates are sorted after grouping.
        sorted(
            &valid,
            "SELECT a, count(*) FROM t GROUP BY a ORDER BY a LIMIT 3",
        );
        // Building and invalid indexes are never read.
        for state in [IndexState::Building, IndexState::Invalid] {
            let cat = catalog(state);
            sorted(&cat, "SELECT * FROM t WHERE a = 1 ORDER BY b LIMIT 3");
            sorted(&cat, "SELECT * FROM t ORDER BY a LIMIT 3");
        }
        // ORDER BY the primary key reads the table in key order, without the index.
        assert!(matches!(
            ordered(&valid, "SELECT * FROM t ORDER BY id DESC LIMIT 3"),
            (Access::Full, true, None, 0)
        ));
    }

    /// Whether a query reads its rows from index entries alone.
    fn index_only(catalog: &Catalog, sql: &str) -> bool {
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .pop()
            .unwrap();
        let planned = Planner::new(catalog, &[]).plan(&stmt).unwrap();
        let Plan::Query(q) = planned.plan else {
            panic!("not a query")
        };
        let Source::Table { index_only, .. } = q.source else {
            panic!("not a table source")
        };
        index_only
    }

    #[test]
    fn queries_using_only_covered_columns_read_the_index_alone() {
        let plain = catalog(IndexState::Valid);
        assert!(!index_only(&plain, "SELECT a, b FROM t WHERE a = 1"));
        // INCLUDE (id): the entries carry a, b and id.
        let mut cat = catalog(IndexState::Valid);
        let name = crate::catalog::TableName::new("public", "t");
        let mut table = (**cat.tables.get(&name).unwrap()).clone();
        table.columns.push(ColumnDef {
            name: "c".into(),
            data_type: DataType::Int8,
            nullable: true,
            default: None,
        });
        table.indexes[0].include = vec![0];
        cat.tables.insert(name, Arc::new(table));
        for sql in [
            "SELECT a, b FROM t WHERE a = 1",
            "SELECT id + b FROM t WHERE a = 1 AND b > id",
            "SELECT id FROM t WHERE a = 1 ORDER BY b DESC LIMIT 3",
            "SELECT b, count(id) FROM t WHERE a = 1 GROUP BY b ORDER BY 2",
            "SELECT count(*) FROM t WHERE a = 1",
        ] {
            assert!(index_only(&cat, sql), "{sql}");
        }
        for sql in [
            "SELECT * FROM t WHERE a = 1",
            "SELECT a FROM t WHERE a = 1 AND c = 2",
            "SELECT a FROM t WHERE a = 1 ORDER BY c",
            "SELECT sum(c) FROM t WHERE a = 1",
            // Not read through the index at all.
            "SELECT a FROM t",
            "SELECT a FROM t WHERE id = 1",
        ] {
            assert!(!index_only(&cat, sql), "{sql}");
        }
    }

    #[test]
    fn floating_point_columns_are_never_ordered_through_an_index() {
        let mut cat = catalog(IndexState::Valid);
        let name = crate::catalog::TableName::new("public", "t");
        let mut table = (**cat.tables.get(&name).unwrap()).clone();
        table.columns[1].data_type = DataType::Float8;
        cat.tables.insert(name, Arc::new(table));
        let (_, _, index_order, sort_keys) = ordered(&cat, "SELECT * FROM t ORDER BY a LIMIT 3");
        assert!(index_order.is_none() && sort_keys == 1);
    }
}
