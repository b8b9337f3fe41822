//! Waiting for a task that was started (or is resumed) and saying how it ended. The
//! state always keeps the task, whatever the outcome.

use super::NOT_FOUND_GRACE;
use super::flatten::{age_of, refresh_state};
use super::messages::{self, Origin};
use super::schema::CapacityTaskState;
use crate::layout::pool_path_in;
use crate::outposts::error::OutpostsError;
use crate::outposts::task::{CapacityTask, CapacityTaskStatus};
use crate::outposts::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use crate::outposts::{OutpostsClient, until_stopped};
use std::time::Duration;
use tfplugin::diag::Diagnostics;
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
    origin: Origin,
) -> Diagnostics {
    let outpost = state.outpost_identifier.clone();
    let task_id = task.id.clone();
    if task.status.is_terminal() {
        return terminal_diagnostics(ctx, client, &outpost, task, origin).await;
    }
    let mut wait = WaitFor::new(timeout, ctx.stop());
    wait.age_at_start = age_of(task);
    wait.not_found_grace = match origin {
        Origin::JustStarted => NOT_FOUND_GRACE,
        Origin::Resumed => Duration::ZERO,
    };
    let outcome =
        wait_for_terminal_status(wait, || client.get_capacity_task(&outpost, &task_id)).await;
    let last = match &outcome {
        WaitOutcome::Terminal(done) => Some(done),
        WaitOutcome::TimedOut(last) | WaitOutcome::Stopped(last) | WaitOutcome::Failed(_, last) => {
            last.as_ref()
        }
    };
    if let Some(last) = last {
        refresh_state(state, last);
    }
    let status = state.status.as_ref();
    match &outcome {
        WaitOutcome::Terminal(done) => {
            terminal_diagnostics(ctx, client, &outpost, done, origin).await
        }
        WaitOutcome::TimedOut(_) => messages::timed_out(&task_id, status, timeout, origin).into(),
        WaitOutcome::Stopped(_) => messages::stopped_waiting(&task_id, status).into(),
        WaitOutcome::Failed(error, _) => messages::lost_track(&task_id, error, origin).into(),
    }
}

/// Reads a task, riding out NotFound answers for `grace`: GetCapacityTask may not see a
/// task for a short while after it was started. Any other error ends the read.
pub(super) async fn read_when_visible(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    outpost: &str,
    task_id: &str,
    grace: Duration,
) -> Result<CapacityTask, OutpostsError> {
    let mut read = WaitFor::new(grace + GRACE_MARGIN, ctx.stop());
    read.not_found_grace = grace;
    read.done = |_| true;
    read.give_up_after_failing = Duration::ZERO;
    let outcome =
        wait_for_terminal_status(read, || client.get_capacity_task(outpost, task_id)).await;
    match outcome {
        WaitOutcome::Terminal(task) => Ok(task),
        WaitOutcome::Stopped(_) => Err(OutpostsError::Interrupted),
        WaitOutcome::Failed(error, _) => Err(error),
        WaitOutcome::TimedOut(_) => Err(OutpostsError::NotFound(format!(
            "{task_id} was not visible within {}s",
            grace.as_secs()
        ))),
    }
}

/// How long the last read after a not-found grace may take.
const GRACE_MARGIN: Duration = Duration::from_secs(30);

/// Diagnostics for a task that finished: nothing for COMPLETED, an error explaining
/// FAILED (with the blocking instances) or CANCELLED.
async fn terminal_diagnostics(
    ctx: &Context<OutpostsClient>,
    client: &OutpostsClient,
    outpost: &str,
    task: &CapacityTask,
    origin: Origin,
) -> Diagnostics {
    match &task.status {
        CapacityTaskStatus::Completed => Diagnostics::new(),
        CapacityTaskStatus::Cancelled => messages::cancelled_outside(task, origin).into(),
        _ => {
            let failure = task.failure.as_ref();
            let kind = failure.and_then(|f| f.kind.as_deref());
            let blocking = if kind == Some("BLOCKING_INSTANCES_NOT_EVACUATED") {
                Some(
                    until_stopped(
                        ctx.stop(),
                        client.list_blocking_instances(outpost, &task.id),
                    )
                    .await,
                )
            } else {
                None
            };
            let path = match (kind, failure) {
                (Some("UNSUPPORTED_CAPACITY_CONFIGURATION"), Some(f)) => pool_path_in(&f.reason),
                _ => AttributePath::root(),
            };
            messages::failed(task, blocking, path, origin).into()
        }
    }
}
