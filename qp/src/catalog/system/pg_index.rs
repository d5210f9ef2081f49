//! `pg_catalog.pg_index`: one row per index, a primary key's and the secondary ones, with
//! its key columns as PostgreSQL numbers them (`indkey`, an `int2vector` of attnums from
//! subscript 0, the INCLUDE columns after the key ones), their operator classes (`indclass`,
//! btree's default class of each column's type), collations and sort options.

use super::{Catalog, SystemColumn, SystemTable, column, nullable, oid};
use crate::catalog::oids::{DEFAULT_COLLATION, Oid};
use crate::types::{Array, DataType, Value};

/// `pg_index` (`indexprs` and `indpred`, `pg_node_tree`s, are `text`: dsql's indexes have
/// neither expressions nor predicates, so they are NULL).
pub struct PgIndex;

impl SystemTable for PgIndex {
    fn name(&self) -> &'static str {
        "pg_index"
    }
    fn oid(&self) -> Oid {
        2610
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("indexrelid", DataType::Oid),
            column("indrelid", DataType::Oid),
            column("indnatts", DataType::Int2),
            column("indnkeyatts", DataType::Int2),
            column("indisunique", DataType::Bool),
            column("indnullsnotdistinct", DataType::Bool),
            column("indisprimary", DataType::Bool),
            column("indisexclusion", DataType::Bool),
            column("indimmediate", DataType::Bool),
            column("indisclustered", DataType::Bool),
            column("indisvalid", DataType::Bool),
            column("indcheckxmin", DataType::Bool),
            column("indisready", DataType::Bool),
            column("indislive", DataType::Bool),
            column("indisreplident", DataType::Bool),
            column("indkey", DataType::Int2Vector),
            column("indcollation", DataType::OidVector),
            column("indclass", DataType::OidVector),
            column("indoption", DataType::Int2Vector),
            nullable("indexprs", DataType::Text),
            nullable("indpred", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        let mut rows = Vec::new();
        for table in catalog.tables_by_id() {
            for index in catalog.indexes_of(table) {
                let key_types: Vec<DataType> = index
                    .keys
                    .iter()
                    .map(|k| table.columns[k.0].data_type)
                    .collect();
                let attnums = index
                    .keys
                    .iter()
                    .map(|k| k.0)
                    .chain(index.include.iter().copied())
                    .map(|c| Value::Int(c as i64 + 1))
                    .collect();
                let collations = key_types
                    .iter()
                    .map(|t| Value::Int(i64::from(collation(*t))))
                    .collect();
                let classes = key_types
                    .iter()
                    .map(|t| Value::Int(i64::from(super::pg_opclass::default_btree_opclass(*t))))
                    .collect();
                // indoption: bit 0 DESC, bit 1 NULLS FIRST (DESC sorts NULLs first unless
                // told otherwise, and dsql keeps that as `nulls_first`).
                let options = index
                    .keys
                    .iter()
                    .map(|&(_, desc, nulls_first)| {
                        Value::Int(i64::from(desc) | (i64::from(nulls_first) << 1))
                    })
                    .collect();
                let natts = index.keys.len() + index.include.len();
                rows.push(vec![
                    oid(index.oid),
                    oid(crate::catalog::oids::object_oid(table.id)),
                    Value::Int(natts as i64),
                    Value::Int(index.keys.len() as i64),
                    Value::Bool(index.unique),
                    Value::Bool(!index.nulls_distinct),
                    Value::Bool(index.primary),
                    Value::Bool(false),
                    Value::Bool(true),
                    Value::Bool(false),
                    Value::Bool(index.valid),
                    Value::Bool(false),
                    Value::Bool(index.valid),
                    Value::Bool(true),
                    Value::Bool(false),
                    Value::array(Array::vector(attnums)),
                    Value::array(Array::vector(collations)),
                    Value::array(Array::vector(classes)),
                    Value::array(Array::vector(options)),
                    Value::Null,
                    Value::Null,
                ]);
            }
        }
        rows
    }
}

/// The collation an index key of type `t` sorts by: the default one for the collatable
/// (string) types, none (0) for the others.
fn collation(t: DataType) -> Oid {
    match t {
        DataType::Text | DataType::Varchar(_) | DataType::Char(_) => DEFAULT_COLLATION,
        DataType::Name => crate::catalog::oids::C_COLLATION,
        _ => 0,
    }
}
