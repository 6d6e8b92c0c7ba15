//! Identifiers: UUID v7 (time-ordered, so keyset pages follow creation) behind one type
//! per kind of row, so that an office's id cannot be passed where a dossier's is
//! expected. Each holds its canonical text (lower-case, hyphenated), as stored. The API
//! speaks plain UUIDs ([`uuid::Uuid`] in its types): an id is made from one at the edge.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// A malformed id: not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an id: {0:?}")]
pub struct BadId(pub String);

/// What every id can do, for code that handles ids of any kind.
pub trait Id: Sized {
    fn parse(text: &str) -> Result<Self, BadId>;
    fn as_str(&self) -> &str;
}

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new id, later than every id made before it in this process.
            pub fn new() -> $name {
                $name(uuid::Uuid::now_v7().to_string())
            }

            /// Reads an id in any of the UUID spellings; stored in canonical form.
            pub fn parse(text: &str) -> Result<$name, BadId> {
                uuid::Uuid::parse_str(text)
                    .map(|id| $name(id.to_string()))
                    .map_err(|_| BadId(text.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn uuid(&self) -> uuid::Uuid {
                uuid::Uuid::parse_str(&self.0).expect("an id holds a UUID by construction")
            }
        }

        impl Id for $name {
            fn parse(text: &str) -> Result<$name, BadId> {
                $name::parse(text)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> $name {
                $name::new()
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> $name {
                $name(id.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

ids! {
    /// An office of the tree.
    OfficeId;
    /// A staff account.
    UserId;
    /// A dossier.
    DossierId;
    /// An entry of a dossier's timeline.
    EventId;
    /// A procedure of the catalogue.
    ProcedureId;
    /// A kiosk device.
    KioskId;
    /// A satisfaction vote (its id is the kiosk's own, the idempotency key).
    VoteId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_and_refuse_what_is_not_a_uuid() {
        let id = OfficeId::parse("0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B").unwrap();
        assert_eq!(id.as_str(), "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        assert_eq!(OfficeId::parse(id.as_str()), Ok(id.clone()));
        assert!(OfficeId::parse("H56.01").is_err());
        assert!(OfficeId::parse("").is_err());
        assert!(DossierId::new() < DossierId::new());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\"");
        assert!(serde_json::from_str::<OfficeId>("\"not-an-id\"").is_err());
    }
}
