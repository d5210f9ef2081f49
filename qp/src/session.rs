//! A client session: transaction blocks, autocommit, settings, and prepared statements.
//!
//! The session follows PostgreSQL's rules for transaction blocks: outside a block every
//! statement is its own transaction (autocommit); `BEGIN` opens a block; an error inside a block
//! makes every later statement fail with 25P02 until `COMMIT` (which then answers `ROLLBACK`)
//! or `ROLLBACK`.

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::exec::{self, ExecContext, Output, RowIds};
use crate::plan::{Plan, Planned};
use crate::planner::Planner;
use crate::txn::{Cluster, Limits, Transaction};
use crate::value::{DataType, Value};
use sqlparser::ast::Statement;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The query processor's shared state: the cluster it talks to and caches shared by sessions.
pub struct Engine {
    pub(crate) cluster: Cluster,
    /// The newest catalog any session loaded; sessions reuse it when their snapshot has the
    /// same catalog version.
    catalog: Mutex<Arc<Catalog>>,
    row_ids: RowIds,
    limits: Limits,
}

impl Engine {
    /// An engine over the given cluster services.
    pub fn new(cluster: Cluster, limits: Limits) -> Arc<Engine> {
        Arc::new(Engine {
            cluster,
            catalog: Mutex::new(Arc::new(Catalog::default())),
            row_ids: RowIds::default(),
            limits,
        })
    }

    fn cached_catalog(&self) -> Arc<Catalog> {
        self.catalog
            .lock()
            .expect("catalog cache lock poisoned")
            .clone()
    }

    /// The catalog a transaction sees: loaded once per transaction (one point read when the
    /// shared cache is current).
    pub(crate) async fn catalog_for(&self, txn: &mut Transaction) -> Result<Arc<Catalog>> {
        if let Some(catalog) = &txn.catalog {
            return Ok(catalog.clone());
        }
        let catalog = self.load_catalog(txn).await?;
        txn.catalog = Some(catalog.clone());
        Ok(catalog)
    }

    async fn load_catalog(&self, txn: &mut Transaction) -> Result<Arc<Catalog>> {
        let cached = self.cached_catalog();
        match exec::load_catalog(txn, &cached).await? {
            None => Ok(cached),
            Some(fresh) => {
                let fresh = Arc::new(fresh);
                if !txn.wrote(&crate::catalog::version_key()) {
                    let mut cache = self.catalog.lock().expect("catalog cache lock poisoned");
                    if fresh.version > cache.version {
                        *cache = fresh.clone();
                    }
                }
                Ok(fresh)
            }
        }
    }
}

/// A statement prepared with the extended protocol: parsed once, planned once per catalog
/// version.
#[derive(Debug)]
pub struct Prepared {
    /// The statement text.
    pub sql: String,
    /// The parsed statement.
    pub statement: Statement,
    /// Parameter types the client declared in Parse (None = infer).
    pub declared: Vec<Option<DataType>>,
    /// The plan for the catalog version it was made with.
    plan: Mutex<Option<Arc<Planned>>>,
}

impl Prepared {
    /// A prepared statement that has not been planned yet.
    pub fn new(sql: String, statement: Statement, declared: Vec<Option<DataType>>) -> Prepared {
        Prepared {
            sql,
            statement,
            declared,
            plan: Mutex::new(None),
        }
    }

    fn cached_plan(&self) -> Option<Arc<Planned>> {
        self.plan.lock().expect("plan cache lock poisoned").clone()
    }

    fn cache_plan(&self, plan: Arc<Planned>) {
        *self.plan.lock().expect("plan cache lock poisoned") = Some(plan);
    }
}

/// The state of one client connection.
pub struct Session {
    engine: Arc<Engine>,
    /// The authenticated user.
    pub user: String,
    /// The open transaction: the block's, or the current autocommit statement's.
    txn: Option<Transaction>,
    /// Inside BEGIN ... COMMIT.
    in_block: bool,
    /// A statement of the block failed.
    failed: bool,
    /// Session parameters changed with SET.
    settings: BTreeMap<String, String>,
}

/// The transaction state reported in ReadyForQuery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnStatus {
    /// Not in a transaction block.
    Idle,
    /// In a transaction block.
    InBlock,
    /// In a failed transaction block.
    Failed,
}

fn is_session_statement(stmt: &Statement) -> bool {
    matches!(
        stmt,
        Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Rollback { .. }
            | Statement::Set(_)
            | Statement::ShowVariable { .. }
    ) || crate::jobs::wait_for_job_args(stmt).is_some()
}

fn is_ddl(plan: &Plan) -> bool {
    matches!(
        plan,
        Plan::CreateTable { .. }
            | Plan::DropTable { .. }
            | Plan::CreateIndex { .. }
            | Plan::DropIndex { .. }
    )
}

impl Session {
    /// A new session for `user`.
    pub fn new(engine: Arc<Engine>, user: String) -> Session {
        Session {
            engine,
            user,
            txn: None,
            in_block: false,
            failed: false,
            settings: BTreeMap::new(),
        }
    }

    /// The status for ReadyForQuery.
    pub fn status(&self) -> TxnStatus {
        match (self.in_block, self.failed) {
            (false, _) => TxnStatus::Idle,
            (true, false) => TxnStatus::InBlock,
            (true, true) => TxnStatus::Failed,
        }
    }

    /// Runs a statement of the simple query protocol.
    pub async fn execute(&mut self, stmt: &Statement) -> Result<(Output, Arc<Planned>)> {
        self.run(stmt, None, &[], &[]).await
    }

    /// Plans a prepared statement (for Describe and Bind), reusing its cached plan when the
    /// catalog has not changed.
    pub async fn plan_prepared(&mut self, prepared: &Prepared) -> Result<Arc<Planned>> {
        if is_session_statement(&prepared.statement) {
            return self
                .plan_with(&prepared.statement, &Catalog::default(), &prepared.declared)
                .map(Arc::new);
        }
        let owned_txn = self.txn.is_none();
        let mut txn = match self.txn.take() {
            Some(t) => t,
            None => Transaction::new(self.engine.cluster.clone()),
        };
        let result = async {
            let catalog = self.engine.catalog_for(&mut txn).await?;
            if let Some(plan) = prepared.cached_plan()
                && (!plan.uses_catalog || plan.catalog_version == catalog.version)
            {
                return Ok(plan);
            }
            let plan =
                Arc::new(self.plan_with(&prepared.statement, &catalog, &prepared.declared)?);
            if !txn.wrote(&crate::catalog::version_key()) {
                prepared.cache_plan(plan.clone());
            }
            Ok(plan)
        }
        .await;
        if !owned_txn {
            self.txn = Some(txn);
        }
        result
    }

    /// Runs a prepared statement with bound parameter values.
    pub async fn execute_prepared(
        &mut self,
        prepared: &Prepared,
        plan: Arc<Planned>,
        params: &[Value],
    ) -> Result<Output> {
        self.run(&prepared.statement, Some(plan), &prepared.declared, params)
            .await
            .map(|(o, _)| o)
    }

    fn plan_with(
        &self,
        stmt: &Statement,
        catalog: &Catalog,
        declared: &[Option<DataType>],
    ) -> Result<Planned> {
        Planner::new(catalog, declared).plan(stmt)
    }

    async fn run(
        &mut self,
        stmt: &Statement,
        plan: Option<Arc<Planned>>,
        declared: &[Option<DataType>],
        params: &[Value],
    ) -> Result<(Output, Arc<Planned>)> {
        if is_session_statement(stmt) {
            let planned = match plan {
                Some(p) => p,
                None => Arc::new(self.plan_with(stmt, &Catalog::default(), declared)?),
            };
            let output = match &planned.plan {
                Plan::WaitForJob { job_id } => self.wait_for_job(job_id, params).await?,
                plan => self.run_session_statement(plan).await?,
            };
            return Ok((output, planned));
        }
        if self.failed {
            return Err(Error::in_failed_transaction());
        }
        let mut txn = match self.txn.take() {
            Some(t) => t,
            None => Transaction::new(self.engine.cluster.clone()),
        };
        let result = self
            .run_in_txn(&mut txn, stmt, plan, declared, params)
            .await;
        if self.in_block {
            if result.is_err() {
                self.failed = true;
            }
            self.txn = Some(txn);
            result
        } else {
            // Autocommit: the statement is the transaction.
            let (output, planned) = result?;
            txn.commit().await?;
            Ok((output, planned))
        }
    }

    async fn run_in_txn(
        &mut self,
        txn: &mut Transaction,
        stmt: &Statement,
        plan: Option<Arc<Planned>>,
        declared: &[Option<DataType>],
        params: &[Value],
    ) -> Result<(Output, Arc<Planned>)> {
        let age = txn.started.elapsed();
        if age > std::time::Duration::from_secs(300) {
            return Err(Error::new(
                "54000",
                "transaction age limit of 300s exceeded",
            ));
        }
        let catalog = self.engine.catalog_for(txn).await?;
        let planned = match plan {
            Some(p) if !p.uses_catalog || p.catalog_version == catalog.version => p,
            _ => Arc::new(self.plan_with(stmt, &catalog, declared)?),
        };
        if is_ddl(&planned.plan) {
            if txn.has_ddl {
                return Err(Error::unsupported(
                    "multiple ddl statements not supported in a transaction",
                ));
            }
            if txn.has_dml {
                return Err(Error::unsupported(
                    "ddl and dml are not supported in the same transaction",
                ));
            }
        } else if txn.has_ddl && !matches!(planned.plan, Plan::Query(_)) {
            return Err(Error::unsupported(
                "ddl and dml are not supported in the same transaction",
            ));
        }
        if planned.uses_catalog {
            txn.require_unchanged(crate::catalog::version_key());
        }
        let mut cx = ExecContext {
            txn,
            params,
            user: &self.user,
            limits: &self.engine.limits,
            row_ids: &self.engine.row_ids,
        };
        let output = exec::execute(&planned.plan, &mut cx).await?;
        Ok((output, planned))
    }

    /// `sys.wait_for_job(id)`: blocks until the job ends; refused inside a transaction block
    /// (it would wait for changes its own snapshot can never show).
    async fn wait_for_job(
        &mut self,
        job_id: &crate::expr::Expr,
        params: &[Value],
    ) -> Result<Output> {
        if self.failed {
            return Err(Error::in_failed_transaction());
        }
        if self.in_block {
            self.failed = true;
            return Err(Error::new(
                "25001",
                "sys.wait_for_job cannot run inside a transaction block",
            ));
        }
        let ecx = crate::expr::EvalContext {
            params,
            now: chrono::Utc::now(),
            user: &self.user,
        };
        let done = match job_id.eval(&[], &ecx)? {
            Value::Null => Value::Null,
            id => Value::Bool(self.engine.wait_for_job(&id.to_text()).await?),
        };
        Ok(Output::Rows {
            rows: vec![vec![done]],
            tag: "SELECT".into(),
        })
    }

    async fn run_session_statement(&mut self, plan: &Plan) -> Result<Output> {
        match plan {
            Plan::Begin => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                // BEGIN inside a block only warns in PostgreSQL.
                if !self.in_block {
                    self.in_block = true;
                    self.txn = Some(Transaction::new(self.engine.cluster.clone()));
                }
                Ok(Output::Command("BEGIN".into()))
            }
            Plan::Commit => {
                let txn = self.txn.take();
                let (was_block, failed) = (self.in_block, self.failed);
                self.in_block = false;
                self.failed = false;
                if !was_block || failed {
                    return Ok(Output::Command(
                        if failed { "ROLLBACK" } else { "COMMIT" }.into(),
                    ));
                }
                if let Some(txn) = txn {
                    txn.commit().await?;
                }
                Ok(Output::Command("COMMIT".into()))
            }
            Plan::Rollback => {
                self.txn = None;
                self.in_block = false;
                self.failed = false;
                Ok(Output::Command("ROLLBACK".into()))
            }
            Plan::Set { name, value } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                let name = canonical_setting(name);
                if name == "transaction_isolation" {
                    // Snapshot isolation is the only level (reported as repeatable read).
                    let level = value
                        .as_deref()
                        .unwrap_or("repeatable read")
                        .to_ascii_lowercase();
                    if level != "repeatable read" {
                        return Err(Error::unsupported(format!(
                            "Unsupported isolation level: {}",
                            level.to_uppercase()
                        )));
                    }
                    return Ok(Output::Command("SET".into()));
                }
                match value {
                    Some(v) => {
                        self.settings.insert(name, v.clone());
                    }
                    None => {
                        self.settings.remove(&name);
                    }
                }
                Ok(Output::Command("SET".into()))
            }
            Plan::Show { name } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                let key = canonical_setting(name);
                let value = self
                    .settings
                    .get(&key)
                    .cloned()
                    .or_else(|| default_setting(&key))
                    .ok_or_else(|| {
                        Error::new(
                            "42704",
                            format!("unrecognized configuration parameter \"{name}\""),
                        )
                    })?;
                Ok(Output::Rows {
                    rows: vec![vec![Value::Text(value)]],
                    tag: "SHOW".into(),
                })
            }
            _ => Err(Error::internal("not a session statement")),
        }
    }
}

fn canonical_setting(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "time zone" => "timezone".into(),
        "transaction isolation level" | "default_transaction_isolation" => {
            "transaction_isolation".into()
        }
        _ => lower,
    }
}

fn default_setting(name: &str) -> Option<String> {
    Some(
        match name {
            "server_version" => crate::SERVER_VERSION,
            "server_version_num" => "160009",
            "server_encoding" | "client_encoding" => "UTF8",
            "transaction_isolation" => "repeatable read",
            "standard_conforming_strings" => "on",
            "timezone" => "UTC",
            "datestyle" => "ISO, MDY",
            "intervalstyle" => "postgres",
            "integer_datetimes" => "on",
            "search_path" => "\"$user\", public",
            "application_name" => "",
            "extra_float_digits" => "1",
            "max_identifier_length" => "63",
            "default_transaction_read_only" | "transaction_read_only" => "off",
            "lc_collate" | "lc_ctype" => "C",
            "is_superuser" => "on",
            _ => return None,
        }
        .to_string(),
    )
}
