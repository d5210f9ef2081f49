//! The collations dsql has: PostgreSQL's built-in `default`, `C`, `POSIX` and `ucs_basic`,
//! all of which compare strings by their bytes (dsql's databases use the C locale), with
//! PostgreSQL 15's oids. `COLLATE` accepts them; `pg_collation` lists them.

/// One collation as `pg_collation` describes it.
#[derive(Clone, Copy, Debug)]
pub struct Collation {
    /// `oid`
    pub oid: u32,
    /// `collname`
    pub name: &'static str,
    /// `collprovider`: `d` for the database's default, `c` for libc.
    pub provider: char,
    /// `collencoding`: -1 for any encoding, 6 for UTF8 only.
    pub encoding: i64,
    /// `collcollate` and `collctype` (NULL for the default).
    pub locale: Option<&'static str>,
}

/// The database's default collation.
pub const DEFAULT_COLLATION: u32 = 100;
/// The `C` collation (what `name` columns use).
pub const C_COLLATION: u32 = 950;

/// Every collation, by oid.
pub const COLLATIONS: &[Collation] = &[
    Collation {
        oid: DEFAULT_COLLATION,
        name: "default",
        provider: 'd',
        encoding: -1,
        locale: None,
    },
    Collation {
        oid: C_COLLATION,
        name: "C",
        provider: 'c',
        encoding: -1,
        locale: Some("C"),
    },
    Collation {
        oid: 951,
        name: "POSIX",
        provider: 'c',
        encoding: -1,
        locale: Some("POSIX"),
    },
    Collation {
        oid: 12340,
        name: "ucs_basic",
        provider: 'c',
        encoding: 6,
        locale: Some("C"),
    },
];

/// The collation named `name` (case-sensitive, as identifiers arrive), if dsql has it.
pub fn collation_by_name(name: &str) -> Option<&'static Collation> {
    COLLATIONS.iter().find(|c| c.name == name)
}

/// The collation with oid `oid`, if dsql has it.
pub fn collation_by_oid(oid: i64) -> Option<&'static Collation> {
    COLLATIONS.iter().find(|c| i64::from(c.oid) == oid)
}
