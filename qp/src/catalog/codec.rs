//! Versioned encodings of catalog entries: table definitions, schemas, roles and grants.
//!
//! Each entry is stored in the envelope of [`proto::format`]: `80 00`, a version byte, then
//! the postcard body of the definition at that version. Entries written before versions
//! existed carry no envelope and have version 1's layout. Decoding dispatches on the version:
//!
//! ```text
//!   stored bytes ──split──> (version, body)
//!     version == VERSION      postcard → current struct
//!     LEGACY ..= VERSION - 1  postcard → frozen old struct → From → current struct
//!     version > VERSION       error: written by a newer dsql (never a panic)
//! ```
//!
//! # Changing a stored definition
//!
//! Adding, removing or changing a field of [`TableDef`] (or of anything inside it:
//! `ColumnDef`, `IndexDef`, `DataType`, ...) changes its encoding. Then: copy the current
//! definitions, unchanged, into a module of frozen versions (`v1::TableDef`, ...); bump
//! [`Entry::VERSION`]; make [`Entry::decode_older`] decode versions [`LEGACY`] and 1 as the
//! frozen copy and convert it to the new struct (filling the new field with what old data
//! means); add a fixture written by the old version to `tests/fixtures/`. The old decoder is
//! never removed: data written by every earlier version must keep opening. `docs/formats.md`
//! lists every format and its versions.

use crate::catalog::TableDef;
use crate::catalog::defs::{Grant, Role, SchemaDef};
use crate::error::{Error, Result};
use proto::format::{self, FormatError, LEGACY};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A catalog entry with a versioned encoding.
pub trait Entry: Serialize + DeserializeOwned {
    /// What the entry is, for errors ("table definition").
    const WHAT: &'static str;
    /// The version [`encode`] writes and the newest [`decode`] reads.
    const VERSION: u8;

    /// Decodes the body of an older version (`LEGACY ..= VERSION - 1`) and converts it to the
    /// current definition.
    fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError>;
}

/// Encodes an entry at its current version.
pub fn encode<T: Entry>(entry: &T) -> Vec<u8> {
    format::encode(T::VERSION, entry)
}

/// Decodes an entry written at any version up to [`Entry::VERSION`].
pub fn decode<T: Entry>(bytes: &[u8]) -> Result<T> {
    decode_versioned(bytes).map_err(|e| match e {
        FormatError::Damaged { .. } => Error::internal(format!("damaged catalog entry: {e}")),
        FormatError::Newer { .. } => Error::internal(e.to_string()),
    })
}

fn decode_versioned<T: Entry>(bytes: &[u8]) -> std::result::Result<T, FormatError> {
    let (version, body) = format::split(T::WHAT, bytes)?;
    if version == T::VERSION {
        format::decode_body(T::WHAT, body)
    } else if version > T::VERSION {
        Err(format::newer(T::WHAT, version, T::VERSION))
    } else {
        T::decode_older(version, body)
    }
}

/// The `decode_older` of an entry still at version 1, whose legacy layout is version 1's.
fn legacy_is_v1<T: Entry>(version: u8, body: &[u8]) -> std::result::Result<T, FormatError> {
    debug_assert_eq!(version, LEGACY);
    format::decode_body(T::WHAT, body)
}

impl Entry for TableDef {
    const WHAT: &'static str = "table definition";
    const VERSION: u8 = 1;
    fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError> {
        legacy_is_v1(version, body)
    }
}

/// Definitions as earlier versions stored them, frozen.
mod v1 {
    use serde::{Deserialize, Serialize};

    /// A schema at version 1 (and legacy): no oid.
    #[derive(Serialize, Deserialize)]
    pub struct SchemaDef {
        pub name: String,
        pub owner: String,
    }
}

impl From<v1::SchemaDef> for SchemaDef {
    /// A schema stored without an oid gets the one derived from its name.
    fn from(old: v1::SchemaDef) -> SchemaDef {
        SchemaDef {
            oid: crate::catalog::oids::legacy_schema_oid(&old.name),
            name: old.name,
            owner: old.owner,
        }
    }
}

impl Entry for SchemaDef {
    const WHAT: &'static str = "schema definition";
    /// Version 2 added the oid.
    const VERSION: u8 = 2;
    fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError> {
        debug_assert!(version < Self::VERSION);
        Ok(format::decode_body::<v1::SchemaDef>(Self::WHAT, body)?.into())
    }
}

impl Entry for Role {
    const WHAT: &'static str = "role";
    const VERSION: u8 = 1;
    fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError> {
        legacy_is_v1(version, body)
    }
}

impl Entry for Grant {
    const WHAT: &'static str = "grant";
    const VERSION: u8 = 1;
    fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError> {
        legacy_is_v1(version, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn table() -> TableDef {
        let mut def = crate::catalog::sys::jobs_table();
        def.id = 1000;
        def.primary_key = vec![];
        def
    }

    #[test]
    fn entries_round_trip_at_their_current_version() {
        let bytes = encode(&table());
        assert_eq!(bytes[..3], [0x80, 0x00, TableDef::VERSION]);
        assert_eq!(decode::<TableDef>(&bytes).unwrap(), table());
        let role = Role {
            oid: 20_000,
            name: "app".into(),
            login: true,
        };
        assert_eq!(decode::<Role>(&encode(&role)).unwrap(), role);
    }

    #[test]
    fn legacy_entries_decode() {
        let legacy = postcard::to_allocvec(&table()).unwrap();
        assert_eq!(decode::<TableDef>(&legacy).unwrap(), table());
        let old = || v1::SchemaDef {
            name: "app".into(),
            owner: "admin".into(),
        };
        let schema = SchemaDef {
            name: "app".into(),
            owner: "admin".into(),
            oid: crate::catalog::oids::legacy_schema_oid("app"),
        };
        let legacy = postcard::to_allocvec(&old()).unwrap();
        assert_eq!(decode::<SchemaDef>(&legacy).unwrap(), schema);
        let version_1 = format::encode(1, &old());
        assert_eq!(decode::<SchemaDef>(&version_1).unwrap(), schema);
        let current = SchemaDef {
            oid: 16390,
            ..schema
        };
        assert_eq!(decode::<SchemaDef>(&encode(&current)).unwrap(), current);
    }

    #[test]
    fn a_newer_version_is_a_clear_error_not_a_panic() {
        let mut bytes = encode(&table());
        bytes[2] = TableDef::VERSION + 1;
        assert_eq!(
            decode::<TableDef>(&bytes).unwrap_err().message,
            "table definition has format version 2, newer than this build reads (up to 1): \
             the data was written by a newer version of dsql"
        );
        assert!(
            decode::<TableDef>(&[0x80, 0x00, 0x01, 0xff])
                .unwrap_err()
                .message
                .starts_with("damaged catalog entry: table definition is damaged")
        );
    }

    /// How a field is added: the old definition is frozen, its versions decode through it.
    mod adding_a_field {
        use super::*;

        /// Version 1 of the example, frozen.
        mod v1 {
            use super::*;
            #[derive(Serialize, Deserialize)]
            pub struct Thing {
                pub id: u32,
                pub name: String,
            }
        }

        /// The current (version 2) definition, with a new field.
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Thing {
            id: u32,
            name: String,
            comment: Option<String>,
        }

        impl From<v1::Thing> for Thing {
            fn from(old: v1::Thing) -> Thing {
                Thing {
                    id: old.id,
                    name: old.name,
                    comment: None,
                }
            }
        }

        impl Entry for Thing {
            const WHAT: &'static str = "thing";
            const VERSION: u8 = 2;
            fn decode_older(version: u8, body: &[u8]) -> std::result::Result<Self, FormatError> {
                match version {
                    LEGACY | 1 => Ok(format::decode_body::<v1::Thing>(Self::WHAT, body)?.into()),
                    _ => unreachable!("decode only passes older versions"),
                }
            }
        }

        #[test]
        fn every_version_decodes_to_the_current_definition() {
            let old = || v1::Thing {
                id: 1000,
                name: "t".into(),
            };
            let expected = Thing {
                id: 1000,
                name: "t".into(),
                comment: None,
            };
            let legacy = postcard::to_allocvec(&old()).unwrap();
            assert_eq!(decode::<Thing>(&legacy).unwrap(), expected);
            let version_1 = format::encode(1, &old());
            assert_eq!(decode::<Thing>(&version_1).unwrap(), expected);
            let current = Thing {
                comment: Some("new".into()),
                ..expected
            };
            assert_eq!(decode::<Thing>(&encode(&current)).unwrap(), current);
        }
    }
}
