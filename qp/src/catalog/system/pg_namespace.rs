//! `pg_catalog.pg_namespace`: one row per schema.

use super::{Catalog, SystemColumn, SystemTable, column, name, oid, role_oid};
use crate::catalog::CatalogView;
use crate::catalog::oids::Oid;
use crate::types::{DataType, Value};

/// `pg_namespace` (`nspacl`, an `aclitem[]`, is left out).
pub struct PgNamespace;

impl SystemTable for PgNamespace {
    fn name(&self) -> &'static str {
        "pg_namespace"
    }
    fn oid(&self) -> Oid {
        2615
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("nspname", DataType::Name),
            column("nspowner", DataType::Oid),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        catalog
            .schemas_info()
            .into_iter()
            .map(|s| vec![oid(s.oid), name(&s.name), role_oid(catalog, &s.owner)])
            .collect()
    }
}
