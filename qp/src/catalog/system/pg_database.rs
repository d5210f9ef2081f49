//! `pg_catalog.pg_database`: the one database, `postgres`.

use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid, role_oid};
use crate::catalog::defs::ADMIN;
use crate::catalog::oids::{self, Oid};
use crate::types::{DataType, ElementType, Value};

/// `pg_database` (`datfrozenxid` and `datminmxid`, of type `xid`, and `datacl`, an
/// `aclitem[]`, are left out).
pub struct PgDatabase;

impl SystemTable for PgDatabase {
    fn name(&self) -> &'static str {
        "pg_database"
    }
    fn oid(&self) -> Oid {
        1262
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("datname", DataType::Name),
            column("datdba", DataType::Oid),
            column("encoding", DataType::Int4),
            column("datlocprovider", DataType::InternalChar),
            column("datistemplate", DataType::Bool),
            column("datallowconn", DataType::Bool),
            column("datconnlimit", DataType::Int4),
            column("dattablespace", DataType::Oid),
            column("datcollate", DataType::Text),
            column("datctype", DataType::Text),
            nullable("daticulocale", DataType::Text),
            nullable("datcollversion", DataType::Text),
            // `aclitem[]` in PostgreSQL, NULL for the default privileges.
            nullable("datacl", DataType::Array(ElementType::Text)),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        /// `pg_default`, the tablespace of everything.
        const DEFAULT_TABLESPACE: Oid = 1663;
        /// `UTF8`.
        const UTF8: i64 = 6;
        vec![vec![
            oid(oids::POSTGRES_DATABASE),
            name("postgres"),
            role_oid(catalog, ADMIN),
            Value::Int(UTF8),
            char('c'),
            Value::Bool(false),
            Value::Bool(true),
            Value::Int(-1),
            oid(DEFAULT_TABLESPACE),
            Value::Text("C.UTF-8".into()),
            Value::Text("C.UTF-8".into()),
            Value::Null,
            Value::Null,
            Value::Null,
        ]]
    }
}
