//! Waiting for a capacity task to reach a terminal status: cancellable, bounded by a
//! deadline, and backing off so a 12-hour task costs a few hundred calls, not thousands.
//!
//! The poll interval is a tenth of the time the task has been running, at least 2 s and
//! at most 5 minutes. So completion is noticed within max(2 s, 10 % of the elapsed time)
//! (capped at 5 minutes), and a 60-minute task takes about 60 GetCapacityTask calls.

use super::error::OutpostsError;
use super::task::{CapacityTask, CapacityTaskStatus};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// When to poll next.
#[derive(Debug, Clone, Copy)]
pub struct PollSchedule {
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// The interval as a fraction of the task's age.
    pub fraction_of_age: f64,
}

impl Default for PollSchedule {
    fn default() -> Self {
        PollSchedule {
            min_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(300),
            fraction_of_age: 0.1,
        }
    }
}

impl PollSchedule {
    /// The wait before the next poll of a task that has been running for `age`.
    pub fn interval(&self, age: Duration) -> Duration {
        age.mul_f64(self.fraction_of_age)
            .clamp(self.min_interval, self.max_interval)
    }
}

/// What a wait ended with.
#[derive(Debug)]
pub enum WaitOutcome {
    /// COMPLETED, FAILED or CANCELLED.
    Terminal(CapacityTask),
    /// The deadline passed; the task is still running.
    TimedOut(Option<CapacityTask>),
    /// Terraform asked the provider to stop.
    Stopped(Option<CapacityTask>),
    /// An error that waiting longer will not fix (or a vanished task).
    Failed(OutpostsError, Option<CapacityTask>),
}

/// Options of one wait.
pub struct WaitFor<'a> {
    /// How long the task had been running when the wait began (it may be a resumed wait).
    pub age_at_start: Duration,
    pub timeout: Duration,
    pub stop: &'a CancellationToken,
    pub schedule: PollSchedule,
    /// GetCapacityTask may answer NotFound for a short while after StartCapacityTask.
    pub not_found_grace: Duration,
    /// The statuses that end the wait; by default the terminal ones.
    pub done: fn(&CapacityTaskStatus) -> bool,
    /// Transient failures are ridden out, but when every poll has failed for this long
    /// the wait ends with the last error: an endpoint down for that long is not a blip.
    pub give_up_after_failing: Duration,
}

/// How long a wait rides out polls that all fail.
pub const DEFAULT_GIVE_UP_AFTER_FAILING: Duration = Duration::from_secs(10 * 60);

/// How often a wait says, at INFO, that it is still waiting: polls grow minutes apart,
/// and a user watching an apply should not wonder whether it hangs.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(60);

impl<'a> WaitFor<'a> {
    pub fn new(timeout: Duration, stop: &'a CancellationToken) -> Self {
        WaitFor {
            age_at_start: Duration::ZERO,
            timeout,
            stop,
            schedule: PollSchedule::default(),
            not_found_grace: Duration::from_secs(60),
            done: CapacityTaskStatus::is_terminal,
            give_up_after_failing: DEFAULT_GIVE_UP_AFTER_FAILING,
        }
    }
}

/// Polls with `poll` until the task reaches a `done` status, the deadline passes, or the
/// stop token fires. Throttling and server errors are ridden out; status changes are
/// logged, and about once a minute ([`PROGRESS_EVERY`]) the status and time waited.
pub async fn wait_for_terminal_status<F, Fut>(options: WaitFor<'_>, mut poll: F) -> WaitOutcome
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<CapacityTask, OutpostsError>>,
{
    let started = Instant::now();
    let deadline = started + options.timeout;
    let mut last: Option<CapacityTask> = None;
    // Since when every poll has failed (reset by each answer).
    let mut failing_since: Option<Instant> = None;
    let mut next_progress = started + PROGRESS_EVERY;
    loop {
        // A call that hangs must not outlive the deadline or a stop request.
        let polled = tokio::select! {
            biased;
            _ = options.stop.cancelled() => return WaitOutcome::Stopped(last),
            polled = tokio::time::timeout_at(deadline, poll()) => match polled {
                Ok(polled) => polled,
                Err(_) => return WaitOutcome::TimedOut(last),
            },
        };
        if polled.is_ok() {
            failing_since = None;
        }
        match polled {
            Ok(task) => {
                let changed = last.as_ref().is_none_or(|l| l.status != task.status);
                if changed {
                    tracing::info!(
                        task = %task.id,
                        status = %task.status,
                        elapsed_s = started.elapsed().as_secs(),
                        "capacity task status"
                    );
                }
                if (options.done)(&task.status) {
                    return WaitOutcome::Terminal(task);
                }
                last = Some(task);
            }
            Err(OutpostsError::NotFound(message))
                if last.is_none() && started.elapsed() < options.not_found_grace =>
            {
                tracing::debug!(%message, "capacity task not visible yet; retrying");
            }
            Err(error) if error.is_transient() => {
                let since = *failing_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= options.give_up_after_failing {
                    tracing::warn!(%error, failing_s = since.elapsed().as_secs(), "every poll failed; giving up the wait");
                    return WaitOutcome::Failed(error, last);
                }
                tracing::warn!(%error, "polling the capacity task failed; retrying");
            }
            Err(error) => return WaitOutcome::Failed(error, last),
        }
        let now = Instant::now();
        if now >= deadline {
            return WaitOutcome::TimedOut(last);
        }
        let age = options.age_at_start + started.elapsed();
        let wake = (now + options.schedule.interval(age)).min(deadline);
        loop {
            tokio::select! {
                biased;
                _ = options.stop.cancelled() => return WaitOutcome::Stopped(last),
                _ = tokio::time::sleep_until(wake.min(next_progress)) => {}
            }
            let now = Instant::now();
            if now >= next_progress {
                log_progress(last.as_ref(), started, wake.saturating_duration_since(now));
                next_progress = now + PROGRESS_EVERY;
            }
            if now >= wake {
                break;
            }
        }
    }
}

/// The INFO line of a wait still going: the task's last known status, how long the wait
/// has lasted and when the next poll is.
fn log_progress(last: Option<&CapacityTask>, started: Instant, next_poll_in: Duration) {
    let (task, status) = match last {
        Some(task) => (task.id.as_str(), task.status.as_str()),
        None => ("", "not known yet"),
    };
    tracing::info!(
        task,
        status,
        elapsed_s = started.elapsed().as_secs(),
        next_poll_in_s = next_poll_in.as_secs(),
        "still waiting for the capacity task"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outposts::task::InstancesToExclude;
    use crate::test_logs::InfoLines;
    use std::cell::Cell;

    fn task(status: CapacityTaskStatus) -> CapacityTask {
        CapacityTask {
            id: "cap-0123456789abcdef0".into(),
            outpost_id: "op-0123456789abcdef0".into(),
            order_id: None,
            asset_id: None,
            instance_pools: Vec::new(),
            instances_to_exclude: InstancesToExclude::default(),
            task_action_on_blocking_instances: None,
            dry_run: false,
            status,
            failure: None,
            creation_date: None,
            completion_date: None,
            last_modified_date: None,
        }
    }

    /// A task that completes `duration` after the wait starts; counts polls and
    /// measures how late completion was noticed.
    async fn run(duration: Duration, timeout: Duration) -> (WaitOutcome, u32, Duration) {
        let stop = CancellationToken::new();
        let start = Instant::now();
        let calls = Cell::new(0u32);
        let outcome = wait_for_terminal_status(WaitFor::new(timeout, &stop), || {
            calls.set(calls.get() + 1);
            let status = if start.elapsed() >= duration {
                CapacityTaskStatus::Completed
            } else {
                CapacityTaskStatus::InProgress
            };
            async move { Ok(task(status)) }
        })
        .await;
        let noticed_late = start.elapsed().saturating_sub(duration);
        (outcome, calls.get(), noticed_late)
    }

    #[tokio::test(start_paused = true)]
    async fn a_sixty_minute_task_costs_at_most_120_calls_and_is_noticed_promptly() {
        let hour = Duration::from_secs(3600);
        let (outcome, calls, late) = run(hour, Duration::from_secs(4 * 3600)).await;
        assert!(matches!(outcome, WaitOutcome::Terminal(_)));
        assert!(calls <= 120, "{calls} calls");
        assert!(late <= Duration::from_secs(360), "noticed {late:?} late");
        eprintln!(
            "60-minute task: {calls} GetCapacityTask calls, noticed {late:?} after completion"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn completion_is_noticed_within_the_greater_of_2s_and_a_tenth_of_elapsed() {
        for seconds in [1u64, 5, 30, 90, 600, 1800, 2900] {
            let duration = Duration::from_secs(seconds);
            let (_, _, late) = run(duration, Duration::from_secs(6 * 3600)).await;
            let allowed = Duration::from_secs(2).max(duration.mul_f64(0.1));
            assert!(
                late <= allowed,
                "{seconds}s task noticed {late:?} late (allowed {allowed:?})"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_twelve_hour_task_stays_in_the_low_hundreds_of_calls() {
        let (outcome, calls, late) = run(
            Duration::from_secs(12 * 3600),
            Duration::from_secs(13 * 3600),
        )
        .await;
        assert!(matches!(outcome, WaitOutcome::Terminal(_)));
        assert!(calls <= 250, "{calls} calls");
        assert!(late <= Duration::from_secs(300));
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_the_wait_with_the_last_status() {
        let (outcome, _, _) = run(Duration::from_secs(3600), Duration::from_secs(600)).await;
        match outcome {
            WaitOutcome::TimedOut(Some(last)) => {
                assert_eq!(last.status, CapacityTaskStatus::InProgress)
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_call_does_not_outlive_the_deadline() {
        let stop = CancellationToken::new();
        let start = Instant::now();
        let outcome =
            wait_for_terminal_status(WaitFor::new(Duration::from_secs(30), &stop), || async {
                std::future::pending::<Result<CapacityTask, OutpostsError>>().await
            })
            .await;
        assert!(
            matches!(outcome, WaitOutcome::TimedOut(None)),
            "{outcome:?}"
        );
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn the_stop_token_ends_the_wait_promptly() {
        let stop = CancellationToken::new();
        let canceller = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(100)).await;
            canceller.cancel();
        });
        let start = Instant::now();
        let outcome =
            wait_for_terminal_status(WaitFor::new(Duration::from_secs(3600), &stop), || async {
                Ok(task(CapacityTaskStatus::InProgress))
            })
            .await;
        assert!(matches!(outcome, WaitOutcome::Stopped(Some(_))));
        assert!(start.elapsed() < Duration::from_secs(101));
    }

    #[tokio::test(start_paused = true)]
    async fn not_found_right_after_start_and_throttling_are_ridden_out() {
        let stop = CancellationToken::new();
        let calls = Cell::new(0u32);
        let outcome =
            wait_for_terminal_status(WaitFor::new(Duration::from_secs(600), &stop), || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    match n {
                        1 | 2 => Err(OutpostsError::NotFound("eventual consistency".into())),
                        3 => Err(OutpostsError::Throttled("slow down".into())),
                        4 => Err(OutpostsError::Transient("503".into())),
                        _ => Ok(task(CapacityTaskStatus::Completed)),
                    }
                }
            })
            .await;
        assert!(matches!(outcome, WaitOutcome::Terminal(_)), "{outcome:?}");
    }

    /// A wait of at most `timeout` on a task whose first poll finds it in `status` and
    /// every later poll fails with `error()`.
    async fn seen_once_then_failing(
        timeout: Duration,
        status: CapacityTaskStatus,
        error: fn() -> OutpostsError,
    ) -> WaitOutcome {
        let stop = CancellationToken::new();
        let calls = Cell::new(0u32);
        wait_for_terminal_status(WaitFor::new(timeout, &stop), || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            let status = status.clone();
            async move {
                if n == 1 {
                    Ok(task(status))
                } else {
                    Err(error())
                }
            }
        })
        .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_vanishes_after_being_seen_is_a_failure() {
        let outcome = seen_once_then_failing(
            Duration::from_secs(600),
            CapacityTaskStatus::Requested,
            || OutpostsError::NotFound("gone".into()),
        )
        .await;
        assert!(matches!(
            outcome,
            WaitOutcome::Failed(OutpostsError::NotFound(_), Some(_))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_whose_polls_all_fail_for_ten_minutes_ends_with_the_error() {
        let start = Instant::now();
        let outcome = seen_once_then_failing(
            Duration::from_secs(12 * 3600),
            CapacityTaskStatus::InProgress,
            || OutpostsError::Transient("HTTP 503".into()),
        )
        .await;
        match outcome {
            WaitOutcome::Failed(OutpostsError::Transient(_), Some(last)) => {
                assert_eq!(last.status, CapacityTaskStatus::InProgress)
            }
            other => panic!("expected the wait to give up, got {other:?}"),
        }
        let waited = start.elapsed();
        assert!(
            waited >= DEFAULT_GIVE_UP_AFTER_FAILING
                && waited <= DEFAULT_GIVE_UP_AFTER_FAILING + Duration::from_secs(301),
            "gave up after {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_answer_resets_the_failure_clock() {
        let stop = CancellationToken::new();
        let start = Instant::now();
        let last_answer = Cell::new(start);
        let outcome =
            wait_for_terminal_status(WaitFor::new(Duration::from_secs(3600), &stop), || {
                // One answer after 8 minutes of failures, again and again: never 10
                // minutes of failure in a row, so the wait lasts until completion.
                let now = Instant::now();
                let answer = if now.duration_since(start) >= Duration::from_secs(40 * 60) {
                    Ok(task(CapacityTaskStatus::Completed))
                } else if now.duration_since(last_answer.get()) >= Duration::from_secs(8 * 60) {
                    last_answer.set(now);
                    Ok(task(CapacityTaskStatus::InProgress))
                } else {
                    Err(OutpostsError::Throttled("slow down".into()))
                };
                async move { answer }
            })
            .await;
        assert!(matches!(outcome, WaitOutcome::Terminal(_)), "{outcome:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_wait_says_about_once_a_minute_that_it_is_still_waiting() {
        let lines = InfoLines::default();
        let _guard = tracing::subscriber::set_default(lines.clone());
        // 20 minutes: polls are up to 2 minutes apart by then, progress is not.
        let (outcome, _, _) = run(Duration::from_secs(20 * 60), Duration::from_secs(3600)).await;
        assert!(matches!(outcome, WaitOutcome::Terminal(_)));
        let lines: Vec<String> = lines
            .lines()
            .into_iter()
            .filter(|l| l.contains("still waiting"))
            .collect();
        assert!(
            (19..=21).contains(&lines.len()),
            "{} progress lines: {lines:#?}",
            lines.len()
        );
        for field in [
            "status=\"IN_PROGRESS\"",
            "elapsed_s=60 ",
            "task=\"cap-0123456789abcdef0\"",
        ] {
            assert!(lines[0].contains(field), "{field} in {}", lines[0]);
        }
    }

    #[test]
    fn the_schedule_backs_off_between_2s_and_5m() {
        let s = PollSchedule::default();
        assert_eq!(s.interval(Duration::ZERO), Duration::from_secs(2));
        assert_eq!(
            s.interval(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            s.interval(Duration::from_secs(12 * 3600)),
            Duration::from_secs(300)
        );
    }
}
