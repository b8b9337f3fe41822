//! Resource `outposts_capacity_task`: start a capacity task and wait for it, never losing
//! it. The behaviour contract (DESIGN.md, "Resource behaviour"):
//!
//! - plan: every task argument forces a new task; an optional DryRun checks capacity;
//!   a task still running in state is planned as an in-place "wait" (status unknown).
//! - create: StartCapacityTask, then wait. Once AWS has accepted the task its ID is in
//!   the returned state whatever happens next: FAILED and timeouts return the state with
//!   an error (Terraform saves it tainted); Ctrl-C returns it with a warning (saved as is,
//!   so the next apply resumes the wait instead of starting a second task).
//! - conflict: name the active task and how to import it; adopt it when it is the one a
//!   lost response of this very request created.
//! - read: refresh; NotFound removes the task (tolerated briefly after creation).
//! - delete: cancel what is cancellable and wait for CANCELLED; forget terminal tasks.
//! - import: `op-.../cap-...` or the Outpost ARN form.

mod schema;
mod validate;

pub use schema::{CapacityTaskState, TYPE_NAME};

use crate::outposts::OutpostsClient;
use crate::outposts::error::OutpostsError;
use crate::outposts::ids;
use crate::outposts::task::{
    CapacityTask, CapacityTaskStatus, InstancePool, InstancesToExclude, StartCapacityTask,
};
use crate::outposts::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::path::AttributePath;
use crate::tfplugin::resource::{
    ApplyRequest, ApplyResponse, Context, PlanRequest, PlanResponse, ReadResponse, Resource,
};
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::{self, Value};
use async_trait::async_trait;
use aws_smithy_types::DateTime;
use schema::{FailureState, InstancePoolBlock, InstancesToExcludeBlock};
use std::collections::HashSet;
use std::time::{Duration, SystemTime};

const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// GetCapacityTask may not see a task for a short while after it was started.
const NOT_FOUND_GRACE: Duration = Duration::from_secs(120);

pub struct CapacityTaskResource;

#[async_trait]
impl Resource<OutpostsClient> for CapacityTaskResource {
    type State = CapacityTaskState;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate::validate(config)
    }

    async fn plan(&self, ctx: &Context<OutpostsClient>, request: PlanRequest) -> PlanResponse {
        let mut planned = request.proposed_new_state.clone();
        let mut diagnostics = Diagnostics::new();
        let Some(prior) = &request.prior_state else {
            // Create (or the create half of a replace).
            mark_unknown_for_create(&mut planned, &request.config);
            let planned_private = dry_run(ctx, &request.config, &mut diagnostics).await;
            return PlanResponse {
                planned_state: planned,
                requires_replace: Vec::new(),
                planned_private,
                diagnostics,
            };
        };
        let mut requires_replace: Vec<AttributePath> = schema::TASK_ARGUMENTS
            .iter()
            .filter(|name| !same_argument(name, planned.attr(name), prior.attr(name)))
            .map(|name| AttributePath::attr(*name))
            .collect();
        let prior_status = prior
            .attr("status")
            .and_then(Value::as_str)
            .map(CapacityTaskStatus::parse);
        if !requires_replace.is_empty() {
            mark_unknown_for_create(&mut planned, &request.config);
        } else if prior_status.as_ref().is_some_and(|s| !s.is_terminal()) {
            // The task in state is still running (an interrupted or timed-out wait):
            // plan an in-place update that waits for it.
            for name in ["status", "failure", "completion_date", "last_modified_date"] {
                set(&mut planned, name, Value::Unknown);
            }
        } else if let Some(status @ (CapacityTaskStatus::Failed | CapacityTaskStatus::Cancelled)) =
            &prior_status
        {
            // The task ended without applying the layout (seen by a resumed wait or a
            // refresh): start a new one, as after a failed create.
            let task = prior
                .attr("capacity_task_id")
                .and_then(Value::as_str)
                .unwrap_or("in state");
            diagnostics.push(Diagnostic::warning(
                "Capacity task did not complete",
                format!("Capacity task {task} is {status}; this plan starts a new task with the same layout."),
            ));
            mark_unknown_for_create(&mut planned, &request.config);
            requires_replace.push(AttributePath::attr("status"));
        }
        PlanResponse {
            planned_state: planned,
            requires_replace,
            planned_private: request.prior_private,
            diagnostics,
        }
    }

    async fn create(
        &self,
        ctx: &Context<OutpostsClient>,
        request: ApplyRequest<CapacityTaskState>,
    ) -> ApplyResponse<CapacityTaskState> {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        let config = match typed_config(&request.config) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        let start = start_request(&config);
        // The tasks already active before our request: a task that appears after a
        // failed start and is not among them can only be the one this request created.
        let active_before = client
            .list_active_capacity_tasks(&start.outpost_identifier)
            .await
            .map(|tasks| tasks.into_iter().map(|t| t.id).collect::<HashSet<String>>());
        let task = match client.start_capacity_task(&start, false).await {
            Ok(task) => {
                tracing::info!(task = %task.id, outpost = %start.outpost_identifier, "capacity task started");
                task
            }
            Err(error) => {
                match adopt_after_failed_start(client, &start, active_before.as_ref(), &error).await
                {
                    Some(task) => {
                        tracing::warn!(task = %task.id, %error, "adopting the task our own StartCapacityTask created (its response was lost)");
                        task
                    }
                    None => {
                        let unchecked = active_before.as_ref().err().map(|e| e.to_string());
                        return ApplyResponse::failed(
                            start_failure(client, &start, error, unchecked).await,
                        );
                    }
                }
            }
        };
        let mut state = state_from_task(&config, &task);
        let timeout = timeout_of(&config, "create", DEFAULT_CREATE_TIMEOUT);
        let diagnostics = wait_into_state(ctx, client, &mut state, &task, timeout, true).await;
        ApplyResponse {
            new_state: Some(state),
            private: Vec::new(),
            diagnostics,
        }
    }

    async fn update(
        &self,
        ctx: &Context<OutpostsClient>,
        request: ApplyRequest<CapacityTaskState>,
    ) -> ApplyResponse<CapacityTaskState> {
        let Some(prior) = request.prior_state else {
            return ApplyResponse::failed(Diagnostic::error(
                "Missing prior state",
                "update without a prior state",
            ));
        };
        let config = match typed_config(&request.config) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        // In place, only settings that do not describe the task change, and the task's
        // pools and exclusions take the configuration's order (they are equal as sets,
        // or the plan would have replaced the task).
        let mut state = CapacityTaskState {
            dry_run_on_plan: config.dry_run_on_plan,
            timeouts: config.timeouts.clone(),
            instance_pool: config.instance_pool.clone(),
            instances_to_exclude: config.instances_to_exclude.clone(),
            ..prior
        };
        let running = state
            .status
            .as_deref()
            .is_some_and(|s| !CapacityTaskStatus::parse(s).is_terminal());
        if !running {
            return ApplyResponse::ok(state);
        }
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => {
                return ApplyResponse {
                    new_state: Some(state),
                    private: Vec::new(),
                    diagnostics: d.into(),
                };
            }
        };
        let (Some(task_id), outpost) = (
            state.capacity_task_id.clone(),
            state.outpost_identifier.clone(),
        ) else {
            return ApplyResponse::ok(state);
        };
        tracing::info!(task = %task_id, "resuming the wait for a capacity task started earlier");
        let task = match client.get_capacity_task(&outpost, &task_id).await {
            Ok(task) => task,
            Err(error) => {
                let mut d = Diagnostics::new();
                d.error(
                    "Could not read the capacity task",
                    format!("Reading {task_id} failed: {error}"),
                );
                return ApplyResponse {
                    new_state: Some(state),
                    private: Vec::new(),
                    diagnostics: d,
                };
            }
        };
        refresh_state(&mut state, &task);
        let timeout = timeout_of(&config, "create", DEFAULT_CREATE_TIMEOUT);
        let diagnostics = wait_into_state(ctx, client, &mut state, &task, timeout, false).await;
        ApplyResponse {
            new_state: Some(state),
            private: Vec::new(),
            diagnostics,
        }
    }

    async fn delete(
        &self,
        ctx: &Context<OutpostsClient>,
        state: CapacityTaskState,
        _private: Vec<u8>,
    ) -> Diagnostics {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        let Some(task_id) = state.capacity_task_id.clone() else {
            return Diagnostics::new();
        };
        let outpost = state.outpost_identifier.clone();
        let task = match client.get_capacity_task(&outpost, &task_id).await {
            Ok(task) => task,
            Err(OutpostsError::NotFound(_)) => return Diagnostics::new(),
            Err(error) => {
                return Diagnostic::error(
                    "Could not read the capacity task",
                    format!("Reading {task_id} before deleting it failed: {error}"),
                )
                .into();
            }
        };
        match &task.status {
            s if s.is_terminal() => {
                tracing::info!(task = %task_id, status = %s, "capacity task finished; forgetting it");
                return Diagnostics::new();
            }
            s if s.is_cancellable() => {
                tracing::info!(task = %task_id, status = %s, "cancelling capacity task");
                if let Err(error) = client.cancel_capacity_task(&outpost, &task_id).await {
                    return cancel_failure(client, &outpost, &task_id, error).await;
                }
            }
            CapacityTaskStatus::CancellationInProgress => {}
            s => {
                return Diagnostic::error(
                    "Capacity task can no longer be cancelled",
                    format!(
                        "Capacity task {task_id} is {s}: AWS is changing the Outpost's hardware and \
                         does not allow cancelling it now. It stays in state. Wait for it to finish \
                         (terraform apply -refresh-only shows its status), then destroy again."
                    ),
                )
                .into();
            }
        }
        let timeout = timeout_of(&state, "delete", DEFAULT_DELETE_TIMEOUT);
        // A cancellation takes seconds to minutes whatever the task's age: poll from the
        // short end of the schedule.
        let wait = WaitFor::new(timeout, ctx.stop());
        match wait_for_terminal_status(wait, || client.get_capacity_task(&outpost, &task_id)).await {
            WaitOutcome::Terminal(done) => {
                tracing::info!(task = %task_id, status = %done.status, "capacity task gone");
                Diagnostics::new()
            }
            WaitOutcome::Failed(OutpostsError::NotFound(_), _) => Diagnostics::new(),
            WaitOutcome::TimedOut(last) => Diagnostic::error(
                "Timed out waiting for the cancellation",
                format!(
                    "Capacity task {task_id} was still {} after {}. It stays in state; run terraform \
                     destroy again to keep waiting, or raise timeouts.delete.",
                    last.map(|t| t.status.to_string()).unwrap_or_else(|| "unknown".into()),
                    format_duration(timeout)
                ),
            )
            .into(),
            WaitOutcome::Stopped(_) => Diagnostic::error(
                "Interrupted",
                format!("Stopped while waiting for capacity task {task_id} to be cancelled; it stays in state."),
            )
            .into(),
            WaitOutcome::Failed(error, _) => Diagnostic::error(
                "Waiting for the cancellation failed",
                format!("Capacity task {task_id}: {error}"),
            )
            .into(),
        }
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        mut state: CapacityTaskState,
        private: Vec<u8>,
    ) -> ReadResponse<CapacityTaskState> {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(d) => {
                return ReadResponse {
                    new_state: None,
                    private,
                    diagnostics: d.into(),
                };
            }
        };
        let Some(task_id) = state.capacity_task_id.clone() else {
            return ReadResponse {
                new_state: Some(state),
                private,
                diagnostics: Diagnostics::new(),
            };
        };
        match client
            .get_capacity_task(&state.outpost_identifier, &task_id)
            .await
        {
            Ok(task) => {
                refresh_state(&mut state, &task);
                ReadResponse {
                    new_state: Some(state),
                    private,
                    diagnostics: Diagnostics::new(),
                }
            }
            // Right after StartCapacityTask, GetCapacityTask may not see the task yet; a
            // task already seen finished that is not found is really gone.
            Err(OutpostsError::NotFound(_))
                if !state_is_terminal(&state) && recently_created(&state) =>
            {
                tracing::debug!(task = %task_id, "capacity task not visible yet; keeping it");
                ReadResponse {
                    new_state: Some(state),
                    private,
                    diagnostics: Diagnostics::new(),
                }
            }
            Err(OutpostsError::NotFound(_)) => {
                tracing::warn!(task = %task_id, "capacity task no longer exists; removing it from state");
                ReadResponse {
                    new_state: None,
                    private,
                    diagnostics: Diagnostics::new(),
                }
            }
            Err(error) => {
                let mut d = Diagnostics::new();
                d.error(
                    "Could not read the capacity task",
                    format!("Reading {task_id} failed: {error}"),
                );
                ReadResponse {
                    new_state: None,
                    private,
                    diagnostics: d,
                }
            }
        }
    }

    async fn import(
        &self,
        ctx: &Context<OutpostsClient>,
        id: &str,
    ) -> Result<CapacityTaskState, Diagnostics> {
        let (outpost, task_id) =
            ids::parse_import_id(id).map_err(|e| Diagnostic::error("Invalid import ID", e))?;
        let client = ctx.client()?;
        let task = client
            .get_capacity_task(&outpost, &task_id)
            .await
            .map_err(|error| {
                Diagnostic::error(
                    "Cannot import the capacity task",
                    format!("Reading {task_id} on {outpost} failed: {error}"),
                )
            })?;
        let mut state = CapacityTaskState {
            outpost_identifier: outpost,
            instance_pool: task
                .instance_pools
                .iter()
                .map(|p| InstancePoolBlock {
                    instance_type: p.instance_type.clone(),
                    count: i64::from(p.count),
                })
                .collect(),
            instances_to_exclude: exclude_blocks(&task.instances_to_exclude),
            ..CapacityTaskState::default()
        };
        refresh_state(&mut state, &task);
        Ok(state)
    }
}

fn typed_config(config: &Value) -> Result<CapacityTaskState, Diagnostic> {
    value::to_serde(config, &schema::schema().value_type())
        .map_err(|e| Diagnostic::error("Invalid configuration", e.to_string()))
}

/// Whether a task argument is unchanged. Pools and exclusions are compared as sets, with
/// an absent list equal to an empty one: an imported task must not look different from
/// a configuration that lists them in another order.
fn same_argument(name: &str, planned: Option<&Value>, prior: Option<&Value>) -> bool {
    match name {
        "instance_pool" | "instances_to_exclude" => planned.map(canonical) == prior.map(canonical),
        _ => planned == prior,
    }
}

/// A comparable rendering of a list of blocks: null and empty lists alike, lists sorted,
/// blocks with nothing in them dropped.
fn canonical(value: &Value) -> String {
    match value {
        Value::Null => "[]".to_string(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let mut parts: Vec<String> =
                items.iter().map(canonical).filter(|p| p != "{}").collect();
            parts.sort();
            format!("[{}]", parts.join(","))
        }
        Value::Object(members) => {
            let parts: Vec<String> = members
                .iter()
                .map(|(k, v)| (k, canonical(v)))
                .filter(|(_, v)| v != "[]")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => format!("{other:?}"),
    }
}

fn set(value: &mut Value, name: &str, member: Value) {
    if let Value::Object(members) = value {
        members.insert(name.to_string(), member);
    }
}

/// Computed values become unknown; optional ones the user left out come from AWS.
fn mark_unknown_for_create(planned: &mut Value, config: &Value) {
    for name in schema::COMPUTED {
        set(planned, name, Value::Unknown);
    }
    for name in ["order_id", "asset_id", "task_action_on_blocking_instances"] {
        if config.attr(name).is_none_or(Value::is_null) {
            set(planned, name, Value::Unknown);
        }
    }
}

/// The plan-time capacity check. Returns the planned private data recording the outcome.
async fn dry_run(
    ctx: &Context<OutpostsClient>,
    config: &Value,
    diagnostics: &mut Diagnostics,
) -> Vec<u8> {
    if config.attr("dry_run_on_plan").and_then(Value::as_bool) != Some(true) {
        return Vec::new();
    }
    let outcome = |s: &str| serde_json::json!({ "dry_run": s }).to_string().into_bytes();
    let unknown: Vec<String> = schema::TASK_ARGUMENTS
        .iter()
        .filter(|name| config.attr(name).is_some_and(|v| !v.is_fully_known()))
        .map(|name| name.to_string())
        .collect();
    if !unknown.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                "Capacity check skipped",
                format!(
                    "dry_run_on_plan is set, but {} will only be known during apply, so the plan \
                     cannot ask AWS whether the layout fits. Terraform plans again just before \
                     applying, and the check runs then.",
                    unknown.join(", ")
                ),
            )
            .at(AttributePath::attr("dry_run_on_plan")),
        );
        return outcome("skipped");
    }
    let client = match ctx.client() {
        Ok(c) => c,
        Err(d) => {
            diagnostics.push(
                Diagnostic::warning("Capacity check skipped", d.detail)
                    .at(AttributePath::attr("dry_run_on_plan")),
            );
            return outcome("skipped");
        }
    };
    let config: CapacityTaskState = match value::to_serde(config, &schema::schema().value_type()) {
        Ok(c) => c,
        Err(_) => return outcome("skipped"),
    };
    let start = start_request(&config);
    match client.start_capacity_task(&start, true).await {
        Ok(_) => {
            tracing::info!(outpost = %start.outpost_identifier, "dry run: the layout fits");
            outcome("fits")
        }
        Err(OutpostsError::Validation(message)) => {
            diagnostics.push(
                Diagnostic::error(
                    "Layout does not fit the Outpost",
                    format!("AWS checked this layout with a dry run and refused it: {message}"),
                )
                .at(pool_path_in(&message)),
            );
            outcome("does_not_fit")
        }
        Err(OutpostsError::NotFound(message)) => {
            diagnostics.push(
                Diagnostic::error(
                    "Outpost not found",
                    format!("The dry run could not find the Outpost: {message}"),
                )
                .at(AttributePath::attr("outpost_identifier")),
            );
            outcome("not_found")
        }
        Err(error @ OutpostsError::Conflict { .. }) => {
            diagnostics.push(
                Diagnostic::warning("Capacity check inconclusive", format!("Another capacity task is active: {error}. Applying now would fail with the same conflict."))
                    .at(AttributePath::attr(if config.order_id.is_some() { "order_id" } else { "outpost_identifier" })),
            );
            outcome("conflict")
        }
        Err(error) if error.is_transient() => {
            diagnostics.push(
                Diagnostic::warning(
                    "Capacity check skipped",
                    format!("The dry run could not reach AWS: {error}"),
                )
                .at(AttributePath::attr("dry_run_on_plan")),
            );
            outcome("skipped")
        }
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(
                    "Capacity check failed",
                    format!("The dry run failed: {error}"),
                )
                .at(AttributePath::attr("dry_run_on_plan")),
            );
            outcome("failed")
        }
    }
}

fn start_request(config: &CapacityTaskState) -> StartCapacityTask {
    let exclude = config
        .instances_to_exclude
        .first()
        .cloned()
        .unwrap_or_default();
    StartCapacityTask {
        outpost_identifier: config.outpost_identifier.clone(),
        order_id: config.order_id.clone(),
        asset_id: config.asset_id.clone(),
        instance_pools: config
            .instance_pool
            .iter()
            .map(|p| InstancePool {
                instance_type: p.instance_type.clone(),
                count: i32::try_from(p.count).unwrap_or(i32::MAX),
            })
            .collect(),
        instances_to_exclude: InstancesToExclude {
            instances: exclude.instances.unwrap_or_default(),
            account_ids: exclude.account_ids.unwrap_or_default(),
            services: exclude.services.unwrap_or_default(),
        },
        task_action_on_blocking_instances: config.task_action_on_blocking_instances.clone(),
    }
}

fn exclude_blocks(exclude: &InstancesToExclude) -> Vec<InstancesToExcludeBlock> {
    if exclude.is_empty() {
        return Vec::new();
    }
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    vec![InstancesToExcludeBlock {
        instances: some(&exclude.instances),
        account_ids: some(&exclude.account_ids),
        services: some(&exclude.services),
    }]
}

fn rfc3339(date: &Option<DateTime>) -> Option<String> {
    date.as_ref()
        .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

/// The state right after StartCapacityTask: the user's arguments as written, the rest
/// from AWS.
fn state_from_task(config: &CapacityTaskState, task: &CapacityTask) -> CapacityTaskState {
    let mut state = config.clone();
    refresh_state(&mut state, task);
    state
}

/// Copies what AWS reports into the state, keeping the user's arguments as written.
fn refresh_state(state: &mut CapacityTaskState, task: &CapacityTask) {
    let outpost_id = if task.outpost_id.is_empty() {
        ids::outpost_id(&state.outpost_identifier).to_string()
    } else {
        ids::outpost_id(&task.outpost_id).to_string()
    };
    state.id = Some(format!("{outpost_id}/{}", task.id));
    state.capacity_task_id = Some(task.id.clone());
    state.outpost_id = Some(outpost_id);
    if state.order_id.is_none() {
        state.order_id = task.order_id.clone();
    }
    if state.asset_id.is_none() {
        state.asset_id = task.asset_id.clone();
    }
    if state.task_action_on_blocking_instances.is_none() {
        state.task_action_on_blocking_instances = task.task_action_on_blocking_instances.clone();
    }
    state.status = Some(task.status.to_string());
    state.failure = task.failure.as_ref().map(|f| FailureState {
        kind: f.kind.clone(),
        reason: Some(f.reason.clone()),
    });
    state.creation_date = rfc3339(&task.creation_date).or(state.creation_date.take());
    state.completion_date = rfc3339(&task.completion_date);
    state.last_modified_date =
        rfc3339(&task.last_modified_date).or(state.last_modified_date.take());
}

fn timeout_of(state: &CapacityTaskState, which: &str, default: Duration) -> Duration {
    let text = state.timeouts.as_ref().and_then(|t| match which {
        "create" => t.create.clone(),
        _ => t.delete.clone(),
    });
    text.and_then(|t| crate::duration::parse(&t).ok())
        .unwrap_or(default)
}

/// How long ago AWS created the task, so a resumed wait polls at the right pace.
fn age_of(task: &CapacityTask) -> Duration {
    task.creation_date
        .and_then(|d| SystemTime::try_from(d).ok())
        .and_then(|created| SystemTime::now().duration_since(created).ok())
        .unwrap_or_default()
}

fn state_is_terminal(state: &CapacityTaskState) -> bool {
    state
        .status
        .as_deref()
        .is_some_and(|s| CapacityTaskStatus::parse(s).is_terminal())
}

/// The attribute an AWS validation message points at: messages name members such as
/// `instancePools.2.member.count` (1-based). Without one (a layout that does not fit as a
/// whole), the first pool's count. Terraform underlines attributes, not whole blocks.
fn pool_path_in(message: &str) -> AttributePath {
    let pools = AttributePath::attr("instance_pool");
    let first_count = pools.index(0).attribute("count");
    let Some(rest) = message.split("instancePools.").nth(1) else {
        return first_count;
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Some(index) = digits.parse::<i64>().ok().filter(|n| *n >= 1) else {
        return first_count;
    };
    let element = pools.index(index - 1);
    if rest[digits.len()..].starts_with(".member.instanceType") {
        element.attribute("instance_type")
    } else {
        element.attribute("count")
    }
}

fn recently_created(state: &CapacityTaskState) -> bool {
    state
        .creation_date
        .as_deref()
        .and_then(|d| DateTime::from_str(d, aws_smithy_types::date_time::Format::DateTime).ok())
        .and_then(|d| SystemTime::try_from(d).ok())
        .and_then(|created| SystemTime::now().duration_since(created).ok())
        .is_some_and(|age| age < NOT_FOUND_GRACE)
}

fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, (secs % 3600) / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// Waits for `task` and folds the outcome into `state`; the diagnostics say what
/// happened. The state always keeps the task.
async fn wait_into_state(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    state: &mut CapacityTaskState,
    task: &CapacityTask,
    timeout: Duration,
    just_started: bool,
) -> Diagnostics {
    let outpost = state.outpost_identifier.clone();
    let task_id = task.id.clone();
    if task.status.is_terminal() {
        return terminal_diagnostics(client, &outpost, task, just_started).await;
    }
    let mut wait = WaitFor::new(timeout, ctx.stop());
    wait.age_at_start = age_of(task);
    wait.not_found_grace = if just_started {
        NOT_FOUND_GRACE
    } else {
        Duration::ZERO
    };
    let outcome =
        wait_for_terminal_status(wait, || client.get_capacity_task(&outpost, &task_id)).await;
    match outcome {
        WaitOutcome::Terminal(done) => {
            refresh_state(state, &done);
            terminal_diagnostics(client, &outpost, &done, just_started).await
        }
        WaitOutcome::TimedOut(last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            let next = if just_started {
                "It keeps running at AWS and is saved in state, marked tainted. To keep waiting \
                 for this same task: `terraform untaint <address>`, then `terraform apply` \
                 (optionally with a longer timeouts.create). Applying without untainting \
                 cancels it, if it can still be cancelled, and starts a new one."
            } else {
                "It keeps running at AWS and stays in state; `terraform apply` keeps waiting \
                 for it (optionally with a longer timeouts.create)."
            };
            Diagnostic::error(
                "Timed out waiting for the capacity task",
                format!(
                    "Capacity task {task_id} is still {} after {}. {next}",
                    state.status.as_deref().unwrap_or("running"),
                    format_duration(timeout)
                ),
            )
            .into()
        }
        WaitOutcome::Stopped(last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            Diagnostic::warning(
                "Stopped waiting for the capacity task",
                format!(
                    "Terraform was interrupted. Capacity task {task_id} is still {} at AWS and is \
                     saved in state; it was not cancelled. The next terraform apply keeps waiting \
                     for this same task.",
                    state.status.as_deref().unwrap_or("running")
                ),
            )
            .into()
        }
        WaitOutcome::Failed(error, last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            let next = if just_started {
                "The task is saved in state, marked tainted. Once the cause is fixed, keep \
                 waiting for this same task with `terraform untaint <address>` and then \
                 `terraform apply`; applying without untainting cancels it, if it can still be \
                 cancelled, and starts a new one."
            } else {
                "The task stays in state; `terraform apply` checks it again once the cause is fixed."
            };
            Diagnostic::error(
                "Lost track of the capacity task",
                format!("Waiting for capacity task {task_id} failed: {error}. {next}"),
            )
            .into()
        }
    }
}

/// Diagnostics for a task that finished: nothing for COMPLETED, an error explaining
/// FAILED (with the blocking instances) or CANCELLED.
async fn terminal_diagnostics(
    client: &OutpostsClient,
    outpost: &str,
    task: &CapacityTask,
    just_started: bool,
) -> Diagnostics {
    let next = if just_started {
        "The task is saved in state, marked tainted: the next apply starts a new task."
    } else {
        "It stays in state, and the next plan replaces it with a new task."
    };
    match &task.status {
        CapacityTaskStatus::Completed => Diagnostics::new(),
        CapacityTaskStatus::Cancelled => Diagnostic::error(
            "Capacity task cancelled",
            format!(
                "Capacity task {} was cancelled outside Terraform before it completed. {next}",
                task.id
            ),
        )
        .into(),
        _ => {
            let kind = task
                .failure
                .as_ref()
                .and_then(|f| f.kind.clone())
                .unwrap_or_else(|| "UNKNOWN".into());
            let reason = task
                .failure
                .as_ref()
                .map(|f| f.reason.clone())
                .unwrap_or_default();
            let mut detail = format!("Capacity task {} failed: {kind}: {reason}", task.id);
            if kind == "BLOCKING_INSTANCES_NOT_EVACUATED" {
                match client.list_blocking_instances(outpost, &task.id).await {
                    Ok(instances) if !instances.is_empty() => {
                        detail.push_str("\n\nInstances that blocked the change:");
                        for i in instances {
                            detail.push_str(&format!(
                                "\n  - {} (account {}, service {})",
                                i.instance_id,
                                i.account_id.as_deref().unwrap_or("unknown"),
                                i.service.as_deref().unwrap_or("unknown")
                            ));
                        }
                        detail.push_str(
                            "\n\nStop or move them, or list them in instances_to_exclude, or use \
                             task_action_on_blocking_instances = \"WAIT_FOR_EVACUATION\".",
                        );
                    }
                    Ok(_) => {}
                    Err(error) => detail.push_str(&format!(
                        "\n\n(Listing the blocking instances failed: {error})"
                    )),
                }
            }
            detail.push_str(&format!(
                "\n\n{next} Fix the configuration first if the failure calls for it."
            ));
            let path = if kind == "UNSUPPORTED_CAPACITY_CONFIGURATION" {
                pool_path_in(&reason)
            } else {
                AttributePath::root()
            };
            Diagnostic::error("Capacity task failed", detail)
                .at(path)
                .into()
        }
    }
}

/// When StartCapacityTask failed with a conflict or a lost response, the task may be
/// the one this very request created. A task is adopted only when it was not active
/// before the request and asks for exactly this task.
async fn adopt_after_failed_start(
    client: &OutpostsClient,
    start: &StartCapacityTask,
    active_before: Result<&HashSet<String>, &OutpostsError>,
    error: &OutpostsError,
) -> Option<CapacityTask> {
    if !matches!(error, OutpostsError::Conflict { .. }) && !error.is_transient() {
        return None;
    }
    // Without the list from before the request, a match could be someone else's task.
    let before = active_before.ok()?;
    let active = client
        .list_active_capacity_tasks(&start.outpost_identifier)
        .await
        .ok()?;
    for summary in active.into_iter().filter(|t| !before.contains(&t.id)) {
        // Right after a start GetCapacityTask may not see the task yet.
        for attempt in 0..5u32 {
            match client
                .get_capacity_task(&start.outpost_identifier, &summary.id)
                .await
            {
                Ok(task) if same_request(start, &task) => return Some(task),
                Err(OutpostsError::NotFound(_)) if attempt < 4 => {
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                }
                _ => break,
            }
        }
    }
    None
}

fn same_request(start: &StartCapacityTask, task: &CapacityTask) -> bool {
    let sorted = |pools: &[InstancePool]| {
        let mut v: Vec<(String, i32)> = pools
            .iter()
            .map(|p| (p.instance_type.clone(), p.count))
            .collect();
        v.sort();
        v
    };
    let set = |v: &[String]| {
        v.iter()
            .cloned()
            .collect::<std::collections::BTreeSet<String>>()
    };
    let (ours, theirs) = (&start.instances_to_exclude, &task.instances_to_exclude);
    // Arguments we left to AWS may come back filled in; the ones we set must match.
    let matches = |ours: &Option<String>, theirs: &Option<String>| ours.is_none() || ours == theirs;
    matches(&start.order_id, &task.order_id)
        && matches(&start.asset_id, &task.asset_id)
        && matches(
            &start.task_action_on_blocking_instances,
            &task.task_action_on_blocking_instances,
        )
        && sorted(&start.instance_pools) == sorted(&task.instance_pools)
        && set(&ours.instances) == set(&theirs.instances)
        && set(&ours.account_ids) == set(&theirs.account_ids)
        && set(&ours.services) == set(&theirs.services)
}

/// Explains a StartCapacityTask failure; a conflict names the active task and the
/// import command.
async fn start_failure(
    client: &OutpostsClient,
    start: &StartCapacityTask,
    error: OutpostsError,
    unchecked: Option<String>,
) -> Diagnostic {
    let outpost = &start.outpost_identifier;
    match error {
        OutpostsError::Conflict { message, .. } => {
            let active = client
                .list_active_capacity_tasks(outpost)
                .await
                .unwrap_or_default();
            let mut detail = format!(
                "AWS allows one active capacity task per order and per Outpost, and refused a new one: {message}"
            );
            if active.is_empty() {
                detail.push_str(
                    "\n\nNo active task is visible now; it may have just finished. Apply again.",
                );
            }
            for task in active {
                let id = format!("{}/{}", ids::outpost_id(&task.outpost_id), task.id);
                detail.push_str(&format!(
                    "\n\nActive task: {} ({}{}). Wait for it to finish, cancel it, or manage it with \
                     Terraform:\n  terraform import <address> {id}\nor an import block:\n  import {{\n    to = <address>\n    id = \"{id}\"\n  }}",
                    task.id,
                    task.status,
                    task.order_id.map(|o| format!(", order {o}")).unwrap_or_default(),
                ));
            }
            Diagnostic::error("Another capacity task is active", detail)
                .at(AttributePath::attr("outpost_identifier"))
        }
        OutpostsError::NotFound(message) => {
            let order_missing = start
                .order_id
                .as_deref()
                .is_some_and(|order| message.contains(order));
            Diagnostic::error(
                "Outpost or order not found",
                format!("StartCapacityTask could not find what it was given: {message}"),
            )
            .at(AttributePath::attr(if order_missing {
                "order_id"
            } else {
                "outpost_identifier"
            }))
        }
        OutpostsError::Validation(message) => {
            let path = pool_path_in(&message);
            Diagnostic::error(
                "AWS refused the capacity task",
                format!("StartCapacityTask rejected the request: {message}"),
            )
            .at(path)
        }
        other => {
            let started = match unchecked {
                None => "No task was found for this request, so none was started.".to_string(),
                Some(list_error) => format!(
                    "Whether AWS started a task could not be checked ({list_error}): look for an \
                     active capacity task on {outpost} before applying again, and import it if \
                     there is one."
                ),
            };
            Diagnostic::error(
                "Could not start the capacity task",
                format!("StartCapacityTask failed: {other}. {started}"),
            )
        }
    }
}

async fn cancel_failure(
    client: &OutpostsClient,
    outpost: &str,
    task_id: &str,
    error: OutpostsError,
) -> Diagnostics {
    // The task may have moved on between our read and the cancel.
    if let Ok(task) = client.get_capacity_task(outpost, task_id).await
        && task.status.is_terminal()
    {
        return Diagnostics::new();
    }
    Diagnostic::error(
        "Could not cancel the capacity task",
        format!(
            "CancelCapacityTask for {task_id} failed: {error}. A task that reached IN_PROGRESS can no \
             longer be cancelled; it stays in state. Wait for it to finish, then destroy again."
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_point_at_the_pool_they_name() {
        let at = |m: &str| pool_path_in(m).to_string();
        assert_eq!(
            at("Value at 'instancePools.2.member.count' failed"),
            "instance_pool[1].count"
        );
        assert_eq!(
            at("at 'instancePools.1.member.instanceType'"),
            "instance_pool[0].instance_type"
        );
        assert_eq!(
            at("needs 1600 vCPUs (at 'instancePools')"),
            "instance_pool[0].count"
        );
        assert_eq!(at("instancePools.0.member"), "instance_pool[0].count");
    }

    #[test]
    fn durations_read_like_terraform_timeouts() {
        assert_eq!(format_duration(Duration::from_secs(45)), "45s");
        assert_eq!(format_duration(Duration::from_secs(1800)), "30m");
        assert_eq!(format_duration(Duration::from_secs(12 * 3600)), "12h");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn adoption_compares_layouts_regardless_of_order() {
        let start = StartCapacityTask {
            outpost_identifier: "op-0123456789abcdef0".into(),
            order_id: Some("oo-0123456789abcdef0".into()),
            asset_id: None,
            instance_pools: vec![
                InstancePool {
                    instance_type: "c5.large".into(),
                    count: 2,
                },
                InstancePool {
                    instance_type: "m5.large".into(),
                    count: 1,
                },
            ],
            instances_to_exclude: InstancesToExclude::default(),
            task_action_on_blocking_instances: None,
        };
        let mut task = CapacityTask {
            id: "cap-0123456789abcdef0".into(),
            outpost_id: "op-0123456789abcdef0".into(),
            order_id: Some("oo-0123456789abcdef0".into()),
            asset_id: None,
            instance_pools: vec![
                InstancePool {
                    instance_type: "m5.large".into(),
                    count: 1,
                },
                InstancePool {
                    instance_type: "c5.large".into(),
                    count: 2,
                },
            ],
            instances_to_exclude: InstancesToExclude::default(),
            task_action_on_blocking_instances: None,
            dry_run: false,
            status: CapacityTaskStatus::Requested,
            failure: None,
            creation_date: None,
            completion_date: None,
            last_modified_date: None,
        };
        assert!(same_request(&start, &task));
        task.instance_pools[0].count = 2;
        assert!(!same_request(&start, &task));
    }
}
