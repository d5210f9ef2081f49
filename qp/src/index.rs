//! Secondary indexes: their definitions, the layout of their entries, and how DML keeps them
//! up to date.
//!
//! An index is more keys in the same MVCC store as the rows. Every index has an id from the
//! same counter as table ids, so its entries sort under their own four-byte prefix and never
//! mix with rows. Each index column is encoded as a marker byte (`01` for a value, `02` for
//! NULL, so NULLs sort last) followed by the value's order-preserving [`keycode`] encoding.
//! Entries are always stored ascending with NULLs last: an index's `DESC` and `NULLS FIRST`
//! options are recorded (for display) but do not change the layout. Reading an index forward
//! gives `ASC NULLS LAST`, reading it in reverse gives `DESC NULLS FIRST`, which are exactly
//! PostgreSQL's two default orders, so either direction serves an ORDER BY with the default
//! NULLS placement (see `planner/index.rs`).
//!
//! The value of an entry of an index without `INCLUDE` columns is the full key of the row it
//! points to. An index with `INCLUDE` columns carries the values of its key and `INCLUDE`
//! columns in every entry, so that a query needing no other column is answered from the
//! entries alone (an index-only read), without reading the rows:
//!
//! ```text
//! index 1003: CREATE INDEX ASYNC by_city ON t (city) INCLUDE (email)
//!   entry key                   1003 | 01 'paris' | id=7
//!   entry value                 FF | len(row key) as u32 BE | row key 1000|7 | row ('paris', 'a@x')
//! ```
//!
//! The leading `FF` cannot start a row key (that is the high byte of a table id, which the id
//! counter never brings near `FF`), so every reader tells the two forms apart
//! ([`decode_entry_value`]); an entry written before its index carried values is read as a
//! plain row key and the row is fetched. The covered values use the row encoding
//! ([`crate::types::encode_row`]), key columns first, then `INCLUDE` columns. Uniqueness
//! checks and the build compare only the row key part: an entry of the same row with other
//! `INCLUDE` values is not a duplicate.
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
pub use crate::catalog::defs::{IndexColumn, IndexDef, IndexState};
use crate::error::{Error, Result, SqlState};
use crate::txn::Transaction;
use crate::types::Value;
use crate::types::keycode;
use proto::key::prefix_successor;
use proto::{Key, KeyRange};

/// DSQL's limit on the encoded size of a key (primary or index).
pub const MAX_KEY_SIZE: usize = 1024;
/// DSQL's limit on the number of key columns of an index.
pub const MAX_INDEX_COLUMNS: usize = 8;

/// Marker byte before a non-NULL index column value.
const VALUE_MARKER: u8 = 0x01;
/// Marker byte for a NULL index column value (sorts after every value).
const NULL_MARKER: u8 = 0x02;
/// First byte of an entry value that carries covered column values after the row key.
const COVERING_MARKER: u8 = 0xFF;

impl IndexDef {
    /// Whether DML must keep this index's entries up to date.
    pub fn is_maintained(&self) -> bool {
        matches!(self.state, IndexState::Building | IndexState::Valid)
    }

    /// Whether queries may read through this index.
    pub fn is_usable(&self) -> bool {
        self.state == IndexState::Valid
    }

    /// The columns whose values every entry carries: the key columns, then the `INCLUDE`
    /// columns; none for an index without `INCLUDE` columns (its entries hold the row key
    /// only).
    pub fn covered_columns(&self) -> Vec<usize> {
        if self.include.is_empty() {
            return vec![];
        }
        self.columns
            .iter()
            .map(|c| c.column)
            .chain(self.include.iter().copied())
            .collect()
    }

    /// Whether the entries of this index hold every column in `needed`, so a query needing
    /// only those can be answered without reading rows.
    pub fn covers(&self, needed: &[usize]) -> bool {
        let covered = self.covered_columns();
        !covered.is_empty() && needed.iter().all(|c| covered.contains(c))
    }

    /// The entry of a row: its key and its value (the row key, followed by the covered
    /// values when the index has `INCLUDE` columns).
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
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "key size too large",
            ));
        }
        if !self.unique || (has_null && self.nulls_distinct) {
            // The row key without its table prefix: the primary key (or hidden row id).
            key.extend_from_slice(row_key.get(4..).unwrap_or_default());
        }
        let covered = self.covered_columns();
        if covered.is_empty() {
            return Ok((key, row_key.to_vec()));
        }
        let values = covered
            .iter()
            .map(|&c| {
                row.get(c)
                    .cloned()
                    .ok_or_else(|| Error::internal("index column out of range"))
            })
            .collect::<Result<Vec<Value>>>()?;
        let len = u32::try_from(row_key.len())
            .map_err(|_| Error::internal("row key too long for an index entry"))?;
        let mut value = Vec::with_capacity(5 + row_key.len() + 16 * values.len());
        value.push(COVERING_MARKER);
        value.extend(len.to_be_bytes());
        value.extend_from_slice(row_key);
        crate::types::encode_row(&values, &mut value);
        Ok((key, value))
    }

    /// The row an entry points at. With `index_only` and an entry that carries its values,
    /// the row is made from the entry (the columns it does not hold are NULL; the caller
    /// only reads covered columns); otherwise it is read by its key. `None` if the row is
    /// missing. Returns the row key, the row, and how many stored bytes were read.
    pub async fn entry_row(
        &self,
        table: &TableDef,
        value: &[u8],
        index_only: bool,
        txn: &mut Transaction,
    ) -> Result<Option<(Key, Vec<Value>, usize)>> {
        let entry = decode_entry_value(value)?;
        if index_only && let Some(values) = entry.covered {
            let covered = self.covered_columns();
            if values.len() != covered.len() {
                return Err(Error::internal(format!(
                    "damaged entry in index {}",
                    self.name
                )));
            }
            let mut row = vec![Value::Null; table.columns.len()];
            for (c, v) in covered.into_iter().zip(values) {
                let slot = row
                    .get_mut(c)
                    .ok_or_else(|| Error::internal("index column out of range"))?;
                *slot = v;
            }
            return Ok(Some((entry.row_key.to_vec(), row, value.len())));
        }
        let key = entry.row_key.to_vec();
        Ok(match txn.get(&key).await? {
            Some(bytes) => {
                let row = table.decode_row(&bytes)?;
                let read = key.len() + bytes.len();
                Some((key, row, read))
            }
            None => None,
        })
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

/// An entry value taken apart.
pub struct EntryValue<'a> {
    /// The key of the row the entry points at.
    pub row_key: &'a [u8],
    /// The covered values (key columns, then `INCLUDE` columns), when the entry carries them.
    pub covered: Option<Vec<Value>>,
}

/// Takes an entry value apart: a plain row key, or the covering form (see the module doc).
pub fn decode_entry_value(value: &[u8]) -> Result<EntryValue<'_>> {
    let damaged = || Error::internal("damaged index entry");
    if value.first() != Some(&COVERING_MARKER) {
        return Ok(EntryValue {
            row_key: value,
            covered: None,
        });
    }
    let len_bytes: [u8; 4] = value
        .get(1..5)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(damaged)?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let row_key = value.get(5..5 + len).ok_or_else(damaged)?;
    let rest = value.get(5 + len..).ok_or_else(damaged)?;
    let covered = crate::types::decode_row(rest).map_err(|e| match e {
        proto::format::FormatError::Damaged { .. } => damaged(),
        newer => Error::internal(format!("index entry: {newer}")),
    })?;
    Ok(EntryValue {
        row_key,
        covered: Some(covered),
    })
}

/// Whether two entry values point at different rows.
pub fn points_elsewhere(existing: &[u8], value: &[u8]) -> Result<bool> {
    Ok(decode_entry_value(existing)?.row_key != decode_entry_value(value)?.row_key)
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
        SqlState::UNIQUE_VIOLATION,
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
        && points_elsewhere(&existing, &value)?
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
/// returns), so that callers cannot tell an index read from a primary key range read. With
/// `index_only`, rows are made from entries that carry their values (see
/// [`IndexDef::entry_row`]). Returns the rows and the stored bytes read.
pub async fn fetch_rows(
    table: &TableDef,
    index: &IndexDef,
    range: &KeyRange,
    index_only: bool,
    txn: &mut Transaction,
) -> Result<(Vec<(Key, Vec<Value>)>, usize)> {
    let mut entries: Vec<Vec<u8>> = txn
        .scan(range, None, false)
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let mut keyed = Vec::with_capacity(entries.len());
    for value in entries.drain(..) {
        let row_key = decode_entry_value(&value)?.row_key.to_vec();
        keyed.push((row_key, value));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    let mut rows = Vec::with_capacity(keyed.len());
    let mut bytes = 0;
    for (_, value) in keyed {
        // An entry always has its row (both are written by one transaction); skip rather
        // than fail if it does not, since the caller re-checks every row anyway.
        if let Some((key, row, read)) = index.entry_row(table, &value, index_only, txn).await? {
            bytes += read;
            rows.push((key, row));
        }
    }
    Ok((rows, bytes))
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
    fn entries_of_an_index_with_include_columns_carry_the_covered_values() {
        let mut ix = index(true, true);
        ix.include = vec![2];
        let row = [Value::Int(7), Value::Text("a".into()), Value::Int(42)];
        let (key, value) = ix.entry(&row, &row_key(7)).unwrap();
        // The key is unchanged by INCLUDE columns: equal values still collide.
        let (other_key, other_value) = ix
            .entry(
                &[Value::Int(8), Value::Text("a".into()), Value::Null],
                &row_key(8),
            )
            .unwrap();
        assert_eq!(key, other_key);
        let decoded = decode_entry_value(&value).unwrap();
        assert_eq!(decoded.row_key, row_key(7).as_slice());
        assert_eq!(
            decoded.covered,
            Some(vec![Value::Text("a".into()), Value::Int(42)])
        );
        assert!(points_elsewhere(&value, &other_value).unwrap());
        // The same row with another INCLUDE value is the same row.
        let (_, changed) = ix
            .entry(
                &[Value::Int(7), Value::Text("a".into()), Value::Int(43)],
                &row_key(7),
            )
            .unwrap();
        assert_ne!(changed, value);
        assert!(!points_elsewhere(&value, &changed).unwrap());
        // An entry holding only a row key (no INCLUDE columns, or written before) decodes
        // as one, without values; a truncated covering entry is an error, not a panic.
        let key7 = row_key(7);
        let plain = decode_entry_value(&key7).unwrap();
        assert_eq!((plain.row_key, plain.covered), (key7.as_slice(), None));
        assert!(!points_elsewhere(&row_key(7), &value).unwrap());
        for cut in [1, 3, 6, value.len() - 1] {
            assert!(decode_entry_value(&value[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(ix.covered_columns(), vec![1, 2]);
        assert!(ix.covers(&[2, 1, 1]) && !ix.covers(&[0, 1]));
        assert!(
            !index(false, true).covers(&[1]),
            "no INCLUDE: entries carry no values"
        );
    }

    #[test]
    fn oversized_keys_are_refused() {
        let ix = index(false, true);
        let big = Value::Text("x".repeat(MAX_KEY_SIZE + 1));
        let err = ix.entry(&[Value::Int(1), big], &row_key(1)).unwrap_err();
        assert_eq!(
            (err.code(), err.message.as_str()),
            ("54000", "key size too large")
        );
    }
}
