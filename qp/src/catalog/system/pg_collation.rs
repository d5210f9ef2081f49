//! `pg_catalog.pg_collation`: the collations dsql has ([`COLLATIONS`]), all built in and
//! all in pg_catalog.

use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid};
use crate::catalog::defs::ADMIN_OID;
use crate::catalog::oids::{Oid, PG_CATALOG_NAMESPACE};
use crate::types::collation::COLLATIONS;
use crate::types::{DataType, Value};
/// `pg_collation`
pub struct PgCollation;

impl SystemTable for PgCollation {
    fn name(&self) -> &'static str {
        "pg_collation"
    }
    fn oid(&self) -> Oid {
        3456
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("collname", DataType::Name),
            column("collnamespace", DataType::Oid),
            column("collowner", DataType::Oid),
            column("collprovider", DataType::InternalChar),
            column("collisdeterministic", DataType::Bool),
            column("collencoding", DataType::Int4),
            nullable("collcollate", DataType::Text),
            nullable("collctype", DataType::Text),
            nullable("colliculocale", DataType::Text),
            nullable("collversion", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        COLLATIONS
            .iter()
            .map(|c| {
                let locale = || c.locale.map_or(Value::Null, |l| Value::Text(l.to_string()));
                vec![
                    oid(c.oid),
                    name(c.name),
                    oid(PG_CATALOG_NAMESPACE),
                    Value::Int(ADMIN_OID),
                    char(c.provider),
                    Value::Bool(true),
                    Value::Int(c.encoding),
                    locale(),
                    locale(),
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    }
}
