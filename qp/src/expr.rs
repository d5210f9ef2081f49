//! Planned (typed, name-resolved) expressions and their evaluation.

use crate::error::{Error, Result, SqlState};
use crate::functions::scalar::math::numeric_div;
use crate::types::timezone::TimeZone;
use crate::types::{Array, DataType, RegKind, Value, check_int_range};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `=`
    Eq,
    /// `<>`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `||`: text concatenation, or `array_cat` when the operand type is an array type.
    Concat,
    /// `array || element` (`array_append`).
    ArrayAppend,
    /// `element || array` (`array_prepend`).
    ArrayPrepend,
    /// `@>`: the left array contains every element of the right one.
    Contains,
    /// `<@`: the left array's elements are all in the right one.
    ContainedBy,
    /// `&&`: the arrays have an element in common.
    Overlaps,
}

impl BinOp {
    /// The operator as SQL writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::NotEq => "<>",
            BinOp::Lt => "<",
            BinOp::LtEq => "<=",
            BinOp::Gt => ">",
            BinOp::GtEq => ">=",
            BinOp::And => "AND",
            BinOp::Or => "OR",
            BinOp::Concat | BinOp::ArrayAppend | BinOp::ArrayPrepend => "||",
            BinOp::Contains => "@>",
            BinOp::ContainedBy => "<@",
            BinOp::Overlaps => "&&",
        }
    }

    /// Comparison operators.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::LtEq | BinOp::Gt | BinOp::GtEq
        )
    }
}

/// The conditional expressions PostgreSQL's grammar owns (they are not `pg_proc` functions):
/// their arguments are evaluated only as far as needed. Every other function call is an
/// [`Expr::Call`] of a registry function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `COALESCE(a, b, ...)`
    Coalesce,
    /// `NULLIF(a, b)`
    NullIf,
    /// `GREATEST(...)`
    Greatest,
    /// `LEAST(...)`
    Least,
}

pub use crate::functions::{AggFunc, FuncId, SetFunc};

/// One ORDER BY key (of a query, a window or an aggregate call).
#[derive(Clone, Debug)]
pub struct SortKey {
    /// The expression (over the source row, or the aggregated row).
    pub expr: Expr,
    /// Descending.
    pub desc: bool,
    /// NULLs first.
    pub nulls_first: bool,
}

/// One aggregate call of a query.
#[derive(Clone, Debug)]
pub struct AggCall {
    /// The function.
    pub func: AggFunc,
    /// The argument, evaluated on source rows (absent for `count(*)`).
    pub arg: Option<Expr>,
    /// The argument's type.
    pub arg_type: DataType,
    /// The result type.
    pub result_type: DataType,
    /// `DISTINCT` inside the call.
    pub distinct: bool,
    /// `string_agg`'s second argument (the delimiter), evaluated on each row like `arg`.
    pub delimiter: Option<Expr>,
    /// `FILTER (WHERE ...)`: only the rows it is true for are aggregated.
    pub filter: Option<Expr>,
    /// `ORDER BY` inside the call: the order values are fed to the aggregate in, which
    /// matters to order-sensitive ones (`string_agg`). Empty: the rows' order.
    pub order_by: Vec<SortKey>,
}

impl AggCall {
    /// The expressions the call evaluates on each source row: its argument, delimiter,
    /// FILTER and ORDER BY keys.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.arg
            .iter()
            .chain(self.delimiter.iter())
            .chain(self.filter.iter())
            .chain(self.order_by.iter().map(|k| &k.expr))
    }
}

/// A planned expression: names resolved to column positions, types checked.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A constant.
    Literal(Value),
    /// The value of column `i` of the input row.
    Column(usize),
    /// Bind parameter `$n` (0-based here).
    Param(usize),
    /// A binary operation on operands converted to `operand_type`, giving `result_type`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
        /// The type both operands are converted to.
        operand_type: DataType,
        /// The result's type (for overflow checks).
        result_type: DataType,
    },
    /// `NOT x`
    Not(Box<Expr>),
    /// `-x`
    Negate(Box<Expr>, DataType),
    /// `x IS [NOT] NULL`
    IsNull(Box<Expr>, bool),
    /// A type conversion.
    Cast(Box<Expr>, DataType, DataType),
    /// `CASE WHEN c THEN r ... ELSE e END` (a simple CASE is planned into this form).
    Case(Vec<(Expr, Expr)>, Option<Box<Expr>>),
    /// `x [NOT] IN (list)`
    InList(Box<Expr>, Vec<Expr>, bool),
    /// `x [NOT] [I]LIKE pattern [ESCAPE e]`
    Like {
        /// The string tested.
        expr: Box<Expr>,
        /// The pattern.
        pattern: Box<Expr>,
        /// `NOT LIKE`
        negated: bool,
        /// `ILIKE`
        case_insensitive: bool,
        /// The escape character: backslash unless `ESCAPE` names another (or none).
        escape: Option<char>,
    },
    /// A conditional expression (`COALESCE`, `NULLIF`, `GREATEST`, `LEAST`).
    Func(Func, Vec<Expr>),
    /// A call of a registry function (a scalar one), its arguments converted to the
    /// overload's types.
    Call(FuncId, Vec<Expr>),
    /// The result of aggregate call `i` (in an aggregated query's output row).
    AggRef(usize),
    /// While a select list is planned: the value of its set-returning function call `k`.
    /// Once the query's row is known, the planner replaces it with the column the call's
    /// values are appended at (see [`crate::plan::QueryPlan::set_functions`]), so it is never
    /// evaluated.
    SetFunctionRef(usize),
    /// The result of a window function call: column `i` of the row the window stage made
    /// (see `plan::Windowing`), which is the row it read followed by one column per call.
    WindowRef(usize),
    /// Column `index` of the row of an enclosing query: `level` 1 is the query (or the left
    /// side of the join) this expression's query is nested in, 2 the one around that, and so
    /// on (see [`EvalContext::outer`]). Correlated subqueries, LATERAL and index lookup
    /// joins read their outer row through it.
    Outer {
        /// How many queries out.
        level: usize,
        /// The column of that query's row.
        index: usize,
    },
    /// `lhs op ANY (values)`, or `op ALL` when `all`: what a quantified subquery becomes once
    /// its rows are known (see [`SubLink::Quantified`]).
    AnyOf {
        /// The left operand.
        lhs: Box<Expr>,
        /// The comparison.
        op: BinOp,
        /// The type both sides are compared as.
        operand_type: DataType,
        /// `ALL` (else `ANY`).
        all: bool,
        /// The values compared with.
        values: std::sync::Arc<Vec<Value>>,
    },
    /// `lhs [NOT] IN (set)`: what `x IN (SELECT ...)` (`= ANY`) and `x NOT IN (SELECT ...)`
    /// (`<> ALL`) become once the subquery's rows are known, looked up by hash.
    InSet {
        /// The value looked up.
        lhs: Box<Expr>,
        /// The subquery's values.
        set: std::sync::Arc<ValueSet>,
        /// `NOT IN`
        negated: bool,
    },
    /// `(a, b, ...) [NOT] IN (rows)`: what a row-valued `IN (SELECT ...)` becomes once the
    /// subquery's rows are known (see [`SubLink::RowIn`]).
    RowIn {
        /// The row's values.
        lhs: Vec<Expr>,
        /// The type each column is compared as.
        operand_types: Vec<DataType>,
        /// The subquery's rows.
        rows: std::sync::Arc<Vec<Vec<Value>>>,
        /// `NOT IN`
        negated: bool,
    },
    /// `ARRAY[e1, e2, ...]`, its elements converted to the element type; over arrays
    /// (`of_arrays`, `ARRAY[ARRAY[1,2], ARRAY[3,4]]`) it adds a dimension.
    Array {
        /// The elements (or sub-arrays).
        elements: Vec<Expr>,
        /// Whether the elements are arrays.
        of_arrays: bool,
    },
    /// `a[i]`, `a[i][j]` (an element, NULL out of bounds) or, when `slice`, `a[l:u]...` (an
    /// array). Each subscript is `(lower, upper)`: an element subscript has only `upper`; a
    /// slice bound left out (`a[:2]`) is `None`.
    Subscript {
        /// The array.
        array: Box<Expr>,
        /// The subscripts, as integers.
        subscripts: Vec<(Option<Expr>, Option<Expr>)>,
        /// A slice (some subscript has a colon).
        slice: bool,
    },
    /// `lhs op ANY (array)`, or `op ALL` when `all`: [`Expr::AnyOf`] over an array value
    /// (NULL when the array is NULL).
    AnyArray {
        /// The left operand.
        lhs: Box<Expr>,
        /// The comparison.
        op: BinOp,
        /// The type both sides are compared as.
        operand_type: DataType,
        /// `ALL` (else `ANY`).
        all: bool,
        /// The array, of elements of `operand_type`.
        array: Box<Expr>,
    },
    /// A subquery's value: `id` is its index in the statement's subqueries
    /// (`plan::Planned::subqueries`). The executor runs it and puts its value in place
    /// before the expression is evaluated (see `exec::subquery`).
    Subquery {
        /// The subquery's index.
        id: usize,
        /// What value its rows make.
        link: SubLink,
    },
}

/// The value of `lhs op ANY (values)` (or `ALL`) under SQL's three-valued logic: ANY is
/// true when some comparison is, ALL when none is false; otherwise NULL when a comparison was
/// NULL (over no values ANY is false and ALL true, whatever `lhs` is).
fn any_of(lhs: &Value, op: BinOp, operand: DataType, all: bool, values: &[Value]) -> Result<Value> {
    if values.is_empty() {
        return Ok(Value::Bool(all));
    }
    let mut saw_null = false;
    for v in values {
        if lhs.is_null() || v.is_null() {
            saw_null = true;
            continue;
        }
        let holds = binary(op, lhs.clone(), v.clone(), operand, DataType::Bool)?.as_bool()?;
        match (holds, all) {
            (Some(true), false) => return Ok(Value::Bool(true)),
            (Some(false), true) => return Ok(Value::Bool(false)),
            (None, _) => saw_null = true,
            _ => {}
        }
    }
    Ok(if saw_null {
        Value::Null
    } else {
        Value::Bool(all)
    })
}

/// The value of `lhs IN (rows)` (`NOT IN` when `negated`) for row values: a row matches
/// when every column pair is equal; a pair with a NULL makes the row's comparison NULL
/// unless another pair is unequal; IN is true when some row matches, else NULL when some
/// comparison was NULL, else false.
fn row_in(lhs: &[Value], types: &[DataType], rows: &[Vec<Value>], negated: bool) -> Result<Value> {
    let mut saw_null = false;
    'rows: for r in rows {
        let mut row_null = false;
        for ((l, v), ty) in lhs.iter().zip(r).zip(types) {
            if l.is_null() || v.is_null() {
                row_null = true;
                continue;
            }
            let equal = binary(BinOp::Eq, l.clone(), v.clone(), *ty, DataType::Bool)?.as_bool()?;
            match equal {
                Some(false) => continue 'rows,
                None => row_null = true,
                Some(true) => {}
            }
        }
        if !row_null {
            return Ok(Value::Bool(!negated));
        }
        saw_null = true;
    }
    Ok(if saw_null {
        Value::Null
    } else {
        Value::Bool(negated)
    })
}

/// The values of a subquery's column, for hashed `IN` lookups: the values are all of one
/// type (the comparison's), so equal values have equal [`Value::group_key`]s.
#[derive(Debug, Default)]
pub struct ValueSet {
    /// The group keys of the non-NULL values.
    keys: std::collections::HashSet<Vec<u8>>,
    /// Whether some value is NULL.
    has_null: bool,
}

impl ValueSet {
    /// The set of `values`.
    pub fn of(values: impl IntoIterator<Item = Value>) -> ValueSet {
        let mut set = ValueSet::default();
        for v in values {
            if v.is_null() {
                set.has_null = true;
            } else {
                let mut key = Vec::new();
                v.group_key(&mut key);
                set.keys.insert(key);
            }
        }
        set
    }

    /// `v IN (set)` under SQL's three-valued logic: false over no values, NULL when `v` is
    /// NULL or when it is not found but the set holds a NULL.
    fn contains(&self, v: &Value) -> Value {
        if self.keys.is_empty() && !self.has_null {
            return Value::Bool(false);
        }
        if v.is_null() {
            return Value::Null;
        }
        let mut key = Vec::new();
        v.group_key(&mut key);
        if self.keys.contains(&key) {
            Value::Bool(true)
        } else if self.has_null {
            Value::Null
        } else {
            Value::Bool(false)
        }
    }
}

/// How a subquery's rows make a value.
#[derive(Clone, Debug)]
pub enum SubLink {
    /// `(SELECT x ...)`: the value of its one row; NULL when it returns none, 21000 for more.
    Scalar,
    /// `EXISTS (SELECT ...)`
    Exists,
    /// `lhs op ANY (SELECT x ...)` (`IN` is `= ANY`), or `op ALL` when `all`: true when the
    /// comparison holds for some (every) row, NULL when it holds for none (fails for none)
    /// but some comparison was NULL.
    Quantified {
        /// The left operand.
        lhs: Box<Expr>,
        /// The comparison.
        op: BinOp,
        /// The type both sides are compared as.
        operand_type: DataType,
        /// `ALL` (else `ANY` / `SOME` / `IN`).
        all: bool,
    },
    /// `ARRAY(SELECT x ...)`: the array of its column's values, in its rows' order (empty
    /// for no rows; one more dimension when they are arrays).
    Array {
        /// Whether the column is of an array type.
        of_arrays: bool,
    },
    /// `(a, b, ...) IN (SELECT x, y, ...)`, or `NOT IN` when `negated`: true when some row
    /// equals the left row column by column, NULL when none does but some comparison was
    /// NULL (and NOT IN the negation), as PostgreSQL compares row constructors.
    RowIn {
        /// The left row's values.
        lhs: Vec<Expr>,
        /// The type each column pair is compared as.
        operand_types: Vec<DataType>,
        /// `NOT IN`
        negated: bool,
    },
    /// `(a, b, ...) op (SELECT x, y, ...)` with `op` one of `=`, `<>`, `<`, `<=`, `>`, `>=`:
    /// the left row compared with the subquery's one row as two row constructors are
    /// compared (NULL for no row, 21000 for more than one).
    RowCompare {
        /// The left row's values.
        lhs: Vec<Expr>,
        /// The type each column pair is compared as.
        operand_types: Vec<DataType>,
        /// The comparison.
        op: BinOp,
    },
}

/// What evaluation needs besides the row: parameters and the statement's context.
pub struct EvalContext<'a> {
    /// Bound parameter values.
    pub params: &'a [Value],
    /// The transaction start time (`now()`).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The current role (`current_user`).
    pub user: &'a str,
    /// The role that logged in (`session_user`).
    pub session_user: &'a str,
    /// The statement's start time (`statement_timestamp()`).
    pub statement_started_at: chrono::DateTime<chrono::Utc>,
    /// The session's time zone: how timestamptz converts to and from local times.
    pub time_zone: TimeZone,
    /// The first existing schema of the session's `search_path` (`current_schema()`).
    pub current_schema: Option<&'a str>,
    /// The session's `search_path` (with `$user` replaced), for the functions that resolve
    /// names (`pg_table_is_visible`).
    pub search_path: &'a [String],
    /// The catalog the statement reads, for the functions that look into it; `None` where
    /// no statement runs (constant folding at planning, which leaves those functions alone).
    pub catalog: Option<&'a crate::catalog::Catalog>,
    /// The rows of the enclosing queries, innermost last: [`Expr::Outer`] with level `n`
    /// reads `outer[outer.len() - n]`.
    pub outer: &'a [Vec<Value>],
    /// The session's parameters (`current_setting`, `set_config`); `None` where no
    /// statement runs.
    pub settings: Option<&'a dyn crate::functions::Settings>,
}

impl Expr {
    /// Evaluates the expression on a row.
    pub fn eval(&self, row: &[Value], ctx: &EvalContext) -> Result<Value> {
        Ok(match self {
            Expr::Literal(v) => v.clone(),
            Expr::Column(i) | Expr::AggRef(i) | Expr::WindowRef(i) => row
                .get(*i)
                .cloned()
                .ok_or_else(|| Error::internal("column out of range"))?,
            Expr::Param(i) => ctx
                .params
                .get(*i)
                .cloned()
                .ok_or_else(|| Error::protocol(format!("there is no parameter ${}", i + 1)))?,
            Expr::Binary {
                op,
                left,
                right,
                operand_type,
                result_type,
            } => {
                let l = left.eval(row, ctx)?;
                match op {
                    BinOp::And => {
                        if l.as_bool()? == Some(false) {
                            return Ok(Value::Bool(false));
                        }
                        let r = right.eval(row, ctx)?;
                        return Ok(match (l.as_bool()?, r.as_bool()?) {
                            (_, Some(false)) => Value::Bool(false),
                            (Some(true), Some(true)) => Value::Bool(true),
                            _ => Value::Null,
                        });
                    }
                    BinOp::Or => {
                        if l.as_bool()? == Some(true) {
                            return Ok(Value::Bool(true));
                        }
                        let r = right.eval(row, ctx)?;
                        return Ok(match (l.as_bool()?, r.as_bool()?) {
                            (_, Some(true)) => Value::Bool(true),
                            (Some(false), Some(false)) => Value::Bool(false),
                            _ => Value::Null,
                        });
                    }
                    _ => {}
                }
                let r = right.eval(row, ctx)?;
                if let Some(v) = array_concat(*op, &l, &r, *operand_type)? {
                    return Ok(v);
                }
                if l.is_null() || r.is_null() {
                    return Ok(Value::Null);
                }
                binary(*op, l, r, *operand_type, *result_type)?
            }
            Expr::Not(e) => match e.eval(row, ctx)?.as_bool()? {
                None => Value::Null,
                Some(b) => Value::Bool(!b),
            },
            Expr::Negate(e, ty) => match e.eval(row, ctx)? {
                Value::Null => Value::Null,
                Value::Int(i) => {
                    let n = i.checked_neg().ok_or_else(|| int_overflow(*ty))?;
                    check_int_range(n, *ty)?;
                    Value::Int(n)
                }
                Value::Float(f) => Value::Float(-f),
                Value::Numeric(d) => Value::Numeric(-d),
                other => {
                    return Err(Error::undefined_function(format!(
                        "operator does not exist: - {}",
                        other.to_text()
                    )));
                }
            },
            Expr::IsNull(e, negated) => Value::Bool(e.eval(row, ctx)?.is_null() != *negated),
            Expr::Cast(e, from, to) => {
                let v = e.eval(row, ctx)?;
                match cast_through_catalog(&v, *from, *to, ctx) {
                    Some(cast) => cast?,
                    None => v.cast(*from, *to, ctx.time_zone)?,
                }
            }
            Expr::Case(whens, otherwise) => {
                for (cond, result) in whens {
                    if cond.eval(row, ctx)?.as_bool()? == Some(true) {
                        return result.eval(row, ctx);
                    }
                }
                match otherwise {
                    Some(e) => e.eval(row, ctx)?,
                    None => Value::Null,
                }
            }
            Expr::InList(e, list, negated) => {
                let v = e.eval(row, ctx)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut saw_null = false;
                for item in list {
                    let candidate = item.eval(row, ctx)?;
                    if candidate.is_null() {
                        saw_null = true;
                    } else if v.compare(&candidate) == Ordering::Equal {
                        return Ok(Value::Bool(!negated));
                    }
                }
                if saw_null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                }
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
                escape,
            } => {
                let (v, p) = (expr.eval(row, ctx)?, pattern.eval(row, ctx)?);
                match (v, p) {
                    (Value::Text(s), Value::Text(p)) => {
                        let matched = like(&s, &p, *escape, *case_insensitive)?;
                        Value::Bool(matched != *negated)
                    }
                    _ => Value::Null,
                }
            }
            Expr::Func(func, args) => eval_func(*func, args, row, ctx)?,
            Expr::Call(id, args) => call(*id, args, row, ctx)?,
            Expr::Outer { level, index } => ctx
                .outer
                .len()
                .checked_sub(*level)
                .and_then(|i| ctx.outer[i].get(*index))
                .cloned()
                .ok_or_else(|| Error::internal("outer column out of range"))?,
            Expr::AnyOf {
                lhs,
                op,
                operand_type,
                all,
                values,
            } => any_of(&lhs.eval(row, ctx)?, *op, *operand_type, *all, values)?,
            Expr::InSet { lhs, set, negated } => match set.contains(&lhs.eval(row, ctx)?) {
                Value::Bool(b) => Value::Bool(b != *negated),
                other => other,
            },
            Expr::RowIn {
                lhs,
                operand_types,
                rows,
                negated,
            } => {
                let values = lhs
                    .iter()
                    .map(|e| e.eval(row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                row_in(&values, operand_types, rows, *negated)?
            }
            Expr::Array {
                elements,
                of_arrays,
            } => {
                let values = elements
                    .iter()
                    .map(|e| e.eval(row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                Value::array(Array::construct(values, *of_arrays)?)
            }
            Expr::Subscript {
                array,
                subscripts,
                slice,
            } => {
                let Value::Array(a) = array.eval(row, ctx)? else {
                    return Ok(Value::Null);
                };
                let mut bounds = Vec::with_capacity(subscripts.len());
                for (lower, upper) in subscripts {
                    let bound = |e: &Option<Expr>| -> Result<Option<Option<i64>>> {
                        Ok(match e {
                            None => Some(None),
                            Some(e) => match e.eval(row, ctx)? {
                                Value::Int(i) => Some(Some(i)),
                                _ => None,
                            },
                        })
                    };
                    // A NULL subscript makes the result NULL.
                    let (Some(l), Some(u)) = (bound(lower)?, bound(upper)?) else {
                        return Ok(Value::Null);
                    };
                    bounds.push((l, u));
                }
                if *slice {
                    Value::array(a.slice(&bounds))
                } else {
                    let at: Vec<i64> = bounds.iter().map(|(_, u)| u.unwrap_or(0)).collect();
                    a.get(&at)
                }
            }
            Expr::AnyArray {
                lhs,
                op,
                operand_type,
                all,
                array,
            } => {
                let l = lhs.eval(row, ctx)?;
                match array.eval(row, ctx)? {
                    Value::Array(a) => any_of(&l, *op, *operand_type, *all, &a.elements)?,
                    _ => Value::Null,
                }
            }
            Expr::Subquery { .. } => {
                return Err(Error::unsupported("a subquery is not supported here yet"));
            }
            Expr::SetFunctionRef(_) => {
                return Err(Error::internal("set-returning function left unplaced"));
            }
        })
    }

    /// Calls `f` on this expression and every expression inside it, parents first (not into
    /// the plans of subqueries).
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Literal(_)
            | Expr::Param(_)
            | Expr::AggRef(_)
            | Expr::SetFunctionRef(_)
            | Expr::WindowRef(_)
            | Expr::Column(_)
            | Expr::Outer { .. } => {}
            Expr::Binary { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            Expr::Not(e) | Expr::Negate(e, _) | Expr::IsNull(e, _) | Expr::Cast(e, _, _) => {
                e.walk(f)
            }
            Expr::Case(arms, otherwise) => {
                for (c, r) in arms {
                    c.walk(f);
                    r.walk(f);
                }
                if let Some(e) = otherwise {
                    e.walk(f);
                }
            }
            Expr::InList(e, list, _) => {
                e.walk(f);
                for x in list {
                    x.walk(f);
                }
            }
            Expr::Like { expr, pattern, .. } => {
                expr.walk(f);
                pattern.walk(f);
            }
            Expr::Func(_, args) | Expr::Call(_, args) => {
                for a in args {
                    a.walk(f);
                }
            }
            Expr::Subquery { link, .. } => match link {
                SubLink::Quantified { lhs, .. } => lhs.walk(f),
                SubLink::RowIn { lhs, .. } | SubLink::RowCompare { lhs, .. } => {
                    for e in lhs {
                        e.walk(f);
                    }
                }
                SubLink::Scalar | SubLink::Exists | SubLink::Array { .. } => {}
            },
            Expr::Array { elements, .. } => {
                for e in elements {
                    e.walk(f);
                }
            }
            Expr::Subscript {
                array, subscripts, ..
            } => {
                array.walk(f);
                for (l, u) in subscripts {
                    for e in l.iter().chain(u.iter()) {
                        e.walk(f);
                    }
                }
            }
            Expr::AnyArray { lhs, array, .. } => {
                lhs.walk(f);
                array.walk(f);
            }
            Expr::RowIn { lhs, .. } => {
                for e in lhs {
                    e.walk(f);
                }
            }
            Expr::AnyOf { lhs, .. } | Expr::InSet { lhs, .. } => lhs.walk(f),
        }
    }

    /// Rebuilds the expression bottom-up, replacing every node (children first) by what `f`
    /// makes of it.
    pub fn transform(self, f: &mut dyn FnMut(Expr) -> Expr) -> Expr {
        let Ok(rebuilt) =
            self.map_children::<std::convert::Infallible>(&mut |c| Ok(c.transform(f)));
        f(rebuilt)
    }

    /// The expression with `f` applied to each of its direct children (the operands,
    /// arguments and the expressions inside a subquery's link), children in order; the
    /// first error stops it.
    pub fn map_children<E>(
        self,
        f: &mut dyn FnMut(Expr) -> std::result::Result<Expr, E>,
    ) -> std::result::Result<Expr, E> {
        let t = |e: Box<Expr>,
                 f: &mut dyn FnMut(Expr) -> std::result::Result<Expr, E>|
         -> std::result::Result<Box<Expr>, E> { Ok(Box::new(f(*e)?)) };
        Ok(match self {
            e @ (Expr::Literal(_)
            | Expr::Param(_)
            | Expr::AggRef(_)
            | Expr::SetFunctionRef(_)
            | Expr::WindowRef(_)
            | Expr::Column(_)
            | Expr::Outer { .. }) => e,
            Expr::Binary {
                op,
                left,
                right,
                operand_type,
                result_type,
            } => Expr::Binary {
                op,
                left: t(left, f)?,
                right: t(right, f)?,
                operand_type,
                result_type,
            },
            Expr::Not(e) => Expr::Not(t(e, f)?),
            Expr::Negate(e, ty) => Expr::Negate(t(e, f)?, ty),
            Expr::IsNull(e, n) => Expr::IsNull(t(e, f)?, n),
            Expr::Cast(e, from, to) => Expr::Cast(t(e, f)?, from, to),
            Expr::Case(arms, otherwise) => Expr::Case(
                arms.into_iter()
                    .map(|(c, r)| Ok((f(c)?, f(r)?)))
                    .collect::<std::result::Result<_, E>>()?,
                otherwise.map(|e| t(e, f)).transpose()?,
            ),
            Expr::InList(e, list, n) => Expr::InList(
                t(e, f)?,
                list.into_iter()
                    .map(&mut *f)
                    .collect::<std::result::Result<_, E>>()?,
                n,
            ),
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
                escape,
            } => Expr::Like {
                expr: t(expr, f)?,
                pattern: t(pattern, f)?,
                negated,
                case_insensitive,
                escape,
            },
            Expr::Func(func, args) => Expr::Func(
                func,
                args.into_iter()
                    .map(&mut *f)
                    .collect::<std::result::Result<_, E>>()?,
            ),
            Expr::Call(id, args) => Expr::Call(
                id,
                args.into_iter()
                    .map(&mut *f)
                    .collect::<std::result::Result<_, E>>()?,
            ),
            Expr::AnyOf {
                lhs,
                op,
                operand_type,
                all,
                values,
            } => Expr::AnyOf {
                lhs: t(lhs, f)?,
                op,
                operand_type,
                all,
                values,
            },
            Expr::InSet { lhs, set, negated } => Expr::InSet {
                lhs: t(lhs, f)?,
                set,
                negated,
            },
            Expr::Array {
                elements,
                of_arrays,
            } => Expr::Array {
                elements: elements
                    .into_iter()
                    .map(&mut *f)
                    .collect::<std::result::Result<_, E>>()?,
                of_arrays,
            },
            Expr::Subscript {
                array,
                subscripts,
                slice,
            } => Expr::Subscript {
                array: t(array, f)?,
                subscripts: subscripts
                    .into_iter()
                    .map(|(l, u)| Ok((l.map(&mut *f).transpose()?, u.map(&mut *f).transpose()?)))
                    .collect::<std::result::Result<_, E>>()?,
                slice,
            },
            Expr::AnyArray {
                lhs,
                op,
                operand_type,
                all,
                array,
            } => Expr::AnyArray {
                lhs: t(lhs, f)?,
                op,
                operand_type,
                all,
                array: t(array, f)?,
            },
            Expr::RowIn {
                lhs,
                operand_types,
                rows,
                negated,
            } => Expr::RowIn {
                lhs: lhs
                    .into_iter()
                    .map(&mut *f)
                    .collect::<std::result::Result<_, E>>()?,
                operand_types,
                rows,
                negated,
            },
            Expr::Subquery { id, link } => Expr::Subquery {
                id,
                link: match link {
                    SubLink::Quantified {
                        lhs,
                        op,
                        operand_type,
                        all,
                    } => SubLink::Quantified {
                        lhs: t(lhs, f)?,
                        op,
                        operand_type,
                        all,
                    },
                    SubLink::RowIn {
                        lhs,
                        operand_types,
                        negated,
                    } => SubLink::RowIn {
                        lhs: lhs
                            .into_iter()
                            .map(&mut *f)
                            .collect::<std::result::Result<_, E>>()?,
                        operand_types,
                        negated,
                    },
                    SubLink::RowCompare {
                        lhs,
                        operand_types,
                        op,
                    } => SubLink::RowCompare {
                        lhs: lhs
                            .into_iter()
                            .map(&mut *f)
                            .collect::<std::result::Result<_, E>>()?,
                        operand_types,
                        op,
                    },
                    other => other,
                },
            },
        })
    }

    /// Whether the expression holds a subquery.
    pub fn has_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Subquery { .. }));
        found
    }

    /// The subqueries the expression holds (their ids).
    pub fn subqueries(&self, out: &mut Vec<usize>) {
        self.walk(&mut |e| {
            if let Expr::Subquery { id, .. } = e {
                out.push(*id);
            }
        });
    }

    /// Appends the positions of the input row's columns the expression reads.
    pub fn columns(&self, out: &mut Vec<usize>) {
        self.walk(&mut |e| {
            if let Expr::Column(c) = e {
                out.push(*c);
            }
        });
    }

    /// Whether the expression is a constant, a parameter or a column of an outer row (does not
    /// read the row, so it can bound a key read).
    pub fn is_row_independent(&self) -> bool {
        match self {
            Expr::Literal(_) | Expr::Param(_) | Expr::Outer { .. } => true,
            Expr::Cast(e, _, _) | Expr::Negate(e, _) => e.is_row_independent(),
            Expr::Binary { left, right, .. } => {
                left.is_row_independent() && right.is_row_independent()
            }
            _ => false,
        }
    }
}

fn int_overflow(ty: DataType) -> Error {
    Error::out_of_range(if ty == DataType::Int2 {
        "smallint out of range"
    } else if ty == DataType::Int8 {
        "bigint out of range"
    } else {
        "integer out of range"
    })
}

fn to_decimal(v: &Value) -> Decimal {
    match v {
        Value::Int(i) => Decimal::from(*i),
        Value::Numeric(d) => *d,
        Value::Float(f) => Decimal::try_from(*f).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Numeric(d) => d.to_f64().unwrap_or(f64::NAN),
        Value::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// The `||` operators over arrays, which are not strict: `array_cat` leaves the other
/// array when one is NULL, `array_append` / `array_prepend` add a NULL element and make a
/// one-element array of a NULL array. `None` for other operators.
fn array_concat(op: BinOp, l: &Value, r: &Value, operand: DataType) -> Result<Option<Value>> {
    let array = |v: &Value| match v {
        Value::Array(a) => Some(a.as_ref().clone()),
        _ => None,
    };
    Ok(Some(match op {
        BinOp::Concat if operand.is_array() => match (array(l), array(r)) {
            (Some(a), Some(b)) => Value::array(a.concat(b)?),
            (Some(_), None) => l.clone(),
            (None, Some(_)) => r.clone(),
            (None, None) => Value::Null,
        },
        BinOp::ArrayAppend => Value::array(
            array(l)
                .unwrap_or_else(Array::empty)
                .push(r.clone(), false)?,
        ),
        BinOp::ArrayPrepend => Value::array(
            array(r)
                .unwrap_or_else(Array::empty)
                .push(l.clone(), true)?,
        ),
        _ => return Ok(None),
    }))
}

/// Applies a non-logical binary operator to two non-NULL values.
fn binary(op: BinOp, l: Value, r: Value, operand: DataType, result: DataType) -> Result<Value> {
    if op.is_comparison() {
        let ord = l.compare(&r);
        return Ok(Value::Bool(match op {
            BinOp::Eq => ord == Ordering::Equal,
            BinOp::NotEq => ord != Ordering::Equal,
            BinOp::Lt => ord == Ordering::Less,
            BinOp::LtEq => ord != Ordering::Greater,
            BinOp::Gt => ord == Ordering::Greater,
            BinOp::GtEq => ord != Ordering::Less,
            _ => unreachable!("comparison operators only"),
        }));
    }
    if matches!(op, BinOp::Contains | BinOp::ContainedBy | BinOp::Overlaps) {
        let (Value::Array(a), Value::Array(b)) = (&l, &r) else {
            return Err(Error::internal("array operands expected"));
        };
        return Ok(Value::Bool(match op {
            BinOp::Contains => a.contains(b),
            BinOp::ContainedBy => b.contains(a),
            _ => a.overlaps(b),
        }));
    }
    if op == BinOp::Concat {
        // Both sides were converted to text at planning (in the session's time zone).
        let mut s = l.to_text();
        r.write_text(&mut s, TimeZone::UTC);
        return Ok(Value::Text(s));
    }
    match operand {
        t if t.is_integer() => {
            let (Value::Int(a), Value::Int(b)) = (&l, &r) else {
                return Err(Error::internal("integer operands expected"));
            };
            let (a, b) = (*a, *b);
            let v = match op {
                BinOp::Add => a.checked_add(b),
                BinOp::Sub => a.checked_sub(b),
                BinOp::Mul => a.checked_mul(b),
                BinOp::Div => {
                    if b == 0 {
                        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
                    }
                    a.checked_div(b)
                }
                BinOp::Mod => {
                    if b == 0 {
                        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
                    }
                    Some(a.wrapping_rem(b))
                }
                _ => return Err(Error::internal("unexpected operator")),
            }
            .ok_or_else(|| int_overflow(result))?;
            check_int_range(v, result).map_err(|_| int_overflow(result))?;
            Ok(Value::Int(v))
        }
        DataType::Float4 | DataType::Float8 => {
            let (a, b) = (to_f64(&l), to_f64(&r));
            let v = match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div => {
                    if b == 0.0 {
                        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
                    }
                    a / b
                }
                BinOp::Mod => a % b,
                _ => return Err(Error::internal("unexpected operator")),
            };
            Ok(Value::Float(v))
        }
        DataType::Numeric(_) => {
            let (a, b) = (to_decimal(&l), to_decimal(&r));
            let overflow = || Error::out_of_range("value overflows numeric format");
            let v = match op {
                BinOp::Add => a.checked_add(b).ok_or_else(overflow)?,
                BinOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
                BinOp::Mul => a.checked_mul(b).ok_or_else(overflow)?,
                BinOp::Div => {
                    if b.is_zero() {
                        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
                    }
                    numeric_div(a, b)?
                }
                BinOp::Mod => {
                    if b.is_zero() {
                        return Err(Error::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
                    }
                    a.checked_rem(b).ok_or_else(overflow)?
                }
                _ => return Err(Error::internal("unexpected operator")),
            };
            Ok(Value::Numeric(v))
        }
        other => Err(Error::undefined_function(format!(
            "operator does not exist: {} {:?} {}",
            other.name(),
            op,
            other.name()
        ))),
    }
}

/// One element of a LIKE pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LikeToken {
    /// `%`: any run of characters.
    AnyRun,
    /// `_`: one character.
    AnyOne,
    /// A character matched as it is (possibly escaped).
    Char(char),
}

/// Whether `s` matches the LIKE `pattern` (22025 for a pattern ending in the escape
/// character). Runs in O(|s| · |pattern|) time at worst, never exponential: the match
/// backtracks only to the last `%` seen, since an earlier `%` can never do better.
fn like(s: &str, pattern: &str, escape: Option<char>, case_insensitive: bool) -> Result<bool> {
    let fold = |c: char| {
        if case_insensitive {
            c.to_lowercase().next().unwrap_or(c)
        } else {
            c
        }
    };
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let token = if Some(c) == escape {
            match chars.next() {
                Some(escaped) => LikeToken::Char(fold(escaped)),
                None => {
                    return Err(Error::new(
                        SqlState::INVALID_ESCAPE_SEQUENCE,
                        "LIKE pattern must not end with escape character",
                    ));
                }
            }
        } else if c == '%' {
            if tokens.last() == Some(&LikeToken::AnyRun) {
                continue;
            }
            LikeToken::AnyRun
        } else if c == '_' {
            LikeToken::AnyOne
        } else {
            LikeToken::Char(fold(c))
        };
        tokens.push(token);
    }
    let s: Vec<char> = s.chars().map(fold).collect();
    let (mut i, mut j) = (0, 0);
    // After the last `%`: the pattern position just past it, and where in `s` its run ends.
    let mut resume: Option<(usize, usize)> = None;
    while i < s.len() {
        match tokens.get(j) {
            Some(LikeToken::AnyOne) => {
                i += 1;
                j += 1;
                continue;
            }
            Some(LikeToken::Char(c)) if *c == s[i] => {
                i += 1;
                j += 1;
                continue;
            }
            Some(LikeToken::AnyRun) => {
                j += 1;
                resume = Some((j, i));
                continue;
            }
            _ => {}
        }
        // Mismatch: let the last `%` swallow one more character, or fail.
        match resume {
            Some((after_run, run_end)) => {
                j = after_run;
                i = run_end + 1;
                resume = Some((after_run, run_end + 1));
            }
            None => return Ok(false),
        }
    }
    while tokens.get(j) == Some(&LikeToken::AnyRun) {
        j += 1;
    }
    Ok(j == tokens.len())
}

/// Evaluates a conditional expression, its arguments only as far as needed.
fn eval_func(func: Func, args: &[Expr], row: &[Value], ctx: &EvalContext) -> Result<Value> {
    Ok(match func {
        Func::Coalesce => {
            for a in args {
                let v = a.eval(row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            Value::Null
        }
        Func::NullIf => {
            let a = args[0].eval(row, ctx)?;
            let b = args[1].eval(row, ctx)?;
            if !a.is_null() && !b.is_null() && a.compare(&b) == Ordering::Equal {
                Value::Null
            } else {
                a
            }
        }
        Func::Greatest | Func::Least => {
            let mut best = Value::Null;
            for a in args {
                let v = a.eval(row, ctx)?;
                if v.is_null() {
                    continue;
                }
                let better = best.is_null()
                    || match func {
                        Func::Greatest => v.compare(&best) == Ordering::Greater,
                        _ => v.compare(&best) == Ordering::Less,
                    };
                if better {
                    best = v;
                }
            }
            best
        }
    })
}

/// The most arguments a call evaluates into a buffer on the stack (more take a `Vec`).
const STACK_ARGS: usize = 4;

/// Calls a registry function: its arguments are evaluated (all of them, as PostgreSQL
/// does) into a buffer on the stack, and the overload's implementation is called through
/// its [`FuncId`].
fn call(id: FuncId, args: &[Expr], row: &[Value], ctx: &EvalContext) -> Result<Value> {
    if args.len() <= STACK_ARGS {
        let mut values: [Value; STACK_ARGS] = [Value::Null, Value::Null, Value::Null, Value::Null];
        for (slot, a) in values.iter_mut().zip(args) {
            *slot = a.eval(row, ctx)?;
        }
        id.call(&values[..args.len()], ctx)
    } else {
        let values = args
            .iter()
            .map(|a| a.eval(row, ctx))
            .collect::<Result<Vec<_>>>()?;
        id.call(&values, ctx)
    }
}

impl crate::functions::Context for EvalContext<'_> {
    fn transaction_start(&self) -> chrono::DateTime<chrono::Utc> {
        self.now
    }

    fn statement_start(&self) -> chrono::DateTime<chrono::Utc> {
        self.statement_started_at
    }

    fn current_user(&self) -> &str {
        self.user
    }

    fn session_user(&self) -> &str {
        self.session_user
    }

    fn time_zone(&self) -> TimeZone {
        self.time_zone
    }

    fn current_schema(&self) -> Option<&str> {
        self.current_schema
    }

    fn relation_is_visible(&self, oid: i64) -> Option<bool> {
        let oid = u32::try_from(oid).ok()?;
        self.catalog?.class_is_visible(oid, self.search_path)
    }

    fn role_name(&self, oid: i64) -> Option<String> {
        let catalog = self.catalog?;
        catalog
            .roles
            .values()
            .find(|r| r.oid == oid)
            .map(|r| r.name.clone())
    }

    fn index_definition(&self, oid: i64, column: i64, pretty: bool) -> Option<String> {
        let oid = u32::try_from(oid).ok()?;
        let search_path = pretty.then_some(self.search_path);
        self.catalog?.index_definition(oid, column, search_path)
    }

    fn constraint_definition(&self, oid: i64) -> Option<String> {
        let oid = u32::try_from(oid).ok()?;
        self.catalog?.constraint_definition(oid)
    }

    fn search_path_schemas(&self, implicit: bool) -> Vec<String> {
        self.catalog
            .map(|c| c.search_path_schemas(self.search_path, implicit))
            .unwrap_or_default()
    }

    fn object_oid(&self, kind: RegKind, text: &str) -> Result<Option<u32>> {
        match self.catalog {
            Some(catalog) => catalog.object_oid(kind, text, self.search_path),
            // Planning folds no such cast; a number needs no catalog.
            None => Value::parse(text, DataType::Reg(kind), self.time_zone).map(|v| match v {
                Value::Int(oid) => u32::try_from(oid).ok(),
                _ => None,
            }),
        }
    }

    fn settings(&self) -> Option<&dyn crate::functions::Settings> {
        self.settings
    }

    fn has_privilege(
        &self,
        role: Option<&str>,
        object: crate::functions::PrivilegeTarget<'_>,
        privileges: &[&str],
        grant_option: bool,
    ) -> Result<Option<bool>> {
        use crate::catalog::CatalogView as _;
        use crate::catalog::access;
        use crate::catalog::defs::{ADMIN, Privilege};
        use crate::functions::PrivilegeTarget as T;
        let Some(catalog) = self.catalog else {
            return Ok(None);
        };
        let role = role.unwrap_or(self.user);
        if !catalog.roles.contains_key(role) {
            return Err(Error::new(
                SqlState::UNDEFINED_OBJECT,
                format!("role \"{role}\" does not exist"),
            ));
        }
        let admin = role == ADMIN;
        // dsql grants no grant option: only the owner (and admin) may grant.
        let keyword = |p: &str| match p {
            "SELECT" => Some(Privilege::Select),
            "INSERT" => Some(Privilege::Insert),
            "UPDATE" => Some(Privilege::Update),
            "DELETE" => Some(Privilege::Delete),
            "USAGE" => Some(Privilege::Usage),
            "CREATE" => Some(Privilege::Create),
            _ => None,
        };
        Ok(Some(match object {
            T::TableName(_) | T::TableOid(_) => {
                let oid = match object {
                    T::TableName(name) => catalog
                        .object_oid(RegKind::Class, name, self.search_path)?
                        .ok_or_else(|| crate::catalog::object_not_found(RegKind::Class, name))?,
                    T::TableOid(oid) => oid,
                    _ => unreachable!("a table target"),
                };
                match catalog.relation_by_oid(oid) {
                    None => return Ok(None),
                    Some(crate::catalog::Relation::System(_)) => {
                        admin || (!grant_option && privileges.contains(&"SELECT"))
                    }
                    Some(crate::catalog::Relation::Table(table)) => {
                        let owner = admin || table.owner == role;
                        owner
                            || (!grant_option
                                && privileges
                                    .iter()
                                    .filter_map(|p| keyword(p))
                                    .any(|p| access::has_table_privilege(catalog, role, &table, p)))
                    }
                }
            }
            T::SchemaName(_) | T::SchemaOid(_) => {
                let schema = match object {
                    T::SchemaName(name) => {
                        if catalog.schema_oid(name).is_none() {
                            return Err(Error::new(
                                SqlState::INVALID_SCHEMA_NAME,
                                format!("schema \"{name}\" does not exist"),
                            ));
                        }
                        name.to_string()
                    }
                    T::SchemaOid(oid) => {
                        match catalog.schemas_info().into_iter().find(|s| s.oid == oid) {
                            Some(s) => s.name,
                            None => return Ok(None),
                        }
                    }
                    _ => unreachable!("a schema target"),
                };
                let owner = admin
                    || catalog
                        .schema_owners
                        .get(&schema)
                        .is_some_and(|o| o == role);
                owner
                    || (!grant_option
                        && privileges
                            .iter()
                            .filter_map(|p| keyword(p))
                            .any(|p| access::has_schema_privilege(catalog, role, &schema, p)))
            }
            T::DatabaseName(_) | T::DatabaseOid(_) => {
                let exists = match object {
                    T::DatabaseName(name) => name == "postgres",
                    T::DatabaseOid(oid) => oid == crate::catalog::oids::POSTGRES_DATABASE,
                    _ => false,
                };
                if !exists {
                    return match object {
                        T::DatabaseName(name) => Err(Error::new(
                            SqlState::INVALID_CATALOG_NAME,
                            format!("database \"{name}\" does not exist"),
                        )),
                        _ => Ok(None),
                    };
                }
                // Every role may connect; admin may create schemas; DSQL has no temporary
                // tables.
                privileges.iter().any(|p| match *p {
                    "CONNECT" => !grant_option || admin,
                    "CREATE" => admin,
                    _ => false,
                })
            }
        }))
    }

    fn relation_kind(&self, oid: u32) -> Option<char> {
        use crate::catalog::CatalogView as _;
        use crate::catalog::system::SystemKind;
        let catalog = self.catalog?;
        Some(match catalog.relation_by_oid(oid) {
            Some(crate::catalog::Relation::System(s)) if s.kind() == SystemKind::View => 'v',
            Some(_) => 'r',
            None => {
                catalog.class_name_by_oid(oid)?;
                'i'
            }
        })
    }

    fn relation_has_column(&self, oid: u32, column: &str) -> Option<(String, bool)> {
        use crate::catalog::CatalogView as _;
        let relation = self.catalog?.relation_by_oid(oid)?;
        let has = relation.columns().iter().any(|(name, _)| name == column);
        Some((relation.name().to_string(), has))
    }

    fn object_name(&self, kind: RegKind, oid: u32) -> String {
        match self.catalog {
            Some(catalog) => catalog.object_name(kind, oid, self.search_path),
            None => oid.to_string(),
        }
    }
}

/// A cast that reads a reg type's name or writes one (`'pg_class'::regclass`,
/// `oid::regclass::text`), through the catalog of `ctx`; `None` for every other cast.
fn cast_through_catalog(
    v: &Value,
    from: DataType,
    to: DataType,
    ctx: &EvalContext,
) -> Option<Result<Value>> {
    use crate::functions::Context as _;
    if !crate::types::cast::cast_reads_catalog(from, to) || v.is_null() {
        return None;
    }
    Some(match (v, from, to) {
        (Value::Text(text), _, DataType::Reg(kind)) => match ctx.object_oid(kind, text) {
            Ok(Some(oid)) => Ok(Value::Int(i64::from(oid))),
            Ok(None) => Err(crate::catalog::object_not_found(kind, text)),
            Err(e) => Err(e),
        },
        (Value::Int(oid), DataType::Reg(kind), to) => {
            let name = ctx.object_name(kind, *oid as u32);
            Value::Text(name).cast(DataType::Text, to, ctx.time_zone)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let m = |s: &str, p: &str| like(s, p, Some('\\'), false).unwrap();
        assert!(m("hello", "h%o"));
        assert!(m("hello", "_ello"));
        assert!(!m("hello", "h_o"));
        assert!(m("50%", "50\\%"));
        assert!(!m("500", "50\\%"));
        assert!(m("", "%"));
        assert!(!m("", "_"));
        assert!(m("a\\b", "a\\\\b"));
        assert!(like("HeLLo", "he%O", Some('\\'), true).unwrap());
        assert!(like("50%", "50!%", Some('!'), false).unwrap());
        assert!(like("a\\", "a\\", None, false).unwrap());
        let err = like("abc", "ab\\", Some('\\'), false).unwrap_err();
        assert_eq!(
            (err.code(), err.message.as_str()),
            ("22025", "LIKE pattern must not end with escape character")
        );
        // The pattern that makes a backtracking matcher take exponential time.
        let s = "a".repeat(40);
        let p = format!("{}c", "%a".repeat(20));
        assert!(!m(&s, &p));
    }

    /// A direct transcription of LIKE's definition, exponential but obviously right.
    fn like_by_definition(s: &[char], p: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('%') => (0..=s.len()).any(|i| like_by_definition(&s[i..], &p[1..])),
            Some('_') => !s.is_empty() && like_by_definition(&s[1..], &p[1..]),
            Some(c) => s.first() == Some(c) && like_by_definition(&s[1..], &p[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn like_agrees_with_its_definition(s in "[ab]{0,8}", p in "[ab%_]{0,6}") {
            let chars = |t: &str| t.chars().collect::<Vec<_>>();
            proptest::prop_assert_eq!(
                like(&s, &p, None, false).unwrap(),
                like_by_definition(&chars(&s), &chars(&p))
            );
        }

        #[test]
        fn hashed_in_agrees_with_comparing_every_value(
            lhs in proptest::option::of(0i64..4),
            values in proptest::collection::vec(proptest::option::of(0i64..4), 0..5),
        ) {
            let value = |v: Option<i64>| v.map_or(Value::Null, Value::Int);
            let values: Vec<Value> = values.into_iter().map(value).collect();
            let lhs = value(lhs);
            let set = ValueSet::of(values.clone());
            let show = |v: Value| format!("{v:?}");
            // IN is = ANY; NOT IN is <> ALL.
            proptest::prop_assert_eq!(
                show(set.contains(&lhs)),
                show(any_of(&lhs, BinOp::Eq, DataType::Int8, false, &values).unwrap())
            );
            let not_in = match set.contains(&lhs) {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            };
            proptest::prop_assert_eq!(
                show(not_in),
                show(any_of(&lhs, BinOp::NotEq, DataType::Int8, true, &values).unwrap())
            );
        }
    }
}
