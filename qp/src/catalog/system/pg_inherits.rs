//! `pg_catalog.pg_inherits`: table inheritance and partitions. DSQL has neither, so it is
//! empty; psql and SQLAlchemy join it to tell partitions and child tables apart.

use super::{Catalog, SystemColumn, SystemTable, column};
use crate::catalog::oids::Oid;
use crate::types::{DataType, Value};

/// `pg_inherits`
pub struct PgInherits;

impl SystemTable for PgInherits {
    fn name(&self) -> &'static str {
        "pg_inherits"
    }
    fn oid(&self) -> Oid {
        2611
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("inhrelid", DataType::Oid),
            column("inhparent", DataType::Oid),
            column("inhseqno", DataType::Int4),
            column("inhdetachpending", DataType::Bool),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        Vec::new()
    }
}
