//! Checks of configuration values against the API's constraints, each reported at its
//! attribute path. Unknown values are skipped: Terraform validates again once they are
//! known. Shared by the resources and data sources.

use crate::outposts::ids;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::value::Value;

pub(crate) fn known_str<'a>(block: &'a Value, name: &str) -> Option<&'a str> {
    block.attr(name).and_then(Value::as_str)
}

pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

#[derive(Default)]
pub(crate) struct Checker {
    pub(crate) diagnostics: Diagnostics,
}

impl Checker {
    pub(crate) fn error(&mut self, path: AttributePath, summary: &str, detail: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(summary, detail).at(path));
    }

    pub(crate) fn string(
        &mut self,
        block: &Value,
        path: &AttributePath,
        name: &str,
        valid: fn(&str) -> bool,
        expected: &str,
    ) {
        if let Some(s) = known_str(block, name)
            && !valid(s)
        {
            self.error(
                path.attribute(name),
                &format!("Invalid {name}"),
                format!("{s:?} is not {expected}."),
            );
        }
    }

    /// Checks the ID attribute `name` (`outpost_identifier`, `order_id`, `asset_id` or
    /// `capacity_task_id`) against the API's pattern for it.
    pub(crate) fn id(&mut self, block: &Value, path: &AttributePath, name: &str) {
        let (valid, expected): (fn(&str) -> bool, &str) = match name {
            "outpost_identifier" => (
                ids::is_outpost_identifier,
                "an Outpost ID such as \"op-0123456789abcdef0\" or its ARN",
            ),
            "order_id" => (
                ids::is_order_id,
                "an order ID such as \"oo-0123456789abcdef0\"",
            ),
            "asset_id" => (ids::is_asset_id, "a 10-digit asset ID"),
            "capacity_task_id" => (
                ids::is_capacity_task_id,
                "a capacity task ID such as \"cap-0123456789abcdef0\"",
            ),
            _ => return,
        };
        self.string(block, path, name, valid, expected);
    }

    pub(crate) fn one_of(
        &mut self,
        block: &Value,
        path: &AttributePath,
        name: &str,
        allowed: &[&str],
    ) {
        if let Some(s) = known_str(block, name)
            && !allowed.contains(&s)
        {
            self.error(
                path.attribute(name),
                &format!("Invalid {name}"),
                format!("{s:?} is not one of {}.", allowed.join(", ")),
            );
        }
    }

    pub(crate) fn each(
        &mut self,
        block: &Value,
        path: &AttributePath,
        name: &str,
        valid: impl Fn(&str) -> bool,
        expected: &str,
    ) {
        let Some(items) = block.attr(name).and_then(Value::as_list) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let item_path = path.attribute(name).index(i as i64);
            match item.as_str() {
                Some(s) if valid(s) => {}
                Some(s) => self.error(
                    item_path,
                    &format!("Invalid {name} entry"),
                    format!("{s:?} is not {expected}."),
                ),
                None if item.is_null() => self.error(
                    item_path,
                    &format!("Invalid {name} entry"),
                    "Entries must not be null.",
                ),
                None => {}
            }
        }
    }
}
