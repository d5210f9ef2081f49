//! A client session: transaction blocks, autocommit, settings, and prepared statements.
//!
//! The session follows PostgreSQL's rules for transaction blocks: outside a block every
//! statement is its own transaction (autocommit); `BEGIN` opens a block; an error inside a block
//! makes every later statement fail with 25P02 until `COMMIT` (which then answers `ROLLBACK`)
//! or `ROLLBACK`.

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::exec::{self, ExecContext, Output, RowIds};
use crate::parse::Parsed;
use crate::plan::{Plan, Planned};
use crate::planner::Planner;
use crate::txn::{Cluster, Limits, Transaction};
use crate::value::{DataType, Value};
use sqlparser::ast::Statement;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The query processor's shared state: the cluster it talks to and caches shared by sessions.
pub struct Engine {
    /// The cluster services.
    cluster: Cluster,
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

    /// The cluster services this engine talks to.
    pub(crate) fn cluster(&self) -> &Cluster {
        &self.cluster
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
    pub statement: Parsed,
    /// Parameter types the client declared in Parse (None = infer).
    pub declared: Vec<Option<DataType>>,
    /// The plan for the catalog version it was made with.
    plan: Mutex<Option<Arc<Planned>>>,
}

impl Prepared {
    /// A prepared statement that has not been planned yet.
    pub fn new(sql: String, statement: Parsed, declared: Vec<Option<DataType>>) -> Prepared {
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
    /// The authenticated user (`session_user`).
    pub user: String,
    /// The role set with `SET ROLE`, if any: privileges are checked as this role.
    role: Option<String>,
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

fn is_session_statement(stmt: &Parsed) -> bool {
    matches!(
        stmt,
        Parsed::Sql(
            Statement::StartTransaction { .. }
                | Statement::Commit { .. }
                | Statement::Rollback { .. }
                | Statement::Set(_)
                | Statement::Reset(_)
                | Statement::ShowVariable { .. }
        )
    )
}

fn is_ddl(plan: &Plan) -> bool {
    matches!(
        plan,
        Plan::CreateTable { .. } | Plan::DropTable { .. } | Plan::Schema(_) | Plan::Roles(_)
    )
}

impl Session {
    /// A new session for `user`.
    pub fn new(engine: Arc<Engine>, user: String) -> Session {
        Session {
            engine,
            user,
            role: None,
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

    /// The role privileges are checked as (`current_user`): the one set with `SET ROLE`, else
    /// the session user.
    pub fn current_role(&self) -> &str {
        self.role.as_deref().unwrap_or(&self.user)
    }

    /// Runs a statement of the simple query protocol.
    pub async fn execute(&mut self, stmt: &Parsed) -> Result<(Output, Arc<Planned>)> {
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
        stmt: &Parsed,
        catalog: &Catalog,
        declared: &[Option<DataType>],
    ) -> Result<Planned> {
        match stmt {
            Parsed::Sql(stmt) => Planner::new(catalog, declared).plan(stmt),
            Parsed::AwsIam(iam) => crate::ddl_roles::plan_aws_iam(iam, catalog),
        }
    }

    /// The catalog as the session sees it now: the open transaction's, else a fresh snapshot's.
    async fn current_catalog(&mut self) -> Result<Arc<Catalog>> {
        match self.txn.as_mut() {
            Some(txn) => self.engine.catalog_for(txn).await,
            None => {
                let mut txn = Transaction::new(self.engine.cluster.clone());
                self.engine.catalog_for(&mut txn).await
            }
        }
    }

    async fn run(
        &mut self,
        stmt: &Parsed,
        plan: Option<Arc<Planned>>,
        declared: &[Option<DataType>],
        params: &[Value],
    ) -> Result<(Output, Arc<Planned>)> {
        if is_session_statement(stmt) {
            let planned = match plan {
                Some(p) => p,
                None => Arc::new(self.plan_with(stmt, &Catalog::default(), declared)?),
            };
            let output = self.run_session_statement(&planned.plan).await?;
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
        stmt: &Parsed,
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
        let role = self.role.as_deref().unwrap_or(&self.user);
        crate::privileges::check_plan(&catalog, role, &planned.plan)?;
        let mut cx = ExecContext {
            txn,
            params,
            user: role,
            limits: &self.engine.limits,
            row_ids: &self.engine.row_ids,
        };
        let output = exec::execute(&planned.plan, &mut cx).await?;
        Ok((output, planned))
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
            Plan::SetRole(role) => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                self.set_role(role.as_deref()).await?;
                Ok(Output::Command("SET".into()))
            }
            Plan::Show { name } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                let key = canonical_setting(name);
                let value = if key == "is_superuser" {
                    // Follows SET ROLE: only admin is a superuser.
                    let admin = self.current_role() == crate::roles::ADMIN;
                    Some(if admin { "on" } else { "off" }.to_string())
                } else {
                    self.settings.get(&key).cloned()
                };
                let value = value.or_else(|| default_setting(&key)).ok_or_else(|| {
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

impl Session {
    /// `SET ROLE`: admin may become any role, other users only themselves (dsql has no role
    /// memberships). Like other settings here, it is not undone by ROLLBACK.
    async fn set_role(&mut self, role: Option<&str>) -> Result<()> {
        let Some(role) = role else {
            self.role = None;
            self.settings.remove("role");
            return Ok(());
        };
        let catalog = self.current_catalog().await?;
        if !catalog.roles.contains_key(role) {
            return Err(Error::new(
                "22023",
                format!("role \"{role}\" does not exist"),
            ));
        }
        if self.user != crate::roles::ADMIN && role != self.user {
            return Err(Error::new(
                "42501",
                format!("permission denied to set role \"{role}\""),
            ));
        }
        self.role = Some(role.to_string());
        self.settings.insert("role".into(), role.to_string());
        Ok(())
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
            "role" => "none",
            _ => return None,
        }
        .to_string(),
    )
}
