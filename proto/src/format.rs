//! Format versions for stored postcard values: the envelope every such value carries.
//!
//! Everything dsql stores outlives the build that wrote it, so every stored encoding says which
//! version of its format it is in, and a reader dispatches on that version: the current one
//! decodes directly, an older one through a frozen copy of the old definition that is then
//! converted, and a newer one is refused with a clear error (never a panic, never a guess).
//! The rule, and every format with its versions, is in `docs/formats.md`.
//!
//! A versioned postcard value is the tag [`TAG`], one version byte, then the postcard body:
//!
//! ```text
//!   0x80 0x00  version: u8   body: postcard of the definition at that version
//! ```
//!
//! Values written before versions existed (the *legacy* format, version 0 here) have no tag:
//! they are the bare postcard body. The tag tells the two apart exactly. Every stored postcard
//! type (the commit record, table definitions, schemas, roles, grants) starts with a varint:
//! an integer field, a string's length, or an enum's variant index. postcard writes varints
//! in their shortest form, and the shortest form never has a continuation byte (`0x80`: low
//! bits 0, more to come) followed by `0x00` (no more bits): that pair would be a longer
//! spelling of a value that fits in fewer bytes. So no legacy value starts with `80 00`,
//! and any value that does is versioned. (A type whose first field is a `u8`, `bool` or
//! `Option` would start with a raw byte instead: never put one first in a stored type.)

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The two bytes that start every versioned value (see the module docs).
pub const TAG: [u8; 2] = [0x80, 0x00];

/// The version number a legacy (untagged) value is reported with.
pub const LEGACY: u8 = 0;

/// Why a stored value could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The value was written by a newer build, in a format version this build does not know.
    #[error(
        "{what} has format version {found}, newer than this build reads (up to {supported}): \
         the data was written by a newer version of dsql"
    )]
    Newer {
        /// What the value is ("table definition").
        what: &'static str,
        /// The version found.
        found: u8,
        /// The newest version this build reads.
        supported: u8,
    },
    /// The value is damaged: a tag without a version, version 0 tagged, or a body that does
    /// not decode.
    #[error("{what} is damaged: {reason}")]
    Damaged {
        /// What the value is.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Splits a stored value into its format version ([`LEGACY`] for an untagged value) and body.
pub fn split<'a>(what: &'static str, bytes: &'a [u8]) -> Result<(u8, &'a [u8]), FormatError> {
    match bytes.strip_prefix(&TAG) {
        None => Ok((LEGACY, bytes)),
        Some([version, body @ ..]) if *version != LEGACY => Ok((*version, body)),
        Some(_) => Err(FormatError::Damaged {
            what,
            reason: "bad format version tag".into(),
        }),
    }
}

/// Encodes `value` as version `version` of its format: the tag, the version, the body.
pub fn encode<T: Serialize>(version: u8, value: &T) -> Vec<u8> {
    assert_ne!(version, LEGACY, "version 0 is the untagged legacy format");
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&TAG);
    out.push(version);
    postcard::to_extend(value, out).expect("serializing to a Vec cannot fail")
}

/// Decodes a postcard body as `T` (the definition of one particular version).
pub fn decode_body<T: DeserializeOwned>(what: &'static str, body: &[u8]) -> Result<T, FormatError> {
    postcard::from_bytes(body).map_err(|e| FormatError::Damaged {
        what,
        reason: e.to_string(),
    })
}

/// The error for a version newer than `supported`.
pub fn newer(what: &'static str, found: u8, supported: u8) -> FormatError {
    FormatError::Newer {
        what,
        found,
        supported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        id: u64,
        name: String,
    }

    #[test]
    fn no_shortest_varint_starts_with_the_tag() {
        // Every value around each length boundary of a varint, as the first field.
        for bits in 0..64 {
            for v in [
                (1u64 << bits).wrapping_sub(1),
                1u64 << bits,
                (1u64 << bits) + 1,
            ] {
                let bytes = postcard::to_allocvec(&Sample {
                    id: v,
                    name: String::new(),
                })
                .unwrap();
                assert!(!bytes.starts_with(&TAG), "{v} encodes as {bytes:02x?}");
                assert_eq!(split("sample", &bytes).unwrap(), (LEGACY, &bytes[..]));
            }
        }
    }

    #[test]
    fn a_versioned_value_splits_into_its_version_and_body() {
        let sample = Sample {
            id: 7,
            name: "x".into(),
        };
        let bytes = encode(3, &sample);
        let (version, body) = split("sample", &bytes).unwrap();
        assert_eq!(version, 3);
        assert_eq!(decode_body::<Sample>("sample", body).unwrap(), sample);
    }

    #[test]
    fn a_tag_without_a_real_version_is_damage() {
        for bytes in [&[0x80, 0x00][..], &[0x80, 0x00, 0x00, 0x01]] {
            assert!(matches!(
                split("sample", bytes),
                Err(FormatError::Damaged { .. })
            ));
        }
    }

    #[test]
    fn the_newer_version_error_says_what_and_which_versions() {
        assert_eq!(
            newer("table definition", 9, 1).to_string(),
            "table definition has format version 9, newer than this build reads (up to 1): \
             the data was written by a newer version of dsql"
        );
    }
}
