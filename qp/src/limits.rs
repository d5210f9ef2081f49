//! DSQL's per-transaction and per-object limits, with their defaults, their SQLSTATEs and
//! messages, and a parser for `--limit name=value` overrides.
//!
//! Aurora DSQL bounds what one transaction may do so that a commit stays a single, small
//! message to the adjudicator and journal: at most 3,000 modified rows and 10 MiB of modified
//! data, at most 300 s old. It also bounds single objects: a primary key of at most 1 KiB, a
//! row of at most 2 MiB, a value of at most 1 MiB, 255 columns and 8 key columns per table,
//! and 1,000 tables. A self-hosted server should be able to raise or lower each of these, so
//! every limit is a field of [`Limits`], named in [`Limits::NAMES`], and settable from text:
//!
//! ```text
//!   dsql start --limit max_transaction_bytes=64MiB --limit max_transaction_age=10min
//!
//!   name                    default   refused with
//!   max_rows_modified       3000      54000 transaction row limit exceeded
//!   max_transaction_bytes   10MiB     54000 transaction size limit 10mb exceeded
//!   max_transaction_age     300s      54000 transaction age limit of 300s exceeded
//!   ...
//! ```
//!
//! The messages quote the configured value the way DSQL writes its defaults (`10mb`, `300s`),
//! so a server with a 64 MiB limit says `transaction size limit 64mb exceeded`.
//!
//! Where each limit is enforced:
//! - rows and bytes per transaction: as the executor buffers writes
//!   ([`Limits::check_rows_modified`], [`Limits::check_transaction_size`]), and again after
//!   every statement;
//! - age: when the next statement (or COMMIT) of an old transaction arrives;
//! - key, row and value size: on every row image written ([`Limits::check_row`]);
//! - columns, key columns, tables: by CREATE TABLE ([`Limits::check_table`],
//!   [`Limits::check_table_count`]).

use crate::catalog::TableDef;
use crate::error::{Error, Result, SqlState};
use crate::types::Value;
use std::time::Duration;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
const GIB: usize = 1024 * 1024 * 1024;

/// The limits the query processor enforces. `Default` gives DSQL's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rows one transaction may insert, update or delete (DSQL: 3,000).
    pub max_rows_modified: usize,
    /// Bytes of modified data (keys and new row images) one transaction may buffer
    /// (DSQL: 10 MiB).
    pub max_transaction_bytes: usize,
    /// How long a transaction may stay open (DSQL: 300 s).
    pub max_transaction_age: Duration,
    /// Bytes of a primary key's encoded columns (DSQL: 1 KiB).
    pub max_key_bytes: usize,
    /// Bytes of one stored row (DSQL: 2 MiB).
    pub max_row_bytes: usize,
    /// Bytes of one column value (DSQL: 1 MiB).
    pub max_value_bytes: usize,
    /// Columns per table (DSQL: 255).
    pub max_columns_per_table: usize,
    /// Columns in a primary key (DSQL: 8).
    pub max_key_columns: usize,
    /// Tables in the database (DSQL: 1,000).
    pub max_tables: usize,
    /// Indexes a table may have, its primary key included (DSQL: 24).
    pub max_indexes_per_table: usize,
    /// User schemas besides `public` and `sys` (DSQL: 10).
    pub max_schemas: usize,
    /// Bytes of stored rows one statement may hold in memory at once (DSQL: 128 MiB).
    pub max_query_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows_modified: 3000,
            max_transaction_bytes: 10 * MIB,
            max_transaction_age: Duration::from_secs(300),
            max_key_bytes: KIB,
            max_row_bytes: 2 * MIB,
            max_value_bytes: MIB,
            max_columns_per_table: 255,
            max_key_columns: 8,
            max_tables: 1000,
            max_indexes_per_table: 24,
            max_schemas: 10,
            max_query_memory: 128 * MIB,
        }
    }
}

/// How a limit's value is written.
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Bytes,
    Seconds,
}

impl Limits {
    /// Every limit's name (as accepted by [`Limits::set`]) with a one-line description. The
    /// names are stable: command lines and configuration files depend on them.
    pub const NAMES: &'static [(&'static str, &'static str)] = &[
        (
            "max_rows_modified",
            "rows one transaction may insert, update or delete (default 3000)",
        ),
        (
            "max_transaction_bytes",
            "bytes of data one transaction may modify, e.g. 10MiB (default 10MiB)",
        ),
        (
            "max_transaction_age",
            "how long a transaction may stay open, e.g. 300s or 5min (default 300s)",
        ),
        (
            "max_key_bytes",
            "bytes of a primary key's columns, e.g. 1KiB (default 1KiB)",
        ),
        (
            "max_row_bytes",
            "bytes of one stored row, e.g. 2MiB (default 2MiB)",
        ),
        (
            "max_value_bytes",
            "bytes of one column value, e.g. 1MiB (default 1MiB)",
        ),
        (
            "max_columns_per_table",
            "columns a table may have (default 255)",
        ),
        (
            "max_key_columns",
            "columns a primary key may have (default 8)",
        ),
        ("max_tables", "tables the database may hold (default 1000)"),
        (
            "max_indexes_per_table",
            "indexes a table may have, its primary key included (default 24)",
        ),
        (
            "max_schemas",
            "user schemas besides public and sys (default 10)",
        ),
        (
            "max_query_memory",
            "bytes of rows one statement may read into memory, e.g. 128MiB (default 128MiB)",
        ),
    ];

    fn unit(name: &str) -> Option<Unit> {
        Some(match name {
            "max_rows_modified"
            | "max_columns_per_table"
            | "max_key_columns"
            | "max_tables"
            | "max_indexes_per_table"
            | "max_schemas" => Unit::Count,
            "max_transaction_bytes"
            | "max_key_bytes"
            | "max_row_bytes"
            | "max_value_bytes"
            | "max_query_memory" => Unit::Bytes,
            "max_transaction_age" => Unit::Seconds,
            _ => return None,
        })
    }

    /// Sets the limit `name` from text: a count (`5000`), a size with an optional binary unit
    /// (`1048576`, `512KiB`, `10MiB`, `1GiB`; `kB`/`MB`/`GB` also mean 1024-multiples, as in
    /// PostgreSQL), or a duration with an optional unit (`300`, `300s`, `1500ms`, `5min`,
    /// `1h`; bare numbers are seconds). Values must be positive. On error nothing changes.
    pub fn set(&mut self, name: &str, value: &str) -> std::result::Result<(), String> {
        let unit = Self::unit(name).ok_or_else(|| {
            let known: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
            format!("unknown limit \"{name}\" (known: {})", known.join(", "))
        })?;
        let bad = |why: &str| format!("invalid value \"{value}\" for limit {name}: {why}");
        match unit {
            Unit::Count | Unit::Bytes => {
                let n = if let Unit::Bytes = unit {
                    parse_size(value).map_err(|e| bad(&e))?
                } else {
                    parse_number(value.trim()).map_err(|e| bad(&e))?
                };
                if n == 0 {
                    return Err(bad("must be at least 1"));
                }
                let n = usize::try_from(n).map_err(|_| bad("too large"))?;
                match name {
                    "max_rows_modified" => self.max_rows_modified = n,
                    "max_columns_per_table" => self.max_columns_per_table = n,
                    "max_key_columns" => self.max_key_columns = n,
                    "max_tables" => self.max_tables = n,
                    "max_indexes_per_table" => self.max_indexes_per_table = n,
                    "max_schemas" => self.max_schemas = n,
                    "max_transaction_bytes" => self.max_transaction_bytes = n,
                    "max_key_bytes" => self.max_key_bytes = n,
                    "max_row_bytes" => self.max_row_bytes = n,
                    "max_value_bytes" => self.max_value_bytes = n,
                    "max_query_memory" => self.max_query_memory = n,
                    _ => unreachable!("every count and size name is listed"),
                }
            }
            Unit::Seconds => {
                let d = parse_duration(value).map_err(|e| bad(&e))?;
                if d.is_zero() {
                    return Err(bad("must be positive"));
                }
                self.max_transaction_age = d;
            }
        }
        Ok(())
    }

    /// The current value of the limit `name`, written as [`Limits::set`] accepts it.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "max_rows_modified" => self.max_rows_modified.to_string(),
            "max_columns_per_table" => self.max_columns_per_table.to_string(),
            "max_key_columns" => self.max_key_columns.to_string(),
            "max_tables" => self.max_tables.to_string(),
            "max_indexes_per_table" => self.max_indexes_per_table.to_string(),
            "max_schemas" => self.max_schemas.to_string(),
            "max_transaction_bytes" => format_size(self.max_transaction_bytes, true),
            "max_key_bytes" => format_size(self.max_key_bytes, true),
            "max_row_bytes" => format_size(self.max_row_bytes, true),
            "max_value_bytes" => format_size(self.max_value_bytes, true),
            "max_query_memory" => format_size(self.max_query_memory, true),
            "max_transaction_age" => format_duration(self.max_transaction_age),
            _ => return None,
        })
    }

    // ---- Checks ---------------------------------------------------------------------------

    /// 54000 `transaction row limit exceeded` once more than `max_rows_modified` rows were
    /// modified.
    pub fn check_rows_modified(&self, rows_modified: usize) -> Result<()> {
        if rows_modified > self.max_rows_modified {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "transaction row limit exceeded",
            ));
        }
        Ok(())
    }

    /// 54000 `transaction size limit 10mb exceeded` (the limit as configured), with the
    /// current size in the DETAIL, once the buffered writes pass `max_transaction_bytes`.
    pub fn check_transaction_size(&self, bytes: usize) -> Result<()> {
        if bytes > self.max_transaction_bytes {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "transaction size limit {} exceeded",
                    format_size(self.max_transaction_bytes, false)
                ),
            )
            .with_detail(format!(
                "Current transaction size {bytes} bytes is larger than the limit of {} bytes.",
                self.max_transaction_bytes
            )));
        }
        Ok(())
    }

    /// 53200 `query requires too much temp space, out of memory.` once a statement has read
    /// more than `max_query_memory` bytes of stored rows. The executor materializes what it
    /// reads, so a statement that reads more is refused rather than processed further.
    pub fn check_query_memory(&self, bytes: usize) -> Result<()> {
        if bytes > self.max_query_memory {
            return Err(Error::new(
                SqlState::OUT_OF_MEMORY,
                "query requires too much temp space, out of memory.",
            ));
        }
        Ok(())
    }

    /// 54000 `transaction age limit of 300s exceeded` (the limit as configured) for a
    /// transaction open longer than `max_transaction_age`.
    pub fn check_transaction_age(&self, age: Duration) -> Result<()> {
        if age > self.max_transaction_age {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "transaction age limit of {} exceeded",
                    format_duration(self.max_transaction_age)
                ),
            ));
        }
        Ok(())
    }

    /// 54000 `key size too large` for a key whose encoded columns (the key without its
    /// four-byte table prefix) pass `max_key_bytes`. Secondary index keys are checked the same
    /// way.
    pub fn check_key(&self, key: &[u8]) -> Result<()> {
        if key.len().saturating_sub(4) > self.max_key_bytes {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "key size too large",
            ));
        }
        Ok(())
    }

    /// Checks a row about to be stored: 54000 `maximum column size exceeded` if one value
    /// passes `max_value_bytes`, else 54000 `maximum row size exceeded` if the encoded row
    /// (`encoded_len` bytes) passes `max_row_bytes`.
    pub fn check_row(&self, row: &[Value], encoded_len: usize) -> Result<()> {
        if row.iter().any(|v| value_size(v) > self.max_value_bytes) {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "maximum column size exceeded",
            ));
        }
        if encoded_len > self.max_row_bytes {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "maximum row size exceeded",
            ));
        }
        Ok(())
    }

    /// Checks a new table's shape: 54011 `tables can have at most 255 columns` and 54011
    /// `more than 8 column keys in an index are not supported` (the limits as configured).
    pub fn check_table(&self, table: &TableDef) -> Result<()> {
        if table.columns.len() > self.max_columns_per_table {
            return Err(Error::new(
                SqlState::TOO_MANY_COLUMNS,
                format!(
                    "tables can have at most {} columns",
                    self.max_columns_per_table
                ),
            ));
        }
        if table.primary_key.len() > self.max_key_columns {
            return Err(Error::new(
                SqlState::TOO_MANY_COLUMNS,
                format!(
                    "more than {} column keys in an index are not supported",
                    self.max_key_columns
                ),
            ));
        }
        Ok(())
    }

    /// 54000 `creating more than 1000 tables not allowed` when `existing` tables already
    /// fill the limit.
    pub fn check_table_count(&self, existing: usize) -> Result<()> {
        if existing >= self.max_tables {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("creating more than {} tables not allowed", self.max_tables),
            ));
        }
        Ok(())
    }
}

/// The stored size of one value: its bytes for text, its fixed width otherwise.
fn value_size(v: &Value) -> usize {
    match v {
        Value::Text(s) => s.len(),
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Numeric(_) => 16,
        _ => 8,
    }
}

fn parse_number(text: &str) -> std::result::Result<u64, String> {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("expected a whole number".into());
    }
    digits.parse::<u64>().map_err(|_| "too large".to_string())
}

/// Splits `"10MiB"` into `("10", "MiB")`.
fn split_unit(text: &str) -> (&str, &str) {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    (&text[..at], text[at..].trim())
}

fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let (number, unit) = split_unit(text);
    let n = parse_number(number)?;
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB as u64,
        "m" | "mb" | "mib" => MIB as u64,
        "g" | "gb" | "gib" => GIB as u64,
        _ => {
            return Err(format!(
                "unknown size unit \"{unit}\" (use B, KiB, MiB or GiB)"
            ));
        }
    };
    n.checked_mul(factor).ok_or_else(|| "too large".to_string())
}

/// Parses a duration: a number with an optional unit, `ms`, `s`/`sec` (the default), `m`/`min`
/// or `h` (`300`, `300s`, `1500ms`, `5min`, `1h`).
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let (number, unit) = split_unit(text);
    let n = parse_number(number)?;
    let millis: u64 = match unit.to_ascii_lowercase().as_str() {
        "ms" => 1,
        "" | "s" | "sec" => 1000,
        "min" | "m" => 60_000,
        "h" => 3_600_000,
        _ => {
            return Err(format!(
                "unknown time unit \"{unit}\" (use ms, s, min or h)"
            ));
        }
    };
    n.checked_mul(millis)
        .map(Duration::from_millis)
        .ok_or_else(|| "too large".to_string())
}

/// A size the way DSQL's messages write it (`10mb`, `512kb`, `100b`), or, with `binary_units`,
/// the way [`Limits::set`] reads it (`10MiB`).
fn format_size(bytes: usize, binary_units: bool) -> String {
    let (n, unit) = if bytes.is_multiple_of(MIB) {
        (bytes / MIB, if binary_units { "MiB" } else { "mb" })
    } else if bytes.is_multiple_of(KIB) {
        (bytes / KIB, if binary_units { "KiB" } else { "kb" })
    } else {
        (bytes, if binary_units { "B" } else { "b" })
    };
    format!("{n}{unit}")
}

/// A duration the way DSQL's message writes it: whole seconds (`300s`), else milliseconds.
fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_dsqls() {
        let l = Limits::default();
        assert_eq!(l.max_rows_modified, 3000);
        assert_eq!(l.max_transaction_bytes, 10 * 1024 * 1024);
        assert_eq!(l.max_transaction_age, Duration::from_secs(300));
        assert_eq!(l.max_key_bytes, 1024);
        assert_eq!(l.max_row_bytes, 2 * 1024 * 1024);
        assert_eq!(l.max_value_bytes, 1024 * 1024);
        assert_eq!(l.max_columns_per_table, 255);
        assert_eq!(l.max_key_columns, 8);
        assert_eq!(l.max_tables, 1000);
    }

    #[test]
    fn every_name_can_be_read_and_set_back() {
        let mut l = Limits::default();
        for (name, description) in Limits::NAMES {
            assert!(!description.is_empty());
            let value = l.get(name).expect("listed names are readable");
            l.set(name, &value).expect("a read value sets back");
        }
        assert_eq!(l, Limits::default());
    }

    #[test]
    fn values_parse_with_units() {
        let mut l = Limits::default();
        l.set("max_transaction_bytes", "64MiB").unwrap();
        assert_eq!(l.max_transaction_bytes, 64 * MIB);
        l.set("max_transaction_bytes", "512kB").unwrap();
        assert_eq!(l.max_transaction_bytes, 512 * KIB);
        l.set("max_key_bytes", "100").unwrap();
        assert_eq!(l.max_key_bytes, 100);
        l.set("max_transaction_age", "5min").unwrap();
        assert_eq!(l.max_transaction_age, Duration::from_secs(300));
        l.set("max_transaction_age", "1500ms").unwrap();
        assert_eq!(l.max_transaction_age, Duration::from_millis(1500));
        l.set("max_transaction_age", "2").unwrap();
        assert_eq!(l.max_transaction_age, Duration::from_secs(2));
        l.set("max_rows_modified", "10_000").unwrap();
        assert_eq!(l.max_rows_modified, 10_000);
    }

    #[test]
    fn bad_values_are_refused_and_change_nothing() {
        let mut l = Limits::default();
        for (name, value) in [
            ("max_rows_modified", "-1"),
            ("max_rows_modified", "0"),
            ("max_rows_modified", "ten"),
            ("max_rows_modified", "10MiB"),
            ("max_transaction_bytes", "10 parsecs"),
            ("max_transaction_bytes", "99999999999999999999"),
            ("max_transaction_age", "0s"),
            ("max_transaction_age", "5 fortnights"),
            ("no_such_limit", "1"),
        ] {
            assert!(l.set(name, value).is_err(), "{name}={value}");
        }
        assert_eq!(l, Limits::default());
        let err = l.set("no_such_limit", "1").unwrap_err();
        assert!(err.contains("max_rows_modified"), "{err}");
    }

    #[test]
    fn messages_quote_the_configured_limit() {
        let mut l = Limits::default();
        let e = l.check_transaction_size(10 * MIB + 1).unwrap_err();
        assert_eq!(
            (e.code(), e.message.as_str()),
            ("54000", "transaction size limit 10mb exceeded")
        );
        assert!(e.detail.unwrap().contains(&(10 * MIB + 1).to_string()));
        assert!(l.check_transaction_size(10 * MIB).is_ok());
        l.set("max_transaction_bytes", "64KiB").unwrap();
        assert_eq!(
            l.check_transaction_size(64 * KIB + 1).unwrap_err().message,
            "transaction size limit 64kb exceeded"
        );
        assert_eq!(
            Limits::default()
                .check_transaction_age(Duration::from_secs(301))
                .unwrap_err()
                .message,
            "transaction age limit of 300s exceeded"
        );
        l.set("max_transaction_age", "2s").unwrap();
        assert!(l.check_transaction_age(Duration::from_secs(2)).is_ok());
        assert_eq!(
            l.check_transaction_age(Duration::from_millis(2001))
                .unwrap_err()
                .message,
            "transaction age limit of 2s exceeded"
        );
        assert_eq!(
            l.check_table_count(1000).unwrap_err().message,
            "creating more than 1000 tables not allowed"
        );
        assert!(l.check_table_count(999).is_ok());
    }

    #[test]
    fn row_checks_name_the_value_before_the_row() {
        let l = Limits::default();
        let big = Value::Text("x".repeat(MIB + 1));
        let e = l.check_row(&[big], MIB + 10).unwrap_err();
        assert_eq!(e.message, "maximum column size exceeded");
        let half = Value::Text("x".repeat(MIB));
        let row = [half.clone(), half.clone(), half];
        assert_eq!(
            l.check_row(&row, 3 * MIB + 20).unwrap_err().message,
            "maximum row size exceeded"
        );
        assert!(l.check_row(&row[..1], MIB + 10).is_ok());
        assert!(l.check_key(&[0u8; 4 + 1024]).is_ok());
        assert_eq!(
            l.check_key(&[0u8; 4 + 1025]).unwrap_err().message,
            "key size too large"
        );
    }
}
