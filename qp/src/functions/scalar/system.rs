//! Session and system information functions: `version()`, `current_database()`,
//! `current_schema()`, `current_schemas()`, `current_user`, `session_user`, `pg_typeof`, and
//! the catalog's: `pg_table_is_visible`, `pg_get_userbyid`, `format_type`,
//! `pg_encoding_to_char`, and the comment lookups (`obj_description`, `col_description`,
//! `shobj_description`).

use crate::error::Result;
use crate::functions::{Context, type_name};
use crate::types::{Array, DataType, RegKind, Value};

/// `version()`
pub fn version(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(crate::VERSION_STRING.to_string()))
}

/// `current_database()`: dsql has one database, `postgres`.
pub fn current_database(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text("postgres".into()))
}

/// `current_schema()`: the first schema of `search_path` that exists, else NULL.
pub fn current_schema(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(cx
        .current_schema()
        .map_or(Value::Null, |s| Value::Text(s.to_string())))
}

/// `current_user` (also `user`): the role privileges are checked as.
pub fn current_user(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::Text(cx.current_user().to_string()))
}

/// `session_user`: the role that logged in, whatever `SET ROLE` changed.
pub fn session_user(_: &[Value], cx: &dyn Context) -> Result<Value> {
    Ok(Value::Text(cx.session_user().to_string()))
}

/// `pg_typeof(x)`: the name of `x`'s type, without its modifier (`unknown` for an untyped
/// literal), known at planning.
pub fn pg_typeof(args: &[DataType]) -> Value {
    Value::Text(args.first().map_or_else(String::new, |t| type_name(*t)))
}

/// `current_schemas(include_implicit)`: the schemas of the search path that exist, as a
/// `name[]`, with `pg_catalog` first (when the path does not place it) if asked.
pub fn current_schemas(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let implicit = matches!(args.first(), Some(Value::Bool(true)));
    let names = cx
        .search_path_schemas(implicit)
        .into_iter()
        .map(Value::Text)
        .collect();
    Ok(Value::array(Array::from_elements(names)))
}

/// `pg_table_is_visible(oid)`: whether the relation (or index) is found by its unqualified
/// name on the search path; NULL for an oid no relation has, as in PostgreSQL.
pub fn pg_table_is_visible(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(cx
        .relation_is_visible(*oid)
        .map_or(Value::Null, Value::Bool))
}

/// `pg_get_expr(pg_node_tree, relation [, pretty])`: the expression's text. dsql's
/// expression trees (`pg_attrdef.adbin`) are already the text PostgreSQL prints, so they are
/// returned as they are.
pub fn pg_get_expr(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(args.first().cloned().unwrap_or(Value::Null))
}

/// `pg_collation_is_visible(oid)`: whether the collation is found by its bare name; dsql's
/// collations are all in pg_catalog, so true for each of them, NULL for other oids.
pub fn pg_collation_is_visible(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(crate::types::collation::collation_by_oid(*oid).map_or(Value::Null, |_| Value::Bool(true)))
}

/// `pg_get_serial_sequence(table, column)`: the sequence a serial or identity column
/// draws from. The table is read as a (possibly qualified) name, the column literally; dsql
/// has no sequences, so once both are found the answer is NULL.
pub fn pg_get_serial_sequence(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let (Some(Value::Text(table)), Some(Value::Text(column))) = (args.first(), args.get(1)) else {
        return Ok(Value::Null);
    };
    let not_found = || {
        crate::error::Error::new(
            crate::error::SqlState::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        )
    };
    let oid = cx
        .object_oid(RegKind::Class, table)?
        .ok_or_else(not_found)?;
    match cx.relation_has_column(oid, column) {
        Some((_, true)) => {}
        found => {
            let relation = found.map_or_else(|| table.clone(), |(name, _)| name);
            return Err(crate::error::Error::new(
                crate::error::SqlState::UNDEFINED_COLUMN,
                format!("column \"{column}\" of relation \"{relation}\" does not exist"),
            ));
        }
    }
    Ok(Value::Null)
}

/// `current_setting(name [, missing_ok])`: the parameter's value as `SHOW` reports it; for
/// a parameter that does not exist an error, or NULL when `missing_ok`.
pub fn current_setting(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Text(name)) = args.first() else {
        return Ok(Value::Null);
    };
    let missing_ok = matches!(args.get(1), Some(Value::Bool(true)));
    let settings = cx.settings().ok_or_else(no_settings)?;
    match settings.get(name) {
        Some(value) => Ok(Value::Text(value)),
        None if missing_ok => Ok(Value::Null),
        None => Err(crate::error::Error::new(
            crate::error::SqlState::UNDEFINED_OBJECT,
            format!("unrecognized configuration parameter \"{name}\""),
        )),
    }
}

/// `set_config(name, value, is_local)`: `SET [LOCAL] name = value` (a NULL value sets the
/// default), with `SET`'s checks; the new value as `SHOW` reports it.
pub fn set_config(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Text(name)) = args.first() else {
        return Err(crate::error::Error::new(
            crate::error::SqlState::NULL_VALUE_NOT_ALLOWED,
            "SET requires parameter name",
        ));
    };
    let value = match args.get(1) {
        Some(Value::Text(v)) => Some(v.as_str()),
        _ => None,
    };
    let local = matches!(args.get(2), Some(Value::Bool(true)));
    let settings = cx.settings().ok_or_else(no_settings)?;
    Ok(Value::Text(settings.set(name, value, local)?))
}

fn no_settings() -> crate::error::Error {
    crate::error::Error::internal("the session's settings are not at hand")
}

/// The definition of an object dsql has none of (a view, trigger, rule or extended
/// statistics object): NULL, as PostgreSQL answers for an oid that names no such object.
pub fn no_such_object(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Null)
}

/// `pg_relation_is_publishable(regclass)`: whether a publication could include the
/// relation: a user table (not a system relation, not an index); NULL for no relation.
pub fn pg_relation_is_publishable(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    let oid = *oid as u32;
    Ok(match cx.relation_kind(oid) {
        None => Value::Null,
        Some(kind) => Value::Bool(kind == 'r' && oid >= 16384),
    })
}

/// `pg_get_function_result(oid)`: the function's result type (`SETOF integer`); NULL for
/// an oid that names no function.
pub fn pg_get_function_result(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(proc_arg(args).map_or(Value::Null, |p| Value::Text(p.result_text())))
}

/// `pg_get_function_arguments(oid)` and `pg_get_function_identity_arguments(oid)`: the
/// argument types.
pub fn pg_get_function_arguments(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(proc_arg(args).map_or(Value::Null, |p| Value::Text(p.arguments_text())))
}

/// `pg_function_is_visible(oid)`: the built-in functions are all in pg_catalog, always on
/// the search path; NULL for an oid that names no function.
pub fn pg_function_is_visible(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(proc_arg(args).map_or(Value::Null, |_| Value::Bool(true)))
}

/// `pg_type_is_visible(oid)`: dsql's types are all PostgreSQL's built-in ones, in
/// pg_catalog; NULL for an oid that names no type.
pub fn pg_type_is_visible(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(if format_type_name(*oid, None) == "???" {
        Value::Null
    } else {
        Value::Bool(true)
    })
}

fn proc_arg(args: &[Value]) -> Option<crate::functions::procs::Proc> {
    match args.first() {
        Some(Value::Int(oid)) => crate::functions::procs::proc_by_oid(*oid),
        _ => None,
    }
}

/// The privilege keywords each kind of object has, as `has_*_privilege` accepts them.
const TABLE_PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];
const SCHEMA_PRIVILEGES: &[&str] = &["USAGE", "CREATE"];
const DATABASE_PRIVILEGES: &[&str] = &["CREATE", "CONNECT", "TEMPORARY", "TEMP"];

/// Reads a privilege list (`'select, INSERT WITH GRANT OPTION'`): the keywords, upper case,
/// and whether any asks for the grant option.
fn privilege_list(text: &str, valid: &[&str]) -> Result<(Vec<&'static str>, bool)> {
    let mut out = Vec::new();
    let mut grant_option = false;
    for part in text.split(',') {
        let upper = part.trim().to_ascii_uppercase();
        let (keyword, with_grant) = match upper.strip_suffix(" WITH GRANT OPTION") {
            Some(k) => (k.trim_end().to_string(), true),
            None => (upper.clone(), false),
        };
        let Some(found) = valid.iter().find(|v| **v == keyword) else {
            return Err(crate::error::Error::new(
                crate::error::SqlState::INVALID_PARAMETER_VALUE,
                format!("unrecognized privilege type: \"{}\"", part.trim()),
            ));
        };
        let found: &'static str = match *found {
            "SELECT" => "SELECT",
            "INSERT" => "INSERT",
            "UPDATE" => "UPDATE",
            "DELETE" => "DELETE",
            "TRUNCATE" => "TRUNCATE",
            "REFERENCES" => "REFERENCES",
            "TRIGGER" => "TRIGGER",
            "USAGE" => "USAGE",
            "CREATE" => "CREATE",
            "CONNECT" => "CONNECT",
            "MEMBER" => "MEMBER",
            _ => "TEMPORARY",
        };
        out.push(found);
        grant_option |= with_grant;
    }
    Ok((out, grant_option))
}

/// `has_table_privilege`, `has_schema_privilege`, `has_database_privilege` with
/// `([role name,] object, privileges)`: the object by name (text) or oid.
fn has_privilege(
    args: &[Value],
    cx: &dyn Context,
    valid: &[&str],
    target: fn(&Value) -> Option<crate::functions::PrivilegeTarget<'_>>,
) -> Result<Value> {
    let (role, object, privileges) = match args {
        [object, privileges] => (None, object, privileges),
        [Value::Text(role), object, privileges] => (Some(role.as_str()), object, privileges),
        _ => return Ok(Value::Null),
    };
    let Value::Text(privileges) = privileges else {
        return Ok(Value::Null);
    };
    let Some(target) = target(object) else {
        return Ok(Value::Null);
    };
    let (list, grant_option) = privilege_list(privileges, valid)?;
    Ok(cx
        .has_privilege(role, target, &list, grant_option)?
        .map_or(Value::Null, Value::Bool))
}

/// `has_table_privilege([role,] table, privileges)`
pub fn has_table_privilege(args: &[Value], cx: &dyn Context) -> Result<Value> {
    use crate::functions::PrivilegeTarget as T;
    has_privilege(args, cx, TABLE_PRIVILEGES, |v| match v {
        Value::Text(name) => Some(T::TableName(name)),
        Value::Int(oid) => Some(T::TableOid(*oid as u32)),
        _ => None,
    })
}

/// The privileges a column has (dsql grants none on columns: a table's privilege is every
/// column's).
const COLUMN_PRIVILEGES: &[&str] = &["SELECT", "INSERT", "UPDATE", "REFERENCES"];

/// `has_any_column_privilege([role,] table, privileges)`: as `has_table_privilege` over the
/// column privileges, which dsql grants only by table.
pub fn has_any_column_privilege(args: &[Value], cx: &dyn Context) -> Result<Value> {
    use crate::functions::PrivilegeTarget as T;
    has_privilege(args, cx, COLUMN_PRIVILEGES, |v| match v {
        Value::Text(name) => Some(T::TableName(name)),
        Value::Int(oid) => Some(T::TableOid(*oid as u32)),
        _ => None,
    })
}

/// `has_column_privilege([role,] table, column, privileges)`: the column must exist; its
/// privileges are its table's.
pub fn has_column_privilege(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let (role, table, column, privileges) = match args {
        [table, column, privileges] => (None, table, column, privileges),
        [Value::Text(role), table, column, privileges] => {
            (Some(role.as_str()), table, column, privileges)
        }
        _ => return Ok(Value::Null),
    };
    let (Value::Text(column), Value::Text(privileges)) = (column, privileges) else {
        return Ok(Value::Null);
    };
    let (list, grant_option) = privilege_list(privileges, COLUMN_PRIVILEGES)?;
    let oid = match table {
        Value::Text(name) => cx.object_oid(RegKind::Class, name)?.ok_or_else(|| {
            crate::error::Error::new(
                crate::error::SqlState::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )
        })?,
        Value::Int(oid) => *oid as u32,
        _ => return Ok(Value::Null),
    };
    match cx.relation_has_column(oid, column) {
        None => return Ok(Value::Null),
        Some((relation, false)) => {
            return Err(crate::error::Error::new(
                crate::error::SqlState::UNDEFINED_COLUMN,
                format!("column \"{column}\" of relation \"{relation}\" does not exist"),
            ));
        }
        Some((_, true)) => {}
    }
    Ok(cx
        .has_privilege(
            role,
            crate::functions::PrivilegeTarget::TableOid(oid),
            &list,
            grant_option,
        )?
        .map_or(Value::Null, Value::Bool))
}

/// `has_schema_privilege([role,] schema, privileges)`
pub fn has_schema_privilege(args: &[Value], cx: &dyn Context) -> Result<Value> {
    use crate::functions::PrivilegeTarget as T;
    has_privilege(args, cx, SCHEMA_PRIVILEGES, |v| match v {
        Value::Text(name) => Some(T::SchemaName(name)),
        Value::Int(oid) => Some(T::SchemaOid(*oid as u32)),
        _ => None,
    })
}

/// `has_database_privilege([role,] database, privileges)`
pub fn has_database_privilege(args: &[Value], cx: &dyn Context) -> Result<Value> {
    use crate::functions::PrivilegeTarget as T;
    has_privilege(args, cx, DATABASE_PRIVILEGES, |v| match v {
        Value::Text(name) => Some(T::DatabaseName(name)),
        Value::Int(oid) => Some(T::DatabaseOid(*oid as u32)),
        _ => None,
    })
}

/// `to_regproc(text)`: as [`to_regclass`], for a function (a name several functions share
/// is an error, as in PostgreSQL 15).
pub fn to_regproc(args: &[Value], cx: &dyn Context) -> Result<Value> {
    to_reg(RegKind::Proc, args, cx)
}

/// `to_regrole(text)`: as [`to_regclass`], for a role.
pub fn to_regrole(args: &[Value], cx: &dyn Context) -> Result<Value> {
    to_reg(RegKind::Role, args, cx)
}

/// `pg_has_role([user,] role, privilege)`: whether the user (the current role by default)
/// may use the role's privileges (`USAGE`) or is a member of it (`MEMBER`). dsql has no role
/// memberships: a role has its own, and admin every role's.
pub fn pg_has_role(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let (user, role, privileges) = match args {
        [Value::Text(role), Value::Text(p)] => (cx.current_user().to_string(), role, p),
        [Value::Text(user), Value::Text(role), Value::Text(p)] => (user.clone(), role, p),
        _ => return Ok(Value::Null),
    };
    privilege_list(privileges, &["USAGE", "MEMBER"])?;
    for name in [&user, role] {
        // A `name` argument is the role's name exactly, so it is read as a quoted one.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        if cx.object_oid(RegKind::Role, &quoted)?.is_none() {
            return Err(crate::error::Error::new(
                crate::error::SqlState::UNDEFINED_OBJECT,
                format!("role \"{name}\" does not exist"),
            ));
        }
    }
    Ok(Value::Bool(user == *role || user == "admin"))
}

/// `to_regclass(text)`: the oid of the relation the text names (read as `regclass` reads
/// it), NULL when there is none.
pub fn to_regclass(args: &[Value], cx: &dyn Context) -> Result<Value> {
    to_reg(RegKind::Class, args, cx)
}

/// `to_regtype(text)`: as [`to_regclass`], for a type.
pub fn to_regtype(args: &[Value], cx: &dyn Context) -> Result<Value> {
    to_reg(RegKind::Type, args, cx)
}

/// `to_regnamespace(text)`: as [`to_regclass`], for a schema.
pub fn to_regnamespace(args: &[Value], cx: &dyn Context) -> Result<Value> {
    to_reg(RegKind::Namespace, args, cx)
}

fn to_reg(kind: RegKind, args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Text(text)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(cx
        .object_oid(kind, text)?
        .map_or(Value::Null, |oid| Value::Int(i64::from(oid))))
}

/// `pg_get_userbyid(oid)`: the role's name, or PostgreSQL's `unknown (OID=n)`.
pub fn pg_get_userbyid(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(Value::Text(
        cx.role_name(*oid)
            .unwrap_or_else(|| format!("unknown (OID={oid})")),
    ))
}

/// `pg_get_indexdef(index [, column, pretty])`: the CREATE INDEX statement of an index (or
/// with `column` > 0 that column's name); NULL for an oid no index has. Pretty, the table
/// is qualified only when the search path does not find it.
pub fn pg_get_indexdef(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    let column = match args.get(1) {
        Some(Value::Int(c)) => *c,
        _ => 0,
    };
    let pretty = matches!(args.get(2), Some(Value::Bool(true)));
    Ok(cx
        .index_definition(*oid, column, pretty)
        .map_or(Value::Null, Value::Text))
}

/// `pg_get_constraintdef(constraint [, pretty])`: a constraint as a table definition writes
/// it (`PRIMARY KEY (id)`); NULL for an oid no constraint has.
pub fn pg_get_constraintdef(args: &[Value], cx: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    Ok(cx
        .constraint_definition(*oid)
        .map_or(Value::Null, Value::Text))
}

/// `pg_encoding_to_char(encoding)`: the name of an encoding number; dsql's one encoding,
/// UTF8, is 6, and SQL_ASCII 0 (PostgreSQL's numbers); an unknown number gives `''`.
pub fn pg_encoding_to_char(args: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Text(
        match args.first() {
            Some(Value::Int(0)) => "SQL_ASCII",
            Some(Value::Int(6)) => "UTF8",
            _ => "",
        }
        .into(),
    ))
}

/// A comment PostgreSQL's initdb puts on a built-in object dsql has.
pub struct BuiltinComment {
    /// The object's oid.
    pub oid: i64,
    /// The catalog the oid belongs to (`pg_namespace`).
    pub catalog: &'static str,
    /// The `pg_class` oid of `catalog`.
    pub catalog_oid: i64,
    /// Whether the object is shared by all databases (its comment is then in
    /// `pg_shdescription`, else in `pg_description`).
    pub shared: bool,
    /// The comment.
    pub text: &'static str,
}

/// The comments on the built-in objects dsql has (the database `postgres`, the schemas
/// `pg_catalog` and `public`). dsql keeps no comments of its own yet (`COMMENT ON` is not
/// accepted), so these are all there are.
pub const BUILTIN_COMMENTS: &[BuiltinComment] = &[
    BuiltinComment {
        oid: 5,
        catalog: "pg_database",
        catalog_oid: 1262,
        shared: true,
        text: "default administrative connection database",
    },
    BuiltinComment {
        oid: 11,
        catalog: "pg_namespace",
        catalog_oid: 2615,
        shared: false,
        text: "system catalog schema",
    },
    BuiltinComment {
        oid: 2200,
        catalog: "pg_namespace",
        catalog_oid: 2615,
        shared: false,
        text: "standard public schema",
    },
];

/// `obj_description(oid, catalog)` and `shobj_description(oid, catalog)`: the comment on an
/// object of a catalog; `obj_description(oid)` (deprecated in PostgreSQL) any object's.
pub fn obj_description(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    let catalog = match args.get(1) {
        Some(Value::Text(c)) => Some(c.as_str()),
        _ => None,
    };
    Ok(BUILTIN_COMMENTS
        .iter()
        .find(|c| c.oid == *oid && catalog.is_none_or(|want| want == c.catalog))
        .map_or(Value::Null, |c| Value::Text(c.text.to_string())))
}

/// `col_description(table, column)`: the comment on a column; no column has one.
pub fn col_description(_: &[Value], _: &dyn Context) -> Result<Value> {
    Ok(Value::Null)
}

/// `format_type(type, typmod)`: a type's SQL name as PostgreSQL's `format_type` prints it,
/// with the modifier when one is given (`character varying(20)` for typmod 24, `numeric(10,2)`,
/// `timestamp(3) with time zone`); `integer[]` for arrays; `???` for an unknown oid and `-`
/// for 0. Not strict: a NULL typmod means none was given, a NULL type gives NULL.
pub fn format_type(args: &[Value], _: &dyn Context) -> Result<Value> {
    let Some(Value::Int(oid)) = args.first() else {
        return Ok(Value::Null);
    };
    let typmod = match args.get(1) {
        Some(Value::Int(m)) => Some(*m),
        _ => None,
    };
    Ok(Value::Text(format_type_name(*oid, typmod)))
}

/// The text of [`format_type`].
pub fn format_type_name(oid: i64, typmod: Option<i64>) -> String {
    if oid == 0 {
        return "-".into();
    }
    let Some(ty) = u32::try_from(oid)
        .ok()
        .and_then(postgres_types::Type::from_oid)
    else {
        return "???".into();
    };
    if let postgres_types::Kind::Array(element) = ty.kind() {
        return format!("{}[]", format_type_name(i64::from(element.oid()), typmod));
    }
    // A modifier of -1 is none, but says one was given (`bpchar` then, not `character`).
    let given = typmod.is_some();
    let typmod = typmod.filter(|m| *m >= 0);
    let precision = |name: &str, zone: &str| match typmod {
        Some(p) => format!("{name}({p}){zone}"),
        None => format!("{name}{zone}"),
    };
    let length = |name: &str| match typmod {
        Some(m) if m >= 4 => format!("{name}({})", m - 4),
        _ => name.to_string(),
    };
    match ty.name() {
        "bool" => "boolean".into(),
        "int2" => "smallint".into(),
        "int4" => "integer".into(),
        "int8" => "bigint".into(),
        "float4" => "real".into(),
        "float8" => "double precision".into(),
        "varchar" => length("character varying"),
        "bpchar" if typmod.is_none() && given => "bpchar".into(),
        "bpchar" => length("character"),
        "bit" => match typmod {
            Some(m) => format!("bit({m})"),
            None => "bit".into(),
        },
        "varbit" => match typmod {
            Some(m) => format!("bit varying({m})"),
            None => "bit varying".into(),
        },
        "numeric" => match typmod {
            Some(m) if m >= 4 => format!("numeric({},{})", (m - 4) >> 16, (m - 4) & 0xffff),
            _ => "numeric".into(),
        },
        "time" => precision("time", " without time zone"),
        "timetz" => precision("time", " with time zone"),
        "timestamp" => precision("timestamp", " without time zone"),
        "timestamptz" => precision("timestamp", " with time zone"),
        "char" => "\"char\"".into(),
        // A keyword, so quoted, as PostgreSQL's format_type quotes it.
        "any" => "\"any\"".into(),
        other => other.to_string(),
    }
}
