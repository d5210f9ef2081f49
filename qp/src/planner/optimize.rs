//! The rules that rewrite a planned FROM tree with its WHERE clause, applied in order:
//!
//! 0. **Constant folding** ([`fold`](super::fold)): as each clause's expression is planned
//!    (WHERE, ON, the select list, GROUP BY, HAVING, ORDER BY, VALUES, and the expressions
//!    of INSERT, UPDATE and DELETE), its subexpressions over constants with immutable
//!    operators and functions are evaluated, and AND, OR, NOT, CASE and COALESCE simplified
//!    as PostgreSQL does (`x AND false` is false, `NOT NOT x` is `x`); a WHERE that folds to
//!    true goes, so the rules below see `id = 2` for `id = 1 + 1`.
//! 1. **Subquery decorrelation** ([`Planner::decorrelate`]): a WHERE conjunct `EXISTS (...)` /
//!    `NOT EXISTS (...)` whose subquery scans a table in full and reads the outer row only
//!    through equalities becomes a hash semi (anti) join on those equalities, and
//!    `x IN (uncorrelated subquery)` a semi join on `x` = its column: the subquery's table
//!    is read once instead of once per outer row.
//! 2. **Predicate pushdown** ([`push_down`]): the conjuncts of WHERE and of each join's ON
//!    move as far down the tree as they can without changing the result: to the side of an
//!    inner join whose columns they read, to the preserved side of an outer join from WHERE,
//!    and to the nullable side from ON. A conjunct that reads both sides of an inner join
//!    becomes part of its condition; one holding a subquery stays where it was written.
//! 3. **Join order** ([`Planner::order_joins`], `join_order.rs`): a chain of inner joins
//!    starts from a table its filter reads by key and reaches the others by lookups, when
//!    that order reads no more than the written one; the joined row keeps its layout
//!    through a [`Source::Permute`].
//! 4. **Access paths** ([`Planner::choose_methods`]): a table under a pushed-down filter is
//!    read through the primary key or an index that the filter's comparisons bound
//!    ([`Planner::typed_access`]).
//! 5. **Join methods** (same pass, bottom-up): an inner or left join whose right side is a
//!    table with a key or index on the join's equality columns reads it by lookup for each
//!    left row ([`JoinMethod::Dependent`]); another join with equalities between its sides
//!    is a hash join; any other join is a nested loop.
//!
//! ```text
//! SELECT * FROM a JOIN b ON b.id = a.b_id WHERE a.x = 1
//!   Join(Inner, NestedLoop, on: b.id = a.b_id) [a, b]    as planned
//!   Join(Inner, Dependent)                                after the rules:
//!     Filter(Table a, a.x = 1)
//!     Filter(Table b [Point: outer a.b_id], b.id = outer a.b_id)
//! ```

use super::Planner;
use super::from::and_all;
use crate::expr::{BinOp, Expr, SubLink};
use crate::plan::{Access, JoinKind, JoinMethod, JoinPlan, QueryPlan, Source};

/// Which side of a join an expression reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// No column of the joined row (constants, parameters, outer references).
    Neither,
    /// Only the left side's columns.
    Left,
    /// Only the right side's columns.
    Right,
    /// Columns of both sides.
    Both,
}

/// The side of a join (whose left row has `left_width` columns) `e` reads.
fn side_of(e: &Expr, left_width: usize) -> Side {
    let mut columns = Vec::new();
    e.columns(&mut columns);
    let left = columns.iter().any(|c| *c < left_width);
    let right = columns.iter().any(|c| *c >= left_width);
    match (left, right) {
        (false, false) => Side::Neither,
        (true, false) => Side::Left,
        (false, true) => Side::Right,
        (true, true) => Side::Both,
    }
}

/// The conjuncts of an AND tree.
pub(super) fn conjuncts(e: Option<Expr>, out: &mut Vec<Expr>) {
    match e {
        None => {}
        Some(Expr::Binary {
            op: BinOp::And,
            left,
            right,
            ..
        }) => {
            conjuncts(Some(*left), out);
            conjuncts(Some(*right), out);
        }
        Some(other) => out.push(other),
    }
}

/// `source` filtered by `preds` (unchanged when there are none).
fn filtered(source: Source, preds: Vec<Expr>) -> Source {
    match and_all(preds) {
        None => source,
        Some(p) => Source::Filter(Box::new(source), p),
    }
}

/// An expression over a joined row moved onto the right row alone.
fn to_right(e: Expr, left_width: usize) -> Expr {
    e.transform(&mut |e| match e {
        Expr::Column(i) => Expr::Column(i - left_width),
        other => other,
    })
}

/// An expression moved into a source read once per row of a join's left side: left
/// columns become outer references of level 1, outer references go one level further out,
/// and right columns (past `left_width`, when `right` is set) become the right row's.
fn into_dependent(e: Expr, left_width: usize, right: bool) -> Expr {
    e.transform(&mut |e| match e {
        Expr::Column(i) if i < left_width || !right => Expr::Outer { level: 1, index: i },
        Expr::Column(i) => Expr::Column(i - left_width),
        Expr::Outer { level, index } => Expr::Outer {
            level: level + 1,
            index,
        },
        other => other,
    })
}

/// Pushes the conjuncts `preds` (over the source's row) into the source: the rewritten
/// source and the conjuncts that must stay above it.
pub(super) fn push_down(source: Source, preds: Vec<Expr>) -> (Source, Vec<Expr>) {
    match source {
        Source::Filter(inner, e) => {
            let mut all = preds;
            conjuncts(Some(e), &mut all);
            push_down(*inner, all)
        }
        Source::Join(join) => {
            let JoinPlan {
                kind,
                left,
                right,
                left_width,
                right_width,
                method,
                condition,
            } = *join;
            // A LATERAL right side is read with the left row as its outer row: nothing moves
            // into it.
            let lateral = matches!(method, JoinMethod::Dependent);
            let (mut to_left, mut to_right_side, mut on, mut above) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for p in preds {
                let side = if p.has_subquery() {
                    Side::Both
                } else {
                    side_of(&p, left_width)
                };
                match (kind, side) {
                    (
                        JoinKind::Inner | JoinKind::Left | JoinKind::Semi | JoinKind::Anti,
                        Side::Left,
                    ) => to_left.push(p),
                    (JoinKind::Inner | JoinKind::Right, Side::Right) if !lateral => {
                        to_right_side.push(p)
                    }
                    (JoinKind::Inner, Side::Neither) => to_left.push(p),
                    (JoinKind::Inner, Side::Both) if !p.has_subquery() => on.push(p),
                    _ => above.push(p),
                }
            }
            let mut written = Vec::new();
            conjuncts(condition, &mut written);
            for p in written {
                let side = if p.has_subquery() {
                    Side::Both
                } else {
                    side_of(&p, left_width)
                };
                match (kind, side) {
                    (JoinKind::Inner | JoinKind::Right, Side::Left) => to_left.push(p),
                    (JoinKind::Inner | JoinKind::Left, Side::Right) if !lateral => {
                        to_right_side.push(p)
                    }
                    _ => on.push(p),
                }
            }
            let (left, rest) = push_down(left, to_left);
            let left = filtered(left, rest);
            let to_right_side = to_right_side
                .into_iter()
                .map(|p| to_right(p, left_width))
                .collect();
            let (right, rest) = push_down(right, to_right_side);
            let right = filtered(right, rest);
            (
                Source::Join(Box::new(JoinPlan {
                    kind,
                    left,
                    right,
                    left_width,
                    right_width,
                    method,
                    condition: and_all(on),
                })),
                above,
            )
        }
        other => (other, preds),
    }
}

/// An equality between the two sides of a join: (left key, right key over the joined row).
fn equality(e: &Expr, left_width: usize) -> Option<(Expr, Expr)> {
    let Expr::Binary {
        op: BinOp::Eq,
        left,
        right,
        ..
    } = e
    else {
        return None;
    };
    if e.has_subquery() {
        return None;
    }
    match (side_of(left, left_width), side_of(right, left_width)) {
        (Side::Left, Side::Right) => Some(((**left).clone(), (**right).clone())),
        (Side::Right, Side::Left) => Some(((**right).clone(), (**left).clone())),
        _ => None,
    }
}

/// Whether `e` compares an expression over one side of a join with one over the other.
fn cross_comparison(e: &Expr, left_width: usize) -> bool {
    let Expr::Binary {
        op, left, right, ..
    } = e
    else {
        return false;
    };
    op.is_comparison()
        && *op != BinOp::NotEq
        && !e.has_subquery()
        && matches!(
            (side_of(left, left_width), side_of(right, left_width)),
            (Side::Left, Side::Right) | (Side::Right, Side::Left)
        )
}

/// Whether an access path reads the left row of a dependent join (so narrows by its keys).
fn reads_left_row(access: &Access) -> bool {
    let mut found = false;
    access.exprs(&mut |e| e.walk(&mut |x| found |= matches!(x, Expr::Outer { level: 1, .. })));
    found
}

impl Planner<'_> {
    /// Picks access paths for the tables of a pushed-down tree and a method for each join
    /// (rules 2 and 3 of this module).
    pub(super) fn choose_methods(&self, source: Source) -> Source {
        match source {
            Source::Filter(inner, filter) => match *inner {
                Source::Table {
                    table,
                    alias,
                    access: Access::Full,
                    reverse,
                    index_order,
                    index_only,
                } => {
                    let mut preds = Vec::new();
                    conjuncts(Some(filter.clone()), &mut preds);
                    let access = self.typed_access(&table, &preds);
                    Source::Filter(
                        Box::new(Source::Table {
                            table,
                            alias,
                            access,
                            reverse,
                            index_order,
                            index_only,
                        }),
                        filter,
                    )
                }
                other => Source::Filter(Box::new(self.choose_methods(other)), filter),
            },
            Source::Permute(inner, positions) => {
                Source::Permute(Box::new(self.choose_methods(*inner)), positions)
            }
            Source::Join(join) => {
                let JoinPlan {
                    kind,
                    left,
                    right,
                    left_width,
                    right_width,
                    method,
                    condition,
                } = *join;
                let left = self.choose_methods(left);
                if matches!(method, JoinMethod::Dependent) || kind.keeps_left_only() {
                    return Source::Join(Box::new(JoinPlan {
                        kind,
                        left,
                        right: self.choose_methods(right),
                        left_width,
                        right_width,
                        method,
                        condition,
                    }));
                }
                let mut preds = Vec::new();
                conjuncts(condition, &mut preds);
                // Comparisons between the two sides can bound a lookup of the right side.
                if matches!(kind, JoinKind::Inner | JoinKind::Left) {
                    let (bounding, others): (Vec<Expr>, Vec<Expr>) = preds
                        .iter()
                        .cloned()
                        .partition(|p| cross_comparison(p, left_width));
                    if !bounding.is_empty()
                        && let Some(lookup) = self.lookup(&right, &bounding, left_width)
                    {
                        return Source::Join(Box::new(JoinPlan {
                            kind,
                            left,
                            right: lookup,
                            left_width,
                            right_width,
                            method: JoinMethod::Dependent,
                            condition: and_all(others),
                        }));
                    }
                }
                let (keys, rest): (Vec<_>, Vec<_>) = preds
                    .into_iter()
                    .partition(|p| equality(p, left_width).is_some());
                let pairs: Vec<(Expr, Expr)> = keys
                    .iter()
                    .filter_map(|p| equality(p, left_width))
                    .collect();
                let right = self.choose_methods(right);
                let method = if pairs.is_empty() {
                    JoinMethod::NestedLoop
                } else {
                    let (left_keys, right_keys) = pairs
                        .into_iter()
                        .map(|(l, r)| (l, to_right(r, left_width)))
                        .unzip();
                    JoinMethod::Hash {
                        left_keys,
                        right_keys,
                    }
                };
                let condition = match method {
                    JoinMethod::NestedLoop => and_all(keys.into_iter().chain(rest).collect()),
                    _ => and_all(rest),
                };
                Source::Join(Box::new(JoinPlan {
                    kind,
                    left,
                    right,
                    left_width,
                    right_width,
                    method,
                    condition,
                }))
            }
            other => other,
        }
    }

    /// The right side of a join as a lookup for each left row, when it is a table (maybe
    /// filtered) that a key or an index on the join's equalities `keys` narrows.
    fn lookup(&self, right: &Source, keys: &[Expr], left_width: usize) -> Option<Source> {
        let (table, alias, filter) = match right {
            Source::Table {
                table,
                alias,
                access: Access::Full,
                ..
            } => (table, alias, None),
            Source::Filter(inner, filter) => match inner.as_ref() {
                Source::Table {
                    table,
                    alias,
                    access: Access::Full,
                    ..
                } => (table, alias, Some(filter)),
                _ => return None,
            },
            _ => return None,
        };
        if filter.is_some_and(|f| f.has_subquery()) {
            return None;
        }
        let mut preds = Vec::new();
        conjuncts(filter.cloned(), &mut preds);
        let mut preds: Vec<Expr> = preds
            .into_iter()
            .map(|p| into_dependent(p, 0, true))
            .collect();
        preds.extend(
            keys.iter()
                .map(|k| into_dependent(k.clone(), left_width, true)),
        );
        let access = self.typed_access(table, &preds);
        if !reads_left_row(&access) {
            return None;
        }
        Some(Source::Filter(
            Box::new(Source::Table {
                table: table.clone(),
                alias: alias.clone(),
                access,
                reverse: false,
                index_order: None,
                index_only: false,
            }),
            and_all(preds)?,
        ))
    }
}

/// Whether `e` reads a column of an enclosing query.
fn has_outer(e: &Expr) -> bool {
    let mut found = false;
    e.walk(&mut |x| found |= matches!(x, Expr::Outer { .. }));
    found
}

/// `e` read on the enclosing query's own row, when it reads only that row (level-1 outer
/// references) and no column of the subquery.
fn outer_to_columns(e: &Expr) -> Option<Expr> {
    let mut ok = true;
    e.walk(&mut |x| match x {
        Expr::Column(_) | Expr::AggRef(_) | Expr::Subquery { .. } => ok = false,
        Expr::Outer { level, .. } if *level != 1 => ok = false,
        _ => {}
    });
    ok.then(|| {
        e.clone().transform(&mut |x| match x {
            Expr::Outer { index, .. } => Expr::Column(index),
            other => other,
        })
    })
}

/// A subquery conjunct `inner = outer` (either way round): (inner key, outer key over the
/// enclosing row).
fn outer_equality(e: &Expr) -> Option<(Expr, Expr)> {
    let Expr::Binary {
        op: BinOp::Eq,
        left,
        right,
        ..
    } = e
    else {
        return None;
    };
    if !has_outer(left)
        && let Some(outer) = outer_to_columns(right)
    {
        return Some(((**left).clone(), outer));
    }
    if !has_outer(right)
        && let Some(outer) = outer_to_columns(left)
    {
        return Some(((**right).clone(), outer));
    }
    None
}

/// Whether a query block can become the right side of a semi join: no grouping, limit,
/// locking or subqueries of its own.
fn plain_block(q: &QueryPlan) -> bool {
    let mut nested = false;
    q.exprs(&mut |e| nested |= e.has_subquery());
    q.aggregation.is_none() && q.limit.is_none() && q.offset.is_none() && !q.for_update && !nested
}

impl Planner<'_> {
    /// Rule 0: turns the WHERE conjuncts that are decorrelatable subqueries into semi and
    /// anti joins with `source` (whose rows have `width` columns): the new source and the
    /// conjuncts left.
    pub(super) fn decorrelate(
        &mut self,
        source: Source,
        filter: Expr,
        width: usize,
    ) -> (Source, Option<Expr>) {
        let mut preds = Vec::new();
        conjuncts(Some(filter.clone()), &mut preds);
        if !preds.iter().any(|p| {
            matches!(p, Expr::Subquery { .. })
                || matches!(p, Expr::Not(inner) if matches!(**inner, Expr::Subquery { .. }))
        }) {
            return (source, Some(filter));
        }
        let mut source = source;
        let mut rest = Vec::new();
        for p in preds {
            match self.semi_join(&p) {
                Some((kind, right, left_keys, right_keys)) => {
                    source = Source::Join(Box::new(JoinPlan {
                        kind,
                        left: source,
                        right,
                        left_width: width,
                        right_width: 0,
                        method: JoinMethod::Hash {
                            left_keys,
                            right_keys,
                        },
                        condition: None,
                    }));
                }
                None => rest.push(p),
            }
        }
        (source, and_all(rest))
    }

    /// The semi or anti join a WHERE conjunct stands for, if it is one rule 0 applies to:
    /// (kind, right side, left keys, right keys). The subquery's rows move into the join.
    fn semi_join(&mut self, p: &Expr) -> Option<(JoinKind, Source, Vec<Expr>, Vec<Expr>)> {
        let (negated, id, link) = match p {
            Expr::Subquery { id, link } => (false, *id, link),
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Subquery {
                    id,
                    link: link @ SubLink::Exists,
                } => (true, *id, link),
                _ => return None,
            },
            _ => return None,
        };
        let sub = self.subqueries.get(id)?;
        if !plain_block(&sub.query) {
            return None;
        }
        match link {
            SubLink::Exists => {
                // A key or index lookup on the outer row already makes the correlated EXISTS
                // cheap; a read that does not depend on it is done once instead.
                let Source::Table { access, .. } = &sub.query.source else {
                    return None;
                };
                let mut reads_outer = false;
                access.exprs(&mut |e| reads_outer |= has_outer(e));
                if reads_outer || !sub.correlated {
                    return None;
                }
                let mut conds = Vec::new();
                conjuncts(sub.query.filter.clone(), &mut conds);
                let (mut local, mut left_keys, mut right_keys) =
                    (Vec::new(), Vec::new(), Vec::new());
                for c in conds {
                    if !has_outer(&c) {
                        local.push(c);
                    } else if let Some((inner, outer)) = outer_equality(&c) {
                        right_keys.push(inner);
                        left_keys.push(outer);
                    } else {
                        return None;
                    }
                }
                if left_keys.is_empty() {
                    return None;
                }
                let sub = &mut self.subqueries[id];
                let table = std::mem::replace(&mut sub.query.source, Source::Single);
                sub.query.filter = None;
                let kind = if negated {
                    JoinKind::Anti
                } else {
                    JoinKind::Semi
                };
                Some((kind, filtered(table, local), left_keys, right_keys))
            }
            SubLink::Quantified {
                lhs,
                op: BinOp::Eq,
                all: false,
                ..
            } if !negated && !sub.correlated && !lhs.has_subquery() => {
                let lhs = (**lhs).clone();
                let sub = &mut self.subqueries[id];
                let key = sub.query.projections.first()?.clone();
                let rows = std::mem::replace(&mut sub.query.source, Source::Single);
                let mut local = Vec::new();
                conjuncts(sub.query.filter.take(), &mut local);
                Some((JoinKind::Semi, filtered(rows, local), vec![lhs], vec![key]))
            }
            _ => None,
        }
    }
}
