//! Planning `CREATE SCHEMA` and `DROP SCHEMA` into [`SchemaDdl`] plans; [`crate::exec::schemas`]
//! runs them.
//!
//! `public` and `sys` are built in (owned by `admin`); a cluster may hold up to
//! [`Limits::max_schemas`](crate::Limits::max_schemas) more (DSQL: 10). Each user schema
//! is one catalog row in system table [`SCHEMAS_TABLE_ID`](crate::catalog::sys::SCHEMAS_TABLE_ID) with its owner, so schema DDL bumps
//! the catalog version like any DDL. Unqualified names resolve through the session's
//! `search_path` (default `"$user", public`), as in PostgreSQL.
//!
//! `DROP SCHEMA s` refuses (2BP01) while `s` holds tables; `DROP SCHEMA s CASCADE` drops them
//! in the same statement (still one DDL statement in its own transaction), with their grants.

use crate::error::{Error, Result};
use crate::names::ident_name;
use crate::plan::SchemaDdl;
use sqlparser::ast;

fn schema_name(name: &ast::ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(ident_name)
            .ok_or_else(|| Error::syntax(format!("invalid name {name}"))),
        _ => Err(Error::syntax(format!(
            "improper qualified name (too many dotted names): {name}"
        ))),
    }
}

/// Plans `CREATE SCHEMA` / `DROP SCHEMA`; `None` for other statements.
pub fn plan(stmt: &ast::Statement) -> Result<Option<SchemaDdl>> {
    Ok(Some(match stmt {
        ast::Statement::CreateSchema {
            schema_name: name,
            if_not_exists,
            or_replace,
            with,
            options,
            default_collate_spec,
            clone,
        } => {
            if *or_replace
                || with.is_some()
                || options.is_some()
                || default_collate_spec.is_some()
                || clone.is_some()
            {
                return Err(Error::unsupported(format!("unsupported statement: {stmt}")));
            }
            let (name, owner) = match name {
                ast::SchemaName::Simple(n) => (schema_name(n)?, None),
                ast::SchemaName::UnnamedAuthorization(role) => {
                    (ident_name(role), Some(ident_name(role)))
                }
                ast::SchemaName::NamedAuthorization(n, role) => {
                    (schema_name(n)?, Some(ident_name(role)))
                }
            };
            SchemaDdl::Create {
                name,
                owner,
                if_not_exists: *if_not_exists,
            }
        }
        ast::Statement::Drop {
            object_type: ast::ObjectType::Schema,
            if_exists,
            names,
            cascade,
            ..
        } => SchemaDdl::Drop {
            names: names.iter().map(schema_name).collect::<Result<_>>()?,
            if_exists: *if_exists,
            cascade: *cascade,
        },
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Parsed, parse_sql};

    fn plan_one(sql: &str) -> Result<Option<SchemaDdl>> {
        match parse_sql(sql)?.pop() {
            Some(Parsed::Sql(stmt)) => plan(&stmt),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn plans_schema_statements() {
        match plan_one("CREATE SCHEMA IF NOT EXISTS \"Sales\"").unwrap() {
            Some(SchemaDdl::Create {
                name,
                owner: None,
                if_not_exists: true,
            }) => assert_eq!(name, "Sales"),
            other => panic!("{other:?}"),
        }
        match plan_one("CREATE SCHEMA AUTHORIZATION App").unwrap() {
            Some(SchemaDdl::Create { name, owner, .. }) => {
                assert_eq!((name.as_str(), owner.as_deref()), ("app", Some("app")))
            }
            other => panic!("{other:?}"),
        }
        match plan_one("DROP SCHEMA a, b CASCADE").unwrap() {
            Some(SchemaDdl::Drop {
                names,
                if_exists: false,
                cascade: true,
            }) => assert_eq!(names, ["a", "b"]),
            other => panic!("{other:?}"),
        }
        assert!(plan_one("DROP TABLE t").unwrap().is_none());
        assert_eq!(plan_one("CREATE SCHEMA a.b").unwrap_err().code(), "42601");
    }
}
