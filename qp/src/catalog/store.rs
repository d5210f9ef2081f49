//! Reading and changing the catalog's stored records in a transaction, below the features
//! that use them.

use super::TableDef;
use super::defs::{Grant, Object};
use super::sys::GRANTS_TABLE_ID;
use crate::error::Result;
use crate::txn::Transaction;
use crate::types::keycode;
use proto::{Key, KeyRange};

/// Deletes every grant on `object` (its table or schema is being dropped).
pub async fn revoke_all_on(txn: &mut Transaction, object: &Object) -> Result<()> {
    for (key, grant) in stored_grants(txn).await? {
        if grant.object == *object {
            txn.delete(key);
        }
    }
    Ok(())
}

/// Every stored grant with its key, as the transaction sees them.
pub async fn stored_grants(txn: &mut Transaction) -> Result<Vec<(Key, Grant)>> {
    let rows = txn
        .scan(
            &KeyRange::prefix(&keycode::table_prefix(GRANTS_TABLE_ID)),
            None,
            false,
        )
        .await?;
    rows.into_iter()
        .map(|(key, bytes)| {
            let grant = crate::catalog::codec::decode(&bytes)?;
            Ok((key, grant))
        })
        .collect()
}

/// Marks the transaction as DDL and bumps the catalog version (every change to table, index,
/// schema, role or grant definitions does), so every concurrent transaction that planned with
/// the old catalog fails at COMMIT (OC001).
pub async fn bump_version(txn: &mut Transaction) -> Result<()> {
    let key = super::version_key();
    let version = super::decode_u64(txn.get(&key).await?.as_deref())?;
    txn.put(key, (version + 1).to_be_bytes().to_vec());
    txn.has_ddl = true;
    Ok(())
}

/// Takes the next id from the table id counter, which tables, indexes and schemas share
/// (their oids derive from it, [`super::oids::object_oid`]).
pub async fn next_object_id(txn: &mut Transaction) -> Result<u32> {
    let id_key = super::next_table_id_key();
    let next = match txn.get(&id_key).await? {
        None => super::FIRST_USER_TABLE_ID,
        Some(b) => u32::from_be_bytes(
            b.as_slice()
                .try_into()
                .map_err(|_| crate::error::Error::internal("damaged table id counter"))?,
        ),
    }
    .max(super::FIRST_USER_TABLE_ID);
    txn.put(id_key, (next + 1).to_be_bytes().to_vec());
    Ok(next)
}

/// Stores a changed table definition in `txn`.
pub fn write_table_def(txn: &mut Transaction, def: &TableDef) {
    txn.put(
        super::table_key(&def.qualified_name()),
        super::codec::encode(def),
    );
}
