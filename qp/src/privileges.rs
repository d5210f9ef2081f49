//! Privileges on tables and schemas, with PostgreSQL's rules.
//!
//! A role may use an object when it is `admin`, owns the object, or was granted the privilege
//! (directly or through `PUBLIC`). Built-in grants: `USAGE` on `public` and `sys` to `PUBLIC`,
//! and `SELECT` on every system table to `PUBLIC`; `CREATE` on `public` belongs to its owner,
//! `admin` (PostgreSQL 15's default). Granted privileges are catalog rows (system table
//! [`GRANTS_TABLE_ID`]), so GRANT and REVOKE are DDL: they bump the catalog version, and a
//! concurrent transaction that planned with the old catalog fails at COMMIT with OC001.
//!
//! Checks run in the session after planning and before execution, against the plan's tables
//! and the session's current role, on every execution: a prepared plan is shared across
//! `SET ROLE`, and a GRANT changes the catalog version, which re-plans it anyway.
//!
//! ```text
//! SELECT v FROM s.t WHERE k = 1      USAGE on s, SELECT on s.t
//! UPDATE s.t SET v = v + 1 WHERE ..  USAGE on s, UPDATE on s.t, SELECT on s.t (it reads columns)
//! UPDATE s.t SET v = 0               USAGE on s, UPDATE on s.t
//! INSERT INTO t ... RETURNING id     USAGE on public, INSERT and SELECT on t
//! CREATE TABLE s.t (..)              CREATE on s
//! DROP TABLE s.t                     ownership of s.t
//! ```

pub use crate::catalog::access::{has_schema_privilege, has_table_privilege};
pub use crate::catalog::defs::{Grant, Grantee, Object, Privilege};
pub use crate::catalog::store::{revoke_all_on, stored_grants};
pub use crate::catalog::sys::GRANTS_TABLE_ID;
use crate::catalog::{Catalog, TableDef};
use crate::error::{Error, Result, SqlState};
use crate::expr::Expr;
use crate::plan::{InsertSource, Plan, Planned, QueryPlan};
use crate::roles::ADMIN;

/// 42501 unless `role` holds `privilege` on `schema`.
pub fn require_schema(
    catalog: &Catalog,
    role: &str,
    schema: &str,
    privilege: Privilege,
) -> Result<()> {
    if has_schema_privilege(catalog, role, schema, privilege) {
        Ok(())
    } else {
        Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            format!("permission denied for schema {schema}"),
        ))
    }
}

/// 42501 unless `role` may use `table`'s schema and holds `privilege` on it.
pub fn require_table(
    catalog: &Catalog,
    role: &str,
    table: &TableDef,
    privilege: Privilege,
) -> Result<()> {
    require_schema(catalog, role, &table.schema, Privilege::Usage)?;
    if has_table_privilege(catalog, role, table, privilege) {
        Ok(())
    } else {
        Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            format!("permission denied for table {}", table.name),
        ))
    }
}

/// 42501 `must be owner of table t` unless `role` is admin or owns `table`.
pub fn require_table_owner(role: &str, table: &TableDef) -> Result<()> {
    if role == ADMIN || table.owner == role {
        Ok(())
    } else {
        Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            format!("must be owner of table {}", table.name),
        ))
    }
}

/// Checks that `role` may run `plan`. Role, schema and grant statements check their own
/// rules when they execute.
pub fn check_plan(catalog: &Catalog, role: &str, plan: &Plan) -> Result<()> {
    if role == ADMIN {
        return Ok(());
    }
    match plan {
        Plan::Explain { inner, .. } => check_plan(catalog, role, inner),
        Plan::Query(q) => check_query(catalog, role, q),
        Plan::Insert(p) => {
            require_table(catalog, role, &p.table, Privilege::Insert)?;
            if !p.returning.is_empty() {
                require_table(catalog, role, &p.table, Privilege::Select)?;
            }
            if let InsertSource::Query(q, _) = &p.rows {
                check_query(catalog, role, q)?;
            }
            Ok(())
        }
        Plan::Update(p) => {
            require_table(catalog, role, &p.table, Privilege::Update)?;
            let reads = p.filter.is_some()
                || !p.returning.is_empty()
                || p.assignments.iter().any(|(_, e)| reads_columns(e));
            if reads {
                require_table(catalog, role, &p.table, Privilege::Select)?;
            }
            Ok(())
        }
        Plan::Delete(p) => {
            require_table(catalog, role, &p.table, Privilege::Delete)?;
            if p.filter.is_some() || !p.returning.is_empty() {
                require_table(catalog, role, &p.table, Privilege::Select)?;
            }
            Ok(())
        }
        Plan::CreateTable { table, .. } => {
            require_schema(catalog, role, &table.schema, Privilege::Create)
        }
        Plan::DropTable { names, .. } => {
            for name in names {
                if let Some(table) = catalog.tables.get(name) {
                    require_table_owner(role, table)?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks that `role` may read every table a query reads.
fn check_query(catalog: &Catalog, role: &str, q: &QueryPlan) -> Result<()> {
    let mut result = Ok(());
    q.tables(&mut |table| {
        if result.is_ok() {
            result = require_table(catalog, role, table, Privilege::Select);
        }
    });
    result
}

/// Checks that `role` may run a planned statement: its plan and the subqueries its
/// expressions use.
pub fn check_planned(catalog: &Catalog, role: &str, planned: &Planned) -> Result<()> {
    if role == ADMIN {
        return Ok(());
    }
    // As in PostgreSQL, what the plan no longer evaluates (a subquery under `false AND`)
    // needs no privilege.
    for id in used_subqueries(planned) {
        check_query(catalog, role, &planned.subqueries[id].query)?;
    }
    check_plan(catalog, role, &planned.plan)
}

/// The subqueries a plan still evaluates: those its expressions refer to, and those theirs
/// refer to.
fn used_subqueries(planned: &Planned) -> Vec<usize> {
    let mut used = vec![false; planned.subqueries.len()];
    let mut pending = Vec::new();
    planned.plan.exprs(&mut |e| e.subqueries(&mut pending));
    while let Some(id) = pending.pop() {
        if id >= used.len() || std::mem::replace(&mut used[id], true) {
            continue;
        }
        planned.subqueries[id]
            .query
            .blocks(&mut |b| b.exprs(&mut |e| e.subqueries(&mut pending)));
    }
    (0..used.len()).filter(|&id| used[id]).collect()
}

/// Whether evaluating `e` reads a column of the input row.
fn reads_columns(e: &Expr) -> bool {
    match e {
        Expr::Column(_) | Expr::AggRef(_) | Expr::SetFunctionRef(_) | Expr::WindowRef(_) => true,
        Expr::Literal(_) | Expr::Param(_) | Expr::Outer { .. } => false,
        // Taken as reading the row (a correlated one does, through its outer references).
        Expr::Subquery { .. } => true,
        Expr::AnyOf { lhs, .. } | Expr::InSet { lhs, .. } => reads_columns(lhs),
        Expr::RowIn { lhs, .. } => lhs.iter().any(reads_columns),
        Expr::Binary { left, right, .. } => reads_columns(left) || reads_columns(right),
        Expr::Not(e) | Expr::Negate(e, _) | Expr::IsNull(e, _) | Expr::Cast(e, _, _) => {
            reads_columns(e)
        }
        Expr::Case(arms, other) => {
            arms.iter()
                .any(|(c, r)| reads_columns(c) || reads_columns(r))
                || other.as_deref().is_some_and(reads_columns)
        }
        Expr::InList(e, list, _) => reads_columns(e) || list.iter().any(reads_columns),
        Expr::Like { expr, pattern, .. } => reads_columns(expr) || reads_columns(pattern),
        Expr::Func(_, args) | Expr::Call(_, args) | Expr::Array { elements: args, .. } => {
            args.iter().any(reads_columns)
        }
        Expr::Subscript {
            array, subscripts, ..
        } => {
            reads_columns(array)
                || subscripts
                    .iter()
                    .any(|(l, u)| l.iter().chain(u.iter()).any(reads_columns))
        }
        Expr::AnyArray { lhs, array, .. } => reads_columns(lhs) || reads_columns(array),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ColumnDef;
    use crate::types::DataType;

    fn table(owner: &str) -> TableDef {
        TableDef {
            id: 1000,
            schema: "s".into(),
            name: "t".into(),
            columns: vec![ColumnDef {
                name: "v".into(),
                data_type: DataType::Int4,
                nullable: true,
                default: None,
            }],
            primary_key: vec![],
            indexes: vec![],
            owner: owner.into(),
        }
    }

    fn grant(object: Object, grantee: Grantee, privilege: Privilege) -> Grant {
        Grant {
            object,
            grantee,
            privilege,
            grantor: ADMIN.into(),
        }
    }

    #[test]
    fn owners_admin_grants_and_public() {
        let mut catalog = Catalog::default();
        catalog.schemas.insert("s".into());
        catalog.schema_owners.insert("s".into(), "owner".into());
        let t = table("owner");
        let (sel, ins) = (Privilege::Select, Privilege::Insert);
        assert!(has_table_privilege(&catalog, "admin", &t, sel));
        assert!(has_table_privilege(&catalog, "owner", &t, ins));
        assert!(!has_table_privilege(&catalog, "app", &t, sel));
        let err = require_table(&catalog, "app", &t, sel).unwrap_err();
        assert_eq!(
            (err.code(), err.message.as_str()),
            ("42501", "permission denied for schema s")
        );
        catalog.grants.insert(grant(
            Object::Schema("s".into()),
            Grantee::Public,
            Privilege::Usage,
        ));
        let err = require_table(&catalog, "app", &t, sel).unwrap_err();
        assert_eq!(err.message, "permission denied for table t");
        catalog
            .grants
            .insert(grant(Object::Table(1000), Grantee::Role("app".into()), sel));
        require_table(&catalog, "app", &t, sel).unwrap();
        assert!(!has_table_privilege(&catalog, "app", &t, ins));
        assert!(!has_table_privilege(&catalog, "other", &t, sel));
        assert!(has_schema_privilege(
            &catalog,
            "app",
            "public",
            Privilege::Usage
        ));
        assert!(!has_schema_privilege(
            &catalog,
            "app",
            "public",
            Privilege::Create
        ));
    }

    #[test]
    fn grant_keys_ignore_the_grantor() {
        let a = grant(Object::Table(7), Grantee::Public, Privilege::Select);
        let mut b = a.clone();
        b.grantor = "owner".into();
        assert_eq!(a.key(), b.key());
        let c = grant(Object::Table(7), Grantee::Public, Privilege::Insert);
        assert_ne!(a.key(), c.key());
    }
}
