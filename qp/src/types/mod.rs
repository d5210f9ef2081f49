//! SQL types and values, the lowest layer of the query processor (it knows nothing of SQL
//! statements or the catalog): the [`DataType`]s dsql has, their [`Value`]s, PostgreSQL's
//! text forms ([`text`]), casts ([`cast`]), type categories ([`TypeCategory`]), comparison and hash keys ([`compare`]), the
//! order-preserving key encoding ([`keycode`]), the storage row codec ([`row`]) and the
//! session time zone ([`timezone`]).
//!
//! A [`Value`] does not carry its exact SQL type: integers of every width are `Int(i64)` and the
//! planner knows from the [`DataType`] of each expression whether it is a `smallint`, `integer`
//! or `bigint`. Range checks happen where a value takes a type (casts, assignments to columns,
//! arithmetic results), with PostgreSQL's messages.

mod array;
pub mod array_binary;
pub mod cast;
mod category;
pub mod collation;
pub mod compare;
pub mod keycode;
pub mod row;
pub mod text;
pub mod timezone;
mod value;

pub use array::{Array, Dim, ElementType, MAX_DIMENSIONS, too_many_dimensions};
pub use cast::{check_int_range, fit_numeric};
pub use category::TypeCategory;
pub use row::{ROW_VERSION, decode_row, encode_row};
pub use timezone::TimeZone;
pub use value::Value;

use postgres_types::Type;
use serde::{Deserialize, Serialize};

/// A SQL data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    /// `boolean`
    Bool,
    /// `smallint`
    Int2,
    /// `integer`
    Int4,
    /// `bigint`
    Int8,
    /// `real`
    Float4,
    /// `double precision`
    Float8,
    /// `numeric[(precision, scale)]`
    Numeric(Option<(u32, u32)>),
    /// `text`
    Text,
    /// `varchar[(n)]`
    Varchar(Option<u32>),
    /// `char(n)` (blank-padded)
    Char(u32),
    /// `date`
    Date,
    /// `timestamp` (without time zone)
    Timestamp,
    /// `timestamptz`
    TimestampTz,
    /// The type of a bare string literal or NULL before context gives it one.
    Unknown,
    // New variants go last: a stored `TableDef` encodes a column's type by its variant's
    // position (see `docs/formats.md`).
    /// `oid`: an unsigned 4-byte object identifier (0 to 4294967295), held as
    /// [`Value::Int`]. The system catalogs' ids (`pg_class.oid`, `relnamespace`, ...).
    Oid,
    /// `name`: a catalog object's name (PostgreSQL's 63-byte identifier type), held as
    /// [`Value::Text`]; converts to and from `text` implicitly.
    Name,
    /// `"char"`: PostgreSQL's one-byte internal character type (`relkind`, `typtype`), held as
    /// [`Value::Text`] of at most one character (empty for the zero byte).
    InternalChar,
    /// An array of a scalar type (`integer[]`, `text[]`, ...), of any number of dimensions
    /// (PostgreSQL's array types do not fix it), held as [`Value::Array`]. A query value
    /// only: columns of array types are refused, as DSQL refuses them.
    Array(ElementType),
    /// An object identifier type (`regclass`, `regtype`, `regnamespace`): an oid, held as
    /// [`Value::Int`], whose text form is the object's name. Converting it to or from text
    /// looks the name up in the catalog, which this layer does not know: the executor does
    /// that (`Context::object_oid` / `object_name`); here the text forms are the number.
    Reg(RegKind),
    /// `int2vector`: PostgreSQL's one-dimensional `smallint` array with subscripts from 0,
    /// written as its elements separated by spaces (`1 3`), held as [`Value::Array`].
    /// `pg_index.indkey` and `indoption`.
    Int2Vector,
    /// `oidvector`: as [`DataType::Int2Vector`], of oids (`pg_index.indclass`).
    OidVector,
    /// `json`: JSON text, kept as written (checked to be JSON on input), held as
    /// [`Value::Text`]. A query value only for now (`json_build_object`, casts).
    Json,
}

/// The kind of catalog object a `reg*` type identifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegKind {
    /// `regclass`: a relation or index (`pg_class`).
    Class,
    /// `regtype`: a type (`pg_type`).
    Type,
    /// `regnamespace`: a schema (`pg_namespace`).
    Namespace,
    /// `regproc`: a function, by name (`pg_proc`).
    Proc,
    /// `regrole`: a role (`pg_authid`).
    Role,
}

impl RegKind {
    /// The SQL type's name (`regclass`).
    pub fn type_name(self) -> &'static str {
        match self {
            RegKind::Class => "regclass",
            RegKind::Type => "regtype",
            RegKind::Namespace => "regnamespace",
            RegKind::Proc => "regproc",
            RegKind::Role => "regrole",
        }
    }

    /// The wire type.
    pub fn pg_type(self) -> Type {
        match self {
            RegKind::Class => Type::REGCLASS,
            RegKind::Type => Type::REGTYPE,
            RegKind::Namespace => Type::REGNAMESPACE,
            RegKind::Proc => Type::REGPROC,
            RegKind::Role => Type::REGROLE,
        }
    }
}

impl DataType {
    /// The PostgreSQL wire type.
    pub fn pg_type(self) -> Type {
        match self {
            DataType::Bool => Type::BOOL,
            DataType::Int2 => Type::INT2,
            DataType::Int4 => Type::INT4,
            DataType::Int8 => Type::INT8,
            DataType::Float4 => Type::FLOAT4,
            DataType::Float8 => Type::FLOAT8,
            DataType::Numeric(_) => Type::NUMERIC,
            DataType::Text | DataType::Unknown => Type::TEXT,
            DataType::Varchar(_) => Type::VARCHAR,
            DataType::Char(_) => Type::BPCHAR,
            DataType::Date => Type::DATE,
            DataType::Timestamp => Type::TIMESTAMP,
            DataType::TimestampTz => Type::TIMESTAMPTZ,
            DataType::Oid => Type::OID,
            DataType::Name => Type::NAME,
            DataType::InternalChar => Type::CHAR,
            DataType::Array(e) => match e {
                ElementType::Bool => Type::BOOL_ARRAY,
                ElementType::Int2 => Type::INT2_ARRAY,
                ElementType::Int4 => Type::INT4_ARRAY,
                ElementType::Int8 => Type::INT8_ARRAY,
                ElementType::Float4 => Type::FLOAT4_ARRAY,
                ElementType::Float8 => Type::FLOAT8_ARRAY,
                ElementType::Numeric(_) => Type::NUMERIC_ARRAY,
                ElementType::Text => Type::TEXT_ARRAY,
                ElementType::Varchar(_) => Type::VARCHAR_ARRAY,
                ElementType::Char(_) => Type::BPCHAR_ARRAY,
                ElementType::Date => Type::DATE_ARRAY,
                ElementType::Timestamp => Type::TIMESTAMP_ARRAY,
                ElementType::TimestampTz => Type::TIMESTAMPTZ_ARRAY,
                ElementType::Oid => Type::OID_ARRAY,
                ElementType::Name => Type::NAME_ARRAY,
                ElementType::InternalChar => Type::CHAR_ARRAY,
            },
            DataType::Reg(kind) => kind.pg_type(),
            DataType::Int2Vector => Type::INT2_VECTOR,
            DataType::OidVector => Type::OID_VECTOR,
            DataType::Json => Type::JSON,
        }
    }

    /// The type for a wire type a client named (in Parse), if dsql supports it.
    pub fn from_pg_type(ty: &Type) -> Option<DataType> {
        Some(match *ty {
            Type::BOOL => DataType::Bool,
            Type::INT2 => DataType::Int2,
            Type::INT4 => DataType::Int4,
            Type::INT8 => DataType::Int8,
            Type::FLOAT4 => DataType::Float4,
            Type::FLOAT8 => DataType::Float8,
            Type::NUMERIC => DataType::Numeric(None),
            Type::TEXT => DataType::Text,
            Type::NAME => DataType::Name,
            Type::OID => DataType::Oid,
            Type::CHAR => DataType::InternalChar,
            Type::VARCHAR => DataType::Varchar(None),
            Type::BPCHAR => DataType::Char(1),
            Type::DATE => DataType::Date,
            Type::TIMESTAMP => DataType::Timestamp,
            Type::TIMESTAMPTZ => DataType::TimestampTz,
            Type::UNKNOWN => DataType::Unknown,
            Type::REGCLASS => DataType::Reg(RegKind::Class),
            Type::REGTYPE => DataType::Reg(RegKind::Type),
            Type::REGNAMESPACE => DataType::Reg(RegKind::Namespace),
            Type::REGPROC => DataType::Reg(RegKind::Proc),
            Type::REGROLE => DataType::Reg(RegKind::Role),
            Type::INT2_VECTOR => DataType::Int2Vector,
            Type::OID_VECTOR => DataType::OidVector,
            Type::JSON => DataType::Json,
            ref t => match t.kind() {
                postgres_types::Kind::Array(element) => {
                    return DataType::from_pg_type(element)?.array_of();
                }
                _ => return None,
            },
        })
    }

    /// The type modifier reported in RowDescription (`atttypmod`), -1 for none.
    pub fn type_modifier(self) -> i32 {
        match self {
            DataType::Numeric(Some((p, s))) => (((p << 16) | s) + 4) as i32,
            DataType::Varchar(Some(n)) | DataType::Char(n) => n as i32 + 4,
            // An array type's modifier is its element's (`varchar(3)[]` reports 7).
            DataType::Array(e) => e.data_type().type_modifier(),
            _ => -1,
        }
    }

    /// The type's name as PostgreSQL prints it in messages.
    pub fn name(self) -> String {
        match self {
            DataType::Bool => "boolean".into(),
            DataType::Int2 => "smallint".into(),
            DataType::Int4 => "integer".into(),
            DataType::Int8 => "bigint".into(),
            DataType::Float4 => "real".into(),
            DataType::Float8 => "double precision".into(),
            DataType::Numeric(None) => "numeric".into(),
            DataType::Numeric(Some((p, s))) => format!("numeric({p},{s})"),
            DataType::Text => "text".into(),
            DataType::Varchar(None) => "character varying".into(),
            DataType::Varchar(Some(n)) => format!("character varying({n})"),
            DataType::Char(n) => format!("character({n})"),
            DataType::Date => "date".into(),
            DataType::Timestamp => "timestamp without time zone".into(),
            DataType::TimestampTz => "timestamp with time zone".into(),
            DataType::Unknown => "unknown".into(),
            DataType::Oid => "oid".into(),
            DataType::Name => "name".into(),
            DataType::InternalChar => "\"char\"".into(),
            DataType::Array(e) => format!("{}[]", e.data_type().name()),
            DataType::Reg(kind) => kind.type_name().into(),
            DataType::Int2Vector => "int2vector".into(),
            DataType::OidVector => "oidvector".into(),
            DataType::Json => "json".into(),
        }
    }

    /// The name used in `invalid input syntax for type X` messages.
    fn input_name(self) -> &'static str {
        match self {
            DataType::Bool => "boolean",
            DataType::Int2 => "smallint",
            DataType::Int4 => "integer",
            DataType::Int8 => "bigint",
            DataType::Float4 => "real",
            DataType::Float8 => "double precision",
            DataType::Numeric(_) => "numeric",
            DataType::Date => "date",
            DataType::Timestamp => "timestamp",
            DataType::TimestampTz => "timestamp with time zone",
            DataType::Oid => "oid",
            DataType::Reg(kind) => kind.type_name(),
            _ => "text",
        }
    }

    /// The object identifier types (`regclass`, ...).
    pub fn is_reg(self) -> bool {
        matches!(self, DataType::Reg(_))
    }

    /// Integer types.
    pub fn is_integer(self) -> bool {
        matches!(self, DataType::Int2 | DataType::Int4 | DataType::Int8)
    }

    /// Numeric types of any kind.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            DataType::Int2
                | DataType::Int4
                | DataType::Int8
                | DataType::Float4
                | DataType::Float8
                | DataType::Numeric(_)
        )
    }

    /// Character string types (`name` and `"char"` among them: they convert to `text`
    /// implicitly, and their values are [`Value::Text`]).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            DataType::Text
                | DataType::Varchar(_)
                | DataType::Char(_)
                | DataType::Name
                | DataType::InternalChar
        )
    }

    /// The common type two operands are converted to for comparison or arithmetic, if any
    /// (PostgreSQL's numeric promotion; unknown literals take the other side's type).
    pub fn common(a: DataType, b: DataType) -> Option<DataType> {
        use DataType::*;
        Some(match (a, b) {
            (Unknown, Unknown) => Text,
            (Unknown, t) | (t, Unknown) => t,
            (x, y) if x == y => x,
            (Float4 | Float8, y) if y.is_numeric() => Float8,
            (x, Float4 | Float8) if x.is_numeric() => Float8,
            (Numeric(_), y) if y.is_numeric() => Numeric(None),
            (x, Numeric(_)) if x.is_numeric() => Numeric(None),
            (Int8, y) if y.is_integer() => Int8,
            (x, Int8) if x.is_integer() => Int8,
            (Int4, y) if y.is_integer() => Int4,
            (x, Int4) if x.is_integer() => Int4,
            // Integers convert to oid implicitly (`attrelid = 16384`), not the reverse.
            (Oid, y) | (y, Oid) if y.is_integer() => Oid,
            // An object identifier compares with others, and with integers, as an oid
            // (`classoid = 'pg_class'::regclass`); a string takes the reg type
            // (`oid::regclass = 'customer'`).
            (Reg(_), y) | (y, Reg(_)) if y == Oid || y.is_integer() || y.is_reg() => Oid,
            (Reg(k), y) | (y, Reg(k)) if y.is_string() => Reg(k),
            (x, y) if x.is_string() && y.is_string() => Text,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            (Date | Timestamp, TimestampTz) | (TimestampTz, Date | Timestamp) => TimestampTz,
            // Arrays of types with a common type (CASE and COALESCE branches); operators
            // over arrays require one array type (see `planner/arrays.rs`).
            (Array(x), Array(y)) => DataType::common(x.data_type(), y.data_type())?.array_of()?,
            _ => return None,
        })
    }
}
