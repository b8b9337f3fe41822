//! Capacity tasks: typed views of the API's shapes and the calls that read and change
//! them. Everything that knows `aws-sdk-outposts` types for tasks is here.

use super::OutpostsClient;
use super::error::OutpostsError;
use aws_sdk_outposts::types as sdk;
use aws_smithy_types::DateTime;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// A capacity task's status, as AWS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapacityTaskStatus {
    Requested,
    InProgress,
    WaitingForEvacuation,
    CancellationInProgress,
    Completed,
    Failed,
    Cancelled,
    /// A status this provider does not know yet; treated as still running.
    Other(String),
}

impl CapacityTaskStatus {
    pub fn as_str(&self) -> &str {
        match self {
            CapacityTaskStatus::Requested => "REQUESTED",
            CapacityTaskStatus::InProgress => "IN_PROGRESS",
            CapacityTaskStatus::WaitingForEvacuation => "WAITING_FOR_EVACUATION",
            CapacityTaskStatus::CancellationInProgress => "CANCELLATION_IN_PROGRESS",
            CapacityTaskStatus::Completed => "COMPLETED",
            CapacityTaskStatus::Failed => "FAILED",
            CapacityTaskStatus::Cancelled => "CANCELLED",
            CapacityTaskStatus::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> CapacityTaskStatus {
        match s {
            "REQUESTED" => CapacityTaskStatus::Requested,
            "IN_PROGRESS" => CapacityTaskStatus::InProgress,
            "WAITING_FOR_EVACUATION" => CapacityTaskStatus::WaitingForEvacuation,
            "CANCELLATION_IN_PROGRESS" => CapacityTaskStatus::CancellationInProgress,
            "COMPLETED" => CapacityTaskStatus::Completed,
            "FAILED" => CapacityTaskStatus::Failed,
            "CANCELLED" => CapacityTaskStatus::Cancelled,
            other => CapacityTaskStatus::Other(other.to_string()),
        }
    }

    /// No further change will happen.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            CapacityTaskStatus::Completed
                | CapacityTaskStatus::Failed
                | CapacityTaskStatus::Cancelled
        )
    }

    /// AWS accepts CancelCapacityTask only before the change starts on the hardware.
    pub fn is_cancellable(&self) -> bool {
        matches!(
            self,
            CapacityTaskStatus::Requested | CapacityTaskStatus::WaitingForEvacuation
        )
    }
}

/// In state, a status is the string AWS uses.
impl serde::Serialize for CapacityTaskStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CapacityTaskStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(CapacityTaskStatus::parse(&text))
    }
}

impl std::fmt::Display for CapacityTaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many instances of one type the layout should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePool {
    pub instance_type: String,
    pub count: i32,
}

/// Running instances the task may ignore when checking for blockers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstancesToExclude {
    pub instances: Vec<String>,
    pub account_ids: Vec<String>,
    pub services: Vec<String>,
}

impl InstancesToExclude {
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty() && self.account_ids.is_empty() && self.services.is_empty()
    }
}

/// Why a task failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityTaskFailure {
    pub kind: Option<String>,
    pub reason: String,
}

/// A capacity task as GetCapacityTask / StartCapacityTask report it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityTask {
    pub id: String,
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub instance_pools: Vec<InstancePool>,
    pub instances_to_exclude: InstancesToExclude,
    pub task_action_on_blocking_instances: Option<String>,
    pub dry_run: bool,
    pub status: CapacityTaskStatus,
    pub failure: Option<CapacityTaskFailure>,
    pub creation_date: Option<SystemTime>,
    pub completion_date: Option<SystemTime>,
    pub last_modified_date: Option<SystemTime>,
}

/// One line of ListCapacityTasks.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityTaskSummary {
    pub id: String,
    pub outpost_id: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub status: CapacityTaskStatus,
    pub creation_date: Option<SystemTime>,
    pub completion_date: Option<SystemTime>,
    pub last_modified_date: Option<SystemTime>,
}

/// A running instance that keeps a task from proceeding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockingInstance {
    pub instance_id: String,
    pub account_id: Option<String>,
    pub service: Option<String>,
}

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

/// The arguments of StartCapacityTask.
#[derive(Debug, Clone, PartialEq)]
pub struct StartCapacityTask {
    pub outpost_identifier: String,
    pub order_id: Option<String>,
    pub asset_id: Option<String>,
    pub instance_pools: Vec<InstancePool>,
    pub instances_to_exclude: InstancesToExclude,
    pub task_action_on_blocking_instances: Option<String>,
}

/// The fields every capacity task output shape shares.
struct TaskFields<'a> {
    id: Option<&'a str>,
    outpost_id: Option<&'a str>,
    order_id: Option<&'a str>,
    asset_id: Option<&'a str>,
    pools: &'a [sdk::InstanceTypeCapacity],
    exclude: Option<&'a sdk::InstancesToExclude>,
    action: Option<&'a sdk::TaskActionOnBlockingInstances>,
    dry_run: bool,
    status: Option<&'a sdk::CapacityTaskStatus>,
    failed: Option<&'a sdk::CapacityTaskFailure>,
    created: Option<&'a DateTime>,
    completed: Option<&'a DateTime>,
    modified: Option<&'a DateTime>,
}

impl TaskFields<'_> {
    fn into_task(self) -> CapacityTask {
        CapacityTask {
            id: self.id.unwrap_or_default().to_string(),
            outpost_id: self.outpost_id.unwrap_or_default().to_string(),
            order_id: self.order_id.map(str::to_string),
            asset_id: self.asset_id.map(str::to_string),
            instance_pools: self
                .pools
                .iter()
                .map(|p| InstancePool {
                    instance_type: p.instance_type().to_string(),
                    count: p.count(),
                })
                .collect(),
            instances_to_exclude: self
                .exclude
                .map(|e| InstancesToExclude {
                    instances: e.instances().to_vec(),
                    account_ids: e.account_ids().to_vec(),
                    services: e
                        .services()
                        .iter()
                        .map(|s| s.as_str().to_string())
                        .collect(),
                })
                .unwrap_or_default(),
            task_action_on_blocking_instances: self.action.map(|a| a.as_str().to_string()),
            dry_run: self.dry_run,
            status: self
                .status
                .map(|s| CapacityTaskStatus::parse(s.as_str()))
                .unwrap_or(CapacityTaskStatus::Other(String::new())),
            failure: self.failed.map(|f| CapacityTaskFailure {
                kind: f.r#type().map(|t| t.as_str().to_string()),
                reason: f.reason().to_string(),
            }),
            creation_date: self.created.and_then(super::time::from_aws),
            completion_date: self.completed.and_then(super::time::from_aws),
            last_modified_date: self.modified.and_then(super::time::from_aws),
        }
    }
}

macro_rules! task_fields {
    ($o:expr) => {
        TaskFields {
            id: $o.capacity_task_id(),
            outpost_id: $o.outpost_id(),
            order_id: $o.order_id(),
            asset_id: $o.asset_id(),
            pools: $o.requested_instance_pools(),
            exclude: $o.instances_to_exclude(),
            action: $o.task_action_on_blocking_instances(),
            dry_run: $o.dry_run(),
            status: $o.capacity_task_status(),
            failed: $o.failed(),
            created: $o.creation_date(),
            completed: $o.completion_date(),
            modified: $o.last_modified_date(),
        }
    };
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
            super::RetryPolicy {
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
    /// [`super::MAX_UNANSWERED_ATTEMPTS`] of them.
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
                || unanswered >= super::MAX_UNANSWERED_ATTEMPTS
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
    /// most [`super::MAX_UNANSWERED_ATTEMPTS`] unanswered ones, as the SDK's; the sleeps
    /// between them end early when Terraform asks the provider to stop, but an attempt
    /// in flight is always let finish (it is bounded by the attempt timeout), because
    /// abandoning it would lose what it did.
    ///
    /// After an attempt whose answer was lost, and before the next one, `look_for_own`
    /// is asked whether that attempt started a task after all (it may have finished
    /// already, so a later attempt would not even meet a conflict): a task it returns
    /// is the outcome, [`Started::Adopted`].
    pub async fn start_capacity_task<F, Fut>(
        &self,
        request: &StartCapacityTask,
        stop: &CancellationToken,
        mut look_for_own: F,
    ) -> Result<Started, StartFailure>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<CapacityTask>>,
    {
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
                if let Some(task) = look_for_own().await {
                    return Ok(Started::Adopted { task, error });
                }
            }
            if matches!(error, OutpostsError::NoAnswer(_)) {
                unanswered += 1;
            }
            if !error.is_transient()
                || attempt >= max_attempts
                || unanswered >= super::MAX_UNANSWERED_ATTEMPTS
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

    /// Whether the Outpost exists (GetOutpost), to tell which identifier a NotFound
    /// answer was about.
    pub async fn outpost_exists(&self, outpost_identifier: &str) -> Result<bool, OutpostsError> {
        match self
            .sdk()
            .get_outpost()
            .outpost_id(outpost_identifier)
            .send()
            .await
            .map_err(|e| self.error_from_sdk(e))
        {
            Ok(_) => Ok(true),
            Err(OutpostsError::NotFound(_)) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Reads one capacity task.
    pub async fn get_capacity_task(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<CapacityTask, OutpostsError> {
        self.sdk()
            .get_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .send()
            .await
            .map(|output| task_fields!(output).into_task())
            .map_err(|e| self.error_from_sdk(e))
    }

    /// Asks AWS to cancel a task that has not started changing the hardware.
    pub async fn cancel_capacity_task(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<(), OutpostsError> {
        self.sdk()
            .cancel_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.error_from_sdk(e))
    }

    /// The tasks of an outpost that are not finished, all pages.
    pub async fn list_active_capacity_tasks(
        &self,
        outpost_identifier: &str,
    ) -> Result<Vec<CapacityTaskSummary>, OutpostsError> {
        let active = [
            CapacityTaskStatus::Requested,
            CapacityTaskStatus::InProgress,
            CapacityTaskStatus::WaitingForEvacuation,
            CapacityTaskStatus::CancellationInProgress,
        ];
        self.list_capacity_tasks(Some(outpost_identifier), &active)
            .await
    }

    /// The tasks of one outpost (or of all the account's outposts) whose status is one
    /// of `statuses` (any status when empty), all pages, in the order AWS lists them.
    pub async fn list_capacity_tasks(
        &self,
        outpost_identifier: Option<&str>,
        statuses: &[CapacityTaskStatus],
    ) -> Result<Vec<CapacityTaskSummary>, OutpostsError> {
        let filter: Vec<sdk::CapacityTaskStatus> = statuses
            .iter()
            .map(|s| sdk::CapacityTaskStatus::from(s.as_str()))
            .collect();
        let tasks = self
            .sdk()
            .list_capacity_tasks()
            .set_outpost_identifier_filter(outpost_identifier.map(str::to_string))
            .set_capacity_task_status_filter((!filter.is_empty()).then_some(filter))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.error_from_sdk(e))?;
        Ok(tasks
            .iter()
            .map(|t| CapacityTaskSummary {
                id: t.capacity_task_id().unwrap_or_default().to_string(),
                outpost_id: t.outpost_id().unwrap_or_default().to_string(),
                order_id: t.order_id().map(str::to_string),
                asset_id: t.asset_id().map(str::to_string),
                status: t
                    .capacity_task_status()
                    .map(|s| CapacityTaskStatus::parse(s.as_str()))
                    .unwrap_or(CapacityTaskStatus::Other(String::new())),
                creation_date: t.creation_date().and_then(super::time::from_aws),
                completion_date: t.completion_date().and_then(super::time::from_aws),
                last_modified_date: t.last_modified_date().and_then(super::time::from_aws),
            })
            .collect())
    }

    /// The running instances that block a task, all pages.
    pub async fn list_blocking_instances(
        &self,
        outpost_identifier: &str,
        task_id: &str,
    ) -> Result<Vec<BlockingInstance>, OutpostsError> {
        let instances = self
            .sdk()
            .list_blocking_instances_for_capacity_task()
            .outpost_identifier(outpost_identifier)
            .capacity_task_id(task_id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.error_from_sdk(e))?;
        Ok(instances
            .iter()
            .map(|b| BlockingInstance {
                instance_id: b.instance_id().unwrap_or_default().to_string(),
                account_id: b.account_id().map(str::to_string),
                service: b.aws_service_name().map(|s| s.as_str().to_string()),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_classify() {
        for s in [
            "REQUESTED",
            "IN_PROGRESS",
            "WAITING_FOR_EVACUATION",
            "CANCELLATION_IN_PROGRESS",
            "COMPLETED",
            "FAILED",
            "CANCELLED",
            "SOMETHING_NEW",
        ] {
            assert_eq!(CapacityTaskStatus::parse(s).as_str(), s);
        }
        assert!(CapacityTaskStatus::Completed.is_terminal());
        assert!(!CapacityTaskStatus::Other("NEW".into()).is_terminal());
        assert!(CapacityTaskStatus::WaitingForEvacuation.is_cancellable());
        assert!(!CapacityTaskStatus::InProgress.is_cancellable());
    }
}
