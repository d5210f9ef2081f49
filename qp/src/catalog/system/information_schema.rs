//! `information_schema`: the SQL standard's views of the catalog, as PostgreSQL defines them
//! over its own catalogs (`src/backend/catalog/information_schema.sql`), computed from the
//! same catalog snapshot as `pg_catalog`.
//!
//! As in PostgreSQL, each view shows the current role only what it may use: a relation it
//! owns or holds a privilege on (system relations are readable by everyone), a schema it
//! owns or may use, the constraints of tables it owns or may write. The domain types of the
//! standard (`sql_identifier`, `character_data`, `yes_or_no`, `cardinal_number`) are their
//! base types here (`name`, `text`, `varchar(3)`, `integer`).
//!
//! Views: `schemata`, `tables`, `columns`, `views`, `table_constraints` (primary keys, and
//! NOT NULL as PostgreSQL 15 shows it: a CHECK named `<schema oid>_<table oid>_<attnum>_not_null`),
//! `key_column_usage`, `constraint_column_usage`, `referential_constraints` and `sequences`
//! (empty: no foreign keys or sequences in dsql), `role_table_grants`, `routines` and
//! `parameters` (the built-in and internal functions `pg_proc` lists).

use super::pg_class::relations;
use super::{Catalog, INFORMATION_SCHEMA, SessionInfo, SystemColumn, SystemKind, SystemTable};
use super::{SYSTEM_TABLES, nullable};
use crate::catalog::access::{has_schema_privilege, has_table_privilege};
use crate::catalog::defs::{ADMIN, Grantee, Object, Privilege};
use crate::catalog::oids::{self, Oid};
use crate::catalog::{CatalogView, TableDef};
use crate::types::{DataType, Value};

const SQL_IDENTIFIER: DataType = DataType::Name;
const CHARACTER_DATA: DataType = DataType::Text;
const YES_OR_NO: DataType = DataType::Varchar(Some(3));
const CARDINAL_NUMBER: DataType = DataType::Int4;

/// The one database's name, every view's `*_catalog`.
const DATABASE: &str = "postgres";

fn id(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn yes_no(b: bool) -> Value {
    Value::Text(if b { "YES" } else { "NO" }.into())
}

fn number(n: i64) -> Value {
    Value::Int(n)
}

/// A relation the current role may see in `information_schema`.
struct Visible<'c> {
    schema: String,
    name: String,
    oid: Oid,
    /// A view (the system views); else a base table.
    view: bool,
    /// The stored table (None for a system relation).
    table: Option<&'c TableDef>,
    /// Columns: name, type, NOT NULL.
    columns: Vec<(String, DataType, bool)>,
}

/// The relations `role` owns or holds a privilege on (system relations: everyone may read
/// them), in oid order.
fn visible_relations<'c>(catalog: &'c Catalog, role: &str) -> Vec<Visible<'c>> {
    let mut out: Vec<Visible> = SYSTEM_TABLES
        .iter()
        .map(|t| Visible {
            schema: t.schema().to_string(),
            name: t.name().to_string(),
            oid: t.oid(),
            view: t.kind() == SystemKind::View,
            table: None,
            columns: t
                .columns()
                .iter()
                .map(|c| (c.name.to_string(), c.data_type, !c.nullable))
                .collect(),
        })
        .collect();
    for table in catalog.tables.values() {
        if !Privilege::TABLE
            .iter()
            .any(|p| has_table_privilege(catalog, role, table, *p))
        {
            continue;
        }
        out.push(Visible {
            schema: table.schema.clone(),
            name: table.name.clone(),
            oid: oids::object_oid(table.id),
            view: false,
            table: Some(table),
            columns: table
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.data_type, !c.nullable))
                .collect(),
        });
    }
    out.sort_by_key(|v| v.oid);
    out
}

/// Whether `role` sees the constraints of `table`: it owns it or may write it.
fn sees_constraints(catalog: &Catalog, role: &str, table: &TableDef) -> bool {
    role == ADMIN
        || table.owner == role
        || [Privilege::Insert, Privilege::Update, Privilege::Delete]
            .iter()
            .any(|p| has_table_privilege(catalog, role, table, *p))
}

/// A view of `information_schema`.
pub struct InformationSchemaView {
    name: &'static str,
    oid: Oid,
    columns: &'static [SystemColumn],
    rows: fn(&Catalog, &SessionInfo<'_>) -> Vec<Vec<Value>>,
}

impl SystemTable for InformationSchemaView {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schema(&self) -> &'static str {
        INFORMATION_SCHEMA
    }
    fn oid(&self) -> Oid {
        self.oid
    }
    fn kind(&self) -> SystemKind {
        SystemKind::View
    }
    fn columns(&self) -> &'static [SystemColumn] {
        self.columns
    }
    fn rows(&self, catalog: &Catalog, session: &SessionInfo<'_>) -> Vec<Vec<Value>> {
        (self.rows)(catalog, session)
    }
}

/// `information_schema.schemata`: the schemas the role owns or may use.
pub static SCHEMATA: InformationSchemaView = InformationSchemaView {
    name: "schemata",
    oid: 13382,
    columns: &[
        nullable("catalog_name", SQL_IDENTIFIER),
        nullable("schema_name", SQL_IDENTIFIER),
        nullable("schema_owner", SQL_IDENTIFIER),
        nullable("default_character_set_catalog", SQL_IDENTIFIER),
        nullable("default_character_set_schema", SQL_IDENTIFIER),
        nullable("default_character_set_name", SQL_IDENTIFIER),
        nullable("sql_path", CHARACTER_DATA),
    ],
    rows: |catalog, session| {
        catalog
            .schemas_info()
            .into_iter()
            .filter(|s| {
                s.owner == session.user
                    || has_schema_privilege(catalog, session.user, &s.name, Privilege::Usage)
                    || has_schema_privilege(catalog, session.user, &s.name, Privilege::Create)
            })
            .map(|s| {
                vec![
                    id(DATABASE),
                    id(&s.name),
                    id(&s.owner),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    },
};

/// `information_schema.tables`
pub static TABLES: InformationSchemaView = InformationSchemaView {
    name: "tables",
    oid: 13425,
    columns: &[
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("table_type", CHARACTER_DATA),
        nullable("self_referencing_column_name", SQL_IDENTIFIER),
        nullable("reference_generation", CHARACTER_DATA),
        nullable("user_defined_type_catalog", SQL_IDENTIFIER),
        nullable("user_defined_type_schema", SQL_IDENTIFIER),
        nullable("user_defined_type_name", SQL_IDENTIFIER),
        nullable("is_insertable_into", YES_OR_NO),
        nullable("is_typed", YES_OR_NO),
        nullable("commit_action", CHARACTER_DATA),
    ],
    rows: |catalog, session| {
        visible_relations(catalog, session.user)
            .into_iter()
            .map(|r| {
                vec![
                    id(DATABASE),
                    id(&r.schema),
                    id(&r.name),
                    id(if r.view { "VIEW" } else { "BASE TABLE" }),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    yes_no(!r.view),
                    yes_no(false),
                    Value::Null,
                ]
            })
            .collect()
    },
};

/// The standard's name of a type (`data_type`): PostgreSQL's SQL names, `ARRAY` for arrays.
fn standard_type_name(t: DataType) -> String {
    match t {
        DataType::Array(_) => "ARRAY".into(),
        DataType::Varchar(_) => "character varying".into(),
        DataType::Char(_) => "character".into(),
        DataType::Numeric(_) => "numeric".into(),
        DataType::InternalChar => "\"char\"".into(),
        DataType::Int2Vector | DataType::OidVector => "ARRAY".into(),
        t => t.name(),
    }
}

/// `character_maximum_length`, `character_octet_length`, `numeric_precision`,
/// `numeric_precision_radix`, `numeric_scale`, `datetime_precision` of a column type, as
/// PostgreSQL's `_pg_char_max_length` and its siblings give them (UTF8: four bytes a
/// character; an unbounded string 1 GB).
fn type_measures(t: DataType) -> [Value; 6] {
    const UNBOUNDED_OCTETS: i64 = 1073741824;
    let null = || Value::Null;
    match t {
        DataType::Varchar(Some(n)) | DataType::Char(n) => [
            number(n.into()),
            number(i64::from(n) * 4),
            null(),
            null(),
            null(),
            null(),
        ],
        DataType::Varchar(None) | DataType::Text => [
            null(),
            number(UNBOUNDED_OCTETS),
            null(),
            null(),
            null(),
            null(),
        ],
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            let bits = match t {
                DataType::Int2 => 16,
                DataType::Int4 => 32,
                _ => 64,
            };
            [null(), null(), number(bits), number(2), number(0), null()]
        }
        DataType::Float4 => [null(), null(), number(24), number(2), null(), null()],
        DataType::Float8 => [null(), null(), number(53), number(2), null(), null()],
        DataType::Numeric(Some((p, s))) => [
            null(),
            null(),
            number(p.into()),
            number(10),
            number(s.into()),
            null(),
        ],
        DataType::Numeric(None) => [null(), null(), null(), number(10), null(), null()],
        DataType::Date => [null(), null(), null(), null(), null(), number(0)],
        DataType::Timestamp | DataType::TimestampTz => {
            [null(), null(), null(), null(), null(), number(6)]
        }
        _ => [null(), null(), null(), null(), null(), null()],
    }
}

/// `information_schema.columns`
pub static COLUMNS: InformationSchemaView = InformationSchemaView {
    name: "columns",
    oid: 13295,
    columns: &[
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("column_name", SQL_IDENTIFIER),
        nullable("ordinal_position", CARDINAL_NUMBER),
        nullable("column_default", CHARACTER_DATA),
        nullable("is_nullable", YES_OR_NO),
        nullable("data_type", CHARACTER_DATA),
        nullable("character_maximum_length", CARDINAL_NUMBER),
        nullable("character_octet_length", CARDINAL_NUMBER),
        nullable("numeric_precision", CARDINAL_NUMBER),
        nullable("numeric_precision_radix", CARDINAL_NUMBER),
        nullable("numeric_scale", CARDINAL_NUMBER),
        nullable("datetime_precision", CARDINAL_NUMBER),
        nullable("interval_type", CHARACTER_DATA),
        nullable("interval_precision", CARDINAL_NUMBER),
        nullable("character_set_catalog", SQL_IDENTIFIER),
        nullable("character_set_schema", SQL_IDENTIFIER),
        nullable("character_set_name", SQL_IDENTIFIER),
        nullable("collation_catalog", SQL_IDENTIFIER),
        nullable("collation_schema", SQL_IDENTIFIER),
        nullable("collation_name", SQL_IDENTIFIER),
        nullable("domain_catalog", SQL_IDENTIFIER),
        nullable("domain_schema", SQL_IDENTIFIER),
        nullable("domain_name", SQL_IDENTIFIER),
        nullable("udt_catalog", SQL_IDENTIFIER),
        nullable("udt_schema", SQL_IDENTIFIER),
        nullable("udt_name", SQL_IDENTIFIER),
        nullable("scope_catalog", SQL_IDENTIFIER),
        nullable("scope_schema", SQL_IDENTIFIER),
        nullable("scope_name", SQL_IDENTIFIER),
        nullable("maximum_cardinality", CARDINAL_NUMBER),
        nullable("dtd_identifier", SQL_IDENTIFIER),
        nullable("is_self_referencing", YES_OR_NO),
        nullable("is_identity", YES_OR_NO),
        nullable("identity_generation", CHARACTER_DATA),
        nullable("identity_start", CHARACTER_DATA),
        nullable("identity_increment", CHARACTER_DATA),
        nullable("identity_maximum", CHARACTER_DATA),
        nullable("identity_minimum", CHARACTER_DATA),
        nullable("identity_cycle", YES_OR_NO),
        nullable("is_generated", CHARACTER_DATA),
        nullable("generation_expression", CHARACTER_DATA),
        nullable("is_updatable", YES_OR_NO),
    ],
    rows: |catalog, session| {
        let mut rows = Vec::new();
        for r in visible_relations(catalog, session.user) {
            for (i, (name, ty, not_null)) in r.columns.iter().enumerate() {
                let position = i as i64 + 1;
                let default = r
                    .table
                    .and_then(|t| t.columns[i].default.as_deref())
                    .and_then(|d| crate::catalog::default_expression_text(d, *ty))
                    .map_or(Value::Null, Value::Text);
                let udt = super::pg_type::type_info(*ty).name;
                let mut row = vec![
                    id(DATABASE),
                    id(&r.schema),
                    id(&r.name),
                    id(name),
                    number(position),
                    default,
                    yes_no(!not_null),
                    id(&standard_type_name(*ty)),
                ];
                row.extend(type_measures(*ty));
                row.extend([Value::Null, Value::Null]); // interval_type, interval_precision
                row.extend([Value::Null, Value::Null, Value::Null]); // character set
                row.extend([Value::Null, Value::Null, Value::Null]); // collation
                row.extend([Value::Null, Value::Null, Value::Null]); // domain
                row.extend([id(DATABASE), id(super::PG_CATALOG), id(udt)]);
                row.extend([Value::Null, Value::Null, Value::Null, Value::Null]); // scope, cardinality
                row.push(id(&position.to_string()));
                row.push(yes_no(false)); // is_self_referencing
                row.push(yes_no(false)); // is_identity
                row.extend([
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]);
                row.push(yes_no(false)); // identity_cycle
                row.push(id("NEVER"));
                row.push(Value::Null);
                row.push(yes_no(!r.view));
                rows.push(row);
            }
        }
        rows
    },
};

/// `information_schema.views`: the system views (dsql has no user views yet), whose
/// definitions are computed rather than stored, so `view_definition` is NULL.
pub static VIEWS: InformationSchemaView = InformationSchemaView {
    name: "views",
    oid: 13483,
    columns: &[
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("view_definition", CHARACTER_DATA),
        nullable("check_option", CHARACTER_DATA),
        nullable("is_updatable", YES_OR_NO),
        nullable("is_insertable_into", YES_OR_NO),
        nullable("is_trigger_updatable", YES_OR_NO),
        nullable("is_trigger_deletable", YES_OR_NO),
        nullable("is_trigger_insertable_into", YES_OR_NO),
    ],
    rows: |catalog, session| {
        visible_relations(catalog, session.user)
            .into_iter()
            .filter(|r| r.view)
            .map(|r| {
                vec![
                    id(DATABASE),
                    id(&r.schema),
                    id(&r.name),
                    Value::Null,
                    id("NONE"),
                    yes_no(false),
                    yes_no(false),
                    yes_no(false),
                    yes_no(false),
                    yes_no(false),
                ]
            })
            .collect()
    },
};

/// The user tables whose constraints `role` sees, in id order.
fn constrained_tables<'c>(catalog: &'c Catalog, role: &str) -> Vec<&'c TableDef> {
    catalog
        .tables_by_id()
        .into_iter()
        .filter(|t| !t.is_system() && sees_constraints(catalog, role, t))
        .collect()
}

/// `information_schema.table_constraints`
pub static TABLE_CONSTRAINTS: InformationSchemaView = InformationSchemaView {
    name: "table_constraints",
    oid: 13411,
    columns: &[
        nullable("constraint_catalog", SQL_IDENTIFIER),
        nullable("constraint_schema", SQL_IDENTIFIER),
        nullable("constraint_name", SQL_IDENTIFIER),
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("constraint_type", CHARACTER_DATA),
        nullable("is_deferrable", YES_OR_NO),
        nullable("initially_deferred", YES_OR_NO),
        nullable("enforced", YES_OR_NO),
        nullable("nulls_distinct", YES_OR_NO),
    ],
    rows: |catalog, session| {
        let mut rows = Vec::new();
        for t in constrained_tables(catalog, session.user) {
            let row = |name: &str, kind: &str| {
                vec![
                    id(DATABASE),
                    id(&t.schema),
                    id(name),
                    id(DATABASE),
                    id(&t.schema),
                    id(&t.name),
                    id(kind),
                    yes_no(false),
                    yes_no(false),
                    yes_no(true),
                    Value::Null,
                ]
            };
            if !t.primary_key.is_empty() {
                rows.push(row(&t.pkey_name(), "PRIMARY KEY"));
            }
            // NOT NULL, as PostgreSQL 15 lists it: a CHECK constraint per column.
            let namespace = catalog.schema_oid(&t.schema).unwrap_or(0);
            for (i, c) in t.columns.iter().enumerate() {
                if !c.nullable {
                    let name = format!("{namespace}_{}_{}_not_null", oids::object_oid(t.id), i + 1);
                    rows.push(row(&name, "CHECK"));
                }
            }
        }
        rows
    },
};

/// `information_schema.key_column_usage`: the primary keys' columns.
pub static KEY_COLUMN_USAGE: InformationSchemaView = InformationSchemaView {
    name: "key_column_usage",
    oid: 13329,
    columns: &[
        nullable("constraint_catalog", SQL_IDENTIFIER),
        nullable("constraint_schema", SQL_IDENTIFIER),
        nullable("constraint_name", SQL_IDENTIFIER),
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("column_name", SQL_IDENTIFIER),
        nullable("ordinal_position", CARDINAL_NUMBER),
        nullable("position_in_unique_constraint", CARDINAL_NUMBER),
    ],
    rows: |catalog, session| {
        let mut rows = Vec::new();
        for t in catalog.tables.values().filter(|t| !t.is_system()) {
            let visible = Privilege::TABLE
                .iter()
                .any(|p| has_table_privilege(catalog, session.user, t, *p));
            if !visible {
                continue;
            }
            for (position, &c) in t.primary_key.iter().enumerate() {
                rows.push(vec![
                    id(DATABASE),
                    id(&t.schema),
                    id(&t.pkey_name()),
                    id(DATABASE),
                    id(&t.schema),
                    id(&t.name),
                    id(&t.columns[c].name),
                    number(position as i64 + 1),
                    Value::Null,
                ]);
            }
        }
        rows
    },
};

/// `information_schema.constraint_column_usage`: the columns the primary keys use, for the
/// tables the role owns.
pub static CONSTRAINT_COLUMN_USAGE: InformationSchemaView = InformationSchemaView {
    name: "constraint_column_usage",
    oid: 13300,
    columns: &[
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("column_name", SQL_IDENTIFIER),
        nullable("constraint_catalog", SQL_IDENTIFIER),
        nullable("constraint_schema", SQL_IDENTIFIER),
        nullable("constraint_name", SQL_IDENTIFIER),
    ],
    rows: |catalog, session| {
        let mut rows = Vec::new();
        for t in catalog.tables.values().filter(|t| !t.is_system()) {
            if session.user != ADMIN && t.owner != session.user {
                continue;
            }
            for &c in &t.primary_key {
                rows.push(vec![
                    id(DATABASE),
                    id(&t.schema),
                    id(&t.name),
                    id(&t.columns[c].name),
                    id(DATABASE),
                    id(&t.schema),
                    id(&t.pkey_name()),
                ]);
            }
        }
        rows
    },
};

/// `information_schema.referential_constraints`: foreign keys, which dsql does not have yet.
pub static REFERENTIAL_CONSTRAINTS: InformationSchemaView = InformationSchemaView {
    name: "referential_constraints",
    oid: 13339,
    columns: &[
        nullable("constraint_catalog", SQL_IDENTIFIER),
        nullable("constraint_schema", SQL_IDENTIFIER),
        nullable("constraint_name", SQL_IDENTIFIER),
        nullable("unique_constraint_catalog", SQL_IDENTIFIER),
        nullable("unique_constraint_schema", SQL_IDENTIFIER),
        nullable("unique_constraint_name", SQL_IDENTIFIER),
        nullable("match_option", CHARACTER_DATA),
        nullable("update_rule", CHARACTER_DATA),
        nullable("delete_rule", CHARACTER_DATA),
    ],
    rows: |_, _| Vec::new(),
};

/// `information_schema.sequences`: dsql has no sequences yet.
pub static SEQUENCES: InformationSchemaView = InformationSchemaView {
    name: "sequences",
    oid: 13386,
    columns: &[
        nullable("sequence_catalog", SQL_IDENTIFIER),
        nullable("sequence_schema", SQL_IDENTIFIER),
        nullable("sequence_name", SQL_IDENTIFIER),
        nullable("data_type", CHARACTER_DATA),
        nullable("numeric_precision", CARDINAL_NUMBER),
        nullable("numeric_precision_radix", CARDINAL_NUMBER),
        nullable("numeric_scale", CARDINAL_NUMBER),
        nullable("start_value", CHARACTER_DATA),
        nullable("minimum_value", CHARACTER_DATA),
        nullable("maximum_value", CHARACTER_DATA),
        nullable("increment", CHARACTER_DATA),
        nullable("cycle_option", YES_OR_NO),
    ],
    rows: |_, _| Vec::new(),
};

/// `information_schema.role_table_grants`: the privileges on tables that the role granted
/// or holds: an owner's on its tables (granted by itself, grantable), and the granted ones.
pub static ROLE_TABLE_GRANTS: InformationSchemaView = InformationSchemaView {
    name: "role_table_grants",
    oid: 13421,
    columns: &[
        nullable("grantor", SQL_IDENTIFIER),
        nullable("grantee", SQL_IDENTIFIER),
        nullable("table_catalog", SQL_IDENTIFIER),
        nullable("table_schema", SQL_IDENTIFIER),
        nullable("table_name", SQL_IDENTIFIER),
        nullable("privilege_type", CHARACTER_DATA),
        nullable("is_grantable", YES_OR_NO),
        nullable("with_hierarchy", YES_OR_NO),
    ],
    rows: |catalog, session| {
        let role = session.user;
        let row =
            |grantor: &str, grantee: &str, schema: &str, table: &str, p: Privilege, grantable| {
                vec![
                    id(grantor),
                    id(grantee),
                    id(DATABASE),
                    id(schema),
                    id(table),
                    id(p.name()),
                    yes_no(grantable),
                    yes_no(p == Privilege::Select),
                ]
            };
        let mut rows = Vec::new();
        for r in relations(catalog).into_iter().filter(|r| r.kind != 'i') {
            if r.owner == role {
                let schema = catalog
                    .schemas_info()
                    .into_iter()
                    .find(|s| s.oid == r.namespace)
                    .map(|s| s.name)
                    .unwrap_or_default();
                for p in Privilege::TABLE {
                    rows.push(row(role, role, &schema, &r.name, p, true));
                }
            }
        }
        for grant in &catalog.grants {
            let Object::Table(table_id) = &grant.object else {
                continue;
            };
            let grantee = grant.grantee.to_string();
            let is_role = matches!(&grant.grantee, Grantee::Role(g) if g == role);
            if grant.grantor != role && !is_role {
                continue;
            }
            if let Some(t) = catalog.tables.values().find(|t| t.id == *table_id) {
                rows.push(row(
                    &grant.grantor,
                    &grantee,
                    &t.schema,
                    &t.name,
                    grant.privilege,
                    false,
                ));
            }
        }
        rows
    },
};

/// The standard's `time_stamp` domain: `timestamp(2) with time zone`.
const TIME_STAMP: DataType = DataType::TimestampTz;

/// Every function as `routines` and `parameters` show them (`pg_proc`'s rows), by oid.
fn routines() -> Vec<crate::functions::procs::ProcRow> {
    let mut all: Vec<_> = crate::functions::procs::pg_proc_rows().collect();
    all.sort_by_key(|r| r.oid);
    all
}

/// A type's `data_type` and `udt_name` as the standard's views give them: `ARRAY` for an
/// array type, the SQL name of a built-in one.
fn type_names(oid: u32) -> (String, String) {
    let udt = super::pg_type::type_by_oid(oid)
        .map(|t| t.name.to_string())
        .or_else(|| postgres_types::Type::from_oid(oid).map(|t| t.name().to_string()))
        .unwrap_or_default();
    let data_type = if udt.starts_with('_') {
        "ARRAY".to_string()
    } else {
        crate::functions::scalar::system::format_type_name(i64::from(oid), None)
    };
    (data_type, udt)
}

/// `information_schema.routines`: every function (all built in, executable by everyone).
pub static ROUTINES: InformationSchemaView = InformationSchemaView {
    name: "routines",
    oid: 13377,
    columns: &[
        nullable("specific_catalog", SQL_IDENTIFIER),
        nullable("specific_schema", SQL_IDENTIFIER),
        nullable("specific_name", SQL_IDENTIFIER),
        nullable("routine_catalog", SQL_IDENTIFIER),
        nullable("routine_schema", SQL_IDENTIFIER),
        nullable("routine_name", SQL_IDENTIFIER),
        nullable("routine_type", CHARACTER_DATA),
        nullable("module_catalog", SQL_IDENTIFIER),
        nullable("module_schema", SQL_IDENTIFIER),
        nullable("module_name", SQL_IDENTIFIER),
        nullable("udt_catalog", SQL_IDENTIFIER),
        nullable("udt_schema", SQL_IDENTIFIER),
        nullable("udt_name", SQL_IDENTIFIER),
        nullable("data_type", CHARACTER_DATA),
        nullable("character_maximum_length", CARDINAL_NUMBER),
        nullable("character_octet_length", CARDINAL_NUMBER),
        nullable("character_set_catalog", SQL_IDENTIFIER),
        nullable("character_set_schema", SQL_IDENTIFIER),
        nullable("character_set_name", SQL_IDENTIFIER),
        nullable("collation_catalog", SQL_IDENTIFIER),
        nullable("collation_schema", SQL_IDENTIFIER),
        nullable("collation_name", SQL_IDENTIFIER),
        nullable("numeric_precision", CARDINAL_NUMBER),
        nullable("numeric_precision_radix", CARDINAL_NUMBER),
        nullable("numeric_scale", CARDINAL_NUMBER),
        nullable("datetime_precision", CARDINAL_NUMBER),
        nullable("interval_type", CHARACTER_DATA),
        nullable("interval_precision", CARDINAL_NUMBER),
        nullable("type_udt_catalog", SQL_IDENTIFIER),
        nullable("type_udt_schema", SQL_IDENTIFIER),
        nullable("type_udt_name", SQL_IDENTIFIER),
        nullable("scope_catalog", SQL_IDENTIFIER),
        nullable("scope_schema", SQL_IDENTIFIER),
        nullable("scope_name", SQL_IDENTIFIER),
        nullable("maximum_cardinality", CARDINAL_NUMBER),
        nullable("dtd_identifier", SQL_IDENTIFIER),
        nullable("routine_body", CHARACTER_DATA),
        nullable("routine_definition", CHARACTER_DATA),
        nullable("external_name", CHARACTER_DATA),
        nullable("external_language", CHARACTER_DATA),
        nullable("parameter_style", CHARACTER_DATA),
        nullable("is_deterministic", YES_OR_NO),
        nullable("sql_data_access", CHARACTER_DATA),
        nullable("is_null_call", YES_OR_NO),
        nullable("sql_path", CHARACTER_DATA),
        nullable("schema_level_routine", YES_OR_NO),
        nullable("max_dynamic_result_sets", CARDINAL_NUMBER),
        nullable("is_user_defined_cast", YES_OR_NO),
        nullable("is_implicitly_invocable", YES_OR_NO),
        nullable("security_type", CHARACTER_DATA),
        nullable("to_sql_specific_catalog", SQL_IDENTIFIER),
        nullable("to_sql_specific_schema", SQL_IDENTIFIER),
        nullable("to_sql_specific_name", SQL_IDENTIFIER),
        nullable("as_locator", YES_OR_NO),
        nullable("created", TIME_STAMP),
        nullable("last_altered", TIME_STAMP),
        nullable("new_savepoint_level", YES_OR_NO),
        nullable("is_udt_dependent", YES_OR_NO),
        nullable("result_cast_from_data_type", CHARACTER_DATA),
        nullable("result_cast_as_locator", YES_OR_NO),
        nullable("result_cast_char_max_length", CARDINAL_NUMBER),
        nullable("result_cast_char_octet_length", CARDINAL_NUMBER),
        nullable("result_cast_char_set_catalog", SQL_IDENTIFIER),
        nullable("result_cast_char_set_schema", SQL_IDENTIFIER),
        nullable("result_cast_char_set_name", SQL_IDENTIFIER),
        nullable("result_cast_collation_catalog", SQL_IDENTIFIER),
        nullable("result_cast_collation_schema", SQL_IDENTIFIER),
        nullable("result_cast_collation_name", SQL_IDENTIFIER),
        nullable("result_cast_numeric_precision", CARDINAL_NUMBER),
        nullable("result_cast_numeric_precision_radix", CARDINAL_NUMBER),
        nullable("result_cast_numeric_scale", CARDINAL_NUMBER),
        nullable("result_cast_datetime_precision", CARDINAL_NUMBER),
        nullable("result_cast_interval_type", CHARACTER_DATA),
        nullable("result_cast_interval_precision", CARDINAL_NUMBER),
        nullable("result_cast_type_udt_catalog", SQL_IDENTIFIER),
        nullable("result_cast_type_udt_schema", SQL_IDENTIFIER),
        nullable("result_cast_type_udt_name", SQL_IDENTIFIER),
        nullable("result_cast_scope_catalog", SQL_IDENTIFIER),
        nullable("result_cast_scope_schema", SQL_IDENTIFIER),
        nullable("result_cast_scope_name", SQL_IDENTIFIER),
        nullable("result_cast_maximum_cardinality", CARDINAL_NUMBER),
        nullable("result_cast_dtd_identifier", SQL_IDENTIFIER),
    ],
    rows: |_, _| {
        routines()
            .into_iter()
            .map(|r| {
                let (data_type, udt) = type_names(r.returns);
                ROUTINES
                    .columns
                    .iter()
                    .map(|c| match c.name {
                        "specific_catalog" | "routine_catalog" | "type_udt_catalog" => id(DATABASE),
                        "specific_schema" | "routine_schema" | "type_udt_schema" => {
                            id(super::PG_CATALOG)
                        }
                        "specific_name" => id(&format!("{}_{}", r.name, r.oid)),
                        "routine_name" => id(r.name),
                        // Aggregates and window functions have no routine type.
                        "routine_type" if r.kind == 'f' => id("FUNCTION"),
                        "data_type" => id(&data_type),
                        "type_udt_name" => id(&udt),
                        "dtd_identifier" => id("0"),
                        "routine_body" => id("EXTERNAL"),
                        "routine_definition" => id(r.source),
                        "external_language" => id("INTERNAL"),
                        "parameter_style" => id("GENERAL"),
                        "is_deterministic" => yes_no(r.volatility == 'i'),
                        "sql_data_access" => id("MODIFIES"),
                        "is_null_call" => yes_no(r.strict),
                        "schema_level_routine" => yes_no(true),
                        "max_dynamic_result_sets" => number(0),
                        "security_type" => id("INVOKER"),
                        "as_locator" | "is_udt_dependent" => yes_no(false),
                        _ => Value::Null,
                    })
                    .collect()
            })
            .collect()
    },
};

/// `information_schema.parameters`: each function's arguments (built-in ones have no names).
pub static PARAMETERS: InformationSchemaView = InformationSchemaView {
    name: "parameters",
    oid: 13334,
    columns: &[
        nullable("specific_catalog", SQL_IDENTIFIER),
        nullable("specific_schema", SQL_IDENTIFIER),
        nullable("specific_name", SQL_IDENTIFIER),
        nullable("ordinal_position", CARDINAL_NUMBER),
        nullable("parameter_mode", CHARACTER_DATA),
        nullable("is_result", YES_OR_NO),
        nullable("as_locator", YES_OR_NO),
        nullable("parameter_name", SQL_IDENTIFIER),
        nullable("data_type", CHARACTER_DATA),
        nullable("character_maximum_length", CARDINAL_NUMBER),
        nullable("character_octet_length", CARDINAL_NUMBER),
        nullable("character_set_catalog", SQL_IDENTIFIER),
        nullable("character_set_schema", SQL_IDENTIFIER),
        nullable("character_set_name", SQL_IDENTIFIER),
        nullable("collation_catalog", SQL_IDENTIFIER),
        nullable("collation_schema", SQL_IDENTIFIER),
        nullable("collation_name", SQL_IDENTIFIER),
        nullable("numeric_precision", CARDINAL_NUMBER),
        nullable("numeric_precision_radix", CARDINAL_NUMBER),
        nullable("numeric_scale", CARDINAL_NUMBER),
        nullable("datetime_precision", CARDINAL_NUMBER),
        nullable("interval_type", CHARACTER_DATA),
        nullable("interval_precision", CARDINAL_NUMBER),
        nullable("udt_catalog", SQL_IDENTIFIER),
        nullable("udt_schema", SQL_IDENTIFIER),
        nullable("udt_name", SQL_IDENTIFIER),
        nullable("scope_catalog", SQL_IDENTIFIER),
        nullable("scope_schema", SQL_IDENTIFIER),
        nullable("scope_name", SQL_IDENTIFIER),
        nullable("maximum_cardinality", CARDINAL_NUMBER),
        nullable("dtd_identifier", SQL_IDENTIFIER),
        nullable("parameter_default", CHARACTER_DATA),
    ],
    rows: |_, _| {
        let mut rows = Vec::new();
        for r in routines() {
            for (i, &arg) in r.args.iter().enumerate() {
                let (data_type, udt) = type_names(arg);
                let position = i as i64 + 1;
                rows.push(
                    PARAMETERS
                        .columns
                        .iter()
                        .map(|c| match c.name {
                            "specific_catalog" | "udt_catalog" => id(DATABASE),
                            "specific_schema" | "udt_schema" => id(super::PG_CATALOG),
                            "specific_name" => id(&format!("{}_{}", r.name, r.oid)),
                            "ordinal_position" => number(position),
                            "parameter_mode" => id("IN"),
                            "is_result" | "as_locator" => yes_no(false),
                            "data_type" => id(&data_type),
                            "udt_name" => id(&udt),
                            "dtd_identifier" => id(&position.to_string()),
                            _ => Value::Null,
                        })
                        .collect(),
                );
            }
        }
        rows
    },
};
