//! `pg_catalog.pg_am`: the access methods, PostgreSQL's seven built-in ones. dsql's tables
//! are `heap` and its indexes `btree` in `pg_class.relam`, as PostgreSQL's are by default.

use super::{Catalog, SystemColumn, SystemTable, char, column, name, oid};
use crate::catalog::oids::{BTREE_AM, HEAP_AM, Oid};
use crate::types::{DataType, RegKind, Value};

/// `pg_am`
pub struct PgAm;

/// Every access method: oid, name, handler, type (`t` table, `i` index).
const METHODS: &[(Oid, &str, &str, char)] = &[
    (HEAP_AM, "heap", "heap_tableam_handler", 't'),
    (BTREE_AM, "btree", "bthandler", 'i'),
    (405, "hash", "hashhandler", 'i'),
    (783, "gist", "gisthandler", 'i'),
    (2742, "gin", "ginhandler", 'i'),
    (3580, "brin", "brinhandler", 'i'),
    (4000, "spgist", "spghandler", 'i'),
];

impl SystemTable for PgAm {
    fn name(&self) -> &'static str {
        "pg_am"
    }
    fn oid(&self) -> Oid {
        2601
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("amname", DataType::Name),
            column("amhandler", DataType::Reg(RegKind::Proc)),
            column("amtype", DataType::InternalChar),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        METHODS
            .iter()
            .map(|&(id, am, handler, kind)| {
                let handler = crate::functions::procs::internal_oid(handler).unwrap_or(0);
                vec![oid(id), name(am), oid(handler), char(kind)]
            })
            .collect()
    }
}
