//! Raw PostgreSQL protocol over plain TCP to the query processor's handlers (pgwire's
//! accept-all startup, no router, no TLS): for what a client library hides, such as the
//! exact command tags, or a startup without a user.

use proto::adjudicator::Adjudicator;
use proto::journal::Replica;
use proto::key::ShardMap;
use proto::storage::Shard;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An engine over a fresh in-process cluster (one journal of three replicas, one shard).
pub async fn engine(dir: &std::path::Path) -> Arc<qp::Engine> {
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
pub fn startup(params: &[(&str, &str)]) -> Vec<u8> {
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

pub fn query(sql: &str) -> Vec<u8> {
    let mut msg = vec![b'Q'];
    msg.extend(((sql.len() + 5) as u32).to_be_bytes());
    msg.extend(sql.as_bytes());
    msg.push(0);
    msg
}

/// Reads backend messages until ReadyForQuery or end of stream: (type, body) pairs.
pub async fn read_until_ready(stream: &mut TcpStream) -> Vec<(u8, Vec<u8>)> {
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
pub fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    body.split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| (f[0], String::from_utf8_lossy(&f[1..]).into_owned()))
        .collect()
}

pub async fn serve_one(engine: Arc<qp::Engine>) -> std::net::SocketAddr {
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

/// The command tags (CommandComplete bodies) a simple query answers, over a fresh session
/// of `user` on `addr`.
pub async fn command_tags(addr: std::net::SocketAddr, user: &str, sql: &str) -> Vec<String> {
    let mut stream = session(addr, user).await;
    stream.write_all(&query(sql)).await.unwrap();
    read_until_ready(&mut stream)
        .await
        .into_iter()
        .filter(|(kind, _)| *kind == b'C')
        .map(|(_, body)| {
            String::from_utf8_lossy(body.strip_suffix(&[0]).unwrap_or(&body)).into_owned()
        })
        .collect()
}

fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut msg = vec![kind];
    msg.extend(((body.len() + 4) as u32).to_be_bytes());
    msg.extend(body);
    msg
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend(s.as_bytes());
    out.push(0);
}

/// A Parse message: statement `name` of `sql`, no declared parameter types.
pub fn parse(name: &str, sql: &str) -> Vec<u8> {
    let mut body = Vec::new();
    cstr(&mut body, name);
    cstr(&mut body, sql);
    body.extend(0u16.to_be_bytes());
    message(b'P', &body)
}

/// A Bind message: portal `portal` of statement `statement`, no parameters, text results.
pub fn bind(portal: &str, statement: &str) -> Vec<u8> {
    let mut body = Vec::new();
    cstr(&mut body, portal);
    cstr(&mut body, statement);
    body.extend(0u16.to_be_bytes());
    body.extend(0u16.to_be_bytes());
    body.extend(0u16.to_be_bytes());
    message(b'B', &body)
}

/// An Execute message of `portal` for at most `max_rows` rows (0: all).
pub fn execute(portal: &str, max_rows: i32) -> Vec<u8> {
    let mut body = Vec::new();
    cstr(&mut body, portal);
    body.extend(max_rows.to_be_bytes());
    message(b'E', &body)
}

/// A Sync message.
pub fn sync() -> Vec<u8> {
    message(b'S', &[])
}

/// A session of `user` on `addr`, past startup.
pub async fn session(addr: std::net::SocketAddr, user: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(&startup(&[("user", user), ("database", "postgres")]))
        .await
        .unwrap();
    read_until_ready(&mut stream).await;
    stream
}

/// Sends `messages` and reads the answer up to ReadyForQuery, summarised one line per
/// message: `D 3` (a DataRow's first column), `C SELECT 2`, `E 34000 text`, `s`
/// (PortalSuspended), `Z I` (ReadyForQuery with its status), or the bare type byte.
pub async fn exchange(stream: &mut TcpStream, messages: &[Vec<u8>]) -> Vec<String> {
    stream.write_all(&messages.concat()).await.unwrap();
    read_until_ready(stream)
        .await
        .into_iter()
        .filter(|(kind, _)| !matches!(kind, b'T' | b'1' | b'2' | b'n'))
        .map(|(kind, body)| match kind {
            b'D' => {
                let len = i32::from_be_bytes(body[2..6].try_into().unwrap());
                let value = if len < 0 {
                    "NULL".to_string()
                } else {
                    String::from_utf8_lossy(&body[6..6 + len as usize]).into_owned()
                };
                format!("D {value}")
            }
            b'C' => format!(
                "C {}",
                String::from_utf8_lossy(body.strip_suffix(&[0]).unwrap_or(&body))
            ),
            b'E' => {
                let fields = error_fields(&body);
                let field = |t: u8| {
                    fields
                        .iter()
                        .find(|(k, _)| *k == t)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                format!("E {} {}", field(b'C'), field(b'M'))
            }
            b'Z' => format!("Z {}", body[0] as char),
            other => (other as char).to_string(),
        })
        .collect()
}
