//! The join order rule: a chain of inner joins is re-ordered so that it starts from a table
//! its filter reads by key and reaches the others by key lookups.
//!
//! dsql keeps no table statistics, so the rule only makes changes that cannot make a plan
//! read more: the new first relation is read through its primary key or an index bounded by
//! constants (a few rows), every relation after it that the new order reaches by a key or
//! index lookup is read that way, and the relation that was first (the one streamed through
//! the joins) must be one of those, so nothing that was streamed is read into memory:
//!
//! ```text
//! SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = 7
//!   as written:  Nested Loop                         every order, a customer lookup each
//!                  Seq Scan on orders o
//!                  Index Scan on customers c (c.id = o.customer_id AND c.id = 7)
//!   reordered:   Nested Loop                         (with an index on orders.customer_id)
//!                  Index Scan on customers c (c.id = 7)
//!                  Index Scan on orders o (o.customer_id = c.id)
//! ```
//!
//! The joined row keeps the layout the query was planned with: the re-ordered joins sit
//! under a [`Source::Permute`] that puts each relation's columns back where they were.
//! Chains holding LATERAL items, outer joins or subqueries in their conditions are left as
//! written.

use super::Planner;
use super::optimize::{conjuncts, push_down};
use crate::catalog::TableDef;
use crate::expr::Expr;
use crate::plan::{Access, JoinKind, JoinMethod, JoinPlan, Source};

/// The most relations a chain may have for the rule to look at it.
const MAX_CHAIN: usize = 8;

/// One relation of a chain of inner joins.
struct Leaf<'s> {
    source: &'s Source,
    /// Its first column in the joined row as written.
    offset: usize,
    width: usize,
}

/// How well a relation can be read, given its own filter and what the relations before it
/// bind: lower is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    /// Every primary key column bound: at most one row.
    Point,
    /// A range of the primary key or of an index.
    Bounded,
    /// Everything.
    Scan,
}

/// The number of relations of a chain of inner joins the rule may reorder (`None` if the
/// source is not one).
fn chain_len(source: &Source) -> Option<usize> {
    match source {
        Source::Join(j) if in_chain(j) => Some(chain_len(&j.left).unwrap_or(1) + 1),
        _ => None,
    }
}

/// Whether a join belongs to a chain the rule may reorder.
fn in_chain(j: &JoinPlan) -> bool {
    j.kind == JoinKind::Inner
        && matches!(j.method, JoinMethod::NestedLoop)
        && !j.condition.as_ref().is_some_and(Expr::has_subquery)
}

/// Looks at a chain: its relations, left to right, and its join conditions' conjuncts
/// (over the joined row as written).
fn leaves_of<'s>(source: &'s Source, leaves: &mut Vec<Leaf<'s>>, conditions: &mut Vec<Expr>) {
    match source {
        Source::Join(j) if in_chain(j) => {
            match &j.left {
                Source::Join(l) if in_chain(l) => leaves_of(&j.left, leaves, conditions),
                other => leaves.push(Leaf {
                    source: other,
                    offset: 0,
                    width: j.left_width,
                }),
            }
            leaves.push(Leaf {
                source: &j.right,
                offset: j.left_width,
                width: j.right_width,
            });
            conjuncts(j.condition.clone(), conditions);
        }
        other => leaves.push(Leaf {
            source: other,
            offset: 0,
            width: 0,
        }),
    }
}

/// Takes a chain apart as [`leaves_of`] looks at it: its relations, left to right.
fn take_leaves(source: Source, out: &mut Vec<Source>) {
    match source {
        Source::Join(j) if in_chain(&j) => {
            let JoinPlan { left, right, .. } = *j;
            match left {
                Source::Join(l) if in_chain(&l) => take_leaves(Source::Join(l), out),
                other => out.push(other),
            }
            out.push(right);
        }
        other => out.push(other),
    }
}

/// The table a relation reads and its own filter's conjuncts, if it is a table read in full
/// (maybe filtered).
fn leaf_table(source: &Source) -> Option<(&TableDef, Vec<Expr>)> {
    match source {
        Source::Table {
            table,
            access: Access::Full,
            ..
        } => Some((table, Vec::new())),
        Source::Filter(inner, filter) if !filter.has_subquery() => match inner.as_ref() {
            Source::Table {
                table,
                access: Access::Full,
                ..
            } => {
                let mut own = Vec::new();
                conjuncts(Some(filter.clone()), &mut own);
                Some((table, own))
            }
            _ => None,
        },
        _ => None,
    }
}

fn reach_of(access: &Access) -> Reach {
    match access {
        Access::Point(_) => Reach::Point,
        Access::Range { .. } | Access::Index { .. } => Reach::Bounded,
        Access::Full => Reach::Scan,
    }
}

impl Planner<'_> {
    /// How relation `j` is read when the relations in `bound` come before it: its own
    /// filter and the join conditions between it and them bound its keys.
    fn reach(&self, leaves: &[Leaf<'_>], j: usize, bound: &[usize], conditions: &[Expr]) -> Reach {
        let Some((table, mut preds)) = leaf_table(leaves[j].source) else {
            return Reach::Scan;
        };
        let leaf = &leaves[j];
        let owner = |c: usize| {
            leaves
                .iter()
                .position(|l| c >= l.offset && c < l.offset + l.width)
        };
        for cond in conditions {
            let mut columns = Vec::new();
            cond.columns(&mut columns);
            let touches = columns.iter().any(|&c| owner(c) == Some(j));
            let known = columns
                .iter()
                .all(|&c| owner(c).is_some_and(|o| o == j || bound.contains(&o)));
            if !touches || !known {
                continue;
            }
            // The bound relations' columns are known values when this one is read.
            preds.push(cond.clone().transform(&mut |e| match e {
                Expr::Column(c) if owner(c) == Some(j) => Expr::Column(c - leaf.offset),
                Expr::Column(c) => Expr::Outer { level: 1, index: c },
                other => other,
            }));
        }
        reach_of(&self.typed_access(table, &preds))
    }

    /// The join order rule (see the module documentation), applied to a pushed-down FROM
    /// tree before the access paths and join methods are chosen.
    pub(super) fn order_joins(&self, source: Source) -> Source {
        match chain_len(&source) {
            Some(n) if n <= MAX_CHAIN => {}
            _ => return source,
        }
        // The chain's join conditions (the filters pushed onto its relations stay there).
        let mut leaves = Vec::new();
        let mut conditions = Vec::new();
        leaves_of(&source, &mut leaves, &mut conditions);
        let Some(order) = self.chosen_order(&leaves, &conditions) else {
            return source;
        };
        // The new layout: each relation's columns follow those of the relations before it.
        let layout: Vec<(usize, usize)> = leaves.iter().map(|l| (l.offset, l.width)).collect();
        let width: usize = layout.iter().map(|(_, w)| w).sum();
        let mut new_position = vec![0; width];
        let mut at = 0;
        for &i in &order {
            let (offset, w) = layout[i];
            for k in 0..w {
                new_position[offset + k] = at + k;
            }
            at += w;
        }
        let remap = |e: Expr| {
            e.transform(&mut |x| match x {
                Expr::Column(c) => Expr::Column(new_position[c]),
                other => other,
            })
        };
        let conditions: Vec<Expr> = conditions.into_iter().map(remap).collect();
        let mut sources = Vec::new();
        take_leaves(source, &mut sources);
        let mut slots: Vec<Option<Source>> = sources.into_iter().map(Some).collect();
        let mut tree: Option<(Source, usize)> = None;
        for &i in &order {
            let leaf = slots[i].take().expect("each relation once");
            let leaf_width = layout[i].1;
            tree = Some(match tree {
                None => (leaf, leaf_width),
                Some((left, left_width)) => (
                    Source::Join(Box::new(JoinPlan {
                        kind: JoinKind::Inner,
                        left,
                        right: leaf,
                        left_width,
                        right_width: leaf_width,
                        method: JoinMethod::NestedLoop,
                        condition: None,
                    })),
                    left_width + leaf_width,
                ),
            });
        }
        let (tree, _) = tree.expect("a chain has relations");
        let (tree, above) = push_down(tree, conditions);
        let tree = match super::from::and_all(above) {
            Some(rest) => Source::Filter(Box::new(tree), rest),
            None => tree,
        };
        Source::Permute(Box::new(tree), new_position)
    }

    /// The order to join the relations of a chain in, when it is better than as written
    /// (see the module documentation).
    fn chosen_order(&self, leaves: &[Leaf<'_>], conditions: &[Expr]) -> Option<Vec<usize>> {
        let alone: Vec<Reach> = (0..leaves.len())
            .map(|j| self.reach(leaves, j, &[], conditions))
            .collect();
        // The first relation read by key, the best reach first; or nothing to change.
        let start = (0..leaves.len())
            .filter(|&j| alone[j] != Reach::Scan)
            .min_by_key(|&j| (alone[j], j))?;
        if start == 0 {
            return None;
        }
        let mut order = vec![start];
        let mut by_lookup = Vec::new();
        while order.len() < leaves.len() {
            let next = (0..leaves.len())
                .filter(|j| !order.contains(j))
                .map(|j| (self.reach(leaves, j, &order, conditions), j))
                .filter(|(reach, _)| *reach != Reach::Scan)
                .min();
            let Some((_, j)) = next else {
                break;
            };
            order.push(j);
            by_lookup.push(j);
        }
        // What was streamed first must now be read by lookup, not into memory.
        if !by_lookup.contains(&0) {
            return None;
        }
        let rest: Vec<usize> = (0..leaves.len()).filter(|j| !order.contains(j)).collect();
        order.extend(rest);
        Some(order)
    }
}
