//! `pg_catalog.pg_constraint`: one row per primary key, the only constraint dsql keeps in
//! the catalog (NOT NULL is `pg_attribute.attnotnull`, as in PostgreSQL 15; a unique index
//! made by CREATE UNIQUE INDEX has no constraint row, as in PostgreSQL).

use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid};
use crate::catalog::CatalogView;
use crate::catalog::oids::{self, Oid};
use crate::types::{Array, DataType, ElementType, Value};

/// `pg_constraint` (`conbin`, a `pg_node_tree`, is left out).
pub struct PgConstraint;

impl SystemTable for PgConstraint {
    fn name(&self) -> &'static str {
        "pg_constraint"
    }
    fn oid(&self) -> Oid {
        2606
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const SMALLINTS: DataType = DataType::Array(ElementType::Int2);
        const OIDS: DataType = DataType::Array(ElementType::Oid);
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("conname", DataType::Name),
            column("connamespace", DataType::Oid),
            column("contype", DataType::InternalChar),
            column("condeferrable", DataType::Bool),
            column("condeferred", DataType::Bool),
            column("convalidated", DataType::Bool),
            column("conrelid", DataType::Oid),
            column("contypid", DataType::Oid),
            column("conindid", DataType::Oid),
            column("conparentid", DataType::Oid),
            column("confrelid", DataType::Oid),
            column("confupdtype", DataType::InternalChar),
            column("confdeltype", DataType::InternalChar),
            column("confmatchtype", DataType::InternalChar),
            column("conislocal", DataType::Bool),
            column("coninhcount", DataType::Int4),
            column("connoinherit", DataType::Bool),
            nullable("conkey", SMALLINTS),
            nullable("confkey", SMALLINTS),
            nullable("conpfeqop", OIDS),
            nullable("conppeqop", OIDS),
            nullable("conffeqop", OIDS),
            nullable("confdelsetcols", SMALLINTS),
            nullable("conexclop", OIDS),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        catalog
            .tables_by_id()
            .into_iter()
            .filter(|t| !t.primary_key.is_empty())
            .map(|t| {
                // Column numbers (attnum) from 1, in key order.
                let key = t
                    .primary_key
                    .iter()
                    .map(|&i| Value::Int(i as i64 + 1))
                    .collect();
                vec![
                    oid(oids::primary_key_constraint_oid(t.id)),
                    name(&t.pkey_name()),
                    oid(catalog.schema_oid(&t.schema).unwrap_or(0)),
                    char('p'),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(true),
                    oid(oids::object_oid(t.id)),
                    oid(0),
                    oid(oids::primary_key_oid(t.id)),
                    oid(0),
                    oid(0),
                    char(' '),
                    char(' '),
                    char(' '),
                    Value::Bool(true),
                    Value::Int(0),
                    Value::Bool(true),
                    Value::array(Array::from_elements(key)),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    }
}
