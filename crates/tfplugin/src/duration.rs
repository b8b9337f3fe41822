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

#[cfg(test)]
mod tests {
    use super::*;

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
