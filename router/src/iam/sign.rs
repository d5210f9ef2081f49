//! Signing: making IAM auth tokens, and the signature computation the verifier shares.
//!
//! A token is SigV4 query-string ("presigned URL") signing of the request
//!
//! ```text
//!   GET https://<host>/?Action=<DbConnect|DbConnectAdmin>     (no body)
//! ```
//!
//! for service `dsql`. [`aws_sigv4`] builds the canonical request,
//!
//! ```text
//!   GET
//!   /
//!   Action=DbConnect&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=access_key%2F20241107%2Fus-east-1%2Fdsql%2Faws4_request&X-Amz-Date=20241107T173933Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host
//!   host:test.dsql.us-east-1.on.aws
//!
//!   host
//!   e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
//! ```
//!
//! (method; path; every parameter but the signature, RFC 3986-encoded and sorted, the session
//! token included when there is one; the `host` header without a port; the signed header list;
//! the SHA-256 of the empty payload), hashes it into the string to sign with the date and the
//! scope `<yyyymmdd>/<region>/dsql/aws4_request`, and HMACs that with the key derived from the
//! secret, date, region and service. `signature_params` returns the resulting parameters; the
//! verifier calls it at the token's own `X-Amz-Date` and compares signatures.
//!
//! [`generate_token`] writes the parameters in boto3's order (`Action`, algorithm, credential,
//! date, expiry, signed headers, session token, signature), so that its output is byte for byte
//! what `generate_db_connect[_admin]_auth_token` returns for the same inputs.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use super::credentials::Credential;
use super::token::{Action, format_amz_date};

/// The service name in a token's credential scope.
pub const SERVICE: &str = "dsql";

/// The signing algorithm of every token.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The longest validity a token may have: one week, in seconds.
pub const MAX_EXPIRES_SECS: u64 = 604_800;

/// The validity the AWS SDKs and CLI give tokens by default: 15 minutes.
pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(900);

/// Why a token could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The host is not a plain host name (letters, digits, `.`, `-`, `_`; no port).
    #[error("invalid host name {0:?} for a token")]
    Host(String),
    /// The validity is not between 1 second and one week.
    #[error("token validity must be between 1 and {MAX_EXPIRES_SECS} seconds, not {0}")]
    Expires(u64),
    /// The region is empty or not made of letters, digits and `-`.
    #[error("invalid region {0:?} for a token")]
    Region(String),
    /// The SigV4 library refused the request.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// What a signature is computed over, besides the secret.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SigningInput<'a> {
    /// The host name, without a port.
    pub host: &'a str,
    /// The region of the credential scope.
    pub region: &'a str,
    /// The action.
    pub action: Action,
    /// The access key id.
    pub access_key_id: &'a str,
    /// The session token the token carries, if any.
    pub session_token: Option<&'a str>,
    /// The signing instant (`X-Amz-Date`).
    pub signed_at: SystemTime,
    /// `X-Amz-Expires`, in seconds.
    pub expires: u64,
}

/// Signs `input` with `secret` and returns the query parameters SigV4 adds (algorithm,
/// credential, date, expiry, signed headers, signature, and the session token if any), by name.
pub(crate) fn signature_params(
    input: &SigningInput<'_>,
    secret: &str,
) -> Result<Vec<(&'static str, String)>, SignError> {
    let credentials = Credentials::new(
        input.access_key_id,
        secret,
        input.session_token.map(str::to_owned),
        None,
        "dsql-router",
    );
    let identity: Identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(input.expires));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(input.region)
        .name(SERVICE)
        .time(input.signed_at)
        .settings(settings)
        .build()
        .map_err(|err| SignError::Signing(err.to_string()))?
        .into();
    let url = format!("https://{}/?Action={}", input.host, input.action);
    let request = SignableRequest::new("GET", url, std::iter::empty(), SignableBody::Bytes(&[]))
        .map_err(|err| SignError::Signing(err.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|err| SignError::Signing(err.to_string()))?
        .into_parts();
    let (_headers, params) = instructions.into_parts();
    Ok(params
        .into_iter()
        .map(|(name, value)| (name, value.into_owned()))
        .collect())
}

/// Makes an IAM auth token for `host` (a host name without port), exactly as boto3's
/// `generate_db_connect_auth_token` (`Action::DbConnect`) or
/// `generate_db_connect_admin_auth_token` (`Action::DbConnectAdmin`) does: signed with
/// `credentials` (its session token included, if any) at `now`, valid for `expires_in` (whole
/// seconds, 1 s to one week; [`DEFAULT_EXPIRES_IN`] is the SDKs' default).
pub fn generate_token(
    host: &str,
    region: &str,
    action: Action,
    credentials: &Credential,
    expires_in: Duration,
    now: SystemTime,
) -> Result<String, SignError> {
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !host_ok {
        return Err(SignError::Host(host.to_owned()));
    }
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(SignError::Region(region.to_owned()));
    }
    let expires = expires_in.as_secs();
    if expires == 0 || expires > MAX_EXPIRES_SECS || expires_in.subsec_nanos() != 0 {
        return Err(SignError::Expires(expires));
    }
    let session_token = credentials.session_token.as_ref().map(|t| t.expose());
    let input = SigningInput {
        host,
        region,
        action,
        access_key_id: &credentials.access_key_id,
        session_token,
        signed_at: now,
        expires,
    };
    let params = signature_params(&input, credentials.secret_access_key.expose())?;
    let signature = params
        .iter()
        .find(|(name, _)| *name == "X-Amz-Signature")
        .map(|(_, value)| value.clone())
        .ok_or_else(|| SignError::Signing("no signature produced".into()))?;

    let date = format_amz_date(now);
    let scope = format!(
        "{}/{}/{region}/{SERVICE}/aws4_request",
        credentials.access_key_id,
        &date[..8]
    );
    let mut token = format!(
        "{host}/?Action={action}&X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential={}\
         &X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host",
        encode(&scope)
    );
    if let Some(session_token) = session_token {
        token.push_str("&X-Amz-Security-Token=");
        token.push_str(&encode(session_token));
    }
    token.push_str("&X-Amz-Signature=");
    token.push_str(&signature);
    Ok(token)
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX`.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::iam::token::parse_amz_date;

    /// One of DSQL.md §1's published vectors: inputs and the expected signature.
    pub(crate) struct Vector {
        /// The host.
        pub host: &'static str,
        /// The key.
        pub credential: fn() -> Credential,
        /// `X-Amz-Date`.
        pub date: &'static str,
        /// `X-Amz-Expires`.
        pub expires: u64,
        /// The action.
        pub action: Action,
        /// The published signature.
        pub signature: &'static str,
    }

    /// The key of the first vector set.
    fn plain_key() -> Credential {
        Credential::new("access_key", "secret_key")
    }

    /// The key of the second vector set, with a session token.
    fn session_key() -> Credential {
        Credential::new("akid", "secret").with_session_token("token")
    }

    /// All four published vectors.
    pub(crate) const VECTORS: [Vector; 4] = [
        Vector {
            host: "test.dsql.us-east-1.on.aws",
            credential: plain_key,
            date: "20241107T173933Z",
            expires: 900,
            action: Action::DbConnect,
            signature: "e319d85380261f643d78a558f76257f05aacea758a6ccd42a2510e2ae0854a47",
        },
        Vector {
            host: "test.dsql.us-east-1.on.aws",
            credential: plain_key,
            date: "20241107T173933Z",
            expires: 900,
            action: Action::DbConnectAdmin,
            signature: "a08adc4c84a490014ce374b90c98ba9ed015b77b451c0d9f9fb3f8ca8c6f9c36",
        },
        Vector {
            host: "peccy.dsql.us-east-1.on.aws",
            credential: session_key,
            date: "20240827T000000Z",
            expires: 450,
            action: Action::DbConnect,
            signature: "9fdb9de7ca6822832943d5a4e1b02411d302a2b8204bd7e8193aa4875fbd5a58",
        },
        Vector {
            host: "peccy.dsql.us-east-1.on.aws",
            credential: session_key,
            date: "20240827T000000Z",
            expires: 450,
            action: Action::DbConnectAdmin,
            signature: "dd5373133b347f82a6e8a710e5fbd367f5e1d84824dc148b96d5f45089cb47f0",
        },
    ];

    impl Vector {
        /// The token boto3 produced for this vector.
        pub(crate) fn token(&self) -> String {
            let key = (self.credential)();
            let security = key
                .session_token
                .as_ref()
                .map(|t| format!("&X-Amz-Security-Token={}", t.expose()))
                .unwrap_or_default();
            format!(
                "{}/?Action={}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}%2F{}%2Fus-east-1%2Fdsql%2Faws4_request&X-Amz-Date={}&X-Amz-Expires={}&X-Amz-SignedHeaders=host{security}&X-Amz-Signature={}",
                self.host,
                self.action,
                key.access_key_id,
                &self.date[..8],
                self.date,
                self.expires,
                self.signature
            )
        }

        /// The signing instant.
        pub(crate) fn signed_at(&self) -> SystemTime {
            parse_amz_date(self.date).expect("vector date")
        }
    }

    #[test]
    fn regenerates_every_published_vector_exactly() {
        for vector in &VECTORS {
            let token = generate_token(
                vector.host,
                "us-east-1",
                vector.action,
                &(vector.credential)(),
                Duration::from_secs(vector.expires),
                vector.signed_at(),
            )
            .expect("signs");
            assert_eq!(token, vector.token());
        }
    }

    #[test]
    fn refuses_what_boto3_would_not_sign() {
        let key = plain_key();
        let now = SystemTime::now();
        let week = Duration::from_secs(MAX_EXPIRES_SECS);
        let sign = |host: &str, region: &str, expires: Duration| {
            generate_token(host, region, Action::DbConnect, &key, expires, now)
        };
        assert!(sign("h.example", "us-east-1", week).is_ok());
        assert_eq!(
            sign("h.example", "us-east-1", week + Duration::from_secs(1)),
            Err(SignError::Expires(MAX_EXPIRES_SECS + 1))
        );
        assert_eq!(
            sign("h.example", "us-east-1", Duration::ZERO),
            Err(SignError::Expires(0))
        );
        assert_eq!(
            sign("h.example:5432", "us-east-1", week),
            Err(SignError::Host("h.example:5432".into()))
        );
        assert_eq!(
            sign("", "us-east-1", week),
            Err(SignError::Host(String::new()))
        );
        assert_eq!(
            sign("h.example", "us east", week),
            Err(SignError::Region("us east".into()))
        );
    }

    #[test]
    fn encodes_like_rfc_3986() {
        assert_eq!(encode("a/b+c=d~e_f.g-h i"), "a%2Fb%2Bc%3Dd~e_f.g-h%20i");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
