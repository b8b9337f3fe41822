//! The schema of `outposts_capacity_task` and its state as a serde struct. The schema is
//! declared once and feeds validation, planning and the generated docs.

use super::plan::{same_argument, same_shape};
use crate::checks::{self, in_code_listed, task_statuses_listed};
use crate::layout;
pub use crate::layout::{InstancePoolBlock, InstancesToExcludeBlock};
use crate::layout::{
    Layout, failure_type, instance_pool_block, instances_to_exclude_block, task_dates,
};
use crate::outposts::task::{CapacityTaskStatus, TASK_ACTIONS};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tfplugin::plan_modifiers::{SharedPlanModifier, requires_replace_if, use_state_for_unknown};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::timeouts::{Operation, Timeouts};
use tfplugin::value::Value;

pub const TYPE_NAME: &str = "outposts_capacity_task";

/// The arguments that describe the task to AWS: changing any starts a new task.
pub const TASK_ARGUMENTS: [&str; 6] = [
    "outpost_identifier",
    "order_id",
    "asset_id",
    "instance_pool",
    "instances_to_exclude",
    "task_action_on_blocking_instances",
];

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "A capacity task: the EC2 instance layout of an Outpost rack (by order) or server \
             (by asset). Creating it starts the task with `StartCapacityTask` and waits until \
             it completes, fails or is cancelled. Every argument change starts a new task. \
             If the wait is interrupted (Ctrl-C) the task stays in state and the next apply \
             keeps waiting for it; destroying an unfinished task cancels it.",
        )
        .attribute(
            Attribute::string("outpost_identifier")
                .required()
                .validator(checks::id("outpost_identifier"))
                .starts_a_new_task()
                .description(
                    "ID (`op-...`) or ARN of the Outpost, of the provider's region. Kept \
                     exactly as written.",
                ),
        )
        .attribute(
            Attribute::string("order_id")
                .optional()
                .computed()
                .validator(checks::id("order_id"))
                .plan_modifier(use_state_for_unknown())
                .starts_a_new_task()
                .description("ID (`oo-...`) of the Outposts rack order the layout applies to."),
        )
        .attribute(
            Attribute::string("asset_id")
                .optional()
                .computed()
                .validator(checks::id("asset_id"))
                .validator(layout::order_or_asset())
                .plan_modifier(use_state_for_unknown())
                .starts_a_new_task()
                .description("10-digit ID of the Outposts server the layout applies to."),
        )
        .attribute(
            Attribute::string("task_action_on_blocking_instances")
                .optional()
                .computed()
                .validator(layout::task_action())
                .plan_modifier(use_state_for_unknown())
                .starts_a_new_task()
                .description(format!(
                    "What to do when running instances block the change: {}. \
                     `WAIT_FOR_EVACUATION` waits until they are stopped or moved. AWS \
                     chooses when unset.",
                    in_code_listed(TASK_ACTIONS)
                )),
        )
        .attribute(Attribute::bool("dry_run_on_plan").optional().description(
            "When `true`, `terraform plan` asks AWS (`StartCapacityTask` with `DryRun`) \
             whether the layout fits the Outpost's capacity, and fails the plan on \
             `instance_pool` when it does not. Changing it does not start a new task.",
        ))
        .attribute(
            Attribute::string("id")
                .computed()
                .plan_modifier(use_state_for_unknown())
                .description(
                    "`<outpost ID>/<capacity task ID>`, the form `terraform import` takes.",
                ),
        )
        .attribute(
            Attribute::string("capacity_task_id")
                .computed()
                .plan_modifier(use_state_for_unknown())
                .description("ID of the capacity task (`cap-...`)."),
        )
        .attribute(
            Attribute::string("outpost_id")
                .computed()
                .plan_modifier(use_state_for_unknown())
                .description(
                    "ID of the Outpost (`op-...`), also when `outpost_identifier` is an ARN.",
                ),
        )
        // The status, the failure and the dates are kept by an update in place (of
        // `dry_run_on_plan` or `timeouts`); the resource's own plan makes them unknown
        // while the task runs, and for a new task.
        .attribute(
            Attribute::string("status")
                .computed()
                .plan_modifier(use_state_for_unknown())
                .description(format!("Last known status: {}.", task_statuses_listed())),
        )
        .attribute(
            Attribute::new("failure", failure_type())
                .computed()
                .plan_modifier(use_state_for_unknown())
                .description(
                    "Why the task failed (`type`, `reason`); null unless `status` is `FAILED`.",
                ),
        )
        .attributes(task_dates().map(|date| date.plan_modifier(use_state_for_unknown())))
        .block(instance_pool_block().starts_a_new_task())
        .block(instances_to_exclude_block().starts_a_new_task())
        .block(Timeouts::block_described(
            &[
                (
                    CREATE,
                    "How long create (and a resumed wait) may wait for the task to finish. \
                     Default `12h`: large and `.metal` layouts take 8 to 12 hours.",
                ),
                (
                    DELETE,
                    "How long destroy may wait for a cancelled task to reach `CANCELLED`. \
                     Default `30m`.",
                ),
            ],
            "How long to wait, as durations such as `90m` or `12h`.",
        )),
    )
}

/// The rule of every argument that describes the task to AWS: changing it starts a new
/// task, but the same request written differently (an Outpost by ARN or by ID, pools or
/// exclusions in another order) plans the prior value and no change.
trait StartsANewTask: Sized {
    fn starts_a_new_task(self) -> Self;
}

/// Whether `configured` asks AWS for what `stored` asked; the prior value can stand in
/// for the planned one only with as many blocks.
fn same_request(name: String) -> impl Fn(&Value, &Value) -> bool + Send + Sync + 'static {
    move |stored, configured| {
        same_argument(&name, Some(configured), Some(stored)) && same_shape(Some(configured), stored)
    }
}

fn replaced_when_changed(name: String) -> SharedPlanModifier {
    requires_replace_if(
        "Changing it starts a new task; the same request written differently does not.",
        move |request, planned| !same_argument(&name, Some(planned), request.state),
    )
}

impl StartsANewTask for Attribute {
    fn starts_a_new_task(self) -> Self {
        let name = self.name.clone();
        self.equivalence(same_request(name.clone()))
            .plan_modifier(replaced_when_changed(name))
    }
}

impl StartsANewTask for NestedBlock {
    fn starts_a_new_task(self) -> Self {
        let name = self.type_name.clone();
        self.equivalence(same_request(name.clone()))
            .plan_modifier(replaced_when_changed(name))
    }
}

/// How long create (and a resumed wait) may wait: large and `.metal` layouts take 8 to
/// 12 hours.
pub const CREATE: Operation = Operation::new("create", Duration::from_secs(12 * 3600));
/// How long destroy may wait for a cancellation.
pub const DELETE: Operation = Operation::new("delete", Duration::from_secs(30 * 60));

/// The stored state of one capacity task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityTaskState {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub task_action_on_blocking_instances: Option<String>,
    pub dry_run_on_plan: Option<bool>,
    #[serde(default)]
    pub instance_pool: Vec<InstancePoolBlock>,
    #[serde(default)]
    pub instances_to_exclude: Vec<InstancesToExcludeBlock>,
    pub timeouts: Option<Timeouts>,
    pub id: Option<String>,
    pub capacity_task_id: Option<String>,
    pub outpost_id: Option<String>,
    pub status: Option<CapacityTaskStatus>,
    pub failure: Option<FailureState>,
    pub creation_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_modified_date: Option<String>,
}

impl CapacityTaskState {
    /// `timeouts.create`, else the default. Validation refused unreadable values.
    pub fn create_timeout(&self) -> Duration {
        Timeouts::get(&self.timeouts, CREATE)
    }

    /// `timeouts.delete`, else the default.
    pub fn delete_timeout(&self) -> Duration {
        Timeouts::get(&self.timeouts, DELETE)
    }

    /// The layout arguments, as the capacity check and StartCapacityTask take them.
    pub(crate) fn layout(&self) -> Layout {
        Layout {
            outpost_identifier: self.outpost_identifier.clone(),
            order_id: self.order_id.clone(),
            asset_id: self.asset_id.clone(),
            task_action_on_blocking_instances: self.task_action_on_blocking_instances.clone(),
            instance_pool: self.instance_pool.clone(),
            instances_to_exclude: self.instances_to_exclude.clone(),
        }
    }

    /// Whether the task in state may still change (its last known status is not final).
    pub fn is_running(&self) -> bool {
        self.status.as_ref().is_some_and(|s| !s.is_terminal())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureState {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub reason: Option<String>,
}
