//! The query processor fails closed on a connection whose startup named no user: it is
//! refused with FATAL 28000, never served as `admin`. The router refuses such a startup
//! first; this drives the query processor's handlers directly (pgwire's accept-all startup,
//! no router) to check the second line of defence.

use proto::adjudicator::Adjudicator;
use proto::journal::Replica;
use proto::key::ShardMap;
use proto::storage::Shard;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An engine over a fresh in-process cluster (one journal of three replicas, one shard).
async fn engine(dir: &std::path::Path) -> Arc<qp::Engine> {
    let mut replicas: Vec<Arc<dyn Replica>> = Vec::new();
    for i in 0..3 {
        replicas.push(journal::LocalReplica::open(&dir.join(i.to_string())).unwrap());
    }
    let adjudicator: Arc<dyn Adjudicator> =
        adjudicator::LocalAdjudicator::recover(replicas.clone(), adjudicator::Config::default())
            .await
            .unwrap();
    let shard_map = ShardMap::new(vec![]);
    let shard = storage::LocalShard::new(
        shard_map.range_of(proto::ShardId(0)),
        storage::ShardConfig::default(),
    );
    shard.follow(replicas);
    let shards: Vec<Arc<dyn Shard>> = vec![shard];
    qp::Engine::new(
        qp::Cluster {
            adjudicator,
            shards,
            shard_map,
        },
        qp::Limits::default(),
    )
}

/// A StartupMessage (protocol 3.0) with the given parameters.
fn startup(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = 196608u32.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend(k.as_bytes());
        body.push(0);
        body.extend(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    msg.extend(body);
    msg
}

fn query(sql: &str) -> Vec<u8> {
    let mut msg = vec![b'Q'];
    msg.extend(((sql.len() + 5) as u32).to_be_bytes());
    msg.extend(sql.as_bytes());
    msg.push(0);
    msg
}

/// Reads backend messages until ReadyForQuery or end of stream: (type, body) pairs.
async fn read_until_ready(stream: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
    let mut messages = Vec::new();
    loop {
        let mut head = [0u8; 5];
        if stream.read_exact(&mut head).await.is_err() {
            return messages;
        }
        let len = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
        let mut body = vec![0u8; len - 4];
        stream.read_exact(&mut body).await.unwrap();
        let kind = head[0];
        messages.push((kind, body));
        if kind == b'Z' {
            return messages;
        }
    }
}

/// The fields of an ErrorResponse body, by field type.
fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    body.split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| (f[0], String::from_utf8_lossy(&f[1..]).into_owned()))
        .collect()
}

async fn serve_one(engine: Arc<qp::Engine>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handlers = Arc::new(qp::QueryHandlers::new(engine));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let handlers = handlers.clone();
            tokio::spawn(pgwire::tokio::process_socket(socket, None, handlers));
        }
    });
    addr
}

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
