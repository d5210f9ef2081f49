//! Journal replica failures seen from a SQL client: with one of three replicas down commits
//! continue; with two down they fail (40003 "outcome unknown" for a commit caught in flight,
//! then the retryable `XX000 server unavailable`); once a replica returns, service resumes and
//! nothing acknowledged is lost.

mod common;

use common::{connect, message, sqlstate, start};
use std::time::{Duration, Instant};

async fn count(c: &tokio_postgres::Client) -> i64 {
    c.query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_survive_one_replica_down_and_resume_after_two() {
    let t = start().await;
    let c = connect(&t.server).await;
    let replicas = t.server.journal_replicas();
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    for i in 1..=10 {
        c.execute("INSERT INTO t VALUES ($1)", &[&i]).await.unwrap();
    }

    // One replica down: commits continue on the other two.
    replicas[0].stop();
    for i in 11..=20 {
        c.execute("INSERT INTO t VALUES ($1)", &[&i]).await.unwrap();
    }
    assert_eq!(count(&c).await, 20);

    // Two down. A commit that reached the adjudicator before it noticed waits for a quorum
    // in vain: 40003, its outcome unknown (the record may still become durable). Once the
    // adjudicator knows, commits are refused at once with the retryable "server unavailable",
    // nothing recorded. Reads still work.
    replicas[1].stop();
    let err = c
        .execute("INSERT INTO t VALUES (21)", &[])
        .await
        .unwrap_err();
    match sqlstate(&err).as_str() {
        "40003" => assert_eq!(
            message(&err),
            "commit outcome unknown: the transaction may or may not have committed"
        ),
        "XX000" => assert_eq!(message(&err), "server unavailable"),
        other => panic!("unexpected {other}: {err}"),
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let err = c
            .execute("INSERT INTO t VALUES (21)", &[])
            .await
            .unwrap_err();
        if sqlstate(&err) == "XX000" {
            assert_eq!(message(&err), "server unavailable");
            break;
        }
        assert_eq!(sqlstate(&err), "40003", "{err}");
        assert!(Instant::now() < deadline, "never refused outright");
    }
    assert!(count(&c).await >= 20);

    // A replica returns (it missed commits 11..20 and catches up): the client's retry with
    // backoff succeeds. An attempt whose outcome was unknown may have committed after all, so
    // the client retries only because this INSERT tells: 23505 means it did, never twice.
    replicas[0].restart().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut delay = Duration::from_millis(10);
    loop {
        match c.execute("INSERT INTO t VALUES (21)", &[]).await {
            Ok(_) => break,
            Err(e) if sqlstate(&e) == "23505" => break,
            Err(e)
                if (sqlstate(&e) == "XX000" || sqlstate(&e) == "40003")
                    && Instant::now() < deadline =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(500));
            }
            Err(e) => panic!("commit did not resume after a replica returned: {e}"),
        }
    }
    assert_eq!(count(&c).await, 21);

    // The returned replica holds the whole log: with the third down, the two left commit.
    replicas[1].restart().unwrap();
    replicas[2].stop();
    for i in 22..=25 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match c.execute("INSERT INTO t VALUES ($1)", &[&i]).await {
                Ok(_) => break,
                // The INSERT is its own witness: 23505 after an unknown outcome means it landed.
                Err(e) if sqlstate(&e) == "23505" => break,
                Err(e)
                    if (sqlstate(&e) == "XX000" || sqlstate(&e) == "40003")
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                Err(e) => panic!("insert {i}: {e}"),
            }
        }
    }
    let ids: Vec<i32> = c
        .query("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, (1..=25).collect::<Vec<_>>());
}
