//! The layout: the arguments that describe a capacity task to AWS (the Outpost, the
//! order or asset, the `instance_pool` and `instances_to_exclude` blocks, the action on
//! blocking instances), shared by the `outposts_capacity_task` resource and the
//! `outposts_capacity_check` data source, which takes the same layout. Here are its
//! schema blocks ([`schema`], with the task's dates and failure the capacity task data
//! source shows too), its validators, the StartCapacityTask request it
//! describes ([`start_request`]), the capacity check ([`dry_run`]) and which argument an
//! AWS error is about ([`paths`]).

pub(crate) mod dry_run;
pub(crate) mod paths;
pub(crate) mod schema;

pub(crate) use dry_run::{DryRunOutcome, ask};
pub(crate) use paths::{missing_argument, missing_argument_path, pool_path_in, what_is_missing};
pub(crate) use schema::{
    failure_type, instance_pool_block, instances_to_exclude_block, order_or_asset, strings,
    task_action, task_dates,
};

use crate::outposts::task::{InstancePool, InstancesToExclude, StartCapacityTask};
use serde::{Deserialize, Serialize};

/// The layout arguments of a configuration, read with the names and types the
/// resource's state gives them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Layout {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub task_action_on_blocking_instances: Option<String>,
    #[serde(default)]
    pub instance_pool: Vec<InstancePoolBlock>,
    #[serde(default)]
    pub instances_to_exclude: Vec<InstancesToExcludeBlock>,
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

/// The StartCapacityTask request a layout describes.
pub(crate) fn start_request(layout: &Layout) -> StartCapacityTask {
    let exclude = layout
        .instances_to_exclude
        .first()
        .cloned()
        .unwrap_or_default();
    StartCapacityTask {
        outpost_identifier: layout.outpost_identifier.clone(),
        order_id: layout.order_id.clone(),
        asset_id: layout.asset_id.clone(),
        instance_pools: layout
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
        task_action_on_blocking_instances: layout.task_action_on_blocking_instances.clone(),
    }
}
