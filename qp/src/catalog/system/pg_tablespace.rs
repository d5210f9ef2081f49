//! `pg_catalog.pg_tablespace`: PostgreSQL's two tablespaces, `pg_default` (where every
//! relation is: `pg_class.reltablespace` 0) and `pg_global`. dsql has no CREATE TABLESPACE.

use super::{Catalog, SystemColumn, SystemTable, column, name, nullable, oid, role_oid};
use crate::catalog::defs::ADMIN;
use crate::catalog::oids::Oid;
use crate::types::{DataType, ElementType, Value};

/// `pg_tablespace` (`spcacl`, an `aclitem[]`, is left out).
pub struct PgTablespace;

impl SystemTable for PgTablespace {
    fn name(&self) -> &'static str {
        "pg_tablespace"
    }
    fn oid(&self) -> Oid {
        1213
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("spcname", DataType::Name),
            column("spcowner", DataType::Oid),
            nullable("spcoptions", DataType::Array(ElementType::Text)),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        [(1663, "pg_default"), (1664, "pg_global")]
            .into_iter()
            .map(|(id, space)| vec![oid(id), name(space), role_oid(catalog, ADMIN), Value::Null])
            .collect()
    }
}
