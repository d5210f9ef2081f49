//! Secondary indexes over the PostgreSQL wire: `CREATE INDEX ASYNC` returns a job id at once,
//! the build runs in the background while writers keep writing, `sys.wait_for_job` and
//! `sys.jobs` report its outcome, unique indexes enforce uniqueness (also between concurrent
//! transactions), and an index answers exactly what a full scan answers.

mod common;

use common::{Binary, connect, message, script, sqlstate, start};
use rand::Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_postgres::Client;

/// Runs `CREATE INDEX ASYNC ...` and returns its job id.
async fn create_index(c: &Client, sql: &str) -> String {
    let rows = c.query(sql, &[]).await.unwrap();
    assert_eq!(rows.len(), 1, "{sql} answers one row");
    assert_eq!(rows[0].columns()[0].name(), "job_id");
    rows[0].get(0)
}

async fn wait(c: &Client, job_id: &str) -> bool {
    c.query_one("SELECT sys.wait_for_job($1)", &[&job_id])
        .await
        .unwrap()
        .get(0)
}

async fn job_status(c: &Client, job_id: &str) -> (String, Option<String>) {
    let row = c
        .query_one(
            "SELECT status, details FROM sys.jobs WHERE job_id = $1",
            &[&job_id],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// Inserts rows `(id, id % modulo)` for ids in `ids` into `t (id, k)`.
async fn fill(c: &Client, table: &str, ids: std::ops::Range<i64>, modulo: i64) {
    let ids: Vec<i64> = ids.collect();
    for chunk in ids.chunks(1000) {
        let values: Vec<String> = chunk
            .iter()
            .map(|id| format!("({id}, {})", id % modulo))
            .collect();
        c.batch_execute(&format!(
            "INSERT INTO {table} (id, k) VALUES {}",
            values.join(", ")
        ))
        .await
        .unwrap();
    }
}

/// The ids with `k = v`, read once through the index and once through a full scan.
async fn both_ways(c: &Client, table: &str, v: i64) -> (Vec<i64>, Vec<i64>) {
    let ids = |rows: Vec<tokio_postgres::Row>| {
        let mut ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        ids.sort();
        ids
    };
    let indexed = c
        .query(&format!("SELECT id FROM {table} WHERE k = $1"), &[&v])
        .await
        .unwrap();
    let scanned = c
        .query(&format!("SELECT id FROM {table} WHERE k + 0 = $1"), &[&v])
        .await
        .unwrap();
    (ids(indexed), ids(scanned))
}

#[tokio::test]
async fn an_index_is_built_in_the_background_and_answers_like_a_full_scan() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, k bigint, note text)")
        .await
        .unwrap();
    fill(&c, "t", 0..1200, 37).await;
    let job = create_index(&c, "CREATE INDEX ASYNC t_k ON t (k)").await;
    assert_eq!(job.len(), 26, "a DSQL-style job id: {job}");
    assert!(wait(&c, &job).await, "the build succeeds");
    let row = c
        .query_one(
            "SELECT status, job_type, object_name, details FROM sys.jobs WHERE job_id = $1",
            &[&job],
        )
        .await
        .unwrap();
    let (status, job_type, object, details): (String, String, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(
        (status.as_str(), job_type.as_str(), object.as_str()),
        ("completed", "INDEX_BUILD", "public.t_k")
    );
    assert_eq!(details, None);
    for v in -1..40 {
        let (indexed, scanned) = both_ways(&c, "t", v).await;
        assert_eq!(indexed, scanned, "k = {v}");
        assert_eq!(
            indexed.len(),
            if (0..37).contains(&v) {
                1200 / 37 + usize::from(v < 1200 % 37)
            } else {
                0
            }
        );
    }
    // Ranges on the indexed column, and writes after the build, go through the index too.
    c.batch_execute("INSERT INTO t (id, k) VALUES (5000, 3), (5001, NULL); UPDATE t SET k = 99 WHERE id = 0; DELETE FROM t WHERE id = 1")
        .await
        .unwrap();
    for v in [0, 1, 3, 99] {
        let (indexed, scanned) = both_ways(&c, "t", v).await;
        assert_eq!(indexed, scanned, "k = {v} after writes");
    }
    // UPDATE and DELETE find their rows through the index too.
    assert_eq!(
        c.execute("UPDATE t SET note = 'seen' WHERE k = 5", &[])
            .await
            .unwrap(),
        both_ways(&c, "t", 5).await.1.len() as u64
    );
    let noted: i64 = c
        .query_one("SELECT count(*) FROM t WHERE note = 'seen'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(noted as usize, both_ways(&c, "t", 5).await.0.len());
    c.batch_execute("DELETE FROM t WHERE k = 6").await.unwrap();
    assert_eq!(both_ways(&c, "t", 6).await, (vec![], vec![]));
    let range: i64 = c
        .query_one("SELECT count(*) FROM t WHERE k >= 30 AND k < 99", &[])
        .await
        .unwrap()
        .get(0);
    let range_scan: i64 = c
        .query_one(
            "SELECT count(*) FROM t WHERE k + 0 >= 30 AND k + 0 < 99",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(range, range_scan);
    let nulls: i64 = c
        .query_one("SELECT count(*) FROM t WHERE k IS NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(nulls, 1);
}

/// A writer that inserts, moves (updates the indexed column) and deletes rows until told to
/// stop, retrying on 40001 like a DSQL client.
async fn writer(c: Client, first_id: i64, stop: Arc<AtomicBool>) -> usize {
    let mut commits = 0;
    let mut next_id = first_id;
    while !stop.load(Ordering::Relaxed) {
        let (id, k, victim, moved): (i64, i64, i64, i64) = {
            let mut rng = rand::rng();
            (
                next_id,
                rng.random_range(0..50),
                rng.random_range(0..3000),
                rng.random_range(0..3000),
            )
        };
        let sql = format!(
            "BEGIN; INSERT INTO w (id, k) VALUES ({id}, {k}); \
             UPDATE w SET k = k + 1 WHERE id = {moved}; \
             DELETE FROM w WHERE id = {victim}; COMMIT"
        );
        match c.batch_execute(&sql).await {
            Ok(()) => {
                commits += 1;
                next_id += 1;
            }
            Err(e) if sqlstate(&e) == "40001" => {
                let _ = c.batch_execute("ROLLBACK").await;
            }
            Err(e) => panic!("writer: {e}"),
        }
    }
    commits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_keeps_up_with_concurrent_inserts_updates_and_deletes() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE w (id bigint PRIMARY KEY, k bigint)")
        .await
        .unwrap();
    fill(&c, "w", 0..3000, 50).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let client = connect(&t.server).await;
        writers.push(tokio::spawn(writer(
            client,
            10_000 + w * 100_000,
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The CREATE itself may lose to nothing (it writes only catalog rows), but retry anyway.
    let job = loop {
        match c.query("CREATE INDEX ASYNC w_k ON w (k)", &[]).await {
            Ok(rows) => break rows[0].get::<_, String>(0),
            Err(e) if sqlstate(&e) == "40001" => continue,
            Err(e) => panic!("create index: {e}"),
        }
    };
    assert!(wait(&c, &job).await, "the build succeeds");
    // Keep writing a little after the index became valid, then stop.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut commits = 0;
    for w in writers {
        commits += w.await.unwrap();
    }
    assert!(
        commits > 10,
        "the writers made progress ({commits} commits)"
    );
    let mut per_value = BTreeMap::new();
    for v in 0..60 {
        let (indexed, scanned) = both_ways(&c, "w", v).await;
        assert_eq!(indexed, scanned, "k = {v}");
        per_value.insert(v, indexed.len());
    }
    let total: i64 = c
        .query_one("SELECT count(*) FROM w", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(per_value.values().sum::<usize>() as i64, total);
}

#[tokio::test]
async fn unique_indexes_refuse_duplicates_now_and_between_concurrent_transactions() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE u (id bigint PRIMARY KEY, email text);
         INSERT INTO u VALUES (1, 'a@x'), (2, 'b@x'), (3, NULL)",
    )
    .await
    .unwrap();
    let job = create_index(&c, "CREATE UNIQUE INDEX ASYNC u_email ON u (email)").await;
    assert!(wait(&c, &job).await);

    // Against committed data: 23505 at once.
    let err = c
        .batch_execute("INSERT INTO u VALUES (4, 'a@x')")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "23505");
    assert_eq!(
        message(&err),
        "duplicate key value violates unique constraint \"u_email\""
    );
    assert_eq!(
        err.as_db_error().unwrap().detail(),
        Some("Key (email)=(a@x) already exists.")
    );
    let err = c
        .batch_execute("UPDATE u SET email = 'b@x' WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "23505");
    // NULLs are distinct by default; a row may keep its own value; values may be swapped.
    c.batch_execute("INSERT INTO u VALUES (5, NULL)")
        .await
        .unwrap();
    c.batch_execute("UPDATE u SET email = 'a@x' WHERE id = 1")
        .await
        .unwrap();
    c.batch_execute("UPDATE u SET email = CASE id WHEN 1 THEN 'b@x' ELSE 'a@x' END WHERE id <= 2")
        .await
        .unwrap();
    // A freed value can be reused.
    c.batch_execute("DELETE FROM u WHERE id = 2; INSERT INTO u VALUES (6, 'a@x')")
        .await
        .unwrap();

    // Two concurrent transactions inserting one new value: the second committer gets 40001.
    let (a, b) = (connect(&t.server).await, connect(&t.server).await);
    a.batch_execute("BEGIN; INSERT INTO u VALUES (10, 'new@x')")
        .await
        .unwrap();
    b.batch_execute("BEGIN; INSERT INTO u VALUES (11, 'new@x')")
        .await
        .unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    let err = b.batch_execute("COMMIT").await.unwrap_err();
    assert_eq!(sqlstate(&err), "40001");
    assert!(message(&err).contains("OC000"), "{}", message(&err));
    let owners: Vec<i64> = c
        .query("SELECT id FROM u WHERE email = 'new@x'", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(owners, vec![10]);

    // NULLS NOT DISTINCT: a second NULL is a duplicate.
    c.batch_execute("CREATE TABLE n (id bigint PRIMARY KEY, k bigint)")
        .await
        .unwrap();
    let job = create_index(
        &c,
        "CREATE UNIQUE INDEX ASYNC n_k ON n (k) NULLS NOT DISTINCT",
    )
    .await;
    assert!(wait(&c, &job).await);
    c.batch_execute("INSERT INTO n VALUES (1, NULL)")
        .await
        .unwrap();
    let err = c
        .batch_execute("INSERT INTO n VALUES (2, NULL)")
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "23505");
}

#[tokio::test]
async fn a_unique_build_over_duplicates_fails_and_leaves_an_unused_invalid_index() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE d (id bigint PRIMARY KEY, k bigint);
         INSERT INTO d VALUES (1, 7), (2, 8), (3, 7)",
    )
    .await
    .unwrap();
    let job = create_index(&c, "CREATE UNIQUE INDEX ASYNC d_k ON d (k)").await;
    assert!(!wait(&c, &job).await, "the build fails");
    let (status, details) = job_status(&c, &job).await;
    assert_eq!(status, "failed");
    let details = details.expect("a failed job says why");
    assert!(
        details.contains("could not create unique index \"d_k\"")
            && details.contains("Key (k)=(7) is duplicated."),
        "{details}"
    );
    // The invalid index is neither used nor maintained: duplicates are still accepted and
    // every query answers from the table.
    c.batch_execute("INSERT INTO d VALUES (4, 7)")
        .await
        .unwrap();
    let (indexed, scanned) = both_ways(&c, "d", 7).await;
    assert_eq!(indexed, vec![1, 3, 4]);
    assert_eq!(indexed, scanned);
    // Dropping it frees the name; a fixed table then builds fine.
    c.batch_execute("DROP INDEX d_k").await.unwrap();
    let err = c.batch_execute("DROP INDEX d_k").await.unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        ("42704".into(), "index \"d_k\" does not exist".into())
    );
    c.batch_execute("DROP INDEX IF EXISTS d_k").await.unwrap();
    c.batch_execute("DELETE FROM d WHERE id <> 1 AND k = 7")
        .await
        .unwrap();
    let job = create_index(&c, "CREATE UNIQUE INDEX ASYNC d_k ON d (k)").await;
    assert!(wait(&c, &job).await);
    assert_eq!(job_status(&c, &job).await.0, "completed");
}

#[tokio::test]
async fn finishing_a_build_changes_the_schema_under_open_transactions() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE s (id bigint PRIMARY KEY, k bigint)")
        .await
        .unwrap();
    fill(&c, "s", 0..6000, 10).await;
    let job = create_index(&c, "CREATE INDEX ASYNC s_k ON s (k)").await;
    let a = connect(&t.server).await;
    a.batch_execute("BEGIN").await.unwrap();
    let status_seen: String = a
        .query_one("SELECT status FROM sys.jobs WHERE job_id = $1", &[&job])
        .await
        .unwrap()
        .get(0);
    a.batch_execute("INSERT INTO s VALUES (100000, 1)")
        .await
        .unwrap();
    assert!(wait(&c, &job).await);
    let result = a.batch_execute("COMMIT").await;
    if status_seen == "completed" {
        // The build finished before this transaction's snapshot: nothing changed under it.
        result.unwrap();
    } else {
        let err = result.unwrap_err();
        assert_eq!(sqlstate(&err), "40001");
        assert_eq!(
            message(&err),
            "schema has been updated by another transaction (OC001)"
        );
    }
}

#[tokio::test]
async fn tables_without_a_primary_key_are_indexed_too() {
    let t = start().await;
    let c = connect(&t.server).await;
    script(
        &c,
        "CREATE TABLE h (id bigint, k bigint);
         INSERT INTO h VALUES (1, 1), (2, 1), (3, 2), (4, NULL), (5, NULL)",
    )
    .await
    .unwrap();
    let job = create_index(&c, "CREATE UNIQUE INDEX ASYNC h_id ON h (id)").await;
    assert!(wait(&c, &job).await);
    let job = create_index(&c, "CREATE INDEX ASYNC h_k ON h (k)").await;
    assert!(wait(&c, &job).await);
    c.batch_execute("INSERT INTO h VALUES (6, 1)")
        .await
        .unwrap();
    assert_eq!(both_ways(&c, "h", 1).await, (vec![1, 2, 6], vec![1, 2, 6]));
    let err = c
        .batch_execute("INSERT INTO h VALUES (3, 9)")
        .await
        .unwrap_err();
    assert_eq!(
        err.as_db_error().and_then(|e| e.detail()),
        Some("Key (id)=(3) already exists.")
    );
}

#[tokio::test]
async fn drop_index_cancels_a_running_build() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE big (id bigint PRIMARY KEY, k bigint)")
        .await
        .unwrap();
    fill(&c, "big", 0..6000, 10).await;
    let job = create_index(&c, "CREATE INDEX ASYNC big_k ON big (k)").await;
    c.batch_execute("DROP INDEX big_k").await.unwrap();
    assert!(!wait(&c, &job).await, "a cancelled build is not a success");
    assert_eq!(job_status(&c, &job).await.0, "cancelled");
    let (indexed, scanned) = both_ways(&c, "big", 3).await;
    assert_eq!(indexed.len(), 600);
    assert_eq!(indexed, scanned);
}

#[tokio::test]
async fn dsql_refuses_what_it_does_not_support() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE r (id bigint PRIMARY KEY, a bigint, b text)")
        .await
        .unwrap();
    let refused = [
        (
            "CREATE INDEX r_a ON r (a)",
            "0A000",
            "unsupported mode. please use CREATE INDEX ASYNC.",
        ),
        (
            "CREATE INDEX ASYNC r_a ON r (a) WHERE a > 0",
            "0A000",
            "WHERE not supported for CREATE INDEX",
        ),
        (
            "CREATE INDEX ASYNC r_a ON r USING hash (a)",
            "0A000",
            "USING not supported for CREATE INDEX",
        ),
        (
            "CREATE INDEX ASYNC r_a ON r ((a + 1))",
            "0A000",
            "index expressions are not supported",
        ),
        (
            "CREATE INDEX ASYNC r_a ON r (nope)",
            "42703",
            "column \"nope\" does not exist",
        ),
        (
            "CREATE INDEX ASYNC r ON r (a)",
            "42P07",
            "relation \"r\" already exists",
        ),
        (
            "CREATE INDEX ASYNC r_a ON r (a, b, a, b, a, b, a, b, a)",
            "54011",
            "more than 8 column keys in an index are not supported",
        ),
        (
            "CREATE INDEX ASYNC j ON sys.jobs (status)",
            "42501",
            "permission denied for table jobs",
        ),
        (
            "SELECT sys.wait_for_job('aaaaaaaaaaaaaaaaaaaaaaaaaa')",
            "42704",
            "job \"aaaaaaaaaaaaaaaaaaaaaaaaaa\" does not exist",
        ),
        (
            "SELECT sys.wait_for_job('no-such-job')",
            "22P02",
            "Unable to convert text to UUID",
        ),
    ];
    for (sql, code, text) in refused {
        let err = c.batch_execute(sql).await.unwrap_err();
        assert_eq!(
            (sqlstate(&err), message(&err)),
            (code.into(), text.into()),
            "{sql}"
        );
    }
    // One DDL per transaction, and no DDL with DML.
    let err = c
        .batch_execute("BEGIN; CREATE INDEX ASYNC r_a ON r (a); CREATE INDEX ASYNC r_b ON r (b)")
        .await
        .unwrap_err();
    assert_eq!(
        message(&err),
        "multiple ddl statements not supported in a transaction"
    );
    c.batch_execute("ROLLBACK").await.unwrap();
    let err = c
        .batch_execute("BEGIN; INSERT INTO r VALUES (1, 1, 'x'); CREATE INDEX ASYNC r_a ON r (a)")
        .await
        .unwrap_err();
    assert_eq!(
        message(&err),
        "ddl and dml are not supported in the same transaction"
    );
    c.batch_execute("ROLLBACK").await.unwrap();

    // The unnamed form is named after the table and columns; names then conflict.
    let job = create_index(&c, "CREATE INDEX ASYNC ON r (a, b)").await;
    assert!(wait(&c, &job).await);
    let name: String = c
        .query_one(
            "SELECT object_name FROM sys.jobs WHERE job_id = $1",
            &[&job],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "public.r_a_b_idx");
    let err = c
        .batch_execute("CREATE INDEX ASYNC r_a_b_idx ON r (b)")
        .await
        .unwrap_err();
    assert_eq!(message(&err), "relation \"r_a_b_idx\" already exists");
    let rows = c
        .query("CREATE INDEX ASYNC IF NOT EXISTS r_a_b_idx ON r (b)", &[])
        .await
        .unwrap();
    assert!(
        rows.is_empty(),
        "IF NOT EXISTS on a taken name starts no job"
    );
    let err = c
        .batch_execute("CREATE TABLE r_a_b_idx (x bigint)")
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        (
            "42P07".into(),
            "relation \"r_a_b_idx\" already exists".into()
        )
    );
    let err = c.batch_execute("DROP INDEX r").await.unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        ("42809".into(), "\"r\" is not an index".into())
    );

    // wait_for_job inside a transaction block is refused and fails the block.
    c.batch_execute("BEGIN").await.unwrap();
    let err = c
        .batch_execute(&format!("CALL sys.wait_for_job('{job}')"))
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        (
            "25001".into(),
            "sys.wait_for_job cannot run inside a transaction block".into()
        )
    );
    c.batch_execute("ROLLBACK").await.unwrap();
    // CALL works outside one.
    c.batch_execute(&format!("CALL sys.wait_for_job('{job}')"))
        .await
        .unwrap();

    // Index keys count against the 1 KiB key limit.
    let err = c
        .execute("INSERT INTO r VALUES (2, 1, $1)", &[&"x".repeat(1100)])
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        ("54000".into(), "key size too large".into())
    );
}

#[tokio::test]
async fn at_most_24_indexes_per_table_counting_the_primary_key() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE many (id bigint PRIMARY KEY, a bigint)")
        .await
        .unwrap();
    for i in 0..23 {
        // Wait for each build: a build finishing rewrites the table's definition, so a
        // concurrent CREATE on the same table may have to retry.
        let job = create_index(&c, &format!("CREATE INDEX ASYNC many_{i} ON many (a)")).await;
        assert!(wait(&c, &job).await);
    }
    let err = c
        .batch_execute("CREATE INDEX ASYNC many_23 ON many (a)")
        .await
        .unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        (
            "54000".into(),
            "more than 24 indexes per table are not allowed".into()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_builds_resume_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let job = {
        let server = Binary::start(dir.path());
        let c = server.connect().await.unwrap();
        c.batch_execute("CREATE TABLE rs (id bigint PRIMARY KEY, k bigint)")
            .await
            .unwrap();
        fill(&c, "rs", 0..6000, 10).await;
        let job = create_index(&c, "CREATE INDEX ASYNC rs_k ON rs (k)").await;
        server.kill9();
        job
    };
    let server = Binary::start(dir.path());
    let c = server.connect().await.unwrap();
    let (status, _) = job_status(&c, &job).await;
    assert!(
        ["submitted", "processing", "completed"].contains(&status.as_str()),
        "{status}"
    );
    assert!(wait(&c, &job).await, "the build finishes after the restart");
    assert_eq!(job_status(&c, &job).await.0, "completed");
    for v in 0..10 {
        let (indexed, scanned) = both_ways(&c, "rs", v).await;
        assert_eq!(indexed.len(), 600, "k = {v}");
        assert_eq!(indexed, scanned);
    }
}

/// A build that hits an error no retry can cure (here a damaged stored row, an internal
/// error) ends the job as `failed` with the reason in `sys.jobs.details`, instead of being
/// resumed forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_over_a_damaged_row_fails_with_the_reason() {
    let t = start().await;
    let c = connect(&t.server).await;
    c.batch_execute("CREATE TABLE damaged (id bigint PRIMARY KEY, v bigint)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO damaged VALUES (1, 10), (2, 20)")
        .await
        .unwrap();

    // Plant bytes that are no row under the key of id 3 of the (first, so id 1000) user table.
    let adjudicator = t.server.adjudicator();
    let mut key = qp::types::keycode::table_prefix(qp::catalog::FIRST_USER_TABLE_ID);
    qp::types::keycode::encode_i64(3, &mut key);
    let read_ts = adjudicator.read_ts().await.unwrap();
    adjudicator
        .commit(proto::adjudicator::CommitRequest {
            read_ts,
            writes: vec![proto::Write {
                key,
                value: Some(vec![0xff, 0xff, 0xff]),
            }],
            locked: vec![],
            unchanged: vec![],
        })
        .await
        .unwrap();
    let err = c.query("SELECT * FROM damaged", &[]).await.unwrap_err();
    assert_eq!(
        (sqlstate(&err), message(&err)),
        ("XX000".into(), "damaged row in table damaged".into()),
        "the planted row is in the table"
    );

    let job = create_index(&c, "CREATE INDEX ASYNC damaged_v ON damaged (v)").await;
    let done = tokio::time::timeout(Duration::from_secs(30), wait(&c, &job))
        .await
        .expect("the job ends instead of being retried forever");
    assert!(!done, "the build failed");
    let (status, details) = job_status(&c, &job).await;
    assert_eq!(status, "failed");
    assert_eq!(details.as_deref(), Some("damaged row in table damaged"));
}
