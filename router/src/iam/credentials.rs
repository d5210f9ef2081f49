//! The key store: the access keys the server accepts tokens from.
//!
//! Aurora DSQL checks a token against IAM; a self-hosted server has no IAM, so it is told which
//! keys exist. Each key maps its access key id to the secret that signs tokens, optionally the
//! session token that must accompany it (temporary credentials), and optionally the principal
//! ARN it stands for (which [`RoleDirectory`](super::RoleDirectory) matches against `AWS IAM
//! GRANT` mappings).
//!
//! Keys come from two places, so the same material drives both the clients and the server:
//!
//! - an AWS shared-credentials file ([`KeyStore::load_file`], [`KeyStore::from_ini`]), the file
//!   boto3 and the AWS CLI read through `AWS_SHARED_CREDENTIALS_FILE`:
//!
//!   ```text
//!   # comments start with # or ;
//!   [app]
//!   aws_access_key_id = AKIAEXAMPLEAPP
//!   aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//!   aws_session_token = IQoJb3JpZ2luX2VjE...                  (optional)
//!   principal_arn = arn:aws:iam::123456789012:role/app       (optional, dsql's own)
//!   ```
//!
//!   Every section with an `aws_access_key_id` is a key; sections without one (only a
//!   `region`, say) are skipped, and other settings are ignored. Names are case-insensitive.
//!   A malformed line, a key id without a secret (or the reverse), a repeated section or
//!   setting, and a key id defined twice are errors naming the line. Comments take whole
//!   lines: boto3 reads `value  # note` as the value `value  # note`, and so do we.
//! - the standard environment variables `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional
//!   `AWS_SESSION_TOKEN` and dsql's `DSQL_PRINCIPAL_ARN` ([`KeyStore::from_env_vars`], given the
//!   variables as pairs so that tests need not touch the process environment).
//!
//! Secrets never appear in `Debug` output or errors: [`Secret`] prints as `<redacted>`.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use subtle::ConstantTimeEq as _;

/// A secret string: compares in constant time and never shows in `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for signing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `other` equals the secret, in time independent of where they differ.
    pub fn matches(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One access key the server accepts tokens from.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The access key id, e.g. `AKIAIOSFODNN7EXAMPLE`; tokens name it in their credential scope.
    pub access_key_id: String,
    /// The secret access key that signs tokens.
    pub secret_access_key: Secret,
    /// For temporary credentials: the session token a token signed with this key must carry.
    pub session_token: Option<Secret>,
    /// The IAM principal the key belongs to, e.g. `arn:aws:iam::123456789012:role/app`.
    pub principal_arn: Option<String>,
}

impl Credential {
    /// A key with no session token and no principal ARN.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Credential {
        Credential {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key),
            session_token: None,
            principal_arn: None,
        }
    }

    /// The same key with a session token.
    pub fn with_session_token(mut self, session_token: impl Into<String>) -> Credential {
        self.session_token = Some(Secret::new(session_token));
        self
    }

    /// The same key standing for `principal_arn`.
    pub fn with_principal_arn(mut self, principal_arn: impl Into<String>) -> Credential {
        self.principal_arn = Some(principal_arn.into());
        self
    }
}

/// Why a key store could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The credentials file could not be read.
    #[error("reading credentials file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A line of the credentials file is malformed.
    #[error("{source_name}, line {line}: {message}")]
    Syntax {
        /// The file name (or another description of the text).
        source_name: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The environment variables are incomplete.
    #[error("{0}")]
    Environment(String),
    /// The same access key id is defined twice.
    #[error("access key id {0} is defined twice")]
    Duplicate(String),
}

/// The access keys the server accepts, by access key id.
#[derive(Clone, Debug, Default)]
pub struct KeyStore {
    /// Access key id → key.
    keys: HashMap<String, Credential>,
}

/// The settings of one credentials-file section that dsql reads, with their line numbers.
#[derive(Default)]
struct Section {
    /// The section's name.
    name: String,
    /// The line of the `[name]` header.
    line: usize,
    /// Setting name (lowercase) → (value, line).
    settings: HashMap<String, (String, usize)>,
}

impl KeyStore {
    /// An empty store: every token is refused.
    pub fn new() -> KeyStore {
        KeyStore::default()
    }

    /// A store holding `credentials`; an access key id given twice is an error.
    pub fn from_credentials(
        credentials: impl IntoIterator<Item = Credential>,
    ) -> Result<KeyStore, CredentialsError> {
        let mut store = KeyStore::new();
        for credential in credentials {
            store.insert(credential)?;
        }
        Ok(store)
    }

    /// Adds `credential`; an access key id already present is an error.
    pub fn insert(&mut self, credential: Credential) -> Result<(), CredentialsError> {
        if self.keys.contains_key(&credential.access_key_id) {
            return Err(CredentialsError::Duplicate(credential.access_key_id));
        }
        self.keys
            .insert(credential.access_key_id.clone(), credential);
        Ok(())
    }

    /// Adds every key of `other`; an access key id present in both is an error.
    pub fn merge(&mut self, other: KeyStore) -> Result<(), CredentialsError> {
        for credential in other.keys.into_values() {
            self.insert(credential)?;
        }
        Ok(())
    }

    /// The key with id `access_key_id`.
    pub fn get(&self, access_key_id: &str) -> Option<&Credential> {
        self.keys.get(access_key_id)
    }

    /// Every key, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Credential> {
        self.keys.values()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Reads a shared-credentials file (see the module doc).
    pub fn load_file(path: &Path) -> Result<KeyStore, CredentialsError> {
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        KeyStore::from_ini(&text, &path.display().to_string())
    }

    /// Parses the text of a shared-credentials file; `source_name` names it in errors.
    pub fn from_ini(text: &str, source_name: &str) -> Result<KeyStore, CredentialsError> {
        let error = |line: usize, message: String| CredentialsError::Syntax {
            source_name: source_name.to_owned(),
            line,
            message,
        };
        let mut sections: Vec<Section> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            if raw.starts_with([' ', '\t']) {
                return Err(error(
                    line,
                    "indented line: multi-line values are not supported".into(),
                ));
            }
            if let Some(header) = trimmed.strip_prefix('[') {
                let name = header
                    .strip_suffix(']')
                    .ok_or_else(|| error(line, "section header without a closing ']'".into()))?
                    .trim();
                if name.is_empty() {
                    return Err(error(line, "empty section name".into()));
                }
                if let Some(previous) = sections.iter().find(|s| s.name == name) {
                    return Err(error(
                        line,
                        format!(
                            "section [{name}] already appeared on line {}",
                            previous.line
                        ),
                    ));
                }
                sections.push(Section {
                    name: name.to_owned(),
                    line,
                    settings: HashMap::new(),
                });
                continue;
            }
            let (key, value) = trimmed
                .split_once('=')
                .ok_or_else(|| error(line, "expected `name = value` or `[section]`".into()))?;
            let key = key.trim().to_ascii_lowercase();
            if key.is_empty() {
                return Err(error(line, "setting without a name".into()));
            }
            let section = sections
                .last_mut()
                .ok_or_else(|| error(line, format!("setting {key} outside any [section]")))?;
            if let Some((_, first)) = section.settings.get(&key) {
                return Err(error(
                    line,
                    format!("{key} already set on line {first} in [{}]", section.name),
                ));
            }
            section
                .settings
                .insert(key, (value.trim().to_owned(), line));
        }

        let mut store = KeyStore::new();
        for mut section in sections {
            let mut take = |name: &str| {
                section
                    .settings
                    .remove(name)
                    .filter(|(value, _)| !value.is_empty())
            };
            let key_id = take("aws_access_key_id");
            let secret = take("aws_secret_access_key");
            let session_token = take("aws_session_token");
            let principal_arn = take("principal_arn");
            let (key_id, key_line, secret) = match (key_id, secret) {
                (None, None) => continue,
                (Some((key_id, key_line)), Some((secret, _))) => (key_id, key_line, secret),
                (Some((_, line)), None) => {
                    return Err(error(
                        line,
                        format!(
                            "[{}] has aws_access_key_id but no aws_secret_access_key",
                            section.name
                        ),
                    ));
                }
                (None, Some((_, line))) => {
                    return Err(error(
                        line,
                        format!(
                            "[{}] has aws_secret_access_key but no aws_access_key_id",
                            section.name
                        ),
                    ));
                }
            };
            let mut credential = Credential::new(key_id, secret);
            credential.session_token = session_token.map(|(token, _)| Secret::new(token));
            credential.principal_arn = principal_arn.map(|(arn, _)| arn);
            store.insert(credential).map_err(|err| match err {
                CredentialsError::Duplicate(id) => {
                    error(key_line, format!("access key id {id} is defined twice"))
                }
                other => other,
            })?;
        }
        Ok(store)
    }

    /// Builds a store from environment variables given as `(name, value)` pairs (pass
    /// `std::env::vars()` for the process environment): `AWS_ACCESS_KEY_ID` with
    /// `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN` and `DSQL_PRINCIPAL_ARN`. Empty
    /// variables count as unset; neither key variable set gives an empty store; one without
    /// the other is an error.
    pub fn from_env_vars<I, K, V>(vars: I) -> Result<KeyStore, CredentialsError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut key_id = None;
        let mut secret = None;
        let mut session_token = None;
        let mut principal_arn = None;
        for (name, value) in vars {
            let slot = match name.as_ref() {
                "AWS_ACCESS_KEY_ID" => &mut key_id,
                "AWS_SECRET_ACCESS_KEY" => &mut secret,
                "AWS_SESSION_TOKEN" => &mut session_token,
                "DSQL_PRINCIPAL_ARN" => &mut principal_arn,
                _ => continue,
            };
            let value: String = value.into();
            *slot = (!value.is_empty()).then_some(value);
        }
        let mut store = KeyStore::new();
        match (key_id, secret) {
            (None, None) => {}
            (Some(key_id), Some(secret)) => {
                let mut credential = Credential::new(key_id, secret);
                credential.session_token = session_token.map(Secret::new);
                credential.principal_arn = principal_arn;
                store.insert(credential)?;
            }
            (Some(_), None) => {
                return Err(CredentialsError::Environment(
                    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(CredentialsError::Environment(
                    "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".into(),
                ));
            }
        }
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# dsql keys
[default]
region = us-east-1

[app]
aws_access_key_id = AKIAAPP
aws_secret_access_key = app/secret+key
principal_arn = arn:aws:iam::123456789012:role/app
  ; an indented comment

[Temp]
AWS_ACCESS_KEY_ID=ASIATEMP
aws_secret_access_key=temp-secret
aws_session_token = FQoG/token==
";

    #[test]
    fn reads_keys_sessions_and_principals() {
        let store = KeyStore::from_ini(FILE, "creds").expect("parses");
        assert_eq!(store.len(), 2);
        let app = store.get("AKIAAPP").expect("app key");
        assert!(app.secret_access_key.matches("app/secret+key"));
        assert!(app.session_token.is_none());
        assert_eq!(
            app.principal_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/app")
        );
        let temp = store.get("ASIATEMP").expect("temp key");
        assert!(temp.secret_access_key.matches("temp-secret"));
        assert!(
            temp.session_token
                .as_ref()
                .is_some_and(|t| t.matches("FQoG/token=="))
        );
        assert!(temp.principal_arn.is_none());
        assert!(store.get("nope").is_none());
        let mut ids: Vec<&str> = store.iter().map(|c| c.access_key_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["AKIAAPP", "ASIATEMP"]);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let store = KeyStore::from_ini(FILE, "creds").expect("parses");
        let shown = format!("{store:?}");
        assert!(shown.contains("AKIAAPP"), "{shown}");
        for secret in ["app/secret+key", "temp-secret", "FQoG/token=="] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn malformed_files_name_the_line() {
        let cases = [
            (
                "[a]\naws_access_key_id = x\nnonsense\n",
                3,
                "expected `name = value`",
            ),
            ("aws_access_key_id = x\n", 1, "outside any [section]"),
            ("[a\n", 1, "closing ']'"),
            (
                "[a]\naws_access_key_id = x\n",
                2,
                "no aws_secret_access_key",
            ),
            (
                "[a]\naws_secret_access_key = x\n",
                2,
                "no aws_access_key_id",
            ),
            ("[a]\n[b]\n[a]\n", 3, "already appeared on line 1"),
            ("[a]\nregion = x\nREGION = y\n", 3, "already set on line 2"),
            (
                "[a]\naws_access_key_id = k\naws_secret_access_key = s\n\
                 [b]\naws_access_key_id = k\naws_secret_access_key = t\n",
                5,
                "access key id k is defined twice",
            ),
            ("[a]\nregion = x\n  more\n", 3, "multi-line"),
        ];
        for (text, line, message) in cases {
            let err = KeyStore::from_ini(text, "creds.ini").expect_err(text);
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("creds.ini, line {line}: ")),
                "{shown}"
            );
            assert!(shown.contains(message), "{shown}");
        }
    }

    #[test]
    fn loads_a_file_and_reports_a_missing_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("credentials");
        std::fs::write(&path, FILE).expect("write");
        assert_eq!(KeyStore::load_file(&path).expect("loads").len(), 2);
        let err = KeyStore::load_file(&dir.path().join("absent")).expect_err("missing");
        assert!(err.to_string().contains("absent"), "{err}");
    }

    #[test]
    fn environment_variables_give_one_key() {
        let store = KeyStore::from_env_vars([
            ("HOME", "/root"),
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "env-token"),
            ("DSQL_PRINCIPAL_ARN", "arn:aws:iam::1:role/env"),
        ])
        .expect("complete");
        let key = store.get("AKIAENV").expect("key");
        assert!(key.secret_access_key.matches("env-secret"));
        assert!(
            key.session_token
                .as_ref()
                .is_some_and(|t| t.matches("env-token"))
        );
        assert_eq!(
            key.principal_arn.as_deref(),
            Some("arn:aws:iam::1:role/env")
        );

        let none = KeyStore::from_env_vars([("AWS_ACCESS_KEY_ID", ""), ("PATH", "/bin")])
            .expect("nothing set");
        assert!(none.is_empty());
        let err = KeyStore::from_env_vars([("AWS_ACCESS_KEY_ID", "AKIA")]).expect_err("half");
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn merging_refuses_a_key_defined_twice() {
        let mut store = KeyStore::from_ini(FILE, "creds").expect("parses");
        let env = KeyStore::from_env_vars([
            ("AWS_ACCESS_KEY_ID", "AKIAAPP"),
            ("AWS_SECRET_ACCESS_KEY", "other"),
        ])
        .expect("env");
        let err = store.merge(env).expect_err("duplicate");
        assert!(err.to_string().contains("AKIAAPP"), "{err}");
        let store =
            KeyStore::from_credentials([Credential::new("a", "1"), Credential::new("b", "2")]);
        assert_eq!(store.expect("distinct").len(), 2);
        let err =
            KeyStore::from_credentials([Credential::new("a", "1"), Credential::new("a", "2")]);
        assert!(matches!(err, Err(CredentialsError::Duplicate(id)) if id == "a"));
    }
}
