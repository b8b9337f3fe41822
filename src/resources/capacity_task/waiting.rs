//! Waiting for a task that was started (or is resumed) and saying how it ended. The
//! state always keeps the task, whatever the outcome.

use super::flatten::{age_of, refresh_state};
use super::paths::pool_path_in;
use super::schema::CapacityTaskState;
use super::{NOT_FOUND_GRACE, format_duration};
use crate::outposts::task::{CapacityTask, CapacityTaskStatus};
use crate::outposts::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use crate::outposts::{OutpostsClient, until_stopped};
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;

/// Waits for `task` and folds the outcome into `state`; the diagnostics say what
/// happened. The state always keeps the task.
pub(super) async fn wait_into_state(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    state: &mut CapacityTaskState,
    task: &CapacityTask,
    timeout: Duration,
    just_started: bool,
) -> Diagnostics {
    let outpost = state.outpost_identifier.clone();
    let task_id = task.id.clone();
    if task.status.is_terminal() {
        return terminal_diagnostics(client, ctx.stop(), &outpost, task, just_started).await;
    }
    let mut wait = WaitFor::new(timeout, ctx.stop());
    wait.age_at_start = age_of(task);
    wait.not_found_grace = if just_started {
        NOT_FOUND_GRACE
    } else {
        Duration::ZERO
    };
    let outcome =
        wait_for_terminal_status(wait, || client.get_capacity_task(&outpost, &task_id)).await;
    match outcome {
        WaitOutcome::Terminal(done) => {
            refresh_state(state, &done);
            terminal_diagnostics(client, ctx.stop(), &outpost, &done, just_started).await
        }
        WaitOutcome::TimedOut(last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            let next = if just_started {
                "It keeps running at AWS and is saved in state, marked tainted. To keep waiting \
                 for this same task: `terraform untaint <address>`, then `terraform apply` \
                 (optionally with a longer timeouts.create). Applying without untainting \
                 cancels it, if it can still be cancelled, and starts a new one."
            } else {
                "It keeps running at AWS and stays in state; `terraform apply` keeps waiting \
                 for it (optionally with a longer timeouts.create)."
            };
            Diagnostic::error(
                "Timed out waiting for the capacity task",
                format!(
                    "Capacity task {task_id} is still {} after {}. {next}",
                    state.status.as_deref().unwrap_or("running"),
                    format_duration(timeout)
                ),
            )
            .into()
        }
        WaitOutcome::Stopped(last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            Diagnostic::warning(
                "Stopped waiting for the capacity task",
                format!(
                    "Terraform was interrupted. Capacity task {task_id} is still {} at AWS and is \
                     saved in state; it was not cancelled. The next terraform apply keeps waiting \
                     for this same task.",
                    state.status.as_deref().unwrap_or("running")
                ),
            )
            .into()
        }
        WaitOutcome::Failed(error, last) => {
            if let Some(last) = &last {
                refresh_state(state, last);
            }
            let next = if just_started {
                "The task is saved in state, marked tainted. Once the cause is fixed, keep \
                 waiting for this same task with `terraform untaint <address>` and then \
                 `terraform apply`; applying without untainting cancels it, if it can still be \
                 cancelled, and starts a new one."
            } else {
                "The task stays in state; `terraform apply` checks it again once the cause is fixed."
            };
            Diagnostic::error(
                "Lost track of the capacity task",
                format!("Waiting for capacity task {task_id} failed: {error}. {next}"),
            )
            .into()
        }
    }
}

/// Diagnostics for a task that finished: nothing for COMPLETED, an error explaining
/// FAILED (with the blocking instances) or CANCELLED.
async fn terminal_diagnostics(
    client: &OutpostsClient,
    stop: &tokio_util::sync::CancellationToken,
    outpost: &str,
    task: &CapacityTask,
    just_started: bool,
) -> Diagnostics {
    let next = if just_started {
        "The task is saved in state, marked tainted: the next apply starts a new task."
    } else {
        "It stays in state, and the next plan replaces it with a new task."
    };
    match &task.status {
        CapacityTaskStatus::Completed => Diagnostics::new(),
        CapacityTaskStatus::Cancelled => Diagnostic::error(
            "Capacity task cancelled",
            format!(
                "Capacity task {} was cancelled outside Terraform before it completed. {next}",
                task.id
            ),
        )
        .into(),
        _ => {
            let kind = task
                .failure
                .as_ref()
                .and_then(|f| f.kind.clone())
                .unwrap_or_else(|| "UNKNOWN".into());
            let reason = task
                .failure
                .as_ref()
                .map(|f| f.reason.clone())
                .unwrap_or_default();
            let mut detail = format!("Capacity task {} failed: {kind}: {reason}", task.id);
            if kind == "BLOCKING_INSTANCES_NOT_EVACUATED" {
                match until_stopped(stop, client.list_blocking_instances(outpost, &task.id)).await {
                    Ok(instances) if !instances.is_empty() => {
                        detail.push_str("\n\nInstances that blocked the change:");
                        for i in instances {
                            detail.push_str(&format!(
                                "\n  - {} (account {}, service {})",
                                i.instance_id,
                                i.account_id.as_deref().unwrap_or("unknown"),
                                i.service.as_deref().unwrap_or("unknown")
                            ));
                        }
                        detail.push_str(
                            "\n\nStop or move them, or list them in instances_to_exclude, or use \
                             task_action_on_blocking_instances = \"WAIT_FOR_EVACUATION\".",
                        );
                    }
                    Ok(_) => {}
                    Err(error) => detail.push_str(&format!(
                        "\n\n(Listing the blocking instances failed: {error})"
                    )),
                }
            }
            detail.push_str(&format!(
                "\n\n{next} Fix the configuration first if the failure calls for it."
            ));
            let path = if kind == "UNSUPPORTED_CAPACITY_CONFIGURATION" {
                pool_path_in(&reason)
            } else {
                AttributePath::root()
            };
            Diagnostic::error("Capacity task failed", detail)
                .at(path)
                .into()
        }
    }
}
