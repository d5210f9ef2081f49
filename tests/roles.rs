//! Roles, AWS IAM GRANT/REVOKE, privileges and SET ROLE over the PostgreSQL wire, plus the
//! router's login check (`qp::Engine::check_login`) on an in-process engine.
//!
//! The harness logs in as `admin`; non-admin behaviour is exercised with `SET ROLE`.

mod common;

use common::{connect, fails, message, script, sqlstate, start};
use std::sync::Arc;
use tokio_postgres::Client;

const ARN: &str = "arn:aws:iam::123456789012:role/app";
const ARN2: &str = "arn:aws:iam::123456789012:user/alice";

async fn mappings(c: &Client) -> Vec<(i64, String, i64, String, i64, String)> {
    c.query(
        "SELECT iam_oid, arn, pg_role_oid, pg_role_name, grantor_pg_role_oid, grantor_pg_role_name \
         FROM sys.iam_pg_role_mappings ORDER BY pg_role_name, arn",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
    .collect()
}

#[tokio::test]
async fn role_ddl_and_its_errors() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE ROLE app WITH LOGIN").await.unwrap();
    assert_eq!(
        fails(&c, "CREATE ROLE app").await,
        ("42710".into(), "role \"app\" already exists".into())
    );
    assert_eq!(
        fails(&c, "CREATE ROLE admin WITH LOGIN").await,
        ("42710".into(), "role \"admin\" already exists".into())
    );
    assert_eq!(
        fails(&c, "CREATE ROLE public").await,
        ("42939".into(), "role name \"public\" is reserved".into())
    );
    assert_eq!(
        fails(&c, "CREATE ROLE p WITH LOGIN PASSWORD 'secret'").await,
        (
            "0A000".into(),
            "role option PASSWORD is not supported".into()
        )
    );
    assert_eq!(fails(&c, "CREATE ROLE p SUPERUSER").await.0, "0A000");
    assert_eq!(
        fails(&c, "DROP ROLE nobody").await,
        ("42704".into(), "role \"nobody\" does not exist".into())
    );
    c.batch_execute("DROP ROLE IF EXISTS nobody").await.unwrap();
    assert_eq!(
        fails(&c, "DROP ROLE admin").await,
        ("55006".into(), "current user cannot be dropped".into())
    );
    assert_eq!(
        fails(&c, "ALTER ROLE admin WITH NOLOGIN").await,
        ("42501".into(), "permission denied to alter role".into())
    );
    assert_eq!(fails(&c, "ALTER ROLE nobody WITH LOGIN").await.0, "42704");

    // CREATE USER is CREATE ROLE ... LOGIN; a user can be mapped to an ARN right away.
    c.batch_execute("CREATE USER reporter").await.unwrap();
    c.batch_execute(&format!("AWS IAM GRANT reporter TO '{ARN2}'"))
        .await
        .unwrap();
    // DROP ROLE takes the role's IAM mappings with it.
    c.batch_execute("DROP ROLE reporter").await.unwrap();
    assert!(mappings(&c).await.is_empty());
    assert_eq!(fails(&c, "SET ROLE reporter").await.0, "22023");

    // Only admin manages roles.
    c.batch_execute("SET ROLE app").await.unwrap();
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "app");
    assert_eq!(
        fails(&c, "CREATE ROLE other").await,
        ("42501".into(), "permission denied to create role".into())
    );
    assert_eq!(fails(&c, "DROP ROLE app").await.0, "42501");
    c.batch_execute("RESET ROLE").await.unwrap();
    let row = c.query_one("SHOW role", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "none");

    // ALTER ROLE toggles LOGIN, which AWS IAM GRANT requires.
    c.batch_execute("ALTER ROLE app WITH NOLOGIN")
        .await
        .unwrap();
    assert_eq!(
        fails(&c, &format!("AWS IAM GRANT app TO '{ARN}'")).await,
        (
            "55000".into(),
            "role app must have the LOGIN attribute".into()
        )
    );
    c.batch_execute("ALTER ROLE app LOGIN").await.unwrap();
    c.batch_execute(&format!("AWS IAM GRANT app TO '{ARN}'"))
        .await
        .unwrap();
}

#[tokio::test]
async fn aws_iam_grant_and_revoke_maintain_the_mapping_view() {
    let t = start().await;
    let c = connect(&t.server).await;
    // Simple protocol, inside a multi-statement string (one DDL per string, as in DSQL).
    c.batch_execute("CREATE ROLE app WITH LOGIN").await.unwrap();
    c.batch_execute(&format!("AWS IAM GRANT app TO '{ARN}'; SELECT 1"))
        .await
        .unwrap();
    let rows = mappings(&c).await;
    assert_eq!(rows.len(), 1);
    let (iam_oid, arn, role_oid, role, grantor_oid, grantor) = rows[0].clone();
    assert!(iam_oid >= 16384 && role_oid >= 16384 && iam_oid != role_oid);
    assert_eq!(
        (arn.as_str(), role.as_str(), grantor_oid, grantor.as_str()),
        (ARN, "app", 10, "admin")
    );

    // Granting the same pair again changes nothing.
    c.batch_execute(&format!("AWS IAM GRANT app TO '{ARN}'"))
        .await
        .unwrap();
    assert_eq!(mappings(&c).await, rows);

    // Extended protocol (Parse/Bind/Execute).
    let n = c
        .execute(&format!("aws iam grant APP to '{ARN2}'"), &[])
        .await
        .unwrap();
    assert_eq!(n, 0);
    let rows = mappings(&c).await;
    assert_eq!(
        rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        [ARN, ARN2]
    );

    // Refusals.
    let (code, msg) = fails(&c, "AWS IAM GRANT app TO 'arn:aws:iam::1234:role/app'").await;
    assert_eq!(code, "22023");
    assert!(msg.contains("invalid IAM principal ARN"), "{msg}");
    assert_eq!(
        fails(&c, &format!("AWS IAM GRANT ghost TO '{ARN}'")).await,
        ("42704".into(), "role \"ghost\" does not exist".into())
    );
    c.batch_execute("CREATE ROLE nologin").await.unwrap();
    assert_eq!(
        fails(&c, &format!("AWS IAM GRANT nologin TO '{ARN}'")).await,
        (
            "55000".into(),
            "role nologin must have the LOGIN attribute".into()
        )
    );
    assert_eq!(
        fails(&c, &format!("AWS IAM GRANT app '{ARN}'")).await.0,
        "42601"
    );
    c.batch_execute("SET ROLE app").await.unwrap();
    let (code, msg) = fails(&c, &format!("AWS IAM REVOKE app FROM '{ARN}'")).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("42501", "permission denied to run AWS IAM REVOKE")
    );
    c.batch_execute("RESET ROLE").await.unwrap();
    assert_eq!(mappings(&c).await, rows);

    // REVOKE removes one pair; revoking a missing pair is a no-op.
    c.batch_execute(&format!("AWS IAM REVOKE app FROM '{ARN}'"))
        .await
        .unwrap();
    c.batch_execute(&format!("AWS IAM REVOKE app FROM '{ARN}'"))
        .await
        .unwrap();
    let rows = mappings(&c).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, ARN2);

    // The view is read-only for everyone.
    let (code, _) = fails(&c, "DELETE FROM sys.iam_pg_role_mappings").await;
    assert_eq!(code, "42501");
}

/// An engine over its own journal, adjudicator and storage, to call `check_login` on.
async fn engine(dir: &std::path::Path) -> Arc<qp::Engine> {
    use proto::journal::Replica;
    let journal: Vec<Arc<dyn Replica>> = (0..3)
        .map(|i| journal::LocalReplica::open(&dir.join(i.to_string())).unwrap() as Arc<dyn Replica>)
        .collect();
    let adjudicator =
        adjudicator::LocalAdjudicator::recover(journal.clone(), adjudicator::Config::default())
            .await
            .unwrap();
    let shard_map = proto::key::ShardMap::new(vec![]);
    let shard = storage::LocalShard::new(
        shard_map.range_of(proto::ShardId(0)),
        storage::ShardConfig::default(),
    );
    // The applier stops when the shard is dropped.
    drop(shard.follow(journal));
    qp::Engine::new(
        qp::Cluster {
            adjudicator,
            shards: vec![shard],
            shard_map,
        },
        qp::Limits::default(),
    )
}

async fn run(session: &mut qp::session::Session, sql: &str) -> Result<(), qp::Error> {
    for stmt in qp::parse::parse_sql(sql)? {
        session.execute(&stmt).await?;
    }
    Ok(())
}

#[tokio::test]
async fn check_login_follows_roles_and_mappings() {
    use qp::LoginRefusal;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path()).await;
    let mut admin = qp::session::Session::new(engine.clone(), "admin".into());

    assert_eq!(engine.check_login("admin", None).await, Ok(()));
    assert_eq!(
        engine.check_login("app", Some(ARN)).await,
        Err(LoginRefusal::UnknownRole("app".into()))
    );
    run(&mut admin, "CREATE ROLE app").await.unwrap();
    assert_eq!(
        engine.check_login("app", Some(ARN)).await,
        Err(LoginRefusal::NoLogin("app".into()))
    );
    run(&mut admin, "ALTER ROLE app WITH LOGIN").await.unwrap();
    assert_eq!(
        engine.check_login("app", Some(ARN)).await,
        Err(LoginRefusal::NotMapped {
            role: "app".into(),
            arn: ARN.into()
        })
    );
    run(&mut admin, &format!("AWS IAM GRANT app TO '{ARN}'"))
        .await
        .unwrap();
    assert_eq!(engine.check_login("app", Some(ARN)).await, Ok(()));
    assert_eq!(
        engine.check_login("app", None).await,
        Err(LoginRefusal::NoPrincipal("app".into()))
    );
    assert!(matches!(
        engine.check_login("app", Some(ARN2)).await,
        Err(LoginRefusal::NotMapped { .. })
    ));

    // An uncommitted grant is invisible to the login check.
    run(&mut admin, "BEGIN").await.unwrap();
    run(&mut admin, &format!("AWS IAM GRANT app TO '{ARN2}'"))
        .await
        .unwrap();
    assert!(engine.check_login("app", Some(ARN2)).await.is_err());
    run(&mut admin, "COMMIT").await.unwrap();
    assert_eq!(engine.check_login("app", Some(ARN2)).await, Ok(()));

    run(&mut admin, &format!("AWS IAM REVOKE app FROM '{ARN}'"))
        .await
        .unwrap();
    assert!(engine.check_login("app", Some(ARN)).await.is_err());
    run(&mut admin, "ALTER ROLE app NOLOGIN").await.unwrap();
    assert_eq!(
        engine.check_login("app", Some(ARN2)).await,
        Err(LoginRefusal::NoLogin("app".into()))
    );
}

#[tokio::test]
async fn table_privileges_follow_grant_and_revoke() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE t (k integer PRIMARY KEY, v integer); \
         INSERT INTO t VALUES (1, 10), (2, 20); \
         CREATE ROLE app",
    )
    .await
    .unwrap();
    let denied = (
        "42501".to_string(),
        "permission denied for table t".to_string(),
    );

    c.batch_execute("SET ROLE app").await.unwrap();
    assert_eq!(fails(&c, "SELECT v FROM t").await, denied);
    assert_eq!(fails(&c, "INSERT INTO t VALUES (3, 30)").await, denied);
    // Prepared statements are checked too (extended protocol).
    let err = c
        .query("SELECT v FROM t WHERE k = $1", &[&1i32])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42501");
    // System tables are readable by everyone.
    c.query("SELECT * FROM sys.iam_pg_role_mappings", &[])
        .await
        .unwrap();
    assert_eq!(
        fails(&c, "CREATE TABLE mine (k integer PRIMARY KEY)").await,
        ("42501".into(), "permission denied for schema public".into())
    );
    assert_eq!(
        fails(&c, "DROP TABLE t").await,
        ("42501".into(), "must be owner of table t".into())
    );
    assert_eq!(fails(&c, "GRANT SELECT ON t TO app").await, denied);

    c.batch_execute("RESET ROLE; GRANT SELECT, UPDATE ON TABLE t TO app")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    let rows = c.query("SELECT v FROM t ORDER BY k", &[]).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        c.execute("UPDATE t SET v = v + 1 WHERE k = 1", &[])
            .await
            .unwrap(),
        1
    );
    assert_eq!(fails(&c, "DELETE FROM t").await, denied);

    // UPDATE without reading columns needs only UPDATE; with a WHERE it also needs SELECT.
    c.batch_execute("RESET ROLE; REVOKE SELECT ON t FROM app")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    assert_eq!(c.execute("UPDATE t SET v = 0", &[]).await.unwrap(), 2);
    assert_eq!(fails(&c, "UPDATE t SET v = 1 WHERE k = 1").await, denied);
    assert_eq!(fails(&c, "UPDATE t SET v = v + 1").await, denied);
    assert_eq!(fails(&c, "SELECT v FROM t").await, denied);

    // PUBLIC grants reach every role; ALL covers the four table privileges.
    c.batch_execute("RESET ROLE; GRANT ALL PRIVILEGES ON t TO PUBLIC")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    c.batch_execute("INSERT INTO t VALUES (3, 30); DELETE FROM t WHERE k = 2")
        .await
        .unwrap();
    let rows = c.query("SELECT k FROM t ORDER BY k", &[]).await.unwrap();
    let keys: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(keys, [1, 3]);

    // A role with privileges cannot be dropped; revoking them lets it go.
    c.batch_execute("RESET ROLE").await.unwrap();
    let err = c.batch_execute("DROP ROLE app").await.unwrap_err();
    assert_eq!(sqlstate(&err), "2BP01");
    assert_eq!(
        message(&err),
        "role \"app\" cannot be dropped because some objects depend on it"
    );
    assert_eq!(
        err.as_db_error().and_then(|e| e.detail()),
        Some("privileges for table t")
    );
    script(
        &c,
        "REVOKE ALL ON t FROM PUBLIC; REVOKE UPDATE ON t FROM app; DROP ROLE app",
    )
    .await
    .unwrap();

    // Bad GRANTs.
    assert_eq!(
        fails(&c, "GRANT SELECT ON t TO ghost").await,
        ("42704".into(), "role \"ghost\" does not exist".into())
    );
    assert_eq!(
        fails(&c, "GRANT USAGE ON t TO PUBLIC").await,
        (
            "0LP01".into(),
            "invalid privilege type USAGE for table".into()
        )
    );
    assert_eq!(fails(&c, "GRANT SELECT ON nope TO PUBLIC").await.0, "42P01");
}

#[tokio::test]
async fn every_table_a_query_reads_needs_select() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE open (k integer PRIMARY KEY, v integer); \
         CREATE TABLE secret (k integer PRIMARY KEY, v integer); \
         INSERT INTO open VALUES (1, 10); INSERT INTO secret VALUES (1, 99); \
         CREATE ROLE app; GRANT SELECT, INSERT, UPDATE, DELETE ON open TO app",
    )
    .await
    .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    let denied = (
        "42501".to_string(),
        "permission denied for table secret".to_string(),
    );
    // The table the role may read still answers alone.
    assert_eq!(c.query("SELECT v FROM open", &[]).await.unwrap().len(), 1);
    // The other one cannot be reached through any part of a query or DML statement.
    for sql in [
        "SELECT o.v, s.v FROM open o JOIN secret s USING (k)",
        "SELECT * FROM open, secret",
        "SELECT v FROM open WHERE k IN (SELECT k FROM secret)",
        "SELECT (SELECT max(v) FROM secret) FROM open",
        "SELECT v FROM open o WHERE EXISTS (SELECT 1 FROM secret s WHERE s.k = o.k)",
        "SELECT * FROM (SELECT v FROM secret) d",
        "WITH s AS (SELECT * FROM secret) SELECT * FROM open JOIN s USING (k)",
        "SELECT v FROM open UNION SELECT v FROM secret",
        "SELECT * FROM open o CROSS JOIN LATERAL (SELECT v FROM secret s WHERE s.k = o.k) l",
        "UPDATE open SET v = (SELECT v FROM secret WHERE k = 1)",
        "DELETE FROM open WHERE k IN (SELECT k FROM secret)",
        "EXPLAIN SELECT * FROM open JOIN secret USING (k)",
        "SELECT v FROM open ORDER BY (SELECT max(v) FROM secret)",
        "SELECT count(*) FROM open HAVING count(*) < (SELECT count(*) FROM secret)",
        "SELECT v FROM open LIMIT (SELECT count(*) FROM secret)",
        "SELECT CASE WHEN v > 0 THEN (SELECT 1 FROM secret) END FROM open",
        "SELECT * FROM open o JOIN open p ON p.k = (SELECT min(k) FROM secret)",
        "SELECT (SELECT (SELECT max(v) FROM secret) FROM open LIMIT 1)",
        "SELECT * FROM generate_series(1, (SELECT max(k) FROM secret))",
        "SELECT * FROM (VALUES ((SELECT max(v) FROM secret))) AS x(y)",
        "INSERT INTO open VALUES (2, (SELECT max(v) FROM secret))",
        "INSERT INTO open SELECT k + 1, v FROM secret",
        "INSERT INTO open VALUES (3, 0) RETURNING (SELECT max(v) FROM secret)",
        "UPDATE open SET v = 1 WHERE k IN (SELECT k FROM secret)",
        "DELETE FROM open WHERE k = 1 RETURNING (SELECT max(v) FROM secret)",
    ] {
        assert_eq!(fails(&c, sql).await, denied, "{sql}");
    }
    // As in PostgreSQL, a subquery the planner removed (under `false AND`) is not read, so
    // it needs no privilege.
    assert!(
        c.query(
            "SELECT v FROM open WHERE false AND EXISTS (SELECT 1 FROM secret)",
            &[]
        )
        .await
        .unwrap()
        .is_empty()
    );
    // Nothing was changed by the refused statements.
    c.batch_execute("RESET ROLE").await.unwrap();
    let rows = c.query("SELECT v FROM open", &[]).await.unwrap();
    assert_eq!(rows[0].get::<_, i32>(0), 10);
}

#[tokio::test]
async fn schema_privileges_and_ownership() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE SCHEMA s; CREATE TABLE s.t (k integer PRIMARY KEY); \
         INSERT INTO s.t VALUES (1); CREATE ROLE app; GRANT SELECT ON s.t TO app",
    )
    .await
    .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    assert_eq!(
        fails(&c, "SELECT * FROM s.t").await,
        ("42501".into(), "permission denied for schema s".into())
    );
    c.batch_execute("RESET ROLE; GRANT USAGE ON SCHEMA s TO app")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    assert_eq!(c.query("SELECT * FROM s.t", &[]).await.unwrap().len(), 1);
    assert_eq!(
        fails(&c, "CREATE TABLE s.mine (k integer PRIMARY KEY)").await,
        ("42501".into(), "permission denied for schema s".into())
    );

    // With CREATE on the schema the role creates and owns its own tables.
    c.batch_execute("RESET ROLE; GRANT CREATE ON SCHEMA s TO app")
        .await
        .unwrap();
    c.batch_execute("SET ROLE app").await.unwrap();
    script(
        &c,
        "CREATE TABLE s.mine (k integer PRIMARY KEY); INSERT INTO s.mine VALUES (7)",
    )
    .await
    .unwrap();
    assert_eq!(c.query("SELECT * FROM s.mine", &[]).await.unwrap().len(), 1);
    // The owner grants on its own table, but not on others'.
    c.batch_execute("GRANT SELECT ON s.mine TO PUBLIC")
        .await
        .unwrap();
    assert_eq!(fails(&c, "GRANT SELECT ON s.t TO PUBLIC").await.0, "42501");
    assert_eq!(
        fails(&c, "DROP SCHEMA s CASCADE").await,
        ("42501".into(), "must be owner of schema s".into())
    );

    c.batch_execute("RESET ROLE").await.unwrap();
    let err = c.batch_execute("DROP ROLE app").await.unwrap_err();
    assert_eq!(sqlstate(&err), "2BP01");
    let detail = err
        .as_db_error()
        .and_then(|e| e.detail())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        detail,
        "owner of table s.mine\nprivileges for table s.t\nprivileges for schema s"
    );

    // GRANT ... ON ALL TABLES IN SCHEMA covers the tables that exist.
    script(&c, "CREATE ROLE reader; GRANT USAGE ON SCHEMA s TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA s TO reader")
        .await
        .unwrap();
    c.batch_execute("SET ROLE reader").await.unwrap();
    assert_eq!(c.query("SELECT * FROM s.t", &[]).await.unwrap().len(), 1);
    assert_eq!(c.query("SELECT * FROM s.mine", &[]).await.unwrap().len(), 1);
    c.batch_execute("RESET ROLE").await.unwrap();
}

#[tokio::test]
async fn set_role_rules() {
    let t = start().await;
    let c = connect(&t.server).await;
    assert_eq!(
        fails(&c, "SET ROLE ghost").await,
        ("22023".into(), "role \"ghost\" does not exist".into())
    );
    script(&c, "CREATE ROLE a; CREATE ROLE b").await.unwrap();
    c.batch_execute("SET ROLE a").await.unwrap();
    let row = c.query_one("SHOW role", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "a");
    // The session user (admin) may switch to any role, also from another role.
    c.batch_execute("SET ROLE b").await.unwrap();
    let row = c.query_one("SHOW is_superuser", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "off");
    // current_user follows SET ROLE; session_user stays the role that logged in.
    let row = c
        .query_one("SELECT current_user, session_user, user", &[])
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, String>(0),
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ),
        ("b".into(), "admin".into(), "b".into())
    );
    c.batch_execute("SET ROLE NONE").await.unwrap();
    let row = c.query_one("SHOW is_superuser", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "on");
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "admin");
    c.batch_execute("SET role = 'a'; RESET ROLE").await.unwrap();
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "admin");
    assert_eq!(fails(&c, "SET LOCAL ROLE a").await.0, "0A000");

    // As in PostgreSQL, a SET ROLE inside a block that rolls back is undone, one in a block
    // that commits lasts, and RESET ALL resets the role too.
    c.batch_execute("BEGIN; SET ROLE a; ROLLBACK")
        .await
        .unwrap();
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "admin");
    c.batch_execute("BEGIN; SET ROLE a; COMMIT").await.unwrap();
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "a");
    c.batch_execute("RESET ALL").await.unwrap();
    let row = c.query_one("SELECT current_user", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "admin");
}

#[tokio::test]
async fn grant_makes_a_concurrent_transaction_fail_with_oc001() {
    let t = start().await;
    let c1 = connect(&t.server).await;
    let c2 = connect(&t.server).await;
    script(
        &c1,
        "CREATE TABLE t (k integer PRIMARY KEY); CREATE ROLE app",
    )
    .await
    .unwrap();
    c1.batch_execute("BEGIN; SELECT * FROM t").await.unwrap();
    c2.batch_execute("GRANT SELECT ON t TO app").await.unwrap();
    c1.batch_execute("INSERT INTO t VALUES (1)").await.unwrap();
    let err = c1.batch_execute("COMMIT").await.unwrap_err();
    assert_eq!(sqlstate(&err), "40001");
    assert!(message(&err).contains("(OC001)"), "{}", message(&err));
}

#[tokio::test]
async fn refused_statements_leave_the_catalog_unchanged() {
    let t = start().await;
    let c1 = connect(&t.server).await;
    let c2 = connect(&t.server).await;
    script(
        &c1,
        &format!(
            "CREATE TABLE t (k integer PRIMARY KEY); CREATE ROLE app WITH LOGIN; \
         CREATE ROLE nologin; AWS IAM GRANT app TO '{ARN}'; CREATE SCHEMA s; \
         CREATE TABLE s.x (k integer PRIMARY KEY)"
        ),
    )
    .await
    .unwrap();
    let before = mappings(&c1).await;
    // A transaction that read the catalog: any catalog change would fail its COMMIT.
    c1.batch_execute("BEGIN; SELECT * FROM t").await.unwrap();
    for sql in [
        "CREATE ROLE app".to_string(),
        "CREATE ROLE admin".into(),
        "CREATE ROLE x WITH PASSWORD 'p'".into(),
        "DROP ROLE admin".into(),
        "DROP ROLE ghost".into(),
        "DROP ROLE nologin, ghost".into(),
        "ALTER ROLE admin NOLOGIN".into(),
        format!("AWS IAM GRANT nologin TO '{ARN}'"),
        format!("AWS IAM GRANT ghost TO '{ARN}'"),
        "AWS IAM GRANT app TO 'arn:aws:iam::1:role/x'".into(),
        "GRANT SELECT ON t TO app, ghost".into(),
        "GRANT SELECT ON t, nope TO app".into(),
        "CREATE SCHEMA s".into(),
        "CREATE SCHEMA pg_x".into(),
        "DROP SCHEMA public".into(),
        "DROP SCHEMA s".into(),
        "DROP SCHEMA ghost".into(),
        "SET ROLE app; CREATE TABLE y (k integer PRIMARY KEY)".into(),
        "SET ROLE app; AWS IAM REVOKE app FROM 'arn:aws:iam::123456789012:role/app'".into(),
        "SET ROLE app; DROP TABLE t".into(),
    ] {
        assert!(c2.batch_execute(&sql).await.is_err(), "{sql} should fail");
        c2.batch_execute("RESET ROLE").await.unwrap();
    }
    c1.batch_execute("INSERT INTO t VALUES (1); COMMIT")
        .await
        .unwrap();
    assert_eq!(c1.query("SELECT * FROM t", &[]).await.unwrap().len(), 1);
    assert_eq!(mappings(&c1).await, before);
    assert_eq!(c1.query("SELECT * FROM s.x", &[]).await.unwrap().len(), 0);
    c1.batch_execute("SET ROLE nologin").await.unwrap();
}
