//! `Timestamp`: a point in time in an API answer, a `DateTime<Utc>` written
//! as one RFC 3339 string.
//!
//! chrono's own `Serialize` hands serde_json a `Display` that writes the
//! string a character or two at a time, and serde_json escapes every piece
//! as a string of its own: on a page of 50 contacts that was an eighth of
//! the server's CPU (docs/performance.md, "Sixth session"). Formatted first,
//! on the stack, and written once, the text is the same
//! (`SecondsFormat::AutoSi`, `Z`: what the unit test compares), and so is
//! the schema.
use std::{borrow::Cow, error::Error};

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Serialize, Serializer};
use tokio_postgres::types::{FromSql, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub DateTime<Utc>);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = Rfc3339::default();
        match text.write(&self.0) {
            Some(text) => serializer.serialize_str(text),
            // A year chrono writes with a sign: its own text.
            None => serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z`, at most 30 bytes: what
/// chrono's `to_rfc3339_opts(AutoSi, true)` writes for years 0 to 9999,
/// without a heap allocation.
#[derive(Default)]
struct Rfc3339 {
    bytes: [u8; 30],
    len: usize,
}

impl Rfc3339 {
    fn write(&mut self, at: &DateTime<Utc>) -> Option<&str> {
        // The accessors of DateTime<Utc> each add the (zero) offset to the
        // time again before answering, seven times here; the naive UTC time
        // is read as it is stored.
        let at = at.naive_utc();
        let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
        let (mut second, mut nano) = (at.second(), at.nanosecond());
        if nano >= 1_000_000_000 {
            // A leap second: chrono writes it as second 60.
            second += 1;
            nano -= 1_000_000_000;
        }
        self.digits(year, 4);
        self.push(b'-');
        self.digits(at.month(), 2);
        self.push(b'-');
        self.digits(at.day(), 2);
        self.push(b'T');
        self.digits(at.hour(), 2);
        self.push(b':');
        self.digits(at.minute(), 2);
        self.push(b':');
        self.digits(second, 2);
        if nano != 0 {
            self.push(b'.');
            if nano % 1_000_000 == 0 {
                self.digits(nano / 1_000_000, 3);
            } else if nano % 1_000 == 0 {
                self.digits(nano / 1_000, 6);
            } else {
                self.digits(nano, 9);
            }
        }
        self.push(b'Z');
        std::str::from_utf8(&self.bytes[..self.len]).ok()
    }

    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// `value` in `width` decimal digits, zero-padded.
    fn digits(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            self.bytes[self.len + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
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
            "2016-12-31T23:59:60Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "+10000-01-01T00:00:00Z",
            "-0001-12-31T23:59:59.5Z",
        ];
        for text in times {
            let time = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).or_else(|_| text.parse::<DateTime<Utc>>())?;
            assert_eq!(serde_json::to_string(&Timestamp(time))?, serde_json::to_string(&time)?, "{text}");
        }
        // And a sweep of instants, every precision, from year 1 to 9999.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000u64 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let secs = i64::try_from(seed >> 30).unwrap_or(0) % 315_537_897_599 - 62_135_596_800;
            let nanos = match i % 4 {
                0 => 0,
                1 => (seed % 1000) as u32 * 1_000_000,
                2 => (seed % 1_000_000) as u32 * 1_000,
                _ => (seed % 1_000_000_000) as u32,
            };
            let time = DateTime::from_timestamp(secs, nanos).ok_or("a time in range")?;
            assert_eq!(serde_json::to_string(&Timestamp(time))?, serde_json::to_string(&time)?, "{secs} {nanos}");
        }
        assert_eq!(
            serde_json::to_value(schemars::schema_for!(Timestamp))?,
            serde_json::to_value(schemars::schema_for!(DateTime<Utc>))?
        );
        Ok(())
    }
}
