//! Composition of the router's startup handler with a query processor's handlers.
//!
//! pgwire serves a connection with one [`PgWireServerHandlers`] value that hands out a handler
//! per protocol phase. The router owns the startup phase; the query processor owns everything
//! after it. [`Handlers`] joins the two without either crate knowing the other:
//!
//! ```text
//!   Handlers { startup: Arc<router::Startup>, queries: qp handlers }
//!     startup_handler()         -> router::Startup
//!     simple_query_handler()    -> queries.simple_query_handler()
//!     extended_query_handler()  -> queries.extended_query_handler()
//!     copy / cancel / error     -> queries.*
//! ```
//!
//! The binary builds it once: `router::serve(listener, tls, Arc::new(Handlers::new(startup,
//! qp)), shutdown)`.

use std::sync::Arc;

use pgwire::api::auth::StartupHandler;
use pgwire::api::cancel::CancelHandler;
use pgwire::api::copy::CopyHandler;
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::{ErrorHandler, PgWireServerHandlers};

use crate::Startup;

/// A [`PgWireServerHandlers`] that runs the startup phase with [`Startup`] and every later phase
/// with the handlers of `Q` (the query processor's). `Q`'s own startup handler is not used.
#[derive(Debug)]
pub struct Handlers<Q> {
    /// The router's startup handler, shared with whoever reads its connection count.
    startup: Arc<Startup>,
    /// The query processor's handlers.
    queries: Q,
}

impl<Q> Handlers<Q> {
    /// Joins `startup` with the query processor's `queries` handlers.
    pub fn new(startup: Arc<Startup>, queries: Q) -> Handlers<Q> {
        Handlers { startup, queries }
    }

    /// The startup handler.
    pub fn startup(&self) -> &Arc<Startup> {
        &self.startup
    }

    /// The query processor's handlers.
    pub fn queries(&self) -> &Q {
        &self.queries
    }
}

impl<Q: PgWireServerHandlers> PgWireServerHandlers for Handlers<Q> {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.queries.simple_query_handler()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.queries.extended_query_handler()
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.startup.clone()
    }

    fn copy_handler(&self) -> Arc<impl CopyHandler> {
        self.queries.copy_handler()
    }

    fn error_handler(&self) -> Arc<impl ErrorHandler> {
        self.queries.error_handler()
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.queries.cancel_handler()
    }
}
