//! Type categories and preferred types (PostgreSQL's `pg_type.typcategory` and
//! `typispreferred`), which function overload resolution uses to choose between candidates
//! (see `functions::resolve`).
//!
//! A category groups the types values convert between implicitly (numbers, strings, times);
//! within a category one type may be *preferred*: the one an ambiguous call leans to.
//! `round(1)` could take `numeric` or `double precision`; `double precision` is the numeric
//! category's preferred type, so PostgreSQL (and dsql) call `round(double precision)`.

use super::DataType;

/// PostgreSQL's type categories, by their `typcategory` letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeCategory {
    /// `A`: arrays.
    Array,
    /// `B`: `boolean`.
    Boolean,
    /// `C`: composite types.
    Composite,
    /// `D`: dates and times (`timestamptz` preferred).
    DateTime,
    /// `E`: enums.
    Enum,
    /// `G`: geometric types.
    Geometric,
    /// `I`: network addresses.
    Network,
    /// `N`: numbers (`double precision` preferred).
    Numeric,
    /// `P`: pseudo-types (`anyelement`, `"any"`, ...).
    Pseudo,
    /// `R`: ranges.
    Range,
    /// `S`: strings (`text` preferred).
    String,
    /// `T`: time spans (`interval`).
    Timespan,
    /// `U`: user-defined types.
    User,
    /// `V`: bit strings.
    BitString,
    /// `X`: the `unknown` type of untyped literals.
    Unknown,
    /// `Z`: internal-use types (`"char"`).
    Internal,
}

impl TypeCategory {
    /// The category's `typcategory` letter.
    pub fn code(self) -> char {
        match self {
            TypeCategory::Array => 'A',
            TypeCategory::Boolean => 'B',
            TypeCategory::Composite => 'C',
            TypeCategory::DateTime => 'D',
            TypeCategory::Enum => 'E',
            TypeCategory::Geometric => 'G',
            TypeCategory::Network => 'I',
            TypeCategory::Numeric => 'N',
            TypeCategory::Pseudo => 'P',
            TypeCategory::Range => 'R',
            TypeCategory::String => 'S',
            TypeCategory::Timespan => 'T',
            TypeCategory::User => 'U',
            TypeCategory::BitString => 'V',
            TypeCategory::Unknown => 'X',
            TypeCategory::Internal => 'Z',
        }
    }
}

impl DataType {
    /// The type's category (`pg_type.typcategory`).
    pub fn category(self) -> TypeCategory {
        match self {
            DataType::Bool => TypeCategory::Boolean,
            DataType::Int2
            | DataType::Int4
            | DataType::Int8
            | DataType::Float4
            | DataType::Float8
            | DataType::Numeric(_)
            | DataType::Oid
            | DataType::Reg(_) => TypeCategory::Numeric,
            DataType::Text | DataType::Varchar(_) | DataType::Char(_) | DataType::Name => {
                TypeCategory::String
            }
            DataType::InternalChar => TypeCategory::Internal,
            DataType::Date | DataType::Timestamp | DataType::TimestampTz => TypeCategory::DateTime,
            DataType::Unknown => TypeCategory::Unknown,
            DataType::Array(_) | DataType::Int2Vector | DataType::OidVector => TypeCategory::Array,
            DataType::Json => TypeCategory::User,
        }
    }

    /// Whether the type is its category's preferred type (`pg_type.typispreferred`):
    /// `boolean`, `double precision`, `oid`, `text` and `timestamptz`.
    pub fn is_preferred(self) -> bool {
        matches!(
            self,
            DataType::Bool
                | DataType::Float8
                | DataType::Oid
                | DataType::Text
                | DataType::TimestampTz
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_preferred_types_are_postgresqls() {
        assert_eq!(DataType::Int4.category().code(), 'N');
        assert_eq!(DataType::Varchar(Some(3)).category().code(), 'S');
        assert_eq!(DataType::Date.category().code(), 'D');
        assert_eq!(DataType::Unknown.category().code(), 'X');
        assert!(DataType::Float8.is_preferred() && !DataType::Numeric(None).is_preferred());
        assert!(DataType::Text.is_preferred() && !DataType::Varchar(None).is_preferred());
    }
}
