//! The built-in overloads as `pg_proc` lists them: each one's PostgreSQL 15 oid, result
//! type and argument types (`prorettype`, `proargtypes`), taken from PostgreSQL's own
//! catalog by the overload's signature. `pg_get_expr` is declared over `text` here, where
//! PostgreSQL's is over `pg_node_tree`; the oids are PostgreSQL's all the same.

use super::{Function, Kind};
use std::collections::HashMap;
use std::sync::LazyLock;

/// An overload's `pg_proc` identity.
#[derive(Clone, Copy, Debug)]
pub struct Proc {
    /// The overload.
    pub function: &'static Function,
    /// `oid`
    pub oid: u32,
    /// `prorettype`
    pub returns: u32,
    /// `proargtypes`
    pub args: &'static [u32],
}

impl Proc {
    /// `pg_get_function_result`: the result type, `SETOF` for a set-returning function.
    pub fn result_text(&self) -> String {
        let ty = super::scalar::system::format_type_name(i64::from(self.returns), None);
        if self.function.kind() == Kind::SetReturning {
            format!("SETOF {ty}")
        } else {
            ty
        }
    }

    /// `pg_get_function_arguments`: the argument types (built-in arguments have no names).
    pub fn arguments_text(&self) -> String {
        let variadic = self.is_variadic();
        let names: Vec<String> = self
            .args
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let name = super::scalar::system::format_type_name(i64::from(t), None);
                if variadic && i + 1 == self.args.len() {
                    format!("VARIADIC {name}")
                } else {
                    name
                }
            })
            .collect();
        names.join(", ")
    }

    /// Whether its last argument is `VARIADIC` (`pg_proc.provariadic`).
    pub fn is_variadic(&self) -> bool {
        matches!(self.function.args.last(), Some(super::ArgType::VariadicAny))
    }
}

/// A function of PostgreSQL's machinery that dsql's catalog names but SQL does not call: the
/// types' input and output functions (`typinput`, ...), their modifier and subscript
/// functions, the access methods' handlers; listed in `pg_proc` so that `regproc` names them.
#[derive(Clone, Copy, Debug)]
pub struct Internal {
    /// `proname`
    pub name: &'static str,
    /// `oid`
    pub oid: u32,
    /// `prorettype`
    pub returns: u32,
    /// `proargtypes`
    pub args: &'static [u32],
    /// `provolatile`
    pub volatility: char,
    /// `proisstrict`
    pub strict: bool,
}

/// The internal functions, by name (PostgreSQL 15's `pg_proc` rows).
pub static INTERNAL: &[Internal] = &[
    Internal {
        name: "array_in",
        oid: 750,
        returns: 2277,
        args: &[2275, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "array_out",
        oid: 751,
        returns: 2275,
        args: &[2277],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "array_recv",
        oid: 2400,
        returns: 2277,
        args: &[2281, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "array_send",
        oid: 2401,
        returns: 17,
        args: &[2277],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "array_subscript_handler",
        oid: 6179,
        returns: 2281,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "array_typanalyze",
        oid: 3816,
        returns: 16,
        args: &[2281],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "boolin",
        oid: 1242,
        returns: 16,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "boolout",
        oid: 1243,
        returns: 2275,
        args: &[16],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "boolrecv",
        oid: 2436,
        returns: 16,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "boolsend",
        oid: 2437,
        returns: 17,
        args: &[16],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "bpcharin",
        oid: 1044,
        returns: 1042,
        args: &[2275, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "bpcharout",
        oid: 1045,
        returns: 2275,
        args: &[1042],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "bpcharrecv",
        oid: 2430,
        returns: 1042,
        args: &[2281, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "bpcharsend",
        oid: 2431,
        returns: 17,
        args: &[1042],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "bpchartypmodin",
        oid: 2913,
        returns: 23,
        args: &[1263],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "bpchartypmodout",
        oid: 2914,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "charin",
        oid: 1245,
        returns: 18,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "charout",
        oid: 33,
        returns: 2275,
        args: &[18],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "charrecv",
        oid: 2434,
        returns: 18,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "charsend",
        oid: 2435,
        returns: 17,
        args: &[18],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "date_in",
        oid: 1084,
        returns: 1082,
        args: &[2275],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "date_out",
        oid: 1085,
        returns: 2275,
        args: &[1082],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "date_recv",
        oid: 2468,
        returns: 1082,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "date_send",
        oid: 2469,
        returns: 17,
        args: &[1082],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float4in",
        oid: 200,
        returns: 700,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float4out",
        oid: 201,
        returns: 2275,
        args: &[700],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float4recv",
        oid: 2424,
        returns: 700,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float4send",
        oid: 2425,
        returns: 17,
        args: &[700],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float8in",
        oid: 214,
        returns: 701,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float8out",
        oid: 215,
        returns: 2275,
        args: &[701],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float8recv",
        oid: 2426,
        returns: 701,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "float8send",
        oid: 2427,
        returns: 17,
        args: &[701],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2in",
        oid: 38,
        returns: 21,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2out",
        oid: 39,
        returns: 2275,
        args: &[21],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2recv",
        oid: 2404,
        returns: 21,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2send",
        oid: 2405,
        returns: 17,
        args: &[21],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2vectorin",
        oid: 40,
        returns: 22,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2vectorout",
        oid: 41,
        returns: 2275,
        args: &[22],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2vectorrecv",
        oid: 2410,
        returns: 22,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int2vectorsend",
        oid: 2411,
        returns: 17,
        args: &[22],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int4in",
        oid: 42,
        returns: 23,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int4out",
        oid: 43,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int4recv",
        oid: 2406,
        returns: 23,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int4send",
        oid: 2407,
        returns: 17,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int8in",
        oid: 460,
        returns: 20,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int8out",
        oid: 461,
        returns: 2275,
        args: &[20],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int8recv",
        oid: 2408,
        returns: 20,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "int8send",
        oid: 2409,
        returns: 17,
        args: &[20],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "json_in",
        oid: 321,
        returns: 114,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "json_out",
        oid: 322,
        returns: 2275,
        args: &[114],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "json_recv",
        oid: 323,
        returns: 114,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "json_send",
        oid: 324,
        returns: 17,
        args: &[114],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "namein",
        oid: 34,
        returns: 19,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "nameout",
        oid: 35,
        returns: 2275,
        args: &[19],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "namerecv",
        oid: 2422,
        returns: 19,
        args: &[2281],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "namesend",
        oid: 2423,
        returns: 17,
        args: &[19],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "numeric_in",
        oid: 1701,
        returns: 1700,
        args: &[2275, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "numeric_out",
        oid: 1702,
        returns: 2275,
        args: &[1700],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "numeric_recv",
        oid: 2460,
        returns: 1700,
        args: &[2281, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "numeric_send",
        oid: 2461,
        returns: 17,
        args: &[1700],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "numerictypmodin",
        oid: 2917,
        returns: 23,
        args: &[1263],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "numerictypmodout",
        oid: 2918,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidin",
        oid: 1798,
        returns: 26,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidout",
        oid: 1799,
        returns: 2275,
        args: &[26],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidrecv",
        oid: 2418,
        returns: 26,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidsend",
        oid: 2419,
        returns: 17,
        args: &[26],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidvectorin",
        oid: 54,
        returns: 30,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidvectorout",
        oid: 55,
        returns: 2275,
        args: &[30],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidvectorrecv",
        oid: 2420,
        returns: 30,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "oidvectorsend",
        oid: 2421,
        returns: 17,
        args: &[30],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "raw_array_subscript_handler",
        oid: 6180,
        returns: 2281,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regclassin",
        oid: 2218,
        returns: 2205,
        args: &[2275],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regclassout",
        oid: 2219,
        returns: 2275,
        args: &[2205],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regclassrecv",
        oid: 2452,
        returns: 2205,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regclasssend",
        oid: 2453,
        returns: 17,
        args: &[2205],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regnamespacein",
        oid: 4084,
        returns: 4089,
        args: &[2275],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regnamespaceout",
        oid: 4085,
        returns: 2275,
        args: &[4089],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regnamespacerecv",
        oid: 4087,
        returns: 4089,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regnamespacesend",
        oid: 4088,
        returns: 17,
        args: &[4089],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regprocin",
        oid: 44,
        returns: 24,
        args: &[2275],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regprocout",
        oid: 45,
        returns: 2275,
        args: &[24],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regprocrecv",
        oid: 2444,
        returns: 24,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regprocsend",
        oid: 2445,
        returns: 17,
        args: &[24],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regtypein",
        oid: 2220,
        returns: 2206,
        args: &[2275],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regtypeout",
        oid: 2221,
        returns: 2275,
        args: &[2206],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "regtyperecv",
        oid: 2454,
        returns: 2206,
        args: &[2281],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "regtypesend",
        oid: 2455,
        returns: 17,
        args: &[2206],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "textin",
        oid: 46,
        returns: 25,
        args: &[2275],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "textout",
        oid: 47,
        returns: 2275,
        args: &[25],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "textrecv",
        oid: 2414,
        returns: 25,
        args: &[2281],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "textsend",
        oid: 2415,
        returns: 17,
        args: &[25],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "timestamp_in",
        oid: 1312,
        returns: 1114,
        args: &[2275, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "timestamp_out",
        oid: 1313,
        returns: 2275,
        args: &[1114],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "timestamp_recv",
        oid: 2474,
        returns: 1114,
        args: &[2281, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamp_send",
        oid: 2475,
        returns: 17,
        args: &[1114],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptypmodin",
        oid: 2905,
        returns: 23,
        args: &[1263],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptypmodout",
        oid: 2906,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptz_in",
        oid: 1150,
        returns: 1184,
        args: &[2275, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "timestamptz_out",
        oid: 1151,
        returns: 2275,
        args: &[1184],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "timestamptz_recv",
        oid: 2476,
        returns: 1184,
        args: &[2281, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptz_send",
        oid: 2477,
        returns: 17,
        args: &[1184],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptztypmodin",
        oid: 2907,
        returns: 23,
        args: &[1263],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "timestamptztypmodout",
        oid: 2908,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "varcharin",
        oid: 1046,
        returns: 1043,
        args: &[2275, 26, 23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "varcharout",
        oid: 1047,
        returns: 2275,
        args: &[1043],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "varcharrecv",
        oid: 2432,
        returns: 1043,
        args: &[2281, 26, 23],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "varcharsend",
        oid: 2433,
        returns: 17,
        args: &[1043],
        volatility: 's',
        strict: true,
    },
    Internal {
        name: "varchartypmodin",
        oid: 2915,
        returns: 23,
        args: &[1263],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "varchartypmodout",
        oid: 2916,
        returns: 2275,
        args: &[23],
        volatility: 'i',
        strict: true,
    },
    Internal {
        name: "heap_tableam_handler",
        oid: 3,
        returns: 269,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "bthandler",
        oid: 330,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "hashhandler",
        oid: 331,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "gisthandler",
        oid: 332,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "ginhandler",
        oid: 333,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "spghandler",
        oid: 334,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
    Internal {
        name: "brinhandler",
        oid: 335,
        returns: 325,
        args: &[2281],
        volatility: 'v',
        strict: true,
    },
];

/// The oid of the internal function `name` (`int4in`), if dsql's catalog names it.
pub fn internal_oid(name: &str) -> Option<u32> {
    INTERNAL.iter().find(|f| f.name == name).map(|f| f.oid)
}

/// The name of the function with oid `oid`, built-in or internal (`regprocout`).
pub fn function_name(oid: i64) -> Option<&'static str> {
    proc_by_oid(oid).map(|p| p.function.name).or_else(|| {
        INTERNAL
            .iter()
            .find(|f| i64::from(f.oid) == oid)
            .map(|f| f.name)
    })
}

/// The oids of the functions named `name`, built-in overloads and internal ones.
pub fn oids_named(name: &str) -> Vec<u32> {
    let mut oids: Vec<u32> = procs()
        .filter(|p| p.function.name == name)
        .map(|p| p.oid)
        .chain(INTERNAL.iter().filter(|f| f.name == name).map(|f| f.oid))
        .collect();
    oids.sort_unstable();
    oids.dedup();
    oids
}

/// Signature, oid, result type, argument types.
type Row = (&'static str, u32, u32, &'static [u32]);

static ROWS: &[Row] = &[
    ("int2and(smallint, smallint)", 1892, 21, &[21, 21]),
    ("int4and(integer, integer)", 1898, 23, &[23, 23]),
    ("int8and(bigint, bigint)", 1904, 20, &[20, 20]),
    ("int2or(smallint, smallint)", 1893, 21, &[21, 21]),
    ("int4or(integer, integer)", 1899, 23, &[23, 23]),
    ("int8or(bigint, bigint)", 1905, 20, &[20, 20]),
    ("int2xor(smallint, smallint)", 1894, 21, &[21, 21]),
    ("int4xor(integer, integer)", 1900, 23, &[23, 23]),
    ("int8xor(bigint, bigint)", 1906, 20, &[20, 20]),
    ("int2shl(smallint, integer)", 1896, 21, &[21, 23]),
    ("int4shl(integer, integer)", 1902, 23, &[23, 23]),
    ("int8shl(bigint, integer)", 1908, 20, &[20, 23]),
    ("int2shr(smallint, integer)", 1897, 21, &[21, 23]),
    ("int4shr(integer, integer)", 1903, 23, &[23, 23]),
    ("int8shr(bigint, integer)", 1909, 20, &[20, 23]),
    ("abs(smallint)", 1398, 21, &[21]),
    ("abs(integer)", 1397, 23, &[23]),
    ("abs(bigint)", 1396, 20, &[20]),
    ("abs(real)", 1394, 700, &[700]),
    ("abs(double precision)", 1395, 701, &[701]),
    ("abs(numeric)", 1705, 1700, &[1700]),
    ("round(double precision)", 1342, 701, &[701]),
    ("round(numeric)", 1708, 1700, &[1700]),
    ("round(numeric, integer)", 1707, 1700, &[1700, 23]),
    ("random()", 1598, 701, &[]),
    ("lower(text)", 870, 25, &[25]),
    ("btrim(text)", 885, 25, &[25]),
    ("btrim(text, text)", 884, 25, &[25, 25]),
    ("ltrim(text)", 881, 25, &[25]),
    ("ltrim(text, text)", 875, 25, &[25, 25]),
    ("rtrim(text)", 882, 25, &[25]),
    ("rtrim(text, text)", 876, 25, &[25, 25]),
    ("upper(text)", 871, 25, &[25]),
    ("quote_ident(text)", 1282, 25, &[25]),
    ("replace(text, text, text)", 2087, 25, &[25, 25, 25]),
    ("length(text)", 1317, 23, &[25]),
    ("char_length(text)", 1381, 23, &[25]),
    ("character_length(text)", 1369, 23, &[25]),
    ("left(text, integer)", 3060, 25, &[25, 23]),
    ("repeat(text, integer)", 1622, 25, &[25, 23]),
    ("array_length(anyarray, integer)", 2176, 23, &[2277, 23]),
    ("array_lower(anyarray, integer)", 2091, 23, &[2277, 23]),
    ("array_upper(anyarray, integer)", 2092, 23, &[2277, 23]),
    ("array_ndims(anyarray)", 748, 23, &[2277]),
    ("array_dims(anyarray)", 747, 25, &[2277]),
    ("cardinality(anyarray)", 3179, 23, &[2277]),
    (
        "array_position(anycompatiblearray, anycompatible)",
        3277,
        23,
        &[5078, 5077],
    ),
    (
        "array_position(anycompatiblearray, anycompatible, integer)",
        3278,
        23,
        &[5078, 5077, 23],
    ),
    (
        "array_append(anycompatiblearray, anycompatible)",
        378,
        5078,
        &[5078, 5077],
    ),
    (
        "array_prepend(anycompatible, anycompatiblearray)",
        379,
        5078,
        &[5077, 5078],
    ),
    (
        "array_cat(anycompatiblearray, anycompatiblearray)",
        383,
        5078,
        &[5078, 5078],
    ),
    ("array_to_string(anyarray, text)", 395, 25, &[2277, 25]),
    (
        "array_to_string(anyarray, text, text)",
        384,
        25,
        &[2277, 25, 25],
    ),
    ("string_to_array(text, text)", 394, 1009, &[25, 25]),
    (
        "string_to_array(text, text, text)",
        376,
        1009,
        &[25, 25, 25],
    ),
    ("now()", 1299, 1184, &[]),
    ("transaction_timestamp()", 2647, 1184, &[]),
    ("statement_timestamp()", 2648, 1184, &[]),
    ("clock_timestamp()", 2649, 1184, &[]),
    ("textregexeq(text, text)", 1254, 16, &[25, 25]),
    ("texticregexeq(text, text)", 1238, 16, &[25, 25]),
    ("textregexne(text, text)", 1256, 16, &[25, 25]),
    ("texticregexne(text, text)", 1239, 16, &[25, 25]),
    ("version()", 89, 25, &[]),
    ("current_database()", 861, 19, &[]),
    ("current_schema()", 1402, 19, &[]),
    ("current_user()", 745, 19, &[]),
    ("session_user()", 746, 19, &[]),
    ("current_schemas(boolean)", 1403, 1003, &[16]),
    ("pg_table_is_visible(oid)", 2079, 16, &[26]),
    ("pg_get_viewdef(oid)", 1641, 25, &[26]),
    ("pg_get_viewdef(oid, boolean)", 2506, 25, &[26, 16]),
    ("pg_get_triggerdef(oid)", 1662, 25, &[26]),
    ("pg_get_triggerdef(oid, boolean)", 2730, 25, &[26, 16]),
    ("pg_get_ruledef(oid)", 1573, 25, &[26]),
    ("pg_get_ruledef(oid, boolean)", 2504, 25, &[26, 16]),
    ("pg_get_statisticsobjdef_columns(oid)", 6174, 25, &[26]),
    ("pg_relation_is_publishable(regclass)", 6121, 16, &[2205]),
    ("pg_partition_ancestors(regclass)", 3425, 2205, &[2205]),
    ("current_setting(text)", 2077, 25, &[25]),
    ("current_setting(text, boolean)", 3294, 25, &[25, 16]),
    ("set_config(text, text, boolean)", 2078, 25, &[25, 25, 16]),
    ("pg_get_serial_sequence(text, text)", 1665, 25, &[25, 25]),
    ("pg_collation_is_visible(oid)", 3815, 16, &[26]),
    ("pg_get_userbyid(oid)", 1642, 19, &[26]),
    ("pg_get_indexdef(oid)", 1643, 25, &[26]),
    (
        "pg_get_indexdef(oid, integer, boolean)",
        2507,
        25,
        &[26, 23, 16],
    ),
    ("pg_get_constraintdef(oid)", 1387, 25, &[26]),
    ("pg_get_constraintdef(oid, boolean)", 2508, 25, &[26, 16]),
    ("pg_get_expr(text, oid)", 1716, 25, &[194, 26]),
    ("pg_get_expr(text, oid, boolean)", 2509, 25, &[194, 26, 16]),
    ("to_regclass(text)", 3495, 2205, &[25]),
    ("to_regtype(text)", 3493, 2206, &[25]),
    ("to_regnamespace(text)", 4086, 4089, &[25]),
    ("pg_encoding_to_char(integer)", 1597, 19, &[23]),
    ("format_type(oid, integer)", 1081, 25, &[26, 23]),
    ("obj_description(oid)", 1348, 25, &[26]),
    ("obj_description(oid, name)", 1215, 25, &[26, 19]),
    ("col_description(oid, integer)", 1216, 25, &[26, 23]),
    ("shobj_description(oid, name)", 1993, 25, &[26, 19]),
    ("pg_typeof(\"any\")", 1619, 2206, &[2276]),
    ("count()", 2803, 20, &[]),
    ("count(\"any\")", 2147, 20, &[2276]),
    ("sum(smallint)", 2109, 20, &[21]),
    ("sum(integer)", 2108, 20, &[23]),
    ("sum(bigint)", 2107, 1700, &[20]),
    ("sum(real)", 2110, 700, &[700]),
    ("sum(double precision)", 2111, 701, &[701]),
    ("sum(numeric)", 2114, 1700, &[1700]),
    ("sum(interval)", 2113, 1186, &[1186]),
    ("avg(smallint)", 2102, 1700, &[21]),
    ("avg(integer)", 2101, 1700, &[23]),
    ("avg(bigint)", 2100, 1700, &[20]),
    ("avg(real)", 2104, 701, &[700]),
    ("avg(double precision)", 2105, 701, &[701]),
    ("avg(numeric)", 2103, 1700, &[1700]),
    ("avg(interval)", 2106, 1186, &[1186]),
    ("min(smallint)", 2133, 21, &[21]),
    ("min(integer)", 2132, 23, &[23]),
    ("min(bigint)", 2131, 20, &[20]),
    ("min(real)", 2135, 700, &[700]),
    ("min(double precision)", 2136, 701, &[701]),
    ("min(numeric)", 2146, 1700, &[1700]),
    ("min(oid)", 2134, 26, &[26]),
    ("min(text)", 2145, 25, &[25]),
    ("min(character)", 2245, 1042, &[1042]),
    ("min(date)", 2138, 1082, &[1082]),
    ("min(timestamp without time zone)", 2142, 1114, &[1114]),
    ("min(timestamp with time zone)", 2143, 1184, &[1184]),
    ("min(interval)", 2144, 1186, &[1186]),
    ("max(smallint)", 2117, 21, &[21]),
    ("max(integer)", 2116, 23, &[23]),
    ("max(bigint)", 2115, 20, &[20]),
    ("max(real)", 2119, 700, &[700]),
    ("max(double precision)", 2120, 701, &[701]),
    ("max(numeric)", 2130, 1700, &[1700]),
    ("max(oid)", 2118, 26, &[26]),
    ("max(text)", 2129, 25, &[25]),
    ("max(character)", 2244, 1042, &[1042]),
    ("max(date)", 2122, 1082, &[1082]),
    ("max(timestamp without time zone)", 2126, 1114, &[1114]),
    ("max(timestamp with time zone)", 2127, 1184, &[1184]),
    ("max(interval)", 2128, 1186, &[1186]),
    ("string_agg(text, text)", 3538, 25, &[25, 25]),
    ("array_agg(anynonarray)", 2335, 2277, &[2776]),
    ("array_agg(anyarray)", 4053, 2277, &[2277]),
    ("bool_and(boolean)", 2517, 16, &[16]),
    ("bool_or(boolean)", 2518, 16, &[16]),
    ("every(boolean)", 2519, 16, &[16]),
    ("row_number()", 3100, 20, &[]),
    ("rank()", 3101, 20, &[]),
    ("dense_rank()", 3102, 20, &[]),
    ("percent_rank()", 3103, 701, &[]),
    ("cume_dist()", 3104, 701, &[]),
    ("ntile(integer)", 3105, 23, &[23]),
    ("lag(anyelement)", 3106, 2283, &[2283]),
    ("lag(anyelement, integer)", 3107, 2283, &[2283, 23]),
    (
        "lag(anycompatible, integer, anycompatible)",
        3108,
        5077,
        &[5077, 23, 5077],
    ),
    ("lead(anyelement)", 3109, 2283, &[2283]),
    ("lead(anyelement, integer)", 3110, 2283, &[2283, 23]),
    (
        "lead(anycompatible, integer, anycompatible)",
        3111,
        5077,
        &[5077, 23, 5077],
    ),
    ("first_value(anyelement)", 3112, 2283, &[2283]),
    ("last_value(anyelement)", 3113, 2283, &[2283]),
    ("nth_value(anyelement, integer)", 3114, 2283, &[2283, 23]),
    ("generate_series(integer, integer)", 1067, 23, &[23, 23]),
    (
        "generate_series(integer, integer, integer)",
        1066,
        23,
        &[23, 23, 23],
    ),
    ("generate_series(bigint, bigint)", 1069, 20, &[20, 20]),
    (
        "generate_series(bigint, bigint, bigint)",
        1068,
        20,
        &[20, 20, 20],
    ),
    (
        "generate_series(numeric, numeric)",
        3260,
        1700,
        &[1700, 1700],
    ),
    (
        "generate_series(numeric, numeric, numeric)",
        3259,
        1700,
        &[1700, 1700, 1700],
    ),
    (
        "generate_series(timestamp without time zone, timestamp without time zone, interval)",
        938,
        1114,
        &[1114, 1114, 1186],
    ),
    ("unnest(anyarray)", 2331, 2283, &[2277]),
    (
        "generate_subscripts(anyarray, integer)",
        1192,
        23,
        &[2277, 23],
    ),
    (
        "generate_subscripts(anyarray, integer, boolean)",
        1191,
        23,
        &[2277, 23, 16],
    ),
    (
        "generate_series(timestamp with time zone, timestamp with time zone, interval)",
        939,
        1184,
        &[1184, 1184, 1186],
    ),
    ("substring(text, integer, integer)", 936, 25, &[25, 23, 23]),
    ("substring(text, integer)", 937, 25, &[25, 23]),
    ("substr(text, integer, integer)", 877, 25, &[25, 23, 23]),
    ("substr(text, integer)", 883, 25, &[25, 23]),
    ("has_table_privilege(text, text)", 1926, 16, &[25, 25]),
    ("has_table_privilege(oid, text)", 1927, 16, &[26, 25]),
    (
        "has_table_privilege(name, text, text)",
        1922,
        16,
        &[19, 25, 25],
    ),
    (
        "has_table_privilege(name, oid, text)",
        1923,
        16,
        &[19, 26, 25],
    ),
    ("has_schema_privilege(text, text)", 2272, 16, &[25, 25]),
    ("has_schema_privilege(oid, text)", 2273, 16, &[26, 25]),
    (
        "has_schema_privilege(name, text, text)",
        2268,
        16,
        &[19, 25, 25],
    ),
    (
        "has_schema_privilege(name, oid, text)",
        2269,
        16,
        &[19, 26, 25],
    ),
    ("has_database_privilege(text, text)", 2254, 16, &[25, 25]),
    ("has_database_privilege(oid, text)", 2255, 16, &[26, 25]),
    (
        "has_database_privilege(name, text, text)",
        2250,
        16,
        &[19, 25, 25],
    ),
    (
        "has_database_privilege(name, oid, text)",
        2251,
        16,
        &[19, 26, 25],
    ),
    ("json_build_object(VARIADIC \"any\")", 3200, 114, &[2276]),
    ("pg_get_function_arguments(oid)", 2162, 25, &[26]),
    ("pg_get_function_identity_arguments(oid)", 2232, 25, &[26]),
    ("pg_get_function_result(oid)", 2165, 25, &[26]),
    ("pg_type_is_visible(oid)", 2080, 16, &[26]),
    ("pg_function_is_visible(oid)", 2081, 16, &[26]),
];

static BY_SIGNATURE: LazyLock<HashMap<&'static str, &'static Row>> =
    LazyLock::new(|| ROWS.iter().map(|r| (r.0, r)).collect());

static BY_OID: LazyLock<HashMap<u32, Proc>> = LazyLock::new(|| {
    super::all()
        .iter()
        .filter_map(|f| {
            let proc = proc_of(f)?;
            Some((proc.oid, proc))
        })
        .collect()
});

/// The `pg_proc` identity of an overload.
pub fn proc_of(function: &'static Function) -> Option<Proc> {
    let row = BY_SIGNATURE.get(function.signature().as_str())?;
    Some(Proc {
        function,
        oid: row.1,
        returns: row.2,
        args: row.3,
    })
}

/// The overload with `pg_proc` oid `oid`.
pub fn proc_by_oid(oid: i64) -> Option<Proc> {
    BY_OID.get(&u32::try_from(oid).ok()?).copied()
}

/// Every overload's `pg_proc` identity, in the registry's order.
pub fn procs() -> impl Iterator<Item = Proc> {
    super::all().iter().filter_map(proc_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_overload_has_its_postgresql_oid() {
        for f in super::super::all() {
            let proc = proc_of(f).unwrap_or_else(|| panic!("{} has no pg_proc row", f.signature()));
            assert_eq!(proc.args.len(), f.args.len(), "{}", f.signature());
        }
        assert_eq!(proc_by_oid(1299).unwrap().function.name, "now");
        assert_eq!(proc_by_oid(2147).unwrap().result_text(), "bigint");
    }
}
