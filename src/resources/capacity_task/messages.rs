//! What users read: every diagnostic the resource gives, as pure functions of what
//! happened. The flows (plan, create, waiting, delete) decide; these say it.

use crate::layout::what_is_missing;
use crate::outposts::error::OutpostsError;
use crate::outposts::ids;
use crate::outposts::task::{
    BlockingInstance, CapacityTask, CapacityTaskStatus, CapacityTaskSummary,
};
use std::time::Duration;
use tfplugin::diag::Diagnostic;
use tfplugin::duration::format as format_duration;
use tfplugin::path::AttributePath;

/// Where a task that ended badly stands, and what the user does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// This apply started it: Terraform saves it tainted.
    JustStarted,
    /// A resumed wait for a task already in state.
    Resumed,
}

// ---- plan ---------------------------------------------------------------------------

/// A replacement of a running task. Terraform does not tell the provider whether the
/// resource has `create_before_destroy` (the plan request carries no lifecycle), so the
/// warning says what happens either way.
pub(super) fn replacing_a_running_task(task: &str, status: &CapacityTaskStatus) -> Diagnostic {
    let destroy_first = if status.is_cancellable() {
        format!(
            "Without create_before_destroy, Terraform destroys {task} first (it is \
             cancelled), then starts the new task."
        )
    } else {
        format!(
            "{task} can no longer be cancelled, so without create_before_destroy the destroy \
             that replaces it fails until it finishes; apply again then."
        )
    };
    Diagnostic::warning(
        "Replacing a capacity task that is still running",
        format!(
            "Capacity task {task} is still {status}, and AWS allows one active capacity task \
             per order and per Outpost. {destroy_first} With lifecycle \
             {{ create_before_destroy = true }}, Terraform starts the new task first, while \
             {task} is still active, and AWS refuses it: the apply fails and {task} goes on. \
             Do not use create_before_destroy with capacity tasks."
        ),
    )
}

/// The task in state ended without applying the layout; the plan starts a new one.
pub(super) fn did_not_complete(task: &str, status: &CapacityTaskStatus) -> Diagnostic {
    Diagnostic::warning(
        "Capacity task did not complete",
        format!(
            "Capacity task {task} is {status}; this plan starts a new task with the same layout."
        ),
    )
}

// ---- create ---------------------------------------------------------------------------

pub(super) fn interrupted_before_start() -> Diagnostic {
    Diagnostic::error(
        "Interrupted before the capacity task was started",
        "Terraform was interrupted before StartCapacityTask was sent: no task was started \
         and nothing is saved. Apply again to start it.",
    )
}

pub(super) fn could_not_list_before_start(outpost: &str, error: &OutpostsError) -> Diagnostic {
    Diagnostic::error(
        "Could not check the Outpost's capacity tasks",
        format!(
            "Listing the active capacity tasks of {outpost} before starting one failed: \
             {error}. No task was started."
        ),
    )
    .at(AttributePath::attr("outpost_identifier"))
}

/// An attempt's answer was lost and no task of ours turned up.
fn lost_answer(outpost: &str, searched: Duration) -> String {
    format!(
        "An attempt's answer was lost, so AWS may have started a task, but none with this \
         layout appeared among the Outpost's active tasks within {}s. Before applying again, \
         look for an active capacity task on {outpost} (for example `aws outposts \
         list-capacity-tasks --outpost-identifier-filter {outpost}`); if there is one with \
         this layout, import it instead: terraform import <address> {}/<task ID>.",
        searched.as_secs(),
        ids::outpost_id(outpost),
    )
}

pub(super) fn interrupted_between_attempts(outpost: &str, searched: Duration) -> Diagnostic {
    Diagnostic::error(
        "Interrupted while starting the capacity task",
        format!(
            "Terraform was interrupted between StartCapacityTask attempts. {}",
            lost_answer(outpost, searched)
        ),
    )
}

pub(super) fn missing(path: AttributePath, message: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{} not found", what_is_missing(&path)),
        format!(
            "StartCapacityTask could not find what this task names: {message}. No task was started."
        ),
    )
    .at(path)
}

pub(super) fn refused(path: AttributePath, message: &str) -> Diagnostic {
    Diagnostic::error(
        "AWS refused the capacity task",
        format!("StartCapacityTask rejected the request: {message}. No task was started."),
    )
    .at(path)
}

/// `searched`: how long we looked for a task our lost attempt may have started, if one
/// may have been.
pub(super) fn could_not_start(
    error: &OutpostsError,
    outpost: &str,
    searched: Option<Duration>,
) -> Diagnostic {
    let started = match searched {
        Some(searched) => lost_answer(outpost, searched),
        None => "No task was started.".to_string(),
    };
    Diagnostic::error(
        "Could not start the capacity task",
        format!("StartCapacityTask failed: {error}. {started}"),
    )
}

/// Another task holds the order or Outpost. It may be another workspace's, someone's
/// outside Terraform, or (with create_before_destroy) the very task this apply replaces,
/// which Terraform has not cancelled yet. Nothing is saved and nothing is cancelled.
pub(super) fn conflict(
    message: &str,
    active: &[CapacityTaskSummary],
    may_have_started: bool,
    path: AttributePath,
) -> Diagnostic {
    let mut detail = format!(
        "AWS allows one active capacity task per order and per Outpost, and refused a new \
         one: {message}. Nothing was started and nothing was cancelled."
    );
    if may_have_started {
        detail.push_str(
            " (An earlier attempt's answer was lost, but the active task asks for a different \
             layout, so it is not the one this apply started.)",
        );
    }
    if active.is_empty() {
        detail
            .push_str("\n\nNo active task is visible now; it may have just finished. Apply again.");
    }
    for task in active {
        let id = format!("{}/{}", ids::outpost_id(&task.outpost_id), task.id);
        detail.push_str(&format!(
            "\n\nActive task: {} ({}{}).\n\
             - If it is the task this apply replaces, the resource has lifecycle \
             {{ create_before_destroy = true }}, which starts the new task before the old one \
             is cancelled. Remove create_before_destroy: Terraform then cancels {} first and \
             starts the new task after it.\n\
             - Otherwise it was started elsewhere (another workspace, the console, the CLI). \
             Wait for it to finish or cancel it, then apply again; or manage it here instead:\n  \
             terraform import <address> {id}\n  or an import block: import {{ to = <address> \
             id = \"{id}\" }}",
            task.id,
            task.status,
            task.order_id
                .as_ref()
                .map(|o| format!(", order {o}"))
                .unwrap_or_default(),
            task.id,
        ));
    }
    Diagnostic::error("Another capacity task is active", detail).at(path)
}

// ---- waiting ------------------------------------------------------------------------------

fn status_text(status: Option<&CapacityTaskStatus>) -> &str {
    status.map_or("running", CapacityTaskStatus::as_str)
}

pub(super) fn timed_out(
    task_id: &str,
    status: Option<&CapacityTaskStatus>,
    timeout: Duration,
    origin: Origin,
) -> Diagnostic {
    let next = match origin {
        Origin::JustStarted => {
            "It keeps running at AWS and is saved in state, marked tainted. To keep waiting \
             for this same task: `terraform untaint <address>`, then `terraform apply` \
             (optionally with a longer timeouts.create). Applying without untainting cancels \
             it, if it can still be cancelled, and starts a new one."
        }
        Origin::Resumed => {
            "It keeps running at AWS and stays in state; `terraform apply` keeps waiting for \
             it (optionally with a longer timeouts.create)."
        }
    };
    Diagnostic::error(
        "Timed out waiting for the capacity task",
        format!(
            "Capacity task {task_id} is still {} after {}. {next}",
            status_text(status),
            format_duration(timeout)
        ),
    )
}

pub(super) fn stopped_waiting(task_id: &str, status: Option<&CapacityTaskStatus>) -> Diagnostic {
    Diagnostic::warning(
        "Stopped waiting for the capacity task",
        format!(
            "Terraform was interrupted. Capacity task {task_id} is still {} at AWS and is \
             saved in state; it was not cancelled. The next terraform apply keeps waiting for \
             this same task.",
            status_text(status)
        ),
    )
}

pub(super) fn lost_track(task_id: &str, error: &OutpostsError, origin: Origin) -> Diagnostic {
    let next = match origin {
        Origin::JustStarted => {
            "The task is saved in state, marked tainted. Once the cause is fixed, keep \
             waiting for this same task with `terraform untaint <address>` and then \
             `terraform apply`; applying without untainting cancels it, if it can still be \
             cancelled, and starts a new one."
        }
        Origin::Resumed => {
            "The task stays in state; `terraform apply` checks it again once the cause is fixed."
        }
    };
    Diagnostic::error(
        "Lost track of the capacity task",
        format!("Waiting for capacity task {task_id} failed: {error}. {next}"),
    )
}

fn after_an_end(origin: Origin) -> &'static str {
    match origin {
        Origin::JustStarted => {
            "The task is saved in state, marked tainted: the next apply starts a new task."
        }
        Origin::Resumed => "It stays in state, and the next plan replaces it with a new task.",
    }
}

pub(super) fn cancelled_outside(task: &CapacityTask, origin: Origin) -> Diagnostic {
    Diagnostic::error(
        "Capacity task cancelled",
        format!(
            "Capacity task {} was cancelled outside Terraform before it completed. {}",
            task.id,
            after_an_end(origin)
        ),
    )
}

/// A FAILED task: its failure type and reason, the instances that blocked it (or why
/// they could not be listed), and what to do.
pub(super) fn failed(
    task: &CapacityTask,
    blocking: Option<Result<Vec<BlockingInstance>, OutpostsError>>,
    path: AttributePath,
    origin: Origin,
) -> Diagnostic {
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
    match blocking {
        Some(Ok(instances)) if !instances.is_empty() => {
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
        Some(Err(error)) => detail.push_str(&format!(
            "\n\n(Listing the blocking instances failed: {error})"
        )),
        _ => {}
    }
    detail.push_str(&format!(
        "\n\n{} Fix the configuration first if the failure calls for it.",
        after_an_end(origin)
    ));
    Diagnostic::error("Capacity task failed", detail).at(path)
}
