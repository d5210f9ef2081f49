//! Names: identifiers, table names, SQL type names and the output names of expressions.
//!
//! Unquoted identifiers fold to lower case and quoted ones keep their case (`Foo` and `foo`
//! are one table, `"Foo"` another); an unqualified table name is in `public`. A SQL type name
//! becomes a [`DataType`], refusing types dsql does not store with 0A000.

use crate::catalog::system::PG_CATALOG;
use crate::catalog::{
    Catalog, CatalogView, DEFAULT_SCHEMA, Relation, TableName, is_builtin_virtual_schema,
};
use crate::error::{Error, Result, SqlState};
use crate::types::{DataType, RegKind};
use sqlparser::ast;

/// The normalized name of an identifier: lower case unless quoted.
pub fn ident_name(ident: &ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// The qualified name of an existing relation (table, system relation or index), resolved as
/// PostgreSQL does: a schema-qualified name as written; an unqualified one in the first
/// schema of the effective search path (`pg_catalog` first unless `search_path` places it,
/// [`crate::catalog::effective_search_path`]) that holds a relation of that name, or, when none does, in the
/// first schema of the path that exists (where the lookup then reports the relation missing).
pub(crate) fn resolve_relation(
    catalog: &Catalog,
    search_path: &[String],
    name: &ast::ObjectName,
) -> Result<TableName> {
    lookup_relation(catalog, search_path, name).map(|(name, _)| name)
}

/// [`resolve_relation`], with the relation it found (`None` when no table or system
/// relation has the name: it is missing, or an index).
pub(crate) fn lookup_relation(
    catalog: &Catalog,
    search_path: &[String],
    name: &ast::ObjectName,
) -> Result<(TableName, Option<Relation>)> {
    let (schema, relation) = split_name(name)?;
    if let Some(schema) = schema {
        let found = catalog.relation(&schema, &relation);
        return Ok((TableName::new(schema, relation), found));
    }
    // The effective search path, without building it (this runs for every table a
    // statement names).
    let implicit_catalog = (!search_path.iter().any(|s| s == PG_CATALOG)).then_some(PG_CATALOG);
    let path = implicit_catalog
        .into_iter()
        .chain(search_path.iter().map(String::as_str));
    for schema in path {
        if let Some(found) = catalog.relation(schema, &relation) {
            return Ok((TableName::new(schema, relation), Some(found)));
        }
        if !is_builtin_virtual_schema(schema) && catalog.find_index(schema, &relation).is_some() {
            return Ok((TableName::new(schema, relation), None));
        }
    }
    let schema = search_path
        .iter()
        .find(|s| catalog.schemas.contains(*s))
        .map_or(DEFAULT_SCHEMA, String::as_str);
    Ok((TableName::new(schema, relation), None))
}

/// The qualified name a new relation gets: a schema-qualified name as written; an
/// unqualified one in the first schema of `search_path` that exists (3F000 `no schema has been
/// selected to create in` when none does).
pub(crate) fn creation_name(
    catalog: &Catalog,
    search_path: &[String],
    name: &ast::ObjectName,
) -> Result<TableName> {
    let (schema, relation) = split_name(name)?;
    let schema = match schema {
        Some(schema) => schema,
        None => search_path
            .iter()
            .find(|s| *s == PG_CATALOG || catalog.schemas.contains(*s))
            .ok_or_else(|| {
                Error::new(
                    SqlState::INVALID_SCHEMA_NAME,
                    "no schema has been selected to create in",
                )
            })?
            .clone(),
    };
    if schema == PG_CATALOG {
        return Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            format!("permission denied to create \"{schema}.{relation}\""),
        )
        .with_detail("System catalog modifications are currently disallowed."));
    }
    Ok(TableName::new(schema, relation))
}

/// The schema (if written) and the name of an object name.
fn split_name(name: &ast::ObjectName) -> Result<(Option<String>, String)> {
    let part = |p: &ast::ObjectNamePart| {
        p.as_ident()
            .map(ident_name)
            .ok_or_else(|| Error::syntax(format!("invalid name {name}")))
    };
    match name.0.as_slice() {
        [table] => Ok((None, part(table)?)),
        [schema, table] => Ok((Some(part(schema)?), part(table)?)),
        parts => {
            // A part that is no identifier is the error to report first.
            parts.iter().try_for_each(|p| part(p).map(drop))?;
            Err(Error::syntax(format!(
                "improper qualified name (too many dotted names): {name}"
            )))
        }
    }
}

/// Converts a SQL type name to a [`DataType`].
pub fn data_type(dt: &ast::DataType) -> Result<DataType> {
    use ast::DataType as D;
    let length = |len: &Option<ast::CharacterLength>| -> Option<u32> {
        match len {
            Some(ast::CharacterLength::IntegerLength { length, .. }) => Some(*length as u32),
            _ => None,
        }
    };
    Ok(match dt {
        D::Bool | D::Boolean => DataType::Bool,
        D::SmallInt(_) | D::Int2(_) => DataType::Int2,
        D::Int(_) | D::Integer(_) | D::Int4(_) => DataType::Int4,
        D::BigInt(_) | D::Int8(_) => DataType::Int8,
        D::Real | D::Float4 => DataType::Float4,
        D::Double(_) | D::DoublePrecision | D::Float8 => DataType::Float8,
        D::Float(info) => match info {
            ast::ExactNumberInfo::Precision(p) if *p <= 24 => DataType::Float4,
            _ => DataType::Float8,
        },
        D::Numeric(info) | D::Decimal(info) | D::Dec(info) => match info {
            ast::ExactNumberInfo::None => DataType::Numeric(None),
            ast::ExactNumberInfo::Precision(p) => numeric_spec(*p, 0)?,
            ast::ExactNumberInfo::PrecisionAndScale(p, s) => {
                if *s < 0 {
                    return Err(Error::unsupported(
                        "negative numeric scale is not supported",
                    ));
                }
                numeric_spec(*p, *s as u64)?
            }
        },
        D::Text | D::String(None) => DataType::Text,
        D::Varchar(len) | D::CharacterVarying(len) | D::CharVarying(len) => {
            DataType::Varchar(length(len))
        }
        D::Char(len) | D::Character(len) => DataType::Char(length(len).unwrap_or(1)),
        D::Date => DataType::Date,
        D::Regclass => DataType::Reg(RegKind::Class),
        D::JSON => DataType::Json,
        // `integer[]`, `integer[3]`, `integer ARRAY`: PostgreSQL ignores the size, and an
        // array of an array type is the same array type.
        D::Array(
            ast::ArrayElemTypeDef::SquareBracket(inner, _)
            | ast::ArrayElemTypeDef::Qualified(inner, _),
        ) => match data_type(inner)?.array_of() {
            Some(t) => t,
            None => {
                return Err(Error::unsupported(format!(
                    "datatype {} not supported",
                    type_display_name(dt)
                )));
            }
        },
        D::Timestamp(_, tz) => match tz {
            ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => DataType::TimestampTz,
            _ => DataType::Timestamp,
        },
        D::Custom(name, _) => {
            // `pg_catalog.int4` is `int4`: the built-in types live in pg_catalog.
            let unqualified = match name.0.as_slice() {
                [schema, ty]
                    if schema
                        .as_ident()
                        .is_some_and(|s| ident_name(s) == crate::catalog::system::PG_CATALOG) =>
                {
                    ty.to_string()
                }
                _ => name.to_string(),
            };
            let n = unqualified.to_lowercase();
            match n.as_str() {
                "text" => DataType::Text,
                "varchar" => DataType::Varchar(None),
                "numeric" => DataType::Numeric(None),
                "date" => DataType::Date,
                "timestamp" => DataType::Timestamp,
                "json" => DataType::Json,
                "timestamptz" => DataType::TimestampTz,
                "int2" => DataType::Int2,
                "int4" => DataType::Int4,
                "int8" => DataType::Int8,
                "float4" => DataType::Float4,
                "float8" => DataType::Float8,
                "bool" => DataType::Bool,
                "bpchar" => DataType::Char(1),
                "name" => DataType::Name,
                "oid" => DataType::Oid,
                "regclass" => DataType::Reg(RegKind::Class),
                "regtype" => DataType::Reg(RegKind::Type),
                "regnamespace" => DataType::Reg(RegKind::Namespace),
                "regproc" => DataType::Reg(RegKind::Proc),
                "regrole" => DataType::Reg(RegKind::Role),
                "int2vector" => DataType::Int2Vector,
                "oidvector" => DataType::OidVector,
                "\"char\"" => DataType::InternalChar,
                "serial" | "serial2" | "serial4" | "serial8" | "smallserial" | "bigserial" => {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("type \"{n}\" does not exist"),
                    ));
                }
                _ => return Err(Error::unsupported(format!("datatype {n} not supported"))),
            }
        }
        other => {
            return Err(Error::unsupported(format!(
                "datatype {} not supported",
                unknown_type_name(other)
            )));
        }
    })
}

/// The type of a column being defined: as [`data_type`], except that array types are refused
/// as DSQL refuses them (`datatype integer[] not supported`), arrays being query values only.
pub fn column_type(dt: &ast::DataType) -> Result<DataType> {
    let ty = data_type(dt)?;
    if ty.is_array() || ty.is_reg() || ty == DataType::Json {
        return Err(Error::unsupported(format!(
            "datatype {} not supported",
            type_display_name(dt)
        )));
    }
    Ok(ty)
}

/// A type's name as PostgreSQL spells it in messages: lower case, without length or
/// precision modifiers, arrays as `element[]` (`BIT VARYING(8)` is `bit varying`, `INT[]` is
/// `integer[]`).
pub fn type_display_name(dt: &ast::DataType) -> String {
    use ast::DataType as D;
    match dt {
        // Each level strips one array, so this ends.
        D::Array(
            ast::ArrayElemTypeDef::SquareBracket(inner, _)
            | ast::ArrayElemTypeDef::AngleBracket(inner)
            | ast::ArrayElemTypeDef::Parenthesis(inner),
        ) => format!("{}[]", type_display_name(inner)),
        other => match data_type(other) {
            Ok(known) => known.name(),
            Err(_) => unknown_type_name(other),
        },
    }
}

/// [`type_display_name`] of a type [`data_type`] does not know.
fn unknown_type_name(dt: &ast::DataType) -> String {
    if let ast::DataType::Array(_) = dt {
        return type_display_name(dt);
    }
    let text = dt.to_string().to_lowercase();
    match text.split_once('(') {
        Some((base, _)) => base.trim().to_string(),
        None => text,
    }
}

/// The type `NUMERIC(p, s)`, with the precision and scale bounds PostgreSQL checks.
fn numeric_spec(p: u64, s: u64) -> Result<DataType> {
    if p == 0 || p > 1000 {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("NUMERIC precision {p} must be between 1 and 1000"),
        ));
    }
    if s > p {
        return Err(Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("NUMERIC scale {s} must be between 0 and precision {p}"),
        ));
    }
    Ok(DataType::Numeric(Some((p as u32, s as u32))))
}

/// The output name PostgreSQL gives an unaliased expression (its `FigureColname`).
pub(crate) fn column_name(expr: &ast::Expr) -> String {
    figure_name(expr).map_or_else(|| "?column?".into(), |(name, _)| name)
}

/// An expression's output name and how strongly it names it: 2 for a column, function or
/// subquery's own name, 1 for a fallback (`case`, a cast's type) that a stronger name
/// inside replaces; `None` for no name (`?column?`).
fn figure_name(expr: &ast::Expr) -> Option<(String, u8)> {
    let strong = |name: String| Some((name, 2));
    match expr {
        ast::Expr::Identifier(i) => strong(ident_name(i)),
        ast::Expr::CompoundIdentifier(parts) => strong(parts.last().map(ident_name)?),
        ast::Expr::Function(f) => {
            strong(f.name.0.last().and_then(|p| p.as_ident()).map(ident_name)?)
        }
        // `a.b[1]`, `(x).f`: the last field named, else the root's name.
        ast::Expr::CompoundFieldAccess { root, access_chain } => access_chain
            .iter()
            .rev()
            .find_map(|a| match a {
                ast::AccessExpr::Dot(ast::Expr::Identifier(i)) => Some((ident_name(i), 2)),
                _ => None,
            })
            .or_else(|| figure_name(root)),
        ast::Expr::Cast {
            expr,
            data_type: dt,
            ..
        } => match figure_name(expr) {
            Some(named) if named.1 > 1 => Some(named),
            _ => Some((data_type(dt).map(pg_type_name).ok()?, 1)),
        },
        ast::Expr::Nested(e) | ast::Expr::Collate { expr: e, .. } => figure_name(e),
        // A CASE is named by its ELSE result when that has a name of its own.
        ast::Expr::Case { else_result, .. } => match else_result.as_deref().and_then(figure_name) {
            Some(named) if named.1 > 1 => Some(named),
            _ => Some(("case".into(), 1)),
        },
        ast::Expr::TypedString(ts) => Some((data_type(&ts.data_type).map(pg_type_name).ok()?, 1)),
        // A scalar subquery is named by its one column.
        ast::Expr::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(select) => match select.projection.first()? {
                ast::SelectItem::ExprWithAlias { alias, .. } => strong(ident_name(alias)),
                ast::SelectItem::UnnamedExpr(e) => figure_name(e).filter(|n| n.1 > 0),
                _ => None,
            },
            _ => None,
        },
        ast::Expr::Exists { .. } => strong("exists".into()),
        // The grammar's function forms are named by the function they are.
        ast::Expr::Trim { trim_where, .. } => strong(
            match trim_where {
                Some(ast::TrimWhereField::Leading) => "ltrim",
                Some(ast::TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            }
            .into(),
        ),
        ast::Expr::Substring { .. } => strong("substring".into()),
        ast::Expr::Position { .. } => strong("position".into()),
        ast::Expr::Extract { .. } => strong("extract".into()),
        ast::Expr::Array(_) => strong("array".into()),
        _ => None,
    }
}

/// The PostgreSQL name of a type (`int4`, `timestamptz`), which names an unaliased cast.
fn pg_type_name(t: DataType) -> String {
    t.pg_type().name().to_string()
}

/// The text of a parameter value (`SET`, `SET ROLE`): identifiers and literals as written, without quotes.
pub fn literal_text(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        ast::Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}
