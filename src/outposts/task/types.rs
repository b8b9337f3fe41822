//! Capacity tasks' typed shapes, and how the API's shapes map onto them. The only code
//! that reads the SDK's capacity task types.

use aws_sdk_outposts::types as sdk;
use aws_smithy_types::DateTime;
use std::time::SystemTime;

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
pub(super) struct TaskFields<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) outpost_id: Option<&'a str>,
    pub(super) order_id: Option<&'a str>,
    pub(super) asset_id: Option<&'a str>,
    pub(super) pools: &'a [sdk::InstanceTypeCapacity],
    pub(super) exclude: Option<&'a sdk::InstancesToExclude>,
    pub(super) action: Option<&'a sdk::TaskActionOnBlockingInstances>,
    pub(super) dry_run: bool,
    pub(super) status: Option<&'a sdk::CapacityTaskStatus>,
    pub(super) failed: Option<&'a sdk::CapacityTaskFailure>,
    pub(super) created: Option<&'a DateTime>,
    pub(super) completed: Option<&'a DateTime>,
    pub(super) modified: Option<&'a DateTime>,
}

impl TaskFields<'_> {
    pub(super) fn into_task(self) -> CapacityTask {
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
            creation_date: self.created.and_then(crate::outposts::time::from_aws),
            completion_date: self.completed.and_then(crate::outposts::time::from_aws),
            last_modified_date: self.modified.and_then(crate::outposts::time::from_aws),
        }
    }
}

/// The fields of an output shape that holds a capacity task, as [`TaskFields`].
macro_rules! task_fields {
    ($o:expr) => {
        super::types::TaskFields {
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
pub(super) use task_fields;

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
