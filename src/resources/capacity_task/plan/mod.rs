//! Planning: what changes, what forces a new task, and the optional plan-time capacity
//! check (StartCapacityTask with `DryRun`).
//!
//! Terraform accepts a planned value that differs from the configuration when it equals
//! the prior state: the provider's way to say "the same thing, written differently". An
//! Outpost named by ARN or by ID, and pools or exclusions in another order, are planned
//! as the prior value, so they plan no change at all.

use super::flatten::{request_in, start_request};
use super::messages;
use super::schema::{self, CapacityTaskState};
use crate::layout::{DryRunOutcome, ask};
use crate::layout::{pool_path_in, what_is_missing};
use crate::outposts::OutpostsClient;
use crate::outposts::task::{CapacityTaskStatus, RequestKey};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::resource::{PlanRequest, PlanResponse};
use tfplugin::value::{self, Value};

/// How long a check's answer is reused within one provider process: Terraform plans a
/// replacement twice in a row (the update, then the create), and one answer serves both.
const DRY_RUN_REUSE: Duration = Duration::from_secs(120);

/// The schema's plan with the rules only the resource knows: the prior task's status,
/// the region of the Outpost, the start journal and the capacity check. The schema has
/// already planned the arguments (a changed argument forces a new task; the same request
/// written differently plans the prior value) and kept the task's computed values.
pub(super) async fn modify_plan(
    ctx: &Context<OutpostsClient>,
    dry_runs: &DryRunCache,
    request: &PlanRequest,
    plan: &mut PlanResponse,
) {
    if let Some(task_id) = request
        .prior_state
        .as_ref()
        .and_then(|prior| prior.attr("capacity_task_id"))
        .and_then(Value::as_str)
    {
        // A prior state holds the task, with or without a refresh: the start journal
        // lets it go, so no create ever adopts it (a replacement, a `state rm`).
        super::journal::here().forget(task_id);
    }
    if let Some(wrong_region) = outpost_in_another_region(ctx, &request.config) {
        return plan.diagnostics.push(wrong_region);
    }
    let planned = &mut plan.planned_state;
    let diagnostics = &mut plan.diagnostics;
    let Some(prior) = &request.prior_state else {
        // Create (or the create half of a replacement).
        mark_unknown_for_create(planned, &request.config);
        dry_runs
            .check(ctx, request, diagnostics, &mut plan.planned_private)
            .await;
        return;
    };
    let prior_status = prior
        .attr("status")
        .and_then(Value::as_str)
        .map(CapacityTaskStatus::parse);
    let task = prior
        .attr("capacity_task_id")
        .and_then(Value::as_str)
        .unwrap_or("in state")
        .to_string();
    if !plan.requires_replace.is_empty() {
        mark_unknown_for_create(planned, &request.config);
        if let Some(status) = prior_status.as_ref().filter(|s| !s.is_terminal()) {
            diagnostics.push(messages::replacing_a_running_task(&task, status));
        }
        // Terraform keeps only the errors of the create half of a replacement, so the
        // check runs here, where its warnings reach the user too.
        dry_runs
            .check(ctx, request, diagnostics, &mut plan.planned_private)
            .await;
    } else if prior_status.as_ref().is_some_and(|s| !s.is_terminal()) {
        // The task in state is still running (an interrupted or timed-out wait):
        // plan an in-place update that waits for it.
        for name in ["status", "failure", "completion_date", "last_modified_date"] {
            set(planned, name, Value::Unknown);
        }
    } else if let Some(status @ (CapacityTaskStatus::Failed | CapacityTaskStatus::Cancelled)) =
        &prior_status
    {
        // The task ended without applying the layout (seen by a resumed wait or a
        // refresh): start a new one, as after a failed create.
        diagnostics.push(messages::did_not_complete(&task, status));
        mark_unknown_for_create(planned, &request.config);
        plan.requires_replace.push(AttributePath::attr("status"));
        dry_runs
            .check(ctx, request, diagnostics, &mut plan.planned_private)
            .await;
    }
}

/// The whole plan, as the server makes it: the schema's, then [`modify_plan`].
#[cfg(test)]
pub(super) async fn plan(
    ctx: &Context<OutpostsClient>,
    dry_runs: &DryRunCache,
    request: PlanRequest,
) -> PlanResponse {
    let mut plan = tfplugin::planning::plan(&schema::schema().block, &request);
    modify_plan(ctx, dry_runs, &request, &mut plan).await;
    plan
}

/// An Outpost ARN of another region than the provider's: AWS would only say the Outpost
/// does not exist, at apply. Nothing to say while the provider is not configured.
fn outpost_in_another_region(ctx: &Context<OutpostsClient>, config: &Value) -> Option<Diagnostic> {
    let outpost = config.attr("outpost_identifier").and_then(Value::as_str)?;
    let client = ctx.client().ok()?;
    crate::checks::other_region(
        outpost,
        client.region(),
        AttributePath::attr("outpost_identifier"),
    )
}

/// Whether a task argument means the same: the request it alone describes is the same
/// ([`RequestKey`]: an Outpost by ARN or by ID; pools and exclusions as sets, with an
/// absent list equal to an empty one). A value not yet known is compared as it is.
pub(crate) fn same_argument(name: &str, planned: Option<&Value>, prior: Option<&Value>) -> bool {
    if planned == prior {
        return true;
    }
    let key = |v: Option<&Value>| {
        let alone = Value::Object([(name.to_string(), v.cloned().unwrap_or(Value::Null))].into());
        request_in(&alone).map(|request| request.key())
    };
    match (key(planned), key(prior)) {
        (Some(planned), Some(prior)) => planned == prior,
        _ => false,
    }
}

/// Whether the prior value can stand in for the planned one: Terraform compares block
/// lists element by element, so their lengths must agree.
pub(crate) fn same_shape(planned: Option<&Value>, prior: &Value) -> bool {
    match (planned.and_then(Value::as_list), prior.as_list()) {
        (Some(a), Some(b)) => a.len() == b.len(),
        (None, None) => true,
        _ => false,
    }
}

pub(super) fn set(value: &mut Value, name: &str, member: Value) {
    if let Value::Object(members) = value {
        members.insert(name.to_string(), member);
    }
}

/// Computed values become unknown; optional ones the user left out come from AWS, but
/// a task names an order or an asset: with one of them set, the other stays null.
fn mark_unknown_for_create(planned: &mut Value, config: &Value) {
    for name in COMPUTED.iter() {
        set(planned, name, Value::Unknown);
    }
    let unset = |name| config.attr(name).is_none_or(Value::is_null);
    let known = |name| {
        config
            .attr(name)
            .is_some_and(|v| v.is_known() && !v.is_null())
    };
    for (name, other) in [("order_id", "asset_id"), ("asset_id", "order_id")] {
        if unset(name) {
            let value = if known(other) {
                Value::Null
            } else {
                Value::Unknown
            };
            set(planned, name, value);
        }
    }
    if unset("task_action_on_blocking_instances") {
        set(planned, "task_action_on_blocking_instances", Value::Unknown);
    }
}

/// The attributes only AWS sets: unknown in a create plan.
static COMPUTED: LazyLock<Vec<String>> = LazyLock::new(|| {
    schema::schema()
        .block
        .attributes
        .into_iter()
        .filter(|a| a.computed && !a.optional)
        .map(|a| a.name)
        .collect()
});

/// The answers of recent checks in this provider process, by request.
#[derive(Default)]
pub(crate) struct DryRunCache {
    answers: Mutex<HashMap<RequestKey, (Instant, DryRunOutcome)>>,
}

impl DryRunCache {
    /// Runs the capacity check when `dry_run_on_plan` asks for it and every argument is
    /// known; its findings become diagnostics on the attribute they concern. With a
    /// client that stores planned private data, the answer is kept in `planned_private`
    /// and an answer the first plan kept for the same request is used instead of asking
    /// again (see [`carried`]).
    async fn check(
        &self,
        ctx: &Context<OutpostsClient>,
        request: &PlanRequest,
        diagnostics: &mut Diagnostics,
        planned_private: &mut Vec<u8>,
    ) {
        let config = &request.config;
        if config.attr("dry_run_on_plan").and_then(Value::as_bool) != Some(true) {
            return;
        }
        let skipped = |detail: String| {
            Diagnostic::warning("Capacity check skipped", detail)
                .at(AttributePath::attr("dry_run_on_plan"))
        };
        let unknown: Vec<&str> = schema::TASK_ARGUMENTS
            .iter()
            .copied()
            .filter(|name| config.attr(name).is_some_and(|v| !v.is_fully_known()))
            .collect();
        if !unknown.is_empty() {
            diagnostics.push(skipped(format!(
                "dry_run_on_plan is set, but {} will only be known during apply, so the plan \
                 cannot ask AWS whether the layout fits. Terraform plans again just before \
                 applying, and the check runs then.",
                unknown.join(", ")
            )));
            return;
        }
        let Ok(typed) =
            value::to_serde::<CapacityTaskState>(config, &schema::schema().value_type())
        else {
            return;
        };
        let start = start_request(&typed);
        let key = start.key();
        let stores = request.client.store_planned_private;
        let stored = stores
            .then(|| carried::stored_answer(request.stored_plan_private.as_deref(), &key))
            .flatten();
        if let Some(outcome) = stored {
            tracing::info!(outpost = %start.outpost_identifier, "capacity check from the plan reused; not asking AWS again");
            carried::keep(planned_private, &key, &outcome);
            if let Some(d) = outcome_diagnostic(outcome, &typed) {
                diagnostics.push(d);
            }
            return;
        }
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return diagnostics.push(skipped(d.detail)),
        };
        let outcome = match self.recent(&key) {
            Some(outcome) => {
                tracing::debug!(outpost = %start.outpost_identifier, "dry run: reusing this process's answer");
                outcome
            }
            None => {
                let Some(outcome) = ask(ctx, client, &start).await else {
                    return diagnostics.push(skipped(
                        "Terraform was interrupted before AWS answered the capacity check.".into(),
                    ));
                };
                self.remember(key.clone(), outcome.clone());
                outcome
            }
        };
        if stores {
            carried::keep(planned_private, &key, &outcome);
        }
        if let Some(d) = outcome_diagnostic(outcome, &typed) {
            diagnostics.push(d);
        }
    }

    fn recent(&self, key: &RequestKey) -> Option<DryRunOutcome> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(key)
            .filter(|(at, _)| at.elapsed() < DRY_RUN_REUSE)
            .map(|(_, outcome)| outcome.clone())
    }

    fn remember(&self, key: RequestKey, outcome: DryRunOutcome) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.retain(|_, (at, _)| at.elapsed() < DRY_RUN_REUSE);
        answers.insert(key, (Instant::now(), outcome));
    }
}

fn outcome_diagnostic(outcome: DryRunOutcome, config: &CapacityTaskState) -> Option<Diagnostic> {
    Some(match outcome {
        DryRunOutcome::Fits => return None,
        DryRunOutcome::DoesNotFit(message) => {
            let path = pool_path_in(&message);
            let scope = if path == AttributePath::attr("instance_pool") {
                "The layout as a whole (all instance_pool blocks together) needs more than the \
                 Outpost has. "
            } else {
                ""
            };
            Diagnostic::error(
                "Layout does not fit the Outpost",
                format!("{scope}AWS checked this layout with a dry run and refused it: {message}"),
            )
            .at(path)
        }
        DryRunOutcome::Missing(message, path) => Diagnostic::error(
            format!("{} not found", what_is_missing(&path)),
            format!("The capacity check could not find what this task names: {message}"),
        )
        .at(path),
        DryRunOutcome::Conflict(message) => Diagnostic::warning(
            "Capacity check inconclusive",
            format!(
                "Another capacity task is active: {message}. Applying now would fail with the \
                 same conflict."
            ),
        )
        .at(AttributePath::attr(if config.order_id.is_some() {
            "order_id"
        } else {
            "outpost_identifier"
        })),
        DryRunOutcome::Unanswered(detail) => Diagnostic::warning(
            "Capacity check skipped",
            format!(
                "{detail} The plan goes on without knowing whether the layout fits; \
                 StartCapacityTask checks it again when the task starts."
            ),
        )
        .at(AttributePath::attr("dry_run_on_plan")),
        DryRunOutcome::Failed(detail) => Diagnostic::error(
            "Capacity check failed",
            format!("The dry run failed: {detail}"),
        )
        .at(AttributePath::attr("dry_run_on_plan")),
    })
}

mod carried;
#[cfg(test)]
mod dry_run_tests;
#[cfg(test)]
mod generated_tests;
#[cfg(test)]
mod tests;
