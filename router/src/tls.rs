//! TLS material: a local certificate authority, the server certificate it signs, and the rustls
//! server configuration built from them.
//!
//! dsql refuses every connection that does not use TLS, so a fresh installation needs a
//! certificate before it can accept its first client. [`generate_or_load`] makes one on the first
//! start and reuses it afterwards:
//!
//! ```text
//!   <data_dir>/tls/
//!     ca.crt       the local CA (self-signed, CA:TRUE). Give it to clients:
//!                  psql "sslmode=verify-full sslrootcert=<data_dir>/tls/ca.crt ..."
//!     server.crt   the server's certificate, signed by the CA, with one SAN per host
//!                  (DNS names and IP addresses, e.g. localhost, 127.0.0.1)
//!     server.key   the server's private key (PKCS#8 PEM), mode 0600
//! ```
//!
//! Why a CA and not a self-signed server certificate: rustls-based clients (and webpki) refuse a
//! self-signed leaf used as its own trust anchor (`CaUsedAsEndEntity`), while every client
//! accepts a leaf that chains to a root it was given. The CA's private key is not kept: nothing
//! re-signs, and a key that does not exist cannot leak. To cover new host names, delete the `tls`
//! folder and restart; clients then need the new `ca.crt`.
//!
//! Operators with their own certificates (`--tls-cert`, `--tls-key`) skip [`generate_or_load`]
//! and pass their files to [`server_config`]. It refuses a missing or malformed file, or a key
//! that does not belong to the certificate, with an error naming the file and the problem, and
//! builds a [`rustls::ServerConfig`] with the ring provider chosen explicitly (no process-wide
//! default provider is needed) and ALPN `postgresql`, which PostgreSQL 17 clients require for
//! direct TLS (`sslnegotiation=direct`).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use proto::{Error, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The ALPN protocol name PostgreSQL clients offer for direct TLS.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// The paths of the TLS files inside `<data_dir>/tls/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA certificate (PEM) that clients use as their root (`sslrootcert`).
    pub ca_cert: PathBuf,
    /// The server certificate (PEM), signed by the CA.
    pub server_cert: PathBuf,
    /// The server's private key (PKCS#8 PEM), readable by the owner only.
    pub server_key: PathBuf,
}

impl TlsFiles {
    /// The file paths under `<data_dir>/tls/`, whether or not they exist.
    pub fn in_dir(data_dir: &Path) -> TlsFiles {
        let dir = data_dir.join("tls");
        TlsFiles {
            ca_cert: dir.join("ca.crt"),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
        }
    }

    /// Whether all three files exist.
    fn all_exist(&self) -> bool {
        [&self.ca_cert, &self.server_cert, &self.server_key]
            .iter()
            .all(|path| path.is_file())
    }
}

/// Returns the TLS files under `<data_dir>/tls/`, generating a CA and a server certificate for
/// `hosts` (DNS names or IP addresses) if they do not all exist yet. Existing files are reused
/// unchanged, even if `hosts` differs from the hosts they were made for.
pub fn generate_or_load(data_dir: &Path, hosts: &[String]) -> Result<TlsFiles> {
    let files = TlsFiles::in_dir(data_dir);
    if files.all_exist() {
        tracing::debug!(dir = %data_dir.display(), "reusing TLS certificates");
        return Ok(files);
    }
    if hosts.is_empty() {
        return Err(Error::Internal(
            "cannot generate a TLS certificate without a host name".into(),
        ));
    }
    let (ca_pem, cert_pem, key_pem) = generate(hosts)?;

    let dir = data_dir.join("tls");
    fs::create_dir_all(&dir)
        .map_err(|err| Error::Internal(format!("creating {}: {err}", dir.display())))?;
    // The key first and the CA last: a crash in between leaves an incomplete set, which the
    // next start regenerates as a whole.
    write_file(&files.server_key, key_pem.as_bytes(), true)?;
    write_file(&files.server_cert, cert_pem.as_bytes(), false)?;
    write_file(&files.ca_cert, ca_pem.as_bytes(), false)?;
    tracing::info!(ca = %files.ca_cert.display(), ?hosts, "generated TLS certificates");
    Ok(files)
}

/// Generates a CA and a server certificate signed by it; returns the PEM of the CA certificate,
/// the server certificate and the server key.
fn generate(hosts: &[String]) -> Result<(String, String, String)> {
    let rcgen_err = |what: &str, err: rcgen::Error| Error::Internal(format!("{what}: {err}"));

    let ca_key = KeyPair::generate().map_err(|e| rcgen_err("generating the CA key", e))?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = rcgen::DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "dsql local certificate authority");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| rcgen_err("signing the CA certificate", e))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(|e| rcgen_err("generating the server key", e))?;
    let mut params = CertificateParams::new(hosts.to_vec())
        .map_err(|e| rcgen_err(&format!("invalid host name in {hosts:?}"), e))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, hosts[0].as_str());
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let server_cert = params
        .signed_by(&server_key, &issuer)
        .map_err(|e| rcgen_err("signing the server certificate", e))?;

    Ok((ca_cert.pem(), server_cert.pem(), server_key.serialize_pem()))
}

/// Writes `contents` to `path` through a temporary file and a rename, so a reader never sees a
/// half-written file. `secret` files are created with mode 0600.
fn write_file(path: &Path, contents: &[u8], secret: bool) -> Result<()> {
    let io_err =
        |err: std::io::Error| Error::Internal(format!("writing {}: {err}", path.display()));
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(&tmp).map_err(io_err)?;
    file.write_all(contents).map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_err)
}

/// Builds the TLS configuration of the PostgreSQL listener from a PEM certificate chain (leaf
/// first) and a PEM private key (PKCS#8, PKCS#1 or SEC1). Uses the ring provider explicitly,
/// TLS 1.2 and 1.3, no client certificates, and ALPN `postgresql`.
pub fn server_config(cert_path: &Path, key_path: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(cert_path)
        .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|err| {
            Error::Internal(format!(
                "reading TLS certificate {}: {err}",
                cert_path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::Internal(format!(
            "reading TLS certificate {}: no certificate found",
            cert_path.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|err| {
        let err = match err {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "no private key found (expected a PEM PRIVATE KEY block)".to_owned()
            }
            other => other.to_string(),
        };
        Error::Internal(format!("reading TLS key {}: {err}", key_path.display()))
    })?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::Internal(format!("TLS protocol versions: {err}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|err| {
            let err = match err {
                rustls::Error::InconsistentKeys(_) => {
                    "the private key does not match the certificate".to_owned()
                }
                other => other.to_string(),
            };
            Error::Internal(format!(
                "TLS certificate {} with key {}: {err}",
                cert_path.display(),
                key_path.display()
            ))
        })?;
    config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["localhost".to_string(), "127.0.0.1".to_string()]
    }

    #[test]
    fn generate_or_load_is_idempotent_and_protects_the_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = generate_or_load(dir.path(), &hosts()).expect("generate");
        assert_eq!(first.ca_cert, dir.path().join("tls/ca.crt"));
        let cert = fs::read(&first.server_cert).expect("read cert");
        let key = fs::read(&first.server_key).expect("read key");
        let ca = fs::read(&first.ca_cert).expect("read ca");
        assert_ne!(cert, ca, "the server certificate is not the CA");

        let second = generate_or_load(dir.path(), &["other.example".to_string()]).expect("load");
        assert_eq!(first, second);
        assert_eq!(fs::read(&second.server_cert).expect("cert"), cert);
        assert_eq!(fs::read(&second.server_key).expect("key"), key);
        assert_eq!(fs::read(&second.ca_cert).expect("ca"), ca);

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&first.server_key)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        server_config(&first.server_cert, &first.server_key).expect("config loads");
    }

    #[test]
    fn an_incomplete_set_is_regenerated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = generate_or_load(dir.path(), &hosts()).expect("generate");
        let old_key = fs::read(&first.server_key).expect("key");
        fs::remove_file(&first.ca_cert).expect("remove");
        let second = generate_or_load(dir.path(), &hosts()).expect("regenerate");
        assert!(second.ca_cert.is_file());
        assert_ne!(fs::read(&second.server_key).expect("key"), old_key);
    }

    #[test]
    fn config_offers_alpn_postgresql() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = generate_or_load(dir.path(), &hosts()).expect("generate");
        let config = server_config(&files.server_cert, &files.server_key).expect("config");
        assert_eq!(config.alpn_protocols, vec![b"postgresql".to_vec()]);
    }

    #[test]
    fn bad_files_give_errors_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = generate_or_load(dir.path(), &hosts()).expect("generate");
        let missing = dir.path().join("nope.crt");
        let err = server_config(&missing, &files.server_key).expect_err("missing file");
        assert!(err.to_string().contains("nope.crt"), "{err}");

        let garbage = dir.path().join("garbage.pem");
        fs::write(&garbage, "not a pem file\n").expect("write");
        let err = server_config(&garbage, &files.server_key).expect_err("no certificate");
        assert!(err.to_string().contains("garbage.pem"), "{err}");
        let err = server_config(&files.server_cert, &garbage).expect_err("no key");
        assert!(err.to_string().contains("garbage.pem"), "{err}");

        // A key that does not belong to the certificate.
        let other = tempfile::tempdir().expect("tempdir");
        let other_files = generate_or_load(other.path(), &hosts()).expect("generate");
        let err =
            server_config(&files.server_cert, &other_files.server_key).expect_err("mismatched key");
        assert!(err.to_string().contains("server.key"), "{err}");
        assert!(err.to_string().contains("does not match"), "{err}");

        // The messages say what is wrong, not only where.
        let err = server_config(&missing, &files.server_key).expect_err("missing");
        assert!(err.to_string().contains("No such file"), "{err}");
        let err = server_config(&files.server_cert, &garbage).expect_err("no key");
        assert!(err.to_string().contains("no private key found"), "{err}");
        // A PEM block that is not base64.
        let broken = dir.path().join("broken.crt");
        fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        let err = server_config(&broken, &files.server_key).expect_err("broken PEM");
        assert!(err.to_string().contains("broken.crt"), "{err}");
        // A certificate file given as the key.
        let err = server_config(&files.server_cert, &files.server_cert).expect_err("cert as key");
        assert!(err.to_string().contains("no private key found"), "{err}");
    }

    #[test]
    fn invalid_host_names_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(generate_or_load(dir.path(), &[]).is_err());
        assert!(generate_or_load(dir.path(), &["bäd.example".to_string()]).is_err());
        assert!(!TlsFiles::in_dir(dir.path()).all_exist());
    }
}
