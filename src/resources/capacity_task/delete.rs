//! Destroy, driven by the task's status: cancel what AWS still lets us cancel and wait
//! for CANCELLED; forget what has finished; refuse, keeping the task in state, what can
//! no longer be cancelled.

use super::schema::CapacityTaskState;
use crate::outposts::error::OutpostsError;
use crate::outposts::task::CapacityTaskStatus;
use crate::outposts::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use crate::outposts::{OutpostsClient, until_stopped};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::duration::format as format_duration;
use tfplugin::provider::Context;

/// What destroy does with a task in a given status.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    /// Finished: only forgotten.
    Forget,
    /// Not started on the hardware yet: cancel, then wait for CANCELLED.
    Cancel,
    /// Already being cancelled: wait for CANCELLED.
    AwaitCancellation,
    /// Changing the hardware: AWS does not allow cancelling it.
    Refuse,
}

fn action_for(status: &CapacityTaskStatus) -> Action {
    match status {
        s if s.is_terminal() => Action::Forget,
        s if s.is_cancellable() => Action::Cancel,
        CapacityTaskStatus::CancellationInProgress => Action::AwaitCancellation,
        _ => Action::Refuse,
    }
}

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
    match action_for(&task.status) {
        Action::Forget => {
            tracing::info!(task = %task_id, status = %task.status, "capacity task finished; forgetting it");
            return Diagnostics::new();
        }
        Action::Cancel => {
            tracing::info!(task = %task_id, status = %task.status, "cancelling capacity task");
            match until_stopped(ctx.stop(), client.cancel_capacity_task(&outpost, &task_id)).await {
                Ok(()) => {}
                Err(OutpostsError::Interrupted) => return stopped(&task_id),
                Err(error) => {
                    return cancel_failure(client, &outpost, &task_id, error, ctx.stop()).await;
                }
            }
        }
        Action::AwaitCancellation => {}
        Action::Refuse => {
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
                last.map(|t| t.status.to_string())
                    .unwrap_or_else(|| "unknown".into()),
                format_duration(timeout)
            ),
        )
        .into(),
        WaitOutcome::Stopped(_) => Diagnostic::error(
            "Interrupted",
            format!(
                "Stopped while waiting for capacity task {task_id} to be cancelled; it stays in \
                 state."
            ),
        )
        .into(),
        WaitOutcome::Failed(error, _) => Diagnostic::error(
            "Waiting for the cancellation failed",
            format!("Capacity task {task_id}: {error}"),
        )
        .into(),
    }
}

async fn cancel_failure(
    client: &OutpostsClient,
    outpost: &str,
    task_id: &str,
    error: OutpostsError,
    stop: &tokio_util::sync::CancellationToken,
) -> Diagnostics {
    // The task may have moved on between our read and the cancel.
    if let Ok(task) = until_stopped(stop, client.get_capacity_task(outpost, task_id)).await
        && task.status.is_terminal()
    {
        return Diagnostics::new();
    }
    Diagnostic::error(
        "Could not cancel the capacity task",
        format!(
            "CancelCapacityTask for {task_id} failed: {error}. A task that reached IN_PROGRESS \
             can no longer be cancelled; it stays in state. Wait for it to finish, then destroy \
             again."
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_its_action() {
        let cases = [
            ("REQUESTED", Action::Cancel),
            ("WAITING_FOR_EVACUATION", Action::Cancel),
            ("CANCELLATION_IN_PROGRESS", Action::AwaitCancellation),
            ("IN_PROGRESS", Action::Refuse),
            ("COMPLETED", Action::Forget),
            ("FAILED", Action::Forget),
            ("CANCELLED", Action::Forget),
            ("SOMETHING_NEW", Action::Refuse),
        ];
        for known in crate::outposts::task::TASK_STATUSES {
            assert!(
                cases.iter().any(|(status, _)| status == known),
                "no row for {known}"
            );
        }
        for (status, action) in cases {
            assert_eq!(
                action_for(&CapacityTaskStatus::parse(status)),
                action,
                "{status}"
            );
        }
    }
}
