//! Roles and their IAM mappings, as catalog data.
//!
//! A DSQL cluster has one built-in role, `admin`: it owns the built-in schemas and system
//! tables, holds every privilege, and cannot be created, altered or dropped. Other roles are
//! created with `CREATE ROLE` and become login roles for IAM principals through
//! `AWS IAM GRANT role TO '<arn>'`, which adds a row to the system table
//! `sys.iam_pg_role_mappings`:
//!
//! ```text
//! CREATE ROLE app WITH LOGIN;                                    roles:    app (oid 16384, LOGIN)
//! AWS IAM GRANT app TO 'arn:aws:iam::123456789012:role/app';     mappings: (app, arn) by admin
//! -- a client presenting a DbConnect token of that principal may now log in as app
//! ```
//!
//! Roles are stored one per key in system table [`ROLES_TABLE_ID`] (the built-in admin is not
//! stored) and loaded with the rest of the catalog, so role DDL is ordinary DDL: it bumps the
//! catalog version. IAM mappings are rows of a real system table, read by normal queries and
//! by [`crate::Engine::check_login`]; they are not part of the in-memory catalog.

pub use crate::catalog::defs::{ADMIN, ADMIN_OID, Role};
pub use crate::catalog::sys::{
    IAM_MAPPINGS_TABLE, IAM_MAPPINGS_TABLE_ID, ROLES_TABLE_ID, iam_mappings_table,
};
use crate::error::{Error, Result, SqlState};
use crate::txn::Transaction;
use crate::types::Value;
use crate::types::keycode;
use proto::{Key, KeyRange};

/// The first oid given to a role or IAM mapping (PostgreSQL's first user object id).
pub const FIRST_OID: i64 = 16384;

/// The catalog key of a role.
pub fn role_key(name: &str) -> Key {
    let mut key = keycode::table_prefix(ROLES_TABLE_ID);
    keycode::encode_value(&Value::Text(name.into()), &mut key).expect("text always encodes");
    key
}

/// The key of the oid counter shared by roles and IAM mappings.
fn next_oid_key() -> Key {
    let mut key = keycode::table_prefix(crate::catalog::META_TABLE_ID);
    key.push(2);
    key
}

/// Hands out the next oid (inside the DDL's transaction, so two concurrent DDLs conflict on
/// the counter as well as on the catalog version).
pub async fn next_oid(txn: &mut Transaction) -> Result<i64> {
    let key = next_oid_key();
    let next = match txn.get(&key).await? {
        None => FIRST_OID,
        Some(bytes) => i64::from_be_bytes(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| Error::internal("damaged oid counter"))?,
        ),
    };
    txn.put(key, (next + 1).to_be_bytes().to_vec());
    Ok(next)
}

/// One row of `sys.iam_pg_role_mappings`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IamMapping {
    /// The mapping's own oid.
    pub iam_oid: i64,
    /// The IAM principal.
    pub arn: String,
    /// The mapped role.
    pub role: Role,
    /// The role that ran `AWS IAM GRANT`.
    pub grantor: Role,
}

impl IamMapping {
    /// The row's key.
    pub fn key(&self) -> Key {
        mapping_key(&self.role.name, &self.arn)
    }

    /// The row, in the table's column order.
    pub fn row(&self) -> Vec<Value> {
        vec![
            Value::Int(self.iam_oid),
            Value::Text(self.arn.clone()),
            Value::Int(self.role.oid),
            Value::Text(self.role.name.clone()),
            Value::Int(self.grantor.oid),
            Value::Text(self.grantor.name.clone()),
        ]
    }
}

/// The key of the mapping of `role` to `arn`.
pub fn mapping_key(role: &str, arn: &str) -> Key {
    iam_mappings_table()
        .row_key(&[Value::Text(role.into()), Value::Text(arn.into())])
        .expect("text always encodes")
}

/// The keys of every mapping of `role`.
pub async fn mappings_of(txn: &mut Transaction, role: &str) -> Result<Vec<Key>> {
    let mut prefix = keycode::table_prefix(IAM_MAPPINGS_TABLE_ID);
    keycode::encode_value(&Value::Text(role.into()), &mut prefix)?;
    let rows = txn.scan(&KeyRange::prefix(&prefix), None, false).await?;
    Ok(rows.into_iter().map(|(k, _)| k).collect())
}

/// Checks the shape of an IAM principal ARN: `arn:<partition>:iam::<12-digit account>:role/<name>`
/// or `...:user/<name>` (names may carry an IAM path, `role/path/name`).
pub fn validate_arn(arn: &str) -> Result<()> {
    let invalid = || {
        Error::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("invalid IAM principal ARN \"{arn}\""),
        )
        .with_detail(
            "Expected arn:aws:iam::<12-digit account id>:role/<name> or \
             arn:aws:iam::<12-digit account id>:user/<name>.",
        )
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(invalid());
    };
    let partition_ok = matches!(*partition, "aws" | "aws-cn" | "aws-us-gov");
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let name = resource
        .strip_prefix("role/")
        .or_else(|| resource.strip_prefix("user/"));
    let name_ok = name.is_some_and(|n| {
        !n.is_empty()
            && !n.starts_with('/')
            && !n.ends_with('/')
            && !n.contains("//")
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
    });
    if *scheme == "arn"
        && partition_ok
        && *service == "iam"
        && region.is_empty()
        && account_ok
        && name_ok
    {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// Checks that a new role's name is allowed (PostgreSQL reserves `public`, `none` and the
/// `pg_` prefix).
pub fn check_new_role_name(name: &str) -> Result<()> {
    if name.starts_with("pg_") {
        return Err(Error::new(
            SqlState::RESERVED_NAME,
            format!("role name \"{name}\" is reserved"),
        )
        .with_detail("Role names starting with \"pg_\" are reserved."));
    }
    if matches!(name, "public" | "none") {
        return Err(Error::new(
            SqlState::RESERVED_NAME,
            format!("role name \"{name}\" is reserved"),
        ));
    }
    Ok(())
}

/// The error for a role name that does not exist.
pub fn undefined_role(name: &str) -> Error {
    Error::new(
        SqlState::UNDEFINED_OBJECT,
        format!("role \"{name}\" does not exist"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_shapes() {
        for ok in [
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::123456789012:role/service-role/app.v2@x",
            "arn:aws-cn:iam::123456789012:role/a",
        ] {
            validate_arn(ok).unwrap();
        }
        for bad in [
            "",
            "arn:aws:iam::12345678901:role/app",
            "arn:aws:iam::1234567890123:role/app",
            "arn:aws:iam::12345678901x:role/app",
            "arn:aws:iam:us-east-1:123456789012:role/app",
            "arn:aws:sts::123456789012:assumed-role/app/s",
            "arn:aws:iam::123456789012:group/app",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/a b",
            "arn:aws:iam::123456789012:role//a",
            "arn:other:iam::123456789012:role/a",
        ] {
            let err = validate_arn(bad).unwrap_err();
            assert_eq!(err.code(), "22023", "{bad}");
            assert!(err.message.contains(bad), "{}", err.message);
        }
    }

    #[test]
    fn reserved_role_names() {
        for name in ["public", "none", "pg_monitor"] {
            assert_eq!(check_new_role_name(name).unwrap_err().code(), "42939");
        }
        check_new_role_name("app").unwrap();
    }

    #[test]
    fn mapping_rows_fit_their_table() {
        let table = iam_mappings_table();
        let mapping = IamMapping {
            iam_oid: 16385,
            arn: "arn:aws:iam::123456789012:role/x".into(),
            role: Role {
                oid: 16384,
                name: "app".into(),
                login: true,
            },
            grantor: Role::admin(),
        };
        let row = mapping.row();
        assert_eq!(row.len(), table.columns.len());
        assert_eq!(table.key_of_row(&row, None).unwrap(), mapping.key());
    }
}
