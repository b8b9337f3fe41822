//! Structured logs on stderr in the JSON line form Terraform (hclog) understands:
//! `{"@level":"info","@message":"...","@timestamp":"...","@module":"provider",...}`.
//!
//! Terraform drops provider stderr unless `TF_LOG_PROVIDER` or `TF_LOG` is set, so the
//! level is taken from those and logging is off otherwise. Dependencies log at most at
//! info, and only under TRACE: SDK request signers log canonical requests, which hold
//! session tokens, at debug level, and secrets never go to logs.

use std::io::Write;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The level a user asked for in `TF_LOG_PROVIDER` (preferred) or `TF_LOG`.
pub fn level_from_env() -> Option<Level> {
    let value = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|v| !v.is_empty()))?;
    parse_level(&value)
}

fn parse_level(value: &str) -> Option<Level> {
    match value.trim().to_ascii_uppercase().as_str() {
        "OFF" => None,
        "ERROR" => Some(Level::ERROR),
        "WARN" => Some(Level::WARN),
        "INFO" => Some(Level::INFO),
        "DEBUG" => Some(Level::DEBUG),
        // TRACE, JSON, and anything Terraform does not recognise mean everything.
        _ => Some(Level::TRACE),
    }
}

/// Installs the stderr logger at `level`; `None` installs nothing. `own_targets` are
/// the module paths (crate names) logged at `level`; everything else, the libraries
/// below, is capped at WARN (INFO under TRACE). This crate's own logs always count.
pub fn init(level: Option<Level>, own_targets: &'static [&'static str]) {
    let Some(level) = level else { return };
    let layer = HclogLayer { level, own_targets };
    // A second init (as in tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer));
}

struct HclogLayer {
    level: Level,
    own_targets: &'static [&'static str],
}

impl HclogLayer {
    fn allows(&self, metadata: &Metadata<'_>) -> bool {
        let target = metadata.target();
        let own = target.starts_with(env!("CARGO_CRATE_NAME"))
            || self.own_targets.iter().any(|t| target.starts_with(t));
        let ceiling = if own {
            self.level
        } else if self.level == Level::TRACE {
            Level::INFO
        } else {
            Level::WARN
        };
        // tracing orders levels so that ERROR < TRACE in verbosity terms reversed:
        // `a <= b` means a is at least as important as b.
        *metadata.level() <= ceiling && *metadata.level() <= self.level
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        self.allows(metadata)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !self.allows(event.metadata()) {
            return;
        }
        let line = render(event);
        let mut stderr = std::io::stderr().lock();
        // Nothing sensible can be done when stderr is gone.
        let _ = stderr.write_all(line.as_bytes());
    }
}

fn render(event: &Event<'_>) -> String {
    let mut fields = JsonFields::default();
    event.record(&mut fields);
    let mut object = serde_json::Map::new();
    let level = match *event.metadata().level() {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    };
    object.insert("@level".into(), level.into());
    object.insert("@message".into(), fields.message.unwrap_or_default().into());
    object.insert("@timestamp".into(), timestamp().into());
    object.insert("@module".into(), "provider".into());
    for (k, v) in fields.fields {
        object.insert(k, v);
    }
    let mut line = serde_json::Value::Object(object).to_string();
    line.push('\n');
    line
}

/// `2006-01-02T15:04:05.000000Z07:00` in Go's notation: six fractional digits.
fn timestamp() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    fields: Vec<(String, serde_json::Value)>,
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_string());
        } else {
            self.fields.push((field.name().into(), value.into()));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.push((field.name().into(), value.into()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.fields.push((field.name().into(), text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_terraform_names() {
        assert_eq!(parse_level("debug"), Some(Level::DEBUG));
        assert_eq!(parse_level("JSON"), Some(Level::TRACE));
        assert_eq!(parse_level("off"), None);
        assert_eq!(parse_level("whatever"), Some(Level::TRACE));
    }

    #[test]
    fn timestamp_has_six_fractional_digits() {
        let ts = timestamp();
        let (_, frac) = ts.split_once('.').expect("fraction");
        assert_eq!(frac.len(), 7, "{ts}");
        assert!(frac.ends_with('Z'));
    }
}
