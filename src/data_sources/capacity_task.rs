//! Data source `outposts_capacity_task`: one capacity task with every field AWS reports,
//! and the instances that block it while it waits for evacuation. For watching a task
//! another workspace owns, or one started outside Terraform.

use super::{call_within, list_of, object, strings};
use crate::checks;
use crate::checks::{in_code_listed, task_statuses_listed};
use crate::layout::{failure_type, task_dates};
use crate::outposts::OutpostsClient;
use crate::outposts::task::{CapacityTask, CapacityTaskStatus, TASK_ACTIONS};
use crate::outposts::time::rfc3339;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

pub struct CapacityTaskDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct CapacityTaskDataState {
    pub outpost_identifier: String,
    pub capacity_task_id: String,
    pub id: Option<String>,
    pub outpost_id: Option<String>,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub instance_pools: Vec<PoolItem>,
    pub instances_to_exclude: Option<ExcludeItem>,
    pub task_action_on_blocking_instances: Option<String>,
    pub status: Option<String>,
    pub failure: Option<FailureItem>,
    pub creation_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_modified_date: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub blocking_instances: Vec<BlockingItem>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PoolItem {
    pub instance_type: String,
    pub count: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExcludeItem {
    pub instances: Vec<String>,
    pub account_ids: Vec<String>,
    pub services: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FailureItem {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BlockingItem {
    pub instance_id: String,
    pub account_id: Option<String>,
    pub service: Option<String>,
}

fn fill(state: &mut CapacityTaskDataState, task: CapacityTask) {
    state.id = Some(format!("{}/{}", task.outpost_id, task.id));
    state.outpost_id = Some(task.outpost_id);
    state.order_id = task.order_id;
    state.asset_id = task.asset_id;
    state.instance_pools = task
        .instance_pools
        .into_iter()
        .map(|p| PoolItem {
            instance_type: p.instance_type,
            count: i64::from(p.count),
        })
        .collect();
    let exclude = task.instances_to_exclude;
    state.instances_to_exclude = (!exclude.is_empty()).then_some(ExcludeItem {
        instances: exclude.instances,
        account_ids: exclude.account_ids,
        services: exclude.services,
    });
    state.task_action_on_blocking_instances = task.task_action_on_blocking_instances;
    state.status = Some(task.status.to_string());
    state.failure = task.failure.map(|f| FailureItem {
        kind: f.kind,
        reason: f.reason,
    });
    state.creation_date = task.creation_date.map(rfc3339);
    state.completion_date = task.completion_date.map(rfc3339);
    state.last_modified_date = task.last_modified_date.map(rfc3339);
}

#[async_trait]
impl DataSource<OutpostsClient> for CapacityTaskDataSource {
    type State = CapacityTaskDataState;

    fn type_name(&self) -> &'static str {
        "outposts_capacity_task"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "One capacity task as AWS reports it (`GetCapacityTask`), and while it \
                 waits for evacuation the running instances that block it \
                 (`ListBlockingInstancesForCapacityTask`, all pages). Reads only: to own a \
                 task, use the `outposts_capacity_task` resource or import it.",
            )
            .attribute(super::outpost_identifier())
            .attribute(
                Attribute::string("capacity_task_id")
                    .required()
                    .validator(checks::id("capacity_task_id"))
                    .description("ID of the capacity task (`cap-...`)."),
            )
            .attribute(
                Attribute::string("id").computed().description(
                    "`<outpost ID>/<capacity task ID>`, the ID `terraform import` takes.",
                ),
            )
            .attribute(
                Attribute::string("outpost_id")
                    .computed()
                    .description("ID (`op-...`) of the Outpost."),
            )
            .attribute(
                Attribute::string("order_id")
                    .computed()
                    .description("The rack order the task lays out; null for a server."),
            )
            .attribute(
                Attribute::string("asset_id")
                    .computed()
                    .description("The server asset the task lays out; null for a rack order."),
            )
            .attribute(
                Attribute::new(
                    "instance_pools",
                    list_of(object(&[
                        ("instance_type", Type::String),
                        ("count", Type::Number),
                    ])),
                )
                .computed()
                .description(
                    "The layout the task asked for: `instance_type` and `count` of each pool.",
                ),
            )
            .attribute(
                Attribute::new(
                    "instances_to_exclude",
                    object(&[
                        ("instances", strings()),
                        ("account_ids", strings()),
                        ("services", strings()),
                    ]),
                )
                .computed()
                .description(
                    "The running instances the task may ignore (`instances`, `account_ids`, \
                     `services`); null when none.",
                ),
            )
            .attribute(
                Attribute::string("task_action_on_blocking_instances")
                    .computed()
                    .description(format!("{}.", in_code_listed(TASK_ACTIONS))),
            )
            .attribute(
                Attribute::string("status")
                    .computed()
                    .description(format!("{}.", task_statuses_listed())),
            )
            .attribute(
                Attribute::new("failure", failure_type())
                    .computed()
                    .description("Why the task failed (`type`, `reason`); null unless it failed."),
            )
            .attributes(task_dates())
            .attribute(
                Attribute::new(
                    "blocking_instances",
                    list_of(object(&[
                        ("instance_id", Type::String),
                        ("account_id", Type::String),
                        ("service", Type::String),
                    ])),
                )
                .computed()
                .description(
                    "While the status is `WAITING_FOR_EVACUATION`: the running instances that must \
                     stop or move before the task goes on (`instance_id`, `account_id`, \
                     `service`). Empty otherwise.",
                ),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<CapacityTaskDataState, Diagnostics> {
        let mut state: CapacityTaskDataState = super::read_config(config)?;
        let client = ctx.client()?;
        let outpost = state.outpost_identifier.clone();
        super::same_region(client, &outpost)?;
        let task_id = state.capacity_task_id.clone();
        let task = call_within(
            ctx,
            "GetCapacityTask",
            "Capacity task",
            (&outpost, "capacity_task_id"),
            client.get_capacity_task(&outpost, &task_id),
        )
        .await?;
        let waiting = task.status == CapacityTaskStatus::WaitingForEvacuation;
        fill(&mut state, task);
        if waiting {
            state.blocking_instances = call_within(
                ctx,
                "ListBlockingInstancesForCapacityTask",
                "Capacity task",
                (&outpost, "capacity_task_id"),
                client.list_blocking_instances(&outpost, &task_id),
            )
            .await?
            .into_iter()
            .map(|b| BlockingItem {
                instance_id: b.instance_id,
                account_id: b.account_id,
                service: b.service,
            })
            .collect();
        }
        Ok(state)
    }
}
