//! `Timestamp`: a point in time in an API answer, a `DateTime<Utc>` written
//! as one RFC 3339 string.
//!
//! chrono's own `Serialize` hands serde_json a `Display` that writes the
//! string a character or two at a time, and serde_json escapes every piece
//! as a string of its own: on a page of 50 contacts that was an eighth of
//! the server's CPU (docs/performance.md, "Sixth session"). Formatted first
//! and written once, the text is the same (`SecondsFormat::AutoSi`, `Z`),
//! and so is the schema.
use std::{borrow::Cow, error::Error};

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};
use tokio_postgres::types::{FromSql, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        <DateTime<Utc>>::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        <DateTime<Utc>>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        <DateTime<Utc>>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <DateTime<Utc>>::json_schema(generator)
    }
}

impl<'a> FromSql<'a> for Timestamp {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        <DateTime<Utc>>::from_sql(ty, raw).map(Timestamp)
    }

    fn accepts(ty: &Type) -> bool {
        <DateTime<Utc> as FromSql>::accepts(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same text as chrono's own serialization, for every precision.
    #[test]
    fn a_timestamp_is_written_as_chrono_writes_it() -> Result<(), Box<dyn Error>> {
        let times = [
            "2026-11-29T22:27:40Z",
            "2026-11-29T22:27:40.5Z",
            "2026-11-29T22:27:40.511Z",
            "2026-11-29T22:27:40.511259Z",
            "2026-11-29T22:27:40.000001Z",
            "1999-01-01T00:00:00.123456789Z",
            "2016-12-31T23:59:60.25Z",
        ];
        for text in times {
            let time = DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc);
            assert_eq!(serde_json::to_string(&Timestamp(time))?, serde_json::to_string(&time)?, "{text}");
        }
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(Timestamp))?,
            serde_json::to_value(schemars::schema_for!(DateTime<Utc>))?
        );
        Ok(())
    }
}
