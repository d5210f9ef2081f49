//! The functions dsql has: a registry of every built-in function with its signature, and
//! PostgreSQL's rules for choosing the overload a call means (layer 2: it knows
//! [`types`](crate::types) and nothing of SQL statements, plans or the catalog).
//!
//! Each [`Function`] is one overload as PostgreSQL's `pg_proc` lists it: a name, argument
//! types ([`ArgType`]), a return type ([`ReturnType`]), volatility (`provolatile`),
//! strictness (`proisstrict`) and what runs it ([`Implementation`]: a scalar `fn`, or the
//! aggregate, window or set-returning function the executor computes). `round` has three:
//!
//! ```text
//!   round(double precision) → double precision     immutable strict   scalar
//!   round(numeric)          → numeric              immutable strict   scalar
//!   round(numeric, integer) → numeric              immutable strict   scalar
//! ```
//!
//! The planner asks [`Registry::resolve`] for the overload a call means, given the types of
//! its arguments (`unknown` for untyped literals, NULL and untyped parameters), and gets a
//! [`Resolved`]: the overload's [`FuncId`], the type each argument converts to and the
//! result type. `round(1)` resolves to `round(double precision)` as in PostgreSQL (see
//! [`resolve`] for the rules). A planned call keeps the `FuncId`, a small index into the
//! static table of overloads, so evaluating it is one array index and one `fn` call: no
//! lookup by name or allocation per row.
//!
//! The special forms PostgreSQL's grammar owns (`COALESCE`, `NULLIF`, `GREATEST`, `LEAST`,
//! `CASE`) are not functions and are not here. `current_user`, `session_user`,
//! `current_schema` and `current_timestamp` written as keywords are planned as calls of the
//! functions of those names (`now()` for `current_timestamp`).

pub mod aggregate;
mod builtins;
pub mod procs;
pub mod resolve;
pub mod scalar;
pub mod set_returning;
pub mod window;

pub use aggregate::AggFunc;
pub use resolve::Resolved;
pub use set_returning::SetFunc;
pub use window::WindowFunc;

use crate::error::Result;
use crate::types::{DataType, RegKind, TimeZone, TypeCategory, Value};
use std::collections::HashMap;
use std::sync::LazyLock;

/// What a scalar function reads besides its arguments: the statement's session and times.
/// The evaluator's context provides it (`expr::EvalContext`).
pub trait Context {
    /// The transaction's start (`now()`, `transaction_timestamp()`).
    fn transaction_start(&self) -> chrono::DateTime<chrono::Utc>;
    /// The statement's start (`statement_timestamp()`).
    fn statement_start(&self) -> chrono::DateTime<chrono::Utc>;
    /// The role privileges are checked as (`current_user`).
    fn current_user(&self) -> &str;
    /// The role that logged in (`session_user`).
    fn session_user(&self) -> &str;
    /// The session's time zone.
    fn time_zone(&self) -> TimeZone;
    /// The first existing schema of `search_path` (`current_schema()`), if any.
    fn current_schema(&self) -> Option<&str>;
    /// Whether the relation or index with oid `oid` is found by its unqualified name on the
    /// search path (`pg_table_is_visible`); `None` when no relation has the oid, or when the
    /// catalog is not at hand.
    fn relation_is_visible(&self, oid: i64) -> Option<bool>;
    /// The name of the role with oid `oid` (`pg_get_userbyid`), if there is one.
    fn role_name(&self, oid: i64) -> Option<String>;
    /// The CREATE INDEX statement of the index with oid `oid` (its table qualified unless
    /// `pretty` and visible on the search path), or the name of its column number `column`
    /// when that is above 0 (`pg_get_indexdef`); `None` for no such index.
    fn index_definition(&self, oid: i64, column: i64, pretty: bool) -> Option<String>;
    /// The definition of the constraint with oid `oid` (`pg_get_constraintdef`).
    fn constraint_definition(&self, oid: i64) -> Option<String>;
    /// The schemas of the search path that exist, in order, with `pg_catalog` first when
    /// the path does not place it and `implicit` (`current_schemas`).
    fn search_path_schemas(&self, implicit: bool) -> Vec<String>;
    /// The oid `text` names as an object of `kind` (`regclassin`, `to_regclass`), read with
    /// the search path: `Ok(None)` when no such object exists, an error when the text is
    /// not a name or the catalog is not at hand.
    fn object_oid(&self, kind: RegKind, text: &str) -> Result<Option<u32>>;
    /// The name the object of `kind` with oid `oid` is written as (`regclassout`), or the
    /// number when there is none.
    fn object_name(&self, kind: RegKind, oid: u32) -> String;
    /// The name of the relation with oid `oid` and whether it has a column named `column`
    /// (exactly); `None` when no relation has the oid.
    fn relation_has_column(&self, oid: u32, column: &str) -> Option<(String, bool)>;
    /// The `pg_class.relkind` of the relation or index with oid `oid`, if there is one.
    fn relation_kind(&self, oid: u32) -> Option<char>;
    /// The session's parameters, where a statement runs (not while planning).
    fn settings(&self) -> Option<&dyn Settings>;
    /// Whether `role` (the current role when `None`) holds any of `privileges` (the
    /// keywords, upper case) on `object` (`has_table_privilege` and its siblings):
    /// `Ok(None)` for an oid that names nothing; an error for a name that names nothing.
    fn has_privilege(
        &self,
        role: Option<&str>,
        object: PrivilegeTarget<'_>,
        privileges: &[&str],
        grant_option: bool,
    ) -> Result<Option<bool>>;
}

/// What `has_table_privilege` and its siblings ask about.
#[derive(Clone, Copy, Debug)]
pub enum PrivilegeTarget<'a> {
    /// A relation by (possibly qualified) name.
    TableName(&'a str),
    /// A relation by oid.
    TableOid(u32),
    /// A schema by name.
    SchemaName(&'a str),
    /// A schema by oid.
    SchemaOid(u32),
    /// A database by name.
    DatabaseName(&'a str),
    /// A database by oid.
    DatabaseOid(u32),
}

/// The session's run-time parameters as `current_setting` and `set_config` see them. The
/// session implements it for each statement: a change made by `set_config` is seen by the
/// rest of the statement and kept when the statement succeeds, as `SET` keeps one.
pub trait Settings: Send + Sync {
    /// The value `SHOW name` reports, `None` when there is no such parameter.
    fn get(&self, name: &str) -> Option<String>;
    /// `SET [LOCAL] name = value` (`value` `None`: to the default), checked as `SET` checks
    /// it; the value as `SHOW` will report it.
    fn set(&self, name: &str, value: Option<&str>, local: bool) -> Result<String>;
    /// The value the parameter has when nobody set it (`pg_settings.boot_val`).
    fn default_value(&self, name: &str) -> Option<String>;
}

/// A scalar function's implementation: its argument values, already converted to the
/// overload's argument types (none NULL if the function is strict), and the context.
pub type ScalarFn = fn(&[Value], &dyn Context) -> Result<Value>;

/// A function answered at planning from its arguments' types alone (`pg_typeof`).
pub type PlanningFn = fn(&[DataType]) -> Value;

/// How often a function's result may change for the same arguments (`pg_proc.provolatile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Volatility {
    /// `i`: always the same (`lower`, `abs`).
    Immutable,
    /// `s`: the same within a statement (`now()`, `current_user`).
    Stable,
    /// `v`: may change at every call (`random()`, `clock_timestamp()`).
    Volatile,
}

/// The kinds of functions (`pg_proc.prokind`, and `proretset` for set-returning ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One value per call.
    Scalar,
    /// One value per group of rows.
    Aggregate,
    /// One value per row, over its window (`OVER`).
    Window,
    /// A list of values per call.
    SetReturning,
}

/// A declared argument type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// A type; its modifier does not matter (`numeric` takes any `numeric(p, s)`).
    Type(DataType),
    /// `"any"`: any type, taken as it is (an untyped literal stays `unknown`).
    Any,
    /// `anyelement`: any type, the same at every `anyelement` position.
    AnyElement,
    /// `anycompatible`: any types with a common type, which every `anycompatible` argument
    /// converts to.
    AnyCompatible,
    /// `anyarray`: any array type, whose element type is the `anyelement` of the call.
    AnyArray,
    /// `anynonarray`: as `anyelement`, but not an array type.
    AnyNonArray,
    /// `anycompatiblearray`: an array whose element type joins the `anycompatible` common
    /// type; every such argument converts to the array of it.
    AnyCompatibleArray,
    /// `VARIADIC "any"`, last: any number of further arguments (none included), each of any
    /// type, taken as it is (`json_build_object`).
    VariadicAny,
    /// A type PostgreSQL has here that dsql does not yet (`interval`): listed so that
    /// resolution weighs the same candidates as PostgreSQL; a call that resolves to it is
    /// refused (0A000).
    Missing(&'static str, TypeCategory),
}

impl ArgType {
    /// The category of the declared type (pseudo-types are `P`).
    pub fn category(self) -> TypeCategory {
        match self {
            ArgType::Type(t) => t.category(),
            ArgType::Missing(_, c) => c,
            ArgType::Any
            | ArgType::AnyElement
            | ArgType::AnyCompatible
            | ArgType::AnyArray
            | ArgType::AnyNonArray
            | ArgType::AnyCompatibleArray
            | ArgType::VariadicAny => TypeCategory::Pseudo,
        }
    }

    /// Whether the declared type is its category's preferred type.
    pub fn is_preferred(self) -> bool {
        matches!(self, ArgType::Type(t) if t.is_preferred())
    }

    /// The type's name as PostgreSQL prints it in signatures.
    pub fn name(self) -> String {
        match self {
            ArgType::Type(t) => type_name(t),
            ArgType::Any => "\"any\"".into(),
            ArgType::AnyElement => "anyelement".into(),
            ArgType::AnyCompatible => "anycompatible".into(),
            ArgType::AnyArray => "anyarray".into(),
            ArgType::AnyNonArray => "anynonarray".into(),
            ArgType::AnyCompatibleArray => "anycompatiblearray".into(),
            ArgType::VariadicAny => "VARIADIC \"any\"".into(),
            ArgType::Missing(name, _) => name.into(),
        }
    }
}

/// A function's result type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReturnType {
    /// Always this type.
    Fixed(DataType),
    /// The type of the `anyelement` arguments.
    AnyElement,
    /// The common type of the `anycompatible` arguments.
    AnyCompatible,
    /// The array of the `anyelement` type (`anyarray`).
    AnyArray,
    /// The array of the `anycompatible` common type (`anycompatiblearray`).
    AnyCompatibleArray,
}

/// What computes a function's values.
#[derive(Clone, Copy, Debug)]
pub enum Implementation {
    /// A scalar function evaluated per row.
    Scalar(ScalarFn),
    /// A scalar function whose value the planner computes from the argument types.
    Planning(PlanningFn),
    /// An aggregate, computed by the executor's accumulators.
    Aggregate(AggFunc),
    /// A window function, computed by the executor's window stage.
    Window(WindowFunc),
    /// A set-returning function, run by the executor.
    SetReturning(SetFunc),
}

/// One overload of a built-in function, as a `pg_proc` row describes it.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    /// The function's name.
    pub name: &'static str,
    /// The declared argument types.
    pub args: &'static [ArgType],
    /// The result type.
    pub returns: ReturnType,
    /// Whether its result may change for the same arguments.
    pub volatility: Volatility,
    /// Strict: NULL for a NULL argument, without being called.
    pub strict: bool,
    /// What computes it.
    pub implementation: Implementation,
}

impl Function {
    /// The function's kind.
    pub fn kind(&self) -> Kind {
        match self.implementation {
            Implementation::Scalar(_) | Implementation::Planning(_) => Kind::Scalar,
            Implementation::Aggregate(_) => Kind::Aggregate,
            Implementation::Window(_) => Kind::Window,
            Implementation::SetReturning(_) => Kind::SetReturning,
        }
    }

    /// The overload's signature as PostgreSQL prints it: `round(numeric, integer)`.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|a| a.name()).collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

/// Every built-in overload, in the registry's order.
pub fn all() -> &'static [Function] {
    builtins::BUILTINS
}

/// A resolved overload: an index into the table of built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncId(u16);

impl FuncId {
    /// The overload.
    pub fn function(self) -> &'static Function {
        &builtins::BUILTINS[usize::from(self.0)]
    }

    /// The function's name.
    pub fn name(self) -> &'static str {
        self.function().name
    }

    /// Calls a scalar function on its argument values: NULL without calling it when it is
    /// strict and an argument is NULL.
    pub fn call(self, args: &[Value], cx: &dyn Context) -> Result<Value> {
        let f = self.function();
        if f.strict && args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        match f.implementation {
            Implementation::Scalar(imp) => imp(args, cx),
            _ => Err(crate::error::Error::internal(format!(
                "{} is not a scalar function",
                f.name
            ))),
        }
    }
}

/// Every built-in function, by name.
#[derive(Debug)]
pub struct Registry {
    /// The overloads of each name, in table order.
    by_name: HashMap<&'static str, Vec<FuncId>>,
}

/// The registry, built on first use.
static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut by_name: HashMap<&'static str, Vec<FuncId>> = HashMap::new();
    for (i, f) in builtins::BUILTINS.iter().enumerate() {
        let id = FuncId(u16::try_from(i).expect("fewer than 65536 built-in functions"));
        by_name.entry(f.name).or_default().push(id);
    }
    Registry { by_name }
});

/// The registry of built-in functions.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

impl Registry {
    /// The overloads called `name` (none for an unknown name).
    pub fn overloads(&self, name: &str) -> &[FuncId] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The kind of the functions called `name`, if there are any (all overloads of a name
    /// have one kind).
    pub fn kind_of(&self, name: &str) -> Option<Kind> {
        self.overloads(name).first().map(|id| id.function().kind())
    }

    /// The overload of `name` that takes exactly `args` (for calls the planner makes
    /// itself, e.g. `now()` for `current_timestamp`).
    pub fn exact(&self, name: &str, args: &[DataType]) -> Option<FuncId> {
        self.overloads(name).iter().copied().find(|id| {
            let f = id.function();
            f.args.len() == args.len()
                && f.args.iter().zip(args).all(|(d, a)| match d {
                    ArgType::Type(t) => same_type(*t, *a),
                    _ => false,
                })
        })
    }

    /// Resolves a call of `name` with arguments of types `args` as PostgreSQL does (see
    /// [`resolve`]): 42883 when no overload fits, 42725 when several fit equally well.
    pub fn resolve(&self, name: &str, args: &[DataType]) -> Result<Resolved> {
        resolve::resolve(name, self.overloads(name), args)
    }
}

/// Whether two types are the same but for their modifiers (`numeric(5,2)` and `numeric`).
pub fn same_type(a: DataType, b: DataType) -> bool {
    match (a.element(), b.element()) {
        (Some(x), Some(y)) => same_type(x, y),
        _ => std::mem::discriminant(&a) == std::mem::discriminant(&b),
    }
}

/// A type's name without its modifier, as PostgreSQL prints argument types in function
/// signatures (`format_type_be`) and as `pg_typeof` shows it.
pub fn type_name(t: DataType) -> String {
    match t {
        DataType::Numeric(_) => "numeric".into(),
        DataType::Varchar(_) => "character varying".into(),
        DataType::Char(_) => "character".into(),
        DataType::Array(e) => format!("{}[]", type_name(e.data_type())),
        DataType::Int2Vector => "int2vector".into(),
        DataType::OidVector => "oidvector".into(),
        other => other.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_one_kind_and_every_id_its_entry() {
        let registry = registry();
        for (name, ids) in &registry.by_name {
            let kind = ids[0].function().kind();
            for id in ids {
                assert_eq!(id.name(), *name);
                assert_eq!(id.function().kind(), kind, "{name} mixes kinds");
            }
            // No two overloads of a name take the same arguments.
            for (i, a) in ids.iter().enumerate() {
                for b in &ids[i + 1..] {
                    assert_ne!(a.function().signature(), b.function().signature());
                }
            }
        }
    }

    #[test]
    fn strict_functions_return_null_without_being_called() {
        struct NoContext;
        impl Context for NoContext {
            fn transaction_start(&self) -> chrono::DateTime<chrono::Utc> {
                chrono::DateTime::UNIX_EPOCH
            }
            fn statement_start(&self) -> chrono::DateTime<chrono::Utc> {
                chrono::DateTime::UNIX_EPOCH
            }
            fn current_user(&self) -> &str {
                "alice"
            }
            fn session_user(&self) -> &str {
                "alice"
            }
            fn time_zone(&self) -> TimeZone {
                TimeZone::UTC
            }
            fn current_schema(&self) -> Option<&str> {
                None
            }
            fn relation_is_visible(&self, _: i64) -> Option<bool> {
                None
            }
            fn role_name(&self, _: i64) -> Option<String> {
                None
            }
            fn index_definition(&self, _: i64, _: i64, _: bool) -> Option<String> {
                None
            }
            fn constraint_definition(&self, _: i64) -> Option<String> {
                None
            }
            fn search_path_schemas(&self, _: bool) -> Vec<String> {
                Vec::new()
            }
            fn object_oid(&self, _: RegKind, _: &str) -> Result<Option<u32>> {
                Ok(None)
            }
            fn object_name(&self, _: RegKind, oid: u32) -> String {
                oid.to_string()
            }
            fn relation_has_column(&self, _: u32, _: &str) -> Option<(String, bool)> {
                None
            }
            fn relation_kind(&self, _: u32) -> Option<char> {
                None
            }
            fn settings(&self) -> Option<&dyn Settings> {
                None
            }
            fn has_privilege(
                &self,
                _: Option<&str>,
                _: PrivilegeTarget<'_>,
                _: &[&str],
                _: bool,
            ) -> Result<Option<bool>> {
                Ok(None)
            }
        }
        let left = registry()
            .exact("left", &[DataType::Text, DataType::Int4])
            .expect("left(text, integer)");
        let cx = NoContext;
        assert_eq!(
            left.call(&[Value::Null, Value::Int(1)], &cx).unwrap(),
            Value::Null
        );
        assert_eq!(
            left.call(&[Value::Text("abc".into()), Value::Int(-1)], &cx)
                .unwrap(),
            Value::Text("ab".into())
        );
        let user = registry().exact("current_user", &[]).unwrap();
        assert_eq!(user.call(&[], &cx).unwrap(), Value::Text("alice".into()));
    }
}
