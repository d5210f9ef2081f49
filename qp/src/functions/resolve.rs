//! PostgreSQL's function overload resolution (its documentation's "Type Conversion:
//! Functions", and `func_get_detail` / `func_select_candidate` in `parse_func.c` and
//! `parse_oper.c`), over the overloads of one name.
//!
//! Given the types of a call's arguments (`unknown` for untyped literals, NULL and untyped
//! parameters):
//!
//! 1. Only the overloads with as many arguments are candidates.
//! 2. One whose argument types are exactly the call's wins (an `unknown` argument matches
//!    nothing exactly).
//! 3. Otherwise only the candidates every argument converts to *implicitly* remain
//!    ([`is_implicit_cast`]; `unknown` converts to anything; polymorphic arguments take any
//!    type, consistently). One left wins; none is 42883 `function f(integer) does not
//!    exist`.
//! 4. Of several, keep those with the most exact matches; then those with the most exact
//!    or *preferred-type* matches at the arguments that need a conversion, the preferred type
//!    counting only within the argument's own category.
//! 5. Still several and some argument `unknown`: at each unknown position pick a category:
//!    the string category if some candidate takes a string there, else the one category all
//!    candidates take there (if they differ, give up). Drop candidates of another category
//!    there, and those taking a non-preferred type where some take a preferred one.
//! 6. Last, if the known arguments all have one type, take the unknown ones as that type
//!    and keep the one candidate they then fit, if exactly one.
//! 7. Several left: 42725 `function f(unknown) is not unique`.
//!
//! ```text
//!   round(1)      candidates round(double precision), round(numeric): both need a
//!                 conversion from integer; double precision is the numeric category's
//!                 preferred type (step 4)                      → round(double precision)
//!   lower('A')    one candidate, lower(text)                   → lower(text)
//!   sum('1')      sum(smallint) … sum(numeric), sum(interval): numeric and timespan
//!                 categories at the unknown position (step 5)  → 42725 not unique
//! ```

use super::{ArgType, FuncId, ReturnType, same_type, type_name};
use crate::error::{Error, Result, SqlState};
use crate::types::cast::is_implicit_cast;
use crate::types::{DataType, TypeCategory};

/// PostgreSQL's hint for a call no overload fits.
const NO_MATCH_HINT: &str = "No function matches the given name and argument types. You might need to add explicit type casts.";
/// PostgreSQL's hint for a call several overloads fit equally.
const AMBIGUOUS_HINT: &str =
    "Could not choose a best candidate function. You might need to add explicit type casts.";

/// The overload a call resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The overload.
    pub id: FuncId,
    /// The type each argument converts to (its own type where it already fits).
    pub arg_types: Vec<DataType>,
    /// The call's result type.
    pub returns: DataType,
}

/// A call's signature as PostgreSQL's messages show it: `lower(integer)`.
pub fn call_signature(name: &str, args: &[DataType]) -> String {
    let types: Vec<String> = args.iter().map(|t| type_name(*t)).collect();
    format!("{name}({})", types.join(", "))
}

/// The 42883 error for a call no overload fits.
pub fn no_such_function(name: &str, args: &[DataType]) -> Error {
    Error::undefined_function(format!(
        "function {} does not exist",
        call_signature(name, args)
    ))
    .with_hint(NO_MATCH_HINT)
}

/// Resolves a call of `name` with arguments of types `args` among `overloads` (see the
/// module documentation).
pub fn resolve(name: &str, overloads: &[FuncId], args: &[DataType]) -> Result<Resolved> {
    let candidates: Vec<FuncId> = overloads
        .iter()
        .copied()
        .filter(|id| declared_for(id.function().args, args.len()).is_some())
        .collect();
    let exact = candidates.iter().copied().find(|id| {
        id.function().args.iter().zip(args).all(|(d, a)| {
            *a != DataType::Unknown && matches!(d, ArgType::Type(t) if same_type(*t, *a))
        }) && id.function().args.len() == args.len()
    });
    let chosen = match exact {
        Some(id) => id,
        None => {
            let fits: Vec<FuncId> = candidates
                .into_iter()
                .filter(|id| {
                    declared_for(id.function().args, args.len())
                        .is_some_and(|declared| fits(args, &declared))
                })
                .collect();
            match fits.as_slice() {
                [] => return Err(no_such_function(name, args)),
                [one] => *one,
                _ => select_candidate(args, fits).ok_or_else(|| {
                    Error::new(
                        SqlState::AMBIGUOUS_FUNCTION,
                        format!("function {} is not unique", call_signature(name, args)),
                    )
                    .with_hint(AMBIGUOUS_HINT)
                })?,
            }
        }
    };
    finish(chosen, args)
}

/// The declared type of each of `n` arguments: `declared` itself, or with a trailing
/// `VARIADIC "any"` standing for any number of `"any"` arguments; `None` when `n` arguments
/// do not fit the declaration.
fn declared_for(declared: &[ArgType], n: usize) -> Option<Vec<ArgType>> {
    match declared.split_last() {
        Some((ArgType::VariadicAny, fixed)) if n >= fixed.len() => {
            let mut out = fixed.to_vec();
            out.resize(n, ArgType::Any);
            Some(out)
        }
        _ if declared.len() == n => Some(declared.to_vec()),
        _ => None,
    }
}

/// Whether arguments of types `args` convert implicitly to the declared types `declared`,
/// with the polymorphic ones consistent: one type at every `anyelement`, a common type at
/// the `anycompatible` ones.
fn fits(args: &[DataType], declared: &[ArgType]) -> bool {
    let mut element: Option<DataType> = None;
    let mut compatible: Option<DataType> = None;
    for (a, d) in args.iter().zip(declared) {
        let known = *a != DataType::Unknown;
        match d {
            ArgType::Type(t) => {
                if known && !is_implicit_cast(*a, *t) {
                    return false;
                }
            }
            ArgType::Any => {}
            ArgType::AnyElement | ArgType::AnyArray | ArgType::AnyNonArray if known => {
                // The type this argument binds `anyelement` to.
                let bound = match d {
                    ArgType::AnyArray => match a.element() {
                        Some(e) => e,
                        None => return false,
                    },
                    ArgType::AnyNonArray if a.is_array() => return false,
                    _ => *a,
                };
                match element {
                    None => element = Some(bound),
                    Some(e) if same_type(e, bound) => {}
                    Some(_) => return false,
                }
            }
            ArgType::AnyCompatible | ArgType::AnyCompatibleArray if known => {
                let bound = match d {
                    ArgType::AnyCompatibleArray => match a.element() {
                        Some(e) => e,
                        None => return false,
                    },
                    _ => *a,
                };
                compatible = match compatible {
                    None => Some(bound),
                    Some(c) => match DataType::common(c, bound) {
                        Some(t) => Some(t),
                        None => return false,
                    },
                }
            }
            ArgType::AnyElement
            | ArgType::AnyArray
            | ArgType::AnyNonArray
            | ArgType::AnyCompatible
            | ArgType::AnyCompatibleArray => {}
            ArgType::Missing(..) => {
                if known {
                    return false;
                }
            }
            ArgType::VariadicAny => {}
        }
    }
    true
}

/// Chooses among several candidates that all fit (steps 4 to 6 of the module
/// documentation); `None` when no rule settles it.
fn select_candidate(args: &[DataType], mut candidates: Vec<FuncId>) -> Option<FuncId> {
    let unknown = |i: usize| args[i] == DataType::Unknown;
    // A trailing `VARIADIC "any"` declares every argument from its position on.
    let declared = |id: FuncId, i: usize| {
        let args = id.function().args;
        match args.last() {
            Some(ArgType::VariadicAny) if i + 1 >= args.len() => ArgType::Any,
            _ => args[i],
        }
    };
    let exact = |d: ArgType, a: DataType| matches!(d, ArgType::Type(t) if same_type(t, a));

    // Keep the candidates with the most exact matches, then the most exact-or-preferred.
    let keep_best = |candidates: &mut Vec<FuncId>, score: &dyn Fn(FuncId) -> usize| {
        let best = candidates.iter().map(|c| score(*c)).max().unwrap_or(0);
        candidates.retain(|c| score(*c) == best);
    };
    keep_best(&mut candidates, &|c| {
        (0..args.len())
            .filter(|&i| !unknown(i) && exact(declared(c, i), args[i]))
            .count()
    });
    if let [one] = candidates.as_slice() {
        return Some(*one);
    }
    keep_best(&mut candidates, &|c| {
        (0..args.len())
            .filter(|&i| {
                let d = declared(c, i);
                !unknown(i)
                    && (exact(d, args[i])
                        || (d.category() == args[i].category() && d.is_preferred()))
            })
            .count()
    });
    if let [one] = candidates.as_slice() {
        return Some(*one);
    }
    if !(0..args.len()).any(unknown) {
        return None;
    }

    // A category (and whether a preferred type is on offer) for each unknown position.
    let mut slots: Vec<Option<(TypeCategory, bool)>> = vec![None; args.len()];
    let mut resolved = true;
    for (i, slot) in slots.iter_mut().enumerate() {
        if !unknown(i) {
            continue;
        }
        let mut conflict = false;
        for c in &candidates {
            let d = declared(*c, i);
            let (category, preferred) = (d.category(), d.is_preferred());
            match slot {
                None => *slot = Some((category, preferred)),
                Some((cat, pref)) if *cat == category => *pref |= preferred,
                Some(_) if category == TypeCategory::String => *slot = Some((category, preferred)),
                Some(_) => conflict = true,
            }
        }
        if conflict && slot.is_none_or(|(cat, _)| cat != TypeCategory::String) {
            resolved = false;
            break;
        }
    }
    if resolved {
        let survivors: Vec<FuncId> = candidates
            .iter()
            .copied()
            .filter(|c| {
                slots.iter().enumerate().all(|(i, slot)| match slot {
                    None => true,
                    Some((category, has_preferred)) => {
                        let d = declared(*c, i);
                        d.category() == *category && (!has_preferred || d.is_preferred())
                    }
                })
            })
            .collect();
        if !survivors.is_empty() {
            candidates = survivors;
        }
        if let [one] = candidates.as_slice() {
            return Some(*one);
        }
    }

    // Last: the unknown arguments taken as the one type of the known ones.
    let mut known = args.iter().filter(|a| **a != DataType::Unknown);
    let first = *known.next()?;
    if known.any(|a| !same_type(*a, first)) {
        return None;
    }
    let as_known: Vec<DataType> = args.iter().map(|_| first).collect();
    let mut fitting = candidates
        .iter()
        .copied()
        .filter(|c| fits(&as_known, c.function().args));
    match (fitting.next(), fitting.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The argument and result types of a call of `id` with arguments of types `args`.
fn finish(id: FuncId, args: &[DataType]) -> Result<Resolved> {
    let f = id.function();
    let declared = declared_for(f.args, args.len()).unwrap_or_else(|| f.args.to_vec());
    // The type each known polymorphic argument binds its family to: `anyelement` (through
    // an `anyarray`'s element type) and the `anycompatible` types (through the elements of
    // the `anycompatiblearray` ones).
    let bound = |family: &'static [ArgType], arrays: ArgType| {
        declared
            .iter()
            .zip(args)
            .filter(move |(d, a)| family.contains(d) && **a != DataType::Unknown)
            .filter_map(move |(d, a)| if *d == arrays { a.element() } else { Some(*a) })
    };
    let undetermined = || {
        Error::datatype_mismatch(
            "could not determine polymorphic type because input has type unknown",
        )
    };
    let element = bound(
        &[ArgType::AnyElement, ArgType::AnyArray, ArgType::AnyNonArray],
        ArgType::AnyArray,
    )
    .next();
    let compatible = bound(
        &[ArgType::AnyCompatible, ArgType::AnyCompatibleArray],
        ArgType::AnyCompatibleArray,
    )
    .try_fold(None::<DataType>, |acc, t| match acc {
        None => Some(Some(t)),
        Some(c) => DataType::common(c, t).map(Some),
    })
    .flatten()
    .map(|t| {
        if t == DataType::Unknown {
            DataType::Text
        } else {
            t
        }
    })
    .unwrap_or(DataType::Text);
    let array_of = |t: DataType| t.array_of().ok_or_else(undetermined);
    let mut arg_types = Vec::with_capacity(args.len());
    for (d, a) in declared.iter().zip(args) {
        arg_types.push(match d {
            ArgType::Type(t) if same_type(*t, *a) => *a,
            ArgType::Type(t) => *t,
            ArgType::Any | ArgType::VariadicAny => *a,
            ArgType::AnyElement | ArgType::AnyNonArray => element.ok_or_else(undetermined)?,
            ArgType::AnyArray => array_of(element.ok_or_else(undetermined)?)?,
            ArgType::AnyCompatible => compatible,
            ArgType::AnyCompatibleArray => array_of(compatible)?,
            ArgType::Missing(..) => {
                return Err(Error::unsupported(format!(
                    "function {} is not supported",
                    f.signature()
                )));
            }
        });
    }
    let returns = match f.returns {
        ReturnType::Fixed(t) => t,
        ReturnType::AnyElement => element.ok_or_else(undetermined)?,
        ReturnType::AnyCompatible => compatible,
        ReturnType::AnyArray => array_of(element.ok_or_else(undetermined)?)?,
        ReturnType::AnyCompatibleArray => array_of(compatible)?,
    };
    Ok(Resolved {
        id,
        arg_types,
        returns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::registry;
    use DataType::*;

    /// The overload `name(args)` resolves to, as `name(declared types) -> result`.
    fn resolved(name: &str, args: &[DataType]) -> String {
        match registry().resolve(name, args) {
            Ok(r) => format!(
                "{} -> {}",
                r.id.function().signature(),
                type_name(r.returns)
            ),
            Err(e) => format!("{} {}", e.code(), e.message),
        }
    }

    #[test]
    fn array_polymorphism_is_postgresqls() {
        use crate::types::ElementType as E;
        let (ints, bigints, texts) = (Array(E::Int4), Array(E::Int8), Array(E::Text));
        assert_eq!(
            resolved("array_length", &[ints, Int4]),
            "array_length(anyarray, integer) -> integer"
        );
        assert_eq!(
            resolved("cardinality", &[Int4]),
            "42883 function cardinality(integer) does not exist"
        );
        // anycompatiblearray and anycompatible widen to their common type.
        assert_eq!(
            resolved("array_append", &[ints, Int8]),
            "array_append(anycompatiblearray, anycompatible) -> bigint[]"
        );
        assert_eq!(
            resolved("array_cat", &[ints, bigints]),
            "array_cat(anycompatiblearray, anycompatiblearray) -> bigint[]"
        );
        assert_eq!(
            resolved("array_cat", &[Unknown, ints]),
            "array_cat(anycompatiblearray, anycompatiblearray) -> integer[]"
        );
        assert_eq!(
            resolved("array_cat", &[ints, texts]),
            "42883 function array_cat(integer[], text[]) does not exist"
        );
        // array_agg takes an element (anynonarray) or an array (anyarray).
        assert_eq!(
            resolved("array_agg", &[Text]),
            "array_agg(anynonarray) -> text[]"
        );
        assert_eq!(
            resolved("array_agg", &[ints]),
            "array_agg(anyarray) -> integer[]"
        );
        assert_eq!(resolved("unnest", &[texts]), "unnest(anyarray) -> text");
    }

    #[test]
    fn exact_matches_win() {
        assert_eq!(resolved("abs", &[Int2]), "abs(smallint) -> smallint");
        assert_eq!(
            resolved("abs", &[Numeric(Some((5, 2)))]),
            "abs(numeric) -> numeric"
        );
        assert_eq!(resolved("sum", &[Int4]), "sum(integer) -> bigint");
        assert_eq!(resolved("sum", &[Int8]), "sum(bigint) -> numeric");
        assert_eq!(resolved("sum", &[Float4]), "sum(real) -> real");
        assert_eq!(resolved("avg", &[Int4]), "avg(integer) -> numeric");
        assert_eq!(resolved("avg", &[Float4]), "avg(real) -> double precision");
        assert_eq!(resolved("count", &[]), "count() -> bigint");
    }

    #[test]
    fn implicit_conversions_prefer_the_categorys_preferred_type() {
        // integer converts to both double precision and numeric: double precision is
        // preferred, as in PostgreSQL.
        assert_eq!(
            resolved("round", &[Int4]),
            "round(double precision) -> double precision"
        );
        assert_eq!(
            resolved("round", &[Float4]),
            "round(double precision) -> double precision"
        );
        assert_eq!(
            resolved("round", &[Int4, Int4]),
            "round(numeric, integer) -> numeric"
        );
        assert_eq!(
            resolved("lower", &[Varchar(Some(3))]),
            "lower(text) -> text"
        );
        // varchar converts to text and bpchar: text is preferred.
        assert_eq!(resolved("min", &[Varchar(None)]), "min(text) -> text");
        assert_eq!(resolved("max", &[Char(3)]), "max(character) -> character");
        // integer and bigint: only the bigint overload takes both, with one exact match.
        assert_eq!(
            resolved("generate_series", &[Int4, Int8]),
            "generate_series(bigint, bigint) -> bigint"
        );
    }

    #[test]
    fn unknown_arguments_take_the_string_category_or_the_preferred_type() {
        assert_eq!(resolved("lower", &[Unknown]), "lower(text) -> text");
        assert_eq!(
            resolved("abs", &[Unknown]),
            "abs(double precision) -> double precision"
        );
        assert_eq!(resolved("min", &[Unknown]), "min(text) -> text");
        assert_eq!(
            resolved("round", &[Unknown]),
            "round(double precision) -> double precision"
        );
        assert_eq!(
            resolved("round", &[Numeric(None), Unknown]),
            "round(numeric, integer) -> numeric"
        );
        assert_eq!(resolved("ntile", &[Unknown]), "ntile(integer) -> integer");
        // The known arguments' type decides the unknown one's.
        assert_eq!(
            resolved("generate_series", &[Int8, Unknown]),
            "generate_series(bigint, bigint) -> bigint"
        );
        assert_eq!(resolved("count", &[Unknown]), "count(\"any\") -> bigint");
        assert_eq!(
            resolved("pg_typeof", &[Unknown]),
            "pg_typeof(\"any\") -> text"
        );
    }

    #[test]
    fn ambiguous_calls_are_42725() {
        assert_eq!(
            resolved("sum", &[Unknown]),
            "42725 function sum(unknown) is not unique"
        );
        assert_eq!(
            resolved("generate_series", &[Unknown, Unknown]),
            "42725 function generate_series(unknown, unknown) is not unique"
        );
        // smallint converts to integer, bigint and numeric alike; none is preferred.
        assert_eq!(
            resolved("generate_series", &[Int2, Int2]),
            "42725 function generate_series(smallint, smallint) is not unique"
        );
        let e = registry().resolve("avg", &[Unknown]).unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "Could not choose a best candidate function. You might need to add explicit type casts."
            )
        );
    }

    #[test]
    fn calls_nothing_fits_are_42883() {
        assert_eq!(
            resolved("lower", &[Int4]),
            "42883 function lower(integer) does not exist"
        );
        assert_eq!(
            resolved("lower", &[]),
            "42883 function lower() does not exist"
        );
        assert_eq!(
            resolved("min", &[Bool]),
            "42883 function min(boolean) does not exist"
        );
        assert_eq!(
            resolved("repeat", &[Unknown, Numeric(None)]),
            "42883 function repeat(unknown, numeric) does not exist"
        );
        assert_eq!(
            resolved("left", &[Text, Int8]),
            "42883 function left(text, bigint) does not exist"
        );
        assert_eq!(
            resolved("no_such", &[Int4]),
            "42883 function no_such(integer) does not exist"
        );
        let e = registry().resolve("lower", &[Int4]).unwrap_err();
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "No function matches the given name and argument types. You might need to add explicit type casts."
            )
        );
    }

    #[test]
    fn polymorphic_arguments() {
        assert_eq!(
            resolved("first_value", &[Int2]),
            "first_value(anyelement) -> smallint"
        );
        assert_eq!(
            resolved("first_value", &[Unknown]),
            "42804 could not determine polymorphic type because input has type unknown"
        );
        assert_eq!(
            resolved("lag", &[Int2, Int4, Int4]),
            "lag(anycompatible, integer, anycompatible) -> integer"
        );
        assert_eq!(
            resolved("lag", &[Int4, Int4, Numeric(None)]),
            "lag(anycompatible, integer, anycompatible) -> numeric"
        );
        assert_eq!(
            resolved("lag", &[Unknown, Int4, Unknown]),
            "lag(anycompatible, integer, anycompatible) -> text"
        );
        assert_eq!(
            resolved("lag", &[Int4, Int4, Text]),
            "42883 function lag(integer, integer, text) does not exist"
        );
        assert_eq!(
            resolved("nth_value", &[Text, Int8]),
            "42883 function nth_value(text, bigint) does not exist"
        );
    }

    #[test]
    fn overloads_over_types_dsql_lacks_are_refused_when_chosen() {
        assert_eq!(
            resolved("generate_series", &[Timestamp, Timestamp, Unknown]),
            "0A000 function generate_series(timestamp without time zone, timestamp without time zone, interval) is not supported"
        );
    }
}
