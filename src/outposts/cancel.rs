//! Cancelling a capacity task: what a task's status allows, and the cancel followed by
//! the wait for CANCELLED. Shared by the resource's destroy and the
//! `outposts_cancel_capacity_task` action, which differ only in what they tell the user.

use super::error::OutpostsError;
use super::task::{CapacityTask, CapacityTaskStatus};
use super::wait::{WaitFor, WaitOutcome, wait_for_terminal_status};
use super::{OutpostsClient, until_stopped};
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What cancelling a task in a given status comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum CancelStep {
    /// COMPLETED, FAILED or CANCELLED: nothing is left to cancel.
    Finished,
    /// Not started on the hardware yet: CancelCapacityTask, then wait for CANCELLED.
    Cancel,
    /// Already being cancelled: wait for CANCELLED.
    AwaitCancellation,
    /// Changing the hardware (or a status this provider does not know): AWS does not
    /// allow cancelling it.
    Refuse,
}

impl CancelStep {
    /// The step for a task in `status`.
    pub fn for_status(status: &CapacityTaskStatus) -> Self {
        match status {
            s if s.is_terminal() => CancelStep::Finished,
            s if s.is_cancellable() => CancelStep::Cancel,
            CapacityTaskStatus::CancellationInProgress => CancelStep::AwaitCancellation,
            _ => CancelStep::Refuse,
        }
    }
}

/// How a cancellation ended.
#[derive(Debug)]
pub enum Cancellation {
    /// The task reached a terminal status: CANCELLED, or COMPLETED or FAILED when it
    /// moved on before the cancel reached it.
    Ended(CapacityTask),
    /// The task no longer exists.
    Gone,
    /// AWS refused CancelCapacityTask, and the task has not ended since.
    Refused(OutpostsError),
    /// The deadline passed; the task's last status seen, if any.
    TimedOut(Option<CapacityTask>),
    /// Terraform asked the provider to stop.
    Stopped,
    /// Reading the task while waiting failed for good.
    Failed(OutpostsError),
}

/// Cancels `task`, as just read, and waits up to `timeout` for it to end: a task in
/// REQUESTED or WAITING_FOR_EVACUATION is sent CancelCapacityTask first, one in
/// CANCELLATION_IN_PROGRESS is only waited for. `on_change` sees the task each time its
/// status differs from the one seen before (the first time from `task`'s).
///
/// The caller decides what to do with the other statuses ([`CancelStep`]); a task in
/// one of them is waited for as it is.
pub async fn cancel_and_wait(
    client: &OutpostsClient,
    outpost_identifier: &str,
    task: &CapacityTask,
    timeout: Duration,
    stop: &CancellationToken,
    on_change: &(dyn Fn(&CapacityTask) + Sync),
) -> Cancellation {
    let task_id = task.id.as_str();
    if task.status.is_cancellable() {
        tracing::info!(task = %task_id, status = %task.status, "cancelling capacity task");
        let cancelled = until_stopped(
            stop,
            client.cancel_capacity_task(outpost_identifier, task_id),
        )
        .await;
        match cancelled {
            Ok(()) => {}
            Err(OutpostsError::Interrupted) => return Cancellation::Stopped,
            Err(OutpostsError::NotFound(_)) => return Cancellation::Gone,
            Err(error) => {
                // The task may have moved on between the read and the cancel.
                return match until_stopped(
                    stop,
                    client.get_capacity_task(outpost_identifier, task_id),
                )
                .await
                {
                    Ok(now) if now.status.is_terminal() => {
                        if now.status != task.status {
                            on_change(&now);
                        }
                        Cancellation::Ended(now)
                    }
                    _ => Cancellation::Refused(error),
                };
            }
        }
    }
    let seen = &Mutex::new(task.status.clone());
    let poll = move || async move {
        let polled = client.get_capacity_task(outpost_identifier, task_id).await;
        if let Ok(now) = &polled {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            if *seen != now.status {
                *seen = now.status.clone();
                on_change(now);
            }
        }
        polled
    };
    // A cancellation takes seconds to minutes whatever the task's age: poll from the
    // short end of the schedule.
    match wait_for_terminal_status(WaitFor::new(timeout, stop), poll).await {
        WaitOutcome::Terminal(done) => {
            tracing::info!(task = %task_id, status = %done.status, "capacity task ended");
            Cancellation::Ended(done)
        }
        WaitOutcome::Failed(OutpostsError::NotFound(_), _) => Cancellation::Gone,
        WaitOutcome::Failed(error, _) => Cancellation::Failed(error),
        WaitOutcome::TimedOut(last) => Cancellation::TimedOut(last),
        WaitOutcome::Stopped(_) => Cancellation::Stopped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_its_step() {
        let cases = [
            ("REQUESTED", CancelStep::Cancel),
            ("WAITING_FOR_EVACUATION", CancelStep::Cancel),
            ("CANCELLATION_IN_PROGRESS", CancelStep::AwaitCancellation),
            ("IN_PROGRESS", CancelStep::Refuse),
            ("COMPLETED", CancelStep::Finished),
            ("FAILED", CancelStep::Finished),
            ("CANCELLED", CancelStep::Finished),
            ("SOMETHING_NEW", CancelStep::Refuse),
        ];
        for known in crate::outposts::task::TASK_STATUSES {
            assert!(
                cases.iter().any(|(status, _)| status == known),
                "no row for {known}"
            );
        }
        for (status, step) in cases {
            assert_eq!(
                CancelStep::for_status(&CapacityTaskStatus::parse(status)),
                step,
                "{status}"
            );
        }
    }
}
