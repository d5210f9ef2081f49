//! `pg_catalog.pg_class`: one row per relation: the system relations, DSQL's stored system
//! tables, user tables, their primary keys and their secondary indexes.

use super::{
    Catalog, SYSTEM_TABLES, SystemColumn, SystemKind, SystemTable, char, column, name, nullable,
    oid,
};
use crate::catalog::CatalogView;
use crate::catalog::defs::ADMIN;
use crate::catalog::oids::{self, BTREE_AM, HEAP_AM, Oid, PG_CATALOG_NAMESPACE};
use crate::types::{DataType, ElementType, Value};

/// A relation as `pg_class` and `pg_attribute` show it.
pub(super) struct ClassEntry {
    /// `oid`
    pub oid: Oid,
    /// `relname`
    pub name: String,
    /// `relnamespace`
    pub namespace: Oid,
    /// `relkind`: `r` table, `i` index, `v` view.
    pub kind: char,
    /// The owner's role name.
    pub owner: String,
    /// `relam`
    pub am: Oid,
    /// `relhasindex`
    pub has_index: bool,
    /// Whether rows are stored (its `relfilenode` is its oid) or computed (0).
    pub stored: bool,
    /// The columns (`pg_attribute`): name, type, NOT NULL, has a default.
    pub columns: Vec<(String, DataType, bool, bool)>,
}

/// Every relation of the catalog, by oid.
pub(super) fn relations(catalog: &Catalog) -> Vec<ClassEntry> {
    let mut out = Vec::new();
    for t in SYSTEM_TABLES {
        out.push(ClassEntry {
            oid: t.oid(),
            name: t.name().to_string(),
            namespace: catalog
                .schema_oid(t.schema())
                .unwrap_or(PG_CATALOG_NAMESPACE),
            kind: match t.kind() {
                SystemKind::Table => 'r',
                SystemKind::View => 'v',
            },
            owner: ADMIN.to_string(),
            am: match t.kind() {
                SystemKind::Table => HEAP_AM,
                SystemKind::View => 0,
            },
            has_index: false,
            stored: false,
            columns: t
                .columns()
                .iter()
                .map(|c| (c.name.to_string(), c.data_type, !c.nullable, false))
                .collect(),
        });
    }
    for table in catalog.tables.values() {
        let namespace = catalog.schema_oid(&table.schema).unwrap_or(0);
        let table_column = |i: usize| {
            let c = &table.columns[i];
            (c.name.clone(), c.data_type, false, false)
        };
        out.push(ClassEntry {
            oid: oids::object_oid(table.id),
            name: table.name.clone(),
            namespace,
            kind: 'r',
            owner: table.owner.clone(),
            am: HEAP_AM,
            has_index: !table.primary_key.is_empty() || !table.indexes.is_empty(),
            stored: true,
            columns: table
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.data_type,
                        !c.nullable,
                        c.default.is_some(),
                    )
                })
                .collect(),
        });
        if !table.primary_key.is_empty() {
            out.push(ClassEntry {
                oid: oids::primary_key_oid(table.id),
                name: table.pkey_name(),
                namespace,
                kind: 'i',
                owner: table.owner.clone(),
                am: BTREE_AM,
                has_index: false,
                stored: true,
                columns: table.primary_key.iter().map(|&i| table_column(i)).collect(),
            });
        }
        for index in &table.indexes {
            out.push(ClassEntry {
                oid: oids::object_oid(index.id),
                name: index.name.clone(),
                namespace,
                kind: 'i',
                owner: table.owner.clone(),
                am: BTREE_AM,
                has_index: false,
                stored: true,
                columns: index
                    .columns
                    .iter()
                    .map(|c| c.column)
                    .chain(index.include.iter().copied())
                    .map(table_column)
                    .collect(),
            });
        }
    }
    out.sort_by_key(|r| r.oid);
    out
}

/// `pg_class` (`relfrozenxid` and `relminmxid`, of type `xid`, `relacl` (`aclitem[]`) and
/// `relpartbound` (`pg_node_tree`) are left out; `reloptions` is NULL: dsql has no storage
/// parameters).
pub struct PgClass;

impl SystemTable for PgClass {
    fn name(&self) -> &'static str {
        "pg_class"
    }
    fn oid(&self) -> Oid {
        1259
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("relname", DataType::Name),
            column("relnamespace", DataType::Oid),
            column("reltype", DataType::Oid),
            column("reloftype", DataType::Oid),
            column("relowner", DataType::Oid),
            column("relam", DataType::Oid),
            column("relfilenode", DataType::Oid),
            column("reltablespace", DataType::Oid),
            column("relpages", DataType::Int4),
            column("reltuples", DataType::Float4),
            column("relallvisible", DataType::Int4),
            column("reltoastrelid", DataType::Oid),
            column("relhasindex", DataType::Bool),
            column("relisshared", DataType::Bool),
            column("relpersistence", DataType::InternalChar),
            column("relkind", DataType::InternalChar),
            column("relnatts", DataType::Int2),
            column("relchecks", DataType::Int2),
            column("relhasrules", DataType::Bool),
            column("relhastriggers", DataType::Bool),
            column("relhassubclass", DataType::Bool),
            column("relrowsecurity", DataType::Bool),
            column("relforcerowsecurity", DataType::Bool),
            column("relispopulated", DataType::Bool),
            column("relreplident", DataType::InternalChar),
            column("relispartition", DataType::Bool),
            column("relrewrite", DataType::Oid),
            // `aclitem[]` in PostgreSQL, NULL for the default privileges; dsql keeps grants
            // in its own catalog, so the column is always NULL.
            nullable("relacl", DataType::Array(ElementType::Text)),
            nullable("reloptions", DataType::Array(ElementType::Text)),
            // A `pg_node_tree` (as text): DSQL has no partitions, so NULL.
            nullable("relpartbound", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, catalog: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        relations(catalog)
            .into_iter()
            .map(|r| {
                let table = r.kind == 'r';
                vec![
                    oid(r.oid),
                    name(&r.name),
                    oid(r.namespace),
                    // dsql has no composite row types for its tables.
                    oid(0),
                    oid(0),
                    super::role_oid(catalog, &r.owner),
                    oid(r.am),
                    oid(if r.stored { r.oid } else { 0 }),
                    oid(0),
                    Value::Int(0),
                    // -1: never analyzed (what PostgreSQL shows for a new table).
                    Value::Float(if table { -1.0 } else { 0.0 }),
                    Value::Int(0),
                    oid(0),
                    Value::Bool(r.has_index),
                    Value::Bool(false),
                    char('p'),
                    char(r.kind),
                    Value::Int(r.columns.len() as i64),
                    Value::Int(0),
                    Value::Bool(r.kind == 'v'),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(true),
                    char(if table && r.stored { 'd' } else { 'n' }),
                    Value::Bool(false),
                    oid(0),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    }
}
