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
