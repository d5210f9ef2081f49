//! Portals in the extended protocol, as PostgreSQL keeps them: an Execute with a row limit
//! sends that many rows and PortalSuspended, the next Execute continues, the last one ends
//! with CommandComplete; a portal dies with its transaction (34000 afterwards); command
//! tags are PostgreSQL's (`SELECT n`, but `SHOW` without a count).

mod common;

use common::wire::{bind, engine, exchange, execute, parse, query, serve_one, session, sync};

fn lines(want: &[&str]) -> Vec<String> {
    want.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_with_a_row_limit_suspends_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    exchange(&mut s, &[query("CREATE TABLE t (id int PRIMARY KEY)")]).await;
    exchange(
        &mut s,
        &[query("INSERT INTO t VALUES (1), (2), (3), (4), (5)")],
    )
    .await;
    exchange(&mut s, &[query("BEGIN")]).await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("s", "SELECT id FROM t ORDER BY id"),
                bind("p", "s"),
                execute("p", 2),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "D 2", "s", "Z T"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("p", 2), sync()]).await,
        lines(&["D 3", "D 4", "s", "Z T"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("p", 2), sync()]).await,
        lines(&["D 5", "C SELECT 1", "Z T"])
    );
    // A finished portal executes again without rows.
    assert_eq!(
        exchange(&mut s, &[execute("p", 0), sync()]).await,
        lines(&["C SELECT 0", "Z T"])
    );
    // Two portals of one statement run independently in one block.
    assert_eq!(
        exchange(
            &mut s,
            &[
                bind("a", "s"),
                bind("b", "s"),
                execute("a", 1),
                execute("b", 3),
                execute("a", 0),
                sync()
            ]
        )
        .await,
        lines(&[
            "D 1",
            "s",
            "D 1",
            "D 2",
            "D 3",
            "s",
            "D 2",
            "D 3",
            "D 4",
            "D 5",
            "C SELECT 4",
            "Z T"
        ])
    );
    // The block ends, and its portals with it.
    assert_eq!(
        exchange(&mut s, &[query("COMMIT")]).await,
        lines(&["C COMMIT", "Z I"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("b", 1), sync()]).await,
        lines(&["E 34000 portal \"b\" does not exist", "Z I"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_outside_a_block_ends_with_the_implicit_transaction_at_sync() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    exchange(&mut s, &[query("CREATE TABLE t (id int PRIMARY KEY)")]).await;
    exchange(&mut s, &[query("INSERT INTO t VALUES (1), (2), (3)")]).await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("s", "SELECT id FROM t ORDER BY id"),
                bind("q", "s"),
                execute("q", 1),
                execute("q", 1),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "s", "D 2", "s", "Z I"])
    );
    assert_eq!(
        exchange(&mut s, &[execute("q", 1), sync()]).await,
        lines(&["E 34000 portal \"q\" does not exist", "Z I"])
    );
    // The prepared statement outlives the portal.
    assert_eq!(
        exchange(&mut s, &[bind("", "s"), execute("", 0), sync()]).await,
        lines(&["D 1", "D 2", "D 3", "C SELECT 3", "Z I"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_command_tags_are_postgresqls() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;
    let mut s = session(addr, "admin").await;
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "SHOW search_path"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["D \"$user\", public", "C SHOW", "Z I"])
    );
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "CREATE TABLE u (id int PRIMARY KEY)"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["C CREATE TABLE", "Z I"])
    );
    assert_eq!(
        exchange(
            &mut s,
            &[
                parse("", "INSERT INTO u VALUES (1), (2) RETURNING id"),
                bind("", ""),
                execute("", 0),
                sync()
            ]
        )
        .await,
        lines(&["D 1", "D 2", "C INSERT 0 2", "Z I"])
    );
}
