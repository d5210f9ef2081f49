//! The query processor (QP): dsql's PostgreSQL sessions.
//!
//! A QP is stateless. It speaks the PostgreSQL protocol (through `pgwire`), parses SQL with
//! `sqlparser`, plans against the catalog as of the transaction's snapshot, and executes:
//!
//! ```text
//!  client ─ Parse/Bind/Execute or Query ─> handler ─> session ─> planner ─> executor
//!                                                        │                     │
//!                                                        │  snapshot, commit   │ get / scan (as of read_ts)
//!                                                        └──> adjudicator      └──> storage shards
//! ```
//!
//! - [`handler`]: the pgwire glue (simple and extended protocol, Describe with real types).
//! - [`session`]: transaction blocks, autocommit, settings, prepared statement plan caching.
//! - [`planner`] / [`plan`]: SQL → typed plan, parameter type inference, access paths;
//!   [`names`]: identifiers, table names and SQL type names.
//! - [`exec`]: runs plans inside a [`txn::Transaction`] (snapshot reads + local write buffer).
//! - [`catalog`]: table definitions stored as rows in the MVCC store; [`catalog::codec`]: the
//!   versioned encodings of catalog entries.
//! - [`index`], [`exec::index_ddl`], [`jobs`]: secondary indexes, `CREATE INDEX ASYNC` /
//!   `DROP INDEX`, and the background jobs that build indexes (`sys.jobs`, `sys.wait_for_job`).
//! - [`roles`], [`privileges`], [`login`]: roles and their IAM mappings, the privilege checks,
//!   the router's login check; schema and role DDL is planned in [`planner::schemas`] and
//!   [`planner::roles`] and run in [`exec::schemas`] and [`exec::roles`].
//! - [`parse`]: SQL text → statements, including DSQL's `AWS IAM GRANT/REVOKE`.
//! - [`types`]: SQL types and values, text I/O, casts, the order-preserving key encoding
//!   ([`types::keycode`]), the storage row codec; [`expr`]: expressions.
//! - [`functions`]: the registry of built-in functions, PostgreSQL's overload resolution,
//!   the scalar functions' code.
//! - [`error`]: SQLSTATEs; the one place service errors become SQL errors.
//! - [`limits`]: DSQL's transaction and object limits, configurable.
//! - [`refusals`]: statements DSQL refuses (0A000), recognised before planning.
//! - [`settings`]: the `SET` allowlist, `RESET`, `SET LOCAL` and `SHOW` defaults.
//! - [`locking`]: which `SELECT ... FOR UPDATE` DSQL accepts.

pub mod catalog;
pub mod error;
pub mod exec;
pub mod explain;
pub mod expr;
pub mod functions;
pub mod handler;
pub mod index;
pub mod jobs;
pub mod limits;
pub mod locking;
pub mod login;
pub mod names;
pub mod parse;
pub mod plan;
pub mod planner;
pub mod privileges;
pub mod refusals;
pub mod roles;
pub mod session;
pub mod settings;
pub mod txn;
pub mod types;

pub use error::{Error, ErrorKind, Result, SqlState};
pub use handler::{Handler, QueryHandlers};
pub use limits::Limits;
pub use login::LoginRefusal;
pub use session::Engine;
pub use txn::Cluster;

/// The PostgreSQL version dsql reports (`server_version`): clients parse it.
pub const SERVER_VERSION: &str = "16.15";

/// `server_version_num`, as a live DSQL cluster reports it.
pub const SERVER_VERSION_NUM: &str = "160015";

/// What `SELECT version()` answers; ORMs look for `PostgreSQL 16.x` in it.
pub const VERSION_STRING: &str = concat!(
    "PostgreSQL 16.15 (dsql ",
    env!("CARGO_PKG_VERSION"),
    ") on x86_64-pc-linux-gnu, compiled by rustc, 64-bit"
);
