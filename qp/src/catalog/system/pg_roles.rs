//! `pg_catalog.pg_roles`: one row per role; `pg_user`: one per role that may log in.

use super::{Catalog, SystemColumn, SystemKind, SystemTable, column, name, nullable};
use crate::catalog::defs::ADMIN;
use crate::catalog::oids::Oid;
use crate::types::{DataType, ElementType, Value};

/// `pg_roles`, a view in PostgreSQL (`rolconfig` is NULL: dsql has no per-role settings). dsql's roles
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
            nullable("rolconfig", DataType::Array(ElementType::Text)),
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
                    Value::Null,
                    Value::Int(role.oid),
                ]
            })
            .collect()
    }
}

/// `pg_user`, PostgreSQL's view of the roles that may log in.
pub struct PgUser;

impl SystemTable for PgUser {
    fn name(&self) -> &'static str {
        "pg_user"
    }
    fn oid(&self) -> Oid {
        12014
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            nullable("usename", DataType::Name),
            nullable("usesysid", DataType::Oid),
            nullable("usecreatedb", DataType::Bool),
            nullable("usesuper", DataType::Bool),
            nullable("userepl", DataType::Bool),
            nullable("usebypassrls", DataType::Bool),
            nullable("passwd", DataType::Text),
            nullable("valuntil", DataType::TimestampTz),
            nullable("useconfig", DataType::Array(ElementType::Text)),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        catalog
            .roles
            .values()
            .filter(|role| role.login)
            .map(|role| {
                vec![
                    name(&role.name),
                    Value::Int(role.oid),
                    Value::Bool(role.name == ADMIN),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Text("********".into()),
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    }
}
