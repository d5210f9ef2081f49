//! `pg_catalog.pg_opclass`: btree's default operator classes for the types dsql indexes,
//! with PostgreSQL 15's oids (what `pg_index.indclass` names).

use super::{Catalog, SystemColumn, SystemTable, column, name, oid};
use crate::catalog::defs::ADMIN_OID;
use crate::catalog::oids::{self, BTREE_AM, Oid, PG_CATALOG_NAMESPACE};
use crate::types::{DataType, Value};

/// One operator class: oid, name, operator family, input type, key type (0: the input's).
struct OpClass(Oid, &'static str, Oid, Oid, Oid);

const BTREE_OPCLASSES: &[OpClass] = &[
    OpClass(1978, "int4_ops", 1976, 23, 0),
    OpClass(1979, "int2_ops", 1976, 21, 0),
    OpClass(1981, "oid_ops", 1989, 26, 0),
    OpClass(3122, "date_ops", 434, 1082, 0),
    OpClass(3123, "float8_ops", 1970, 701, 0),
    OpClass(3124, "int8_ops", 1976, 20, 0),
    OpClass(3125, "numeric_ops", 1988, 1700, 0),
    OpClass(3126, "text_ops", 1994, 25, 0),
    OpClass(3127, "timestamptz_ops", 434, 1184, 0),
    OpClass(3128, "timestamp_ops", 434, 1114, 0),
    OpClass(10003, "bool_ops", 424, 16, 0),
    OpClass(10004, "bpchar_ops", 426, 1042, 0),
    OpClass(10007, "char_ops", 429, 18, 0),
    OpClass(10012, "float4_ops", 1970, 700, 0),
    OpClass(10028, "name_ops", 1994, 19, 2275),
];

/// The oid of btree's default operator class for keys of type `t` (`varchar` keys use
/// `text_ops`, the reg types `oid_ops`); 0 for a type that has none.
pub fn default_btree_opclass(t: DataType) -> Oid {
    let input = match t {
        DataType::Varchar(_) => oids::type_oid(DataType::Text),
        DataType::Reg(_) => oids::type_oid(DataType::Oid),
        t => oids::type_oid(t),
    };
    BTREE_OPCLASSES
        .iter()
        .find(|c| c.3 == input)
        .map_or(0, |c| c.0)
}

/// `pg_opclass`
pub struct PgOpclass;

impl SystemTable for PgOpclass {
    fn name(&self) -> &'static str {
        "pg_opclass"
    }
    fn oid(&self) -> Oid {
        2616
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("opcmethod", DataType::Oid),
            column("opcname", DataType::Name),
            column("opcnamespace", DataType::Oid),
            column("opcowner", DataType::Oid),
            column("opcfamily", DataType::Oid),
            column("opcintype", DataType::Oid),
            column("opcdefault", DataType::Bool),
            column("opckeytype", DataType::Oid),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        BTREE_OPCLASSES
            .iter()
            .map(|c| {
                vec![
                    oid(c.0),
                    oid(BTREE_AM),
                    name(c.1),
                    oid(PG_CATALOG_NAMESPACE),
                    Value::Int(ADMIN_OID),
                    oid(c.2),
                    oid(c.3),
                    Value::Bool(true),
                    oid(c.4),
                ]
            })
            .collect()
    }
}
