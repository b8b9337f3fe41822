//! The identity of a capacity task (Terraform 1.12+): the Outpost ID and the task ID,
//! with the account and region as hashicorp/aws's identities have them. Terraform keeps
//! it beside the state, imports by it (`import { identity = { … } }`) and `terraform
//! query` lists tasks by it.
//!
//! Import by identity is import by ID: the identity is written as the import ID it
//! stands for (`op-…/cap-…`, or the Outpost ARN form when it names the account) and
//! imported the same way, so both give the same state.

use super::schema::CapacityTaskState;
use crate::checks::outpost_elsewhere;
use crate::outposts::ids;
use std::collections::BTreeMap;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::identity::{IdentityAttribute, IdentitySchema};
use tfplugin::path::AttributePath;
use tfplugin::value::Value;

/// Raised when the identity's attributes change.
pub const VERSION: i64 = 0;

pub fn schema() -> IdentitySchema {
    IdentitySchema::new(VERSION)
        .attribute(
            IdentityAttribute::string("outpost_id")
                .required_for_import()
                .description(
                    "ID of the Outpost (`op-...`), also when `outpost_identifier` is an ARN.",
                ),
        )
        .attribute(
            IdentityAttribute::string("capacity_task_id")
                .required_for_import()
                .description("ID of the capacity task (`cap-...`)."),
        )
        .attribute(
            IdentityAttribute::string("account_id")
                .optional_for_import()
                .description(
                    "AWS account that owns the Outpost. Known only when \
                     `outpost_identifier` is the Outpost's ARN (the provider does not ask \
                     STS who it is), null otherwise. Given to an import, the task is \
                     imported by its ARN form and `outpost_identifier` is the ARN.",
                ),
        )
        .attribute(
            IdentityAttribute::string("region")
                .optional_for_import()
                .description(
                    "Region of the Outpost: the provider's. Given to an import, it must \
                     be the provider's region.",
                ),
        )
}

/// The identity of the task `state` holds; `None` before AWS has named the task.
/// `region` is the provider's, when configured; an Outpost ARN's own region wins.
/// Without either (a plan while the provider's configuration is not yet known) it is
/// `None`, so that Terraform keeps the identity it holds: a region left null would read
/// as a changed identity.
pub fn of_state(state: &CapacityTaskState, region: Option<&str>) -> Option<Value> {
    let task_id = state
        .capacity_task_id
        .as_deref()
        .filter(|id| ids::is_capacity_task_id(id))?;
    let outpost_id = state
        .outpost_id
        .as_deref()
        .unwrap_or_else(|| ids::outpost_id(&state.outpost_identifier));
    if !ids::is_outpost_identifier(outpost_id) || outpost_id.starts_with("arn:") {
        return None;
    }
    let identifier = state.outpost_identifier.as_str();
    let region = ids::outpost_arn_region(identifier).or(region)?;
    let optional = |v: Option<&str>| v.map_or(Value::Null, Value::string);
    // Every attribute of `schema()`, so the value needs no schema to complete it: no
    // schema is built for each task a listing finds.
    Some(Value::Object(BTreeMap::from([
        ("outpost_id".to_string(), Value::string(outpost_id)),
        ("capacity_task_id".to_string(), Value::string(task_id)),
        (
            "account_id".to_string(),
            optional(ids::outpost_arn_account(identifier)),
        ),
        ("region".to_string(), Value::string(region)),
    ])))
}

/// The import ID an identity stands for, for a provider configured for `region`:
/// `op-…/cap-…`, or the ARN form when the identity names the account. Each error is
/// on the identity attribute at fault.
pub fn import_id(identity: &Value, region: &str) -> Result<String, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let text = |name: &str| identity.attr(name).and_then(Value::as_str);
    let mut checked = |name: &str, valid: fn(&str) -> bool, expected: &str| {
        let value = text(name);
        if value.is_some_and(|v| !valid(v)) {
            diagnostics.push(
                Diagnostic::error(
                    "Invalid identity attribute",
                    format!("{name} must be {expected}, not {:?}.", value.unwrap_or("")),
                )
                .at(AttributePath::attr(name)),
            );
            return None;
        }
        value
    };
    let outpost = checked(
        "outpost_id",
        |v| ids::is_outpost_identifier(v) && !v.starts_with("arn:"),
        "an Outpost ID such as \"op-0123456789abcdef0\"",
    );
    let task = checked(
        "capacity_task_id",
        ids::is_capacity_task_id,
        "a capacity task ID such as \"cap-0123456789abcdef0\"",
    );
    let account = checked("account_id", ids::is_account_id, "a 12-digit account ID");
    if let (Some(outpost), Some(elsewhere)) = (outpost, text("region"))
        && let Some(d) =
            outpost_elsewhere(outpost, elsewhere, region, AttributePath::attr("region"))
    {
        diagnostics.push(d);
    }
    let (Some(outpost), Some(task)) = (outpost, task) else {
        // The framework checked both are given; an invalid one was reported above.
        if !diagnostics.has_errors() {
            diagnostics.error(
                "Missing identity attribute",
                "An import by identity must give outpost_id and capacity_task_id.",
            );
        }
        return Err(diagnostics);
    };
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(match account {
        Some(account) => ids::arn_import_id(region, account, outpost, task),
        None => format!("{outpost}/{task}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: &str = "op-0123456789abcdef0";
    const CAP: &str = "cap-0123456789abcdef0";
    const ARN: &str = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0";

    fn identity(members: &[(&str, Option<&str>)]) -> Value {
        schema().value(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), v.map_or(Value::Null, Value::string)))
                .collect(),
        )
    }

    fn state(outpost_identifier: &str) -> CapacityTaskState {
        CapacityTaskState {
            outpost_identifier: outpost_identifier.into(),
            capacity_task_id: Some(CAP.into()),
            outpost_id: Some(OP.into()),
            ..CapacityTaskState::default()
        }
    }

    #[test]
    fn the_identity_names_the_outpost_by_id_and_the_account_only_from_an_arn() {
        let by_id = of_state(&state(OP), Some("us-west-2"));
        let expected = [
            ("outpost_id", Some(OP)),
            ("capacity_task_id", Some(CAP)),
            ("account_id", None),
            ("region", Some("us-west-2")),
        ];
        assert_eq!(by_id, Some(identity(&expected)));
        let by_arn = of_state(&state(ARN), None);
        let expected = [
            ("outpost_id", Some(OP)),
            ("capacity_task_id", Some(CAP)),
            ("account_id", Some("111122223333")),
            ("region", Some("us-west-2")),
        ];
        assert_eq!(by_arn, Some(identity(&expected)));
        assert_eq!(
            of_state(&state(OP), None),
            None,
            "no region without the provider's: Terraform keeps the identity it holds"
        );
        let not_started = CapacityTaskState {
            capacity_task_id: None,
            ..state(OP)
        };
        assert_eq!(of_state(&not_started, Some("us-west-2")), None);
    }

    #[test]
    fn an_identity_is_the_import_id_it_stands_for() {
        let plain = identity(&[("outpost_id", Some(OP)), ("capacity_task_id", Some(CAP))]);
        assert_eq!(import_id(&plain, "us-west-2"), Ok(format!("{OP}/{CAP}")));
        let full = identity(&[
            ("outpost_id", Some(OP)),
            ("capacity_task_id", Some(CAP)),
            ("account_id", Some("111122223333")),
            ("region", Some("us-west-2")),
        ]);
        assert_eq!(import_id(&full, "us-west-2"), Ok(format!("{ARN}/{CAP}")));
        let ids = ids::parse_import_id(&format!("{ARN}/{CAP}"));
        assert_eq!(ids, Ok((ARN.to_string(), CAP.to_string())));
    }

    #[test]
    fn a_wrong_identity_is_refused_on_its_attribute() {
        let summaries = |identity: &Value| -> Vec<(String, Option<String>)> {
            let diagnostics = import_id(identity, "us-west-2").expect_err("refused");
            diagnostics
                .iter()
                .map(|d| {
                    (
                        d.summary.clone(),
                        d.attribute.as_ref().map(|a| a.to_string()),
                    )
                })
                .collect()
        };
        let elsewhere = identity(&[
            ("outpost_id", Some(OP)),
            ("capacity_task_id", Some(CAP)),
            ("region", Some("us-east-1")),
        ]);
        let expected = crate::checks::other_region(
            &ARN.replace("us-west-2", "us-east-1"),
            "us-west-2",
            AttributePath::attr("region"),
        )
        .expect("the region error");
        assert_eq!(
            summaries(&elsewhere),
            [(expected.summary, Some("region".to_string()))]
        );
        let arn = identity(&[("outpost_id", Some(ARN)), ("capacity_task_id", Some(CAP))]);
        assert_eq!(
            summaries(&arn),
            [(
                "Invalid identity attribute".to_string(),
                Some("outpost_id".to_string())
            )]
        );
        let account = identity(&[
            ("outpost_id", Some(OP)),
            ("capacity_task_id", Some(CAP)),
            ("account_id", Some("12")),
        ]);
        assert_eq!(
            summaries(&account),
            [(
                "Invalid identity attribute".to_string(),
                Some("account_id".to_string())
            )]
        );
    }
}
