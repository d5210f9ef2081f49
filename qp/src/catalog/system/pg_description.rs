//! `pg_catalog.pg_description`: the comments on objects of this database (shared objects'
//! are in `pg_shdescription`). dsql keeps no comments of its own yet (`COMMENT ON` is not
//! accepted), so the rows are the comments initdb puts on the built-in objects dsql has,
//! the ones `obj_description` answers too.

use super::{Catalog, SystemColumn, SystemTable, column};
use crate::catalog::oids::Oid;
use crate::functions::scalar::system::BUILTIN_COMMENTS;
use crate::types::{DataType, Value};

/// `pg_description`
pub struct PgDescription;

impl SystemTable for PgDescription {
    fn name(&self) -> &'static str {
        "pg_description"
    }
    fn oid(&self) -> Oid {
        2609
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("objoid", DataType::Oid),
            column("classoid", DataType::Oid),
            column("objsubid", DataType::Int4),
            column("description", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        BUILTIN_COMMENTS
            .iter()
            .filter(|c| !c.shared)
            .map(|c| {
                vec![
                    Value::Int(c.oid),
                    Value::Int(c.catalog_oid),
                    Value::Int(0),
                    Value::Text(c.text.to_string()),
                ]
            })
            .collect()
    }
}
