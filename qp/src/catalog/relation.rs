//! Relations and their names: the [`CatalogView`] the planner resolves names through, and
//! the [`Relation`] a name resolves to.
//!
//! Resolution follows PostgreSQL. A qualified name (`s.t`) is looked up in its schema. An
//! unqualified one is looked up in each schema of the *effective* search path in turn, the
//! first that holds it wins: the session's `search_path` with `pg_catalog` put in front
//! unless the path names it (then it is searched where it stands). `information_schema` is
//! searched only when the path names it. So, with `search_path = public`:
//!
//! ```text
//!   pg_class              → pg_catalog.pg_class, even when public.pg_class exists
//!   public.pg_class       → the user table
//!   t                     → public.t
//! search_path = public, pg_catalog:
//!   pg_class              → public.pg_class if it exists, else pg_catalog.pg_class
//! ```

use super::oids::{self, Oid};
use super::system::{self, INFORMATION_SCHEMA, PG_CATALOG, SystemTable};
use super::{Catalog, DEFAULT_SCHEMA, SYS_SCHEMA, TableDef, TableName};
use crate::catalog::defs::ADMIN;
use crate::error::Error;
use crate::types::DataType;
use std::sync::Arc;

/// What a relation name resolves to.
///
/// Views (stored definitions the binder inlines) will be a third kind.
#[derive(Clone, Debug)]
pub enum Relation {
    /// A stored table (a user table, or one of DSQL's stored system tables such as
    /// `sys.jobs`).
    Table(Arc<TableDef>),
    /// A system relation whose rows are computed from the catalog snapshot
    /// (`pg_catalog.pg_class`).
    System(&'static dyn SystemTable),
}

impl Relation {
    /// The relation's name.
    pub fn name(&self) -> &str {
        match self {
            Relation::Table(t) => &t.name,
            Relation::System(s) => s.name(),
        }
    }

    /// The relation's schema.
    pub fn schema(&self) -> &str {
        match self {
            Relation::Table(t) => &t.schema,
            Relation::System(s) => s.schema(),
        }
    }

    /// The relation's oid (`pg_class.oid`).
    pub fn oid(&self) -> Oid {
        match self {
            Relation::Table(t) => oids::object_oid(t.id),
            Relation::System(s) => s.oid(),
        }
    }

    /// The relation's columns: name and type.
    pub fn columns(&self) -> Vec<(String, DataType)> {
        match self {
            Relation::Table(t) => t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.data_type))
                .collect(),
            Relation::System(s) => s
                .columns()
                .iter()
                .map(|c| (c.name.to_string(), c.data_type))
                .collect(),
        }
    }

    /// Whether users may write it: no for system relations and DSQL's stored system tables.
    pub fn is_system(&self) -> bool {
        match self {
            Relation::Table(t) => t.is_system(),
            Relation::System(_) => true,
        }
    }
}

/// A schema as `pg_namespace` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaInfo {
    /// Its name.
    pub name: String,
    /// Its oid.
    pub oid: Oid,
    /// Its owner's role name.
    pub owner: String,
}

/// One catalog snapshot as the SQL layer sees it: names resolve to relations, oids to
/// objects. [`Catalog`] (all definitions at one catalog version) implements it.
pub trait CatalogView {
    /// The catalog version the snapshot belongs to.
    fn version(&self) -> u64;

    /// The relation `schema.name`, if it exists.
    fn relation(&self, schema: &str, name: &str) -> Option<Relation>;

    /// Resolves a relation name, qualified (`schema` given) or not, with the session's
    /// `search_path` (see the module documentation); `None` when no relation has the name.
    fn resolve(&self, schema: Option<&str>, name: &str, search_path: &[String])
    -> Option<Relation>;

    /// The relation with oid `oid` (a table or a system relation; not an index).
    fn relation_by_oid(&self, oid: Oid) -> Option<Relation>;

    /// Every schema: the built-in ones (`pg_catalog`, `public`, `information_schema`,
    /// `sys`) and the users'.
    fn schemas_info(&self) -> Vec<SchemaInfo>;

    /// The oid of schema `name`, if it exists.
    fn schema_oid(&self, name: &str) -> Option<Oid> {
        self.schemas_info()
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.oid)
    }
}

/// The schemas an unqualified name is looked up in, in order: `search_path` with
/// `pg_catalog` first unless the path names it.
pub fn effective_search_path(search_path: &[String]) -> Vec<String> {
    let mut path = Vec::with_capacity(search_path.len() + 1);
    if !search_path.iter().any(|s| s == PG_CATALOG) {
        path.push(PG_CATALOG.to_string());
    }
    path.extend(search_path.iter().cloned());
    path
}

/// Whether `schema` is one of PostgreSQL's own schemas, which always exist and hold no
/// stored tables.
pub fn is_builtin_virtual_schema(schema: &str) -> bool {
    schema == PG_CATALOG || schema == INFORMATION_SCHEMA
}

/// The error of writing to a system relation with DDL (`DROP TABLE pg_class`, `CREATE INDEX
/// ON pg_class`), as PostgreSQL words it.
pub fn system_catalog_error(name: &str) -> Error {
    Error::new(
        crate::error::SqlState::INSUFFICIENT_PRIVILEGE,
        format!("permission denied: \"{name}\" is a system catalog"),
    )
}

impl Catalog {
    /// The schema and name of the `pg_class` entry with oid `oid`: a system relation, a
    /// table, a primary key's index or a secondary index.
    pub fn class_name_by_oid(&self, oid: Oid) -> Option<(String, String)> {
        if let Some(system) = system::SYSTEM_TABLES.iter().find(|t| t.oid() == oid) {
            return Some((system.schema().to_string(), system.name().to_string()));
        }
        self.tables.values().find_map(|t| {
            let name = if oids::object_oid(t.id) == oid {
                t.name.clone()
            } else if !t.primary_key.is_empty() && oids::primary_key_oid(t.id) == oid {
                t.pkey_name()
            } else {
                t.indexes
                    .iter()
                    .find(|i| oids::object_oid(i.id) == oid)?
                    .name
                    .clone()
            };
            Some((t.schema.clone(), name))
        })
    }

    /// Whether `schema` holds a `pg_class` entry named `name` (a relation or an index; the
    /// names of both share one namespace, as in PostgreSQL).
    fn has_class_named(&self, schema: &str, name: &str) -> bool {
        self.relation(schema, name).is_some()
            || self.find_index(schema, name).is_some()
            || self
                .tables
                .values()
                .any(|t| t.schema == schema && !t.primary_key.is_empty() && t.pkey_name() == name)
    }

    /// `pg_table_is_visible(oid)`: whether the relation (or index) with oid `oid` is found by
    /// its unqualified name: its schema is on the effective search path and no schema before
    /// it holds a relation of that name. `None` when no relation has the oid.
    pub fn class_is_visible(&self, oid: Oid, search_path: &[String]) -> Option<bool> {
        let (schema, name) = self.class_name_by_oid(oid)?;
        let first = effective_search_path(search_path)
            .into_iter()
            .find(|s| self.has_class_named(s, &name));
        Some(first.is_some_and(|s| s == schema))
    }

    /// The indexes of `table` as `pg_class` lists them: its primary key's, then its
    /// secondary ones.
    pub fn indexes_of<'t>(&self, table: &'t TableDef) -> Vec<IndexShape<'t>> {
        let mut out = Vec::with_capacity(table.indexes.len() + 1);
        if !table.primary_key.is_empty() {
            out.push(IndexShape {
                oid: oids::primary_key_oid(table.id),
                table,
                name: table.pkey_name(),
                unique: true,
                keys: table
                    .primary_key
                    .iter()
                    .map(|&c| (c, false, false))
                    .collect(),
                include: Vec::new(),
                nulls_distinct: true,
                primary: true,
                valid: true,
            });
        }
        for index in &table.indexes {
            out.push(IndexShape {
                oid: oids::object_oid(index.id),
                table,
                name: index.name.clone(),
                unique: index.unique,
                keys: index
                    .columns
                    .iter()
                    .map(|c| (c.column, c.desc, c.nulls_first))
                    .collect(),
                include: index.include.clone(),
                nulls_distinct: index.nulls_distinct,
                primary: false,
                valid: index.state == super::defs::IndexState::Valid,
            });
        }
        out
    }

    /// `pg_get_indexdef(oid, column, pretty)` ([`IndexShape::definition`]) of the index with
    /// oid `oid`; `None` when no index has the oid.
    pub fn index_definition(
        &self,
        oid: Oid,
        column: i64,
        pretty: Option<&[String]>,
    ) -> Option<String> {
        let index = self
            .tables
            .values()
            .find_map(|t| self.indexes_of(t).into_iter().find(|i| i.oid == oid))?;
        let visible = pretty.is_some_and(|path| {
            self.class_is_visible(oids::object_oid(index.table.id), path) == Some(true)
        });
        Some(index.definition(column, visible))
    }

    /// `pg_get_constraintdef(oid)`: the constraint with oid `oid` as PostgreSQL prints it in
    /// a table definition (`PRIMARY KEY (c, a)`, the key's columns in key order); `None`
    /// when no constraint has the oid.
    pub fn constraint_definition(&self, oid: Oid) -> Option<String> {
        let table = self
            .tables
            .values()
            .find(|t| !t.primary_key.is_empty() && oids::primary_key_constraint_oid(t.id) == oid)?;
        let columns: Vec<String> = table
            .primary_key
            .iter()
            .map(|&c| super::quote_ident(&table.columns[c].name))
            .collect();
        Some(format!("PRIMARY KEY ({})", columns.join(", ")))
    }

    /// The schemas of the effective search path that exist, in order: `pg_catalog` first
    /// when the path does not place it, if `implicit` (`current_schemas(true)`).
    pub fn search_path_schemas(&self, search_path: &[String], implicit: bool) -> Vec<String> {
        let path = if implicit {
            effective_search_path(search_path)
        } else {
            search_path.to_vec()
        };
        path.into_iter()
            .filter(|s| self.schema_oid(s).is_some())
            .collect()
    }
}

/// An index as the catalog's functions describe it: a primary key's or a secondary one.
pub struct IndexShape<'t> {
    /// Its oid.
    pub oid: Oid,
    /// The table it indexes.
    pub table: &'t TableDef,
    /// Its name.
    pub name: String,
    /// Whether it is unique.
    pub unique: bool,
    /// The key columns (positions in the table), each with DESC and NULLS FIRST.
    pub keys: Vec<(usize, bool, bool)>,
    /// The INCLUDE columns.
    pub include: Vec<usize>,
    /// Whether NULLs are distinct (false: `NULLS NOT DISTINCT`).
    pub nulls_distinct: bool,
    /// Whether it is the table's primary key.
    pub primary: bool,
    /// Whether it is built and in use (`pg_index.indisvalid`): an asynchronous build that
    /// has not finished, or failed, is not.
    pub valid: bool,
}

impl IndexShape<'_> {
    /// The CREATE INDEX statement that makes the index, as PostgreSQL 15's
    /// `pg_get_indexdef` prints it: the table schema-qualified unless `table_visible` (the
    /// pretty form, when the search path finds the table), `USING btree`, each key column's
    /// `DESC` / `NULLS FIRST` / `NULLS LAST` where it differs from the default, `INCLUDE
    /// (...)` and `NULLS NOT DISTINCT`. With `column` > 0 only that column's name (key or
    /// INCLUDE column; `''` past the last).
    pub fn definition(&self, column: i64, table_visible: bool) -> String {
        use super::quote_ident;
        let table = self.table;
        let column_name = |c: usize| quote_ident(&table.columns[c].name);
        if column > 0 {
            let position = usize::try_from(column - 1).unwrap_or(usize::MAX);
            let all: Vec<usize> = self
                .keys
                .iter()
                .map(|k| k.0)
                .chain(self.include.iter().copied())
                .collect();
            return all
                .get(position)
                .map_or_else(String::new, |&c| column_name(c));
        }
        let key_list: Vec<String> = self
            .keys
            .iter()
            .map(|&(c, desc, nulls_first)| {
                let mut key = column_name(c);
                if desc {
                    key.push_str(" DESC");
                }
                if nulls_first != desc {
                    key.push_str(if nulls_first {
                        " NULLS FIRST"
                    } else {
                        " NULLS LAST"
                    });
                }
                key
            })
            .collect();
        let table_name = if table_visible {
            quote_ident(&table.name)
        } else {
            format!(
                "{}.{}",
                quote_ident(&table.schema),
                quote_ident(&table.name)
            )
        };
        let mut sql = format!(
            "CREATE {}INDEX {} ON {table_name} USING btree ({})",
            if self.unique { "UNIQUE " } else { "" },
            quote_ident(&self.name),
            key_list.join(", ")
        );
        if !self.include.is_empty() {
            let names: Vec<String> = self.include.iter().map(|&c| column_name(c)).collect();
            sql.push_str(&format!(" INCLUDE ({})", names.join(", ")));
        }
        if self.unique && !self.nulls_distinct {
            sql.push_str(" NULLS NOT DISTINCT");
        }
        sql
    }
}

impl CatalogView for Catalog {
    fn version(&self) -> u64 {
        self.version
    }

    fn relation(&self, schema: &str, name: &str) -> Option<Relation> {
        if let Some(system) = system::find(schema, name) {
            return Some(Relation::System(system));
        }
        if is_builtin_virtual_schema(schema) {
            return None;
        }
        self.tables
            .get(&TableName::new(schema, name))
            .cloned()
            .map(Relation::Table)
    }

    fn resolve(
        &self,
        schema: Option<&str>,
        name: &str,
        search_path: &[String],
    ) -> Option<Relation> {
        match schema {
            Some(schema) => self.relation(schema, name),
            None => effective_search_path(search_path)
                .iter()
                .find_map(|schema| self.relation(schema, name)),
        }
    }

    fn relation_by_oid(&self, oid: Oid) -> Option<Relation> {
        if let Some(system) = system::SYSTEM_TABLES.iter().find(|t| t.oid() == oid) {
            return Some(Relation::System(*system));
        }
        self.tables
            .values()
            .find(|t| oids::object_oid(t.id) == oid)
            .cloned()
            .map(Relation::Table)
    }

    fn schemas_info(&self) -> Vec<SchemaInfo> {
        let builtin = |name: &str, oid| SchemaInfo {
            name: name.to_string(),
            oid,
            owner: ADMIN.to_string(),
        };
        let mut out = vec![
            builtin(PG_CATALOG, oids::PG_CATALOG_NAMESPACE),
            builtin(DEFAULT_SCHEMA, oids::PUBLIC_NAMESPACE),
            builtin(INFORMATION_SCHEMA, oids::INFORMATION_SCHEMA_NAMESPACE),
            builtin(SYS_SCHEMA, oids::SYS_NAMESPACE),
        ];
        for schema in &self.schemas {
            if schema == DEFAULT_SCHEMA || schema == SYS_SCHEMA {
                continue;
            }
            out.push(SchemaInfo {
                name: schema.clone(),
                oid: self
                    .schema_oids
                    .get(schema)
                    .copied()
                    .unwrap_or_else(|| oids::legacy_schema_oid(schema)),
                owner: self
                    .schema_owners
                    .get(schema)
                    .cloned()
                    .unwrap_or_else(|| ADMIN.to_string()),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        for (id, schema, name) in [
            (1000, "public", "t"),
            (1001, "public", "pg_class"),
            (1002, "app", "t"),
            (1003, "app", "only_app"),
        ] {
            let mut def = super::super::sys::jobs_table();
            def.id = id;
            def.schema = schema.into();
            def.name = name.into();
            catalog.tables.insert(def.qualified_name(), Arc::new(def));
        }
        catalog.schemas.insert("app".into());
        catalog.schema_oids.insert("app".into(), 16390);
        catalog
    }

    fn path(schemas: &[&str]) -> Vec<String> {
        schemas.iter().map(|s| s.to_string()).collect()
    }

    /// Where `name` resolves: (schema, kind).
    fn resolved(catalog: &Catalog, schema: Option<&str>, name: &str, p: &[&str]) -> String {
        match catalog.resolve(schema, name, &path(p)) {
            Some(r @ Relation::Table(_)) => format!("{}.{} table", r.schema(), r.name()),
            Some(r @ Relation::System(_)) => format!("{}.{} system", r.schema(), r.name()),
            None => "none".into(),
        }
    }

    #[test]
    fn pg_catalog_is_searched_first_unless_the_path_places_it() {
        let c = catalog();
        assert_eq!(
            resolved(&c, None, "pg_class", &["public"]),
            "pg_catalog.pg_class system"
        );
        // Named in the path, it is searched where it stands.
        assert_eq!(
            resolved(&c, None, "pg_class", &["public", "pg_catalog"]),
            "public.pg_class table"
        );
        assert_eq!(
            resolved(&c, None, "pg_namespace", &["public", "pg_catalog"]),
            "pg_catalog.pg_namespace system"
        );
        // An empty path still has pg_catalog.
        assert_eq!(
            resolved(&c, None, "pg_type", &[]),
            "pg_catalog.pg_type system"
        );
        assert_eq!(
            effective_search_path(&path(&["a", "b"])),
            path(&["pg_catalog", "a", "b"])
        );
        assert_eq!(
            effective_search_path(&path(&["a", "pg_catalog"])),
            path(&["a", "pg_catalog"])
        );
    }

    #[test]
    fn qualified_names_and_the_search_path() {
        let c = catalog();
        assert_eq!(
            resolved(&c, Some("public"), "pg_class", &["public"]),
            "public.pg_class table"
        );
        assert_eq!(
            resolved(&c, Some("pg_catalog"), "pg_class", &["public"]),
            "pg_catalog.pg_class system"
        );
        assert_eq!(resolved(&c, Some("pg_catalog"), "t", &["public"]), "none");
        assert_eq!(resolved(&c, None, "t", &["app", "public"]), "app.t table");
        assert_eq!(
            resolved(&c, None, "t", &["public", "app"]),
            "public.t table"
        );
        assert_eq!(
            resolved(&c, None, "only_app", &["public", "app"]),
            "app.only_app table"
        );
        assert_eq!(resolved(&c, None, "only_app", &["public"]), "none");
        // information_schema is not on the path.
        assert_eq!(resolved(&c, None, "tables", &["public"]), "none");
    }

    #[test]
    fn oids_resolve_and_schemas_have_theirs() {
        let c = catalog();
        let by_oid = |oid| c.relation_by_oid(oid).map(|r| r.name().to_string());
        assert_eq!(by_oid(1259).as_deref(), Some("pg_class"));
        assert_eq!(by_oid(16384).as_deref(), Some("t"));
        assert_eq!(
            by_oid(16386)
                .map(|_| c.relation_by_oid(16386).unwrap().schema().to_string())
                .as_deref(),
            Some("app")
        );
        assert_eq!(by_oid(99999), None);
        assert_eq!(c.schema_oid("pg_catalog"), Some(11));
        assert_eq!(c.schema_oid("public"), Some(2200));
        assert_eq!(c.schema_oid("information_schema"), Some(13207));
        assert_eq!(c.schema_oid("app"), Some(16390));
        assert_eq!(c.schema_oid("nope"), None);
        let first = c.schemas_info();
        assert_eq!(
            first,
            catalog().schemas_info(),
            "the same catalog gives the same oids"
        );
    }
}
