//! Durations written the way Terraform users write them (Go's `time.ParseDuration`
//! form): `"90s"`, `"45m"`, `"1h30m"`, `"2.5h"`.

use std::time::Duration;

/// Parses a Go-style duration; units `ms`, `s`, `m`, `h`. Negative values are refused.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!(
                "{text:?} is not a duration such as \"30m\" or \"1h30m\""
            ));
        }
        let (number, after) = rest.split_at(number_len);
        let number: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} has an invalid number {number:?}"))?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let seconds = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("{text:?} is missing a unit (ms, s, m or h)")),
            other => {
                return Err(format!(
                    "{text:?} has an unknown unit {other:?}; use ms, s, m or h"
                ));
            }
        };
        total += number * seconds;
        rest = next;
    }
    if !total.is_finite() || total > 366.0 * 24.0 * 3600.0 {
        return Err(format!("{text:?} is longer than a year"));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Writes a duration the way [`parse`] reads it: `"45s"`, `"30m"`, `"1h30m"`, `"1m30s"`,
/// and whole milliseconds (`"1500ms"`) when seconds would not be exact.
pub fn format(d: Duration) -> String {
    if d.subsec_millis() != 0 {
        return format!("{}ms", d.as_millis());
    }
    let secs = d.as_secs();
    let (hours, minutes, seconds) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    if seconds > 0 || out.is_empty() {
        out.push_str(&format!("{seconds}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_terraform_users_write_and_reads_back() {
        for (d, text) in [
            (Duration::from_secs(10), "10s"),
            (Duration::from_secs(120), "2m"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(12 * 3600), "12h"),
            (Duration::from_secs(5400), "1h30m"),
            (Duration::from_millis(1500), "1500ms"),
            (Duration::ZERO, "0s"),
        ] {
            assert_eq!(format(d), text);
            assert_eq!(parse(text), Ok(d));
        }
    }

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("2.5h"), Ok(Duration::from_secs(9000)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "",
            "10",
            "h",
            "-5m",
            "5 minutes",
            "1d",
            "1.2.3s",
            "99999999h",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
