//! Planning role statements: `CREATE ROLE` / `CREATE USER`, `ALTER ROLE`, `DROP ROLE`,
//! `GRANT` and `REVOKE` on tables and schemas, and DSQL's `AWS IAM GRANT` / `AWS IAM REVOKE`
//! become [`RoleDdl`] plans, with their objects resolved; [`crate::exec::roles`] runs them.
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

use crate::catalog::Catalog;
use crate::catalog::defs::{Grantee, Object, Privilege};
use crate::error::{Error, Result, SqlState};
use crate::names::{ident_name, resolve_relation};
use crate::parse::AwsIam;
use crate::plan::{Plan, Planned};
use crate::plan::{RoleDdl, Target};
use crate::roles::{self};
use sqlparser::ast;

fn unsupported(what: impl std::fmt::Display) -> Error {
    Error::unsupported(format!("unsupported statement: {what}"))
}

fn role_name(name: &ast::ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(ident_name)
            .ok_or_else(|| Error::syntax(format!("invalid role name {name}"))),
        _ => Err(Error::syntax(format!("invalid role name {name}"))),
    }
}

/// Plans a role statement; `None` for other statements.
pub fn plan(
    stmt: &ast::Statement,
    catalog: &Catalog,
    search_path: &[String],
) -> Result<Option<RoleDdl>> {
    use ast::Statement as S;
    Ok(Some(match stmt {
        S::CreateRole(create) => plan_create_role(create)?,
        S::CreateUser(user) => {
            if user.or_replace || !user.options.options.is_empty() || !user.tags.options.is_empty()
            {
                return Err(Error::unsupported(
                    "CREATE USER options are not supported; use CREATE ROLE name WITH LOGIN",
                ));
            }
            RoleDdl::Create {
                name: ident_name(&user.name),
                login: true,
                if_not_exists: user.if_not_exists,
            }
        }
        S::AlterRole { name, operation } => match operation {
            ast::AlterRoleOperation::WithOptions { options } => {
                let mut login = None;
                for option in options {
                    match option {
                        ast::RoleOption::Login(l) => login = Some(*l),
                        other => return Err(unsupported_option(other)),
                    }
                }
                let login =
                    login.ok_or_else(|| Error::syntax("ALTER ROLE needs LOGIN or NOLOGIN"))?;
                RoleDdl::Alter {
                    name: ident_name(name),
                    login,
                }
            }
            other => return Err(unsupported(format!("ALTER ROLE ... {other}"))),
        },
        S::Drop {
            object_type: ast::ObjectType::Role | ast::ObjectType::User,
            if_exists,
            names,
            ..
        } => RoleDdl::Drop {
            names: names.iter().map(role_name).collect::<Result<_>>()?,
            if_exists: *if_exists,
        },
        S::Grant(grant) => {
            if grant.with_grant_option {
                return Err(Error::unsupported("WITH GRANT OPTION is not supported"));
            }
            if grant.as_grantor.is_some()
                || grant.granted_by.is_some()
                || grant.current_grants.is_some()
            {
                return Err(unsupported(stmt));
            }
            plan_privileges(
                true,
                &grant.privileges,
                grant.objects.as_ref(),
                &grant.grantees,
                catalog,
                search_path,
            )?
        }
        S::Revoke(revoke) => {
            if revoke.grant_option_for || revoke.granted_by.is_some() {
                return Err(unsupported(stmt));
            }
            plan_privileges(
                false,
                &revoke.privileges,
                revoke.objects.as_ref(),
                &revoke.grantees,
                catalog,
                search_path,
            )?
        }
        _ => return Ok(None),
    }))
}

/// Plans `AWS IAM GRANT` / `AWS IAM REVOKE`: the ARN's shape is checked here.
pub fn plan_aws_iam(iam: &AwsIam, catalog: &Catalog) -> Result<Planned> {
    roles::validate_arn(&iam.arn)?;
    Ok(Planned {
        search_path: Vec::new(),
        plan: Plan::Roles(RoleDdl::AwsIam(iam.clone())),
        param_types: vec![],
        columns: vec![],
        catalog_version: catalog.version,
        uses_catalog: true,
        subqueries: Vec::new(),
    })
}

fn unsupported_option(option: &ast::RoleOption) -> Error {
    let name = option.to_string();
    let name = name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    Error::unsupported(format!("role option {name} is not supported"))
}

fn plan_create_role(create: &ast::CreateRole) -> Result<RoleDdl> {
    let [name] = create.names.as_slice() else {
        return Err(Error::syntax("CREATE ROLE creates one role"));
    };
    let refused = [
        ("PASSWORD", create.password.is_some()),
        ("SUPERUSER", create.superuser == Some(true)),
        ("CREATEDB", create.create_db == Some(true)),
        ("CREATEROLE", create.create_role == Some(true)),
        ("REPLICATION", create.replication == Some(true)),
        ("BYPASSRLS", create.bypassrls == Some(true)),
        ("CONNECTION LIMIT", create.connection_limit.is_some()),
        ("VALID UNTIL", create.valid_until.is_some()),
        (
            "IN ROLE",
            !create.in_role.is_empty() || !create.in_group.is_empty(),
        ),
        ("ROLE", !create.role.is_empty() || !create.user.is_empty()),
        ("ADMIN", !create.admin.is_empty()),
        ("AUTHORIZATION", create.authorization_owner.is_some()),
    ];
    if let Some((option, _)) = refused.iter().find(|(_, present)| *present) {
        let mut err = Error::unsupported(format!("role option {option} is not supported"));
        if *option == "PASSWORD" {
            err = err.with_detail(
                "Roles authenticate with IAM: map an IAM principal with AWS IAM GRANT.",
            );
        }
        return Err(err);
    }
    Ok(RoleDdl::Create {
        name: role_name(name)?,
        login: create.login.unwrap_or(false),
        if_not_exists: create.if_not_exists,
    })
}

fn plan_privileges(
    grant: bool,
    privileges: &ast::Privileges,
    objects: Option<&ast::GrantObjects>,
    grantees: &[ast::Grantee],
    catalog: &Catalog,
    search_path: &[String],
) -> Result<RoleDdl> {
    let verb = if grant { "GRANT" } else { "REVOKE" };
    let Some(objects) = objects else {
        return Err(Error::unsupported(format!(
            "{verb} of role membership is not supported"
        )));
    };
    let (targets, kind) = match objects {
        ast::GrantObjects::Tables(names) => {
            let mut targets = Vec::new();
            for name in names {
                let table = catalog.table(&resolve_relation(catalog, search_path, name)?)?;
                if table.is_system() {
                    return Err(Error::new(
                        SqlState::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied for table {}", table.name),
                    ));
                }
                targets.push(Target {
                    object: Object::Table(table.id),
                    owner: table.owner.clone(),
                    kind: "table",
                    name: table.name.clone(),
                });
            }
            (targets, "table")
        }
        ast::GrantObjects::AllTablesInSchema { schemas } => {
            let mut targets = Vec::new();
            for schema in schemas {
                let schema = schema_target(schema, catalog)?.name;
                let mut tables: Vec<_> = catalog
                    .tables
                    .values()
                    .filter(|t| t.schema == schema && !t.is_system())
                    .collect();
                tables.sort_by_key(|t| t.id);
                targets.extend(tables.into_iter().map(|t| Target {
                    object: Object::Table(t.id),
                    owner: t.owner.clone(),
                    kind: "table",
                    name: t.name.clone(),
                }));
            }
            (targets, "table")
        }
        ast::GrantObjects::Schemas(names) => (
            names
                .iter()
                .map(|n| schema_target(n, catalog))
                .collect::<Result<_>>()?,
            "schema",
        ),
        other => {
            return Err(Error::unsupported(format!(
                "unsupported statement: {verb} ON {other}"
            )));
        }
    };
    let valid: &[Privilege] = if kind == "table" {
        &Privilege::TABLE
    } else {
        &Privilege::SCHEMA
    };
    let privileges = match privileges {
        ast::Privileges::All { .. } => valid.to_vec(),
        ast::Privileges::Actions(actions) => {
            let mut list = Vec::new();
            for action in actions {
                let privilege = match action {
                    ast::Action::Select { columns: None } => Privilege::Select,
                    ast::Action::Insert { columns: None } => Privilege::Insert,
                    ast::Action::Update { columns: None } => Privilege::Update,
                    ast::Action::Delete => Privilege::Delete,
                    ast::Action::Usage => Privilege::Usage,
                    ast::Action::Create { obj_type: None } => Privilege::Create,
                    ast::Action::Select { .. }
                    | ast::Action::Insert { .. }
                    | ast::Action::Update { .. } => {
                        return Err(Error::unsupported("column privileges are not supported"));
                    }
                    ast::Action::Role { .. } => {
                        return Err(Error::unsupported(format!(
                            "{verb} of role membership is not supported"
                        )));
                    }
                    other => {
                        return Err(Error::unsupported(format!(
                            "privilege {other} is not supported"
                        )));
                    }
                };
                if !valid.contains(&privilege) {
                    return Err(Error::new(
                        SqlState::INVALID_GRANT_OPERATION,
                        format!("invalid privilege type {} for {kind}", privilege.name()),
                    ));
                }
                if !list.contains(&privilege) {
                    list.push(privilege);
                }
            }
            list
        }
    };
    let grantees = grantees
        .iter()
        .map(|g| match (&g.grantee_type, &g.name) {
            (ast::GranteesType::Public, _) => Ok(Grantee::Public),
            (
                ast::GranteesType::None | ast::GranteesType::Role,
                Some(ast::GranteeName::ObjectName(name)),
            ) => {
                let name = role_name(name)?;
                Ok(if name == "public" {
                    Grantee::Public
                } else {
                    Grantee::Role(name)
                })
            }
            _ => Err(Error::unsupported(format!("grantee {g} is not supported"))),
        })
        .collect::<Result<_>>()?;
    Ok(RoleDdl::Privileges {
        grant,
        privileges,
        targets,
        grantees,
    })
}

fn schema_target(name: &ast::ObjectName, catalog: &Catalog) -> Result<Target> {
    let name = role_name(name)?;
    let owner = catalog.schema_owners.get(&name).ok_or_else(|| {
        Error::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{name}\" does not exist"),
        )
    })?;
    Ok(Target {
        object: Object::Schema(name.clone()),
        owner: owner.clone(),
        kind: "schema",
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ColumnDef, TableDef};
    use crate::parse::{Parsed, parse_sql};
    use crate::roles::ADMIN;
    use crate::types::DataType;
    use std::sync::Arc;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        let table = TableDef {
            id: 1000,
            schema: "public".into(),
            name: "t".into(),
            columns: vec![ColumnDef {
                name: "k".into(),
                data_type: DataType::Int4,
                nullable: false,
                default: None,
            }],
            primary_key: vec![0],
            indexes: vec![],
            owner: "owner".into(),
        };
        catalog
            .tables
            .insert(table.qualified_name(), Arc::new(table));
        catalog
    }

    fn plan_one(sql: &str) -> Result<RoleDdl> {
        match parse_sql(sql)?.pop() {
            Some(Parsed::Sql(stmt)) => {
                Ok(plan(&stmt, &catalog(), &["public".to_string()])?.expect("a role statement"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn plans_grants_with_their_objects_and_privileges() {
        match plan_one("GRANT ALL ON SCHEMA public TO app, PUBLIC").unwrap() {
            RoleDdl::Privileges {
                grant: true,
                privileges,
                targets,
                grantees,
            } => {
                assert_eq!(privileges, Privilege::SCHEMA);
                assert_eq!(targets[0].object, Object::Schema("public".into()));
                assert_eq!(targets[0].owner, ADMIN);
                assert_eq!(grantees, [Grantee::Role("app".into()), Grantee::Public]);
            }
            other => panic!("{other:?}"),
        }
        match plan_one("REVOKE SELECT, SELECT, DELETE ON TABLE t FROM App").unwrap() {
            RoleDdl::Privileges {
                grant: false,
                privileges,
                targets,
                grantees,
            } => {
                assert_eq!(privileges, [Privilege::Select, Privilege::Delete]);
                assert_eq!(targets[0].object, Object::Table(1000));
                assert_eq!(targets[0].owner, "owner");
                assert_eq!(grantees, [Grantee::Role("app".into())]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_what_dsql_does_not_support() {
        for (sql, code) in [
            ("GRANT SELECT (k) ON t TO app", "0A000"),
            ("GRANT SELECT ON t TO app WITH GRANT OPTION", "0A000"),
            ("GRANT TRUNCATE ON t TO app", "0A000"),
            ("GRANT CREATE ON t TO app", "0LP01"),
            ("GRANT SELECT ON SCHEMA public TO app", "0LP01"),
            ("GRANT SELECT ON nope TO app", "42P01"),
            ("GRANT USAGE ON SCHEMA nope TO app", "3F000"),
            ("CREATE ROLE a WITH PASSWORD 'x'", "0A000"),
            ("CREATE ROLE a CREATEDB", "0A000"),
            ("CREATE ROLE a IN ROLE b", "0A000"),
            ("ALTER ROLE a RENAME TO b", "0A000"),
            ("ALTER ROLE a WITH SUPERUSER", "0A000"),
        ] {
            let err = plan_one(sql).unwrap_err();
            assert_eq!(err.code(), code, "{sql}: {err:?}");
        }
        // The defaults PostgreSQL spells out are accepted.
        match plan_one("CREATE ROLE a WITH NOSUPERUSER NOCREATEDB LOGIN").unwrap() {
            RoleDdl::Create { name, login, .. } => assert_eq!((name.as_str(), login), ("a", true)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn role_membership_is_refused() {
        // sqlparser's PostgreSQL dialect does not parse membership grants at all.
        let err = plan_one("GRANT reader TO app").unwrap_err();
        assert_eq!(err.code(), "42601", "{err:?}");
    }
}
