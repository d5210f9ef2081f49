//! The object identifier types' text forms (`regclass`, `regtype`, `regnamespace`): a name
//! read into an oid with the session's search path (PostgreSQL's `regclassin` and its
//! siblings), an oid written as a name (`regclassout`, ...).
//!
//! ```text
//!   'customer'::regclass             → the oid of the first `customer` on the search path
//!   'pg_catalog.pg_class'::regclass  → 1259
//!   '16384'::regclass                → 16384 (a number is taken as the oid, unchecked)
//!   1259::regclass::text             → pg_class
//!   16390::regclass::text            → shop.item  (qualified: not visible on the path)
//!   'character varying'::regtype     → 1043, written back as `character varying`
//! ```
//!
//! A name that does not exist is an error for the casts (`relation "x" does not exist`) and
//! NULL for `to_regclass` and its siblings; an oid without an object is written as its
//! number.

use super::oids::Oid;
use super::relation::{CatalogView, effective_search_path};
use super::system::type_by_name;
use super::{Catalog, oids, quote_ident};
use crate::error::{Error, Result, SqlState};
use crate::types::RegKind;

impl Catalog {
    /// The oid `text` names as a `kind` (its input function): `Ok(None)` when no such object
    /// exists, an error when the text is not a name.
    pub fn object_oid(
        &self,
        kind: RegKind,
        text: &str,
        search_path: &[String],
    ) -> Result<Option<Oid>> {
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return trimmed.parse::<Oid>().map(Some).map_err(|_| {
                Error::out_of_range(format!("value \"{text}\" is out of range for type oid"))
            });
        }
        if trimmed == "-" {
            return Ok(Some(0));
        }
        match kind {
            RegKind::Class => {
                let names = parse_qualified_name(trimmed)?;
                let (schema, name) = match names.as_slice() {
                    [name] => (None, name),
                    [schema, name] => (Some(schema.as_str()), name),
                    [_, _, _] => {
                        return Err(Error::new(
                            SqlState::FEATURE_NOT_SUPPORTED,
                            format!("cross-database references are not implemented: {trimmed}"),
                        ));
                    }
                    _ => {
                        return Err(Error::new(
                            SqlState::SYNTAX_ERROR,
                            format!("improper relation name (too many dotted names): {trimmed}"),
                        ));
                    }
                };
                Ok(match schema {
                    Some(schema) => self.class_oid(schema, name),
                    None => effective_search_path(search_path)
                        .iter()
                        .find_map(|schema| self.class_oid(schema, name)),
                })
            }
            RegKind::Namespace => match parse_qualified_name(trimmed)?.as_slice() {
                [name] => Ok(self.schema_oid(name)),
                _ => Err(Error::new(SqlState::INVALID_NAME, "invalid name syntax")),
            },
            RegKind::Type => Ok(type_oid_by_name(trimmed)),
            RegKind::Role => match parse_qualified_name(trimmed)?.as_slice() {
                [name] => Ok(self.roles.get(name).and_then(|r| u32::try_from(r.oid).ok())),
                _ => Err(Error::new(SqlState::INVALID_NAME, "invalid name syntax")),
            },
            // A function by its bare name, which must be unique (all of dsql's functions are
            // in pg_catalog).
            RegKind::Proc => {
                let names = parse_qualified_name(trimmed)?;
                let name = match names.as_slice() {
                    [name] => name,
                    [schema, name] if schema == super::system::PG_CATALOG => name,
                    [_, _] => return Ok(None),
                    _ => return Err(Error::new(SqlState::INVALID_NAME, "invalid name syntax")),
                };
                match crate::functions::procs::oids_named(name).as_slice() {
                    [] => Ok(None),
                    [oid] => Ok(Some(*oid)),
                    _ => Err(Error::new(
                        SqlState::AMBIGUOUS_FUNCTION,
                        format!("more than one function named \"{trimmed}\""),
                    )),
                }
            }
        }
    }

    /// The name the oid's object of `kind` is written as (its output function): quoted as
    /// an identifier, qualified with its schema when the search path does not find it by
    /// the bare name; the number when no object has the oid, `-` for 0.
    pub fn object_name(&self, kind: RegKind, oid: Oid, search_path: &[String]) -> String {
        if oid == 0 {
            return "-".into();
        }
        let name = match kind {
            RegKind::Class => self.class_name_by_oid(oid).map(|(schema, name)| {
                if self.class_is_visible(oid, search_path) == Some(true) {
                    quote_ident(&name)
                } else {
                    format!("{}.{}", quote_ident(&schema), quote_ident(&name))
                }
            }),
            // PostgreSQL's types dsql lacks are named too (`705::regtype` is `unknown`).
            RegKind::Type => {
                let name = crate::functions::scalar::system::format_type_name(i64::from(oid), None);
                (name != "???").then_some(name)
            }
            RegKind::Namespace => self
                .schemas_info()
                .into_iter()
                .find(|s| s.oid == oid)
                .map(|s| quote_ident(&s.name)),
            RegKind::Proc => {
                crate::functions::procs::function_name(i64::from(oid)).map(quote_ident)
            }
            RegKind::Role => self
                .roles
                .values()
                .find(|r| r.oid == i64::from(oid))
                .map(|r| quote_ident(&r.name)),
        };
        name.unwrap_or_else(|| oid.to_string())
    }

    /// The oid of the `pg_class` entry `schema.name`: a relation, an index or a primary
    /// key's index.
    fn class_oid(&self, schema: &str, name: &str) -> Option<Oid> {
        if let Some(relation) = self.relation(schema, name) {
            return Some(relation.oid());
        }
        if let Some((table, i)) = self.find_index(schema, name) {
            return Some(oids::object_oid(table.indexes[i].id));
        }
        self.tables
            .values()
            .find(|t| t.schema == schema && !t.primary_key.is_empty() && t.pkey_name() == name)
            .map(|t| oids::primary_key_oid(t.id))
    }
}

/// What result columns of the reg types are written with: the catalog the statement read and
/// the search path it ran with.
#[derive(Clone, Debug)]
pub struct ObjectNames {
    /// The statement's catalog snapshot.
    pub catalog: std::sync::Arc<Catalog>,
    /// The session's search path.
    pub search_path: Vec<String>,
}

impl ObjectNames {
    /// The name the object of `kind` with oid `oid` is written as ([`Catalog::object_name`]).
    pub fn name(&self, kind: RegKind, oid: Oid) -> String {
        self.catalog.object_name(kind, oid, &self.search_path)
    }
}

/// The error of a name that names no object of `kind`, as the input functions word it.
pub fn object_not_found(kind: RegKind, text: &str) -> Error {
    match kind {
        RegKind::Class => Error::new(
            SqlState::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", text.trim()),
        ),
        RegKind::Type => Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("type \"{}\" does not exist", text.trim()),
        ),
        RegKind::Namespace => Error::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{}\" does not exist", text.trim()),
        ),
        RegKind::Proc => Error::new(
            SqlState::UNDEFINED_FUNCTION,
            format!("function \"{}\" does not exist", text.trim()),
        ),
        RegKind::Role => Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("role \"{}\" does not exist", text.trim()),
        ),
    }
}

/// Splits a possibly qualified name at its dots: unquoted parts fold to lower case, quoted
/// ones (`"My Table"`, with `""` for a quote) are kept as written.
fn parse_qualified_name(text: &str) -> Result<Vec<String>> {
    let invalid = || Error::new(SqlState::INVALID_NAME, "invalid name syntax");
    let mut names = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut name = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    None => return Err(invalid()),
                    Some('"') if chars.next_if_eq(&'"').is_some() => name.push('"'),
                    Some('"') => break,
                    Some(c) => name.push(c),
                }
            }
            if name.is_empty() {
                return Err(invalid());
            }
        } else {
            while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
                name.extend(c.to_lowercase());
            }
            if name.is_empty() {
                return Err(invalid());
            }
        }
        names.push(name);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Ok(names),
            Some('.') => {}
            Some(_) => return Err(invalid()),
        }
    }
}

/// The oid of the type `text` names, as `regtypein` reads it: a `pg_type` name (`int4`,
/// `_text`) or SQL's spelling (`integer`, `character varying(10)`, `text[]`,
/// `timestamp with time zone`), optionally in `pg_catalog`; a type modifier is ignored.
fn type_oid_by_name(text: &str) -> Option<Oid> {
    let mut name = text.trim().to_string();
    let mut array = false;
    while let Some(element) = name.strip_suffix("[]") {
        array = true;
        name = element.trim_end().to_string();
    }
    // A modifier (`varchar(10)`, `timestamp(3) with time zone`) names the same type.
    if let (Some(open), Some(close)) = (name.find('('), name.find(')'))
        && open < close
    {
        name = format!("{}{}", &name[..open], &name[close + 1..]);
    }
    let quoted = name.starts_with('"') && name.ends_with('"') && name.len() >= 2;
    let name = if quoted {
        name[1..name.len() - 1].replace("\"\"", "\"")
    } else {
        let lower = name.to_lowercase();
        let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower).trim();
        let words: Vec<&str> = lower.split_whitespace().collect();
        match words.join(" ").as_str() {
            "integer" | "int" => "int4",
            "smallint" => "int2",
            "bigint" => "int8",
            "real" => "float4",
            "double precision" | "float" => "float8",
            "boolean" => "bool",
            "character varying" | "char varying" => "varchar",
            "character" | "char" => "bpchar",
            "decimal" | "dec" => "numeric",
            "timestamp without time zone" => "timestamp",
            "timestamp with time zone" => "timestamptz",
            "time without time zone" => "time",
            "time with time zone" => "timetz",
            other => return lookup_type(other, array),
        }
        .to_string()
    };
    lookup_type(&name, array)
}

fn lookup_type(name: &str, array: bool) -> Option<Oid> {
    let info = type_by_name(name)?;
    if array {
        (info.array != 0).then_some(info.array)
    } else {
        Some(info.oid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ColumnDef, TableDef};
    use crate::types::DataType;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        let table = TableDef {
            id: 1000,
            schema: "public".into(),
            name: "My Table".into(),
            columns: vec![ColumnDef {
                name: "id".into(),
                data_type: DataType::Int4,
                nullable: false,
                default: None,
            }],
            primary_key: vec![0],
            indexes: vec![],
            owner: "owner".into(),
        };
        catalog
            .tables
            .insert(table.qualified_name(), Arc::new(table));
        catalog
    }

    use std::sync::Arc;

    #[test]
    fn regclass_reads_and_writes_names_with_the_search_path() {
        let c = catalog();
        let path = vec!["public".to_string()];
        let class = |s: &str| c.object_oid(RegKind::Class, s, &path).unwrap();
        assert_eq!(class("pg_class"), Some(1259));
        assert_eq!(class("PG_CATALOG.PG_CLASS"), Some(1259));
        assert_eq!(class("\"My Table\""), Some(16384));
        assert_eq!(class("public.\"My Table\""), Some(16384));
        assert_eq!(class("\"my table\""), None);
        assert!(c.object_oid(RegKind::Class, "my table", &path).is_err());
        assert_eq!(
            class("\"My Table_pkey\""),
            Some(oids::primary_key_oid(1000))
        );
        assert_eq!(class(" 42 "), Some(42));
        assert_eq!(class("nope"), None);
        let err = c.object_oid(RegKind::Class, "a.b.c.d", &path).unwrap_err();
        assert_eq!(
            err.message,
            "improper relation name (too many dotted names): a.b.c.d"
        );
        let err = c.object_oid(RegKind::Class, "a..b", &path).unwrap_err();
        assert_eq!(err.message, "invalid name syntax");
        assert_eq!(c.object_name(RegKind::Class, 16384, &path), "\"My Table\"");
        assert_eq!(
            c.object_name(RegKind::Class, 16384, &[]),
            "public.\"My Table\""
        );
        assert_eq!(c.object_name(RegKind::Class, 1259, &[]), "pg_class");
        assert_eq!(c.object_name(RegKind::Class, 99999, &path), "99999");
        assert_eq!(c.object_name(RegKind::Class, 0, &path), "-");
    }

    #[test]
    fn regtype_and_regnamespace_read_sql_spellings() {
        let c = catalog();
        let ty = |s: &str| c.object_oid(RegKind::Type, s, &[]).unwrap();
        assert_eq!(ty("integer"), Some(23));
        assert_eq!(ty("pg_catalog.int4"), Some(23));
        assert_eq!(ty("character varying(10)"), Some(1043));
        assert_eq!(ty("text[]"), Some(1009));
        assert_eq!(ty("Timestamp  With Time Zone"), Some(1184));
        assert_eq!(ty("\"char\""), Some(18));
        assert_eq!(ty("hstore"), None);
        assert_eq!(c.object_name(RegKind::Type, 1043, &[]), "character varying");
        assert_eq!(c.object_name(RegKind::Type, 1009, &[]), "text[]");
        let ns = |s: &str| c.object_oid(RegKind::Namespace, s, &[]).unwrap();
        assert_eq!(ns("pg_catalog"), Some(11));
        assert_eq!(ns("nope"), None);
        assert_eq!(c.object_name(RegKind::Namespace, 2200, &[]), "public");
    }
}
