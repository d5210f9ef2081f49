//! The catalog: table definitions stored as rows of system tables in the MVCC store.
//!
//! Because the catalog lives in the same store as the data, DDL is transactional and every
//! snapshot sees the schema that was current at its timestamp. Layout:
//!
//! ```text
//! key                                     value
//! 00000000 00                             catalog version (u64, bumped by every DDL)
//! 00000000 01                             next table id (u32)
//! 00000000 02                             next role / IAM mapping oid (u64)
//! 00000000 03                             next unreserved hidden row id (u64, see exec::row_ids)
//! 00000001 <schema, name, key-encoded>    TableDef
//! 00000002 <schema name>                  SchemaDef: user schemas and their owners
//! 00000003 <role name>                    Role: roles other than the built-in admin
//! 00000004 <grant, postcard>              Grant: one privilege on one object for one grantee
//! 00000005 <pg_role_name, arn>            rows of sys.iam_pg_role_mappings
//! 00000006 ... 000003e7                   other system tables (see below)
//! 000003e8 ...                            first user table's rows (table id 1000)
//! ```
//!
//! Every value above except the counters is stored in a versioned encoding (see
//! [`codec`]; rows of system tables are rows like any other, [`crate::types::encode_row`]).
//!
//! Names live in schemas. `public` (the default for unqualified names) and `sys` (DSQL's system
//! views, such as `sys.jobs`) always exist. System tables are ordinary tables with fixed ids
//! below [`FIRST_USER_TABLE_ID`], described by [`builtin_tables`]: their rows are stored and
//! versioned like any other, so queries read them with the normal planner and executor, but
//! users cannot write them (42501); only the statements that own them do (for example
//! `AWS IAM GRANT` or an index build job).
//!
//! QPs cache the decoded catalog by version: a transaction reads the version key at its
//! snapshot (one point read) and reuses the cached catalog when it matches. A transaction that
//! planned with a catalog version lists the version key as `unchanged` in its commit request,
//! so a concurrent DDL makes it fail with OC001.

pub mod access;
pub mod codec;
pub mod defs;
mod deparse;
pub mod job;
pub mod oids;
mod reg;
mod relation;
pub mod store;
pub mod sys;
pub mod system;

pub use crate::functions::scalar::quote::quote_ident;
pub use deparse::default_expression_text;
pub use reg::{ObjectNames, object_not_found};
pub use relation::{
    CatalogView, IndexShape, Relation, SchemaInfo, effective_search_path,
    is_builtin_virtual_schema, system_catalog_error,
};

use crate::error::{Error, Result, SqlState};
use crate::types::keycode;
use crate::types::{DataType, Value};
use defs::{ADMIN, Grant, Role};
use proto::Key;
use proto::format::FormatError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The table id of the catalog's own metadata keys (version, id counter).
pub const META_TABLE_ID: u32 = 0;
/// The table id of the system table holding one [`TableDef`] per user table.
pub const TABLES_TABLE_ID: u32 = 1;
/// The schema unqualified names resolve to.
pub const DEFAULT_SCHEMA: &str = "public";
/// The schema of DSQL's system views (`sys.jobs`, `sys.iam_pg_role_mappings`).
pub const SYS_SCHEMA: &str = "sys";

/// The first table id given to a user table. System tables sort before every user table,
/// which the default shard map uses to put the catalog on a shard of its own.
pub const FIRST_USER_TABLE_ID: u32 = 1000;

/// The key whose value is the catalog version; every DDL writes it.
pub fn version_key() -> Key {
    let mut key = keycode::table_prefix(META_TABLE_ID);
    key.push(0);
    key
}

/// The key whose value is the next table id to hand out.
pub fn next_table_id_key() -> Key {
    let mut key = keycode::table_prefix(META_TABLE_ID);
    key.push(1);
    key
}

/// The key whose value is the first hidden row id not reserved yet (see
/// [`crate::exec::row_ids`]).
pub fn next_row_id_key() -> Key {
    let mut key = keycode::table_prefix(META_TABLE_ID);
    key.push(3);
    key
}

/// The key of a table's definition.
pub fn table_key(name: &TableName) -> Key {
    let mut key = keycode::table_prefix(TABLES_TABLE_ID);
    for part in [&name.schema, &name.name] {
        keycode::encode_value(&Value::Text(part.clone()), &mut key).expect("text always encodes");
    }
    key
}

/// A schema-qualified table name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableName {
    /// The schema (`public` for names written without one).
    pub schema: String,
    /// The table's name within its schema.
    pub name: String,
}

impl TableName {
    /// A name in `schema`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> TableName {
        TableName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// A name in the default schema, `public`.
    pub fn public(name: impl Into<String>) -> TableName {
        TableName::new(DEFAULT_SCHEMA, name)
    }
}

impl std::fmt::Display for TableName {
    /// As PostgreSQL writes it in messages: bare for `public`, else `schema.name`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.schema == DEFAULT_SCHEMA {
            f.write_str(&self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// The system tables every catalog has, with their fixed ids (below [`FIRST_USER_TABLE_ID`]).
///
/// Reserved ids: 0 and 1 are the catalog's own keys (above); 2–9 are for the role and privilege
/// tables (`sys.iam_pg_role_mappings` among them); 10–19 for jobs and indexes (`sys.jobs`).
pub fn builtin_tables() -> Vec<TableDef> {
    vec![sys::iam_mappings_table(), sys::jobs_table()]
}

/// The keys a catalog is built from: table definitions, schemas, roles and grants (system
/// tables 1 to 4).
pub fn catalog_range() -> proto::KeyRange {
    proto::KeyRange {
        start: keycode::table_prefix(TABLES_TABLE_ID),
        end: Some(keycode::table_prefix(sys::IAM_MAPPINGS_TABLE_ID)),
    }
}

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// The column's name (lower case unless quoted).
    pub name: String,
    /// The column's type.
    pub data_type: DataType,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The DEFAULT expression as SQL text, planned when an INSERT needs it.
    pub default: Option<String>,
}

/// A table's definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableDef {
    /// The table id: the first four bytes of every row key.
    pub id: u32,
    /// The schema the table lives in.
    pub schema: String,
    /// The table's name within its schema.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<ColumnDef>,
    /// Indexes into `columns` of the primary key, in key order. Empty for a table without a
    /// primary key: its rows are keyed by a hidden, generated row id.
    pub primary_key: Vec<usize>,
    /// Secondary indexes (see [`crate::index`]), in creation order.
    pub indexes: Vec<defs::IndexDef>,
    /// The role that created the table (its owner); `admin` for system tables.
    pub owner: String,
}

impl TableDef {
    /// The table's schema-qualified name.
    pub fn qualified_name(&self) -> TableName {
        TableName::new(self.schema.clone(), self.name.clone())
    }

    /// Whether this is a system table, which users may read but not write.
    pub fn is_system(&self) -> bool {
        self.id < FIRST_USER_TABLE_ID
    }

    /// The position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The name of the primary key constraint, as PostgreSQL names it.
    pub fn pkey_name(&self) -> String {
        format!("{}_pkey", self.name)
    }

    /// The key of the row with the given primary key values (in primary key order).
    pub fn row_key(&self, pk_values: &[Value]) -> Result<Key> {
        let mut key = keycode::table_prefix(self.id);
        for value in pk_values {
            if value.is_null() {
                return Err(Error::internal("NULL in primary key"));
            }
            keycode::encode_value(value, &mut key)?;
        }
        Ok(key)
    }

    /// The key of a full row: its primary key columns, or the hidden row id.
    pub fn key_of_row(&self, row: &[Value], hidden_row_id: Option<i64>) -> Result<Key> {
        if self.primary_key.is_empty() {
            let mut key = keycode::table_prefix(self.id);
            keycode::encode_i64(
                hidden_row_id.ok_or_else(|| Error::internal("row id missing"))?,
                &mut key,
            );
            Ok(key)
        } else {
            let values: Vec<Value> = self.primary_key.iter().map(|&i| row[i].clone()).collect();
            self.row_key(&values)
        }
    }

    /// Serializes a row for storage.
    pub fn encode_row(row: &[Value]) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + row.len() * 9);
        crate::types::encode_row(row, &mut out);
        out
    }

    /// Parses a stored row, checking it has this table's width.
    pub fn decode_row(&self, bytes: &[u8]) -> Result<Vec<Value>> {
        let row = crate::types::decode_row(bytes).map_err(|e| match e {
            FormatError::Damaged { .. } => {
                Error::internal(format!("damaged row in table {}", self.name))
            }
            FormatError::Newer { .. } => Error::internal(format!("table {}: {e}", self.name)),
        })?;
        if row.len() != self.columns.len() {
            return Err(Error::internal(format!(
                "damaged row in table {}",
                self.name
            )));
        }
        Ok(row)
    }
}

/// All schemas and table definitions as of one catalog version.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// The catalog version these definitions belong to.
    pub version: u64,
    /// The schemas that exist (always `public` and `sys`).
    pub schemas: BTreeSet<String>,
    /// Tables by qualified name, system tables included.
    pub tables: HashMap<TableName, Arc<TableDef>>,
    /// The owner of every schema in `schemas` (`admin` for the built-in ones).
    pub schema_owners: BTreeMap<String, String>,
    /// The oid of every user schema in `schemas` (the built-in ones have fixed oids,
    /// [`oids`]).
    pub schema_oids: BTreeMap<String, oids::Oid>,
    /// Roles by name, the built-in `admin` included.
    pub roles: BTreeMap<String, Role>,
    /// Every privilege granted on a table or schema.
    pub grants: BTreeSet<Grant>,
}

impl Default for Catalog {
    /// The catalog of an empty database: the built-in schemas and system tables.
    fn default() -> Catalog {
        let mut tables = HashMap::new();
        for def in builtin_tables() {
            tables.insert(def.qualified_name(), Arc::new(def));
        }
        Catalog {
            version: 0,
            schemas: [DEFAULT_SCHEMA, SYS_SCHEMA]
                .into_iter()
                .map(String::from)
                .collect(),
            tables,
            schema_owners: [DEFAULT_SCHEMA, SYS_SCHEMA]
                .into_iter()
                .map(|s| (s.to_string(), ADMIN.to_string()))
                .collect(),
            schema_oids: BTreeMap::new(),
            roles: [(ADMIN.to_string(), Role::admin())].into_iter().collect(),
            grants: BTreeSet::new(),
        }
    }
}

impl Catalog {
    /// Looks a table up by qualified name: 3F000 if the schema does not exist, 42P01 if the
    /// table does not.
    pub fn table(&self, name: &TableName) -> Result<Arc<TableDef>> {
        if !self.schemas.contains(&name.schema) && !is_builtin_virtual_schema(&name.schema) {
            return Err(Error::new(
                SqlState::INVALID_SCHEMA_NAME,
                format!("schema \"{}\" does not exist", name.schema),
            ));
        }
        self.tables
            .get(name)
            .cloned()
            .ok_or_else(|| Error::undefined_table(&name.to_string()))
    }

    /// Every table (user and stored system tables) in id order, the order the catalogs list
    /// them in.
    pub fn tables_by_id(&self) -> Vec<&TableDef> {
        let mut tables: Vec<&TableDef> = self.tables.values().map(|t| t.as_ref()).collect();
        tables.sort_by_key(|t| t.id);
        tables
    }

    /// The table holding the index named `name` in `schema`, with the
    /// index's position in it.
    pub fn find_index(&self, schema: &str, name: &str) -> Option<(Arc<TableDef>, usize)> {
        self.tables
            .values()
            .filter(|t| t.schema == schema)
            .find_map(|t| {
                t.indexes
                    .iter()
                    .position(|i| i.name == name)
                    .map(|p| (t.clone(), p))
            })
    }

    /// The table holding the index with id `index_id`, with the index's position in it.
    pub fn find_index_by_id(&self, index_id: u32) -> Option<(Arc<TableDef>, usize)> {
        self.tables.values().find_map(|t| {
            t.indexes
                .iter()
                .position(|i| i.id == index_id)
                .map(|p| (t.clone(), p))
        })
    }

    /// Builds a catalog from the rows of [`catalog_range`] (table definitions, schemas,
    /// roles, grants), on top of the built-in schemas, roles and system tables.
    pub fn from_rows(version: u64, rows: &[(Key, Vec<u8>)]) -> Result<Catalog> {
        let mut catalog = Catalog {
            version,
            ..Catalog::default()
        };
        use crate::catalog::codec::decode;
        for (key, bytes) in rows {
            let table_id = key
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_be_bytes);
            match table_id {
                Some(TABLES_TABLE_ID) => {
                    let def: TableDef = decode(bytes)?;
                    catalog.tables.insert(def.qualified_name(), Arc::new(def));
                }
                Some(sys::SCHEMAS_TABLE_ID) => {
                    let def: defs::SchemaDef = decode(bytes)?;
                    catalog.schemas.insert(def.name.clone());
                    catalog.schema_oids.insert(def.name.clone(), def.oid);
                    catalog.schema_owners.insert(def.name, def.owner);
                }
                Some(sys::ROLES_TABLE_ID) => {
                    let role: Role = decode(bytes)?;
                    catalog.roles.insert(role.name.clone(), role);
                }
                Some(sys::GRANTS_TABLE_ID) => {
                    catalog.grants.insert(decode(bytes)?);
                }
                _ => return Err(Error::internal("stray key in the catalog range")),
            }
        }
        Ok(catalog)
    }
}

/// Decodes a u64 counter value (catalog version).
pub fn decode_u64(bytes: Option<&[u8]>) -> Result<u64> {
    match bytes {
        None => Ok(0),
        Some(b) => Ok(u64::from_be_bytes(
            b.try_into()
                .map_err(|_| Error::internal("damaged catalog counter"))?,
        )),
    }
}
