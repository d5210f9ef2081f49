//! DSQL's stored system tables: their ids and, for those queried as tables, their
//! definitions. Ids below 1000 are reserved for the system.

use super::defs::ADMIN;
use super::{ColumnDef, SYS_SCHEMA, TableDef};
use crate::types::DataType;

/// The system table holding one [`SchemaDef`](super::defs::SchemaDef) per user schema.
pub const SCHEMAS_TABLE_ID: u32 = 2;
/// The system table holding one [`Role`](super::defs::Role) per created role.
pub const ROLES_TABLE_ID: u32 = 3;
/// The system table holding one [`Grant`](super::defs::Grant) per granted privilege.
pub const GRANTS_TABLE_ID: u32 = 4;
/// The system table `sys.iam_pg_role_mappings`.
pub const IAM_MAPPINGS_TABLE_ID: u32 = 5;
/// The name of the IAM mapping table in schema `sys`.
pub const IAM_MAPPINGS_TABLE: &str = "iam_pg_role_mappings";
/// The fixed table id of `sys.jobs`.
pub const JOBS_TABLE_ID: u32 = 10;

/// The definition of `sys.iam_pg_role_mappings`: one row per (role, IAM principal) pair,
/// keyed by role name then ARN. Oids are `bigint`s (dsql has no `oid` type).
pub fn iam_mappings_table() -> TableDef {
    let column = |name: &str, data_type| ColumnDef {
        name: name.into(),
        data_type,
        nullable: false,
        default: None,
    };
    TableDef {
        id: IAM_MAPPINGS_TABLE_ID,
        schema: SYS_SCHEMA.into(),
        name: IAM_MAPPINGS_TABLE.into(),
        columns: vec![
            column("iam_oid", DataType::Int8),
            column("arn", DataType::Text),
            column("pg_role_oid", DataType::Int8),
            column("pg_role_name", DataType::Text),
            column("grantor_pg_role_oid", DataType::Int8),
            column("grantor_pg_role_name", DataType::Text),
        ],
        primary_key: vec![3, 1],
        indexes: vec![],
        owner: ADMIN.into(),
    }
}

/// The definition of `sys.jobs`: one row per asynchronous job.
pub fn jobs_table() -> TableDef {
    let column = |name: &str, data_type, nullable| ColumnDef {
        name: name.into(),
        data_type,
        nullable,
        default: None,
    };
    TableDef {
        id: JOBS_TABLE_ID,
        schema: SYS_SCHEMA.into(),
        name: "jobs".into(),
        columns: vec![
            column("job_id", DataType::Text, false),
            column("status", DataType::Text, false),
            column("details", DataType::Text, true),
            column("job_type", DataType::Text, false),
            column("class_id", DataType::Int8, true),
            column("object_id", DataType::Int8, true),
            column("object_name", DataType::Text, true),
            column("start_time", DataType::TimestampTz, false),
            column("update_time", DataType::TimestampTz, false),
        ],
        primary_key: vec![0],
        indexes: vec![],
        owner: ADMIN.into(),
    }
}
