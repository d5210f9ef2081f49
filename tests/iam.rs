//! IAM token authentication end to end, in-process: tokens made with `router::iam` (the same
//! signer `dsql token` uses) against a server configured with keys, over TLS with
//! tokio-postgres. The Python suite in `tests/e2e/` does the same with boto3, psql and psycopg.

mod common;

use common::{connect_as, message, sqlstate};
use router::iam::{Action, Credential, KeyStore, generate_token};
use std::time::{Duration, SystemTime};

const APP_ARN: &str = "arn:aws:iam::123456789012:role/app";

const CREDENTIALS: &str = "\
[admin]
aws_access_key_id = AKIDADMINEXAMPLE0001
aws_secret_access_key = admin-secret

[app]
aws_access_key_id = AKIDAPPEXAMPLE000002
aws_secret_access_key = app-secret
principal_arn = arn:aws:iam::123456789012:role/app
";

fn key(id: &str, secret: &str) -> Credential {
    Credential::new(id, secret)
}

fn token(action: Action, credential: &Credential) -> String {
    generate_token(
        "localhost",
        "us-east-1",
        action,
        credential,
        Duration::from_secs(900),
        SystemTime::now(),
    )
    .expect("token")
}

/// A server that accepts the keys in [`CREDENTIALS`] and no password.
async fn iam_server() -> common::TestServer {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::write(&file, CREDENTIALS).unwrap();
    let server = common::start_with(|config| {
        config.password = None;
        config.iam.credentials_file = Some(file.clone());
        config.iam.endpoints = vec!["localhost".into()];
    })
    .await;
    // Keep the key file's folder alive with the server.
    std::mem::forget(dir);
    server
}

async fn refused(server: &dsql::Server, user: &str, password: &str) -> (String, String) {
    match connect_as(server, user, password).await {
        Ok(_) => panic!("{user} was admitted"),
        Err(err) => (sqlstate(&err), message(&err)),
    }
}

#[tokio::test]
async fn admin_connects_with_an_admin_token_only() {
    let t = iam_server().await;
    let admin = key("AKIDADMINEXAMPLE0001", "admin-secret");
    let client = connect_as(&t.server, "admin", &token(Action::DbConnectAdmin, &admin))
        .await
        .expect("admin token admitted");
    let row = client.query_one("select 40 + 2", &[]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);

    let expected = (
        "28P01".to_string(),
        "IAM authentication failed for user \"admin\"".to_string(),
    );
    // DbConnect is for other roles; a wrong secret; an unknown key; a password.
    assert_eq!(
        refused(&t.server, "admin", &token(Action::DbConnect, &admin)).await,
        expected
    );
    let wrong = key("AKIDADMINEXAMPLE0001", "not-the-secret");
    assert_eq!(
        refused(&t.server, "admin", &token(Action::DbConnectAdmin, &wrong)).await,
        expected
    );
    let unknown = key("AKIDUNKNOWN000000000", "x");
    assert_eq!(
        refused(&t.server, "admin", &token(Action::DbConnectAdmin, &unknown)).await,
        expected
    );
    // Password authentication is off unless configured.
    let (code, _) = refused(&t.server, "admin", "test-password").await;
    assert_eq!(code, "28P01");
}

#[tokio::test]
async fn a_role_logs_in_only_while_its_principal_is_granted() {
    let t = iam_server().await;
    let admin_key = key("AKIDADMINEXAMPLE0001", "admin-secret");
    let app_key = key("AKIDAPPEXAMPLE000002", "app-secret");
    let admin = connect_as(
        &t.server,
        "admin",
        &token(Action::DbConnectAdmin, &admin_key),
    )
    .await
    .unwrap();
    admin
        .batch_execute("create role app with login")
        .await
        .unwrap();
    let expected = (
        "28P01".to_string(),
        "IAM authentication failed for user \"app\"".to_string(),
    );
    assert_eq!(
        refused(&t.server, "app", &token(Action::DbConnect, &app_key)).await,
        expected,
        "not mapped yet"
    );

    admin
        .batch_execute(&format!("AWS IAM GRANT app TO '{APP_ARN}'"))
        .await
        .unwrap();
    let rows = admin
        .query(
            "select arn, pg_role_name from sys.iam_pg_role_mappings",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), APP_ARN);
    assert_eq!(rows[0].get::<_, String>(1), "app");

    let app = connect_as(&t.server, "app", &token(Action::DbConnect, &app_key))
        .await
        .expect("mapped role admitted");
    app.query_one("select 1", &[]).await.unwrap();
    // A key without the mapped principal cannot log in as the role.
    assert_eq!(
        refused(&t.server, "app", &token(Action::DbConnect, &admin_key)).await,
        expected
    );

    admin
        .batch_execute(&format!("AWS IAM REVOKE app FROM '{APP_ARN}'"))
        .await
        .unwrap();
    assert_eq!(
        refused(&t.server, "app", &token(Action::DbConnect, &app_key)).await,
        expected,
        "revoked"
    );
    // The session that logged in before the revoke lives on.
    app.query_one("select 1", &[]).await.unwrap();
}

#[tokio::test]
async fn without_configured_keys_the_server_generates_one() {
    let t = common::start_with(|config| config.password = None).await;
    let file = t
        .server
        .local_credentials()
        .expect("a generated credentials file")
        .to_path_buf();
    assert_eq!(file, t.dir.path().join("credentials"));
    let keys = KeyStore::load_file(&file).unwrap();
    let credential = keys.iter().next().expect("one key").clone();
    let client = connect_as(
        &t.server,
        "admin",
        &token(Action::DbConnectAdmin, &credential),
    )
    .await
    .expect("the generated key signs valid admin tokens");
    client.query_one("select 1", &[]).await.unwrap();
}

#[tokio::test]
async fn a_supplied_certificate_is_served() {
    // Reuse a generated CA + server certificate as "the user's own" certificate chain.
    let first = common::start().await;
    let tls = first.dir.path().join("tls");
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.pem");
    let mut pem = std::fs::read(tls.join("server.crt")).unwrap();
    pem.extend(std::fs::read(tls.join("ca.crt")).unwrap());
    std::fs::write(&chain, pem).unwrap();
    let key_path = tls.join("server.key");
    let t = common::start_with(|config| {
        config.tls_cert = Some(chain.clone());
        config.tls_key = Some(key_path.clone());
    })
    .await;
    assert_eq!(t.server.ca_path(), chain.as_path());
    assert!(
        !t.dir.path().join("tls").exists(),
        "no certificate generated when one is supplied"
    );
    let client = common::connect(&t.server).await;
    client.query_one("select 1", &[]).await.unwrap();
}
