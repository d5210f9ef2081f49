//! The query processor fails closed on a connection whose startup named no user: it is
//! refused with FATAL 28000, never served as `admin`. The router refuses such a startup
//! first; this drives the query processor's handlers directly (pgwire's accept-all startup,
//! no router) to check the second line of defence.

mod common;

use common::wire::{engine, error_fields, query, read_until_ready, serve_one, startup};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_without_a_user_is_refused_not_served_as_admin() {
    let dir = tempfile::tempdir().unwrap();
    let addr = serve_one(engine(dir.path()).await).await;

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&startup(&[("database", "postgres")]))
        .await
        .unwrap();
    let greeting = read_until_ready(&mut stream).await;
    assert_eq!(
        greeting.last().map(|m| m.0),
        Some(b'Z'),
        "startup completes"
    );

    stream
        .write_all(&query("SELECT session_user"))
        .await
        .unwrap();
    let answer = read_until_ready(&mut stream).await;
    assert!(
        !answer.iter().any(|(kind, _)| *kind == b'D'),
        "no row is served: {answer:?}"
    );
    let (_, error) = answer
        .iter()
        .find(|(kind, _)| *kind == b'E')
        .expect("an ErrorResponse");
    let fields = error_fields(error);
    assert!(fields.contains(&(b'S', "FATAL".into())), "{fields:?}");
    assert!(fields.contains(&(b'C', "28000".into())), "{fields:?}");
    assert!(
        fields.contains(&(
            b'M',
            "no PostgreSQL user name specified in startup packet".into()
        )),
        "{fields:?}"
    );
    // FATAL: the connection is closed.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut rest),
    )
    .await
    .expect("the server closes the connection");

    // With a user, the same handlers serve the session as that user.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&startup(&[("user", "admin"), ("database", "postgres")]))
        .await
        .unwrap();
    read_until_ready(&mut stream).await;
    stream
        .write_all(&query("SELECT session_user"))
        .await
        .unwrap();
    let answer = read_until_ready(&mut stream).await;
    let row = answer
        .iter()
        .find(|(kind, _)| *kind == b'D')
        .expect("a row");
    assert!(row.1.ends_with(b"admin"), "{:?}", row.1);
}
