//! `pg_catalog.pg_roles`: one row per role.

use super::{Catalog, SystemColumn, SystemKind, SystemTable, column, name, nullable};
use crate::catalog::defs::ADMIN;
use crate::catalog::oids::Oid;
use crate::types::{DataType, Value};

/// `pg_roles`, a view in PostgreSQL (`rolconfig`, a `text[]`, is left out). dsql's roles
/// have no attributes besides LOGIN: `admin` may create roles and databases' objects, no
/// role is a superuser.
pub struct PgRoles;

impl SystemTable for PgRoles {
    fn name(&self) -> &'static str {
        "pg_roles"
    }
    fn oid(&self) -> Oid {
        12000
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("rolname", DataType::Name),
            column("rolsuper", DataType::Bool),
            column("rolinherit", DataType::Bool),
            column("rolcreaterole", DataType::Bool),
            column("rolcreatedb", DataType::Bool),
            column("rolcanlogin", DataType::Bool),
            column("rolreplication", DataType::Bool),
            column("rolconnlimit", DataType::Int4),
            column("rolpassword", DataType::Text),
            nullable("rolvaliduntil", DataType::TimestampTz),
            column("rolbypassrls", DataType::Bool),
            column("oid", DataType::Oid),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        catalog
            .roles
            .values()
            .map(|role| {
                let admin = role.name == ADMIN;
                vec![
                    name(&role.name),
                    Value::Bool(false),
                    Value::Bool(true),
                    Value::Bool(admin),
                    Value::Bool(admin),
                    Value::Bool(role.login),
                    Value::Bool(false),
                    Value::Int(-1),
                    Value::Text("********".into()),
                    Value::Null,
                    Value::Bool(false),
                    Value::Int(role.oid),
                ]
            })
            .collect()
    }
}
