//! Running `CREATE SCHEMA` and `DROP SCHEMA` ([`SchemaDdl`] plans, see
//! [`crate::planner::schemas`]).
//!
//! `public` and `sys` are built in (owned by `admin`); a cluster may hold up to
//! [`Limits::max_schemas`](crate::Limits::max_schemas) more (DSQL: 10). Each user schema
//! is one catalog row in system table [`SCHEMAS_TABLE_ID`] with its owner, so schema DDL bumps
//! the catalog version like any DDL. Unqualified names resolve through the session's
//! `search_path` (default `"$user", public`), as in PostgreSQL.
//!
//! `DROP SCHEMA s` refuses (2BP01) while `s` holds tables; `DROP SCHEMA s CASCADE` drops them
//! in the same statement (still one DDL statement in its own transaction), with their grants.

use super::{ExecContext, Output};
use crate::catalog::defs::Object;
use crate::catalog::defs::SchemaDef;
use crate::catalog::store::revoke_all_on;
use crate::catalog::sys::SCHEMAS_TABLE_ID;
use crate::catalog::{self, Catalog, DEFAULT_SCHEMA, SYS_SCHEMA, TableName};
use crate::error::{Error, Result, SqlState};
use crate::plan::SchemaDdl;
use crate::roles::{self, ADMIN};
use crate::types::Value;
use crate::types::keycode;
use proto::Key;
/// The catalog key of a schema.
pub fn schema_key(name: &str) -> Key {
    let mut key = keycode::table_prefix(SCHEMAS_TABLE_ID);
    keycode::encode_value(&Value::Text(name.into()), &mut key).expect("text always encodes");
    key
}

/// Schema names that exist in PostgreSQL and can be neither created nor dropped.
const SYSTEM_SCHEMAS: [&str; 4] = [
    DEFAULT_SCHEMA,
    SYS_SCHEMA,
    "pg_catalog",
    "information_schema",
];

/// Runs a schema statement.
pub async fn execute(ddl: &SchemaDdl, cx: &mut ExecContext<'_>) -> Result<Output> {
    let catalog = cx.catalog.clone();
    match ddl {
        SchemaDdl::Create {
            name,
            owner,
            if_not_exists,
        } => create(&catalog, name, owner.as_deref(), *if_not_exists, cx).await,
        SchemaDdl::Drop {
            names,
            if_exists,
            cascade,
        } => drop(&catalog, names, *if_exists, *cascade, cx).await,
    }
}

async fn create(
    catalog: &Catalog,
    name: &str,
    owner: Option<&str>,
    if_not_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    let done = || Ok(Output::Command("CREATE SCHEMA".into()));
    if cx.user != ADMIN {
        return Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied for database postgres",
        ));
    }
    if name.starts_with("pg_") {
        return Err(Error::new(
            SqlState::RESERVED_NAME,
            format!("unacceptable schema name \"{name}\""),
        )
        .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    if let Some(owner) = owner
        && !catalog.roles.contains_key(owner)
    {
        return Err(roles::undefined_role(owner));
    }
    if catalog.schemas.contains(name) || SYSTEM_SCHEMAS.contains(&name) {
        if if_not_exists {
            return done();
        }
        return Err(Error::new(
            SqlState::DUPLICATE_SCHEMA,
            format!("schema \"{name}\" already exists"),
        ));
    }
    let user_schemas = catalog
        .schemas
        .iter()
        .filter(|s| !SYSTEM_SCHEMAS.contains(&s.as_str()))
        .count();
    if user_schemas >= cx.limits.max_schemas {
        return Err(Error::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("more than {} schemas not allowed", cx.limits.max_schemas),
        ));
    }
    let id = crate::catalog::store::next_object_id(cx.txn).await?;
    let def = SchemaDef {
        name: name.into(),
        owner: owner.unwrap_or(cx.user).into(),
        oid: crate::catalog::oids::object_oid(id),
    };
    cx.txn
        .put(schema_key(name), crate::catalog::codec::encode(&def));
    crate::catalog::store::bump_version(cx.txn).await?;
    done()
}

async fn drop(
    catalog: &Catalog,
    names: &[String],
    if_exists: bool,
    cascade: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    // Check every schema before changing anything.
    let mut dropping = Vec::new();
    for name in names {
        if SYSTEM_SCHEMAS.contains(&name.as_str()) {
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop schema {name} because it is required by the database system"),
            ));
        }
        let Some(owner) = catalog.schema_owners.get(name) else {
            if if_exists {
                continue;
            }
            return Err(Error::new(
                SqlState::INVALID_SCHEMA_NAME,
                format!("schema \"{name}\" does not exist"),
            ));
        };
        if cx.user != ADMIN && owner != cx.user {
            return Err(Error::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                format!("must be owner of schema {name}"),
            ));
        }
        let mut tables: Vec<TableName> = catalog
            .tables
            .keys()
            .filter(|t| t.schema == *name)
            .cloned()
            .collect();
        tables.sort();
        if !tables.is_empty() && !cascade {
            let detail = tables
                .iter()
                .map(|t| format!("table {name}.{} depends on schema {name}", t.name))
                .collect::<Vec<_>>()
                .join("\n");
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop schema {name} because other objects depend on it"),
            )
            .with_detail(detail));
        }
        dropping.push((name, tables));
    }
    if dropping.is_empty() {
        return Ok(Output::Command("DROP SCHEMA".into()));
    }
    for (name, tables) in dropping {
        for table in tables {
            let def = catalog.table(&table)?;
            // TODO: as for DROP TABLE, the rows stay in storage, unreachable.
            cx.txn.delete(catalog::table_key(&table));
            revoke_all_on(cx.txn, &Object::Table(def.id)).await?;
        }
        cx.txn.delete(schema_key(name));
        revoke_all_on(cx.txn, &Object::Schema(name.clone())).await?;
    }
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("DROP SCHEMA".into()))
}
