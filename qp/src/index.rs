//! Secondary indexes: their definitions, the layout of their entries, and how DML keeps them
//! up to date.
//!
//! An index is more keys in the same MVCC store as the rows. Every index has an id from the
//! same counter as table ids, so its entries sort under their own four-byte prefix and never
//! mix with rows. Each index column is encoded as a marker byte (`01` for a value, `02` for
//! NULL, so NULLs sort last) followed by the value's order-preserving [`keycode`] encoding.
//! The value of every entry is the full key of the row it points to.
//!
//! ```text
//! table 1000 (id bigint PRIMARY KEY, email text, city text)
//!   row key                     1000 | id=7
//! index 1001: CREATE INDEX ASYNC by_city ON t (city)           -- non-unique
//!   entry key                   1001 | 01 'paris' | id=7       -> row key 1000|7
//!   (the primary key suffix makes every row's entry distinct)
//! index 1002: CREATE UNIQUE INDEX ASYNC by_email ON t (email)  -- unique
//!   entry key                   1002 | 01 'a@x'                -> row key 1000|7
//!   a row with email NULL       1002 | 02 | id=7               -> row key 1000|7
//! ```
//!
//! In a unique index the entry key is the indexed values alone, so the uniqueness check for a
//! new row is one point read of that key (at the transaction's snapshot, overlaid with its own
//! writes): present and pointing at another row means `23505`. Writing the key then puts it in
//! the write set, so two concurrent transactions inserting the same value both write one key
//! and the second to commit fails with `40001` (OC000). With the default `NULLS DISTINCT`, a
//! row with a NULL in its key never conflicts: its entry gets the primary key suffix like a
//! non-unique entry. With `NULLS NOT DISTINCT`, NULL is a value like any other.
//!
//! DML maintains every index whose state is [`IndexState::Building`] or
//! [`IndexState::Valid`]; only valid indexes are read by the planner (see
//! [`crate::jobs`] for how a building index is backfilled). A row's entries change only when
//! their key or value changes, and whenever they change the writer writes the old and new
//! entry keys: the index build relies on that to detect concurrent writers (see the
//! [`crate::jobs`] module doc).

use crate::catalog::TableDef;
use crate::error::{Error, Result};
use crate::keycode;
use crate::txn::Transaction;
use crate::value::Value;
use proto::key::prefix_successor;
use proto::{Key, KeyRange};
use serde::{Deserialize, Serialize};

/// DSQL's limit on the encoded size of a key (primary or index).
pub const MAX_KEY_SIZE: usize = 1024;
/// DSQL's limit on the number of key columns of an index.
pub const MAX_INDEX_COLUMNS: usize = 8;

/// Marker byte before a non-NULL index column value.
const VALUE_MARKER: u8 = 0x01;
/// Marker byte for a NULL index column value (sorts after every value).
const NULL_MARKER: u8 = 0x02;

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
    /// `DESC` was given (recorded for display; entries are stored ascending).
    pub desc: bool,
    /// `NULLS FIRST` was given (recorded for display; NULL entries are stored last).
    pub nulls_first: bool,
}

/// A secondary index of a table, stored inside its [`TableDef`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index id: the four-byte prefix of its entries (from the table id counter).
    pub id: u32,
    /// The index name, unique among the relations of the table's schema.
    pub name: String,
    /// The key columns, in key order.
    pub columns: Vec<IndexColumn>,
    /// `INCLUDE` columns (positions in the table); the entry points at the row, which holds
    /// them.
    pub include: Vec<usize>,
    /// `UNIQUE`.
    pub unique: bool,
    /// `NULLS DISTINCT` (the default): rows with a NULL key column never conflict.
    pub nulls_distinct: bool,
    /// Building, valid or invalid.
    pub state: IndexState,
}

impl IndexDef {
    /// Whether DML must keep this index's entries up to date.
    pub fn is_maintained(&self) -> bool {
        matches!(self.state, IndexState::Building | IndexState::Valid)
    }

    /// Whether queries may read through this index.
    pub fn is_usable(&self) -> bool {
        self.state == IndexState::Valid
    }

    /// The entry of a row: its key and its value (the row key).
    pub fn entry(&self, row: &[Value], row_key: &[u8]) -> Result<(Key, Vec<u8>)> {
        let mut key = keycode::table_prefix(self.id);
        let mut has_null = false;
        for c in &self.columns {
            let value = row
                .get(c.column)
                .ok_or_else(|| Error::internal("index column out of range"))?;
            has_null |= value.is_null();
            encode_key_value(value, &mut key)?;
        }
        if key.len() - 4 > MAX_KEY_SIZE {
            return Err(Error::new("54000", "key size too large"));
        }
        if !self.unique || (has_null && self.nulls_distinct) {
            // The row key without its table prefix: the primary key (or hidden row id).
            key.extend_from_slice(row_key.get(4..).unwrap_or_default());
        }
        Ok((key, row_key.to_vec()))
    }

    /// The DETAIL of a duplicate: `Key (a, b)=(1, x)`.
    pub fn key_text(&self, table: &TableDef, row: &[Value]) -> String {
        let cols: Vec<&str> = self
            .columns
            .iter()
            .map(|c| table.columns[c.column].name.as_str())
            .collect();
        let vals: Vec<String> = self
            .columns
            .iter()
            .map(|c| match &row[c.column] {
                Value::Null => "null".to_string(),
                v => v.to_text(),
            })
            .collect();
        format!("Key ({})=({})", cols.join(", "), vals.join(", "))
    }

    /// The key range of the entries whose leading key columns equal `prefix` and whose next
    /// column lies within the bounds (each `(value, inclusive)`). `None` when no entry can
    /// match (a NULL compared with `=` or `<`).
    pub fn scan_range(
        &self,
        prefix: &[Value],
        lower: Option<(Value, bool)>,
        upper: Option<(Value, bool)>,
    ) -> Result<Option<KeyRange>> {
        let mut base = keycode::table_prefix(self.id);
        for v in prefix {
            if v.is_null() {
                return Ok(None);
            }
            encode_key_value(v, &mut base)?;
        }
        if lower.is_none() && upper.is_none() {
            return Ok(Some(KeyRange::prefix(&base)));
        }
        let bound = |v: &Value| -> Result<Option<Key>> {
            if v.is_null() {
                return Ok(None);
            }
            let mut k = base.clone();
            encode_key_value(v, &mut k)?;
            Ok(Some(k))
        };
        // A bound on the next column excludes its NULL entries (marker 02).
        let start = match &lower {
            None => [base.as_slice(), &[VALUE_MARKER]].concat(),
            Some((v, inclusive)) => match bound(v)? {
                None => return Ok(None),
                Some(k) if *inclusive => k,
                Some(k) => match prefix_successor(&k) {
                    Some(s) => s,
                    None => return Ok(None),
                },
            },
        };
        let end = match &upper {
            None => [base.as_slice(), &[NULL_MARKER]].concat(),
            Some((v, inclusive)) => match bound(v)? {
                None => return Ok(None),
                Some(k) if *inclusive => match prefix_successor(&k) {
                    Some(s) => s,
                    None => return Ok(None),
                },
                Some(k) => k,
            },
        };
        Ok(Some(KeyRange {
            start,
            end: Some(end),
        }))
    }
}

/// Appends an index column value: a marker byte, then the value's key encoding.
fn encode_key_value(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    if value.is_null() {
        out.push(NULL_MARKER);
        Ok(())
    } else {
        out.push(VALUE_MARKER);
        keycode::encode_value(value, out)
    }
}

/// The `23505` error for a duplicate in a unique index.
fn duplicate(index: &IndexDef, table: &TableDef, row: &[Value]) -> Error {
    Error::new(
        "23505",
        format!(
            "duplicate key value violates unique constraint \"{}\"",
            index.name
        ),
    )
    .with_detail(format!("{} already exists.", index.key_text(table, row)))
}

/// Adds a new row's entries to every maintained index of its table, refusing a duplicate in
/// a unique one.
pub async fn insert_entries(
    table: &TableDef,
    row_key: &[u8],
    row: &[Value],
    txn: &mut Transaction,
) -> Result<()> {
    for index in table.indexes.iter().filter(|i| i.is_maintained()) {
        let (key, value) = index.entry(row, row_key)?;
        put_entry(index, table, row, key, value, txn).await?;
    }
    Ok(())
}

async fn put_entry(
    index: &IndexDef,
    table: &TableDef,
    row: &[Value],
    key: Key,
    value: Vec<u8>,
    txn: &mut Transaction,
) -> Result<()> {
    if index.unique
        && let Some(existing) = txn.get(&key).await?
        && existing != value
    {
        return Err(duplicate(index, table, row));
    }
    txn.put(key, value);
    Ok(())
}

/// Removes a deleted row's entries from every maintained index of its table.
pub fn delete_entries(
    table: &TableDef,
    row_key: &[u8],
    row: &[Value],
    txn: &mut Transaction,
) -> Result<()> {
    for index in table.indexes.iter().filter(|i| i.is_maintained()) {
        let (key, _) = index.entry(row, row_key)?;
        txn.delete(key);
    }
    Ok(())
}

/// One row an UPDATE changed: its key and values before and after.
pub struct RowChange<'a> {
    /// The row key before.
    pub old_key: &'a [u8],
    /// The row before.
    pub old: &'a [Value],
    /// The row key after (differs when the primary key changed).
    pub new_key: &'a [u8],
    /// The row after.
    pub new: &'a [Value],
}

/// Moves the entries of updated rows: first every entry that changes is deleted, then the new
/// ones are written (so values swapped between rows of one statement do not collide).
/// Entries that stay the same are not touched.
pub async fn update_entries(
    table: &TableDef,
    changes: &[RowChange<'_>],
    txn: &mut Transaction,
) -> Result<()> {
    let mut inserts = Vec::new();
    for index in table.indexes.iter().filter(|i| i.is_maintained()) {
        for change in changes {
            let old = index.entry(change.old, change.old_key)?;
            let new = index.entry(change.new, change.new_key)?;
            if old != new {
                txn.delete(old.0);
                inserts.push((index, change.new, new));
            }
        }
    }
    for (index, row, (key, value)) in inserts {
        put_entry(index, table, row, key, value, txn).await?;
    }
    Ok(())
}

/// Reads the rows an index range points at, in row key order (the order a table scan
/// returns), so that callers cannot tell an index read from a primary key range read.
pub async fn fetch_rows(
    table: &TableDef,
    range: &KeyRange,
    txn: &mut Transaction,
) -> Result<Vec<(Key, Vec<Value>)>> {
    let entries = txn.scan(range, None, false).await?;
    let mut row_keys: Vec<Key> = entries.into_iter().map(|(_, v)| v).collect();
    row_keys.sort();
    row_keys.dedup();
    let mut rows = Vec::with_capacity(row_keys.len());
    for key in row_keys {
        // An entry always has its row (both are written by one transaction); skip rather
        // than fail if it does not, since the caller re-checks every row anyway.
        if let Some(bytes) = txn.get(&key).await? {
            let row = table.decode_row(&bytes)?;
            rows.push((key, row));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(unique: bool, nulls_distinct: bool) -> IndexDef {
        IndexDef {
            id: 1001,
            name: "i".into(),
            columns: vec![IndexColumn {
                column: 1,
                desc: false,
                nulls_first: false,
            }],
            include: vec![],
            unique,
            nulls_distinct,
            state: IndexState::Valid,
        }
    }

    fn row_key(id: i64) -> Key {
        let mut k = keycode::table_prefix(1000);
        keycode::encode_i64(id, &mut k);
        k
    }

    #[test]
    fn unique_entries_collide_on_equal_values_and_point_at_the_row() {
        let ix = index(true, true);
        let (k1, v1) = ix
            .entry(&[Value::Int(1), Value::Text("a".into())], &row_key(1))
            .unwrap();
        let (k2, v2) = ix
            .entry(&[Value::Int(2), Value::Text("a".into())], &row_key(2))
            .unwrap();
        assert_eq!(
            k1, k2,
            "same value, same key: one point read finds the other row"
        );
        assert_eq!(v1, row_key(1));
        assert_eq!(v2, row_key(2));
    }

    #[test]
    fn nulls_are_distinct_unless_asked_otherwise() {
        let null_row = |id| [Value::Int(id), Value::Null];
        let distinct = index(true, true);
        assert_ne!(
            distinct.entry(&null_row(1), &row_key(1)).unwrap().0,
            distinct.entry(&null_row(2), &row_key(2)).unwrap().0
        );
        let not_distinct = index(true, false);
        assert_eq!(
            not_distinct.entry(&null_row(1), &row_key(1)).unwrap().0,
            not_distinct.entry(&null_row(2), &row_key(2)).unwrap().0
        );
    }

    #[test]
    fn non_unique_entries_are_distinct_per_row_and_inside_the_equality_range() {
        let ix = index(false, true);
        let (k1, _) = ix
            .entry(&[Value::Int(1), Value::Text("a".into())], &row_key(1))
            .unwrap();
        let (k2, _) = ix
            .entry(&[Value::Int(2), Value::Text("a".into())], &row_key(2))
            .unwrap();
        let (kb, _) = ix
            .entry(&[Value::Int(3), Value::Text("ab".into())], &row_key(3))
            .unwrap();
        let (kn, _) = ix
            .entry(&[Value::Int(4), Value::Null], &row_key(4))
            .unwrap();
        assert_ne!(k1, k2);
        let eq = ix
            .scan_range(&[Value::Text("a".into())], None, None)
            .unwrap()
            .unwrap();
        assert!(eq.contains(&k1) && eq.contains(&k2));
        assert!(!eq.contains(&kb) && !eq.contains(&kn));
        // `> 'a'` covers 'ab' but neither 'a' nor NULL.
        let gt = ix
            .scan_range(&[], Some((Value::Text("a".into()), false)), None)
            .unwrap()
            .unwrap();
        assert!(gt.contains(&kb));
        assert!(!gt.contains(&k1) && !gt.contains(&kn));
        // `<= 'a'` covers 'a' but not 'ab'.
        let le = ix
            .scan_range(&[], None, Some((Value::Text("a".into()), true)))
            .unwrap()
            .unwrap();
        assert!(le.contains(&k1) && le.contains(&k2) && !le.contains(&kb));
        // `= NULL` matches nothing.
        assert!(ix.scan_range(&[Value::Null], None, None).unwrap().is_none());
    }

    #[test]
    fn oversized_keys_are_refused() {
        let ix = index(false, true);
        let big = Value::Text("x".repeat(MAX_KEY_SIZE + 1));
        let err = ix.entry(&[Value::Int(1), big], &row_key(1)).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            ("54000", "key size too large")
        );
    }
}
