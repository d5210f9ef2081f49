//! The login check the router asks for before it admits a non-admin role.
//!
//! The router verifies the IAM token (signature, expiry, `DbConnect` action) and learns the
//! principal's ARN from its key configuration; whether that principal may log in as the role
//! it asked for is catalog data, answered here at a fresh snapshot by a read-only transaction
//! (nothing is written or committed):
//!
//! ```text
//! role exists?  ── no ──> UnknownRole
//!     │ yes
//! LOGIN?        ── no ──> NoLogin
//!     │ yes
//! ARN known?    ── no ──> NoPrincipal
//!     │ yes
//! mapped by AWS IAM GRANT? ── no ──> NotMapped
//!     │ yes
//!    Ok
//! ```

use crate::catalog::Catalog;
use crate::error::Error;
use crate::roles::{self, ADMIN};
use crate::txn::Transaction;

/// Why a role may not log in. Logged by the router, never shown to the client (which only
/// sees that IAM authentication failed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefusal {
    /// No role has this name.
    #[error("role \"{0}\" does not exist")]
    UnknownRole(String),
    /// The role exists but has NOLOGIN.
    #[error("role \"{0}\" does not have the LOGIN attribute")]
    NoLogin(String),
    /// The token's principal ARN is unknown (the access key has no ARN configured).
    #[error("no IAM principal ARN is known for the token, so role \"{0}\" cannot be checked")]
    NoPrincipal(String),
    /// No `AWS IAM GRANT` maps the principal to the role.
    #[error("IAM principal {arn} is not mapped to role \"{role}\" (AWS IAM GRANT)")]
    NotMapped {
        /// The role asked for.
        role: String,
        /// The token's principal.
        arn: String,
    },
    /// The catalog could not be read.
    #[error("the catalog could not be read: {0}")]
    Unavailable(String),
}

impl From<Error> for LoginRefusal {
    fn from(err: Error) -> LoginRefusal {
        LoginRefusal::Unavailable(format!("{} ({})", err.message, err.code()))
    }
}

/// Whether the IAM principal `principal_arn` may log in as `role`, read in `txn` against
/// its `catalog`: the role exists, has LOGIN, and `AWS IAM GRANT role TO '<principal_arn>'`
/// was run. `admin` always passes: the router admits it on a valid `DbConnectAdmin` token
/// alone.
pub async fn check_login(
    txn: &mut Transaction,
    catalog: &Catalog,
    role: &str,
    principal_arn: Option<&str>,
) -> Result<(), LoginRefusal> {
    if role == ADMIN {
        return Ok(());
    }
    let found = catalog
        .roles
        .get(role)
        .ok_or_else(|| LoginRefusal::UnknownRole(role.into()))?;
    if !found.login {
        return Err(LoginRefusal::NoLogin(role.into()));
    }
    let arn = principal_arn.ok_or_else(|| LoginRefusal::NoPrincipal(role.into()))?;
    if txn.get(&roles::mapping_key(role, arn)).await?.is_none() {
        return Err(LoginRefusal::NotMapped {
            role: role.into(),
            arn: arn.into(),
        });
    }
    Ok(())
}
