//! Object identifiers as PostgreSQL's catalogs show them (`pg_class.oid`, `relnamespace`,
//! `atttypid`, ...).
//!
//! PostgreSQL's own objects keep PostgreSQL's oids: the schemas `pg_catalog` (11), `public`
//! (2200) and `information_schema` (13207 in PostgreSQL 15), the built-in types (their
//! `pg_type` oids, [`type_oid`]) and the system catalogs (`pg_class` is 1259). User objects
//! get oids from 16384 up (PostgreSQL's `FirstNormalObjectId`), derived from the ids dsql
//! already stores, so an object's oid never changes and needs no storage of its own:
//!
//! ```text
//! object                              oid
//! table or index with id ≥ 1000       16384 + (id - 1000)      tables, indexes and schemas
//! schema created by CREATE SCHEMA     16384 + (id - 1000)      share the table id counter
//! primary key index of table id       2^31 + id                (not a separate object in dsql)
//! schema stored before schemas had    2^31 + 2^30 + (30-bit FNV-1a hash of the name)
//!   oids (catalog entry version 1)
//! DSQL's stored system tables (id<1000) 14100 + id              sys.jobs is 14110
//! schema `sys`                        14000
//! column default (pg_attrdef) of       2^31 + (table id mod 2^20) · 2^11 + attnum
//!   column attnum of table id
//! ```
//!
//! As in PostgreSQL, an oid is unique within its catalog (no two relations share one, nor two
//! schemas), not across catalogs. Ids are never reused (the counter only grows), so neither
//! are the oids derived from them.

use crate::types::DataType;

/// An object identifier (the SQL type `oid`).
pub type Oid = u32;

/// The first oid of a user object (PostgreSQL's `FirstNormalObjectId`).
pub const FIRST_NORMAL_OBJECT_ID: Oid = 16384;
/// `pg_catalog`'s oid.
pub const PG_CATALOG_NAMESPACE: Oid = 11;
/// `public`'s oid.
pub const PUBLIC_NAMESPACE: Oid = 2200;
/// `information_schema`'s oid, as PostgreSQL 15's initdb gives it.
pub const INFORMATION_SCHEMA_NAMESPACE: Oid = 13207;
/// The oid of DSQL's schema `sys` (in the range PostgreSQL gives objects initdb creates).
pub const SYS_NAMESPACE: Oid = 14000;
/// The access method of tables (`heap`).
pub const HEAP_AM: Oid = 2;
/// The access method of indexes (`btree`).
pub const BTREE_AM: Oid = 403;
pub use crate::types::collation::{C_COLLATION, DEFAULT_COLLATION};
/// The oid of the one database, `postgres` (as initdb gives it).
pub const POSTGRES_DATABASE: Oid = 5;

/// The first id of a user table (tables, indexes and schemas share the counter).
const FIRST_USER_ID: u32 = crate::catalog::FIRST_USER_TABLE_ID;
/// Where DSQL's stored system tables' oids start.
const SYSTEM_TABLE_BASE: Oid = 14100;
/// Where primary key indexes' oids start.
const PRIMARY_KEY_BASE: Oid = 1 << 31;
/// Where primary key constraints' oids start (table ids stay far below 2^29, so the range
/// never meets the primary key indexes' below it).
const PRIMARY_KEY_CONSTRAINT_BASE: Oid = (1 << 31) | (1 << 29);
/// Where the oids of schemas stored without one start.
const LEGACY_SCHEMA_BASE: Oid = (1 << 31) | (1 << 30);

/// The oid of the table, index or schema with this id (from the table id counter), or of a
/// stored system table (ids below 1000).
pub fn object_oid(id: u32) -> Oid {
    if id < FIRST_USER_ID {
        SYSTEM_TABLE_BASE + id
    } else {
        // Ids would have to pass 2^31 - 15384 (one per DDL) to leave the range.
        (id - FIRST_USER_ID).saturating_add(FIRST_NORMAL_OBJECT_ID)
    }
}

/// The oid of the index behind the primary key of table `table_id`.
pub fn primary_key_oid(table_id: u32) -> Oid {
    PRIMARY_KEY_BASE.saturating_add(table_id)
}

/// The oid of the primary key constraint of table `table_id` (`pg_constraint`).
pub fn primary_key_constraint_oid(table_id: u32) -> Oid {
    PRIMARY_KEY_CONSTRAINT_BASE.saturating_add(table_id)
}

/// The oid of the default of column `attnum` (from 1) of table `table_id` (`pg_attrdef`):
/// table ids modulo 2^20 above 11 bits of column number (PostgreSQL allows 1600 columns).
pub fn attrdef_oid(table_id: u32, attnum: u32) -> Oid {
    PRIMARY_KEY_BASE | ((table_id & ((1 << 20) - 1)) << 11) | (attnum & ((1 << 11) - 1))
}

/// The oid of a schema stored before schemas had one: a 30-bit FNV-1a hash of its name, in a
/// range no allocated oid reaches. Stable (the name cannot change); two such schemas would
/// share an oid only if their names collided in 30 bits.
pub fn legacy_schema_oid(name: &str) -> Oid {
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    LEGACY_SCHEMA_BASE | (hash & ((1 << 30) - 1))
}

/// The `pg_type` oid of a type (`int4` is 23).
pub fn type_oid(t: DataType) -> Oid {
    match t {
        DataType::Unknown => DataType::Text.pg_type().oid(),
        t => t.pg_type().oid(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_are_postgres_numbers_and_stable() {
        assert_eq!(object_oid(1000), 16384);
        assert_eq!(object_oid(1001), 16385);
        assert_eq!(object_oid(crate::catalog::sys::JOBS_TABLE_ID), 14110);
        assert_eq!(primary_key_oid(1000), 2147484648);
        assert_eq!(type_oid(DataType::Int4), 23);
        assert_eq!(type_oid(DataType::Oid), 26);
        assert_eq!(type_oid(DataType::Name), 19);
        assert_eq!(type_oid(DataType::InternalChar), 18);
        assert_eq!(type_oid(DataType::Numeric(Some((5, 2)))), 1700);
        assert_eq!(type_oid(DataType::Varchar(Some(3))), 1043);
        // The same name always gives the same oid, in its own range.
        assert_eq!(legacy_schema_oid("app"), legacy_schema_oid("app"));
        assert_ne!(legacy_schema_oid("app"), legacy_schema_oid("apq"));
        assert!(legacy_schema_oid("app") >= LEGACY_SCHEMA_BASE);
        assert_eq!(
            legacy_schema_oid("app"),
            3748299564,
            "frozen: stored data depends on it"
        );
    }
}
