//! The PostgreSQL protocol glue: pgwire's simple and extended query handlers over a
//! [`Session`].
//!
//! Each connection's [`Session`] lives in pgwire's per-connection session extensions. The
//! session, not pgwire, is the source of truth for the transaction status reported in
//! ReadyForQuery: a COMMIT that fails with 40001 ends the transaction (status idle), which
//! pgwire's default bookkeeping would report as a failed block.
//!
//! Command tags follow PostgreSQL: `SELECT n`, `INSERT 0 n`, `UPDATE n`, `DELETE n` count
//! their rows, every other tag (`SHOW`, DSQL's `CREATE INDEX` with its job id row) is sent as
//! it is. An Execute with a row limit sends at most that many rows and answers
//! PortalSuspended; the next Execute of the portal continues where it stopped (a query whose
//! rows come in read order goes on reading as they are taken: [`Session::execute_prepared`]
//! with `stream`, [`Output::Streaming`]). Portals live
//! as long as PostgreSQL's: none survives the end of its transaction (whenever the session
//! is idle at ReadyForQuery, every portal is gone), so a later Execute is 34000.

use crate::catalog::ObjectNames;
use crate::error::{Error, SqlState};
use crate::exec::Output;
use crate::parse::Parsed;
use crate::plan::Planned;
use crate::session::{Engine, Prepared, Session, TxnStatus};
use crate::types::timezone::TimeZone;
use crate::types::{DataType, Value, array_binary};
use async_trait::async_trait;
use bytes::BytesMut;
use futures::{Sink, SinkExt, StreamExt, stream};
use pgwire::api::portal::{Format, Portal, PortalExecutionState};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{
    DataRowEncoder, DescribePortalResponse, DescribeStatementResponse, FieldFormat, FieldInfo,
    QueryResponse, Response, Tag,
};
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::{Entry, PortalStore};
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState, Type};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::RowDescription;
use pgwire::messages::extendedquery::{Execute, PortalSuspended, Sync as PgSync};
use pgwire::messages::response::{EmptyQueryResponse, ReadyForQuery, TransactionStatus};
use pgwire::messages::simplequery::Query;
use pgwire::types::ToSqlText;
use pgwire::types::format::FormatOptions;
use postgres_types::{IsNull, ToSql, to_sql_checked};
use std::fmt::Debug;
use std::sync::Arc;

type SessionCell = tokio::sync::Mutex<Session>;

/// The query processor's pgwire handlers (simple and extended protocol).
pub struct Handler {
    engine: Arc<Engine>,
    parser: Arc<SqlParser>,
}

impl Handler {
    /// Handlers for sessions of `engine`.
    pub fn new(engine: Arc<Engine>) -> Handler {
        Handler {
            engine,
            parser: Arc::new(SqlParser),
        }
    }

    /// The connection's session, made on first use for the user the startup named. A
    /// connection without a user is refused (FATAL 28000), never given a default role: the
    /// router refuses it at startup, and the query processor fails closed as well.
    fn session<C: ClientInfo>(&self, client: &C) -> PgWireResult<Arc<SessionCell>> {
        let Some(user) = client
            .metadata()
            .get(pgwire::api::METADATA_USER)
            .filter(|user| !user.is_empty())
            .cloned()
        else {
            let mut info = to_error_info(Error::new(
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                "no PostgreSQL user name specified in startup packet",
            ));
            info.severity = "FATAL".into();
            return Err(PgWireError::UserError(Box::new(info)));
        };
        let engine = self.engine.clone();
        Ok(client
            .session_extensions()
            .get_or_insert_with(move || tokio::sync::Mutex::new(Session::new(engine, user))))
    }
}

/// Converts a SQL error to pgwire's error (severity ERROR).
pub fn to_pgwire(err: Error) -> PgWireError {
    PgWireError::UserError(Box::new(to_error_info(err)))
}

fn to_error_info(err: Error) -> ErrorInfo {
    let mut info = ErrorInfo::new("ERROR".to_string(), err.code().to_string(), err.message);
    info.detail = err.detail;
    info.hint = err.hint;
    info
}

fn wire_status(status: TxnStatus) -> TransactionStatus {
    match status {
        TxnStatus::Idle => TransactionStatus::Idle,
        TxnStatus::InBlock => TransactionStatus::Transaction,
        TxnStatus::Failed => TransactionStatus::Error,
    }
}

/// Parses SQL text into statements (DSQL's `AWS IAM` statements included). Text sqlparser
/// cannot parse is refused as DSQL refuses it when it is a statement DSQL does not run (a
/// `DO` block: 0A000), else it is a syntax error.
pub fn parse_sql(sql: &str) -> Result<Vec<Parsed>, Error> {
    crate::parse::parse_sql(sql).map_err(|e| crate::refusals::check_unparsed(sql).unwrap_or(e))
}

fn field_infos(planned: &Planned, format: Option<&Format>) -> Vec<FieldInfo> {
    planned
        .columns
        .iter()
        .enumerate()
        .map(|(i, (name, ty))| {
            let ty = if *ty == DataType::Unknown {
                DataType::Text
            } else {
                *ty
            };
            let format = format.map(|f| f.format_for(i)).unwrap_or(FieldFormat::Text);
            FieldInfo::new(name.clone(), None, None, ty.pg_type(), format)
                .with_type_modifier(ty.type_modifier())
        })
        .collect()
}

/// The names a statement's reg-typed result columns are written with, if it has any.
fn object_names_for(session: &mut Session, planned: &Planned) -> Option<Arc<ObjectNames>> {
    if planned.columns.iter().any(|(_, ty)| ty.is_reg()) {
        session.object_names()
    } else {
        None
    }
}

/// Whether PostgreSQL's command tag for `command` carries the row count (`SELECT 3`,
/// `INSERT 0 3`); other tags that come with rows (`SHOW`, `CREATE INDEX`) do not.
fn tag_counts_rows(command: &str) -> bool {
    [
        "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY",
    ]
    .iter()
    .any(|verb| command.split(' ').next() == Some(verb))
}

/// The CommandComplete of a result set of `rows` rows with tag `command`.
fn rows_complete(command: &str, rows: usize) -> PgWireBackendMessage {
    let tag = if tag_counts_rows(command) {
        Tag::new(command).with_rows(rows)
    } else {
        Tag::new(command)
    };
    PgWireBackendMessage::CommandComplete(tag.into())
}

/// Sends a simple query's result set: RowDescription, DataRows, CommandComplete.
async fn send_rows<C>(client: &mut C, mut results: QueryResponse) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let command = results.command_tag().to_owned();
    let fields = results.row_schema();
    let data_rows = results.data_rows();
    client
        .feed(PgWireBackendMessage::RowDescription(RowDescription::new(
            fields.iter().map(Into::into).collect(),
        )))
        .await?;
    let mut rows = 0;
    while let Some(row) = data_rows.next().await {
        client.feed(PgWireBackendMessage::DataRow(row?)).await?;
        rows += 1;
    }
    client.feed(rows_complete(&command, rows)).await?;
    Ok(())
}

/// One row as a DataRow, each value in its column's format.
fn encode_row(
    encoder: &mut DataRowEncoder,
    row: &[Value],
    zone: TimeZone,
    names: Option<&ObjectNames>,
) -> PgWireResult<pgwire::messages::data::DataRow> {
    for v in row {
        encoder.encode_field(&Cell(v, zone, names))?;
    }
    Ok(encoder.take_row())
}

fn query_response(
    rows: Vec<Vec<Value>>,
    fields: Arc<Vec<FieldInfo>>,
    tag: &str,
    zone: TimeZone,
    names: Option<&ObjectNames>,
) -> QueryResponse {
    let mut encoder = DataRowEncoder::new(fields.clone());
    let encoded: Vec<PgWireResult<_>> = rows
        .into_iter()
        .map(|row| encode_row(&mut encoder, &row, zone, names))
        .collect();
    let mut response = QueryResponse::new(fields, stream::iter(encoded));
    response.set_command_tag(tag);
    response
}

/// A statement's output as a pgwire response; text-format timestamptz values are shown in
/// `zone`, reg-typed values (`regclass`) by the names in `names`.
fn output_response(
    output: Output,
    planned: &Planned,
    format: Option<&Format>,
    zone: TimeZone,
    names: Option<Arc<ObjectNames>>,
) -> Response {
    match output {
        Output::Rows { rows, tag } => {
            let fields = Arc::new(field_infos(planned, format));
            Response::Query(query_response(rows, fields, &tag, zone, names.as_deref()))
        }
        Output::Command(tag) => Response::Execution(Tag::new(&tag)),
        Output::Streaming(batches) => {
            let fields = Arc::new(field_infos(planned, format));
            let mut encoder = DataRowEncoder::new(fields.clone());
            // Rows are encoded as the portal takes them, a batch at a time.
            let batches = stream::unfold(batches, |mut batches| async move {
                batches.recv().await.map(|batch| (batch, batches))
            });
            let rows = batches.flat_map(move |batch| {
                let encoded: Vec<PgWireResult<_>> = match batch {
                    Ok(rows) => rows
                        .into_iter()
                        .map(|row| encode_row(&mut encoder, &row, zone, names.as_deref()))
                        .collect(),
                    Err(e) => vec![Err(to_pgwire(e))],
                };
                stream::iter(encoded)
            });
            let mut response = QueryResponse::new(fields, rows);
            response.set_command_tag("SELECT");
            Response::Query(response)
        }
    }
}

#[async_trait]
impl SimpleQueryHandler for Handler {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        let session = self.session(client)?;
        client.set_state(PgWireConnectionState::QueryInProgress);
        let mut session = session.lock().await;
        match parse_sql(&query.query) {
            Err(e) => {
                client
                    .feed(PgWireBackendMessage::ErrorResponse(to_error_info(e).into()))
                    .await?;
            }
            Ok(statements) if statements.is_empty() => {
                client
                    .feed(PgWireBackendMessage::EmptyQueryResponse(
                        EmptyQueryResponse::new(),
                    ))
                    .await?;
            }
            Ok(statements) => {
                // Several statements run in one implicit transaction block (see `session`):
                // the first error rolls back what the string did and skips the rest.
                let implicit = statements.len() > 1;
                let mut failed = false;
                for statement in &statements {
                    if implicit {
                        session.begin_implicit_block();
                    }
                    match session.execute(statement).await {
                        Ok((output, planned)) => {
                            let names = object_names_for(&mut session, &planned);
                            let zone = session.time_zone();
                            match output_response(output, &planned, None, zone, names) {
                                Response::Query(results) => send_rows(client, results).await?,
                                Response::Execution(tag) => {
                                    client
                                        .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                                        .await?;
                                }
                                _ => {}
                            }
                        }
                        Err(e) => {
                            client
                                .feed(PgWireBackendMessage::ErrorResponse(to_error_info(e).into()))
                                .await?;
                            failed = true;
                            break;
                        }
                    }
                }
                if !failed && let Err(e) = session.end_implicit_block().await {
                    client
                        .feed(PgWireBackendMessage::ErrorResponse(to_error_info(e).into()))
                        .await?;
                }
            }
        }
        let status = wire_status(session.status());
        if status == TransactionStatus::Idle {
            // The transaction ended: so did its portals.
            client.portal_store().clear_portals();
        }
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client.set_transaction_status(status);
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        Ok(())
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // `on_query` above handles the whole simple-query cycle.
        Err(to_pgwire(Error::internal(
            "simple query routed to do_query",
        )))
    }
}

/// Parses statements for the extended protocol (Parse message).
#[derive(Debug, Default)]
pub struct SqlParser;

#[async_trait]
impl QueryParser for SqlParser {
    type Statement = Arc<Prepared>;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Self::Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let mut statements = parse_sql(sql).map_err(to_pgwire)?;
        if statements.len() > 1 {
            return Err(to_pgwire(Error::syntax(
                "cannot insert multiple commands into a prepared statement",
            )));
        }
        let Some(statement) = statements.pop() else {
            return Ok(None);
        };
        let declared = types
            .iter()
            .map(|t| match t {
                None => Ok(None),
                Some(t) => DataType::from_pg_type(t)
                    .map(|d| {
                        if d == DataType::Unknown {
                            None
                        } else {
                            Some(d)
                        }
                    })
                    .ok_or_else(|| {
                        to_pgwire(Error::unsupported(format!(
                            "parameter type {} is not supported",
                            t.name()
                        )))
                    }),
            })
            .collect::<PgWireResult<Vec<_>>>()?;
        Ok(Some(Arc::new(Prepared::new(
            sql.to_string(),
            statement,
            declared,
        ))))
    }

    fn get_parameter_types(&self, _stmt: &Self::Statement) -> PgWireResult<Vec<Type>> {
        // Describe is answered by `Handler::do_describe_statement`, which plans with the session.
        Ok(vec![])
    }

    fn get_result_schema(
        &self,
        _stmt: &Self::Statement,
        _format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        Ok(vec![])
    }
}

/// Decodes one bind parameter (a text-format timestamptz without offset is local to `zone`).
fn decode_param(
    bytes: Option<&[u8]>,
    ty: DataType,
    binary: bool,
    zone: TimeZone,
) -> Result<Value, Error> {
    let Some(bytes) = bytes else {
        return Ok(Value::Null);
    };
    if !binary {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Error::new(
                SqlState::CHARACTER_NOT_IN_REPERTOIRE,
                "invalid byte sequence for encoding \"UTF8\"",
            )
        })?;
        // A reg type's text is a name the session reads with the statement's catalog.
        if ty.is_reg() {
            return Ok(Value::Text(text.to_string()));
        }
        return Value::parse(text, ty, zone);
    }
    use postgres_types::FromSql;
    let bad = |e: Box<dyn std::error::Error + Sync + Send>| {
        Error::new(
            SqlState::INVALID_BINARY_REPRESENTATION,
            format!("incorrect binary data format in bind parameter: {e}"),
        )
    };
    let pg = ty.pg_type();
    Ok(match ty {
        DataType::Array(_) | DataType::Int2Vector | DataType::OidVector => {
            let element = ty.element().unwrap_or(DataType::Int2);
            let array = array_binary::decode_array(bytes, element.pg_type().oid(), &mut |b| {
                decode_param(Some(b), element, true, zone)
            })
            .map_err(|e| match e.state {
                SqlState::INVALID_BINARY_REPRESENTATION => Error::new(
                    e.state,
                    format!(
                        "incorrect binary data format in bind parameter: {}",
                        e.message
                    ),
                ),
                _ => e,
            })?;
            Value::array(array)
        }
        DataType::Bool => Value::Bool(bool::from_sql(&pg, bytes).map_err(bad)?),
        DataType::Int2 => Value::Int(i16::from_sql(&pg, bytes).map_err(bad)? as i64),
        DataType::Int4 => Value::Int(i32::from_sql(&pg, bytes).map_err(bad)? as i64),
        DataType::Int8 => Value::Int(i64::from_sql(&pg, bytes).map_err(bad)?),
        DataType::Float4 => Value::Float(f32::from_sql(&pg, bytes).map_err(bad)? as f64),
        DataType::Float8 => Value::Float(f64::from_sql(&pg, bytes).map_err(bad)?),
        DataType::Numeric(_) => {
            Value::Numeric(rust_decimal::Decimal::from_sql(&pg, bytes).map_err(bad)?)
        }
        DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Unknown => {
            Value::Text(String::from_sql(&Type::TEXT, bytes).map_err(bad)?)
        }
        // json's binary form is its text.
        DataType::Json => Value::parse(
            &String::from_sql(&Type::TEXT, bytes).map_err(bad)?,
            ty,
            zone,
        )?,
        DataType::Name => Value::parse(
            &String::from_sql(&Type::TEXT, bytes).map_err(bad)?,
            ty,
            zone,
        )?,
        DataType::Oid | DataType::Reg(_) => {
            Value::Int(u32::from_sql(&Type::OID, bytes).map_err(bad)?.into())
        }
        DataType::InternalChar => match i8::from_sql(&pg, bytes).map_err(bad)? as u8 {
            0 => Value::Text(String::new()),
            b if b.is_ascii() => Value::Text(char::from(b).to_string()),
            _ => {
                return Err(Error::new(
                    SqlState::INVALID_BINARY_REPRESENTATION,
                    "incorrect binary data format in bind parameter: \"char\" values above 127 are not supported",
                ));
            }
        },
        DataType::Date => Value::Date(chrono::NaiveDate::from_sql(&pg, bytes).map_err(bad)?),
        DataType::Timestamp => {
            Value::Timestamp(chrono::NaiveDateTime::from_sql(&pg, bytes).map_err(bad)?)
        }
        DataType::TimestampTz => {
            Value::TimestampTz(chrono::DateTime::<chrono::Utc>::from_sql(&pg, bytes).map_err(bad)?)
        }
    })
}

impl Handler {
    /// Runs a portal on its first Execute and sends up to `max_rows` of its rows (all with
    /// 0); a portal with rows left answers PortalSuspended, one that is done
    /// CommandComplete. A finished portal executed again sends no rows.
    async fn execute_portal<C>(
        &self,
        client: &mut C,
        portal: &Portal<Arc<Prepared>>,
        max_rows: usize,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Arc<Prepared>>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let (initial, finished) = match *portal.state().lock().await {
            PortalExecutionState::Initial => (true, false),
            PortalExecutionState::Finished => (false, true),
            PortalExecutionState::Suspended(_) => (false, false),
        };
        if initial {
            match ExtendedQueryHandler::do_query(self, client, portal, max_rows).await? {
                Response::Query(results) => portal.start(results).await,
                Response::Execution(tag) => {
                    client
                        .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                        .await?;
                    return Ok(());
                }
                _ => return Err(to_pgwire(Error::internal("unexpected portal response"))),
            }
        }
        if finished {
            client.feed(rows_complete("SELECT", 0)).await?;
            return Ok(());
        }
        if !initial {
            let session = self.session(client)?;
            session
                .lock()
                .await
                .check_portal_fetch()
                .map_err(to_pgwire)?;
        }
        let fetched = match portal.fetch(max_rows).await {
            Ok(fetched) => fetched,
            Err(e) => {
                // A streaming portal's query failed on a later row: its transaction fails
                // as if the statement had.
                self.session(client)?.lock().await.fail_statement();
                return Err(e);
            }
        };
        let mut response = fetched.response;
        let command = response.command_tag().to_owned();
        let mut rows = 0;
        let data_rows = response.data_rows();
        while let Some(row) = data_rows.next().await {
            client.feed(PgWireBackendMessage::DataRow(row?)).await?;
            rows += 1;
        }
        if fetched.suspended {
            client
                .feed(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))
                .await?;
        } else {
            client.feed(rows_complete(&command, rows)).await?;
        }
        Ok(())
    }

    async fn plan_statement<C: ClientInfo>(
        &self,
        client: &C,
        stmt: &Prepared,
    ) -> PgWireResult<Arc<Planned>> {
        let session = self.session(client)?;
        let mut session = session.lock().await;
        session.plan_prepared(stmt).await.map_err(to_pgwire)
    }
}

#[async_trait]
impl ExtendedQueryHandler for Handler {
    type Statement = Arc<Prepared>;
    type QueryParser = SqlParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        self.parser.clone()
    }

    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client.portal_store().rm_portal(pgwire::api::DEFAULT_NAME);
        let session = self.session(client)?;
        let status = wire_status(session.lock().await.status());
        if status == TransactionStatus::Idle {
            // The implicit or explicit transaction ended: so did its portals.
            client.portal_store().clear_portals();
        }
        client.set_transaction_status(status);
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        client.flush().await?;
        Ok(())
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        let name = message.name.as_deref().unwrap_or(pgwire::api::DEFAULT_NAME);
        // 0 (or a negative count) means no limit.
        let max_rows = usize::try_from(message.max_rows).unwrap_or(0);
        let portal = match client.portal_store().get_portal(name) {
            Some(Entry::Value(portal)) => portal,
            Some(Entry::Empty) => {
                client
                    .feed(PgWireBackendMessage::EmptyQueryResponse(
                        EmptyQueryResponse::new(),
                    ))
                    .await?;
                return Ok(());
            }
            None => {
                return Err(to_pgwire(Error::new(
                    SqlState::INVALID_CURSOR_NAME,
                    format!("portal \"{name}\" does not exist"),
                )));
            }
        };
        client.set_state(PgWireConnectionState::QueryInProgress);
        let result = self.execute_portal(client, &portal, max_rows).await;
        client.set_state(PgWireConnectionState::ReadyForQuery);
        result
    }

    async fn do_describe_statement<C>(
        &self,
        client: &mut C,
        target: &StoredStatement<Self::Statement>,
    ) -> PgWireResult<DescribeStatementResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let planned = self.plan_statement(client, &target.statement).await?;
        let params = planned.param_types.iter().map(|t| t.pg_type()).collect();
        Ok(DescribeStatementResponse::new(
            params,
            field_infos(&planned, None),
        ))
    }

    async fn do_describe_portal<C>(
        &self,
        client: &mut C,
        portal: &Portal<Self::Statement>,
    ) -> PgWireResult<DescribePortalResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let planned = self
            .plan_statement(client, &portal.statement.statement)
            .await?;
        Ok(DescribePortalResponse::new(field_infos(
            &planned,
            Some(&portal.result_column_format),
        )))
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Self::Statement>,
        max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = &portal.statement.statement;
        let session = self.session(client)?;
        let mut session = session.lock().await;
        let planned = session.plan_prepared(prepared).await.map_err(to_pgwire)?;
        if portal.parameters.len() != planned.param_types.len() {
            return Err(to_pgwire(Error::protocol(format!(
                "bind message supplies {} parameters, but prepared statement \"{}\" requires {}",
                portal.parameters.len(),
                portal.statement.id,
                planned.param_types.len()
            ))));
        }
        let zone = session.time_zone();
        let params = portal
            .parameters
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                decode_param(
                    bytes.as_deref(),
                    planned.param_types[i],
                    portal.parameter_format.is_binary(i),
                    zone,
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(to_pgwire)?;
        // A portal fetched a few rows at a time streams its query's rows.
        let output = session
            .execute_prepared(prepared, planned.clone(), &params, max_rows > 0)
            .await
            .map_err(to_pgwire)?;
        let names = object_names_for(&mut session, &planned);
        Ok(output_response(
            output,
            &planned,
            Some(&portal.result_column_format),
            session.time_zone(),
            names,
        ))
    }
}

/// A value being encoded into a DataRow, in the column's type and format (text-format
/// timestamptz values in the session's time zone).
#[derive(Debug)]
struct Cell<'a>(&'a Value, TimeZone, Option<&'a ObjectNames>);

/// The wire types of the reg types (`regclass`, ...).
fn is_reg_type(ty: &Type) -> bool {
    DataType::from_pg_type(ty).is_some_and(DataType::is_reg)
}

impl ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if let (Value::Array(a), postgres_types::Kind::Array(element)) = (self.0, ty.kind()) {
            let mut bytes = Vec::new();
            let mut failed = None;
            array_binary::encode_array(a, element.oid(), &mut bytes, &mut |v, out| {
                let mut cell = BytesMut::new();
                if let Err(e) = Cell(v, self.1, self.2).to_sql(element, &mut cell) {
                    failed = Some(e);
                }
                out.extend_from_slice(&cell);
            });
            if let Some(e) = failed {
                return Err(e);
            }
            out.extend_from_slice(&bytes);
            return Ok(IsNull::No);
        }
        match (self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Bool(b), _) => b.to_sql(&Type::BOOL, out),
            (Value::Int(i), t) if *t == Type::INT2 => (*i as i16).to_sql(t, out),
            (Value::Int(i), t) if *t == Type::INT4 => (*i as i32).to_sql(t, out),
            (Value::Int(i), t) if *t == Type::INT8 => i.to_sql(t, out),
            (Value::Int(i), t) if *t == Type::OID || is_reg_type(t) => {
                (*i as u32).to_sql(&Type::OID, out)
            }
            (Value::Text(s), t) if *t == Type::CHAR => {
                // One byte; the empty value is the zero byte.
                out.extend_from_slice(&[s.bytes().next().unwrap_or(0)]);
                Ok(IsNull::No)
            }
            (Value::Int(i), t) if *t == Type::NUMERIC => {
                rust_decimal::Decimal::from(*i).to_sql(t, out)
            }
            (Value::Int(i), t) if *t == Type::FLOAT8 => (*i as f64).to_sql(t, out),
            (Value::Float(f), t) if *t == Type::FLOAT4 => (*f as f32).to_sql(t, out),
            (Value::Float(f), t) if *t == Type::FLOAT8 => f.to_sql(t, out),
            (Value::Numeric(d), t) if *t == Type::NUMERIC => d.to_sql(t, out),
            (Value::Date(d), t) if *t == Type::DATE => d.to_sql(t, out),
            (Value::Timestamp(v), t) if *t == Type::TIMESTAMP => v.to_sql(t, out),
            (Value::TimestampTz(v), t) if *t == Type::TIMESTAMPTZ => v.to_sql(t, out),
            (v, _) => {
                // Text-like types (and any mismatch) carry the text form, which is also their
                // binary form.
                out.extend_from_slice(v.to_text().as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl ToSqlText for Cell<'_> {
    fn to_sql_text(
        &self,
        ty: &Type,
        out: &mut BytesMut,
        _format_options: &FormatOptions,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if self.0.is_null() {
            return Ok(IsNull::Yes);
        }
        // A reg type's name, a vector's spaced form: looked at only for values that can be
        // one, so the common cells pay nothing.
        match self.0 {
            Value::Int(oid) if self.2.is_some() => {
                if let (Some(DataType::Reg(kind)), Some(names)) =
                    (DataType::from_pg_type(ty), self.2)
                {
                    out.extend_from_slice(names.name(kind, *oid as u32).as_bytes());
                    return Ok(IsNull::No);
                }
            }
            Value::Array(a) if *ty == Type::INT2_VECTOR || *ty == Type::OID_VECTOR => {
                out.extend_from_slice(a.vector_text().as_bytes());
                return Ok(IsNull::No);
            }
            _ => {}
        }
        let mut s = String::new();
        self.0.write_text(&mut s, self.1);
        out.extend_from_slice(s.as_bytes());
        Ok(IsNull::No)
    }
}

/// The QP's handlers as a pgwire handler set (simple + extended protocol); the router adds
/// the startup handler.
#[derive(Clone)]
pub struct QueryHandlers {
    handler: Arc<Handler>,
}

impl QueryHandlers {
    /// Handlers for sessions of `engine`.
    pub fn new(engine: Arc<Engine>) -> QueryHandlers {
        QueryHandlers {
            handler: Arc::new(Handler::new(engine)),
        }
    }
}

impl pgwire::api::PgWireServerHandlers for QueryHandlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.handler.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.handler.clone()
    }
}
