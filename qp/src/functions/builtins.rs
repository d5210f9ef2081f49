//! The table of built-in functions: one entry per overload, as PostgreSQL 15's `pg_proc`
//! has it (name, argument types, result type, `provolatile`, `proisstrict`, kind). Only the
//! functions dsql computes are listed, with every overload PostgreSQL has for the types dsql
//! has, so that a call resolves to the overload PostgreSQL would choose. Where PostgreSQL
//! has an overload over a type dsql lacks and it changes which overload an untyped literal
//! resolves to (`sum(interval)` makes `sum('1')` ambiguous), it is listed with
//! [`ArgType::Missing`].

use super::scalar::{array, datetime, json, math, string, system};
use super::{
    AggFunc, ArgType, Function, Implementation, ReturnType, SetFunc, Volatility, WindowFunc,
};
use crate::types::{DataType, ElementType, RegKind, TypeCategory};

use ArgType::{Any, AnyArray, AnyCompatible, AnyCompatibleArray, AnyElement, AnyNonArray};
use Volatility::{Immutable, Stable, Volatile};

const BOOL: ArgType = ArgType::Type(DataType::Bool);
const INT2: ArgType = ArgType::Type(DataType::Int2);
const INT4: ArgType = ArgType::Type(DataType::Int4);
const INT8: ArgType = ArgType::Type(DataType::Int8);
const FLOAT4: ArgType = ArgType::Type(DataType::Float4);
const FLOAT8: ArgType = ArgType::Type(DataType::Float8);
const NUMERIC: ArgType = ArgType::Type(DataType::Numeric(None));
const TEXT: ArgType = ArgType::Type(DataType::Text);
const OID: ArgType = ArgType::Type(DataType::Oid);
const NAME: ArgType = ArgType::Type(DataType::Name);
const REGCLASS: ArgType = ArgType::Type(DataType::Reg(RegKind::Class));
const BPCHAR: ArgType = ArgType::Type(DataType::Char(1));
const DATE: ArgType = ArgType::Type(DataType::Date);
const TIMESTAMP: ArgType = ArgType::Type(DataType::Timestamp);
const TIMESTAMPTZ: ArgType = ArgType::Type(DataType::TimestampTz);
const INTERVAL: ArgType = ArgType::Missing("interval", TypeCategory::Timespan);

/// A result type that does not depend on the arguments.
const fn fixed(t: DataType) -> ReturnType {
    ReturnType::Fixed(t)
}

/// A strict scalar function.
const fn scalar(
    name: &'static str,
    args: &'static [ArgType],
    returns: DataType,
    volatility: Volatility,
    f: super::ScalarFn,
) -> Function {
    Function {
        name,
        args,
        returns: fixed(returns),
        volatility,
        strict: true,
        implementation: Implementation::Scalar(f),
    }
}

/// An immutable scalar function with a polymorphic result or that `pg_proc` does not mark
/// strict.
const fn polymorphic(
    name: &'static str,
    args: &'static [ArgType],
    returns: ReturnType,
    strict: bool,
    f: super::ScalarFn,
) -> Function {
    Function {
        name,
        args,
        returns,
        volatility: Immutable,
        strict,
        implementation: Implementation::Scalar(f),
    }
}

/// An aggregate (aggregates are never strict in `pg_proc`; they skip NULL inputs).
const fn aggregate(
    name: &'static str,
    args: &'static [ArgType],
    returns: ReturnType,
    f: AggFunc,
) -> Function {
    Function {
        name,
        args,
        returns,
        volatility: Immutable,
        strict: false,
        implementation: Implementation::Aggregate(f),
    }
}

/// A window function.
const fn window(
    name: &'static str,
    args: &'static [ArgType],
    returns: ReturnType,
    strict: bool,
    f: WindowFunc,
) -> Function {
    Function {
        name,
        args,
        returns,
        volatility: Immutable,
        strict,
        implementation: Implementation::Window(f),
    }
}

/// A strict immutable set-returning function.
const fn set_returning(
    name: &'static str,
    args: &'static [ArgType],
    returns: DataType,
    f: SetFunc,
) -> Function {
    Function {
        name,
        args,
        returns: fixed(returns),
        volatility: Immutable,
        strict: true,
        implementation: Implementation::SetReturning(f),
    }
}

/// Every built-in function; a [`super::FuncId`] is an index into it.
pub(super) static BUILTINS: &[Function] = &[
    // Mathematical functions.
    // The integer bitwise operators' functions (`&` is int4and, ...).
    scalar(
        "int2and",
        &[INT2, INT2],
        DataType::Int2,
        Immutable,
        math::int2and,
    ),
    scalar(
        "int4and",
        &[INT4, INT4],
        DataType::Int4,
        Immutable,
        math::int4and,
    ),
    scalar(
        "int8and",
        &[INT8, INT8],
        DataType::Int8,
        Immutable,
        math::int8and,
    ),
    scalar(
        "int2or",
        &[INT2, INT2],
        DataType::Int2,
        Immutable,
        math::int2or,
    ),
    scalar(
        "int4or",
        &[INT4, INT4],
        DataType::Int4,
        Immutable,
        math::int4or,
    ),
    scalar(
        "int8or",
        &[INT8, INT8],
        DataType::Int8,
        Immutable,
        math::int8or,
    ),
    scalar(
        "int2xor",
        &[INT2, INT2],
        DataType::Int2,
        Immutable,
        math::int2xor,
    ),
    scalar(
        "int4xor",
        &[INT4, INT4],
        DataType::Int4,
        Immutable,
        math::int4xor,
    ),
    scalar(
        "int8xor",
        &[INT8, INT8],
        DataType::Int8,
        Immutable,
        math::int8xor,
    ),
    scalar(
        "int2shl",
        &[INT2, INT4],
        DataType::Int2,
        Immutable,
        math::int2shl,
    ),
    scalar(
        "int4shl",
        &[INT4, INT4],
        DataType::Int4,
        Immutable,
        math::int4shl,
    ),
    scalar(
        "int8shl",
        &[INT8, INT4],
        DataType::Int8,
        Immutable,
        math::int8shl,
    ),
    scalar(
        "int2shr",
        &[INT2, INT4],
        DataType::Int2,
        Immutable,
        math::int2shr,
    ),
    scalar(
        "int4shr",
        &[INT4, INT4],
        DataType::Int4,
        Immutable,
        math::int4shr,
    ),
    scalar(
        "int8shr",
        &[INT8, INT4],
        DataType::Int8,
        Immutable,
        math::int8shr,
    ),
    scalar("abs", &[INT2], DataType::Int2, Immutable, math::abs_int2),
    scalar("abs", &[INT4], DataType::Int4, Immutable, math::abs_int4),
    scalar("abs", &[INT8], DataType::Int8, Immutable, math::abs_int8),
    scalar(
        "abs",
        &[FLOAT4],
        DataType::Float4,
        Immutable,
        math::abs_float,
    ),
    scalar(
        "abs",
        &[FLOAT8],
        DataType::Float8,
        Immutable,
        math::abs_float,
    ),
    scalar(
        "abs",
        &[NUMERIC],
        DataType::Numeric(None),
        Immutable,
        math::abs_numeric,
    ),
    scalar(
        "round",
        &[FLOAT8],
        DataType::Float8,
        Immutable,
        math::round_float8,
    ),
    scalar(
        "round",
        &[NUMERIC],
        DataType::Numeric(None),
        Immutable,
        math::round_numeric,
    ),
    scalar(
        "round",
        &[NUMERIC, INT4],
        DataType::Numeric(None),
        Immutable,
        math::round_numeric_digits,
    ),
    scalar("random", &[], DataType::Float8, Volatile, math::random),
    // String functions.
    scalar("lower", &[TEXT], DataType::Text, Immutable, string::lower),
    scalar("btrim", &[TEXT], DataType::Text, Immutable, string::btrim),
    scalar(
        "btrim",
        &[TEXT, TEXT],
        DataType::Text,
        Immutable,
        string::btrim,
    ),
    scalar("ltrim", &[TEXT], DataType::Text, Immutable, string::ltrim),
    scalar(
        "ltrim",
        &[TEXT, TEXT],
        DataType::Text,
        Immutable,
        string::ltrim,
    ),
    scalar("rtrim", &[TEXT], DataType::Text, Immutable, string::rtrim),
    scalar(
        "rtrim",
        &[TEXT, TEXT],
        DataType::Text,
        Immutable,
        string::rtrim,
    ),
    scalar("upper", &[TEXT], DataType::Text, Immutable, string::upper),
    scalar(
        "substring",
        &[TEXT, INT4, INT4],
        DataType::Text,
        Immutable,
        string::substring,
    ),
    scalar(
        "substring",
        &[TEXT, INT4],
        DataType::Text,
        Immutable,
        string::substring,
    ),
    scalar(
        "substr",
        &[TEXT, INT4, INT4],
        DataType::Text,
        Immutable,
        string::substring,
    ),
    scalar(
        "substr",
        &[TEXT, INT4],
        DataType::Text,
        Immutable,
        string::substring,
    ),
    scalar(
        "quote_ident",
        &[TEXT],
        DataType::Text,
        Immutable,
        string::quote_ident,
    ),
    scalar(
        "replace",
        &[TEXT, TEXT, TEXT],
        DataType::Text,
        Immutable,
        string::replace,
    ),
    scalar("length", &[TEXT], DataType::Int4, Immutable, string::length),
    scalar(
        "char_length",
        &[TEXT],
        DataType::Int4,
        Immutable,
        string::length,
    ),
    scalar(
        "character_length",
        &[TEXT],
        DataType::Int4,
        Immutable,
        string::length,
    ),
    scalar(
        "left",
        &[TEXT, INT4],
        DataType::Text,
        Immutable,
        string::left,
    ),
    scalar(
        "repeat",
        &[TEXT, INT4],
        DataType::Text,
        Immutable,
        string::repeat,
    ),
    // Array functions.
    scalar(
        "array_length",
        &[AnyArray, INT4],
        DataType::Int4,
        Immutable,
        array::array_length,
    ),
    scalar(
        "array_lower",
        &[AnyArray, INT4],
        DataType::Int4,
        Immutable,
        array::array_lower,
    ),
    scalar(
        "array_upper",
        &[AnyArray, INT4],
        DataType::Int4,
        Immutable,
        array::array_upper,
    ),
    scalar(
        "array_ndims",
        &[AnyArray],
        DataType::Int4,
        Immutable,
        array::array_ndims,
    ),
    scalar(
        "array_dims",
        &[AnyArray],
        DataType::Text,
        Immutable,
        array::array_dims,
    ),
    scalar(
        "cardinality",
        &[AnyArray],
        DataType::Int4,
        Immutable,
        array::cardinality,
    ),
    polymorphic(
        "array_position",
        &[AnyCompatibleArray, AnyCompatible],
        fixed(DataType::Int4),
        false,
        array::array_position,
    ),
    polymorphic(
        "array_position",
        &[AnyCompatibleArray, AnyCompatible, INT4],
        fixed(DataType::Int4),
        false,
        array::array_position,
    ),
    polymorphic(
        "array_append",
        &[AnyCompatibleArray, AnyCompatible],
        ReturnType::AnyCompatibleArray,
        false,
        array::array_append,
    ),
    polymorphic(
        "array_prepend",
        &[AnyCompatible, AnyCompatibleArray],
        ReturnType::AnyCompatibleArray,
        false,
        array::array_prepend,
    ),
    polymorphic(
        "array_cat",
        &[AnyCompatibleArray, AnyCompatibleArray],
        ReturnType::AnyCompatibleArray,
        false,
        array::array_cat,
    ),
    scalar(
        "array_to_string",
        &[AnyArray, TEXT],
        DataType::Text,
        Stable,
        array::array_to_string,
    ),
    Function {
        strict: false,
        ..scalar(
            "array_to_string",
            &[AnyArray, TEXT, TEXT],
            DataType::Text,
            Stable,
            array::array_to_string,
        )
    },
    polymorphic(
        "string_to_array",
        &[TEXT, TEXT],
        fixed(DataType::Array(ElementType::Text)),
        false,
        array::string_to_array,
    ),
    polymorphic(
        "string_to_array",
        &[TEXT, TEXT, TEXT],
        fixed(DataType::Array(ElementType::Text)),
        false,
        array::string_to_array,
    ),
    // Date and time functions.
    scalar("now", &[], DataType::TimestampTz, Stable, datetime::now),
    scalar(
        "transaction_timestamp",
        &[],
        DataType::TimestampTz,
        Stable,
        datetime::now,
    ),
    scalar(
        "statement_timestamp",
        &[],
        DataType::TimestampTz,
        Stable,
        datetime::statement_timestamp,
    ),
    scalar(
        "clock_timestamp",
        &[],
        DataType::TimestampTz,
        Volatile,
        datetime::clock_timestamp,
    ),
    // The regular expression matches behind `~`, `~*`, `!~` and `!~*` (a `name` operand
    // converts to text).
    scalar(
        "textregexeq",
        &[TEXT, TEXT],
        DataType::Bool,
        Immutable,
        string::textregexeq,
    ),
    scalar(
        "texticregexeq",
        &[TEXT, TEXT],
        DataType::Bool,
        Immutable,
        string::texticregexeq,
    ),
    scalar(
        "textregexne",
        &[TEXT, TEXT],
        DataType::Bool,
        Immutable,
        string::textregexne,
    ),
    scalar(
        "texticregexne",
        &[TEXT, TEXT],
        DataType::Bool,
        Immutable,
        string::texticregexne,
    ),
    // System information functions. PostgreSQL's current_database(), current_schema(),
    // current_user and session_user return `name`, which dsql shows as text.
    scalar("version", &[], DataType::Text, Stable, system::version),
    scalar(
        "current_database",
        &[],
        DataType::Text,
        Stable,
        system::current_database,
    ),
    scalar(
        "current_schema",
        &[],
        DataType::Text,
        Stable,
        system::current_schema,
    ),
    scalar(
        "current_user",
        &[],
        DataType::Text,
        Stable,
        system::current_user,
    ),
    scalar(
        "session_user",
        &[],
        DataType::Text,
        Stable,
        system::session_user,
    ),
    scalar(
        "current_schemas",
        &[BOOL],
        DataType::Array(ElementType::Name),
        Stable,
        system::current_schemas,
    ),
    // The catalog's functions (PostgreSQL's `pg_get_userbyid` and `pg_encoding_to_char`
    // return `name`).
    scalar(
        "pg_table_is_visible",
        &[OID],
        DataType::Bool,
        Stable,
        system::pg_table_is_visible,
    ),
    // The definitions of objects dsql has none of (views, triggers, rules, extended
    // statistics): NULL, as for an oid that names no such object.
    Function {
        name: "pg_get_viewdef",
        args: &[OID],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_viewdef",
        args: &[OID, BOOL],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_triggerdef",
        args: &[OID],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_triggerdef",
        args: &[OID, BOOL],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_ruledef",
        args: &[OID],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_ruledef",
        args: &[OID, BOOL],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    Function {
        name: "pg_get_statisticsobjdef_columns",
        args: &[OID],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: true,
        implementation: Implementation::Scalar(system::no_such_object),
    },
    scalar(
        "pg_relation_is_publishable",
        &[REGCLASS],
        DataType::Bool,
        Stable,
        system::pg_relation_is_publishable,
    ),
    set_returning(
        "pg_partition_ancestors",
        &[REGCLASS],
        DataType::Reg(RegKind::Class),
        SetFunc::PartitionAncestors,
    ),
    Function {
        name: "json_build_object",
        args: &[ArgType::VariadicAny],
        returns: fixed(DataType::Json),
        volatility: Stable,
        strict: false,
        implementation: Implementation::Scalar(json::json_build_object),
    },
    // The privilege inquiry functions (the role by name; PostgreSQL's role-oid overloads are
    // not here yet).
    scalar(
        "has_table_privilege",
        &[TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_table_privilege,
    ),
    scalar(
        "has_table_privilege",
        &[OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_table_privilege,
    ),
    scalar(
        "has_table_privilege",
        &[NAME, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_table_privilege,
    ),
    scalar(
        "has_table_privilege",
        &[NAME, OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_table_privilege,
    ),
    scalar(
        "has_schema_privilege",
        &[TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_schema_privilege,
    ),
    scalar(
        "has_schema_privilege",
        &[OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_schema_privilege,
    ),
    scalar(
        "has_schema_privilege",
        &[NAME, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_schema_privilege,
    ),
    scalar(
        "has_schema_privilege",
        &[NAME, OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_schema_privilege,
    ),
    scalar(
        "has_database_privilege",
        &[TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_database_privilege,
    ),
    scalar(
        "has_database_privilege",
        &[OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_database_privilege,
    ),
    scalar(
        "has_database_privilege",
        &[NAME, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_database_privilege,
    ),
    scalar(
        "has_database_privilege",
        &[NAME, OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_database_privilege,
    ),
    scalar(
        "has_column_privilege",
        &[TEXT, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_column_privilege,
    ),
    scalar(
        "has_column_privilege",
        &[OID, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_column_privilege,
    ),
    scalar(
        "has_column_privilege",
        &[NAME, TEXT, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_column_privilege,
    ),
    scalar(
        "has_column_privilege",
        &[NAME, OID, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_column_privilege,
    ),
    scalar(
        "has_any_column_privilege",
        &[TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_any_column_privilege,
    ),
    scalar(
        "has_any_column_privilege",
        &[OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_any_column_privilege,
    ),
    scalar(
        "has_any_column_privilege",
        &[NAME, TEXT, TEXT],
        DataType::Bool,
        Stable,
        system::has_any_column_privilege,
    ),
    scalar(
        "has_any_column_privilege",
        &[NAME, OID, TEXT],
        DataType::Bool,
        Stable,
        system::has_any_column_privilege,
    ),
    scalar(
        "current_setting",
        &[TEXT],
        DataType::Text,
        Stable,
        system::current_setting,
    ),
    scalar(
        "current_setting",
        &[TEXT, BOOL],
        DataType::Text,
        Stable,
        system::current_setting,
    ),
    Function {
        name: "set_config",
        args: &[TEXT, TEXT, BOOL],
        returns: fixed(DataType::Text),
        volatility: Volatile,
        strict: false,
        implementation: Implementation::Scalar(system::set_config),
    },
    scalar(
        "pg_get_function_result",
        &[OID],
        DataType::Text,
        Stable,
        system::pg_get_function_result,
    ),
    scalar(
        "pg_get_function_arguments",
        &[OID],
        DataType::Text,
        Stable,
        system::pg_get_function_arguments,
    ),
    scalar(
        "pg_get_function_identity_arguments",
        &[OID],
        DataType::Text,
        Stable,
        system::pg_get_function_arguments,
    ),
    scalar(
        "pg_function_is_visible",
        &[OID],
        DataType::Bool,
        Stable,
        system::pg_function_is_visible,
    ),
    scalar(
        "pg_type_is_visible",
        &[OID],
        DataType::Bool,
        Stable,
        system::pg_type_is_visible,
    ),
    scalar(
        "pg_get_serial_sequence",
        &[TEXT, TEXT],
        DataType::Text,
        Stable,
        system::pg_get_serial_sequence,
    ),
    scalar(
        "pg_collation_is_visible",
        &[OID],
        DataType::Bool,
        Stable,
        system::pg_collation_is_visible,
    ),
    scalar(
        "pg_get_userbyid",
        &[OID],
        DataType::Name,
        Stable,
        system::pg_get_userbyid,
    ),
    scalar(
        "pg_get_indexdef",
        &[OID],
        DataType::Text,
        Stable,
        system::pg_get_indexdef,
    ),
    scalar(
        "pg_get_indexdef",
        &[OID, INT4, BOOL],
        DataType::Text,
        Stable,
        system::pg_get_indexdef,
    ),
    scalar(
        "pg_get_constraintdef",
        &[OID],
        DataType::Text,
        Stable,
        system::pg_get_constraintdef,
    ),
    scalar(
        "pg_get_constraintdef",
        &[OID, BOOL],
        DataType::Text,
        Stable,
        system::pg_get_constraintdef,
    ),
    scalar(
        "pg_get_expr",
        &[TEXT, OID],
        DataType::Text,
        Stable,
        system::pg_get_expr,
    ),
    scalar(
        "pg_get_expr",
        &[TEXT, OID, BOOL],
        DataType::Text,
        Stable,
        system::pg_get_expr,
    ),
    scalar(
        "to_regclass",
        &[TEXT],
        DataType::Reg(RegKind::Class),
        Stable,
        system::to_regclass,
    ),
    scalar(
        "to_regtype",
        &[TEXT],
        DataType::Reg(RegKind::Type),
        Stable,
        system::to_regtype,
    ),
    scalar(
        "to_regproc",
        &[TEXT],
        DataType::Reg(RegKind::Proc),
        Stable,
        system::to_regproc,
    ),
    scalar(
        "to_regrole",
        &[TEXT],
        DataType::Reg(RegKind::Role),
        Stable,
        system::to_regrole,
    ),
    scalar(
        "pg_has_role",
        &[NAME, TEXT],
        DataType::Bool,
        Stable,
        system::pg_has_role,
    ),
    scalar(
        "pg_has_role",
        &[NAME, NAME, TEXT],
        DataType::Bool,
        Stable,
        system::pg_has_role,
    ),
    scalar(
        "to_regnamespace",
        &[TEXT],
        DataType::Reg(RegKind::Namespace),
        Stable,
        system::to_regnamespace,
    ),
    scalar(
        "pg_encoding_to_char",
        &[INT4],
        DataType::Name,
        Stable,
        system::pg_encoding_to_char,
    ),
    Function {
        name: "format_type",
        args: &[OID, INT4],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: false,
        implementation: Implementation::Scalar(system::format_type),
    },
    scalar(
        "obj_description",
        &[OID],
        DataType::Text,
        Stable,
        system::obj_description,
    ),
    scalar(
        "obj_description",
        &[OID, NAME],
        DataType::Text,
        Stable,
        system::obj_description,
    ),
    scalar(
        "col_description",
        &[OID, INT4],
        DataType::Text,
        Stable,
        system::col_description,
    ),
    scalar(
        "shobj_description",
        &[OID, NAME],
        DataType::Text,
        Stable,
        system::obj_description,
    ),
    // pg_typeof returns `regtype`, which dsql shows as text.
    Function {
        name: "pg_typeof",
        args: &[Any],
        returns: fixed(DataType::Text),
        volatility: Stable,
        strict: false,
        implementation: Implementation::Planning(system::pg_typeof),
    },
    // Aggregates.
    aggregate("count", &[], fixed(DataType::Int8), AggFunc::CountStar),
    aggregate("count", &[Any], fixed(DataType::Int8), AggFunc::Count),
    aggregate("sum", &[INT2], fixed(DataType::Int8), AggFunc::Sum),
    aggregate("sum", &[INT4], fixed(DataType::Int8), AggFunc::Sum),
    aggregate("sum", &[INT8], fixed(DataType::Numeric(None)), AggFunc::Sum),
    aggregate("sum", &[FLOAT4], fixed(DataType::Float4), AggFunc::Sum),
    aggregate("sum", &[FLOAT8], fixed(DataType::Float8), AggFunc::Sum),
    aggregate(
        "sum",
        &[NUMERIC],
        fixed(DataType::Numeric(None)),
        AggFunc::Sum,
    ),
    aggregate("sum", &[INTERVAL], fixed(DataType::Unknown), AggFunc::Sum),
    aggregate("avg", &[INT2], fixed(DataType::Numeric(None)), AggFunc::Avg),
    aggregate("avg", &[INT4], fixed(DataType::Numeric(None)), AggFunc::Avg),
    aggregate("avg", &[INT8], fixed(DataType::Numeric(None)), AggFunc::Avg),
    aggregate("avg", &[FLOAT4], fixed(DataType::Float8), AggFunc::Avg),
    aggregate("avg", &[FLOAT8], fixed(DataType::Float8), AggFunc::Avg),
    aggregate(
        "avg",
        &[NUMERIC],
        fixed(DataType::Numeric(None)),
        AggFunc::Avg,
    ),
    aggregate("avg", &[INTERVAL], fixed(DataType::Unknown), AggFunc::Avg),
    // min and max over each type PostgreSQL has them for (of dsql's types: not boolean;
    // varchar resolves to text).
    aggregate("min", &[INT2], fixed(DataType::Int2), AggFunc::Min),
    aggregate("min", &[INT4], fixed(DataType::Int4), AggFunc::Min),
    aggregate("min", &[INT8], fixed(DataType::Int8), AggFunc::Min),
    aggregate("min", &[FLOAT4], fixed(DataType::Float4), AggFunc::Min),
    aggregate("min", &[FLOAT8], fixed(DataType::Float8), AggFunc::Min),
    aggregate(
        "min",
        &[NUMERIC],
        fixed(DataType::Numeric(None)),
        AggFunc::Min,
    ),
    aggregate("min", &[OID], fixed(DataType::Oid), AggFunc::Min),
    aggregate("min", &[TEXT], fixed(DataType::Text), AggFunc::Min),
    aggregate("min", &[BPCHAR], fixed(DataType::Char(1)), AggFunc::Min),
    aggregate("min", &[DATE], fixed(DataType::Date), AggFunc::Min),
    aggregate(
        "min",
        &[TIMESTAMP],
        fixed(DataType::Timestamp),
        AggFunc::Min,
    ),
    aggregate(
        "min",
        &[TIMESTAMPTZ],
        fixed(DataType::TimestampTz),
        AggFunc::Min,
    ),
    aggregate("min", &[INTERVAL], fixed(DataType::Unknown), AggFunc::Min),
    aggregate("max", &[INT2], fixed(DataType::Int2), AggFunc::Max),
    aggregate("max", &[INT4], fixed(DataType::Int4), AggFunc::Max),
    aggregate("max", &[INT8], fixed(DataType::Int8), AggFunc::Max),
    aggregate("max", &[FLOAT4], fixed(DataType::Float4), AggFunc::Max),
    aggregate("max", &[FLOAT8], fixed(DataType::Float8), AggFunc::Max),
    aggregate(
        "max",
        &[NUMERIC],
        fixed(DataType::Numeric(None)),
        AggFunc::Max,
    ),
    aggregate("max", &[OID], fixed(DataType::Oid), AggFunc::Max),
    aggregate("max", &[TEXT], fixed(DataType::Text), AggFunc::Max),
    aggregate("max", &[BPCHAR], fixed(DataType::Char(1)), AggFunc::Max),
    aggregate("max", &[DATE], fixed(DataType::Date), AggFunc::Max),
    aggregate(
        "max",
        &[TIMESTAMP],
        fixed(DataType::Timestamp),
        AggFunc::Max,
    ),
    aggregate(
        "max",
        &[TIMESTAMPTZ],
        fixed(DataType::TimestampTz),
        AggFunc::Max,
    ),
    aggregate("max", &[INTERVAL], fixed(DataType::Unknown), AggFunc::Max),
    aggregate(
        "string_agg",
        &[TEXT, TEXT],
        fixed(DataType::Text),
        AggFunc::StringAgg,
    ),
    aggregate(
        "array_agg",
        &[AnyNonArray],
        ReturnType::AnyArray,
        AggFunc::ArrayAgg,
    ),
    aggregate(
        "array_agg",
        &[AnyArray],
        ReturnType::AnyArray,
        AggFunc::ArrayAggArrays,
    ),
    aggregate("bool_and", &[BOOL], fixed(DataType::Bool), AggFunc::BoolAnd),
    aggregate("bool_or", &[BOOL], fixed(DataType::Bool), AggFunc::BoolOr),
    aggregate("every", &[BOOL], fixed(DataType::Bool), AggFunc::BoolAnd),
    // Window functions.
    window(
        "row_number",
        &[],
        fixed(DataType::Int8),
        false,
        WindowFunc::RowNumber,
    ),
    window("rank", &[], fixed(DataType::Int8), false, WindowFunc::Rank),
    window(
        "dense_rank",
        &[],
        fixed(DataType::Int8),
        false,
        WindowFunc::DenseRank,
    ),
    window(
        "percent_rank",
        &[],
        fixed(DataType::Float8),
        false,
        WindowFunc::PercentRank,
    ),
    window(
        "cume_dist",
        &[],
        fixed(DataType::Float8),
        false,
        WindowFunc::CumeDist,
    ),
    window(
        "ntile",
        &[INT4],
        fixed(DataType::Int4),
        true,
        WindowFunc::Ntile,
    ),
    window(
        "lag",
        &[AnyElement],
        ReturnType::AnyElement,
        true,
        WindowFunc::Lag,
    ),
    window(
        "lag",
        &[AnyElement, INT4],
        ReturnType::AnyElement,
        true,
        WindowFunc::Lag,
    ),
    window(
        "lag",
        &[AnyCompatible, INT4, AnyCompatible],
        ReturnType::AnyCompatible,
        true,
        WindowFunc::Lag,
    ),
    window(
        "lead",
        &[AnyElement],
        ReturnType::AnyElement,
        true,
        WindowFunc::Lead,
    ),
    window(
        "lead",
        &[AnyElement, INT4],
        ReturnType::AnyElement,
        true,
        WindowFunc::Lead,
    ),
    window(
        "lead",
        &[AnyCompatible, INT4, AnyCompatible],
        ReturnType::AnyCompatible,
        true,
        WindowFunc::Lead,
    ),
    window(
        "first_value",
        &[AnyElement],
        ReturnType::AnyElement,
        true,
        WindowFunc::FirstValue,
    ),
    window(
        "last_value",
        &[AnyElement],
        ReturnType::AnyElement,
        true,
        WindowFunc::LastValue,
    ),
    window(
        "nth_value",
        &[AnyElement, INT4],
        ReturnType::AnyElement,
        true,
        WindowFunc::NthValue,
    ),
    // Set-returning functions.
    set_returning(
        "generate_series",
        &[INT4, INT4],
        DataType::Int4,
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[INT4, INT4, INT4],
        DataType::Int4,
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[INT8, INT8],
        DataType::Int8,
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[INT8, INT8, INT8],
        DataType::Int8,
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[NUMERIC, NUMERIC],
        DataType::Numeric(None),
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[NUMERIC, NUMERIC, NUMERIC],
        DataType::Numeric(None),
        SetFunc::GenerateSeries,
    ),
    set_returning(
        "generate_series",
        &[TIMESTAMP, TIMESTAMP, INTERVAL],
        DataType::Timestamp,
        SetFunc::GenerateSeries,
    ),
    Function {
        returns: ReturnType::AnyElement,
        ..set_returning("unnest", &[AnyArray], DataType::Unknown, SetFunc::Unnest)
    },
    set_returning(
        "generate_subscripts",
        &[AnyArray, INT4],
        DataType::Int4,
        SetFunc::GenerateSubscripts,
    ),
    set_returning(
        "generate_subscripts",
        &[AnyArray, INT4, BOOL],
        DataType::Int4,
        SetFunc::GenerateSubscripts,
    ),
    Function {
        volatility: Stable,
        ..set_returning(
            "generate_series",
            &[TIMESTAMPTZ, TIMESTAMPTZ, INTERVAL],
            DataType::TimestampTz,
            SetFunc::GenerateSeries,
        )
    },
];
