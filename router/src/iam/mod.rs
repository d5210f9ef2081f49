//! IAM authentication: Aurora DSQL's way of logging in, reproduced without AWS.
//!
//! A DSQL client does not send a password. It asks its AWS SDK for an *auth token*, a SigV4
//! presigned URL for the action `DbConnect` (or `DbConnectAdmin` for `admin`), made offline with
//! the client's access key, and sends that as the password:
//!
//! ```text
//!   client (boto3, AWS CLI, `dsql token`)                 router
//!   generate_token(host, region, action, key, 900 s)
//!   ──── PasswordMessage("host/?Action=DbConnect&X-Amz-...&X-Amz-Signature=9fdb...") ───>
//!                                                        token::AuthToken::parse     (syntax)
//!                                                        verify::TokenVerifier       (checks, signature
//!                                                          with the secret from credentials::KeyStore)
//!                                                        RoleDirectory::check_login  (role, LOGIN, ARN)
//!   <─── AuthenticationOk ... or FATAL 28P01 IAM authentication failed for user "app" ───
//! ```
//!
//! AWS would check the signature against IAM; a self-hosted server holds the keys itself, in
//! a [`KeyStore`] loaded from an AWS shared-credentials file or the standard environment
//! variables, so the same file serves the clients' SDKs and the server.
//!
//! - [`token`]: the token's syntax ([`AuthToken::parse`]).
//! - [`credentials`]: the key store ([`KeyStore`], [`Credential`]).
//! - [`verify`]: the checks, in order ([`TokenVerifier`]).
//! - [`sign`]: making tokens as boto3 does ([`generate_token`]), and the shared SigV4 step.
//! - [`authenticator`]: the login methods ([`IamAuthenticator`], [`CombinedAuthenticator`]) and
//!   the role-check hook ([`RoleDirectory`]).

pub mod authenticator;
pub mod credentials;
pub mod sign;
pub mod token;
pub mod verify;

pub use authenticator::{CombinedAuthenticator, IAM_METHOD, IamAuthenticator, RoleDirectory};
pub use credentials::{Credential, CredentialsError, KeyStore, Secret};
pub use sign::{DEFAULT_EXPIRES_IN, MAX_EXPIRES_SECS, SignError, generate_token};
pub use token::{Action, AuthToken, ParseError};
pub use verify::{
    Clock, DEFAULT_CLOCK_SKEW, DEFAULT_REGION, FixedClock, OVER_A_WEEK_MESSAGE, SystemClock,
    TokenError, TokenVerifier, Verified, VerifierConfig,
};
