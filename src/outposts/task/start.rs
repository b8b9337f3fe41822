//! StartCapacityTask: the capacity check (`DryRun`) and the attempts that start a task,
//! made here rather than by the SDK, to know whether a lost answer may have started one.

use super::find::OwnTaskSearch;
use super::types::{CapacityTask, StartCapacityTask, task_fields};
use crate::outposts::OutpostsClient;
use crate::outposts::error::OutpostsError;
use aws_sdk_outposts::types as sdk;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long to look for our own task before another attempt after a lost answer: five
/// lists (after 0, 1, 3, 7 and 15 s), for a list that lags some seconds. Waiting costs
/// little next to a task of hours, and a second task is what it prevents.
const LOOK_BEFORE_RETRY: Duration = Duration::from_secs(15);

/// What StartCapacityTask gave.
#[derive(Debug)]
pub enum Started {
    /// An attempt was answered with the new task.
    New(CapacityTask),
    /// An attempt's answer was lost, and the task it started was found.
    Adopted {
        task: CapacityTask,
        /// What the attempt whose answer was lost met.
        error: OutpostsError,
    },
}

/// Why StartCapacityTask failed, and whether a task may have been started anyway.
#[derive(Debug)]
pub struct StartFailure {
    /// The last attempt's error.
    pub error: OutpostsError,
    /// Some attempt's outcome is unknown (its answer was lost, or named no task): a
    /// task may exist that this request started.
    pub may_have_started: bool,
}

/// The pause before attempt `attempt + 1`: exponential with full jitter, 1 s doubling
/// up to 20 s, as the SDK's standard retry mode paces its own attempts.
fn retry_backoff(attempt: u32) -> Duration {
    let cap =
        Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(20));
    cap.mul_f64(fastrand::f64())
}

/// StartCapacityTask's errors, keeping what a conflict says about the resource in
/// conflict.
fn start_error(
    client: &OutpostsClient,
    error: aws_sdk_outposts::error::SdkError<
        aws_sdk_outposts::operation::start_capacity_task::StartCapacityTaskError,
        aws_smithy_runtime_api::http::Response,
    >,
) -> OutpostsError {
    use aws_sdk_outposts::operation::start_capacity_task::StartCapacityTaskError;
    let resource = match error.as_service_error() {
        Some(StartCapacityTaskError::ConflictException(conflict)) => Some((
            conflict.resource_id().map(str::to_string),
            conflict.resource_type().map(|t| t.as_str().to_string()),
        )),
        _ => None,
    };
    match (client.error_from_sdk(error), resource) {
        (OutpostsError::Conflict { message, .. }, Some((resource_id, resource_type))) => {
            OutpostsError::Conflict {
                message,
                resource_id,
                resource_type,
            }
        }
        (other, _) => other,
    }
}

impl OutpostsClient {
    /// The StartCapacityTask call for `request`, not yet sent.
    fn start_call(
        &self,
        request: &StartCapacityTask,
        dry_run: bool,
    ) -> Result<
        aws_sdk_outposts::operation::start_capacity_task::builders::StartCapacityTaskFluentBuilder,
        OutpostsError,
    > {
        let mut call = self
            .sdk()
            .start_capacity_task()
            .outpost_identifier(&request.outpost_identifier)
            .set_order_id(request.order_id.clone())
            .set_asset_id(request.asset_id.clone())
            .dry_run(dry_run);
        for pool in &request.instance_pools {
            let pool = sdk::InstanceTypeCapacity::builder()
                .instance_type(&pool.instance_type)
                .count(pool.count)
                .build()
                .map_err(|e| OutpostsError::Other(e.to_string()))?;
            call = call.instance_pools(pool);
        }
        if !request.instances_to_exclude.is_empty() {
            let exclude = &request.instances_to_exclude;
            call = call.instances_to_exclude(
                sdk::InstancesToExclude::builder()
                    .set_instances(Some(exclude.instances.clone()))
                    .set_account_ids(Some(exclude.account_ids.clone()))
                    .set_services(Some(
                        exclude
                            .services
                            .iter()
                            .map(|s| sdk::AwsServiceName::from(s.as_str()))
                            .collect(),
                    ))
                    .build(),
            );
        }
        if let Some(action) = &request.task_action_on_blocking_instances {
            call = call.task_action_on_blocking_instances(
                sdk::TaskActionOnBlockingInstances::from(action.as_str()),
            );
        }
        Ok(call)
    }

    /// SDK configuration for a call whose attempts the client layer makes itself: one
    /// attempt per call, the provider's retry mode otherwise.
    fn one_attempt(&self) -> aws_sdk_outposts::config::Builder {
        aws_sdk_outposts::config::Builder::default().retry_config(
            crate::outposts::RetryPolicy {
                max_attempts: 1,
                ..self.retry_policy()
            }
            .sdk_config(),
        )
    }

    /// Asks AWS (`DryRun`) whether the task would be accepted. Nothing is started, so a
    /// failed attempt is simply made again, as the provider's retry policy says.
    ///
    /// The attempts are made here, not by the SDK, to tell an endpoint that answers from
    /// one that is silent: throttling and server errors are answers, and are ridden out
    /// for as many attempts as the policy allows, however long that takes (several
    /// workspaces under one account's rate limit must not fail each other's plans);
    /// attempts that get no answer end the check once they have taken `silence` in all
    /// (a hung endpoint must not hold a plan), or after
    /// [`crate::outposts::MAX_UNANSWERED_ATTEMPTS`] of them.
    pub async fn dry_run_capacity_task(
        &self,
        request: &StartCapacityTask,
        silence: Duration,
    ) -> Result<(), OutpostsError> {
        let max_attempts = self.retry_policy().max_attempts.max(1);
        let mut silent = Duration::ZERO;
        let mut unanswered = 0u32;
        let mut attempt = 1u32;
        loop {
            let call = self
                .start_call(request, true)?
                .customize()
                .config_override(self.one_attempt());
            let began = tokio::time::Instant::now();
            let answer = tokio::time::timeout(silence.saturating_sub(silent), call.send()).await;
            let error = match answer {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(error)) => start_error(self, error),
                Err(_) => {
                    return Err(OutpostsError::NoAnswer(format!(
                        "the Outposts endpoint {} did not answer within {}s, the time a \
                         capacity check waits for a silent endpoint",
                        self.endpoint(),
                        silence.as_secs()
                    )));
                }
            };
            if matches!(error, OutpostsError::NoAnswer(_)) {
                silent += began.elapsed();
                unanswered += 1;
            }
            if !error.is_transient()
                || attempt >= max_attempts
                || unanswered >= crate::outposts::MAX_UNANSWERED_ATTEMPTS
                || silent >= silence
            {
                return Err(error);
            }
            let pause = retry_backoff(attempt);
            tracing::debug!(attempt, %error, pause_ms = pause.as_millis() as u64, "capacity check (dry run) failed; trying again");
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    /// Starts a capacity task.
    ///
    /// The attempts are made here, not by the SDK, so that the caller knows whether any
    /// attempt may have started a task: one whose answer was lost (a server error, a
    /// timeout, a broken connection) may have, one that was throttled or refused did
    /// not. A conflict after such an attempt may be our own task; a conflict on a clean
    /// record is someone else's. Attempts follow the provider's retry policy, with at
    /// most [`crate::outposts::MAX_UNANSWERED_ATTEMPTS`] unanswered ones, as the SDK's; the sleeps
    /// between them end early when Terraform asks the provider to stop, but an attempt
    /// in flight is always let finish (it is bounded by the attempt timeout), because
    /// abandoning it would lose what it did.
    ///
    /// After an attempt whose answer was lost, and before the next one, the client looks
    /// for the task that attempt may have started ([`OwnTaskSearch`], for
    /// 15 seconds): it may have finished already, so a later attempt would not
    /// even meet a conflict. A task found is the outcome, [`Started::Adopted`]; the
    /// caller makes it its own, or, when it turns out to be taken, starts again with it
    /// among [`OwnTaskSearch::taken`].
    pub async fn start_capacity_task(
        &self,
        search: &OwnTaskSearch<'_>,
        stop: &CancellationToken,
    ) -> Result<Started, StartFailure> {
        let request = search.request;
        let mut may_have_started = false;
        let max_attempts = self.retry_policy().max_attempts.max(1);
        let mut attempt = 1u32;
        let mut unanswered = 0u32;
        loop {
            let call = self
                .start_call(request, false)
                .map_err(|error| StartFailure {
                    error,
                    may_have_started,
                })?;
            let call = call.customize().config_override(self.one_attempt());
            let error = match call.send().await {
                Ok(output) => {
                    let task = task_fields!(output).into_task();
                    if task.id.is_empty() {
                        return Err(StartFailure {
                            error: OutpostsError::Other(
                                "StartCapacityTask succeeded, but its answer names no task \
                                 (no CapacityTaskId)"
                                    .into(),
                            ),
                            may_have_started: true,
                        });
                    }
                    return Ok(Started::New(task));
                }
                Err(error) => start_error(self, error),
            };
            if error.may_have_taken_effect() {
                may_have_started = true;
                if let Some(task) = self
                    .find_own_capacity_task(search, LOOK_BEFORE_RETRY, stop)
                    .await
                {
                    return Ok(Started::Adopted { task, error });
                }
            }
            if matches!(error, OutpostsError::NoAnswer(_)) {
                unanswered += 1;
            }
            if !error.is_transient()
                || attempt >= max_attempts
                || unanswered >= crate::outposts::MAX_UNANSWERED_ATTEMPTS
            {
                return Err(StartFailure {
                    error,
                    may_have_started,
                });
            }
            let pause = retry_backoff(attempt);
            tracing::warn!(attempt, %error, pause_ms = pause.as_millis() as u64, "StartCapacityTask failed; trying again");
            tokio::select! {
                biased;
                _ = stop.cancelled() => {
                    return Err(StartFailure {
                        error: OutpostsError::Interrupted,
                        may_have_started,
                    });
                }
                _ = tokio::time::sleep(pause) => {}
            }
            attempt += 1;
        }
    }
}
