//! Arrays as query values: their element types ([`ElementType`]), their values ([`Array`]),
//! PostgreSQL's text form (`array_in` / `array_out`), comparison (`array_cmp`), subscripts
//! and slices.
//!
//! DSQL cannot store arrays (a column of an array type is refused), but every query may make
//! and read them: `ARRAY[1, 2]`, `'{1,2}'::int[]`, `array_agg`, `unnest`, `= ANY (array)`.
//!
//! An array has one to six dimensions, each with a lower bound (1 unless written otherwise)
//! and a length; its elements are kept flat, in row-major order. The empty array has no
//! dimensions at all, as in PostgreSQL (`array_ndims('{}')` is NULL):
//!
//! ```text
//!   '{{1,2,3},{4,5,6}}'      dims [1..2][1..3]   elements 1 2 3 4 5 6
//!   '[0:1]={7,NULL}'         dims [0..1]         elements 7 NULL
//!   '{}'                     dims (none)         elements (none)
//! ```
//!
//! The text form quotes an element that is empty, is `NULL` in any case, or holds a brace,
//! a comma, a quote, a backslash or white space; quotes and backslashes inside are escaped
//! with a backslash (`{a,"b c","",NULL,"NULL","x\\y"}`). Reading it back follows
//! `array_in`: unquoted elements are trimmed, an unquoted `NULL` is NULL, and a malformed
//! literal is 22P02 `malformed array literal: "..."` with the detail PostgreSQL gives.

use super::{DataType, TimeZone, Value};
use crate::error::{Error, Result, SqlState};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// PostgreSQL's limit on an array's dimensions (`MAXDIM`).
pub const MAX_DIMENSIONS: usize = 6;

/// The element type of an array type: the scalar types dsql has, with their modifiers.
///
/// A separate enum (rather than a boxed [`DataType`]) keeps `DataType` `Copy` and rules out
/// arrays of arrays and arrays of `unknown` by construction: PostgreSQL has neither (a
/// nested `ARRAY[ARRAY[..]]` is a multi-dimensional array of the same type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ElementType {
    /// `boolean[]`
    Bool,
    /// `smallint[]`
    Int2,
    /// `integer[]`
    Int4,
    /// `bigint[]`
    Int8,
    /// `real[]`
    Float4,
    /// `double precision[]`
    Float8,
    /// `numeric[(p, s)][]`
    Numeric(Option<(u32, u32)>),
    /// `text[]`
    Text,
    /// `varchar[(n)][]`
    Varchar(Option<u32>),
    /// `char(n)[]`
    Char(u32),
    /// `date[]`
    Date,
    /// `timestamp[]`
    Timestamp,
    /// `timestamptz[]`
    TimestampTz,
    /// `oid[]`
    Oid,
    /// `name[]`
    Name,
    /// `"char"[]`
    InternalChar,
}

impl ElementType {
    /// The element type as a [`DataType`].
    pub fn data_type(self) -> DataType {
        match self {
            ElementType::Bool => DataType::Bool,
            ElementType::Int2 => DataType::Int2,
            ElementType::Int4 => DataType::Int4,
            ElementType::Int8 => DataType::Int8,
            ElementType::Float4 => DataType::Float4,
            ElementType::Float8 => DataType::Float8,
            ElementType::Numeric(spec) => DataType::Numeric(spec),
            ElementType::Text => DataType::Text,
            ElementType::Varchar(n) => DataType::Varchar(n),
            ElementType::Char(n) => DataType::Char(n),
            ElementType::Date => DataType::Date,
            ElementType::Timestamp => DataType::Timestamp,
            ElementType::TimestampTz => DataType::TimestampTz,
            ElementType::Oid => DataType::Oid,
            ElementType::Name => DataType::Name,
            ElementType::InternalChar => DataType::InternalChar,
        }
    }

    /// The element type for a scalar type; `None` for `unknown` and for arrays.
    pub fn of(t: DataType) -> Option<ElementType> {
        Some(match t {
            DataType::Bool => ElementType::Bool,
            DataType::Int2 => ElementType::Int2,
            DataType::Int4 => ElementType::Int4,
            DataType::Int8 => ElementType::Int8,
            DataType::Float4 => ElementType::Float4,
            DataType::Float8 => ElementType::Float8,
            DataType::Numeric(spec) => ElementType::Numeric(spec),
            DataType::Text => ElementType::Text,
            DataType::Varchar(n) => ElementType::Varchar(n),
            DataType::Char(n) => ElementType::Char(n),
            DataType::Date => ElementType::Date,
            DataType::Timestamp => ElementType::Timestamp,
            DataType::TimestampTz => ElementType::TimestampTz,
            DataType::Oid => ElementType::Oid,
            DataType::Name => ElementType::Name,
            DataType::InternalChar => ElementType::InternalChar,
            DataType::Unknown
            | DataType::Array(_)
            | DataType::Reg(_)
            | DataType::Int2Vector
            | DataType::OidVector
            | DataType::Json => return None,
        })
    }
}

impl DataType {
    /// The array type whose elements are of this type (`integer` → `integer[]`); an array
    /// type is its own (PostgreSQL's arrays of arrays are multi-dimensional arrays).
    /// `None` for `unknown`.
    pub fn array_of(self) -> Option<DataType> {
        match self {
            DataType::Array(_) => Some(self),
            t => ElementType::of(t).map(DataType::Array),
        }
    }

    /// An array type's element type.
    pub fn element(self) -> Option<DataType> {
        match self {
            DataType::Array(e) => Some(e.data_type()),
            DataType::Int2Vector => Some(DataType::Int2),
            DataType::OidVector => Some(DataType::Oid),
            _ => None,
        }
    }

    /// The vector types (`int2vector`, `oidvector`): arrays with subscripts from 0, written
    /// with spaces.
    pub fn is_vector(self) -> bool {
        matches!(self, DataType::Int2Vector | DataType::OidVector)
    }

    /// Array types.
    pub fn is_array(self) -> bool {
        matches!(
            self,
            DataType::Array(_) | DataType::Int2Vector | DataType::OidVector
        )
    }
}

/// One dimension of an array: its lower bound and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dim {
    /// The first subscript (1 unless the array was written or built otherwise).
    pub lower: i32,
    /// How many subscripts it has (at least 1).
    pub length: i32,
}

impl Dim {
    /// The last subscript.
    pub fn upper(self) -> i64 {
        i64::from(self.lower) + i64::from(self.length) - 1
    }
}

/// An array value: its dimensions and its elements, flat in row-major order (as many as the
/// product of the lengths; none for the empty array, which has no dimensions).
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// The dimensions, outermost first.
    pub dims: Vec<Dim>,
    /// The elements (NULL ones among them).
    pub elements: Vec<Value>,
}

impl Array {
    /// The one-dimensional array of `elements`, subscripts from 1 (the empty array for none).
    pub fn from_elements(elements: Vec<Value>) -> Array {
        let dims = if elements.is_empty() {
            vec![]
        } else {
            vec![Dim {
                lower: 1,
                length: i32::try_from(elements.len()).unwrap_or(i32::MAX),
            }]
        };
        Array { dims, elements }
    }

    /// A vector (`int2vector`, `oidvector`): one dimension, subscripts from 0 (the empty
    /// array for no elements).
    pub fn vector(elements: Vec<Value>) -> Array {
        let mut array = Array::from_elements(elements);
        if let Some(d) = array.dims.first_mut() {
            d.lower = 0;
        }
        array
    }

    /// A vector's text form (`int2vectorout`): its elements separated by spaces.
    pub fn vector_text(&self) -> String {
        let parts: Vec<String> = self.elements.iter().map(Value::to_text).collect();
        parts.join(" ")
    }

    /// Reads a vector's text form (`1 3`, elements of type `element` separated by spaces).
    pub fn parse_vector(text: &str, element: DataType) -> crate::error::Result<Array> {
        let elements = text
            .split_ascii_whitespace()
            .map(|part| Value::parse(part, element, super::TimeZone::UTC))
            .collect::<crate::error::Result<Vec<_>>>()?;
        Ok(Array::vector(elements))
    }

    /// The empty array.
    pub fn empty() -> Array {
        Array {
            dims: vec![],
            elements: vec![],
        }
    }

    /// The number of dimensions (0 for the empty array).
    pub fn ndim(&self) -> usize {
        self.dims.len()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// Element `subscripts` (one per dimension, else NULL), NULL outside the bounds: `a[i]`,
    /// `a[i][j]`.
    pub fn get(&self, subscripts: &[i64]) -> Value {
        if subscripts.len() != self.dims.len() || self.dims.is_empty() {
            return Value::Null;
        }
        let mut offset: usize = 0;
        for (s, d) in subscripts.iter().zip(&self.dims) {
            if *s < i64::from(d.lower) || *s > d.upper() {
                return Value::Null;
            }
            offset = offset * d.length as usize + (*s - i64::from(d.lower)) as usize;
        }
        self.elements.get(offset).cloned().unwrap_or(Value::Null)
    }

    /// The slice `a[l1:u1][l2:u2]...` (a missing bound is the array's own; dimensions past
    /// the given ones are taken whole), with bounds clamped to the array's and subscripts
    /// from 1; the empty array when nothing is left or there are more bounds than dimensions.
    pub fn slice(&self, bounds: &[(Option<i64>, Option<i64>)]) -> Array {
        if self.dims.is_empty() || bounds.len() > self.dims.len() {
            return Array::empty();
        }
        let mut ranges = Vec::with_capacity(self.dims.len());
        for (i, d) in self.dims.iter().enumerate() {
            let (lo, hi) = bounds.get(i).copied().unwrap_or((None, None));
            let lo = lo.unwrap_or(i64::from(d.lower)).max(i64::from(d.lower));
            let hi = hi.unwrap_or(d.upper()).min(d.upper());
            if lo > hi {
                return Array::empty();
            }
            ranges.push((
                (lo - i64::from(d.lower)) as usize,
                (hi - i64::from(d.lower)) as usize,
            ));
        }
        let strides = self.strides();
        let mut elements = Vec::new();
        let mut index: Vec<usize> = ranges.iter().map(|r| r.0).collect();
        loop {
            let offset: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
            elements.push(self.elements.get(offset).cloned().unwrap_or(Value::Null));
            // Advance the last dimension first (row-major order).
            let mut k = index.len();
            loop {
                if k == 0 {
                    let dims = ranges
                        .iter()
                        .map(|(lo, hi)| Dim {
                            lower: 1,
                            length: (hi - lo + 1) as i32,
                        })
                        .collect();
                    return Array { dims, elements };
                }
                k -= 1;
                if index[k] < ranges[k].1 {
                    index[k] += 1;
                    break;
                }
                index[k] = ranges[k].0;
            }
        }
    }

    /// How many elements one step of each dimension skips.
    fn strides(&self) -> Vec<usize> {
        let mut strides = vec![1usize; self.dims.len()];
        for i in (0..self.dims.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * self.dims[i + 1].length as usize;
        }
        strides
    }

    /// PostgreSQL's order of arrays (`array_cmp`): element by element (a NULL element after
    /// every other value, two NULLs equal), then the one with fewer elements first, then by
    /// the number of dimensions, their lengths and their lower bounds.
    pub fn compare(&self, other: &Array) -> Ordering {
        for (a, b) in self.elements.iter().zip(&other.elements) {
            match a.compare(b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        self.elements
            .len()
            .cmp(&other.elements.len())
            .then(self.dims.len().cmp(&other.dims.len()))
            .then_with(|| {
                let lengths = |a: &Array| a.dims.iter().map(|d| d.length).collect::<Vec<_>>();
                let lowers = |a: &Array| a.dims.iter().map(|d| d.lower).collect::<Vec<_>>();
                lengths(self)
                    .cmp(&lengths(other))
                    .then(lowers(self).cmp(&lowers(other)))
            })
    }

    /// Appends a hashable form that arrays comparing equal share.
    pub fn group_key(&self, out: &mut Vec<u8>) {
        out.push(self.dims.len() as u8);
        for d in &self.dims {
            out.extend(d.lower.to_be_bytes());
            out.extend(d.length.to_be_bytes());
        }
        for e in &self.elements {
            e.group_key(out);
        }
    }

    /// The array with each element converted from `from` to `to` (a cast of the array).
    pub fn cast_elements(self, from: DataType, to: DataType, zone: TimeZone) -> Result<Array> {
        let elements = self
            .elements
            .into_iter()
            .map(|e| e.cast(from, to, zone))
            .collect::<Result<_>>()?;
        Ok(Array {
            dims: self.dims,
            elements,
        })
    }

    /// Appends PostgreSQL's text form (`array_out`): `{1,2,NULL}`, `{{1,2},{3,4}}`, with a
    /// `[lower:upper]...=` prefix when some lower bound is not 1.
    pub fn write_text(&self, out: &mut String, zone: TimeZone) {
        if self.dims.is_empty() {
            out.push_str("{}");
            return;
        }
        if self.dims.iter().any(|d| d.lower != 1) {
            for d in &self.dims {
                out.push_str(&format!("[{}:{}]", d.lower, d.upper()));
            }
            out.push('=');
        }
        let mut next = 0;
        self.write_level(0, &mut next, out, zone);
    }

    fn write_level(&self, level: usize, next: &mut usize, out: &mut String, zone: TimeZone) {
        out.push('{');
        for i in 0..self.dims[level].length {
            if i > 0 {
                out.push(',');
            }
            if level + 1 < self.dims.len() {
                self.write_level(level + 1, next, out, zone);
            } else {
                let element = self.elements.get(*next).unwrap_or(&Value::Null);
                *next += 1;
                write_element(element, out, zone);
            }
        }
        out.push('}');
    }

    /// Parses PostgreSQL's text form of an array of `element` (`array_in`); a timestamptz
    /// element without an offset is local to `zone`.
    pub fn parse(text: &str, element: DataType, zone: TimeZone) -> Result<Array> {
        let shape = parse_shape(text)?;
        let elements = shape
            .elements
            .into_iter()
            .map(|e| match e {
                None => Ok(Value::Null),
                Some(s) => Value::parse(&s, element, zone),
            })
            .collect::<Result<_>>()?;
        Ok(Array {
            dims: shape.dims,
            elements,
        })
    }
}

/// The 2202E error of an operation over arrays of mismatched shapes.
fn subscript_error(message: &str, detail: Option<String>) -> Error {
    let e = Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, message);
    match detail {
        Some(d) => e.with_detail(d),
        None => e,
    }
}

impl Array {
    /// The array `ARRAY[v1, v2, ...]` makes: one dimension over scalar values, or one more
    /// dimension over arrays (`ARRAY[ARRAY[1,2], ARRAY[3,4]]`), which must all have the same
    /// dimensions (2202E); empty sub-arrays make the empty array.
    pub fn construct(values: Vec<Value>, of_arrays: bool) -> Result<Array> {
        if !of_arrays {
            return Ok(Array::from_elements(values));
        }
        let mut inner: Option<Vec<Dim>> = None;
        let mut elements = Vec::new();
        let mut count = 0;
        for v in values {
            // PostgreSQL skips NULL sub-arrays.
            let Value::Array(a) = v else { continue };
            match &inner {
                None => inner = Some(a.dims.clone()),
                Some(d) if *d == a.dims => {}
                Some(_) => {
                    return Err(subscript_error(
                        "multidimensional arrays must have array expressions with matching dimensions",
                        None,
                    ));
                }
            }
            count += 1;
            elements.extend(a.elements);
        }
        let inner = inner.unwrap_or_default();
        if inner.is_empty() {
            return Ok(Array::empty());
        }
        if inner.len() + 1 > MAX_DIMENSIONS {
            return Err(too_many_dimensions(inner.len() + 1));
        }
        let mut dims = vec![Dim {
            lower: 1,
            length: count,
        }];
        dims.extend(inner);
        Ok(Array { dims, elements })
    }

    /// `a || b` between arrays (`array_cat`): arrays of the same dimensions join along the
    /// first, one of one dimension fewer is added as one more element of the first; the
    /// empty array leaves the other as it is.
    pub fn concat(self, other: Array) -> Result<Array> {
        if self.is_empty() && self.dims.is_empty() {
            return Ok(other);
        }
        if other.is_empty() && other.dims.is_empty() {
            return Ok(self);
        }
        let (n1, n2) = (self.dims.len(), other.dims.len());
        let incompatible = |detail: String| {
            subscript_error("cannot concatenate incompatible arrays", Some(detail))
        };
        let dims = if n1 == n2 {
            if self.dims[1..]
                .iter()
                .zip(&other.dims[1..])
                .any(|(a, b)| a.length != b.length)
            {
                return Err(incompatible(
                    "Arrays with differing element dimensions are not compatible for concatenation."
                        .into(),
                ));
            }
            let mut dims = self.dims.clone();
            dims[0].length = dims[0]
                .length
                .checked_add(other.dims[0].length)
                .ok_or_else(|| {
                    Error::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        "array size exceeds the maximum allowed (134217727)",
                    )
                })?;
            dims
        } else if n1 + 1 == n2 {
            if self
                .dims
                .iter()
                .zip(&other.dims[1..])
                .any(|(a, b)| a.length != b.length)
            {
                return Err(incompatible(
                    "Arrays with differing dimensions are not compatible for concatenation.".into(),
                ));
            }
            let mut dims = other.dims.clone();
            dims[0].length += 1;
            dims
        } else if n1 == n2 + 1 {
            if self.dims[1..]
                .iter()
                .zip(&other.dims)
                .any(|(a, b)| a.length != b.length)
            {
                return Err(incompatible(
                    "Arrays with differing dimensions are not compatible for concatenation.".into(),
                ));
            }
            let mut dims = self.dims.clone();
            dims[0].length += 1;
            dims
        } else {
            return Err(incompatible(format!(
                "Arrays of {n1} and {n2} dimensions are not compatible for concatenation."
            )));
        };
        let mut elements = self.elements;
        elements.extend(other.elements);
        Ok(Array { dims, elements })
    }

    /// `array_append` (`prepend` false) or `array_prepend`: the empty array becomes
    /// `{element}`; a one-dimensional array keeps its lower bound.
    pub fn push(mut self, element: Value, prepend: bool) -> Result<Array> {
        match self.dims.len() {
            0 => Ok(Array::from_elements(vec![element])),
            1 => {
                if self.dims[0].length == i32::MAX {
                    return Err(Error::new(
                        SqlState::PROGRAM_LIMIT_EXCEEDED,
                        "array size exceeds the maximum allowed (134217727)",
                    ));
                }
                self.dims[0].length += 1;
                if prepend {
                    self.elements.insert(0, element);
                } else {
                    self.elements.push(element);
                }
                Ok(self)
            }
            _ => Err(Error::new(
                SqlState::DATA_EXCEPTION,
                "argument must be empty or one-dimensional array",
            )),
        }
    }

    /// `a @> b`: every element of `b` equals some element of `a` (a NULL element equals
    /// nothing), whatever the dimensions.
    pub fn contains(&self, other: &Array) -> bool {
        other.elements.iter().all(|b| {
            !b.is_null()
                && self
                    .elements
                    .iter()
                    .any(|a| !a.is_null() && a.compare(b) == Ordering::Equal)
        })
    }

    /// `a && b`: some element of `a` equals some element of `b`.
    pub fn overlaps(&self, other: &Array) -> bool {
        self.elements.iter().any(|a| {
            !a.is_null()
                && other
                    .elements
                    .iter()
                    .any(|b| !b.is_null() && a.compare(b) == Ordering::Equal)
        })
    }
}

/// Appends one element's text form, quoted where `array_in` would misread it.
fn write_element(element: &Value, out: &mut String, zone: TimeZone) {
    if element.is_null() {
        out.push_str("NULL");
        return;
    }
    let text = element.to_text_in(zone);
    let needs_quotes = text.is_empty()
        || text.eq_ignore_ascii_case("NULL")
        || text
            .chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || is_array_space(c));
    if !needs_quotes {
        out.push_str(&text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// White space as `array_in` skips it (`array_isspace`).
fn is_array_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// An array literal read but its elements not yet converted: the dimensions and the element
/// texts (`None` for NULL).
struct Shape {
    dims: Vec<Dim>,
    elements: Vec<Option<String>>,
}

/// A level of braces as read: sub-arrays or elements.
enum Node {
    Elements(Vec<Option<String>>),
    Arrays(Vec<Node>),
}

impl Node {
    /// The lengths of the dimensions below and at this level (empty for `{}`).
    fn lengths(&self) -> Vec<usize> {
        match self {
            Node::Elements(e) if e.is_empty() => vec![],
            Node::Elements(e) => vec![e.len()],
            Node::Arrays(a) => {
                let mut lengths = vec![a.len()];
                lengths.extend(a.first().map(Node::lengths).unwrap_or_default());
                lengths
            }
        }
    }

    fn flatten(self, out: &mut Vec<Option<String>>) {
        match self {
            Node::Elements(e) => out.extend(e),
            Node::Arrays(a) => {
                for n in a {
                    n.flatten(out);
                }
            }
        }
    }
}

/// Reads an array literal's structure, with `array_in`'s errors.
fn parse_shape(text: &str) -> Result<Shape> {
    let malformed = |detail: &str| {
        Error::new(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("malformed array literal: \"{text}\""),
        )
        .with_detail(detail.to_string())
    };
    let chars: Vec<char> = text.chars().collect();
    let mut p = Reader { chars, pos: 0 };
    // Explicit dimensions: `[1:3]`, `[3]`, ..., then `=`.
    let mut given: Vec<Dim> = Vec::new();
    loop {
        p.skip_space();
        if p.peek() != Some('[') {
            break;
        }
        p.pos += 1;
        if given.len() >= MAX_DIMENSIONS {
            return Err(too_many_dimensions(given.len() + 1));
        }
        let first = p.bound();
        let Some(first) = first else {
            return Err(malformed(
                "\"[\" must introduce explicitly-specified array dimensions.",
            ));
        };
        let (lower, upper) = if p.peek() == Some(':') {
            p.pos += 1;
            match p.bound() {
                Some(upper) => (first, upper),
                None => return Err(malformed("Missing array dimension value.")),
            }
        } else {
            (1, first)
        };
        if p.peek() != Some(']') {
            return Err(malformed("Missing \"]\" after array dimensions."));
        }
        p.pos += 1;
        if upper < lower {
            return Err(Error::new(
                SqlState::ARRAY_SUBSCRIPT_ERROR,
                "upper bound cannot be less than lower bound",
            ));
        }
        let length = i32::try_from(i64::from(upper) - i64::from(lower) + 1).map_err(|_| {
            Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                "array size exceeds the maximum allowed (134217727)",
            )
        })?;
        given.push(Dim { lower, length });
    }
    if given.is_empty() {
        if p.peek() != Some('{') {
            return Err(malformed(
                "Array value must start with \"{\" or dimension information.",
            ));
        }
    } else {
        if p.peek() != Some('=') {
            return Err(malformed("Missing \"=\" after array dimensions."));
        }
        p.pos += 1;
        p.skip_space();
        if p.peek() != Some('{') {
            return Err(malformed("Array contents must start with \"{\"."));
        }
    }
    let node = p.braces(1, &malformed)?;
    p.skip_space();
    if p.peek().is_some() {
        return Err(malformed("Junk after closing right brace."));
    }
    let lengths = node.lengths();
    let dims = if given.is_empty() {
        lengths
            .iter()
            .map(|n| Dim {
                lower: 1,
                length: *n as i32,
            })
            .collect()
    } else {
        if given.len() != lengths.len()
            || given
                .iter()
                .zip(&lengths)
                .any(|(d, n)| d.length as usize != *n)
        {
            return Err(malformed(
                "Specified array dimensions do not match array contents.",
            ));
        }
        given
    };
    let mut elements = Vec::new();
    node.flatten(&mut elements);
    Ok(Shape { dims, elements })
}

/// 54000 for an array of more than [`MAX_DIMENSIONS`] dimensions.
pub fn too_many_dimensions(n: usize) -> Error {
    Error::new(
        SqlState::PROGRAM_LIMIT_EXCEEDED,
        format!("number of array dimensions ({n}) exceeds the maximum allowed ({MAX_DIMENSIONS})"),
    )
}

/// A cursor over an array literal's characters.
struct Reader {
    chars: Vec<char>,
    pos: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_array_space) {
            self.pos += 1;
        }
    }

    /// A dimension bound: digits with an optional sign, read as `atoi` would.
    fn bound(&mut self) -> Option<i32> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        // atoi: the leading sign and digits; what does not fit wraps in C, here it saturates.
        let (negative, digits) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, &s[..]),
        };
        let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
        let magnitude: i64 = digits
            .parse()
            .unwrap_or(if digits.is_empty() { 0 } else { i64::MAX });
        let v = if negative { -magnitude } else { magnitude };
        Some(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// One level of braces, at its `{`; `depth` counts the levels (at most
    /// [`MAX_DIMENSIONS`], which also bounds the recursion).
    fn braces(&mut self, depth: usize, malformed: &dyn Fn(&str) -> Error) -> Result<Node> {
        if depth > MAX_DIMENSIONS {
            return Err(too_many_dimensions(depth));
        }
        self.pos += 1;
        self.skip_space();
        if self.peek() == Some('}') {
            if depth > 1 {
                return Err(malformed("Unexpected \"}\" character."));
            }
            self.pos += 1;
            return Ok(Node::Elements(vec![]));
        }
        let mut arrays: Vec<Node> = Vec::new();
        let mut elements: Vec<Option<String>> = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(malformed("Unexpected end of input.")),
                Some('{') => {
                    if !elements.is_empty() {
                        return Err(malformed("Unexpected \"{\" character."));
                    }
                    let sub = self.braces(depth + 1, malformed)?;
                    if let Some(first) = arrays.first()
                        && first.lengths() != sub.lengths()
                    {
                        return Err(malformed(
                            "Multidimensional arrays must have sub-arrays with matching dimensions.",
                        ));
                    }
                    arrays.push(sub);
                }
                Some(c @ ('}' | ',')) => {
                    return Err(malformed(&format!("Unexpected \"{c}\" character.")));
                }
                Some(_) => {
                    if !arrays.is_empty() {
                        return Err(malformed("Unexpected array element."));
                    }
                    elements.push(self.element(malformed)?);
                }
            }
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(malformed("Unexpected end of input.")),
                Some('{') => return Err(malformed("Unexpected \"{\" character.")),
                Some(_) => return Err(malformed("Unexpected array element.")),
            }
        }
        Ok(if arrays.is_empty() {
            Node::Elements(elements)
        } else {
            Node::Arrays(arrays)
        })
    }

    /// One element, quoted or not (`None` for an unquoted `NULL`); stops before the `,` or
    /// `}` after it (or the unexpected character there).
    fn element(&mut self, malformed: &dyn Fn(&str) -> Error) -> Result<Option<String>> {
        let mut out = String::new();
        if self.peek() == Some('"') {
            self.pos += 1;
            loop {
                match self.peek() {
                    None => return Err(malformed("Unexpected end of input.")),
                    Some('\\') => {
                        self.pos += 1;
                        match self.peek() {
                            None => return Err(malformed("Unexpected end of input.")),
                            Some(c) => out.push(c),
                        }
                    }
                    Some('"') => {
                        self.pos += 1;
                        return Ok(Some(out));
                    }
                    Some(c) => out.push(c),
                }
                self.pos += 1;
            }
        }
        // Unquoted: up to an unescaped `,` or `}`, without the white space at its end.
        let mut escaped = false;
        let mut kept = 0;
        loop {
            match self.peek() {
                None => return Err(malformed("Unexpected end of input.")),
                Some(',' | '}') => break,
                Some('"') => return Err(malformed("Unexpected array element.")),
                Some('{') => return Err(malformed("Unexpected \"{\" character.")),
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(malformed("Unexpected end of input.")),
                        Some(c) => out.push(c),
                    }
                    escaped = true;
                    kept = out.len();
                }
                Some(c) => {
                    out.push(c);
                    if !is_array_space(c) {
                        kept = out.len();
                    }
                }
            }
            self.pos += 1;
        }
        out.truncate(kept);
        if !escaped && out.eq_ignore_ascii_case("NULL") {
            return Ok(None);
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_array(text: &str) -> Result<Array> {
        Array::parse(text, DataType::Text, TimeZone::UTC)
    }

    fn out(a: &Array) -> String {
        let mut s = String::new();
        a.write_text(&mut s, TimeZone::UTC);
        s
    }

    #[test]
    fn prints_and_reads_like_postgres() {
        for (input, printed) in [
            ("{}", "{}"),
            ("{1,2,3}", "{1,2,3}"),
            (
                r#"{a, "b c", NULL, "NULL", "", "x\\y"}"#,
                r#"{a,"b c",NULL,"NULL","","x\\y"}"#,
            ),
            (r"{NULL,null,\NULL}", r#"{NULL,NULL,"NULL"}"#),
            (r"{  a  ,  b\ \  }", r#"{a,"b  "}"#),
            ("{a b}", r#"{"a b"}"#),
            ("  {1} ", "{1}"),
            ("{{1,2},{3,4}}", "{{1,2},{3,4}}"),
            ("[0:1]={1,2}", "[0:1]={1,2}"),
            ("[2]={1,2}", "{1,2}"),
            ("[1:2][3:4]={{1,2},{3,4}}", "[1:2][3:4]={{1,2},{3,4}}"),
            (r#"{"{","}",",","\""}"#, r#"{"{","}",",","\""}"#),
        ] {
            let a = text_array(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(out(&a), printed, "{input}");
            // What is printed reads back as the same array.
            assert_eq!(text_array(printed).unwrap(), a, "{printed}");
        }
    }

    #[test]
    fn malformed_literals_give_postgres_details() {
        for (input, detail) in [
            ("{1,2", "Unexpected end of input."),
            ("{{1},2}", "Unexpected array element."),
            ("{1,{2}}", "Unexpected \"{\" character."),
            (
                "{{1,2},{3}}",
                "Multidimensional arrays must have sub-arrays with matching dimensions.",
            ),
            ("{1}x", "Junk after closing right brace."),
            ("{1,,2}", "Unexpected \",\" character."),
            ("{,1}", "Unexpected \",\" character."),
            ("{1,}", "Unexpected \"}\" character."),
            (
                "1,2",
                "Array value must start with \"{\" or dimension information.",
            ),
            (
                "",
                "Array value must start with \"{\" or dimension information.",
            ),
            ("{a\"b\"c}", "Unexpected array element."),
            ("{\"a\"b}", "Unexpected array element."),
            ("{\"a}", "Unexpected end of input."),
            ("{{}}", "Unexpected \"}\" character."),
            ("[1:2]{1,2}", "Missing \"=\" after array dimensions."),
            (
                "[1:3]={1,2}",
                "Specified array dimensions do not match array contents.",
            ),
            ("{}}", "Junk after closing right brace."),
            (
                "[a]={1}",
                "\"[\" must introduce explicitly-specified array dimensions.",
            ),
            ("[1:2={1}", "Missing \"]\" after array dimensions."),
            ("{\\", "Unexpected end of input."),
        ] {
            let err = text_array(input).unwrap_err();
            assert_eq!(err.code(), "22P02", "{input}");
            assert_eq!(err.message, format!("malformed array literal: \"{input}\""));
            assert_eq!(err.detail.as_deref(), Some(detail), "{input}");
        }
        assert_eq!(text_array("[1:0]={}").unwrap_err().code(), "2202E");
        // Bounds whose span does not fit are an error, not an overflow.
        assert_eq!(
            text_array("[-2147483648:2147483647]={1}")
                .unwrap_err()
                .code(),
            "54000"
        );
        assert_eq!(
            text_array("{{{{{{{1}}}}}}}").unwrap_err().message,
            "number of array dimensions (7) exceeds the maximum allowed (6)"
        );
        // Deep nesting is refused before it can exhaust the stack.
        assert_eq!(
            text_array(&"{".repeat(100_000)).unwrap_err().code(),
            "54000"
        );
        let err = Array::parse("{1,x}", DataType::Int4, TimeZone::UTC).unwrap_err();
        assert_eq!(err.message, "invalid input syntax for type integer: \"x\"");
    }

    #[test]
    fn subscripts_and_slices() {
        let a = Array::parse("{{1,2,3},{4,5,6}}", DataType::Int4, TimeZone::UTC).unwrap();
        assert_eq!(a.get(&[2, 3]), Value::Int(6));
        assert_eq!(a.get(&[1]), Value::Null);
        assert_eq!(a.get(&[3, 1]), Value::Null);
        assert_eq!(
            out(&a.slice(&[(Some(1), Some(2)), (Some(2), None)])),
            "{{2,3},{5,6}}"
        );
        assert_eq!(out(&a.slice(&[(Some(2), None)])), "{{4,5,6}}");
        assert_eq!(out(&a.slice(&[(Some(5), None)])), "{}");
        let b = Array::parse("[0:2]={a,b,c}", DataType::Text, TimeZone::UTC).unwrap();
        assert_eq!(b.get(&[0]), Value::Text("a".into()));
        assert_eq!(out(&b.slice(&[(None, Some(1))])), "{a,b}");
    }

    #[test]
    fn arrays_compare_element_by_element() {
        let a = |s: &str| Array::parse(s, DataType::Int4, TimeZone::UTC).unwrap();
        assert_eq!(a("{1,2}").compare(&a("{1,3}")), Ordering::Less);
        assert_eq!(a("{1,2}").compare(&a("{1,2,0}")), Ordering::Less);
        assert_eq!(a("{1,NULL}").compare(&a("{1,NULL}")), Ordering::Equal);
        assert_eq!(a("{1,NULL}").compare(&a("{1,5}")), Ordering::Greater);
        assert_eq!(a("{1,2}").compare(&a("{{1,2}}")), Ordering::Less);
        assert_eq!(a("{2}").compare(&a("{1,2}")), Ordering::Greater);
    }
}
