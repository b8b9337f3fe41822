//! Timestamps as the API gives them and as the state shows them.
//!
//! AWS sends epoch seconds as a JSON number with up to millisecond precision; the SDK
//! reads it through a float, so `…07.893` arrives as `…07.892999999`. Rounding to the
//! microsecond undoes that, and the state shows only the digits AWS gave.

use aws_smithy_types::DateTime;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A timestamp from the SDK, rounded to the microsecond.
pub(crate) fn from_aws(date: &DateTime) -> Option<SystemTime> {
    let micros = (u64::from(date.subsec_nanos()) + 500) / 1000;
    let secs = date.secs();
    let whole = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_secs(whole) + Duration::from_micros(micros))
}

/// RFC 3339 in UTC with as many fractional digits as needed (none for whole seconds):
/// `2026-11-26T18:46:13.893Z`.
pub fn rfc3339(at: SystemTime) -> String {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let whole = OffsetDateTime::from_unix_timestamp(since.as_secs() as i64)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let date = whole
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string());
    let micros = since.subsec_micros();
    if micros == 0 {
        return date;
    }
    let fraction = format!("{micros:06}");
    let fraction = fraction.trim_end_matches('0');
    match date.strip_suffix('Z') {
        Some(base) => format!("{base}.{fraction}Z"),
        None => date,
    }
}

/// Reads a timestamp the state holds.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let nanos = u64::try_from(parsed.unix_timestamp_nanos()).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_artefacts_of_the_wire_format_are_rounded_away() {
        let date = DateTime::from_secs_f64(1_795_000_007.893);
        assert_eq!(
            rfc3339(from_aws(&date).expect("time")),
            "2026-11-18T11:06:47.893Z"
        );
        let whole = DateTime::from_secs(1_795_000_007);
        assert_eq!(
            rfc3339(from_aws(&whole).expect("time")),
            "2026-11-18T11:06:47Z"
        );
        let micro = DateTime::from_secs_f64(1_795_000_007.000_25);
        assert_eq!(
            rfc3339(from_aws(&micro).expect("time")),
            "2026-11-18T11:06:47.00025Z"
        );
    }

    #[test]
    fn state_timestamps_read_back() {
        let at = from_aws(&DateTime::from_secs_f64(1_795_000_007.5)).expect("time");
        assert_eq!(parse_rfc3339(&rfc3339(at)), Some(at));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
