//! List resource `outposts_capacity_task`: the capacity tasks of an Outpost (or of every
//! Outpost of the account in the provider's region), optionally only those in some
//! statuses, as `outposts_capacity_task` states that `terraform query` can bring under
//! management.
//!
//! ListCapacityTasks reports a summary of each task (IDs, order or asset, status,
//! dates), which names the task (its identity) but not its layout. The full state, with
//! the pools, exclusions and blocking-instance action, needs GetCapacityTask: the list
//! asks for it only when Terraform wants the objects (`include_resource_object`, which a
//! `list` block's `include_resource = true` sets), one call per task found, and gives
//! that state exactly as an import of the task would. Otherwise each result carries the summary's state, which
//! Terraform never sees (the framework sends the identity and the name only), and a
//! listing costs one ListCapacityTasks call per page.

use crate::checks::other_region;
use crate::data_sources::capacity_tasks::statuses_filter;
use crate::data_sources::read_failed;
use crate::outposts::error::OutpostsError;
use crate::outposts::task::{CapacityTaskStatus, CapacityTaskSummary};
use crate::outposts::{OutpostsClient, ids, until_stopped};
use crate::resources::capacity_task::{self, CapacityTaskState};
use serde::Deserialize;
use std::collections::HashSet;
use tfplugin::diag::Diagnostic;
use tfplugin::list::{ListRequest, ListResource, ListStream, Results, results};
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};

pub struct CapacityTaskList;

/// A `list` block's `config`.
#[derive(Debug, Deserialize)]
struct ListConfig {
    outpost_identifier: Option<String>,
    statuses: Option<Vec<String>>,
}

impl ListResource<OutpostsClient> for CapacityTaskList {
    type State = CapacityTaskState;

    fn type_name(&self) -> &'static str {
        capacity_task::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds capacity tasks (`ListCapacityTasks`) of one Outpost or of every \
                 Outpost of the account in the provider's region, optionally only those in \
                 some statuses, for `terraform query`. With `include_resource = true` each \
                 task's full state is read with `GetCapacityTask`, as an import reads it.",
            )
            .attribute(
                Attribute::string("outpost_identifier")
                    .optional()
                    .validator(crate::checks::id("outpost_identifier"))
                    .description(
                        "ID (`op-...`) or ARN (of the provider's region) of the Outpost; \
                         every Outpost when unset. The tasks found keep it as written in \
                         `outpost_identifier`.",
                    ),
            )
            .attribute(statuses_filter()),
        )
    }

    fn list(
        &self,
        ctx: Context<OutpostsClient>,
        request: ListRequest,
    ) -> ListStream<CapacityTaskState> {
        let config: Result<ListConfig, Diagnostic> =
            tfplugin::typed::decode(&request.config, "list configuration");
        let include = request.include_resource_object;
        results(move |results| async move {
            let config = match config {
                Ok(config) => config,
                Err(d) => {
                    results.diagnostic(d).await;
                    return;
                }
            };
            if let Err(d) = list_tasks(&ctx, &config, include, &results).await {
                results.diagnostic(d).await;
            }
        })
    }
}

/// Sends every task found, page by page, until the last page or until nobody listens.
async fn list_tasks(
    ctx: &Context<OutpostsClient>,
    config: &ListConfig,
    include: bool,
    results: &Results<CapacityTaskState>,
) -> Result<(), Diagnostic> {
    let client = ctx.client()?;
    let outpost = config.outpost_identifier.as_deref();
    let path = AttributePath::attr("outpost_identifier");
    if let Some(d) = outpost.and_then(|o| other_region(o, client.region(), path.clone())) {
        return Err(d);
    }
    let statuses: Vec<CapacityTaskStatus> = config
        .statuses
        .iter()
        .flatten()
        .map(|s| CapacityTaskStatus::parse(s))
        .collect();
    let mut tokens = HashSet::new();
    let mut next_token = None;
    loop {
        let (tasks, next) = until_stopped(
            ctx.stop(),
            client.list_capacity_tasks_page(outpost, &statuses, next_token),
        )
        .await
        .map_err(|e| read_failed(ctx, "ListCapacityTasks", "Outpost", path.clone(), e))?;
        for summary in &tasks {
            let Some((name, state)) = found(ctx, client, outpost, summary, include).await? else {
                continue;
            };
            if !results.found(name, state).await {
                return Ok(());
            }
        }
        match next {
            // A token seen before would list the same pages again, for ever.
            Some(token) if tokens.insert(token.clone()) => next_token = Some(token),
            _ => return Ok(()),
        }
    }
}

/// The name and state of one task of a page; `None` for a task gone before
/// GetCapacityTask could read it, or a line without a task ID.
async fn found(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    outpost: Option<&str>,
    summary: &CapacityTaskSummary,
    include: bool,
) -> Result<Option<(String, CapacityTaskState)>, Diagnostic> {
    if !ids::is_capacity_task_id(&summary.id) {
        tracing::warn!(line = ?summary, "ListCapacityTasks listed a task without a valid ID; skipping it");
        return Ok(None);
    }
    // The Outpost as the list block names it, else as AWS reports it.
    let identifier = outpost.unwrap_or(&summary.outpost_id).to_string();
    let name = format!(
        "{} on {} ({})",
        summary.id,
        ids::outpost_id(&identifier),
        summary.status
    );
    if !include {
        let state = capacity_task::summary_state(identifier, summary);
        return Ok(Some((name, state)));
    }
    match until_stopped(
        ctx.stop(),
        client.get_capacity_task(&identifier, &summary.id),
    )
    .await
    {
        Ok(task) => {
            let name = format!(
                "{} on {} ({})",
                task.id,
                ids::outpost_id(&identifier),
                task.status
            );
            Ok(Some((name, capacity_task::listed_state(identifier, &task))))
        }
        Err(OutpostsError::NotFound(_)) => {
            tracing::info!(task = %summary.id, "capacity task listed but gone before it was read; skipping it");
            Ok(None)
        }
        Err(error) => Err(read_failed(
            ctx,
            "GetCapacityTask",
            "capacity task",
            AttributePath::root(),
            error,
        )),
    }
}
