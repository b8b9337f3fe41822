//! The `timeouts` block, as HashiCorp's providers write it: `timeouts { create = "90m" }`,
//! one optional duration per operation, each with a default.
//!
//! ```
//! use std::time::Duration;
//! use tfplugin::timeouts::{Timeouts, Operation};
//!
//! const CREATE: Operation = Operation::new("create", Duration::from_secs(3600));
//! let block = Timeouts::block(&[CREATE], "How long to wait.");
//! assert_eq!(block.type_name, "timeouts");
//!
//! // In the resource's state struct: `timeouts: Option<Timeouts>`.
//! let stored: Option<Timeouts> = None;
//! assert_eq!(Timeouts::get(&stored, CREATE), Duration::from_secs(3600));
//! ```

use crate::duration;
use crate::schema::{Attribute, Block, NestedBlock};
use crate::validators::{SharedValidator, from_fn};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// One operation that waits, and how long it waits unless configured otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// Its attribute in the block: `create`, `update`, `delete` or `read`.
    pub name: &'static str,
    /// The wait when the configuration gives none.
    pub default: Duration,
}

impl Operation {
    /// The operation `name`, waiting `default` unless configured otherwise.
    pub const fn new(name: &'static str, default: Duration) -> Self {
        Operation { name, default }
    }
}

/// The configured `timeouts` block: a duration text per operation, as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timeouts(pub BTreeMap<String, Option<String>>);

impl Timeouts {
    /// The block for `operations`: an optional duration attribute for each, which must
    /// be a duration Terraform users write (`"90s"`, `"45m"`, `"1h30m"`) longer than zero.
    pub fn block(operations: &[Operation], description: &str) -> NestedBlock {
        let described: Vec<(Operation, String)> = operations
            .iter()
            .map(|op| {
                let text = format!(
                    "How long {} may take. Default `{}`.",
                    op.name,
                    duration::format(op.default)
                );
                (*op, text)
            })
            .collect();
        Self::block_described(&described, description)
    }

    /// The same block with each operation's description written by the provider:
    /// `(operation, description)`.
    pub fn block_described<S: AsRef<str>>(
        operations: &[(Operation, S)],
        description: &str,
    ) -> NestedBlock {
        let block = operations
            .iter()
            .fold(Block::new(description), |block, (op, text)| {
                block.attribute(
                    Attribute::string(op.name)
                        .optional()
                        .description(text.as_ref())
                        .validator(positive_duration()),
                )
            });
        NestedBlock::single("timeouts", block)
    }

    /// How long `operation` may take: the configured duration, else its default. An
    /// unreadable text (validation refuses those) counts as unset.
    pub fn get(timeouts: &Option<Timeouts>, operation: Operation) -> Duration {
        timeouts
            .as_ref()
            .and_then(|t| t.0.get(operation.name))
            .and_then(Option::as_deref)
            .and_then(|text| duration::parse(text).ok())
            .unwrap_or(operation.default)
    }
}

/// A duration longer than zero, as [`duration::parse`] reads it.
pub fn positive_duration() -> SharedValidator {
    from_fn(
        "A duration such as `30m` or `1h30m`, longer than zero.",
        |check, out| {
            let Some(text) = check.known().and_then(Value::as_str) else {
                return;
            };
            let problem = match duration::parse(text) {
                Ok(d) if !d.is_zero() => return,
                Ok(_) => "A timeout must be longer than zero.".to_string(),
                Err(e) => e,
            };
            out.push(
                crate::diag::Diagnostic::error("Invalid timeout", problem).at(check.path.clone()),
            );
        },
    )
}
