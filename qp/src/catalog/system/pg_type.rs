//! `pg_catalog.pg_type`: the built-in types dsql has and their array types, with
//! PostgreSQL's oids and attributes.

use super::{Catalog, SystemColumn, SystemTable, char, column, name, nullable, oid};
use crate::catalog::defs::ADMIN_OID;
use crate::catalog::oids::{self, C_COLLATION, DEFAULT_COLLATION, Oid, PG_CATALOG_NAMESPACE};
use crate::functions::procs::internal_oid;
use crate::types::{DataType, RegKind, Value};

/// A built-in type as `pg_type` describes it (PostgreSQL 15's values).
#[derive(Clone, Copy, Debug)]
pub struct TypeInfo {
    /// `oid`
    pub oid: Oid,
    /// `typname`
    pub name: &'static str,
    /// `typlen`: bytes, or -1 for variable length.
    pub len: i16,
    /// `typbyval`
    pub by_value: bool,
    /// `typcategory`
    pub category: char,
    /// `typispreferred`
    pub preferred: bool,
    /// `typelem`: the element type of a subscriptable type (`name` is one of `"char"`).
    pub element: Oid,
    /// `typarray`: the oid of the type's array type (0 for an array type).
    pub array: Oid,
    /// The type's functions: `typinput`, `typoutput`, `typreceive`, `typsend`, `typmodin`,
    /// `typmodout` (`-` for none), and `typsubscript`.
    pub functions: [&'static str; 7],
    /// `typalign`
    pub align: char,
    /// `typstorage`
    pub storage: char,
    /// `typcollation`
    pub collation: Oid,
}

/// One row of [`TYPES`]: a base type without an element type (the arguments are its
/// columns, in `pg_type`'s order).
#[allow(clippy::too_many_arguments)]
const fn scalar(
    oid: Oid,
    name: &'static str,
    len: i16,
    category: char,
    preferred: bool,
    array: Oid,
    io: [&'static str; 4],
    typmod: [&'static str; 2],
    align: char,
    storage: char,
) -> TypeInfo {
    TypeInfo {
        oid,
        name,
        len,
        by_value: len > 0 && len <= 8,
        category,
        preferred,
        element: 0,
        array,
        functions: [io[0], io[1], io[2], io[3], typmod[0], typmod[1], "-"],
        align,
        storage,
        collation: if category == 'S' {
            DEFAULT_COLLATION
        } else {
            0
        },
    }
}

const NO_TYPMOD: [&str; 2] = ["-", "-"];

/// The types, by oid.
pub static TYPES: &[TypeInfo] = &[
    scalar(
        16,
        "bool",
        1,
        'B',
        true,
        1000,
        ["boolin", "boolout", "boolrecv", "boolsend"],
        NO_TYPMOD,
        'c',
        'p',
    ),
    scalar(
        18,
        "char",
        1,
        'Z',
        false,
        1002,
        ["charin", "charout", "charrecv", "charsend"],
        NO_TYPMOD,
        'c',
        'p',
    ),
    TypeInfo {
        by_value: false,
        element: 18,
        functions: [
            "namein",
            "nameout",
            "namerecv",
            "namesend",
            "-",
            "-",
            "raw_array_subscript_handler",
        ],
        collation: C_COLLATION,
        ..scalar(
            19,
            "name",
            64,
            'S',
            false,
            1003,
            ["", "", "", ""],
            NO_TYPMOD,
            'c',
            'p',
        )
    },
    scalar(
        20,
        "int8",
        8,
        'N',
        false,
        1016,
        ["int8in", "int8out", "int8recv", "int8send"],
        NO_TYPMOD,
        'd',
        'p',
    ),
    scalar(
        21,
        "int2",
        2,
        'N',
        false,
        1005,
        ["int2in", "int2out", "int2recv", "int2send"],
        NO_TYPMOD,
        's',
        'p',
    ),
    TypeInfo {
        element: 21,
        functions: [
            "int2vectorin",
            "int2vectorout",
            "int2vectorrecv",
            "int2vectorsend",
            "-",
            "-",
            "array_subscript_handler",
        ],
        ..scalar(
            22,
            "int2vector",
            -1,
            'A',
            false,
            1006,
            ["", "", "", ""],
            NO_TYPMOD,
            'i',
            'p',
        )
    },
    scalar(
        23,
        "int4",
        4,
        'N',
        false,
        1007,
        ["int4in", "int4out", "int4recv", "int4send"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        24,
        "regproc",
        4,
        'N',
        false,
        1008,
        ["regprocin", "regprocout", "regprocrecv", "regprocsend"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        25,
        "text",
        -1,
        'S',
        true,
        1009,
        ["textin", "textout", "textrecv", "textsend"],
        NO_TYPMOD,
        'i',
        'x',
    ),
    scalar(
        26,
        "oid",
        4,
        'N',
        true,
        1028,
        ["oidin", "oidout", "oidrecv", "oidsend"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    TypeInfo {
        element: 26,
        functions: [
            "oidvectorin",
            "oidvectorout",
            "oidvectorrecv",
            "oidvectorsend",
            "-",
            "-",
            "array_subscript_handler",
        ],
        ..scalar(
            30,
            "oidvector",
            -1,
            'A',
            false,
            1013,
            ["", "", "", ""],
            NO_TYPMOD,
            'i',
            'p',
        )
    },
    scalar(
        114,
        "json",
        -1,
        'U',
        false,
        199,
        ["json_in", "json_out", "json_recv", "json_send"],
        NO_TYPMOD,
        'i',
        'x',
    ),
    scalar(
        700,
        "float4",
        4,
        'N',
        false,
        1021,
        ["float4in", "float4out", "float4recv", "float4send"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        701,
        "float8",
        8,
        'N',
        true,
        1022,
        ["float8in", "float8out", "float8recv", "float8send"],
        NO_TYPMOD,
        'd',
        'p',
    ),
    scalar(
        1042,
        "bpchar",
        -1,
        'S',
        false,
        1014,
        ["bpcharin", "bpcharout", "bpcharrecv", "bpcharsend"],
        ["bpchartypmodin", "bpchartypmodout"],
        'i',
        'x',
    ),
    scalar(
        1043,
        "varchar",
        -1,
        'S',
        false,
        1015,
        ["varcharin", "varcharout", "varcharrecv", "varcharsend"],
        ["varchartypmodin", "varchartypmodout"],
        'i',
        'x',
    ),
    scalar(
        1082,
        "date",
        4,
        'D',
        false,
        1182,
        ["date_in", "date_out", "date_recv", "date_send"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        1114,
        "timestamp",
        8,
        'D',
        false,
        1115,
        [
            "timestamp_in",
            "timestamp_out",
            "timestamp_recv",
            "timestamp_send",
        ],
        ["timestamptypmodin", "timestamptypmodout"],
        'd',
        'p',
    ),
    scalar(
        1184,
        "timestamptz",
        8,
        'D',
        true,
        1185,
        [
            "timestamptz_in",
            "timestamptz_out",
            "timestamptz_recv",
            "timestamptz_send",
        ],
        ["timestamptztypmodin", "timestamptztypmodout"],
        'd',
        'p',
    ),
    scalar(
        1700,
        "numeric",
        -1,
        'N',
        false,
        1231,
        ["numeric_in", "numeric_out", "numeric_recv", "numeric_send"],
        ["numerictypmodin", "numerictypmodout"],
        'i',
        'm',
    ),
    scalar(
        2205,
        "regclass",
        4,
        'N',
        false,
        2210,
        ["regclassin", "regclassout", "regclassrecv", "regclasssend"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        2206,
        "regtype",
        4,
        'N',
        false,
        2211,
        ["regtypein", "regtypeout", "regtyperecv", "regtypesend"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        4096,
        "regrole",
        4,
        'N',
        false,
        4097,
        ["regrolein", "regroleout", "regrolerecv", "regrolesend"],
        NO_TYPMOD,
        'i',
        'p',
    ),
    scalar(
        4089,
        "regnamespace",
        4,
        'N',
        false,
        4090,
        [
            "regnamespacein",
            "regnamespaceout",
            "regnamespacerecv",
            "regnamespacesend",
        ],
        NO_TYPMOD,
        'i',
        'p',
    ),
];

/// The array types' names, by element type (PostgreSQL's `_` + the element's name).
const ARRAY_NAMES: &[(Oid, &str)] = &[
    (16, "_bool"),
    (18, "_char"),
    (19, "_name"),
    (20, "_int8"),
    (21, "_int2"),
    (22, "_int2vector"),
    (23, "_int4"),
    (24, "_regproc"),
    (25, "_text"),
    (26, "_oid"),
    (30, "_oidvector"),
    (114, "_json"),
    (700, "_float4"),
    (701, "_float8"),
    (1042, "_bpchar"),
    (1043, "_varchar"),
    (1082, "_date"),
    (1114, "_timestamp"),
    (1184, "_timestamptz"),
    (1700, "_numeric"),
    (2205, "_regclass"),
    (2206, "_regtype"),
    (4089, "_regnamespace"),
    (4096, "_regrole"),
];

/// The array type of `element`, as PostgreSQL's initdb derives it: variable length,
/// category `A`, the array functions, the element's modifier functions and collation, and
/// `d` alignment if the element has it (else `i`).
fn array_of(element: &TypeInfo) -> Option<TypeInfo> {
    let (_, name) = ARRAY_NAMES.iter().find(|(e, _)| *e == element.oid)?;
    let [_, _, _, _, modin, modout, _] = element.functions;
    Some(TypeInfo {
        oid: element.array,
        name,
        len: -1,
        by_value: false,
        category: 'A',
        preferred: false,
        element: element.oid,
        array: 0,
        functions: [
            "array_in",
            "array_out",
            "array_recv",
            "array_send",
            modin,
            modout,
            "array_subscript_handler",
        ],
        align: if element.align == 'd' { 'd' } else { 'i' },
        storage: 'x',
        collation: element.collation,
    })
}

/// Every row of `pg_type`: [`TYPES`], then their array types.
static ALL_TYPES: std::sync::LazyLock<Vec<TypeInfo>> = std::sync::LazyLock::new(|| {
    let arrays: Vec<TypeInfo> = TYPES.iter().filter_map(array_of).collect();
    TYPES.iter().copied().chain(arrays).collect()
});

/// The `pg_type` row with oid `oid`, if dsql has the type.
pub fn type_by_oid(oid: Oid) -> Option<&'static TypeInfo> {
    ALL_TYPES.iter().find(|i| i.oid == oid)
}

/// The `pg_type` row named `name` (`typname`: `int4`, `_text`), if dsql has the type.
pub fn type_by_name(name: &str) -> Option<&'static TypeInfo> {
    ALL_TYPES.iter().find(|i| i.name == name)
}

/// What `pg_type` says of a type.
pub fn type_info(t: DataType) -> &'static TypeInfo {
    let oid = oids::type_oid(t);
    ALL_TYPES
        .iter()
        .find(|i| i.oid == oid)
        .expect("every DataType has a pg_type row")
}

/// `pg_type` (`typdefaultbin`, a `pg_node_tree`, and `typacl`, an `aclitem[]`, are left out).
pub struct PgType;

impl SystemTable for PgType {
    fn name(&self) -> &'static str {
        "pg_type"
    }
    fn oid(&self) -> Oid {
        1247
    }
    fn columns(&self) -> &'static [SystemColumn] {
        const REGPROC: DataType = DataType::Reg(RegKind::Proc);
        const COLUMNS: &[SystemColumn] = &[
            column("oid", DataType::Oid),
            column("typname", DataType::Name),
            column("typnamespace", DataType::Oid),
            column("typowner", DataType::Oid),
            column("typlen", DataType::Int2),
            column("typbyval", DataType::Bool),
            column("typtype", DataType::InternalChar),
            column("typcategory", DataType::InternalChar),
            column("typispreferred", DataType::Bool),
            column("typisdefined", DataType::Bool),
            column("typdelim", DataType::InternalChar),
            column("typrelid", DataType::Oid),
            column("typsubscript", REGPROC),
            column("typelem", DataType::Oid),
            column("typarray", DataType::Oid),
            column("typinput", REGPROC),
            column("typoutput", REGPROC),
            column("typreceive", REGPROC),
            column("typsend", REGPROC),
            column("typmodin", REGPROC),
            column("typmodout", REGPROC),
            column("typanalyze", REGPROC),
            column("typalign", DataType::InternalChar),
            column("typstorage", DataType::InternalChar),
            column("typnotnull", DataType::Bool),
            column("typbasetype", DataType::Oid),
            column("typtypmod", DataType::Int4),
            column("typndims", DataType::Int4),
            column("typcollation", DataType::Oid),
            nullable("typdefault", DataType::Text),
        ];
        COLUMNS
    }
    fn rows(&self, _: &Catalog, _: &super::SessionInfo<'_>) -> Vec<Vec<Value>> {
        // A regproc column: the function's oid, 0 for none (`-`).
        let text = |s: &str| Value::Int(i64::from(internal_oid(s).unwrap_or(0)));
        ALL_TYPES
            .iter()
            .map(|t| {
                let [input, output, receive, send, modin, modout, subscript] = t.functions;
                vec![
                    oid(t.oid),
                    name(t.name),
                    oid(PG_CATALOG_NAMESPACE),
                    Value::Int(ADMIN_OID),
                    Value::Int(t.len.into()),
                    Value::Bool(t.by_value),
                    char('b'),
                    char(t.category),
                    Value::Bool(t.preferred),
                    Value::Bool(true),
                    char(','),
                    oid(0),
                    text(subscript),
                    oid(t.element),
                    oid(t.array),
                    text(input),
                    text(output),
                    text(receive),
                    text(send),
                    text(modin),
                    text(modout),
                    text(if t.category == 'A' {
                        "array_typanalyze"
                    } else {
                        "-"
                    }),
                    char(t.align),
                    char(t.storage),
                    Value::Bool(false),
                    oid(0),
                    Value::Int(-1),
                    Value::Int(0),
                    oid(t.collation),
                    Value::Null,
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_row() {
        use DataType::*;
        for t in [
            Bool,
            Int2,
            Int4,
            Int8,
            Float4,
            Float8,
            Numeric(None),
            Text,
            Varchar(None),
            Char(1),
            Date,
            Timestamp,
            TimestampTz,
            Oid,
            Name,
            InternalChar,
            Unknown,
        ] {
            assert_eq!(type_info(t).oid, oids::type_oid(t));
            assert_eq!(
                type_info(t).name,
                t.pg_type().name().replace("unknown", "text")
            );
            if let Some(e) = crate::types::ElementType::of(t) {
                let array = DataType::Array(e);
                assert_eq!(type_info(array).oid, oids::type_oid(array));
                assert_eq!(type_info(array).name, array.pg_type().name());
                assert_eq!(type_info(array).element, type_info(t).oid);
                assert_eq!(type_info(t).array, type_info(array).oid);
            }
        }
    }
}
