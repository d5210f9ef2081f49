//! Verifying an IAM auth token: is this token, presented by this user, good right now?
//!
//! [`TokenVerifier::verify`] parses the token ([`AuthToken::parse`]) and then checks, in this
//! order, stopping at the first failure:
//!
//! | # | check | refused when |
//! |---|---|---|
//! | 1 | `X-Amz-Expires` | 0, or above 604,800 (one week) |
//! | 2 | `X-Amz-Algorithm` | not `AWS4-HMAC-SHA256` |
//! | 3 | `X-Amz-SignedHeaders` | not `host` |
//! | 4 | credential scope | service not `dsql`, terminator not `aws4_request`, region not the configured one, scope date not `X-Amz-Date`'s date |
//! | 5 | `Action` | not `DbConnectAdmin` for user `admin`, or not `DbConnect` for any other user |
//! | 6 | host | endpoint names are configured and the token's host is not one of them |
//! | 7 | time window | not yet valid (`X-Amz-Date` > now + skew) or expired (now > `X-Amz-Date` + `X-Amz-Expires`) |
//! | 8 | access key | its id is not in the [`KeyStore`] |
//! | 9 | session token | the key has one and `X-Amz-Security-Token` is absent or different |
//! | 10 | signature | differs from the one recomputed with the key's secret at the token's own `X-Amz-Date` |
//!
//! The cheap, secret-free checks come first; the HMAC (about 5 µs) runs last. Step 10 signs
//! with whatever security token the token carries, so a token that carries one for a key
//! configured without one still verifies only if the signature covers it. Signatures and session
//! tokens are compared in constant time.
//!
//! Each refusal is a [`TokenError`] whose text names the precise reason, for the server log. The
//! client learns none of it (see [`IamAuthenticator`](super::IamAuthenticator)) except for an
//! expiry above a week, where [`TokenError::client_message`] gives the fixed text clients of
//! Aurora DSQL see.
//!
//! For example, with the key `access_key` configured, DSQL.md's published DbConnectAdmin token
//! (signed 2024-11-07 17:39:33 UTC, valid 900 s) admits `admin` from 17:34:33 (five minutes of
//! skew early, for a signer whose clock runs ahead) until 17:54:33 (fifteen minutes, and not a
//! second more: the skew never extends a token's lifetime); user `bob` presenting it is refused
//! at step 5, and a token whose `X-Amz-Expires` was edited fails at step 10.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use subtle::ConstantTimeEq as _;

use super::credentials::KeyStore;
use super::sign::{ALGORITHM, MAX_EXPIRES_SECS, SERVICE, SigningInput, signature_params};
use super::token::{Action, AuthToken, ParseError};

/// The region tokens must be signed for unless configured otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How far the signing time may lie in the future, or the expiry in the past, by default.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The part of a refusal a client may see for a token valid for more than a week.
pub const OVER_A_WEEK_MESSAGE: &str = "X-Amz-Expires must be less than a week (in seconds)";

/// A source of the current time, injectable so that tests can fix it.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that always reads the same instant (for tests).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// What the verifier accepts besides the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierConfig {
    /// The region tokens must be signed for. Default [`DEFAULT_REGION`].
    pub region: String,
    /// The endpoint host names tokens may be signed for (compared ignoring ASCII case). Empty
    /// (the default) accepts any host.
    pub endpoints: Vec<String>,
    /// How far ahead of the server a signer's clock may run: a token dated up to this far in
    /// the future is accepted. It never extends a token past its expiry. Default
    /// [`DEFAULT_CLOCK_SKEW`].
    pub clock_skew: Duration,
}

impl Default for VerifierConfig {
    fn default() -> VerifierConfig {
        VerifierConfig {
            region: DEFAULT_REGION.to_owned(),
            endpoints: Vec::new(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// A token that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The access key that signed it.
    pub access_key_id: String,
    /// The principal ARN configured for that key, if any.
    pub principal_arn: Option<String>,
    /// The action it grants.
    pub action: Action,
    /// The host it was signed for.
    pub host: String,
}

/// Why a token was refused. The text is for the server log, never for the client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The password is not a token at all.
    #[error(transparent)]
    Malformed(#[from] ParseError),
    /// `X-Amz-Expires` is 0.
    #[error("X-Amz-Expires must be positive")]
    ZeroExpiry,
    /// `X-Amz-Expires` is above one week.
    #[error("X-Amz-Expires is {0}: {OVER_A_WEEK_MESSAGE}")]
    OverAWeek(u64),
    /// `X-Amz-Algorithm` is not `AWS4-HMAC-SHA256`.
    #[error("unsupported algorithm {0:?}")]
    Algorithm(String),
    /// `X-Amz-SignedHeaders` is not `host`.
    #[error("signed headers must be \"host\", not {0:?}")]
    SignedHeaders(String),
    /// The credential scope names another service or terminator.
    #[error("token is scoped to service {service:?} ({terminator:?}), not dsql")]
    Service {
        /// The scope's service.
        service: String,
        /// The scope's terminator.
        terminator: String,
    },
    /// The credential scope names another region.
    #[error("token is for region {found:?}, this server is {expected:?}")]
    Region {
        /// The configured region.
        expected: String,
        /// The token's region.
        found: String,
    },
    /// The scope date is not `X-Amz-Date`'s date.
    #[error("credential scope date {scope} does not match X-Amz-Date {date}")]
    ScopeDate {
        /// The scope's date.
        scope: String,
        /// `X-Amz-Date`.
        date: String,
    },
    /// The action does not fit the user.
    #[error("action {found} does not allow logging in as {user:?} (needs {expected})")]
    Action {
        /// The user logging in.
        user: String,
        /// The action the user needs.
        expected: Action,
        /// The token's action.
        found: Action,
    },
    /// The host is not one of the configured endpoints.
    #[error("token is for host {0:?}, not one of this server's endpoints")]
    Host(String),
    /// The token's validity ended.
    #[error("token expired (signed at {date}, valid {expires} s)")]
    Expired {
        /// `X-Amz-Date`.
        date: String,
        /// `X-Amz-Expires`.
        expires: u64,
    },
    /// The token's signing time lies in the future.
    #[error("token is not valid yet (signed at {0})")]
    NotYetValid(String),
    /// No configured key has this id.
    #[error("unknown access key id {0:?}")]
    UnknownKey(String),
    /// The key requires a session token the token lacks or does not match.
    #[error("security token missing or wrong for access key id {0:?}")]
    SecurityToken(String),
    /// The signature does not match.
    #[error("signature mismatch for access key id {0:?}")]
    Signature(String),
    /// The signature could not be computed.
    #[error("cannot recompute the signature: {0}")]
    Signing(String),
}

impl TokenError {
    /// The text a client may see about this refusal, if any: only an expiry above a week
    /// is explained ([`OVER_A_WEEK_MESSAGE`]); every other refusal stays unexplained.
    pub fn client_message(&self) -> Option<&'static str> {
        match self {
            TokenError::OverAWeek(_) => Some(OVER_A_WEEK_MESSAGE),
            _ => None,
        }
    }
}

/// Checks IAM auth tokens against a [`KeyStore`] (see the module doc for the checks).
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    /// The accepted keys.
    keys: Arc<KeyStore>,
    /// Region, endpoints, skew.
    config: VerifierConfig,
    /// The time source.
    clock: Arc<dyn Clock>,
}

impl TokenVerifier {
    /// A verifier for `keys` with `config`, reading the system clock.
    pub fn new(keys: Arc<KeyStore>, config: VerifierConfig) -> TokenVerifier {
        TokenVerifier {
            keys,
            config,
            clock: Arc::new(SystemClock),
        }
    }

    /// The same verifier reading `clock` instead.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> TokenVerifier {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Checks that `token` lets `user` log in now.
    pub fn verify(&self, user: &str, token: &str) -> Result<Verified, TokenError> {
        self.verify_parsed(user, &AuthToken::parse(token)?)
    }

    /// Checks an already parsed token (see [`TokenVerifier::verify`]).
    pub fn verify_parsed(&self, user: &str, token: &AuthToken) -> Result<Verified, TokenError> {
        // 1. Validity length.
        if token.expires == 0 {
            return Err(TokenError::ZeroExpiry);
        }
        if token.expires > MAX_EXPIRES_SECS {
            return Err(TokenError::OverAWeek(token.expires));
        }
        // 2, 3. Algorithm and signed headers.
        if token.algorithm != ALGORITHM {
            return Err(TokenError::Algorithm(token.algorithm.clone()));
        }
        if token.signed_headers != "host" {
            return Err(TokenError::SignedHeaders(token.signed_headers.clone()));
        }
        // 4. Credential scope.
        let scope = &token.credential;
        if scope.service != SERVICE || scope.terminator != "aws4_request" {
            return Err(TokenError::Service {
                service: scope.service.clone(),
                terminator: scope.terminator.clone(),
            });
        }
        if scope.region != self.config.region {
            return Err(TokenError::Region {
                expected: self.config.region.clone(),
                found: scope.region.clone(),
            });
        }
        if token.date.get(..8) != Some(scope.date.as_str()) {
            return Err(TokenError::ScopeDate {
                scope: scope.date.clone(),
                date: token.date.clone(),
            });
        }
        // 5. Action.
        let expected = Action::for_user(user);
        if token.action != expected {
            return Err(TokenError::Action {
                user: user.to_owned(),
                expected,
                found: token.action,
            });
        }
        // 6. Host.
        if !self.config.endpoints.is_empty()
            && !self
                .config
                .endpoints
                .iter()
                .any(|endpoint| endpoint.eq_ignore_ascii_case(&token.host))
        {
            return Err(TokenError::Host(token.host.clone()));
        }
        // 7. Time window.
        let now = self.clock.now();
        let skew = self.config.clock_skew;
        if token.signed_at > now + skew {
            return Err(TokenError::NotYetValid(token.date.clone()));
        }
        // The skew forgives a signer's clock running ahead (above), never an expired token.
        let valid_until = token
            .signed_at
            .checked_add(Duration::from_secs(token.expires));
        if valid_until.is_none_or(|until| now > until) {
            return Err(TokenError::Expired {
                date: token.date.clone(),
                expires: token.expires,
            });
        }
        // 8. Key.
        let key = self
            .keys
            .get(&scope.access_key_id)
            .ok_or_else(|| TokenError::UnknownKey(scope.access_key_id.clone()))?;
        // 9. Session token.
        if let Some(required) = &key.session_token {
            let presented = token.security_token.as_deref().unwrap_or_default();
            if !required.matches(presented) {
                return Err(TokenError::SecurityToken(scope.access_key_id.clone()));
            }
        }
        // 10. Signature.
        let input = SigningInput {
            host: &token.host,
            region: &scope.region,
            action: token.action,
            access_key_id: &scope.access_key_id,
            session_token: token.security_token.as_deref(),
            signed_at: token.signed_at,
            expires: token.expires,
        };
        let params = signature_params(&input, key.secret_access_key.expose())
            .map_err(|err| TokenError::Signing(err.to_string()))?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_default()
        };
        // The recomputation must have signed what the token says it signed.
        let expected_credential = format!(
            "{}/{}/{}/{SERVICE}/aws4_request",
            scope.access_key_id, scope.date, scope.region
        );
        if param("X-Amz-Date") != token.date || param("X-Amz-Credential") != expected_credential {
            return Err(TokenError::Signing(
                "the recomputed scope differs from the token's".into(),
            ));
        }
        let matches: bool = param("X-Amz-Signature")
            .as_bytes()
            .ct_eq(token.signature.as_bytes())
            .into();
        if !matches {
            return Err(TokenError::Signature(scope.access_key_id.clone()));
        }
        Ok(Verified {
            access_key_id: scope.access_key_id.clone(),
            principal_arn: key.principal_arn.clone(),
            action: token.action,
            host: token.host.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::credentials::Credential;
    use crate::iam::sign::generate_token;
    use crate::iam::sign::tests::VECTORS;
    use proptest::prelude::*;

    /// The keys of both published vector sets.
    fn keys() -> Arc<KeyStore> {
        Arc::new(
            KeyStore::from_credentials([
                Credential::new("access_key", "secret_key"),
                Credential::new("akid", "secret").with_session_token("token"),
            ])
            .expect("keys"),
        )
    }

    /// A verifier whose clock reads `now`.
    fn verifier_at(now: SystemTime) -> TokenVerifier {
        TokenVerifier::new(keys(), VerifierConfig::default()).with_clock(Arc::new(FixedClock(now)))
    }

    /// The user each action admits.
    fn user_for(action: Action) -> &'static str {
        match action {
            Action::DbConnectAdmin => "admin",
            Action::DbConnect => "app_user",
        }
    }

    #[test]
    fn every_published_vector_verifies() {
        for vector in &VECTORS {
            let verifier = verifier_at(vector.signed_at() + Duration::from_secs(60));
            let verified = verifier
                .verify(user_for(vector.action), &vector.token())
                .unwrap_or_else(|err| panic!("{}: {err}", vector.token()));
            assert_eq!(verified.action, vector.action);
            assert_eq!(verified.host, vector.host);
        }
    }

    /// The first vector (plain key, DbConnect) with `edit` applied, verified for `user` a minute
    /// after signing.
    fn refusal(user: &str, edit: impl Fn(&str) -> String) -> TokenError {
        let vector = &VECTORS[0];
        let verifier = verifier_at(vector.signed_at() + Duration::from_secs(60));
        verifier
            .verify(user, &edit(&vector.token()))
            .expect_err("refused")
    }

    #[test]
    fn tampered_signature_is_refused() {
        let err = refusal("app_user", |t| t.replace("a47", "a48"));
        assert_eq!(err, TokenError::Signature("access_key".into()));
        assert_eq!(err.client_message(), None);
    }

    #[test]
    fn wrong_secret_is_refused() {
        let vector = &VECTORS[0];
        let keys = Arc::new(
            KeyStore::from_credentials([Credential::new("access_key", "not_the_secret")])
                .expect("keys"),
        );
        let verifier = TokenVerifier::new(keys, VerifierConfig::default())
            .with_clock(Arc::new(FixedClock(vector.signed_at())));
        assert_eq!(
            verifier.verify("app_user", &vector.token()),
            Err(TokenError::Signature("access_key".into()))
        );
    }

    #[test]
    fn wrong_action_for_the_user_is_refused() {
        let err = refusal("admin", |t| t.to_owned());
        assert!(
            matches!(
                err,
                TokenError::Action {
                    expected: Action::DbConnectAdmin,
                    ..
                }
            ),
            "{err}"
        );
        // The admin token does not admit other users either.
        let admin = &VECTORS[1];
        let err = verifier_at(admin.signed_at())
            .verify("bob", &admin.token())
            .expect_err("refused");
        assert!(
            matches!(
                err,
                TokenError::Action {
                    expected: Action::DbConnect,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn wrong_region_and_service_are_refused() {
        let err = refusal("app_user", |t| {
            t.replace("us-east-1%2Fdsql", "eu-west-1%2Fdsql")
        });
        assert!(matches!(err, TokenError::Region { .. }), "{err}");
        let err = refusal("app_user", |t| t.replace("%2Fdsql%2F", "%2Frds-db%2F"));
        assert!(matches!(err, TokenError::Service { .. }), "{err}");
        // A server configured for another region refuses the genuine token.
        let vector = &VECTORS[0];
        let config = VerifierConfig {
            region: "eu-west-1".into(),
            ..VerifierConfig::default()
        };
        let verifier =
            TokenVerifier::new(keys(), config).with_clock(Arc::new(FixedClock(vector.signed_at())));
        assert!(matches!(
            verifier.verify("app_user", &vector.token()),
            Err(TokenError::Region { .. })
        ));
    }

    #[test]
    fn the_time_window_includes_the_skew_and_nothing_more() {
        let vector = &VECTORS[0];
        let token = vector.token();
        let signed = vector.signed_at();
        let skew = DEFAULT_CLOCK_SKEW;
        let last = signed + Duration::from_secs(900);
        assert!(verifier_at(last).verify("app_user", &token).is_ok());
        assert!(matches!(
            verifier_at(last + Duration::from_secs(1)).verify("app_user", &token),
            Err(TokenError::Expired { expires: 900, .. })
        ));
        assert!(
            verifier_at(signed - skew)
                .verify("app_user", &token)
                .is_ok()
        );
        assert_eq!(
            verifier_at(signed - skew - Duration::from_secs(1)).verify("app_user", &token),
            Err(TokenError::NotYetValid("20241107T173933Z".into()))
        );
        // A configured skew of zero is strict.
        let strict = TokenVerifier::new(
            keys(),
            VerifierConfig {
                clock_skew: Duration::ZERO,
                ..VerifierConfig::default()
            },
        )
        .with_clock(Arc::new(FixedClock(signed + Duration::from_secs(901))));
        assert!(matches!(
            strict.verify("app_user", &token),
            Err(TokenError::Expired { .. })
        ));
    }

    #[test]
    fn a_token_is_refused_once_its_expiry_has_passed_whatever_the_skew() {
        let vector = &VECTORS[0];
        let token = vector.token();
        let expired_at = vector.signed_at() + Duration::from_secs(900);
        for late in [1, 60, DEFAULT_CLOCK_SKEW.as_secs() - 1, 3600] {
            assert!(
                matches!(
                    verifier_at(expired_at + Duration::from_secs(late)).verify("app_user", &token),
                    Err(TokenError::Expired { expires: 900, .. })
                ),
                "{late} s after expiry"
            );
        }
    }

    #[test]
    fn expiry_over_a_week_is_explained_to_the_client() {
        let err = refusal("app_user", |t| t.replace("Expires=900", "Expires=604801"));
        assert_eq!(err, TokenError::OverAWeek(604_801));
        assert_eq!(
            err.client_message(),
            Some("X-Amz-Expires must be less than a week (in seconds)")
        );
        let err = refusal("app_user", |t| t.replace("Expires=900", "Expires=0"));
        assert_eq!(err, TokenError::ZeroExpiry);
        assert_eq!(err.client_message(), None);
        // Exactly a week is allowed (and then fails only on the signature, as it was edited).
        let err = refusal("app_user", |t| t.replace("Expires=900", "Expires=604800"));
        assert_eq!(err, TokenError::Signature("access_key".into()));
    }

    #[test]
    fn missing_duplicated_and_garbage_are_refused() {
        let err = refusal("app_user", |t| t.replace("&X-Amz-SignedHeaders=host", ""));
        assert_eq!(
            err,
            TokenError::Malformed(ParseError::Missing("X-Amz-SignedHeaders"))
        );
        let err = refusal("app_user", |t| format!("{t}&Action=DbConnect"));
        assert_eq!(
            err,
            TokenError::Malformed(ParseError::Duplicate("Action".into()))
        );
        for garbage in ["", "password", "/?", "\u{0}\u{7f}%%", "https://", "a/?b=c"] {
            let err = refusal("app_user", |_| garbage.to_owned());
            assert!(matches!(err, TokenError::Malformed(_)), "{garbage}: {err}");
            assert_eq!(err.client_message(), None);
        }
    }

    #[test]
    fn other_refusals() {
        let err = refusal("app_user", |t| {
            t.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")
        });
        assert!(matches!(err, TokenError::Algorithm(_)), "{err}");
        let err = refusal("app_user", |t| {
            t.replace("SignedHeaders=host", "SignedHeaders=host%3Bx-amz-date")
        });
        assert!(matches!(err, TokenError::SignedHeaders(_)), "{err}");
        let err = refusal("app_user", |t| {
            t.replace("%2F20241107%2F", "%2F20241108%2F")
        });
        assert!(matches!(err, TokenError::ScopeDate { .. }), "{err}");
        let err = refusal("app_user", |t| t.replace("access_key%2F", "other_key%2F"));
        assert_eq!(err, TokenError::UnknownKey("other_key".into()));
        // The signature covers the host.
        let err = refusal("app_user", |t| t.replace("test.dsql", "evil.dsql"));
        assert_eq!(err, TokenError::Signature("access_key".into()));
    }

    #[test]
    fn session_tokens_are_required_and_covered() {
        let vector = &VECTORS[2];
        let verifier = verifier_at(vector.signed_at());
        let token = vector.token();
        // Without the security token, or with another one.
        let without = token.replace("&X-Amz-Security-Token=token", "");
        assert_eq!(
            verifier.verify("app_user", &without),
            Err(TokenError::SecurityToken("akid".into()))
        );
        let other = token.replace("Security-Token=token", "Security-Token=tokem");
        assert_eq!(
            verifier.verify("app_user", &other),
            Err(TokenError::SecurityToken("akid".into()))
        );
        // A key configured without a session token: a token carrying one verifies when signed
        // with it, and not when the security token was added afterwards.
        let plain = Arc::new(
            KeyStore::from_credentials([Credential::new("akid", "secret")]).expect("keys"),
        );
        let verifier = TokenVerifier::new(plain, VerifierConfig::default())
            .with_clock(Arc::new(FixedClock(vector.signed_at())));
        assert!(verifier.verify("app_user", &token).is_ok());
        assert_eq!(
            verifier.verify("app_user", &other),
            Err(TokenError::Signature("akid".into()))
        );
    }

    #[test]
    fn endpoints_restrict_the_host() {
        let vector = &VECTORS[0];
        let config = |endpoints: &[&str]| VerifierConfig {
            endpoints: endpoints.iter().map(|e| e.to_string()).collect(),
            ..VerifierConfig::default()
        };
        let at = |config| {
            TokenVerifier::new(keys(), config).with_clock(Arc::new(FixedClock(vector.signed_at())))
        };
        assert!(
            at(config(&["localhost", "TEST.dsql.us-east-1.on.aws"]))
                .verify("app_user", &vector.token())
                .is_ok()
        );
        assert_eq!(
            at(config(&["localhost"])).verify("app_user", &vector.token()),
            Err(TokenError::Host("test.dsql.us-east-1.on.aws".into()))
        );
    }

    #[test]
    fn freshly_generated_tokens_verify_with_any_parameter_order() {
        let now = SystemTime::now();
        let key = Credential::new("AKIAFRESH", "fresh/secret+key").with_session_token("a+b/c=");
        let keys = Arc::new(KeyStore::from_credentials([key.clone()]).expect("keys"));
        let verifier = TokenVerifier::new(keys, VerifierConfig::default());
        let token = generate_token(
            "localhost",
            "us-east-1",
            Action::DbConnect,
            &key,
            Duration::from_secs(60),
            now,
        )
        .expect("token");
        assert!(verifier.verify("app_user", &token).is_ok(), "{token}");
        let (host, query) = token.split_once("/?").expect("query");
        let mut pairs: Vec<&str> = query.split('&').collect();
        pairs.sort();
        pairs.reverse();
        let reordered = format!("https://{host}:5432/?{}", pairs.join("&"));
        assert!(
            verifier.verify("app_user", &reordered).is_ok(),
            "{reordered}"
        );
    }

    proptest! {
        #[test]
        fn mutated_tokens_are_refused_without_panicking(
            position in 0usize..300,
            length in 1usize..8,
            insert in "[ -~]{0,8}",
        ) {
            let vector = &VECTORS[3];
            let verifier = verifier_at(vector.signed_at());
            let token = vector.token();
            let start = position.min(token.len());
            let end = (start + length).min(token.len());
            let mutated = format!("{}{insert}{}", &token[..start], &token[end..]);
            let result = verifier.verify("admin", &mutated);
            // Only a mutation that changes nothing signed (the scheme, a port, an escape of
            // the same text) may still verify.
            if result.is_ok() {
                let parsed = AuthToken::parse(&mutated).expect("verified tokens parse");
                let original = AuthToken::parse(&token).expect("vector parses");
                prop_assert_eq!(AuthToken { port: None, ..parsed }, original);
            }
        }

        #[test]
        fn arbitrary_passwords_are_refused(text in ".{0,200}") {
            prop_assert!(verifier_at(SystemTime::now()).verify("admin", &text).is_err());
        }
    }
}
