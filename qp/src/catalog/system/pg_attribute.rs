//! `pg_catalog.pg_attribute`: one row per column of every relation in `pg_class`.

use super::pg_class::relations;
use super::pg_type::type_info;
use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid};
use crate::catalog::oids::Oid;
use crate::types::{DataType, ElementType, Value};

/// `pg_attribute` (`attacl` (`aclitem[]`), `attoptions` and `attfdwoptions` (`text[]`) and
/// `attmissingval` (`anyarray`) are left out). Only user columns (`attnum` > 0) have rows:
/// dsql has no system columns (`ctid`, `xmin`, ...).
pub struct PgAttribute;

impl SystemTable for PgAttribute {
    fn name(&self) -> &'static str {
        "pg_attribute"
    }
    fn oid(&self) -> Oid {
        1249
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("attrelid", DataType::Oid),
            column("attname", DataType::Name),
            column("atttypid", DataType::Oid),
            column("attstattarget", DataType::Int4),
            column("attlen", DataType::Int2),
            column("attnum", DataType::Int2),
            column("attndims", DataType::Int4),
            column("attcacheoff", DataType::Int4),
            column("atttypmod", DataType::Int4),
            column("attbyval", DataType::Bool),
            column("attalign", DataType::InternalChar),
            column("attstorage", DataType::InternalChar),
            column("attcompression", DataType::InternalChar),
            column("attnotnull", DataType::Bool),
            column("atthasdef", DataType::Bool),
            column("atthasmissing", DataType::Bool),
            column("attidentity", DataType::InternalChar),
            column("attgenerated", DataType::InternalChar),
            column("attisdropped", DataType::Bool),
            column("attislocal", DataType::Bool),
            column("attinhcount", DataType::Int4),
            column("attcollation", DataType::Oid),
            // `aclitem[]` in PostgreSQL: column privileges, which DSQL does not grant.
            nullable("attacl", DataType::Array(ElementType::Text)),
            nullable("attoptions", DataType::Array(ElementType::Text)),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        let empty = || Value::Text(String::new());
        let mut rows = Vec::new();
        for relation in relations(catalog) {
            let index = relation.kind == 'i';
            for (i, (column, data_type, not_null, has_default)) in
                relation.columns.iter().enumerate()
            {
                let t = type_info(*data_type);
                rows.push(vec![
                    oid(relation.oid),
                    name(column),
                    oid(t.oid),
                    Value::Int(if index { 0 } else { -1 }),
                    Value::Int(t.len.into()),
                    Value::Int(i as i64 + 1),
                    Value::Int(0),
                    Value::Int(-1),
                    Value::Int(data_type.type_modifier().into()),
                    Value::Bool(t.by_value),
                    char(t.align),
                    char(t.storage),
                    empty(),
                    Value::Bool(*not_null),
                    Value::Bool(*has_default),
                    Value::Bool(false),
                    empty(),
                    empty(),
                    Value::Bool(false),
                    Value::Bool(true),
                    Value::Int(0),
                    oid(t.collation),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        rows
    }
}
