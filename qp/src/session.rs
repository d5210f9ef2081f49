//! A client session: transaction blocks, autocommit, settings, and prepared statements.
//!
//! The session follows PostgreSQL's rules for transaction blocks: outside a block every
//! statement is its own transaction (autocommit); `BEGIN` opens a block; an error inside a block
//! makes every later statement fail with 25P02 until `COMMIT` (which then answers `ROLLBACK`)
//! or `ROLLBACK`.
//!
//! A simple Query message with several statements runs them in one *implicit* transaction
//! block, as PostgreSQL (and DSQL) do: an error rolls back everything the string did so far,
//! DSQL's DDL rules apply to the whole string, and the block commits when the string ends.
//! `BEGIN` in the string turns the implicit block into an ordinary one; `COMMIT` or
//! `ROLLBACK` ends it, and the statements after it start a new implicit block.
//!
//! Settings follow PostgreSQL too: `SET` inside a block is undone if the block rolls back,
//! `SET LOCAL` lasts until the end of the block, and only the parameters DSQL allows can be
//! set at all (see [`crate::settings`]). The transaction limits of [`Limits`] are checked
//! here around every statement: the age limit before it runs (and at COMMIT), the size limit
//! after it ran.

use crate::catalog::Catalog;
use crate::error::{Error, Result, SqlState};
use crate::exec::{self, ExecContext, Output, RowIds};
use crate::limits::Limits;
use crate::parse::Parsed;
use crate::plan::{Plan, Planned};
use crate::planner::Planner;
use crate::txn::{Cluster, Transaction};
use crate::types::timezone::TimeZone;
use crate::types::{DataType, Value};
use sqlparser::ast::Statement;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The query processor's shared state: the cluster it talks to and caches shared by sessions.
pub struct Engine {
    /// The cluster services.
    pub(crate) cluster: Cluster,
    /// The newest catalog any session loaded; sessions reuse it when their snapshot has the
    /// same catalog version.
    catalog: Mutex<Arc<Catalog>>,
    row_ids: RowIds,
    limits: Limits,
}

#[async_trait::async_trait]
impl crate::jobs::JobHost for Engine {
    fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    async fn catalog_for(&self, txn: &mut Transaction) -> Result<Arc<Catalog>> {
        Engine::catalog_for(self, txn).await
    }
}

impl Engine {
    /// An engine over the given cluster services.
    pub fn new(cluster: Cluster, limits: Limits) -> Arc<Engine> {
        Arc::new(Engine {
            row_ids: RowIds::new(cluster.clone()),
            cluster,
            catalog: Mutex::new(Arc::new(Catalog::default())),
            limits,
        })
    }

    fn cached_catalog(&self) -> Arc<Catalog> {
        self.catalog
            .lock()
            .expect("catalog cache lock poisoned")
            .clone()
    }

    /// Starts this engine's job runner (see [`crate::jobs::Runner`]).
    pub fn start_jobs(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        crate::jobs::Runner(self.clone()).start()
    }

    /// Whether the IAM principal `principal_arn` may log in as `role` (see
    /// [`crate::login::check_login`]), at a fresh snapshot; nothing is written.
    pub async fn check_login(
        &self,
        role: &str,
        principal_arn: Option<&str>,
    ) -> std::result::Result<(), crate::login::LoginRefusal> {
        if role == crate::roles::ADMIN {
            return Ok(());
        }
        let mut txn = Transaction::new(self.cluster.clone());
        let catalog = self.catalog_for(&mut txn).await?;
        crate::login::check_login(&mut txn, &catalog, role, principal_arn).await
    }

    /// The catalog `txn`'s snapshot sees (one point read when the shared cache is current).
    pub(crate) async fn catalog_for(&self, txn: &mut Transaction) -> Result<Arc<Catalog>> {
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
    /// The open transaction: the block's, or the current autocommit statement's.
    txn: Option<Transaction>,
    /// The catalog of a transaction of this session, loaded once per transaction: (the
    /// transaction's id, whether it had changed the catalog then, the catalog). Under a fixed
    /// snapshot the catalog changes only through the transaction's own DDL.
    txn_catalog: Option<(u64, bool, Arc<Catalog>)>,
    /// Inside BEGIN ... COMMIT, or an implicit block.
    in_block: bool,
    /// The block is the implicit one of a multi-statement simple Query (see
    /// [`Session::begin_implicit_block`]).
    implicit: bool,
    /// A statement of the block failed.
    failed: bool,
    /// Session parameters changed with SET.
    settings: BTreeMap<String, String>,
    /// Parameters changed with SET LOCAL in the open block.
    local_settings: BTreeMap<String, String>,
    /// The session parameters as they were at BEGIN, restored if the block rolls back.
    settings_at_begin: Option<BTreeMap<String, String>>,
    /// The last `search_path` worked out ([`Session::search_path`]): the setting and role it
    /// was worked out from, and the schemas.
    search_path_cache: Option<(String, String, Vec<String>)>,
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
    ) || matches!(stmt, Parsed::Sql(s) if crate::planner::wait_for_job_args(s).is_some())
}

fn is_ddl(plan: &Plan) -> bool {
    matches!(
        plan,
        Plan::CreateTable { .. }
            | Plan::DropTable { .. }
            | Plan::CreateIndex { .. }
            | Plan::DropIndex { .. }
            | Plan::Schema(_)
            | Plan::Roles(_)
    )
}

impl Session {
    /// A new session for `user`.
    pub fn new(engine: Arc<Engine>, user: String) -> Session {
        Session {
            engine,
            user,
            txn: None,
            txn_catalog: None,
            in_block: false,
            implicit: false,
            failed: false,
            settings: BTreeMap::new(),
            local_settings: BTreeMap::new(),
            settings_at_begin: None,
            search_path_cache: None,
        }
    }

    /// A new transaction with the session's default characteristics.
    fn new_transaction(&self) -> Transaction {
        let mut txn = Transaction::new(self.engine.cluster.clone());
        txn.read_only_mode = self
            .settings
            .get("default_transaction_read_only")
            .is_some_and(|v| v == "on");
        txn
    }

    /// Ends the transaction block: keeps (`committed`) or undoes the SETs made in it, and
    /// drops its SET LOCALs.
    fn end_block(&mut self, committed: bool) {
        self.in_block = false;
        self.implicit = false;
        self.failed = false;
        self.local_settings.clear();
        if let Some(saved) = self.settings_at_begin.take()
            && !committed
        {
            self.settings = saved;
        }
    }

    /// Opens the implicit transaction block of a multi-statement simple Query, unless a block
    /// is already open. Returns whether it opened one.
    pub fn begin_implicit_block(&mut self) -> bool {
        if self.in_block {
            return false;
        }
        self.in_block = true;
        self.implicit = true;
        self.txn = Some(self.new_transaction());
        self.settings_at_begin = Some(self.settings.clone());
        true
    }

    /// Whether the open block is an implicit one.
    pub fn in_implicit_block(&self) -> bool {
        self.in_block && self.implicit
    }

    /// Ends the implicit block at the end of the query string: commits it (or, if a statement
    /// failed, it was already rolled back). Does nothing outside an implicit block.
    pub async fn end_implicit_block(&mut self) -> Result<()> {
        if !self.in_implicit_block() {
            return Ok(());
        }
        self.commit_block().await
    }

    /// Commits the open block's transaction and ends the block (its SETs kept if the commit
    /// succeeded, undone if it failed).
    async fn commit_block(&mut self) -> Result<()> {
        let txn = self.txn.take();
        let committed = async {
            if let Some(txn) = txn {
                self.engine
                    .limits
                    .check_transaction_age(txn.started.elapsed())?;
                txn.commit().await?;
            }
            Ok::<_, Error>(())
        }
        .await;
        self.end_block(committed.is_ok());
        committed
    }

    /// After a failed statement: an implicit block rolls back at once (the rest of the
    /// string is skipped); an explicit one is marked failed.
    fn fail_block(&mut self) {
        self.txn = None;
        if self.implicit {
            self.end_block(false);
        } else {
            self.failed = true;
        }
    }

    /// A statement's error that reached the client after the statement returned (the query
    /// of a streaming portal failed on a later row): inside a block, the block fails, as it
    /// would have had the statement failed at once.
    pub fn fail_statement(&mut self) {
        if self.in_block {
            self.fail_block();
        }
    }

    /// Whether a suspended portal may hand out more rows: not in a failed block (25P02, as
    /// for any statement), and not once its block is past the transaction age limit (the
    /// block fails, as it does when a statement finds it too old).
    pub fn check_portal_fetch(&mut self) -> Result<()> {
        if self.failed {
            return Err(Error::in_failed_transaction());
        }
        if let Some(txn) = &self.txn
            && let Err(e) = self
                .engine
                .limits
                .check_transaction_age(txn.started.elapsed())
        {
            self.fail_statement();
            return Err(e);
        }
        Ok(())
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
        self.settings
            .get("role")
            .map(String::as_str)
            .unwrap_or(&self.user)
    }

    /// The session's time zone (the `TimeZone` setting), in which timestamptz values are
    /// read and shown.
    pub fn time_zone(&self) -> TimeZone {
        // Read without copying: this runs for every statement.
        self.local_settings
            .get("timezone")
            .or_else(|| self.settings.get("timezone"))
            .and_then(|setting| TimeZone::parse_setting(setting))
            .map_or(TimeZone::UTC, |(zone, _)| zone)
    }

    /// Runs a statement of the simple query protocol.
    pub async fn execute(&mut self, stmt: &Parsed) -> Result<(Output, Arc<Planned>)> {
        self.run(stmt, None, &[], &[], false).await
    }

    /// Plans a prepared statement (for Describe and Bind), reusing its cached plan when the
    /// catalog has not changed.
    pub async fn plan_prepared(&mut self, prepared: &Prepared) -> Result<Arc<Planned>> {
        if is_session_statement(&prepared.statement) {
            return self
                .plan_with(
                    &prepared.statement,
                    &Catalog::default(),
                    &prepared.declared,
                    Vec::new(),
                )
                .map(Arc::new);
        }
        let owned_txn = self.txn.is_none();
        let mut txn = match self.txn.take() {
            Some(t) => t,
            None => Transaction::new(self.engine.cluster.clone()),
        };
        let search_path = self.search_path();
        let result = async {
            let catalog = cached_catalog(&self.engine, &mut self.txn_catalog, &mut txn).await?;
            if let Some(plan) = prepared.cached_plan()
                && plan.is_valid_for(catalog.version, &search_path)
            {
                return Ok(plan);
            }
            let plan = Arc::new(self.plan_with(
                &prepared.statement,
                &catalog,
                &prepared.declared,
                search_path,
            )?);
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

    /// Runs a prepared statement with bound parameter values. With `stream` (a portal
    /// fetched a few rows at a time), a query whose rows come in the order it reads them
    /// ([`exec::streams`]) is not run to the end: it answers [`Output::Streaming`] and goes on
    /// reading as its rows are taken, at the snapshot and with the transaction's writes of
    /// now, as a PostgreSQL portal does.
    pub async fn execute_prepared(
        &mut self,
        prepared: &Prepared,
        plan: Arc<Planned>,
        params: &[Value],
        stream: bool,
    ) -> Result<Output> {
        self.run(
            &prepared.statement,
            Some(plan),
            &prepared.declared,
            params,
            stream,
        )
        .await
        .map(|(o, _)| o)
    }

    /// Plans a statement against `catalog`, resolving unqualified names in `search_path`
    /// ([`Session::search_path`]; session statements name no relation).
    fn plan_with(
        &self,
        stmt: &Parsed,
        catalog: &Catalog,
        declared: &[Option<DataType>],
        search_path: Vec<String>,
    ) -> Result<Planned> {
        match stmt {
            Parsed::Sql(stmt) => {
                // DSQL's refusals come first, whatever planned the statement (a Describe
                // plans without a transaction).
                crate::refusals::check(stmt)?;
                // SET, RESET and SHOW are planned by the parameters' own module.
                if let Some(planned) = crate::settings::plan_statement(stmt) {
                    let (plan, columns) = planned?;
                    return Ok(Planned {
                        plan,
                        param_types: vec![],
                        columns,
                        catalog_version: catalog.version,
                        uses_catalog: false,
                        search_path: Vec::new(),
                        subqueries: Vec::new(),
                    });
                }
                let planned = Planner::new(catalog, declared)
                    .with_search_path(search_path)
                    .plan(stmt)?;
                crate::locking::check_planned(&planned)?;
                Ok(planned)
            }
            Parsed::AwsIam(iam) => crate::planner::roles::plan_aws_iam(iam, catalog),
        }
    }

    /// The schemas unqualified names resolve in: the `search_path` setting, with `$user`
    /// standing for the current role (schemas that do not exist are skipped at lookup).
    /// Worked out again only when the setting or the role changed (it is needed for every
    /// statement).
    fn search_path(&mut self) -> Vec<String> {
        let setting = self
            .local_settings
            .get("search_path")
            .or_else(|| self.settings.get("search_path"))
            .map_or(crate::settings::DEFAULT_SEARCH_PATH, String::as_str);
        // The fields, not `current_role()`, so that the cache can be written below.
        let role = self
            .settings
            .get("role")
            .map_or(self.user.as_str(), String::as_str);
        if let Some((cached_setting, cached_role, path)) = &self.search_path_cache
            && cached_setting == setting
            && cached_role == role
        {
            return path.clone();
        }
        let path = parse_search_path(setting, role);
        self.search_path_cache = Some((setting.to_string(), role.to_string(), path.clone()));
        path
    }

    /// What the last statement's reg-typed result columns are written with (`regclassout`):
    /// the catalog it read and the search path; `None` before any statement read one.
    pub fn object_names(&mut self) -> Option<Arc<crate::catalog::ObjectNames>> {
        let catalog = self.txn_catalog.as_ref()?.2.clone();
        Some(Arc::new(crate::catalog::ObjectNames {
            catalog,
            search_path: self.search_path(),
        }))
    }

    /// The catalog as the session sees it now: the open transaction's, else a fresh snapshot's.
    async fn current_catalog(&mut self) -> Result<Arc<Catalog>> {
        match self.txn.as_mut() {
            Some(txn) => cached_catalog(&self.engine, &mut self.txn_catalog, txn).await,
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
        stream: bool,
    ) -> Result<(Output, Arc<Planned>)> {
        if is_session_statement(stmt) {
            let result = async {
                let planned = match plan {
                    Some(p) => p,
                    None => {
                        Arc::new(self.plan_with(stmt, &Catalog::default(), declared, Vec::new())?)
                    }
                };
                let output = match &planned.plan {
                    Plan::WaitForJob { job_id } => self.wait_for_job(job_id, params).await?,
                    plan => self.run_session_statement(plan).await?,
                };
                Ok((output, planned))
            }
            .await;
            // As in PostgreSQL, a failed SET or SHOW fails the block too (a failed COMMIT
            // has already ended it).
            if result.is_err() && self.in_block {
                self.fail_block();
            }
            return result;
        }
        if self.failed {
            return Err(Error::in_failed_transaction());
        }
        // A statement that starts its transaction starts at the transaction's time, so that
        // statement_timestamp() = now() in autocommit, as in PostgreSQL.
        let (mut txn, statement_started_at) = match self.txn.take() {
            Some(t) => (t, chrono::Utc::now()),
            None => {
                let t = self.new_transaction();
                let at = t.started_at;
                (t, at)
            }
        };
        let result = self
            .run_in_txn(
                &mut txn,
                stmt,
                plan,
                declared,
                params,
                statement_started_at,
                stream,
            )
            .await;
        if self.in_block {
            if result.is_err() {
                // The block can only roll back now: drop its writes (the failed statement's
                // included) at once rather than keep them buffered until ROLLBACK.
                self.fail_block();
            } else {
                self.txn = Some(txn);
            }
            result
        } else {
            // Autocommit: the statement is the transaction.
            let (output, planned) = result?;
            txn.commit().await?;
            Ok((output, planned))
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_in_txn(
        &mut self,
        txn: &mut Transaction,
        stmt: &Parsed,
        plan: Option<Arc<Planned>>,
        declared: &[Option<DataType>],
        params: &[Value],
        statement_started_at: chrono::DateTime<chrono::Utc>,
        stream: bool,
    ) -> Result<(Output, Arc<Planned>)> {
        let engine = self.engine.clone();
        let limits = &engine.limits;
        limits.check_transaction_age(txn.started.elapsed())?;
        // Refused statements are refused before the catalog is read (`plan_with` checks
        // again, for statements planned without a transaction, such as at Describe).
        if let Parsed::Sql(sql) = stmt {
            crate::refusals::check(sql)?;
        }
        let catalog = cached_catalog(&self.engine, &mut self.txn_catalog, txn).await?;
        let search_path = self.search_path();
        let planned = match plan {
            Some(p) if p.is_valid_for(catalog.version, &search_path) => p,
            _ => Arc::new(self.plan_with(stmt, &catalog, declared, search_path.clone())?),
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
        } else if txn.has_ddl && !matches!(planned.plan, Plan::Query(_) | Plan::Explain { .. }) {
            return Err(Error::unsupported(
                "ddl and dml are not supported in the same transaction",
            ));
        }
        if txn.read_only_mode
            && let Some(command) = writing_command(&planned.plan)
        {
            return Err(Error::new(
                SqlState::READ_ONLY_SQL_TRANSACTION,
                format!("cannot execute {command} in a read-only transaction"),
            ));
        }
        if planned.uses_catalog {
            txn.require_unchanged(crate::catalog::version_key());
        }
        // A reg-typed parameter sent as text is a name, read with the statement's catalog.
        let resolved_params;
        let params = if planned.param_types.iter().any(|t| t.is_reg()) {
            resolved_params =
                resolve_object_params(&catalog, &search_path, &planned.param_types, params)?;
            &resolved_params[..]
        } else {
            params
        };
        let role = self
            .settings
            .get("role")
            .map(String::as_str)
            .unwrap_or(&self.user);
        crate::privileges::check_planned(&catalog, role, &planned)?;
        let current_schema = search_path
            .iter()
            .find(|schema| catalog.schemas.contains(*schema));
        let time_zone = self.time_zone();
        if stream
            && let Plan::Query(q) = &planned.plan
            && exec::streams(q)
        {
            let query = StreamingQuery {
                txn: txn.read_view().await?,
                planned: planned.clone(),
                catalog,
                params: params.to_vec(),
                user: role.to_string(),
                session_user: self.user.clone(),
                engine: self.engine.clone(),
                statement_started_at,
                time_zone,
                current_schema: current_schema.cloned(),
                search_path: search_path.clone(),
                settings: self.settings.clone(),
                local_settings: self.local_settings.clone(),
                in_block: self.in_block,
                read_only: txn.read_only_mode,
            };
            return Ok((Output::Streaming(query.spawn()), planned));
        }
        let statement_settings = self.statement_settings(txn.read_only_mode, true);
        let mut cx = ExecContext {
            txn,
            catalog: catalog.clone(),
            params,
            user: role,
            session_user: &self.user,
            limits: &self.engine.limits,
            row_ids: &self.engine.row_ids,
            statement_started_at,
            time_zone,
            current_schema: current_schema.map(String::as_str),
            search_path: &search_path,
            subqueries: &planned.subqueries,
            outer: Vec::new(),
            subquery_results: Default::default(),
            subquery_sets: Default::default(),
            work_tables: Default::default(),
            settings: Some(&statement_settings),
        };
        let output = exec::execute(&planned.plan, &mut cx).await?;
        drop(cx);
        let changes = statement_settings.take_changes();
        if !changes.is_empty() {
            self.apply_setting_changes(changes).await?;
        }
        // Every write path checks the size as it buffers; this also covers any it misses.
        limits.check_transaction_size(txn.write_bytes())?;
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
            self.fail_block();
            return Err(Error::new(
                SqlState::ACTIVE_SQL_TRANSACTION,
                "sys.wait_for_job cannot run inside a transaction block",
            ));
        }
        let now = chrono::Utc::now();
        let ecx = crate::expr::EvalContext {
            params,
            now,
            user: self.current_role(),
            session_user: &self.user,
            statement_started_at: now,
            time_zone: self.time_zone(),
            current_schema: None,
            search_path: &[],
            catalog: None,
            outer: &[],
            settings: None,
        };
        let done = match job_id.eval(&[], &ecx)? {
            Value::Null => Value::Null,
            id => {
                Value::Bool(crate::jobs::wait_for_job(&self.engine.cluster, &id.to_text()).await?)
            }
        };
        Ok(Output::Rows {
            rows: vec![vec![done]],
            tag: "SELECT".into(),
        })
    }

    async fn run_session_statement(&mut self, plan: &Plan) -> Result<Output> {
        match plan {
            Plan::Begin { read_only } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                if self.implicit {
                    // BEGIN turns the implicit block into an ordinary one, statements before
                    // it included, as in PostgreSQL.
                    self.implicit = false;
                    if let (Some(read_only), Some(txn)) = (read_only, self.txn.as_mut()) {
                        txn.read_only_mode = *read_only;
                    }
                }
                // BEGIN inside a block only warns in PostgreSQL.
                if !self.in_block {
                    self.in_block = true;
                    let mut txn = self.new_transaction();
                    if let Some(read_only) = read_only {
                        txn.read_only_mode = *read_only;
                    }
                    self.txn = Some(txn);
                    self.settings_at_begin = Some(self.settings.clone());
                }
                Ok(Output::Command("BEGIN".into()))
            }
            Plan::Commit => {
                let (was_block, failed) = (self.in_block, self.failed);
                if !was_block || failed {
                    self.txn = None;
                    self.end_block(false);
                    return Ok(Output::Command(
                        if failed { "ROLLBACK" } else { "COMMIT" }.into(),
                    ));
                }
                // In an implicit block too: COMMIT commits what the string did so far.
                self.commit_block().await?;
                Ok(Output::Command("COMMIT".into()))
            }
            Plan::Rollback => {
                self.txn = None;
                self.end_block(false);
                Ok(Output::Command("ROLLBACK".into()))
            }
            Plan::Set { name, value, local } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                self.set(name, value.as_deref(), *local)?;
                Ok(Output::Command("SET".into()))
            }
            Plan::ResetAll => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                self.settings.clear();
                self.local_settings.clear();
                Ok(Output::Command("RESET".into()))
            }
            Plan::SetTransaction { read_only, session } => {
                if self.failed {
                    return Err(Error::in_failed_transaction());
                }
                if let Some(read_only) = read_only {
                    if *session {
                        let value = if *read_only { "on" } else { "off" };
                        self.settings
                            .insert("default_transaction_read_only".into(), value.into());
                    } else if self.in_block
                        && let Some(txn) = &mut self.txn
                    {
                        txn.read_only_mode = *read_only;
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
                let value = self.show(name).ok_or_else(|| {
                    Error::new(
                        SqlState::UNDEFINED_OBJECT,
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
    /// Applies a validated SET (see [`crate::settings::plan_set`]); `value` `None` resets.
    fn set(&mut self, name: &str, value: Option<&str>, local: bool) -> Result<()> {
        match name {
            // Snapshot isolation is the only level; the planner already refused the others.
            "transaction_isolation" => return Ok(()),
            "transaction_read_only" => {
                if self.in_block
                    && let Some(txn) = &mut self.txn
                {
                    txn.read_only_mode = match value {
                        Some(v) => v == "on",
                        None => self
                            .settings
                            .get("default_transaction_read_only")
                            .is_some_and(|v| v == "on"),
                    };
                }
                return Ok(());
            }
            _ => {}
        }
        if local {
            // Outside a block SET LOCAL has no effect (PostgreSQL only warns).
            if self.in_block {
                match value {
                    Some(v) => self.local_settings.insert(name.to_string(), v.to_string()),
                    None => self
                        .local_settings
                        .insert(name.to_string(), default_value(name)),
                };
            }
            return Ok(());
        }
        self.local_settings.remove(name);
        match value {
            Some(v) => self.settings.insert(name.to_string(), v.to_string()),
            None => self.settings.remove(name),
        };
        Ok(())
    }

    /// The value SHOW reports: SET LOCAL, then SET, then the default.
    fn show(&self, name: &str) -> Option<String> {
        use crate::functions::Settings as _;
        self.statement_settings(self.txn.as_ref().is_some_and(|t| t.read_only_mode), false)
            .get(name)
    }

    /// The session's parameters as a statement sees them, `read_only` its transaction's
    /// mode; with `changes`, `set_config` may change them (see [`StatementSettings`]).
    fn statement_settings(&self, read_only: bool, changes: bool) -> StatementSettings<'_> {
        StatementSettings {
            settings: &self.settings,
            local_settings: &self.local_settings,
            in_block: self.in_block,
            read_only,
            role: self.current_role(),
            changes: changes.then(Default::default),
        }
    }

    /// Keeps the changes a statement's `set_config` calls made, in order, as SET would.
    async fn apply_setting_changes(&mut self, changes: Vec<SettingChange>) -> Result<()> {
        for change in changes {
            if change.name == "role" {
                self.set_role(change.value.as_deref()).await?;
            } else {
                self.set(&change.name, change.value.as_deref(), change.local)?;
            }
        }
        Ok(())
    }

    /// `SET ROLE`: admin may become any role, other users only themselves (dsql has no role
    /// memberships). The role is the setting `role`, so like every setting it is undone when
    /// the block it was set in rolls back, and `RESET ALL` resets it.
    async fn set_role(&mut self, role: Option<&str>) -> Result<()> {
        let Some(role) = role else {
            self.settings.remove("role");
            return Ok(());
        };
        let catalog = self.current_catalog().await?;
        if !catalog.roles.contains_key(role) {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("role \"{role}\" does not exist"),
            ));
        }
        if self.user != crate::roles::ADMIN && role != self.user {
            return Err(Error::new(
                SqlState::INSUFFICIENT_PRIVILEGE,
                format!("permission denied to set role \"{role}\""),
            ));
        }
        self.settings.insert("role".into(), role.to_string());
        Ok(())
    }
}

fn default_value(name: &str) -> String {
    crate::settings::default_value(name).unwrap_or_default()
}

/// One `set_config` call of a statement, kept when the statement succeeds.
struct SettingChange {
    name: String,
    /// The checked value; `None` for the default.
    value: Option<String>,
    local: bool,
}

/// The session's parameters as one statement sees them: what `SHOW` and `current_setting`
/// read (SET LOCAL, then SET, then the default) and, where `changes` is kept, what the
/// statement's `set_config` calls change, seen by the rest of the statement and applied by
/// the session when it succeeds.
struct StatementSettings<'a> {
    settings: &'a BTreeMap<String, String>,
    local_settings: &'a BTreeMap<String, String>,
    in_block: bool,
    read_only: bool,
    role: &'a str,
    changes: Option<std::sync::Mutex<Vec<SettingChange>>>,
}

impl StatementSettings<'_> {
    fn take_changes(self) -> Vec<SettingChange> {
        self.changes
            .map(|c| c.into_inner().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or_default()
    }
}

impl crate::functions::Settings for StatementSettings<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let name = crate::settings::canonical_name(name);
        if let Some(changes) = &self.changes {
            let changes = changes.lock().unwrap_or_else(|e| e.into_inner());
            // A SET LOCAL outside a block changes nothing.
            if let Some(change) = changes
                .iter()
                .rev()
                .find(|c| c.name == name && (self.in_block || !c.local))
            {
                return change.value.clone().or_else(|| default_value_of(&name));
            }
        }
        if name == "transaction_read_only" && self.in_block {
            return Some(if self.read_only { "on" } else { "off" }.into());
        }
        if name == "is_superuser" {
            // Follows SET ROLE: only admin is a superuser.
            let admin = self.role == crate::roles::ADMIN;
            return Some(if admin { "on" } else { "off" }.into());
        }
        if name == "transaction_read_only" {
            return Some(default_or_set(
                self.settings,
                "default_transaction_read_only",
            ));
        }
        self.local_settings
            .get(&name)
            .or_else(|| self.settings.get(&name))
            .cloned()
            .or_else(|| crate::settings::default_value(&name))
    }

    fn default_value(&self, name: &str) -> Option<String> {
        default_value_of(&crate::settings::canonical_name(name))
    }

    fn set(&self, name: &str, value: Option<&str>, local: bool) -> Result<String> {
        let name = crate::settings::canonical_name(name);
        let checked = crate::settings::validate(&name, value)?;
        let Some(changes) = &self.changes else {
            return Err(Error::unsupported(
                "set_config is not supported in a portal fetched in parts",
            ));
        };
        let shown = checked.clone().or_else(|| default_value_of(&name));
        changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(SettingChange {
                name: name.clone(),
                value: checked,
                local,
            });
        Ok(shown.unwrap_or_default())
    }
}

fn default_value_of(name: &str) -> Option<String> {
    crate::settings::default_value(name)
}

fn default_or_set(settings: &BTreeMap<String, String>, name: &str) -> String {
    settings
        .get(name)
        .cloned()
        .unwrap_or_else(|| default_value(name))
}

/// Parameters of the reg types bound in text format (left as text by the handler) read as
/// names (`regclassin` and its siblings) in `catalog` with `search_path`.
fn resolve_object_params(
    catalog: &Catalog,
    search_path: &[String],
    types: &[DataType],
    params: &[Value],
) -> Result<Vec<Value>> {
    params
        .iter()
        .zip(types)
        .map(|(v, ty)| match (v, ty) {
            (Value::Text(text), DataType::Reg(kind)) => {
                match catalog.object_oid(*kind, text, search_path)? {
                    Some(oid) => Ok(Value::Int(i64::from(oid))),
                    None => Err(crate::catalog::object_not_found(*kind, text)),
                }
            }
            (v, _) => Ok(v.clone()),
        })
        .collect()
}

/// The catalog `txn` sees, through a session's per-transaction cache (`cache`): loaded once
/// per transaction, and again after the transaction's own DDL changed it.
async fn cached_catalog(
    engine: &Engine,
    cache: &mut Option<(u64, bool, Arc<Catalog>)>,
    txn: &mut Transaction,
) -> Result<Arc<Catalog>> {
    let changed = txn.wrote(&crate::catalog::version_key());
    if let Some((id, was_changed, catalog)) = cache.as_ref()
        && *id == txn.id
        && *was_changed == changed
    {
        return Ok(catalog.clone());
    }
    let catalog = engine.catalog_for(txn).await?;
    *cache = Some((txn.id, changed, catalog.clone()));
    Ok(catalog)
}

/// The command a read-only transaction refuses, as PostgreSQL names it; `None` for reads.
fn writing_command(plan: &Plan) -> Option<&'static str> {
    Some(match plan {
        Plan::Query(q) if q.for_update => "SELECT FOR UPDATE",
        Plan::Query(_) => return None,
        Plan::Insert(_) => "INSERT",
        Plan::Update(_) => "UPDATE",
        Plan::Delete(_) => "DELETE",
        Plan::CreateTable { .. } => "CREATE TABLE",
        Plan::DropTable { .. } => "DROP TABLE",
        Plan::CreateIndex { .. } => "CREATE INDEX",
        Plan::DropIndex { .. } => "DROP INDEX",
        Plan::Schema(crate::plan::SchemaDdl::Create { .. }) => "CREATE SCHEMA",
        Plan::Schema(crate::plan::SchemaDdl::Drop { .. }) => "DROP SCHEMA",
        Plan::Roles(ddl) => ddl.command_tag(),
        _ => return None,
    })
}

/// A query that goes on producing rows after the statement returned (a portal fetched in
/// parts), with everything it runs with: a read view of its transaction and its own copies
/// of the parameters and session state, since later statements of the session may change
/// them.
struct StreamingQuery {
    txn: Transaction,
    planned: Arc<Planned>,
    catalog: Arc<Catalog>,
    params: Vec<Value>,
    user: String,
    session_user: String,
    engine: Arc<Engine>,
    statement_started_at: chrono::DateTime<chrono::Utc>,
    time_zone: TimeZone,
    current_schema: Option<String>,
    search_path: Vec<String>,
    /// The session's parameters when the query started (`current_setting`).
    settings: BTreeMap<String, String>,
    local_settings: BTreeMap<String, String>,
    in_block: bool,
    read_only: bool,
}

/// Batches a streaming query may have ready before the portal takes them (it then waits).
const STREAM_BATCHES_AHEAD: usize = 1;

impl StreamingQuery {
    /// Runs the query in a task of its own, which sends its rows a batch at a time and stops
    /// at the end, at the first error (sent too) or when the receiver is dropped (the
    /// portal closed, or its transaction ended).
    fn spawn(self) -> tokio::sync::mpsc::Receiver<Result<Vec<Vec<Value>>>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_BATCHES_AHEAD);
        tokio::spawn(async move {
            let StreamingQuery {
                mut txn,
                planned,
                catalog,
                params,
                user,
                session_user,
                engine,
                statement_started_at,
                time_zone,
                current_schema,
                search_path,
                settings,
                local_settings,
                in_block,
                read_only,
            } = self;
            let statement_settings = StatementSettings {
                settings: &settings,
                local_settings: &local_settings,
                in_block,
                read_only,
                role: &user,
                changes: None,
            };
            let Plan::Query(q) = &planned.plan else {
                return;
            };
            let mut cx = ExecContext {
                txn: &mut txn,
                catalog,
                params: &params,
                user: &user,
                session_user: &session_user,
                limits: &engine.limits,
                row_ids: &engine.row_ids,
                statement_started_at,
                time_zone,
                current_schema: current_schema.as_deref(),
                search_path: &search_path,
                subqueries: &planned.subqueries,
                outer: Vec::new(),
                subquery_results: Default::default(),
                subquery_sets: Default::default(),
                work_tables: Default::default(),
                settings: Some(&statement_settings),
            };
            if let Err(e) = exec::stream_query(q, &mut cx, &sender).await {
                let _ = sender.send(Err(e)).await;
            }
        });
        receiver
    }
}

/// Splits a `search_path` value (`"$user", public`) into schema names: double-quoted names
/// as written, others lower-cased, `$user` replaced by `role`.
fn parse_search_path(setting: &str, role: &str) -> Vec<String> {
    setting
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(
            |part| match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => part.to_lowercase(),
            },
        )
        .map(|name| {
            if name == "$user" {
                role.to_string()
            } else {
                name
            }
        })
        .collect()
}
