//! The schema of `outposts_capacity_task` and its state as a serde struct. The schema is
//! declared once and feeds validation, planning and the generated docs.

use crate::outposts::task::CapacityTaskStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::Type;

pub const TYPE_NAME: &str = "outposts_capacity_task";

/// Computed attributes: unknown in a create plan, filled from AWS.
pub const COMPUTED: [&str; 8] = [
    "id",
    "capacity_task_id",
    "outpost_id",
    "status",
    "failure",
    "creation_date",
    "completion_date",
    "last_modified_date",
];

/// The arguments that describe the task to AWS: changing any starts a new task.
pub const TASK_ARGUMENTS: [&str; 6] = [
    "outpost_identifier",
    "order_id",
    "asset_id",
    "instance_pool",
    "instances_to_exclude",
    "task_action_on_blocking_instances",
];

/// A list of strings: the type of the ID lists here and in the data sources.
pub(crate) fn strings() -> Type {
    Type::List(Box::new(Type::String))
}

/// A task's dates, as the resource and the `outposts_capacity_task` data source show
/// them.
pub(crate) fn task_dates() -> [Attribute; 3] {
    [
        Attribute::computed(
            "creation_date",
            Type::String,
            "When the task was created (RFC 3339).",
        ),
        Attribute::computed(
            "completion_date",
            Type::String,
            "When the task finished (RFC 3339); null while it runs.",
        ),
        Attribute::computed(
            "last_modified_date",
            Type::String,
            "When the task last changed (RFC 3339).",
        ),
    ]
}

pub fn failure_type() -> Type {
    Type::Object(BTreeMap::from([
        ("type".to_string(), Type::String),
        ("reason".to_string(), Type::String),
    ]))
}

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
        .attribute(Attribute::required(
            "outpost_identifier",
            Type::String,
            "ID (`op-...`) or ARN of the Outpost, of the provider's region. Kept exactly as \
             written.",
        ))
        .attribute(Attribute::optional_computed(
            "order_id",
            Type::String,
            "ID (`oo-...`) of the Outposts rack order the layout applies to.",
        ))
        .attribute(Attribute::optional_computed(
            "asset_id",
            Type::String,
            "10-digit ID of the Outposts server the layout applies to.",
        ))
        .attribute(Attribute::optional_computed(
            "task_action_on_blocking_instances",
            Type::String,
            "What to do when running instances block the change: `WAIT_FOR_EVACUATION` \
             (wait until they are stopped or moved) or `FAIL_TASK`. AWS chooses when unset.",
        ))
        .attribute(Attribute::optional(
            "dry_run_on_plan",
            Type::Bool,
            "When `true`, `terraform plan` asks AWS (`StartCapacityTask` with `DryRun`) \
             whether the layout fits the Outpost's capacity, and fails the plan on \
             `instance_pool` when it does not. Changing it does not start a new task.",
        ))
        .attribute(Attribute::computed(
            "id",
            Type::String,
            "`<outpost ID>/<capacity task ID>`, the form `terraform import` takes.",
        ))
        .attribute(Attribute::computed(
            "capacity_task_id",
            Type::String,
            "ID of the capacity task (`cap-...`).",
        ))
        .attribute(Attribute::computed(
            "outpost_id",
            Type::String,
            "ID of the Outpost (`op-...`), also when `outpost_identifier` is an ARN.",
        ))
        .attribute(Attribute::computed(
            "status",
            Type::String,
            "Last known status: `REQUESTED`, `IN_PROGRESS`, `WAITING_FOR_EVACUATION`, \
             `CANCELLATION_IN_PROGRESS`, `COMPLETED`, `FAILED` or `CANCELLED`.",
        ))
        .attribute(Attribute::computed(
            "failure",
            failure_type(),
            "Why the task failed (`type`, `reason`); null unless `status` is `FAILED`.",
        ))
        .attributes(task_dates())
        .block(instance_pool_block())
        .block(instances_to_exclude_block())
        .block(NestedBlock::single(
            "timeouts",
            Block::new("How long to wait, as durations such as `90m` or `12h`.")
                .attribute(Attribute::optional(
                    "create",
                    Type::String,
                    "How long create (and a resumed wait) may wait for the task to finish. \
                     Default `12h`: large and `.metal` layouts take 8 to 12 hours.",
                ))
                .attribute(Attribute::optional(
                    "delete",
                    Type::String,
                    "How long destroy may wait for a cancelled task to reach `CANCELLED`. \
                     Default `30m`.",
                )),
        )),
    )
}

/// The `instance_pool` blocks: the layout. Shared with the `outposts_capacity_check`
/// data source, which takes the same layout.
pub(crate) fn instance_pool_block() -> NestedBlock {
    NestedBlock::list(
        "instance_pool",
        Block::new("How many instances of one type the layout holds. Repeat for each type.")
            .attribute(Attribute::required(
                "instance_type",
                Type::String,
                "EC2 instance type, e.g. `c5.4xlarge`. Each type may appear once.",
            ))
            .attribute(Attribute::required(
                "count",
                Type::Number,
                "Number of instances of this type, 0 to 9999.",
            )),
        1,
        0,
    )
}

/// The `instances_to_exclude` block, shared like [`instance_pool_block`].
pub(crate) fn instances_to_exclude_block() -> NestedBlock {
    NestedBlock::list(
        "instances_to_exclude",
        Block::new(
            "Running instances the task may ignore when deciding whether instances block it.",
        )
        .attribute(Attribute::optional(
            "instances",
            strings(),
            "Instance IDs (`i-...`).",
        ))
        .attribute(Attribute::optional(
            "account_ids",
            strings(),
            "12-digit AWS account IDs whose instances are excluded.",
        ))
        .attribute(Attribute::optional(
            "services",
            strings(),
            "AWS services whose instances are excluded: `AWS`, `EC2`, `EKS`, \
                 `ELASTICACHE`, `ELB`, `RDS`, `ROUTE53`.",
        )),
        0,
        1,
    )
}

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
    pub timeouts: Option<TimeoutsBlock>,
    pub id: Option<String>,
    pub capacity_task_id: Option<String>,
    pub outpost_id: Option<String>,
    pub status: Option<CapacityTaskStatus>,
    pub failure: Option<FailureState>,
    pub creation_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_modified_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancePoolBlock {
    pub instance_type: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstancesToExcludeBlock {
    pub instances: Option<Vec<String>>,
    pub account_ids: Option<Vec<String>>,
    pub services: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeoutsBlock {
    pub create: Option<String>,
    pub delete: Option<String>,
}

/// How long create (and a resumed wait) may wait: large and `.metal` layouts take 8 to
/// 12 hours.
pub const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(12 * 3600);
/// How long destroy may wait for a cancellation.
pub const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

impl CapacityTaskState {
    /// `timeouts.create`, else the default. Validation refused unreadable values.
    pub fn create_timeout(&self) -> Duration {
        self.timeout(|t| &t.create, DEFAULT_CREATE_TIMEOUT)
    }

    /// `timeouts.delete`, else the default.
    pub fn delete_timeout(&self) -> Duration {
        self.timeout(|t| &t.delete, DEFAULT_DELETE_TIMEOUT)
    }

    fn timeout(&self, which: fn(&TimeoutsBlock) -> &Option<String>, default: Duration) -> Duration {
        self.timeouts
            .as_ref()
            .and_then(|t| which(t).as_deref())
            .and_then(|text| tfplugin::duration::parse(text).ok())
            .unwrap_or(default)
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
