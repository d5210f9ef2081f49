//! Executing table DDL and loading the catalog.
//!
//! Table definitions are rows of the catalog table, so CREATE and DROP TABLE are ordinary
//! buffered writes. Every DDL statement also bumps the catalog version key: a transaction
//! that planned with the old catalog conflicts with it at COMMIT (OC001), and every session
//! reloads the catalog when the version it reads differs from its cached one.

use super::{ExecContext, Output};
use crate::catalog::{self, Catalog, TableDef};
use crate::error::{Error, Result, SqlState};
use crate::txn::Transaction;
use crate::types::keycode;
use proto::KeyRange;

/// Loads the catalog a transaction sees: the cached one when the version at the snapshot
/// matches, else rebuilt from the catalog table.
pub async fn load_catalog(txn: &mut Transaction, cached: &Catalog) -> Result<Option<Catalog>> {
    let version_key = catalog::version_key();
    let version = catalog::decode_u64(txn.get(&version_key).await?.as_deref())?;
    if version == cached.version && !txn.wrote(&version_key) {
        return Ok(None);
    }
    let rows = txn.scan(&catalog::catalog_range(), None, false).await?;
    Ok(Some(Catalog::from_rows(version, &rows)?))
}

/// Executes CREATE TABLE: checks the table limits and that the name is free among the
/// tables and indexes of its schema, assigns the next table id and the owner, and stores
/// the definition.
pub(super) async fn create_table(
    table: &TableDef,
    if_not_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    cx.limits.check_table(table)?;
    let key = catalog::table_key(&table.qualified_name());
    // Indexes share the relation namespace of their schema.
    let index_named_so = cx.catalog.find_index(&table.schema, &table.name).is_some();
    if index_named_so || cx.txn.get(&key).await?.is_some() {
        if if_not_exists {
            return Ok(Output::Command("CREATE TABLE".into()));
        }
        return Err(Error::new(
            SqlState::DUPLICATE_TABLE,
            format!("relation \"{}\" already exists", table.name),
        ));
    }
    let count = cx
        .txn
        .scan(
            &KeyRange::prefix(&keycode::table_prefix(catalog::TABLES_TABLE_ID)),
            None,
            false,
        )
        .await?
        .len();
    cx.limits.check_table_count(count)?;
    let mut def = table.clone();
    def.id = crate::catalog::store::next_object_id(cx.txn).await?;
    def.owner = cx.user.to_string();
    cx.txn.put(key, crate::catalog::codec::encode(&def));
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("CREATE TABLE".into()))
}

/// Executes DROP TABLE: removes each definition and the privileges granted on it.
pub(super) async fn drop_table(
    names: &[catalog::TableName],
    if_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    let mut dropped = false;
    for name in names {
        let key = catalog::table_key(name);
        let Some(bytes) = cx.txn.get(&key).await? else {
            if name.schema == catalog::SYS_SCHEMA {
                return Err(Error::new(
                    SqlState::INSUFFICIENT_PRIVILEGE,
                    format!("permission denied for schema {}", name.schema),
                ));
            }
            if if_exists {
                continue;
            }
            return Err(Error::undefined_table(&name.to_string()));
        };
        let def: TableDef = crate::catalog::codec::decode(&bytes)?;
        crate::catalog::store::revoke_all_on(cx.txn, &crate::catalog::defs::Object::Table(def.id))
            .await?;
        // TODO: the dropped table's rows stay in storage, unreachable (table ids are never
        // reused). Removing them needs a background job so a DROP is not limited by the
        // transaction row limit; until then they cost storage memory, journal space and
        // replay time at start, but are never visible.
        cx.txn.delete(key);
        dropped = true;
    }
    if dropped {
        crate::catalog::store::bump_version(cx.txn).await?;
    }
    Ok(Output::Command("DROP TABLE".into()))
}
