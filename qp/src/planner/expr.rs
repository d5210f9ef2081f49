//! Planning expressions: column references, literals and parameters, unary operators,
//! `IS [NOT] NULL` / `TRUE` / `FALSE`, BETWEEN, IN lists, LIKE / ILIKE, CASE and casts.
//!
//! Every expression is planned together with its type. Untyped expressions (a `$n`
//! parameter, NULL, a string literal) take the type the context expects: the other side of
//! a comparison, the column assigned, the left side of an IN list. So in `aid = $1` the
//! parameter becomes an integer when `aid` is one, and in `d < '2024-01-01'` the literal is
//! parsed as a date at planning time. Binary operators are in `operators.rs`, function calls
//! and aggregates in `functions.rs`, type conversions in `coerce.rs`.

use super::Planner;
use super::coerce::{cast, coerce, require_bool, unify};
use super::functions::keyword_function;
use super::scope::{AggState, Scope};
use crate::error::{Error, Result, SqlState};
use crate::expr::{BinOp, Expr, Func};
use crate::names::{data_type, ident_name};
use crate::types::timezone::TimeZone;
use crate::types::{DataType, Value};
use sqlparser::ast;

impl Planner<'_> {
    /// The zero-based index of a `$n` placeholder; a syntax error outside `$1`..`$65535`.
    fn param_index(&self, placeholder: &str) -> Result<usize> {
        placeholder
            .strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1 && *n <= 65535)
            .map(|n| n - 1)
            .ok_or_else(|| Error::syntax(format!("syntax error at or near \"{placeholder}\"")))
    }

    /// Plans an expression; `expected` is the type the context wants (it types parameters and
    /// string literals).
    pub(super) fn plan_expr(
        &mut self,
        ast_expr: &ast::Expr,
        scope: &Scope,
        mut agg: Option<&mut AggState>,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        use ast::Expr as E;
        if let Some(state) = agg.as_deref_mut() {
            let text = ast_expr.to_string();
            if let Some(i) = state.groups.iter().position(|(g, _)| *g == text) {
                return Ok((Expr::Column(i), state.groups[i].1));
            }
        }
        // CASE evaluates its branches only when chosen: PostgreSQL refuses set-returning
        // functions in it.
        if let E::Case { .. } = ast_expr
            && let Some(saved) = self.refuse_srf_in("CASE")
        {
            let planned = self.plan_expr(ast_expr, scope, agg, expected);
            self.unrefuse_srf(Some(saved));
            return planned;
        }
        if let Some(planned) = self.plan_row_comparison(ast_expr, scope, agg.as_deref_mut())? {
            return Ok(planned);
        }
        Ok(match ast_expr {
            E::Identifier(ident) => {
                let name = ident_name(ident);
                // In an aggregated query a column of its own row must be grouped; a column
                // of an enclosing query is a constant there.
                if let Some(state) = agg.as_deref()
                    && let Ok((e, _)) = scope.resolve_expr(None, &name)
                {
                    return grouped_column(state, &e).ok_or_else(|| group_by_error(&name, scope));
                }
                // Bare keywords that are really functions.
                if ident.quote_style.is_none()
                    && matches!(
                        name.as_str(),
                        "current_timestamp"
                            | "current_user"
                            | "user"
                            | "session_user"
                            | "current_schema"
                    )
                    && scope.resolve_expr(None, &name).is_err()
                    && !self
                        .outer
                        .iter()
                        .any(|o| o.scope.resolve_expr(None, &name).is_ok())
                    && let Some((id, ty)) = keyword_function(&name)
                {
                    return Ok((Expr::Call(id, vec![]), ty));
                }
                self.resolve_column(scope, None, &name, ast_expr)?
            }
            E::CompoundIdentifier(parts) => {
                let names: Vec<String> = parts.iter().map(ident_name).collect();
                let (table, col) = match names.as_slice() {
                    [t, c] => (t.clone(), c.clone()),
                    // `schema.table.column` (`pg_catalog.pg_class.relname`, as ORMs write
                    // it): scopes know a relation by its name or alias only, so the schema
                    // is not checked against the FROM item's.
                    [_, t, c] => (t.clone(), c.clone()),
                    _ => {
                        return Err(Error::syntax(format!(
                            "improper qualified name: {ast_expr}"
                        )));
                    }
                };
                if let Some(state) = agg.as_deref()
                    && let Ok((e, _)) = scope.resolve_expr(Some(&table), &col)
                {
                    return grouped_column(state, &e)
                        .ok_or_else(|| group_by_error(&format!("{table}.{col}"), scope));
                }
                self.resolve_column(scope, Some(&table), &col, ast_expr)?
            }
            E::Value(v) => self.plan_value(&v.value, expected)?,
            E::TypedString(ts) => {
                let ty = data_type(&ts.data_type)?;
                let text = match &ts.value.value {
                    ast::Value::SingleQuotedString(s) => s.clone(),
                    other => other.to_string(),
                };
                // `TIMESTAMPTZ '...'` depends on the session's time zone: converted when it runs.
                let literal = Expr::Literal(Value::Text(text));
                (cast(literal, DataType::Unknown, ty)?, ty)
            }
            E::Nested(inner) => self.plan_expr(inner, scope, agg, expected)?,
            E::UnaryOp { op, expr } => match op {
                ast::UnaryOperator::Not => {
                    let (e, ty) = self.plan_expr(expr, scope, agg, Some(DataType::Bool))?;
                    (
                        Expr::Not(Box::new(require_bool(e, ty, "NOT")?)),
                        DataType::Bool,
                    )
                }
                ast::UnaryOperator::Minus => {
                    // Fold negative numeric literals so that -2147483648 is an integer.
                    if let E::Value(v) = expr.as_ref()
                        && let ast::Value::Number(n, _) = &v.value
                    {
                        return self
                            .plan_value(&ast::Value::Number(format!("-{n}"), false), expected);
                    }
                    let (e, ty) = self.plan_expr(expr, scope, agg, expected)?;
                    if !ty.is_numeric() {
                        return Err(Error::undefined_function(format!(
                            "operator does not exist: - {}",
                            ty.name()
                        )));
                    }
                    (Expr::Negate(Box::new(e), ty), ty)
                }
                ast::UnaryOperator::Plus => self.plan_expr(expr, scope, agg, expected)?,
                other => {
                    return Err(Error::unsupported(format!(
                        "operator {other} is not supported"
                    )));
                }
            },
            E::BinaryOp { left, op, right } => self.plan_binary(left, op, right, scope, agg)?,
            E::IsNull(e) | E::IsNotNull(e) => {
                let (inner, _) = self.plan_expr(e, scope, agg, None)?;
                (
                    Expr::IsNull(Box::new(inner), matches!(ast_expr, E::IsNotNull(_))),
                    DataType::Bool,
                )
            }
            E::IsTrue(e) | E::IsFalse(e) | E::IsNotTrue(e) | E::IsNotFalse(e) => {
                let (inner, ty) = self.plan_expr(e, scope, agg, Some(DataType::Bool))?;
                let inner = require_bool(inner, ty, "IS TRUE")?;
                let want = matches!(ast_expr, E::IsTrue(_) | E::IsNotTrue(_));
                let negate = matches!(ast_expr, E::IsNotTrue(_) | E::IsNotFalse(_));
                // x IS TRUE  ==  coalesce(x = true, false)
                let test = Expr::Func(
                    Func::Coalesce,
                    vec![
                        Expr::Binary {
                            op: BinOp::Eq,
                            left: Box::new(inner),
                            right: Box::new(Expr::Literal(Value::Bool(want))),
                            operand_type: DataType::Bool,
                            result_type: DataType::Bool,
                        },
                        Expr::Literal(Value::Bool(false)),
                    ],
                );
                (
                    if negate {
                        Expr::Not(Box::new(test))
                    } else {
                        test
                    },
                    DataType::Bool,
                )
            }
            E::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let lower = E::BinaryOp {
                    left: expr.clone(),
                    op: ast::BinaryOperator::GtEq,
                    right: low.clone(),
                };
                let upper = E::BinaryOp {
                    left: expr.clone(),
                    op: ast::BinaryOperator::LtEq,
                    right: high.clone(),
                };
                let both = E::BinaryOp {
                    left: Box::new(lower),
                    op: ast::BinaryOperator::And,
                    right: Box::new(upper),
                };
                let (e, _) = self.plan_expr(&both, scope, agg, None)?;
                (
                    if *negated { Expr::Not(Box::new(e)) } else { e },
                    DataType::Bool,
                )
            }
            E::InList {
                expr,
                list,
                negated,
            } => {
                let (mut e, mut ty) = self.plan_expr(expr, scope, agg.as_deref_mut(), None)?;
                let mut items = Vec::new();
                for item in list {
                    let (ie, ity) = self.plan_expr(item, scope, agg.as_deref_mut(), Some(ty))?;
                    items.push((ie, ity));
                }
                let mut common = ty;
                for (_, ity) in &items {
                    common = DataType::common(common, *ity).ok_or_else(|| {
                        Error::undefined_function(format!(
                            "operator does not exist: {} = {}",
                            ty.name(),
                            ity.name()
                        ))
                    })?;
                }
                if common == DataType::Unknown {
                    common = DataType::Text;
                }
                e = coerce(e, ty, common, false)?;
                ty = common;
                let items = items
                    .into_iter()
                    .map(|(ie, ity)| coerce(ie, ity, ty, false))
                    .collect::<Result<_>>()?;
                (Expr::InList(Box::new(e), items, *negated), DataType::Bool)
            }
            E::Like {
                negated,
                expr,
                pattern,
                escape_char,
                any: false,
            }
            | E::ILike {
                negated,
                expr,
                pattern,
                escape_char,
                any: false,
            } => {
                let escape = like_escape(escape_char.as_deref())?;
                let (e, ty) =
                    self.plan_expr(expr, scope, agg.as_deref_mut(), Some(DataType::Text))?;
                let (p, pty) = self.plan_expr(pattern, scope, agg, Some(DataType::Text))?;
                (
                    Expr::Like {
                        expr: Box::new(coerce(e, ty, DataType::Text, false)?),
                        pattern: Box::new(coerce(p, pty, DataType::Text, false)?),
                        negated: *negated,
                        case_insensitive: matches!(ast_expr, E::ILike { .. }),
                        escape,
                    },
                    DataType::Bool,
                )
            }
            // dsql compares text by its bytes (as the C collation does, which is also what
            // its `default` is): the collations with that order are accepted and change
            // nothing.
            E::Collate { expr, collation } => {
                let (e, ty) = self.plan_expr(expr, scope, agg, expected)?;
                let parts: Vec<String> = collation
                    .0
                    .iter()
                    .filter_map(|p| p.as_ident())
                    .map(ident_name)
                    .collect();
                let name = match parts.as_slice() {
                    [name] => name.as_str(),
                    [schema, name] if schema == "pg_catalog" => name.as_str(),
                    _ => "",
                };
                if crate::types::collation::collation_by_name(name).is_none() {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("collation \"{collation}\" for encoding \"UTF8\" does not exist"),
                    ));
                }
                if !ty.is_string() && ty != DataType::Unknown {
                    return Err(Error::new(
                        SqlState::DATATYPE_MISMATCH,
                        format!("collations are not supported by type {}", ty.name()),
                    ));
                }
                (e, ty)
            }
            E::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let mut whens = Vec::new();
                let mut results = Vec::new();
                for cw in conditions {
                    let cond_ast = match operand {
                        Some(op) => E::BinaryOp {
                            left: op.clone(),
                            op: ast::BinaryOperator::Eq,
                            right: Box::new(cw.condition.clone()),
                        },
                        None => cw.condition.clone(),
                    };
                    let (c, cty) =
                        self.plan_expr(&cond_ast, scope, agg.as_deref_mut(), Some(DataType::Bool))?;
                    whens.push(require_bool(c, cty, "CASE/WHEN")?);
                    results.push(self.plan_expr(
                        &cw.result,
                        scope,
                        agg.as_deref_mut(),
                        expected,
                    )?);
                }
                let otherwise = match else_result {
                    Some(e) => Some(self.plan_expr(e, scope, agg, expected)?),
                    None => None,
                };
                let ty = unify(
                    results.iter().chain(otherwise.iter()).map(|(_, t)| *t),
                    "CASE",
                )?;
                let mut pairs = Vec::new();
                for (c, (r, rty)) in whens.into_iter().zip(results) {
                    pairs.push((c, coerce(r, rty, ty, false)?));
                }
                let otherwise = match otherwise {
                    Some((e, ety)) => Some(Box::new(coerce(e, ety, ty, false)?)),
                    None => None,
                };
                (Expr::Case(pairs, otherwise), ty)
            }
            E::Cast {
                expr,
                data_type: dt,
                ..
            } => {
                let to = data_type(dt)?;
                let (e, from) = self.plan_expr(expr, scope, agg, Some(to))?;
                (cast(e, from, to)?, to)
            }
            E::Array(array) => self.plan_array_constructor(&array.elem, scope, agg, expected)?,
            E::Function(f)
                if f.name.0.len() == 1
                    && f.name.0[0].as_ident().is_some_and(|i| {
                        i.quote_style.is_none() && i.value.eq_ignore_ascii_case("array")
                    }) =>
            {
                let ast::FunctionArguments::Subquery(query) = &f.args else {
                    return Err(Error::syntax("syntax error at or near \"ARRAY\""));
                };
                self.plan_array_subquery(query, scope, agg.as_deref())?
            }
            E::CompoundFieldAccess { root, access_chain } => {
                self.plan_subscript(root, access_chain, scope, agg)?
            }
            // CURRENT_DATE and LOCALTIMESTAMP are the transaction's start in the session's
            // time zone, as `now()::date` and `now()::timestamp` are.
            E::Function(f)
                if matches!(f.args, ast::FunctionArguments::None)
                    && f.name.0.len() == 1
                    && matches!(
                        f.name.to_string().to_ascii_lowercase().as_str(),
                        "current_date" | "localtimestamp"
                    ) =>
            {
                let to = if f.name.to_string().eq_ignore_ascii_case("current_date") {
                    DataType::Date
                } else {
                    DataType::Timestamp
                };
                let (now, ty) = keyword_function("current_timestamp")
                    .ok_or_else(|| Error::internal("now() is missing"))?;
                (Expr::Cast(Box::new(Expr::Call(now, vec![])), ty, to), to)
            }
            E::Function(f) => self.plan_function(f, scope, agg, expected)?,
            E::Subquery(query) => self.plan_scalar_subquery(query, scope, agg.as_deref())?,
            E::Exists { subquery, negated } => {
                self.plan_exists(subquery, *negated, scope, agg.as_deref())?
            }
            E::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let op = if *negated {
                    ast::BinaryOperator::NotEq
                } else {
                    ast::BinaryOperator::Eq
                };
                self.plan_quantified(expr, &op, *negated, subquery, scope, agg)?
            }
            E::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | E::AllOp {
                left,
                compare_op,
                right,
            } => {
                let all = matches!(ast_expr, E::AllOp { .. });
                match right.as_ref() {
                    E::Subquery(query) => {
                        self.plan_quantified(left, compare_op, all, query, scope, agg)?
                    }
                    _ => self.plan_any_array(left, compare_op, all, right, scope, agg)?,
                }
            }
            // SUBSTRING(string FROM start FOR count) is substring(string, start, count); a
            // FOR alone starts at 1.
            E::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut operands = vec![expr.as_ref().clone()];
                match (substring_from, substring_for) {
                    (Some(from), count) => {
                        operands.push(from.as_ref().clone());
                        operands.extend(count.iter().map(|c| c.as_ref().clone()));
                    }
                    (None, Some(count)) => {
                        operands.push(ast::Expr::value(ast::Value::Number("1".into(), false)));
                        operands.push(count.as_ref().clone());
                    }
                    (None, None) => {}
                }
                let planned = self.plan_operands(&operands, scope, agg.as_deref_mut())?;
                self.call_planned("substring", &operands, planned, scope, agg)?
            }
            // TRIM([LEADING | TRAILING | BOTH] [characters] FROM string) is ltrim, rtrim or
            // btrim, as PostgreSQL's grammar makes it.
            E::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters: None,
            } => {
                let function = match trim_where {
                    Some(ast::TrimWhereField::Leading) => "ltrim",
                    Some(ast::TrimWhereField::Trailing) => "rtrim",
                    _ => "btrim",
                };
                let mut operands = vec![expr.as_ref().clone()];
                operands.extend(trim_what.iter().map(|w| w.as_ref().clone()));
                let planned = self.plan_operands(&operands, scope, agg.as_deref_mut())?;
                self.call_planned(function, &operands, planned, scope, agg)?
            }
            other => {
                return Err(Error::unsupported(format!(
                    "expression {other} is not supported yet"
                )));
            }
        })
    }

    /// Plans a literal or a parameter. An integer literal is `integer` when it fits, else
    /// `bigint`, else `numeric`; a string literal is untyped until converted; NULL and an
    /// untyped parameter take `expected` when given.
    fn plan_value(
        &mut self,
        value: &ast::Value,
        expected: Option<DataType>,
    ) -> Result<(Expr, DataType)> {
        Ok(match value {
            ast::Value::Number(n, _) => {
                if let Ok(i) = n.parse::<i64>() {
                    let ty = if i32::try_from(i).is_ok() {
                        DataType::Int4
                    } else {
                        DataType::Int8
                    };
                    (Expr::Literal(Value::Int(i)), ty)
                } else {
                    let v = Value::parse(n, DataType::Numeric(None), TimeZone::UTC)?;
                    (Expr::Literal(v), DataType::Numeric(None))
                }
            }
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
                (Expr::Literal(Value::Text(s.clone())), DataType::Unknown)
            }
            ast::Value::Boolean(b) => (Expr::Literal(Value::Bool(*b)), DataType::Bool),
            ast::Value::Null => (
                Expr::Literal(Value::Null),
                expected.unwrap_or(DataType::Unknown),
            ),
            ast::Value::Placeholder(p) => {
                let i = self.param_index(p)?;
                if self.params.len() <= i {
                    self.params.resize(i + 1, None);
                }
                let ty = match self.params[i] {
                    Some(DataType::Unknown) | None => {
                        if let Some(t) = expected.filter(|t| *t != DataType::Unknown) {
                            self.params[i] = Some(t);
                            t
                        } else {
                            DataType::Unknown
                        }
                    }
                    Some(t) => t,
                };
                (Expr::Param(i), ty)
            }
            other => {
                return Err(Error::unsupported(format!(
                    "literal {other} is not supported"
                )));
            }
        })
    }
}

/// Whether an expression has no type of its own (a parameter, NULL, a string literal).
pub(super) fn is_untyped(expr: &ast::Expr) -> bool {
    match expr {
        ast::Expr::Value(v) => matches!(
            v.value,
            ast::Value::Placeholder(_) | ast::Value::Null | ast::Value::SingleQuotedString(_)
        ),
        ast::Expr::Nested(e) => is_untyped(e),
        _ => false,
    }
}

/// The grouped row's column for a source column that is grouped under another spelling
/// (`GROUP BY g` and `t.g`), with its type.
fn grouped_column(state: &AggState, e: &Expr) -> Option<(Expr, DataType)> {
    let Expr::Column(c) = e else {
        return None;
    };
    let i = state.group_columns.iter().position(|g| *g == Some(*c))?;
    Some((Expr::Column(i), state.groups[i].1))
}

/// The error for a column used outside GROUP BY and outside an aggregate in an
/// aggregated query (42803).
/// PostgreSQL names the column with its table (or alias): `"t.x"`.
fn group_by_error(name: &str, scope: &Scope) -> Error {
    let (table, column) = match name.split_once('.') {
        Some((t, c)) => (Some(t), c),
        None => (None, name),
    };
    let shown = match scope.resolve(table, column) {
        Ok((i, _)) => match &scope.columns[i].table {
            Some(t) => format!("{t}.{column}"),
            None => column.to_string(),
        },
        Err(_) => name.to_string(),
    };
    Error::new(
        SqlState::GROUPING_ERROR,
        format!(
            "column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function"
        ),
    )
}

/// The escape character of a LIKE: backslash by default, none for `ESCAPE ''`, else the one
/// character given (22019 for more).
fn like_escape(escape: Option<&ast::Expr>) -> Result<Option<char>> {
    let Some(escape) = escape else {
        return Ok(Some('\\'));
    };
    let ast::Expr::Value(v) = escape else {
        return Err(Error::unsupported(
            "an ESCAPE that is not a string literal is not supported",
        ));
    };
    let (ast::Value::SingleQuotedString(text) | ast::Value::EscapedStringLiteral(text)) = &v.value
    else {
        return Err(Error::unsupported(
            "an ESCAPE that is not a string literal is not supported",
        ));
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c)),
        _ => Err(
            Error::new(SqlState::INVALID_ESCAPE_CHARACTER, "invalid escape string")
                .with_hint("Escape string must be empty or one character."),
        ),
    }
}
