//! `pg_catalog.pg_tables` and `pg_catalog.pg_indexes`: PostgreSQL's views of the tables and
//! of the indexes with their definitions, computed from the same relations as `pg_class`.

use super::pg_class::relations;
use super::{Catalog, SystemColumn, SystemKind, SystemTable, name, nullable};
use crate::catalog::CatalogView;
use crate::catalog::oids::Oid;
use crate::types::{DataType, Value};

/// The schema name of a namespace oid.
fn schema_name(catalog: &Catalog, namespace: Oid) -> String {
    catalog
        .schemas_info()
        .into_iter()
        .find(|s| s.oid == namespace)
        .map(|s| s.name)
        .unwrap_or_default()
}

/// `pg_tables`: every table (relkind `r`) with its owner; `tablespace` is NULL (the
/// default one), and no table has rules, triggers or row security.
pub struct PgTables;

impl SystemTable for PgTables {
    fn name(&self) -> &'static str {
        "pg_tables"
    }
    fn oid(&self) -> Oid {
        12033
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            nullable("schemaname", DataType::Name),
            nullable("tablename", DataType::Name),
            nullable("tableowner", DataType::Name),
            nullable("tablespace", DataType::Name),
            nullable("hasindexes", DataType::Bool),
            nullable("hasrules", DataType::Bool),
            nullable("hastriggers", DataType::Bool),
            nullable("rowsecurity", DataType::Bool),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        relations(catalog)
            .into_iter()
            .filter(|r| r.kind == 'r')
            .map(|r| {
                vec![
                    name(&schema_name(catalog, r.namespace)),
                    name(&r.name),
                    name(&r.owner),
                    Value::Null,
                    Value::Bool(r.has_index),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                ]
            })
            .collect()
    }
}

/// `pg_indexes`: every index with its table and its CREATE INDEX statement
/// (`pg_get_indexdef`); `tablespace` is NULL (the default one).
pub struct PgIndexes;

impl SystemTable for PgIndexes {
    fn name(&self) -> &'static str {
        "pg_indexes"
    }
    fn oid(&self) -> Oid {
        12043
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            nullable("schemaname", DataType::Name),
            nullable("tablename", DataType::Name),
            nullable("indexname", DataType::Name),
            nullable("tablespace", DataType::Name),
            nullable("indexdef", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        catalog
            .tables_by_id()
            .into_iter()
            .flat_map(|t| catalog.indexes_of(t))
            .map(|index| {
                vec![
                    name(&index.table.schema),
                    name(&index.table.name),
                    name(&index.name),
                    Value::Null,
                    Value::Text(index.definition(0, false)),
                ]
            })
            .collect()
    }
}
