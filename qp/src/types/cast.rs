//! Casts between types (`CAST`, `::`, assignment to a column) with PostgreSQL's range checks
//! and messages.

use super::row::value_matches;
use super::timezone::TimeZone;
use super::{DataType, Value};
use crate::error::{Error, Result, SqlState};
use chrono::NaiveTime;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

impl Value {
    /// Converts a value of type `from` to type `to`, as an explicit cast or an assignment to a
    /// column does (range checks, numeric rounding, string length checks). Conversions
    /// between timestamptz and local times (text, timestamp, date) happen in `zone`.
    pub fn cast(self, from: DataType, to: DataType, zone: TimeZone) -> Result<Value> {
        if self.is_null() {
            return Ok(Value::Null);
        }
        if from == to && !matches!(to, DataType::Char(_)) {
            return Ok(self);
        }
        if from.is_array() || to.is_array() {
            return self.cast_array(from, to, zone);
        }
        if let Some(v) = self.cast_catalog_type(from, to)? {
            return Ok(v);
        }
        Ok(match (self, to) {
            // char(n) → text or varchar drops the padding, as in PostgreSQL.
            (Value::Text(s), DataType::Text | DataType::Varchar(_))
                if matches!(from, DataType::Char(_)) =>
            {
                Value::Text(s.trim_end_matches(' ').to_string()).cast(DataType::Text, to, zone)?
            }
            (Value::Text(s), to) if !to.is_string() && to != DataType::Unknown => {
                Value::parse(&s, to, zone)?
            }
            (v, DataType::Text | DataType::Unknown) => Value::Text(v.cast_text(zone)),
            (v, DataType::Varchar(limit)) => {
                let s = v.cast_text(zone);
                if let Some(n) = limit
                    && s.chars().count() > n as usize
                {
                    // PostgreSQL allows an explicit cast to truncate; assignments fail. We
                    // always fail, the stricter of the two, so no data is lost silently.
                    let trimmed = s.trim_end_matches(' ');
                    if trimmed.chars().count() > n as usize {
                        return Err(Error::new(
                            SqlState::STRING_DATA_RIGHT_TRUNCATION,
                            format!("value too long for type character varying({n})"),
                        ));
                    }
                    return Ok(Value::Text(trimmed.chars().take(n as usize).collect()));
                }
                Value::Text(s)
            }
            (v, DataType::Char(n)) => {
                let s = v.cast_text(zone);
                let len = s.chars().count();
                if len > n as usize {
                    let trimmed = s.trim_end_matches(' ');
                    if trimmed.chars().count() > n as usize {
                        return Err(Error::new(
                            SqlState::STRING_DATA_RIGHT_TRUNCATION,
                            format!("value too long for type character({n})"),
                        ));
                    }
                    Value::Text(trimmed.chars().take(n as usize).collect())
                } else {
                    let mut s = s;
                    s.extend(std::iter::repeat_n(' ', n as usize - len));
                    Value::Text(s)
                }
            }
            (Value::Int(i), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                check_int_range(i, to)?;
                Value::Int(i)
            }
            (Value::Int(i), DataType::Float4 | DataType::Float8) => Value::Float(i as f64),
            (Value::Int(i), DataType::Numeric(spec)) => {
                Value::Numeric(fit_numeric(Decimal::from(i), spec)?)
            }
            (Value::Float(f), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                if !f.is_finite() {
                    return Err(Error::out_of_range(format!(
                        "{} out of range",
                        to.input_name()
                    )));
                }
                let r = f.round_ties_even();
                if r < i64::MIN as f64 || r > i64::MAX as f64 {
                    return Err(Error::out_of_range(format!(
                        "{} out of range",
                        to.input_name()
                    )));
                }
                check_int_range(r as i64, to)?;
                Value::Int(r as i64)
            }
            (Value::Float(f), DataType::Float4) => Value::Float(f as f32 as f64),
            (Value::Float(f), DataType::Float8) => Value::Float(f),
            (Value::Float(f), DataType::Numeric(spec)) => {
                let d = Decimal::from_f64(f)
                    .ok_or_else(|| Error::unsupported(format!("cannot convert {f} to numeric")))?;
                Value::Numeric(fit_numeric(d, spec)?)
            }
            (Value::Numeric(d), DataType::Int2 | DataType::Int4 | DataType::Int8) => {
                let r = d.round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                let i = r.to_i64().ok_or_else(|| {
                    Error::out_of_range(format!("{} out of range", to.input_name()))
                })?;
                check_int_range(i, to)?;
                Value::Int(i)
            }
            (Value::Numeric(d), DataType::Float4 | DataType::Float8) => {
                Value::Float(d.to_f64().unwrap_or(f64::NAN))
            }
            (Value::Numeric(d), DataType::Numeric(spec)) => Value::Numeric(fit_numeric(d, spec)?),
            (Value::Bool(b), DataType::Int4 | DataType::Int2 | DataType::Int8) => {
                Value::Int(b as i64)
            }
            (Value::Int(i), DataType::Bool) => Value::Bool(i != 0),
            (Value::Date(d), DataType::Timestamp) => Value::Timestamp(d.and_time(NaiveTime::MIN)),
            (Value::Date(d), DataType::TimestampTz) => {
                Value::TimestampTz(zone.to_utc(d.and_time(NaiveTime::MIN)))
            }
            (Value::Timestamp(t), DataType::Date) => Value::Date(t.date()),
            (Value::Timestamp(t), DataType::TimestampTz) => Value::TimestampTz(zone.to_utc(t)),
            (Value::TimestampTz(t), DataType::Timestamp) => Value::Timestamp(zone.local(&t)),
            (Value::TimestampTz(t), DataType::Date) => Value::Date(zone.local(&t).date()),
            (
                v @ (Value::Bool(_) | Value::Date(_) | Value::Timestamp(_) | Value::TimestampTz(_)),
                t,
            ) if value_matches(&v, t) => v,
            (_, to) => {
                return Err(Error::new(
                    SqlState::CANNOT_COERCE,
                    format!("cannot cast type {} to {}", from.name(), to.name()),
                ));
            }
        })
    }
}

impl Value {
    /// Casts to or from an array type: an array converts to another array type element by
    /// element (`'{1,2}'::int[]::bigint[]`), to a string type by its text form, and a string
    /// to an array by `array_in`.
    fn cast_array(self, from: DataType, to: DataType, zone: TimeZone) -> Result<Value> {
        match (self, from.element(), to.element()) {
            (Value::Array(a), Some(fe), Some(te)) => {
                Ok(Value::array(a.cast_elements(fe, te, zone)?))
            }
            (Value::Text(s), None, Some(_)) if from.is_string() || from == DataType::Unknown => {
                Value::parse(&s, to, zone)
            }
            (Value::Array(a), Some(_), None)
                if from.is_vector() && (to.is_string() || to == DataType::Unknown) =>
            {
                Value::Text(a.vector_text()).cast(DataType::Text, to, zone)
            }
            (v @ Value::Array(_), Some(_), None) if to.is_string() || to == DataType::Unknown => {
                Value::Text(v.to_text_in(zone)).cast(DataType::Text, to, zone)
            }
            _ => Err(Error::new(
                SqlState::CANNOT_COERCE,
                format!("cannot cast type {} to {}", from.name(), to.name()),
            )),
        }
    }

    /// The casts of the catalog types `oid`, `name` and `"char"`, as PostgreSQL has them;
    /// `None` when neither side is one of them (or the ordinary rules apply).
    ///
    /// - `smallint` and `integer` → `oid` reinterpret the bits (`-1` is `4294967295`);
    ///   `bigint` → `oid` checks the range (`OID out of range`); `oid` → `integer`
    ///   reinterprets, `oid` → `bigint` widens; other numeric types do not convert.
    /// - a string → `name` truncates to 63 bytes; a string → `"char"` keeps its first
    ///   character; `integer` ↔ `"char"` convert through the character's code.
    fn cast_catalog_type(&self, from: DataType, to: DataType) -> Result<Option<Value>> {
        let no_cast = || {
            Err(Error::new(
                SqlState::CANNOT_COERCE,
                format!("cannot cast type {} to {}", from.name(), to.name()),
            ))
        };
        // The reg types (`regclass`, ...) are oids as far as numbers go.
        let oid_like = |t: DataType| t == DataType::Oid || t.is_reg();
        Ok(Some(match (self, from, to) {
            (Value::Int(i), DataType::Int2 | DataType::Int4, to) if oid_like(to) => {
                Value::Int(*i as i32 as u32 as i64)
            }
            (Value::Int(i), DataType::Int8, to) if oid_like(to) => {
                if u32::try_from(*i).is_err() {
                    return Err(Error::out_of_range("OID out of range"));
                }
                Value::Int(*i)
            }
            (Value::Int(i), from, DataType::Int4) if oid_like(from) => {
                Value::Int(*i as u32 as i32 as i64)
            }
            (Value::Int(i), from, DataType::Int8) if oid_like(from) => Value::Int(*i),
            (Value::Int(i), from, to) if oid_like(from) && oid_like(to) => Value::Int(*i),
            (_, from, to) if oid_like(from) && !to.is_string() && to != DataType::Unknown => {
                return no_cast();
            }
            (_, from, to) if oid_like(to) && !from.is_string() && from != DataType::Unknown => {
                return no_cast();
            }
            (Value::Text(s), from, DataType::Name) if from.is_string() => {
                Value::Text(truncate_name(s).to_string())
            }
            (Value::Text(s), from, DataType::InternalChar) if from.is_string() => {
                Value::Text(s.chars().take(1).collect())
            }
            (Value::Int(i), DataType::Int4, DataType::InternalChar) => {
                let byte =
                    i8::try_from(*i).map_err(|_| Error::out_of_range("\"char\" out of range"))?;
                Value::Text(match byte as u8 {
                    0 => String::new(),
                    b => char::from(b).to_string(),
                })
            }
            (Value::Text(s), DataType::InternalChar, DataType::Int4) => {
                Value::Int(s.chars().next().map_or(0, |c| c as i64))
            }
            (_, DataType::InternalChar, to) if !to.is_string() && to != DataType::Unknown => {
                return no_cast();
            }
            _ => return Ok(None),
        }))
    }
}

/// A name cut to the 63 bytes PostgreSQL keeps of it (`NAMEDATALEN - 1`), at a character
/// boundary.
pub fn truncate_name(s: &str) -> &str {
    const MAX: usize = 63;
    if s.len() <= MAX {
        return s;
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Checks that an integer fits the integer type `ty`.
pub fn check_int_range(v: i64, ty: DataType) -> Result<()> {
    let ok = match ty {
        DataType::Int2 => i16::try_from(v).is_ok(),
        DataType::Int4 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::out_of_range(match ty {
            DataType::Int2 => "smallint out of range",
            _ => "integer out of range",
        }))
    }
}

/// Rounds a numeric to the column's scale and checks its precision, as PostgreSQL's
/// `numeric(p, s)` typmod does.
pub fn fit_numeric(d: Decimal, spec: Option<(u32, u32)>) -> Result<Decimal> {
    let Some((precision, scale)) = spec else {
        return Ok(d);
    };
    let rounded =
        d.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut rescaled = rounded;
    rescaled.rescale(scale);
    let integer_digits = {
        let int_part = rescaled.trunc().abs();
        if int_part.is_zero() {
            0
        } else {
            int_part.to_string().len() as u32
        }
    };
    if integer_digits > precision.saturating_sub(scale) {
        return Err(Error::out_of_range("numeric field overflow").with_detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than 10^{}.",
            precision - scale
        )));
    }
    Ok(rescaled)
}

/// Whether converting `from` to `to` looks a name up in the catalog: a string to or from a
/// reg type (`'pg_class'::regclass`, `oid::regclass::text`).
pub fn cast_reads_catalog(from: DataType, to: DataType) -> bool {
    let string = |t: DataType| t.is_string() || t == DataType::Unknown;
    (to.is_reg() && string(from)) || (from.is_reg() && string(to))
}

/// Whether converting `from` to `to` needs the session's time zone.
pub fn cast_depends_on_time_zone(from: DataType, to: DataType) -> bool {
    let local = |t: DataType| {
        matches!(t, DataType::Timestamp | DataType::Date | DataType::Unknown) || t.is_string()
    };
    (to == DataType::TimestampTz && local(from)) || (from == DataType::TimestampTz && local(to))
}

/// Whether `from` converts to `to` implicitly (in comparisons, arithmetic, function
/// arguments).
pub fn casts_implicitly(from: DataType, to: DataType) -> bool {
    if let (Some(f), Some(t)) = (from.element(), to.element()) {
        return casts_implicitly(f, t);
    }
    (from.is_numeric() && to.is_numeric())
        || (from.is_string() && to.is_string())
        // An oid or integer names an object of a reg type (`pg_partition_ancestors(oid)`).
        || (to.is_reg() && (from == DataType::Oid || from.is_integer()))
        || DataType::common(from, to) == Some(to)
}

/// Whether PostgreSQL casts `from` to `to` implicitly (a `pg_cast` entry with `castcontext`
/// `i`, or the same type with another type modifier): integers to wider integers, `real`,
/// `double precision` and `numeric`; `numeric` to `real` and `double precision`; `real` to
/// `double precision`; the string types to each other; `date` to `timestamp` and
/// `timestamptz`, `timestamp` to `timestamptz`. Function overload resolution accepts a
/// candidate only if every argument converts to it this way. It is narrower than
/// [`casts_implicitly`], which dsql's operators and assignments use (PostgreSQL resolves
/// those through their own, wider, operator and assignment casts).
pub fn is_implicit_cast(from: DataType, to: DataType) -> bool {
    use super::RegKind;
    use DataType::*;
    if let (Some(f), Some(t)) = (from.element(), to.element()) {
        // An array converts as its elements do (`find_coercion_pathway`'s array coercion).
        return is_implicit_cast(f, t);
    }
    if std::mem::discriminant(&from) == std::mem::discriminant(&to) {
        // Another type modifier; the reg types are each their own.
        return !from.is_reg() || from == to;
    }
    match from {
        Int2 => matches!(
            to,
            Int4 | Int8 | Float4 | Float8 | Numeric(_) | Oid | Reg(_)
        ),
        Int4 => matches!(to, Int8 | Float4 | Float8 | Numeric(_) | Oid | Reg(_)),
        Int8 => matches!(to, Float4 | Float8 | Numeric(_) | Oid | Reg(_)),
        Float4 => to == Float8,
        Numeric(_) => matches!(to, Float4 | Float8),
        // text → regclass is implicit, for `nextval('s')` and its like.
        Text | Varchar(_) => {
            matches!(to, Text | Varchar(_) | Char(_) | Name | Reg(RegKind::Class))
        }
        Char(_) => matches!(to, Text | Varchar(_) | Char(_) | Name),
        Name | InternalChar => to == Text,
        Oid => matches!(to, Reg(_)),
        Reg(_) => to == Oid,
        Date => matches!(to, Timestamp | TimestampTz),
        Timestamp => to == TimestampTz,
        Bool | Float8 | TimestampTz | Unknown | Array(_) | Int2Vector | OidVector | Json => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_pads_and_numeric_rounds() {
        let v = Value::Text("ab".into())
            .cast(DataType::Text, DataType::Char(4), TimeZone::UTC)
            .unwrap();
        assert_eq!(v, Value::Text("ab  ".into()));
        let v = Value::parse("1.005", DataType::Numeric(Some((5, 2))), TimeZone::UTC).unwrap();
        assert_eq!(v.to_text(), "1.01");
    }

    fn cast(v: Value, from: DataType, to: DataType) -> Result<Value> {
        v.cast(from, to, TimeZone::UTC)
    }

    #[test]
    fn oid_casts_as_postgres_does() {
        use DataType::*;
        assert_eq!(
            cast(Value::Int(-1), Int4, Oid).unwrap(),
            Value::Int(4294967295)
        );
        assert_eq!(
            cast(Value::Int(16384), Int4, Oid).unwrap(),
            Value::Int(16384)
        );
        assert_eq!(
            cast(Value::Int(-1), Int8, Oid).unwrap_err().message,
            "OID out of range"
        );
        assert_eq!(
            cast(Value::Int(1 << 32), Int8, Oid).unwrap_err().code(),
            "22003"
        );
        assert_eq!(
            cast(Value::Int(4294967295), Oid, Int4).unwrap(),
            Value::Int(-1)
        );
        assert_eq!(
            cast(Value::Int(4294967295), Oid, Int8).unwrap(),
            Value::Int(4294967295)
        );
        assert_eq!(
            cast(Value::Int(26), Oid, Text).unwrap(),
            Value::Text("26".into())
        );
        assert_eq!(
            cast(Value::Text("26".into()), Text, Oid).unwrap(),
            Value::Int(26)
        );
        assert_eq!(
            cast(Value::Int(1), Oid, Float8).unwrap_err().message,
            "cannot cast type oid to double precision"
        );
        assert_eq!(
            cast(Value::Float(1.0), Float8, Oid).unwrap_err().code(),
            "42846"
        );
    }

    #[test]
    fn name_and_char_casts() {
        use DataType::*;
        let long = "x".repeat(70);
        assert_eq!(
            cast(Value::Text(long), Text, Name).unwrap(),
            Value::Text("x".repeat(63))
        );
        assert_eq!(
            cast(Value::Text("é".repeat(40)), Text, Name)
                .unwrap()
                .to_text()
                .len(),
            62
        );
        assert_eq!(
            cast(Value::Text("rel".into()), Text, InternalChar).unwrap(),
            Value::Text("r".into())
        );
        assert_eq!(
            cast(Value::Int(65), Int4, InternalChar).unwrap(),
            Value::Text("A".into())
        );
        assert_eq!(
            cast(Value::Text("A".into()), InternalChar, Int4).unwrap(),
            Value::Int(65)
        );
        assert_eq!(
            cast(Value::Text("r".into()), InternalChar, Text).unwrap(),
            Value::Text("r".into())
        );
        assert_eq!(
            cast(Value::Text("pg".into()), Name, Text).unwrap(),
            Value::Text("pg".into())
        );
        assert!(casts_implicitly(Name, Text) && casts_implicitly(Text, Name));
        assert!(casts_implicitly(Int4, Oid) && !casts_implicitly(Oid, Int4));
    }

    #[test]
    fn implicit_casts_are_pg_casts() {
        use DataType::*;
        assert!(is_implicit_cast(Int4, Float8) && is_implicit_cast(Int4, Numeric(None)));
        assert!(!is_implicit_cast(Float8, Numeric(None)) && !is_implicit_cast(Int8, Int4));
        assert!(is_implicit_cast(Numeric(Some((5, 2))), Numeric(None)));
        assert!(is_implicit_cast(Varchar(Some(3)), Text) && is_implicit_cast(Text, Char(1)));
        assert!(!is_implicit_cast(TimestampTz, Timestamp) && !is_implicit_cast(Bool, Int4));
        assert!(is_implicit_cast(Int2, Oid) && !is_implicit_cast(Oid, Int8));
        assert!(is_implicit_cast(Varchar(None), Name) && is_implicit_cast(Name, Text));
        assert!(!is_implicit_cast(Name, Varchar(None)) && !is_implicit_cast(Text, InternalChar));
        assert!(is_implicit_cast(InternalChar, Text));
    }
}
