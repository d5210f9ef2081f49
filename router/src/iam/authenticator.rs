//! The IAM login method, and the combination with a password for local development.
//!
//! [`IamAuthenticator`] reads the password as an IAM auth token and lets the user in when:
//!
//! ```text
//!   token verifies for this user (TokenVerifier)      no  -> FATAL 28P01 IAM authentication failed for user "<u>"
//!     │                                                     (or, for X-Amz-Expires > 604800:
//!     │                                                      FATAL 28P01 unable to accept connection,
//!     │                                                      X-Amz-Expires must be less than a week (in seconds))
//!     ├─ action DbConnectAdmin (user admin) ──────────────> admitted: any configured key may act as admin
//!     └─ action DbConnect (any other user)
//!          RoleDirectory::check_login(user, key's principal ARN)
//!                                                     ok  -> admitted
//!                                                     err -> whatever the directory says
//! ```
//!
//! The router does not know the catalog, so the role check is a trait, [`RoleDirectory`], that
//! the query processor implements: the role must exist, have LOGIN, and be mapped to the key's
//! principal ARN by `AWS IAM GRANT`.
//!
//! [`CombinedAuthenticator`] is for local development: IAM always, and additionally the
//! `admin` password when one is configured. A password that parses as a token is checked as a
//! token; anything else is checked as the password (and refused as `password authentication
//! failed` when it is wrong, or as `IAM authentication failed` when no password is configured).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use super::token::{Action, AuthToken};
use super::verify::TokenVerifier;
use crate::auth::{AuthFailure, Authenticator, PasswordAuthenticator};

/// The method name of [`IamAuthenticator`], as refusals show it.
pub const IAM_METHOD: &str = "IAM";

/// The SQLSTATE of IAM refusals (invalid_password, as PostgreSQL uses for wrong credentials).
const IAM_REFUSAL_CODE: &str = "28P01";

/// Decides whether a (non-admin) role may log in with a valid `DbConnect` token.
#[async_trait]
pub trait RoleDirectory: Send + Sync + Debug {
    /// Admits `role` for a token signed by a key standing for `principal_arn` (`None` when the
    /// key has no principal configured), or says why not. Use [`AuthFailure::refused`] with
    /// [`IAM_METHOD`] for refusals the client must not learn the reason of, and
    /// [`AuthFailure::Rejected`] for those DSQL explains (e.g. a role without LOGIN).
    async fn check_login(&self, role: &str, principal_arn: Option<&str>)
    -> Result<(), AuthFailure>;
}

/// Authenticates with IAM auth tokens (see the module doc).
#[derive(Debug, Clone)]
pub struct IamAuthenticator {
    /// Checks the tokens.
    verifier: TokenVerifier,
    /// Checks non-admin roles.
    roles: Arc<dyn RoleDirectory>,
}

impl IamAuthenticator {
    /// An authenticator checking tokens with `verifier` and non-admin roles with `roles`.
    pub fn new(verifier: TokenVerifier, roles: Arc<dyn RoleDirectory>) -> IamAuthenticator {
        IamAuthenticator { verifier, roles }
    }

    /// Authenticates `user` with an already parsed `token`.
    async fn authenticate_token(
        &self,
        user: &str,
        token: &AuthToken,
        sni: Option<&str>,
    ) -> Result<(), AuthFailure> {
        let verified =
            self.verifier
                .verify_parsed(user, token)
                .map_err(|err| match err.client_message() {
                    Some(message) => AuthFailure::Rejected {
                        code: IAM_REFUSAL_CODE,
                        message: format!("unable to accept connection, {message}"),
                        reason: err.to_string(),
                    },
                    None => AuthFailure::refused(IAM_METHOD, err.to_string()),
                })?;
        // The SNI names the endpoint the client dialled. Where endpoints are configured, a
        // client that names another one is refused, as it would not reach this cluster in
        // DSQL; a client that sends no SNI (it dialled an IP address) is not.
        let endpoints = &self.verifier.config().endpoints;
        if let Some(sni) = sni
            && !endpoints.is_empty()
            && !endpoints.iter().any(|e| e.eq_ignore_ascii_case(sni))
        {
            return Err(AuthFailure::refused(
                IAM_METHOD,
                format!("TLS server name {sni:?} is not a configured endpoint"),
            ));
        }
        tracing::debug!(
            user,
            access_key_id = verified.access_key_id,
            host = verified.host,
            sni,
            "IAM token verified"
        );
        match verified.action {
            Action::DbConnectAdmin => Ok(()),
            Action::DbConnect => {
                self.roles
                    .check_login(user, verified.principal_arn.as_deref())
                    .await
            }
        }
    }
}

#[async_trait]
impl Authenticator for IamAuthenticator {
    fn method(&self) -> &'static str {
        IAM_METHOD
    }

    async fn authenticate(
        &self,
        user: &str,
        password: &[u8],
        sni: Option<&str>,
    ) -> Result<(), AuthFailure> {
        let token = std::str::from_utf8(password)
            .map_err(|_| AuthFailure::refused(IAM_METHOD, "the token is not UTF-8"))?;
        let token = AuthToken::parse(token)
            .map_err(|err| AuthFailure::refused(IAM_METHOD, err.to_string()))?;
        self.authenticate_token(user, &token, sni).await
    }
}

/// IAM tokens always, plus the `admin` password when one is configured (see the module doc).
#[derive(Debug, Clone)]
pub struct CombinedAuthenticator {
    /// The IAM method.
    iam: IamAuthenticator,
    /// The password method, if enabled.
    password: Option<Arc<PasswordAuthenticator>>,
}

impl CombinedAuthenticator {
    /// IAM with `iam`, and the password method too when `password` is given.
    pub fn new(
        iam: IamAuthenticator,
        password: Option<Arc<PasswordAuthenticator>>,
    ) -> CombinedAuthenticator {
        CombinedAuthenticator { iam, password }
    }
}

#[async_trait]
impl Authenticator for CombinedAuthenticator {
    fn method(&self) -> &'static str {
        IAM_METHOD
    }

    async fn authenticate(
        &self,
        user: &str,
        password: &[u8],
        sni: Option<&str>,
    ) -> Result<(), AuthFailure> {
        let token = std::str::from_utf8(password)
            .ok()
            .and_then(|text| AuthToken::parse(text).ok());
        match (token, &self.password) {
            (Some(token), _) => self.iam.authenticate_token(user, &token, sni).await,
            (None, Some(password_method)) => {
                password_method.authenticate(user, password, sni).await
            }
            (None, None) => Err(AuthFailure::refused(
                IAM_METHOD,
                "the password is not an IAM auth token",
            )),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;
    use std::time::Duration;

    use super::*;
    use crate::iam::credentials::{Credential, KeyStore};
    use crate::iam::sign::generate_token;
    use crate::iam::verify::{FixedClock, VerifierConfig};

    /// Roles for tests: role → the principal ARNs mapped to it; roles in `no_login` lack LOGIN.
    #[derive(Debug, Default)]
    pub(crate) struct MemoryRoles {
        /// Role → mapped ARNs.
        pub grants: HashMap<String, Vec<String>>,
        /// Roles without the LOGIN attribute.
        pub no_login: Vec<String>,
    }

    #[async_trait]
    impl RoleDirectory for MemoryRoles {
        async fn check_login(
            &self,
            role: &str,
            principal_arn: Option<&str>,
        ) -> Result<(), AuthFailure> {
            if self.no_login.iter().any(|r| r == role) {
                return Err(AuthFailure::Rejected {
                    code: "28000",
                    message: format!("role {role} must have the LOGIN attribute"),
                    reason: "no LOGIN".into(),
                });
            }
            let granted = self
                .grants
                .get(role)
                .is_some_and(|arns| principal_arn.is_some_and(|p| arns.iter().any(|a| a == p)));
            if granted {
                Ok(())
            } else {
                Err(AuthFailure::refused(
                    IAM_METHOD,
                    format!("{principal_arn:?} is not mapped to {role}"),
                ))
            }
        }
    }

    const APP_ARN: &str = "arn:aws:iam::123456789012:role/app";

    fn app_key() -> Credential {
        Credential::new("AKIAAPP", "app-secret").with_principal_arn(APP_ARN)
    }

    fn other_key() -> Credential {
        Credential::new("AKIAOTHER", "other-secret").with_principal_arn("arn:aws:iam::1:role/other")
    }

    fn now() -> std::time::SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(1_763_000_000)
    }

    fn iam() -> IamAuthenticator {
        iam_with(VerifierConfig::default())
    }

    fn iam_with(config: VerifierConfig) -> IamAuthenticator {
        let keys = KeyStore::from_credentials([app_key(), other_key()]).expect("keys");
        let verifier =
            TokenVerifier::new(Arc::new(keys), config).with_clock(Arc::new(FixedClock(now())));
        let roles = MemoryRoles {
            grants: HashMap::from([("app".to_owned(), vec![APP_ARN.to_owned()])]),
            no_login: vec!["nologin".to_owned()],
        };
        IamAuthenticator::new(verifier, Arc::new(roles))
    }

    fn token(key: &Credential, action: Action) -> String {
        generate_token(
            "localhost",
            "us-east-1",
            action,
            key,
            Duration::from_secs(900),
            now(),
        )
        .expect("token")
    }

    fn client_error(result: Result<(), AuthFailure>, user: &str) -> (String, String) {
        let failure = result.expect_err("refused");
        let (code, message) = failure.client_error(user);
        (code.to_owned(), message)
    }

    #[tokio::test]
    async fn admin_needs_any_key_and_roles_need_a_grant() {
        let auth = iam();
        assert_eq!(auth.method(), "IAM");
        let admin = token(&other_key(), Action::DbConnectAdmin);
        assert_eq!(
            auth.authenticate("admin", admin.as_bytes(), None).await,
            Ok(())
        );
        let app = token(&app_key(), Action::DbConnect);
        assert_eq!(
            auth.authenticate("app", app.as_bytes(), Some("localhost"))
                .await,
            Ok(())
        );
        let refused = (
            "28P01".to_owned(),
            "IAM authentication failed for user \"app\"".to_owned(),
        );
        let other = token(&other_key(), Action::DbConnect);
        assert_eq!(
            client_error(
                auth.authenticate("app", other.as_bytes(), None).await,
                "app"
            ),
            refused
        );
        // Right key, wrong action for the user.
        assert_eq!(
            client_error(
                auth.authenticate("app", admin.as_bytes(), None).await,
                "app"
            ),
            refused
        );
        assert_eq!(
            client_error(auth.authenticate("app", b"\xff\xfe", None).await, "app"),
            refused
        );
        assert_eq!(
            client_error(
                auth.authenticate("nologin", app.as_bytes(), None).await,
                "nologin"
            ),
            (
                "28000".to_owned(),
                "role nologin must have the LOGIN attribute".to_owned()
            )
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let shown = format!("{:?}", CombinedAuthenticator::new(iam(), None));
        assert!(shown.contains("AKIAAPP"), "{shown}");
        assert!(
            !shown.contains("app-secret") && !shown.contains("other-secret"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn with_endpoints_the_tls_server_name_must_be_one_of_them() {
        let auth = iam_with(VerifierConfig {
            endpoints: vec!["LocalHost".to_owned()],
            ..VerifierConfig::default()
        });
        let admin = token(&other_key(), Action::DbConnectAdmin);
        for sni in [None, Some("localhost")] {
            assert_eq!(
                auth.authenticate("admin", admin.as_bytes(), sni).await,
                Ok(()),
                "{sni:?}"
            );
        }
        assert_eq!(
            client_error(
                auth.authenticate("admin", admin.as_bytes(), Some("other.example"))
                    .await,
                "admin"
            ),
            (
                "28P01".to_owned(),
                "IAM authentication failed for user \"admin\"".to_owned()
            )
        );
        // Without configured endpoints any server name is fine.
        assert_eq!(
            iam()
                .authenticate("admin", admin.as_bytes(), Some("other.example"))
                .await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn over_a_week_is_the_one_explained_refusal() {
        let auth = iam();
        let long =
            token(&app_key(), Action::DbConnectAdmin).replace("Expires=900", "Expires=700000");
        assert_eq!(
            client_error(
                auth.authenticate("admin", long.as_bytes(), None).await,
                "admin"
            ),
            (
                "28P01".to_owned(),
                "unable to accept connection, X-Amz-Expires must be less than a week (in seconds)"
                    .to_owned()
            )
        );
    }

    #[tokio::test]
    async fn combined_checks_tokens_as_tokens_and_the_rest_as_the_password() {
        let with_password =
            CombinedAuthenticator::new(iam(), Some(Arc::new(PasswordAuthenticator::new("pw"))));
        let admin = token(&app_key(), Action::DbConnectAdmin);
        assert_eq!(
            with_password.authenticate("admin", b"pw", None).await,
            Ok(())
        );
        assert_eq!(
            with_password
                .authenticate("admin", admin.as_bytes(), None)
                .await,
            Ok(())
        );
        assert_eq!(
            client_error(
                with_password.authenticate("admin", b"nope", None).await,
                "admin"
            ),
            (
                "28P01".to_owned(),
                "password authentication failed for user \"admin\"".to_owned()
            )
        );
        let mut tampered = admin.clone();
        let last = tampered.pop().expect("non-empty token");
        tampered.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            client_error(
                with_password
                    .authenticate("admin", tampered.as_bytes(), None)
                    .await,
                "admin"
            ),
            (
                "28P01".to_owned(),
                "IAM authentication failed for user \"admin\"".to_owned()
            )
        );

        let iam_only = CombinedAuthenticator::new(iam(), None);
        assert_eq!(
            iam_only.authenticate("admin", admin.as_bytes(), None).await,
            Ok(())
        );
        assert_eq!(
            client_error(iam_only.authenticate("admin", b"pw", None).await, "admin"),
            (
                "28P01".to_owned(),
                "IAM authentication failed for user \"admin\"".to_owned()
            )
        );
    }
}
