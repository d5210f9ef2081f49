//! `pg_catalog.pg_proc`: the built-in functions, one row per overload dsql has, with
//! PostgreSQL's oids and signatures ([`crate::functions::procs`]), and the internal functions
//! `pg_type` names (`int4in`, ...). dsql has no user functions yet.

use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid};
use crate::catalog::defs::ADMIN_OID;
use crate::catalog::oids::{Oid, PG_CATALOG_NAMESPACE};
use crate::functions::procs;
use crate::types::{Array, DataType, ElementType, RegKind, Value};

/// `prolang` of PostgreSQL's built-in C functions (`internal`).
const INTERNAL_LANGUAGE: Oid = 12;

/// `pg_proc` (`pg_node_tree` columns are `text`;
/// `proacl`, an `aclitem[]`, is `text[]`, NULL for the default privileges).
pub struct PgProc;

impl SystemTable for PgProc {
    fn name(&self) -> &'static str {
        "pg_proc"
    }
    fn oid(&self) -> Oid {
        1255
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const TEXTS: DataType = DataType::Array(ElementType::Text);
        const OIDS: DataType = DataType::Array(ElementType::Oid);
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("proname", DataType::Name),
            column("pronamespace", DataType::Oid),
            column("proowner", DataType::Oid),
            column("prolang", DataType::Oid),
            column("procost", DataType::Float4),
            column("prorows", DataType::Float4),
            column("provariadic", DataType::Oid),
            column("prosupport", DataType::Reg(RegKind::Proc)),
            column("prokind", DataType::InternalChar),
            column("prosecdef", DataType::Bool),
            column("proleakproof", DataType::Bool),
            column("proisstrict", DataType::Bool),
            column("proretset", DataType::Bool),
            column("provolatile", DataType::InternalChar),
            column("proparallel", DataType::InternalChar),
            column("pronargs", DataType::Int2),
            column("pronargdefaults", DataType::Int2),
            column("prorettype", DataType::Oid),
            column("proargtypes", DataType::OidVector),
            nullable("proallargtypes", OIDS),
            nullable("proargmodes", DataType::Array(ElementType::InternalChar)),
            nullable("proargnames", TEXTS),
            nullable("proargdefaults", DataType::Text),
            nullable("protrftypes", OIDS),
            column("prosrc", DataType::Text),
            nullable("probin", DataType::Text),
            nullable("prosqlbody", DataType::Text),
            nullable("proconfig", TEXTS),
            nullable("proacl", TEXTS),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        procs::pg_proc_rows()
            .map(|p| {
                let args = p.args.iter().map(|&t| Value::Int(i64::from(t))).collect();
                // A VARIADIC function's last argument's type, and every argument's mode.
                let (variadic, modes) = if p.variadic {
                    let modes = (0..p.args.len())
                        .map(|i| char(if i + 1 == p.args.len() { 'v' } else { 'i' }))
                        .collect();
                    let last = p.args.last().copied().unwrap_or(0);
                    (last, Value::array(Array::from_elements(modes)))
                } else {
                    (0, Value::Null)
                };
                vec![
                    oid(p.oid),
                    name(p.name),
                    oid(PG_CATALOG_NAMESPACE),
                    Value::Int(ADMIN_OID),
                    oid(INTERNAL_LANGUAGE),
                    Value::Float(1.0),
                    Value::Float(if p.returns_set { 1000.0 } else { 0.0 }),
                    oid(variadic),
                    Value::Int(0),
                    char(p.kind),
                    Value::Bool(false),
                    Value::Bool(false),
                    Value::Bool(p.strict),
                    Value::Bool(p.returns_set),
                    char(p.volatility),
                    char('s'),
                    Value::Int(p.args.len() as i64),
                    Value::Int(0),
                    oid(p.returns),
                    Value::array(Array::vector(args)),
                    Value::Null,
                    modes,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Text(p.source.to_string()),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ]
            })
            .collect()
    }
}
