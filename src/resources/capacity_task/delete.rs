//! Destroy, driven by the task's status: cancel what AWS still lets us cancel and wait
//! for CANCELLED; forget what has finished; refuse, keeping the task in state, what can
//! no longer be cancelled.

use super::schema::CapacityTaskState;
use crate::outposts::cancel::{CancelStep, Cancellation, cancel_and_wait};
use crate::outposts::error::OutpostsError;
use crate::outposts::{OutpostsClient, until_stopped};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::duration::format as format_duration;
use tfplugin::provider::Context;

fn stopped(task_id: &str) -> Diagnostics {
    Diagnostic::error(
        "Interrupted",
        format!(
            "Terraform was interrupted while destroying capacity task {task_id}; it stays in state."
        ),
    )
    .into()
}

pub(super) async fn delete(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    state: CapacityTaskState,
) -> Diagnostics {
    let Some(task_id) = state.capacity_task_id.clone() else {
        return Diagnostics::new();
    };
    let outpost = state.outpost_identifier.clone();
    let task = match until_stopped(ctx.stop(), client.get_capacity_task(&outpost, &task_id)).await {
        Ok(task) => task,
        Err(OutpostsError::NotFound(_)) => return Diagnostics::new(),
        Err(OutpostsError::Interrupted) => return stopped(&task_id),
        Err(error) => {
            return Diagnostic::error(
                "Could not read the capacity task",
                format!("Reading {task_id} before deleting it failed: {error}"),
            )
            .into();
        }
    };
    match CancelStep::for_status(&task.status) {
        CancelStep::Finished => {
            tracing::info!(task = %task_id, status = %task.status, "capacity task finished; forgetting it");
            return Diagnostics::new();
        }
        CancelStep::Cancel | CancelStep::AwaitCancellation => {}
        CancelStep::Refuse => {
            return Diagnostic::error(
                "Capacity task can no longer be cancelled",
                format!(
                    "Capacity task {task_id} is {}: AWS is changing the Outpost's hardware and \
                     does not allow cancelling it now. It stays in state. Wait for it to finish \
                     (terraform apply -refresh-only shows its status), then destroy again.",
                    task.status
                ),
            )
            .into();
        }
    }
    let timeout = state.delete_timeout();
    // Destroy reports nothing but its outcome: the wait logs each status change.
    let cancelled = cancel_and_wait(client, &outpost, &task, timeout, ctx.stop(), &|_| {}).await;
    match cancelled {
        // Finished one way or another (it may have moved on before the cancel reached
        // it): either way there is nothing left to destroy.
        Cancellation::Ended(_) | Cancellation::Gone => Diagnostics::new(),
        Cancellation::Refused(error) => Diagnostic::error(
            "Could not cancel the capacity task",
            format!(
                "CancelCapacityTask for {task_id} failed: {error}. A task that reached \
                 IN_PROGRESS can no longer be cancelled; it stays in state. Wait for it to \
                 finish, then destroy again."
            ),
        )
        .into(),
        Cancellation::TimedOut(last) => Diagnostic::error(
            "Timed out waiting for the cancellation",
            format!(
                "Capacity task {task_id} was still {} after {}. It stays in state; run terraform \
                 destroy again to keep waiting, or raise timeouts.delete.",
                last.map(|t| t.status.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                format_duration(timeout)
            ),
        )
        .into(),
        Cancellation::Stopped => stopped(&task_id),
        Cancellation::Failed(error) => Diagnostic::error(
            "Waiting for the cancellation failed",
            format!("Capacity task {task_id}: {error}"),
        )
        .into(),
    }
}
