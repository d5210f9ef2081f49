//! Journal replica failures seen from a SQL client: with one of three replicas down commits
//! continue; with two down they fail with a retryable error and change nothing visible; once a
//! replica returns, service resumes and nothing acknowledged is lost.

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

    // Two down: a commit fails with DSQL's retryable "server unavailable"; reads still work.
    replicas[1].stop();
    let err = c
        .execute("INSERT INTO t VALUES (21)", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "XX000", "{err}");
    assert_eq!(message(&err), "server unavailable");
    assert!(count(&c).await >= 20);

    // A replica returns (it missed commits 11..20 and catches up): the client's retry with
    // backoff succeeds. The failed attempt's outcome was unknown, so the retry may also find
    // that it committed after all (23505), never twice.
    replicas[0].restart().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut delay = Duration::from_millis(10);
    loop {
        match c.execute("INSERT INTO t VALUES (21)", &[]).await {
            Ok(_) => break,
            Err(e) if sqlstate(&e) == "23505" => break,
            Err(e) if sqlstate(&e) == "XX000" && Instant::now() < deadline => {
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
                Err(e) if sqlstate(&e) == "XX000" && Instant::now() < deadline => {
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
