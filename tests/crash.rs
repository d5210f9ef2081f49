//! Crash safety: the real binary is killed with SIGKILL at random moments while several
//! clients write; after every restart each acknowledged commit is present and no transaction
//! is partly visible.

mod common;

use common::Binary;
use rand::Rng;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROWS_PER_TXN: i64 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_commits_survive_kill_9_and_nothing_is_half_visible() {
    let dir = tempfile::tempdir().unwrap();
    let acknowledged: Arc<Mutex<BTreeSet<i64>>> = Default::default();
    let mut next_group = 0i64;
    for round in 0..4 {
        let server = Binary::start(dir.path());
        let client = server.connect().await.expect("connect after restart");
        if round == 0 {
            client
                .batch_execute("CREATE TABLE crash (id bigint PRIMARY KEY, grp bigint NOT NULL)")
                .await
                .unwrap();
        }
        let acked = acknowledged.lock().unwrap().clone();
        check(&client, &acked, round).await;

        // Writers: each transaction inserts ROWS_PER_TXN rows of one group; a group is recorded
        // as acknowledged only once COMMIT returned success.
        let mut writers = Vec::new();
        for w in 0..4 {
            let client = server.connect().await.unwrap();
            let acknowledged = acknowledged.clone();
            let first_group = next_group + w * 1_000_000;
            writers.push(tokio::spawn(async move {
                for g in first_group.. {
                    let sql = format!(
                        "BEGIN; INSERT INTO crash VALUES {}; COMMIT;",
                        (0..ROWS_PER_TXN)
                            .map(|i| format!("({}, {g})", g * 10 + i))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    match client.batch_execute(&sql).await {
                        Ok(()) => {
                            acknowledged.lock().unwrap().insert(g);
                        }
                        Err(e) if e.is_closed() || e.as_db_error().is_none() => return,
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
            }));
        }
        next_group += 10_000_000;
        let pause = rand::rng().random_range(200..900);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill9();
        for w in writers {
            let _ = tokio::time::timeout(Duration::from_secs(10), w)
                .await
                .expect("writer stops after the kill");
        }
    }
    let server = Binary::start(dir.path());
    let client = server.connect().await.unwrap();
    let acked = acknowledged.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "the writers made progress ({} commits)",
        acked.len()
    );
    check(&client, &acked, 4).await;
}

async fn check(client: &tokio_postgres::Client, acknowledged: &BTreeSet<i64>, round: usize) {
    let rows = client
        .query("SELECT grp, count(*) FROM crash GROUP BY grp", &[])
        .await
        .unwrap();
    let mut present = BTreeSet::new();
    for r in rows {
        let (grp, n): (i64, i64) = (r.get(0), r.get(1));
        assert_eq!(
            n, ROWS_PER_TXN,
            "round {round}: transaction {grp} is partly visible ({n} rows)"
        );
        present.insert(grp);
    }
    let missing: Vec<_> = acknowledged.difference(&present).take(5).collect();
    assert!(
        missing.is_empty(),
        "round {round}: acknowledged commits lost: {missing:?}"
    );
}
