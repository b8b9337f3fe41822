//! Data source `outposts_capacity_tasks`: the capacity tasks of an Outpost (or of every
//! Outpost of the account), filtered by status, e.g. to see which task holds a rack
//! before planning a new layout.

use super::{call, list_of, object, strings};
use crate::checks;
use crate::checks::task_statuses_listed;
use crate::outposts::OutpostsClient;
use crate::outposts::task::{CapacityTaskStatus, CapacityTaskSummary, TASK_STATUSES};
use crate::outposts::time::rfc3339;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::validators::string_is;
use tfplugin::value::{Type, Value};

pub struct CapacityTasksDataSource;

/// The optional `statuses` filter of ListCapacityTasks, as this data source and the
/// `outposts_capacity_task` list resource take it.
pub(crate) fn statuses_filter() -> Attribute {
    super::filter(
        "statuses",
        string_is(|s| TASK_STATUSES.contains(&s), STATUSES_LISTED),
        format!(
            "Only tasks in one of these statuses: {}. Filtered by AWS. At least one; leave \
             it out for every status.",
            task_statuses_listed()
        ),
    )
}

/// The statuses as messages name them.
const STATUSES_LISTED: &str = "a capacity task status (REQUESTED, IN_PROGRESS, \
                               WAITING_FOR_EVACUATION, CANCELLATION_IN_PROGRESS, COMPLETED, \
                               FAILED or CANCELLED)";

#[derive(Debug, Serialize, Deserialize)]
pub struct CapacityTasksState {
    pub outpost_identifier: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub ids: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub tasks: Vec<TaskItem>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TaskItem {
    pub capacity_task_id: String,
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub status: String,
    pub creation_date: Option<String>,
    pub completion_date: Option<String>,
    pub last_modified_date: Option<String>,
}

impl From<CapacityTaskSummary> for TaskItem {
    fn from(t: CapacityTaskSummary) -> Self {
        TaskItem {
            capacity_task_id: t.id,
            outpost_id: t.outpost_id,
            order_id: t.order_id,
            asset_id: t.asset_id,
            status: t.status.to_string(),
            creation_date: t.creation_date.map(rfc3339),
            completion_date: t.completion_date.map(rfc3339),
            last_modified_date: t.last_modified_date.map(rfc3339),
        }
    }
}

#[async_trait]
impl DataSource<OutpostsClient> for CapacityTasksDataSource {
    type State = CapacityTasksState;

    fn type_name(&self) -> &'static str {
        "outposts_capacity_tasks"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Capacity tasks (`ListCapacityTasks`, all pages) of one Outpost or of all \
                 the account's Outposts in the region, optionally only those in some \
                 statuses or of one rack order. Oldest first.",
            )
            .attribute(
                Attribute::string("outpost_identifier")
                    .optional()
                    .validator(checks::id("outpost_identifier"))
                    .description(
                        "ID (`op-...`) or ARN (of the provider's region) of the Outpost; every \
                         Outpost when unset.",
                    ),
            )
            .attribute(statuses_filter())
            .attribute(super::optional_id(
                "order_id",
                "Only tasks of this rack order (`oo-...`). The API has no such filter: the \
                 provider applies it to what AWS lists.",
            ))
            .attribute(
                Attribute::new("ids", strings())
                    .computed()
                    .description("IDs (`cap-...`) of the tasks found, oldest first."),
            )
            .attribute(
                Attribute::new(
                    "tasks",
                    list_of(object(&[
                        ("capacity_task_id", Type::String),
                        ("outpost_id", Type::String),
                        ("order_id", Type::String),
                        ("asset_id", Type::String),
                        ("status", Type::String),
                        ("creation_date", Type::String),
                        ("completion_date", Type::String),
                        ("last_modified_date", Type::String),
                    ])),
                )
                .computed()
                .description(
                    "The tasks found, oldest first: `capacity_task_id`, `outpost_id`, `order_id`, \
                     `asset_id`, `status`, and `creation_date`, `completion_date`, \
                     `last_modified_date` (RFC 3339).",
                ),
            ),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        config: &Value,
    ) -> Result<CapacityTasksState, Diagnostics> {
        let mut state: CapacityTasksState = super::read_config(config)?;
        let client = ctx.client()?;
        if let Some(outpost) = &state.outpost_identifier {
            super::same_region(client, outpost)?;
        }
        let statuses: Vec<CapacityTaskStatus> = state
            .statuses
            .iter()
            .flatten()
            .map(|s| CapacityTaskStatus::parse(s))
            .collect();
        let mut tasks = call(
            ctx,
            "ListCapacityTasks",
            "Outpost",
            AttributePath::attr("outpost_identifier"),
            client.list_capacity_tasks(state.outpost_identifier.as_deref(), &statuses),
        )
        .await?;
        if let Some(order) = &state.order_id {
            tasks.retain(|t| t.order_id.as_ref() == Some(order));
        }
        // Oldest first whatever order the pages came in; ties keep AWS's order.
        tasks.sort_by_key(|t| t.creation_date);
        state.ids = tasks.iter().map(|t| t.id.clone()).collect();
        state.tasks = tasks.into_iter().map(TaskItem::from).collect();
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_every_status_the_sdk_knows() {
        assert!(crate::checks::names_exactly(STATUSES_LISTED, TASK_STATUSES));
    }
}
