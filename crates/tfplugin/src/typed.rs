//! Serde structs from the values the framework hands over: a configuration, a plan or a
//! state, decoded with the attribute path of any problem in the diagnostic.
//!
//! A value not yet known (in a plan, or a computed attribute on create) reads as null,
//! so a field that may be unknown should be an `Option`; [`Value::is_unknown`] on the
//! raw value tells the two apart when it matters.

use crate::diag::Diagnostic;
use crate::value::{self, Value};
use serde::de::DeserializeOwned;

/// `value` as the serde struct `T`; `what` names it in the error ("configuration",
/// "planned state").
pub fn decode<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T, Diagnostic> {
    let known = unknowns_as_null(value);
    value::decode(&known).map_err(|e| {
        let diagnostic = Diagnostic::error(
            format!("Unreadable {what}"),
            format!(
                "The {what} does not fit the provider's types: {}",
                e.message
            ),
        );
        if e.path.is_empty() {
            diagnostic
        } else {
            diagnostic.at(e.path)
        }
    })
}

/// A copy of `value` with every unknown replaced by null.
pub fn unknowns_as_null(value: &Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.iter().map(unknowns_as_null).collect()),
        Value::Set(items) => Value::Set(items.iter().map(unknowns_as_null).collect()),
        Value::Tuple(items) => Value::Tuple(items.iter().map(unknowns_as_null).collect()),
        Value::Map(items) => Value::Map(
            items
                .iter()
                .map(|(k, v)| (k.clone(), unknowns_as_null(v)))
                .collect(),
        ),
        Value::Object(items) => Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), unknowns_as_null(v)))
                .collect(),
        ),
        Value::Dynamic(ty, inner) => Value::Dynamic(ty.clone(), Box::new(unknowns_as_null(inner))),
        known => known.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::object;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Disk {
        name: String,
        id: Option<String>,
        rules: Vec<Rule>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Rule {
        port: u16,
    }

    #[test]
    fn unknown_members_read_as_none() {
        let planned = object(&[
            ("name", Value::string("a")),
            ("id", Value::Unknown),
            (
                "rules",
                Value::List(vec![object(&[("port", Value::int(80))])]),
            ),
        ]);
        let disk: Disk = decode(&planned, "planned state").expect("decodes");
        assert_eq!(disk.id, None);
        assert_eq!(disk.rules, vec![Rule { port: 80 }]);
    }

    #[test]
    fn a_value_that_does_not_fit_is_reported_at_its_path() {
        let config = object(&[
            ("name", Value::string("a")),
            ("id", Value::Null),
            (
                "rules",
                Value::List(vec![
                    object(&[("port", Value::int(80))]),
                    object(&[("port", Value::int(70000))]),
                ]),
            ),
        ]);
        let Err(diagnostic) = decode::<Disk>(&config, "configuration") else {
            panic!("70000 is no port");
        };
        assert_eq!(diagnostic.summary, "Unreadable configuration");
        assert_eq!(
            diagnostic.attribute.map(|p| p.to_string()).as_deref(),
            Some("rules[1].port")
        );
    }
}
