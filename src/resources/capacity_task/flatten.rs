//! Between the API and the state: the StartCapacityTask request a configuration asks
//! for (expand), and what AWS reports folded into the state (flatten). The user's
//! arguments are kept as written; only what AWS decides is copied in.

use super::schema::{CapacityTaskState, FailureState};
use crate::layout::{self, InstancePoolBlock, InstancesToExcludeBlock};
use crate::outposts::ids;
use crate::outposts::task::{
    CapacityTask, CapacityTaskSummary, InstancePool, InstancesToExclude, StartCapacityTask,
};
use crate::outposts::time::{parse_rfc3339, rfc3339};
use std::time::{Duration, SystemTime};
use tfplugin::value::Value;

/// The StartCapacityTask request a configuration describes: its layout's.
pub(super) fn start_request(config: &CapacityTaskState) -> StartCapacityTask {
    layout::start_request(&config.layout())
}

/// The request the task arguments of a configuration or state object describe, as
/// [`start_request`] but read from the value itself: absent and null lists and
/// strings are empty. `None` while any of it is unknown, or not what the schema allows.
pub(super) fn request_in(object: &Value) -> Option<StartCapacityTask> {
    let text = |name: &str| -> Option<Option<String>> {
        match object.attr(name).filter(|v| !v.is_null()) {
            None => Some(None),
            Some(v) => v.as_str().map(|s| Some(s.to_string())),
        }
    };
    let blocks = |name: &str| -> Option<&[Value]> {
        match object.attr(name).filter(|v| !v.is_null()) {
            None => Some(&[]),
            Some(v) => v.as_list(),
        }
    };
    let strings = |block: &Value, name: &str| -> Option<Vec<String>> {
        match block.attr(name).filter(|v| !v.is_null()) {
            None => Some(Vec::new()),
            Some(v) => v
                .as_list()?
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect(),
        }
    };
    let instance_pools = blocks("instance_pool")?
        .iter()
        .map(|pool| {
            Some(InstancePool {
                instance_type: pool.attr("instance_type")?.as_str()?.to_string(),
                count: i32::try_from(pool.attr("count")?.as_i64()?).ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let instances_to_exclude = match blocks("instances_to_exclude")? {
        [] => InstancesToExclude::default(),
        [block] => InstancesToExclude {
            instances: strings(block, "instances")?,
            account_ids: strings(block, "account_ids")?,
            services: strings(block, "services")?,
        },
        _ => return None,
    };
    Some(StartCapacityTask {
        outpost_identifier: text("outpost_identifier")?.unwrap_or_default(),
        order_id: text("order_id")?,
        asset_id: text("asset_id")?,
        instance_pools,
        instances_to_exclude,
        task_action_on_blocking_instances: text("task_action_on_blocking_instances")?,
    })
}

/// The state of a task adopted by import: its arguments as AWS reports them.
pub(super) fn imported_state(outpost_identifier: String, task: &CapacityTask) -> CapacityTaskState {
    let mut state = CapacityTaskState {
        outpost_identifier,
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
    refresh_state(&mut state, task);
    state
}

/// The state of a task the list resource found, from what GetCapacityTask reports: the
/// state an import of it gives.
pub(crate) fn listed_state(outpost_identifier: String, task: &CapacityTask) -> CapacityTaskState {
    imported_state(outpost_identifier, task)
}

/// What one line of ListCapacityTasks tells of a task, as a state: its IDs, order or
/// asset, status and dates, without the layout (no pools, exclusions or action), which
/// only GetCapacityTask reports. Enough for the task's identity and name; not a state
/// to manage the task with.
pub(crate) fn summary_state(
    outpost_identifier: String,
    summary: &CapacityTaskSummary,
) -> CapacityTaskState {
    let task = CapacityTask {
        id: summary.id.clone(),
        outpost_id: summary.outpost_id.clone(),
        order_id: summary.order_id.clone(),
        asset_id: summary.asset_id.clone(),
        instance_pools: Vec::new(),
        instances_to_exclude: InstancesToExclude::default(),
        task_action_on_blocking_instances: None,
        dry_run: false,
        status: summary.status.clone(),
        failure: None,
        creation_date: summary.creation_date,
        completion_date: summary.completion_date,
        last_modified_date: summary.last_modified_date,
    };
    imported_state(outpost_identifier, &task)
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

/// The state right after StartCapacityTask: the user's arguments as written, the rest
/// from AWS.
pub(super) fn state_from_task(
    config: &CapacityTaskState,
    task: &CapacityTask,
) -> CapacityTaskState {
    let mut state = config.clone();
    refresh_state(&mut state, task);
    state
}

/// Copies what AWS reports into the state, keeping the user's arguments as written.
pub(super) fn refresh_state(state: &mut CapacityTaskState, task: &CapacityTask) {
    let outpost_id = if task.outpost_id.is_empty() {
        ids::outpost_id(&state.outpost_identifier).to_string()
    } else {
        ids::outpost_id(&task.outpost_id).to_string()
    };
    state.id = Some(format!("{outpost_id}/{}", task.id));
    state.capacity_task_id = Some(task.id.clone());
    state.outpost_id = Some(outpost_id);
    // A task names an order or an asset. With one of them in the configuration, the
    // other stays null, as planned, whatever AWS reports besides.
    if state.order_id.is_none() && state.asset_id.is_none() {
        state.order_id = task.order_id.clone();
        state.asset_id = task.asset_id.clone();
    }
    if state.task_action_on_blocking_instances.is_none() {
        state.task_action_on_blocking_instances = task.task_action_on_blocking_instances.clone();
    }
    state.status = Some(task.status.clone());
    state.failure = task.failure.as_ref().map(|f| FailureState {
        kind: f.kind.clone(),
        reason: Some(f.reason.clone()),
    });
    state.creation_date = task
        .creation_date
        .map(rfc3339)
        .or(state.creation_date.take());
    state.completion_date = task.completion_date.map(rfc3339);
    state.last_modified_date = task
        .last_modified_date
        .map(rfc3339)
        .or(state.last_modified_date.take());
}

/// How long ago AWS created the task, so a resumed wait polls at the right pace.
pub(super) fn age_of(task: &CapacityTask) -> Duration {
    task.creation_date
        .and_then(|created| SystemTime::now().duration_since(created).ok())
        .unwrap_or_default()
}

/// Whether the task in state was created less than `grace` ago.
pub(super) fn created_within(state: &CapacityTaskState, grace: Duration) -> bool {
    state
        .creation_date
        .as_deref()
        .and_then(parse_rfc3339)
        .and_then(|created| SystemTime::now().duration_since(created).ok())
        .is_some_and(|age| age < grace)
}
