//! `pg_catalog.pg_attrdef`: one row per column with a DEFAULT (a `DEFAULT NULL` has none, as
//! in PostgreSQL). `adbin` is PostgreSQL's stored expression tree; dsql stores the
//! expression as SQL text, so `adbin` holds the expression as PostgreSQL's `pg_get_expr`
//! prints it ([`crate::catalog::default_expression_text`]) and `pg_get_expr` returns it.

use super::{Catalog, SystemColumn, SystemTable, column, oid};
use crate::catalog::oids::{self, Oid};
use crate::types::{DataType, Value};

/// `pg_attrdef`
pub struct PgAttrdef;

impl SystemTable for PgAttrdef {
    fn name(&self) -> &'static str {
        "pg_attrdef"
    }
    fn oid(&self) -> Oid {
        2604
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("adrelid", DataType::Oid),
            column("adnum", DataType::Int2),
            column("adbin", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        let mut rows = Vec::new();
        for table in catalog.tables_by_id() {
            for (i, c) in table.columns.iter().enumerate() {
                let Some(text) = c.default.as_deref() else {
                    continue;
                };
                let Some(expression) = crate::catalog::default_expression_text(text, c.data_type)
                else {
                    continue;
                };
                let attnum = i as u32 + 1;
                rows.push(vec![
                    oid(oids::attrdef_oid(table.id, attnum)),
                    oid(oids::object_oid(table.id)),
                    Value::Int(i64::from(attnum)),
                    Value::Text(expression),
                ]);
            }
        }
        rows
    }
}
