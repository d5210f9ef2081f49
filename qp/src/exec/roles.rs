//! Running role statements ([`RoleDdl`] plans, see [`crate::planner::roles`]): roles,
//! grants and IAM mappings written as catalog rows.
//!
//!
//! All of them are DDL: they change catalog rows and bump the catalog version (so each runs
//! alone in its transaction, and concurrent transactions that planned with the old catalog fail
//! with OC001). Only `admin` manages roles and IAM mappings; owners (and admin) grant and revoke
//! privileges on their tables and schemas. Every check runs before the first write, so a refused
//! statement changes nothing.
//!
//! Choices where neither DSQL nor PostgreSQL dictate an answer:
//! - `AWS IAM GRANT` of a mapping that exists, and `AWS IAM REVOKE` of one that does not,
//!   succeed without changing anything (like PostgreSQL's repeated `GRANT`, which only notes it).
//! - `DROP ROLE` removes the role's IAM mappings with it, as PostgreSQL removes role memberships.
//! - `AWS IAM GRANT` to a role without LOGIN fails with 55000 (object not in prerequisite
//!   state) and DSQL's message `role r must have the LOGIN attribute`.

use super::{ExecContext, Output};
use crate::catalog::Catalog;
use crate::catalog::defs::{Grant, Grantee, Object, Privilege};
use crate::error::{Error, Result, SqlState};
use crate::parse::AwsIam;
use crate::plan::{RoleDdl, Target};
use crate::roles::{self, ADMIN, IamMapping, Role};
/// Runs a role statement as the transaction's current role (`cx.user`).
pub async fn execute(ddl: &RoleDdl, cx: &mut ExecContext<'_>) -> Result<Output> {
    let catalog = cx.catalog.clone();
    match ddl {
        RoleDdl::Create {
            name,
            login,
            if_not_exists,
        } => create_role(&catalog, name, *login, *if_not_exists, cx).await,
        RoleDdl::Alter { name, login } => alter_role(&catalog, name, *login, cx).await,
        RoleDdl::Drop { names, if_exists } => drop_roles(&catalog, names, *if_exists, cx).await,
        RoleDdl::Privileges {
            grant,
            privileges,
            targets,
            grantees,
        } => change_privileges(&catalog, *grant, privileges, targets, grantees, cx).await,
        RoleDdl::AwsIam(iam) => aws_iam(&catalog, iam, cx).await,
    }
}

fn require_admin(cx: &ExecContext<'_>, message: &str) -> Result<()> {
    if cx.user == ADMIN {
        Ok(())
    } else {
        Err(Error::new(SqlState::INSUFFICIENT_PRIVILEGE, message))
    }
}

async fn create_role(
    catalog: &Catalog,
    name: &str,
    login: bool,
    if_not_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    require_admin(cx, "permission denied to create role")?;
    roles::check_new_role_name(name)?;
    if catalog.roles.contains_key(name) {
        if if_not_exists {
            return Ok(Output::Command("CREATE ROLE".into()));
        }
        return Err(Error::new(
            SqlState::DUPLICATE_OBJECT,
            format!("role \"{name}\" already exists"),
        ));
    }
    let role = Role {
        oid: roles::next_oid(cx.txn).await?,
        name: name.into(),
        login,
    };
    put_role(cx, &role);
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("CREATE ROLE".into()))
}

fn put_role(cx: &mut ExecContext<'_>, role: &Role) {
    cx.txn.put(
        roles::role_key(&role.name),
        crate::catalog::codec::encode(role),
    );
}

async fn alter_role(
    catalog: &Catalog,
    name: &str,
    login: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    require_admin(cx, "permission denied to alter role")?;
    if name == ADMIN {
        return Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied to alter role",
        )
        .with_detail("The admin role cannot be altered."));
    }
    let mut role = catalog
        .roles
        .get(name)
        .cloned()
        .ok_or_else(|| roles::undefined_role(name))?;
    role.login = login;
    put_role(cx, &role);
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("ALTER ROLE".into()))
}

/// What keeps `role` from being dropped: PostgreSQL's DETAIL lines.
fn dependents(catalog: &Catalog, role: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for (schema, owner) in &catalog.schema_owners {
        if owner == role {
            lines.push(format!("owner of schema {schema}"));
        }
    }
    let mut tables: Vec<_> = catalog.tables.values().collect();
    tables.sort_by_key(|t| t.id);
    let table_name = |id: u32| {
        tables
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.qualified_name().to_string())
    };
    for t in &tables {
        if t.owner == role {
            lines.push(format!("owner of table {}", t.qualified_name()));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for grant in &catalog.grants {
        if grant.grantee != Grantee::Role(role.into()) || !seen.insert(&grant.object) {
            continue;
        }
        match &grant.object {
            Object::Schema(s) => lines.push(format!("privileges for schema {s}")),
            Object::Table(id) => {
                if let Some(name) = table_name(*id) {
                    lines.push(format!("privileges for table {name}"));
                }
            }
        }
    }
    lines
}

async fn drop_roles(
    catalog: &Catalog,
    names: &[String],
    if_exists: bool,
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    require_admin(cx, "permission denied to drop role")?;
    let mut dropping = Vec::new();
    for name in names {
        if !catalog.roles.contains_key(name) {
            if if_exists {
                continue;
            }
            return Err(roles::undefined_role(name));
        }
        if name == cx.user {
            return Err(Error::new(
                SqlState::OBJECT_IN_USE,
                "current user cannot be dropped",
            ));
        }
        let lines = dependents(catalog, name);
        if !lines.is_empty() {
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("role \"{name}\" cannot be dropped because some objects depend on it"),
            )
            .with_detail(lines.join("\n")));
        }
        dropping.push(name);
    }
    if dropping.is_empty() {
        return Ok(Output::Command("DROP ROLE".into()));
    }
    for name in dropping {
        for key in roles::mappings_of(cx.txn, name).await? {
            cx.txn.delete(key);
        }
        cx.txn.delete(roles::role_key(name));
    }
    crate::catalog::store::bump_version(cx.txn).await?;
    Ok(Output::Command("DROP ROLE".into()))
}

async fn change_privileges(
    catalog: &Catalog,
    grant: bool,
    privileges: &[Privilege],
    targets: &[Target],
    grantees: &[Grantee],
    cx: &mut ExecContext<'_>,
) -> Result<Output> {
    let tag = if grant { "GRANT" } else { "REVOKE" };
    for target in targets {
        if cx.user != ADMIN && cx.user != target.owner {
            return Err(Error::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for {} {}", target.kind, target.name),
            ));
        }
    }
    for grantee in grantees {
        if let Grantee::Role(name) = grantee
            && !catalog.roles.contains_key(name)
        {
            return Err(roles::undefined_role(name));
        }
    }
    let mut changed = false;
    for target in targets {
        for grantee in grantees {
            for &privilege in privileges {
                let grant_row = Grant {
                    object: target.object.clone(),
                    grantee: grantee.clone(),
                    privilege,
                    grantor: cx.user.to_string(),
                };
                let exists = catalog.grants.iter().any(|g| g.key() == grant_row.key());
                if grant && !exists {
                    cx.txn
                        .put(grant_row.key(), crate::catalog::codec::encode(&grant_row));
                    changed = true;
                } else if !grant && exists {
                    cx.txn.delete(grant_row.key());
                    changed = true;
                }
            }
        }
    }
    if changed {
        crate::catalog::store::bump_version(cx.txn).await?;
    } else {
        // Nothing to change, but it is still this transaction's one DDL statement.
        cx.txn.has_ddl = true;
    }
    Ok(Output::Command(tag.into()))
}

async fn aws_iam(catalog: &Catalog, iam: &AwsIam, cx: &mut ExecContext<'_>) -> Result<Output> {
    let verb = if iam.grant { "GRANT" } else { "REVOKE" };
    let tag = format!("AWS IAM {verb}");
    if cx.user != ADMIN {
        return Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            format!("permission denied to run AWS IAM {verb}"),
        )
        .with_detail("Only the admin role maps IAM principals to roles."));
    }
    if iam.role == ADMIN {
        return Err(Error::new(
            SqlState::INSUFFICIENT_PRIVILEGE,
            "permission denied to map IAM principals to role \"admin\"",
        )
        .with_detail("admin connects with a DbConnectAdmin token."));
    }
    let role = catalog
        .roles
        .get(&iam.role)
        .cloned()
        .ok_or_else(|| roles::undefined_role(&iam.role))?;
    let key = roles::mapping_key(&role.name, &iam.arn);
    let exists = cx.txn.get(&key).await?.is_some();
    if iam.grant {
        if !role.login {
            return Err(Error::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("role {} must have the LOGIN attribute", role.name),
            ));
        }
        if !exists {
            let grantor = catalog
                .roles
                .get(cx.user)
                .cloned()
                .unwrap_or_else(Role::admin);
            let mapping = IamMapping {
                iam_oid: roles::next_oid(cx.txn).await?,
                arn: iam.arn.clone(),
                role,
                grantor,
            };
            cx.txn.put(
                mapping.key(),
                crate::catalog::TableDef::encode_row(&mapping.row()),
            );
            crate::catalog::store::bump_version(cx.txn).await?;
            return Ok(Output::Command(tag));
        }
    } else if exists {
        cx.txn.delete(key);
        crate::catalog::store::bump_version(cx.txn).await?;
        return Ok(Output::Command(tag));
    }
    cx.txn.has_ddl = true;
    Ok(Output::Command(tag))
}
