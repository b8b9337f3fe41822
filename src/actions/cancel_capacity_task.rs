//! Action `outposts_cancel_capacity_task`: cancels one capacity task that has not
//! started changing the hardware, and waits until AWS reports it CANCELLED. For a task
//! no configuration here owns (another workspace's, one started in the console); the
//! resource's own destroy cancels the tasks it owns.

use crate::checks;
use crate::outposts::cancel::{CancelStep, Cancellation, cancel_and_wait};
use crate::outposts::error::OutpostsError;
use crate::outposts::task::{CapacityTask, CapacityTaskStatus};
use crate::outposts::{OutpostsClient, ids, until_stopped};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;
use tfplugin::action::{Action, Progress};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::duration;
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::timeouts::positive_duration;
use tfplugin::value::{self, Value};
use tokio::sync::mpsc;

pub const TYPE_NAME: &str = "outposts_cancel_capacity_task";

/// How long the invoke waits for CANCELLED unless `timeout` says: as the resource's
/// `timeouts.delete`, which waits for the same thing.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The action.
pub struct CancelCapacityTaskAction;

/// Its configuration, wholly known at invoke.
#[derive(Debug, Deserialize)]
struct CancelConfig {
    outpost_identifier: String,
    capacity_task_id: String,
    timeout: Option<String>,
}

impl CancelConfig {
    /// `timeout`, else the default; validation refuses a text that does not parse.
    fn timeout(&self) -> Duration {
        self.timeout
            .as_deref()
            .and_then(|text| duration::parse(text).ok())
            .unwrap_or(DEFAULT_TIMEOUT)
    }
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Cancels a capacity task that has not started changing the Outpost's hardware \
             (`REQUESTED` or `WAITING_FOR_EVACUATION`) with `CancelCapacityTask`, then waits \
             until AWS reports it `CANCELLED`; a task already being cancelled is only waited \
             for. A task that is `IN_PROGRESS` or has finished cannot be cancelled, and the \
             invoke fails saying so. Never touches Terraform state: to stop a task a \
             `outposts_capacity_task` resource owns, destroy the resource.",
        )
        .attribute(
            Attribute::string("outpost_identifier")
                .required()
                .validator(checks::id("outpost_identifier"))
                .description(
                    "ID (`op-...`) or ARN of the Outpost; an ARN must be of the provider's \
                     region.",
                ),
        )
        .attribute(
            Attribute::string("capacity_task_id")
                .required()
                .validator(checks::id("capacity_task_id"))
                .description("ID of the capacity task to cancel (`cap-...`)."),
        )
        .attribute(
            Attribute::string("timeout")
                .optional()
                .validator(positive_duration())
                .description(format!(
                    "How long to wait for `CANCELLED`, as a duration such as `90s` or `45m`. \
                     Default `{}`. When it passes, the cancellation goes on at AWS.",
                    duration::format(DEFAULT_TIMEOUT)
                )),
        ),
    )
}

/// The progress line of a task's status: `cap-… on op-…: CANCELLATION_IN_PROGRESS`.
fn status_line(task_id: &str, outpost_id: &str, status: &CapacityTaskStatus) -> String {
    format!("{task_id} on {outpost_id}: {status}")
}

fn at_task(d: Diagnostic) -> Diagnostics {
    d.at(AttributePath::attr("capacity_task_id")).into()
}

#[async_trait]
impl Action<OutpostsClient> for CancelCapacityTaskAction {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// An Outpost ARN of another region than the provider's: AWS would only answer that
    /// the task does not exist, at invoke.
    async fn plan(&self, ctx: &Context<OutpostsClient>, config: &Value) -> Diagnostics {
        let outpost = config.attr("outpost_identifier").and_then(Value::as_str);
        match (outpost, ctx.client()) {
            (Some(outpost), Ok(client)) => checks::other_region(
                outpost,
                client.region(),
                AttributePath::attr("outpost_identifier"),
            )
            .into_iter()
            .collect(),
            _ => Diagnostics::new(),
        }
    }

    async fn invoke(
        &self,
        ctx: &Context<OutpostsClient>,
        config: Value,
        progress: &Progress,
    ) -> Diagnostics {
        let config: CancelConfig = match value::to_serde(&config, &schema().value_type()) {
            Ok(config) => config,
            Err(e) => {
                return Diagnostic::error(
                    "Invalid action configuration",
                    format!("The configuration does not fit the action's schema: {e}"),
                )
                .into();
            }
        };
        let client = match ctx.client() {
            Ok(client) => client,
            Err(d) => return d.into(),
        };
        cancel(ctx, client, &config, progress).await
    }
}

async fn cancel(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    config: &CancelConfig,
    progress: &Progress,
) -> Diagnostics {
    let outpost = config.outpost_identifier.as_str();
    let task_id = config.capacity_task_id.as_str();
    let outpost_id = ids::outpost_id(outpost).to_string();
    let task = match until_stopped(ctx.stop(), client.get_capacity_task(outpost, task_id)).await {
        Ok(task) => task,
        Err(OutpostsError::NotFound(message)) => {
            return at_task(Diagnostic::error(
                "Capacity task not found",
                format!(
                    "AWS knows no capacity task {task_id} on {outpost}: {message}. Check both \
                     IDs (terraform output, or the outposts_capacity_tasks data source, lists \
                     an Outpost's tasks)."
                ),
            ));
        }
        Err(OutpostsError::Interrupted) => return interrupted(task_id, false),
        Err(error) => {
            return at_task(Diagnostic::error(
                "Could not read the capacity task",
                format!("Reading {task_id} before cancelling it failed: {error}"),
            ));
        }
    };
    progress
        .report(status_line(task_id, &outpost_id, &task.status))
        .await;
    match CancelStep::for_status(&task.status) {
        CancelStep::Cancel | CancelStep::AwaitCancellation => {}
        CancelStep::Finished => return already_finished(&task),
        CancelStep::Refuse => {
            return at_task(Diagnostic::error(
                "Capacity task can no longer be cancelled",
                format!(
                    "Capacity task {task_id} is {}: AWS is changing the Outpost's hardware and \
                     does not allow cancelling it now. Wait for it to finish.",
                    task.status
                ),
            ));
        }
    }
    let timeout = config.timeout();
    // Each status change becomes a progress line, sent while the wait goes on; the
    // channel closes when the wait ends, and with it the forwarding.
    let (changes, mut lines) = mpsc::unbounded_channel::<String>();
    let waited = async move {
        let on_change = move |now: &CapacityTask| {
            let _ = changes.send(status_line(task_id, &outpost_id, &now.status));
        };
        cancel_and_wait(client, outpost, &task, timeout, ctx.stop(), &on_change).await
    };
    let forwarded = async {
        while let Some(line) = lines.recv().await {
            progress.report(line).await;
        }
    };
    let (cancelled, ()) = tokio::join!(waited, forwarded);
    match cancelled {
        Cancellation::Ended(task) if task.status == CapacityTaskStatus::Cancelled => {
            Diagnostics::new()
        }
        Cancellation::Ended(task) => at_task(Diagnostic::error(
            "Capacity task finished before it was cancelled",
            format!(
                "Capacity task {task_id} ended {} before AWS cancelled it.",
                task.status
            ),
        )),
        Cancellation::Gone => at_task(Diagnostic::error(
            "Capacity task vanished",
            format!(
                "Capacity task {task_id} could no longer be found while it was being \
                 cancelled, so whether it was cancelled is not known."
            ),
        )),
        Cancellation::Refused(error) => at_task(Diagnostic::error(
            "Could not cancel the capacity task",
            format!(
                "CancelCapacityTask for {task_id} failed: {error}. A task that reached \
                 IN_PROGRESS can no longer be cancelled."
            ),
        )),
        Cancellation::TimedOut(last) => at_task(Diagnostic::error(
            "Timed out waiting for the cancellation",
            format!(
                "Capacity task {task_id} was still {} after {}. The cancellation goes on at \
                 AWS; invoke the action again to keep waiting, or raise timeout.",
                last.map(|t| t.status.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                duration::format(timeout)
            ),
        )),
        Cancellation::Stopped => interrupted(task_id, true),
        Cancellation::Failed(error) => at_task(Diagnostic::error(
            "Waiting for the cancellation failed",
            format!("Capacity task {task_id}: {error}"),
        )),
    }
}

fn interrupted(task_id: &str, asked: bool) -> Diagnostics {
    let state = if asked {
        "The cancellation, once asked for, goes on at AWS; invoke the action again to wait \
         for it."
    } else {
        "Nothing was asked of AWS."
    };
    Diagnostic::error(
        "Interrupted",
        format!("Terraform was interrupted while cancelling capacity task {task_id}. {state}"),
    )
    .into()
}

/// A task that had finished before the invoke.
///
/// CANCELLED is a warning, not an error: the action exists to bring the task to
/// CANCELLED, and it is there. Invoking twice (after a timed-out or interrupted invoke
/// whose cancel went through, or from two runners) then succeeds, as a destroy of what
/// is already gone does. COMPLETED and FAILED are errors: the task ended another way,
/// the Outpost's layout may have changed, and a run that asked for a cancellation must
/// not report success.
fn already_finished(task: &CapacityTask) -> Diagnostics {
    let task_id = task.id.as_str();
    match task.status {
        CapacityTaskStatus::Cancelled => Diagnostic::warning(
            "Capacity task already cancelled",
            format!("Capacity task {task_id} was already CANCELLED; nothing was asked of AWS."),
        )
        .at(AttributePath::attr("capacity_task_id"))
        .into(),
        CapacityTaskStatus::Completed => at_task(Diagnostic::error(
            "Capacity task can no longer be cancelled",
            format!(
                "Capacity task {task_id} is COMPLETED: it has already changed the Outpost's \
                 layout. To go back, start a new capacity task with the former layout."
            ),
        )),
        _ => at_task(Diagnostic::error(
            "Capacity task can no longer be cancelled",
            format!(
                "Capacity task {task_id} is {}: it ended without changing the Outpost's \
                 layout, so there is nothing left to cancel.{}",
                task.status,
                task.failure
                    .as_ref()
                    .map(|f| format!(" AWS gave as the reason: {}", f.reason))
                    .unwrap_or_default()
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
