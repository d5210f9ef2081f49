//! Planning array expressions: `ARRAY[...]` and `ARRAY(SELECT ...)`, subscripts and slices,
//! `op ANY / ALL (array)` and the array operators (`=`, `<`, ... `@>`, `<@`, `&&`, `||`).
//!
//! Types follow PostgreSQL's operators over `anyarray` and `anycompatiblearray`:
//!
//! ```text
//!   ARRAY[1, 2.5]              elements unified as CASE branches are   → numeric[]
//!   int[] = int[]              one array type on both sides (anyarray) → boolean
//!   int[] = bigint[]           42883 operator does not exist
//!   int[] || bigint            array_append over the common type       → bigint[]
//!   int[] || '{3}'             an untyped side is read as the array    → integer[]
//!   x = ANY (numeric[])        x and the elements compared as their common type
//! ```

use super::Planner;
use super::coerce::{coerce, unify};
use super::expr::is_untyped;
use super::scope::{AggState, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr, SubLink};
use crate::types::{DataType, Value};
use sqlparser::ast;

/// PostgreSQL's hint for an operator no candidate fits.
const NO_OPERATOR_HINT: &str = "No operator matches the given name and argument types. You might need to add explicit type casts.";

/// 42883 `operator does not exist: l op r`.
pub(super) fn no_operator(l: DataType, op: &str, r: DataType) -> Error {
    Error::undefined_function(format!(
        "operator does not exist: {} {op} {}",
        l.name(),
        r.name()
    ))
    .with_hint(NO_OPERATOR_HINT)
}

impl Planner<'_> {
    /// Plans `ARRAY[e1, e2, ...]` (or a nested `[...]`): the elements' common type makes the
    /// array's; elements that are arrays add a dimension. `expected` types an empty array
    /// (`ARRAY[]::integer[]`) and untyped elements.
    pub(super) fn plan_array_constructor(
        &mut self,
        elements: &[ast::Expr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        let expected_element = expected.and_then(DataType::element);
        let mut planned = Vec::with_capacity(elements.len());
        for e in elements {
            // A nested `[...]` expects the array type itself.
            let hint = match e {
                ast::Expr::Array(_) => expected.filter(|t| t.is_array()),
                _ => expected_element,
            };
            planned.push(self.plan_expr(e, scope, agg.as_deref_mut(), hint)?);
        }
        if planned.is_empty() {
            return match expected.filter(|t| t.is_array()) {
                Some(t) => Ok((
                    Expr::Array {
                        elements: vec![],
                        of_arrays: false,
                    },
                    t,
                )),
                None => Err(Error::new(
                    SqlState::INDETERMINATE_DATATYPE,
                    "cannot determine type of empty array",
                )
                .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")),
            };
        }
        let common = match expected_element
            .filter(|_| planned.iter().all(|(_, t)| *t == DataType::Unknown))
        {
            Some(t) => t,
            None => unify(planned.iter().map(|(_, t)| *t), "ARRAY")?,
        };
        let of_arrays = common.is_array();
        let ty = common
            .array_of()
            .ok_or_else(|| Error::internal("an array of an untyped element"))?;
        let elements = planned
            .into_iter()
            .map(|(e, t)| coerce(e, t, common, false))
            .collect::<Result<_>>()?;
        Ok((
            Expr::Array {
                elements,
                of_arrays,
            },
            ty,
        ))
    }

    /// Plans `ARRAY(SELECT x ...)`: a subquery of one column, whose values make the array.
    pub(super) fn plan_array_subquery(
        &mut self,
        query: &ast::Query,
        scope: &Scope,
        agg: Option<&AggState>,
    ) -> Result<(Expr, DataType)> {
        let (plan, columns, correlated) = self.plan_nested_query(query, scope, agg)?;
        let column = match columns.as_slice() {
            [(_, ty)] => *ty,
            _ => return Err(Error::syntax("subquery must return only one column")),
        };
        let column = if column == DataType::Unknown {
            DataType::Text
        } else {
            column
        };
        let ty = column
            .array_of()
            .ok_or_else(|| Error::internal("an array of an untyped column"))?;
        let id = self.add_subquery(plan, correlated);
        Ok((
            Expr::Subquery {
                id,
                link: SubLink::Array {
                    of_arrays: column.is_array(),
                },
            },
            ty,
        ))
    }

    /// Plans `a[i]`, `a[i][j]` and slices `a[l:u]`: subscripts are integers; when one is a
    /// slice every one is, a plain `[n]` then meaning `[1:n]`, as in PostgreSQL.
    pub(super) fn plan_subscript(
        &mut self,
        root: &ast::Expr,
        chain: &[ast::AccessExpr],
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        // `t.a[1]` parses as `t` followed by `.a` and `[1]`: the leading fields name the
        // column.
        let fields = chain
            .iter()
            .take_while(|a| matches!(a, ast::AccessExpr::Dot(ast::Expr::Identifier(_))))
            .count();
        let column;
        let (root, chain) = if fields > 0 {
            let mut idents = match root {
                ast::Expr::Identifier(i) => vec![i.clone()],
                ast::Expr::CompoundIdentifier(parts) => parts.clone(),
                _ => {
                    return Err(Error::unsupported(format!(
                        "field selection {} is not supported",
                        chain[0]
                    )));
                }
            };
            for access in &chain[..fields] {
                if let ast::AccessExpr::Dot(ast::Expr::Identifier(i)) = access {
                    idents.push(i.clone());
                }
            }
            column = ast::Expr::CompoundIdentifier(idents);
            (&column, &chain[fields..])
        } else {
            (root, chain)
        };
        let (array, ty) = self.plan_expr(root, scope, agg.as_deref_mut(), None)?;
        if chain.is_empty() {
            return Ok((array, ty));
        }
        let Some(element) = ty.element() else {
            return Err(Error::datatype_mismatch(format!(
                "cannot subscript type {} because it does not support subscripting",
                ty.name()
            )));
        };
        let mut subscripts = Vec::with_capacity(chain.len());
        let slice = chain
            .iter()
            .any(|a| matches!(a, ast::AccessExpr::Subscript(ast::Subscript::Slice { .. })));
        for access in chain {
            let ast::AccessExpr::Subscript(subscript) = access else {
                return Err(Error::unsupported(format!(
                    "field selection {access} is not supported"
                )));
            };
            match subscript {
                ast::Subscript::Index { index } => {
                    let upper = self.plan_array_index(index, scope, agg.as_deref_mut())?;
                    let lower = slice.then_some(Expr::Literal(Value::Int(1)));
                    subscripts.push((lower, Some(upper)));
                }
                ast::Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride,
                } => {
                    if stride.is_some() {
                        return Err(Error::syntax("syntax error at or near \":\""));
                    }
                    let mut bound = |b: &Option<ast::Expr>| -> Result<Option<Expr>> {
                        b.as_ref()
                            .map(|e| self.plan_array_index(e, scope, agg.as_deref_mut()))
                            .transpose()
                    };
                    // A bound left out is `None`: the array's own.
                    let lower = bound(lower_bound)?;
                    let upper = bound(upper_bound)?;
                    subscripts.push((lower, upper));
                }
            }
        }
        if subscripts.len() > crate::types::MAX_DIMENSIONS {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "number of array dimensions ({}) exceeds the maximum allowed ({})",
                    subscripts.len(),
                    crate::types::MAX_DIMENSIONS
                ),
            ));
        }
        Ok((
            Expr::Subscript {
                array: Box::new(array),
                subscripts,
                slice,
            },
            if slice { ty } else { element },
        ))
    }

    /// One subscript, converted to `integer` (numeric ones by assignment, as PostgreSQL's
    /// `array subscript must have type integer` allows).
    fn plan_array_index(
        &mut self,
        index: &ast::Expr,
        scope: &Scope,
        agg: Option<&mut AggState>,
    ) -> Result<Expr> {
        let (e, ty) = self.plan_expr(index, scope, agg, Some(DataType::Int4))?;
        if ty.is_numeric() || ty == DataType::Unknown {
            coerce(e, ty, DataType::Int4, true)
        } else {
            Err(Error::datatype_mismatch(
                "array subscript must have type integer",
            ))
        }
    }

    /// Plans `left op ANY (array)` (`op ALL` when `all`): the left side and the elements
    /// are compared as their common type; an untyped array is read as an array of the left
    /// side's type.
    pub(super) fn plan_any_array(
        &mut self,
        left: &ast::Expr,
        op: &ast::BinaryOperator,
        all: bool,
        right: &ast::Expr,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
    ) -> Result<(Expr, DataType)> {
        let bin = comparison(op)?;
        let ((l, lt), (r, rt)) = if is_untyped(right) {
            let (l, lt) = self.plan_expr(left, scope, agg.as_deref_mut(), None)?;
            let hint = lt.array_of();
            let right = self.plan_expr(right, scope, agg, hint)?;
            ((l, lt), right)
        } else {
            let (r, rt) = self.plan_expr(right, scope, agg.as_deref_mut(), None)?;
            let left = self.plan_expr(left, scope, agg, rt.element())?;
            (left, (r, rt))
        };
        let (r, rt) = match rt {
            DataType::Unknown => {
                let t = match lt {
                    DataType::Unknown => DataType::Array(crate::types::ElementType::Text),
                    t => t
                        .array_of()
                        .unwrap_or(DataType::Array(crate::types::ElementType::Text)),
                };
                (coerce(r, rt, t, false)?, t)
            }
            t => (r, t),
        };
        let Some(element) = rt.element() else {
            return Err(Error::new(
                SqlState::WRONG_OBJECT_TYPE,
                "op ANY/ALL (array) requires array on right side",
            ));
        };
        let common = match DataType::common(lt, element) {
            Some(DataType::Unknown) => DataType::Text,
            Some(t) => t,
            None => return Err(no_operator(lt, &op.to_string(), element)),
        };
        let array_type = common
            .array_of()
            .ok_or_else(|| Error::internal("an array of an untyped element"))?;
        Ok((
            Expr::AnyArray {
                lhs: Box::new(coerce(l, lt, common, false)?),
                op: bin,
                operand_type: common,
                all,
                array: Box::new(coerce(r, rt, array_type, false)?),
            },
            DataType::Bool,
        ))
    }
}

/// The comparison an `op ANY / ALL` names.
fn comparison(op: &ast::BinaryOperator) -> Result<BinOp> {
    use ast::BinaryOperator as B;
    Ok(match op {
        B::Eq => BinOp::Eq,
        B::NotEq => BinOp::NotEq,
        B::Lt => BinOp::Lt,
        B::LtEq => BinOp::LtEq,
        B::Gt => BinOp::Gt,
        B::GtEq => BinOp::GtEq,
        other => {
            return Err(Error::unsupported(format!(
                "operator {other} with ANY / ALL is not supported"
            )));
        }
    })
}

/// Plans a binary operator with an array on some side (or an array-only operator): the
/// comparisons and `@>`, `<@`, `&&` need one array type on both sides; `||` joins two
/// arrays, or adds an element, over their common type. An untyped side takes the array
/// type of the other.
pub(super) fn array_binary(
    bin: BinOp,
    (l, lt): (Expr, DataType),
    (r, rt): (Expr, DataType),
) -> Result<(Expr, DataType)> {
    let symbol = bin.symbol();
    let (l, lt) = match (lt, rt) {
        (DataType::Unknown, t) if t.is_array() => (coerce(l, lt, t, false)?, t),
        _ => (l, lt),
    };
    let (r, rt) = match (lt, rt) {
        (t, DataType::Unknown) if t.is_array() => (coerce(r, rt, t, false)?, t),
        _ => (r, rt),
    };
    let binary = |op, l, r, operand_type, result_type| {
        Ok((
            Expr::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
                operand_type,
                result_type,
            },
            result_type,
        ))
    };
    match bin {
        _ if bin.is_comparison()
            || matches!(bin, BinOp::Contains | BinOp::ContainedBy | BinOp::Overlaps) =>
        {
            match (lt.element(), rt.element()) {
                (Some(a), Some(b)) if crate::functions::same_type(a, b) => {
                    binary(bin, l, r, lt, DataType::Bool)
                }
                _ => Err(no_operator(lt, symbol, rt)),
            }
        }
        BinOp::Concat => {
            let (le, re) = (lt.element(), rt.element());
            let (op, common) = match (le, re) {
                (Some(a), Some(b)) => (BinOp::Concat, DataType::common(a, b)),
                (Some(a), None) => (BinOp::ArrayAppend, DataType::common(a, rt)),
                (None, Some(b)) => (BinOp::ArrayPrepend, DataType::common(lt, b)),
                (None, None) => return Err(no_operator(lt, symbol, rt)),
            };
            let common = match common {
                Some(DataType::Unknown) => DataType::Text,
                Some(t) if !t.is_array() => t,
                _ => return Err(no_operator(lt, symbol, rt)),
            };
            let array = common
                .array_of()
                .ok_or_else(|| Error::internal("an array of an untyped element"))?;
            let side =
                |e, t: DataType| coerce(e, t, if t.is_array() { array } else { common }, false);
            binary(op, side(l, lt)?, side(r, rt)?, array, array)
        }
        _ => Err(no_operator(lt, symbol, rt)),
    }
}
