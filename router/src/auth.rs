//! Authentication: who may connect, as a pluggable step of the startup.
//!
//! The startup handler ([`Startup`](crate::Startup)) asks the client for a cleartext password
//! (safe: the connection is always TLS) and hands the user name, the password bytes and the TLS
//! SNI server name to an [`Authenticator`]. The authenticator answers yes or no; it never talks
//! to the client itself, so every refusal looks the same on the wire:
//!
//! ```text
//!   FATAL 28P01  password authentication failed for user "bob"
//! ```
//!
//! whatever the reason (unknown user, wrong password, expired token). The reason goes to the
//! server log only ([`AuthFailure::Refused`]). The few refusals a client is told about in words
//! of their own (an IAM token valid for more than a week) are [`AuthFailure::Rejected`], and
//! [`AuthFailure::client_error`] is the one place that turns a failure into the client's
//! SQLSTATE and message.
//!
//! [`PasswordAuthenticator`] is the local-development method: one user, `admin`, with a
//! configured password. Aurora DSQL's IAM tokens (a SigV4-presigned URL sent as the password)
//! are another implementation of the same trait, [`IamAuthenticator`](crate::iam::IamAuthenticator):
//! the token arrives in `password`, and the SNI names the cluster endpoint the client dialled.
//! [`CombinedAuthenticator`](crate::iam::CombinedAuthenticator) offers both.

use std::fmt::Debug;

use async_trait::async_trait;
use subtle::ConstantTimeEq as _;

/// The user that [`PasswordAuthenticator`] admits: DSQL's built-in administrator role.
pub const ADMIN_USER: &str = "admin";

/// The method name of [`PasswordAuthenticator`], as refusals show it.
pub const PASSWORD_METHOD: &str = "password";

/// Why an [`Authenticator`] refused a login, and what the client is told.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// The credentials are wrong: unknown user, wrong password, bad or expired token. The
    /// client sees FATAL 28P01 `<method> authentication failed for user "<user>"`; the reason is
    /// logged at debug level only.
    #[error("{method} credentials refused: {reason}")]
    Refused {
        /// The method that refused, e.g. `password` or `IAM`.
        method: &'static str,
        /// The precise reason, for the server log.
        reason: String,
    },
    /// A refusal the client is told about in words of its own: FATAL with `code` and
    /// `message` exactly (e.g. an IAM token valid for more than a week). The reason is logged
    /// at debug level.
    #[error("refused ({code} {message}): {reason}")]
    Rejected {
        /// The SQLSTATE.
        code: &'static str,
        /// The message the client sees.
        message: String,
        /// The precise reason, for the server log.
        reason: String,
    },
    /// The authenticator could not decide (for example, a key store it consults is down). The
    /// client sees SQLSTATE 08004 and may retry; the reason is logged as a warning.
    #[error("authentication unavailable: {0}")]
    Unavailable(String),
}

impl AuthFailure {
    /// A [`AuthFailure::Refused`] by `method` for `reason`.
    pub fn refused(method: &'static str, reason: impl Into<String>) -> AuthFailure {
        AuthFailure::Refused {
            method,
            reason: reason.into(),
        }
    }

    /// The SQLSTATE and message the client sees when `user` is refused this way.
    pub fn client_error(&self, user: &str) -> (&'static str, String) {
        match self {
            AuthFailure::Refused { method, .. } => (
                "28P01",
                format!("{method} authentication failed for user \"{user}\""),
            ),
            AuthFailure::Rejected { code, message, .. } => (code, message.clone()),
            AuthFailure::Unavailable(_) => (
                "08004",
                "unable to accept connection, authentication is unavailable".to_owned(),
            ),
        }
    }
}

/// Decides whether a client may log in. Implementations are shared by every connection.
#[async_trait]
pub trait Authenticator: Send + Sync + Debug {
    /// The method's name, e.g. `password` or `IAM` (a combined authenticator names its main
    /// method). Refusals carry the name of the method that actually refused
    /// ([`AuthFailure::Refused`]).
    fn method(&self) -> &'static str;

    /// Checks the credentials a client presented: its user name, the bytes of its password
    /// message (a password or a token), and the TLS SNI server name it sent, if any.
    async fn authenticate(
        &self,
        user: &str,
        password: &[u8],
        sni: Option<&str>,
    ) -> Result<(), AuthFailure>;
}

/// Admits the user [`ADMIN_USER`] with one configured password and refuses everyone else.
///
/// Only a SHA-256 digest of the password is kept, and presented passwords are compared digest to
/// digest in constant time, so neither the content nor the length of the password shows in the
/// response time.
pub struct PasswordAuthenticator {
    /// SHA-256 of the configured password.
    digest: [u8; 32],
}

impl PasswordAuthenticator {
    /// An authenticator that admits `admin` with `password`.
    pub fn new(password: &str) -> PasswordAuthenticator {
        PasswordAuthenticator {
            digest: sha256(password.as_bytes()),
        }
    }
}

impl Debug for PasswordAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not even the digest: it would allow an offline guess of a weak password.
        f.debug_struct("PasswordAuthenticator")
            .field("user", &ADMIN_USER)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Authenticator for PasswordAuthenticator {
    fn method(&self) -> &'static str {
        PASSWORD_METHOD
    }

    async fn authenticate(
        &self,
        user: &str,
        password: &[u8],
        _sni: Option<&str>,
    ) -> Result<(), AuthFailure> {
        // Hash before looking at the user so both refusals take the same time.
        let matches: bool = sha256(password).ct_eq(&self.digest).into();
        if user != ADMIN_USER {
            return Err(AuthFailure::refused(
                PASSWORD_METHOD,
                format!("password login is only available for user {ADMIN_USER:?}"),
            ));
        }
        if !matches {
            return Err(AuthFailure::refused(PASSWORD_METHOD, "wrong password"));
        }
        Ok(())
    }
}

/// The SHA-256 digest of `bytes`.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admits_admin_with_the_right_password_only() {
        let auth = PasswordAuthenticator::new("s3cret");
        assert_eq!(auth.authenticate("admin", b"s3cret", None).await, Ok(()));
        assert!(matches!(
            auth.authenticate("admin", b"s3cret ", None).await,
            Err(AuthFailure::Refused {
                method: "password",
                ..
            })
        ));
        assert!(matches!(
            auth.authenticate("admin", b"", None).await,
            Err(AuthFailure::Refused {
                method: "password",
                ..
            })
        ));
        assert!(matches!(
            auth.authenticate("bob", b"s3cret", Some("localhost")).await,
            Err(AuthFailure::Refused {
                method: "password",
                ..
            })
        ));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let auth = PasswordAuthenticator::new("hunter2");
        let shown = format!("{auth:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("admin"), "{shown}");
    }
}
