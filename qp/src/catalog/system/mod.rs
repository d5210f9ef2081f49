//! System relations whose rows are computed: `pg_catalog`'s tables and views, filled on
//! demand from the catalog snapshot a transaction reads, as risinglight's
//! `system_table_scan` fills its `pg_catalog` tables.
//!
//! A system relation is declared like a table (a name, an oid, typed columns) and computes
//! its rows from a [`Catalog`] when a query reads it, so it is always consistent with the
//! schema the transaction sees and stores nothing:
//!
//! ```text
//!   SELECT relname FROM pg_class WHERE relnamespace = 2200
//!      planner:  pg_class resolves (pg_catalog first) to Relation::System(&PgClass)
//!      executor: PgClass.rows(snapshot catalog, session) → one row per table and index,
//!                then filtered, joined, sorted like the rows of any other relation
//! ```
//!
//! # Adding a system relation
//!
//! One file per relation: a unit struct implementing [`SystemTable`] with PostgreSQL's
//! column names, types and order (leaving out the columns whose types dsql lacks, listed in
//! `docs/dsql-compatibility.md`), its `pg_class` oid, and `rows`; then add it to
//! [`SYSTEM_TABLES`]. Name resolution, `pg_class`, `pg_attribute`, EXPLAIN and the
//! privilege checks pick it up from there.

use super::Catalog;
use super::oids::Oid;
use crate::types::{DataType, Value};

mod empty;
mod information_schema;
mod pg_am;
mod pg_attrdef;
mod pg_attribute;
mod pg_class;
mod pg_collation;
mod pg_constraint;
mod pg_database;
mod pg_description;
mod pg_index;
mod pg_namespace;
mod pg_opclass;
mod pg_proc;
mod pg_roles;
mod pg_settings;
mod pg_tables;
mod pg_tablespace;
mod pg_type;

pub use pg_type::{TypeInfo, type_by_name, type_by_oid};

/// The schema of PostgreSQL's system catalogs, searched first for unqualified names.
pub const PG_CATALOG: &str = "pg_catalog";
/// The schema of the SQL standard's views of the catalog (not on the search path).
pub const INFORMATION_SCHEMA: &str = "information_schema";

/// Who is asking: what a system relation's rows may depend on besides the catalog.
#[derive(Clone, Copy)]
pub struct SessionInfo<'a> {
    /// The current role (`current_user`).
    pub user: &'a str,
    /// The role that logged in (`session_user`).
    pub session_user: &'a str,
    /// The session's parameters (`pg_settings`), where a statement runs.
    pub settings: Option<&'a dyn crate::functions::Settings>,
}

/// A column of a system relation.
#[derive(Clone, Copy, Debug)]
pub struct SystemColumn {
    /// Its name, as in PostgreSQL.
    pub name: &'static str,
    /// Its type.
    pub data_type: DataType,
    /// Whether it may be NULL.
    pub nullable: bool,
}

/// A column that is never NULL.
const fn column(name: &'static str, data_type: DataType) -> SystemColumn {
    SystemColumn {
        name,
        data_type,
        nullable: false,
    }
}

/// A column that may be NULL.
const fn nullable(name: &'static str, data_type: DataType) -> SystemColumn {
    SystemColumn {
        name,
        data_type,
        nullable: true,
    }
}

/// What kind of relation a system relation is in PostgreSQL (its `relkind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemKind {
    /// A catalog table (`pg_class`): relkind `r`.
    Table,
    /// A view over the catalogs (`pg_roles`): relkind `v`.
    View,
}

/// A relation whose rows are computed from the catalog snapshot.
pub trait SystemTable: Send + Sync {
    /// Its name (`pg_class`).
    fn name(&self) -> &'static str;
    /// Its schema.
    fn schema(&self) -> &'static str {
        PG_CATALOG
    }
    /// Its oid, PostgreSQL's (`pg_class` is 1259).
    fn oid(&self) -> Oid;
    /// A table or a view, as PostgreSQL has it.
    fn kind(&self) -> SystemKind {
        SystemKind::Table
    }
    /// Its columns, in PostgreSQL's order.
    fn columns(&self) -> &'static [SystemColumn];
    /// Its rows as of `catalog`, each with a value per column.
    fn rows(&self, catalog: &Catalog, session: &SessionInfo<'_>) -> Vec<Vec<Value>>;
}

impl std::fmt::Debug for dyn SystemTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema(), self.name())
    }
}

/// Every system relation.
pub static SYSTEM_TABLES: &[&dyn SystemTable] = &[
    &pg_namespace::PgNamespace,
    &pg_class::PgClass,
    &pg_attribute::PgAttribute,
    &pg_type::PgType,
    &pg_roles::PgRoles,
    &pg_database::PgDatabase,
    &pg_am::PgAm,
    &pg_tablespace::PgTablespace,
    &empty::PG_INHERITS,
    &pg_description::PgDescription,
    &pg_constraint::PgConstraint,
    &pg_index::PgIndex,
    &pg_attrdef::PgAttrdef,
    &pg_collation::PgCollation,
    &pg_opclass::PgOpclass,
    &pg_proc::PgProc,
    &pg_settings::PgSettings,
    &pg_tables::PgTables,
    &pg_tables::PgIndexes,
    &empty::PG_VIEWS,
    &empty::PG_MATVIEWS,
    &pg_roles::PgUser,
    &empty::PG_EXTENSION,
    &empty::PG_POLICY,
    &empty::PG_REWRITE,
    &empty::PG_TRIGGER,
    &empty::PG_PUBLICATION,
    &empty::PG_PUBLICATION_NAMESPACE,
    &empty::PG_AUTH_MEMBERS,
    &empty::PG_SEQUENCE,
    &empty::PG_ENUM,
    &empty::PG_STATISTIC_EXT,
    &empty::PG_PARTITIONED_TABLE,
    &empty::PG_RANGE,
    &empty::PG_DEPEND,
    &empty::PG_PUBLICATION_REL,
    &information_schema::SCHEMATA,
    &information_schema::TABLES,
    &information_schema::COLUMNS,
    &information_schema::VIEWS,
    &information_schema::TABLE_CONSTRAINTS,
    &information_schema::KEY_COLUMN_USAGE,
    &information_schema::CONSTRAINT_COLUMN_USAGE,
    &information_schema::REFERENTIAL_CONSTRAINTS,
    &information_schema::SEQUENCES,
    &information_schema::ROLE_TABLE_GRANTS,
    &information_schema::ROUTINES,
    &information_schema::PARAMETERS,
];

/// The system relation `schema.name`, if there is one. Every unqualified table name is
/// looked up here first (pg_catalog leads the search path), so this is one hash lookup, not
/// a walk over [`SYSTEM_TABLES`].
pub fn find(schema: &str, name: &str) -> Option<&'static dyn SystemTable> {
    static BY_NAME: std::sync::LazyLock<
        std::collections::HashMap<(&'static str, &'static str), &'static dyn SystemTable>,
    > = std::sync::LazyLock::new(|| {
        SYSTEM_TABLES
            .iter()
            .map(|t| ((t.schema(), t.name()), *t))
            .collect()
    });
    BY_NAME.get(&(schema, name)).copied()
}

/// A role's oid by name (the built-in `admin`'s when the role is gone).
fn role_oid(catalog: &Catalog, name: &str) -> Value {
    let oid = catalog
        .roles
        .get(name)
        .map_or(super::defs::ADMIN_OID, |r| r.oid);
    Value::Int(oid)
}

/// An oid value.
fn oid(oid: Oid) -> Value {
    Value::Int(oid.into())
}

/// A name value.
fn name(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A `"char"` value.
fn char(c: char) -> Value {
    Value::Text(c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_value_per_column_of_a_matching_kind() {
        let mut catalog = Catalog::default();
        let mut def = super::super::sys::jobs_table();
        def.id = 1000;
        def.schema = "public".into();
        def.name = "t".into();
        def.columns[0].default = Some("'x'".into());
        catalog
            .tables
            .insert(def.qualified_name(), std::sync::Arc::new(def));
        struct Defaults;
        impl crate::functions::Settings for Defaults {
            fn get(&self, name: &str) -> Option<String> {
                self.default_value(name)
            }
            fn set(&self, _: &str, _: Option<&str>, _: bool) -> crate::error::Result<String> {
                Ok(String::new())
            }
            fn default_value(&self, name: &str) -> Option<String> {
                Some(format!("default of {name}"))
            }
        }
        let session = SessionInfo {
            user: "admin",
            session_user: "admin",
            settings: Some(&Defaults),
        };
        // The relations of what DSQL does not have.
        const EMPTY: &[&str] = &[
            "pg_inherits",
            "pg_views",
            "pg_matviews",
            "pg_extension",
            "pg_policy",
            "pg_rewrite",
            "pg_trigger",
            "pg_publication",
            "pg_publication_namespace",
            "pg_auth_members",
            "pg_sequence",
            "pg_enum",
            "pg_statistic_ext",
            "pg_partitioned_table",
            "pg_range",
            "pg_depend",
            "pg_publication_rel",
            "referential_constraints",
            "sequences",
        ];
        for table in SYSTEM_TABLES {
            let rows = table.rows(&catalog, &session);
            assert_eq!(
                rows.is_empty(),
                EMPTY.contains(&table.name()),
                "{}",
                table.name()
            );
            for row in rows {
                assert_eq!(row.len(), table.columns().len(), "{}", table.name());
                for (v, c) in row.iter().zip(table.columns()) {
                    let fits = match (v, c.data_type) {
                        (Value::Null, _) => c.nullable,
                        (Value::Int(i), DataType::Oid | DataType::Reg(_)) => {
                            u32::try_from(*i).is_ok()
                        }
                        (Value::Int(i), DataType::Int2) => i16::try_from(*i).is_ok(),
                        (Value::Int(i), DataType::Int4) => i32::try_from(*i).is_ok(),
                        (Value::Text(s), DataType::InternalChar) => s.len() <= 1,
                        (Value::Text(_), t) => t.is_string(),
                        (Value::Bool(_), DataType::Bool) => true,
                        (Value::Float(_), DataType::Float4) => true,
                        (Value::Array(_), t) => t.is_array(),
                        _ => false,
                    };
                    assert!(fits, "{}.{} = {v:?}", table.name(), c.name);
                }
            }
        }
    }

    #[test]
    fn every_column_type_has_a_pg_type_row() {
        // pg_attribute describes each column through its pg_type row.
        for table in SYSTEM_TABLES {
            for c in table.columns() {
                let info = pg_type::type_info(c.data_type);
                assert_eq!(
                    info.oid,
                    super::super::oids::type_oid(c.data_type),
                    "{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn system_relations_have_postgres_oids_and_unique_names() {
        assert_eq!(find(PG_CATALOG, "pg_class").map(|t| t.oid()), Some(1259));
        assert_eq!(
            find(PG_CATALOG, "pg_namespace").map(|t| t.oid()),
            Some(2615)
        );
        assert!(find("public", "pg_class").is_none());
        let mut names: Vec<_> = SYSTEM_TABLES.iter().map(|t| t.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SYSTEM_TABLES.len());
    }
}
