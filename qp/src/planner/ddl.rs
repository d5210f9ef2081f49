//! Planning DDL and session statements that are not expressions: `CREATE TABLE` and
//! `SET ROLE` / `SET role = ...`.
//!
//! `DROP TABLE`, schemas and roles are planned in the dispatch ([`Planner::plan`]) or by
//! their own modules ([`super::schemas`], [`super::roles`]); indexes in `index.rs`.

use super::Planner;
use super::coerce::coerce;
use super::scope::Scope;
use crate::catalog::{ColumnDef, TableDef};
use crate::error::{Error, Result, SqlState};
use crate::names::{column_type, creation_name, ident_name};
use crate::plan::Plan;
use sqlparser::ast;

impl Planner<'_> {
    /// Plans `CREATE TABLE`: column types, NULL / NOT NULL, defaults (checked now, stored as
    /// SQL text) and the primary key, as a column constraint or a table constraint.
    pub(super) fn plan_create_table(&mut self, create: &ast::CreateTable) -> Result<Plan> {
        self.uses_catalog = true;
        if create.query.is_some() {
            return Err(Error::unsupported("unsupported statement: CREATE TABLE AS"));
        }
        let qualified = creation_name(self.catalog, &self.search_path, &create.name)?;
        if !self.catalog.schemas.contains(&qualified.schema) {
            return Err(Error::new(
                SqlState::INVALID_SCHEMA_NAME,
                format!("schema \"{}\" does not exist", qualified.schema),
            ));
        }
        if qualified.schema == crate::catalog::SYS_SCHEMA {
            return Err(Error::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                format!("permission denied for schema {}", qualified.schema),
            ));
        }
        let name = qualified.name.clone();
        let mut columns: Vec<ColumnDef> = Vec::new();
        let mut primary_key: Option<Vec<usize>> = None;
        for col in &create.columns {
            let col_name = ident_name(&col.name);
            if columns.iter().any(|c| c.name == col_name) {
                return Err(Error::new(
                    SqlState::DUPLICATE_COLUMN,
                    format!("column \"{col_name}\" specified more than once"),
                ));
            }
            let mut def = ColumnDef {
                name: col_name,
                data_type: column_type(&col.data_type)?,
                nullable: true,
                default: None,
            };
            let index = columns.len();
            for option in &col.options {
                match &option.option {
                    ast::ColumnOption::Null => def.nullable = true,
                    ast::ColumnOption::NotNull => def.nullable = false,
                    ast::ColumnOption::Default(expr) => {
                        // Check now that the default plans and has a compatible type.
                        let (planned, ty) =
                            self.plan_expr(expr, &Scope::default(), None, Some(def.data_type))?;
                        coerce(planned, ty, def.data_type, true)?;
                        def.default = Some(expr.to_string());
                    }
                    ast::ColumnOption::PrimaryKey(_) => {
                        if primary_key.is_some() {
                            return Err(Error::new(
                                SqlState::INVALID_TABLE_DEFINITION,
                                format!(
                                    "multiple primary keys for table \"{name}\" are not allowed"
                                ),
                            ));
                        }
                        primary_key = Some(vec![index]);
                        def.nullable = false;
                    }
                    other => {
                        return Err(Error::unsupported(format!(
                            "column constraint {other} is not supported yet"
                        )));
                    }
                }
            }
            columns.push(def);
        }
        for constraint in &create.constraints {
            match constraint {
                ast::TableConstraint::PrimaryKey(pk) => {
                    if primary_key.is_some() {
                        return Err(Error::new(
                            SqlState::INVALID_TABLE_DEFINITION,
                            format!("multiple primary keys for table \"{name}\" are not allowed"),
                        ));
                    }
                    let mut indexes = Vec::new();
                    for col in &pk.columns {
                        let ast::Expr::Identifier(ident) = &col.column.expr else {
                            return Err(Error::syntax("primary key columns must be column names"));
                        };
                        let col_name = ident_name(ident);
                        let i =
                            columns
                                .iter()
                                .position(|c| c.name == col_name)
                                .ok_or_else(|| {
                                    Error::undefined_column(&col_name).with_detail("named in key")
                                })?;
                        columns[i].nullable = false;
                        indexes.push(i);
                    }
                    primary_key = Some(indexes);
                }
                other => {
                    return Err(Error::unsupported(format!(
                        "table constraint {other} is not supported yet"
                    )));
                }
            }
        }
        // The column and key-column limits are checked when the table is created
        // (`Limits::check_table`), where the configured limits are known.
        let primary_key = primary_key.unwrap_or_default();
        Ok(Plan::CreateTable {
            table: TableDef {
                id: 0,
                schema: qualified.schema,
                name,
                columns,
                primary_key,
                indexes: vec![],
                // The creating role, filled in at execution.
                owner: String::new(),
            },
            if_not_exists: create.if_not_exists,
        })
    }
}

/// `SET ROLE r`, `SET ROLE NONE`, `SET role = 'r'` as a [`Plan::SetRole`]; `None` for every
/// other SET (see `settings::plan_set`, which asks this first).
pub fn plan_set_role(set: &ast::Set) -> Result<Option<Plan>> {
    Ok(Some(match set {
        ast::Set::SetRole {
            context_modifier: Some(ast::ContextModifier::Local),
            ..
        } => return Err(Error::unsupported("SET LOCAL ROLE is not supported")),
        ast::Set::SetRole { role_name, .. } => Plan::SetRole(role_name.as_ref().map(ident_name)),
        ast::Set::SingleAssignment {
            variable, values, ..
        } if variable.to_string().eq_ignore_ascii_case("role") => match values.as_slice() {
            [ast::Expr::Identifier(i)]
                if i.quote_style.is_none()
                    && (i.value.eq_ignore_ascii_case("none")
                        || i.value.eq_ignore_ascii_case("default")) =>
            {
                Plan::SetRole(None)
            }
            [ast::Expr::Identifier(i)] => Plan::SetRole(Some(ident_name(i))),
            [single] => Plan::SetRole(Some(crate::names::literal_text(single))),
            _ => return Err(Error::syntax("SET ROLE takes one role name")),
        },
        _ => return Ok(None),
    }))
}
