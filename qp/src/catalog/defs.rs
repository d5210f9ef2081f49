//! The records the catalog stores besides table definitions: secondary index definitions
//! (inside their table's), user schemas, roles and grants. The features that use them (`schemas`, `roles`, `privileges`) build on these
//! definitions; the catalog loads them without depending on those features.

use super::sys::GRANTS_TABLE_ID;
use crate::types::keycode;
use proto::Key;
use serde::{Deserialize, Serialize};

/// The built-in administrator role.
pub const ADMIN: &str = "admin";
/// The oid of `admin` (PostgreSQL's bootstrap superuser has oid 10).
pub const ADMIN_OID: i64 = 10;

/// A user schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaDef {
    /// The schema's name.
    pub name: String,
    /// The role that owns it.
    pub owner: String,
    /// Its oid (`pg_namespace.oid`): taken from the table id counter at CREATE SCHEMA (see
    /// [`super::oids`]); schemas stored before schemas had oids get one derived from their
    /// name.
    pub oid: u32,
}

/// A database role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// The role's oid (`pg_role_oid` in `sys.iam_pg_role_mappings`).
    pub oid: i64,
    /// The role's name (lower case unless it was quoted).
    pub name: String,
    /// Whether the role may log in (`LOGIN`); only login roles can be mapped to IAM principals.
    pub login: bool,
}

impl Role {
    /// The built-in `admin` role.
    pub fn admin() -> Role {
        Role {
            oid: ADMIN_OID,
            name: ADMIN.into(),
            login: true,
        }
    }
}

/// A privilege on a table or a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Privilege {
    /// Read a table's rows.
    Select,
    /// Insert rows.
    Insert,
    /// Update rows.
    Update,
    /// Delete rows.
    Delete,
    /// Refer to a schema's objects.
    Usage,
    /// Create objects in a schema.
    Create,
}

impl Privilege {
    /// What `ALL [PRIVILEGES]` means on a table.
    pub const TABLE: [Privilege; 4] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
    ];
    /// What `ALL [PRIVILEGES]` means on a schema.
    pub const SCHEMA: [Privilege; 2] = [Privilege::Usage, Privilege::Create];

    /// The SQL keyword.
    pub fn name(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
        }
    }
}

/// An object privileges are granted on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Object {
    /// A table, by id (ids are never reused, so a grant cannot outlive its table's identity).
    Table(u32),
    /// A schema, by name.
    Schema(String),
}

/// Who a privilege is granted to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grantee {
    /// Every role.
    Public,
    /// One role, by name.
    Role(String),
}

impl std::fmt::Display for Grantee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(r) => f.write_str(r),
        }
    }
}

/// One granted privilege.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The object.
    pub object: Object,
    /// The grantee.
    pub grantee: Grantee,
    /// The privilege.
    pub privilege: Privilege,
    /// The role that granted it (the object's owner, or admin).
    pub grantor: String,
}

impl Grant {
    /// The grant's catalog key: one key per (object, grantee, privilege), whoever granted it.
    pub fn key(&self) -> Key {
        let mut key = keycode::table_prefix(GRANTS_TABLE_ID);
        let id = (&self.object, &self.grantee, self.privilege);
        key.extend(postcard::to_allocvec(&id).expect("serializing to a Vec cannot fail"));
        key
    }
}

/// The life cycle of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexState {
    /// Created; its build job has not finished. Writers maintain it; readers do not use it.
    Building,
    /// Built: maintained and used by the planner.
    Valid,
    /// The build failed (for example duplicates in a unique index): neither maintained nor
    /// used, until dropped.
    Invalid,
}

/// One key column of an index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexColumn {
    /// The position of the column in the table.
    pub column: usize,
    /// `DESC` was given (recorded for display; entries are stored ascending, and an index
    /// is read forward or in reverse as an ORDER BY needs).
    pub desc: bool,
    /// `NULLS FIRST` was given (recorded for display; NULL entries are stored last, so come
    /// first in a reverse read).
    pub nulls_first: bool,
}

/// A secondary index of a table, stored inside its [`TableDef`](super::TableDef).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index id: the four-byte prefix of its entries (from the table id counter).
    pub id: u32,
    /// The index name, unique among the relations of the table's schema.
    pub name: String,
    /// The key columns, in key order.
    pub columns: Vec<IndexColumn>,
    /// `INCLUDE` columns (positions in the table): every entry carries their values (and
    /// the key columns'), for index-only reads.
    pub include: Vec<usize>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `NULLS DISTINCT` (the default): rows with a NULL key column never conflict.
    pub nulls_distinct: bool,
    /// Building, valid or invalid.
    pub state: IndexState,
}
